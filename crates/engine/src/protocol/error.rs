//! Kafka's protocol error codes from one table, as in Kafka's `Errors.java`: the code on the wire,
//! Kafka's name, whether the client may retry (the exception extends `RetriableException`) and
//! Kafka's description. Only the errors the simulation can produce are listed.

use crate::log::LogError;
use serde::{Serialize, Serializer};
use std::fmt;

/// Builds [`ErrorCode`] and its lookups from the table below.
macro_rules! error_codes {
    ($($variant:ident = $code:expr, $name:literal, $retriable:literal, $description:literal;)*) => {
        /// One of Kafka's protocol errors. The variant order is part of the trace hash (facts hash
        /// their discriminant): add new errors at the end.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every error the simulation knows, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code on the wire (`None` for the client-side errors that have none).
            pub fn code(self) -> Option<i16> {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// Kafka's name for the error, e.g. `NOT_ENOUGH_REPLICAS`.
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }

            /// Whether Kafka's clients retry a request that failed with this error.
            pub fn is_retriable(self) -> bool {
                match self {
                    $(ErrorCode::$variant => $retriable,)*
                }
            }

            /// Kafka's description of the error.
            pub fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $description,)*
                }
            }
        }
    };
}

error_codes! {
    None = Some(0), "NONE", false, "";
    OffsetOutOfRange = Some(1), "OFFSET_OUT_OF_RANGE", false, "The requested offset is not within the range of offsets maintained by the server.";
    CorruptMessage = Some(2), "CORRUPT_MESSAGE", true, "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.";
    UnknownTopicOrPartition = Some(3), "UNKNOWN_TOPIC_OR_PARTITION", true, "This server does not host this topic-partition.";
    NotLeaderOrFollower = Some(6), "NOT_LEADER_OR_FOLLOWER", true, "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.";
    RequestTimedOut = Some(7), "REQUEST_TIMED_OUT", true, "The request timed out.";
    MessageTooLarge = Some(10), "MESSAGE_TOO_LARGE", false, "The request included a message larger than the max message size the server will accept.";
    RecordListTooLarge = Some(18), "RECORD_LIST_TOO_LARGE", false, "The request included message batch larger than the configured segment size on the server.";
    NotEnoughReplicas = Some(19), "NOT_ENOUGH_REPLICAS", true, "Messages are rejected since there are fewer in-sync replicas than required.";
    NotEnoughReplicasAfterAppend = Some(20), "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, "Messages are written to the log, but to fewer in-sync replicas than required.";
    InvalidRecord = Some(87), "INVALID_RECORD", false, "This record has failed the validation on broker and hence will be rejected.";
    OutOfOrderSequenceNumber = Some(45), "OUT_OF_ORDER_SEQUENCE_NUMBER", false, "The broker received an out of order sequence number.";
    InvalidProducerEpoch = Some(47), "INVALID_PRODUCER_EPOCH", false, "Producer attempted to produce with an old epoch.";
    UnsupportedCompressionType = Some(76), "UNSUPPORTED_COMPRESSION_TYPE", false, "The requesting client does not support the compression type of given partition.";
    PolicyViolation = Some(44), "POLICY_VIOLATION", false, "Request parameters do not satisfy the configured policy.";
    UnknownServerError = Some(-1), "UNKNOWN_SERVER_ERROR", false, "The server experienced an unexpected error when processing the request.";
    CoordinatorNotAvailable = Some(15), "COORDINATOR_NOT_AVAILABLE", true, "The coordinator is not available.";
    NotCoordinator = Some(16), "NOT_COORDINATOR", true, "This is not the correct coordinator.";
    IllegalGeneration = Some(22), "ILLEGAL_GENERATION", false, "Specified group generation id is not valid.";
    InconsistentGroupProtocol = Some(23), "INCONSISTENT_GROUP_PROTOCOL", false, "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.";
    UnknownMemberId = Some(25), "UNKNOWN_MEMBER_ID", false, "The coordinator is not aware of this member.";
    InvalidSessionTimeout = Some(26), "INVALID_SESSION_TIMEOUT", false, "The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).";
    RebalanceInProgress = Some(27), "REBALANCE_IN_PROGRESS", false, "The group is rebalancing, so a rejoin is needed.";
    MemberIdRequired = Some(79), "MEMBER_ID_REQUIRED", false, "The group member needs to have a valid member id before actually entering a consumer group.";
    FencedInstanceId = Some(82), "FENCED_INSTANCE_ID", false, "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id.";
    GroupIdNotFound = Some(69), "GROUP_ID_NOT_FOUND", false, "The group id does not exist.";
    BrokerIdNotRegistered = Some(102), "BROKER_ID_NOT_REGISTERED", false, "The given broker ID was not registered.";
    NotController = Some(41), "NOT_CONTROLLER", true, "This is not the correct controller for this cluster.";
    StaleBrokerEpoch = Some(77), "STALE_BROKER_EPOCH", false, "Broker epoch has changed.";
    FencedLeaderEpoch = Some(74), "FENCED_LEADER_EPOCH", true, "The leader epoch in the request is older than the epoch on the broker.";
    UnknownLeaderEpoch = Some(75), "UNKNOWN_LEADER_EPOCH", true, "The leader epoch in the request is newer than the epoch on the broker.";
    InvalidUpdateVersion = Some(95), "INVALID_UPDATE_VERSION", false, "The given update version was invalid.";
    IneligibleReplica = Some(107), "INELIGIBLE_REPLICA", false, "The new ISR contains at least one ineligible replica.";
    DeliveryTimeout = None, "DELIVERY_TIMEOUT", false, "Not a wire code: the producer expired the batch after delivery.timeout.ms (a TimeoutException in the client).";
    NetworkException = Some(13), "NETWORK_EXCEPTION", true, "The server disconnected before a response was received.";
    FencedMemberEpoch = Some(110), "FENCED_MEMBER_EPOCH", false, "The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin.";
    UnreleasedInstanceId = Some(111), "UNRELEASED_INSTANCE_ID", false, "The instance ID is still used by another member in the consumer group. That member must leave first.";
    UnsupportedAssignor = Some(112), "UNSUPPORTED_ASSIGNOR", false, "The assignor or its version range is not supported by the consumer group.";
    StaleMemberEpoch = Some(113), "STALE_MEMBER_EPOCH", false, "The member epoch is stale. The member must retry after receiving its updated member epoch via the ConsumerGroupHeartbeat API.";
    DuplicateBrokerRegistration = Some(101), "DUPLICATE_BROKER_REGISTRATION", false, "This broker ID is already in use.";
    InvalidTxnState = Some(48), "INVALID_TXN_STATE", false, "The producer attempted a transactional operation in an invalid state.";
    InvalidProducerIdMapping = Some(49), "INVALID_PRODUCER_ID_MAPPING", false, "The producer attempted to use a producer id which is not currently assigned to its transactional id.";
    InvalidTransactionTimeout = Some(50), "INVALID_TRANSACTION_TIMEOUT", false, "The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms).";
    ConcurrentTransactions = Some(51), "CONCURRENT_TRANSACTIONS", false, "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing.";
    TransactionCoordinatorFenced = Some(52), "TRANSACTION_COORDINATOR_FENCED", false, "Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the current coordinator for a given producer.";
    ProducerFenced = Some(90), "PRODUCER_FENCED", false, "There is a newer producer with the same transactionalId which fences the current one.";
    CoordinatorLoadInProgress = Some(14), "COORDINATOR_LOAD_IN_PROGRESS", true, "The coordinator is loading and hence can't process requests.";
    UnstableOffsetCommit = Some(88), "UNSTABLE_OFFSET_COMMIT", true, "There are unstable offsets that need to be cleared.";
    InvalidRecordState = Some(121), "INVALID_RECORD_STATE", false, "The record state is invalid. The acknowledgement of delivery could not be completed.";
    // Partition reassignment and leader election (KIP-455, KIP-460).
    InvalidReplicaAssignment = Some(39), "INVALID_REPLICA_ASSIGNMENT", false, "Replica assignment is invalid.";
    PreferredLeaderNotAvailable = Some(80), "PREFERRED_LEADER_NOT_AVAILABLE", true, "The preferred leader was not available.";
    EligibleLeadersNotAvailable = Some(83), "ELIGIBLE_LEADERS_NOT_AVAILABLE", true, "Eligible topic partition leaders are not available.";
    ElectionNotNeeded = Some(84), "ELECTION_NOT_NEEDED", true, "Leader election not needed for topic partition.";
    NoReassignmentInProgress = Some(85), "NO_REASSIGNMENT_IN_PROGRESS", false, "No partition reassignment is in progress.";
    NewLeaderElected = Some(108), "NEW_LEADER_ELECTED", false, "The AlterPartition request successfully updated the partition state but the leader has changed.";
    NonEmptyGroup = Some(68), "NON_EMPTY_GROUP", false, "The group is not empty.";
    GroupSubscribedToTopic = Some(86), "GROUP_SUBSCRIBED_TO_TOPIC", false, "The consumer group is actively subscribed to the topic";
}

impl ErrorCode {
    /// Whether the client should refresh its metadata before retrying.
    pub fn invalidates_metadata(self) -> bool {
        matches!(
            self,
            ErrorCode::NotLeaderOrFollower | ErrorCode::UnknownTopicOrPartition | ErrorCode::NetworkException
        )
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

/// Serialized as Kafka's name, e.g. `"NOT_ENOUGH_REPLICAS"`.
impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_and_codes_are_unique_and_kafkas() {
        let names: BTreeSet<&str> = ErrorCode::ALL.iter().map(|e| e.name()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        let codes: Vec<i16> = ErrorCode::ALL.iter().filter_map(|e| e.code()).collect();
        assert_eq!(codes.iter().collect::<BTreeSet<_>>().len(), codes.len());
        assert_eq!(ErrorCode::NotEnoughReplicas.code(), Some(19));
        assert_eq!(ErrorCode::UnknownServerError.code(), Some(-1));
        assert_eq!(ErrorCode::DeliveryTimeout.code(), None, "a client-side error has no wire code");
        assert_eq!(serde_json::to_string(&ErrorCode::NotLeaderOrFollower).unwrap(), "\"NOT_LEADER_OR_FOLLOWER\"");
    }

    #[test]
    fn retriable_errors_follow_kafkas_exception_classes() {
        let retriable: Vec<&str> = ErrorCode::ALL.iter().filter(|e| e.is_retriable()).map(|e| e.name()).collect();
        assert_eq!(
            retriable,
            [
                "CORRUPT_MESSAGE",
                "UNKNOWN_TOPIC_OR_PARTITION",
                "NOT_LEADER_OR_FOLLOWER",
                "REQUEST_TIMED_OUT",
                "NOT_ENOUGH_REPLICAS",
                "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
                "COORDINATOR_NOT_AVAILABLE",
                "NOT_COORDINATOR",
                "NOT_CONTROLLER",
                "FENCED_LEADER_EPOCH",
                "UNKNOWN_LEADER_EPOCH",
                "NETWORK_EXCEPTION",
                "COORDINATOR_LOAD_IN_PROGRESS",
                "UNSTABLE_OFFSET_COMMIT",
                "PREFERRED_LEADER_NOT_AVAILABLE",
                "ELIGIBLE_LEADERS_NOT_AVAILABLE",
                "ELECTION_NOT_NEEDED",
            ]
        );
        assert!(!ErrorCode::DeliveryTimeout.is_retriable(), "an expired batch is not retried");
    }
}
