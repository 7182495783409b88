//! Reading form fields: the panels keep what is typed in local state.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

pub fn select_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlSelectElement>().map(|i| i.value()).unwrap_or_default()
}

pub fn text_setter(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
            state.set(i.value());
        }
    })
}
