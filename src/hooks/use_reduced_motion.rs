//! The reduced-motion media query.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Whether the user asked the system for reduced motion, following changes while mounted.
#[hook]
pub fn use_reduced_motion() -> bool {
    const QUERY: &str = "(prefers-reduced-motion: reduce)";
    let query = || web_sys::window().and_then(|w| w.match_media(QUERY).ok().flatten());
    let reduced = use_state(|| query().is_some_and(|q| q.matches()));
    {
        let reduced = reduced.clone();
        use_effect_with((), move |_| {
            let list = query();
            let listener = Closure::<dyn Fn()>::new(move || {
                reduced.set(query().is_some_and(|q| q.matches()));
            });
            if let Some(list) = &list {
                let _ = list.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(list) = list {
                    let _ = list.remove_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    *reduced
}
