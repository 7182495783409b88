//! The share group's `simple` assignor (Kafka 4.1's `SimpleAssignor` with
//! `SimpleHomogeneousAssignmentBuilder`): partitions are spread over the members, and when there
//! are more members than partitions a partition goes to several members, so every member has
//! work. A share partition hands each record to one member at a time, so sharing a partition is
//! safe, unlike in a consumer group.
//!
//! Knowingly different: Kafka's builder is sticky across rebalances and hashes member ids; here
//! members are taken in member-id order and partitions in topic-name order, round-robin.

use crate::protocol::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

/// The target assignment of every member subscribed to `topics` (partition counts by topic).
pub fn assign_simple(
    members: &BTreeSet<String>,
    topics: &BTreeMap<String, i32>,
) -> BTreeMap<String, BTreeSet<TopicPartition>> {
    let partitions: Vec<TopicPartition> = topics
        .iter()
        .flat_map(|(topic, count)| (0..*count).map(move |p| TopicPartition::new(topic.clone(), p)))
        .collect();
    let mut assignment: BTreeMap<String, BTreeSet<TopicPartition>> =
        members.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    if members.is_empty() || partitions.is_empty() {
        return assignment;
    }
    let ids: Vec<&String> = members.iter().collect();
    if ids.len() <= partitions.len() {
        for (i, tp) in partitions.into_iter().enumerate() {
            assignment.entry(ids[i % ids.len()].clone()).or_default().insert(tp);
        }
    } else {
        for (i, id) in ids.into_iter().enumerate() {
            assignment.entry(id.clone()).or_default().insert(partitions[i % partitions.len()].clone());
        }
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(n: usize) -> BTreeSet<String> {
        (1..=n).map(|i| format!("m{i}")).collect()
    }

    #[test]
    fn fewer_members_than_partitions_each_partition_once() {
        let a = assign_simple(&members(2), &BTreeMap::from([("orders".to_string(), 3)]));
        let owned: Vec<usize> = a.values().map(BTreeSet::len).collect();
        assert_eq!(owned, vec![2, 1]);
        let all: BTreeSet<_> = a.values().flatten().collect();
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn more_members_than_partitions_every_member_works() {
        let a = assign_simple(&members(5), &BTreeMap::from([("orders".to_string(), 2)]));
        assert!(a.values().all(|p| p.len() == 1), "{a:?}");
        let p0 = a.values().filter(|p| p.contains(&TopicPartition::new("orders", 0))).count();
        let p1 = a.values().filter(|p| p.contains(&TopicPartition::new("orders", 1))).count();
        assert_eq!((p0, p1), (3, 2));
    }

    #[test]
    fn no_members_or_no_partitions_assign_nothing() {
        assert!(assign_simple(&BTreeSet::new(), &BTreeMap::from([("t".to_string(), 2)])).is_empty());
        let a = assign_simple(&members(2), &BTreeMap::new());
        assert!(a.values().all(BTreeSet::is_empty));
    }
}
