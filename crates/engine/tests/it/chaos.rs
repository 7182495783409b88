//! Chaos over a sample of seeds (scripts/chaos-sweep.sh runs 1,000), and random action
//! sequences, nonsense included: the engine never panics, refuses what is invalid with an
//! error, and keeps every invariant.

use kafkalab_engine::check::chaos::{run, ChaosConfig, Workload};
use kafkalab_engine::check::invariants::InvariantChecker;
use kafkalab_engine::cluster::{Action, World, WorldConfig};
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::producer::ProducerRecord;
use kafkalab_engine::sim::NodeId;
use proptest::prelude::*;

fn config(seed: u64, acks: &str, min_isr: i32, unclean: bool) -> ChaosConfig {
    ChaosConfig {
        seed,
        steps: 120,
        brokers: 3,
        controllers: 0,
        racks: 0,
        replication_factor: 3,
        acks: acks.into(),
        min_insync_replicas: min_isr,
        unclean,
        group_protocol: "classic".into(),
        workload: Workload::Default,
        eos: true,
    }
}

#[test]
fn acks_all_with_min_isr_2_loses_nothing_and_never_duplicates() {
    for seed in 1..=12 {
        let report = run(&config(seed, "all", 2, false)).unwrap();
        assert!(report.violations.is_empty(), "seed {seed}: {:?}", report.violations);
        assert_eq!((report.lost_acked, report.duplicates), (0, 0), "seed {seed}: {report:?}");
        assert!(report.acked > 0, "seed {seed}: the workload made progress");
    }
}

/// A deposed controller that had not heard of its successor (slowed, seed 423 at 200 steps)
/// accepted a restarted broker's registration and "elected" a leader from its stale image; the
/// record could never commit, but the delivery audit took the narrated election for a real one
/// and reported acknowledged records lost. Only elections the active controller holds count.
#[test]
fn a_deposed_controllers_uncommitted_election_loses_nothing() {
    let report = run(&ChaosConfig { steps: 200, ..config(423, "all", 2, false) }).unwrap();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert_eq!((report.lost_acked, report.duplicates), (0, 0), "{report:?}");
}

/// Dedicated controllers (regressions from the 1,000-seed sweep, at the sweep's 200 steps): a
/// broker cut off from the controllers keeps naming itself leader in its old epoch, and a
/// consumer that believed its metadata "detected" a truncation and skipped records (seeds 544,
/// 597; Kafka's `Metadata.updateLatestMetadata` keeps the newer epoch); an expired in-flight batch
/// whose late answer bumped the idempotent epoch duplicated its partition's retried batches
/// (seed 2; Kafka's `failBatch` does nothing for a batch already completed at expiry).
#[test]
fn dedicated_controllers_lose_skip_and_duplicate_nothing() {
    for seed in [2, 544, 597] {
        let report = run(&ChaosConfig { controllers: 3, steps: 200, ..config(seed, "all", 2, false) }).unwrap();
        assert!(report.violations.is_empty(), "seed {seed}: {:?}", report.violations);
        assert_eq!((report.lost_acked, report.duplicates), (0, 0), "seed {seed}: {report:?}");
    }
}

/// acks=all, min.insync.replicas=1 and unclean election (regressions from the 1,000-seed sweep,
/// at its 200 steps): a follower whose log held only an epoch older leaders never had
/// "truncated" to its own log end on every fetch (seeds 673, 785; Kafka's epoch cache answers an
/// epoch older than all it holds with the first epoch's start); a leader dropped its unanswered
/// ISR expansion after one check interval, advanced the high watermark without the new member
/// and acknowledged records the controller's clean choice of that member then lost (seed 634;
/// Kafka keeps the pending ISR in the maximal ISR until answered).
#[test]
fn unclean_election_seeds_keep_every_invariant() {
    for seed in [634, 673, 785] {
        let report = run(&ChaosConfig { steps: 200, ..config(seed, "all", 1, true) }).unwrap();
        assert!(report.violations.is_empty(), "seed {seed}: {:?}", report.violations);
    }
}

/// The same faults with the group on the consumer protocol (KIP-848): nothing acknowledged is
/// lost or skipped, and every invariant holds (the audit also fails on two owners at once).
#[test]
fn the_consumer_protocol_group_survives_the_same_faults() {
    for seed in 1..=6 {
        let report = run(&ChaosConfig { group_protocol: "consumer".into(), ..config(seed, "all", 2, false) }).unwrap();
        assert!(report.violations.is_empty(), "seed {seed}: {:?}", report.violations);
        assert_eq!(report.lost_acked, 0, "seed {seed}: {report:?}");
    }
}

/// With racks and follower fetching on (KIP-392): consumers read from followers in their rack and
/// fall back to leaders as faults come; nothing acknowledged is lost or skipped, and the
/// consumers did read from followers.
/// Share groups (KIP-932) under the same faults: no record is acquired by two members at once
/// or delivered above the delivery limit, none is lost, and since a new partition leader
/// continues from `__share_group_state`, few accepted records are accepted again (before the
/// state was persisted, every failover delivered the whole retained log again: seed 3 repeated
/// 20,331 acceptances for 30,073 acknowledged records; now 1,884).
#[test]
fn the_share_group_survives_the_same_faults() {
    for seed in [1, 3] {
        let report = run(&ChaosConfig { group_protocol: "share".into(), ..config(seed, "all", 2, false) }).unwrap();
        assert!(report.violations.is_empty(), "seed {seed}: {:?}", report.violations);
        assert_eq!(report.lost_acked, 0, "seed {seed}: {report:?}");
        let twice = report.accepted_twice.expect("reported for share groups");
        assert!(twice * 10 < report.acked, "seed {seed}: {twice} of {} accepted twice", report.acked);
    }
}

#[test]
fn follower_fetching_by_rack_survives_the_same_faults() {
    for seed in 1..=6 {
        let config = ChaosConfig { racks: 3, brokers: 3, ..config(seed, "all", 2, false) };
        let (report, world) = kafkalab_engine::check::chaos::run_with_world(&config).unwrap();
        assert!(report.violations.is_empty(), "seed {seed}: {:?}", report.violations);
        assert_eq!(report.lost_acked, 0, "seed {seed}: {report:?}");
        assert!(
            world
                .facts()
                .any(|f| matches!(f.fact, kafkalab_engine::narration::Fact::PreferredReadReplicaChosen { .. })),
            "seed {seed}: a consumer was told to read from a follower"
        );
    }
}

#[test]
fn weaker_settings_keep_every_invariant() {
    for seed in 1..=6 {
        for (acks, min_isr, unclean) in [("1", 1, false), ("all", 1, true), ("0", 1, false)] {
            let report = run(&config(seed, acks, min_isr, unclean)).unwrap();
            assert!(report.violations.is_empty(), "seed {seed} acks={acks} unclean={unclean}: {:?}", report.violations);
        }
    }
}

/// Seed 964 once left a metadata follower holding a log no leader had (a stale fetch answer).
#[test]
fn acks_1_seed_964_keeps_the_metadata_log_consistent() {
    let report = run(&ChaosConfig { steps: 200, ..config(964, "1", 1, false) }).unwrap();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
}

#[test]
fn the_same_seed_gives_the_same_report() {
    let a = run(&config(5, "all", 2, false)).unwrap();
    let b = run(&config(5, "all", 2, false)).unwrap();
    assert_eq!(a, b);
}

/// `kafkalab chaos --seeds` runs seeds on worker threads: a world is `Send` (the engine keeps no
/// global or thread-local state), and a run on other threads, two at once, reports the same.
#[test]
fn runs_on_other_threads_at_once_give_the_same_reports() {
    fn movable<T: Send>(_: &T) {}
    let world = World::new(WorldConfig::default(), 1).unwrap();
    movable(&world);
    let here: Vec<_> = [6, 7].map(|seed| run(&config(seed, "all", 2, false)).unwrap()).into();
    let there: Vec<_> = [6, 7]
        .map(|seed| std::thread::spawn(move || run(&config(seed, "all", 2, false)).unwrap()))
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();
    assert_eq!(here, there);
}

#[test]
fn invalid_chaos_flags_name_the_flag() {
    let mut c = config(1, "all", 4, false);
    assert!(run(&c).unwrap_err().to_string().contains("min-insync-replicas"));
    c.min_insync_replicas = 2;
    c.replication_factor = 5;
    assert!(run(&c).unwrap_err().to_string().contains("replication-factor"));
    c.replication_factor = 3;
    c.acks = "2".into();
    assert!(run(&c).unwrap_err().to_string().contains("acks"));
}

fn node() -> impl Strategy<Value = NodeId> {
    prop_oneof![(0..6i32).prop_map(NodeId::Broker), (0..4u32).prop_map(NodeId::Client)]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..6i32).prop_map(|broker| Action::KillBroker { broker }),
        (0..6i32).prop_map(|broker| Action::RestartBroker { broker }),
        Just(Action::KillController),
        (node(), node(), any::<bool>()).prop_map(|(from, to, both)| Action::CutLink { from, to, both }),
        (node(), node(), any::<bool>()).prop_map(|(from, to, both)| Action::HealLink { from, to, both }),
        (node(), -0.5..1.5f64).prop_map(|(from, probability)| Action::SetLinkLoss {
            from,
            to: NodeId::Broker(1),
            probability
        }),
        (node(), 0..5_000u64).prop_map(|(node, extra_ms)| Action::SlowNode { node, extra_ms }),
        node().prop_map(|node| Action::IsolateNode { node }),
        (-1..4i32, 0..4i32).prop_map(|(partitions, replication_factor)| Action::CreateTopic {
            name: format!("t{partitions}"),
            partitions,
            replication_factor,
            configs: vec![("min.insync.replicas".into(), "2".into())],
        }),
        (0..4u32, -1..4i32).prop_map(|(producer, partition)| Action::Send {
            producer,
            record: ProducerRecord {
                topic: "t3".into(),
                partition: Some(partition),
                key: None,
                value: Some(b"v".to_vec()),
                headers: Vec::new()
            },
        }),
        (0..4u32, 0..2_000u32).prop_map(|(producer, records_per_sec)| Action::StartStream {
            producer,
            topic: "t3".into(),
            records_per_sec,
            keys: KeyPattern::None,
        }),
        (0..4u32).prop_map(|producer| Action::CrashProducer { producer }),
        (0..4u32).prop_map(|producer| Action::RestartProducer { producer }),
        Just(Action::AddProducer { name: "p".into(), configs: vec![("acks".into(), "all".into())] }),
        Just(Action::AddProducer { name: "bad".into(), configs: vec![("acks".into(), "2".into())] }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn random_actions_never_panic_and_keep_the_invariants(
        seed in any::<u64>(),
        actions in proptest::collection::vec((action(), 0..3_000u64), 1..25),
    ) {
        let mut world = World::new(WorldConfig::default(), seed).unwrap();
        let mut checker = InvariantChecker::default();
        for (action, pause) in actions {
            // Refusals are fine (killing a dead broker, healing an uncut link); panics are not.
            let _ = world.apply(action);
            let until = world.now() + pause;
            while world.next_event_time().is_some_and(|t| t <= until) {
                world.step();
                checker.check(&world);
            }
            world.run_until(until);
        }
        prop_assert!(checker.is_clean(), "{:?}", checker.violations().collect::<Vec<_>>());
    }
}
