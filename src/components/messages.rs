//! The messages in flight on the canvas.

use std::collections::BTreeMap;
use std::rc::Rc;

use kafkalab_engine::sim::NodeId;
use yew::prelude::*;

use crate::cluster::{progress, Layout, MessageRoute, MsgKind, ViewRc};

#[derive(Properties, PartialEq)]
pub struct MessagesProps {
    pub view: ViewRc,
    pub layout: Rc<Layout>,
    pub vt_milli: u64,
    pub still: bool,
}

/// The messages in flight on their routes: moving between send and arrival, or, with reduced
/// motion, still about a fifth of the way from their sender (so opposite directions do not
/// overlap), at the first place there that is clear of every node. Every shape is a `<path>` and the list is not keyed, so that a
/// frame rewrites the paths in place: at 10x most messages live a frame or two, and creating and
/// removing their elements cost more than moving them.
const STILL_AT: f64 = 0.2;

#[function_component(Messages)]
pub fn messages(props: &MessagesProps) -> Html {
    let mut routes: BTreeMap<(NodeId, NodeId), Option<MessageRoute>> = BTreeMap::new();
    html! {
        <g class={classes!("messages", props.still.then_some("messages-still"))} data-testid="messages"
            data-still={props.still.to_string()}>
            { for props.view.0.in_flight.iter().filter_map(|m| {
                let route = routes
                    .entry((m.from, m.to))
                    .or_insert_with(|| MessageRoute::between(&props.layout, m.from, m.to))
                    .as_ref()?;
                // A marker over a node (one its route passes) is not drawn: it never covers text.
                let (x, y) = if props.still {
                    (0..8).map(|i| route.at(STILL_AT + f64::from(i) * 0.1)).find(|&at| props.layout.is_clear(at))?
                } else {
                    Some(route.at(progress(m.sent_at_ms, m.arrive_at_ms, props.vt_milli)))
                        .filter(|&at| props.layout.is_clear(at))?
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
