//! KIP-320 in the consumer: a position remembers the leader epoch of the record before it, and
//! after a leader change the consumer asks the new leader where that epoch ends
//! (OffsetsForLeaderEpoch) before it fetches again. A log truncated below the position (an
//! unclean election) is detected there instead of being read past silently.
//!
//! Follows Kafka's `SubscriptionState` (`FetchPosition`, `maybeValidatePositionForCurrentLeader`,
//! the `AWAIT_VALIDATION` fetch state, `maybeCompleteValidation`) and `OffsetsForLeaderEpochUtils`.

use super::config::AutoOffsetReset;
use super::{Consumer, Timer};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{
    ClientMessage, EpochEndOffset, ErrorCode, OffsetCommitPartition, OffsetForLeaderPartition, TopicPartition,
};
use crate::sim::Millis;
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// The epochs of Kafka's `SubscriptionState.FetchPosition` beside the position's offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PositionEpochs {
    /// `offsetEpoch`: the leader epoch of the record before the position, when known (a
    /// position from a reset or a seek to an offset has none and is never validated).
    pub offset_epoch: Option<i32>,
    /// `currentLeader.epoch`: the leader epoch the position is fetched under, sent as the
    /// fetch's `current_leader_epoch`.
    pub current_leader_epoch: Option<i32>,
    /// `AWAIT_VALIDATION`: the leader changed; no fetch until OffsetsForLeaderEpoch answers.
    pub awaiting_validation: bool,
}

/// A log truncation the consumer detected (Kafka logs "Truncation detected for partition ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DetectedTruncation {
    /// The position the consumer held.
    pub position: i64,
    /// Where the new leader's log ends the position's epoch (-1 unknown).
    pub end_offset: i64,
    pub at_ms: Millis,
}

impl Consumer {
    /// A new position from a reset, a seek or the committed offset: fetched under the leader
    /// epoch the metadata knows now (`seekUnvalidated` / `seekValidated`).
    pub(super) fn set_position_epochs(&mut self, tp: &TopicPartition, offset_epoch: Option<i32>) {
        let current_leader_epoch = self.leaders.leader_epoch(tp);
        self.position_epochs
            .insert(tp.clone(), PositionEpochs { offset_epoch, current_leader_epoch, awaiting_validation: false });
    }

    /// `SubscriptionState.seekUnvalidated` (the committed offset): a position with an offset
    /// epoch, under a known leader epoch, awaits validation before its first fetch
    /// (`TopicPartitionState.validatePosition`); without either it is fetched at once.
    pub(super) fn seek_unvalidated(&mut self, tp: &TopicPartition, offset_epoch: Option<i32>) {
        self.set_position_epochs(tp, offset_epoch);
        if let Some(epochs) = self.position_epochs.get_mut(tp) {
            epochs.awaiting_validation = epochs.offset_epoch.is_some() && epochs.current_leader_epoch.is_some();
        }
    }

    /// `Metadata.updateLastSeenEpochIfNewer`: an epoch (from a committed offset or ListOffsets)
    /// newer than the metadata's means the metadata is stale, so it is fetched again.
    pub(super) fn update_last_seen_epoch(
        &mut self,
        tp: &TopicPartition,
        epoch: i32,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        if self.leaders.leader_epoch(tp).is_some_and(|known| epoch > known) {
            self.request_metadata(now, rng, out);
        }
    }

    /// An offset to commit for `tp` and, when it is the position, the leader epoch of the record
    /// before it (`SubscriptionState.allConsumed`, `OffsetAndMetadata.leaderEpoch()`).
    pub fn consumed_offset(&self, tp: &TopicPartition, offset: i64) -> OffsetCommitPartition {
        let at_position = self.positions.get(tp) == Some(&offset);
        let epoch = self.position_epochs.get(tp).and_then(|e| e.offset_epoch).filter(|_| at_position);
        OffsetCommitPartition {
            topic_partition: tp.clone(),
            committed_offset: offset,
            committed_leader_epoch: epoch.unwrap_or(-1),
        }
    }

    /// Whether a fetch may be sent for `tp` (Kafka's `isFetchable`: not awaiting validation).
    pub(super) fn awaiting_validation(&self, tp: &TopicPartition) -> bool {
        self.position_epochs.get(tp).is_some_and(|e| e.awaiting_validation)
    }

    /// The fetch's `current_leader_epoch` for `tp`, -1 when unknown.
    pub(super) fn current_leader_epoch(&self, tp: &TopicPartition) -> i32 {
        self.position_epochs.get(tp).and_then(|e| e.current_leader_epoch).unwrap_or(-1)
    }

    /// Kafka's `maybeValidatePositionForCurrentLeader` after a metadata update: a position whose
    /// leader epoch changed moves to AWAIT_VALIDATION if it knows its offset epoch (else it is
    /// simply fetched under the new epoch). Records buffered from the old leader are dropped.
    pub(super) fn validate_positions_on_metadata_change(&mut self) {
        let positions: Vec<TopicPartition> =
            self.positions.keys().filter(|tp| self.assignment.contains(*tp)).cloned().collect();
        for tp in positions {
            let Some(leader_epoch) = self.leaders.leader_epoch(&tp) else { continue };
            let epochs = self.position_epochs.entry(tp.clone()).or_default();
            if epochs.current_leader_epoch == Some(leader_epoch) {
                continue;
            }
            epochs.current_leader_epoch = Some(leader_epoch);
            if epochs.offset_epoch.is_some() && !epochs.awaiting_validation {
                epochs.awaiting_validation = true;
                self.buffer.remove(&tp);
            }
        }
    }

    /// Kafka's `OffsetsForLeaderEpochUtils.prepareRequest`: one OffsetsForLeaderEpoch per leader
    /// for the positions awaiting validation, after `retry.backoff.ms` when the last one failed.
    pub(super) fn send_validations(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let mut by_leader: BTreeMap<i32, Vec<(OffsetForLeaderPartition, i64)>> = BTreeMap::new();
        // Few positions await validation: skip the others before looking anything up (every poll
        // runs this over every assigned partition).
        for (tp, epochs) in self.position_epochs.iter().filter(|(_, e)| e.awaiting_validation) {
            let (Some(leader_epoch), Some(current)) = (epochs.offset_epoch, epochs.current_leader_epoch) else {
                continue;
            };
            let (Some(position), Some(leader)) = (self.positions.get(tp), self.leaders.get(tp)) else { continue };
            if self.validations_in_flight.contains_key(leader) {
                continue;
            }
            let partition =
                OffsetForLeaderPartition { topic_partition: tp.clone(), current_leader_epoch: current, leader_epoch };
            by_leader.entry(*leader).or_default().push((partition, *position));
        }
        if by_leader.is_empty() {
            return;
        }
        if now < self.validation_retry_at {
            self.schedule_retry(now, out);
            return;
        }
        for (leader, partitions) in by_leader {
            let asked = partitions.iter().map(|(p, position)| (p.topic_partition.clone(), *position)).collect();
            self.validations_in_flight.insert(leader, asked);
            let partitions = partitions.into_iter().map(|(p, _)| p).collect();
            self.send_request(leader, ClientMessage::OffsetsForLeaderEpochRequest { partitions }, now, out);
        }
    }

    /// Kafka's `SubscriptionState.maybeCompleteValidation` for each answered partition: the
    /// position is valid if the leader's end of its epoch is at or past it; below it the log was
    /// truncated, and with `auto.offset.reset` the position moves back to the first offset known
    /// to diverge (`seekValidated`), as Kafka 4.x's consumer does; without it (`none`) the
    /// application gets a `LogTruncationException` and the partition has no position. An
    /// unknown epoch end resets by `auto.offset.reset`. An error retries after a metadata update.
    pub(super) fn on_validation_response(
        &mut self,
        broker: i32,
        partitions: Vec<EpochEndOffset>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        let asked = self.validations_in_flight.remove(&broker).unwrap_or_default();
        for p in partitions {
            let tp = p.topic_partition;
            let Some((_, requested)) = asked.iter().find(|(t, _)| *t == tp) else { continue };
            // Skipped, as Kafka skips it, when the position moved or is no longer awaiting validation.
            if !self.awaiting_validation(&tp) || self.positions.get(&tp) != Some(requested) {
                continue;
            }
            if p.error != ErrorCode::None {
                self.validation_retry_at = now + self.config.retry_backoff_ms;
                self.request_metadata(now, rng, out);
                continue;
            }
            let position = *requested;
            let offset_epoch = self.position_epochs.get(&tp).and_then(|e| e.offset_epoch).unwrap_or(-1);
            let reset = self.config.auto_offset_reset != AutoOffsetReset::None;
            if p.end_offset >= 0 && p.leader_epoch >= 0 && p.end_offset >= position {
                if let Some(epochs) = self.position_epochs.get_mut(&tp) {
                    epochs.awaiting_validation = false;
                }
                let leader_epoch = self.current_leader_epoch(&tp);
                out.fact(Fact::PositionValidated {
                    consumer: self.id,
                    topic_partition: tp,
                    offset: position,
                    leader_epoch,
                });
                continue;
            }
            let diverging = (p.end_offset >= 0 && p.leader_epoch >= 0).then_some((p.end_offset, p.leader_epoch));
            out.fact(Fact::LogTruncationDetected {
                consumer: self.id,
                topic_partition: tp.clone(),
                position,
                offset_epoch,
                end_offset: p.end_offset,
                reset_to: diverging.filter(|_| reset).map(|(offset, _)| offset),
            });
            let detected = DetectedTruncation { position, end_offset: p.end_offset, at_ms: now };
            self.detected_truncations.insert(tp.clone(), detected);
            self.positions.remove(&tp);
            match diverging {
                Some((offset, epoch)) if reset => {
                    self.positions.insert(tp.clone(), offset);
                    self.set_position_epochs(&tp, Some(epoch));
                }
                _ => {
                    self.position_epochs.remove(&tp);
                    self.reset_position(tp, out);
                }
            }
        }
        self.update_positions(now, rng, out);
        self.send_fetches(now, out);
        self.wake_poll(now, out);
    }
}
