//! `kafkalab bench`, as JSON: engine throughput on the reference workload (`--suite reference`)
//! or a large cluster (`--suite large`), chaos runs per second on every core (`--suite chaos`),
//! the consumer assignors on 200 members over 1,000 partitions (`--suite assignors`), a
//! 100-broker cluster against the clock (`--suite scale`), or seeking in the `large` preset's
//! timeline (`--suite seek`).
//! Wall-clock time is measured here, in the CLI; the engine itself never reads a clock.

use super::CmdResult;
use kafkalab_engine::check::chaos::{self, ChaosConfig};
use kafkalab_engine::cluster::timeline::Timeline;
use kafkalab_engine::cluster::workload;
use kafkalab_engine::group::assignor::{self, MemberSubscription, Strategy};
use kafkalab_engine::scenario::preset::Preset;
use kafkalab_engine::World;
use kafkalab_heap as heap;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Suite {
    /// The simulated cluster's events per second
    Reference,
    /// Events per second with 9 brokers, 300 partitions, replication factor 3
    Large,
    /// Chaos seeds per second (acks=all, min.insync.replicas=2, 200 steps each)
    Chaos,
    /// Assignments per second of every assignor, 200 members over 1,000 partitions
    Assignors,
    /// 100 brokers, 10,000 partitions RF 3, 50 producers, a 20-member group: virtual/wall time
    Scale,
    /// Seeks to random points of the `large` preset's last kept window after 10 virtual minutes
    Seek,
}

#[derive(clap::Args)]
pub struct Args {
    /// Seed of the reference workload
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Virtual time to simulate, in milliseconds [default: 60000; 600000 for seek]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=86_400_000))]
    pub until_ms: Option<u64>,
    /// Repeat the run this many times and report the best (least disturbed) one [default: 3; 1
    /// for scale and seek]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: Option<u32>,
    /// What to measure
    #[arg(long, value_enum, default_value_t = Suite::Reference)]
    pub suite: Suite,
    /// Threads of the chaos suite (default: every core)
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Partitions of the scale suite's topic (to see how the cost grows with them)
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..=10_000))]
    pub partitions: Option<i32>,
}

pub fn run(args: Args) -> CmdResult {
    if args.jobs.is_some() && args.suite != Suite::Chaos {
        return Err("--jobs is for --suite chaos only".into());
    }
    if args.partitions.is_some() && args.suite != Suite::Scale {
        return Err("--partitions is for --suite scale only".into());
    }
    let long_run = matches!(args.suite, Suite::Scale | Suite::Seek);
    let repeat = args.repeat.unwrap_or(if long_run { 1 } else { 3 });
    let until_ms = args.until_ms.unwrap_or(if args.suite == Suite::Seek { 600_000 } else { 60_000 });
    let (build, brokers, partitions): (fn(u64) -> World, i32, i32) = match args.suite {
        Suite::Assignors => return run_assignors(repeat),
        Suite::Chaos => {
            return run_chaos(args.seed, repeat, args.jobs.map_or_else(super::chaos::all_cores, usize::from))
        }
        Suite::Scale => {
            return run_scale(args.seed, until_ms, repeat, args.partitions.unwrap_or(workload::SCALE_PARTITIONS))
        }
        Suite::Seek => return run_seek(args.seed, until_ms),
        Suite::Reference => (workload::reference, workload::BROKERS, workload::PARTITIONS),
        Suite::Large => (workload::large, workload::LARGE_BROKERS, workload::LARGE_PARTITIONS),
    };
    let BestRun { seconds, events, acked, hash } = best_run(repeat, until_ms, || Ok(build(args.seed)))?;
    let report = json!({
        "workload": {
            "brokers": brokers,
            "partitions": partitions,
            "replication_factor": 3,
            "producers": workload::PRODUCERS,
            "records_per_sec_per_producer": workload::RECORDS_PER_SEC,
        },
        "seed": args.seed,
        "until_ms": until_ms,
        "events": events,
        "records_acked": acked,
        "wall_ms": (seconds * 1000.0 * 1000.0).round() / 1000.0,
        "events_per_sec": (events as f64 / seconds.max(1e-9)).round(),
        "trace_hash": format!("{hash:016x}"),
    });
    println!("{report}");
    Ok(())
}

/// The least disturbed of `repeat` runs of a fresh world to `until_ms`.
struct BestRun {
    seconds: f64,
    events: u64,
    acked: u64,
    hash: u64,
}

fn best_run(repeat: u32, until_ms: u64, build: impl Fn() -> Result<World, String>) -> Result<BestRun, String> {
    let mut best: Option<BestRun> = None;
    for _ in 0..repeat {
        let mut world = build()?;
        let started = Instant::now();
        world.run_until(until_ms);
        let seconds = started.elapsed().as_secs_f64();
        if best.as_ref().is_none_or(|b| seconds < b.seconds) {
            let acked = world.producers().map(|p| p.acked_records).sum();
            best = Some(BestRun { seconds, events: world.events_processed(), acked, hash: world.trace_hash() });
        }
    }
    best.ok_or_else(|| "no run was made".to_string())
}

/// Chaos runs of 200 steps from consecutive seeds, `10 * repeat` of them, on `jobs` threads.
fn run_chaos(first_seed: u64, repeat: u32, jobs: usize) -> CmdResult {
    let runs = u64::from(repeat) * 10;
    let config = ChaosConfig {
        seed: first_seed,
        steps: 200,
        brokers: 3,
        controllers: 0,
        racks: 0,
        replication_factor: 3,
        acks: "all".into(),
        min_insync_replicas: 2,
        unclean: false,
        group_protocol: "classic".into(),
        workload: chaos::Workload::Default,
        eos: true,
    };
    let started = Instant::now();
    let mut events = 0;
    super::chaos::sweep(&config, first_seed..=first_seed + (runs - 1), jobs, |report| events += report.events)?;
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let report = json!({
        "suite": "chaos",
        "runs": runs,
        "steps": 200,
        "jobs": jobs,
        "events": events,
        "wall_ms": (seconds * 1000.0).round(),
        "seeds_per_sec": (runs as f64 / seconds * 100.0).round() / 100.0,
        "events_per_sec": (events as f64 / seconds).round(),
        "load_average": load_average(),
    });
    println!("{report}");
    Ok(())
}

/// The scale workload for `until_ms` of virtual time, the best of `repeat` runs: whether the
/// simulation keeps up with the clock at 100 brokers.
fn run_scale(seed: u64, until_ms: u64, repeat: u32, partitions: i32) -> CmdResult {
    let BestRun { seconds, events, acked, hash } =
        best_run(repeat, until_ms, || workload::scale_with(seed, partitions).map_err(|e| e.to_string()))?;
    let seconds = seconds.max(1e-9);
    let report = json!({
        "suite": "scale",
        "workload": {
            "brokers": workload::SCALE_BROKERS,
            "partitions": partitions,
            "replication_factor": 3,
            "producers": workload::SCALE_PRODUCERS,
            "records_per_sec_per_producer": workload::SCALE_RECORDS_PER_SEC,
            "consumers": workload::SCALE_CONSUMERS,
        },
        "seed": seed,
        "until_ms": until_ms,
        "events": events,
        "records_acked": acked,
        "wall_ms": (seconds * 1000.0).round(),
        "virtual_per_wall": (until_ms as f64 / 1000.0 / seconds * 100.0).round() / 100.0,
        "events_per_sec": (events as f64 / seconds).round(),
        "peak_memory_bytes": peak_memory_bytes(),
        "trace_hash": format!("{hash:016x}"),
        "load_average": load_average(),
    });
    println!("{report}");
    Ok(())
}

/// Random seeks in the last kept window of the `large` preset (9 brokers, 60 partitions RF 3)
/// after `until_ms`, as the app's scrubber does, for a few checkpoint spacings (the app's is
/// `scenario::CHECKPOINT_EVERY`): each spacing's seek times and what its checkpoints retain.
fn run_seek(seed: u64, until_ms: u64) -> CmdResult {
    const SEEKS: usize = 100;
    const SPACINGS: [u64; 3] = [2_500, kafkalab_engine::scenario::CHECKPOINT_EVERY, 20_000];
    let mut results = Vec::new();
    for spacing in SPACINGS {
        let before = heap::live_bytes();
        let initial = Preset::Large.timeline(seed)?.world().clone();
        let mut timeline = Timeline::new(initial, spacing);
        let started = Instant::now();
        timeline.seek(until_ms);
        let play_seconds = started.elapsed().as_secs_f64();
        let from_ms = timeline.seekable_from_ms();
        let checkpoints = timeline.checkpoint_count();
        let retained = heap::live_bytes().saturating_sub(before);
        let mut random = SplitMix64(seed ^ spacing);
        let mut times: Vec<f64> = (0..SEEKS)
            .map(|_| {
                let t = from_ms + random.next() % (until_ms - from_ms + 1);
                let started = Instant::now();
                timeline.seek(t);
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        // The live world alone, without the checkpoints that shared its structures.
        timeline.seek(until_ms);
        let world = timeline.world().clone();
        drop(timeline);
        let world_bytes = heap::live_bytes().saturating_sub(before);
        drop(world);
        times.sort_by(f64::total_cmp);
        let at = |q: f64| (times[((times.len() - 1) as f64 * q).round() as usize] * 100.0).round() / 100.0;
        results.push(json!({
            "checkpoint_every": spacing,
            "checkpoints": checkpoints,
            "seekable_from_ms": from_ms,
            "play_wall_ms": (play_seconds * 1000.0).round(),
            "seek_p50_ms": at(0.5),
            "seek_p95_ms": at(0.95),
            "seek_max_ms": at(1.0),
            "retained_bytes": retained,
            "checkpoint_bytes": retained.saturating_sub(world_bytes),
        }));
    }
    let report = json!({
        "suite": "seek",
        "preset": Preset::Large.name(),
        "seed": seed,
        "until_ms": until_ms,
        "seeks": SEEKS,
        "spacings": results,
        "load_average": load_average(),
    });
    println!("{report}");
    Ok(())
}

/// A small seeded generator for the seek targets (the same targets in every run).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The process's peak resident memory (`VmHWM` in /proc/self/status, Linux), in bytes; null
/// where it cannot be read.
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// The 1, 5 and 15 minute load averages (/proc/loadavg, Linux): how busy the machine was.
fn load_average() -> Option<Vec<f64>> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().take(3).map(|v| v.parse().ok()).collect()
}

const MEMBERS: usize = 200;
const TOPICS: usize = 10;
const PARTITIONS_PER_TOPIC: i32 = 100;

/// Times each assignor twice: a fresh group (nobody owns anything) and a rebalance after one of
/// the 200 members left (everyone else reports what it owned, as the sticky strategies use).
fn run_assignors(repeat: u32) -> CmdResult {
    let topics: BTreeMap<String, i32> = (0..TOPICS).map(|t| (format!("topic-{t}"), PARTITIONS_PER_TOPIC)).collect();
    let names: Vec<&str> = topics.keys().map(String::as_str).collect();
    let members: Vec<MemberSubscription> = (0..MEMBERS)
        .map(|i| {
            MemberSubscription::new(format!("consumer-{i}-{:08x}", (i as u32).wrapping_mul(2_654_435_761)), &names)
        })
        .collect();
    let mut results = serde_json::Map::new();
    for strategy in Strategy::ALL {
        let fresh = time_assign(strategy, &topics, &members, repeat)?;
        let first = assignor::assign(strategy, &topics, &members).map_err(|e| e.to_string())?;
        let survivors: Vec<MemberSubscription> = members[1..]
            .iter()
            .map(|m| MemberSubscription { owned: first[&m.member_id].clone(), generation_id: Some(1), ..m.clone() })
            .collect();
        let rebalance = time_assign(strategy, &topics, &survivors, repeat)?;
        results.insert(
            strategy.name().to_string(),
            json!({
                "fresh_assignments_per_sec": fresh,
                "rebalance_assignments_per_sec": rebalance,
            }),
        );
    }
    let report = json!({
        "suite": "assignors",
        "members": MEMBERS,
        "partitions": TOPICS as i32 * PARTITIONS_PER_TOPIC,
        "topics": TOPICS,
        "assignors": results,
    });
    println!("{report}");
    Ok(())
}

/// Runs the assignor for at least 0.3 s (and `repeat` times), returning assignments per second.
fn time_assign(
    strategy: Strategy,
    topics: &BTreeMap<String, i32>,
    members: &[MemberSubscription],
    repeat: u32,
) -> Result<f64, String> {
    let started = Instant::now();
    let mut runs = 0u32;
    while runs < repeat || started.elapsed().as_secs_f64() < 0.3 {
        let assignment = assignor::assign(strategy, topics, members).map_err(|e| e.to_string())?;
        std::hint::black_box(assignment);
        runs += 1;
    }
    let per_sec = runs as f64 / started.elapsed().as_secs_f64().max(1e-9);
    Ok((per_sec * 10.0).round() / 10.0)
}
