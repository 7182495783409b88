//! Kafka's consumer partition assignors (classic protocol, client side), ported from the Java client
//! (`RangeAssignor`, `RoundRobinAssignor`, `StickyAssignor`, `CooperativeStickyAssignor` and
//! `AbstractStickyAssignor`, Kafka 4.x) so that the same group gets the same assignment.
//!
//! Input is plain data: topic partition counts and the members' subscriptions (what the group leader
//! gets from JoinGroup). The order of `members` is the order of the JoinGroup response; it matters only
//! where Java iterates a `HashMap` of member ids (see [`java`](self) and the sticky module docs).
//!
//! Not modelled: rack-aware assignment (`client.rack`), which needs replica racks; the sticky
//! assignor's `maxGeneration` field that a long-lived Java assignor instance carries across
//! rebalances (every call here is a fresh assignor, as in Kafka's unit tests).

mod abstract_sticky;
pub mod cooperative_sticky;
pub mod java;
pub mod range;
pub mod roundrobin;
pub mod sticky;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// A partition of a topic. Ordered like Java's `TopicPartitionComparator`: topic (`String.compareTo`),
/// then partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        Self { topic: topic.into(), partition }
    }
}

impl Ord for TopicPartition {
    fn cmp(&self, other: &Self) -> Ordering {
        java::compare(&self.topic, &other.topic).then(self.partition.cmp(&other.partition))
    }
}

impl PartialOrd for TopicPartition {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// One member's JoinGroup subscription as the leader's assignor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct MemberSubscription {
    pub member_id: String,
    /// `group.instance.id` of a static member: range and roundrobin sort static members first.
    pub group_instance_id: Option<String>,
    pub topics: Vec<String>,
    /// Partitions the member owned before this rebalance (used by the sticky strategies).
    pub owned: Vec<TopicPartition>,
    /// The generation in which it owned them; `None` (or negative) = unknown, Kafka's -1.
    pub generation_id: Option<i32>,
}

impl MemberSubscription {
    pub fn new(member_id: impl Into<String>, topics: &[&str]) -> Self {
        Self { member_id: member_id.into(), topics: topics.iter().map(|t| t.to_string()).collect(), ..Self::default() }
    }

    /// Kafka's `DEFAULT_GENERATION` (-1) when unknown.
    pub(crate) fn generation(&self) -> i32 {
        match self.generation_id {
            Some(g) if g >= 0 => g,
            _ => -1,
        }
    }
}

/// Member id → assigned partitions (sorted), every member present.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// `partition.assignment.strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

impl Strategy {
    pub const ALL: [Strategy; 4] =
        [Strategy::Range, Strategy::RoundRobin, Strategy::Sticky, Strategy::CooperativeSticky];

    /// The assignor's protocol name (`ConsumerPartitionAssignor.name()`).
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// The Java class name accepted by `partition.assignment.strategy`.
    pub fn class_name(self) -> &'static str {
        match self {
            Strategy::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            Strategy::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            Strategy::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            Strategy::CooperativeSticky => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        }
    }

    /// Whether the strategy supports the COOPERATIVE rebalance protocol (KIP-429).
    pub fn supports_cooperative(self) -> bool {
        self == Strategy::CooperativeSticky
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strategy {
    type Err = AssignError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Strategy::ALL
            .into_iter()
            .find(|st| st.name() == s || st.class_name() == s)
            .ok_or_else(|| AssignError::UnknownStrategy { name: s.to_string() })
    }
}

/// Why an assignment cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignError {
    UnknownStrategy {
        name: String,
    },
    DuplicateMember {
        member_id: String,
    },
    DuplicateGroupInstanceId {
        group_instance_id: String,
    },
    InvalidPartitionCount {
        topic: String,
        partitions: i32,
    },
    /// From [`validate_subscriptions`]: Java's assignors skip such topics silently.
    UnknownTopic {
        member_id: String,
        topic: String,
    },
    /// Kafka never shrinks a topic, so an owned partition beyond the count is bad input.
    OwnedPartitionOutOfRange {
        member_id: String,
        topic: String,
        partition: i32,
        partitions: i32,
    },
    DuplicateOwnedPartition {
        member_id: String,
        topic: String,
        partition: i32,
    },
    /// A state Java reports with `IllegalStateException` ("should not happen").
    Internal(String),
}

impl fmt::Display for AssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssignError::UnknownStrategy { name } => {
                let allowed: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
                write!(
                    f,
                    "unknown assignment strategy `{name}`; allowed: {} (or the Java class names)",
                    allowed.join(", ")
                )
            }
            AssignError::DuplicateMember { member_id } => {
                write!(f, "member `{member_id}` appears more than once")
            }
            AssignError::DuplicateGroupInstanceId { group_instance_id } => {
                write!(f, "group.instance.id `{group_instance_id}` is used by more than one member")
            }
            AssignError::InvalidPartitionCount { topic, partitions } => {
                write!(f, "topic `{topic}` has {partitions} partitions; a topic has at least 1")
            }
            AssignError::UnknownTopic { member_id, topic } => {
                write!(f, "member `{member_id}` subscribes to topic `{topic}`, which does not exist")
            }
            AssignError::OwnedPartitionOutOfRange { member_id, topic, partition, partitions } => {
                write!(f, "member `{member_id}` owns {topic}-{partition}, but `{topic}` has partitions 0..{partitions}")
            }
            AssignError::DuplicateOwnedPartition { member_id, topic, partition } => {
                write!(f, "member `{member_id}` lists owned partition {topic}-{partition} twice")
            }
            AssignError::Internal(msg) => write!(f, "assignor error: {msg}"),
        }
    }
}

impl std::error::Error for AssignError {}

/// Run `strategy` over the group. Topics that a member subscribes to but that do not exist are
/// skipped, as in Java; call [`validate_subscriptions`] first to reject them instead.
pub fn assign(
    strategy: Strategy,
    topics: &BTreeMap<String, i32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignError> {
    match strategy {
        Strategy::Range => range::assign(topics, members),
        Strategy::RoundRobin => roundrobin::assign(topics, members),
        Strategy::Sticky => sticky::assign(topics, members),
        Strategy::CooperativeSticky => cooperative_sticky::assign(topics, members),
    }
}

/// The check for the CLI and scenario files: every subscribed topic must exist.
pub fn validate_subscriptions(
    topics: &BTreeMap<String, i32>,
    members: &[MemberSubscription],
) -> Result<(), AssignError> {
    for m in members {
        if let Some(topic) = m.topics.iter().find(|t| !topics.contains_key(*t)) {
            return Err(AssignError::UnknownTopic { member_id: m.member_id.clone(), topic: topic.clone() });
        }
    }
    Ok(())
}

/// The group after the checks every assignor shares: `partitions_per_topic` holds the topics that some
/// member subscribes to and that exist (Java's `partitionsPerTopic`), `subscriptions` the members'
/// topic lists without repeats.
pub(crate) struct Group<'a> {
    pub members: &'a [MemberSubscription],
    pub subscriptions: Vec<Vec<&'a str>>,
    pub partitions_per_topic: BTreeMap<&'a str, i32>,
}

impl<'a> Group<'a> {
    pub(crate) fn new(
        topics: &'a BTreeMap<String, i32>,
        members: &'a [MemberSubscription],
    ) -> Result<Self, AssignError> {
        if let Some((topic, &partitions)) = topics.iter().find(|(_, &n)| n < 1) {
            return Err(AssignError::InvalidPartitionCount { topic: topic.clone(), partitions });
        }
        let mut ids = BTreeSet::new();
        let mut instance_ids = BTreeSet::new();
        for m in members {
            if !ids.insert(m.member_id.as_str()) {
                return Err(AssignError::DuplicateMember { member_id: m.member_id.clone() });
            }
            if let Some(gid) = &m.group_instance_id {
                if !instance_ids.insert(gid.as_str()) {
                    return Err(AssignError::DuplicateGroupInstanceId { group_instance_id: gid.clone() });
                }
            }
            let mut owned = BTreeSet::new();
            for tp in &m.owned {
                if !owned.insert(tp) {
                    return Err(AssignError::DuplicateOwnedPartition {
                        member_id: m.member_id.clone(),
                        topic: tp.topic.clone(),
                        partition: tp.partition,
                    });
                }
                if let Some(&n) = topics.get(&tp.topic) {
                    if tp.partition < 0 || tp.partition >= n {
                        return Err(AssignError::OwnedPartitionOutOfRange {
                            member_id: m.member_id.clone(),
                            topic: tp.topic.clone(),
                            partition: tp.partition,
                            partitions: n,
                        });
                    }
                }
            }
        }
        let subscriptions: Vec<Vec<&str>> = members
            .iter()
            .map(|m| {
                let mut seen = BTreeSet::new();
                m.topics.iter().map(String::as_str).filter(|t| seen.insert(*t)).collect()
            })
            .collect();
        let partitions_per_topic = subscriptions
            .iter()
            .flatten()
            .filter_map(|t| topics.get_key_value(*t).map(|(k, &n)| (k.as_str(), n)))
            .collect();
        Ok(Self { members, subscriptions, partitions_per_topic })
    }

    /// Java `MemberInfo.compareTo`: static members (by `group.instance.id`) before dynamic ones (by
    /// member id).
    pub(crate) fn member_info_cmp(&self, a: usize, b: usize) -> Ordering {
        let (ma, mb) = (&self.members[a], &self.members[b]);
        match (&ma.group_instance_id, &mb.group_instance_id) {
            (Some(x), Some(y)) => java::compare(x, y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => java::compare(&ma.member_id, &mb.member_id),
        }
    }

    /// An empty, sorted assignment list for every member.
    pub(crate) fn finish(&self, mut lists: Vec<Vec<TopicPartition>>) -> Assignment {
        self.members
            .iter()
            .zip(lists.iter_mut())
            .map(|(m, list)| {
                list.sort();
                (m.member_id.clone(), std::mem::take(list))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategy_names() {
        for s in Strategy::ALL {
            assert_eq!(s.name().parse::<Strategy>(), Ok(s));
            assert_eq!(s.class_name().parse::<Strategy>(), Ok(s));
        }
        let err = "fair".parse::<Strategy>().unwrap_err().to_string();
        assert!(err.contains("range, roundrobin, sticky, cooperative-sticky"), "{err}");
    }

    #[test]
    fn validation_names_member_and_topic() {
        let topics = BTreeMap::from([("t".to_string(), 2)]);
        let members = [MemberSubscription::new("c1", &["t", "nope"])];
        let err = validate_subscriptions(&topics, &members).unwrap_err();
        assert_eq!(err, AssignError::UnknownTopic { member_id: "c1".into(), topic: "nope".into() });
        // The assignors themselves skip the missing topic, as Java does.
        for s in Strategy::ALL {
            let a = assign(s, &topics, &members).unwrap();
            assert_eq!(a["c1"], vec![TopicPartition::new("t", 0), TopicPartition::new("t", 1)]);
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let topics = BTreeMap::from([("t".to_string(), 2)]);
        let dup = [MemberSubscription::new("c", &["t"]), MemberSubscription::new("c", &["t"])];
        assert!(matches!(assign(Strategy::Range, &topics, &dup), Err(AssignError::DuplicateMember { .. })));
        let mut m = MemberSubscription::new("c", &["t"]);
        m.owned = vec![TopicPartition::new("t", 5)];
        assert!(matches!(assign(Strategy::Sticky, &topics, &[m]), Err(AssignError::OwnedPartitionOutOfRange { .. })));
        let zero = BTreeMap::from([("t".to_string(), 0)]);
        assert!(matches!(assign(Strategy::RoundRobin, &zero, &[]), Err(AssignError::InvalidPartitionCount { .. })));
    }
}
