//! Consumer groups end to end on the simulated cluster: the classic protocol, offsets in
//! `__consumer_offsets`, crashes, cooperative versus eager rebalances, static membership,
//! coordinator failover and delivery semantics.

use crate::common::pairs;
use kafkalab_engine::cluster::{Action, ActionOutcome, TimedFact, World, WorldConfig};
use kafkalab_engine::consumer::{CommitMode, ConsumerApp};
use kafkalab_engine::group::coordinator::classic::ClassicGroupState;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::NodeId;

/// 3 brokers, 5 offsets partitions, topic `t` with `partitions` partitions (RF 3), one producer
/// streaming `rate` records/s.
fn cluster(partitions: i32, rate: u32) -> World {
    let mut config = WorldConfig::default();
    config.broker.group_coordinator.offsets_topic_num_partitions = 5;
    config.fact_history = 1_000_000;
    let mut world = World::new(config, 7).unwrap();
    world
        .apply(Action::CreateTopic { name: "t".into(), partitions, replication_factor: 3, configs: Vec::new() })
        .unwrap();
    let ActionOutcome::ProducerAdded { producer } =
        world.apply(Action::AddProducer { name: "p".into(), configs: Vec::new() }).unwrap()
    else {
        panic!("producer")
    };
    if rate > 0 {
        world
            .apply(Action::StartStream {
                producer,
                topic: "t".into(),
                records_per_sec: rate,
                keys: KeyPattern::Cycle { prefix: "k".into(), count: 50 },
            })
            .unwrap();
    }
    world
}

fn add_consumer(world: &mut World, name: &str, configs: &[(&str, &str)], app: ConsumerApp) -> u32 {
    match world
        .apply(Action::AddConsumer { name: name.into(), topics: vec!["t".into()], configs: pairs(configs), app })
        .unwrap()
    {
        ActionOutcome::ConsumerAdded { consumer } => consumer,
        other => panic!("unexpected {other:?}"),
    }
}

/// The facts a group test reads: routine traffic and the cluster's start-up left out.
fn group_facts(world: &World) -> Vec<&TimedFact> {
    world
        .facts()
        .filter(|f| {
            !f.fact.salience().is_routine()
                && !matches!(
                    f.fact,
                    Fact::LeaderElected { .. }
                        | Fact::TopicCreated { .. }
                        | Fact::BrokerStarted { .. }
                        | Fact::ProducerStarted { .. }
                        | Fact::ProducerIdAssigned { .. }
                )
        })
        .collect()
}

fn print_narration(world: &World) {
    for f in group_facts(world) {
        println!("{:>7} ms  {}", f.at_ms, serde_json::to_string(&f.fact).unwrap());
    }
}

#[test]
fn a_group_shares_partitions_and_extra_consumers_stay_idle() {
    let mut world = cluster(4, 200);
    let ids: Vec<u32> = (0..5)
        .map(|i| add_consumer(&mut world, &format!("c{i}"), &[("group.id", "g")], ConsumerApp::default()))
        .collect();
    world.run_until(20_000);
    print_narration(&world);
    let owned: Vec<usize> = ids.iter().map(|id| world.consumer(*id).unwrap().assignment.len()).collect();
    assert_eq!(owned.iter().sum::<usize>(), 4, "{owned:?}");
    assert_eq!(owned.iter().filter(|n| **n == 0).count(), 1, "one idle consumer: {owned:?}");
    let processed: u64 = ids.iter().map(|id| world.consumer(*id).unwrap().processed_records).sum();
    assert!(processed > 1000, "records flowed: {processed}");
    assert_eq!(ids.iter().map(|id| world.consumer(*id).unwrap().duplicates).sum::<u64>(), 0);
}

fn facts_after(world: &World, t: u64) -> Vec<&TimedFact> {
    group_facts(world).into_iter().filter(|f| f.at_ms >= t).collect()
}

fn print_after(world: &World, t: u64) {
    for f in facts_after(world, t) {
        println!("{:>7} ms  {}", f.at_ms, serde_json::to_string(&f.fact).unwrap());
    }
}

fn coordinator_of(world: &World, group: &str) -> i32 {
    world
        .brokers()
        .find(|b| {
            b.state != kafkalab_engine::view::BrokerState::Dead
                && b.volatile.group_coordinator.is_coordinator_for(group)
        })
        .map(|b| b.id)
        .expect("a live coordinator")
}

#[test]
fn a_crashed_consumer_times_out_and_survivors_resume_from_committed_offsets() {
    let mut world = cluster(6, 300);
    let configs = [
        ("group.id", "g"),
        ("session.timeout.ms", "10000"),
        ("auto.commit.interval.ms", "1000"),
        ("auto.offset.reset", "earliest"),
    ];
    let ids: Vec<u32> =
        (0..3).map(|i| add_consumer(&mut world, &format!("c{i}"), &configs, ConsumerApp::default())).collect();
    world.run_until(15_000);
    let victim = ids[0];
    let moved = world.consumer(victim).unwrap().assignment.clone();
    assert_eq!(moved.len(), 2);
    world.apply(Action::CrashConsumer { consumer: victim }).unwrap();
    let crashed_at = world.now();
    world.run_until(45_000);
    println!("--- after the crash at {crashed_at} ms");
    print_after(&world, crashed_at);
    let after = facts_after(&world, crashed_at);
    let removed = after
        .iter()
        .find(|f| {
            matches!(
                &f.fact,
                Fact::MemberRemoved { reason: kafkalab_engine::narration::RemovalReason::SessionTimeout, .. }
            )
        })
        .expect("the session timed out");
    assert!(removed.at_ms >= crashed_at + 7_000 && removed.at_ms <= crashed_at + 10_100, "at {}", removed.at_ms);
    assert!(after.iter().any(|f| matches!(
        &f.fact,
        Fact::RebalanceStarted { reason: kafkalab_engine::narration::RebalanceReason::SessionTimeout, .. }
    )));
    let owned: usize = ids[1..].iter().map(|id| world.consumer(*id).unwrap().assignment.len()).sum();
    assert_eq!(owned, 6, "the survivors own every partition");
    for tp in &moved {
        let resumed = after.iter().find_map(|f| match &f.fact {
            Fact::PositionSet { topic_partition, source, offset, .. } if topic_partition == tp => {
                Some((*source, *offset))
            }
            _ => None,
        });
        let (source, offset) = resumed.expect("the new owner set a position");
        assert_eq!(source, kafkalab_engine::narration::PositionSource::Committed, "{tp}");
        assert!(offset > 0);
    }
    let group = world.view().groups.into_iter().find(|g| g.group_id == "g").unwrap();
    assert_eq!(group.state, ClassicGroupState::Stable.name());
    assert_eq!(group.members.len(), 2);
    assert!(group.offsets.iter().all(|o| o.committed_offset <= o.log_end_offset), "committed <= HW");
}

/// Starts two members with `strategy`, adds a third, and returns (partitions revoked by the
/// rebalances the join caused, generations it took).
fn revocations_when_a_third_member_joins(strategy: &str) -> (usize, i32) {
    let mut world = cluster(6, 100);
    let configs = [("group.id", "g"), ("partition.assignment.strategy", strategy), ("auto.offset.reset", "earliest")];
    add_consumer(&mut world, "c0", &configs, ConsumerApp::default());
    add_consumer(&mut world, "c1", &configs, ConsumerApp::default());
    world.run_until(15_000);
    let generation_before = world.view().groups[0].generation_id;
    add_consumer(&mut world, "c2", &configs, ConsumerApp::default());
    world.run_until(40_000);
    println!("--- {strategy}: c2 joins at 15000 ms");
    print_after(&world, 15_000);
    let revoked: usize = facts_after(&world, 15_000)
        .iter()
        .map(|f| match &f.fact {
            Fact::PartitionsRevoked { partitions, .. } => partitions.len(),
            _ => 0,
        })
        .sum();
    let group = &world.view().groups[0];
    assert_eq!(group.state, "Stable");
    assert!(group.members.iter().all(|m| m.assignment.len() == 2), "balanced: {:?}", group.members);
    (revoked, group.generation_id - generation_before)
}

#[test]
fn cooperative_rebalancing_revokes_only_what_moves_over_two_rebalances() {
    let (eager_revoked, eager_generations) = revocations_when_a_third_member_joins("sticky");
    let (coop_revoked, coop_generations) = revocations_when_a_third_member_joins("cooperative-sticky");
    println!("eager: {eager_revoked} revoked in {eager_generations} rebalance(s); cooperative: {coop_revoked} in {coop_generations}");
    assert_eq!((eager_revoked, eager_generations), (6, 1), "eager revokes everything, once");
    assert_eq!(
        (coop_revoked, coop_generations),
        (2, 2),
        "cooperative revokes the 2 moving partitions, over 2 rebalances"
    );
}

#[test]
fn a_static_member_restarting_within_the_session_timeout_causes_no_rebalance() {
    let mut world = cluster(4, 100);
    let ids: Vec<u32> = (0..2)
        .map(|i| {
            let instance = format!("instance-{i}");
            let configs =
                [("group.id", "g"), ("group.instance.id", instance.as_str()), ("session.timeout.ms", "10000")];
            add_consumer(&mut world, &format!("c{i}"), &configs, ConsumerApp::default())
        })
        .collect();
    world.run_until(15_000);
    let before = world.view().groups[0].clone();
    let owned = world.consumer(ids[1]).unwrap().assignment.clone();
    world.apply(Action::CrashConsumer { consumer: ids[1] }).unwrap();
    world.run_until(18_000);
    world.apply(Action::RestartConsumer { consumer: ids[1] }).unwrap();
    world.run_until(40_000);
    println!("--- static member crashes at 15000 ms, restarts at 18000 ms");
    print_after(&world, 15_000);
    let after = facts_after(&world, 15_000);
    assert!(after.iter().any(|f| matches!(&f.fact, Fact::StaticMemberReplaced { rebalance: false, .. })));
    assert!(!after.iter().any(|f| matches!(&f.fact, Fact::RebalanceStarted { .. })), "no rebalance");
    let group = &world.view().groups[0];
    assert_eq!(group.generation_id, before.generation_id);
    assert_eq!(world.consumer(ids[1]).unwrap().assignment, owned, "the same partitions come back");
}

#[test]
fn the_coordinator_moves_when_its_broker_dies_and_offsets_survive() {
    let mut world = cluster(4, 200);
    let configs = [("group.id", "g"), ("auto.commit.interval.ms", "1000"), ("auto.offset.reset", "earliest")];
    let ids: Vec<u32> =
        (0..2).map(|i| add_consumer(&mut world, &format!("c{i}"), &configs, ConsumerApp::default())).collect();
    world.run_until(15_000);
    let old = coordinator_of(&world, "g");
    let committed_before: Vec<(i32, i64)> =
        world.view().groups[0].offsets.iter().map(|o| (o.partition, o.committed_offset)).collect();
    assert_eq!(committed_before.len(), 4);
    world.apply(Action::KillBroker { broker: old }).unwrap();
    let killed_at = world.now();
    world.run_until(45_000);
    println!("--- broker {old} (the coordinator) dies at {killed_at} ms");
    print_after(&world, killed_at);
    let new = coordinator_of(&world, "g");
    assert_ne!(new, old);
    let after = facts_after(&world, killed_at);
    assert!(after
        .iter()
        .any(|f| matches!(&f.fact, Fact::CoordinatorLoaded { broker, offsets, .. } if *broker == new && *offsets > 0)));
    let group = world.view().groups.into_iter().find(|g| g.group_id == "g").unwrap();
    assert_eq!(group.coordinator, new);
    for (partition, offset) in committed_before {
        let now = group.offsets.iter().find(|o| o.partition == partition).unwrap().committed_offset;
        assert!(now >= offset, "partition {partition}: {now} < {offset}");
    }
    let skipped: u64 = ids.iter().map(|id| world.consumer(*id).unwrap().skipped).sum();
    assert_eq!(skipped, 0, "no record skipped across the failover");
}

/// One consumer processing slowly on a one-partition topic, crashed mid-batch and restarted.
fn crash_mid_batch(commit: CommitMode) -> (u64, u64) {
    let mut world = cluster(1, 200);
    let configs = [
        ("group.id", "g"),
        ("enable.auto.commit", "false"),
        ("auto.offset.reset", "earliest"),
        ("max.poll.records", "50"),
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "1000"),
    ];
    let app = ConsumerApp { processing_ms_per_record: 20, commit, ..ConsumerApp::default() };
    let id = add_consumer(&mut world, "c", &configs, app);
    world.run_until(12_000);
    // Crash in the middle of a batch.
    while world.consumer(id).unwrap().in_flight_records() == 0 || world.now() < 12_500 {
        world.run_until(world.now() + 7);
    }
    world.run_until(world.now() + 300);
    let crashed_at = world.now();
    world.apply(Action::CrashConsumer { consumer: id }).unwrap();
    world.run_until(crashed_at + 1_000);
    world.apply(Action::RestartConsumer { consumer: id }).unwrap();
    world.run_until(crashed_at + 20_000);
    println!("--- {commit:?}: crash at {crashed_at} ms, restart 1000 ms later");
    for f in facts_after(&world, crashed_at - 1_200) {
        if !matches!(f.fact, Fact::CoordinatorFound { .. } | Fact::MemberJoined { .. }) {
            println!("{:>7} ms  {}", f.at_ms, serde_json::to_string(&f.fact).unwrap());
        }
        if f.at_ms > crashed_at + 12_000 {
            break;
        }
    }
    let c = world.consumer(id).unwrap();
    (c.duplicates, c.skipped)
}

#[test]
fn a_crash_between_processing_and_commit_duplicates_records() {
    let (duplicates, skipped) = crash_mid_batch(CommitMode::SyncAfterProcessing);
    assert!(duplicates > 0, "at-least-once: reprocessed from the last commit");
    assert_eq!(skipped, 0);
}

#[test]
fn a_crash_after_commit_before_processing_loses_records() {
    let (duplicates, skipped) = crash_mid_batch(CommitMode::SyncBeforeProcessing);
    assert!(skipped > 0, "at-most-once: the rest of the batch is never processed");
    assert_eq!(duplicates, 0);
}

#[test]
fn bad_consumer_input_is_refused_with_clear_errors() {
    let mut world = cluster(2, 0);
    let err = |world: &mut World, topics: Vec<String>, configs: &[(&str, &str)]| {
        world
            .apply(Action::AddConsumer {
                name: "c".into(),
                topics,
                configs: pairs(configs),
                app: ConsumerApp::default(),
            })
            .unwrap_err()
            .to_string()
    };
    let e = err(&mut world, vec!["t".into()], &[("group.id", "g"), ("partition.assignment.strategy", "fair")]);
    assert!(
        e.contains("partition.assignment.strategy") && e.contains("range, roundrobin, sticky, cooperative-sticky"),
        "{e}"
    );
    let e = err(&mut world, vec!["nope".into()], &[("group.id", "g")]);
    assert_eq!(e, "there is no topic `nope`");
    let e = err(&mut world, vec!["t".into()], &[("group.id", "g"), ("group.protocol", "queue")]);
    assert!(e.contains("group.protocol") && e.contains("classic, consumer"), "{e}");
    let seek = world.apply(Action::Seek {
        consumer: 99,
        topic_partition: TopicPartition::new("t", 0),
        to: kafkalab_engine::consumer::SeekTo::Beginning,
    });
    assert!(seek.is_err());
}

/// Answers lost on a cut link (a JoinGroup's among them) time out; the consumer drops the
/// connection, finds the coordinator again and joins once the link heals. Before request
/// timeouts, it waited for that JoinGroup answer forever.
#[test]
fn a_join_lost_on_a_cut_link_times_out_and_the_member_rejoins_after_the_heal() {
    let mut world = cluster(4, 100);
    let configs = [
        ("group.id", "g"),
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "1000"),
        ("max.poll.interval.ms", "20000"),
        ("auto.offset.reset", "earliest"),
    ];
    let c0 = add_consumer(&mut world, "c0", &configs, ConsumerApp::default());
    world.run_until(15_000);
    let coordinator = NodeId::Broker(coordinator_of(&world, "g"));
    let c1 = add_consumer(&mut world, "c1", &configs, ConsumerApp::default());
    let c1_node = NodeId::Client(world.consumer(c1).unwrap().node);
    world.apply(Action::CutLink { from: coordinator, to: c1_node, both: false }).unwrap();
    world.run_until(40_000);
    assert!(world.consumer(c1).unwrap().assignment.is_empty(), "c1 never hears back");
    world.apply(Action::HealLink { from: coordinator, to: c1_node, both: false }).unwrap();
    world.run_until(90_000);
    println!("--- the coordinator's answers to c1 are lost from 15000 to 40000 ms");
    print_after(&world, 15_000);
    let after = facts_after(&world, 15_000);
    // Its oldest unanswered request to the coordinator's broker (a MetadataRequest sent at 15000)
    // times out at 45000; the disconnect also fails the JoinGroup, whose own timeout would be
    // max(request.timeout.ms, rebalance timeout + 5 s) = 30000.
    assert!(after.iter().any(|f| f.at_ms == 45_000
        && matches!(&f.fact, Fact::RequestTimedOut { consumer, broker, .. } if *consumer == c1 && NodeId::Broker(*broker) == coordinator)));
    let sizes: Vec<usize> = [c0, c1].iter().map(|id| world.consumer(*id).unwrap().assignment.len()).collect();
    assert_eq!(sizes, vec![2, 2], "c1 joined and the partitions are shared");
}

/// A fetch position whose partition has no leader in the consumer's metadata asks for new
/// metadata after `retry.backoff.ms` (Kafka's `AbstractFetch.prepareFetchRequests`), so the
/// consumer fetches again once a leader is back. Before, the partition was never fetched again:
/// the eos chaos seeds 11, 22 and 27 left thousands of input records unprocessed.
#[test]
fn a_consumer_fetches_again_when_its_partition_gets_a_leader_back() {
    let mut config = WorldConfig::default();
    config.broker.group_coordinator.offsets_topic_num_partitions = 5;
    let mut world = World::new(config, 7).unwrap();
    world
        .apply(Action::CreateTopic { name: "t".into(), partitions: 1, replication_factor: 1, configs: Vec::new() })
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
            records_per_sec: 20,
            keys: KeyPattern::Cycle { prefix: "k".into(), count: 5 },
        })
        .unwrap();
    let consumer = add_consumer(&mut world, "c", &[("group.id", "g")], ConsumerApp::default());
    world.run_until(10_000);
    let tp = TopicPartition::new("t", 0);
    let leader = world.metadata().partition(&tp).unwrap().leader;
    assert!(world.consumer(consumer).unwrap().processed_records > 0, "the consumer reads before the fault");
    // Its only replica dies: the fetch breaks, and the metadata then names no leader.
    world.apply(Action::KillBroker { broker: leader }).unwrap();
    world.run_until(20_000);
    assert_eq!(world.metadata().partition(&tp).unwrap().leader, -1);
    let before = world.consumer(consumer).unwrap().processed_records;
    world.apply(Action::RestartBroker { broker: leader }).unwrap();
    world.run_until(60_000);
    assert_eq!(world.metadata().partition(&tp).unwrap().leader, leader, "the replica leads again");
    let after = world.consumer(consumer).unwrap().processed_records;
    assert!(after > before + 200, "the consumer fetches again: {before} then {after} records processed");
}
