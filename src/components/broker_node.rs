//! A broker on the canvas.

use std::rc::Rc;

use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::RaftRole;
use yew::prelude::*;

use super::node_events::{node_handlers, NodeEvent};
use crate::cluster::{BrokerCard, Layout, Move, NodeState, Stale, TileGrid, TilePlaces};
use crate::i18n::{fill, t, Key, Lang};
use crate::state::AppAction;

#[derive(Properties, PartialEq)]
pub struct BrokerNodeProps {
    pub lang: Lang,
    pub broker: BrokerCard,
    pub x: i32,
    pub y: i32,
    pub h: i32,
    pub summarised: bool,
    pub grid: TileGrid,
    /// What the scenario note being explained names (`broker-N`, `topic-N`).
    pub highlight: Rc<Vec<String>>,
    pub on_action: Callback<AppAction>,
    pub on_node: Callback<NodeEvent>,
}

/// A broker: a labelled box with its state (text and border style) and its replica tiles.
#[function_component(BrokerNode)]
pub fn broker_node(props: &BrokerNodeProps) -> Html {
    let BrokerNodeProps { lang, broker, x, y, h, .. } = props;
    let lang = *lang;
    let node_ref = use_node_ref();
    let (w, h) = (Layout::NODE_W, *h);
    let state_key = match broker.state {
        NodeState::Alive => Key::StateAlive,
        NodeState::Fenced => Key::StateFenced,
        NodeState::Dead => Key::StateDead,
    };
    let name_key = if broker.controller_only { Key::ControllerNodeName } else { Key::BrokerName };
    let name = fill(t(lang, name_key), &[&broker.id.to_string()]);
    let highlighted = props.highlight.contains(&format!("broker-{}", broker.id));
    let class = classes!(
        "broker",
        "node",
        format!("broker-{}", broker.state.as_str()),
        broker.is_controller.then_some("broker-controller"),
        broker.controller_only.then_some("controller-only"),
        broker.stale.is_some().then_some("broker-stale"),
        highlighted.then_some("highlight")
    );
    let leaders = broker.tiles.iter().filter(|t| t.leader).count();
    let out = broker.tiles.iter().filter(|t| !t.in_isr).count();
    let grid = props.grid;
    let places = if props.summarised { TilePlaces::default() } else { grid.place(&broker.tiles) };
    let stale = broker.stale.map(|s| match s {
        Stale::NotFenced => ("not-fenced", t(lang, Key::StaleNotFenced)),
        Stale::Fenced => ("fenced", t(lang, Key::StaleFenced)),
    });
    let quorum_mark = broker.quorum_mark.map(|role| {
        let key = match role {
            RaftRole::Prospective => Key::QuorumProspective,
            RaftRole::Resigned => Key::QuorumResigned,
            _ => Key::QuorumCandidate,
        };
        (role.as_str(), t(lang, key))
    });
    // The accessible name is the visible name and state line (WCAG 2.5.3); the rest of the box is
    // hidden from assistive technology and told, with the controls, in the description.
    let mut state_text = t(lang, state_key).to_string();
    if broker.slow_ms > 0 {
        state_text = format!("{state_text} {}", fill(t(lang, Key::SlowMark), &[&broker.slow_ms.to_string()]));
    }
    if broker.is_controller {
        state_text = format!("{state_text}, {}", t(lang, Key::ControllerBadge));
    }
    if broker.controller_only {
        state_text = format!("{state_text}, {}", t(lang, Key::ControllerOnlyRole));
    }
    if let Some((_, label)) = quorum_mark {
        state_text = format!("{state_text}, {label}");
    }
    if broker.shutting_down {
        state_text = format!("{state_text}, {}", t(lang, Key::ShuttingDownMark));
    }
    if let Some((_, label)) = stale {
        state_text = format!("{state_text}, {label}");
    }
    let (oncontextmenu, onkeydown, onpointerdown) = node_handlers(NodeId::Broker(broker.id), &node_ref, &props.on_node);
    html! {
        <g {class} ref={node_ref}
            data-testid={format!("broker-{}", broker.id)}
            data-state={broker.state.as_str()}
            data-controller={broker.is_controller.to_string()}
            data-roles={if broker.controller_only { "controller" } else { "broker" }}
            data-quorum-role={quorum_mark.map(|(role, _)| role)}
            data-shutting-down={broker.shutting_down.then_some("true")}
            data-rack={broker.rack.clone()}
            data-highlight={highlighted.then_some("true")}
            tabindex="0" role="button" aria-haspopup="menu"
            transform={format!("translate({x} {y})")} {oncontextmenu} {onkeydown} {onpointerdown}>
            <desc>{ fill(t(lang, Key::NodeAria), &[&name, &state_text]) }</desc>
            <rect class="broker-box" x="0" y="0" width={w.to_string()} height={h.to_string()} rx="12" />
            if broker.is_controller {
                <rect class="broker-box-inner" x="5" y="5" width={(w - 10).to_string()} height={(h - 10).to_string()} rx="9" />
                <g class="controller-badge" aria-hidden="true" transform={format!("translate({} -16)", w / 2)}>
                    <rect x="-72" y="0" width="144" height="28" rx="14" />
                    <text x="0" y="19" text-anchor="middle">{ t(lang, Key::ControllerBadge) }</text>
                </g>
            }
            if broker.controller_only {
                // A dedicated controller: a ballot box instead of a server (it votes, stores no data).
                <g class="server-icon controller-icon" transform="translate(18 22)">
                    <rect x="0" y="10" width="30" height="31" rx="3" />
                    <rect x="9" y="4" width="12" height="10" rx="1" />
                </g>
            } else {
                <g class="server-icon" transform="translate(18 22)">
                    <rect x="0" y="0" width="30" height="11" rx="2" />
                    <rect x="0" y="15" width="30" height="11" rx="2" />
                    <rect x="0" y="30" width="30" height="11" rx="2" />
                </g>
            }
            <text class="broker-name" x="60" y="40">{ name }</text>
            if let Some(rack) = &broker.rack {
                <text class="rack-label" data-testid={format!("rack-{}", broker.id)} x={(w - 14).to_string()} y="40" text-anchor="end">
                    { fill(t(lang, Key::RackLabel), &[rack]) }
                </text>
            }
            <g class="broker-state" transform="translate(60 64)">
                <circle class="state-dot" cx="6" cy="-5" r="6" />
                // The slow mark follows the state in the same line, so large text cannot overlap them.
                <text x="18" y="0">{ t(lang, state_key) }
                    if broker.slow_ms > 0 {
                        <tspan class="slow-mark" dx="10">{ fill(t(lang, Key::SlowMark), &[&broker.slow_ms.to_string()]) }</tspan>
                    }
                    if broker.shutting_down {
                        <tspan class="shutdown-mark" dx="10" data-testid={format!("shutdown-mark-{}", broker.id)}>{ t(lang, Key::ShuttingDownMark) }</tspan>
                    }
                    if let Some((role, label)) = quorum_mark {
                        <tspan class="quorum-mark" dx="10" data-testid={format!("quorum-mark-{}", broker.id)} data-role={role}>{ label }</tspan>
                    }
                </text>
            </g>
            if props.summarised {
                <text class="tile-summary" aria-hidden="true" x="14" y={(Layout::HEAD_H + 16).to_string()} data-testid={format!("summary-{}", broker.id)}>
                    <tspan>{ fill(t(lang, Key::SummaryRoles), &[&leaders.to_string(), &(broker.tiles.len() - leaders).to_string()]) }</tspan>
                    <tspan x="14" dy="22">{ fill(t(lang, Key::SummaryOutOfIsr), &[&out.to_string()]) }</tspan>
                </text>
            } else {
                <g class={classes!("tiles", grid.compact.then_some("tiles-compact"))} aria-hidden="true">
                    { for places.labels.iter().map(|l| html! {
                        <text class="tile-topic" x={l.x.to_string()} y={(l.y + grid.h / 2 + 4).to_string()} aria-hidden="true">{ &l.text }</text>
                    }) }
                    { for broker.tiles.iter().zip(&places.tiles).map(|(tile, &(tx, ty))| {
                        let role = if tile.leader { "leader" } else { "follower" };
                        let mut label = format!("{}-{} {}{}{}", tile.topic, tile.partition,
                            t(lang, if tile.leader { Key::Leader } else { Key::Follower }),
                            if tile.in_isr { String::new() } else { format!(", {}", t(lang, Key::OutOfIsr)) },
                            if tile.in_elr { format!(", {}", t(lang, Key::InElr)) } else { String::new() });
                        if let Some(moving) = tile.moving {
                            let key = match moving { Move::Adding => Key::ReplicaAdding, Move::Removing => Key::ReplicaRemoving };
                            label = format!("{label}, {}", t(lang, key));
                        }
                        if stale.is_some() {
                            label = format!("{label} ({})", t(lang, Key::StaleTile));
                        }
                        let readers = tile.read_by.join(", ");
                        if !readers.is_empty() {
                            label = format!("{label}, {}", fill(t(lang, Key::ReadByTile), &[&readers]));
                        }
                        let topic = tile.topic.clone();
                        let partition = tile.partition;
                        let onclick = props.on_action.reform(move |_: MouseEvent| AppAction::Inspect(Some((topic.clone(), partition))));
                        let mark = if tile.leader { "L" } else if tile.in_isr { "F" } else if tile.in_elr { "E" } else { "✕" };
                        let (w, h) = (grid.w.to_string(), grid.h.to_string());
                        let lit = props.highlight.contains(&format!("{}-{}", tile.topic, tile.partition));
                        html! {
                            <g class={classes!("tile", tile.leader.then_some("tile-leader"), (!tile.in_isr).then_some("tile-out"), tile.in_elr.then_some("tile-elr"), stale.is_some().then_some("tile-stale"), tile.moving.map(|m| format!("tile-{}", m.as_str())), lit.then_some("highlight"))}
                                data-testid={format!("replica-{}-{}-{}", tile.topic, tile.partition, broker.id)}
                                data-highlight={lit.then_some("true")}
                                data-role={role} data-in-isr={tile.in_isr.to_string()} data-in-elr={tile.in_elr.to_string()} data-stale={stale.is_some().to_string()}
                                data-read-by={(!readers.is_empty()).then_some(readers.clone())}
                                data-reassign={tile.moving.map(Move::as_str)}
                                transform={format!("translate({tx} {ty})")} {onclick}>
                                <title>{ label }</title>
                                <rect width={w.clone()} height={h.clone()} rx="4" />
                                if !tile.in_isr {
                                    <rect class="tile-hatch" width={w} height={h} rx="4" />
                                }
                                <text x={(grid.w / 2).to_string()} y={(grid.h / 2 + 4).to_string()} text-anchor="middle">
                                    { if grid.compact { format!("{mark}{partition}") } else { format!("{mark} {partition}") } }
                                </text>
                                if let Some(moving) = tile.moving {
                                    // A reassignment mark (KIP-455): "+" catching up to join, "−" leaving once it has.
                                    <g class={classes!("move-mark", format!("move-{}", moving.as_str()))} transform="translate(0 0)">
                                        <circle r="7" />
                                        <text y="4" text-anchor="middle">{ if moving == Move::Adding { "+" } else { "−" } }</text>
                                    </g>
                                }
                                if !readers.is_empty() {
                                    // A reader mark: consumers fetch this partition from this follower (KIP-392).
                                    <g class="read-mark" transform={format!("translate({} 0)", grid.w)}>
                                        <circle r="8" />
                                        <text y="4" text-anchor="middle">{ "R" }</text>
                                    </g>
                                }
                            </g>
                        }
                    }) }
                </g>
            }
            if let Some((kind, label)) = stale {
                <g class="stale-label" aria-hidden="true" data-testid={format!("stale-{}", broker.id)} data-stale={kind}
                    transform={format!("translate({} {h})", w / 2)}>
                    <rect x="-118" y="-11" width="236" height="22" rx="11" />
                    <text x="0" y="5" text-anchor="middle">{ label }</text>
                </g>
            }
        </g>
    }
}
