//! What a partition leader does for share groups (KIP-932, Kafka 4.1's `SharePartitionManager`):
//! it keeps a share partition per share group and partition it leads, answers ShareFetch by
//! acquiring records for the member (after applying the acknowledgements the fetch carries),
//! answers ShareAcknowledge, and releases records whose acquisition locks ran out.
//!
//! Knowingly different: a ShareFetch that acquires nothing is answered at once (Kafka parks it
//! in `DelayedShareFetch` for `fetch.max.wait.ms`); the consumer polls again after its poll
//! timeout. A share partition lives in the leader's memory for its leader epoch: a new leader
//! starts it afresh at `share.auto.offset.reset`.

use super::{Broker, Timer};
use crate::group::share::partition::{RecordState, ShareAutoOffsetReset, SharePartition, StateChange};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{
    AcknowledgeType, AcquiredRecord, ClientMessage, ErrorCode, ShareAcknowledgement, ShareFetchPartition,
    TopicPartition,
};
use crate::sim::{Millis, NodeId};
use std::collections::BTreeMap;

/// The share partitions this broker keeps, by (group, partition), with the leader epoch they
/// belong to.
#[derive(Debug, Clone, Default)]
pub struct SharePartitionManager {
    pub partitions: BTreeMap<(String, TopicPartition), (i32, SharePartition)>,
    /// When the lock timer is set for.
    lock_timer_at: Option<Millis>,
}

impl Broker {
    /// ShareFetch: acknowledgements first, then records acquired for the member.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn handle_share_fetch(
        &mut self,
        from: NodeId,
        group_id: String,
        member_id: String,
        max_records: u32,
        partitions: Vec<TopicPartition>,
        acknowledgements: Vec<ShareAcknowledgement>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let acknowledge_errors = self.apply_acknowledgements(&group_id, &member_id, acknowledgements, out);
        let mut budget = max_records as usize;
        let partitions = partitions
            .into_iter()
            .map(|tp| {
                let (error, acquired) = match self.acquire(&group_id, &member_id, &tp, budget, now, out) {
                    Ok(acquired) => (ErrorCode::None, acquired),
                    Err(error) => (error, Vec::new()),
                };
                budget = budget.saturating_sub(acquired.len());
                ShareFetchPartition { topic_partition: tp, error, acquired }
            })
            .collect();
        self.arm_share_lock_timer(out);
        out.send(from, ClientMessage::ShareFetchResponse { partitions, acknowledge_errors });
    }

    /// ShareAcknowledge; `closing` also releases whatever the member still holds here.
    pub(super) fn handle_share_acknowledge(
        &mut self,
        from: NodeId,
        group_id: String,
        member_id: String,
        acknowledgements: Vec<ShareAcknowledgement>,
        closing: bool,
        out: &mut Outbox<Timer>,
    ) {
        let acknowledge_errors = self.apply_acknowledgements(&group_id, &member_id, acknowledgements, out);
        if closing {
            let keys: Vec<(String, TopicPartition)> =
                self.volatile.share.partitions.keys().filter(|(g, _)| *g == group_id).cloned().collect();
            for key in keys {
                let Some((_, partition)) = self.volatile.share.partitions.get_mut(&key) else { continue };
                let changes = partition.release_member(&member_id);
                report_released(&key.0, &member_id, &key.1, &changes, false, out);
            }
        }
        out.send(from, ClientMessage::ShareAcknowledgeResponse { acknowledge_errors });
    }

    /// The lock timer: every lock due by now is released.
    pub(crate) fn on_share_lock_timer(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        self.volatile.share.lock_timer_at = None;
        for ((group, tp), (_, partition)) in self.volatile.share.partitions.iter_mut() {
            let mut by_member: BTreeMap<String, Vec<StateChange>> = BTreeMap::new();
            let holders: BTreeMap<i64, String> = partition
                .in_flight()
                .iter()
                .filter(|(_, r)| r.lock_until.is_some_and(|until| until <= now))
                .filter_map(|(offset, r)| r.member.clone().map(|m| (*offset, m)))
                .collect();
            for change in partition.expire_locks(now) {
                if let Some(member) = holders.get(&change.offset) {
                    by_member.entry(member.clone()).or_default().push(change);
                }
            }
            for (member, changes) in by_member {
                report_released(group, &member, tp, &changes, true, out);
            }
        }
        self.arm_share_lock_timer(out);
    }

    fn arm_share_lock_timer(&mut self, out: &mut Outbox<Timer>) {
        let next = self.volatile.share.partitions.values().filter_map(|(_, p)| p.next_lock_deadline()).min();
        if let Some(at) = next {
            if self.volatile.share.lock_timer_at.is_none_or(|set| set > at) {
                self.volatile.share.lock_timer_at = Some(at);
                out.timer(at, Timer::ShareLocks { at });
            }
        }
    }

    /// Whether a lock timer is still the one the broker waits for.
    pub(super) fn share_lock_timer_is_live(&self, at: Millis) -> bool {
        self.volatile.share.lock_timer_at == Some(at)
    }

    fn apply_acknowledgements(
        &mut self,
        group_id: &str,
        member_id: &str,
        acknowledgements: Vec<ShareAcknowledgement>,
        out: &mut Outbox<Timer>,
    ) -> Vec<(TopicPartition, i64, ErrorCode)> {
        let mut errors = Vec::new();
        let mut done: BTreeMap<(TopicPartition, AcknowledgeType), Vec<i64>> = BTreeMap::new();
        for ack in acknowledgements {
            let key = (group_id.to_string(), ack.topic_partition.clone());
            let result = match self.volatile.share.partitions.get_mut(&key) {
                Some((_, partition)) => partition.acknowledge(member_id, ack.offset, ack.kind),
                None => Err(ErrorCode::InvalidRecordState),
            };
            match result {
                Ok(change) => {
                    done.entry((ack.topic_partition.clone(), ack.kind)).or_default().push(ack.offset);
                    // A rejection, or a release at the delivery limit.
                    if change.state == RecordState::Archived {
                        report_archived(group_id, &ack.topic_partition, &change, out);
                    }
                }
                Err(error) => errors.push((ack.topic_partition, ack.offset, error)),
            }
        }
        for ((tp, kind), offsets) in done {
            out.fact(Fact::ShareRecordsAcknowledged {
                group: group_id.to_string(),
                member_id: member_id.to_string(),
                topic_partition: tp,
                kind,
                offsets,
            });
        }
        errors
    }

    /// Acquires records of `tp` for the member, creating the share partition on first use.
    fn acquire(
        &mut self,
        group_id: &str,
        member_id: &str,
        tp: &TopicPartition,
        max_records: usize,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<Vec<AcquiredRecord>, ErrorCode> {
        let Some(replica) = self.durable.replicas.get(tp).filter(|r| r.leader == self.id) else {
            self.volatile.share.partitions.remove(&(group_id.to_string(), tp.clone()));
            return Err(ErrorCode::NotLeaderOrFollower);
        };
        let config = self.config.share;
        let log_start = replica.log.log_start_offset();
        let key = (group_id.to_string(), tp.clone());
        let stale = self.volatile.share.partitions.get(&key).is_some_and(|(epoch, _)| *epoch != replica.leader_epoch);
        if stale || !self.volatile.share.partitions.contains_key(&key) {
            let start = match config.auto_offset_reset {
                ShareAutoOffsetReset::Earliest => log_start,
                ShareAutoOffsetReset::Latest => replica.high_watermark,
            };
            self.volatile
                .share
                .partitions
                .insert(key.clone(), (replica.leader_epoch, SharePartition::new(config, start)));
        }
        let (_, partition) = self.volatile.share.partitions.get_mut(&key).expect("inserted");
        let acquired = partition.acquire(member_id, log_start, replica.high_watermark, max_records, now);
        if acquired.is_empty() {
            return Ok(Vec::new());
        }
        let lock_until = now + config.record_lock_duration_ms;
        out.fact(Fact::ShareRecordsAcquired {
            broker: self.id,
            group: group_id.to_string(),
            member_id: member_id.to_string(),
            topic_partition: tp.clone(),
            records: acquired.iter().map(|a| (a.offset, a.delivery_count)).collect(),
            lock_until,
        });
        let keys = record_keys(&replica.log, acquired.first().map_or(0, |a| a.offset), replica.high_watermark);
        Ok(acquired
            .into_iter()
            .map(|a| AcquiredRecord {
                offset: a.offset,
                delivery_count: a.delivery_count,
                key: keys.get(&a.offset).cloned().flatten(),
            })
            .collect())
    }
}

/// The keys of the records from `from` up to the high watermark, by offset (the application
/// reads them; a poison record is recognised by its key).
fn record_keys(log: &crate::log::Log, from: i64, high_watermark: i64) -> BTreeMap<i64, Option<Vec<u8>>> {
    let mut keys = BTreeMap::new();
    for batch in log.read(from, u64::MAX, high_watermark).unwrap_or_default() {
        for record in &batch.records {
            keys.insert(batch.base_offset + i64::from(record.offset_delta), record.record.key.clone());
        }
    }
    keys
}

fn report_released(
    group: &str,
    member: &str,
    tp: &TopicPartition,
    changes: &[StateChange],
    expired: bool,
    out: &mut Outbox<Timer>,
) {
    if changes.is_empty() {
        return;
    }
    out.fact(Fact::ShareLocksReleased {
        group: group.to_string(),
        member_id: member.to_string(),
        topic_partition: tp.clone(),
        offsets: changes.iter().map(|c| c.offset).collect(),
        expired,
    });
    for change in changes.iter().filter(|c| c.state == RecordState::Archived) {
        report_archived(group, tp, change, out);
    }
}

fn report_archived(group: &str, tp: &TopicPartition, change: &StateChange, out: &mut Outbox<Timer>) {
    out.fact(Fact::ShareRecordArchived {
        group: group.to_string(),
        topic_partition: tp.clone(),
        offset: change.offset,
        delivery_count: change.delivery_count,
    });
}
