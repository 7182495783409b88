//! The share coordinator (KIP-932, Kafka 4.1's `ShareCoordinatorService` and
//! `ShareCoordinatorShard`) on the leader of each `__share_group_state` partition: it answers a
//! share partition leader's ReadShareGroupState and WriteShareGroupState from its
//! [`ShareStateStore`], appends every write to the log, and rebuilds the store by replaying the
//! partition when it takes the partition over.
//!
//! Knowingly different: a write is answered once it is appended on the leader (Kafka's
//! coordinator runtime answers when the high watermark passes it), so a coordinator failover
//! may lose the last writes and their records are delivered again: at least once, as in Kafka
//! when a write fails.

use super::internal_log::InternalLog;
use super::{Broker, BrokerState, Timer};
use crate::group::share::state_log::{SharePartitionKey, ShareStateRecord, ShareStateStore, SHARE_GROUP_STATE_TOPIC};
use crate::log::{Record, RecordBatch};
use crate::node::Outbox;
use crate::protocol::{ErrorCode, ShareStateMessage, TopicPartition};
use crate::sim::{Millis, NodeId};
use std::collections::BTreeMap;

/// The share coordinator's state on this broker.
#[derive(Debug, Clone, Default)]
pub struct ShareCoordinator {
    pub store: ShareStateStore,
    /// The `__share_group_state` partitions loaded, with the leader epoch they were loaded in.
    loaded: BTreeMap<i32, i32>,
}

impl Broker {
    /// Loads or unloads share coordinator state to match this broker's `__share_group_state`
    /// leadership (called after every metadata change).
    pub(crate) fn sync_share_coordinator(&mut self) {
        if self.state == BrokerState::Dead {
            return;
        }
        let partitions = self.config.share.state_topic_num_partitions;
        let coordinator = &mut self.volatile.share_coordinator;
        for (tp, replica) in self.durable.replicas.iter().filter(|(tp, _)| tp.topic == SHARE_GROUP_STATE_TOPIC) {
            let loaded = coordinator.loaded.get(&tp.partition).copied();
            if replica.leader == self.id && loaded != Some(replica.leader_epoch) {
                coordinator.store.unload(tp.partition, partitions);
                for record in replica.log.batches().flat_map(|b| b.batch.records.iter()) {
                    if let Some(record) = ShareStateRecord::decode(&record.record) {
                        coordinator.store.replay(&record);
                    }
                }
                coordinator.loaded.insert(tp.partition, replica.leader_epoch);
            } else if replica.leader != self.id && loaded.is_some() {
                coordinator.store.unload(tp.partition, partitions);
                coordinator.loaded.remove(&tp.partition);
            }
        }
    }

    /// The share coordinator's requests, and its answers to this broker as a partition leader.
    pub(super) fn on_share_state_message(
        &mut self,
        from: NodeId,
        message: ShareStateMessage,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        if matches!(from, NodeId::Client(_)) {
            self.misrouted(from, message.kind(), out);
            return;
        }
        match message {
            ShareStateMessage::ReadShareGroupStateRequest { group_id, topic_partition, leader_epoch } => {
                let key = SharePartitionKey::new(group_id.clone(), topic_partition.clone());
                let (error, state) = match self.read_share_state(&key, leader_epoch, now, out) {
                    Ok(state) => (ErrorCode::None, state),
                    Err(error) => (error, None),
                };
                let response = ShareStateMessage::ReadShareGroupStateResponse {
                    group_id,
                    topic_partition,
                    leader_epoch,
                    error,
                    state,
                };
                out.send(from, response);
            }
            ShareStateMessage::WriteShareGroupStateRequest {
                group_id,
                topic_partition,
                leader_epoch,
                start_offset,
                changes,
            } => {
                let key = SharePartitionKey::new(group_id.clone(), topic_partition.clone());
                let error = match self.volatile.share_coordinator.store.leader_epoch(&key) {
                    Some(newer) if newer > leader_epoch => ErrorCode::FencedLeaderEpoch,
                    _ => {
                        let record =
                            self.volatile.share_coordinator.store.write(&key, leader_epoch, start_offset, &changes);
                        self.append_share_state(record, now, out).err().unwrap_or(ErrorCode::None)
                    }
                };
                out.send(from, ShareStateMessage::WriteShareGroupStateResponse { group_id, topic_partition, error });
            }
            ShareStateMessage::ReadShareGroupStateResponse {
                group_id,
                topic_partition,
                leader_epoch,
                error,
                state,
            } => self.on_share_state_read(group_id, topic_partition, leader_epoch, error, state, out),
            ShareStateMessage::WriteShareGroupStateResponse { .. } => {}
        }
    }

    /// ReadShareGroupState (`ShareCoordinatorShard.readStateAndMaybeUpdateLeaderEpoch`): a newer
    /// leader epoch is written first, which fences the older leaders' writes.
    fn read_share_state(
        &mut self,
        key: &SharePartitionKey,
        leader_epoch: i32,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<Option<crate::group::share::partition::PersistedState>, ErrorCode> {
        let partition = key.state_partition(self.config.share.state_topic_num_partitions);
        if !self.volatile.share_coordinator.loaded.contains_key(&partition) {
            return Err(ErrorCode::NotCoordinator);
        }
        let store = &self.volatile.share_coordinator.store;
        let Some(state) = store.read(key).cloned() else { return Ok(None) };
        if store.leader_epoch(key).is_some_and(|known| known > leader_epoch) {
            return Err(ErrorCode::FencedLeaderEpoch);
        }
        if store.leader_epoch(key) != Some(leader_epoch) {
            let record = store.write(key, leader_epoch, state.start_offset, &[]);
            self.append_share_state(record, now, out)?;
        }
        Ok(Some(state))
    }

    /// Appends a record to its `__share_group_state` partition here and applies it.
    fn append_share_state(
        &mut self,
        record: ShareStateRecord,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<(), ErrorCode> {
        let partition = record.key().state_partition(self.config.share.state_topic_num_partitions);
        if !self.volatile.share_coordinator.loaded.contains_key(&partition) {
            return Err(ErrorCode::NotCoordinator);
        }
        let tp = TopicPartition::new(SHARE_GROUP_STATE_TOPIC, partition);
        let bytes: Record = record.to_record(now as i64);
        let mut log = InternalLog::new(
            self.id,
            &mut self.durable.replicas,
            &self.durable.image,
            self.config.replica_lag_time_max_ms,
        );
        let result =
            log.append(tp, now, |replica| replica.append_as_leader(RecordBatch::new(vec![bytes]), now)).map(|_| ());
        let (facts, appended) = (log.facts, log.appended);
        for fact in facts {
            out.fact(fact);
        }
        for tp in &appended {
            self.wake_delayed_fetches(tp, out);
        }
        result?;
        self.volatile.share_coordinator.store.replay(&record);
        Ok(())
    }
}
