//! Share groups (KIP-932) end to end: more consumers than partitions all working, a poison
//! record released until the delivery limit archives it, a crashed consumer's records delivered
//! again once their acquisition locks expire.

use crate::common::pairs;
use kafkalab_engine::cluster::{Action, ActionOutcome, World, WorldConfig};
use kafkalab_engine::consumer::ConsumerApp;
use kafkalab_engine::group::share::partition::ShareAutoOffsetReset;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::producer::ProducerRecord;
use kafkalab_engine::protocol::{AcknowledgeType, TopicPartition};
use std::collections::{BTreeMap, BTreeSet};

fn cluster(lock_ms: u64) -> (World, u32) {
    let mut config = WorldConfig::default();
    config.broker.group_coordinator.offsets_topic_num_partitions = 5;
    config.broker.share.record_lock_duration_ms = lock_ms;
    config.broker.share.auto_offset_reset = ShareAutoOffsetReset::Earliest;
    config.fact_history = 1_000_000;
    let mut world = World::new(config, 5).unwrap();
    world
        .apply(Action::CreateTopic { name: "jobs".into(), partitions: 2, replication_factor: 3, configs: Vec::new() })
        .unwrap();
    let ActionOutcome::ProducerAdded { producer } =
        world.apply(Action::AddProducer { name: "p".into(), configs: Vec::new() }).unwrap()
    else {
        panic!("producer")
    };
    (world, producer)
}

fn add_share_consumer(world: &mut World, name: &str, app: ConsumerApp) -> u32 {
    let configs = pairs(&[("group.id", "queue"), ("group.protocol", "share")]);
    match world.apply(Action::AddConsumer { name: name.into(), topics: vec!["jobs".into()], configs, app }).unwrap() {
        ActionOutcome::ConsumerAdded { consumer } => consumer,
        other => panic!("{other:?}"),
    }
}

/// Per member, the offsets it accepted.
fn accepted(world: &World) -> BTreeMap<String, Vec<(TopicPartition, i64)>> {
    let mut by_member: BTreeMap<String, Vec<(TopicPartition, i64)>> = BTreeMap::new();
    for f in world.facts() {
        if let Fact::ShareRecordsAcknowledged {
            member_id,
            topic_partition,
            kind: AcknowledgeType::Accept,
            offsets,
            ..
        } = &f.fact
        {
            let list = by_member.entry(member_id.clone()).or_default();
            list.extend(offsets.iter().map(|o| (topic_partition.clone(), *o)));
        }
    }
    by_member
}

#[test]
fn more_consumers_than_partitions_all_do_work_and_each_record_is_accepted_once() {
    let (mut world, producer) = cluster(30_000);
    world
        .apply(Action::StartStream {
            producer,
            topic: "jobs".into(),
            records_per_sec: 100,
            keys: KeyPattern::Cycle { prefix: "k".into(), count: 16 },
        })
        .unwrap();
    let app = ConsumerApp { processing_ms_per_record: 30, ..ConsumerApp::default() };
    for i in 1..=4 {
        add_share_consumer(&mut world, &format!("worker-{i}"), app.clone());
    }
    world.run_until(20_000);
    let accepted = accepted(&world);
    assert_eq!(accepted.len(), 4, "all four members accepted records: {:?}", accepted.keys());
    let all: Vec<&(TopicPartition, i64)> = accepted.values().flatten().collect();
    let unique: BTreeSet<&(TopicPartition, i64)> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "a record was accepted twice");
    assert!(all.len() > 1_000, "{} records accepted", all.len());
    // Both partitions are shared by two members.
    let joined = world.facts().filter(|f| matches!(f.fact, Fact::ShareMemberJoined { .. })).count();
    assert_eq!(joined, 4);
}

#[test]
fn a_poison_record_is_released_until_the_delivery_limit_archives_it() {
    let (mut world, producer) = cluster(30_000);
    let app = ConsumerApp { fail_on_key: Some("poison".into()), ..ConsumerApp::default() };
    add_share_consumer(&mut world, "worker-1", app.clone());
    add_share_consumer(&mut world, "worker-2", app);
    world.run_until(3_000);
    for key in ["a", "poison", "b"] {
        let record = ProducerRecord {
            topic: "jobs".into(),
            partition: Some(0),
            key: Some(key.as_bytes().to_vec()),
            value: Some(b"v".to_vec()),
            headers: Vec::new(),
        };
        world.apply(Action::Send { producer, record }).unwrap();
    }
    world.run_until(10_000);
    let releases = world
        .facts()
        .filter(|f| matches!(&f.fact, Fact::ShareRecordsAcknowledged { kind: AcknowledgeType::Release, .. }))
        .count();
    assert_eq!(releases, 5, "released at each of its 5 deliveries (group.share.delivery.count.limit)");
    let archived: Vec<(i64, u32)> = world
        .facts()
        .filter_map(|f| match &f.fact {
            Fact::ShareRecordArchived { offset, delivery_count, .. } => Some((*offset, *delivery_count)),
            _ => None,
        })
        .collect();
    assert_eq!(archived, vec![(1, 5)]);
    let max_delivery = world
        .facts()
        .filter_map(|f| match &f.fact {
            Fact::ShareRecordsAcquired { records, .. } => records.iter().map(|(_, c)| *c).max(),
            _ => None,
        })
        .max();
    assert_eq!(max_delivery, Some(5));
    let accepted: usize = accepted(&world).values().map(Vec::len).sum();
    assert_eq!(accepted, 2, "the two good records are done");
}

#[test]
fn a_crashed_consumers_records_are_delivered_again_after_the_lock_expires() {
    let (mut world, producer) = cluster(5_000);
    world
        .apply(Action::StartStream {
            producer,
            topic: "jobs".into(),
            records_per_sec: 50,
            keys: KeyPattern::Cycle { prefix: "k".into(), count: 16 },
        })
        .unwrap();
    let app = ConsumerApp { processing_ms_per_record: 20, ..ConsumerApp::default() };
    let victim = add_share_consumer(&mut world, "worker-1", app.clone());
    // Four members on two partitions: each partition has a second member to take over.
    for i in 2..=4 {
        add_share_consumer(&mut world, &format!("worker-{i}"), app.clone());
    }
    world.run_until(6_000);
    // Crash it while it processes records it acquired.
    while world.consumer(victim).is_none_or(|c| c.in_flight_records() == 0) {
        world.step();
    }
    world.apply(Action::CrashConsumer { consumer: victim }).unwrap();
    let crashed_at = world.now();
    world.run_until(crashed_at + 20_000);
    let expired: Vec<(u64, usize)> = world
        .facts()
        .filter_map(|f| match &f.fact {
            Fact::ShareLocksReleased { expired: true, offsets, .. } => Some((f.at_ms, offsets.len())),
            _ => None,
        })
        .collect();
    assert!(!expired.is_empty(), "the crashed member's locks expired");
    assert!(expired.iter().all(|(at, _)| *at > crashed_at && *at <= crashed_at + 5_000));
    let redelivered = world.facts().any(|f| {
        matches!(&f.fact, Fact::ShareRecordsAcquired { records, .. } if f.at_ms > crashed_at && records.iter().any(|(_, c)| *c == 2))
    });
    assert!(redelivered, "another member got the records a second time");
}

/// The leader of `jobs-<partition>` in the committed metadata.
fn leader_of(world: &World, partition: i32) -> i32 {
    world.metadata().partition(&TopicPartition::new("jobs", partition)).map(|p| p.leader).unwrap()
}

/// Sends `count` records to partition 0.
fn send_to_partition_0(world: &mut World, producer: u32, count: usize) {
    for i in 0..count {
        let record = ProducerRecord {
            topic: "jobs".into(),
            partition: Some(0),
            key: Some(format!("k{i}").into_bytes()),
            value: Some(b"v".to_vec()),
            headers: Vec::new(),
        };
        world.apply(Action::Send { producer, record }).unwrap();
    }
}

/// KIP-932's `__share_group_state`: the new partition leader reads the share coordinator's state
/// (`SharePartition.maybeInitialize`) and continues from the persisted SPSO, so records accepted
/// under the old leader are not delivered again (before, a new leader started afresh at
/// `share.auto.offset.reset` and delivered them all a second time).
#[test]
fn acknowledged_records_are_not_redelivered_after_the_partition_leader_changes() {
    let (mut world, producer) = cluster(30_000);
    add_share_consumer(&mut world, "worker-1", ConsumerApp::default());
    world.run_until(3_000);
    send_to_partition_0(&mut world, producer, 20);
    world.run_until(10_000);
    let tp0 = TopicPartition::new("jobs", 0);
    let accepted_before: BTreeSet<i64> =
        accepted(&world).values().flatten().filter(|(tp, _)| *tp == tp0).map(|(_, o)| *o).collect();
    assert_eq!(accepted_before, (0..20).collect(), "every record accepted under the first leader");

    let old_leader = leader_of(&world, 0);
    world.apply(Action::KillBroker { broker: old_leader }).unwrap();
    let killed_at = world.now();
    world.run_until(killed_at + 15_000);
    let new_leader = leader_of(&world, 0);
    assert_ne!(new_leader, old_leader);
    send_to_partition_0(&mut world, producer, 5);
    world.run_until(killed_at + 30_000);

    let loaded: Vec<(i32, i64, bool)> = world
        .facts()
        .filter(|f| f.at_ms > killed_at)
        .filter_map(|f| match &f.fact {
            Fact::SharePartitionInitialized { broker, topic_partition, start_offset, persisted, .. }
                if *topic_partition == tp0 =>
            {
                Some((*broker, *start_offset, *persisted))
            }
            _ => None,
        })
        .collect();
    assert_eq!(loaded, vec![(new_leader, 20, true)], "the new leader continued from the persisted SPSO");
    let mut accepted_offsets: Vec<i64> =
        accepted(&world).values().flatten().filter(|(tp, _)| *tp == tp0).map(|(_, o)| *o).collect();
    accepted_offsets.sort_unstable();
    assert_eq!(accepted_offsets, (0..25).collect::<Vec<_>>(), "each record accepted exactly once");
}
