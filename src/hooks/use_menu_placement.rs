//! Where a node's menu opens on the canvas: at the pointer, or by the element it was opened on
//! from the keyboard, kept inside the canvas's width and the window's height.

use yew::prelude::*;

/// The menu's width in pixels (styles/main.css), to keep it inside the canvas.
const MENU_W: f64 = 300.0;
/// Below this much room under the pointer, the menu opens upwards (if there is more room above).
const MENU_MIN_H: f64 = 320.0;

/// Where a menu goes, in pixels from the frame's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MenuPlacement {
    pub x: i32,
    /// From the top, or (`up`) from the frame's bottom edge up, when there is more room above.
    pub y: i32,
    pub up: bool,
    /// Room in the window, so that the menu scrolls inside instead of running off it.
    pub max_h: i32,
}

/// What a menu opens at: the pointer (client pixels), or else the element it was opened on.
pub type MenuAnchor = (Option<(f64, f64)>, Option<web_sys::Element>);

/// Places a menu in the element `frame` refers to; None while that element is not mounted.
#[hook]
pub fn use_menu_placement(frame: NodeRef) -> Callback<MenuAnchor, Option<MenuPlacement>> {
    use_callback(frame, |(at, element): MenuAnchor, frame| {
        let frame = frame.cast::<web_sys::Element>()?.get_bounding_client_rect();
        let (cx, cy) = match (at, element) {
            (Some(at), _) => at,
            (None, Some(element)) => {
                let r = element.get_bounding_client_rect();
                (r.left() + 16.0, r.top() + r.height().min(60.0))
            }
            (None, None) => (frame.left(), frame.top()),
        };
        let x = (cx - frame.left()).clamp(0.0, (frame.width() - MENU_W).max(0.0));
        let window_h = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(800.0);
        let (below, above) = (window_h - cy - 8.0, cy - 8.0);
        let up = below < MENU_MIN_H && above > below;
        let (y, max_h) = if up { (frame.bottom() - cy, above) } else { ((cy - frame.top()).max(0.0), below) };
        Some(MenuPlacement { x: x as i32, y: y as i32, up, max_h: max_h.max(MENU_MIN_H / 2.0) as i32 })
    })
}
