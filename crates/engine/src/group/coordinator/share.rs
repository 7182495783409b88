//! Share groups at the group coordinator (KIP-932, Kafka 4.1's `GroupMetadataManager.shareGroupHeartbeat`
//! with `ShareGroup` and `ShareGroupMember`): members join with epoch 0 and their subscription,
//! the coordinator bumps the group epoch and recomputes the target assignment with the `simple`
//! assignor, and every member gets its partitions on its next heartbeat. There is no revocation
//! step: a share partition hands each record to one member at a time, so two members may hold
//! the same partition at once.
//!
//! Knowingly different: the share group's own records in `__consumer_offsets`
//! (`ShareGroupMetadata`, `ShareGroupMemberMetadata`, the target assignment) are not written, so
//! a new coordinator after a failover starts the group afresh (members rejoin after
//! UNKNOWN_MEMBER_ID); the records' states live in `__share_group_state`, which is what a
//! failover must keep.

use super::{GroupCoordinator, Timer};
use crate::group::share::assignor::assign_simple;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{ErrorCode, GroupMessage, TopicPartition};
use crate::sim::{Millis, NodeId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The leave epoch of a ShareGroupHeartbeat.
pub const LEAVE_SHARE_GROUP_EPOCH: i32 = -1;

/// A share group's member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareMember {
    pub member_id: String,
    #[serde(skip)]
    pub client: NodeId,
    /// The group epoch of the assignment the member was last sent.
    pub member_epoch: i32,
    pub subscribed_topics: BTreeSet<String>,
    pub assignment: BTreeSet<TopicPartition>,
    #[serde(skip)]
    session_token: u64,
}

/// A share group (`ShareGroup`): its epoch and members, in member-id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareGroup {
    pub group_id: String,
    pub group_epoch: i32,
    pub members: BTreeMap<String, ShareMember>,
    /// The partition counts the assignment was computed with: a new partition bumps the epoch.
    assigned_with: BTreeMap<String, i32>,
}

/// A ShareGroupHeartbeat as the coordinator reads it.
pub struct ShareHeartbeat {
    pub client: NodeId,
    pub member_id: String,
    pub member_epoch: i32,
    pub subscribed_topic_names: Option<Vec<String>>,
}

impl ShareGroup {
    fn new(group_id: String) -> Self {
        ShareGroup { group_id, group_epoch: 0, members: BTreeMap::new(), assigned_with: BTreeMap::new() }
    }

    /// Bumps the epoch and gives every member its target partitions.
    fn reassign(&mut self, topics: &BTreeMap<String, i32>) {
        self.group_epoch += 1;
        let subscribed: BTreeSet<&String> = self.members.values().flat_map(|m| &m.subscribed_topics).collect();
        let counts: BTreeMap<String, i32> =
            topics.iter().filter(|(t, _)| subscribed.contains(t)).map(|(t, n)| (t.clone(), *n)).collect();
        let ids: BTreeSet<String> = self.members.keys().cloned().collect();
        let assignment = assign_simple(&ids, &counts);
        for (id, member) in self.members.iter_mut() {
            member.assignment = assignment
                .get(id)
                .into_iter()
                .flatten()
                .filter(|tp| member.subscribed_topics.contains(tp.topic.as_str()))
                .cloned()
                .collect();
        }
        self.assigned_with = counts;
    }
}

impl GroupCoordinator {
    /// ShareGroupHeartbeat: join, stay, leave, with the member's assignment when it changed.
    pub(super) fn share_group_heartbeat(
        &mut self,
        group_id: &str,
        request: ShareHeartbeat,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let client = request.client;
        let member_id = request.member_id.clone();
        let response = match self.share_group_heartbeat_inner(group_id, request, now, out) {
            Ok(response) => response,
            Err(error) => {
                self.reject(group_id, &member_id, "ShareGroupHeartbeat", error, out);
                GroupMessage::ShareGroupHeartbeatResponse {
                    group_id: group_id.to_string(),
                    error,
                    member_id,
                    member_epoch: -1,
                    heartbeat_interval_ms: 0,
                    assignment: None,
                }
            }
        };
        out.send(client, response);
    }

    fn share_group_heartbeat_inner(
        &mut self,
        group_id: &str,
        request: ShareHeartbeat,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<GroupMessage, ErrorCode> {
        if !self.is_coordinator_for(group_id) {
            return Err(ErrorCode::NotCoordinator);
        }
        if request.member_id.is_empty() {
            return Err(ErrorCode::UnknownMemberId);
        }
        // Share groups and consumer groups share one namespace of group ids.
        if self.groups.contains_key(group_id) || self.consumer_groups.contains_key(group_id) {
            return Err(ErrorCode::GroupIdNotFound);
        }
        let heartbeat_interval_ms = self.config.group_share_heartbeat_interval_ms;
        let topics = self.topic_partitions.clone();
        let leaving = request.member_epoch == LEAVE_SHARE_GROUP_EPOCH;
        if leaving {
            self.remove_share_member(group_id, &request.member_id, false, out);
            return Ok(GroupMessage::ShareGroupHeartbeatResponse {
                group_id: group_id.to_string(),
                error: ErrorCode::None,
                member_id: request.member_id,
                member_epoch: LEAVE_SHARE_GROUP_EPOCH,
                heartbeat_interval_ms,
                assignment: None,
            });
        }
        let token = self.token();
        let group =
            self.share_groups.entry(group_id.to_string()).or_insert_with(|| ShareGroup::new(group_id.to_string()));
        let mut changed = false;
        match group.members.get(&request.member_id) {
            None if request.member_epoch != 0 => return Err(ErrorCode::UnknownMemberId),
            Some(member) if request.member_epoch != 0 && request.member_epoch > member.member_epoch => {
                return Err(ErrorCode::FencedMemberEpoch)
            }
            None => {
                group.members.insert(
                    request.member_id.clone(),
                    ShareMember {
                        member_id: request.member_id.clone(),
                        client: request.client,
                        member_epoch: 0,
                        subscribed_topics: BTreeSet::new(),
                        assignment: BTreeSet::new(),
                        session_token: 0,
                    },
                );
                changed = true;
            }
            Some(_) => {}
        }
        let member = group.members.get_mut(&request.member_id).expect("present");
        member.client = request.client;
        member.session_token = token;
        if request.member_epoch == 0 {
            // A rejoin is sent its assignment again.
            member.member_epoch = 0;
        }
        if let Some(names) = &request.subscribed_topic_names {
            let names: BTreeSet<String> = names.iter().cloned().collect();
            if names != member.subscribed_topics {
                member.subscribed_topics = names;
                changed = true;
            }
        }
        let subscribed: BTreeSet<&String> = group.members.values().flat_map(|m| &m.subscribed_topics).collect();
        let counts: BTreeMap<String, i32> =
            topics.iter().filter(|(t, _)| subscribed.contains(t)).map(|(t, n)| (t.clone(), *n)).collect();
        if changed || counts != group.assigned_with {
            group.reassign(&topics);
            if changed {
                out.fact(Fact::ShareMemberJoined {
                    group: group_id.to_string(),
                    member_id: request.member_id.clone(),
                    group_epoch: group.group_epoch,
                    members: group.members.len(),
                });
            }
        }
        let group_epoch = group.group_epoch;
        let member = group.members.get_mut(&request.member_id).expect("present");
        let assignment = (member.member_epoch != group_epoch).then(|| member.assignment.iter().cloned().collect());
        member.member_epoch = group_epoch;
        out.timer(
            now + self.config.group_share_session_timeout_ms,
            Timer::ShareSession { group_id: group_id.to_string(), member_id: request.member_id.clone(), token },
        );
        Ok(GroupMessage::ShareGroupHeartbeatResponse {
            group_id: group_id.to_string(),
            error: ErrorCode::None,
            member_id: request.member_id,
            member_epoch: group_epoch,
            heartbeat_interval_ms,
            assignment,
        })
    }

    /// `group.share.session.timeout.ms` passed without a heartbeat from the member.
    pub(super) fn share_session_expired(
        &mut self,
        group_id: &str,
        member_id: &str,
        token: u64,
        out: &mut Outbox<Timer>,
    ) {
        let live = self
            .share_groups
            .get(group_id)
            .and_then(|g| g.members.get(member_id))
            .is_some_and(|m| m.session_token == token);
        if live {
            self.remove_share_member(group_id, member_id, true, out);
        }
    }

    fn remove_share_member(&mut self, group_id: &str, member_id: &str, expired: bool, out: &mut Outbox<Timer>) {
        let topics = self.topic_partitions.clone();
        let Some(group) = self.share_groups.get_mut(group_id) else { return };
        if group.members.remove(member_id).is_none() {
            return;
        }
        group.reassign(&topics);
        out.fact(Fact::ShareMemberLeft {
            group: group_id.to_string(),
            member_id: member_id.to_string(),
            group_epoch: group.group_epoch,
            expired,
        });
    }

    /// Share groups this coordinator serves, for the view.
    pub fn share_groups(&self) -> impl Iterator<Item = &ShareGroup> {
        self.share_groups.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::coordinator::{GroupCoordinatorConfig, InstantLog};

    fn coordinator() -> GroupCoordinator {
        let config = GroupCoordinatorConfig { offsets_topic_num_partitions: 1, ..GroupCoordinatorConfig::default() };
        let mut c = GroupCoordinator::new(1, config);
        c.load(0, 0, std::iter::empty(), 0, &mut InstantLog::default(), &mut Outbox::default());
        c.set_topic_partitions([("jobs".to_string(), 2)].into_iter().collect());
        c
    }

    /// A heartbeat's answer: error, epoch and the assigned partitions (if sent).
    type Answer = (ErrorCode, i32, Option<Vec<i32>>);

    /// Sends a heartbeat; returns its answer and the facts.
    fn heartbeat(c: &mut GroupCoordinator, member: &str, epoch: i32, topics: Option<&[&str]>) -> (Answer, Vec<Fact>) {
        let mut out = Outbox::default();
        let request = ShareHeartbeat {
            client: NodeId::Client(7),
            member_id: member.to_string(),
            member_epoch: epoch,
            subscribed_topic_names: topics.map(|t| t.iter().map(|s| s.to_string()).collect()),
        };
        c.share_group_heartbeat("queue", request, 0, &mut out);
        let (_, message) = out.messages.pop().expect("a response");
        let crate::protocol::Message::Group(GroupMessage::ShareGroupHeartbeatResponse {
            error,
            member_epoch,
            assignment,
            ..
        }) = message
        else {
            panic!("unexpected {message:?}")
        };
        let partitions = assignment.map(|a| a.into_iter().map(|tp| tp.partition).collect());
        ((error, member_epoch, partitions), out.facts)
    }

    #[test]
    fn more_members_than_partitions_all_get_one_and_share() {
        let mut c = coordinator();
        let (first, facts) = heartbeat(&mut c, "a", 0, Some(&["jobs"]));
        assert_eq!(first, (ErrorCode::None, 1, Some(vec![0, 1])));
        assert!(matches!(facts[0], Fact::ShareMemberJoined { group_epoch: 1, members: 1, .. }));
        heartbeat(&mut c, "b", 0, Some(&["jobs"]));
        let (third, _) = heartbeat(&mut c, "c", 0, Some(&["jobs"]));
        assert_eq!(third, (ErrorCode::None, 3, Some(vec![0])));
        // "a" learns its new assignment on its next heartbeat, at the new epoch.
        assert_eq!(heartbeat(&mut c, "a", 1, None).0, (ErrorCode::None, 3, Some(vec![0])));
        assert_eq!(heartbeat(&mut c, "a", 3, None).0, (ErrorCode::None, 3, None));
        let group = c.share_groups().next().unwrap();
        let sharing_p0 = group.members.values().filter(|m| m.assignment.contains(&TopicPartition::new("jobs", 0)));
        assert_eq!(sharing_p0.count(), 2);
    }

    #[test]
    fn unknown_members_and_future_epochs_are_refused() {
        let mut c = coordinator();
        assert_eq!(heartbeat(&mut c, "ghost", 4, None).0 .0, ErrorCode::UnknownMemberId);
        heartbeat(&mut c, "a", 0, Some(&["jobs"]));
        assert_eq!(heartbeat(&mut c, "a", 9, None).0 .0, ErrorCode::FencedMemberEpoch);
        assert_eq!(heartbeat(&mut c, "", 0, None).0 .0, ErrorCode::UnknownMemberId);
    }

    #[test]
    fn leaving_and_session_expiry_hand_the_partitions_to_the_others() {
        let mut c = coordinator();
        heartbeat(&mut c, "a", 0, Some(&["jobs"]));
        heartbeat(&mut c, "b", 0, Some(&["jobs"]));
        let (left, facts) = heartbeat(&mut c, "a", LEAVE_SHARE_GROUP_EPOCH, None);
        assert_eq!(left.1, LEAVE_SHARE_GROUP_EPOCH);
        assert!(matches!(facts[0], Fact::ShareMemberLeft { expired: false, .. }));
        assert_eq!(heartbeat(&mut c, "b", 2, None).0, (ErrorCode::None, 3, Some(vec![0, 1])));
        let token = c.share_groups["queue"].members["b"].session_token;
        let mut out = Outbox::default();
        c.share_session_expired("queue", "b", token + 1, &mut out);
        assert!(out.facts.is_empty(), "a stale session timer does nothing");
        c.share_session_expired("queue", "b", token, &mut out);
        assert!(matches!(out.facts[0], Fact::ShareMemberLeft { expired: true, .. }));
        assert!(c.share_groups["queue"].members.is_empty());
    }

    #[test]
    fn a_classic_group_id_is_not_a_share_group() {
        let mut c = coordinator();
        c.groups.insert("queue".to_string(), super::super::classic::ClassicGroup::new("queue".to_string()));
        assert_eq!(heartbeat(&mut c, "a", 0, Some(&["jobs"])).0 .0, ErrorCode::GroupIdNotFound);
    }
}
