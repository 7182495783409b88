//! Lessons: a guided path through the built-in scenarios. A lesson file (`scenarios/lessons/*.toml`)
//! gives a short text in Korean and English, the scenarios it plays, what to look at in the
//! picture (the scenario `highlight` names), a task to try in the sandbox or the terminal,
//! predict-then-run questions and what-if forks.
//!
//! A question never stores its answer: it names what to measure in the world ([`Measure`]) and
//! when, and [`Question::outcome`] runs the scenario and picks the choice that matches what the
//! engine did. A fork ([`Change`]) changes one setting of a scenario and [`compare`] runs both
//! branches from the same seed to the same time.
//!
//! ```
//! use kafkalab_engine::lesson;
//! let scenarios = lesson::builtin_scenarios().unwrap();
//! let lessons = lesson::builtin_lessons(&scenarios).unwrap();
//! assert!(lessons.iter().any(|l| l.name == "replication-failover"));
//! ```

mod fork;
mod measure;
mod parse;
mod question;

pub use fork::{compare, compare_from, Change, ChangeTarget, ForkComparison};
pub use measure::{Measure, SummaryField, Value, METRIC_GAUGES};
pub use question::{Choice, Matcher, Outcome, Question};

use crate::scenario::{self, Localized, Scenario, ScenarioError};
use crate::sim::Millis;
use serde::{Deserialize, Serialize};

/// A parsed and validated lesson.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lesson {
    /// The short identifier used in URLs (`#lesson=NAME`); the file is `<name>.toml`.
    pub name: String,
    /// The lesson's place on the path (1, 2, …); unique among the built-in lessons.
    pub order: u32,
    pub title: Localized,
    /// A few sentences in plain words.
    pub text: Localized,
    /// The scenarios the lesson plays, the first one opened with the lesson.
    pub scenarios: Vec<String>,
    pub look: Vec<Look>,
    pub try_it: TryIt,
    pub questions: Vec<Question>,
    pub forks: Vec<ForkSpec>,
}

/// Something to look at in the picture: the scenario's elements to highlight, at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Look {
    pub scenario: String,
    pub at_ms: Millis,
    /// `broker-N`, a partition `topic-N`, or a producer or consumer name (as a scenario step's
    /// `highlight`).
    pub highlight: Vec<String>,
    pub text: Localized,
}

/// Where a "try it yourself" task happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TryWhere {
    /// Kafka's tools in the app's terminal (or `kafkalab shell`).
    Terminal,
    /// The sandbox scenario's panels and node menus.
    Sandbox,
}

/// A task for the learner after the lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TryIt {
    pub place: TryWhere,
    /// The scenario to try it in (the sandbox, or one of the lesson's scenarios).
    pub scenario: String,
    /// Terminal commands, one per line, pasted as a tutorial writes them.
    pub commands: Vec<String>,
    pub text: Localized,
}

/// A what-if fork a lesson offers: one change to one of its scenarios from a moment, compared at a
/// time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForkSpec {
    pub scenario: String,
    pub change: Change,
    /// When the branches part (0: the change holds from the start).
    pub from_ms: Millis,
    /// The virtual time the comparison is read at (the app compares at its own cursor).
    pub at_ms: Millis,
    pub text: Localized,
}

/// A lesson file shipped with kafkalab (scenarios/lessons/*.toml), embedded at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinLesson {
    pub name: &'static str,
    pub text: &'static str,
}

/// Every built-in lesson file, unparsed ([`builtin_lessons`] parses them and sorts by `order`).
pub fn builtin() -> Vec<BuiltinLesson> {
    macro_rules! embed {
        ($($name:literal),* $(,)?) => {
            vec![$(BuiltinLesson { name: $name, text: include_str!(concat!("../../../../scenarios/lessons/", $name, ".toml")) }),*]
        };
    }
    embed![
        "what-is-kafka",
        "topics-partitions-keys",
        "producer-acks",
        "idempotent-producer",
        "consumer-groups",
        "rebalancing",
        "replication-failover",
        "isr-min-insync",
        "unclean-election",
        "delivery-semantics",
        "kraft-controller",
        "operations-terminal",
        "retention-compaction",
        "application-patterns",
    ]
}

/// Every built-in scenario, parsed (a lesson is validated against these).
pub fn builtin_scenarios() -> Result<Vec<Scenario>, ScenarioError> {
    scenario::builtin()
        .into_iter()
        .map(|b| {
            scenario::parse(b.text)
                .map_err(|e| ScenarioError { message: format!("scenario {}: {}", b.name, e.message), ..e })
        })
        .collect()
}

/// Parses and validates a lesson file against `scenarios`. Never panics, whatever the input.
pub fn parse(text: &str, scenarios: &[Scenario]) -> Result<Lesson, ScenarioError> {
    parse::parse(text, scenarios)
}

/// Every built-in lesson, parsed and sorted by `order`; an error names the file.
pub fn builtin_lessons(scenarios: &[Scenario]) -> Result<Vec<Lesson>, ScenarioError> {
    let mut lessons = Vec::new();
    for b in builtin() {
        let lesson = parse(b.text, scenarios)
            .map_err(|e| ScenarioError { message: format!("lesson {}: {}", b.name, e.message), ..e })?;
        if lesson.name != b.name {
            return Err(ScenarioError {
                line: None,
                column: None,
                field: Some("name".into()),
                message: format!("lesson file {}.toml is named `{}`", b.name, lesson.name),
            });
        }
        lessons.push(lesson);
    }
    lessons.sort_by_key(|l| l.order);
    Ok(lessons)
}

/// The built-in scenarios and lessons, parsed and validated. The web app keeps it as JSON
/// (`src/catalogue.json`, checked against the files by a test) and the page reads that back, so the page links neither the TOML reader's
/// deserializers for scenario and lesson files nor their validation (about 390 KB of the wasm).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// In name order, as [`scenario::builtin`] lists them.
    pub scenarios: Vec<Scenario>,
    /// In path order ([`builtin_lessons`]).
    pub lessons: Vec<Lesson>,
}

impl Catalogue {
    /// Parses every built-in scenario and lesson file; an error names the file.
    pub fn builtin() -> Result<Catalogue, ScenarioError> {
        let scenarios = builtin_scenarios()?;
        let lessons = builtin_lessons(&scenarios)?;
        Ok(Catalogue { scenarios, lessons })
    }
}

/// Facts a lesson's runs keep (as the app's): the summary reads rebalances and leaderless time
/// from the kept facts, so a run must keep all of a scenario's.
pub const FACT_HISTORY: usize = 100_000;

/// A run of `scenario` as a lesson plays it: from `seed` (None: the scenario's), keeping
/// [`FACT_HISTORY`] facts.
pub fn run(scenario: &Scenario, seed: Option<u64>) -> Result<scenario::ScenarioRun, String> {
    let mut scenario = scenario.clone();
    scenario.world.fact_history = scenario.world.fact_history.max(FACT_HISTORY);
    scenario::ScenarioRun::new(scenario, seed).map_err(|e| e.to_string())
}

impl Lesson {
    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

#[cfg(test)]
mod tests;
