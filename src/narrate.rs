//! Narration: every engine [`Fact`] as a plain-language sentence, in Korean and English, through
//! the typed catalogue ([`Key`] templates filled with the fact's values as text).

use kafkalab_engine::narration::{Fact, PositionSource, RebalanceReason, RemovalReason};
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::network::DropReason;
use kafkalab_engine::sim::world::TimedFact;
use kafkalab_engine::sim::NodeId;

use crate::i18n::{fill, t, Key, Lang};

/// What kind of moment a fact is, for timeline markers and "step to the next interesting fact".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Fault,
    Election,
    Rebalance,
}

/// Faults, elections and rebalances get a marker on the timeline.
pub fn mark(fact: &Fact) -> Option<Mark> {
    match fact {
        Fact::BrokerStopped { .. }
        | Fact::LinkCut { .. }
        | Fact::NodeIsolated { .. }
        | Fact::NodeSlowed { .. }
        | Fact::ConsumerCrashed { .. }
        | Fact::BrokerFenced { .. } => Some(Mark::Fault),
        Fact::LeaderElected { .. } | Fact::ControllerElected { .. } => Some(Mark::Election),
        Fact::RebalanceStarted { .. } | Fact::GenerationStable { .. } => Some(Mark::Rebalance),
        _ => None,
    }
}

/// Worth stopping at when stepping: everything but routine traffic.
pub fn is_interesting(fact: &Fact) -> bool {
    !matches!(
        fact,
        Fact::BatchAppended { .. }
            | Fact::ProduceAcked { .. }
            | Fact::HighWatermarkAdvanced { .. }
            | Fact::ConsumerPolled { .. }
            | Fact::RecordsProcessed { .. }
            | Fact::CommitSent { .. }
            | Fact::OffsetsCommitted { .. }
            | Fact::MetadataUpdated { .. }
            | Fact::MessageDropped { .. }
            | Fact::CoordinatorFound { .. }
    )
}

/// Routine traffic, which the feed folds away unless asked.
pub fn is_routine(fact: &Fact) -> bool {
    !is_interesting(fact)
}

fn tp(tp: &TopicPartition) -> String {
    format!("{}-{}", tp.topic, tp.partition)
}

fn tps(list: &[TopicPartition]) -> String {
    if list.is_empty() {
        return "-".into();
    }
    list.iter().map(tp).collect::<Vec<_>>().join(", ")
}

/// Committed positions as `topic-partition@offset, ...`.
fn offsets_list(offsets: &[(TopicPartition, i64)]) -> String {
    offsets
        .iter()
        .map(|(p, o)| format!("{}@{o}", tp(p)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ids(list: &[i32]) -> String {
    format!(
        "[{}]",
        list.iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn node(lang: Lang, n: &NodeId) -> String {
    match n {
        NodeId::Broker(b) => fill(t(lang, Key::BrokerName), &[&b.to_string()]),
        NodeId::Client(c) => fill(t(lang, Key::ClientName), &[&c.to_string()]),
    }
}

fn consumer(lang: Lang, c: u32) -> String {
    fill(t(lang, Key::ConsumerName), &[&c.to_string()])
}

fn producer(lang: Lang, p: u32) -> String {
    fill(t(lang, Key::ProducerName), &[&p.to_string()])
}

fn rebalance_reason(lang: Lang, r: RebalanceReason) -> &'static str {
    t(
        lang,
        match r {
            RebalanceReason::MemberJoined => Key::RrMemberJoined,
            RebalanceReason::MemberLeft => Key::RrMemberLeft,
            RebalanceReason::SessionTimeout => Key::RrSessionTimeout,
            RebalanceReason::MemberRejoined => Key::RrMemberRejoined,
            RebalanceReason::SyncTimeout => Key::RrSyncTimeout,
            RebalanceReason::PersistFailed => Key::RrPersistFailed,
        },
    )
}

fn removal_reason(lang: Lang, r: RemovalReason) -> &'static str {
    t(
        lang,
        match r {
            RemovalReason::SessionTimeout => Key::RrSessionTimeout,
            RemovalReason::LeaveGroup => Key::RmLeaveGroup,
            RemovalReason::NotRejoined => Key::RmNotRejoined,
            RemovalReason::NotSynced => Key::RrSyncTimeout,
            RemovalReason::Fenced => Key::RmFenced,
        },
    )
}

fn position_source(lang: Lang, s: PositionSource) -> &'static str {
    t(
        lang,
        match s {
            PositionSource::Committed => Key::PsCommitted,
            PositionSource::ResetEarliest => Key::PsEarliest,
            PositionSource::ResetLatest => Key::PsLatest,
            PositionSource::Seek | PositionSource::SeekTimestamp => Key::PsSeek,
        },
    )
}

fn yes_no(lang: Lang, b: bool) -> &'static str {
    t(lang, if b { Key::Yes } else { Key::No })
}

/// The sentence for `fact` in `lang`.
pub fn sentence(lang: Lang, fact: &Fact) -> String {
    let s = |v: &dyn ToString| v.to_string();
    let (key, args): (Key, Vec<String>) = match fact {
        Fact::BrokerStarted { broker } => (Key::FBrokerStarted, vec![s(broker)]),
        Fact::BrokerStopped { broker } => (Key::FBrokerStopped, vec![s(broker)]),
        Fact::TopicCreated {
            topic,
            partitions,
            replication_factor,
        } => (
            Key::FTopicCreated,
            vec![topic.clone(), s(partitions), s(replication_factor)],
        ),
        Fact::LeaderElected {
            topic_partition,
            leader,
            previous_leader,
            leader_epoch,
            isr,
            unclean,
        } => {
            if *leader < 0 {
                (
                    Key::FPartitionOffline,
                    vec![tp(topic_partition), s(previous_leader)],
                )
            } else if *unclean {
                (
                    Key::FLeaderElectedUnclean,
                    vec![tp(topic_partition), s(leader), s(leader_epoch), ids(isr)],
                )
            } else if *previous_leader < 0 {
                (
                    Key::FLeaderElectedFirst,
                    vec![tp(topic_partition), s(leader), s(leader_epoch), ids(isr)],
                )
            } else {
                (
                    Key::FLeaderElected,
                    vec![
                        tp(topic_partition),
                        s(leader),
                        s(leader_epoch),
                        ids(isr),
                        s(previous_leader),
                    ],
                )
            }
        }
        Fact::IsrChanged {
            topic_partition,
            isr,
            removed,
            added,
        } => {
            if !removed.is_empty() {
                (
                    Key::FIsrShrunk,
                    vec![tp(topic_partition), ids(removed), ids(isr)],
                )
            } else {
                (
                    Key::FIsrExpanded,
                    vec![tp(topic_partition), ids(added), ids(isr)],
                )
            }
        }
        Fact::ControllerElected { broker, epoch } => {
            (Key::FControllerElected, vec![s(broker), s(epoch)])
        }
        Fact::ControllerResigned { broker, epoch } => {
            (Key::FControllerResigned, vec![s(broker), s(epoch)])
        }
        Fact::BrokerRegistered {
            broker,
            broker_epoch,
        } => (Key::FBrokerRegistered, vec![s(broker), s(broker_epoch)]),
        Fact::BrokerFenced { broker, controller } => {
            (Key::FBrokerFenced, vec![s(broker), s(controller)])
        }
        Fact::BrokerUnfenced { broker, controller } => {
            (Key::FBrokerUnfenced, vec![s(broker), s(controller)])
        }
        Fact::LogTruncated {
            topic_partition,
            broker,
            from_offset,
            to_offset,
            leader_epoch,
        } => (
            Key::FLogTruncated,
            vec![
                s(broker),
                tp(topic_partition),
                s(from_offset),
                s(to_offset),
                s(leader_epoch),
            ],
        ),
        Fact::NodeIsolated { node: n } => (Key::FNodeIsolated, vec![node(lang, n)]),
        Fact::ProducerStarted { producer: p, name } => (
            Key::FProducerStarted,
            vec![producer(lang, *p), name.clone()],
        ),
        Fact::ProducerIdAssigned {
            producer: p,
            producer_id,
            producer_epoch,
        } => (
            Key::FProducerIdAssigned,
            vec![producer(lang, *p), s(producer_id), s(producer_epoch)],
        ),
        Fact::MetadataUpdated { client, partitions } => {
            (Key::FMetadataUpdated, vec![s(client), s(partitions)])
        }
        Fact::BatchAppended {
            topic_partition,
            broker,
            base_offset,
            last_offset,
            leader_epoch,
        } => (
            Key::FBatchAppended,
            vec![
                s(broker),
                tp(topic_partition),
                s(base_offset),
                s(last_offset),
                s(leader_epoch),
            ],
        ),
        Fact::DuplicateBatch {
            topic_partition,
            broker,
            producer_id,
            base_sequence,
            base_offset,
        } => (
            Key::FDuplicateBatch,
            vec![
                s(broker),
                tp(topic_partition),
                s(producer_id),
                s(base_sequence),
                s(base_offset),
            ],
        ),
        Fact::ProduceAcked {
            producer: p,
            topic_partition,
            base_offset,
            records,
        } => (
            Key::FProduceAcked,
            vec![
                producer(lang, *p),
                s(records),
                tp(topic_partition),
                s(base_offset),
            ],
        ),
        Fact::ProduceFailed {
            producer: p,
            topic_partition,
            error,
            attempt,
            will_retry,
        } => (
            Key::FProduceFailed,
            vec![
                producer(lang, *p),
                tp(topic_partition),
                error.name().into(),
                s(attempt),
                yes_no(lang, *will_retry).into(),
            ],
        ),
        Fact::HighWatermarkAdvanced {
            topic_partition,
            broker,
            high_watermark,
        } => (
            Key::FHighWatermark,
            vec![tp(topic_partition), s(high_watermark), s(broker)],
        ),
        Fact::SegmentRolled {
            topic_partition,
            broker,
            base_offset,
        } => (
            Key::FSegmentRolled,
            vec![s(broker), tp(topic_partition), s(base_offset)],
        ),
        Fact::SegmentsDeleted {
            topic_partition,
            broker,
            segments,
            log_start_offset,
        } => (
            Key::FSegmentsDeleted,
            vec![
                s(broker),
                tp(topic_partition),
                s(segments),
                s(log_start_offset),
            ],
        ),
        Fact::LogCompacted {
            topic_partition,
            broker,
            records_removed,
        } => (
            Key::FLogCompacted,
            vec![s(broker), tp(topic_partition), s(records_removed)],
        ),
        Fact::MessageDropped {
            from,
            to,
            kind,
            reason,
        } => (
            match reason {
                DropReason::LinkCut => Key::FMessageDroppedCut,
                DropReason::Lost => Key::FMessageDroppedLost,
            },
            vec![kind.to_string(), node(lang, from), node(lang, to)],
        ),
        Fact::LinkCut { from, to } => (Key::FLinkCut, vec![node(lang, from), node(lang, to)]),
        Fact::LinkHealed { from, to } => (Key::FLinkHealed, vec![node(lang, from), node(lang, to)]),
        Fact::NodeSlowed { node: n, extra_ms } => {
            (Key::FNodeSlowed, vec![node(lang, n), s(extra_ms)])
        }
        Fact::CoordinatorLoaded {
            broker,
            offsets_partition,
            leader_epoch,
            groups,
            offsets,
        } => (
            Key::FCoordinatorLoaded,
            vec![
                s(broker),
                s(offsets_partition),
                s(leader_epoch),
                s(groups),
                s(offsets),
            ],
        ),
        Fact::CoordinatorUnloaded {
            broker,
            offsets_partition,
            groups,
        } => (
            Key::FCoordinatorUnloaded,
            vec![s(broker), s(offsets_partition), s(groups)],
        ),
        Fact::MemberJoined {
            group,
            member_id,
            group_instance_id,
            coordinator,
        } => (
            Key::FMemberJoined,
            vec![
                member_id.clone(),
                group.clone(),
                s(coordinator),
                group_instance_id.clone().unwrap_or("-".into()),
            ],
        ),
        Fact::StaticMemberReplaced {
            group,
            group_instance_id,
            old_member_id,
            new_member_id,
            rebalance,
        } => (
            Key::FStaticMemberReplaced,
            vec![
                group_instance_id.clone(),
                group.clone(),
                old_member_id.clone(),
                new_member_id.clone(),
                yes_no(lang, *rebalance).into(),
            ],
        ),
        Fact::MemberRemoved {
            group,
            member_id,
            reason,
        } => (
            Key::FMemberRemoved,
            vec![
                member_id.clone(),
                group.clone(),
                removal_reason(lang, *reason).into(),
            ],
        ),
        Fact::RebalanceStarted {
            group,
            generation_id,
            reason,
        } => (
            Key::FRebalanceStarted,
            vec![
                group.clone(),
                s(generation_id),
                rebalance_reason(lang, *reason).into(),
            ],
        ),
        Fact::JoinCompleted {
            group,
            generation_id,
            protocol_name,
            leader,
            members,
        } => (
            Key::FJoinCompleted,
            vec![
                group.clone(),
                s(generation_id),
                s(&members.len()),
                leader.clone(),
                protocol_name.clone().unwrap_or("-".into()),
            ],
        ),
        Fact::GenerationStable {
            group,
            generation_id,
            assignment,
        } => {
            let list = assignment
                .iter()
                .map(|(m, p)| format!("{m}: {}", tps(p)))
                .collect::<Vec<_>>()
                .join("; ");
            (
                Key::FGenerationStable,
                vec![group.clone(), s(generation_id), list],
            )
        }
        Fact::OffsetsCommitted {
            group,
            member_id,
            generation_id,
            offsets,
        } => {
            let list = offsets_list(offsets);
            (
                Key::FOffsetsCommitted,
                vec![group.clone(), list, member_id.clone(), s(generation_id)],
            )
        }
        Fact::GroupRequestRejected {
            group,
            member_id,
            request,
            error,
        } => (
            Key::FGroupRequestRejected,
            vec![
                request.to_string(),
                member_id.clone(),
                group.clone(),
                error.name().into(),
            ],
        ),
        Fact::ConsumerStarted {
            consumer: c,
            client: _,
            group,
            group_instance_id,
        } => (
            Key::FConsumerStarted,
            vec![
                consumer(lang, *c),
                group.clone(),
                group_instance_id.clone().unwrap_or("-".into()),
            ],
        ),
        Fact::ConsumerCrashed {
            consumer: c,
            in_flight_records,
            processed_before_crash,
        } => (
            Key::FConsumerCrashed,
            vec![
                consumer(lang, *c),
                s(in_flight_records),
                s(processed_before_crash),
            ],
        ),
        Fact::ConsumerClosed { consumer: c } => (Key::FConsumerClosed, vec![consumer(lang, *c)]),
        Fact::CoordinatorFound {
            consumer: c,
            group,
            coordinator,
        } => (
            Key::FCoordinatorFound,
            vec![consumer(lang, *c), group.clone(), s(coordinator)],
        ),
        Fact::PartitionsRevoked {
            consumer: c,
            group,
            partitions,
        } => (
            Key::FPartitionsRevoked,
            vec![consumer(lang, *c), tps(partitions), group.clone()],
        ),
        Fact::PartitionsAssigned {
            consumer: c,
            group,
            generation_id,
            partitions,
        } => (
            Key::FPartitionsAssigned,
            vec![
                consumer(lang, *c),
                tps(partitions),
                group.clone(),
                s(generation_id),
            ],
        ),
        Fact::PartitionsLost {
            consumer: c,
            group,
            partitions,
            error,
        } => (
            Key::FPartitionsLost,
            vec![
                consumer(lang, *c),
                tps(partitions),
                group.clone(),
                error.name().into(),
            ],
        ),
        Fact::PositionSet {
            consumer: c,
            topic_partition,
            offset,
            source,
        } => (
            Key::FPositionSet,
            vec![
                consumer(lang, *c),
                tp(topic_partition),
                s(offset),
                position_source(lang, *source).into(),
            ],
        ),
        Fact::NoOffsetForPartition {
            consumer: c,
            topic_partition,
        } => (
            Key::FNoOffset,
            vec![consumer(lang, *c), tp(topic_partition)],
        ),
        Fact::ConsumerPolled {
            consumer: c,
            records,
            partitions,
        } => (
            Key::FConsumerPolled,
            vec![consumer(lang, *c), s(records), tps(partitions)],
        ),
        Fact::RecordsProcessed {
            consumer: c,
            group: _,
            topic_partition,
            first_offset,
            last_offset,
            count,
        } => (
            Key::FRecordsProcessed,
            vec![
                consumer(lang, *c),
                s(count),
                tp(topic_partition),
                s(first_offset),
                s(last_offset),
            ],
        ),
        Fact::DuplicatesProcessed {
            consumer: c,
            group,
            topic_partition,
            first_offset,
            last_offset,
            count,
        } => (
            Key::FDuplicatesProcessed,
            vec![
                consumer(lang, *c),
                s(count),
                tp(topic_partition),
                s(first_offset),
                s(last_offset),
                group.clone(),
            ],
        ),
        Fact::RecordsSkipped {
            consumer: c,
            group,
            topic_partition,
            from_offset,
            to_offset,
        } => (
            Key::FRecordsSkipped,
            vec![
                group.clone(),
                tp(topic_partition),
                s(from_offset),
                s(to_offset),
                consumer(lang, *c),
            ],
        ),
        Fact::CommitSent {
            consumer: c,
            group,
            offsets,
            sync,
        } => {
            let list = offsets_list(offsets);
            let mode = if *sync { "commitSync" } else { "commitAsync" };
            (
                Key::FCommitSent,
                vec![consumer(lang, *c), mode.into(), list, group.clone()],
            )
        }
        Fact::CommitFailed {
            consumer: c,
            group,
            error,
        } => (
            Key::FCommitFailed,
            vec![consumer(lang, *c), group.clone(), error.name().into()],
        ),
        Fact::PollIntervalExceeded {
            consumer: c,
            group,
            max_poll_interval_ms,
        } => (
            Key::FPollIntervalExceeded,
            vec![consumer(lang, *c), s(max_poll_interval_ms), group.clone()],
        ),
        Fact::RequestTimedOut {
            consumer: c,
            broker,
            request,
            timeout_ms,
        } => (
            Key::FRequestTimedOut,
            vec![consumer(lang, *c), request.clone(), s(timeout_ms), s(broker)],
        ),
        Fact::RejoinRequested {
            consumer: c,
            group,
            error,
        } => (
            Key::FRejoinRequested,
            vec![consumer(lang, *c), group.clone(), error.name().into()],
        ),
    };
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    fill(t(lang, key), &refs)
}

/// A line of the feed: consecutive facts that say the same thing, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedLine<'a> {
    /// The facts of the line, newest first (at least one).
    pub facts: Vec<&'a TimedFact>,
}

impl FeedLine<'_> {
    pub fn newest(&self) -> &TimedFact {
        self.facts[0]
    }

    pub fn oldest(&self) -> &TimedFact {
        self.facts[self.facts.len() - 1]
    }

    pub fn count(&self) -> usize {
        self.facts.len()
    }

    /// The sentence: a fact's own, or for retries of one send the range of attempts.
    pub fn sentence(&self, lang: Lang) -> String {
        let attempts = |f: &TimedFact| match f.fact {
            Fact::ProduceFailed { attempt, .. } => Some(attempt),
            _ => None,
        };
        let newest = self.newest();
        if let (
            Fact::ProduceFailed {
                producer: p,
                topic_partition,
                error,
                will_retry,
                ..
            },
            true,
        ) = (&newest.fact, self.count() > 1)
        {
            let all: Vec<u32> = self.facts.iter().filter_map(|f| attempts(f)).collect();
            let (lo, hi) = (all.iter().min(), all.iter().max());
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if lo != hi {
                    return fill(
                        t(lang, Key::FProduceFailedAttempts),
                        &[
                            &producer(lang, *p),
                            &tp(topic_partition),
                            error.name(),
                            &lo.to_string(),
                            &hi.to_string(),
                            yes_no(lang, *will_retry),
                        ],
                    );
                }
            }
        }
        sentence(lang, &newest.fact)
    }
}

/// Whether two facts make one line of the feed: the same fact, or the same send failing again
/// with the same error (only the attempt number differs).
pub fn same_line(a: &Fact, b: &Fact) -> bool {
    match (a, b) {
        (
            Fact::ProduceFailed {
                producer: p1,
                topic_partition: tp1,
                error: e1,
                will_retry: r1,
                ..
            },
            Fact::ProduceFailed {
                producer: p2,
                topic_partition: tp2,
                error: e2,
                will_retry: r2,
                ..
            },
        ) => p1 == p2 && tp1 == tp2 && e1 == e2 && r1 == r2,
        _ => a == b,
    }
}

/// The feed's lines from `facts` given newest first: consecutive repeats collapse into one
/// line (shown with ×N). At most `max` lines.
pub fn feed_lines<'a>(facts: impl Iterator<Item = &'a TimedFact>, max: usize) -> Vec<FeedLine<'a>> {
    let mut lines: Vec<FeedLine<'a>> = Vec::new();
    for fact in facts {
        match lines.last_mut() {
            Some(line) if same_line(&line.newest().fact, &fact.fact) => line.facts.push(fact),
            _ => {
                if lines.len() == max {
                    break;
                }
                lines.push(FeedLine { facts: vec![fact] });
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Preset, Setup, Sim, UserAction};
    use kafkalab_engine::protocol::ErrorCode;

    fn failed(index: u64, attempt: u32, partition: i32) -> TimedFact {
        TimedFact {
            at_ms: 100 + index,
            index,
            fact: Fact::ProduceFailed {
                producer: 1,
                topic_partition: TopicPartition {
                    topic: "orders".into(),
                    partition,
                },
                error: ErrorCode::NetworkException,
                attempt,
                will_retry: true,
            },
        }
    }

    #[test]
    fn consecutive_retries_of_one_send_collapse_into_one_line() {
        let other = TimedFact {
            at_ms: 90,
            index: 0,
            fact: Fact::BrokerStopped { broker: 1 },
        };
        // Newest first, as the feed reads them.
        let facts = [
            failed(7, 5, 2),
            failed(6, 4, 2),
            failed(5, 1, 2),
            failed(4, 3, 0),
            other.clone(),
            other.clone(),
            failed(2, 2, 2),
        ];
        let lines = feed_lines(facts.iter(), 60);
        let counts: Vec<usize> = lines.iter().map(FeedLine::count).collect();
        assert_eq!(counts, vec![3, 1, 2, 1]);
        assert_eq!(lines[0].newest().index, 7);
        assert_eq!(lines[0].oldest().index, 5);
        assert_eq!(
            lines[0].sentence(Lang::En),
            "producer 1: send to orders-2 failed with NETWORK_EXCEPTION (attempts 1–5, will retry: yes)."
        );
        assert!(lines[0].sentence(Lang::Ko).contains("1–5"));
        assert_eq!(lines[1].sentence(Lang::En), sentence(Lang::En, &facts[3].fact));
        assert_eq!(lines[2].sentence(Lang::En), sentence(Lang::En, &other.fact));
        assert_eq!(feed_lines(facts.iter(), 2).len(), 2);
    }

    #[test]
    fn every_fact_of_a_faulty_run_has_a_sentence_in_both_languages() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 11)).unwrap();
        sim.seek(4_000);
        sim.apply(UserAction::KillController).unwrap();
        let consumer = sim.world().view().consumers[0].id;
        sim.apply(UserAction::CrashConsumer { consumer }).unwrap();
        sim.apply(UserAction::CutLink {
            a: "broker-2".into(),
            b: "broker-3".into(),

            one_way: false,
        })
        .unwrap();
        sim.seek(30_000);
        let mut seen = 0;
        for f in sim.world().facts() {
            for lang in Lang::ALL {
                let text = sentence(lang, &f.fact);
                assert!(!text.contains('{'), "unfilled placeholder in {text}");
                assert!(text.len() > 8, "{text}");
            }
            seen += 1;
        }
        assert!(seen > 50);
    }

    #[test]
    fn leader_election_reads_like_the_issue() {
        let fact = Fact::LeaderElected {
            topic_partition: TopicPartition {
                topic: "orders".into(),
                partition: 1,
            },
            leader: 3,
            previous_leader: 2,
            leader_epoch: 5,
            isr: vec![1, 3],
            unclean: false,
        };
        let en = sentence(Lang::En, &fact);
        assert!(
            en.contains("broker 3") && en.contains("orders-1") && en.contains("epoch 5"),
            "{en}"
        );
        assert!(sentence(Lang::Ko, &fact).contains("orders-1"));
    }
}
