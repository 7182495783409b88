//! The header: the mark, the display toggles and the language switch.

use yew::prelude::*;

use super::LogoMark;
use crate::i18n::{t, Key, Lang};
use crate::state::AppAction;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub lang: Lang,
    pub on_toggle_lang: Callback<()>,
    pub large_text: bool,
    pub show_internal: bool,
    pub on_action: Callback<AppAction>,
}

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let lang = props.lang;
    let onclick = props.on_toggle_lang.reform(|_: MouseEvent| ());
    let large = props.on_action.reform(|_: Event| AppAction::ToggleLargeText);
    let internal = props.on_action.reform(|_: Event| AppAction::ToggleInternal);
    html! {
        <header class="app-header">
            <div class="brand">
                <LogoMark />
                <div>
                    <h1 class="brand-name">{ "kafkalab" }</h1>
                    <p class="brand-tagline">{ t(lang, Key::Tagline) }</p>
                </div>
            </div>
            <div class="header-tools">
                <label class="check">
                    <input type="checkbox" data-testid="toggle-internal" checked={props.show_internal} onchange={internal} />
                    { t(lang, Key::ShowInternal) }
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="toggle-large-text" checked={props.large_text} onchange={large} />
                    { t(lang, Key::LargeText) }
                </label>
                <button type="button" class="lang-toggle" data-testid="lang-toggle" data-lang={lang.code()}
                    title={t(lang, Key::LangToggleTitle)} {onclick}>
                    { for Lang::ALL.into_iter().map(|option| html! {
                        <span class={classes!("lang-option", (option == lang).then_some("active"))} lang={option.code()}>
                            { option.native_name() }
                        </span>
                    }) }
                </button>
            </div>
        </header>
    }
}
