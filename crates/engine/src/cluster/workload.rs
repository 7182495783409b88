//! The reference workload: a fixed, seeded cluster used by the benchmark and by the
//! native-versus-wasm determinism test, so both measure and hash the same thing. Beside it the
//! `large` and `scale` clusters of the other bench suites.

use super::{Action, ActionError, ActionOutcome, World, WorldConfig};
use crate::consumer::ConsumerApp;
use crate::producer::stream::KeyPattern;

/// Brokers, partitions and producers of the reference workload.
pub const BROKERS: i32 = 3;
pub const PARTITIONS: i32 = 12;
pub const PRODUCERS: u32 = 3;
/// Each producer streams this many records per virtual second.
pub const RECORDS_PER_SEC: u32 = 1000;

/// The large workload: 9 brokers, 300 partitions with replication factor 3, 3 producers.
pub const LARGE_BROKERS: i32 = 9;
pub const LARGE_PARTITIONS: i32 = 300;

/// 3 brokers, one topic of 12 partitions with replication factor 3, and 3 producers streaming
/// keyed records with Kafka's default producer settings (acks=all, idempotence, linger.ms=5).
pub fn reference(seed: u64) -> World {
    orders_cluster(seed, BROKERS, PARTITIONS, PRODUCERS_OF_REFERENCE)
        .expect("the reference workload uses only valid settings")
}

/// 9 brokers, one topic of 300 partitions with replication factor 3, and the same 3 producers.
pub fn large(seed: u64) -> World {
    orders_cluster(seed, LARGE_BROKERS, LARGE_PARTITIONS, PRODUCERS_OF_REFERENCE)
        .expect("the large workload uses only valid settings")
}

/// The scale workload (issue 17): 100 brokers, 10,000 partitions with replication factor 3,
/// 50 producers and a 20-member consumer group.
pub const SCALE_BROKERS: i32 = 100;
pub const SCALE_PARTITIONS: i32 = 10_000;
pub const SCALE_PRODUCERS: u32 = 50;
/// 200 records/s per producer, 10,000 records/s in all: one record per partition and second,
/// a busy but ordinary application's rate (each producer's batches still hold single records,
/// as with many partitions and linger.ms=5 in Kafka).
pub const SCALE_RECORDS_PER_SEC: u32 = 200;
pub const SCALE_CONSUMERS: u32 = 20;
/// Keys per producer: enough for 50 producers to reach nearly every one of 10,000 partitions.
const SCALE_KEYS_PER_PRODUCER: u32 = 1_000;

/// 100 brokers, one topic of 10,000 partitions with replication factor 3, 50 producers streaming
/// keyed records with Kafka's defaults, and a 20-member classic group reading the topic (1 ms of
/// processing per record, auto-commit).
pub fn scale(seed: u64) -> World {
    scale_with(seed, SCALE_PARTITIONS).expect("the scale workload uses only valid settings")
}

/// The scale workload with another partition count, to see how the cost grows with it.
pub fn scale_with(seed: u64, partitions: i32) -> Result<World, ActionError> {
    scale_in(WorldConfig { brokers: SCALE_BROKERS, ..WorldConfig::default() }, seed, partitions)
}

/// The scale workload in a world of `config` (its broker count is the cluster's): the app runs it
/// with a longer fact history for its narration feed.
pub fn scale_in(config: WorldConfig, seed: u64, partitions: i32) -> Result<World, ActionError> {
    let producers =
        Producers { count: SCALE_PRODUCERS, records_per_sec: SCALE_RECORDS_PER_SEC, keys: SCALE_KEYS_PER_PRODUCER };
    let mut world = orders_cluster_in(config, seed, partitions, producers)?;
    for c in 0..SCALE_CONSUMERS {
        world.apply(Action::AddConsumer {
            name: format!("consumer-{c}"),
            topics: vec!["orders".into()],
            configs: vec![("group.id".into(), "order-readers".into())],
            app: ConsumerApp { processing_ms_per_record: 1, ..ConsumerApp::default() },
        })?;
    }
    Ok(world)
}

/// The reference and large workloads' producers.
const PRODUCERS_OF_REFERENCE: Producers = Producers { count: PRODUCERS, records_per_sec: RECORDS_PER_SEC, keys: 100 };

/// How many producers stream keyed records (with Kafka's default settings), how fast, and how
/// many keys each cycles through.
struct Producers {
    count: u32,
    records_per_sec: u32,
    keys: u32,
}

/// `brokers` brokers, topic `orders` (`partitions`, replication factor 3, min.insync.replicas 2)
/// and its producers.
fn orders_cluster(seed: u64, brokers: i32, partitions: i32, producers: Producers) -> Result<World, ActionError> {
    orders_cluster_in(WorldConfig { brokers, ..WorldConfig::default() }, seed, partitions, producers)
}

fn orders_cluster_in(
    config: WorldConfig,
    seed: u64,
    partitions: i32,
    producers: Producers,
) -> Result<World, ActionError> {
    let mut world = World::new(config, seed)?;
    world.apply(Action::CreateTopic {
        name: "orders".into(),
        partitions,
        replication_factor: 3,
        configs: vec![("min.insync.replicas".into(), "2".into())],
    })?;
    for p in 0..producers.count {
        if let ActionOutcome::ProducerAdded { producer } =
            world.apply(Action::AddProducer { name: format!("producer-{p}"), configs: Vec::new() })?
        {
            world.apply(Action::StartStream {
                producer,
                topic: "orders".into(),
                records_per_sec: producers.records_per_sec,
                keys: KeyPattern::Cycle { prefix: format!("p{p}-key"), count: producers.keys },
            })?;
        }
    }
    Ok(world)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_trace_different_seed_different_trace() {
        let run = |seed| {
            let mut w = reference(seed);
            w.run_until(2_000);
            (w.trace_hash(), w.events_processed())
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7).0, run(8).0);
    }
}
