//! Playing a scenario: a [`Timeline`] plus the scenario's steps, applied as virtual time passes.
//!
//! Steps become ordinary recorded actions of the timeline, so scrubbing back and forth replays
//! them exactly; a step is applied (recorded) only the first time time passes it. An action of
//! the learner's own starts a new branch, and the steps after it are applied afresh.

use super::{Scenario, ScenarioError, Step};
use crate::cluster::timeline::Timeline;
use crate::cluster::{Action, ActionError, ActionOutcome, World};
use crate::sim::Millis;

/// A step whose action was refused when it came due (the world is unchanged by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure {
    /// Index into [`Scenario::steps`].
    pub step: usize,
    pub at_ms: Millis,
    pub error: String,
}

/// A running scenario: what the app plays, pauses, steps and scrubs, and what the CLI runs.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    scenario: Scenario,
    timeline: Timeline,
    /// Steps `..next_step` are in the timeline's recorded actions (or failed).
    next_step: usize,
    failures: Vec<StepFailure>,
}

impl ScenarioRun {
    /// Builds the world ([`Scenario::build`]) and applies the steps at t=0.
    pub fn new(scenario: Scenario, seed: Option<u64>) -> Result<Self, ScenarioError> {
        let timeline = scenario.build(seed)?;
        let mut run = ScenarioRun { scenario, timeline, next_step: 0, failures: Vec::new() };
        run.seek(0);
        Ok(run)
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn world(&self) -> &World {
        self.timeline.world()
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    pub fn now(&self) -> Millis {
        self.world().now()
    }

    /// Steps whose action was refused, in order (shown to the learner; never expected in the
    /// built-in scenarios).
    pub fn failures(&self) -> &[StepFailure] {
        &self.failures
    }

    /// The steps already reached (`at_ms <= now`), with their indices: the notes to show.
    pub fn steps_reached(&self) -> impl Iterator<Item = (usize, &Step)> {
        let now = self.now();
        self.scenario.steps.iter().enumerate().take_while(move |(_, s)| s.at_ms <= now)
    }

    /// Moves to virtual time `t`, forwards (play) or backwards (scrub). Steps due on the way that
    /// were never applied are applied at their times; steps applied before are replayed.
    pub fn seek(&mut self, t: Millis) {
        while let Some(step) = self.scenario.steps.get(self.next_step).filter(|s| s.at_ms <= t) {
            let (index, at_ms) = (self.next_step, step.at_ms);
            self.timeline.seek(at_ms);
            let result = step.action(self.timeline.world()).and_then(|action| match action {
                Some(action) => self.timeline.apply(action).map(|_| ()).map_err(|e| e.to_string()),
                None => Ok(()),
            });
            if let Err(error) = result {
                self.failures.push(StepFailure { step: index, at_ms, error });
            }
            self.next_step += 1;
        }
        self.timeline.seek(t);
    }

    /// Advances to the time of the next event or step (the app's "step" button). Returns false
    /// when nothing is left to happen.
    pub fn step_event(&mut self) -> bool {
        let next_step = self.scenario.steps.get(self.next_step).map(|s| s.at_ms);
        let next_event = self.world().next_event_time();
        let Some(t) = [next_step, next_event].into_iter().flatten().min() else { return false };
        self.seek(t.max(self.now()));
        true
    }

    /// Moves back to exactly `n` events processed (see [`Timeline::seek_to_event`]); a larger `n`
    /// stays put, since moving forward must apply the steps that come due ([`Self::seek`]). The
    /// steps already applied are recorded actions, so they replay and `next_step` stays.
    pub fn seek_back_to_event(&mut self, n: u64) {
        if n < self.world().events_processed() {
            self.timeline.seek_to_event(n);
        }
    }

    /// The learner's own action, now. It starts a new branch: recorded actions after now are
    /// discarded, and later steps will be applied afresh when time reaches them.
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        let outcome = self.timeline.apply(action)?;
        let now = self.now();
        self.next_step = self.scenario.steps.partition_point(|s| s.at_ms <= now);
        self.failures.retain(|f| f.at_ms <= now);
        Ok(outcome)
    }
}
