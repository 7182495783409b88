//! Online migration between the classic and the consumer protocol (Kafka 4.x,
//! `group.consumer.migration.policy`): `GroupMetadataManager.convertToConsumerGroup` /
//! `ConsumerGroup.fromClassicGroup` (upgrade), `convertToClassicGroup` /
//! `ClassicGroup.fromConsumerGroup` (downgrade), and the `classicGroup*ToConsumerGroup`
//! handlers that serve a classic member inside a consumer group.
//!
//! A classic member of a consumer group keeps speaking JoinGroup, SyncGroup and Heartbeat: its
//! generation is its member epoch, its JoinGroup is reconciled like a heartbeat (the owned
//! partitions come from its subscription), and its Heartbeat answers REBALANCE_IN_PROGRESS when
//! it must rejoin to move on, so revocation still comes before reassignment across both kinds.
//!
//! Deviations: `group.consumer.max.size` and `group.classic.max.size` are not simulated (both
//! unlimited), so size never refuses a conversion; a static member replacing the last
//! consumer-protocol member through JoinGroup does not downgrade the group
//! (`validateOnlineDowngradeWithReplacedMemberId`).

use super::classic::{join_error, ClassicGroup, ClassicGroupState, ClassicMember, JoinRequest};
use super::consumer::{rebalance_reason, Changes, ConsumerGroup, ConsumerGroupMember};
use super::{Completion, GroupCoordinator, OffsetsLog, Timer};
use crate::group::offsets::{ClassicMemberMetadata, CoordinatorRecord};
use crate::narration::{Fact, RebalanceReason, ReconcileState, RemovalReason};
use crate::node::Outbox;
use crate::protocol::{ErrorCode, GroupMessage, TopicPartition};
use crate::sim::{Millis, NodeId};
use std::collections::BTreeSet;

/// `ConsumerProtocol.PROTOCOL_TYPE`: only groups of consumers convert.
const CONSUMER_PROTOCOL_TYPE: &str = "consumer";

impl GroupCoordinator {
    /// `validateOnlineUpgrade`: the policy allows it and the group embeds the consumer protocol.
    pub(super) fn validate_online_upgrade(&self, group: &ClassicGroup) -> bool {
        self.config.group_consumer_migration_policy.upgrade_enabled()
            && group.protocol_type.as_deref() == Some(CONSUMER_PROTOCOL_TYPE)
    }

    /// `convertToConsumerGroup`: pending JoinGroup and SyncGroup answers get
    /// REBALANCE_IN_PROGRESS, the classic record is deleted, and every member becomes a
    /// consumer-group member at epoch = generation that owns what it was assigned, with a target
    /// equal to that; each keeps its classic session timeout.
    pub(super) fn convert_to_consumer_group(
        &mut self,
        classic: ClassicGroup,
        records: &mut Vec<CoordinatorRecord>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> ConsumerGroup {
        let group_id = classic.group_id.clone();
        for member in &classic.members {
            if member.awaiting_join {
                out.send(member.client, join_error(&group_id, &member.member_id, ErrorCode::RebalanceInProgress));
            }
            if member.awaiting_sync {
                out.send(member.client, super::classic::sync_error(&group_id, ErrorCode::RebalanceInProgress));
            }
        }
        records.push(CoordinatorRecord::GroupMetadata { group_id: group_id.clone(), value: None });
        let mut group = ConsumerGroup::new(group_id.clone());
        let epoch = classic.generation_id;
        group.group_epoch = epoch;
        group.target_assignment_epoch = epoch;
        for m in &classic.members {
            let mut member = ConsumerGroupMember::new(m.member_id.clone(), m.group_instance_id.clone(), m.client);
            member.rebalance_timeout_ms = m.rebalance_timeout_ms;
            member.subscribed_topics = m.topics().into_iter().collect();
            member.member_epoch = epoch;
            member.previous_member_epoch = epoch;
            member.assigned = m.assignment.iter().cloned().collect();
            member.classic = Some(ClassicMemberMetadata {
                session_timeout_ms: m.session_timeout_ms,
                supported_protocols: m.protocols.clone(),
            });
            group.target_assignment.insert(member.member_id.clone(), member.assigned.clone());
            group.members.insert(member.member_id.clone(), member);
        }
        let subscribed: BTreeSet<&String> = group.members.values().flat_map(|m| &m.subscribed_topics).collect();
        group.subscription_metadata =
            subscribed.into_iter().filter_map(|t| self.topic_partitions.get(t).map(|n| (t.clone(), *n))).collect();
        // `ConsumerGroup.createConsumerGroupRecords`: subscriptions, epoch, target, current.
        for member in group.members.values() {
            records.push(CoordinatorRecord::ConsumerGroupMemberMetadata {
                group_id: group_id.clone(),
                member_id: member.member_id.clone(),
                value: Some(member.metadata()),
            });
        }
        records.push(CoordinatorRecord::ConsumerGroupMetadata { group_id: group_id.clone(), epoch: Some(epoch) });
        for (member_id, partitions) in &group.target_assignment {
            records.push(CoordinatorRecord::ConsumerGroupTargetAssignmentMember {
                group_id: group_id.clone(),
                member_id: member_id.clone(),
                partitions: Some(partitions.iter().cloned().collect()),
            });
        }
        records.push(CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata {
            group_id: group_id.clone(),
            assignment_epoch: Some(epoch),
        });
        let members: Vec<ConsumerGroupMember> = group.members.values().cloned().collect();
        for member in &members {
            records.push(CoordinatorRecord::ConsumerGroupCurrentMemberAssignment {
                group_id: group_id.clone(),
                member_id: member.member_id.clone(),
                value: Some(member.current_assignment()),
            });
            self.schedule_consumer_session(&mut group, &member.member_id, now, out);
        }
        out.fact(Fact::GroupConverted { group: group_id, to_consumer_protocol: true });
        group
    }

    /// `validateOnlineDowngradeWithFencedMember`: without `member_id`, only classic members
    /// would remain (at least one), and the policy allows a downgrade.
    pub(super) fn downgrades_without(&self, group_id: &str, member_id: &str) -> bool {
        self.consumer_groups.get(group_id).is_some_and(|g| {
            g.members.contains_key(member_id)
                && g.members.len() > 1
                && g.members.values().all(|m| m.member_id == member_id || m.classic.is_some())
                && self.config.group_consumer_migration_policy.downgrade_enabled()
        })
    }

    /// `convertToClassicGroup`: `leaving` is fenced by the conversion itself; the consumer
    /// group's records are deleted, the classic group is written with each remaining member's
    /// target as its assignment, and it prepares a rebalance so that every member rejoins.
    pub(super) fn convert_to_classic_group(
        &mut self,
        group_id: &str,
        leaving: &str,
        reason: RemovalReason,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) -> Vec<CoordinatorRecord> {
        let Some(group) = self.consumer_groups.remove(group_id) else { return Vec::new() };
        out.fact(Fact::MemberRemoved { group: group_id.to_string(), member_id: leaving.to_string(), reason });
        // `ConsumerGroup.createGroupTombstoneRecords`.
        let mut records: Vec<CoordinatorRecord> = group.members.keys().flat_map(|id| group.tombstones(id)).collect();
        records.push(CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata {
            group_id: group_id.to_string(),
            assignment_epoch: None,
        });
        records.push(CoordinatorRecord::ConsumerGroupMetadata { group_id: group_id.to_string(), epoch: None });
        let mut classic = from_consumer_group(&group, leaving);
        records.push(CoordinatorRecord::GroupMetadata {
            group_id: group_id.to_string(),
            value: Some(classic.to_record()),
        });
        out.fact(Fact::GroupConverted { group: group_id.to_string(), to_consumer_protocol: false });
        let ids: Vec<String> = classic.members.iter().map(|m| m.member_id.clone()).collect();
        for id in &ids {
            self.schedule_session(&mut classic, id, now, out);
        }
        self.prepare_rebalance(&mut classic, rebalance_reason(reason), now, log, out);
        self.groups.insert(group_id.to_string(), classic);
        records
    }

    /// `classicGroupJoinToConsumerGroup`: a classic member joins or rejoins a live consumer
    /// group. Its subscription and owned partitions come from its first protocol; the group
    /// epoch moves if it is new or its subscription changed; it is reconciled as a heartbeat
    /// would be, and the answer (generation = member epoch, no leader) waits for the records.
    pub(super) fn classic_group_join_to_consumer_group(
        &mut self,
        group_id: &str,
        request: JoinRequest,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let client = request.client;
        let result = self
            .with_consumer_group(group_id, |this, group| this.classic_join_inner(group, &request, now, out))
            .unwrap_or(Err(ErrorCode::UnknownMemberId));
        match result {
            Err(error) => {
                self.reject(group_id, &request.member_id, "JoinGroup", error, out);
                out.send(client, join_error(group_id, &request.member_id, error));
            }
            Ok(None) => {}
            Ok(Some((response, records))) => {
                let member_id = match &response {
                    GroupMessage::JoinGroupResponse { member_id, .. } => member_id.clone(),
                    _ => String::new(),
                };
                let on_error = vec![(client, join_error(group_id, &member_id, ErrorCode::CoordinatorNotAvailable))];
                let completion = Completion::Respond { messages: vec![(client, response)], on_error };
                self.write_consumer_records(group_id, records, completion, log, now, out);
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn classic_join_inner(
        &mut self,
        group: &mut ConsumerGroup,
        request: &JoinRequest,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<Option<(GroupMessage, Vec<CoordinatorRecord>)>, ErrorCode> {
        let group_id = group.group_id.clone();
        let unknown = request.member_id.is_empty();
        // `throwIfClassicProtocolIsNotSupported`: the consumer protocol type, and a protocol that
        // every other classic member supports too.
        let names: BTreeSet<&str> = request.protocols.iter().map(|p| p.name.as_str()).collect();
        let shares_protocol = group
            .members
            .values()
            .filter(|m| m.member_id != request.member_id)
            .filter_map(|m| m.classic.as_ref())
            .all(|c| c.supported_protocols.iter().any(|p| names.contains(p.name.as_str())));
        if request.protocol_type != CONSUMER_PROTOCOL_TYPE || request.protocols.is_empty() || !shares_protocol {
            return Err(ErrorCode::InconsistentGroupProtocol);
        }
        if unknown && request.group_instance_id.is_none() {
            // `requiresKnownMemberId`: a dynamic member first gets its id (KIP-394).
            let member_id = self.new_member_id(&request.client_id, now);
            out.send(request.client, join_error(&group_id, &member_id, ErrorCode::MemberIdRequired));
            return Ok(None);
        }
        let member_id = if unknown { self.new_member_id(&request.client_id, now) } else { request.member_id.clone() };
        let mut changes = Changes { records: Vec::new(), bump: None };
        // Get or create the member (`getOrMaybeSubscribe{Dynamic,Static}ConsumerGroupMember`).
        let existing_static = request
            .group_instance_id
            .as_ref()
            .and_then(|i| group.members.values().find(|m| m.instance_id.as_ref() == Some(i)))
            .map(|m| m.member_id.clone());
        let mut member = match (&existing_static, group.members.get(&member_id)) {
            (Some(old), _) if *old != member_id && !unknown => return Err(ErrorCode::FencedInstanceId),
            (Some(old), _) if *old != member_id => {
                // A static member's new incarnation takes its old place, assignment and epoch.
                let mut member = group.members.remove(old).expect("found above");
                changes.records.extend(group.tombstones(old));
                if let Some(target) = group.target_assignment.remove(old) {
                    changes.records.push(CoordinatorRecord::ConsumerGroupTargetAssignmentMember {
                        group_id: group_id.clone(),
                        member_id: member_id.clone(),
                        partitions: Some(target.iter().cloned().collect()),
                    });
                    group.target_assignment.insert(member_id.clone(), target);
                }
                out.fact(Fact::StaticMemberReplaced {
                    group: group_id.clone(),
                    group_instance_id: request.group_instance_id.clone().unwrap_or_default(),
                    old_member_id: old.clone(),
                    new_member_id: member_id.clone(),
                    rebalance: false,
                });
                member.member_id = member_id.clone();
                changes.records.push(CoordinatorRecord::ConsumerGroupCurrentMemberAssignment {
                    group_id: group_id.clone(),
                    member_id: member_id.clone(),
                    value: Some(member.current_assignment()),
                });
                member
            }
            (None, None) if request.group_instance_id.is_some() && !unknown => return Err(ErrorCode::UnknownMemberId),
            (_, Some(m)) if m.classic.is_none() => return Err(ErrorCode::UnknownMemberId),
            (_, Some(m)) => m.clone(),
            (_, None) => {
                changes.bump = Some(RebalanceReason::MemberJoined);
                out.fact(Fact::MemberJoined {
                    group: group_id.clone(),
                    member_id: member_id.clone(),
                    group_instance_id: request.group_instance_id.clone(),
                    coordinator: self.broker_id,
                });
                ConsumerGroupMember::new(member_id.clone(), request.group_instance_id.clone(), request.client)
            }
        };
        let subscription = &request.protocols[0].metadata;
        let before_metadata = member.metadata();
        let topics: BTreeSet<String> = subscription.topics.iter().cloned().collect();
        if topics != member.subscribed_topics {
            member.subscribed_topics = topics;
            changes.bump.get_or_insert(RebalanceReason::SubscriptionChanged);
        }
        member.client = request.client;
        member.rebalance_timeout_ms = request.rebalance_timeout_ms;
        member.server_assignor = None;
        member.classic = Some(ClassicMemberMetadata {
            session_timeout_ms: request.session_timeout_ms,
            supported_protocols: request.protocols.clone(),
        });
        let is_new = !group.members.contains_key(&member_id);
        if is_new || member.metadata() != before_metadata {
            changes.records.push(CoordinatorRecord::ConsumerGroupMemberMetadata {
                group_id: group_id.clone(),
                member_id: member_id.clone(),
                value: Some(member.metadata()),
            });
        }
        group.members.insert(member_id.clone(), member);
        let owned: BTreeSet<TopicPartition> = subscription.owned_partitions.iter().cloned().collect();
        let (_, after) = self.settle_member(group, &member_id, Some(&owned), &mut changes, now, out);
        // The join deadline is met; SyncGroup has one now, and the session runs on.
        let token = self.token();
        if let Some(m) = group.members.get_mut(&member_id) {
            m.rebalance_token = token;
        }
        out.timer(
            now + request.rebalance_timeout_ms.max(1),
            Timer::ConsumerSync { group_id: group_id.clone(), member_id: member_id.clone(), token },
        );
        self.schedule_consumer_session(group, &member_id, now, out);
        let response = GroupMessage::JoinGroupResponse {
            group_id,
            error: ErrorCode::None,
            generation_id: after.member_epoch,
            protocol_name: Some(request.protocols[0].name.clone()),
            leader: String::new(),
            member_id,
            skip_assignment: false,
            members: Vec::new(),
        };
        Ok(Some((response, changes.records)))
    }

    /// `validateConsumerGroupMember` and `throwIfMemberDoesNotUseClassicProtocol`.
    fn classic_member<'a>(
        group: &'a ConsumerGroup,
        member_id: &str,
        instance_id: Option<&str>,
    ) -> Result<&'a ConsumerGroupMember, ErrorCode> {
        let member = match instance_id {
            None => group.members.get(member_id).ok_or(ErrorCode::UnknownMemberId)?,
            Some(instance) => {
                let member = group
                    .members
                    .values()
                    .find(|m| m.instance_id.as_deref() == Some(instance))
                    .ok_or(ErrorCode::UnknownMemberId)?;
                if !member_id.is_empty() && member.member_id != member_id {
                    return Err(ErrorCode::FencedInstanceId);
                }
                member
            }
        };
        if member.classic.is_none() {
            return Err(ErrorCode::UnknownMemberId);
        }
        Ok(member)
    }

    /// `classicGroupSyncToConsumerGroup`: answers with the member's current assignment, unless
    /// the group moved on since its JoinGroup (`throwIfRebalanceInProgress`: a member still
    /// revoking gets what it keeps, and rejoins after revoking).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn classic_group_sync_to_consumer_group(
        &mut self,
        client: NodeId,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        instance_id: Option<&str>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<(), ErrorCode> {
        self.with_consumer_group(group_id, |this, group| {
            let member = Self::classic_member(group, member_id, instance_id)?;
            if member.member_epoch != generation_id {
                return Err(ErrorCode::IllegalGeneration);
            }
            if group.group_epoch > member.member_epoch && member.state != ReconcileState::UnrevokedPartitions {
                return Err(ErrorCode::RebalanceInProgress);
            }
            let (id, assignment) = (member.member_id.clone(), member.assigned.iter().cloned().collect());
            if let Some(m) = group.members.get_mut(&id) {
                m.rebalance_token = 0;
            }
            this.schedule_consumer_session(group, &id, now, out);
            out.send(
                client,
                GroupMessage::SyncGroupResponse { group_id: group_id.to_string(), error: ErrorCode::None, assignment },
            );
            Ok(())
        })
        .unwrap_or(Err(ErrorCode::UnknownMemberId))
    }

    /// `classicGroupHeartbeatToConsumerGroup`: REBALANCE_IN_PROGRESS when the member must rejoin
    /// (the group epoch moved past it, it has partitions to revoke, or the partitions it waits
    /// for are free); it then has its rebalance timeout to rejoin.
    pub(super) fn classic_group_heartbeat_to_consumer_group(
        &mut self,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        instance_id: Option<&str>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<(), ErrorCode> {
        self.with_consumer_group(group_id, |this, group| {
            let member = Self::classic_member(group, member_id, instance_id)?;
            if member.member_epoch != generation_id {
                return Err(ErrorCode::IllegalGeneration);
            }
            let id = member.member_id.clone();
            let waiting_on_unreleased = group
                .target_assignment
                .get(&id)
                .is_some_and(|t| t.difference(&member.assigned).any(|tp| group.owned_by_other(&id, tp)));
            let rejoin = member.member_epoch < group.group_epoch
                || member.state == ReconcileState::UnrevokedPartitions
                || (member.state == ReconcileState::UnreleasedPartitions && !waiting_on_unreleased);
            let rebalance_timeout = member.rebalance_timeout_ms;
            this.schedule_consumer_session(group, &id, now, out);
            if !rejoin {
                return Ok(());
            }
            // `scheduleConsumerGroupJoinTimeoutIfAbsent`.
            if group.members[&id].rebalance_token == 0 {
                let token = this.token();
                if let Some(m) = group.members.get_mut(&id) {
                    m.rebalance_token = token;
                }
                out.timer(
                    now + rebalance_timeout.max(1),
                    Timer::ConsumerJoin { group_id: group_id.to_string(), member_id: id, token },
                );
            }
            Err(ErrorCode::RebalanceInProgress)
        })
        .unwrap_or(Err(ErrorCode::UnknownMemberId))
    }

    /// `classicGroupLeaveToConsumerGroup`: the member is removed and the group epoch bumped.
    pub(super) fn classic_group_leave_to_consumer_group(
        &mut self,
        group_id: &str,
        member_id: &str,
        instance_id: Option<&str>,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) -> Result<(), ErrorCode> {
        let records = self
            .with_consumer_group(group_id, |this, group| {
                let id = Self::classic_member(group, member_id, instance_id)?.member_id.clone();
                Ok(this.remove_consumer_member(group, &id, RemovalReason::LeaveGroup, out))
            })
            .unwrap_or(Err(ErrorCode::UnknownMemberId))?;
        let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
        self.write_consumer_records(group_id, records, completion, log, now, out);
        Ok(())
    }

    /// A classic member missed its JoinGroup (`sync` false) or SyncGroup deadline: it is fenced
    /// (`scheduleConsumerGroupJoinTimeout` / `scheduleConsumerGroupSyncTimeout`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn classic_member_rebalance_expired(
        &mut self,
        group_id: &str,
        member_id: &str,
        token: u64,
        sync: bool,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let live = self
            .consumer_groups
            .get(group_id)
            .and_then(|g| g.members.get(member_id))
            .is_some_and(|m| m.rebalance_token == token);
        if !live {
            return;
        }
        let reason = if sync { RemovalReason::NotSynced } else { RemovalReason::NotRejoined };
        let records = self.fence_consumer_member(group_id, member_id, reason, now, log, out);
        let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
        self.write_consumer_records(group_id, records, completion, log, now, out);
    }
}

/// `ClassicGroup.fromConsumerGroup`: every member but `leaving` is a classic one; the generation
/// is the group epoch, each member's assignment its target, the protocol the members' vote.
fn from_consumer_group(group: &ConsumerGroup, leaving: &str) -> ClassicGroup {
    let mut classic = ClassicGroup::new(group.group_id.clone());
    classic.generation_id = group.group_epoch;
    classic.protocol_type = Some(CONSUMER_PROTOCOL_TYPE.to_string());
    for m in group.members.values().filter(|m| m.member_id != leaving) {
        let Some(c) = &m.classic else { continue };
        classic.members.push(ClassicMember {
            member_id: m.member_id.clone(),
            group_instance_id: m.instance_id.clone(),
            client: m.client,
            client_id: String::new(),
            session_timeout_ms: c.session_timeout_ms,
            rebalance_timeout_ms: m.rebalance_timeout_ms,
            protocols: c.supported_protocols.clone(),
            assignment: group.target_assignment.get(&m.member_id).into_iter().flatten().cloned().collect(),
            awaiting_join: false,
            awaiting_sync: false,
            session_token: 0,
        });
    }
    classic.protocol_name = classic.select_protocol();
    classic.leader_id = classic.members.first().map(|m| m.member_id.clone());
    classic.state = ClassicGroupState::Stable;
    classic
}

#[cfg(test)]
mod tests {
    use super::super::{GroupCoordinatorConfig, InstantLog, MigrationPolicy};
    use super::*;
    use crate::group::offsets::{GroupMetadataValue, MemberMetadata};
    use crate::log::RecordBatch;
    use crate::protocol::{JoinGroupProtocol, Message, Subscription};

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    fn set(ps: &[i32]) -> BTreeSet<TopicPartition> {
        ps.iter().map(|p| tp(*p)).collect()
    }

    fn numbers(tps: &BTreeSet<TopicPartition>) -> Vec<i32> {
        tps.iter().map(|t| t.partition).collect()
    }

    struct H {
        c: GroupCoordinator,
        log: InstantLog,
        facts: Vec<Fact>,
        timers: Vec<Timer>,
    }

    /// Clients: 1 and 2 are the classic members c1 and c2, 9 the consumer-protocol member.
    impl H {
        fn new(policy: MigrationPolicy) -> H {
            let config = GroupCoordinatorConfig {
                offsets_topic_num_partitions: 1,
                group_initial_rebalance_delay_ms: 0,
                group_consumer_migration_policy: policy,
                ..Default::default()
            };
            let mut h =
                H { c: GroupCoordinator::new(1, config), log: InstantLog::default(), facts: vec![], timers: vec![] };
            h.c.load(0, 0, std::iter::empty::<&RecordBatch>(), 0, &mut h.log, &mut Outbox::default());
            h.c.set_topic_partitions([("t".to_string(), 4)].into_iter().collect());
            h
        }

        /// A Stable classic group of c1 (0, 1) and c2 (2, 3) at generation 3, as a coordinator
        /// loads it from its record.
        fn classic(policy: MigrationPolicy, protocol_type: &str) -> H {
            let h = H::new(policy);
            let member = |id: &str, client: u32, owned: &[i32]| MemberMetadata {
                member_id: id.into(),
                group_instance_id: None,
                client: NodeId::Client(client).to_string(),
                session_timeout_ms: 10_000,
                rebalance_timeout_ms: 30_000,
                subscription: Subscription { topics: vec!["t".into()], owned_partitions: vec![], generation_id: 3 },
                assignment: owned.iter().map(|p| tp(*p)).collect(),
            };
            let value = GroupMetadataValue {
                protocol_type: protocol_type.into(),
                generation_id: 3,
                protocol_name: Some("cooperative-sticky".into()),
                leader: Some("c1".into()),
                members: vec![member("c1", 1, &[0, 1]), member("c2", 2, &[2, 3])],
            };
            let mut h = h;
            h.c.groups.insert("g".into(), ClassicGroup::from_record("g".into(), value));
            h
        }

        fn send(&mut self, from: u32, message: GroupMessage) -> Vec<GroupMessage> {
            let mut out = Outbox::default();
            self.c.on_message(NodeId::Client(from), message, 0, &mut self.log, &mut out);
            self.c.complete_writes(|_| Some(i64::MAX), &mut out);
            self.facts.extend(out.facts);
            self.timers.extend(out.timers.into_iter().map(|(_, t)| t));
            out.messages
                .into_iter()
                .filter(|(to, _)| *to == NodeId::Client(from))
                .filter_map(|(_, m)| match m {
                    Message::Group(g) => Some(g),
                    _ => None,
                })
                .collect()
        }

        /// A ConsumerGroupHeartbeat of member "n": error, member epoch, assignment.
        fn heartbeat(&mut self, epoch: i32, owned: &[i32]) -> (ErrorCode, i32, Option<BTreeSet<TopicPartition>>) {
            let request = GroupMessage::ConsumerGroupHeartbeatRequest {
                group_id: "g".into(),
                member_id: "n".into(),
                member_epoch: epoch,
                group_instance_id: None,
                rebalance_timeout_ms: Some(30_000),
                subscribed_topic_names: (epoch == 0).then(|| vec!["t".to_string()]),
                server_assignor: None,
                owned_partitions: Some(owned.iter().map(|p| tp(*p)).collect()),
            };
            match self.send(9, request).pop() {
                Some(GroupMessage::ConsumerGroupHeartbeatResponse { error, member_epoch, assignment, .. }) => {
                    (error, member_epoch, assignment.map(|a| a.into_iter().collect()))
                }
                other => panic!("no heartbeat response: {other:?}"),
            }
        }

        /// A classic JoinGroup: error, generation, member id, leader.
        fn join(
            &mut self,
            client: u32,
            member_id: &str,
            protocol_type: &str,
            owned: &[i32],
        ) -> (ErrorCode, i32, String, String) {
            let request = GroupMessage::JoinGroupRequest {
                group_id: "g".into(),
                member_id: member_id.into(),
                group_instance_id: None,
                client_id: format!("c{client}"),
                session_timeout_ms: 10_000,
                rebalance_timeout_ms: 30_000,
                protocol_type: protocol_type.into(),
                protocols: vec![JoinGroupProtocol {
                    name: "cooperative-sticky".into(),
                    metadata: Subscription {
                        topics: vec!["t".into()],
                        owned_partitions: owned.iter().map(|p| tp(*p)).collect(),
                        generation_id: -1,
                    },
                }],
            };
            match self.send(client, request).pop() {
                Some(GroupMessage::JoinGroupResponse { error, generation_id, member_id, leader, .. }) => {
                    (error, generation_id, member_id, leader)
                }
                other => panic!("no JoinGroup response: {other:?}"),
            }
        }

        fn sync(&mut self, client: u32, member_id: &str, generation_id: i32) -> (ErrorCode, BTreeSet<TopicPartition>) {
            let request = GroupMessage::SyncGroupRequest {
                group_id: "g".into(),
                generation_id,
                member_id: member_id.into(),
                group_instance_id: None,
                assignments: Vec::new(),
            };
            match self.send(client, request).pop() {
                Some(GroupMessage::SyncGroupResponse { error, assignment, .. }) => {
                    (error, assignment.into_iter().collect())
                }
                other => panic!("no SyncGroup response: {other:?}"),
            }
        }

        fn classic_heartbeat(&mut self, client: u32, member_id: &str, generation_id: i32) -> ErrorCode {
            let request = GroupMessage::HeartbeatRequest {
                group_id: "g".into(),
                generation_id,
                member_id: member_id.into(),
                group_instance_id: None,
            };
            match self.send(client, request).pop() {
                Some(GroupMessage::HeartbeatResponse { error, .. }) => error,
                other => panic!("no Heartbeat response: {other:?}"),
            }
        }

        fn group(&self) -> &ConsumerGroup {
            &self.c.consumer_groups["g"]
        }

        fn converted(&self, to_consumer_protocol: bool) -> bool {
            self.facts.iter().any(
                |f| matches!(f, Fact::GroupConverted { to_consumer_protocol: t, .. } if *t == to_consumer_protocol),
            )
        }

        /// A new coordinator that loads the partition from the log (failover).
        fn failover(&self) -> GroupCoordinator {
            let mut c = GroupCoordinator::new(2, self.c.config.clone());
            let batch = RecordBatch::new(self.log.0.clone());
            c.load(0, 1, std::iter::once(&batch), 0, &mut InstantLog::default(), &mut Outbox::default());
            c
        }
    }

    /// `testConsumerGroupHeartbeatWithStableClassicGroup`: a consumer-protocol member joining a
    /// Stable classic group converts it; each classic member keeps its assignment at member
    /// epoch = generation 3 with a target equal to it, then the join bumps the group epoch to 4.
    /// The records (classic tombstone, consumer group records with the classic metadata) replay
    /// to the same group on a new coordinator.
    #[test]
    fn a_consumer_protocol_member_upgrades_a_live_classic_group() {
        let mut h = H::classic(MigrationPolicy::Bidirectional, "consumer");
        let (error, epoch, assignment) = h.heartbeat(0, &[]);
        assert_eq!((error, epoch), (ErrorCode::None, 4));
        assert!(h.converted(true));
        assert!(!h.c.groups.contains_key("g"));
        assert_eq!(h.group().group_epoch, 4);
        for (id, owned) in [("c1", set(&[0, 1])), ("c2", set(&[2, 3]))] {
            let m = &h.group().members[id];
            assert_eq!((m.member_epoch, &m.assigned), (3, &owned), "{id} keeps its generation and partitions");
            assert_eq!(m.classic.as_ref().map(|c| c.session_timeout_ms), Some(10_000));
        }
        assert_eq!(h.group().members["n"].classic, None);
        let target_n = h.group().target_assignment["n"].clone();
        assert!(!target_n.is_empty(), "the newcomer is given partitions");
        assert_eq!(assignment, Some(BTreeSet::new()), "but they are still owned by classic members");
        assert_eq!(h.group().members["n"].state, ReconcileState::UnreleasedPartitions);
        let tombstone = CoordinatorRecord::GroupMetadata { group_id: "g".into(), value: None };
        assert!(h.log.0.iter().any(|r| crate::group::offsets::decode(r) == Some(tombstone.clone())));
        // Failover: the same group, members, epochs and classic metadata.
        let replayed = h.failover();
        let (before, after) = (h.group(), &replayed.consumer_groups["g"]);
        assert!(!replayed.groups.contains_key("g"));
        assert_eq!((after.group_epoch, &after.target_assignment), (before.group_epoch, &before.target_assignment));
        for (id, m) in &before.members {
            let r = &after.members[id];
            assert_eq!((r.member_epoch, &r.assigned, &r.classic), (m.member_epoch, &m.assigned, &m.classic), "{id}");
        }
    }

    /// `testReconciliationInJoiningConsumerGroupWithCooperativeProtocol` and
    /// `testClassicGroupHeartbeatToConsumerGroupRebalanceInProgress`: after the upgrade a classic
    /// member's heartbeat says REBALANCE_IN_PROGRESS; its JoinGroup keeps its old generation
    /// while it revokes (SyncGroup returns what it keeps), and only once its next JoinGroup no
    /// longer reports the moved partitions does the consumer-protocol member get them.
    #[test]
    fn revocation_comes_before_reassignment_across_protocols() {
        let mut h = H::classic(MigrationPolicy::Bidirectional, "consumer");
        h.heartbeat(0, &[]);
        assert_eq!(h.classic_heartbeat(1, "c1", 3), ErrorCode::RebalanceInProgress, "the group epoch moved past c1");
        assert!(h.timers.iter().any(|t| matches!(t, Timer::ConsumerJoin { member_id, .. } if member_id == "c1")));
        assert_eq!(h.classic_heartbeat(1, "c1", 2), ErrorCode::IllegalGeneration);
        let mut released = BTreeSet::new();
        for (client, id, owned) in [(1, "c1", set(&[0, 1])), (2, "c2", set(&[2, 3]))] {
            let target = h.group().target_assignment[id].clone();
            let keep: BTreeSet<TopicPartition> = owned.intersection(&target).cloned().collect();
            let (error, generation, member_id, leader) = h.join(client, id, "consumer", &numbers(&owned));
            assert_eq!(
                (error, member_id.as_str(), leader.as_str()),
                (ErrorCode::None, id, ""),
                "no leader: the broker assigns"
            );
            if keep == owned {
                assert_eq!(generation, 4, "{id} moves nothing and catches up at once");
                continue;
            }
            assert_eq!(generation, 3, "{id} keeps its epoch while it revokes");
            assert_eq!(h.group().members[id].state, ReconcileState::UnrevokedPartitions);
            assert_eq!(h.sync(client, id, 3), (ErrorCode::None, keep.clone()), "SyncGroup returns what it keeps");
            let (_, _, n_gets) = h.heartbeat(4, &[]);
            assert!(n_gets.is_none_or(|a| a.is_disjoint(&owned)), "nothing of {id}'s before it revoked");
            assert_eq!(h.classic_heartbeat(client, id, 3), ErrorCode::RebalanceInProgress, "rejoin after revoking");
            let (error, generation, _, _) = h.join(client, id, "consumer", &numbers(&keep));
            assert_eq!((error, generation), (ErrorCode::None, 4));
            assert_eq!(h.sync(client, id, 4), (ErrorCode::None, keep.clone()));
            assert_eq!(h.classic_heartbeat(client, id, 4), ErrorCode::None);
            released.extend(owned.difference(&keep).cloned());
        }
        let (_, epoch, assignment) = h.heartbeat(4, &[]);
        assert_eq!(epoch, 4);
        assert_eq!(assignment, Some(released), "the consumer-protocol member gets what was released");
        assert_eq!(h.group().state(), super::super::consumer::ConsumerGroupState::Stable);
        // A classic member that leaves is removed and the group epoch moves.
        let left = h.send(
            2,
            GroupMessage::LeaveGroupRequest { group_id: "g".into(), member_id: "c2".into(), group_instance_id: None },
        );
        assert!(matches!(left.last(), Some(GroupMessage::LeaveGroupResponse { error: ErrorCode::None, .. })));
        assert!(!h.group().members.contains_key("c2"));
        assert_eq!(h.group().group_epoch, 5);
    }

    /// `testConsumerGroupHeartbeatWithNonEmptyClassicGroup`: no upgrade when the policy forbids
    /// it or the classic group does not embed the consumer protocol; the old refusal stands.
    #[test]
    fn the_upgrade_is_refused_where_kafka_refuses_it() {
        for (policy, protocol_type) in [
            (MigrationPolicy::Disabled, "consumer"),
            (MigrationPolicy::Downgrade, "consumer"),
            (MigrationPolicy::Bidirectional, "connect"),
        ] {
            let mut h = H::classic(policy, protocol_type);
            assert_eq!(h.heartbeat(0, &[]).0, ErrorCode::GroupIdNotFound, "{policy:?} {protocol_type}");
            assert!(h.c.groups.contains_key("g") && !h.c.consumer_groups.contains_key("g"));
            assert!(!h.converted(true));
        }
        let mut h = H::classic(MigrationPolicy::Upgrade, "consumer");
        assert_eq!(h.heartbeat(0, &[]).0, ErrorCode::None, "upgrade alone allows it");
    }

    /// `testJoiningConsumerGroupWithNewDynamicMember`, `testJoiningConsumerGroupThrowsExceptionIfProtocolIsNotSupported`,
    /// `testClassicGroupHeartbeatToConsumerWithMemberNotUsingClassicProtocol`: a new classic member
    /// joins a live consumer group (MEMBER_ID_REQUIRED first); it waits while the
    /// consumer-protocol member revokes, then its heartbeat tells it to rejoin for the
    /// partitions. Under `upgrade` the group stays a consumer group when that member leaves;
    /// under the default its leaving downgrades the group
    /// (`testLastConsumerProtocolMemberLeavingConsumerGroup`), and the classic group replays.
    #[test]
    fn classic_members_join_a_consumer_group_and_it_downgrades_when_the_last_consumer_member_leaves() {
        for policy in [MigrationPolicy::Bidirectional, MigrationPolicy::Upgrade] {
            let mut h = H::new(policy);
            assert_eq!(h.heartbeat(0, &[]).2, Some(set(&[0, 1, 2, 3])));
            assert_eq!(h.join(1, "", "connect", &[]).0, ErrorCode::InconsistentGroupProtocol);
            let (error, _, id, _) = h.join(1, "", "consumer", &[]);
            assert_eq!(error, ErrorCode::MemberIdRequired);
            let (error, generation, _, leader) = h.join(1, &id, "consumer", &[]);
            assert_eq!((error, generation, leader.as_str()), (ErrorCode::None, 2, ""));
            assert_eq!(h.group().members[&id].state, ReconcileState::UnreleasedPartitions);
            assert_eq!(h.sync(1, &id, 2), (ErrorCode::None, BTreeSet::new()));
            assert_eq!(h.classic_heartbeat(1, &id, 2), ErrorCode::None, "its partitions are not free yet");
            assert_eq!(h.classic_heartbeat(9, "n", 1), ErrorCode::UnknownMemberId, "n speaks the consumer protocol");
            let (_, epoch, keep) = h.heartbeat(1, &[0, 1, 2, 3]);
            let keep = keep.unwrap();
            assert_eq!((epoch, keep.len()), (1, 2), "n revokes first");
            assert_eq!(h.heartbeat(1, &numbers(&keep)).1, 2);
            assert_eq!(h.classic_heartbeat(1, &id, 2), ErrorCode::RebalanceInProgress, "free now: rejoin");
            let (error, generation, _, _) = h.join(1, &id, "consumer", &[]);
            assert_eq!((error, generation), (ErrorCode::None, 2));
            let moved: BTreeSet<TopicPartition> = set(&[0, 1, 2, 3]).difference(&keep).cloned().collect();
            assert_eq!(h.sync(1, &id, 2), (ErrorCode::None, moved.clone()));
            // The last consumer-protocol member leaves.
            assert_eq!(h.heartbeat(-1, &[]).0, ErrorCode::None);
            if policy == MigrationPolicy::Upgrade {
                assert!(!h.converted(false));
                assert_eq!(h.group().members.keys().collect::<Vec<_>>(), vec![&id]);
                continue;
            }
            assert!(h.converted(false) && !h.c.consumer_groups.contains_key("g"));
            let classic = &h.c.groups["g"];
            assert_eq!(
                (classic.state, classic.generation_id),
                (ClassicGroupState::PreparingRebalance, 2),
                "the generation is the group epoch; no bump for the member the conversion fenced"
            );
            assert_eq!(classic.member(&id).map(|m| m.assignment.iter().cloned().collect()), Some(moved.clone()));
            assert_eq!(h.classic_heartbeat(1, &id, 2), ErrorCode::RebalanceInProgress, "the classic members rejoin");
            let replayed = h.failover();
            assert!(!replayed.consumer_groups.contains_key("g"));
            let member = replayed.groups["g"].member(&id).map(|m| m.assignment.iter().cloned().collect());
            assert_eq!(member, Some(moved));
        }
    }

    /// `testConsumerGroupMemberUsingClassicProtocolFencedWhenJoinTimeout`: a classic member told
    /// to rejoin that does not within its rebalance timeout is fenced; the newest deadline counts.
    #[test]
    fn a_classic_member_that_does_not_rejoin_is_fenced() {
        let mut h = H::classic(MigrationPolicy::Bidirectional, "consumer");
        h.heartbeat(0, &[]);
        assert_eq!(h.classic_heartbeat(2, "c2", 3), ErrorCode::RebalanceInProgress);
        let join = h.timers.iter().rev().find(|t| matches!(t, Timer::ConsumerJoin { .. })).cloned().unwrap();
        let mut out = Outbox::default();
        h.c.on_timer(join, 30_000, &mut h.log, &mut out);
        assert!(out.facts.iter().any(
            |f| matches!(f, Fact::MemberRemoved { member_id, reason: RemovalReason::NotRejoined, .. } if member_id == "c2")
        ));
        assert!(!h.group().members.contains_key("c2"));
        assert_eq!(h.group().group_epoch, 5);
    }
}
