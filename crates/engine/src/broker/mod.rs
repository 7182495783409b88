//! A broker: its partition replicas, produce and fetch handling, the follower fetchers, and (in
//! KRaft combined mode) a Raft node of the controller quorum that may host the active controller.
//!
//! Like every node, a broker is a pure state machine: messages and timers go in, an [`Outbox`] of
//! messages, timers and facts comes out.

mod consumer_requests;
mod kraft;
mod produce;
pub mod producer_state;
pub mod replica;
mod replication;

use crate::controller::metadata::MetadataImage;
use crate::controller::quorum::{ControllerConfig, QuorumController};
use crate::controller::raft::{RaftConfig, RaftNode, RaftTimer};
use crate::group::coordinator::{GroupCoordinator, GroupCoordinatorConfig};
use crate::node::Outbox;
use crate::protocol::{Message, PartitionMetadata, TopicPartition};
use crate::sim::{Millis, NodeId};
use consumer_requests::ConsumerFetchPurgatory;
use produce::DelayedProduce;
use rand::Rng;
use replica::Replica;
use replication::DelayedFetch;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a follower that meets a new leader finds where its log stops being valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TruncationMode {
    /// Kafka since 0.11 (KIP-101/279): by leader epoch, with the leader's help.
    LeaderEpoch,
    /// Kafka before 0.11: cut back to the local high watermark. Kept to show its anomalies.
    HighWatermark,
}

/// Broker settings with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    pub controller: ControllerConfig,
    pub raft: RaftConfig,
    /// The group coordinator's settings (`offsets.topic.num.partitions`, ...).
    pub group_coordinator: GroupCoordinatorConfig,
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
            controller: ControllerConfig::default(),
            raft: RaftConfig::default(),
            group_coordinator: GroupCoordinatorConfig::default(),
        }
    }
}

/// A broker as the UI shows it: running, running but fenced by the controller, or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
}

/// The quorum's timers travel as broker timers.
impl From<RaftTimer> for Timer {
    fn from(timer: RaftTimer) -> Self {
        Timer::Raft(timer)
    }
}

#[derive(Debug, Clone)]
pub struct Broker {
    pub id: i32,
    /// Whether the process runs: `Alive` or `Dead` (fencing is the controller's view).
    pub state: BrokerState,
    pub config: BrokerConfig,
    pub replicas: BTreeMap<TopicPartition, Replica>,
    /// This broker's member of the metadata quorum (voter or observer).
    pub raft: RaftNode,
    /// The committed metadata this broker has applied.
    pub image: MetadataImage,
    /// Present while this broker hosts the active controller.
    pub controller: Option<QuorumController>,
    /// Controller answers waiting for their records to commit: (log end offset, to, answer).
    pending_replies: Vec<(i64, NodeId, Message)>,
    /// The epoch the controller gave this broker's registration (-1: not registered).
    pub broker_epoch: i64,
    /// What this broker tells clients about partition leaders.
    pub metadata_cache: Vec<PartitionMetadata>,
    delayed_produces: Vec<DelayedProduce>,
    delayed_fetches: BTreeMap<i32, DelayedFetch>,
    /// One fetcher per source broker, as in Kafka: `Some` while a fetch is in flight.
    fetching_from: BTreeMap<i32, Option<replication::FetchInFlight>>,
    /// After a restart, re-publish every partition once the metadata catches up.
    republish_all: bool,
    next_token: u64,
    heartbeat_token: u64,
    next_producer_id: i64,
    /// The group coordinator for the `__consumer_offsets` partitions this broker leads.
    pub group_coordinator: GroupCoordinator,
    pub(crate) consumer_fetches: ConsumerFetchPurgatory,
}

impl Broker {
    pub fn new(id: i32, voters: Vec<i32>, config: BrokerConfig) -> Self {
        Broker {
            id,
            state: BrokerState::Alive,
            raft: RaftNode::new(id, voters, config.raft.clone()),
            group_coordinator: GroupCoordinator::new(id, config.group_coordinator.clone()),
            consumer_fetches: ConsumerFetchPurgatory::default(),
            config,
            replicas: BTreeMap::new(),
            image: MetadataImage::new(),
            controller: None,
            pending_replies: Vec::new(),
            broker_epoch: -1,
            metadata_cache: Vec::new(),
            delayed_produces: Vec::new(),
            delayed_fetches: BTreeMap::new(),
            fetching_from: BTreeMap::new(),
            republish_all: false,
            next_token: 0,
            heartbeat_token: 0,
            next_producer_id: id as i64 * 1_000_000,
        }
    }

    /// Starts (or restarts) the process: Raft, registration and heartbeats, log maintenance,
    /// the ISR check, and fetchers for the partitions it follows.
    pub fn start(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        self.state = BrokerState::Alive;
        self.raft.start(now, rng, out);
        if self.raft.is_leader() && self.controller.is_none() {
            self.after_raft(
                crate::controller::raft::RaftUpdate { became_leader: true, ..Default::default() },
                now,
                out,
            );
        }
        self.heartbeat(now, out);
        out.timer(now + self.config.log_retention_check_interval_ms, Timer::RetentionCheck);
        out.timer(now + self.config.log_cleaner_backoff_ms, Timer::CleanerCheck);
        out.timer(now + self.config.replica_lag_time_max_ms / 2, Timer::IsrCheck);
        let leaders: Vec<i32> = self.replicas.values().map(|r| r.leader).collect();
        for leader in leaders {
            self.ensure_fetcher(leader, now, out);
        }
    }

    /// A crash: in-memory state is gone (purgatories, fetchers, controller role, registration);
    /// the partition logs and the metadata log on disk remain.
    pub fn crash(&mut self) {
        self.state = BrokerState::Dead;
        self.delayed_produces.clear();
        self.delayed_fetches.clear();
        self.fetching_from.clear();
        self.controller = None;
        self.pending_replies.clear();
        self.raft.crash();
        self.broker_epoch = -1;
        self.republish_all = true;
        self.reset_group_state();
        for replica in self.replicas.values_mut() {
            // Until the metadata catches up, a restarted broker leads nothing.
            replica.leader = -1;
            replica.pending_isr = None;
        }
    }

    pub fn on_message(
        &mut self,
        from: NodeId,
        message: Message,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        match message {
            Message::MetadataRequest => {
                out.send(from, Message::MetadataResponse { partitions: self.metadata_cache.clone() });
            }
            Message::InitProducerIdRequest { producer_id, producer_epoch } => {
                let (producer_id, producer_epoch) = self.init_producer_id(producer_id, producer_epoch);
                out.send(from, Message::InitProducerIdResponse { producer_id, producer_epoch });
            }
            Message::ProduceRequest { correlation_id, acks, timeout_ms, batches } => {
                self.handle_produce(from, correlation_id, acks, timeout_ms, batches, now, out)
            }
            Message::FetchRequest { replica_id, max_wait_ms, partitions } => {
                self.handle_fetch(replica_id, max_wait_ms, partitions, now, out)
            }
            Message::FetchResponse { partitions } => {
                if let NodeId::Broker(leader) = from {
                    self.handle_fetch_response(leader, partitions, now, out);
                }
            }
            Message::VoteRequest { .. }
            | Message::VoteResponse { .. }
            | Message::BeginQuorumEpoch { .. }
            | Message::QuorumFetchRequest { .. }
            | Message::QuorumFetchResponse { .. } => {
                if let NodeId::Broker(peer) = from {
                    self.handle_raft(peer, message, now, rng, out);
                }
            }
            Message::BrokerRegistrationRequest { .. }
            | Message::BrokerHeartbeatRequest { .. }
            | Message::AlterPartitionRequest { .. } => self.handle_controller_request(from, message, now, out),
            Message::BrokerRegistrationResponse { .. } | Message::BrokerHeartbeatResponse { .. } => {
                self.handle_lifecycle_response(message)
            }
            Message::AlterPartitionResponse { topic_partition, error, registration } => {
                self.handle_alter_partition_response(&topic_partition, error, registration, out)
            }
            Message::MetadataResponse { .. }
            | Message::InitProducerIdResponse { .. }
            | Message::ProduceResponse { .. } => {}
            other => self.on_group_message(from, other, now, out),
        }
    }

    /// Whether firing `timer` would do anything: an answered request or a replaced fetch leaves a
    /// timer that [`Self::on_timer`] ignores. The world drops such timers unseen.
    pub fn timer_is_live(&self, timer: &Timer) -> bool {
        match timer {
            Timer::DelayedProduceTimeout { client, correlation_id } => {
                self.delayed_produces.iter().any(|d| d.client == *client && d.correlation_id == *correlation_id)
            }
            Timer::DelayedFetchTimeout { replica_id, token } => {
                self.delayed_fetches.get(replica_id).is_some_and(|d| d.token == *token)
            }
            Timer::FetchTimeout { leader, token } => {
                self.fetching_from.get(leader).is_some_and(|f| f.as_ref().is_some_and(|f| f.token == *token))
            }
            Timer::Heartbeat { token } => *token == self.heartbeat_token,
            _ => true,
        }
    }

    pub fn on_timer(&mut self, timer: Timer, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        match timer {
            Timer::DelayedProduceTimeout { client, correlation_id } => {
                self.expire_delayed_produce(client, correlation_id, out)
            }
            Timer::DelayedFetchTimeout { replica_id, token } => {
                if self.delayed_fetches.get(&replica_id).is_some_and(|d| d.token == token) {
                    self.answer_delayed_fetch(replica_id, out);
                }
            }
            Timer::Fetch { leader } => self.send_fetch(leader, now, out),
            Timer::FetchTimeout { leader, token } => {
                if self.fetching_from.get(&leader).is_some_and(|f| f.as_ref().is_some_and(|f| f.token == token)) {
                    self.fetching_from.insert(leader, None);
                    out.timer(now + self.config.replica_fetch_backoff_ms, Timer::Fetch { leader });
                }
            }
            Timer::RetentionCheck => {
                for (tp, replica) in &mut self.replicas {
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
                for (tp, replica) in &mut self.replicas {
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
                if token == self.heartbeat_token {
                    self.heartbeat(now, out);
                }
            }
            Timer::Raft(timer) => {
                let update = self.raft.on_timer(timer, now, rng, out);
                self.after_raft(update, now, out);
            }
            Timer::ControllerTick { .. } | Timer::PreferredElection { .. } => self.on_controller_timer(timer, now, out),
            Timer::Group(timer) => self.on_group_timer(timer, now, out),
            Timer::ConsumerFetchTimeout { token } => self.on_consumer_fetch_timeout(token, out),
        }
    }

    /// A peer's connection broke: fetches in flight to it are lost, so back off and retry.
    pub fn on_disconnect(&mut self, peer: i32, now: Millis, out: &mut Outbox<Timer>) {
        if self.fetching_from.get(&peer).is_some_and(Option::is_some) {
            self.fetching_from.insert(peer, None);
            out.timer(now + self.config.replica_fetch_backoff_ms, Timer::Fetch { leader: peer });
        }
        self.raft.on_disconnect(peer, now, out);
    }
}
