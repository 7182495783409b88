//! The lesson path in the app: the built-in lessons, the learner's progress (kept in
//! localStorage), the question being asked, and a what-if fork's two runs.
//!
//! A verdict is never stored text: once the app's clock has passed a question's check time, the
//! question's scenario is run from the start with the app's seed ([`Question::outcome`]) and the
//! engine's value picks the right choice. The learner's own actions are not part of that run.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use kafkalab_engine::lesson::{self, Change, ForkComparison, Lesson, Question};
use kafkalab_engine::scenario::{summary, Scenario, ScenarioRun};
use kafkalab_engine::sim::Millis;
use serde::{Deserialize, Serialize};

use crate::sim::{builtin_scenarios, catalogue};

/// The localStorage key of the learner's progress.
pub const PROGRESS_KEY: &str = "kafkalab.lessons.v1";
/// Where unreadable saved progress is kept, untouched, when the app starts clean.
pub const UNREADABLE_PROGRESS_KEY: &str = "kafkalab.lessons.v1.unreadable";

/// Every built-in lesson, in path order (from the built-in catalogue; the engine's tests check
/// they all parse).
pub fn all() -> &'static [Lesson] {
    &catalogue().lessons
}

pub fn find(name: &str) -> Option<&'static Lesson> {
    all().iter().find(|l| l.name == name)
}

fn scenario(name: &str) -> Option<&'static Scenario> {
    builtin_scenarios().iter().find(|b| b.name == name)
}

/// A checked prediction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The choice the learner predicted.
    pub choice: usize,
    /// The choice the run made right.
    pub correct: usize,
    /// What the engine measured, as text (a broker id, a count, a consumer's name).
    pub value: String,
    /// The seed the run used.
    pub seed: u64,
}

/// What the learner has done, saved under [`PROGRESS_KEY`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// Checked predictions by `lesson/question`.
    pub answers: BTreeMap<String, Answer>,
    /// Lessons the learner opened.
    #[serde(default)]
    pub opened: BTreeSet<String>,
}

impl Progress {
    /// Reads saved progress; unreadable text gives empty progress and `false`.
    pub fn load(saved: Option<&str>) -> (Progress, bool) {
        match saved {
            None => (Progress::default(), true),
            Some(text) => match serde_json::from_str::<Progress>(text) {
                Ok(p) => (p, true),
                Err(_) => (Progress::default(), false),
            },
        }
    }

    pub fn answer(&self, lesson: &str, question: &str) -> Option<&Answer> {
        self.answers.get(&format!("{lesson}/{question}"))
    }

    /// A lesson is done when each of its questions has been answered.
    pub fn done(&self, lesson: &Lesson) -> bool {
        lesson.questions.iter().all(|q| self.answer(&lesson.name, &q.id).is_some())
    }
}

/// The question on screen: asked at its time, maybe predicted, checked once time has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asking {
    pub lesson: String,
    pub question: String,
    pub choice: Option<usize>,
}

impl Asking {
    pub fn question(&self) -> Option<&'static Question> {
        find(&self.lesson)?.question(&self.question)
    }
}

/// A what-if fork: the scenario as written and with one change from a moment, each run from the
/// same seed and kept at the app's cursor.
#[derive(Clone)]
pub struct Fork {
    pub change: Change,
    pub scenario: String,
    pub seed: u64,
    /// When the branches part (0: from the start); both are the same run until then.
    pub from_ms: Millis,
    base: Rc<std::cell::RefCell<ScenarioRun>>,
    branch: Rc<std::cell::RefCell<ScenarioRun>>,
    /// Both summaries at the last synchronised time.
    pub comparison: Rc<ForkComparison>,
}

impl Fork {
    /// A fork of built-in scenario `scenario_name` by `change` (text as in the URL) at `from_ms`.
    pub fn start(scenario_name: &str, seed: u64, change: &str, from_ms: Millis) -> Result<Fork, String> {
        let scenario =
            scenario(scenario_name).ok_or_else(|| format!("`{scenario_name}` is not a scenario that can fork"))?;
        let change = Change::parse(change)?;
        let changed = change.apply_at(scenario, from_ms)?;
        let base = lesson::run(scenario, Some(seed))?;
        let branch = lesson::run(&changed, Some(seed))?;
        let comparison =
            Rc::new(ForkComparison { at_ms: 0, base: summary(base.world()), fork: summary(branch.world()) });
        Ok(Fork {
            change,
            scenario: scenario_name.to_string(),
            seed,
            from_ms,
            base: Rc::new(std::cell::RefCell::new(base)),
            branch: Rc::new(std::cell::RefCell::new(branch)),
            comparison,
        })
    }

    /// Moves both runs to `t` and compares them there.
    pub fn sync(&mut self, t: Millis) {
        if self.comparison.at_ms == t {
            return;
        }
        let (mut base, mut branch) = (self.base.borrow_mut(), self.branch.borrow_mut());
        base.seek(t);
        branch.seek(t);
        self.comparison =
            Rc::new(ForkComparison { at_ms: t, base: summary(base.world()), fork: summary(branch.world()) });
    }
}

impl PartialEq for Fork {
    fn eq(&self, other: &Self) -> bool {
        self.change == other.change
            && self.seed == other.seed
            && self.from_ms == other.from_ms
            && self.comparison == other.comparison
    }
}

/// The verdict of `asking` once the app, on the question's scenario with `seed`, is at or past the
/// check time: the engine's outcome and the learner's choice.
pub fn check(asking: &Asking, scenario_name: &str, seed: u64, now: Millis) -> Option<Result<Answer, String>> {
    let question = asking.question()?;
    let choice = asking.choice?;
    if question.scenario != scenario_name || now < question.check_at_ms {
        return None;
    }
    let scenario = scenario(&question.scenario)?;
    Some(question.outcome(scenario, Some(seed)).map(|o| Answer {
        choice,
        correct: o.correct,
        value: o.value.to_string(),
        seed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_lesson_is_in_the_app_in_path_order() {
        let names: Vec<&str> = kafkalab_engine::lesson::builtin().iter().map(|b| b.name).collect();
        assert_eq!(all().len(), names.len());
        assert!(all().windows(2).all(|w| w[0].order < w[1].order));
        assert_eq!(find("replication-failover").unwrap().scenarios, ["leader-failover", "follower-fetching"]);
    }

    #[test]
    fn unreadable_progress_starts_clean_and_says_so() {
        assert_eq!(Progress::load(None), (Progress::default(), true));
        assert_eq!(Progress::load(Some("{not json")), (Progress::default(), false));
        assert!(!Progress::load(Some(r#"{"answers": 3}"#)).1);
        let mut p = Progress::default();
        p.answers.insert("a/b".into(), Answer { choice: 1, correct: 1, value: "2".into(), seed: 7 });
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(Progress::load(Some(&text)), (p, true));
    }

    #[test]
    fn a_verdict_comes_from_a_run_once_the_check_time_has_passed() {
        let asking = Asking { lesson: "replication-failover".into(), question: "new-leader".into(), choice: Some(0) };
        assert_eq!(check(&asking, "leader-failover", 7, 19_999), None, "before the check time");
        assert_eq!(check(&asking, "key-ordering", 7, 30_000), None, "another scenario is loaded");
        let answer = check(&asking, "leader-failover", 7, 20_000).unwrap().unwrap();
        assert_eq!(answer.value, "1");
        assert_eq!(answer.correct, 0);
        let unanswered = Asking { choice: None, ..asking };
        assert_eq!(check(&unanswered, "leader-failover", 7, 20_000), None);
    }

    #[test]
    fn a_fork_keeps_both_runs_at_the_cursor() {
        let mut fork = Fork::start("leader-failover", 3, "producer:checkout:acks=1", 0).unwrap();
        fork.sync(45_000);
        assert_eq!(fork.comparison.at_ms, 45_000);
        assert_eq!(fork.comparison.base.acked_lost, 0);
        assert!(fork.comparison.fork.acked_lost >= 1);
        assert!(Fork::start("leader-failover", 3, "producer:nobody:acks=1", 0).is_err());
        assert!(Fork::start("demo", 3, "producer:checkout:acks=1", 0).is_err());
        let mut at_moment = Fork::start("leader-failover", 3, "producer:checkout:acks=1", 9_000).unwrap();
        at_moment.sync(7_000);
        assert_eq!(at_moment.comparison.base, at_moment.comparison.fork, "the same run before the fork");
        at_moment.sync(45_000);
        assert!(at_moment.comparison.fork.acked_lost >= 1 && at_moment.comparison.base.acked_lost == 0);
    }
}
