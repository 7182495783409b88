//! Properties of the sticky assignors over random groups, and one full-size run of every assignor.

use kafkalab_engine::group::assignor::{assign, Assignment, MemberSubscription, Strategy, TopicPartition};
use proptest::prelude::*;
use proptest::strategy::Strategy as PropStrategy;
use std::collections::{BTreeMap, BTreeSet};

type Topics = BTreeMap<String, i32>;

fn all_partitions(topics: &Topics, subscribed: &BTreeSet<&str>) -> BTreeSet<TopicPartition> {
    topics
        .iter()
        .filter(|(t, _)| subscribed.contains(t.as_str()))
        .flat_map(|(t, &n)| (0..n).map(move |p| TopicPartition::new(t.clone(), p)))
        .collect()
}

/// Each partition at most once, only to a subscriber; returns the owner of each assigned partition.
fn owners(members: &[MemberSubscription], a: &Assignment) -> Result<BTreeMap<TopicPartition, String>, TestCaseError> {
    let mut owner = BTreeMap::new();
    prop_assert_eq!(a.len(), members.len(), "every member is in the assignment");
    for m in members {
        let list = &a[&m.member_id];
        let mut sorted = list.clone();
        sorted.sort();
        prop_assert_eq!(list, &sorted, "lists are sorted");
        for tp in list {
            prop_assert!(m.topics.contains(&tp.topic), "{} got {} without subscribing", m.member_id, tp);
            prop_assert!(owner.insert(tp.clone(), m.member_id.clone()).is_none(), "{} assigned twice", tp);
        }
    }
    Ok(owner)
}

fn check_exactly_once(topics: &Topics, members: &[MemberSubscription], a: &Assignment) -> Result<(), TestCaseError> {
    let owner = owners(members, a)?;
    let subscribed: BTreeSet<&str> = members.iter().flat_map(|m| m.topics.iter().map(String::as_str)).collect();
    let assigned: BTreeSet<TopicPartition> = owner.into_keys().collect();
    prop_assert_eq!(assigned, all_partitions(topics, &subscribed));
    Ok(())
}

fn spread(a: &Assignment) -> usize {
    let sizes = a.values().map(Vec::len);
    sizes.clone().max().unwrap_or(0) - sizes.min().unwrap_or(0)
}

/// The next round's subscriptions: each member now owns what it was assigned, in `generation`.
fn next_round(members: &[MemberSubscription], a: &Assignment, generation: i32) -> Vec<MemberSubscription> {
    members
        .iter()
        .map(|m| MemberSubscription { owned: a[&m.member_id].clone(), generation_id: Some(generation), ..m.clone() })
        .collect()
}

/// Run one rebalance to completion: one round for sticky, rounds until nothing is withheld for
/// cooperative-sticky (each round checked for at-most-once). Returns the final assignment and rounds.
fn rebalance(
    strategy: Strategy,
    topics: &Topics,
    members: &[MemberSubscription],
    generation: i32,
) -> Result<(Assignment, usize), TestCaseError> {
    let mut round = members.to_vec();
    for rounds in 1..=3 {
        let a = assign(strategy, topics, &round).map_err(|e| TestCaseError::fail(e.to_string()))?;
        owners(&round, &a)?;
        if strategy == Strategy::CooperativeSticky {
            // Nothing moves directly from one member to another within a round.
            for m in &round {
                for tp in &a[&m.member_id] {
                    let other_owner = round.iter().any(|o| o.member_id != m.member_id && o.owned.contains(tp));
                    prop_assert!(!other_owner, "{} handed to {} while still owned", tp, m.member_id);
                }
            }
        }
        let next = next_round(&round, &a, generation + rounds as i32);
        let done = strategy == Strategy::Sticky
            || next.iter().zip(&round).all(|(n, o)| {
                let before: BTreeSet<_> = o.owned.iter().collect();
                n.owned.iter().all(|tp| before.contains(tp)) && n.owned.len() == before.len()
            });
        if done {
            return Ok((a, rounds));
        }
        round = next;
    }
    Err(TestCaseError::fail("cooperative rebalance did not settle in 3 rounds"))
}

fn topics_strategy() -> impl PropStrategy<Value = Topics> {
    prop::collection::btree_map("[a-e]{1,3}", 1..9i32, 1..4)
}

fn member_ids() -> impl PropStrategy<Value = Vec<String>> {
    prop::collection::btree_set("[a-zA-Z0-9-]{1,8}", 1..8).prop_map(|s| s.into_iter().collect()).prop_shuffle()
}

fn sticky_strategy() -> impl PropStrategy<Value = Strategy> {
    prop_oneof![Just(Strategy::Sticky), Just(Strategy::CooperativeSticky)]
}

/// Minimum number of owned partitions that must change owner to reach a balanced assignment with
/// equal subscriptions: the `extra` largest owners may keep max quota, the others min quota.
fn min_moves(counts: &[usize], total: usize) -> usize {
    let m = counts.len();
    let (min_q, extra) = (total / m, total % m);
    let mut sorted = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.iter().enumerate().map(|(i, &c)| c.saturating_sub(min_q + usize::from(i < extra))).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Random subscriptions (the general path): every subscribed partition ends up assigned exactly
    /// once, only to a subscriber, also when rebalancing from a previous assignment.
    #[test]
    fn valid_with_mixed_subscriptions(
        strategy in sticky_strategy(),
        topics in topics_strategy(),
        ids in member_ids(),
        picks in prop::collection::vec(prop::collection::vec(any::<bool>(), 3), 8),
        leave in any::<prop::sample::Index>(),
    ) {
        let names: Vec<&String> = topics.keys().collect();
        let members: Vec<MemberSubscription> = ids.iter().enumerate().map(|(i, id)| {
            let mut subscribed: Vec<&str> = names.iter().zip(&picks[i]).filter(|(_, &p)| p).map(|(t, _)| t.as_str()).collect();
            if subscribed.is_empty() { subscribed.push(names[i % names.len()]); }
            MemberSubscription::new(id.clone(), &subscribed)
        }).collect();
        let (first, _) = rebalance(strategy, &topics, &members, 1)?;
        check_exactly_once(&topics, &members, &first)?;
        let mut survivors = next_round(&members, &first, 5);
        if survivors.len() > 1 {
            survivors.remove(leave.index(survivors.len()));
        }
        let (second, _) = rebalance(strategy, &topics, &survivors, 5)?;
        check_exactly_once(&topics, &survivors, &second)?;
    }

    /// Equal subscriptions: balanced, nothing moves when membership is unchanged, and a join or leave
    /// moves exactly the minimum number of partitions needed for balance.
    #[test]
    fn balanced_and_sticky_with_equal_subscriptions(
        strategy in sticky_strategy(),
        topics in topics_strategy(),
        ids in member_ids(),
        join in any::<bool>(),
        leave in any::<prop::sample::Index>(),
    ) {
        let names: Vec<&str> = topics.keys().map(String::as_str).collect();
        let members: Vec<MemberSubscription> = ids.iter().map(|id| MemberSubscription::new(id.clone(), &names)).collect();
        let (first, _) = rebalance(strategy, &topics, &members, 1)?;
        check_exactly_once(&topics, &members, &first)?;
        prop_assert!(spread(&first) <= 1, "unbalanced: {:?}", first);

        let same = next_round(&members, &first, 4);
        let (again, rounds) = rebalance(strategy, &topics, &same, 4)?;
        prop_assert_eq!(&again, &first, "unchanged membership moved partitions");
        prop_assert_eq!(rounds, 1);

        let mut changed = same.clone();
        if join || changed.len() == 1 {
            changed.push(MemberSubscription::new("joiner~", &names));
        } else {
            changed.remove(leave.index(changed.len()));
        }
        let (after, _) = rebalance(strategy, &topics, &changed, 4)?;
        check_exactly_once(&topics, &changed, &after)?;
        prop_assert!(spread(&after) <= 1, "unbalanced after change: {:?}", after);
        let moved = changed.iter().map(|m| m.owned.iter().filter(|tp| !after[&m.member_id].contains(tp)).count()).sum::<usize>();
        let counts: Vec<usize> = changed.iter().map(|m| m.owned.len()).collect();
        let total: usize = topics.values().map(|&n| n as usize).sum();
        prop_assert_eq!(moved, min_moves(&counts, total));
    }
}

/// The size a later `kafkalab bench` will time: 200 members over 1,000 partitions, every assignor once.
#[test]
fn every_assignor_handles_200_members_over_1000_partitions() {
    let topics: Topics = (0..10).map(|t| (format!("topic-{t}"), 100)).collect();
    let names: Vec<&str> = topics.keys().map(String::as_str).collect();
    let members: Vec<MemberSubscription> = (0..200)
        .map(|i| {
            MemberSubscription::new(format!("consumer-{i}-{:08x}", (i as u32).wrapping_mul(2_654_435_761)), &names)
        })
        .collect();
    let everything = all_partitions(&topics, &names.iter().copied().collect());
    for strategy in Strategy::ALL {
        let a = assign(strategy, &topics, &members).unwrap();
        assert_eq!(a.len(), 200);
        let assigned: Vec<&TopicPartition> = a.values().flatten().collect();
        assert_eq!(assigned.len(), 1000, "{strategy}");
        assert_eq!(assigned.into_iter().cloned().collect::<BTreeSet<_>>(), everything, "{strategy}");
        if strategy != Strategy::Range {
            assert!(a.values().all(|l| l.len() == 5), "{strategy} is unbalanced");
        }
    }
    // A rebalance with history: one member leaves, the others keep what they owned.
    let first = assign(Strategy::CooperativeSticky, &topics, &members).unwrap();
    let survivors: Vec<MemberSubscription> = next_round(&members[1..], &first, 1);
    let second = assign(Strategy::CooperativeSticky, &topics, &survivors).unwrap();
    for m in &survivors {
        assert!(m.owned.iter().all(|tp| second[&m.member_id].contains(tp)), "{} lost partitions", m.member_id);
    }
    assert_eq!(second.values().map(Vec::len).sum::<usize>(), 1000);
}
