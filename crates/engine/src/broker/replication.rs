//! Replication between brokers: followers fetch from leaders, leaders track their followers,
//! move the high watermark, and ask the controller to shrink or expand the ISR; a follower whose
//! log diverged from its leader's truncates by leader epoch (KIP-101, KIP-279, KIP-320).

use super::replica::{isr_eligible, PendingIsr, Replica};
use super::{Broker, Timer, TruncationMode};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{
    ControllerMessage, ErrorCode, FetchPartition, PartitionFetchResponse, ReplicationMessage, TopicPartition,
};
use crate::sim::{Millis, NodeId};

/// A follower fetch with nothing to return yet (Kafka's fetch purgatory).
#[derive(Debug, Clone)]
pub(super) struct DelayedFetch {
    pub token: u64,
    pub partitions: Vec<FetchPartition>,
}

/// A follower's fetch awaiting its answer: what it asked for, per partition.
#[derive(Debug, Clone)]
pub(super) struct FetchInFlight {
    pub token: u64,
    /// (fetch offset, leader epoch) at the time of the request, sorted by partition (the order
    /// the request lists them in), searched by binary search.
    requested: Vec<(TopicPartition, (i64, i32))>,
}

impl Broker {
    /// Leader side of a follower's fetch: check epochs and divergence, record how far the follower
    /// got, move the high watermark, then answer now or park until data arrives.
    pub(super) fn handle_fetch(
        &mut self,
        replica_id: i32,
        replica_epoch: i64,
        max_wait_ms: u64,
        partitions: Vec<FetchPartition>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let mut hw_moved = Vec::new();
        for p in &partitions {
            // One look-up per partition: with 10,000 partitions the replica map's look-ups are
            // much of a fetch's cost.
            let Some(replica) = self.durable.replicas.get_mut(&p.topic_partition) else { continue };
            if diverging_epoch(replica, p).is_some() || replica.leader != self.id {
                continue;
            }
            if p.current_leader_epoch != replica.leader_epoch {
                continue;
            }
            if p.fetch_offset > replica.log.log_end_offset() {
                continue;
            }
            replica.record_follower_fetch(replica_id, p.fetch_offset, replica_epoch, now);
            let lag_max = self.config.replica_lag_time_max_ms;
            if let Some(fact) = replica.advance_high_watermark(self.id, now, lag_max, &self.durable.image) {
                out.fact(fact);
                hw_moved.push(p.topic_partition.clone());
            }
            // `maybe_expand_isr` looks again; only a follower that may join the ISR gets there.
            let may_expand = replica.pending_isr.is_none()
                && !replica.caught_up_outsiders(isr_eligible(&self.durable.image)).is_empty();
            if may_expand {
                self.maybe_expand_isr(&p.topic_partition, out);
            }
        }
        if !hw_moved.is_empty() {
            self.complete_delayed_produces(Some(&hw_moved), now, out);
        }
        let response = self.read_for_follower(&partitions);
        let has_data =
            response.iter().any(|p| p.error != ErrorCode::None || p.diverging_epoch.is_some() || !p.batches.is_empty());
        if has_data || max_wait_ms == 0 {
            out.send(NodeId::Broker(replica_id), ReplicationMessage::FetchResponse { partitions: response });
        } else {
            self.next_token += 1;
            let token = self.next_token;
            self.volatile.delayed_fetches.insert(replica_id, DelayedFetch { token, partitions });
            out.timer(now + max_wait_ms, Timer::DelayedFetchTimeout { replica_id, token });
        }
    }

    fn read_for_follower(&self, partitions: &[FetchPartition]) -> Vec<PartitionFetchResponse> {
        let max_bytes = self.config.replica_fetch_max_bytes as u64;
        partitions
            .iter()
            .map(|p| {
                let mut response = PartitionFetchResponse::empty(p.topic_partition.clone());
                let Some(replica) = self.durable.replicas.get(&p.topic_partition).filter(|r| r.leader == self.id)
                else {
                    response.error = ErrorCode::NotLeaderOrFollower;
                    return response;
                };
                response.high_watermark = replica.high_watermark;
                response.log_start_offset = replica.log.log_start_offset();
                response.log_end_offset = replica.log.log_end_offset();
                if p.current_leader_epoch < replica.leader_epoch {
                    response.error = ErrorCode::FencedLeaderEpoch;
                } else if p.current_leader_epoch > replica.leader_epoch {
                    response.error = ErrorCode::UnknownLeaderEpoch;
                } else if let Some(diverging) = diverging_epoch(replica, p) {
                    // As `Partition.readRecords`: an epoch this log cannot place is out of range.
                    match diverging {
                        (-1, _) | (_, -1) => response.error = ErrorCode::OffsetOutOfRange,
                        _ => response.diverging_epoch = Some(diverging),
                    }
                } else {
                    match replica.log.read(p.fetch_offset, max_bytes, replica.log.log_end_offset()) {
                        Ok(batches) => response.batches = batches,
                        Err(e) => response.error = ErrorCode::from(&e),
                    }
                }
                response
            })
            .collect()
    }

    /// New data on `tp`: answer the followers whose fetch was parked waiting for it.
    pub(crate) fn wake_delayed_fetches(&mut self, tp: &TopicPartition, out: &mut Outbox<Timer>) {
        let waiting: Vec<i32> = self
            .volatile
            .delayed_fetches
            .iter()
            .filter(|(_, d)| d.partitions.iter().any(|p| &p.topic_partition == tp))
            .map(|(id, _)| *id)
            .collect();
        for replica_id in waiting {
            self.answer_delayed_fetch(replica_id, out);
        }
    }

    pub(super) fn answer_delayed_fetch(&mut self, replica_id: i32, out: &mut Outbox<Timer>) {
        if let Some(delayed) = self.volatile.delayed_fetches.remove(&replica_id) {
            let partitions = self.read_for_follower(&delayed.partitions);
            out.send(NodeId::Broker(replica_id), ReplicationMessage::FetchResponse { partitions });
        }
    }

    /// As a follower: truncate where the log diverged, append what the leader sent, take its
    /// high watermark, and fetch again.
    pub(super) fn handle_fetch_response(
        &mut self,
        leader: i32,
        partitions: Vec<PartitionFetchResponse>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        // An answer nobody waits for (its fetch timed out or its connection broke) is dropped.
        let Some(Some(in_flight)) = self.volatile.fetching_from.insert(leader, None) else {
            return;
        };
        let mut failed = false;
        // Only these partitions' high watermarks can move here: the parked consumer fetches that
        // ask for none of them are not compared below.
        let high_watermark =
            |broker: &Self, tp: &TopicPartition| broker.durable.replicas.get(tp).map(|r| r.high_watermark);
        let before: Vec<(TopicPartition, Option<i64>)> =
            partitions.iter().map(|p| (p.topic_partition.clone(), high_watermark(self, &p.topic_partition))).collect();
        for p in partitions {
            let id = self.id;
            // As Kafka's fetcher thread does, apply data only to a partition still where it was
            // when asked: a truncation or a new leader epoch since then makes the answer stale.
            let requested = in_flight
                .requested
                .binary_search_by(|(tp, _)| tp.cmp(&p.topic_partition))
                .ok()
                .map(|at| in_flight.requested[at].1);
            let Some(replica) = self.durable.replicas.get_mut(&p.topic_partition).filter(|r| {
                r.leader == leader && r.leader != id && requested == Some((r.log.log_end_offset(), r.leader_epoch))
            }) else {
                continue;
            };
            if let Some((epoch, end_offset)) = p.diverging_epoch {
                let before = replica.log.log_end_offset();
                replica.truncate_to(replica.truncation_offset_for_diverging_epoch(epoch, end_offset));
                out.fact(Fact::LogTruncated {
                    topic_partition: p.topic_partition.clone(),
                    broker: id,
                    from_offset: before,
                    to_offset: replica.log.log_end_offset(),
                    leader_epoch: epoch,
                });
                continue;
            }
            match p.error {
                ErrorCode::None => {}
                ErrorCode::OffsetOutOfRange
                    if replica.log.log_end_offset() > p.log_end_offset && p.log_end_offset >= 0 =>
                {
                    // The pre-KIP-101 path: a follower ahead of its leader cuts back to the leader's end.
                    let before = replica.log.log_end_offset();
                    replica.truncate_to(p.log_end_offset);
                    out.fact(Fact::LogTruncated {
                        topic_partition: p.topic_partition.clone(),
                        broker: id,
                        from_offset: before,
                        to_offset: replica.log.log_end_offset(),
                        leader_epoch: -1,
                    });
                    continue;
                }
                _ => {
                    failed = true;
                    continue;
                }
            }
            if p.log_start_offset > replica.log.log_end_offset() {
                replica.log.truncate_fully_and_start_at(p.log_start_offset);
                replica.leader_epoch_cache.clear();
            }
            for batch in p.batches {
                if replica.append_as_follower(batch).is_err() {
                    failed = true;
                    break;
                }
            }
            replica.update_follower_high_watermark(p.high_watermark);
            replica.adopt_leader_log_start_offset(p.log_start_offset);
        }
        // A follower serving consumers (KIP-392) answers their parked fetches as its HW moves.
        let moved: Vec<TopicPartition> =
            before.into_iter().filter(|(tp, hw)| high_watermark(self, tp) != *hw).map(|(tp, _)| tp).collect();
        self.wake_parked_consumer_fetches_for(&moved, now, out);
        let delay = if failed { self.config.replica_fetch_backoff_ms } else { 0 };
        out.timer(now + delay, Timer::Fetch { leader });
    }

    /// One FetchRequest to `leader` for every partition this broker follows from it.
    pub(super) fn send_fetch(&mut self, leader: i32, now: Millis, out: &mut Outbox<Timer>) {
        let legacy = self.config.truncation == TruncationMode::HighWatermark;
        let followed = self.durable.by_leader.get(&leader).into_iter().flatten();
        debug_assert!(followed.clone().eq(self
            .durable
            .replicas
            .iter()
            .filter(|(_, r)| r.leader == leader)
            .map(|(tp, _)| tp)));
        if leader == self.id || followed.clone().next().is_none() {
            self.volatile.fetching_from.remove(&leader);
            return;
        }
        if self.volatile.fetching_from.get(&leader).is_some_and(Option::is_some) {
            return;
        }
        let partitions: Vec<FetchPartition> = followed
            .filter_map(|tp| self.durable.replicas.get(tp).map(|r| (tp, r)))
            .map(|(tp, r)| FetchPartition {
                topic_partition: tp.clone(),
                fetch_offset: r.log.log_end_offset(),
                last_fetched_epoch: if legacy { -1 } else { r.last_epoch() },
                current_leader_epoch: r.leader_epoch,
            })
            .collect();
        self.next_token += 1;
        let token = self.next_token;
        let requested: Vec<(TopicPartition, (i64, i32))> =
            partitions.iter().map(|p| (p.topic_partition.clone(), (p.fetch_offset, p.current_leader_epoch))).collect();
        debug_assert!(requested.windows(2).all(|w| w[0].0 < w[1].0), "a fetch lists its partitions in order");
        self.volatile.fetching_from.insert(leader, Some(FetchInFlight { token, requested }));
        out.send(
            NodeId::Broker(leader),
            ReplicationMessage::FetchRequest {
                replica_id: self.id,
                replica_epoch: self.volatile.broker_epoch,
                max_wait_ms: self.config.replica_fetch_wait_max_ms,
                partitions,
            },
        );
        out.timer(now + self.config.replica_socket_timeout_ms, Timer::FetchTimeout { leader, token });
    }

    /// Makes sure a fetcher runs for `leader`.
    pub(super) fn ensure_fetcher(&mut self, leader: i32, now: Millis, out: &mut Outbox<Timer>) {
        if leader >= 0 && leader != self.id && !self.volatile.fetching_from.contains_key(&leader) {
            self.volatile.fetching_from.insert(leader, None);
            out.timer(now, Timer::Fetch { leader });
        }
    }

    /// The periodic ISR check (`replica.lag.time.max.ms / 2`): ask the controller to drop
    /// followers that have not caught up for `replica.lag.time.max.ms`.
    pub(super) fn shrink_isrs(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let lag_max = self.config.replica_lag_time_max_ms;
        let id = self.id;
        // An AlterPartition still unanswered after a whole check interval was lost: send it again
        // (Kafka's `AlterPartitionManager` retries until answered), keeping its members in the
        // maximal ISR; dropping them would let the high watermark pass a follower the controller
        // may already have committed into the ISR.
        let requests: Vec<(TopicPartition, Vec<i32>)> = self
            .durable
            .replicas
            .iter()
            .filter(|(_, r)| r.leader == id)
            .filter_map(|(tp, r)| match &r.pending_isr {
                Some(pending) => (!pending.answered).then(|| (tp.clone(), pending.isr.clone())),
                None => {
                    let out_of_sync = r.out_of_sync_replicas(id, now, lag_max);
                    (!out_of_sync.is_empty())
                        .then(|| (tp.clone(), r.isr.iter().copied().filter(|b| !out_of_sync.contains(b)).collect()))
                }
            })
            .collect();
        for (tp, new_isr) in requests {
            self.send_alter_partition(&tp, new_isr, out);
        }
    }

    /// A follower outside the ISR that caught up is proposed back in.
    fn maybe_expand_isr(&mut self, tp: &TopicPartition, out: &mut Outbox<Timer>) {
        let Some(replica) = self.durable.replicas.get(tp).filter(|r| r.pending_isr.is_none()) else { return };
        let joining = replica.caught_up_outsiders(isr_eligible(&self.durable.image));
        if joining.is_empty() {
            return;
        }
        let mut new_isr = replica.isr.clone();
        new_isr.extend(joining);
        self.send_alter_partition(tp, new_isr, out);
    }

    fn send_alter_partition(&mut self, tp: &TopicPartition, new_isr: Vec<i32>, out: &mut Outbox<Timer>) {
        let Some(controller) = self.raft.volatile.leader else { return };
        let Some(replica) = self.durable.replicas.get_mut(tp) else { return };
        replica.pending_isr = Some(PendingIsr { isr: new_isr.clone(), answered: false });
        let (id, own_epoch) = (self.id, self.volatile.broker_epoch);
        let broker_epochs = new_isr
            .iter()
            .map(|b| if *b == id { own_epoch } else { replica.followers.get(b).map_or(-1, |f| f.broker_epoch) })
            .collect();
        out.send(
            NodeId::Broker(controller),
            ControllerMessage::AlterPartitionRequest {
                broker_id: self.id,
                topic_partition: tp.clone(),
                leader_epoch: replica.leader_epoch,
                partition_epoch: replica.partition_epoch,
                new_isr,
                broker_epochs,
            },
        );
    }

    /// The controller's answer (`Partition.handleAlterPartitionError`): adopt the committed ISR,
    /// which may let the high watermark move. INELIGIBLE_REPLICA means nothing was applied: back
    /// to the committed ISR. NOT_CONTROLLER is asked again; a stale request (FENCED_LEADER_EPOCH,
    /// INVALID_UPDATE_VERSION, ...) keeps its proposal until the metadata brings the newer state.
    pub(super) fn handle_alter_partition_response(
        &mut self,
        tp: &TopicPartition,
        error: ErrorCode,
        registration: Option<crate::protocol::metadata::PartitionRegistration>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let id = self.id;
        let Some(replica) = self.durable.replicas.get_mut(tp) else { return };
        match error {
            ErrorCode::None | ErrorCode::IneligibleReplica => replica.pending_isr = None,
            ErrorCode::NotController => {}
            _ => {
                if let Some(pending) = replica.pending_isr.as_mut() {
                    pending.answered = true;
                }
            }
        }
        let current = |r: &crate::protocol::metadata::PartitionRegistration| {
            error == ErrorCode::None
                && r.leader_epoch == replica.leader_epoch
                && r.partition_epoch > replica.partition_epoch
        };
        if let Some(registration) = registration.filter(current) {
            replica.isr = registration.isr;
            replica.partition_epoch = registration.partition_epoch;
            let lag_max = self.config.replica_lag_time_max_ms;
            if let Some(fact) = replica.advance_high_watermark(id, now, lag_max, &self.durable.image) {
                out.fact(fact);
            }
            self.complete_delayed_produces(None, now, out);
        }
    }
}

/// Kafka's fetch validation: where the fetcher's last epoch ends in the leader's log; if the
/// fetcher is past that, its log diverged and it must truncate.
fn diverging_epoch(replica: &Replica, p: &FetchPartition) -> Option<(i32, i64)> {
    if p.last_fetched_epoch < 0 || p.fetch_offset == 0 {
        return None;
    }
    let (epoch, end_offset) = replica.end_offset_for_epoch(p.last_fetched_epoch);
    (epoch != p.last_fetched_epoch || end_offset < p.fetch_offset).then_some((epoch, end_offset))
}
