//! What a learner, a scenario step or the chaos runner does to the world: [`Action`], and how
//! the world carries one out (a refused action changes nothing).

use super::message_log::{LoggedMessage, MessageLog, MessageOutcome};
use super::world::{World, ADMIN_CLIENT};
use crate::broker::BrokerState;
use crate::config::ConfigError;
use crate::consumer::config::ConsumerConfig;
use crate::consumer::program::Program;
use crate::consumer::{self, Consumer, ConsumerApp, SeekTo};
use crate::controller::quorum::PartitionResult;
use crate::controller::CreateTopicError;
use crate::delivery::DeliveryAudit;
use crate::group::history::GroupHistory;
use crate::group::offsets::OFFSETS_TOPIC;
use crate::group::share::state_log::SHARE_GROUP_STATE_TOPIC;
use crate::log::topic_config::{topic_synonym, BROKER_TOPIC_SYNONYMS};
use crate::log::TopicConfig;
use crate::metrics::{Metrics, MetricsSample};
use crate::narration::Fact;
use crate::node::{Input, Node, Outbox};
use crate::producer::config::ProducerConfig;
use crate::producer::stream::{KeyPattern, Stream};
use crate::producer::transaction::{TxnCallError, TxnClientState};
use crate::producer::{Producer, ProducerRecord};
use crate::protocol::metadata::ConfigResource;
use crate::protocol::{
    ElectionType, ErrorCode, GroupMessage, Message, OffsetCommitPartition, TopicPartition, TxnMarker, TxnMessage,
};
use crate::sim::{Millis, NodeId};
use crate::txn::log::{partition_for, TRANSACTION_STATE_TOPIC};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::fmt;

/// Something a learner, a scenario step or the chaos runner does to the world.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    CreateTopic {
        name: String,
        partitions: i32,
        replication_factor: i32,
        configs: Vec<(String, String)>,
    },
    /// CreateTopics with every partition's replicas given (Kafka's `--replica-assignment`);
    /// the first replica of each list is its preferred leader.
    CreateTopicWithAssignment {
        name: String,
        assignment: Vec<Vec<i32>>,
        configs: Vec<(String, String)>,
    },
    AddProducer {
        name: String,
        configs: Vec<(String, String)>,
    },
    Send {
        producer: u32,
        record: ProducerRecord,
    },
    StartStream {
        producer: u32,
        topic: String,
        records_per_sec: u32,
        keys: KeyPattern,
    },
    StopStream {
        producer: u32,
    },
    /// Kills the producer process: the sends it has not completed are lost to the application.
    CrashProducer {
        producer: u32,
    },
    /// Starts a crashed producer again as a new process with the same name and configs.
    RestartProducer {
        producer: u32,
    },
    /// Cuts `from → to`, and `to → from` too when `both`.
    CutLink {
        from: NodeId,
        to: NodeId,
        both: bool,
    },
    HealLink {
        from: NodeId,
        to: NodeId,
        both: bool,
    },
    /// Makes `from → to` lose each message with this probability (0 = reliable).
    SetLinkLoss {
        from: NodeId,
        to: NodeId,
        probability: f64,
    },
    /// Adds latency to every message to or from a node (0 = normal).
    SlowNode {
        node: NodeId,
        extra_ms: Millis,
    },
    /// Crashes a broker process; its logs survive on disk.
    KillBroker {
        broker: i32,
    },
    RestartBroker {
        broker: i32,
    },
    /// Stops a broker gracefully (SIGTERM, `kafka-server-stop`): a controlled shutdown moves its
    /// leaderships away first, then the process stops; its logs stay on disk.
    ShutdownBroker {
        broker: i32,
    },
    /// Crashes the broker that hosts the active controller.
    KillController,
    /// Cuts every link between `node` and everything else, both ways.
    IsolateNode {
        node: NodeId,
    },
    /// Starts a consumer process that subscribes `topics` through its `group.id`.
    AddConsumer {
        name: String,
        topics: Vec<String>,
        configs: Vec<(String, String)>,
        app: ConsumerApp,
    },
    /// Kills the consumer process: no commit, no LeaveGroup; its session times out.
    CrashConsumer {
        consumer: u32,
    },
    /// Starts a crashed or closed consumer again as a new process with the same configs.
    RestartConsumer {
        consumer: u32,
    },
    /// `close()`: commit (with auto-commit) and LeaveGroup (dynamic members).
    CloseConsumer {
        consumer: u32,
    },
    /// The application calls `commitSync()` (or `commitAsync()`) with its current positions.
    Commit {
        consumer: u32,
        sync: bool,
    },
    /// The application calls `seek` for an owned partition.
    Seek {
        consumer: u32,
        topic_partition: TopicPartition,
        to: SeekTo,
    },
    /// CreatePartitions (`kafka-topics --alter --partitions N`): grows a topic to `total`
    /// partitions; existing partitions and their data stay as they are.
    CreatePartitions {
        topic: String,
        total: i32,
    },
    /// AlterPartitionReassignments (`kafka-reassign-partitions --execute`, KIP-455): for each
    /// partition, its target replicas starts a reassignment, None cancels one (`--cancel`).
    AlterPartitionReassignments {
        reassignments: Vec<(TopicPartition, Option<Vec<i32>>)>,
    },
    /// ElectLeaders (`kafka-leader-election`, KIP-460) for these partitions, or all (None).
    ElectLeaders {
        election: ElectionType,
        partitions: Option<Vec<TopicPartition>>,
    },
    /// An admin client's OffsetCommit outside the group protocol (generation -1, no member id),
    /// as `kafka-consumer-groups --reset-offsets --execute` sends it. The group's coordinator
    /// accepts it only while the group is empty, as Kafka's does.
    AlterConsumerGroupOffsets {
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// `beginTransaction()` on a transactional producer.
    BeginTransaction {
        producer: u32,
    },
    /// `commitTransaction()`: flush, then EndTxn(commit). A transaction with a failed send aborts.
    CommitTransaction {
        producer: u32,
    },
    /// `abortTransaction()`: unsent records are dropped, then EndTxn(abort).
    AbortTransaction {
        producer: u32,
    },
    /// Makes a consumer and a producer one consume-transform-produce application: each record
    /// the consumer processes is sent to `output_topic` (`cluster/processor.rs`).
    LinkProcessor {
        consumer: u32,
        producer: u32,
        /// None: the consumer's declared listener (`ConsumerApp::program`) sends its own records.
        output_topic: Option<String>,
    },
    /// DeleteTopics (`kafka-topics --delete`): the active controller appends a
    /// `RemoveTopicRecord` per topic; brokers delete the replicas, group coordinators the
    /// committed offsets, and clients lose the partitions with their next metadata.
    DeleteTopics {
        topics: Vec<String>,
    },
    /// DeleteGroups (`kafka-consumer-groups --delete`): each group's coordinator deletes it if
    /// it is empty. The outcome carries each group's error, as the admin client reads them.
    DeleteGroups {
        groups: Vec<String>,
    },
    /// OffsetDelete (`kafka-consumer-groups --delete-offsets`, KIP-496) for one group.
    DeleteConsumerGroupOffsets {
        group: String,
        partitions: Vec<TopicPartition>,
    },
    /// `Admin.abortTransaction` (`kafka-transactions abort`): a WriteTxnMarkers with an ABORT
    /// marker for one producer straight to the partition's leader, which closes a hanging
    /// transaction the coordinator no longer knows about.
    WriteAbortMarker {
        topic_partition: TopicPartition,
        producer_id: i64,
        producer_epoch: i16,
        coordinator_epoch: i32,
    },
    /// IncrementalAlterConfigs (`kafka-configs --alter`): sets (`Some`) or deletes (`None`)
    /// dynamic configs of a topic or a broker. The active controller writes `ConfigRecord`s;
    /// each broker acts on them once it has seen them in the metadata log.
    AlterConfigs {
        resource: ConfigResource,
        changes: Vec<(String, Option<String>)>,
    },
    /// The application restarts a producer with one config changed (a client reads its configs
    /// once): the running process stops as a crash does (sends not yet acknowledged are lost to
    /// the application), a new one starts with the change and resumes its stream.
    RestartProducerWithConfig {
        producer: u32,
        key: String,
        value: String,
    },
    /// The application restarts a consumer with one config changed: `close()` (a commit with
    /// auto-commit, LeaveGroup), then a new process with the change.
    RestartConsumerWithConfig {
        consumer: u32,
        key: String,
        value: String,
    },
    /// `Admin.forceTerminateTransaction` (`kafka-transactions force-terminate`, KIP-939): an
    /// InitProducerId for the transactional id without a producer id or epoch
    /// (`keepPreparedTxn=false`), sent to its coordinator as a new producer instance would:
    /// the epoch bump fences the current producer and an ongoing transaction is aborted (the
    /// coordinator answers CONCURRENT_TRANSACTIONS meanwhile; the admin client sends it again).
    ForceTerminateTransaction {
        transactional_id: String,
        /// The admin call's timeout, which the coordinator takes as the transaction timeout.
        timeout_ms: u64,
    },
    /// `send()` of a record with its own timestamp (`new ProducerRecord(topic, partition,
    /// timestamp, key, value)`): its CreateTime is `timestamp`, not the producer's clock, so a
    /// scenario can send records out of order or late.
    SendWithTimestamp {
        producer: u32,
        record: ProducerRecord,
        timestamp: i64,
    },
    /// Starts a Kafka Streams application (`KafkaStreams.start()`) over instances already added
    /// as clients: `(name, consumer, producer)` each; its topics must exist.
    AddStreamsApp {
        topology: crate::streams::Topology,
        config: crate::streams::StreamsConfig,
        instances: Vec<(String, u32, u32)>,
    },
    /// A Streams instance's process dies (its consumer, its producer, its in-memory stores).
    CrashStreamsInstance {
        application_id: String,
        instance: usize,
    },
    /// A new process of a crashed Streams instance.
    RestartStreamsInstance {
        application_id: String,
        instance: usize,
    },
    /// The application's developer redeploys a consumer's listener (`scenario::listener_action`
    /// parses the editor's `[[rule]]` / `[error_handler]` text into it; None: no declared
    /// listener). It applies from the next record.
    SetListenerProgram {
        consumer: u32,
        program: Option<Program>,
    },
}

/// What an accepted action produced, when the caller needs an id back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionOutcome {
    Done,
    ProducerAdded {
        producer: u32,
    },
    Sent {
        send_id: u64,
    },
    ConsumerAdded {
        consumer: u32,
    },
    /// Each partition's answer to an admin request that names partitions.
    PartitionResults {
        results: Vec<PartitionResult>,
    },
    /// DeleteGroups: each group's error (NONE when deleted).
    GroupsDeleted {
        results: Vec<(String, ErrorCode)>,
    },
    /// OffsetDelete: the group's error and each partition's.
    GroupOffsetsDeleted {
        error: ErrorCode,
        partitions: Vec<(TopicPartition, ErrorCode)>,
    },
}

/// Why an action was refused. The world is unchanged when an action is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionError {
    Config(ConfigError),
    CreateTopic(CreateTopicError),
    UnknownNode(NodeId),
    UnknownProducer(u32),
    /// The producer process is not running (crashed).
    ProducerStopped(u32),
    ProducerRunning(u32),
    UnknownTopic(String),
    InvalidPartition {
        topic: String,
        partition: i32,
        partitions: i32,
    },
    SameNode(NodeId),
    LinkAlreadyCut {
        from: NodeId,
        to: NodeId,
    },
    LinkNotCut {
        from: NodeId,
        to: NodeId,
    },
    InvalidProbability(f64),
    InvalidRate(u32),
    NoActiveController,
    BrokerAlreadyDead(i32),
    BrokerNotDead(i32),
    /// A graceful stop of this broker is already under way.
    BrokerShuttingDown(i32),
    AlreadyIsolated(NodeId),
    UnknownConsumer(u32),
    /// The consumer process is not running (crashed or closed).
    ConsumerStopped(u32),
    ConsumerRunning(u32),
    /// A consumer needs at least one topic.
    NoTopics,
    /// `seek` on a partition the consumer does not own (Kafka's IllegalStateException).
    NotAssigned {
        consumer: u32,
        topic_partition: TopicPartition,
    },
    /// No live broker coordinates this group right now (its `__consumer_offsets` partition has
    /// no leader, or that topic does not exist yet).
    NoCoordinator(String),
    /// A transaction call on a producer without `transactional.id`.
    NotTransactional(u32),
    /// A transaction call that does not fit the producer's transaction state.
    TransactionState {
        producer: u32,
        state: TxnClientState,
    },
    /// A broker config that cannot change while the broker runs (Kafka: "Cannot update these
    /// configs dynamically"), or one the simulation does not apply dynamically.
    NotDynamicConfig(String),
    /// No live broker leads the transactional id's `__transaction_state` partition (or the
    /// topic does not exist yet: no transactional producer ever started).
    NoTxnCoordinator(String),
    /// No Streams application with this `application.id`, or no instance with this index.
    UnknownStreamsInstance(String, usize),
    /// A processor without an output topic, whose consumer declares no listener program.
    NoOutput(u32),
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionError::Config(e) => e.fmt(f),
            ActionError::CreateTopic(e) => e.fmt(f),
            ActionError::UnknownNode(n) => write!(f, "there is no node `{n}`"),
            ActionError::UnknownProducer(p) => write!(f, "there is no producer {p}"),
            ActionError::ProducerStopped(p) => write!(f, "producer {p} is not running; restart it first"),
            ActionError::ProducerRunning(p) => write!(f, "producer {p} is still running; crash it first"),
            ActionError::UnknownTopic(t) => write!(f, "there is no topic `{t}`"),
            ActionError::InvalidPartition { topic, partition, partitions } => {
                write!(f, "invalid partition {partition} for topic `{topic}`: it has partitions 0..{}", partitions - 1)
            }
            ActionError::SameNode(n) => write!(f, "a link needs two different nodes, got `{n}` twice"),
            ActionError::LinkAlreadyCut { from, to } => write!(f, "the link {from} → {to} is already cut"),
            ActionError::LinkNotCut { from, to } => write!(f, "the link {from} → {to} is not cut"),
            ActionError::InvalidProbability(p) => write!(f, "loss probability {p} is not in [0, 1]"),
            ActionError::InvalidRate(r) => write!(f, "stream rate {r} records/s is not in [1, 100000]"),
            ActionError::NoActiveController => {
                write!(f, "there is no active controller right now (the quorum is electing one)")
            }
            ActionError::BrokerAlreadyDead(b) => write!(f, "broker {b} is already dead"),
            ActionError::BrokerShuttingDown(b) => write!(f, "broker {b} is already shutting down"),
            ActionError::BrokerNotDead(b) => write!(f, "broker {b} is running; only a dead broker can be restarted"),
            ActionError::AlreadyIsolated(n) => write!(f, "`{n}` is already isolated"),
            ActionError::UnknownConsumer(c) => write!(f, "there is no consumer {c}"),
            ActionError::ConsumerStopped(c) => write!(f, "consumer {c} is not running; restart it first"),
            ActionError::ConsumerRunning(c) => write!(f, "consumer {c} is still running; crash or close it first"),
            ActionError::NoTopics => write!(f, "a consumer must subscribe to at least one topic"),
            ActionError::NotAssigned { consumer, topic_partition } => {
                write!(
                    f,
                    "consumer {consumer} does not own {topic_partition}: no current assignment for that partition"
                )
            }
            ActionError::NoCoordinator(group) => write!(f, "no live broker coordinates group `{group}` right now"),
            ActionError::UnknownStreamsInstance(app, instance) => {
                write!(f, "Streams application `{app}` has no instance {instance}")
            }
            ActionError::NoTxnCoordinator(id) => {
                write!(f, "no live broker coordinates transactional id `{id}` right now")
            }
            ActionError::NotTransactional(p) => {
                write!(f, "producer {p} has no `transactional.id`; only a transactional producer has transactions")
            }
            ActionError::TransactionState { producer, state } => {
                let state = serde_json::to_value(state).ok().and_then(|v| v.as_str().map(str::to_string));
                write!(f, "producer {producer} cannot do that in transaction state {}", state.unwrap_or_default())
            }
            ActionError::NoOutput(c) => {
                write!(f, "consumer {c} declares no listener program: a processor without one needs an output topic")
            }
            ActionError::NotDynamicConfig(key) => write!(
                f,
                "broker config `{key}` cannot be updated dynamically; dynamic broker configs here are the topic defaults: {}",
                BROKER_TOPIC_SYNONYMS.iter().map(|(b, _)| *b).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

impl std::error::Error for ActionError {}

impl From<ConfigError> for ActionError {
    fn from(e: ConfigError) -> Self {
        ActionError::Config(e)
    }
}

impl World {
    /// Applies one action at the current virtual time. A refused action changes nothing.
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        let outcome = self.apply_action(action)?;
        self.drive_processors();
        self.drive_streams();
        self.actions_applied += 1;
        self.drop_stale_timers();
        Ok(outcome)
    }

    pub(super) fn apply_action(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        match action {
            Action::CreateTopic { name, partitions, replication_factor, configs } => {
                self.create_topic(&name, partitions, replication_factor, &configs, None)?;
                Ok(ActionOutcome::Done)
            }
            Action::CreateTopicWithAssignment { name, assignment, configs } => {
                let partitions = assignment.len() as i32;
                let replication_factor = assignment.first().map_or(0, |r| r.len() as i32);
                self.create_topic(&name, partitions, replication_factor, &configs, Some(assignment))?;
                Ok(ActionOutcome::Done)
            }
            Action::AddProducer { name, configs } => {
                let config = ProducerConfig::from_pairs(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
                if config.transactional_id.is_some() && !self.metadata().topics.contains_key(TRANSACTION_STATE_TOPIC) {
                    self.create_transaction_state_topic()?;
                }
                let id = self.next_client_id;
                self.next_client_id += 1;
                let bootstrap = self.broker_ids();
                let mut producer = Producer::new(id, id, name, config, bootstrap);
                producer.configs = configs;
                if self.config.track_acked_records {
                    producer.acked_log = Some(Vec::new());
                }
                self.producers.insert(id, producer);
                self.producer_nodes.insert(id, id);
                self.dispatch(NodeId::Client(id), Input::Start);
                Ok(ActionOutcome::ProducerAdded { producer: id })
            }
            Action::Send { producer, record } => {
                self.check_record(producer, &record)?;
                let now = self.now;
                let mut out = Outbox::default();
                let p = self.producers.get_mut(&producer).ok_or(ActionError::UnknownProducer(producer))?;
                let send_id = p.send(record, now, &mut self.rng, &mut out);
                self.flush_producer(producer, out);
                Ok(ActionOutcome::Sent { send_id })
            }
            Action::StartStream { producer, topic, records_per_sec, keys } => {
                if !(1..=100_000).contains(&records_per_sec) {
                    return Err(ActionError::InvalidRate(records_per_sec));
                }
                if !self.metadata().topics.contains_key(&topic) {
                    return Err(ActionError::UnknownTopic(topic));
                }
                self.check_producer_running(producer)?;
                let now = self.now;
                let mut out = Outbox::default();
                let p = self.producers.get_mut(&producer).ok_or(ActionError::UnknownProducer(producer))?;
                p.start_stream(Stream::new(topic, records_per_sec, keys), now, &mut out);
                self.flush_producer(producer, out);
                Ok(ActionOutcome::Done)
            }
            Action::StopStream { producer } => {
                self.check_producer_running(producer)?;
                self.producers.get_mut(&producer).ok_or(ActionError::UnknownProducer(producer))?.stop_stream();
                Ok(ActionOutcome::Done)
            }
            Action::CrashProducer { producer } => {
                let node = self.check_producer_running(producer)?;
                self.crash_process(NodeId::Client(node));
                Ok(ActionOutcome::Done)
            }
            Action::RestartProducer { producer } => {
                let old = self.producers.get(&producer).ok_or(ActionError::UnknownProducer(producer))?;
                if self.producer_running(producer) {
                    return Err(ActionError::ProducerRunning(producer));
                }
                let (configs, config) = (old.configs.clone(), old.config.clone());
                self.restart_producer(producer, configs, config)?;
                Ok(ActionOutcome::ProducerAdded { producer })
            }
            Action::CutLink { from, to, both } => {
                self.check_link(from, to)?;
                let links = if both { vec![(from, to), (to, from)] } else { vec![(from, to)] };
                if links.iter().all(|(a, b)| self.network.is_cut(*a, *b)) {
                    return Err(ActionError::LinkAlreadyCut { from, to });
                }
                for (a, b) in links {
                    if self.network.cut(a, b) {
                        self.record(Fact::LinkCut { from: a, to: b });
                    }
                }
                Ok(ActionOutcome::Done)
            }
            Action::HealLink { from, to, both } => {
                self.check_link(from, to)?;
                let links = if both { vec![(from, to), (to, from)] } else { vec![(from, to)] };
                if !links.iter().any(|(a, b)| self.network.is_cut(*a, *b)) {
                    return Err(ActionError::LinkNotCut { from, to });
                }
                for (a, b) in links {
                    if self.network.heal(a, b) {
                        self.record(Fact::LinkHealed { from: a, to: b });
                    }
                }
                Ok(ActionOutcome::Done)
            }
            Action::SetLinkLoss { from, to, probability } => {
                self.check_link(from, to)?;
                if !(0.0..=1.0).contains(&probability) {
                    return Err(ActionError::InvalidProbability(probability));
                }
                self.network.set_loss(from, to, probability);
                Ok(ActionOutcome::Done)
            }
            Action::SlowNode { node, extra_ms } => {
                self.check_node(node)?;
                self.network.set_slow(node, extra_ms);
                self.record(Fact::NodeSlowed { node, extra_ms });
                Ok(ActionOutcome::Done)
            }
            Action::KillBroker { broker } => {
                self.kill_broker(broker)?;
                Ok(ActionOutcome::Done)
            }
            Action::KillController => {
                let id = self.active_controller().ok_or(ActionError::NoActiveController)?;
                self.kill_broker(id)?;
                Ok(ActionOutcome::Done)
            }
            Action::ShutdownBroker { broker } => {
                self.shutdown_broker(broker)?;
                Ok(ActionOutcome::Done)
            }
            Action::RestartBroker { broker } => {
                let b = self.brokers.get(&broker).ok_or(ActionError::UnknownNode(NodeId::Broker(broker)))?;
                if b.state != BrokerState::Dead {
                    return Err(ActionError::BrokerNotDead(broker));
                }
                self.dispatch(NodeId::Broker(broker), Input::Start);
                Ok(ActionOutcome::Done)
            }
            Action::IsolateNode { node } => {
                self.check_node(node)?;
                let others: Vec<NodeId> = self.nodes().filter(|n| *n != node).collect();
                if others.iter().all(|o| self.network.is_cut(node, *o) && self.network.is_cut(*o, node)) {
                    return Err(ActionError::AlreadyIsolated(node));
                }
                for other in others {
                    self.network.cut(node, other);
                    self.network.cut(other, node);
                }
                self.record(Fact::NodeIsolated { node });
                Ok(ActionOutcome::Done)
            }
            Action::AddConsumer { name, topics, configs, app } => self.add_consumer(name, topics, &configs, app),
            Action::CrashConsumer { consumer } => {
                let node = self.check_consumer_running(consumer)?;
                self.crash_process(NodeId::Client(node));
                Ok(ActionOutcome::Done)
            }
            Action::CloseConsumer { consumer } => {
                self.with_running_consumer(consumer, |c, now, _, out| c.close(now, out))?;
                let node = self.consumers.get(&consumer).ok_or(ActionError::UnknownConsumer(consumer))?.node;
                self.end_incarnation(NodeId::Client(node));
                Ok(ActionOutcome::Done)
            }
            Action::RestartConsumer { consumer } => self.restart_consumer(consumer),
            Action::Commit { consumer, sync } => {
                self.with_running_consumer(consumer, |c, now, _, out| c.commit_now(sync, now, out))?;
                Ok(ActionOutcome::Done)
            }
            Action::Seek { consumer, topic_partition, to } => {
                let c = self.consumers.get(&consumer).ok_or(ActionError::UnknownConsumer(consumer))?;
                if !c.assignment.contains(&topic_partition) {
                    return Err(ActionError::NotAssigned { consumer, topic_partition });
                }
                self.with_running_consumer(consumer, |c, now, rng, out| c.seek(topic_partition, to, now, rng, out))?;
                Ok(ActionOutcome::Done)
            }
            Action::CreatePartitions { topic, total } => {
                let id = self.active_controller().ok_or(ActionError::NoActiveController)?;
                let now = self.now;
                let mut out = Outbox::default();
                let broker = self.brokers.get_mut(&id).ok_or(ActionError::NoActiveController)?;
                broker
                    .create_partitions(&topic, total, now, &mut self.rng, &mut out)
                    .map_err(ActionError::CreateTopic)?;
                self.flush_broker(id, out);
                Ok(ActionOutcome::Done)
            }
            Action::AlterPartitionReassignments { reassignments } => {
                let results = self.on_active_controller(|broker, now, out| {
                    broker.alter_partition_reassignments(&reassignments, now, out)
                })?;
                Ok(ActionOutcome::PartitionResults { results })
            }
            Action::ElectLeaders { election, partitions } => {
                let results = self.on_active_controller(|broker, now, out| {
                    broker.elect_leaders(election, partitions.as_deref(), now, out)
                })?;
                Ok(ActionOutcome::PartitionResults { results })
            }
            Action::DeleteTopics { topics } => {
                let id = self.active_controller().ok_or(ActionError::NoActiveController)?;
                let mut deleted: Vec<(String, i32)> = Vec::new();
                for topic in &topics {
                    let partitions = self.metadata().topics.get(topic).map_or(0, |t| t.partitions.len() as i32);
                    if !deleted.iter().any(|(t, _)| t == topic) {
                        deleted.push((topic.clone(), partitions));
                    }
                }
                let now = self.now;
                let mut out = Outbox::default();
                let broker = self.brokers.get_mut(&id).ok_or(ActionError::NoActiveController)?;
                broker.delete_topics(&topics, now, &mut out).map_err(ActionError::CreateTopic)?;
                for (topic, partitions) in deleted {
                    self.record(Fact::TopicDeleted { topic, partitions });
                }
                self.flush_broker(id, out);
                Ok(ActionOutcome::Done)
            }
            Action::DeleteGroups { groups } => {
                let now = self.now;
                let mut results = Vec::new();
                for group in groups {
                    let Some(id) = self.group_coordinator_of(&group) else {
                        results.push((group, ErrorCode::CoordinatorNotAvailable));
                        continue;
                    };
                    let mut out = Outbox::default();
                    let Some(broker) = self.brokers.get_mut(&id) else { continue };
                    let error = broker.delete_groups(std::slice::from_ref(&group), now, &mut out)[0];
                    self.flush_broker(id, out);
                    results.push((group, error));
                }
                Ok(ActionOutcome::GroupsDeleted { results })
            }
            Action::DeleteConsumerGroupOffsets { group, partitions } => {
                let id = self.group_coordinator_of(&group).ok_or_else(|| ActionError::NoCoordinator(group.clone()))?;
                let now = self.now;
                let mut out = Outbox::default();
                let broker = self.brokers.get_mut(&id).ok_or_else(|| ActionError::NoCoordinator(group.clone()))?;
                let (error, partitions) = broker.delete_group_offsets(&group, &partitions, now, &mut out);
                self.flush_broker(id, out);
                Ok(ActionOutcome::GroupOffsetsDeleted { error, partitions })
            }
            Action::WriteAbortMarker { topic_partition, producer_id, producer_epoch, coordinator_epoch } => {
                let leader = self
                    .metadata()
                    .partition(&topic_partition)
                    .map(|p| p.leader)
                    .ok_or_else(|| ActionError::UnknownTopic(topic_partition.topic.to_string()))?;
                let request = TxnMessage::WriteTxnMarkersRequest {
                    correlation_id: 0,
                    markers: vec![TxnMarker {
                        producer_id,
                        producer_epoch,
                        committed: false,
                        coordinator_epoch,
                        partitions: vec![topic_partition],
                    }],
                };
                self.admin_request(leader, request.into())?;
                Ok(ActionOutcome::Done)
            }
            Action::LinkProcessor { consumer, producer, output_topic } => {
                self.link_processor(consumer, producer, output_topic)
            }
            Action::AlterConfigs { resource, changes } => self.alter_configs(resource, changes),
            Action::RestartProducerWithConfig { producer, key, value } => {
                let node = self.check_producer_running(producer)?;
                let old = self.producers.get(&producer).ok_or(ActionError::UnknownProducer(producer))?;
                let configs = with_config(&old.configs, &key, &value);
                let config = ProducerConfig::from_pairs(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
                let stream = old.stream.clone();
                let name = old.name.clone();
                self.crash_process(NodeId::Client(node));
                self.record(Fact::ClientRestartedWithConfig { client: producer, name, key, value });
                self.restart_producer(producer, configs, config)?;
                if let Some(stream) = stream {
                    let now = self.now;
                    let mut out = Outbox::default();
                    if let Some(p) = self.producers.get_mut(&producer) {
                        p.start_stream(stream, now, &mut out);
                    }
                    self.flush_producer(producer, out);
                }
                Ok(ActionOutcome::ProducerAdded { producer })
            }
            Action::RestartConsumerWithConfig { consumer, key, value } => {
                self.check_consumer_running(consumer)?;
                let old = self.consumers.get(&consumer).ok_or(ActionError::UnknownConsumer(consumer))?;
                let configs = with_config(&old.configs, &key, &value);
                let config = ConsumerConfig::from_pairs(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
                let name = old.name.clone();
                self.with_running_consumer(consumer, |c, now, _, out| c.close(now, out))?;
                let node = self.consumers.get(&consumer).ok_or(ActionError::UnknownConsumer(consumer))?.node;
                self.end_incarnation(NodeId::Client(node));
                if let Some(c) = self.consumers.get_mut(&consumer) {
                    c.config = config;
                    c.configs = configs;
                }
                self.record(Fact::ClientRestartedWithConfig { client: consumer, name, key, value });
                self.restart_consumer(consumer)
            }
            Action::BeginTransaction { producer } => {
                self.with_transactional_producer(producer, |p, _, _, _| p.begin_transaction())
            }
            Action::SendWithTimestamp { producer, record, timestamp } => {
                self.check_record(producer, &record)?;
                let now = self.now;
                let mut out = Outbox::default();
                let p = self.producers.get_mut(&producer).ok_or(ActionError::UnknownProducer(producer))?;
                let send_id = p.send_with_timestamp(record, timestamp, now, &mut self.rng, &mut out);
                self.flush_producer(producer, out);
                Ok(ActionOutcome::Sent { send_id })
            }
            Action::AddStreamsApp { topology, config, instances } => self.add_streams_app(topology, config, instances),
            Action::CrashStreamsInstance { application_id, instance } => {
                self.crash_streams_instance(&application_id, instance)
            }
            Action::RestartStreamsInstance { application_id, instance } => {
                self.restart_streams_instance(&application_id, instance)
            }
            Action::SetListenerProgram { consumer, program } => self.set_listener_program(consumer, program),
            Action::ForceTerminateTransaction { transactional_id, timeout_ms } => {
                let partitions = self.config.broker.txn_coordinator.num_partitions;
                let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, partition_for(&transactional_id, partitions));
                let coordinator = self
                    .metadata()
                    .partition(&tp)
                    .map(|p| p.leader)
                    .filter(|leader| self.brokers.get(leader).is_some_and(|b| b.state != BrokerState::Dead))
                    .ok_or_else(|| ActionError::NoTxnCoordinator(transactional_id.clone()))?;
                let request =
                    TxnMessage::InitProducerIdRequest { transactional_id, transaction_timeout_ms: timeout_ms };
                self.admin_request(coordinator, request.into())?;
                Ok(ActionOutcome::Done)
            }
            Action::CommitTransaction { producer } => {
                self.with_transactional_producer(producer, |p, now, rng, out| p.end_transaction(true, now, rng, out))
            }
            Action::AbortTransaction { producer } => {
                self.with_transactional_producer(producer, |p, now, rng, out| p.end_transaction(false, now, rng, out))
            }
            Action::AlterConsumerGroupOffsets { group, offsets } => {
                let coordinator =
                    self.group_coordinator_of(&group).ok_or_else(|| ActionError::NoCoordinator(group.clone()))?;
                let request = GroupMessage::OffsetCommitRequest {
                    correlation_id: 0,
                    group_id: group,
                    generation_id: -1,
                    member_id: String::new(),
                    group_instance_id: None,
                    offsets: offsets.into_iter().map(|(tp, o)| OffsetCommitPartition::without_epoch(tp, o)).collect(),
                };
                self.admin_request(coordinator, request.into())?;
                Ok(ActionOutcome::Done)
            }
        }
    }

    /// The live broker that coordinates `group` now.
    fn group_coordinator_of(&self, group: &str) -> Option<i32> {
        self.brokers
            .values()
            .find(|b| b.state != BrokerState::Dead && b.volatile.group_coordinator.is_coordinator_for(group))
            .map(|b| b.id)
    }

    fn check_node(&self, node: NodeId) -> Result<(), ActionError> {
        let exists = match node {
            NodeId::Broker(id) => self.brokers.contains_key(&id),
            NodeId::Client(id) => {
                self.producer_nodes.contains_key(&id)
                    || self.consumer_nodes.contains_key(&id)
                    || self.external.is_external(id)
            }
        };
        exists.then_some(()).ok_or(ActionError::UnknownNode(node))
    }

    /// The client node of the producer's running process.
    fn check_producer_running(&self, producer: u32) -> Result<u32, ActionError> {
        let p = self.producers.get(&producer).ok_or(ActionError::UnknownProducer(producer))?;
        self.producer_running(producer).then_some(p.node).ok_or(ActionError::ProducerStopped(producer))
    }

    fn check_link(&self, from: NodeId, to: NodeId) -> Result<(), ActionError> {
        self.check_node(from)?;
        self.check_node(to)?;
        (from != to).then_some(()).ok_or(ActionError::SameNode(from))
    }

    /// Kafka rejects a record for a partition the topic does not have before it is queued.
    fn check_record(&self, producer: u32, record: &ProducerRecord) -> Result<(), ActionError> {
        self.check_producer_running(producer)?;
        let topic =
            self.metadata().topics.get(&record.topic).ok_or_else(|| ActionError::UnknownTopic(record.topic.clone()))?;
        let partitions = topic.partitions.len() as i32;
        match record.partition {
            Some(p) if p < 0 || p >= partitions => {
                Err(ActionError::InvalidPartition { topic: record.topic.clone(), partition: p, partitions })
            }
            _ => Ok(()),
        }
    }

    /// CreateTopics goes to the active controller, which appends the topic's records; brokers
    /// create their replicas once the records commit.
    fn create_topic(
        &mut self,
        name: &str,
        partitions: i32,
        replication_factor: i32,
        configs: &[(String, String)],
        assignment: Option<Vec<Vec<i32>>>,
    ) -> Result<(), ActionError> {
        let config = TopicConfig::from_pairs(
            configs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            replication_factor,
            self.config.teaching_mode,
        )?;
        let id = self.active_controller().ok_or(ActionError::NoActiveController)?;
        let now = self.now;
        let mut out = Outbox::default();
        let broker = self.brokers.get_mut(&id).ok_or(ActionError::NoActiveController)?;
        broker
            .create_topic(name, partitions, replication_factor, config, assignment, now, &mut self.rng, &mut out)
            .map_err(ActionError::CreateTopic)?;
        self.record(Fact::TopicCreated { topic: name.to_string(), partitions, replication_factor });
        self.flush_broker(id, out);
        Ok(())
    }

    /// An admin request the active controller answers at once (its broker's outbox is flushed).
    fn on_active_controller<T>(
        &mut self,
        f: impl FnOnce(&mut crate::broker::Broker, Millis, &mut Outbox<crate::broker::Timer>) -> Result<T, CreateTopicError>,
    ) -> Result<T, ActionError> {
        let id = self.active_controller().ok_or(ActionError::NoActiveController)?;
        let now = self.now;
        let mut out = Outbox::default();
        let broker = self.brokers.get_mut(&id).ok_or(ActionError::NoActiveController)?;
        let answer = f(broker, now, &mut out).map_err(ActionError::CreateTopic)?;
        self.flush_broker(id, out);
        Ok(answer)
    }

    /// Validates an IncrementalAlterConfigs as Kafka's controller does (`LogConfig.validate` for
    /// a topic: known names, valid values; for brokers, the dynamic ones) and hands it to the
    /// active controller. A change that writes nothing (the values are already set) is accepted.
    fn alter_configs(
        &mut self,
        resource: ConfigResource,
        changes: Vec<(String, Option<String>)>,
    ) -> Result<ActionOutcome, ActionError> {
        let teaching = self.config.teaching_mode;
        for (key, value) in &changes {
            let topic_key = match &resource {
                ConfigResource::Topic(topic) => {
                    if !self.metadata().topics.contains_key(topic) {
                        return Err(ActionError::UnknownTopic(topic.clone()));
                    }
                    TopicConfig::keys().find(|k| k == key).ok_or_else(|| {
                        ActionError::Config(ConfigError::UnknownKey {
                            key: key.clone(),
                            known: TopicConfig::keys().collect(),
                        })
                    })?
                }
                ConfigResource::Broker(_) | ConfigResource::BrokerDefault => {
                    topic_synonym(key).ok_or_else(|| ActionError::NotDynamicConfig(key.clone()))?
                }
            };
            if let Some(value) = value {
                TopicConfig::default().set(topic_key, value, teaching).map_err(|e| match e {
                    ConfigError::InvalidValue { value, allowed, .. } => {
                        ConfigError::InvalidValue { key: key.clone(), value, allowed }
                    }
                    other => other,
                })?;
            }
        }
        if let ConfigResource::Broker(b) = resource {
            if !self.brokers.contains_key(&b) {
                return Err(ActionError::UnknownNode(NodeId::Broker(b)));
            }
        }
        let id = self.active_controller().ok_or(ActionError::NoActiveController)?;
        let now = self.now;
        let mut out = Outbox::default();
        let broker = self.brokers.get_mut(&id).ok_or(ActionError::NoActiveController)?;
        broker.alter_configs(&resource, &changes, now, &mut out).map_err(ActionError::CreateTopic)?;
        self.flush_broker(id, out);
        Ok(ActionOutcome::Done)
    }

    /// Begins a controlled shutdown; the world stops the process once the controller granted it.
    fn shutdown_broker(&mut self, id: i32) -> Result<(), ActionError> {
        let now = self.now;
        let broker = self.brokers.get_mut(&id).ok_or(ActionError::UnknownNode(NodeId::Broker(id)))?;
        if broker.state == BrokerState::Dead {
            return Err(ActionError::BrokerAlreadyDead(id));
        }
        let mut out = Outbox::default();
        if !broker.begin_controlled_shutdown(now, &mut self.rng, &mut out) {
            return Err(ActionError::BrokerShuttingDown(id));
        }
        self.flush_broker(id, out);
        Ok(())
    }

    fn kill_broker(&mut self, id: i32) -> Result<(), ActionError> {
        let broker = self.brokers.get_mut(&id).ok_or(ActionError::UnknownNode(NodeId::Broker(id)))?;
        if broker.state == BrokerState::Dead {
            return Err(ActionError::BrokerAlreadyDead(id));
        }
        self.crash_process(NodeId::Broker(id));
        Ok(())
    }
}

/// Consumers and consumer groups.
impl World {
    pub fn consumers(&self) -> impl Iterator<Item = &Consumer> {
        self.consumers.values()
    }

    pub fn consumer(&self, id: u32) -> Option<&Consumer> {
        self.consumers.get(&id)
    }

    /// Whether the consumer's process is running.
    pub fn consumer_running(&self, id: u32) -> bool {
        self.consumer_nodes.values().any(|c| *c == id)
    }

    /// The delivery audit: which offsets each group processed (duplicates and skips), which
    /// acknowledged records were lost, which records a retry wrote twice.
    pub fn delivery(&self) -> &DeliveryAudit {
        &self.delivery
    }

    /// Kafka's metrics sampled over virtual time.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The metrics now: the gauges as they are, the rates since the last sample.
    pub fn metrics_now(&self) -> MetricsSample {
        self.metrics.current(self.now, self.gauges())
    }

    /// Each consumer group's generations and last committed offsets, as facts told them.
    pub fn group_history(&self) -> &GroupHistory {
        &self.group_history
    }

    /// The protocol messages of the recent past (see [`Self::messages_between`]).
    pub fn message_log(&self) -> &MessageLog {
        &self.messages
    }

    /// The messages whose journey overlaps `[from_ms, to_ms]`: the kept finished ones, then those
    /// still in flight (with their arrival time), for a sequence diagram.
    pub fn messages_between(&self, from_ms: Millis, to_ms: Millis) -> Vec<LoggedMessage> {
        let mut messages: Vec<LoggedMessage> = self.messages.between(from_ms, to_ms).cloned().collect();
        messages.extend(
            self.network
                .in_flight()
                .filter(|e| e.sent_at <= to_ms && e.arrive_at >= from_ms)
                .map(|e| LoggedMessage::from_envelope(e, e.arrive_at, MessageOutcome::InFlight)),
        );
        messages
    }

    /// Empties the message log (a checkpoint's copy; a replay from it records the rest again).
    pub(crate) fn forget_messages(&mut self) {
        self.messages.forget(self.now);
    }

    pub(super) fn check_offsets_topic_config(&self) -> Result<(), ConfigError> {
        let partitions = self.config.broker.group_coordinator.offsets_topic_num_partitions;
        if partitions < 1 {
            return Err(ConfigError::invalid(
                "offsets.topic.num.partitions",
                &partitions.to_string(),
                "an integer >= 1",
            ));
        }
        Ok(())
    }

    /// `__consumer_offsets`: compacted, `offsets.topic.num.partitions` partitions, replication
    /// factor `min(offsets.topic.replication.factor, brokers)`, `segment.bytes` from
    /// `offsets.topic.segment.bytes`. As in Kafka it is created on first use, when the first
    /// consumer looks for its group coordinator.
    pub(super) fn create_offsets_topic(&mut self) -> Result<(), ConfigError> {
        let gc = self.config.broker.group_coordinator.clone();
        let rf = gc.offsets_topic_replication_factor.clamp(1, self.config.brokers);
        let configs = [
            ("cleanup.policy".to_string(), "compact".to_string()),
            ("segment.bytes".to_string(), gc.offsets_topic_segment_bytes.to_string()),
        ];
        self.create_topic(OFFSETS_TOPIC, gc.offsets_topic_num_partitions, rf, &configs, None).map_err(|e| match e {
            ActionError::Config(e) => e,
            other => ConfigError::invalid(
                "offsets.topic.num.partitions",
                &gc.offsets_topic_num_partitions.to_string(),
                other.to_string(),
            ),
        })
    }

    /// `__transaction_state`: compacted, `transaction.state.log.num.partitions` partitions,
    /// replication factor `min(transaction.state.log.replication.factor, brokers)` and
    /// `min.insync.replicas` from `transaction.state.log.min.isr` (at most the replication
    /// factor). As in Kafka it is created on first use: here when the first transactional
    /// producer is added.
    pub(super) fn create_transaction_state_topic(&mut self) -> Result<(), ActionError> {
        let tc = self.config.broker.txn_coordinator.clone();
        let rf = tc.replication_factor.clamp(1, self.config.brokers);
        let configs = [
            ("cleanup.policy".to_string(), "compact".to_string()),
            ("min.insync.replicas".to_string(), tc.min_isr.clamp(1, rf).to_string()),
        ];
        self.create_topic(TRANSACTION_STATE_TOPIC, tc.num_partitions, rf, &configs, None)
    }

    /// `__share_group_state`: `share.coordinator.state.topic.num.partitions` partitions,
    /// replication factor `min(share.coordinator.state.topic.replication.factor (3), brokers)`,
    /// `min.insync.replicas` from `share.coordinator.state.topic.min.isr` (2, at most the
    /// replication factor) and `cleanup.policy=delete` (Kafka prunes it by offset, it does not
    /// compact it). As in Kafka it is created on first use: here when the first share consumer
    /// is added.
    fn create_share_group_state_topic(&mut self) -> Result<(), ActionError> {
        let rf = 3.clamp(1, self.config.brokers);
        let configs = [
            ("cleanup.policy".to_string(), "delete".to_string()),
            ("min.insync.replicas".to_string(), 2.clamp(1, rf).to_string()),
        ];
        let partitions = self.config.broker.share.state_topic_num_partitions;
        self.create_topic(SHARE_GROUP_STATE_TOPIC, partitions, rf, &configs, None)
    }

    fn with_transactional_producer(
        &mut self,
        producer: u32,
        f: impl FnOnce(
            &mut Producer,
            Millis,
            &mut ChaCha8Rng,
            &mut Outbox<crate::producer::Timer>,
        ) -> Result<(), TxnCallError>,
    ) -> Result<ActionOutcome, ActionError> {
        self.check_producer_running(producer)?;
        let now = self.now;
        let mut out = Outbox::default();
        let p = self.producers.get_mut(&producer).ok_or(ActionError::UnknownProducer(producer))?;
        f(p, now, &mut self.rng, &mut out).map_err(|e| match e {
            TxnCallError::NotTransactional => ActionError::NotTransactional(producer),
            TxnCallError::InvalidState(state) => ActionError::TransactionState { producer, state },
        })?;
        self.flush_producer(producer, out);
        Ok(ActionOutcome::Done)
    }

    /// A transactional commit mode needs a transactional producer; either way the consumer
    /// must not auto-commit (its offsets follow its outputs).
    fn link_processor(
        &mut self,
        consumer: u32,
        producer: u32,
        output: Option<String>,
    ) -> Result<ActionOutcome, ActionError> {
        let c = self.consumers.get(&consumer).ok_or(ActionError::UnknownConsumer(consumer))?;
        let p = self.producers.get(&producer).ok_or(ActionError::UnknownProducer(producer))?;
        match &output {
            Some(topic) if !self.metadata().topics.contains_key(topic) => {
                return Err(ActionError::UnknownTopic(topic.clone()))
            }
            None if c.app.program.is_none() => return Err(ActionError::NoOutput(consumer)),
            _ => {}
        }
        if c.config.enable_auto_commit {
            return Err(ActionError::Config(ConfigError::invalid(
                "enable.auto.commit",
                "true",
                "false for a consume-transform-produce application",
            )));
        }
        if c.app.commit == consumer::CommitMode::Transactional && p.transaction().is_none() {
            return Err(ActionError::NotTransactional(producer));
        }
        if let Some(c) = self.consumers.get_mut(&consumer) {
            c.capture_processed = true;
            c.flush_before_commit = c.app.commit == consumer::CommitMode::SyncAfterProcessing;
            c.output_each_record = true;
        }
        self.processors.insert(consumer, super::processor::Processor::new(consumer, producer, output));
        Ok(ActionOutcome::Done)
    }

    fn add_consumer(
        &mut self,
        name: String,
        topics: Vec<String>,
        configs: &[(String, String)],
        app: ConsumerApp,
    ) -> Result<ActionOutcome, ActionError> {
        let config = ConsumerConfig::from_pairs(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        if topics.is_empty() {
            return Err(ActionError::NoTopics);
        }
        if let Some(missing) = topics.iter().find(|t| !self.metadata().topics.contains_key(*t)) {
            return Err(ActionError::UnknownTopic(missing.clone()));
        }
        if !self.metadata().topics.contains_key(OFFSETS_TOPIC) {
            self.create_offsets_topic()?;
        }
        if config.group_protocol == consumer::config::GroupProtocol::Share
            && !self.metadata().topics.contains_key(SHARE_GROUP_STATE_TOPIC)
        {
            self.create_share_group_state_topic()?;
        }
        let id = self.next_client_id;
        self.next_client_id += 1;
        let bootstrap = self.broker_ids();
        let mut consumer = Consumer::new(id, id, name, topics, config, app, bootstrap);
        consumer.configs = configs.to_vec();
        self.consumers.insert(id, consumer);
        self.start_consumer(id);
        Ok(ActionOutcome::ConsumerAdded { consumer: id })
    }

    /// Hands `request` to `broker` as the admin client's request, and sends on what it answers.
    fn admin_request(&mut self, broker: i32, request: Message) -> Result<(), ActionError> {
        let now = self.now;
        let mut out = Outbox::default();
        self.brokers
            .get_mut(&broker)
            .filter(|b| b.state != BrokerState::Dead)
            .ok_or(ActionError::UnknownNode(NodeId::Broker(broker)))?
            .on_message(ADMIN_CLIENT, request, now, &mut self.rng, &mut out);
        self.flush_broker(broker, out);
        Ok(())
    }

    /// Starts producer `producer`'s next process, with `config`, on a new client node: nothing
    /// of the old process's state carries over (see `Producer::restarted`).
    fn restart_producer(
        &mut self,
        producer: u32,
        configs: Vec<(String, String)>,
        config: ProducerConfig,
    ) -> Result<(), ActionError> {
        let node = self.next_client_id;
        let bootstrap = self.broker_ids();
        let old = self.producers.get(&producer).ok_or(ActionError::UnknownProducer(producer))?;
        let fresh = old.restarted(node, bootstrap, configs, config);
        self.next_client_id += 1;
        self.producers.insert(producer, fresh);
        self.producer_nodes.insert(node, producer);
        self.dispatch(NodeId::Client(node), Input::Start);
        Ok(())
    }

    fn restart_consumer(&mut self, id: u32) -> Result<ActionOutcome, ActionError> {
        let old = self.consumers.get(&id).ok_or(ActionError::UnknownConsumer(id))?;
        if self.consumer_running(id) {
            return Err(ActionError::ConsumerRunning(id));
        }
        let node = self.next_client_id;
        self.next_client_id += 1;
        let bootstrap = self.broker_ids();
        let mut fresh = Consumer::new(
            id,
            node,
            old.name.clone(),
            old.topics.clone(),
            old.config.clone(),
            old.app.clone(),
            bootstrap,
        );
        fresh.configs = old.configs.clone();
        fresh.processed_records = old.processed_records;
        fresh.listener_stats = old.listener_stats;
        // A processor's new process starts with nothing processed to output; a verifier keeps
        // its record of every offset it returned.
        fresh.capture_processed = old.capture_processed;
        if !self.processors.contains_key(&id) {
            fresh.processed_output = old.processed_output.clone();
        }
        fresh.flush_before_commit = old.flush_before_commit;
        fresh.output_each_record = old.output_each_record;
        fresh.duplicates = old.duplicates;
        fresh.skipped = old.skipped;
        self.consumers.insert(id, fresh);
        self.start_consumer(id);
        Ok(ActionOutcome::ConsumerAdded { consumer: id })
    }

    fn start_consumer(&mut self, id: u32) {
        let Some(node) = self.consumers.get(&id).map(|c| c.node) else { return };
        self.consumer_nodes.insert(node, id);
        self.dispatch(NodeId::Client(node), Input::Start);
    }

    /// Installs `consumer`'s listener program (parsed against the live cluster by
    /// `scenario::listener_action`); None removes the declared listener.
    fn set_listener_program(&mut self, consumer: u32, program: Option<Program>) -> Result<ActionOutcome, ActionError> {
        let c = self.consumers.get_mut(&consumer).ok_or(ActionError::UnknownConsumer(consumer))?;
        c.app.program = program;
        Ok(ActionOutcome::Done)
    }

    fn check_consumer_running(&self, id: u32) -> Result<u32, ActionError> {
        let c = self.consumers.get(&id).ok_or(ActionError::UnknownConsumer(id))?;
        self.consumer_running(id).then_some(c.node).ok_or(ActionError::ConsumerStopped(id))
    }

    fn with_running_consumer(
        &mut self,
        id: u32,
        f: impl FnOnce(&mut Consumer, Millis, &mut ChaCha8Rng, &mut Outbox<consumer::Timer>),
    ) -> Result<(), ActionError> {
        self.check_consumer_running(id)?;
        let now = self.now;
        let mut out = Outbox::default();
        if let Some(c) = self.consumers.get_mut(&id) {
            f(c, now, &mut self.rng, &mut out);
        }
        self.flush_consumer(id, out);
        Ok(())
    }
}

/// `configs` with `key` set to `value`, replacing any earlier value of `key`.
fn with_config(configs: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut configs: Vec<(String, String)> = configs.iter().filter(|(k, _)| k != key).cloned().collect();
    configs.push((key.to_string(), value.to_string()));
    configs
}
