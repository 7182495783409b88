//! The consumer group protocol (KIP-848) end to end, and the scale-out it was made for compared
//! with the classic protocol's eager and cooperative rebalances.

use crate::common::pairs;
use kafkalab_engine::cluster::{Action, ActionOutcome, World, WorldConfig};
use kafkalab_engine::consumer::ConsumerApp;
use kafkalab_engine::narration::{Fact, ReconcileState};
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::protocol::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

fn cluster(partitions: i32) -> World {
    let mut config = WorldConfig::default();
    config.broker.group_coordinator.offsets_topic_num_partitions = 5;
    config.fact_history = 1_000_000;
    let mut world = World::new(config, 11).unwrap();
    world
        .apply(Action::CreateTopic { name: "t".into(), partitions, replication_factor: 3, configs: Vec::new() })
        .unwrap();
    let ActionOutcome::ProducerAdded { producer } =
        world.apply(Action::AddProducer { name: "p".into(), configs: Vec::new() }).unwrap()
    else {
        panic!("producer")
    };
    world
        .apply(Action::StartStream {
            producer,
            topic: "t".into(),
            records_per_sec: 200,
            keys: KeyPattern::Cycle { prefix: "k".into(), count: 64 },
        })
        .unwrap();
    world
}

/// What a rebalance cost, read from the consumers' assignment facts in `[from, to)`.
#[derive(Debug, Default)]
struct Pause {
    /// Per consumer, the milliseconds it owned nothing (a new consumer: from its start).
    idle_ms: BTreeMap<u32, u64>,
    /// Summed over partitions: from a revocation to the next owner's assignment.
    partition_paused_ms: u64,
    revoked: usize,
}

/// Replays the assignment facts; fails if a partition ever has two owners at once.
fn pause(world: &World, from: u64, to: u64) -> Pause {
    let mut owner: BTreeMap<TopicPartition, u32> = BTreeMap::new();
    let mut owned: BTreeMap<u32, BTreeSet<TopicPartition>> = BTreeMap::new();
    let mut idle_since: BTreeMap<u32, u64> = BTreeMap::new();
    let mut paused_since: BTreeMap<TopicPartition, u64> = BTreeMap::new();
    let mut result = Pause::default();
    for f in world.facts().filter(|f| f.at_ms < to) {
        let at = f.at_ms.max(from);
        match &f.fact {
            Fact::ConsumerStarted { consumer, .. } => {
                idle_since.insert(*consumer, at);
            }
            Fact::PartitionsAssigned { consumer, partitions, .. } => {
                for tp in partitions {
                    if let Some(other) = owner.insert(tp.clone(), *consumer) {
                        assert_eq!(
                            other, *consumer,
                            "{tp} owned by consumers {other} and {consumer} at {} ms",
                            f.at_ms
                        );
                    }
                    if let Some(since) = paused_since.remove(tp) {
                        result.partition_paused_ms += at - since;
                    }
                }
                let set = owned.entry(*consumer).or_default();
                set.extend(partitions.iter().cloned());
                if !set.is_empty() {
                    if let Some(since) = idle_since.remove(consumer) {
                        *result.idle_ms.entry(*consumer).or_default() += at - since;
                    }
                }
            }
            Fact::PartitionsRevoked { consumer, partitions, .. }
            | Fact::PartitionsLost { consumer, partitions, .. } => {
                let set = owned.entry(*consumer).or_default();
                for tp in partitions {
                    set.remove(tp);
                    owner.remove(tp);
                    if f.at_ms >= from {
                        result.revoked += 1;
                        paused_since.insert(tp.clone(), at);
                    }
                }
                if set.is_empty() {
                    idle_since.entry(*consumer).or_insert(at);
                }
            }
            _ => {}
        }
    }
    for (consumer, since) in idle_since {
        *result.idle_ms.entry(consumer).or_default() += to.max(since) - since;
    }
    result.partition_paused_ms += paused_since.values().map(|since| to.max(*since) - since).sum::<u64>();
    result
}

/// Three members, then a fourth at 20 s, on 8 partitions; each poll's records take a while to
/// process (`max.poll.records` 50 at 20 ms each), so an eager rebalance waits for every member
/// to finish its batch. Returns the world, the members and what the scale-out cost up to 60 s.
fn scale_out(configs: &[(&str, &str)]) -> (World, Vec<u32>, Pause) {
    let mut world = cluster(8);
    let mut configs = configs.to_vec();
    configs.push(("max.poll.records", "50"));
    let app = ConsumerApp { processing_ms_per_record: 20, ..ConsumerApp::default() };
    let add = |world: &mut World, name: &str| match world
        .apply(Action::AddConsumer {
            name: name.into(),
            topics: vec!["t".into()],
            configs: pairs(&configs),
            app: app.clone(),
        })
        .unwrap()
    {
        ActionOutcome::ConsumerAdded { consumer } => consumer,
        other => panic!("unexpected {other:?}"),
    };
    let mut ids: Vec<u32> = (0..3).map(|i| add(&mut world, &format!("c{i}"))).collect();
    world.run_until(20_000);
    ids.push(add(&mut world, "c3"));
    world.run_until(60_000);
    let pause = pause(&world, 20_000, 60_000);
    (world, ids, pause)
}

#[test]
fn consumer_protocol_members_join_and_reconcile_without_a_barrier() {
    let (world, ids, _) = scale_out(&[("group.id", "g"), ("group.protocol", "consumer")]);
    let group = world
        .brokers()
        .find_map(|b| b.volatile.group_coordinator.consumer_groups.get("g"))
        .expect("a coordinator holds the group");
    assert_eq!(group.members.len(), 4);
    assert!(group.members.values().all(|m| m.state == ReconcileState::Stable && m.member_epoch == group.group_epoch));
    let sizes: Vec<usize> = ids.iter().map(|id| world.consumer(*id).unwrap().assignment.len()).collect();
    assert_eq!(sizes, vec![2, 2, 2, 2], "uniform: 8 partitions over 4 members");
    // No JoinGroup, SyncGroup or generation in the whole run.
    assert!(!world.facts().any(|f| matches!(f.fact, Fact::RebalanceStarted { .. } | Fact::JoinCompleted { .. })));
    // After the scale-out, only partitions that moved were revoked, each exactly once.
    let revoked: Vec<TopicPartition> = world
        .facts()
        .filter(|f| f.at_ms >= 20_000)
        .filter_map(|f| match &f.fact {
            Fact::PartitionsRevoked { partitions, .. } => Some(partitions.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(revoked.len(), 2, "3,3,2 -> 2,2,2,2 moves two partitions: {revoked:?}");
    let new_member = world.consumer(ids[3]).unwrap();
    assert_eq!(new_member.assignment, revoked.into_iter().collect::<BTreeSet<_>>());
    // The revocation is acknowledged before the new owner gets the partitions (MemberReconciled
    // of the new member with them comes after the old owners' UNREVOKED_PARTITIONS).
    let reconciled: Vec<(u64, ReconcileState, usize)> = world
        .facts()
        .filter(|f| f.at_ms >= 20_000)
        .filter_map(|f| match &f.fact {
            Fact::MemberReconciled { state, assigned, .. } => Some((f.at_ms, *state, assigned.len())),
            _ => None,
        })
        .collect();
    assert!(reconciled.iter().any(|(_, s, _)| *s == ReconcileState::UnrevokedPartitions));
    assert!(reconciled.iter().any(|(_, s, _)| *s == ReconcileState::UnreleasedPartitions));
}

/// The measurement for the same 3 -> 4 scale-out: consumer-seconds without partitions,
/// and how much of it fell on the members that were already there.
#[test]
fn the_consumer_protocol_pauses_only_what_moves() {
    let runs = [
        ("eager", scale_out(&[("group.id", "g")])),
        ("cooperative", scale_out(&[("group.id", "g"), ("partition.assignment.strategy", "cooperative-sticky")])),
        ("consumer", scale_out(&[("group.id", "g"), ("group.protocol", "consumer")])),
    ];
    for (name, (_, ids, p)) in &runs {
        let existing: u64 = ids[..3].iter().map(|id| p.idle_ms.get(id).copied().unwrap_or(0)).sum();
        let total: u64 = p.idle_ms.values().sum();
        println!(
            "{name}: consumer-ms without partitions {total} (existing members {existing}), partitions revoked {}, partition-ms paused {}",
            p.revoked, p.partition_paused_ms
        );
    }
    let existing_idle = |i: usize| {
        let (_, ids, p) = &runs[i].1;
        ids[..3].iter().map(|id| p.idle_ms.get(id).copied().unwrap_or(0)).sum::<u64>()
    };
    assert!(existing_idle(0) > 0, "eager: every existing member stops");
    assert_eq!(existing_idle(2), 0, "consumer protocol: no existing member is ever without partitions");
    assert_eq!(runs[0].1 .2.revoked, 8, "eager revokes everything");
    assert_eq!(runs[2].1 .2.revoked, 2, "the consumer protocol revokes only the 2 partitions that move");
}
