//! The fault menu of a node or a cut link (what it offers is [`crate::menu`]).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::node_events::focus;
use crate::i18n::{fill, t, Key, Lang};
use crate::menu::{self, MenuItem};
use crate::sim::UserAction;

#[derive(Properties, PartialEq)]
pub struct NodeMenuProps {
    pub lang: Lang,
    pub menu: Rc<menu::NodeMenu>,
    pub x: i32,
    pub y: i32,
    pub up: bool,
    pub max_h: i32,
    pub cut_open: bool,
    pub node_ref: NodeRef,
    pub on_user: Callback<UserAction>,
    pub on_close: Callback<()>,
    pub on_toggle_cut: Callback<()>,
}

/// The menu: buttons (role menuitem) that arrow keys move between; Escape closes it.
#[function_component(NodeMenuView)]
pub fn node_menu_view(props: &NodeMenuProps) -> Html {
    let lang = props.lang;
    let menu = &props.menu;
    let onkeydown = {
        let node_ref = props.node_ref.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            if key == "Escape" {
                e.prevent_default();
                e.stop_propagation();
                on_close.emit(());
                return;
            }
            let step: fn(usize, usize) -> usize = match key.as_str() {
                "ArrowDown" | "ArrowRight" => |at, n| (at + 1) % n,
                "ArrowUp" | "ArrowLeft" => |at, n| (at + n - 1) % n,
                "Home" => |_, _| 0,
                "End" => |_, n| n - 1,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            let Some(list) =
                node_ref.cast::<web_sys::Element>().and_then(|m| m.query_selector_all("[role=menuitem]").ok())
            else {
                return;
            };
            let items: Vec<web_sys::Element> =
                (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect();
            if items.is_empty() {
                return;
            }
            let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
            // From nowhere, Down goes to the first item and Up to the last.
            let at = items.iter().position(|i| Some(i) == active.as_ref()).unwrap_or(items.len() - 1);
            focus(items.get(step(at, items.len())).cloned());
        })
    };
    let button = |item: &MenuItem, class: &'static str| {
        let action = item.action.clone();
        html! {
            <button type="button" role="menuitem" class={classes!(class, item.danger.then_some("danger"))}
                data-testid={item.testid.clone()} aria-label={item.aria.clone()} title={item.aria.clone()}
                onclick={props.on_user.reform(move |_: MouseEvent| action.clone())}>
                { item.text.clone() }
            </button>
        }
    };
    html! {
        <div class="node-menu" role="menu" data-testid="node-menu" ref={props.node_ref.clone()}
            aria-label={fill(t(lang, Key::NodeMenuLabel), &[&menu.title])}
            style={format!("left: {}px; {}: {}px; max-height: {}px", props.x, if props.up { "bottom" } else { "top" }, props.y, props.max_h)}
            {onkeydown}>
            <div class="menu-head">
                <span class="menu-title">{ menu.title.clone() }</span>
                <button type="button" class="menu-close" data-testid="menu-close" aria-label={t(lang, Key::MenuClose)}
                    title={t(lang, Key::MenuClose)} onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "×" }</button>
            </div>
            { for menu.items.iter().map(|item| button(item, "menu-item")) }
            if !menu.cut.is_empty() {
                <button type="button" role="menuitem" class="menu-item menu-sub" data-testid="menu-cut-links"
                    aria-expanded={props.cut_open.to_string()} onclick={props.on_toggle_cut.reform(|_: MouseEvent| ())}>
                    { "✂ " }{ t(lang, Key::CutLinksTo) }<span aria-hidden="true">{ if props.cut_open { " ▾" } else { " ▸" } }</span>
                </button>
                if props.cut_open {
                    <div class="menu-peers" role="group" aria-label={t(lang, Key::CutLinksTo)}>
                        <div class="menu-section">{ fill(t(lang, Key::CutDirHint), &[&menu.title]) }</div>
                        { for menu.cut.iter().map(|row| html! {
                            <div class="menu-peer">
                                <span class="peer-name">{ row.name.clone() }</span>
                                { for row.items.iter().map(|item| button(item, "menu-dir")) }
                            </div>
                        }) }
                    </div>
                }
            }
            if !menu.heal.is_empty() {
                <div class="menu-heal" role="group" aria-label={t(lang, Key::HealLinksHeading)}>
                    <div class="menu-section">{ t(lang, Key::HealLinksHeading) }</div>
                    { for menu.heal.iter().map(|item| button(item, "menu-item")) }
                </div>
            }
        </div>
    }
}
