//! The simulation the app drives: a starting setup (a preset built from real engine actions, or
//! one of the engine's built-in scenario files), driven through an engine [`Timeline`] (presets)
//! or a [`ScenarioRun`] (scenarios, whose timed steps and notes it applies as time passes), and
//! the log of the learner's own actions, which is what the workspace saves so that a reload can
//! replay it exactly.

use kafkalab_engine::cluster::timeline::Timeline;
use kafkalab_engine::cluster::workload;
use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome, TimedFact, WorldConfig};
use kafkalab_engine::consumer::ConsumerApp;
use kafkalab_engine::lesson::Catalogue;
use kafkalab_engine::log::record::Header;
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::producer::ProducerRecord;
use kafkalab_engine::protocol::metadata::ConfigResource;
use kafkalab_engine::scenario::preset::{self, Preset as EnginePreset};
use kafkalab_engine::scenario::{Localized, Scenario, ScenarioRun};
use kafkalab_engine::sim::{Millis, NodeId};
use kafkalab_engine::World;
use serde::{Deserialize, Serialize};

/// Checkpoint every this many events (seek cost vs memory, and a checkpoint is a World clone
/// inside a frame): as the engine's scenario runs do.
pub const CHECKPOINT_EVERY: u64 = kafkalab_engine::scenario::CHECKPOINT_EVERY;

/// Partitions of the `scale` preset's topic (see README "Measured": what fits the page).
pub const SCALE_PARTITIONS: i32 = workload::SCALE_PARTITIONS;

/// Checkpoint spacing of the `scale` preset: none after the start. A checkpoint of its world took
/// 0.8 s to clone natively and kept 320 MB (each broker holds the metadata of 10,000 partitions),
/// which no frame and no browser tab affords, so a seek back replays from the start (exact, slow).
pub const SCALE_CHECKPOINT_EVERY: u64 = u64::MAX;

/// The `scale` preset's `orders` keeps 20 virtual seconds of records in 5-second segments: its
/// 10,000 records/s (RF 3) add about 20 MB of wasm memory a virtual second, which without
/// retention would exhaust the browser's 4 GB within minutes of play.
const SCALE_TOPIC_CONFIGS: [(&str, &str); 2] = [("retention.ms", "20000"), ("segment.ms", "5000")];

/// `log.retention.check.interval.ms` of the `scale` preset's brokers (Kafka's default is 5 minutes).
const SCALE_RETENTION_CHECK_MS: u64 = 5_000;

/// Facts the `scale` preset's world keeps: the feed reads only the new ones per refresh, and
/// this cluster makes tens of thousands of routine facts per virtual second.
const SCALE_FACTS: usize = 100_000;

/// A starting setup the scenario picker offers: the app's own presets (built only from engine
/// actions) and the engine's built-in scenario files, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// 3 brokers, `orders` (3 partitions, RF 3), an acks=all producer stream, group `billing`.
    Demo,
    /// 9 brokers, `events` (60 partitions, RF 3), a 200 records/s stream, group `analytics`.
    Large,
    /// 1 to 12 brokers only: the learner creates topics, producers and consumers.
    Sandbox,
    /// The engine's scale workload (`workload::scale`, issue 17): 100 brokers, `orders`
    /// ([`SCALE_PARTITIONS`] partitions, RF 3), 50 producers, a 20-member group. The page cannot
    /// keep up with real time at this size: it plays a bounded amount of engine work per frame.
    Scale,
    /// A built-in scenario (`scenario::builtin()`), by its name.
    Scenario(String),
}

static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();

/// The built-in scenarios and lessons as the engine parses and validates the TOML files, kept as
/// JSON in `src/catalogue.json` (a test checks it against the files and rewrites it with
/// `KAFKALAB_BLESS=1`), so the page links no TOML reader for them. Read once; empty if it does
/// not read, which the tests rule out.
pub fn catalogue() -> &'static Catalogue {
    CATALOGUE.get_or_init(|| serde_json::from_str(CATALOGUE_JSON).unwrap_or_default())
}

const CATALOGUE_JSON: &str = include_str!("catalogue.json");

/// Every built-in scenario (all of them, as the engine's tests check), in name order: what the
/// picker lists and what [`Sim::new`] runs.
pub fn builtin_scenarios() -> &'static [Scenario] {
    &catalogue().scenarios
}

/// Whether the built-in catalogue is read already. Reading it is a large part of the app's
/// start, so the page draws the cluster first and lists the scenarios after (see `App`), unless
/// something needed them sooner (a scenario or lesson in the URL).
pub fn catalogue_parsed() -> bool {
    CATALOGUE.get().is_some()
}

fn builtin_scenario(name: &str) -> Option<&'static Scenario> {
    builtin_scenarios().iter().find(|b| b.name == name)
}

impl Preset {
    /// The app's own presets, as the picker lists them before the scenarios.
    pub const PRESETS: [Preset; 4] = [Preset::Demo, Preset::Large, Preset::Scale, Preset::Sandbox];

    /// The name in the URL (`#scenario=NAME`) and the picker. The preset sandbox (any number of
    /// brokers) is `sandbox-brokers`; `sandbox` is the built-in scenario of three brokers.
    pub fn name(&self) -> &str {
        match self {
            Preset::Demo => EnginePreset::Demo.name(),
            Preset::Large => EnginePreset::Large.name(),
            Preset::Sandbox => "sandbox-brokers",
            Preset::Scale => "scale",
            Preset::Scenario(name) => name,
        }
    }

    /// A preset or built-in scenario by name.
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::PRESETS
            .into_iter()
            .find(|p| p.name() == name)
            .or_else(|| builtin_scenario(name).map(|_| Preset::Scenario(name.to_string())))
    }

    /// The built-in scenario this is, if any.
    pub fn scenario(&self) -> Option<&'static Scenario> {
        match self {
            Preset::Scenario(name) => builtin_scenario(name),
            _ => None,
        }
    }

    /// The seed to start with when the learner picks this: a scenario's own (its learning point
    /// is checked with it), else `current`.
    pub fn default_seed(&self, current: u64) -> u64 {
        self.scenario().map_or(current, |s| s.seed)
    }
}

/// A learner's action, in a form the workspace can save (the engine's `Action` is not
/// deserializable and holds raw bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum UserAction {
    KillBroker {
        broker: i32,
    },
    RestartBroker {
        broker: i32,
    },
    /// A graceful stop: controlled shutdown, then the process stops.
    ShutdownBroker {
        broker: i32,
    },
    KillController,
    /// Cuts `a ↔ b`, or only `a → b` when `one_way`.
    CutLink {
        a: String,
        b: String,
        #[serde(default)]
        one_way: bool,
    },
    HealLink {
        a: String,
        b: String,
    },
    SlowNode {
        node: String,
        extra_ms: Millis,
    },
    IsolateNode {
        node: String,
    },
    CrashConsumer {
        consumer: u32,
    },
    CloseConsumer {
        consumer: u32,
    },
    RestartConsumer {
        consumer: u32,
    },
    CrashProducer {
        producer: u32,
    },
    RestartProducer {
        producer: u32,
    },
    AddConsumer {
        name: String,
        group: String,
        topic: String,
    },
    CreateTopic {
        name: String,
        partitions: i32,
        replication_factor: i32,
    },
    AddProducer {
        name: String,
        acks: String,
        idempotence: bool,
        linger_ms: u32,
        ignore_keys: bool,
    },
    Send {
        producer: u32,
        topic: String,
        key: String,
        value: String,
        headers: Vec<(String, String)>,
    },
    StartStream {
        producer: u32,
        topic: String,
        rate: u32,
    },
    StopStream {
        producer: u32,
    },
    /// Redeploys a consumer's listener: the `[[rule]]` / `[error_handler]` program text.
    SetListenerProgram {
        consumer: u32,
        program: String,
    },
    /// Restart the producer with another `compression.type` (a client reads its configs once).
    SetCompression {
        producer: u32,
        compression: String,
    },
}

fn node(s: &str) -> Result<NodeId, String> {
    s.parse()
}

fn opt_bytes(s: &str) -> Option<Vec<u8>> {
    (!s.is_empty()).then(|| s.as_bytes().to_vec())
}

impl UserAction {
    /// The engine action, or why the input cannot become one (a listener program is parsed
    /// against `world`'s topics now).
    pub fn to_action(&self, world: &World) -> Result<Action, String> {
        Ok(match self {
            UserAction::KillBroker { broker } => Action::KillBroker { broker: *broker },
            UserAction::RestartBroker { broker } => Action::RestartBroker { broker: *broker },
            UserAction::ShutdownBroker { broker } => Action::ShutdownBroker { broker: *broker },
            UserAction::KillController => Action::KillController,
            UserAction::CutLink { a, b, one_way } => Action::CutLink { from: node(a)?, to: node(b)?, both: !one_way },
            UserAction::HealLink { a, b } => Action::HealLink { from: node(a)?, to: node(b)?, both: true },
            UserAction::SlowNode { node: n, extra_ms } => Action::SlowNode { node: node(n)?, extra_ms: *extra_ms },
            UserAction::IsolateNode { node: n } => Action::IsolateNode { node: node(n)? },
            UserAction::CrashConsumer { consumer } => Action::CrashConsumer { consumer: *consumer },
            UserAction::CloseConsumer { consumer } => Action::CloseConsumer { consumer: *consumer },
            UserAction::RestartConsumer { consumer } => Action::RestartConsumer { consumer: *consumer },
            UserAction::CrashProducer { producer } => Action::CrashProducer { producer: *producer },
            UserAction::RestartProducer { producer } => Action::RestartProducer { producer: *producer },
            UserAction::AddConsumer { name, group, topic } => Action::AddConsumer {
                name: name.clone(),
                topics: vec![topic.clone()],
                configs: vec![("group.id".into(), group.clone())],
                app: ConsumerApp::default(),
            },
            UserAction::CreateTopic { name, partitions, replication_factor } => Action::CreateTopic {
                name: name.clone(),
                partitions: *partitions,
                replication_factor: *replication_factor,
                configs: Vec::new(),
            },
            UserAction::AddProducer { name, acks, idempotence, linger_ms, ignore_keys } => Action::AddProducer {
                name: name.clone(),
                configs: vec![
                    ("acks".into(), acks.clone()),
                    ("enable.idempotence".into(), idempotence.to_string()),
                    ("linger.ms".into(), linger_ms.to_string()),
                    ("partitioner.ignore.keys".into(), ignore_keys.to_string()),
                ],
            },
            UserAction::Send { producer, topic, key, value, headers } => Action::Send {
                producer: *producer,
                record: ProducerRecord {
                    topic: topic.clone(),
                    partition: None,
                    key: opt_bytes(key),
                    value: opt_bytes(value),
                    headers: headers
                        .iter()
                        .map(|(k, v)| Header { key: k.clone(), value: Some(v.as_bytes().to_vec()) })
                        .collect(),
                },
            },
            UserAction::StartStream { producer, topic, rate } => Action::StartStream {
                producer: *producer,
                topic: topic.clone(),
                records_per_sec: *rate,
                keys: KeyPattern::Cycle { prefix: "key".into(), count: 8 },
            },
            UserAction::StopStream { producer } => Action::StopStream { producer: *producer },
            UserAction::SetListenerProgram { consumer, program } => {
                kafkalab_engine::scenario::listener_action(world, *consumer, program)?
            }
            UserAction::SetCompression { producer, compression } => Action::RestartProducerWithConfig {
                producer: *producer,
                key: "compression.type".into(),
                value: compression.clone(),
            },
        })
    }
}

/// A learner action with where in the event stream it was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logged {
    pub after_events: u64,
    pub at_ms: Millis,
    pub action: UserAction,
}

/// How a simulation starts: enough to rebuild it exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    pub preset: Preset,
    pub seed: u64,
    /// Brokers, for the sandbox (the presets fix their own).
    pub brokers: i32,
}

impl Setup {
    pub fn new(preset: Preset, seed: u64) -> Self {
        Setup { preset, seed, brokers: 3 }
    }
}

/// What moves the world: a plain timeline (presets) or a scenario run (its steps come due).
#[derive(Clone)]
pub enum Driver {
    Preset(Box<Timeline>),
    Scenario(Box<ScenarioRun>),
}

/// A step note reached by a scenario run.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachedNote {
    /// Index into the scenario's steps.
    pub index: usize,
    /// When it arrived: its step's time, or its fact's for a fact-tied note.
    pub at_ms: Millis,
    pub text: Localized,
    /// What it names: `broker-N`, a partition `topic-N`, a client's name.
    pub highlight: Vec<String>,
}

/// A point of the run as a step leaves it: enough to come back to it exactly on this branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    events: u64,
    actions: u64,
    now_ms: Millis,
}

/// The most steps [`Sim::step_back`] remembers (holding → down must not grow memory for ever).
const MAX_TRAIL: usize = 1_000;

/// The running simulation.
#[derive(Clone)]
pub struct Sim {
    pub setup: Setup,
    pub driver: Driver,
    pub log: Vec<Logged>,
    /// The latest virtual time reached (the scrubber's end).
    pub horizon_ms: Millis,
    /// Where the recent steps started and ended, newest last, so that ← undoes → exactly: a
    /// scenario step processes every event at the next time, and a step may start between events.
    trail: Vec<(Position, Position)>,
    /// What the terminal's tools remember between commands (configs given at creation, ...).
    terminal: kafkalab_tools::ToolState,
}

fn preset_timeline(setup: &Setup) -> Result<Timeline, String> {
    match setup.preset {
        Preset::Demo => EnginePreset::Demo.timeline(setup.seed),
        Preset::Large => EnginePreset::Large.timeline(setup.seed),
        Preset::Scale => {
            // The app's fact history (the feed), with the workload's own network, and retention
            // checked every few seconds, as the topic's short retention needs.
            let mut config =
                WorldConfig { brokers: workload::SCALE_BROKERS, fact_history: SCALE_FACTS, ..WorldConfig::default() };
            config.broker.log_retention_check_interval_ms = SCALE_RETENTION_CHECK_MS;
            let mut world = workload::scale_in(config, setup.seed, SCALE_PARTITIONS).map_err(|e| e.to_string())?;
            let changes = SCALE_TOPIC_CONFIGS.iter().map(|(k, v)| (k.to_string(), Some(v.to_string()))).collect();
            world
                .apply(Action::AlterConfigs { resource: ConfigResource::Topic("orders".into()), changes })
                .map_err(|e| e.to_string())?;
            Ok(Timeline::new(world, SCALE_CHECKPOINT_EVERY))
        }
        Preset::Sandbox | Preset::Scenario(_) => {
            let world =
                World::new(preset::world_config(setup.brokers.clamp(1, 12)), setup.seed).map_err(|e| e.to_string())?;
            Ok(Timeline::new(world, CHECKPOINT_EVERY))
        }
    }
}

/// At most `max` of `facts` (newest first) for the feed, keeping the marked moments that newer
/// facts would push out ([`crate::narrate::keep_marked`]).
pub fn feed_window<'a>(facts: impl Iterator<Item = &'a TimedFact>, max: usize) -> Vec<TimedFact> {
    let facts: Vec<&TimedFact> = facts.collect();
    crate::narrate::keep_marked(facts, max, |f| crate::narrate::mark(&f.fact)).into_iter().cloned().collect()
}

impl Sim {
    pub fn new(setup: Setup) -> Result<Sim, String> {
        let driver = match &setup.preset {
            Preset::Scenario(name) => {
                let mut scenario =
                    builtin_scenario(name).ok_or_else(|| format!("there is no built-in scenario `{name}`"))?.clone();
                // The feed and the timeline markers read the fact history.
                scenario.world.fact_history = scenario.world.fact_history.max(100_000);
                let run = ScenarioRun::new(scenario, Some(setup.seed)).map_err(|e| e.to_string())?;
                Driver::Scenario(Box::new(run))
            }
            _ => Driver::Preset(Box::new(preset_timeline(&setup)?)),
        };
        // The topic configs the setup gave, which `kafka-topics --describe` lists.
        let declared = match &setup.preset {
            Preset::Demo => Some(EnginePreset::Demo.scenario()),
            Preset::Large => Some(EnginePreset::Large.scenario()),
            Preset::Scenario(name) => builtin_scenario(name).cloned(),
            Preset::Sandbox | Preset::Scale => None,
        };
        let configs = declared.map(|s| s.topics.iter().map(|t| (t.name.clone(), t.configs.clone())).collect());
        let terminal = kafkalab_tools::ToolState::with_topic_configs(configs.unwrap_or_default());
        Ok(Sim { setup, driver, log: Vec::new(), horizon_ms: 0, trail: Vec::new(), terminal })
    }

    /// Rebuilds a simulation from a setup and a log, then moves to `t_ms`. Entries that no longer
    /// apply are dropped (reported in the count).
    pub fn restore(setup: Setup, log: Vec<Logged>, t_ms: Millis, horizon_ms: Millis) -> Result<(Sim, usize), String> {
        let mut sim = Sim::new(setup)?;
        let mut dropped = 0;
        for entry in log {
            sim.step_to(entry.after_events, entry.at_ms);
            let Ok(action) = entry.action.to_action(sim.world()) else {
                dropped += 1;
                continue;
            };
            let applied = match &mut sim.driver {
                Driver::Preset(timeline) => timeline.apply(action).is_ok(),
                Driver::Scenario(run) => run.apply(action).is_ok(),
            };
            if applied {
                sim.log.push(entry);
            } else {
                dropped += 1;
            }
        }
        sim.horizon_ms = horizon_ms.max(sim.now());
        sim.seek(t_ms.max(sim.now()).min(sim.horizon_ms));
        Ok((sim, dropped))
    }

    /// Steps to exactly `events` processed, then moves the clock to `at_ms` (as when recorded).
    /// A scenario run only ever rests at "every event up to now processed" (it moves by seeking),
    /// so seeking to `at_ms` reaches the recorded state; it is skipped when already there, so
    /// that two actions at the same moment replay without the events between them.
    fn step_to(&mut self, events: u64, at_ms: Millis) {
        match &mut self.driver {
            Driver::Preset(timeline) => {
                while timeline.world().events_processed() < events && timeline.step() {}
                if timeline.world().now() < at_ms {
                    timeline.seek(at_ms);
                }
            }
            Driver::Scenario(run) => {
                if run.now() < at_ms || run.world().events_processed() < events {
                    run.seek(at_ms);
                }
            }
        }
    }

    pub fn world(&self) -> &World {
        match &self.driver {
            Driver::Preset(timeline) => timeline.world(),
            Driver::Scenario(run) => run.world(),
        }
    }

    /// The latest facts for the narration feed from fact index `since` on, newest first: at most
    /// `max` ([`feed_window`]), routine ones only with `routine`. Reads the world's history, not
    /// the view's last 200 facts, which routine traffic can fill entirely.
    pub fn recent_facts(&self, routine: bool, since: u64, max: usize) -> Vec<TimedFact> {
        let new = self.world().facts_since(since).rev().filter(|f| routine || !crate::narrate::is_routine(&f.fact));
        feed_window(new, max)
    }

    /// The scenario's notes reached so far, oldest first (none for a preset).
    pub fn notes_reached(&self) -> Vec<ReachedNote> {
        match &self.driver {
            Driver::Preset(_) => Vec::new(),
            Driver::Scenario(run) => run
                .notes_reached()
                .into_iter()
                .filter_map(|(index, at_ms, step)| {
                    let text = step.note()?.clone();
                    Some(ReachedNote { index, at_ms, text, highlight: step.highlight.clone() })
                })
                .collect(),
        }
    }

    /// The next note of a scenario: its time if known (a fact-tied note's is known only once its
    /// fact has come), or None when every note has arrived (or this is a preset).
    pub fn next_note(&self) -> Option<Option<Millis>> {
        match &self.driver {
            Driver::Preset(_) => None,
            Driver::Scenario(run) => run.next_note().map(|(_, at)| at),
        }
    }

    /// What happened so far, once a scenario has run to its end (None before, and for presets).
    pub fn summary(&self) -> Option<kafkalab_engine::scenario::Summary> {
        match &self.driver {
            Driver::Scenario(run) if run.now() >= run.scenario().duration_ms => {
                Some(kafkalab_engine::scenario::summary(run.world()))
            }
            _ => None,
        }
    }

    /// Plays towards `t` but stops at the first scenario note that arrives on the way (explain
    /// mode); returns whether it stopped at a note. A preset just moves to `t`.
    pub fn play_to(&mut self, t: Millis) -> bool {
        let stopped = match &mut self.driver {
            Driver::Preset(timeline) => {
                timeline.seek(t);
                false
            }
            Driver::Scenario(run) => run.play_to(t).is_some(),
        };
        self.horizon_ms = self.horizon_ms.max(self.now());
        stopped
    }

    /// Plays towards `t` one event at a time while `more()` says the frame has room: at the
    /// `scale` preset's size a frame cannot process a whole frame's worth of virtual time, nor
    /// always one virtual millisecond (about 150 events). Recorded actions on the way replay as
    /// usual, so the world is the same whatever the slices were (`Timeline::play_toward`); a
    /// scenario run, which never plays this way, seeks. Returns whether `t` was reached; if not,
    /// the clock rests at the last event.
    pub fn play_bounded(&mut self, t: Millis, more: impl FnMut() -> bool) -> bool {
        let reached = match &mut self.driver {
            Driver::Preset(timeline) => timeline.play_toward(t, more),
            Driver::Scenario(run) => {
                run.seek(t);
                true
            }
        };
        self.horizon_ms = self.horizon_ms.max(self.now());
        reached
    }

    /// Scenario steps whose action was refused when they came due: (time, reason).
    pub fn step_failures(&self) -> Vec<(Millis, String)> {
        match &self.driver {
            Driver::Preset(_) => Vec::new(),
            Driver::Scenario(run) => run.failures().iter().map(|f| (f.at_ms, f.error.clone())).collect(),
        }
    }

    pub fn now(&self) -> Millis {
        self.world().now()
    }

    /// Applies a learner action now; a recorded future after this point is discarded.
    pub fn apply(&mut self, user: UserAction) -> Result<ActionOutcome, String> {
        let action = user.to_action(self.world())?;
        let (events, now) = (self.world().events_processed(), self.now());
        let outcome = match &mut self.driver {
            Driver::Preset(timeline) => timeline.apply(action),
            Driver::Scenario(run) => run.apply(action),
        }
        .map_err(|e: ActionError| e.to_string())?;
        self.log.retain(|l| l.after_events <= events && l.at_ms <= now);
        self.log.push(Logged { after_events: events, at_ms: now, action: user });
        self.horizon_ms = now;
        Ok(outcome)
    }

    /// Runs terminal commands (Kafka's tools) on this simulation, now: virtual time moves while a
    /// command waits. Their actions are recorded in the timeline (time travel replays them) but
    /// not in the learner's log, so a reloaded workspace does not repeat them. A console
    /// consumer stays running and streams as the simulation plays ([`Sim::follow_terminal`]);
    /// commands given meanwhile wait for it.
    pub fn run_terminal(&mut self, text: &str) -> Vec<(String, kafkalab_tools::Output)> {
        self.with_terminal(|session| session.run_interactive(text))
    }

    /// After virtual time moved: what the terminal's running command printed meanwhile.
    pub fn follow_terminal(&mut self) -> Option<kafkalab_tools::Progress> {
        if !self.terminal.running() {
            return None;
        }
        self.with_terminal(|session| session.poll_foreground())
    }

    /// Ctrl+C in the terminal: stops the running command.
    pub fn interrupt_terminal(&mut self) -> Option<kafkalab_tools::Output> {
        if !self.terminal.running() {
            return None;
        }
        self.with_terminal(|session| session.interrupt())
    }

    /// Whether a terminal command is running (a console consumer streaming).
    pub fn terminal_running(&self) -> bool {
        self.terminal.running()
    }

    fn with_terminal<T>(&mut self, f: impl FnOnce(&mut kafkalab_tools::Session<'_>) -> T) -> T {
        let state = std::mem::take(&mut self.terminal);
        let cluster: &mut dyn kafkalab_tools::Cluster = match &mut self.driver {
            Driver::Preset(timeline) => &mut **timeline,
            Driver::Scenario(run) => &mut **run,
        };
        let mut session = kafkalab_tools::Session::interactive(cluster, state);
        let result = f(&mut session);
        self.terminal = session.into_state();
        self.horizon_ms = self.horizon_ms.max(self.now());
        result
    }

    /// The timeline under the driver (its checkpoints, for the developer line).
    pub fn timeline(&self) -> &Timeline {
        match &self.driver {
            Driver::Preset(timeline) => timeline,
            Driver::Scenario(run) => run.timeline(),
        }
    }

    /// The earliest time a seek reaches quickly (besides 0): before it, the timeline has let its
    /// checkpoints go, so seeks land there instead of replaying the whole session.
    pub fn seekable_from_ms(&self) -> Millis {
        self.timeline().seekable_from_ms()
    }

    /// Moves to `t` (backwards or forwards through recorded actions). A time before the
    /// seekable window (other than 0, the start) moves to the window's start.
    pub fn seek(&mut self, t: Millis) {
        let from = self.seekable_from_ms();
        let t = if t > 0 && t < from { from } else { t };
        match &mut self.driver {
            Driver::Preset(timeline) => timeline.seek(t),
            Driver::Scenario(run) => run.seek(t),
        }
        self.horizon_ms = self.horizon_ms.max(t);
    }

    /// Processes one event (a scenario: every event at the next event's or step's time). Returns
    /// false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let from = self.position();
        let stepped = self.advance();
        if stepped {
            if self.trail.len() == MAX_TRAIL {
                self.trail.remove(0);
            }
            self.trail.push((from, self.position()));
        }
        stepped
    }

    fn position(&self) -> Position {
        let world = self.world();
        Position { events: world.events_processed(), actions: world.actions_applied(), now_ms: world.now() }
    }

    /// Undoes one step: back to exactly where the last step started if this is where it ended,
    /// else to one event fewer (the clock at that event). Nothing at event 0, nor before the
    /// seekable window (that would replay the whole session).
    pub fn step_back(&mut self) {
        let here = self.position();
        let last = self.trail.last().filter(|(_, to)| *to == here).map(|(from, _)| *from);
        let (events, now_ms) = match last {
            Some(from) => (from.events, from.now_ms),
            None if here.events > 0 => (here.events - 1, 0),
            None => return,
        };
        if events < self.timeline().seekable_from_event() {
            return;
        }
        if last.is_some() {
            self.trail.pop();
        } else {
            self.trail.clear();
        }
        match &mut self.driver {
            Driver::Preset(timeline) => timeline.seek_to_event(events),
            Driver::Scenario(run) => run.seek_back_to_event(events),
        }
        // A step that started between events (after a seek) started later than its last event.
        if self.now() < now_ms {
            self.seek(now_ms);
        }
    }

    /// Moves to scenario step `index`'s note, played from the start (a fact-tied note arrives only
    /// as the run gets there); whether that note arrived. A class starts here from `step=N`.
    pub fn seek_to_step(&mut self, index: usize) -> bool {
        let Driver::Scenario(run) = &mut self.driver else { return false };
        if run.scenario().steps.get(index).is_none_or(|s| s.note().is_none()) {
            return false;
        }
        run.seek(0);
        let end = run.scenario().duration_ms;
        let reached = loop {
            if run.notes_reached().iter().any(|(i, _, _)| *i == index) {
                break true;
            }
            if run.play_to(end).is_none() {
                break false;
            }
        };
        self.horizon_ms = self.horizon_ms.max(self.now());
        reached
    }

    /// Moves to the next scenario note after now (`forward`) or the previous one before now; stays
    /// put when there is none (or this is a preset).
    /// A note comes later than now when its time is later, or, at the same time, when it has not
    /// arrived yet (its fact is still to come at this moment).
    pub fn seek_note(&mut self, forward: bool) {
        let Driver::Scenario(run) = &mut self.driver else { return };
        let now = run.now();
        if forward {
            // A fact-tied note's time is known only once played to: play until the next note
            // arrives, and come back when none does.
            let end = run.scenario().duration_ms.max(self.horizon_ms);
            if run.play_to(end).is_none() {
                run.seek(now);
            }
            self.horizon_ms = self.horizon_ms.max(self.now());
        } else {
            let previous = run.notes_reached().iter().rev().map(|(_, at, _)| *at).find(|at| *at < now);
            if let Some(at) = previous {
                self.seek(at);
            }
        }
    }

    /// One step of the driver, unrecorded in the trail.
    fn advance(&mut self) -> bool {
        let stepped = match &mut self.driver {
            Driver::Preset(timeline) => timeline.step(),
            Driver::Scenario(run) => run.step_event(),
        };
        self.horizon_ms = self.horizon_ms.max(self.now());
        stepped
    }

    /// Steps until a new interesting fact appears (at most `max_events` events).
    pub fn step_to_interesting(&mut self, max_events: u32) {
        let start = self.world().fact_count();
        for _ in 0..max_events {
            if !self.advance() {
                return;
            }
            let count = self.world().fact_count();
            if count > start
                && self
                    .world()
                    .facts()
                    .rev()
                    .take((count - start) as usize)
                    .any(|f| crate::narrate::is_interesting(&f.fact))
            {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `src/catalogue.json` must be what the engine makes of `scenarios/` now: after editing a
    /// scenario or lesson file, `KAFKALAB_BLESS=1 cargo test -p kafkalab --lib catalogue` rewrites it.
    #[test]
    fn the_embedded_catalogue_is_the_parse_of_the_scenario_files() {
        let parsed =
            Catalogue::builtin().unwrap_or_else(|e| panic!("a built-in scenario or lesson does not parse: {e}"));
        let json = serde_json::to_string(&parsed).expect("the catalogue serializes");
        if std::env::var_os("KAFKALAB_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/catalogue.json");
            std::fs::write(path, &json).unwrap_or_else(|e| panic!("{path}: {e}"));
            return;
        }
        assert!(
            CATALOGUE_JSON == json,
            "src/catalogue.json is stale (a file in scenarios/ changed): run `KAFKALAB_BLESS=1 cargo test -p kafkalab --lib catalogue`"
        );
        assert_eq!(catalogue(), &parsed, "the page reads back what the engine parsed");
    }

    #[test]
    fn presets_build_and_run() {
        // The scale preset has its own test: 3 s of it is a minute of a debug build.
        for preset in Preset::PRESETS.into_iter().filter(|p| *p != Preset::Scale) {
            let mut sim = Sim::new(Setup::new(preset.clone(), 7)).unwrap_or_else(|e| panic!("{}: {e}", preset.name()));
            sim.seek(3_000);
            assert_eq!(sim.now(), 3_000);
            assert!(sim.world().view().brokers.iter().any(|b| b.is_controller), "{preset:?}");
        }
    }

    #[test]
    fn the_scale_preset_is_the_engines_scale_workload_and_named_in_urls() {
        assert_eq!(Preset::from_name("scale"), Some(Preset::Scale));
        assert_eq!(serde_json::to_string(&Preset::Scale).unwrap(), r#""scale""#);
        let mut sim = Sim::new(Setup::new(Preset::Scale, 1)).unwrap();
        let view = sim.world().view();
        assert_eq!(view.brokers.len(), workload::SCALE_BROKERS as usize);
        let orders = view.topics.iter().find(|t| t.name == "orders").unwrap();
        assert_eq!(orders.partitions.len(), SCALE_PARTITIONS as usize);
        assert!(orders.partitions.iter().all(|p| p.replicas.len() == 3));
        assert_eq!(view.producers.len(), workload::SCALE_PRODUCERS as usize);
        assert_eq!(view.consumers.len(), workload::SCALE_CONSUMERS as usize);
        sim.seek(50);
        assert_eq!(sim.now(), 50);
        let configs = &sim.world().metadata().configs[&ConfigResource::Topic("orders".into())];
        assert_eq!(configs.get("retention.ms").map(String::as_str), Some("20000"), "records do not pile up");
    }

    #[test]
    fn bounded_play_reaches_the_same_world_as_a_seek_whatever_the_budget() {
        let mut whole = Sim::new(Setup::new(Preset::Demo, 3)).unwrap();
        whole.seek(1_000);
        whole.apply(UserAction::KillBroker { broker: 2 }).unwrap();
        whole.seek(4_000);
        let want = view_json(&whole);

        // The same session replayed (after a seek back) in frames of at most 30 events each.
        let mut sliced = whole.clone();
        sliced.seek(500);
        let mut frames = 0;
        loop {
            let mut slices = 0;
            let reached = sliced.play_bounded(4_000, || {
                slices += 1;
                slices <= 30
            });
            frames += 1;
            assert!(sliced.now() <= 4_000);
            if reached {
                break;
            }
        }
        assert!(frames > 10, "the budget held each frame back ({frames} frames)");
        assert_eq!(sliced.now(), 4_000);
        assert_eq!(view_json(&sliced), want, "the recorded kill replays on the way");
        let mut none = sliced.clone();
        none.seek(3_000);
        assert!(!none.play_bounded(4_000, || false), "no room: no progress");
        assert_eq!(none.now(), 3_000);
    }

    #[test]
    fn restore_replays_the_log_exactly() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 3)).unwrap();
        sim.seek(2_000);
        sim.apply(UserAction::KillBroker { broker: 2 }).unwrap();
        sim.step();
        sim.step();
        sim.apply(UserAction::CutLink { a: "broker-1".into(), b: "broker-3".into(), one_way: false }).unwrap();
        sim.seek(6_000);
        let want = serde_json::to_string(&sim.world().view()).unwrap();
        let (restored, dropped) = Sim::restore(sim.setup.clone(), sim.log.clone(), 6_000, 6_000).unwrap();
        assert_eq!(dropped, 0);
        assert_eq!(serde_json::to_string(&restored.world().view()).unwrap(), want);
    }

    #[test]
    fn seeking_back_and_forth_is_identical() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 5)).unwrap();
        sim.seek(1_500);
        sim.apply(UserAction::KillBroker { broker: 1 }).unwrap();
        sim.seek(5_000);
        let want = serde_json::to_string(&sim.world().view()).unwrap();
        sim.seek(0);
        assert_eq!(sim.now(), 0);
        sim.seek(5_000);
        assert_eq!(serde_json::to_string(&sim.world().view()).unwrap(), want);
    }

    #[test]
    fn every_builtin_scenario_is_offered_runs_and_reaches_a_note() {
        let names: Vec<&str> = builtin_scenarios().iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names.len(), kafkalab_engine::scenario::builtin().len(), "every built-in scenario parses");
        for name in names {
            let preset = Preset::from_name(name).expect(name);
            assert_eq!(preset.name(), name);
            let seed = preset.default_seed(1);
            let mut sim = Sim::new(Setup::new(preset, seed)).expect(name);
            let first_note =
                sim.setup.preset.scenario().unwrap().steps.iter().find(|s| s.note.is_some()).map(|s| s.at_ms);
            let until = first_note.unwrap_or(0).max(2_000);
            sim.seek(until);
            assert_eq!(sim.now(), until, "{name}");
            assert!(sim.world().view().brokers.iter().any(|b| b.is_controller), "{name}");
            if first_note.is_some() {
                assert!(!sim.notes_reached().is_empty(), "{name}: a note is reached");
            }
            assert!(sim.step_failures().is_empty(), "{name}: {:?}", sim.step_failures());
            assert!(sim.step(), "{name}: stepping moves on");
        }
        assert_eq!(Preset::from_name("sandbox"), Some(Preset::Scenario("sandbox".into())));
        assert_eq!(Preset::from_name("sandbox-brokers"), Some(Preset::Sandbox));
        assert_eq!(Preset::from_name("nope"), None);
    }

    #[test]
    fn a_scenario_with_learner_actions_restores_exactly() {
        let preset = Preset::from_name("leader-failover").unwrap();
        let mut sim = Sim::new(Setup::new(preset.clone(), preset.default_seed(0))).unwrap();
        sim.seek(1_000);
        sim.step();
        sim.apply(UserAction::CutLink { a: "broker-1".into(), b: "broker-2".into(), one_way: false }).unwrap();
        // Two actions at the same moment.
        sim.apply(UserAction::KillController).unwrap();
        sim.seek(15_000);
        let want = serde_json::to_string(&sim.world().view()).unwrap();
        let notes = sim.notes_reached();
        let json = serde_json::to_string(&sim.setup).unwrap();
        let setup: Setup = serde_json::from_str(&json).unwrap();
        assert_eq!(setup.preset, preset);
        let (restored, dropped) = Sim::restore(setup, sim.log.clone(), 15_000, 15_000).unwrap();
        assert_eq!(dropped, 0);
        assert_eq!(serde_json::to_string(&restored.world().view()).unwrap(), want);
        assert_eq!(restored.notes_reached(), notes);
    }

    #[test]
    fn a_flood_of_facts_keeps_the_marked_moments_in_the_feed() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 3)).unwrap();
        sim.seek(2_000);
        let since = sim.world().fact_count();
        sim.apply(UserAction::KillBroker { broker: 2 }).unwrap();
        sim.seek(15_000);
        let is_marked = |f: &&TimedFact| crate::narrate::mark(&f.fact).is_some();
        let all = sim.recent_facts(true, since, usize::MAX);
        let marked = all.iter().filter(is_marked).count();
        let others: Vec<u64> = all.iter().filter(|f| !is_marked(f)).map(|f| f.index).collect();
        assert!(marked >= 2 && others.len() > 2 * marked, "{marked} marked of {}", all.len());
        // The marked moments fit in half the window: all kept, the rest the newest others.
        let few = sim.recent_facts(true, since, 2 * marked);
        assert_eq!(few.len(), 2 * marked);
        assert_eq!(few.iter().filter(is_marked).count(), marked, "every fault and election is kept");
        assert!(few.windows(2).all(|w| w[0].index > w[1].index), "newest first");
        assert_eq!(few.iter().filter(|f| !is_marked(f)).map(|f| f.index).collect::<Vec<_>>(), others[..marked]);
        // They do not: half the window is the newest marked ones, half the newest others.
        let fewer = sim.recent_facts(true, since, marked);
        assert_eq!(fewer.iter().filter(is_marked).count(), marked / 2);
        assert_eq!(fewer.iter().filter(|f| !is_marked(f)).count(), marked - marked / 2);
        // Merging the feed with newer facts keeps them too.
        let merged = feed_window(few[..1].iter().chain(&few), 2 * marked);
        assert_eq!(merged.iter().filter(is_marked).count(), marked);
    }

    #[test]
    fn a_seek_back_keeps_the_recent_facts_and_says_where_they_start() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 3)).unwrap();
        sim.seek(600_000);
        let count = sim.world().fact_count();
        sim.seek(300_000);
        let oldest = sim.world().facts().next().unwrap();
        assert!(oldest.index > 0 && oldest.at_ms < 300_000, "{oldest:?}");
        assert!(sim.world().fact_count() < count);
        sim.seek(600_000);
        assert_eq!(sim.world().fact_count(), count, "replaying reaches the same facts");
    }

    fn view_json(sim: &Sim) -> String {
        serde_json::to_string(&sim.world().view()).unwrap()
    }

    /// Steps forward five times from `t`, then back five times: each view comes back exactly.
    fn step_back_undoes_each_step(mut sim: Sim, t: Millis) -> Sim {
        sim.seek(t);
        let mut views = vec![view_json(&sim)];
        for _ in 0..5 {
            assert!(sim.step());
            views.push(view_json(&sim));
        }
        views.pop();
        while let Some(want) = views.pop() {
            sim.step_back();
            assert_eq!(view_json(&sim), want);
        }
        assert_eq!(sim.now(), t);
        sim
    }

    #[test]
    fn stepping_back_undoes_each_step_of_a_preset() {
        step_back_undoes_each_step(Sim::new(Setup::new(Preset::Demo, 3)).unwrap(), 2_000);
    }

    #[test]
    fn stepping_back_undoes_each_step_of_a_scenario_and_notes_are_one_key_away() {
        let preset = Preset::from_name("leader-failover").unwrap();
        let sim = Sim::new(Setup::new(preset.clone(), preset.default_seed(0))).unwrap();
        let mut sim = step_back_undoes_each_step(sim, 3_000);
        sim.seek_note(true);
        assert_eq!(sim.now(), 10_000);
        assert_eq!(sim.notes_reached().len(), 2);
        sim.seek_note(true);
        assert_eq!(sim.now(), 15_000, "the note about the election arrives with it");
        sim.seek_note(false);
        assert_eq!(sim.now(), 10_000);
        sim.seek_note(false);
        assert_eq!(sim.now(), 0);
        sim.seek_note(false);
        assert_eq!(sim.now(), 0, "no note before the first");
        assert_eq!(sim.notes_reached().len(), 1);
    }

    #[test]
    fn stepping_back_after_an_action_goes_one_event_back_before_it() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 3)).unwrap();
        sim.seek(2_000);
        sim.step();
        let before = view_json(&sim);
        sim.step();
        sim.apply(UserAction::KillBroker { broker: 2 }).unwrap();
        sim.step_back();
        assert_eq!(view_json(&sim), before);
        let mut start = Sim::new(Setup::new(Preset::Demo, 3)).unwrap();
        start.step_back();
        assert_eq!(start.world().events_processed(), 0, "nothing before the start");
    }

    #[test]
    fn stepping_back_stops_at_the_seekable_window() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 3)).unwrap();
        // Checkpoints every 20 events: the window slides within seconds.
        sim.driver = Driver::Preset(Box::new(Timeline::new(sim.world().clone(), 20)));
        sim.seek(20_000);
        let from = sim.seekable_from_ms();
        assert!(from > 0, "the window has slid");
        sim.seek(from);
        let floor = sim.timeline().seekable_from_event();
        for _ in 0..=sim.world().events_processed() - floor {
            sim.step_back();
        }
        assert_eq!(sim.world().events_processed(), floor, "stays put at the window's start");
        assert_eq!(sim.now(), from);
    }

    #[test]
    fn old_workspaces_still_name_their_preset() {
        let setup: Setup = serde_json::from_str(r#"{"preset":"demo","seed":3,"brokers":3}"#).unwrap();
        assert_eq!(setup.preset, Preset::Demo);
    }

    #[test]
    fn user_actions_round_trip_through_json() {
        let a = UserAction::Send {
            producer: 1,
            topic: "t".into(),
            key: "<img src=x>".into(),
            value: "v".into(),
            headers: vec![("h".into(), "1".into())],
        };
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<UserAction>(&json).unwrap(), a);
    }
}
