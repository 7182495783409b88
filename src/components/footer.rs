//! The footer.

use yew::prelude::*;

use crate::i18n::{t, Key, Lang};

#[derive(Properties, PartialEq)]
pub struct FooterProps {
    pub lang: Lang,
}

#[function_component(Footer)]
pub fn footer(props: &FooterProps) -> Html {
    let lang = props.lang;
    html! {
        <footer class="app-footer">
            <span>{ t(lang, Key::FooterAbout) }</span>
            <span class="footer-sep" aria-hidden="true">{ "·" }</span>
            <span>{ t(lang, Key::FooterOffline) }</span>
            <span class="footer-sep" aria-hidden="true">{ "·" }</span>
            <span class="footer-version">{ concat!("v", env!("CARGO_PKG_VERSION")) }</span>
        </footer>
    }
}
