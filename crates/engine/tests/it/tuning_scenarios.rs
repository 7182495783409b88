//! The tuning scenarios' learning points, read from the engine's metrics and logs.

use kafkalab_engine::cluster::World;
use kafkalab_engine::log::CompressionType;
use kafkalab_engine::metrics::MetricsSample;
use kafkalab_engine::narration::Fact;
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

/// Records the members of `group` processed so far (their `RecordsProcessed` facts).
fn processed(run: &ScenarioRun, group: &str) -> u64 {
    run.world()
        .facts()
        .filter_map(|f| match &f.fact {
            Fact::RecordsProcessed { group: g, count, .. } if g == group => Some(*count as u64),
            _ => None,
        })
        .sum()
}

/// Members of `group` (by name prefix) with no partition assigned.
fn idle_members(run: &ScenarioRun, prefix: &str) -> Vec<String> {
    run.world()
        .consumers()
        .filter(|c| c.name.starts_with(prefix) && c.assignment.is_empty())
        .map(|c| c.name.clone())
        .collect()
}

/// The high watermarks of `topic`'s partitions, summed: the records written to it.
fn written(run: &ScenarioRun, topic: &str, partitions: i32) -> u64 {
    (0..partitions)
        .map(|p| {
            let tp = TopicPartition::new(topic, p);
            let leader = run.world().metadata().partition(&tp).expect("partition").leader;
            run.world().broker(leader).expect("leader").durable.replicas[&tp].high_watermark as u64
        })
        .sum()
}

#[test]
fn members_beyond_the_partition_count_idle_and_more_partitions_drain_faster() {
    let builtin = scenario::builtin().into_iter().find(|b| b.name == "partitions-vs-parallelism").expect("built-in");
    let mut parsed = scenario::parse(builtin.text).unwrap();
    assert_eq!(parsed.category, scenario::Category::Patterns);
    parsed.world.fact_history = 1_000_000;
    let duration = parsed.duration_ms;
    let mut run = ScenarioRun::new(parsed, None).unwrap();
    run.seek(20_000);
    // Three members of workers-3 own nothing; every member of workers-12 owns two partitions.
    assert_eq!(idle_members(&run, "w3-").len(), 3, "{:?}", idle_members(&run, "w3-"));
    assert!(idle_members(&run, "w12-").is_empty());
    let owned: Vec<usize> =
        run.world().consumers().filter(|c| c.name.starts_with("w12-")).map(|c| c.assignment.len()).collect();
    assert_eq!(owned, [2; 6]);
    let (backlog3, backlog12) = (written(&run, "jobs-3", 3), written(&run, "jobs-12", 12));
    assert!(backlog3 > 3_000 && backlog3 == backlog12, "{backlog3} vs {backlog12}");
    // The time each group has processed its whole backlog.
    let mut drained = [None, None];
    while run.now() < duration {
        run.seek(run.now() + 1_000);
        for (i, (group, backlog)) in [("workers-3", backlog3), ("workers-12", backlog12)].into_iter().enumerate() {
            if drained[i].is_none() && processed(&run, group) >= backlog {
                drained[i] = Some(run.now());
            }
        }
        if run.now() == 30_000 {
            assert!(processed(&run, "workers-3") * 2 < backlog3, "at the 30 s note workers-3 has not done half");
        }
    }
    let [Some(three), Some(twelve)] = drained else { panic!("a group never drained its backlog: {drained:?}") };
    assert!(twelve <= 30_000 && three >= twelve + 8_000, "workers-12 done at {twelve} ms, workers-3 at {three} ms");
    assert_eq!(idle_members(&run, "w3-").len(), 3, "the idle members stay idle");
}
