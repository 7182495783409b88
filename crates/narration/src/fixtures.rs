//! Test fixtures shared by the narration's tests: a roster with the scenarios' client names and
//! one fact of every kind.

use std::collections::BTreeMap;

use kafkalab_engine::narration::{Fact, PositionSource, RebalanceReason, ReconcileState, RemovalReason};
use kafkalab_engine::protocol::{ErrorCode, TopicPartition, TxnState};
use kafkalab_engine::sim::network::DropReason;
use kafkalab_engine::sim::NodeId;

use crate::Roster;

/// The scenarios' client names: producer 1 `checkout`, consumers 2 `billing-1` and 3
/// `worker-1` (client nodes 12 and 13); group `workers` is cooperative.
pub fn roster() -> Roster {
    let names =
        |list: &[(u32, &str)]| list.iter().map(|&(id, name)| (id, name.to_string())).collect::<BTreeMap<_, _>>();
    Roster {
        producers: names(&[(1, "checkout")]),
        consumers: names(&[(2, "billing-1"), (3, "worker-1")]),
        clients: names(&[(1, "checkout"), (12, "billing-1"), (13, "worker-1")]),
    }
}

/// One fact of every kind (and every sentence a kind has), with `topic`, the number `n` in
/// every numeric field and the client numbers of [`roster`].
pub fn every_fact(topic: &str, n: i64) -> Vec<Fact> {
    let (i, u, z) = (n as i32, n.unsigned_abs(), n.unsigned_abs() as usize);
    let tp = TopicPartition { topic: topic.into(), partition: i };
    let tps = vec![tp.clone()];
    let (group, member) = ("workers".to_string(), format!("billing-1-{u}-5409c1d2-77aa"));
    let (broker, client) = (NodeId::Broker(i), NodeId::Client(12));
    let error = ErrorCode::NotLeaderOrFollower;
    let elected = |leader: i32, previous_leader: i32, unclean: bool| Fact::LeaderElected {
        topic_partition: tp.clone(),
        leader,
        previous_leader,
        leader_epoch: i,
        isr: vec![i, 3],
        unclean,
    };
    let assigned = |group: &str, partitions: Vec<TopicPartition>, assignment: Vec<TopicPartition>| {
        Fact::PartitionsAssigned { consumer: 2, group: group.into(), generation_id: i, partitions, assignment }
    };
    vec![
        Fact::BrokerStarted { broker: i },
        Fact::BrokerStopped { broker: i },
        Fact::TopicCreated { topic: topic.into(), partitions: i, replication_factor: i },
        elected(-1, i, false),
        elected(i, 2, true),
        elected(i, -1, false),
        elected(i, 2, false),
        Fact::IsrChanged { topic_partition: tp.clone(), isr: vec![3], removed: vec![i], added: vec![] },
        Fact::IsrChanged { topic_partition: tp.clone(), isr: vec![3, i], removed: vec![], added: vec![i] },
        Fact::ControllerElected { broker: i, epoch: i },
        Fact::ControllerResigned { broker: i, epoch: i },
        Fact::BrokerRegistered { broker: i, broker_epoch: n },
        Fact::BrokerFenced { broker: i, controller: i },
        Fact::BrokerUnfenced { broker: i, controller: i },
        Fact::LogTruncated { topic_partition: tp.clone(), broker: i, from_offset: n, to_offset: n, leader_epoch: i },
        Fact::MessageMisrouted { from: NodeId::Broker(i), to: NodeId::Client(1), kind: "FetchRequest" },
        Fact::AckedRecordsLost {
            topic_partition: tp.clone(),
            first_offset: n,
            last_offset: n + 1,
            leader_epoch: i,
            acked_at_ms: u,
        },
        Fact::NodeIsolated { node: broker },
        Fact::NodeIsolated { node: client },
        Fact::ProducerStarted { producer: 1, name: "checkout".into() },
        Fact::ProducerIdAssigned { producer: 1, producer_id: n, producer_epoch: i as i16 },
        Fact::MetadataUpdated { client: 1, partitions: z },
        Fact::BatchAppended { topic_partition: tp.clone(), broker: i, base_offset: n, last_offset: n, leader_epoch: i },
        Fact::DuplicateBatch {
            topic_partition: tp.clone(),
            broker: i,
            producer_id: n,
            base_sequence: i,
            base_offset: n,
        },
        Fact::ProduceAcked { producer: 1, topic_partition: tp.clone(), base_offset: n, records: z },
        Fact::ProduceFailed {
            producer: 1,
            topic_partition: tp.clone(),
            error,
            attempt: u as u32,
            will_retry: n % 2 == 0,
        },
        Fact::HighWatermarkAdvanced { topic_partition: tp.clone(), broker: i, high_watermark: n },
        Fact::SegmentRolled { topic_partition: tp.clone(), broker: i, base_offset: n },
        Fact::SegmentsDeleted { topic_partition: tp.clone(), broker: i, segments: z, log_start_offset: n },
        Fact::LogCompacted { topic_partition: tp.clone(), broker: i, records_removed: u },
        Fact::MessageDropped { from: broker, to: client, kind: "Fetch", reason: DropReason::LinkCut },
        Fact::MessageDropped { from: client, to: broker, kind: "Produce", reason: DropReason::Lost },
        Fact::LinkCut { from: broker, to: client },
        Fact::LinkHealed { from: client, to: broker },
        Fact::NodeSlowed { node: client, extra_ms: u },
        Fact::CoordinatorLoaded { broker: i, offsets_partition: i, leader_epoch: i, groups: z, offsets: z },
        Fact::CoordinatorUnloaded { broker: i, offsets_partition: i, groups: z },
        Fact::MemberJoined { group: group.clone(), member_id: member.clone(), group_instance_id: None, coordinator: i },
        Fact::StaticMemberReplaced {
            group: group.clone(),
            group_instance_id: "billing-1".into(),
            old_member_id: member.clone(),
            new_member_id: member.clone(),
            rebalance: n % 2 == 0,
        },
        Fact::MemberRemoved { group: group.clone(), member_id: member.clone(), reason: RemovalReason::SessionTimeout },
        Fact::RebalanceStarted { group: group.clone(), generation_id: i, reason: RebalanceReason::MemberJoined },
        Fact::JoinCompleted {
            group: group.clone(),
            generation_id: i,
            protocol_name: Some("range".into()),
            leader: member.clone(),
            members: vec![member.clone(); z.min(3)],
        },
        Fact::GenerationStable {
            group: group.clone(),
            generation_id: i,
            assignment: vec![(member.clone(), tps.clone()), ("worker-1-0b6f".into(), vec![])],
        },
        Fact::OffsetsCommitted {
            group: group.clone(),
            member_id: member.clone(),
            generation_id: i,
            offsets: vec![(tp.clone(), n)],
        },
        Fact::GroupRequestRejected { group: group.clone(), member_id: member.clone(), request: "SyncGroup", error },
        Fact::ConsumerStarted {
            consumer: 2,
            client,
            group: group.clone(),
            group_instance_id: Some("billing-1".into()),
        },
        Fact::ConsumerCrashed { consumer: 2, in_flight_records: z, processed_before_crash: z },
        Fact::ConsumerClosed { consumer: 3 },
        Fact::CoordinatorFound { consumer: 2, group: group.clone(), coordinator: i },
        Fact::PartitionsRevoked { consumer: 2, group: group.clone(), partitions: tps.clone() },
        assigned("workers", tps.clone(), tps.clone()),
        assigned("workers", vec![], tps.clone()),
        assigned(topic, vec![], vec![]),
        Fact::PartitionsLost { consumer: 2, group: group.clone(), partitions: tps.clone(), error },
        Fact::PositionSet { consumer: 2, topic_partition: tp.clone(), offset: n, source: PositionSource::Committed },
        Fact::NoOffsetForPartition { consumer: 2, topic_partition: tp.clone() },
        Fact::ConsumerPolled { consumer: 2, records: z, partitions: tps.clone() },
        Fact::RecordsProcessed {
            consumer: 2,
            group: group.clone(),
            topic_partition: tp.clone(),
            first_offset: n,
            last_offset: n,
            count: z,
        },
        Fact::DuplicatesProcessed {
            consumer: 2,
            group: group.clone(),
            topic_partition: tp.clone(),
            first_offset: n,
            last_offset: n,
            count: z,
        },
        Fact::RecordsSkipped {
            consumer: 2,
            group: group.clone(),
            topic_partition: tp.clone(),
            from_offset: n,
            to_offset: n,
        },
        Fact::CommitSent { consumer: 2, group: group.clone(), offsets: vec![(tp.clone(), n)], sync: n % 2 == 0 },
        Fact::CommitFailed { consumer: 2, group: group.clone(), error },
        Fact::PollIntervalExceeded { consumer: 2, group: group.clone(), max_poll_interval_ms: u },
        Fact::RequestTimedOut { consumer: 2, broker: i, request: "JoinGroup".into(), timeout_ms: u },
        Fact::RejoinRequested { consumer: 2, group, error },
        Fact::ProducerCrashed { producer: 1, lost_records: z },
        Fact::ControllerProspective { broker: i, epoch: i, leader: i },
        Fact::ControllerLeaderFound { broker: i, leader: i, epoch: i },
        Fact::ControlledShutdownRequested { broker: i },
        Fact::BrokerShutDown { broker: i },
        Fact::GroupEpochBumped { group: "workers".into(), group_epoch: i, reason: RebalanceReason::MemberJoined },
        Fact::TargetAssignmentComputed {
            group: "workers".into(),
            group_epoch: i,
            assignor: "uniform",
            assignment: vec![(member.clone(), vec![tp.clone()]), ("idle-member".into(), Vec::new())],
        },
        Fact::MemberReconciled {
            group: "workers".into(),
            member_id: member.clone(),
            member_epoch: i,
            state: [ReconcileState::Stable, ReconcileState::UnrevokedPartitions, ReconcileState::UnreleasedPartitions]
                [z % 3],
            assigned: vec![tp.clone()],
            pending_revocation: vec![tp.clone()],
        },
        Fact::GroupConverted { group: "workers".into(), to_consumer_protocol: n % 2 == 0 },
        Fact::EligibleLeaderReplicasChanged { topic_partition: tp.clone(), elr: vec![i, 3], last_known_elr: vec![] },
        Fact::EligibleLeaderReplicasChanged { topic_partition: tp.clone(), elr: vec![], last_known_elr: vec![i] },
        Fact::EligibleLeaderReplicasChanged { topic_partition: tp.clone(), elr: vec![], last_known_elr: vec![] },
        Fact::TxnCoordinatorLoaded {
            broker: i,
            txn_partition: i,
            coordinator_epoch: i,
            transactions: z,
            completing: z,
        },
        Fact::TxnStateChanged {
            broker: i,
            transactional_id: "processor-1".into(),
            producer_id: n,
            producer_epoch: i as i16,
            from: TxnState::Ongoing,
            to: TxnState::PrepareCommit,
        },
        Fact::TransactionTimedOut { broker: i, transactional_id: "tx-1".into(), producer_id: n, timeout_ms: u },
        Fact::TxnMarkerWritten { topic_partition: tp.clone(), broker: i, producer_id: n, committed: true, offset: n },
        Fact::TxnMarkerWritten { topic_partition: tp.clone(), broker: i, producer_id: n, committed: false, offset: n },
        Fact::ProducerFenced {
            producer: 1,
            transactional_id: "tx-1".into(),
            producer_epoch: i as i16,
            error: ErrorCode::ProducerFenced,
        },
        Fact::TransactionEnded {
            producer: 1,
            transactional_id: "tx-1".into(),
            committed: true,
            producer_epoch: i as i16,
        },
        Fact::TransactionEnded {
            producer: 1,
            transactional_id: "tx-1".into(),
            committed: false,
            producer_epoch: i as i16,
        },
        Fact::ProducerEpochBumped { producer: 1, producer_id: n, producer_epoch: i as i16, partitions: tps.clone() },
    ]
}

/// Every kind of fact appears in [`every_fact`]: this match has no wildcard, so a new kind
/// does not compile until it is added here, and the test below fails until it is added there.
pub fn kind(fact: &Fact) -> &'static str {
    match fact {
        Fact::BrokerStarted { .. } => "BrokerStarted",
        Fact::BrokerStopped { .. } => "BrokerStopped",
        Fact::TopicCreated { .. } => "TopicCreated",
        Fact::LeaderElected { .. } => "LeaderElected",
        Fact::IsrChanged { .. } => "IsrChanged",
        Fact::ControllerElected { .. } => "ControllerElected",
        Fact::ControllerResigned { .. } => "ControllerResigned",
        Fact::BrokerRegistered { .. } => "BrokerRegistered",
        Fact::BrokerFenced { .. } => "BrokerFenced",
        Fact::BrokerUnfenced { .. } => "BrokerUnfenced",
        Fact::LogTruncated { .. } => "LogTruncated",
        Fact::AckedRecordsLost { .. } => "AckedRecordsLost",
        Fact::MessageMisrouted { .. } => "MessageMisrouted",
        Fact::NodeIsolated { .. } => "NodeIsolated",
        Fact::ProducerStarted { .. } => "ProducerStarted",
        Fact::ProducerIdAssigned { .. } => "ProducerIdAssigned",
        Fact::MetadataUpdated { .. } => "MetadataUpdated",
        Fact::BatchAppended { .. } => "BatchAppended",
        Fact::DuplicateBatch { .. } => "DuplicateBatch",
        Fact::ProduceAcked { .. } => "ProduceAcked",
        Fact::ProduceFailed { .. } => "ProduceFailed",
        Fact::HighWatermarkAdvanced { .. } => "HighWatermarkAdvanced",
        Fact::SegmentRolled { .. } => "SegmentRolled",
        Fact::SegmentsDeleted { .. } => "SegmentsDeleted",
        Fact::LogCompacted { .. } => "LogCompacted",
        Fact::MessageDropped { .. } => "MessageDropped",
        Fact::LinkCut { .. } => "LinkCut",
        Fact::LinkHealed { .. } => "LinkHealed",
        Fact::NodeSlowed { .. } => "NodeSlowed",
        Fact::CoordinatorLoaded { .. } => "CoordinatorLoaded",
        Fact::CoordinatorUnloaded { .. } => "CoordinatorUnloaded",
        Fact::MemberJoined { .. } => "MemberJoined",
        Fact::StaticMemberReplaced { .. } => "StaticMemberReplaced",
        Fact::MemberRemoved { .. } => "MemberRemoved",
        Fact::RebalanceStarted { .. } => "RebalanceStarted",
        Fact::JoinCompleted { .. } => "JoinCompleted",
        Fact::GenerationStable { .. } => "GenerationStable",
        Fact::OffsetsCommitted { .. } => "OffsetsCommitted",
        Fact::GroupRequestRejected { .. } => "GroupRequestRejected",
        Fact::ConsumerStarted { .. } => "ConsumerStarted",
        Fact::ConsumerCrashed { .. } => "ConsumerCrashed",
        Fact::ConsumerClosed { .. } => "ConsumerClosed",
        Fact::CoordinatorFound { .. } => "CoordinatorFound",
        Fact::PartitionsRevoked { .. } => "PartitionsRevoked",
        Fact::PartitionsAssigned { .. } => "PartitionsAssigned",
        Fact::PartitionsLost { .. } => "PartitionsLost",
        Fact::PositionSet { .. } => "PositionSet",
        Fact::NoOffsetForPartition { .. } => "NoOffsetForPartition",
        Fact::ConsumerPolled { .. } => "ConsumerPolled",
        Fact::RecordsProcessed { .. } => "RecordsProcessed",
        Fact::DuplicatesProcessed { .. } => "DuplicatesProcessed",
        Fact::RecordsSkipped { .. } => "RecordsSkipped",
        Fact::CommitSent { .. } => "CommitSent",
        Fact::CommitFailed { .. } => "CommitFailed",
        Fact::PollIntervalExceeded { .. } => "PollIntervalExceeded",
        Fact::RequestTimedOut { .. } => "RequestTimedOut",
        Fact::RejoinRequested { .. } => "RejoinRequested",
        Fact::ProducerCrashed { .. } => "ProducerCrashed",
        Fact::ControllerProspective { .. } => "ControllerProspective",
        Fact::ControllerLeaderFound { .. } => "ControllerLeaderFound",
        Fact::ControlledShutdownRequested { .. } => "ControlledShutdownRequested",
        Fact::BrokerShutDown { .. } => "BrokerShutDown",
        Fact::GroupEpochBumped { .. } => "GroupEpochBumped",
        Fact::TargetAssignmentComputed { .. } => "TargetAssignmentComputed",
        Fact::MemberReconciled { .. } => "MemberReconciled",
        Fact::GroupConverted { .. } => "GroupConverted",
        Fact::EligibleLeaderReplicasChanged { .. } => "EligibleLeaderReplicasChanged",
        Fact::TxnCoordinatorLoaded { .. } => "TxnCoordinatorLoaded",
        Fact::TxnStateChanged { .. } => "TxnStateChanged",
        Fact::TransactionTimedOut { .. } => "TransactionTimedOut",
        Fact::TxnMarkerWritten { .. } => "TxnMarkerWritten",
        Fact::ProducerFenced { .. } => "ProducerFenced",
        Fact::TransactionEnded { .. } => "TransactionEnded",
        Fact::ProducerEpochBumped { .. } => "ProducerEpochBumped",
    }
}
