//! One broker's copy of one partition: its log, the leader it follows, the ISR as it knows it,
//! and (on the leader) the followers' log end offsets that drive the high watermark.

use super::producer_state::{BatchMetadata, ProducerStateTable};
use super::topic_config::TopicConfig;
use crate::log::{AppendInfo, CompactionOutcome, Log, RecordBatch};
use crate::protocol::{ErrorCode, TopicPartition};
use crate::sim::Millis;
use std::collections::BTreeMap;

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
    /// Leader only: each follower's log end offset, learned from its fetch offset.
    pub follower_log_end_offsets: BTreeMap<i32, i64>,
    pub producer_state: ProducerStateTable,
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
            follower_log_end_offsets: BTreeMap::new(),
            producer_state: ProducerStateTable::default(),
        }
    }

    /// Appends as leader, stamping the leader epoch.
    pub fn append_as_leader(&mut self, batch: RecordBatch, now: Millis) -> Result<AppendInfo, ErrorCode> {
        let (producer_id, producer_epoch, base_sequence) = (batch.producer_id, batch.producer_epoch, batch.base_sequence);
        let info = self.log.append_as_leader(batch, self.leader_epoch, now as i64).map_err(|e| ErrorCode::from(&e))?;
        self.record_producer_batch(producer_id, producer_epoch, base_sequence, info.first_offset, info.last_offset);
        Ok(info)
    }

    /// Appends a batch replicated from the leader, keeping its offsets.
    pub fn append_as_follower(&mut self, batch: RecordBatch) -> Result<AppendInfo, ErrorCode> {
        let (producer_id, producer_epoch, base_sequence) = (batch.producer_id, batch.producer_epoch, batch.base_sequence);
        let info = self.log.append_as_follower(batch).map_err(|e| ErrorCode::from(&e))?;
        self.record_producer_batch(producer_id, producer_epoch, base_sequence, info.first_offset, info.last_offset);
        Ok(info)
    }

    /// Followers rebuild the producer state from the batches they replicate, so that a new leader
    /// still recognises a retried batch after a failover.
    fn record_producer_batch(&mut self, producer_id: i64, producer_epoch: i16, first_sequence: i32, first_offset: i64, last_offset: i64) {
        if producer_id >= 0 && first_sequence >= 0 {
            let last_sequence = first_sequence.wrapping_add((last_offset - first_offset) as i32);
            self.producer_state.update(
                producer_id,
                producer_epoch,
                BatchMetadata { first_sequence, last_sequence, first_offset, last_offset },
            );
        }
    }

    /// Leader: HW = the smallest log end offset over the ISR. Returns the new HW if it moved.
    /// Since Kafka 3.7 the HW does not move while the ISR is smaller than `min.insync.replicas`.
    pub fn maybe_advance_high_watermark(&mut self, self_id: i32) -> Option<i64> {
        let min_isr = self.config.min_insync_replicas.min(self.replicas.len() as i32);
        if (self.isr.len() as i32) < min_isr {
            return None;
        }
        let leo = self.log.log_end_offset();
        let new_hw = self
            .isr
            .iter()
            .filter(|b| **b != self_id)
            .map(|b| self.follower_log_end_offsets.get(b).copied().unwrap_or(0))
            .fold(leo, i64::min);
        (new_hw > self.high_watermark).then(|| {
            self.high_watermark = new_hw;
            new_hw
        })
    }

    /// Follower: HW = min(leader's HW, own log end offset), and it only moves forward.
    pub fn update_follower_high_watermark(&mut self, leader_high_watermark: i64) {
        let candidate = leader_high_watermark.min(self.log.log_end_offset());
        if candidate > self.high_watermark {
            self.high_watermark = candidate;
        }
    }

    /// Deletes segments past retention; returns (segments deleted, new log start offset).
    pub fn apply_retention(&mut self, now: Millis) -> Option<(usize, i64)> {
        let outcome = self.log.delete_old_segments(self.high_watermark, now as i64);
        (!outcome.deleted.is_empty()).then_some((outcome.deleted.len(), outcome.log_start_offset_after))
    }

    /// Runs the log cleaner if the log is compacted and dirty enough; returns records removed.
    /// Without transactions the last stable offset is the high watermark.
    pub fn compact(&mut self, now: Millis) -> Option<u64> {
        match self.log.compact(now as i64, self.high_watermark) {
            CompactionOutcome::Cleaned(stats) => Some(stats.records_removed()).filter(|removed| *removed > 0),
            CompactionOutcome::NotCompacted | CompactionOutcome::NotEligible(_) => None,
        }
    }
}
