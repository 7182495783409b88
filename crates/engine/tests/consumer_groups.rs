//! Consumer groups end to end on the simulated cluster: the classic protocol, offsets in
//! `__consumer_offsets`, crashes, cooperative versus eager rebalances, static membership,
//! coordinator failover and delivery semantics.

use kafkalab_engine::consumer::{CommitMode, ConsumerApp};
use kafkalab_engine::group::coordinator::classic::ClassicGroupState;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::world::{Action, ActionOutcome, TimedFact, World, WorldConfig};

fn pairs(configs: &[(&str, &str)]) -> Vec<(String, String)> {
    configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

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

fn group_facts(world: &World) -> Vec<&TimedFact> {
    world
        .facts()
        .filter(|f| {
            !matches!(
                f.fact,
                Fact::BatchAppended { .. }
                    | Fact::HighWatermarkAdvanced { .. }
                    | Fact::ProduceAcked { .. }
                    | Fact::ConsumerPolled { .. }
                    | Fact::RecordsProcessed { .. }
                    | Fact::CommitSent { .. }
                    | Fact::OffsetsCommitted { .. }
                    | Fact::MetadataUpdated { .. }
                    | Fact::LeaderElected { .. }
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
    let ids: Vec<u32> = (0..5).map(|i| add_consumer(&mut world, &format!("c{i}"), &[("group.id", "g")], ConsumerApp::default())).collect();
    world.run_until(20_000);
    print_narration(&world);
    let owned: Vec<usize> = ids.iter().map(|id| world.consumer(*id).unwrap().assignment.len()).collect();
    assert_eq!(owned.iter().sum::<usize>(), 4, "{owned:?}");
    assert_eq!(owned.iter().filter(|n| **n == 0).count(), 1, "one idle consumer: {owned:?}");
    let processed: u64 = ids.iter().map(|id| world.consumer(*id).unwrap().processed_records).sum();
    assert!(processed > 1000, "records flowed: {processed}");
    assert_eq!(ids.iter().map(|id| world.consumer(*id).unwrap().duplicates).sum::<u64>(), 0);
}
