//! The lesson path and the open lesson: its text, what to look at, predict-then-run questions,
//! what-if forks and a task to try. Verdicts come from the reducer (a run of the engine), never
//! from this component.

use std::rc::Rc;

use kafkalab_engine::lesson::{Lesson, Question, TryWhere};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{fill, t, Key, Lang};
use crate::lessons::{self, Asking, Progress};
use crate::state::{AppAction, LessonAction};

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    pub lang: Lang,
    pub lesson: Option<String>,
    pub asking: Option<Asking>,
    pub progress: Rc<Progress>,
    /// The running built-in scenario (None for the presets).
    pub scenario: Option<String>,
    /// The cursor's virtual time: where "Fork here" parts the branches.
    pub now_ms: u64,
    /// The lessons are parsed: list them (the app parses them after the first paint).
    pub catalogue: bool,
    pub on_action: Callback<AppAction>,
}

#[function_component(LessonPanel)]
pub fn lesson_panel(props: &LessonPanelProps) -> Html {
    match props.lesson.as_deref().and_then(lessons::find) {
        Some(lesson) => open_lesson(props, lesson),
        None => path(props),
    }
}

fn lesson_action(props: &LessonPanelProps, make: impl Fn() -> LessonAction + 'static) -> Callback<MouseEvent> {
    props.on_action.reform(move |_: MouseEvent| AppAction::Lesson(make()))
}

/// Every lesson in order, each marked when done.
fn path(props: &LessonPanelProps) -> Html {
    let lang = props.lang;
    let all = if props.catalogue { lessons::all() } else { &[] };
    let done = all.iter().filter(|l| props.progress.done(l)).count();
    html! {
        <section class="lesson-panel" data-testid="lesson-path" aria-labelledby="lesson-path-heading">
            <div class="lesson-bar">
                <h3 id="lesson-path-heading">{ t(lang, Key::LessonPath) }</h3>
                if props.catalogue {
                    <span class="hint" data-testid="lesson-progress" data-done={done.to_string()}>
                        { fill(t(lang, Key::LessonProgress), &[&done.to_string(), &all.len().to_string()]) }
                    </span>
                }
            </div>
            <ol class="lesson-list">
                { for all.iter().map(|l| {
                    let name = l.name.clone();
                    let is_done = props.progress.done(l);
                    html! {
                        <li key={l.name.clone()}>
                            <button type="button" class="lesson-item" data-testid={format!("lesson-item-{}", l.name)}
                                data-done={is_done.to_string()} onclick={lesson_action(props, move || LessonAction::Open(Some(name.clone())))}>
                                <span class="lesson-order">{ l.order }</span>
                                <span class="lesson-name">{ l.title.get(lang.code()) }</span>
                                if is_done { <span class="lesson-done" aria-label={t(lang, Key::LessonDone)}>{ "✓" }</span> }
                            </button>
                        </li>
                    }
                }) }
            </ol>
            { fork_form(props) }
        </section>
    }
}

fn open_lesson(props: &LessonPanelProps, lesson: &'static Lesson) -> Html {
    let lang = props.lang;
    let code = lang.code();
    let current = props.scenario.as_deref();
    html! {
        <section class="lesson-panel" data-testid="lesson-panel" data-lesson={lesson.name.clone()} aria-labelledby="lesson-heading">
            <div class="lesson-bar">
                <button type="button" data-testid="lesson-close" title={t(lang, Key::LessonClose)}
                    onclick={lesson_action(props, || LessonAction::Open(None))}>{ t(lang, Key::LessonBack) }</button>
                <button type="button" data-testid="lesson-plan-open"
                    onclick={lesson_action(props, || LessonAction::Plan(true))}>{ t(lang, Key::LessonPlanOpen) }</button>
            </div>
            <h3 id="lesson-heading" data-testid="lesson-title">{ format!("{}. {}", lesson.order, lesson.title.get(code)) }</h3>
            <p class="lesson-text" data-testid="lesson-text">{ lesson.text.get(code) }</p>
            <div class="lesson-scenarios" role="group" aria-label={t(lang, Key::LessonScenarios)}>
                { for lesson.scenarios.iter().map(|name| {
                    let n = name.clone();
                    let on = current == Some(name.as_str());
                    html! {
                        <button type="button" data-testid={format!("lesson-scenario-{name}")} aria-pressed={on.to_string()}
                            onclick={lesson_action(props, move || LessonAction::Scenario(n.clone()))}>{ name }</button>
                    }
                }) }
            </div>
            if !lesson.look.is_empty() {
                <h4>{ t(lang, Key::LessonLook) }</h4>
                <ul class="lesson-look">
                    { for lesson.look.iter().enumerate().map(|(i, look)| html! {
                        <li>
                            <button type="button" class="fact-jump" data-testid={format!("lesson-look-{i}")}
                                title={fill(t(lang, Key::LessonGoTo), &[&look.at_ms.to_string()])}
                                onclick={lesson_action(props, move || LessonAction::Look(i))}>
                                <span class="fact-time">{ format!("{} {} ms", look.scenario, look.at_ms) }</span>
                                <span>{ look.text.get(code) }</span>
                            </button>
                        </li>
                    }) }
                </ul>
            }
            <h4>{ t(lang, Key::LessonQuestions) }</h4>
            <ol class="lesson-questions">
                { for lesson.questions.iter().map(|q| question(props, lesson, q)) }
            </ol>
            if !lesson.forks.is_empty() {
                <h4>{ t(lang, Key::LessonForks) }</h4>
                <ul class="lesson-forks">
                    { for lesson.forks.iter().enumerate().map(|(i, f)| html! {
                        <li>
                            <button type="button" data-testid={format!("lesson-fork-{i}")}
                                onclick={lesson_action(props, move || LessonAction::LessonFork(i))}>
                                { fill(t(lang, Key::ForkStart), &[&f.change.to_string()]) }
                                if f.from_ms > 0 {
                                    { format!(" ({})", fill(t(lang, Key::LessonPlanForkFrom), &[&f.from_ms.to_string()])) }
                                }
                            </button>
                            <p class="hint">{ f.text.get(code) }</p>
                        </li>
                    }) }
                </ul>
            }
            { try_it(props, lesson) }
            { fork_form(props) }
        </section>
    }
}

/// One question: asked, predicted, run, then the engine's verdict.
fn question(props: &LessonPanelProps, lesson: &Lesson, q: &'static Question) -> Html {
    let lang = props.lang;
    let code = lang.code();
    let answer = props.progress.answer(&lesson.name, &q.id);
    let asking = props.asking.as_ref().filter(|a| a.lesson == lesson.name && a.question == q.id);
    let here = props.scenario.as_deref() == Some(q.scenario.as_str());
    let state = match (answer, asking) {
        (Some(a), _) if a.choice == a.correct => "right",
        (Some(_), _) => "wrong",
        (None, Some(_)) => "asking",
        (None, None) => "open",
    };
    let id = q.id.clone();
    let ask = lesson_action(props, move || LessonAction::Ask(id.clone()));
    html! {
        <li class={classes!("lesson-question", format!("question-{state}"))} data-testid={format!("lesson-question-{}", q.id)} data-state={state}>
            <p class="lesson-prompt">{ q.prompt.get(code) }</p>
            if let Some(a) = answer {
                <div class="lesson-verdict" role="status" data-testid={format!("lesson-verdict-{}", q.id)}
                    data-correct={(a.choice == a.correct).to_string()} data-value={a.value.clone()} data-answer={a.correct.to_string()}>
                    <strong>{ if a.choice == a.correct { t(lang, Key::LessonRight).to_string() } else {
                        fill(t(lang, Key::LessonWrong), &[q.choices.get(a.correct).map_or("", |c| c.label.get(code))])
                    } }</strong>
                    <p>{ fill(t(lang, Key::LessonMeasured), &[&a.value, &a.seed.to_string()]) }</p>
                    <p>{ q.explain.get(code) }</p>
                </div>
                <button type="button" data-testid={format!("lesson-ask-{}", q.id)} onclick={ask}>
                    { fill(t(lang, Key::LessonAsk), &[&q.ask_at_ms.to_string()]) }</button>
            } else if let (Some(asking), true) = (asking, here) {
                <fieldset class="lesson-choices">
                    <legend class="visually-hidden">{ q.prompt.get(code) }</legend>
                    { for q.choices.iter().enumerate().map(|(i, c)| {
                        let onchange = props.on_action.reform(move |_: Event| AppAction::Lesson(LessonAction::Predict(i)));
                        html! {
                            <label class="check">
                                <input type="radio" name={format!("choice-{}", q.id)} data-testid={format!("lesson-choice-{}-{i}", q.id)}
                                    checked={asking.choice == Some(i)} {onchange} />
                                { c.label.get(code) }
                            </label>
                        }
                    }) }
                </fieldset>
                <p class="hint">{ fill(t(lang, if asking.choice.is_some() { Key::LessonRunHint } else { Key::LessonPickFirst }), &[&q.check_at_ms.to_string()]) }</p>
                <button type="button" data-testid={format!("lesson-run-{}", q.id)} disabled={asking.choice.is_none()}
                    onclick={lesson_action(props, || LessonAction::RunToCheck)}>
                    { fill(t(lang, Key::LessonRun), &[&q.check_at_ms.to_string()]) }
                </button>
            } else {
                if !here {
                    <p class="hint">{ fill(t(lang, Key::LessonOtherScenario), &[&q.scenario]) }</p>
                }
                <button type="button" data-testid={format!("lesson-ask-{}", q.id)} onclick={ask}>
                    { fill(t(lang, Key::LessonAsk), &[&q.ask_at_ms.to_string()]) }</button>
            }
        </li>
    }
}

/// The task: commands for the terminal (run on the lesson's scenario), or the sandbox to open.
fn try_it(props: &LessonPanelProps, lesson: &Lesson) -> Html {
    let lang = props.lang;
    let task = &lesson.try_it;
    let scenario = task.scenario.clone();
    html! {
        <div class="lesson-try" data-testid="lesson-try" data-place={match task.place { TryWhere::Terminal => "terminal", TryWhere::Sandbox => "sandbox" }}>
            <h4>{ t(lang, Key::LessonTry) }</h4>
            <p>{ task.text.get(lang.code()) }</p>
            <ol class="lesson-commands">
                { for task.commands.iter().enumerate().map(|(i, command)| {
                    // A console producer reads typed lines: it is typed into the terminal, not run from here.
                    let runnable = !command.contains("kafka-console-producer") || command.contains('|');
                    let (scenario, command_text) = (scenario.clone(), command.clone());
                    let on_action = props.on_action.clone();
                    let onclick = Callback::from(move |_: MouseEvent| {
                        on_action.emit(AppAction::Lesson(LessonAction::Scenario(scenario.clone())));
                        on_action.emit(AppAction::Terminal(command_text.clone()));
                    });
                    html! {
                        <li>
                            <code>{ command }</code>
                            if runnable {
                                <button type="button" data-testid={format!("lesson-try-cmd-{i}")} {onclick}>{ t(lang, Key::LessonTryTerminal) }</button>
                            }
                        </li>
                    }
                }) }
            </ol>
            if task.place == TryWhere::Sandbox {
                <button type="button" data-testid="lesson-try-open"
                    onclick={lesson_action(props, move || LessonAction::Scenario(scenario.clone()))}>
                    { fill(t(lang, Key::LessonOpenSandbox), &[&task.scenario]) }</button>
            }
        </div>
    }
}

/// A fork of the running scenario by any one change.
fn fork_form(props: &LessonPanelProps) -> Html {
    let lang = props.lang;
    if props.scenario.is_none() {
        return html! {};
    }
    // Read on submit; the form is drawn anew with the panel, and its callback with it.
    let input = NodeRef::default();
    let read = {
        let input = input.clone();
        move || input.cast::<HtmlInputElement>().map(|el| el.value().trim().to_string()).filter(|t| !t.is_empty())
    };
    let onsubmit = {
        let (read, on_action) = (read.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(text) = read() {
                on_action.emit(AppAction::Lesson(LessonAction::Fork(Some(text))));
            }
        })
    };
    let fork_here = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(text) = read() {
                on_action.emit(AppAction::Lesson(LessonAction::ForkHere(text)));
            }
        })
    };
    html! {
        <form class="fork-form" {onsubmit}>
            <label>
                { t(lang, Key::ForkInput) }
                <input ref={input} type="text" data-testid="fork-input" placeholder="producer:checkout:acks=1" spellcheck="false" />
            </label>
            <button type="submit" data-testid="fork-go">{ t(lang, Key::ForkGo) }</button>
            <button type="button" data-testid="fork-here" onclick={fork_here}>
                { fill(t(lang, Key::ForkHere), &[&props.now_ms.to_string()]) }</button>
        </form>
    }
}
