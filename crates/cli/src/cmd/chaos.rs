//! `kafkalab chaos`: one seeded random faulty run, reported as one JSON object; or a sweep over
//! a range of seeds (`--seeds 1-1000`) run in parallel on `--jobs` threads, reported as one JSON
//! summary (after every seed's JSON line with `--each`), identical whatever the number of jobs.

use super::CmdResult;
use kafkalab_engine::check::chaos::{self, ChaosConfig, ChaosReport, Workload};
use rayon::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, required_unless_present = "seeds", conflicts_with = "seeds")]
    pub seed: Option<u64>,
    /// Sweep these seeds, both ends included: `FIRST-LAST` or `FIRST..LAST`
    #[arg(long, value_parser = parse_seeds)]
    pub seeds: Option<RangeInclusive<u64>>,
    /// Threads of a sweep (default: every core); the output does not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// With --seeds: print every seed's JSON line, in seed order, before the summary
    #[arg(long)]
    pub each: bool,
    /// Fault-injection steps (each 100 to 1500 virtual ms)
    #[arg(long, default_value_t = 200)]
    pub steps: u64,
    #[arg(long, default_value_t = 3)]
    pub brokers: i32,
    /// Dedicated controllers (process.roles=controller) beside the brokers; 0 = combined mode
    #[arg(long, default_value_t = 0)]
    pub controllers: i32,
    /// Racks (broker.rack in turn, RackAwareReplicaSelector, a client.rack per consumer); 0 = none
    #[arg(long, default_value_t = 0)]
    pub racks: i32,
    #[arg(long, default_value_t = 3)]
    pub replication_factor: i32,
    #[arg(long, value_parser = ["0", "1", "all"], default_value = "all")]
    pub acks: String,
    #[arg(long, default_value_t = 2)]
    pub min_insync_replicas: i32,
    /// unclean.leader.election.enable
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    pub unclean: bool,
    /// The group's group.protocol (consumer: KIP-848; share: a share group, KIP-932)
    #[arg(long, value_parser = ["classic", "consumer", "share"], default_value = "classic")]
    pub group_protocol: String,
    /// `default` (producers and a group) or `eos` (a consume-transform-produce pipeline)
    #[arg(long, value_parser = ["default", "eos"], default_value = "default")]
    pub workload: String,
    /// The eos workload's processors: transactional (true) or at-least-once (false)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub eos: bool,
    /// Write every fact of the run to this file, one JSON object per line
    #[arg(long, conflicts_with = "seeds")]
    pub trace: Option<String>,
}

/// `FIRST-LAST` or `FIRST..LAST`, both included, FIRST ≤ LAST.
fn parse_seeds(text: &str) -> Result<RangeInclusive<u64>, String> {
    let (first, last) = text
        .split_once("..")
        .or_else(|| text.split_once('-'))
        .ok_or_else(|| format!("`{text}` is not a seed range: write FIRST-LAST or FIRST..LAST, e.g. 1-1000"))?;
    let seed =
        |s: &str| s.trim().parse::<u64>().map_err(|_| format!("`{s}` in `{text}` is not a seed (an integer from 0)"));
    let (first, last) = (seed(first)?, seed(last)?);
    if first > last {
        return Err(format!("the range `{text}` is empty: its first seed is after its last"));
    }
    Ok(first..=last)
}

/// Exits non-zero only for violations: losing acknowledged data is a legitimate outcome of
/// `acks=1` or unclean election, as in Kafka.
pub fn run(args: Args) -> CmdResult {
    let config = ChaosConfig {
        seed: args.seed.unwrap_or(0),
        steps: args.steps,
        brokers: args.brokers,
        controllers: args.controllers,
        racks: args.racks,
        replication_factor: args.replication_factor,
        acks: args.acks,
        min_insync_replicas: args.min_insync_replicas,
        unclean: args.unclean,
        group_protocol: args.group_protocol,
        workload: if args.workload == "eos" { Workload::Eos } else { Workload::Default },
        eos: args.eos,
    };
    // Checked here: clap skips `requires` when `--seed`, which conflicts with `--seeds`, is given.
    if args.seeds.is_none() && (args.jobs.is_some() || args.each) {
        return Err("--jobs and --each are for a sweep: give --seeds FIRST-LAST instead of --seed".into());
    }
    if let Some(seeds) = args.seeds {
        let jobs = args.jobs.map_or_else(all_cores, usize::from);
        return run_sweep(&config, seeds, jobs, args.each);
    }
    let (report, world) = chaos::run_with_world(&config).map_err(|e| e.to_string())?;
    if let Some(path) = &args.trace {
        let mut lines = String::new();
        for fact in world.facts() {
            lines.push_str(&serde_json::to_string(fact).map_err(|e| e.to_string())?);
            lines.push('\n');
        }
        std::fs::write(path, lines).map_err(|e| format!("cannot write the trace to `{path}`: {e}"))?;
    }
    let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
    println!("{json}");
    if report.violations.is_empty() {
        Ok(())
    } else {
        Err(format!("{} invariant violation(s); see \"violations\"", report.violations.len()))
    }
}

/// The machine's cores (what `--jobs` defaults to).
pub fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Prints the sweep (seed lines with `each`, then the summary) on stdout and how long it took on
/// stderr, so that stdout is the same for any `jobs`.
fn run_sweep(config: &ChaosConfig, seeds: RangeInclusive<u64>, jobs: usize, each: bool) -> CmdResult {
    let started = Instant::now();
    let mut summary = Summary { traces: FNV_OFFSET, ..Summary::default() };
    let mut stdout = std::io::stdout().lock();
    let mut write_error = None;
    sweep(config, seeds.clone(), jobs, |report| {
        if each && write_error.is_none() {
            let line = serde_json::to_string(&report).expect("a chaos report is plain data");
            write_error = writeln!(stdout, "{line}").and_then(|()| stdout.flush()).err();
        }
        summary.add(&report);
    })?;
    if let Some(error) = write_error {
        return Err(format!("cannot write to stdout: {error}"));
    }
    let seconds = started.elapsed().as_secs_f64();
    writeln!(stdout, "{}", summary.to_json(config, &seeds)).map_err(|e| format!("cannot write to stdout: {e}"))?;
    eprintln!(
        "kafkalab chaos: {} seeds in {:.1} s with {jobs} jobs ({:.2} seeds/s)",
        summary.seeds,
        seconds,
        summary.seeds as f64 / seconds.max(1e-9)
    );
    if summary.violation_seeds.is_empty() {
        Ok(())
    } else {
        Err(format!("{} seed(s) broke an invariant; see \"first_violation_seeds\"", summary.violation_seeds.len()))
    }
}

/// Runs `config` from every seed of `seeds` on `jobs` threads and hands each report to `emit` in
/// seed order, as a sequential run would. Each run builds its own world on its worker thread
/// (the engine has no shared state), so only configs and reports cross threads.
pub fn sweep(
    config: &ChaosConfig,
    seeds: RangeInclusive<u64>,
    jobs: usize,
    mut emit: impl FnMut(ChaosReport),
) -> Result<(), String> {
    config.validate().map_err(|e| e.to_string())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| format!("cannot start {jobs} threads: {e}"))?;
    let first = *seeds.start();
    let (sender, receiver) = mpsc::channel();
    // Set when a run fails: the seeds not started yet are skipped.
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            // par_bridge hands out seeds in order, so reports arrive nearly in order and the
            // reorder buffer below stays about `jobs` long.
            pool.install(|| {
                seeds.par_bridge().for_each_with(sender, |sender, seed| {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let report = catching_panics(seed, || chaos::run(&ChaosConfig { seed, ..config.clone() }));
                    // The receiver only goes away after a failed run; the other runs are then moot.
                    let _ = sender.send((seed, report));
                });
            });
        });
        let mut waiting = BTreeMap::new();
        let mut next = first;
        for (seed, report) in receiver {
            waiting.insert(seed, report);
            while let Some(report) = waiting.remove(&next) {
                match report {
                    Ok(report) => emit(report),
                    Err(error) => {
                        stop.store(true, Ordering::Relaxed);
                        return Err(format!("seed {next}: {error}"));
                    }
                }
                next = next.wrapping_add(1);
            }
        }
        Ok(())
    })
}

/// One seed's `run`; an engine panic becomes that seed's violation (its message, the trace hash
/// `panicked`), so a sweep reports it and goes on to the other seeds.
fn catching_panics<E>(seed: u64, run: impl FnOnce() -> Result<ChaosReport, E>) -> Result<ChaosReport, E> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        Ok(ChaosReport {
            seed,
            violations: vec![format!("the engine panicked: {message}")],
            trace_hash: "panicked".into(),
            ..ChaosReport::default()
        })
    })
}

/// What a sweep's summary line adds up, in seed order.
#[derive(Default)]
struct Summary {
    seeds: u64,
    events: u64,
    acked: u64,
    lost_acked: u64,
    skipped_acked: u64,
    duplicates: u64,
    faults: u64,
    unclean_elections: u64,
    lost_seeds: Vec<u64>,
    duplicate_seeds: Vec<u64>,
    violation_seeds: Vec<u64>,
    eos: Option<EosSummary>,
    accepted_twice: Option<u64>,
    /// FNV-1a over every seed's trace hash, in seed order: one value to compare two sweeps by.
    traces: u64,
}

#[derive(Default)]
struct EosSummary {
    missing_seeds: u64,
    missing: u64,
    duplicate_seeds: u64,
    duplicates: u64,
    aborted_read_seeds: u64,
}

/// The first seeds of each kind the summary lists.
const LISTED_SEEDS: usize = 10;
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

impl Summary {
    fn add(&mut self, report: &ChaosReport) {
        self.seeds += 1;
        self.events += report.events;
        self.acked += report.acked;
        self.lost_acked += report.lost_acked;
        self.skipped_acked += report.skipped_acked;
        self.duplicates += report.duplicates;
        self.faults += report.faults;
        self.unclean_elections += report.unclean_elections;
        let note = |seeds: &mut Vec<u64>, yes: bool| {
            if yes {
                seeds.push(report.seed);
            }
        };
        note(&mut self.lost_seeds, report.lost_acked > 0);
        note(&mut self.duplicate_seeds, report.duplicates > 0);
        note(&mut self.violation_seeds, !report.violations.is_empty());
        if let (Some(missing), Some(duplicates), Some(aborted_read)) =
            (report.eos_missing, report.eos_duplicates, report.aborted_read)
        {
            let eos = self.eos.get_or_insert_with(EosSummary::default);
            eos.missing_seeds += u64::from(missing > 0);
            eos.missing += missing;
            eos.duplicate_seeds += u64::from(duplicates > 0);
            eos.duplicates += duplicates;
            eos.aborted_read_seeds += u64::from(aborted_read > 0);
        }
        if let Some(twice) = report.accepted_twice {
            *self.accepted_twice.get_or_insert(0) += twice;
        }
        for byte in report.trace_hash.bytes() {
            self.traces = (self.traces ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
        }
    }

    fn to_json(&self, config: &ChaosConfig, seeds: &RangeInclusive<u64>) -> serde_json::Value {
        let mut settings = serde_json::to_value(config).expect("a chaos config is plain data");
        if let Some(settings) = settings.as_object_mut() {
            settings.remove("seed");
        }
        let first = |seeds: &[u64]| seeds.iter().take(LISTED_SEEDS).copied().collect::<Vec<_>>();
        let mut json = json!({
            "first_seed": seeds.start(),
            "last_seed": seeds.end(),
            "seeds": self.seeds,
            "config": settings,
            "events": self.events,
            "acked": self.acked,
            "lost_acked_seeds": self.lost_seeds.len(),
            "lost_acked": self.lost_acked,
            "skipped_acked": self.skipped_acked,
            "duplicate_seeds": self.duplicate_seeds.len(),
            "duplicates": self.duplicates,
            "violation_seeds": self.violation_seeds.len(),
            "faults": self.faults,
            "unclean_elections": self.unclean_elections,
            "first_lost_acked_seeds": first(&self.lost_seeds),
            "first_duplicate_seeds": first(&self.duplicate_seeds),
            "first_violation_seeds": first(&self.violation_seeds),
            "trace_hashes": format!("{:016x}", self.traces),
        });
        let fields = json.as_object_mut().expect("built as an object");
        if let Some(eos) = &self.eos {
            fields.insert("eos_missing_seeds".into(), eos.missing_seeds.into());
            fields.insert("eos_missing".into(), eos.missing.into());
            fields.insert("eos_duplicate_seeds".into(), eos.duplicate_seeds.into());
            fields.insert("eos_duplicates".into(), eos.duplicates.into());
            fields.insert("aborted_read_seeds".into(), eos.aborted_read_seeds.into());
        }
        if let Some(twice) = self.accepted_twice {
            fields.insert("accepted_twice".into(), twice.into());
        }
        json
    }
}

#[cfg(test)]
mod tests {
    use super::{catching_panics, parse_seeds};
    use kafkalab_engine::check::chaos::ChaosReport;

    #[test]
    fn a_panicking_seed_is_reported_as_its_violation() {
        let report = catching_panics::<()>(7, || panic!("index out of bounds")).unwrap();
        assert_eq!(report.seed, 7);
        assert_eq!(report.violations, vec!["the engine panicked: index out of bounds".to_string()]);
        assert_eq!(report.trace_hash, "panicked");
        let fine = ChaosReport { seed: 8, ..ChaosReport::default() };
        assert_eq!(catching_panics::<()>(8, || Ok(fine.clone())), Ok(fine));
    }

    #[test]
    fn seed_ranges_take_both_spellings_and_refuse_nonsense() {
        assert_eq!(parse_seeds("1-1000"), Ok(1..=1000));
        assert_eq!(parse_seeds("3..5"), Ok(3..=5));
        assert_eq!(parse_seeds("7-7"), Ok(7..=7));
        assert!(parse_seeds("5-3").unwrap_err().contains("empty"));
        assert!(parse_seeds("1000").unwrap_err().contains("FIRST-LAST"));
        assert!(parse_seeds("a-3").unwrap_err().contains("`a`"));
        assert!(parse_seeds("-1-3").is_err());
    }
}
