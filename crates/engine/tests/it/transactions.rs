//! Transactions as Kafka 4.x runs them (transactions version 2, KIP-890): the coordinator's
//! states, markers, the last stable offset, read_committed consumers, zombie fencing, the
//! timeout abort and a coordinator failover in the middle of a commit.

use crate::common::pairs;
use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome, World, WorldConfig};
use kafkalab_engine::consumer::ConsumerApp;
use kafkalab_engine::log::control::{ControlRecordType, EndTransactionMarker};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::transaction::TxnClientState;
use kafkalab_engine::producer::{ProducerRecord, SendOutcome};
use kafkalab_engine::protocol::{ErrorCode, TopicPartition, TxnState};
use kafkalab_engine::txn::log::{partition_for, TRANSACTION_STATE_TOPIC};

fn world() -> World {
    let mut config = WorldConfig::default();
    config.broker.txn_coordinator.num_partitions = 5;
    config.broker.replica_lag_time_max_ms = 3_000;
    let mut world = World::new(config, 7).unwrap();
    world
        .apply(Action::CreateTopic {
            name: "t".into(),
            partitions: 1,
            replication_factor: 3,
            configs: pairs(&[("min.insync.replicas", "2")]),
        })
        .unwrap();
    world.run_until(200);
    world
}

fn add_producer(world: &mut World, name: &str, configs: &[(&str, &str)]) -> u32 {
    match world.apply(Action::AddProducer { name: name.into(), configs: pairs(configs) }).unwrap() {
        ActionOutcome::ProducerAdded { producer } => producer,
        other => panic!("unexpected {other:?}"),
    }
}

fn add_consumer(world: &mut World, name: &str, isolation: &str) -> u32 {
    let configs = pairs(&[("group.id", name), ("auto.offset.reset", "earliest"), ("isolation.level", isolation)]);
    let app = ConsumerApp::default();
    match world.apply(Action::AddConsumer { name: name.into(), topics: vec!["t".into()], configs, app }).unwrap() {
        ActionOutcome::ConsumerAdded { consumer } => consumer,
        other => panic!("unexpected {other:?}"),
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
        other => panic!("unexpected {other:?}"),
    }
}

/// The offsets each consumer's application processed.
fn processed(world: &World, consumer: u32) -> Vec<(i64, i64, usize)> {
    world
        .facts()
        .filter_map(|f| match &f.fact {
            Fact::RecordsProcessed { consumer: c, first_offset, last_offset, count, .. } if *c == consumer => {
                Some((*first_offset, *last_offset, *count))
            }
            _ => None,
        })
        .collect()
}

fn txn_states(world: &World, id: &str) -> Vec<TxnState> {
    world
        .facts()
        .filter_map(|f| match &f.fact {
            Fact::TxnStateChanged { transactional_id, to, .. } if transactional_id == id => Some(*to),
            _ => None,
        })
        .collect()
}

fn leader_log(world: &World, tp: &TopicPartition) -> Vec<(i64, bool, Option<ControlRecordType>)> {
    let leader = world.metadata().partition(tp).unwrap().leader;
    let replica = world.broker(leader).unwrap().durable.replicas.get(tp).unwrap();
    replica
        .log
        .batches()
        .map(|b| {
            let marker = EndTransactionMarker::from_batch(&b.batch).map(|m| m.control_type);
            (b.batch.base_offset, b.batch.is_transactional(), marker)
        })
        .collect()
}

/// One transaction commits and one aborts: markers follow each, read_committed returns only
/// the committed record while read_uncommitted returns both, and the coordinator walks
/// Empty → Ongoing → PrepareCommit → CompleteCommit → Ongoing → PrepareAbort → CompleteAbort.
#[test]
fn read_committed_sees_the_committed_transaction_only() {
    let mut world = world();
    let p = add_producer(&mut world, "tx", &[("transactional.id", "tx-1")]);
    world.run_until(2_000);
    assert_eq!(world.producer(p).unwrap().transaction().unwrap().state, TxnClientState::Ready);
    let epoch0 = world.producer(p).unwrap().producer_epoch;

    world.apply(Action::BeginTransaction { producer: p }).unwrap();
    let a = send(&mut world, p, "a");
    world.apply(Action::CommitTransaction { producer: p }).unwrap();
    world.run_until(3_000);
    assert_eq!(world.producer(p).unwrap().result(a).unwrap().outcome, SendOutcome::Acked { offset: 0 });
    // Transactions version 2: the epoch is bumped at every transaction end.
    assert_eq!(world.producer(p).unwrap().producer_epoch, epoch0 + 1);

    world.apply(Action::BeginTransaction { producer: p }).unwrap();
    send(&mut world, p, "b");
    world.run_until(3_500);
    world.apply(Action::AbortTransaction { producer: p }).unwrap();
    world.run_until(5_000);
    assert_eq!(world.producer(p).unwrap().producer_epoch, epoch0 + 2);

    let tp = TopicPartition::new("t", 0);
    assert_eq!(
        leader_log(&world, &tp),
        vec![
            (0, true, None),
            (1, true, Some(ControlRecordType::Commit)),
            (2, true, None),
            (3, true, Some(ControlRecordType::Abort))
        ]
    );
    assert_eq!(
        txn_states(&world, "tx-1"),
        vec![
            TxnState::Empty,
            TxnState::Ongoing,
            TxnState::PrepareCommit,
            TxnState::CompleteCommit,
            TxnState::Ongoing,
            TxnState::PrepareAbort,
            TxnState::CompleteAbort
        ]
    );

    let committed = add_consumer(&mut world, "rc", "read_committed");
    let uncommitted = add_consumer(&mut world, "ru", "read_uncommitted");
    world.run_until(15_000);
    let offsets = |c| processed(&world, c).iter().map(|(_, _, n)| n).sum::<usize>();
    assert_eq!(offsets(committed), 1, "read_committed: only `a` ({:?})", processed(&world, committed));
    assert_eq!(processed(&world, committed)[0].0, 0);
    assert_eq!(offsets(uncommitted), 2, "read_uncommitted: `a` and the aborted `b`");
    assert!(world.consumer(committed).unwrap().positions.get(&tp) >= Some(&4), "past the abort marker");
}

/// An open transaction holds the last stable offset: read_committed reads nothing after its
/// first record until it ends, and `transaction.timeout.ms` makes the coordinator abort it,
/// fencing the producer (its epoch is bumped).
#[test]
fn a_hanging_transaction_holds_the_lso_until_the_timeout_aborts_it() {
    let mut world = world();
    let p = add_producer(&mut world, "tx", &[("transactional.id", "hang"), ("transaction.timeout.ms", "5000")]);
    world.run_until(1_500);
    world.apply(Action::BeginTransaction { producer: p }).unwrap();
    send(&mut world, p, "open");
    world.run_until(2_000);
    let tp = TopicPartition::new("t", 0);
    let leader = world.metadata().partition(&tp).unwrap().leader;
    let replica = |w: &World| w.broker(leader).unwrap().durable.replicas.get(&tp).unwrap().clone();
    assert_eq!(replica(&world).high_watermark, 1);
    assert_eq!(replica(&world).last_stable_offset(), 0, "the open transaction holds the LSO");
    let c = add_consumer(&mut world, "rc", "read_committed");
    world.run_until(6_000);
    assert!(processed(&world, c).is_empty());

    world.run_until(20_000);
    assert!(world
        .facts()
        .any(|f| matches!(&f.fact, Fact::TransactionTimedOut { transactional_id, .. } if transactional_id == "hang")));
    assert_eq!(replica(&world).last_stable_offset(), 2, "aborted: the marker at 1 is committed");
    assert!(processed(&world, c).is_empty(), "the aborted record stays invisible");
    let states = txn_states(&world, "hang");
    assert!(
        states.ends_with(&[TxnState::PrepareEpochFence, TxnState::PrepareAbort, TxnState::CompleteAbort]),
        "{states:?}"
    );

    // The producer learns it was fenced when it tries to commit.
    world.apply(Action::CommitTransaction { producer: p }).unwrap();
    world.run_until(22_000);
    let txn = world.producer(p).unwrap().transaction().unwrap();
    assert_eq!(txn.state, TxnClientState::FatalError);
    assert!(world.facts().any(
        |f| matches!(&f.fact, Fact::ProducerFenced { producer, error: ErrorCode::ProducerFenced, .. } if *producer == p)
    ));
}

/// Zombie fencing: a second producer with the same `transactional.id` calls InitProducerId;
/// the coordinator aborts the first one's open transaction and bumps the epoch, and the first
/// one's next batch is refused (INVALID_PRODUCER_EPOCH): it is fenced.
#[test]
fn a_new_instance_fences_the_zombie() {
    let mut world = world();
    let zombie = add_producer(&mut world, "old", &[("transactional.id", "app")]);
    world.run_until(1_500);
    world.apply(Action::BeginTransaction { producer: zombie }).unwrap();
    send(&mut world, zombie, "z1");
    world.run_until(2_000);
    let successor = add_producer(&mut world, "new", &[("transactional.id", "app")]);
    world.run_until(4_000);
    let (old, new) = (world.producer(zombie).unwrap(), world.producer(successor).unwrap());
    assert_eq!(new.producer_id, old.producer_id, "same transactional id, same producer id");
    assert!(new.producer_epoch > old.producer_epoch);
    assert_eq!(new.transaction().unwrap().state, TxnClientState::Ready);

    let late = send(&mut world, zombie, "z2");
    world.apply(Action::CommitTransaction { producer: zombie }).unwrap();
    world.run_until(6_000);
    assert_eq!(
        world.producer(zombie).unwrap().result(late).unwrap().outcome,
        SendOutcome::Failed { error: ErrorCode::InvalidProducerEpoch }
    );
    assert_eq!(world.producer(zombie).unwrap().transaction().unwrap().state, TxnClientState::FatalError);
    let tp = TopicPartition::new("t", 0);
    assert_eq!(leader_log(&world, &tp), vec![(0, true, None), (1, true, Some(ControlRecordType::Abort))]);
    let states = txn_states(&world, "app");
    assert!(states.contains(&TxnState::PrepareEpochFence), "{states:?}");
}

/// `kafka-transactions force-terminate` (KIP-939): the admin's InitProducerId fences the
/// running producer and aborts its open transaction; sent again once the abort completed (the
/// first answer is CONCURRENT_TRANSACTIONS), it bumps the epoch once more and leaves the id Empty.
#[test]
fn force_terminate_fences_the_producer_and_aborts_its_transaction() {
    let mut world = world();
    let producer = add_producer(&mut world, "app", &[("transactional.id", "app")]);
    world.run_until(1_500);
    world.apply(Action::BeginTransaction { producer }).unwrap();
    send(&mut world, producer, "open");
    world.run_until(2_000);
    let epoch_before = world.producer(producer).unwrap().producer_epoch;
    let terminate = || Action::ForceTerminateTransaction { transactional_id: "app".into(), timeout_ms: 30_000 };
    world.apply(terminate()).unwrap();
    world.run_until(3_000);
    let states = txn_states(&world, "app");
    assert!(
        states.ends_with(&[TxnState::PrepareEpochFence, TxnState::PrepareAbort, TxnState::CompleteAbort]),
        "{states:?}"
    );
    let tp = TopicPartition::new("t", 0);
    assert_eq!(leader_log(&world, &tp), vec![(0, true, None), (1, true, Some(ControlRecordType::Abort))]);
    // The admin client's retry: the epoch goes up again and the id rests Empty.
    world.apply(terminate()).unwrap();
    world.run_until(4_000);
    let bumps: Vec<i16> = world
        .facts()
        .filter_map(|f| match &f.fact {
            Fact::TxnStateChanged { transactional_id, producer_epoch, to: TxnState::Empty, .. }
                if transactional_id == "app" =>
            {
                Some(*producer_epoch)
            }
            _ => None,
        })
        .collect();
    assert_eq!(bumps.last(), Some(&(epoch_before + 2)), "{bumps:?}");
    // The old producer is fenced: its next send and its commit are refused.
    let late = send(&mut world, producer, "late");
    world.apply(Action::CommitTransaction { producer }).unwrap();
    world.run_until(6_000);
    assert!(matches!(world.producer(producer).unwrap().result(late).unwrap().outcome, SendOutcome::Failed { .. }));
    assert_eq!(world.producer(producer).unwrap().transaction().unwrap().state, TxnClientState::FatalError);
    assert!(world.facts().any(|f| matches!(&f.fact, Fact::ProducerFenced { producer: p, .. } if *p == producer)));
    // Before any transactional producer, `__transaction_state` does not exist: no coordinator.
    let mut fresh = self::world();
    assert_eq!(
        fresh.apply(Action::ForceTerminateTransaction { transactional_id: "x".into(), timeout_ms: 30_000 }),
        Err(ActionError::NoTxnCoordinator("x".into()))
    );
}

/// Coordinator failover in the middle of a commit: PrepareCommit is written, the coordinator
/// dies before the markers; the new leader of the `__transaction_state` partition reloads the
/// log, finds the prepared commit and completes it.
#[test]
fn a_new_coordinator_completes_a_prepared_commit() {
    let mut world = world();
    let p = add_producer(&mut world, "tx", &[("transactional.id", "fail-over")]);
    world.run_until(1_500);
    let state_tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, partition_for("fail-over", 5));
    let coordinator = world.metadata().partition(&state_tp).unwrap().leader;
    let data_leader = world.metadata().partition(&TopicPartition::new("t", 0)).unwrap().leader;
    world.apply(Action::BeginTransaction { producer: p }).unwrap();
    send(&mut world, p, "a");
    world.run_until(2_000);
    // Markers cannot reach the data partition's leader: the commit stays prepared.
    if coordinator != data_leader {
        world
            .apply(Action::CutLink {
                from: kafkalab_engine::sim::NodeId::Broker(coordinator),
                to: kafkalab_engine::sim::NodeId::Broker(data_leader),
                both: true,
            })
            .unwrap();
    }
    world.apply(Action::CommitTransaction { producer: p }).unwrap();
    let prepared = |w: &World| txn_states(w, "fail-over").contains(&TxnState::PrepareCommit);
    while !prepared(&world) {
        world.step();
    }
    assert!(!txn_states(&world, "fail-over").contains(&TxnState::CompleteCommit));
    world.apply(Action::KillBroker { broker: coordinator }).unwrap();
    if coordinator != data_leader {
        world
            .apply(Action::HealLink {
                from: kafkalab_engine::sim::NodeId::Broker(coordinator),
                to: kafkalab_engine::sim::NodeId::Broker(data_leader),
                both: true,
            })
            .unwrap();
    }
    world.run_until(20_000);
    assert!(world.facts().any(|f| matches!(&f.fact, Fact::TxnCoordinatorLoaded { completing: 1, .. })));
    assert_eq!(txn_states(&world, "fail-over").last(), Some(&TxnState::CompleteCommit));
    let tp = TopicPartition::new("t", 0);
    let log = leader_log(&world, &tp);
    assert!(log.contains(&(1, true, Some(ControlRecordType::Commit))), "{log:?}");
    // The producer's EndTxn, retried at the new coordinator, learns the commit.
    assert!(world
        .facts()
        .any(|f| matches!(&f.fact, Fact::TransactionEnded { producer, committed: true, .. } if *producer == p)));
}

#[test]
fn transaction_calls_need_a_transactional_producer_in_the_right_state() {
    let mut world = world();
    let plain = add_producer(&mut world, "plain", &[]);
    assert_eq!(world.apply(Action::BeginTransaction { producer: plain }), Err(ActionError::NotTransactional(plain)));
    let p = add_producer(&mut world, "tx", &[("transactional.id", "calls")]);
    world.run_until(1_500);
    assert!(matches!(
        world.apply(Action::CommitTransaction { producer: p }),
        Err(ActionError::TransactionState { state: TxnClientState::Ready, .. })
    ));
    // Outside a transaction, a send fails at once.
    let id = send(&mut world, p, "x");
    assert_eq!(
        world.producer(p).unwrap().result(id).unwrap().outcome,
        SendOutcome::Failed { error: ErrorCode::InvalidTxnState }
    );
}

fn eos_config(seed: u64, eos: bool) -> kafkalab_engine::check::chaos::ChaosConfig {
    kafkalab_engine::check::chaos::ChaosConfig {
        seed,
        steps: 120,
        brokers: 3,
        controllers: 0,
        racks: 0,
        replication_factor: 3,
        acks: "all".into(),
        min_insync_replicas: 2,
        unclean: false,
        group_protocol: "classic".into(),
        workload: kafkalab_engine::check::chaos::Workload::Eos,
        eos,
    }
}

/// The chaos checker's exactly-once configuration: under broker, link and processor faults,
/// every input record's output is committed exactly once and read_committed never returns an
/// aborted record (scripts/chaos-sweep.sh runs many more seeds).
#[test]
fn eos_chaos_commits_every_input_exactly_once() {
    for seed in 1..=4 {
        let report = kafkalab_engine::check::chaos::run(&eos_config(seed, true)).unwrap();
        eprintln!("{}", serde_json::to_string(&report).unwrap());
        assert!(report.violations.is_empty(), "seed {seed}: {:?}", report.violations);
        assert_eq!(
            (report.eos_missing, report.eos_duplicates, report.aborted_read),
            (Some(0), Some(0), Some(0)),
            "seed {seed}: {report:?}"
        );
        assert!(report.acked > 0);
    }
}

/// Regression from the 1,000-seed eos sweep (seed 475, 200 steps): the controller rejected an
/// ISR proposal (InvalidUpdateVersion) on an uncommitted PartitionChange and answered at once;
/// the leader then waited for metadata that the controller's failover never wrote, its ISR stayed
/// stuck and 3,183 inputs never reached the output. Kafka's `ControllerWriteEvent` answers a
/// decision without records only once the log end commits.
///
/// Seed 309 (200 steps): a transaction's third batch to a partition overtook the first two,
/// which NOT_ENOUGH_REPLICAS had refused, and was written as the producer's first; the first was
/// then refused as out of order on every retry and both processors stalled (4,856 inputs without
/// output). Kafka 4.x refuses a transactions-v2 first batch that does not start at sequence 0.
///
/// Seed 431: the group leader assigned while its metadata was incomplete and never rejoined
/// when the metadata changed, so a partition stayed unassigned (Kafka's
/// `ConsumerCoordinator.assignmentSnapshot`). Seed 542 (1,382 inputs without output): every
/// partition was leaderless when a processor refreshed its metadata; its position awaited
/// validation against a leader it never learned, since only a fetch asked for new metadata
/// (Kafka's `Metadata` asks again for a partition answered LEADER_NOT_AVAILABLE).
#[test]
fn eos_sweep_regressions_commit_every_input_exactly_once() {
    for seed in [145, 309, 337, 431, 475, 542, 744] {
        let report = kafkalab_engine::check::chaos::run(&kafkalab_engine::check::chaos::ChaosConfig {
            steps: 200,
            ..eos_config(seed, true)
        })
        .unwrap();
        assert!(report.violations.is_empty(), "seed {seed}: {:?}", report.violations);
        assert_eq!(
            (report.eos_missing, report.eos_duplicates, report.aborted_read),
            (Some(0), Some(0), Some(0)),
            "seed {seed}"
        );
    }
}

/// With at-least-once processors (`--eos false`: plain sends, commitSync after processing), a
/// processor crash makes the group reprocess records whose outputs were already written.
#[test]
fn at_least_once_processors_duplicate_outputs_under_crashes() {
    let duplicates: u64 = (1..=4)
        .map(|seed| kafkalab_engine::check::chaos::run(&eos_config(seed, false)).unwrap())
        .map(|r| r.eos_duplicates.unwrap_or(0))
        .sum();
    assert!(duplicates > 0, "no duplicates over four seeds");
}
