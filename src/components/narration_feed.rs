//! The narration feed: what happened, newest first, with the scenario's notes above it.

use std::rc::Rc;

use kafkalab_engine::cluster::TimedFact;
use kafkalab_engine::sim::Millis;
use yew::prelude::*;

use super::ScenarioNotes;
use crate::i18n::{fill, t, Key, Lang};
use crate::narrate::{self, Mark};
use crate::state::{AppAction, NotesData};

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
