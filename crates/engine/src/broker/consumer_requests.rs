//! What a broker does for consumers: FindCoordinator, hosting the group coordinator on the
//! `__consumer_offsets` partitions it leads, consumer fetches (reading below the high watermark,
//! long-polling up to `fetch.max.wait.ms` for `fetch.min.bytes`; on a follower for a consumer
//! with a `client.rack`, KIP-392) and ListOffsets.

use super::internal_log::InternalLog;
use super::{Broker, BrokerState, Timer};
use crate::group::coordinator::{self, OffsetsLog};
use crate::group::offsets::{partition_for_group, OFFSETS_TOPIC};
use crate::log::{Record, RecordBatch};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{
    ClientMessage, EpochEndOffset, ErrorCode, FetchPartition, GroupMessage, IsolationLevel, ListOffsetsPartition,
    OffsetForLeaderPartition, PartitionFetchResponse, TopicPartition,
};
use crate::sim::{Millis, NodeId};
use std::collections::BTreeMap;

/// Kafka's `max.partition.fetch.bytes` default: the most one partition returns per fetch.
const MAX_PARTITION_FETCH_BYTES: u64 = 1_048_576;

/// Consumer fetches waiting for data (the consumer side of Kafka's fetch purgatory).
#[derive(Debug, Clone, Default)]
pub struct ConsumerFetchPurgatory {
    next_token: u64,
    parked: BTreeMap<u64, ParkedFetch>,
}

/// What a consumer's FetchRequest asks for.
#[derive(Debug, Clone)]
pub(super) struct ConsumerFetch {
    pub isolation_level: IsolationLevel,
    pub min_bytes: u64,
    pub max_bytes: u64,
    pub partitions: Vec<FetchPartition>,
    /// `client.rack` (KIP-392): with one, a follower serves the fetch and a leader with a
    /// rack-aware selector may name a preferred read replica.
    pub rack_id: String,
}

#[derive(Debug, Clone)]
struct ParkedFetch {
    client: NodeId,
    fetch: ConsumerFetch,
    /// The high watermarks when parked: nothing new is readable until one moves.
    high_watermarks: Vec<i64>,
}

/// The broker's `__consumer_offsets` leader replicas, as the coordinator's log.
struct OffsetsReplicas<'a>(InternalLog<'a>);

impl OffsetsLog for OffsetsReplicas<'_> {
    fn append(&mut self, partition: i32, records: Vec<Record>, now: Millis) -> Result<i64, ErrorCode> {
        let tp = TopicPartition::new(OFFSETS_TOPIC, partition);
        self.0.append(tp, now, |replica| replica.append_as_leader(RecordBatch::new(records), now))
    }

    fn append_transactional(
        &mut self,
        partition: i32,
        records: Vec<Record>,
        producer_id: i64,
        producer_epoch: i16,
        now: Millis,
    ) -> Result<i64, ErrorCode> {
        let tp = TopicPartition::new(OFFSETS_TOPIC, partition);
        self.0.append(tp, now, |replica| {
            // A late TxnOffsetCommit of a transaction that already ended here (its marker bumped
            // the epoch) would open a transaction no marker ever closes: it is fenced instead.
            if replica.producer_state.epoch(producer_id).is_some_and(|e| e > producer_epoch) {
                return Err(ErrorCode::InvalidProducerEpoch);
            }
            let mut batch = RecordBatch::new(records);
            batch.producer_id = producer_id;
            batch.producer_epoch = producer_epoch;
            batch.set_transactional(true);
            replica.append_as_coordinator(batch, now)
        })
    }
}

fn forward(from: Outbox<coordinator::Timer>, out: &mut Outbox<Timer>) {
    for (to, message) in from.messages {
        out.send(to, message);
    }
    for (at, timer) in from.timers {
        out.timer(at, Timer::Group(timer));
    }
    for fact in from.facts {
        out.fact(fact);
    }
}

impl Broker {
    /// Runs a coordinator step with this broker's offsets replicas as its log, then replicates and
    /// completes what it wrote.
    pub(super) fn with_coordinator(
        &mut self,
        now: Millis,
        out: &mut Outbox<Timer>,
        f: impl FnOnce(&mut coordinator::GroupCoordinator, &mut dyn OffsetsLog, &mut Outbox<coordinator::Timer>),
    ) {
        let mut step = Outbox::default();
        let mut log = OffsetsReplicas(InternalLog::new(
            self.id,
            &mut self.durable.replicas,
            &self.durable.image,
            self.config.replica_lag_time_max_ms,
        ));
        f(&mut self.volatile.group_coordinator, &mut log, &mut step);
        let (facts, appended) = (log.0.facts, log.0.appended);
        for fact in facts {
            out.fact(fact);
        }
        forward(step, out);
        for tp in appended {
            self.wake_delayed_fetches(&tp, out);
        }
        self.after_high_watermark_moved(None, now, out);
    }

    /// FindCoordinator: the leader of the group's `__consumer_offsets` partition.
    pub(super) fn find_coordinator(&mut self, from: NodeId, key: String, out: &mut Outbox<Timer>) {
        let partitions = self.volatile.group_coordinator.config.offsets_topic_num_partitions;
        let tp = TopicPartition::new(OFFSETS_TOPIC, partition_for_group(&key, partitions));
        let leader = self.durable.metadata_cache.iter().find(|m| m.topic_partition == tp).map_or(-1, |m| m.leader);
        let error = if leader >= 0 { ErrorCode::None } else { ErrorCode::CoordinatorNotAvailable };
        out.send(from, ClientMessage::FindCoordinatorResponse { key, error, node_id: leader });
    }

    /// A consumer's fetch: answered now, or parked until `fetch.min.bytes` or `fetch.max.wait.ms`.
    pub(super) fn handle_consumer_fetch(
        &mut self,
        from: NodeId,
        fetch: ConsumerFetch,
        max_wait_ms: u64,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let (response, bytes, answer_now) = self.read_for_consumer(&fetch, now);
        if answer_now || bytes >= fetch.min_bytes || max_wait_ms == 0 {
            out.send(from, ClientMessage::ConsumerFetchResponse { partitions: response });
        } else {
            let high_watermarks = self.consumer_high_watermarks(&fetch.partitions);
            let purgatory = &mut self.volatile.consumer_fetches;
            purgatory.next_token += 1;
            let token = purgatory.next_token;
            purgatory.parked.insert(token, ParkedFetch { client: from, fetch, high_watermarks });
            out.timer(now + max_wait_ms, Timer::ConsumerFetchTimeout { token });
        }
    }

    pub(super) fn handle_list_offsets(
        &mut self,
        from: NodeId,
        isolation_level: IsolationLevel,
        partitions: Vec<(TopicPartition, i64)>,
        out: &mut Outbox<Timer>,
    ) {
        let partitions =
            partitions.into_iter().map(|(tp, timestamp)| self.list_offset(tp, timestamp, isolation_level)).collect();
        out.send(from, ClientMessage::ListOffsetsResponse { partitions });
    }

    /// Group requests go to the group coordinator; a group response here is misrouted.
    pub(super) fn on_group_message(
        &mut self,
        from: NodeId,
        message: GroupMessage,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let to = NodeId::Broker(self.id);
        if matches!(
            message,
            GroupMessage::ConsumerGroupHeartbeatRequest { .. } | GroupMessage::ShareGroupHeartbeatRequest { .. }
        ) {
            // The coordinator's metadata image, for its server-side assignors.
            let mut topics: BTreeMap<String, i32> = BTreeMap::new();
            for m in self.durable.metadata_cache.iter().filter(|m| !m.topic_partition.topic.starts_with("__")) {
                *topics.entry(m.topic_partition.topic.to_string()).or_default() += 1;
            }
            self.volatile.group_coordinator.set_topic_partitions(topics);
        }
        self.with_coordinator(now, out, |c, log, step| {
            if let Some(response) = c.on_message(from, message, now, log, step) {
                step.fact(Fact::MessageMisrouted { from, to, kind: response.kind() });
            }
        });
    }

    /// DeleteGroups from an admin client: each group's result.
    pub fn delete_groups(&mut self, groups: &[String], now: Millis, out: &mut Outbox<Timer>) -> Vec<ErrorCode> {
        let mut results = Vec::new();
        self.with_coordinator(now, out, |c, log, step| {
            results = groups.iter().map(|g| c.delete_group(g, now, log, step)).collect();
        });
        results
    }

    /// OffsetDelete from an admin client: the group's error and each partition's.
    pub fn delete_group_offsets(
        &mut self,
        group: &str,
        partitions: &[TopicPartition],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> (ErrorCode, Vec<(TopicPartition, ErrorCode)>) {
        let mut result = (ErrorCode::None, Vec::new());
        self.with_coordinator(now, out, |c, log, step| result = c.delete_offsets(group, partitions, now, log, step));
        result
    }

    /// Topics the metadata removed: the group coordinator deletes their committed offsets.
    pub(super) fn on_topics_deleted(&mut self, topics: &[String], now: Millis, out: &mut Outbox<Timer>) {
        self.with_coordinator(now, out, |c, log, step| c.on_partitions_deleted(topics, now, log, step));
    }

    pub(crate) fn on_group_timer(&mut self, timer: coordinator::Timer, now: Millis, out: &mut Outbox<Timer>) {
        self.with_coordinator(now, out, |c, log, step| c.on_timer(timer, now, log, step));
    }

    pub(crate) fn on_consumer_fetch_timeout(&mut self, token: u64, now: Millis, out: &mut Outbox<Timer>) {
        if let Some(parked) = self.volatile.consumer_fetches.parked.remove(&token) {
            let (partitions, _, _) = self.read_for_consumer(&parked.fetch, now);
            out.send(parked.client, ClientMessage::ConsumerFetchResponse { partitions });
        }
    }

    /// A high watermark moved: commit coordinator writes it covers and answer parked consumer
    /// fetches that can now return `fetch.min.bytes`. `moved`, when known, names the only
    /// partitions whose high watermarks can have moved since the last call.
    pub(crate) fn after_high_watermark_moved(
        &mut self,
        moved: Option<&[TopicPartition]>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let mut step = Outbox::default();
        let (id, replicas) = (self.id, &self.durable.replicas);
        self.volatile.group_coordinator.complete_writes(
            |p| {
                replicas
                    .get(&TopicPartition::new(OFFSETS_TOPIC, p))
                    .filter(|r| r.leader == id)
                    .map(|r| r.high_watermark)
            },
            &mut step,
        );
        forward(step, out);
        self.complete_txn_writes(now, out);
        match moved {
            Some(moved) => self.wake_parked_consumer_fetches_for(moved, now, out),
            None => self.wake_parked_consumer_fetches(now, out),
        }
    }

    /// Answers the parked consumer fetches whose high watermarks moved and that can now return
    /// `fetch.min.bytes` (or failed); the others wait on with the new high watermarks.
    pub(super) fn wake_parked_consumer_fetches(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let tokens = self.parked_fetches_moved(None);
        self.answer_parked_consumer_fetches(tokens, now, out);
    }

    /// The same, when only the high watermarks of `moved` can have changed since the last call
    /// (a fetch response on a follower, a follower's fetch or a produce on the leader): only the
    /// parked fetches that ask for one of them are compared, instead of every parked fetch's
    /// every partition on every such event, which grew with brokers times partitions. Debug
    /// builds check that the full comparison agrees.
    pub(super) fn wake_parked_consumer_fetches_for(
        &mut self,
        moved: &[TopicPartition],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let tokens = self.parked_fetches_moved(Some(moved));
        debug_assert_eq!(tokens, self.parked_fetches_moved(None), "a high watermark moved outside {moved:?}");
        self.answer_parked_consumer_fetches(tokens, now, out);
    }

    /// The parked fetches whose high watermarks moved (among those asking for `moved`, if given).
    fn parked_fetches_moved(&self, moved: Option<&[TopicPartition]>) -> Vec<u64> {
        let asks_for_moved = |p: &ParkedFetch| {
            moved.is_none_or(|moved| p.fetch.partitions.iter().any(|f| moved.contains(&f.topic_partition)))
        };
        self.volatile
            .consumer_fetches
            .parked
            .iter()
            .filter(|(_, p)| asks_for_moved(p) && self.high_watermarks_moved(&p.fetch.partitions, &p.high_watermarks))
            .map(|(t, _)| *t)
            .collect()
    }

    fn answer_parked_consumer_fetches(&mut self, tokens: Vec<u64>, now: Millis, out: &mut Outbox<Timer>) {
        for token in tokens {
            let Some(parked) = self.volatile.consumer_fetches.parked.get(&token) else { continue };
            let (partitions, bytes, answer_now) = self.read_for_consumer(&parked.fetch, now);
            if answer_now || bytes >= parked.fetch.min_bytes {
                if let Some(parked) = self.volatile.consumer_fetches.parked.remove(&token) {
                    out.send(parked.client, ClientMessage::ConsumerFetchResponse { partitions });
                }
            } else {
                let hws = self.consumer_high_watermarks(&parked.fetch.partitions);
                if let Some(parked) = self.volatile.consumer_fetches.parked.get_mut(&token) {
                    parked.high_watermarks = hws;
                }
            }
        }
    }

    /// The partitions of an internal topic whose coordinator state must load (`Some(leader
    /// epoch)`: this broker leads it in an epoch not loaded yet) or unload (`None`: it leads it no
    /// more), given what the coordinator has `loaded` (partition → epoch).
    pub(crate) fn coordinator_changes(&self, topic: &str, loaded: &BTreeMap<i32, i32>) -> Vec<(i32, Option<i32>)> {
        self.durable
            .replicas
            .iter()
            .filter(|(tp, _)| tp.topic == topic)
            .filter_map(|(tp, r)| {
                let loaded = loaded.get(&tp.partition).copied();
                if r.leader == self.id && loaded != Some(r.leader_epoch) {
                    Some((tp.partition, Some(r.leader_epoch)))
                } else if r.leader != self.id && loaded.is_some() {
                    Some((tp.partition, None))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Loads or unloads coordinator state to match this broker's `__consumer_offsets` leadership
    /// (called after every metadata change).
    pub(crate) fn sync_group_coordinator(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if self.state == BrokerState::Dead {
            return;
        }
        let changes = self.coordinator_changes(OFFSETS_TOPIC, self.volatile.group_coordinator.loaded_partitions());
        for (partition, epoch) in changes {
            match epoch {
                Some(leader_epoch) => {
                    let tp = TopicPartition::new(OFFSETS_TOPIC, partition);
                    let batches: Vec<std::sync::Arc<RecordBatch>> = self
                        .durable
                        .replicas
                        .get(&tp)
                        .map_or_else(Vec::new, |r| r.log.batches().map(|b| b.batch.clone()).collect());
                    self.with_coordinator(now, out, |c, log, step| {
                        c.load(partition, leader_epoch, batches.iter().map(|b| b.as_ref()), now, log, step)
                    });
                }
                None => self.with_coordinator(now, out, |c, log, step| c.unload(partition, now, log, step)),
            }
        }
    }

    /// Whether `consumer_high_watermarks(partitions)` differs from `before`, without building it
    /// (every high watermark move asks this of every parked fetch).
    fn high_watermarks_moved(&self, partitions: &[FetchPartition], before: &[i64]) -> bool {
        partitions.len() != before.len()
            || partitions
                .iter()
                .zip(before)
                .any(|(p, hw)| self.durable.replicas.get(&p.topic_partition).map_or(-1, |r| r.high_watermark) != *hw)
    }

    fn consumer_high_watermarks(&self, partitions: &[FetchPartition]) -> Vec<i64> {
        partitions
            .iter()
            .map(|p| self.durable.replicas.get(&p.topic_partition).map_or(-1, |r| r.high_watermark))
            .collect()
    }

    /// Kafka's `Partition.lastOffsetForLeaderEpoch` for a consumer (KIP-320): on the leader only,
    /// after the current leader epoch check, where the asked epoch ends in this log
    /// (`LeaderEpochFileCache.endOffsetFor`). An epoch older than every epoch retention left ends
    /// where the first one starts, as Kafka answers it: a committed offset from before the log
    /// start is then valid and goes out of range, not reported as a truncation.
    pub(super) fn epoch_end_offset(&self, p: &OffsetForLeaderPartition) -> EpochEndOffset {
        let answer = |error, leader_epoch, end_offset| EpochEndOffset {
            topic_partition: p.topic_partition.clone(),
            error,
            leader_epoch,
            end_offset,
        };
        let Some(replica) = self.durable.replicas.get(&p.topic_partition).filter(|r| r.leader == self.id) else {
            return answer(ErrorCode::NotLeaderOrFollower, -1, -1);
        };
        if let Some(error) = current_leader_epoch_error(p.current_leader_epoch, replica.leader_epoch) {
            return answer(error, -1, -1);
        }
        let (leader_epoch, end_offset) = replica.end_offset_for_epoch(p.leader_epoch);
        answer(ErrorCode::None, leader_epoch, end_offset)
    }

    /// Reads each partition from the fetch offset up to this replica's high watermark
    /// (read_uncommitted) or last stable offset (read_committed, with the aborted transactions in
    /// that range). The leader serves every consumer; a follower only one with a `client.rack`
    /// (KIP-392; Kafka lets any FetchRequest v11+ read from a follower and refuses a stale one by
    /// its leader epoch). A leader whose replica selector names a preferred read replica answers
    /// that partition with it and no records (`ReplicaManager.readFromLog`).
    /// Returns the response, the bytes it carries and whether it must be answered now (a
    /// partition failed or was redirected).
    fn read_for_consumer(&self, fetch: &ConsumerFetch, now: Millis) -> (Vec<PartitionFetchResponse>, u64, bool) {
        let mut total = 0u64;
        let mut answer_now = false;
        let isolation_level = fetch.isolation_level;
        let responses = fetch
            .partitions
            .iter()
            .map(|p| {
                let (tp, offset) = (&p.topic_partition, &p.fetch_offset);
                let mut response = PartitionFetchResponse::empty(tp.clone());
                let serves = |r: &&super::replica::Replica| r.leader == self.id || !fetch.rack_id.is_empty();
                let Some(replica) = self.durable.replicas.get(tp).filter(serves) else {
                    response.error = ErrorCode::NotLeaderOrFollower;
                    answer_now = true;
                    return response;
                };
                if let Some(error) = current_leader_epoch_error(p.current_leader_epoch, replica.leader_epoch) {
                    response.error = error;
                    answer_now = true;
                    return response;
                }
                response.high_watermark = replica.high_watermark;
                response.last_stable_offset = replica.last_stable_offset();
                response.log_start_offset = replica.log.log_start_offset();
                response.log_end_offset = replica.log.log_end_offset();
                if replica.leader == self.id {
                    response.preferred_read_replica =
                        self.preferred_read_replica(replica, &fetch.rack_id, *offset, now);
                    if response.preferred_read_replica.is_some() {
                        answer_now = true;
                        return response;
                    }
                }
                let budget = MAX_PARTITION_FETCH_BYTES.min(fetch.max_bytes.saturating_sub(total)).max(1);
                let upper = match isolation_level {
                    IsolationLevel::ReadUncommitted => replica.high_watermark,
                    IsolationLevel::ReadCommitted => response.last_stable_offset,
                };
                match replica.log.read(*offset, budget, upper) {
                    Ok(batches) => {
                        if isolation_level == IsolationLevel::ReadCommitted {
                            response.aborted_transactions = replica.txn_state.aborted_between(*offset, upper);
                        }
                        total += batches.iter().map(|b| b.size_in_bytes() as u64).sum::<u64>();
                        response.batches = batches;
                    }
                    Err(e) => {
                        response.error = ErrorCode::from(&e);
                        answer_now = true;
                    }
                }
                response
            })
            .collect();
        (responses, total, answer_now)
    }

    /// ListOffsets on the leader: -2 = log start, -1 = high watermark (the last stable offset for
    /// read_committed), else the first offset at or after a timestamp that a consumer may read.
    /// The leader epoch answered is the log start's epoch (`UnifiedLog.fetchOffsetByTimestamp`),
    /// the leader's own for the latest offset (`Partition.fetchOffsetForTimestamp`), or the
    /// found record's batch's.
    fn list_offset(&self, tp: TopicPartition, timestamp: i64, isolation_level: IsolationLevel) -> ListOffsetsPartition {
        let Some(replica) = self.durable.replicas.get(&tp).filter(|r| r.leader == self.id) else {
            return ListOffsetsPartition {
                topic_partition: tp,
                error: ErrorCode::NotLeaderOrFollower,
                timestamp: -1,
                offset: -1,
                leader_epoch: -1,
            };
        };
        let upper = match isolation_level {
            IsolationLevel::ReadUncommitted => replica.high_watermark,
            IsolationLevel::ReadCommitted => replica.last_stable_offset(),
        };
        let (timestamp, offset, leader_epoch) = match timestamp {
            -2 => {
                let start = replica.log.log_start_offset();
                (-1, start, replica.epoch_for_offset(start))
            }
            -1 => (-1, upper, replica.leader_epoch),
            t => replica
                .log
                .offset_for_timestamp(t)
                .filter(|found| found.offset < upper)
                .map_or((-1, -1, -1), |found| (found.timestamp, found.offset, found.leader_epoch.unwrap_or(-1))),
        };
        ListOffsetsPartition { topic_partition: tp, error: ErrorCode::None, timestamp, offset, leader_epoch }
    }
}

/// Kafka's `Partition.checkCurrentLeaderEpoch` (KIP-320): a request from a client that believes
/// in an older leader epoch is fenced, one from a newer epoch than this broker knows must wait;
/// -1 (`NO_PARTITION_LEADER_EPOCH`) is not checked.
fn current_leader_epoch_error(requested: i32, leader_epoch: i32) -> Option<ErrorCode> {
    if requested < 0 || requested == leader_epoch {
        None
    } else if requested < leader_epoch {
        Some(ErrorCode::FencedLeaderEpoch)
    } else {
        Some(ErrorCode::UnknownLeaderEpoch)
    }
}
