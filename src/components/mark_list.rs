//! The timeline's markers.

use std::rc::Rc;

use kafkalab_engine::sim::Millis;
use yew::prelude::*;

use crate::narrate::Mark;

#[derive(Properties, PartialEq)]
pub struct MarkListProps {
    pub marks: Rc<Vec<(Millis, Mark)>>,
}

/// The timeline's markers, at `--at` of the container's `--end`: drawn again only when a marker
/// comes or goes, not on every frame as the end grows.
#[function_component(MarkList)]
pub fn mark_list(props: &MarkListProps) -> Html {
    html! {
        { for props.marks.iter().map(|(at, m)| {
            let (class, glyph) = match m {
                Mark::Fault => ("mark-fault", "✕"),
                Mark::Election => ("mark-election", "●"),
                Mark::Rebalance => ("mark-rebalance", "■"),
            };
            html! { <span {class} style={format!("--at: {at}")}>{ glyph }</span> }
        }) }
    }
}
