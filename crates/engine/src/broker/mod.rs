//! A broker: its partition replicas, produce and fetch handling, and the follower fetchers.
//!
//! Like every node, a broker is a pure state machine: messages and timers go in, an [`Outbox`] of
//! messages, timers and facts comes out.

pub mod producer_state;
pub mod replica;
pub mod topic_config;

use crate::log::RecordBatch;
use crate::narration::Fact;
use crate::protocol::{
    Acks, ErrorCode, Message, PartitionFetchResponse, PartitionMetadata, PartitionProduceResponse, TopicPartition,
};
use crate::sim::outbox::Outbox;
use crate::sim::{Millis, NodeId};
use crate::group::coordinator::{GroupCoordinator, GroupCoordinatorConfig};
use crate::group::host::ConsumerFetchPurgatory;
use producer_state::SequenceCheck;
use replica::Replica;
use serde::Serialize;
use std::collections::BTreeMap;

/// Broker settings with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokerConfig {
    /// `replica.fetch.wait.max.ms`: how long a leader holds a follower's empty fetch.
    pub replica_fetch_wait_max_ms: Millis,
    /// `replica.fetch.backoff.ms`: pause after a failed fetch.
    pub replica_fetch_backoff_ms: Millis,
    /// `replica.fetch.max.bytes`.
    pub replica_fetch_max_bytes: usize,
    /// `log.retention.check.interval.ms`.
    pub log_retention_check_interval_ms: Millis,
    /// `log.cleaner.backoff.ms`: how often the cleaner looks for a log to compact.
    pub log_cleaner_backoff_ms: Millis,
    /// The group coordinator's settings (`offsets.topic.num.partitions`, ...).
    pub group_coordinator: GroupCoordinatorConfig,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            replica_fetch_wait_max_ms: 500,
            replica_fetch_backoff_ms: 1000,
            replica_fetch_max_bytes: 1_048_576,
            log_retention_check_interval_ms: 300_000,
            log_cleaner_backoff_ms: 15_000,
            group_coordinator: GroupCoordinatorConfig::default(),
        }
    }
}

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
    DelayedProduceTimeout { client: NodeId, correlation_id: u64 },
    /// A follower's parked fetch waited `replica.fetch.wait.max.ms`.
    DelayedFetchTimeout { replica_id: i32, token: u64 },
    /// This broker, as a follower, fetches again from `leader`.
    Fetch { leader: i32 },
    RetentionCheck,
    CleanerCheck,
    /// A group coordinator timer (sessions, join and sync phases, write timeouts).
    Group(crate::group::coordinator::Timer),
    /// A consumer's parked fetch waited `fetch.max.wait.ms`.
    ConsumerFetchTimeout { token: u64 },
}

/// A produce request waiting for the ISR to catch up (Kafka's produce purgatory).
#[derive(Debug, Clone)]
struct DelayedProduce {
    client: NodeId,
    correlation_id: u64,
    /// Each partition's answer, and the offset the high watermark must pass first.
    partitions: Vec<(PartitionProduceResponse, Option<i64>)>,
}

/// A follower fetch with nothing to return yet (Kafka's fetch purgatory).
#[derive(Debug, Clone)]
struct DelayedFetch {
    token: u64,
    partitions: Vec<(TopicPartition, i64)>,
}

#[derive(Debug, Clone)]
pub struct Broker {
    pub id: i32,
    pub state: BrokerState,
    pub config: BrokerConfig,
    pub replicas: BTreeMap<TopicPartition, Replica>,
    /// What this broker knows of every partition's leader, for MetadataResponses.
    pub metadata_cache: Vec<PartitionMetadata>,
    delayed_produces: Vec<DelayedProduce>,
    delayed_fetches: BTreeMap<i32, DelayedFetch>,
    /// Leaders this broker has a fetch in flight to (one fetcher per source broker, as in Kafka).
    fetching_from: BTreeMap<i32, bool>,
    next_token: u64,
    next_producer_id: i64,
    /// The group coordinator for the `__consumer_offsets` partitions this broker leads.
    pub group_coordinator: GroupCoordinator,
    pub(crate) consumer_fetches: ConsumerFetchPurgatory,
}

impl Broker {
    pub fn new(id: i32, config: BrokerConfig) -> Self {
        Broker {
            id,
            state: BrokerState::Alive,
            config: config.clone(),
            replicas: BTreeMap::new(),
            metadata_cache: Vec::new(),
            delayed_produces: Vec::new(),
            delayed_fetches: BTreeMap::new(),
            fetching_from: BTreeMap::new(),
            next_token: 0,
            // Each broker hands out producer ids from its own block, as KRaft brokers do.
            next_producer_id: id as i64 * 1_000_000,
            group_coordinator: GroupCoordinator::new(id, config.group_coordinator.clone()),
            consumer_fetches: ConsumerFetchPurgatory::default(),
        }
    }

    /// Starts the periodic log maintenance timers.
    pub fn start(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        out.timer(now + self.config.log_retention_check_interval_ms, Timer::RetentionCheck);
        out.timer(now + self.config.log_cleaner_backoff_ms, Timer::CleanerCheck);
    }

    /// Applies the controller's decision for one partition: lead it, or follow `leader`.
    pub fn apply_partition_state(
        &mut self,
        tp: &TopicPartition,
        leader: i32,
        leader_epoch: i32,
        isr: &[i32],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let Some(replica) = self.replicas.get_mut(tp) else { return };
        replica.leader = leader;
        replica.leader_epoch = leader_epoch;
        replica.isr = isr.to_vec();
        if leader == self.id {
            replica.follower_log_end_offsets.clear();
            replica.maybe_advance_high_watermark(self.id);
        } else if leader >= 0 && !self.fetching_from.contains_key(&leader) {
            self.fetching_from.insert(leader, false);
            out.timer(now, Timer::Fetch { leader });
        }
    }

    pub fn on_message(&mut self, from: NodeId, message: Message, now: Millis, out: &mut Outbox<Timer>) {
        match message {
            Message::MetadataRequest => {
                out.send(from, Message::MetadataResponse { partitions: self.metadata_cache.clone() });
            }
            Message::InitProducerIdRequest { producer_id, producer_epoch } => {
                let (producer_id, producer_epoch) = if producer_id >= 0 {
                    (producer_id, producer_epoch.wrapping_add(1).max(0))
                } else {
                    self.next_producer_id += 1;
                    (self.next_producer_id - 1, 0)
                };
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
            other => self.on_group_message(from, other, now, out),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_produce(
        &mut self,
        client: NodeId,
        correlation_id: u64,
        acks: Acks,
        timeout_ms: u64,
        batches: Vec<(TopicPartition, RecordBatch)>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let mut partitions = Vec::with_capacity(batches.len());
        let mut appended = Vec::new();
        for (tp, batch) in batches {
            let (response, wait_for) = self.append_to_leader(&tp, batch, acks, now, out);
            if response.error == ErrorCode::None && wait_for.is_some() {
                appended.push(tp);
            }
            partitions.push((response, wait_for));
        }
        let any_appended = !appended.is_empty();
        for tp in appended {
            self.wake_delayed_fetches(&tp, out);
        }
        if any_appended {
            self.after_high_watermark_moved(now, out);
        }
        let delayed = DelayedProduce { client, correlation_id, partitions };
        if acks == Acks::None {
            return;
        }
        if acks == Acks::Leader || self.try_complete_produce(&delayed).is_some() {
            self.respond_produce(delayed, out);
        } else {
            out.timer(now + timeout_ms, Timer::DelayedProduceTimeout { client, correlation_id });
            self.delayed_produces.push(delayed);
        }
    }

    /// Appends one partition's batch as its leader. Returns the answer and, for a successful
    /// append, the offset the high watermark must pass before acks=all may answer.
    fn append_to_leader(
        &mut self,
        tp: &TopicPartition,
        batch: RecordBatch,
        acks: Acks,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> (PartitionProduceResponse, Option<i64>) {
        let fail = |error| (PartitionProduceResponse { topic_partition: tp.clone(), error, base_offset: -1 }, None);
        let id = self.id;
        let Some(replica) = self.replicas.get_mut(tp) else {
            return fail(if self.metadata_cache.iter().any(|m| &m.topic_partition == tp) {
                ErrorCode::NotLeaderOrFollower
            } else {
                ErrorCode::UnknownTopicOrPartition
            });
        };
        if replica.leader != id {
            return fail(ErrorCode::NotLeaderOrFollower);
        }
        if acks == Acks::All && (replica.isr.len() as i32) < replica.config.min_insync_replicas {
            return fail(ErrorCode::NotEnoughReplicas);
        }
        let count = batch.records.len() as i32;
        if batch.producer_id >= 0 {
            match replica.producer_state.check(batch.producer_id, batch.producer_epoch, batch.base_sequence, count) {
                SequenceCheck::Append => {}
                SequenceCheck::Duplicate { first_offset } => {
                    out.fact(Fact::DuplicateBatch {
                        topic_partition: tp.clone(),
                        broker: id,
                        producer_id: batch.producer_id,
                        base_sequence: batch.base_sequence,
                        base_offset: first_offset,
                    });
                    let last_offset = first_offset + count as i64 - 1;
                    return (
                        PartitionProduceResponse { topic_partition: tp.clone(), error: ErrorCode::None, base_offset: first_offset },
                        Some(last_offset + 1),
                    );
                }
                SequenceCheck::OutOfOrder => return fail(ErrorCode::OutOfOrderSequenceNumber),
                SequenceCheck::InvalidEpoch => return fail(ErrorCode::InvalidProducerEpoch),
            }
        }
        match replica.append_as_leader(batch, now) {
            Ok(info) => {
                if let Some(roll) = &info.rolled {
                    out.fact(Fact::SegmentRolled { topic_partition: tp.clone(), broker: id, base_offset: roll.new_base_offset });
                }
                out.fact(Fact::BatchAppended {
                    topic_partition: tp.clone(),
                    broker: id,
                    base_offset: info.first_offset,
                    last_offset: info.last_offset,
                    leader_epoch: replica.leader_epoch,
                });
                if let Some(hw) = replica.maybe_advance_high_watermark(id) {
                    out.fact(Fact::HighWatermarkAdvanced { topic_partition: tp.clone(), broker: id, high_watermark: hw });
                }
                (
                    PartitionProduceResponse { topic_partition: tp.clone(), error: ErrorCode::None, base_offset: info.first_offset },
                    Some(info.last_offset + 1),
                )
            }
            Err(error) => fail(error),
        }
    }

    /// Whether every partition of a delayed produce is settled: answered with an error, or
    /// replicated to the whole ISR (high watermark past its last offset).
    fn try_complete_produce(&self, delayed: &DelayedProduce) -> Option<()> {
        delayed
            .partitions
            .iter()
            .all(|(response, wait_for)| match wait_for {
                None => true,
                Some(offset) => self
                    .replicas
                    .get(&response.topic_partition)
                    .is_some_and(|r| r.high_watermark >= *offset || r.leader != self.id),
            })
            .then_some(())
    }

    fn respond_produce(&self, delayed: DelayedProduce, out: &mut Outbox<Timer>) {
        let partitions = delayed
            .partitions
            .into_iter()
            .map(|(mut response, wait_for)| {
                let lost_leadership = wait_for.is_some()
                    && self.replicas.get(&response.topic_partition).is_none_or(|r| r.leader != self.id);
                if lost_leadership {
                    response.error = ErrorCode::NotLeaderOrFollower;
                    response.base_offset = -1;
                }
                response
            })
            .collect();
        out.send(delayed.client, Message::ProduceResponse { correlation_id: delayed.correlation_id, partitions });
    }

    /// Answers every delayed produce that the new high watermark satisfied.
    fn complete_delayed_produces(&mut self, out: &mut Outbox<Timer>) {
        let (done, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.delayed_produces).into_iter().partition(|d| self.try_complete_produce(d).is_some());
        self.delayed_produces = waiting;
        for delayed in done {
            self.respond_produce(delayed, out);
        }
    }

    fn handle_fetch(
        &mut self,
        replica_id: i32,
        max_wait_ms: u64,
        partitions: Vec<(TopicPartition, i64)>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let mut hw_moved = false;
        for (tp, fetch_offset) in &partitions {
            if let Some(replica) = self.replicas.get_mut(tp).filter(|r| r.leader == self.id) {
                replica.follower_log_end_offsets.insert(replica_id, *fetch_offset);
                if let Some(hw) = replica.maybe_advance_high_watermark(self.id) {
                    out.fact(Fact::HighWatermarkAdvanced { topic_partition: tp.clone(), broker: self.id, high_watermark: hw });
                    hw_moved = true;
                }
            }
        }
        if hw_moved {
            self.complete_delayed_produces(out);
            self.after_high_watermark_moved(now, out);
        }
        let response = self.read_for_follower(&partitions);
        let has_data = response.iter().any(|p| p.error != ErrorCode::None || !p.batches.is_empty());
        if has_data || max_wait_ms == 0 {
            out.send(NodeId::Broker(replica_id), Message::FetchResponse { partitions: response });
        } else {
            self.next_token += 1;
            let token = self.next_token;
            self.delayed_fetches.insert(replica_id, DelayedFetch { token, partitions });
            out.timer(now + max_wait_ms, Timer::DelayedFetchTimeout { replica_id, token });
        }
    }

    fn read_for_follower(&self, partitions: &[(TopicPartition, i64)]) -> Vec<PartitionFetchResponse> {
        let max_bytes = self.config.replica_fetch_max_bytes as u64;
        partitions
            .iter()
            .map(|(tp, fetch_offset)| match self.replicas.get(tp).filter(|r| r.leader == self.id) {
                None => PartitionFetchResponse {
                    topic_partition: tp.clone(),
                    error: ErrorCode::NotLeaderOrFollower,
                    high_watermark: -1,
                    log_start_offset: -1,
                    batches: Vec::new(),
                },
                Some(replica) => {
                    let (error, batches) = match replica.log.read(*fetch_offset, max_bytes, replica.log.log_end_offset()) {
                        Ok(batches) => (ErrorCode::None, batches),
                        Err(_) => (ErrorCode::NotLeaderOrFollower, Vec::new()),
                    };
                    PartitionFetchResponse {
                        topic_partition: tp.clone(),
                        error,
                        high_watermark: replica.high_watermark,
                        log_start_offset: replica.log.log_start_offset(),
                        batches,
                    }
                }
            })
            .collect()
    }

    /// New data on `tp`: answer the followers whose fetch was parked waiting for it.
    pub(crate) fn wake_delayed_fetches(&mut self, tp: &TopicPartition, out: &mut Outbox<Timer>) {
        let waiting: Vec<i32> = self
            .delayed_fetches
            .iter()
            .filter(|(_, d)| d.partitions.iter().any(|(p, _)| p == tp))
            .map(|(id, _)| *id)
            .collect();
        for replica_id in waiting {
            if let Some(delayed) = self.delayed_fetches.remove(&replica_id) {
                let partitions = self.read_for_follower(&delayed.partitions);
                out.send(NodeId::Broker(replica_id), Message::FetchResponse { partitions });
            }
        }
    }

    /// As a follower: append what the leader sent, take its high watermark, and fetch again.
    fn handle_fetch_response(&mut self, leader: i32, partitions: Vec<PartitionFetchResponse>, now: Millis, out: &mut Outbox<Timer>) {
        self.fetching_from.insert(leader, false);
        let mut failed = false;
        for p in partitions {
            let Some(replica) = self.replicas.get_mut(&p.topic_partition).filter(|r| r.leader == leader) else {
                continue;
            };
            if p.error != ErrorCode::None {
                failed = true;
                continue;
            }
            for batch in p.batches {
                if replica.append_as_follower(batch).is_err() {
                    failed = true;
                    break;
                }
            }
            replica.update_follower_high_watermark(p.high_watermark);
        }
        let delay = if failed { self.config.replica_fetch_backoff_ms } else { 0 };
        out.timer(now + delay, Timer::Fetch { leader });
    }

    pub fn on_timer(&mut self, timer: Timer, now: Millis, out: &mut Outbox<Timer>) {
        match timer {
            Timer::DelayedProduceTimeout { client, correlation_id } => {
                let Some(index) = self
                    .delayed_produces
                    .iter()
                    .position(|d| d.client == client && d.correlation_id == correlation_id)
                else {
                    return;
                };
                let mut delayed = self.delayed_produces.remove(index);
                for (response, wait_for) in &mut delayed.partitions {
                    let replicated = wait_for.is_none_or(|offset| {
                        self.replicas.get(&response.topic_partition).is_some_and(|r| r.high_watermark >= offset)
                    });
                    if !replicated {
                        response.error = ErrorCode::RequestTimedOut;
                        response.base_offset = -1;
                        *wait_for = None;
                    }
                }
                self.respond_produce(delayed, out);
            }
            Timer::DelayedFetchTimeout { replica_id, token } => {
                if self.delayed_fetches.get(&replica_id).is_some_and(|d| d.token == token) {
                    if let Some(delayed) = self.delayed_fetches.remove(&replica_id) {
                        let partitions = self.read_for_follower(&delayed.partitions);
                        out.send(NodeId::Broker(replica_id), Message::FetchResponse { partitions });
                    }
                }
            }
            Timer::Fetch { leader } => self.send_fetch(leader, out),
            Timer::RetentionCheck => {
                for (tp, replica) in &mut self.replicas {
                    if let Some((segments, log_start_offset)) = replica.apply_retention(now) {
                        out.fact(Fact::SegmentsDeleted { topic_partition: tp.clone(), broker: self.id, segments, log_start_offset });
                    }
                }
                out.timer(now + self.config.log_retention_check_interval_ms, Timer::RetentionCheck);
            }
            Timer::CleanerCheck => {
                for (tp, replica) in &mut self.replicas {
                    if let Some(records_removed) = replica.compact(now) {
                        out.fact(Fact::LogCompacted { topic_partition: tp.clone(), broker: self.id, records_removed });
                    }
                }
                out.timer(now + self.config.log_cleaner_backoff_ms, Timer::CleanerCheck);
            }
            Timer::Group(timer) => self.on_group_timer(timer, now, out),
            Timer::ConsumerFetchTimeout { token } => self.on_consumer_fetch_timeout(token, out),
        }
    }

    /// One FetchRequest to `leader` for every partition this broker follows from it.
    fn send_fetch(&mut self, leader: i32, out: &mut Outbox<Timer>) {
        let partitions: Vec<(TopicPartition, i64)> = self
            .replicas
            .iter()
            .filter(|(_, r)| r.leader == leader && leader != self.id)
            .map(|(tp, r)| (tp.clone(), r.log.log_end_offset()))
            .collect();
        if partitions.is_empty() {
            self.fetching_from.remove(&leader);
            return;
        }
        if self.fetching_from.get(&leader) == Some(&true) {
            return;
        }
        self.fetching_from.insert(leader, true);
        out.send(
            NodeId::Broker(leader),
            Message::FetchRequest { replica_id: self.id, max_wait_ms: self.config.replica_fetch_wait_max_ms, partitions },
        );
    }

    /// A peer's connection broke: a fetch in flight to it is lost, so back off and retry.
    pub fn on_disconnect(&mut self, peer: i32, now: Millis, out: &mut Outbox<Timer>) {
        if self.fetching_from.get(&peer) == Some(&true) {
            self.fetching_from.insert(peer, false);
            out.timer(now + self.config.replica_fetch_backoff_ms, Timer::Fetch { leader: peer });
        }
    }

    /// A crash: in-memory state (purgatories, fetchers) is gone; the logs on disk remain.
    pub fn crash(&mut self) {
        self.state = BrokerState::Dead;
        self.delayed_produces.clear();
        self.delayed_fetches.clear();
        self.fetching_from.clear();
    }
}
