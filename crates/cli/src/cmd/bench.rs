//! `kafkalab bench`: engine throughput on the reference workload, as JSON.
//! Wall-clock time is measured here, in the CLI; the engine itself never reads a clock.

use super::CmdResult;
use kafkalab_engine::sim::workload;
use serde_json::json;
use std::time::Instant;

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
}

pub fn run(args: Args) -> CmdResult {
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
