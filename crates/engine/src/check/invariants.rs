//! Invariants that must hold after every event under any configuration, as in TigerBeetle's VOPR:
//! a violation is a bug in the simulator, never a legitimate Kafka outcome.

use crate::broker::replica::Replica;
use crate::cluster::World;
use crate::consumer::config::GroupProtocol;
use crate::consumer::MemberState;
use crate::delivery::partition_entry;
use crate::narration::Fact;
use crate::protocol::TopicPartition;
use crate::view::BrokerState;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many distinct violations are kept (the first ones matter).
const MAX_VIOLATIONS: usize = 50;

/// What the checker remembers of one partition.
#[derive(Debug, Clone, Default)]
struct PartitionSeen {
    /// The highest high watermark any leader has had.
    max_high_watermark: i64,
    /// Per broker: the last (leader epoch, high watermark) seen while it led.
    leader_high_watermarks: BTreeMap<i32, (i32, i64)>,
    /// Per broker: the offset up to which its log is verified as strictly increasing.
    verified_offsets: BTreeMap<i32, i64>,
    /// Per broker: the offset its log was last truncated to, and the leader epoch it followed.
    truncated_to: BTreeMap<i32, (i64, i32)>,
}

/// A share partition's record held under an acquisition lock on one leader (group, partition,
/// offset, leader): by whom, until when. Each leader keeps its own share partition, so a leader
/// that has not yet learned of its successor may hand out a record the new one hands out too,
/// as in Kafka; one leader never may.
type ShareHolders = BTreeMap<(String, TopicPartition, i64, i32), (String, u64)>;

#[derive(Debug, Clone, Default)]
pub struct InvariantChecker {
    partitions: BTreeMap<TopicPartition, PartitionSeen>,
    /// Share groups' acquired records, from the facts.
    share_holders: ShareHolders,
    /// Facts below this index have been read.
    facts_seen: u64,
    violations: BTreeSet<String>,
}

impl InvariantChecker {
    pub fn violations(&self) -> impl Iterator<Item = &String> {
        self.violations.iter()
    }

    pub fn is_clean(&self) -> bool {
        self.violations.is_empty()
    }

    fn violation(&mut self, at_ms: u64, what: String) {
        if self.violations.len() < MAX_VIOLATIONS {
            self.violations.insert(format!("t={at_ms}ms: {what}"));
        }
    }

    /// Checks every invariant against the world as it is now. It runs after every event, so
    /// it looks partitions up by reference and clones a name only the first time it meets it.
    pub fn check(&mut self, world: &World) {
        let now = world.now();
        let mut leaders: Vec<(&TopicPartition, i32, i32)> = Vec::new();
        let mut quorum_leaders: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
        let mut found = Vec::new();
        for broker in world.brokers().filter(|b| b.state != BrokerState::Dead) {
            if broker.raft.is_leader() {
                quorum_leaders.entry(broker.raft.durable.epoch).or_default().push(broker.id);
            }
            if broker.raft.durable.high_watermark > broker.raft.log_end_offset() {
                found.push(format!(
                    "broker {}: metadata high watermark {} > log end offset {}",
                    broker.id,
                    broker.raft.durable.high_watermark,
                    broker.raft.log_end_offset()
                ));
            }
            for (tp, replica) in &broker.durable.replicas {
                let leo = replica.log.log_end_offset();
                if replica.high_watermark > leo {
                    found.push(format!(
                        "{tp} on broker {}: high watermark {} > log end offset {leo}",
                        broker.id, replica.high_watermark
                    ));
                }
                let seen = partition_entry(&mut self.partitions, tp);
                if replica.leader == broker.id {
                    leaders.push((tp, replica.leader_epoch, broker.id));
                    let last =
                        seen.leader_high_watermarks.insert(broker.id, (replica.leader_epoch, replica.high_watermark));
                    if let Some((epoch, hw)) =
                        last.filter(|(epoch, hw)| *epoch == replica.leader_epoch && replica.high_watermark < *hw)
                    {
                        found.push(format!(
                            "{tp} on broker {}: high watermark moved back from {hw} to {} in leader epoch {epoch}",
                            broker.id, replica.high_watermark
                        ));
                    }
                    seen.max_high_watermark = seen.max_high_watermark.max(replica.high_watermark);
                }
                let verified = seen.verified_offsets.entry(broker.id).or_insert(-1);
                check_offsets_increase(broker.id, tp, replica, verified, &mut found);
            }
        }
        self.check_facts(world, &mut found);
        check_stable_owners(world, &mut found);
        check_consumer_group_owners(world, &mut found);
        leaders.sort_unstable();
        for pair in leaders.windows(2) {
            let ((tp, epoch, a), (next_tp, next_epoch, b)) = (pair[0], pair[1]);
            if tp == next_tp && epoch == next_epoch {
                found.push(format!("{tp}: brokers {a} and {b} both lead in leader epoch {epoch}"));
            }
        }
        for (epoch, brokers) in quorum_leaders {
            if brokers.len() > 1 {
                found.push(format!("metadata quorum: brokers {brokers:?} all lead epoch {epoch}"));
            }
        }
        for what in found {
            self.violation(now, what);
        }
    }

    /// The invariants read from the facts since the last check:
    /// - a committed offset is a position a consumer fetched to, so it never passes the highest
    ///   high watermark the partition has had (consumers that commit positions they fetched; a
    ///   learner's `seek` then commit may pass it, as Kafka allows);
    /// - a replica never truncates to the same offset twice in a row without new data in between
    ///   (its log still ends there) while following the same leader epoch: a truncation that left
    ///   the divergence in place, so the follower would repeat it on every fetch and never rejoin
    ///   the ISR (under a new leader epoch a new divergence check may legitimately find nothing);
    /// - no message reaches a node that does not serve it (`MessageMisrouted`);
    /// - a transaction's state changes only as Kafka's `TransactionState.validPreviousStates`
    ///   allows (a coordinator that reloaded the log continues from the state it read);
    /// - share groups (KIP-932): no leader hands a record to a second member while the first one
    ///   holds it (a lock ends with the member's acknowledgement, its release, its expiry, a new
    ///   partition leader or the leader's restart, either of which initialises the share
    ///   partition from `__share_group_state`, where an acquired record is available again), and
    ///   no record is delivered more than `group.share.delivery.count.limit` times.
    fn check_facts(&mut self, world: &World, found: &mut Vec<String>) {
        let limit = world.config().broker.share.delivery_count_limit;
        for fact in world.facts_since(self.facts_seen) {
            match &fact.fact {
                Fact::ShareRecordsAcquired { broker, group, member_id, topic_partition, records, lock_until } => {
                    for (offset, delivery_count) in records {
                        if *delivery_count > limit {
                            found.push(format!("share group {group}: {topic_partition} offset {offset} delivered {delivery_count} times, above group.share.delivery.count.limit {limit}"));
                        }
                        let key = (group.clone(), topic_partition.clone(), *offset, *broker);
                        let held = self.share_holders.insert(key, (member_id.clone(), *lock_until));
                        if let Some((holder, until)) = held.filter(|(_, until)| *until > fact.at_ms) {
                            found.push(format!("share group {group}: {topic_partition} offset {offset} acquired by {member_id} while {holder} held it until {until} ms"));
                        }
                    }
                }
                Fact::ShareRecordsAcknowledged { group, topic_partition, offsets, .. }
                | Fact::ShareLocksReleased { group, topic_partition, offsets, .. } => {
                    self.share_holders
                        .retain(|(g, tp, o, _), _| !(g == group && tp == topic_partition && offsets.contains(o)));
                }
                Fact::LeaderElected { topic_partition, .. } => {
                    self.share_holders.retain(|(_, tp, _, _), _| tp != topic_partition);
                }
                Fact::BrokerStarted { broker } | Fact::BrokerStopped { broker } => {
                    self.share_holders.retain(|(_, _, _, on), _| on != broker);
                }
                // A deleted topic's replicas are gone: a topic created later under the same name
                // starts a new log on that broker (the highest high watermark is kept, as a
                // member that still owns a deleted partition may commit its position once more).
                Fact::ReplicasDeleted { broker, topic, partitions } => {
                    for partition in partitions {
                        let tp = TopicPartition::new(topic.clone(), *partition);
                        let Some(seen) = self.partitions.get_mut(&tp) else { continue };
                        seen.leader_high_watermarks.remove(broker);
                        seen.verified_offsets.remove(broker);
                        seen.truncated_to.remove(broker);
                    }
                    self.share_holders.retain(|(_, tp, _, on), _| !(on == broker && tp.topic == *topic));
                }
                Fact::OffsetsCommitted { group, offsets, .. } => {
                    for (tp, offset) in offsets {
                        let max = self.partitions.get(tp).map_or(0, |p| p.max_high_watermark);
                        if *offset > max {
                            found.push(format!("group {group}: committed offset {offset} of {tp} is above every high watermark it had ({max})"));
                        }
                    }
                }
                Fact::LogTruncated { topic_partition, broker, from_offset, to_offset, .. } => {
                    let following = world
                        .broker(*broker)
                        .and_then(|b| b.durable.replicas.get(topic_partition))
                        .map_or(-1, |r| r.leader_epoch);
                    let seen = partition_entry(&mut self.partitions, topic_partition);
                    let previous = seen.truncated_to.insert(*broker, (*to_offset, following));
                    if previous == Some((*to_offset, following)) && from_offset == to_offset {
                        found.push(format!("{topic_partition} on broker {broker}: truncated to offset {to_offset} twice with no new data in between"));
                    }
                }
                Fact::MessageMisrouted { from, to, kind } => {
                    found.push(format!("a {kind} from {from} reached {to}, which does not serve it"));
                }
                Fact::TxnStateChanged { transactional_id, from, to, .. } if !to.valid_previous().contains(from) => {
                    found.push(format!(
                        "transaction {transactional_id}: {} → {} is not a valid transition",
                        from.name(),
                        to.name()
                    ));
                }
                _ => {}
            }
        }
        self.facts_seen = world.fact_count();
    }
}

/// Offsets strictly increase in every log. Only batches appended since the last check are
/// scanned, walking back from the log's end, so the check stays cheap after every event.
fn check_offsets_increase(
    broker: i32,
    tp: &TopicPartition,
    replica: &Replica,
    verified: &mut i64,
    found: &mut Vec<String>,
) {
    let leo = replica.log.log_end_offset();
    if *verified == leo - 1 {
        return;
    }
    let from = (*verified).min(leo - 1);
    let mut recent = Vec::new();
    'segments: for segment in replica.log.segments().iter().rev() {
        for stored in segment.batches().iter().rev() {
            recent.push(&stored.batch);
            if stored.batch.base_offset <= from {
                break 'segments;
            }
        }
    }
    let mut last = i64::MIN;
    for batch in recent.into_iter().rev() {
        for record in &batch.records {
            let offset = batch.offset_of(record);
            if offset <= last {
                found.push(format!("{tp} on broker {broker}: offset {offset} follows offset {last}"));
            }
            last = offset;
        }
    }
    *verified = leo - 1;
}

/// Consumer protocol (KIP-848): on a coordinator, a partition is assigned to (or being revoked
/// by) one member at most; a new owner gets it only once the old one released it.
fn check_consumer_group_owners(world: &World, found: &mut Vec<String>) {
    for broker in world.brokers().filter(|b| b.state != crate::broker::BrokerState::Dead) {
        for group in broker.volatile.group_coordinator.consumer_groups.values() {
            let mut owners: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
            for member in group.members.values() {
                for tp in member.assigned.iter().chain(&member.pending_revocation) {
                    if let Some(other) = owners.insert(tp, &member.member_id) {
                        found.push(format!(
                            "consumer group {} on broker {}: {tp} owned by members {other} and {}",
                            group.group_id, broker.id, member.member_id
                        ));
                    }
                }
            }
        }
    }
}

/// No partition is owned by two running members that are Stable in the same generation of a
/// group: one SyncGroup hands out each partition once. (Share groups share partitions on
/// purpose; their records are checked instead.)
fn check_stable_owners(world: &World, found: &mut Vec<String>) {
    let mut owners: BTreeMap<(&str, i32, &TopicPartition), u32> = BTreeMap::new();
    for consumer in world.consumers().filter(|c| {
        c.state == MemberState::Stable
            && world.consumer_running(c.id)
            && c.config.group_protocol != GroupProtocol::Share
    }) {
        for tp in &consumer.assignment {
            if let Some(other) = owners.insert((consumer.group_id(), consumer.generation_id, tp), consumer.id) {
                found.push(format!(
                    "group {}: {tp} owned by consumers {other} and {} in generation {}",
                    consumer.group_id(),
                    consumer.id,
                    consumer.generation_id
                ));
            }
        }
    }
}
