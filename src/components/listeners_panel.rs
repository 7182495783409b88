//! Declared listeners (Spring `@KafkaListener` methods with their error handler): per consumer,
//! what the listener did so far (failed deliveries, `DefaultErrorHandler` back-offs, records sent
//! to a DLT or to retry topics) and what it is doing now (sleeping a back-off, retry partitions
//! paused), and an editor to redeploy its program (`Action::SetListenerProgram`).

use yew::prelude::*;

use super::PanelProps;
use crate::i18n::{fill, t, Key, Lang};
use crate::sim::UserAction;
use kafkalab_engine::view::ConsumerView;

/// What the editor starts with for a consumer without a declared listener.
const TEMPLATE: &str = "[[rule]]\nkey = \"key-3\"\nfail = \"always\"\nexception = \"com.shop.PaymentDeclinedException\"\nmessage = \"card declined\"\n\n[error_handler]\nkind = \"default\"\nback_off = { kind = \"fixed\", interval_ms = 1000, max_attempts = 2 }\nrecoverer = \"log\"\n";

#[derive(Properties, PartialEq)]
struct EditorProps {
    lang: Lang,
    consumer: u32,
    initial: String,
    on_user: Callback<UserAction>,
}

/// A program's text and its Apply button; the text stays as typed until applied.
#[function_component(ListenerEditor)]
fn listener_editor(props: &EditorProps) -> Html {
    let text = use_state(|| props.initial.clone());
    let consumer = props.consumer;
    let apply = {
        let text = text.clone();
        props.on_user.reform(move |_: MouseEvent| UserAction::SetListenerProgram { consumer, program: (*text).clone() })
    };
    let lang = props.lang;
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                text.set(area.value());
            }
        })
    };
    html! {
        <div class="listener-editor">
            <textarea data-testid={format!("listener-program-{consumer}")} aria-label={t(lang, Key::ListenerProgram)}
                rows="10" spellcheck="false" value={(*text).clone()} {oninput} />
            <button type="button" class="btn" data-testid={format!("listener-apply-{consumer}")} onclick={apply}>
                { t(lang, Key::ListenerApply) }</button>
        </div>
    }
}

fn state(lang: Lang, c: &ConsumerView) -> String {
    let Some(l) = &c.listener else { return String::new() };
    let mut parts: Vec<String> = Vec::new();
    if let Some(until) = l.backing_off_until {
        parts.push(fill(t(lang, Key::ListenerSleeping), &[&until.to_string()]));
    }
    for (tp, until) in &l.paused {
        parts.push(fill(t(lang, Key::ListenerPaused), &[&tp.to_string(), &until.to_string()]));
    }
    if parts.is_empty() {
        parts.push(t(lang, Key::ListenerRunning).to_string());
    }
    parts.join(", ")
}

#[function_component(ListenersPanel)]
pub fn listeners_panel(props: &PanelProps) -> Html {
    let lang = props.lang;
    let consumers = &props.view.0.consumers;
    let chosen = use_state(|| None::<u32>);
    if consumers.is_empty() {
        return html! {};
    }
    let with: Vec<&ConsumerView> = consumers.iter().filter(|c| c.listener.is_some()).collect();
    let without: Vec<&ConsumerView> = consumers.iter().filter(|c| c.listener.is_none() && c.running).collect();
    let pick = chosen.filter(|id| without.iter().any(|c| c.id == *id)).or(without.first().map(|c| c.id));
    let on_pick = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| chosen.set(super::form::select_value(&e).parse().ok()))
    };
    html! {
        <section class="panel panel-wide" aria-labelledby="listeners-heading" data-testid="listeners-panel">
            <h3 id="listeners-heading">{ t(lang, Key::ListenersHeading) }</h3>
            <p class="hint">{ t(lang, Key::ListenersHint) }</p>
            if !with.is_empty() {
                <div class="table-scroll">
                    <table class="listeners-table">
                        <thead>
                            <tr>
                                <th scope="col">{ t(lang, Key::ConsumerKind) }</th>
                                <th scope="col">{ t(lang, Key::ListenerFailures) }</th>
                                <th scope="col">{ t(lang, Key::ListenerBackOffs) }</th>
                                <th scope="col">{ t(lang, Key::ListenerDeadLettered) }</th>
                                <th scope="col">{ t(lang, Key::ListenerForwarded) }</th>
                                <th scope="col">{ t(lang, Key::ListenerState) }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for with.iter().map(|c| {
                                let Some(l) = &c.listener else { return html! {} };
                                let s = l.stats;
                                html! {
                                    <tr data-testid={format!("listener-{}", c.name)} data-failures={s.failures.to_string()}
                                        data-back-offs={s.back_offs.to_string()} data-dead-lettered={s.dead_lettered.to_string()}
                                        data-forwarded={s.forwarded.to_string()} data-backing-off={l.backing_off_until.is_some().to_string()}>
                                        <th scope="row">{ &c.name }</th>
                                        <td>{ s.failures }</td>
                                        <td>{ s.back_offs }</td>
                                        <td class={classes!((s.dead_lettered > 0).then_some("processor-bad"))}>{ s.dead_lettered }</td>
                                        <td>{ s.forwarded }</td>
                                        <td>{ state(lang, c) }</td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
                { for with.iter().map(|c| html! {
                    <details class="listener-details">
                        <summary>{ t(lang, Key::ListenerProgram) }{ ": " }{ &c.name }</summary>
                        <ListenerEditor {lang} consumer={c.id} initial={c.listener.as_ref().map(|l| l.program.clone()).unwrap_or_default()} on_user={props.on_user.clone()} />
                    </details>
                }) }
            }
            if let Some(id) = pick {
                <details class="listener-details" data-testid="listener-new">
                    <summary>{ t(lang, Key::ListenerProgram) }{ " " }{ t(lang, Key::ListenerNone) }</summary>
                    <select data-testid="listener-consumer" aria-label={t(lang, Key::ConsumerKind)} onchange={on_pick}>
                        { for without.iter().map(|c| html! { <option value={c.id.to_string()} selected={c.id == id}>{ &c.name }</option> }) }
                    </select>
                    <ListenerEditor key={id.to_string()} {lang} consumer={id} initial={TEMPLATE.to_string()} on_user={props.on_user.clone()} />
                </details>
            }
        </section>
    }
}
