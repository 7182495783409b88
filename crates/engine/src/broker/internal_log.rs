//! A coordinator's writes to its internal topic (`__consumer_offsets`, `__transaction_state`) on
//! the partition replicas this broker leads. Both coordinators write with acks=all semantics, and
//! both report the append and any high watermark it moves.

use super::replica::Replica;
use crate::controller::metadata::MetadataImage;
use crate::log::AppendInfo;
use crate::narration::Fact;
use crate::protocol::{ErrorCode, TopicPartition};
use crate::sim::Millis;
use std::collections::BTreeMap;

pub(super) struct InternalLog<'a> {
    pub broker_id: i32,
    pub replicas: &'a mut BTreeMap<TopicPartition, Replica>,
    pub image: &'a MetadataImage,
    pub replica_lag_time_max_ms: Millis,
    pub facts: Vec<Fact>,
    /// The partitions written, whose parked fetches may now be answered.
    pub appended: Vec<TopicPartition>,
}

impl<'a> InternalLog<'a> {
    /// A writer on the broker's replicas that has written nothing yet.
    pub fn new(
        broker_id: i32,
        replicas: &'a mut BTreeMap<TopicPartition, Replica>,
        image: &'a MetadataImage,
        replica_lag_time_max_ms: Millis,
    ) -> Self {
        InternalLog { broker_id, replicas, image, replica_lag_time_max_ms, facts: Vec::new(), appended: Vec::new() }
    }

    /// Appends to `tp` through `append` on its leader replica here, once the ISR meets
    /// `min.insync.replicas`; returns the offset after the appended batch.
    pub fn append(
        &mut self,
        tp: TopicPartition,
        now: Millis,
        append: impl FnOnce(&mut Replica) -> Result<AppendInfo, ErrorCode>,
    ) -> Result<i64, ErrorCode> {
        let replica =
            self.replicas.get_mut(&tp).filter(|r| r.leader == self.broker_id).ok_or(ErrorCode::NotLeaderOrFollower)?;
        if (replica.isr.len() as i32) < replica.config.min_insync_replicas {
            return Err(ErrorCode::NotEnoughReplicas);
        }
        let info = append(replica)?;
        self.facts.push(Fact::BatchAppended {
            topic_partition: tp.clone(),
            broker: self.broker_id,
            base_offset: info.first_offset,
            last_offset: info.last_offset,
            leader_epoch: replica.leader_epoch,
        });
        if let Some(fact) =
            replica.advance_high_watermark(self.broker_id, now, self.replica_lag_time_max_ms, self.image)
        {
            self.facts.push(fact);
        }
        self.appended.push(tp);
        Ok(info.last_offset + 1)
    }
}
