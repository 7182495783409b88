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
        (!c.running).then_some("client-stopped")
    );
    let kind = t(props.lang, if c.producer { Key::ProducerKind } else { Key::ConsumerKind });
    let state = if c.running { kind.to_string() } else { format!("{kind}, {}", t(props.lang, Key::ConsumerStopped)) };
    let (oncontextmenu, onkeydown, onpointerdown) = node_handlers(c.node, &node_ref, &props.on_node);
    html! {
        <g {class} ref={node_ref} data-testid={format!("node-{}", c.node)} transform={format!("translate({} {})", props.x, props.y)}
            tabindex="0" role="button" aria-haspopup="menu"
            aria-label={fill(t(props.lang, Key::NodeAria), &[&c.label, &state])}
            {oncontextmenu} {onkeydown} {onpointerdown}>
            <rect width={Layout::CLIENT_W.to_string()} height={Layout::CLIENT_H.to_string()} rx={if c.producer { "4" } else { "22" }} />
            // The stopped mark replaces the kind on the short first line: beside the kind or a long
            // name it ran out of the box (the group's frame already says these are consumers).
            <text x="10" y="19" class="client-kind">{ if c.producer { "⇪ " } else { "⇩ " } }
                if c.running { { kind } } else { { "✕ " }{ t(props.lang, Key::ConsumerStopped) } }
            </text>
            <text x="10" y="37" class="client-name">{ c.label.chars().take(14).collect::<String>() }</text>
        </g>
    }
}
