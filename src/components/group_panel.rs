//! The consumer groups: state, members, lag and the latest rebalance steps; while a group's
//! coordinator is unavailable, its last known committed offsets.

use std::rc::Rc;

use yew::prelude::*;

use super::RebalanceSwimlane;
use crate::cluster::ViewRc;
use crate::i18n::{fill, t, Key, Lang};
use crate::logs::Shared;
use crate::narrate;
use kafkalab_engine::group::share::partition::RecordState;
use kafkalab_engine::view::group_log::GroupLogView;

fn tp_list(list: &[kafkalab_engine::protocol::TopicPartition]) -> String {
    list.iter().map(|p| format!("{}-{}", p.topic, p.partition)).collect::<Vec<_>>().join(", ")
}

/// Partitions grouped by topic, `orders 2,3,7`, so a reconciliation row fits the panel.
fn tp_compact(list: &[kafkalab_engine::protocol::TopicPartition]) -> String {
    let mut by_topic: Vec<(&str, Vec<i32>)> = Vec::new();
    for tp in list {
        match by_topic.iter_mut().find(|(t, _)| *t == tp.topic) {
            Some((_, ps)) => ps.push(tp.partition),
            None => by_topic.push((&tp.topic, vec![tp.partition])),
        }
    }
    by_topic
        .into_iter()
        .map(|(t, ps)| format!("{t} {}", ps.iter().map(i32::to_string).collect::<Vec<_>>().join(",")))
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Properties, PartialEq)]
pub struct GroupPanelProps {
    pub lang: Lang,
    pub view: ViewRc,
    /// The groups on the log: what is known of a group whose coordinator is unavailable.
    pub groups: Shared<Vec<GroupLogView>>,
    /// The live page's rebalance steps, newest first: (group, time, sentence), narrated by the
    /// bridge; `None`: the view's facts are narrated here.
    #[prop_or_default]
    pub live_steps: Option<Rc<Vec<(String, u64, String)>>>,
}

#[function_component(GroupPanel)]
pub fn group_panel(props: &GroupPanelProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let roster = narrate::Roster::from_view(view);
    let unavailable: Vec<&GroupLogView> = props
        .groups
        .0
        .iter()
        .filter(|g| g.coordinator.is_none() && !view.groups.iter().any(|v| v.group_id == g.group_id))
        .collect();
    html! {
        <section class="panel" aria-labelledby="groups-heading">
            <h3 id="groups-heading">{ t(lang, Key::GroupsHeading) }</h3>
            if view.groups.is_empty() && unavailable.is_empty() { <p class="hint">{ t(lang, Key::NoGroups) }</p> }
            { for unavailable.iter().map(|g| html! {
                <div class="group group-unavailable" data-testid={format!("group-{}", g.group_id)} data-state="unavailable">
                    <p role="status">{ t(lang, Key::CoordinatorUnavailable) }</p>
                    <dl class="facts-grid">
                        <dt>{ "group.id" }</dt><dd>{ g.group_id.clone() }</dd>
                        <dt>{ t(lang, Key::GenerationLabel) }</dt><dd>{ g.generation_id }</dd>
                    </dl>
                    <table class="lag">
                        <thead><tr>
                            <th scope="col">{ t(lang, Key::ColPartition) }</th><th scope="col">{ t(lang, Key::ColCommitted) }</th>
                            <th scope="col">{ t(lang, Key::ColLogEnd) }</th><th scope="col">{ t(lang, Key::ColLag) }</th>
                        </tr></thead>
                        <tbody>
                            { for g.committed.iter().map(|c| html! {
                                <tr data-testid={format!("lag-{}-{}-{}", g.group_id, c.topic, c.partition)}>
                                    <td>{ format!("{}-{}", c.topic, c.partition) }</td><td>{ c.offset }</td>
                                    <td>{ c.high_watermark }</td><td>{ c.lag }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }) }
            { for view.groups.iter().map(|g| {
                let steps: Vec<String> = match &props.live_steps {
                    Some(live) => live.iter().filter(|(group, ..)| *group == g.group_id).take(5)
                        .map(|(_, at, text)| format!("{at} ms — {text}")).collect(),
                    None => view.facts.iter().rev()
                        .filter(|f| f.fact.rebalance_step_group() == Some(g.group_id.as_str()))
                        .take(5)
                        .map(|f| format!("{} ms — {}", f.at_ms, narrate::sentence(lang, &roster, &f.fact)))
                        .collect(),
                };
                html! {
                    <div class="group" data-testid={format!("group-{}", g.group_id)}
                        data-generation={g.generation_id.to_string()} data-state={g.state.to_string()}
                        data-protocol={g.protocol.to_string()} data-rebalance={g.rebalance.to_string()}>
                        <dl class="facts-grid">
                            <dt>{ "group.id" }</dt><dd>{ g.group_id.clone() }</dd>
                            <dt>{ t(lang, Key::GroupStateLabel) }</dt><dd>{ g.state.to_string() }</dd>
                            <dt>{ t(lang, Key::RebalanceLabel) }</dt>
                            <dd data-testid={format!("group-rebalance-{}", g.group_id)}>{ t(lang, match &*g.rebalance {
                                "incremental" => Key::RebalanceIncremental,
                                "none" => Key::RebalanceShare,
                                "cooperative" => Key::RebalanceCooperative,
                                _ => Key::RebalanceEager,
                            }) }</dd>
                            if let Some(target_epoch) = g.target_assignment_epoch {
                                <dt>{ t(lang, Key::GroupEpochLabel) }</dt>
                                <dd data-testid={format!("group-epoch-{}", g.group_id)}>{ format!("{} / {}", g.generation_id, target_epoch) }</dd>
                            } else {
                                <dt>{ t(lang, Key::GenerationLabel) }</dt><dd>{ g.generation_id }</dd>
                            }
                            <dt>{ t(lang, Key::AssignorLabel) }</dt><dd>{ format!("{} / {}", g.protocol, g.protocol_name.clone().unwrap_or("-".into())) }</dd>
                            <dt>{ t(lang, Key::CoordinatorLabel) }</dt><dd>{ fill(t(lang, Key::BrokerName), &[&g.coordinator.to_string()]) }</dd>
                        </dl>
                        <h4>{ t(lang, Key::MembersLabel) }</h4>
                        if g.target_assignment_epoch.is_some() {
                            <div class="table-scroll"><table class="members reconciliation">
                                <thead><tr>
                                    <th scope="col">{ t(lang, Key::ColMember) }</th><th scope="col">{ t(lang, Key::ColMemberEpoch) }</th>
                                    <th scope="col">{ t(lang, Key::ColReconcileState) }</th><th scope="col">{ t(lang, Key::ColCurrentAssignment) }</th>
                                    <th scope="col">{ t(lang, Key::ColTargetAssignment) }</th><th scope="col">{ t(lang, Key::ColPendingRevocation) }</th>
                                </tr></thead>
                                <tbody>
                                    { for g.members.iter().map(|m| {
                                        let state = m.reconcile_state.as_deref().unwrap_or("-");
                                        let behind = m.member_epoch != g.target_assignment_epoch || state != "STABLE";
                                        html! {
                                            <tr data-testid={format!("member-{}-{}", g.group_id, m.member_id)}
                                                data-member-epoch={m.member_epoch.unwrap_or(-1).to_string()} data-reconcile-state={state.to_string()}
                                                data-member-protocol={if m.classic_member { "classic" } else { "consumer" }}
                                                class={classes!(behind.then_some("reconciling"))}>
                                                <td><code title={m.member_id.clone()}>{
                                                    view.consumers.iter().find(|c| c.client == m.client)
                                                        .map_or_else(|| narrate::short_member_id(&m.member_id), |c| c.name.clone())
                                                }</code>
                                                if m.classic_member {
                                                    <span class="tag classic-member" title={t(lang, Key::ClassicMemberTitle)}>{ t(lang, Key::ClassicMemberBadge) }</span>
                                                }
                                                </td>
                                                <td>{ m.member_epoch.unwrap_or(-1) }</td>
                                                <td>{ state }</td>
                                                <td>{ tp_compact(&m.assignment) }</td>
                                                <td>{ tp_compact(m.target.as_deref().unwrap_or_default()) }</td>
                                                <td class="to-revoke">{ tp_compact(&m.pending_revocation) }</td>
                                            </tr>
                                        }
                                    }) }
                                </tbody>
                            </table></div>
                        } else {
                        <ul class="members">
                            { for g.members.iter().map(|m| {
                                let is_leader = g.leader.as_deref() == Some(m.member_id.as_str());
                                html! {
                                    <li data-testid={format!("member-{}-{}", g.group_id, m.member_id)}>
                                        <code title={m.member_id.clone()}>{
                                            if g.protocol == "share" {
                                                view.consumers.iter().find(|c| c.client == m.client)
                                                    .map_or_else(|| narrate::short_member_id(&m.member_id), |c| c.name.clone())
                                            } else {
                                                narrate::short_member_id(&m.member_id)
                                            }
                                        }</code>
                                        if is_leader { <span class="tag">{ t(lang, Key::GroupLeaderMark) }</span> }
                                        { " → " }{ tp_list(&m.assignment) }
                                    </li>
                                }
                            }) }
                        </ul>
                        }
                        if g.protocol == "share" {
                            <h4>{ t(lang, Key::ShareHeading) }</h4>
                            <table class="lag share">
                                <thead><tr>
                                    <th scope="col">{ t(lang, Key::ColPartition) }</th><th scope="col">{ t(lang, Key::ColSpso) }</th>
                                    <th scope="col">{ t(lang, Key::ColSpeo) }</th><th scope="col">{ t(lang, Key::ColLogEnd) }</th>
                                    <th scope="col">{ t(lang, Key::ColAcquired) }</th><th scope="col">{ t(lang, Key::ColAvailable) }</th>
                                    <th scope="col">{ t(lang, Key::ColArchived) }</th>
                                </tr></thead>
                                <tbody>
                                    { for view.share_partitions.iter().filter(|p| p.group_id == g.group_id).map(|p| {
                                        let count = |s: RecordState| p.records.iter().filter(|r| r.state == s).count();
                                        html! {
                                            <tr data-testid={format!("share-summary-{}-{}-{}", g.group_id, p.topic, p.partition)}
                                                data-spso={p.start_offset.to_string()} data-speo={p.end_offset.to_string()}>
                                                <td>{ format!("{}-{}", p.topic, p.partition) }</td><td>{ p.start_offset }</td>
                                                <td>{ p.end_offset }</td><td>{ p.high_watermark }</td>
                                                <td>{ count(RecordState::Acquired) }</td><td>{ count(RecordState::Available) }</td>
                                                <td>{ count(RecordState::Archived) }</td>
                                            </tr>
                                        }
                                    }) }
                                </tbody>
                            </table>
                        } else {
                        <h4>{ t(lang, Key::LagHeading) }</h4>
                        <table class="lag">
                            <thead><tr>
                                <th scope="col">{ t(lang, Key::ColPartition) }</th><th scope="col">{ t(lang, Key::ColCommitted) }</th>
                                <th scope="col">{ t(lang, Key::ColLogEnd) }</th><th scope="col">{ t(lang, Key::ColPosition) }</th>
                                <th scope="col">{ t(lang, Key::ColPositionLag) }</th><th scope="col">{ t(lang, Key::ColLag) }</th>
                            </tr></thead>
                            <tbody>
                                { for g.offsets.iter().map(|o| html! {
                                    <tr data-testid={format!("lag-{}-{}-{}", g.group_id, o.topic, o.partition)}>
                                        <td>{ format!("{}-{}", o.topic, o.partition) }</td><td>{ o.committed_offset }</td>
                                        <td>{ o.log_end_offset }</td>
                                        if o.position < 0 {
                                            <td class="no-owner" colspan="2">{ t(lang, Key::NoOwner) }</td>
                                        } else {
                                            <td>{ o.position }</td>
                                            <td class="lag-position" data-lag-to={if o.read_committed { "lso" } else { "hw" }}
                                                title={t(lang, if o.read_committed { Key::PositionLagToLso } else { Key::PositionLagToHw })}>
                                                { o.position_lag }
                                                if o.read_committed { <span class="tag">{ "LSO" }</span> }
                                            </td>
                                        }
                                        <td>{ o.lag }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                        }
                        <RebalanceSwimlane {lang} groups={props.groups.clone()} group_id={g.group_id.clone()} view={props.view.clone()} />
                        <h4>{ t(lang, Key::RebalanceSteps) }</h4>
                        <ol class="steps" reversed=true>{ for steps.into_iter().map(|s| html! { <li>{ s }</li> }) }</ol>
                    </div>
                }
            }) }
        </section>
    }
}
