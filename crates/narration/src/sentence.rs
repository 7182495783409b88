//! Every engine [`Fact`] as a sentence in Korean or English: the catalogue's phrases filled with
//! the fact's values as text.

use kafkalab_engine::narration::{
    Fact, PositionSource, ReadReplicaFallback, RebalanceReason, ReconcileState, RemovalReason, StreamsDropReason,
};
use kafkalab_engine::protocol::metadata::ConfigResource;
use kafkalab_engine::protocol::{AcknowledgeType, ErrorCode, TopicPartition};
use kafkalab_engine::sim::network::DropReason;
use kafkalab_engine::sim::NodeId;

use crate::catalogue::{count, fill, phrase, Phrase};
use crate::roster::{short_member_id, Roster};
use crate::Lang;

/// `phrase` (a count template) filled with `n`.
fn count_of(lang: Lang, p: Phrase, n: u64) -> String {
    count(phrase(lang, p), n)
}

fn tps(lang: Lang, list: &[TopicPartition]) -> String {
    if list.is_empty() {
        return phrase(lang, Phrase::NoPartitions).into();
    }
    list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// Committed positions as `topic-partition@offset, ...`.
fn offsets_list(offsets: &[(TopicPartition, i64)]) -> String {
    offsets.iter().map(|(p, o)| format!("{p}@{o}")).collect::<Vec<_>>().join(", ")
}

fn ids(list: &[i32]) -> String {
    format!("[{}]", list.iter().map(i32::to_string).collect::<Vec<_>>().join(", "))
}

fn rebalance_reason(lang: Lang, r: RebalanceReason) -> &'static str {
    phrase(
        lang,
        match r {
            RebalanceReason::MemberJoined => Phrase::RrMemberJoined,
            RebalanceReason::MemberLeft => Phrase::RrMemberLeft,
            RebalanceReason::SessionTimeout => Phrase::RrSessionTimeout,
            RebalanceReason::MemberRejoined => Phrase::RrMemberRejoined,
            RebalanceReason::SyncTimeout => Phrase::RrSyncTimeout,
            RebalanceReason::PersistFailed => Phrase::RrPersistFailed,
            RebalanceReason::SubscriptionChanged => Phrase::RrSubscriptionChanged,
            RebalanceReason::MetadataChanged => Phrase::RrMetadataChanged,
            RebalanceReason::RebalanceTimeout => Phrase::RrRebalanceTimeout,
        },
    )
}

fn removal_reason(lang: Lang, r: RemovalReason) -> &'static str {
    phrase(
        lang,
        match r {
            RemovalReason::SessionTimeout => Phrase::RrSessionTimeout,
            RemovalReason::LeaveGroup => Phrase::RmLeaveGroup,
            RemovalReason::NotRejoined => Phrase::RmNotRejoined,
            RemovalReason::NotSynced => Phrase::RrSyncTimeout,
            RemovalReason::Fenced => Phrase::RmFenced,
            RemovalReason::RevocationTimeout => Phrase::RmRevocationTimeout,
        },
    )
}

fn position_source(lang: Lang, s: PositionSource) -> &'static str {
    phrase(
        lang,
        match s {
            PositionSource::Committed => Phrase::PsCommitted,
            PositionSource::ResetEarliest => Phrase::PsEarliest,
            PositionSource::ResetLatest => Phrase::PsLatest,
            PositionSource::Seek | PositionSource::SeekTimestamp => Phrase::PsSeek,
        },
    )
}

fn yes_no(lang: Lang, b: bool) -> &'static str {
    phrase(lang, if b { Phrase::Yes } else { Phrase::No })
}

pub(crate) fn retry(lang: Lang, will_retry: bool) -> &'static str {
    phrase(lang, if will_retry { Phrase::RetryPlanned } else { Phrase::RetryAbandoned })
}

/// The sentence for `fact` in `lang`, naming clients from `roster`.
pub fn sentence(lang: Lang, roster: &Roster, fact: &Fact) -> String {
    let s = |v: &dyn ToString| v.to_string();
    let n = |p: Phrase, count: usize| count_of(lang, p, count as u64);
    let consumer = |c: &u32| roster.consumer(lang, *c);
    let producer = |p: &u32| roster.producer(lang, *p);
    let node = |n: &NodeId| roster.node(lang, n);
    let tps = |list: &[TopicPartition]| tps(lang, list);
    let member = |m: &String| short_member_id(m);
    let (key, args): (Phrase, Vec<String>) = match fact {
        Fact::BrokerStarted { broker } => (Phrase::FBrokerStarted, vec![s(broker)]),
        Fact::BrokerStopped { broker } => (Phrase::FBrokerStopped, vec![s(broker)]),
        Fact::TopicCreated { topic, partitions, replication_factor } => (
            Phrase::FTopicCreated,
            vec![topic.clone(), n(Phrase::CountPartitions, *partitions as usize), s(replication_factor)],
        ),
        Fact::LeaderElected { topic_partition, leader, previous_leader, leader_epoch, isr, unclean } => {
            if *leader < 0 {
                (Phrase::FPartitionOffline, vec![topic_partition.to_string(), s(previous_leader)])
            } else if *unclean {
                (Phrase::FLeaderElectedUnclean, vec![topic_partition.to_string(), s(leader), s(leader_epoch), ids(isr)])
            } else if *previous_leader < 0 {
                (Phrase::FLeaderElectedFirst, vec![topic_partition.to_string(), s(leader), s(leader_epoch), ids(isr)])
            } else {
                (
                    Phrase::FLeaderElected,
                    vec![topic_partition.to_string(), s(leader), s(leader_epoch), ids(isr), s(previous_leader)],
                )
            }
        }
        Fact::IsrChanged { topic_partition, isr, removed, added } => {
            if !removed.is_empty() {
                (Phrase::FIsrShrunk, vec![topic_partition.to_string(), ids(removed), ids(isr)])
            } else {
                (Phrase::FIsrExpanded, vec![topic_partition.to_string(), ids(added), ids(isr)])
            }
        }
        Fact::ControllerElected { broker, epoch } => (Phrase::FControllerElected, vec![s(broker), s(epoch)]),
        Fact::ControllerResigned { broker, epoch } => (Phrase::FControllerResigned, vec![s(broker), s(epoch)]),
        Fact::BrokerRegistered { broker, broker_epoch } => {
            (Phrase::FBrokerRegistered, vec![s(broker), s(broker_epoch)])
        }
        Fact::BrokerFenced { broker, controller } => (Phrase::FBrokerFenced, vec![s(broker), s(controller)]),
        Fact::BrokerUnfenced { broker, controller } => (Phrase::FBrokerUnfenced, vec![s(broker), s(controller)]),
        Fact::LogTruncated { topic_partition, broker, from_offset, to_offset, leader_epoch } => (
            Phrase::FLogTruncated,
            vec![s(broker), topic_partition.to_string(), s(from_offset), s(to_offset), s(leader_epoch)],
        ),
        Fact::AckedRecordsLost { topic_partition, first_offset, last_offset, leader_epoch, acked_at_ms } => (
            Phrase::FAckedRecordsLost,
            vec![
                topic_partition.to_string(),
                n(Phrase::CountRecords, (last_offset - first_offset + 1) as usize),
                format!("{first_offset}..{last_offset}"),
                s(acked_at_ms),
                s(leader_epoch),
            ],
        ),
        Fact::MessageMisrouted { from, to, kind } => {
            (Phrase::FMessageMisrouted, vec![kind.to_string(), node(from), node(to)])
        }
        Fact::NodeIsolated { node: n } => (Phrase::FNodeIsolated, vec![node(n)]),
        Fact::ProducerStarted { producer: _, name } => {
            (Phrase::FProducerStarted, vec![fill(phrase(lang, Phrase::ProducerName), &[name])])
        }
        Fact::ProducerIdAssigned { producer: p, producer_id, producer_epoch } => {
            (Phrase::FProducerIdAssigned, vec![producer(p), s(producer_id), s(producer_epoch)])
        }
        Fact::MetadataUpdated { client, partitions } => {
            (Phrase::FMetadataUpdated, vec![roster.producer_on(lang, *client), n(Phrase::CountPartitions, *partitions)])
        }
        Fact::BatchAppended { topic_partition, broker, base_offset, last_offset, leader_epoch } => (
            Phrase::FBatchAppended,
            vec![s(broker), topic_partition.to_string(), s(base_offset), s(last_offset), s(leader_epoch)],
        ),
        Fact::DuplicateBatch { topic_partition, broker, producer_id, base_sequence, base_offset } => (
            Phrase::FDuplicateBatch,
            vec![s(broker), topic_partition.to_string(), s(producer_id), s(base_sequence), s(base_offset)],
        ),
        Fact::ProduceAcked { producer: p, topic_partition, base_offset, records } => (
            Phrase::FProduceAcked,
            vec![producer(p), n(Phrase::CountRecords, *records), topic_partition.to_string(), s(base_offset)],
        ),
        Fact::ProduceFailed { producer: p, topic_partition, error, attempt, will_retry } => (
            Phrase::FProduceFailed,
            vec![
                producer(p),
                topic_partition.to_string(),
                error.name().into(),
                s(attempt),
                retry(lang, *will_retry).into(),
            ],
        ),
        Fact::HighWatermarkAdvanced { topic_partition, broker, high_watermark } => {
            (Phrase::FHighWatermark, vec![topic_partition.to_string(), s(high_watermark), s(broker)])
        }
        Fact::SegmentRolled { topic_partition, broker, base_offset } => {
            (Phrase::FSegmentRolled, vec![s(broker), topic_partition.to_string(), s(base_offset)])
        }
        Fact::SegmentsDeleted { topic_partition, broker, segments, log_start_offset } => (
            Phrase::FSegmentsDeleted,
            vec![s(broker), topic_partition.to_string(), n(Phrase::CountSegments, *segments), s(log_start_offset)],
        ),
        Fact::LogCompacted { topic_partition, broker, records_removed } => (
            Phrase::FLogCompacted,
            vec![s(broker), topic_partition.to_string(), count_of(lang, Phrase::CountRecords, *records_removed)],
        ),
        Fact::MessageDropped { from, to, kind, reason } => (
            match reason {
                DropReason::LinkCut => Phrase::FMessageDroppedCut,
                DropReason::Lost => Phrase::FMessageDroppedLost,
            },
            vec![kind.to_string(), node(from), node(to)],
        ),
        Fact::LinkCut { from, to } => (Phrase::FLinkCut, vec![node(from), node(to)]),
        Fact::LinkHealed { from, to } => (Phrase::FLinkHealed, vec![node(from), node(to)]),
        Fact::NodeSlowed { node: n, extra_ms } => (Phrase::FNodeSlowed, vec![node(n), s(extra_ms)]),
        Fact::CoordinatorLoaded { broker, offsets_partition, leader_epoch, groups, offsets } => (
            Phrase::FCoordinatorLoaded,
            vec![
                s(broker),
                s(offsets_partition),
                s(leader_epoch),
                n(Phrase::CountGroups, *groups),
                n(Phrase::CountOffsets, *offsets),
            ],
        ),
        Fact::CoordinatorUnloaded { broker, offsets_partition, groups } => {
            (Phrase::FCoordinatorUnloaded, vec![s(broker), s(offsets_partition), n(Phrase::CountGroups, *groups)])
        }
        Fact::MemberJoined { group, member_id, group_instance_id, coordinator } => (
            Phrase::FMemberJoined,
            vec![member(member_id), group.clone(), s(coordinator), group_instance_id.clone().unwrap_or("-".into())],
        ),
        Fact::StaticMemberReplaced { group, group_instance_id, old_member_id, new_member_id, rebalance } => (
            Phrase::FStaticMemberReplaced,
            vec![
                group_instance_id.clone(),
                group.clone(),
                member(old_member_id),
                member(new_member_id),
                yes_no(lang, *rebalance).into(),
            ],
        ),
        Fact::MemberRemoved { group, member_id, reason } => {
            (Phrase::FMemberRemoved, vec![member(member_id), group.clone(), removal_reason(lang, *reason).into()])
        }
        Fact::RebalanceStarted { group, generation_id, reason } => {
            (Phrase::FRebalanceStarted, vec![group.clone(), s(generation_id), rebalance_reason(lang, *reason).into()])
        }
        Fact::JoinCompleted { group, generation_id, protocol_name, leader, members } => (
            Phrase::FJoinCompleted,
            vec![
                group.clone(),
                s(generation_id),
                n(Phrase::CountMembers, members.len()),
                member(leader),
                protocol_name.clone().unwrap_or("-".into()),
            ],
        ),
        Fact::GenerationStable { group, generation_id, assignment } => {
            let list = assignment
                .iter()
                .map(|(m, p)| {
                    let list = if p.is_empty() { phrase(lang, Phrase::NoPartitionsIdle).to_string() } else { tps(p) };
                    format!("{}: {list}", member(m))
                })
                .collect::<Vec<_>>()
                .join("; ");
            (Phrase::FGenerationStable, vec![group.clone(), s(generation_id), list])
        }
        Fact::OffsetsCommitted { group, member_id, generation_id, offsets } => {
            let list = offsets_list(offsets);
            (Phrase::FOffsetsCommitted, vec![group.clone(), list, member(member_id), s(generation_id)])
        }
        Fact::GroupRequestRejected { group, member_id, request, error } => (
            Phrase::FGroupRequestRejected,
            vec![request.to_string(), member(member_id), group.clone(), error.name().into()],
        ),
        Fact::ConsumerStarted { consumer: c, client: _, group, group_instance_id } => (
            Phrase::FConsumerStarted,
            vec![consumer(c), group.clone(), group_instance_id.clone().unwrap_or("-".into())],
        ),
        Fact::ConsumerCrashed { consumer: c, in_flight_records, processed_before_crash } => (
            Phrase::FConsumerCrashed,
            vec![
                consumer(c),
                n(Phrase::CountRecords, *in_flight_records),
                n(Phrase::CountRecords, *processed_before_crash),
            ],
        ),
        Fact::ConsumerClosed { consumer: c } => (Phrase::FConsumerClosed, vec![consumer(c)]),
        Fact::CoordinatorFound { consumer: c, group, coordinator } => {
            (Phrase::FCoordinatorFound, vec![consumer(c), group.clone(), s(coordinator)])
        }
        Fact::PartitionsRevoked { consumer: c, group, partitions } => {
            (Phrase::FPartitionsRevoked, vec![consumer(c), tps(partitions), group.clone()])
        }
        Fact::PartitionsAssigned { consumer: c, group, generation_id, partitions, assignment }
            if partitions.is_empty() =>
        {
            if assignment.is_empty() {
                (Phrase::FPartitionsAssignedIdle, vec![consumer(c), group.clone(), s(generation_id)])
            } else {
                (Phrase::FPartitionsAssignedNone, vec![consumer(c), group.clone(), s(generation_id), tps(assignment)])
            }
        }
        Fact::PartitionsAssigned { consumer: c, group, generation_id, partitions, assignment: _ } => {
            (Phrase::FPartitionsAssigned, vec![consumer(c), tps(partitions), group.clone(), s(generation_id)])
        }
        Fact::PartitionsLost { consumer: c, group, partitions, error } => {
            (Phrase::FPartitionsLost, vec![consumer(c), tps(partitions), group.clone(), error.name().into()])
        }
        Fact::PositionSet { consumer: c, topic_partition, offset, source } => (
            Phrase::FPositionSet,
            vec![consumer(c), topic_partition.to_string(), s(offset), position_source(lang, *source).into()],
        ),
        Fact::NoOffsetForPartition { consumer: c, topic_partition } => {
            (Phrase::FNoOffset, vec![consumer(c), topic_partition.to_string()])
        }
        Fact::ConsumerPolled { consumer: c, records, partitions } => {
            (Phrase::FConsumerPolled, vec![consumer(c), n(Phrase::CountRecords, *records), tps(partitions)])
        }
        Fact::RecordsProcessed { consumer: c, group: _, topic_partition, first_offset, last_offset, count } => (
            Phrase::FRecordsProcessed,
            vec![
                consumer(c),
                n(Phrase::CountRecords, *count),
                topic_partition.to_string(),
                s(first_offset),
                s(last_offset),
            ],
        ),
        Fact::DuplicatesProcessed { consumer: c, group, topic_partition, first_offset, last_offset, count } => (
            Phrase::FDuplicatesProcessed,
            vec![
                consumer(c),
                n(Phrase::CountRecords, *count),
                topic_partition.to_string(),
                s(first_offset),
                s(last_offset),
                group.clone(),
            ],
        ),
        Fact::RecordsSkipped { consumer: c, group, topic_partition, from_offset, to_offset } => (
            Phrase::FRecordsSkipped,
            vec![group.clone(), topic_partition.to_string(), s(from_offset), s(to_offset), consumer(c)],
        ),
        Fact::CommitSent { consumer: c, group, offsets, sync } => {
            let list = offsets_list(offsets);
            let mode = if *sync { "commitSync" } else { "commitAsync" };
            (Phrase::FCommitSent, vec![consumer(c), mode.into(), list, group.clone()])
        }
        Fact::CommitFailed { consumer: c, group, error } => {
            (Phrase::FCommitFailed, vec![consumer(c), group.clone(), error.name().into()])
        }
        Fact::PollIntervalExceeded { consumer: c, group, max_poll_interval_ms } => {
            (Phrase::FPollIntervalExceeded, vec![consumer(c), s(max_poll_interval_ms), group.clone()])
        }
        Fact::RequestTimedOut { consumer: c, broker, request, timeout_ms } => {
            (Phrase::FRequestTimedOut, vec![consumer(c), request.clone(), s(timeout_ms), s(broker)])
        }
        Fact::RejoinRequested { consumer: c, group, error: ErrorCode::None } => {
            (Phrase::FRejoinMetadataChanged, vec![consumer(c), group.clone()])
        }
        Fact::RejoinRequested { consumer: c, group, error } => {
            (Phrase::FRejoinRequested, vec![consumer(c), group.clone(), error.name().into()])
        }
        Fact::ProducerCrashed { producer: p, lost_records } => {
            (Phrase::FProducerCrashed, vec![producer(p), n(Phrase::CountRecords, *lost_records)])
        }
        Fact::ControllerProspective { broker, epoch, leader: _ } => {
            (Phrase::FControllerProspective, vec![s(broker), s(epoch)])
        }
        Fact::ControllerLeaderFound { broker, leader, epoch } => {
            (Phrase::FControllerLeaderFound, vec![s(broker), s(leader), s(epoch)])
        }
        Fact::ControlledShutdownRequested { broker } => (Phrase::FControlledShutdownRequested, vec![s(broker)]),
        Fact::BrokerShutDown { broker } => (Phrase::FBrokerShutDown, vec![s(broker)]),
        Fact::GroupEpochBumped { group, group_epoch, reason } => {
            (Phrase::FGroupEpochBumped, vec![group.clone(), s(group_epoch), rebalance_reason(lang, *reason).into()])
        }
        Fact::TargetAssignmentComputed { group, group_epoch, assignor, assignment } => {
            let list = assignment
                .iter()
                .map(|(m, p)| {
                    let list = if p.is_empty() { phrase(lang, Phrase::NoPartitionsIdle).to_string() } else { tps(p) };
                    format!("{}: {list}", member(m))
                })
                .collect::<Vec<_>>()
                .join("; ");
            (Phrase::FTargetAssignmentComputed, vec![group.clone(), s(group_epoch), assignor.to_string(), list])
        }
        Fact::MemberReconciled { group, member_id, member_epoch, state, assigned, pending_revocation } => {
            let phrase = match state {
                ReconcileState::Stable => Phrase::FMemberReconciledStable,
                ReconcileState::UnrevokedPartitions => Phrase::FMemberReconciledUnrevoked,
                ReconcileState::UnreleasedPartitions => Phrase::FMemberReconciledUnreleased,
            };
            let args = match state {
                ReconcileState::UnrevokedPartitions => {
                    vec![member(member_id), group.clone(), s(member_epoch), tps(pending_revocation), tps(assigned)]
                }
                _ => vec![member(member_id), group.clone(), s(member_epoch), tps(assigned)],
            };
            (phrase, args)
        }
        Fact::GroupConverted { group, to_consumer_protocol } => {
            let phrase = if *to_consumer_protocol {
                Phrase::FGroupConvertedToConsumer
            } else {
                Phrase::FGroupConvertedToClassic
            };
            (phrase, vec![group.clone()])
        }
        Fact::EligibleLeaderReplicasChanged { topic_partition, elr, last_known_elr } => {
            match (elr.is_empty(), last_known_elr.first()) {
                (false, _) => (Phrase::FElrChanged, vec![topic_partition.to_string(), ids(elr)]),
                (true, Some(last_leader)) => {
                    (Phrase::FLastKnownLeader, vec![topic_partition.to_string(), s(last_leader)])
                }
                (true, None) => (Phrase::FElrCleared, vec![topic_partition.to_string()]),
            }
        }
        Fact::TxnCoordinatorLoaded { broker, txn_partition, coordinator_epoch, transactions, completing } => (
            Phrase::FTxnCoordinatorLoaded,
            vec![s(broker), s(txn_partition), s(coordinator_epoch), s(transactions), s(completing)],
        ),
        Fact::TxnStateChanged { broker, transactional_id, producer_id, producer_epoch, from, to } => (
            Phrase::FTxnStateChanged,
            vec![
                s(broker),
                transactional_id.clone(),
                from.name().to_string(),
                to.name().to_string(),
                s(producer_id),
                s(producer_epoch),
            ],
        ),
        Fact::TransactionTimedOut { broker, transactional_id, producer_id, timeout_ms } => {
            (Phrase::FTransactionTimedOut, vec![s(broker), transactional_id.clone(), s(timeout_ms), s(producer_id)])
        }
        Fact::TxnMarkerWritten { topic_partition, broker, producer_id, committed, offset } => (
            if *committed { Phrase::FTxnMarkerCommit } else { Phrase::FTxnMarkerAbort },
            vec![s(broker), topic_partition.to_string(), s(producer_id), s(offset)],
        ),
        Fact::ProducerFenced { producer: p, transactional_id, producer_epoch, error } => (
            Phrase::FProducerFenced,
            vec![producer(p), transactional_id.clone(), s(producer_epoch), error.name().to_string()],
        ),
        Fact::TransactionEnded { producer: p, transactional_id, committed, producer_epoch } => (
            if *committed { Phrase::FTransactionCommitted } else { Phrase::FTransactionAborted },
            vec![producer(p), transactional_id.clone(), s(producer_epoch)],
        ),
        Fact::PreferredReadReplicaChosen { consumer: c, topic_partition, leader, replica, rack } => (
            Phrase::FReadReplicaChosen,
            vec![consumer(c), topic_partition.to_string(), rack.clone(), s(leader), s(replica)],
        ),
        Fact::PreferredReadReplicaCleared { consumer: c, topic_partition, replica, reason } => {
            let mut args = vec![consumer(c), topic_partition.to_string(), s(replica)];
            let phrase = match reason {
                ReadReplicaFallback::FetchFailed => Phrase::FReadReplicaFailed,
                ReadReplicaFallback::Error { error } => {
                    args.push(error.name().to_string());
                    Phrase::FReadReplicaError
                }
                ReadReplicaFallback::Expired => Phrase::FReadReplicaExpired,
            };
            (phrase, args)
        }
        Fact::ProducerEpochBumped { producer: p, producer_id, producer_epoch, partitions } => {
            (Phrase::FProducerEpochBumped, vec![producer(p), s(producer_id), s(producer_epoch), tps(partitions)])
        }
        Fact::PositionValidated { consumer: c, topic_partition, offset, leader_epoch } => {
            (Phrase::FPositionValidated, vec![consumer(c), topic_partition.to_string(), s(offset), s(leader_epoch)])
        }
        Fact::LogTruncationDetected { consumer: c, topic_partition, position, offset_epoch, end_offset, reset_to } => (
            if reset_to.is_some() { Phrase::FLogTruncationReset } else { Phrase::FLogTruncationNoReset },
            vec![consumer(c), topic_partition.to_string(), s(position), s(offset_epoch), s(end_offset)],
        ),
        Fact::ShareMemberJoined { group, member_id, group_epoch, members } => {
            (Phrase::FShareMemberJoined, vec![group.clone(), member(member_id), s(group_epoch), s(members)])
        }
        Fact::ShareMemberLeft { group, member_id, group_epoch, expired } => (
            if *expired { Phrase::FShareMemberExpired } else { Phrase::FShareMemberLeft },
            vec![group.clone(), member(member_id), s(group_epoch)],
        ),
        Fact::ShareAssignmentReceived { consumer: c, group, partitions } => {
            (Phrase::FShareAssignmentReceived, vec![consumer(c), group.clone(), tps(partitions)])
        }
        Fact::ShareRecordsAcquired { broker, group, member_id, topic_partition, records, lock_until } => (
            Phrase::FShareRecordsAcquired,
            vec![
                s(broker),
                group.clone(),
                member(member_id),
                topic_partition.to_string(),
                n(Phrase::CountRecords, records.len()),
                s(lock_until),
                s(&records.iter().map(|(_, count)| *count).max().unwrap_or(0)),
            ],
        ),
        Fact::ShareRecordsAcknowledged { group, member_id, topic_partition, kind, offsets } => (
            match kind {
                AcknowledgeType::Accept => Phrase::FShareRecordsAccepted,
                AcknowledgeType::Release => Phrase::FShareRecordsReleased,
                AcknowledgeType::Reject => Phrase::FShareRecordsRejected,
            },
            vec![group.clone(), member(member_id), topic_partition.to_string(), n(Phrase::CountRecords, offsets.len())],
        ),
        Fact::ShareLocksReleased { group, member_id, topic_partition, offsets, expired } => (
            if *expired { Phrase::FShareLocksExpired } else { Phrase::FShareLocksClosed },
            vec![group.clone(), member(member_id), topic_partition.to_string(), n(Phrase::CountRecords, offsets.len())],
        ),
        Fact::ShareRecordArchived { group, topic_partition, offset, delivery_count } => (
            Phrase::FShareRecordArchived,
            vec![group.clone(), topic_partition.to_string(), s(offset), s(delivery_count)],
        ),
        Fact::SharePartitionInitialized {
            broker,
            group,
            topic_partition,
            leader_epoch,
            start_offset,
            in_flight,
            persisted,
        } => (
            if *persisted { Phrase::FSharePartitionLoaded } else { Phrase::FSharePartitionStarted },
            vec![
                s(broker),
                group.clone(),
                topic_partition.to_string(),
                s(leader_epoch),
                s(start_offset),
                n(Phrase::CountRecords, *in_flight),
            ],
        ),
        Fact::PartitionReassignmentStarted { topic_partition, target, adding, removing } => {
            (Phrase::FReassignmentStarted, vec![topic_partition.to_string(), ids(target), ids(adding), ids(removing)])
        }
        Fact::PartitionReassignmentCompleted { topic_partition, replicas, removed } => {
            (Phrase::FReassignmentCompleted, vec![topic_partition.to_string(), ids(replicas), ids(removed)])
        }
        Fact::PartitionReassignmentCancelled { topic_partition, replicas } => {
            (Phrase::FReassignmentCancelled, vec![topic_partition.to_string(), ids(replicas)])
        }
        Fact::ReplicaDeleted { broker, topic_partition, log_end_offset } => {
            (Phrase::FReplicaDeleted, vec![s(broker), topic_partition.to_string(), s(log_end_offset)])
        }
        Fact::LeaderElectionAnswered { election, elected, not_needed, failed } => {
            let failed: Vec<String> = failed.iter().map(|(tp, e)| format!("{tp} ({e})")).collect();
            let failed =
                if failed.is_empty() { phrase(lang, Phrase::NoPartitions).to_string() } else { failed.join(", ") };
            (Phrase::FLeaderElectionAnswered, vec![election.to_string(), tps(elected), tps(not_needed), failed])
        }
        Fact::TopicDeleted { topic, partitions } => {
            (Phrase::FTopicDeleted, vec![topic.clone(), n(Phrase::CountPartitions, *partitions as usize)])
        }
        Fact::ReplicasDeleted { broker, topic, partitions } => {
            (Phrase::FReplicasDeleted, vec![s(broker), topic.clone(), ids(partitions)])
        }
        Fact::OffsetsDeleted { broker, group, topic_partitions } => {
            (Phrase::FOffsetsDeleted, vec![s(broker), group.clone(), tps(topic_partitions)])
        }
        Fact::GroupDeleted { broker, group } => (Phrase::FGroupDeleted, vec![s(broker), group.clone()]),
        Fact::DynamicConfigChanged { controller, resource, name, value } => match value {
            Some(v) => (
                Phrase::FDynamicConfigSet,
                vec![s(controller), config_resource(lang, resource), name.clone(), v.clone()],
            ),
            None => (Phrase::FDynamicConfigDeleted, vec![s(controller), config_resource(lang, resource), name.clone()]),
        },
        Fact::DynamicConfigApplied { broker, resource, name, value } => match value {
            Some(v) => (
                Phrase::FDynamicConfigApplied,
                vec![s(broker), config_resource(lang, resource), name.clone(), v.clone()],
            ),
            None => {
                (Phrase::FDynamicConfigDeleteApplied, vec![s(broker), config_resource(lang, resource), name.clone()])
            }
        },
        Fact::ClientRestartedWithConfig { name, key, value, .. } => {
            (Phrase::FClientRestartedWithConfig, vec![name.clone(), key.clone(), value.clone()])
        }
        Fact::StreamsRestoreStarted { instance, task, store, changelog, start_offset, end_offset, .. } => (
            Phrase::FStreamsRestoreStarted,
            vec![instance.clone(), task.clone(), store.clone(), changelog.to_string(), s(start_offset), s(end_offset)],
        ),
        Fact::StreamsRestoreProgressed { application_id, task, store, records, position, end_offset } => (
            Phrase::FStreamsRestoreProgressed,
            vec![
                app_task(application_id, task),
                store.clone(),
                n(Phrase::CountRecords, *records),
                s(position),
                s(end_offset),
            ],
        ),
        Fact::StreamsRestoreCompleted { instance, task, store, restored, entries, .. } => (
            Phrase::FStreamsRestoreCompleted,
            vec![
                instance.clone(),
                task.clone(),
                store.clone(),
                n(Phrase::CountRecords, *restored as usize),
                n(Phrase::CountEntries, *entries),
            ],
        ),
        Fact::StreamsStoreUpdated { application_id, task, store, key, window, value } => match window {
            Some(w) => (
                Phrase::FStreamsStoreUpdatedWindow,
                vec![app_task(application_id, task), store.clone(), key.clone(), window_text(*w), s(value)],
            ),
            None => (
                Phrase::FStreamsStoreUpdatedKey,
                vec![app_task(application_id, task), store.clone(), key.clone(), s(value)],
            ),
        },
        Fact::StreamsRecordDropped {
            application_id,
            task,
            topic_partition,
            offset,
            timestamp,
            reason,
            window,
            stream_time,
            grace_ms,
        } => {
            let at = format!("{topic_partition}@{offset}");
            let task = app_task(application_id, task);
            match (reason, window) {
                (StreamsDropReason::ExpiredWindow, Some(w)) => (
                    Phrase::FStreamsLateRecordDropped,
                    vec![task, at, s(timestamp), window_text(*w), s(stream_time), s(grace_ms)],
                ),
                (StreamsDropReason::NotANumber, _) => (Phrase::FStreamsNotANumberDropped, vec![task, at]),
                _ => (Phrase::FStreamsNullKeyDropped, vec![task, at]),
            }
        }
        Fact::StreamsInstanceCrashed { instance, tasks, entries_lost, .. } => (
            Phrase::FStreamsInstanceCrashed,
            vec![instance.clone(), tasks.join(", "), n(Phrase::CountEntries, *entries_lost)],
        ),
        Fact::ListenerFailed { consumer: c, topic_partition, offset, attempt, exception } => (
            Phrase::FListenerFailed,
            vec![consumer(c), topic_partition.to_string(), s(offset), exception.clone(), s(attempt)],
        ),
        Fact::ErrorHandlerBackOff {
            consumer: c,
            topic_partition,
            offset,
            retry,
            back_off_ms,
            exponential,
            unlimited,
        } => {
            let kind = phrase(lang, if *exponential { Phrase::BackOffExponential } else { Phrase::BackOffFixed });
            (
                if *unlimited { Phrase::FErrorHandlerBackOffForever } else { Phrase::FErrorHandlerBackOff },
                vec![consumer(c), topic_partition.to_string(), s(offset), s(back_off_ms), kind.into(), s(retry)],
            )
        }
        Fact::RecordRecovered { consumer: c, topic_partition, offset, attempts, dead_letter_topic } => {
            let args = vec![consumer(c), topic_partition.to_string(), s(offset), s(attempts)];
            match dead_letter_topic {
                Some(topic) => (Phrase::FRecordRecoveredDlt, [args, vec![topic.clone()]].concat()),
                None => (Phrase::FRecordRecoveredLog, args),
            }
        }
        Fact::RecordForwarded { consumer: c, topic_partition, offset, attempt, destination, delay_ms, dlt } => (
            if *dlt { Phrase::FRecordForwardedDlt } else { Phrase::FRecordForwardedRetry },
            vec![consumer(c), topic_partition.to_string(), s(offset), s(attempt), destination.clone(), s(delay_ms)],
        ),
        Fact::RetryTopicPartitionPaused { consumer: c, topic_partition, offset, until_ms } => {
            (Phrase::FRetryTopicPaused, vec![consumer(c), topic_partition.to_string(), s(offset), s(until_ms)])
        }
        Fact::BatchRecompressed { topic_partition, broker, base_offset, from, to, size_bytes } => (
            Phrase::FBatchRecompressed,
            vec![
                s(broker),
                topic_partition.to_string(),
                s(base_offset),
                from.name().to_string(),
                to.name().to_string(),
                s(size_bytes),
            ],
        ),
    };
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    fill(phrase(lang, key), &refs)
}

/// A task with its application: tasks of two applications have the same ids.
fn app_task(application_id: &str, task: &str) -> String {
    format!("{task}({application_id})")
}

/// A time window as Kafka prints it: `[start,end)` in milliseconds.
fn window_text((start, end): (i64, i64)) -> String {
    format!("[{start},{end})")
}

/// What a dynamic config belongs to, as a sentence names it.
fn config_resource(lang: Lang, resource: &ConfigResource) -> String {
    match resource {
        ConfigResource::Topic(t) => fill(phrase(lang, Phrase::ConfigOfTopic), &[t]),
        ConfigResource::Broker(b) => fill(phrase(lang, Phrase::ConfigOfBroker), &[&b.to_string()]),
        ConfigResource::BrokerDefault => phrase(lang, Phrase::ConfigOfBrokerDefault).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{every_fact, kind, roster};
    use std::collections::BTreeSet;

    #[test]
    fn leader_election_reads_like_the_issue() {
        let fact = Fact::LeaderElected {
            topic_partition: TopicPartition { topic: "orders".into(), partition: 1 },
            leader: 3,
            previous_leader: 2,
            leader_epoch: 5,
            isr: vec![1, 3],
            unclean: false,
        };
        let en = sentence(Lang::En, &roster(), &fact);
        assert!(en.contains("broker 3") && en.contains("orders-1") && en.contains("epoch 5"), "{en}");
        assert_eq!(
            sentence(Lang::Ko, &roster(), &fact),
            "컨트롤러가 브로커 3을 orders-1의 새 리더로 선출했습니다(에포크 5, ISR [1, 3], 이전 리더 브로커 2)."
        );
    }

    const TOPICS: [&str; 5] = ["orders", "metrics", "events", "billing-1", "__consumer_offsets"];
    const NUMBERS: [i64; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 1000];

    #[test]
    fn every_fact_kind_reads_in_korean_without_particle_placeholders() {
        let kinds: BTreeSet<&str> = every_fact("orders", 1).iter().map(kind).collect();
        assert_eq!(kinds.len(), 110, "a fact kind is missing from every_fact: {kinds:?}");
        for topic in TOPICS {
            for n in NUMBERS.into_iter().chain([-1]) {
                for fact in every_fact(topic, n) {
                    let ko = sentence(Lang::Ko, &roster(), &fact);
                    for marker in ["(가)", "(를)", "(으)", "(이)", "(은)", "(는)", "(과)", "(와)", "{"] {
                        assert!(!ko.contains(marker), "{marker} in {ko}");
                    }
                    let en = sentence(Lang::En, &roster(), &fact);
                    assert!(!ko.trim().is_empty() && !en.trim().is_empty(), "{fact:?} has no sentence");
                    for (ko_or_en, text) in [("ko", &ko), ("en", &en)] {
                        assert!(
                            !text.contains("consumer 2")
                                && !text.contains("컨슈머 2")
                                && !text.contains("client 12")
                                && !text.contains("클라이언트"),
                            "{ko_or_en}: a client by number in {text}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn particles_follow_the_numbers_and_names_they_attach_to() {
        let r = roster();
        let facts = every_fact("metrics", 0);
        let ko = |k: &str| facts.iter().filter(|f| kind(f) == k).map(|f| sentence(Lang::Ko, &r, f)).collect::<Vec<_>>();
        assert!(ko("BrokerStopped")[0].starts_with("브로커 0이 멈췄습니다"));
        assert!(ko("ProducerIdAssigned")[0].contains("에포크 0을 받았습니다"));
        assert!(ko("ProduceFailed")[0].contains("metrics-0으로 보내기 실패"));
        assert!(ko("TopicCreated")[0].starts_with("토픽 metrics가 만들어졌습니다"));
        assert!(ko("LinkCut")[0].starts_with("브로커 0과 billing-1 사이"));
        assert!(ko("ProducerCrashed")[0].starts_with("프로듀서 checkout이 죽었습니다: 아직 완료되지 않은 레코드 0개의"));
        assert!(ko("ConsumerStarted")[0].starts_with("컨슈머 billing-1이 그룹 workers로 시작했습니다"));
        assert!(ko("ControllerElected")[0].starts_with("브로커 0이 KRaft 투표로"));
        assert!(ko("LogTruncated")[0].contains("오프셋 0에서 0으로 잘랐습니다"));
        let loaded = facts.iter().find(|f| kind(f) == "CoordinatorLoaded").unwrap();
        assert!(sentence(Lang::En, &r, loaded).contains("loaded 0 groups and 0 offsets"));
        let facts = every_fact("orders", 2);
        let stopped = sentence(Lang::Ko, &r, &facts[1]);
        assert!(stopped.starts_with("브로커 2가 멈췄습니다"), "{stopped}");
        let topic = sentence(Lang::Ko, &r, &facts[2]);
        assert!(topic.starts_with("토픽 orders가 만들어졌습니다: 파티션 2개"), "{topic}");
        let one = every_fact("orders", 1);
        let loaded = one.iter().find(|f| kind(f) == "CoordinatorLoaded").unwrap();
        assert!(sentence(Lang::En, &r, loaded).contains("loaded 1 group and 1 offset"));
        assert!(sentence(Lang::Ko, &r, loaded).contains("그룹 1개, 오프셋 1개를 읽어"));
    }

    #[test]
    fn an_empty_assignment_says_idle_or_nothing_new() {
        let r = roster();
        let idle = every_fact("orders", 3)
            .into_iter()
            .filter(|f| matches!(f, Fact::PartitionsAssigned { partitions, .. } if partitions.is_empty()))
            .map(|f| (sentence(Lang::Ko, &r, &f), sentence(Lang::En, &r, &f)))
            .collect::<Vec<_>>();
        // A member that keeps what it owns first (cooperative), then one that owns nothing.
        assert!(idle[0].0.contains("새로 할당받은 파티션이 없습니다"), "{:?}", idle[0]);
        assert!(idle[0].1.contains("no new partitions") && idle[0].1.contains("it keeps orders-"), "{:?}", idle[0]);
        assert_eq!(idle[1].0, "컨슈머 billing-1: 할당받은 파티션이 없습니다 (유휴, 그룹 orders, 세대 3).");
        assert!(idle[1].1.contains("no partitions: idle"), "{:?}", idle[1]);
        let stable = every_fact("orders", 3).into_iter().find(|f| kind(f) == "GenerationStable").unwrap();
        let ko = sentence(Lang::Ko, &r, &stable);
        assert!(ko.contains("billing-1-3-…: orders-3; worker-1-0b6…: 없음(유휴)"), "{ko}");
    }
}
