//! The components: header, notices, controls and timeline (the SVG cluster canvas is in
//! [`crate::canvas`]), the fault,
//! group, producer and build panels, the partition log inspector and the narration feed. They hold
//! no text of their own (see [`crate::i18n`]), draw only what their props say, and render every
//! user-provided string (topic names, keys, values) as text.

use std::rc::Rc;

use kafkalab_engine::cluster::TimedFact;
use kafkalab_engine::producer::SendOutcome;
use kafkalab_engine::sim::{Millis, NodeId};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::{AppAction, Notice, SPEEDS};
use crate::cluster::ViewRc;
use crate::i18n::{counted, fill, t, Key, Lang};
use crate::inspect::PartitionLog;
use crate::narrate::{self, Mark};
use crate::sim::{builtin_scenarios, Preset, ReachedNote, Setup, UserAction};
use crate::url::UrlNotice;

fn input_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}

fn select_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlSelectElement>().map(|i| i.value()).unwrap_or_default()
}

fn text_setter(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
            state.set(i.value());
        }
    })
}

// ----------------------------------------------------------------------------------------------
// Header

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub lang: Lang,
    pub on_toggle_lang: Callback<()>,
    pub large_text: bool,
    pub show_internal: bool,
    pub on_action: Callback<AppAction>,
}

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let lang = props.lang;
    let onclick = props.on_toggle_lang.reform(|_: MouseEvent| ());
    let large = props.on_action.reform(|_: Event| AppAction::ToggleLargeText);
    let internal = props.on_action.reform(|_: Event| AppAction::ToggleInternal);
    html! {
        <header class="app-header">
            <div class="brand">
                <LogoMark />
                <div>
                    <h1 class="brand-name">{ "kafkalab" }</h1>
                    <p class="brand-tagline">{ t(lang, Key::Tagline) }</p>
                </div>
            </div>
            <div class="header-tools">
                <label class="check">
                    <input type="checkbox" data-testid="toggle-internal" checked={props.show_internal} onchange={internal} />
                    { t(lang, Key::ShowInternal) }
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="toggle-large-text" checked={props.large_text} onchange={large} />
                    { t(lang, Key::LargeText) }
                </label>
                <button type="button" class="lang-toggle" data-testid="lang-toggle" data-lang={lang.code()}
                    title={t(lang, Key::LangToggleTitle)} aria-label={t(lang, Key::LangToggleTitle)} {onclick}>
                    { for Lang::ALL.into_iter().map(|option| html! {
                        <span class={classes!("lang-option", (option == lang).then_some("active"))} lang={option.code()}>
                            { option.native_name() }
                        </span>
                    }) }
                </button>
            </div>
        </header>
    }
}

/// Three stacked log segments: the product's mark.
#[function_component(LogoMark)]
fn logo_mark() -> Html {
    html! {
        <svg class="logo" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true">
            <rect x="4" y="7" width="32" height="7" rx="2" class="logo-seg logo-seg-1" />
            <rect x="4" y="17" width="24" height="7" rx="2" class="logo-seg logo-seg-2" />
            <rect x="4" y="27" width="14" height="7" rx="2" class="logo-seg logo-seg-3" />
        </svg>
    }
}

// ----------------------------------------------------------------------------------------------
// Notices

#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    pub lang: Lang,
    pub notices: Vec<Notice>,
    pub on_dismiss: Callback<usize>,
}

/// One dismissible banner per ignored URL value, unreadable workspace or refused action.
#[function_component(Notices)]
pub fn notices(props: &NoticesProps) -> Html {
    let lang = props.lang;
    if props.notices.is_empty() {
        return html! {};
    }
    html! {
        <div class="notices">
            { for props.notices.iter().enumerate().map(|(index, notice)| {
                let (text, id) = match notice {
                    Notice::Url(UrlNotice::UnknownLang(value)) => (fill(t(lang, Key::NoticeUnknownLang), &[value]), "url-notice"),
                    Notice::Url(UrlNotice::BadNumber { field, value }) => (fill(t(lang, Key::NoticeBadNumber), &[field, value]), "url-notice"),
                    Notice::UnknownScenario(value) => (fill(t(lang, Key::NoticeUnknownScenario), &[value]), "url-notice"),
                    Notice::CorruptWorkspace => (t(lang, Key::NoticeCorruptWorkspace).to_string(), "workspace-notice"),
                    Notice::Dropped(n) => (counted(lang, Key::NoticeDropped, *n as u64), "workspace-notice"),
                    Notice::ActionFailed(e) => (fill(t(lang, Key::ActionFailed), &[e]), "action-notice"),
                };
                let onclick = props.on_dismiss.reform(move |_: MouseEvent| index);
                html! {
                    <div class="notice" role="status" data-testid={id}>
                        <span class="notice-icon" aria-hidden="true">{ "!" }</span>
                        <span class="notice-text">{ text }</span>
                        <button type="button" class="notice-dismiss" data-testid={format!("{id}-dismiss")}
                            aria-label={t(lang, Key::NoticeDismiss)} title={t(lang, Key::NoticeDismiss)} {onclick}>
                            { "×" }
                        </button>
                    </div>
                }
            }) }
        </div>
    }
}

// ----------------------------------------------------------------------------------------------
// Controls: scenario, play/pause/step, speed, clock, timeline

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub lang: Lang,
    pub playing: bool,
    pub speed: usize,
    pub now_ms: Millis,
    pub horizon_ms: Millis,
    /// Before this time the timeline keeps no checkpoint: the track is greyed there.
    #[prop_or_default]
    pub seekable_from_ms: Millis,
    pub marks: Rc<Vec<(Millis, Mark)>>,
    pub setup: Setup,
    pub on_action: Callback<AppAction>,
}

fn speed_label(tenths: u32) -> String {
    if tenths.is_multiple_of(10) {
        format!("{}x", tenths / 10)
    } else {
        format!("{}.{}x", tenths / 10, tenths % 10)
    }
}

#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let lang = props.lang;
    let a = &props.on_action;
    let setup = props.setup.clone();
    let on_scenario = {
        let setup = setup.clone();
        a.reform(move |e: Event| {
            let preset = Preset::from_name(&select_value(&e)).unwrap_or(Preset::Demo);
            let seed = preset.default_seed(setup.seed);
            AppAction::Load(Setup { preset, seed, ..setup.clone() })
        })
    };
    let on_brokers = {
        let setup = setup.clone();
        a.reform(move |e: Event| {
            let brokers = select_value(&e).parse().unwrap_or(3);
            AppAction::Load(Setup { preset: Preset::Sandbox, brokers, ..setup.clone() })
        })
    };
    let on_speed = a.reform(|e: Event| AppAction::SetSpeed(select_value(&e).parse().unwrap_or(3)));
    let on_seek = a.reform(|e: InputEvent| {
        AppAction::Seek(e.target_dyn_into::<HtmlInputElement>().and_then(|i| i.value().parse().ok()).unwrap_or(0))
    });
    let end = props.horizon_ms.max(props.now_ms).max(1);
    let note = match &setup.preset {
        Preset::Demo => t(lang, Key::ScDemoNote),
        Preset::Large => t(lang, Key::ScLargeNote),
        Preset::Sandbox => t(lang, Key::ScSandboxNote),
        Preset::Scenario(_) => setup.preset.scenario().map_or("", |s| s.description.get(lang.code())),
    };
    html! {
        <section class="controls" aria-label={t(lang, Key::TimelineLabel)}>
            <div class="controls-row">
                <label class="field">
                    <span>{ t(lang, Key::ScenarioLabel) }</span>
                    <select data-testid="scenario-select" aria-label={t(lang, Key::ScenarioLabel)} onchange={on_scenario}>
                        <optgroup label={t(lang, Key::PickerPresets)}>
                            { for Preset::PRESETS.into_iter().map(|p| {
                                let key = match p { Preset::Large => Key::ScLarge, Preset::Sandbox => Key::ScSandbox, _ => Key::ScDemo };
                                html! { <option value={p.name().to_string()} selected={p == setup.preset}>{ t(lang, key) }</option> }
                            }) }
                        </optgroup>
                        <optgroup label={t(lang, Key::PickerScenarios)}>
                            { for builtin_scenarios().iter().map(|b| {
                                let selected = matches!(&setup.preset, Preset::Scenario(n) if n == b.name);
                                html! {
                                    <option value={b.name} {selected} title={b.scenario.description.get(lang.code()).to_string()}>
                                        { b.scenario.title.get(lang.code()) }
                                    </option>
                                }
                            }) }
                        </optgroup>
                    </select>
                </label>
                if setup.preset == Preset::Sandbox {
                    <label class="field">
                        <span>{ t(lang, Key::SandboxBrokers) }</span>
                        <select data-testid="sandbox-brokers" aria-label={t(lang, Key::SandboxBrokers)} onchange={on_brokers}>
                            { for (1..=12).map(|n| html! { <option value={n.to_string()} selected={n == setup.brokers}>{ n }</option> }) }
                        </select>
                    </label>
                }
                <div class="buttons">
                    if props.playing {
                        <button type="button" class="btn primary" data-testid="btn-pause" aria-label={t(lang, Key::BtnPause)}
                            title={t(lang, Key::BtnPause)} onclick={a.reform(|_: MouseEvent| AppAction::Pause)}>{ "❚❚ " }{ t(lang, Key::BtnPause) }</button>
                    } else {
                        <button type="button" class="btn primary" data-testid="btn-play" aria-label={t(lang, Key::BtnPlay)}
                            title={t(lang, Key::BtnPlay)} onclick={a.reform(|_: MouseEvent| AppAction::Play)}>{ "▶ " }{ t(lang, Key::BtnPlay) }</button>
                    }
                    <button type="button" class="btn" data-testid="btn-step-back" aria-label={t(lang, Key::BtnStepBack)}
                        title={t(lang, Key::BtnStepBack)} onclick={a.reform(|_: MouseEvent| AppAction::StepBack)}>{ "|◁ " }{ t(lang, Key::BtnStepBack) }</button>
                    <button type="button" class="btn" data-testid="btn-step" aria-label={t(lang, Key::BtnStep)}
                        title={t(lang, Key::BtnStep)} onclick={a.reform(|_: MouseEvent| AppAction::Step)}>{ "▷| " }{ t(lang, Key::BtnStep) }</button>
                    <button type="button" class="btn" data-testid="btn-step-fact" aria-label={t(lang, Key::BtnStepFact)}
                        title={t(lang, Key::BtnStepFact)} onclick={a.reform(|_: MouseEvent| AppAction::StepInteresting)}>{ "» " }{ t(lang, Key::BtnStepFact) }</button>
                </div>
                <label class="field">
                    <span>{ t(lang, Key::SpeedLabel) }</span>
                    <select data-testid="speed" aria-label={t(lang, Key::SpeedLabel)} onchange={on_speed}>
                        { for SPEEDS.iter().enumerate().map(|(i, s)| html! {
                            <option value={i.to_string()} selected={i == props.speed}>{ speed_label(*s) }</option>
                        }) }
                    </select>
                </label>
                <div class="clock">
                    <span class="clock-label">{ t(lang, Key::ClockLabel) }</span>
                    <span class="clock-value" data-testid="clock">{ props.now_ms }</span>
                    <span class="clock-unit">{ "ms" }</span>
                </div>
            </div>
            <div class="timeline-row">
                <input type="range" class="timeline" data-testid="timeline" min="0" max={end.to_string()}
                    data-seekable-from={props.seekable_from_ms.to_string()}
                    style={format!("--kept-from: {:.2}%", props.seekable_from_ms as f64 * 100.0 / end.max(1) as f64)}
                    title={(props.seekable_from_ms > 0).then(|| fill(t(lang, Key::TimelineKeptFrom), &[&props.seekable_from_ms.to_string()]))}
                    step="1" value={props.now_ms.to_string()} aria-label={t(lang, Key::TimelineLabel)}
                    aria-valuetext={format!("{} ms", props.now_ms)} oninput={on_seek} />
                // Only the end moves while playing: the marks place themselves from it in CSS.
                <div class="marks" style={format!("--end: {end}")} aria-hidden="true">
                    <MarkList marks={props.marks.clone()} />
                </div>
                <ul class="legend marks-legend">
                    <li><span class="mk mk-fault" aria-hidden="true">{ "✕" }</span>{ t(lang, Key::FaultsHeading) }</li>
                    <li><span class="mk mk-election" aria-hidden="true">{ "●" }</span>{ t(lang, Key::Leader) }</li>
                    <li><span class="mk mk-rebalance" aria-hidden="true">{ "■" }</span>{ t(lang, Key::RebalanceSteps) }</li>
                </ul>
            </div>
            <p class="scenario-note" data-testid="scenario-note">{ note }<span class="hint">{ " — " }{ t(lang, Key::ShortcutsHint) }</span></p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct MarkListProps {
    marks: Rc<Vec<(Millis, Mark)>>,
}

/// The timeline's markers, at `--at` of the container's `--end`: drawn again only when a marker
/// comes or goes, not on every frame as the end grows.
#[function_component(MarkList)]
fn mark_list(props: &MarkListProps) -> Html {
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

// ----------------------------------------------------------------------------------------------
// Fault panel

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub lang: Lang,
    pub view: ViewRc,
    pub on_user: Callback<UserAction>,
}

#[function_component(FaultPanel)]
pub fn fault_panel(props: &PanelProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let u = &props.on_user;
    let mut nodes: Vec<NodeId> = view.brokers.iter().map(|b| NodeId::Broker(b.id)).collect();
    nodes.extend(view.producers.iter().map(|p| NodeId::Client(p.id)));
    nodes.extend(view.consumers.iter().map(|c| c.client));
    let a = use_state(|| "broker-1".to_string());
    let b = use_state(|| "broker-2".to_string());
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: Event| s.set(select_value(&e)))
    };
    let (av, bv) = ((*a).clone(), (*b).clone());
    let cut = u.reform({
        let (a, b) = (av.clone(), bv.clone());
        move |_: MouseEvent| UserAction::CutLink { a: a.clone(), b: b.clone(), one_way: false }
    });
    let heal = u.reform({
        let (a, b) = (av.clone(), bv.clone());
        move |_: MouseEvent| UserAction::HealLink { a: a.clone(), b: b.clone() }
    });
    let node_select = |id: &'static str, value: &str, onchange: Callback<Event>, label: Key| {
        html! {
            <select data-testid={id} aria-label={t(lang, label)} {onchange}>
                { for nodes.iter().map(|n| html! { <option value={n.to_string()} selected={n.to_string() == value}>{ crate::menu::node_name(lang, view, *n) }</option> }) }
            </select>
        }
    };
    html! {
        <section class="panel" aria-labelledby="faults-heading">
            <h3 id="faults-heading">{ t(lang, Key::FaultsHeading) }</h3>
            <ul class="fault-list">
                { for view.brokers.iter().map(|br| {
                    let id = br.id;
                    let slow = view.slow_nodes.iter().any(|(n, _)| *n == NodeId::Broker(id));
                    html! {
                        <li>
                            <span class="fault-name">{ fill(t(lang, Key::BrokerName), &[&id.to_string()]) }</span>
                            <button type="button" class="btn danger" data-testid={format!("kill-broker-{id}")}
                                disabled={br.state == kafkalab_engine::view::BrokerState::Dead}
                                aria-label={fill(t(lang, Key::KillBroker), &[&id.to_string()])}
                                onclick={u.reform(move |_: MouseEvent| UserAction::KillBroker { broker: id })}>
                                { fill(t(lang, Key::KillBroker), &[&id.to_string()]) }</button>
                            <button type="button" class="btn" data-testid={format!("restart-broker-{id}")}
                                disabled={br.state != kafkalab_engine::view::BrokerState::Dead}
                                aria-label={fill(t(lang, Key::RestartBroker), &[&id.to_string()])}
                                onclick={u.reform(move |_: MouseEvent| UserAction::RestartBroker { broker: id })}>
                                { fill(t(lang, Key::RestartBroker), &[&id.to_string()]) }</button>
                            <button type="button" class="btn" data-testid={format!("slow-broker-{id}")}
                                aria-label={if slow { t(lang, Key::UnslowNode).to_string() } else { fill(t(lang, Key::SlowNode), &["200"]) }}
                                onclick={u.reform(move |_: MouseEvent| UserAction::SlowNode { node: format!("broker-{id}"), extra_ms: if slow { 0 } else { 200 } })}>
                                { if slow { t(lang, Key::UnslowNode).to_string() } else { fill(t(lang, Key::SlowNode), &["200"]) } }</button>
                        </li>
                    }
                }) }
                <li>
                    <button type="button" class="btn danger" data-testid="kill-controller" aria-label={t(lang, Key::KillController)}
                        onclick={u.reform(|_: MouseEvent| UserAction::KillController)}>{ "★ " }{ t(lang, Key::KillController) }</button>
                </li>
                <li class="link-row">
                    { node_select("link-a", &av, set(&a), Key::LinkFrom) }
                    <span aria-hidden="true">{ "↔" }</span>
                    { node_select("link-b", &bv, set(&b), Key::LinkTo) }
                    <button type="button" class="btn danger" data-testid="cut-link" aria-label={t(lang, Key::CutLink)} onclick={cut}>{ "✂ " }{ t(lang, Key::CutLink) }</button>
                    <button type="button" class="btn" data-testid="heal-link" aria-label={t(lang, Key::HealLink)} onclick={heal}>{ t(lang, Key::HealLink) }</button>
                </li>
                { for view.consumers.iter().map(|c| {
                    let id = c.id;
                    let name = c.name.clone();
                    html! {
                        <li>
                            <span class="fault-name">{ format!("{} ({})", c.name, c.group_id) }</span>
                            if c.running {
                                <button type="button" class="btn danger" data-testid={format!("crash-consumer-{id}")}
                                    aria-label={fill(t(lang, Key::CrashConsumer), &[&name])}
                                    onclick={u.reform(move |_: MouseEvent| UserAction::CrashConsumer { consumer: id })}>
                                    { fill(t(lang, Key::CrashConsumer), &[&name]) }</button>
                            } else {
                                <button type="button" class="btn" data-testid={format!("restart-consumer-{id}")}
                                    aria-label={fill(t(lang, Key::RestartConsumer), &[&name])}
                                    onclick={u.reform(move |_: MouseEvent| UserAction::RestartConsumer { consumer: id })}>
                                    { fill(t(lang, Key::RestartConsumer), &[&name]) }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

// ----------------------------------------------------------------------------------------------
// Group panel

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
                                <th scope="col">{ t(lang, Key::ColLogEnd) }</th><th scope="col">{ t(lang, Key::ColLag) }</th>
                            </tr></thead>
                            <tbody>
                                { for g.offsets.iter().map(|o| html! {
                                    <tr data-testid={format!("lag-{}-{}-{}", g.group_id, o.topic, o.partition)}>
                                        <td>{ format!("{}-{}", o.topic, o.partition) }</td><td>{ o.committed_offset }</td>
                                        <td>{ o.log_end_offset }</td><td>{ o.lag }</td>
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

// ----------------------------------------------------------------------------------------------
// Producer panel

#[function_component(ProducerPanel)]
pub fn producer_panel(props: &PanelProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let u = &props.on_user;
    let key = use_state(|| "order-1".to_string());
    let value = use_state(|| "hello".to_string());
    let headers = use_state(String::new);
    let rate = use_state(|| "5".to_string());
    let chosen = use_state(|| 0usize);
    let topic_state = use_state(String::new);
    let topics: Vec<String> = view.topics.iter().filter(|t| !t.internal).map(|t| t.name.clone()).collect();
    let topic = if topics.contains(&*topic_state) {
        (*topic_state).clone()
    } else {
        topics.first().cloned().unwrap_or_default()
    };
    let Some(producer) = view.producers.get((*chosen).min(view.producers.len().saturating_sub(1))) else {
        return html! {
            <section class="panel" aria-labelledby="producer-heading">
                <h3 id="producer-heading">{ t(lang, Key::ProducerHeading) }</h3>
                <p class="hint">{ t(lang, Key::NoProducers) }</p>
            </section>
        };
    };
    let pid = producer.id;
    let send = {
        let (k, v, h, topic) = ((*key).clone(), (*value).clone(), (*headers).clone(), topic.clone());
        u.reform(move |_: MouseEvent| UserAction::Send {
            producer: pid,
            topic: topic.clone(),
            key: k.clone(),
            value: v.clone(),
            headers: h
                .split(',')
                .filter_map(|p| p.split_once('='))
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .collect(),
        })
    };
    let start = {
        let (r, topic) = ((*rate).clone(), topic.clone());
        u.reform(move |_: MouseEvent| UserAction::StartStream {
            producer: pid,
            topic: topic.clone(),
            rate: r.parse().unwrap_or(5),
        })
    };
    let stop = u.reform(move |_: MouseEvent| UserAction::StopStream { producer: pid });
    let on_pick = {
        let c = chosen.clone();
        Callback::from(move |e: Event| c.set(select_value(&e).parse().unwrap_or(0)))
    };
    let on_topic = {
        let s = topic_state.clone();
        Callback::from(move |e: Event| s.set(select_value(&e)))
    };
    html! {
        <section class="panel" aria-labelledby="producer-heading">
            <h3 id="producer-heading">{ t(lang, Key::ProducerHeading) }</h3>
            <div class="form">
                <select data-testid="producer-select" aria-label={t(lang, Key::ProducerHeading)} onchange={on_pick}>
                    { for view.producers.iter().enumerate().map(|(i, p)| html! {
                        <option value={i.to_string()} selected={p.id == pid}>{ format!("{} (acks={:?}, idempotence={})", p.name, p.acks, p.enable_idempotence) }</option>
                    }) }
                </select>
                <label class="field"><span>{ t(lang, Key::TopicLabel) }</span>
                    <select data-testid="send-topic" aria-label={t(lang, Key::TopicLabel)} onchange={on_topic}>
                        { for topics.iter().map(|n| html! { <option value={n.clone()} selected={*n == topic}>{ n.clone() }</option> }) }
                    </select></label>
                <label class="field"><span>{ t(lang, Key::KeyLabel) }</span>
                    <input data-testid="send-key" aria-label={t(lang, Key::KeyLabel)} value={(*key).clone()} oninput={text_setter(&key)} /></label>
                <label class="field"><span>{ t(lang, Key::ValueLabel) }</span>
                    <input data-testid="send-value" aria-label={t(lang, Key::ValueLabel)} value={(*value).clone()} oninput={text_setter(&value)} /></label>
                <label class="field wide"><span>{ t(lang, Key::HeadersLabel) }</span>
                    <input data-testid="send-headers" aria-label={t(lang, Key::HeadersLabel)} value={(*headers).clone()} oninput={text_setter(&headers)} /></label>
                <button type="button" class="btn primary" data-testid="send-one" aria-label={t(lang, Key::SendOne)} onclick={send}>{ t(lang, Key::SendOne) }</button>
                <label class="field"><span>{ t(lang, Key::RateLabel) }</span>
                    <input data-testid="stream-rate" type="number" min="1" max="100000" aria-label={t(lang, Key::RateLabel)} value={(*rate).clone()} oninput={text_setter(&rate)} /></label>
                <button type="button" class="btn" data-testid="stream-start" aria-label={t(lang, Key::StartStream)} onclick={start}>{ t(lang, Key::StartStream) }</button>
                <button type="button" class="btn" data-testid="stream-stop" aria-label={t(lang, Key::StopStream)} onclick={stop}>{ t(lang, Key::StopStream) }</button>
            </div>
            <h4>{ t(lang, Key::SendResults) }</h4>
            <ol class="results" data-testid="send-results">
                { for producer.results.iter().rev().take(8).map(|r| {
                    let where_ = r.topic_partition.as_ref().map(|p| format!("{}-{}", p.topic, p.partition)).unwrap_or("-".into());
                    let outcome = match &r.outcome {
                        SendOutcome::Pending => t(lang, Key::ResultPending).to_string(),
                        SendOutcome::Acked { offset } if *offset >= 0 => fill(t(lang, Key::ResultAcked), &[&where_, &offset.to_string()]),
                        SendOutcome::Acked { .. } => fill(t(lang, Key::ResultAckedNoOffset), &[&where_]),
                        SendOutcome::Failed { error } => fill(t(lang, Key::ResultFailed), &[error.name()]),
                    };
                    let key = r.key.as_ref().map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_else(|| t(lang, Key::NullValue).into());
                    html! { <li><span class="rec-key">{ key }</span>{ " → " }{ outcome }</li> }
                }) }
            </ol>
        </section>
    }
}

// ----------------------------------------------------------------------------------------------
// Build panel: topics, producers, consumers

#[function_component(BuildPanel)]
pub fn build_panel(props: &PanelProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let u = &props.on_user;
    let topic = use_state(|| "orders".to_string());
    let partitions = use_state(|| "3".to_string());
    let rf = use_state(|| "3".to_string());
    let acks = use_state(|| "all".to_string());
    let idem = use_state(|| true);
    let linger = use_state(|| "5".to_string());
    let ignore_keys = use_state(|| false);
    let group = use_state(|| "billing".to_string());
    let topics: Vec<String> = view.topics.iter().filter(|t| !t.internal).map(|t| t.name.clone()).collect();
    let create = {
        let (n, p, r) = ((*topic).clone(), (*partitions).clone(), (*rf).clone());
        u.reform(move |_: MouseEvent| UserAction::CreateTopic {
            name: n.clone(),
            partitions: p.parse().unwrap_or(0),
            replication_factor: r.parse().unwrap_or(0),
        })
    };
    let n_prod = view.producers.len() + 1;
    let add_producer = {
        let (a, i, l, k) = ((*acks).clone(), *idem, (*linger).clone(), *ignore_keys);
        u.reform(move |_: MouseEvent| UserAction::AddProducer {
            name: format!("producer-{n_prod}"),
            acks: a.clone(),
            idempotence: i,
            linger_ms: l.parse().unwrap_or(0),
            ignore_keys: k,
        })
    };
    let n_cons = view.consumers.len() + 1;
    let first_topic = topics.first().cloned().unwrap_or_default();
    let add_consumer = {
        let g = (*group).clone();
        u.reform(move |_: MouseEvent| UserAction::AddConsumer {
            name: format!("consumer-{n_cons}"),
            group: g.clone(),
            topic: first_topic.clone(),
        })
    };
    let on_acks = {
        let s = acks.clone();
        Callback::from(move |e: Event| s.set(select_value(&e)))
    };
    let on_idem = {
        let s = idem.clone();
        Callback::from(move |e: Event| {
            s.set(e.target_dyn_into::<HtmlInputElement>().map(|i| i.checked()).unwrap_or(true))
        })
    };
    let on_ignore = {
        let s = ignore_keys.clone();
        Callback::from(move |e: Event| {
            s.set(e.target_dyn_into::<HtmlInputElement>().map(|i| i.checked()).unwrap_or(false))
        })
    };
    let _ = input_value;
    html! {
        <section class="panel" aria-labelledby="build-heading">
            <h3 id="build-heading">{ t(lang, Key::BuildHeading) }</h3>
            <div class="form">
                <label class="field"><span>{ t(lang, Key::TopicLabel) }</span>
                    <input data-testid="topic-name" aria-label={t(lang, Key::TopicLabel)} value={(*topic).clone()} oninput={text_setter(&topic)} /></label>
                <label class="field"><span>{ t(lang, Key::PartitionsLabel) }</span>
                    <input data-testid="topic-partitions" type="number" min="1" max="64" aria-label={t(lang, Key::PartitionsLabel)} value={(*partitions).clone()} oninput={text_setter(&partitions)} /></label>
                <label class="field"><span>{ t(lang, Key::RfLabel) }</span>
                    <input data-testid="topic-rf" type="number" min="1" max="12" aria-label={t(lang, Key::RfLabel)} value={(*rf).clone()} oninput={text_setter(&rf)} /></label>
                <button type="button" class="btn" data-testid="create-topic" aria-label={t(lang, Key::CreateTopic)} onclick={create}>{ t(lang, Key::CreateTopic) }</button>
            </div>
            <div class="form">
                <label class="field"><span>{ "acks" }</span>
                    <select data-testid="producer-acks" aria-label="acks" onchange={on_acks}>
                        { for ["all", "1", "0"].iter().map(|a| html! { <option value={*a} selected={*a == *acks}>{ *a }</option> }) }
                    </select></label>
                <label class="check"><input type="checkbox" data-testid="producer-idempotence" checked={*idem} onchange={on_idem} />{ t(lang, Key::IdempotenceLabel) }</label>
                <label class="field"><span>{ t(lang, Key::LingerLabel) }</span>
                    <input data-testid="producer-linger" type="number" min="0" aria-label={t(lang, Key::LingerLabel)} value={(*linger).clone()} oninput={text_setter(&linger)} /></label>
                <label class="check"><input type="checkbox" data-testid="producer-ignore-keys" checked={*ignore_keys} onchange={on_ignore} />{ t(lang, Key::IgnoreKeysLabel) }</label>
                <button type="button" class="btn" data-testid="add-producer" aria-label={t(lang, Key::AddProducer)} onclick={add_producer}>{ t(lang, Key::AddProducer) }</button>
            </div>
            <div class="form">
                <label class="field"><span>{ t(lang, Key::GroupIdLabel) }</span>
                    <input data-testid="consumer-group" aria-label={t(lang, Key::GroupIdLabel)} value={(*group).clone()} oninput={text_setter(&group)} /></label>
                <button type="button" class="btn" data-testid="add-consumer" aria-label={t(lang, Key::AddConsumer)} onclick={add_consumer}>{ t(lang, Key::AddConsumer) }</button>
            </div>
        </section>
    }
}

// ----------------------------------------------------------------------------------------------
// Partition log inspector

#[derive(Properties, PartialEq)]
pub struct LogInspectorProps {
    pub lang: Lang,
    pub view: ViewRc,
    pub selected: Option<(String, i32)>,
    pub data: Option<Rc<PartitionLog>>,
    pub on_action: Callback<AppAction>,
}

#[function_component(LogInspector)]
pub fn log_inspector(props: &LogInspectorProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let options: Vec<(String, i32)> = view
        .topics
        .iter()
        .filter(|t| !t.internal)
        .flat_map(|t| t.partitions.iter().map(move |p| (t.name.clone(), p.partition)))
        .collect();
    let on_pick = {
        let options = options.clone();
        props.on_action.reform(move |e: Event| {
            AppAction::Inspect(select_value(&e).parse::<usize>().ok().and_then(|i| options.get(i).cloned()))
        })
    };
    let selected = props.selected.clone();
    html! {
        <section class="panel inspector" aria-labelledby="inspector-heading">
            <h3 id="inspector-heading">{ t(lang, Key::InspectorHeading) }</h3>
            if options.is_empty() { <p class="hint">{ t(lang, Key::InspectorNone) }</p> }
            <select data-testid="inspect-select" aria-label={t(lang, Key::InspectorPick)} onchange={on_pick}>
                <option value="" selected={selected.is_none()}>{ t(lang, Key::InspectorPick) }</option>
                { for options.iter().enumerate().map(|(i, (topic, p))| html! {
                    <option value={i.to_string()} selected={selected.as_ref() == Some(&(topic.clone(), *p))}>{ format!("{topic}-{p}") }</option>
                }) }
            </select>
            if let (Some((topic, partition)), Some(log)) = (selected, props.data.as_ref()) {
                <div class="log-view" data-testid={format!("log-{topic}-{partition}")}>
                    <p class="markers">
                        <span class="marker">{ fill(t(lang, Key::LogStartMark), &[&log.log_start.to_string()]) }</span>
                        <span class="marker marker-hw">{ fill(t(lang, Key::HwMark), &[&log.hw.to_string()]) }</span>
                        <span class="marker marker-leo">{ fill(t(lang, Key::LeoMark), &[&log.leo.to_string()]) }</span>
                    </p>
                    <ul class="positions">
                        { for view.brokers.iter().filter_map(|b| b.replicas.iter().find(|r| r.topic == topic && r.partition == partition).map(|r| (b.id, r))).map(|(id, r)| html! {
                            <li>{ fill(t(lang, Key::ReplicaPosition), &[&id.to_string(), t(lang, if r.role.as_str() == "leader" { Key::Leader } else { Key::Follower }), &r.log_end_offset.to_string(), &r.high_watermark.to_string()]) }</li>
                        }) }
                        { for view.groups.iter().flat_map(|g| g.offsets.iter().filter(|o| o.topic == topic && o.partition == partition).map(move |o| (g.group_id.clone(), o))).map(|(g, o)| html! {
                            <li>{ fill(t(lang, Key::CommittedMark), &[&g, &o.committed_offset.to_string(), &o.lag.to_string()]) }</li>
                        }) }
                    </ul>
                    if log.hidden > 0 { <p class="hint">{ fill(t(lang, Key::RecordsTrimmed), &[&log.hidden.to_string()]) }</p> }
                    { for log.segments.iter().enumerate().map(|(i, s)| html! {
                        <div class="segment">
                            <h4>{ fill(t(lang, Key::SegmentLabel), &[&i.to_string(), &s.base_offset.to_string()]) }</h4>
                            <ol class="records">
                                { for s.records.iter().map(|r| {
                                    let committed = r.offset < log.hw;
                                    html! {
                                        <li class={classes!("record", (!committed).then_some("record-uncommitted"))} data-testid={format!("record-{}", r.offset)}>
                                            <span class="rec-offset">{ format!("#{}", r.offset) }</span>
                                            <span class="rec-key">{ r.key.clone().unwrap_or_else(|| t(lang, Key::NullValue).into()) }</span>
                                            <span class="rec-value">{ r.value.clone().unwrap_or_else(|| t(lang, Key::NullValue).into()) }</span>
                                            <span class="rec-ts">{ format!("ts {}", r.timestamp) }</span>
                                            if !r.headers.is_empty() {
                                                <span class="rec-headers">{ r.headers.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ") }</span>
                                            }
                                        </li>
                                    }
                                }) }
                            </ol>
                        </div>
                    }) }
                </div>
            }
        </section>
    }
}

// ----------------------------------------------------------------------------------------------
// Narration feed

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub lang: Lang,
    pub show_routine: bool,
    /// The facts to narrate, newest first (already filtered by `show_routine`).
    pub facts: Rc<Vec<TimedFact>>,
    /// The oldest kept fact's time, when older facts were let go (said, never silently cut).
    #[prop_or_default]
    pub history_from: Option<Millis>,
    /// Clients by name, for the sentences.
    pub roster: Rc<narrate::Roster>,
    /// A scenario's notes box (None for a preset).
    #[prop_or_default]
    pub notes: Option<Rc<NotesData>>,
    pub on_action: Callback<AppAction>,
}

#[function_component(NarrationFeed)]
pub fn narration_feed(props: &NarrationProps) -> Html {
    let lang = props.lang;
    let toggle = props.on_action.reform(|_: Event| AppAction::ToggleRoutine);
    let lines = narrate::feed_lines(props.facts.iter(), 60);
    html! {
        <aside class="narration-panel" aria-labelledby="narration-heading">
            if let Some(notes) = &props.notes {
                <ScenarioNotes {lang} notes={notes.clone()} on_action={props.on_action.clone()} />
            }
            <h3 id="narration-heading">{ t(lang, Key::NarrationHeading) }</h3>
            <label class="check"><input type="checkbox" data-testid="toggle-routine" checked={props.show_routine} onchange={toggle} />{ t(lang, Key::ShowRoutine) }</label>
            <ol class="narration" data-testid="narration" aria-live="polite">
                if lines.is_empty() { <li class="hint">{ t(lang, Key::NarrationEmpty) }</li> }
                { for lines.into_iter().map(|line| {
                    // A collapsed line jumps to its first occurrence.
                    let (first, last) = (line.oldest().at_ms, line.newest().at_ms);
                    let onclick = props.on_action.reform(move |_: MouseEvent| AppAction::Seek(first));
                    let mark = narrate::mark(&line.newest().fact);
                    let class = classes!("fact", mark.map(|m| match m { Mark::Fault => "fact-fault", Mark::Election => "fact-election", Mark::Rebalance => "fact-rebalance" }));
                    let time = if first == last { format!("{last} ms") } else { format!("{first}–{last} ms") };
                    let count = line.count();
                    // The sentence shortens member ids; the full ones show on hover.
                    let members = narrate::member_ids(&line.newest().fact).join(", ");
                    let title = (!members.is_empty()).then_some(members);
                    html! {
                        <li key={line.newest().index} {class} data-count={count.to_string()}>
                            <button type="button" class="fact-jump" title={t(lang, Key::NarrationJump)} {onclick}>
                                <span class="fact-time">{ time }</span>
                                <span class="fact-text" {title}>
                                    { line.sentence(lang, &props.roster) }
                                    if count > 1 {
                                        { " " }
                                        <span class="fact-count" data-testid="fact-count" title={fill(t(lang, Key::Repeated), &[&count.to_string()])}
                                            aria-label={fill(t(lang, Key::Repeated), &[&count.to_string()])}>{ format!("×{count}") }</span>
                                    }
                                </span>
                            </button>
                        </li>
                    }
                }) }
                if let Some(at) = props.history_from {
                    <li class="hint" data-testid="feed-truncated">{ fill(t(lang, Key::NarrationTruncated), &[&at.to_string()]) }</li>
                }
            </ol>
        </aside>
    }
}

/// What a scenario's notes box shows: the notes reached, the next one's time, refused steps.
#[derive(Debug, Clone, PartialEq)]
pub struct NotesData {
    /// Reached so far, oldest first.
    pub reached: Vec<ReachedNote>,
    pub next_at_ms: Option<Millis>,
    pub failures: Vec<(Millis, String)>,
}

#[derive(Properties, PartialEq)]
pub struct ScenarioNotesProps {
    pub lang: Lang,
    pub notes: Rc<NotesData>,
    pub on_action: Callback<AppAction>,
}

/// The scenario's step notes as time reaches them, newest first (the newest stands out).
#[function_component(ScenarioNotes)]
pub fn scenario_notes(props: &ScenarioNotesProps) -> Html {
    let lang = props.lang;
    let notes = &props.notes;
    let status = match (notes.reached.is_empty(), notes.next_at_ms) {
        (true, Some(at)) => fill(t(lang, Key::NotesUpcoming), &[&at.to_string()]),
        (false, Some(at)) => fill(t(lang, Key::NotesNext), &[&at.to_string()]),
        (_, None) => t(lang, Key::NotesDone).to_string(),
    };
    html! {
        <section class="scenario-notes" data-testid="scenario-notes" aria-labelledby="notes-heading">
            <h3 id="notes-heading">{ t(lang, Key::NotesHeading) }</h3>
            { for notes.failures.iter().map(|(at, error)| html! {
                <p class="step-failed" role="alert">{ fill(t(lang, Key::StepFailed), &[&at.to_string(), error]) }</p>
            }) }
            <ol class="notes" aria-live="polite">
                { for notes.reached.iter().rev().enumerate().map(|(i, (index, at, text))| {
                    let at = *at;
                    let onclick = props.on_action.reform(move |_: MouseEvent| AppAction::Seek(at));
                    html! {
                        <li key={*index} class={classes!("note", (i == 0).then_some("note-current"))} data-testid={format!("step-note-{index}")}>
                            <button type="button" class="fact-jump" title={t(lang, Key::NarrationJump)} {onclick}>
                                <span class="fact-time">{ format!("{at} ms") }</span>
                                <span class="note-text">{ text.get(lang.code()) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <p class="hint notes-status">{ status }</p>
        </section>
    }
}

// ----------------------------------------------------------------------------------------------
// Footer

#[derive(Properties, PartialEq)]
pub struct FooterProps {
    pub lang: Lang,
}

#[function_component(Footer)]
pub fn footer(props: &FooterProps) -> Html {
    let lang = props.lang;
    html! {
        <footer class="app-footer">
            <span>{ t(lang, Key::FooterAbout) }</span>
            <span class="footer-sep" aria-hidden="true">{ "·" }</span>
            <span>{ t(lang, Key::FooterOffline) }</span>
            <span class="footer-sep" aria-hidden="true">{ "·" }</span>
            <span class="footer-version">{ concat!("v", env!("CARGO_PKG_VERSION")) }</span>
        </footer>
    }
}

#[derive(Properties, PartialEq)]
pub struct MemoryLineProps {
    pub status: crate::dev::MemoryStatus,
}

/// Developer mode's status line: what the page holds (numbers and units only, no language).
#[function_component(MemoryLine)]
pub fn memory_line(props: &MemoryLineProps) -> Html {
    let s = &props.status;
    let mib = |bytes: usize| format!("{:.1} MiB", bytes as f64 / 1_048_576.0);
    html! {
        <p class="memory-line" data-testid="memory-line" data-wasm-bytes={s.wasm_memory_bytes.to_string()}
            data-heap-bytes={s.heap_bytes.to_string()} data-checkpoints={s.checkpoints.to_string()}>
            { format!("wasm {} · heap {} · checkpoints {} · seekable from {} ms",
                mib(s.wasm_memory_bytes), mib(s.heap_bytes), s.checkpoints, s.seekable_from_ms) }
        </p>
    }
}
