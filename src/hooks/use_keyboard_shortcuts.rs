//! The keyboard shortcuts, heard on the document: Space plays or pauses, ← / → step back and
//! forward, Shift+← / Shift+→ (and PageUp / PageDown, what a presentation clicker sends) go to the
//! scenario's previous / next note, F toggles full screen, B blanks the screen in presenter mode.
//! Keys typed into a field or pressed on a button, and chords with Ctrl, Meta or Alt, are left
//! alone.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::state::AppAction;

/// Listens for the shortcuts while mounted and reports each as an action.
#[hook]
pub fn use_keyboard_shortcuts(on_action: Callback<AppAction>) {
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
            let tag = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map(|el| el.tag_name().to_ascii_lowercase())
                .unwrap_or_default();
            if ["input", "select", "textarea", "button"].contains(&tag.as_str())
                || e.ctrl_key()
                || e.meta_key()
                || e.alt_key()
            {
                return;
            }
            match e.key().as_str() {
                " " => {
                    e.prevent_default();
                    on_action.emit(AppAction::TogglePlay);
                }
                "PageDown" => {
                    e.prevent_default();
                    on_action.emit(AppAction::NextNote);
                }
                "PageUp" => {
                    e.prevent_default();
                    on_action.emit(AppAction::PreviousNote);
                }
                "b" | "B" => on_action.emit(AppAction::ToggleBlank),
                "ArrowRight" if e.shift_key() => on_action.emit(AppAction::NextNote),
                "ArrowLeft" if e.shift_key() => on_action.emit(AppAction::PreviousNote),
                "ArrowRight" => on_action.emit(AppAction::Step),
                "ArrowLeft" => on_action.emit(AppAction::StepBack),
                "f" => {
                    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                        if doc.fullscreen_element().is_some() {
                            doc.exit_fullscreen();
                        } else if let Some(root) = doc.document_element() {
                            let _ = root.request_fullscreen();
                        }
                    }
                }
                _ => {}
            }
        });
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(doc) = &doc {
            let _ = doc.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(doc) = doc {
                let _ = doc.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            }
        }
    });
}
