//! The live page (`?live`, opened from `kafkalab broker --live`): the cluster that real Kafka
//! clients are using, drawn from the Views the bridge streams over its `/live` WebSocket, with
//! the node menus' faults sent back to it: the brokers, the real clients and their connections,
//! the partition logs, the consumer groups, and what happened, narrated. There is no simulation
//! in the page and no time travel: the cluster runs on the bridge's clock, and the banner says so.

use std::collections::VecDeque;

use crate::cluster::ViewRc;
use crate::components::{roles_text, ClusterCanvas, GroupPanel, Header, PartitionLogs};
use crate::i18n::{fill, t, Key, Lang};
use crate::logs::{LogData, Shared};
use crate::sim::UserAction;
use crate::state::AppAction;
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::external::ExternalClientView;
use kafkalab_engine::view::log::PartitionLogView;
use kafkalab_engine::view::View;
use serde::Deserialize;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};
use yew::prelude::*;

/// How many narrated facts the page keeps: the notable ones and the routine ones apart, so
/// that a busy client's appends do not push a failover out of the feed.
const KEPT_NOTABLE: usize = 300;
const KEPT_ROUTINE: usize = 100;
/// Lines the feed shows.
const FEED_LINES: usize = 60;

/// Whether the page was opened as the live view (`?live` in the query).
pub fn requested() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.trim_start_matches('?').split('&').any(|p| p == "live"))
}

/// A link's end as the bridge takes it: a broker by number, any other node by name.
fn live_node(node: &str) -> Option<serde_json::Value> {
    match node.strip_prefix("broker-") {
        Some(id) => id.parse::<i32>().ok().map(Into::into),
        None => node.parse::<NodeId>().ok().map(|_| node.into()),
    }
}

/// The bridge's JSON for a fault a node menu offers; `None` for what live mode cannot do.
pub fn action_json(action: &UserAction) -> Option<String> {
    let value = match action {
        UserAction::KillBroker { broker } => serde_json::json!({ "action": "kill_broker", "broker": broker }),
        UserAction::RestartBroker { broker } => serde_json::json!({ "action": "restart_broker", "broker": broker }),
        UserAction::ShutdownBroker { broker } => serde_json::json!({ "action": "shutdown_broker", "broker": broker }),
        UserAction::KillController => serde_json::json!({ "action": "kill_controller" }),
        UserAction::CutLink { a, b, .. } => {
            serde_json::json!({ "action": "cut_link", "from": live_node(a)?, "to": live_node(b)? })
        }
        UserAction::HealLink { a, b } => {
            serde_json::json!({ "action": "heal_link", "from": live_node(a)?, "to": live_node(b)? })
        }
        _ => return None,
    };
    Some(value.to_string())
}

/// A fact as the bridge narrated it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LiveFact {
    pub index: u64,
    pub at_ms: u64,
    /// `fault`, `election` or `rebalance`.
    pub mark: Option<String>,
    pub routine: bool,
    /// The group whose rebalance steps it belongs to.
    pub group: Option<String>,
    pub ko: String,
    pub en: String,
    #[serde(default)]
    pub members: Vec<String>,
}

impl LiveFact {
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.ko,
            Lang::En => &self.en,
        }
    }
}

/// The narrated facts the page keeps, each list bounded, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feed {
    pub notable: VecDeque<LiveFact>,
    pub routine: VecDeque<LiveFact>,
    /// Routine facts the bridge left out of its messages (it sends at most so many at a time).
    pub skipped: u64,
}

impl Feed {
    /// Adds a message's facts (the bridge sends each once, oldest first).
    pub fn extend(&mut self, facts: Vec<LiveFact>, skipped: u64) {
        self.skipped += skipped;
        for f in facts {
            let (list, cap) =
                if f.routine { (&mut self.routine, KEPT_ROUTINE) } else { (&mut self.notable, KEPT_NOTABLE) };
            if list.back().is_some_and(|last| last.index >= f.index) {
                continue;
            }
            list.push_back(f);
            if list.len() > cap {
                list.pop_front();
            }
        }
    }

    /// The feed's lines, newest first: consecutive facts with one sentence fold into one line
    /// with their count. Routine facts only when asked.
    pub fn lines(&self, lang: Lang, routine: bool, max: usize) -> Vec<(&LiveFact, usize)> {
        let mut all: Vec<&LiveFact> = self.notable.iter().collect();
        if routine {
            all.extend(self.routine.iter());
        }
        all.sort_by_key(|f| std::cmp::Reverse(f.index));
        let mut lines: Vec<(&LiveFact, usize)> = Vec::new();
        for f in all {
            let full = lines.len() == max;
            match lines.last_mut() {
                Some((newest, count)) if newest.text(lang) == f.text(lang) => *count += 1,
                _ if full => break,
                _ => lines.push((f, 1)),
            }
        }
        lines
    }
}

/// The connection to the bridge as the page tells it.
#[derive(Clone, PartialEq)]
enum Status {
    Connecting,
    Live,
    Closed,
    /// The bridge refused an action (its reason), or live mode cannot do it (`None`).
    Refused(Option<String>),
}

/// What the page has from the bridge.
#[derive(Clone, PartialEq)]
struct Live {
    status: Status,
    view: Option<ViewRc>,
    logs: Vec<Rc<PartitionLogView>>,
    feed: Rc<Feed>,
}

enum LiveMsg {
    /// A `view` message: the View, the partition logs and the new facts.
    View {
        view: Box<View>,
        logs: Vec<PartitionLogView>,
        facts: Vec<LiveFact>,
        skipped: u64,
    },
    Status(Status),
}

impl Reducible for Live {
    type Action = LiveMsg;

    fn reduce(self: Rc<Self>, msg: LiveMsg) -> Rc<Self> {
        let mut next = (*self).clone();
        match msg {
            LiveMsg::View { view, logs, facts, skipped } => {
                if !facts.is_empty() || skipped > 0 {
                    let mut feed = (*self.feed).clone();
                    feed.extend(facts, skipped);
                    next.feed = Rc::new(feed);
                }
                // An unchanged partition keeps its strips (and is not drawn again).
                next.logs = logs
                    .into_iter()
                    .map(|p| match self.logs.iter().find(|old| ***old == p) {
                        Some(old) => old.clone(),
                        None => Rc::new(p),
                    })
                    .collect();
                next.view = Some(ViewRc(Rc::new(*view)));
                if next.status == Status::Connecting {
                    next.status = Status::Live;
                }
            }
            LiveMsg::Status(status) => next.status = status,
        }
        Rc::new(next)
    }
}

/// Reads one message of the bridge.
fn parse(text: &str) -> Option<LiveMsg> {
    let mut message = serde_json::from_str::<serde_json::Value>(text).ok()?;
    match message["type"].as_str()? {
        "view" => Some(LiveMsg::View {
            view: serde_json::from_value(message["view"].take()).ok()?,
            logs: serde_json::from_value(message["logs"].take()).unwrap_or_default(),
            facts: serde_json::from_value(message["facts"].take()).unwrap_or_default(),
            skipped: message["skipped_facts"].as_u64().unwrap_or(0),
        }),
        "result" if message["ok"] == false => {
            Some(LiveMsg::Status(Status::Refused(message["error"].as_str().map(str::to_string))))
        }
        "result" => Some(LiveMsg::Status(Status::Live)),
        _ => None,
    }
}

/// A WebSocket event handler, kept alive as long as the socket.
type Handler = Closure<dyn FnMut(web_sys::Event)>;

#[function_component(LiveApp)]
pub fn live_app() -> Html {
    let lang = use_state(|| Lang::Ko);
    let show_internal = use_state(|| false);
    let show_routine = use_state(|| false);
    let log_topic = use_state(|| None::<String>);
    let live = use_reducer(|| Live { status: Status::Connecting, view: None, logs: Vec::new(), feed: Rc::default() });
    let socket = use_mut_ref(|| None::<WebSocket>);
    {
        let (live, socket) = (live.dispatcher(), socket.clone());
        use_effect_with((), move |_| {
            let url = web_sys::window()
                .and_then(|w| w.location().host().ok())
                .map(|host| format!("ws://{host}/live"))
                .unwrap_or_default();
            let mut keep: Vec<Handler> = Vec::new();
            match WebSocket::new(&url) {
                Ok(ws) => {
                    let onmessage = {
                        let live = live.clone();
                        Handler::new(move |event: web_sys::Event| {
                            let text = event.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string());
                            if let Some(msg) = text.as_deref().and_then(parse) {
                                live.dispatch(msg);
                            }
                        })
                    };
                    let onclose = {
                        let live = live.clone();
                        Handler::new(move |_| live.dispatch(LiveMsg::Status(Status::Closed)))
                    };
                    ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
                    ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
                    keep.extend([onmessage, onclose]);
                    *socket.borrow_mut() = Some(ws);
                }
                Err(_) => live.dispatch(LiveMsg::Status(Status::Closed)),
            }
            move || {
                if let Some(ws) = socket.borrow_mut().take() {
                    let _ = ws.close();
                }
                drop(keep);
            }
        });
    }
    let on_action = {
        let (socket, live, show_internal, log_topic) =
            (socket.clone(), live.dispatcher(), show_internal.clone(), log_topic.clone());
        Callback::from(move |action: AppAction| match action {
            AppAction::Apply(user) => match (action_json(&user), socket.borrow().as_ref()) {
                (Some(json), Some(ws)) => {
                    if ws.send_with_str(&json).is_err() {
                        live.dispatch(LiveMsg::Status(Status::Closed));
                    }
                }
                _ => live.dispatch(LiveMsg::Status(Status::Refused(None))),
            },
            AppAction::ToggleInternal => show_internal.set(!*show_internal),
            AppAction::LogTopic(topic) => log_topic.set(topic),
            _ => {}
        })
    };
    let on_toggle_lang = {
        let lang = lang.clone();
        Callback::from(move |()| lang.set(if *lang == Lang::Ko { Lang::En } else { Lang::Ko }))
    };
    let l = *lang;
    let (state, line) = match &live.status {
        Status::Connecting => ("connecting", t(l, Key::LiveConnecting).to_string()),
        Status::Live => ("live", t(l, Key::LiveConnected).to_string()),
        Status::Closed => ("closed", t(l, Key::LiveClosed).to_string()),
        Status::Refused(Some(reason)) => ("refused", fill(t(l, Key::LiveRefused), &[reason])),
        Status::Refused(None) => ("refused", t(l, Key::LiveNotInLiveMode).to_string()),
    };
    let logs = live.view.as_ref().map(|view| {
        let topics: Vec<String> = view.0.topics.iter().filter(|t| !t.internal).map(|t| t.name.clone()).collect();
        let topic = log_topic.as_ref().filter(|t| topics.contains(t));
        let partitions = live.logs.iter().filter(|p| topic.is_none_or(|t| p.topic == *t)).cloned().collect();
        Shared(Rc::new(LogData { topics, partitions, shares: Rc::default() }))
    });
    let steps: Rc<Vec<(String, u64, String)>> = Rc::new(
        live.feed
            .notable
            .iter()
            .rev()
            .filter_map(|f| Some((f.group.clone()?, f.at_ms, f.text(l).to_string())))
            .collect(),
    );
    let on_routine = {
        let show_routine = show_routine.clone();
        Callback::from(move |_: Event| show_routine.set(!*show_routine))
    };
    html! {
        <div class="app live" lang={l.code()}>
            <Header lang={l} {on_toggle_lang} large_text={false} show_internal={*show_internal} on_action={on_action.clone()} />
            <main class="app-main">
                <p class="live-banner" data-testid="live-banner" role="note">{ t(l, Key::LiveBanner) }</p>
                <p class="live-status" data-testid="live-status" data-state={state} role="status" aria-live="polite">{ line }</p>
                if let Some(view) = &live.view {
                    <div class="workspace">
                        <div class="workspace-main">
                            <ClusterCanvas lang={l} view={view.clone()} vt_milli={view.0.now_ms * 1000}
                                show_internal={*show_internal} highlight={Rc::new(Vec::new())} on_action={on_action.clone()} />
                            if let Some(logs) = logs {
                                <PartitionLogs lang={l} data={logs} groups={Shared(Rc::new(Vec::new()))}
                                    topic={(*log_topic).clone()} playing={true} on_action={on_action.clone()} />
                            }
                            <div class="panels">
                                <RealClientsPanel lang={l} clients={Rc::new(view.0.external_clients.clone())} />
                                <GroupPanel lang={l} view={view.clone()} groups={Shared(Rc::new(Vec::new()))} live_steps={Some(steps)} />
                            </div>
                        </div>
                        <div class="side">
                            <LiveFeed lang={l} feed={live.feed.clone()} show_routine={*show_routine} {on_routine} />
                        </div>
                    </div>
                }
            </main>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LiveFeedProps {
    lang: Lang,
    feed: Rc<Feed>,
    show_routine: bool,
    on_routine: Callback<Event>,
}

/// What happened, narrated by the bridge, newest first.
#[function_component(LiveFeed)]
fn live_feed(props: &LiveFeedProps) -> Html {
    let lang = props.lang;
    let lines = props.feed.lines(lang, props.show_routine, FEED_LINES);
    html! {
        <aside class="narration-panel" aria-labelledby="narration-heading">
            <h3 id="narration-heading">{ t(lang, Key::NarrationHeading) }</h3>
            <label class="check"><input type="checkbox" data-testid="toggle-routine" checked={props.show_routine} onchange={props.on_routine.clone()} />{ t(lang, Key::ShowRoutine) }</label>
            <ol class="narration" data-testid="narration" aria-live="polite">
                if lines.is_empty() { <li class="hint">{ t(lang, Key::LiveNarrationEmpty) }</li> }
                { for lines.into_iter().map(|(f, count)| {
                    let class = classes!("fact", f.mark.as_deref().map(|m| format!("fact-{m}")));
                    let title = (!f.members.is_empty()).then(|| f.members.join(", "));
                    html! {
                        <li key={f.index} {class} data-testid="live-fact" data-mark={f.mark.clone()} data-count={count.to_string()}>
                            <span class="fact-time">{ format!("{} ms", f.at_ms) }</span>{ " " }
                            <span class="fact-text" {title}>
                                { f.text(lang) }
                                if count > 1 {
                                    { " " }
                                    <span class="fact-count" data-testid="fact-count" aria-label={fill(t(lang, Key::Repeated), &[&count.to_string()])}>{ format!("×{count}") }</span>
                                }
                            </span>
                        </li>
                    }
                }) }
                if props.feed.skipped > 0 {
                    <li class="hint" data-testid="feed-skipped">{ fill(t(lang, Key::LiveFactsSkipped), &[&props.feed.skipped.to_string()]) }</li>
                }
            </ol>
        </aside>
    }
}

#[derive(Properties, PartialEq)]
struct RealClientsPanelProps {
    lang: Lang,
    clients: Rc<Vec<ExternalClientView>>,
}

/// The real clients: who they are, what they do, their memberships and their connections.
#[function_component(RealClientsPanel)]
fn real_clients_panel(props: &RealClientsPanelProps) -> Html {
    let lang = props.lang;
    html! {
        <section class="panel" aria-labelledby="real-clients-heading" data-testid="real-clients">
            <h3 id="real-clients-heading">{ t(lang, Key::RealClientsHeading) }</h3>
            if props.clients.is_empty() { <p class="hint">{ t(lang, Key::NoRealClients) }</p> }
            { for props.clients.iter().map(|c| html! {
                <div class="real-client-card" data-testid={format!("real-client-{}", c.client_id)}>
                    <dl class="facts-grid">
                        <dt>{ "client.id" }</dt><dd>{ if c.client_id.is_empty() { "-".to_string() } else { c.client_id.clone() } }</dd>
                        <dt>{ t(lang, Key::RealHostLabel) }</dt><dd>{ c.host.clone() }</dd>
                        <dt>{ t(lang, Key::RealRolesLabel) }</dt><dd data-testid={format!("real-roles-{}", c.client_id)}>{ roles_text(lang, &c.roles) }</dd>
                        if let Some(p) = &c.producer {
                            <dt>{ "producer id / epoch" }</dt>
                            <dd data-testid={format!("real-producer-{}", c.client_id)}>{ format!("{} / {}", p.producer_id, p.producer_epoch) }</dd>
                            if let Some(txn) = &p.transactional_id { <dt>{ "transactional.id" }</dt><dd>{ txn.clone() }</dd> }
                        }
                        if c.records_sent > 0 {
                            <dt>{ t(lang, Key::RealRecordsSent) }</dt><dd data-testid={format!("real-sent-{}", c.client_id)}>{ c.records_sent }</dd>
                        }
                        { for c.members.iter().map(|m| html! {
                            <>
                                <dt>{ fill(t(lang, Key::GroupFrame), &[&m.group_id]) }</dt>
                                <dd data-testid={format!("real-member-{}-{}", c.client_id, m.group_id)}>
                                    <code title={m.member_id.clone()}>{ crate::narrate::short_member_id(&m.member_id) }</code>
                                    { format!(" · {} {} → ", t(lang, Key::GenerationLabel), m.generation_id) }
                                    { m.assignment.iter().map(|tp| tp.to_string()).collect::<Vec<_>>().join(", ") }
                                </dd>
                            </>
                        }) }
                    </dl>
                    <table class="lag real-connections">
                        <thead><tr>
                            <th scope="col">{ t(lang, Key::ColBroker) }</th><th scope="col">{ t(lang, Key::ColPeer) }</th>
                            <th scope="col">{ t(lang, Key::ColConnState) }</th><th scope="col">{ t(lang, Key::ColWaiting) }</th>
                        </tr></thead>
                        <tbody>
                            { for c.connections.iter().map(|conn| {
                                let (state, text) = match (conn.closed, conn.stalled) {
                                    (Some(kafkalab_engine::cluster::ConnectionEnd::BrokerDied), _) => ("closed", t(lang, Key::ConnClosedByBroker)),
                                    (Some(_), _) => ("closed", t(lang, Key::ConnClosedByClient)),
                                    (None, true) => ("stalled", t(lang, Key::ConnStalled)),
                                    (None, false) => ("open", t(lang, Key::ConnOpen)),
                                };
                                html! {
                                    <tr data-testid={format!("real-conn-row-{}", conn.node)} data-state={state} class={format!("conn-{state}")}>
                                        <td>{ fill(t(lang, Key::BrokerName), &[&conn.broker.to_string()]) }</td>
                                        <td><code>{ conn.peer.clone() }</code></td>
                                        <td>{ text }{ conn.closed_at_ms.map(|at| format!(" ({at} ms)")).unwrap_or_default() }</td>
                                        <td>
                                            { conn.waiting.join(", ") }
                                            if let Some(since) = conn.waiting_since_ms {
                                                { " " }<span class="hint">{ fill(t(lang, Key::WaitingSince), &[&since.to_string()]) }</span>
                                            }
                                        </td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_menu_faults_become_the_bridges_actions() {
        assert_eq!(
            action_json(&UserAction::KillBroker { broker: 2 }).as_deref(),
            Some(r#"{"action":"kill_broker","broker":2}"#)
        );
        assert_eq!(
            action_json(&UserAction::CutLink { a: "broker-1".into(), b: "broker-3".into(), one_way: false }).as_deref(),
            Some(r#"{"action":"cut_link","from":1,"to":3}"#)
        );
        assert_eq!(
            action_json(&UserAction::CutLink { a: "client-4".into(), b: "broker-3".into(), one_way: false }).as_deref(),
            Some(r#"{"action":"cut_link","from":"client-4","to":3}"#)
        );
        assert_eq!(action_json(&UserAction::IsolateNode { node: "client-4".into() }), None);
    }

    fn fact(index: u64, routine: bool, en: &str) -> LiveFact {
        LiveFact {
            index,
            at_ms: index * 10,
            mark: None,
            routine,
            group: None,
            ko: format!("ko {en}"),
            en: en.into(),
            members: Vec::new(),
        }
    }

    #[test]
    fn the_feed_keeps_bounded_lists_and_folds_repeats() {
        let mut feed = Feed::default();
        feed.extend((0..500).map(|i| fact(i, i % 2 == 0, &format!("append {}", i / 4))).collect(), 7);
        assert_eq!((feed.notable.len(), feed.routine.len(), feed.skipped), (KEPT_NOTABLE.min(250), KEPT_ROUTINE, 7));
        // A fact sent again is not kept twice.
        feed.extend(vec![fact(499, false, "again")], 0);
        assert_eq!(feed.notable.back().unwrap().index, 499);
        let lines = feed.lines(Lang::En, false, 5);
        assert_eq!(lines.len(), 5);
        assert_eq!((lines[0].0.index, lines[0].1), (499, 2), "odd facts 497 and 499 say the same");
        assert_eq!(feed.lines(Lang::Ko, true, 500)[0].0.text(Lang::Ko), "ko append 124");
        let mut failover = Feed::default();
        failover.extend(vec![fact(1, false, "broker 2 stopped")], 0);
        failover.extend((2..1000).map(|i| fact(i, true, &format!("append {i}"))).collect(), 0);
        assert_eq!(
            failover.lines(Lang::En, false, 60)[0].0.en,
            "broker 2 stopped",
            "routine traffic pushes nothing out"
        );
    }
}
