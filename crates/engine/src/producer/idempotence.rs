//! The idempotent producer's sequence numbers: Kafka's `TransactionManager.TopicPartitionBookkeeper`
//! and, for a producer without `transactional.id`, KIP-360's local epoch bump.
//!
//! A sequence gap (an OUT_OF_ORDER_SEQUENCE_NUMBER for the next batch, a batch failed or expired
//! after it was sent) is resolved as Kafka 2.5+ resolves it: the producer bumps its epoch itself,
//! without an InitProducerId round trip (`bumpIdempotentEpochAndResetIdIfNeeded`), and rewrites
//! the sequences of the affected partitions only, from 0 under the new epoch
//! (`requestEpochBumpForPartition`, `startSequencesAtBeginning`). Their batches are retried, not
//! failed; other partitions finish their in-flight batches under the old epoch and move to the
//! new one once they have none (`maybeUpdateProducerIdAndEpoch`).

use super::{ProducerBatch, ProducerIdState};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{ErrorCode, TopicPartition};
use std::collections::{BTreeMap, BTreeSet};

/// Kafka's `TopicPartitionEntry`: one partition's sequence state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PartitionSequences {
    /// The epoch this partition's sequences belong to.
    producer_epoch: i16,
    /// The base sequence of the next new batch.
    next_sequence: i32,
    /// The last sequence of the last acknowledged batch, -1 for none.
    last_acked_sequence: i32,
    /// Base sequences of batches drained and not yet done (in flight or waiting for a retry).
    in_flight: BTreeSet<i32>,
}

/// Sequences per partition, the partitions whose sequences are unresolved, and a pending epoch bump.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sequences {
    partitions: BTreeMap<TopicPartition, PartitionSequences>,
    /// Kafka's `partitionsWithUnresolvedSequences`: a batch sent at least once expired; the value
    /// is the sequence after it. No new batch is drained for the partition until it resolves.
    unresolved: BTreeMap<TopicPartition, i32>,
    /// Kafka's `partitionsToRewriteSequences`.
    to_rewrite: BTreeSet<TopicPartition>,
    /// Kafka's `epochBumpRequired`.
    epoch_bump_required: bool,
}

impl Sequences {
    /// A new producer id or epoch from the coordinator: every partition starts again at 0.
    pub fn clear(&mut self) {
        *self = Sequences::default();
    }

    fn entry(&mut self, tp: &TopicPartition, producer_epoch: i16) -> &mut PartitionSequences {
        self.partitions.entry(tp.clone()).or_insert(PartitionSequences {
            producer_epoch,
            next_sequence: 0,
            last_acked_sequence: -1,
            in_flight: BTreeSet::new(),
        })
    }

    /// Gives a new batch of `count` records its base sequence under `producer_epoch`. A partition
    /// still on an older epoch with nothing in flight starts again at 0
    /// (`maybeUpdateProducerIdAndEpoch`); the caller drains no new batch while it has some.
    pub fn assign(&mut self, tp: &TopicPartition, producer_epoch: i16, count: i32) -> i32 {
        let entry = self.entry(tp, producer_epoch);
        if entry.producer_epoch != producer_epoch && entry.in_flight.is_empty() {
            *entry = PartitionSequences {
                producer_epoch,
                next_sequence: 0,
                last_acked_sequence: -1,
                in_flight: BTreeSet::new(),
            };
        }
        let base = entry.next_sequence;
        entry.next_sequence = base.wrapping_add(count);
        entry.in_flight.insert(base);
        base
    }

    /// The lowest base sequence not yet done (`firstInFlightSequence`).
    pub fn first_in_flight(&self, tp: &TopicPartition) -> Option<i32> {
        self.partitions.get(tp).and_then(|e| e.in_flight.first().copied())
    }

    /// Kafka's `shouldStopDrainBatchesForPartition` for a batch without a sequence: wait while the
    /// partition has batches under an older epoch in flight, or an unresolved sequence.
    pub fn blocks_new_batch(&self, tp: &TopicPartition, producer_epoch: i16) -> bool {
        let stale_in_flight =
            self.partitions.get(tp).is_some_and(|e| e.producer_epoch != producer_epoch && !e.in_flight.is_empty());
        stale_in_flight || self.unresolved.contains_key(tp)
    }

    /// A batch is done (acknowledged, failed or expired): it no longer holds up its partition.
    pub fn remove_in_flight(&mut self, batch: &ProducerBatch) {
        if let (Some(seq), Some(entry)) = (batch.base_sequence, self.partitions.get_mut(&batch.topic_partition)) {
            entry.in_flight.remove(&seq);
        }
    }

    /// `handleCompletedBatch`: the acknowledged batch's last sequence (`maybeUpdateLastAckedSequence`).
    pub fn acked(&mut self, batch: &ProducerBatch) {
        self.remove_in_flight(batch);
        let Some(seq) = batch.base_sequence else { return };
        if let Some(entry) = self.partitions.get_mut(&batch.topic_partition) {
            let last = seq.wrapping_add(batch.records.len() as i32 - 1);
            if entry.producer_epoch == batch.producer_epoch && last > entry.last_acked_sequence {
                entry.last_acked_sequence = last;
            }
        }
    }

    /// `isNextSequence`: `sequence` follows the last acknowledged one.
    pub fn is_next_sequence(&self, tp: &TopicPartition, sequence: i32) -> bool {
        let last = self.partitions.get(tp).map_or(-1, |e| e.last_acked_sequence);
        sequence.wrapping_sub(last) == 1
    }

    /// `markSequenceUnresolved`: a batch that was sent expired, so whether it was written is unknown.
    pub fn mark_unresolved(&mut self, batch: &ProducerBatch) {
        let Some(seq) = batch.base_sequence else { return };
        let next = seq.wrapping_add(batch.records.len() as i32);
        let value = self.unresolved.entry(batch.topic_partition.clone()).or_insert(next);
        *value = (*value).max(next);
    }

    pub fn has_unresolved(&self, tp: &TopicPartition) -> bool {
        self.unresolved.contains_key(tp)
    }

    /// `isNextSequenceForUnresolvedPartition`.
    fn is_next_for_unresolved(&self, tp: &TopicPartition, sequence: i32) -> bool {
        self.unresolved.get(tp) == Some(&sequence)
    }

    /// `requestEpochBumpForPartition`.
    pub fn request_epoch_bump(&mut self, tp: &TopicPartition) {
        self.epoch_bump_required = true;
        self.to_rewrite.insert(tp.clone());
    }

    /// `maybeResolveSequences`: once nothing of an unresolved partition is in flight, either a
    /// later batch was acknowledged (the expired one was written) or the epoch must be bumped.
    pub fn resolve(&mut self) {
        let unresolved = std::mem::take(&mut self.unresolved);
        for (tp, next) in unresolved {
            let entry = self.partitions.get(&tp);
            if entry.is_some_and(|e| !e.in_flight.is_empty()) {
                self.unresolved.insert(tp, next);
            } else if !self.is_next_sequence(&tp, entry.map_or(0, |e| e.next_sequence)) {
                self.request_epoch_bump(&tp);
            }
        }
    }

    /// Takes a requested epoch bump: the partitions whose sequences it rewrites.
    fn take_epoch_bump(&mut self) -> Option<BTreeSet<TopicPartition>> {
        if !self.epoch_bump_required {
            return None;
        }
        self.epoch_bump_required = false;
        Some(std::mem::take(&mut self.to_rewrite))
    }

    /// `startSequencesAtBeginning`: `batches` (the partition's batches not yet done, in any order)
    /// get sequences from 0 under `producer_epoch`, in their old order, and are marked as reset.
    fn start_at_beginning(&mut self, tp: &TopicPartition, producer_epoch: i16, mut batches: Vec<&mut ProducerBatch>) {
        batches.sort_by_key(|b| b.base_sequence);
        let mut sequence = 0i32;
        let mut in_flight = BTreeSet::new();
        for batch in batches {
            batch.base_sequence = Some(sequence);
            batch.producer_epoch = producer_epoch;
            batch.sequence_reset = true;
            in_flight.insert(sequence);
            sequence = sequence.wrapping_add(batch.records.len() as i32);
        }
        self.partitions.insert(
            tp.clone(),
            PartitionSequences { producer_epoch, next_sequence: sequence, last_acked_sequence: -1, in_flight },
        );
        self.unresolved.remove(tp);
    }
}

impl super::Producer {
    /// Whether this producer follows the idempotent rules of a producer without `transactional.id`.
    pub(super) fn idempotent_without_transactions(&self) -> bool {
        self.txn.is_none() && self.pid_state != ProducerIdState::Disabled
    }

    /// Kafka's `TransactionManager.canRetry` for an idempotent producer without `transactional.id`:
    /// an OUT_OF_ORDER_SEQUENCE_NUMBER is always retried; when the failed batch is the next one
    /// after the last acknowledged (a real gap), the partition's epoch is bumped first.
    pub(super) fn can_retry_idempotent(&mut self, batch: &ProducerBatch, error: ErrorCode) -> bool {
        if error != ErrorCode::OutOfOrderSequenceNumber {
            return error.is_retriable();
        }
        let Some(seq) = batch.base_sequence else { return false };
        let tp = &batch.topic_partition;
        let unresolved = self.sequences.has_unresolved(tp);
        if !unresolved && (batch.sequence_reset || !self.sequences.is_next_sequence(tp, seq)) {
            return true; // an earlier batch is still unresolved: wait for it
        }
        if !unresolved || self.sequences.is_next_for_unresolved(tp, seq) {
            self.sequences.request_epoch_bump(tp);
        }
        true
    }

    /// Kafka's `TransactionManager.handleFailedBatch` for an idempotent producer without
    /// `transactional.id`: a batch failed for good leaves a gap, so the epoch of its partition is
    /// bumped: on OUT_OF_ORDER_SEQUENCE_NUMBER, or when the batch did not use up its retries
    /// (`adjust`: the broker said no for sure). An expired batch adjusts nothing: whether it was
    /// written is unknown until its partition's other batches finish (`mark_unresolved`).
    pub(super) fn handle_failed_batch(&mut self, batch: &ProducerBatch, error: ErrorCode, adjust: bool) {
        self.sequences.remove_in_flight(batch);
        if batch.base_sequence.is_some()
            && self.idempotent_without_transactions()
            && (error == ErrorCode::OutOfOrderSequenceNumber || adjust)
        {
            self.sequences.request_epoch_bump(&batch.topic_partition);
        }
    }

    /// Kafka's `bumpIdempotentEpochAndResetIdIfNeeded` and `bumpIdempotentProducerEpoch`: the
    /// epoch goes up by one locally and the partitions that asked for it restart their sequences
    /// at 0; at `Short.MAX_VALUE` the producer id is reset and a new one requested.
    pub(super) fn bump_idempotent_epoch_if_needed(&mut self, out: &mut Outbox<super::Timer>) {
        if !self.idempotent_without_transactions() || self.pid_state != ProducerIdState::Ready {
            return;
        }
        self.sequences.resolve();
        let Some(partitions) = self.sequences.take_epoch_bump() else { return };
        if self.producer_epoch == i16::MAX {
            // `resetIdempotentProducerId`: InitProducerId follows, and its answer fails what was sent.
            self.producer_id = -1;
            self.producer_epoch = -1;
            self.pid_state = ProducerIdState::Missing;
            self.sequences.clear();
            return;
        }
        self.producer_epoch += 1;
        for tp in &partitions {
            let epoch = self.producer_epoch;
            let waiting = self.accumulator.batches_mut().filter(|b| b.topic_partition == *tp);
            let sent = self.in_flight.values_mut().flat_map(|r| r.batches.iter_mut()).filter(|b| !b.expired);
            let batches = waiting
                .chain(sent.filter(|b| b.topic_partition == *tp))
                .filter(|b| b.base_sequence.is_some())
                .collect();
            self.sequences.start_at_beginning(tp, epoch, batches);
        }
        out.fact(Fact::ProducerEpochBumped {
            producer: self.id,
            producer_id: self.producer_id,
            producer_epoch: self.producer_epoch,
            partitions: partitions.into_iter().collect(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp() -> TopicPartition {
        TopicPartition::new("t".to_string(), 0)
    }

    fn batch(seq: i32, records: usize, epoch: i16) -> ProducerBatch {
        ProducerBatch {
            topic_partition: tp(),
            records: (0..records)
                .map(|i| (i as u64, crate::log::Record { timestamp: 0, key: None, value: None, headers: Vec::new() }))
                .collect(),
            size_bytes: 0,
            created_ms: 0,
            attempts: 1,
            retry_at: 0,
            base_sequence: Some(seq),
            producer_epoch: epoch,
            sequence_reset: false,
            expired: false,
        }
    }

    /// `TransactionManager.startSequencesAtBeginning`: the partition's unfinished batches are
    /// renumbered from 0 under the new epoch, keeping their order, and marked as reset.
    #[test]
    fn an_epoch_bump_renumbers_the_partitions_batches_from_zero() {
        let mut s = Sequences::default();
        assert_eq!(s.assign(&tp(), 0, 3), 0);
        assert_eq!(s.assign(&tp(), 0, 2), 3);
        assert_eq!(s.assign(&tp(), 0, 4), 5);
        let (a, mut b, mut c) = (batch(0, 3, 0), batch(3, 2, 0), batch(5, 4, 0));
        s.acked(&a);
        s.request_epoch_bump(&tp());
        let rewrite = s.take_epoch_bump().unwrap();
        assert!(rewrite.contains(&tp()));
        s.start_at_beginning(&tp(), 1, vec![&mut c, &mut b]);
        assert_eq!((b.base_sequence, b.producer_epoch, b.sequence_reset), (Some(0), 1, true));
        assert_eq!((c.base_sequence, c.producer_epoch), (Some(2), 1));
        assert_eq!(s.first_in_flight(&tp()), Some(0));
        assert_eq!(s.assign(&tp(), 1, 1), 6);
        assert!(s.is_next_sequence(&tp(), 0), "the last acknowledged sequence is forgotten");
    }

    /// `shouldStopDrainBatchesForPartition` and `maybeUpdateProducerIdAndEpoch`: a partition on
    /// the old epoch drains no new batch while its old batches are in flight, then restarts at 0.
    #[test]
    fn a_partition_on_an_older_epoch_moves_to_the_new_one_when_its_batches_are_done() {
        let mut s = Sequences::default();
        assert_eq!(s.assign(&tp(), 0, 2), 0);
        assert!(!s.blocks_new_batch(&tp(), 0));
        assert!(s.blocks_new_batch(&tp(), 1));
        s.acked(&batch(0, 2, 0));
        assert!(!s.blocks_new_batch(&tp(), 1));
        assert_eq!(s.assign(&tp(), 1, 1), 0);
    }

    /// `maybeResolveSequences`: an expired batch's partition resolves by itself when a later
    /// batch was acknowledged, and asks for an epoch bump when nothing after it was.
    #[test]
    fn an_expired_batch_resolves_or_bumps_the_epoch() {
        let mut s = Sequences::default();
        s.assign(&tp(), 0, 1);
        s.assign(&tp(), 0, 1);
        let (first, second) = (batch(0, 1, 0), batch(1, 1, 0));
        s.remove_in_flight(&first);
        s.mark_unresolved(&first);
        assert!(s.blocks_new_batch(&tp(), 0));
        s.resolve();
        assert!(s.has_unresolved(&tp()), "still unresolved while the second batch is in flight");
        s.acked(&second);
        s.resolve();
        assert!(!s.has_unresolved(&tp()) && s.take_epoch_bump().is_none());

        let mut s = Sequences::default();
        s.assign(&tp(), 0, 1);
        s.remove_in_flight(&first);
        s.mark_unresolved(&first);
        s.resolve();
        assert!(!s.has_unresolved(&tp()));
        assert!(s.take_epoch_bump().is_some_and(|p| p.contains(&tp())));
    }
}
