//! `kafkalab run SCENARIO`: plays a scenario file (or a built-in scenario) to its end, printing
//! a narration line per fact worth telling (every fact with `--routine`) with the step notes at
//! their times, then a summary.

use super::CmdResult;
use crate::narrate::Narrator;
use kafkalab_engine::cluster::World;
use kafkalab_engine::scenario::preset::Preset;
use kafkalab_engine::scenario::{self, Scenario, ScenarioRun};
use kafkalab_heap as heap;
use kafkalab_narration::Lang;
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// A scenario file (.toml) or the name of a built-in scenario
    pub scenario: String,
    /// Overrides the scenario's seed
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop at this virtual time (default: the scenario's duration_ms)
    #[arg(long)]
    pub until_ms: Option<u64>,
    #[arg(long, value_parser = ["ko", "en"], default_value = "en")]
    pub lang: String,
    /// Also narrate routine traffic (appends, acks, polls, commits), as the app's feed can
    #[arg(long)]
    pub routine: bool,
    /// Write every fact to this file as JSON lines
    #[arg(long)]
    pub trace: Option<String>,
    /// Instead of the narration, print the retained heap bytes every virtual minute (JSON lines):
    /// the live world, its checkpoints and the recorded actions
    #[arg(long, conflicts_with = "trace")]
    pub memory: bool,
    /// After the summary, print Kafka's metrics at the end as one JSON object (one line)
    #[arg(long, conflicts_with = "memory")]
    pub metrics: bool,
}

/// A path if it looks like one or exists; otherwise a built-in scenario or one of the app's
/// presets (`demo`, `large`) by name.
pub(crate) fn load(arg: &str) -> Result<(String, Scenario), String> {
    if let Some(preset) = Preset::from_name(arg) {
        return Ok((arg.to_string(), preset.scenario()));
    }
    let path = std::path::Path::new(arg);
    if arg.ends_with(".toml") || path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{arg}`: {e}"))?;
        return scenario::parse(&text).map(|s| (arg.to_string(), s)).map_err(|e| format!("{arg}: {e}"));
    }
    let builtin = scenario::builtin();
    match builtin.iter().find(|b| b.name == arg) {
        Some(b) => scenario::parse(b.text).map(|s| (arg.to_string(), s)).map_err(|e| format!("built-in {arg}: {e}")),
        None => {
            let names: Vec<&str> = builtin.iter().map(|b| b.name).chain(Preset::ALL.map(Preset::name)).collect();
            Err(format!("no scenario file or built-in scenario `{arg}`; built-in scenarios: {}", names.join(", ")))
        }
    }
}

pub fn run(args: Args) -> CmdResult {
    let (_, mut scenario) = load(&args.scenario)?;
    if !args.memory {
        // The summary reads the fact history (rebalances, time without a leader), as the app does.
        scenario.world.fact_history = scenario.world.fact_history.max(100_000);
    }
    let until = args.until_ms.unwrap_or(scenario.duration_ms);
    let ko = args.lang == "ko";
    let lang = if ko { Lang::Ko } else { Lang::En };
    let mut trace = match &args.trace {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| format!("cannot create `{path}`: {e}"))?,
        )),
        None => None,
    };
    let title = scenario.title.get(&args.lang).to_string();
    let before = heap::live_bytes();
    let mut run = ScenarioRun::new(scenario, args.seed).map_err(|e| e.to_string())?;
    if args.memory {
        return memory(&mut run, until, before);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| format!("cannot write: {e}");
    writeln!(out, "# {title} (seed {})", run.world().seed()).map_err(io)?;
    let mut seen_facts = 0;
    let mut notes_shown = Vec::new();
    let mut narrator = Narrator::new(lang, args.routine);
    loop {
        let world = run.world();
        if world.fact_count() - seen_facts > world.config().fact_history as u64 {
            return Err("the narration fell behind the world's fact history".to_string());
        }
        for (index, at_ms, step) in run.notes_reached() {
            if let Some(note) = step.note().filter(|_| !notes_shown.contains(&index)) {
                writeln!(out, "{at_ms:>8} ms  ▶ {}", note.get(&args.lang)).map_err(io)?;
                notes_shown.push(index);
            }
        }
        if let Some(t) = trace.as_mut() {
            for fact in world.facts_since(seen_facts) {
                let line = serde_json::to_string(fact).map_err(|e| e.to_string())?;
                writeln!(t, "{line}").map_err(io)?;
            }
        }
        for (fact, sentence) in narrator.tell(world, world.facts_since(seen_facts)) {
            writeln!(out, "{:>8} ms  {sentence}", fact.at_ms).map_err(io)?;
        }
        seen_facts = world.fact_count();
        let next = [world.next_event_time(), run.scenario().steps.iter().map(|s| s.at_ms).find(|at| *at > world.now())]
            .into_iter()
            .flatten()
            .min();
        match next {
            Some(t) if t <= until => {
                run.step_event();
            }
            _ => break,
        }
    }
    run.seek(until);
    for failure in run.failures() {
        writeln!(out, "step at {} ms was refused: {}", failure.at_ms, failure.error).map_err(io)?;
    }
    summary(&mut out, run.world(), ko).map_err(io)?;
    if args.metrics {
        let metrics = serde_json::to_string(&run.world().metrics_now()).map_err(|e| e.to_string())?;
        writeln!(out, "{metrics}").map_err(io)?;
    }
    if let Some(mut t) = trace {
        t.flush().map_err(io)?;
    }
    out.flush().map_err(io)
}

/// One JSON line per virtual minute (and one at `until`): what the run retains on the heap.
fn memory(run: &mut ScenarioRun, until: u64, before: usize) -> CmdResult {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut t = 0;
    while t < until {
        t = (t + 60_000).min(until);
        run.seek(t);
        let timeline = run.timeline();
        let line = serde_json::json!({
            "at_ms": t,
            "events": run.world().events_processed(),
            "facts": run.world().fact_count(),
            "checkpoints": timeline.checkpoint_count(),
            "seekable_from_ms": timeline.seekable_from_ms(),
            "retained_bytes": heap::live_bytes().saturating_sub(before),
        });
        writeln!(out, "{line}").map_err(|e| format!("cannot write: {e}"))?;
    }
    out.flush().map_err(|e| format!("cannot write: {e}"))
}

/// The run's summary ([`scenario::summary`], the same numbers as the app's) and its trace hash.
fn summary(out: &mut impl Write, world: &World, ko: bool) -> std::io::Result<()> {
    let s = scenario::summary(world);
    let mut lines = vec![
        if ko {
            format!("가상 시간 {} ms, 이벤트 {}, 사실 {}", world.now(), world.events_processed(), world.fact_count())
        } else {
            format!(
                "virtual time {} ms, {} events, {} facts",
                world.now(),
                world.events_processed(),
                world.fact_count()
            )
        },
        if ko {
            format!("확인(ack)된 레코드 {}, 실패한 레코드 {}", s.records_acked, s.records_failed)
        } else {
            format!("records acknowledged {}, failed {}", s.records_acked, s.records_failed)
        },
    ];
    if s.acked_lost > 0 {
        lines.push(if ko {
            format!("유실된 확인(ack)된 레코드 {}", s.acked_lost)
        } else {
            format!("acknowledged records lost {}", s.acked_lost)
        });
    }
    if s.duplicates_in_log > 0 {
        lines.push(if ko {
            format!("로그에 두 번 기록된 레코드 {}", s.duplicates_in_log)
        } else {
            format!("records written twice to a log {}", s.duplicates_in_log)
        });
    }
    if s.duplicates_processed > 0 || s.skipped > 0 {
        lines.push(if ko {
            format!("컨슈머 중복 처리 {}, 건너뜀 {}", s.duplicates_processed, s.skipped)
        } else {
            format!("consumer duplicates {}, skipped {}", s.duplicates_processed, s.skipped)
        });
    }
    if s.leaderless_partitions > 0 {
        lines.push(if ko {
            format!("리더 없는 시간 {} ms (파티션 {}개)", s.leaderless_ms, s.leaderless_partitions)
        } else {
            format!("time without a leader {} ms ({} partitions)", s.leaderless_ms, s.leaderless_partitions)
        });
    }
    if s.rebalances > 0 {
        lines.push(if ko {
            format!(
                "리밸런스 {}번, 멈춘 시간 합계 {} ms, 가장 긴 멈춤 {} ms",
                s.rebalances, s.rebalance_pause_ms, s.longest_rebalance_ms
            )
        } else {
            format!(
                "rebalances {}, paused {} ms in all, longest {} ms",
                s.rebalances, s.rebalance_pause_ms, s.longest_rebalance_ms
            )
        });
    }
    lines.push(format!("trace hash {:016x}", world.trace_hash()));
    writeln!(out, "--")?;
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
