//! What each consume-transform-produce processor delivered, as a read_committed reader of its
//! output topic sees it: the input records its group's committed offsets passed, whose output
//! is missing or was committed more than once. This is the difference between at-most-once,
//! at-least-once and exactly-once processing, read from the logs themselves.

use crate::cluster::processor::output_record;
use crate::cluster::World;
use crate::log::control::{ControlRecordType, EndTransactionMarker};
use crate::protocol::TopicPartition;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One processor's delivery, counted over the input records below its group's committed offsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessorAuditView {
    /// The processor's consumer, by its configured name.
    pub consumer: String,
    pub group: String,
    /// `at_most_once`, `at_least_once` or `exactly_once`, from the consumer's commit mode.
    pub guarantee: &'static str,
    pub output_topic: String,
    /// Input records the committed offsets passed.
    pub consumed: u64,
    /// Outputs a read_committed consumer of the output topic reads.
    pub outputs: u64,
    /// Input records passed whose output is not in the committed output.
    pub missing: u64,
    /// Extra copies of outputs in the committed output.
    pub duplicates: u64,
    /// Outputs written in transactions that were aborted (read_committed skips them).
    pub aborted: u64,
}

/// The committed view of a partition's log on its leader (or the longest replica while it has
/// none): records of committed transactions and plain records, by offset; and the offsets of
/// aborted transactions' records.
pub(crate) fn committed_view(world: &World, tp: &TopicPartition) -> (BTreeMap<i64, Vec<u8>>, BTreeSet<i64>) {
    let mut records = BTreeMap::new();
    let mut aborted = BTreeSet::new();
    let Some(leader) = world.metadata().partition(tp).map(|p| p.leader) else { return (records, aborted) };
    let replica = world
        .broker(leader)
        .and_then(|b| b.durable.replicas.get(tp))
        .or_else(|| world.brokers().filter_map(|b| b.durable.replicas.get(tp)).max_by_key(|r| r.log.log_end_offset()));
    let Some(replica) = replica else { return (records, aborted) };
    let mut open: BTreeMap<i64, Vec<(i64, Vec<u8>)>> = BTreeMap::new();
    for stored in replica.log.batches() {
        let batch = &stored.batch;
        if let Some(marker) = EndTransactionMarker::from_batch(batch) {
            let pending = open.remove(&batch.producer_id).unwrap_or_default();
            if marker.control_type == ControlRecordType::Commit {
                records.extend(pending);
            } else {
                aborted.extend(pending.into_iter().map(|(offset, _)| offset));
            }
            continue;
        }
        let values = batch.records.iter().map(|r| (batch.offset_of(r), r.record.value.clone().unwrap_or_default()));
        if batch.is_transactional() {
            open.entry(batch.producer_id).or_default().extend(values);
        } else {
            records.extend(values);
        }
    }
    (records, aborted)
}

impl World {
    /// Every processor's delivery audit, in consumer id order: those with one output per input
    /// (a declared listener's outputs are its own and have no such count).
    pub fn processor_audits(&self) -> Vec<ProcessorAuditView> {
        self.processors()
            .filter_map(|processor| {
                let consumer = self.consumers().find(|c| c.id == processor.consumer)?;
                let group = consumer.config.group_id.clone();
                let topic = processor.output_topic.as_ref()?;
                let partitions = self.metadata().topics.get(topic).map_or(0, |t| t.partitions.len() as i32);
                let mut copies: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
                let mut aborted = 0;
                for p in 0..partitions {
                    let (records, aborted_offsets) = committed_view(self, &TopicPartition::new(topic, p));
                    aborted += aborted_offsets.len() as u64;
                    for value in records.into_values() {
                        *copies.entry(value).or_default() += 1;
                    }
                }
                let mut audit = ProcessorAuditView {
                    consumer: consumer.name.clone(),
                    group: group.clone(),
                    guarantee: match consumer.app.commit {
                        crate::consumer::CommitMode::Transactional => "exactly_once",
                        crate::consumer::CommitMode::SyncBeforeProcessing => "at_most_once",
                        _ => "at_least_once",
                    },
                    output_topic: topic.clone(),
                    consumed: 0,
                    outputs: copies.values().sum(),
                    missing: 0,
                    duplicates: 0,
                    aborted,
                };
                for (tp, committed) in self.group_history().committed(&group) {
                    let (records, _) = committed_view(self, tp);
                    for offset in records.range(..committed.offset).map(|(offset, _)| *offset) {
                        audit.consumed += 1;
                        let expected = output_record(topic, tp, offset).value.unwrap_or_default();
                        match copies.get(&expected).copied().unwrap_or(0) {
                            0 => audit.missing += 1,
                            n => audit.duplicates += n - 1,
                        }
                    }
                }
                Some(audit)
            })
            .collect()
    }
}
