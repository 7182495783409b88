//! RecordBatch v2 bytes against kafka-python's DefaultRecordBatchBuilder
//! (tests/golden/gen_record_batches.py -> tests/golden/record_batches.json).

use kafkalab_engine::log::batch_json::{batch_from_json, batch_to_json, from_hex, to_hex};
use kafkalab_engine::log::RecordBatch;
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = include_str!("../golden/record_batches.json");
    let doc: Value = serde_json::from_str(text).expect("golden JSON parses");
    doc["cases"].as_array().expect("cases array").clone()
}

#[test]
fn encode_matches_kafka_python_bytes() {
    let cases = cases();
    assert!(cases.len() >= 12, "expected at least 12 golden batches, found {}", cases.len());
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let batch = batch_from_json(&case["input"].to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = case["hex"].as_str().unwrap_or_default();
        assert_eq!(to_hex(&batch.encode()), expected, "{name}: encode differs from kafka-python");
        assert_eq!(batch.size_in_bytes() * 2, expected.len(), "{name}: size_in_bytes");
    }
}

#[test]
fn decode_of_kafka_python_bytes_gives_the_input() {
    for case in cases() {
        let name = case["name"].as_str().unwrap_or("?");
        let bytes = from_hex(case["hex"].as_str().unwrap_or_default()).expect("hex");
        let decoded = RecordBatch::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let input = batch_from_json(&case["input"].to_string()).expect("input");
        assert_eq!(decoded, input, "{name}: decode differs from the input");
        // The decode JSON re-encodes to the same bytes.
        let again = batch_from_json(&batch_to_json(&decoded).to_string()).expect("decode JSON parses");
        assert_eq!(again.encode(), bytes, "{name}: decode JSON does not round-trip");
    }
}

/// KAFKA-MODEL.md §2.1: 86 bytes, CRC 0xa94f3d63 (spaces mark record boundaries).
const MODEL_VECTOR: &str = "00000000000000000000004a0000000002a94f3d630000000000010000018bcfe568000000018bcfe56805\
ffffffffffffffffffffffffffff00000002 10000000026b027600 1e000a02010a68656c6c6f0202680278";

#[test]
fn kafka_model_test_vector() {
    let hex = MODEL_VECTOR.replace(' ', "");
    let bytes = from_hex(&hex).expect("hex");
    assert_eq!(bytes.len(), 86);
    let batch = RecordBatch::decode(&bytes).expect("decodes");
    assert_eq!(batch.records.len(), 2);
    assert_eq!(batch.records[1].record.key, None);
    assert_eq!(batch.records[1].record.timestamp, 1_700_000_000_005);
    assert_eq!(to_hex(&batch.encode()), hex);
    let golden = cases().into_iter().find(|c| c["name"] == "model_vector_kafka_model_2_1").expect("case present");
    assert_eq!(golden["hex"], hex.as_str(), "kafka-python agrees with KAFKA-MODEL.md");
}

/// Transaction markers against tests/golden/control_batches.json: kafka-python's builder with
/// the control bit set as Kafka's `MemoryRecords.withEndTransactionMarker` writes it, read back by
/// kafka-python's `ControlRecord` (tests/golden/gen_control_batches.py says how).
fn control_cases() -> Vec<Value> {
    let doc: Value = serde_json::from_str(include_str!("../golden/control_batches.json")).expect("golden JSON parses");
    doc["cases"].as_array().expect("cases array").clone()
}

#[test]
fn control_batches_match_kafka_python_bytes_both_ways() {
    use kafkalab_engine::log::control::{ControlRecordType, EndTransactionMarker};
    let cases = control_cases();
    assert!(cases.len() >= 4, "a COMMIT and an ABORT marker at least");
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let int = |field: &str| case[field].as_i64().unwrap_or_else(|| panic!("{name}: {field}"));
        let control_type = match case["control_type"].as_str() {
            Some("COMMIT") => ControlRecordType::Commit,
            Some("ABORT") => ControlRecordType::Abort,
            other => panic!("{name}: control_type {other:?}"),
        };
        let marker = EndTransactionMarker { control_type, coordinator_epoch: int("coordinator_epoch") as i32 };
        // Encode: the engine's marker, stamped by the leader like any batch.
        let mut batch = marker.to_batch(int("producer_id"), int("producer_epoch") as i16, int("timestamp"));
        batch.base_offset = int("base_offset");
        batch.partition_leader_epoch = int("leader_epoch") as i32;
        let expected = case["hex"].as_str().unwrap_or_default();
        assert_eq!(to_hex(&batch.encode()), expected, "{name}: encode differs from kafka-python");
        // Decode: the golden bytes give the same marker, and re-encode byte for byte.
        let bytes = from_hex(expected).expect("hex");
        let decoded = RecordBatch::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(decoded.is_control() && decoded.is_transactional(), "{name}: control and transactional bits");
        assert_eq!(decoded.base_sequence, -1, "{name}: no sequence");
        assert_eq!(EndTransactionMarker::from_batch(&decoded), Some(marker), "{name}: marker");
        assert_eq!(decoded.encode(), bytes, "{name}: decode then encode");
        let again = batch_from_json(&batch_to_json(&decoded).to_string()).expect("decode JSON parses");
        assert_eq!(again.encode(), bytes, "{name}: decode JSON does not round-trip");
    }
}
