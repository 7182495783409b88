//! The app's hooks: what listens to the document or the window (keys, presses, animation frames,
//! media queries, what is on screen) and where a menu opens, apart from the components that use them.

mod use_animation_frames;
mod use_keyboard_shortcuts;
mod use_menu_placement;
mod use_pointer_down_outside;
mod use_reduced_motion;
mod use_visible_keys;

pub use use_animation_frames::use_animation_frames;
pub use use_keyboard_shortcuts::use_keyboard_shortcuts;
pub use use_menu_placement::{use_menu_placement, MenuAnchor, MenuPlacement};
pub use use_pointer_down_outside::use_pointer_down_outside;
pub use use_reduced_motion::use_reduced_motion;
pub use use_visible_keys::use_visible_keys;
