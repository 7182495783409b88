//! `kafkalab bench`: engine throughput on the reference workload (`--suite reference`), or the
//! consumer assignors on 200 members over 1,000 partitions (`--suite assignors`), as JSON.
//! Wall-clock time is measured here, in the CLI; the engine itself never reads a clock.

use super::CmdResult;
use kafkalab_engine::group::assignor::{self, MemberSubscription, Strategy};
use kafkalab_engine::sim::workload;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Suite {
    /// The simulated cluster's events per second
    Reference,
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
    if args.suite == Suite::Assignors {
        return run_assignors(args.repeat);
    }
    let mut best: Option<(f64, u64, u64, u64)> = None;
    for _ in 0..args.repeat {
        let mut world = workload::reference(args.seed);
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
            "brokers": workload::BROKERS,
            "partitions": workload::PARTITIONS,
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

const MEMBERS: usize = 200;
const TOPICS: usize = 10;
const PARTITIONS_PER_TOPIC: i32 = 100;

/// Times each assignor twice: a fresh group (nobody owns anything) and a rebalance after one of
/// the 200 members left (everyone else reports what it owned, as the sticky strategies use).
fn run_assignors(repeat: u32) -> CmdResult {
    let topics: BTreeMap<String, i32> = (0..TOPICS).map(|t| (format!("topic-{t}"), PARTITIONS_PER_TOPIC)).collect();
    let names: Vec<&str> = topics.keys().map(String::as_str).collect();
    let members: Vec<MemberSubscription> = (0..MEMBERS)
        .map(|i| MemberSubscription::new(format!("consumer-{i}-{:08x}", (i as u32).wrapping_mul(2_654_435_761)), &names))
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
fn time_assign(strategy: Strategy, topics: &BTreeMap<String, i32>, members: &[MemberSubscription], repeat: u32) -> Result<f64, String> {
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
