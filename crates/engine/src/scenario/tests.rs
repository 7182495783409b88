//! Parse errors name the line and the field; valid files round-trip into the world.

use super::*;
use crate::narration::Fact;

const BASE: &str = r#"name = "t"
duration_ms = 10000
title = { ko = "t", en = "t" }
description = { ko = "d", en = "d" }

[cluster]
brokers = 3

[[topic]]
name = "orders"
partitions = 3
replication_factor = 3

[[producer]]
name = "p"

[[consumer]]
name = "c"
topics = ["orders"]
configs = { "group.id" = "g" }
"#;

fn error(extra: &str) -> String {
    parse(&format!("{BASE}{extra}")).unwrap_err().to_string()
}

#[test]
fn the_base_file_parses() {
    let s = parse(BASE).unwrap();
    assert_eq!(s.world.brokers, 3);
    assert_eq!(s.topics[0].partitions, 3);
    assert_eq!(s.seed, 1);
}

/// `category` picks the picker's heading: Kafka itself unless a file says otherwise.
#[test]
fn the_category_defaults_to_kafka_and_a_bad_one_names_the_choices() {
    assert_eq!(parse(BASE).unwrap().category, Category::Kafka);
    let patterns = BASE.replace("duration_ms = 10000\n", "duration_ms = 10000\ncategory = \"patterns\"\n");
    assert_eq!(parse(&patterns).unwrap().category, Category::Patterns);
    let e = parse(&BASE.replace("duration_ms = 10000\n", "duration_ms = 10000\ncategory = \"apps\"\n")).unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.to_string().contains("`patterns`"), "{e}");
}

#[test]
fn an_unknown_broker_names_the_line_and_field() {
    let e = error("\n[[step]]\nat_ms = 100\naction = \"kill_broker\"\nbroker = 7\n");
    assert_eq!(e, "line 25, column 10, field `step.broker`: broker 7 does not exist (the cluster has brokers 1..3)");
}

/// `[cluster] racks`: one `broker.rack` per broker, in broker order; a bad list names the line.
#[test]
fn racks_are_one_per_broker() {
    let s = parse(&BASE.replace("brokers = 3", "brokers = 3\nracks = [\"az-a\", \"az-b\", \"az-c\"]")).unwrap();
    assert_eq!(s.world.racks, vec!["az-a", "az-b", "az-c"]);
    let e = parse(&BASE.replace("brokers = 3", "brokers = 3\nracks = [\"az-a\"]")).unwrap_err().to_string();
    assert!(e.starts_with("line 8") && e.contains("`cluster.racks`") && e.contains("1 racks for 3 brokers"), "{e}");
    let e =
        parse(&BASE.replace("brokers = 3", "brokers = 3\nracks = [\"a\", \"b b\", \"c\"]")).unwrap_err().to_string();
    assert!(e.contains("`cluster.racks`") && e.contains("rack id"), "{e}");
    let e = parse(&BASE.replace("brokers = 3", "brokers = 3\nracks = [\"a\", \"\", \"c\"]")).unwrap_err().to_string();
    assert!(e.contains("`cluster.racks`") && e.contains("empty"), "{e}");
}

#[test]
fn syntax_and_unknown_fields_name_the_line() {
    let e = parse("name = \"t\"\nduration_ms = \n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    let e = parse(&BASE.replace("brokers = 3", "brokers = 3\nbrokerz = 1")).unwrap_err();
    assert_eq!(e.line, Some(8), "{e}");
    assert!(e.to_string().contains("cluster.brokerz") && e.to_string().contains("unknown field"), "{e}");
    let e = parse(&BASE.replace("partitions = 3\n", "")).unwrap_err();
    assert!(e.to_string().contains("topic.partitions") && e.to_string().contains("replication_factor"), "{e}");
}

#[test]
fn semantic_errors_are_plain() {
    let e = parse(&BASE.replace("replication_factor = 3", "replication_factor = 4")).unwrap_err().to_string();
    assert!(e.starts_with("line 12") && e.contains("replication factor 4") && e.contains("the cluster has 3"), "{e}");
    let e = parse(
        &BASE.replace("replication_factor = 3", "replication_factor = 2\nconfigs = { \"min.insync.replicas\" = 3 }"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("line 13") && e.contains("topic.configs") && e.contains("min.insync.replicas"), "{e}");
    let e = parse(&BASE.replace("name = \"p\"", "name = \"p\"\nconfigs = { acks = \"2\" }")).unwrap_err().to_string();
    assert!(e.contains("line 16") && e.contains("`acks`") && e.contains("0, 1, all, -1"), "{e}");
    let e = parse(
        &BASE.replace("\"group.id\" = \"g\"", "\"group.id\" = \"g\", \"partition.assignment.strategy\" = \"fair\""),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("line 20") && e.contains("cooperative-sticky"), "{e}");
    let e = parse(&BASE.replace("topics = [\"orders\"]", "topics = [\"nope\"]")).unwrap_err().to_string();
    assert!(e.contains("field `consumer.topics`") && e.contains("no topic `nope`"), "{e}");
    let e = parse(&BASE.replace("[cluster]", "[cluster]\nconfigs = { \"replica.lag.time.max\" = 1 }"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 7") && e.contains("unknown config `replica.lag.time.max`"), "{e}");
    let e = error("\n[[step]]\nat_ms = 5000\naction = \"crash_consumer\"\nconsumer = \"c\"\n\n[[step]]\nat_ms = 4000\nnote = { ko = \"k\", en = \"e\" }\n");
    assert!(e.contains("line 28") && e.contains("time order"), "{e}");
    let e = error("\n[[step]]\nat_ms = 50000\nnote = { ko = \"k\", en = \"e\" }\n");
    assert!(e.contains("after the end"), "{e}");
    let e = error("\n[[step]]\nat_ms = 5\naction = \"crash_consumer\"\nconsumer = \"d\"\n");
    assert!(e.contains("no consumer `d`") && e.contains("declared: c"), "{e}");
    let e = error("\n[[step]]\nat_ms = 5\naction = \"kill_broker\"\nbroker = 1\ntopic = \"orders\"\n");
    assert!(e.contains("field `step.topic`") && e.contains("does not apply to `kill_broker`"), "{e}");
    let e = error("\n[[step]]\nat_ms = 5\naction = \"restart_broker\"\nbroker = 1\n");
    assert!(e.contains("broker 1 is running"), "{e}");
    let e = error("\n[[step]]\nat_ms = 5\naction = \"explode\"\n");
    assert!(e.contains("unknown action `explode`") && e.contains("kill_broker"), "{e}");
}

#[test]
fn steps_resolve_names_against_the_world() {
    let s = parse(&format!(
        "{BASE}\n[[step]]\nat_ms = 5\naction = \"cut_link\"\nfrom = \"broker-1\"\nto = \"p\"\nboth = true\n"
    ))
    .unwrap();
    let timeline = s.build(None).unwrap();
    let action = s.steps[0].action(timeline.world()).unwrap();
    assert_eq!(action, Some(Action::CutLink { from: NodeId::Broker(1), to: NodeId::Client(1), both: true }));
    assert_eq!(s.steps_between(None, 5).count(), 1);
    assert_eq!(s.steps_between(Some(5), 100).count(), 0);
}

#[test]
fn a_producer_crashes_and_restarts_on_a_new_node() {
    let steps = "\n[[step]]\nat_ms = 1000\naction = \"crash_producer\"\nproducer = \"p\"\n\n[[step]]\nat_ms = 2000\naction = \"restart_producer\"\nproducer = \"p\"\n\n[[step]]\nat_ms = 3000\naction = \"isolate_node\"\nnode = \"p\"\n";
    let mut run = ScenarioRun::new(parse(&format!("{BASE}{steps}")).unwrap(), None).unwrap();
    let id = run.world().producers().next().unwrap().id;
    run.seek(1500);
    assert!(!run.world().producer_running(id));
    assert_eq!(run.scenario().steps[2].action(run.world()), Err("producer `p` is not running".to_string()));
    run.seek(3500);
    assert!(run.failures().is_empty(), "{:?}", run.failures());
    let node = run.world().producer(id).unwrap().node;
    assert_ne!(node, id, "the restarted producer runs on a new client node");
    assert!(run.world().facts().any(|f| f.fact == Fact::NodeIsolated { node: NodeId::Client(node) }));
    let e = error("\n[[step]]\nat_ms = 5\naction = \"crash_producer\"\nproducer = \"q\"\n");
    assert!(e.contains("step.producer"), "{e}");
}

#[test]
fn every_builtin_parses_and_is_named_after_its_file() {
    let all = builtin();
    assert!(all.windows(2).all(|w| w[0].name < w[1].name), "sorted");
    for b in all {
        let s = parse(b.text).unwrap_or_else(|e| panic!("{}: {e}", b.name));
        assert_eq!(s.name, b.name);
    }
}

#[test]
fn a_fact_tied_note_parses_with_its_filters_and_highlight() {
    let s = parse(&format!(
        "{BASE}\n[[step]]\nat_ms = 100\nnote = {{ ko = \"k\", en = \"e\" }}\n\n[[step]]\nwhen = {{ fact = \"isr_changed\", topic_partition = \"orders-1\", removed = 3 }}\nhighlight = [\"broker-3\", \"orders-1\", \"c\"]\nnote = {{ ko = \"k\", en = \"e\" }}\n"
    ))
    .unwrap();
    let step = &s.steps[1];
    assert_eq!(step.at_ms, 100, "without at_ms it waits from the previous step's time");
    let when = step.when.as_ref().unwrap();
    assert_eq!(when.fact, "isr_changed");
    assert_eq!(
        when.filters,
        vec![
            ("removed".to_string(), FilterValue::Int(3)),
            ("topic_partition".to_string(), FilterValue::Text("orders-1".into()))
        ]
    );
    assert_eq!(step.highlight, vec!["broker-3", "orders-1", "c"]);
}

#[test]
fn fact_tied_notes_are_validated_with_the_line_and_field() {
    let note = "note = { ko = \"k\", en = \"e\" }\n";
    let e = error(&format!("\n[[step]]\nwhen = {{ fact = \"isr_shrunk\" }}\n{note}"));
    assert!(e.starts_with("line 23, column 10, field `step.when.fact`: \"isr_shrunk\" is not a fact a note can follow; use one of: broker_started"), "{e}");
    let e = error(&format!("\n[[step]]\nwhen = {{ fact = \"isr_changed\", broker = 2 }}\n{note}"));
    assert!(
        e.starts_with("line 23")
            && e.contains("`step.when.broker`: `isr_changed` has no field `broker`")
            && e.contains("it has: topic_partition, isr, removed, added"),
        "{e}"
    );
    let e = error(&format!("\n[[step]]\nwhen = {{ fact = \"isr_changed\", topic_partition = \"orders-3\" }}\n{note}"));
    assert!(e.contains("`step.when.topic_partition`: topic `orders` has partitions 0..2"), "{e}");
    let e = error(&format!("\n[[step]]\nwhen = {{ fact = \"isr_changed\", removed = \"3\" }}\n{note}"));
    assert!(e.contains("`step.when.removed`: `removed` is an integer"), "{e}");
    let e = error(&format!("\n[[step]]\nwhen = {{ fact = \"generation_stable\", group = \"h\" }}\n{note}"));
    assert!(e.contains("`step.when.group`: no consumer joins group `h`; groups: g"), "{e}");
    let e = error(&format!("\n[[step]]\nwhen = {{ fact = \"partitions_assigned\", consumer = \"d\" }}\n{note}"));
    assert!(e.contains("`step.when.consumer`: there is no consumer `d`; consumers: c"), "{e}");
    let e = error("\n[[step]]\nwhen = { isr = 1 }\nnote = { ko = \"k\", en = \"e\" }\n");
    assert!(e.starts_with("line 23") && e.contains("`step.when.fact`: `when` needs `fact`"), "{e}");
    let e = error("\n[[step]]\nwhen = { fact = \"isr_changed\" }\n");
    assert!(e.contains("`step`: a step needs an `action`, a `note`, or both"), "{e}");
    let e = error(&format!("\n[[step]]\nwhen = {{ fact = \"isr_changed\" }}\naction = \"kill_controller\"\n{note}"));
    assert!(e.contains("`step.when`: `when` ties a note to a fact, so its step takes no `action`"), "{e}");
    let e = error(&format!("\n[[step]]\nat_ms = 1\nhighlight = [\"broker-1\", \"payments-0\"]\n{note}"));
    assert!(
        e.starts_with("line 24")
            && e.contains("`step.highlight`: `payments-0` is not a broker (broker-N), a partition (topic-N)"),
        "{e}"
    );
    let e = error(&format!("\n[[step]]\n{note}"));
    assert!(e.contains("`step.at_ms`: a step needs `at_ms`"), "{e}");
}

/// A consumer with a `processor` table: BASE's consumer `c` writing with producer `p`.
fn with_processor(consumer: &str, processor: &str) -> Result<Scenario, ScenarioError> {
    parse(&BASE.replace(
        "configs = { \"group.id\" = \"g\" }\n",
        &format!("configs = {{ \"group.id\" = \"g\", {consumer} }}\nprocessor = {{ {processor} }}\n"),
    ))
}

#[test]
fn a_processor_links_its_consumer_and_producer_in_the_world() {
    let s = with_processor("\"enable.auto.commit\" = false", "producer = \"p\", output_topic = \"orders\"").unwrap();
    let spec = s.consumers[0].processor.as_ref().expect("processor");
    assert_eq!((spec.producer.as_str(), spec.output_topic.as_str()), ("p", "orders"));
    let timeline = s.build(None).unwrap();
    let world = timeline.world();
    let processor = world.processors().next().expect("linked");
    assert_eq!(processor.output_topic, "orders");
    assert_eq!(world.producers().find(|p| p.id == processor.producer).map(|p| p.name.as_str()), Some("p"));
    assert_eq!(world.processor_audits()[0].guarantee, "at_least_once");
}

#[test]
fn a_bad_processor_is_an_error_naming_the_field() {
    let off = "\"enable.auto.commit\" = false";
    let cases = [
        (
            off,
            "producer = \"nobody\", output_topic = \"orders\"",
            "`consumer.processor.producer`: there is no producer `nobody` (declared: p)",
        ),
        (
            off,
            "producer = \"p\", output_topic = \"nowhere\"",
            "`consumer.processor.output_topic`: there is no topic `nowhere`",
        ),
        (
            "\"enable.auto.commit\" = true",
            "producer = \"p\", output_topic = \"orders\"",
            "set `enable.auto.commit` = false",
        ),
        (off, "producer = \"p\", output = \"orders\"", "unknown field `output`"),
    ];
    for (configs, processor, expected) in cases {
        let e = with_processor(configs, processor).unwrap_err().to_string();
        assert!(e.starts_with("line ") && e.contains(expected), "{processor}: {e}");
    }
}

#[test]
fn a_transactional_processor_needs_a_transactional_producer() {
    let transactional = BASE.replace(
        "configs = { \"group.id\" = \"g\" }\n",
        "configs = { \"group.id\" = \"g\", \"enable.auto.commit\" = false }\napp = { commit = \"transactional\" }\nprocessor = { producer = \"p\", output_topic = \"orders\" }\n",
    );
    let e = parse(&transactional).unwrap_err().to_string();
    assert!(
        e.contains("`consumer.processor.producer`") && e.contains("needs a producer with a `transactional.id`"),
        "{e}"
    );
    let fixed = transactional.replace("name = \"p\"\n", "name = \"p\"\nconfigs = { \"transactional.id\" = \"t-1\" }\n");
    let s = parse(&fixed).unwrap();
    assert_eq!(s.build(None).unwrap().world().processor_audits()[0].guarantee, "exactly_once");
    let no_processor = fixed.replace("processor = { producer = \"p\", output_topic = \"orders\" }\n", "");
    let e = parse(&no_processor).unwrap_err().to_string();
    assert!(e.contains("`consumer.app.commit`") && e.contains("add `processor = "), "{e}");
}

#[test]
fn a_processor_starts_at_t0_with_its_own_plain_producer() {
    let late = BASE.replace(
        "configs = { \"group.id\" = \"g\" }\n",
        "configs = { \"group.id\" = \"g\", \"enable.auto.commit\" = false }\nat_start = false\nprocessor = { producer = \"p\", output_topic = \"orders\" }\n",
    );
    let e = parse(&late).unwrap_err().to_string();
    assert!(e.contains("`consumer.processor`") && e.contains("starts at t=0"), "{e}");
    let streaming = BASE.replace("name = \"p\"\n", "name = \"p\"\nstream = { topic = \"orders\", rate = 5 }\n");
    let streaming = streaming.replace(
        "configs = { \"group.id\" = \"g\" }\n",
        "configs = { \"group.id\" = \"g\", \"enable.auto.commit\" = false }\nprocessor = { producer = \"p\", output_topic = \"orders\" }\n",
    );
    let e = parse(&streaming).unwrap_err().to_string();
    assert!(e.contains("has a `stream`"), "{e}");
    let second = "\n[[consumer]]\nname = \"c2\"\ntopics = [\"orders\"]\nconfigs = { \"group.id\" = \"g2\", \"enable.auto.commit\" = false }\nprocessor = { producer = \"p\", output_topic = \"orders\" }\n";
    let shared = BASE.replace(
        "configs = { \"group.id\" = \"g\" }\n",
        "configs = { \"group.id\" = \"g\", \"enable.auto.commit\" = false }\nprocessor = { producer = \"p\", output_topic = \"orders\" }\n",
    ) + second;
    let e = parse(&shared).unwrap_err().to_string();
    assert!(e.contains("already writes another processor's outputs"), "{e}");
}
