//! Playing a scenario: a [`Timeline`] plus the scenario's steps, applied as virtual time passes.
//!
//! Steps become ordinary recorded actions of the timeline, so scrubbing back and forth replays
//! them exactly; a step is applied (recorded) only the first time time passes it. An action of
//! the learner's own starts a new branch, and the steps after it are applied afresh.
//!
//! A note arrives at its step's time, or, tied to a fact (`when`), with the first matching fact
//! at or after it: the run reads the new facts as time passes and remembers each arrival.

use super::{Scenario, ScenarioError, Step};
use crate::cluster::timeline::Timeline;
use crate::cluster::{Action, ActionError, ActionOutcome, World};
use crate::sim::Millis;
use std::collections::BTreeMap;

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
    /// Per step: when its fact-tied note arrived, `(time, fact index)`, on this branch.
    arrivals: Vec<Option<(Millis, u64)>>,
    /// Facts before this index were read for fact-tied notes.
    facts_read: u64,
}

/// A fact-tied note waits through time in slices this long, so that the facts of a long seek are
/// read before the world's bounded history lets them go.
const READ_FACTS_EVERY_MS: Millis = 1_000;

impl ScenarioRun {
    /// Builds the world ([`Scenario::build`]) and applies the steps at t=0.
    pub fn new(scenario: Scenario, seed: Option<u64>) -> Result<Self, ScenarioError> {
        let timeline = scenario.build(seed)?;
        let arrivals = vec![None; scenario.steps.len()];
        let mut run = ScenarioRun { scenario, timeline, next_step: 0, failures: Vec::new(), arrivals, facts_read: 0 };
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

    /// When the note of step `index` arrives, if known: its time for a timed note, the time of
    /// its fact for a fact-tied note once the fact has come on this branch.
    pub fn note_arrival(&self, index: usize) -> Option<Millis> {
        let step = self.scenario.steps.get(index)?;
        step.note.as_ref()?;
        match step.when {
            None => Some(step.at_ms),
            Some(_) => self.arrivals.get(index).copied().flatten().map(|(at, _)| at),
        }
    }

    /// The notes arrived by now, in arrival order: (step index, arrival time, step).
    pub fn notes_reached(&self) -> Vec<(usize, Millis, &Step)> {
        let (now, facts) = (self.now(), self.world().fact_count());
        let mut reached: Vec<(usize, Millis, &Step)> = self
            .scenario
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.note.is_some())
            .filter_map(|(i, s)| match s.when {
                None => (s.at_ms <= now).then_some((i, s.at_ms, s)),
                Some(_) => self.arrivals[i].filter(|(_, index)| *index < facts).map(|(at, _)| (i, at, s)),
            })
            .collect();
        reached.sort_by_key(|(i, at, _)| (*at, *i));
        reached
    }

    /// The first note still to come: its step index and, when known, its time (a fact-tied note's
    /// time is known only once its fact has come).
    pub fn next_note(&self) -> Option<(usize, Option<Millis>)> {
        let reached: Vec<usize> = self.notes_reached().into_iter().map(|(i, _, _)| i).collect();
        let mut pending: Vec<(usize, Option<Millis>)> = (0..self.scenario.steps.len())
            .filter(|i| self.scenario.steps[*i].note.is_some() && !reached.contains(i))
            .map(|i| (i, self.note_arrival(i)))
            .collect();
        // Known times first, in time order; then the fact-tied notes still waiting, in file order.
        pending.sort_by_key(|(i, at)| (at.is_none(), *at, *i));
        pending.into_iter().next()
    }

    /// Plays towards `t`, stopping at the first note that arrives on the way: returns its step
    /// index, with the world at the note's time. Without a note on the way, ends at `t`.
    pub fn play_to(&mut self, t: Millis) -> Option<usize> {
        let before: Vec<usize> = self.notes_reached().into_iter().map(|(i, _, _)| i).collect();
        self.seek(t);
        let (index, at) =
            self.notes_reached().into_iter().map(|(i, at, _)| (i, at)).find(|(i, _)| !before.contains(i))?;
        if at < self.now() {
            self.seek(at);
        }
        Some(index)
    }

    /// Moves to virtual time `t`, forwards (play) or backwards (scrub). Steps due on the way that
    /// were never applied are applied at their times; steps applied before are replayed.
    pub fn seek(&mut self, t: Millis) {
        while let Some(at_ms) = self.scenario.steps.get(self.next_step).map(|s| s.at_ms).filter(|at| *at <= t) {
            let index = self.next_step;
            self.advance_to(at_ms);
            let step = &self.scenario.steps[index];
            let result = step.action(self.timeline.world()).and_then(|action| match action {
                Some(action) => self.timeline.apply(action).map(|_| ()).map_err(|e| e.to_string()),
                None => Ok(()),
            });
            if let Err(error) = result {
                self.failures.push(StepFailure { step: index, at_ms, error });
            }
            self.next_step += 1;
        }
        self.advance_to(t);
    }

    /// Moves the timeline to `t`, reading the new facts for the fact-tied notes still waiting.
    fn advance_to(&mut self, t: Millis) {
        while self.waiting_for_facts() && self.now() < t {
            let slice = t.min(self.now() + READ_FACTS_EVERY_MS);
            self.timeline.seek(slice);
            self.read_facts();
        }
        self.timeline.seek(t);
        self.read_facts();
    }

    fn waiting_for_facts(&self) -> bool {
        self.scenario.steps.iter().zip(&self.arrivals).any(|(s, a)| s.when.is_some() && a.is_none())
    }

    /// Matches the facts not read yet against the fact-tied notes still waiting.
    fn read_facts(&mut self) {
        let world = self.timeline.world();
        if world.fact_count() <= self.facts_read {
            return;
        }
        let names: BTreeMap<u32, &str> = world.consumers().map(|c| (c.id, c.name.as_str())).collect();
        let consumer_name = |id: u32| names.get(&id).map(|n| n.to_string());
        for fact in world.facts_since(self.facts_read) {
            for (step, arrival) in self.scenario.steps.iter().zip(self.arrivals.iter_mut()) {
                if let Some(when) = step.when.as_ref().filter(|_| arrival.is_none()) {
                    if fact.at_ms >= step.at_ms && when.matches(&fact.fact, &consumer_name) {
                        *arrival = Some((fact.at_ms, fact.index));
                    }
                }
            }
        }
        self.facts_read = world.fact_count();
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
        // The facts after the action are of the new branch: notes waiting for them wait again.
        let facts = self.world().fact_count();
        self.facts_read = self.facts_read.min(facts);
        for arrival in &mut self.arrivals {
            if arrival.is_some_and(|(_, index)| index >= facts) {
                *arrival = None;
            }
        }
        Ok(outcome)
    }
}
