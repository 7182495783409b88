//! Partition reassignment (KIP-455) and admin leader elections (KIP-460) through the active
//! controller: `ReplicationControlManager.alterPartitionReassignments` and `electLeaders`.

use crate::common::pairs;
use kafkalab_engine::cluster::{Action, ActionOutcome, World, WorldConfig};
use kafkalab_engine::controller::quorum::PartitionResult;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::protocol::{ElectionType, ErrorCode, TopicPartition};

/// Four brokers, topic `t` on brokers 1, 2, 3 (leader 1), `min.insync.replicas=2`, and a
/// producer (acks=all) writing 200 records/s for two seconds before anything moves.
fn moving_world() -> (World, TopicPartition) {
    let config =
        WorldConfig { brokers: 4, track_acked_records: true, fact_history: 1_000_000, ..WorldConfig::default() };
    let mut world = World::new(config, 7).unwrap();
    world.run_until(2_000);
    world
        .apply(Action::CreateTopicWithAssignment {
            name: "t".into(),
            assignment: vec![vec![1, 2, 3]],
            configs: pairs(&[("min.insync.replicas", "2")]),
        })
        .unwrap();
    world.run_until(2_500);
    let producer = match world.apply(Action::AddProducer { name: "p".into(), configs: Vec::new() }).unwrap() {
        ActionOutcome::ProducerAdded { producer } => producer,
        other => panic!("{other:?}"),
    };
    world
        .apply(Action::StartStream { producer, topic: "t".into(), records_per_sec: 200, keys: KeyPattern::None })
        .unwrap();
    world.run_until(4_500);
    (world, TopicPartition::new("t", 0))
}

fn results(outcome: ActionOutcome) -> Vec<PartitionResult> {
    match outcome {
        ActionOutcome::PartitionResults { results } => results,
        other => panic!("{other:?}"),
    }
}

fn reassign(world: &mut World, tp: &TopicPartition, target: Option<Vec<i32>>) -> Vec<PartitionResult> {
    results(world.apply(Action::AlterPartitionReassignments { reassignments: vec![(tp.clone(), target)] }).unwrap())
}

/// KIP-455 end to end: the union first (target + removing, with adding/removing), the new
/// replica catching up as a follower, then completion when it joins the ISR: replicas = target,
/// the removed leader replaced with a bumped leader epoch, its log deleted; no acknowledged
/// record is lost while the producer keeps writing.
#[test]
fn a_reassignment_adds_the_new_replica_then_removes_the_old_one() {
    let (mut world, tp) = moving_world();
    let before = world.metadata().partition(&tp).unwrap().clone();
    assert_eq!((before.replicas.clone(), before.leader), (vec![1, 2, 3], 1));
    let answer = reassign(&mut world, &tp, Some(vec![2, 3, 4]));
    assert_eq!(answer[0].error, ErrorCode::None);
    let during = world.metadata().partition(&tp).unwrap().clone();
    assert_eq!(during.replicas, vec![2, 3, 4, 1], "PartitionReassignmentReplicas: target, then removing");
    assert_eq!((during.adding_replicas().to_vec(), during.removing_replicas().to_vec()), (vec![4], vec![1]));
    assert_eq!(during.leader_epoch, before.leader_epoch, "adding replicas does not bump the leader epoch");
    assert!(!during.isr.contains(&4), "the new replica starts out of the ISR");
    world.run_until(12_000);
    let after = world.metadata().partition(&tp).unwrap().clone();
    assert_eq!(after.replicas, vec![2, 3, 4]);
    assert!(after.adding_replicas().is_empty() && after.removing_replicas().is_empty());
    assert_eq!(after.leader, 2, "the first replica of the target in the ISR leads");
    assert!(after.leader_epoch > before.leader_epoch);
    assert!(!after.isr.contains(&1) && after.isr.contains(&4));

    let facts: Vec<_> = world.facts().cloned().collect();
    let position = |p: &dyn Fn(&Fact) -> bool| facts.iter().position(|f| p(&f.fact));
    let started = position(&|f| matches!(f, Fact::PartitionReassignmentStarted { adding, .. } if adding == &vec![4]))
        .expect("started");
    let completed = position(&|f| {
        matches!(f, Fact::PartitionReassignmentCompleted { replicas, removed, .. }
            if replicas == &vec![2, 3, 4] && removed == &vec![1])
    })
    .expect("completed");
    assert!(facts[completed].at_ms > facts[started].at_ms, "the new replica had to catch up first");
    // Nothing left the ISR meanwhile, and the leader that completed it has broker 4 in its ISR.
    assert!(!facts[started..completed].iter().any(|f| matches!(&f.fact, Fact::LeaderElected { .. })));
    assert!(matches!(
        facts[completed + 1..].iter().map(|f| &f.fact).find(|f| matches!(f, Fact::LeaderElected { .. })),
        Some(Fact::LeaderElected { leader: 2, previous_leader: 1, isr, .. }) if isr.contains(&4)
    ));
    assert!(facts.iter().any(|f| matches!(f.fact, Fact::ReplicaDeleted { broker: 1, .. })));
    assert!(!world.broker(1).unwrap().durable.replicas.contains_key(&tp), "broker 1 deleted its log");
    let new_replica = &world.broker(4).unwrap().durable.replicas[&tp];
    let leader_replica = &world.broker(2).unwrap().durable.replicas[&tp];
    assert!(new_replica.log.log_end_offset() > 0);
    assert_eq!(new_replica.log.log_start_offset(), leader_replica.log.log_start_offset());
    assert_eq!(world.delivery().lost(&tp).count(), 0, "no acknowledged record lost");
}

/// `PartitionReassignmentRevert`: cancelling takes the adding replicas out again; the target
/// broker deletes what it had copied.
#[test]
fn cancelling_a_reassignment_reverts_to_the_original_replicas() {
    let (mut world, tp) = moving_world();
    // Broker 4 cannot catch up while it is cut off from the leader.
    world.apply(Action::IsolateNode { node: kafkalab_engine::sim::NodeId::Broker(4) }).unwrap();
    reassign(&mut world, &tp, Some(vec![2, 3, 4]));
    world.run_until(6_000);
    assert!(world.metadata().partition(&tp).unwrap().is_reassigning());
    let answer = reassign(&mut world, &tp, None);
    assert_eq!(answer[0].error, ErrorCode::None);
    let reverted = world.metadata().partition(&tp).unwrap().clone();
    assert_eq!((reverted.replicas.clone(), reverted.leader), (vec![2, 3, 1], 1));
    assert!(!reverted.is_reassigning());
    assert!(world.facts().any(
        |f| matches!(&f.fact, Fact::PartitionReassignmentCancelled { replicas, .. } if replicas == &vec![2, 3, 1])
    ));
    let again = reassign(&mut world, &tp, None);
    assert_eq!(again[0].error, ErrorCode::NoReassignmentInProgress);
    assert_eq!(again[0].message, "No partition reassignment is in progress.");
}

/// `validateManualPartitionAssignment` and the unknown-partition answers, with Kafka's messages.
#[test]
fn bad_targets_get_kafkas_errors_and_change_nothing() {
    let (mut world, tp) = moving_world();
    let before = world.metadata().partition(&tp).unwrap().clone();
    let cases: [(TopicPartition, Option<Vec<i32>>, ErrorCode, &str); 5] = [
        (
            tp.clone(),
            Some(vec![2, 9]),
            ErrorCode::InvalidReplicaAssignment,
            "The manual partition assignment includes broker 9, but no such broker is registered.",
        ),
        (
            tp.clone(),
            Some(vec![2, 2]),
            ErrorCode::InvalidReplicaAssignment,
            "The manual partition assignment includes the broker 2 more than once.",
        ),
        (
            tp.clone(),
            Some(vec![]),
            ErrorCode::InvalidReplicaAssignment,
            "The manual partition assignment includes an empty replica list.",
        ),
        (
            TopicPartition::new("nope", 0),
            Some(vec![1]),
            ErrorCode::UnknownTopicOrPartition,
            "Unable to find a topic named nope.",
        ),
        (
            TopicPartition::new("t", 3),
            Some(vec![1]),
            ErrorCode::UnknownTopicOrPartition,
            "Unable to find partition t:3.",
        ),
    ];
    for (tp, target, error, message) in cases {
        let answer = reassign(&mut world, &tp, target);
        assert_eq!((answer[0].error, answer[0].message.as_str()), (error, message));
    }
    assert_eq!(world.metadata().partition(&tp).unwrap(), &before);
}

/// `ReplicationControlManager.electLeader`: PREFERRED moves leadership back to the first replica
/// once it is in the ISR; a partition already led by it needs no election.
#[test]
fn a_preferred_election_moves_leadership_to_the_first_replica() {
    let (mut world, tp) = moving_world();
    let elect = |world: &mut World| {
        results(
            world
                .apply(Action::ElectLeaders { election: ElectionType::Preferred, partitions: Some(vec![tp.clone()]) })
                .unwrap(),
        )
    };
    assert_eq!(elect(&mut world)[0].error, ErrorCode::ElectionNotNeeded);
    reassign(&mut world, &tp, Some(vec![3, 1, 2]));
    let reordered = world.metadata().partition(&tp).unwrap().clone();
    assert_eq!((reordered.replicas, reordered.leader), (vec![3, 1, 2], 1), "a reorder completes at once");
    let answer = elect(&mut world);
    assert_eq!(answer[0].error, ErrorCode::None);
    assert_eq!(world.metadata().partition(&tp).unwrap().leader, 3);
    assert!(world.facts().any(|f| matches!(&f.fact, Fact::LeaderElectionAnswered { election: ElectionType::Preferred, elected, .. } if elected == &vec![tp.clone()])));
    let all =
        results(world.apply(Action::ElectLeaders { election: ElectionType::Preferred, partitions: None }).unwrap());
    assert!(all.is_empty(), "with every partition asked, those not needing one are left out: {all:?}");
}

/// UNCLEAN only for a partition without a leader: it elects a live replica out of the ISR.
#[test]
fn an_unclean_election_needs_a_leaderless_partition() {
    let (mut world, _) = moving_world();
    world
        .apply(Action::CreateTopicWithAssignment {
            name: "u".into(),
            assignment: vec![vec![4, 1]],
            configs: pairs(&[("min.insync.replicas", "1")]),
        })
        .unwrap();
    world.run_until(5_000);
    let tp = TopicPartition::new("u", 0);
    let unclean = |world: &mut World| {
        results(
            world
                .apply(Action::ElectLeaders { election: ElectionType::Unclean, partitions: Some(vec![tp.clone()]) })
                .unwrap(),
        )
    };
    assert_eq!(unclean(&mut world)[0].error, ErrorCode::ElectionNotNeeded);
    // Brokers 1-3 are the quorum's voters: only one of them may go.
    world.apply(Action::KillBroker { broker: 1 }).unwrap();
    world.run_until(25_000);
    assert_eq!(world.metadata().partition(&tp).unwrap().isr, vec![4]);
    world.apply(Action::KillBroker { broker: 4 }).unwrap();
    world.run_until(36_000);
    world.apply(Action::RestartBroker { broker: 1 }).unwrap();
    world.run_until(50_000);
    let offline = world.metadata().partition(&tp).unwrap().clone();
    assert_eq!(offline.leader, -1, "only broker 4 was in sync: {offline:?}");
    let answer = unclean(&mut world);
    assert_eq!(answer[0].error, ErrorCode::None, "{answer:?}");
    let elected = world.metadata().partition(&tp).unwrap();
    assert_eq!((elected.leader, elected.isr.clone()), (1, vec![1]));
    assert!(world.facts().any(|f| matches!(&f.fact, Fact::LeaderElected { leader: 1, unclean: true, .. })));
}
