//! `CooperativeStickyAssignor` (`cooperative-sticky`, KIP-429): the sticky algorithm, then every
//! partition that moves from one live member to another is left out of this round. Its old owner
//! revokes it and rejoins, and the follow-up rebalance hands it to the new owner, so no partition is
//! ever owned by two members at once.

use super::{abstract_sticky, AssignError, Assignment, Group, MemberSubscription, TopicPartition};
use std::collections::{BTreeMap, BTreeSet};

/// Cooperative sticky assignment, as `CooperativeStickyAssignor.assignPartitions`.
pub fn assign(topics: &BTreeMap<String, i32>, members: &[MemberSubscription]) -> Result<Assignment, AssignError> {
    let group = Group::new(topics, members)?;
    let result = abstract_sticky::assign_partitions(&group)?;
    let mut assignment = result.assignment;
    let transferring = match result.transferring {
        Some(t) => t,
        None => partitions_transferring_ownership(members, &assignment),
    };
    for (tp, m) in transferring {
        if let Some(list) = assignment.get_mut(m) {
            if let Some(i) = list.iter().position(|x| *x == tp) {
                list.remove(i);
            }
        }
    }
    Ok(group.finish(assignment))
}

/// `computePartitionsTransferringOwnership`: partitions newly assigned to one member that another
/// member owned and now loses.
fn partitions_transferring_ownership(
    members: &[MemberSubscription],
    assignment: &[Vec<TopicPartition>],
) -> BTreeMap<TopicPartition, usize> {
    let mut added = BTreeMap::new();
    let mut revoked = BTreeSet::new();
    for (m, (member, assigned)) in members.iter().zip(assignment).enumerate() {
        let owned: BTreeSet<&TopicPartition> = member.owned.iter().collect();
        let assigned_set: BTreeSet<&TopicPartition> = assigned.iter().collect();
        added.extend(assigned.iter().filter(|tp| !owned.contains(tp)).map(|tp| (tp.clone(), m)));
        revoked.extend(member.owned.iter().filter(|tp| !assigned_set.contains(tp)).cloned());
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(t: &str, p: i32) -> TopicPartition {
        TopicPartition::new(t, p)
    }

    fn member(id: &str, topics: &[&str], owned: &[(&str, i32)], generation: i32) -> MemberSubscription {
        let mut m = MemberSubscription::new(id, topics);
        m.owned = owned.iter().map(|&(t, p)| tp(t, p)).collect();
        m.generation_id = Some(generation);
        m
    }

    #[test]
    fn join_takes_two_rounds() {
        // KAFKA-MODEL §5.5 worked example.
        let topics = BTreeMap::from([("t0".into(), 3), ("t1".into(), 3)]);
        let c0 = member("C0", &["t0", "t1"], &[("t0", 0), ("t0", 2), ("t1", 1)], 1);
        let c1 = member("C1", &["t0", "t1"], &[("t0", 1), ("t1", 0), ("t1", 2)], 1);
        let c2 = MemberSubscription::new("C2", &["t0", "t1"]);
        let first = assign(&topics, &[c0, c1, c2]).unwrap();
        assert_eq!(first["C0"], vec![tp("t0", 0), tp("t1", 1)]);
        assert_eq!(first["C1"], vec![tp("t0", 1), tp("t1", 0)]);
        assert!(first["C2"].is_empty());
        let round2: Vec<_> = ["C0", "C1", "C2"]
            .iter()
            .map(|id| {
                let owned: Vec<(&str, i32)> = first[*id].iter().map(|t| (t.topic.as_str(), t.partition)).collect();
                member(id, &["t0", "t1"], &owned, 2)
            })
            .collect();
        let second = assign(&topics, &round2).unwrap();
        assert_eq!(second["C2"], vec![tp("t0", 2), tp("t1", 2)]);
        assert_eq!(second["C0"], first["C0"]);
    }

    #[test]
    fn general_path_withholds_moved_partitions() {
        // Different subscriptions take the general path: c1 owns all 6 partitions and is the only
        // subscriber of t1, so balance (3 + 3) moves three t0 partitions to c2. c1 still owns them,
        // so this round gives them to nobody.
        let topics = BTreeMap::from([("t0".into(), 4), ("t1".into(), 2)]);
        let c1 = member("c1", &["t0", "t1"], &[("t0", 0), ("t0", 1), ("t0", 2), ("t0", 3), ("t1", 0), ("t1", 1)], 3);
        let c2 = member("c2", &["t0"], &[], 3);
        let a = assign(&topics, &[c1, c2]).unwrap();
        assert!(a["c2"].is_empty());
        assert_eq!(a["c1"], vec![tp("t0", 3), tp("t1", 0), tp("t1", 1)]);
    }
}
