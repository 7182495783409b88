//! A producer or consumer on the canvas.

use yew::prelude::*;

use super::node_events::{node_handlers, NodeEvent};
use crate::cluster::{ClientCard, Layout};
use crate::i18n::{fill, t, Key, Lang};

#[derive(Properties, PartialEq)]
pub struct ClientNodeProps {
    pub lang: Lang,
    pub client: ClientCard,
    pub x: i32,
    pub y: i32,
    /// Named by the scenario note being explained.
    pub highlighted: bool,
    pub on_node: Callback<NodeEvent>,
}

#[function_component(ClientNode)]
pub fn client_node(props: &ClientNodeProps) -> Html {
    let c = &props.client;
    let node_ref = use_node_ref();
    let class = classes!(
        "client",
        "node",
        if c.producer { "client-producer" } else { "client-consumer" },
        (!c.running).then_some("client-stopped"),
        c.idle.then_some("client-idle"),
        c.backing_off.then_some("client-backing-off"),
        props.highlighted.then_some("highlight")
    );
    let kind = t(props.lang, if c.producer { Key::ProducerKind } else { Key::ConsumerKind });
    // The first line as shown (a stopped or idle client shows that instead of its kind). The
    // accessible name is the visible text (WCAG 2.5.3); the full name, the kind and the controls
    // are in the description.
    let (mark, first_line) = match (c.running, c.idle) {
        (false, _) => ("✕ ", t(props.lang, Key::ConsumerStopped)),
        (true, true) => ("○ ", t(props.lang, Key::ConsumerIdle)),
        (true, false) if c.backing_off => ("◔ ", t(props.lang, Key::ConsumerBackingOff)),
        (true, false) => ("", kind),
    };
    let state = if first_line == kind { kind.to_string() } else { format!("{first_line}, {kind}") };
    let (oncontextmenu, onkeydown, onpointerdown) = node_handlers(c.node, &node_ref, &props.on_node);
    html! {
        <g {class} ref={node_ref} data-testid={format!("node-{}", c.node)} data-idle={c.idle.to_string()} data-backing-off={c.backing_off.to_string()}
            data-rack={c.rack.clone()}
            data-highlight={props.highlighted.then_some("true")} transform={format!("translate({} {})", props.x, props.y)}
            tabindex="0" role="button" aria-haspopup="menu"
            {oncontextmenu} {onkeydown} {onpointerdown}>
            <desc>{ fill(t(props.lang, Key::NodeAria), &[&c.label, &state]) }</desc>
            <rect width={Layout::CLIENT_W.to_string()} height={Layout::CLIENT_H.to_string()} rx={if c.producer { "4" } else { "22" }} />
            // The stopped mark replaces the kind on the short first line: beside the kind or a long
            // name it ran out of the box (the group's frame already says these are consumers).
            <text x="10" y="19" class="client-kind">
                <tspan aria-hidden="true">{ if c.producer { "⇪ " } else { "⇩ " } }{ mark }</tspan>{ first_line }
                if let Some(rack) = &c.rack {
                    <tspan class="client-rack" dx="6">{ fill(t(props.lang, Key::ClientRackMark), &[rack]) }</tspan>
                }
            </text>
            <text x="10" y="37" class="client-name">{ short_name(&c.label) }</text>
        </g>
    }
}

/// The name as the box fits it: 14 characters, or 13 and an ellipsis so a cut name reads as cut
/// (the whole name is in the node's description and in the panels).
pub(super) fn short_name(label: &str) -> String {
    if label.chars().count() <= 14 {
        label.to_string()
    } else {
        label.chars().take(13).chain(['…']).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::short_name;

    #[test]
    fn a_long_name_is_cut_with_an_ellipsis() {
        assert_eq!(short_name("checkout"), "checkout");
        assert_eq!(short_name("processor-0-pr"), "processor-0-pr");
        assert_eq!(short_name("console-consumer"), "console-consu…");
        assert_eq!(short_name("소비자-하나-둘-셋-넷-다섯"), "소비자-하나-둘-셋-넷-…");
    }
}
