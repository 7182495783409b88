//! The app state, held by a reducer. The simulation lives behind an `Rc<RefCell<Sim>>` (a World
//! is too large to clone per action); every change goes through [`AppState::reduce`], which
//! rebuilds the `View` once, so a frame renders at most one view.

use std::cell::RefCell;
use std::rc::Rc;

use kafkalab_engine::cluster::TimedFact;
use kafkalab_engine::scenario::Summary;
use kafkalab_engine::sim::Millis;
use kafkalab_engine::view::View;
use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::cluster::{ViewRc, DEFAULT_SEED};
use crate::i18n::Lang;
use crate::inspect::PartitionLog;
use crate::lessons::{self, Asking, Fork, Progress};
use crate::logs::{LogData, MessageData, MetricsData, Shared};
use crate::narrate::{self, Mark, Roster};
use crate::sim::{Logged, Preset, ReachedNote, Setup, Sim, UserAction};
use crate::url::{self, UrlNotice, UrlState};

/// The speeds offered, in tenths (1 = 0.1x ... 1000 = 100x).
pub const SPEEDS: [u32; 10] = [1, 3, 5, 10, 20, 50, 100, 250, 500, 1000];
const DEFAULT_SPEED: usize = 3;
/// The localStorage key of the saved workspace.
pub const STORAGE_KEY: &str = "kafkalab.workspace.v1";
/// The localStorage key of the main view's choice (`log` or `brokers`): a display preference,
/// kept apart from the workspace so that it survives starting over.
pub const MAIN_VIEW_KEY: &str = "kafkalab.main-view";

/// A banner above the canvas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Url(UrlNotice),
    UnknownScenario(String),
    CorruptWorkspace,
    Dropped(usize),
    ActionFailed(String),
    UnknownLesson(String),
    /// A question id the open lesson does not have.
    UnknownQuestion(String),
    /// The URL's `step=N` names no note of the running scenario.
    UnknownStep(usize),
    /// Why a fork could not start (from the URL or the lesson panel).
    BadFork(String),
    /// The saved lesson progress was unreadable (kept under `lessons::UNREADABLE_PROGRESS_KEY`).
    CorruptProgress,
    /// A question's answer could not be checked (a lesson whose choices miss what happened).
    VerdictFailed(String),
}

/// What the workspace saves in localStorage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub setup: Setup,
    pub log: Vec<Logged>,
    pub t_ms: Millis,
    pub horizon_ms: Millis,
    pub lang: String,
    pub speed: u32,
    pub show_internal: bool,
    pub large_text: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub lang: Lang,
    pub notices: Vec<Notice>,
    pub sim: Result<Rc<RefCell<Sim>>, String>,
    /// The view the canvas and the clock draw, new on every frame that moved the clock.
    pub view: Option<ViewRc>,
    /// What the panels and the narration draw: refreshed on every action, but while playing at
    /// most every [`PANEL_EVERY_MS`] of wall time (text changing 60 times a second is unreadable,
    /// and relaying it out would cost most of a frame).
    pub panels: Option<Panels>,
    panel_wall_ms: f64,
    /// Which third of the partition logs the next refresh while playing reads.
    log_turn: usize,
    feed: FeedCursor,
    pub playing: bool,
    pub speed: usize,
    /// Virtual time in thousandths of a ms, for smooth animation between whole ms.
    pub vt_milli: u64,
    pub horizon_ms: Millis,
    pub show_internal: bool,
    pub large_text: bool,
    pub show_routine: bool,
    /// Explain mode (scenarios): playing pauses when a note arrives, and the newest note's
    /// elements are highlighted.
    pub explain: bool,
    /// Timeline markers: (time, kind), by fact index.
    pub marks: Rc<Vec<(Millis, Mark)>>,
    marks_next_index: u64,
    /// The partition the log inspector shows.
    pub inspect: Option<(String, i32)>,
    /// Changes on every applied action and seek (the workspace saver watches it).
    pub revision: u64,
    /// The timeline's seekable window starts here (0 until it has slid).
    pub seekable_from_ms: Millis,
    /// Developer mode (`?dev`): the memory line and the panic hook.
    pub dev: Option<crate::dev::DevOptions>,
    /// The terminal's transcript: each command as typed, then what it printed.
    pub terminal: Rc<Vec<TerminalEntry>>,
    /// The main view shows the partition logs instead of the brokers.
    pub log_view: bool,
    /// The topic the log view shows (every topic when None).
    pub log_topic: Option<String>,
    /// Presenter mode: large type, the picture and the step notes as captions (in the URL).
    pub presenter: bool,
    /// Presenter mode's blank screen (`b`).
    pub blank: bool,
    /// The open lesson (in the URL as `lesson=NAME`).
    pub lesson: Option<String>,
    /// The question on screen (in the URL as `question=ID`).
    pub asking: Option<Asking>,
    /// What the lesson points at: a "look" item's or an answered question's elements.
    pub lesson_highlight: Vec<String>,
    /// The learner's progress; a new Rc whenever it changes (the saver watches it).
    pub progress: Rc<Progress>,
    /// A what-if fork of the current scenario (in the URL as `fork=CHANGE` and `fork_at=MS`).
    pub fork: Option<Fork>,
    /// The open lesson's plan view, to print (in the URL as `plan=1`).
    pub plan: bool,
    /// How fast virtual time really ran while playing a preset whose frames do bounded engine
    /// work (`scale`): the clock says so when it is slower than the chosen speed.
    pub pace: Pace,
}

/// Engine work a frame of the `scale` preset may do, in wall ms: the rest of the 16 ms frame is
/// for the view and the page.
pub const FRAME_WORK_MS: f64 = 6.0;

/// Events between two readings of the wall clock while a frame's work is bounded.
const CLOCK_EVERY_EVENTS: u32 = 16;

/// Virtual time per wall time over the last [`PACE_WINDOW_MS`] of playing, in hundredths
/// (`Some(20)`: 0.2x real time); None until a window has passed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pace {
    pub hundredths: Option<u32>,
    wall_ms: f64,
    virtual_ms: u64,
}

/// Wall time the pace is measured over.
const PACE_WINDOW_MS: f64 = 1_000.0;

impl Pace {
    /// One frame: `wall_ms` passed and virtual time moved `virtual_ms`.
    fn frame(&mut self, wall_ms: f64, virtual_ms: u64) {
        self.wall_ms += wall_ms;
        self.virtual_ms += virtual_ms;
        if self.wall_ms >= PACE_WINDOW_MS {
            self.hundredths = Some((self.virtual_ms as f64 * 100.0 / self.wall_ms).round() as u32);
            self.wall_ms = 0.0;
            self.virtual_ms = 0;
        }
    }
}

/// Wall-clock milliseconds (the page's `performance.now()`), for the frame's work budget.
fn wall_now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1000.0
    }
}

/// What the lesson panel asks the reducer.
#[derive(Debug, Clone, PartialEq)]
pub enum LessonAction {
    /// Open a lesson (loading its first scenario unless one of its scenarios is running), or close.
    Open(Option<String>),
    /// Load a scenario of the open lesson.
    Scenario(String),
    /// Go to the lesson's look item: its scenario, its time, its highlight.
    Look(usize),
    /// Go to a question's scenario and ask time, paused.
    Ask(String),
    /// The learner's prediction for the question on screen.
    Predict(usize),
    /// Run the question on screen to its check time.
    RunToCheck,
    /// Fork the current scenario by a change (`producer:checkout:acks=1`) from the start, or close
    /// the fork.
    Fork(Option<String>),
    /// Fork the current scenario by a change from the cursor's moment ("Fork here").
    ForkHere(String),
    /// Show or hide the open lesson's plan view.
    Plan(bool),
    /// The open lesson's fork: its scenario, then the fork.
    LessonFork(usize),
}

/// One terminal command and its output (stdout and stderr in the order a terminal shows them).
#[derive(Debug, Clone, PartialEq)]
pub struct TerminalEntry {
    pub command: String,
    /// The lines typed into a console producer after the command (shown with `>`).
    pub typed: Vec<String>,
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
    /// Still running (a console consumer streaming as the simulation plays, until Ctrl+C).
    pub running: bool,
}

/// Commands the terminal's transcript keeps.
const TERMINAL_MAX: usize = 200;

/// Wall time between two refreshes of the panels while playing.
pub const PANEL_EVERY_MS: f64 = 100.0;

/// The `scale` preset's refresh of the view and the panels while playing: its outline and summary
/// take 1 to 2 ms natively (at least twice that in wasm), so they come twice a second; the clock
/// moves on every frame.
pub const SCALE_PANEL_EVERY_MS: f64 = 500.0;

/// Facts the narration feed holds at most.
const FEED_MAX: usize = 600;

/// How far the narration feed has read the fact history, and with which filter.
#[derive(Debug, Clone, Copy, Default)]
struct FeedCursor {
    next: u64,
    routine: bool,
}

/// What the panels and the narration feed read.
#[derive(Clone)]
pub struct Panels {
    pub view: ViewRc,
    pub facts: Rc<Vec<TimedFact>>,
    /// The time of the oldest fact the world still keeps, when older ones were let go.
    pub history_from: Option<Millis>,
    pub roster: Rc<Roster>,
    pub notes: Option<Rc<NotesData>>,
    pub inspector: Option<Rc<PartitionLog>>,
    /// What the canvas highlights: the newest note's elements, in explain mode.
    pub highlight: Rc<Vec<String>>,
    /// The partition logs, read only while the log view is shown.
    pub logs: Option<Shared<LogData>>,
    /// The picture's own panels, or the `scale` preset's summary in their place.
    pub detail: Detail,
}

/// What the page draws under the controls besides the view.
#[derive(Clone)]
pub enum Detail {
    Picture(PicturePanels),
    /// The `scale` preset's summary (counts per broker, under-replicated partitions). It draws
    /// none of the picture's panels, whose reading alone would cost a frame at 100 brokers.
    Scale(Rc<crate::scale::ScaleSummary>),
}

/// The panels beside the cluster picture.
#[derive(Clone)]
pub struct PicturePanels {
    /// The groups on the log (also their last known state while a coordinator is unavailable).
    pub groups: Shared<Vec<kafkalab_engine::view::group_log::GroupLogView>>,
    pub metrics: Shared<MetricsData>,
    pub messages: Shared<MessageData>,
}

/// What a scenario's notes box shows: the notes reached, the next one, refused steps, and at the
/// end the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct NotesData {
    /// Reached so far, oldest first.
    pub reached: Vec<ReachedNote>,
    /// The next note: None when every note has arrived; Some(None) while it waits for its fact.
    pub next: Option<Option<Millis>>,
    pub failures: Vec<(Millis, String)>,
    pub explain: bool,
    /// Once the scenario has run to its end.
    pub summary: Option<Summary>,
}

fn build(setup: Setup) -> Result<Rc<RefCell<Sim>>, String> {
    Sim::new(setup).map(|s| Rc::new(RefCell::new(s)))
}

impl AppState {
    /// The state for a URL fragment and a saved workspace (either may be absent or bad).
    pub fn start(url_state: UrlState, saved: Option<&str>) -> Self {
        let mut notices: Vec<Notice> = url_state.notices.iter().cloned().map(Notice::Url).collect();
        let mut preset = Preset::Demo;
        let lesson = url_state.lesson.as_deref().and_then(|name| {
            let found = lessons::find(name);
            if found.is_none() {
                notices.push(Notice::UnknownLesson(name.to_string()));
            }
            found
        });
        // A lesson linked without a scenario opens its first one.
        let mut url_state = url_state;
        if let (Some(l), None) = (lesson, &url_state.scenario) {
            url_state.scenario = Some(l.scenarios[0].clone());
        }
        if let Some(name) = &url_state.scenario {
            match Preset::from_name(name) {
                Some(p) => preset = p,
                None => notices.push(Notice::UnknownScenario(name.clone())),
            }
        }
        let workspace = match saved {
            Some(text) => match serde_json::from_str::<Workspace>(text) {
                Ok(w) => Some(w),
                Err(_) => {
                    notices.push(Notice::CorruptWorkspace);
                    None
                }
            },
            None => None,
        };
        // The saved workspace wins when the URL names the same scenario and seed (or nothing).
        let url_names_other = url_state.scenario.is_some() || url_state.seed.is_some();
        let workspace = workspace.filter(|w| {
            !url_names_other
                || (w.setup.preset.name() == preset.name() && url_state.seed.unwrap_or(w.setup.seed) == w.setup.seed)
        });
        let mut state = AppState {
            lang: url_state.lang,
            notices,
            sim: Err(String::new()),
            view: None,
            panels: None,
            panel_wall_ms: 0.0,
            log_turn: 0,
            feed: FeedCursor::default(),
            playing: false,
            speed: DEFAULT_SPEED,
            vt_milli: 0,
            horizon_ms: 0,
            show_internal: false,
            large_text: false,
            show_routine: false,
            explain: true,
            marks: Rc::new(Vec::new()),
            marks_next_index: 0,
            inspect: None,
            revision: 0,
            seekable_from_ms: 0,
            dev: None,
            terminal: Rc::new(Vec::new()),
            log_view: false,
            log_topic: None,
            presenter: url_state.presenter,
            blank: false,
            lesson: lesson.map(|l| l.name.clone()),
            asking: None,
            lesson_highlight: Vec::new(),
            progress: Rc::new(Progress::default()),
            fork: None,
            plan: url_state.plan && lesson.is_some(),
            pace: Pace::default(),
        };
        if let Some(w) = workspace {
            let t_ms = url_state.t_ms.unwrap_or(w.t_ms);
            match Sim::restore(w.setup.clone(), w.log, t_ms, w.horizon_ms.max(t_ms)) {
                Ok((sim, dropped)) => {
                    if dropped > 0 {
                        state.notices.push(Notice::Dropped(dropped));
                    }
                    if Lang::from_code(&w.lang).is_some() && !url_state_has_lang(&url_state) {
                        state.lang = Lang::from_code(&w.lang).unwrap_or_default();
                    }
                    state.speed = SPEEDS.iter().position(|s| *s == w.speed).unwrap_or(DEFAULT_SPEED);
                    state.show_internal = w.show_internal;
                    state.large_text = w.large_text;
                    state.sim = Ok(Rc::new(RefCell::new(sim)));
                    state.open_from_url(&url_state);
                    state.refresh();
                    return state;
                }
                Err(_) => state.notices.push(Notice::CorruptWorkspace),
            }
        }
        let seed = url_state.seed.unwrap_or(preset.default_seed(DEFAULT_SEED));
        let mut setup = Setup::new(preset, seed);
        setup.brokers = 3;
        state.sim = build(setup);
        if let (Ok(sim), Some(t_ms)) = (&state.sim, url_state.t_ms) {
            sim.borrow_mut().seek(t_ms);
        }
        state.open_from_url(&url_state);
        state.refresh();
        state
    }

    /// The learner's saved progress (localStorage text); unreadable text starts clean with a notice
    /// (the caller keeps that text under `lessons::UNREADABLE_PROGRESS_KEY`).
    pub fn with_progress(mut self, saved: Option<&str>) -> Self {
        let (progress, readable) = Progress::load(saved);
        if !readable {
            self.notices.push(Notice::CorruptProgress);
        }
        self.progress = Rc::new(progress);
        self
    }

    /// The question and fork the URL names, once the simulation is built.
    fn open_from_url(&mut self, url_state: &UrlState) {
        if let (Some(lesson), Some(id)) = (self.lesson.clone(), &url_state.question) {
            let asked = lessons::find(&lesson)
                .and_then(|l| l.question(id))
                .filter(|q| Some(q.scenario.as_str()) == self.scenario_name().as_deref());
            match asked {
                Some(q) => {
                    if url_state.t_ms.is_none() {
                        self.with_sim(|sim| sim.seek(q.ask_at_ms));
                    }
                    self.asking = Some(Asking { lesson, question: id.clone(), choice: None });
                }
                None => self.notices.push(Notice::UnknownQuestion(id.clone())),
            }
        }
        if let Some(index) = url_state.step {
            let mut reached = false;
            if url_state.t_ms.is_none() {
                self.with_sim(|sim| reached = sim.seek_to_step(index));
            }
            if !reached && url_state.t_ms.is_none() {
                self.notices.push(Notice::UnknownStep(index));
            }
        }
        if let Some(change) = &url_state.fork {
            self.start_fork(change, url_state.fork_at.unwrap_or(0));
        }
    }

    /// The running built-in scenario's name (None for the presets).
    fn scenario_name(&self) -> Option<String> {
        let sim = self.sim.as_ref().ok()?.borrow();
        sim.setup.preset.scenario().map(|s| s.name.clone())
    }

    fn with_sim(&self, f: impl FnOnce(&mut Sim)) {
        if let Ok(sim) = &self.sim {
            f(&mut sim.borrow_mut());
        }
    }

    /// Starts over with `setup`: another history, so the feed, markers and fork start over too.
    fn load(&mut self, setup: Setup) {
        self.sim = build(setup);
        self.panels = None;
        self.playing = false;
        self.marks = Rc::new(Vec::new());
        self.marks_next_index = 0;
        self.inspect = None;
        self.vt_milli = 0;
        self.fork = None;
        self.pace = Pace::default();
    }

    /// Loads built-in scenario `name` (with its own seed) unless it is the one running.
    fn ensure_scenario(&mut self, name: &str) {
        if self.scenario_name().as_deref() != Some(name) {
            if let Some(preset) = Preset::from_name(name) {
                let seed = preset.default_seed(DEFAULT_SEED);
                self.load(Setup::new(preset, seed));
            }
        }
    }

    fn start_fork(&mut self, change: &str, from_ms: Millis) {
        let Ok(sim) = &self.sim else { return };
        let (scenario, seed) = {
            let sim = sim.borrow();
            (sim.setup.preset.name().to_string(), sim.setup.seed)
        };
        match Fork::start(&scenario, seed, change, from_ms) {
            Ok(fork) => self.fork = Some(fork),
            Err(e) => {
                self.notices.retain(|n| !matches!(n, Notice::BadFork(_)));
                self.notices.push(Notice::BadFork(e));
            }
        }
    }

    fn lesson_action(&mut self, action: LessonAction) {
        self.playing = false;
        let lesson = self.lesson.as_deref().and_then(lessons::find);
        match action {
            LessonAction::Open(None) => {
                self.lesson = None;
                self.plan = false;
                self.asking = None;
                self.lesson_highlight.clear();
            }
            LessonAction::Open(Some(name)) => {
                let Some(l) = lessons::find(&name) else {
                    self.notices.push(Notice::UnknownLesson(name));
                    return;
                };
                self.lesson = Some(l.name.clone());
                self.asking = None;
                self.lesson_highlight.clear();
                if !self.progress.opened.contains(&l.name) {
                    Rc::make_mut(&mut self.progress).opened.insert(l.name.clone());
                }
                if !l.scenarios.iter().any(|s| Some(s) == self.scenario_name().as_ref()) {
                    self.ensure_scenario(&l.scenarios[0]);
                }
            }
            LessonAction::Scenario(name) => {
                if lesson.is_some_and(|l| l.scenarios.contains(&name) || l.try_it.scenario == name) {
                    self.ensure_scenario(&name);
                    self.asking = None;
                    self.lesson_highlight.clear();
                }
            }
            LessonAction::Look(i) => {
                let Some(look) = lesson.and_then(|l| l.look.get(i)) else { return };
                self.ensure_scenario(&look.scenario);
                self.with_sim(|sim| sim.seek(look.at_ms));
                self.asking = None;
                self.lesson_highlight = look.highlight.clone();
            }
            LessonAction::Ask(id) => {
                let Some((l, q)) = lesson.and_then(|l| Some((l, l.question(&id)?))) else { return };
                self.ensure_scenario(&q.scenario);
                self.with_sim(|sim| sim.seek(q.ask_at_ms));
                self.asking = Some(Asking { lesson: l.name.clone(), question: id, choice: None });
                self.lesson_highlight.clear();
            }
            LessonAction::Predict(choice) => {
                if let Some(asking) = &mut self.asking {
                    if asking.question().is_some_and(|q| choice < q.choices.len()) {
                        asking.choice = Some(choice);
                    }
                }
            }
            LessonAction::RunToCheck => {
                if let Some(q) = self.asking.as_ref().and_then(Asking::question) {
                    let at = q.check_at_ms;
                    self.with_sim(|sim| {
                        if sim.now() < at {
                            sim.seek(at)
                        }
                    });
                }
            }
            LessonAction::LessonFork(i) => {
                let Some(fork) = lesson.and_then(|l| l.forks.get(i)) else { return };
                self.ensure_scenario(&fork.scenario);
                self.start_fork(&fork.change.to_string(), fork.from_ms);
            }
            LessonAction::Fork(None) => self.fork = None,
            LessonAction::Fork(Some(change)) => self.start_fork(&change, 0),
            LessonAction::ForkHere(change) => {
                let now = self.sim.as_ref().map(|sim| sim.borrow().now()).unwrap_or(0);
                self.start_fork(&change, now);
            }
            LessonAction::Plan(open) => self.plan = open && self.lesson.is_some(),
        }
    }

    /// After the clock moved: a prediction whose check time has passed gets its verdict (saved in
    /// the progress), and a fork moves to the cursor.
    fn refresh_lesson(&mut self) {
        let Ok(sim) = &self.sim else { return };
        let (now, seed, scenario) = {
            let sim = sim.borrow();
            (sim.now(), sim.setup.seed, sim.setup.preset.name().to_string())
        };
        if let Some(asking) = &self.asking {
            let key = format!("{}/{}", asking.lesson, asking.question);
            if !self.progress.answers.contains_key(&key) {
                match lessons::check(asking, &scenario, seed, now) {
                    Some(Ok(answer)) => {
                        Rc::make_mut(&mut self.progress).answers.insert(key, answer);
                        self.lesson_highlight = asking.question().map(|q| q.highlight.clone()).unwrap_or_default();
                    }
                    Some(Err(e)) => {
                        self.asking = None;
                        self.notices.push(Notice::VerdictFailed(e));
                    }
                    None => {}
                }
            }
        }
        if let Some(fork) = &mut self.fork {
            if fork.scenario == scenario && fork.seed == seed {
                fork.sync(now);
            }
        }
    }

    /// Adds commands and their outputs to the terminal's transcript; the last one is marked
    /// running when the simulation's terminal still runs it.
    fn push_terminal(&mut self, outputs: Vec<(String, kafkalab_tools::Output)>, typed: &[String]) {
        if outputs.is_empty() {
            return;
        }
        let running = self.sim.as_ref().is_ok_and(|sim| sim.borrow().terminal_running());
        let count = outputs.len();
        let transcript = Rc::make_mut(&mut self.terminal);
        for (i, (command, output)) in outputs.into_iter().enumerate() {
            let typed = if command.contains("kafka-console-producer") { typed.to_vec() } else { Vec::new() };
            transcript.push(TerminalEntry {
                command,
                typed,
                stdout: output.stdout,
                stderr: output.stderr,
                status: output.status,
                running: running && i + 1 == count,
            });
        }
        let excess = transcript.len().saturating_sub(TERMINAL_MAX);
        transcript.drain(..excess);
    }

    /// Appends to the running entry of the transcript; `running` says whether it goes on.
    fn extend_running(&mut self, output: kafkalab_tools::Output, running: bool) {
        let transcript = Rc::make_mut(&mut self.terminal);
        if let Some(entry) = transcript.last_mut().filter(|e| e.running) {
            entry.stdout.push_str(&output.stdout);
            entry.stderr.push_str(&output.stderr);
            entry.status = output.status;
            entry.running = running;
        }
    }

    /// After the clock moved: what the terminal's running console consumer printed meanwhile,
    /// and the commands that waited for it once it ended. A transcript entry left running by a
    /// simulation that was replaced (another scenario) ends with a line saying so.
    fn follow_terminal(&mut self) {
        let Ok(sim) = &self.sim else { return };
        let progress = sim.borrow_mut().follow_terminal();
        match progress {
            Some(progress) => {
                if progress.output != kafkalab_tools::Output::default() || progress.ended {
                    self.extend_running(progress.output, !progress.ended);
                }
                self.push_terminal(progress.then, &[]);
            }
            None if self.terminal.last().is_some_and(|e| e.running) => {
                let ended = kafkalab_tools::Output {
                    stderr: "kafkalab: another simulation was loaded; this console consumer is gone.\n".into(),
                    status: 1,
                    ..Default::default()
                };
                self.extend_running(ended, false);
            }
            None => {}
        }
    }

    /// Rebuilds the view, the panels and the timeline markers from the simulation.
    fn refresh(&mut self) {
        self.follow_terminal();
        self.refresh_lesson();
        self.refresh_view();
        self.refresh_panels();
    }

    /// Rebuilds what the panels read from the simulation and the current view.
    fn refresh_panels(&mut self) {
        self.read_panels(false);
    }

    /// The panels' refresh while playing, which reads the partition logs in turns
    /// ([`LogData::read`]).
    fn refresh_panels_in_turn(&mut self) {
        self.read_panels(true);
        self.log_turn = self.log_turn.wrapping_add(1);
    }

    fn read_panels(&mut self, in_turn: bool) {
        self.panel_wall_ms = 0.0;
        let (Ok(sim), Some(view)) = (&self.sim, &self.view) else {
            self.panels = None;
            return;
        };
        let sim = sim.borrow();
        let inspector = self.inspect.as_ref().map(|(topic, p)| Rc::new(PartitionLog::read(sim.world(), topic, *p)));
        let notes = sim.setup.preset.scenario().filter(|s| s.steps.iter().any(|s| s.note.is_some())).map(|_| {
            Rc::new(NotesData {
                reached: sim.notes_reached(),
                next: sim.next_note(),
                failures: sim.step_failures(),
                explain: self.explain,
                summary: sim.summary(),
            })
        });
        let highlight = match notes.as_ref().and_then(|n| n.reached.last()).filter(|_| self.explain) {
            _ if !self.lesson_highlight.is_empty() => self.lesson_highlight.clone(),
            Some(note) => note.highlight.clone(),
            None => Vec::new(),
        };
        let highlight = match &self.panels {
            Some(old) if *old.highlight == highlight => old.highlight.clone(),
            _ => Rc::new(highlight),
        };
        // Only the facts since the last refresh are read, unless the history went back (a seek,
        // a new branch) or the filter changed: the large preset makes thousands of routine facts
        // a second, which would push every other fact out of any fixed window.
        let count = sim.world().fact_count();
        let facts = match &self.panels {
            Some(old) if self.feed.routine == self.show_routine && self.feed.next <= count => {
                let new = sim.recent_facts(self.show_routine, self.feed.next, FEED_MAX);
                if new.is_empty() {
                    // The same Rc: the feed is not drawn again.
                    old.facts.clone()
                } else {
                    Rc::new(crate::sim::feed_window(new.iter().chain(old.facts.iter()), FEED_MAX))
                }
            }
            _ => Rc::new(sim.recent_facts(self.show_routine, 0, FEED_MAX)),
        };
        self.feed = FeedCursor { next: count, routine: self.show_routine };
        let history_from = sim.world().facts().next().filter(|f| f.index > 0).map(|f| f.at_ms);
        // The same Rc while no client comes or goes: the feed is not drawn again for it.
        let roster = Roster::from_view(&view.0);
        let roster = match &self.panels {
            Some(old) if *old.roster == roster => old.roster.clone(),
            _ => Rc::new(roster),
        };
        let scale = sim.setup.preset == Preset::Scale;
        let logs = (self.log_view && !scale).then(|| {
            let previous = self.panels.as_ref().and_then(|p| p.logs.as_ref()).filter(|_| in_turn);
            let previous = previous.map(|logs| (&*logs.0, self.log_turn));
            Shared(Rc::new(LogData::read(sim.world(), self.log_topic.as_deref(), previous)))
        });
        let detail = if scale {
            Detail::Scale(Rc::new(crate::scale::ScaleSummary::read(sim.world())))
        } else {
            Detail::Picture(PicturePanels {
                groups: Shared(Rc::new(sim.world().group_logs())),
                metrics: Shared(Rc::new(MetricsData::read(sim.world()))),
                messages: Shared(Rc::new(MessageData::read(sim.world()))),
            })
        };
        self.panels =
            Some(Panels { view: view.clone(), facts, history_from, roster, notes, inspector, highlight, logs, detail });
    }

    /// Rebuilds the view and the timeline markers from the simulation (once per change).
    fn refresh_view(&mut self) {
        let Ok(sim) = &self.sim else {
            self.view = None;
            return;
        };
        let sim = sim.borrow();
        // The scale preset's page draws no replica and no partition of the view (its summary
        // reads the world): the outline spares copying them.
        let view = if sim.setup.preset == Preset::Scale { sim.world().outline() } else { sim.world().view() };
        let now = view.now_ms;
        if self.vt_milli / 1000 != now {
            self.vt_milli = now * 1000;
        }
        self.horizon_ms = sim.horizon_ms;
        self.seekable_from_ms = sim.seekable_from_ms();
        // Markers: add facts not seen yet (replays reproduce the same facts, so old ones stay valid).
        let count = sim.world().fact_count();
        if count > self.marks_next_index {
            let new: Vec<(Millis, Mark)> = sim
                .world()
                .facts()
                .rev()
                .take_while(|f| f.index >= self.marks_next_index)
                .filter_map(|f| narrate::mark(&f.fact).map(|m| (f.at_ms, m)))
                .collect();
            if !new.is_empty() {
                let marks = Rc::make_mut(&mut self.marks);
                marks.extend(new.into_iter().rev());
                if marks.len() > 400 {
                    let excess = marks.len() - 400;
                    marks.drain(..excess);
                }
            }
            self.marks_next_index = count;
        }
        self.view = Some(ViewRc(Rc::new(view)));
    }

    /// In explain mode, the log inspector opens the first partition the newest note names.
    fn inspect_highlighted(&mut self, sim: &Sim) {
        if !self.explain {
            return;
        }
        let view = sim.world().view();
        let partition = sim.notes_reached().last().and_then(|note| {
            note.highlight.iter().find_map(|name| {
                let (topic, p) = name.rsplit_once('-')?;
                let p = p.parse::<i32>().ok()?;
                view.topics.iter().any(|t| t.name == topic).then(|| (topic.to_string(), p))
            })
        });
        if partition.is_some() {
            self.inspect = partition;
        }
    }

    pub fn view(&self) -> Option<&View> {
        self.view.as_ref().map(|v| &*v.0)
    }

    pub fn workspace(&self) -> Option<Workspace> {
        let sim = self.sim.as_ref().ok()?.borrow();
        Some(Workspace {
            setup: sim.setup.clone(),
            log: sim.log.clone(),
            t_ms: sim.now(),
            horizon_ms: sim.horizon_ms,
            lang: self.lang.code().into(),
            speed: SPEEDS[self.speed],
            show_internal: self.show_internal,
            large_text: self.large_text,
        })
    }

    /// The fragment that restores this view: `#scenario=NAME&seed=N&t=MS&lang=ko`.
    pub fn fragment(&self) -> String {
        match &self.sim {
            Ok(sim) => {
                let sim = sim.borrow();
                let mut fragment = format!(
                    "#scenario={}&seed={}&t={}&lang={}{}",
                    sim.setup.preset.name(),
                    sim.setup.seed,
                    sim.now(),
                    self.lang.code(),
                    if self.presenter { "&presenter=1" } else { "" }
                );
                if let Some(lesson) = &self.lesson {
                    fragment.push_str(&format!("&lesson={lesson}"));
                }
                if let Some(asking) = &self.asking {
                    fragment.push_str(&format!("&question={}", asking.question));
                }
                if let Some(fork) = &self.fork {
                    fragment.push_str(&format!("&fork={}", url::percent_encode(&fork.change.to_string())));
                    if fork.from_ms > 0 {
                        fragment.push_str(&format!("&fork_at={}", fork.from_ms));
                    }
                }
                if self.plan {
                    fragment.push_str("&plan=1");
                }
                fragment
            }
            Err(_) => url::with_lang("", self.lang),
        }
    }
}

fn url_state_has_lang(state: &UrlState) -> bool {
    state.lang != Lang::Ko || state.notices.iter().any(|n| matches!(n, UrlNotice::UnknownLang(_)))
}

/// What the user can do.
#[derive(Debug, Clone, PartialEq)]
pub enum AppAction {
    ToggleLang,
    DismissNotice(usize),
    Play,
    Pause,
    TogglePlay,
    /// One animation frame: `wall_ms` of wall time passed.
    Frame(f64),
    Step,
    StepInteresting,
    StepBack,
    /// Shift+← / Shift+→: to the scenario's previous / next note.
    PreviousNote,
    NextNote,
    SetSpeed(usize),
    Seek(Millis),
    Apply(UserAction),
    /// Start over with another setup.
    Load(Setup),
    ToggleInternal,
    ToggleLargeText,
    ToggleRoutine,
    /// Explain mode on or off.
    ToggleExplain,
    Inspect(Option<(String, i32)>),
    /// Commands typed or pasted into the terminal (a producer's input lines up to `^D` included).
    Terminal(String),
    /// Ctrl+C in the terminal: stops the running console consumer.
    TerminalInterrupt,
    ClearTerminal,
    /// The main view: the partition logs (true) or the brokers.
    SetLogView(bool),
    /// The topic the log view shows (None: every topic).
    LogTopic(Option<String>),
    TogglePresenter,
    /// Blanks the screen or shows it again (presenter mode only).
    ToggleBlank,
    Lesson(LessonAction),
}

/// The most wall time one frame may advance (a background tab must not jump hours ahead).
const MAX_FRAME_MS: f64 = 100.0;

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let mut next = (*self).clone();
        let sim = next.sim.as_ref().ok().cloned();
        match action {
            AppAction::ToggleLang => next.lang = self.lang.other(),
            AppAction::DismissNotice(index) => {
                if index < next.notices.len() {
                    next.notices.remove(index);
                }
            }
            AppAction::Play => next.playing = true,
            AppAction::Pause => {
                next.playing = false;
                // The scale preset's frames leave the view to the panels' refresh: catch it up.
                if sim.as_ref().is_some_and(|s| s.borrow().setup.preset == Preset::Scale) {
                    next.refresh_view();
                }
                next.refresh_lesson();
                next.refresh_panels();
                return Rc::new(next);
            }
            AppAction::TogglePlay
                if self.playing && sim.as_ref().is_some_and(|s| s.borrow().setup.preset == Preset::Scale) =>
            {
                return self.reduce(AppAction::Pause);
            }
            AppAction::TogglePlay => next.playing = !self.playing,
            AppAction::Frame(wall_ms) => {
                if !self.playing {
                    return self;
                }
                let Some(sim) = sim else { return self };
                let dt = wall_ms.clamp(0.0, MAX_FRAME_MS);
                // Tenths of speed x thousandths of ms: integer arithmetic for the virtual clock.
                let advance = (dt * SPEEDS[self.speed] as f64 * 100.0) as u64;
                next.vt_milli = self.vt_milli + advance;
                let target = next.vt_milli / 1000;
                let mut vt = next.vt_milli;
                let before = sim.borrow().now();
                let bounded = sim.borrow().setup.preset == Preset::Scale;
                if target > before {
                    if let Some(at) = self.dev.and_then(|d| d.panic_at).filter(|at| target >= *at) {
                        panic!("injected by the developer hook ?dev&panic-at={at}");
                    }
                    if bounded {
                        let deadline = wall_now_ms() + FRAME_WORK_MS;
                        // The clock is read every few events: an event is a few microseconds.
                        let mut events = 0u32;
                        let more = || {
                            events = events.wrapping_add(1);
                            !events.is_multiple_of(CLOCK_EVERY_EVENTS) || wall_now_ms() < deadline
                        };
                        if !sim.borrow_mut().play_bounded(target, more) {
                            // Behind: the clock goes on from where the engine got, not from a
                            // target it owes (no catching up in a burst later).
                            vt = sim.borrow().now() * 1000;
                        }
                    } else if self.explain {
                        if sim.borrow_mut().play_to(target) {
                            // A note arrived: pause on it, with its partition in the log inspector.
                            next.playing = false;
                            next.inspect_highlighted(&sim.borrow());
                            next.revision += 1;
                            next.refresh();
                            return Rc::new(next);
                        }
                    } else {
                        sim.borrow_mut().seek(target);
                    }
                    next.follow_terminal();
                    // 100 brokers' view costs a frame's budget by itself: it comes with the panels.
                    if !bounded {
                        next.refresh_view();
                    }
                }
                next.vt_milli = vt;
                if bounded {
                    next.pace.frame(dt, sim.borrow().now().saturating_sub(before));
                }
                next.panel_wall_ms += dt;
                let every = if bounded { SCALE_PANEL_EVERY_MS } else { PANEL_EVERY_MS };
                if next.panel_wall_ms >= every {
                    if bounded {
                        next.refresh_view();
                    }
                    next.refresh_lesson();
                    next.refresh_panels_in_turn();
                }
                return Rc::new(next);
            }
            AppAction::Step => {
                if let Some(sim) = sim {
                    sim.borrow_mut().step();
                }
                next.playing = false;
            }
            AppAction::StepInteresting => {
                if let Some(sim) = sim {
                    sim.borrow_mut().step_to_interesting(200_000);
                }
                next.playing = false;
            }
            AppAction::StepBack => {
                if let Some(sim) = sim {
                    sim.borrow_mut().step_back();
                }
                next.playing = false;
            }
            AppAction::PreviousNote => {
                if let Some(sim) = sim {
                    sim.borrow_mut().seek_note(false);
                }
                next.playing = false;
            }
            AppAction::NextNote => {
                if let Some(sim) = sim {
                    sim.borrow_mut().seek_note(true);
                    next.inspect_highlighted(&sim.borrow());
                }
                next.playing = false;
            }
            AppAction::SetSpeed(i) => next.speed = i.min(SPEEDS.len() - 1),
            AppAction::Seek(t_ms) => {
                if let Some(sim) = sim {
                    let t = t_ms.min(url::MAX_T_MS);
                    sim.borrow_mut().seek(t);
                }
            }
            AppAction::Apply(user) => {
                if let Some(sim) = sim {
                    let result = sim.borrow_mut().apply(user);
                    if let Err(e) = result {
                        next.notices.retain(|n| !matches!(n, Notice::ActionFailed(_)));
                        next.notices.push(Notice::ActionFailed(e));
                    } else {
                        // A new branch: markers after now are gone.
                        let now = sim.borrow().now();
                        Rc::make_mut(&mut next.marks).retain(|(at, _)| *at <= now);
                        next.marks_next_index = sim.borrow().world().fact_count();
                    }
                }
            }
            // Another history: the feed starts over.
            AppAction::Load(setup) => next.load(setup),
            AppAction::Lesson(action) => next.lesson_action(action),
            AppAction::ToggleInternal => {
                next.show_internal = !self.show_internal;
                return Rc::new(next);
            }
            AppAction::ToggleLargeText => {
                next.large_text = !self.large_text;
                return Rc::new(next);
            }
            AppAction::ToggleExplain => {
                next.explain = !self.explain;
                next.refresh_panels();
                return Rc::new(next);
            }
            AppAction::ToggleRoutine => {
                next.show_routine = !self.show_routine;
                next.refresh_panels();
                return Rc::new(next);
            }
            AppAction::Inspect(p) => {
                next.inspect = p;
                next.refresh_panels();
                return Rc::new(next);
            }
            AppAction::Terminal(text) => {
                let Some(sim) = sim else { return self };
                let outputs = sim.borrow_mut().run_terminal(&text);
                // A console producer's typed input comes as the lines after its command, up to `^D`.
                let typed: Vec<String> = if text.contains("\n^D") {
                    text.lines()
                        .skip_while(|l| !l.contains("kafka-console-producer"))
                        .skip(1)
                        .take_while(|l| l.trim() != "^D")
                        .map(str::to_string)
                        .collect()
                } else {
                    Vec::new()
                };
                next.push_terminal(outputs, &typed);
                // A command that moved time pauses the simulation there; a console consumer left
                // running streams as it plays, so playing goes on.
                if !sim.borrow().terminal_running() {
                    next.playing = false;
                }
            }
            AppAction::TerminalInterrupt => {
                let Some(sim) = sim else { return self };
                let Some(output) = sim.borrow_mut().interrupt_terminal() else { return self };
                next.extend_running(output, false);
            }
            AppAction::ClearTerminal => {
                // A console consumer still running keeps its entry (emptied), as a terminal's
                // `clear` leaves the running process on screen.
                let running = self.terminal.last().filter(|e| e.running).map(|e| TerminalEntry {
                    typed: Vec::new(),
                    stdout: String::new(),
                    stderr: String::new(),
                    ..e.clone()
                });
                next.terminal = Rc::new(running.into_iter().collect());
                return Rc::new(next);
            }
            AppAction::SetLogView(on) => {
                next.log_view = on;
                next.refresh_panels();
                return Rc::new(next);
            }
            AppAction::TogglePresenter => {
                next.presenter = !self.presenter;
                next.blank = false;
                return Rc::new(next);
            }
            AppAction::ToggleBlank => {
                next.blank = self.presenter && !self.blank;
                return Rc::new(next);
            }
            AppAction::LogTopic(topic) => {
                next.log_topic = topic;
                next.refresh_panels();
                return Rc::new(next);
            }
        }
        next.revision += 1;
        next.refresh();
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_is_virtual_over_wall_time_per_window() {
        let mut pace = Pace::default();
        for _ in 0..59 {
            pace.frame(16.0, 3);
        }
        assert_eq!(pace.hundredths, None, "less than a second of wall time");
        pace.frame(60.0, 3);
        // 180 virtual ms in 1,004 wall ms.
        assert_eq!(pace.hundredths, Some(18));
        pace.frame(1_000.0, 2_000);
        assert_eq!(pace.hundredths, Some(200), "each window on its own");
    }

    fn reduce(state: AppState, action: AppAction) -> AppState {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn fresh(fragment: &str) -> AppState {
        AppState::start(url::parse_fragment(fragment), None)
    }

    #[test]
    fn a_lesson_linked_by_url_opens_its_first_scenario_and_stays_in_the_fragment() {
        let state = fresh("#lesson=replication-failover&lang=en");
        assert_eq!(state.lesson.as_deref(), Some("replication-failover"));
        assert_eq!(state.scenario_name().as_deref(), Some("leader-failover"));
        assert!(state.fragment().contains("&lesson=replication-failover"), "{}", state.fragment());
        let state = fresh("#lesson=nope");
        assert_eq!(state.lesson, None);
        assert!(state.notices.contains(&Notice::UnknownLesson("nope".into())));
        let state = fresh("#lesson=replication-failover&question=nope");
        assert!(state.notices.contains(&Notice::UnknownQuestion("nope".into())));
    }

    #[test]
    fn a_prediction_is_checked_by_the_engine_once_time_reaches_the_check() {
        let state = fresh("#lesson=replication-failover&question=new-leader");
        let asking = state.asking.clone().expect("the URL asks the question");
        assert_eq!(state.view().unwrap().now_ms, 9_500, "paused at the question's ask time");
        assert_eq!(asking.choice, None);
        let state = reduce(state, AppAction::Lesson(LessonAction::Predict(2)));
        let state = reduce(state, AppAction::Seek(15_000));
        assert!(state.progress.answers.is_empty(), "not before the check time");
        let state = reduce(state, AppAction::Lesson(LessonAction::RunToCheck));
        assert_eq!(state.view().unwrap().now_ms, 20_000);
        let answer = state.progress.answer("replication-failover", "new-leader").expect("checked");
        assert_eq!((answer.choice, answer.correct, answer.value.as_str()), (2, 0, "1"));
        assert_eq!(*state.panels.as_ref().unwrap().highlight, vec!["orders-2".to_string(), "broker-2".to_string()]);
    }

    #[test]
    fn a_fork_from_the_url_compares_at_the_cursor_and_a_bad_one_says_why() {
        let state = fresh("#scenario=leader-failover&seed=3&t=45000&fork=producer:checkout:acks=1");
        let fork = state.fork.as_ref().expect("fork");
        assert_eq!(fork.comparison.at_ms, 45_000);
        assert_eq!(fork.comparison.base.acked_lost, 0);
        assert!(fork.comparison.fork.acked_lost >= 1);
        assert!(state.fragment().ends_with("&fork=producer:checkout:acks=1"), "{}", state.fragment());
        let state = reduce(state, AppAction::Lesson(LessonAction::Fork(None)));
        assert!(state.fork.is_none());
        let state = fresh("#scenario=leader-failover&fork=producer:checkout:acks=7");
        assert!(state.fork.is_none());
        assert!(
            state.notices.iter().any(|n| matches!(n, Notice::BadFork(e) if e.contains("acks"))),
            "{:?}",
            state.notices
        );
    }

    #[test]
    fn a_fork_here_parts_at_the_cursor_and_the_url_keeps_the_moment() {
        let state = fresh("#scenario=leader-failover&seed=3&t=9000");
        let state = reduce(state, AppAction::Lesson(LessonAction::ForkHere("producer:checkout:acks=1".into())));
        let fork = state.fork.as_ref().expect("fork");
        assert_eq!(fork.from_ms, 9_000);
        assert!(state.fragment().ends_with("&fork=producer:checkout:acks=1&fork_at=9000"), "{}", state.fragment());
        let state = reduce(state, AppAction::Seek(45_000));
        let fork = state.fork.as_ref().expect("fork");
        assert_eq!(fork.comparison.at_ms, 45_000);
        assert!(fork.comparison.fork.acked_lost >= 1 && fork.comparison.base.acked_lost == 0);
        let state = fresh("#scenario=leader-failover&seed=3&t=30000&fork=%2Bkill-broker:3&fork_at=12000");
        let fork = state.fork.as_ref().expect("an added action from the URL");
        assert_eq!((fork.change.to_string().as_str(), fork.from_ms), ("+kill-broker:3", 12_000));
        assert!(state.fragment().contains("&fork=%2Bkill-broker:3&fork_at=12000"), "{}", state.fragment());
        let state = fresh("#scenario=leader-failover&fork=producer:checkout:acks=1&fork_at=soon");
        assert_eq!(state.fork.as_ref().map(|f| f.from_ms), Some(0), "a bad moment is ignored with a notice");
        assert!(state.notices.iter().any(|n| matches!(n, Notice::Url(UrlNotice::BadNumber { field: "fork_at", .. }))));
    }

    #[test]
    fn a_class_starts_at_a_lesson_step_and_the_plan_opens_from_the_url() {
        let scenario = lessons::find("replication-failover").map(|l| l.scenarios[0].clone()).unwrap();
        let steps = &crate::sim::Preset::from_name(&scenario).unwrap().scenario().unwrap().steps;
        let (index, step) = steps.iter().enumerate().filter(|(_, s)| s.note().is_some()).nth(2).unwrap();
        let state = fresh(&format!("#lesson=replication-failover&step={index}&plan=1&lang=en"));
        assert!(state.plan);
        let notes = &state.panels.as_ref().unwrap().notes;
        let reached = notes.as_ref().map(|n| n.reached.iter().any(|r| r.index == index)).unwrap_or(false);
        assert!(reached, "the class starts at step {index}");
        assert!(state.view().unwrap().now_ms >= step.at_ms);
        assert!(state.fragment().ends_with("&lesson=replication-failover&plan=1"), "{}", state.fragment());
        let state = reduce(state, AppAction::Lesson(LessonAction::Plan(false)));
        assert!(!state.plan);
        let state = fresh("#lesson=replication-failover&step=999");
        assert!(state.notices.contains(&Notice::UnknownStep(999)));
        assert!(!fresh("#plan=1").plan, "a plan needs a lesson");
    }

    #[test]
    fn unreadable_progress_is_a_notice_and_a_clean_start() {
        let state = fresh("#scenario=demo").with_progress(Some("{\"answers\": [1, 2]"));
        assert!(state.notices.contains(&Notice::CorruptProgress));
        assert!(state.progress.answers.is_empty());
    }

    #[test]
    fn terminal_commands_run_on_the_simulation_and_keep_a_transcript() {
        let state = fresh("#scenario=sandbox-brokers&seed=1");
        let state = reduce(
            state,
            AppAction::Terminal(
                "kafka-topics.sh --create --topic t --bootstrap-server localhost:9092\nkafka-console-producer.sh --bootstrap-server localhost:9092 --topic t\nhello\n^D\n".into(),
            ),
        );
        assert_eq!(state.terminal.len(), 2);
        assert_eq!(state.terminal[0].stdout, "Created topic t.\n");
        assert_eq!(state.terminal[1].typed, vec!["hello".to_string()]);
        assert!(state.view().unwrap().topics.iter().any(|t| t.name == "t"));
        assert!(state.view().unwrap().now_ms > 0, "virtual time moved while the commands waited");
        let state = reduce(state, AppAction::ClearTerminal);
        assert!(state.terminal.is_empty());
    }

    #[test]
    fn a_console_consumer_streams_in_the_transcript_as_time_moves_until_ctrl_c() {
        let state = fresh("#scenario=sandbox-brokers&seed=1");
        let state = reduce(
            state,
            AppAction::Terminal(
                "kafka-topics.sh --create --topic T --bootstrap-server localhost:9092\nprintf 'a\\nb\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic T\nkafka-console-consumer.sh --bootstrap-server localhost:9092 --topic T --group g --from-beginning\n".into(),
            ),
        );
        assert_eq!(state.terminal.len(), 3);
        let running = |s: &AppState| s.terminal.last().unwrap().clone();
        assert!(running(&state).running);
        assert_eq!(running(&state).stdout, "");
        // Time moves (a seek, as the scrubber or the play loop moves it): the records appear.
        let now = state.view().unwrap().now_ms;
        let state = reduce(state, AppAction::Seek(now + 10_000));
        assert_eq!(running(&state).stdout, "a\nb\n");
        assert!(running(&state).running);
        // A command typed while it runs waits for it; Ctrl+C drops it with the consumer.
        let state =
            reduce(state, AppAction::Terminal("kafka-topics.sh --list --bootstrap-server localhost:9092".into()));
        assert_eq!(state.terminal.len(), 3);
        // Clearing the transcript keeps the running command's entry, so Ctrl+C still reaches it.
        let state = reduce(state, AppAction::ClearTerminal);
        assert_eq!(state.terminal.len(), 1);
        assert!(running(&state).running);
        let state = reduce(state, AppAction::TerminalInterrupt);
        let entry = running(&state);
        assert!(!entry.running);
        assert_eq!((entry.stdout.as_str(), entry.stderr.as_str()), ("^C", "Processed a total of 2 messages\n"));
        let now = state.view().unwrap().now_ms;
        let state = reduce(state, AppAction::Seek(now + 5_000));
        assert_eq!(state.terminal.len(), 1, "the queued command was dropped by Ctrl+C");
    }

    #[test]
    fn the_log_view_reads_the_partition_logs_only_while_shown_and_filters_by_topic() {
        let state = reduce(fresh("#scenario=demo"), AppAction::Seek(3_000));
        assert!(state.panels.as_ref().unwrap().logs.is_none());
        let state = reduce(state, AppAction::SetLogView(true));
        let logs = state.panels.as_ref().unwrap().logs.clone().unwrap();
        assert_eq!(logs.0.topics, vec!["orders".to_string()]);
        assert_eq!(logs.0.partitions.len(), 3);
        assert!(logs.0.partitions.iter().all(|p| p.replicas.len() == 3 && p.high_watermark > 0));
        let state = reduce(state, AppAction::LogTopic(Some("nope".into())));
        assert!(state.panels.as_ref().unwrap().logs.as_ref().unwrap().0.partitions.is_empty());
        let state = reduce(state, AppAction::SetLogView(false));
        assert!(state.panels.as_ref().unwrap().logs.is_none());
    }

    #[test]
    fn while_playing_a_refresh_reads_a_third_of_the_partition_logs_and_a_pause_reads_them_all() {
        let state = reduce(fresh("#scenario=demo"), AppAction::Seek(3_000));
        let state = reduce(state, AppAction::SetLogView(true));
        let logs = |state: &AppState| state.panels.as_ref().unwrap().logs.clone().unwrap().0;
        let mut state = reduce(state, AppAction::Play);
        let before = logs(&state);
        // Frames until the panels refresh, a virtual second later at 1x.
        while Rc::ptr_eq(&logs(&state), &before) {
            state = reduce(state, AppAction::Frame(50.0));
        }
        let during = logs(&state);
        let kept: Vec<bool> = before.partitions.iter().zip(&during.partitions).map(|(a, b)| Rc::ptr_eq(a, b)).collect();
        assert_eq!(kept.iter().filter(|k| !**k).count(), 1, "one of the three partitions read again: {kept:?}");
        let state = reduce(state, AppAction::Pause);
        let paused = logs(&state);
        let now = state.sim.as_ref().unwrap().borrow().world().partition_logs(None, crate::logs::NEWEST_CELLS);
        assert_eq!(
            paused.partitions.iter().map(|p| (**p).clone()).collect::<Vec<_>>(),
            now,
            "a pause reads every partition"
        );
    }

    #[test]
    fn presenter_mode_is_in_the_url_and_blanks_only_when_on() {
        let state = fresh("#scenario=leader-failover&presenter=1");
        assert!(state.presenter);
        assert!(state.fragment().ends_with("&presenter=1"), "{}", state.fragment());
        let state = reduce(state, AppAction::ToggleBlank);
        assert!(state.blank);
        let state = reduce(state, AppAction::TogglePresenter);
        assert!(!state.presenter && !state.blank && !state.fragment().contains("presenter"));
        assert!(!reduce(state, AppAction::ToggleBlank).blank);
    }

    #[test]
    fn toggling_switches_between_korean_and_english() {
        let state = fresh("");
        assert_eq!(state.lang, Lang::Ko);
        let state = reduce(state, AppAction::ToggleLang);
        assert_eq!(state.lang, Lang::En);
        assert_eq!(reduce(state, AppAction::ToggleLang).lang, Lang::Ko);
    }

    #[test]
    fn notices_can_be_dismissed_one_by_one() {
        let state = fresh("#lang=xx&seed=no");
        assert_eq!(state.notices.len(), 2);
        let state = reduce(state, AppAction::DismissNotice(5));
        assert_eq!(state.notices.len(), 2);
        let state = reduce(state, AppAction::DismissNotice(0));
        assert_eq!(state.notices, vec![Notice::Url(UrlNotice::BadNumber { field: "seed", value: "no".into() })]);
    }

    #[test]
    fn unknown_scenario_and_corrupt_workspace_show_notices_and_start_clean() {
        let state = AppState::start(url::parse_fragment("#scenario=nope"), Some("{not json"));
        assert!(state.notices.contains(&Notice::UnknownScenario("nope".into())));
        assert!(state.notices.contains(&Notice::CorruptWorkspace));
        assert_eq!(state.view().unwrap().brokers.len(), 3);
    }

    #[test]
    fn t_in_the_url_advances_the_virtual_clock() {
        let state = fresh("#t=2500");
        assert_eq!(state.view().unwrap().now_ms, 2500);
    }

    #[test]
    fn explain_mode_pauses_playing_where_a_note_arrives_and_highlights_what_it_names() {
        let state = reduce(fresh("#scenario=slow-follower"), AppAction::Play);
        let mut state = reduce(state, AppAction::SetSpeed(9)); // 100x: 10 s of virtual time a frame
        assert!(state.explain, "on by default");
        state = reduce(state, AppAction::Frame(100.0));
        assert!(!state.playing, "paused at the note");
        assert_eq!(state.view().unwrap().now_ms, 5_000);
        assert_eq!(*state.panels.as_ref().unwrap().highlight, vec!["broker-5".to_string()]);
        let state = reduce(state, AppAction::NextNote);
        assert_eq!(state.view().unwrap().now_ms, 7_003, "the note tied to the ISR shrink");
        assert_eq!(state.inspect, Some(("payments".to_string(), 0)), "the inspector opens what it names");
        let state = reduce(state, AppAction::ToggleExplain);
        assert!(state.panels.as_ref().unwrap().highlight.is_empty());
        let state = reduce(reduce(state, AppAction::Play), AppAction::Frame(100.0));
        assert!(state.playing, "without explain mode, notes do not pause");
        assert_eq!(state.view().unwrap().now_ms, 17_003);
    }

    #[test]
    fn frames_advance_virtual_time_at_the_chosen_speed() {
        let state = reduce(fresh("#scenario=demo"), AppAction::Play);
        let state = reduce(state, AppAction::SetSpeed(6)); // 10x
        let state = reduce(state, AppAction::Frame(50.0));
        assert_eq!(state.view().unwrap().now_ms, 500);
        let state = reduce(state, AppAction::Pause);
        let state = reduce(state, AppAction::Frame(50.0));
        assert_eq!(state.view().unwrap().now_ms, 500);
    }

    #[test]
    fn while_playing_the_panels_follow_the_clock_every_100_ms_of_wall_time_and_on_pause() {
        let panels_at = |s: &AppState| s.panels.as_ref().unwrap().view.0.now_ms;
        let state = reduce(fresh("#scenario=demo"), AppAction::Play); // 1x
        let state = reduce(state, AppAction::Frame(50.0));
        assert_eq!((state.view().unwrap().now_ms, panels_at(&state)), (50, 0));
        let state = reduce(state, AppAction::Frame(60.0));
        assert_eq!((state.view().unwrap().now_ms, panels_at(&state)), (110, 110));
        let state = reduce(state, AppAction::Frame(20.0));
        assert_eq!(panels_at(&state), 110);
        let state = reduce(state, AppAction::Pause);
        assert_eq!(panels_at(&state), 130);
    }

    #[test]
    fn the_feed_reads_new_facts_only_and_matches_a_full_read() {
        let full = |s: &AppState| {
            let sim = s.sim.as_ref().unwrap().borrow();
            sim.recent_facts(false, 0, FEED_MAX)
        };
        let mut state = reduce(fresh("#scenario=demo"), AppAction::Play);
        state = reduce(state, AppAction::SetSpeed(8)); // 50x
        for _ in 0..40 {
            state = reduce(state, AppAction::Frame(16.0));
        }
        state = reduce(state, AppAction::Apply(UserAction::KillBroker { broker: 1 }));
        for _ in 0..40 {
            state = reduce(state, AppAction::Frame(16.0));
        }
        let feed = state.panels.as_ref().unwrap().facts.clone();
        assert!(feed.iter().any(|f| matches!(f.fact, kafkalab_engine::narration::Fact::BrokerStopped { .. })));
        assert_eq!(*feed, full(&state));
        // Back in time, the feed is read again from the start.
        let state = reduce(state, AppAction::Seek(1_000));
        assert_eq!(*state.panels.as_ref().unwrap().facts, full(&state));
        assert!(state.panels.as_ref().unwrap().facts.iter().all(|f| f.at_ms <= 1_000));
    }

    #[test]
    fn the_url_selects_a_builtin_scenario_and_its_workspace_round_trips() {
        let state = fresh("#scenario=leader-failover&lang=en");
        assert!(state.notices.is_empty(), "{:?}", state.notices);
        let scenario = Preset::from_name("leader-failover").unwrap();
        let seed = scenario.scenario().unwrap().seed;
        assert!(state.fragment().starts_with(&format!("#scenario=leader-failover&seed={seed}&t=0")));
        let state = reduce(state, AppAction::Seek(12_000));
        // The scenario killed broker 2 at 10 s.
        assert!(state
            .view()
            .unwrap()
            .brokers
            .iter()
            .any(|b| b.id == 2 && b.state != kafkalab_engine::view::BrokerState::Alive));
        let state = reduce(state, AppAction::Apply(UserAction::KillBroker { broker: 3 }));
        let state = reduce(state, AppAction::Step);
        let saved = serde_json::to_string(&state.workspace().unwrap()).unwrap();
        assert!(saved.contains(r#""preset":{"scenario":"leader-failover"}"#), "{saved}");
        let restored = AppState::start(url::parse_fragment("#scenario=leader-failover"), Some(&saved));
        assert!(restored.notices.is_empty(), "{:?}", restored.notices);
        assert_eq!(
            serde_json::to_string(restored.view().unwrap()).unwrap(),
            serde_json::to_string(state.view().unwrap()).unwrap()
        );
    }

    #[test]
    fn the_workspace_round_trips() {
        let state = reduce(fresh("#scenario=demo&seed=9"), AppAction::Seek(3_000));
        let state = reduce(state, AppAction::Apply(UserAction::KillBroker { broker: 2 }));
        let state = reduce(state, AppAction::Seek(9_000));
        let saved = serde_json::to_string(&state.workspace().unwrap()).unwrap();
        let restored = AppState::start(url::parse_fragment(""), Some(&saved));
        assert!(restored.notices.is_empty(), "{:?}", restored.notices);
        assert_eq!(
            serde_json::to_string(restored.view().unwrap()).unwrap(),
            serde_json::to_string(state.view().unwrap()).unwrap()
        );
    }
}
