//! Consume-transform-produce applications: a consumer and a producer in one application
//! process (`Action::LinkProcessor`). Each record the consumer processed becomes one output
//! record (its value names the input partition and offset), sent as soon as the record is
//! processed. The consumer's commit mode picks the delivery guarantee, as in Kafka's loop:
//! - `SyncBeforeProcessing`: at-most-once. `commitSync()` right after `poll()`, then each
//!   record's output; a crash mid-batch loses the rest of the batch's outputs.
//! - `SyncAfterProcessing`: at-least-once. Each record's output, `producer.flush()`, then
//!   `commitSync()`; a crash mid-batch writes the batch's first outputs again after the restart.
//! - `Transactional`: exactly-once. `beginTransaction()` before the first output,
//!   `sendOffsetsToTransaction` with the consumer's group metadata, `commitTransaction()`, and
//!   the next `poll()` only after the transaction ended (an abort rewinds the consumer to the
//!   batch's start); a crash mid-batch leaves an open transaction that is aborted.
//!
//! The world plays the application's part between the two clients: after every event and
//! action it hands what the consumer processed to the producer and tells the consumer how the
//! transaction or the flush ended.

use super::world::World;
use super::Action;
use crate::consumer::CommitMode;
use crate::node::Outbox;
use crate::producer::transaction::{GroupMetadata, TxnClientState};
use crate::producer::ProducerRecord;
use crate::protocol::TopicPartition;
use serde::Serialize;

/// A running transaction: the producer's committed and aborted counts when it began, and
/// whether `commitTransaction()` was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct RunningTransaction {
    committed: u64,
    aborted: u64,
    committing: bool,
}

/// A linked consumer and producer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Processor {
    pub consumer: u32,
    pub producer: u32,
    /// Where each processed record's output goes; None: the consumer's declared listener
    /// decides what it sends (derived records, dead letters, retry-topic forwards).
    pub output_topic: Option<String>,
    /// The input records whose outputs were sent and whose offsets are not committed yet: the
    /// running transaction's, or an at-least-once batch's.
    batch: Vec<(TopicPartition, i64)>,
    /// Exactly-once: the running transaction.
    transaction: Option<RunningTransaction>,
    /// At-least-once: the producer's failed record count before the batch's first output.
    failed_before: Option<u64>,
}

impl Processor {
    pub fn new(consumer: u32, producer: u32, output_topic: Option<String>) -> Self {
        Processor { consumer, producer, output_topic, batch: Vec::new(), transaction: None, failed_before: None }
    }

    /// Forgets the application's batch (its process died).
    fn reset(&mut self) {
        self.batch.clear();
        self.transaction = None;
        self.failed_before = None;
    }
}

/// The output record for one input record: keyed by the input offset, valued `topic-partition@offset`.
pub fn output_record(topic: &str, input: &TopicPartition, offset: i64) -> ProducerRecord {
    ProducerRecord {
        topic: topic.to_string(),
        partition: None,
        key: Some(format!("{input}@{offset}").into_bytes()),
        value: Some(format!("{input}@{offset}").into_bytes()),
        headers: Vec::new(),
    }
}

impl World {
    pub fn processors(&self) -> impl Iterator<Item = &Processor> {
        self.processors.values()
    }

    /// Keeps every record `consumer` processes (the chaos verifier's exact record of what it
    /// returned).
    pub(crate) fn capture_processed(&mut self, consumer: u32) {
        if let Some(c) = self.consumers.get_mut(&consumer) {
            c.capture_processed = true;
        }
    }

    /// The application step of every processor whose clients both run.
    pub(super) fn drive_processors(&mut self) {
        if self.processors.is_empty() {
            return;
        }
        let ids: Vec<u32> = self.processors.keys().copied().collect();
        for id in ids {
            self.drive_processor(id);
        }
    }

    fn drive_processor(&mut self, id: u32) {
        let Some(processor) = self.processors.get(&id).cloned() else { return };
        let (c, p) = (processor.consumer, processor.producer);
        if !self.consumer_running(c) || !self.producer_running(p) {
            // A crashed half: the other half's transaction or batch is abandoned with it.
            if let Some(entry) = self.processors.get_mut(&id) {
                entry.reset();
            }
            return;
        }
        match self.consumers.get(&c).map(|c| c.app.commit) {
            Some(CommitMode::Transactional) => self.drive_transaction(id, processor),
            Some(CommitMode::SyncAfterProcessing) => self.drive_flush_then_commit(id, processor),
            Some(_) => {
                // At-most-once (or commits left to the application): outputs are fire and forget.
                self.send_outputs(&processor);
            }
            None => {}
        }
    }

    /// Sends an output for each record the consumer processed since the last call; returns
    /// those records.
    fn send_outputs(&mut self, processor: &Processor) -> Vec<(TopicPartition, i64)> {
        let now = self.now;
        let Some(consumer) = self.consumers.get_mut(&processor.consumer) else { return Vec::new() };
        let records = std::mem::take(&mut consumer.processed_output);
        let declared = std::mem::take(&mut consumer.program_output);
        if records.is_empty() && declared.is_empty() {
            return records;
        }
        let mut out = Outbox::default();
        let Some(producer) = self.producers.get_mut(&processor.producer) else { return Vec::new() };
        match &processor.output_topic {
            Some(topic) => {
                for (tp, offset) in &records {
                    producer.send(output_record(topic, tp, *offset), now, &mut self.rng, &mut out);
                }
            }
            None => {
                for record in declared {
                    producer.send(record, now, &mut self.rng, &mut out);
                }
            }
        }
        self.flush_producer(processor.producer, out);
        records
    }

    /// Exactly-once: outputs inside a transaction that also commits the input offsets.
    fn drive_transaction(&mut self, id: u32, processor: Processor) {
        let (c, p) = (processor.consumer, processor.producer);
        let now = self.now;
        let Some(txn) = self.producers.get(&p).and_then(|p| p.transaction()).cloned() else { return };
        if txn.state == TxnClientState::FatalError && processor.transaction.is_none() {
            // Fenced: the application closes its producer and creates a new one with the same
            // transactional id (a new process here), whose InitProducerId fences in turn.
            let _ = self.apply_action(Action::CrashProducer { producer: p });
            let _ = self.apply_action(Action::RestartProducer { producer: p });
            return;
        }
        let Some(running) = processor.transaction else {
            let processed = self.consumers.get(&c).is_some_and(|c| !c.processed_output.is_empty());
            if txn.state != TxnClientState::Ready || !processed {
                return;
            }
            if let Some(producer) = self.producers.get_mut(&p) {
                if producer.begin_transaction().is_err() {
                    return;
                }
            }
            let sent = self.send_outputs(&processor);
            if let Some(entry) = self.processors.get_mut(&id) {
                entry.batch = sent;
                entry.transaction =
                    Some(RunningTransaction { committed: txn.committed, aborted: txn.aborted, committing: false });
            }
            return self.commit_when_batch_done(id);
        };
        let ended = if txn.committed > running.committed {
            Some(true)
        } else if txn.aborted > running.aborted || txn.state == TxnClientState::FatalError {
            Some(false)
        } else {
            None
        };
        match ended {
            Some(committed) => {
                let batch = self.processors.get_mut(&id).map(|e| {
                    e.transaction = None;
                    std::mem::take(&mut e.batch)
                });
                let mut out = Outbox::default();
                if let Some(consumer) = self.consumers.get_mut(&c) {
                    consumer.transaction_finished(committed, &batch.unwrap_or_default(), now, &mut out);
                }
                self.flush_consumer(c, out);
            }
            None if txn.state == TxnClientState::AbortableError => {
                let mut out = Outbox::default();
                if let Some(producer) = self.producers.get_mut(&p) {
                    let _ = producer.end_transaction(false, now, &mut self.rng, &mut out);
                }
                self.flush_producer(p, out);
            }
            None if !running.committing => {
                let sent = self.send_outputs(&processor);
                if let Some(entry) = self.processors.get_mut(&id) {
                    entry.batch.extend(sent);
                }
                self.commit_when_batch_done(id);
            }
            None => {}
        }
    }

    /// Once the consumer processed its whole batch: `sendOffsetsToTransaction`, then
    /// `commitTransaction()`.
    fn commit_when_batch_done(&mut self, id: u32) {
        let Some(processor) = self.processors.get(&id) else { return };
        let (c, p) = (processor.consumer, processor.producer);
        let Some(consumer) = self.consumers.get(&c) else { return };
        if !consumer.awaiting_transaction {
            return;
        }
        let group = GroupMetadata {
            group_id: consumer.config.group_id.clone(),
            generation_id: consumer.generation_id,
            member_id: consumer.member_id.clone(),
            group_instance_id: consumer.config.group_instance_id.clone(),
        };
        let mut next: std::collections::BTreeMap<TopicPartition, i64> = std::collections::BTreeMap::new();
        for (tp, offset) in &processor.batch {
            let n = next.entry(tp.clone()).or_insert(offset + 1);
            *n = (*n).max(offset + 1);
        }
        // Each offset with the leader epoch of its last consumed record (KIP-320).
        let offsets = next.into_iter().map(|(tp, offset)| consumer.consumed_offset(&tp, offset)).collect();
        let now = self.now;
        let mut out = Outbox::default();
        let Some(producer) = self.producers.get_mut(&p) else { return };
        let _ = producer.send_offsets_to_transaction(group, offsets, now, &mut self.rng, &mut out);
        let _ = producer.end_transaction(true, now, &mut self.rng, &mut out);
        self.flush_producer(p, out);
        if let Some(running) = self.processors.get_mut(&id).and_then(|e| e.transaction.as_mut()) {
            running.committing = true;
        }
    }

    /// At-least-once processing, Kafka's loop without transactions: an output for each
    /// processed record, `producer.flush()`, then `commitSync()` the input offsets. Committing
    /// before the outputs are written would lose them if the process died in between.
    fn drive_flush_then_commit(&mut self, id: u32, processor: Processor) {
        let now = self.now;
        let failed_now = self.producers.get(&processor.producer).map_or(0, |p| p.failed_records);
        let sent = self.send_outputs(&processor);
        if let Some(entry) = self.processors.get_mut(&id) {
            if !sent.is_empty() {
                entry.failed_before.get_or_insert(failed_now);
            }
            entry.batch.extend(sent);
        }
        let Some(producer) = self.producers.get(&processor.producer) else { return };
        let flushed = producer.waiting_records() == 0 && producer.in_flight_requests() == 0;
        let all_written = producer.failed_records == processor.failed_before.unwrap_or(failed_now);
        let awaiting = self.consumers.get(&processor.consumer).is_some_and(|c| c.awaiting_flush);
        if !awaiting || !flushed {
            return;
        }
        let batch = self.processors.get_mut(&id).map(|e| {
            e.failed_before = None;
            std::mem::take(&mut e.batch)
        });
        let mut out = Outbox::default();
        if let Some(consumer) = self.consumers.get_mut(&processor.consumer) {
            consumer.outputs_flushed(all_written, &batch.unwrap_or_default(), now, &mut out);
        }
        self.flush_consumer(processor.consumer, out);
    }
}
