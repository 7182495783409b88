//! The product's mark.

use yew::prelude::*;

/// Three stacked log segments: the product's mark.
#[function_component(LogoMark)]
pub fn logo_mark() -> Html {
    html! {
        <svg class="logo" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true">
            <rect x="4" y="7" width="32" height="7" rx="2" class="logo-seg logo-seg-1" />
            <rect x="4" y="17" width="24" height="7" rx="2" class="logo-seg logo-seg-2" />
            <rect x="4" y="27" width="14" height="7" rx="2" class="logo-seg logo-seg-3" />
        </svg>
    }
}
