//! The animation loop: a callback on every animation frame of the window.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// While `running`, calls `on_frame(wall ms since the last frame)` on every animation frame.
#[hook]
pub fn use_animation_frames(running: bool, on_frame: Callback<f64>) {
    use_effect_with(running, move |running| {
        let stop: Box<dyn FnOnce()> = if *running { Box::new(animation_loop(on_frame)) } else { Box::new(|| ()) };
        move || stop()
    });
}

/// Runs `on_frame(wall ms since the last frame)` on every animation frame until the returned
/// function is called.
fn animation_loop(on_frame: Callback<f64>) -> impl FnOnce() {
    type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;
    let handle: FrameCallback = Rc::new(RefCell::new(None));
    let running = Rc::new(Cell::new(true));
    let last = Rc::new(Cell::new(-1.0f64));
    let (h, r) = (handle.clone(), running.clone());
    *handle.borrow_mut() = Some(Closure::new(move |ts: f64| {
        if !r.get() {
            return;
        }
        let prev = last.replace(ts);
        if prev >= 0.0 {
            on_frame.emit(ts - prev);
        }
        if let (Some(w), Some(cb)) = (web_sys::window(), h.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    if let (Some(w), Some(cb)) = (web_sys::window(), handle.borrow().as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
    move || {
        running.set(false);
        // Dropping the closure here would free it while a frame is queued; the flag stops it.
        std::mem::forget(handle);
    }
}
