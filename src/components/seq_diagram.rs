//! The protocol messages between nodes as a sequence diagram: one lane per node, time flowing
//! down over a short window ending at the timeline cursor, a dropped message drawn dashed with a
//! cross where it was lost. Clicking (or Enter on) a message shows its fields.

use yew::prelude::*;

use kafkalab_engine::cluster::message_log::{LoggedMessage, MessageOutcome};
use kafkalab_engine::sim::NodeId;

use crate::cluster::ViewRc;
use crate::i18n::{fill, t, Key, Lang};
use crate::logs::{MessageData, Shared};

#[derive(Properties, PartialEq)]
pub struct SeqDiagramProps {
    pub lang: Lang,
    pub data: Shared<MessageData>,
    /// To name clients by their configured names.
    pub view: ViewRc,
}

const WIDTH: u64 = 520;
const HEIGHT: u64 = 300;
const TOP: u64 = 22;

fn node_name(n: NodeId, view: &kafkalab_engine::view::View) -> String {
    match n {
        NodeId::Broker(_) => n.to_string(),
        NodeId::Client(c) => view
            .consumers
            .iter()
            .find(|x| x.client == n)
            .map(|x| x.name.clone())
            .or_else(|| view.producers.iter().find(|p| p.id == c).map(|p| p.name.clone()))
            .unwrap_or_else(|| n.to_string()),
    }
}

fn outcome_name(m: &LoggedMessage) -> &'static str {
    match m.outcome {
        MessageOutcome::InFlight => "in_flight",
        MessageOutcome::Delivered => "delivered",
        MessageOutcome::Dropped { .. } => "dropped",
        _ => "reset",
    }
}

#[function_component(SeqDiagram)]
pub fn seq_diagram(props: &SeqDiagramProps) -> Html {
    let lang = props.lang;
    let data = &props.data.0;
    let view = &props.view.0;
    let selected = use_state(|| None::<(Option<u64>, u64)>);
    let lanes = data.nodes.len().max(1) as u64;
    let x = |n: NodeId| {
        let i = data.nodes.iter().position(|m| *m == n).unwrap_or(0) as u64;
        30 + i * (WIDTH - 60) / (lanes - 1).max(1)
    };
    let span = (data.to_ms - data.from_ms).max(1);
    let y = |t: u64| TOP + t.clamp(data.from_ms, data.to_ms).saturating_sub(data.from_ms) * (HEIGHT - TOP - 6) / span;
    let picked = (*selected).and_then(|key| data.messages.iter().find(|m| (m.id, m.sent_at_ms) == key));
    html! {
        <section class="panel seq" aria-labelledby="seq-heading">
            <h3 id="seq-heading">{ t(lang, Key::SeqHeading) }</h3>
            <p class="hint">{ fill(t(lang, Key::SeqHint), &[&data.from_ms.to_string(), &data.to_ms.to_string()]) }</p>
            <svg class="seq-diagram" data-testid="seq-diagram" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} width="100%"
                role="group" aria-label={t(lang, Key::SeqHeading)}>
                <defs>
                    <marker id="seq-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0 0 L8 4 L0 8 z" />
                    </marker>
                </defs>
                { for data.nodes.iter().map(|n| html! {
                    <g class="seq-lane">
                        <line x1={x(*n).to_string()} y1={TOP.to_string()} x2={x(*n).to_string()} y2={HEIGHT.to_string()} />
                        <text x={x(*n).to_string()} y="12" text-anchor="middle">{ node_name(*n, view) }</text>
                    </g>
                }) }
                { for data.messages.iter().map(|m| {
                    let key = (m.id, m.sent_at_ms);
                    let outcome = outcome_name(m);
                    let (x1, y1, x2, y2) = (x(m.from), y(m.sent_at_ms), x(m.to), y(m.end_at_ms));
                    let label = fill(t(lang, Key::SeqMessage), &[m.kind, &node_name(m.from, view), &node_name(m.to, view), &m.sent_at_ms.to_string(), outcome]);
                    let select = { let selected = selected.clone(); Callback::from(move |_: MouseEvent| selected.set(Some(key))) };
                    let on_key = { let selected = selected.clone(); Callback::from(move |e: KeyboardEvent| if e.key() == "Enter" || e.key() == " " { e.prevent_default(); selected.set(Some(key)) }) };
                    html! {
                        <g class={classes!("seq-msg", format!("seq-{outcome}"), (*selected == Some(key)).then_some("seq-selected"))}
                            data-kind={m.kind} data-outcome={outcome} tabindex="0" role="button" aria-label={label.clone()}
                            onclick={select} onkeydown={on_key}>
                            <title>{ label }</title>
                            <line class="seq-hit" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                            <line x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} marker-end={(outcome != "dropped").then_some("url(#seq-arrow)")} />
                            if outcome == "dropped" {
                                <text class="seq-cross" x={x2.to_string()} y={(y2 + 4).to_string()} text-anchor="middle">{ "✕" }</text>
                            }
                        </g>
                    }
                }) }
            </svg>
            if let Some(m) = picked {
                <div class="seq-fields" data-testid="seq-fields">
                    <p><strong>{ m.kind }</strong>{ format!(" {} → {}, {}–{} ms ({})", node_name(m.from, view), node_name(m.to, view), m.sent_at_ms, m.end_at_ms, outcome_name(m)) }</p>
                    <pre>{ serde_json::to_string_pretty(&m.fields()).unwrap_or_default() }</pre>
                </div>
            } else {
                <p class="hint">{ t(lang, Key::SeqPick) }</p>
            }
        </section>
    }
}
