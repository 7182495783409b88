//! Kafka's requests and responses, grouped by the subsystem that serves them, so that routing is
//! exhaustive at compile time: a node matches the groups it serves and names every message of
//! them; a message that reaches a node that does not serve it is reported, never dropped silently.

use super::metadata::{MetadataEntry, PartitionRegistration};
use super::share_state::{PersistedState, StateChange};
use super::{
    Acks, EpochEndOffset, ErrorCode, FetchPartition, IsolationLevel, JoinGroupMember, JoinGroupProtocol,
    ListOffsetsPartition, OffsetCommitPartition, OffsetForLeaderPartition, PartitionFetchResponse, PartitionMetadata,
    PartitionProduceResponse, ShareAcknowledgement, ShareFetchPartition, TopicPartition,
};
use crate::log::RecordBatch;
use serde::Serialize;

/// Every message that travels the simulated network, by subsystem.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Message {
    Client(ClientMessage),
    Replication(ReplicationMessage),
    Raft(RaftMessage),
    Controller(ControllerMessage),
    Group(GroupMessage),
    Txn(TxnMessage),
    ShareState(ShareStateMessage),
}

/// What clients (producers and consumers) ask any broker, and the answers: metadata,
/// producer ids, produce, consumer fetches, ListOffsets, FindCoordinator.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum ClientMessage {
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
        /// Set by a transactional producer: the partition leader verifies the transaction with
        /// its coordinator before appending (KIP-890).
        transactional_id: Option<String>,
        acks: Acks,
        timeout_ms: u64,
        batches: Vec<(TopicPartition, RecordBatch)>,
    },
    ProduceResponse {
        correlation_id: u64,
        partitions: Vec<PartitionProduceResponse>,
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
    /// Each partition carries the leader epoch the consumer believes in (KIP-320,
    /// `current_leader_epoch`; -1 unchecked): an older one is FENCED_LEADER_EPOCH, a newer one
    /// UNKNOWN_LEADER_EPOCH. `last_fetched_epoch` is a follower's field; consumers send -1.
    ConsumerFetchRequest {
        isolation_level: IsolationLevel,
        max_wait_ms: u64,
        min_bytes: u64,
        max_bytes: u64,
        partitions: Vec<FetchPartition>,
        /// The consumer's `client.rack` (`FetchRequest.rack_id`, KIP-392); empty: none.
        rack_id: String,
    },
    /// The answer to a consumer's fetch (on the wire, a FetchResponse).
    ConsumerFetchResponse {
        partitions: Vec<PartitionFetchResponse>,
    },
    /// A share consumer's fetch (KIP-932) to a partition leader: acquires records for the
    /// member under acquisition locks, carrying the acknowledgements of earlier records.
    ShareFetchRequest {
        group_id: String,
        member_id: String,
        max_records: u32,
        partitions: Vec<TopicPartition>,
        acknowledgements: Vec<ShareAcknowledgement>,
    },
    ShareFetchResponse {
        partitions: Vec<ShareFetchPartition>,
        /// INVALID_RECORD_STATE for acknowledgements of records the member no longer holds.
        acknowledge_errors: Vec<(TopicPartition, i64, ErrorCode)>,
    },
    /// Acknowledgements without a fetch; `closing` ends the member's share session, which
    /// releases every record it still holds (`KafkaShareConsumer.close`).
    ShareAcknowledgeRequest {
        group_id: String,
        member_id: String,
        acknowledgements: Vec<ShareAcknowledgement>,
        closing: bool,
    },
    ShareAcknowledgeResponse {
        acknowledge_errors: Vec<(TopicPartition, i64, ErrorCode)>,
    },
    /// KIP-320: a consumer validates its position after a leader change.
    OffsetsForLeaderEpochRequest {
        partitions: Vec<OffsetForLeaderPartition>,
    },
    OffsetsForLeaderEpochResponse {
        partitions: Vec<EpochEndOffset>,
    },
}

impl From<ClientMessage> for Message {
    fn from(message: ClientMessage) -> Self {
        Message::Client(message)
    }
}

/// A follower broker's fetch from a partition leader, and the answer.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum ReplicationMessage {
    /// A follower's (replica_id >= 0) fetch from a partition leader.
    FetchRequest {
        replica_id: i32,
        /// The follower's broker epoch (`ReplicaState.ReplicaEpoch`, KIP-903): the leader admits
        /// it to the ISR only while it matches the registration in the metadata.
        replica_epoch: i64,
        max_wait_ms: u64,
        partitions: Vec<FetchPartition>,
    },
    FetchResponse {
        partitions: Vec<PartitionFetchResponse>,
    },
}

impl From<ReplicationMessage> for Message {
    fn from(message: ReplicationMessage) -> Self {
        Message::Replication(message)
    }
}

/// KRaft (KIP-595) between the members of the `__cluster_metadata` quorum.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum RaftMessage {
    /// KRaft: a candidate asks a voter for its vote in `candidate_epoch`. With `pre_vote`
    /// (KIP-996) a prospective asks whether it could win in `candidate_epoch` (its epoch + 1)
    /// without anyone changing epoch or vote.
    VoteRequest { candidate_epoch: i32, candidate_id: i32, last_offset_epoch: i32, last_offset: i64, pre_vote: bool },
    /// `leader_id` is the leader the voter knows in `epoch` (-1: none), so a prospective that
    /// was refused learns whom to follow.
    VoteResponse { epoch: i32, leader_id: i32, vote_granted: bool, pre_vote: bool },
    /// KRaft: a new quorum leader announces itself to the voters.
    BeginQuorumEpoch { epoch: i32, leader_id: i32 },
    /// KRaft: a leader that resigns tells the voters, best-caught-up successors first; each
    /// stands for election after a backoff that grows with its place in the list.
    EndQuorumEpoch { epoch: i32, leader_id: i32, preferred_successors: Vec<i32> },
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
}

impl From<RaftMessage> for Message {
    fn from(message: RaftMessage) -> Self {
        Message::Raft(message)
    }
}

/// Brokers and the active controller: registration, heartbeats (fencing), ISR changes.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum ControllerMessage {
    BrokerRegistrationRequest {
        broker_id: i32,
        /// The broker epoch written at a clean shutdown (Kafka's clean shutdown file), -1 after
        /// a crash: a mismatch makes the controller treat the restart as an unclean shutdown.
        previous_broker_epoch: i64,
        /// Which process of the broker registers (Kafka's `incarnationId`).
        incarnation_id: u64,
        /// `broker.rack`, if set.
        rack: Option<String>,
    },
    BrokerRegistrationResponse {
        error: ErrorCode,
        broker_epoch: i64,
    },
    /// `want_shut_down`: the broker is stopping and asks for a controlled shutdown (KIP-841).
    BrokerHeartbeatRequest {
        broker_id: i32,
        broker_epoch: i64,
        current_metadata_offset: i64,
        want_shut_down: bool,
    },
    /// `should_shut_down`: the controller moved everything away; the broker may stop now.
    BrokerHeartbeatResponse {
        error: ErrorCode,
        is_fenced: bool,
        should_shut_down: bool,
    },
    /// A partition leader asks the controller to change the ISR.
    AlterPartitionRequest {
        broker_id: i32,
        topic_partition: TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: Vec<i32>,
        /// The broker epoch of each `new_isr` member as the leader knows it (Kafka's
        /// `NewIsrWithEpochs`): its own, and the one a follower's fetches carried; -1 if unknown.
        broker_epochs: Vec<i64>,
    },
    AlterPartitionResponse {
        topic_partition: TopicPartition,
        error: ErrorCode,
        /// Boxed: a registration is large, and every message pays for the largest variant.
        registration: Option<Box<PartitionRegistration>>,
    },
}

impl From<ControllerMessage> for Message {
    fn from(message: ControllerMessage) -> Self {
        Message::Controller(message)
    }
}

/// Consumers and their group coordinator: the classic rebalance protocol, the consumer protocol
/// (KIP-848) and committed offsets.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum GroupMessage {
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
        offsets: Vec<OffsetCommitPartition>,
    },
    OffsetCommitResponse {
        correlation_id: u64,
        group_id: String,
        partitions: Vec<(TopicPartition, ErrorCode)>,
    },
    OffsetFetchRequest {
        group_id: String,
        partitions: Vec<TopicPartition>,
        /// OffsetFetch v9+ from a consumer-protocol member (KIP-848): its member id and epoch,
        /// which the coordinator validates. None: an admin or a classic client (member id null,
        /// epoch -1), accepted as it is.
        #[serde(skip_serializing_if = "Option::is_none")]
        member: Option<(String, i32)>,
    },
    /// Offset -1 = nothing committed for that partition. UNSTABLE_OFFSET_COMMIT while a
    /// transaction's offsets for the partitions are pending (KIP-447: the consumer retries).
    OffsetFetchResponse {
        group_id: String,
        error: ErrorCode,
        offsets: Vec<OffsetCommitPartition>,
    },
    /// KIP-848: one request joins, heartbeats, acknowledges a reconciliation and leaves.
    ConsumerGroupHeartbeatRequest {
        group_id: String,
        /// Generated by the client (Kafka 4.0, KIP-1082) and kept across rejoins.
        member_id: String,
        /// 0 joins, -1 leaves, -2 leaves as a static member that comes back; else the epoch held.
        member_epoch: i32,
        group_instance_id: Option<String>,
        /// The client's `max.poll.interval.ms`: how long a revocation may take. None: unchanged
        /// since the last heartbeat (Kafka's -1).
        rebalance_timeout_ms: Option<u64>,
        /// None: unchanged since the last heartbeat.
        subscribed_topic_names: Option<Vec<String>>,
        /// `group.remote.assignor`; None: the broker's default.
        server_assignor: Option<String>,
        /// What the member owns now; None: unchanged.
        owned_partitions: Option<Vec<TopicPartition>>,
    },
    ConsumerGroupHeartbeatResponse {
        group_id: String,
        error: ErrorCode,
        member_id: String,
        member_epoch: i32,
        /// `group.consumer.heartbeat.interval.ms`: the broker sets the pace.
        heartbeat_interval_ms: u64,
        /// The partitions the member may own now; None: unchanged.
        assignment: Option<Vec<TopicPartition>>,
    },
    /// `sendOffsetsToTransaction`: offsets committed only if the producer's transaction
    /// commits. The group's generation and member id fence a zombie (KIP-447).
    TxnOffsetCommitRequest {
        correlation_id: u64,
        transactional_id: String,
        group_id: String,
        producer_id: i64,
        producer_epoch: i16,
        generation_id: i32,
        member_id: String,
        group_instance_id: Option<String>,
        offsets: Vec<OffsetCommitPartition>,
    },
    TxnOffsetCommitResponse {
        correlation_id: u64,
        group_id: String,
        partitions: Vec<(TopicPartition, ErrorCode)>,
    },
    /// A share group member's heartbeat (KIP-932): joining with epoch 0 and its subscription,
    /// leaving with -1. Assignments need no revocation: a share partition serves many members.
    ShareGroupHeartbeatRequest {
        group_id: String,
        member_id: String,
        member_epoch: i32,
        /// None: unchanged since the last heartbeat.
        subscribed_topic_names: Option<Vec<String>>,
    },
    ShareGroupHeartbeatResponse {
        group_id: String,
        error: ErrorCode,
        member_id: String,
        member_epoch: i32,
        /// `group.share.heartbeat.interval.ms`.
        heartbeat_interval_ms: u64,
        /// The member's partitions; None: unchanged.
        assignment: Option<Vec<TopicPartition>>,
    },
}

impl From<GroupMessage> for Message {
    fn from(message: GroupMessage) -> Self {
        Message::Group(message)
    }
}

/// Transactions (KIP-98, as transactions version 2 runs them, KIP-890): a transactional
/// producer and its transaction coordinator, partition leaders verifying a transaction with the
/// coordinator, and the coordinator's transaction markers to partition leaders.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum TxnMessage {
    /// FindCoordinator with key type 1 (transaction).
    FindCoordinatorRequest {
        transactional_id: String,
    },
    /// `node_id` is -1 with an error.
    FindCoordinatorResponse {
        transactional_id: String,
        error: ErrorCode,
        node_id: i32,
    },
    /// InitProducerId with a `transactional.id`, to its transaction coordinator.
    InitProducerIdRequest {
        transactional_id: String,
        transaction_timeout_ms: u64,
    },
    InitProducerIdResponse {
        error: ErrorCode,
        producer_id: i64,
        producer_epoch: i16,
    },
    /// From a partition leader (transactions version 2): verify the producer's transaction and
    /// add the partitions to it, before appending its first transactional batch there.
    AddPartitionsToTxnRequest {
        correlation_id: u64,
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        partitions: Vec<TopicPartition>,
    },
    AddPartitionsToTxnResponse {
        correlation_id: u64,
        error: ErrorCode,
    },
    /// `sendOffsetsToTransaction`: adds the group's `__consumer_offsets` partition.
    AddOffsetsToTxnRequest {
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        group_id: String,
    },
    AddOffsetsToTxnResponse {
        error: ErrorCode,
    },
    EndTxnRequest {
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        committed: bool,
    },
    /// Transactions version 2: the epoch is bumped at every transaction end and returned here.
    EndTxnResponse {
        error: ErrorCode,
        producer_id: i64,
        producer_epoch: i16,
    },
    /// The coordinator asks a partition leader to append COMMIT or ABORT markers.
    WriteTxnMarkersRequest {
        correlation_id: u64,
        markers: Vec<TxnMarker>,
    },
    WriteTxnMarkersResponse {
        correlation_id: u64,
        /// Per producer id and partition.
        results: Vec<(i64, TopicPartition, ErrorCode)>,
    },
}

/// One producer's marker for some partitions, in a WriteTxnMarkersRequest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxnMarker {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub committed: bool,
    /// The leader epoch of the coordinator's `__transaction_state` partition: a marker from an
    /// older coordinator is refused (TRANSACTION_COORDINATOR_FENCED).
    pub coordinator_epoch: i32,
    pub partitions: Vec<TopicPartition>,
}

impl From<TxnMessage> for Message {
    fn from(message: TxnMessage) -> Self {
        Message::Txn(message)
    }
}

impl TxnMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            TxnMessage::FindCoordinatorRequest { .. } => "FindCoordinatorRequest",
            TxnMessage::FindCoordinatorResponse { .. } => "FindCoordinatorResponse",
            TxnMessage::InitProducerIdRequest { .. } => "InitProducerIdRequest",
            TxnMessage::InitProducerIdResponse { .. } => "InitProducerIdResponse",
            TxnMessage::AddPartitionsToTxnRequest { .. } => "AddPartitionsToTxnRequest",
            TxnMessage::AddPartitionsToTxnResponse { .. } => "AddPartitionsToTxnResponse",
            TxnMessage::AddOffsetsToTxnRequest { .. } => "AddOffsetsToTxnRequest",
            TxnMessage::AddOffsetsToTxnResponse { .. } => "AddOffsetsToTxnResponse",
            TxnMessage::EndTxnRequest { .. } => "EndTxnRequest",
            TxnMessage::EndTxnResponse { .. } => "EndTxnResponse",
            TxnMessage::WriteTxnMarkersRequest { .. } => "WriteTxnMarkersRequest",
            TxnMessage::WriteTxnMarkersResponse { .. } => "WriteTxnMarkersResponse",
        }
    }

    /// Whether this is a request (served by a broker), not a response (for a client or the
    /// broker that asked).
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            TxnMessage::FindCoordinatorRequest { .. }
                | TxnMessage::InitProducerIdRequest { .. }
                | TxnMessage::AddPartitionsToTxnRequest { .. }
                | TxnMessage::AddOffsetsToTxnRequest { .. }
                | TxnMessage::EndTxnRequest { .. }
                | TxnMessage::WriteTxnMarkersRequest { .. }
        )
    }
}

/// Between a share partition's leader and the share coordinator (KIP-932, Kafka 4.1's
/// `DefaultStatePersister` and `ShareCoordinatorService`): the leader reads the persisted state
/// when it initialises a share partition and writes every change of record states.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum ShareStateMessage {
    /// ReadShareGroupState; the leader's epoch fences older leaders' writes from then on.
    ReadShareGroupStateRequest {
        group_id: String,
        topic_partition: TopicPartition,
        leader_epoch: i32,
    },
    /// `state` is `None` when the coordinator holds nothing for the share partition yet.
    ReadShareGroupStateResponse {
        group_id: String,
        topic_partition: TopicPartition,
        leader_epoch: i32,
        error: ErrorCode,
        state: Option<PersistedState>,
    },
    /// WriteShareGroupState: the changed records and the SPSO.
    WriteShareGroupStateRequest {
        group_id: String,
        topic_partition: TopicPartition,
        leader_epoch: i32,
        start_offset: i64,
        changes: Vec<StateChange>,
    },
    WriteShareGroupStateResponse {
        group_id: String,
        topic_partition: TopicPartition,
        error: ErrorCode,
    },
}

impl From<ShareStateMessage> for Message {
    fn from(message: ShareStateMessage) -> Self {
        Message::ShareState(message)
    }
}

impl ShareStateMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            ShareStateMessage::ReadShareGroupStateRequest { .. } => "ReadShareGroupStateRequest",
            ShareStateMessage::ReadShareGroupStateResponse { .. } => "ReadShareGroupStateResponse",
            ShareStateMessage::WriteShareGroupStateRequest { .. } => "WriteShareGroupStateRequest",
            ShareStateMessage::WriteShareGroupStateResponse { .. } => "WriteShareGroupStateResponse",
        }
    }
}

impl Message {
    /// The protocol name shown on a moving dot, e.g. `ProduceRequest`.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Client(m) => m.kind(),
            Message::Replication(m) => m.kind(),
            Message::Raft(m) => m.kind(),
            Message::Controller(m) => m.kind(),
            Message::Group(m) => m.kind(),
            Message::Txn(m) => m.kind(),
            Message::ShareState(m) => m.kind(),
        }
    }
}

impl ClientMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            ClientMessage::MetadataRequest => "MetadataRequest",
            ClientMessage::MetadataResponse { .. } => "MetadataResponse",
            ClientMessage::InitProducerIdRequest { .. } => "InitProducerIdRequest",
            ClientMessage::InitProducerIdResponse { .. } => "InitProducerIdResponse",
            ClientMessage::ProduceRequest { .. } => "ProduceRequest",
            ClientMessage::ProduceResponse { .. } => "ProduceResponse",
            ClientMessage::FindCoordinatorRequest { .. } => "FindCoordinatorRequest",
            ClientMessage::FindCoordinatorResponse { .. } => "FindCoordinatorResponse",
            ClientMessage::ListOffsetsRequest { .. } => "ListOffsetsRequest",
            ClientMessage::ListOffsetsResponse { .. } => "ListOffsetsResponse",
            // On the wire it is a FetchRequest with replica_id -1.
            ClientMessage::ConsumerFetchRequest { .. } => "FetchRequest",
            ClientMessage::ConsumerFetchResponse { .. } => "FetchResponse",
            ClientMessage::ShareFetchRequest { .. } => "ShareFetchRequest",
            ClientMessage::ShareFetchResponse { .. } => "ShareFetchResponse",
            ClientMessage::ShareAcknowledgeRequest { .. } => "ShareAcknowledgeRequest",
            ClientMessage::ShareAcknowledgeResponse { .. } => "ShareAcknowledgeResponse",
            ClientMessage::OffsetsForLeaderEpochRequest { .. } => "OffsetsForLeaderEpochRequest",
            ClientMessage::OffsetsForLeaderEpochResponse { .. } => "OffsetsForLeaderEpochResponse",
        }
    }
}

impl ReplicationMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            ReplicationMessage::FetchRequest { .. } => "FetchRequest",
            ReplicationMessage::FetchResponse { .. } => "FetchResponse",
        }
    }
}

impl RaftMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            RaftMessage::VoteRequest { .. } => "VoteRequest",
            RaftMessage::VoteResponse { .. } => "VoteResponse",
            RaftMessage::BeginQuorumEpoch { .. } => "BeginQuorumEpoch",
            RaftMessage::EndQuorumEpoch { .. } => "EndQuorumEpoch",
            RaftMessage::QuorumFetchRequest { .. } => "QuorumFetchRequest",
            RaftMessage::QuorumFetchResponse { .. } => "QuorumFetchResponse",
        }
    }
}

impl ControllerMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            ControllerMessage::BrokerRegistrationRequest { .. } => "BrokerRegistrationRequest",
            ControllerMessage::BrokerRegistrationResponse { .. } => "BrokerRegistrationResponse",
            ControllerMessage::BrokerHeartbeatRequest { .. } => "BrokerHeartbeatRequest",
            ControllerMessage::BrokerHeartbeatResponse { .. } => "BrokerHeartbeatResponse",
            ControllerMessage::AlterPartitionRequest { .. } => "AlterPartitionRequest",
            ControllerMessage::AlterPartitionResponse { .. } => "AlterPartitionResponse",
        }
    }
}

impl GroupMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            GroupMessage::JoinGroupRequest { .. } => "JoinGroupRequest",
            GroupMessage::JoinGroupResponse { .. } => "JoinGroupResponse",
            GroupMessage::SyncGroupRequest { .. } => "SyncGroupRequest",
            GroupMessage::SyncGroupResponse { .. } => "SyncGroupResponse",
            GroupMessage::HeartbeatRequest { .. } => "HeartbeatRequest",
            GroupMessage::HeartbeatResponse { .. } => "HeartbeatResponse",
            GroupMessage::LeaveGroupRequest { .. } => "LeaveGroupRequest",
            GroupMessage::LeaveGroupResponse { .. } => "LeaveGroupResponse",
            GroupMessage::OffsetCommitRequest { .. } => "OffsetCommitRequest",
            GroupMessage::OffsetCommitResponse { .. } => "OffsetCommitResponse",
            GroupMessage::OffsetFetchRequest { .. } => "OffsetFetchRequest",
            GroupMessage::OffsetFetchResponse { .. } => "OffsetFetchResponse",
            GroupMessage::ConsumerGroupHeartbeatRequest { .. } => "ConsumerGroupHeartbeatRequest",
            GroupMessage::ConsumerGroupHeartbeatResponse { .. } => "ConsumerGroupHeartbeatResponse",
            GroupMessage::TxnOffsetCommitRequest { .. } => "TxnOffsetCommitRequest",
            GroupMessage::TxnOffsetCommitResponse { .. } => "TxnOffsetCommitResponse",
            GroupMessage::ShareGroupHeartbeatRequest { .. } => "ShareGroupHeartbeatRequest",
            GroupMessage::ShareGroupHeartbeatResponse { .. } => "ShareGroupHeartbeatResponse",
        }
    }
}
