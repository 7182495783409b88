//! What nodes and cut links report to the canvas, and the handlers that make them focusable
//! openers of their menu.

use kafkalab_engine::sim::NodeId;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::menu::MenuTarget;

/// What a node or a cut link asks of the canvas.
#[derive(Clone)]
pub enum NodeEvent {
    /// Open the menu; `at` is the pointer (client pixels), or None to open it by the element.
    Menu { target: MenuTarget, at: Option<(f64, f64)>, element: Option<web_sys::Element> },
    /// The primary button went down on a node (client pixels).
    Press { node: NodeId, at: (f64, f64) },
}

pub fn focus(element: Option<web_sys::Element>) {
    let Some(element) = element else { return };
    if let Some(e) = element.dyn_ref::<web_sys::HtmlElement>() {
        let _ = e.focus();
    } else if let Some(e) = element.dyn_ref::<web_sys::SvgElement>() {
        let _ = e.focus();
    }
}

/// Whether a key press asks for a context menu: Enter, the menu key, or Shift+F10.
pub fn opens_menu(e: &KeyboardEvent) -> bool {
    matches!(e.key().as_str(), "Enter" | "ContextMenu") || (e.key() == "F10" && e.shift_key())
}

/// Opens `target`'s menu at the element, for a key press that asks for it.
pub fn open_menu_by_key(e: &KeyboardEvent, on_node: &Callback<NodeEvent>, target: MenuTarget, node_ref: &NodeRef) {
    e.prevent_default();
    e.stop_propagation();
    on_node.emit(NodeEvent::Menu { target, at: None, element: node_ref.cast() });
}

/// Opens `target`'s menu at the pointer, on right-click.
pub fn open_menu_on_right_click(on_node: &Callback<NodeEvent>, target: MenuTarget) -> Callback<MouseEvent> {
    on_node.reform(move |e: MouseEvent| {
        e.prevent_default();
        NodeEvent::Menu { target, at: Some((e.client_x() as f64, e.client_y() as f64)), element: None }
    })
}

/// The handlers that make a node focusable, open its menu and start a drag.
pub fn node_handlers(
    node: NodeId,
    node_ref: &NodeRef,
    on_node: &Callback<NodeEvent>,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>, Callback<PointerEvent>) {
    let target = MenuTarget::Node(node);
    let oncontextmenu = open_menu_on_right_click(on_node, target);
    let onkeydown = {
        let (on_node, node_ref) = (on_node.clone(), node_ref.clone());
        Callback::from(move |e: KeyboardEvent| {
            if opens_menu(&e) {
                open_menu_by_key(&e, &on_node, target, &node_ref);
            }
        })
    };
    let onpointerdown = {
        let on_node = on_node.clone();
        Callback::from(move |e: PointerEvent| {
            if e.button() == 0 && e.is_primary() {
                on_node.emit(NodeEvent::Press { node, at: (e.client_x() as f64, e.client_y() as f64) });
            }
        })
    };
    (oncontextmenu, onkeydown, onpointerdown)
}
