//! `__share_group_state`: the share coordinator's records (KIP-932) and its in-memory state
//! (`ShareCoordinatorShard`).
//!
//! A share partition's leader writes its record states to the share coordinator
//! (WriteShareGroupState) after every acknowledgement, release and expired lock; the coordinator
//! appends a `ShareUpdate` (the changed batches and the new SPSO), and a full `ShareSnapshot`
//! first and after every `share.coordinator.snapshot.update.records.per.snapshot` updates. A
//! coordinator that takes over a `__share_group_state` partition replays it: a snapshot replaces
//! the state, an update is merged into it (`PersisterStateBatchCombiner`: newer batches win,
//! batches below the SPSO go).
//!
//! Keys are Kafka's `ShareSnapshotKey` (version 0) and `ShareUpdateKey` (version 1): group id,
//! topic, partition, big-endian. Knowingly different: the key holds the topic's name where
//! Kafka has its topic id (the simulator has no topic ids), and the value is JSON with Kafka's
//! field names, not the flexible binary layout.

use super::partition::{batches_of, PersistedState, RecordState, StateBatch, StateChange};
use crate::group::offsets::{java_string_hash, kafka_abs, put_string, Reader};
use crate::log::Record;
use crate::protocol::TopicPartition;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The internal topic's name.
pub const SHARE_GROUP_STATE_TOPIC: &str = "__share_group_state";
/// Kafka's `share.coordinator.snapshot.update.records.per.snapshot` default.
pub const UPDATES_PER_SNAPSHOT: u32 = 500;

const SNAPSHOT_KEY: i16 = 0;
const UPDATE_KEY: i16 = 1;

/// One share group's share partition (`SharePartitionKey`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SharePartitionKey {
    pub group_id: String,
    pub topic_partition: TopicPartition,
}

impl SharePartitionKey {
    pub fn new(group_id: impl Into<String>, topic_partition: TopicPartition) -> Self {
        SharePartitionKey { group_id: group_id.into(), topic_partition }
    }

    /// `ShareCoordinatorService.partitionFor`: `abs("group:topic:partition".hashCode()) % partitions`.
    pub fn state_partition(&self, partitions: i32) -> i32 {
        let key = format!("{}:{}:{}", self.group_id, self.topic_partition.topic, self.topic_partition.partition);
        kafka_abs(java_string_hash(&key)) % partitions.max(1)
    }
}

/// A record of `__share_group_state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareStateRecord {
    Snapshot { key: SharePartitionKey, value: ShareSnapshotValue },
    Update { key: SharePartitionKey, value: ShareUpdateValue },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShareSnapshotValue {
    pub snapshot_epoch: u16,
    pub state_epoch: i32,
    pub leader_epoch: i32,
    pub start_offset: i64,
    pub state_batches: Vec<StateBatch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShareUpdateValue {
    pub snapshot_epoch: u16,
    pub leader_epoch: i32,
    /// -1 when the SPSO did not move.
    pub start_offset: i64,
    pub state_batches: Vec<StateBatch>,
}

impl ShareStateRecord {
    pub fn key(&self) -> &SharePartitionKey {
        match self {
            ShareStateRecord::Snapshot { key, .. } | ShareStateRecord::Update { key, .. } => key,
        }
    }

    pub fn to_record(&self, now_ms: i64) -> Record {
        let (version, value) = match self {
            ShareStateRecord::Snapshot { value, .. } => (SNAPSHOT_KEY, serde_json::to_vec(value).ok()),
            ShareStateRecord::Update { value, .. } => (UPDATE_KEY, serde_json::to_vec(value).ok()),
        };
        let key = self.key();
        let mut bytes = version.to_be_bytes().to_vec();
        put_string(&mut bytes, &key.group_id);
        put_string(&mut bytes, &key.topic_partition.topic);
        bytes.extend_from_slice(&key.topic_partition.partition.to_be_bytes());
        Record { timestamp: now_ms, key: Some(bytes), value, headers: Vec::new() }
    }

    /// Decodes a record of `__share_group_state`; `None` for bytes the coordinator does not write.
    pub fn decode(record: &Record) -> Option<ShareStateRecord> {
        let mut key = Reader { bytes: record.key.as_deref()? };
        let version = key.i16()?;
        let group_id = key.string()?;
        let topic = key.string()?;
        let partition = key.i32()?;
        let key = SharePartitionKey::new(group_id, TopicPartition::new(topic, partition));
        let value = record.value.as_deref()?;
        match version {
            SNAPSHOT_KEY => Some(ShareStateRecord::Snapshot { key, value: serde_json::from_slice(value).ok()? }),
            UPDATE_KEY => Some(ShareStateRecord::Update { key, value: serde_json::from_slice(value).ok()? }),
            _ => None,
        }
    }
}

/// What the share coordinator holds for one share partition (`ShareGroupOffset`) and how many
/// updates followed its last snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct ShareGroupOffset {
    snapshot_epoch: u16,
    leader_epoch: i32,
    state: PersistedState,
    updates_since_snapshot: u32,
}

/// The share coordinator's state for the `__share_group_state` partitions it leads
/// (`ShareCoordinatorShard`), rebuilt by replaying them after a failover.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShareStateStore {
    partitions: BTreeMap<SharePartitionKey, ShareGroupOffset>,
}

impl ShareStateStore {
    /// The record for a WriteShareGroupState: a snapshot for a share partition the coordinator
    /// does not know yet or after enough updates, otherwise an update with the changed records.
    /// Returns the record to append; the state changes when it is replayed.
    pub fn write(
        &self,
        key: &SharePartitionKey,
        leader_epoch: i32,
        start_offset: i64,
        changes: &[StateChange],
    ) -> ShareStateRecord {
        match self.partitions.get(key) {
            Some(current) if current.updates_since_snapshot < UPDATES_PER_SNAPSHOT => ShareStateRecord::Update {
                key: key.clone(),
                value: ShareUpdateValue {
                    snapshot_epoch: current.snapshot_epoch,
                    leader_epoch,
                    start_offset: if start_offset == current.state.start_offset { -1 } else { start_offset },
                    state_batches: batches_of(changes.iter().copied()),
                },
            },
            current => {
                let (snapshot_epoch, state_epoch, batches) = match current {
                    Some(c) => (c.snapshot_epoch.wrapping_add(1), c.state.state_epoch, c.state.batches.clone()),
                    None => (0, 0, Vec::new()),
                };
                let merged = merge(&batches, &batches_of(changes.iter().copied()), start_offset);
                ShareStateRecord::Snapshot {
                    key: key.clone(),
                    value: ShareSnapshotValue {
                        snapshot_epoch,
                        state_epoch,
                        leader_epoch,
                        start_offset,
                        state_batches: merged,
                    },
                }
            }
        }
    }

    /// Applies a record (after its append, and when loading a partition after a failover).
    pub fn replay(&mut self, record: &ShareStateRecord) {
        match record {
            ShareStateRecord::Snapshot { key, value } => {
                self.partitions.insert(
                    key.clone(),
                    ShareGroupOffset {
                        snapshot_epoch: value.snapshot_epoch,
                        leader_epoch: value.leader_epoch,
                        state: PersistedState {
                            state_epoch: value.state_epoch,
                            start_offset: value.start_offset,
                            batches: value.state_batches.clone(),
                        },
                        updates_since_snapshot: 0,
                    },
                );
            }
            ShareStateRecord::Update { key, value } => {
                let Some(current) = self.partitions.get_mut(key) else { return };
                let start = if value.start_offset == -1 { current.state.start_offset } else { value.start_offset };
                current.state.batches = merge(&current.state.batches, &value.state_batches, start);
                current.state.start_offset = start;
                current.leader_epoch = current.leader_epoch.max(value.leader_epoch);
                current.updates_since_snapshot += 1;
            }
        }
    }

    /// ReadShareGroupState: what a new share-partition leader starts from.
    pub fn read(&self, key: &SharePartitionKey) -> Option<&PersistedState> {
        self.partitions.get(key).map(|p| &p.state)
    }

    /// The newest partition leader epoch that read or wrote the share partition: writes from
    /// older leaders are fenced (`ShareCoordinatorShard.writeState`, FENCED_LEADER_EPOCH).
    pub fn leader_epoch(&self, key: &SharePartitionKey) -> Option<i32> {
        self.partitions.get(key).map(|p| p.leader_epoch)
    }

    /// Forgets the share partitions of a `__share_group_state` partition this broker no longer leads.
    pub fn unload(&mut self, state_partition: i32, partitions: i32) {
        self.partitions.retain(|key, _| key.state_partition(partitions) != state_partition);
    }
}

/// `PersisterStateBatchCombiner.combineStateBatches`: the newer batches overwrite the older
/// ones where they overlap; nothing below the start offset is kept.
fn merge(older: &[StateBatch], newer: &[StateBatch], start_offset: i64) -> Vec<StateBatch> {
    let mut by_offset: BTreeMap<i64, (RecordState, u32)> = BTreeMap::new();
    for batch in older.iter().chain(newer) {
        for offset in batch.first_offset.max(start_offset)..=batch.last_offset {
            by_offset.insert(offset, (batch.state, batch.delivery_count));
        }
    }
    batches_of(by_offset.into_iter().map(|(offset, (state, delivery_count))| StateChange {
        offset,
        state,
        delivery_count,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SharePartitionKey {
        SharePartitionKey::new("queue", TopicPartition::new("jobs", 0))
    }

    fn change(offset: i64, state: RecordState, delivery_count: u32) -> StateChange {
        StateChange { offset, state, delivery_count }
    }

    #[test]
    fn first_write_is_a_snapshot_then_updates_merge() {
        let mut store = ShareStateStore::default();
        let first = store.write(&key(), 1, 0, &[change(0, RecordState::Available, 1)]);
        assert!(matches!(first, ShareStateRecord::Snapshot { .. }));
        store.replay(&first);
        let second =
            store.write(&key(), 1, 2, &[change(0, RecordState::Acknowledged, 1), change(3, RecordState::Archived, 5)]);
        assert!(matches!(second, ShareStateRecord::Update { .. }));
        store.replay(&second);
        let state = store.read(&key()).unwrap();
        assert_eq!(state.start_offset, 2);
        assert_eq!(
            state.batches,
            vec![StateBatch { first_offset: 3, last_offset: 3, state: RecordState::Archived, delivery_count: 5 }]
        );
    }

    #[test]
    fn records_round_trip_and_replaying_the_log_rebuilds_the_state() {
        let mut store = ShareStateStore::default();
        let mut log = Vec::new();
        for (start, changes) in [
            (0, vec![change(1, RecordState::Available, 2)]),
            (0, vec![change(2, RecordState::Acknowledged, 1)]),
            (1, vec![change(0, RecordState::Acknowledged, 1), change(1, RecordState::Available, 3)]),
        ] {
            let record = store.write(&key(), 4, start, &changes);
            store.replay(&record);
            log.push(record.to_record(0));
        }
        let mut reloaded = ShareStateStore::default();
        for record in &log {
            reloaded.replay(&ShareStateRecord::decode(record).unwrap());
        }
        assert_eq!(reloaded, store);
        assert_eq!(reloaded.read(&key()).unwrap().batches.len(), 2);
    }

    #[test]
    fn a_snapshot_follows_enough_updates() {
        let mut store = ShareStateStore::default();
        store.replay(&store.write(&key(), 1, 0, &[]));
        for i in 0..UPDATES_PER_SNAPSHOT {
            let record = store.write(&key(), 1, 0, &[change(i64::from(i), RecordState::Available, 1)]);
            assert!(matches!(record, ShareStateRecord::Update { .. }));
            store.replay(&record);
        }
        let record = store.write(&key(), 1, 0, &[]);
        let ShareStateRecord::Snapshot { value, .. } = &record else { panic!("expected a snapshot: {record:?}") };
        assert_eq!(value.snapshot_epoch, 1);
        assert_eq!(value.state_batches.len(), 1, "the merged state, one run of available records");
    }

    #[test]
    fn a_newer_leaders_read_records_its_epoch_which_fences_older_writes() {
        let mut store = ShareStateStore::default();
        assert_eq!(store.leader_epoch(&key()), None);
        store.replay(&store.write(&key(), 1, 0, &[change(0, RecordState::Acknowledged, 1)]));
        assert_eq!(store.leader_epoch(&key()), Some(1));
        // The new leader's ReadShareGroupState writes its epoch with no record changes.
        let bump = store.write(&key(), 2, 0, &[]);
        let ShareStateRecord::Update { value, .. } = &bump else { panic!("expected an update: {bump:?}") };
        assert!(value.state_batches.is_empty());
        store.replay(&bump);
        assert_eq!(store.leader_epoch(&key()), Some(2));
        let state = store.read(&key()).unwrap();
        assert_eq!(state.start_offset, 0, "the state itself is unchanged");
        assert_eq!(state.batches.len(), 1);
    }

    #[test]
    fn unknown_bytes_are_not_decoded() {
        let record = Record { timestamp: 0, key: Some(vec![0, 9]), value: None, headers: Vec::new() };
        assert_eq!(ShareStateRecord::decode(&record), None);
    }
}
