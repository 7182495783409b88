//! What each consumer group went through, read from facts: its generations (members, the
//! assignment, revocations) for a rebalance swimlane, and the last committed offset of every
//! partition, which stays known while the coordinator is unavailable.

use crate::narration::{Fact, RebalanceReason, ReconcileState};
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// Per group, at most this many generations are kept (the newest).
const GENERATIONS_KEPT: usize = 64;

/// One generation of a group, from the rebalance that led to it to the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenerationHistory {
    pub generation_id: i32,
    /// When the rebalance that ended in this generation began (None: not seen).
    pub rebalance_started_ms: Option<Millis>,
    pub reason: Option<RebalanceReason>,
    /// When the join phase ended.
    pub joined_at_ms: Millis,
    /// When the leader's assignment was sent (None while syncing).
    pub stable_at_ms: Option<Millis>,
    /// The assignor the group voted for.
    pub protocol_name: Option<String>,
    pub leader: String,
    /// Member ids with their partitions (empty until stable).
    pub assignment: Vec<(String, Vec<TopicPartition>)>,
    /// Partitions consumers gave up in the rebalance that led here (eager: all of them) or while
    /// this generation was current (cooperative: only those that move; lost members).
    pub revoked: Vec<Revocation>,
    /// Consumer protocol (KIP-848): this is a group epoch and its target assignment; members
    /// reconcile towards it one by one and nobody stops (`stable_at_ms`: all have reached it).
    pub incremental: bool,
}

/// A consumer gave up partitions: revoked in a rebalance, or lost (fenced, expired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revocation {
    pub consumer: u32,
    pub at_ms: Millis,
    pub partitions: Vec<TopicPartition>,
    /// Lost without a chance to commit, rather than revoked.
    pub lost: bool,
}

/// A committed offset and when it was replicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommittedOffset {
    pub offset: i64,
    pub at_ms: Millis,
}

#[derive(Debug, Clone, Default)]
struct GroupRecord {
    generations: VecDeque<GenerationHistory>,
    /// A rebalance began and no join completed yet.
    pending: Option<(Millis, RebalanceReason)>,
    /// Revocations seen since the last generation was recorded.
    pending_revoked: Vec<Revocation>,
    /// Consumer protocol: members that reached the current target epoch.
    reconciled: Vec<String>,
    committed: BTreeMap<TopicPartition, CommittedOffset>,
}

/// Every group's history, part of the world's state.
#[derive(Debug, Clone, Default)]
pub struct GroupHistory {
    groups: BTreeMap<String, GroupRecord>,
}

impl GroupHistory {
    pub(crate) fn observe(&mut self, fact: &Fact, now: Millis) {
        match fact {
            Fact::RebalanceStarted { group, reason, .. } => {
                self.group(group).pending = Some((now, *reason));
            }
            Fact::JoinCompleted { group, generation_id, protocol_name, leader, .. } => {
                let g = self.group(group);
                let started = g.pending.take();
                if g.generations.len() == GENERATIONS_KEPT {
                    g.generations.pop_front();
                }
                g.generations.push_back(GenerationHistory {
                    generation_id: *generation_id,
                    rebalance_started_ms: started.map(|(at, _)| at),
                    reason: started.map(|(_, reason)| reason),
                    joined_at_ms: now,
                    stable_at_ms: None,
                    protocol_name: protocol_name.clone(),
                    leader: leader.clone(),
                    assignment: Vec::new(),
                    revoked: std::mem::take(&mut g.pending_revoked),
                    incremental: false,
                });
            }
            Fact::GroupEpochBumped { group, reason, .. } => {
                let g = self.group(group);
                g.pending.get_or_insert((now, *reason));
            }
            Fact::TargetAssignmentComputed { group, group_epoch, assignor, assignment } => {
                let g = self.group(group);
                let started = g.pending.take();
                if g.generations.len() == GENERATIONS_KEPT {
                    g.generations.pop_front();
                }
                g.reconciled.clear();
                g.generations.push_back(GenerationHistory {
                    generation_id: *group_epoch,
                    rebalance_started_ms: started.map(|(at, _)| at),
                    reason: started.map(|(_, reason)| reason),
                    joined_at_ms: now,
                    stable_at_ms: None,
                    protocol_name: Some(assignor.to_string()),
                    leader: String::new(),
                    assignment: assignment.clone(),
                    revoked: std::mem::take(&mut g.pending_revoked),
                    incremental: true,
                });
            }
            Fact::MemberReconciled { group, member_id, member_epoch, state: ReconcileState::Stable, .. } => {
                let g = self.group(group);
                let Some(current) = g.generations.back_mut().filter(|c| c.incremental) else { return };
                if current.generation_id != *member_epoch || current.stable_at_ms.is_some() {
                    return;
                }
                if !g.reconciled.contains(member_id) {
                    g.reconciled.push(member_id.clone());
                }
                if current.assignment.iter().all(|(m, _)| g.reconciled.contains(m)) {
                    current.stable_at_ms = Some(now);
                }
            }
            Fact::GenerationStable { group, generation_id, assignment } => {
                let g = self.group(group);
                if let Some(generation) = g.generations.iter_mut().rev().find(|x| x.generation_id == *generation_id) {
                    generation.stable_at_ms = Some(now);
                    generation.assignment = assignment.clone();
                }
            }
            Fact::PartitionsRevoked { consumer, group, partitions } if !partitions.is_empty() => {
                let revocation =
                    Revocation { consumer: *consumer, at_ms: now, partitions: partitions.clone(), lost: false };
                self.revoked(group, revocation);
            }
            Fact::PartitionsLost { consumer, group, partitions, .. } if !partitions.is_empty() => {
                let revocation =
                    Revocation { consumer: *consumer, at_ms: now, partitions: partitions.clone(), lost: true };
                self.revoked(group, revocation);
            }
            Fact::OffsetsCommitted { group, offsets, .. } => {
                let g = self.group(group);
                for (tp, offset) in offsets {
                    g.committed.insert(tp.clone(), CommittedOffset { offset: *offset, at_ms: now });
                }
            }
            _ => {}
        }
    }

    fn group(&mut self, group: &str) -> &mut GroupRecord {
        if !self.groups.contains_key(group) {
            self.groups.insert(group.to_string(), GroupRecord::default());
        }
        self.groups.get_mut(group).expect("inserted above")
    }

    /// A revocation during a rebalance belongs to the generation that rebalance leads to; one
    /// outside a rebalance (cooperative's second round, a lost member) to the current one.
    fn revoked(&mut self, group: &str, revocation: Revocation) {
        let g = self.group(group);
        match g.generations.back_mut().filter(|_| g.pending.is_none()) {
            Some(current) => current.revoked.push(revocation),
            None => g.pending_revoked.push(revocation),
        }
    }

    /// The groups seen so far, by id.
    pub fn group_ids(&self) -> impl Iterator<Item = &str> {
        self.groups.keys().map(String::as_str)
    }

    /// A group's kept generations, oldest first.
    pub fn generations(&self, group: &str) -> impl Iterator<Item = &GenerationHistory> {
        self.groups.get(group).into_iter().flat_map(|g| g.generations.iter())
    }

    /// Whether a rebalance of the group is under way (started, join not completed).
    pub fn rebalancing_since(&self, group: &str) -> Option<Millis> {
        self.groups.get(group).and_then(|g| g.pending.map(|(at, _)| at))
    }

    /// The last offsets committed for the group, by partition.
    pub fn committed(&self, group: &str) -> impl Iterator<Item = (&TopicPartition, &CommittedOffset)> {
        self.groups.get(group).into_iter().flat_map(|g| g.committed.iter())
    }
}
