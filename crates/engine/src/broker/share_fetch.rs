//! What a partition leader does for share groups (KIP-932, Kafka 4.1's `SharePartitionManager`):
//! it keeps a share partition per share group and partition it leads, answers ShareFetch by
//! acquiring records for the member (after applying the acknowledgements the fetch carries),
//! answers ShareAcknowledge, and releases records whose acquisition locks ran out.
//!
//! The share partition is initialised from the share coordinator (`SharePartition.maybeInitialize`
//! through the `DefaultStatePersister`): a new leader, or a leader after a restart, reads the
//! persisted SPSO and record states with ReadShareGroupState and continues from them; only a
//! share partition with no persisted state starts at `share.auto.offset.reset`. Every
//! acknowledgement, release and expired lock is written with WriteShareGroupState.
//!
//! Knowingly different: a ShareFetch that acquires nothing (also while the share partition is
//! being initialised) is answered at once (Kafka parks it in `DelayedShareFetch` for
//! `fetch.max.wait.ms`); the consumer polls again after its poll timeout. An acknowledgement is
//! answered without waiting for its write to the share coordinator (Kafka answers it after the
//! write and rolls the state back if the write fails), so a failed write means the next leader
//! may deliver those records again: at least once, never lost.

use super::{Broker, Timer};
use crate::group::share::partition::PersistedState;
use crate::group::share::partition::{RecordState, ShareAutoOffsetReset, SharePartition, StateChange};
use crate::group::share::state_log::{SharePartitionKey, SHARE_GROUP_STATE_TOPIC};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{
    AcknowledgeType, AcquiredRecord, ClientMessage, ErrorCode, ShareAcknowledgement, ShareFetchPartition,
    ShareStateMessage, TopicPartition,
};
use crate::sim::{Millis, NodeId};
use std::collections::BTreeMap;

/// How long a ReadShareGroupState may go unanswered before the next ShareFetch asks again (the
/// request was lost with its coordinator or a cut link; Kafka's persister retries after its
/// request timeout).
const READ_STATE_RETRY_MS: Millis = 5_000;

/// The share partitions this broker keeps, by (group, partition), with the leader epoch they
/// belong to.
#[derive(Debug, Clone, Default)]
pub struct SharePartitionManager {
    pub partitions: BTreeMap<(String, TopicPartition), (i32, SharePartition)>,
    /// Share partitions waiting for their ReadShareGroupState: the leader epoch it was sent in
    /// and when.
    initializing: BTreeMap<(String, TopicPartition), (i32, Millis)>,
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
                self.write_share_state(&key, changes, out);
            }
        }
        out.send(from, ClientMessage::ShareAcknowledgeResponse { acknowledge_errors });
    }

    /// The lock timer: every lock due by now is released.
    pub(crate) fn on_share_lock_timer(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        self.volatile.share.lock_timer_at = None;
        let mut writes = Vec::new();
        for ((group, tp), (_, partition)) in self.volatile.share.partitions.iter_mut() {
            let mut by_member: BTreeMap<String, Vec<StateChange>> = BTreeMap::new();
            let holders: BTreeMap<i64, String> = partition
                .in_flight()
                .iter()
                .filter(|(_, r)| r.lock_until.is_some_and(|until| until <= now))
                .filter_map(|(offset, r)| r.member.clone().map(|m| (*offset, m)))
                .collect();
            let expired = partition.expire_locks(now);
            for change in &expired {
                if let Some(member) = holders.get(&change.offset) {
                    by_member.entry(member.clone()).or_default().push(*change);
                }
            }
            for (member, changes) in by_member {
                report_released(group, &member, tp, &changes, true, out);
            }
            if !expired.is_empty() {
                writes.push(((group.clone(), tp.clone()), expired));
            }
        }
        for (key, changes) in writes {
            self.write_share_state(&key, changes, out);
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
        let mut changed: BTreeMap<TopicPartition, Vec<StateChange>> = BTreeMap::new();
        for ack in acknowledgements {
            let key = (group_id.to_string(), ack.topic_partition.clone());
            let result = match self.volatile.share.partitions.get_mut(&key) {
                Some((_, partition)) => partition.acknowledge(member_id, ack.offset, ack.kind),
                None => Err(ErrorCode::InvalidRecordState),
            };
            match result {
                Ok(change) => {
                    done.entry((ack.topic_partition.clone(), ack.kind)).or_default().push(ack.offset);
                    changed.entry(ack.topic_partition.clone()).or_default().push(change);
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
        for (tp, changes) in changed {
            self.write_share_state(&(group_id.to_string(), tp), changes, out);
        }
        errors
    }

    /// WriteShareGroupState to the share coordinator: the changed records and the SPSO
    /// (`SharePartition.writeShareGroupState`).
    fn write_share_state(
        &mut self,
        key: &(String, TopicPartition),
        changes: Vec<StateChange>,
        out: &mut Outbox<Timer>,
    ) {
        let Some((leader_epoch, partition)) = self.volatile.share.partitions.get(key) else { return };
        let request = ShareStateMessage::WriteShareGroupStateRequest {
            group_id: key.0.clone(),
            topic_partition: key.1.clone(),
            leader_epoch: *leader_epoch,
            start_offset: partition.start_offset(),
            changes,
        };
        if let Some(coordinator) = self.share_coordinator_for(key) {
            out.send(NodeId::Broker(coordinator), request);
        }
    }

    /// The leader of the `__share_group_state` partition that holds the share partition's state.
    fn share_coordinator_for(&self, (group, tp): &(String, TopicPartition)) -> Option<i32> {
        let partitions = self.config.share.state_topic_num_partitions;
        let state_partition = SharePartitionKey::new(group.clone(), tp.clone()).state_partition(partitions);
        let state_tp = TopicPartition::new(SHARE_GROUP_STATE_TOPIC, state_partition);
        self.durable.image.partition(&state_tp).map(|p| p.leader).filter(|leader| *leader >= 0)
    }

    /// The share coordinator's answer to ReadShareGroupState: the share partition starts from
    /// the persisted state, or, with none, at `share.auto.offset.reset` and writes that start.
    pub(super) fn on_share_state_read(
        &mut self,
        group_id: String,
        tp: TopicPartition,
        leader_epoch: i32,
        error: ErrorCode,
        state: Option<PersistedState>,
        out: &mut Outbox<Timer>,
    ) {
        let key = (group_id, tp);
        if self.volatile.share.initializing.get(&key).map(|(epoch, _)| *epoch) != Some(leader_epoch) {
            return;
        }
        self.volatile.share.initializing.remove(&key);
        let Some(replica) =
            self.durable.replicas.get(&key.1).filter(|r| r.leader == self.id && r.leader_epoch == leader_epoch)
        else {
            return;
        };
        if error != ErrorCode::None {
            // The next ShareFetch asks again.
            return;
        }
        let config = self.config.share;
        let log_start = replica.log.log_start_offset();
        let persisted = state.is_some();
        let partition = match &state {
            Some(state) => SharePartition::from_persisted(config, state, log_start),
            None => SharePartition::new(
                config,
                match config.auto_offset_reset {
                    ShareAutoOffsetReset::Earliest => log_start,
                    ShareAutoOffsetReset::Latest => replica.high_watermark,
                },
            ),
        };
        out.fact(Fact::SharePartitionInitialized {
            broker: self.id,
            group: key.0.clone(),
            topic_partition: key.1.clone(),
            leader_epoch,
            start_offset: partition.start_offset(),
            in_flight: partition.in_flight().len(),
            persisted,
        });
        self.volatile.share.partitions.insert(key.clone(), (leader_epoch, partition));
        if !persisted {
            self.write_share_state(&key, Vec::new(), out);
        }
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
        let leader_epoch = replica.leader_epoch;
        let key = (group_id.to_string(), tp.clone());
        let ready = self.volatile.share.partitions.get(&key).is_some_and(|(epoch, _)| *epoch == leader_epoch);
        if !ready {
            self.volatile.share.partitions.remove(&key);
            self.initialize_share_partition(key, leader_epoch, now, out);
            return Ok(Vec::new());
        }
        let replica = self.durable.replicas.get(tp).expect("led above");
        let (_, partition) = self.volatile.share.partitions.get_mut(&key).expect("ready");
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

impl Broker {
    /// Asks the share coordinator for the share partition's persisted state, unless a read for
    /// this leader epoch is already on its way.
    fn initialize_share_partition(
        &mut self,
        key: (String, TopicPartition),
        leader_epoch: i32,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let waiting = self
            .volatile
            .share
            .initializing
            .get(&key)
            .is_some_and(|(epoch, sent)| *epoch == leader_epoch && now < sent + READ_STATE_RETRY_MS);
        if waiting {
            return;
        }
        let Some(coordinator) = self.share_coordinator_for(&key) else { return };
        let request = ShareStateMessage::ReadShareGroupStateRequest {
            group_id: key.0.clone(),
            topic_partition: key.1.clone(),
            leader_epoch,
        };
        self.volatile.share.initializing.insert(key, (leader_epoch, now));
        out.send(NodeId::Broker(coordinator), request);
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
