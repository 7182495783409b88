//! Presses outside an element, heard on the document (a click outside a menu closes it).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// While `active`, calls `on_outside` on every press in the document outside the element `inside`
/// refers to.
#[hook]
pub fn use_pointer_down_outside(active: bool, inside: NodeRef, on_outside: Callback<()>) {
    use_effect_with(active, move |active| {
        let doc = web_sys::window().and_then(|w| w.document());
        let listener = active.then(|| {
            Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
                let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                let within = inside.cast::<web_sys::Node>().is_some_and(|node| node.contains(target.as_ref()));
                if !within {
                    on_outside.emit(());
                }
            })
        });
        if let (Some(doc), Some(l)) = (&doc, &listener) {
            let _ = doc.add_event_listener_with_callback("pointerdown", l.as_ref().unchecked_ref());
        }
        move || {
            if let (Some(doc), Some(l)) = (doc, listener) {
                let _ = doc.remove_event_listener_with_callback("pointerdown", l.as_ref().unchecked_ref());
            }
        }
    });
}
