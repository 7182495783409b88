//! The TOML format: raw serde structs with spans, then validation into a [`Scenario`]. Every
//! check reports the line (and column) of the offending field, found from its span.

mod program;
mod streams;

use super::broker_config;
use super::when::{FactPattern, FieldType, FilterValue, KINDS};
use super::{
    ConsumerSpec, Localized, NodeRef, ProcessorSpec, ProducerSpec, Scenario, ScenarioError, Step, StepAction,
    StreamSpec, StreamsSpec, TopicSpec,
};
use crate::cluster::{Action, ActionError, World, WorldConfig};
use crate::consumer::config::{ConsumerConfig, GroupProtocol};
use crate::consumer::{CommitMode, ConsumerApp, SeekTo};
use crate::controller::validate_topic_name;
use crate::log::topic_config::topic_synonym;
use crate::log::TopicConfig;
use crate::producer::config::ProducerConfig;
use crate::producer::stream::KeyPattern;
use crate::protocol::metadata::ConfigResource;
use crate::protocol::TopicPartition;
use crate::sim::network::NetworkConfig;
use crate::sim::Millis;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::{Spanned, Table, Value};

/// The longest scenario: an hour of virtual time.
const MAX_DURATION_MS: u64 = 3_600_000;
const MAX_BROKERS: i64 = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Spanned<String>,
    #[serde(default)]
    category: super::Category,
    title: RawLocalized,
    description: RawLocalized,
    seed: Option<u64>,
    duration_ms: Spanned<u64>,
    #[serde(default)]
    cluster: RawCluster,
    #[serde(default)]
    topic: Vec<RawTopic>,
    #[serde(default)]
    producer: Vec<RawProducer>,
    #[serde(default)]
    consumer: Vec<RawConsumer>,
    #[serde(default)]
    streams: Vec<streams::RawStreams>,
    #[serde(default)]
    step: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalized {
    ko: String,
    en: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCluster {
    brokers: Option<Spanned<i64>>,
    /// Dedicated controllers (`process.roles=controller`), numbered after the brokers.
    controllers: Option<Spanned<i64>>,
    /// `broker.rack` of each broker, in broker order.
    racks: Option<Spanned<Vec<String>>>,
    teaching_mode: Option<bool>,
    latency_ms: Option<Spanned<u64>>,
    jitter_ms: Option<Spanned<u64>>,
    configs: Option<Spanned<Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: Spanned<String>,
    partitions: Option<Spanned<i64>>,
    replication_factor: Option<Spanned<i64>>,
    /// The replicas of each partition, preferred leader first (instead of partitions and RF).
    assignment: Option<Spanned<Vec<Vec<i64>>>>,
    configs: Option<Spanned<Table>>,
    at_start: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProducer {
    name: Spanned<String>,
    configs: Option<Spanned<Table>>,
    stream: Option<RawStream>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStream {
    topic: Spanned<String>,
    rate: Spanned<i64>,
    key_prefix: Option<Spanned<String>>,
    key_count: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsumer {
    name: Spanned<String>,
    topics: Spanned<Vec<String>>,
    configs: Option<Spanned<Table>>,
    app: Option<RawApp>,
    at_start: Option<bool>,
    processor: Option<Spanned<RawProcessor>>,
    /// The declared listener's rules (`[[consumer.rule]]`), first match wins.
    #[serde(default)]
    rule: Vec<Spanned<program::RawRule>>,
    /// Spring's error handler around the listener (`[consumer.error_handler]`).
    error_handler: Option<Spanned<program::RawErrorHandler>>,
}

/// A consumer's application that writes each processed record to an output topic.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcessor {
    producer: Spanned<String>,
    /// Required without a declared listener; with one, its rules say what is sent.
    output_topic: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
    processing_ms_per_record: Option<u64>,
    commit: Option<Spanned<String>>,
    poll_timeout_ms: Option<u64>,
    fail_on_key: Option<Spanned<String>>,
}

/// One `[[step]]`: every field an action may take; which ones apply depends on `action`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    /// Optional only with `when`: then the previous step's time.
    at_ms: Option<Spanned<u64>>,
    action: Option<Spanned<String>>,
    note: Option<RawLocalized>,
    when: Option<Spanned<Table>>,
    highlight: Option<Spanned<Vec<Spanned<String>>>>,
    broker: Option<Spanned<i64>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    both: Option<Spanned<bool>>,
    node: Option<Spanned<String>>,
    extra_ms: Option<Spanned<u64>>,
    probability: Option<Spanned<f64>>,
    producer: Option<Spanned<String>>,
    consumer: Option<Spanned<String>>,
    topic: Option<Spanned<String>>,
    partition: Option<Spanned<i64>>,
    key: Option<Spanned<String>>,
    value: Option<Spanned<String>>,
    rate: Option<Spanned<i64>>,
    key_prefix: Option<Spanned<String>>,
    key_count: Option<Spanned<i64>>,
    sync: Option<Spanned<bool>>,
    position: Option<Spanned<String>>,
    offset: Option<Spanned<i64>>,
    timestamp: Option<Spanned<i64>>,
    replicas: Option<Spanned<Vec<i64>>>,
    config: Option<Spanned<String>>,
    /// A Kafka Streams instance, by its name (`<application.id>-N`).
    instance: Option<Spanned<String>>,
}

impl RawStep {
    /// The optional action fields that are set, with their spans.
    fn present(&self) -> Vec<(&'static str, Range<usize>)> {
        fn at<T>(name: &'static str, v: &Option<Spanned<T>>) -> Option<(&'static str, Range<usize>)> {
            v.as_ref().map(|s| (name, s.span()))
        }
        [
            at("broker", &self.broker),
            at("from", &self.from),
            at("to", &self.to),
            at("both", &self.both),
            at("node", &self.node),
            at("extra_ms", &self.extra_ms),
            at("probability", &self.probability),
            at("producer", &self.producer),
            at("consumer", &self.consumer),
            at("topic", &self.topic),
            at("partition", &self.partition),
            at("key", &self.key),
            at("value", &self.value),
            at("rate", &self.rate),
            at("key_prefix", &self.key_prefix),
            at("key_count", &self.key_count),
            at("sync", &self.sync),
            at("position", &self.position),
            at("offset", &self.offset),
            at("timestamp", &self.timestamp),
            at("replicas", &self.replicas),
            at("config", &self.config),
            at("instance", &self.instance),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Each step action and the fields it accepts.
const ACTIONS: &[(&str, &[&str])] = &[
    ("kill_broker", &["broker"]),
    ("restart_broker", &["broker"]),
    ("shutdown_broker", &["broker"]),
    ("kill_controller", &[]),
    ("cut_link", &["from", "to", "both"]),
    ("heal_link", &["from", "to", "both"]),
    ("set_link_loss", &["from", "to", "probability"]),
    ("isolate_node", &["node"]),
    ("slow_node", &["node", "extra_ms"]),
    ("send", &["producer", "topic", "partition", "key", "value", "timestamp"]),
    ("start_stream", &["producer", "topic", "rate", "key_prefix", "key_count"]),
    ("stop_stream", &["producer"]),
    ("crash_producer", &["producer"]),
    ("restart_producer", &["producer"]),
    ("create_topic", &["topic"]),
    ("delete_topic", &["topic"]),
    ("add_consumer", &["consumer"]),
    ("crash_consumer", &["consumer"]),
    ("restart_consumer", &["consumer"]),
    ("close_consumer", &["consumer"]),
    ("commit", &["consumer", "sync"]),
    ("seek", &["consumer", "topic", "partition", "position", "offset", "timestamp"]),
    ("begin_transaction", &["producer"]),
    ("commit_transaction", &["producer"]),
    ("abort_transaction", &["producer"]),
    ("reassign_partition", &["topic", "partition", "replicas"]),
    ("alter_config", &["topic", "broker", "config", "value"]),
    ("reconfigure_producer", &["producer", "config", "value"]),
    ("reconfigure_consumer", &["consumer", "config", "value"]),
    ("crash_streams_instance", &["instance"]),
    ("restart_streams_instance", &["instance"]),
];

/// Turns spans into line/column errors (lesson files use it too).
pub(crate) struct Source<'a> {
    pub(crate) text: &'a str,
}

impl Source<'_> {
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    pub(crate) fn err(&self, span: Range<usize>, field: &str, message: impl Into<String>) -> ScenarioError {
        let (line, column) = self.line_col(span.start);
        ScenarioError {
            line: Some(line),
            column: Some(column),
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// A TOML or serde error: its span gives the line; the field is read from the text there.
    pub(crate) fn toml_error(&self, e: &toml::de::Error) -> ScenarioError {
        let message = e.message().trim().to_string();
        let Some(span) = e.span() else {
            return ScenarioError { line: None, column: None, field: None, message };
        };
        let (line, column) = self.line_col(span.start);
        let field = self.field_at(span.clone(), &message);
        ScenarioError { line: Some(line), column: Some(column), field, message }
    }

    /// The dotted path of the field at `span`: the enclosing `[table]` header plus the key.
    fn field_at(&self, span: Range<usize>, message: &str) -> Option<String> {
        let start = span.start.min(self.text.len());
        let before = self.text.get(..start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let table = before
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(|h| h.trim_matches(|c| c == '[' || c == ']').trim().to_string())
            // The span of a missing field points at its table's own header line.
            .filter(|_| !self.text.get(line_start..).is_some_and(|l| l.trim_start().starts_with('[')));
        let table = table.or_else(|| {
            let rest = self.text.get(line_start..)?;
            let header = rest.lines().next()?.trim();
            header.starts_with('[').then(|| header.trim_matches(|c| c == '[' || c == ']').trim().to_string())
        });
        let key = if let Some(missing) = message.strip_prefix("missing field `") {
            missing.split('`').next().map(str::to_string)
        } else {
            let line = self.text.get(line_start..)?.lines().next().unwrap_or("");
            let offset_in_line = start - line_start;
            match line.find('=') {
                Some(eq) if eq < offset_in_line => Some(line[..eq].trim().to_string()),
                _ => self.text.get(span).map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && !s.contains('\n')),
            }
        };
        let parts: Vec<String> =
            table.into_iter().chain(key).filter(|p| !p.is_empty() && !p.starts_with('[')).collect();
        (!parts.is_empty()).then(|| parts.join("."))
    }

    /// Flattens a configs table (`acks = "all"`, `linger.ms = 5` or `"linger.ms" = 5`) into
    /// sorted `key = value` strings, remembering where each key is written.
    fn configs(
        &self,
        table: &Spanned<Table>,
        field: &str,
    ) -> Result<Vec<(String, String, Range<usize>)>, ScenarioError> {
        let mut flat = Vec::new();
        flatten("", table.get_ref(), &mut flat);
        let mut out = Vec::new();
        for (key, value) in flat {
            let at = self.key_span(table.span(), &key);
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Integer(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Boolean(b) => b.to_string(),
                Value::Array(items) if items.iter().all(Value::is_str) => {
                    items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",")
                }
                _ => {
                    return Err(self.err(
                        at,
                        field,
                        format!("`{key}` must be a string, a number, a boolean or a list of strings"),
                    ))
                }
            };
            out.push((key, text, at));
        }
        Ok(out)
    }

    /// Where `key` is written inside `within` (the whole table if it cannot be found).
    pub(crate) fn key_span(&self, within: Range<usize>, key: &str) -> Range<usize> {
        let region = self.text.get(within.clone()).unwrap_or("");
        match region.find(key) {
            Some(i) => within.start + i..within.start + i + key.len(),
            None => within,
        }
    }
}

fn flatten<'t>(prefix: &str, table: &'t Table, out: &mut Vec<(String, &'t Value)>) {
    for (key, value) in table {
        let full = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            Value::Table(inner) => flatten(&full, inner, out),
            other => out.push((full, other)),
        }
    }
}

impl<'a> Known<'a> {
    /// What a finished scenario declares (for files that refer to a scenario, such as lessons).
    pub(crate) fn of(scenario: &'a Scenario) -> Self {
        Known {
            nodes: scenario.world.brokers + scenario.world.controllers,
            topics: scenario.topics.iter().map(|t| (t.name.clone(), t)).collect(),
            producers: scenario.producers.iter().map(|p| p.name.clone()).collect(),
            consumers: scenario.consumers.iter().map(|c| (c.name.clone(), c)).collect(),
            streams_instances: streams_instances(&scenario.streams),
        }
    }
}

/// Each Streams instance's name with its application and index.
fn streams_instances(specs: &[StreamsSpec]) -> BTreeMap<String, (String, usize)> {
    specs
        .iter()
        .flat_map(|s| {
            s.instances.iter().enumerate().map(|(i, (name, _))| (name.clone(), (s.topology.application_id.clone(), i)))
        })
        .collect()
}

fn localized(raw: RawLocalized) -> Localized {
    Localized { ko: raw.ko, en: raw.en }
}

/// What validation needs to know about the scenario so far.
pub(crate) struct Known<'a> {
    /// Brokers and dedicated controllers: what steps may name (`broker-N`).
    nodes: i32,
    topics: BTreeMap<String, &'a TopicSpec>,
    producers: BTreeSet<String>,
    consumers: BTreeMap<String, &'a ConsumerSpec>,
    /// Streams instances by name: their application and index.
    streams_instances: BTreeMap<String, (String, usize)>,
}

/// A listener program typed in the app for a running consumer: a scenario's
/// `[[consumer.rule]]` and `[consumer.error_handler]` tables written `[[rule]]` and
/// `[error_handler]` (errors still name them `consumer.…`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawListener {
    #[serde(default)]
    rule: Vec<Spanned<program::RawRule>>,
    error_handler: Option<Spanned<program::RawErrorHandler>>,
}

/// What a running consumer's listener program is checked against.
pub struct ListenerContext<'a> {
    /// The topics the consumer subscribes to.
    pub subscribed: &'a [String],
    /// Every topic of the cluster now, with its partition count.
    pub topics: &'a [(String, i32)],
    pub commit: CommitMode,
    /// The consumer is a processor whose producer sends what the listener says.
    pub has_producer: bool,
    pub share: bool,
}

/// The action that redeploys `consumer`'s listener with the program `text` (the editor's
/// `[[rule]]` / `[error_handler]` form), parsed against the cluster's topics now. What it sends
/// needs the consumer to be a processor without an output topic, and `@RetryableTopic` needs the
/// consumer subscribed to its retry topics already.
pub fn listener_action(world: &World, consumer: u32, text: &str) -> Result<Action, String> {
    let c = world.consumer(consumer).ok_or_else(|| ActionError::UnknownConsumer(consumer).to_string())?;
    let topics: Vec<(String, i32)> =
        world.metadata().topics.iter().map(|(name, t)| (name.clone(), t.partitions.len() as i32)).collect();
    let sends = world.processors().any(|p| p.consumer == consumer && p.output_topic.is_none());
    let context = ListenerContext {
        subscribed: &c.topics,
        topics: &topics,
        commit: c.app.commit,
        has_producer: sends,
        share: c.is_share_consumer(),
    };
    let parsed = parse_listener(text, &context).map_err(|e| e.to_string())?;
    if let Some((_, retry_topics)) = &parsed {
        if let Some(missing) = retry_topics.iter().find(|t| !c.topics.contains(t)) {
            return Err(format!(
                "consumer {consumer} does not subscribe to the retry topic `{missing}`; @RetryableTopic needs a consumer that listens to its retry topics"
            ));
        }
    }
    Ok(Action::SetListenerProgram { consumer, program: parsed.map(|(program, _)| program) })
}

/// Parses a listener program for a running consumer (`Action::SetListenerProgram`): None for
/// an empty one; else the program and the retry topics `@RetryableTopic` listens to.
pub fn parse_listener(
    text: &str,
    context: &ListenerContext,
) -> Result<Option<(crate::consumer::program::Program, Vec<String>)>, ScenarioError> {
    let src = Source { text };
    let raw: RawListener = toml::from_str(text).map_err(|e| src.toml_error(&e))?;
    let specs: Vec<TopicSpec> = context
        .topics
        .iter()
        .map(|(name, partitions)| TopicSpec {
            name: name.clone(),
            partitions: *partitions,
            replication_factor: 1,
            assignment: None,
            configs: Vec::new(),
            create_at_start: true,
        })
        .collect();
    let known = Known {
        nodes: 0,
        topics: specs.iter().map(|t| (t.name.clone(), t)).collect(),
        producers: BTreeSet::new(),
        consumers: BTreeMap::new(),
        streams_instances: BTreeMap::new(),
    };
    let ctx = program::Context {
        topics: context.subscribed,
        commit: context.commit,
        has_producer: context.has_producer,
        share: context.share,
    };
    program::program(&src, &raw.rule, raw.error_handler.as_ref(), 0..0, &known, &ctx)
}

pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    let src = Source { text };
    let raw: RawScenario = toml::from_str(text).map_err(|e| src.toml_error(&e))?;

    let name = raw.name.get_ref();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(src.err(raw.name.span(), "name", format!("`{name}` must be lowercase letters, digits and `-`")));
    }
    let duration_ms = *raw.duration_ms.get_ref();
    if !(1..=MAX_DURATION_MS).contains(&duration_ms) {
        return Err(src.err(
            raw.duration_ms.span(),
            "duration_ms",
            format!("{duration_ms} is not in [1, {MAX_DURATION_MS}] (at most an hour of virtual time)"),
        ));
    }

    let world = cluster(&src, &raw.cluster)?;
    let topics = raw.topic.iter().map(|t| topic(&src, t, &world)).collect::<Result<Vec<_>, _>>()?;
    let mut known = Known {
        nodes: world.brokers + world.controllers,
        topics: BTreeMap::new(),
        producers: BTreeSet::new(),
        consumers: BTreeMap::new(),
        streams_instances: BTreeMap::new(),
    };
    for (spec, raw) in topics.iter().zip(&raw.topic) {
        if known.topics.insert(spec.name.clone(), spec).is_some() {
            return Err(src.err(raw.name.span(), "topic.name", format!("topic `{}` is declared twice", spec.name)));
        }
    }
    let parsed_streams =
        raw.streams.iter().map(|s| streams::streams(&src, s, &known)).collect::<Result<Vec<_>, _>>()?;
    let mut app_ids = BTreeSet::new();
    for (parsed, raw) in parsed_streams.iter().zip(&raw.streams) {
        if !app_ids.insert(parsed.spec.topology.application_id.clone()) {
            return Err(src.err(
                raw.application_id_span(),
                "streams.application_id",
                "this application.id is declared twice",
            ));
        }
        for t in &parsed.topics {
            if known.topics.insert(t.name.clone(), t).is_some() {
                return Err(src.err(
                    raw.application_id_span(),
                    "streams.store",
                    format!("internal topic `{}` is already used by another application", t.name),
                ));
            }
        }
    }
    let mut producers = raw.producer.iter().map(|p| producer(&src, p, &known)).collect::<Result<Vec<_>, _>>()?;
    let mut consumers =
        raw.consumer.iter().map(|c| consumer(&src, c, &known, &producers)).collect::<Result<Vec<_>, _>>()?;
    let mut linked = BTreeSet::new();
    for (spec, raw) in consumers.iter().zip(&raw.consumer) {
        if let (Some(p), Some(at)) = (&spec.processor, &raw.processor) {
            if !linked.insert(p.producer.clone()) {
                return Err(src.err(
                    at.get_ref().producer.span(),
                    "consumer.processor.producer",
                    format!("producer `{}` already writes another processor's outputs", p.producer),
                ));
            }
        }
    }
    let mut client_names = BTreeSet::new();
    let names = raw
        .producer
        .iter()
        .map(|p| (&p.name, "producer.name"))
        .chain(raw.consumer.iter().map(|c| (&c.name, "consumer.name")));
    for (name, field) in names {
        let n = name.get_ref();
        if n.is_empty() || n.starts_with("broker-") {
            return Err(src.err(
                name.span(),
                field,
                format!("`{n}` is not a usable client name (empty, or looks like a broker)"),
            ));
        }
        if !client_names.insert(n.clone()) {
            return Err(src.err(
                name.span(),
                field,
                format!("`{n}` is already the name of another producer or consumer"),
            ));
        }
    }
    for (parsed, raw) in parsed_streams.iter().zip(&raw.streams) {
        let names = parsed.producers.iter().map(|p| &p.name).chain(parsed.consumers.iter().map(|c| &c.name));
        for name in names {
            if !client_names.insert(name.clone()) {
                return Err(src.err(
                    raw.application_id_span(),
                    "streams.application_id",
                    format!("`{name}`, a client of this Streams application, is already the name of another client"),
                ));
            }
        }
        producers.extend(parsed.producers.iter().cloned());
        consumers.extend(parsed.consumers.iter().cloned());
    }
    let streams_specs: Vec<StreamsSpec> = parsed_streams.iter().map(|p| p.spec.clone()).collect();
    known.streams_instances = streams_instances(&streams_specs);
    known.producers = producers.iter().map(|p| p.name.clone()).collect();
    known.consumers = consumers.iter().map(|c| (c.name.clone(), c)).collect();

    let steps = steps(&src, &raw.step, &known, duration_ms)?;
    let internal_topics: Vec<TopicSpec> = parsed_streams.iter().flat_map(|p| p.topics.iter().cloned()).collect();
    Ok(Scenario {
        name: name.clone(),
        category: raw.category,
        title: localized(raw.title),
        description: localized(raw.description),
        seed: raw.seed.unwrap_or(1),
        duration_ms,
        world,
        topics: topics.into_iter().chain(internal_topics).collect(),
        producers,
        consumers,
        streams: streams_specs,
        steps,
    })
}

fn cluster(src: &Source, raw: &RawCluster) -> Result<WorldConfig, ScenarioError> {
    let mut world = WorldConfig {
        teaching_mode: raw.teaching_mode.unwrap_or(false),
        track_acked_records: true,
        message_log: crate::cluster::world::MESSAGES_KEPT,
        ..WorldConfig::default()
    };
    if let Some(brokers) = &raw.brokers {
        let n = *brokers.get_ref();
        if !(1..=MAX_BROKERS).contains(&n) {
            return Err(src.err(brokers.span(), "cluster.brokers", format!("{n} is not in [1, {MAX_BROKERS}]")));
        }
        world.brokers = n as i32;
    }
    if let Some(controllers) = &raw.controllers {
        let n = *controllers.get_ref();
        if !(0..=9).contains(&n) {
            return Err(src.err(controllers.span(), "cluster.controllers", format!("{n} is not in [0, 9]")));
        }
        world.controllers = n as i32;
    }
    if let Some(racks) = &raw.racks {
        if racks.get_ref().len() != world.brokers as usize {
            return Err(src.err(
                racks.span(),
                "cluster.racks",
                format!(
                    "{} racks for {} brokers: give one `broker.rack` per broker",
                    racks.get_ref().len(),
                    world.brokers
                ),
            ));
        }
        for rack in racks.get_ref() {
            let parsed = crate::config::parse_rack("broker.rack", rack)
                .map_err(|e| src.err(racks.span(), "cluster.racks", e.to_string()))?;
            if parsed.is_empty() {
                return Err(src.err(racks.span(), "cluster.racks", "a rack id is empty".to_string()));
            }
            world.racks.push(parsed);
        }
    }
    let default = NetworkConfig::default();
    world.network = NetworkConfig {
        latency_ms: raw.latency_ms.as_ref().map_or(default.latency_ms, |s| *s.get_ref()),
        jitter_ms: raw.jitter_ms.as_ref().map_or(default.jitter_ms, |s| *s.get_ref()),
    };
    for (field, value) in [("cluster.latency_ms", &raw.latency_ms), ("cluster.jitter_ms", &raw.jitter_ms)] {
        if let Some(v) = value.as_ref().filter(|v| *v.get_ref() > 60_000) {
            return Err(src.err(v.span(), field, format!("{} ms is more than a minute", v.get_ref())));
        }
    }
    if let Some(configs) = &raw.configs {
        for (key, value, at) in src.configs(configs, "cluster.configs")? {
            broker_config::set(&mut world, &key, &value).map_err(|e| src.err(at, "cluster.configs", e.to_string()))?;
        }
    }
    Ok(world)
}

fn topic(src: &Source, raw: &RawTopic, world: &WorldConfig) -> Result<TopicSpec, ScenarioError> {
    let name = raw.name.get_ref().clone();
    validate_topic_name(&name).map_err(|e| src.err(raw.name.span(), "topic.name", e.to_string()))?;
    if name.starts_with("__") {
        return Err(src.err(
            raw.name.span(),
            "topic.name",
            format!("`{name}`: names starting with `__` are Kafka's internal topics"),
        ));
    }
    let (partitions, rf, assignment) = match (&raw.assignment, &raw.partitions, &raw.replication_factor) {
        (Some(a), None, None) => {
            let replicas = a.get_ref();
            let rf = replicas.first().map_or(0, Vec::len);
            let bad = |why: String| src.err(a.span(), "topic.assignment", why);
            if replicas.is_empty() || rf == 0 || replicas.iter().any(|r| r.len() != rf) {
                return Err(bad("every partition needs the same, non-zero number of replicas".to_string()));
            }
            for r in replicas {
                if let Some(b) = r.iter().find(|b| **b < 1 || **b > world.brokers as i64) {
                    return Err(bad(format!(
                        "broker {b} does not exist (the cluster has brokers 1..{})",
                        world.brokers
                    )));
                }
                if r.iter().collect::<BTreeSet<_>>().len() != r.len() {
                    return Err(bad(format!("{r:?} lists a broker twice")));
                }
            }
            let assignment = replicas.iter().map(|r| r.iter().map(|b| *b as i32).collect()).collect();
            (replicas.len() as i64, rf as i64, Some(assignment))
        }
        (None, Some(p), Some(r)) => {
            let (partitions, rf) = (*p.get_ref(), *r.get_ref());
            if !(1..=1000).contains(&partitions) {
                return Err(src.err(p.span(), "topic.partitions", format!("{partitions} is not in [1, 1000]")));
            }
            if rf < 1 || rf > world.brokers as i64 {
                return Err(src.err(
                    r.span(),
                    "topic.replication_factor",
                    format!(
                        "replication factor {rf} needs {rf} brokers; the cluster has {} (allowed 1..={})",
                        world.brokers, world.brokers
                    ),
                ));
            }
            (partitions, rf, None)
        }
        _ => {
            return Err(src.err(
                raw.name.span(),
                "topic.partitions",
                "give either `partitions` and `replication_factor`, or an `assignment` (replicas per partition)",
            ))
        }
    };
    let configs = match &raw.configs {
        Some(c) => src.configs(c, "topic.configs")?,
        None => Vec::new(),
    };
    TopicConfig::from_pairs(configs.iter().map(|(k, v, _)| (k.as_str(), v.as_str())), rf as i32, world.teaching_mode)
        .map_err(|e| {
        let at = configs.iter().find(|(k, _, _)| error_names(&e, k)).map_or(raw.name.span(), |(_, _, at)| at.clone());
        src.err(at, "topic.configs", e.to_string())
    })?;
    Ok(TopicSpec {
        name,
        partitions: partitions as i32,
        replication_factor: rf as i32,
        assignment,
        configs: configs.into_iter().map(|(k, v, _)| (k, v)).collect(),
        create_at_start: raw.at_start.unwrap_or(true),
    })
}

/// Whether a config error is about `key`, to point at the right line.
fn error_names(e: &crate::config::ConfigError, key: &str) -> bool {
    match e {
        crate::config::ConfigError::UnknownKey { key: k, .. }
        | crate::config::ConfigError::InvalidValue { key: k, .. } => k == key,
    }
}

fn producer(src: &Source, raw: &RawProducer, known: &Known) -> Result<ProducerSpec, ScenarioError> {
    let configs = match &raw.configs {
        Some(c) => src.configs(c, "producer.configs")?,
        None => Vec::new(),
    };
    ProducerConfig::from_pairs(configs.iter().map(|(k, v, _)| (k.as_str(), v.as_str()))).map_err(|e| {
        let at = configs.iter().find(|(k, _, _)| error_names(&e, k)).map_or(raw.name.span(), |(_, _, at)| at.clone());
        src.err(at, "producer.configs", e.to_string())
    })?;
    let stream = match &raw.stream {
        Some(s) => {
            let topic = s.topic.get_ref();
            match known.topics.get(topic) {
                None => return Err(src.err(s.topic.span(), "producer.stream.topic", unknown_topic(topic, known))),
                Some(t) if !t.create_at_start => {
                    return Err(src.err(
                        s.topic.span(),
                        "producer.stream.topic",
                        format!("topic `{topic}` is created by a step (`at_start = false`); start the stream with a `start_stream` step after it"),
                    ))
                }
                Some(_) => {}
            }
            Some(stream_spec(src, topic, &s.rate, &s.key_prefix, &s.key_count, "producer.stream")?)
        }
        None => None,
    };
    Ok(ProducerSpec {
        name: raw.name.get_ref().clone(),
        configs: configs.into_iter().map(|(k, v, _)| (k, v)).collect(),
        stream,
    })
}

fn stream_spec(
    src: &Source,
    topic: &str,
    rate: &Spanned<i64>,
    key_prefix: &Option<Spanned<String>>,
    key_count: &Option<Spanned<i64>>,
    field: &str,
) -> Result<StreamSpec, ScenarioError> {
    let r = *rate.get_ref();
    if !(1..=100_000).contains(&r) {
        return Err(src.err(rate.span(), &format!("{field}.rate"), format!("{r} records/s is not in [1, 100000]")));
    }
    let keys = match (key_prefix, key_count) {
        (None, None) => KeyPattern::None,
        (None, Some(count)) => {
            return Err(src.err(
                count.span(),
                &format!("{field}.key_count"),
                "`key_count` needs a `key_prefix` (without both, keys are null)",
            ))
        }
        (Some(prefix), count) => {
            let n = count.as_ref().map_or(10, |c| *c.get_ref());
            if !(1..=1_000_000).contains(&n) {
                let span = count.as_ref().map_or(prefix.span(), |c| c.span());
                return Err(src.err(span, &format!("{field}.key_count"), format!("{n} is not in [1, 1000000]")));
            }
            KeyPattern::Cycle { prefix: prefix.get_ref().clone(), count: n as u32 }
        }
    };
    Ok(StreamSpec { topic: topic.to_string(), records_per_sec: r as u32, keys })
}

fn unknown_topic(topic: &str, known: &Known) -> String {
    let names: Vec<&str> = known.topics.keys().map(String::as_str).collect();
    if names.is_empty() {
        format!("there is no topic `{topic}`: the scenario declares no topics")
    } else {
        format!("there is no topic `{topic}` (declared: {})", names.join(", "))
    }
}

fn consumer(
    src: &Source,
    raw: &RawConsumer,
    known: &Known,
    producers: &[ProducerSpec],
) -> Result<ConsumerSpec, ScenarioError> {
    let configs = match &raw.configs {
        Some(c) => src.configs(c, "consumer.configs")?,
        None => Vec::new(),
    };
    let config = ConsumerConfig::from_pairs(configs.iter().map(|(k, v, _)| (k.as_str(), v.as_str()))).map_err(|e| {
        let at = configs.iter().find(|(k, _, _)| error_names(&e, k)).map_or(raw.name.span(), |(_, _, at)| at.clone());
        src.err(at, "consumer.configs", e.to_string())
    })?;
    let at_start = raw.at_start.unwrap_or(true);
    if raw.topics.get_ref().is_empty() {
        return Err(src.err(raw.topics.span(), "consumer.topics", "a consumer must subscribe to at least one topic"));
    }
    for topic in raw.topics.get_ref() {
        match known.topics.get(topic) {
            None => return Err(src.err(raw.topics.span(), "consumer.topics", unknown_topic(topic, known))),
            Some(t) if at_start && !t.create_at_start => {
                return Err(src.err(
                    raw.topics.span(),
                    "consumer.topics",
                    format!("topic `{topic}` is created by a step; a consumer subscribed to it must be started by an `add_consumer` step after that (`at_start = false`)"),
                ))
            }
            Some(_) => {}
        }
    }
    let mut app = ConsumerApp::default();
    if let Some(a) = &raw.app {
        app.processing_ms_per_record = a.processing_ms_per_record.unwrap_or(app.processing_ms_per_record);
        app.poll_timeout_ms = a.poll_timeout_ms.unwrap_or(app.poll_timeout_ms);
        if let Some(key) = &a.fail_on_key {
            // Only a share consumer acknowledges records one by one, so only it can release one.
            if config.group_protocol != GroupProtocol::Share {
                return Err(src.err(
                    key.span(),
                    "consumer.app.fail_on_key",
                    "`fail_on_key` needs a share consumer (`group.protocol` = \"share\")",
                ));
            }
            app.fail_on_key = Some(key.get_ref().clone());
        }
        if let Some(commit) = &a.commit {
            app.commit = match commit.get_ref().as_str() {
                "auto" => CommitMode::Auto,
                "sync_after_processing" => CommitMode::SyncAfterProcessing,
                "async_after_processing" => CommitMode::AsyncAfterProcessing,
                "sync_before_processing" => CommitMode::SyncBeforeProcessing,
                "transactional" => CommitMode::Transactional,
                other => {
                    return Err(src.err(
                        commit.span(),
                        "consumer.app.commit",
                        format!("`{other}` is not a commit mode; allowed: auto, sync_after_processing, async_after_processing, sync_before_processing, transactional"),
                    ))
                }
            };
        }
    }
    let ctx = program::Context {
        topics: raw.topics.get_ref(),
        commit: app.commit,
        has_producer: raw.processor.is_some(),
        share: config.group_protocol == GroupProtocol::Share,
    };
    let mut topics = raw.topics.get_ref().clone();
    if let Some((program, retry_topics)) =
        program::program(src, &raw.rule, raw.error_handler.as_ref(), raw.name.span(), known, &ctx)?
    {
        // `@RetryableTopic` listens to its retry topics with the same listener.
        topics.extend(retry_topics.into_iter().filter(|t| !raw.topics.get_ref().contains(t)));
        topics.dedup();
        app.program = Some(program);
    }
    let processor = match &raw.processor {
        Some(p) => Some(processor(src, p, &config, &app, at_start, known, producers)?),
        None if app.commit == CommitMode::Transactional => {
            let at = raw.app.as_ref().and_then(|a| a.commit.as_ref()).map_or(raw.name.span(), |c| c.span());
            return Err(src.err(
                at,
                "consumer.app.commit",
                "`transactional` commits the offsets in the transaction of the application's producer: add `processor = { producer = …, output_topic = … }`",
            ));
        }
        None => None,
    };
    Ok(ConsumerSpec {
        name: raw.name.get_ref().clone(),
        topics,
        configs: configs.into_iter().map(|(k, v, _)| (k, v)).collect(),
        app,
        start_at_start: at_start,
        processor,
    })
}

/// Validates a consumer's `processor`: the producer it writes with, the output topic, and the
/// consumer settings a consume-transform-produce loop needs.
fn processor(
    src: &Source,
    raw: &Spanned<RawProcessor>,
    config: &ConsumerConfig,
    app: &ConsumerApp,
    at_start: bool,
    known: &Known,
    producers: &[ProducerSpec],
) -> Result<ProcessorSpec, ScenarioError> {
    let field = "consumer.processor";
    let p = raw.get_ref();
    let name = p.producer.get_ref();
    let Some(producer) = producers.iter().find(|s| &s.name == name) else {
        let names: Vec<&str> = producers.iter().map(|s| s.name.as_str()).collect();
        return Err(src.err(
            p.producer.span(),
            "consumer.processor.producer",
            format!("there is no producer `{name}` (declared: {})", list(&names)),
        ));
    };
    if producer.stream.is_some() {
        return Err(src.err(
            p.producer.span(),
            "consumer.processor.producer",
            format!("producer `{name}` has a `stream`; a processor's producer writes only the processor's outputs"),
        ));
    }
    let transactional = producer.configs.iter().any(|(k, _)| k == "transactional.id");
    if app.commit == CommitMode::Transactional && !transactional {
        return Err(src.err(
            p.producer.span(),
            "consumer.processor.producer",
            format!("commit = \"transactional\" needs a producer with a `transactional.id`; `{name}` has none"),
        ));
    }
    let output_topic = match (&p.output_topic, &app.program) {
        (Some(output), Some(_)) => return Err(src.err(
            output.span(),
            "consumer.processor.output_topic",
            "this consumer's rules say what its listener sends (`[[consumer.rule.output]]`): leave out `output_topic`",
        )),
        (None, None) => {
            return Err(src.err(
                raw.span(),
                "consumer.processor.output_topic",
                "a processor needs an `output_topic`, or `[[consumer.rule]]` tables that declare its outputs",
            ))
        }
        (None, Some(_)) => None,
        (Some(output), None) => Some(output),
    };
    if let Some(output) = output_topic {
        let topic = output.get_ref();
        match known.topics.get(topic) {
            None => return Err(src.err(output.span(), "consumer.processor.output_topic", unknown_topic(topic, known))),
            Some(t) if !t.create_at_start => {
                return Err(src.err(
                    output.span(),
                    "consumer.processor.output_topic",
                    format!("topic `{topic}` is created by a step; a processor's output topic must exist at t=0"),
                ))
            }
            Some(_) => {}
        }
    }
    if !at_start {
        return Err(src.err(raw.span(), field, "a processor's consumer starts at t=0 (leave out `at_start = false`)"));
    }
    if config.enable_auto_commit {
        return Err(src.err(
            raw.span(),
            field,
            "a processor commits its input offsets itself: set `enable.auto.commit` = false in the consumer's configs",
        ));
    }
    if config.group_protocol == GroupProtocol::Share {
        return Err(src.err(
            raw.span(),
            field,
            "a share consumer cannot be a processor (it acknowledges records, it commits no offsets)",
        ));
    }
    Ok(ProcessorSpec { producer: name.clone(), output_topic: output_topic.map(|o| o.get_ref().clone()) })
}

/// The state of the scenario as its steps unfold, for the checks that depend on order.
struct Progress {
    created: BTreeSet<String>,
    started: BTreeSet<String>,
    /// Brokers killed by a step and not restarted yet.
    dead: BTreeMap<i32, usize>,
    /// After `kill_controller` the dead broker depends on the run, so liveness checks stop.
    controller_killed: bool,
}

fn steps(
    src: &Source,
    raw: &[Spanned<RawStep>],
    known: &Known,
    duration_ms: Millis,
) -> Result<Vec<Step>, ScenarioError> {
    let mut progress = Progress {
        created: known.topics.values().filter(|t| t.create_at_start).map(|t| t.name.clone()).collect(),
        started: known.consumers.values().filter(|c| c.start_at_start).map(|c| c.name.clone()).collect(),
        dead: BTreeMap::new(),
        controller_killed: false,
    };
    let mut out: Vec<Step> = Vec::with_capacity(raw.len());
    for spanned in raw {
        let step = spanned.get_ref();
        let at_span = step.at_ms.as_ref().map_or(spanned.span(), |a| a.span());
        let at_ms = match (&step.at_ms, &step.when) {
            (Some(at), _) => *at.get_ref(),
            (None, Some(_)) => out.last().map_or(0, |p| p.at_ms),
            (None, None) => {
                return Err(src.err(
                    at_span,
                    "step.at_ms",
                    "a step needs `at_ms` (only a note with `when` may leave it out: it then waits from the previous step's time)",
                ))
            }
        };
        let (line, _) = src.line_col(at_span.start);
        if let Some(previous) = out.last().filter(|p| p.at_ms > at_ms) {
            return Err(src.err(
                at_span.clone(),
                "step.at_ms",
                format!(
                    "steps must be in time order: {at_ms} ms comes after the step at {} ms (line {})",
                    previous.at_ms, previous.line
                ),
            ));
        }
        if at_ms > duration_ms {
            return Err(src.err(
                at_span.clone(),
                "step.at_ms",
                format!("{at_ms} ms is after the end of the scenario (duration_ms = {duration_ms})"),
            ));
        }
        let action = match &step.action {
            Some(name) => Some(step_action(src, step, name, known, &mut progress, line)?),
            None => {
                if let Some((field, span)) = step.present().into_iter().next() {
                    return Err(src.err(
                        span,
                        &format!("step.{field}"),
                        "a step without `action` is a pure note and takes no other fields",
                    ));
                }
                if step.note.is_none() {
                    return Err(src.err(at_span, "step", "a step needs an `action`, a `note`, or both"));
                }
                None
            }
        };
        let when =
            match &step.when {
                Some(table) if action.is_some() => return Err(src.err(
                    table.span(),
                    "step.when",
                    "`when` ties a note to a fact, so its step takes no `action` (put the action in a step of its own)",
                )),
                Some(table) => Some(fact_pattern(src, table, known, "step.when")?),
                None => None,
            };
        let highlight = match &step.highlight {
            Some(list) if step.note.is_none() => {
                return Err(src.err(
                    list.span(),
                    "step.highlight",
                    "`highlight` points at what a `note` names; add the note",
                ))
            }
            Some(list) => list
                .get_ref()
                .iter()
                .map(|name| highlight(known, name.get_ref()).map_err(|m| src.err(name.span(), "step.highlight", m)))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        out.push(Step {
            at_ms,
            action,
            note: step.note.as_ref().map(|n| Localized { ko: n.ko.clone(), en: n.en.clone() }),
            when,
            highlight,
            line,
        });
    }
    Ok(out)
}

fn step_action(
    src: &Source,
    step: &RawStep,
    name: &Spanned<String>,
    known: &Known,
    progress: &mut Progress,
    line: usize,
) -> Result<StepAction, ScenarioError> {
    let action = name.get_ref().as_str();
    let Some((_, allowed)) = ACTIONS.iter().find(|(n, _)| *n == action) else {
        let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
        return Err(src.err(
            name.span(),
            "step.action",
            format!("unknown action `{action}`; known actions: {}", names.join(", ")),
        ));
    };
    if let Some((field, span)) = step.present().into_iter().find(|(f, _)| !allowed.contains(f)) {
        return Err(src.err(
            span,
            &format!("step.{field}"),
            format!(
                "`{field}` does not apply to `{action}` (it takes: {})",
                if allowed.is_empty() { "nothing".to_string() } else { allowed.join(", ") }
            ),
        ));
    }
    let missing = |field: &str| src.err(name.span(), &format!("step.{field}"), format!("`{action}` needs `{field}`"));
    let broker = || -> Result<(i32, Range<usize>), ScenarioError> {
        let b = step.broker.as_ref().ok_or_else(|| missing("broker"))?;
        let id = *b.get_ref();
        if id < 1 || id > known.nodes as i64 {
            return Err(src.err(
                b.span(),
                "step.broker",
                format!("broker {id} does not exist (the cluster has brokers 1..{})", known.nodes),
            ));
        }
        Ok((id as i32, b.span()))
    };
    let node =
        |field: &'static str, value: &Option<Spanned<String>>, progress: &Progress| -> Result<NodeRef, ScenarioError> {
            let v = value.as_ref().ok_or_else(|| missing(field))?;
            node_ref(src, v, &format!("step.{field}"), known, progress)
        };
    let producer = || -> Result<String, ScenarioError> {
        let p = step.producer.as_ref().ok_or_else(|| missing("producer"))?;
        if !known.producers.contains(p.get_ref()) {
            let names: Vec<&str> = known.producers.iter().map(String::as_str).collect();
            return Err(src.err(
                p.span(),
                "step.producer",
                format!("there is no producer `{}` (declared: {})", p.get_ref(), list(&names)),
            ));
        }
        Ok(p.get_ref().clone())
    };
    let created_topic = |progress: &Progress| -> Result<(String, &TopicSpec), ScenarioError> {
        let t = step.topic.as_ref().ok_or_else(|| missing("topic"))?;
        let spec = known
            .topics
            .get(t.get_ref())
            .ok_or_else(|| src.err(t.span(), "step.topic", unknown_topic(t.get_ref(), known)))?;
        if !progress.created.contains(t.get_ref()) {
            return Err(src.err(
                t.span(),
                "step.topic",
                format!("topic `{}` is not created yet at this step (add a `create_topic` step before)", t.get_ref()),
            ));
        }
        Ok((t.get_ref().clone(), *spec))
    };
    let partition = |spec: &TopicSpec| -> Result<Option<i32>, ScenarioError> {
        match &step.partition {
            None => Ok(None),
            Some(p) if (0..spec.partitions as i64).contains(p.get_ref()) => Ok(Some(*p.get_ref() as i32)),
            Some(p) => Err(src.err(
                p.span(),
                "step.partition",
                format!("topic `{}` has partitions 0..{}, not {}", spec.name, spec.partitions - 1, p.get_ref()),
            )),
        }
    };
    let consumer = |progress: &Progress| -> Result<(String, Range<usize>), ScenarioError> {
        let c = step.consumer.as_ref().ok_or_else(|| missing("consumer"))?;
        if !known.consumers.contains_key(c.get_ref()) {
            let names: Vec<&str> = known.consumers.keys().map(String::as_str).collect();
            return Err(src.err(
                c.span(),
                "step.consumer",
                format!("there is no consumer `{}` (declared: {})", c.get_ref(), list(&names)),
            ));
        }
        if action != "add_consumer" && !progress.started.contains(c.get_ref()) {
            return Err(src.err(
                c.span(),
                "step.consumer",
                format!(
                    "consumer `{}` is not started yet (`at_start = false`: add an `add_consumer` step before)",
                    c.get_ref()
                ),
            ));
        }
        Ok((c.get_ref().clone(), c.span()))
    };
    let both = step.both.as_ref().is_some_and(|b| *b.get_ref());
    Ok(match action {
        "kill_broker" | "shutdown_broker" => {
            let (id, span) = broker()?;
            if let Some(killed_line) = progress.dead.get(&id).filter(|_| !progress.controller_killed) {
                return Err(src.err(
                    span,
                    "step.broker",
                    format!("broker {id} is already dead here (killed at line {killed_line})"),
                ));
            }
            progress.dead.insert(id, line);
            if action == "shutdown_broker" {
                StepAction::ShutdownBroker { broker: id }
            } else {
                StepAction::KillBroker { broker: id }
            }
        }
        "restart_broker" => {
            let (id, span) = broker()?;
            if progress.dead.remove(&id).is_none() && !progress.controller_killed {
                return Err(src.err(
                    span,
                    "step.broker",
                    format!("broker {id} is running here; only a broker killed by an earlier step can restart"),
                ));
            }
            StepAction::RestartBroker { broker: id }
        }
        "kill_controller" => {
            progress.controller_killed = true;
            StepAction::KillController
        }
        "cut_link" | "heal_link" | "set_link_loss" => {
            let from = node("from", &step.from, progress)?;
            let to = node("to", &step.to, progress)?;
            if from == to {
                return Err(src.err(
                    step.to.as_ref().map_or(name.span(), |t| t.span()),
                    "step.to",
                    "a link needs two different nodes",
                ));
            }
            match action {
                "cut_link" => StepAction::CutLink { from, to, both },
                "heal_link" => StepAction::HealLink { from, to, both },
                _ => {
                    let p = step.probability.as_ref().ok_or_else(|| missing("probability"))?;
                    if !(0.0..=1.0).contains(p.get_ref()) {
                        return Err(src.err(p.span(), "step.probability", format!("{} is not in [0, 1]", p.get_ref())));
                    }
                    StepAction::SetLinkLoss { from, to, probability: *p.get_ref() }
                }
            }
        }
        "isolate_node" => StepAction::IsolateNode { node: node("node", &step.node, progress)? },
        "slow_node" => {
            let n = node("node", &step.node, progress)?;
            let extra = step.extra_ms.as_ref().ok_or_else(|| missing("extra_ms"))?;
            if *extra.get_ref() > 600_000 {
                return Err(src.err(
                    extra.span(),
                    "step.extra_ms",
                    format!("{} ms is more than 10 minutes", extra.get_ref()),
                ));
            }
            StepAction::SlowNode { node: n, extra_ms: *extra.get_ref() }
        }
        "send" => {
            let producer = producer()?;
            let (topic, spec) = created_topic(progress)?;
            let timestamp = match &step.timestamp {
                Some(t) if *t.get_ref() < 0 => {
                    return Err(src.err(
                        t.span(),
                        "step.timestamp",
                        "a record timestamp is 0 or more (ms since the epoch)",
                    ))
                }
                t => t.as_ref().map(|t| *t.get_ref()),
            };
            StepAction::Send {
                producer,
                topic,
                partition: partition(spec)?,
                key: step.key.as_ref().map(|k| k.get_ref().clone()),
                value: step.value.as_ref().map(|v| v.get_ref().clone()),
                timestamp,
            }
        }
        "crash_streams_instance" | "restart_streams_instance" => {
            let i = step.instance.as_ref().ok_or_else(|| missing("instance"))?;
            let Some((application_id, instance)) = known.streams_instances.get(i.get_ref()).cloned() else {
                let names: Vec<&str> = known.streams_instances.keys().map(String::as_str).collect();
                return Err(src.err(
                    i.span(),
                    "step.instance",
                    format!("there is no Streams instance `{}` (declared: {})", i.get_ref(), list(&names)),
                ));
            };
            if action == "crash_streams_instance" {
                StepAction::CrashStreamsInstance { application_id, instance }
            } else {
                StepAction::RestartStreamsInstance { application_id, instance }
            }
        }
        "start_stream" => {
            let producer = producer()?;
            let (topic, _) = created_topic(progress)?;
            let rate = step.rate.as_ref().ok_or_else(|| missing("rate"))?;
            StepAction::StartStream {
                producer,
                stream: stream_spec(src, &topic, rate, &step.key_prefix, &step.key_count, "step")?,
            }
        }
        "stop_stream" => StepAction::StopStream { producer: producer()? },
        "crash_producer" => StepAction::CrashProducer { producer: producer()? },
        "begin_transaction" => StepAction::BeginTransaction { producer: producer()? },
        "commit_transaction" => StepAction::CommitTransaction { producer: producer()? },
        "abort_transaction" => StepAction::AbortTransaction { producer: producer()? },
        "restart_producer" => StepAction::RestartProducer { producer: producer()? },
        "alter_config" => {
            let key = step.config.as_ref().ok_or_else(|| missing("config"))?;
            let value = step.value.as_ref().map(|v| v.get_ref().clone());
            let (resource, topic_key) = match (&step.topic, &step.broker) {
                (Some(t), None) => {
                    if !known.topics.contains_key(t.get_ref()) {
                        return Err(src.err(t.span(), "step.topic", unknown_topic(t.get_ref(), known)));
                    }
                    let k = TopicConfig::keys().find(|k| k == key.get_ref());
                    (ConfigResource::Topic(t.get_ref().clone()), k)
                }
                (None, Some(_)) => (ConfigResource::Broker(broker()?.0), topic_synonym(key.get_ref())),
                _ => return Err(src.err(name.span(), "step.topic", "`alter_config` needs either `topic` or `broker`")),
            };
            let Some(topic_key) = topic_key else {
                return Err(src.err(
                    key.span(),
                    "step.config",
                    format!("`{}` is not a dynamic config of {resource}", key.get_ref()),
                ));
            };
            if let Some(v) = &value {
                TopicConfig::default().set(topic_key, v, true).map_err(|e| {
                    src.err(step.value.as_ref().map_or(key.span(), |v| v.span()), "step.value", e.to_string())
                })?;
            }
            StepAction::AlterConfig { resource, key: key.get_ref().clone(), value }
        }
        "reconfigure_producer" | "reconfigure_consumer" => {
            let key = step.config.as_ref().ok_or_else(|| missing("config"))?;
            let value = step.value.as_ref().ok_or_else(|| missing("value"))?;
            let pair = [(key.get_ref().as_str(), value.get_ref().as_str())];
            let checked = if action == "reconfigure_producer" {
                ProducerConfig::from_pairs(pair).map(drop)
            } else {
                ConsumerConfig::from_pairs(pair).map(drop)
            };
            checked.map_err(|e| src.err(value.span(), "step.value", e.to_string()))?;
            let (key, value) = (key.get_ref().clone(), value.get_ref().clone());
            if action == "reconfigure_producer" {
                StepAction::RestartProducerWithConfig { producer: producer()?, key, value }
            } else {
                StepAction::RestartConsumerWithConfig { consumer: consumer(progress)?.0, key, value }
            }
        }
        "create_topic" => {
            let t = step.topic.as_ref().ok_or_else(|| missing("topic"))?;
            let spec = known
                .topics
                .get(t.get_ref())
                .ok_or_else(|| src.err(t.span(), "step.topic", unknown_topic(t.get_ref(), known)))?;
            if !progress.created.insert(spec.name.clone()) {
                return Err(src.err(
                    t.span(),
                    "step.topic",
                    format!(
                        "topic `{}` already exists here (declared without `at_start = false`, or created twice)",
                        spec.name
                    ),
                ));
            }
            StepAction::CreateTopic { topic: (*spec).clone() }
        }
        "delete_topic" => {
            let t = step.topic.as_ref().ok_or_else(|| missing("topic"))?;
            if !progress.created.remove(t.get_ref()) {
                return Err(src.err(
                    t.span(),
                    "step.topic",
                    format!("topic `{}` does not exist here (not declared, not created yet, or deleted)", t.get_ref()),
                ));
            }
            StepAction::DeleteTopic { topic: t.get_ref().clone() }
        }
        "add_consumer" => {
            let (c, span) = consumer(progress)?;
            let spec = known.consumers[&c];
            if !progress.started.insert(c.clone()) {
                return Err(src.err(
                    span,
                    "step.consumer",
                    format!("consumer `{c}` is already started (use `restart_consumer` after a crash or close)"),
                ));
            }
            if let Some(missing) = spec.topics.iter().find(|t| !progress.created.contains(*t)) {
                return Err(src.err(
                    span,
                    "step.consumer",
                    format!("consumer `{c}` subscribes to `{missing}`, which is not created yet at this step"),
                ));
            }
            StepAction::AddConsumer { consumer: spec.clone() }
        }
        "crash_consumer" => StepAction::CrashConsumer { consumer: consumer(progress)?.0 },
        "restart_consumer" => StepAction::RestartConsumer { consumer: consumer(progress)?.0 },
        "close_consumer" => StepAction::CloseConsumer { consumer: consumer(progress)?.0 },
        "commit" => StepAction::Commit {
            consumer: consumer(progress)?.0,
            sync: step.sync.as_ref().is_none_or(|s| *s.get_ref()),
        },
        "seek" => {
            let (c, _) = consumer(progress)?;
            let (topic, spec) = created_topic(progress)?;
            if !known.consumers[&c].topics.contains(&topic) {
                let t = step.topic.as_ref().map_or(name.span(), |t| t.span());
                return Err(src.err(t, "step.topic", format!("consumer `{c}` does not subscribe to `{topic}`")));
            }
            let partition = partition(spec)?.ok_or_else(|| missing("partition"))?;
            let to = match (&step.position, &step.offset, &step.timestamp) {
                (Some(p), None, None) => match p.get_ref().as_str() {
                    "beginning" => SeekTo::Beginning,
                    "end" => SeekTo::End,
                    other => {
                        return Err(src.err(
                            p.span(),
                            "step.position",
                            format!("`{other}` is not a position; allowed: beginning, end"),
                        ))
                    }
                },
                (None, Some(o), None) if *o.get_ref() >= 0 => SeekTo::Offset(*o.get_ref()),
                (None, Some(o), None) => return Err(src.err(o.span(), "step.offset", "an offset is >= 0")),
                (None, None, Some(t)) => SeekTo::Timestamp(*t.get_ref()),
                _ => {
                    return Err(src.err(
                        name.span(),
                        "step.position",
                        "`seek` needs exactly one of `position` (beginning or end), `offset` or `timestamp`",
                    ))
                }
            };
            StepAction::Seek { consumer: c, topic_partition: TopicPartition::new(topic, partition), to }
        }
        "reassign_partition" => {
            let topic = step
                .topic
                .as_ref()
                .ok_or_else(|| src.err(name.span(), "step.topic", "`reassign_partition` needs `topic`"))?;
            let partition = step.partition.as_ref().map_or(0, |p| *p.get_ref());
            let replicas = step
                .replicas
                .as_ref()
                .ok_or_else(|| src.err(name.span(), "step.replicas", "`reassign_partition` needs `replicas`"))?;
            let ids: Vec<i32> = replicas.get_ref().iter().filter_map(|b| i32::try_from(*b).ok()).collect();
            if ids.is_empty() || ids.len() != replicas.get_ref().len() {
                return Err(src.err(replicas.span(), "step.replicas", "a non-empty list of broker ids"));
            }
            StepAction::ReassignPartition {
                topic_partition: TopicPartition::new(topic.get_ref().clone(), partition as i32),
                replicas: ids,
            }
        }
        _ => return Err(src.err(name.span(), "step.action", format!("`{action}` is not handled"))),
    })
}

/// A value as the file writes it (a string quoted), for errors that quote it.
fn toml_literal(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(_) => "an array".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

/// A step's `when` table: `fact` (a kind in [`KINDS`]) and filters on that kind's fields.
/// A `{ fact = KIND, field = value, ... }` table; `at` names the table in errors (`step.when`).
pub(crate) fn fact_pattern(
    src: &Source,
    table: &Spanned<Table>,
    known: &Known,
    at_field: &str,
) -> Result<FactPattern, ScenarioError> {
    let kinds = || KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ");
    let span = table.span();
    let Some(kind) = table.get_ref().get("fact") else {
        // The table as the file writes it: `when`, `measure`.
        let table_name = at_field.rsplit('.').next().unwrap_or(at_field);
        return Err(src.err(
            span,
            &format!("{at_field}.fact"),
            format!("`{table_name}` needs `fact`, one of: {}", kinds()),
        ));
    };
    let at = |key: &str| src.key_span(span.clone(), key);
    let Some((kind, fields)) = kind.as_str().and_then(|k| KINDS.iter().find(|(name, _)| *name == k)) else {
        return Err(src.err(
            at("fact"),
            &format!("{at_field}.fact"),
            format!("{} is not a fact a note can follow; use one of: {}", toml_literal(kind), kinds()),
        ));
    };
    let mut filters = Vec::new();
    for (key, value) in table.get_ref().iter().filter(|(k, _)| *k != "fact") {
        let field = format!("{at_field}.{key}");
        let Some((_, ty)) = fields.iter().find(|(name, _)| name == key) else {
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            return Err(src.err(
                at(key),
                &field,
                format!("`{kind}` has no field `{key}` to filter on; it has: {}", list(&names)),
            ));
        };
        let filter = match (ty, value) {
            (FieldType::Int, Value::Integer(n)) => FilterValue::Int(*n),
            (FieldType::Bool, Value::Boolean(b)) => FilterValue::Bool(*b),
            (FieldType::Text, Value::String(text)) => {
                let checked = match key.as_str() {
                    "group" => known_group(known, text),
                    "state" => reconcile_state(text),
                    "topic" | "destination" => {
                        known.topics.contains_key(text).then_some(()).ok_or_else(|| unknown_topic(text, known))
                    }
                    _ => partition_name(known, text),
                };
                checked.map_err(|m| src.err(at(key), &field, m))?;
                FilterValue::Text(text.clone())
            }
            (FieldType::Consumer, Value::String(name)) => {
                if !known.consumers.contains_key(name) {
                    let names: Vec<&str> = known.consumers.keys().map(String::as_str).collect();
                    return Err(src.err(
                        at(key),
                        &field,
                        format!("there is no consumer `{name}`; consumers: {}", list(&names)),
                    ));
                }
                FilterValue::Text(name.clone())
            }
            (FieldType::Consumer, _) => return Err(src.err(at(key), &field, format!("`{key}` is a consumer's name"))),
            (FieldType::Int, _) => return Err(src.err(at(key), &field, format!("`{key}` is an integer"))),
            (FieldType::Bool, _) => return Err(src.err(at(key), &field, format!("`{key}` is true or false"))),
            (FieldType::Text, _) => return Err(src.err(at(key), &field, format!("`{key}` is a string"))),
        };
        filters.push((key.clone(), filter));
    }
    Ok(FactPattern { fact: (*kind).to_string(), filters })
}

/// A consumer-protocol member's reconciliation state, as Kafka names it.
fn reconcile_state(text: &str) -> Result<(), String> {
    use crate::narration::ReconcileState::*;
    let names = [Stable, UnrevokedPartitions, UnreleasedPartitions].map(|s| s.name());
    if names.contains(&text) {
        Ok(())
    } else {
        Err(format!("`{text}` is not a member state: {}", names.join(", ")))
    }
}

/// A partition written as Kafka prints it, `topic-N`, of a topic the scenario declares.
pub(crate) fn partition_name(known: &Known, text: &str) -> Result<(), String> {
    let parsed = text.rsplit_once('-').and_then(|(topic, n)| Some((topic, n.parse::<i32>().ok()?)));
    let Some((topic, partition)) = parsed else {
        return Err(format!("`{text}` is not a partition: write it as topic-N (payments-0)"));
    };
    let spec = known.topics.get(topic).ok_or_else(|| unknown_topic(topic, known))?;
    if !(0..spec.partitions).contains(&partition) {
        return Err(format!("topic `{topic}` has partitions 0..{}", spec.partitions - 1));
    }
    Ok(())
}

/// A consumer group some consumer of the scenario joins.
pub(crate) fn known_group(known: &Known, group: &str) -> Result<(), String> {
    let groups: BTreeSet<&str> = known
        .consumers
        .values()
        .flat_map(|c| &c.configs)
        .filter(|(k, _)| k == "group.id")
        .map(|(_, v)| v.as_str())
        .collect();
    if groups.contains(group) {
        Ok(())
    } else {
        Err(format!("no consumer joins group `{group}`; groups: {}", list(&groups.into_iter().collect::<Vec<_>>())))
    }
}

/// A highlighted element: `broker-N`, a partition `topic-N`, or a producer or consumer name.
pub(crate) fn highlight(known: &Known, name: &str) -> Result<String, String> {
    if let Some(n) = name.strip_prefix("broker-").and_then(|n| n.parse::<i32>().ok()) {
        if (1..=known.nodes).contains(&n) {
            return Ok(name.to_string());
        }
        return Err(format!("`{name}` does not exist (the cluster has brokers broker-1..broker-{})", known.nodes));
    }
    if known.producers.contains(name) || known.consumers.contains_key(name) {
        return Ok(name.to_string());
    }
    partition_name(known, name).map(|()| name.to_string()).map_err(|_| {
        format!("`{name}` is not a broker (broker-N), a partition (topic-N) or a producer or consumer of this scenario")
    })
}

/// A node named in a step: `broker-N`, a producer, or a consumer that is started by then.
fn node_ref(
    src: &Source,
    v: &Spanned<String>,
    field: &str,
    known: &Known,
    progress: &Progress,
) -> Result<NodeRef, ScenarioError> {
    let name = v.get_ref();
    if let Some(n) = name.strip_prefix("broker-") {
        return match n.parse::<i32>() {
            Ok(id) if (1..=known.nodes).contains(&id) => Ok(NodeRef::Broker(id)),
            _ => Err(src.err(
                v.span(),
                field,
                format!("`{name}` does not exist (the cluster has brokers broker-1..broker-{})", known.nodes),
            )),
        };
    }
    if known.producers.contains(name) {
        return Ok(NodeRef::Client(name.clone()));
    }
    if known.consumers.contains_key(name) {
        if !progress.started.contains(name) {
            return Err(src.err(v.span(), field, format!("consumer `{name}` is not started yet at this step")));
        }
        return Ok(NodeRef::Client(name.clone()));
    }
    Err(src.err(v.span(), field, format!("`{name}` is not a node: use broker-N or the name of a producer or consumer")))
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
