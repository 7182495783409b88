//! Retention ignores consumers, as in Kafka: it deletes whole segments below the high watermark
//! whether or not a group has read them. A consumer whose committed offset fell below the new log
//! start offset gets OFFSET_OUT_OF_RANGE and is reset by `auto.offset.reset`.

use crate::common::pairs;
use kafkalab_engine::cluster::{Action, ActionOutcome, World, WorldConfig};
use kafkalab_engine::consumer::ConsumerApp;
use kafkalab_engine::narration::{Fact, PositionSource};
use kafkalab_engine::producer::stream::KeyPattern;
use kafkalab_engine::protocol::TopicPartition;

#[test]
fn retention_deletes_past_a_lagging_group_and_the_consumer_resets_to_earliest() {
    let mut config = WorldConfig { teaching_mode: true, fact_history: 1_000_000, ..WorldConfig::default() };
    config.broker.log_retention_check_interval_ms = 1_000;
    config.broker.group_coordinator.offsets_topic_num_partitions = 3;
    let mut world = World::new(config, 9).unwrap();
    world
        .apply(Action::CreateTopic {
            name: "t".into(),
            partitions: 1,
            replication_factor: 3,
            configs: pairs(&[("segment.bytes", "1024"), ("retention.ms", "3000")]),
        })
        .unwrap();
    world.run_until(300);
    let ActionOutcome::ProducerAdded { producer } =
        world.apply(Action::AddProducer { name: "p".into(), configs: Vec::new() }).unwrap()
    else {
        panic!("producer")
    };
    world
        .apply(Action::StartStream { producer, topic: "t".into(), records_per_sec: 50, keys: KeyPattern::None })
        .unwrap();
    let configs = pairs(&[("group.id", "g"), ("auto.offset.reset", "earliest"), ("auto.commit.interval.ms", "500")]);
    let ActionOutcome::ConsumerAdded { consumer } = world
        .apply(Action::AddConsumer { name: "c".into(), topics: vec!["t".into()], configs, app: ConsumerApp::default() })
        .unwrap()
    else {
        panic!("consumer")
    };
    world.run_until(8_000);
    world.apply(Action::CrashConsumer { consumer }).unwrap();
    let crashed_at = world.now();
    world.run_until(40_000);
    let tp = TopicPartition::new("t", 0);
    let log_start = world.facts().filter_map(|f| match &f.fact {
        Fact::SegmentsDeleted { topic_partition, log_start_offset, .. }
            if *topic_partition == tp && f.at_ms > crashed_at =>
        {
            Some(*log_start_offset)
        }
        _ => None,
    });
    let log_start = log_start.max().expect("retention deleted segments while the consumer was down");
    let ActionOutcome::ConsumerAdded { consumer: restarted } =
        world.apply(Action::RestartConsumer { consumer }).unwrap()
    else {
        panic!("restarted consumer")
    };
    let restarted_at = world.now();
    world.run_until(60_000);
    let reset = world.facts().filter(|f| f.at_ms >= restarted_at).find_map(|f| match &f.fact {
        Fact::PositionSet { consumer, topic_partition, offset, source: PositionSource::ResetEarliest }
            if *consumer == restarted && *topic_partition == tp =>
        {
            Some(*offset)
        }
        _ => None,
    });
    let reset = reset.expect("the restarted consumer was reset by auto.offset.reset=earliest");
    assert!(reset >= log_start, "reset to the log start ({reset} >= {log_start}), past the deleted records");
    assert!(
        world.facts().any(|f| matches!(&f.fact, Fact::RecordsSkipped { .. })),
        "the group skipped the deleted records"
    );
}
