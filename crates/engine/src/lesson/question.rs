//! Predict, then run: a question asked at one moment of a scenario about what happens by a later
//! one. The learner picks a choice; the run decides which choice was right.

use super::measure::{Measure, Value};
use crate::cluster::World;
use crate::scenario::{Localized, Scenario};
use crate::sim::Millis;
use serde::{Deserialize, Serialize};

/// Which values a choice stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Matcher {
    /// Exactly this value.
    Equals(Value),
    /// A number in `min..=max` (either end open).
    Range { min: Option<i64>, max: Option<i64> },
}

impl Matcher {
    pub fn matches(&self, value: &Value) -> bool {
        match (self, value) {
            (Matcher::Equals(v), value) => v == value,
            (Matcher::Range { min, max }, Value::Int(n)) => min.is_none_or(|m| *n >= m) && max.is_none_or(|m| *n <= m),
            (Matcher::Range { .. }, Value::Name(_)) => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub label: Localized,
    pub matcher: Matcher,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Unique within its lesson; progress is saved under `lesson/id`.
    pub id: String,
    pub scenario: String,
    /// The run pauses here and the question is asked.
    pub ask_at_ms: Millis,
    /// What happened by this time answers it.
    pub check_at_ms: Millis,
    pub prompt: Localized,
    pub measure: Measure,
    pub choices: Vec<Choice>,
    /// Why the right choice is right, pointing at the picture.
    pub explain: Localized,
    /// What the explanation points at (scenario highlight names).
    pub highlight: Vec<String>,
}

/// What a run of the question's scenario did: the measured value and the choice it makes right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub value: Value,
    /// Index into [`Question::choices`].
    pub correct: usize,
}

/// Facts are read in slices this long, so that a long stretch is counted before the world's
/// bounded history lets its facts go.
const COUNT_EVERY_MS: Millis = 1_000;

impl Question {
    /// Plays `scenario` (the question's, with `seed` overriding its seed) from the start to the
    /// check time and measures. Learners' actions are not part of it: the question is about the
    /// scenario as written.
    pub fn outcome(&self, scenario: &Scenario, seed: Option<u64>) -> Result<Outcome, String> {
        let mut run = super::run(scenario, seed)?;
        run.seek(self.ask_at_ms);
        let mut count = 0;
        let mut cursor = run.world().fact_count();
        while run.now() < self.check_at_ms {
            run.seek((run.now() + COUNT_EVERY_MS).min(self.check_at_ms));
            count += self.count_facts(run.world(), cursor);
            cursor = run.world().fact_count();
        }
        let value = self.measure.read(run.world()).unwrap_or(Value::Int(count));
        self.choose(value)
    }

    fn count_facts(&self, world: &World, since: u64) -> i64 {
        let Measure::Facts { pattern } = &self.measure else { return 0 };
        let name = |id: u32| world.consumers().find(|c| c.id == id).map(|c| c.name.clone());
        world.facts_since(since).filter(|f| pattern.matches(&f.fact, &name)).count() as i64
    }

    /// The one choice that `value` matches; a lesson whose choices miss it, or overlap, is wrong.
    pub fn choose(&self, value: Value) -> Result<Outcome, String> {
        let matching: Vec<usize> =
            (0..self.choices.len()).filter(|i| self.choices[*i].matcher.matches(&value)).collect();
        match matching.as_slice() {
            [one] => Ok(Outcome { value, correct: *one }),
            [] => Err(format!("question `{}`: no choice matches what happened ({value})", self.id)),
            _ => Err(format!("question `{}`: several choices match what happened ({value})", self.id)),
        }
    }
}
