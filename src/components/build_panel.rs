//! The build panel: create topics, add producers and consumers.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::form::{select_value, text_setter};
use super::PanelProps;
use crate::i18n::{t, Key};
use crate::sim::UserAction;

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
