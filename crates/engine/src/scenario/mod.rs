//! Scenarios as data: a TOML file describes a cluster, its topics, producers and consumers, and a
//! timeline of steps (actions with notes for the learner) at virtual times. The app and the CLI
//! load the same files through [`parse`] (the built-in ones through [`builtin`]).
//!
//! Using a scenario:
//! ```
//! use kafkalab_engine::scenario::{self, ScenarioRun};
//! let text = scenario::builtin().into_iter().find(|b| b.name == "leader-failover").unwrap().text;
//! let scenario = scenario::parse(text).unwrap();
//! let mut run = ScenarioRun::new(scenario, None).unwrap();
//! run.seek(20_000);             // play: applies every step due on the way
//! run.seek(5_000);              // scrub back: the steps are recorded actions, replayed exactly
//! assert_eq!(run.world().now(), 5_000);
//! ```
//! The format is documented in `scenarios/README.md`.

mod broker_config;
pub(crate) mod parse;
pub mod preset;
mod run;
mod summary;
mod when;

pub use parse::{listener_action, parse_listener, ListenerContext};
pub use run::{ScenarioRun, StepFailure};
pub use summary::{summary, Summary};
pub use when::{FactPattern, FilterValue};

use crate::cluster::timeline::Timeline;
use crate::cluster::{Action, ActionOutcome, World, WorldConfig};
use crate::consumer::{ConsumerApp, SeekTo};
use crate::producer::stream::KeyPattern;
use crate::producer::ProducerRecord;
use crate::protocol::metadata::ConfigResource;
use crate::protocol::TopicPartition;
use crate::sim::{Millis, NodeId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Events between two checkpoints of a scenario's timeline: seeking replays at most this many.
pub const CHECKPOINT_EVERY: u64 = 5_000;

/// A text in both languages of the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub ko: String,
    pub en: String,
}

impl Localized {
    /// The Korean text for `"ko"`, the English text for anything else.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "ko" {
            &self.ko
        } else {
            &self.en
        }
    }
}

/// Which heading of the scenario picker a scenario belongs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// How Kafka itself works: brokers, replication, groups, transactions.
    #[default]
    Kafka,
    /// How applications use Kafka: retries and dead letters, stream processing, sagas, tuning.
    Patterns,
}

impl Category {
    pub const ALL: [Category; 2] = [Category::Kafka, Category::Patterns];

    pub fn name(self) -> &'static str {
        match self {
            Category::Kafka => "kafka",
            Category::Patterns => "patterns",
        }
    }
}

/// A parsed and validated scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// The short identifier (`leader-failover`), used in URLs and by `kafkalab run NAME`.
    pub name: String,
    pub category: Category,
    pub title: Localized,
    pub description: Localized,
    pub seed: u64,
    /// How long the scenario is meant to run, in virtual milliseconds.
    pub duration_ms: Millis,
    /// The cluster: brokers, network latency, teaching mode and broker settings.
    pub world: WorldConfig,
    pub topics: Vec<TopicSpec>,
    pub producers: Vec<ProducerSpec>,
    pub consumers: Vec<ConsumerSpec>,
    /// Kafka Streams applications (`[[streams]]`); their internal topics and clients are in
    /// `topics`, `producers` and `consumers`.
    pub streams: Vec<StreamsSpec>,
    /// In time order.
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: i32,
    pub replication_factor: i32,
    /// Replicas per partition, preferred leader first; None lets the controller place them.
    pub assignment: Option<Vec<Vec<i32>>>,
    /// Kafka topic configs, `key = value`, sorted by key.
    pub configs: Vec<(String, String)>,
    /// Created at t=0; otherwise a `create_topic` step creates it.
    pub create_at_start: bool,
}

/// A producer's generated traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamSpec {
    pub topic: String,
    pub records_per_sec: u32,
    pub keys: KeyPattern,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerSpec {
    pub name: String,
    pub configs: Vec<(String, String)>,
    /// Started at t=0 when present.
    pub stream: Option<StreamSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerSpec {
    pub name: String,
    pub topics: Vec<String>,
    /// Kafka consumer configs, including `group.id`.
    pub configs: Vec<(String, String)>,
    pub app: ConsumerApp,
    /// Started at t=0; otherwise an `add_consumer` step starts it.
    pub start_at_start: bool,
    /// A consume-transform-produce application: the consumer's processed records are written
    /// to `output_topic` by this producer (`Action::LinkProcessor`).
    pub processor: Option<ProcessorSpec>,
}

/// The producer and output topic of a processor (a consumer's `processor` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessorSpec {
    pub producer: String,
    /// None: the consumer's declared listener says what it sends.
    pub output_topic: Option<String>,
}

/// A Kafka Streams application: its topology, configs and instances (consumer and producer
/// names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamsSpec {
    pub topology: crate::streams::Topology,
    pub config: crate::streams::StreamsConfig,
    pub instances: Vec<(String, String)>,
}

/// A node named in a step: `broker-N`, or a producer or consumer by its scenario name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeRef {
    Broker(i32),
    Client(String),
}

/// What a step does. Clients are named, not numbered: their ids are only known once the world
/// runs, so [`Step::action`] resolves names against the world at the step's time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum StepAction {
    KillBroker {
        broker: i32,
    },
    RestartBroker {
        broker: i32,
    },
    /// A graceful stop: controlled shutdown, then the process stops.
    ShutdownBroker {
        broker: i32,
    },
    KillController,
    CutLink {
        from: NodeRef,
        to: NodeRef,
        both: bool,
    },
    HealLink {
        from: NodeRef,
        to: NodeRef,
        both: bool,
    },
    SetLinkLoss {
        from: NodeRef,
        to: NodeRef,
        probability: f64,
    },
    IsolateNode {
        node: NodeRef,
    },
    SlowNode {
        node: NodeRef,
        extra_ms: Millis,
    },
    Send {
        producer: String,
        topic: String,
        partition: Option<i32>,
        key: Option<String>,
        value: Option<String>,
        /// The record's own timestamp (CreateTime); None: the producer's clock.
        timestamp: Option<i64>,
    },
    StartStream {
        producer: String,
        stream: StreamSpec,
    },
    StopStream {
        producer: String,
    },
    CrashProducer {
        producer: String,
    },
    RestartProducer {
        producer: String,
    },
    CreateTopic {
        topic: TopicSpec,
    },
    /// `kafka-topics --delete`: DeleteTopics for one topic.
    DeleteTopic {
        topic: String,
    },
    AddConsumer {
        consumer: ConsumerSpec,
    },
    CrashConsumer {
        consumer: String,
    },
    RestartConsumer {
        consumer: String,
    },
    CloseConsumer {
        consumer: String,
    },
    Commit {
        consumer: String,
        sync: bool,
    },
    Seek {
        consumer: String,
        topic_partition: TopicPartition,
        to: SeekTo,
    },
    /// AlterPartitionReassignments for one partition (`kafka-reassign-partitions --execute`).
    ReassignPartition {
        topic_partition: TopicPartition,
        replicas: Vec<i32>,
    },
    BeginTransaction {
        producer: String,
    },
    CommitTransaction {
        producer: String,
    },
    AbortTransaction {
        producer: String,
    },
    /// `kafka-configs --alter` of a topic or a broker: `value` None deletes the config.
    AlterConfig {
        resource: ConfigResource,
        key: String,
        value: Option<String>,
    },
    /// The application restarts a producer with one config changed.
    RestartProducerWithConfig {
        producer: String,
        key: String,
        value: String,
    },
    /// The application restarts a consumer with one config changed.
    RestartConsumerWithConfig {
        consumer: String,
        key: String,
        value: String,
    },
    /// A Kafka Streams instance's process dies.
    CrashStreamsInstance {
        application_id: String,
        instance: usize,
    },
    /// A new process of a crashed Kafka Streams instance.
    RestartStreamsInstance {
        application_id: String,
        instance: usize,
    },
}

/// One entry of the scenario's timeline: an action, a note for the learner, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// When the action applies and a timed note arrives; for a note with `when`, the earliest
    /// time its fact may come.
    pub at_ms: Millis,
    pub action: Option<StepAction>,
    pub note: Option<Localized>,
    /// A pure note tied to a fact: it arrives with the first matching fact at or after `at_ms`.
    pub when: Option<FactPattern>,
    /// What the note names, for the app to point at: `broker-N`, a partition `topic-N`, or a
    /// producer or consumer by name.
    pub highlight: Vec<String>,
    /// The step's line in the file, for messages about it.
    pub line: usize,
}

impl Step {
    pub fn note(&self) -> Option<&Localized> {
        self.note.as_ref()
    }

    /// The engine action of this step, with client names resolved against `world` (None for a
    /// pure note). Fails only when a named client does not exist or is not running.
    pub fn action(&self, world: &World) -> Result<Option<Action>, String> {
        let Some(action) = &self.action else { return Ok(None) };
        let node = |r: &NodeRef| resolve_node(world, r);
        let producer = |name: &str| {
            world
                .producers()
                .find(|p| p.name == name)
                .map(|p| p.id)
                .ok_or_else(|| format!("there is no producer `{name}`"))
        };
        let consumer = |name: &str| {
            world
                .consumers()
                .find(|c| c.name == name)
                .map(|c| c.id)
                .ok_or_else(|| format!("consumer `{name}` has not been started"))
        };
        Ok(Some(match action {
            StepAction::KillBroker { broker } => Action::KillBroker { broker: *broker },
            StepAction::RestartBroker { broker } => Action::RestartBroker { broker: *broker },
            StepAction::ShutdownBroker { broker } => Action::ShutdownBroker { broker: *broker },
            StepAction::KillController => Action::KillController,
            StepAction::CutLink { from, to, both } => Action::CutLink { from: node(from)?, to: node(to)?, both: *both },
            StepAction::HealLink { from, to, both } => {
                Action::HealLink { from: node(from)?, to: node(to)?, both: *both }
            }
            StepAction::SetLinkLoss { from, to, probability } => {
                Action::SetLinkLoss { from: node(from)?, to: node(to)?, probability: *probability }
            }
            StepAction::IsolateNode { node: n } => Action::IsolateNode { node: node(n)? },
            StepAction::SlowNode { node: n, extra_ms } => Action::SlowNode { node: node(n)?, extra_ms: *extra_ms },
            StepAction::Send { producer: p, topic, partition, key, value, timestamp } => {
                let record = ProducerRecord {
                    topic: topic.clone(),
                    partition: *partition,
                    key: key.as_ref().map(|k| k.clone().into_bytes()),
                    value: value.as_ref().map(|v| v.clone().into_bytes()),
                    headers: Vec::new(),
                };
                match timestamp {
                    Some(timestamp) => {
                        Action::SendWithTimestamp { producer: producer(p)?, record, timestamp: *timestamp }
                    }
                    None => Action::Send { producer: producer(p)?, record },
                }
            }
            StepAction::CrashStreamsInstance { application_id, instance } => {
                Action::CrashStreamsInstance { application_id: application_id.clone(), instance: *instance }
            }
            StepAction::RestartStreamsInstance { application_id, instance } => {
                Action::RestartStreamsInstance { application_id: application_id.clone(), instance: *instance }
            }
            StepAction::StartStream { producer: p, stream } => Action::StartStream {
                producer: producer(p)?,
                topic: stream.topic.clone(),
                records_per_sec: stream.records_per_sec,
                keys: stream.keys.clone(),
            },
            StepAction::StopStream { producer: p } => Action::StopStream { producer: producer(p)? },
            StepAction::AlterConfig { resource, key, value } => {
                Action::AlterConfigs { resource: resource.clone(), changes: vec![(key.clone(), value.clone())] }
            }
            StepAction::RestartProducerWithConfig { producer: p, key, value } => {
                Action::RestartProducerWithConfig { producer: producer(p)?, key: key.clone(), value: value.clone() }
            }
            StepAction::RestartConsumerWithConfig { consumer: c, key, value } => {
                Action::RestartConsumerWithConfig { consumer: consumer(c)?, key: key.clone(), value: value.clone() }
            }
            StepAction::CrashProducer { producer: p } => Action::CrashProducer { producer: producer(p)? },
            StepAction::BeginTransaction { producer: p } => Action::BeginTransaction { producer: producer(p)? },
            StepAction::CommitTransaction { producer: p } => Action::CommitTransaction { producer: producer(p)? },
            StepAction::AbortTransaction { producer: p } => Action::AbortTransaction { producer: producer(p)? },
            StepAction::RestartProducer { producer: p } => Action::RestartProducer { producer: producer(p)? },
            StepAction::CreateTopic { topic } => topic.action(),
            StepAction::DeleteTopic { topic } => Action::DeleteTopics { topics: vec![topic.clone()] },
            StepAction::AddConsumer { consumer } => consumer.action(),
            StepAction::CrashConsumer { consumer: c } => Action::CrashConsumer { consumer: consumer(c)? },
            StepAction::RestartConsumer { consumer: c } => Action::RestartConsumer { consumer: consumer(c)? },
            StepAction::CloseConsumer { consumer: c } => Action::CloseConsumer { consumer: consumer(c)? },
            StepAction::Commit { consumer: c, sync } => Action::Commit { consumer: consumer(c)?, sync: *sync },
            StepAction::Seek { consumer: c, topic_partition, to } => {
                Action::Seek { consumer: consumer(c)?, topic_partition: topic_partition.clone(), to: *to }
            }
            StepAction::ReassignPartition { topic_partition, replicas } => Action::AlterPartitionReassignments {
                reassignments: vec![(topic_partition.clone(), Some(replicas.clone()))],
            },
        }))
    }
}

/// A client's current node: the running process of a producer or a consumer.
fn resolve_node(world: &World, node: &NodeRef) -> Result<NodeId, String> {
    match node {
        NodeRef::Broker(id) => Ok(NodeId::Broker(*id)),
        NodeRef::Client(name) => {
            if let Some(p) = world.producers().find(|p| &p.name == name) {
                if !world.producer_running(p.id) {
                    return Err(format!("producer `{name}` is not running"));
                }
                return Ok(NodeId::Client(p.node));
            }
            match world.consumers().find(|c| &c.name == name) {
                Some(c) if world.consumer_running(c.id) => Ok(NodeId::Client(c.node)),
                Some(_) => Err(format!("consumer `{name}` is not running")),
                None => Err(format!("there is no client `{name}`")),
            }
        }
    }
}

impl TopicSpec {
    fn action(&self) -> Action {
        match &self.assignment {
            Some(assignment) => Action::CreateTopicWithAssignment {
                name: self.name.clone(),
                assignment: assignment.clone(),
                configs: self.configs.clone(),
            },
            None => Action::CreateTopic {
                name: self.name.clone(),
                partitions: self.partitions,
                replication_factor: self.replication_factor,
                configs: self.configs.clone(),
            },
        }
    }
}

impl ConsumerSpec {
    fn action(&self) -> Action {
        Action::AddConsumer {
            name: self.name.clone(),
            topics: self.topics.clone(),
            configs: self.configs.clone(),
            app: self.app.clone(),
        }
    }
}

/// A scenario problem: where it is (line, column, field) and what is wrong, in plain language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The field's path, such as `step.broker` or `topic.configs`.
    pub field: Option<String>,
    pub message: String,
}

impl ScenarioError {
    /// An error that belongs to no line of the file (setting up the world).
    fn setup(message: impl Into<String>) -> Self {
        ScenarioError { line: None, column: None, field: None, message: message.into() }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(line) = self.line {
            place.push(format!("line {line}"));
        }
        if let Some(column) = self.column {
            place.push(format!("column {column}"));
        }
        if let Some(field) = &self.field {
            place.push(format!("field `{field}`"));
        }
        if place.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", place.join(", "), self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Parses and validates a scenario file. Never panics, whatever the input.
pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    parse::parse(text)
}

impl Scenario {
    /// The world at t=0 with the setup applied (topics created, producers and their streams,
    /// consumers started), wrapped in a [`Timeline`] for time travel. The steps are not applied:
    /// [`ScenarioRun`] does that as time passes. `seed` overrides the file's seed.
    pub fn build(&self, seed: Option<u64>) -> Result<Timeline, ScenarioError> {
        let mut world = World::new(self.world.clone(), seed.unwrap_or(self.seed))
            .map_err(|e| ScenarioError::setup(e.to_string()))?;
        let refused = |what: String| move |e: crate::cluster::ActionError| ScenarioError::setup(format!("{what}: {e}"));
        for topic in self.topics.iter().filter(|t| t.create_at_start) {
            world.apply(topic.action()).map_err(refused(format!("creating topic `{}`", topic.name)))?;
        }
        for producer in &self.producers {
            let outcome = world
                .apply(Action::AddProducer { name: producer.name.clone(), configs: producer.configs.clone() })
                .map_err(refused(format!("adding producer `{}`", producer.name)))?;
            if let (ActionOutcome::ProducerAdded { producer: id }, Some(stream)) = (outcome, &producer.stream) {
                world
                    .apply(Action::StartStream {
                        producer: id,
                        topic: stream.topic.clone(),
                        records_per_sec: stream.records_per_sec,
                        keys: stream.keys.clone(),
                    })
                    .map_err(refused(format!("starting the stream of producer `{}`", producer.name)))?;
            }
        }
        for consumer in self.consumers.iter().filter(|c| c.start_at_start) {
            let outcome =
                world.apply(consumer.action()).map_err(refused(format!("starting consumer `{}`", consumer.name)))?;
            if let (ActionOutcome::ConsumerAdded { consumer: id }, Some(processor)) = (outcome, &consumer.processor) {
                let producer = world.producers().find(|p| p.name == processor.producer).map(|p| p.id);
                let producer = producer
                    .ok_or_else(|| ScenarioError::setup(format!("there is no producer `{}`", processor.producer)))?;
                world
                    .apply(Action::LinkProcessor {
                        consumer: id,
                        producer,
                        output_topic: processor.output_topic.clone(),
                    })
                    .map_err(refused(format!("linking consumer `{}` as a processor", consumer.name)))?;
            }
        }
        for spec in &self.streams {
            let id = |name: &str, producer: bool| {
                let found = if producer {
                    world.producers().find(|p| p.name == name).map(|p| p.id)
                } else {
                    world.consumers().find(|c| c.name == name).map(|c| c.id)
                };
                found.ok_or_else(|| ScenarioError::setup(format!("there is no client `{name}`")))
            };
            let instances = spec
                .instances
                .iter()
                .map(|(consumer, producer)| Ok((consumer.clone(), id(consumer, false)?, id(producer, true)?)))
                .collect::<Result<Vec<_>, ScenarioError>>()?;
            world
                .apply(Action::AddStreamsApp { topology: spec.topology.clone(), config: spec.config, instances })
                .map_err(refused(format!("starting Streams application `{}`", spec.topology.application_id)))?;
        }
        Ok(Timeline::new(world, CHECKPOINT_EVERY))
    }

    /// The steps with `from_ms < at_ms <= to_ms`, in order: what happens while time moves from
    /// `from_ms` to `to_ms`. `from_ms = None` starts before t=0, so steps at 0 are included.
    pub fn steps_between(&self, from_ms: Option<Millis>, to_ms: Millis) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(move |s| from_ms.is_none_or(|from| s.at_ms > from) && s.at_ms <= to_ms)
    }
}

/// A scenario file shipped with kafkalab (scenarios/*.toml), embedded at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinScenario {
    /// The file name without `.toml`, which is also the scenario's `name`.
    pub name: &'static str,
    pub text: &'static str,
}

/// Every built-in scenario, sorted by name.
pub fn builtin() -> Vec<BuiltinScenario> {
    macro_rules! embed {
        ($($name:literal),* $(,)?) => {
            vec![$(BuiltinScenario { name: $name, text: include_str!(concat!("../../../../scenarios/", $name, ".toml")) }),*]
        };
    }
    let mut all = embed![
        "cdc-outbox",
        "classic-vs-consumer-protocol",
        "consumer-scale-out",
        "dedicated-controllers",
        "delete-topic",
        "dynamic-unclean-election",
        "eager-vs-cooperative",
        "eligible-leader-replicas",
        "event-sourcing-cqrs",
        "exactly-once-pipeline",
        "follower-fetching",
        "hanging-transaction",
        "idempotence",
        "kafka-vs-queue",
        "key-ordering",
        "leader-failover",
        "online-protocol-upgrade",
        "partition-reassignment",
        "partitions-vs-parallelism",
        "poison-pill",
        "pre-vote",
        "read-committed-vs-uncommitted",
        "retention-compaction",
        "rolling-restart",
        "saga",
        "sandbox",
        "share-group-queue",
        "slow-follower",
        "spring-blocking-retries",
        "spring-retry-topics-dlt",
        "streams-state-restore",
        "streams-windowed-count",
        "truncation-detection",
        "tuning-batching-compression",
        "unclean-election",
        "zombie-fencing",
    ];
    all.sort_by_key(|b| b.name);
    all
}

#[cfg(test)]
mod tests;
