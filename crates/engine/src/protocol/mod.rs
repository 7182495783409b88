//! Kafka's requests and responses, as typed messages on the simulated network.
//!
//! Only the fields that change behaviour are modelled; names follow Kafka's protocol docs so a
//! learner who opens the in-flight message list recognises ProduceRequest, FetchResponse, ...

pub mod metadata;

use crate::log::{LogError, RecordBatch};
use metadata::{MetadataEntry, PartitionRegistration};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// A topic name and partition index, Kafka's `TopicPartition`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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
    CoordinatorNotAvailable,
    NotCoordinator,
    IllegalGeneration,
    InconsistentGroupProtocol,
    UnknownMemberId,
    InvalidSessionTimeout,
    RebalanceInProgress,
    MemberIdRequired,
    FencedInstanceId,
    GroupIdNotFound,
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
            ErrorCode::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            ErrorCode::NotCoordinator => "NOT_COORDINATOR",
            ErrorCode::IllegalGeneration => "ILLEGAL_GENERATION",
            ErrorCode::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            ErrorCode::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            ErrorCode::InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            ErrorCode::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            ErrorCode::MemberIdRequired => "MEMBER_ID_REQUIRED",
            ErrorCode::FencedInstanceId => "FENCED_INSTANCE_ID",
            ErrorCode::GroupIdNotFound => "GROUP_ID_NOT_FOUND",
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
            LogError::OffsetOutOfRange { .. } | LogError::DeleteBeyondHighWatermark { .. } => {
                ErrorCode::OffsetOutOfRange
            }
            LogError::InvalidRecord { .. } => ErrorCode::InvalidRecord,
            LogError::MessageTooLarge { .. } => ErrorCode::MessageTooLarge,
            LogError::RecordListTooLarge { .. } => ErrorCode::RecordListTooLarge,
            LogError::UnsupportedCompression { .. } => ErrorCode::UnsupportedCompressionType,
            LogError::PolicyViolation { .. } => ErrorCode::PolicyViolation,
            LogError::UnexpectedAppendOffset { .. } | LogError::NegativeTruncation { .. } => {
                ErrorCode::UnknownServerError
            }
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
    /// Shared with the leader's log: a fetch does not copy records.
    pub batches: Vec<Arc<RecordBatch>>,
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

/// Every message kind that travels the simulated network.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum Message {
    MetadataRequest,
    MetadataResponse {
        partitions: Vec<PartitionMetadata>,
    },
    InitProducerIdRequest {
        producer_id: i64,
        producer_epoch: i16,
    },
    InitProducerIdResponse {
        producer_id: i64,
        producer_epoch: i16,
    },
    ProduceRequest {
        correlation_id: u64,
        acks: Acks,
        timeout_ms: u64,
        batches: Vec<(TopicPartition, RecordBatch)>,
    },
    ProduceResponse {
        correlation_id: u64,
        partitions: Vec<PartitionProduceResponse>,
    },
    /// A follower's (replica_id >= 0) fetch from a partition leader.
    FetchRequest {
        replica_id: i32,
        max_wait_ms: u64,
        partitions: Vec<FetchPartition>,
    },
    FetchResponse {
        partitions: Vec<PartitionFetchResponse>,
    },
    /// Which broker coordinates a group (key type 0).
    FindCoordinatorRequest {
        key: String,
    },
    /// `node_id` is -1 with an error.
    FindCoordinatorResponse {
        key: String,
        error: ErrorCode,
        node_id: i32,
    },
    JoinGroupRequest {
        group_id: String,
        /// Empty on a member's first join (KIP-394: the coordinator answers MEMBER_ID_REQUIRED).
        member_id: String,
        group_instance_id: Option<String>,
        /// The request header's `client.id`; member ids start with it.
        client_id: String,
        session_timeout_ms: u64,
        /// The client's `max.poll.interval.ms`.
        rebalance_timeout_ms: u64,
        protocol_type: String,
        /// Assignor names in preference order, each with the member's subscription.
        protocols: Vec<JoinGroupProtocol>,
    },
    JoinGroupResponse {
        group_id: String,
        error: ErrorCode,
        generation_id: i32,
        protocol_name: Option<String>,
        leader: String,
        member_id: String,
        /// KIP-345: a rejoining static leader keeps the current assignment without recomputing it.
        skip_assignment: bool,
        /// Every member's subscription, for the leader only.
        members: Vec<JoinGroupMember>,
    },
    SyncGroupRequest {
        group_id: String,
        generation_id: i32,
        member_id: String,
        group_instance_id: Option<String>,
        /// The leader's assignment for every member; empty from followers.
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    SyncGroupResponse {
        group_id: String,
        error: ErrorCode,
        assignment: Vec<TopicPartition>,
    },
    HeartbeatRequest {
        group_id: String,
        generation_id: i32,
        member_id: String,
        group_instance_id: Option<String>,
    },
    HeartbeatResponse {
        group_id: String,
        error: ErrorCode,
    },
    LeaveGroupRequest {
        group_id: String,
        member_id: String,
        group_instance_id: Option<String>,
    },
    LeaveGroupResponse {
        group_id: String,
        error: ErrorCode,
    },
    /// `generation_id` -1 with an empty member id: a commit from outside the group protocol.
    OffsetCommitRequest {
        correlation_id: u64,
        group_id: String,
        generation_id: i32,
        member_id: String,
        group_instance_id: Option<String>,
        offsets: Vec<(TopicPartition, i64)>,
    },
    OffsetCommitResponse {
        correlation_id: u64,
        group_id: String,
        partitions: Vec<(TopicPartition, ErrorCode)>,
    },
    OffsetFetchRequest {
        group_id: String,
        partitions: Vec<TopicPartition>,
    },
    /// Offset -1 = nothing committed for that partition.
    OffsetFetchResponse {
        group_id: String,
        error: ErrorCode,
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// Timestamp -2 = earliest, -1 = latest, otherwise the first offset at or after it.
    ListOffsetsRequest {
        isolation_level: IsolationLevel,
        partitions: Vec<(TopicPartition, i64)>,
    },
    ListOffsetsResponse {
        partitions: Vec<ListOffsetsPartition>,
    },
    /// A consumer's fetch (Kafka's FetchRequest with replica_id -1): reads only below the high
    /// watermark and long-polls up to `max_wait_ms` until `min_bytes` are available.
    ConsumerFetchRequest {
        isolation_level: IsolationLevel,
        max_wait_ms: u64,
        min_bytes: u64,
        max_bytes: u64,
        partitions: Vec<(TopicPartition, i64)>,
    },
    /// KRaft: a candidate asks a voter for its vote in `candidate_epoch`.
    VoteRequest {
        candidate_epoch: i32,
        candidate_id: i32,
        last_offset_epoch: i32,
        last_offset: i64,
    },
    VoteResponse {
        epoch: i32,
        vote_granted: bool,
    },
    /// KRaft: a new quorum leader announces itself to the voters.
    BeginQuorumEpoch {
        epoch: i32,
        leader_id: i32,
    },
    /// KRaft: Kafka's Fetch on `__cluster_metadata`, from a voter or an observer broker.
    /// `high_watermark` is the fetcher's own (KIP-1166), so a leader can answer at once when it
    /// is behind instead of parking the fetch.
    /// `correlation_id` pairs a response with its request, as in Kafka's request header: a late
    /// answer to an abandoned fetch must not be applied to a log that has moved on.
    QuorumFetchRequest {
        correlation_id: u64,
        replica_id: i32,
        fetch_offset: i64,
        last_fetched_epoch: i32,
        high_watermark: i64,
    },
    QuorumFetchResponse {
        correlation_id: u64,
        epoch: i32,
        leader_id: i32,
        error: ErrorCode,
        high_watermark: i64,
        diverging: Option<(i32, i64)>,
        entries: Vec<MetadataEntry>,
    },
    BrokerRegistrationRequest {
        broker_id: i32,
    },
    BrokerRegistrationResponse {
        error: ErrorCode,
        broker_epoch: i64,
    },
    BrokerHeartbeatRequest {
        broker_id: i32,
        broker_epoch: i64,
        current_metadata_offset: i64,
    },
    BrokerHeartbeatResponse {
        error: ErrorCode,
        is_fenced: bool,
    },
    /// A partition leader asks the controller to change the ISR.
    AlterPartitionRequest {
        broker_id: i32,
        topic_partition: TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: Vec<i32>,
    },
    AlterPartitionResponse {
        topic_partition: TopicPartition,
        error: ErrorCode,
        registration: Option<PartitionRegistration>,
    },
}

/// `isolation.level`: how far a consumer may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IsolationLevel {
    /// Up to the high watermark.
    ReadUncommitted,
    /// Up to the last stable offset (equal to the high watermark until transactions exist).
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// One partition's answer to ListOffsets; offset -1 = no such record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListOffsetsPartition {
    pub topic_partition: TopicPartition,
    pub error: ErrorCode,
    pub timestamp: i64,
    pub offset: i64,
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
            Message::FindCoordinatorRequest { .. } => "FindCoordinatorRequest",
            Message::FindCoordinatorResponse { .. } => "FindCoordinatorResponse",
            Message::JoinGroupRequest { .. } => "JoinGroupRequest",
            Message::JoinGroupResponse { .. } => "JoinGroupResponse",
            Message::SyncGroupRequest { .. } => "SyncGroupRequest",
            Message::SyncGroupResponse { .. } => "SyncGroupResponse",
            Message::HeartbeatRequest { .. } => "HeartbeatRequest",
            Message::HeartbeatResponse { .. } => "HeartbeatResponse",
            Message::LeaveGroupRequest { .. } => "LeaveGroupRequest",
            Message::LeaveGroupResponse { .. } => "LeaveGroupResponse",
            Message::OffsetCommitRequest { .. } => "OffsetCommitRequest",
            Message::OffsetCommitResponse { .. } => "OffsetCommitResponse",
            Message::OffsetFetchRequest { .. } => "OffsetFetchRequest",
            Message::OffsetFetchResponse { .. } => "OffsetFetchResponse",
            Message::ListOffsetsRequest { .. } => "ListOffsetsRequest",
            Message::ListOffsetsResponse { .. } => "ListOffsetsResponse",
            // On the wire it is a FetchRequest with replica_id -1.
            Message::ConsumerFetchRequest { .. } => "FetchRequest",
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
