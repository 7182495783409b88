//! The consumer group protocol (KIP-848) on the coordinator: Kafka's `ConsumerGroup`,
//! `ConsumerGroupMember`, `CurrentAssignmentBuilder` and the consumer half of
//! `GroupMetadataManager` (`consumerGroupHeartbeat`).
//!
//! There is no join phase and no barrier. A change of membership or subscription bumps the
//! group epoch; the coordinator computes a target assignment with a server-side assignor; each
//! member then converges to its target on its own heartbeats. A member first revokes what moves
//! away (it keeps its epoch until its heartbeat no longer reports those partitions), and a
//! partition is handed to its new owner only once the old owner released it. Members whose
//! partitions do not move never stop.
//!
//! A live group converts between the protocols under `group.consumer.migration.policy`
//! (`migration.rs`): a joining consumer-protocol member upgrades a classic group, classic members
//! are served inside a consumer group, and the group downgrades once the last consumer-protocol
//! member is gone.
//!
//! Deviations: state changes are applied before their records commit; a failed write answers
//! with an error but is not rolled back (Kafka's timeline structures revert it). A known member
//! joining again with epoch 0 starts over with nothing assigned.

use super::{Completion, GroupCoordinator, OffsetsLog, Timer};
use crate::group::offsets::{
    self, ClassicMemberMetadata, ConsumerMemberMetadata, CoordinatorRecord, CurrentMemberAssignment,
};
use crate::group::server_assignor::{self, AssignmentMember, ServerAssignor};
use crate::narration::{Fact, RebalanceReason, ReconcileState, RemovalReason};
use crate::node::Outbox;
use crate::protocol::{ErrorCode, GroupMessage, TopicPartition};
use crate::sim::{Millis, NodeId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// `LEAVE_GROUP_MEMBER_EPOCH`.
pub const LEAVE_GROUP_MEMBER_EPOCH: i32 = -1;
/// `LEAVE_GROUP_STATIC_MEMBER_EPOCH`: a static member left and will come back.
pub const LEAVE_GROUP_STATIC_MEMBER_EPOCH: i32 = -2;

/// `ConsumerGroup.ConsumerGroupState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConsumerGroupState {
    Empty,
    /// The group epoch is ahead of the target assignment.
    Assigning,
    /// Some member has not reached the target assignment's epoch.
    Reconciling,
    Stable,
}

impl ConsumerGroupState {
    pub fn name(self) -> &'static str {
        match self {
            ConsumerGroupState::Empty => "Empty",
            ConsumerGroupState::Assigning => "Assigning",
            ConsumerGroupState::Reconciling => "Reconciling",
            ConsumerGroupState::Stable => "Stable",
        }
    }
}

/// `ConsumerGroupMember`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroupMember {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub client: NodeId,
    pub rebalance_timeout_ms: Millis,
    pub subscribed_topics: BTreeSet<String>,
    pub server_assignor: Option<ServerAssignor>,
    pub member_epoch: i32,
    pub previous_member_epoch: i32,
    pub state: ReconcileState,
    /// What the member may own now.
    pub assigned: BTreeSet<TopicPartition>,
    /// What it must give up before its epoch advances.
    pub pending_revocation: BTreeSet<TopicPartition>,
    /// Set while the member speaks the classic protocol (online migration).
    pub classic: Option<ClassicMemberMetadata>,
    session_token: u64,
    /// A classic member's pending JoinGroup or SyncGroup deadline (0: none).
    pub(super) rebalance_token: u64,
}

impl ConsumerGroupMember {
    pub(super) fn new(member_id: String, instance_id: Option<String>, client: NodeId) -> Self {
        ConsumerGroupMember {
            member_id,
            instance_id,
            client,
            rebalance_timeout_ms: 0,
            subscribed_topics: BTreeSet::new(),
            server_assignor: None,
            member_epoch: 0,
            previous_member_epoch: 0,
            state: ReconcileState::Stable,
            assigned: BTreeSet::new(),
            pending_revocation: BTreeSet::new(),
            classic: None,
            session_token: 0,
            rebalance_token: 0,
        }
    }

    pub(super) fn metadata(&self) -> ConsumerMemberMetadata {
        ConsumerMemberMetadata {
            instance_id: self.instance_id.clone(),
            client: self.client.to_string(),
            subscribed_topic_names: self.subscribed_topics.iter().cloned().collect(),
            server_assignor: self.server_assignor.map(|a| a.name().to_string()),
            rebalance_timeout_ms: self.rebalance_timeout_ms,
            classic_member_metadata: self.classic.clone(),
        }
    }

    pub(super) fn current_assignment(&self) -> CurrentMemberAssignment {
        CurrentMemberAssignment {
            member_epoch: self.member_epoch,
            previous_member_epoch: self.previous_member_epoch,
            state: self.state,
            assigned_partitions: self.assigned.iter().cloned().collect(),
            partitions_pending_revocation: self.pending_revocation.iter().cloned().collect(),
        }
    }

    /// `updateMemberEpoch`: the previous epoch is remembered for a lost response.
    fn set_epoch(&mut self, epoch: i32) {
        if epoch != self.member_epoch {
            self.previous_member_epoch = self.member_epoch;
            self.member_epoch = epoch;
        }
    }
}

/// `ConsumerGroup`.
#[derive(Debug, Clone, Default)]
pub struct ConsumerGroup {
    pub group_id: String,
    pub group_epoch: i32,
    pub members: BTreeMap<String, ConsumerGroupMember>,
    /// Partition counts of the subscribed topics when the group epoch last moved.
    pub(super) subscription_metadata: BTreeMap<String, i32>,
    pub target_assignment_epoch: i32,
    pub target_assignment: BTreeMap<String, BTreeSet<TopicPartition>>,
    /// The assignor of the last target assignment.
    pub assignor: Option<ServerAssignor>,
}

impl ConsumerGroup {
    pub(super) fn new(group_id: String) -> Self {
        ConsumerGroup { group_id, ..Default::default() }
    }

    pub fn state(&self) -> ConsumerGroupState {
        if self.members.is_empty() {
            ConsumerGroupState::Empty
        } else if self.target_assignment_epoch != self.group_epoch {
            ConsumerGroupState::Assigning
        } else if self
            .members
            .values()
            .any(|m| m.member_epoch != self.target_assignment_epoch || m.state != ReconcileState::Stable)
        {
            ConsumerGroupState::Reconciling
        } else {
            ConsumerGroupState::Stable
        }
    }

    /// Whether a member other than `member_id` still owns `tp` (`currentPartitionEpoch` != -1).
    pub(super) fn owned_by_other(&self, member_id: &str, tp: &TopicPartition) -> bool {
        self.members
            .values()
            .any(|m| m.member_id != member_id && (m.assigned.contains(tp) || m.pending_revocation.contains(tp)))
    }

    /// `computePreferredServerAssignor`: the assignor most members ask for, else the default.
    fn preferred_assignor(&self, configured: &[ServerAssignor]) -> ServerAssignor {
        let mut votes: BTreeMap<ServerAssignor, usize> = BTreeMap::new();
        for a in self.members.values().filter_map(|m| m.server_assignor) {
            *votes.entry(a).or_default() += 1;
        }
        let best = votes.values().copied().max().unwrap_or(0);
        configured
            .iter()
            .copied()
            .find(|a| best > 0 && votes.get(a) == Some(&best))
            .or(configured.first().copied())
            .unwrap_or(ServerAssignor::Uniform)
    }

    /// Every record that describes the group now, for a fresh write after a conversion.
    fn member_records(&self, member: &ConsumerGroupMember) -> Vec<CoordinatorRecord> {
        vec![
            CoordinatorRecord::ConsumerGroupMemberMetadata {
                group_id: self.group_id.clone(),
                member_id: member.member_id.clone(),
                value: Some(member.metadata()),
            },
            CoordinatorRecord::ConsumerGroupCurrentMemberAssignment {
                group_id: self.group_id.clone(),
                member_id: member.member_id.clone(),
                value: Some(member.current_assignment()),
            },
        ]
    }

    pub(super) fn tombstones(&self, member_id: &str) -> Vec<CoordinatorRecord> {
        let (group_id, member_id) = (self.group_id.clone(), member_id.to_string());
        vec![
            CoordinatorRecord::ConsumerGroupCurrentMemberAssignment {
                group_id: group_id.clone(),
                member_id: member_id.clone(),
                value: None,
            },
            CoordinatorRecord::ConsumerGroupTargetAssignmentMember {
                group_id: group_id.clone(),
                member_id: member_id.clone(),
                partitions: None,
            },
            CoordinatorRecord::ConsumerGroupMemberMetadata { group_id, member_id, value: None },
        ]
    }
}

/// `CurrentAssignmentBuilder.build`: the member's next state given the target assignment and
/// the partitions its heartbeat says it owns (None: not reported, so it may still own them).
pub fn reconcile(
    group: &ConsumerGroup,
    member: &ConsumerGroupMember,
    owned: Option<&BTreeSet<TopicPartition>>,
) -> ConsumerGroupMember {
    let owns_any = |partitions: &BTreeSet<TopicPartition>| owned.is_none_or(|o| !o.is_disjoint(partitions));
    match member.state {
        ReconcileState::Stable if member.member_epoch == group.target_assignment_epoch => member.clone(),
        ReconcileState::UnrevokedPartitions if owns_any(&member.pending_revocation) => member.clone(),
        _ => compute_next_assignment(group, member, owns_any),
    }
}

/// `CurrentAssignmentBuilder.computeNextAssignment`.
fn compute_next_assignment(
    group: &ConsumerGroup,
    member: &ConsumerGroupMember,
    owns_any: impl Fn(&BTreeSet<TopicPartition>) -> bool,
) -> ConsumerGroupMember {
    let target: BTreeSet<TopicPartition> = group
        .target_assignment
        .get(&member.member_id)
        .map(|t| t.iter().filter(|tp| member.subscribed_topics.contains(tp.topic.as_str())).cloned().collect())
        .unwrap_or_default();
    let assigned: BTreeSet<TopicPartition> = member.assigned.intersection(&target).cloned().collect();
    let pending_revocation: BTreeSet<TopicPartition> = member.assigned.difference(&assigned).cloned().collect();
    let mut has_unreleased = false;
    let mut pending_assignment = BTreeSet::new();
    for tp in target.difference(&assigned) {
        if group.owned_by_other(&member.member_id, tp) && !member.pending_revocation.contains(tp) {
            has_unreleased = true;
        } else {
            pending_assignment.insert(tp.clone());
        }
    }
    let mut next = member.clone();
    if !pending_revocation.is_empty() && owns_any(&pending_revocation) {
        next.state = ReconcileState::UnrevokedPartitions;
        next.assigned = assigned;
        next.pending_revocation = pending_revocation;
        return next;
    }
    next.assigned = assigned;
    next.assigned.extend(pending_assignment);
    next.pending_revocation.clear();
    next.state = if has_unreleased { ReconcileState::UnreleasedPartitions } else { ReconcileState::Stable };
    next.set_epoch(group.target_assignment_epoch);
    next
}

/// Why the group epoch moves when a member is removed.
pub(super) fn rebalance_reason(removal: RemovalReason) -> RebalanceReason {
    match removal {
        RemovalReason::SessionTimeout => RebalanceReason::SessionTimeout,
        RemovalReason::RevocationTimeout | RemovalReason::NotRejoined => RebalanceReason::RebalanceTimeout,
        RemovalReason::NotSynced => RebalanceReason::SyncTimeout,
        RemovalReason::LeaveGroup | RemovalReason::Fenced => RebalanceReason::MemberLeft,
    }
}

/// A ConsumerGroupHeartbeat as the coordinator handles it.
#[derive(Debug, Clone)]
pub struct HeartbeatRequest {
    pub client: NodeId,
    pub member_id: String,
    pub member_epoch: i32,
    pub instance_id: Option<String>,
    /// None: unchanged since the last heartbeat.
    pub rebalance_timeout_ms: Option<Millis>,
    pub subscribed_topic_names: Option<Vec<String>>,
    pub server_assignor: Option<String>,
    pub owned_partitions: Option<Vec<TopicPartition>>,
}

fn heartbeat_error(group_id: &str, member_id: &str, error: ErrorCode) -> GroupMessage {
    GroupMessage::ConsumerGroupHeartbeatResponse {
        group_id: group_id.to_string(),
        error,
        member_id: member_id.to_string(),
        member_epoch: -1,
        heartbeat_interval_ms: 0,
        assignment: None,
    }
}

/// What a heartbeat changed, to persist and narrate.
pub(super) struct Changes {
    pub(super) records: Vec<CoordinatorRecord>,
    pub(super) bump: Option<RebalanceReason>,
}

impl GroupCoordinator {
    /// After a member's update: bumps the group epoch if membership, subscriptions or topic
    /// metadata changed, recomputes the target, and reconciles the member given what it says it
    /// owns (`consumerGroupHeartbeat` steps 1 to 3, shared with a classic member's JoinGroup).
    /// Returns whether the member changed, and the member after.
    pub(super) fn settle_member(
        &mut self,
        group: &mut ConsumerGroup,
        member_id: &str,
        owned: Option<&BTreeSet<TopicPartition>>,
        changes: &mut Changes,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> (bool, ConsumerGroupMember) {
        let subscribed: BTreeSet<&String> = group.members.values().flat_map(|m| &m.subscribed_topics).collect();
        let metadata: BTreeMap<String, i32> =
            subscribed.into_iter().filter_map(|t| self.topic_partitions.get(t).map(|n| (t.clone(), *n))).collect();
        if metadata != group.subscription_metadata {
            group.subscription_metadata = metadata;
            changes.bump.get_or_insert(RebalanceReason::MetadataChanged);
        }
        if let Some(reason) = changes.bump {
            self.bump_group_epoch(group, reason, &mut changes.records, out);
        }
        if group.target_assignment_epoch < group.group_epoch {
            self.compute_target_assignment(group, &mut changes.records, out);
        }
        let before = group.members[member_id].clone();
        let after = reconcile(group, &before, owned);
        let changed = after != before;
        if changed {
            self.update_member(group, after.clone(), &mut changes.records, out);
            // A classic member has no revocation deadline: its JoinGroup and SyncGroup have theirs.
            if after.classic.is_none()
                && after.state == ReconcileState::UnrevokedPartitions
                && after.pending_revocation != before.pending_revocation
            {
                out.timer(
                    now + after.rebalance_timeout_ms.max(1),
                    Timer::Revocation {
                        group_id: group.group_id.clone(),
                        member_id: member_id.to_string(),
                        member_epoch: after.member_epoch,
                    },
                );
            }
        }
        (changed, after)
    }

    /// Replaces the coordinator's view of the topics (the broker's metadata image).
    pub fn set_topic_partitions(&mut self, topics: BTreeMap<String, i32>) {
        self.topic_partitions = topics;
    }

    pub(super) fn with_consumer_group<R>(
        &mut self,
        group_id: &str,
        f: impl FnOnce(&mut Self, &mut ConsumerGroup) -> R,
    ) -> Option<R> {
        let mut group = self.consumer_groups.remove(group_id)?;
        let result = f(self, &mut group);
        self.consumer_groups.insert(group_id.to_string(), group);
        Some(result)
    }

    pub(super) fn schedule_consumer_session(
        &mut self,
        group: &mut ConsumerGroup,
        member_id: &str,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let token = self.token();
        if let Some(member) = group.members.get_mut(member_id) {
            member.session_token = token;
            // A classic member keeps the session timeout of its JoinGroup.
            let timeout =
                member.classic.as_ref().map_or(self.config.group_consumer_session_timeout_ms, |c| c.session_timeout_ms);
            out.timer(
                now + timeout,
                Timer::ConsumerSession { group_id: group.group_id.clone(), member_id: member_id.to_string(), token },
            );
        }
    }

    pub(super) fn write_consumer_records(
        &mut self,
        group_id: &str,
        records: Vec<CoordinatorRecord>,
        completion: Completion,
        log: &mut dyn OffsetsLog,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let records = records.iter().map(|r| offsets::consumer_group_record(r, now as i64)).collect();
        self.write(group_id, records, completion, log, now, out);
    }

    /// `GroupMetadataManager.consumerGroupHeartbeat`.
    pub(super) fn consumer_group_heartbeat(
        &mut self,
        group_id: &str,
        request: HeartbeatRequest,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let client = request.client;
        let member_id = request.member_id.clone();
        if request.member_epoch == LEAVE_GROUP_MEMBER_EPOCH
            && self.is_coordinator_for(group_id)
            && self.downgrades_without(group_id, &member_id)
        {
            // `consumerGroupFenceMember`: the last consumer-protocol member leaves.
            let records = self.convert_to_classic_group(group_id, &member_id, RemovalReason::LeaveGroup, now, log, out);
            let response = GroupMessage::ConsumerGroupHeartbeatResponse {
                group_id: group_id.to_string(),
                error: ErrorCode::None,
                member_id: member_id.clone(),
                member_epoch: LEAVE_GROUP_MEMBER_EPOCH,
                heartbeat_interval_ms: 0,
                assignment: None,
            };
            let on_error = vec![(client, heartbeat_error(group_id, &member_id, ErrorCode::NotCoordinator))];
            let completion = Completion::Respond { messages: vec![(client, response)], on_error };
            self.write_consumer_records(group_id, records, completion, log, now, out);
            return;
        }
        let result = self.consumer_group_heartbeat_inner(group_id, request, now, out);
        match result {
            Err(error) => {
                self.reject(group_id, &member_id, "ConsumerGroupHeartbeat", error, out);
                out.send(client, heartbeat_error(group_id, &member_id, error));
            }
            Ok((response, records)) if records.is_empty() => out.send(client, response),
            Ok((response, records)) => {
                let on_error = match &response {
                    GroupMessage::ConsumerGroupHeartbeatResponse { member_id, .. } => {
                        vec![(client, heartbeat_error(group_id, member_id, ErrorCode::NotCoordinator))]
                    }
                    _ => Vec::new(),
                };
                let completion = Completion::Respond { messages: vec![(client, response)], on_error };
                self.write_consumer_records(group_id, records, completion, log, now, out);
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn consumer_group_heartbeat_inner(
        &mut self,
        group_id: &str,
        request: HeartbeatRequest,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<(GroupMessage, Vec<CoordinatorRecord>), ErrorCode> {
        if !self.is_coordinator_for(group_id) {
            return Err(ErrorCode::NotCoordinator);
        }
        if request.member_id.is_empty() {
            return Err(ErrorCode::UnknownMemberId);
        }
        let assignor = match &request.server_assignor {
            None => None,
            Some(name) => Some(
                name.parse::<ServerAssignor>()
                    .ok()
                    .filter(|a| self.config.group_consumer_assignors.contains(a))
                    .ok_or(ErrorCode::UnsupportedAssignor)?,
            ),
        };
        if request.member_epoch == LEAVE_GROUP_MEMBER_EPOCH || request.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH {
            return self.consumer_group_leave(group_id, &request, now, out);
        }
        let mut records = Vec::new();
        if let Some(classic) = self.groups.get(group_id) {
            // `getOrMaybeCreateConsumerGroup`: only a joining member converts a classic group; an
            // empty one is replaced, a live one upgraded when `validateOnlineUpgrade` allows.
            if request.member_epoch != 0 {
                return Err(ErrorCode::GroupIdNotFound);
            }
            if classic.members.is_empty() {
                self.groups.remove(group_id);
                records.push(CoordinatorRecord::GroupMetadata { group_id: group_id.to_string(), value: None });
                out.fact(Fact::GroupConverted { group: group_id.to_string(), to_consumer_protocol: true });
            } else if self.validate_online_upgrade(classic) {
                let classic = self.groups.remove(group_id).expect("found above");
                let group = self.convert_to_consumer_group(classic, &mut records, now, out);
                self.consumer_groups.insert(group_id.to_string(), group);
            } else {
                return Err(ErrorCode::GroupIdNotFound);
            }
        }
        if !self.consumer_groups.contains_key(group_id) {
            if request.member_epoch != 0 {
                return Err(ErrorCode::GroupIdNotFound);
            }
            self.consumer_groups.insert(group_id.to_string(), ConsumerGroup::new(group_id.to_string()));
        }
        self.with_consumer_group(group_id, |this, group| {
            let mut changes = Changes { records, bump: None };
            let member_id = this.join_or_validate(group, &request, &mut changes, out)?;
            let member = group.members.get_mut(&member_id).expect("joined or validated");
            member.client = request.client;
            if let Some(timeout) = request.rebalance_timeout_ms {
                member.rebalance_timeout_ms = timeout;
            }
            let mut metadata_changed = false;
            if let Some(topics) = &request.subscribed_topic_names {
                let topics: BTreeSet<String> = topics.iter().cloned().collect();
                if topics != member.subscribed_topics {
                    member.subscribed_topics = topics;
                    metadata_changed = true;
                }
            }
            if request.subscribed_topic_names.is_some() && assignor != member.server_assignor {
                member.server_assignor = assignor;
                metadata_changed = true;
            }
            if metadata_changed {
                changes.bump.get_or_insert(RebalanceReason::SubscriptionChanged);
                changes.records.push(CoordinatorRecord::ConsumerGroupMemberMetadata {
                    group_id: group_id.to_string(),
                    member_id: member_id.clone(),
                    value: Some(member.metadata()),
                });
            }
            let owned: Option<BTreeSet<TopicPartition>> =
                request.owned_partitions.as_ref().map(|o| o.iter().cloned().collect());
            let (changed, after) = this.settle_member(group, &member_id, owned.as_ref(), &mut changes, now, out);
            this.schedule_consumer_session(group, &member_id, now, out);
            let send_assignment =
                changed || request.member_epoch == 0 || owned.as_ref().is_some_and(|o| *o != after.assigned);
            let response = GroupMessage::ConsumerGroupHeartbeatResponse {
                group_id: group_id.to_string(),
                error: ErrorCode::None,
                member_id: member_id.clone(),
                member_epoch: after.member_epoch,
                heartbeat_interval_ms: this.config.group_consumer_heartbeat_interval_ms,
                assignment: send_assignment.then(|| after.assigned.iter().cloned().collect()),
            };
            Ok((response, changes.records))
        })
        .expect("the group was just ensured")
    }

    /// Finds or creates the heartbeat's member (`getOrMaybeCreateMember`, the static member
    /// rejoin, `throwIfMemberEpochIsInvalid`). Returns its member id.
    fn join_or_validate(
        &mut self,
        group: &mut ConsumerGroup,
        request: &HeartbeatRequest,
        changes: &mut Changes,
        out: &mut Outbox<Timer>,
    ) -> Result<String, ErrorCode> {
        let group_id = group.group_id.clone();
        if request.member_epoch != 0 {
            let member = group.members.get(&request.member_id).ok_or(ErrorCode::UnknownMemberId)?;
            if request.instance_id.is_some() && member.instance_id != request.instance_id {
                return Err(ErrorCode::FencedInstanceId);
            }
            let owned_subset =
                request.owned_partitions.as_ref().is_none_or(|o| o.iter().all(|tp| member.assigned.contains(tp)));
            let valid = request.member_epoch == member.member_epoch
                || (request.member_epoch == member.previous_member_epoch && owned_subset);
            return if valid { Ok(request.member_id.clone()) } else { Err(ErrorCode::FencedMemberEpoch) };
        }
        let previous = request.instance_id.as_ref().and_then(|instance| {
            group.members.values().find(|m| m.instance_id.as_ref() == Some(instance)).map(|m| m.member_id.clone())
        });
        match previous {
            Some(old_id) if old_id != request.member_id => {
                let old = group.members.remove(&old_id).expect("found above");
                if old.member_epoch != LEAVE_GROUP_STATIC_MEMBER_EPOCH {
                    group.members.insert(old_id, old);
                    return Err(ErrorCode::UnreleasedInstanceId);
                }
                // `consumerGroupStaticMemberRejoin`: the new member id takes the old one's place,
                // assignment and epoch; nothing moves.
                let mut member = old.clone();
                member.member_id = request.member_id.clone();
                member.client = request.client;
                member.member_epoch = old.previous_member_epoch.max(0);
                changes.records.extend(group.tombstones(&old_id));
                if let Some(target) = group.target_assignment.remove(&old_id) {
                    group.target_assignment.insert(member.member_id.clone(), target.clone());
                    changes.records.push(CoordinatorRecord::ConsumerGroupTargetAssignmentMember {
                        group_id: group_id.clone(),
                        member_id: member.member_id.clone(),
                        partitions: Some(target.into_iter().collect()),
                    });
                }
                changes.records.extend(group.member_records(&member));
                out.fact(Fact::StaticMemberReplaced {
                    group: group_id,
                    group_instance_id: request.instance_id.clone().unwrap_or_default(),
                    old_member_id: old_id,
                    new_member_id: member.member_id.clone(),
                    rebalance: false,
                });
                group.members.insert(member.member_id.clone(), member);
            }
            _ => {
                let mut member =
                    ConsumerGroupMember::new(request.member_id.clone(), request.instance_id.clone(), request.client);
                if let Some(old) = group.members.get(&request.member_id) {
                    // A static member coming back under its own id keeps its place.
                    if old.instance_id.is_some() && old.instance_id == request.instance_id {
                        member = old.clone();
                        member.member_epoch = old.previous_member_epoch.max(0);
                        member.previous_member_epoch = member.member_epoch;
                    }
                } else {
                    changes.bump = Some(RebalanceReason::MemberJoined);
                    out.fact(Fact::MemberJoined {
                        group: group_id.clone(),
                        member_id: request.member_id.clone(),
                        group_instance_id: request.instance_id.clone(),
                        coordinator: self.broker_id,
                    });
                }
                changes.records.extend(group.member_records(&member));
                group.members.insert(member.member_id.clone(), member);
            }
        }
        Ok(request.member_id.clone())
    }

    pub(super) fn bump_group_epoch(
        &mut self,
        group: &mut ConsumerGroup,
        reason: RebalanceReason,
        records: &mut Vec<CoordinatorRecord>,
        out: &mut Outbox<Timer>,
    ) {
        group.group_epoch += 1;
        records.push(CoordinatorRecord::ConsumerGroupMetadata {
            group_id: group.group_id.clone(),
            epoch: Some(group.group_epoch),
        });
        out.fact(Fact::GroupEpochBumped { group: group.group_id.clone(), group_epoch: group.group_epoch, reason });
    }

    /// `TargetAssignmentBuilder`: runs the assignor over the members' subscriptions, starting
    /// from the current target so it stays sticky.
    fn compute_target_assignment(
        &mut self,
        group: &mut ConsumerGroup,
        records: &mut Vec<CoordinatorRecord>,
        out: &mut Outbox<Timer>,
    ) {
        let assignor = group.preferred_assignor(&self.config.group_consumer_assignors);
        let members: Vec<AssignmentMember> = group
            .members
            .values()
            .map(|m| AssignmentMember {
                member_id: m.member_id.clone(),
                topics: m
                    .subscribed_topics
                    .iter()
                    .filter(|t| self.topic_partitions.contains_key(*t))
                    .cloned()
                    .collect(),
                current: group.target_assignment.get(&m.member_id).cloned().unwrap_or_default(),
            })
            .collect();
        let Ok(target) = server_assignor::assign(assignor, &self.topic_partitions, &members) else { return };
        for (member_id, partitions) in &target {
            if group.target_assignment.get(member_id) != Some(partitions) {
                records.push(CoordinatorRecord::ConsumerGroupTargetAssignmentMember {
                    group_id: group.group_id.clone(),
                    member_id: member_id.clone(),
                    partitions: Some(partitions.iter().cloned().collect()),
                });
            }
        }
        group.target_assignment = target;
        group.target_assignment_epoch = group.group_epoch;
        group.assignor = Some(assignor);
        records.push(CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata {
            group_id: group.group_id.clone(),
            assignment_epoch: Some(group.group_epoch),
        });
        out.fact(Fact::TargetAssignmentComputed {
            group: group.group_id.clone(),
            group_epoch: group.group_epoch,
            assignor: assignor.name(),
            assignment: group.target_assignment.iter().map(|(m, p)| (m.clone(), p.iter().cloned().collect())).collect(),
        });
    }

    pub(super) fn update_member(
        &mut self,
        group: &mut ConsumerGroup,
        member: ConsumerGroupMember,
        records: &mut Vec<CoordinatorRecord>,
        out: &mut Outbox<Timer>,
    ) {
        records.push(CoordinatorRecord::ConsumerGroupCurrentMemberAssignment {
            group_id: group.group_id.clone(),
            member_id: member.member_id.clone(),
            value: Some(member.current_assignment()),
        });
        out.fact(Fact::MemberReconciled {
            group: group.group_id.clone(),
            member_id: member.member_id.clone(),
            member_epoch: member.member_epoch,
            state: member.state,
            assigned: member.assigned.iter().cloned().collect(),
            pending_revocation: member.pending_revocation.iter().cloned().collect(),
        });
        group.members.insert(member.member_id.clone(), member);
    }

    /// A member leaves: a dynamic one is removed; a static one (epoch -2) keeps its partitions
    /// until its session times out, so it can come back without a reassignment.
    fn consumer_group_leave(
        &mut self,
        group_id: &str,
        request: &HeartbeatRequest,
        _now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<(GroupMessage, Vec<CoordinatorRecord>), ErrorCode> {
        let member_id = request.member_id.clone();
        self.with_consumer_group(group_id, |this, group| {
            if !group.members.contains_key(&member_id) {
                return Err(ErrorCode::UnknownMemberId);
            }
            let mut records = Vec::new();
            if request.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH && request.instance_id.is_some() {
                let member = group.members.get_mut(&member_id).expect("checked");
                member.set_epoch(LEAVE_GROUP_STATIC_MEMBER_EPOCH);
                let member = member.clone();
                records.push(CoordinatorRecord::ConsumerGroupCurrentMemberAssignment {
                    group_id: group_id.to_string(),
                    member_id: member_id.clone(),
                    value: Some(member.current_assignment()),
                });
            } else {
                records = this.remove_consumer_member(group, &member_id, RemovalReason::LeaveGroup, out);
            }
            let response = GroupMessage::ConsumerGroupHeartbeatResponse {
                group_id: group_id.to_string(),
                error: ErrorCode::None,
                member_id: member_id.clone(),
                member_epoch: request.member_epoch,
                heartbeat_interval_ms: 0,
                assignment: None,
            };
            Ok((response, records))
        })
        .unwrap_or(Err(ErrorCode::UnknownMemberId))
    }

    /// Removes a member and bumps the group epoch; its partitions are free at once.
    pub(super) fn remove_consumer_member(
        &mut self,
        group: &mut ConsumerGroup,
        member_id: &str,
        reason: RemovalReason,
        out: &mut Outbox<Timer>,
    ) -> Vec<CoordinatorRecord> {
        let mut records = group.tombstones(member_id);
        group.members.remove(member_id);
        group.target_assignment.remove(member_id);
        out.fact(Fact::MemberRemoved { group: group.group_id.clone(), member_id: member_id.to_string(), reason });
        self.bump_group_epoch(group, rebalance_reason(reason), &mut records, out);
        records
    }

    /// `consumerGroupFenceMember`: a member leaves or is fenced; the group is downgraded instead
    /// when only classic members would remain.
    pub(super) fn fence_consumer_member(
        &mut self,
        group_id: &str,
        member_id: &str,
        reason: RemovalReason,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) -> Vec<CoordinatorRecord> {
        if self.downgrades_without(group_id, member_id) {
            return self.convert_to_classic_group(group_id, member_id, reason, now, log, out);
        }
        self.with_consumer_group(group_id, |this, group| this.remove_consumer_member(group, member_id, reason, out))
            .unwrap_or_default()
    }

    /// A consumer member's session or revocation deadline passed: it is fenced.
    pub(super) fn consumer_timer(
        &mut self,
        timer: Timer,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let (group_id, member_id, reason) = match &timer {
            Timer::ConsumerSession { group_id, member_id, token } => {
                let live = self
                    .consumer_groups
                    .get(group_id)
                    .and_then(|g| g.members.get(member_id))
                    .is_some_and(|m| m.session_token == *token);
                if !live {
                    return;
                }
                (group_id.clone(), member_id.clone(), RemovalReason::SessionTimeout)
            }
            Timer::Revocation { group_id, member_id, member_epoch } => {
                let stuck =
                    self.consumer_groups.get(group_id).and_then(|g| g.members.get(member_id)).is_some_and(|m| {
                        m.member_epoch == *member_epoch && m.state == ReconcileState::UnrevokedPartitions
                    });
                if !stuck {
                    return;
                }
                (group_id.clone(), member_id.clone(), RemovalReason::RevocationTimeout)
            }
            _ => return,
        };
        let records = self.fence_consumer_member(&group_id, &member_id, reason, now, log, out);
        let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
        self.write_consumer_records(&group_id, records, completion, log, now, out);
    }

    /// `ConsumerGroup.validateOffsetCommit`: a member commits with its current epoch; an admin
    /// (no member, epoch -1) only while the group is empty.
    pub(super) fn validate_consumer_offset_commit(
        group: &ConsumerGroup,
        member_id: &str,
        member_epoch: i32,
    ) -> Result<(), ErrorCode> {
        if member_epoch < 0 && member_id.is_empty() {
            return if group.members.is_empty() { Ok(()) } else { Err(ErrorCode::UnknownMemberId) };
        }
        let member = group.members.get(member_id).ok_or(ErrorCode::UnknownMemberId)?;
        if member.member_epoch != member_epoch {
            // A classic member's generation is its member epoch, and it knows only this error.
            return Err(if member.classic.is_some() {
                ErrorCode::IllegalGeneration
            } else {
                ErrorCode::StaleMemberEpoch
            });
        }
        Ok(())
    }

    /// `ConsumerGroup.validateOffsetFetch` for a request that names a member (OffsetFetch v9+):
    /// the member must exist and fetch with its current epoch. A classic group, or no group,
    /// does not check members.
    pub(super) fn validate_consumer_offset_fetch(
        group: &ConsumerGroup,
        member_id: &str,
        member_epoch: i32,
    ) -> Result<(), ErrorCode> {
        let member = group.members.get(member_id).ok_or(ErrorCode::UnknownMemberId)?;
        if member.member_epoch != member_epoch {
            return Err(ErrorCode::StaleMemberEpoch);
        }
        Ok(())
    }

    /// A classic JoinGroup for an empty consumer group: it becomes classic
    /// (`classicGroupJoinToClassicGroup` writes the consumer group's tombstones). A live one
    /// serves the member itself (`classic_group_join_to_consumer_group`).
    pub(super) fn convert_empty_consumer_group(
        &mut self,
        group_id: &str,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        if !self.consumer_groups.get(group_id).is_some_and(|g| g.members.is_empty()) {
            return;
        }
        self.consumer_groups.remove(group_id);
        out.fact(Fact::GroupConverted { group: group_id.to_string(), to_consumer_protocol: false });
        let records = vec![
            CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata {
                group_id: group_id.to_string(),
                assignment_epoch: None,
            },
            CoordinatorRecord::ConsumerGroupMetadata { group_id: group_id.to_string(), epoch: None },
        ];
        let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
        self.write_consumer_records(group_id, records, completion, log, now, out);
    }
}

/// Rebuilds consumer groups from their records (`GroupMetadataManager.replay`).
#[derive(Debug, Default)]
pub(super) struct ConsumerGroupReplay {
    groups: BTreeMap<String, ConsumerGroup>,
}

impl ConsumerGroupReplay {
    fn group(&mut self, group_id: &str) -> &mut ConsumerGroup {
        self.groups.entry(group_id.to_string()).or_insert_with(|| ConsumerGroup::new(group_id.to_string()))
    }

    fn member<'a>(group: &'a mut ConsumerGroup, member_id: &str) -> &'a mut ConsumerGroupMember {
        group
            .members
            .entry(member_id.to_string())
            .or_insert_with(|| ConsumerGroupMember::new(member_id.to_string(), None, NodeId::Client(0)))
    }

    /// Applies one record; returns false for records that are not the consumer protocol's.
    pub(super) fn replay(&mut self, record: CoordinatorRecord) -> bool {
        match record {
            CoordinatorRecord::ConsumerGroupMetadata { group_id, epoch: Some(epoch) } => {
                self.group(&group_id).group_epoch = epoch;
            }
            CoordinatorRecord::ConsumerGroupMetadata { group_id, epoch: None } => {
                self.groups.remove(&group_id);
            }
            CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata { group_id, assignment_epoch: Some(epoch) } => {
                self.group(&group_id).target_assignment_epoch = epoch;
            }
            CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata { assignment_epoch: None, .. } => {}
            CoordinatorRecord::ConsumerGroupTargetAssignmentMember { group_id, member_id, partitions } => {
                let group = self.group(&group_id);
                match partitions {
                    Some(p) => {
                        group.target_assignment.insert(member_id, p.into_iter().collect());
                    }
                    None => {
                        group.target_assignment.remove(&member_id);
                    }
                }
            }
            CoordinatorRecord::ConsumerGroupMemberMetadata { group_id, member_id, value } => {
                let group = self.group(&group_id);
                match value {
                    Some(v) => {
                        let member = Self::member(group, &member_id);
                        member.instance_id = v.instance_id;
                        member.client = v.client.parse().unwrap_or(NodeId::Client(0));
                        member.subscribed_topics = v.subscribed_topic_names.into_iter().collect();
                        member.server_assignor = v.server_assignor.and_then(|a| a.parse().ok());
                        member.rebalance_timeout_ms = v.rebalance_timeout_ms;
                        member.classic = v.classic_member_metadata;
                    }
                    None => {
                        group.members.remove(&member_id);
                    }
                }
            }
            CoordinatorRecord::ConsumerGroupCurrentMemberAssignment { group_id, member_id, value } => {
                let group = self.group(&group_id);
                if let Some(v) = value {
                    let member = Self::member(group, &member_id);
                    member.member_epoch = v.member_epoch;
                    member.previous_member_epoch = v.previous_member_epoch;
                    member.state = v.state;
                    member.assigned = v.assigned_partitions.into_iter().collect();
                    member.pending_revocation = v.partitions_pending_revocation.into_iter().collect();
                }
            }
            CoordinatorRecord::OffsetCommit { .. } | CoordinatorRecord::GroupMetadata { .. } => return false,
        }
        true
    }

    /// The groups the log holds, each member with a fresh session from now.
    pub(super) fn finish(
        self,
        coordinator: &mut GroupCoordinator,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Vec<ConsumerGroup> {
        let mut groups: Vec<ConsumerGroup> = self.groups.into_values().collect();
        for group in &mut groups {
            let ids: Vec<String> = group.members.keys().cloned().collect();
            for id in ids {
                coordinator.schedule_consumer_session(group, &id, now, out);
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::super::{GroupCoordinatorConfig, InstantLog};
    use super::*;
    use crate::protocol::Message;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    fn set(ps: &[i32]) -> BTreeSet<TopicPartition> {
        ps.iter().map(|p| tp(*p)).collect()
    }

    struct Harness {
        c: GroupCoordinator,
        log: InstantLog,
        facts: Vec<Fact>,
        timers: Vec<Timer>,
    }

    /// What a heartbeat answered.
    #[derive(Debug)]
    struct Answer {
        error: ErrorCode,
        epoch: i32,
        assignment: Option<BTreeSet<TopicPartition>>,
    }

    impl Harness {
        fn new(partitions: i32) -> Self {
            let config = GroupCoordinatorConfig { offsets_topic_num_partitions: 1, ..Default::default() };
            let mut c = GroupCoordinator::new(1, config);
            let mut log = InstantLog::default();
            c.load(0, 0, std::iter::empty::<&crate::log::RecordBatch>(), 0, &mut log, &mut Outbox::default());
            c.set_topic_partitions([("t".to_string(), partitions)].into_iter().collect());
            Harness { c, log, facts: Vec::new(), timers: Vec::new() }
        }

        fn heartbeat(&mut self, member: &str, epoch: i32, owned: Option<&[i32]>) -> Answer {
            self.heartbeat_as(member, epoch, None, owned)
        }

        fn heartbeat_as(&mut self, member: &str, epoch: i32, instance: Option<&str>, owned: Option<&[i32]>) -> Answer {
            let mut out = Outbox::default();
            let request = HeartbeatRequest {
                client: NodeId::Client(7),
                member_id: member.into(),
                member_epoch: epoch,
                instance_id: instance.map(str::to_string),
                rebalance_timeout_ms: Some(30_000),
                subscribed_topic_names: (epoch == 0).then(|| vec!["t".to_string()]),
                server_assignor: None,
                owned_partitions: owned.map(|o| o.iter().map(|p| tp(*p)).collect()),
            };
            self.c.consumer_group_heartbeat("g", request, 0, &mut self.log, &mut out);
            self.c.complete_writes(|_| Some(i64::MAX), &mut out);
            self.facts.extend(out.facts);
            self.timers.extend(out.timers.into_iter().map(|(_, t)| t));
            match out.messages.pop() {
                Some((
                    _,
                    Message::Group(GroupMessage::ConsumerGroupHeartbeatResponse {
                        error,
                        member_epoch,
                        assignment,
                        ..
                    }),
                )) => Answer { error, epoch: member_epoch, assignment: assignment.map(|a| a.into_iter().collect()) },
                other => panic!("no heartbeat response: {other:?}"),
            }
        }

        fn member(&self, id: &str) -> &ConsumerGroupMember {
            &self.c.consumer_groups["g"].members[id]
        }
    }

    /// `GroupMetadataManagerTest.testConsumerGroupMemberEpochValidation` and
    /// `testMemberJoinsEmptyConsumerGroup`: joining bumps the group epoch; the member gets the
    /// target at once when nobody else owns it.
    #[test]
    fn a_first_member_joins_and_gets_everything() {
        let mut h = Harness::new(3);
        let a = h.heartbeat("A", 0, Some(&[]));
        assert_eq!((a.error, a.epoch), (ErrorCode::None, 1));
        assert_eq!(a.assignment, Some(set(&[0, 1, 2])));
        assert_eq!(h.c.consumer_groups["g"].group_epoch, 1);
        assert_eq!(h.c.consumer_groups["g"].state(), ConsumerGroupState::Stable);
        // Epoch checks: ahead is fenced, unknown is unknown, the previous epoch with a subset passes.
        assert_eq!(h.heartbeat("A", 2, None).error, ErrorCode::FencedMemberEpoch);
        assert_eq!(h.heartbeat("Z", 1, None).error, ErrorCode::UnknownMemberId);
        assert_eq!(h.heartbeat("A", 1, Some(&[0, 1, 2])).error, ErrorCode::None);
    }

    /// `OffsetMetadataManagerTest.testConsumerGroupOffsetFetchWithStaleMemberEpoch` and
    /// `testConsumerGroupOffsetFetchWithUnknownMemberId`: an OffsetFetch naming a member (v9+)
    /// needs a known member at its current epoch; one naming nobody is served.
    #[test]
    fn an_offset_fetch_from_a_member_checks_its_epoch() {
        let mut h = Harness::new(3);
        assert_eq!(h.heartbeat("A", 0, Some(&[])).epoch, 1);
        let mut fetch = |member: Option<(&str, i32)>| {
            let mut out = Outbox::default();
            let request = GroupMessage::OffsetFetchRequest {
                group_id: "g".into(),
                partitions: vec![tp(0)],
                member: member.map(|(m, e)| (m.to_string(), e)),
            };
            assert!(h.c.on_message(NodeId::Client(7), request, 0, &mut h.log, &mut out).is_none());
            match out.messages.pop() {
                Some((_, Message::Group(GroupMessage::OffsetFetchResponse { error, .. }))) => error,
                other => panic!("no offset fetch response: {other:?}"),
            }
        };
        assert_eq!(fetch(Some(("A", 1))), ErrorCode::None);
        assert_eq!(fetch(Some(("A", 0))), ErrorCode::StaleMemberEpoch);
        assert_eq!(fetch(Some(("Z", 1))), ErrorCode::UnknownMemberId);
        assert_eq!(fetch(None), ErrorCode::None);
    }

    /// A heartbeat without a rebalance timeout (Kafka's -1) keeps the member's.
    #[test]
    fn an_unchanged_rebalance_timeout_is_kept() {
        let mut h = Harness::new(3);
        h.heartbeat("A", 0, Some(&[]));
        let mut out = Outbox::default();
        let request = HeartbeatRequest {
            client: NodeId::Client(7),
            member_id: "A".into(),
            member_epoch: 1,
            instance_id: None,
            rebalance_timeout_ms: None,
            subscribed_topic_names: None,
            server_assignor: None,
            owned_partitions: None,
        };
        h.c.consumer_group_heartbeat("g", request, 0, &mut h.log, &mut out);
        assert_eq!(h.member("A").rebalance_timeout_ms, 30_000);
    }

    /// `CurrentAssignmentBuilderTest.testStableToUnrevokedPartitions` and
    /// `testUnrevokedPartitionsToStable`, `testUnreleasedPartitionsToStable`: a moving partition
    /// is revoked first; its new owner waits in UNRELEASED_PARTITIONS and gets it only after the
    /// old owner's heartbeat stops reporting it.
    #[test]
    fn revocation_comes_before_reassignment() {
        let mut h = Harness::new(4);
        h.heartbeat("A", 0, Some(&[]));
        let b = h.heartbeat("B", 0, Some(&[]));
        assert_eq!(b.epoch, 2, "B joins in the new target epoch");
        assert_eq!(b.assignment, Some(BTreeSet::new()), "its partitions are still A's");
        assert_eq!(h.member("B").state, ReconcileState::UnreleasedPartitions);
        // A learns what to revoke and keeps its epoch.
        let a = h.heartbeat("A", 1, Some(&[0, 1, 2, 3]));
        assert_eq!(a.epoch, 1);
        assert_eq!(h.member("A").state, ReconcileState::UnrevokedPartitions);
        let keep = a.assignment.clone().unwrap();
        assert_eq!(keep.len(), 2);
        let moving: BTreeSet<TopicPartition> = set(&[0, 1, 2, 3]).difference(&keep).cloned().collect();
        assert_eq!(h.member("A").pending_revocation, moving);
        // B asks again: still A's.
        assert_eq!(h.heartbeat("B", 2, Some(&[])).assignment, None);
        // A acknowledges: owned = kept. It advances to epoch 2.
        let owned: Vec<i32> = keep.iter().map(|t| t.partition).collect();
        let a = h.heartbeat("A", 1, Some(&owned));
        assert_eq!((a.epoch, h.member("A").state), (2, ReconcileState::Stable));
        // Now B gets the released partitions.
        let b = h.heartbeat("B", 2, Some(&[]));
        assert_eq!(b.assignment, Some(moving));
        assert_eq!(h.c.consumer_groups["g"].state(), ConsumerGroupState::Stable);
        // A member at an older epoch that is not its previous one is fenced.
        assert_eq!(h.heartbeat("B", 1, Some(&[])).error, ErrorCode::FencedMemberEpoch);
    }

    /// Leaving (-1) frees the partitions and bumps the epoch; a static member's -2 keeps them
    /// for its rejoin, and a second instance with the same id is refused meanwhile.
    #[test]
    fn leaving_and_static_members() {
        let mut h = Harness::new(2);
        h.heartbeat_as("A", 0, Some("i-a"), Some(&[]));
        assert_eq!(h.heartbeat_as("A2", 0, Some("i-a"), Some(&[])).error, ErrorCode::UnreleasedInstanceId);
        assert_eq!(h.heartbeat_as("A", -2, Some("i-a"), None).epoch, -2);
        assert_eq!(h.member("A").assigned, set(&[0, 1]), "kept for the rejoin");
        let back = h.heartbeat_as("A2", 0, Some("i-a"), Some(&[]));
        assert_eq!((back.error, back.epoch), (ErrorCode::None, 1));
        assert_eq!(back.assignment, Some(set(&[0, 1])), "the same partitions, no rebalance");
        assert!(!h.c.consumer_groups["g"].members.contains_key("A"));
        let epoch = h.c.consumer_groups["g"].group_epoch;
        assert_eq!(h.heartbeat("A2", -1, None).error, ErrorCode::None);
        assert!(h.c.consumer_groups["g"].members.is_empty());
        assert_eq!(h.c.consumer_groups["g"].group_epoch, epoch + 1);
        assert_eq!(h.heartbeat("A2", -1, None).error, ErrorCode::UnknownMemberId);
    }

    /// `testRevocationTimeoutLifecycle` and `testSessionTimeoutLifecycle`: a member that does not
    /// revoke within its rebalance timeout is fenced, and a silent one is removed at its session
    /// timeout; either way the group epoch moves and the partitions go to the others.
    #[test]
    fn timeouts_fence_members() {
        let mut h = Harness::new(4);
        h.heartbeat("A", 0, Some(&[]));
        h.heartbeat("B", 0, Some(&[]));
        h.heartbeat("A", 1, Some(&[0, 1, 2, 3]));
        assert_eq!(h.member("A").state, ReconcileState::UnrevokedPartitions);
        let revocation = h.timers.iter().rev().find(|t| matches!(t, Timer::Revocation { .. })).cloned().unwrap();
        let epoch = h.c.consumer_groups["g"].group_epoch;
        let mut out = Outbox::default();
        h.c.on_timer(revocation, 30_000, &mut h.log, &mut out);
        assert!(out
            .facts
            .iter()
            .any(|f| matches!(f, Fact::MemberRemoved { reason: RemovalReason::RevocationTimeout, .. })));
        assert!(!h.c.consumer_groups["g"].members.contains_key("A"));
        assert_eq!(h.c.consumer_groups["g"].group_epoch, epoch + 1);
        let b = h.heartbeat("B", 2, Some(&[]));
        assert_eq!(b.assignment, Some(set(&[0, 1, 2, 3])), "A's partitions are free at once");
        // B goes silent: only its newest session timer removes it.
        let sessions: Vec<Timer> = h
            .timers
            .iter()
            .filter(|t| matches!(t, Timer::ConsumerSession { member_id, .. } if member_id == "B"))
            .cloned()
            .collect();
        let mut out = Outbox::default();
        h.c.on_timer(sessions[0].clone(), 45_000, &mut h.log, &mut out);
        assert!(h.c.consumer_groups["g"].members.contains_key("B"), "a stale session timer does nothing");
        h.c.on_timer(sessions.last().unwrap().clone(), 45_000, &mut h.log, &mut out);
        assert!(out
            .facts
            .iter()
            .any(|f| matches!(f, Fact::MemberRemoved { reason: RemovalReason::SessionTimeout, .. })));
        assert_eq!(h.c.consumer_groups["g"].state(), ConsumerGroupState::Empty);
    }

    /// Records replayed on a new coordinator rebuild epochs, targets and current assignments.
    #[test]
    fn the_group_is_replayed_from_its_records() {
        let mut h = Harness::new(4);
        h.heartbeat("A", 0, Some(&[]));
        h.heartbeat("B", 0, Some(&[]));
        h.heartbeat("A", 1, Some(&[0, 1, 2, 3]));
        let before = h.c.consumer_groups["g"].clone();
        let records = h.log.0.clone();
        let mut c = GroupCoordinator::new(2, h.c.config.clone());
        let mut log = InstantLog::default();
        let batch = crate::log::RecordBatch::new(records);
        c.load(0, 1, std::iter::once(&batch), 0, &mut log, &mut Outbox::default());
        let after = &c.consumer_groups["g"];
        assert_eq!(after.group_epoch, before.group_epoch);
        assert_eq!(after.target_assignment_epoch, before.target_assignment_epoch);
        assert_eq!(after.target_assignment, before.target_assignment);
        for (id, m) in &before.members {
            let r = &after.members[id];
            assert_eq!(
                (r.member_epoch, r.state, &r.assigned, &r.pending_revocation),
                (m.member_epoch, m.state, &m.assigned, &m.pending_revocation)
            );
        }
    }

    /// `testConsumerGroupHeartbeatToClassicGroup`-style refusal of a rejoin with a member epoch,
    /// and the empty-group conversion. (Live groups: `migration.rs`.)
    #[test]
    fn an_empty_classic_group_is_replaced() {
        let mut h = Harness::new(2);
        h.c.groups.insert("g".into(), super::super::classic::ClassicGroup::new("g".into()));
        assert_eq!(h.heartbeat("A", 3, Some(&[])).error, ErrorCode::GroupIdNotFound, "only a join converts");
        let a = h.heartbeat("A", 0, Some(&[]));
        assert_eq!(a.error, ErrorCode::None, "an empty classic group is converted");
        assert!(h.facts.iter().any(|f| matches!(f, Fact::GroupConverted { to_consumer_protocol: true, .. })));
    }
}
