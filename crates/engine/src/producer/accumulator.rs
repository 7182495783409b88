//! Kafka's RecordAccumulator: records wait per partition in batches until a batch is full
//! (`batch.size`), has lingered `linger.ms`, or is due for a retry; the sender drains ready batches.

use super::ProducerBatch;
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use std::collections::VecDeque;

/// The queues sit in a vector sorted by partition: partitions are added rarely and never
/// removed. The sender walks the queues that hold batches on each run; `busy` lists them, so a
/// producer whose keys reach thousands of partitions (nearly all empty) does not walk them all.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    queues: Vec<(TopicPartition, VecDeque<ProducerBatch>)>,
    /// Indexes of the non-empty queues, ascending.
    busy: Vec<usize>,
}

/// Kafka's `RecordAccumulator.RecordAppendResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordAppendResult {
    /// The partition's last batch is full: the sender's cue, and the sticky partitioner's
    /// (`allBatchesFull`).
    pub batch_is_full: bool,
    pub new_batch_created: bool,
    /// How much the batch's estimated size grew: a new batch counts whole, header included.
    pub appended_bytes: usize,
}

impl Accumulator {
    /// Where `tp`'s queue is, or where it would go.
    fn find(&self, tp: &TopicPartition) -> Result<usize, usize> {
        self.queues.binary_search_by(|(k, _)| k.cmp(tp))
    }

    fn queue(&self, tp: &TopicPartition) -> Option<&VecDeque<ProducerBatch>> {
        let at = self.find(tp).ok()?;
        Some(&self.queues[at].1)
    }

    /// Where the partition's queue is, created empty on first use.
    fn queue_index(&mut self, tp: &TopicPartition) -> usize {
        match self.find(tp) {
            Ok(at) => at,
            Err(at) => {
                self.queues.insert(at, (tp.clone(), VecDeque::new()));
                for index in self.busy.iter_mut().filter(|i| **i >= at) {
                    *index += 1;
                }
                at
            }
        }
    }

    /// Brings `busy` up to date with queue `at`, after a change to it.
    fn mark(&mut self, at: usize) {
        match (self.busy.binary_search(&at), self.queues[at].1.is_empty()) {
            (Err(place), false) => self.busy.insert(place, at),
            (Ok(place), true) => {
                self.busy.remove(place);
            }
            _ => {}
        }
    }

    /// Appends to the partition's last batch if it has room, else starts a new batch.
    /// A record larger than `batch.size` gets a batch of its own, as in Kafka.
    pub fn append(
        &mut self,
        batch_size: usize,
        new_batch: impl FnOnce() -> ProducerBatch,
        record: super::PendingRecord,
        now: Millis,
    ) -> RecordAppendResult {
        let at = self.queue_index(&record.topic_partition);
        let queue = &mut self.queues[at].1;
        let (new_batch_created, appended_bytes) = match queue.back_mut() {
            Some(last)
                if last.attempts == 0
                    && last.base_sequence.is_none()
                    && last.size_bytes + record.size_bytes <= batch_size =>
            {
                let appended_bytes = record.size_bytes;
                last.push(record);
                (false, appended_bytes)
            }
            _ => {
                let mut batch = new_batch();
                batch.created_ms = now;
                batch.push(record);
                let appended_bytes = batch.size_bytes;
                queue.push_back(batch);
                (true, appended_bytes)
            }
        };
        let batch_is_full = queue.back().is_some_and(|b| b.size_bytes >= batch_size);
        self.mark(at);
        RecordAppendResult { batch_is_full, new_batch_created, appended_bytes }
    }

    /// Kafka's `RecordAccumulator.allBatchesFull`: the partition's last batch is full, or it has
    /// none waiting (all were sent).
    pub fn all_batches_full(&self, tp: &TopicPartition, batch_size: usize) -> bool {
        self.queue(tp).and_then(VecDeque::back).is_none_or(|b| b.size_bytes >= batch_size)
    }

    /// The number of waiting batches of every partition of `topic` that ever had a queue, in
    /// partition order (the queue sizes of `RecordAccumulator.partitionReady`).
    pub fn queue_sizes<'a>(&'a self, topic: &'a str) -> impl Iterator<Item = (&'a TopicPartition, usize)> {
        let first = self.queues.partition_point(|(tp, _)| tp.topic.as_str() < topic);
        self.queues[first..].iter().take_while(move |(tp, _)| tp.topic == topic).map(|(tp, queue)| (tp, queue.len()))
    }

    /// Puts a batch that failed back at the front, in sequence order for the idempotent producer.
    pub fn reenqueue(&mut self, batch: ProducerBatch) {
        let index = self.queue_index(&batch.topic_partition);
        let queue = &mut self.queues[index].1;
        let at = match batch.base_sequence {
            Some(seq) => queue.iter().position(|b| b.base_sequence.is_none_or(|s| s > seq)).unwrap_or(queue.len()),
            None => 0,
        };
        queue.insert(at, batch);
        self.mark(index);
    }

    /// Every partition with waiting batches and when its head batch becomes sendable: full,
    /// lingered `linger.ms`, or backed off after a failure.
    pub fn ready_times(&self, batch_size: usize, linger_ms: Millis) -> impl Iterator<Item = (&TopicPartition, Millis)> {
        self.busy.iter().filter_map(move |&at| {
            let (tp, queue) = &self.queues[at];
            let head = queue.front()?;
            let at = if head.attempts > 0 {
                head.retry_at
            } else if queue.len() > 1 || head.size_bytes >= batch_size {
                head.created_ms
            } else {
                head.created_ms + linger_ms
            };
            Some((tp, at))
        })
    }

    pub fn head(&self, tp: &TopicPartition) -> Option<&ProducerBatch> {
        self.queue(tp).and_then(VecDeque::front)
    }

    /// Empty queues stay: a partition that is written once is usually written again.
    pub fn pop_head(&mut self, tp: &TopicPartition) -> Option<ProducerBatch> {
        let at = self.find(tp).ok()?;
        let head = self.queues[at].1.pop_front();
        self.mark(at);
        head
    }

    /// Removes and returns every batch that has waited `delivery.timeout.ms` since creation.
    pub fn expire(&mut self, now: Millis, delivery_timeout_ms: Millis) -> Vec<ProducerBatch> {
        let is_expired = |b: &ProducerBatch| now >= b.created_ms + delivery_timeout_ms;
        self.take_where(is_expired)
    }

    /// Removes and returns every batch that was sent at least once (waiting for a retry).
    pub fn take_sent_batches(&mut self) -> Vec<ProducerBatch> {
        self.take_where(|b| b.attempts > 0)
    }

    /// Removes the batches `gone` picks from every queue, in queue order.
    fn take_where(&mut self, gone: impl Fn(&ProducerBatch) -> bool) -> Vec<ProducerBatch> {
        let mut taken = Vec::new();
        for &at in &self.busy {
            let queue = &mut self.queues[at].1;
            if queue.iter().any(&gone) {
                let (out, keep): (VecDeque<_>, VecDeque<_>) = queue.drain(..).partition(&gone);
                *queue = keep;
                taken.extend(out);
            }
        }
        let queues = &self.queues;
        self.busy.retain(|&at| !queues[at].1.is_empty());
        taken
    }

    /// Every waiting batch, for the view and for sequence resets.
    pub fn batches_mut(&mut self) -> impl Iterator<Item = &mut ProducerBatch> {
        self.queues.iter_mut().flat_map(|(_, q)| q)
    }

    pub fn batches(&self) -> impl Iterator<Item = &ProducerBatch> {
        self.busy.iter().flat_map(|&at| &self.queues[at].1)
    }

    pub fn waiting_records(&self) -> usize {
        self.batches().map(|b| b.records.len()).sum()
    }
}
