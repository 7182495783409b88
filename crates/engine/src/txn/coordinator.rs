//! The transaction coordinator a broker runs for the `__transaction_state` partitions it leads
//! (Kafka's `TransactionCoordinator`, `TransactionStateManager` and
//! `TransactionMarkerChannelManager`), as transactions version 2 runs it (KIP-890): the producer
//! epoch is bumped at every transaction end, and partition leaders add partitions to the
//! transaction when they verify a producer's first transactional batch.
//!
//! Every state change is first written to `__transaction_state`; it takes effect, and the
//! client gets its answer, once the record is committed (the partition's high watermark passed
//! it). Meanwhile the transactional id has a pending state and other requests for it get
//! CONCURRENT_TRANSACTIONS. A written PrepareCommit or PrepareAbort is the decision: markers go
//! to every partition leader, and when all are written the coordinator writes CompleteCommit or
//! CompleteAbort. A new coordinator (after a failover) reloads the log and finishes every
//! transaction it finds prepared.

use super::log::{self as txn_log, partition_for};
use super::{TxnMetadata, TxnState};
use crate::group::offsets::{partition_for_group, OFFSETS_TOPIC};
use crate::log::Record;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{ErrorCode, TopicPartition, TxnMarker, TxnMessage};
use crate::sim::{Millis, NodeId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Broker settings of the transaction coordinator, with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TxnCoordinatorConfig {
    /// `transaction.state.log.num.partitions` (50).
    pub num_partitions: i32,
    /// `transaction.state.log.replication.factor` (3), capped by the number of brokers.
    pub replication_factor: i32,
    /// `transaction.state.log.min.isr` (2).
    pub min_isr: i32,
    /// `transaction.max.timeout.ms` (900000): the largest `transaction.timeout.ms` allowed.
    pub max_timeout_ms: Millis,
    /// `transaction.abort.timed.out.transaction.cleanup.interval.ms` (10000).
    pub abort_timed_out_interval_ms: Millis,
    /// `transactional.id.expiration.ms` (7 days): an idle id's metadata is then removed (Dead).
    pub transactional_id_expiration_ms: Millis,
    /// `request.timeout.ms` (30000) of the coordinator's log writes and marker requests.
    pub request_timeout_ms: Millis,
    /// How long a failed marker waits before it is sent again (`retry.backoff.ms`, 100).
    pub retry_backoff_ms: Millis,
}

impl Default for TxnCoordinatorConfig {
    fn default() -> Self {
        TxnCoordinatorConfig {
            num_partitions: 50,
            replication_factor: 3,
            min_isr: 2,
            max_timeout_ms: 900_000,
            abort_timed_out_interval_ms: 10_000,
            transactional_id_expiration_ms: 604_800_000,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
        }
    }
}

/// Where the coordinator writes: the broker's leader replicas of `__transaction_state`, and
/// the broker's producer id allocation.
pub trait TxnLog {
    /// Appends a record to partition `partition` as its leader. Returns the offset the high
    /// watermark must reach for it to be committed.
    fn append(&mut self, partition: i32, record: Record, now: Millis) -> Result<i64, ErrorCode>;
    fn allocate_producer_id(&mut self) -> i64;
    /// `offsets.topic.num.partitions`: where a group's offsets go (AddOffsetsToTxn).
    fn offsets_topic_partitions(&self) -> i32;
}

/// Timers the coordinator sets for itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timer {
    /// A log write was not committed within `request.timeout.ms`.
    Write { id: u64 },
    /// The periodic look for timed-out transactions and expired ids.
    AbortTimedOut,
    /// Send markers that failed earlier; `at` names the one retry timer that is live.
    MarkerRetry { at: Millis },
    /// A WriteTxnMarkers request got no answer.
    MarkerTimeout { correlation_id: u64 },
}

/// An EndTxn request's fields after the transactional id.
#[derive(Debug, Clone, Copy)]
struct EndTxn {
    producer_id: i64,
    producer_epoch: i16,
    committed: bool,
    /// See `TxnMessage::EndTxnRequest`.
    transaction_v2: bool,
}

/// Whom to answer once a write is committed.
#[derive(Debug, Clone)]
enum Completion {
    InitProducerId {
        client: NodeId,
    },
    AddPartitions {
        broker: NodeId,
        correlation_id: u64,
    },
    AddOffsets {
        client: NodeId,
    },
    EndTxn {
        client: NodeId,
    },
    /// The coordinator's own transitions: fencing, timeouts, completion after markers, expiry.
    Internal,
}

#[derive(Debug, Clone)]
struct PendingWrite {
    id: u64,
    partition: i32,
    commit_at: i64,
    target: TxnMetadata,
    completion: Completion,
}

/// Markers still to write for one prepared transaction.
#[derive(Debug, Clone)]
struct MarkerJob {
    producer_id: i64,
    producer_epoch: i16,
    committed: bool,
    coordinator_epoch: i32,
    /// Partitions without a written marker, with the earliest time to (re)send.
    remaining: BTreeMap<TopicPartition, Millis>,
    in_flight: BTreeSet<TopicPartition>,
}

#[derive(Debug, Clone)]
struct MarkersInFlight {
    broker: i32,
    partitions: Vec<(String, TopicPartition)>,
}

#[derive(Debug, Clone)]
pub struct TransactionCoordinator {
    pub config: TxnCoordinatorConfig,
    broker_id: i32,
    /// Partitions this broker leads and has loaded, with their coordinator epoch (the leader epoch).
    loaded: BTreeMap<i32, i32>,
    /// Committed metadata per transactional id.
    txns: BTreeMap<String, TxnMetadata>,
    /// The state an id moves to while its write is pending (PrepareEpochFence while fencing).
    pending_state: BTreeMap<String, TxnState>,
    pending_writes: Vec<PendingWrite>,
    markers: BTreeMap<String, MarkerJob>,
    markers_in_flight: BTreeMap<u64, MarkersInFlight>,
    next_token: u64,
    /// The periodic timeout check runs once a partition was loaded, and stops when none is.
    abort_timer_running: bool,
    /// When the one pending marker retry fires: a retry already due no later is not set again,
    /// so retries cannot multiply (several jobs refused at once each asked for one).
    marker_retry_at: Option<Millis>,
}

impl TransactionCoordinator {
    pub fn new(broker_id: i32, config: TxnCoordinatorConfig) -> Self {
        TransactionCoordinator {
            config,
            broker_id,
            loaded: BTreeMap::new(),
            txns: BTreeMap::new(),
            pending_state: BTreeMap::new(),
            pending_writes: Vec::new(),
            markers: BTreeMap::new(),
            markers_in_flight: BTreeMap::new(),
            next_token: 0,
            abort_timer_running: false,
            marker_retry_at: None,
        }
    }

    /// Sets the marker retry timer for `at`, unless one is already due no later.
    fn schedule_marker_retry(&mut self, at: Millis, out: &mut Outbox<Timer>) {
        if self.marker_retry_at.is_some_and(|due| due <= at) {
            return;
        }
        self.marker_retry_at = Some(at);
        out.timer(at, Timer::MarkerRetry { at });
    }

    fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    pub fn partition_for(&self, transactional_id: &str) -> i32 {
        partition_for(transactional_id, self.config.num_partitions)
    }

    pub fn loaded_partitions(&self) -> &BTreeMap<i32, i32> {
        &self.loaded
    }

    fn coordinator_epoch(&self, transactional_id: &str) -> Option<i32> {
        self.loaded.get(&self.partition_for(transactional_id)).copied()
    }

    /// Committed metadata of every transactional id this coordinator serves, for the view.
    pub fn transactions(&self) -> impl Iterator<Item = &TxnMetadata> {
        self.txns.values()
    }

    /// The state shown for an id: its pending state while a write is in flight.
    pub fn shown_state(&self, transactional_id: &str) -> Option<TxnState> {
        self.pending_state.get(transactional_id).copied().or_else(|| self.txns.get(transactional_id).map(|m| m.state))
    }

    /// Becomes coordinator of a `__transaction_state` partition: replays its records (the last
    /// per id wins) and resumes every prepared transaction's markers.
    pub fn load<'a>(
        &mut self,
        partition: i32,
        coordinator_epoch: i32,
        records: impl Iterator<Item = &'a Record>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let mut loaded: BTreeMap<String, Option<TxnMetadata>> = BTreeMap::new();
        for record in records {
            if let Some((id, metadata)) = txn_log::decode(record) {
                loaded.insert(id, metadata);
            }
        }
        self.loaded.insert(partition, coordinator_epoch);
        let mut completing = 0;
        let transactions = loaded.values().filter(|m| m.is_some()).count();
        for (id, metadata) in loaded {
            let Some(metadata) = metadata else { continue };
            if matches!(metadata.state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
                completing += 1;
                self.start_markers(&metadata, coordinator_epoch, now);
            }
            self.txns.insert(id, metadata);
        }
        if transactions > 0 {
            out.fact(Fact::TxnCoordinatorLoaded {
                broker: self.broker_id,
                txn_partition: partition,
                coordinator_epoch,
                transactions,
                completing,
            });
        }
        if !self.abort_timer_running {
            self.abort_timer_running = true;
            out.timer(now + self.config.abort_timed_out_interval_ms, Timer::AbortTimedOut);
        }
    }

    pub fn has_pending_writes(&self) -> bool {
        !self.pending_writes.is_empty()
    }

    /// Stops coordinating a partition (leadership moved): its ids, pending writes and markers go.
    pub fn unload(&mut self, partition: i32, now: Millis, out: &mut Outbox<Timer>) {
        if self.loaded.remove(&partition).is_none() {
            return;
        }
        let n = self.config.num_partitions;
        self.txns.retain(|id, _| partition_for(id, n) != partition);
        self.pending_state.retain(|id, _| partition_for(id, n) != partition);
        self.markers.retain(|id, _| partition_for(id, n) != partition);
        let (dropped, kept): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.pending_writes).into_iter().partition(|w| w.partition == partition);
        self.pending_writes = kept;
        for write in dropped {
            self.reply_error(&write.completion, ErrorCode::NotCoordinator, now, out);
        }
    }

    fn start_markers(&mut self, metadata: &TxnMetadata, coordinator_epoch: i32, now: Millis) {
        self.markers.insert(
            metadata.transactional_id.clone(),
            MarkerJob {
                producer_id: metadata.producer_id,
                producer_epoch: metadata.producer_epoch,
                committed: metadata.state == TxnState::PrepareCommit,
                coordinator_epoch,
                remaining: metadata.partitions.iter().map(|tp| (tp.clone(), now)).collect(),
                in_flight: BTreeSet::new(),
            },
        );
    }

    /// Checks that this broker coordinates `transactional_id` and nothing is pending for it.
    fn check_available(&self, transactional_id: &str) -> Result<(), ErrorCode> {
        if !self.loaded.contains_key(&self.partition_for(transactional_id)) {
            return Err(ErrorCode::NotCoordinator);
        }
        if self.pending_state.contains_key(transactional_id) || self.markers.contains_key(transactional_id) {
            return Err(ErrorCode::ConcurrentTransactions);
        }
        Ok(())
    }

    /// Handles a transaction request from a client or a partition leader.
    pub fn on_request(
        &mut self,
        from: NodeId,
        message: TxnMessage,
        now: Millis,
        log: &mut dyn TxnLog,
        out: &mut Outbox<Timer>,
    ) {
        match message {
            TxnMessage::InitProducerIdRequest { transactional_id, transaction_timeout_ms } => {
                self.init_producer_id(from, &transactional_id, transaction_timeout_ms, now, log, out)
            }
            TxnMessage::AddPartitionsToTxnRequest {
                correlation_id,
                transactional_id,
                producer_id,
                producer_epoch,
                partitions,
            } => {
                let completion = Completion::AddPartitions { broker: from, correlation_id };
                self.add_partitions(
                    &transactional_id,
                    producer_id,
                    producer_epoch,
                    partitions,
                    completion,
                    now,
                    log,
                    out,
                )
            }
            TxnMessage::AddOffsetsToTxnRequest { transactional_id, producer_id, producer_epoch, group_id } => {
                let offsets_partition = partition_for_group(&group_id, log.offsets_topic_partitions());
                let tp = TopicPartition::new(OFFSETS_TOPIC, offsets_partition);
                let completion = Completion::AddOffsets { client: from };
                self.add_partitions(&transactional_id, producer_id, producer_epoch, vec![tp], completion, now, log, out)
            }
            TxnMessage::EndTxnRequest { transactional_id, producer_id, producer_epoch, committed, transaction_v2 } => {
                let end = EndTxn { producer_id, producer_epoch, committed, transaction_v2 };
                self.end_txn(from, &transactional_id, end, now, log, out)
            }
            other => out.fact(Fact::MessageMisrouted { from, to: NodeId::Broker(self.broker_id), kind: other.kind() }),
        }
    }

    /// InitProducerId with a transactional id (`TransactionCoordinator.handleInitProducerId`):
    /// a new id gets a producer id; a known one gets its epoch bumped, which fences older
    /// producers. An open transaction is first aborted (the epoch fence), and the client is told
    /// to retry with CONCURRENT_TRANSACTIONS.
    fn init_producer_id(
        &mut self,
        client: NodeId,
        transactional_id: &str,
        timeout_ms: u64,
        now: Millis,
        log: &mut dyn TxnLog,
        out: &mut Outbox<Timer>,
    ) {
        let reply = |error| TxnMessage::InitProducerIdResponse { error, producer_id: -1, producer_epoch: -1 };
        if timeout_ms == 0 || timeout_ms > self.config.max_timeout_ms {
            out.send(client, reply(ErrorCode::InvalidTransactionTimeout));
            return;
        }
        if let Err(error) = self.check_available(transactional_id) {
            out.send(client, reply(error));
            return;
        }
        let target = match self.txns.get(transactional_id) {
            None => TxnMetadata {
                transactional_id: transactional_id.to_string(),
                producer_id: log.allocate_producer_id(),
                producer_epoch: 0,
                timeout_ms,
                state: TxnState::Empty,
                partitions: BTreeSet::new(),
                start_ms: now,
                last_update_ms: now,
            },
            Some(current) if current.state == TxnState::Ongoing => {
                let current = current.clone();
                self.fence_and_abort(current, now, log, out);
                out.send(client, reply(ErrorCode::ConcurrentTransactions));
                return;
            }
            Some(current) => {
                let (producer_id, producer_epoch) = bumped(current.producer_id, current.producer_epoch, log);
                TxnMetadata {
                    producer_id,
                    producer_epoch,
                    timeout_ms,
                    state: TxnState::Empty,
                    partitions: BTreeSet::new(),
                    last_update_ms: now,
                    ..current.clone()
                }
            }
        };
        self.write(target, Completion::InitProducerId { client }, now, log, out);
    }

    /// Bumps the epoch of an open transaction in memory (PrepareEpochFence) and writes its
    /// abort with the new epoch: the old producer's batches and EndTxn are refused from now on.
    fn fence_and_abort(&mut self, current: TxnMetadata, now: Millis, log: &mut dyn TxnLog, out: &mut Outbox<Timer>) {
        let (producer_id, producer_epoch) = bumped(current.producer_id, current.producer_epoch, log);
        out.fact(Fact::TxnStateChanged {
            broker: self.broker_id,
            transactional_id: current.transactional_id.clone(),
            producer_id,
            producer_epoch,
            from: current.state,
            to: TxnState::PrepareEpochFence,
        });
        let target = TxnMetadata {
            producer_id,
            producer_epoch,
            state: TxnState::PrepareAbort,
            last_update_ms: now,
            ..current.clone()
        };
        self.write(target, Completion::Internal, now, log, out);
        if self.pending_state.contains_key(&current.transactional_id) {
            self.pending_state.insert(current.transactional_id, TxnState::PrepareEpochFence);
        }
    }

    /// Adds partitions to the producer's transaction (from a partition leader's verification,
    /// or AddOffsetsToTxn). Partitions already in the open transaction answer at once.
    #[allow(clippy::too_many_arguments)]
    fn add_partitions(
        &mut self,
        transactional_id: &str,
        producer_id: i64,
        producer_epoch: i16,
        partitions: Vec<TopicPartition>,
        completion: Completion,
        now: Millis,
        log: &mut dyn TxnLog,
        out: &mut Outbox<Timer>,
    ) {
        let checked = self.check_available(transactional_id).and_then(|()| {
            let current = self.txns.get(transactional_id).ok_or(ErrorCode::InvalidProducerIdMapping)?;
            if current.producer_id != producer_id {
                return Err(ErrorCode::InvalidProducerIdMapping);
            }
            if current.producer_epoch != producer_epoch {
                return Err(ErrorCode::ProducerFenced);
            }
            Ok(current.clone())
        });
        let current = match checked {
            Ok(current) => current,
            Err(error) => return self.reply_error(&completion, error, now, out),
        };
        if current.state == TxnState::Ongoing && partitions.iter().all(|tp| current.partitions.contains(tp)) {
            return self.reply_ok(&completion, &current, out);
        }
        let start_ms = if current.state == TxnState::Ongoing { current.start_ms } else { now };
        let mut target = TxnMetadata { state: TxnState::Ongoing, start_ms, last_update_ms: now, ..current };
        target.partitions.extend(partitions);
        self.write(target, completion, now, log, out);
    }

    /// EndTxn (`TransactionCoordinator.endTransaction`). Transactions version 2: the epoch is
    /// bumped with the decision; a retry with the previous epoch after the end is answered
    /// with the outcome. Version 1: the epoch stays, and a retry has the same epoch.
    fn end_txn(
        &mut self,
        client: NodeId,
        transactional_id: &str,
        end: EndTxn,
        now: Millis,
        log: &mut dyn TxnLog,
        out: &mut Outbox<Timer>,
    ) {
        let EndTxn { producer_id, producer_epoch, committed, transaction_v2 } = end;
        let completion = Completion::EndTxn { client };
        let Some(current) = self.txns.get(transactional_id).cloned() else {
            let error = if self.loaded.contains_key(&self.partition_for(transactional_id)) {
                ErrorCode::InvalidProducerIdMapping
            } else {
                ErrorCode::NotCoordinator
            };
            return self.reply_error(&completion, error, now, out);
        };
        if let Err(error) = self.check_available(transactional_id) {
            return self.reply_error(&completion, error, now, out);
        }
        if current.producer_id != producer_id {
            return self.reply_error(&completion, ErrorCode::InvalidProducerIdMapping, now, out);
        }
        let completed = if committed { TxnState::CompleteCommit } else { TxnState::CompleteAbort };
        if !transaction_v2 {
            return self.end_txn_v1(&current, producer_epoch, committed, completion, now, log, out);
        }
        if producer_epoch.checked_add(1) == Some(current.producer_epoch) && current.state == completed {
            // A retry of the EndTxn that already ended this transaction.
            return self.reply_ok(&completion, &current, out);
        }
        if current.producer_epoch != producer_epoch {
            return self.reply_error(&completion, ErrorCode::ProducerFenced, now, out);
        }
        let (new_id, new_epoch) = bumped(current.producer_id, current.producer_epoch, log);
        let target = match (current.state, committed) {
            (TxnState::Ongoing, true) => TxnState::PrepareCommit,
            (TxnState::Ongoing, false) => TxnState::PrepareAbort,
            // Transactions version 2 lets a client abort a transaction that added nothing: the
            // epoch is bumped and no marker is needed.
            (TxnState::Empty | TxnState::CompleteCommit | TxnState::CompleteAbort, false) => TxnState::CompleteAbort,
            _ => return self.reply_error(&completion, ErrorCode::InvalidTxnState, now, out),
        };
        let partitions = if target == TxnState::CompleteAbort { BTreeSet::new() } else { current.partitions.clone() };
        let target = TxnMetadata {
            producer_id: new_id,
            producer_epoch: new_epoch,
            state: target,
            partitions,
            last_update_ms: now,
            ..current
        };
        self.write(target, completion, now, log, out);
    }

    /// EndTxn from a transactions version 1 client (EndTxn v0-4): the epoch is kept, so the
    /// producer's next transaction continues its sequences; ending a transaction that added
    /// nothing is INVALID_TXN_STATE, and a retry of the end that was written is answered again.
    #[allow(clippy::too_many_arguments)]
    fn end_txn_v1(
        &mut self,
        current: &TxnMetadata,
        producer_epoch: i16,
        committed: bool,
        completion: Completion,
        now: Millis,
        log: &mut dyn TxnLog,
        out: &mut Outbox<Timer>,
    ) {
        if current.producer_epoch != producer_epoch {
            return self.reply_error(&completion, ErrorCode::ProducerFenced, now, out);
        }
        let state = match (current.state, committed) {
            (TxnState::Ongoing, true) => TxnState::PrepareCommit,
            (TxnState::Ongoing, false) => TxnState::PrepareAbort,
            (TxnState::CompleteCommit, true) | (TxnState::CompleteAbort, false) => {
                return self.reply_ok(&completion, current, out);
            }
            _ => return self.reply_error(&completion, ErrorCode::InvalidTxnState, now, out),
        };
        let target = TxnMetadata { state, last_update_ms: now, ..current.clone() };
        self.write(target, completion, now, log, out);
    }

    /// Appends `target` and remembers what to do once it is committed.
    fn write(
        &mut self,
        target: TxnMetadata,
        completion: Completion,
        now: Millis,
        log: &mut dyn TxnLog,
        out: &mut Outbox<Timer>,
    ) {
        let partition = self.partition_for(&target.transactional_id);
        match log.append(partition, txn_log::record(&target, now as i64), now) {
            Ok(commit_at) => {
                let id = self.token();
                out.timer(now + self.config.request_timeout_ms, Timer::Write { id });
                self.pending_state.insert(target.transactional_id.clone(), target.state);
                self.pending_writes.push(PendingWrite { id, partition, commit_at, target, completion });
            }
            Err(error) => {
                let error = match error {
                    ErrorCode::NotLeaderOrFollower => ErrorCode::NotCoordinator,
                    _ => ErrorCode::CoordinatorNotAvailable,
                };
                self.reply_error(&completion, error, now, out);
            }
        }
    }

    /// Applies every write whose partition's high watermark reached it.
    pub fn complete_writes(
        &mut self,
        high_watermark: impl Fn(i32) -> Option<i64>,
        now: Millis,
        log: &mut dyn TxnLog,
        out: &mut Outbox<Timer>,
    ) {
        if self.pending_writes.is_empty() {
            return;
        }
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_writes)
            .into_iter()
            .partition(|w| high_watermark(w.partition).is_some_and(|hw| hw >= w.commit_at));
        self.pending_writes = waiting;
        for write in done {
            self.apply_write(write, now, log, out);
        }
    }

    fn apply_write(&mut self, write: PendingWrite, now: Millis, log: &mut dyn TxnLog, out: &mut Outbox<Timer>) {
        let target = write.target;
        let id = target.transactional_id.clone();
        let from = self.txns.get(&id).map_or(TxnState::Empty, |m| m.state);
        self.pending_state.remove(&id);
        out.fact(Fact::TxnStateChanged {
            broker: self.broker_id,
            transactional_id: id.clone(),
            producer_id: target.producer_id,
            producer_epoch: target.producer_epoch,
            from,
            to: target.state,
        });
        if target.state == TxnState::Dead {
            self.txns.remove(&id);
            return;
        }
        self.reply_ok(&write.completion, &target, out);
        if matches!(target.state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
            let coordinator_epoch = self.coordinator_epoch(&id).unwrap_or(-1);
            self.start_markers(&target, coordinator_epoch, now);
            if target.partitions.is_empty() {
                self.txns.insert(id.clone(), target);
                self.markers_done(&id, now, log, out);
                return;
            }
        }
        self.txns.insert(id, target);
    }

    fn reply_ok(&self, completion: &Completion, metadata: &TxnMetadata, out: &mut Outbox<Timer>) {
        let (producer_id, producer_epoch) = (metadata.producer_id, metadata.producer_epoch);
        match completion {
            Completion::InitProducerId { client } => out.send(
                *client,
                TxnMessage::InitProducerIdResponse { error: ErrorCode::None, producer_id, producer_epoch },
            ),
            Completion::AddPartitions { broker, correlation_id } => out.send(
                *broker,
                TxnMessage::AddPartitionsToTxnResponse { correlation_id: *correlation_id, error: ErrorCode::None },
            ),
            Completion::AddOffsets { client } => {
                out.send(*client, TxnMessage::AddOffsetsToTxnResponse { error: ErrorCode::None })
            }
            Completion::EndTxn { client } => {
                out.send(*client, TxnMessage::EndTxnResponse { error: ErrorCode::None, producer_id, producer_epoch })
            }
            Completion::Internal => {}
        }
    }

    fn reply_error(&mut self, completion: &Completion, error: ErrorCode, _now: Millis, out: &mut Outbox<Timer>) {
        match completion {
            Completion::InitProducerId { client } => {
                out.send(*client, TxnMessage::InitProducerIdResponse { error, producer_id: -1, producer_epoch: -1 })
            }
            Completion::AddPartitions { broker, correlation_id } => {
                out.send(*broker, TxnMessage::AddPartitionsToTxnResponse { correlation_id: *correlation_id, error })
            }
            Completion::AddOffsets { client } => out.send(*client, TxnMessage::AddOffsetsToTxnResponse { error }),
            Completion::EndTxn { client } => {
                out.send(*client, TxnMessage::EndTxnResponse { error, producer_id: -1, producer_epoch: -1 })
            }
            Completion::Internal => {}
        }
    }

    /// Sends the markers that are due, one WriteTxnMarkers request per partition leader
    /// (`leader_of` reads this broker's metadata; a partition without a leader waits).
    pub fn send_markers(&mut self, leader_of: impl Fn(&TopicPartition) -> i32, now: Millis, out: &mut Outbox<Timer>) {
        let mut by_leader: BTreeMap<i32, Vec<(String, TopicPartition)>> = BTreeMap::new();
        let mut next_retry: Option<Millis> = None;
        let backoff = self.config.retry_backoff_ms;
        for (id, job) in &mut self.markers {
            for (tp, due) in &mut job.remaining {
                if job.in_flight.contains(tp) {
                    continue;
                }
                if *due > now {
                    next_retry = Some(next_retry.map_or(*due, |t| t.min(*due)));
                    continue;
                }
                match leader_of(tp) {
                    leader if leader >= 0 => {
                        job.in_flight.insert(tp.clone());
                        by_leader.entry(leader).or_default().push((id.clone(), tp.clone()));
                    }
                    _ => {
                        *due = now + backoff;
                        next_retry = Some(next_retry.map_or(*due, |t| t.min(*due)));
                    }
                }
            }
        }
        for (broker, partitions) in by_leader {
            let correlation_id = self.token();
            let mut markers: Vec<TxnMarker> = Vec::new();
            for (id, tp) in &partitions {
                let Some(job) = self.markers.get(id) else { continue };
                match markers.iter_mut().find(|m| m.producer_id == job.producer_id) {
                    Some(marker) => marker.partitions.push(tp.clone()),
                    None => markers.push(TxnMarker {
                        producer_id: job.producer_id,
                        producer_epoch: job.producer_epoch,
                        committed: job.committed,
                        coordinator_epoch: job.coordinator_epoch,
                        partitions: vec![tp.clone()],
                    }),
                }
            }
            out.send(NodeId::Broker(broker), TxnMessage::WriteTxnMarkersRequest { correlation_id, markers });
            out.timer(now + self.config.request_timeout_ms, Timer::MarkerTimeout { correlation_id });
            self.markers_in_flight.insert(correlation_id, MarkersInFlight { broker, partitions });
        }
        if let Some(at) = next_retry {
            self.schedule_marker_retry(at, out);
        }
    }

    /// A leader answered WriteTxnMarkers: written markers are done; the rest are retried.
    pub fn on_markers_response(
        &mut self,
        correlation_id: u64,
        results: Vec<(i64, TopicPartition, ErrorCode)>,
        now: Millis,
        log: &mut dyn TxnLog,
        out: &mut Outbox<Timer>,
    ) {
        let Some(request) = self.markers_in_flight.remove(&correlation_id) else { return };
        let mut finished = Vec::new();
        for (id, tp) in request.partitions {
            let Some(job) = self.markers.get_mut(&id) else { continue };
            job.in_flight.remove(&tp);
            let error = results
                .iter()
                .find(|(pid, t, _)| *pid == job.producer_id && *t == tp)
                .map_or(ErrorCode::NetworkException, |(_, _, e)| *e);
            match error {
                // Written, or the topic is gone: nothing more to do there.
                ErrorCode::None | ErrorCode::UnknownTopicOrPartition => {
                    job.remaining.remove(&tp);
                }
                // A newer coordinator owns this transaction now.
                ErrorCode::TransactionCoordinatorFenced => {
                    job.remaining.clear();
                    self.markers.remove(&id);
                    continue;
                }
                _ => {
                    job.remaining.insert(tp, now + self.config.retry_backoff_ms);
                }
            }
            if job.remaining.is_empty() && !finished.contains(&id) {
                finished.push(id);
            }
        }
        for id in finished {
            self.markers_done(&id, now, log, out);
        }
        self.schedule_marker_retry(now + self.config.retry_backoff_ms, out);
    }

    /// The connection to a broker broke: its marker requests are lost and will be sent again.
    pub fn on_disconnect(&mut self, broker: i32, now: Millis, out: &mut Outbox<Timer>) {
        let lost: Vec<u64> =
            self.markers_in_flight.iter().filter(|(_, r)| r.broker == broker).map(|(c, _)| *c).collect();
        for correlation_id in lost {
            self.forget_marker_request(correlation_id, now);
        }
        self.schedule_marker_retry(now + self.config.retry_backoff_ms, out);
    }

    fn forget_marker_request(&mut self, correlation_id: u64, now: Millis) {
        let Some(request) = self.markers_in_flight.remove(&correlation_id) else { return };
        for (id, tp) in request.partitions {
            if let Some(job) = self.markers.get_mut(&id) {
                job.in_flight.remove(&tp);
                if let Some(due) = job.remaining.get_mut(&tp) {
                    *due = now + self.config.retry_backoff_ms;
                }
            }
        }
    }

    /// Every marker of a prepared transaction is written: write its completion. The job stays
    /// (so requests for the id wait) until the write is accepted; a refused one is retried.
    fn markers_done(&mut self, id: &str, now: Millis, log: &mut dyn TxnLog, out: &mut Outbox<Timer>) {
        let Some(current) = self.txns.get(id).cloned() else {
            self.markers.remove(id);
            return;
        };
        let state = match current.state {
            TxnState::PrepareCommit => TxnState::CompleteCommit,
            TxnState::PrepareAbort => TxnState::CompleteAbort,
            _ => {
                self.markers.remove(id);
                return;
            }
        };
        let target = TxnMetadata { state, partitions: BTreeSet::new(), last_update_ms: now, ..current };
        self.write(target, Completion::Internal, now, log, out);
        if self.pending_state.contains_key(id) {
            self.markers.remove(id);
        } else {
            self.schedule_marker_retry(now + self.config.retry_backoff_ms, out);
        }
    }

    pub fn timer_is_live(&self, timer: &Timer) -> bool {
        match timer {
            Timer::Write { id } => self.pending_writes.iter().any(|w| w.id == *id),
            Timer::MarkerTimeout { correlation_id } => self.markers_in_flight.contains_key(correlation_id),
            Timer::MarkerRetry { at } => self.marker_retry_at == Some(*at),
            Timer::AbortTimedOut => true,
        }
    }

    /// Handles a timer; marker retries are sent by the caller's [`Self::send_markers`].
    pub fn on_timer(&mut self, timer: Timer, now: Millis, log: &mut dyn TxnLog, out: &mut Outbox<Timer>) {
        match timer {
            Timer::Write { id } => {
                if let Some(index) = self.pending_writes.iter().position(|w| w.id == id) {
                    let write = self.pending_writes.remove(index);
                    self.pending_state.remove(&write.target.transactional_id);
                    self.reply_error(&write.completion, ErrorCode::CoordinatorNotAvailable, now, out);
                    self.retry_internal(&write.target.transactional_id, now, log, out);
                }
            }
            Timer::AbortTimedOut => {
                if self.loaded.is_empty() {
                    self.abort_timer_running = false;
                    return;
                }
                self.abort_timed_out(now, log, out);
                out.timer(now + self.config.abort_timed_out_interval_ms, Timer::AbortTimedOut);
            }
            Timer::MarkerRetry { .. } => {
                self.marker_retry_at = None;
                let done: Vec<String> =
                    self.markers.iter().filter(|(_, j)| j.remaining.is_empty()).map(|(id, _)| id.clone()).collect();
                for id in done {
                    self.markers_done(&id, now, log, out);
                }
            }
            Timer::MarkerTimeout { correlation_id } => self.forget_marker_request(correlation_id, now),
        }
    }

    /// A lost write of a prepared transaction's completion is written again.
    fn retry_internal(&mut self, id: &str, now: Millis, log: &mut dyn TxnLog, out: &mut Outbox<Timer>) {
        if self.txns.get(id).is_some_and(|m| matches!(m.state, TxnState::PrepareCommit | TxnState::PrepareAbort)) {
            self.markers_done(id, now, log, out);
        }
    }

    /// Aborts open transactions older than their timeout (fencing their producer), and removes
    /// ids idle longer than `transactional.id.expiration.ms`.
    fn abort_timed_out(&mut self, now: Millis, log: &mut dyn TxnLog, out: &mut Outbox<Timer>) {
        let idle: Vec<TxnMetadata> = self
            .txns
            .values()
            .filter(|m| !self.pending_state.contains_key(&m.transactional_id))
            .filter(|m| !self.markers.contains_key(&m.transactional_id))
            .cloned()
            .collect();
        for metadata in idle {
            match metadata.state {
                TxnState::Ongoing if now >= metadata.start_ms + metadata.timeout_ms => {
                    out.fact(Fact::TransactionTimedOut {
                        broker: self.broker_id,
                        transactional_id: metadata.transactional_id.clone(),
                        producer_id: metadata.producer_id,
                        timeout_ms: metadata.timeout_ms,
                    });
                    self.fence_and_abort(metadata, now, log, out);
                }
                TxnState::Empty | TxnState::CompleteCommit | TxnState::CompleteAbort
                    if now >= metadata.last_update_ms + self.config.transactional_id_expiration_ms =>
                {
                    let target = TxnMetadata { state: TxnState::Dead, last_update_ms: now, ..metadata };
                    self.write(target, Completion::Internal, now, log, out);
                }
                _ => {}
            }
        }
    }
}

/// The next epoch, or a new producer id at epoch 0 once the epoch is exhausted (Kafka bumps
/// to a new producer id at `Short.MAX_VALUE - 1`).
fn bumped(producer_id: i64, producer_epoch: i16, log: &mut dyn TxnLog) -> (i64, i16) {
    if producer_epoch >= i16::MAX - 1 {
        (log.allocate_producer_id(), 0)
    } else {
        (producer_id, producer_epoch + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoLog;
    impl TxnLog for NoLog {
        fn append(&mut self, _: i32, _: Record, _: Millis) -> Result<i64, ErrorCode> {
            Err(ErrorCode::NotLeaderOrFollower)
        }
        fn allocate_producer_id(&mut self) -> i64 {
            0
        }
        fn offsets_topic_partitions(&self) -> i32 {
            50
        }
    }

    fn retries(out: &Outbox<Timer>) -> Vec<Millis> {
        out.timers.iter().filter(|(_, t)| matches!(t, Timer::MarkerRetry { .. })).map(|(at, _)| *at).collect()
    }

    /// Each broken connection or refused write asks for a marker retry; only one timer is set
    /// at a time (eos seed 145: retries set per refused job multiplied until the run stalled).
    #[test]
    fn one_marker_retry_timer_at_a_time() {
        let mut coordinator = TransactionCoordinator::new(1, TxnCoordinatorConfig::default());
        let mut out = Outbox::default();
        coordinator.on_disconnect(2, 0, &mut out);
        coordinator.on_disconnect(3, 0, &mut out);
        coordinator.on_disconnect(2, 50, &mut out);
        assert_eq!(retries(&out), vec![100]);
        assert!(coordinator.timer_is_live(&Timer::MarkerRetry { at: 100 }));
        coordinator.on_timer(Timer::MarkerRetry { at: 100 }, 100, &mut NoLog, &mut out);
        assert!(!coordinator.timer_is_live(&Timer::MarkerRetry { at: 100 }), "a fired retry is spent");
        let mut out = Outbox::default();
        coordinator.on_disconnect(3, 100, &mut out);
        coordinator.on_disconnect(2, 40 + 100, &mut out);
        assert_eq!(retries(&out), vec![200], "the next retry, once");
    }
}
