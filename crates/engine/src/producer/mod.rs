//! The producer client: partitioner, record accumulator, sender, acks, retries and idempotence.
//!
//! A pure state machine like Kafka's `KafkaProducer` + `Sender`: `send` and incoming responses
//! go in; ProduceRequests, timers and narration facts come out through an [`Outbox`].

pub mod accumulator;
pub mod config;
pub mod idempotence;
pub mod partitioner;
pub mod stream;
pub mod transaction;

use crate::log::batch::RECORD_BATCH_OVERHEAD;
use crate::log::{CompressionType, Header, Record, RecordBatch};
use crate::narration::Fact;
use crate::node::{Node, Outbox};
use crate::protocol::{
    Acks, ClientMessage, ErrorCode, GroupMessage, Message, PartitionMetadata, PartitionProduceResponse, TopicName,
    TopicPartition,
};
use crate::sim::{Millis, NodeId};
use accumulator::Accumulator;
use config::ProducerConfig;

/// Kafka's `DefaultRecord.sizeInBytes` upper bound used to decide whether a batch has room:
/// 21 bytes of varint overhead at most, plus key, value and headers.
fn record_size_upper_bound(record: &Record) -> usize {
    let header_bytes: usize =
        record.headers.iter().map(|h| 10 + h.key.len() + h.value.as_ref().map_or(0, Vec::len)).sum();
    21 + record.key.as_ref().map_or(0, Vec::len) + record.value.as_ref().map_or(0, Vec::len) + 5 + header_bytes
}
use rand::Rng;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// How many send results a producer remembers for the UI and tests.
const RESULT_HISTORY: usize = 256;

/// What the application hands to `send()`, Kafka's `ProducerRecord`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProducerRecord {
    pub topic: String,
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

/// The outcome of one `send()`, visible to the UI and tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SendOutcome {
    Pending,
    /// `offset` is -1 for `acks=0`, which never learns its offset.
    Acked {
        offset: i64,
    },
    Failed {
        error: ErrorCode,
    },
    /// The producer process crashed before the send completed: the application never learns
    /// whether the record was written (a request in flight may have reached the log).
    ProcessCrashed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SendResult {
    pub send_id: u64,
    pub topic_partition: Option<TopicPartition>,
    pub key: Option<Vec<u8>>,
    pub outcome: SendOutcome,
}

/// A record with its partition chosen, waiting in the accumulator.
#[derive(Debug, Clone)]
pub struct PendingRecord {
    pub send_id: u64,
    pub topic_partition: TopicPartition,
    pub record: Record,
    pub size_bytes: usize,
}

/// A batch of records for one partition, as Kafka's `ProducerBatch`.
#[derive(Debug, Clone)]
pub struct ProducerBatch {
    pub topic_partition: TopicPartition,
    pub records: Vec<(u64, Record)>,
    pub size_bytes: usize,
    pub created_ms: Millis,
    pub attempts: u32,
    pub retry_at: Millis,
    /// Assigned when the batch is first drained by an idempotent producer; kept across retries.
    pub base_sequence: Option<i32>,
    pub producer_epoch: i16,
    /// Its sequence was rewritten by an epoch bump (Kafka's `sequenceHasBeenReset`).
    pub sequence_reset: bool,
    /// `delivery.timeout.ms` expired it while its request was in flight (Kafka's `isDone` of an
    /// expired in-flight batch): the application was told; the answer only settles sequences.
    pub expired: bool,
}

impl ProducerBatch {
    fn push(&mut self, record: PendingRecord) {
        self.size_bytes += record.size_bytes;
        self.records.push((record.send_id, record.record));
    }

    /// The wire form: a RecordBatch v2, carrying the producer id, epoch and base sequence when
    /// idempotent so the broker can detect a retried duplicate.
    fn to_record_batch(&self, producer_id: i64, transactional: bool, compression: CompressionType) -> RecordBatch {
        let mut batch = RecordBatch::new(self.records.iter().map(|(_, r)| r.clone()).collect());
        batch.set_compression(compression);
        if let Some(seq) = self.base_sequence {
            batch.producer_id = producer_id;
            batch.producer_epoch = self.producer_epoch;
            batch.base_sequence = seq;
            batch.set_transactional(transactional);
        }
        batch
    }
}

/// Timers the producer sets for itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timer {
    /// Run the sender loop; stale tokens are ignored.
    Wakeup { token: u64 },
    /// `request.timeout.ms` passed for an in-flight request.
    RequestTimeout { correlation_id: u64 },
    /// Next record of a running stream; stale tokens are ignored.
    Stream { token: u64 },
    /// The MetadataRequest `token` got no answer in `request.timeout.ms`.
    MetadataTimeout { token: u64 },
    /// Ask again for a topic the brokers did not know yet.
    MetadataRetry,
    /// The InitProducerIdRequest `token` got no answer in `request.timeout.ms`.
    InitProducerIdTimeout { token: u64 },
    /// The transaction request `token` got no answer in `request.timeout.ms`.
    TxnRequestTimeout { token: u64 },
}

#[derive(Debug, Clone)]
struct InFlightRequest {
    broker: i32,
    batches: Vec<ProducerBatch>,
    /// When `request.timeout.ms` fails it, if no answer comes first.
    timeout_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProducerIdState {
    /// Idempotence off: no producer id.
    Disabled,
    Missing,
    Requested,
    Ready,
}

#[derive(Debug, Clone)]
pub struct Producer {
    /// Stable across restarts: the client node of the producer's first process.
    pub id: u32,
    /// The client node of the running process; each restart runs on a new one.
    pub node: u32,
    pub name: String,
    pub config: ProducerConfig,
    /// The configs as the application wrote them, so a restart can change one and parse again.
    pub configs: Vec<(String, String)>,
    bootstrap: Vec<i32>,
    /// Each known topic's partitions, in partition order: the sender looks up a leader for
    /// every waiting partition on each run, so the topic name is compared once, not per partition.
    metadata: BTreeMap<String, Vec<PartitionMetadata>>,
    /// `Some((token, broker))` while a MetadataRequest is in flight.
    metadata_in_flight: Option<(u64, i32)>,
    /// Records sent before their topic's metadata was known, with when they were sent
    /// (Kafka blocks `send` for this, up to `max.block.ms`).
    waiting_for_metadata: Vec<(u64, ProducerRecord, Millis)>,
    /// The timestamps of records sent with one (`send_with_timestamp`), until appended.
    record_timestamps: BTreeMap<u64, i64>,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pid_state: ProducerIdState,
    /// The InitProducerId request in flight: its token and the broker it went to.
    pid_request: (u64, i32),
    /// After a failed InitProducerId, wait until then (`retry.backoff.ms`) before asking again.
    pid_retry_at: Millis,
    /// Sequence numbers per partition, unresolved sequences and a pending local epoch bump.
    sequences: idempotence::Sequences,
    accumulator: Accumulator,
    in_flight: BTreeMap<u64, InFlightRequest>,
    next_correlation_id: u64,
    /// One uniform sticky partitioner per topic, as Kafka keeps them.
    sticky: BTreeMap<String, partitioner::BuiltInPartitioner>,
    next_send_id: u64,
    results: VecDeque<SendResult>,
    wakeup: Option<(Millis, u64)>,
    wakeup_token: u64,
    pub stream: Option<stream::Stream>,
    pub acked_records: u64,
    pub failed_records: u64,
    /// Every acknowledged record, kept only when asked for (the chaos data-loss checker).
    pub acked_log: Option<Vec<AckedRecord>>,
    /// With `transactional.id`: the transaction manager.
    txn: Option<transaction::TransactionManager>,
}

/// An acknowledged record: where the producer was told it lives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AckedRecord {
    pub topic_partition: TopicPartition,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
}

impl Producer {
    pub fn new(id: u32, node: u32, name: String, config: ProducerConfig, bootstrap: Vec<i32>) -> Self {
        let txn = config.transactional_id.clone().map(transaction::TransactionManager::new);
        let pid_state = if config.enable_idempotence { ProducerIdState::Missing } else { ProducerIdState::Disabled };
        Producer {
            id,
            node,
            name,
            sticky: BTreeMap::new(),
            config,
            configs: Vec::new(),
            bootstrap,
            metadata: BTreeMap::new(),
            metadata_in_flight: None,
            waiting_for_metadata: Vec::new(),
            record_timestamps: BTreeMap::new(),
            producer_id: -1,
            producer_epoch: -1,
            pid_state,
            pid_request: (0, -1),
            pid_retry_at: 0,
            sequences: idempotence::Sequences::default(),
            accumulator: Accumulator::default(),
            in_flight: BTreeMap::new(),
            next_correlation_id: 0,
            next_send_id: 0,
            results: VecDeque::new(),
            wakeup: None,
            wakeup_token: 0,
            stream: None,
            acked_records: 0,
            failed_records: 0,
            acked_log: None,
            txn,
        }
    }

    /// A new process of this producer on client node `node`: same name and configs, nothing of
    /// the old process's state (an idempotent one asks for a new producer id, as a Kafka
    /// producer without `transactional.id` does). What the application saw carries over: its
    /// send results and counters, and send ids stay unique.
    pub fn restarted(
        &self,
        node: u32,
        bootstrap: Vec<i32>,
        configs: Vec<(String, String)>,
        config: ProducerConfig,
    ) -> Producer {
        let mut fresh = Producer::new(self.id, node, self.name.clone(), config, bootstrap);
        fresh.configs = configs;
        fresh.next_send_id = self.next_send_id;
        fresh.results = self.results.clone();
        fresh.acked_records = self.acked_records;
        fresh.failed_records = self.failed_records;
        fresh.acked_log = self.acked_log.clone();
        fresh
    }

    /// The latest send results, oldest first.
    pub fn results(&self) -> impl Iterator<Item = &SendResult> {
        self.results.iter()
    }

    pub fn result(&self, send_id: u64) -> Option<&SendResult> {
        self.results.iter().find(|r| r.send_id == send_id)
    }

    pub fn waiting_records(&self) -> usize {
        self.accumulator.waiting_records() + self.waiting_for_metadata.len()
    }

    pub fn in_flight_requests(&self) -> usize {
        self.in_flight.len()
    }

    /// Whether a request to `broker` awaits its answer: the connection it travels on closing
    /// fails it (Kafka's `NetworkClient.processDisconnection`).
    pub fn awaits_answer_from(&self, broker: i32) -> bool {
        self.in_flight.values().any(|r| r.broker == broker)
            || self.metadata_in_flight.is_some_and(|(_, b)| b == broker)
            || (self.pid_state == ProducerIdState::Requested && self.pid_request.1 == broker)
            || self.txn_request_broker() == Some(broker)
    }

    /// Kafka's `send()`: choose a partition and append to the accumulator. Returns the send id.
    pub fn send(&mut self, record: ProducerRecord, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) -> u64 {
        let send_id = self.next_send_id;
        self.next_send_id += 1;
        self.remember(SendResult {
            send_id,
            topic_partition: None,
            key: record.key.clone(),
            outcome: SendOutcome::Pending,
        });
        // Kafka: a transactional producer cannot send outside a transaction.
        if let Some(txn) = self.txn.as_mut() {
            if txn.state != transaction::TxnClientState::InTransaction {
                self.complete(send_id, None, SendOutcome::Failed { error: ErrorCode::InvalidTxnState });
                return send_id;
            }
            txn.transaction_started = true;
        }
        let wake_sender = if self.metadata.contains_key(&record.topic) {
            self.append(send_id, record, now, rng)
        } else {
            self.waiting_for_metadata.push((send_id, record, now));
            self.request_metadata(now, rng, out);
            true
        };
        // Like Kafka's `send`, wake the sender only when a batch filled up or a new one began
        // (it needs a linger deadline); a record joining a lingering batch changes nothing.
        if wake_sender {
            self.run_sender(now, rng, out);
        }
        send_id
    }

    /// `send()` of a record that carries its own timestamp (CreateTime), as Kafka Streams
    /// forwards each input's timestamp and a scenario sends late records.
    pub fn send_with_timestamp(
        &mut self,
        record: ProducerRecord,
        timestamp: i64,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) -> u64 {
        self.record_timestamps.insert(self.next_send_id, timestamp);
        let send_id = self.send(record, now, rng, out);
        if !self.waiting_for_metadata.iter().any(|(id, _, _)| *id == send_id) {
            // Appended, or failed before that: the timestamp was taken or is not needed.
            self.record_timestamps.remove(&send_id);
        }
        send_id
    }

    /// Returns whether the sender should run: a batch filled, a new batch began, or it failed.
    fn append(&mut self, send_id: u64, record: ProducerRecord, now: Millis, rng: &mut impl Rng) -> bool {
        let timestamp = self.record_timestamps.remove(&send_id).unwrap_or(now as i64);
        let partitions = self.partition_count(&record.topic);
        let topic = self.topic_name(&record.topic);
        let batch_size = self.config.batch_size.clamp(1, i32::MAX as usize) as i32;
        let chosen = partitioner::choose_partition(
            record.partition,
            record.key.as_deref(),
            self.config.partitioner_ignore_keys,
            partitions,
        )
        .and_then(|p| match p {
            Some(p) => Ok((p, false)),
            None => {
                let available = self.available_partitions(&record.topic);
                let metadata =
                    partitioner::TopicMetadata { available_partitions: &available, num_partitions: partitions };
                let sticky = match self.sticky.entry(record.topic.clone()) {
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(partitioner::BuiltInPartitioner::new(batch_size)?)
                    }
                };
                let current = TopicPartition::new(&topic, sticky.peek_current_partition(metadata, rng)?);
                // Kafka's `RecordAccumulator.partitionChanged`: a switch postponed while the
                // partition's last batch had room happens once its batches are full or sent.
                if self.accumulator.all_batches_full(&current, self.config.batch_size) {
                    sticky.update_partition_info(0, true, metadata, rng)?;
                }
                Ok((sticky.peek_current_partition(metadata, rng)?, true))
            }
        });
        let (partition, sticky) = match chosen {
            Ok(chosen) => chosen,
            Err(_) => {
                self.complete(send_id, None, SendOutcome::Failed { error: ErrorCode::UnknownTopicOrPartition });
                return false;
            }
        };
        let tp = TopicPartition::new(topic, partition);
        let record = Record { timestamp, key: record.key, value: record.value, headers: record.headers };
        let size_bytes = record_size_upper_bound(&record);
        if let Some(r) = self.results.iter_mut().rev().find(|r| r.send_id == send_id) {
            r.topic_partition = Some(tp.clone());
        }
        let epoch = self.producer_epoch;
        let pending = PendingRecord { send_id, topic_partition: tp.clone(), record, size_bytes };
        let appended = self.accumulator.append(
            self.config.batch_size,
            || ProducerBatch {
                topic_partition: tp.clone(),
                records: Vec::new(),
                size_bytes: RECORD_BATCH_OVERHEAD,
                created_ms: now,
                attempts: 0,
                retry_at: 0,
                base_sequence: None,
                producer_epoch: epoch,
                sequence_reset: false,
                expired: false,
            },
            pending,
            now,
        );
        if sticky {
            let available = self.available_partitions(&tp.topic);
            let metadata = partitioner::TopicMetadata { available_partitions: &available, num_partitions: partitions };
            if let Some(partitioner) = self.sticky.get_mut(tp.topic.as_str()) {
                // Kafka's `RecordAccumulator.append` counts what the batch grew by, a new batch
                // whole with its header, and switches only once the current batch is full.
                let appended_bytes = i32::try_from(appended.appended_bytes).unwrap_or(i32::MAX);
                let _ = partitioner.update_partition_info(appended_bytes, appended.batch_is_full, metadata, rng);
            }
        }
        appended.batch_is_full || appended.new_batch_created
    }

    /// Partitions of `topic` that have a leader (Kafka's `availablePartitionsForTopic`).
    fn available_partitions(&self, topic: &str) -> Vec<i32> {
        let partitions = self.metadata.get(topic).map_or(&[][..], Vec::as_slice);
        partitions.iter().filter(|m| m.leader >= 0).map(|m| m.topic_partition.partition).collect()
    }

    /// The name the metadata's partitions share (a fresh one for a topic it does not know), so
    /// a record's partition does not copy the name.
    fn topic_name(&self, topic: &str) -> TopicName {
        let known = self.metadata.get(topic).and_then(|partitions| partitions.first());
        known.map_or_else(|| TopicName::from(topic), |m| m.topic_partition.topic.clone())
    }

    fn partition_count(&self, topic: &str) -> i32 {
        self.metadata.get(topic).map_or(0, |partitions| partitions.len() as i32)
    }

    /// The partition's leader, if the latest metadata names one.
    fn leader(&self, tp: &TopicPartition) -> Option<i32> {
        leader_in(self.metadata.get(tp.topic.as_str())?, tp.partition)
    }

    /// Asks a random bootstrap broker for the partition leaders; an unanswered request is
    /// retried after `request.timeout.ms`.
    fn request_metadata(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.metadata_in_flight.is_some() || self.bootstrap.is_empty() {
            return;
        }
        let broker = self.bootstrap[rng.random_range(0..self.bootstrap.len())];
        self.wakeup_token += 1;
        let token = self.wakeup_token;
        self.metadata_in_flight = Some((token, broker));
        out.send(NodeId::Broker(broker), ClientMessage::MetadataRequest);
        out.timer(now + self.config.request_timeout_ms, Timer::MetadataTimeout { token });
    }

    /// Gives up on the InitProducerId request in flight; the sender asks again after a backoff.
    fn abandon_pid_request(&mut self, now: Millis) {
        self.pid_state = ProducerIdState::Missing;
        self.pid_retry_at = now + self.config.retry_backoff_ms;
    }

    fn handle_produce_response(
        &mut self,
        request: InFlightRequest,
        partitions: Vec<PartitionProduceResponse>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        let mut refresh = false;
        for batch in request.batches {
            let error = partitions
                .iter()
                .find(|p| p.topic_partition == batch.topic_partition)
                .map(|p| (p.error, p.base_offset))
                .unwrap_or((ErrorCode::NetworkException, -1));
            match error {
                (ErrorCode::None, _) if batch.expired => self.sequences.acked(&batch),
                (ErrorCode::None, base_offset) => self.complete_batch(batch, base_offset, out),
                (error, _) => {
                    refresh |= error.invalidates_metadata();
                    self.retry_or_fail(batch, error, now, rng, out);
                }
            }
        }
        if refresh {
            self.request_metadata(now, rng, out);
        }
    }

    fn fail_request(
        &mut self,
        request: InFlightRequest,
        error: ErrorCode,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        for batch in request.batches {
            self.retry_or_fail(batch, error, now, rng, out);
        }
        self.request_metadata(now, rng, out);
    }

    fn retry_or_fail(
        &mut self,
        mut batch: ProducerBatch,
        error: ErrorCode,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        // Kafka's `Sender.completeBatch` for a batch `delivery.timeout.ms` already expired: no
        // retry, and `failBatch` does nothing more because `completeExceptionally` returns false
        // (the batch was completed at expiry, where its sequences were settled: unresolved if it
        // had been retried). Bumping the epoch here would renumber the partition's other batches
        // while one of their earlier attempts may already be in the log: a duplicate.
        if batch.expired {
            return;
        }
        // Kafka's `Sender.canRetry`, in its order: the transaction manager is asked last.
        let will_retry = now < batch.created_ms + self.config.delivery_timeout_ms
            && batch.attempts < self.config.retries
            && if self.idempotent_without_transactions() && batch.base_sequence.is_some() {
                self.can_retry_idempotent(&batch, error)
            } else {
                error.is_retriable()
                    || (error == ErrorCode::OutOfOrderSequenceNumber && self.pid_state == ProducerIdState::Ready)
            };
        out.fact(Fact::ProduceFailed {
            producer: self.id,
            topic_partition: batch.topic_partition.clone(),
            error,
            attempt: batch.attempts,
            will_retry,
        });
        if will_retry {
            batch.retry_at = now + self.backoff(batch.attempts, rng);
            self.accumulator.reenqueue(batch);
        } else {
            // Only a batch that kept retries left failed for sure (`failBatch`'s adjustSequenceNumbers).
            let adjust = batch.attempts < self.config.retries;
            self.handle_failed_batch(&batch, error, adjust);
            self.fail_batch(batch, error);
            self.transactional_send_failed(error, out);
        }
    }

    /// Kafka 3.7+ exponential backoff: `retry.backoff.ms * 2^(attempts-1)`, capped at
    /// `retry.backoff.max.ms`, with ±20% jitter.
    fn backoff(&self, attempts: u32, rng: &mut impl Rng) -> Millis {
        let base = self.config.retry_backoff_ms as f64;
        let max = self.config.retry_backoff_max_ms.max(self.config.retry_backoff_ms) as f64;
        let exp = (base * 2f64.powi(attempts.saturating_sub(1).min(30) as i32)).min(max);
        let jitter = rng.random_range(0.8..=1.2);
        (exp * jitter).round() as Millis
    }

    fn complete_batch(&mut self, batch: ProducerBatch, base_offset: i64, out: &mut Outbox<Timer>) {
        self.sequences.acked(&batch);
        out.fact(Fact::ProduceAcked {
            producer: self.id,
            topic_partition: batch.topic_partition.clone(),
            base_offset,
            records: batch.records.len(),
        });
        self.acked_records += batch.records.len() as u64;
        for (i, (send_id, record)) in batch.records.iter().enumerate() {
            let offset = if base_offset < 0 { -1 } else { base_offset + i as i64 };
            if let Some(log) = self.acked_log.as_mut() {
                log.push(AckedRecord {
                    topic_partition: batch.topic_partition.clone(),
                    offset,
                    key: record.key.clone(),
                    value: record.value.clone(),
                });
            }
            self.complete(*send_id, Some(batch.topic_partition.clone()), SendOutcome::Acked { offset });
        }
    }

    /// The application learns that the batch's records failed.
    fn fail_batch(&mut self, batch: ProducerBatch, error: ErrorCode) {
        self.sequences.remove_in_flight(&batch);
        self.failed_records += batch.records.len() as u64;
        for (send_id, _) in &batch.records {
            self.complete(*send_id, Some(batch.topic_partition.clone()), SendOutcome::Failed { error });
        }
    }

    fn complete(&mut self, send_id: u64, tp: Option<TopicPartition>, outcome: SendOutcome) {
        if let Some(r) = self.results.iter_mut().rev().find(|r| r.send_id == send_id) {
            r.outcome = outcome;
            if tp.is_some() {
                r.topic_partition = tp;
            }
        }
    }

    fn remember(&mut self, result: SendResult) {
        if self.results.len() == RESULT_HISTORY {
            self.results.pop_front();
        }
        self.results.push_back(result);
    }

    /// Kafka's `Sender.runOnce`: get a producer id if needed, expire old batches, drain ready
    /// batches into one ProduceRequest per leader, and sleep until the next batch is ready.
    fn run_sender(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        self.expire_batches(now, out);
        // Like Kafka's sender thread, wake up in time to expire the oldest batch, waiting or in
        // flight (`RecordAccumulator.nextExpiryTimeMs`). An in-flight batch whose request times
        // out first is back in the accumulator (or failed) by its deadline: no wakeup for it.
        let deadline = self.config.delivery_timeout_ms;
        let in_flight = self
            .in_flight
            .values()
            .flat_map(|r| r.batches.iter().filter(move |b| !b.expired && b.created_ms + deadline < r.timeout_at));
        if let Some(oldest) = self.accumulator.batches().chain(in_flight).map(|b| b.created_ms).min() {
            self.schedule_wakeup((oldest + self.config.delivery_timeout_ms).max(now + 1), out);
        }
        let ready = if self.txn.is_some() {
            self.run_transaction_manager(now, rng, out)
        } else {
            self.producer_id_ready(now, rng, out)
        };
        if !ready || !self.may_send_in_transaction() {
            return;
        }
        self.update_partition_load_stats();
        let mut next_ready: Option<Millis> = None;
        let mut needs_metadata = false;
        let mut by_leader: BTreeMap<i32, Vec<TopicPartition>> = BTreeMap::new();
        let linger_ms = if self.flushing() { 0 } else { self.config.linger_ms };
        for (tp, ready_at) in self.accumulator.ready_times(self.config.batch_size, linger_ms) {
            match self.leader(tp) {
                Some(leader) if ready_at <= now => by_leader.entry(leader).or_default().push(tp.clone()),
                Some(_) => next_ready = Some(next_ready.map_or(ready_at, |t| t.min(ready_at))),
                None => needs_metadata = true,
            }
        }
        if needs_metadata {
            self.request_metadata(now, rng, out);
        }
        for (leader, partitions) in by_leader {
            self.send_produce_request(leader, partitions, now, out);
        }
        if let Some(at) = next_ready {
            self.schedule_wakeup(at.max(now + 1), out);
        }
    }

    /// Kafka's `Sender.sendProducerData` expiry: batches waiting in the accumulator
    /// (`RecordAccumulator.expiredBatches`) and batches in flight (`Sender.getExpiredInflightBatches`)
    /// that reached `delivery.timeout.ms` fail now. An expired batch that had been sent before
    /// leaves its sequence unresolved (`markSequenceUnresolved`, for a batch `inRetry`); an
    /// expired in-flight batch stays with its request, whose answer settles its sequence.
    fn expire_batches(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let deadline = self.config.delivery_timeout_ms;
        let mut expired: Vec<(ProducerBatch, bool)> = self
            .accumulator
            .expire(now, deadline)
            .into_iter()
            .map(|b| {
                let in_retry = b.attempts > 0;
                (b, in_retry)
            })
            .collect();
        for batch in self.in_flight.values_mut().flat_map(|r| r.batches.iter_mut()) {
            if !batch.expired && now >= batch.created_ms + deadline {
                batch.expired = true;
                let in_retry = batch.attempts > 1;
                expired.push((batch.clone(), in_retry));
            }
        }
        for (batch, in_retry) in expired {
            out.fact(Fact::ProduceFailed {
                producer: self.id,
                topic_partition: batch.topic_partition.clone(),
                error: ErrorCode::DeliveryTimeout,
                attempt: batch.attempts,
                will_retry: false,
            });
            if in_retry && self.pid_state != ProducerIdState::Disabled {
                self.sequences.mark_unresolved(&batch);
            }
            self.fail_batch(batch, ErrorCode::DeliveryTimeout);
            // `failBatch` → `TransactionManager.handleFailedBatch` → `maybeTransitionToErrorState`:
            // a transaction that lost a send can only abort (eos seed 744 committed without it).
            self.transactional_send_failed(ErrorCode::DeliveryTimeout, out);
        }
    }

    /// Kafka's `RecordAccumulator.partitionReady` feeds each topic's queue sizes to
    /// `BuiltInPartitioner.updatePartitionLoadStats`, so the sticky partitioner draws partitions
    /// with shorter queues more often (adaptive partitioning). Partitions without a leader are
    /// left out, and, as in Kafka, nothing is adaptive until every partition has had a queue.
    fn update_partition_load_stats(&mut self) {
        for (topic, partitioner) in &mut self.sticky {
            let queues: Vec<(&TopicPartition, usize)> = self.accumulator.queue_sizes(topic).collect();
            let metadata = self.metadata.get(topic).map_or(&[][..], Vec::as_slice);
            if !self.config.partitioner_adaptive_partitioning_enable || queues.len() < metadata.len() {
                partitioner.update_partition_load_stats(None, 0);
                continue;
            }
            let mut queue_sizes = vec![0; queues.len()];
            let mut partition_ids = vec![0; queues.len()];
            let mut length = 0;
            for (tp, size) in queues {
                if leader_in(metadata, tp.partition).is_some() {
                    queue_sizes[length] = i32::try_from(size).unwrap_or(i32::MAX);
                    partition_ids[length] = tp.partition;
                    length += 1;
                }
            }
            partitioner.update_partition_load_stats(Some((&queue_sizes, &partition_ids)), length);
        }
    }

    /// Returns whether batches may be drained: with idempotence, only under a valid producer id.
    fn producer_id_ready(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) -> bool {
        match self.pid_state {
            ProducerIdState::Disabled => true,
            ProducerIdState::Requested => false,
            ProducerIdState::Missing | ProducerIdState::Ready => {
                self.bump_idempotent_epoch_if_needed(out);
                if self.pid_state == ProducerIdState::Ready {
                    return true;
                }
                if now < self.pid_retry_at {
                    self.schedule_wakeup(self.pid_retry_at, out);
                    return false;
                }
                if self.bootstrap.is_empty() {
                    return false;
                }
                let broker = self.bootstrap[rng.random_range(0..self.bootstrap.len())];
                self.pid_state = ProducerIdState::Requested;
                self.wakeup_token += 1;
                self.pid_request = (self.wakeup_token, broker);
                out.send(
                    NodeId::Broker(broker),
                    ClientMessage::InitProducerIdRequest {
                        producer_id: self.producer_id,
                        producer_epoch: self.producer_epoch,
                    },
                );
                out.timer(
                    now + self.config.request_timeout_ms,
                    Timer::InitProducerIdTimeout { token: self.wakeup_token },
                );
                false
            }
        }
    }

    fn send_produce_request(
        &mut self,
        leader: i32,
        partitions: Vec<TopicPartition>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let in_flight_to_leader = self.in_flight.values().filter(|r| r.broker == leader).count();
        if in_flight_to_leader >= self.config.max_in_flight_requests_per_connection {
            return;
        }
        let idempotent = self.pid_state == ProducerIdState::Ready;
        let mut batches = Vec::new();
        let mut size = 0;
        for tp in partitions {
            let Some(head) = self.accumulator.head(&tp) else { continue };
            if let Some(seq) = head.base_sequence {
                // A retried batch goes alone, and only once it is the oldest unfinished one.
                let first = self.sequences.first_in_flight(&tp);
                if first != Some(seq)
                    || self.in_flight.values().any(|r| r.batches.iter().any(|b| b.topic_partition == tp))
                {
                    continue;
                }
            } else if idempotent && self.sequences.blocks_new_batch(&tp, self.producer_epoch) {
                continue;
            } else if self.config.max_in_flight_requests_per_connection == 1
                && self.in_flight.values().any(|r| r.batches.iter().any(|b| b.topic_partition == tp))
            {
                continue; // Kafka mutes a partition to guarantee order with one request in flight.
            }
            if !batches.is_empty() && size + head.size_bytes > self.config.max_request_size {
                break;
            }
            let Some(mut batch) = self.accumulator.pop_head(&tp) else { continue };
            if idempotent && batch.base_sequence.is_none() {
                let count = batch.records.len() as i32;
                batch.base_sequence = Some(self.sequences.assign(&tp, self.producer_epoch, count));
                batch.producer_epoch = self.producer_epoch;
            }
            batch.attempts += 1;
            size += batch.size_bytes;
            batches.push(batch);
        }
        if batches.is_empty() {
            return;
        }
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id += 1;
        let transactional_id = self.txn.as_ref().map(|t| t.transactional_id.clone());
        let transactional = transactional_id.is_some();
        let wire = batches
            .iter()
            .map(|b| {
                (
                    b.topic_partition.clone(),
                    b.to_record_batch(self.producer_id, transactional, self.config.compression_type),
                )
            })
            .collect();
        out.send(
            NodeId::Broker(leader),
            ClientMessage::ProduceRequest {
                correlation_id,
                transactional_id,
                acks: self.config.acks,
                timeout_ms: self.config.request_timeout_ms,
                batches: wire,
            },
        );
        if self.config.acks == Acks::None {
            for batch in batches {
                self.complete_batch(batch, -1, out);
            }
        } else {
            let timeout_at = now + self.config.request_timeout_ms;
            self.in_flight.insert(correlation_id, InFlightRequest { broker: leader, batches, timeout_at });
            out.timer(timeout_at, Timer::RequestTimeout { correlation_id });
        }
    }

    fn schedule_wakeup(&mut self, at: Millis, out: &mut Outbox<Timer>) {
        if self.wakeup.is_some_and(|(t, _)| t <= at) {
            return;
        }
        self.wakeup_token += 1;
        self.wakeup = Some((at, self.wakeup_token));
        out.timer(at, Timer::Wakeup { token: self.wakeup_token });
    }

    /// Starts (or replaces) a stream of generated records at a fixed rate.
    pub fn start_stream(&mut self, mut stream: stream::Stream, now: Millis, out: &mut Outbox<Timer>) {
        self.wakeup_token += 1;
        stream.token = self.wakeup_token;
        out.timer(now + stream.interval_ms(), Timer::Stream { token: stream.token });
        self.stream = Some(stream);
    }

    pub fn stop_stream(&mut self) {
        self.stream = None;
    }
}

/// The leader of `partition` among a topic's partitions (in partition order), if it has one.
fn leader_in(partitions: &[PartitionMetadata], partition: i32) -> Option<i32> {
    // Metadata lists partitions 0..n in order: look at index `partition` first, and search only
    // if it holds another (a binary search over 10,000 partitions missed the cache at each step).
    let direct = usize::try_from(partition)
        .ok()
        .filter(|&i| partitions.get(i).is_some_and(|m| m.topic_partition.partition == partition));
    let at = match direct {
        Some(at) => at,
        None => partitions.binary_search_by_key(&partition, |m| m.topic_partition.partition).ok()?,
    };
    Some(partitions[at].leader).filter(|l| *l >= 0)
}

impl Node for Producer {
    type Timer = Timer;

    /// The process starts idle: it asks for metadata and a producer id on its first send. A
    /// transactional producer's application calls `initTransactions()` first.
    fn on_start(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        out.fact(Fact::ProducerStarted { producer: self.id, name: self.name.clone() });
        if self.txn.is_some() {
            self.run_sender(now, rng, out);
        }
    }

    /// The process dies. Whatever lived only in its memory is gone: records waiting for
    /// metadata or in the accumulator, and requests in flight, complete as
    /// [`SendOutcome::ProcessCrashed`]; a running stream stops.
    fn crash(&mut self, _now: Millis, out: &mut Outbox<Timer>) {
        let mut lost: Vec<u64> = self.waiting_for_metadata.drain(..).map(|(send_id, _, _)| send_id).collect();
        let accumulator = std::mem::take(&mut self.accumulator);
        let in_flight = std::mem::take(&mut self.in_flight);
        // An in-flight batch `delivery.timeout.ms` expired was already reported as failed.
        let sent = in_flight.values().flat_map(|r| r.batches.iter()).filter(|b| !b.expired);
        let batches = accumulator.batches().chain(sent);
        lost.extend(batches.flat_map(|b| b.records.iter().map(|(send_id, _)| *send_id)));
        for send_id in &lost {
            self.complete(*send_id, None, SendOutcome::ProcessCrashed);
        }
        self.stream = None;
        self.wakeup = None;
        self.metadata_in_flight = None;
        out.fact(Fact::ProducerCrashed { producer: self.id, lost_records: lost.len() });
    }

    /// Whether firing `timer` would do anything: a request answered, a wakeup or stream replaced,
    /// leaves a timer that [`Self::on_timer`] ignores. The world drops such timers unseen.
    fn timer_is_live(&self, timer: &Timer) -> bool {
        match timer {
            Timer::Wakeup { token } => self.wakeup.is_some_and(|(_, t)| t == *token),
            Timer::RequestTimeout { correlation_id } => self.in_flight.contains_key(correlation_id),
            Timer::MetadataTimeout { token } => self.metadata_in_flight.is_some_and(|(t, _)| t == *token),
            Timer::InitProducerIdTimeout { token } => {
                self.pid_state == ProducerIdState::Requested && self.pid_request.0 == *token
            }
            Timer::Stream { token } => self.stream.as_ref().is_some_and(|s| s.token == *token),
            Timer::MetadataRetry => true,
            Timer::TxnRequestTimeout { token } => self.txn.as_ref().is_some_and(|t| t.request_is_live(*token)),
        }
    }

    fn on_timer(&mut self, timer: Timer, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        match timer {
            Timer::Wakeup { token } => {
                if self.wakeup.is_some_and(|(_, t)| t == token) {
                    self.wakeup = None;
                    self.run_sender(now, rng, out);
                }
            }
            Timer::RequestTimeout { correlation_id } => {
                if let Some(request) = self.in_flight.remove(&correlation_id) {
                    self.fail_request(request, ErrorCode::RequestTimedOut, now, rng, out);
                    self.run_sender(now, rng, out);
                }
            }
            Timer::MetadataTimeout { token } => {
                if self.metadata_in_flight.is_some_and(|(t, _)| t == token) {
                    self.metadata_in_flight = None;
                    self.request_metadata(now, rng, out);
                }
            }
            Timer::MetadataRetry => self.request_metadata(now, rng, out),
            Timer::InitProducerIdTimeout { token } => {
                if self.pid_state == ProducerIdState::Requested && self.pid_request.0 == token {
                    self.abandon_pid_request(now);
                    self.run_sender(now, rng, out);
                }
            }
            Timer::TxnRequestTimeout { token } => {
                if self.txn.as_ref().is_some_and(|t| t.request_is_live(token)) {
                    self.abandon_txn_request(now);
                    self.run_sender(now, rng, out);
                }
            }
            Timer::Stream { token } => {
                if let Some(stream) = self.stream.as_mut().filter(|s| s.token == token) {
                    let record = stream.next_record();
                    out.timer(now + stream.interval_ms(), Timer::Stream { token });
                    self.send(record, now, rng, out);
                }
            }
        }
    }

    /// The connection to `broker` broke (it crashed or the link is cut): requests on it fail
    /// with a network error, metadata may be stale, and the sender retries.
    fn on_disconnect(&mut self, broker: i32, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        let ids: Vec<u64> = self.in_flight.iter().filter(|(_, r)| r.broker == broker).map(|(id, _)| *id).collect();
        for id in ids {
            if let Some(request) = self.in_flight.remove(&id) {
                self.fail_request(request, ErrorCode::NetworkException, now, rng, out);
            }
        }
        // Only the requests that went to this broker are lost; ask again after
        // `retry.backoff.ms`, as Kafka backs off before reconnecting.
        if self.metadata_in_flight.is_some_and(|(_, b)| b == broker) {
            self.metadata_in_flight = None;
            out.timer(now + self.config.retry_backoff_ms, Timer::MetadataRetry);
        }
        if self.pid_state == ProducerIdState::Requested && self.pid_request.1 == broker && self.txn.is_none() {
            self.abandon_pid_request(now);
            self.schedule_wakeup(self.pid_retry_at, out);
        }
        if self.txn_request_broker() == Some(broker) {
            self.abandon_txn_request(now);
            self.schedule_wakeup(now + self.config.retry_backoff_ms, out);
        }
        self.run_sender(now, rng, out);
    }

    fn on_message(&mut self, from: NodeId, message: Message, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        let NodeId::Broker(from) = from else {
            out.fact(Fact::MessageMisrouted { from, to: NodeId::Client(self.node), kind: message.kind() });
            return;
        };
        let message = match message {
            Message::Txn(message) if !message.is_request() => {
                self.on_txn_response(from, message, now, out);
                self.run_sender(now, rng, out);
                return;
            }
            message => message,
        };
        if self.on_group_offsets_response(from, &message, now, out) {
            self.run_sender(now, rng, out);
            return;
        }
        // A late answer to a TxnOffsetCommit the transaction manager gave up.
        if self.txn.is_some() && matches!(message, Message::Group(GroupMessage::TxnOffsetCommitResponse { .. })) {
            return;
        }
        let Message::Client(message) = message else {
            out.fact(Fact::MessageMisrouted {
                from: NodeId::Broker(from),
                to: NodeId::Client(self.node),
                kind: message.kind(),
            });
            return;
        };
        match message {
            ClientMessage::MetadataResponse { partitions } => {
                self.metadata_in_flight = None;
                out.fact(Fact::MetadataUpdated { client: self.node, partitions: partitions.len() });
                self.metadata.clear();
                for p in partitions {
                    self.metadata.entry(p.topic_partition.topic.to_string()).or_default().push(p);
                }
                for partitions in self.metadata.values_mut() {
                    partitions.sort_by_key(|m| m.topic_partition.partition);
                }
                let waiting = std::mem::take(&mut self.waiting_for_metadata);
                for (send_id, record, since) in waiting {
                    if self.metadata.contains_key(&record.topic) {
                        let _ = self.append(send_id, record, now, rng);
                    } else if now < since + self.config.max_block_ms {
                        self.waiting_for_metadata.push((send_id, record, since));
                    } else {
                        // Kafka: "Topic not present in metadata after max.block.ms ms".
                        self.complete(send_id, None, SendOutcome::Failed { error: ErrorCode::UnknownTopicOrPartition });
                    }
                }
                if !self.waiting_for_metadata.is_empty() {
                    out.timer(now + self.config.retry_backoff_ms, Timer::MetadataRetry);
                }
            }
            ClientMessage::InitProducerIdResponse { producer_id, producer_epoch } => {
                // Only the answer to the request in flight counts: a late answer to an abandoned
                // request would reset the sequences under an id and epoch the broker already
                // knows, and the broker would take new batches for duplicates.
                if self.pid_state != ProducerIdState::Requested || self.pid_request.1 != from {
                    return;
                }
                self.producer_id = producer_id;
                self.producer_epoch = producer_epoch;
                self.pid_state = ProducerIdState::Ready;
                // A new epoch restarts every partition's sequence at 0 (KIP-360). A batch that was
                // already sent may be in the log: re-sending it under the new epoch could write it
                // twice, so it fails instead, with its outcome unknown, as in Kafka.
                self.sequences.clear();
                for mut batch in self.accumulator.take_sent_batches() {
                    batch.base_sequence = None; // its gap is what this new epoch already resolves
                    self.fail_batch(batch, ErrorCode::OutOfOrderSequenceNumber);
                }
                for batch in self.accumulator.batches_mut() {
                    batch.base_sequence = None;
                    batch.producer_epoch = producer_epoch;
                }
                out.fact(Fact::ProducerIdAssigned { producer: self.id, producer_id, producer_epoch });
            }
            ClientMessage::ProduceResponse { correlation_id, partitions } => {
                if let Some(request) = self.in_flight.remove(&correlation_id) {
                    self.handle_produce_response(request, partitions, now, rng, out);
                }
            }
            // A transactional producer's late answer to a group coordinator lookup it gave up.
            ClientMessage::FindCoordinatorResponse { .. } if self.txn.is_some() => {}
            ClientMessage::MetadataRequest
            | ClientMessage::InitProducerIdRequest { .. }
            | ClientMessage::ProduceRequest { .. }
            | ClientMessage::FindCoordinatorRequest { .. }
            | ClientMessage::FindCoordinatorResponse { .. }
            | ClientMessage::ListOffsetsRequest { .. }
            | ClientMessage::ListOffsetsResponse { .. }
            | ClientMessage::ConsumerFetchRequest { .. }
            | ClientMessage::ConsumerFetchResponse { .. }
            | ClientMessage::ShareFetchRequest { .. }
            | ClientMessage::ShareFetchResponse { .. }
            | ClientMessage::ShareAcknowledgeRequest { .. }
            | ClientMessage::ShareAcknowledgeResponse { .. }
            | ClientMessage::OffsetsForLeaderEpochRequest { .. }
            | ClientMessage::OffsetsForLeaderEpochResponse { .. } => out.fact(Fact::MessageMisrouted {
                from: NodeId::Broker(from),
                to: NodeId::Client(self.node),
                kind: message.kind(),
            }),
        }
        self.run_sender(now, rng, out);
    }
}
