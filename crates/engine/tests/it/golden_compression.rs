//! Compressed record batches both ways with kafka-python:
//! - tests/golden/gen_compression.py -> tests/golden/compression.json: kafka-python's batches in
//!   each codec, decoded here;
//! - tests/golden/compression_engine.json: the engine's encoding of the same inputs, checked here
//!   against the engine and decoded by kafka-python in tests/golden/check_engine_compression.py
//!   (scripts/test.sh's golden step). After a deliberate change to the codecs, rewrite it with
//!   `KAFKALAB_BLESS_GOLDEN=1 cargo test -p kafkalab-engine --test it golden_compression`.

use kafkalab_engine::log::batch_json::{batch_from_json, from_hex, to_hex};
use kafkalab_engine::log::{Record, RecordBatch};
use serde_json::{json, Value};

fn cases(text: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(text).expect("golden JSON parses");
    doc["cases"].as_array().expect("cases array").clone()
}

/// The case's batch: its input JSON, with the records of a `repeat` spec (see gen_compression.py).
fn expected_batch(case: &Value) -> RecordBatch {
    let name = case["name"].as_str().unwrap_or("?");
    let mut batch = batch_from_json(&case["input"].to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Some(spec) = case.get("repeat") {
        let (count, key, value, repeat) = (
            spec["count"].as_i64().unwrap(),
            spec["key"].as_str().unwrap(),
            spec["value"].as_str().unwrap(),
            spec["repeat"].as_u64().unwrap(),
        );
        let records = (0..count)
            .map(|i| {
                let key = format!("{key}{i}");
                Record::new(1_700_000_000_000 + i, Some(key.as_bytes()), Some(value.repeat(repeat as usize).as_bytes()))
            })
            .collect();
        let mut full = RecordBatch::new(records);
        full.attributes = batch.attributes;
        full.producer_id = batch.producer_id;
        full.producer_epoch = batch.producer_epoch;
        full.base_sequence = batch.base_sequence;
        full.partition_leader_epoch = batch.partition_leader_epoch;
        batch = full;
    }
    batch
}

#[test]
fn the_engine_decodes_kafka_pythons_batches_in_every_codec() {
    let cases = cases(include_str!("../golden/compression.json"));
    let mut codecs: Vec<&str> = cases.iter().filter_map(|c| c["codec"].as_str()).collect();
    codecs.dedup();
    assert_eq!(codecs, ["gzip", "snappy", "lz4", "zstd"]);
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let bytes = from_hex(case["hex"].as_str().unwrap_or_default()).expect("hex");
        let decoded = RecordBatch::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = expected_batch(case);
        assert_eq!(decoded.compression().name(), case["codec"], "{name}: codec");
        assert_eq!(decoded, expected, "{name}: decoded records");
        assert_eq!(
            decoded.uncompressed_size_in_bytes() as u64,
            case["uncompressed_size"].as_u64().unwrap(),
            "{name}: the uncompressed size kafka-python measured"
        );
        // The engine's own encoding of it decodes to the same batch and is no bigger than raw.
        let again = decoded.encode();
        assert_eq!(RecordBatch::decode(&again).unwrap(), decoded, "{name}: re-encoded");
        assert!(again.len() < decoded.uncompressed_size_in_bytes(), "{name}: compresses");
    }
}

/// The engine's encoding of every input of compression.json, as compression_engine.json holds it.
fn engine_vectors() -> Value {
    let cases = cases(include_str!("../golden/compression.json"));
    let out: Vec<Value> = cases
        .iter()
        .map(|case| {
            let batch = expected_batch(case);
            let mut entry = json!({
                "name": case["name"],
                "codec": case["codec"],
                "input": case["input"],
                "hex": to_hex(&batch.encode()),
            });
            if let Some(spec) = case.get("repeat") {
                entry["repeat"] = spec.clone();
            }
            entry
        })
        .collect();
    json!({
        "generator": "kafkalab-engine RecordBatch::encode of compression.json's inputs (tests/it/golden_compression.rs)",
        "cases": out,
    })
}

#[test]
fn engine_encodings_for_kafka_python_are_current() {
    let expected = serde_json::to_string_pretty(&engine_vectors()).expect("JSON") + "\n";
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("KAFKALAB_BLESS_GOLDEN").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/compression_engine.json");
        std::fs::write(path, &expected).expect("write compression_engine.json");
        return;
    }
    assert!(
        include_str!("../golden/compression_engine.json") == expected,
        "tests/golden/compression_engine.json is not the engine's encoding any more: rewrite it with \
         KAFKALAB_BLESS_GOLDEN=1 cargo test -p kafkalab-engine --test it golden_compression"
    );
}
