//! A producer process crash and restart: what the application loses, and what the new process
//! (a new client node, a new producer id) does not inherit.

use crate::common::pairs;
use kafkalab_engine::cluster::message_log::MessageOutcome;
use kafkalab_engine::cluster::world::MESSAGES_KEPT;
use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome, World, WorldConfig};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::{ProducerRecord, SendOutcome};
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::NodeId;

fn record(value: &str) -> ProducerRecord {
    ProducerRecord {
        topic: "t".into(),
        partition: Some(0),
        key: None,
        value: Some(value.as_bytes().to_vec()),
        headers: Vec::new(),
    }
}

fn send(world: &mut World, producer: u32, value: &str) -> u64 {
    match world.apply(Action::Send { producer, record: record(value) }).unwrap() {
        ActionOutcome::Sent { send_id } => send_id,
        other => panic!("unexpected {other:?}"),
    }
}

fn outcome(world: &World, producer: u32, send_id: u64) -> SendOutcome {
    world.producer(producer).unwrap().result(send_id).unwrap().outcome.clone()
}

#[test]
fn a_crash_loses_unacked_sends_and_a_restart_is_a_new_process_with_a_new_producer_id() {
    let config = WorldConfig { message_log: MESSAGES_KEPT, ..WorldConfig::default() };
    let mut world = World::new(config, 5).unwrap();
    world
        .apply(Action::CreateTopic { name: "t".into(), partitions: 1, replication_factor: 3, configs: Vec::new() })
        .unwrap();
    world.run_until(200);
    let configs = pairs(&[("enable.idempotence", "true"), ("linger.ms", "50")]);
    let ActionOutcome::ProducerAdded { producer: p } =
        world.apply(Action::AddProducer { name: "p".into(), configs }).unwrap()
    else {
        panic!("a producer id")
    };
    let acked = send(&mut world, p, "a");
    world.run_until(3_000);
    assert_eq!(outcome(&world, p, acked), SendOutcome::Acked { offset: 0 });
    let (old_node, old_pid) = {
        let producer = world.producer(p).unwrap();
        (producer.node, producer.producer_id)
    };
    assert!(old_pid >= 0, "the idempotent producer has an id");

    // A slow leader keeps the next request in flight; the send after it waits in the accumulator.
    let tp = TopicPartition::new("t", 0);
    let leader = world.metadata().partition(&tp).unwrap().leader;
    world.apply(Action::SlowNode { node: NodeId::Broker(leader), extra_ms: 500 }).unwrap();
    let in_flight = send(&mut world, p, "b");
    world.run_until(world.now() + 60);
    let waiting = send(&mut world, p, "c");
    let producer = world.producer(p).unwrap();
    assert_eq!((producer.in_flight_requests(), producer.waiting_records()), (1, 1));

    world.apply(Action::CrashProducer { producer: p }).unwrap();
    assert!(!world.producer_running(p));
    assert_eq!(outcome(&world, p, in_flight), SendOutcome::ProcessCrashed);
    assert_eq!(outcome(&world, p, waiting), SendOutcome::ProcessCrashed);
    assert_eq!(outcome(&world, p, acked), SendOutcome::Acked { offset: 0 }, "what was acked stays acked");
    assert!(world.facts().any(|f| f.fact == Fact::ProducerCrashed { producer: p, lost_records: 2 }));
    assert_eq!(world.apply(Action::Send { producer: p, record: record("x") }), Err(ActionError::ProducerStopped(p)));
    assert_eq!(world.apply(Action::CrashProducer { producer: p }), Err(ActionError::ProducerStopped(p)));

    world.apply(Action::SlowNode { node: NodeId::Broker(leader), extra_ms: 0 }).unwrap();
    assert_eq!(world.apply(Action::RestartProducer { producer: p }), Ok(ActionOutcome::ProducerAdded { producer: p }));
    assert_eq!(world.apply(Action::RestartProducer { producer: p }), Err(ActionError::ProducerRunning(p)));
    let new_node = world.producer(p).unwrap().node;
    assert_ne!(new_node, old_node, "a new process runs on a new client node");
    let started = world.facts().filter(|f| matches!(&f.fact, Fact::ProducerStarted { producer, .. } if *producer == p));
    assert_eq!(started.count(), 2);

    world.run_until(world.now() + 1_000);
    let after = send(&mut world, p, "d");
    assert!(after > waiting, "send ids stay unique across processes");
    world.run_until(world.now() + 3_000);
    let producer = world.producer(p).unwrap();
    assert!(producer.producer_id >= 0 && producer.producer_id != old_pid, "a new instance gets a new producer id");
    // The old process's request reached the log, and its response reached the old node, where
    // nobody listens any more: the application never learns the outcome.
    let stale = world
        .message_log()
        .between(0, world.now())
        .filter(|m| m.kind == "ProduceResponse" && m.to == NodeId::Client(old_node))
        .filter(|m| m.outcome == MessageOutcome::Delivered)
        .count();
    assert_eq!(stale, 2, "the responses for `a` and `b` both went to the old node");
    assert_eq!(outcome(&world, p, in_flight), SendOutcome::ProcessCrashed);
    assert_eq!(outcome(&world, p, after), SendOutcome::Acked { offset: 2 });
    assert_eq!(producer.acked_records, 2);
    assert!(!world.facts().any(|f| matches!(f.fact, Fact::MessageMisrouted { .. })));
}
