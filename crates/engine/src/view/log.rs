//! The partition logs as strips, one per replica aligned by offset: the newest records as cells
//! (offset, batch, leader epoch, producer, key hash, state), older ones summarised as a range, the
//! log start, the LEO of each replica and the partition's high watermark, with the acknowledged
//! records the cluster lost and the records a retry wrote twice. Asked for per partition with a
//! bound on the cells, so 60 partitions stay cheap; built on demand, never stored.

use super::ReplicaRole;
use crate::broker::replica::Replica;
use crate::broker::BrokerState;
use crate::cluster::World;
use crate::delivery::{DuplicateRecords, LostRecords};
use crate::log::batch::RecordBatch;
use crate::log::control::{ControlRecordType, EndTransactionMarker};
use crate::log::CompressionType;
use crate::producer::partitioner::murmur2;
use crate::protocol::TopicPartition;
use serde::{Deserialize, Serialize};

/// One partition: every replica's strip and the partition's marks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionLogView {
    pub topic: String,
    pub partition: i32,
    /// The leader in the cluster metadata (-1: offline).
    pub leader: i32,
    pub leader_epoch: i32,
    /// The leader's high watermark (-1 without a leader): below it records are committed.
    pub high_watermark: i64,
    /// The leader's last stable offset (-1 without a leader): read_committed consumers read
    /// only below it; it stays at the first offset of the oldest open transaction.
    pub last_stable_offset: i64,
    /// In assignment order.
    pub replicas: Vec<ReplicaLogView>,
    /// Acknowledged records the cluster lost, oldest first (kept after their offsets are reused).
    pub lost: Vec<LostRecords>,
    /// Records written twice by a retry without idempotence, oldest first.
    pub duplicates: Vec<DuplicateRecords>,
    /// The controller's eligible leader replicas and last known leader (KIP-966).
    pub elr: Vec<i32>,
    pub last_known_elr: Vec<i32>,
    /// A running reassignment's new replicas (KIP-455): their strips fill up as they catch up.
    pub adding_replicas: Vec<i32>,
    /// A running reassignment's old replicas, deleted once every adding one is in the ISR.
    pub removing_replicas: Vec<i32>,
}

/// One replica's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaLogView {
    pub broker: i32,
    pub role: ReplicaRole,
    pub alive: bool,
    pub in_isr: bool,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    /// This replica's own high watermark (a follower learns the leader's with each fetch).
    pub high_watermark: i64,
    /// Where each segment begins (the first is the oldest kept).
    pub segment_base_offsets: Vec<i64>,
    /// `(leader_epoch, start_offset)`: where each epoch's records begin (truncation happens at
    /// these boundaries).
    pub epochs: Vec<(i32, i64)>,
    /// Offsets `[log_start_offset, older_end)` are not in `batches`: a strip draws them as one
    /// scaled bar.
    pub older_end: i64,
    /// The newest batches, and older ones (up to [`MARKED_LOOKBACK`] times as far back) that hold
    /// lost, duplicated or twice-processed records or the record at a held LSO, oldest first.
    pub batches: Vec<BatchView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchView {
    pub base_offset: i64,
    pub last_offset: i64,
    pub leader_epoch: i32,
    /// -1 for a producer without idempotence.
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub record_count: usize,
    /// The batch as stored: compressed bytes for a compressed batch.
    pub size_bytes: u32,
    /// The codec of attribute bits 0-2.
    pub compression: CompressionType,
    /// The size with its records uncompressed (`size_bytes` for `none`).
    pub uncompressed_size_bytes: u32,
    pub segment_base_offset: i64,
    /// A transactional data batch: whether its transaction is open, committed or aborted (as
    /// this replica's log says).
    pub transaction: Option<TxnOutcome>,
    /// A control batch: its COMMIT or ABORT marker.
    pub marker: Option<TxnOutcome>,
    pub records: Vec<RecordView>,
}

/// Where a transaction stands, for a batch of it or its marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnOutcome {
    Open,
    Committed,
    Aborted,
}

/// One record cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordView {
    pub offset: i64,
    /// Kafka's murmur2 of the key (for colouring by key); None for a null key.
    pub key_hash: Option<u32>,
    pub state: OffsetState,
}

/// What an offset's record is, as the strip marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetState {
    /// Below the partition's high watermark.
    Committed,
    /// At or above it: not yet on every ISR member, invisible to consumers.
    Uncommitted,
    /// An acknowledged record the partition's leader does not have (this replica still holds it
    /// until it truncates).
    Lost,
    /// One of two copies of the same producer records.
    Duplicate,
}

impl World {
    /// The strips of one partition with about `newest` offsets of cells per replica (whole
    /// batches, so a little more) and the batches of marked records a little older, or None for
    /// an unknown partition.
    pub fn partition_log(&self, tp: &TopicPartition, newest: usize) -> Option<PartitionLogView> {
        let registration = self.metadata().partition(tp)?;
        let high_watermark = self.high_watermark(tp);
        let lost: Vec<LostRecords> = self.delivery().lost(tp).cloned().collect();
        let duplicates: Vec<DuplicateRecords> = self.delivery().duplicates(tp).cloned().collect();
        let processed_twice = self.delivery().processed_twice_in(tp).map(|d| (d.first_offset, d.last_offset)).collect();
        let last_stable_offset = self
            .broker(registration.leader)
            .and_then(|b| b.durable.replicas.get(tp))
            .map_or(-1, |r| r.last_stable_offset());
        let held = (last_stable_offset >= 0 && last_stable_offset < high_watermark).then_some(last_stable_offset);
        let marks = Marks { high_watermark, lost: &lost, duplicates: &duplicates, processed_twice, held };
        let replicas = registration
            .replicas
            .iter()
            .filter_map(|id| {
                let broker = self.broker(*id)?;
                let replica = broker.durable.replicas.get(tp)?;
                Some(replica_log(broker.id, broker.state != BrokerState::Dead, replica, newest, &marks))
            })
            .collect();
        Some(PartitionLogView {
            topic: tp.topic.to_string(),
            partition: tp.partition,
            leader: registration.leader,
            leader_epoch: registration.leader_epoch,
            high_watermark,
            last_stable_offset,
            replicas,
            lost,
            duplicates,
            elr: registration.elr.clone(),
            last_known_elr: registration.last_known_elr.clone(),
            adding_replicas: registration.adding_replicas().to_vec(),
            removing_replicas: registration.removing_replicas().to_vec(),
        })
    }

    /// Every partition of `topic` (or of every topic but the internal ones), in order.
    pub fn partition_logs(&self, topic: Option<&str>, newest: usize) -> Vec<PartitionLogView> {
        self.metadata()
            .topics
            .values()
            .filter(|t| topic.map_or(!t.name.starts_with("__"), |name| t.name == name))
            .flat_map(|t| (0..t.partitions.len() as i32).map(|p| TopicPartition::new(&t.name, p)))
            .filter_map(|tp| self.partition_log(&tp, newest))
            .collect()
    }
}

/// How far back, in multiples of the cells asked for, marked records still get cells.
pub const MARKED_LOOKBACK: i64 = 4;

struct Marks<'a> {
    high_watermark: i64,
    lost: &'a [LostRecords],
    duplicates: &'a [DuplicateRecords],
    /// `(first, last)` offsets some group processed twice.
    processed_twice: Vec<(i64, i64)>,
    /// The LSO while an open transaction holds it below the HW: the record read_committed
    /// consumers wait for.
    held: Option<i64>,
}

impl Marks<'_> {
    /// Whether any record of `[first, last]` is lost, duplicated, processed twice or holds the LSO.
    fn touch(&self, first: i64, last: i64) -> bool {
        let overlaps = |from: i64, to: i64| from <= last && to >= first;
        self.held.is_some_and(|lso| overlaps(lso, lso))
            || self.lost.iter().any(|l| overlaps(l.first_offset, l.last_offset))
            || self.duplicates.iter().any(|d| {
                let n = d.count as i64 - 1;
                overlaps(d.original_offset, d.original_offset + n)
                    || overlaps(d.duplicate_offset, d.duplicate_offset + n)
            })
            || self.processed_twice.iter().any(|&(from, to)| overlaps(from, to))
    }

    fn state(&self, batch: &RecordBatch, offset: i64) -> OffsetState {
        let lost = self.lost.iter().any(|l| {
            l.leader_epoch == batch.partition_leader_epoch && (l.first_offset..=l.last_offset).contains(&offset)
        });
        if lost {
            OffsetState::Lost
        } else if batch.producer_id < 0 && self.duplicates.iter().any(|d| d.contains(offset)) {
            OffsetState::Duplicate
        } else if offset < self.high_watermark {
            OffsetState::Committed
        } else {
            OffsetState::Uncommitted
        }
    }
}

fn replica_log(broker: i32, alive: bool, replica: &Replica, newest: usize, marks: &Marks<'_>) -> ReplicaLogView {
    let log = &replica.log;
    let leo = log.log_end_offset();
    let newest = newest as i64;
    let mut batches = Vec::new();
    'segments: for segment in log.segments().iter().rev() {
        for stored in segment.batches().iter().rev() {
            let (first, last) = (stored.batch.base_offset, stored.batch.last_offset());
            if leo - last > MARKED_LOOKBACK * newest {
                break 'segments;
            }
            if leo - last <= newest || marks.touch(first, last) {
                let mut view = batch_view(&stored.batch, stored.size_in_bytes, segment.base_offset(), marks);
                view.transaction = txn_outcome(replica, &stored.batch);
                batches.push(view);
            }
        }
    }
    batches.reverse();
    ReplicaLogView {
        broker,
        role: if replica.leader == broker { ReplicaRole::Leader } else { ReplicaRole::Follower },
        alive,
        in_isr: replica.isr.contains(&broker),
        log_start_offset: log.log_start_offset(),
        log_end_offset: leo,
        high_watermark: replica.high_watermark,
        segment_base_offsets: log.segments().iter().map(|s| s.base_offset()).collect(),
        epochs: replica.leader_epoch_cache.clone(),
        older_end: batches.first().map_or(leo, |b| b.base_offset).max(log.log_start_offset()),
        batches,
    }
}

fn batch_view(batch: &RecordBatch, size_bytes: u32, segment_base_offset: i64, marks: &Marks<'_>) -> BatchView {
    BatchView {
        base_offset: batch.base_offset,
        last_offset: batch.last_offset(),
        leader_epoch: batch.partition_leader_epoch,
        producer_id: batch.producer_id,
        producer_epoch: batch.producer_epoch,
        record_count: batch.records.len(),
        size_bytes,
        compression: batch.compression(),
        uncompressed_size_bytes: match batch.compression() {
            CompressionType::None => size_bytes,
            _ => batch.uncompressed_size_in_bytes() as u32,
        },
        segment_base_offset,
        transaction: None,
        marker: EndTransactionMarker::from_batch(batch).map(|m| match m.control_type {
            ControlRecordType::Commit => TxnOutcome::Committed,
            ControlRecordType::Abort => TxnOutcome::Aborted,
        }),
        records: batch
            .records
            .iter()
            .map(|r| {
                let offset = batch.offset_of(r);
                RecordView {
                    offset,
                    key_hash: r.record.key.as_deref().map(|k| murmur2(k) as u32),
                    state: marks.state(batch, offset),
                }
            })
            .collect(),
    }
}

/// A transactional data batch's transaction, from the replica's aborted-transaction index and
/// open transactions; anything else ended committed.
fn txn_outcome(replica: &Replica, batch: &RecordBatch) -> Option<TxnOutcome> {
    if !batch.is_transactional() || batch.is_control() {
        return None;
    }
    let (pid, offset) = (batch.producer_id, batch.base_offset);
    let state = &replica.txn_state;
    Some(
        if state.aborted().iter().any(|a| a.producer_id == pid && a.first_offset <= offset && offset <= a.last_offset) {
            TxnOutcome::Aborted
        } else if state.ongoing().any(|(p, first)| p == pid && first <= offset) {
            TxnOutcome::Open
        } else {
            TxnOutcome::Committed
        },
    )
}
