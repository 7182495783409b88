//! A lesson's plan for a teacher, to print: the text, each scenario's steps with a link that
//! starts a class at that step (`#scenario=…&lesson=…&step=N`), what to look at, the questions
//! with their choices and the answer the engine gives for the app's seed, the forks, and the task.

use kafkalab_engine::lesson::{Lesson, Question};
use kafkalab_engine::scenario::Scenario;
use yew::prelude::*;

use crate::i18n::{fill, t, Key, Lang};
use crate::lessons;
use crate::sim::builtin_scenarios;
use crate::state::{AppAction, LessonAction};

#[derive(Properties, PartialEq)]
pub struct LessonPlanProps {
    pub lang: Lang,
    pub lesson: String,
    /// The seed the answers are computed with (the app's).
    pub seed: u64,
    pub on_action: Callback<AppAction>,
}

fn scenario(name: &str) -> Option<&'static Scenario> {
    builtin_scenarios().iter().find(|b| b.name == name)
}

/// The right choice of each question for `seed`, from a run of its scenario (None when the run
/// could not decide).
fn answers(lesson: &Lesson, seed: u64) -> Vec<Option<usize>> {
    lesson
        .questions
        .iter()
        .map(|q| scenario(&q.scenario).and_then(|s| q.outcome(s, Some(seed)).ok()).map(|o| o.correct))
        .collect()
}

#[function_component(LessonPlan)]
pub fn lesson_plan(props: &LessonPlanProps) -> Html {
    let lang = props.lang;
    let code = lang.code();
    let answers = use_memo((props.lesson.clone(), props.seed), |(name, seed)| {
        lessons::find(name).map(|l| answers(l, *seed)).unwrap_or_default()
    });
    let Some(lesson) = lessons::find(&props.lesson) else { return html! {} };
    let close = props.on_action.reform(|_: MouseEvent| AppAction::Lesson(LessonAction::Plan(false)));
    let print = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    html! {
        <section class="lesson-plan" data-testid="lesson-plan" data-lesson={lesson.name.clone()} aria-labelledby="lesson-plan-heading">
            <div class="lesson-bar plan-actions">
                <button type="button" data-testid="lesson-plan-print" onclick={print}>{ t(lang, Key::LessonPlanPrint) }</button>
                <button type="button" data-testid="lesson-plan-close" onclick={close}>{ t(lang, Key::LessonPlanClose) }</button>
            </div>
            <h2 id="lesson-plan-heading">
                { fill(t(lang, Key::LessonPlanHeading), &[&format!("{}. {}", lesson.order, lesson.title.get(code))]) }
            </h2>
            <p>{ lesson.text.get(code) }</p>
            { for lesson.scenarios.iter().filter_map(|name| scenario(name)).map(|s| steps(props, lesson, s)) }
            if !lesson.look.is_empty() {
                <h3>{ t(lang, Key::LessonLook) }</h3>
                <ul>
                    { for lesson.look.iter().map(|look| html! {
                        <li><span class="fact-time">{ format!("{} {} ms", look.scenario, look.at_ms) }</span>{ " " }{ look.text.get(code) }</li>
                    }) }
                </ul>
            }
            <h3>{ t(lang, Key::LessonQuestions) }</h3>
            <ol class="plan-questions">
                { for lesson.questions.iter().zip(answers.iter()).map(|(q, answer)| question(lang, q, *answer)) }
            </ol>
            <p class="hint">{ t(lang, Key::LessonPlanAnswerNote) }</p>
            if !lesson.forks.is_empty() {
                <h3>{ t(lang, Key::LessonForks) }</h3>
                <ul>
                    { for lesson.forks.iter().enumerate().map(|(i, f)| html! {
                        <li data-testid={format!("plan-fork-{i}")}>
                            <code>{ f.change.to_string() }</code>
                            { format!(" — {} ", f.scenario) }
                            if f.from_ms > 0 { { fill(t(lang, Key::LessonPlanForkFrom), &[&f.from_ms.to_string()]) } }
                            <p>{ f.text.get(code) }</p>
                        </li>
                    }) }
                </ul>
            }
            <h3>{ t(lang, Key::LessonTry) }</h3>
            <p>{ lesson.try_it.text.get(code) }</p>
            <ol>{ for lesson.try_it.commands.iter().map(|c| html! { <li><code>{ c }</code></li> }) }</ol>
        </section>
    }
}

/// A scenario's notes in step order, each with a link that starts a class there.
fn steps(props: &LessonPlanProps, lesson: &Lesson, scenario: &Scenario) -> Html {
    let lang = props.lang;
    let code = lang.code();
    let notes: Vec<(usize, &kafkalab_engine::scenario::Step)> =
        scenario.steps.iter().enumerate().filter(|(_, s)| s.note().is_some()).collect();
    html! {
        <div class="plan-scenario" data-testid={format!("plan-scenario-{}", scenario.name)}>
            <h3>{ format!("{} — {}", scenario.name, scenario.title.get(code)) }</h3>
            <p class="hint">{ fill(t(lang, Key::LessonPlanSteps), &[&notes.len().to_string()]) }</p>
            <ol class="plan-steps">
                { for notes.into_iter().map(|(i, step)| {
                    let when = match &step.when {
                        Some(pattern) => fill(t(lang, Key::LessonPlanWhen), &[&step.at_ms.to_string(), &pattern.fact]),
                        None => format!("{} ms", step.at_ms),
                    };
                    let href = format!("#scenario={}&seed={}&lesson={}&step={i}&lang={code}", scenario.name, props.seed, lesson.name);
                    html! {
                        <li data-testid={format!("plan-step-{}-{i}", scenario.name)}>
                            <span class="fact-time">{ when }</span>{ " " }
                            { step.note().map_or("", |n| n.get(code)) }{ " " }
                            <a class="plan-step-link" data-testid={format!("plan-step-link-{}-{i}", scenario.name)} {href}>
                                { t(lang, Key::LessonPlanStepLink) }</a>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}

fn question(lang: Lang, q: &Question, answer: Option<usize>) -> Html {
    let code = lang.code();
    html! {
        <li data-testid={format!("plan-question-{}", q.id)} data-answer={answer.map(|a| a.to_string()).unwrap_or_default()}>
            <p><strong>{ q.prompt.get(code) }</strong></p>
            <p class="hint">{ format!("{}: {} → {} ms", q.scenario, q.ask_at_ms, q.check_at_ms) }</p>
            <ol type="a">
                { for q.choices.iter().enumerate().map(|(i, c)| html! {
                    <li class={classes!((answer == Some(i)).then_some("plan-answer"))}>
                        { c.label.get(code) }
                        if answer == Some(i) { { " ✓" } }
                    </li>
                }) }
            </ol>
            <p>{ q.explain.get(code) }</p>
        </li>
    }
}
