//! The producer path end to end on the simulated cluster: acks, replication, retries and
//! idempotence, partitioning, and time travel.

use crate::common::pairs;
use kafkalab_engine::cluster::timeline::Timeline;
use kafkalab_engine::cluster::workload;
use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome, World, WorldConfig};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::partitioner::partition_for_key;
use kafkalab_engine::producer::{ProducerRecord, SendOutcome};
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::NodeId;

/// A cluster of `brokers` with one topic `t` and one producer; returns the producer id.
fn cluster(brokers: i32, partitions: i32, rf: i32, producer_configs: &[(&str, &str)]) -> (World, u32) {
    let mut world = World::new(WorldConfig { brokers, ..WorldConfig::default() }, 11).unwrap();
    world
        .apply(Action::CreateTopic { name: "t".into(), partitions, replication_factor: rf, configs: Vec::new() })
        .unwrap();
    // Like an admin client, wait until every broker has applied the new topic's metadata.
    world.run_until(200);
    let ActionOutcome::ProducerAdded { producer } =
        world.apply(Action::AddProducer { name: "p".into(), configs: pairs(producer_configs) }).unwrap()
    else {
        panic!("a producer id")
    };
    (world, producer)
}

fn record(key: Option<&str>, value: &str) -> ProducerRecord {
    ProducerRecord {
        topic: "t".into(),
        partition: None,
        key: key.map(|k| k.as_bytes().to_vec()),
        value: Some(value.as_bytes().to_vec()),
        headers: Vec::new(),
    }
}

fn send(world: &mut World, producer: u32, record: ProducerRecord) -> u64 {
    match world.apply(Action::Send { producer, record }).unwrap() {
        ActionOutcome::Sent { send_id } => send_id,
        other => panic!("unexpected {other:?}"),
    }
}

fn outcome(world: &World, producer: u32, send_id: u64) -> SendOutcome {
    world.producer(producer).unwrap().result(send_id).unwrap().outcome.clone()
}

fn leader_log_end_offset(world: &World, tp: &TopicPartition) -> i64 {
    let leader = world.metadata().partition(tp).unwrap().leader;
    world.broker(leader).unwrap().durable.replicas[tp].log.log_end_offset()
}

#[test]
fn acks_all_answers_only_after_every_isr_member_has_the_record() {
    let (mut world, producer) = cluster(3, 1, 3, &[]);
    let id = send(&mut world, producer, record(Some("k"), "v"));
    world.run_until(5_000);
    assert_eq!(outcome(&world, producer, id), SendOutcome::Acked { offset: 0 });
    let tp = TopicPartition::new("t", 0);
    for broker in world.brokers() {
        assert_eq!(broker.durable.replicas[&tp].log.log_end_offset(), 1, "broker {} has the record", broker.id);
    }
    let acked_at = world.facts().find(|f| matches!(f.fact, Fact::ProduceAcked { .. })).unwrap().at_ms;
    let appended_at = world.facts().find(|f| matches!(f.fact, Fact::BatchAppended { .. })).unwrap().at_ms;
    assert!(acked_at > appended_at, "the ack waits for the followers' fetches");
}

/// Kafka's classic duplicate: the batch is written, the response is lost, the producer retries.
fn lost_response_then_retry(idempotent: bool) -> (World, u32, u64) {
    let idempotence = if idempotent { "true" } else { "false" };
    let (mut world, producer) = cluster(
        1,
        1,
        1,
        &[("enable.idempotence", idempotence), ("request.timeout.ms", "300"), ("delivery.timeout.ms", "60000")],
    );
    let first = send(&mut world, producer, record(Some("k"), "first"));
    world.run_until(1_000);
    assert_eq!(outcome(&world, producer, first), SendOutcome::Acked { offset: 0 });
    // Responses from the broker to the producer are lost; requests still arrive.
    world.apply(Action::CutLink { from: NodeId::Broker(1), to: NodeId::Client(producer), both: false }).unwrap();
    let second = send(&mut world, producer, record(Some("k"), "second"));
    world.run_until(1_700);
    world.apply(Action::HealLink { from: NodeId::Broker(1), to: NodeId::Client(producer), both: false }).unwrap();
    world.run_until(10_000);
    (world, producer, second)
}

#[test]
fn idempotent_retry_after_a_lost_response_is_written_once() {
    let (world, producer, second) = lost_response_then_retry(true);
    assert_eq!(outcome(&world, producer, second), SendOutcome::Acked { offset: 1 });
    assert_eq!(leader_log_end_offset(&world, &TopicPartition::new("t", 0)), 2, "no duplicate in the log");
    assert!(world.facts().any(|f| matches!(f.fact, Fact::DuplicateBatch { .. })));
}

#[test]
fn without_idempotence_the_same_retry_duplicates_the_record() {
    let (world, producer, second) = lost_response_then_retry(false);
    assert!(matches!(outcome(&world, producer, second), SendOutcome::Acked { offset } if offset > 1));
    assert!(leader_log_end_offset(&world, &TopicPartition::new("t", 0)) > 2, "the retry was appended again");
}

#[test]
fn acks_zero_never_learns_its_offset() {
    let (mut world, producer) = cluster(3, 3, 3, &[("acks", "0")]);
    let id = send(&mut world, producer, record(Some("k"), "v"));
    world.run_until(2_000);
    assert_eq!(outcome(&world, producer, id), SendOutcome::Acked { offset: -1 });
    let tp = TopicPartition::new("t", partition_for_key(b"k", 3));
    assert_eq!(leader_log_end_offset(&world, &tp), 1);
}

#[test]
fn keyed_records_go_to_the_murmur2_partition_in_order() {
    let (mut world, producer) = cluster(3, 6, 2, &[]);
    let ids: Vec<u64> =
        (0..30).map(|i| send(&mut world, producer, record(Some(&format!("key-{}", i % 5)), &i.to_string()))).collect();
    world.run_until(5_000);
    let mut last_offset_per_key = std::collections::BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        let result = world.producer(producer).unwrap().result(*id).unwrap();
        let key = format!("key-{}", i % 5);
        assert_eq!(result.topic_partition.as_ref().unwrap().partition, partition_for_key(key.as_bytes(), 6));
        let SendOutcome::Acked { offset } = result.outcome else { panic!("{result:?}") };
        if let Some(previous) = last_offset_per_key.insert(key, offset) {
            assert!(offset > previous, "per-key order is kept");
        }
    }
}

#[test]
fn null_keys_stick_to_a_partition_until_a_batch_fills() {
    let (mut world, producer) = cluster(3, 6, 1, &[("batch.size", "300"), ("linger.ms", "50")]);
    let ids: Vec<u64> = (0..40).map(|i| send(&mut world, producer, record(None, &format!("value-{i:04}")))).collect();
    world.run_until(5_000);
    let partitions: Vec<i32> = ids
        .iter()
        .map(|id| world.producer(producer).unwrap().result(*id).unwrap().topic_partition.as_ref().unwrap().partition)
        .collect();
    let switches = partitions.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(switches >= 2, "the partitioner moves on once batches fill: {partitions:?}");
    assert!(switches <= 40 / 5, "records stick together in runs: {partitions:?}");
}

/// Kafka's `RecordAccumulator.append` reports each new batch's whole estimated size to
/// `BuiltInPartitioner.updatePartitionInfo`, its 61-byte header included
/// (`AbstractRecords.estimateSizeInBytesUpperBound`, `DefaultRecordBatch.RECORD_BATCH_OVERHEAD`),
/// and `RecordAccumulator.partitionChanged` makes the postponed switch once the partition's
/// batches are sent. At a modest rate every record is a batch of its own: 61 bytes of header plus
/// the record's upper bound (21 bytes of overhead, the 10-byte value, 5 bytes of length varints),
/// so after ceil(16384 / 97) = 169 records the next one goes to a newly drawn partition.
#[test]
fn small_records_at_a_modest_rate_switch_partition_every_batch_size_of_batches() {
    let (mut world, producer) = cluster(3, 6, 1, &[]);
    let partitions: Vec<i32> = (0..600)
        .map(|i| {
            let id = send(&mut world, producer, record(None, &format!("value-{i:04}")));
            let now = world.now();
            world.run_until(now + 100);
            world.producer(producer).unwrap().result(id).unwrap().topic_partition.as_ref().unwrap().partition
        })
        .collect();
    let switch_every = 16384_usize.div_ceil(61 + 21 + 10 + 5);
    assert_eq!(switch_every, 169);
    let switches: Vec<usize> = (1..partitions.len()).filter(|&i| partitions[i] != partitions[i - 1]).collect();
    assert!(!switches.is_empty(), "600 records on partition {} only", partitions[0]);
    assert!(switches.iter().all(|i| i % switch_every == 0), "switched after records {switches:?}");
}

/// Records per partition of a null-key stream while the leader of partition 0 answers slowly.
fn records_per_partition_with_a_slow_leader(adaptive: &str) -> Vec<usize> {
    let (mut world, producer) = cluster(
        3,
        3,
        1,
        &[("batch.size", "200"), ("linger.ms", "0"), ("partitioner.adaptive.partitioning.enable", adaptive)],
    );
    let slow = world.metadata().partition(&TopicPartition::new("t", 0)).unwrap().leader;
    world.apply(Action::SlowNode { node: NodeId::Broker(slow), extra_ms: 3_000 }).unwrap();
    let mut counts = vec![0; 3];
    for i in 0..600 {
        let id = send(&mut world, producer, record(None, &format!("value-{i:04}")));
        let now = world.now();
        world.run_until(now + 5);
        counts[world.producer(producer).unwrap().result(id).unwrap().topic_partition.as_ref().unwrap().partition
            as usize] += 1;
    }
    counts
}

/// Adaptive partitioning (KIP-794): `RecordAccumulator.partitionReady` hands the queue sizes to
/// `BuiltInPartitioner.updatePartitionLoadStats`, and `nextPartition` then draws a partition
/// whose batches pile up behind a slow leader less often.
#[test]
fn adaptive_partitioning_sends_fewer_records_to_a_partition_with_a_long_queue() {
    let uniform = records_per_partition_with_a_slow_leader("false");
    let adaptive = records_per_partition_with_a_slow_leader("true");
    assert!(2 * adaptive[0] < uniform[0], "slow partition: adaptive {adaptive:?}, uniform {uniform:?}");
}

#[test]
fn bad_producer_configs_name_the_key() {
    let mut world = World::new(WorldConfig::default(), 1).unwrap();
    for (key, value) in [("acks", "2"), ("batch.size", "-1"), ("linger.ms", "soon"), ("no.such.key", "1")] {
        let err = world.apply(Action::AddProducer { name: "p".into(), configs: pairs(&[(key, value)]) }).unwrap_err();
        assert!(matches!(err, ActionError::Config(_)));
        assert!(err.to_string().contains(key), "{err}");
    }
}

#[test]
fn a_record_for_a_missing_partition_is_refused() {
    let (mut world, producer) = cluster(3, 2, 1, &[]);
    let mut r = record(None, "v");
    r.partition = Some(7);
    let err = world.apply(Action::Send { producer, record: r }).unwrap_err();
    assert_eq!(err.to_string(), "invalid partition 7 for topic `t`: it has partitions 0..1");
}

#[test]
fn seeking_back_and_forth_reproduces_the_same_view() {
    let mut timeline = Timeline::new(workload::reference(5), 500);
    timeline.seek(1_200);
    timeline.apply(Action::SlowNode { node: NodeId::Broker(2), extra_ms: 40 }).unwrap();
    timeline.seek(3_000);
    let at_3000 = serde_json::to_string(&timeline.world().view()).unwrap();
    let hash = timeline.world().trace_hash();
    timeline.seek(0);
    assert_eq!(timeline.world().now(), 0);
    timeline.seek(2_000);
    timeline.seek(3_000);
    let replayed = serde_json::to_string(&timeline.world().view()).unwrap();
    let first_difference = replayed.bytes().zip(at_3000.bytes()).position(|(a, b)| a != b);
    let context: String = replayed.chars().skip(first_difference.unwrap_or(0).saturating_sub(80)).take(160).collect();
    assert!(replayed == at_3000, "views differ from byte {first_difference:?}: {context}");
    assert_eq!(timeline.world().trace_hash(), hash);
}

/// An idempotent producer whose partition leader was elected uncleanly: the new leader knows the
/// producer from older batches but lacks the newest ones, so the next batch gets
/// OUT_OF_ORDER_SEQUENCE_NUMBER. Kafka's `TransactionManager.canRetry` retries it after a local
/// epoch bump (`requestEpochBumpForPartition`, `bumpIdempotentEpochAndResetIdIfNeeded`, KIP-360):
/// no second InitProducerId, and the batch is written at sequence 0 under the new epoch. Before,
/// the engine retried under the old epoch until `delivery.timeout.ms` and then failed the records.
#[test]
fn an_out_of_order_sequence_after_an_unclean_election_bumps_the_epoch_locally_and_retries() {
    let text = r#"
name = "oos"
duration_ms = 30000
[title]
ko = "t"
en = "t"
[description]
ko = "d"
en = "d"
[cluster]
brokers = 3
configs = { "replica.lag.time.max.ms" = 1000 }
[[topic]]
name = "t"
assignment = [[2, 3]]
configs = { "unclean.leader.election.enable" = true }
[[producer]]
name = "p"
configs = { "delivery.timeout.ms" = 20000, "request.timeout.ms" = 1000 }
stream = { topic = "t", rate = 20 }
[[step]]
at_ms = 4000
action = "cut_link"
from = "broker-2"
to = "broker-3"
both = true
[[step]]
at_ms = 8000
action = "kill_broker"
broker = 2
"#;
    let scenario = kafkalab_engine::scenario::parse(text).unwrap();
    let mut run = kafkalab_engine::scenario::ScenarioRun::new(scenario, None).unwrap();
    run.seek(30_000);
    let facts: Vec<Fact> = run.world().facts().map(|f| f.fact.clone()).collect();
    let unclean = facts.iter().position(|f| matches!(f, Fact::LeaderElected { leader: 3, unclean: true, .. }));
    let unclean = unclean.expect("broker 3 is elected uncleanly");
    let oos = facts[unclean..].iter().position(|f| {
        matches!(
            f,
            Fact::ProduceFailed {
                error: kafkalab_engine::protocol::ErrorCode::OutOfOrderSequenceNumber,
                will_retry: true,
                ..
            }
        )
    });
    assert!(oos.is_some(), "the new leader answers the next batch with OUT_OF_ORDER_SEQUENCE_NUMBER");
    let bumped = facts[unclean..]
        .iter()
        .find_map(|f| match f {
            Fact::ProducerEpochBumped { producer_epoch, partitions, .. } => Some((*producer_epoch, partitions.clone())),
            _ => None,
        })
        .expect("the producer bumps its epoch itself");
    assert_eq!(bumped, (1, vec![TopicPartition::new("t", 0)]));
    let assigned = facts.iter().filter(|f| matches!(f, Fact::ProducerIdAssigned { .. })).count();
    assert_eq!(assigned, 1, "no InitProducerId round trip for the bump");
    assert!(
        !facts.iter().any(|f| matches!(f, Fact::ProduceFailed { will_retry: false, .. })),
        "no record fails: the batch is retried under the new epoch"
    );
    let producer = run.world().producers().next().unwrap();
    assert!(producer.results().all(|r| !matches!(r.outcome, SendOutcome::Failed { .. })));
    assert!(facts[unclean..].iter().any(|f| matches!(f, Fact::ProduceAcked { .. })));
}

/// `Sender.getExpiredInflightBatches`: `delivery.timeout.ms` also expires a batch whose request
/// is in flight, at its deadline, not when the request later times out. Before, the engine
/// failed it only at the request timeout, with REQUEST_TIMED_OUT, 700 ms past the deadline here.
#[test]
fn delivery_timeout_expires_a_batch_while_its_request_is_in_flight() {
    let (mut world, producer) = cluster(
        3,
        1,
        3,
        &[("request.timeout.ms", "1000"), ("delivery.timeout.ms", "2500"), ("retry.backoff.ms", "100")],
    );
    // Warm up: metadata and the producer id.
    let first = send(&mut world, producer, record(None, "a"));
    world.run_until(5_000);
    assert!(matches!(outcome(&world, producer, first), SendOutcome::Acked { .. }));
    let leader = world.metadata().partition(&TopicPartition::new("t", 0)).unwrap().leader;
    world.apply(Action::CutLink { from: NodeId::Client(producer), to: NodeId::Broker(leader), both: true }).unwrap();
    let sent_at = world.now();
    let id = send(&mut world, producer, record(None, "b"));
    world.run_until(sent_at + 2_499);
    assert_eq!(outcome(&world, producer, id), SendOutcome::Pending);
    let in_flight = world.producer(producer).unwrap().in_flight_requests();
    assert_eq!(in_flight, 1, "the third attempt is in flight at the deadline");
    world.run_until(sent_at + 2_510);
    assert_eq!(
        outcome(&world, producer, id),
        SendOutcome::Failed { error: kafkalab_engine::protocol::ErrorCode::DeliveryTimeout }
    );
    let failed_at: Vec<u64> = world
        .facts()
        .filter(|f| matches!(f.fact, Fact::ProduceFailed { will_retry: false, .. }))
        .map(|f| f.at_ms)
        .collect();
    assert_eq!(failed_at, vec![sent_at + 2_500]);
}
