//! A real Kafka client on the canvas (bridge mode): its roles and `client.id`; its connections
//! to brokers are drawn by the canvas.

use yew::prelude::*;

use super::node_events::{node_handlers, NodeEvent};
use crate::cluster::{Layout, LinkState, RealClientCard};
use crate::i18n::{fill, t, Key, Lang};
use kafkalab_engine::view::external::ExternalRole;

/// The roles as the node's first line says them: `producer · consumer`, or `client`.
pub fn roles_text(lang: Lang, roles: &[ExternalRole]) -> String {
    if roles.is_empty() {
        return t(lang, Key::RealClientKind).to_string();
    }
    roles
        .iter()
        .map(|r| {
            t(
                lang,
                match r {
                    ExternalRole::Producer => Key::ProducerKind,
                    ExternalRole::Consumer => Key::ConsumerKind,
                    ExternalRole::Admin => Key::AdminKind,
                },
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Properties, PartialEq)]
pub struct RealClientNodeProps {
    pub lang: Lang,
    pub client: RealClientCard,
    pub x: i32,
    pub y: i32,
    pub on_node: Callback<NodeEvent>,
}

#[function_component(RealClientNode)]
pub fn real_client_node(props: &RealClientNodeProps) -> Html {
    let (c, lang) = (&props.client, props.lang);
    let node_ref = use_node_ref();
    let state = c.state();
    let class = classes!(
        "client",
        "node",
        "real-client",
        format!("real-client-{}", state.as_str()),
        (state == LinkState::Closed).then_some("client-stopped")
    );
    let roles = roles_text(lang, &c.roles);
    let (mark, first_line) = match state {
        LinkState::Closed => ("✕ ", t(lang, Key::RealClientClosed).to_string()),
        LinkState::Stalled => ("⏸ ", t(lang, Key::RealClientStalled).to_string()),
        LinkState::Open => ("", roles.clone()),
    };
    let mut about = vec![fill(t(lang, Key::RealClientAt), &[&c.client_id, &c.host]), roles.clone()];
    if let Some((id, epoch, txn)) = &c.producer {
        about.push(fill(t(lang, Key::RealProducerId), &[&id.to_string(), &epoch.to_string()]));
        if let Some(txn) = txn {
            about.push(format!("transactional.id {txn}"));
        }
    }
    if !c.groups.is_empty() {
        about.push(fill(t(lang, Key::GroupFrame), &[&c.groups.join(", ")]));
    }
    let (oncontextmenu, onkeydown, onpointerdown) = node_handlers(c.node, &node_ref, &props.on_node);
    let roles_attr = c
        .roles
        .iter()
        .map(|r| match r {
            ExternalRole::Producer => "producer",
            ExternalRole::Consumer => "consumer",
            ExternalRole::Admin => "admin",
        })
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        <g {class} ref={node_ref} data-testid={format!("node-{}", c.node)} data-client-id={c.client_id.clone()}
            data-host={c.host.clone()} data-roles={roles_attr} data-state={state.as_str()}
            data-producer-id={c.producer.as_ref().map(|p| p.0.to_string())}
            transform={format!("translate({} {})", props.x, props.y)}
            tabindex="0" role="button" aria-haspopup="menu"
            {oncontextmenu} {onkeydown} {onpointerdown}>
            <desc>{ fill(t(lang, Key::NodeAria), &[&c.client_id, &about.join(", ")]) }</desc>
            <title>{ about.join("\n") }</title>
            <rect width={Layout::CLIENT_W.to_string()} height={Layout::CLIENT_H.to_string()} rx="12" />
            <text x="10" y="19" class="client-kind"><tspan aria-hidden="true">{ "⚡ " }{ mark }</tspan>{ first_line }</text>
            <text x="10" y="37" class="client-name">{ super::client_node::short_name(&c.client_id) }</text>
        </g>
    }
}
