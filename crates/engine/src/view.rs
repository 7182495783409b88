//! The serializable snapshot the UI draws. Built from engine state only, never stored.
//! `log` and `group_log` are the partition-centred views, asked for separately.

pub mod external;
pub mod group_log;
pub mod log;
pub mod processor;
pub mod share_log;
pub mod streams;

use crate::broker::replica::Replica;
pub use crate::broker::BrokerState;
use crate::broker::ControlledShutdown;
pub use crate::broker::ProcessRoles;
use crate::cluster::{TimedFact, World};
use crate::consumer::MemberState;
pub use crate::controller::raft::RaftRole;
use crate::log::CompressionType;
use crate::producer::SendResult;
use crate::protocol::Acks;
use crate::protocol::{IsolationLevel, TopicPartition};
use crate::sim::{Millis, NodeId};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// How many facts and send results a view carries.
const VIEW_FACTS: usize = 200;
const VIEW_RESULTS: usize = 20;

/// Deserialize reads what a live page draws (bridge mode streams Views as JSON): the brokers, the
/// topics, the network, the groups and the real clients; the simulation's own clients and its
/// facts are left empty (the bridge sends facts apart, narrated).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct View {
    pub now_ms: Millis,
    pub events_processed: u64,
    pub brokers: Vec<BrokerView>,
    pub topics: Vec<TopicView>,
    #[serde(default, skip_deserializing)]
    pub producers: Vec<ProducerView>,
    #[serde(default, skip_deserializing)]
    pub in_flight: Vec<MessageView>,
    pub cut_links: Vec<(NodeId, NodeId)>,
    pub slow_nodes: Vec<(NodeId, Millis)>,
    /// The latest facts, oldest first.
    #[serde(default, skip_deserializing)]
    pub facts: Vec<TimedFact>,
    pub groups: Vec<GroupView>,
    #[serde(default, skip_deserializing)]
    pub consumers: Vec<ConsumerView>,
    /// Transactional ids as their coordinators know them.
    #[serde(default, skip_deserializing)]
    pub transactions: Vec<TransactionView>,
    /// Share groups' share partitions on their leaders (KIP-932).
    #[serde(default, skip_deserializing)]
    pub share_partitions: Vec<share_log::SharePartitionView>,
    /// What each consume-transform-produce processor delivered.
    #[serde(default, skip_deserializing)]
    pub processors: Vec<processor::ProcessorAuditView>,
    /// Kafka Streams applications: topology, tasks and stores.
    pub streams: Vec<streams::StreamsAppView>,
    /// Real Kafka clients connected through the bridge (bridge mode), by `client.id` and host.
    #[serde(default)]
    pub external_clients: Vec<external::ExternalClientView>,
}

/// A transactional id at its coordinator (the leader of its `__transaction_state` partition).
#[derive(Debug, Clone, Serialize)]
pub struct TransactionView {
    pub transactional_id: String,
    pub coordinator: i32,
    /// Kafka's state name (`Ongoing`, `PrepareCommit`, ...); the pending one while a write is
    /// in flight.
    pub state: &'static str,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub partitions: Vec<TopicPartition>,
}

/// A transactional producer's side of its transaction.
#[derive(Debug, Clone, Serialize)]
pub struct ProducerTransactionView {
    pub transactional_id: String,
    pub state: crate::producer::transaction::TxnClientState,
    pub committed: u64,
    pub aborted: u64,
}

/// A consumer group as its coordinator knows it. Its names are `Cow`s so that a live page can
/// read a group back from the bridge's JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupView {
    pub group_id: String,
    /// `classic` (JoinGroup/SyncGroup), `consumer` (KIP-848, ConsumerGroupHeartbeat) or
    /// `share` (KIP-932, ShareGroupHeartbeat).
    pub protocol: Cow<'static, str>,
    /// How the group rebalances: `eager`, `cooperative` (classic), `incremental` (consumer) or
    /// `none` (share: partitions are shared, nothing is revoked).
    pub rebalance: Cow<'static, str>,
    /// Consumer protocol: the epoch of the target assignment (the group epoch is
    /// `generation_id`).
    pub target_assignment_epoch: Option<i32>,
    pub coordinator: i32,
    pub state: Cow<'static, str>,
    pub generation_id: i32,
    /// The assignor the group voted for (`range`, `cooperative-sticky`, ...).
    pub protocol_name: Option<String>,
    pub leader: Option<String>,
    pub members: Vec<GroupMemberView>,
    pub offsets: Vec<GroupOffsetView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupMemberView {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client: NodeId,
    /// What the member owns now (consumer protocol: its current assignment).
    pub assignment: Vec<TopicPartition>,
    /// Consumer protocol: the member epoch.
    pub member_epoch: Option<i32>,
    /// Consumer protocol: `STABLE`, `UNREVOKED_PARTITIONS` or `UNRELEASED_PARTITIONS`.
    pub reconcile_state: Option<Cow<'static, str>>,
    /// Consumer protocol: the member's target assignment.
    pub target: Option<Vec<TopicPartition>>,
    /// Consumer protocol: what it must revoke before its epoch advances.
    pub pending_revocation: Vec<TopicPartition>,
    /// Consumer protocol: the member speaks the classic protocol (online migration).
    pub classic_member: bool,
}

/// What `kafka-consumer-groups --describe` shows per partition: LOG-END-OFFSET is the
/// high watermark a consumer can read to, and LAG = that minus the committed offset (the tool
/// lists offsets with `ListOffsetsOptions`' default read_uncommitted, whatever the group reads). The owner's
/// fetch position is shown too: committed offsets move only with each commit (every
/// `auto.commit.interval.ms`), so lag from the position is the one that moves smoothly.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupOffsetView {
    pub topic: String,
    pub partition: i32,
    pub committed_offset: i64,
    /// KIP-320: the leader epoch of the last consumed record, committed with the offset (-1 unknown).
    pub committed_leader_epoch: i32,
    pub log_end_offset: i64,
    pub lag: i64,
    /// The next offset the member that owns the partition fetches; -1 while nobody owns it.
    pub position: i64,
    /// The owner's `records-lag`: the high watermark minus the position, or for a
    /// read_committed owner the LSO minus the position (0 while nobody owns the partition).
    pub position_lag: i64,
    /// The owner reads with `isolation.level=read_committed`, so `position_lag` ends at the LSO.
    pub read_committed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsumerView {
    pub id: u32,
    pub client: NodeId,
    pub name: String,
    pub group_id: String,
    pub running: bool,
    pub member_id: String,
    pub generation_id: i32,
    pub state: MemberState,
    pub assignment: Vec<TopicPartition>,
    pub positions: Vec<(TopicPartition, i64)>,
    pub polled_records: u64,
    pub processed_records: u64,
    pub duplicates: u64,
    pub skipped: u64,
    /// `client.rack` (KIP-392); empty: none.
    pub client_rack: String,
    /// For each owned partition, the broker it fetches from now: the leader, or a follower the
    /// leader named its preferred read replica (KIP-392).
    pub reading_from: Vec<(TopicPartition, i32)>,
    /// The declared listener, if the consumer has one.
    pub listener: Option<ListenerView>,
}

/// A consumer's declared listener (`ConsumerApp::program`) and what it did so far.
#[derive(Debug, Clone, Serialize)]
pub struct ListenerView {
    /// The program in the editor's `[[rule]]` / `[error_handler]` form.
    pub program: String,
    pub stats: crate::consumer::program::ListenerStats,
    /// The consumer thread sleeps a `DefaultErrorHandler` back-off until then.
    pub backing_off_until: Option<Millis>,
    /// Retry-topic partitions paused until their record is due.
    pub paused: Vec<(TopicPartition, Millis)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BrokerView {
    pub id: i32,
    pub state: BrokerState,
    /// The controller's metadata has this broker fenced (or not registered). A dead broker stays
    /// unfenced, and keeps its leaderships, until its session times out.
    pub fenced: bool,
    pub is_controller: bool,
    /// `process.roles`: a dedicated controller (`controller` only) hosts no replicas.
    pub roles: ProcessRoles,
    /// Its role in the controller quorum while it runs as a voter (None: an observer or down):
    /// a prospective asks for pre-votes, a resigned leader waits for a successor.
    pub quorum_role: Option<RaftRole>,
    /// A graceful stop is under way: the controller is moving its leaderships away.
    pub shutting_down: bool,
    /// `broker.rack`, if set.
    pub rack: Option<String>,
    pub replicas: Vec<ReplicaView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaRole {
    Leader,
    Follower,
}

impl ReplicaRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaRole::Leader => "leader",
            ReplicaRole::Follower => "follower",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplicaView {
    pub topic: String,
    pub partition: i32,
    pub role: ReplicaRole,
    pub in_isr: bool,
    pub leader_epoch: i32,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    pub high_watermark: i64,
    pub segments: usize,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartitionView {
    pub partition: i32,
    pub replicas: Vec<i32>,
    pub leader: i32,
    pub leader_epoch: i32,
    pub isr: Vec<i32>,
    /// Eligible leader replicas (KIP-966): out of the ISR, yet safe to elect.
    pub elr: Vec<i32>,
    /// The last leader, remembered once the ISR and ELR emptied.
    pub last_known_elr: Vec<i32>,
    /// A reassignment's new replicas, catching up as followers (KIP-455).
    pub adding_replicas: Vec<i32>,
    /// A reassignment's old replicas, removed once every adding replica is in the ISR.
    pub removing_replicas: Vec<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicView {
    pub name: String,
    /// Kafka's internal topics (`__consumer_offsets`), which a UI may fold away.
    pub internal: bool,
    pub cleanup_policy: String,
    pub min_insync_replicas: i32,
    pub partitions: Vec<PartitionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProducerView {
    pub id: u32,
    /// The client node of the running process (or of the last one, once crashed).
    pub client: NodeId,
    pub name: String,
    pub running: bool,
    pub acks: Acks,
    pub enable_idempotence: bool,
    /// `compression.type`: the codec of its batches.
    pub compression_type: CompressionType,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub waiting_records: usize,
    pub in_flight_requests: usize,
    pub acked_records: u64,
    pub failed_records: u64,
    /// The latest send results, oldest first.
    pub results: Vec<SendResult>,
    /// With `transactional.id`.
    pub transaction: Option<ProducerTransactionView>,
}

/// A message on the wire; the UI interpolates its position between the two times.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: &'static str,
    pub sent_at_ms: Millis,
    pub arrive_at_ms: Millis,
}

fn replica_view(broker: i32, r: &Replica) -> ReplicaView {
    ReplicaView {
        topic: r.topic_partition.topic.to_string(),
        partition: r.topic_partition.partition,
        role: if r.leader == broker { ReplicaRole::Leader } else { ReplicaRole::Follower },
        in_isr: r.isr.contains(&broker),
        leader_epoch: r.leader_epoch,
        log_start_offset: r.log.log_start_offset(),
        log_end_offset: r.log.log_end_offset(),
        high_watermark: r.high_watermark,
        segments: r.log.segments().len(),
        size_bytes: r.log.size_in_bytes(),
    }
}

impl World {
    /// Every transactional id on a live broker that coordinates it, by id.
    fn transaction_views(&self) -> Vec<TransactionView> {
        let mut views: Vec<TransactionView> = self
            .brokers()
            .filter(|b| b.state != crate::broker::BrokerState::Dead)
            .flat_map(|b| {
                let c = &b.volatile.txn_coordinator;
                c.transactions().map(move |m| TransactionView {
                    transactional_id: m.transactional_id.clone(),
                    coordinator: b.id,
                    state: c.shown_state(&m.transactional_id).unwrap_or(m.state).name(),
                    producer_id: m.producer_id,
                    producer_epoch: m.producer_epoch,
                    partitions: m.partitions.iter().cloned().collect(),
                })
            })
            .collect();
        views.sort_by(|a, b| a.transactional_id.cmp(&b.transactional_id));
        views
    }
}

/// How much of the world a [`View`] copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Full,
    Outline,
}

impl World {
    /// A snapshot of everything the UI draws.
    pub fn view(&self) -> View {
        self.view_in(Detail::Full)
    }

    /// The view without its per-replica, per-partition and per-message parts (`replicas`,
    /// `partitions` and `in_flight` are empty): a page of 100 brokers reads this while playing,
    /// since copying 30,000 replicas and 10,000 partitions twice a second costs a frame.
    pub fn outline(&self) -> View {
        self.view_in(Detail::Outline)
    }

    fn view_in(&self, detail: Detail) -> View {
        let full = detail == Detail::Full;
        let controller = self.active_controller();
        // Only the tail: the history can hold 100,000 facts.
        let mut facts: Vec<TimedFact> = self.facts().rev().take(VIEW_FACTS).cloned().collect();
        facts.reverse();
        let groups = self.group_views();
        View {
            now_ms: self.now(),
            events_processed: self.events_processed(),
            brokers: self
                .brokers()
                .map(|b| BrokerView {
                    id: b.id,
                    state: self.broker_state(b.id).unwrap_or(b.state),
                    fenced: b.roles.broker && self.metadata().brokers.get(&b.id).is_none_or(|r| r.fenced),
                    roles: b.roles,
                    is_controller: controller == Some(b.id),
                    quorum_role: (b.state != BrokerState::Dead && b.raft.is_voter()).then_some(b.raft.volatile.role),
                    shutting_down: b.state != BrokerState::Dead
                        && b.volatile.controlled_shutdown != ControlledShutdown::Running,
                    rack: b.config.rack.clone(),
                    replicas: if full {
                        b.durable.replicas.values().map(|r| replica_view(b.id, r)).collect()
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
            topics: self
                .metadata()
                .topics
                .values()
                .map(|t| TopicView {
                    internal: t.name.starts_with("__"),
                    name: t.name.to_string(),
                    cleanup_policy: t.config.log.cleanup_policy.name().to_string(),
                    min_insync_replicas: t.config.min_insync_replicas,
                    partitions: t
                        .partitions
                        .iter()
                        .take(if full { usize::MAX } else { 0 })
                        .enumerate()
                        .map(|(i, p)| PartitionView {
                            partition: i as i32,
                            replicas: p.replicas.clone(),
                            leader: p.leader,
                            leader_epoch: p.leader_epoch,
                            isr: p.isr.clone(),
                            elr: p.elr.clone(),
                            last_known_elr: p.last_known_elr.clone(),
                            adding_replicas: p.adding_replicas().to_vec(),
                            removing_replicas: p.removing_replicas().to_vec(),
                        })
                        .collect(),
                })
                .collect(),
            producers: self
                .producers()
                .map(|p| ProducerView {
                    id: p.id,
                    client: NodeId::Client(p.node),
                    name: p.name.clone(),
                    running: self.producer_running(p.id),
                    acks: p.config.acks,
                    enable_idempotence: p.config.enable_idempotence,
                    compression_type: p.config.compression_type,
                    producer_id: p.producer_id,
                    producer_epoch: p.producer_epoch,
                    waiting_records: p.waiting_records(),
                    in_flight_requests: p.in_flight_requests(),
                    acked_records: p.acked_records,
                    failed_records: p.failed_records,
                    results: {
                        let all: Vec<&SendResult> = p.results().collect();
                        all[all.len().saturating_sub(VIEW_RESULTS)..].iter().map(|r| (*r).clone()).collect()
                    },
                    transaction: p.transaction().map(|t| ProducerTransactionView {
                        transactional_id: t.transactional_id.clone(),
                        state: t.state,
                        committed: t.committed,
                        aborted: t.aborted,
                    }),
                })
                .collect(),
            in_flight: self
                .network()
                .in_flight()
                .take(if full { usize::MAX } else { 0 })
                .map(|e| MessageView {
                    id: e.id,
                    from: e.from,
                    to: e.to,
                    kind: e.body.kind(),
                    sent_at_ms: e.sent_at,
                    arrive_at_ms: e.arrive_at,
                })
                .collect(),
            cut_links: self.network().cuts().collect(),
            slow_nodes: self.network().slow_nodes().collect(),
            facts,
            external_clients: self.external_client_views(&groups),
            groups,
            consumers: self.consumer_views(),
            transactions: self.transaction_views(),
            share_partitions: self.share_partitions(None),
            processors: self.processor_audits(),
            streams: self.streams_views(),
        }
    }

    /// The high watermark of a partition on its leader (-1 if it has none).
    pub fn high_watermark(&self, tp: &TopicPartition) -> i64 {
        self.metadata()
            .partition(tp)
            .and_then(|p| self.broker(p.leader))
            .and_then(|b| b.durable.replicas.get(tp))
            .map_or(-1, |r| r.high_watermark)
    }

    /// The last stable offset of a partition on its leader (-1 if it has none): where a
    /// read_committed consumer's reading ends.
    pub fn last_stable_offset(&self, tp: &TopicPartition) -> i64 {
        self.metadata()
            .partition(tp)
            .and_then(|p| self.broker(p.leader))
            .and_then(|b| b.durable.replicas.get(tp))
            .map_or(-1, |r| r.last_stable_offset())
    }

    /// The offset a consumer's lag is measured to: Kafka's `SubscriptionState.partitionLag`
    /// takes the LSO for read_committed and the high watermark for read_uncommitted.
    pub fn lag_end(&self, isolation_level: IsolationLevel, tp: &TopicPartition) -> i64 {
        match isolation_level {
            IsolationLevel::ReadCommitted => self.last_stable_offset(tp),
            IsolationLevel::ReadUncommitted => self.high_watermark(tp),
        }
    }

    /// Groups from the live coordinators, by group id.
    pub fn group_views(&self) -> Vec<GroupView> {
        let mut groups: Vec<GroupView> = Vec::new();
        for broker in self.brokers().filter(|b| b.state != BrokerState::Dead) {
            let coordinator = &broker.volatile.group_coordinator;
            for group in coordinator.consumer_protocol_groups().filter(|g| coordinator.is_coordinator_for(&g.group_id))
            {
                groups.push(GroupView {
                    group_id: group.group_id.clone(),
                    protocol: "consumer".into(),
                    rebalance: "incremental".into(),
                    target_assignment_epoch: Some(group.target_assignment_epoch),
                    coordinator: broker.id,
                    state: group.state().name().into(),
                    generation_id: group.group_epoch,
                    protocol_name: group.assignor.map(|a| a.name().to_string()),
                    leader: None,
                    members: group
                        .members
                        .values()
                        .map(|m| GroupMemberView {
                            member_id: m.member_id.clone(),
                            group_instance_id: m.instance_id.clone(),
                            client: m.client,
                            assignment: m.assigned.iter().cloned().collect(),
                            member_epoch: Some(m.member_epoch),
                            reconcile_state: Some(m.state.name().into()),
                            target: Some(
                                group.target_assignment.get(&m.member_id).into_iter().flatten().cloned().collect(),
                            ),
                            pending_revocation: m.pending_revocation.iter().cloned().collect(),
                            classic_member: m.classic.is_some(),
                        })
                        .collect(),
                    offsets: Vec::new(),
                });
            }
            for group in coordinator.classic_groups().filter(|g| coordinator.is_coordinator_for(&g.group_id)) {
                let cooperative = group.protocol_name.as_deref().is_some_and(|p| {
                    p.parse::<crate::group::assignor::Strategy>().is_ok_and(|s| s.supports_cooperative())
                });
                groups.push(GroupView {
                    group_id: group.group_id.clone(),
                    protocol: "classic".into(),
                    rebalance: if cooperative { "cooperative" } else { "eager" }.into(),
                    target_assignment_epoch: None,
                    coordinator: broker.id,
                    state: group.state.name().into(),
                    generation_id: group.generation_id,
                    protocol_name: group.protocol_name.clone(),
                    leader: group.leader_id.clone(),
                    members: group
                        .members
                        .iter()
                        .map(|m| GroupMemberView {
                            member_id: m.member_id.clone(),
                            group_instance_id: m.group_instance_id.clone(),
                            client: m.client,
                            assignment: m.assignment.clone(),
                            member_epoch: None,
                            reconcile_state: None,
                            target: None,
                            pending_revocation: Vec::new(),
                            classic_member: false,
                        })
                        .collect(),
                    offsets: Vec::new(),
                });
            }
            for g in groups.iter_mut().filter(|g| g.coordinator == broker.id && g.protocol != "share") {
                g.offsets = self.group_offset_views(coordinator, &g.group_id, &g.members);
            }
        }
        for broker in self.brokers().filter(|b| b.state != BrokerState::Dead) {
            let coordinator = &broker.volatile.group_coordinator;
            for group in coordinator.share_groups().filter(|g| coordinator.is_coordinator_for(&g.group_id)) {
                groups.push(GroupView {
                    group_id: group.group_id.clone(),
                    protocol: "share".into(),
                    rebalance: "none".into(),
                    target_assignment_epoch: None,
                    coordinator: broker.id,
                    state: if group.members.is_empty() { "Empty" } else { "Stable" }.into(),
                    generation_id: group.group_epoch,
                    protocol_name: Some("simple".to_string()),
                    leader: None,
                    members: group
                        .members
                        .values()
                        .map(|m| GroupMemberView {
                            member_id: m.member_id.clone(),
                            group_instance_id: None,
                            client: m.client,
                            assignment: m.assignment.iter().cloned().collect(),
                            member_epoch: Some(m.member_epoch),
                            reconcile_state: None,
                            target: None,
                            pending_revocation: Vec::new(),
                            classic_member: false,
                        })
                        .collect(),
                    offsets: Vec::new(),
                });
            }
        }
        groups.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        groups
    }

    /// A group's committed offsets with the log end and the owner's position (a simulated
    /// consumer's, or the fetch offset of a real client's member).
    fn group_offset_views(
        &self,
        coordinator: &crate::group::coordinator::GroupCoordinator,
        group_id: &str,
        members: &[GroupMemberView],
    ) -> Vec<GroupOffsetView> {
        coordinator
            .offsets
            .get(group_id)
            .map(|m| {
                m.iter()
                    .map(|(tp, o)| {
                        let log_end_offset = self.high_watermark(tp);
                        let owner = self
                            .consumers()
                            .filter(|c| c.group_id() == group_id && self.consumer_running(c.id))
                            .filter(|c| c.assignment.contains(tp))
                            .find_map(|c| c.positions.get(tp).map(|p| (*p, c.config.isolation_level)))
                            .or_else(|| {
                                let member = members.iter().find(|m| m.assignment.contains(tp))?;
                                let (position, read_committed) = self.external_position(member.client, tp)?;
                                let isolation = if read_committed {
                                    IsolationLevel::ReadCommitted
                                } else {
                                    IsolationLevel::ReadUncommitted
                                };
                                Some((position, isolation))
                            });
                        let (position, position_lag, read_committed) = match owner {
                            Some((position, isolation)) => (
                                position,
                                (self.lag_end(isolation, tp) - position).max(0),
                                isolation == IsolationLevel::ReadCommitted,
                            ),
                            None => (-1, 0, false),
                        };
                        GroupOffsetView {
                            topic: tp.topic.to_string(),
                            partition: tp.partition,
                            committed_offset: o.committed_offset,
                            committed_leader_epoch: o.leader_epoch,
                            log_end_offset,
                            lag: (log_end_offset - o.committed_offset).max(0),
                            position,
                            position_lag,
                            read_committed,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn consumer_views(&self) -> Vec<ConsumerView> {
        self.consumers()
            .map(|c| ConsumerView {
                id: c.id,
                client: NodeId::Client(c.node),
                name: c.name.clone(),
                group_id: c.group_id().to_string(),
                running: self.consumer_running(c.id),
                member_id: c.member_id.clone(),
                generation_id: c.generation_id,
                state: c.state,
                assignment: c.assignment.iter().cloned().collect(),
                positions: c.positions.iter().map(|(tp, o)| (tp.clone(), *o)).collect(),
                polled_records: c.polled_records,
                processed_records: c.processed_records,
                duplicates: c.duplicates,
                skipped: c.skipped,
                client_rack: c.config.client_rack.clone(),
                reading_from: c
                    .assignment
                    .iter()
                    .filter_map(|tp| c.read_replica(tp, self.now()).map(|b| (tp.clone(), b)))
                    .collect(),
                listener: c.app.program.as_ref().map(|p| ListenerView {
                    program: p.to_toml(),
                    stats: c.listener_stats,
                    backing_off_until: c.backing_off_until,
                    paused: c.paused_until.iter().map(|(tp, until)| (tp.clone(), *until)).collect(),
                }),
            })
            .collect()
    }
}

#[cfg(test)]
mod live_tests {
    use crate::cluster::{Action, World, WorldConfig};
    use crate::sim::NodeId;

    /// Bridge mode streams Views as JSON to a live page, which reads back the brokers, the
    /// topics and the network it draws.
    #[test]
    fn a_view_read_back_from_json_keeps_brokers_topics_and_cut_links() {
        let mut world = World::new(WorldConfig::default(), 3).unwrap();
        world
            .apply(Action::CreateTopic { name: "orders".into(), partitions: 2, replication_factor: 3, configs: vec![] })
            .unwrap();
        world.apply(Action::CutLink { from: NodeId::Broker(1), to: NodeId::Broker(2), both: false }).unwrap();
        world.apply(Action::KillBroker { broker: 3 }).unwrap();
        world.run_until(3_000);
        let view = world.view();
        let back: super::View = serde_json::from_str(&serde_json::to_string(&view).unwrap()).unwrap();
        assert_eq!(back.now_ms, view.now_ms);
        assert_eq!(serde_json::to_value(&back.brokers).unwrap(), serde_json::to_value(&view.brokers).unwrap());
        assert_eq!(serde_json::to_value(&back.topics).unwrap(), serde_json::to_value(&view.topics).unwrap());
        assert_eq!(back.cut_links, vec![(NodeId::Broker(1), NodeId::Broker(2))]);
        assert_eq!(back.brokers[2].state, super::BrokerState::Dead);
        assert!(back.facts.is_empty() && back.producers.is_empty(), "the simulation's clients stay out");
    }

    #[test]
    fn an_outline_is_the_view_without_replicas_partitions_and_messages() {
        let mut world = crate::cluster::workload::reference(3);
        world.run_until(2_000);
        let mut view = world.view();
        assert!(view.brokers.iter().all(|b| !b.replicas.is_empty()));
        assert!(view.topics.iter().all(|t| !t.partitions.is_empty()) && !view.in_flight.is_empty());
        for broker in &mut view.brokers {
            broker.replicas.clear();
        }
        for topic in &mut view.topics {
            topic.partitions.clear();
        }
        view.in_flight.clear();
        assert_eq!(serde_json::to_value(world.outline()).unwrap(), serde_json::to_value(view).unwrap());
    }

    /// The live page draws the groups and the real clients from the JSON too.
    #[test]
    fn a_view_read_back_from_json_keeps_groups_and_real_clients() {
        let mut world = World::new(WorldConfig::default(), 3).unwrap();
        world
            .apply(Action::CreateTopic { name: "orders".into(), partitions: 2, replication_factor: 3, configs: vec![] })
            .unwrap();
        world
            .apply(Action::AddConsumer {
                name: "billing".into(),
                topics: vec!["orders".into()],
                configs: vec![("group.id".into(), "billing".into())],
                app: Default::default(),
            })
            .unwrap();
        let client = world.connect_external_client(1).unwrap();
        world.set_external_peer(client, "127.0.0.1:40000");
        world.note_external_request(client, "kcat", "Metadata");
        world.run_until(20_000);
        let view = world.view();
        assert!(!view.groups.is_empty() && !view.external_clients.is_empty());
        let back: super::View = serde_json::from_str(&serde_json::to_string(&view).unwrap()).unwrap();
        assert_eq!(serde_json::to_value(&back.groups).unwrap(), serde_json::to_value(&view.groups).unwrap());
        assert_eq!(back.external_clients, view.external_clients);
        assert_eq!(back.external_clients[0].client_id, "kcat");
    }
}
