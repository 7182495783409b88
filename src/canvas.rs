//! The SVG cluster canvas: brokers with their replica tiles, clients framed by group, cut links
//! and the messages in flight.

use kafkalab_engine::sim::NodeId;
use yew::prelude::*;

use crate::app::AppAction;
use crate::cluster::{
    interpolate, BrokerCard, ClientCard, ClusterModel, Layout, MsgKind, NodeState, ViewRc,
};
use crate::i18n::{fill, t, Key, Lang};

#[derive(Properties, PartialEq)]
pub struct ClusterCanvasProps {
    pub lang: Lang,
    pub view: ViewRc,
    pub vt_milli: u64,
    pub show_internal: bool,
    pub on_action: Callback<AppAction>,
}

#[function_component(ClusterCanvas)]
pub fn cluster_canvas(props: &ClusterCanvasProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let model = ClusterModel::from_view(view, props.show_internal);
    let layout = Layout::new(&model);
    let (w, h) = (layout.width, layout.height);
    let count = model.brokers.len().to_string();
    let mut cuts: Vec<(NodeId, NodeId)> = view
        .cut_links
        .iter()
        .map(|(a, b)| if a <= b { (*a, *b) } else { (*b, *a) })
        .collect();
    cuts.sort();
    cuts.dedup();
    let mut clients: Vec<&ClientCard> = model.producers.iter().collect();
    clients.extend(model.groups.iter().flat_map(|g| g.clients.iter()));
    let on_inspect = props.on_action.clone();
    html! {
        <section class="cluster" aria-labelledby="cluster-heading">
            <div class="cluster-bar">
                <h2 id="cluster-heading">
                    { t(lang, Key::ClusterHeading) }
                    <span class="cluster-summary">{ fill(t(lang, Key::ClusterSummary), &[&count]) }</span>
                </h2>
                if model.summarised { <span class="hint">{ t(lang, Key::Summarised) }</span> }
            </div>
            <svg class="canvas" viewBox={format!("0 0 {w} {h}")} role="img" aria-labelledby="canvas-title"
                preserveAspectRatio="xMidYMin meet">
                <title id="canvas-title">{ t(lang, Key::CanvasTitle) }</title>
                <defs>
                    <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
                    </pattern>
                </defs>
                { for cuts.iter().filter_map(|(a, b)| {
                    let (p, q) = (layout.centres.get(a)?, layout.centres.get(b)?);
                    let (mx, my) = ((p.0 + q.0) / 2, (p.1 + q.1) / 2);
                    Some(html! {
                        <g class="cut-link" data-testid={format!("cut-{a}-{b}")}>
                            <line x1={p.0.to_string()} y1={p.1.to_string()} x2={(mx - 10).to_string()} y2={my.to_string()} />
                            <line x1={(mx + 10).to_string()} y1={my.to_string()} x2={q.0.to_string()} y2={q.1.to_string()} />
                            <text x={mx.to_string()} y={(my + 7).to_string()} text-anchor="middle">{ "✂" }</text>
                        </g>
                    })
                }) }
                { for model.groups.iter().zip(layout.group_frames.iter()).map(|(g, (x, y, fw))| html! {
                    <g class="group-frame" transform={format!("translate({x} {y})")}>
                        <rect x="0" y="0" width={fw.to_string()} height={(Layout::CLIENT_H + 34).to_string()} rx="10" />
                        <text x="10" y="17">{ format!("group: {}", g.group) }</text>
                    </g>
                }) }
                { for model.brokers.iter().enumerate().map(|(i, broker)| {
                    let (x, y) = layout.broker(i);
                    html! { <BrokerNode key={broker.id} {lang} broker={broker.clone()} {x} {y} h={layout.broker_h}
                        summarised={model.summarised} on_action={on_inspect.clone()} /> }
                }) }
                { for clients.iter().zip(layout.client_pos.iter()).map(|(c, (x, y))| html! {
                    <ClientNode {lang} client={(*c).clone()} x={*x} y={*y} />
                }) }
                <g class="messages" aria-hidden="true">
                    { for view.in_flight.iter().filter_map(|m| {
                        let (from, to) = (layout.centres.get(&m.from)?, layout.centres.get(&m.to)?);
                        let (x, y) = interpolate(*from, *to, m.sent_at_ms, m.arrive_at_ms, props.vt_milli);
                        let kind = MsgKind::of(m.kind);
                        let class = classes!("msg", kind.class());
                        Some(match kind {
                            MsgKind::Produce => html! { <rect {class} x={(x - 5).to_string()} y={(y - 5).to_string()} width="10" height="10"><title>{ m.kind }</title></rect> },
                            MsgKind::Group => html! { <path {class} d={format!("M{x} {} L{} {y} L{x} {} L{} {y} Z", y - 6, x + 6, y + 6, x - 6)}><title>{ m.kind }</title></path> },
                            MsgKind::Controller => html! { <path {class} d={format!("M{x} {} L{} {} L{} {} Z", y - 6, x + 6, y + 5, x - 6, y + 5)}><title>{ m.kind }</title></path> },
                            _ => html! { <circle {class} cx={x.to_string()} cy={y.to_string()} r="5"><title>{ m.kind }</title></circle> },
                        })
                    }) }
                </g>
            </svg>
            <ul class="legend">
                <li><span class="legend-swatch swatch-controller" aria-hidden="true"></span>{ t(lang, Key::LegendController) }</li>
                <li><span class="legend-swatch swatch-alive" aria-hidden="true"></span>{ t(lang, Key::LegendAlive) }</li>
                <li><span class="legend-swatch swatch-dead" aria-hidden="true"></span>{ t(lang, Key::LegendDead) }</li>
                <li><span class="legend-tile tile-leader" aria-hidden="true">{ "L" }</span>{ t(lang, Key::LegendLeader) }</li>
                <li><span class="legend-tile" aria-hidden="true">{ "F" }</span>{ t(lang, Key::LegendFollower) }</li>
                <li><span class="legend-tile tile-out" aria-hidden="true">{ "✕" }</span>{ t(lang, Key::LegendOutOfIsr) }</li>
                <li><span class="legend-cut" aria-hidden="true">{ "✂" }</span>{ t(lang, Key::LegendCut) }</li>
                <li><span class="legend-msg" aria-hidden="true">{ "■ ● ◆ ▲" }</span>{ t(lang, Key::LegendMessage) }</li>
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct BrokerNodeProps {
    pub lang: Lang,
    pub broker: BrokerCard,
    pub x: i32,
    pub y: i32,
    pub h: i32,
    pub summarised: bool,
    pub on_action: Callback<AppAction>,
}

/// A broker: a labelled box with its state (text and border style) and its replica tiles.
#[function_component(BrokerNode)]
pub fn broker_node(props: &BrokerNodeProps) -> Html {
    let BrokerNodeProps {
        lang,
        broker,
        x,
        y,
        h,
        ..
    } = props;
    let lang = *lang;
    let (w, h) = (Layout::NODE_W, *h);
    let state_key = match broker.state {
        NodeState::Alive => Key::StateAlive,
        NodeState::Fenced => Key::StateFenced,
        NodeState::Dead => Key::StateDead,
    };
    let name = fill(t(lang, Key::BrokerName), &[&broker.id.to_string()]);
    let class = classes!(
        "broker",
        format!("broker-{}", broker.state.as_str()),
        broker.is_controller.then_some("broker-controller")
    );
    let leaders = broker.tiles.iter().filter(|t| t.leader).count();
    let out = broker.tiles.iter().filter(|t| !t.in_isr).count();
    html! {
        <g {class}
            data-testid={format!("broker-{}", broker.id)}
            data-state={broker.state.as_str()}
            data-controller={broker.is_controller.to_string()}
            transform={format!("translate({x} {y})")}>
            <rect class="broker-box" x="0" y="0" width={w.to_string()} height={h.to_string()} rx="12" />
            if broker.is_controller {
                <rect class="broker-box-inner" x="5" y="5" width={(w - 10).to_string()} height={(h - 10).to_string()} rx="9" />
                <g class="controller-badge" transform={format!("translate({} -16)", w / 2)}>
                    <rect x="-72" y="0" width="144" height="28" rx="14" />
                    <text x="0" y="19" text-anchor="middle">{ t(lang, Key::ControllerBadge) }</text>
                </g>
            }
            <g class="server-icon" transform="translate(18 22)">
                <rect x="0" y="0" width="30" height="11" rx="2" />
                <rect x="0" y="15" width="30" height="11" rx="2" />
                <rect x="0" y="30" width="30" height="11" rx="2" />
            </g>
            <text class="broker-name" x="60" y="40">{ name }</text>
            <g class="broker-state" transform="translate(60 64)">
                <circle class="state-dot" cx="6" cy="-5" r="6" />
                <text x="18" y="0">{ t(lang, state_key) }</text>
                if broker.slow_ms > 0 {
                    <text class="slow-mark" x={(w - 72).to_string()} y="0" text-anchor="end">{ fill(t(lang, Key::SlowMark), &[&broker.slow_ms.to_string()]) }</text>
                }
            </g>
            if props.summarised {
                <text class="tile-summary" x="14" y={(Layout::HEAD_H + 16).to_string()}>
                    { fill(t(lang, Key::ReplicaSummary), &[&leaders.to_string(), &(broker.tiles.len() - leaders).to_string(), &out.to_string()]) }
                </text>
            } else {
                { for broker.tiles.iter().enumerate().map(|(i, tile)| {
                    let col = (i % Layout::TILES_PER_ROW) as i32;
                    let row = (i / Layout::TILES_PER_ROW) as i32;
                    let tx = 10 + col * (Layout::TILE_W + Layout::TILE_GAP);
                    let ty = Layout::HEAD_H + row * (Layout::TILE_H + Layout::TILE_GAP);
                    let role = if tile.leader { "leader" } else { "follower" };
                    let label = format!("{}-{} {}{}", tile.topic, tile.partition,
                        t(lang, if tile.leader { Key::Leader } else { Key::Follower }),
                        if tile.in_isr { String::new() } else { format!(", {}", t(lang, Key::OutOfIsr)) });
                    let topic = tile.topic.clone();
                    let partition = tile.partition;
                    let onclick = props.on_action.reform(move |_: MouseEvent| AppAction::Inspect(Some((topic.clone(), partition))));
                    let short: String = tile.topic.chars().take(3).collect();
                    html! {
                        <g class={classes!("tile", tile.leader.then_some("tile-leader"), (!tile.in_isr).then_some("tile-out"))}
                            data-testid={format!("replica-{}-{}-{}", tile.topic, tile.partition, broker.id)}
                            data-role={role} data-in-isr={tile.in_isr.to_string()}
                            transform={format!("translate({tx} {ty})")} {onclick}>
                            <title>{ label }</title>
                            <rect width={Layout::TILE_W.to_string()} height={Layout::TILE_H.to_string()} rx="4" />
                            if !tile.in_isr {
                                <rect class="tile-hatch" width={Layout::TILE_W.to_string()} height={Layout::TILE_H.to_string()} rx="4" />
                            }
                            <text x="4" y="17">{ format!("{}{}-{}", if tile.leader { "L " } else if tile.in_isr { "F " } else { "✕ " }, short, tile.partition) }</text>
                        </g>
                    }
                }) }
            }
        </g>
    }
}

#[derive(Properties, PartialEq)]
pub struct ClientNodeProps {
    pub lang: Lang,
    pub client: ClientCard,
    pub x: i32,
    pub y: i32,
}

#[function_component(ClientNode)]
pub fn client_node(props: &ClientNodeProps) -> Html {
    let c = &props.client;
    let class = classes!(
        "client",
        if c.producer {
            "client-producer"
        } else {
            "client-consumer"
        },
        (!c.running).then_some("client-stopped")
    );
    let kind = t(
        props.lang,
        if c.producer {
            Key::Producers
        } else {
            Key::Consumers
        },
    );
    html! {
        <g {class} data-testid={format!("node-{}", c.node)} transform={format!("translate({} {})", props.x, props.y)}>
            <rect width={Layout::CLIENT_W.to_string()} height={Layout::CLIENT_H.to_string()} rx={if c.producer { "4" } else { "22" }} />
            <text x="10" y="19" class="client-kind">{ if c.producer { "⇪ " } else { "⇩ " } }{ kind }</text>
            <text x="10" y="37" class="client-name">{ c.label.chars().take(14).collect::<String>() }
                if !c.running { { " ✕ " }{ t(props.lang, Key::ConsumerStopped) } }
            </text>
        </g>
    }
}
