//! `[[streams]]`: a Kafka Streams application. It becomes, as `KafkaStreams.start()` would make
//! it, its internal topics (`<application.id>-<store>-repartition`, `-changelog`), and per
//! instance a consumer in group `application.id` and a producer, plus the topology that links
//! them (`Action::AddStreamsApp` when the scenario is built).

use super::{error_names, unknown_topic, Known, Source};
use crate::consumer::config::ConsumerConfig;
use crate::consumer::{CommitMode, ConsumerApp};
use crate::producer::config::ProducerConfig;
use crate::scenario::{ConsumerSpec, ProducerSpec, ScenarioError, StreamsSpec, TopicSpec};
use crate::streams::{Aggregate, GroupBy, StreamsConfig, TimeWindows, Topology};
use serde::Deserialize;
use toml::{Spanned, Table};

/// At most this many instances per application: enough to show a task moving.
const MAX_INSTANCES: i64 = 4;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStreams {
    application_id: Spanned<String>,
    instances: Option<Spanned<i64>>,
    source: Spanned<String>,
    /// `key` (groupByKey) or `value` (groupBy the value: a repartition topic).
    group_by: Spanned<String>,
    /// `count` or `sum`.
    aggregate: Spanned<String>,
    store: Spanned<String>,
    window: Option<Spanned<RawWindow>>,
    sink: Spanned<String>,
    replication_factor: Option<Spanned<i64>>,
    processing_ms_per_record: Option<u64>,
    /// Streams configs; `main.consumer.` and `producer.` prefixes go to those clients.
    configs: Option<Spanned<Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    size_ms: i64,
    advance_ms: Option<i64>,
    grace_ms: Option<i64>,
}

/// What one `[[streams]]` adds to the scenario.
pub(super) struct Parsed {
    pub spec: StreamsSpec,
    pub topics: Vec<TopicSpec>,
    pub producers: Vec<ProducerSpec>,
    pub consumers: Vec<ConsumerSpec>,
}

impl RawStreams {
    pub(super) fn application_id_span(&self) -> std::ops::Range<usize> {
        self.application_id.span()
    }
}

pub(super) fn streams(src: &Source, raw: &RawStreams, known: &Known) -> Result<Parsed, ScenarioError> {
    let app = raw.application_id.get_ref().clone();
    if app.is_empty() || !app.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.') {
        return Err(src.err(
            raw.application_id.span(),
            "streams.application_id",
            format!("`{app}` must be letters, digits, `.`, `_` and `-` (it names topics)"),
        ));
    }
    let topic = |name: &Spanned<String>, field: &str| {
        known
            .topics
            .get(name.get_ref())
            .filter(|t| t.create_at_start)
            .copied()
            .ok_or_else(|| src.err(name.span(), field, unknown_topic(name.get_ref(), known)))
    };
    let source = topic(&raw.source, "streams.source")?;
    topic(&raw.sink, "streams.sink")?;
    let group_by = match raw.group_by.get_ref().as_str() {
        "key" => GroupBy::Key,
        "value" => GroupBy::Value,
        other => {
            return Err(src.err(
                raw.group_by.span(),
                "streams.group_by",
                format!("`{other}` is not a grouping; allowed: key (groupByKey), value (groupBy the value)"),
            ))
        }
    };
    let aggregate = match raw.aggregate.get_ref().as_str() {
        "count" => Aggregate::Count,
        "sum" => Aggregate::Sum,
        other => {
            return Err(src.err(
                raw.aggregate.span(),
                "streams.aggregate",
                format!("`{other}` is not an aggregation; allowed: count, sum"),
            ))
        }
    };
    let store = raw.store.get_ref().clone();
    if store.is_empty() || !store.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.') {
        return Err(src.err(
            raw.store.span(),
            "streams.store",
            format!("`{store}` must be letters, digits, `.`, `_` and `-`"),
        ));
    }
    let windows = match &raw.window {
        None => None,
        Some(w) => {
            let r = w.get_ref();
            let windows = TimeWindows::new(r.size_ms, r.advance_ms.unwrap_or(r.size_ms), r.grace_ms.unwrap_or(0))
                .map_err(|e| src.err(w.span(), "streams.window", e.to_string()))?;
            Some(windows)
        }
    };
    let topology = Topology {
        application_id: app.clone(),
        source: source.name.clone(),
        group_by,
        aggregate,
        store,
        windows,
        sink: raw.sink.get_ref().clone(),
    };
    let instances = raw.instances.as_ref().map_or(Ok(1), |n| {
        (1..=MAX_INSTANCES).contains(n.get_ref()).then_some(*n.get_ref()).ok_or_else(|| {
            src.err(n.span(), "streams.instances", format!("{} is not in 1..={MAX_INSTANCES}", n.get_ref()))
        })
    })?;
    let replication_factor = match &raw.replication_factor {
        None => source.replication_factor,
        Some(rf) if (1..=known.nodes as i64).contains(rf.get_ref()) => *rf.get_ref() as i32,
        Some(rf) => {
            return Err(src.err(
                rf.span(),
                "streams.replication_factor",
                format!("{} is not in 1..={} (the cluster's brokers)", rf.get_ref(), known.nodes),
            ))
        }
    };

    // Configs: Streams' own, and the `main.consumer.` / `producer.` ones for its clients.
    let configs = match &raw.configs {
        Some(c) => src.configs(c, "streams.configs")?,
        None => Vec::new(),
    };
    let (mut streams_configs, mut consumer_configs, mut producer_configs) = (Vec::new(), Vec::new(), Vec::new());
    for (key, value, at) in configs {
        if let Some(k) = key.strip_prefix("main.consumer.") {
            consumer_configs.push((k.to_string(), value, at));
        } else if let Some(k) = key.strip_prefix("producer.") {
            producer_configs.push((k.to_string(), value, at));
        } else {
            streams_configs.push((key, value, at));
        }
    }
    let config_error = |pairs: &[(String, String, std::ops::Range<usize>)], e: crate::config::ConfigError| {
        let at =
            pairs.iter().find(|(k, _, _)| error_names(&e, k)).map_or(raw.application_id.span(), |(_, _, a)| a.clone());
        src.err(at, "streams.configs", e.to_string())
    };
    let config = StreamsConfig::from_pairs(streams_configs.iter().map(|(k, v, _)| (k.as_str(), v.as_str())))
        .map_err(|e| config_error(&streams_configs, e))?;
    for (key, _, at) in &consumer_configs {
        if ["group.id", "enable.auto.commit", "group.protocol", "partition.assignment.strategy"].contains(&key.as_str())
        {
            return Err(src.err(
                at.clone(),
                "streams.configs",
                format!("`main.consumer.{key}` is set by Kafka Streams itself (group.id is the application.id; it commits on its own)"),
            ));
        }
    }
    // Streams' consumer overrides: the group is the application, it commits itself, a new
    // application reads from the beginning, and rebalances are cooperative (its
    // `StreamsPartitionAssignor` is; here the cooperative-sticky assignor stands in), so a task
    // that stays on its instance keeps its store through a rebalance.
    let mut consumer_pairs = vec![
        ("group.id".to_string(), app.clone()),
        ("enable.auto.commit".to_string(), "false".to_string()),
        ("auto.offset.reset".to_string(), "earliest".to_string()),
        ("partition.assignment.strategy".to_string(), "cooperative-sticky".to_string()),
    ];
    for (k, v, _) in &consumer_configs {
        consumer_pairs.retain(|(existing, _)| existing != k);
        consumer_pairs.push((k.clone(), v.clone()));
    }
    consumer_pairs.sort();
    ConsumerConfig::from_pairs(consumer_pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| config_error(&consumer_configs, e))?;
    let producer_pairs: Vec<(String, String)> =
        producer_configs.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect();
    ProducerConfig::from_pairs(producer_pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| config_error(&producer_configs, e))?;

    let internal = |name: String, configs: Vec<(String, String)>| TopicSpec {
        name,
        partitions: source.partitions,
        replication_factor,
        assignment: None,
        configs,
        create_at_start: true,
    };
    let mut topics = Vec::new();
    if let Some(repartition) = topology.repartition_topic() {
        topics.push(internal(repartition, Topology::repartition_configs()));
    }
    topics.push(internal(topology.changelog_topic(), topology.changelog_configs()));
    for t in &topics {
        if known.topics.contains_key(&t.name) {
            return Err(src.err(
                raw.store.span(),
                "streams.store",
                format!("topic `{}` is Streams' internal topic: do not declare it", t.name),
            ));
        }
    }

    let app_settings = ConsumerApp {
        processing_ms_per_record: raw.processing_ms_per_record.unwrap_or(1),
        commit: CommitMode::SyncAfterProcessing,
        poll_timeout_ms: config.poll_ms,
        ..ConsumerApp::default()
    };
    let mut producers = Vec::new();
    let mut consumers = Vec::new();
    let mut names = Vec::new();
    for n in 1..=instances {
        let name = format!("{app}-{n}");
        let producer = format!("{name}-producer");
        producers.push(ProducerSpec { name: producer.clone(), configs: producer_pairs.clone(), stream: None });
        consumers.push(ConsumerSpec {
            name: name.clone(),
            topics: topology.input_topics(),
            configs: consumer_pairs.clone(),
            app: app_settings.clone(),
            start_at_start: true,
            processor: None,
        });
        names.push((name, producer));
    }
    Ok(Parsed { spec: StreamsSpec { topology, config, instances: names }, topics, producers, consumers })
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse;

    const BASE: &str = r#"name = "t"
duration_ms = 10000
title = { ko = "t", en = "t" }
description = { ko = "d", en = "d" }

[[topic]]
name = "clicks"
partitions = 2
replication_factor = 3

[[topic]]
name = "counts"
partitions = 1
replication_factor = 3

[[producer]]
name = "web"

[[streams]]
application_id = "app"
instances = 2
source = "clicks"
group_by = "value"
aggregate = "count"
store = "per-page"
sink = "counts"
"#;

    fn error(from: &str, to: &str) -> String {
        parse(&BASE.replace(from, to)).unwrap_err().to_string()
    }

    #[test]
    fn a_streams_table_becomes_internal_topics_and_clients() {
        let s = parse(BASE).unwrap();
        let names: Vec<&str> = s.topics.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["clicks", "counts", "app-per-page-repartition", "app-per-page-changelog"]);
        assert_eq!(s.topics[3].partitions, 2, "one changelog partition per task");
        assert_eq!(s.topics[3].configs, vec![("cleanup.policy".to_string(), "compact".to_string())]);
        let consumers: Vec<&str> = s.consumers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(consumers, ["app-1", "app-2"]);
        assert!(s.consumers[0].configs.contains(&("group.id".to_string(), "app".to_string())));
        assert_eq!(s.consumers[0].topics, ["clicks", "app-per-page-repartition"]);
        assert_eq!(s.streams[0].instances[1], ("app-2".to_string(), "app-2-producer".to_string()));
    }

    #[test]
    fn bad_streams_tables_name_the_field() {
        let e = error("source = \"clicks\"", "source = \"nope\"");
        assert!(e.contains("`streams.source`") && e.contains("nope"), "{e}");
        let e = error("group_by = \"value\"", "group_by = \"page\"");
        assert!(e.contains("`streams.group_by`") && e.contains("groupByKey"), "{e}");
        let e = error("instances = 2", "instances = 9");
        assert!(e.contains("`streams.instances`"), "{e}");
        let e = error("sink = \"counts\"", "sink = \"counts\"\nwindow = { size_ms = 1000, advance_ms = 2000 }");
        assert!(e.contains("`streams.window`") && e.contains("advance_ms"), "{e}");
        let e = error("sink = \"counts\"", "sink = \"counts\"\nconfigs = { \"main.consumer.group.id\" = \"x\" }");
        assert!(e.contains("`streams.configs`") && e.contains("application.id"), "{e}");
        let e = error(
            "sink = \"counts\"",
            "sink = \"counts\"\nconfigs = { \"processing.guarantee\" = \"exactly_once_v2\" }",
        );
        assert!(e.contains("processing.guarantee"), "{e}");
        let e = error("name = \"web\"", "name = \"app-1\"");
        assert!(e.contains("app-1") && e.contains("already the name"), "{e}");
    }

    #[test]
    fn streams_steps_name_instances_and_timestamps_are_not_negative() {
        let step = |body: &str| format!("{BASE}\n[[step]]\nat_ms = 100\n{body}\n");
        let s = parse(&step("action = \"crash_streams_instance\"\ninstance = \"app-2\"")).unwrap();
        assert!(matches!(
            &s.steps[0].action,
            Some(crate::scenario::StepAction::CrashStreamsInstance { application_id, instance: 1 }) if application_id == "app"
        ));
        let e = parse(&step("action = \"restart_streams_instance\"\ninstance = \"app-3\"")).unwrap_err().to_string();
        assert!(e.contains("`step.instance`") && e.contains("app-1, app-2"), "{e}");
        let send = "action = \"send\"\nproducer = \"web\"\ntopic = \"clicks\"\nkey = \"k\"\nvalue = \"home\"\n";
        let e = parse(&step(&format!("{send}timestamp = -5"))).unwrap_err().to_string();
        assert!(e.contains("`step.timestamp`"), "{e}");
        let s = parse(&step(&format!("{send}timestamp = 5"))).unwrap();
        assert!(matches!(&s.steps[0].action, Some(crate::scenario::StepAction::Send { timestamp: Some(5), .. })));
    }
}
