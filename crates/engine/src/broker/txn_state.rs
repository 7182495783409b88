//! A partition's view of transactions (Kafka's `ProducerStateManager` transaction part and the
//! `.txnindex`): the transactions still open on it, those whose marker is written but not yet
//! below the high watermark, the aborted-transaction index, and the last stable offset (LSO).
//!
//! Every replica keeps it, from the batches it appends as leader or follower, so a new leader
//! knows which transactions are open. A truncation rebuilds it from the log.

use crate::log::control::{ControlRecordType, EndTransactionMarker};
use crate::log::RecordBatch;
use crate::protocol::AbortedTransaction;
use serde::Serialize;
use std::collections::BTreeMap;

/// An aborted transaction in the index (`AbortedTxn`: the `.txnindex` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AbortedTxn {
    pub producer_id: i64,
    pub first_offset: i64,
    /// The offset of its ABORT marker.
    pub last_offset: i64,
    /// The LSO when it was aborted (kept as Kafka's index does).
    pub last_stable_offset: i64,
}

/// A transaction that ended on this partition: its records and where its marker sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CompletedTxn {
    pub producer_id: i64,
    pub first_offset: i64,
    pub marker_offset: i64,
    pub committed: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartitionTxnState {
    /// Open transactions by producer id: the offset of their first record here, and the epoch.
    ongoing: BTreeMap<i64, (i64, i16)>,
    /// Ended transactions whose marker may still be above the high watermark (Kafka's
    /// `unreplicatedTxns`): they hold the LSO until the marker is committed.
    unreplicated: Vec<CompletedTxn>,
    /// The aborted-transaction index, oldest first.
    aborted: Vec<AbortedTxn>,
    /// The coordinator epoch of each producer's last marker (a marker from an older coordinator
    /// is refused).
    coordinator_epochs: BTreeMap<i64, i32>,
}

impl PartitionTxnState {
    /// Takes in an appended batch (its offsets assigned): a transactional batch opens its
    /// producer's transaction; a marker ends it.
    pub fn apply(&mut self, batch: &RecordBatch, high_watermark: i64) {
        if !batch.is_transactional() || !batch.has_producer_id() {
            return;
        }
        let producer_id = batch.producer_id;
        if !batch.is_control() {
            self.ongoing.entry(producer_id).or_insert((batch.base_offset, batch.producer_epoch));
            return;
        }
        let Some(marker) = EndTransactionMarker::from_batch(batch) else { return };
        self.coordinator_epochs.insert(producer_id, marker.coordinator_epoch);
        let Some(first_offset) = self.ongoing.remove(&producer_id).map(|(first, _)| first) else { return };
        let completed = CompletedTxn {
            producer_id,
            first_offset,
            marker_offset: batch.base_offset,
            committed: marker.control_type == ControlRecordType::Commit,
        };
        if !completed.committed {
            let last_stable_offset = self.last_stable_offset(high_watermark);
            self.aborted.push(AbortedTxn {
                producer_id,
                first_offset,
                last_offset: completed.marker_offset,
                last_stable_offset,
            });
        }
        self.unreplicated.push(completed);
    }

    /// The last stable offset: the first offset of the earliest transaction not yet decided
    /// below the high watermark, or the high watermark.
    pub fn last_stable_offset(&self, high_watermark: i64) -> i64 {
        let open = self.ongoing.values().map(|(first, _)| *first);
        let unreplicated =
            self.unreplicated.iter().filter(|t| t.marker_offset >= high_watermark).map(|t| t.first_offset);
        open.chain(unreplicated).fold(high_watermark, i64::min)
    }

    /// Forgets ended transactions whose marker the high watermark passed.
    pub fn on_high_watermark(&mut self, high_watermark: i64) {
        self.unreplicated.retain(|t| t.marker_offset >= high_watermark);
    }

    /// The aborted transactions a read_committed fetch of `[fetch_offset, upper)` must know.
    pub fn aborted_between(&self, fetch_offset: i64, upper: i64) -> Vec<AbortedTransaction> {
        self.aborted
            .iter()
            .filter(|t| t.last_offset >= fetch_offset && t.first_offset < upper)
            .map(|t| AbortedTransaction { producer_id: t.producer_id, first_offset: t.first_offset })
            .collect()
    }

    /// Whether a producer has an open transaction here in `epoch` (the verification shortcut:
    /// the partition is already part of that transaction).
    pub fn has_ongoing(&self, producer_id: i64, epoch: i16) -> bool {
        self.ongoing.get(&producer_id).is_some_and(|(_, e)| *e == epoch)
    }

    pub fn coordinator_epoch(&self, producer_id: i64) -> Option<i32> {
        self.coordinator_epochs.get(&producer_id).copied()
    }

    /// Open transactions: producer id and first offset.
    pub fn ongoing(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.ongoing.iter().map(|(p, (first, _))| (*p, *first))
    }

    pub fn aborted(&self) -> &[AbortedTxn] {
        &self.aborted
    }

    /// Drops index entries wholly below the log start (deleted by retention).
    pub fn forget_below(&mut self, log_start_offset: i64) {
        self.aborted.retain(|t| t.last_offset >= log_start_offset);
    }

    /// Rebuilds from the log's batches (after a truncation), as Kafka reloads producer state.
    pub fn rebuild<'a>(batches: impl Iterator<Item = &'a RecordBatch>, high_watermark: i64) -> Self {
        let mut state = PartitionTxnState::default();
        for batch in batches {
            state.apply(batch, high_watermark);
        }
        state.on_high_watermark(high_watermark);
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Record;

    fn txn_batch(base_offset: i64, producer_id: i64) -> RecordBatch {
        let mut b = RecordBatch::new(vec![Record::new(0, None, Some(b"v"))]);
        b.base_offset = base_offset;
        b.producer_id = producer_id;
        b.producer_epoch = 0;
        b.base_sequence = 0;
        b.set_transactional(true);
        b
    }

    fn marker(base_offset: i64, producer_id: i64, control_type: ControlRecordType) -> RecordBatch {
        let mut b = EndTransactionMarker { control_type, coordinator_epoch: 3 }.to_batch(producer_id, 1, 0);
        b.base_offset = base_offset;
        b
    }

    /// Kafka's `UnifiedLog.lastStableOffset`: the first offset of the earliest undecided
    /// transaction, an ended one counting until its marker is below the high watermark.
    #[test]
    fn the_lso_stops_at_the_first_open_transaction_until_its_marker_is_committed() {
        let mut s = PartitionTxnState::default();
        s.apply(&txn_batch(5, 7), 0);
        s.apply(&txn_batch(6, 8), 0);
        assert_eq!(s.last_stable_offset(10), 5);
        s.apply(&marker(7, 7, ControlRecordType::Commit), 7);
        assert_eq!(s.last_stable_offset(7), 5, "marker not yet replicated");
        assert_eq!(s.last_stable_offset(8), 6, "producer 8 still open");
        s.apply(&marker(8, 8, ControlRecordType::Abort), 8);
        s.on_high_watermark(9);
        assert_eq!(s.last_stable_offset(9), 9);
        assert_eq!(s.aborted_between(0, 9), vec![AbortedTransaction { producer_id: 8, first_offset: 6 }]);
        assert_eq!(s.aborted_between(9, 12), vec![], "the abort ended before the fetch offset");
        assert_eq!(s.coordinator_epoch(8), Some(3));
    }
}
