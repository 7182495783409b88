//! `kafkalab bench`, as JSON: engine throughput on the reference workload (`--suite reference`)
//! or a large cluster (`--suite large`), chaos runs per second (`--suite chaos`), or the consumer
//! assignors on 200 members over 1,000 partitions (`--suite assignors`).
//! Wall-clock time is measured here, in the CLI; the engine itself never reads a clock.

use super::CmdResult;
use kafkalab_engine::check::chaos::{self, ChaosConfig};
use kafkalab_engine::cluster::workload;
use kafkalab_engine::group::assignor::{self, MemberSubscription, Strategy};
use kafkalab_engine::World;
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
}

#[derive(clap::Args)]
pub struct Args {
    /// Seed of the reference workload
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Virtual time to simulate, in milliseconds
    #[arg(long, default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..=86_400_000))]
    pub until_ms: u64,
    /// Repeat the run this many times and report the best (least disturbed) one
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,
    /// What to measure
    #[arg(long, value_enum, default_value_t = Suite::Reference)]
    pub suite: Suite,
}

pub fn run(args: Args) -> CmdResult {
    let (build, brokers, partitions): (fn(u64) -> World, i32, i32) = match args.suite {
        Suite::Assignors => return run_assignors(args.repeat),
        Suite::Chaos => return run_chaos(args.seed, args.repeat),
        Suite::Reference => (workload::reference, workload::BROKERS, workload::PARTITIONS),
        Suite::Large => (workload::large, workload::LARGE_BROKERS, workload::LARGE_PARTITIONS),
    };
    let mut best: Option<(f64, u64, u64, u64)> = None;
    for _ in 0..args.repeat {
        let mut world = build(args.seed);
        let started = Instant::now();
        world.run_until(args.until_ms);
        let seconds = started.elapsed().as_secs_f64();
        let acked: u64 = world.producers().map(|p| p.acked_records).sum();
        if best.is_none_or(|(s, ..)| seconds < s) {
            best = Some((seconds, world.events_processed(), acked, world.trace_hash()));
        }
    }
    let Some((seconds, events, acked, hash)) = best else {
        return Err("no run was made".into());
    };
    let report = json!({
        "workload": {
            "brokers": brokers,
            "partitions": partitions,
            "replication_factor": 3,
            "producers": workload::PRODUCERS,
            "records_per_sec_per_producer": workload::RECORDS_PER_SEC,
        },
        "seed": args.seed,
        "until_ms": args.until_ms,
        "events": events,
        "records_acked": acked,
        "wall_ms": (seconds * 1000.0 * 1000.0).round() / 1000.0,
        "events_per_sec": (events as f64 / seconds.max(1e-9)).round(),
        "trace_hash": format!("{hash:016x}"),
    });
    println!("{report}");
    Ok(())
}

/// Chaos runs of 200 steps from consecutive seeds, `10 * repeat` of them.
fn run_chaos(first_seed: u64, repeat: u32) -> CmdResult {
    let runs = u64::from(repeat) * 10;
    let started = Instant::now();
    let mut events = 0;
    for seed in first_seed..first_seed + runs {
        let config = ChaosConfig {
            seed,
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
        events += chaos::run(&config).map_err(|e| e.to_string())?.events;
    }
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let report = json!({
        "suite": "chaos",
        "runs": runs,
        "steps": 200,
        "events": events,
        "wall_ms": (seconds * 1000.0).round(),
        "seeds_per_sec": (runs as f64 / seconds * 100.0).round() / 100.0,
        "events_per_sec": (events as f64 / seconds).round(),
    });
    println!("{report}");
    Ok(())
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
