//! The world: every node, the network, the clock and the RNG, advanced one event at a time.
//!
//! Inputs are [`Action`]s (what a learner, a scenario or chaos does) and the events the world
//! schedules for itself; nothing else changes it. Same seed + same actions = same trace.

use super::bootstrap::bootstrap_metadata_log;
pub use super::message_log::MESSAGES_KEPT;
use super::message_log::{LoggedMessage, MessageLog, MessageOutcome};
use crate::broker::{self, Broker, BrokerConfig, BrokerState, ProcessRoles};
use crate::config::ConfigError;
use crate::consumer::{self, Consumer};
use crate::controller::metadata::MetadataImage;
use crate::delivery::{AuditContext, DeliveryAudit};
use crate::group::history::GroupHistory;
use crate::metrics::{Gauges, Metrics, ProducedBatches};
use crate::narration::Fact;
use crate::node::{Input, Node, Outbox};
use crate::producer::{self, Producer};
use crate::protocol::{Acks, ClientMessage, Message};
use crate::sim::network::{Network, NetworkConfig};
use crate::sim::queue::EventQueue;
use crate::sim::trace::TraceHasher;
use crate::sim::{Millis, NodeId};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How the world is built before any action.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct WorldConfig {
    pub brokers: i32,
    /// Dedicated controllers (`process.roles=controller`), numbered after the brokers; 0 runs
    /// combined mode, where brokers 1..=3 are also the quorum's voters.
    pub controllers: i32,
    /// `broker.rack` of brokers 1..=n in order (`racks[0]` is broker 1's); empty: no racks.
    /// With racks, topic creation places replicas across them (`StripedReplicaPlacer`).
    pub racks: Vec<String>,
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
            controllers: 0,
            racks: Vec::new(),
            network: NetworkConfig::default(),
            broker: BrokerConfig::default(),
            teaching_mode: false,
            fact_history: 2000,
            track_acked_records: false,
            message_log: 0,
        }
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
pub(super) enum Event {
    Deliver(u64),
    /// `node` learns that its connection to `peer` broke (a refused or reset connection).
    Disconnected {
        node: NodeId,
        peer: NodeId,
    },
    BrokerTimer(i32, u64, broker::Timer),
    /// A timer of the producer process running on client node `node`.
    ProducerTimer(u32, producer::Timer),
    /// A timer of the consumer process running on client node `node`.
    ConsumerTimer(u32, consumer::Timer),
}

#[derive(Debug, Clone)]
pub struct World {
    pub(super) config: WorldConfig,
    pub(super) seed: u64,
    pub(super) now: Millis,
    pub(super) queue: EventQueue<Event>,
    /// Queue length after the last sweep of stale timers.
    pub(super) queue_len_after_sweep: usize,
    pub(super) rng: ChaCha8Rng,
    pub(super) network: Network<Message>,
    pub(super) brokers: BTreeMap<i32, Broker>,
    /// The metadata quorum's voters, in id order: only they can host the active controller.
    pub(super) voters: Vec<i32>,
    /// Producers by their stable id (the client node of their first process).
    pub(super) producers: BTreeMap<u32, Producer>,
    /// Client node of each running producer process -> producer id.
    pub(super) producer_nodes: BTreeMap<u32, u32>,
    /// Bumped at each broker restart; timers of an earlier incarnation are ignored.
    pub(super) incarnations: BTreeMap<i32, u64>,
    /// Persistent: a checkpoint shares the fact history with the live world instead of copying it.
    pub(super) facts: imbl::Vector<TimedFact>,
    pub(super) fact_count: u64,
    pub(super) trace: TraceHasher,
    pub(super) events_processed: u64,
    pub(super) actions_applied: u64,
    pub(super) next_client_id: u32,
    /// Consumers by their stable id (the client node of their first process).
    pub(super) consumers: BTreeMap<u32, Consumer>,
    /// Client node of each running consumer process -> consumer id.
    pub(super) consumer_nodes: BTreeMap<u32, u32>,
    /// Observations fed by facts and messages; none of them changes behaviour or the trace.
    pub(super) delivery: DeliveryAudit,
    pub(super) metrics: Metrics,
    pub(super) group_history: GroupHistory,
    pub(super) messages: MessageLog,
    /// Consume-transform-produce applications, by their consumer.
    pub(super) processors: BTreeMap<u32, super::processor::Processor>,
    /// Kafka Streams applications, by `application.id`.
    pub(super) streams: BTreeMap<String, super::streams::StreamsApp>,
    /// Real clients' connections that a host carries into the world (bridge mode).
    pub(crate) external: super::external::ExternalClients,
}

/// Brokers and controllers a world may have: room for the 100-broker scale bench (scenario files
/// stay at 64 brokers, which the app can draw).
pub const MAX_NODES: i32 = 128;

impl World {
    /// A cluster of `config.brokers` live brokers (ids 1..=n), no topics, no clients.
    pub fn new(config: WorldConfig, seed: u64) -> Result<World, ConfigError> {
        if !(1..=MAX_NODES).contains(&config.brokers) {
            return Err(ConfigError::invalid(
                "brokers",
                &config.brokers.to_string(),
                format!("an integer in [1, {MAX_NODES}]"),
            ));
        }
        if !(0..=9).contains(&config.controllers) || config.brokers + config.controllers > MAX_NODES {
            return Err(ConfigError::invalid(
                "controllers",
                &config.controllers.to_string(),
                format!("an integer in [0, 9], with at most {MAX_NODES} nodes in all"),
            ));
        }
        if !config.racks.is_empty() && config.racks.len() != config.brokers as usize {
            return Err(ConfigError::invalid(
                "broker.rack",
                &config.racks.join(","),
                format!("one rack per broker ({} brokers, {} racks given)", config.brokers, config.racks.len()),
            ));
        }
        for rack in &config.racks {
            if crate::config::parse_rack("broker.rack", rack)?.is_empty() {
                return Err(ConfigError::invalid("broker.rack", rack, "a non-empty rack id"));
            }
        }
        let mut world = World {
            network: Network::new(config.network),
            seed,
            now: 0,
            queue: EventQueue::default(),
            queue_len_after_sweep: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            brokers: BTreeMap::new(),
            voters: Vec::new(),
            producers: BTreeMap::new(),
            producer_nodes: BTreeMap::new(),
            incarnations: BTreeMap::new(),
            facts: imbl::Vector::new(),
            fact_count: 0,
            trace: TraceHasher::default(),
            events_processed: 0,
            actions_applied: 0,
            next_client_id: 1,
            consumers: BTreeMap::new(),
            processors: BTreeMap::new(),
            streams: BTreeMap::new(),
            consumer_nodes: BTreeMap::new(),
            delivery: DeliveryAudit::default(),
            metrics: Metrics::default(),
            group_history: GroupHistory::default(),
            messages: MessageLog::new(config.message_log),
            external: Default::default(),
            config,
        };
        // The simulation begins with a running KRaft cluster: in combined mode the first three
        // brokers are the controller quorum; with dedicated controllers (numbered after the
        // brokers) those are. The first voter leads in epoch 1, and every broker is registered
        // and unfenced, as after a normal start-up.
        let (brokers, controllers) = (world.config.brokers, world.config.controllers);
        let voters: Vec<i32> = if controllers > 0 {
            (brokers + 1..=brokers + controllers).collect()
        } else {
            (1..=brokers.min(3)).collect()
        };
        let log = bootstrap_metadata_log(brokers, voters[0], &world.config.racks);
        world.voters = voters.clone();
        for id in 1..=brokers + controllers {
            let roles = match (id > brokers, controllers > 0 && id <= brokers) {
                (true, _) => ProcessRoles::CONTROLLER,
                (false, true) => ProcessRoles::BROKER,
                (false, false) => ProcessRoles::COMBINED,
            };
            let mut config = world.config.broker.clone();
            config.rack = world.config.racks.get(id as usize - 1).cloned();
            let mut broker = Broker::new(id, roles, voters.clone(), config);
            broker.raft.bootstrap(1, voters[0], log.clone());
            for entry in &log {
                broker.durable.image.apply(entry);
            }
            broker.volatile.broker_epoch = broker.durable.image.brokers.get(&id).map_or(-1, |b| b.broker_epoch);
            world.brokers.insert(id, broker);
        }
        for id in 1..=brokers + controllers {
            world.dispatch(NodeId::Broker(id), Input::Start);
        }
        world.check_offsets_topic_config()?;
        Ok(world)
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

    pub fn fact_count(&self) -> u64 {
        self.fact_count
    }

    /// Every node: brokers, and dedicated controllers if any (see [`Broker::roles`]).
    pub fn brokers(&self) -> impl Iterator<Item = &Broker> {
        self.brokers.values()
    }

    /// The nodes with the broker role: what clients bootstrap from.
    pub fn broker_ids(&self) -> Vec<i32> {
        self.brokers.values().filter(|b| b.roles.broker).map(|b| b.id).collect()
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

    /// Whether the producer's process is running.
    pub fn producer_running(&self, id: u32) -> bool {
        self.producers.get(&id).is_some_and(|p| self.producer_nodes.get(&p.node) == Some(&id))
    }

    /// The cluster metadata as the active controller sees it (or, with no active controller,
    /// the most advanced image any broker holds).
    pub fn metadata(&self) -> &MetadataImage {
        match self.active_controller().and_then(|id| self.brokers.get(&id)?.volatile.controller.as_ref()) {
            Some(controller) => &controller.image,
            None => self
                .brokers
                .values()
                .map(|b| &b.durable.image)
                .max_by_key(|image| image.offset)
                .expect("a world always has at least one broker"),
        }
    }

    pub fn network(&self) -> &Network<Message> {
        &self.network
    }

    /// The live broker hosting the active controller (the quorum leader of the highest epoch).
    pub fn active_controller(&self) -> Option<i32> {
        // Only a voter leads the quorum and hosts a controller: the voters are looked at, not
        // every broker (the delivery audit asks on each acknowledged batch, with 100 brokers).
        let hosting = |b: &&Broker| b.state != BrokerState::Dead && b.volatile.controller.is_some();
        let active = self
            .voters
            .iter()
            .filter_map(|id| self.brokers.get(id))
            .filter(hosting)
            .max_by_key(|b| b.raft.durable.epoch)
            .map(|b| b.id);
        debug_assert_eq!(
            active,
            self.brokers.values().filter(hosting).max_by_key(|b| b.raft.durable.epoch).map(|b| b.id)
        );
        active
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

    /// Every node: brokers, then clients.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.brokers
            .keys()
            .map(|b| NodeId::Broker(*b))
            .chain(self.producer_nodes.keys().map(|c| NodeId::Client(*c)))
            .chain(self.consumer_nodes.keys().map(|c| NodeId::Client(*c)))
    }

    /// Processes the next event. Returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let stepped = self.process_next();
        self.drive_processors();
        self.drive_streams();
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
            Event::ProducerTimer(node, timer) => self
                .producer_nodes
                .get(node)
                .and_then(|id| self.producers.get(id))
                .is_some_and(|p| p.timer_is_live(timer)),
            Event::ConsumerTimer(node, _) => {
                self.consumer_nodes.get(node).is_some_and(|id| self.consumers.contains_key(id))
            }
            Event::Deliver(_) | Event::Disconnected { .. } => true,
        }
    }

    /// Keeps the next event a live one (so [`Self::next_event_time`] is exact), and sweeps the
    /// whole queue whenever it has doubled since the last sweep (amortised O(1) per event).
    pub(super) fn drop_stale_timers(&mut self) {
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
            let gauges = self.gauges();
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
                    let out = broker.fire(timer, at, &mut self.rng);
                    self.flush_broker(id, out);
                }
            }
            Event::ProducerTimer(node, timer) => {
                self.trace.u64(4);
                let Some(id) = self.producer_nodes.get(&node).copied() else { return true };
                if let Some(producer) = self.producers.get_mut(&id) {
                    let out = producer.fire(timer, at, &mut self.rng);
                    self.flush_producer(id, out);
                }
            }
            Event::ConsumerTimer(node, timer) => {
                self.trace.u64(5);
                let Some(id) = self.consumer_nodes.get(&node).copied() else { return true };
                if let Some(consumer) = self.consumers.get_mut(&id) {
                    let out = consumer.fire(timer, at, &mut self.rng);
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
        if refused {
            // Nobody listens on a dead broker's port: the sender sees the connection refused.
            self.queue.push(now + self.config.network.latency_ms, Event::Disconnected { node: from, peer: to });
            return;
        }
        if let (NodeId::Client(c), Message::Client(ClientMessage::ProduceResponse { correlation_id, .. })) =
            (to, &envelope.body)
        {
            self.metrics.produce_response_received(c, *correlation_id, now);
        }
        self.dispatch(to, Input::Message { from, message: envelope.body });
    }

    fn disconnected(&mut self, node: NodeId, peer: NodeId) {
        let NodeId::Broker(peer) = peer else { return };
        self.dispatch(node, Input::Disconnected { peer });
    }

    /// The one path into a node: find the process behind `to` (a running one, or a dead broker
    /// to start), hand it the input, route what it produced.
    pub(super) fn dispatch(&mut self, to: NodeId, input: Input) {
        let now = self.now;
        let starting = matches!(input, Input::Start);
        match to {
            NodeId::Broker(b) => {
                let Some(broker) = self.brokers.get_mut(&b).filter(|b| starting || b.state != BrokerState::Dead) else {
                    return;
                };
                let out = broker.handle(input, now, &mut self.rng);
                self.flush_broker(b, out);
            }
            NodeId::Client(c) if self.external.is_external(c) => match input {
                Input::Message { from, message } => self.external.receive(c, from, message),
                Input::Disconnected { peer } => self.external.disconnected(c, peer, now),
                Input::Start | Input::Crash => {}
            },
            NodeId::Client(c) => match self.consumer_nodes.get(&c).copied() {
                Some(id) => {
                    let Some(consumer) = self.consumers.get_mut(&id) else { return };
                    let out = consumer.handle(input, now, &mut self.rng);
                    self.flush_consumer(id, out);
                }
                None => {
                    let Some(id) = self.producer_nodes.get(&c).copied() else { return };
                    let Some(producer) = self.producers.get_mut(&id) else { return };
                    let out = producer.handle(input, now, &mut self.rng);
                    self.flush_producer(id, out);
                }
            },
        }
    }

    /// Crashes the process behind `node`, then ends its incarnation, the one place that makes
    /// a dead process's timers and traffic stale: a broker restarts on the same node, so its
    /// incarnation is bumped and its connections reset; a client process's node is retired
    /// (a restart runs on a new one), and what is still addressed to it finds nobody.
    pub(super) fn crash_process(&mut self, node: NodeId) {
        self.dispatch(node, Input::Crash);
        self.end_incarnation(node);
    }

    pub(super) fn end_incarnation(&mut self, node: NodeId) {
        match node {
            NodeId::Broker(id) => {
                *self.incarnations.entry(id).or_insert(0) += 1;
                // The process is gone: its connections reset, and every peer with traffic on one
                // notices.
                let latency = self.config.network.latency_ms;
                let mut noticed = BTreeSet::new();
                for envelope in self.network.drop_messages_of(node) {
                    let now = self.now;
                    self.messages.record(|| LoggedMessage::from_envelope(&envelope, now, MessageOutcome::Reset));
                    noticed.insert(if envelope.from == node { envelope.to } else { envelope.from });
                }
                // So does every client whose request the process had received and not answered:
                // the closed connection fails it at once, not after `request.timeout.ms`.
                let waiting_producers = self
                    .producer_nodes
                    .iter()
                    .filter(|(_, p)| self.producers.get(p).is_some_and(|p| p.awaits_answer_from(id)));
                let waiting_consumers = self
                    .consumer_nodes
                    .iter()
                    .filter(|(_, c)| self.consumers.get(c).is_some_and(|c| c.awaits_answer_from(id)));
                noticed.extend(waiting_producers.chain(waiting_consumers).map(|(n, _)| NodeId::Client(*n)));
                for peer in noticed {
                    self.queue.push(self.now + latency, Event::Disconnected { node: peer, peer: node });
                }
                // A real client's sockets to the process close with it.
                self.external.broker_died(id, self.now);
            }
            NodeId::Client(c) => {
                self.producer_nodes.remove(&c);
                self.consumer_nodes.remove(&c);
            }
        }
    }

    pub(super) fn flush_broker(&mut self, id: i32, out: Outbox<broker::Timer>) {
        let incarnation = self.incarnations.get(&id).copied().unwrap_or(0);
        for (at, timer) in out.timers {
            self.queue.push(at, Event::BrokerTimer(id, incarnation, timer));
        }
        self.flush_common(NodeId::Broker(id), out.messages, out.facts);
        // A controlled shutdown that handed everything over ends with the process stopping.
        if self.brokers.get(&id).is_some_and(|b| b.state != BrokerState::Dead && b.shutdown_complete()) {
            self.crash_process(NodeId::Broker(id));
        }
    }

    pub(super) fn flush_producer(&mut self, id: u32, out: Outbox<producer::Timer>) {
        let Some(node) = self.producers.get(&id).map(|p| p.node) else { return };
        for (at, timer) in out.timers {
            self.queue.push(at, Event::ProducerTimer(node, timer));
        }
        self.flush_common(NodeId::Client(node), out.messages, out.facts);
    }

    pub(super) fn flush_consumer(&mut self, id: u32, out: Outbox<consumer::Timer>) {
        let Some(node) = self.consumers.get(&id).map(|c| c.node) else { return };
        for (at, timer) in out.timers {
            self.queue.push(at, Event::ConsumerTimer(node, timer));
        }
        self.flush_common(NodeId::Client(node), out.messages, out.facts);
    }

    pub(super) fn flush_common(&mut self, from: NodeId, messages: Vec<(NodeId, Message)>, facts: Vec<Fact>) {
        for fact in facts {
            self.record(fact);
        }
        for (to, message) in messages.into_iter().filter(|(to, _)| *to != ADMIN_CLIENT) {
            let kind = message.kind();
            let produce = match (&message, from) {
                (
                    Message::Client(ClientMessage::ProduceRequest { correlation_id, acks, batches, .. }),
                    NodeId::Client(c),
                ) => {
                    Some((c, *correlation_id, *acks != Acks::None, ProducedBatches::of(batches.iter().map(|(_, b)| b))))
                }
                _ => None,
            };
            match self.network.send(&mut self.rng, self.now, from, to, message) {
                Ok((id, arrive_at)) => {
                    self.queue.push(arrive_at, Event::Deliver(id));
                    if let Some((producer, correlation_id, expects_response, batches)) = produce {
                        self.metrics.produce_request_sent(
                            producer,
                            correlation_id,
                            expects_response,
                            batches,
                            self.now,
                        );
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
    pub(super) fn record(&mut self, fact: Fact) {
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
                .and_then(|b| b.durable.replicas.get(topic_partition))
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
            // A deposed controller that has not heard of its successor yet still decides, but its
            // records never commit: only an election the active controller holds is audited.
            Fact::LeaderElected { topic_partition, leader, leader_epoch, .. } => self
                .metadata()
                .partition(topic_partition)
                .filter(|p| p.leader == *leader && p.leader_epoch == *leader_epoch)
                .map(|_| (topic_partition, *leader)),
            Fact::HighWatermarkAdvanced { topic_partition, broker, .. }
            | Fact::DuplicateBatch { topic_partition, broker, .. } => Some((topic_partition, *broker)),
            Fact::LogTruncated { topic_partition, .. } | Fact::ProduceAcked { topic_partition, .. } => {
                self.metadata().partition(topic_partition).map(|p| (topic_partition, p.leader))
            }
            _ => None,
        };
        let leader = leader.and_then(|(tp, id)| self.brokers.get(&id)?.durable.replicas.get(tp));
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

/// The node an admin client's requests come from. Nothing answers it: the admin client reads
/// the outcome from the world's state, so responses addressed to it are not sent.
pub const ADMIN_CLIENT: NodeId = NodeId::Client(u32::MAX);

/// Kafka's gauges, read from the world for the metrics.
impl World {
    /// Reads the gauges from the world: under-replicated and under-min-ISR partitions as their
    /// live leaders see them (Kafka sums each broker's own count), offline partitions and active
    /// controllers as the cluster has them, and the largest `high watermark - position` of any
    /// running consumer (`records-lag-max` for `read_uncommitted`).
    pub(crate) fn gauges(&self) -> Gauges {
        let mut g = Gauges::default();
        for broker in self.brokers().filter(|b| b.state != BrokerState::Dead) {
            g.active_controller_count += u32::from(broker.volatile.controller.is_some());
            for replica in broker.durable.replicas.values().filter(|r| r.leader == broker.id) {
                g.under_replicated_partitions += u32::from(replica.isr.len() < replica.replicas.len());
                g.under_min_isr_partition_count +=
                    u32::from((replica.isr.len() as i32) < replica.config.min_insync_replicas);
            }
        }
        g.offline_partitions_count =
            self.metadata().topics.values().flat_map(|t| &t.partitions).filter(|p| p.leader < 0).count() as u32;
        for consumer in self.consumers().filter(|c| self.consumer_running(c.id)) {
            for (tp, position) in &consumer.positions {
                g.records_lag_max = g.records_lag_max.max(self.high_watermark(tp) - position);
            }
        }
        g.failed_records = self.producers().map(|p| p.failed_records).sum();
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Action;

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
