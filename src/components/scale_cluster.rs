//! The `scale` preset's cluster: 100 brokers as a grid of counts (leaders, followers, replicas out
//! of their ISR), the under-replicated partitions (capped, with a count of the rest), the group
//! and the producers' totals. A broker picked in the grid can be killed or restarted from here.

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{fill, t, Key, Lang};
use crate::scale::{BrokerCounts, ScaleSummary, URP_SHOWN};
use crate::sim::UserAction;

#[derive(Properties, PartialEq)]
pub struct ScaleClusterProps {
    pub lang: Lang,
    pub summary: Rc<ScaleSummary>,
    pub on_user: Callback<UserAction>,
}

fn broker_cell(lang: Lang, b: &BrokerCounts, selected: bool, on_pick: Callback<i32>) -> Html {
    let class = classes!(
        "scale-broker",
        (!b.alive).then_some("dead"),
        b.is_controller.then_some("controller"),
        (b.out_of_isr > 0).then_some("lagging"),
        selected.then_some("selected"),
    );
    let state = if b.alive { t(lang, Key::ScaleAlive) } else { t(lang, Key::ScaleDead) };
    let title = fill(
        t(lang, Key::ScaleBrokerTitle),
        &[&b.id.to_string(), state, &b.leaders.to_string(), &b.followers.to_string(), &b.out_of_isr.to_string()],
    );
    let id = b.id;
    html! {
        <li>
            <button type="button" {class} data-testid={format!("scale-broker-{id}")} aria-pressed={selected.to_string()}
                aria-label={title.clone()} {title} onclick={on_pick.reform(move |_: MouseEvent| id)}
                data-leaders={b.leaders.to_string()} data-followers={b.followers.to_string()} data-out={b.out_of_isr.to_string()}>
                <span class="scale-id">{ id }{ if b.is_controller { "★" } else { "" } }</span>
                <span class="scale-n">{ b.leaders }{ "/" }{ b.followers }</span>
                if b.out_of_isr > 0 {
                    <span class="scale-out">{ "−" }{ b.out_of_isr }</span>
                }
            </button>
        </li>
    }
}

#[function_component(ScaleCluster)]
pub fn scale_cluster(props: &ScaleClusterProps) -> Html {
    let lang = props.lang;
    let s = &props.summary;
    let picked = use_state(|| None::<i32>);
    let on_pick = {
        let picked = picked.clone();
        Callback::from(move |id: i32| picked.set(Some(id)))
    };
    let chosen = (*picked).and_then(|id| s.brokers.iter().find(|b| b.id == id));
    let totals = fill(
        t(lang, Key::ScaleTotals),
        &[
            &s.alive().to_string(),
            &s.brokers.len().to_string(),
            &s.partitions.to_string(),
            &s.under_replicated_total.to_string(),
            &s.offline.to_string(),
        ],
    );
    let rest = s.under_replicated_total.saturating_sub(s.under_replicated.len());
    let p = s.producers;
    html! {
        <section class="scale-cluster" data-testid="scale-cluster" aria-label={t(lang, Key::ScaleHeading)}>
            <h2>{ t(lang, Key::ScaleHeading) }</h2>
            <p class="scale-totals" data-testid="scale-totals" data-urp={s.under_replicated_total.to_string()}
                data-alive={s.alive().to_string()} role="status">{ totals }</p>
            <p class="hint">{ t(lang, Key::ScaleLegend) }</p>
            <ul class="scale-grid" data-testid="scale-grid">
                { for s.brokers.iter().map(|b| broker_cell(lang, b, *picked == Some(b.id), on_pick.clone())) }
            </ul>
            <div class="scale-actions" data-testid="scale-actions">
                if let Some(b) = chosen {
                    <span>{ fill(t(lang, Key::BrokerName), &[&b.id.to_string()]) }</span>
                    if b.alive {
                        <button type="button" class="btn danger" data-testid="scale-kill"
                            onclick={props.on_user.reform({ let id = b.id; move |_: MouseEvent| UserAction::KillBroker { broker: id } })}>
                            { t(lang, Key::ScaleKill) }</button>
                    } else {
                        <button type="button" class="btn" data-testid="scale-restart"
                            onclick={props.on_user.reform({ let id = b.id; move |_: MouseEvent| UserAction::RestartBroker { broker: id } })}>
                            { t(lang, Key::ScaleRestart) }</button>
                    }
                } else {
                    <span class="hint">{ t(lang, Key::ScalePick) }</span>
                }
            </div>
            <h3>{ fill(t(lang, Key::ScaleUrpHeading), &[&s.under_replicated_total.to_string()]) }</h3>
            if s.under_replicated.is_empty() {
                <p class="hint" data-testid="urp-none">{ t(lang, Key::ScaleUrpNone) }</p>
            } else {
                <table class="scale-urp" data-testid="urp-list">
                    <thead><tr>
                        <th>{ t(lang, Key::ScalePartition) }</th><th>{ t(lang, Key::Leader) }</th>
                        <th>{ "ISR" }</th><th>{ t(lang, Key::ScaleReplicas) }</th>
                    </tr></thead>
                    <tbody>
                        { for s.under_replicated.iter().map(|u| html! {
                            <tr data-testid={format!("urp-{}-{}", u.topic, u.partition)}>
                                <td>{ format!("{}-{}", u.topic, u.partition) }</td>
                                <td>{ if u.leader < 0 { t(lang, Key::ScaleNoLeader).to_string() } else { u.leader.to_string() } }</td>
                                <td>{ kafkalab_tools::join(&u.isr) }</td>
                                <td>{ kafkalab_tools::join(&u.replicas) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if rest > 0 {
                    <p class="hint" data-testid="urp-more">{ fill(t(lang, Key::ScaleUrpMore), &[&rest.to_string(), &URP_SHOWN.to_string()]) }</p>
                }
            }
            <h3>{ t(lang, Key::ScaleGroupsHeading) }</h3>
            <table class="scale-groups" data-testid="scale-groups">
                <thead><tr>
                    <th>{ t(lang, Key::ScaleGroup) }</th><th>{ t(lang, Key::ScaleState) }</th>
                    <th>{ t(lang, Key::ScaleGeneration) }</th><th>{ t(lang, Key::ScaleMembers) }</th><th>{ t(lang, Key::ScaleLag) }</th>
                </tr></thead>
                <tbody>
                    { for s.groups.iter().map(|g| html! {
                        <tr data-testid={format!("scale-group-{}", g.group_id)}>
                            <td>{ &g.group_id }</td><td>{ &g.state }</td><td>{ g.generation }</td>
                            <td>{ g.members }</td><td data-testid="scale-lag">{ g.lag }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h3>{ t(lang, Key::ScaleProducersHeading) }</h3>
            <p data-testid="scale-producers" data-acked={p.acked.to_string()}>
                { fill(t(lang, Key::ScaleProducers), &[&p.running.to_string(), &p.count.to_string(), &p.acked.to_string(), &p.failed.to_string()]) }
            </p>
        </section>
    }
}
