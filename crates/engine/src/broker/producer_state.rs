//! The broker's memory of idempotent producers (Kafka's `ProducerStateManager`): for each producer
//! id, its epoch and the metadata of its last five batches, so a retried batch is recognised and
//! answered with its original offset instead of being written twice.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// Kafka keeps the last 5 batches per producer, matching `max.in.flight.requests.per.connection` ≤ 5.
const CACHED_BATCHES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BatchMetadata {
    pub first_sequence: i32,
    pub last_sequence: i32,
    pub first_offset: i64,
    pub last_offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProducerStateEntry {
    pub producer_epoch: i16,
    pub batches: VecDeque<BatchMetadata>,
}

/// What the leader should do with an incoming idempotent batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceCheck {
    /// Next in sequence: append it.
    Append,
    /// Already written: answer with the original first offset, write nothing.
    Duplicate {
        first_offset: i64,
    },
    OutOfOrder,
    InvalidEpoch,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProducerStateTable {
    producers: BTreeMap<i64, ProducerStateEntry>,
}

impl ProducerStateTable {
    /// Kafka's `ProducerAppendInfo.checkSequence` and duplicate lookup, for a batch of
    /// `count` records starting at `first_sequence`.
    pub fn check(
        &self,
        producer_id: i64,
        producer_epoch: i16,
        first_sequence: i32,
        count: i32,
        transactional: bool,
    ) -> SequenceCheck {
        let Some(entry) = self.producers.get(&producer_id) else {
            // `checkSequence`: a producer with no state here (new, or its records all deleted by
            // retention) is accepted at any sequence, since the entry has no producer epoch;
            // except a transactions-v2 batch, which must start at 0 ("Expected sequence 0 for
            // transactions v2 idempotent producer with no existing state"), or a later batch that
            // overtook a rejected first one would be written and the first refused forever.
            return if transactional && first_sequence != 0 {
                SequenceCheck::OutOfOrder
            } else {
                SequenceCheck::Append
            };
        };
        if producer_epoch < entry.producer_epoch {
            return SequenceCheck::InvalidEpoch;
        }
        if producer_epoch > entry.producer_epoch {
            return if first_sequence == 0 { SequenceCheck::Append } else { SequenceCheck::OutOfOrder };
        }
        let last_sequence = first_sequence.wrapping_add(count - 1);
        if let Some(b) =
            entry.batches.iter().find(|b| b.first_sequence == first_sequence && b.last_sequence == last_sequence)
        {
            return SequenceCheck::Duplicate { first_offset: b.first_offset };
        }
        let expected = entry.batches.back().map_or(0, |b| b.last_sequence.wrapping_add(1));
        if first_sequence == expected {
            SequenceCheck::Append
        } else {
            SequenceCheck::OutOfOrder
        }
    }

    /// Records a written batch (on the leader at append, on followers as they replicate it).
    pub fn update(&mut self, producer_id: i64, producer_epoch: i16, batch: BatchMetadata) {
        let entry = self
            .producers
            .entry(producer_id)
            .or_insert_with(|| ProducerStateEntry { producer_epoch, batches: VecDeque::new() });
        if producer_epoch != entry.producer_epoch {
            entry.producer_epoch = producer_epoch;
            entry.batches.clear();
        }
        if entry.batches.len() == CACHED_BATCHES {
            entry.batches.pop_front();
        }
        entry.batches.push_back(batch);
    }

    /// A transaction marker carries the producer's new epoch (transactions version 2): older
    /// epochs are fenced from then on and the next batch starts at sequence 0.
    pub fn bump_epoch(&mut self, producer_id: i64, producer_epoch: i16) {
        let entry = self
            .producers
            .entry(producer_id)
            .or_insert_with(|| ProducerStateEntry { producer_epoch, batches: VecDeque::new() });
        if producer_epoch > entry.producer_epoch {
            entry.producer_epoch = producer_epoch;
            entry.batches.clear();
        }
    }

    /// Forgets batches at or above `offset` after a log truncation.
    pub fn truncate_to(&mut self, offset: i64) {
        for entry in self.producers.values_mut() {
            entry.batches.retain(|b| b.last_offset < offset);
        }
        self.producers.retain(|_, e| !e.batches.is_empty());
    }

    /// The epoch this partition last saw for `producer_id`.
    pub fn epoch(&self, producer_id: i64) -> Option<i16> {
        self.producers.get(&producer_id).map(|e| e.producer_epoch)
    }

    pub fn producers(&self) -> impl Iterator<Item = (&i64, &ProducerStateEntry)> {
        self.producers.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(first_sequence: i32, last_sequence: i32, first_offset: i64) -> BatchMetadata {
        BatchMetadata {
            first_sequence,
            last_sequence,
            first_offset,
            last_offset: first_offset + (last_sequence - first_sequence) as i64,
        }
    }

    #[test]
    fn retry_of_a_written_batch_is_a_duplicate_with_its_original_offset() {
        let mut t = ProducerStateTable::default();
        assert_eq!(t.check(7, 0, 0, 3, false), SequenceCheck::Append);
        t.update(7, 0, meta(0, 2, 50));
        assert_eq!(t.check(7, 0, 0, 3, false), SequenceCheck::Duplicate { first_offset: 50 });
        assert_eq!(t.check(7, 0, 3, 2, false), SequenceCheck::Append);
        assert_eq!(t.check(7, 0, 5, 2, false), SequenceCheck::OutOfOrder);
    }

    #[test]
    fn epochs_fence_old_producers_and_restart_sequences() {
        let mut t = ProducerStateTable::default();
        t.update(7, 1, meta(0, 0, 0));
        assert_eq!(t.check(7, 0, 1, 1, false), SequenceCheck::InvalidEpoch);
        assert_eq!(t.check(7, 2, 0, 1, false), SequenceCheck::Append);
        assert_eq!(t.check(7, 2, 4, 1, false), SequenceCheck::OutOfOrder);
    }

    /// `ProducerAppendInfo.checkSequence`: an unknown producer's entry has no epoch
    /// (`RecordBatch.NO_PRODUCER_EPOCH`), so a first batch at a non-zero sequence is accepted
    /// (issue 15 item 9; the engine refused it before).
    #[test]
    fn an_unknown_producer_is_accepted_at_any_sequence() {
        let t = ProducerStateTable::default();
        assert_eq!(t.check(9, 0, 3, 1, false), SequenceCheck::Append);
    }

    /// Kafka 4.x's `checkSequence` for transactions v2: a transactional batch of a producer with
    /// no state here must start at sequence 0 (eos chaos seed 309: the third batch of a
    /// transaction overtook the first two, refused with NOT_ENOUGH_REPLICAS, and was written;
    /// the first was then refused as out of order on every retry).
    #[test]
    fn a_transactional_first_batch_must_start_at_sequence_0() {
        let t = ProducerStateTable::default();
        assert_eq!(t.check(9, 0, 5, 2, true), SequenceCheck::OutOfOrder);
        assert_eq!(t.check(9, 0, 0, 2, true), SequenceCheck::Append);
    }

    #[test]
    fn only_the_last_five_batches_are_cached() {
        let mut t = ProducerStateTable::default();
        for i in 0..6 {
            t.update(1, 0, meta(i, i, i as i64));
        }
        assert_eq!(t.check(1, 0, 0, 1, false), SequenceCheck::OutOfOrder);
        assert_eq!(t.check(1, 0, 1, 1, false), SequenceCheck::Duplicate { first_offset: 1 });
    }
}
