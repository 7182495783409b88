//! `kafkalab partition` and `kafkalab assign` as a user runs them.

use crate::common::{kafkalab, text};
use std::process::Output;

fn stdout(out: &Output) -> String {
    text(&out.stdout)
}

fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

fn assert_clean_failure(out: &Output, needle: &str) {
    assert!(!out.status.success(), "expected failure, got {}", stdout(out));
    let err = stderr(out);
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(stdout(out).is_empty());
}

#[test]
fn partition_prints_keys_in_order_given() {
    let out = kafkalab(
        &[
            "partition",
            "--partitions",
            "6",
            "--key",
            "user-42",
            "--key-hex",
            "68656C6C6F",
            "--key",
            "hello",
            "--key-hex",
            "",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // murmur2("") = 275646681 -> 275646681 % 6 = 3.
    assert_eq!(stdout(&out), "user-42\t4\nhex:68656c6c6f\t3\nhello\t3\nhex:\t3\n");
}

#[test]
fn partition_escapes_tabs_and_newlines() {
    let out = kafkalab(&["partition", "--partitions", "1", "--key", "a\tb\nc\\"], None);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "a\\tb\\nc\\\\\t0\n");
}

#[test]
fn partition_errors() {
    assert_clean_failure(
        &kafkalab(&["partition", "--partitions", "0", "--key", "a"], None),
        "--partitions must be at least 1",
    );
    assert_clean_failure(
        &kafkalab(&["partition", "--partitions", "-2", "--key", "a"], None),
        "--partitions must be at least 1",
    );
    assert_clean_failure(&kafkalab(&["partition", "--partitions", "3", "--key-hex", "zz"], None), "not a hex byte");
    assert_clean_failure(&kafkalab(&["partition", "--partitions", "3", "--key-hex", "abc"], None), "odd number");
    assert_clean_failure(&kafkalab(&["partition", "--partitions", "3"], None), "at least one --key");
    assert_clean_failure(&kafkalab(&["partition", "--partitions", "many", "--key", "a"], None), "many");
}

const GROUP: &str = r#"{"topics": {"t0": 3, "t1": 3, "unused": 2},
  "members": [{"id": "C1", "topics": ["t0", "t1"]}, {"id": "C0", "topics": ["t0", "t1"]}]}"#;

#[test]
fn assign_range_and_roundrobin_from_stdin() {
    let out = kafkalab(&["assign", "--strategy", "range", "--input", "-"], Some(GROUP));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"C0\":[[\"t0\",0],[\"t0\",1],[\"t1\",0],[\"t1\",1]],\"C1\":[[\"t0\",2],[\"t1\",2]]}\n");
    let out = kafkalab(
        &["assign", "--strategy", "org.apache.kafka.clients.consumer.RoundRobinAssignor", "--input", "-"],
        Some(GROUP),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"C0\":[[\"t0\",0],[\"t0\",2],[\"t1\",1]],\"C1\":[[\"t0\",1],[\"t1\",0],[\"t1\",2]]}\n");
}

#[test]
fn assign_cooperative_sticky_from_file_with_owned_and_generation() {
    let input = r#"{"topics": {"t0": 3, "t1": 3}, "members": [
        {"id": "C0", "topics": ["t0", "t1"], "owned": [["t0", 0], ["t0", 2], ["t1", 1]], "generation": 1},
        {"id": "C1", "topics": ["t0", "t1"], "owned": [["t0", 1], ["t1", 0], ["t1", 2]], "generation": 1},
        {"id": "C2", "topics": ["t0", "t1"]}]}"#;
    let path = std::env::temp_dir().join(format!("kafkalab-assign-{}.json", std::process::id()));
    std::fs::write(&path, input).unwrap();
    let out = kafkalab(&["assign", "--strategy", "cooperative-sticky", "--input", path.to_str().unwrap()], None);
    std::fs::remove_file(&path).ok();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"C0\":[[\"t0\",0],[\"t1\",1]],\"C1\":[[\"t0\",1],[\"t1\",0]],\"C2\":[]}\n");
}

/// The consumer protocol's server-side assignors: the same contract, `owned` as the current
/// target (cases from Kafka's group-coordinator `RangeAssignorTest.java`).
#[test]
fn assign_with_the_server_side_assignors() {
    let input = r#"{"topics": {"topic1": 3, "topic2": 3}, "members": [
        {"id": "A", "topics": ["topic1", "topic2"], "owned": [["topic1", 0], ["topic1", 1], ["topic2", 0], ["topic2", 1]]},
        {"id": "B", "topics": ["topic1", "topic2"], "owned": [["topic1", 2], ["topic2", 2]]},
        {"id": "C", "topics": ["topic1", "topic2"]}]}"#;
    let out = kafkalab(&["assign", "--strategy", "range-server", "--input", "-"], Some(input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"A\":[[\"topic1\",0],[\"topic2\",0]],\"B\":[[\"topic1\",2],[\"topic2\",2]],\"C\":[[\"topic1\",1],[\"topic2\",1]]}\n"
    );
    let out = kafkalab(&["assign", "--strategy", "uniform", "--input", "-"], Some(GROUP));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"C0\":[[\"t0\",0],[\"t0\",1],[\"t0\",2]],\"C1\":[[\"t1\",0],[\"t1\",1],[\"t1\",2]]}\n");
    assert_clean_failure(
        &kafkalab(
            &["assign", "--strategy", "uniform", "--input", "-"],
            Some(r#"{"topics": {}, "members": [{"id": "A", "topics": ["nope"]}]}"#),
        ),
        "nope",
    );
}

#[test]
fn assign_errors() {
    assert_clean_failure(
        &kafkalab(&["assign", "--strategy", "fair", "--input", "-"], Some(GROUP)),
        "range, roundrobin, sticky, cooperative-sticky",
    );
    assert_clean_failure(
        &kafkalab(&["assign", "--strategy", "range", "--input", "-"], Some("{\"topics\": {},\n \"members\": [")),
        "line 2 column",
    );
    assert_clean_failure(
        &kafkalab(
            &["assign", "--strategy", "sticky", "--input", "-"],
            Some(r#"{"topics": {"t": 1}, "members": [{"id": "c9", "topics": ["t", "ghost"]}]}"#),
        ),
        "member `c9` subscribes to topic `ghost`",
    );
    assert_clean_failure(
        &kafkalab(
            &["assign", "--strategy", "sticky", "--input", "-"],
            Some(r#"{"topics": {"t": 1}, "members": [{"id": "c", "topics": ["t"], "owned": [["t", 4]]}]}"#),
        ),
        "owns t-4",
    );
    assert_clean_failure(
        &kafkalab(&["assign", "--strategy", "range", "--input", "/nonexistent/x.json"], None),
        "cannot read",
    );
}
