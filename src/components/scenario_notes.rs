//! A scenario's notes box: explain mode, the way between notes, the notes reached, and at the end
//! a summary of what happened.

use std::rc::Rc;

use kafkalab_engine::scenario::Summary;
use yew::prelude::*;

use crate::i18n::{fill, t, Key, Lang};
use crate::state::{AppAction, NotesData};

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
    let status = match (notes.reached.is_empty(), notes.next) {
        (true, Some(Some(at))) => fill(t(lang, Key::NotesUpcoming), &[&at.to_string()]),
        (false, Some(Some(at))) => fill(t(lang, Key::NotesNext), &[&at.to_string()]),
        (_, Some(None)) => t(lang, Key::NotesWaiting).to_string(),
        (_, None) => t(lang, Key::NotesDone).to_string(),
    };
    let on_explain = props.on_action.reform(|_: Event| AppAction::ToggleExplain);
    let on_prev = props.on_action.reform(|_: MouseEvent| AppAction::PreviousNote);
    let on_next = props.on_action.reform(|_: MouseEvent| AppAction::NextNote);
    html! {
        <section class="scenario-notes" data-testid="scenario-notes" aria-labelledby="notes-heading">
            <div class="notes-bar">
                <h3 id="notes-heading">{ t(lang, Key::NotesHeading) }</h3>
                <label class="explain" title={t(lang, Key::ExplainHint)}>
                    <input type="checkbox" data-testid="explain-toggle" checked={notes.explain} onchange={on_explain} />
                    { t(lang, Key::ExplainToggle) }
                </label>
                <button type="button" data-testid="note-prev" title="Shift+←" onclick={on_prev}>{ t(lang, Key::NotePrevious) }</button>
                <button type="button" data-testid="note-next" title="Shift+→" onclick={on_next}
                    disabled={notes.next.is_none()}>{ t(lang, Key::NoteNext) }</button>
            </div>
            { for notes.failures.iter().map(|(at, error)| html! {
                <p class="step-failed" role="alert">{ fill(t(lang, Key::StepFailed), &[&at.to_string(), error]) }</p>
            }) }
            if let Some(summary) = &notes.summary {
                { summary_box(lang, summary) }
            }
            <ol class="notes" aria-live="polite">
                { for notes.reached.iter().rev().enumerate().map(|(i, note)| {
                    let at = note.at_ms;
                    let onclick = props.on_action.reform(move |_: MouseEvent| AppAction::Seek(at));
                    html! {
                        <li key={note.index} class={classes!("note", (i == 0).then_some("note-current"))}
                            data-testid={format!("step-note-{}", note.index)} data-at={at.to_string()}>
                            <button type="button" class="fact-jump" title={t(lang, Key::NarrationJump)} {onclick}>
                                <span class="fact-time">{ format!("{at} ms") }</span>
                                <span class="note-text">{ note.text.get(lang.code()) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <p class="hint notes-status">{ status }</p>
        </section>
    }
}

/// The end-of-scenario summary: only the lines with something to say, besides the acknowledged.
fn summary_box(lang: Lang, s: &Summary) -> Html {
    let mut lines =
        vec![fill(t(lang, Key::SummaryAcked), &[&s.records_acked.to_string(), &s.records_failed.to_string()])];
    if s.acked_lost > 0 {
        lines.push(fill(t(lang, Key::SummaryLost), &[&s.acked_lost.to_string()]));
    }
    if s.duplicates_in_log > 0 || s.duplicates_processed > 0 {
        lines.push(fill(
            t(lang, Key::SummaryDuplicates),
            &[&s.duplicates_in_log.to_string(), &s.duplicates_processed.to_string()],
        ));
    }
    if s.skipped > 0 {
        lines.push(fill(t(lang, Key::SummarySkipped), &[&s.skipped.to_string()]));
    }
    if s.leaderless_partitions > 0 {
        lines.push(fill(
            t(lang, Key::SummaryLeaderless),
            &[&s.leaderless_ms.to_string(), &s.leaderless_partitions.to_string()],
        ));
    }
    if s.rebalances > 0 {
        lines.push(fill(
            t(lang, Key::SummaryRebalances),
            &[&s.rebalances.to_string(), &s.rebalance_pause_ms.to_string(), &s.longest_rebalance_ms.to_string()],
        ));
    }
    html! {
        <div class="scenario-summary" data-testid="scenario-summary" role="status"
            data-acked={s.records_acked.to_string()} data-lost={s.acked_lost.to_string()}
            data-rebalances={s.rebalances.to_string()}>
            <h4>{ t(lang, Key::SummaryHeading) }</h4>
            <ul>{ for lines.into_iter().map(|l| html! { <li>{ l }</li> }) }</ul>
            if s.facts_from_ms > 0 {
                <p class="hint">{ fill(t(lang, Key::SummaryFrom), &[&s.facts_from_ms.to_string()]) }</p>
            }
        </div>
    }
}
