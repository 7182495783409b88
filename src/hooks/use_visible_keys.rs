//! Which children of a container are on screen, by an IntersectionObserver: the log view keeps
//! redrawing only the partitions a learner can see.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};
use yew::prelude::*;

/// The `data-key` values of the elements matching `selector` inside `container` that are within
/// 200 px of the screen. `None` until the observer first reports (then everything counts as
/// visible). `children` names the current children: observing starts again when it changes.
#[hook]
pub fn use_visible_keys(
    container: NodeRef,
    selector: &'static str,
    children: Vec<String>,
) -> Option<Rc<BTreeSet<String>>> {
    let visible = use_state(|| None::<Rc<BTreeSet<String>>>);
    {
        let visible = visible.clone();
        use_effect_with(children, move |_| {
            let observing = observe(&container, selector, visible);
            move || {
                if let Some((observer, callback)) = observing {
                    observer.disconnect();
                    drop(callback);
                }
            }
        });
    }
    (*visible).clone()
}

/// The observer and its callback, which must live as long as the observer calls it.
type Observing = (IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>);

fn observe(
    container: &NodeRef,
    selector: &str,
    visible: UseStateHandle<Option<Rc<BTreeSet<String>>>>,
) -> Option<Observing> {
    let root = container.cast::<Element>()?;
    let seen = Rc::new(RefCell::new(visible.as_deref().cloned().unwrap_or_default()));
    let on_change = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let mut seen = seen.borrow_mut();
        for entry in entries.iter().filter_map(|e| e.dyn_into::<IntersectionObserverEntry>().ok()) {
            let Some(key) = entry.target().get_attribute("data-key") else { continue };
            if entry.is_intersecting() {
                seen.insert(key);
            } else {
                seen.remove(&key);
            }
        }
        visible.set(Some(Rc::new(seen.clone())));
    });
    let init = IntersectionObserverInit::new();
    init.set_root_margin("200px 0px");
    let observer = IntersectionObserver::new_with_options(on_change.as_ref().unchecked_ref(), &init).ok()?;
    let children = root.query_selector_all(selector).ok()?;
    for i in 0..children.length() {
        if let Some(child) = children.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            observer.observe(&child);
        }
    }
    Some((observer, on_change))
}
