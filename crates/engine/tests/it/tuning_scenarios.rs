//! The tuning scenarios' learning points, read from the engine's metrics and logs.

use kafkalab_engine::cluster::World;
use kafkalab_engine::log::CompressionType;
use kafkalab_engine::metrics::MetricsSample;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::scenario::{self, ScenarioRun};

/// The built-in scenario `name`, played to its end.
fn played(name: &str) -> ScenarioRun {
    let builtin = scenario::builtin().into_iter().find(|b| b.name == name).expect("built-in");
    let parsed = scenario::parse(builtin.text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(parsed.category, scenario::Category::Patterns, "{name} is an application pattern");
    let duration = parsed.duration_ms;
    let mut run = ScenarioRun::new(parsed, None).unwrap();
    run.seek(duration);
    assert!(run.failures().is_empty(), "{name}: refused steps {:?}", run.failures());
    run
}

/// A topic's leader logs: (records, bytes on disk, codecs of its batches).
fn topic_on_disk(world: &World, topic: &str) -> (usize, u64, Vec<CompressionType>) {
    let (mut records, mut bytes, mut codecs) = (0, 0, Vec::new());
    for partition in 0..3 {
        let tp = TopicPartition::new(topic, partition);
        let leader = world.metadata().partition(&tp).expect("partition").leader;
        let log = &world.broker(leader).expect("leader").durable.replicas[&tp].log;
        bytes += log.size_in_bytes();
        for stored in log.batches() {
            records += stored.batch.records.len();
            codecs.push(stored.batch.compression());
        }
    }
    codecs.sort();
    codecs.dedup();
    (records, bytes, codecs)
}

/// The samples of one phase `[from_ms, to_ms)`, leaving out its first second (the switch).
fn phase(world: &World, from_ms: u64, to_ms: u64) -> Vec<MetricsSample> {
    world.metrics().samples_between(from_ms + 2_000, to_ms).copied().collect()
}

fn mean(samples: &[MetricsSample], name: &str) -> f64 {
    samples.iter().map(|s| s.get(name).unwrap()).sum::<f64>() / samples.len() as f64
}

fn requests(samples: &[MetricsSample]) -> f64 {
    samples.last().unwrap().request_total as f64 - samples.first().unwrap().request_total as f64
}

#[test]
fn lingering_cuts_requests_and_compression_cuts_bytes_on_disk() {
    let run = played("tuning-batching-compression");
    let world = run.world();
    let (eager, batched, compressed) =
        (phase(world, 0, 10_000), phase(world, 10_000, 20_000), phase(world, 20_000, 30_000));
    // The same load in each phase.
    for samples in [&eager, &batched, &compressed] {
        let rate = mean(samples, "MessagesInPerSec");
        assert!((950.0..1050.0).contains(&rate), "MessagesInPerSec {rate}");
    }
    // linger.ms=50: far fewer and bigger requests' batches than linger.ms=0.
    let (eager_requests, batched_requests) = (requests(&eager), requests(&batched));
    assert!(eager_requests > 4.0 * batched_requests, "requests: eager {eager_requests}, batched {batched_requests}");
    let (eager_batch, batched_batch) = (mean(&eager, "batch-size-avg"), mean(&batched, "batch-size-avg"));
    assert!(batched_batch > 3.0 * eager_batch, "batch-size-avg: eager {eager_batch}, batched {batched_batch}");
    // Round trips do not get slower with fewer requests (the wait is in the accumulator, not the request).
    assert!(mean(&batched, "request-latency-avg") <= mean(&eager, "request-latency-avg"));
    // lz4: the batches shrink, and so do the bytes the brokers take in.
    assert_eq!(mean(&eager, "compression-rate-avg"), 1.0);
    assert_eq!(mean(&batched, "compression-rate-avg"), 1.0);
    let ratio = mean(&compressed, "compression-rate-avg");
    assert!(ratio < 0.85, "compression-rate-avg {ratio}");
    assert!(mean(&compressed, "BytesInPerSec") < 0.85 * mean(&batched, "BytesInPerSec"));
    // On disk: about the same records in each topic, the compressed one the smallest, stored as lz4.
    let (eager_disk, batched_disk, lz4_disk) = (
        topic_on_disk(world, "clicks-eager"),
        topic_on_disk(world, "clicks-batched"),
        topic_on_disk(world, "clicks-compressed"),
    );
    for (records, _, _) in [&eager_disk, &batched_disk, &lz4_disk] {
        assert!((9_500..=10_100).contains(records), "{records} records");
    }
    assert!(
        lz4_disk.1 < batched_disk.1 && batched_disk.1 < eager_disk.1,
        "{eager_disk:?} {batched_disk:?} {lz4_disk:?}"
    );
    assert_eq!(
        (eager_disk.2, batched_disk.2, lz4_disk.2.clone()),
        (vec![CompressionType::None], vec![CompressionType::None], vec![CompressionType::Lz4])
    );
}
