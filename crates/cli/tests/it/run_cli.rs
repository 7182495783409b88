//! `kafkalab run`: built-in names and files, narration with notes, summary, trace, clean errors.

use crate::common::{kafkalab, text};
use std::process::Output;

fn run(args: &[&str]) -> Output {
    kafkalab(&[&["run"], args].concat(), None)
}

#[test]
fn a_builtin_scenario_narrates_notes_facts_and_a_summary() {
    let out = run(&["leader-failover", "--until-ms", "20000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("▶ Broker 2's process dies"), "{stdout}");
    assert!(stdout.contains("Broker 2 stopped"), "{stdout}");
    assert!(stdout.contains("the controller (broker 1) fenced it"), "{stdout}");
    assert!(stdout.contains("virtual time 20000 ms") && stdout.contains("trace hash "), "{stdout}");
    let ko = text(&run(&["leader-failover", "--until-ms", "20000", "--lang", "ko"]).stdout);
    assert!(ko.contains("브로커 2 프로세스가 죽습니다") && ko.contains("가상 시간 20000 ms"), "{ko}");
}

#[test]
fn metrics_print_as_one_json_object_at_the_end() {
    let metrics = |until: &str| -> serde_json::Value {
        let out = run(&["leader-failover", "--until-ms", until, "--metrics"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        serde_json::from_str(stdout.lines().last().unwrap()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    };
    let during = metrics("20000");
    assert_eq!(during["at_ms"], 20000);
    assert!(during["UnderReplicatedPartitions"].as_u64().unwrap() > 0, "{during}");
    assert_eq!(during["ActiveControllerCount"], 1);
    for name in ["IsrShrinksPerSec", "MessagesInPerSec", "record-error-rate", "request-latency-avg", "records-lag-max"]
    {
        assert!(during.get(name).is_some(), "{name} in {during}");
    }
    assert_eq!(metrics("50000")["UnderReplicatedPartitions"], 0);
    let out = run(&["leader-failover", "--metrics", "--memory"]);
    assert!(!out.status.success(), "--metrics and --memory do not mix");
}

#[test]
fn the_same_seed_gives_the_same_output_and_another_seed_another_trace() {
    let a = text(&run(&["key-ordering", "--until-ms", "5000"]).stdout);
    let b = text(&run(&["key-ordering", "--until-ms", "5000"]).stdout);
    let c = text(&run(&["key-ordering", "--until-ms", "5000", "--seed", "99"]).stdout);
    assert_eq!(a, b);
    let hash = |s: &str| s.lines().find(|l| l.starts_with("trace hash")).map(str::to_string);
    assert_ne!(hash(&a), hash(&c));
}

#[test]
fn a_file_runs_and_the_trace_holds_every_fact_as_json() {
    let dir = std::env::temp_dir().join(format!("kafkalab-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mine.toml");
    std::fs::write(&file, "name = \"mine\"\nduration_ms = 3000\ntitle = { ko = \"내 것\", en = \"Mine\" }\ndescription = { ko = \"d\", en = \"d\" }\n[[topic]]\nname = \"t\"\npartitions = 2\nreplication_factor = 3\n").unwrap();
    let trace = dir.join("trace.jsonl");
    let out = run(&[file.to_str().unwrap(), "--trace", trace.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Topic t was created: 2 partitions"));
    let lines = std::fs::read_to_string(&trace).unwrap();
    let facts: Vec<serde_json::Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(facts.iter().any(|f| f["fact"] == "topic_created" && f["at_ms"] == 0));
    let summary = text(&out.stdout);
    let count: usize =
        summary.lines().find_map(|l| l.split(", ").nth(2)?.strip_suffix(" facts")?.parse().ok()).unwrap();
    assert_eq!(facts.len(), count, "every fact is in the trace");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_is_a_clear_error_without_a_panic() {
    let out = run(&["no-such-scenario"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("built-in scenarios:") && err.contains("leader-failover") && err.contains("sandbox"), "{err}");
    let out = run(&["/nonexistent/file.toml"]);
    assert!(!out.status.success() && text(&out.stderr).contains("cannot read"));
    let dir = std::env::temp_dir().join(format!("kafkalab-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "name = \"bad\"\nduration_ms = 1000\ntitle = { ko = \"k\", en = \"e\" }\ndescription = { ko = \"k\", en = \"e\" }\n[[step]]\nat_ms = 10\naction = \"kill_broker\"\nbroker = 7\n").unwrap();
    let out = run(&[file.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("line 8") && err.contains("step.broker") && err.contains("broker 7 does not exist"), "{err}");
    assert!(!err.contains("panicked"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn korean_narration_of_every_builtin_scenario_has_no_particle_placeholders() {
    for name in kafkalab_engine::scenario::builtin().iter().map(|b| b.name).filter(|n| *n != "sandbox") {
        let out = run(&[name, "--until-ms", "20000", "--lang", "ko"]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let ko = text(&out.stdout);
        for marker in ["(가)", "(를)", "(으)", "(이)", "(은)", "(는)", "(과)", "(와)"] {
            assert!(!ko.contains(marker), "{name}: {marker} in\n{ko}");
        }
        assert!(!ko.contains("client-"), "{name}: a client by number in\n{ko}");
    }
}

#[test]
fn scenarios_lists_every_builtin_under_its_category() {
    let out = kafkalab(&["scenarios"], None);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("kafka:\n"), "{stdout}");
    let listed = stdout.lines().filter(|l| l.starts_with("  ")).count();
    assert_eq!(listed, kafkalab_engine::scenario::builtin().len(), "{stdout}");
    assert!(stdout.contains("  leader-failover "), "{stdout}");
    let ko = text(&kafkalab(&["scenarios", "--lang", "ko"], None).stdout);
    assert!(ko.contains("리더"), "{ko}");
}
