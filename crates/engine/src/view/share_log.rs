//! Share partitions on the log (KIP-932): for each share group and partition, the leader's share
//! partition with its start and end offsets (SPSO, SPEO) and each in-flight record's state and
//! delivery count, the holder named by its consumer's client name. Built on demand, never stored.

use crate::cluster::World;
use crate::group::share::partition::RecordState;
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use crate::view::BrokerState;
use serde::Serialize;
use std::collections::BTreeMap;

/// At most this many in-flight records are listed per share partition (the oldest first).
pub const SHARE_RECORDS_SHOWN: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharePartitionView {
    pub group_id: String,
    pub topic: String,
    pub partition: i32,
    pub leader: i32,
    /// The share-partition start offset: every record below it is done.
    pub start_offset: i64,
    /// The share-partition end offset: no member was given a record at or above it yet.
    pub end_offset: i64,
    pub high_watermark: i64,
    pub delivery_count_limit: u32,
    pub records: Vec<ShareRecordView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareRecordView {
    pub offset: i64,
    pub state: RecordState,
    pub delivery_count: u32,
    /// The consumer holding the acquisition lock (its client name).
    pub holder: Option<String>,
    pub lock_until_ms: Option<Millis>,
}

impl World {
    /// The share partitions on live leaders, by group, topic and partition (`topic`: only that
    /// topic's).
    pub fn share_partitions(&self, topic: Option<&str>) -> Vec<SharePartitionView> {
        let names: BTreeMap<&str, &str> = self.consumers().map(|c| (c.member_id.as_str(), c.name.as_str())).collect();
        let mut views = Vec::new();
        for broker in self.brokers().filter(|b| b.state != BrokerState::Dead) {
            for ((group, tp), (epoch, partition)) in &broker.volatile.share.partitions {
                let Some(replica) = broker.durable.replicas.get(tp) else { continue };
                if replica.leader != broker.id || replica.leader_epoch != *epoch || topic.is_some_and(|t| t != tp.topic)
                {
                    continue;
                }
                views.push(SharePartitionView {
                    group_id: group.clone(),
                    topic: tp.topic.to_string(),
                    partition: tp.partition,
                    leader: broker.id,
                    start_offset: partition.start_offset(),
                    end_offset: partition.end_offset(),
                    high_watermark: replica.high_watermark,
                    delivery_count_limit: partition.config().delivery_count_limit,
                    records: partition
                        .in_flight()
                        .iter()
                        .take(SHARE_RECORDS_SHOWN)
                        .map(|(offset, r)| ShareRecordView {
                            offset: *offset,
                            state: r.state,
                            delivery_count: r.delivery_count,
                            holder: r
                                .member
                                .as_deref()
                                .map(|m| names.get(m).map_or_else(|| m.to_string(), |n| n.to_string())),
                            lock_until_ms: r.lock_until,
                        })
                        .collect(),
                });
            }
        }
        views.sort_by(|a, b| (&a.group_id, &a.topic, a.partition).cmp(&(&b.group_id, &b.topic, b.partition)));
        views
    }

    /// One share group's share partition of `tp`, if a live leader has it.
    pub fn share_partition(&self, group_id: &str, tp: &TopicPartition) -> Option<SharePartitionView> {
        self.share_partitions(Some(&tp.topic))
            .into_iter()
            .find(|v| v.group_id == group_id && v.partition == tp.partition)
    }
}
