//! `StickyAssignor` (`sticky`, KIP-54): balanced and sticky, with the EAGER protocol. Members revoke
//! everything before rejoining, so the new owner of a moved partition gets it in the same rebalance.
//! Owned partitions and their generation come from the member's user data in Java; here from
//! [`MemberSubscription::owned`] and [`MemberSubscription::generation_id`].

use super::{abstract_sticky, AssignError, Assignment, Group, MemberSubscription};
use std::collections::BTreeMap;

/// Sticky assignment, as `StickyAssignor.assign`.
pub fn assign(topics: &BTreeMap<String, i32>, members: &[MemberSubscription]) -> Result<Assignment, AssignError> {
    let group = Group::new(topics, members)?;
    let result = abstract_sticky::assign_partitions(&group)?;
    Ok(group.finish(result.assignment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::assignor::TopicPartition;

    fn tp(t: &str, p: i32) -> TopicPartition {
        TopicPartition::new(t, p)
    }

    #[test]
    fn fresh_group_is_round_robin_over_sorted_partitions() {
        let topics = BTreeMap::from([("t".into(), 7)]);
        let members: Vec<_> = ["C2", "C0", "C1"].iter().map(|id| MemberSubscription::new(*id, &["t"])).collect();
        let a = assign(&topics, &members).unwrap();
        assert_eq!(a["C0"], vec![tp("t", 0), tp("t", 3), tp("t", 6)]);
        assert_eq!(a["C1"], vec![tp("t", 1), tp("t", 4)]);
        assert_eq!(a["C2"], vec![tp("t", 2), tp("t", 5)]);
    }

    #[test]
    fn eager_moves_partitions_in_one_round() {
        // KAFKA-MODEL §5.5 worked example: C2 joins C0, C1 on t0, t1 × 3.
        let topics = BTreeMap::from([("t0".into(), 3), ("t1".into(), 3)]);
        let mut c0 = MemberSubscription::new("C0", &["t0", "t1"]);
        c0.owned = vec![tp("t0", 0), tp("t0", 2), tp("t1", 1)];
        c0.generation_id = Some(1);
        let mut c1 = MemberSubscription::new("C1", &["t0", "t1"]);
        c1.owned = vec![tp("t0", 1), tp("t1", 0), tp("t1", 2)];
        c1.generation_id = Some(1);
        let c2 = MemberSubscription::new("C2", &["t0", "t1"]);
        let a = assign(&topics, &[c0, c1, c2]).unwrap();
        assert_eq!(a["C0"], vec![tp("t0", 0), tp("t1", 1)]);
        assert_eq!(a["C1"], vec![tp("t0", 1), tp("t1", 0)]);
        assert_eq!(a["C2"], vec![tp("t0", 2), tp("t1", 2)]);
    }

    #[test]
    fn general_path_balances_unequal_subscriptions() {
        // AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions.
        let topics = BTreeMap::from([("topic1".into(), 3), ("topic2".into(), 2)]);
        let members = [
            MemberSubscription::new("consumer1", &["topic1"]),
            MemberSubscription::new("consumer2", &["topic1", "topic2"]),
            MemberSubscription::new("consumer3", &["topic1"]),
        ];
        let a = assign(&topics, &members).unwrap();
        assert_eq!(a["consumer1"], vec![tp("topic1", 0), tp("topic1", 2)]);
        assert_eq!(a["consumer2"], vec![tp("topic2", 0), tp("topic2", 1)]);
        assert_eq!(a["consumer3"], vec![tp("topic1", 1)]);
    }
}
