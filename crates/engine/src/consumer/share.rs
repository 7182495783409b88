//! The share consumer (KIP-932, Kafka 4.1's `KafkaShareConsumer`: `ShareHeartbeatRequestManager`,
//! `ShareMembershipManager`, `ShareConsumeRequestManager`), chosen here with
//! `group.protocol=share`. It joins a share group with ShareGroupHeartbeat, takes the partitions
//! the coordinator gives it (no revocation: they may be shared), and fetches with ShareFetch from
//! each partition's leader, which acquires records for it. The application processes each poll's
//! records and acknowledges each explicitly: ACCEPT, or RELEASE for a record it fails on; the
//! acknowledgements ride on the next ShareFetch, or on a ShareAcknowledge when no fetch goes to
//! that leader. Positions and commits do not exist: the share partition keeps the state.

use super::{Consumer, MemberState, Timer};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{
    AcknowledgeType, ClientMessage, ErrorCode, GroupMessage, ShareAcknowledgement, ShareFetchPartition, TopicPartition,
};
use crate::sim::{Millis, NodeId};
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A share consumer's records and acknowledgements between the application and the leaders.
#[derive(Debug, Clone, Default)]
pub struct ShareSession {
    /// Acquired records not yet returned by `poll()`: partition, offset, key.
    buffer: VecDeque<(TopicPartition, i64, Option<Vec<u8>>)>,
    /// The keys of the records the application is processing.
    processing: BTreeMap<(TopicPartition, i64), Option<Vec<u8>>>,
    /// Acknowledgements waiting to be sent to their partition's leader.
    pending: Vec<ShareAcknowledgement>,
    /// Leaders with a ShareFetch in flight.
    pub(super) fetching: BTreeSet<i32>,
    /// Records the application failed on and released.
    pub released: u64,
}

impl Consumer {
    pub(crate) fn is_share_consumer(&self) -> bool {
        self.config.group_protocol == super::config::GroupProtocol::Share
    }

    /// Sends a ShareGroupHeartbeat (joining with epoch 0 and the subscription) unless one is in
    /// flight, and sets the next one at the broker's `group.share.heartbeat.interval.ms`.
    pub(super) fn send_share_heartbeat(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        self.restart_heartbeat_timer(self.heartbeat_interval_ms, now, out);
        let Some(c) = self.coordinator else { return };
        if self.heartbeat_sent_at.is_some() {
            return;
        }
        let joining = self.state == MemberState::Unjoined;
        let request = GroupMessage::ShareGroupHeartbeatRequest {
            group_id: self.config.group_id.clone(),
            member_id: self.member_id.clone(),
            member_epoch: if joining { 0 } else { self.generation_id },
            subscribed_topic_names: joining.then(|| self.topics.clone()),
        };
        self.heartbeat_sent_at = Some(now);
        self.send_request(c, request, now, out);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_share_heartbeat_response(
        &mut self,
        error: ErrorCode,
        member_epoch: i32,
        heartbeat_interval_ms: Millis,
        assignment: Option<Vec<TopicPartition>>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        self.heartbeat_sent_at = None;
        match error {
            ErrorCode::None => {
                self.heartbeat_accepted(member_epoch, heartbeat_interval_ms, now, out);
                if let Some(partitions) = assignment {
                    let partitions: BTreeSet<TopicPartition> = partitions.into_iter().collect();
                    if partitions != self.assignment {
                        self.assignment = partitions.clone();
                        out.fact(Fact::ShareAssignmentReceived {
                            consumer: self.id,
                            group: self.config.group_id.clone(),
                            partitions: partitions.into_iter().collect(),
                        });
                    }
                }
                self.wake_poll(now, out);
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable | ErrorCode::CoordinatorLoadInProgress => {
                self.coordinator_lost(now, rng, out)
            }
            ErrorCode::UnknownMemberId | ErrorCode::FencedMemberEpoch => {
                // The coordinator forgot the member (a failover) or fenced it: join again.
                self.state = MemberState::Unjoined;
                self.generation_id = 0;
                self.send_share_heartbeat(now, out);
            }
            fatal => self.fatal = Some(fatal),
        }
    }

    /// `poll()` of a share consumer: join if needed, fetch when the buffer is empty, hand the
    /// application up to `max.poll.records` acquired records.
    pub(super) fn share_poll(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if self.coordinator.is_some() && self.state == MemberState::Unjoined && self.heartbeat_sent_at.is_none() {
            self.send_share_heartbeat(now, out);
        }
        self.send_share_requests(now, out);
        let take = self.config.max_poll_records.min(self.share.buffer.len());
        let records: Vec<(TopicPartition, i64, Option<Vec<u8>>)> = self.share.buffer.drain(..take).collect();
        if records.is_empty() {
            self.wait_in_poll(now, out);
            return;
        }
        let partitions: BTreeSet<TopicPartition> = records.iter().map(|(tp, _, _)| tp.clone()).collect();
        out.fact(Fact::ConsumerPolled {
            consumer: self.id,
            records: records.len(),
            partitions: partitions.into_iter().collect(),
        });
        self.polled_records += records.len() as u64;
        let mut batch = Vec::with_capacity(records.len());
        for (tp, offset, key) in records {
            self.share.processing.insert((tp.clone(), offset), key);
            batch.push((tp, offset));
        }
        self.begin_processing(batch, now, out);
    }

    /// The application finished its records: ACCEPT each, RELEASE the ones it failed on.
    pub(super) fn share_processing_done(
        &mut self,
        records: Vec<(TopicPartition, i64)>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        for (tp, offset) in records {
            let key = self.share.processing.remove(&(tp.clone(), offset)).flatten();
            let failed = self.app.fail_on_key.as_deref().is_some_and(|k| key.as_deref() == Some(k.as_bytes()));
            let kind = if failed {
                self.share.released += 1;
                AcknowledgeType::Release
            } else {
                self.processed_records += 1;
                AcknowledgeType::Accept
            };
            self.share.pending.push(ShareAcknowledgement { topic_partition: tp, offset, kind });
        }
        self.schedule_poll(now, out);
    }

    /// A ShareFetch to every leader of an assigned partition (when the buffer is empty), carrying
    /// that leader's acknowledgements; the other acknowledgements go in a ShareAcknowledge.
    fn send_share_requests(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let mut acks: BTreeMap<i32, Vec<ShareAcknowledgement>> = BTreeMap::new();
        let mut unrouted = Vec::new();
        for ack in std::mem::take(&mut self.share.pending) {
            match self.leaders.get(&ack.topic_partition) {
                Some(leader) => acks.entry(*leader).or_default().push(ack),
                None => unrouted.push(ack),
            }
        }
        self.share.pending = unrouted;
        let mut fetch: BTreeMap<i32, Vec<TopicPartition>> = BTreeMap::new();
        if self.share.buffer.is_empty() && self.state == MemberState::Stable {
            for tp in &self.assignment {
                if let Some(leader) = self.leaders.get(tp).filter(|l| !self.share.fetching.contains(l)) {
                    fetch.entry(*leader).or_default().push(tp.clone());
                }
            }
        }
        for (leader, partitions) in fetch {
            let acknowledgements = acks.remove(&leader).unwrap_or_default();
            self.share.fetching.insert(leader);
            let request = ClientMessage::ShareFetchRequest {
                group_id: self.config.group_id.clone(),
                member_id: self.member_id.clone(),
                max_records: self.config.max_poll_records as u32,
                partitions,
                acknowledgements,
            };
            self.send_request(leader, request, now, out);
        }
        for (leader, acknowledgements) in acks {
            let request = ClientMessage::ShareAcknowledgeRequest {
                group_id: self.config.group_id.clone(),
                member_id: self.member_id.clone(),
                acknowledgements,
                closing: false,
            };
            self.send_request(leader, request, now, out);
        }
    }

    pub(super) fn on_share_fetch_response(
        &mut self,
        broker: i32,
        partitions: Vec<ShareFetchPartition>,
        acknowledge_errors: Vec<(TopicPartition, i64, ErrorCode)>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        self.share.fetching.remove(&broker);
        // Kafka hands these to the acknowledgement commit callback: the records' locks had
        // expired, so another member may have them now.
        let _ = acknowledge_errors;
        let mut stale_metadata = false;
        for partition in partitions {
            if partition.error != ErrorCode::None {
                stale_metadata |= partition.error.invalidates_metadata();
                continue;
            }
            for record in partition.acquired {
                self.share.buffer.push_back((partition.topic_partition.clone(), record.offset, record.key));
            }
        }
        if stale_metadata {
            self.request_metadata(now, rng, out);
        }
        self.wake_poll(now, out);
    }

    /// `close()`: the pending acknowledgements and the end of the share session go to every
    /// leader (releasing what the member still holds), then the leave heartbeat.
    pub(super) fn close_share_session(&mut self, out: &mut Outbox<Timer>) {
        let mut by_leader: BTreeMap<i32, Vec<ShareAcknowledgement>> = BTreeMap::new();
        for tp in &self.assignment {
            if let Some(leader) = self.leaders.get(tp) {
                by_leader.entry(*leader).or_default();
            }
        }
        for ack in std::mem::take(&mut self.share.pending) {
            if let Some(leader) = self.leaders.get(&ack.topic_partition) {
                by_leader.entry(*leader).or_default().push(ack);
            }
        }
        for (leader, acknowledgements) in by_leader {
            out.send(
                NodeId::Broker(leader),
                ClientMessage::ShareAcknowledgeRequest {
                    group_id: self.config.group_id.clone(),
                    member_id: self.member_id.clone(),
                    acknowledgements,
                    closing: true,
                },
            );
        }
        if let (Some(c), false) = (self.coordinator, self.state == MemberState::Unjoined) {
            out.send(
                NodeId::Broker(c),
                GroupMessage::ShareGroupHeartbeatRequest {
                    group_id: self.config.group_id.clone(),
                    member_id: self.member_id.clone(),
                    member_epoch: crate::group::coordinator::share::LEAVE_SHARE_GROUP_EPOCH,
                    subscribed_topic_names: None,
                },
            );
        }
        self.state = MemberState::Unjoined;
    }
}
