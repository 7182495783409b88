//! The consumer groups: state, members, lag and the latest rebalance steps.

use yew::prelude::*;

use crate::cluster::ViewRc;
use crate::i18n::{fill, t, Key, Lang};
use crate::narrate;

#[derive(Properties, PartialEq)]
pub struct ViewProps {
    pub lang: Lang,
    pub view: ViewRc,
}

fn tp_list(list: &[kafkalab_engine::protocol::TopicPartition]) -> String {
    list.iter().map(|p| format!("{}-{}", p.topic, p.partition)).collect::<Vec<_>>().join(", ")
}

#[function_component(GroupPanel)]
pub fn group_panel(props: &ViewProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let roster = narrate::Roster::from_view(view);
    html! {
        <section class="panel" aria-labelledby="groups-heading">
            <h3 id="groups-heading">{ t(lang, Key::GroupsHeading) }</h3>
            if view.groups.is_empty() { <p class="hint">{ t(lang, Key::NoGroups) }</p> }
            { for view.groups.iter().map(|g| {
                let steps: Vec<String> = view.facts.iter().rev()
                    .filter(|f| matches!(&f.fact,
                        kafkalab_engine::narration::Fact::RebalanceStarted { group, .. }
                        | kafkalab_engine::narration::Fact::JoinCompleted { group, .. }
                        | kafkalab_engine::narration::Fact::GenerationStable { group, .. }
                        | kafkalab_engine::narration::Fact::MemberRemoved { group, .. }
                        | kafkalab_engine::narration::Fact::MemberJoined { group, .. } if *group == g.group_id))
                    .take(5)
                    .map(|f| format!("{} ms — {}", f.at_ms, narrate::sentence(lang, &roster, &f.fact)))
                    .collect();
                html! {
                    <div class="group" data-testid={format!("group-{}", g.group_id)}
                        data-generation={g.generation_id.to_string()} data-state={g.state}>
                        <dl class="facts-grid">
                            <dt>{ "group.id" }</dt><dd>{ g.group_id.clone() }</dd>
                            <dt>{ t(lang, Key::GroupStateLabel) }</dt><dd>{ g.state }</dd>
                            <dt>{ t(lang, Key::GenerationLabel) }</dt><dd>{ g.generation_id }</dd>
                            <dt>{ t(lang, Key::AssignorLabel) }</dt><dd>{ format!("{} / {}", g.protocol, g.protocol_name.clone().unwrap_or("-".into())) }</dd>
                            <dt>{ t(lang, Key::CoordinatorLabel) }</dt><dd>{ fill(t(lang, Key::BrokerName), &[&g.coordinator.to_string()]) }</dd>
                        </dl>
                        <h4>{ t(lang, Key::MembersLabel) }</h4>
                        <ul class="members">
                            { for g.members.iter().map(|m| {
                                let is_leader = g.leader.as_deref() == Some(m.member_id.as_str());
                                html! {
                                    <li data-testid={format!("member-{}-{}", g.group_id, m.member_id)}>
                                        <code title={m.member_id.clone()}>{ narrate::short_member_id(&m.member_id) }</code>
                                        if is_leader { <span class="tag">{ t(lang, Key::GroupLeaderMark) }</span> }
                                        { " → " }{ tp_list(&m.assignment) }
                                    </li>
                                }
                            }) }
                        </ul>
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
                                            <td>{ o.position }</td><td class="lag-position">{ o.position_lag }</td>
                                        }
                                        <td>{ o.lag }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                        <h4>{ t(lang, Key::RebalanceSteps) }</h4>
                        <ol class="steps" reversed=true>{ for steps.into_iter().map(|s| html! { <li>{ s }</li> }) }</ol>
                    </div>
                }
            }) }
        </section>
    }
}
