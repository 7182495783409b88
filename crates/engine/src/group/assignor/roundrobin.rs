//! `RoundRobinAssignor` (`roundrobin`): all subscribed partitions sorted by (topic, partition) are
//! dealt one by one to the sorted members in a circle, skipping members not subscribed to the topic.

use super::{AssignError, Assignment, Group, MemberSubscription, TopicPartition};
use std::collections::BTreeMap;

/// Round-robin assignment, as `RoundRobinAssignor.assign`.
pub fn assign(topics: &BTreeMap<String, i32>, members: &[MemberSubscription]) -> Result<Assignment, AssignError> {
    let group = Group::new(topics, members)?;
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| group.member_info_cmp(a, b));
    let mut lists = vec![Vec::new(); members.len()];
    // `partitions_per_topic` is keyed by Rust string order; Java sorts topics with `String.compareTo`.
    let mut all_topics: Vec<(&str, i32)> = group.partitions_per_topic.iter().map(|(t, n)| (*t, *n)).collect();
    all_topics.sort_by(|a, b| super::java::compare(a.0, b.0));
    let mut cursor = 0;
    for (topic, partitions) in all_topics {
        for p in 0..partitions {
            // Some member subscribes to every topic of `partitions_per_topic`, so this ends.
            while !group.subscriptions[order[cursor]].contains(&topic) {
                cursor = (cursor + 1) % order.len();
            }
            lists[order[cursor]].push(TopicPartition::new(topic, p));
            cursor = (cursor + 1) % order.len();
        }
    }
    Ok(group.finish(lists))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_subscriptions() {
        // KAFKA-MODEL §5.5 / RoundRobinAssignor javadoc.
        let topics = BTreeMap::from([("t0".into(), 1), ("t1".into(), 2), ("t2".into(), 3)]);
        let members = [
            MemberSubscription::new("C2", &["t0", "t1", "t2"]),
            MemberSubscription::new("C0", &["t0"]),
            MemberSubscription::new("C1", &["t0", "t1"]),
        ];
        let a = assign(&topics, &members).unwrap();
        let tp = |t: &str, p| TopicPartition::new(t, p);
        assert_eq!(a["C0"], vec![tp("t0", 0)]);
        assert_eq!(a["C1"], vec![tp("t1", 0)]);
        assert_eq!(a["C2"], vec![tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)]);
    }
}
