//! What happened in a run, in the numbers a lesson ends on: records acknowledged, lost and
//! duplicated, how long partitions had no leader, and how long consumer groups paused to
//! rebalance. The app's end-of-scenario summary and `kafkalab run` print the same numbers.

use crate::cluster::World;
use crate::narration::Fact;
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Records the producers were told are written.
    pub records_acked: u64,
    /// Records the producers gave up on (retries or delivery timeout exhausted).
    pub records_failed: u64,
    /// Acknowledged records no longer at their offset on the partition's current leader.
    pub acked_lost: u64,
    /// Records written more than once: the same key and value twice in a partition's log
    /// (a retried batch without idempotence).
    pub duplicates_in_log: u64,
    /// Records a consumer group processed again (at-least-once), from the delivery ledger.
    pub duplicates_processed: u64,
    /// Records a group's position passed without processing them (at-most-once).
    pub skipped: u64,
    /// Partition-milliseconds with no leader (`leader_elected` with leader -1 until the next
    /// election), summed over partitions.
    pub leaderless_ms: Millis,
    /// Partitions that were without a leader at some point.
    pub leaderless_partitions: usize,
    /// Rebalances that completed (a group from the start of a rebalance to a stable generation).
    pub rebalances: usize,
    /// The longest of them: how long the group's consumers waited for their assignment.
    pub longest_rebalance_ms: Millis,
    /// All of them together.
    pub rebalance_pause_ms: Millis,
    /// The summary reads the facts the world still keeps: from this time on.
    pub facts_from_ms: Millis,
}

/// The summary of the run so far (the world's state and its kept fact history).
pub fn summary(world: &World) -> Summary {
    let mut leaderless_since: BTreeMap<TopicPartition, Millis> = BTreeMap::new();
    let mut leaderless: BTreeSet<TopicPartition> = BTreeSet::new();
    let mut leaderless_ms = 0;
    let mut rebalancing_since: BTreeMap<&str, Millis> = BTreeMap::new();
    let (mut rebalances, mut longest, mut total) = (0, 0, 0);
    for f in world.facts() {
        match &f.fact {
            Fact::LeaderElected { topic_partition, leader, .. } => {
                if let Some(since) = leaderless_since.remove(topic_partition) {
                    leaderless_ms += f.at_ms - since;
                }
                if *leader < 0 {
                    leaderless_since.insert(topic_partition.clone(), f.at_ms);
                    leaderless.insert(topic_partition.clone());
                }
            }
            Fact::RebalanceStarted { group, .. } => {
                rebalancing_since.entry(group.as_str()).or_insert(f.at_ms);
            }
            Fact::GenerationStable { group, .. } => {
                if let Some(since) = rebalancing_since.remove(group.as_str()) {
                    let pause = f.at_ms - since;
                    rebalances += 1;
                    longest = longest.max(pause);
                    total += pause;
                }
            }
            _ => {}
        }
    }
    leaderless_ms += leaderless_since.values().map(|since| world.now() - since).sum::<Millis>();
    Summary {
        records_acked: world.producers().map(|p| p.acked_records).sum(),
        records_failed: world.producers().map(|p| p.failed_records).sum(),
        acked_lost: acked_lost(world),
        duplicates_in_log: duplicates_in_log(world),
        duplicates_processed: world.consumers().map(|c| c.duplicates).sum(),
        skipped: world.consumers().map(|c| c.skipped).sum(),
        leaderless_ms,
        leaderless_partitions: leaderless.len(),
        rebalances,
        longest_rebalance_ms: longest,
        rebalance_pause_ms: total,
        facts_from_ms: world.facts().next().filter(|f| f.index > 0).map_or(0, |f| f.at_ms),
    }
}

/// A record's key and value, borrowed from a log.
type KeyValue<'w> = (Option<&'w [u8]>, Option<&'w [u8]>);

/// A partition's log on its current leader: its records by offset, log start and end offsets.
struct LeaderLog<'w> {
    records: BTreeMap<i64, KeyValue<'w>>,
    log_start_offset: i64,
    log_end_offset: i64,
}

fn leader_log<'w>(world: &'w World, tp: &TopicPartition) -> LeaderLog<'w> {
    let leader = world.metadata().partitions().find(|(p, _)| p == tp).map_or(-1, |(_, r)| r.leader);
    let Some(replica) = world.broker(leader).and_then(|b| b.durable.replicas.get(tp)) else {
        return LeaderLog { records: BTreeMap::new(), log_start_offset: 0, log_end_offset: 0 };
    };
    let records = replica
        .log
        .batches()
        .flat_map(|stored| {
            stored
                .batch
                .records
                .iter()
                .map(|x| (stored.batch.offset_of(x), (x.record.key.as_deref(), x.record.value.as_deref())))
        })
        .collect();
    LeaderLog {
        records,
        log_start_offset: replica.log.log_start_offset(),
        log_end_offset: replica.log.log_end_offset(),
    }
}

/// Acknowledged records (acks 1 or all) gone from their offset on the current leader: beyond its
/// log end (truncated) or replaced by another record. Retention (below the log start offset) and
/// compaction (a gap inside the log) remove records by design and are not counted.
fn acked_lost(world: &World) -> u64 {
    let mut logs = BTreeMap::new();
    let mut lost = 0;
    for record in world.producers().flat_map(|p| p.acked_log.iter().flatten()).filter(|r| r.offset >= 0) {
        let log = logs.entry(&record.topic_partition).or_insert_with(|| leader_log(world, &record.topic_partition));
        let gone = match log.records.get(&record.offset) {
            Some(stored) => *stored != (record.key.as_deref(), record.value.as_deref()),
            None => record.offset >= log.log_end_offset,
        };
        if gone && record.offset >= log.log_start_offset {
            lost += 1;
        }
    }
    lost
}

/// Records of the learner's topics (not `__consumer_offsets`) whose key and value appear more
/// than once in their partition's log; tombstones are left out.
fn duplicates_in_log(world: &World) -> u64 {
    let metadata = world.metadata();
    let partitions: Vec<TopicPartition> =
        metadata.partitions().map(|(tp, _)| tp).filter(|tp| !tp.topic.starts_with("__")).collect();
    partitions
        .iter()
        .map(|tp| {
            let mut seen = BTreeSet::new();
            leader_log(world, tp)
                .records
                .into_values()
                .filter(|(_, v)| v.is_some())
                .filter(|r| !seen.insert(*r))
                .count() as u64
        })
        .sum()
}
