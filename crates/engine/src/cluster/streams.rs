//! Kafka Streams applications on the world's clients (`Action::AddStreamsApp`). Each instance is
//! one process with one StreamThread: a main consumer in group `application.id`, subscribed to
//! the source and the repartition topic, and a producer for the repartition, changelog and sink
//! records (Streams' `RecordCollector`). The world plays the thread's loop after every event and
//! action, as it does for processors:
//! - tasks follow the consumer's assignment: partition `p` of the aggregating sub-topology's
//!   input is task `1_p` (`0_p` without a repartition), and its store is changelog partition `p`;
//! - a new task restores its in-memory store from the changelog first (`StoreChangelogReader`):
//!   `restore.consumer.max.poll.records` records per restore poll, one poll every `poll.ms`, up to
//!   the changelog's end offset when restoration began; records for it wait meanwhile;
//! - each record the consumer processed is read from its partition's leader (the bytes the fetch
//!   returned) and goes through the topology: a source record is re-keyed and sent to the
//!   repartition topic, an input record of the aggregation updates the store, and each update
//!   goes to the changelog (the task's partition) and to the sink (caching off:
//!   `statestore.cache.max.bytes=0`, so every update is forwarded);
//! - at-least-once commits: every `commit.interval.ms` the producer is flushed, then the
//!   consumer commits; in between the thread polls on without committing, and never while a
//!   task restores or holds waiting records.
//!
//! The restore consumer is not a client of its own here: restoration reads the changelog from
//! its leader's log up to the high watermark, the records a fetch would return.

use super::world::World;
use super::{ActionError, ActionOutcome};
use crate::consumer::CommitMode;
use crate::log::Record;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::producer::ProducerRecord;
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use crate::streams::task::{encode_store_key, AggregateTask, InputRecord, Processed};
use crate::streams::{StreamsConfig, Topology};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One instance: a process with a consumer and a producer, and its active tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamsInstance {
    /// The instance's name (its consumer's).
    pub name: String,
    pub consumer: u32,
    pub producer: u32,
    /// The aggregating sub-topology's tasks by partition.
    pub tasks: BTreeMap<i32, AggregateTask>,
    last_commit_at: Millis,
    /// Records were processed since the last commit.
    uncommitted: bool,
    /// Records of an owned partition whose task does not exist yet (its changelog partition had
    /// no leader to tell where restoration ends): they wait for it.
    #[serde(skip)]
    waiting: Vec<InputRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamsApp {
    pub topology: Topology,
    pub config: StreamsConfig,
    pub instances: Vec<StreamsInstance>,
}

impl World {
    pub fn streams_apps(&self) -> impl Iterator<Item = &StreamsApp> {
        self.streams.values()
    }

    /// Registers a Streams application over instances already added as clients: `(name,
    /// consumer, producer)` each. Every topic it uses must exist (the internal ones are created
    /// first, as Streams' `InternalTopicManager` does), and each consumer must leave commits to
    /// the application (`enable.auto.commit=false`, commit after processing).
    pub(super) fn add_streams_app(
        &mut self,
        topology: Topology,
        config: StreamsConfig,
        instances: Vec<(String, u32, u32)>,
    ) -> Result<ActionOutcome, ActionError> {
        let mut topics = topology.input_topics();
        topics.extend([topology.changelog_topic(), topology.sink.clone()]);
        if let Some(missing) = topics.into_iter().find(|t| !self.metadata().topics.contains_key(t)) {
            return Err(ActionError::UnknownTopic(missing));
        }
        for (_, consumer, producer) in &instances {
            let c = self.consumers.get(consumer).ok_or(ActionError::UnknownConsumer(*consumer))?;
            self.producers.get(producer).ok_or(ActionError::UnknownProducer(*producer))?;
            if c.config.enable_auto_commit || c.app.commit != CommitMode::SyncAfterProcessing {
                return Err(ActionError::Config(crate::config::ConfigError::invalid(
                    "enable.auto.commit",
                    &c.config.enable_auto_commit.to_string(),
                    "false, with commits after processing, for a Streams instance's consumer",
                )));
            }
        }
        for (_, consumer, _) in &instances {
            if let Some(c) = self.consumers.get_mut(consumer) {
                c.capture_processed = true;
                c.flush_before_commit = true;
            }
        }
        let now = self.now;
        let instances = instances
            .into_iter()
            .map(|(name, consumer, producer)| StreamsInstance {
                name,
                consumer,
                producer,
                tasks: BTreeMap::new(),
                last_commit_at: now,
                uncommitted: false,
                waiting: Vec::new(),
            })
            .collect();
        self.streams.insert(topology.application_id.clone(), StreamsApp { topology, config, instances });
        Ok(ActionOutcome::Done)
    }

    fn streams_instance(&self, application_id: &str, instance: usize) -> Result<&StreamsInstance, ActionError> {
        self.streams
            .get(application_id)
            .and_then(|a| a.instances.get(instance))
            .ok_or_else(|| ActionError::UnknownStreamsInstance(application_id.to_string(), instance))
    }

    /// The instance's process dies: its consumer and producer with it, and its in-memory stores.
    pub(super) fn crash_streams_instance(
        &mut self,
        application_id: &str,
        instance: usize,
    ) -> Result<ActionOutcome, ActionError> {
        let (consumer, producer) = {
            let i = self.streams_instance(application_id, instance)?;
            (i.consumer, i.producer)
        };
        if !self.consumer_running(consumer) {
            return Err(ActionError::ConsumerStopped(consumer));
        }
        self.apply_action(super::Action::CrashConsumer { consumer })?;
        if self.producer_running(producer) {
            self.apply_action(super::Action::CrashProducer { producer })?;
        }
        if let Some(a) = self.streams.get_mut(application_id) {
            let topology = &a.topology;
            let Some(i) = a.instances.get_mut(instance) else { return Ok(ActionOutcome::Done) };
            let tasks = std::mem::take(&mut i.tasks);
            let fact = Fact::StreamsInstanceCrashed {
                application_id: application_id.to_string(),
                instance: i.name.clone(),
                tasks: tasks.values().map(|t| topology.task_id(t.partition)).collect(),
                entries_lost: tasks.values().map(|t| t.store.len()).sum(),
            };
            self.record(fact);
        }
        Ok(ActionOutcome::Done)
    }

    /// A new process of the instance: its consumer rejoins the group and its tasks restore.
    pub(super) fn restart_streams_instance(
        &mut self,
        application_id: &str,
        instance: usize,
    ) -> Result<ActionOutcome, ActionError> {
        let (consumer, producer) = {
            let i = self.streams_instance(application_id, instance)?;
            (i.consumer, i.producer)
        };
        if self.consumer_running(consumer) {
            return Err(ActionError::ConsumerRunning(consumer));
        }
        if !self.producer_running(producer) {
            self.apply_action(super::Action::RestartProducer { producer })?;
        }
        self.apply_action(super::Action::RestartConsumer { consumer })?;
        let now = self.now;
        if let Some(i) = self.streams.get_mut(application_id).and_then(|a| a.instances.get_mut(instance)) {
            i.last_commit_at = now;
        }
        Ok(ActionOutcome::Done)
    }

    /// One pass of every instance's StreamThread loop.
    pub(super) fn drive_streams(&mut self) {
        if self.streams.is_empty() {
            return;
        }
        let apps: Vec<String> = self.streams.keys().cloned().collect();
        for app in apps {
            let count = self.streams.get(&app).map_or(0, |a| a.instances.len());
            for index in 0..count {
                self.drive_streams_instance(&app, index);
            }
        }
    }

    fn drive_streams_instance(&mut self, app: &str, index: usize) {
        let Some(a) = self.streams.get(app) else { return };
        let (topology, config) = (a.topology.clone(), a.config);
        let Some(instance) = a.instances.get(index) else { return };
        let (name, c, p) = (instance.name.clone(), instance.consumer, instance.producer);
        if !self.consumer_running(c) || !self.producer_running(p) {
            // A half that died on its own takes the process's stores with it.
            if let Some(i) = self.streams.get_mut(app).and_then(|a| a.instances.get_mut(index)) {
                i.tasks.clear();
            }
            return;
        }
        self.sync_tasks(app, index, &topology, &name);
        self.restore_tasks(app, index, &topology, &config, &name);
        let waiting = self
            .streams
            .get_mut(app)
            .and_then(|a| a.instances.get_mut(index))
            .map(|i| std::mem::take(&mut i.waiting))
            .unwrap_or_default();
        for input in waiting {
            self.process_streams_record(app, index, &topology, input);
        }
        let processed = self.consumers.get_mut(&c).map(|c| std::mem::take(&mut c.processed_output)).unwrap_or_default();
        if !processed.is_empty() {
            if let Some(i) = self.streams.get_mut(app).and_then(|a| a.instances.get_mut(index)) {
                i.uncommitted = true;
            }
        }
        for (tp, offset) in processed {
            let Some((_, record)) = self.leader_records(&tp, offset, offset + 1).into_iter().next() else { continue };
            let input = input_record(tp, offset, record);
            self.process_streams_record(app, index, &topology, input);
        }
        self.maybe_commit_streams(app, index, &config);
    }

    /// Tasks follow the assignment: a new partition of the aggregation's input is a new task
    /// that restores its store first; a partition no longer owned closes its task.
    fn sync_tasks(&mut self, app: &str, index: usize, topology: &Topology, name: &str) {
        let input = topology.aggregate_input();
        let Some(consumer) = self.streams.get(app).and_then(|a| a.instances.get(index)).map(|i| i.consumer) else {
            return;
        };
        let owned: BTreeSet<i32> = self
            .consumers
            .get(&consumer)
            .map(|c| c.assignment.iter().filter(|tp| tp.topic == input).map(|tp| tp.partition).collect())
            .unwrap_or_default();
        let now = self.now;
        let changelog = topology.changelog_topic();
        let known: BTreeSet<i32> = self
            .streams
            .get(app)
            .and_then(|a| a.instances.get(index))
            .map(|i| i.tasks.keys().copied().collect())
            .unwrap_or_default();
        let mut facts = Vec::new();
        let mut created = Vec::new();
        for partition in owned.difference(&known) {
            let tp = TopicPartition::new(changelog.clone(), *partition);
            let Some((start, end)) = self.leader_offsets(&tp) else { continue };
            let task = AggregateTask::new(*partition, start, end, now);
            if task.is_restoring() {
                facts.push(Fact::StreamsRestoreStarted {
                    application_id: app.to_string(),
                    instance: name.to_string(),
                    task: topology.task_id(*partition),
                    store: topology.store.clone(),
                    changelog: tp,
                    start_offset: start,
                    end_offset: end,
                });
            }
            created.push(task);
        }
        if let Some(i) = self.streams.get_mut(app).and_then(|a| a.instances.get_mut(index)) {
            i.tasks.retain(|p, _| owned.contains(p));
            for task in created {
                i.tasks.insert(task.partition, task);
            }
        }
        for fact in facts {
            self.record(fact);
        }
    }

    /// One restore poll for each restoring task whose `poll.ms` has passed.
    fn restore_tasks(&mut self, app: &str, index: usize, topology: &Topology, config: &StreamsConfig, name: &str) {
        let now = self.now;
        let due: Vec<(i32, i64, i64)> = self
            .streams
            .get(app)
            .and_then(|a| a.instances.get(index))
            .map(|i| {
                i.tasks
                    .values()
                    .filter(|t| t.next_restore_at <= now)
                    .filter_map(|t| match t.state {
                        crate::streams::task::TaskState::Restoring { position, end_offset, .. } => {
                            Some((t.partition, position, end_offset))
                        }
                        crate::streams::task::TaskState::Running => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (partition, position, end) in due {
            let tp = TopicPartition::new(topology.changelog_topic(), partition);
            let upto = end.min(position + config.restore_max_poll_records as i64);
            if self.leader_offsets(&tp).is_none() {
                continue; // no leader for the changelog partition: the restore poll gets nothing
            }
            // `upto` is at most the end offset, which is below the high watermark: every offset
            // up to it is read, the gaps compaction left included.
            let pairs: Vec<(Option<String>, Option<String>)> = self
                .leader_records(&tp, position, upto)
                .into_iter()
                .map(|(_, r)| (text(&r.key), text(&r.value)))
                .collect();
            let count = pairs.len();
            let Some(task) = self
                .streams
                .get_mut(app)
                .and_then(|a| a.instances.get_mut(index))
                .and_then(|i| i.tasks.get_mut(&partition))
            else {
                continue;
            };
            task.next_restore_at = now + config.poll_ms;
            let done = task.restore(&pairs, upto);
            let (restored, entries) = (task.restored, task.store.len());
            let queued = if done { std::mem::take(&mut task.queued) } else { Vec::new() };
            self.record(Fact::StreamsRestoreProgressed {
                application_id: app.to_string(),
                task: topology.task_id(partition),
                store: topology.store.clone(),
                records: count,
                position: upto,
                end_offset: end,
            });
            if done {
                self.record(Fact::StreamsRestoreCompleted {
                    application_id: app.to_string(),
                    instance: name.to_string(),
                    task: topology.task_id(partition),
                    store: topology.store.clone(),
                    restored,
                    entries,
                });
                for record in queued {
                    self.process_streams_record(app, index, topology, record);
                }
            }
        }
    }

    /// Sends one record of the topology through the instance's producer, with the input's
    /// timestamp (Streams forwards the record's timestamp to its sinks).
    fn send_streams_record(&mut self, producer: u32, record: ProducerRecord, timestamp: i64) {
        let now = self.now;
        let mut out = Outbox::default();
        if let Some(p) = self.producers.get_mut(&producer) {
            p.send_with_timestamp(record, timestamp, now, &mut self.rng, &mut out);
        }
        self.flush_producer(producer, out);
    }

    fn process_streams_record(&mut self, app: &str, index: usize, topology: &Topology, record: InputRecord) {
        let Some(producer) = self.streams.get(app).and_then(|a| a.instances.get(index)).map(|i| i.producer) else {
            return;
        };
        if let (Some(repartition), true) =
            (topology.repartition_topic(), record.topic_partition.topic == topology.source)
        {
            // `groupBy((k, v) -> v)`: the value is the new key; the repartition topic's default
            // partitioner sends it to the task that owns that key.
            let out = ProducerRecord {
                topic: repartition,
                partition: None,
                key: record.value.clone().map(String::into_bytes),
                value: record.value.clone().map(String::into_bytes),
                headers: Vec::new(),
            };
            return self.send_streams_record(producer, out, record.timestamp);
        }
        if record.topic_partition.topic != topology.aggregate_input() {
            return;
        }
        let partition = record.topic_partition.partition;
        let Some(consumer) = self.streams.get(app).and_then(|a| a.instances.get(index)).map(|i| i.consumer) else {
            return;
        };
        let owned = self.consumers.get(&consumer).is_some_and(|c| c.assignment.contains(&record.topic_partition));
        let Some(instance) = self.streams.get_mut(app).and_then(|a| a.instances.get_mut(index)) else { return };
        let Some(task) = instance.tasks.get_mut(&partition) else {
            // Still owned: the task starts once its changelog has a leader. No longer owned: its
            // new owner processes it again from the last commit.
            if owned {
                instance.waiting.push(record);
            }
            return;
        };
        if task.is_restoring() {
            task.queued.push(record);
            return;
        }
        let outcomes = task.process(topology, &record);
        for outcome in outcomes {
            match outcome {
                Processed::Updated { key, window, value } => {
                    let store_key = encode_store_key(&key, window).into_bytes();
                    let changelog = ProducerRecord {
                        topic: topology.changelog_topic(),
                        partition: Some(partition),
                        key: Some(store_key.clone()),
                        value: Some(value.to_string().into_bytes()),
                        headers: Vec::new(),
                    };
                    self.send_streams_record(producer, changelog, record.timestamp);
                    let sink = ProducerRecord {
                        topic: topology.sink.clone(),
                        partition: None,
                        key: Some(store_key),
                        value: Some(value.to_string().into_bytes()),
                        headers: Vec::new(),
                    };
                    self.send_streams_record(producer, sink, record.timestamp);
                    self.record(Fact::StreamsStoreUpdated {
                        application_id: app.to_string(),
                        task: topology.task_id(partition),
                        store: topology.store.clone(),
                        key,
                        window,
                        value,
                    });
                }
                Processed::Dropped { reason, window, stream_time } => {
                    self.record(Fact::StreamsRecordDropped {
                        application_id: app.to_string(),
                        task: topology.task_id(partition),
                        topic_partition: record.topic_partition.clone(),
                        offset: record.offset,
                        timestamp: record.timestamp,
                        reason,
                        window,
                        stream_time,
                        grace_ms: topology.windows.map_or(0, |w| w.grace_ms),
                    });
                }
            }
        }
    }

    /// At-least-once (`StreamThread.maybeCommit`): once `commit.interval.ms` has passed and
    /// records were processed since the last commit, flush the producer, then commit the
    /// consumer's positions; after a poll's records before that, poll on without committing.
    /// Never while a task restores or holds records waiting for it, nor while a poll's records
    /// are still being processed (their offsets are past the position's records done).
    fn maybe_commit_streams(&mut self, app: &str, index: usize, config: &StreamsConfig) {
        let Some(instance) = self.streams.get(app).and_then(|a| a.instances.get(index)) else { return };
        let (c, p, last, uncommitted) =
            (instance.consumer, instance.producer, instance.last_commit_at, instance.uncommitted);
        let unsettled =
            !instance.waiting.is_empty() || instance.tasks.values().any(|t| t.is_restoring() || !t.queued.is_empty());
        let Some(consumer) = self.consumers.get(&c) else { return };
        let awaiting = consumer.awaiting_flush;
        let now = self.now;
        let due = uncommitted && !unsettled && now >= last + config.commit_interval_ms;
        let flushed = self.producers.get(&p).is_some_and(|p| p.waiting_records() == 0 && p.in_flight_requests() == 0);
        let mut out = Outbox::default();
        let Some(consumer) = self.consumers.get_mut(&c) else { return };
        if !due {
            if awaiting {
                consumer.poll_without_commit(now, &mut out);
                self.flush_consumer(c, out);
            }
            return;
        }
        if !flushed {
            return; // `producer.flush()` blocks the thread until every record is acknowledged
        }
        if awaiting {
            consumer.outputs_flushed(true, &[], now, &mut out);
        } else if consumer.in_flight_records() == 0 && consumer.state == crate::consumer::MemberState::Stable {
            consumer.commit_now(true, now, &mut out);
        } else {
            return;
        }
        self.flush_consumer(c, out);
        if let Some(i) = self.streams.get_mut(app).and_then(|a| a.instances.get_mut(index)) {
            i.last_commit_at = now;
            i.uncommitted = false;
        }
    }

    /// The partition leader's log start offset and high watermark.
    fn leader_offsets(&self, tp: &TopicPartition) -> Option<(i64, i64)> {
        let leader = self.metadata().partition(tp)?.leader;
        let replica = self.brokers.get(&leader)?.durable.replicas.get(tp)?;
        Some((replica.log.log_start_offset(), replica.high_watermark))
    }

    /// The data records of `[from, upto)` on the partition's leader, below its high watermark.
    fn leader_records(&self, tp: &TopicPartition, from: i64, upto: i64) -> Vec<(i64, Record)> {
        let Some(leader) = self.metadata().partition(tp).map(|p| p.leader) else { return Vec::new() };
        let Some(replica) = self.brokers.get(&leader).and_then(|b| b.durable.replicas.get(tp)) else {
            return Vec::new();
        };
        let upto = upto.min(replica.high_watermark);
        let Ok(batches) = replica.log.read(from.max(replica.log.log_start_offset()), u64::MAX, upto) else {
            return Vec::new();
        };
        batches
            .iter()
            .filter(|b| !b.is_control())
            .flat_map(|b| b.records.iter().map(move |r| (b.offset_of(r), b.timestamp_of(r), r)))
            .filter(|(offset, _, _)| (from..upto).contains(offset))
            .map(|(offset, timestamp, r)| (offset, Record { timestamp, ..r.record.clone() }))
            .collect()
    }
}

fn text(bytes: &Option<Vec<u8>>) -> Option<String> {
    bytes.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
}

fn input_record(topic_partition: TopicPartition, offset: i64, record: Record) -> InputRecord {
    InputRecord {
        topic_partition,
        offset,
        timestamp: record.timestamp,
        key: text(&record.key),
        value: text(&record.value),
    }
}
