//! The producer panel: send one record or a stream, and the latest send results.

use kafkalab_engine::log::CompressionType;
use kafkalab_engine::producer::SendOutcome;
use yew::prelude::*;

use super::form::{select_value, text_setter};
use super::PanelProps;
use crate::i18n::{fill, t, Key};
use crate::sim::UserAction;

/// The `acks` setting as Kafka's producer config spells it (`0`, `1`, `all`).
fn acks_config(acks: kafkalab_engine::protocol::Acks) -> &'static str {
    use kafkalab_engine::protocol::Acks;
    match acks {
        Acks::None => "0",
        Acks::Leader => "1",
        Acks::All => "all",
    }
}

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
    let on_compression =
        u.reform(move |e: Event| UserAction::SetCompression { producer: pid, compression: select_value(&e) });
    let compression = producer.compression_type;
    html! {
        <section class="panel" aria-labelledby="producer-heading">
            <h3 id="producer-heading">{ t(lang, Key::ProducerHeading) }</h3>
            <div class="form">
                <select data-testid="producer-select" aria-label={t(lang, Key::ProducerHeading)} onchange={on_pick}>
                    { for view.producers.iter().enumerate().map(|(i, p)| html! {
                        <option value={i.to_string()} selected={p.id == pid}>{ format!("{} (acks={}, enable.idempotence={}, compression.type={})", p.name, acks_config(p.acks), p.enable_idempotence, p.compression_type) }</option>
                    }) }
                </select>
                <label class="field"><span>{ t(lang, Key::TopicLabel) }</span>
                    <select data-testid="send-topic" aria-label={t(lang, Key::TopicLabel)} onchange={on_topic}>
                        { for topics.iter().map(|n| html! { <option value={n.clone()} selected={*n == topic}>{ n.clone() }</option> }) }
                    </select></label>
                <label class="field" title={t(lang, Key::CompressionHint)}><span>{ "compression.type" }</span>
                    <select data-testid="producer-compression" aria-label="compression.type" onchange={on_compression}>
                        { for CompressionType::ALL.iter().map(|c| html! { <option value={c.name()} selected={*c == compression}>{ c.name() }</option> }) }
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
                        SendOutcome::ProcessCrashed => t(lang, Key::ResultProcessCrashed).to_string(),
                    };
                    let key = r.key.as_ref().map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_else(|| t(lang, Key::NullValue).into());
                    html! { <li><span class="rec-key">{ key }</span>{ " → " }{ outcome }</li> }
                }) }
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::acks_config;
    use kafkalab_engine::protocol::Acks;

    #[test]
    fn acks_read_as_kafka_spells_the_config() {
        assert_eq!([acks_config(Acks::None), acks_config(Acks::Leader), acks_config(Acks::All)], ["0", "1", "all"]);
    }
}
