//! Kafka's requests and responses, as typed messages on the simulated network.
//!
//! Only the fields that change behaviour are modelled; names follow Kafka's protocol docs so a
//! learner who opens the in-flight message list recognises ProduceRequest, FetchResponse, ...

mod error;
mod message;
pub mod metadata;
pub mod share_state;
mod topic_name;
mod txn_state;

pub use error::ErrorCode;
pub use message::{
    ClientMessage, ControllerMessage, GroupMessage, Message, RaftMessage, ReplicationMessage, ShareStateMessage,
    TxnMarker, TxnMessage,
};
pub use topic_name::{same_name, TopicName};
pub use txn_state::TxnState;

use crate::log::RecordBatch;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// A topic name and partition index, Kafka's `TopicPartition`.
#[derive(Debug, Clone, Eq, Serialize, serde::Deserialize)]
pub struct TopicPartition {
    pub topic: TopicName,
    pub partition: i32,
}

/// By topic name, bytewise as `String` orders, then by partition: the order a derive gives.
impl Ord for TopicPartition {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.topic.cmp(&other.topic).then(self.partition.cmp(&other.partition))
    }
}

/// Partition first, then the names: the linear searches for a partition (parked fetches,
/// delayed produces) mostly meet other partitions of the same topic.
impl PartialEq for TopicPartition {
    fn eq(&self, other: &Self) -> bool {
        self.partition == other.partition && self.topic == other.topic
    }
}

/// As a derive would hash it (the name, then the partition): the trace hash depends on it.
impl std::hash::Hash for TopicPartition {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.topic.hash(state);
        self.partition.hash(state);
    }
}

impl PartialOrd for TopicPartition {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl TopicPartition {
    pub fn new(topic: impl Into<TopicName>, partition: i32) -> Self {
        TopicPartition { topic: topic.into(), partition }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// The election an ElectLeaders request asks for (Kafka's `org.apache.kafka.common.ElectionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ElectionType {
    /// Leadership back to the first replica of the assignment.
    Preferred,
    /// A leader for a partition without one, out of the ISR if need be.
    Unclean,
}

impl fmt::Display for ElectionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ElectionType::Preferred => "PREFERRED",
            ElectionType::Unclean => "UNCLEAN",
        })
    }
}

/// The `acks` a produce request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Acks {
    /// `acks=0`: fire and forget, no response.
    None,
    /// `acks=1`: the leader's append is enough.
    Leader,
    /// `acks=all` (`-1`): every ISR member must have the records.
    All,
}

/// One partition's answer in a ProduceResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionProduceResponse {
    pub topic_partition: TopicPartition,
    pub error: ErrorCode,
    /// Offset of the batch's first record, or -1 on error.
    pub base_offset: i64,
}

/// One partition in a FetchRequest (KIP-320: the fetcher says which leader epoch it believes
/// in and the epoch of its last fetched batch, so the leader can detect a diverged log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchPartition {
    pub topic_partition: TopicPartition,
    pub fetch_offset: i64,
    /// -1: not checked (the pre-KIP-101 behaviour, kept for teaching).
    pub last_fetched_epoch: i32,
    pub current_leader_epoch: i32,
}

/// `AcknowledgeType` of ShareAcknowledge and ShareFetch (KIP-932; Kafka's ids 1, 2, 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcknowledgeType {
    /// Processed: the record is done.
    Accept,
    /// Not processed: give it to a consumer again (archived at the delivery limit).
    Release,
    /// Unprocessable: archive it now.
    Reject,
}

/// One record's acknowledgement by a share consumer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareAcknowledgement {
    pub topic_partition: TopicPartition,
    pub offset: i64,
    pub kind: AcknowledgeType,
}

/// A record a ShareFetch acquired for the member (`AcquiredRecords` of the response, with the
/// record's key, which the application reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcquiredRecord {
    pub offset: i64,
    pub delivery_count: u32,
    pub key: Option<Vec<u8>>,
}

/// One partition's answer in a ShareFetchResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareFetchPartition {
    pub topic_partition: TopicPartition,
    pub error: ErrorCode,
    pub acquired: Vec<AcquiredRecord>,
}

/// One partition of a consumer's OffsetsForLeaderEpoch request (KIP-320, replica_id -1): where
/// does `leader_epoch`, the epoch of the record before the consumer's position, end on the
/// leader, which the consumer believes is in `current_leader_epoch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OffsetForLeaderPartition {
    pub topic_partition: TopicPartition,
    pub current_leader_epoch: i32,
    pub leader_epoch: i32,
}

/// One partition of an OffsetsForLeaderEpoch response (`EpochEndOffset`): the largest epoch at
/// or below the one asked for and its end offset, both -1 when the leader has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpochEndOffset {
    pub topic_partition: TopicPartition,
    pub error: ErrorCode,
    pub leader_epoch: i32,
    pub end_offset: i64,
}

/// One partition's data in a FetchResponse.
#[derive(Debug, Clone, Serialize)]
pub struct PartitionFetchResponse {
    pub topic_partition: TopicPartition,
    pub error: ErrorCode,
    pub high_watermark: i64,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    /// The leader's (epoch, end offset) where the fetcher's log diverged from its own.
    pub diverging_epoch: Option<(i32, i64)>,
    /// The partition's last stable offset: a read_committed fetch reads only below it.
    pub last_stable_offset: i64,
    /// read_committed only: the aborted transactions overlapping the returned batches, so the
    /// consumer can drop their records (Kafka's `AbortedTransaction`: producer id, first offset).
    pub aborted_transactions: Vec<AbortedTransaction>,
    /// KIP-392: the replica the consumer should fetch this partition from instead (Kafka's
    /// `preferred_read_replica`, -1 on the wire for none); such an answer carries no records.
    pub preferred_read_replica: Option<i32>,
    /// Shared with the leader's log: a fetch does not copy records.
    pub batches: Vec<Arc<RecordBatch>>,
}

/// An aborted transaction in a fetch response (`FetchResponseData.AbortedTransaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AbortedTransaction {
    pub producer_id: i64,
    pub first_offset: i64,
}

impl PartitionFetchResponse {
    /// An answer with no data yet; the fetch path fills in the offsets, records or error.
    pub fn empty(topic_partition: TopicPartition) -> Self {
        PartitionFetchResponse {
            topic_partition,
            error: ErrorCode::None,
            high_watermark: -1,
            log_start_offset: -1,
            log_end_offset: -1,
            diverging_epoch: None,
            last_stable_offset: -1,
            aborted_transactions: Vec::new(),
            preferred_read_replica: None,
            batches: Vec::new(),
        }
    }
}

/// A partition's leadership as clients learn it from a MetadataResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionMetadata {
    pub topic_partition: TopicPartition,
    /// -1 when the partition has no leader (offline).
    pub leader: i32,
    pub leader_epoch: i32,
}

/// `isolation.level`: how far a consumer may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IsolationLevel {
    /// Up to the high watermark.
    ReadUncommitted,
    /// Up to the last stable offset, without the records of aborted transactions.
    ReadCommitted,
}

/// A member's subscription (`ConsumerProtocolSubscription` v2): topics, the partitions it owns
/// and the generation it owned them in, which the sticky assignors use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Subscription {
    pub topics: Vec<String>,
    pub owned_partitions: Vec<TopicPartition>,
    pub generation_id: i32,
}

/// One entry of JoinGroup's protocol list: an assignor name and the member's subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct JoinGroupProtocol {
    pub name: String,
    pub metadata: Subscription,
}

/// A member as the group leader sees it in its JoinGroupResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinGroupMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub metadata: Subscription,
}

/// One partition's answer to ListOffsets; offset -1 = no such record. `leader_epoch` (v4+,
/// KIP-320) is the leader epoch of the record at `offset` (for the latest offset, the leader's
/// current epoch; -1 unknown), as `UnifiedLog.fetchOffsetByTimestamp` and
/// `Partition.fetchOffsetForTimestamp` answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListOffsetsPartition {
    pub topic_partition: TopicPartition,
    pub error: ErrorCode,
    pub timestamp: i64,
    pub offset: i64,
    pub leader_epoch: i32,
}

/// A partition's offset in OffsetCommit and TxnOffsetCommit requests and OffsetFetch responses
/// (Kafka's `OffsetCommitRequestPartition`, `TxnOffsetCommitRequestPartition`,
/// `OffsetFetchResponsePartition`). `committed_leader_epoch` (KIP-320) is the leader epoch of the
/// last consumed record (`OffsetAndMetadata.leaderEpoch()`), -1 unknown: a consumer that starts
/// from the offset validates it against that epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OffsetCommitPartition {
    pub topic_partition: TopicPartition,
    pub committed_offset: i64,
    pub committed_leader_epoch: i32,
}

impl OffsetCommitPartition {
    /// An offset committed without a leader epoch (a seek, a reset, an admin client).
    pub fn without_epoch(topic_partition: TopicPartition, committed_offset: i64) -> Self {
        OffsetCommitPartition { topic_partition, committed_offset, committed_leader_epoch: -1 }
    }
}

#[cfg(test)]
mod order_tests {
    use super::TopicPartition;

    #[test]
    fn topic_partitions_order_as_name_then_partition() {
        let names = ["", "a", "ab", "b", "orders", "orders-2", "order", "__consumer_offsets", "주문", "Z"];
        let all: Vec<TopicPartition> =
            names.iter().flat_map(|n| [-1, 0, 2, 10].map(|p| TopicPartition::new(*n, p))).collect();
        for x in &all {
            for y in &all {
                let derived = (x.topic.as_str(), x.partition).cmp(&(y.topic.as_str(), y.partition));
                assert_eq!(x.cmp(y), derived, "{x} vs {y}");
                assert_eq!(x.partial_cmp(y), Some(derived));
                assert_eq!(x == y, derived.is_eq());
            }
        }
    }
}
