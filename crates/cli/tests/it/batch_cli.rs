//! `kafkalab batch encode|decode` run as a process.

use crate::common::{kafkalab, text};
use std::process::Output;

/// KAFKA-MODEL.md §2.1.
const MODEL_HEX: &str = "00000000000000000000004a0000000002a94f3d630000000000010000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff0000000210000000026b0276001e000a02010a68656c6c6f0202680278";
const MODEL_JSON: &str = r#"{"base_offset": 0, "producer_id": -1, "producer_epoch": -1, "base_sequence": -1,
 "partition_leader_epoch": 0, "records": [
  {"timestamp": 1700000000000, "key": "k", "value": "v", "headers": []},
  {"timestamp": 1700000000005, "key": null, "value": "hello", "headers": [["h", "x"]]}]}"#;

fn run(args: &[&str], stdin: &str) -> Output {
    kafkalab(args, Some(stdin))
}

fn stdout(out: &Output) -> String {
    text(&out.stdout)
}

#[test]
fn encode_from_stdin_prints_one_hex_line() {
    let out = run(&["batch", "encode", "--input", "-"], MODEL_JSON);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out), format!("{MODEL_HEX}\n"));
}

#[test]
fn encode_from_file() {
    let path = std::env::temp_dir().join(format!("kafkalab-batch-cli-{}.json", std::process::id()));
    std::fs::write(&path, MODEL_JSON).expect("write temp file");
    let out = run(&["batch", "encode", "--input", path.to_str().expect("utf-8 path")], "");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim_end(), MODEL_HEX);
}

#[test]
fn decode_prints_json_that_encodes_back() {
    let out = run(&["batch", "decode", "--hex", MODEL_HEX], "");
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("decode prints JSON");
    assert_eq!(json["crc"], 0xa94f3d63u32);
    assert_eq!(json["records"][1]["key"], serde_json::Value::Null);
    assert_eq!(json["records"][1]["headers"][0], serde_json::json!(["h", "x"]));
    let again = run(&["batch", "encode", "--input", "-"], &stdout(&out));
    assert_eq!(stdout(&again).trim_end(), MODEL_HEX);
}

#[test]
fn corrupt_input_fails_cleanly() {
    let mut flipped = MODEL_HEX.to_string();
    flipped.replace_range(120..122, "ff"); // a byte inside the CRC-covered records
    for (args, input) in [
        (vec!["batch", "decode", "--hex", flipped.as_str()], ""),
        (vec!["batch", "decode", "--hex", &MODEL_HEX[..100]], ""),
        (vec!["batch", "decode", "--hex", "zz"], ""),
        (vec!["batch", "encode", "--input", "-"], "{not json"),
        (vec!["batch", "encode", "--input", "/nonexistent/kafkalab.json"], ""),
    ] {
        let out = run(&args, input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stdout(&out).is_empty(), "{args:?} printed to stdout");
        assert!(stderr.starts_with("kafkalab: ") && !stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let out = run(&["batch", "decode", "--hex", &flipped], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("CRC mismatch"));
}
