//! The classic group protocol on the coordinator (Kafka's `ClassicGroup` and the classic half of
//! `GroupMetadataManager`): JoinGroup, SyncGroup, Heartbeat, LeaveGroup, generations, the initial
//! rebalance delay, session and rebalance timeouts, and static membership (KIP-345).
//!
//! Deviation: Kafka keeps members in a `HashMap`, so the leader's member list comes in hash order;
//! here it comes in join order (the assignors accept any order, and the result is deterministic).
//! Protocol-vote ties, which Kafka breaks by hash order, go to the first member's preference order.

use super::{Completion, GroupCoordinator, OffsetsLog, Timer};
use crate::group::offsets::{GroupMetadataValue, MemberMetadata};
use crate::narration::{Fact, RebalanceReason, RemovalReason};
use crate::node::Outbox;
use crate::protocol::{ErrorCode, GroupMessage, JoinGroupMember, JoinGroupProtocol, Subscription, TopicPartition};
use crate::sim::{Millis, NodeId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// `ClassicGroupState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ClassicGroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl ClassicGroupState {
    pub fn name(self) -> &'static str {
        match self {
            ClassicGroupState::Empty => "Empty",
            ClassicGroupState::PreparingRebalance => "PreparingRebalance",
            ClassicGroupState::CompletingRebalance => "CompletingRebalance",
            ClassicGroupState::Stable => "Stable",
            ClassicGroupState::Dead => "Dead",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClassicMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// Where this member's responses go.
    pub client: NodeId,
    pub client_id: String,
    pub session_timeout_ms: Millis,
    pub rebalance_timeout_ms: Millis,
    pub protocols: Vec<JoinGroupProtocol>,
    pub assignment: Vec<TopicPartition>,
    /// A JoinGroup response is owed to this member.
    pub(super) awaiting_join: bool,
    /// A SyncGroup response is owed to this member.
    pub(super) awaiting_sync: bool,
    pub(super) session_token: u64,
}

impl ClassicMember {
    fn metadata(&self, protocol: Option<&str>) -> Subscription {
        self.protocols
            .iter()
            .find(|p| Some(p.name.as_str()) == protocol)
            .or(self.protocols.first())
            .map(|p| p.metadata.clone())
            .unwrap_or(Subscription { topics: Vec::new(), owned_partitions: Vec::new(), generation_id: -1 })
    }

    /// The subscribed topics, for the view.
    pub fn topics(&self) -> Vec<String> {
        self.protocols.first().map(|p| p.metadata.topics.clone()).unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct ClassicGroup {
    pub group_id: String,
    pub state: ClassicGroupState,
    previous_state: ClassicGroupState,
    pub generation_id: i32,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    pub leader_id: Option<String>,
    /// Members in join order: the order of the leader's member list.
    pub members: Vec<ClassicMember>,
    /// Member ids handed out with MEMBER_ID_REQUIRED and not yet used (KIP-394).
    pending_members: BTreeSet<String>,
    /// The leader's assignment while it is being persisted.
    pending_assignment: Option<BTreeMap<String, Vec<TopicPartition>>>,
    new_member_added: bool,
    join_token: u64,
    /// Some(remaining rebalance timeout) while `group.initial.rebalance.delay.ms` runs.
    initial_delay_remaining: Option<Millis>,
}

/// A JoinGroup request as the coordinator handles it.
#[derive(Debug, Clone)]
pub struct JoinRequest {
    pub client: NodeId,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub session_timeout_ms: Millis,
    pub rebalance_timeout_ms: Millis,
    pub protocol_type: String,
    pub protocols: Vec<JoinGroupProtocol>,
}

pub(super) fn join_error(group_id: &str, member_id: &str, error: ErrorCode) -> GroupMessage {
    GroupMessage::JoinGroupResponse {
        group_id: group_id.to_string(),
        error,
        generation_id: -1,
        protocol_name: None,
        leader: String::new(),
        member_id: member_id.to_string(),
        skip_assignment: false,
        members: Vec::new(),
    }
}

pub(super) fn sync_error(group_id: &str, error: ErrorCode) -> GroupMessage {
    GroupMessage::SyncGroupResponse { group_id: group_id.to_string(), error, assignment: Vec::new() }
}

impl ClassicGroup {
    pub fn new(group_id: String) -> Self {
        ClassicGroup {
            group_id,
            state: ClassicGroupState::Empty,
            previous_state: ClassicGroupState::Empty,
            generation_id: 0,
            protocol_type: None,
            protocol_name: None,
            leader_id: None,
            members: Vec::new(),
            pending_members: BTreeSet::new(),
            pending_assignment: None,
            new_member_added: false,
            join_token: 0,
            initial_delay_remaining: None,
        }
    }

    /// A group as the log last recorded it: Stable with its members, or Empty.
    pub(super) fn from_record(group_id: String, value: GroupMetadataValue) -> Self {
        let mut group = ClassicGroup::new(group_id);
        group.generation_id = value.generation_id;
        group.protocol_type = Some(value.protocol_type);
        group.protocol_name = value.protocol_name.clone();
        group.leader_id = value.leader;
        group.members = value
            .members
            .into_iter()
            .map(|m| ClassicMember {
                member_id: m.member_id,
                group_instance_id: m.group_instance_id,
                client: m.client.parse().unwrap_or(NodeId::Client(0)),
                client_id: String::new(),
                session_timeout_ms: m.session_timeout_ms,
                rebalance_timeout_ms: m.rebalance_timeout_ms,
                protocols: vec![JoinGroupProtocol {
                    name: value.protocol_name.clone().unwrap_or_default(),
                    metadata: m.subscription,
                }],
                assignment: m.assignment,
                awaiting_join: false,
                awaiting_sync: false,
                session_token: 0,
            })
            .collect();
        group.state = if group.members.is_empty() { ClassicGroupState::Empty } else { ClassicGroupState::Stable };
        group
    }

    pub(super) fn to_record(&self) -> GroupMetadataValue {
        let assignment_of = |m: &ClassicMember| {
            self.pending_assignment
                .as_ref()
                .map_or_else(|| m.assignment.clone(), |a| a.get(&m.member_id).cloned().unwrap_or_default())
        };
        GroupMetadataValue {
            protocol_type: self.protocol_type.clone().unwrap_or_default(),
            generation_id: self.generation_id,
            protocol_name: self.protocol_name.clone(),
            leader: self.leader_id.clone(),
            members: self
                .members
                .iter()
                .map(|m| MemberMetadata {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    client: m.client.to_string(),
                    session_timeout_ms: m.session_timeout_ms,
                    rebalance_timeout_ms: m.rebalance_timeout_ms,
                    subscription: m.metadata(self.protocol_name.as_deref()),
                    assignment: assignment_of(m),
                })
                .collect(),
        }
    }

    pub fn member(&self, member_id: &str) -> Option<&ClassicMember> {
        self.members.iter().find(|m| m.member_id == member_id)
    }

    fn member_mut(&mut self, member_id: &str) -> Option<&mut ClassicMember> {
        self.members.iter_mut().find(|m| m.member_id == member_id)
    }

    fn static_member_id(&self, group_instance_id: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.group_instance_id.as_deref() == Some(group_instance_id))
            .map(|m| m.member_id.as_str())
    }

    /// `ClassicGroup.validateMember`: a static member must present the member id the group knows
    /// for its instance id; a dynamic one must be known.
    fn validate_member(&self, member_id: &str, group_instance_id: Option<&str>) -> Result<(), ErrorCode> {
        match group_instance_id {
            Some(instance) => match self.static_member_id(instance) {
                None => Err(ErrorCode::UnknownMemberId),
                Some(known) if known != member_id => Err(ErrorCode::FencedInstanceId),
                Some(_) => Ok(()),
            },
            None if self.member(member_id).is_none() => Err(ErrorCode::UnknownMemberId),
            None => Ok(()),
        }
    }

    /// `ClassicGroup.validateOffsetCommit`. A transactional commit (TxnOffsetCommit) without a
    /// member id and generation (v0-2, which do not carry them) is accepted in any state, and
    /// the group's state is not enforced for it.
    pub(super) fn validate_offset_commit(
        &self,
        member_id: &str,
        group_instance_id: Option<&str>,
        generation_id: i32,
        transactional: bool,
    ) -> Result<(), ErrorCode> {
        if generation_id >= 0 || !member_id.is_empty() || group_instance_id.is_some() {
            self.validate_member(member_id, group_instance_id)?;
            if generation_id != self.generation_id {
                return Err(ErrorCode::IllegalGeneration);
            }
        } else if !transactional && self.state != ClassicGroupState::Empty {
            return Err(ErrorCode::UnknownMemberId);
        }
        if !transactional && self.state == ClassicGroupState::CompletingRebalance {
            return Err(ErrorCode::RebalanceInProgress);
        }
        Ok(())
    }

    /// Protocol names every member supports, in the first member's preference order.
    fn candidate_protocols(&self) -> Vec<String> {
        let Some(first) = self.members.first() else { return Vec::new() };
        first
            .protocols
            .iter()
            .map(|p| p.name.clone())
            .filter(|name| self.members.iter().all(|m| m.protocols.iter().any(|p| &p.name == name)))
            .collect()
    }

    /// `ClassicGroup.supportsProtocols`: the type matches and one assignor is common to all.
    fn supports_protocols(&self, protocol_type: &str, protocols: &[JoinGroupProtocol]) -> bool {
        if self.members.is_empty() {
            return true;
        }
        self.protocol_type.as_deref() == Some(protocol_type)
            && self.candidate_protocols().iter().any(|c| protocols.iter().any(|p| &p.name == c))
    }

    /// `ClassicGroup.selectProtocol`: each member votes for its most preferred candidate.
    pub(super) fn select_protocol(&self) -> Option<String> {
        let candidates = self.candidate_protocols();
        let mut votes = vec![0usize; candidates.len()];
        for m in &self.members {
            if let Some(i) = m.protocols.iter().find_map(|p| candidates.iter().position(|c| c == &p.name)) {
                votes[i] += 1;
            }
        }
        let best = votes.iter().copied().max()?;
        votes.iter().position(|v| *v == best).map(|i| candidates[i].clone())
    }

    fn max_rebalance_timeout_ms(&self) -> Millis {
        self.members.iter().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0)
    }

    fn all_members_joined(&self) -> bool {
        self.pending_members.is_empty() && self.members.iter().all(|m| m.awaiting_join)
    }

    fn join_response(&self, member: &ClassicMember, skip_assignment: bool) -> GroupMessage {
        let leader = self.leader_id.clone().unwrap_or_default();
        let is_leader = leader == member.member_id;
        GroupMessage::JoinGroupResponse {
            group_id: self.group_id.clone(),
            error: ErrorCode::None,
            generation_id: self.generation_id,
            protocol_name: self.protocol_name.clone(),
            leader,
            member_id: member.member_id.clone(),
            skip_assignment,
            members: if is_leader {
                self.members
                    .iter()
                    .map(|m| JoinGroupMember {
                        member_id: m.member_id.clone(),
                        group_instance_id: m.group_instance_id.clone(),
                        metadata: m.metadata(self.protocol_name.as_deref()),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

impl GroupCoordinator {
    /// Runs `f` on a group taken out of the map (so `f` may use `self` freely), then puts it back.
    fn with_group<R>(&mut self, group_id: &str, f: impl FnOnce(&mut Self, &mut ClassicGroup) -> R) -> Option<R> {
        let mut group = self.groups.remove(group_id)?;
        let result = f(self, &mut group);
        self.groups.insert(group_id.to_string(), group);
        Some(result)
    }

    pub(super) fn reject(
        &self,
        group_id: &str,
        member_id: &str,
        request: &'static str,
        error: ErrorCode,
        out: &mut Outbox<Timer>,
    ) {
        out.fact(Fact::GroupRequestRejected {
            group: group_id.to_string(),
            member_id: member_id.to_string(),
            request,
            error,
        });
    }

    pub(super) fn schedule_session(
        &mut self,
        group: &mut ClassicGroup,
        member_id: &str,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let token = self.token();
        if let Some(member) = group.member_mut(member_id) {
            member.session_token = token;
            out.timer(
                now + member.session_timeout_ms,
                Timer::Session { group_id: group.group_id.clone(), member_id: member_id.to_string(), token },
            );
        }
    }

    /// `GroupMetadataManager.classicGroupJoin`.
    pub(super) fn join_group(
        &mut self,
        group_id: &str,
        request: JoinRequest,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let fail = |this: &Self, error: ErrorCode, out: &mut Outbox<Timer>| {
            this.reject(group_id, &request.member_id, "JoinGroup", error, out);
            out.send(request.client, join_error(group_id, &request.member_id, error));
        };
        if !self.is_coordinator_for(group_id) {
            return fail(self, ErrorCode::NotCoordinator, out);
        }
        if request.protocol_type.is_empty() || request.protocols.is_empty() {
            return fail(self, ErrorCode::InconsistentGroupProtocol, out);
        }
        let bounds = self.config.group_min_session_timeout_ms..=self.config.group_max_session_timeout_ms;
        if !bounds.contains(&request.session_timeout_ms) {
            return fail(self, ErrorCode::InvalidSessionTimeout, out);
        }
        if self.consumer_groups.get(group_id).is_some_and(|g| !g.members.is_empty()) {
            return self.classic_group_join_to_consumer_group(group_id, request, now, log, out);
        }
        self.convert_empty_consumer_group(group_id, now, log, out);
        if !self.groups.contains_key(group_id) {
            if !request.member_id.is_empty() {
                return fail(self, ErrorCode::UnknownMemberId, out);
            }
            self.groups.insert(group_id.to_string(), ClassicGroup::new(group_id.to_string()));
        }
        let result = self.with_group(group_id, |this, group| {
            if !group.supports_protocols(&request.protocol_type, &request.protocols) {
                return Err(ErrorCode::InconsistentGroupProtocol);
            }
            if request.member_id.is_empty() {
                match request.group_instance_id.clone() {
                    Some(instance) => {
                        let new_id = this.new_member_id(&instance, now);
                        match group.static_member_id(&instance).map(str::to_string) {
                            Some(old_id) => {
                                this.join_existing_static(group, &old_id, &new_id, request.clone(), now, log, out)
                            }
                            None => this.add_member_and_rebalance(group, &new_id, request.clone(), now, log, out),
                        }
                        Ok(())
                    }
                    None => {
                        let new_id = this.new_member_id(&request.client_id, now);
                        group.pending_members.insert(new_id.clone());
                        out.timer(
                            now + request.session_timeout_ms,
                            Timer::PendingMember { group_id: group.group_id.clone(), member_id: new_id.clone() },
                        );
                        out.send(request.client, join_error(&group.group_id, &new_id, ErrorCode::MemberIdRequired));
                        Ok(())
                    }
                }
            } else {
                if let Some(instance) = &request.group_instance_id {
                    match group.static_member_id(instance) {
                        Some(known) if known != request.member_id => return Err(ErrorCode::FencedInstanceId),
                        None if !group.pending_members.contains(&request.member_id) => {
                            return Err(ErrorCode::UnknownMemberId)
                        }
                        _ => {}
                    }
                }
                if group.pending_members.remove(&request.member_id) {
                    let id = request.member_id.clone();
                    this.add_member_and_rebalance(group, &id, request.clone(), now, log, out);
                    Ok(())
                } else if group.member(&request.member_id).is_none() {
                    Err(ErrorCode::UnknownMemberId)
                } else {
                    this.join_existing_member(group, request.clone(), now, log, out)
                }
            }
        });
        if let Some(Err(error)) = result {
            fail(self, error, out);
        }
    }

    fn add_member_and_rebalance(
        &mut self,
        group: &mut ClassicGroup,
        member_id: &str,
        request: JoinRequest,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        if group.members.is_empty() {
            group.protocol_type = Some(request.protocol_type.clone());
        }
        group.members.push(ClassicMember {
            member_id: member_id.to_string(),
            group_instance_id: request.group_instance_id.clone(),
            client: request.client,
            client_id: request.client_id,
            session_timeout_ms: request.session_timeout_ms,
            rebalance_timeout_ms: request.rebalance_timeout_ms,
            protocols: request.protocols,
            assignment: Vec::new(),
            awaiting_join: true,
            awaiting_sync: false,
            session_token: 0,
        });
        if group.leader_id.is_none() {
            group.leader_id = Some(member_id.to_string());
        }
        group.new_member_added = true;
        out.fact(Fact::MemberJoined {
            group: group.group_id.clone(),
            member_id: member_id.to_string(),
            group_instance_id: request.group_instance_id,
            coordinator: self.broker_id,
        });
        match group.state {
            ClassicGroupState::PreparingRebalance => self.try_complete_join(group, now, log, out),
            _ => self.prepare_rebalance(group, RebalanceReason::MemberJoined, now, log, out),
        }
    }

    /// A known member rejoins (`classicGroupJoinExistingMember`).
    fn join_existing_member(
        &mut self,
        group: &mut ClassicGroup,
        request: JoinRequest,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) -> Result<(), ErrorCode> {
        let state = group.state;
        let id = request.member_id.clone();
        let is_leader = group.leader_id.as_deref() == Some(id.as_str());
        let same_metadata = member_ref(group, &id)?.protocols == request.protocols;
        let update = |group: &mut ClassicGroup| {
            if let Some(member) = group.member_mut(&id) {
                member.client = request.client;
                member.protocols = request.protocols.clone();
                member.session_timeout_ms = request.session_timeout_ms;
                member.rebalance_timeout_ms = request.rebalance_timeout_ms;
                member.awaiting_join = true;
            }
        };
        match state {
            ClassicGroupState::Empty | ClassicGroupState::Dead => return Err(ErrorCode::UnknownMemberId),
            ClassicGroupState::PreparingRebalance => {
                update(group);
                self.try_complete_join(group, now, log, out);
            }
            ClassicGroupState::CompletingRebalance | ClassicGroupState::Stable
                if same_metadata && !(state == ClassicGroupState::Stable && is_leader) =>
            {
                // Nothing changed: resend this generation's JoinGroup response.
                let response = group.join_response(member_ref(group, &id)?, false);
                out.send(request.client, response);
            }
            ClassicGroupState::CompletingRebalance | ClassicGroupState::Stable => {
                update(group);
                self.prepare_rebalance(group, RebalanceReason::MemberRejoined, now, log, out);
            }
        }
        Ok(())
    }

    /// KIP-345: a known `group.instance.id` joins with an empty member id. It takes over the old
    /// member id (fencing it); a Stable group with an unchanged protocol does not rebalance.
    #[allow(clippy::too_many_arguments)]
    fn join_existing_static(
        &mut self,
        group: &mut ClassicGroup,
        old_id: &str,
        new_id: &str,
        request: JoinRequest,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let group_id = group.group_id.clone();
        let Some(member) = group.member_mut(old_id) else { return };
        if member.awaiting_join {
            out.send(member.client, join_error(&group_id, old_id, ErrorCode::FencedInstanceId));
        }
        if member.awaiting_sync {
            out.send(member.client, sync_error(&group_id, ErrorCode::FencedInstanceId));
        }
        member.protocols = request.protocols.clone();
        member.member_id = new_id.to_string();
        member.client = request.client;
        member.client_id = request.client_id.clone();
        member.session_timeout_ms = request.session_timeout_ms;
        member.rebalance_timeout_ms = request.rebalance_timeout_ms;
        member.awaiting_join = false;
        member.awaiting_sync = false;
        if group.leader_id.as_deref() == Some(old_id) {
            group.leader_id = Some(new_id.to_string());
        }
        self.schedule_session(group, new_id, now, out);
        let selected_unchanged = group.select_protocol() == group.protocol_name;
        let rebalance = !(group.state == ClassicGroupState::Stable && selected_unchanged);
        out.fact(Fact::StaticMemberReplaced {
            group: group_id.clone(),
            group_instance_id: request.group_instance_id.clone().unwrap_or_default(),
            old_member_id: old_id.to_string(),
            new_member_id: new_id.to_string(),
            rebalance,
        });
        if !rebalance {
            // Persist the new member id, then answer with the current generation; a rejoining
            // leader is told to skip computing an assignment (KIP-814).
            let is_leader = group.leader_id.as_deref() == Some(new_id);
            let Some(member) = group.member(new_id) else { return };
            let response = group.join_response(member, is_leader);
            let record = self.group_record(group, now);
            let on_error = vec![(request.client, join_error(&group_id, "", ErrorCode::CoordinatorNotAvailable))];
            self.write(
                &group_id,
                vec![record],
                Completion::Respond { messages: vec![(request.client, response)], on_error },
                log,
                now,
                out,
            );
            return;
        }
        if let Some(member) = group.member_mut(new_id) {
            member.awaiting_join = true;
        }
        match group.state {
            ClassicGroupState::PreparingRebalance => self.try_complete_join(group, now, log, out),
            _ => self.prepare_rebalance(group, RebalanceReason::MemberRejoined, now, log, out),
        }
    }

    /// `prepareRebalance`: members must rejoin; from Empty the join phase waits
    /// `group.initial.rebalance.delay.ms`, otherwise at most the largest rebalance timeout.
    pub(super) fn prepare_rebalance(
        &mut self,
        group: &mut ClassicGroup,
        reason: RebalanceReason,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        if group.state == ClassicGroupState::CompletingRebalance {
            group.pending_assignment = None;
            for member in group.members.iter_mut().filter(|m| m.awaiting_sync) {
                member.awaiting_sync = false;
                out.send(member.client, sync_error(&group.group_id, ErrorCode::RebalanceInProgress));
            }
        }
        let initial = group.state == ClassicGroupState::Empty && self.config.group_initial_rebalance_delay_ms > 0;
        group.previous_state = group.state;
        group.state = ClassicGroupState::PreparingRebalance;
        group.join_token = self.token();
        out.fact(Fact::RebalanceStarted { group: group.group_id.clone(), generation_id: group.generation_id, reason });
        let timeout = group.max_rebalance_timeout_ms();
        let delay = if initial {
            let delay = self.config.group_initial_rebalance_delay_ms.min(timeout.max(1));
            group.initial_delay_remaining = Some(timeout.saturating_sub(delay));
            group.new_member_added = false;
            delay
        } else {
            group.initial_delay_remaining = None;
            timeout
        };
        out.timer(now + delay, Timer::Join { group_id: group.group_id.clone(), token: group.join_token });
        self.try_complete_join(group, now, log, out);
    }

    /// Completes the join phase early once every member rejoined (not during the initial delay).
    fn try_complete_join(
        &mut self,
        group: &mut ClassicGroup,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        if group.state == ClassicGroupState::PreparingRebalance
            && group.initial_delay_remaining.is_none()
            && group.all_members_joined()
        {
            self.complete_join(group, now, log, out);
        }
    }

    pub(super) fn join_timer(
        &mut self,
        group_id: &str,
        token: u64,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        self.with_group(group_id, |this, group| {
            if group.join_token != token || group.state != ClassicGroupState::PreparingRebalance {
                return;
            }
            if let Some(remaining) = group.initial_delay_remaining {
                if group.new_member_added && remaining > 0 {
                    // Another member arrived during the delay: wait once more (InitialDelayedJoin).
                    let delay = this.config.group_initial_rebalance_delay_ms.min(remaining);
                    group.initial_delay_remaining = Some(remaining - delay);
                    group.new_member_added = false;
                    group.join_token = this.token();
                    out.timer(now + delay, Timer::Join { group_id: group.group_id.clone(), token: group.join_token });
                    return;
                }
            }
            this.complete_join(group, now, log, out);
        });
    }

    /// `completeClassicGroupJoin`: drop members that did not rejoin, start the next generation,
    /// answer every JoinGroup (the leader gets all subscriptions).
    fn complete_join(
        &mut self,
        group: &mut ClassicGroup,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        group.initial_delay_remaining = None;
        let (joined, gone): (Vec<_>, Vec<_>) =
            std::mem::take(&mut group.members).into_iter().partition(|m| m.awaiting_join);
        group.members = joined;
        for member in gone {
            out.fact(Fact::MemberRemoved {
                group: group.group_id.clone(),
                member_id: member.member_id,
                reason: RemovalReason::NotRejoined,
            });
        }
        group.pending_members.clear();
        group.generation_id += 1;
        if group.members.is_empty() {
            group.state = ClassicGroupState::Empty;
            group.protocol_name = None;
            group.leader_id = None;
            let record = self.group_record(group, now);
            let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
            let group_id = group.group_id.clone();
            self.write(&group_id, vec![record], completion, log, now, out);
            return;
        }
        if group.leader_id.as_ref().is_none_or(|l| group.member(l).is_none()) {
            group.leader_id = group.members.first().map(|m| m.member_id.clone());
        }
        group.protocol_name = group.select_protocol();
        group.previous_state = group.state;
        group.state = ClassicGroupState::CompletingRebalance;
        out.fact(Fact::JoinCompleted {
            group: group.group_id.clone(),
            generation_id: group.generation_id,
            protocol_name: group.protocol_name.clone(),
            leader: group.leader_id.clone().unwrap_or_default(),
            members: group.members.iter().map(|m| m.member_id.clone()).collect(),
        });
        let ids: Vec<String> = group.members.iter().map(|m| m.member_id.clone()).collect();
        for id in &ids {
            if let Some(member) = group.member(id) {
                out.send(member.client, group.join_response(member, false));
            }
            if let Some(member) = group.member_mut(id) {
                member.awaiting_join = false;
            }
            self.schedule_session(group, id, now, out);
        }
        out.timer(
            now + group.max_rebalance_timeout_ms(),
            Timer::Sync { group_id: group.group_id.clone(), generation_id: group.generation_id },
        );
    }

    pub(super) fn sync_timer(
        &mut self,
        group_id: &str,
        generation_id: i32,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        self.with_group(group_id, |this, group| {
            if group.state != ClassicGroupState::CompletingRebalance || group.generation_id != generation_id {
                return;
            }
            let (synced, gone): (Vec<_>, Vec<_>) =
                std::mem::take(&mut group.members).into_iter().partition(|m| m.awaiting_sync);
            group.members = synced;
            for member in gone {
                out.fact(Fact::MemberRemoved {
                    group: group_id.to_string(),
                    member_id: member.member_id,
                    reason: RemovalReason::NotSynced,
                });
            }
            this.prepare_rebalance(group, RebalanceReason::SyncTimeout, now, log, out);
        });
    }

    /// `classicGroupSync`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sync_group(
        &mut self,
        client: NodeId,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        group_instance_id: Option<&str>,
        assignments: Vec<(String, Vec<TopicPartition>)>,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let result = if !self.is_coordinator_for(group_id) {
            Some(Err(ErrorCode::NotCoordinator))
        } else if self.consumer_groups.contains_key(group_id) {
            Some(self.classic_group_sync_to_consumer_group(
                client,
                group_id,
                generation_id,
                member_id,
                group_instance_id,
                now,
                out,
            ))
        } else {
            self.with_group(group_id, |this, group| {
                group.validate_member(member_id, group_instance_id)?;
                if generation_id != group.generation_id {
                    return Err(ErrorCode::IllegalGeneration);
                }
                match group.state {
                    ClassicGroupState::Empty | ClassicGroupState::Dead => Err(ErrorCode::UnknownMemberId),
                    ClassicGroupState::PreparingRebalance => Err(ErrorCode::RebalanceInProgress),
                    ClassicGroupState::Stable => {
                        let assignment = group.member(member_id).map(|m| m.assignment.clone()).unwrap_or_default();
                        this.schedule_session(group, member_id, now, out);
                        out.send(
                            client,
                            GroupMessage::SyncGroupResponse {
                                group_id: group_id.to_string(),
                                error: ErrorCode::None,
                                assignment,
                            },
                        );
                        Ok(())
                    }
                    ClassicGroupState::CompletingRebalance => {
                        if let Some(member) = group.member_mut(member_id) {
                            member.awaiting_sync = true;
                            member.client = client;
                        }
                        this.schedule_session(group, member_id, now, out);
                        if group.leader_id.as_deref() == Some(member_id) {
                            let mut proposed: BTreeMap<String, Vec<TopicPartition>> =
                                group.members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect();
                            for (id, partitions) in assignments {
                                if let Some(slot) = proposed.get_mut(&id) {
                                    *slot = partitions;
                                }
                            }
                            group.pending_assignment = Some(proposed);
                            let record = this.group_record(group, now);
                            let completion = Completion::Sync { group_id: group_id.to_string(), generation_id };
                            this.write(group_id, vec![record], completion, log, now, out);
                        }
                        Ok(())
                    }
                }
            })
            .or(Some(Err(ErrorCode::UnknownMemberId)))
        };
        if let Some(Err(error)) = result {
            self.reject(group_id, member_id, "SyncGroup", error, out);
            out.send(client, sync_error(group_id, error));
        }
    }

    /// The leader's assignment is committed: every member gets its partitions; Stable.
    pub(super) fn complete_sync(&mut self, group_id: &str, generation_id: i32, out: &mut Outbox<Timer>) {
        let Some(group) = self.groups.get_mut(group_id) else { return };
        if group.state != ClassicGroupState::CompletingRebalance || group.generation_id != generation_id {
            return;
        }
        let Some(assignment) = group.pending_assignment.take() else { return };
        for member in &mut group.members {
            member.assignment = assignment.get(&member.member_id).cloned().unwrap_or_default();
            if member.awaiting_sync {
                member.awaiting_sync = false;
                out.send(
                    member.client,
                    GroupMessage::SyncGroupResponse {
                        group_id: group_id.to_string(),
                        error: ErrorCode::None,
                        assignment: member.assignment.clone(),
                    },
                );
            }
        }
        group.previous_state = group.state;
        group.state = ClassicGroupState::Stable;
        out.fact(Fact::GenerationStable {
            group: group_id.to_string(),
            generation_id,
            assignment: group.members.iter().map(|m| (m.member_id.clone(), m.assignment.clone())).collect(),
        });
    }

    pub(super) fn fail_sync(
        &mut self,
        group_id: &str,
        generation_id: i32,
        error: ErrorCode,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        self.with_group(group_id, |this, group| {
            if group.state != ClassicGroupState::CompletingRebalance || group.generation_id != generation_id {
                return;
            }
            group.pending_assignment = None;
            for member in group.members.iter_mut().filter(|m| m.awaiting_sync) {
                member.awaiting_sync = false;
                out.send(member.client, sync_error(group_id, error));
            }
            this.prepare_rebalance(group, RebalanceReason::PersistFailed, now, log, out);
        });
    }

    /// `classicGroupHeartbeat`.
    pub(super) fn heartbeat(
        &mut self,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        group_instance_id: Option<&str>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> ErrorCode {
        if !self.is_coordinator_for(group_id) {
            return ErrorCode::NotCoordinator;
        }
        let result = if self.consumer_groups.contains_key(group_id) {
            Some(self.classic_group_heartbeat_to_consumer_group(
                group_id,
                generation_id,
                member_id,
                group_instance_id,
                now,
                out,
            ))
        } else {
            self.with_group(group_id, |this, group| {
                group.validate_member(member_id, group_instance_id)?;
                if generation_id != group.generation_id {
                    return Err(ErrorCode::IllegalGeneration);
                }
                match group.state {
                    ClassicGroupState::Empty | ClassicGroupState::Dead => Err(ErrorCode::UnknownMemberId),
                    ClassicGroupState::PreparingRebalance => {
                        this.schedule_session(group, member_id, now, out);
                        Err(ErrorCode::RebalanceInProgress)
                    }
                    _ => {
                        this.schedule_session(group, member_id, now, out);
                        Ok(())
                    }
                }
            })
        }
        .unwrap_or(Err(ErrorCode::UnknownMemberId));
        match result {
            Ok(()) => ErrorCode::None,
            Err(ErrorCode::RebalanceInProgress) => ErrorCode::RebalanceInProgress,
            Err(error) => {
                self.reject(group_id, member_id, "Heartbeat", error, out);
                error
            }
        }
    }

    /// `classicGroupLeave` for one member.
    pub(super) fn leave_group(
        &mut self,
        group_id: &str,
        member_id: &str,
        group_instance_id: Option<&str>,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) -> ErrorCode {
        if !self.is_coordinator_for(group_id) {
            return ErrorCode::NotCoordinator;
        }
        let result = if self.consumer_groups.contains_key(group_id) {
            Some(self.classic_group_leave_to_consumer_group(group_id, member_id, group_instance_id, now, log, out))
        } else {
            self.with_group(group_id, |this, group| {
                if group_instance_id.is_none() && group.pending_members.remove(member_id) {
                    this.try_complete_join(group, now, log, out);
                    return Ok(());
                }
                let id = match group_instance_id {
                    Some(instance) => match group.static_member_id(instance) {
                        None => return Err(ErrorCode::UnknownMemberId),
                        Some(known) if !member_id.is_empty() && known != member_id => {
                            return Err(ErrorCode::FencedInstanceId)
                        }
                        Some(known) => known.to_string(),
                    },
                    None if group.member(member_id).is_none() => return Err(ErrorCode::UnknownMemberId),
                    None => member_id.to_string(),
                };
                this.remove_member(group, &id, RemovalReason::LeaveGroup, now, log, out);
                Ok(())
            })
        }
        .unwrap_or(Err(ErrorCode::UnknownMemberId));
        match result {
            Ok(()) => ErrorCode::None,
            Err(error) => {
                self.reject(group_id, member_id, "LeaveGroup", error, out);
                error
            }
        }
    }

    fn remove_member(
        &mut self,
        group: &mut ClassicGroup,
        member_id: &str,
        reason: RemovalReason,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let Some(index) = group.members.iter().position(|m| m.member_id == member_id) else { return };
        let member = group.members.remove(index);
        if member.awaiting_join {
            out.send(member.client, join_error(&group.group_id, member_id, ErrorCode::UnknownMemberId));
        }
        if member.awaiting_sync {
            out.send(member.client, sync_error(&group.group_id, ErrorCode::UnknownMemberId));
        }
        out.fact(Fact::MemberRemoved { group: group.group_id.clone(), member_id: member_id.to_string(), reason });
        if group.leader_id.as_deref() == Some(member_id) {
            group.leader_id = group.members.first().map(|m| m.member_id.clone());
        }
        let rebalance_reason = match reason {
            RemovalReason::SessionTimeout => RebalanceReason::SessionTimeout,
            _ => RebalanceReason::MemberLeft,
        };
        match group.state {
            ClassicGroupState::Stable | ClassicGroupState::CompletingRebalance => {
                self.prepare_rebalance(group, rebalance_reason, now, log, out)
            }
            ClassicGroupState::PreparingRebalance => self.try_complete_join(group, now, log, out),
            ClassicGroupState::Empty | ClassicGroupState::Dead => {}
        }
    }

    pub(super) fn session_expired(
        &mut self,
        group_id: &str,
        member_id: &str,
        token: u64,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        self.with_group(group_id, |this, group| {
            // A member owed a JoinGroup or SyncGroup response is kept alive by that request.
            let expired = group
                .member(member_id)
                .is_some_and(|m| m.session_token == token && !m.awaiting_join && !m.awaiting_sync);
            if expired {
                this.remove_member(group, member_id, RemovalReason::SessionTimeout, now, log, out);
            }
        });
    }

    pub(super) fn pending_member_expired(
        &mut self,
        group_id: &str,
        member_id: &str,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        self.with_group(group_id, |this, group| {
            if group.pending_members.remove(member_id) {
                this.try_complete_join(group, now, log, out);
            }
        });
    }
}

fn member_ref<'a>(group: &'a ClassicGroup, member_id: &str) -> Result<&'a ClassicMember, ErrorCode> {
    group.member(member_id).ok_or(ErrorCode::UnknownMemberId)
}

#[cfg(test)]
mod tests {
    use super::super::{GroupCoordinatorConfig, InstantLog};
    use super::*;
    use crate::log::RecordBatch;
    use crate::protocol::{Message, OffsetCommitPartition};

    fn coordinator() -> (GroupCoordinator, InstantLog) {
        let config = GroupCoordinatorConfig {
            offsets_topic_num_partitions: 1,
            group_initial_rebalance_delay_ms: 0,
            ..Default::default()
        };
        let mut c = GroupCoordinator::new(1, config);
        let mut log = InstantLog::default();
        c.load(0, 0, std::iter::empty::<&RecordBatch>(), 0, &mut log, &mut Outbox::default());
        (c, log)
    }

    fn join(
        c: &mut GroupCoordinator,
        log: &mut InstantLog,
        member_id: &str,
        instance: Option<&str>,
    ) -> Option<GroupMessage> {
        let mut out = Outbox::default();
        let protocols = vec![JoinGroupProtocol {
            name: "range".into(),
            metadata: Subscription { topics: vec!["t".into()], owned_partitions: vec![], generation_id: -1 },
        }];
        let request = JoinRequest {
            client: NodeId::Client(9),
            member_id: member_id.into(),
            group_instance_id: instance.map(str::to_string),
            client_id: "c".into(),
            session_timeout_ms: 10_000,
            rebalance_timeout_ms: 30_000,
            protocol_type: "consumer".into(),
            protocols,
        };
        c.join_group("g", request, 0, log, &mut out);
        c.complete_writes(|_| Some(i64::MAX), &mut out);
        out.messages.pop().map(|(_, m)| match m {
            Message::Group(m) => m,
            other => panic!("the coordinator sent a {}", other.kind()),
        })
    }

    #[test]
    fn protocol_errors_use_kafkas_codes() {
        let (mut c, mut log) = coordinator();
        let mut out = Outbox::default();
        assert_eq!(c.heartbeat("g", 0, "ghost", None, 0, &mut out), ErrorCode::UnknownMemberId, "no such group");
        let GroupMessage::JoinGroupResponse { error, member_id, .. } = join(&mut c, &mut log, "", None).unwrap() else {
            panic!()
        };
        assert_eq!(error, ErrorCode::MemberIdRequired);
        let GroupMessage::JoinGroupResponse { error, generation_id, .. } =
            join(&mut c, &mut log, &member_id, None).unwrap()
        else {
            panic!()
        };
        assert_eq!((error, generation_id), (ErrorCode::None, 1), "one member: the join completes at once");
        assert_eq!(c.heartbeat("g", 7, &member_id, None, 0, &mut out), ErrorCode::IllegalGeneration);
        assert_eq!(c.heartbeat("g", 1, "ghost", None, 0, &mut out), ErrorCode::UnknownMemberId);
        assert_eq!(c.heartbeat("g", 1, &member_id, None, 0, &mut out), ErrorCode::None, "CompletingRebalance");
        c.offset_commit(
            NodeId::Client(9),
            0,
            "g",
            1,
            &member_id,
            None,
            vec![OffsetCommitPartition::without_epoch(TopicPartition::new("t", 0), 5)],
            0,
            &mut log,
            &mut out,
        );
        assert!(matches!(
            out.messages.last(),
            Some((_, Message::Group(GroupMessage::OffsetCommitResponse { partitions, .. }))) if partitions[0].1 == ErrorCode::RebalanceInProgress
        ));
        // A second member joins: the group prepares a rebalance and heartbeats say so.
        let GroupMessage::JoinGroupResponse { member_id: second, .. } = join(&mut c, &mut log, "", None).unwrap()
        else {
            panic!()
        };
        assert!(join(&mut c, &mut log, &second, None).is_none(), "held until everyone rejoined");
        assert_eq!(c.groups["g"].state, ClassicGroupState::PreparingRebalance);
        assert_eq!(c.heartbeat("g", 1, &member_id, None, 0, &mut out), ErrorCode::RebalanceInProgress);
        c.sync_group(NodeId::Client(9), "g", 1, &member_id, None, Vec::new(), 0, &mut log, &mut out);
        assert!(matches!(
            out.messages.last(),
            Some((_, Message::Group(GroupMessage::SyncGroupResponse { error: ErrorCode::RebalanceInProgress, .. })))
        ));
        assert_eq!(c.leave_group("g", "ghost", None, 0, &mut log, &mut out), ErrorCode::UnknownMemberId);
    }

    /// `ClassicGroup.validateOffsetCommit`: TxnOffsetCommit v0-2 carries no member id or
    /// generation (kafkajs sends v1): accepted in a group with members, where a plain commit
    /// without them is UNKNOWN_MEMBER_ID; and the group's state is not enforced for it.
    #[test]
    fn a_transactional_commit_without_member_id_is_accepted_in_a_group_with_members() {
        let (mut c, mut log) = coordinator();
        let GroupMessage::JoinGroupResponse { member_id, .. } = join(&mut c, &mut log, "", None).unwrap() else {
            panic!()
        };
        join(&mut c, &mut log, &member_id, None).unwrap();
        let group = &c.groups["g"];
        assert_eq!(group.state, ClassicGroupState::CompletingRebalance);
        assert_eq!(group.validate_offset_commit("", None, -1, false), Err(ErrorCode::UnknownMemberId));
        assert_eq!(group.validate_offset_commit("", None, -1, true), Ok(()));
        assert_eq!(group.validate_offset_commit(&member_id, None, 1, false), Err(ErrorCode::RebalanceInProgress));
        assert_eq!(group.validate_offset_commit(&member_id, None, 1, true), Ok(()));
        assert_eq!(group.validate_offset_commit(&member_id, None, 0, true), Err(ErrorCode::IllegalGeneration));
        assert_eq!(group.validate_offset_commit("ghost", None, 1, true), Err(ErrorCode::UnknownMemberId));
    }

    #[test]
    fn a_replaced_static_member_is_fenced() {
        let (mut c, mut log) = coordinator();
        let GroupMessage::JoinGroupResponse { member_id: first, .. } = join(&mut c, &mut log, "", Some("i1")).unwrap()
        else {
            panic!()
        };
        let GroupMessage::JoinGroupResponse { member_id: second, .. } = join(&mut c, &mut log, "", Some("i1")).unwrap()
        else {
            panic!()
        };
        assert_ne!(first, second);
        let mut out = Outbox::default();
        assert_eq!(c.heartbeat("g", 1, &first, Some("i1"), 0, &mut out), ErrorCode::FencedInstanceId);
        let GroupMessage::JoinGroupResponse { error, .. } = join(&mut c, &mut log, &first, Some("i1")).unwrap() else {
            panic!()
        };
        assert_eq!(error, ErrorCode::FencedInstanceId);
    }
}
