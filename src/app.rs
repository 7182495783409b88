//! The root component: it holds the [`AppState`] reducer, lays the components out, and keeps the
//! URL fragment and the saved workspace in step with the state (the browser glue below).

use yew::prelude::*;

use crate::components::{
    BuildPanel, ClusterCanvas, Controls, FaultPanel, Footer, ForkPanel, GroupPanel, Header, LessonPanel, LessonPlan,
    ListenersPanel, LogInspector, MemoryLine, MetricsPanel, NarrationFeed, Notices, PartitionLogs, ProcessorsPanel,
    ProducerPanel, ScaleCluster, SeqDiagram, StreamsTopology, Terminal, TransactionsPanel, ViewToggle,
};
use crate::hooks::{use_animation_frames, use_keyboard_shortcuts};
use crate::i18n::{fill, t, Key};
use crate::lessons::{PROGRESS_KEY, UNREADABLE_PROGRESS_KEY};
use crate::sim::{Preset, UserAction};
use crate::state::{AppAction, AppState, Detail, MAIN_VIEW_KEY, STORAGE_KEY};
use crate::url;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn current_fragment() -> String {
    window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

fn load_saved() -> Option<String> {
    window()?.local_storage().ok()??.get_item(STORAGE_KEY).ok()?
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok()?
}

fn save(state: &AppState) {
    let Some(ws) = state.workspace() else { return };
    let Ok(text) = serde_json::to_string(&ws) else {
        return;
    };
    if let Some(Ok(Some(storage))) = window().map(|w| w.local_storage()) {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

fn reflect_url(state: &AppState) {
    let Some(window) = window() else { return };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", state.lang.code());
    }
    let fragment = state.fragment();
    if current_fragment() != fragment {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&fragment));
        }
    }
}

/// Runs `f` once the browser has painted the next frame: a task queued from an animation frame
/// runs after that frame's rendering. Natively (tests) it runs at once.
fn after_next_paint(f: impl FnOnce() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(w) = window() else {
        return f();
    };
    let queue = Closure::once_into_js(move || {
        if let Some(w) = window() {
            let task = Closure::once_into_js(f);
            let _ = w.set_timeout_with_callback(task.unchecked_ref());
        }
    });
    let _ = w.request_animation_frame(queue.unchecked_ref());
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let progress = storage().and_then(|s| s.get_item(PROGRESS_KEY).ok()?);
        let mut state = AppState::start(url::parse_fragment(&current_fragment()), load_saved().as_deref())
            .with_progress(progress.as_deref());
        if state.notices.contains(&crate::state::Notice::CorruptProgress) {
            // Nothing is lost: the unreadable text stays in localStorage under its own key.
            if let (Some(s), Some(text)) = (storage(), progress) {
                let _ = s.set_item(UNREADABLE_PROGRESS_KEY, &text);
            }
        }
        state.dev = window().and_then(|w| w.location().search().ok()).and_then(|q| crate::dev::parse_query(&q));
        state
    });
    // The main view chosen last time (a display preference, remembered apart from the workspace).
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            if storage().and_then(|s| s.get_item(MAIN_VIEW_KEY).ok()?).as_deref() == Some("log") {
                dispatch.dispatch(AppAction::SetLogView(true));
            }
        });
    }
    // The lesson progress: saved whenever it changes (a new Rc).
    use_effect_with(state.progress.clone(), |progress| {
        if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(&**progress)) {
            let _ = s.set_item(PROGRESS_KEY, &text);
        }
    });
    use_effect_with(state.log_view, |on| {
        if let Some(s) = storage() {
            let _ = s.set_item(MAIN_VIEW_KEY, if *on { "log" } else { "brokers" });
        }
    });
    // The scenario picker and the lesson path list every built-in scenario and lesson, which the
    // app parses from their TOML: a third of its start. Unless the URL needed them already, they
    // are parsed after the first paint (a task queued from the next animation frame) and listed
    // then; <html data-catalogue="ready"> says so (the browser tests wait for it).
    let catalogue = use_state(crate::sim::catalogue_parsed);
    {
        let catalogue = catalogue.clone();
        use_effect_with((), move |_| {
            after_next_paint(move || {
                crate::sim::builtin_scenarios();
                crate::lessons::all();
                if let Some(root) = window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
                    let _ = root.set_attribute("data-catalogue", "ready");
                }
                catalogue.set(true);
            })
        });
    }
    // ?dev&bench=MS: the reference workload, once, after the first render (it holds the page).
    let bench = use_state(|| None::<crate::dev::BenchResult>);
    {
        let bench = bench.clone();
        let until = state.dev.and_then(|d| d.bench_until);
        use_effect_with(until, move |until| {
            if let Some(until) = *until {
                let now = || window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
                bench.set(Some(crate::dev::BenchResult::run(until, now)));
            }
        });
    }
    let dispatch = state.dispatcher();

    // The animation loop runs only while playing.
    use_animation_frames(state.playing, {
        let dispatch = dispatch.clone();
        Callback::from(move |dt| dispatch.dispatch(AppAction::Frame(dt)))
    });
    // URL and workspace: written when paused (and on every action while paused).
    {
        let snapshot = (*state).clone();
        use_effect_with(
            (
                state.playing,
                state.revision,
                state.lang,
                state.speed,
                state.show_internal,
                state.large_text,
                state.presenter,
            ),
            move |(playing, ..)| {
                if !*playing {
                    reflect_url(&snapshot);
                    save(&snapshot);
                }
            },
        );
    }
    use_keyboard_shortcuts({
        let dispatch = dispatch.clone();
        Callback::from(move |a| dispatch.dispatch(a))
    });

    let lang = state.lang;
    // Stable callbacks: a component whose other props did not change is not drawn again.
    let on_toggle_lang = use_callback(dispatch.clone(), |(), d| d.dispatch(AppAction::ToggleLang));
    let on_dismiss = use_callback(dispatch.clone(), |i, d| d.dispatch(AppAction::DismissNotice(i)));
    let on_action = use_callback(dispatch.clone(), |a: AppAction, d| d.dispatch(a));
    let on_user = use_callback(dispatch.clone(), |u: UserAction, d| d.dispatch(AppAction::Apply(u)));
    let setup = state.sim.as_ref().ok().map(|sim| sim.borrow().setup.clone());
    let body = match (&state.sim, &state.view, &state.panels) {
        (Ok(_), Some(view), Some(panels)) => {
            let view_json = if state.playing { None } else { serde_json::to_string(&*view.0).ok() };
            let setup = setup.clone().expect("sim is built");
            html! {
                <>
                <Controls {lang} playing={state.playing} speed={state.speed}
                    now_ms={if setup.preset == Preset::Scale { state.vt_milli / 1000 } else { view.0.now_ms }}
                    horizon_ms={state.horizon_ms} seekable_from_ms={state.seekable_from_ms}
                    marks={state.marks.clone()} on_action={on_action.clone()}
                    setup={setup.clone()} catalogue={*catalogue}
                    pace={(setup.preset == Preset::Scale).then_some(state.pace.hundredths).flatten()} />
                if let (true, Some(lesson)) = (state.plan, state.lesson.clone()) {
                    <LessonPlan {lang} {lesson} seed={setup.seed} on_action={on_action.clone()} />
                }
                if let Detail::Scale(summary) = panels.detail.clone() {
                    // 100 brokers: the summary instead of the picture and its panels.
                    <div class="workspace">
                        <div class="workspace-main">
                            <ScaleCluster {lang} {summary} on_user={on_user.clone()} />
                            <Terminal {lang} view={panels.view.clone()} entries={state.terminal.clone()}
                                on_action={on_action.clone()} />
                        </div>
                        <div class="side">
                            <NarrationFeed {lang} show_routine={state.show_routine}
                                notes={panels.notes.clone()} facts={panels.facts.clone()} history_from={panels.history_from}
                                roster={panels.roster.clone()} on_action={on_action.clone()} />
                        </div>
                    </div>
                } else if let Detail::Picture(picture) = panels.detail.clone() {
                <div class="workspace">
                    <div class="workspace-main">
                        <ViewToggle {lang} log_view={state.log_view} presenter={state.presenter} on_action={on_action.clone()} />
                        if let (true, Some(logs)) = (state.log_view, panels.logs.clone()) {
                            <PartitionLogs {lang} data={logs} groups={picture.groups.clone()}
                                topic={state.log_topic.clone()} playing={state.playing} on_action={on_action.clone()} />
                        } else {
                            <ClusterCanvas {lang} view={view.clone()} vt_milli={state.vt_milli}
                                show_internal={state.show_internal} highlight={panels.highlight.clone()} on_action={on_action.clone()} />
                        }
                        <StreamsTopology {lang} view={panels.view.clone()} />
                        if let Some(fork) = &state.fork {
                            <ForkPanel {lang} change={fork.change.to_string()} seed={fork.seed} from_ms={fork.from_ms}
                                comparison={fork.comparison.clone()} on_action={on_action.clone()} />
                        }
                        <Terminal {lang} view={panels.view.clone()} entries={state.terminal.clone()}
                            on_action={on_action.clone()} />
                        <div class="panels">
                            <FaultPanel {lang} view={panels.view.clone()} on_user={on_user.clone()} />
                            <GroupPanel {lang} view={panels.view.clone()} groups={picture.groups.clone()} />
                            <ProcessorsPanel {lang} view={panels.view.clone()} />
                            <ListenersPanel {lang} view={panels.view.clone()} on_user={on_user.clone()} />
                            <TransactionsPanel {lang} view={panels.view.clone()} />
                            <MetricsPanel {lang} data={picture.metrics.clone()} />
                            <SeqDiagram {lang} data={picture.messages.clone()} view={panels.view.clone()} />
                            if panels.notes.is_some() {
                                // A lesson: the free-form tools fold away, one click brings them back.
                                <details class="free-form" data-testid="free-form">
                                    <summary data-testid="free-form-toggle">{ t(lang, Key::ShowForms) }</summary>
                                    <ProducerPanel {lang} view={panels.view.clone()} on_user={on_user.clone()} />
                                    <BuildPanel {lang} view={panels.view.clone()} on_user={on_user.clone()} />
                                </details>
                            } else {
                                <ProducerPanel {lang} view={panels.view.clone()} on_user={on_user.clone()} />
                                <BuildPanel {lang} view={panels.view.clone()} on_user={on_user.clone()} />
                            }
                            <LogInspector {lang} view={panels.view.clone()} selected={state.inspect.clone()}
                                data={panels.inspector.clone()} on_action={on_action.clone()} />
                        </div>
                    </div>
                    <div class="side">
                        <LessonPanel {lang} lesson={state.lesson.clone()} asking={state.asking.clone()}
                            progress={state.progress.clone()} scenario={setup.preset.scenario().map(|s| s.name.clone())}
                            now_ms={view.0.now_ms} catalogue={*catalogue}
                            on_action={on_action.clone()} />
                        <NarrationFeed {lang} show_routine={state.show_routine}
                            notes={panels.notes.clone()} facts={panels.facts.clone()} history_from={panels.history_from}
                            roster={panels.roster.clone()} on_action={on_action.clone()} />
                    </div>
                </div>
                }
                if let Some(json) = view_json {
                    <script type="application/json" id="view-json">{ json }</script>
                }
                </>
            }
        }
        (Err(error), ..) => {
            html! { <p class="engine-error" role="alert">{ fill(t(lang, Key::EngineError), &[error]) }</p> }
        }
        _ => html! {},
    };
    let class = classes!("app", state.large_text.then_some("large-text"), state.presenter.then_some("presenter"));
    // In presenter mode the newest step note is a caption under the picture.
    let caption = state
        .presenter
        .then(|| {
            state
                .panels
                .as_ref()?
                .notes
                .as_ref()?
                .reached
                .last()
                .map(|note| (note.at_ms, note.text.get(lang.code()).to_string()))
        })
        .flatten();
    html! {
        <div {class} lang={lang.code()}>
            <Header {lang} {on_toggle_lang} large_text={state.large_text} show_internal={state.show_internal}
                on_action={on_action.clone()} />
            <Notices {lang} notices={state.notices.clone()} {on_dismiss} />
            <main class="app-main">{ body }</main>
            if let Some((at, text)) = caption {
                <p class="presenter-caption" data-testid="presenter-caption" aria-live="polite">
                    <span class="fact-time">{ format!("{at} ms") }</span>{ " " }{ text }
                </p>
            }
            if state.blank {
                <div class="presenter-blank" data-testid="presenter-blank" aria-label={t(lang, Key::PresenterBlank)} role="img"></div>
            }
            if let (Some(_), Ok(sim)) = (state.dev, &state.sim) {
                <MemoryLine status={{
                    let sim = sim.borrow();
                    crate::dev::MemoryStatus::read(sim.timeline().checkpoint_count(), sim.seekable_from_ms())
                }} bench={(*bench).clone()} />
            }
            <Footer {lang} />
        </div>
    }
}
