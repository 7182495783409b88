//! DeleteTopics (`kafka-topics --delete`): the controller's `RemoveTopicRecord`, brokers deleting
//! the replicas, the group coordinator deleting committed offsets
//! (`GroupCoordinatorService.onPartitionsDeleted`), and the clients losing the partitions.

use kafkalab_engine::check::invariants::InvariantChecker;
use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome, World, WorldConfig};
use kafkalab_engine::consumer::ConsumerApp;
use kafkalab_engine::controller::CreateTopicError;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::protocol::{ErrorCode, TopicPartition};

fn create(world: &mut World, name: &str) {
    world
        .apply(Action::CreateTopic { name: name.into(), partitions: 2, replication_factor: 2, configs: Vec::new() })
        .unwrap();
}

/// Steps to `until`, checking every invariant after each event.
fn run_checked(world: &mut World, checker: &mut InvariantChecker, until: u64) {
    while world.next_event_time().is_some_and(|t| t <= until) {
        world.step();
        checker.check(world);
    }
    world.run_until(until);
    assert!(checker.is_clean(), "{:?}", checker.violations().next());
}

/// A producer streaming to `t`, a group `g` consuming it and committing; then `t` is deleted.
fn deleted_while_in_use() -> (World, InvariantChecker, u64) {
    let mut world = World::new(WorldConfig { fact_history: 100_000, ..WorldConfig::default() }, 7).unwrap();
    let mut checker = InvariantChecker::default();
    create(&mut world, "t");
    run_checked(&mut world, &mut checker, 2_000);
    let ActionOutcome::ProducerAdded { producer } =
        world.apply(Action::AddProducer { name: "p".into(), configs: Vec::new() }).unwrap()
    else {
        panic!("producer")
    };
    world
        .apply(Action::StartStream { producer, topic: "t".into(), records_per_sec: 20, keys: KeyPattern::None })
        .unwrap();
    world
        .apply(Action::AddConsumer {
            name: "c".into(),
            topics: vec!["t".into()],
            configs: vec![("group.id".into(), "g".into()), ("group.protocol".into(), "consumer".into())],
            app: ConsumerApp::default(),
        })
        .unwrap();
    run_checked(&mut world, &mut checker, 20_000);
    let deleted_at = world.fact_count();
    world.apply(Action::DeleteTopics { topics: vec!["t".into()] }).unwrap();
    run_checked(&mut world, &mut checker, 20_500);
    (world, checker, deleted_at)
}

/// Committed offsets of `group` on its coordinator.
fn committed_topics(world: &World, group: &str) -> Vec<String> {
    let coordinator = world.brokers().find(|b| b.volatile.group_coordinator.is_coordinator_for(group)).unwrap();
    let offsets = coordinator.volatile.group_coordinator.offsets.get(group);
    offsets.map(|m| m.keys().map(|tp| tp.topic.to_string()).collect()).unwrap_or_default()
}

#[test]
fn a_deleted_topic_leaves_the_brokers_the_offsets_and_the_clients() {
    let (mut world, mut checker, deleted_at) = deleted_while_in_use();
    // Once the coordinator's broker applied the RemoveTopicRecord, the offsets are gone. (A member
    // that still owns a deleted partition until its next heartbeat may commit it again, as in
    // Kafka: the coordinator does not check that a committed topic exists.)
    assert_eq!(committed_topics(&world, "g"), Vec::<String>::new());
    run_checked(&mut world, &mut checker, 40_000);
    let after: Vec<&Fact> = world.facts().filter(|f| f.index >= deleted_at).map(|f| &f.fact).collect();
    assert!(after.iter().any(|f| matches!(f, Fact::TopicDeleted { topic, partitions: 2 } if topic == "t")));
    assert!(!world.metadata().topics.contains_key("t"));
    for broker in world.brokers() {
        assert!(broker.durable.replicas.keys().all(|tp| tp.topic != "t"), "broker {} keeps a replica", broker.id);
    }
    // Two partitions, two replicas each: four replicas deleted in all.
    let deleted: usize = after
        .iter()
        .filter_map(|f| match f {
            Fact::ReplicasDeleted { topic, partitions, .. } if topic == "t" => Some(partitions.len()),
            _ => None,
        })
        .sum();
    assert_eq!(deleted, 4);
    let offsets_deleted = after.iter().find_map(|f| match f {
        Fact::OffsetsDeleted { group, topic_partitions, .. } if group == "g" => Some(topic_partitions.clone()),
        _ => None,
    });
    assert_eq!(offsets_deleted, Some(vec![TopicPartition::new("t", 0), TopicPartition::new("t", 1)]));
    assert!(
        after.iter().any(|f| matches!(
            f,
            Fact::ProduceFailed { error: ErrorCode::UnknownTopicOrPartition, topic_partition, .. }
                if topic_partition.topic == "t"
        )),
        "the producer's next batch is answered UNKNOWN_TOPIC_OR_PARTITION: {:?}",
        after
            .iter()
            .filter(|f| matches!(f, Fact::ProduceFailed { .. } | Fact::MetadataUpdated { .. }))
            .take(10)
            .collect::<Vec<_>>()
    );
    let consumer = world.consumers().next().unwrap();
    assert!(consumer.assignment.iter().all(|tp| tp.topic != "t"), "{:?}", consumer.assignment);
    assert!(world.view().topics.iter().all(|t| t.name != "t"));
}

#[test]
fn a_topic_created_again_under_the_same_name_starts_empty() {
    let (mut world, mut checker, _) = deleted_while_in_use();
    run_checked(&mut world, &mut checker, 40_000);
    create(&mut world, "t");
    run_checked(&mut world, &mut checker, 50_000);
    let topic = &world.metadata().topics["t"];
    assert_eq!(topic.partitions.len(), 2);
    assert!(topic.partitions.iter().all(|p| p.leader >= 0));
    assert!(!world.facts().any(|f| matches!(f.fact, Fact::AckedRecordsLost { .. })));
}

#[test]
fn delete_topics_refuses_unknown_and_internal_topics() {
    let mut world = World::new(WorldConfig::default(), 7).unwrap();
    create(&mut world, "t");
    world.run_until(2_000);
    assert_eq!(
        world.apply(Action::DeleteTopics { topics: vec!["t".into(), "nope".into()] }),
        Err(ActionError::CreateTopic(CreateTopicError::UnknownTopic("nope".into())))
    );
    assert!(world.metadata().topics.contains_key("t"), "nothing is deleted when one topic is refused");
    world
        .apply(Action::AddConsumer {
            name: "c".into(),
            topics: vec!["t".into()],
            configs: vec![("group.id".into(), "g".into())],
            app: ConsumerApp::default(),
        })
        .unwrap();
    world.run_until(5_000);
    assert_eq!(
        world.apply(Action::DeleteTopics { topics: vec!["__consumer_offsets".into()] }),
        Err(ActionError::CreateTopic(CreateTopicError::InternalTopicDeletion("__consumer_offsets".into())))
    );
}
