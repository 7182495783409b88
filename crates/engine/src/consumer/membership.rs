//! The consumer's side of the consumer group protocol (KIP-848), as Kafka's
//! `ConsumerMembershipManager` and `ConsumerHeartbeatRequestManager` run it in the background
//! thread of `AsyncKafkaConsumer`: ConsumerGroupHeartbeat at the broker's pace, carrying the
//! subscription when joining and the owned partitions every time; a new assignment is
//! reconciled at once (auto-commit before revoking, then revoke, then assign) and acknowledged
//! with an immediate heartbeat. Nothing waits for the other members.

use super::config::GroupProtocol;
use super::{AfterCommit, Consumer, MemberState, Timer};
use crate::group::coordinator::consumer::{LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{ErrorCode, GroupMessage, TopicPartition};
use crate::sim::{Millis, NodeId};
use std::collections::BTreeSet;

/// Kafka 4.0's member id: a random `Uuid` in base64 (KIP-1082), here derived from the client
/// node so replays give the same id.
pub(super) fn client_member_id(node: u32) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x = 0x6b61_666b_616c_6162u64 ^ (node as u64) << 17;
    let mut next = || {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let bits = (next() as u128) << 64 | next() as u128;
    let sextet = |i: u32| if i < 21 { (bits >> (122 - 6 * i)) & 0x3f } else { (bits & 0x3) << 4 };
    (0..22).map(|i| ALPHABET[sextet(i) as usize] as char).collect()
}

impl Consumer {
    pub(super) fn uses_consumer_protocol(&self) -> bool {
        self.config.group_protocol == GroupProtocol::Consumer
    }

    /// Sends a ConsumerGroupHeartbeat now, or right after the one in flight is answered, and
    /// sets the next one `heartbeat_interval_ms` (the broker's) later.
    pub(super) fn send_group_heartbeat(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        self.restart_heartbeat_timer(self.heartbeat_interval_ms, now, out);
        let Some(c) = self.coordinator else { return };
        if self.heartbeat_sent_at.is_some() {
            self.heartbeat_again = true;
            return;
        }
        let joining = self.state == MemberState::Unjoined;
        let request = GroupMessage::ConsumerGroupHeartbeatRequest {
            group_id: self.config.group_id.clone(),
            member_id: self.member_id.clone(),
            member_epoch: if joining { 0 } else { self.generation_id },
            group_instance_id: self.config.group_instance_id.clone(),
            rebalance_timeout_ms: Some(self.config.max_poll_interval_ms),
            subscribed_topic_names: joining.then(|| self.topics.clone()),
            server_assignor: self.config.group_remote_assignor.map(|a| a.name().to_string()),
            owned_partitions: Some(self.assignment.iter().cloned().collect()),
        };
        self.heartbeat_sent_at = Some(now);
        self.send_request(c, request, now, out);
    }

    /// The heartbeat timer: a stalled application leaves the group (`max.poll.interval.ms`);
    /// otherwise the next heartbeat goes out.
    pub(super) fn group_heartbeat_tick(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let app_blocked = self.processing.is_some() || self.in_commit_sync;
        if app_blocked
            && self.state != MemberState::Unjoined
            && now.saturating_sub(self.last_poll_at) > self.config.max_poll_interval_ms
        {
            out.fact(Fact::PollIntervalExceeded {
                consumer: self.id,
                group: self.config.group_id.clone(),
                max_poll_interval_ms: self.config.max_poll_interval_ms,
            });
            self.lose_partitions(ErrorCode::UnknownMemberId, out);
            self.leave_consumer_group(out);
            self.restart_heartbeat_timer(self.heartbeat_interval_ms, now, out);
            return;
        }
        self.send_group_heartbeat(now, out);
    }

    /// `close()` or a stalled application: the leave heartbeat (epoch -1, or -2 for a static
    /// member, which keeps its partitions on the broker until its session times out).
    pub(super) fn leave_consumer_group(&mut self, out: &mut Outbox<Timer>) {
        if let (Some(c), false) = (self.coordinator, self.state == MemberState::Unjoined) {
            out.send(
                NodeId::Broker(c),
                GroupMessage::ConsumerGroupHeartbeatRequest {
                    group_id: self.config.group_id.clone(),
                    member_id: self.member_id.clone(),
                    member_epoch: if self.config.group_instance_id.is_some() {
                        LEAVE_GROUP_STATIC_MEMBER_EPOCH
                    } else {
                        LEAVE_GROUP_MEMBER_EPOCH
                    },
                    group_instance_id: self.config.group_instance_id.clone(),
                    rebalance_timeout_ms: Some(self.config.max_poll_interval_ms),
                    subscribed_topic_names: None,
                    server_assignor: None,
                    owned_partitions: None,
                },
            );
        }
        self.state = MemberState::Unjoined;
        self.generation_id = 0;
        self.target = None;
    }

    /// A heartbeat the coordinator accepted (consumer and share protocols): the interval it asks
    /// for, the member epoch, and Stable. A new interval restarts the heartbeat timer from this
    /// answer (`HeartbeatRequestState.updateHeartbeatIntervalMs`), so a newcomer's second
    /// heartbeat follows its first by the broker's interval, not the client's.
    pub(super) fn heartbeat_accepted(
        &mut self,
        member_epoch: i32,
        heartbeat_interval_ms: Millis,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        if heartbeat_interval_ms > 0 && heartbeat_interval_ms != self.heartbeat_interval_ms {
            self.heartbeat_interval_ms = heartbeat_interval_ms;
            self.restart_heartbeat_timer(heartbeat_interval_ms, now, out);
        }
        self.generation_id = member_epoch;
        self.state = MemberState::Stable;
    }

    /// A ConsumerGroupHeartbeat response.
    pub(super) fn on_group_heartbeat_response(
        &mut self,
        error: ErrorCode,
        member_epoch: i32,
        heartbeat_interval_ms: Millis,
        assignment: Option<Vec<TopicPartition>>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        self.heartbeat_sent_at = None;
        match error {
            ErrorCode::None => {
                self.heartbeat_accepted(member_epoch, heartbeat_interval_ms, now, out);
                if let Some(assignment) = assignment {
                    self.target = Some(assignment.into_iter().collect());
                }
                self.maybe_reconcile(now, out);
            }
            ErrorCode::FencedMemberEpoch | ErrorCode::UnknownMemberId => {
                // `transitionToFenced`: the partitions are lost, not revoked; rejoin at epoch 0.
                self.lose_partitions(error, out);
                self.state = MemberState::Unjoined;
                self.generation_id = 0;
                self.target = None;
                out.fact(Fact::RejoinRequested { consumer: self.id, group: self.config.group_id.clone(), error });
                self.heartbeat_again = true;
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => {
                self.coordinator = None;
                self.schedule_retry(now, out);
            }
            fatal => {
                self.lose_partitions(fatal, out);
                self.fatal = Some(fatal);
                return;
            }
        }
        if std::mem::take(&mut self.heartbeat_again) {
            self.send_group_heartbeat(now, out);
        }
    }

    /// Reconciles towards the last assignment received: commits first when partitions go and
    /// `enable.auto.commit` is on (`maybeAutoCommitSyncBeforeRevocation`).
    pub(super) fn maybe_reconcile(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let Some(target) = &self.target else { return };
        if self.reconciling || *target == self.assignment {
            return;
        }
        let revoking = !self.assignment.is_subset(target);
        if revoking && self.config.enable_auto_commit && !self.positions.is_empty() {
            self.reconciling = true;
            self.commit(false, AfterCommit::Reconcile, now, out);
        } else {
            self.finish_reconcile(now, out);
        }
    }

    /// Revokes what left the target, assigns what joined it, and acknowledges at once.
    pub(super) fn finish_reconcile(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        self.reconciling = false;
        let Some(target) = self.target.clone() else { return };
        let revoked: BTreeSet<TopicPartition> = self.assignment.difference(&target).cloned().collect();
        let added: BTreeSet<TopicPartition> = target.difference(&self.assignment).cloned().collect();
        if revoked.is_empty() && added.is_empty() {
            return;
        }
        if !revoked.is_empty() {
            out.fact(Fact::PartitionsRevoked {
                consumer: self.id,
                group: self.config.group_id.clone(),
                partitions: revoked.iter().cloned().collect(),
            });
            self.drop_partitions(&revoked);
        }
        for tp in &added {
            self.assignment.insert(tp.clone());
            self.awaiting_committed.insert(tp.clone());
        }
        out.fact(Fact::PartitionsAssigned {
            consumer: self.id,
            group: self.config.group_id.clone(),
            generation_id: self.generation_id,
            partitions: added.into_iter().collect(),
            assignment: self.assignment.iter().cloned().collect(),
        });
        self.send_group_heartbeat(now, out);
        self.wake_poll(now, out);
    }
}
