//! One broker's copy of one partition: its log, the leader it follows, the ISR as it knows it,
//! the leader-epoch cache, and (on the leader) the followers' fetch state that drives the high
//! watermark and ISR membership.

use super::producer_state::{BatchMetadata, ProducerStateTable};
use super::txn_state::PartitionTxnState;
use crate::controller::metadata::MetadataImage;
use crate::log::TopicConfig;
use crate::log::{AppendInfo, AppendOrigin, CompactionOutcome, Log, RecordBatch};
use crate::narration::Fact;
use crate::protocol::{ErrorCode, TopicPartition};
use crate::sim::Millis;
use std::collections::BTreeMap;

/// Kafka's `Partition.isReplicaIsrEligible` (KRaft): the broker is registered and unfenced in
/// the metadata, and its fetch carried the broker epoch registered for it (KIP-903), so a
/// restarted broker's old incarnation cannot rejoin.
pub fn isr_eligible(image: &MetadataImage) -> impl Fn(i32, i64) -> bool + '_ {
    move |broker, epoch| image.brokers.get(&broker).is_some_and(|b| !b.fenced && b.broker_epoch == epoch)
}

#[derive(Debug, Clone)]
pub struct Replica {
    pub topic_partition: TopicPartition,
    pub config: TopicConfig,
    pub log: Log,
    /// The assignment, in order; `replicas[0]` is the preferred leader.
    pub replicas: Vec<i32>,
    /// The broker this replica believes leads the partition (-1: none).
    pub leader: i32,
    pub leader_epoch: i32,
    pub isr: Vec<i32>,
    pub high_watermark: i64,
    /// Leader only: each follower's fetch state.
    pub followers: BTreeMap<i32, FollowerState>,
    /// KRaft's partition epoch, echoed in AlterPartition so stale requests are refused.
    pub partition_epoch: i32,
    /// Leader only: an ISR proposed by AlterPartition and not yet committed.
    pub pending_isr: Option<PendingIsr>,
    /// `(leader_epoch, start_offset)` pairs: where each leader epoch began in this log (KIP-101).
    pub leader_epoch_cache: Vec<(i32, i64)>,
    pub producer_state: ProducerStateTable,
    /// Open and aborted transactions on this partition, and the last stable offset.
    pub txn_state: PartitionTxnState,
}

/// What a leader knows of one follower, as in Kafka's `Replica` state.
/// Kafka's `PendingPartitionChange`: its members count for the high watermark (the maximal ISR,
/// KIP-497) until the controller's answer or a newer committed partition state replaces it. A
/// request never answered is sent again; one refused as stale waits for the metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingIsr {
    pub isr: Vec<i32>,
    pub answered: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowerState {
    pub log_end_offset: i64,
    pub last_caught_up_ms: Millis,
    last_fetch_ms: Millis,
    last_fetch_leader_log_end_offset: i64,
    /// The broker epoch its last fetch carried (KIP-903).
    pub broker_epoch: i64,
}

impl Replica {
    pub fn new(topic_partition: TopicPartition, config: TopicConfig, replicas: Vec<i32>, now: Millis) -> Self {
        let log = Log::new(config.log.clone(), now as i64);
        Replica {
            topic_partition,
            config,
            log,
            replicas,
            leader: -1,
            leader_epoch: -1,
            isr: Vec::new(),
            high_watermark: 0,
            followers: BTreeMap::new(),
            partition_epoch: -1,
            pending_isr: None,
            leader_epoch_cache: Vec::new(),
            producer_state: ProducerStateTable::default(),
            txn_state: PartitionTxnState::default(),
        }
    }

    /// Becoming leader in a new epoch: the epoch starts at the log end offset, and every follower
    /// gets a fresh lag clock, as Kafka resets follower state on leadership change
    /// (`Replica.resetReplicaState`): caught up now if in the ISR, else never, so a replica out of
    /// the ISR does not hold the high watermark back before it fetches.
    pub fn become_leader(&mut self, self_id: i32, now: Millis) {
        self.assign_epoch_start(self.leader_epoch, self.log.log_end_offset());
        self.pending_isr = None;
        let isr = &self.isr;
        self.followers = self
            .replicas
            .iter()
            .filter(|r| **r != self_id)
            .map(|r| {
                let last_caught_up_ms = if isr.contains(r) { now } else { 0 };
                (
                    *r,
                    FollowerState {
                        last_caught_up_ms,
                        last_fetch_ms: now,
                        broker_epoch: -1,
                        ..FollowerState::default()
                    },
                )
            })
            .collect();
    }

    /// A new assignment (a reassignment started, completed or was cancelled), as Kafka's
    /// `Partition.updateAssignmentAndIsr`: a leader starts tracking the adding followers from
    /// nothing (never caught up, so the high watermark does not wait for them before they fetch)
    /// and forgets the removed ones.
    pub fn update_assignment(&mut self, replicas: Vec<i32>, self_id: i32, now: Millis) {
        self.replicas = replicas;
        if self.leader != self_id {
            return;
        }
        self.followers.retain(|r, _| self.replicas.contains(r));
        for r in self.replicas.iter().filter(|r| **r != self_id) {
            self.followers.entry(*r).or_insert(FollowerState {
                last_fetch_ms: now,
                broker_epoch: -1,
                ..FollowerState::default()
            });
        }
    }

    fn assign_epoch_start(&mut self, epoch: i32, start_offset: i64) {
        if self.leader_epoch_cache.last().is_none_or(|(e, _)| epoch > *e) {
            self.leader_epoch_cache.push((epoch, start_offset));
        }
    }

    /// The epoch of the last record in the log (-1 if none), sent as `last_fetched_epoch`.
    pub fn last_epoch(&self) -> i32 {
        self.leader_epoch_cache.last().map_or(-1, |(e, _)| *e)
    }

    /// Kafka's `LeaderEpochFileCache.epochForOffset`: the epoch whose records cover `offset`
    /// (the last epoch starting at or before it), -1 before the first.
    pub fn epoch_for_offset(&self, offset: i64) -> i32 {
        self.leader_epoch_cache.iter().take_while(|(_, start)| *start <= offset).last().map_or(-1, |(e, _)| *e)
    }

    /// Kafka's `LeaderEpochFileCache.endOffsetFor`: the largest epoch <= `epoch` in this log and
    /// the offset where it ends (the next epoch's start, or the log end offset for the latest).
    /// An epoch older than every cached one answers itself and the first epoch's start, so a
    /// replica whose whole log is of an epoch this log never saw truncates all of it; an epoch
    /// newer than the latest, or an empty cache, is undefined (-1, -1).
    pub fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        const UNDEFINED: (i32, i64) = (-1, -1);
        if epoch < 0 {
            return UNDEFINED;
        }
        if self.last_epoch() == epoch {
            return (epoch, self.log.log_end_offset());
        }
        let Some(higher) = self.leader_epoch_cache.iter().position(|(e, _)| *e > epoch) else {
            return UNDEFINED;
        };
        let higher_start = self.leader_epoch_cache[higher].1;
        match higher.checked_sub(1) {
            None => (epoch, higher_start),
            Some(floor) => (self.leader_epoch_cache[floor].0, higher_start),
        }
    }

    /// Kafka's `AbstractFetcherThread.getOffsetTruncationState` for a leader's diverging-epoch
    /// answer: the leader's end offset for that epoch, but never past this log's own end of it
    /// (`LeaderEpochFileCache.endOffsetFor`) nor its log end offset, or records of an epoch the
    /// leader never saw would survive. An epoch this log lacks cuts to the end of its largest
    /// earlier one, and the next fetch narrows the divergence further.
    pub fn truncation_offset_for_diverging_epoch(&self, leader_epoch: i32, leader_end_offset: i64) -> i64 {
        let log_end_offset = self.log.log_end_offset();
        match self.end_offset_for_epoch(leader_epoch) {
            (-1, _) => leader_end_offset.min(log_end_offset),
            (epoch, end_offset) if epoch == leader_epoch => leader_end_offset.min(end_offset).min(log_end_offset),
            (_, end_offset) => end_offset.min(log_end_offset),
        }
    }

    /// Removes everything at and above `offset`: log, epoch cache and producer state.
    pub fn truncate_to(&mut self, offset: i64) {
        let log_end_offset = self.log.log_end_offset();
        if offset >= log_end_offset {
            // As Kafka's `UnifiedLog.truncateTo`, still drop epochs that start at the log end: an
            // epoch this broker began as leader without appending would be its last fetched epoch
            // and make the leader report the same divergence on every fetch.
            self.leader_epoch_cache.retain(|(_, start)| *start < log_end_offset);
            return;
        }
        if self.log.truncate_to(offset.max(0)).is_err() {
            return;
        }
        self.leader_epoch_cache.retain(|(_, start)| *start < offset);
        self.producer_state.truncate_to(offset);
        self.high_watermark = self.high_watermark.min(self.log.log_end_offset());
        if self.log.batches().any(|b| b.batch.is_transactional()) || self.txn_state != PartitionTxnState::default() {
            self.txn_state =
                PartitionTxnState::rebuild(self.log.batches().map(|b| b.batch.as_ref()), self.high_watermark);
        }
    }

    /// The last stable offset: read_committed consumers read only below it.
    pub fn last_stable_offset(&self) -> i64 {
        self.txn_state.last_stable_offset(self.high_watermark)
    }

    /// Kafka's follower fetch bookkeeping (`Replica.updateFetchState`): a follower has caught up
    /// if it fetched up to the leader's end, or up to where the leader's end was at its last fetch.
    pub fn record_follower_fetch(&mut self, follower: i32, fetch_offset: i64, broker_epoch: i64, now: Millis) {
        let leader_end = self.log.log_end_offset();
        let state = self.followers.entry(follower).or_default();
        state.broker_epoch = broker_epoch;
        if fetch_offset >= leader_end {
            state.last_caught_up_ms = now;
        } else if fetch_offset >= state.last_fetch_leader_log_end_offset {
            state.last_caught_up_ms = state.last_fetch_ms;
        }
        state.last_fetch_leader_log_end_offset = leader_end;
        state.last_fetch_ms = now;
        state.log_end_offset = fetch_offset;
    }

    /// Kafka's `ReplicaState.isCaughtUp`: a follower at the leader's log end offset, or one that
    /// was there within `replica.lag.time.max.ms`.
    fn is_caught_up(&self, follower: &FollowerState, now: Millis, lag_max_ms: Millis) -> bool {
        follower.log_end_offset == self.log.log_end_offset()
            || now.saturating_sub(follower.last_caught_up_ms) <= lag_max_ms
    }

    /// ISR members that have not caught up for `replica.lag.time.max.ms` (`Partition.getOutOfSyncReplicas`).
    pub fn out_of_sync_replicas(&self, self_id: i32, now: Millis, lag_max_ms: Millis) -> Vec<i32> {
        self.isr
            .iter()
            .copied()
            .filter(|r| *r != self_id)
            .filter(|r| self.followers.get(r).is_none_or(|f| !self.is_caught_up(f, now, lag_max_ms)))
            .collect()
    }

    /// A follower outside the ISR rejoins once it reached the high watermark and this leader's
    /// epoch (`Partition.isFollowerInSync`), if its broker may join (`isReplicaIsrEligible`:
    /// unfenced, with the broker epoch it fetched with).
    pub fn caught_up_outsiders(&self, isr_eligible: impl Fn(i32, i64) -> bool) -> Vec<i32> {
        let epoch_start = self.leader_epoch_cache.last().map_or(0, |(_, start)| *start);
        self.followers
            .iter()
            .filter(|(r, f)| {
                !self.isr.contains(r)
                    && f.log_end_offset >= self.high_watermark
                    && f.log_end_offset >= epoch_start
                    && isr_eligible(**r, f.broker_epoch)
            })
            .map(|(r, _)| *r)
            .collect()
    }

    /// Appends as leader, stamping the leader epoch.
    pub fn append_as_leader(&mut self, batch: RecordBatch, now: Millis) -> Result<AppendInfo, ErrorCode> {
        self.append_as_leader_from(batch, now, AppendOrigin::Client)
    }

    /// Appends a batch a coordinator writes: a transaction marker (WriteTxnMarkers) or the
    /// group coordinator's transactional offsets.
    pub fn append_as_coordinator(&mut self, batch: RecordBatch, now: Millis) -> Result<AppendInfo, ErrorCode> {
        self.append_as_leader_from(batch, now, AppendOrigin::Coordinator)
    }

    fn append_as_leader_from(
        &mut self,
        batch: RecordBatch,
        now: Millis,
        origin: AppendOrigin,
    ) -> Result<AppendInfo, ErrorCode> {
        let (producer_id, producer_epoch, base_sequence) =
            (batch.producer_id, batch.producer_epoch, batch.base_sequence);
        // Only transactional batches change the transaction state, so only they are copied.
        let mut txn_copy = batch.is_transactional().then(|| batch.clone());
        self.assign_epoch_start(self.leader_epoch, self.log.log_end_offset());
        let info = self
            .log
            .append_as_leader_from(batch, self.leader_epoch, now as i64, origin)
            .map_err(|e| ErrorCode::from(&e))?;
        self.record_producer_batch(producer_id, producer_epoch, base_sequence, info.first_offset, info.last_offset);
        if let Some(b) = txn_copy.as_mut() {
            b.base_offset = info.first_offset;
            self.record_txn_batch(b);
        }
        Ok(info)
    }

    /// Appends a batch replicated from the leader, keeping its offsets.
    pub fn append_as_follower(&mut self, batch: std::sync::Arc<RecordBatch>) -> Result<AppendInfo, ErrorCode> {
        let (producer_id, producer_epoch, base_sequence) =
            (batch.producer_id, batch.producer_epoch, batch.base_sequence);
        let txn_copy = batch.is_transactional().then(|| batch.clone());
        self.assign_epoch_start(batch.partition_leader_epoch, batch.base_offset);
        let info = self.log.append_as_follower(batch).map_err(|e| ErrorCode::from(&e))?;
        self.record_producer_batch(producer_id, producer_epoch, base_sequence, info.first_offset, info.last_offset);
        if let Some(batch) = txn_copy {
            self.record_txn_batch(&batch);
        }
        Ok(info)
    }

    /// A transactional batch opens its producer's transaction here; a marker ends it and, since
    /// the coordinator wrote it with the producer's new epoch (transactions version 2), fences
    /// the old epoch.
    fn record_txn_batch(&mut self, batch: &RecordBatch) {
        if batch.is_control() {
            self.producer_state.bump_epoch(batch.producer_id, batch.producer_epoch);
        }
        self.txn_state.apply(batch, self.high_watermark);
    }

    /// Followers rebuild the producer state from the batches they replicate, so that a new leader
    /// still recognises a retried batch after a failover.
    fn record_producer_batch(
        &mut self,
        producer_id: i64,
        producer_epoch: i16,
        first_sequence: i32,
        first_offset: i64,
        last_offset: i64,
    ) {
        if producer_id >= 0 && first_sequence >= 0 {
            let last_sequence = first_sequence.wrapping_add((last_offset - first_offset) as i32);
            self.producer_state.update(
                producer_id,
                producer_epoch,
                BatchMetadata { first_sequence, last_sequence, first_offset, last_offset },
            );
        }
    }

    /// Leader: Kafka's `Partition.maybeIncrementLeaderHW`. Returns the new HW if it moved.
    /// - While the ISR is smaller than the effective min ISR, min(`min.insync.replicas`, RF),
    ///   the HW stands still (`isUnderMinIsr`, Kafka 3.7+; what keeps every ELR member complete).
    /// - Otherwise it is the smallest log end offset over the leader and the followers in the
    ///   maximal ISR (the committed one plus a pending expansion, KIP-497), and over followers that
    ///   are caught up and eligible to join it (`shouldWaitForReplicaToJoinIsr`), so one about to
    ///   rejoin is not left behind.
    pub fn maybe_advance_high_watermark(
        &mut self,
        self_id: i32,
        now: Millis,
        lag_max_ms: Millis,
        isr_eligible: impl Fn(i32, i64) -> bool,
    ) -> Option<i64> {
        let min_isr = self.config.min_insync_replicas.min(self.replicas.len() as i32);
        if (self.isr.len() as i32) < min_isr {
            return None;
        }
        let in_maximal_isr =
            |r: &i32| self.isr.contains(r) || self.pending_isr.as_ref().is_some_and(|p| p.isr.contains(r));
        let unknown = FollowerState::default();
        let new_hw = self
            .replicas
            .iter()
            .filter(|r| **r != self_id)
            .filter_map(|r| {
                let f = self.followers.get(r).unwrap_or(&unknown);
                let waits_for =
                    in_maximal_isr(r) || (self.is_caught_up(f, now, lag_max_ms) && isr_eligible(*r, f.broker_epoch));
                waits_for.then_some(f.log_end_offset)
            })
            .fold(self.log.log_end_offset(), i64::min);
        (new_hw > self.high_watermark).then(|| {
            self.high_watermark = new_hw;
            self.txn_state.on_high_watermark(new_hw);
            new_hw
        })
    }

    /// Leader: [`Self::maybe_advance_high_watermark`] with the replicas' eligibility read from
    /// `image`, and the fact a learner sees when the HW moves.
    pub fn advance_high_watermark(
        &mut self,
        self_id: i32,
        now: Millis,
        lag_max_ms: Millis,
        image: &MetadataImage,
    ) -> Option<Fact> {
        let high_watermark = self.maybe_advance_high_watermark(self_id, now, lag_max_ms, isr_eligible(image))?;
        Some(Fact::HighWatermarkAdvanced {
            topic_partition: self.topic_partition.clone(),
            broker: self_id,
            high_watermark,
        })
    }

    /// Follower: takes the leader's log start offset after a fetch, as `ReplicaFetcherThread.processPartitionData`
    /// does (`maybeIncrementLogStartOffset`, `LeaderOffsetIncremented`), so records the leader
    /// deleted (retention, DeleteRecords) are not served from here; epochs wholly before it leave
    /// the leader-epoch cache (`LeaderEpochFileCache.truncateFromStart`).
    pub fn adopt_leader_log_start_offset(&mut self, leader_log_start_offset: i64) {
        if self.log.maybe_increment_log_start_offset(leader_log_start_offset, self.high_watermark) {
            let start = self.log.log_start_offset();
            if let Some(keep) = self.leader_epoch_cache.iter().rposition(|(_, s)| *s <= start) {
                self.leader_epoch_cache.drain(..keep);
                self.leader_epoch_cache[0].1 = start;
            }
        }
    }

    /// Follower: HW = min(leader's HW, own log end offset), and it only moves forward.
    pub fn update_follower_high_watermark(&mut self, leader_high_watermark: i64) {
        let candidate = leader_high_watermark.min(self.log.log_end_offset());
        if candidate > self.high_watermark {
            self.high_watermark = candidate;
            self.txn_state.on_high_watermark(candidate);
        }
    }

    /// Deletes segments past retention; returns (segments deleted, new log start offset).
    pub fn apply_retention(&mut self, now: Millis) -> Option<(usize, i64)> {
        let outcome = self.log.delete_old_segments(self.high_watermark, now as i64);
        self.txn_state.forget_below(self.log.log_start_offset());
        (!outcome.deleted.is_empty()).then_some((outcome.deleted.len(), outcome.log_start_offset_after))
    }

    /// Runs the log cleaner if the log is compacted and dirty enough; returns records removed.
    /// The cleaner stops at the last stable offset.
    pub fn compact(&mut self, now: Millis) -> Option<u64> {
        match self.log.compact(now as i64, self.last_stable_offset()) {
            CompactionOutcome::Cleaned(stats) => Some(stats.records_removed()).filter(|removed| *removed > 0),
            CompactionOutcome::NotCompacted | CompactionOutcome::NotEligible(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Record;

    /// A replica whose log holds one record per `(leader epoch, value)`, each epoch begun where
    /// its first record lands, as a leader would have written it.
    fn replica_with(records: &[(i32, &str)]) -> Replica {
        let mut replica = Replica::new(TopicPartition::new("t", 0), TopicConfig::default(), vec![1, 2], 0);
        for (epoch, value) in records {
            replica.leader_epoch = *epoch;
            replica.append_as_leader(RecordBatch::new(vec![Record::new(0, None, Some(value.as_bytes()))]), 0).unwrap();
        }
        replica
    }

    /// Kafka's `AbstractFetcherThread.getOffsetTruncationState`: min(the leader's end of the
    /// epoch, this log's own end of it (`LeaderEpochFileCache.endOffsetFor`), the log end offset).
    #[test]
    fn a_diverging_epoch_truncates_to_the_smallest_of_both_ends_and_the_log_end() {
        // Epoch 0 ends at 1 here: m3 at offset 1 is of epoch 1, which the leader never had.
        let replica = replica_with(&[(0, "m1"), (1, "m3")]);
        assert_eq!(replica.truncation_offset_for_diverging_epoch(0, 2), 1, "own end of epoch 0");
        assert_eq!(replica.truncation_offset_for_diverging_epoch(1, 1), 1, "the leader's end");
        assert_eq!(replica.truncation_offset_for_diverging_epoch(1, 9), 2, "the log end offset");
        let unknown = replica_with(&[(0, "m1"), (2, "m3")]);
        assert_eq!(unknown.truncation_offset_for_diverging_epoch(1, 9), 1, "epoch 1 unknown: end of epoch 0");
    }

    /// `LeaderEpochFileCache.endOffsetFor` in all its cases. After an unclean election a follower
    /// whose whole log is of epoch 1 asks a leader holding epochs 0 and 2: the leader answers
    /// (0, start of 2); the follower places epoch 0 before its first epoch, at offset 0, and
    /// truncates everything instead of stopping at its log end on every fetch.
    #[test]
    fn the_end_offset_for_an_epoch_follows_kafkas_epoch_cache() {
        let leader = replica_with(&[(0, "a"), (0, "b"), (2, "c")]);
        assert_eq!(leader.end_offset_for_epoch(2), (2, 3), "the latest epoch ends at the log end");
        assert_eq!(leader.end_offset_for_epoch(1), (0, 2), "the floor epoch, up to the next start");
        assert_eq!(leader.end_offset_for_epoch(0), (0, 2));
        assert_eq!(leader.end_offset_for_epoch(3), (-1, -1), "newer than the latest: undefined");
        assert_eq!(leader.end_offset_for_epoch(-1), (-1, -1));
        let follower = replica_with(&[(1, "x"), (1, "y")]);
        assert_eq!(follower.end_offset_for_epoch(0), (0, 0), "older than every epoch: the first start");
        assert_eq!(follower.truncation_offset_for_diverging_epoch(0, 2), 0, "all of epoch 1 goes");
    }

    /// `LeaderEpochFileCache.epochForOffset`: ListOffsets answers the log start's epoch with it.
    #[test]
    fn the_epoch_for_an_offset_is_the_last_epoch_starting_at_or_before_it() {
        let replica = replica_with(&[(0, "a"), (2, "b"), (2, "c"), (5, "d")]);
        assert_eq!(replica.epoch_for_offset(0), 0);
        assert_eq!(replica.epoch_for_offset(2), 2, "epoch 2 starts at 1");
        assert_eq!(replica.epoch_for_offset(3), 5);
        assert_eq!(
            Replica::new(TopicPartition::new("t", 0), TopicConfig::default(), vec![1], 0).epoch_for_offset(0),
            -1
        );
    }

    /// A leader (broker 1) of replicas [1, 2, 3] holding three records, ISR as given; every
    /// follower fetched once at `fetched` offsets with broker epoch 7 at time 0.
    fn leader_with(isr: &[i32], fetched: [i64; 2]) -> Replica {
        let mut replica = replica_with(&[(0, "a"), (0, "b"), (0, "c")]);
        replica.replicas = vec![1, 2, 3];
        replica.isr = isr.to_vec();
        replica.leader = 1;
        replica.become_leader(1, 0);
        replica.record_follower_fetch(2, fetched[0], 7, 0);
        replica.record_follower_fetch(3, fetched[1], 7, 0);
        replica
    }

    const ELIGIBLE: fn(i32, i64) -> bool = |_, epoch| epoch == 7;
    const FENCED: fn(i32, i64) -> bool = |_, _| false;

    /// `Partition.maybeIncrementLeaderHW`: the HW waits for a follower out of the ISR that is
    /// caught up and eligible to join it (`shouldWaitForReplicaToJoinIsr`), not for an ineligible one.
    #[test]
    fn the_high_watermark_waits_for_a_caught_up_follower_eligible_to_join_the_isr() {
        let mut replica = leader_with(&[1, 2], [3, 1]);
        assert_eq!(replica.maybe_advance_high_watermark(1, 0, 30_000, ELIGIBLE), Some(1));
        let mut replica = leader_with(&[1, 2], [3, 1]);
        assert_eq!(replica.maybe_advance_high_watermark(1, 0, 30_000, FENCED), Some(3), "broker 3 is fenced");
        let mut replica = leader_with(&[1, 2], [3, 1]);
        assert_eq!(replica.maybe_advance_high_watermark(1, 40_000, 30_000, ELIGIBLE), Some(3), "3 lags too long");
    }

    /// KIP-497: the HW counts the maximal ISR, the committed one plus a pending expansion.
    #[test]
    fn the_high_watermark_counts_a_pending_isr_expansion() {
        let mut replica = leader_with(&[1, 2], [3, 1]);
        replica.pending_isr = Some(PendingIsr { isr: vec![1, 2, 3], answered: false });
        assert_eq!(replica.maybe_advance_high_watermark(1, 40_000, 30_000, FENCED), Some(1));
    }

    /// `ReplicaState.isCaughtUp`: a follower at the leader's log end offset is caught up however
    /// long ago it was last behind; one behind for longer than the lag time is out of sync.
    #[test]
    fn a_follower_at_the_leader_log_end_is_caught_up() {
        let replica = leader_with(&[1, 2, 3], [3, 1]);
        assert_eq!(replica.out_of_sync_replicas(1, 40_000, 30_000), vec![3]);
    }

    /// `Partition.isReplicaIsrEligible` (KIP-903): a follower that fetched with another broker
    /// epoch than the registered one (an older incarnation) does not rejoin the ISR.
    #[test]
    fn a_follower_rejoins_the_isr_only_with_the_registered_broker_epoch() {
        let replica = leader_with(&[1], [3, 3]);
        assert_eq!(replica.caught_up_outsiders(|b, epoch| b == 2 && epoch == 7), vec![2]);
    }

    /// `ReplicaFetcherThread.processPartitionData` → `UnifiedLog.maybeIncrementLogStartOffset`:
    /// a follower takes the leader's log start offset, up to its own high watermark.
    #[test]
    fn a_follower_adopts_the_leader_log_start_offset() {
        let mut replica = replica_with(&[(0, "a"), (1, "b"), (1, "c")]);
        replica.update_follower_high_watermark(2);
        replica.adopt_leader_log_start_offset(3);
        assert_eq!(replica.log.log_start_offset(), 0, "not past the high watermark");
        replica.adopt_leader_log_start_offset(2);
        assert_eq!(replica.log.log_start_offset(), 2);
        assert_eq!(replica.leader_epoch_cache, vec![(1, 2)]);
    }

    /// Kafka's `UnifiedLog.truncateTo`: even with nothing to remove, an epoch starting at the log
    /// end goes from the leader-epoch cache.
    #[test]
    fn truncating_at_the_log_end_drops_an_epoch_begun_without_records() {
        let mut replica = replica_with(&[(0, "m1")]);
        replica.leader_epoch = 3;
        replica.become_leader(1, 0);
        assert_eq!(replica.last_epoch(), 3);
        replica.truncate_to(1);
        assert_eq!(replica.log.log_end_offset(), 1);
        assert_eq!(replica.last_epoch(), 0);
    }
}
