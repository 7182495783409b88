//! A broker: its partition replicas, produce and fetch handling, the follower fetchers, and (in
//! KRaft combined mode) a Raft node of the controller quorum that may host the active controller.
//!
//! Like every node, a broker is a pure state machine: messages and timers go in, an [`Outbox`] of
//! messages, timers and facts comes out.

mod consumer_requests;
mod internal_log;
mod kraft;
mod produce;
pub mod producer_state;
mod read_replica;
pub mod replica;
mod replication;
pub mod share_coordinator;
pub mod share_fetch;
mod transactions;
pub mod txn_state;

use crate::controller::metadata::MetadataImage;
use crate::controller::quorum::{ControllerConfig, QuorumController};
use crate::controller::raft::{RaftConfig, RaftNode, RaftTimer};
use crate::group::coordinator::{GroupCoordinator, GroupCoordinatorConfig};
use crate::group::share::partition::ShareConfig;
use crate::narration::Fact;
use crate::node::{Node, Outbox};
use crate::protocol::{
    ClientMessage, ControllerMessage, Message, PartitionMetadata, ReplicationMessage, TopicPartition,
};
use crate::sim::{Millis, NodeId};
use crate::txn::coordinator::{TransactionCoordinator, TxnCoordinatorConfig};
use consumer_requests::{ConsumerFetch, ConsumerFetchPurgatory};
use produce::DelayedProduce;
use rand::Rng;
pub use read_replica::ReplicaSelector;
use replica::Replica;
use replication::DelayedFetch;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How a follower that meets a new leader finds where its log stops being valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TruncationMode {
    /// Kafka since 0.11 (KIP-101/279): by leader epoch, with the leader's help.
    LeaderEpoch,
    /// Kafka before 0.11: cut back to the local high watermark. Kept to show its anomalies.
    HighWatermark,
}

/// Broker settings with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BrokerConfig {
    /// `replica.fetch.wait.max.ms`: how long a leader holds a follower's empty fetch.
    pub replica_fetch_wait_max_ms: Millis,
    /// `replica.fetch.backoff.ms`: pause after a failed fetch.
    pub replica_fetch_backoff_ms: Millis,
    /// `replica.fetch.max.bytes`.
    pub replica_fetch_max_bytes: usize,
    /// `replica.socket.timeout.ms`: a fetch with no answer this long is given up and retried.
    pub replica_socket_timeout_ms: Millis,
    /// `replica.lag.time.max.ms`: a follower not caught up this long leaves the ISR.
    pub replica_lag_time_max_ms: Millis,
    /// `broker.heartbeat.interval.ms`.
    pub broker_heartbeat_interval_ms: Millis,
    /// `log.retention.check.interval.ms`.
    pub log_retention_check_interval_ms: Millis,
    /// `log.cleaner.backoff.ms`: how often the cleaner looks for a log to compact.
    pub log_cleaner_backoff_ms: Millis,
    pub truncation: TruncationMode,
    /// `broker.rack`: set per broker from the world config's `racks`.
    pub rack: Option<String>,
    /// `replica.selector.class` (KIP-392): who answers a consumer's fetch with a preferred read
    /// replica. Kafka's default is none, so every consumer reads from the leader.
    pub replica_selector: ReplicaSelector,
    pub controller: ControllerConfig,
    pub raft: RaftConfig,
    /// The group coordinator's settings (`offsets.topic.num.partitions`, ...).
    pub group_coordinator: GroupCoordinatorConfig,
    /// The transaction coordinator's settings (`transaction.state.log.num.partitions`, ...).
    pub txn_coordinator: TxnCoordinatorConfig,
    /// Share groups' record delivery (`group.share.delivery.count.limit`, ...).
    pub share: ShareConfig,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            replica_fetch_wait_max_ms: 500,
            replica_fetch_backoff_ms: 1000,
            replica_fetch_max_bytes: 1_048_576,
            replica_socket_timeout_ms: 30_000,
            replica_lag_time_max_ms: 30_000,
            broker_heartbeat_interval_ms: 2000,
            log_retention_check_interval_ms: 300_000,
            log_cleaner_backoff_ms: 15_000,
            truncation: TruncationMode::LeaderEpoch,
            rack: None,
            replica_selector: ReplicaSelector::Leader,
            controller: ControllerConfig::default(),
            raft: RaftConfig::default(),
            group_coordinator: GroupCoordinatorConfig::default(),
            txn_coordinator: TxnCoordinatorConfig::default(),
            share: ShareConfig::default(),
        }
    }
}

/// Kafka's `process.roles`: a node is a broker, a controller (a voter of the metadata quorum), or
/// both (combined mode, as the small presets run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ProcessRoles {
    pub broker: bool,
    pub controller: bool,
}

impl ProcessRoles {
    pub const COMBINED: ProcessRoles = ProcessRoles { broker: true, controller: true };
    pub const BROKER: ProcessRoles = ProcessRoles { broker: true, controller: false };
    pub const CONTROLLER: ProcessRoles = ProcessRoles { broker: false, controller: true };

    /// As `process.roles` is written.
    pub fn as_str(self) -> &'static str {
        match (self.broker, self.controller) {
            (true, true) => "broker,controller",
            (true, false) => "broker",
            (false, true) => "controller",
            (false, false) => "",
        }
    }

    /// A dedicated controller: no partitions, no clients, no registration as a broker.
    pub fn controller_only(self) -> bool {
        self.controller && !self.broker
    }
}

/// A broker as the UI shows it: running, running but fenced by the controller, or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrokerState {
    Alive,
    Fenced,
    Dead,
}

impl BrokerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BrokerState::Alive => "alive",
            BrokerState::Fenced => "fenced",
            BrokerState::Dead => "dead",
        }
    }
}

/// Where a graceful stop stands (Kafka's `BrokerLifecycleManager`: PENDING_CONTROLLED_SHUTDOWN,
/// then the shutdown of the Raft client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ControlledShutdown {
    #[default]
    Running,
    /// Heartbeats carry `wantShutDown` until the controller answers `shouldShutDown`;
    /// `answered` once a first refusal came (the next heartbeat then follows in 50 ms).
    Pending { answered: bool },
    /// Granted, and this broker led the quorum: it resigned in `epoch` and waits for a
    /// successor's epoch (`KafkaRaftClient`'s graceful shutdown), at most [`RAFT_SHUTDOWN_TIMEOUT_MS`].
    Resigning { epoch: i32 },
    /// Nothing left to hand over: the process stops.
    Done,
}

/// How long a resigned quorum leader waits for its successor before it stops anyway (Kafka's
/// `RaftManager` shuts its client down with a 5 s timeout).
pub const RAFT_SHUTDOWN_TIMEOUT_MS: Millis = 5000;

/// Timers a broker sets for itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timer {
    /// An acks=all produce waited `timeout_ms` for the ISR.
    DelayedProduceTimeout {
        client: NodeId,
        correlation_id: u64,
    },
    /// A follower's parked fetch waited `replica.fetch.wait.max.ms`.
    DelayedFetchTimeout {
        replica_id: i32,
        token: u64,
    },
    /// This broker, as a follower, fetches again from `leader`.
    Fetch {
        leader: i32,
    },
    /// The fetch `token` to `leader` got no answer in `replica.socket.timeout.ms`.
    FetchTimeout {
        leader: i32,
        token: u64,
    },
    RetentionCheck,
    CleanerCheck,
    /// The leader's ISR check, every `replica.lag.time.max.ms / 2`.
    IsrCheck,
    /// Register with, or heartbeat to, the active controller.
    Heartbeat {
        token: u64,
    },
    Raft(RaftTimer),
    /// The active controller of quorum `epoch` looks for expired broker sessions.
    ControllerTick {
        epoch: i32,
    },
    /// The active controller of quorum `epoch` runs preferred leader elections.
    PreferredElection {
        epoch: i32,
    },
    /// A group coordinator timer (sessions, join and sync phases, write timeouts).
    Group(crate::group::coordinator::Timer),
    /// A consumer's parked fetch waited `fetch.max.wait.ms`.
    ConsumerFetchTimeout {
        token: u64,
    },
    /// A resigned quorum leader stops even if no successor showed up.
    ShutdownTimeout,
    /// A transaction coordinator timer.
    Txn(crate::txn::coordinator::Timer),
    /// A produce request's transaction verification got no answer in its timeout.
    VerificationTimeout {
        token: u64,
    },
    /// Share partitions' acquisition locks run out at `at`.
    ShareLocks {
        at: Millis,
    },
}

/// The quorum's timers travel as broker timers.
impl From<RaftTimer> for Timer {
    fn from(timer: RaftTimer) -> Self {
        Timer::Raft(timer)
    }
}

/// What survives a crash: the partition logs on disk, and the metadata the broker rebuilds from
/// the metadata log on disk (the image, what it tells clients, its producer id block).
#[derive(Debug, Clone)]
pub struct BrokerDurable {
    pub replicas: BTreeMap<TopicPartition, Replica>,
    /// `replicas` grouped by the leader each believes in (-1: none), kept with every change of a
    /// replica's leader, so that a fetcher finds what it asks its leader for without scanning
    /// every replica (with 100 brokers and 10,000 partitions that scan dominated).
    by_leader: BTreeMap<i32, BTreeSet<TopicPartition>>,
    /// The committed metadata this broker has applied.
    pub image: MetadataImage,
    /// What this broker tells clients about partition leaders.
    pub metadata_cache: Vec<PartitionMetadata>,
    next_producer_id: i64,
    /// Kafka's clean shutdown file (`CleanShutdownFileHandler`): the broker epoch a controlled
    /// shutdown ended, read by the next registration as its `previousBrokerEpoch`, so that the
    /// controller keeps the broker in the ELR (KIP-966). A crash writes none.
    clean_shutdown_epoch: Option<i64>,
}

/// What a crash loses: purgatories, fetchers, the controller role, the registration, the group
/// coordinator's memory.
#[derive(Debug, Clone)]
pub struct BrokerVolatile {
    /// Present while this broker hosts the active controller.
    pub controller: Option<QuorumController>,
    /// Controller answers waiting for their records to commit: (log end offset, to, answer).
    pending_replies: Vec<(i64, NodeId, ControllerMessage)>,
    /// The epoch the controller gave this broker's registration (-1: not registered).
    pub broker_epoch: i64,
    /// Kafka's incarnation id: tells this process's registrations from a restarted one's (the
    /// engine uses the virtual time the process started, unique per broker).
    incarnation_id: Millis,
    delayed_produces: Vec<DelayedProduce>,
    delayed_fetches: BTreeMap<i32, DelayedFetch>,
    /// One fetcher per source broker, as in Kafka: `Some` while a fetch is in flight.
    fetching_from: BTreeMap<i32, Option<replication::FetchInFlight>>,
    /// Re-publish every partition once the metadata catches up (after a restart).
    republish_all: bool,
    heartbeat_token: u64,
    /// A graceful stop in progress.
    pub controlled_shutdown: ControlledShutdown,
    /// The group coordinator for the `__consumer_offsets` partitions this broker leads; its
    /// groups are reloaded from the log.
    pub group_coordinator: GroupCoordinator,
    consumer_fetches: ConsumerFetchPurgatory,
    /// The transaction coordinator for the `__transaction_state` partitions this broker leads.
    pub txn_coordinator: TransactionCoordinator,
    /// Produce requests waiting for their transaction's verification, by request token.
    verifying_produces: BTreeMap<u64, transactions::VerifyingProduce>,
    /// The share partitions of the partitions this broker leads (KIP-932).
    pub share: share_fetch::SharePartitionManager,
    /// The share coordinator for the `__share_group_state` partitions this broker leads.
    pub share_coordinator: share_coordinator::ShareCoordinator,
}

impl BrokerVolatile {
    fn new(id: i32, config: &BrokerConfig, republish_all: bool) -> Self {
        BrokerVolatile {
            controller: None,
            pending_replies: Vec::new(),
            broker_epoch: -1,
            incarnation_id: 0,
            delayed_produces: Vec::new(),
            delayed_fetches: BTreeMap::new(),
            fetching_from: BTreeMap::new(),
            republish_all,
            heartbeat_token: 0,
            controlled_shutdown: ControlledShutdown::Running,
            group_coordinator: GroupCoordinator::new(id, config.group_coordinator.clone()),
            consumer_fetches: ConsumerFetchPurgatory::default(),
            txn_coordinator: TransactionCoordinator::new(id, config.txn_coordinator.clone()),
            verifying_produces: BTreeMap::new(),
            share: share_fetch::SharePartitionManager::default(),
            share_coordinator: share_coordinator::ShareCoordinator::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Broker {
    pub id: i32,
    /// `process.roles`: broker, controller or both.
    pub roles: ProcessRoles,
    /// Whether the process runs: `Alive` or `Dead` (fencing is the controller's view).
    pub state: BrokerState,
    pub config: BrokerConfig,
    /// This broker's member of the metadata quorum (voter or observer), itself split into
    /// durable and volatile state.
    pub raft: RaftNode,
    pub durable: BrokerDurable,
    pub volatile: BrokerVolatile,
    /// Source of tokens; never reset, so nothing from before a crash matches after it.
    next_token: u64,
}

impl Broker {
    pub fn new(id: i32, roles: ProcessRoles, voters: Vec<i32>, config: BrokerConfig) -> Self {
        Broker {
            id,
            roles,
            state: BrokerState::Alive,
            raft: RaftNode::new(id, voters, config.raft.clone()),
            durable: BrokerDurable {
                replicas: BTreeMap::new(),
                by_leader: BTreeMap::new(),
                image: MetadataImage::new(),
                metadata_cache: Vec::new(),
                next_producer_id: id as i64 * 1_000_000,
                clean_shutdown_epoch: None,
            },
            volatile: BrokerVolatile::new(id, &config, false),
            config,
            next_token: 0,
        }
    }

    /// A message this broker does not serve: a simulator bug, reported as a fact.
    fn misrouted(&self, from: NodeId, kind: &'static str, out: &mut Outbox<Timer>) {
        out.fact(Fact::MessageMisrouted { from, to: NodeId::Broker(self.id), kind });
    }

    /// Client requests; the responses are for clients.
    fn on_client_message(&mut self, from: NodeId, message: ClientMessage, now: Millis, out: &mut Outbox<Timer>) {
        match message {
            ClientMessage::MetadataRequest => {
                out.send(from, ClientMessage::MetadataResponse { partitions: self.durable.metadata_cache.clone() });
            }
            ClientMessage::InitProducerIdRequest { producer_id, producer_epoch } => {
                let (producer_id, producer_epoch) = self.init_producer_id(producer_id, producer_epoch);
                out.send(from, ClientMessage::InitProducerIdResponse { producer_id, producer_epoch });
            }
            ClientMessage::ProduceRequest { correlation_id, transactional_id, acks, timeout_ms, batches } => {
                self.handle_produce(from, correlation_id, acks, timeout_ms, transactional_id, batches, now, out)
            }
            ClientMessage::FindCoordinatorRequest { key } => self.find_coordinator(from, key, out),
            ClientMessage::ConsumerFetchRequest {
                isolation_level,
                max_wait_ms,
                min_bytes,
                max_bytes,
                partitions,
                rack_id,
            } => self.handle_consumer_fetch(
                from,
                ConsumerFetch { isolation_level, min_bytes, max_bytes, partitions, rack_id },
                max_wait_ms,
                now,
                out,
            ),
            ClientMessage::ListOffsetsRequest { isolation_level, partitions } => {
                self.handle_list_offsets(from, isolation_level, partitions, out)
            }
            ClientMessage::ShareFetchRequest { group_id, member_id, max_records, partitions, acknowledgements } => {
                self.handle_share_fetch(from, group_id, member_id, max_records, partitions, acknowledgements, now, out)
            }
            ClientMessage::ShareAcknowledgeRequest { group_id, member_id, acknowledgements, closing } => {
                self.handle_share_acknowledge(from, group_id, member_id, acknowledgements, closing, out)
            }
            ClientMessage::OffsetsForLeaderEpochRequest { partitions } => {
                let partitions = partitions.iter().map(|p| self.epoch_end_offset(p)).collect();
                out.send(from, ClientMessage::OffsetsForLeaderEpochResponse { partitions });
            }
            ClientMessage::MetadataResponse { .. }
            | ClientMessage::ShareFetchResponse { .. }
            | ClientMessage::ShareAcknowledgeResponse { .. }
            | ClientMessage::OffsetsForLeaderEpochResponse { .. }
            | ClientMessage::InitProducerIdResponse { .. }
            | ClientMessage::ProduceResponse { .. }
            | ClientMessage::FindCoordinatorResponse { .. }
            | ClientMessage::ListOffsetsResponse { .. }
            | ClientMessage::ConsumerFetchResponse { .. } => self.misrouted(from, message.kind(), out),
        }
    }

    /// Follower fetches, as a leader and as a follower.
    fn on_replication_message(
        &mut self,
        from: NodeId,
        message: ReplicationMessage,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        match (message, from) {
            (ReplicationMessage::FetchRequest { replica_id, replica_epoch, max_wait_ms, partitions }, _) => {
                self.handle_fetch(replica_id, replica_epoch, max_wait_ms, partitions, now, out)
            }
            (ReplicationMessage::FetchResponse { partitions }, NodeId::Broker(leader)) => {
                self.handle_fetch_response(leader, partitions, now, out)
            }
            (message @ ReplicationMessage::FetchResponse { .. }, NodeId::Client(_)) => {
                self.misrouted(from, message.kind(), out)
            }
        }
    }

    /// Requests to the active controller, and its answers to this broker.
    fn on_controller_message(
        &mut self,
        from: NodeId,
        message: ControllerMessage,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        match message {
            ControllerMessage::BrokerRegistrationRequest { .. }
            | ControllerMessage::BrokerHeartbeatRequest { .. }
            | ControllerMessage::AlterPartitionRequest { .. } => {
                self.handle_controller_request(from, message, now, out)
            }
            ControllerMessage::BrokerRegistrationResponse { .. }
            | ControllerMessage::BrokerHeartbeatResponse { .. } => {
                self.handle_lifecycle_response(message, now, rng, out)
            }
            ControllerMessage::AlterPartitionResponse { topic_partition, error, registration } => {
                self.handle_alter_partition_response(&topic_partition, error, registration.map(|r| *r), now, out)
            }
        }
    }
}

impl Node for Broker {
    type Timer = Timer;

    /// Starts (or restarts) the process: Raft, registration and heartbeats, log maintenance,
    /// the ISR check, and fetchers for the partitions it follows.
    fn on_start(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        out.fact(Fact::BrokerStarted { broker: self.id });
        self.state = BrokerState::Alive;
        self.volatile.incarnation_id = now;
        self.raft.start(now, rng, out);
        if self.raft.is_leader() && self.volatile.controller.is_none() {
            self.after_raft(
                crate::controller::raft::RaftUpdate { became_leader: true, ..Default::default() },
                now,
                out,
            );
        }
        if self.roles.controller_only() {
            // A dedicated controller hosts no partitions and does not register as a broker.
            return;
        }
        self.heartbeat(now, out);
        out.timer(now + self.config.log_retention_check_interval_ms, Timer::RetentionCheck);
        out.timer(now + self.config.log_cleaner_backoff_ms, Timer::CleanerCheck);
        out.timer(now + self.config.replica_lag_time_max_ms / 2, Timer::IsrCheck);
        let leaders: Vec<i32> = self.durable.replicas.values().map(|r| r.leader).collect();
        for leader in leaders {
            self.ensure_fetcher(leader, now, out);
        }
    }

    /// A crash: the volatile state is gone; the partition logs and the metadata log remain. The
    /// restarted process re-publishes every partition once its metadata catches up.
    fn crash(&mut self, _now: Millis, out: &mut Outbox<Timer>) {
        let clean = self.volatile.controlled_shutdown == ControlledShutdown::Done;
        self.durable.clean_shutdown_epoch = clean.then_some(self.volatile.broker_epoch).filter(|e| *e >= 0);
        self.state = BrokerState::Dead;
        self.volatile = BrokerVolatile::new(self.id, &self.config, true);
        self.raft.crash();
        for replica in self.durable.replicas.values_mut() {
            // Until the metadata catches up, a restarted broker leads nothing.
            replica.leader = -1;
            replica.pending_isr = None;
        }
        self.durable.by_leader = BTreeMap::from([(-1, self.durable.replicas.keys().cloned().collect())]);
        out.fact(if clean {
            Fact::BrokerShutDown { broker: self.id }
        } else {
            Fact::BrokerStopped { broker: self.id }
        });
    }

    fn on_message(&mut self, from: NodeId, message: Message, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        match message {
            Message::Client(message) => self.on_client_message(from, message, now, out),
            Message::Replication(message) => self.on_replication_message(from, message, now, out),
            Message::Raft(message) => match from {
                NodeId::Broker(peer) => self.handle_raft(peer, message, now, rng, out),
                NodeId::Client(_) => self.misrouted(from, message.kind(), out),
            },
            Message::Controller(message) => self.on_controller_message(from, message, now, rng, out),
            Message::Group(message) => self.on_group_message(from, message, now, out),
            Message::Txn(message) => self.on_txn_message(from, message, now, out),
            Message::ShareState(message) => self.on_share_state_message(from, message, now, out),
        }
    }

    /// Whether firing `timer` would do anything: an answered request or a replaced fetch leaves a
    /// timer that [`Self::on_timer`] ignores. The world drops such timers unseen.
    fn timer_is_live(&self, timer: &Timer) -> bool {
        match timer {
            Timer::DelayedProduceTimeout { client, correlation_id } => self
                .volatile
                .delayed_produces
                .iter()
                .any(|d| d.client == *client && d.correlation_id == *correlation_id),
            Timer::DelayedFetchTimeout { replica_id, token } => {
                self.volatile.delayed_fetches.get(replica_id).is_some_and(|d| d.token == *token)
            }
            Timer::FetchTimeout { leader, token } => {
                self.volatile.fetching_from.get(leader).is_some_and(|f| f.as_ref().is_some_and(|f| f.token == *token))
            }
            Timer::Heartbeat { token } => *token == self.volatile.heartbeat_token,
            Timer::Txn(timer) => self.volatile.txn_coordinator.timer_is_live(timer),
            Timer::VerificationTimeout { token } => self.volatile.verifying_produces.contains_key(token),
            Timer::ShareLocks { at } => self.share_lock_timer_is_live(*at),
            _ => true,
        }
    }

    fn on_timer(&mut self, timer: Timer, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        match timer {
            Timer::DelayedProduceTimeout { client, correlation_id } => {
                self.expire_delayed_produce(client, correlation_id, out)
            }
            Timer::DelayedFetchTimeout { replica_id, token } => {
                if self.volatile.delayed_fetches.get(&replica_id).is_some_and(|d| d.token == token) {
                    self.answer_delayed_fetch(replica_id, out);
                }
            }
            Timer::Fetch { leader } => self.send_fetch(leader, now, out),
            Timer::FetchTimeout { leader, token } => {
                if self
                    .volatile
                    .fetching_from
                    .get(&leader)
                    .is_some_and(|f| f.as_ref().is_some_and(|f| f.token == token))
                {
                    self.volatile.fetching_from.insert(leader, None);
                    out.timer(now + self.config.replica_fetch_backoff_ms, Timer::Fetch { leader });
                }
            }
            Timer::RetentionCheck => {
                for (tp, replica) in &mut self.durable.replicas {
                    if let Some((segments, log_start_offset)) = replica.apply_retention(now) {
                        out.fact(crate::narration::Fact::SegmentsDeleted {
                            topic_partition: tp.clone(),
                            broker: self.id,
                            segments,
                            log_start_offset,
                        });
                    }
                }
                out.timer(now + self.config.log_retention_check_interval_ms, Timer::RetentionCheck);
            }
            Timer::CleanerCheck => {
                for (tp, replica) in &mut self.durable.replicas {
                    if let Some(records_removed) = replica.compact(now) {
                        out.fact(crate::narration::Fact::LogCompacted {
                            topic_partition: tp.clone(),
                            broker: self.id,
                            records_removed,
                        });
                    }
                }
                out.timer(now + self.config.log_cleaner_backoff_ms, Timer::CleanerCheck);
            }
            Timer::IsrCheck => {
                self.shrink_isrs(now, out);
                out.timer(now + (self.config.replica_lag_time_max_ms / 2).max(1), Timer::IsrCheck);
            }
            Timer::Heartbeat { token } => {
                if token == self.volatile.heartbeat_token {
                    self.heartbeat(now, out);
                }
            }
            Timer::Raft(timer) => {
                let update = self.raft.on_timer(timer, now, rng, out);
                self.after_raft(update, now, out);
            }
            Timer::ControllerTick { .. } | Timer::PreferredElection { .. } => self.on_controller_timer(timer, now, out),
            Timer::Group(timer) => self.on_group_timer(timer, now, out),
            Timer::ConsumerFetchTimeout { token } => self.on_consumer_fetch_timeout(token, now, out),
            Timer::ShutdownTimeout => {
                if matches!(self.volatile.controlled_shutdown, ControlledShutdown::Resigning { .. }) {
                    self.volatile.controlled_shutdown = ControlledShutdown::Done;
                }
            }
            Timer::Txn(timer) => self.on_txn_timer(timer, now, out),
            Timer::VerificationTimeout { token } => self.expire_verification(token, now, out),
            Timer::ShareLocks { .. } => self.on_share_lock_timer(now, out),
        }
    }

    /// A peer's connection broke: fetches in flight to it are lost, so back off and retry.
    fn on_disconnect(&mut self, peer: i32, now: Millis, _rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.volatile.fetching_from.get(&peer).is_some_and(Option::is_some) {
            self.volatile.fetching_from.insert(peer, None);
            out.timer(now + self.config.replica_fetch_backoff_ms, Timer::Fetch { leader: peer });
        }
        self.raft.on_disconnect(peer, now, out);
        self.txn_peer_disconnected(peer, now, out);
    }
}
