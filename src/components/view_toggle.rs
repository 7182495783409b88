//! The main view's switch between the brokers and the partition logs, and presenter mode's.

use yew::prelude::*;

use crate::i18n::{t, Key, Lang};
use crate::state::AppAction;

#[derive(Properties, PartialEq)]
pub struct ViewToggleProps {
    pub lang: Lang,
    pub log_view: bool,
    pub presenter: bool,
    pub on_action: Callback<AppAction>,
}

#[function_component(ViewToggle)]
pub fn view_toggle(props: &ViewToggleProps) -> Html {
    let lang = props.lang;
    let on = props.log_view;
    let onclick = props.on_action.reform(move |_: MouseEvent| AppAction::SetLogView(!on));
    let presenter = props.on_action.reform(|_: MouseEvent| AppAction::TogglePresenter);
    html! {
        <div class="view-toggle-bar">
            <button type="button" class="view-toggle" data-testid="view-toggle" data-view={if on { "log" } else { "brokers" }}
                aria-pressed={on.to_string()} {onclick}>
                { t(lang, if on { Key::ShowBrokers } else { Key::ShowLogs }) }
            </button>
            <span class="hint">{ t(lang, if on { Key::LogViewHint } else { Key::BrokerViewHint }) }</span>
            <button type="button" class="view-toggle presenter-toggle" data-testid="presenter-toggle"
                aria-pressed={props.presenter.to_string()} title={t(lang, Key::PresenterHint)} onclick={presenter}>
                { t(lang, Key::PresenterMode) }
            </button>
        </div>
    }
}
