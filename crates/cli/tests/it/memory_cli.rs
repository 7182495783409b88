//! `kafkalab run --memory`: a long session keeps a bounded timeline. The large preset (9 brokers,
//! 60 partitions, 200 records/s) plays 60 virtual minutes; the retained heap bytes (a count the
//! binary's allocator keeps, not a timing) stay under a fixed bound and stop growing once the
//! checkpoint window is full and retention deletes old segments.

use crate::common::BIN;
use std::process::Command;

/// (virtual ms, retained bytes, checkpoints) per virtual minute.
fn memory(preset: &str, until_ms: u64) -> Vec<(u64, u64, u64)> {
    let out = Command::new(BIN)
        .args(["run", preset, "--until-ms", &until_ms.to_string(), "--memory"])
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let field = |name: &str| v[name].as_u64().unwrap_or_else(|| panic!("{name} in {line}"));
            (field("at_ms"), field("retained_bytes"), field("checkpoints"))
        })
        .collect()
}

const MIB: u64 = 1 << 20;

#[test]
fn the_large_preset_keeps_a_bounded_timeline_for_an_hour() {
    let samples = memory("large", 3_600_000);
    assert_eq!(samples.len(), 60);
    let at = |minute: u64| samples.iter().find(|s| s.0 == minute * 60_000).expect("a sample a minute");
    let peak = samples.iter().map(|s| s.1).max().unwrap();
    // Before bounding: 1,111 MB after 6 virtual minutes. Now about 260 MiB with 64-bit pointers
    // (the browser's 32-bit build holds less); Kafka Streams' facts made `Fact` 152 bytes, not 120.
    assert!(peak < 272 * MIB, "peak retained {} MiB", peak / MIB);
    assert!(samples.iter().all(|s| s.2 <= 129), "at most 128 checkpoints and the initial world");
    // Warm-up is over at 30 minutes: the window of checkpoints is full and retention (10 min)
    // deletes segments, and the offsets topic's 1 MiB segments are compacted. From then on the
    // retained bytes stay level (within 5%).
    let (warm, end) = (at(30).1, at(60).1);
    assert!(end * 20 <= warm * 21, "grew from {} MiB at 30 min to {} MiB at 60 min", warm / MIB, end / MIB);
}

#[test]
fn the_demo_preset_stays_small_for_an_hour() {
    let samples = memory("demo", 3_600_000);
    let peak = samples.iter().map(|s| s.1).max().unwrap();
    assert!(peak < 64 * MIB, "peak retained {} MiB", peak / MIB);
}

#[test]
fn memory_and_trace_are_exclusive_and_bad_names_are_named() {
    let out = Command::new(BIN).args(["run", "large", "--memory", "--trace", "x.jsonl"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--trace"));
    let out = Command::new(BIN).args(["run", "larg", "--memory"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("`larg`") && stderr.contains("large"), "{stderr}");
}
