//! Transactional offset commits (`sendOffsetsToTransaction`, KIP-98 and KIP-447): the offsets are
//! written as a transactional batch of the producer and count only when the transaction's COMMIT
//! marker follows on the same `__consumer_offsets` partition; an ABORT marker drops them. While
//! they are pending, OffsetFetch answers UNSTABLE_OFFSET_COMMIT so a new owner of the partitions
//! does not start from an offset about to change.

use super::{Completion, GroupCoordinator, OffsetsLog, Timer};
use crate::group::offsets::{self, CommittedOffset, CoordinatorRecord};
use crate::log::control::{ControlRecordType, EndTransactionMarker};
use crate::log::RecordBatch;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{ErrorCode, GroupMessage, OffsetCommitPartition, TopicPartition};
use crate::sim::{Millis, NodeId};

/// A TxnOffsetCommit request's fields.
pub(super) struct TxnOffsetCommit {
    pub client: NodeId,
    pub correlation_id: u64,
    pub group_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub generation_id: i32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub offsets: Vec<OffsetCommitPartition>,
}

impl GroupCoordinator {
    /// TxnOffsetCommit (`OffsetMetadataManager.commitTransactionalOffset`): the member's
    /// generation is checked as for a plain commit (a zombie of an older generation is refused),
    /// then the offsets are written in the producer's transaction.
    pub(super) fn txn_offset_commit(
        &mut self,
        request: TxnOffsetCommit,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let group_id = request.group_id.clone();
        let error = if !self.is_coordinator_for(&group_id) {
            Some(ErrorCode::NotCoordinator)
        } else {
            match self.groups.get(&group_id) {
                None if request.generation_id < 0 && request.member_id.is_empty() => None,
                None => Some(ErrorCode::IllegalGeneration),
                Some(group) => group
                    .validate_offset_commit(
                        &request.member_id,
                        request.group_instance_id.as_deref(),
                        request.generation_id,
                        true,
                    )
                    .err(),
            }
        };
        if let Some(error) = error {
            out.fact(Fact::GroupRequestRejected {
                group: group_id.clone(),
                member_id: request.member_id.clone(),
                request: "TxnOffsetCommit",
                error,
            });
            let partitions = request.offsets.into_iter().map(|p| (p.topic_partition, error)).collect();
            out.send(
                request.client,
                GroupMessage::TxnOffsetCommitResponse { correlation_id: request.correlation_id, group_id, partitions },
            );
            return;
        }
        let offsets = request.offsets.into_iter().map(|p| CommittedOffset::stored(p, now)).collect::<Vec<_>>();
        let records =
            offsets.iter().map(|(tp, o)| offsets::offset_commit_record(&group_id, tp, Some(*o), now as i64)).collect();
        let partition = self.partition_for(&group_id);
        let completion = Completion::TxnOffsetCommit {
            client: request.client,
            correlation_id: request.correlation_id,
            group_id,
            producer_id: request.producer_id,
            offsets,
        };
        match log.append_transactional(partition, records, request.producer_id, request.producer_epoch, now) {
            Ok(commit_at) => self.track_write(partition, commit_at, completion, now, out),
            Err(error) => self.fail_write(completion, error, now, log, out),
        }
    }

    /// A marker was written on offsets partition `partition`: the producer's pending offsets
    /// there become committed offsets (COMMIT) or are dropped (ABORT).
    pub fn complete_txn(&mut self, partition: i32, producer_id: i64, committed: bool, out: &mut Outbox<Timer>) {
        let groups: Vec<String> =
            self.pending_txn_offsets.keys().filter(|g| self.partition_for(g) == partition).cloned().collect();
        for group_id in groups {
            let Some(by_producer) = self.pending_txn_offsets.get_mut(&group_id) else { continue };
            let Some(pending) = by_producer.remove(&producer_id) else { continue };
            if by_producer.is_empty() {
                self.pending_txn_offsets.remove(&group_id);
            }
            if !committed || pending.is_empty() {
                continue;
            }
            out.fact(Fact::OffsetsCommitted {
                group: group_id.clone(),
                member_id: String::new(),
                generation_id: -1,
                offsets: pending.iter().map(|(tp, o)| (tp.clone(), o.committed_offset)).collect(),
            });
            self.offsets.entry(group_id).or_default().extend(pending);
        }
    }

    /// Offsets waiting for their transaction's marker: group, producer id, partition, offset.
    pub fn pending_txn_offsets(&self) -> impl Iterator<Item = (&str, i64, &TopicPartition, i64)> {
        self.pending_txn_offsets.iter().flat_map(|(g, by_producer)| {
            by_producer.iter().flat_map(move |(pid, offsets)| {
                offsets.iter().map(move |(tp, o)| (g.as_str(), *pid, tp, o.committed_offset))
            })
        })
    }

    /// Whether a transaction's offsets for any of `partitions` are still pending.
    pub(super) fn has_pending_txn_offsets(&self, group_id: &str, partitions: &[TopicPartition]) -> bool {
        self.pending_txn_offsets
            .get(group_id)
            .is_some_and(|by_producer| by_producer.values().any(|p| partitions.iter().any(|tp| p.contains_key(tp))))
    }

    /// Replays a transactional batch or a marker while loading; returns whether it was one.
    pub(super) fn replay_transactional(&mut self, partition: i32, batch: &RecordBatch) -> bool {
        if let Some(marker) = EndTransactionMarker::from_batch(batch) {
            let mut discard = Outbox::default();
            self.complete_txn(
                partition,
                batch.producer_id,
                marker.control_type == ControlRecordType::Commit,
                &mut discard,
            );
            return true;
        }
        if !batch.is_transactional() {
            return false;
        }
        for record in batch.records.iter().map(|r| &r.record) {
            if let Some(CoordinatorRecord::OffsetCommit { group_id, topic_partition, offset: Some(offset) }) =
                offsets::decode(record)
            {
                self.pending_txn_offsets
                    .entry(group_id)
                    .or_default()
                    .entry(batch.producer_id)
                    .or_default()
                    .insert(topic_partition, offset);
            }
        }
        true
    }
}
