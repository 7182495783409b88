//! The controls: scenario, play/pause/step, speed, clock and timeline.

use std::rc::Rc;

use kafkalab_engine::scenario::Category;
use kafkalab_engine::sim::Millis;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::form::select_value;
use super::MarkList;
use crate::i18n::{fill, t, Key, Lang};
use crate::narrate::Mark;
use crate::sim::{builtin_scenarios, Preset, Setup};
use crate::state::{AppAction, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub lang: Lang,
    pub playing: bool,
    pub speed: usize,
    pub now_ms: Millis,
    pub horizon_ms: Millis,
    /// Before this time the timeline keeps no checkpoint: the track is greyed there.
    #[prop_or_default]
    pub seekable_from_ms: Millis,
    pub marks: Rc<Vec<(Millis, Mark)>>,
    pub setup: Setup,
    /// The built-in scenarios are parsed: list them (the app parses them after the first paint).
    pub catalogue: bool,
    /// Virtual time per wall time while playing, in hundredths, where frames do bounded engine
    /// work (`scale`): the clock says when it runs slower than the chosen speed.
    #[prop_or_default]
    pub pace: Option<u32>,
    pub on_action: Callback<AppAction>,
}

/// The picker's heading for a scenario category.
fn category_heading(category: Category) -> Key {
    match category {
        Category::Kafka => Key::PickerScenarios,
        Category::Patterns => Key::PickerPatterns,
    }
}

fn speed_label(tenths: u32) -> String {
    if tenths.is_multiple_of(10) {
        format!("{}x", tenths / 10)
    } else {
        format!("{}.{}x", tenths / 10, tenths % 10)
    }
}

/// A pace in hundredths as a factor: 0.2, 0.05, 1.5.
fn pace_label(hundredths: u32) -> String {
    let whole = hundredths / 100;
    match hundredths % 100 {
        0 => whole.to_string(),
        r if r % 10 == 0 => format!("{whole}.{}", r / 10),
        r => format!("{whole}.{r:02}"),
    }
}

/// Whether a pace (hundredths) is clearly slower than a speed (tenths): 5% under it.
fn behind(pace: u32, speed_tenths: u32) -> bool {
    pace * 100 < speed_tenths * 10 * 95
}

#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let lang = props.lang;
    // The chosen speed, in tenths (the pace line compares against it).
    let speed = SPEEDS[props.speed.min(SPEEDS.len() - 1)];
    let a = &props.on_action;
    let setup = props.setup.clone();
    let on_scenario = {
        let setup = setup.clone();
        a.reform(move |e: Event| {
            let preset = Preset::from_name(&select_value(&e)).unwrap_or(Preset::Demo);
            let seed = preset.default_seed(setup.seed);
            AppAction::Load(Setup { preset, seed, ..setup.clone() })
        })
    };
    let on_brokers = {
        let setup = setup.clone();
        a.reform(move |e: Event| {
            let brokers = select_value(&e).parse().unwrap_or(3);
            AppAction::Load(Setup { preset: Preset::Sandbox, brokers, ..setup.clone() })
        })
    };
    let on_speed = a.reform(|e: Event| AppAction::SetSpeed(select_value(&e).parse().unwrap_or(3)));
    let on_seek = a.reform(|e: InputEvent| {
        AppAction::Seek(e.target_dyn_into::<HtmlInputElement>().and_then(|i| i.value().parse().ok()).unwrap_or(0))
    });
    let end = props.horizon_ms.max(props.now_ms).max(1);
    let catalogue = props.catalogue.then(builtin_scenarios).unwrap_or_default();
    let note = match &setup.preset {
        Preset::Demo => t(lang, Key::ScDemoNote),
        Preset::Large => t(lang, Key::ScLargeNote),
        Preset::Sandbox => t(lang, Key::ScSandboxNote),
        Preset::Scale => t(lang, Key::ScScaleNote),
        Preset::Scenario(_) => setup.preset.scenario().map_or("", |s| s.description.get(lang.code())),
    };
    html! {
        <section class="controls" aria-label={t(lang, Key::TimelineLabel)}>
            <div class="controls-row">
                <label class="field">
                    <span>{ t(lang, Key::ScenarioLabel) }</span>
                    <select data-testid="scenario-select" aria-label={t(lang, Key::ScenarioLabel)} onchange={on_scenario}>
                        <optgroup label={t(lang, Key::PickerPresets)}>
                            { for Preset::PRESETS.into_iter().map(|p| {
                                let key = match p {
                                    Preset::Large => Key::ScLarge,
                                    Preset::Sandbox => Key::ScSandbox,
                                    Preset::Scale => Key::ScScale,
                                    _ => Key::ScDemo,
                                };
                                html! { <option value={p.name().to_string()} selected={p == setup.preset}>{ t(lang, key) }</option> }
                            }) }
                        </optgroup>
                        { for Category::ALL.into_iter().map(|category| {
                            let entries: Vec<_> = catalogue.iter().filter(|b| b.category == category).collect();
                            if entries.is_empty() {
                                return html! {};
                            }
                            html! {
                                <optgroup label={t(lang, category_heading(category))}>
                                    { for entries.into_iter().map(|b| {
                                        let selected = matches!(&setup.preset, Preset::Scenario(n) if *n == b.name);
                                        html! {
                                            <option value={b.name.clone()} {selected} title={b.description.get(lang.code()).to_string()}>
                                                { b.title.get(lang.code()) }
                                            </option>
                                        }
                                    }) }
                                </optgroup>
                            }
                        }) }
                    </select>
                </label>
                if setup.preset == Preset::Sandbox {
                    <label class="field">
                        <span>{ t(lang, Key::SandboxBrokers) }</span>
                        <select data-testid="sandbox-brokers" aria-label={t(lang, Key::SandboxBrokers)} onchange={on_brokers}>
                            { for (1..=12).map(|n| html! { <option value={n.to_string()} selected={n == setup.brokers}>{ n }</option> }) }
                        </select>
                    </label>
                }
                <div class="buttons">
                    if props.playing {
                        <button type="button" class="btn primary" data-testid="btn-pause" aria-label={t(lang, Key::BtnPause)}
                            title={t(lang, Key::BtnPause)} onclick={a.reform(|_: MouseEvent| AppAction::Pause)}>{ "❚❚ " }{ t(lang, Key::BtnPause) }</button>
                    } else {
                        <button type="button" class="btn primary" data-testid="btn-play" aria-label={t(lang, Key::BtnPlay)}
                            title={t(lang, Key::BtnPlay)} onclick={a.reform(|_: MouseEvent| AppAction::Play)}>{ "▶ " }{ t(lang, Key::BtnPlay) }</button>
                    }
                    <button type="button" class="btn" data-testid="btn-step-back" aria-label={t(lang, Key::BtnStepBack)}
                        title={t(lang, Key::BtnStepBack)} onclick={a.reform(|_: MouseEvent| AppAction::StepBack)}>{ "|◁ " }{ t(lang, Key::BtnStepBack) }</button>
                    <button type="button" class="btn" data-testid="btn-step" aria-label={t(lang, Key::BtnStep)}
                        title={t(lang, Key::BtnStep)} onclick={a.reform(|_: MouseEvent| AppAction::Step)}>{ "▷| " }{ t(lang, Key::BtnStep) }</button>
                    <button type="button" class="btn" data-testid="btn-step-fact" aria-label={t(lang, Key::BtnStepFact)}
                        title={t(lang, Key::BtnStepFact)} onclick={a.reform(|_: MouseEvent| AppAction::StepInteresting)}>{ "» " }{ t(lang, Key::BtnStepFact) }</button>
                </div>
                <label class="field">
                    <span>{ t(lang, Key::SpeedLabel) }</span>
                    <select data-testid="speed" aria-label={t(lang, Key::SpeedLabel)} onchange={on_speed}>
                        { for SPEEDS.iter().enumerate().map(|(i, s)| html! {
                            <option value={i.to_string()} selected={i == props.speed}>{ speed_label(*s) }</option>
                        }) }
                    </select>
                </label>
                <div class="clock">
                    <span class="clock-label">{ t(lang, Key::ClockLabel) }</span>
                    <span class="clock-value" data-testid="clock">{ props.now_ms }</span>
                    <span class="clock-unit">{ "ms" }</span>
                    if let Some(pace) = props.pace.filter(|p| behind(*p, speed)) {
                        <span class="clock-pace" data-testid="clock-pace" data-pace={pace.to_string()} role="status">
                            { fill(t(lang, Key::PaceBehind), &[&pace_label(pace), &speed_label(speed)]) }
                        </span>
                    }
                </div>
            </div>
            <div class="timeline-row">
                <input type="range" class="timeline" data-testid="timeline" min="0" max={end.to_string()}
                    data-seekable-from={props.seekable_from_ms.to_string()}
                    style={format!("--kept-from: {:.2}%", props.seekable_from_ms as f64 * 100.0 / end.max(1) as f64)}
                    title={(props.seekable_from_ms > 0).then(|| fill(t(lang, Key::TimelineKeptFrom), &[&props.seekable_from_ms.to_string()]))}
                    step="1" value={props.now_ms.to_string()} aria-label={t(lang, Key::TimelineLabel)}
                    aria-valuetext={format!("{} ms", props.now_ms)} oninput={on_seek} />
                // Only the end moves while playing: the marks place themselves from it in CSS.
                <div class="marks" style={format!("--end: {end}")} aria-hidden="true">
                    <MarkList marks={props.marks.clone()} />
                </div>
                <ul class="legend marks-legend">
                    <li><span class="mk mk-fault" aria-hidden="true">{ "✕" }</span>{ t(lang, Key::FaultsHeading) }</li>
                    <li><span class="mk mk-election" aria-hidden="true">{ "●" }</span>{ t(lang, Key::Leader) }</li>
                    <li><span class="mk mk-rebalance" aria-hidden="true">{ "■" }</span>{ t(lang, Key::RebalanceSteps) }</li>
                </ul>
            </div>
            <p class="scenario-note" data-testid="scenario-note">{ note }<span class="hint">{ " — " }{ t(lang, Key::ShortcutsHint) }</span></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_reads_as_a_factor_and_shows_only_when_behind() {
        assert_eq!(pace_label(20), "0.2");
        assert_eq!(pace_label(5), "0.05");
        assert_eq!(pace_label(150), "1.5");
        assert_eq!(pace_label(100), "1");
        assert!(behind(20, 10), "0.2x at 1x");
        assert!(!behind(98, 10), "within 5% of 1x");
        assert!(behind(400, 50), "4x at 5x");
        assert!(!behind(50, 5), "0.5x at 0.5x");
    }
}
