//! `kafkalab chaos --seeds`: a sweep prints the same thing whatever the number of jobs, each
//! seed's line equals its single run, and bad flags are clear errors. `bench`'s new suites print
//! their JSON (no timing is asserted).

use crate::common::{kafkalab, text};
use serde_json::Value;

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    let stdout = text(stdout);
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn a_sweep_prints_the_same_bytes_on_one_job_or_two_and_each_seed_as_its_single_run() {
    let sweep = |jobs: &str| kafkalab(&["chaos", "--seeds", "3-5", "--steps", "10", "--each", "--jobs", jobs], None);
    let (one, two) = (sweep("1"), sweep("2"));
    assert!(one.status.success() && two.status.success(), "{}{}", text(&one.stderr), text(&two.stderr));
    assert_eq!(text(&one.stdout), text(&two.stdout), "jobs 1 and jobs 2 differ");
    assert!(text(&two.stderr).contains("3 seeds") && text(&two.stderr).contains("2 jobs"), "{}", text(&two.stderr));
    let lines = json_lines(&one.stdout);
    assert_eq!(lines.len(), 4, "three seed lines and the summary");
    for (seed, line) in (3..=5).zip(&lines) {
        assert_eq!(line["seed"], seed);
        let single = kafkalab(&["chaos", "--seed", &seed.to_string(), "--steps", "10"], None);
        assert_eq!(&json_lines(&single.stdout)[0], line, "seed {seed}");
    }
    let summary = &lines[3];
    assert_eq!((summary["first_seed"].as_u64(), summary["last_seed"].as_u64()), (Some(3), Some(5)));
    assert_eq!(summary["seeds"], 3);
    let events: u64 = lines[..3].iter().map(|l| l["events"].as_u64().unwrap()).sum();
    assert_eq!(summary["events"], events);
    assert_eq!(summary["config"]["steps"], 10);
    assert_eq!(summary["trace_hashes"].as_str().map(str::len), Some(16));
    // Without --each only the summary, the same one; `..` spells the range too.
    let quiet = kafkalab(&["chaos", "--seeds", "3..5", "--steps", "10", "--jobs", "2"], None);
    assert_eq!(json_lines(&quiet.stdout), vec![summary.clone()]);
    // Another range, another set of traces.
    let other = kafkalab(&["chaos", "--seeds", "4-6", "--steps", "10"], None);
    assert_ne!(json_lines(&other.stdout)[0]["trace_hashes"], summary["trace_hashes"]);
}

#[test]
fn bad_sweep_flags_are_clear_errors_without_a_panic() {
    for (args, wanted) in [
        (&["chaos", "--seeds", "5-3"][..], "empty"),
        (&["chaos", "--seeds", "1000"], "FIRST-LAST"),
        (&["chaos", "--seeds", "x-3"], "`x`"),
        (&["chaos", "--seed", "1", "--seeds", "1-2"], "cannot be used with"),
        (&["chaos", "--seeds", "1-2", "--jobs", "0"], "--jobs"),
        (&["chaos"], "--seed"),
    ] {
        let out = kafkalab(args, None);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(wanted) && !err.contains("panicked"), "{args:?}: {err}");
    }
    for (args, wanted) in [
        (&["chaos", "--seeds", "1-2", "--brokers", "0"][..], "brokers"),
        (&["chaos", "--seed", "1", "--jobs", "2"], "--seeds"),
        (&["chaos", "--seed", "1", "--each"], "--seeds"),
    ] {
        let out = kafkalab(args, None);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(wanted) && out.stdout.is_empty(), "{args:?}: {err}");
    }
    for (args, wanted) in [
        (&["bench", "--jobs", "2"][..], "--suite chaos"),
        (&["bench", "--suite", "large", "--partitions", "10"], "--suite scale"),
    ] {
        let out = kafkalab(args, None);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains(wanted), "{}", text(&out.stderr));
    }
}

#[test]
fn the_scale_suite_reports_virtual_over_wall_time_and_peak_memory() {
    let out = kafkalab(&["bench", "--suite", "scale", "--partitions", "200", "--until-ms", "300"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = &json_lines(&out.stdout)[0];
    assert_eq!(report["suite"], "scale");
    assert_eq!(report["workload"]["brokers"], 100);
    assert_eq!(report["workload"]["partitions"], 200);
    assert_eq!(report["workload"]["consumers"], 20);
    assert!(report["events"].as_u64().unwrap() > 0, "{report}");
    assert!(report["virtual_per_wall"].as_f64().unwrap() > 0.0, "{report}");
    assert!(report["peak_memory_bytes"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["load_average"].as_array().map(Vec::len), Some(3), "{report}");
}

#[test]
fn the_seek_suite_reports_quantiles_and_checkpoint_memory_per_spacing() {
    let out = kafkalab(&["bench", "--suite", "seek", "--until-ms", "20000"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = &json_lines(&out.stdout)[0];
    assert_eq!((report["suite"].as_str(), report["preset"].as_str()), (Some("seek"), Some("large")));
    let spacings = report["spacings"].as_array().unwrap();
    assert_eq!(
        spacings.iter().map(|s| s["checkpoint_every"].as_u64().unwrap()).collect::<Vec<_>>(),
        [2_500, 5_000, 20_000]
    );
    for s in spacings {
        let q = |k: &str| s[k].as_f64().unwrap();
        assert!(q("seek_p50_ms") <= q("seek_p95_ms") && q("seek_p95_ms") <= q("seek_max_ms"), "{s}");
        assert!(s["checkpoints"].as_u64().unwrap() >= 1, "{s}");
        assert!(s["retained_bytes"].as_u64().unwrap() >= s["checkpoint_bytes"].as_u64().unwrap(), "{s}");
    }
    // Closer checkpoints: more of them over the same run.
    assert!(spacings[0]["checkpoints"].as_u64() > spacings[2]["checkpoints"].as_u64(), "{report}");
}
