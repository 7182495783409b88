//! Narration: every engine [`Fact`] as a plain-language sentence, in Korean and English, through
//! the typed catalogue ([`Key`] templates filled with the fact's values as text).

use std::collections::{BTreeMap, BTreeSet};

use kafkalab_engine::cluster::TimedFact;
use kafkalab_engine::narration::{Fact, PositionSource, RebalanceReason, RemovalReason};
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::network::DropReason;
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::View;

use crate::i18n::{counted, fill, t, Key, Lang};

/// What a sentence needs beyond its fact: clients by the names the scenario gives them
/// (billing-1, checkout) rather than by engine number, and which groups rebalance
/// cooperatively (there an empty assignment means "nothing new"; in an eager group, "idle").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roster {
    producers: BTreeMap<u32, String>,
    consumers: BTreeMap<u32, String>,
    /// Client nodes (`NodeId::Client`) by node number: producers and consumers alike.
    clients: BTreeMap<u32, String>,
    cooperative_groups: BTreeSet<String>,
}

impl Roster {
    pub fn from_view(view: &View) -> Roster {
        let mut roster = Roster::default();
        for p in &view.producers {
            roster.producers.insert(p.id, p.name.clone());
            roster.clients.insert(p.id, p.name.clone());
        }
        for c in &view.consumers {
            roster.consumers.insert(c.id, c.name.clone());
            if let NodeId::Client(node) = c.client {
                roster.clients.insert(node, c.name.clone());
            }
        }
        roster.cooperative_groups = view
            .groups
            .iter()
            .filter(|g| g.protocol_name.as_deref().is_some_and(|a| a.starts_with("cooperative")))
            .map(|g| g.group_id.clone())
            .collect();
        roster
    }
}

/// How many characters of a member id are shown: enough for the client id and the start of the
/// UUID Kafka appends (`billing-1-54…`); the full id goes in a tooltip.
const MEMBER_ID_SHOWN: usize = 12;

/// A member id shortened for reading: its first characters, then "…".
pub fn short_member_id(id: &str) -> String {
    match id.char_indices().nth(MEMBER_ID_SHOWN) {
        Some((cut, _)) => format!("{}…", &id[..cut]),
        None => id.to_string(),
    }
}

/// The full member ids a fact names, which its sentence shortens: the feed shows them on hover.
pub fn member_ids(fact: &Fact) -> Vec<&str> {
    match fact {
        Fact::MemberJoined { member_id, .. }
        | Fact::MemberRemoved { member_id, .. }
        | Fact::OffsetsCommitted { member_id, .. }
        | Fact::GroupRequestRejected { member_id, .. } => vec![member_id],
        Fact::StaticMemberReplaced { old_member_id, new_member_id, .. } => vec![old_member_id, new_member_id],
        Fact::JoinCompleted { leader, .. } => vec![leader],
        Fact::GenerationStable { assignment, .. } => assignment.iter().map(|(m, _)| m.as_str()).collect(),
        _ => Vec::new(),
    }
}

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

fn tps(lang: Lang, list: &[TopicPartition]) -> String {
    if list.is_empty() {
        return t(lang, Key::NoPartitions).into();
    }
    list.iter().map(tp).collect::<Vec<_>>().join(", ")
}

/// Committed positions as `topic-partition@offset, ...`.
fn offsets_list(offsets: &[(TopicPartition, i64)]) -> String {
    offsets.iter().map(|(p, o)| format!("{}@{o}", tp(p))).collect::<Vec<_>>().join(", ")
}

fn ids(list: &[i32]) -> String {
    format!("[{}]", list.iter().map(i32::to_string).collect::<Vec<_>>().join(", "))
}

/// A node as the UI calls it: `브로커 2`, or a client's configured name.
fn node(lang: Lang, roster: &Roster, n: &NodeId) -> String {
    match n {
        NodeId::Broker(b) => fill(t(lang, Key::BrokerName), &[&b.to_string()]),
        NodeId::Client(c) => {
            roster.clients.get(c).cloned().unwrap_or_else(|| fill(t(lang, Key::ClientName), &[&c.to_string()]))
        }
    }
}

/// `컨슈머 billing-1`; the engine's number only for a consumer the roster does not know.
fn consumer(lang: Lang, roster: &Roster, c: u32) -> String {
    let name = roster.consumers.get(&c).cloned().unwrap_or(c.to_string());
    fill(t(lang, Key::ConsumerName), &[&name])
}

/// `프로듀서 checkout`; the engine's number only for a producer the roster does not know.
fn producer(lang: Lang, roster: &Roster, p: u32) -> String {
    let name = roster.producers.get(&p).cloned().unwrap_or(p.to_string());
    fill(t(lang, Key::ProducerName), &[&name])
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

fn retry(lang: Lang, will_retry: bool) -> &'static str {
    t(lang, if will_retry { Key::RetryPlanned } else { Key::RetryAbandoned })
}

/// The sentence for `fact` in `lang`, naming clients from `roster`.
pub fn sentence(lang: Lang, roster: &Roster, fact: &Fact) -> String {
    let s = |v: &dyn ToString| v.to_string();
    let n = |key: Key, count: usize| counted(lang, key, count as u64);
    let consumer = |c: &u32| consumer(lang, roster, *c);
    let producer = |p: &u32| producer(lang, roster, *p);
    let node = |n: &NodeId| node(lang, roster, n);
    let tps = |list: &[TopicPartition]| tps(lang, list);
    let member = |m: &String| short_member_id(m);
    let (key, args): (Key, Vec<String>) = match fact {
        Fact::BrokerStarted { broker } => (Key::FBrokerStarted, vec![s(broker)]),
        Fact::BrokerStopped { broker } => (Key::FBrokerStopped, vec![s(broker)]),
        Fact::TopicCreated { topic, partitions, replication_factor } => (
            Key::FTopicCreated,
            vec![topic.clone(), n(Key::CountPartitions, *partitions as usize), s(replication_factor)],
        ),
        Fact::LeaderElected { topic_partition, leader, previous_leader, leader_epoch, isr, unclean } => {
            if *leader < 0 {
                (Key::FPartitionOffline, vec![tp(topic_partition), s(previous_leader)])
            } else if *unclean {
                (Key::FLeaderElectedUnclean, vec![tp(topic_partition), s(leader), s(leader_epoch), ids(isr)])
            } else if *previous_leader < 0 {
                (Key::FLeaderElectedFirst, vec![tp(topic_partition), s(leader), s(leader_epoch), ids(isr)])
            } else {
                (
                    Key::FLeaderElected,
                    vec![tp(topic_partition), s(leader), s(leader_epoch), ids(isr), s(previous_leader)],
                )
            }
        }
        Fact::IsrChanged { topic_partition, isr, removed, added } => {
            if !removed.is_empty() {
                (Key::FIsrShrunk, vec![tp(topic_partition), ids(removed), ids(isr)])
            } else {
                (Key::FIsrExpanded, vec![tp(topic_partition), ids(added), ids(isr)])
            }
        }
        Fact::ControllerElected { broker, epoch } => (Key::FControllerElected, vec![s(broker), s(epoch)]),
        Fact::ControllerResigned { broker, epoch } => (Key::FControllerResigned, vec![s(broker), s(epoch)]),
        Fact::BrokerRegistered { broker, broker_epoch } => (Key::FBrokerRegistered, vec![s(broker), s(broker_epoch)]),
        Fact::BrokerFenced { broker, controller } => (Key::FBrokerFenced, vec![s(broker), s(controller)]),
        Fact::BrokerUnfenced { broker, controller } => (Key::FBrokerUnfenced, vec![s(broker), s(controller)]),
        Fact::LogTruncated { topic_partition, broker, from_offset, to_offset, leader_epoch } => {
            (Key::FLogTruncated, vec![s(broker), tp(topic_partition), s(from_offset), s(to_offset), s(leader_epoch)])
        }
        Fact::NodeIsolated { node: n } => (Key::FNodeIsolated, vec![node(n)]),
        Fact::ProducerStarted { producer: _, name } => {
            (Key::FProducerStarted, vec![fill(t(lang, Key::ProducerName), &[name])])
        }
        Fact::ProducerIdAssigned { producer: p, producer_id, producer_epoch } => {
            (Key::FProducerIdAssigned, vec![producer(p), s(producer_id), s(producer_epoch)])
        }
        Fact::MetadataUpdated { client, partitions } => {
            (Key::FMetadataUpdated, vec![producer(client), n(Key::CountPartitions, *partitions)])
        }
        Fact::BatchAppended { topic_partition, broker, base_offset, last_offset, leader_epoch } => {
            (Key::FBatchAppended, vec![s(broker), tp(topic_partition), s(base_offset), s(last_offset), s(leader_epoch)])
        }
        Fact::DuplicateBatch { topic_partition, broker, producer_id, base_sequence, base_offset } => (
            Key::FDuplicateBatch,
            vec![s(broker), tp(topic_partition), s(producer_id), s(base_sequence), s(base_offset)],
        ),
        Fact::ProduceAcked { producer: p, topic_partition, base_offset, records } => {
            (Key::FProduceAcked, vec![producer(p), n(Key::CountRecords, *records), tp(topic_partition), s(base_offset)])
        }
        Fact::ProduceFailed { producer: p, topic_partition, error, attempt, will_retry } => (
            Key::FProduceFailed,
            vec![producer(p), tp(topic_partition), error.name().into(), s(attempt), retry(lang, *will_retry).into()],
        ),
        Fact::HighWatermarkAdvanced { topic_partition, broker, high_watermark } => {
            (Key::FHighWatermark, vec![tp(topic_partition), s(high_watermark), s(broker)])
        }
        Fact::SegmentRolled { topic_partition, broker, base_offset } => {
            (Key::FSegmentRolled, vec![s(broker), tp(topic_partition), s(base_offset)])
        }
        Fact::SegmentsDeleted { topic_partition, broker, segments, log_start_offset } => (
            Key::FSegmentsDeleted,
            vec![s(broker), tp(topic_partition), n(Key::CountSegments, *segments), s(log_start_offset)],
        ),
        Fact::LogCompacted { topic_partition, broker, records_removed } => (
            Key::FLogCompacted,
            vec![s(broker), tp(topic_partition), counted(lang, Key::CountRecords, *records_removed)],
        ),
        Fact::MessageDropped { from, to, kind, reason } => (
            match reason {
                DropReason::LinkCut => Key::FMessageDroppedCut,
                DropReason::Lost => Key::FMessageDroppedLost,
            },
            vec![kind.to_string(), node(from), node(to)],
        ),
        Fact::MessageMisrouted { from, to, kind } => {
            (Key::FMessageMisrouted, vec![kind.to_string(), node(from), node(to)])
        }
        Fact::LinkCut { from, to } => (Key::FLinkCut, vec![node(from), node(to)]),
        Fact::LinkHealed { from, to } => (Key::FLinkHealed, vec![node(from), node(to)]),
        Fact::NodeSlowed { node: n, extra_ms } => (Key::FNodeSlowed, vec![node(n), s(extra_ms)]),
        Fact::CoordinatorLoaded { broker, offsets_partition, leader_epoch, groups, offsets } => (
            Key::FCoordinatorLoaded,
            vec![
                s(broker),
                s(offsets_partition),
                s(leader_epoch),
                n(Key::CountGroups, *groups),
                n(Key::CountOffsets, *offsets),
            ],
        ),
        Fact::CoordinatorUnloaded { broker, offsets_partition, groups } => {
            (Key::FCoordinatorUnloaded, vec![s(broker), s(offsets_partition), n(Key::CountGroups, *groups)])
        }
        Fact::MemberJoined { group, member_id, group_instance_id, coordinator } => (
            Key::FMemberJoined,
            vec![member(member_id), group.clone(), s(coordinator), group_instance_id.clone().unwrap_or("-".into())],
        ),
        Fact::StaticMemberReplaced { group, group_instance_id, old_member_id, new_member_id, rebalance } => (
            Key::FStaticMemberReplaced,
            vec![
                group_instance_id.clone(),
                group.clone(),
                member(old_member_id),
                member(new_member_id),
                yes_no(lang, *rebalance).into(),
            ],
        ),
        Fact::MemberRemoved { group, member_id, reason } => {
            (Key::FMemberRemoved, vec![member(member_id), group.clone(), removal_reason(lang, *reason).into()])
        }
        Fact::RebalanceStarted { group, generation_id, reason } => {
            (Key::FRebalanceStarted, vec![group.clone(), s(generation_id), rebalance_reason(lang, *reason).into()])
        }
        Fact::JoinCompleted { group, generation_id, protocol_name, leader, members } => (
            Key::FJoinCompleted,
            vec![
                group.clone(),
                s(generation_id),
                n(Key::CountMembers, members.len()),
                member(leader),
                protocol_name.clone().unwrap_or("-".into()),
            ],
        ),
        Fact::GenerationStable { group, generation_id, assignment } => {
            let list = assignment
                .iter()
                .map(|(m, p)| {
                    let list = if p.is_empty() { t(lang, Key::NoPartitionsIdle).to_string() } else { tps(p) };
                    format!("{}: {list}", member(m))
                })
                .collect::<Vec<_>>()
                .join("; ");
            (Key::FGenerationStable, vec![group.clone(), s(generation_id), list])
        }
        Fact::OffsetsCommitted { group, member_id, generation_id, offsets } => {
            let list = offsets_list(offsets);
            (Key::FOffsetsCommitted, vec![group.clone(), list, member(member_id), s(generation_id)])
        }
        Fact::GroupRequestRejected { group, member_id, request, error } => (
            Key::FGroupRequestRejected,
            vec![request.to_string(), member(member_id), group.clone(), error.name().into()],
        ),
        Fact::ConsumerStarted { consumer: c, client: _, group, group_instance_id } => {
            (Key::FConsumerStarted, vec![consumer(c), group.clone(), group_instance_id.clone().unwrap_or("-".into())])
        }
        Fact::ConsumerCrashed { consumer: c, in_flight_records, processed_before_crash } => (
            Key::FConsumerCrashed,
            vec![consumer(c), n(Key::CountRecords, *in_flight_records), n(Key::CountRecords, *processed_before_crash)],
        ),
        Fact::ConsumerClosed { consumer: c } => (Key::FConsumerClosed, vec![consumer(c)]),
        Fact::CoordinatorFound { consumer: c, group, coordinator } => {
            (Key::FCoordinatorFound, vec![consumer(c), group.clone(), s(coordinator)])
        }
        Fact::PartitionsRevoked { consumer: c, group, partitions } => {
            (Key::FPartitionsRevoked, vec![consumer(c), tps(partitions), group.clone()])
        }
        Fact::PartitionsAssigned { consumer: c, group, generation_id, partitions } if partitions.is_empty() => (
            if roster.cooperative_groups.contains(group) {
                Key::FPartitionsAssignedNone
            } else {
                Key::FPartitionsAssignedIdle
            },
            vec![consumer(c), group.clone(), s(generation_id)],
        ),
        Fact::PartitionsAssigned { consumer: c, group, generation_id, partitions } => {
            (Key::FPartitionsAssigned, vec![consumer(c), tps(partitions), group.clone(), s(generation_id)])
        }
        Fact::PartitionsLost { consumer: c, group, partitions, error } => {
            (Key::FPartitionsLost, vec![consumer(c), tps(partitions), group.clone(), error.name().into()])
        }
        Fact::PositionSet { consumer: c, topic_partition, offset, source } => (
            Key::FPositionSet,
            vec![consumer(c), tp(topic_partition), s(offset), position_source(lang, *source).into()],
        ),
        Fact::NoOffsetForPartition { consumer: c, topic_partition } => {
            (Key::FNoOffset, vec![consumer(c), tp(topic_partition)])
        }
        Fact::ConsumerPolled { consumer: c, records, partitions } => {
            (Key::FConsumerPolled, vec![consumer(c), n(Key::CountRecords, *records), tps(partitions)])
        }
        Fact::RecordsProcessed { consumer: c, group: _, topic_partition, first_offset, last_offset, count } => (
            Key::FRecordsProcessed,
            vec![consumer(c), n(Key::CountRecords, *count), tp(topic_partition), s(first_offset), s(last_offset)],
        ),
        Fact::DuplicatesProcessed { consumer: c, group, topic_partition, first_offset, last_offset, count } => (
            Key::FDuplicatesProcessed,
            vec![
                consumer(c),
                n(Key::CountRecords, *count),
                tp(topic_partition),
                s(first_offset),
                s(last_offset),
                group.clone(),
            ],
        ),
        Fact::RecordsSkipped { consumer: c, group, topic_partition, from_offset, to_offset } => {
            (Key::FRecordsSkipped, vec![group.clone(), tp(topic_partition), s(from_offset), s(to_offset), consumer(c)])
        }
        Fact::CommitSent { consumer: c, group, offsets, sync } => {
            let list = offsets_list(offsets);
            let mode = if *sync { "commitSync" } else { "commitAsync" };
            (Key::FCommitSent, vec![consumer(c), mode.into(), list, group.clone()])
        }
        Fact::CommitFailed { consumer: c, group, error } => {
            (Key::FCommitFailed, vec![consumer(c), group.clone(), error.name().into()])
        }
        Fact::PollIntervalExceeded { consumer: c, group, max_poll_interval_ms } => {
            (Key::FPollIntervalExceeded, vec![consumer(c), s(max_poll_interval_ms), group.clone()])
        }
        Fact::RequestTimedOut { consumer: c, broker, request, timeout_ms } => {
            (Key::FRequestTimedOut, vec![consumer(c), request.clone(), s(timeout_ms), s(broker)])
        }
        Fact::RejoinRequested { consumer: c, group, error } => {
            (Key::FRejoinRequested, vec![consumer(c), group.clone(), error.name().into()])
        }
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
    pub fn sentence(&self, lang: Lang, roster: &Roster) -> String {
        let attempts = |f: &TimedFact| match f.fact {
            Fact::ProduceFailed { attempt, .. } => Some(attempt),
            _ => None,
        };
        let newest = self.newest();
        if let (Fact::ProduceFailed { producer: p, topic_partition, error, will_retry, .. }, true) =
            (&newest.fact, self.count() > 1)
        {
            let all: Vec<u32> = self.facts.iter().filter_map(|f| attempts(f)).collect();
            let (lo, hi) = (all.iter().min(), all.iter().max());
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if lo != hi {
                    return fill(
                        t(lang, Key::FProduceFailedAttempts),
                        &[
                            &producer(lang, roster, *p),
                            &tp(topic_partition),
                            error.name(),
                            &lo.to_string(),
                            &hi.to_string(),
                            retry(lang, *will_retry),
                        ],
                    );
                }
            }
        }
        sentence(lang, roster, &newest.fact)
    }
}

/// Whether two facts make one line of the feed: the same fact, or the same send failing again
/// with the same error (only the attempt number differs).
pub fn same_line(a: &Fact, b: &Fact) -> bool {
    match (a, b) {
        (
            Fact::ProduceFailed { producer: p1, topic_partition: tp1, error: e1, will_retry: r1, .. },
            Fact::ProduceFailed { producer: p2, topic_partition: tp2, error: e2, will_retry: r2, .. },
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
    use std::collections::{BTreeMap, BTreeSet};

    fn failed(index: u64, attempt: u32, partition: i32) -> TimedFact {
        TimedFact {
            at_ms: 100 + index,
            index,
            fact: Fact::ProduceFailed {
                producer: 1,
                topic_partition: TopicPartition { topic: "orders".into(), partition },
                error: ErrorCode::NetworkException,
                attempt,
                will_retry: true,
            },
        }
    }

    #[test]
    fn consecutive_retries_of_one_send_collapse_into_one_line() {
        let other = TimedFact { at_ms: 90, index: 0, fact: Fact::BrokerStopped { broker: 1 } };
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
            lines[0].sentence(Lang::En, &roster()),
            "producer checkout: send to orders-2 failed with NETWORK_EXCEPTION (attempts 1–5, will retry)."
        );
        assert_eq!(
            lines[0].sentence(Lang::Ko, &roster()),
            "프로듀서 checkout: orders-2로 보내기 실패 NETWORK_EXCEPTION (시도 1–5, 재시도 예정)."
        );
        let none = Roster::default();
        assert_eq!(lines[1].sentence(Lang::En, &none), sentence(Lang::En, &none, &facts[3].fact));
        assert_eq!(lines[2].sentence(Lang::En, &none), sentence(Lang::En, &none, &other.fact));
        assert_eq!(feed_lines(facts.iter(), 2).len(), 2);
    }

    #[test]
    fn every_fact_of_a_faulty_run_has_a_sentence_in_both_languages() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 11)).unwrap();
        sim.seek(4_000);
        sim.apply(UserAction::KillController).unwrap();
        let consumer = sim.world().view().consumers[0].id;
        sim.apply(UserAction::CrashConsumer { consumer }).unwrap();
        sim.apply(UserAction::CutLink { a: "broker-2".into(), b: "broker-3".into(), one_way: false }).unwrap();
        sim.seek(30_000);
        let roster = Roster::from_view(&sim.world().view());
        let mut seen = 0;
        for f in sim.world().facts() {
            for lang in Lang::ALL {
                let text = sentence(lang, &roster, &f.fact);
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

    /// The scenarios' client names: producer 1 `checkout`, consumers 2 `billing-1` and 3
    /// `worker-1` (client nodes 12 and 13); group `workers` is cooperative.
    fn roster() -> Roster {
        let names =
            |list: &[(u32, &str)]| list.iter().map(|&(id, name)| (id, name.to_string())).collect::<BTreeMap<_, _>>();
        Roster {
            producers: names(&[(1, "checkout")]),
            consumers: names(&[(2, "billing-1"), (3, "worker-1")]),
            clients: names(&[(1, "checkout"), (12, "billing-1"), (13, "worker-1")]),
            cooperative_groups: ["workers".to_string()].into(),
        }
    }

    /// One fact of every kind (and every sentence a kind has), with `topic`, the number `n` in
    /// every numeric field and the client numbers of [`roster`].
    fn every_fact(topic: &str, n: i64) -> Vec<Fact> {
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
        let assigned = |group: &str, partitions: Vec<TopicPartition>| Fact::PartitionsAssigned {
            consumer: 2,
            group: group.into(),
            generation_id: i,
            partitions,
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
            Fact::LogTruncated {
                topic_partition: tp.clone(),
                broker: i,
                from_offset: n,
                to_offset: n,
                leader_epoch: i,
            },
            Fact::NodeIsolated { node: broker },
            Fact::NodeIsolated { node: client },
            Fact::ProducerStarted { producer: 1, name: "checkout".into() },
            Fact::ProducerIdAssigned { producer: 1, producer_id: n, producer_epoch: i as i16 },
            Fact::MetadataUpdated { client: 1, partitions: z },
            Fact::BatchAppended {
                topic_partition: tp.clone(),
                broker: i,
                base_offset: n,
                last_offset: n,
                leader_epoch: i,
            },
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
            Fact::MessageMisrouted { from: client, to: broker, kind: "ProduceResponse" },
            Fact::LinkCut { from: broker, to: client },
            Fact::LinkHealed { from: client, to: broker },
            Fact::NodeSlowed { node: client, extra_ms: u },
            Fact::CoordinatorLoaded { broker: i, offsets_partition: i, leader_epoch: i, groups: z, offsets: z },
            Fact::CoordinatorUnloaded { broker: i, offsets_partition: i, groups: z },
            Fact::MemberJoined {
                group: group.clone(),
                member_id: member.clone(),
                group_instance_id: None,
                coordinator: i,
            },
            Fact::StaticMemberReplaced {
                group: group.clone(),
                group_instance_id: "billing-1".into(),
                old_member_id: member.clone(),
                new_member_id: member.clone(),
                rebalance: n % 2 == 0,
            },
            Fact::MemberRemoved {
                group: group.clone(),
                member_id: member.clone(),
                reason: RemovalReason::SessionTimeout,
            },
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
            assigned("workers", tps.clone()),
            assigned("workers", vec![]),
            assigned(topic, vec![]),
            Fact::PartitionsLost { consumer: 2, group: group.clone(), partitions: tps.clone(), error },
            Fact::PositionSet {
                consumer: 2,
                topic_partition: tp.clone(),
                offset: n,
                source: PositionSource::Committed,
            },
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
        ]
    }

    /// Every kind of fact appears in [`every_fact`]: this match has no wildcard, so a new kind
    /// does not compile until it is added here, and the test below fails until it is added there.
    fn kind(fact: &Fact) -> &'static str {
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
            Fact::MessageMisrouted { .. } => "MessageMisrouted",
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
        }
    }

    const TOPICS: [&str; 5] = ["orders", "metrics", "events", "billing-1", "__consumer_offsets"];
    const NUMBERS: [i64; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 1000];

    #[test]
    fn every_fact_kind_reads_in_korean_without_particle_placeholders() {
        let kinds: BTreeSet<&str> = every_fact("orders", 1).iter().map(kind).collect();
        assert_eq!(kinds.len(), 56, "a fact kind is missing from every_fact: {kinds:?}");
        for topic in TOPICS {
            for n in NUMBERS.into_iter().chain([-1]) {
                for fact in every_fact(topic, n) {
                    let ko = sentence(Lang::Ko, &roster(), &fact);
                    for marker in ["(가)", "(를)", "(으)", "(이)", "(은)", "(는)", "(과)", "(와)", "{"] {
                        assert!(!ko.contains(marker), "{marker} in {ko}");
                    }
                    let en = sentence(Lang::En, &roster(), &fact);
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
        assert!(ko("ConsumerStarted")[0].starts_with("컨슈머 billing-1이 그룹 workers로 시작했습니다"));
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
        // Cooperative group `workers` first, then an eager one.
        assert!(idle[0].0.contains("새로 할당받은 파티션이 없습니다"), "{:?}", idle[0]);
        assert!(idle[0].1.contains("no new partitions"), "{:?}", idle[0]);
        assert_eq!(idle[1].0, "컨슈머 billing-1: 할당받은 파티션이 없습니다 (유휴, 그룹 orders, 세대 3).");
        assert!(idle[1].1.contains("no partitions: idle"), "{:?}", idle[1]);
        let stable = every_fact("orders", 3).into_iter().find(|f| kind(f) == "GenerationStable").unwrap();
        let ko = sentence(Lang::Ko, &r, &stable);
        assert!(ko.contains("billing-1-3-…: orders-3; worker-1-0b6…: 없음(유휴)"), "{ko}");
    }

    #[test]
    fn member_ids_are_shortened_to_twelve_characters() {
        assert_eq!(short_member_id("billing-1-5409c1d2-77aa"), "billing-1-54…");
        assert_eq!(short_member_id("worker-1-0b6f"), "worker-1-0b6…");
        assert_eq!(short_member_id("short"), "short");
        let stable = every_fact("orders", 1).into_iter().find(|f| kind(f) == "GenerationStable").unwrap();
        assert_eq!(member_ids(&stable), ["billing-1-1-5409c1d2-77aa", "worker-1-0b6f"]);
        assert_eq!(short_member_id("컨슈머-하나-둘-셋-넷-다섯"), "컨슈머-하나-둘-셋-넷…");
    }
}
