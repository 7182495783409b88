//! The leader's produce path: validation, idempotent sequence checks, append, and the produce
//! purgatory where acks=all requests wait for the ISR.

use super::producer_state::SequenceCheck;
use super::{Broker, Timer};
use crate::log::RecordBatch;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{Acks, ClientMessage, ErrorCode, PartitionProduceResponse, TopicPartition, TxnMessage};
use crate::sim::{Millis, NodeId};

/// A produce request waiting for the ISR to catch up (Kafka's produce purgatory).
#[derive(Debug, Clone)]
pub(super) struct DelayedProduce {
    pub client: NodeId,
    pub correlation_id: u64,
    /// Each partition's answer, and the offset the high watermark must pass first.
    pub partitions: Vec<(PartitionProduceResponse, Option<i64>)>,
    pub reply: ProduceReply,
}

/// What answers a settled append: a ProduceResponse, or (for the transaction coordinator's
/// markers, appended with acks=all too) a WriteTxnMarkersResponse.
#[derive(Debug, Clone)]
pub(super) enum ProduceReply {
    Produce,
    /// The producer id of each partition's marker, in the order of `partitions`.
    Markers {
        producer_ids: Vec<i64>,
    },
}

impl Broker {
    /// A ProduceRequest. A transactional producer's first batch on a partition in a transaction
    /// waits for the coordinator's verification first.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn handle_produce(
        &mut self,
        client: NodeId,
        correlation_id: u64,
        acks: Acks,
        timeout_ms: u64,
        transactional_id: Option<String>,
        batches: Vec<(TopicPartition, RecordBatch)>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let unverified: Vec<TopicPartition> =
            batches.iter().filter(|(tp, b)| self.needs_verification(tp, b)).map(|(tp, _)| tp.clone()).collect();
        match transactional_id {
            Some(transactional_id) if !unverified.is_empty() => self.verify_transaction(
                client,
                correlation_id,
                acks,
                timeout_ms,
                transactional_id,
                batches,
                unverified,
                now,
                out,
            ),
            // A transactional batch without a transactional id cannot be verified.
            None if !unverified.is_empty() => {
                let failed = Some((unverified, ErrorCode::InvalidTxnState));
                self.append_produce(client, correlation_id, acks, timeout_ms, batches, failed, now, out)
            }
            _ => self.append_produce(client, correlation_id, acks, timeout_ms, batches, None, now, out),
        }
    }

    /// Appends a produce request's batches (those in `failed` answer its error instead) and
    /// answers now or once the ISR has them.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn append_produce(
        &mut self,
        client: NodeId,
        correlation_id: u64,
        acks: Acks,
        timeout_ms: u64,
        batches: Vec<(TopicPartition, RecordBatch)>,
        failed: Option<(Vec<TopicPartition>, ErrorCode)>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let mut partitions = Vec::with_capacity(batches.len());
        let mut appended = Vec::new();
        // Only these partitions' high watermarks can move here (a leader alone in its ISR).
        let high_watermark =
            |broker: &Self, tp: &TopicPartition| broker.durable.replicas.get(tp).map(|r| r.high_watermark);
        let before: Vec<(TopicPartition, Option<i64>)> =
            batches.iter().map(|(tp, _)| (tp.clone(), high_watermark(self, tp))).collect();
        for (tp, batch) in batches {
            let (response, wait_for) = match &failed {
                Some((failed, error)) if failed.contains(&tp) => {
                    (PartitionProduceResponse { topic_partition: tp.clone(), error: *error, base_offset: -1 }, None)
                }
                _ => self.append_to_leader(&tp, batch, acks, now, out),
            };
            if response.error == ErrorCode::None && wait_for.is_some() {
                appended.push(tp);
            }
            partitions.push((response, wait_for));
        }
        for tp in appended {
            self.wake_delayed_fetches(&tp, out);
        }
        let moved: Vec<TopicPartition> =
            before.into_iter().filter(|(tp, hw)| high_watermark(self, tp) != *hw).map(|(tp, _)| tp).collect();
        self.after_high_watermark_moved(Some(&moved), now, out);
        let delayed = DelayedProduce { client, correlation_id, partitions, reply: ProduceReply::Produce };
        if acks == Acks::None {
            return;
        }
        if acks == Acks::Leader {
            self.respond_produce(delayed, out);
        } else {
            self.park_or_respond(delayed, timeout_ms, now, out);
        }
    }

    /// acks=all: answers a settled request now, or parks it until the ISR has it.
    pub(super) fn park_or_respond(
        &mut self,
        delayed: DelayedProduce,
        timeout_ms: u64,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        if self.produce_settled(&delayed) {
            self.respond_produce(delayed, out);
        } else {
            let (client, correlation_id) = (delayed.client, delayed.correlation_id);
            out.timer(now + timeout_ms, Timer::DelayedProduceTimeout { client, correlation_id });
            self.volatile.delayed_produces.push(delayed);
        }
    }

    /// Appends one partition's batch as its leader. Returns the answer and, for a successful
    /// append, the offset the high watermark must pass before acks=all may answer.
    fn append_to_leader(
        &mut self,
        tp: &TopicPartition,
        batch: RecordBatch,
        acks: Acks,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> (PartitionProduceResponse, Option<i64>) {
        let fail = |error| (PartitionProduceResponse { topic_partition: tp.clone(), error, base_offset: -1 }, None);
        let id = self.id;
        let Some(replica) = self.durable.replicas.get_mut(tp) else {
            return fail(if self.durable.image.partition(tp).is_some() {
                ErrorCode::NotLeaderOrFollower
            } else {
                ErrorCode::UnknownTopicOrPartition
            });
        };
        if replica.leader != id {
            return fail(ErrorCode::NotLeaderOrFollower);
        }
        if acks == Acks::All && (replica.isr.len() as i32) < replica.config.min_insync_replicas {
            return fail(ErrorCode::NotEnoughReplicas);
        }
        let count = batch.records.len() as i32;
        if batch.producer_id >= 0 {
            match replica.producer_state.check(
                batch.producer_id,
                batch.producer_epoch,
                batch.base_sequence,
                count,
                batch.is_transactional(),
            ) {
                SequenceCheck::Append => {}
                SequenceCheck::Duplicate { first_offset } => {
                    out.fact(Fact::DuplicateBatch {
                        topic_partition: tp.clone(),
                        broker: id,
                        producer_id: batch.producer_id,
                        base_sequence: batch.base_sequence,
                        base_offset: first_offset,
                    });
                    let last_offset = first_offset + count as i64 - 1;
                    return (
                        PartitionProduceResponse {
                            topic_partition: tp.clone(),
                            error: ErrorCode::None,
                            base_offset: first_offset,
                        },
                        Some(last_offset + 1),
                    );
                }
                SequenceCheck::OutOfOrder => return fail(ErrorCode::OutOfOrderSequenceNumber),
                SequenceCheck::InvalidEpoch => return fail(ErrorCode::InvalidProducerEpoch),
            }
        }
        match replica.append_as_leader(batch, now) {
            Ok(info) => {
                if let Some(roll) = &info.rolled {
                    out.fact(Fact::SegmentRolled {
                        topic_partition: tp.clone(),
                        broker: id,
                        base_offset: roll.new_base_offset,
                    });
                }
                out.fact(Fact::BatchAppended {
                    topic_partition: tp.clone(),
                    broker: id,
                    base_offset: info.first_offset,
                    last_offset: info.last_offset,
                    leader_epoch: replica.leader_epoch,
                });
                if let Some(from) = info.recompressed_from {
                    out.fact(Fact::BatchRecompressed {
                        topic_partition: tp.clone(),
                        broker: id,
                        base_offset: info.first_offset,
                        from,
                        to: replica.log.config().compression_type.target(from),
                        size_bytes: info.size_in_bytes,
                    });
                }
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

    /// Whether every partition of a delayed produce is settled: answered with an error,
    /// replicated to the whole ISR (high watermark past its last offset), or no longer led here.
    fn produce_settled(&self, delayed: &DelayedProduce) -> bool {
        delayed.partitions.iter().all(|(response, wait_for)| match wait_for {
            None => true,
            Some(offset) => self
                .durable
                .replicas
                .get(&response.topic_partition)
                .is_none_or(|r| r.high_watermark >= *offset || r.leader != self.id),
        })
    }

    fn respond_produce(&self, delayed: DelayedProduce, out: &mut Outbox<Timer>) {
        let partitions: Vec<PartitionProduceResponse> = delayed
            .partitions
            .into_iter()
            .map(|(mut response, wait_for)| {
                let replica = self.durable.replicas.get(&response.topic_partition);
                let lost_leadership = wait_for.is_some() && replica.is_none_or(|r| r.leader != self.id);
                // Kafka's checkEnoughReplicasReachOffset: replicated, but the ISR shrank below
                // min.insync.replicas meanwhile.
                let isr_too_small =
                    wait_for.is_some() && replica.is_some_and(|r| (r.isr.len() as i32) < r.config.min_insync_replicas);
                if lost_leadership {
                    // `ReplicaManager.getPartitionOrError`: a partition the metadata no longer
                    // has (its topic was deleted) is unknown, not led elsewhere.
                    let deleted = self.durable.image.partition(&response.topic_partition).is_none();
                    response.error =
                        if deleted { ErrorCode::UnknownTopicOrPartition } else { ErrorCode::NotLeaderOrFollower };
                    response.base_offset = -1;
                } else if isr_too_small {
                    response.error = ErrorCode::NotEnoughReplicasAfterAppend;
                    response.base_offset = -1;
                }
                response
            })
            .collect();
        let correlation_id = delayed.correlation_id;
        match delayed.reply {
            ProduceReply::Produce => {
                out.send(delayed.client, ClientMessage::ProduceResponse { correlation_id, partitions })
            }
            ProduceReply::Markers { producer_ids } => {
                let results = producer_ids
                    .into_iter()
                    .zip(partitions)
                    .map(|(pid, p)| (pid, p.topic_partition, p.error))
                    .collect();
                out.send(delayed.client, TxnMessage::WriteTxnMarkersResponse { correlation_id, results })
            }
        }
    }

    /// Answers every delayed produce that a new high watermark or a leadership change settled
    /// (`moved`: see [`Broker::after_high_watermark_moved`]).
    pub(super) fn complete_delayed_produces(
        &mut self,
        moved: Option<&[TopicPartition]>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let (done, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.volatile.delayed_produces).into_iter().partition(|d| self.produce_settled(d));
        self.volatile.delayed_produces = waiting;
        for delayed in done {
            self.respond_produce(delayed, out);
        }
        self.after_high_watermark_moved(moved, now, out);
    }

    /// `request.timeout.ms` passed: partitions still short of the ISR answer REQUEST_TIMED_OUT.
    pub(super) fn expire_delayed_produce(&mut self, client: NodeId, correlation_id: u64, out: &mut Outbox<Timer>) {
        let Some(index) = self
            .volatile
            .delayed_produces
            .iter()
            .position(|d| d.client == client && d.correlation_id == correlation_id)
        else {
            return;
        };
        let mut delayed = self.volatile.delayed_produces.remove(index);
        for (response, wait_for) in &mut delayed.partitions {
            let replicated = wait_for.is_none_or(|offset| {
                self.durable.replicas.get(&response.topic_partition).is_some_and(|r| r.high_watermark >= offset)
            });
            if !replicated {
                response.error = ErrorCode::RequestTimedOut;
                response.base_offset = -1;
                *wait_for = None;
            }
        }
        self.respond_produce(delayed, out);
    }
}
