//! The consumer client (Kafka's `ClassicKafkaConsumer` with `ConsumerCoordinator`, `Fetcher` and
//! `SubscriptionState`) together with the application loop around it: poll, process, commit.
//!
//! A pure state machine: actions, responses and timers go in; requests, timers and facts come out.
//! The application is modelled as Kafka's canonical loop: `poll()` returns up to
//! `max.poll.records` records, processing takes `processing_ms_per_record` each, and the chosen
//! [`CommitMode`] commits before or after processing (or leaves it to `enable.auto.commit`, which
//! commits the previous polls' positions inside `poll()`). Rebalances run inside `poll()`, as in
//! Kafka, so a long processing step delays a rebalance up to `max.poll.interval.ms`.

pub mod config;
mod listener;
mod membership;
mod positions;
pub mod program;
mod read_replica;
mod share;
pub mod validation;

use crate::group::assignor::{self, MemberSubscription, Strategy};
use crate::narration::{Fact, PositionSource, ReadReplicaFallback};
use crate::node::{Node, Outbox};
use crate::protocol::{
    ClientMessage, ErrorCode, FetchPartition, GroupMessage, JoinGroupMember, JoinGroupProtocol, Message,
    PartitionFetchResponse, PartitionMetadata, Subscription, TopicPartition,
};
use crate::sim::{Millis, NodeId};
use config::{AutoOffsetReset, ConsumerConfig};
use positions::PartitionLeaders;
pub use positions::Positions;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// How the application commits, around its processing of each poll's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CommitMode {
    /// No manual commits: rely on `enable.auto.commit` (at-least-once if processing finishes
    /// before the next poll).
    #[default]
    Auto,
    /// `commitSync()` after processing: at-least-once.
    SyncAfterProcessing,
    /// `commitAsync()` after processing.
    AsyncAfterProcessing,
    /// `commitSync()` right after `poll()`, before processing: at-most-once.
    SyncBeforeProcessing,
    /// Exactly-once processing: the records' outputs and offsets go into a transaction of the
    /// application's transactional producer (`sendOffsetsToTransaction`); the next `poll()`
    /// waits until the transaction ends. Only for a consumer linked to a producer as a
    /// processor (`Action::LinkProcessor`).
    Transactional,
}

/// The application around the consumer (not Kafka configs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumerApp {
    /// Virtual time spent processing each record.
    pub processing_ms_per_record: Millis,
    pub commit: CommitMode,
    /// The timeout the application passes to `poll(Duration)`.
    pub poll_timeout_ms: Millis,
    /// A share consumer's application fails on records with this key (a poison record) and
    /// acknowledges them with RELEASE, so they come back until the delivery limit archives them.
    pub fail_on_key: Option<String>,
    /// The declared listener (rules per record and Spring's error handling); None: every
    /// record takes `processing_ms_per_record` and succeeds.
    pub program: Option<program::Program>,
}

impl Default for ConsumerApp {
    fn default() -> Self {
        ConsumerApp {
            processing_ms_per_record: 10,
            commit: CommitMode::Auto,
            poll_timeout_ms: 100,
            fail_on_key: None,
            program: None,
        }
    }
}

/// Where `seek` moves a partition's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to", content = "value")]
pub enum SeekTo {
    Offset(i64),
    Beginning,
    End,
    /// The first offset whose timestamp is at or after this (`offsetsForTimes`).
    Timestamp(i64),
}

/// The member's side of the classic protocol (`MemberState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    Unjoined,
    /// JoinGroup sent (PREPARING_REBALANCE on the client).
    Joining,
    /// SyncGroup sent (COMPLETING_REBALANCE on the client).
    Syncing,
    Stable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timer {
    /// The application calls `poll()`.
    Poll { token: u64 },
    /// The heartbeat thread wakes up.
    Heartbeat { token: u64 },
    /// The application finished processing the records of its last poll.
    ProcessingDone { token: u64 },
    /// Retry coordinator lookup, metadata and offset lookups after `retry.backoff.ms`.
    Retry,
    /// The earliest deadline of the requests in flight to `broker` (`request.timeout.ms`).
    RequestTimeout { broker: i32, deadline: Millis },
    /// A preferred read replica's reconnect backoff is over: fetch again (KIP-392).
    ReconnectBackoffOver,
    /// `DefaultErrorHandler`'s back-off sleep is over: seek back and poll again.
    BackOffDone { token: u64 },
}

/// The requests that go to the group coordinator (Kafka gives it a connection of its own).
const GROUP_REQUESTS: [&str; 7] = [
    "JoinGroupRequest",
    "SyncGroupRequest",
    "HeartbeatRequest",
    "OffsetCommitRequest",
    "OffsetFetchRequest",
    "ConsumerGroupHeartbeatRequest",
    "ShareGroupHeartbeatRequest",
];

/// Kafka's `JOIN_GROUP_TIMEOUT_LAPSE`: a JoinGroup may wait a whole rebalance, plus this.
const JOIN_GROUP_TIMEOUT_LAPSE_MS: Millis = 5_000;

/// What to do when a commit completes.
#[derive(Debug, Clone)]
enum AfterCommit {
    Nothing,
    Process(Vec<(TopicPartition, i64)>),
    Poll,
    Join,
    /// The consumer protocol's commit before revoking: then the reconciliation goes on.
    Reconcile,
}

#[derive(Debug, Clone)]
struct Processing {
    records: Vec<(TopicPartition, i64)>,
    started_at: Millis,
    token: u64,
    /// A processor's (or a declared listener's) records processed so far: it outputs each
    /// record as it finishes it.
    done: usize,
}

#[derive(Debug, Clone)]
pub struct Consumer {
    /// Stable handle across restarts; a restart is a new process with a new client node.
    pub id: u32,
    pub node: u32,
    pub name: String,
    pub topics: Vec<String>,
    pub config: ConsumerConfig,
    /// The configs as the application wrote them, so a restart can change one and parse again.
    pub configs: Vec<(String, String)>,
    pub app: ConsumerApp,
    bootstrap: Vec<i32>,
    /// Each partition's leader and leader epoch from the last metadata (KIP-320).
    leaders: PartitionLeaders,
    pub partition_counts: BTreeMap<String, i32>,
    metadata_in_flight: Option<i32>,
    pub coordinator: Option<i32>,
    /// The last coordinator narrated, so repeated lookups of the same broker stay quiet.
    last_found_coordinator: Option<i32>,
    find_coordinator_in_flight: Option<i32>,
    pub member_id: String,
    pub generation_id: i32,
    pub state: MemberState,
    /// Partitions currently owned.
    pub assignment: BTreeSet<TopicPartition>,
    /// What was owned before an eager revocation (the sticky assignor's user data).
    last_assignment: Vec<TopicPartition>,
    /// Fetch positions: the next offset `poll()` returns.
    pub positions: Positions,
    /// The leader epochs of each position and whether it awaits validation (KIP-320).
    pub position_epochs: BTreeMap<TopicPartition, validation::PositionEpochs>,
    /// OffsetsForLeaderEpoch in flight per broker: the partitions and the positions asked about.
    validations_in_flight: BTreeMap<i32, Vec<(TopicPartition, i64)>>,
    /// After a failed validation, the next one waits until then (`retry.backoff.ms`).
    validation_retry_at: Millis,
    /// The last log truncation detected per partition, for the picture.
    pub detected_truncations: BTreeMap<TopicPartition, validation::DetectedTruncation>,
    awaiting_committed: BTreeSet<TopicPartition>,
    offset_fetch_in_flight: bool,
    /// Partitions waiting for ListOffsets: the timestamp to look up (-2 earliest, -1 latest).
    resets: BTreeMap<TopicPartition, (i64, PositionSource)>,
    list_offsets_in_flight: BTreeMap<i32, Vec<TopicPartition>>,
    /// Fetched records not yet polled: offset and the leader epoch of its batch.
    buffer: BTreeMap<TopicPartition, VecDeque<FetchedRecord>>,
    fetch_in_flight: BTreeMap<i32, Vec<(TopicPartition, i64)>>,
    /// KIP-392: per partition, the replica its leader named to read from, and until when.
    preferred_read_replicas: BTreeMap<TopicPartition, (i32, Millis)>,
    /// Brokers whose connection broke while serving as a preferred read replica, skipped until then.
    unavailable_until: BTreeMap<i32, Millis>,
    /// NetworkClient's in-flight requests, per broker: (deadline, request kind, timeout).
    in_flight_requests: BTreeMap<i32, Vec<(Millis, &'static str, Millis)>>,
    /// Per broker, the deadline its timeout timer is set for: one timer per connection, not per
    /// request, as NetworkClient checks expiry per connection.
    request_timer_at: BTreeMap<i32, Millis>,
    rejoin_needed: bool,
    /// The leader's metadata for the group's topics when it assigned (Kafka's
    /// `ConsumerCoordinator.assignmentSnapshot`): when it changes, the leader rejoins.
    assignment_snapshot: Option<BTreeMap<String, i32>>,
    heartbeat_sent_at: Option<Millis>,
    /// Consumer protocol: the assignment last received, which reconciliation moves towards.
    pub target: Option<BTreeSet<TopicPartition>>,
    /// Consumer protocol: the commit before a revocation is in flight.
    reconciling: bool,
    /// Consumer protocol: another heartbeat is due as soon as the one in flight is answered.
    heartbeat_again: bool,
    /// The heartbeat pace: `heartbeat.interval.ms`, or the broker's under the consumer protocol.
    pub heartbeat_interval_ms: Millis,
    pending_commits: BTreeMap<u64, AfterCommit>,
    next_correlation_id: u64,
    next_auto_commit_at: Millis,
    last_poll_at: Millis,
    poll_waiting: bool,
    /// The application is blocked in `commitSync()`.
    in_commit_sync: bool,
    processing: Option<Processing>,
    next_token: u64,
    poll_token: u64,
    heartbeat_token: u64,
    retry_scheduled: bool,
    /// Stopped for good: FENCED_INSTANCE_ID or a fatal protocol error.
    pub fatal: Option<ErrorCode>,
    pub polled_records: u64,
    pub processed_records: u64,
    pub duplicates: u64,
    pub skipped: u64,
    /// Linked as a processor: processed records are kept for the application's output step.
    pub(crate) capture_processed: bool,
    pub(crate) processed_output: Vec<(TopicPartition, i64)>,
    /// Transactional processing: the application waits for its transaction to end.
    pub awaiting_transaction: bool,
    /// An at-least-once processor: its outputs are flushed before the input offsets are
    /// committed (`producer.flush()`, then `commitSync()`).
    pub(crate) flush_before_commit: bool,
    /// Such a processor waits for its producer's flush.
    pub awaiting_flush: bool,
    /// Linked as a processor: the application hands each record to its producer as soon as it
    /// processed it, so a crash mid-batch leaves the batch's first outputs written.
    pub(crate) output_each_record: bool,
    /// Offset ranges of markers and aborted records fetches passed over, not yet reported.
    passed_over: BTreeMap<TopicPartition, Vec<(i64, i64)>>,
    /// A share consumer's fetch session: acquired records and acknowledgements to send.
    pub share: share::ShareSession,
    /// A declared listener's view of the records fetched and not yet processed.
    received: BTreeMap<(TopicPartition, i64), crate::log::Record>,
    /// Spring's `FailedRecordTracker`: per partition, the offset that failed and how often.
    failed_records: BTreeMap<TopicPartition, (i64, u32)>,
    /// Deliveries so far of each record a `fail_first` rule matched, by its origin.
    deliveries: BTreeMap<(TopicPartition, i64), u32>,
    /// Retry-topic partitions paused until their next record is due.
    pub paused_until: BTreeMap<TopicPartition, Millis>,
    /// The declared listener's records to send with the application's producer: derived
    /// records, dead letters and retry-topic forwards.
    pub(crate) program_output: Vec<crate::producer::ProducerRecord>,
    pub listener_stats: program::ListenerStats,
    /// `DefaultErrorHandler` sleeps its back-off until then.
    pub backing_off_until: Option<Millis>,
}

impl Consumer {
    pub fn new(
        id: u32,
        node: u32,
        name: String,
        topics: Vec<String>,
        config: ConsumerConfig,
        app: ConsumerApp,
        bootstrap: Vec<i32>,
    ) -> Self {
        let member_id = match config.group_protocol {
            config::GroupProtocol::Consumer | config::GroupProtocol::Share => membership::client_member_id(node),
            config::GroupProtocol::Classic => String::new(),
        };
        let heartbeat_interval_ms = config.heartbeat_interval_ms;
        Consumer {
            id,
            node,
            name,
            topics,
            config,
            configs: Vec::new(),
            app,
            bootstrap,
            leaders: PartitionLeaders::default(),
            partition_counts: BTreeMap::new(),
            metadata_in_flight: None,
            coordinator: None,
            last_found_coordinator: None,
            find_coordinator_in_flight: None,
            member_id,
            generation_id: -1,
            state: MemberState::Unjoined,
            assignment: BTreeSet::new(),
            last_assignment: Vec::new(),
            positions: Positions::default(),
            position_epochs: BTreeMap::new(),
            validations_in_flight: BTreeMap::new(),
            validation_retry_at: 0,
            detected_truncations: BTreeMap::new(),
            awaiting_committed: BTreeSet::new(),
            offset_fetch_in_flight: false,
            resets: BTreeMap::new(),
            list_offsets_in_flight: BTreeMap::new(),
            buffer: BTreeMap::new(),
            fetch_in_flight: BTreeMap::new(),
            preferred_read_replicas: BTreeMap::new(),
            unavailable_until: BTreeMap::new(),
            in_flight_requests: BTreeMap::new(),
            request_timer_at: BTreeMap::new(),
            rejoin_needed: false,
            assignment_snapshot: None,
            heartbeat_sent_at: None,
            target: None,
            reconciling: false,
            heartbeat_again: false,
            heartbeat_interval_ms,
            pending_commits: BTreeMap::new(),
            next_correlation_id: 0,
            next_auto_commit_at: 0,
            last_poll_at: 0,
            poll_waiting: false,
            in_commit_sync: false,
            processing: None,
            next_token: 0,
            poll_token: 0,
            heartbeat_token: 0,
            retry_scheduled: false,
            fatal: None,
            polled_records: 0,
            processed_records: 0,
            duplicates: 0,
            skipped: 0,
            capture_processed: false,
            processed_output: Vec::new(),
            awaiting_transaction: false,
            flush_before_commit: false,
            awaiting_flush: false,
            output_each_record: false,
            passed_over: BTreeMap::new(),
            share: share::ShareSession::default(),
            received: BTreeMap::new(),
            failed_records: BTreeMap::new(),
            deliveries: BTreeMap::new(),
            paused_until: BTreeMap::new(),
            program_output: Vec::new(),
            listener_stats: program::ListenerStats::default(),
            backing_off_until: None,
        }
    }

    pub fn group_id(&self) -> &str {
        &self.config.group_id
    }

    fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    /// Sets the next heartbeat `after` ms from now; any heartbeat timer set before goes stale.
    fn restart_heartbeat_timer(&mut self, after: Millis, now: Millis, out: &mut Outbox<Timer>) {
        self.heartbeat_token = self.token();
        out.timer(now + after, Timer::Heartbeat { token: self.heartbeat_token });
    }

    /// Records returned by `poll()` and not yet processed.
    pub fn in_flight_records(&self) -> usize {
        self.processing.as_ref().map_or(0, |p| p.records.len())
    }

    fn schedule_poll(&mut self, at: Millis, out: &mut Outbox<Timer>) {
        self.poll_token = self.token();
        out.timer(at, Timer::Poll { token: self.poll_token });
    }

    /// A blocked `poll()` returns early when something it waits for arrives.
    fn wake_poll(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if self.poll_waiting {
            self.poll_waiting = false;
            self.schedule_poll(now, out);
        }
    }

    /// Sends a request that expects an answer, and arms its `request.timeout.ms`.
    fn send_request(&mut self, broker: i32, request: impl Into<Message>, now: Millis, out: &mut Outbox<Timer>) {
        let request = request.into();
        let timeout = match request {
            Message::Group(GroupMessage::JoinGroupRequest { rebalance_timeout_ms, .. }) => {
                self.config.request_timeout_ms.max(rebalance_timeout_ms + JOIN_GROUP_TIMEOUT_LAPSE_MS)
            }
            _ => self.config.request_timeout_ms,
        };
        self.in_flight_requests.entry(broker).or_default().push((now + timeout, request.kind(), timeout));
        self.arm_request_timer(broker, out);
        out.send(NodeId::Broker(broker), request);
    }

    /// Sets `broker`'s timer for its earliest deadline, unless it is already set at or before it.
    fn arm_request_timer(&mut self, broker: i32, out: &mut Outbox<Timer>) {
        let Some(deadline) = self.in_flight_requests.get(&broker).and_then(|r| r.iter().map(|(d, _, _)| *d).min())
        else {
            return;
        };
        if self.request_timer_at.get(&broker).is_none_or(|at| *at > deadline) {
            self.request_timer_at.insert(broker, deadline);
            out.timer(deadline, Timer::RequestTimeout { broker, deadline });
        }
    }

    /// Matches an answer from `broker` to the oldest request of its kind. An answer to nothing
    /// (its request timed out, so Kafka closed that connection) is dropped.
    fn take_answered(&mut self, broker: i32, response: &'static str) -> bool {
        let Some(requests) = self.in_flight_requests.get_mut(&broker) else { return false };
        let asked = response.strip_suffix("Response");
        match requests.iter().position(|(_, request, _)| request.strip_suffix("Request") == asked) {
            Some(i) => {
                requests.remove(i);
                true
            }
            None => false,
        }
    }

    fn random_broker(&self, rng: &mut impl Rng) -> Option<i32> {
        (!self.bootstrap.is_empty()).then(|| self.bootstrap[rng.random_range(0..self.bootstrap.len())])
    }

    fn request_metadata(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.metadata_in_flight.is_some() {
            return;
        }
        if let Some(broker) = self.random_broker(rng) {
            self.metadata_in_flight = Some(broker);
            self.send_request(broker, ClientMessage::MetadataRequest, now, out);
        }
    }

    fn find_coordinator(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.coordinator.is_some() || self.find_coordinator_in_flight.is_some() {
            return;
        }
        if let Some(broker) = self.random_broker(rng) {
            self.find_coordinator_in_flight = Some(broker);
            self.send_request(
                broker,
                ClientMessage::FindCoordinatorRequest { key: self.config.group_id.clone() },
                now,
                out,
            );
        }
    }

    /// Whether a request to `broker` awaits its answer: the connection it travels on closing
    /// fails it (Kafka's `NetworkClient.processDisconnection`).
    pub fn awaits_answer_from(&self, broker: i32) -> bool {
        self.in_flight_requests.get(&broker).is_some_and(|requests| !requests.is_empty())
    }

    fn schedule_retry(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if !self.retry_scheduled {
            self.retry_scheduled = true;
            out.timer(now + self.config.retry_backoff_ms.max(1), Timer::Retry);
        }
    }

    /// `markCoordinatorUnknown`: it disconnects from the coordinator, so the group requests in
    /// flight to it are abandoned.
    fn coordinator_lost(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        let Some(coordinator) = self.coordinator.take() else {
            return;
        };
        if let Some(requests) = self.in_flight_requests.get_mut(&coordinator) {
            requests.retain(|(_, kind, _)| !GROUP_REQUESTS.contains(kind));
        }
        self.heartbeat_sent_at = None;
        self.offset_fetch_in_flight = false;
        if matches!(self.state, MemberState::Joining | MemberState::Syncing) {
            self.state = MemberState::Unjoined;
            self.rejoin_needed = true;
        }
        let commits: Vec<u64> = self.pending_commits.keys().copied().collect();
        for id in commits {
            self.commit_done(id, Some(ErrorCode::CoordinatorNotAvailable), now, out);
        }
        let _ = rng;
        self.schedule_retry(now, out);
    }

    /// The application's `poll()`: auto-commit, rebalance if needed, return buffered records.
    fn poll(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        self.last_poll_at = now;
        self.poll_waiting = false;
        self.find_coordinator(now, rng, out);
        if self.is_share_consumer() {
            return self.share_poll(now, out);
        }
        if self.coordinator.is_some()
            && self.state == MemberState::Stable
            && self.config.enable_auto_commit
            && self.app.commit != CommitMode::Transactional
            && now >= self.next_auto_commit_at
        {
            self.next_auto_commit_at = now + self.config.auto_commit_interval_ms;
            self.commit(false, AfterCommit::Nothing, now, out);
        }
        if self.uses_consumer_protocol() {
            if self.coordinator.is_some() && self.state == MemberState::Unjoined && self.heartbeat_sent_at.is_none() {
                self.send_group_heartbeat(now, out);
            }
        } else {
            let needs_join =
                self.state == MemberState::Unjoined || (self.state == MemberState::Stable && self.rejoin_needed);
            if self.coordinator.is_some() && needs_join && !self.in_commit_sync {
                self.prepare_join(now, out);
            }
        }
        if self.in_commit_sync {
            // `commitSync()` inside `onJoinPrepare` blocks this poll; it returns empty.
            self.wait_in_poll(now, out);
            return;
        }
        self.resume_due_partitions(now);
        self.update_positions(now, rng, out);
        let records = self.drain(self.config.max_poll_records);
        self.send_fetches(now, out);
        if records.is_empty() {
            self.wait_in_poll(now, out);
            return;
        }
        let partitions: BTreeSet<TopicPartition> = records.iter().map(|(tp, _)| tp.clone()).collect();
        out.fact(Fact::ConsumerPolled {
            consumer: self.id,
            records: records.len(),
            partitions: partitions.into_iter().collect(),
        });
        self.polled_records += records.len() as u64;
        if self.app.commit == CommitMode::SyncBeforeProcessing {
            self.commit(true, AfterCommit::Process(records), now, out);
        } else {
            self.begin_processing(records, now, out);
        }
    }

    /// `poll(timeout)` found nothing: it blocks until data or a rebalance result arrives, or the
    /// timeout passes, and the application loops into the next poll.
    fn wait_in_poll(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        self.poll_waiting = true;
        self.poll_token = self.token();
        out.timer(now + self.app.poll_timeout_ms.max(1), Timer::Poll { token: self.poll_token });
    }

    /// Takes up to `max` records from the fetched buffer and advances the positions.
    fn drain(&mut self, max: usize) -> Vec<(TopicPartition, i64)> {
        let mut records = Vec::new();
        for (tp, queue) in &mut self.buffer {
            if self.paused_until.contains_key(tp) {
                continue;
            }
            while records.len() < max {
                let Some((offset, leader_epoch)) = queue.pop_front() else { break };
                records.push((tp.clone(), offset));
                self.positions.insert(tp.clone(), offset + 1);
                // `FetchPosition.offsetEpoch`: the epoch of the last record returned.
                self.position_epochs.entry(tp.clone()).or_default().offset_epoch = Some(leader_epoch);
            }
        }
        self.buffer.retain(|_, q| !q.is_empty());
        records
    }

    fn begin_processing(&mut self, records: Vec<(TopicPartition, i64)>, now: Millis, out: &mut Outbox<Timer>) {
        let token = self.token();
        if self.app.program.is_some() {
            self.processing = Some(Processing { records, started_at: now, token, done: 0 });
            return self.listen_next(now, out);
        }
        let records_timed = if self.output_each_record { 1 } else { records.len() };
        let duration = self.app.processing_ms_per_record * records_timed as Millis;
        out.timer(now + duration, Timer::ProcessingDone { token });
        self.processing = Some(Processing { records, started_at: now, token, done: 0 });
    }

    fn processing_done(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if self.app.program.is_some() {
            return self.listener_done(now, out);
        }
        if self.output_each_record {
            // One record is done: its output goes out now; the batch goes on with the next.
            let Some(processing) = self.processing.as_mut() else { return };
            if let Some(record) = processing.records.get(processing.done) {
                self.processed_output.push(record.clone());
                processing.done += 1;
            }
            if processing.done < processing.records.len() {
                out.timer(now + self.app.processing_ms_per_record, Timer::ProcessingDone { token: processing.token });
                return;
            }
        }
        let Some(processing) = self.processing.take() else { return };
        if self.is_share_consumer() {
            return self.share_processing_done(processing.records, now, out);
        }
        self.batch_processed(processing, now, out);
    }

    /// The application is through with its poll's records: report them, then commit as its
    /// mode says and poll again.
    fn batch_processed(&mut self, processing: Processing, now: Millis, out: &mut Outbox<Timer>) {
        self.report_processed(&processing.records, out);
        // A declared listener kept each record as it finished it.
        if self.capture_processed && !self.output_each_record && self.app.program.is_none() {
            self.processed_output.extend(processing.records.iter().cloned());
        }
        match self.app.commit {
            // A declared listener's batch can end empty (its records paused): no transaction.
            CommitMode::Transactional if processing.records.is_empty() => self.schedule_poll(now, out),
            CommitMode::Transactional => self.awaiting_transaction = true,
            CommitMode::SyncAfterProcessing if self.flush_before_commit => self.awaiting_flush = true,
            CommitMode::SyncAfterProcessing => self.commit(true, AfterCommit::Poll, now, out),
            CommitMode::AsyncAfterProcessing => {
                self.commit(false, AfterCommit::Nothing, now, out);
                self.schedule_poll(now, out);
            }
            CommitMode::Auto | CommitMode::SyncBeforeProcessing => self.schedule_poll(now, out),
        }
    }

    /// The processed records kept while `capture_processed` is on (a processor's, until the
    /// application takes them; a chaos verifier's, all of them).
    pub fn processed_records_kept(&self) -> impl Iterator<Item = (&TopicPartition, &i64)> {
        self.processed_output.iter().map(|(tp, offset)| (tp, offset))
    }

    /// The application's transaction for the records it processed ended: on to the next
    /// `poll()`; after an abort, first back to where the batch began (the records are processed
    /// again, their earlier outputs were aborted).
    pub fn transaction_finished(
        &mut self,
        committed: bool,
        batch: &[(TopicPartition, i64)],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        if committed && !self.awaiting_transaction {
            return;
        }
        if !committed {
            // Aborted, possibly mid-batch (timed out or fenced): the rest of the batch is
            // dropped too; it all comes again from where the batch began.
            let mut from = batch.to_vec();
            if let Some(processing) = self.processing.take() {
                self.processed_output.clear();
                from.extend(processing.records);
            }
            self.rewind_to(&from);
        }
        self.awaiting_transaction = false;
        self.schedule_poll(now, out);
    }

    /// An at-least-once processor's outputs were flushed: it commits its input offsets, then
    /// polls. If an output failed, it commits nothing and goes back to where the batch began:
    /// the batch is processed again, and the outputs that did get written are written twice.
    pub fn outputs_flushed(
        &mut self,
        all_written: bool,
        batch: &[(TopicPartition, i64)],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        if !self.awaiting_flush {
            return;
        }
        self.awaiting_flush = false;
        if all_written {
            self.commit(true, AfterCommit::Poll, now, out);
        } else {
            self.rewind_to(batch);
            self.schedule_poll(now, out);
        }
    }

    /// A Kafka Streams thread between two commits: it polls on without flushing or committing
    /// (it commits every `commit.interval.ms`, not after every poll).
    pub fn poll_without_commit(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if self.awaiting_flush {
            self.awaiting_flush = false;
            self.schedule_poll(now, out);
        }
    }

    /// Seeks each owned partition of `batch` back to the batch's first offset in it.
    fn rewind_to(&mut self, batch: &[(TopicPartition, i64)]) {
        let mut first: BTreeMap<&TopicPartition, i64> = BTreeMap::new();
        for (tp, offset) in batch {
            let f = first.entry(tp).or_insert(*offset);
            *f = (*f).min(*offset);
        }
        for (tp, offset) in first {
            if self.assignment.contains(tp) {
                self.positions.insert(tp.clone(), offset);
                self.buffer.remove(tp);
            }
        }
    }

    /// Where a run starting at `first` really begins: transaction markers and aborted records
    /// the fetch passed over right before it belong to it (they are not records skipped).
    fn passed_over_before(&mut self, tp: &TopicPartition, first: i64) -> i64 {
        let Some(ranges) = self.passed_over.get_mut(tp) else { return first };
        let mut start = first;
        while let Some((from, _)) = ranges.iter().find(|(from, next)| *next == start && *from < start) {
            start = *from;
        }
        ranges.retain(|(_, next)| *next > first);
        if ranges.is_empty() {
            self.passed_over.remove(tp);
        }
        start
    }

    /// One RecordsProcessed fact per partition run; the world's ledger checks them.
    fn report_processed(&mut self, records: &[(TopicPartition, i64)], out: &mut Outbox<Timer>) {
        self.processed_records += records.len() as u64;
        let mut runs: BTreeMap<TopicPartition, (i64, i64, usize)> = BTreeMap::new();
        for (tp, offset) in records {
            let run = runs.entry(tp.clone()).or_insert((*offset, *offset, 0));
            run.0 = run.0.min(*offset);
            run.1 = run.1.max(*offset);
            run.2 += 1;
        }
        for (tp, (first, last, count)) in runs {
            let first = self.passed_over_before(&tp, first);
            out.fact(Fact::RecordsProcessed {
                consumer: self.id,
                group: self.config.group_id.clone(),
                topic_partition: tp,
                first_offset: first,
                last_offset: last,
                count,
            });
        }
    }

    /// `close()`: commit (with auto-commit), leave the group (dynamic members), stop.
    pub fn close(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if self.is_share_consumer() {
            self.close_share_session(out);
        } else if self.config.enable_auto_commit {
            self.commit(false, AfterCommit::Nothing, now, out);
        }
        if self.uses_consumer_protocol() {
            self.leave_consumer_group(out);
        } else if let (Some(c), None) = (self.coordinator, &self.config.group_instance_id) {
            if !self.member_id.is_empty() {
                out.send(
                    NodeId::Broker(c),
                    GroupMessage::LeaveGroupRequest {
                        group_id: self.config.group_id.clone(),
                        member_id: self.member_id.clone(),
                        group_instance_id: None,
                    },
                );
            }
        }
        self.fatal = Some(ErrorCode::None);
        out.fact(Fact::ConsumerClosed { consumer: self.id });
    }

    /// `seek`: an offset moves the position now; the others look it up with ListOffsets.
    pub fn seek(&mut self, tp: TopicPartition, to: SeekTo, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        self.buffer.remove(&tp);
        self.positions.remove(&tp);
        match to {
            SeekTo::Offset(offset) => {
                self.positions.insert(tp.clone(), offset);
                self.set_position_epochs(&tp, None);
                out.fact(Fact::PositionSet {
                    consumer: self.id,
                    topic_partition: tp,
                    offset,
                    source: PositionSource::Seek,
                });
            }
            SeekTo::Beginning => {
                self.resets.insert(tp, (-2, PositionSource::Seek));
            }
            SeekTo::End => {
                self.resets.insert(tp, (-1, PositionSource::Seek));
            }
            SeekTo::Timestamp(ts) => {
                self.resets.insert(tp, (ts.max(0), PositionSource::SeekTimestamp));
            }
        }
        self.update_positions(now, rng, out);
        self.send_fetches(now, out);
    }

    /// The application calls `commitSync()` / `commitAsync()` now, outside its loop.
    pub fn commit_now(&mut self, sync: bool, now: Millis, out: &mut Outbox<Timer>) {
        self.commit(sync, AfterCommit::Nothing, now, out);
    }

    /// Commits the current positions with their offset epochs (`subscriptions.allConsumed()`),
    /// only as a Stable member.
    fn commit(&mut self, sync: bool, then: AfterCommit, now: Millis, out: &mut Outbox<Timer>) {
        let offsets: Vec<(TopicPartition, i64)> = self.positions.iter().map(|(tp, o)| (tp.clone(), *o)).collect();
        let partitions = offsets.iter().map(|(tp, o)| self.consumed_offset(tp, *o)).collect();
        let error = match (self.coordinator, self.state) {
            (None, _) => Some(ErrorCode::CoordinatorNotAvailable),
            (_, MemberState::Joining | MemberState::Syncing) => Some(ErrorCode::RebalanceInProgress),
            (_, MemberState::Unjoined) => Some(ErrorCode::UnknownMemberId),
            _ => None,
        };
        let id = self.next_correlation_id;
        self.next_correlation_id += 1;
        self.in_commit_sync |= sync;
        self.pending_commits.insert(id, then);
        match (error, self.coordinator) {
            (None, Some(c)) if !offsets.is_empty() => {
                out.fact(Fact::CommitSent {
                    consumer: self.id,
                    group: self.config.group_id.clone(),
                    offsets: offsets.clone(),
                    sync,
                });
                self.send_request(
                    c,
                    GroupMessage::OffsetCommitRequest {
                        correlation_id: id,
                        group_id: self.config.group_id.clone(),
                        generation_id: self.generation_id,
                        member_id: self.member_id.clone(),
                        group_instance_id: self.config.group_instance_id.clone(),
                        offsets: partitions,
                    },
                    now,
                    out,
                );
            }
            (None, _) => self.commit_done(id, None, now, out),
            (Some(error), _) => self.commit_done(id, Some(error), now, out),
        }
    }

    fn commit_done(&mut self, id: u64, error: Option<ErrorCode>, now: Millis, out: &mut Outbox<Timer>) {
        let Some(then) = self.pending_commits.remove(&id) else { return };
        if let Some(error) = error {
            out.fact(Fact::CommitFailed { consumer: self.id, group: self.config.group_id.clone(), error });
            match error {
                ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration | ErrorCode::RebalanceInProgress => {
                    self.rejoin_needed = true
                }
                ErrorCode::FencedInstanceId => self.fatal = Some(error),
                _ => {}
            }
        }
        if !self.pending_commits.values().any(|t| !matches!(t, AfterCommit::Nothing)) {
            self.in_commit_sync = false;
        }
        match then {
            AfterCommit::Nothing => {}
            AfterCommit::Process(records) => self.begin_processing(records, now, out),
            AfterCommit::Poll => self.schedule_poll(now, out),
            AfterCommit::Join => self.send_join(now, out),
            AfterCommit::Reconcile => self.finish_reconcile(now, out),
        }
    }

    /// `onJoinPrepare`: commit synchronously with auto-commit, revoke everything if eager, rejoin.
    fn prepare_join(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        self.rejoin_needed = false;
        if self.state == MemberState::Stable && self.config.enable_auto_commit && !self.positions.is_empty() {
            self.commit(true, AfterCommit::Join, now, out);
        } else {
            self.send_join(now, out);
        }
    }

    fn send_join(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let Some(c) = self.coordinator else {
            self.state = MemberState::Unjoined;
            return;
        };
        if !self.config.cooperative() && !self.assignment.is_empty() {
            let revoked: Vec<TopicPartition> = self.assignment.iter().cloned().collect();
            out.fact(Fact::PartitionsRevoked {
                consumer: self.id,
                group: self.config.group_id.clone(),
                partitions: revoked.clone(),
            });
            self.last_assignment = revoked;
            self.drop_partitions(&self.assignment.clone());
        }
        let owned = if self.config.cooperative() {
            self.assignment.iter().cloned().collect()
        } else {
            self.last_assignment.clone()
        };
        let metadata =
            Subscription { topics: self.topics.clone(), owned_partitions: owned, generation_id: self.generation_id };
        let protocols = self
            .config
            .partition_assignment_strategy
            .iter()
            .map(|s| JoinGroupProtocol { name: s.name().to_string(), metadata: metadata.clone() })
            .collect();
        self.state = MemberState::Joining;
        self.send_request(
            c,
            GroupMessage::JoinGroupRequest {
                group_id: self.config.group_id.clone(),
                member_id: self.member_id.clone(),
                group_instance_id: self.config.group_instance_id.clone(),
                client_id: self.name.clone(),
                session_timeout_ms: self.config.session_timeout_ms,
                rebalance_timeout_ms: self.config.max_poll_interval_ms,
                protocol_type: "consumer".into(),
                protocols,
            },
            now,
            out,
        );
    }

    fn drop_partitions(&mut self, partitions: &BTreeSet<TopicPartition>) {
        for tp in partitions {
            self.assignment.remove(tp);
            self.positions.remove(tp);
            self.position_epochs.remove(tp);
            self.buffer.remove(tp);
            self.awaiting_committed.remove(tp);
            self.resets.remove(tp);
            self.preferred_read_replicas.remove(tp);
            self.paused_until.remove(tp);
            self.failed_records.remove(tp);
        }
        self.received.retain(|(tp, _), _| !partitions.contains(tp));
    }

    /// `onPartitionsLost`: fenced or expired, so the partitions go without a commit.
    fn lose_partitions(&mut self, error: ErrorCode, out: &mut Outbox<Timer>) {
        if !self.assignment.is_empty() {
            let lost: Vec<TopicPartition> = self.assignment.iter().cloned().collect();
            out.fact(Fact::PartitionsLost {
                consumer: self.id,
                group: self.config.group_id.clone(),
                partitions: lost,
                error,
            });
            self.drop_partitions(&self.assignment.clone());
        }
        self.last_assignment.clear();
    }

    /// Reacts to a group error as `AbstractCoordinator` does. Returns true if it was handled.
    fn group_error(&mut self, error: ErrorCode, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        match error {
            ErrorCode::None => {}
            ErrorCode::RebalanceInProgress => {
                if !self.rejoin_needed {
                    out.fact(Fact::RejoinRequested { consumer: self.id, group: self.config.group_id.clone(), error });
                }
                self.rejoin_needed = true;
                if self.state != MemberState::Stable {
                    self.state = MemberState::Unjoined;
                }
                self.wake_poll(now, out);
            }
            ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId => {
                self.lose_partitions(error, out);
                self.generation_id = -1;
                if error == ErrorCode::UnknownMemberId {
                    self.member_id.clear();
                }
                self.state = MemberState::Unjoined;
                self.rejoin_needed = true;
                out.fact(Fact::RejoinRequested { consumer: self.id, group: self.config.group_id.clone(), error });
                self.wake_poll(now, out);
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => self.coordinator_lost(now, rng, out),
            // A transaction's offsets are pending: OffsetFetch is retried (KIP-447).
            ErrorCode::UnstableOffsetCommit => {}
            fatal => {
                self.lose_partitions(fatal, out);
                self.fatal = Some(fatal);
            }
        }
    }

    fn heartbeat_tick(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.uses_consumer_protocol() {
            return self.group_heartbeat_tick(now, out);
        }
        if self.is_share_consumer() {
            return self.send_share_heartbeat(now, out);
        }
        self.restart_heartbeat_timer(self.config.heartbeat_interval_ms, now, out);
        let app_blocked = self.processing.is_some() || self.in_commit_sync;
        if app_blocked
            && self.state != MemberState::Unjoined
            && now.saturating_sub(self.last_poll_at) > self.config.max_poll_interval_ms
        {
            // `maybeLeaveGroup`: the application stalled; a dynamic member leaves.
            out.fact(Fact::PollIntervalExceeded {
                consumer: self.id,
                group: self.config.group_id.clone(),
                max_poll_interval_ms: self.config.max_poll_interval_ms,
            });
            if let (Some(c), None) = (self.coordinator, &self.config.group_instance_id) {
                out.send(
                    NodeId::Broker(c),
                    GroupMessage::LeaveGroupRequest {
                        group_id: self.config.group_id.clone(),
                        member_id: self.member_id.clone(),
                        group_instance_id: None,
                    },
                );
                self.member_id.clear();
            }
            self.generation_id = -1;
            self.state = MemberState::Unjoined;
            return;
        }
        if let Some(sent) = self.heartbeat_sent_at {
            if now.saturating_sub(sent) >= self.config.session_timeout_ms {
                self.coordinator_lost(now, rng, out);
            }
            return;
        }
        if let (Some(c), MemberState::Syncing | MemberState::Stable) = (self.coordinator, self.state) {
            self.heartbeat_sent_at = Some(now);
            self.send_request(
                c,
                GroupMessage::HeartbeatRequest {
                    group_id: self.config.group_id.clone(),
                    generation_id: self.generation_id,
                    member_id: self.member_id.clone(),
                    group_instance_id: self.config.group_instance_id.clone(),
                },
                now,
                out,
            );
        }
    }

    /// The messages a consumer takes: the answers to its requests. Anything else reaching it was
    /// misrouted.
    fn serves(message: &Message) -> bool {
        match message {
            Message::Client(message) => match message {
                ClientMessage::MetadataResponse { .. }
                | ClientMessage::FindCoordinatorResponse { .. }
                | ClientMessage::ListOffsetsResponse { .. }
                | ClientMessage::ConsumerFetchResponse { .. }
                | ClientMessage::ShareFetchResponse { .. }
                | ClientMessage::ShareAcknowledgeResponse { .. }
                | ClientMessage::OffsetsForLeaderEpochResponse { .. } => true,
                ClientMessage::MetadataRequest
                | ClientMessage::ShareFetchRequest { .. }
                | ClientMessage::ShareAcknowledgeRequest { .. }
                | ClientMessage::InitProducerIdRequest { .. }
                | ClientMessage::InitProducerIdResponse { .. }
                | ClientMessage::ProduceRequest { .. }
                | ClientMessage::ProduceResponse { .. }
                | ClientMessage::FindCoordinatorRequest { .. }
                | ClientMessage::ListOffsetsRequest { .. }
                | ClientMessage::ConsumerFetchRequest { .. }
                | ClientMessage::OffsetsForLeaderEpochRequest { .. } => false,
            },
            Message::Group(message) => match message {
                GroupMessage::JoinGroupResponse { .. }
                | GroupMessage::SyncGroupResponse { .. }
                | GroupMessage::HeartbeatResponse { .. }
                | GroupMessage::LeaveGroupResponse { .. }
                | GroupMessage::OffsetCommitResponse { .. }
                | GroupMessage::OffsetFetchResponse { .. }
                | GroupMessage::ConsumerGroupHeartbeatResponse { .. }
                | GroupMessage::ShareGroupHeartbeatResponse { .. } => true,
                GroupMessage::JoinGroupRequest { .. }
                | GroupMessage::ShareGroupHeartbeatRequest { .. }
                | GroupMessage::SyncGroupRequest { .. }
                | GroupMessage::HeartbeatRequest { .. }
                | GroupMessage::LeaveGroupRequest { .. }
                | GroupMessage::OffsetCommitRequest { .. }
                | GroupMessage::OffsetFetchRequest { .. }
                | GroupMessage::ConsumerGroupHeartbeatRequest { .. }
                | GroupMessage::TxnOffsetCommitRequest { .. }
                | GroupMessage::TxnOffsetCommitResponse { .. } => false,
            },
            Message::Replication(_)
            | Message::Raft(_)
            | Message::Controller(_)
            | Message::Txn(_)
            | Message::ShareState(_) => false,
        }
    }

    /// One partition of a FetchResponse from `broker`. Returns whether it buffered records.
    fn on_fetched_partition(
        &mut self,
        broker: i32,
        asked: &[(TopicPartition, i64)],
        p: PartitionFetchResponse,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) -> bool {
        let tp = p.topic_partition;
        let Some((_, fetch_offset)) = asked.iter().find(|(t, _)| *t == tp) else { return false };
        // Drop a response that no longer matches the position (seek, revocation, reset).
        if self.positions.get(&tp) != Some(fetch_offset) || !self.assignment.contains(&tp) {
            return false;
        }
        if p.error != ErrorCode::None && self.reads_from_replica(&tp, broker) {
            // From a follower, any error sends the consumer back to the leader; an offset out of
            // range there is no reason to reset the position (`FetchCollector.handleInitializeErrors`).
            self.clear_preferred_read_replica(&tp, ReadReplicaFallback::Error { error: p.error }, out);
            if p.error == ErrorCode::OffsetOutOfRange {
                return false;
            }
        }
        if let (ErrorCode::None, Some(replica)) = (p.error, p.preferred_read_replica) {
            self.adopt_preferred_read_replica(tp, broker, replica, now, out);
            return false;
        }
        match p.error {
            ErrorCode::None => {}
            ErrorCode::OffsetOutOfRange => {
                self.positions.remove(&tp);
                self.reset_position(tp, out);
                self.update_positions(now, rng, out);
                return false;
            }
            _ => {
                self.request_metadata(now, rng, out);
                return false;
            }
        }
        let (offsets, skipped) = readable_offsets(&p.batches, &p.aborted_transactions, *fetch_offset);
        let skipped_to = skipped.last().map(|(_, next)| *next);
        if !skipped.is_empty() {
            self.passed_over.entry(tp.clone()).or_default().extend(skipped);
        }
        if offsets.is_empty() {
            // Only markers or aborted records: move past them, as Kafka's `nextFetchOffset` does.
            if let Some(next) = skipped_to.filter(|next| next > fetch_offset) {
                self.positions.insert(tp, next);
            }
            return false;
        }
        if self.app.program.is_some() {
            self.keep_received(&tp, &p.batches, &offsets);
        }
        self.buffer.insert(tp, offsets);
        true
    }

    /// `auto.offset.reset` for a partition without a valid position.
    fn reset_position(&mut self, tp: TopicPartition, out: &mut Outbox<Timer>) {
        match self.config.auto_offset_reset {
            AutoOffsetReset::Earliest => {
                self.resets.insert(tp, (-2, PositionSource::ResetEarliest));
            }
            AutoOffsetReset::Latest => {
                self.resets.insert(tp, (-1, PositionSource::ResetLatest));
            }
            AutoOffsetReset::None => out.fact(Fact::NoOffsetForPartition { consumer: self.id, topic_partition: tp }),
        }
    }

    /// Partition counts of `topics` in this consumer's metadata (Kafka's `MetadataSnapshot`).
    fn metadata_snapshot<'a>(&self, topics: impl IntoIterator<Item = &'a String>) -> BTreeMap<String, i32> {
        topics.into_iter().map(|t| (t.clone(), self.partition_counts.get(t).copied().unwrap_or(0))).collect()
    }

    /// `ConsumerCoordinator.rejoinNeededOrPending`: the leader assigned with metadata that has
    /// changed since (a topic appeared, or gained partitions), so the group must rebalance.
    fn rejoin_if_metadata_changed(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let Some(snapshot) = &self.assignment_snapshot else { return };
        if self.metadata_snapshot(snapshot.keys()) == *snapshot || self.rejoin_needed {
            return;
        }
        self.assignment_snapshot = None;
        self.rejoin_needed = true;
        out.fact(Fact::RejoinRequested {
            consumer: self.id,
            group: self.config.group_id.clone(),
            error: ErrorCode::None,
        });
        self.wake_poll(now, out);
    }

    /// The leader's job: run the chosen assignor over every member's subscription.
    fn compute_assignment(
        &self,
        protocol: Option<&str>,
        members: &[JoinGroupMember],
    ) -> Vec<(String, Vec<TopicPartition>)> {
        let Some(strategy) = protocol.and_then(|p| p.parse::<Strategy>().ok()) else { return Vec::new() };
        let subscriptions: Vec<MemberSubscription> = members
            .iter()
            .map(|m| MemberSubscription {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                topics: m.metadata.topics.clone(),
                owned: m
                    .metadata
                    .owned_partitions
                    .iter()
                    .map(|tp| assignor::TopicPartition::new(tp.topic.clone(), tp.partition))
                    .collect(),
                generation_id: Some(m.metadata.generation_id),
            })
            .collect();
        match assignor::assign(strategy, &self.partition_counts, &subscriptions) {
            Ok(assignment) => assignment
                .into_iter()
                .map(|(member, list)| {
                    (member, list.into_iter().map(|tp| TopicPartition::new(tp.topic, tp.partition)).collect())
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// SyncGroup answered: eager takes the new assignment; cooperative revokes only what moved
    /// and rejoins if it revoked anything (KIP-429's second rebalance).
    fn on_assignment(
        &mut self,
        assignment: Vec<TopicPartition>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        self.state = MemberState::Stable;
        let new: BTreeSet<TopicPartition> = assignment.into_iter().map(|tp| self.leaders.intern(tp)).collect();
        let revoked: BTreeSet<TopicPartition> = self.assignment.difference(&new).cloned().collect();
        let added: BTreeSet<TopicPartition> = new.difference(&self.assignment).cloned().collect();
        if !revoked.is_empty() {
            out.fact(Fact::PartitionsRevoked {
                consumer: self.id,
                group: self.config.group_id.clone(),
                partitions: revoked.iter().cloned().collect(),
            });
            self.drop_partitions(&revoked);
            if self.config.cooperative() {
                self.rejoin_needed = true;
            }
        }
        for tp in &added {
            self.assignment.insert(tp.clone());
            self.awaiting_committed.insert(tp.clone());
        }
        out.fact(Fact::PartitionsAssigned {
            consumer: self.id,
            group: self.config.group_id.clone(),
            generation_id: self.generation_id,
            partitions: added.into_iter().collect(),
            assignment: self.assignment.iter().cloned().collect(),
        });
        self.last_assignment = self.assignment.iter().cloned().collect();
        self.update_positions(now, rng, out);
        self.wake_poll(now, out);
    }

    /// Sends OffsetFetch for partitions without a position and ListOffsets for pending resets.
    fn update_positions(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if let (Some(c), false) = (self.coordinator, self.offset_fetch_in_flight) {
            if !self.awaiting_committed.is_empty() {
                self.offset_fetch_in_flight = true;
                let request = GroupMessage::OffsetFetchRequest {
                    group_id: self.config.group_id.clone(),
                    partitions: self.awaiting_committed.iter().cloned().collect(),
                    member: None,
                };
                self.send_request(c, request, now, out);
            }
        }
        let mut by_leader: BTreeMap<i32, Vec<(TopicPartition, i64)>> = BTreeMap::new();
        let mut missing_leader = false;
        for (tp, (timestamp, _)) in &self.resets {
            match self.leaders.get(tp) {
                Some(leader) if !self.list_offsets_in_flight.contains_key(leader) => {
                    by_leader.entry(*leader).or_default().push((tp.clone(), *timestamp))
                }
                Some(_) => {}
                None => missing_leader = true,
            }
        }
        if missing_leader {
            self.request_metadata(now, rng, out);
        }
        for (leader, partitions) in by_leader {
            self.list_offsets_in_flight.insert(leader, partitions.iter().map(|(tp, _)| tp.clone()).collect());
            self.send_request(
                leader,
                ClientMessage::ListOffsetsRequest { isolation_level: self.config.isolation_level, partitions },
                now,
                out,
            );
        }
        self.send_validations(now, out);
    }

    /// Kafka's `Metadata.updateLatestMetadata` (KIP-320): a partition whose leader epoch in the
    /// answer is older than the one already known keeps the known leader. A broker cut off from
    /// the controller still names itself leader in the old epoch; believing it would send fetches
    /// and OffsetsForLeaderEpoch to a deposed leader, whose log ends the newer epoch early.
    fn adopt_partition_leaders(&mut self, partitions: Vec<PartitionMetadata>) {
        let mut leaders = PartitionLeaders::default();
        for p in partitions {
            match self.leaders.leader_epoch(&p.topic_partition) {
                Some(known) if p.leader_epoch < known => {
                    let leader = self.leaders.get(&p.topic_partition).copied();
                    leaders.insert(p.topic_partition, leader, known);
                }
                _ if p.leader >= 0 => leaders.insert(p.topic_partition, Some(p.leader), p.leader_epoch),
                _ => {}
            }
        }
        self.leaders.replace(leaders);
    }

    /// One fetch per node for owned partitions with a position and nothing buffered: to the
    /// leader, or to the partition's preferred read replica (KIP-392).
    fn send_fetches(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let mut by_leader: BTreeMap<i32, Vec<(TopicPartition, i64)>> = BTreeMap::new();
        // Without preferred read replicas a partition's fetch target is its leader and finding it
        // changes nothing, so a partition whose leader has a fetch in flight (most of them, with
        // many brokers) is passed over first, before the other look-ups; the result is the same.
        // The leaders' index gives the others without walking every position (`positions.rs`).
        let leaders_only = self.preferred_read_replicas.is_empty();
        let busy: Vec<i32> = self.fetch_in_flight.keys().copied().collect();
        let candidates: Vec<TopicPartition> = if leaders_only {
            self.leaders.fetchable(&self.positions, &busy)
        } else {
            self.positions.keys().cloned().collect()
        };
        let mut wanted: Vec<(TopicPartition, i64)> = Vec::new();
        for tp in candidates {
            let Some(&position) = self.positions.get(&tp) else { continue };
            if !self.buffer.contains_key(&tp)
                && !self.paused_until.contains_key(&tp)
                && self.assignment.contains(&tp)
                && !self.awaiting_validation(&tp)
            {
                wanted.push((tp, position));
            }
        }
        let (mut missing_leader, mut backoff_until) = (false, None);
        for (tp, position) in wanted {
            match self.fetch_target(&tp, now, out) {
                Some(read_replica::FetchTarget::Node(node)) if !self.fetch_in_flight.contains_key(&node) => {
                    by_leader.entry(node).or_default().push((tp, position));
                }
                Some(read_replica::FetchTarget::Node(_)) => {}
                Some(read_replica::FetchTarget::Backoff) => {
                    let until = self.preferred_read_replicas.get(&tp).and_then(|(r, _)| self.unavailable_until.get(r));
                    backoff_until = backoff_until.max(until.copied());
                }
                None => missing_leader = true,
            }
        }
        if let Some(until) = backoff_until {
            out.timer(until, Timer::ReconnectBackoffOver);
        }
        // Kafka's `AbstractFetch.prepareFetchRequests`: a partition without a known leader asks
        // for a metadata update (after `retry.backoff.ms`), or an offline partition's new leader
        // would never be learned.
        if missing_leader {
            self.schedule_retry(now, out);
        }
        for (leader, partitions) in by_leader {
            let fetch = partitions
                .iter()
                .map(|(tp, position)| FetchPartition {
                    topic_partition: tp.clone(),
                    fetch_offset: *position,
                    last_fetched_epoch: -1,
                    current_leader_epoch: self.current_leader_epoch(tp),
                })
                .collect();
            self.fetch_in_flight.insert(leader, partitions);
            let request = ClientMessage::ConsumerFetchRequest {
                isolation_level: self.config.isolation_level,
                max_wait_ms: self.config.fetch_max_wait_ms,
                min_bytes: self.config.fetch_min_bytes,
                max_bytes: 52_428_800,
                partitions: fetch,
                rack_id: self.config.client_rack.clone(),
            };
            self.send_request(leader, request, now, out);
        }
    }
}

impl Node for Consumer {
    type Timer = Timer;

    /// The process starts: metadata, coordinator lookup, the poll loop and the heartbeat thread.
    fn on_start(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        out.fact(Fact::ConsumerStarted {
            consumer: self.id,
            client: NodeId::Client(self.node),
            group: self.config.group_id.clone(),
            group_instance_id: self.config.group_instance_id.clone(),
        });
        self.next_auto_commit_at = now + self.config.auto_commit_interval_ms;
        self.last_poll_at = now;
        self.request_metadata(now, rng, out);
        self.find_coordinator(now, rng, out);
        self.schedule_poll(now, out);
        self.restart_heartbeat_timer(self.config.heartbeat_interval_ms, now, out);
    }

    /// The process dies: records processed so far stay processed; nothing is committed or left.
    fn crash(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let in_flight = self.in_flight_records();
        let mut done = 0;
        self.backing_off_until = None;
        if let Some(processing) = self.processing.take() {
            let per_record = self.app.processing_ms_per_record.max(1);
            done = (((now - processing.started_at) / per_record) as usize).min(processing.records.len());
            if self.app.program.is_some() {
                // A declared listener's records take their own times: count those it finished.
                done = processing.done;
            }
            if !self.is_share_consumer() {
                // A share consumer's records are not tracked by offset: they come back when their
                // acquisition locks expire.
                self.report_processed(&processing.records[..done], out);
            }
        }
        self.fatal = Some(ErrorCode::None);
        out.fact(Fact::ConsumerCrashed {
            consumer: self.id,
            in_flight_records: in_flight,
            processed_before_crash: done,
        });
    }

    fn on_timer(&mut self, timer: Timer, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.fatal.is_some() {
            return;
        }
        match timer {
            Timer::Poll { token } if token == self.poll_token => self.poll(now, rng, out),
            Timer::Heartbeat { token } if token == self.heartbeat_token => self.heartbeat_tick(now, rng, out),
            Timer::ProcessingDone { token } if self.processing.as_ref().is_some_and(|p| p.token == token) => {
                self.processing_done(now, out)
            }
            Timer::BackOffDone { token } if self.processing.as_ref().is_some_and(|p| p.token == token) => {
                self.back_off_done(now, out)
            }
            Timer::RequestTimeout { broker, deadline } if self.request_timer_at.get(&broker) == Some(&deadline) => {
                self.request_timer_at.remove(&broker);
                let requests = self.in_flight_requests.get(&broker).map(Vec::as_slice).unwrap_or_default();
                let expired = requests.iter().filter(|(d, _, _)| *d <= now).min_by_key(|(d, _, _)| *d);
                if let Some((_, request, timeout_ms)) = expired {
                    // NetworkClient disconnects: every request in flight to that broker fails.
                    out.fact(Fact::RequestTimedOut {
                        consumer: self.id,
                        broker,
                        request: (*request).to_string(),
                        timeout_ms: *timeout_ms,
                    });
                    self.on_disconnect(broker, now, rng, out);
                } else {
                    self.arm_request_timer(broker, out);
                }
            }
            Timer::ReconnectBackoffOver => self.send_fetches(now, out),
            Timer::Retry => {
                self.retry_scheduled = false;
                self.request_metadata(now, rng, out);
                self.find_coordinator(now, rng, out);
                self.update_positions(now, rng, out);
                self.send_fetches(now, out);
            }
            _ => {}
        }
    }

    fn on_message(&mut self, from: NodeId, message: Message, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.fatal.is_some() {
            return;
        }
        let kind = message.kind();
        let broker = match from {
            NodeId::Broker(broker) if Self::serves(&message) => broker,
            _ => {
                out.fact(Fact::MessageMisrouted { from, to: NodeId::Client(self.node), kind });
                return;
            }
        };
        if !self.take_answered(broker, kind) {
            return;
        }
        match message {
            Message::Client(ClientMessage::MetadataResponse { partitions }) => {
                self.metadata_in_flight = None;
                self.partition_counts.clear();
                for p in &partitions {
                    *self.partition_counts.entry(p.topic_partition.topic.to_string()).or_default() += 1;
                }
                // Kafka's `Metadata.handleMetadataResponse`: a subscribed partition answered
                // LEADER_NOT_AVAILABLE asks for another update, or a position awaiting
                // validation would never learn its new leader.
                let leaderless = partitions
                    .iter()
                    .any(|p| p.leader < 0 && self.topics.iter().any(|t| *t == p.topic_partition.topic));
                self.adopt_partition_leaders(partitions);
                self.rejoin_if_metadata_changed(now, out);
                self.validate_positions_on_metadata_change();
                self.update_positions(now, rng, out);
                self.send_fetches(now, out);
                if leaderless {
                    self.schedule_retry(now, out);
                }
            }
            Message::Client(ClientMessage::FindCoordinatorResponse { error, node_id, .. }) => {
                self.find_coordinator_in_flight = None;
                if error == ErrorCode::None && node_id >= 0 {
                    self.coordinator = Some(node_id);
                    if self.last_found_coordinator.replace(node_id) != Some(node_id) {
                        out.fact(Fact::CoordinatorFound {
                            consumer: self.id,
                            group: self.config.group_id.clone(),
                            coordinator: node_id,
                        });
                    }
                    self.wake_poll(now, out);
                    if self.uses_consumer_protocol() && self.heartbeat_sent_at.is_none() {
                        self.send_group_heartbeat(now, out);
                    }
                    if self.is_share_consumer() && self.heartbeat_sent_at.is_none() {
                        self.send_share_heartbeat(now, out);
                    }
                } else {
                    self.schedule_retry(now, out);
                }
            }
            Message::Group(GroupMessage::ShareGroupHeartbeatResponse {
                error,
                member_epoch,
                heartbeat_interval_ms,
                assignment,
                ..
            }) => {
                self.on_share_heartbeat_response(error, member_epoch, heartbeat_interval_ms, assignment, now, rng, out)
            }
            Message::Client(ClientMessage::ShareFetchResponse { partitions, acknowledge_errors }) => {
                self.on_share_fetch_response(broker, partitions, acknowledge_errors, now, rng, out)
            }
            Message::Client(ClientMessage::ShareAcknowledgeResponse { .. }) => {}
            Message::Group(GroupMessage::ConsumerGroupHeartbeatResponse {
                error,
                member_epoch,
                heartbeat_interval_ms,
                assignment,
                ..
            }) => self.on_group_heartbeat_response(error, member_epoch, heartbeat_interval_ms, assignment, now, out),
            Message::Group(GroupMessage::JoinGroupResponse {
                error,
                generation_id,
                protocol_name,
                leader,
                member_id,
                skip_assignment,
                members,
                ..
            }) => {
                if self.state != MemberState::Joining {
                    return;
                }
                match error {
                    ErrorCode::None => {
                        self.member_id = member_id;
                        self.generation_id = generation_id;
                        self.state = MemberState::Syncing;
                        let assignments = if leader == self.member_id && !skip_assignment {
                            let topics: BTreeSet<&String> = members.iter().flat_map(|m| &m.metadata.topics).collect();
                            self.assignment_snapshot = Some(self.metadata_snapshot(topics));
                            self.compute_assignment(protocol_name.as_deref(), &members)
                        } else {
                            self.assignment_snapshot = None;
                            Vec::new()
                        };
                        if let Some(c) = self.coordinator {
                            self.send_request(
                                c,
                                GroupMessage::SyncGroupRequest {
                                    group_id: self.config.group_id.clone(),
                                    generation_id,
                                    member_id: self.member_id.clone(),
                                    group_instance_id: self.config.group_instance_id.clone(),
                                    assignments,
                                },
                                now,
                                out,
                            );
                        }
                    }
                    ErrorCode::MemberIdRequired => {
                        self.member_id = member_id;
                        self.send_join(now, out);
                    }
                    error => {
                        self.state = MemberState::Unjoined;
                        self.group_error(error, now, rng, out);
                    }
                }
            }
            Message::Group(GroupMessage::SyncGroupResponse { error, assignment, .. }) => {
                if self.state != MemberState::Syncing {
                    return;
                }
                if error != ErrorCode::None {
                    self.state = MemberState::Unjoined;
                    self.rejoin_needed = true;
                    self.group_error(error, now, rng, out);
                    return;
                }
                self.on_assignment(assignment, now, rng, out);
            }
            Message::Group(GroupMessage::HeartbeatResponse { error, .. }) => {
                self.heartbeat_sent_at = None;
                if self.state == MemberState::Unjoined {
                    return;
                }
                self.group_error(error, now, rng, out);
            }
            Message::Group(GroupMessage::OffsetCommitResponse { correlation_id, partitions, .. }) => {
                let error = partitions.iter().map(|(_, e)| *e).find(|e| *e != ErrorCode::None);
                if let Some(e @ (ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable)) = error {
                    self.commit_done(correlation_id, Some(e), now, out);
                    self.coordinator_lost(now, rng, out);
                } else {
                    self.commit_done(correlation_id, error, now, out);
                }
            }
            Message::Group(GroupMessage::OffsetFetchResponse { error, offsets, .. }) => {
                self.offset_fetch_in_flight = false;
                if error != ErrorCode::None {
                    self.group_error(error, now, rng, out);
                    self.schedule_retry(now, out);
                    return;
                }
                for p in offsets {
                    let (tp, offset) = (self.leaders.intern(p.topic_partition), p.committed_offset);
                    if !self.awaiting_committed.remove(&tp) || !self.assignment.contains(&tp) {
                        continue;
                    }
                    if offset >= 0 {
                        // `ConsumerCoordinator.refreshCommittedOffsets`: the committed epoch is
                        // validated before the first fetch (`seekUnvalidated`).
                        let committed_epoch = (p.committed_leader_epoch >= 0).then_some(p.committed_leader_epoch);
                        if let Some(epoch) = committed_epoch {
                            self.update_last_seen_epoch(&tp, epoch, now, rng, out);
                        }
                        self.positions.insert(tp.clone(), offset);
                        self.seek_unvalidated(&tp, committed_epoch);
                        out.fact(Fact::PositionSet {
                            consumer: self.id,
                            topic_partition: tp,
                            offset,
                            source: PositionSource::Committed,
                        });
                    } else {
                        self.reset_position(tp, out);
                    }
                }
                self.update_positions(now, rng, out);
                self.send_fetches(now, out);
            }
            Message::Client(ClientMessage::ListOffsetsResponse { partitions }) => {
                let asked = self.list_offsets_in_flight.remove(&broker).unwrap_or_default();
                for p in partitions {
                    if !asked.contains(&p.topic_partition) {
                        continue;
                    }
                    let Some((timestamp, source)) = self.resets.get(&p.topic_partition).copied() else { continue };
                    if p.error == ErrorCode::None && p.leader_epoch >= 0 {
                        self.update_last_seen_epoch(&p.topic_partition, p.leader_epoch, now, rng, out);
                    }
                    if p.error != ErrorCode::None {
                        self.request_metadata(now, rng, out);
                        self.schedule_retry(now, out);
                    } else if p.offset < 0 {
                        // No record at or after the timestamp: Kafka's seek then goes to the end.
                        self.resets.insert(p.topic_partition, (-1, source));
                    } else if timestamp == -2
                        || timestamp == -1
                        || source == PositionSource::SeekTimestamp
                        || source == PositionSource::Seek
                    {
                        self.resets.remove(&p.topic_partition);
                        self.positions.insert(self.leaders.intern(p.topic_partition.clone()), p.offset);
                        // `OffsetFetcher.resetPositionIfNeeded`: no offset epoch, so no validation.
                        self.set_position_epochs(&p.topic_partition, None);
                        out.fact(Fact::PositionSet {
                            consumer: self.id,
                            topic_partition: p.topic_partition,
                            offset: p.offset,
                            source,
                        });
                    }
                }
                self.update_positions(now, rng, out);
                self.send_fetches(now, out);
                self.wake_poll(now, out);
            }
            Message::Client(ClientMessage::OffsetsForLeaderEpochResponse { partitions }) => {
                self.on_validation_response(broker, partitions, now, rng, out)
            }
            Message::Client(ClientMessage::ConsumerFetchResponse { partitions }) => {
                let asked = self.fetch_in_flight.remove(&broker).unwrap_or_default();
                let mut got_data = false;
                for p in partitions {
                    got_data |= self.on_fetched_partition(broker, &asked, p, now, rng, out);
                }
                self.send_fetches(now, out);
                if got_data {
                    self.wake_poll(now, out);
                }
            }
            // close() does not wait for its LeaveGroup answer; anything else was reported above.
            _ => {}
        }
    }

    /// The connection to `broker` broke: its requests are lost.
    fn on_disconnect(&mut self, broker: i32, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.fatal.is_some() {
            return;
        }
        self.in_flight_requests.remove(&broker);
        self.share.fetching.remove(&broker);
        let validating = self.validations_in_flight.remove(&broker).is_some();
        let fetch = self.fetch_in_flight.remove(&broker);
        if let Some(asked) = &fetch {
            self.read_replica_failed(broker, asked, now, out);
        }
        if fetch.is_some() || self.list_offsets_in_flight.remove(&broker).is_some() || validating {
            self.request_metadata(now, rng, out);
        }
        if self.metadata_in_flight == Some(broker) {
            self.metadata_in_flight = None;
            self.schedule_retry(now, out);
        }
        if self.find_coordinator_in_flight == Some(broker) {
            self.find_coordinator_in_flight = None;
            self.schedule_retry(now, out);
        }
        if self.coordinator == Some(broker) {
            self.coordinator_lost(now, rng, out);
            self.request_metadata(now, rng, out);
        }
        self.schedule_retry(now, out);
    }
}

/// A fetched record waiting for `poll()`: its offset and the leader epoch of its batch.
type FetchedRecord = (i64, i32);

/// The offsets a fetch returns to the application from `fetch_offset` on (Kafka's
/// `CompletedFetch`): control batches never, and with read_committed (`aborted` non-empty only
/// then) not the batches of aborted transactions: a producer's batches from the first offset of
/// one of its aborted transactions up to its ABORT marker are skipped. Also returns the offset
/// ranges `[first, next)` of the batches skipped, so a fetch of nothing but markers and aborted
/// records moves on.
fn readable_offsets(
    batches: &[std::sync::Arc<crate::log::RecordBatch>],
    aborted: &[crate::protocol::AbortedTransaction],
    fetch_offset: i64,
) -> (VecDeque<FetchedRecord>, Vec<(i64, i64)>) {
    let mut pending: Vec<&crate::protocol::AbortedTransaction> = aborted.iter().collect();
    pending.sort_by_key(|a| a.first_offset);
    let mut pending = pending.into_iter().peekable();
    let mut aborting: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    let mut offsets = VecDeque::new();
    let mut skipped = Vec::new();
    for batch in batches {
        while let Some(a) = pending.next_if(|a| a.first_offset <= batch.last_offset()) {
            aborting.insert(a.producer_id);
        }
        let skip = if batch.is_control() {
            let marker = crate::log::control::EndTransactionMarker::from_batch(batch);
            if marker.is_some_and(|m| m.control_type == crate::log::control::ControlRecordType::Abort) {
                aborting.remove(&batch.producer_id);
            }
            true
        } else {
            batch.is_transactional() && aborting.contains(&batch.producer_id)
        };
        if skip {
            if batch.next_offset() > fetch_offset {
                skipped.push((batch.base_offset.max(fetch_offset), batch.next_offset()));
            }
            continue;
        }
        let epoch = batch.partition_leader_epoch;
        offsets.extend(batch.records.iter().map(|r| (batch.offset_of(r), epoch)).filter(|(o, _)| *o >= fetch_offset));
    }
    (offsets, skipped)
}
