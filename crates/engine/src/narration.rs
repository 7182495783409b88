//! Narration: typed facts the engine emits as things happen. The app turns each fact into a
//! Korean or English sentence; the engine itself holds no language text.

use crate::protocol::{ErrorCode, TopicPartition};
use crate::sim::network::DropReason;
use crate::sim::{Millis, NodeId};
use serde::Serialize;

/// One thing that happened, in Kafka's terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    BrokerStarted { broker: i32 },
    BrokerStopped { broker: i32 },
    TopicCreated { topic: String, partitions: i32, replication_factor: i32 },
    /// The controller chose a partition leader (`leader` -1: the partition is offline).
    LeaderElected {
        topic_partition: TopicPartition,
        leader: i32,
        previous_leader: i32,
        leader_epoch: i32,
        isr: Vec<i32>,
        /// An out-of-sync replica was chosen (`unclean.leader.election.enable`): data may be lost.
        unclean: bool,
    },
    IsrChanged { topic_partition: TopicPartition, isr: Vec<i32>, removed: Vec<i32>, added: Vec<i32> },
    ControllerElected { broker: i32, epoch: i32 },
    ControllerResigned { broker: i32, epoch: i32 },
    BrokerRegistered { broker: i32, broker_epoch: i64 },
    BrokerFenced { broker: i32, controller: i32 },
    BrokerUnfenced { broker: i32, controller: i32 },
    /// A follower cut its log back to where it agrees with its leader.
    LogTruncated { topic_partition: TopicPartition, broker: i32, from_offset: i64, to_offset: i64, leader_epoch: i32 },
    NodeIsolated { node: NodeId },
    ProducerStarted { producer: u32, name: String },
    ProducerIdAssigned { producer: u32, producer_id: i64, producer_epoch: i16 },
    MetadataUpdated { client: u32, partitions: usize },
    /// A leader appended a batch to its log.
    BatchAppended { topic_partition: TopicPartition, broker: i32, base_offset: i64, last_offset: i64, leader_epoch: i32 },
    /// The idempotent producer's retry was recognised by its sequence number and not written again.
    DuplicateBatch { topic_partition: TopicPartition, broker: i32, producer_id: i64, base_sequence: i32, base_offset: i64 },
    /// A batch was acknowledged to the producer (`base_offset` is -1 for acks=0).
    ProduceAcked { producer: u32, topic_partition: TopicPartition, base_offset: i64, records: usize },
    /// A produce attempt failed; `will_retry` says whether the producer tries again.
    ProduceFailed { producer: u32, topic_partition: TopicPartition, error: ErrorCode, attempt: u32, will_retry: bool },
    HighWatermarkAdvanced { topic_partition: TopicPartition, broker: i32, high_watermark: i64 },
    SegmentRolled { topic_partition: TopicPartition, broker: i32, base_offset: i64 },
    SegmentsDeleted { topic_partition: TopicPartition, broker: i32, segments: usize, log_start_offset: i64 },
    LogCompacted { topic_partition: TopicPartition, broker: i32, records_removed: u64 },
    MessageDropped { from: NodeId, to: NodeId, kind: &'static str, reason: DropReason },
    LinkCut { from: NodeId, to: NodeId },
    LinkHealed { from: NodeId, to: NodeId },
    NodeSlowed { node: NodeId, extra_ms: Millis },
}
