//! The live view: one HTTP port that serves the web app's files (`dist/`) and, at `/live`, a
//! WebSocket. Over it the bridge streams the cluster's [`View`](kafkalab_engine::view::View)
//! as JSON four times a second, and takes fault actions (kill, restart or stop a broker, kill the
//! controller, cut or heal a link), so a learner can kill the leader their application writes to
//! and watch it recover. Time travel has no meaning here: the clock is the wall clock.

use crate::Bridge;
use futures_util::{SinkExt, StreamExt};
use kafkalab_engine::cluster::Action;
use kafkalab_engine::sim::NodeId;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// How often a View is sent.
const VIEW_EVERY: Duration = Duration::from_millis(250);

/// A fault action from the page, as JSON: `{"action": "kill_broker", "broker": 2}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
enum LiveAction {
    KillBroker { broker: i32 },
    RestartBroker { broker: i32 },
    ShutdownBroker { broker: i32 },
    KillController,
    CutLink { from: i32, to: i32 },
    HealLink { from: i32, to: i32 },
}

impl LiveAction {
    fn into_action(self) -> Action {
        match self {
            LiveAction::KillBroker { broker } => Action::KillBroker { broker },
            LiveAction::RestartBroker { broker } => Action::RestartBroker { broker },
            LiveAction::ShutdownBroker { broker } => Action::ShutdownBroker { broker },
            LiveAction::KillController => Action::KillController,
            LiveAction::CutLink { from, to } => {
                Action::CutLink { from: NodeId::Broker(from), to: NodeId::Broker(to), both: true }
            }
            LiveAction::HealLink { from, to } => {
                Action::HealLink { from: NodeId::Broker(from), to: NodeId::Broker(to), both: true }
            }
        }
    }
}

/// Applies one action sent by the page; the answer is JSON for the page.
pub(crate) fn apply(bridge: &Bridge, text: &str) -> serde_json::Value {
    let action = match serde_json::from_str::<LiveAction>(text) {
        Ok(action) => action.into_action(),
        Err(e) => return serde_json::json!({ "type": "result", "ok": false, "error": format!("not an action: {e}") }),
    };
    let outcome = bridge.world.borrow_mut().apply(action.clone());
    match outcome {
        Ok(_) => {
            eprintln!("kafkalab broker: live view: {}", serde_json::to_string(&action).unwrap_or_default());
            serde_json::json!({ "type": "result", "ok": true })
        }
        Err(e) => serde_json::json!({ "type": "result", "ok": false, "error": e.to_string() }),
    }
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
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let view = bridge.world.borrow().view();
                let text = serde_json::json!({ "type": "view", "live": true, "view": view }).to_string();
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

    #[test]
    fn actions_parse_and_unknown_ones_are_refused() {
        let action: LiveAction = serde_json::from_str(r#"{"action":"kill_broker","broker":2}"#).unwrap();
        assert_eq!(action.into_action(), Action::KillBroker { broker: 2 });
        assert!(serde_json::from_str::<LiveAction>(r#"{"action":"format_disk"}"#).is_err());
        assert!(serde_json::from_str::<LiveAction>(r#"{"action":"kill_broker","broker":"x"}"#).is_err());
    }
}
