//! The group coordinator a broker runs for the `__consumer_offsets` partitions it leads
//! (Kafka's `GroupCoordinatorService` / `GroupMetadataManager` / `OffsetMetadataManager`).
//!
//! It is a pure state machine like every node: requests and timers go in; responses, timers and facts
//! come out through an [`Outbox`], and records go to the offsets topic through [`OffsetsLog`]. A
//! response that depends on a write (OffsetCommit, the leader's SyncGroup) is held until the record
//! is committed, i.e. the partition's high watermark passed it, as Kafka's coordinator does.

pub mod classic;
pub mod consumer;
mod deletion;
mod migration;
pub mod share;
mod txn_offsets;

use crate::group::offsets::{self, CommittedOffset, CoordinatorRecord, GroupMetadataValue};
use crate::group::server_assignor::ServerAssignor;
use crate::log::{Record, RecordBatch};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{ErrorCode, GroupMessage, OffsetCommitPartition, TopicPartition};
use crate::sim::{Millis, NodeId};
use classic::{ClassicGroup, ClassicGroupState, ClassicMember};
use consumer::ConsumerGroup;
use serde::Serialize;
use share::ShareGroup;
use std::collections::BTreeMap;

/// Broker settings of the coordinator, with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GroupCoordinatorConfig {
    /// `offsets.topic.num.partitions` (50). Teaching scenarios may use fewer.
    pub offsets_topic_num_partitions: i32,
    /// `offsets.topic.replication.factor` (3), capped by the number of brokers.
    pub offsets_topic_replication_factor: i32,
    /// `offsets.topic.segment.bytes` (100 MiB): the topic's `segment.bytes`. Only closed segments
    /// are compacted, so this bounds how much of the offsets log waits for the cleaner.
    pub offsets_topic_segment_bytes: i64,
    /// `group.initial.rebalance.delay.ms` (3000).
    pub group_initial_rebalance_delay_ms: Millis,
    /// `group.min.session.timeout.ms` (6000).
    pub group_min_session_timeout_ms: Millis,
    /// `group.max.session.timeout.ms` (1800000).
    pub group_max_session_timeout_ms: Millis,
    /// `offsets.commit.timeout.ms` (5000): how long a write may wait for the ISR.
    pub offsets_commit_timeout_ms: Millis,
    /// `group.consumer.heartbeat.interval.ms` (5000): the consumer protocol's heartbeat pace,
    /// which the broker, not the client, decides.
    pub group_consumer_heartbeat_interval_ms: Millis,
    /// `group.consumer.session.timeout.ms` (45000).
    pub group_consumer_session_timeout_ms: Millis,
    /// `group.consumer.assignors` (uniform, range): the first is the default.
    pub group_consumer_assignors: Vec<ServerAssignor>,
    /// `group.consumer.migration.policy` (bidirectional): whether a live group converts between
    /// the classic and the consumer protocol.
    pub group_consumer_migration_policy: MigrationPolicy,
    /// `group.share.heartbeat.interval.ms` (5000).
    pub group_share_heartbeat_interval_ms: Millis,
    /// `group.share.session.timeout.ms` (45000).
    pub group_share_session_timeout_ms: Millis,
}

impl Default for GroupCoordinatorConfig {
    fn default() -> Self {
        GroupCoordinatorConfig {
            offsets_topic_num_partitions: 50,
            offsets_topic_replication_factor: 3,
            offsets_topic_segment_bytes: 100 * 1024 * 1024,
            group_initial_rebalance_delay_ms: 3000,
            group_min_session_timeout_ms: 6000,
            group_max_session_timeout_ms: 1_800_000,
            offsets_commit_timeout_ms: 5000,
            group_consumer_heartbeat_interval_ms: 5000,
            group_consumer_session_timeout_ms: 45_000,
            group_consumer_assignors: vec![ServerAssignor::Uniform, ServerAssignor::Range],
            group_consumer_migration_policy: MigrationPolicy::Bidirectional,
            group_share_heartbeat_interval_ms: 5000,
            group_share_session_timeout_ms: 45_000,
        }
    }
}

/// `ConsumerGroupMigrationPolicy`: which online conversions of a non-empty group are allowed.
/// Empty groups convert under every policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum MigrationPolicy {
    Bidirectional,
    Upgrade,
    Downgrade,
    Disabled,
}

impl MigrationPolicy {
    pub fn name(self) -> &'static str {
        match self {
            MigrationPolicy::Bidirectional => "bidirectional",
            MigrationPolicy::Upgrade => "upgrade",
            MigrationPolicy::Downgrade => "downgrade",
            MigrationPolicy::Disabled => "disabled",
        }
    }

    /// `isUpgradeEnabled`: classic to consumer.
    pub fn upgrade_enabled(self) -> bool {
        matches!(self, MigrationPolicy::Bidirectional | MigrationPolicy::Upgrade)
    }

    /// `isDowngradeEnabled`: consumer to classic.
    pub fn downgrade_enabled(self) -> bool {
        matches!(self, MigrationPolicy::Bidirectional | MigrationPolicy::Downgrade)
    }
}

impl std::str::FromStr for MigrationPolicy {
    type Err = ();

    /// Case-insensitive, as Kafka's `ConsumerGroupMigrationPolicy.parse`.
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bidirectional" => Ok(MigrationPolicy::Bidirectional),
            "upgrade" => Ok(MigrationPolicy::Upgrade),
            "downgrade" => Ok(MigrationPolicy::Downgrade),
            "disabled" => Ok(MigrationPolicy::Disabled),
            _ => Err(()),
        }
    }
}

/// Where the coordinator writes: the broker's leader replicas of `__consumer_offsets`.
pub trait OffsetsLog {
    /// Appends records to partition `partition` as its leader. Returns the offset the high
    /// watermark must reach for them to be committed.
    fn append(&mut self, partition: i32, records: Vec<Record>, now: Millis) -> Result<i64, ErrorCode>;
    /// Appends a transactional batch of `producer_id` (TxnOffsetCommit): it counts only once
    /// the transaction's COMMIT marker follows.
    fn append_transactional(
        &mut self,
        partition: i32,
        records: Vec<Record>,
        producer_id: i64,
        producer_epoch: i16,
        now: Millis,
    ) -> Result<i64, ErrorCode>;
}

/// Timers the coordinator sets for itself; stale tokens are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timer {
    /// A member's `session.timeout.ms` passed without a heartbeat.
    Session { group_id: String, member_id: String, token: u64 },
    /// A member id handed out with MEMBER_ID_REQUIRED was never used to join.
    PendingMember { group_id: String, member_id: String },
    /// The join phase ends: initial delay or rebalance timeout.
    Join { group_id: String, token: u64 },
    /// Members that did not sync within the rebalance timeout are removed.
    Sync { group_id: String, generation_id: i32 },
    /// `offsets.commit.timeout.ms` passed for a write.
    Write { id: u64 },
    /// A consumer-protocol member's `group.consumer.session.timeout.ms` passed.
    ConsumerSession { group_id: String, member_id: String, token: u64 },
    /// A consumer-protocol member did not revoke within its rebalance timeout.
    Revocation { group_id: String, member_id: String, member_epoch: i32 },
    /// A classic member of a consumer group told to rejoin did not within its rebalance timeout.
    ConsumerJoin { group_id: String, member_id: String, token: u64 },
    /// A classic member of a consumer group did not send SyncGroup within its rebalance timeout.
    ConsumerSync { group_id: String, member_id: String, token: u64 },
    /// A share group member's `group.share.session.timeout.ms` passed.
    ShareSession { group_id: String, member_id: String, token: u64 },
}

/// What to do once a write is committed (or failed).
#[derive(Debug, Clone)]
enum Completion {
    OffsetCommit {
        client: NodeId,
        correlation_id: u64,
        group_id: String,
        member_id: String,
        generation_id: i32,
        offsets: Vec<(TopicPartition, CommittedOffset)>,
    },
    /// The leader's assignment is persisted: the group becomes Stable.
    Sync { group_id: String, generation_id: i32 },
    /// A transaction's offsets are written: they wait for its marker.
    TxnOffsetCommit {
        client: NodeId,
        correlation_id: u64,
        group_id: String,
        producer_id: i64,
        offsets: Vec<(TopicPartition, CommittedOffset)>,
    },
    /// Responses that wait for a group record (e.g. a static member's rejoin); on failure each
    /// is replaced by its error twin.
    Respond { messages: Vec<(NodeId, GroupMessage)>, on_error: Vec<(NodeId, GroupMessage)> },
}

#[derive(Debug, Clone)]
struct PendingWrite {
    id: u64,
    partition: i32,
    /// The high watermark that commits the write.
    commit_at: i64,
    completion: Completion,
}

#[derive(Debug, Clone)]
pub struct GroupCoordinator {
    pub config: GroupCoordinatorConfig,
    broker_id: i32,
    /// Offsets partitions this broker leads and has loaded, with the leader epoch it loaded at.
    loaded: BTreeMap<i32, i32>,
    pub groups: BTreeMap<String, ClassicGroup>,
    /// Groups on the consumer protocol (KIP-848); a group id is in one map or the other.
    pub consumer_groups: BTreeMap<String, ConsumerGroup>,
    /// Share groups (KIP-932); their ids are not used by the other two kinds.
    pub share_groups: BTreeMap<String, ShareGroup>,
    /// Partition counts of the non-internal topics, from the broker's metadata (Kafka's
    /// coordinator holds the metadata image for its assignors).
    topic_partitions: BTreeMap<String, i32>,
    /// Committed offsets per group (only what the ISR has, as OffsetFetch reads).
    pub offsets: BTreeMap<String, BTreeMap<TopicPartition, CommittedOffset>>,
    /// Offsets of open transactions per group and producer id, applied by a COMMIT marker.
    pending_txn_offsets: BTreeMap<String, BTreeMap<i64, BTreeMap<TopicPartition, CommittedOffset>>>,
    pending_writes: Vec<PendingWrite>,
    next_token: u64,
}

impl GroupCoordinator {
    pub fn new(broker_id: i32, config: GroupCoordinatorConfig) -> Self {
        GroupCoordinator {
            config,
            broker_id,
            loaded: BTreeMap::new(),
            groups: BTreeMap::new(),
            consumer_groups: BTreeMap::new(),
            share_groups: BTreeMap::new(),
            topic_partitions: BTreeMap::new(),
            offsets: BTreeMap::new(),
            pending_txn_offsets: BTreeMap::new(),
            pending_writes: Vec::new(),
            next_token: 0,
        }
    }

    pub fn partition_for(&self, group_id: &str) -> i32 {
        offsets::partition_for_group(group_id, self.config.offsets_topic_num_partitions)
    }

    /// Whether this broker currently coordinates `group_id`.
    pub fn is_coordinator_for(&self, group_id: &str) -> bool {
        self.loaded.contains_key(&self.partition_for(group_id))
    }

    /// The loaded offsets partitions and the leader epoch each was loaded at.
    pub fn loaded_partitions(&self) -> &BTreeMap<i32, i32> {
        &self.loaded
    }

    fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    /// A Kafka-style member id: the client id, a dash and a UUID. The UUID is derived from the
    /// broker, a counter and the time (SplitMix64) so that replays produce the same ids.
    fn new_member_id(&mut self, prefix: &str, now: Millis) -> String {
        let token = self.token();
        let mut x = (self.broker_id as u64) << 48 ^ token << 20 ^ now;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let (a, b) = (next(), next());
        format!(
            "{prefix}-{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    /// Becomes coordinator of an offsets partition: replays its log to rebuild groups and offsets
    /// (Kafka's `CoordinatorLoader`). Members get a fresh session timeout from now.
    pub fn load<'a>(
        &mut self,
        partition: i32,
        leader_epoch: i32,
        batches: impl Iterator<Item = &'a RecordBatch>,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        self.unload(partition, now, log, out);
        let mut groups: BTreeMap<String, Option<GroupMetadataValue>> = BTreeMap::new();
        let mut consumer_groups = consumer::ConsumerGroupReplay::default();
        for batch in batches {
            if self.replay_transactional(partition, batch) {
                continue;
            }
            for record in batch.records.iter().map(|r| &r.record) {
                match offsets::decode(record) {
                    Some(CoordinatorRecord::OffsetCommit { group_id, topic_partition, offset: Some(offset) }) => {
                        self.offsets.entry(group_id).or_default().insert(topic_partition, offset);
                    }
                    Some(CoordinatorRecord::OffsetCommit { group_id, topic_partition, offset: None }) => {
                        if let Some(map) = self.offsets.get_mut(&group_id) {
                            map.remove(&topic_partition);
                        }
                    }
                    Some(CoordinatorRecord::GroupMetadata { group_id, value }) => {
                        groups.insert(group_id, value);
                    }
                    Some(record) => {
                        consumer_groups.replay(record);
                    }
                    None => {}
                }
            }
        }
        let consumer_groups = consumer_groups.finish(self, now, out);
        let loaded_groups = groups.values().filter(|v| v.is_some()).count() + consumer_groups.len();
        for group in consumer_groups {
            self.consumer_groups.insert(group.group_id.clone(), group);
        }
        for (group_id, value) in groups {
            let Some(value) = value else { continue };
            let mut group = ClassicGroup::from_record(group_id.clone(), value);
            let tokens: Vec<u64> = (0..group.members.len()).map(|_| self.token()).collect();
            for (member, token) in group.members.iter_mut().zip(tokens) {
                member.session_token = token;
                out.timer(
                    now + member.session_timeout_ms,
                    Timer::Session { group_id: group_id.clone(), member_id: member.member_id.clone(), token },
                );
            }
            self.groups.insert(group_id, group);
        }
        let offset_count: usize =
            self.offsets.iter().filter(|(g, _)| self.partition_for(g) == partition).map(|(_, m)| m.len()).sum();
        self.loaded.insert(partition, leader_epoch);
        if loaded_groups + offset_count == 0 && leader_epoch == 0 {
            return; // a brand-new partition: nothing to narrate
        }
        out.fact(Fact::CoordinatorLoaded {
            broker: self.broker_id,
            offsets_partition: partition,
            leader_epoch,
            groups: loaded_groups,
            offsets: offset_count,
        });
    }

    /// Stops coordinating an offsets partition (leadership moved): pending requests are answered
    /// with NOT_COORDINATOR so clients look the coordinator up again.
    pub fn unload(&mut self, partition: i32, now: Millis, log: &mut dyn OffsetsLog, out: &mut Outbox<Timer>) {
        if self.loaded.remove(&partition).is_none() {
            return;
        }
        let ids: Vec<String> = self.groups.keys().filter(|g| self.partition_for(g) == partition).cloned().collect();
        for id in &ids {
            if let Some(group) = self.groups.remove(id) {
                for member in &group.members {
                    if member.awaiting_join {
                        out.send(member.client, classic::join_error(id, &member.member_id, ErrorCode::NotCoordinator));
                    }
                    if member.awaiting_sync {
                        out.send(member.client, classic::sync_error(id, ErrorCode::NotCoordinator));
                    }
                }
            }
        }
        let num_partitions = self.config.offsets_topic_num_partitions;
        let consumer_ids: Vec<String> = self
            .consumer_groups
            .keys()
            .filter(|g| offsets::partition_for_group(g, num_partitions) == partition)
            .cloned()
            .collect();
        for id in &consumer_ids {
            self.consumer_groups.remove(id);
        }
        self.share_groups.retain(|g, _| offsets::partition_for_group(g, num_partitions) != partition);
        self.offsets.retain(|g, _| offsets::partition_for_group(g, num_partitions) != partition);
        self.pending_txn_offsets.retain(|g, _| offsets::partition_for_group(g, num_partitions) != partition);
        let (dropped, kept): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.pending_writes).into_iter().partition(|w| w.partition == partition);
        self.pending_writes = kept;
        for write in dropped {
            self.fail_write(write.completion, ErrorCode::NotCoordinator, now, log, out);
        }
        out.fact(Fact::CoordinatorUnloaded {
            broker: self.broker_id,
            offsets_partition: partition,
            groups: ids.len() + consumer_ids.len(),
        });
    }

    /// Appends records for `group_id` and remembers what to do once they are committed.
    fn write(
        &mut self,
        group_id: &str,
        records: Vec<Record>,
        completion: Completion,
        log: &mut dyn OffsetsLog,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let partition = self.partition_for(group_id);
        match log.append(partition, records, now) {
            Ok(commit_at) => self.track_write(partition, commit_at, completion, now, out),
            Err(error) => self.fail_write(completion, error, now, log, out),
        }
    }

    /// Remembers an appended write until the high watermark reaches `commit_at`.
    fn track_write(
        &mut self,
        partition: i32,
        commit_at: i64,
        completion: Completion,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let id = self.token();
        out.timer(now + self.config.offsets_commit_timeout_ms, Timer::Write { id });
        self.pending_writes.push(PendingWrite { id, partition, commit_at, completion });
    }

    /// Completes every write whose partition's high watermark reached it.
    pub fn complete_writes(&mut self, high_watermark: impl Fn(i32) -> Option<i64>, out: &mut Outbox<Timer>) {
        if self.pending_writes.is_empty() {
            return;
        }
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_writes)
            .into_iter()
            .partition(|w| high_watermark(w.partition).is_some_and(|hw| hw >= w.commit_at));
        self.pending_writes = waiting;
        for write in done {
            self.succeed_write(write.completion, out);
        }
    }

    fn succeed_write(&mut self, completion: Completion, out: &mut Outbox<Timer>) {
        match completion {
            Completion::OffsetCommit { client, correlation_id, group_id, member_id, generation_id, offsets } => {
                let map = self.offsets.entry(group_id.clone()).or_default();
                for (tp, offset) in &offsets {
                    map.insert(tp.clone(), *offset);
                }
                out.fact(Fact::OffsetsCommitted {
                    group: group_id.clone(),
                    member_id,
                    generation_id,
                    offsets: offsets.iter().map(|(tp, o)| (tp.clone(), o.committed_offset)).collect(),
                });
                let partitions = offsets.into_iter().map(|(tp, _)| (tp, ErrorCode::None)).collect();
                out.send(client, GroupMessage::OffsetCommitResponse { correlation_id, group_id, partitions });
            }
            Completion::Sync { group_id, generation_id } => self.complete_sync(&group_id, generation_id, out),
            Completion::TxnOffsetCommit { client, correlation_id, group_id, producer_id, offsets } => {
                let pending =
                    self.pending_txn_offsets.entry(group_id.clone()).or_default().entry(producer_id).or_default();
                for (tp, offset) in &offsets {
                    pending.insert(tp.clone(), *offset);
                }
                let partitions = offsets.into_iter().map(|(tp, _)| (tp, ErrorCode::None)).collect();
                out.send(client, GroupMessage::TxnOffsetCommitResponse { correlation_id, group_id, partitions });
            }
            Completion::Respond { messages, .. } => {
                for (to, message) in messages {
                    out.send(to, message);
                }
            }
        }
    }

    /// Kafka maps storage errors of coordinator writes to group error codes
    /// (`CoordinatorRuntime` / `GroupMetadataManager.appendGroupMetadataErrorToResponseError`).
    fn fail_write(
        &mut self,
        completion: Completion,
        error: ErrorCode,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let error = match error {
            ErrorCode::NotLeaderOrFollower | ErrorCode::NotCoordinator => ErrorCode::NotCoordinator,
            ErrorCode::InvalidProducerEpoch => ErrorCode::ProducerFenced,
            _ => ErrorCode::CoordinatorNotAvailable,
        };
        match completion {
            Completion::OffsetCommit { client, correlation_id, group_id, offsets, .. } => {
                let partitions = offsets.into_iter().map(|(tp, _)| (tp, error)).collect();
                out.send(client, GroupMessage::OffsetCommitResponse { correlation_id, group_id, partitions });
            }
            Completion::Sync { group_id, generation_id } => {
                self.fail_sync(&group_id, generation_id, error, now, log, out)
            }
            Completion::TxnOffsetCommit { client, correlation_id, group_id, offsets, .. } => {
                let partitions = offsets.into_iter().map(|(tp, _)| (tp, error)).collect();
                out.send(client, GroupMessage::TxnOffsetCommitResponse { correlation_id, group_id, partitions });
            }
            Completion::Respond { on_error, .. } => {
                for (to, message) in on_error {
                    out.send(to, message);
                }
            }
        }
    }

    pub fn on_timer(&mut self, timer: Timer, now: Millis, log: &mut dyn OffsetsLog, out: &mut Outbox<Timer>) {
        match timer {
            Timer::Write { id } => {
                if let Some(index) = self.pending_writes.iter().position(|w| w.id == id) {
                    let write = self.pending_writes.remove(index);
                    self.fail_write(write.completion, ErrorCode::RequestTimedOut, now, log, out);
                }
            }
            Timer::Session { group_id, member_id, token } => {
                self.session_expired(&group_id, &member_id, token, now, log, out)
            }
            Timer::PendingMember { group_id, member_id } => {
                self.pending_member_expired(&group_id, &member_id, now, log, out)
            }
            Timer::Join { group_id, token } => self.join_timer(&group_id, token, now, log, out),
            Timer::Sync { group_id, generation_id } => self.sync_timer(&group_id, generation_id, now, log, out),
            timer @ (Timer::ConsumerSession { .. } | Timer::Revocation { .. }) => {
                self.consumer_timer(timer, now, log, out)
            }
            Timer::ConsumerJoin { group_id, member_id, token } => {
                self.classic_member_rebalance_expired(&group_id, &member_id, token, false, now, log, out)
            }
            Timer::ConsumerSync { group_id, member_id, token } => {
                self.classic_member_rebalance_expired(&group_id, &member_id, token, true, now, log, out)
            }
            Timer::ShareSession { group_id, member_id, token } => {
                self.share_session_expired(&group_id, &member_id, token, out)
            }
        }
    }

    /// Handles a group request; returns a group response back (the coordinator serves none).
    pub fn on_message(
        &mut self,
        from: NodeId,
        message: GroupMessage,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) -> Option<GroupMessage> {
        match message {
            GroupMessage::JoinGroupRequest {
                group_id,
                member_id,
                group_instance_id,
                client_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocol_type,
                protocols,
            } => {
                let request = classic::JoinRequest {
                    client: from,
                    member_id,
                    group_instance_id,
                    client_id,
                    session_timeout_ms,
                    rebalance_timeout_ms,
                    protocol_type,
                    protocols,
                };
                self.join_group(&group_id, request, now, log, out);
            }
            GroupMessage::SyncGroupRequest { group_id, generation_id, member_id, group_instance_id, assignments } => {
                self.sync_group(
                    from,
                    &group_id,
                    generation_id,
                    &member_id,
                    group_instance_id.as_deref(),
                    assignments,
                    now,
                    log,
                    out,
                )
            }
            GroupMessage::HeartbeatRequest { group_id, generation_id, member_id, group_instance_id } => {
                let error =
                    self.heartbeat(&group_id, generation_id, &member_id, group_instance_id.as_deref(), now, out);
                out.send(from, GroupMessage::HeartbeatResponse { group_id, error });
            }
            GroupMessage::LeaveGroupRequest { group_id, member_id, group_instance_id } => {
                let error = self.leave_group(&group_id, &member_id, group_instance_id.as_deref(), now, log, out);
                out.send(from, GroupMessage::LeaveGroupResponse { group_id, error });
            }
            GroupMessage::OffsetCommitRequest {
                correlation_id,
                group_id,
                generation_id,
                member_id,
                group_instance_id,
                offsets,
            } => self.offset_commit(
                from,
                correlation_id,
                &group_id,
                generation_id,
                &member_id,
                group_instance_id.as_deref(),
                offsets,
                now,
                log,
                out,
            ),
            GroupMessage::OffsetFetchRequest { group_id, partitions, member } => {
                let rejected = member.as_ref().and_then(|(member_id, member_epoch)| {
                    let group = self.consumer_groups.get(&group_id)?;
                    Self::validate_consumer_offset_fetch(group, member_id, *member_epoch).err()
                });
                let (error, offsets) = if !self.is_coordinator_for(&group_id) {
                    (ErrorCode::NotCoordinator, Vec::new())
                } else if let Some(error) = rejected {
                    out.fact(Fact::GroupRequestRejected {
                        group: group_id.clone(),
                        member_id: member.map(|(m, _)| m).unwrap_or_default(),
                        request: "OffsetFetch",
                        error,
                    });
                    (error, Vec::new())
                } else if self.has_pending_txn_offsets(&group_id, &partitions) {
                    (ErrorCode::UnstableOffsetCommit, Vec::new())
                } else {
                    let committed = self.offsets.get(&group_id);
                    let offsets = partitions
                        .into_iter()
                        .map(|tp| match committed.and_then(|m| m.get(&tp)) {
                            Some(o) => OffsetCommitPartition {
                                topic_partition: tp,
                                committed_offset: o.committed_offset,
                                committed_leader_epoch: o.leader_epoch,
                            },
                            None => OffsetCommitPartition::without_epoch(tp, -1),
                        })
                        .collect();
                    (ErrorCode::None, offsets)
                };
                out.send(from, GroupMessage::OffsetFetchResponse { group_id, error, offsets });
            }
            GroupMessage::ConsumerGroupHeartbeatRequest {
                group_id,
                member_id,
                member_epoch,
                group_instance_id,
                rebalance_timeout_ms,
                subscribed_topic_names,
                server_assignor,
                owned_partitions,
            } => {
                let request = consumer::HeartbeatRequest {
                    client: from,
                    member_id,
                    member_epoch,
                    instance_id: group_instance_id,
                    rebalance_timeout_ms,
                    subscribed_topic_names,
                    server_assignor,
                    owned_partitions,
                };
                self.consumer_group_heartbeat(&group_id, request, now, log, out);
            }
            GroupMessage::TxnOffsetCommitRequest {
                correlation_id,
                transactional_id: _,
                group_id,
                producer_id,
                producer_epoch,
                generation_id,
                member_id,
                group_instance_id,
                offsets,
            } => self.txn_offset_commit(
                txn_offsets::TxnOffsetCommit {
                    client: from,
                    correlation_id,
                    group_id,
                    producer_id,
                    producer_epoch,
                    generation_id,
                    member_id,
                    group_instance_id,
                    offsets,
                },
                now,
                log,
                out,
            ),
            GroupMessage::ShareGroupHeartbeatRequest { group_id, member_id, member_epoch, subscribed_topic_names } => {
                let request = share::ShareHeartbeat { client: from, member_id, member_epoch, subscribed_topic_names };
                self.share_group_heartbeat(&group_id, request, now, out);
            }
            response @ (GroupMessage::JoinGroupResponse { .. }
            | GroupMessage::ShareGroupHeartbeatResponse { .. }
            | GroupMessage::ConsumerGroupHeartbeatResponse { .. }
            | GroupMessage::TxnOffsetCommitResponse { .. }
            | GroupMessage::SyncGroupResponse { .. }
            | GroupMessage::HeartbeatResponse { .. }
            | GroupMessage::LeaveGroupResponse { .. }
            | GroupMessage::OffsetCommitResponse { .. }
            | GroupMessage::OffsetFetchResponse { .. }) => return Some(response),
        }
        None
    }

    /// Validates and writes an offset commit (`OffsetMetadataManager.commitOffset` with
    /// `ClassicGroup.validateOffsetCommit`).
    #[allow(clippy::too_many_arguments)]
    fn offset_commit(
        &mut self,
        client: NodeId,
        correlation_id: u64,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        group_instance_id: Option<&str>,
        offsets: Vec<OffsetCommitPartition>,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let error = if !self.is_coordinator_for(group_id) {
            Some(ErrorCode::NotCoordinator)
        } else {
            match self.groups.get(group_id) {
                None if self.consumer_groups.contains_key(group_id) => {
                    Self::validate_consumer_offset_commit(&self.consumer_groups[group_id], member_id, generation_id)
                        .err()
                }
                None if generation_id < 0 && member_id.is_empty() => {
                    // A commit from outside the group protocol creates an empty ("simple") group.
                    self.groups.insert(group_id.to_string(), ClassicGroup::new(group_id.to_string()));
                    None
                }
                None => Some(ErrorCode::IllegalGeneration),
                Some(group) => group.validate_offset_commit(member_id, group_instance_id, generation_id, false).err(),
            }
        };
        if let Some(error) = error {
            out.fact(Fact::GroupRequestRejected {
                group: group_id.to_string(),
                member_id: member_id.to_string(),
                request: "OffsetCommit",
                error,
            });
            let partitions = offsets.into_iter().map(|p| (p.topic_partition, error)).collect();
            out.send(
                client,
                GroupMessage::OffsetCommitResponse { correlation_id, group_id: group_id.to_string(), partitions },
            );
            return;
        }
        let offsets = offsets.into_iter().map(|p| CommittedOffset::stored(p, now)).collect::<Vec<_>>();
        let records =
            offsets.iter().map(|(tp, o)| offsets::offset_commit_record(group_id, tp, Some(*o), now as i64)).collect();
        let completion = Completion::OffsetCommit {
            client,
            correlation_id,
            group_id: group_id.to_string(),
            member_id: member_id.to_string(),
            generation_id,
            offsets,
        };
        self.write(group_id, records, completion, log, now, out);
    }

    /// The group's members as a record value, for persisting a generation.
    fn group_record(&self, group: &ClassicGroup, now: Millis) -> Record {
        let value = (group.state != ClassicGroupState::Dead).then(|| group.to_record());
        offsets::group_metadata_record(&group.group_id, value.as_ref(), now as i64)
    }

    /// Groups this coordinator serves, for the view.
    pub fn classic_groups(&self) -> impl Iterator<Item = &ClassicGroup> {
        self.groups.values()
    }

    /// Consumer-protocol groups this coordinator serves, for the view.
    pub fn consumer_protocol_groups(&self) -> impl Iterator<Item = &ConsumerGroup> {
        self.consumer_groups.values()
    }

    /// A member of a group, for tests and the view.
    pub fn member(&self, group_id: &str, member_id: &str) -> Option<&ClassicMember> {
        self.groups.get(group_id)?.member(member_id)
    }
}

/// A `__consumer_offsets` partition for the coordinators' unit tests: writes commit at once (the
/// high watermark is the log end) and are kept, so a test can replay them on a failover.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct InstantLog(pub Vec<Record>);

#[cfg(test)]
impl OffsetsLog for InstantLog {
    fn append(&mut self, _partition: i32, records: Vec<Record>, _now: Millis) -> Result<i64, ErrorCode> {
        self.0.extend(records);
        Ok(self.0.len() as i64)
    }

    fn append_transactional(
        &mut self,
        partition: i32,
        records: Vec<Record>,
        _producer_id: i64,
        _producer_epoch: i16,
        now: Millis,
    ) -> Result<i64, ErrorCode> {
        self.append(partition, records, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(log: &mut InstantLog) -> GroupCoordinator {
        let config = GroupCoordinatorConfig { offsets_topic_num_partitions: 1, ..Default::default() };
        let mut c = GroupCoordinator::new(1, config);
        let batch = RecordBatch::new(log.0.clone());
        c.load(0, 0, std::iter::once(&batch), 0, log, &mut Outbox::default());
        c
    }

    fn offset_fetch(c: &mut GroupCoordinator, log: &mut InstantLog, tp: &TopicPartition) -> Vec<OffsetCommitPartition> {
        let request =
            GroupMessage::OffsetFetchRequest { group_id: "g".into(), partitions: vec![tp.clone()], member: None };
        let mut out = Outbox::default();
        c.on_message(NodeId::Client(9), request, 0, log, &mut out);
        match out.messages.pop() {
            Some((_, crate::protocol::Message::Group(GroupMessage::OffsetFetchResponse { offsets, .. }))) => offsets,
            other => panic!("no OffsetFetchResponse: {other:?}"),
        }
    }

    /// KIP-320: OffsetCommit's `committed_leader_epoch` is stored in the offset commit value
    /// (`GroupCoordinatorRecordHelpers.newOffsetCommitRecord`), OffsetFetch returns it, and a
    /// coordinator that loads the partition after a failover (`CoordinatorLoader`) returns it too.
    #[test]
    fn the_committed_leader_epoch_survives_the_round_trip_and_a_failover() {
        let mut log = InstantLog::default();
        let mut c = loaded(&mut log);
        let tp = TopicPartition::new("t", 0);
        let committed =
            OffsetCommitPartition { topic_partition: tp.clone(), committed_offset: 42, committed_leader_epoch: 3 };
        let request = GroupMessage::OffsetCommitRequest {
            correlation_id: 1,
            group_id: "g".into(),
            generation_id: -1,
            member_id: String::new(),
            group_instance_id: None,
            offsets: vec![committed.clone()],
        };
        let mut out = Outbox::default();
        c.on_message(NodeId::Client(9), request, 0, &mut log, &mut out);
        c.complete_writes(|_| Some(i64::MAX), &mut out);
        assert_eq!(offset_fetch(&mut c, &mut log, &tp), vec![committed.clone()]);
        let mut failover = loaded(&mut log);
        assert_eq!(offset_fetch(&mut failover, &mut log, &tp), vec![committed], "replayed from the log");
        let other = TopicPartition::new("t", 1);
        assert_eq!(
            offset_fetch(&mut failover, &mut log, &other),
            vec![OffsetCommitPartition::without_epoch(other, -1)]
        );
    }
}
