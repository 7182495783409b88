//! Consume-transform-produce applications: a consumer and a producer in one application
//! process (`Action::LinkProcessor`). Each record the consumer processed becomes one output
//! record (its value names the input partition and offset). With `CommitMode::Transactional`
//! this is Kafka's exactly-once loop: `beginTransaction()`, the outputs, `sendOffsetsToTransaction`
//! with the consumer's group metadata, `commitTransaction()`, and the next `poll()` only after
//! the transaction ended (an abort rewinds the consumer to the batch's start). Otherwise the
//! outputs are plain sends and the consumer commits as its commit mode says (at-least-once).
//!
//! The world plays the application's part between the two clients: after every event and
//! action it hands what the consumer processed to the producer and tells the consumer how the
//! transaction ended.

use super::world::World;
use super::Action;
use crate::consumer::CommitMode;
use crate::node::Outbox;
use crate::producer::transaction::{GroupMetadata, TxnClientState};
use crate::producer::ProducerRecord;
use crate::protocol::TopicPartition;
use serde::Serialize;

/// The batch a running transaction carries, with the producer's committed and aborted counts
/// when it began.
type RunningTransaction = (Vec<(TopicPartition, i64)>, u64, u64);

/// A linked consumer and producer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Processor {
    pub consumer: u32,
    pub producer: u32,
    pub output_topic: String,
    /// The batch whose transaction is running, and the producer's ended-transaction counts
    /// when it began.
    in_transaction: Option<RunningTransaction>,
    /// At-least-once: the batch whose outputs are being flushed, and the producer's failed
    /// record count before they were sent.
    flushing: Option<(Vec<(TopicPartition, i64)>, u64)>,
}

impl Processor {
    pub fn new(consumer: u32, producer: u32, output_topic: String) -> Self {
        Processor { consumer, producer, output_topic, in_transaction: None, flushing: None }
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
            // A crashed half: the other half's transaction is abandoned with it.
            if let Some(entry) = self.processors.get_mut(&id) {
                entry.in_transaction = None;
                entry.flushing = None;
            }
            return;
        }
        let now = self.now;
        let transactional = self.consumers.get(&c).is_some_and(|c| c.app.commit == CommitMode::Transactional);
        let Some(txn) = self.producers.get(&p).and_then(|p| p.transaction()).cloned() else {
            if !transactional {
                self.forward_outputs(id, &processor);
            }
            return;
        };
        if txn.state == TxnClientState::FatalError && processor.in_transaction.is_none() {
            // Fenced: the application closes its producer and creates a new one with the same
            // transactional id (a new process here), whose InitProducerId fences in turn.
            let _ = self.apply_action(Action::CrashProducer { producer: p });
            let _ = self.apply_action(Action::RestartProducer { producer: p });
            return;
        }
        match processor.in_transaction {
            None => {
                if txn.state != TxnClientState::Ready {
                    return;
                }
                let Some(consumer) = self.consumers.get_mut(&c) else { return };
                if !consumer.awaiting_transaction || consumer.processed_output.is_empty() {
                    return;
                }
                let batch = std::mem::take(&mut consumer.processed_output);
                let group = GroupMetadata {
                    group_id: consumer.config.group_id.clone(),
                    generation_id: consumer.generation_id,
                    member_id: consumer.member_id.clone(),
                    group_instance_id: consumer.config.group_instance_id.clone(),
                };
                let mut next: std::collections::BTreeMap<TopicPartition, i64> = std::collections::BTreeMap::new();
                for (tp, offset) in &batch {
                    let n = next.entry(tp.clone()).or_insert(offset + 1);
                    *n = (*n).max(offset + 1);
                }
                let offsets = next.into_iter().map(|(tp, offset)| consumer.consumed_offset(&tp, offset)).collect();
                let mut out = Outbox::default();
                let Some(producer) = self.producers.get_mut(&p) else { return };
                let began = producer.begin_transaction().is_ok();
                if began {
                    for (tp, offset) in &batch {
                        producer.send(
                            output_record(&processor.output_topic, tp, *offset),
                            now,
                            &mut self.rng,
                            &mut out,
                        );
                    }
                    let _ = producer.send_offsets_to_transaction(group, offsets, now, &mut self.rng, &mut out);
                    let _ = producer.end_transaction(true, now, &mut self.rng, &mut out);
                }
                self.flush_producer(p, out);
                if let Some(entry) = self.processors.get_mut(&id) {
                    entry.in_transaction = Some((batch, txn.committed, txn.aborted));
                }
            }
            Some((batch, committed, aborted)) => {
                let ended = if txn.committed > committed {
                    Some(true)
                } else if txn.aborted > aborted || txn.state == TxnClientState::FatalError {
                    Some(false)
                } else {
                    None
                };
                match ended {
                    Some(committed) => {
                        if let Some(entry) = self.processors.get_mut(&id) {
                            entry.in_transaction = None;
                        }
                        let mut out = Outbox::default();
                        if let Some(consumer) = self.consumers.get_mut(&c) {
                            consumer.transaction_finished(committed, &batch, now, &mut out);
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
                    None => {}
                }
            }
        }
    }

    /// At-least-once processing, Kafka's loop without transactions: send an output for each
    /// processed record, `producer.flush()`, then `commitSync()` the input offsets. Committing
    /// before the outputs are written would lose them if the process died in between.
    fn forward_outputs(&mut self, id: u32, processor: &Processor) {
        let now = self.now;
        let Some(producer) = self.producers.get(&processor.producer) else { return };
        if let Some((batch, failed_before)) = &processor.flushing {
            if producer.waiting_records() > 0 || producer.in_flight_requests() > 0 {
                return;
            }
            let all_written = producer.failed_records == *failed_before;
            let batch = batch.clone();
            if let Some(entry) = self.processors.get_mut(&id) {
                entry.flushing = None;
            }
            let mut out = Outbox::default();
            if let Some(consumer) = self.consumers.get_mut(&processor.consumer) {
                consumer.outputs_flushed(all_written, &batch, now, &mut out);
            }
            self.flush_consumer(processor.consumer, out);
            return;
        }
        let Some(consumer) = self.consumers.get_mut(&processor.consumer) else { return };
        if !consumer.awaiting_flush {
            return;
        }
        let batch = std::mem::take(&mut consumer.processed_output);
        let mut out = Outbox::default();
        let Some(producer) = self.producers.get_mut(&processor.producer) else { return };
        let failed_before = producer.failed_records;
        for (tp, offset) in &batch {
            producer.send(output_record(&processor.output_topic, tp, *offset), now, &mut self.rng, &mut out);
        }
        self.flush_producer(processor.producer, out);
        if let Some(entry) = self.processors.get_mut(&id) {
            entry.flushing = Some((batch, failed_before));
        }
    }
}
