//! The messages in flight on the canvas.

use std::rc::Rc;

use yew::prelude::*;

use crate::cluster::{interpolate, midpoint, Layout, MsgKind, ViewRc};

#[derive(Properties, PartialEq)]
pub struct MessagesProps {
    pub view: ViewRc,
    pub layout: Rc<Layout>,
    pub vt_milli: u64,
    pub still: bool,
}

/// The messages in flight: moving between send and arrival, or, with reduced motion, still at
/// the middle of their link. Every shape is a `<path>` and the list is not keyed, so that a
/// frame rewrites the paths in place: at 10x most messages live a frame or two, and creating and
/// removing their elements cost more than moving them.
#[function_component(Messages)]
pub fn messages(props: &MessagesProps) -> Html {
    let centres = &props.layout.centres;
    html! {
        <g class={classes!("messages", props.still.then_some("messages-still"))} data-testid="messages"
            data-still={props.still.to_string()}>
            { for props.view.0.in_flight.iter().filter_map(|m| {
                let (from, to) = (*centres.get(&m.from)?, *centres.get(&m.to)?);
                let (x, y) = if props.still {
                    midpoint(from, to)
                } else {
                    interpolate(from, to, m.sent_at_ms, m.arrive_at_ms, props.vt_milli)
                };
                let kind = MsgKind::of(m.kind);
                let d = match kind {
                    MsgKind::Produce => format!("M{} {}h10v10h-10Z", x - 5, y - 5),
                    MsgKind::Group => format!("M{x} {}L{} {y}L{x} {}L{} {y}Z", y - 6, x + 6, y + 6, x - 6),
                    MsgKind::Controller => format!("M{x} {}L{} {}L{} {}Z", y - 6, x + 6, y + 5, x - 6, y + 5),
                    _ => format!("M{} {y}a5 5 0 1 0 10 0a5 5 0 1 0 -10 0Z", x - 5),
                };
                Some(html! { <path class={classes!("msg", kind.class())} data-msg={m.id.to_string()} {d} /> })
            }) }
        </g>
    }
}
