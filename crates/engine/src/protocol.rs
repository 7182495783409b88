//! Kafka's requests and responses, as typed messages on the simulated network.
//!
//! Only the fields that change behaviour are modelled; names follow Kafka's protocol docs so a
//! learner who opens the in-flight message list recognises ProduceRequest, FetchResponse, ...

use crate::controller::metadata::{MetadataEntry, PartitionRegistration};
use crate::log::{LogError, RecordBatch};
use serde::Serialize;
use std::fmt;

/// A topic name and partition index, Kafka's `TopicPartition`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition { topic: topic.into(), partition }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// Kafka's protocol error codes (the subset the simulation can produce), with Kafka's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    None,
    OffsetOutOfRange,
    CorruptMessage,
    UnknownTopicOrPartition,
    NotLeaderOrFollower,
    RequestTimedOut,
    MessageTooLarge,
    RecordListTooLarge,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    InvalidRecord,
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
    UnsupportedCompressionType,
    PolicyViolation,
    UnknownServerError,
    BrokerIdNotRegistered,
    NotController,
    StaleBrokerEpoch,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
    InvalidUpdateVersion,
    IneligibleReplica,
    /// Not a wire code: the client gave up on a batch after `delivery.timeout.ms`.
    DeliveryTimeout,
    /// Not a wire code: the client lost its connection (a cut link or a dead broker).
    NetworkException,
}

impl ErrorCode {
    /// Whether Kafka's producer retries a batch that failed with this error.
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            ErrorCode::CorruptMessage
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::NotLeaderOrFollower
                | ErrorCode::RequestTimedOut
                | ErrorCode::NotEnoughReplicas
                | ErrorCode::NotEnoughReplicasAfterAppend
                | ErrorCode::NetworkException
        )
    }

    /// Whether the client should refresh its metadata before retrying.
    pub fn invalidates_metadata(self) -> bool {
        matches!(
            self,
            ErrorCode::NotLeaderOrFollower | ErrorCode::UnknownTopicOrPartition | ErrorCode::NetworkException
        )
    }

    /// Kafka's name for the error, e.g. `NOT_ENOUGH_REPLICAS`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::None => "NONE",
            ErrorCode::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            ErrorCode::CorruptMessage => "CORRUPT_MESSAGE",
            ErrorCode::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            ErrorCode::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ErrorCode::RequestTimedOut => "REQUEST_TIMED_OUT",
            ErrorCode::MessageTooLarge => "MESSAGE_TOO_LARGE",
            ErrorCode::RecordListTooLarge => "RECORD_LIST_TOO_LARGE",
            ErrorCode::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            ErrorCode::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            ErrorCode::InvalidRecord => "INVALID_RECORD",
            ErrorCode::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            ErrorCode::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            ErrorCode::UnsupportedCompressionType => "UNSUPPORTED_COMPRESSION_TYPE",
            ErrorCode::PolicyViolation => "POLICY_VIOLATION",
            ErrorCode::UnknownServerError => "UNKNOWN_SERVER_ERROR",
            ErrorCode::BrokerIdNotRegistered => "BROKER_ID_NOT_REGISTERED",
            ErrorCode::NotController => "NOT_CONTROLLER",
            ErrorCode::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            ErrorCode::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ErrorCode::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            ErrorCode::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            ErrorCode::IneligibleReplica => "INELIGIBLE_REPLICA",
            ErrorCode::DeliveryTimeout => "DELIVERY_TIMEOUT",
            ErrorCode::NetworkException => "NETWORK_EXCEPTION",
        }
    }
}

impl From<&LogError> for ErrorCode {
    /// The error code a broker answers with when its log refuses an operation.
    fn from(error: &LogError) -> Self {
        match error {
            LogError::OffsetOutOfRange { .. } | LogError::DeleteBeyondHighWatermark { .. } => ErrorCode::OffsetOutOfRange,
            LogError::InvalidRecord { .. } => ErrorCode::InvalidRecord,
            LogError::MessageTooLarge { .. } => ErrorCode::MessageTooLarge,
            LogError::RecordListTooLarge { .. } => ErrorCode::RecordListTooLarge,
            LogError::UnsupportedCompression { .. } => ErrorCode::UnsupportedCompressionType,
            LogError::PolicyViolation { .. } => ErrorCode::PolicyViolation,
            LogError::UnexpectedAppendOffset { .. } | LogError::NegativeTruncation { .. } => ErrorCode::UnknownServerError,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
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
    pub batches: Vec<RecordBatch>,
}

/// A partition's leadership as clients learn it from a MetadataResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionMetadata {
    pub topic_partition: TopicPartition,
    /// -1 when the partition has no leader (offline).
    pub leader: i32,
    pub leader_epoch: i32,
}

/// Every message kind that travels the simulated network.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum Message {
    MetadataRequest,
    MetadataResponse { partitions: Vec<PartitionMetadata> },
    InitProducerIdRequest { producer_id: i64, producer_epoch: i16 },
    InitProducerIdResponse { producer_id: i64, producer_epoch: i16 },
    ProduceRequest { correlation_id: u64, acks: Acks, timeout_ms: u64, batches: Vec<(TopicPartition, RecordBatch)> },
    ProduceResponse { correlation_id: u64, partitions: Vec<PartitionProduceResponse> },
    /// A follower's (replica_id >= 0) fetch from a partition leader.
    FetchRequest { replica_id: i32, max_wait_ms: u64, partitions: Vec<FetchPartition> },
    FetchResponse { partitions: Vec<PartitionFetchResponse> },
    /// KRaft: a candidate asks a voter for its vote in `candidate_epoch`.
    VoteRequest { candidate_epoch: i32, candidate_id: i32, last_offset_epoch: i32, last_offset: i64 },
    VoteResponse { epoch: i32, vote_granted: bool },
    /// KRaft: a new quorum leader announces itself to the voters.
    BeginQuorumEpoch { epoch: i32, leader_id: i32 },
    /// KRaft: Kafka's Fetch on `__cluster_metadata`, from a voter or an observer broker.
    /// `high_watermark` is the fetcher's own (KIP-1166), so a leader can answer at once when it
    /// is behind instead of parking the fetch.
    QuorumFetchRequest { replica_id: i32, fetch_offset: i64, last_fetched_epoch: i32, high_watermark: i64 },
    QuorumFetchResponse {
        epoch: i32,
        leader_id: i32,
        error: ErrorCode,
        high_watermark: i64,
        diverging: Option<(i32, i64)>,
        entries: Vec<MetadataEntry>,
    },
    BrokerRegistrationRequest { broker_id: i32 },
    BrokerRegistrationResponse { error: ErrorCode, broker_epoch: i64 },
    BrokerHeartbeatRequest { broker_id: i32, broker_epoch: i64, current_metadata_offset: i64 },
    BrokerHeartbeatResponse { error: ErrorCode, is_fenced: bool },
    /// A partition leader asks the controller to change the ISR.
    AlterPartitionRequest {
        broker_id: i32,
        topic_partition: TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: Vec<i32>,
    },
    AlterPartitionResponse { topic_partition: TopicPartition, error: ErrorCode, registration: Option<PartitionRegistration> },
}

impl Message {
    /// The protocol name shown on a moving dot, e.g. `ProduceRequest`.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::MetadataRequest => "MetadataRequest",
            Message::MetadataResponse { .. } => "MetadataResponse",
            Message::InitProducerIdRequest { .. } => "InitProducerIdRequest",
            Message::InitProducerIdResponse { .. } => "InitProducerIdResponse",
            Message::ProduceRequest { .. } => "ProduceRequest",
            Message::ProduceResponse { .. } => "ProduceResponse",
            Message::FetchRequest { .. } => "FetchRequest",
            Message::FetchResponse { .. } => "FetchResponse",
            Message::VoteRequest { .. } => "VoteRequest",
            Message::VoteResponse { .. } => "VoteResponse",
            Message::BeginQuorumEpoch { .. } => "BeginQuorumEpoch",
            Message::QuorumFetchRequest { .. } => "QuorumFetchRequest",
            Message::QuorumFetchResponse { .. } => "QuorumFetchResponse",
            Message::BrokerRegistrationRequest { .. } => "BrokerRegistrationRequest",
            Message::BrokerRegistrationResponse { .. } => "BrokerRegistrationResponse",
            Message::BrokerHeartbeatRequest { .. } => "BrokerHeartbeatRequest",
            Message::BrokerHeartbeatResponse { .. } => "BrokerHeartbeatResponse",
            Message::AlterPartitionRequest { .. } => "AlterPartitionRequest",
            Message::AlterPartitionResponse { .. } => "AlterPartitionResponse",
        }
    }
}
