//! The assignors against tests/golden/gen_assignors.py: random groups computed by kafka-python's range
//! and roundrobin assignors, and cases ported from Kafka's Java assignor tests (all four strategies).

use kafkalab_engine::group::assignor::{assign, MemberSubscription, Strategy, TopicPartition};
use serde_json::Value;
use std::collections::BTreeMap;

fn partitions(list: &Value) -> Vec<TopicPartition> {
    list.as_array()
        .expect("list of [topic, partition]")
        .iter()
        .map(|pair| TopicPartition::new(pair[0].as_str().expect("topic"), pair[1].as_i64().expect("partition") as i32))
        .collect()
}

#[test]
fn every_golden_case_matches() {
    let golden: Value = serde_json::from_str(include_str!("../golden/assignors.json")).expect("golden JSON");
    let cases = golden["cases"].as_array().expect("cases");
    let mut per_strategy: BTreeMap<String, usize> = BTreeMap::new();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let strategy: Strategy = case["strategy"].as_str().expect("strategy").parse().expect("strategy");
        let topics: BTreeMap<String, i32> = case["topics"]
            .as_object()
            .expect("topics")
            .iter()
            .map(|(t, n)| (t.clone(), n.as_i64().expect("count") as i32))
            .collect();
        let members: Vec<MemberSubscription> = case["members"]
            .as_array()
            .expect("members")
            .iter()
            .map(|m| MemberSubscription {
                member_id: m["id"].as_str().expect("id").to_string(),
                group_instance_id: m.get("group_instance_id").and_then(Value::as_str).map(str::to_string),
                topics: m["topics"]
                    .as_array()
                    .expect("topics")
                    .iter()
                    .map(|t| t.as_str().expect("topic").to_string())
                    .collect(),
                owned: m.get("owned").map(partitions).unwrap_or_default(),
                generation_id: m.get("generation").and_then(Value::as_i64).map(|g| g as i32),
            })
            .collect();
        let expected: BTreeMap<String, Vec<TopicPartition>> = case["expected"]
            .as_object()
            .expect("expected")
            .iter()
            .map(|(id, list)| {
                let mut l = partitions(list);
                l.sort();
                (id.clone(), l)
            })
            .collect();
        let actual = assign(strategy, &topics, &members).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(actual, expected, "{name} ({strategy})");
        *per_strategy.entry(strategy.to_string()).or_default() += 1;
    }
    assert!(per_strategy["range"] >= 50 && per_strategy["roundrobin"] >= 50, "{per_strategy:?}");
    assert!(per_strategy["sticky"] >= 5 && per_strategy["cooperative-sticky"] >= 5, "{per_strategy:?}");
}
