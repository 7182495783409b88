//! What a broker does for transactions: FindCoordinator (key type transaction), hosting the
//! transaction coordinator on the `__transaction_state` partitions it leads, verifying a
//! producer's transaction with its coordinator before the first transactional append to a
//! partition (transactions version 2, KIP-890: the coordinator adds the partition), and
//! appending the coordinator's COMMIT and ABORT markers (WriteTxnMarkers).

use super::internal_log::InternalLog;
use super::produce::{DelayedProduce, ProduceReply};
use super::{Broker, BrokerState, Timer};
use crate::group::offsets::OFFSETS_TOPIC;
use crate::log::control::{ControlRecordType, EndTransactionMarker};
use crate::log::{Record, RecordBatch};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{Acks, ErrorCode, PartitionProduceResponse, TopicPartition, TxnMarker, TxnMessage};
use crate::sim::{Millis, NodeId};
use crate::txn::coordinator::{self, TxnLog};
use crate::txn::log::{partition_for, TRANSACTION_STATE_TOPIC};
use std::collections::BTreeMap;

/// A produce request waiting for its transaction to be verified by the coordinator.
#[derive(Debug, Clone)]
pub(super) struct VerifyingProduce {
    client: NodeId,
    correlation_id: u64,
    acks: Acks,
    timeout_ms: u64,
    batches: Vec<(TopicPartition, RecordBatch)>,
    /// The partitions the coordinator is asked to add.
    partitions: Vec<TopicPartition>,
    coordinator: i32,
}

/// The broker's `__transaction_state` leader replicas, as the coordinator's log.
struct TxnReplicas<'a> {
    log: InternalLog<'a>,
    next_producer_id: &'a mut i64,
    offsets_topic_partitions: i32,
}

impl TxnLog for TxnReplicas<'_> {
    /// Transaction log writes use acks=all (`transaction.state.log.min.isr`).
    fn append(&mut self, partition: i32, record: Record, now: Millis) -> Result<i64, ErrorCode> {
        let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, partition);
        self.log.append(tp, now, |replica| replica.append_as_leader(RecordBatch::new(vec![record]), now))
    }

    fn allocate_producer_id(&mut self) -> i64 {
        *self.next_producer_id += 1;
        *self.next_producer_id - 1
    }

    fn offsets_topic_partitions(&self) -> i32 {
        self.offsets_topic_partitions
    }
}

fn forward(from: Outbox<coordinator::Timer>, out: &mut Outbox<Timer>) {
    for (to, message) in from.messages {
        out.send(to, message);
    }
    for (at, timer) in from.timers {
        out.timer(at, Timer::Txn(timer));
    }
    for fact in from.facts {
        out.fact(fact);
    }
}

impl Broker {
    /// Runs a transaction coordinator step with this broker's `__transaction_state` replicas as
    /// its log, then replicates what it wrote, sends the markers that are due, and completes
    /// writes already committed.
    fn with_txn_coordinator(
        &mut self,
        now: Millis,
        out: &mut Outbox<Timer>,
        f: impl FnOnce(&mut coordinator::TransactionCoordinator, &mut dyn TxnLog, &mut Outbox<coordinator::Timer>),
    ) {
        let mut step = Outbox::default();
        let mut log = TxnReplicas {
            log: InternalLog::new(
                self.id,
                &mut self.durable.replicas,
                &self.durable.image,
                self.config.replica_lag_time_max_ms,
            ),
            next_producer_id: &mut self.durable.next_producer_id,
            offsets_topic_partitions: self.config.group_coordinator.offsets_topic_num_partitions,
        };
        f(&mut self.volatile.txn_coordinator, &mut log, &mut step);
        let (facts, appended) = (log.log.facts, log.log.appended);
        for fact in facts {
            out.fact(fact);
        }
        let cache = &self.durable.metadata_cache;
        let leader_of = |tp: &TopicPartition| cache.iter().find(|m| &m.topic_partition == tp).map_or(-1, |m| m.leader);
        self.volatile.txn_coordinator.send_markers(leader_of, now, &mut step);
        forward(step, out);
        for tp in &appended {
            self.wake_delayed_fetches(tp, out);
        }
        if !appended.is_empty() {
            self.complete_txn_writes(now, out);
        }
    }

    /// Applies the coordinator's writes that the high watermark passed.
    pub(super) fn complete_txn_writes(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if !self.volatile.txn_coordinator.has_pending_writes() {
            return;
        }
        let id = self.id;
        let high_watermarks: BTreeMap<i32, i64> = self
            .durable
            .replicas
            .iter()
            .filter(|(tp, r)| tp.topic == TRANSACTION_STATE_TOPIC && r.leader == id)
            .map(|(tp, r)| (tp.partition, r.high_watermark))
            .collect();
        self.with_txn_coordinator(now, out, |c, log, step| {
            c.complete_writes(|p| high_watermarks.get(&p).copied(), now, log, step)
        });
    }

    /// FindCoordinator for a transactional id: the leader of its `__transaction_state` partition.
    fn find_txn_coordinator(&self, from: NodeId, transactional_id: String, out: &mut Outbox<Timer>) {
        let leader = self.txn_coordinator_of(&transactional_id);
        let error = if leader >= 0 { ErrorCode::None } else { ErrorCode::CoordinatorNotAvailable };
        out.send(from, TxnMessage::FindCoordinatorResponse { transactional_id, error, node_id: leader });
    }

    /// The broker this broker's metadata names as the transactional id's coordinator (-1: none).
    fn txn_coordinator_of(&self, transactional_id: &str) -> i32 {
        let partitions = self.config.txn_coordinator.num_partitions;
        let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, partition_for(transactional_id, partitions));
        self.durable.metadata_cache.iter().find(|m| m.topic_partition == tp).map_or(-1, |m| m.leader)
    }

    /// Transaction requests and the answers brokers send each other.
    pub(super) fn on_txn_message(&mut self, from: NodeId, message: TxnMessage, now: Millis, out: &mut Outbox<Timer>) {
        match message {
            TxnMessage::FindCoordinatorRequest { transactional_id } => {
                self.find_txn_coordinator(from, transactional_id, out)
            }
            request @ (TxnMessage::InitProducerIdRequest { .. }
            | TxnMessage::AddPartitionsToTxnRequest { .. }
            | TxnMessage::AddOffsetsToTxnRequest { .. }
            | TxnMessage::EndTxnRequest { .. }) => {
                self.with_txn_coordinator(now, out, |c, log, step| c.on_request(from, request, now, log, step))
            }
            TxnMessage::WriteTxnMarkersRequest { correlation_id, markers } => {
                self.write_txn_markers(from, correlation_id, markers, now, out)
            }
            TxnMessage::AddPartitionsToTxnResponse { correlation_id, error } => {
                if let Some(parked) = self.volatile.verifying_produces.remove(&correlation_id) {
                    self.resume_verified_produce(parked, error, now, out);
                }
            }
            TxnMessage::WriteTxnMarkersResponse { correlation_id, results } => {
                self.with_txn_coordinator(now, out, |c, log, step| {
                    c.on_markers_response(correlation_id, results, now, log, step)
                })
            }
            TxnMessage::FindCoordinatorResponse { .. }
            | TxnMessage::InitProducerIdResponse { .. }
            | TxnMessage::AddOffsetsToTxnResponse { .. }
            | TxnMessage::EndTxnResponse { .. } => {
                out.fact(Fact::MessageMisrouted { from, to: NodeId::Broker(self.id), kind: message.kind() })
            }
        }
    }

    pub(super) fn on_txn_timer(&mut self, timer: coordinator::Timer, now: Millis, out: &mut Outbox<Timer>) {
        self.with_txn_coordinator(now, out, |c, log, step| c.on_timer(timer, now, log, step));
    }

    /// Whether a transactional batch must be verified before it is appended: the partition is led
    /// here and the producer has no open transaction on it in this epoch.
    pub(super) fn needs_verification(&self, tp: &TopicPartition, batch: &RecordBatch) -> bool {
        batch.is_transactional()
            && self.durable.replicas.get(tp).is_some_and(|r| {
                r.leader == self.id && !r.txn_state.has_ongoing(batch.producer_id, batch.producer_epoch)
            })
    }

    /// Parks a produce request and asks the coordinator to verify the transaction and add the
    /// partitions (AddPartitionsToTxn from the partition leader, transactions version 2).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn verify_transaction(
        &mut self,
        client: NodeId,
        correlation_id: u64,
        acks: Acks,
        timeout_ms: u64,
        transactional_id: String,
        batches: Vec<(TopicPartition, RecordBatch)>,
        partitions: Vec<TopicPartition>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let coordinator = self.txn_coordinator_of(&transactional_id);
        let (producer_id, producer_epoch) = batches
            .iter()
            .find(|(_, b)| b.is_transactional())
            .map_or((-1, -1), |(_, b)| (b.producer_id, b.producer_epoch));
        let parked = VerifyingProduce { client, correlation_id, acks, timeout_ms, batches, partitions, coordinator };
        if coordinator < 0 {
            self.resume_verified_produce(parked, ErrorCode::CoordinatorNotAvailable, now, out);
            return;
        }
        self.next_token += 1;
        let token = self.next_token;
        out.send(
            NodeId::Broker(coordinator),
            TxnMessage::AddPartitionsToTxnRequest {
                correlation_id: token,
                transactional_id,
                producer_id,
                producer_epoch,
                partitions: parked.partitions.clone(),
            },
        );
        out.timer(now + timeout_ms, Timer::VerificationTimeout { token });
        self.volatile.verifying_produces.insert(token, parked);
    }

    /// The coordinator answered (or did not in time): append what was verified; the partitions
    /// of a failed verification get an error the producer understands. As Kafka's
    /// `AddPartitionsToTxnManager` does for produce, coordinator trouble becomes the retriable
    /// NOT_ENOUGH_REPLICAS, and a fenced producer INVALID_PRODUCER_EPOCH.
    fn resume_verified_produce(
        &mut self,
        parked: VerifyingProduce,
        error: ErrorCode,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let error = match error {
            ErrorCode::None => None,
            ErrorCode::ProducerFenced | ErrorCode::InvalidProducerEpoch => Some(ErrorCode::InvalidProducerEpoch),
            ErrorCode::InvalidTxnState | ErrorCode::InvalidProducerIdMapping => Some(error),
            _ => Some(ErrorCode::NotEnoughReplicas),
        };
        let failed = error.map(|e| (parked.partitions, e));
        self.append_produce(
            parked.client,
            parked.correlation_id,
            parked.acks,
            parked.timeout_ms,
            parked.batches,
            failed,
            now,
            out,
        );
    }

    pub(super) fn expire_verification(&mut self, token: u64, now: Millis, out: &mut Outbox<Timer>) {
        if let Some(parked) = self.volatile.verifying_produces.remove(&token) {
            self.resume_verified_produce(parked, ErrorCode::RequestTimedOut, now, out);
        }
    }

    /// The connection to `peer` broke: verifications waiting for it fail (the producer
    /// retries), and the coordinator sends its markers to it again later.
    pub(super) fn txn_peer_disconnected(&mut self, peer: i32, now: Millis, out: &mut Outbox<Timer>) {
        let lost: Vec<u64> = self
            .volatile
            .verifying_produces
            .iter()
            .filter(|(_, p)| p.coordinator == peer)
            .map(|(token, _)| *token)
            .collect();
        for token in lost {
            if let Some(parked) = self.volatile.verifying_produces.remove(&token) {
                self.resume_verified_produce(parked, ErrorCode::NetworkException, now, out);
            }
        }
        self.with_txn_coordinator(now, out, |c, _, step| c.on_disconnect(peer, now, step));
    }

    /// WriteTxnMarkers on a partition leader: append each marker (acks=all) and answer once
    /// the markers are replicated.
    fn write_txn_markers(
        &mut self,
        coordinator: NodeId,
        correlation_id: u64,
        markers: Vec<TxnMarker>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let mut partitions = Vec::new();
        let mut producer_ids = Vec::new();
        let mut appended = Vec::new();
        let mut offsets_markers = Vec::new();
        for marker in &markers {
            for tp in &marker.partitions {
                let (response, wait_for) = self.append_marker(tp, marker, now, out);
                if wait_for.is_some() {
                    appended.push(tp.clone());
                    if tp.topic == OFFSETS_TOPIC {
                        offsets_markers.push((tp.partition, marker.producer_id, marker.committed));
                    }
                }
                producer_ids.push(marker.producer_id);
                partitions.push((response, wait_for));
            }
        }
        for tp in &appended {
            self.wake_delayed_fetches(tp, out);
        }
        // A marker on `__consumer_offsets` decides the transaction's offsets at its coordinator.
        if !offsets_markers.is_empty() {
            self.with_coordinator(now, out, |c, _, step| {
                for (partition, producer_id, committed) in offsets_markers {
                    c.complete_txn(partition, producer_id, committed, step);
                }
            });
        }
        let delayed = DelayedProduce {
            client: coordinator,
            correlation_id,
            partitions,
            reply: ProduceReply::Markers { producer_ids },
        };
        self.park_or_respond(delayed, self.config.txn_coordinator.request_timeout_ms, now, out);
        self.after_high_watermark_moved(None, now, out);
    }

    fn append_marker(
        &mut self,
        tp: &TopicPartition,
        marker: &TxnMarker,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> (PartitionProduceResponse, Option<i64>) {
        let fail = |error| (PartitionProduceResponse { topic_partition: tp.clone(), error, base_offset: -1 }, None);
        let id = self.id;
        let Some(replica) = self.durable.replicas.get_mut(tp).filter(|r| r.leader == id) else {
            return fail(if self.durable.image.partition(tp).is_some() {
                ErrorCode::NotLeaderOrFollower
            } else {
                ErrorCode::UnknownTopicOrPartition
            });
        };
        if replica.txn_state.coordinator_epoch(marker.producer_id).is_some_and(|e| e > marker.coordinator_epoch) {
            return fail(ErrorCode::TransactionCoordinatorFenced);
        }
        if (replica.isr.len() as i32) < replica.config.min_insync_replicas {
            return fail(ErrorCode::NotEnoughReplicas);
        }
        let control_type = if marker.committed { ControlRecordType::Commit } else { ControlRecordType::Abort };
        let batch = EndTransactionMarker { control_type, coordinator_epoch: marker.coordinator_epoch }.to_batch(
            marker.producer_id,
            marker.producer_epoch,
            now as i64,
        );
        match replica.append_as_coordinator(batch, now) {
            Ok(info) => {
                out.fact(Fact::BatchAppended {
                    topic_partition: tp.clone(),
                    broker: id,
                    base_offset: info.first_offset,
                    last_offset: info.last_offset,
                    leader_epoch: replica.leader_epoch,
                });
                out.fact(Fact::TxnMarkerWritten {
                    topic_partition: tp.clone(),
                    broker: id,
                    producer_id: marker.producer_id,
                    committed: marker.committed,
                    offset: info.first_offset,
                });
                let lag_max = self.config.replica_lag_time_max_ms;
                if let Some(fact) = replica.advance_high_watermark(id, now, lag_max, &self.durable.image) {
                    out.fact(fact);
                }
                (
                    PartitionProduceResponse {
                        topic_partition: tp.clone(),
                        error: ErrorCode::None,
                        base_offset: info.first_offset,
                    },
                    Some(info.last_offset + 1),
                )
            }
            Err(error) => fail(error),
        }
    }

    /// Loads or unloads transaction coordinator state to match this broker's
    /// `__transaction_state` leadership (called after every metadata change).
    pub(crate) fn sync_txn_coordinator(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if self.state == BrokerState::Dead {
            return;
        }
        let changes =
            self.coordinator_changes(TRANSACTION_STATE_TOPIC, self.volatile.txn_coordinator.loaded_partitions());
        for (partition, epoch) in changes {
            match epoch {
                Some(coordinator_epoch) => {
                    let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, partition);
                    let records: Vec<Record> = self.durable.replicas.get(&tp).map_or_else(Vec::new, |r| {
                        r.log.batches().flat_map(|b| b.batch.records.iter().map(|r| r.record.clone())).collect()
                    });
                    self.with_txn_coordinator(now, out, |c, _, step| {
                        c.load(partition, coordinator_epoch, records.iter(), now, step)
                    });
                }
                None => self.with_txn_coordinator(now, out, |c, _, step| c.unload(partition, now, step)),
            }
        }
    }
}
