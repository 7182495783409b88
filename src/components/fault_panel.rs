//! The fault panel: kill, restart and slow brokers, cut and heal links, crash clients.

use kafkalab_engine::sim::NodeId;
use yew::prelude::*;

use super::form::select_value;
use super::PanelProps;
use crate::i18n::{fill, t, Key};
use crate::sim::UserAction;

#[function_component(FaultPanel)]
pub fn fault_panel(props: &PanelProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let u = &props.on_user;
    let mut nodes: Vec<NodeId> = view.brokers.iter().map(|b| NodeId::Broker(b.id)).collect();
    nodes.extend(view.producers.iter().map(|p| p.client));
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
                { for view.producers.iter().map(|p| {
                    let id = p.id;
                    let name = p.name.clone();
                    html! {
                        <li>
                            <span class="fault-name">{ &p.name }</span>
                            if p.running {
                                <button type="button" class="btn danger" data-testid={format!("crash-producer-{id}")}
                                    aria-label={fill(t(lang, Key::CrashProducer), &[&name])}
                                    onclick={u.reform(move |_: MouseEvent| UserAction::CrashProducer { producer: id })}>
                                    { fill(t(lang, Key::CrashProducer), &[&name]) }</button>
                            } else {
                                <button type="button" class="btn" data-testid={format!("restart-producer-{id}")}
                                    aria-label={fill(t(lang, Key::RestartProducer), &[&name])}
                                    onclick={u.reform(move |_: MouseEvent| UserAction::RestartProducer { producer: id })}>
                                    { fill(t(lang, Key::RestartProducer), &[&name]) }</button>
                            }
                        </li>
                    }
                }) }
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
