//! The world: every node, the network, the clock and the RNG, advanced one event at a time.
//!
//! Inputs are [`Action`]s (what a learner, a scenario or chaos does) and the events the world
//! schedules for itself; nothing else changes it. Same seed + same actions = same trace.

pub use super::message_log::MESSAGES_KEPT;
use super::message_log::{LoggedMessage, MessageLog, MessageOutcome};
use super::network::{Network, NetworkConfig};
use super::outbox::Outbox;
use super::queue::EventQueue;
use super::trace::TraceHasher;
use super::{Millis, NodeId};
use crate::broker::topic_config::TopicConfig;
use crate::broker::{self, Broker, BrokerConfig, BrokerState};
use crate::check::delivery::{AuditContext, DeliveryAudit};
use crate::config::ConfigError;
use crate::consumer::config::ConsumerConfig;
use crate::consumer::{self, Consumer, ConsumerApp, SeekTo};
use crate::controller::metadata::{MetadataEntry, MetadataImage, MetadataRecord};
use crate::controller::CreateTopicError;
use crate::group::history::GroupHistory;
use crate::group::offsets::OFFSETS_TOPIC;
use crate::metrics::{Gauges, Metrics};
use crate::narration::Fact;
use crate::producer::config::ProducerConfig;
use crate::producer::stream::{KeyPattern, Stream};
use crate::producer::{self, Producer, ProducerRecord};
use crate::protocol::TopicPartition;
use crate::protocol::{Acks, Message};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// How the world is built before any action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorldConfig {
    pub brokers: i32,
    pub network: NetworkConfig,
    pub broker: BrokerConfig,
    /// Allows values below Kafka's minimums (e.g. tiny `segment.bytes`) so effects show quickly.
    pub teaching_mode: bool,
    /// How many recent facts the world keeps for the narration feed.
    pub fact_history: usize,
    /// Producers remember every acknowledged record (for the data-loss checker).
    pub track_acked_records: bool,
    /// How many finished protocol messages the world keeps for a sequence diagram (0: none).
    /// Recording copies every message, which costs about a third of the kernel's speed, so the
    /// bench workloads leave it off; scenarios and presets keep [`MESSAGES_KEPT`].
    pub message_log: usize,
}

impl Default for WorldConfig {
    fn default() -> Self {
        WorldConfig {
            brokers: 3,
            network: NetworkConfig::default(),
            broker: BrokerConfig::default(),
            teaching_mode: false,
            fact_history: 2000,
            track_acked_records: false,
            message_log: 0,
        }
    }
}

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
    /// An admin client's OffsetCommit outside the group protocol (generation -1, no member id),
    /// as `kafka-consumer-groups --reset-offsets --execute` sends it. The group's coordinator
    /// accepts it only while the group is empty, as Kafka's does.
    AlterConsumerGroupOffsets {
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
}

/// The node an admin client's requests come from. Nothing answers it: the admin client reads
/// the outcome from the world's state, so responses addressed to it are not sent.
pub const ADMIN_CLIENT: NodeId = NodeId::Client(u32::MAX);

/// What an accepted action produced, when the caller needs an id back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionOutcome {
    Done,
    ProducerAdded { producer: u32 },
    Sent { send_id: u64 },
    ConsumerAdded { consumer: u32 },
}

/// Why an action was refused. The world is unchanged when an action is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionError {
    Config(ConfigError),
    CreateTopic(CreateTopicError),
    UnknownNode(NodeId),
    UnknownProducer(u32),
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
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionError::Config(e) => e.fmt(f),
            ActionError::CreateTopic(e) => e.fmt(f),
            ActionError::UnknownNode(n) => write!(f, "there is no node `{n}`"),
            ActionError::UnknownProducer(p) => write!(f, "there is no producer {p}"),
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
        }
    }
}

impl std::error::Error for ActionError {}

impl From<ConfigError> for ActionError {
    fn from(e: ConfigError) -> Self {
        ActionError::Config(e)
    }
}

/// A fact with the virtual time it happened at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimedFact {
    pub at_ms: Millis,
    /// Position in the world's whole fact stream (0-based), stable across replays.
    pub index: u64,
    #[serde(flatten)]
    pub fact: Fact,
}

#[derive(Debug, Clone)]
enum Event {
    Deliver(u64),
    /// `node` learns that its connection to `peer` broke (a refused or reset connection).
    Disconnected {
        node: NodeId,
        peer: NodeId,
    },
    BrokerTimer(i32, u64, broker::Timer),
    ProducerTimer(u32, producer::Timer),
    /// A timer of the consumer process running on client node `node`.
    ConsumerTimer(u32, consumer::Timer),
}

#[derive(Debug, Clone)]
pub struct World {
    config: WorldConfig,
    seed: u64,
    now: Millis,
    queue: EventQueue<Event>,
    /// Queue length after the last sweep of stale timers.
    queue_len_after_sweep: usize,
    rng: ChaCha8Rng,
    network: Network<Message>,
    brokers: BTreeMap<i32, Broker>,
    producers: BTreeMap<u32, Producer>,
    /// Bumped at each broker restart; timers of an earlier incarnation are ignored.
    incarnations: BTreeMap<i32, u64>,
    /// Persistent: a checkpoint shares the fact history with the live world instead of copying it.
    facts: imbl::Vector<TimedFact>,
    fact_count: u64,
    trace: TraceHasher,
    events_processed: u64,
    actions_applied: u64,
    next_client_id: u32,
    /// Consumers by their stable id (the client node of their first process).
    consumers: BTreeMap<u32, Consumer>,
    /// Client node of each running consumer process -> consumer id.
    consumer_nodes: BTreeMap<u32, u32>,
    /// Observations fed by facts and messages; none of them changes behaviour or the trace.
    delivery: DeliveryAudit,
    metrics: Metrics,
    group_history: GroupHistory,
    messages: MessageLog,
}

impl World {
    /// A cluster of `config.brokers` live brokers (ids 1..=n), no topics, no clients.
    pub fn new(config: WorldConfig, seed: u64) -> Result<World, ConfigError> {
        if !(1..=64).contains(&config.brokers) {
            return Err(ConfigError::invalid("brokers", &config.brokers.to_string(), "an integer in [1, 64]"));
        }
        let mut world = World {
            network: Network::new(config.network),
            seed,
            now: 0,
            queue: EventQueue::default(),
            queue_len_after_sweep: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            brokers: BTreeMap::new(),
            producers: BTreeMap::new(),
            incarnations: BTreeMap::new(),
            facts: imbl::Vector::new(),
            fact_count: 0,
            trace: TraceHasher::default(),
            events_processed: 0,
            actions_applied: 0,
            next_client_id: 1,
            consumers: BTreeMap::new(),
            consumer_nodes: BTreeMap::new(),
            delivery: DeliveryAudit::default(),
            metrics: Metrics::default(),
            group_history: GroupHistory::default(),
            messages: MessageLog::new(config.message_log),
            config,
        };
        // The simulation begins with a running KRaft cluster (combined mode): the first three
        // brokers are the controller quorum, broker 1 leads it in epoch 1, and every broker is
        // registered and unfenced, as after a normal start-up.
        let voters: Vec<i32> = (1..=world.config.brokers.min(3)).collect();
        let log = bootstrap_metadata_log(world.config.brokers);
        for id in 1..=world.config.brokers {
            let mut broker = Broker::new(id, voters.clone(), world.config.broker.clone());
            broker.raft.bootstrap(1, 1, log.clone());
            for entry in &log {
                broker.image.apply(entry);
            }
            broker.broker_epoch = broker.image.brokers.get(&id).map_or(-1, |b| b.broker_epoch);
            world.brokers.insert(id, broker);
        }
        for id in 1..=world.config.brokers {
            world.start_broker(id);
        }
        world.check_offsets_topic_config()?;
        Ok(world)
    }

    fn start_broker(&mut self, id: i32) {
        let now = self.now;
        let mut out = Outbox::default();
        if let Some(broker) = self.brokers.get_mut(&id) {
            broker.start(now, &mut self.rng, &mut out);
        }
        self.record(Fact::BrokerStarted { broker: id });
        self.flush_broker(id, out);
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn config(&self) -> &WorldConfig {
        &self.config
    }

    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    pub fn trace_hash(&self) -> u64 {
        std::hash::Hasher::finish(&self.trace)
    }

    /// The most recent facts, oldest first.
    pub fn facts(&self) -> impl DoubleEndedIterator<Item = &TimedFact> + ExactSizeIterator {
        self.facts.iter()
    }

    /// The kept facts with `index >= since`, oldest first, found without scanning the history:
    /// readers that follow the world keep a cursor and read only what is new.
    pub fn facts_since(&self, since: u64) -> impl DoubleEndedIterator<Item = &TimedFact> + ExactSizeIterator {
        let new = self.fact_count.saturating_sub(since).min(self.facts.len() as u64) as usize;
        self.facts.focus().narrow(self.facts.len() - new..).into_iter()
    }

    /// Forgets all but the last `keep` facts of the history (a checkpoint's copy; the count and
    /// every fact's index are unchanged).
    pub(crate) fn keep_last_facts(&mut self, keep: usize) {
        if self.facts.len() > keep {
            self.facts = self.facts.skip(self.facts.len() - keep);
        }
    }

    /// Empties the message log (a checkpoint's copy; a replay from it records the rest again).
    pub(crate) fn forget_messages(&mut self) {
        self.messages.forget(self.now);
    }

    pub fn fact_count(&self) -> u64 {
        self.fact_count
    }

    pub fn brokers(&self) -> impl Iterator<Item = &Broker> {
        self.brokers.values()
    }

    pub fn broker(&self, id: i32) -> Option<&Broker> {
        self.brokers.get(&id)
    }

    pub fn producers(&self) -> impl Iterator<Item = &Producer> {
        self.producers.values()
    }

    pub fn producer(&self, id: u32) -> Option<&Producer> {
        self.producers.get(&id)
    }

    /// The cluster metadata as the active controller sees it (or, with no active controller,
    /// the most advanced image any broker holds).
    pub fn metadata(&self) -> &MetadataImage {
        match self.active_controller().and_then(|id| self.brokers.get(&id)?.controller.as_ref()) {
            Some(controller) => &controller.image,
            None => self
                .brokers
                .values()
                .map(|b| &b.image)
                .max_by_key(|image| image.offset)
                .expect("a world always has at least one broker"),
        }
    }

    pub fn network(&self) -> &Network<Message> {
        &self.network
    }

    /// The live broker hosting the active controller (the quorum leader of the highest epoch).
    pub fn active_controller(&self) -> Option<i32> {
        self.brokers
            .values()
            .filter(|b| b.state != BrokerState::Dead && b.controller.is_some())
            .max_by_key(|b| b.raft.epoch)
            .map(|b| b.id)
    }

    /// A broker as the UI shows it: dead, fenced by the active controller, or alive.
    pub fn broker_state(&self, id: i32) -> Option<BrokerState> {
        let broker = self.brokers.get(&id)?;
        Some(if broker.state == BrokerState::Dead {
            BrokerState::Dead
        } else if self.metadata().brokers.get(&id).is_none_or(|r| r.fenced) {
            BrokerState::Fenced
        } else {
            BrokerState::Alive
        })
    }

    /// How many actions succeeded so far (time travel replays the ones a checkpoint lacks).
    pub fn actions_applied(&self) -> u64 {
        self.actions_applied
    }

    /// Applies one action at the current virtual time. A refused action changes nothing.
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        let outcome = self.apply_action(action)?;
        self.actions_applied += 1;
        self.drop_stale_timers();
        Ok(outcome)
    }

    fn apply_action(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
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
                let id = self.next_client_id;
                self.next_client_id += 1;
                let bootstrap = self.brokers.keys().copied().collect();
                let mut producer = Producer::new(id, name.clone(), config, bootstrap);
                if self.config.track_acked_records {
                    producer.acked_log = Some(Vec::new());
                }
                self.producers.insert(id, producer);
                self.record(Fact::ProducerStarted { producer: id, name });
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
                let now = self.now;
                let mut out = Outbox::default();
                let p = self.producers.get_mut(&producer).ok_or(ActionError::UnknownProducer(producer))?;
                p.start_stream(Stream::new(topic, records_per_sec, keys), now, &mut out);
                self.flush_producer(producer, out);
                Ok(ActionOutcome::Done)
            }
            Action::StopStream { producer } => {
                self.producers.get_mut(&producer).ok_or(ActionError::UnknownProducer(producer))?.stop_stream();
                Ok(ActionOutcome::Done)
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
            Action::RestartBroker { broker } => {
                let b = self.brokers.get(&broker).ok_or(ActionError::UnknownNode(NodeId::Broker(broker)))?;
                if b.state != BrokerState::Dead {
                    return Err(ActionError::BrokerNotDead(broker));
                }
                self.start_broker(broker);
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
                self.with_running_consumer(consumer, |c, now, _, out| c.crash(now, out))?;
                self.consumer_nodes.retain(|_, id| *id != consumer);
                Ok(ActionOutcome::Done)
            }
            Action::CloseConsumer { consumer } => {
                self.with_running_consumer(consumer, |c, now, _, out| c.close(now, out))?;
                self.consumer_nodes.retain(|_, id| *id != consumer);
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
            Action::AlterConsumerGroupOffsets { group, offsets } => {
                let coordinator = self
                    .brokers
                    .values()
                    .find(|b| b.state != BrokerState::Dead && b.group_coordinator.is_coordinator_for(&group))
                    .map(|b| b.id)
                    .ok_or_else(|| ActionError::NoCoordinator(group.clone()))?;
                let request = Message::OffsetCommitRequest {
                    correlation_id: 0,
                    group_id: group,
                    generation_id: -1,
                    member_id: String::new(),
                    group_instance_id: None,
                    offsets,
                };
                let now = self.now;
                let mut out = Outbox::default();
                if let Some(broker) = self.brokers.get_mut(&coordinator) {
                    broker.on_message(ADMIN_CLIENT, request, now, &mut self.rng, &mut out);
                }
                self.flush_broker(coordinator, out);
                Ok(ActionOutcome::Done)
            }
        }
    }

    /// Every node: brokers, then clients.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.brokers
            .keys()
            .map(|b| NodeId::Broker(*b))
            .chain(self.producers.keys().map(|c| NodeId::Client(*c)))
            .chain(self.consumer_nodes.keys().map(|c| NodeId::Client(*c)))
    }

    fn check_node(&self, node: NodeId) -> Result<(), ActionError> {
        let exists = match node {
            NodeId::Broker(id) => self.brokers.contains_key(&id),
            NodeId::Client(id) => self.producers.contains_key(&id) || self.consumer_nodes.contains_key(&id),
        };
        exists.then_some(()).ok_or(ActionError::UnknownNode(node))
    }

    fn check_link(&self, from: NodeId, to: NodeId) -> Result<(), ActionError> {
        self.check_node(from)?;
        self.check_node(to)?;
        (from != to).then_some(()).ok_or(ActionError::SameNode(from))
    }

    /// Kafka rejects a record for a partition the topic does not have before it is queued.
    fn check_record(&self, producer: u32, record: &ProducerRecord) -> Result<(), ActionError> {
        if !self.producers.contains_key(&producer) {
            return Err(ActionError::UnknownProducer(producer));
        }
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

    fn kill_broker(&mut self, id: i32) -> Result<(), ActionError> {
        let broker = self.brokers.get_mut(&id).ok_or(ActionError::UnknownNode(NodeId::Broker(id)))?;
        if broker.state == BrokerState::Dead {
            return Err(ActionError::BrokerAlreadyDead(id));
        }
        broker.crash();
        *self.incarnations.entry(id).or_insert(0) += 1;
        self.record(Fact::BrokerStopped { broker: id });
        // The process is gone: its connections reset, and every peer with traffic on one notices.
        let node = NodeId::Broker(id);
        let latency = self.config.network.latency_ms;
        for envelope in self.network.drop_messages_of(node) {
            let now = self.now;
            self.messages.record(|| LoggedMessage::from_envelope(&envelope, now, MessageOutcome::Reset));
            let peer = if envelope.from == node { envelope.to } else { envelope.from };
            self.queue.push(self.now + latency, Event::Disconnected { node: peer, peer: node });
        }
        Ok(())
    }

    /// Processes the next event. Returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let stepped = self.process_next();
        self.drop_stale_timers();
        stepped
    }

    /// Whether `event` would do anything if it fired now. A timer whose request was answered, whose
    /// token was replaced or whose process is gone is ignored by its node; such timers are dropped
    /// unseen (not counted, not traced, the clock not moved), so that a checkpoint does not copy
    /// them and a replay does not walk through them. Kafka cancels these timers outright.
    fn is_live(&self, event: &Event) -> bool {
        match event {
            Event::BrokerTimer(id, incarnation, timer) => {
                self.incarnations.get(id).copied().unwrap_or(0) == *incarnation
                    && self.brokers.get(id).is_some_and(|b| b.state != BrokerState::Dead && b.timer_is_live(timer))
            }
            Event::ProducerTimer(id, timer) => self.producers.get(id).is_some_and(|p| p.timer_is_live(timer)),
            Event::ConsumerTimer(node, _) => {
                self.consumer_nodes.get(node).is_some_and(|id| self.consumers.contains_key(id))
            }
            Event::Deliver(_) | Event::Disconnected { .. } => true,
        }
    }

    /// Keeps the next event a live one (so [`Self::next_event_time`] is exact), and sweeps the
    /// whole queue whenever it has doubled since the last sweep (amortised O(1) per event).
    fn drop_stale_timers(&mut self) {
        while self.queue.peek().is_some_and(|e| !self.is_live(e)) {
            self.queue.pop();
        }
        if self.queue.len() > 2 * self.queue_len_after_sweep.max(512) {
            let mut queue = std::mem::take(&mut self.queue);
            queue.retain(|e| self.is_live(e));
            self.queue = queue;
            self.queue_len_after_sweep = self.queue.len();
        }
    }

    fn process_next(&mut self) -> bool {
        let Some((at, seq, event)) = self.queue.pop() else { return false };
        if at >= self.metrics.next_sample_ms() {
            let gauges = Gauges::read(self);
            self.metrics.sample_until(at, gauges);
        }
        self.now = at;
        self.events_processed += 1;
        self.trace.u64(at);
        self.trace.u64(seq);
        match event {
            Event::Deliver(id) => self.deliver(id),
            Event::Disconnected { node, peer } => {
                self.trace.u64(2);
                self.disconnected(node, peer);
            }
            Event::BrokerTimer(id, incarnation, timer) => {
                self.trace.u64(3);
                let current = self.incarnations.get(&id).copied().unwrap_or(0);
                if let Some(broker) =
                    self.brokers.get_mut(&id).filter(|b| b.state != BrokerState::Dead && incarnation == current)
                {
                    let mut out = Outbox::default();
                    broker.on_timer(timer, at, &mut self.rng, &mut out);
                    self.flush_broker(id, out);
                }
            }
            Event::ProducerTimer(id, timer) => {
                self.trace.u64(4);
                if let Some(producer) = self.producers.get_mut(&id) {
                    let mut out = Outbox::default();
                    producer.on_timer(timer, at, &mut self.rng, &mut out);
                    self.flush_producer(id, out);
                }
            }
            Event::ConsumerTimer(node, timer) => {
                self.trace.u64(5);
                let Some(id) = self.consumer_nodes.get(&node).copied() else { return true };
                if let Some(consumer) = self.consumers.get_mut(&id) {
                    let mut out = Outbox::default();
                    consumer.on_timer(timer, at, &mut self.rng, &mut out);
                    self.flush_consumer(id, out);
                }
            }
        }
        true
    }

    /// Processes every event scheduled at or before `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        while self.queue.peek_time().is_some_and(|next| next <= t) {
            self.step();
        }
        self.advance_clock(t);
    }

    /// Moves the clock forward to `t` without processing events (never backwards).
    pub(crate) fn advance_clock(&mut self, t: Millis) {
        self.now = self.now.max(t);
    }

    /// The time of the next scheduled event, if any.
    pub fn next_event_time(&self) -> Option<Millis> {
        self.queue.peek_time()
    }

    fn deliver(&mut self, id: u64) {
        self.trace.u64(1);
        let envelope = match self.network.deliver(id) {
            None => return,
            Some(Ok(envelope)) => envelope,
            Some(Err((envelope, reason))) => {
                let now = self.now;
                self.messages
                    .record(|| LoggedMessage::from_envelope(&envelope, now, MessageOutcome::Dropped { reason }));
                self.record(Fact::MessageDropped {
                    from: envelope.from,
                    to: envelope.to,
                    kind: envelope.body.kind(),
                    reason,
                });
                return;
            }
        };
        self.trace.bytes(envelope.body.kind().as_bytes());
        let (from, to, now) = (envelope.from, envelope.to, self.now);
        let refused = matches!(to, NodeId::Broker(b) if self.brokers.get(&b).is_none_or(|broker| broker.state == BrokerState::Dead));
        let outcome = if refused { MessageOutcome::Reset } else { MessageOutcome::Delivered };
        self.messages.record(|| LoggedMessage::from_envelope(&envelope, now, outcome));
        match to {
            NodeId::Broker(b) => {
                if refused {
                    // Nobody listens on a dead broker's port: the sender sees the connection refused.
                    self.queue.push(now + self.config.network.latency_ms, Event::Disconnected { node: from, peer: to });
                    return;
                }
                let mut out = Outbox::default();
                if let Some(broker) = self.brokers.get_mut(&b) {
                    broker.on_message(from, envelope.body, now, &mut self.rng, &mut out);
                }
                self.flush_broker(b, out);
            }
            NodeId::Client(c) if self.consumer_nodes.contains_key(&c) => {
                let Some(id) = self.consumer_nodes.get(&c).copied() else { return };
                let mut out = Outbox::default();
                if let Some(consumer) = self.consumers.get_mut(&id) {
                    consumer.on_message(from, envelope.body, now, &mut self.rng, &mut out);
                }
                self.flush_consumer(id, out);
            }
            NodeId::Client(c) => {
                if let Message::ProduceResponse { correlation_id, .. } = &envelope.body {
                    self.metrics.produce_response_received(c, *correlation_id, now);
                }
                let mut out = Outbox::default();
                if let Some(producer) = self.producers.get_mut(&c) {
                    let NodeId::Broker(broker) = from else { return };
                    producer.on_message(broker, envelope.body, now, &mut self.rng, &mut out);
                }
                self.flush_producer(c, out);
            }
        }
    }

    fn disconnected(&mut self, node: NodeId, peer: NodeId) {
        let NodeId::Broker(peer_id) = peer else { return };
        let now = self.now;
        match node {
            NodeId::Broker(b) => {
                let mut out = Outbox::default();
                if let Some(broker) = self.brokers.get_mut(&b).filter(|b| b.state != BrokerState::Dead) {
                    broker.on_disconnect(peer_id, now, &mut out);
                }
                self.flush_broker(b, out);
            }
            NodeId::Client(c) if self.consumer_nodes.contains_key(&c) => {
                let Some(id) = self.consumer_nodes.get(&c).copied() else { return };
                let mut out = Outbox::default();
                if let Some(consumer) = self.consumers.get_mut(&id) {
                    consumer.on_disconnect(peer_id, now, &mut self.rng, &mut out);
                }
                self.flush_consumer(id, out);
            }
            NodeId::Client(c) => {
                let mut out = Outbox::default();
                if let Some(producer) = self.producers.get_mut(&c) {
                    producer.on_disconnect(peer_id, now, &mut self.rng, &mut out);
                }
                self.flush_producer(c, out);
            }
        }
    }

    fn flush_broker(&mut self, id: i32, out: Outbox<broker::Timer>) {
        let incarnation = self.incarnations.get(&id).copied().unwrap_or(0);
        for (at, timer) in out.timers {
            self.queue.push(at, Event::BrokerTimer(id, incarnation, timer));
        }
        self.flush_common(NodeId::Broker(id), out.messages, out.facts);
    }

    fn flush_producer(&mut self, id: u32, out: Outbox<producer::Timer>) {
        for (at, timer) in out.timers {
            self.queue.push(at, Event::ProducerTimer(id, timer));
        }
        self.flush_common(NodeId::Client(id), out.messages, out.facts);
    }

    fn flush_consumer(&mut self, id: u32, out: Outbox<consumer::Timer>) {
        let Some(node) = self.consumers.get(&id).map(|c| c.node) else { return };
        for (at, timer) in out.timers {
            self.queue.push(at, Event::ConsumerTimer(node, timer));
        }
        self.flush_common(NodeId::Client(node), out.messages, out.facts);
    }

    fn flush_common(&mut self, from: NodeId, messages: Vec<(NodeId, Message)>, facts: Vec<Fact>) {
        for fact in facts {
            self.record(fact);
        }
        for (to, message) in messages.into_iter().filter(|(to, _)| *to != ADMIN_CLIENT) {
            let kind = message.kind();
            let produce = match (&message, from) {
                (Message::ProduceRequest { correlation_id, acks, .. }, NodeId::Client(c)) if *acks != Acks::None => {
                    Some((c, *correlation_id))
                }
                _ => None,
            };
            match self.network.send(&mut self.rng, self.now, from, to, message) {
                Ok((id, arrive_at)) => {
                    self.queue.push(arrive_at, Event::Deliver(id));
                    if let Some((producer, correlation_id)) = produce {
                        self.metrics.produce_request_sent(producer, correlation_id, self.now);
                    }
                }
                // A cut link looks like a dead connection only after a timeout: the sender's
                // request timer notices, as in Kafka.
                Err(reason) => {
                    let now = self.now;
                    self.messages.record(|| LoggedMessage {
                        id: None,
                        from,
                        to,
                        kind,
                        sent_at_ms: now,
                        end_at_ms: now,
                        outcome: MessageOutcome::Dropped { reason },
                        body: None,
                    });
                    self.record(Fact::MessageDropped { from, to, kind, reason });
                }
            }
        }
    }

    /// Adds a fact to the history and the trace, then feeds it to the observers: the metrics, the
    /// groups' history and the delivery audit, whose findings are recorded right after it.
    fn record(&mut self, fact: Fact) {
        std::hash::Hash::hash(&fact, &mut self.trace);
        self.observe(&fact);
        let findings = self.audit(&fact);
        let timed = TimedFact { at_ms: self.now, index: self.fact_count, fact };
        self.fact_count += 1;
        if self.facts.len() == self.config.fact_history {
            self.facts.pop_front();
        }
        self.facts.push_back(timed);
        for fact in findings {
            self.record(fact);
        }
    }

    fn observe(&mut self, fact: &Fact) {
        let bytes_in = match fact {
            Fact::BatchAppended { topic_partition, broker, .. } => self
                .brokers
                .get(broker)
                .and_then(|b| b.replicas.get(topic_partition))
                .and_then(|r| r.log.active_segment().batches().last())
                .map_or(0, |stored| u64::from(stored.size_in_bytes)),
            _ => 0,
        };
        self.metrics.observe(fact, self.now, bytes_in);
        self.group_history.observe(fact, self.now);
    }

    /// Runs the delivery audit on one fact with the partition's leader replica; adds what it found
    /// to the consumer's counters and returns the facts to record next.
    fn audit(&mut self, fact: &Fact) -> Vec<Fact> {
        let leader = match fact {
            Fact::LeaderElected { topic_partition, leader, .. } => Some((topic_partition, *leader)),
            Fact::HighWatermarkAdvanced { topic_partition, broker, .. } => Some((topic_partition, *broker)),
            Fact::LogTruncated { topic_partition, .. } | Fact::ProduceAcked { topic_partition, .. } => {
                self.metadata().partition(topic_partition).map(|p| (topic_partition, p.leader))
            }
            _ => None,
        };
        let leader = leader.and_then(|(tp, id)| self.brokers.get(&id)?.replicas.get(tp));
        let findings = self.delivery.observe(fact, self.now, AuditContext { leader });
        if let Fact::RecordsProcessed { consumer, .. } = fact {
            if let Some(c) = self.consumers.get_mut(consumer) {
                c.duplicates += findings.duplicates;
                c.skipped += findings.skipped;
            }
        }
        findings.facts
    }
}

/// The metadata log of a freshly started cluster: broker 1 won the first election, and every
/// broker registered and was unfenced.
fn bootstrap_metadata_log(brokers: i32) -> Vec<MetadataEntry> {
    let mut records = vec![MetadataRecord::LeaderChange { leader_id: 1, epoch: 1 }];
    for id in 1..=brokers {
        records.push(MetadataRecord::RegisterBroker { broker_id: id, broker_epoch: records.len() as i64 });
    }
    for id in 1..=brokers {
        let broker_epoch = id as i64;
        records.push(MetadataRecord::BrokerRegistrationChange { broker_id: id, broker_epoch, fenced: false });
    }
    records
        .into_iter()
        .enumerate()
        .map(|(offset, record)| MetadataEntry { offset: offset as i64, epoch: 1, record })
        .collect()
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
    pub fn metrics_now(&self) -> crate::metrics::MetricsSample {
        self.metrics.current(self.now, Gauges::read(self))
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

    fn check_offsets_topic_config(&self) -> Result<(), ConfigError> {
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
    fn create_offsets_topic(&mut self) -> Result<(), ConfigError> {
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
        let id = self.next_client_id;
        self.next_client_id += 1;
        let bootstrap = self.brokers.keys().copied().collect();
        self.consumers.insert(id, Consumer::new(id, id, name, topics, config, app, bootstrap));
        self.start_consumer(id);
        Ok(ActionOutcome::ConsumerAdded { consumer: id })
    }

    fn restart_consumer(&mut self, id: u32) -> Result<ActionOutcome, ActionError> {
        let old = self.consumers.get(&id).ok_or(ActionError::UnknownConsumer(id))?;
        if self.consumer_running(id) {
            return Err(ActionError::ConsumerRunning(id));
        }
        let node = self.next_client_id;
        self.next_client_id += 1;
        let bootstrap = self.brokers.keys().copied().collect();
        let mut fresh =
            Consumer::new(id, node, old.name.clone(), old.topics.clone(), old.config.clone(), old.app, bootstrap);
        fresh.processed_records = old.processed_records;
        fresh.duplicates = old.duplicates;
        fresh.skipped = old.skipped;
        self.consumers.insert(id, fresh);
        self.start_consumer(id);
        Ok(ActionOutcome::ConsumerAdded { consumer: id })
    }

    fn start_consumer(&mut self, id: u32) {
        let now = self.now;
        let mut out = Outbox::default();
        let Some(c) = self.consumers.get_mut(&id) else { return };
        self.consumer_nodes.insert(c.node, id);
        out.fact(Fact::ConsumerStarted {
            consumer: id,
            client: NodeId::Client(c.node),
            group: c.config.group_id.clone(),
            group_instance_id: c.config.group_instance_id.clone(),
        });
        c.start(now, &mut self.rng, &mut out);
        self.flush_consumer(id, out);
    }

    fn with_running_consumer(
        &mut self,
        id: u32,
        f: impl FnOnce(&mut Consumer, Millis, &mut ChaCha8Rng, &mut Outbox<consumer::Timer>),
    ) -> Result<(), ActionError> {
        if !self.consumers.contains_key(&id) {
            return Err(ActionError::UnknownConsumer(id));
        }
        if !self.consumer_running(id) {
            return Err(ActionError::ConsumerStopped(id));
        }
        let now = self.now;
        let mut out = Outbox::default();
        if let Some(c) = self.consumers.get_mut(&id) {
            f(c, now, &mut self.rng, &mut out);
        }
        self.flush_consumer(id, out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_since_reads_only_new_kept_facts() {
        let mut world = World::new(WorldConfig { fact_history: 3, ..WorldConfig::default() }, 1).unwrap();
        let count = world.fact_count();
        for broker in 1..=2 {
            world.apply(Action::KillBroker { broker }).unwrap();
        }
        let new: Vec<u64> = world.facts_since(count).map(|f| f.index).collect();
        assert_eq!(new, vec![count, count + 1]);
        assert_eq!(world.facts_since(world.fact_count()).count(), 0);
        assert_eq!(world.facts_since(world.fact_count() + 5).count(), 0, "a cursor past the end reads nothing");
        let kept: Vec<u64> = world.facts_since(0).map(|f| f.index).collect();
        assert_eq!(kept, world.facts().map(|f| f.index).collect::<Vec<_>>(), "dropped facts are not invented");
        assert_eq!(kept.len(), 3);
    }
}
