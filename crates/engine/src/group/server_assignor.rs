//! The server-side assignors of the consumer group protocol (KIP-848), which the group
//! coordinator runs to compute a group's target assignment: `uniform` (the default,
//! `UniformAssignor` with `UniformHomogeneousAssignmentBuilder`) and `range` (the sticky
//! `RangeAssignor` of the group coordinator as Kafka 3.7 has it, not the client's range; Kafka
//! 4.0 rewrote it into contiguous, co-partitioned ranges without stickiness, which is not ported).
//!
//! Members are taken in member-id order (Kafka's tests use a `TreeMap`; the coordinator's own
//! map is a `HashMap`), topics in name order (Kafka iterates a `HashSet` of topic ids, so
//! Kafka's multi-topic outcomes depend on the ids' hashes). Members with different
//! subscriptions get the uniform assignor's heterogeneous case as a simpler greedy: keep what
//! is still subscribed up to the fair share, then hand each free partition to the subscribed
//! member with the fewest.

use crate::protocol::TopicPartition;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// `group.consumer.assignors`: the assignors a broker offers; the first is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerAssignor {
    Uniform,
    Range,
}

impl ServerAssignor {
    pub fn name(self) -> &'static str {
        match self {
            ServerAssignor::Uniform => "uniform",
            ServerAssignor::Range => "range",
        }
    }
}

impl fmt::Display for ServerAssignor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ServerAssignor {
    type Err = String;

    /// Kafka accepts the short names and the assignors' class names.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "uniform" | "org.apache.kafka.coordinator.group.assignor.UniformAssignor" => Ok(ServerAssignor::Uniform),
            "range" | "org.apache.kafka.coordinator.group.assignor.RangeAssignor" => Ok(ServerAssignor::Range),
            other => Err(format!("unknown server-side assignor `{other}` (uniform, range)")),
        }
    }
}

/// One member as the assignor sees it: its subscription and its current target assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentMember {
    pub member_id: String,
    pub topics: BTreeSet<String>,
    pub current: BTreeSet<TopicPartition>,
}

/// The target assignment: every member present, possibly with nothing.
pub type TargetAssignment = BTreeMap<String, BTreeSet<TopicPartition>>;

/// Computes the target assignment. An unknown subscribed topic is Kafka's
/// `PartitionAssignorException`.
pub fn assign(
    assignor: ServerAssignor,
    partitions: &BTreeMap<String, i32>,
    members: &[AssignmentMember],
) -> Result<TargetAssignment, String> {
    let mut sorted: Vec<&AssignmentMember> = members.iter().collect();
    sorted.sort_by(|a, b| a.member_id.cmp(&b.member_id));
    for m in &sorted {
        if let Some(t) = m.topics.iter().find(|t| !partitions.contains_key(*t)) {
            return Err(format!("member {} is subscribed to topic {t}, which does not exist", m.member_id));
        }
    }
    let mut result: TargetAssignment = sorted.iter().map(|m| (m.member_id.clone(), BTreeSet::new())).collect();
    if sorted.is_empty() {
        return Ok(result);
    }
    let homogeneous = sorted.iter().all(|m| m.topics == sorted[0].topics);
    match (assignor, homogeneous) {
        (ServerAssignor::Range, _) => range(partitions, &sorted, &mut result),
        (ServerAssignor::Uniform, true) => uniform_homogeneous(partitions, &sorted, &mut result),
        (ServerAssignor::Uniform, false) => uniform_heterogeneous(partitions, &sorted, &mut result),
    }
    Ok(result)
}

/// `UniformHomogeneousAssignmentBuilder.build`: quotas of ⌊P/M⌋, the first P mod M members one
/// more; each member keeps its current partitions up to its quota; the rest are handed out in
/// order to members below quota.
fn uniform_homogeneous(partitions: &BTreeMap<String, i32>, members: &[&AssignmentMember], out: &mut TargetAssignment) {
    let topics = &members[0].topics;
    if topics.is_empty() {
        return;
    }
    let all: Vec<TopicPartition> =
        topics.iter().flat_map(|t| (0..partitions[t]).map(move |p| TopicPartition::new(t.clone(), p))).collect();
    let owned: BTreeSet<&TopicPartition> = members.iter().flat_map(|m| m.current.iter()).collect();
    let mut unassigned: Vec<TopicPartition> = all.iter().filter(|tp| !owned.contains(tp)).cloned().collect();
    let min_quota = all.len() / members.len();
    let mut extra = all.len() % members.len();
    let mut unfilled: Vec<(&str, usize)> = Vec::new();
    for m in members {
        let mut quota = min_quota;
        if extra > 0 {
            quota += 1;
            extra -= 1;
        }
        let kept = out.get_mut(&m.member_id).expect("every member has an entry");
        for tp in m
            .current
            .iter()
            .filter(|tp| topics.contains(tp.topic.as_str()) && tp.partition < partitions[tp.topic.as_str()])
        {
            if quota > 0 {
                quota -= 1;
                kept.insert(tp.clone());
            } else {
                unassigned.push(tp.clone());
            }
        }
        if quota > 0 {
            unfilled.push((&m.member_id, quota));
        }
    }
    let mut next = unassigned.into_iter();
    for (member, quota) in unfilled {
        let slot = out.get_mut(member).expect("every member has an entry");
        slot.extend(next.by_ref().take(quota));
    }
}

/// Members with different subscriptions: sticky up to the fair share of the topics each can
/// take, then each free partition to the least loaded subscribed member.
fn uniform_heterogeneous(
    partitions: &BTreeMap<String, i32>,
    members: &[&AssignmentMember],
    out: &mut TargetAssignment,
) {
    let mut free = Vec::new();
    for (topic, count) in partitions {
        let subscribers: Vec<&&AssignmentMember> = members.iter().filter(|m| m.topics.contains(topic)).collect();
        if subscribers.is_empty() {
            continue;
        }
        let share = (*count as usize).div_ceil(subscribers.len());
        for p in 0..*count {
            let tp = TopicPartition::new(topic.clone(), p);
            let owner = subscribers.iter().find(|m| m.current.contains(&tp));
            match owner {
                Some(m) if out[&m.member_id].iter().filter(|t| &t.topic == topic).count() < share => {
                    out.get_mut(&m.member_id).expect("every member has an entry").insert(tp);
                }
                _ => free.push(tp),
            }
        }
    }
    for tp in free {
        let least = members
            .iter()
            .filter(|m| m.topics.contains(tp.topic.as_str()))
            .min_by_key(|m| (out[&m.member_id].len(), m.member_id.clone()))
            .map(|m| m.member_id.clone());
        if let Some(member) = least {
            out.get_mut(&member).expect("every member has an entry").insert(tp);
        }
    }
}

/// The group coordinator's `RangeAssignor.assign`: per topic, its subscribers in member order
/// get ⌊P/M⌋ each and the first P mod M one more, keeping their lowest current partitions
/// (co-partitioned topics stay joined), then the free partitions in ranges.
fn range(partitions: &BTreeMap<String, i32>, members: &[&AssignmentMember], out: &mut TargetAssignment) {
    for (topic, count) in partitions {
        let subscribers: Vec<&&AssignmentMember> = members.iter().filter(|m| m.topics.contains(topic)).collect();
        if subscribers.is_empty() {
            continue;
        }
        let count = *count as usize;
        let min_quota = count / subscribers.len();
        let mut with_extra = count % subscribers.len();
        let mut sticky: BTreeSet<i32> = BTreeSet::new();
        let mut unfilled: Vec<(&str, i64)> = Vec::new();
        for m in &subscribers {
            let current: Vec<i32> = m
                .current
                .iter()
                .filter(|tp| &tp.topic == topic && (tp.partition as usize) < count)
                .map(|tp| tp.partition)
                .collect();
            let slot = out.get_mut(&m.member_id).expect("every member has an entry");
            for p in current.iter().take(min_quota) {
                sticky.insert(*p);
                slot.insert(TopicPartition::new(topic.clone(), *p));
            }
            let remaining = min_quota as i64 - current.len() as i64;
            if remaining < 0 && with_extra > 0 {
                with_extra -= 1;
                let p = current[min_quota];
                sticky.insert(p);
                slot.insert(TopicPartition::new(topic.clone(), p));
            } else {
                unfilled.push((&m.member_id, remaining));
            }
        }
        let mut free = (0..count as i32).filter(|p| !sticky.contains(p));
        for (member, mut remaining) in unfilled {
            if with_extra > 0 {
                remaining += 1;
                with_extra -= 1;
            }
            let slot = out.get_mut(member).expect("every member has an entry");
            for p in free.by_ref().take(remaining.max(0) as usize) {
                slot.insert(TopicPartition::new(topic.clone(), p));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tp(topic: &str, p: i32) -> TopicPartition {
        TopicPartition::new(topic, p)
    }

    fn member(id: &str, topics: &[&str], current: &[(&str, i32)]) -> AssignmentMember {
        AssignmentMember {
            member_id: id.into(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
            current: current.iter().map(|(t, p)| tp(t, *p)).collect(),
        }
    }

    fn topics(list: &[(&str, i32)]) -> BTreeMap<String, i32> {
        list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    fn parts(list: &[(&str, i32)]) -> BTreeSet<TopicPartition> {
        list.iter().map(|(t, p)| tp(t, *p)).collect()
    }

    // Golden cases from Kafka's group-coordinator `RangeAssignorTest.java` (the sticky server-side
    // range assignor; its members are in a `TreeMap`, as here).

    #[test]
    fn range_first_assignment_two_members_two_topics() {
        // testFirstAssignmentTwoConsumersTwoTopicsSameSubscriptions
        let t = topics(&[("topic1", 3), ("topic3", 2)]);
        let a = assign(
            ServerAssignor::Range,
            &t,
            &[member("A", &["topic1", "topic3"], &[]), member("B", &["topic1", "topic3"], &[])],
        )
        .unwrap();
        assert_eq!(a["A"], parts(&[("topic1", 0), ("topic1", 1), ("topic3", 0)]));
        assert_eq!(a["B"], parts(&[("topic1", 2), ("topic3", 1)]));
    }

    #[test]
    fn range_first_assignment_different_subscriptions() {
        // testFirstAssignmentThreeConsumersThreeTopicsDifferentSubscriptions
        let t = topics(&[("topic1", 3), ("topic2", 3), ("topic3", 2)]);
        let a = assign(
            ServerAssignor::Range,
            &t,
            &[
                member("A", &["topic1", "topic2"], &[]),
                member("B", &["topic3"], &[]),
                member("C", &["topic2", "topic3"], &[]),
            ],
        )
        .unwrap();
        assert_eq!(a["A"], parts(&[("topic1", 0), ("topic1", 1), ("topic1", 2), ("topic2", 0), ("topic2", 1)]));
        assert_eq!(a["B"], parts(&[("topic3", 0)]));
        assert_eq!(a["C"], parts(&[("topic2", 2), ("topic3", 1)]));
    }

    #[test]
    fn range_more_members_than_partitions() {
        // testFirstAssignmentNumConsumersGreaterThanNumPartitions
        let t = topics(&[("topic1", 3), ("topic3", 2)]);
        let both = ["topic1", "topic3"];
        let a = assign(
            ServerAssignor::Range,
            &t,
            &[member("A", &both, &[]), member("B", &both, &[]), member("C", &both, &[])],
        )
        .unwrap();
        assert_eq!(a["A"], parts(&[("topic1", 0), ("topic3", 0)]));
        assert_eq!(a["B"], parts(&[("topic1", 1), ("topic3", 1)]));
        assert_eq!(a["C"], parts(&[("topic1", 2)]));
    }

    #[test]
    fn range_reassignment_keeps_members_sticky() {
        // testReassignmentNumConsumersGreaterThanNumPartitionsWhenOneConsumerAdded
        let t = topics(&[("topic1", 2), ("topic2", 2)]);
        let both = ["topic1", "topic2"];
        let a = assign(
            ServerAssignor::Range,
            &t,
            &[
                member("A", &both, &[("topic1", 0), ("topic2", 0)]),
                member("B", &both, &[("topic1", 1), ("topic2", 1)]),
                member("C", &both, &[]),
            ],
        )
        .unwrap();
        assert_eq!(a["A"], parts(&[("topic1", 0), ("topic2", 0)]));
        assert_eq!(a["B"], parts(&[("topic1", 1), ("topic2", 1)]));
        assert!(a["C"].is_empty(), "C gets nothing: A and B keep theirs");
        // testReassignmentWhenOneConsumerAddedAfterInitialAssignmentWithTwoConsumersTwoTopics
        let t = topics(&[("topic1", 3), ("topic2", 3)]);
        let a = assign(
            ServerAssignor::Range,
            &t,
            &[
                member("A", &both, &[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]),
                member("B", &both, &[("topic1", 2), ("topic2", 2)]),
                member("C", &both, &[]),
            ],
        )
        .unwrap();
        assert_eq!(a["A"], parts(&[("topic1", 0), ("topic2", 0)]));
        assert_eq!(a["B"], parts(&[("topic1", 2), ("topic2", 2)]));
        assert_eq!(a["C"], parts(&[("topic1", 1), ("topic2", 1)]));
        // testReassignmentWhenOnePartitionAddedForTwoConsumersTwoTopics
        let t = topics(&[("topic1", 4), ("topic2", 4)]);
        let a = assign(
            ServerAssignor::Range,
            &t,
            &[
                member("A", &both, &[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]),
                member("B", &both, &[("topic1", 2), ("topic2", 2)]),
            ],
        )
        .unwrap();
        assert_eq!(a["A"], parts(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]));
        assert_eq!(a["B"], parts(&[("topic1", 2), ("topic1", 3), ("topic2", 2), ("topic2", 3)]));
    }

    #[test]
    fn uniform_cases_of_the_homogeneous_builder() {
        // UniformHomogeneousAssignmentBuilderTest.testOneMemberNoTopicSubscription and
        // testOneMemberSubscribedToNonexistentTopic; its multi-topic expectations depend on the
        // hash order of random topic ids, so the rest are the builder's rule on one topic.
        let t = topics(&[("topic1", 3)]);
        assert!(assign(ServerAssignor::Uniform, &t, &[member("A", &[], &[])]).unwrap()["A"].is_empty());
        assert!(assign(ServerAssignor::Uniform, &t, &[member("A", &["topic2"], &[])]).is_err());
        // 7 partitions over 3 members: quotas 3, 2, 2 in member order.
        let t = topics(&[("t", 7)]);
        let a = assign(
            ServerAssignor::Uniform,
            &t,
            &[member("A", &["t"], &[]), member("B", &["t"], &[]), member("C", &["t"], &[])],
        )
        .unwrap();
        assert_eq!(a["A"], parts(&[("t", 0), ("t", 1), ("t", 2)]));
        assert_eq!(a["B"], parts(&[("t", 3), ("t", 4)]));
        assert_eq!(a["C"], parts(&[("t", 5), ("t", 6)]));
        // A fourth member joins: each keeps what fits its quota (2, 2, 2, 1) and D takes the rest.
        let a = assign(
            ServerAssignor::Uniform,
            &t,
            &[
                member("A", &["t"], &[("t", 0), ("t", 1), ("t", 2)]),
                member("B", &["t"], &[("t", 3), ("t", 4)]),
                member("C", &["t"], &[("t", 5), ("t", 6)]),
                member("D", &["t"], &[]),
            ],
        )
        .unwrap();
        assert_eq!(a["A"], parts(&[("t", 0), ("t", 1)]));
        assert_eq!(a["B"], parts(&[("t", 3), ("t", 4)]));
        assert_eq!(a["C"], parts(&[("t", 5), ("t", 6)]));
        assert_eq!(a["D"], parts(&[("t", 2)]), "only one partition moves");
    }

    fn scenario() -> impl Strategy<Value = (BTreeMap<String, i32>, usize, Vec<usize>)> {
        (1usize..4, 1usize..8).prop_flat_map(|(topic_count, member_count)| {
            (
                proptest::collection::vec(1i32..10, topic_count).prop_map(|counts| {
                    counts.into_iter().enumerate().map(|(i, n)| (format!("t{i}"), n)).collect::<BTreeMap<_, _>>()
                }),
                Just(member_count),
                proptest::collection::vec(0usize..8, 0..4),
            )
        })
    }

    fn members_for(
        topics: &BTreeMap<String, i32>,
        ids: &[String],
        previous: &TargetAssignment,
    ) -> Vec<AssignmentMember> {
        ids.iter()
            .map(|id| AssignmentMember {
                member_id: id.clone(),
                topics: topics.keys().cloned().collect(),
                current: previous.get(id).cloned().unwrap_or_default(),
            })
            .collect()
    }

    fn check_valid_and_balanced(topics: &BTreeMap<String, i32>, a: &TargetAssignment) -> Result<(), TestCaseError> {
        let mut seen = BTreeSet::new();
        for parts in a.values() {
            for tp in parts {
                prop_assert!(seen.insert(tp.clone()), "{tp} owned twice");
            }
        }
        let total: i32 = topics.values().sum();
        prop_assert_eq!(seen.len(), total as usize, "every partition is owned");
        let sizes: Vec<usize> = a.values().map(BTreeSet::len).collect();
        let (min, max) = (sizes.iter().min().copied().unwrap_or(0), sizes.iter().max().copied().unwrap_or(0));
        prop_assert!(max - min <= 1, "balanced within one: {sizes:?}");
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Uniform: valid, balanced within one, and on a join or leave only the partitions
        /// needed for balance move (a member keeps min(before, quota)).
        #[test]
        fn uniform_is_balanced_and_moves_little((topics, count, changes) in scenario()) {
            let mut ids: Vec<String> = (0..count).map(|i| format!("m{i}")).collect();
            let mut previous = assign(ServerAssignor::Uniform, &topics, &members_for(&topics, &ids, &TargetAssignment::new())).unwrap();
            check_valid_and_balanced(&topics, &previous)?;
            for (step, change) in changes.into_iter().enumerate() {
                if change % 2 == 0 || ids.len() == 1 {
                    ids.push(format!("n{step}"));
                } else {
                    ids.remove(change % ids.len());
                }
                let next = assign(ServerAssignor::Uniform, &topics, &members_for(&topics, &ids, &previous)).unwrap();
                check_valid_and_balanced(&topics, &next)?;
                let total: usize = topics.values().sum::<i32>() as usize;
                let ceil = total.div_ceil(ids.len());
                for id in &ids {
                    let before = previous.get(id).map_or(0, BTreeSet::len);
                    let kept = previous.get(id).map_or(0, |b| b.intersection(&next[id]).count());
                    prop_assert!(kept >= before.min(total / ids.len()), "{id} kept {kept} of {before}");
                    prop_assert!(next[id].len() <= ceil);
                }
                previous = next;
            }
        }

        /// Range: every partition owned once, each topic balanced within one among its
        /// subscribers, and members keep their lowest partitions up to the quota.
        #[test]
        fn range_is_valid_per_topic_and_sticky((topics, count, changes) in scenario()) {
            let mut ids: Vec<String> = (0..count).map(|i| format!("m{i}")).collect();
            let mut previous = assign(ServerAssignor::Range, &topics, &members_for(&topics, &ids, &TargetAssignment::new())).unwrap();
            for (step, change) in std::iter::once(usize::MAX).chain(changes).enumerate() {
                if change != usize::MAX {
                    if change % 2 == 0 || ids.len() == 1 { ids.push(format!("n{step}")); } else { ids.remove(change % ids.len()); }
                }
                let next = assign(ServerAssignor::Range, &topics, &members_for(&topics, &ids, &previous)).unwrap();
                let mut seen = BTreeSet::new();
                for parts in next.values() { for tp in parts { prop_assert!(seen.insert(tp.clone())); } }
                prop_assert_eq!(seen.len(), topics.values().sum::<i32>() as usize);
                for (topic, n) in &topics {
                    let sizes: Vec<usize> = next.values().map(|p| p.iter().filter(|tp| &tp.topic == topic).count()).collect();
                    let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                    prop_assert!(max - min <= 1, "topic {topic} ({n}): {sizes:?}");
                    let quota = *n as usize / ids.len();
                    for id in &ids {
                        let before = previous.get(id).map_or(0, |p| p.iter().filter(|tp| &tp.topic == topic).count());
                        let kept = previous.get(id).map_or(0, |p| p.iter().filter(|tp| &tp.topic == topic && next[id].contains(tp)).count());
                        prop_assert!(kept >= before.min(quota));
                    }
                }
                previous = next;
            }
        }
    }
}
