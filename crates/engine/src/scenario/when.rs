//! Notes tied to engine facts: a step's `when = { fact = "isr_changed", topic_partition =
//! "payments-0" }` makes its note arrive with the first matching fact at or after the step's
//! `at_ms`, instead of at a fixed time, so the note explains the event as it happens.

use crate::narration::Fact;
use crate::protocol::TopicPartition;
use serde::{Deserialize, Serialize};

/// What a filter compares with: the field's type as a scenario file writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldType {
    /// An integer; a list of integers (an ISR) matches when it contains it.
    Int,
    /// A string: a group, or a partition as `topic-N` (a list of partitions contains it).
    Text,
    Bool,
    /// A consumer by its scenario name (facts carry the consumer's id).
    Consumer,
}

/// The fact kinds a note can follow, with the fields it may filter on (Kafka's names, as the
/// facts serialize). Routine traffic (appends, fetches, polls) is left out: a note about it would
/// arrive at once.
pub(super) const KINDS: &[(&str, &[(&str, FieldType)])] = &[
    ("broker_started", &[("broker", FieldType::Int)]),
    ("broker_stopped", &[("broker", FieldType::Int)]),
    ("controlled_shutdown_requested", &[("broker", FieldType::Int)]),
    ("broker_shut_down", &[("broker", FieldType::Int)]),
    ("broker_fenced", &[("broker", FieldType::Int)]),
    ("broker_unfenced", &[("broker", FieldType::Int)]),
    ("controller_elected", &[("broker", FieldType::Int)]),
    ("controller_prospective", &[("broker", FieldType::Int)]),
    ("controller_leader_found", &[("broker", FieldType::Int), ("leader", FieldType::Int)]),
    (
        "leader_elected",
        &[
            ("topic_partition", FieldType::Text),
            ("leader", FieldType::Int),
            ("previous_leader", FieldType::Int),
            ("unclean", FieldType::Bool),
        ],
    ),
    (
        "isr_changed",
        &[
            ("topic_partition", FieldType::Text),
            ("isr", FieldType::Int),
            ("removed", FieldType::Int),
            ("added", FieldType::Int),
        ],
    ),
    ("topic_deleted", &[("topic", FieldType::Text)]),
    ("replicas_deleted", &[("topic", FieldType::Text), ("broker", FieldType::Int)]),
    ("offsets_deleted", &[("group", FieldType::Text), ("topic_partitions", FieldType::Text)]),
    ("log_truncated", &[("topic_partition", FieldType::Text), ("broker", FieldType::Int)]),
    ("segments_deleted", &[("topic_partition", FieldType::Text), ("broker", FieldType::Int)]),
    ("log_compacted", &[("topic_partition", FieldType::Text), ("broker", FieldType::Int)]),
    ("duplicate_batch", &[("topic_partition", FieldType::Text), ("broker", FieldType::Int)]),
    ("produce_failed", &[("topic_partition", FieldType::Text), ("will_retry", FieldType::Bool)]),
    ("rebalance_started", &[("group", FieldType::Text), ("generation_id", FieldType::Int)]),
    ("join_completed", &[("group", FieldType::Text), ("generation_id", FieldType::Int)]),
    ("generation_stable", &[("group", FieldType::Text), ("generation_id", FieldType::Int)]),
    ("member_removed", &[("group", FieldType::Text)]),
    (
        "partitions_revoked",
        &[("consumer", FieldType::Consumer), ("group", FieldType::Text), ("partitions", FieldType::Text)],
    ),
    (
        "partitions_assigned",
        &[
            ("consumer", FieldType::Consumer),
            ("group", FieldType::Text),
            ("generation_id", FieldType::Int),
            ("partitions", FieldType::Text),
            ("assignment", FieldType::Text),
        ],
    ),
    (
        "partitions_lost",
        &[("consumer", FieldType::Consumer), ("group", FieldType::Text), ("partitions", FieldType::Text)],
    ),
    ("duplicates_processed", &[("group", FieldType::Text), ("topic_partition", FieldType::Text)]),
    ("records_skipped", &[("group", FieldType::Text), ("topic_partition", FieldType::Text)]),
    ("group_epoch_bumped", &[("group", FieldType::Text), ("group_epoch", FieldType::Int)]),
    ("target_assignment_computed", &[("group", FieldType::Text), ("group_epoch", FieldType::Int)]),
    ("group_converted", &[("group", FieldType::Text), ("to_consumer_protocol", FieldType::Bool)]),
    ("rejoin_requested", &[("consumer", FieldType::Consumer), ("group", FieldType::Text)]),
    (
        "member_reconciled",
        &[
            ("group", FieldType::Text),
            ("member_epoch", FieldType::Int),
            ("state", FieldType::Text),
            ("pending_revocation", FieldType::Text),
        ],
    ),
    (
        "eligible_leader_replicas_changed",
        &[("topic_partition", FieldType::Text), ("elr", FieldType::Int), ("last_known_elr", FieldType::Int)],
    ),
    ("share_member_joined", &[("group", FieldType::Text), ("members", FieldType::Int)]),
    ("share_member_left", &[("group", FieldType::Text), ("expired", FieldType::Bool)]),
    (
        "share_locks_released",
        &[("group", FieldType::Text), ("topic_partition", FieldType::Text), ("expired", FieldType::Bool)],
    ),
    ("share_record_archived", &[("group", FieldType::Text), ("topic_partition", FieldType::Text)]),
    (
        "preferred_read_replica_chosen",
        &[("consumer", FieldType::Consumer), ("topic_partition", FieldType::Text), ("replica", FieldType::Int)],
    ),
    (
        "preferred_read_replica_cleared",
        &[("consumer", FieldType::Consumer), ("topic_partition", FieldType::Text), ("replica", FieldType::Int)],
    ),
    ("producer_epoch_bumped", &[("partitions", FieldType::Text)]),
    ("position_validated", &[("consumer", FieldType::Consumer), ("topic_partition", FieldType::Text)]),
    ("log_truncation_detected", &[("consumer", FieldType::Consumer), ("topic_partition", FieldType::Text)]),
    ("partition_reassignment_started", &[("topic_partition", FieldType::Text), ("adding", FieldType::Int)]),
    ("partition_reassignment_completed", &[("topic_partition", FieldType::Text), ("removed", FieldType::Int)]),
    ("replica_deleted", &[("topic_partition", FieldType::Text), ("broker", FieldType::Int)]),
    ("streams_restore_started", &[("application_id", FieldType::Text), ("instance", FieldType::Text)]),
    ("streams_restore_completed", &[("application_id", FieldType::Text), ("instance", FieldType::Text)]),
    ("streams_record_dropped", &[("application_id", FieldType::Text), ("task", FieldType::Text)]),
    (
        "listener_failed",
        &[("consumer", FieldType::Consumer), ("topic_partition", FieldType::Text), ("attempt", FieldType::Int)],
    ),
    ("error_handler_back_off", &[("consumer", FieldType::Consumer), ("topic_partition", FieldType::Text)]),
    ("record_recovered", &[("consumer", FieldType::Consumer), ("topic_partition", FieldType::Text)]),
    (
        "record_forwarded",
        &[
            ("consumer", FieldType::Consumer),
            ("topic_partition", FieldType::Text),
            ("destination", FieldType::Text),
            ("dlt", FieldType::Bool),
        ],
    ),
    ("retry_topic_partition_paused", &[("consumer", FieldType::Consumer), ("topic_partition", FieldType::Text)]),
];

/// A filter's value, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    Int(i64),
    Text(String),
    Bool(bool),
}

/// A fact kind plus field filters: what a fact-tied note waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactPattern {
    /// The fact's kind, as in `kafkalab run --trace` (`isr_changed`).
    pub fact: String,
    /// Every filter must hold: `(field, value)`.
    pub filters: Vec<(String, FilterValue)>,
}

/// A field of a fact, borrowed for matching.
enum Field<'a> {
    Int(i64),
    Ints(&'a [i32]),
    Text(&'a str),
    Partition(&'a TopicPartition),
    Partitions(&'a [TopicPartition]),
    Bool(bool),
    Consumer(u32),
}

impl Field<'_> {
    fn matches(&self, value: &FilterValue, consumer_name: &dyn Fn(u32) -> Option<String>) -> bool {
        match (self, value) {
            (Field::Consumer(id), FilterValue::Text(v)) => consumer_name(*id).is_some_and(|name| name == *v),
            (Field::Int(n), FilterValue::Int(v)) => n == v,
            (Field::Ints(ns), FilterValue::Int(v)) => ns.iter().any(|n| i64::from(*n) == *v),
            (Field::Text(s), FilterValue::Text(v)) => s == v,
            (Field::Partition(tp), FilterValue::Text(v)) => tp.to_string() == *v,
            (Field::Partitions(tps), FilterValue::Text(v)) => tps.iter().any(|tp| tp.to_string() == *v),
            (Field::Bool(b), FilterValue::Bool(v)) => b == v,
            _ => false,
        }
    }
}

/// The kind of `fact` and its filterable fields, for the kinds in [`KINDS`].
fn fields(fact: &Fact) -> Option<(&'static str, Vec<(&'static str, Field<'_>)>)> {
    use Field::*;
    fn tp(tp: &TopicPartition) -> (&'static str, Field<'_>) {
        ("topic_partition", Partition(tp))
    }
    fn broker(b: &i32) -> (&'static str, Field<'_>) {
        ("broker", Int(i64::from(*b)))
    }
    fn group(g: &str) -> (&'static str, Field<'_>) {
        ("group", Text(g))
    }
    Some(match fact {
        Fact::BrokerStarted { broker: b } => ("broker_started", vec![broker(b)]),
        Fact::BrokerStopped { broker: b } => ("broker_stopped", vec![broker(b)]),
        Fact::ControlledShutdownRequested { broker: b } => ("controlled_shutdown_requested", vec![broker(b)]),
        Fact::BrokerShutDown { broker: b } => ("broker_shut_down", vec![broker(b)]),
        Fact::BrokerFenced { broker: b, .. } => ("broker_fenced", vec![broker(b)]),
        Fact::BrokerUnfenced { broker: b, .. } => ("broker_unfenced", vec![broker(b)]),
        Fact::ControllerElected { broker: b, .. } => ("controller_elected", vec![broker(b)]),
        Fact::ControllerProspective { broker: b, .. } => ("controller_prospective", vec![broker(b)]),
        Fact::ControllerLeaderFound { broker: b, leader, .. } => {
            ("controller_leader_found", vec![broker(b), ("leader", Int(i64::from(*leader)))])
        }
        Fact::LeaderElected { topic_partition, leader, previous_leader, unclean, .. } => (
            "leader_elected",
            vec![
                tp(topic_partition),
                ("leader", Int(i64::from(*leader))),
                ("previous_leader", Int(i64::from(*previous_leader))),
                ("unclean", Bool(*unclean)),
            ],
        ),
        Fact::IsrChanged { topic_partition, isr, removed, added } => (
            "isr_changed",
            vec![tp(topic_partition), ("isr", Ints(isr)), ("removed", Ints(removed)), ("added", Ints(added))],
        ),
        Fact::TopicDeleted { topic, .. } => ("topic_deleted", vec![("topic", Text(topic))]),
        Fact::ReplicasDeleted { topic, broker: b, .. } => ("replicas_deleted", vec![("topic", Text(topic)), broker(b)]),
        Fact::OffsetsDeleted { group: g, topic_partitions, .. } => {
            ("offsets_deleted", vec![group(g), ("topic_partitions", Partitions(topic_partitions))])
        }
        Fact::LogTruncated { topic_partition, broker: b, .. } => {
            ("log_truncated", vec![tp(topic_partition), broker(b)])
        }
        Fact::SegmentsDeleted { topic_partition, broker: b, .. } => {
            ("segments_deleted", vec![tp(topic_partition), broker(b)])
        }
        Fact::LogCompacted { topic_partition, broker: b, .. } => {
            ("log_compacted", vec![tp(topic_partition), broker(b)])
        }
        Fact::DuplicateBatch { topic_partition, broker: b, .. } => {
            ("duplicate_batch", vec![tp(topic_partition), broker(b)])
        }
        Fact::ProduceFailed { topic_partition, will_retry, .. } => {
            ("produce_failed", vec![tp(topic_partition), ("will_retry", Bool(*will_retry))])
        }
        Fact::RebalanceStarted { group: g, generation_id, .. } => {
            ("rebalance_started", vec![group(g), ("generation_id", Int(i64::from(*generation_id)))])
        }
        Fact::JoinCompleted { group: g, generation_id, .. } => {
            ("join_completed", vec![group(g), ("generation_id", Int(i64::from(*generation_id)))])
        }
        Fact::GenerationStable { group: g, generation_id, .. } => {
            ("generation_stable", vec![group(g), ("generation_id", Int(i64::from(*generation_id)))])
        }
        Fact::MemberRemoved { group: g, .. } => ("member_removed", vec![group(g)]),
        Fact::GroupEpochBumped { group: g, group_epoch, .. } => {
            ("group_epoch_bumped", vec![group(g), ("group_epoch", Int(i64::from(*group_epoch)))])
        }
        Fact::TargetAssignmentComputed { group: g, group_epoch, .. } => {
            ("target_assignment_computed", vec![group(g), ("group_epoch", Int(i64::from(*group_epoch)))])
        }
        Fact::MemberReconciled { group: g, member_epoch, state, pending_revocation, .. } => (
            "member_reconciled",
            vec![
                group(g),
                ("member_epoch", Int(i64::from(*member_epoch))),
                ("state", Text(state.name())),
                ("pending_revocation", Partitions(pending_revocation)),
            ],
        ),
        Fact::PartitionsRevoked { consumer, group: g, partitions } => (
            "partitions_revoked",
            vec![("consumer", Consumer(*consumer)), group(g), ("partitions", Partitions(partitions))],
        ),
        Fact::PartitionsAssigned { consumer, group: g, generation_id, partitions, assignment } => (
            "partitions_assigned",
            vec![
                ("consumer", Consumer(*consumer)),
                group(g),
                ("generation_id", Int(i64::from(*generation_id))),
                ("partitions", Partitions(partitions)),
                ("assignment", Partitions(assignment)),
            ],
        ),
        Fact::GroupConverted { group: g, to_consumer_protocol } => {
            ("group_converted", vec![group(g), ("to_consumer_protocol", Bool(*to_consumer_protocol))])
        }
        Fact::RejoinRequested { consumer, group: g, .. } => {
            ("rejoin_requested", vec![("consumer", Consumer(*consumer)), group(g)])
        }
        Fact::PartitionsLost { consumer, group: g, partitions, .. } => (
            "partitions_lost",
            vec![("consumer", Consumer(*consumer)), group(g), ("partitions", Partitions(partitions))],
        ),
        Fact::DuplicatesProcessed { group: g, topic_partition, .. } => {
            ("duplicates_processed", vec![group(g), tp(topic_partition)])
        }
        Fact::RecordsSkipped { group: g, topic_partition, .. } => {
            ("records_skipped", vec![group(g), tp(topic_partition)])
        }
        Fact::EligibleLeaderReplicasChanged { topic_partition, elr, last_known_elr } => (
            "eligible_leader_replicas_changed",
            vec![tp(topic_partition), ("elr", Ints(elr)), ("last_known_elr", Ints(last_known_elr))],
        ),
        Fact::ShareMemberJoined { group: g, members, .. } => {
            ("share_member_joined", vec![group(g), ("members", Int(*members as i64))])
        }
        Fact::ShareMemberLeft { group: g, expired, .. } => {
            ("share_member_left", vec![group(g), ("expired", Bool(*expired))])
        }
        Fact::ShareLocksReleased { group: g, topic_partition, expired, .. } => {
            ("share_locks_released", vec![group(g), tp(topic_partition), ("expired", Bool(*expired))])
        }
        Fact::ShareRecordArchived { group: g, topic_partition, .. } => {
            ("share_record_archived", vec![group(g), tp(topic_partition)])
        }
        Fact::PreferredReadReplicaChosen { consumer, topic_partition, replica, .. } => (
            "preferred_read_replica_chosen",
            vec![("consumer", Consumer(*consumer)), tp(topic_partition), ("replica", Int(i64::from(*replica)))],
        ),
        Fact::PreferredReadReplicaCleared { consumer, topic_partition, replica, .. } => (
            "preferred_read_replica_cleared",
            vec![("consumer", Consumer(*consumer)), tp(topic_partition), ("replica", Int(i64::from(*replica)))],
        ),
        Fact::ProducerEpochBumped { partitions, .. } => {
            ("producer_epoch_bumped", vec![("partitions", Partitions(partitions))])
        }
        Fact::PositionValidated { consumer, topic_partition, .. } => {
            ("position_validated", vec![("consumer", Consumer(*consumer)), tp(topic_partition)])
        }
        Fact::LogTruncationDetected { consumer, topic_partition, .. } => {
            ("log_truncation_detected", vec![("consumer", Consumer(*consumer)), tp(topic_partition)])
        }
        Fact::PartitionReassignmentStarted { topic_partition, adding, .. } => {
            ("partition_reassignment_started", vec![tp(topic_partition), ("adding", Ints(adding))])
        }
        Fact::PartitionReassignmentCompleted { topic_partition, removed, .. } => {
            ("partition_reassignment_completed", vec![tp(topic_partition), ("removed", Ints(removed))])
        }
        Fact::ReplicaDeleted { topic_partition, broker: b, .. } => {
            ("replica_deleted", vec![tp(topic_partition), broker(b)])
        }
        Fact::StreamsRestoreStarted { application_id, instance, .. } => {
            ("streams_restore_started", vec![("application_id", Text(application_id)), ("instance", Text(instance))])
        }
        Fact::StreamsRestoreCompleted { application_id, instance, .. } => {
            ("streams_restore_completed", vec![("application_id", Text(application_id)), ("instance", Text(instance))])
        }
        Fact::StreamsRecordDropped { application_id, task, .. } => {
            ("streams_record_dropped", vec![("application_id", Text(application_id)), ("task", Text(task))])
        }
        Fact::ListenerFailed { consumer, topic_partition, attempt, .. } => (
            "listener_failed",
            vec![("consumer", Consumer(*consumer)), tp(topic_partition), ("attempt", Int(i64::from(*attempt)))],
        ),
        Fact::ErrorHandlerBackOff { consumer, topic_partition, .. } => {
            ("error_handler_back_off", vec![("consumer", Consumer(*consumer)), tp(topic_partition)])
        }
        Fact::RecordRecovered { consumer, topic_partition, .. } => {
            ("record_recovered", vec![("consumer", Consumer(*consumer)), tp(topic_partition)])
        }
        Fact::RecordForwarded { consumer, topic_partition, destination, dlt, .. } => (
            "record_forwarded",
            vec![
                ("consumer", Consumer(*consumer)),
                tp(topic_partition),
                ("destination", Text(destination)),
                ("dlt", Bool(*dlt)),
            ],
        ),
        Fact::RetryTopicPartitionPaused { consumer, topic_partition, .. } => {
            ("retry_topic_partition_paused", vec![("consumer", Consumer(*consumer)), tp(topic_partition)])
        }
        _ => return None,
    })
}

impl FactPattern {
    /// Whether `fact` is of this kind and every filter holds; `consumer_name` names a consumer
    /// by its id (as the world knows it).
    pub fn matches(&self, fact: &Fact, consumer_name: &dyn Fn(u32) -> Option<String>) -> bool {
        let Some((kind, fields)) = fields(fact) else { return false };
        kind == self.fact
            && self.filters.iter().all(|(name, value)| {
                fields.iter().any(|(field, actual)| field == name && actual.matches(value, consumer_name))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ErrorCode;

    /// A pattern that matches with consumer 2 named `worker-2`.
    struct Pattern(FactPattern);

    impl Pattern {
        fn matches(&self, fact: &Fact) -> bool {
            self.0.matches(fact, &|id| (id == 2).then(|| "worker-2".to_string()))
        }
    }

    fn pattern(fact: &str, filters: &[(&str, FilterValue)]) -> Pattern {
        Pattern(FactPattern {
            fact: fact.to_string(),
            filters: filters.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        })
    }

    #[test]
    fn a_pattern_matches_its_kind_and_every_filter() {
        let shrink = Fact::IsrChanged {
            topic_partition: TopicPartition::new("payments", 0),
            isr: vec![3, 4],
            removed: vec![5],
            added: vec![],
        };
        let text = |s: &str| FilterValue::Text(s.to_string());
        assert!(pattern("isr_changed", &[]).matches(&shrink));
        assert!(pattern("isr_changed", &[("topic_partition", text("payments-0"))]).matches(&shrink));
        assert!(pattern("isr_changed", &[("removed", FilterValue::Int(5))]).matches(&shrink));
        assert!(!pattern("isr_changed", &[("added", FilterValue::Int(5))]).matches(&shrink));
        assert!(!pattern("isr_changed", &[("topic_partition", text("payments-1"))]).matches(&shrink));
        assert!(!pattern("leader_elected", &[]).matches(&shrink));
        let failed = Fact::ProduceFailed {
            producer: 1,
            topic_partition: TopicPartition::new("payments", 0),
            error: ErrorCode::NotEnoughReplicas,
            attempt: 1,
            will_retry: true,
        };
        assert!(pattern("produce_failed", &[("will_retry", FilterValue::Bool(true))]).matches(&failed));
        let stable = Fact::GenerationStable { group: "billing".into(), generation_id: 2, assignment: vec![] };
        assert!(pattern("generation_stable", &[("group", text("billing")), ("generation_id", FilterValue::Int(2))])
            .matches(&stable));
        assert!(!pattern("generation_stable", &[("generation_id", FilterValue::Int(3))]).matches(&stable));
        let assigned = Fact::PartitionsAssigned {
            consumer: 2,
            group: "workers".into(),
            generation_id: 5,
            partitions: vec![],
            assignment: vec![],
        };
        assert!(pattern("partitions_assigned", &[("consumer", text("worker-2"))]).matches(&assigned));
        assert!(!pattern("partitions_assigned", &[("consumer", text("worker-3"))]).matches(&assigned));
    }

    /// The validation table and the matcher name the same kinds and fields.
    #[test]
    fn every_kind_in_the_table_is_matched_with_its_fields() {
        let tp = || TopicPartition::new("t", 0);
        let samples = vec![
            Fact::BrokerStarted { broker: 1 },
            Fact::BrokerStopped { broker: 1 },
            Fact::ControlledShutdownRequested { broker: 1 },
            Fact::BrokerShutDown { broker: 1 },
            Fact::BrokerFenced { broker: 1, controller: 2 },
            Fact::BrokerUnfenced { broker: 1, controller: 2 },
            Fact::ControllerElected { broker: 1, epoch: 1 },
            Fact::ControllerProspective { broker: 1, epoch: 1, leader: 2 },
            Fact::ControllerLeaderFound { broker: 1, leader: 2, epoch: 1 },
            Fact::LeaderElected {
                topic_partition: tp(),
                leader: 1,
                previous_leader: 2,
                leader_epoch: 1,
                isr: vec![1],
                unclean: false,
            },
            Fact::IsrChanged { topic_partition: tp(), isr: vec![1], removed: vec![], added: vec![] },
            Fact::TopicDeleted { topic: "t".into(), partitions: 1 },
            Fact::ReplicasDeleted { broker: 1, topic: "t".into(), partitions: vec![0] },
            Fact::OffsetsDeleted { broker: 1, group: "g".into(), topic_partitions: vec![tp()] },
            Fact::LogTruncated { topic_partition: tp(), broker: 1, from_offset: 2, to_offset: 1, leader_epoch: 1 },
            Fact::SegmentsDeleted { topic_partition: tp(), broker: 1, segments: 1, log_start_offset: 1 },
            Fact::LogCompacted { topic_partition: tp(), broker: 1, records_removed: 1 },
            Fact::DuplicateBatch { topic_partition: tp(), broker: 1, producer_id: 1, base_sequence: 0, base_offset: 0 },
            Fact::ProduceFailed {
                producer: 1,
                topic_partition: tp(),
                error: ErrorCode::NotEnoughReplicas,
                attempt: 1,
                will_retry: true,
            },
            Fact::RebalanceStarted {
                group: "g".into(),
                generation_id: 1,
                reason: crate::narration::RebalanceReason::MemberJoined,
            },
            Fact::JoinCompleted {
                group: "g".into(),
                generation_id: 1,
                protocol_name: None,
                leader: "m".into(),
                members: vec![],
            },
            Fact::GenerationStable { group: "g".into(), generation_id: 1, assignment: vec![] },
            Fact::MemberRemoved {
                group: "g".into(),
                member_id: "m".into(),
                reason: crate::narration::RemovalReason::LeaveGroup,
            },
            Fact::PartitionsRevoked { consumer: 1, group: "g".into(), partitions: vec![] },
            Fact::PartitionsAssigned {
                consumer: 1,
                group: "g".into(),
                generation_id: 1,
                partitions: vec![],
                assignment: vec![],
            },
            Fact::PartitionsLost {
                consumer: 1,
                group: "g".into(),
                partitions: vec![],
                error: ErrorCode::UnknownMemberId,
            },
            Fact::DuplicatesProcessed {
                consumer: 1,
                group: "g".into(),
                topic_partition: tp(),
                first_offset: 0,
                last_offset: 0,
                count: 1,
            },
            Fact::RecordsSkipped {
                consumer: 1,
                group: "g".into(),
                topic_partition: tp(),
                from_offset: 0,
                to_offset: 1,
            },
            Fact::GroupEpochBumped {
                group: "g".into(),
                group_epoch: 2,
                reason: crate::narration::RebalanceReason::MemberJoined,
            },
            Fact::TargetAssignmentComputed {
                group: "g".into(),
                group_epoch: 2,
                assignor: "uniform",
                assignment: vec![],
            },
            Fact::GroupConverted { group: "g".into(), to_consumer_protocol: true },
            Fact::RejoinRequested { consumer: 1, group: "g".into(), error: ErrorCode::RebalanceInProgress },
            Fact::MemberReconciled {
                group: "g".into(),
                member_id: "m".into(),
                member_epoch: 2,
                state: crate::narration::ReconcileState::UnrevokedPartitions,
                assigned: vec![],
                pending_revocation: vec![tp()],
            },
            Fact::EligibleLeaderReplicasChanged { topic_partition: tp(), elr: vec![1], last_known_elr: vec![] },
            Fact::ShareMemberJoined { group: "g".into(), member_id: "m".into(), group_epoch: 1, members: 2 },
            Fact::ShareMemberLeft { group: "g".into(), member_id: "m".into(), group_epoch: 2, expired: true },
            Fact::ShareLocksReleased {
                group: "g".into(),
                member_id: "m".into(),
                topic_partition: tp(),
                offsets: vec![3],
                expired: true,
            },
            Fact::ShareRecordArchived { group: "g".into(), topic_partition: tp(), offset: 3, delivery_count: 5 },
            Fact::PreferredReadReplicaChosen {
                consumer: 2,
                topic_partition: tp(),
                leader: 1,
                replica: 2,
                rack: "az-b".into(),
            },
            Fact::PreferredReadReplicaCleared {
                consumer: 2,
                topic_partition: tp(),
                replica: 2,
                reason: crate::narration::ReadReplicaFallback::FetchFailed,
            },
            Fact::ProducerEpochBumped { producer: 1, producer_id: 7, producer_epoch: 1, partitions: vec![tp()] },
            Fact::PositionValidated { consumer: 2, topic_partition: tp(), offset: 4, leader_epoch: 1 },
            Fact::LogTruncationDetected {
                consumer: 2,
                topic_partition: tp(),
                position: 9,
                offset_epoch: 1,
                end_offset: 6,
                reset_to: Some(6),
            },
            Fact::PartitionReassignmentStarted {
                topic_partition: tp(),
                target: vec![2, 3, 4],
                adding: vec![4],
                removing: vec![1],
            },
            Fact::PartitionReassignmentCompleted { topic_partition: tp(), replicas: vec![2, 3, 4], removed: vec![1] },
            Fact::ReplicaDeleted { broker: 1, topic_partition: tp(), log_end_offset: 9 },
            Fact::StreamsRestoreStarted {
                application_id: "app".into(),
                instance: "app-1".into(),
                task: "1_0".into(),
                store: "s".into(),
                changelog: tp(),
                start_offset: 0,
                end_offset: 4,
            },
            Fact::StreamsRestoreCompleted {
                application_id: "app".into(),
                instance: "app-1".into(),
                task: "1_0".into(),
                store: "s".into(),
                restored: 4,
                entries: 2,
            },
            Fact::StreamsRecordDropped {
                application_id: "app".into(),
                task: "1_0".into(),
                topic_partition: tp(),
                offset: 3,
                timestamp: 10,
                reason: crate::narration::StreamsDropReason::ExpiredWindow,
                window: Some((0, 5)),
                stream_time: 20,
                grace_ms: 0,
            },
            Fact::ListenerFailed { consumer: 2, topic_partition: tp(), offset: 3, attempt: 1, exception: "E".into() },
            Fact::ErrorHandlerBackOff {
                consumer: 2,
                topic_partition: tp(),
                offset: 3,
                retry: 1,
                back_off_ms: 1000,
                exponential: false,
                unlimited: false,
            },
            Fact::RecordRecovered {
                consumer: 2,
                topic_partition: tp(),
                offset: 3,
                attempts: 3,
                dead_letter_topic: Some("t.DLT".into()),
            },
            Fact::RecordForwarded {
                consumer: 2,
                topic_partition: tp(),
                offset: 3,
                attempt: 1,
                destination: "t-retry".into(),
                delay_ms: 1000,
                dlt: false,
            },
            Fact::RetryTopicPartitionPaused { consumer: 2, topic_partition: tp(), offset: 3, until_ms: 900 },
        ];
        assert_eq!(samples.len(), KINDS.len());
        for ((kind, table_fields), sample) in KINDS.iter().zip(&samples) {
            let (actual, fields) = fields(sample).expect("a kind a note can follow");
            assert_eq!(*kind, actual);
            // The serialized fact names the kind and the fields the same way.
            let json = serde_json::to_value(sample).unwrap();
            assert_eq!(json["fact"], *kind);
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            let table: Vec<&str> = table_fields.iter().map(|(n, _)| *n).collect();
            assert_eq!(names, table, "{kind}");
            assert!(names.iter().all(|n| json.get(n).is_some()), "{kind}: {names:?}");
        }
    }
}
