//! The live view: one HTTP port that serves the web app's files (`dist/`) and, at `/live`, a
//! WebSocket. Over it the bridge streams the cluster's [`View`](kafkalab_engine::view::View)
//! as JSON four times a second, with the facts that happened since the previous message narrated
//! in Korean and English, and takes fault actions (kill, restart or stop a broker, kill the
//! controller, cut or heal a link, a real client's too), so a learner can kill the leader their
//! application writes to and watch it recover. Time travel has no meaning here: the clock is the
//! wall clock.

use crate::Bridge;
use futures_util::{SinkExt, StreamExt};
use kafkalab_engine::cluster::{Action, World};
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::View;
use kafkalab_narration::{member_ids, sentence, Lang, Mark, Roster};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// How often a View is sent.
const VIEW_EVERY: Duration = Duration::from_millis(250);
/// At most this many new facts a message carries that are not routine traffic (elections,
/// rebalances, faults, joins, ...), and this many routine ones (appends, commits, HW moves):
/// a busy client makes thousands of routine facts a second, which must not push the rest out.
const NOTABLE_PER_MESSAGE: usize = 200;
const ROUTINE_PER_MESSAGE: usize = 60;
/// Record cells per replica strip of the partition logs (the app's `NEWEST_CELLS`), and how many
/// partitions' logs a message carries (the canvas's readable limit, `MAX_PARTITIONS`).
const LOG_CELLS: usize = 24;
const LOG_PARTITIONS: usize = 64;

/// A node of a link the page cuts or heals: a broker by number (`2`), or any node by name
/// (`"client-7"`, `"broker-2"`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum LiveNode {
    Broker(i32),
    Named(String),
}

impl LiveNode {
    fn node(&self) -> Result<NodeId, String> {
        match self {
            LiveNode::Broker(id) => Ok(NodeId::Broker(*id)),
            LiveNode::Named(name) => name.parse(),
        }
    }
}

/// A fault action from the page, as JSON: `{"action": "kill_broker", "broker": 2}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
enum LiveAction {
    KillBroker { broker: i32 },
    RestartBroker { broker: i32 },
    ShutdownBroker { broker: i32 },
    KillController,
    CutLink { from: LiveNode, to: LiveNode },
    HealLink { from: LiveNode, to: LiveNode },
}

impl LiveAction {
    /// The engine's actions. A real client is drawn as one node for all its connections: a
    /// link between it and a broker is each of its open connections to that broker.
    fn into_actions(self, view: &View) -> Result<Vec<Action>, String> {
        let single = |action| Ok(vec![action]);
        match self {
            LiveAction::KillBroker { broker } => single(Action::KillBroker { broker }),
            LiveAction::RestartBroker { broker } => single(Action::RestartBroker { broker }),
            LiveAction::ShutdownBroker { broker } => single(Action::ShutdownBroker { broker }),
            LiveAction::KillController => single(Action::KillController),
            LiveAction::CutLink { from, to } => Ok(links(view, from.node()?, to.node()?, false)
                .into_iter()
                .map(|(from, to)| Action::CutLink { from, to, both: true })
                .collect()),
            LiveAction::HealLink { from, to } => Ok(links(view, from.node()?, to.node()?, true)
                .into_iter()
                .map(|(from, to)| Action::HealLink { from, to, both: true })
                .collect()),
        }
    }
}

/// The links between `a` and `b` as the network has them: a real client's node stands for its
/// open connections to the broker (to heal: those whose link is cut); anything else is itself.
fn links(view: &View, a: NodeId, b: NodeId, cut_only: bool) -> Vec<(NodeId, NodeId)> {
    let (client, broker) = match (a, b) {
        (NodeId::Client(_), NodeId::Broker(id)) => (a, id),
        (NodeId::Broker(id), NodeId::Client(_)) => (b, id),
        _ => return vec![(a, b)],
    };
    let Some(external) = view.external_clients.iter().find(|c| c.connections.iter().any(|conn| conn.node == client))
    else {
        return vec![(a, b)];
    };
    let nodes: Vec<(NodeId, NodeId)> = external
        .connections
        .iter()
        .filter(|conn| conn.broker == broker && conn.closed.is_none() && (!cut_only || conn.link_cut))
        .map(|conn| (conn.node, NodeId::Broker(broker)))
        .collect();
    if nodes.is_empty() {
        vec![(a, b)]
    } else {
        nodes
    }
}

/// Applies one action sent by the page; the answer is JSON for the page.
pub(crate) fn apply(bridge: &Bridge, text: &str) -> serde_json::Value {
    let refused = |error: String| serde_json::json!({ "type": "result", "ok": false, "error": error });
    let action = match serde_json::from_str::<LiveAction>(text) {
        Ok(action) => action,
        Err(e) => return refused(format!("not an action: {e}")),
    };
    let mut world = bridge.world.borrow_mut();
    let actions = match action.into_actions(&world.view()) {
        Ok(actions) => actions,
        Err(e) => return refused(e),
    };
    for action in actions {
        if let Err(e) = world.apply(action.clone()) {
            return refused(e.to_string());
        }
        eprintln!("kafkalab broker: live view: {}", serde_json::to_string(&action).unwrap_or_default());
    }
    serde_json::json!({ "type": "result", "ok": true })
}

/// A fact as the page shows it: its sentence in both languages (the page toggles between them).
#[derive(Debug, Serialize)]
struct LiveFact {
    index: u64,
    at_ms: u64,
    /// `fault`, `election` or `rebalance` (the feed's colours), if any.
    mark: Option<&'static str>,
    /// Routine traffic (appends, commits, HW moves), which the feed folds away unless asked.
    routine: bool,
    /// The group whose rebalance steps it belongs to.
    group: Option<String>,
    ko: String,
    en: String,
    /// The full member ids the sentences shorten.
    members: Vec<String>,
}

/// The facts since `next` (the index after the last one sent), newest kept when there are more
/// than a message carries; moves `next` past them. Also returns how many were left out.
fn new_facts(world: &World, roster: &Roster, next: &mut u64) -> (Vec<LiveFact>, u64) {
    let (mut notable, mut routine, mut skipped) = (Vec::new(), Vec::new(), 0);
    for f in world.facts_since(*next).rev() {
        let is_routine = f.fact.salience().is_routine();
        let (kept, limit) =
            if is_routine { (&mut routine, ROUTINE_PER_MESSAGE) } else { (&mut notable, NOTABLE_PER_MESSAGE) };
        if kept.len() == limit {
            skipped += 1;
        } else {
            kept.push(f);
        }
    }
    if let Some(last) = world.facts().next_back() {
        *next = (*next).max(last.index + 1);
    }
    let mut facts: Vec<LiveFact> = notable
        .into_iter()
        .chain(routine)
        .map(|f| LiveFact {
            index: f.index,
            at_ms: f.at_ms,
            mark: kafkalab_narration::mark(&f.fact).map(|m| match m {
                Mark::Fault => "fault",
                Mark::Election => "election",
                Mark::Rebalance => "rebalance",
            }),
            routine: f.fact.salience().is_routine(),
            group: f.fact.rebalance_step_group().map(str::to_string),
            ko: sentence(Lang::Ko, roster, &f.fact),
            en: sentence(Lang::En, roster, &f.fact),
            members: member_ids(&f.fact).into_iter().map(str::to_string).collect(),
        })
        .collect();
    facts.sort_by_key(|f| f.index);
    (facts, skipped)
}

/// One message of the stream: the View (without the facts and messages in flight it carries for
/// the app: the facts come narrated, the page does not draw messages), the logs of the
/// partitions of every non-internal topic, and the new facts.
fn view_message(world: &World, next_fact: &mut u64) -> String {
    let mut view = world.view();
    view.facts.clear();
    view.in_flight.clear();
    let logs: Vec<_> = view
        .topics
        .iter()
        .filter(|t| !t.internal)
        .flat_map(|t| t.partitions.iter().map(|p| TopicPartition::new(&t.name, p.partition)))
        .take(LOG_PARTITIONS)
        .filter_map(|tp| world.partition_log(&tp, LOG_CELLS))
        .collect();
    let roster = Roster::from_view(&view);
    let (facts, skipped) = new_facts(world, &roster, next_fact);
    serde_json::json!({
        "type": "view", "live": true, "view": view, "logs": logs, "facts": facts, "skipped_facts": skipped
    })
    .to_string()
}

pub(crate) async fn serve(bridge: Rc<Bridge>, listener: TcpListener, dist: PathBuf) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::task::spawn_local(connection(bridge.clone(), stream, peer, dist.clone()));
            }
            Err(e) => eprintln!("kafkalab broker: live view: accept failed: {e}"),
        }
    }
}

/// The request's head, peeked (not consumed) so a WebSocket handshake can read it again.
async fn peek_head(stream: &TcpStream) -> Option<String> {
    let mut buf = vec![0u8; 8192];
    for _ in 0..50 {
        let n = stream.peek(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        if let Some(end) = buf[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            return String::from_utf8(buf[..end].to_vec()).ok();
        }
        if n == buf.len() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

async fn connection(bridge: Rc<Bridge>, mut stream: TcpStream, peer: SocketAddr, dist: PathBuf) {
    let Some(head) = peek_head(&stream).await else { return };
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let upgrade = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("upgrade:") && l.to_ascii_lowercase().contains("websocket"));
    if path == "/live" && upgrade {
        match tokio_tungstenite::accept_async(stream).await {
            Ok(socket) => live(bridge, socket).await,
            Err(e) => eprintln!("kafkalab broker: live view: WebSocket handshake with {peer} failed: {e}"),
        }
        return;
    }
    // Consume the head, then answer with a file of dist/.
    let mut head_bytes = vec![0u8; head.len() + 4];
    if stream.read_exact(&mut head_bytes).await.is_err() {
        return;
    }
    let response = if method != "GET" && method != "HEAD" {
        http(405, "text/plain", b"only GET\n".to_vec())
    } else {
        match file_of(&dist, path) {
            Some(file) => match std::fs::read(&file) {
                Ok(body) => http(200, content_type(&file), body),
                Err(_) => http(404, "text/plain", b"not found\n".to_vec()),
            },
            None => http(404, "text/plain", b"not found\n".to_vec()),
        }
    };
    let _ = stream.write_all(&response).await;
}

/// The file of `dist` a URL path names (`/` is `index.html`); `None` for a path leaving `dist`.
fn file_of(dist: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = dist.join(relative);
    if file.is_dir() || path == "/" {
        Some(file.join("index.html"))
    } else {
        Some(file)
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn http(status: u16, content_type: &str, body: Vec<u8>) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend(body);
    out
}

/// A page's WebSocket: Views out, actions in.
async fn live(bridge: Rc<Bridge>, socket: tokio_tungstenite::WebSocketStream<TcpStream>) {
    let (mut tx, mut rx) = socket.split();
    let mut tick = tokio::time::interval(VIEW_EVERY);
    let mut next_fact = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let text = view_message(&bridge.world.borrow(), &mut next_fact);
                if tx.send(WsMessage::Text(text.into())).await.is_err() {
                    return;
                }
            }
            message = rx.next() => match message {
                Some(Ok(WsMessage::Text(text))) => {
                    let answer = apply(&bridge, &text).to_string();
                    if tx.send(WsMessage::Text(answer.into())).await.is_err() {
                        return;
                    }
                }
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_cannot_leave_dist() {
        let dist = Path::new("/srv/dist");
        assert_eq!(file_of(dist, "/"), Some(dist.join("index.html")));
        assert_eq!(file_of(dist, "/app.wasm"), Some(dist.join("app.wasm")));
        assert_eq!(file_of(dist, "/../etc/passwd"), None);
        assert_eq!(file_of(dist, "/a/../../x"), None);
    }

    fn world() -> World {
        let mut world = World::new(kafkalab_engine::cluster::WorldConfig::default(), 1).unwrap();
        world
            .apply(Action::CreateTopic { name: "orders".into(), partitions: 1, replication_factor: 3, configs: vec![] })
            .unwrap();
        world
    }

    fn parse(json: &str, view: &View) -> Result<Vec<Action>, String> {
        serde_json::from_str::<LiveAction>(json).map_err(|e| e.to_string())?.into_actions(view)
    }

    #[test]
    fn actions_parse_and_unknown_ones_are_refused() {
        let view = world().view();
        assert_eq!(parse(r#"{"action":"kill_broker","broker":2}"#, &view), Ok(vec![Action::KillBroker { broker: 2 }]));
        assert!(parse(r#"{"action":"format_disk"}"#, &view).is_err());
        assert!(parse(r#"{"action":"kill_broker","broker":"x"}"#, &view).is_err());
        assert!(parse(r#"{"action":"cut_link","from":"switch-1","to":2}"#, &view).is_err());
        assert_eq!(
            parse(r#"{"action":"cut_link","from":1,"to":"broker-3"}"#, &view),
            Ok(vec![Action::CutLink { from: NodeId::Broker(1), to: NodeId::Broker(3), both: true }])
        );
    }

    #[test]
    fn a_real_clients_link_to_a_broker_is_each_of_its_connections_to_it() {
        let mut world = world();
        let conns: Vec<u32> = [2, 2, 3].iter().map(|b| world.connect_external_client(*b).unwrap()).collect();
        for c in &conns {
            world.set_external_peer(*c, "127.0.0.1:6000");
            world.note_external_request(*c, "app", "Metadata");
        }
        let view = world.view();
        let drawn = view.external_clients[0].node;
        let json = format!(r#"{{"action":"cut_link","from":"{drawn}","to":2}}"#);
        let cut = |c: u32| Action::CutLink { from: NodeId::Client(c), to: NodeId::Broker(2), both: true };
        assert_eq!(parse(&json, &view), Ok(vec![cut(conns[0]), cut(conns[1])]));
        for action in parse(&json, &view).unwrap() {
            world.apply(action).unwrap();
        }
        let heal = format!(r#"{{"action":"heal_link","from":2,"to":"{drawn}"}}"#);
        assert_eq!(parse(&heal, &world.view()).unwrap().len(), 2);
    }

    #[test]
    fn each_message_carries_only_the_facts_since_the_last_narrated_in_both_languages() {
        let mut world = world();
        world.run_until(3_000);
        let mut next = 0;
        let first: serde_json::Value = serde_json::from_str(&view_message(&world, &mut next)).unwrap();
        let facts = first["facts"].as_array().unwrap();
        assert!(!facts.is_empty());
        assert!(facts.iter().all(|f| f["ko"].as_str().is_some_and(|s| !s.is_empty()) && f["en"].is_string()));
        assert!(first["view"]["facts"].as_array().unwrap().is_empty(), "facts travel narrated, once");
        let logs: Vec<kafkalab_engine::view::log::PartitionLogView> =
            serde_json::from_value(first["logs"].clone()).unwrap();
        assert_eq!((logs.len(), logs[0].topic.as_str(), logs[0].replicas.len()), (1, "orders", 3));
        let again: serde_json::Value = serde_json::from_str(&view_message(&world, &mut next)).unwrap();
        assert!(again["facts"].as_array().unwrap().is_empty(), "nothing new, nothing sent");
        let leader = world.view().topics.iter().find(|t| t.name == "orders").unwrap().partitions[0].leader;
        world.apply(Action::KillBroker { broker: leader }).unwrap();
        world.run_until(20_000);
        let after: serde_json::Value = serde_json::from_str(&view_message(&world, &mut next)).unwrap();
        let facts = after["facts"].as_array().unwrap();
        let last_first = first["facts"].as_array().unwrap().last().unwrap()["index"].as_u64().unwrap();
        assert!(facts.iter().all(|f| f["index"].as_u64().unwrap() > last_first));
        assert!(facts.iter().any(|f| f["mark"] == "fault"), "the kill is narrated");
        assert!(
            facts.iter().any(|f| f["mark"] == "election" && f["en"].as_str().unwrap().contains("orders-0")),
            "the failover is narrated: {facts:?}"
        );
        assert!(facts.len() <= NOTABLE_PER_MESSAGE + ROUTINE_PER_MESSAGE);
    }
}
