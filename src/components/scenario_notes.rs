//! A scenario's notes box.

use std::rc::Rc;

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
