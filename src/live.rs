//! The live page (`?live`, opened from `kafkalab broker --live`): the cluster that real Kafka
//! clients are using, drawn from the Views the bridge streams over its `/live` WebSocket, with
//! the node menus' faults sent back to it. There is no simulation in the page and no time travel:
//! the cluster runs on the bridge's clock, and the banner says so.

use crate::cluster::ViewRc;
use crate::components::{ClusterCanvas, Header};
use crate::i18n::{fill, t, Key, Lang};
use crate::sim::UserAction;
use crate::state::AppAction;
use kafkalab_engine::view::View;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};
use yew::prelude::*;

/// Whether the page was opened as the live view (`?live` in the query).
pub fn requested() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.trim_start_matches('?').split('&').any(|p| p == "live"))
}

/// The bridge's JSON for a fault a node menu offers; `None` for what live mode cannot do.
pub fn action_json(action: &UserAction) -> Option<String> {
    let broker = |node: &str| node.strip_prefix("broker-")?.parse::<i32>().ok();
    let value = match action {
        UserAction::KillBroker { broker } => serde_json::json!({ "action": "kill_broker", "broker": broker }),
        UserAction::RestartBroker { broker } => serde_json::json!({ "action": "restart_broker", "broker": broker }),
        UserAction::ShutdownBroker { broker } => serde_json::json!({ "action": "shutdown_broker", "broker": broker }),
        UserAction::KillController => serde_json::json!({ "action": "kill_controller" }),
        UserAction::CutLink { a, b, .. } => {
            serde_json::json!({ "action": "cut_link", "from": broker(a)?, "to": broker(b)? })
        }
        UserAction::HealLink { a, b } => {
            serde_json::json!({ "action": "heal_link", "from": broker(a)?, "to": broker(b)? })
        }
        _ => return None,
    };
    Some(value.to_string())
}

/// A WebSocket event handler, kept alive as long as the socket.
type Handler = Closure<dyn FnMut(web_sys::Event)>;

/// The connection to the bridge as the page tells it.
#[derive(Clone, PartialEq)]
enum Status {
    Connecting,
    Live,
    Closed,
    /// The bridge refused an action (its reason), or live mode cannot do it (`None`).
    Refused(Option<String>),
}

#[function_component(LiveApp)]
pub fn live_app() -> Html {
    let lang = use_state(|| Lang::Ko);
    let show_internal = use_state(|| false);
    let view = use_state(|| None::<ViewRc>);
    let status = use_state(|| Status::Connecting);
    let socket = use_mut_ref(|| None::<WebSocket>);
    {
        let (view, status, socket) = (view.clone(), status.clone(), socket.clone());
        use_effect_with((), move |_| {
            let url = web_sys::window()
                .and_then(|w| w.location().host().ok())
                .map(|host| format!("ws://{host}/live"))
                .unwrap_or_default();
            let mut keep: Vec<Handler> = Vec::new();
            match WebSocket::new(&url) {
                Ok(ws) => {
                    let onmessage = {
                        let (view, status) = (view.clone(), status.clone());
                        Handler::new(move |event: web_sys::Event| {
                            let Some(text) = event.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()) else {
                                return;
                            };
                            let Ok(message) = serde_json::from_str::<serde_json::Value>(&text) else { return };
                            match message["type"].as_str() {
                                Some("view") => {
                                    if let Ok(v) = serde_json::from_value::<View>(message["view"].clone()) {
                                        view.set(Some(ViewRc(Rc::new(v))));
                                        if *status == Status::Connecting {
                                            status.set(Status::Live);
                                        }
                                    }
                                }
                                Some("result") if message["ok"] == false => {
                                    status.set(Status::Refused(message["error"].as_str().map(str::to_string)))
                                }
                                Some("result") => status.set(Status::Live),
                                _ => {}
                            }
                        })
                    };
                    let onclose = {
                        let status = status.clone();
                        Handler::new(move |_| status.set(Status::Closed))
                    };
                    ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
                    ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
                    keep.extend([onmessage, onclose]);
                    *socket.borrow_mut() = Some(ws);
                }
                Err(_) => status.set(Status::Closed),
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
        let (socket, status, show_internal) = (socket.clone(), status.clone(), show_internal.clone());
        Callback::from(move |action: AppAction| match action {
            AppAction::Apply(user) => match (action_json(&user), socket.borrow().as_ref()) {
                (Some(json), Some(ws)) => {
                    if ws.send_with_str(&json).is_err() {
                        status.set(Status::Closed);
                    }
                }
                _ => status.set(Status::Refused(None)),
            },
            AppAction::ToggleInternal => show_internal.set(!*show_internal),
            _ => {}
        })
    };
    let on_toggle_lang = {
        let lang = lang.clone();
        Callback::from(move |()| lang.set(if *lang == Lang::Ko { Lang::En } else { Lang::Ko }))
    };
    let l = *lang;
    let (state, line) = match &*status {
        Status::Connecting => ("connecting", t(l, Key::LiveConnecting).to_string()),
        Status::Live => ("live", t(l, Key::LiveConnected).to_string()),
        Status::Closed => ("closed", t(l, Key::LiveClosed).to_string()),
        Status::Refused(Some(reason)) => ("refused", fill(t(l, Key::LiveRefused), &[reason])),
        Status::Refused(None) => ("refused", t(l, Key::LiveNotInLiveMode).to_string()),
    };
    html! {
        <div class="app live" lang={l.code()}>
            <Header lang={l} {on_toggle_lang} large_text={false} show_internal={*show_internal} on_action={on_action.clone()} />
            <main class="app-main">
                <p class="live-banner" data-testid="live-banner" role="note">{ t(l, Key::LiveBanner) }</p>
                <p class="live-status" data-testid="live-status" data-state={state} role="status" aria-live="polite">{ line }</p>
                if let Some(view) = &*view {
                    <ClusterCanvas lang={l} view={view.clone()} vt_milli={view.0.now_ms * 1000}
                        show_internal={*show_internal} highlight={Rc::new(Vec::new())} {on_action} />
                }
            </main>
        </div>
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
            action_json(&UserAction::CutLink { a: "client-4".into(), b: "broker-3".into(), one_way: false }),
            None
        );
    }
}
