//! A group's rebalances over virtual time: one lane per member, a bar for each generation with
//! the partitions the member owned, the rebalances shaded, and each revocation a red mark. Under
//! the eager protocol every member gives everything back at each rebalance; under cooperative
//! rebalancing only the partitions that move are revoked.

use yew::prelude::*;

use kafkalab_engine::sim::Millis;
use kafkalab_engine::view::group_log::GroupLogView;
use kafkalab_engine::view::ConsumerView;

use crate::cluster::ViewRc;
use crate::i18n::{fill, t, Key, Lang};
use crate::logs::Shared;

#[derive(Properties, PartialEq)]
pub struct RebalanceSwimlaneProps {
    pub lang: Lang,
    pub groups: Shared<Vec<GroupLogView>>,
    pub group_id: String,
    /// The consumers (a member is named by its configured client name) and the time now.
    pub view: ViewRc,
}

const WIDTH: u64 = 360;
const LANE: u64 = 18;
const LABEL: u64 = 70;

/// The consumer a member id belongs to: Kafka's member id begins with the client id.
fn member_name(member_id: &str, consumers: &[ConsumerView]) -> String {
    consumers
        .iter()
        .filter(|c| c.member_id == member_id || member_id.starts_with(&format!("{}-", c.name)))
        .max_by_key(|c| c.name.len())
        .map_or_else(|| kafkalab_narration::short_member_id(member_id), |c| c.name.clone())
}

#[function_component(RebalanceSwimlane)]
pub fn rebalance_swimlane(props: &RebalanceSwimlaneProps) -> Html {
    let lang = props.lang;
    let Some(g) = props.groups.0.iter().find(|g| g.group_id == props.group_id) else { return html! {} };
    let consumers: &[ConsumerView] = &props.view.0.consumers;
    let now_ms: Millis = props.view.0.now_ms;
    let Some(first) = g.generations.first() else { return html! {} };
    let t0 = first.rebalance_started_ms.unwrap_or(first.joined_at_ms);
    let span = now_ms.saturating_sub(t0).max(1);
    let x = |at: Millis| LABEL + at.saturating_sub(t0).min(span) * (WIDTH - LABEL) / span;
    let mut lanes: Vec<String> = Vec::new();
    for gen in &g.generations {
        for (member, _) in &gen.assignment {
            let name = member_name(member, consumers);
            if !lanes.contains(&name) {
                lanes.push(name);
            }
        }
    }
    for c in consumers.iter().filter(|c| c.group_id == g.group_id) {
        if !lanes.contains(&c.name) {
            lanes.push(c.name.clone());
        }
    }
    lanes.sort();
    let lane_of = |name: &str| lanes.iter().position(|l| l == name).unwrap_or(0) as u64;
    let height = LANE * lanes.len().max(1) as u64 + 14;
    let mut shapes: Vec<Html> = Vec::new();
    for (i, gen) in g.generations.iter().enumerate() {
        let end = g.generations.get(i + 1).map_or(now_ms, |n| n.rebalance_started_ms.unwrap_or(n.joined_at_ms));
        if gen.incremental {
            // No barrier: a tick for the new target; members keep their bars.
            shapes.push(html! {
                <line class="lane-epoch" x1={x(gen.joined_at_ms).to_string()} x2={x(gen.joined_at_ms).to_string()}
                    y1="0" y2={(height - 14).to_string()}>
                    <title>{ fill(t(lang, Key::SwimlaneEpoch), &[&gen.generation_id.to_string(), &gen.joined_at_ms.to_string()]) }</title>
                </line>
            });
        } else if let Some(started) = gen.rebalance_started_ms {
            let until = gen.stable_at_ms.unwrap_or(now_ms);
            let w = x(until).saturating_sub(x(started)).max(1);
            shapes.push(html! {
                <rect class="lane-rebalance" x={x(started).to_string()} y="0" width={w.to_string()} height={(height - 14).to_string()}>
                    <title>{ fill(t(lang, Key::SwimlaneRebalance), &[&gen.generation_id.to_string(), &started.to_string()]) }</title>
                </rect>
            });
        }
        let Some(stable) = (if gen.incremental { Some(gen.joined_at_ms) } else { gen.stable_at_ms }) else { continue };
        for (member, parts) in &gen.assignment {
            let name = member_name(member, consumers);
            let y = lane_of(&name) * LANE + 2;
            let w = x(end).saturating_sub(x(stable)).max(2);
            let list = parts.iter().map(|p| p.partition.to_string()).collect::<Vec<_>>().join(",");
            let label = if parts.is_empty() { t(lang, Key::SwimlaneIdle).to_string() } else { list.clone() };
            shapes.push(html! {
                <g class={classes!("lane-owned", parts.is_empty().then_some("lane-idle"))}>
                    <rect x={x(stable).to_string()} y={y.to_string()} width={w.to_string()} height={(LANE - 4).to_string()} rx="2" />
                    if w > 14 { <text x={(x(stable) + 3).to_string()} y={(y + 11).to_string()}>{ label.clone() }</text> }
                    <title>{ fill(t(lang, Key::SwimlaneOwned), &[&name, &gen.generation_id.to_string(), &label]) }</title>
                </g>
            });
        }
        for r in &gen.revoked {
            let name = consumers.iter().find(|c| c.id == r.consumer).map_or(r.consumer.to_string(), |c| c.name.clone());
            let y = lane_of(&name) * LANE + LANE / 2 + 4;
            let list =
                r.partitions.iter().map(|p| format!("{}-{}", p.topic, p.partition)).collect::<Vec<_>>().join(", ");
            shapes.push(html! {
                <text class="lane-revoked" x={x(r.at_ms).to_string()} y={y.to_string()} text-anchor="middle">{ "✕" }
                    <title>{ fill(t(lang, if r.lost { Key::SwimlaneLost } else { Key::SwimlaneRevoked }), &[&name, &list, &r.at_ms.to_string()]) }</title>
                </text>
            });
        }
    }
    html! {
        <figure class="swimlane" data-testid={format!("swimlane-{}", g.group_id)}>
            <figcaption>{ t(lang, Key::SwimlaneHeading) }</figcaption>
            <svg viewBox={format!("0 0 {WIDTH} {height}")} width="100%" role="img"
                aria-label={fill(t(lang, Key::SwimlaneAria), &[&g.group_id, &g.generations.len().to_string()])}>
                { for lanes.iter().enumerate().map(|(i, name)| html! {
                    <text class="lane-name" x="0" y={(i as u64 * LANE + 13).to_string()}>{ name.clone() }</text>
                }) }
                { for shapes.into_iter() }
                <text class="lane-axis" x={LABEL.to_string()} y={(height - 2).to_string()}>{ format!("{t0} ms") }</text>
                <text class="lane-axis" x={WIDTH.to_string()} y={(height - 2).to_string()} text-anchor="end">{ format!("{} ms", now_ms) }</text>
            </svg>
        </figure>
    }
}
