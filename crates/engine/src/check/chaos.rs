//! `kafkalab chaos`: a random workload with random faults, all drawn from one seed, with the
//! invariants checked after every event and every acknowledged record audited at the end.
//!
//! Data loss is a legitimate outcome of `acks=1` or unclean election, exactly as in Kafka, so it
//! is reported (`lost_acked`) rather than treated as a violation. Violations are simulator bugs.

use super::chaos_eos;
use super::invariants::InvariantChecker;
use crate::cluster::{Action, ActionOutcome, World, WorldConfig};
use crate::config::{parse_choice, ConfigError};
use crate::consumer::{CommitMode, ConsumerApp};
use crate::delivery::partition_entry;
use crate::group::share::partition::ShareAutoOffsetReset;
use crate::narration::Fact;
use crate::producer::stream::KeyPattern;
use crate::protocol::{AcknowledgeType, TopicPartition};
use crate::sim::{Millis, NodeId};
use crate::view::BrokerState;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

const TOPIC: &str = "chaos";
const PARTITIONS: i32 = 3;
const PRODUCERS: u32 = 2;
const RECORDS_PER_SEC: u32 = 100;
/// One consumer group reads the topic at least once (commitSync after processing).
const GROUP: &str = "chaos-readers";
const CONSUMERS: u32 = 2;
/// After the faults stop: long enough for every pending send to end (`delivery.timeout.ms`).
const SETTLE_MS: Millis = 150_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChaosConfig {
    pub seed: u64,
    pub steps: u64,
    pub brokers: i32,
    /// Dedicated controllers (0: combined mode); faults hit them as they hit brokers.
    pub controllers: i32,
    /// Racks (0: none): brokers take `rack-0`, `rack-1`, ... in turn, the brokers run
    /// `RackAwareReplicaSelector` and consumers take a `client.rack` in turn (KIP-392).
    pub racks: i32,
    pub replication_factor: i32,
    /// `0`, `1` or `all`.
    pub acks: String,
    pub min_insync_replicas: i32,
    pub unclean: bool,
    /// The group's `group.protocol`: `classic`, `consumer` (KIP-848) or `share` (KIP-932: a
    /// share group, whose members acknowledge records instead of committing offsets).
    pub group_protocol: String,
    pub workload: Workload,
    /// The eos workload's processors: transactional (exactly-once) or at-least-once.
    pub eos: bool,
}

/// What the chaos run drives: the default producers and group, or the consume-transform-produce
/// pipeline of [`super::chaos_eos`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    Default,
    Eos,
}

impl ChaosConfig {
    /// Checks the flags together, naming the one at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let n = |v: i64| v.to_string();
        if !(1..=9).contains(&self.brokers) {
            return Err(ConfigError::invalid("brokers", &n(self.brokers.into()), "an integer in [1, 9]"));
        }
        if !(0..=9).contains(&self.controllers) {
            return Err(ConfigError::invalid("controllers", &n(self.controllers.into()), "an integer in [0, 9]"));
        }
        if !(0..=self.brokers).contains(&self.racks) {
            return Err(ConfigError::invalid(
                "racks",
                &n(self.racks.into()),
                format!("an integer in [0, {}] (at most the number of brokers)", self.brokers),
            ));
        }
        if !(1..=self.brokers).contains(&self.replication_factor) {
            return Err(ConfigError::invalid(
                "replication-factor",
                &n(self.replication_factor.into()),
                format!("an integer in [1, {}] (at most the number of brokers)", self.brokers),
            ));
        }
        if !(1..=self.replication_factor).contains(&self.min_insync_replicas) {
            return Err(ConfigError::invalid(
                "min-insync-replicas",
                &n(self.min_insync_replicas.into()),
                format!("an integer in [1, {}] (at most the replication factor)", self.replication_factor),
            ));
        }
        if !(1..=100_000).contains(&self.steps) {
            return Err(ConfigError::invalid("steps", &n(self.steps as i64), "an integer in [1, 100000]"));
        }
        parse_choice("acks", &self.acks, &["0", "1", "all"])?;
        parse_choice("group-protocol", &self.group_protocol, &["classic", "consumer", "share"])?;
        Ok(())
    }
}

/// The JSON `kafkalab chaos` prints (docs/architecture.md, section 5.1): the loss and duplicate
/// counts, the violations, and a few counts that explain them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ChaosReport {
    pub seed: u64,
    pub events: u64,
    pub acked: u64,
    pub lost_acked: u64,
    /// Of `lost_acked`: records still in the log that the group's committed offset passed
    /// without the group processing them.
    pub skipped_acked: u64,
    pub duplicates: u64,
    pub violations: Vec<String>,
    pub trace_hash: String,
    pub faults: u64,
    pub unclean_elections: u64,
    /// eos workload only: input records never in the committed output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eos_missing: Option<u64>,
    /// eos workload only: input records committed more than once in the output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eos_duplicates: Option<u64>,
    /// eos workload only: records of aborted transactions the read_committed verifier returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aborted_read: Option<u64>,
    /// Share groups only: records the group accepted more than once (a leader or share
    /// coordinator failover lost an acknowledgement's write: at least once, not a violation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_twice: Option<u64>,
}

/// Records a leader had committed (below its high watermark), by partition and offset.
type Committed = BTreeMap<TopicPartition, BTreeMap<i64, (Option<Vec<u8>>, Option<Vec<u8>>)>>;

/// The `n`th rack of a chaos run.
fn rack_name(n: i32) -> String {
    format!("rack-{n}")
}

pub fn run(config: &ChaosConfig) -> Result<ChaosReport, ConfigError> {
    run_with_world(config).map(|(report, _)| report)
}

/// The same run, also returning the final world (its facts tell the run's story).
pub fn run_with_world(config: &ChaosConfig) -> Result<(ChaosReport, World), ConfigError> {
    config.validate()?;
    let mut world_config = WorldConfig {
        brokers: config.brokers,
        controllers: config.controllers,
        track_acked_records: true,
        fact_history: 1_000_000,
        ..WorldConfig::default()
    };
    // Faults come every few seconds, so followers must be able to fall out of the ISR within a
    // run: replica.lag.time.max.ms is 3 s here instead of Kafka's 30 s.
    world_config.broker.replica_lag_time_max_ms = 3_000;
    // Five offsets partitions instead of 50 keep the run small; the coordinator logic is the same.
    world_config.broker.group_coordinator.offsets_topic_num_partitions = 5;
    // And five share-group state partitions.
    world_config.broker.share.state_topic_num_partitions = 5;
    // The consumer protocol's session and heartbeat are the broker's: the classic members' 10 s
    // and 1 s here too.
    world_config.broker.group_coordinator.group_consumer_session_timeout_ms = 10_000;
    world_config.broker.group_coordinator.group_consumer_heartbeat_interval_ms = 1_000;
    // Share groups: the same session and heartbeat; a share partition with no persisted state
    // starts at the log start, so the records sent before the group's first ShareFetch count
    // too (a new leader continues from `__share_group_state`).
    world_config.broker.group_coordinator.group_share_session_timeout_ms = 10_000;
    world_config.broker.group_coordinator.group_share_heartbeat_interval_ms = 1_000;
    world_config.broker.share.auto_offset_reset = ShareAutoOffsetReset::Earliest;
    // And five transaction state partitions instead of 50.
    world_config.broker.txn_coordinator.num_partitions = 5;
    if config.racks > 0 {
        world_config.racks = (0..config.brokers).map(|b| rack_name(b % config.racks)).collect();
        world_config.broker.replica_selector = crate::broker::ReplicaSelector::RackAware;
    }
    let mut world = World::new(world_config, config.seed)?;
    let mut faults_rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x63_6861_6f73);
    let topic_configs = vec![
        ("min.insync.replicas".to_string(), config.min_insync_replicas.to_string()),
        ("unclean.leader.election.enable".to_string(), config.unclean.to_string()),
    ];
    let setup = |world: &mut World| -> Result<(), crate::cluster::ActionError> {
        if config.workload == Workload::Eos {
            return chaos_eos::setup(world, config.replication_factor, &topic_configs, &config.acks, config.eos);
        }
        world.apply(Action::CreateTopic {
            name: TOPIC.into(),
            partitions: PARTITIONS,
            replication_factor: config.replication_factor,
            configs: topic_configs.clone(),
        })?;
        world.run_until(300);
        for p in 0..PRODUCERS {
            let configs = vec![("acks".to_string(), config.acks.clone())];
            if let ActionOutcome::ProducerAdded { producer } =
                world.apply(Action::AddProducer { name: format!("producer-{p}"), configs })?
            {
                world.apply(Action::StartStream {
                    producer,
                    topic: TOPIC.into(),
                    records_per_sec: RECORDS_PER_SEC,
                    keys: KeyPattern::Cycle { prefix: format!("p{p}"), count: 20 },
                })?;
            }
        }
        for c in 0..CONSUMERS {
            let mut configs =
                vec![("group.id", GROUP), ("auto.offset.reset", "earliest"), ("enable.auto.commit", "false")];
            let client_rack = rack_name(c as i32 % config.racks.max(1));
            if config.racks > 0 {
                configs.push(("client.rack", client_rack.as_str()));
            }
            if config.group_protocol == "consumer" {
                configs.push(("group.protocol", "consumer"));
            } else if config.group_protocol == "share" {
                configs = vec![("group.id", GROUP), ("group.protocol", "share")];
            } else {
                configs.extend([("session.timeout.ms", "10000"), ("heartbeat.interval.ms", "1000")]);
            }
            world.apply(Action::AddConsumer {
                name: format!("consumer-{c}"),
                topics: vec![TOPIC.into()],
                configs: configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                app: ConsumerApp {
                    processing_ms_per_record: 1,
                    commit: CommitMode::SyncAfterProcessing,
                    ..ConsumerApp::default()
                },
            })?;
        }
        Ok(())
    };
    setup(&mut world).map_err(|e| ConfigError::invalid("chaos workload", "", e.to_string()))?;

    let mut checker = InvariantChecker::default();
    let mut committed = Committed::new();
    let mut elections = Elections::default();
    let mut faults = 0;
    let mut seen_facts = 0;
    let mut share_done = ShareDone::default();
    for _ in 0..config.steps {
        let until = world.now() + faults_rng.random_range(100..1500);
        run_checked(&mut world, until, &mut checker, &mut committed);
        let eos = config.workload == Workload::Eos;
        if faults_rng.random_bool(0.3) && inject_fault(&mut world, &mut faults_rng, eos) {
            faults += 1;
        }
        scan_facts(&world, &mut seen_facts, &mut elections, &mut share_done);
    }
    settle(&mut world);
    let until = world.now() + SETTLE_MS;
    run_checked(&mut world, until, &mut checker, &mut committed);
    scan_facts(&world, &mut seen_facts, &mut elections, &mut share_done);

    let logs = final_logs(&world);
    let mut violations: Vec<String> = checker.violations().cloned().collect();
    if config.acks == "all" {
        violations.extend(elections.losses_without_unclean_election.iter().map(|(at_ms, tp)| {
            format!("t={at_ms}ms: {tp}: acknowledged records lost (acks=all) though no unclean election happened")
        }));
    }
    for (tp, records) in &committed {
        if elections.unclean_partitions.contains(tp) {
            continue;
        }
        let log = logs.get(tp);
        if let Some((offset, _)) =
            records.iter().find(|(offset, record)| log.and_then(|l| l.get(offset)) != Some(record))
        {
            violations.push(format!("{tp}: committed offset {offset} is gone though no unclean election happened"));
        }
    }
    let share = (config.group_protocol == "share").then_some(&share_done);
    let Audit { acked, lost: lost_acked, skipped: skipped_acked } =
        audit_acked(&world, &logs, &committed_offsets(&world), share);
    // The workload's records only: coordinator records may legitimately repeat a value.
    let duplicates = logs
        .iter()
        .filter(|(tp, _)| !tp.topic.starts_with("__"))
        .map(|(_, log)| {
            let mut seen = BTreeSet::new();
            log.values().filter(|record| !seen.insert(*record)).count() as u64
        })
        .sum();
    let eos = (config.workload == Workload::Eos).then(|| chaos_eos::count(&world));
    let report = ChaosReport {
        seed: config.seed,
        events: world.events_processed(),
        acked,
        lost_acked,
        skipped_acked,
        duplicates,
        violations,
        trace_hash: format!("{:016x}", world.trace_hash()),
        faults,
        unclean_elections: elections.unclean_elections,
        eos_missing: eos.map(|c| c.missing),
        eos_duplicates: eos.map(|c| c.duplicates),
        aborted_read: eos.map(|c| c.aborted_read),
        accepted_twice: share.map(|s| s.accepted_twice),
    };
    Ok((report, world))
}

/// Runs to `until`, checking the invariants after every event and remembering what each
/// leader committed.
fn run_checked(world: &mut World, until: Millis, checker: &mut InvariantChecker, committed: &mut Committed) {
    while world.next_event_time().is_some_and(|t| t <= until) {
        world.step();
        checker.check(world);
        remember_committed(world, committed);
    }
    world.run_until(until);
}

/// Only the workload's topics: the internal topics are compacted, so their records may go.
fn remember_committed(world: &World, committed: &mut Committed) {
    for broker in world.brokers().filter(|b| b.state != BrokerState::Dead) {
        for (tp, replica) in
            broker.durable.replicas.iter().filter(|(tp, r)| r.leader == broker.id && !tp.topic.starts_with("__"))
        {
            let known = partition_entry(committed, tp);
            let from = known.keys().next_back().map_or(replica.log.log_start_offset(), |last| last + 1);
            if from >= replica.high_watermark {
                continue;
            }
            let Ok(batches) = replica.log.read(from, u64::MAX, replica.high_watermark) else { continue };
            for batch in &batches {
                for record in &batch.records {
                    let offset = batch.offset_of(record);
                    if offset >= from && offset < replica.high_watermark {
                        known.insert(offset, (record.record.key.clone(), record.record.value.clone()));
                    }
                }
            }
        }
    }
}

/// The records the share group is done with (accepted, rejected or archived), and how many
/// acceptances repeated one.
#[derive(Default)]
struct ShareDone {
    done: BTreeSet<(TopicPartition, i64)>,
    accepted: BTreeSet<(TopicPartition, i64)>,
    accepted_twice: u64,
}

/// Unclean elections so far, and acknowledged records lost on a partition that had none: with
/// acks=all, a record is on every ISR member when acknowledged, so only an unclean election can
/// lose it.
#[derive(Default)]
struct Elections {
    unclean_partitions: BTreeSet<TopicPartition>,
    unclean_elections: u64,
    losses_without_unclean_election: Vec<(Millis, TopicPartition)>,
}

fn scan_facts(world: &World, seen: &mut u64, elections: &mut Elections, share_done: &mut ShareDone) {
    for fact in world.facts_since(*seen) {
        match &fact.fact {
            Fact::LeaderElected { topic_partition, unclean: true, .. } => {
                elections.unclean_partitions.insert(topic_partition.clone());
                elections.unclean_elections += 1;
            }
            Fact::AckedRecordsLost { topic_partition, .. }
                if !elections.unclean_partitions.contains(topic_partition) =>
            {
                elections.losses_without_unclean_election.push((fact.at_ms, topic_partition.clone()));
            }
            Fact::ShareRecordsAcknowledged { topic_partition, kind, offsets, .. }
                if *kind != AcknowledgeType::Release =>
            {
                for offset in offsets {
                    let record = (topic_partition.clone(), *offset);
                    if *kind == AcknowledgeType::Accept && !share_done.accepted.insert(record.clone()) {
                        share_done.accepted_twice += 1;
                    }
                    share_done.done.insert(record);
                }
            }
            Fact::ShareRecordArchived { topic_partition, offset, .. } => {
                share_done.done.insert((topic_partition.clone(), *offset));
            }
            _ => {}
        }
    }
    *seen = world.fact_count();
}

/// One random fault; returns whether it was applied (refused actions are part of the game).
fn inject_fault(world: &mut World, rng: &mut ChaCha8Rng, eos: bool) -> bool {
    let brokers: Vec<i32> = world.brokers().map(|b| b.id).collect();
    let nodes: Vec<NodeId> = world.nodes().collect();
    let pick_broker = |rng: &mut ChaCha8Rng| brokers[rng.random_range(0..brokers.len())];
    let pick_node = |rng: &mut ChaCha8Rng| nodes[rng.random_range(0..nodes.len())];
    let consumers: Vec<u32> = world.consumers().map(|c| c.id).collect();
    let pick_consumer = |rng: &mut ChaCha8Rng| consumers[rng.random_range(0..consumers.len())];
    let action = match rng.random_range(0..10) {
        0 => Action::KillBroker { broker: pick_broker(rng) },
        1 | 2 => Action::RestartBroker { broker: pick_broker(rng) },
        3 => Action::CutLink { from: pick_node(rng), to: pick_node(rng), both: rng.random_bool(0.5) },
        4 => match world.network().cuts().nth(rng.random_range(0..world.network().cuts().count().max(1))) {
            Some((from, to)) => Action::HealLink { from, to, both: false },
            None => return false,
        },
        5 => Action::SlowNode {
            node: NodeId::Broker(pick_broker(rng)),
            extra_ms: if rng.random_bool(0.3) { 0 } else { rng.random_range(50..3000) },
        },
        6 => Action::IsolateNode { node: NodeId::Broker(pick_broker(rng)) },
        7 => Action::KillController,
        8 | 9 if eos => return chaos_eos::processor_fault(world, rng),
        8 => Action::CrashConsumer { consumer: pick_consumer(rng) },
        _ => Action::RestartConsumer { consumer: pick_consumer(rng) },
    };
    world.apply(action).is_ok()
}

/// Ends the faults: heal every link, restore speed, restart every broker and consumer, stop the
/// producers.
fn settle(world: &mut World) {
    let cuts: Vec<(NodeId, NodeId)> = world.network().cuts().collect();
    for (from, to) in cuts {
        let _ = world.apply(Action::HealLink { from, to, both: false });
    }
    let slow: Vec<NodeId> = world.network().slow_nodes().map(|(n, _)| n).collect();
    for node in slow {
        let _ = world.apply(Action::SlowNode { node, extra_ms: 0 });
    }
    let dead: Vec<i32> = world.brokers().filter(|b| b.state == BrokerState::Dead).map(|b| b.id).collect();
    for broker in dead {
        let _ = world.apply(Action::RestartBroker { broker });
    }
    let crashed: Vec<u32> = world.consumers().map(|c| c.id).filter(|id| !world.consumer_running(*id)).collect();
    for consumer in crashed {
        let _ = world.apply(Action::RestartConsumer { consumer });
    }
    let producers: Vec<u32> = world.producers().map(|p| p.id).collect();
    for &producer in &producers {
        if !world.producer_running(producer) {
            let _ = world.apply(Action::RestartProducer { producer });
        }
    }
    for producer in producers {
        let _ = world.apply(Action::StopStream { producer });
    }
}

/// Each partition's final log, read from its current leader (or, if it has none, the longest
/// replica): offset → (key, value).
type FinalLog = BTreeMap<i64, (Option<Vec<u8>>, Option<Vec<u8>>)>;

fn final_logs(world: &World) -> BTreeMap<TopicPartition, FinalLog> {
    let metadata = world.metadata();
    metadata
        .partitions()
        .map(|(tp, registration)| {
            let replica = world.broker(registration.leader).and_then(|b| b.durable.replicas.get(&tp)).or_else(|| {
                world.brokers().filter_map(|b| b.durable.replicas.get(&tp)).max_by_key(|r| r.log.log_end_offset())
            });
            let log = replica
                .map(|r| {
                    r.log
                        .batches()
                        .flat_map(|stored| {
                            stored.batch.records.iter().map(|record| {
                                (
                                    stored.batch.offset_of(record),
                                    (record.record.key.clone(), record.record.value.clone()),
                                )
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            (tp, log)
        })
        .collect()
}

/// The group's committed offsets at the end, by partition.
fn committed_offsets(world: &World) -> BTreeMap<TopicPartition, i64> {
    world
        .view()
        .groups
        .into_iter()
        .filter(|g| g.group_id == GROUP)
        .flat_map(|g| g.offsets)
        .map(|o| (TopicPartition::new(&o.topic, o.partition), o.committed_offset))
        .collect()
}

/// Every acknowledged record must be in its partition's final log at the offset the producer
/// was given (acks=0 records, which never learn their offset, anywhere in the partition), and
/// the group must have processed it if its committed offset is past it: a record the committed
/// position skipped is lost to the application. A share group (`share`: what it is done with)
/// must be done with every record its share partition's start offset passed.
fn audit_acked(
    world: &World,
    logs: &BTreeMap<TopicPartition, FinalLog>,
    committed: &BTreeMap<TopicPartition, i64>,
    share: Option<&ShareDone>,
) -> Audit {
    let mut audit = Audit::default();
    let share_start: BTreeMap<TopicPartition, i64> = world
        .share_partitions(Some(TOPIC))
        .into_iter()
        .filter(|p| p.group_id == GROUP)
        .map(|p| (TopicPartition::new(&p.topic, p.partition), p.start_offset))
        .collect();
    for producer in world.producers() {
        for record in producer.acked_log.iter().flatten() {
            audit.acked += 1;
            let expected = (record.key.clone(), record.value.clone());
            let log = logs.get(&record.topic_partition);
            let present = if record.offset >= 0 {
                log.and_then(|l| l.get(&record.offset)) == Some(&expected)
            } else {
                log.is_some_and(|l| l.values().any(|r| *r == expected))
            };
            let skipped = match share {
                Some(done) => {
                    record.offset >= 0
                        && share_start.get(&record.topic_partition).is_some_and(|spso| record.offset < *spso)
                        && !done.done.contains(&(record.topic_partition.clone(), record.offset))
                }
                None => {
                    record.offset >= 0
                        && committed.get(&record.topic_partition).is_some_and(|c| record.offset < *c)
                        && !world
                            .delivery()
                            .processed(GROUP, &record.topic_partition)
                            .is_some_and(|p| p.contains(record.offset))
                }
            };
            if !present || skipped {
                audit.lost += 1;
                audit.skipped += u64::from(present);
            }
        }
    }
    audit
}

#[derive(Default)]
struct Audit {
    acked: u64,
    lost: u64,
    skipped: u64,
}
