//! `RangeAssignor` (`range`): per topic, the sorted subscribers each get a contiguous range of
//! partitions, the first `partitions % subscribers` of them one more. Topics are independent, so the
//! same members get the extra partitions of every topic (co-partitioning).

use super::{AssignError, Assignment, Group, MemberSubscription, TopicPartition};
use std::collections::BTreeMap;

/// Range assignment (without racks, as `RangeAssignor.assignPartitions` when no member sets
/// `client.rack`).
pub fn assign(topics: &BTreeMap<String, i32>, members: &[MemberSubscription]) -> Result<Assignment, AssignError> {
    let group = Group::new(topics, members)?;
    let mut lists = vec![Vec::new(); members.len()];
    for (&topic, &partitions) in &group.partitions_per_topic {
        let mut consumers: Vec<usize> =
            (0..members.len()).filter(|&i| group.subscriptions[i].contains(&topic)).collect();
        consumers.sort_by(|&a, &b| group.member_info_cmp(a, b));
        let n = consumers.len() as i32;
        if n == 0 {
            continue;
        }
        let (per_consumer, with_extra) = (partitions / n, partitions % n);
        let mut next = 0;
        for (i, &c) in consumers.iter().enumerate() {
            let count = per_consumer + i32::from((i as i32) < with_extra);
            lists[c].extend((next..next + count).map(|p| TopicPartition::new(topic, p)));
            next += count;
        }
    }
    Ok(group.finish(lists))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tps(list: &[(&str, i32)]) -> Vec<TopicPartition> {
        list.iter().map(|&(t, p)| TopicPartition::new(t, p)).collect()
    }

    #[test]
    fn two_consumers_two_topics_three_partitions() {
        // KAFKA-MODEL §5.5 / RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions.
        let topics = BTreeMap::from([("t0".into(), 3), ("t1".into(), 3)]);
        let members = [MemberSubscription::new("C1", &["t0", "t1"]), MemberSubscription::new("C0", &["t0", "t1"])];
        let a = assign(&topics, &members).unwrap();
        assert_eq!(a["C0"], tps(&[("t0", 0), ("t0", 1), ("t1", 0), ("t1", 1)]));
        assert_eq!(a["C1"], tps(&[("t0", 2), ("t1", 2)]));
    }

    #[test]
    fn static_members_sort_first() {
        let topics = BTreeMap::from([("t".into(), 3)]);
        let mut a_static = MemberSubscription::new("z", &["t"]);
        a_static.group_instance_id = Some("i".into());
        let members = [MemberSubscription::new("a", &["t"]), a_static];
        let a = assign(&topics, &members).unwrap();
        assert_eq!(a["z"], tps(&[("t", 0), ("t", 1)]));
        assert_eq!(a["a"], tps(&[("t", 2)]));
    }
}
