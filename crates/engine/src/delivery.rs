//! The delivery audit, fed by facts: which offsets each group processed (at-least-once
//! duplicates, at-most-once skips), which acknowledged records the cluster later lost
//! (truncation, unclean election), and which records a retry without idempotence wrote twice.
//! Not part of Kafka: it plays the learner checking the data and the application's side effects.

use crate::broker::replica::Replica;
use crate::log::batch::RecordBatch;
use crate::narration::Fact;
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Per partition, at most this many lost and duplicate marks are kept (the newest).
const MAX_MARKS: usize = 64;
/// Per partition, the leader epochs of this many recent appends are remembered until acknowledged.
const RECENT_APPENDS: usize = 16;
/// Acknowledgements within one virtual second of the same leader epoch share one range, so the
/// time a lost record was acknowledged is known to the second and a range per second is kept.
const ACK_GRANULARITY_MS: Millis = 1_000;
/// After a producer retries on a partition, its acknowledgements there are compared with earlier
/// batches for this long (Kafka's default `delivery.timeout.ms` is 2 minutes).
const RETRY_WINDOW_MS: Millis = 120_000;
/// How many batches before an acknowledged retry are searched for its first copy.
const DUPLICATE_LOOKBACK: usize = 256;

/// Processed offsets of one partition as disjoint, non-adjacent ranges `start -> end` (exclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessedOffsets {
    ranges: BTreeMap<i64, i64>,
}

impl ProcessedOffsets {
    /// How many offsets of `[from, to)` are already in the set.
    fn overlap(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        self.ranges
            .range(..to)
            .filter(|(_, end)| **end > from)
            .map(|(start, end)| ((*start).max(from), (*end).min(to)))
            .collect()
    }

    fn insert(&mut self, from: i64, to: i64) {
        let (mut start, mut end) = (from, to);
        let touching: Vec<i64> = self.ranges.range(..=to).filter(|(_, e)| **e >= from).map(|(s, _)| *s).collect();
        for s in touching {
            if let Some(e) = self.ranges.remove(&s) {
                start = start.min(s);
                end = end.max(e);
            }
        }
        self.ranges.insert(start, end);
    }

    pub fn contains(&self, offset: i64) -> bool {
        self.ranges.range(..=offset).next_back().is_some_and(|(_, end)| offset < *end)
    }

    /// One past the highest processed offset.
    pub fn end(&self) -> Option<i64> {
        self.ranges.values().next_back().copied()
    }

    /// Forgets every offset at or above `offset`.
    fn truncate(&mut self, offset: i64) {
        self.ranges.retain(|start, _| *start < offset);
        if let Some(end) = self.ranges.values_mut().next_back() {
            *end = (*end).min(offset);
        }
    }
}

/// Per group and partition, the offsets processed so far.
#[derive(Debug, Clone, Default)]
struct DeliveryLedger {
    processed: BTreeMap<(String, TopicPartition), ProcessedOffsets>,
    /// Each consumer's group, from what it processed.
    groups: BTreeMap<u32, String>,
}

/// What one processing step revealed.
#[derive(Debug, Default, PartialEq)]
pub struct Findings {
    pub duplicates: u64,
    pub skipped: u64,
    pub facts: Vec<Fact>,
}

impl DeliveryLedger {
    /// Records that `consumer` of `group` processed offsets `[first, last]` of `tp`.
    pub fn record(&mut self, consumer: u32, group: &str, tp: &TopicPartition, first: i64, last: i64) -> Findings {
        let mut findings = Findings::default();
        if self.groups.get(&consumer).is_none_or(|g| g != group) {
            self.groups.insert(consumer, group.to_string());
        }
        let set = self.processed.entry((group.to_string(), tp.clone())).or_default();
        if let Some(end) = set.end().filter(|end| first > *end) {
            findings.skipped = (first - end) as u64;
            findings.facts.push(Fact::RecordsSkipped {
                consumer,
                group: group.to_string(),
                topic_partition: tp.clone(),
                from_offset: end,
                to_offset: first,
            });
        }
        for (from, to) in set.overlap(first, last + 1) {
            findings.duplicates += (to - from) as u64;
            findings.facts.push(Fact::DuplicatesProcessed {
                consumer,
                group: group.to_string(),
                topic_partition: tp.clone(),
                first_offset: from,
                last_offset: to - 1,
                count: (to - from) as usize,
            });
        }
        set.insert(first, last + 1);
        findings
    }

    fn processed(&self, group: &str, tp: &TopicPartition) -> Option<&ProcessedOffsets> {
        self.processed.get(&(group.to_string(), tp.clone()))
    }

    /// KIP-320: `consumer` found `tp`'s log truncated at `offset`. The records it processed from
    /// there are gone; the new leader's records at those offsets are new, not processed twice.
    fn truncated(&mut self, consumer: u32, tp: &TopicPartition, offset: i64) {
        let Some(group) = self.groups.get(&consumer) else { return };
        if let Some(set) = self.processed.get_mut(&(group.clone(), tp.clone())) {
            set.truncate(offset);
        }
    }
}

/// Acknowledged offsets `[start, end)` written in one leader epoch, still expected in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AckedRange {
    start: i64,
    end: i64,
    leader_epoch: i32,
    first_acked_ms: Millis,
}

/// Acknowledged records the cluster no longer has: the new leader's log ends before them, or
/// holds other records of a later epoch there. They stay marked after their offsets are reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LostRecords {
    pub first_offset: i64,
    pub last_offset: i64,
    /// The leader epoch they were written in (a replica still holding them shows this epoch).
    pub leader_epoch: i32,
    /// When the first of them was acknowledged to its producer.
    pub acked_at_ms: Millis,
    /// When the audit saw them gone (an election or a truncation).
    pub lost_at_ms: Millis,
}

/// The same producer records written twice: a retry after a lost response, without idempotence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DuplicateRecords {
    pub producer: u32,
    /// The first copy's base offset.
    pub original_offset: i64,
    /// The acknowledged copy's base offset.
    pub duplicate_offset: i64,
    pub count: usize,
    pub at_ms: Millis,
}

impl DuplicateRecords {
    /// Whether `offset` belongs to either copy.
    pub fn contains(&self, offset: i64) -> bool {
        let count = self.count as i64;
        (self.original_offset..self.original_offset + count).contains(&offset)
            || (self.duplicate_offset..self.duplicate_offset + count).contains(&offset)
    }
}

/// What the audit knows of one partition.
#[derive(Debug, Clone, Default)]
struct PartitionAudit {
    /// By start offset; persistent, so checkpoints share it.
    acked: imbl::OrdMap<i64, AckedRange>,
    /// `(base_offset, leader_epoch)` of recent appends, to give an acknowledgement its epoch.
    appended: VecDeque<(i64, i32)>,
    lost: VecDeque<LostRecords>,
    duplicates: VecDeque<DuplicateRecords>,
}

impl PartitionAudit {
    fn appended(&mut self, base_offset: i64, leader_epoch: i32) {
        if self.appended.len() == RECENT_APPENDS {
            self.appended.pop_front();
        }
        self.appended.push_back((base_offset, leader_epoch));
    }

    fn ack(&mut self, start: i64, end: i64, leader_epoch: i32, now: Millis) {
        let extends = |r: &AckedRange| {
            r.end == start
                && r.leader_epoch == leader_epoch
                && r.first_acked_ms / ACK_GRANULARITY_MS == now / ACK_GRANULARITY_MS
        };
        if let Some(previous) = self.acked.get_prev(&start).map(|(_, r)| *r).filter(extends) {
            self.acked.insert(previous.start, AckedRange { end, ..previous });
            return;
        }
        self.acked.insert(start, AckedRange { start, end, leader_epoch, first_acked_ms: now });
    }

    /// Forgets acknowledged ranges that end at or below `offset`: deleted on purpose (the log
    /// start moved) or held by every replica.
    fn forget_below(&mut self, offset: i64) {
        while let Some(first) = self.acked.get_min().map(|(_, r)| *r).filter(|r| r.end <= offset) {
            self.acked.remove(&first.start);
        }
    }

    /// Compares the acknowledged ranges with the leader's log (KIP-101: the epoch each offset was
    /// written in), moving what the leader does not hold to `lost`. Ranges retention or
    /// compaction removed below the log start are forgotten: deleted on purpose, not lost.
    fn audit(&mut self, leader: &Replica, now: Millis) -> Vec<LostRecords> {
        let log_start = leader.log.log_start_offset();
        self.forget_below(log_start);
        let mut found = Vec::new();
        let ranges: Vec<AckedRange> = self.acked.values().copied().collect();
        for range in ranges {
            let (epoch, epoch_end) = leader.end_offset_for_epoch(range.leader_epoch);
            // An epoch older than all the leader's answers itself (`endOffsetFor`) but is not held.
            let held = epoch == range.leader_epoch && leader.leader_epoch_cache.iter().any(|(e, _)| *e == epoch);
            let kept_until = if held { epoch_end } else { range.start };
            let lost_from = kept_until.max(range.start).max(log_start);
            if lost_from < range.end {
                found.push(LostRecords {
                    first_offset: lost_from,
                    last_offset: range.end - 1,
                    leader_epoch: range.leader_epoch,
                    acked_at_ms: range.first_acked_ms,
                    lost_at_ms: now,
                });
                if lost_from > range.start {
                    self.acked.insert(range.start, AckedRange { end: lost_from, ..range });
                } else {
                    self.acked.remove(&range.start);
                }
            }
        }
        for lost in &found {
            push_bounded(&mut self.lost, lost.clone());
        }
        found
    }
}

fn push_bounded<T>(marks: &mut VecDeque<T>, mark: T) {
    if marks.len() == MAX_MARKS {
        marks.pop_front();
    }
    marks.push_back(mark);
}

/// The whole audit, part of the world's state (so checkpoints and seeks keep it).
#[derive(Debug, Clone, Default)]
pub struct DeliveryAudit {
    ledger: DeliveryLedger,
    partitions: BTreeMap<TopicPartition, PartitionAudit>,
    /// `(producer, partition)` -> when it last retried there.
    retries: BTreeMap<(u32, TopicPartition), Millis>,
    /// Per group: offsets delivered to the application more than once (newest last).
    processed_twice: BTreeMap<String, VecDeque<ProcessedTwice>>,
}

/// Offsets a group's application processed again (after a crash or rebalance before a commit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessedTwice {
    pub consumer: u32,
    pub topic_partition: TopicPartition,
    pub first_offset: i64,
    pub last_offset: i64,
    pub at_ms: Millis,
}

/// What the world's state tells the audit about one fact's partition.
pub struct AuditContext<'a> {
    /// The partition's current leader replica (if it has one).
    pub leader: Option<&'a Replica>,
}

impl DeliveryAudit {
    /// Reads one fact just recorded at `now`; returns what it revealed: the consumer counters to
    /// add and the facts to record next (in that order, right after this one).
    pub fn observe(&mut self, fact: &Fact, now: Millis, context: AuditContext<'_>) -> Findings {
        match fact {
            Fact::RecordsProcessed { consumer, group, topic_partition, first_offset, last_offset, .. } => {
                let findings = self.ledger.record(*consumer, group, topic_partition, *first_offset, *last_offset);
                for f in &findings.facts {
                    if let Fact::DuplicatesProcessed { consumer, topic_partition, first_offset, last_offset, .. } = f {
                        let twice = self.processed_twice.entry(group.clone()).or_default();
                        push_bounded(
                            twice,
                            ProcessedTwice {
                                consumer: *consumer,
                                topic_partition: topic_partition.clone(),
                                first_offset: *first_offset,
                                last_offset: *last_offset,
                                at_ms: now,
                            },
                        );
                    }
                }
                findings
            }
            Fact::LogTruncationDetected { consumer, topic_partition, reset_to: Some(offset), .. } => {
                self.ledger.truncated(*consumer, topic_partition, *offset);
                Findings::default()
            }
            Fact::BatchAppended { topic_partition, base_offset, leader_epoch, .. } => {
                self.partition(topic_partition).appended(*base_offset, *leader_epoch);
                Findings::default()
            }
            // A retry the leader recognised (its sequence is already in the log) is acknowledged
            // with the offset of the copy the leader holds, which may come from an earlier epoch
            // than the newest append at that offset (a deposed leader's copy the new leader had
            // fetched): the acknowledgement takes the epoch of the answering leader's copy.
            Fact::DuplicateBatch { topic_partition, base_offset, .. } => {
                if let Some(leader) = context.leader {
                    self.partition(topic_partition).appended(*base_offset, epoch_of(leader, *base_offset));
                }
                Findings::default()
            }
            // Below the high watermark of a leader whose ISR is every replica, every replica holds
            // the records, so no election can lose them: forgetting them keeps the audit small.
            Fact::HighWatermarkAdvanced { topic_partition, broker, high_watermark } => {
                let fully_replicated =
                    context.leader.is_some_and(|l| l.leader == *broker && l.isr.len() == l.replicas.len());
                if let Some(p) = self.partitions.get_mut(topic_partition).filter(|_| fully_replicated) {
                    p.forget_below(*high_watermark);
                }
                Findings::default()
            }
            Fact::SegmentsDeleted { topic_partition, log_start_offset, .. } => {
                if let Some(p) = self.partitions.get_mut(topic_partition) {
                    p.forget_below(*log_start_offset);
                }
                Findings::default()
            }
            // A deleted topic's records are gone on purpose, and a topic created later under the
            // same name starts again at offset 0: nothing of the old one is lost or duplicated.
            Fact::TopicDeleted { topic, .. } => {
                self.partitions.retain(|tp, _| tp.topic != *topic);
                self.retries.retain(|(_, tp), _| tp.topic != *topic);
                self.ledger.processed.retain(|(_, tp), _| tp.topic != *topic);
                Findings::default()
            }
            Fact::ProduceFailed { producer, topic_partition, will_retry: true, .. } => {
                self.retries.insert((*producer, topic_partition.clone()), now);
                Findings::default()
            }
            Fact::ProduceAcked { producer, topic_partition, base_offset, records } if *base_offset >= 0 => {
                self.acked(*producer, topic_partition, *base_offset, *records, now, context)
            }
            Fact::LeaderElected { topic_partition, .. } | Fact::LogTruncated { topic_partition, .. } => {
                let Some(leader) = context.leader else { return Findings::default() };
                let lost = match self.partitions.get_mut(topic_partition) {
                    Some(p) => p.audit(leader, now),
                    None => return Findings::default(),
                };
                let mut facts: Vec<Fact> = Vec::new();
                for l in lost {
                    if let Some(Fact::AckedRecordsLost { last_offset, leader_epoch, .. }) = facts.last_mut() {
                        if *last_offset + 1 == l.first_offset && *leader_epoch == l.leader_epoch {
                            *last_offset = l.last_offset;
                            continue;
                        }
                    }
                    facts.push(Fact::AckedRecordsLost {
                        topic_partition: topic_partition.clone(),
                        first_offset: l.first_offset,
                        last_offset: l.last_offset,
                        leader_epoch: l.leader_epoch,
                        acked_at_ms: l.acked_at_ms,
                    });
                }
                Findings { facts, ..Findings::default() }
            }
            _ => Findings::default(),
        }
    }

    fn partition(&mut self, tp: &TopicPartition) -> &mut PartitionAudit {
        partition_entry(&mut self.partitions, tp)
    }

    fn acked(
        &mut self,
        producer: u32,
        tp: &TopicPartition,
        base_offset: i64,
        records: usize,
        now: Millis,
        context: AuditContext<'_>,
    ) -> Findings {
        let partition = self.partition(tp);
        let epoch = match partition.appended.iter().rposition(|(base, _)| *base == base_offset) {
            Some(i) => partition.appended.remove(i).map(|(_, epoch)| epoch),
            None => context.leader.map(|l| epoch_of(l, base_offset)),
        };
        if let Some(epoch) = epoch {
            partition.ack(base_offset, base_offset + records as i64, epoch, now);
        }
        let retried = self.retries.get(&(producer, tp.clone())).is_some_and(|at| now <= at + RETRY_WINDOW_MS);
        if let Some(original) = context.leader.filter(|_| retried).and_then(|l| first_copy(l, base_offset)) {
            let duplicate = DuplicateRecords {
                producer,
                original_offset: original,
                duplicate_offset: base_offset,
                count: records,
                at_ms: now,
            };
            push_bounded(&mut self.partition(tp).duplicates, duplicate);
        }
        Findings::default()
    }

    /// The offsets `group` has processed in `tp`.
    pub fn processed(&self, group: &str, tp: &TopicPartition) -> Option<&ProcessedOffsets> {
        self.ledger.processed(group, tp)
    }

    /// Acknowledged records of `tp` the cluster lost, oldest first.
    pub fn lost(&self, tp: &TopicPartition) -> impl Iterator<Item = &LostRecords> {
        self.partitions.get(tp).into_iter().flat_map(|p| p.lost.iter())
    }

    /// Records of `tp` written twice by a retry, oldest first.
    pub fn duplicates(&self, tp: &TopicPartition) -> impl Iterator<Item = &DuplicateRecords> {
        self.partitions.get(tp).into_iter().flat_map(|p| p.duplicates.iter())
    }

    /// Offsets of `tp` any group's application processed more than once.
    pub fn processed_twice_in<'a>(&'a self, tp: &'a TopicPartition) -> impl Iterator<Item = &'a ProcessedTwice> {
        self.processed_twice.values().flatten().filter(move |p| p.topic_partition == *tp)
    }

    /// Offsets `group`'s application processed more than once, oldest first.
    pub fn processed_twice(&self, group: &str) -> impl Iterator<Item = &ProcessedTwice> {
        self.processed_twice.get(group).into_iter().flat_map(|p| p.iter())
    }
}

/// The leader epoch `offset` was written in, by the replica's epoch cache.
fn epoch_of(replica: &Replica, offset: i64) -> i32 {
    let i = replica.leader_epoch_cache.partition_point(|(_, start)| *start <= offset);
    i.checked_sub(1).map_or(-1, |i| replica.leader_epoch_cache[i].0)
}

/// The batch holding `offset` and the batches before it (newest first, at most the lookback).
fn batches_back_from(replica: &Replica, offset: i64) -> impl Iterator<Item = &Arc<RecordBatch>> {
    replica
        .log
        .segments()
        .iter()
        .rev()
        .flat_map(|s| s.batches().iter().rev())
        .map(|stored| &stored.batch)
        .skip_while(move |b| b.base_offset > offset)
        .take(DUPLICATE_LOOKBACK + 1)
}

/// The base offset of an earlier batch with the same records (same timestamps, keys, values and
/// headers) as the batch at `base_offset`: the first copy a lost response made the producer resend.
/// An idempotent producer's batch carries a producer id, and the broker drops its retries.
fn first_copy(leader: &Replica, base_offset: i64) -> Option<i64> {
    let mut batches = batches_back_from(leader, base_offset);
    let acked = batches.next().filter(|b| b.base_offset == base_offset && b.producer_id < 0)?;
    batches
        .find(|b| {
            b.producer_id < 0
                && b.records.len() == acked.records.len()
                && b.base_timestamp == acked.base_timestamp
                && b.records.iter().zip(&acked.records).all(|(x, y)| x.record == y.record)
        })
        .map(|b| b.base_offset)
}

/// `map.entry(tp.clone()).or_default()`, cloning the name only the first time: the checks run
/// after every event, and a clone per partition per event was most of their cost.
pub(crate) fn partition_entry<'a, V: Default>(
    map: &'a mut BTreeMap<TopicPartition, V>,
    tp: &TopicPartition,
) -> &'a mut V {
    if !map.contains_key(tp) {
        map.insert(tp.clone(), V::default());
    }
    map.get_mut(tp).expect("inserted above")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_skips() {
        let tp = TopicPartition::new("t", 0);
        let mut l = DeliveryLedger::default();
        assert_eq!(l.record(1, "g", &tp, 0, 9), Findings::default());
        let again = l.record(2, "g", &tp, 5, 14);
        assert_eq!((again.duplicates, again.skipped), (5, 0));
        let gap = l.record(2, "g", &tp, 20, 21);
        assert_eq!((gap.duplicates, gap.skipped), (0, 5));
        assert_eq!(l.processed("g", &tp).and_then(|p| p.end()), Some(22));
        let g = l.processed("g", &tp).unwrap();
        assert!(
            g.contains(0) && g.contains(14) && !g.contains(15) && !g.contains(19) && g.contains(20) && !g.contains(22)
        );
        let other_group = l.record(3, "h", &tp, 0, 3);
        assert_eq!(other_group, Findings::default(), "groups are independent (pub/sub)");
        let fill = l.record(2, "g", &tp, 15, 19);
        assert_eq!((fill.duplicates, fill.skipped), (0, 0));
        assert_eq!(l.processed("g", &tp).map(|p| p.ranges.len()), Some(1));
    }

    /// A retry acknowledged as a duplicate takes the epoch of the answering leader's copy: here
    /// the leader of epoch 2 holds offset 0 from epoch 0 (fetched from a deposed leader), while
    /// the newest append at offset 0 was the epoch-1 leader's, which was then truncated away.
    #[test]
    fn a_duplicate_acknowledgement_takes_the_epoch_of_the_leaders_copy() {
        use crate::broker::replica::Replica;
        use crate::log::topic_config::TopicConfig;
        let tp = TopicPartition::new("t", 0);
        let mut leader = Replica::new(tp.clone(), TopicConfig::default(), vec![1, 2, 3], 0);
        leader.leader_epoch_cache = vec![(0, 0), (2, 1)];
        let mut audit = DeliveryAudit::default();
        let at = |leader| AuditContext { leader };
        let facts = [
            Fact::BatchAppended {
                topic_partition: tp.clone(),
                broker: 2,
                base_offset: 0,
                last_offset: 0,
                leader_epoch: 1,
            },
            Fact::DuplicateBatch {
                topic_partition: tp.clone(),
                broker: 3,
                producer_id: 7,
                base_sequence: 0,
                base_offset: 0,
            },
            Fact::ProduceAcked { producer: 1, topic_partition: tp.clone(), base_offset: 0, records: 1 },
            Fact::LogTruncated {
                topic_partition: tp.clone(),
                broker: 2,
                from_offset: 1,
                to_offset: 0,
                leader_epoch: 0,
            },
        ];
        for fact in &facts {
            let context = if matches!(fact, Fact::BatchAppended { .. }) { at(None) } else { at(Some(&leader)) };
            assert_eq!(audit.observe(fact, 10, context), Findings::default(), "{fact:?}");
        }
        assert_eq!(audit.lost(&tp).count(), 0);
    }

    /// After a consumer detects a truncation (KIP-320), the records at reused offsets are new.
    #[test]
    fn a_detected_truncation_forgets_the_offsets_above_it() {
        let tp = TopicPartition::new("t", 0);
        let mut l = DeliveryLedger::default();
        l.record(1, "g", &tp, 0, 9);
        l.record(1, "g", &tp, 12, 19);
        l.truncated(1, &tp, 5);
        assert_eq!(l.processed("g", &tp).and_then(|p| p.end()), Some(5));
        let again = l.record(1, "g", &tp, 5, 9);
        assert_eq!((again.duplicates, again.skipped), (0, 0));
    }
}
