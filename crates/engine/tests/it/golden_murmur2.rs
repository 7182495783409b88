//! Kafka's key partitioner against vectors from kafka-python (tests/golden/gen_murmur2.py).

use kafkalab_engine::producer::partitioner::{murmur2, partition_for_key, to_positive};
use serde_json::Value;

fn decode_hex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")).collect()
}

#[test]
fn every_golden_key_hashes_and_partitions_like_kafka() {
    let golden: Value = serde_json::from_str(include_str!("../golden/murmur2.json")).expect("golden JSON");
    let cases = golden["cases"].as_array().expect("cases");
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let mut checked = 0;
    for case in cases {
        let hex = case["key_hex"].as_str().expect("key_hex");
        let key = decode_hex(hex);
        let expected = case["murmur2"].as_i64().expect("murmur2") as i32;
        assert_eq!(murmur2(&key), expected, "murmur2 of {hex}");
        for (n, partition) in case["partitions"].as_object().expect("partitions") {
            let n: i32 = n.parse().expect("partition count");
            let partition = partition.as_i64().expect("partition") as i32;
            assert_eq!(partition_for_key(&key, n), partition, "key {hex} over {n} partitions");
            assert_eq!(to_positive(expected) % n, partition);
            checked += 1;
        }
    }
    assert!(checked >= 1200);
}
