//! Time travel: a world plus the actions applied to it, checkpointed every so many events.
//! Seeking restores the nearest checkpoint at or before the target and replays; because the
//! engine is deterministic, the replay reproduces the same state exactly.
//!
//! Memory is bounded by design, like a video recorder's time-shift buffer: the initial world and
//! at most [`MAX_CHECKPOINTS`] recent checkpoints are kept, evenly spaced, and the oldest recent
//! one goes when a new one comes. Seeking within that window replays at most one spacing; seeking
//! before it replays from the initial world (exact, only slower), which the app avoids by keeping
//! its scrubber within [`Timeline::seekable_from_ms`]. A checkpoint is cheap because the world's big
//! parts (record batches, the fact history) are persistent structures shared with the live world,
//! and it keeps only the last [`CHECKPOINT_FACTS`] facts and none of the protocol message log
//! (each checkpoint's messages would be its own: 200 each cost 13 MB in `large`), so old
//! checkpoints do not pin the history.

use super::{Action, ActionError, ActionOutcome, World};
use crate::sim::Millis;

/// An action and the point in the event stream where it was applied.
#[derive(Debug, Clone)]
struct Recorded {
    after_events: u64,
    at_ms: Millis,
    action: Action,
}

/// The most checkpoints a timeline keeps besides the initial world.
pub const MAX_CHECKPOINTS: usize = 128;

/// Facts a checkpoint keeps of the history (the narration feed after a seek back).
pub const CHECKPOINT_FACTS: usize = 1_000;

#[derive(Debug, Clone)]
pub struct Timeline {
    current: World,
    /// Clones of the world in increasing event count; the first is the initial world.
    checkpoints: Vec<World>,
    /// Every successful action since the initial world; a world containing the first `n` of
    /// them has `actions_applied() == base_actions + n`.
    actions: Vec<Recorded>,
    base_actions: u64,
    checkpoint_every: u64,
}

impl Timeline {
    /// Checkpoints every `checkpoint_every` events (at least 1).
    pub fn new(initial: World, checkpoint_every: u64) -> Self {
        Timeline {
            base_actions: initial.actions_applied(),
            checkpoints: vec![initial.clone()],
            current: initial,
            actions: Vec::new(),
            checkpoint_every: checkpoint_every.max(1),
        }
    }

    pub fn world(&self) -> &World {
        &self.current
    }

    /// Applies an action now. A future recorded before a seek back is discarded: a new branch.
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        let applied = self.current.actions_applied();
        let events = self.current.events_processed();
        self.actions.truncate((applied - self.base_actions) as usize);
        self.checkpoints.retain(|c| c.actions_applied() <= applied && c.events_processed() <= events);
        let outcome = self.current.apply(action.clone())?;
        self.actions.push(Recorded { after_events: events, at_ms: self.current.now(), action });
        Ok(outcome)
    }

    /// How many checkpoints are kept now, the initial world included.
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// The earliest time a seek reaches quickly: the oldest recent checkpoint (0 until the window
    /// has slid).
    pub fn seekable_from_ms(&self) -> Millis {
        self.window_start().map_or(0, World::now)
    }

    /// The event count at [`Self::seekable_from_ms`] (0 until the window has slid).
    pub fn seekable_from_event(&self) -> u64 {
        self.window_start().map_or(0, World::events_processed)
    }

    /// The oldest recent checkpoint, once the window has slid.
    fn window_start(&self) -> Option<&World> {
        (self.checkpoints.len() > MAX_CHECKPOINTS).then(|| self.checkpoints.get(1)).flatten()
    }

    /// Processes one event, checkpointing as it goes. Returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let stepped = self.current.step();
        let last = self.checkpoints.last().map_or(0, World::events_processed);
        if stepped && self.current.events_processed() >= last.saturating_add(self.checkpoint_every) {
            if self.checkpoints.len() > MAX_CHECKPOINTS {
                self.checkpoints.remove(1);
            }
            let mut checkpoint = self.current.clone();
            checkpoint.keep_last_facts(CHECKPOINT_FACTS);
            checkpoint.forget_messages();
            self.checkpoints.push(checkpoint);
        }
        stepped
    }

    /// Moves to virtual time `t`, backwards or forwards, replaying recorded actions. Forwards,
    /// a checkpoint between now and `t` (left by an earlier pass) saves replaying up to it.
    pub fn seek(&mut self, t: Millis) {
        let back = t < self.current.now();
        self.restore_and_replay(back, |c| c.now() <= t, |r| r.at_ms <= t);
        while self.current.next_event_time().is_some_and(|next| next <= t) {
            self.step();
        }
        self.current.advance_clock(t);
    }

    /// Plays towards virtual time `t` one event at a time while `more()` allows, replaying the
    /// recorded actions on the way at their event counts: the world is the one [`Self::seek`]
    /// reaches, whatever the slices. A page whose events cost more than a frame plays this way.
    /// Returns whether `t` was reached; if not, the clock rests at the last event processed.
    pub fn play_toward(&mut self, t: Millis, mut more: impl FnMut() -> bool) -> bool {
        loop {
            let events = self.current.events_processed();
            self.replay(|r| r.after_events <= events && r.at_ms <= t);
            if self.current.next_event_time().is_none_or(|next| next > t) {
                self.current.advance_clock(t);
                return true;
            }
            if !more() {
                return false;
            }
            self.step();
        }
    }

    /// Moves to exactly `n` events processed on the current branch (or the end, if fewer are
    /// reachable): stepping back one event. The clock is left at event `n`'s time, not advanced.
    /// An action recorded at event count `n` is replayed: it happened "at" `n`, after event `n`,
    /// so stepping back to `n` gives the state after it and stepping back to `n - 1` the state
    /// before it. At or above the current count, a checkpoint on the way saves replaying to it.
    pub fn seek_to_event(&mut self, n: u64) {
        let back = n < self.current.events_processed();
        self.restore_and_replay(back, |c| c.events_processed() <= n, |r| r.after_events <= n);
        while self.current.events_processed() < n && self.step() {}
    }

    /// Restores the latest checkpoint `within` the target when going `back`, or when it is ahead of
    /// the live world; then replays the recorded actions `due` on the way.
    fn restore_and_replay(&mut self, back: bool, within: impl Fn(&World) -> bool, due: impl Fn(&Recorded) -> bool) {
        let events = self.current.events_processed();
        let nearest = self.checkpoints.iter().rposition(within).unwrap_or(0);
        let checkpoint = &self.checkpoints[nearest];
        if back || checkpoint.events_processed() > events {
            self.current = checkpoint.clone();
        }
        self.replay(due);
    }

    /// Replays the recorded actions after the world's last one while they are `due`, each at its
    /// recorded event count and time (they succeeded when first applied, and replay recreates
    /// that state).
    fn replay(&mut self, due: impl Fn(&Recorded) -> bool) {
        let from = (self.current.actions_applied() - self.base_actions) as usize;
        let pending: Vec<Recorded> =
            self.actions[from.min(self.actions.len())..].iter().take_while(|r| due(r)).cloned().collect();
        for recorded in pending {
            while self.current.events_processed() < recorded.after_events && self.step() {}
            self.current.advance_clock(recorded.at_ms);
            let _ = self.current.apply(recorded.action);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::workload;
    use crate::sim::NodeId;

    fn state(timeline: &Timeline) -> (String, u64, u64) {
        let world = timeline.world();
        (serde_json::to_string(&world.view()).unwrap(), world.trace_hash(), world.events_processed())
    }

    #[test]
    fn the_window_stays_bounded_and_every_seek_is_exact() {
        // 300 events a checkpoint: the reference workload fills the window within 10 virtual s.
        let mut timeline = Timeline::new(workload::reference(3), 300);
        timeline.seek(1_000);
        timeline.apply(Action::SlowNode { node: NodeId::Broker(2), extra_ms: 30 }).unwrap();
        timeline.seek(10_000);
        assert_eq!(timeline.checkpoint_count(), MAX_CHECKPOINTS + 1, "the initial world and a full window");
        let from = timeline.seekable_from_ms();
        assert!(from > 1_000 && from < 10_000, "the window slid: {from}");
        let at_end = state(&timeline);
        // Within the window, before it (replayed from the initial world) and forward again.
        for t in [from + 100, 500, 0, 8_000] {
            timeline.seek(t);
            assert_eq!(timeline.world().now(), t);
            assert!(timeline.checkpoint_count() <= MAX_CHECKPOINTS + 1);
        }
        timeline.seek(10_000);
        assert_eq!(state(&timeline), at_end, "replays reproduce the same world");
        let mut straight = Timeline::new(workload::reference(3), 1_000_000);
        straight.seek(1_000);
        straight.apply(Action::SlowNode { node: NodeId::Broker(2), extra_ms: 30 }).unwrap();
        straight.seek(10_000);
        assert_eq!(state(&straight), at_end, "checkpointing does not change the world");
    }

    #[test]
    fn playing_in_slices_reaches_the_world_a_seek_reaches() {
        let mut timeline = Timeline::new(workload::reference(3), 300);
        timeline.seek(1_000);
        timeline.apply(Action::SlowNode { node: NodeId::Broker(2), extra_ms: 30 }).unwrap();
        timeline.seek(3_000);
        let want = state(&timeline);
        // Back before the action, then forward in frames of at most 50 events.
        timeline.seek(500);
        let mut frames = 0;
        loop {
            let mut room = 50;
            let reached = timeline.play_toward(3_000, || {
                room -= 1;
                room >= 0
            });
            frames += 1;
            assert!(timeline.world().now() <= 3_000);
            if reached {
                break;
            }
        }
        assert!(frames > 10, "the budget held each frame back ({frames} frames)");
        assert_eq!(state(&timeline), want, "the recorded action replays on the way");
        timeline.seek(2_000);
        assert!(!timeline.play_toward(3_000, || false), "no room: no progress");
        assert_eq!(timeline.world().now(), 2_000);
    }

    #[test]
    fn seeking_to_an_event_reproduces_each_step() {
        // A small spacing, so that stepping back crosses checkpoints.
        let mut timeline = Timeline::new(workload::reference(3), 7);
        timeline.seek(1_000);
        timeline.step();
        let mut states = vec![state(&timeline)];
        for _ in 0..40 {
            timeline.step();
            states.push(state(&timeline));
        }
        let end = states.last().unwrap().clone();
        for want in states.iter().rev() {
            timeline.seek_to_event(want.2);
            assert_eq!(&state(&timeline), want);
        }
        timeline.seek_to_event(end.2);
        assert_eq!(state(&timeline), end, "and forward again");
    }

    #[test]
    fn stepping_back_over_an_action_undoes_it_and_stepping_to_its_count_keeps_it() {
        let mut timeline = Timeline::new(workload::reference(3), 7);
        timeline.seek(1_000);
        timeline.step();
        let before = state(&timeline);
        timeline.step();
        let at = timeline.world().events_processed();
        timeline.apply(Action::KillBroker { broker: 2 }).unwrap();
        let after = state(&timeline);
        timeline.step();
        timeline.step();
        let ahead = state(&timeline);
        timeline.seek_to_event(at);
        assert_eq!(state(&timeline), after, "the action happened at its event count");
        timeline.seek_to_event(at - 1);
        assert_eq!(state(&timeline), before, "before the action");
        timeline.seek_to_event(at + 2);
        assert_eq!(state(&timeline), ahead, "and the action replays on the way forward");
    }

    #[test]
    fn a_checkpoint_keeps_only_the_recent_facts_but_counts_them_all() {
        let mut timeline = Timeline::new(workload::reference(3), 200);
        timeline.seek(2_000);
        let count = timeline.world().fact_count();
        let checkpoint = timeline.checkpoints.last().unwrap();
        assert!(checkpoint.facts().len() <= CHECKPOINT_FACTS);
        assert!(checkpoint.fact_count() <= count && checkpoint.fact_count() > CHECKPOINT_FACTS as u64);
        let last = checkpoint.facts().last().unwrap().index;
        assert_eq!(last + 1, checkpoint.fact_count(), "the newest facts are the ones kept");
    }
}
