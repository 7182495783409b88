//! The admin client's actions: CreatePartitions and an OffsetCommit outside the group protocol.

use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome, World, WorldConfig};
use kafkalab_engine::consumer::ConsumerApp;
use kafkalab_engine::controller::CreateTopicError;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::ProducerRecord;
use kafkalab_engine::protocol::TopicPartition;

fn world_with_topic(partitions: i32) -> World {
    let mut world = World::new(WorldConfig::default(), 3).unwrap();
    world
        .apply(Action::CreateTopic { name: "t".into(), partitions, replication_factor: 2, configs: Vec::new() })
        .unwrap();
    world.run_until(2_000);
    world
}

/// Committed offsets of `group` on its coordinator.
fn committed(world: &World, group: &str) -> Vec<(TopicPartition, i64)> {
    world
        .brokers()
        .find(|b| b.volatile.group_coordinator.is_coordinator_for(group))
        .and_then(|b| b.volatile.group_coordinator.offsets.get(group))
        .map(|m| m.iter().map(|(tp, o)| (tp.clone(), o.committed_offset)).collect())
        .unwrap_or_default()
}

#[test]
fn create_partitions_adds_led_partitions_and_keeps_the_old_ones() {
    let mut world = world_with_topic(2);
    let before = world.metadata().topics["t"].partitions.clone();
    world.apply(Action::CreatePartitions { topic: "t".into(), total: 5 }).unwrap();
    world.run_until(4_000);
    let after = &world.metadata().topics["t"].partitions;
    assert_eq!(after.len(), 5);
    assert_eq!(&after[..2], &before[..]);
    assert!(after.iter().all(|p| p.leader >= 0 && p.replicas.len() == 2));
    for (i, p) in after.iter().enumerate().skip(2) {
        let tp = TopicPartition::new("t", i as i32);
        assert!(world.broker(p.leader).unwrap().durable.replicas.contains_key(&tp), "leader of {tp} hosts it");
    }
}

#[test]
fn create_partitions_refuses_to_shrink_or_unknown_topics() {
    let mut world = world_with_topic(3);
    assert_eq!(
        world.apply(Action::CreatePartitions { topic: "t".into(), total: 3 }),
        Err(ActionError::CreateTopic(CreateTopicError::PartitionsNotIncreased {
            topic: "t".into(),
            current: 3,
            requested: 3
        }))
    );
    assert_eq!(
        world.apply(Action::CreatePartitions { topic: "nope".into(), total: 3 }),
        Err(ActionError::CreateTopic(CreateTopicError::UnknownTopic("nope".into())))
    );
}

#[test]
fn admin_offset_commit_applies_only_to_an_empty_group() {
    let mut world = world_with_topic(1);
    assert_eq!(
        world.apply(Action::AlterConsumerGroupOffsets { group: "g".into(), offsets: Vec::new() }),
        Err(ActionError::NoCoordinator("g".into())),
        "no __consumer_offsets yet, so no coordinator"
    );
    let ActionOutcome::ProducerAdded { producer } =
        world.apply(Action::AddProducer { name: "p".into(), configs: Vec::new() }).unwrap()
    else {
        panic!("producer")
    };
    for value in ["a", "b", "c"] {
        let record = ProducerRecord {
            topic: "t".into(),
            partition: None,
            key: None,
            value: Some(value.as_bytes().to_vec()),
            headers: Vec::new(),
        };
        world.apply(Action::Send { producer, record }).unwrap();
    }
    let ActionOutcome::ConsumerAdded { consumer } = world
        .apply(Action::AddConsumer {
            name: "c".into(),
            topics: vec!["t".into()],
            configs: vec![("group.id".into(), "g".into()), ("auto.offset.reset".into(), "earliest".into())],
            app: ConsumerApp::default(),
        })
        .unwrap()
    else {
        panic!("consumer")
    };
    world.run_until(20_000);
    let tp = TopicPartition::new("t", 0);
    assert_eq!(committed(&world, "g"), vec![(tp.clone(), 3)]);
    // While the member is in the group the coordinator refuses a commit without a generation.
    world.apply(Action::AlterConsumerGroupOffsets { group: "g".into(), offsets: vec![(tp.clone(), 0)] }).unwrap();
    world.run_until(21_000);
    assert_eq!(committed(&world, "g"), vec![(tp.clone(), 3)]);
    world.apply(Action::CloseConsumer { consumer }).unwrap();
    world.run_until(22_000);
    world.apply(Action::AlterConsumerGroupOffsets { group: "g".into(), offsets: vec![(tp.clone(), 1)] }).unwrap();
    world.run_until(23_000);
    assert_eq!(committed(&world, "g"), vec![(tp, 1)]);
}

/// With `broker.rack` set, CreateTopics and CreatePartitions place each partition's replicas in
/// distinct racks (`StripedReplicaPlacer`), and the metadata carries every broker's rack.
#[test]
fn topic_creation_places_replicas_across_racks() {
    let racks: Vec<String> = ["az-a", "az-a", "az-b", "az-b", "az-c", "az-c"].iter().map(|r| r.to_string()).collect();
    let mut world = World::new(WorldConfig { brokers: 6, racks: racks.clone(), ..WorldConfig::default() }, 5).unwrap();
    world
        .apply(Action::CreateTopic { name: "t".into(), partitions: 6, replication_factor: 3, configs: Vec::new() })
        .unwrap();
    world.run_until(2_000);
    world.apply(Action::CreatePartitions { topic: "t".into(), total: 9 }).unwrap();
    world.run_until(4_000);
    let metadata = world.metadata();
    assert_eq!(metadata.racks.values().cloned().collect::<Vec<_>>(), racks);
    let partitions = &metadata.topics["t"].partitions;
    assert_eq!(partitions.len(), 9);
    for p in partitions {
        let mut in_racks: Vec<&String> = p.replicas.iter().map(|r| &metadata.racks[r]).collect();
        in_racks.sort();
        in_racks.dedup();
        assert_eq!(in_racks.len(), 3, "{:?} spans the three racks", p.replicas);
    }
}

/// A rack per broker, or none: anything else is a clear error naming `broker.rack`.
#[test]
fn racks_must_match_the_brokers() {
    let with = |racks: &[&str]| {
        World::new(
            WorldConfig { brokers: 3, racks: racks.iter().map(|r| r.to_string()).collect(), ..WorldConfig::default() },
            1,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    assert!(with(&[]).is_ok());
    assert!(with(&["a", "b", "c"]).is_ok());
    let e = with(&["a", "b"]).unwrap_err();
    assert!(e.contains("`broker.rack`") && e.contains("3 brokers, 2 racks"), "{e}");
    let e = with(&["a", "", "c"]).unwrap_err();
    assert!(e.contains("`broker.rack`") && e.contains("non-empty"), "{e}");
    let e = with(&["a", "b c", "d"]).unwrap_err();
    assert!(e.contains("`broker.rack`"), "{e}");
}

/// Kafka's `ConsumerCoordinator.rejoinNeededOrPending`: the classic group's leader keeps the
/// metadata it assigned with (`assignmentSnapshot`); when a refresh shows more partitions, it
/// rejoins and the new partitions are assigned. Here the refresh follows a partition leader's
/// death; without the check the new partitions would stay unread.
#[test]
fn the_classic_group_leader_rejoins_when_partitions_are_added() {
    use kafkalab_engine::protocol::ErrorCode;
    let mut world = world_with_topic(2);
    let configs = vec![("group.id".into(), "g".into()), ("auto.offset.reset".into(), "earliest".into())];
    let outcome = world.apply(Action::AddConsumer {
        name: "a".into(),
        topics: vec!["t".into()],
        configs,
        app: ConsumerApp::default(),
    });
    let Ok(ActionOutcome::ConsumerAdded { consumer }) = outcome else { panic!("consumer") };
    world.run_until(20_000);
    assert_eq!(world.consumer(consumer).unwrap().assignment.len(), 2);
    world.apply(Action::CreatePartitions { topic: "t".into(), total: 4 }).unwrap();
    world.run_until(22_000);
    let coordinator = world.brokers().find(|b| b.volatile.group_coordinator.is_coordinator_for("g")).unwrap().id;
    let leader = world.metadata().topics["t"].partitions[..2].iter().map(|p| p.leader).find(|l| *l != coordinator);
    world.apply(Action::KillBroker { broker: leader.expect("a partition of t led by another broker") }).unwrap();
    world.run_until(60_000);
    assert_eq!(world.consumer(consumer).unwrap().assignment.len(), 4, "the new partitions are assigned");
    assert!(world.facts().any(|f| matches!(&f.fact, Fact::RejoinRequested { error: ErrorCode::None, .. })));
}

/// A killed broker process closes its connections: a producer whose acks=all request the
/// leader was holding (its followers cut off) fails it at once with NETWORK_EXCEPTION, instead
/// of waiting `request.timeout.ms` for an answer that cannot come.
#[test]
fn a_killed_broker_fails_the_requests_it_was_holding_at_once() {
    use kafkalab_engine::sim::NodeId;
    let mut world = World::new(WorldConfig::default(), 3).unwrap();
    let configs = vec![("min.insync.replicas".into(), "2".into())];
    world.apply(Action::CreateTopic { name: "t".into(), partitions: 1, replication_factor: 3, configs }).unwrap();
    world.run_until(2_000);
    let Ok(ActionOutcome::ProducerAdded { producer }) =
        world.apply(Action::AddProducer { name: "p".into(), configs: vec![("acks".into(), "all".into())] })
    else {
        panic!("producer")
    };
    let leader = world.metadata().topics["t"].partitions[0].leader;
    for follower in (1..=3).filter(|b| *b != leader) {
        let (from, to) = (NodeId::Broker(leader), NodeId::Broker(follower));
        world.apply(Action::CutLink { from, to, both: true }).unwrap();
    }
    let record = ProducerRecord {
        topic: "t".into(),
        partition: Some(0),
        key: None,
        value: Some(b"v".to_vec()),
        headers: Vec::new(),
    };
    world.apply(Action::Send { producer, record }).unwrap();
    world.run_until(3_000);
    assert!(world.producer(producer).unwrap().awaits_answer_from(leader), "the leader holds the request");
    world.apply(Action::KillBroker { broker: leader }).unwrap();
    world.run_until(3_100);
    let failed = world.facts().find_map(|f| match &f.fact {
        Fact::ProduceFailed { error, .. } if f.at_ms > 3_000 => Some(*error),
        _ => None,
    });
    assert_eq!(failed, Some(kafkalab_engine::protocol::ErrorCode::NetworkException));
}
