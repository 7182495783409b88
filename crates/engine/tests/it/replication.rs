//! Replication and the KRaft controller, end to end: failover, ISR shrink and expand,
//! min.insync.replicas, controller failover, unclean election, preferred leader election, and
//! the two anomalies of high-watermark truncation that leader epochs (KIP-101) prevent.

use crate::common::pairs;
use kafkalab_engine::broker::TruncationMode;
use kafkalab_engine::check::invariants::InvariantChecker;
use kafkalab_engine::cluster::{Action, ActionOutcome, World, WorldConfig};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::producer::{ProducerRecord, SendOutcome};
use kafkalab_engine::protocol::{ErrorCode, TopicPartition};
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::BrokerState;

fn world(brokers: i32, tweak: impl FnOnce(&mut WorldConfig)) -> World {
    let mut config = WorldConfig { brokers, teaching_mode: true, ..WorldConfig::default() };
    tweak(&mut config);
    World::new(config, 3).unwrap()
}

fn topic(world: &mut World, assignment: Vec<Vec<i32>>, configs: &[(&str, &str)]) -> TopicPartition {
    world.apply(Action::CreateTopicWithAssignment { name: "t".into(), assignment, configs: pairs(configs) }).unwrap();
    let now = world.now();
    world.run_until(now + 300);
    TopicPartition::new("t", 0)
}

fn producer(world: &mut World, configs: &[(&str, &str)]) -> u32 {
    match world.apply(Action::AddProducer { name: "p".into(), configs: pairs(configs) }).unwrap() {
        ActionOutcome::ProducerAdded { producer } => producer,
        other => panic!("{other:?}"),
    }
}

fn send(world: &mut World, producer: u32, value: &str) -> u64 {
    let record = ProducerRecord {
        topic: "t".into(),
        partition: Some(0),
        key: None,
        value: Some(value.as_bytes().to_vec()),
        headers: Vec::new(),
    };
    match world.apply(Action::Send { producer, record }).unwrap() {
        ActionOutcome::Sent { send_id } => send_id,
        other => panic!("{other:?}"),
    }
}

fn outcome(world: &World, producer: u32, id: u64) -> SendOutcome {
    world.producer(producer).unwrap().result(id).unwrap().outcome.clone()
}

fn leader(world: &World, tp: &TopicPartition) -> i32 {
    world.metadata().partition(tp).unwrap().leader
}

fn values(world: &World, broker: i32, tp: &TopicPartition) -> Vec<String> {
    world.broker(broker).unwrap().durable.replicas[tp]
        .log
        .batches()
        .flat_map(|b| {
            b.batch
                .records
                .iter()
                .map(|r| String::from_utf8_lossy(r.record.value.as_deref().unwrap_or_default()).into_owned())
        })
        .collect()
}

fn advance(world: &mut World, ms: u64) {
    let now = world.now();
    world.run_until(now + ms);
}

#[test]
fn a_dead_leader_is_fenced_and_the_next_isr_replica_leads_without_losing_acked_records() {
    let mut w = world(3, |_| {});
    let tp = topic(&mut w, vec![vec![2, 3, 1]], &[("min.insync.replicas", "2")]);
    let p = producer(&mut w, &[]);
    let before: Vec<u64> = (0..5).map(|i| send(&mut w, p, &format!("a{i}"))).collect();
    advance(&mut w, 500);
    w.apply(Action::KillBroker { broker: 2 }).unwrap();
    let after: Vec<u64> = (0..5).map(|i| send(&mut w, p, &format!("b{i}"))).collect();
    advance(&mut w, 30_000);
    assert_eq!(w.broker_state(2), Some(BrokerState::Fenced).filter(|_| false).or(Some(BrokerState::Dead)));
    assert_eq!(leader(&w, &tp), 3, "the first replica in assignment order that is in the ISR");
    assert!(w.facts().any(|f| matches!(&f.fact, Fact::BrokerFenced { broker: 2, .. })));
    assert!(w
        .facts()
        .any(|f| matches!(&f.fact, Fact::LeaderElected { leader: 3, previous_leader: 2, unclean: false, .. })));
    for id in before.iter().chain(&after) {
        assert!(matches!(outcome(&w, p, *id), SendOutcome::Acked { .. }), "{:?}", outcome(&w, p, *id));
    }
    let log = values(&w, 3, &tp);
    for v in (0..5).map(|i| format!("a{i}")).chain((0..5).map(|i| format!("b{i}"))) {
        assert_eq!(log.iter().filter(|x| **x == v).count(), 1, "{v} exactly once in {log:?}");
    }
}

#[test]
fn a_crash_keeps_the_durable_state_and_resets_the_volatile_state() {
    let mut w = world(3, |_| {});
    let tp = topic(&mut w, vec![vec![1, 2, 3]], &[]);
    let p = producer(&mut w, &[("acks", "all")]);
    send(&mut w, p, "kept");
    advance(&mut w, 500);
    let controller = w.active_controller().unwrap();
    let before = w.broker(controller).unwrap().clone();
    assert!(before.volatile.controller.is_some() && before.volatile.broker_epoch >= 0);
    w.apply(Action::KillBroker { broker: controller }).unwrap();
    let after = w.broker(controller).unwrap();
    assert_eq!(values(&w, controller, &tp), vec!["kept"], "the log is on disk");
    assert_eq!(after.durable.image, before.durable.image);
    assert_eq!(after.raft.durable.log, before.raft.durable.log, "the metadata log is on disk");
    assert_eq!(
        (after.raft.durable.epoch, after.raft.durable.voted_for),
        (before.raft.durable.epoch, before.raft.durable.voted_for),
        "epoch and vote are in the quorum-state file"
    );
    assert!(after.volatile.controller.is_none(), "the controller role is in memory");
    assert_eq!(after.volatile.broker_epoch, -1, "the registration is in memory");
    assert_eq!(after.raft.volatile.leader, None, "a restarted voter must learn who leads");
    assert!(after.volatile.group_coordinator.groups.is_empty());
}

#[test]
fn a_restarted_broker_catches_up_and_rejoins_the_isr() {
    let mut w = world(3, |_| {});
    let tp = topic(&mut w, vec![vec![1, 2, 3]], &[]);
    let p = producer(&mut w, &[]);
    w.apply(Action::KillBroker { broker: 3 }).unwrap();
    for i in 0..10 {
        send(&mut w, p, &format!("v{i}"));
    }
    advance(&mut w, 20_000);
    assert_eq!(w.metadata().partition(&tp).unwrap().isr, vec![1, 2]);
    w.apply(Action::RestartBroker { broker: 3 }).unwrap();
    advance(&mut w, 10_000);
    assert_eq!(w.metadata().partition(&tp).unwrap().isr, vec![1, 2, 3]);
    assert_eq!(values(&w, 3, &tp).len(), 10);
    assert!(w.facts().any(|f| matches!(&f.fact, Fact::IsrChanged { added, .. } if added == &vec![3])));
}

#[test]
fn a_slow_follower_falls_out_of_the_isr_while_the_others_carry_on() {
    let mut w = world(3, |c| c.broker.replica_lag_time_max_ms = 2_000);
    let tp = topic(&mut w, vec![vec![1, 2, 3]], &[("min.insync.replicas", "2")]);
    let p = producer(&mut w, &[]);
    w.apply(Action::StartStream { producer: p, topic: "t".into(), records_per_sec: 20, keys: KeyPattern::None })
        .unwrap();
    // Warm up first: a producer whose bootstrap broker is the slow one would itself be slowed.
    advance(&mut w, 1_000);
    w.apply(Action::SlowNode { node: NodeId::Broker(3), extra_ms: 5_000 }).unwrap();
    advance(&mut w, 10_000);
    assert!(w.facts().any(|f| matches!(&f.fact, Fact::IsrChanged { removed, .. } if removed == &vec![3])));
    assert_eq!(
        w.metadata().partition(&tp).unwrap().isr,
        vec![1, 2],
        "the high watermark runs ahead of the slow follower"
    );
    let id = send(&mut w, p, "still fine");
    advance(&mut w, 1_000);
    assert!(
        matches!(outcome(&w, p, id), SendOutcome::Acked { .. }),
        "two in-sync replicas satisfy min.insync.replicas=2"
    );
    w.apply(Action::SlowNode { node: NodeId::Broker(3), extra_ms: 0 }).unwrap();
    advance(&mut w, 10_000);
    assert_eq!(w.metadata().partition(&tp).unwrap().isr, vec![1, 2, 3], "caught up, it rejoins");
}

#[test]
fn acks_all_fails_with_not_enough_replicas_when_the_isr_is_below_min_insync_replicas() {
    let mut w = world(3, |_| {});
    let tp = topic(&mut w, vec![vec![1, 2, 3]], &[("min.insync.replicas", "3")]);
    let p = producer(&mut w, &[]);
    w.apply(Action::KillBroker { broker: 3 }).unwrap();
    advance(&mut w, 15_000);
    assert_eq!(w.metadata().partition(&tp).unwrap().isr, vec![1, 2]);
    let id = send(&mut w, p, "needs three copies");
    advance(&mut w, 2_000);
    assert_eq!(outcome(&w, p, id), SendOutcome::Pending, "the producer keeps retrying");
    assert!(w
        .facts()
        .any(|f| matches!(&f.fact, Fact::ProduceFailed { error: ErrorCode::NotEnoughReplicas, will_retry: true, .. })));
    w.apply(Action::RestartBroker { broker: 3 }).unwrap();
    advance(&mut w, 10_000);
    assert!(matches!(outcome(&w, p, id), SendOutcome::Acked { .. }), "{:?}", outcome(&w, p, id));
}

#[test]
fn killing_the_active_controller_elects_another_with_a_higher_epoch() {
    let mut w = world(3, |_| {});
    let first = w.active_controller().unwrap();
    let epoch = w.broker(first).unwrap().raft.durable.epoch;
    w.apply(Action::KillController).unwrap();
    assert_eq!(w.active_controller(), None);
    advance(&mut w, 10_000);
    let next = w.active_controller().expect("a new controller");
    assert_ne!(next, first);
    assert!(w.broker(next).unwrap().raft.durable.epoch > epoch);
    assert!(w.facts().any(|f| matches!(&f.fact, Fact::ControllerElected { broker, .. } if *broker == next)));
    // The new controller still serves: it can create a topic.
    assert!(w
        .apply(Action::CreateTopic { name: "after".into(), partitions: 1, replication_factor: 2, configs: Vec::new() })
        .is_ok());
}

#[test]
fn preferred_leader_election_moves_leadership_back_after_recovery() {
    let mut w = world(3, |c| c.broker.controller.leader_imbalance_check_interval_ms = 5_000);
    let tp = topic(&mut w, vec![vec![2, 1, 3]], &[]);
    w.apply(Action::KillBroker { broker: 2 }).unwrap();
    advance(&mut w, 15_000);
    assert_eq!(leader(&w, &tp), 1);
    w.apply(Action::RestartBroker { broker: 2 }).unwrap();
    advance(&mut w, 20_000);
    assert_eq!(leader(&w, &tp), 2, "the preferred replica (first in the assignment) leads again");
}

/// acks=1 to a lone in-sync leader, which then dies; only an out-of-sync replica is left.
fn unclean_scenario(unclean: bool) -> (World, u32, u64, TopicPartition) {
    unclean_scenario_at(unclean, 1)
}

/// The same at a level of `eligible.leader.replicas.version` (0: Kafka 4.0, 1: 4.1 and later).
fn unclean_scenario_at(unclean: bool, elr_version: i16) -> (World, u32, u64, TopicPartition) {
    let mut w = world(5, |c| {
        c.broker.replica_lag_time_max_ms = 1_000;
        c.broker.controller.eligible_leader_replicas_version = elr_version;
    });
    let tp =
        topic(&mut w, vec![vec![4, 5]], &[("unclean.leader.election.enable", if unclean { "true" } else { "false" })]);
    let p = producer(&mut w, &[("acks", "1")]);
    send(&mut w, p, "m1");
    advance(&mut w, 500);
    w.apply(Action::CutLink { from: NodeId::Broker(4), to: NodeId::Broker(5), both: true }).unwrap();
    advance(&mut w, 3_000); // broker 5 falls out of the ISR
    let id = send(&mut w, p, "m2");
    advance(&mut w, 500);
    assert_eq!(outcome(&w, p, id), SendOutcome::Acked { offset: 1 });
    w.apply(Action::KillBroker { broker: 4 }).unwrap();
    w.apply(Action::HealLink { from: NodeId::Broker(4), to: NodeId::Broker(5), both: true }).unwrap();
    advance(&mut w, 20_000);
    (w, p, id, tp)
}

#[test]
fn without_unclean_election_the_partition_stays_offline_and_keeps_its_data() {
    let (w, _, _, tp) = unclean_scenario_at(false, 0);
    assert_eq!(leader(&w, &tp), -1);
    assert_eq!(w.metadata().partition(&tp).unwrap().isr, vec![4], "the last ISR member stays in the ISR");
}

/// Kafka 4.1+ (`PartitionChangeBuilder.maybePopulateTargetElr`): the last ISR member leaves the
/// ISR for the ELR, and is remembered as the last known leader (`maybeUpdateLastKnownLeader`).
#[test]
fn with_eligible_leader_replicas_the_last_isr_member_moves_to_the_elr() {
    let (w, _, _, tp) = unclean_scenario(false);
    let partition = w.metadata().partition(&tp).unwrap();
    assert_eq!(
        (partition.leader, partition.isr.clone(), partition.elr.clone(), partition.last_known_elr.clone()),
        (-1, vec![], vec![4], vec![4])
    );
}

#[test]
fn unclean_election_brings_the_partition_back_but_loses_acknowledged_data() {
    let (mut w, _, _, tp) = unclean_scenario(true);
    assert_eq!(leader(&w, &tp), 5);
    assert!(w.facts().any(|f| matches!(&f.fact, Fact::LeaderElected { leader: 5, unclean: true, .. })));
    w.apply(Action::RestartBroker { broker: 4 }).unwrap();
    advance(&mut w, 10_000);
    assert_eq!(values(&w, 5, &tp), vec!["m1"]);
    assert_eq!(values(&w, 4, &tp), vec!["m1"], "the old leader truncated the acknowledged m2 away");
}

/// KIP-101 anomaly 1: a follower that restarts cuts its log back to its high watermark, then
/// becomes leader; the old leader follows it and also loses a record every replica once had.
/// Kafka 4.0's feature levels: with eligible leader replicas on (4.1+), broker 5's unclean
/// restart takes it out of the ISR and it never leads (`ReplicationControlManager.handleBrokerShutdown`).
fn restart_then_failover(mode: TruncationMode) -> (World, Vec<String>) {
    let mut w = world(5, |c| {
        c.broker.truncation = mode;
        c.broker.controller.eligible_leader_replicas_version = 0;
    });
    let tp = topic(&mut w, vec![vec![4, 5]], &[]);
    let p = producer(&mut w, &[("acks", "1")]);
    send(&mut w, p, "m1");
    advance(&mut w, 1_000);
    let m2 = send(&mut w, p, "m2");
    // Step until the leader's high watermark is 2 (the follower fetched m2 and asked for more)
    // while the follower, whose next fetch is parked, still believes it is 1.
    while w.broker(4).unwrap().durable.replicas[&tp].high_watermark < 2 {
        w.step();
    }
    assert_eq!(w.broker(5).unwrap().durable.replicas[&tp].high_watermark, 1);
    w.apply(Action::KillBroker { broker: 5 }).unwrap();
    w.apply(Action::KillBroker { broker: 4 }).unwrap();
    w.apply(Action::RestartBroker { broker: 5 }).unwrap();
    advance(&mut w, 20_000);
    assert_eq!(leader(&w, &tp), 5);
    w.apply(Action::RestartBroker { broker: 4 }).unwrap();
    advance(&mut w, 10_000);
    assert!(matches!(outcome(&w, p, m2), SendOutcome::Acked { offset: 1 }));
    let log = values(&w, 4, &tp);
    assert_eq!(log, values(&w, 5, &tp), "replicas agree");
    (w, log)
}

#[test]
fn high_watermark_truncation_loses_a_replicated_record_and_leader_epochs_keep_it() {
    let (_, legacy) = restart_then_failover(TruncationMode::HighWatermark);
    assert_eq!(legacy, vec!["m1"], "HW truncation: the acknowledged m2 is gone");
    let (_, epochs) = restart_then_failover(TruncationMode::LeaderEpoch);
    assert_eq!(epochs, vec!["m1", "m2"], "leader epochs: m2 survives");
}

/// KIP-101 anomaly 2: both replicas crash; the one that comes back first leads and takes a new
/// record at an offset where the other replica holds a different one.
fn diverging_logs(mode: TruncationMode) -> World {
    let mut w = world(5, |c| {
        c.broker.truncation = mode;
        c.broker.replica_lag_time_max_ms = 1_000;
    });
    let tp = topic(&mut w, vec![vec![4, 5]], &[("unclean.leader.election.enable", "true")]);
    let p = producer(&mut w, &[("acks", "1")]);
    send(&mut w, p, "m1");
    advance(&mut w, 2_000); // the follower has m1 and knows it is committed
    w.apply(Action::CutLink { from: NodeId::Broker(4), to: NodeId::Broker(5), both: true }).unwrap();
    advance(&mut w, 3_000);
    send(&mut w, p, "m2");
    advance(&mut w, 500);
    w.apply(Action::KillBroker { broker: 4 }).unwrap();
    w.apply(Action::KillBroker { broker: 5 }).unwrap();
    w.apply(Action::HealLink { from: NodeId::Broker(4), to: NodeId::Broker(5), both: true }).unwrap();
    w.apply(Action::RestartBroker { broker: 5 }).unwrap();
    advance(&mut w, 20_000);
    assert_eq!(leader(&w, &tp), 5);
    send(&mut w, p, "m3");
    advance(&mut w, 1_000);
    w.apply(Action::RestartBroker { broker: 4 }).unwrap();
    advance(&mut w, 10_000);
    w
}

#[test]
fn high_watermark_truncation_leaves_diverged_replicas_and_leader_epochs_converge() {
    let tp = TopicPartition::new("t", 0);
    let legacy = diverging_logs(TruncationMode::HighWatermark);
    assert_eq!(values(&legacy, 5, &tp), vec!["m1", "m3"]);
    assert_eq!(values(&legacy, 4, &tp), vec!["m1", "m2"], "same offsets, different records: the replicas diverged");
    let epochs = diverging_logs(TruncationMode::LeaderEpoch);
    assert_eq!(values(&epochs, 5, &tp), vec!["m1", "m3"]);
    assert_eq!(
        values(&epochs, 4, &tp),
        vec!["m1", "m3"],
        "the follower truncated to the divergence point and refetched"
    );
    assert!(epochs.facts().any(|f| matches!(&f.fact, Fact::LogTruncated { broker: 4, to_offset: 1, .. })));
}

/// Two unclean elections in turn on a partition of brokers 4 and 5 (acks=1): `replicated` is
/// written while both are in sync; 4 alone takes `on_4`, then 5 leads alone (unclean) and takes
/// `on_5`, then 4 leads again (unclean) and takes `on_4_again`, and 5 comes back as its
/// follower. Returns the world, the partition and broker 5's truncations (from, to), after
/// checking every invariant.
fn two_unclean_elections(
    replicated: Option<&str>,
    on_4: &str,
    on_5: &str,
    on_4_again: &str,
) -> (World, TopicPartition, Vec<(i64, i64)>) {
    let mut w = world(5, |c| c.broker.replica_lag_time_max_ms = 1_000);
    let tp = topic(&mut w, vec![vec![4, 5]], &[("unclean.leader.election.enable", "true")]);
    let p = producer(&mut w, &[("acks", "1")]);
    if let Some(value) = replicated {
        send(&mut w, p, value);
        advance(&mut w, 2_000);
    }
    w.apply(Action::CutLink { from: NodeId::Broker(4), to: NodeId::Broker(5), both: true }).unwrap();
    advance(&mut w, 3_000); // broker 5 falls out of the ISR
    send(&mut w, p, on_4);
    advance(&mut w, 500);
    w.apply(Action::KillBroker { broker: 4 }).unwrap();
    w.apply(Action::HealLink { from: NodeId::Broker(4), to: NodeId::Broker(5), both: true }).unwrap();
    advance(&mut w, 20_000);
    assert_eq!(leader(&w, &tp), 5, "first unclean election");
    send(&mut w, p, on_5);
    advance(&mut w, 1_000);
    let led_by_5: Vec<&str> = replicated.into_iter().chain([on_5]).collect();
    assert_eq!(values(&w, 5, &tp), led_by_5, "{on_4} was lost with the first unclean election");
    w.apply(Action::KillBroker { broker: 5 }).unwrap();
    w.apply(Action::RestartBroker { broker: 4 }).unwrap();
    advance(&mut w, 20_000);
    assert_eq!(leader(&w, &tp), 4, "second unclean election");
    send(&mut w, p, on_4_again);
    advance(&mut w, 1_000);
    w.apply(Action::RestartBroker { broker: 5 }).unwrap();
    advance(&mut w, 20_000);
    let mut checker = InvariantChecker::default();
    checker.check(&w);
    assert!(checker.is_clean(), "{:?}", checker.violations().next());
    let truncations = w
        .facts()
        .filter_map(|f| match &f.fact {
            Fact::LogTruncated { broker: 5, from_offset, to_offset, .. } => Some((*from_offset, *to_offset)),
            _ => None,
        })
        .collect();
    (w, tp, truncations)
}

/// Two unclean elections in turn: broker 5 leads epoch 1 alone and takes m3, which broker 4
/// never sees; then 4 leads epoch 2 with its own m2 and m4. Kafka's
/// `AbstractFetcherThread.getOffsetTruncationState` (reached from `truncateOnFetchResponse`)
/// truncates the follower to min(the leader's end offset for the diverging epoch, the
/// follower's own end offset for it (`LeaderEpochFileCache.endOffsetFor`), its log end offset):
/// broker 5's epoch 0 ends at 1 in its log, so it truncates once to 1, refetches and rejoins.
#[test]
fn after_two_unclean_elections_the_follower_truncates_once_to_its_own_epoch_end_and_rejoins() {
    let (w, tp, truncations) = two_unclean_elections(Some("m1"), "m2", "m3", "m4");
    assert_eq!(truncations, vec![(2, 1)], "m3 of epoch 1, which the leader never saw, goes in one truncation");
    assert_eq!(w.metadata().partition(&tp).unwrap().isr, vec![4, 5], "the follower rejoins the ISR");
    assert_eq!(values(&w, 4, &tp), vec!["m1", "m2", "m4"]);
    assert_eq!(values(&w, 5, &tp), values(&w, 4, &tp), "the follower's log matches the leader's");
}

/// A follower whose whole log is of an epoch the leader never had: 4 writes m1 in epoch 0 alone,
/// 5 leads epoch 1 (unclean) with m2 at offset 0, then 4 leads epoch 2 (unclean) and 5 comes
/// back. The leader answers epoch 1 with (0, 1); epoch 0 is older than any epoch 5 holds, so
/// its cache answers (0, 0) (`LeaderEpochFileCache.endOffsetFor`) and 5 truncates all of m2.
/// Before, 5 found no epoch 0, "truncated" to its log end on every fetch and never caught up.
#[test]
fn a_follower_with_only_an_unknown_epoch_truncates_its_whole_log() {
    let (w, tp, truncations) = two_unclean_elections(None, "m1", "m2", "m3");
    assert_eq!(truncations, vec![(1, 0)], "m2 of epoch 1 goes in one truncation");
    assert_eq!(values(&w, 4, &tp), vec!["m1", "m3"]);
    assert_eq!(values(&w, 5, &tp), values(&w, 4, &tp), "the follower's log matches the leader's");
    assert_eq!(w.metadata().partition(&tp).unwrap().isr, vec![4, 5], "the follower rejoins the ISR");
}
