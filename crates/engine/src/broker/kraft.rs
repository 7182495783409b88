//! The broker's KRaft side (combined mode): the Raft node for `__cluster_metadata`, the active
//! controller when this broker leads the quorum, and the metadata publisher that turns committed
//! records into partition leadership on this broker.

use super::{Broker, ControlledShutdown, Timer, TruncationMode, RAFT_SHUTDOWN_TIMEOUT_MS};
use crate::controller::quorum::{PartitionResult, QuorumController};
use crate::controller::raft::RaftUpdate;
use crate::controller::CreateTopicError;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::metadata::{ConfigResource, MetadataRecord, PartitionRegistration};
use crate::protocol::{ControllerMessage, ElectionType, ErrorCode, PartitionMetadata, RaftMessage, TopicPartition};
use crate::sim::{Millis, NodeId};
use rand::Rng;
use std::collections::BTreeSet;

impl Broker {
    /// Reacts to what a Raft step changed: activate or drop the controller, publish commits.
    pub(super) fn after_raft(&mut self, update: RaftUpdate, now: Millis, out: &mut Outbox<Timer>) {
        if let ControlledShutdown::Resigning { epoch } = self.volatile.controlled_shutdown {
            if self.raft.durable.epoch > epoch {
                // A successor's epoch: the quorum goes on without this voter.
                self.volatile.controlled_shutdown = ControlledShutdown::Done;
            }
        }
        if update.lost_leadership && self.volatile.controller.take().is_some() {
            // Answers waiting for commits that may never come are dropped; the requesters retry.
            self.volatile.pending_replies.clear();
            out.fact(Fact::ControllerResigned { broker: self.id, epoch: self.raft.durable.epoch });
        }
        if update.became_leader {
            self.volatile.controller =
                Some(QuorumController::activate(self.config.controller.clone(), &self.raft.durable.log, now));
            out.fact(Fact::ControllerElected { broker: self.id, epoch: self.raft.durable.epoch });
            let epoch = self.raft.durable.epoch;
            out.timer(now + CONTROLLER_TICK_MS, Timer::ControllerTick { epoch });
            out.timer(
                now + self.config.controller.leader_imbalance_check_interval_ms,
                Timer::PreferredElection { epoch },
            );
        }
        if update.committed || update.became_leader || update.caught_up {
            self.publish_committed(now, out);
            let committed = self.raft.durable.high_watermark;
            let (due, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.volatile.pending_replies)
                .into_iter()
                .partition(|(offset, _, _)| *offset <= committed);
            self.volatile.pending_replies = waiting;
            for (_, to, reply) in due {
                out.send(to, reply);
            }
        }
    }

    /// The active controller appends its decision; its own image follows at once. Returns the
    /// log end offset after the records: once the high watermark reaches it, they are committed.
    pub(super) fn controller_append(
        &mut self,
        records: Vec<MetadataRecord>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> i64 {
        if records.is_empty() {
            return self.raft.durable.high_watermark;
        }
        let Some(controller) = self.volatile.controller.as_mut() else { return self.raft.durable.high_watermark };
        for record in &records {
            narrate_decision(record, controller, self.id, out);
        }
        let first = self.raft.log_end_offset() as usize;
        let update = self.raft.append(records, now, out);
        if let Some(controller) = self.volatile.controller.as_mut() {
            controller.replay(&self.raft.durable.log[first..]);
        }
        let end = self.raft.log_end_offset();
        self.after_raft(update, now, out);
        end
    }

    /// CreateTopics on the active controller.
    #[allow(clippy::too_many_arguments)]
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: i32,
        replication_factor: i32,
        config: crate::log::TopicConfig,
        assignment: Option<Vec<Vec<i32>>>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) -> Result<(), CreateTopicError> {
        let controller = self.volatile.controller.as_ref().ok_or(CreateTopicError::NotController)?;
        let records = controller.create_topic(name, partitions, replication_factor, config, assignment, rng)?;
        let _ = self.controller_append(records, now, out);
        Ok(())
    }

    /// CreatePartitions on the active controller: appends the new partitions' records.
    pub fn create_partitions(
        &mut self,
        topic: &str,
        total: i32,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) -> Result<(), CreateTopicError> {
        let controller = self.volatile.controller.as_ref().ok_or(CreateTopicError::NotController)?;
        let records = controller.create_partitions(topic, total, rng)?;
        let _ = self.controller_append(records, now, out);
        Ok(())
    }

    /// AlterPartitionReassignments on the active controller (KIP-455): starts or cancels
    /// reassignments; each partition's answer comes back at once, as the admin client gets it
    /// once the records are written.
    pub fn alter_partition_reassignments(
        &mut self,
        requests: &[(TopicPartition, Option<Vec<i32>>)],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<Vec<PartitionResult>, CreateTopicError> {
        let controller = self.volatile.controller.as_ref().ok_or(CreateTopicError::NotController)?;
        let (records, results) = controller.alter_partition_reassignments(requests);
        let _ = self.controller_append(records, now, out);
        Ok(results)
    }

    /// ElectLeaders on the active controller (KIP-460).
    pub fn elect_leaders(
        &mut self,
        election: ElectionType,
        partitions: Option<&[TopicPartition]>,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<Vec<PartitionResult>, CreateTopicError> {
        let controller = self.volatile.controller.as_ref().ok_or(CreateTopicError::NotController)?;
        let (records, results) = controller.elect_leaders(election, partitions);
        let _ = self.controller_append(records, now, out);
        let with = |error: ErrorCode| -> Vec<TopicPartition> {
            results.iter().filter(|r| r.error == error).map(|r| r.topic_partition.clone()).collect()
        };
        out.fact(Fact::LeaderElectionAnswered {
            election,
            elected: with(ErrorCode::None),
            not_needed: with(ErrorCode::ElectionNotNeeded),
            failed: results
                .iter()
                .filter(|r| !matches!(r.error, ErrorCode::None | ErrorCode::ElectionNotNeeded))
                .map(|r| (r.topic_partition.clone(), r.error))
                .collect(),
        });
        Ok(results)
    }

    /// DeleteTopics on the active controller: appends a `RemoveTopicRecord` per topic.
    pub fn delete_topics(
        &mut self,
        names: &[String],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<(), CreateTopicError> {
        let controller = self.volatile.controller.as_ref().ok_or(CreateTopicError::NotController)?;
        let records = controller.delete_topics(names)?;
        let _ = self.controller_append(records, now, out);
        Ok(())
    }

    /// IncrementalAlterConfigs on the active controller: appends the `ConfigRecord`s (and any
    /// unclean elections they allow). Returns whether anything was written.
    pub fn alter_configs(
        &mut self,
        resource: &crate::protocol::metadata::ConfigResource,
        changes: &[(String, Option<String>)],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Result<bool, CreateTopicError> {
        let controller = self.volatile.controller.as_ref().ok_or(CreateTopicError::NotController)?;
        let records = controller.alter_configs(resource, changes);
        let written = !records.is_empty();
        let _ = self.controller_append(records, now, out);
        Ok(written)
    }

    /// Requests only the active controller answers.
    pub(super) fn handle_controller_request(
        &mut self,
        from: NodeId,
        message: ControllerMessage,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let next_offset = self.raft.log_end_offset();
        let Some(controller) = self.volatile.controller.as_mut() else {
            let reply = match message {
                ControllerMessage::BrokerRegistrationRequest { .. } => {
                    ControllerMessage::BrokerRegistrationResponse { error: ErrorCode::NotController, broker_epoch: -1 }
                }
                ControllerMessage::BrokerHeartbeatRequest { .. } => ControllerMessage::BrokerHeartbeatResponse {
                    error: ErrorCode::NotController,
                    is_fenced: true,
                    should_shut_down: false,
                },
                ControllerMessage::AlterPartitionRequest { topic_partition, .. } => {
                    ControllerMessage::AlterPartitionResponse {
                        topic_partition,
                        error: ErrorCode::NotController,
                        registration: None,
                    }
                }
                _ => return,
            };
            out.send(from, reply);
            return;
        };
        let (records, reply) = match message {
            ControllerMessage::BrokerRegistrationRequest { broker_id, previous_broker_epoch, incarnation_id, rack } => {
                match controller.register_broker(
                    broker_id,
                    previous_broker_epoch,
                    incarnation_id,
                    rack,
                    next_offset,
                    now,
                ) {
                    Ok(records) => {
                        // The registration is the last record: its offset is the broker epoch.
                        let broker_epoch = next_offset + records.len() as i64 - 1;
                        (
                            records,
                            ControllerMessage::BrokerRegistrationResponse { error: ErrorCode::None, broker_epoch },
                        )
                    }
                    Err(error) => {
                        (Vec::new(), ControllerMessage::BrokerRegistrationResponse { error, broker_epoch: -1 })
                    }
                }
            }
            ControllerMessage::BrokerHeartbeatRequest {
                broker_id,
                broker_epoch,
                current_metadata_offset,
                want_shut_down,
            } => {
                let (records, reply) = controller.heartbeat(
                    broker_id,
                    broker_epoch,
                    current_metadata_offset,
                    want_shut_down,
                    next_offset,
                    now,
                );
                (
                    records,
                    ControllerMessage::BrokerHeartbeatResponse {
                        error: reply.error,
                        is_fenced: reply.is_fenced,
                        should_shut_down: reply.should_shut_down,
                    },
                )
            }
            ControllerMessage::AlterPartitionRequest {
                broker_id,
                topic_partition,
                leader_epoch,
                partition_epoch,
                new_isr,
                broker_epochs,
            } => {
                let members: Vec<(i32, i64)> = new_isr.iter().copied().zip(broker_epochs).collect();
                let (records, reply) =
                    controller.alter_partition(broker_id, &topic_partition, leader_epoch, partition_epoch, &members);
                (
                    records,
                    ControllerMessage::AlterPartitionResponse {
                        topic_partition,
                        error: reply.error,
                        registration: reply.registration.map(Box::new),
                    },
                )
            }
            _ => return,
        };
        // As Kafka's QuorumController, answer only once the decision is committed: a leader that
        // shrank its ISR on an uncommitted change could lose data if this controller failed. An
        // AlterPartition answered without records (a rejection) was read from the in-memory state,
        // which may hold uncommitted records: as `ControllerWriteEvent`, it waits for the log end.
        // (Kafka waits so for every empty answer; heartbeats here answer at once, which only
        // moves when a broker learns it is unfenced.)
        let read_only_alter_partition =
            records.is_empty() && matches!(reply, ControllerMessage::AlterPartitionResponse { .. });
        let end = if read_only_alter_partition {
            self.raft.log_end_offset()
        } else {
            self.controller_append(records, now, out)
        };
        if end <= self.raft.durable.high_watermark {
            out.send(from, reply);
        } else {
            self.volatile.pending_replies.push((end, from, reply));
        }
    }

    /// Controller timers: fence brokers whose session expired; preferred leader elections.
    pub(super) fn on_controller_timer(&mut self, timer: Timer, now: Millis, out: &mut Outbox<Timer>) {
        let epoch = self.raft.durable.epoch;
        match timer {
            Timer::ControllerTick { epoch: e } if e == epoch && self.volatile.controller.is_some() => {
                if let Some((_, records)) = self.volatile.controller.as_mut().and_then(|c| c.fence_stale_broker(now)) {
                    let _ = self.controller_append(records, now, out);
                }
                out.timer(now + CONTROLLER_TICK_MS, Timer::ControllerTick { epoch });
            }
            Timer::PreferredElection { epoch: e } if e == epoch && self.volatile.controller.is_some() => {
                let records = self
                    .volatile
                    .controller
                    .as_ref()
                    .filter(|c| c.config.auto_leader_rebalance_enable)
                    .map(|c| c.preferred_leader_elections())
                    .unwrap_or_default();
                let _ = self.controller_append(records, now, out);
                out.timer(
                    now + self.config.controller.leader_imbalance_check_interval_ms,
                    Timer::PreferredElection { epoch },
                );
            }
            _ => {}
        }
    }

    /// The metadata publisher: apply newly committed records to this broker's image and act on
    /// the partitions they touch. Right after a restart nothing is published until the metadata
    /// log reaches the leader's high watermark; then every partition is, since leadership held
    /// before the crash must not be trusted.
    pub(super) fn publish_committed(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        if self.volatile.republish_all && !self.raft.caught_up() {
            return;
        }
        let from = (self.durable.image.offset + 1).max(0) as usize;
        let to = (self.raft.durable.high_watermark.max(0) as usize).min(self.raft.durable.log.len());
        if from >= to && !self.volatile.republish_all {
            return;
        }
        let mut touched: BTreeSet<TopicPartition> = BTreeSet::new();
        let mut removed: Vec<String> = Vec::new();
        let mut reconfigured = false;
        for entry in &self.raft.durable.log[from.min(to)..to] {
            self.durable.image.apply(entry);
            match entry.record.as_ref() {
                MetadataRecord::Partition { topic_partition, .. }
                | MetadataRecord::PartitionChange { topic_partition, .. } => {
                    touched.insert(topic_partition.clone());
                }
                MetadataRecord::RemoveTopic { name } => {
                    touched.retain(|tp| tp.topic != *name);
                    removed.push(name.clone());
                }
                MetadataRecord::Config { resource, name, value } if !self.roles.controller_only() => {
                    let applies = match resource {
                        ConfigResource::Broker(b) => *b == self.id,
                        ConfigResource::Topic(_) | ConfigResource::BrokerDefault => true,
                    };
                    if applies {
                        reconfigured = true;
                        out.fact(Fact::DynamicConfigApplied {
                            broker: self.id,
                            resource: resource.clone(),
                            name: name.clone(),
                            value: value.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
        for name in &removed {
            self.delete_topic_replicas(name, out);
        }
        if reconfigured {
            self.reconfigure_replicas();
        }
        if std::mem::take(&mut self.volatile.republish_all) {
            touched = self.durable.image.partitions().map(|(tp, _)| tp).collect();
        }
        for tp in touched {
            if let Some(registration) = self.durable.image.partition(&tp).cloned() {
                self.apply_partition_state(&tp, &registration, now, out);
            }
        }
        self.durable.metadata_cache = self
            .durable
            .image
            .partitions()
            .map(|(tp, p)| PartitionMetadata { topic_partition: tp, leader: p.leader, leader_epoch: p.leader_epoch })
            .collect();
        self.complete_delayed_produces(None, now, out);
        self.sync_group_coordinator(now, out);
        if !removed.is_empty() {
            self.on_topics_deleted(&removed, now, out);
        }
        self.sync_txn_coordinator(now, out);
        self.sync_share_coordinator();
    }

    /// A removed topic (Kafka's `ReplicaManager.applyDelta` → `stopPartitions` with deletion):
    /// this broker's replicas of it stop and their logs are deleted, with the share partitions
    /// on them. Followers drop the partitions from their next fetch.
    fn delete_topic_replicas(&mut self, topic: &str, out: &mut Outbox<Timer>) {
        let partitions: Vec<i32> =
            self.durable.replicas.keys().filter(|tp| tp.topic == topic).map(|tp| tp.partition).collect();
        if partitions.is_empty() {
            return;
        }
        self.durable.replicas.retain(|tp, _| tp.topic != topic);
        for partitions in self.durable.by_leader.values_mut() {
            partitions.retain(|tp| tp.topic != topic);
        }
        self.volatile.share.partitions.retain(|(_, tp), _| tp.topic != topic);
        out.fact(Fact::ReplicasDeleted { broker: self.id, topic: topic.to_string(), partitions });
    }

    /// `DynamicLogConfig` / `ReplicaManager.updateLogConfig`: every replica takes its topic's
    /// effective config as this broker now resolves it (min ISR, unclean election, retention,
    /// segment size), so a change takes effect on each broker once it has seen the record.
    fn reconfigure_replicas(&mut self) {
        for (tp, replica) in self.durable.replicas.iter_mut() {
            let Some(config) = self.durable.image.topic_config_on(&tp.topic, self.id) else { continue };
            if config != replica.config {
                replica.log.set_config(config.log.clone());
                replica.config = config;
            }
        }
    }

    /// Lead, follow, or stop leading one partition, as the committed metadata says.
    fn apply_partition_state(
        &mut self,
        tp: &TopicPartition,
        registration: &PartitionRegistration,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        if !registration.replicas.contains(&self.id) {
            self.delete_replica(tp, out);
            return;
        }
        let id = self.id;
        if !self.durable.replicas.contains_key(tp) {
            let Some(config) = self.durable.image.topic_config_on(&tp.topic, id) else { return };
            let replica = super::replica::Replica::new(tp.clone(), config, registration.replicas.clone(), now);
            self.durable.by_leader.entry(replica.leader).or_default().insert(tp.clone());
            self.durable.replicas.insert(tp.clone(), replica);
        }
        let legacy = self.config.truncation == TruncationMode::HighWatermark;
        let Some(replica) = self.durable.replicas.get_mut(tp) else { return };
        let new_epoch = registration.leader_epoch != replica.leader_epoch || replica.leader != registration.leader;
        if replica.replicas != registration.replicas {
            replica.update_assignment(registration.replicas.clone(), id, now);
        }
        if replica.leader != registration.leader {
            let by_leader = &mut self.durable.by_leader;
            if let Some(partitions) = by_leader.get_mut(&replica.leader) {
                partitions.remove(tp);
            }
            by_leader.entry(registration.leader).or_default().insert(tp.clone());
        }
        replica.leader = registration.leader;
        replica.leader_epoch = registration.leader_epoch;
        if registration.partition_epoch > replica.partition_epoch {
            // A newer committed state settles any ISR change this leader proposed.
            replica.pending_isr = None;
        }
        replica.isr = registration.isr.clone();
        replica.partition_epoch = registration.partition_epoch;
        if registration.leader == id {
            if new_epoch {
                replica.become_leader(id, now);
            }
            let lag_max = self.config.replica_lag_time_max_ms;
            if let Some(fact) = replica.advance_high_watermark(id, now, lag_max, &self.durable.image) {
                out.fact(fact);
            }
        } else if registration.leader >= 0 {
            if new_epoch && legacy {
                // Before KIP-101 a new follower cut its log back to its high watermark.
                let hw = replica.high_watermark;
                let before = replica.log.log_end_offset();
                replica.truncate_to(hw);
                if before > hw {
                    out.fact(Fact::LogTruncated {
                        topic_partition: tp.clone(),
                        broker: id,
                        from_offset: before,
                        to_offset: hw,
                        leader_epoch: -1,
                    });
                }
            }
            self.ensure_fetcher(registration.leader, now, out);
        }
    }

    /// A partition this broker is no longer a replica of (a reassignment removed it): stop
    /// fetching it and delete its log, as `ReplicaManager.applyDelta` does with the deletes of
    /// `TopicsDelta.localChanges` (`stopPartitions` with `deleteLocalLog`). The fetcher drops the
    /// partition on its next round, since it fetches only the replicas this broker holds.
    fn delete_replica(&mut self, tp: &TopicPartition, out: &mut Outbox<Timer>) {
        if let Some(replica) = self.durable.replicas.remove(tp) {
            if let Some(partitions) = self.durable.by_leader.get_mut(&replica.leader) {
                partitions.remove(tp);
            }
            out.fact(Fact::ReplicaDeleted {
                broker: self.id,
                topic_partition: tp.clone(),
                log_end_offset: replica.log.log_end_offset(),
            });
        }
    }

    /// Registration and heartbeats to the active controller, every `broker.heartbeat.interval.ms`.
    pub(super) fn heartbeat(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let interval = self.config.broker_heartbeat_interval_ms;
        let want_shut_down = matches!(self.volatile.controlled_shutdown, ControlledShutdown::Pending { .. });
        if want_shut_down && self.volatile.broker_epoch < 0 {
            // Not registered: nothing to hand over, stop at once (`BrokerLifecycleManager`).
            self.volatile.controlled_shutdown = ControlledShutdown::Done;
            return;
        }
        if let Some(controller) = self.raft.volatile.leader {
            let message = if self.volatile.broker_epoch < 0 {
                ControllerMessage::BrokerRegistrationRequest {
                    broker_id: self.id,
                    previous_broker_epoch: self.durable.clean_shutdown_epoch.unwrap_or(-1),
                    incarnation_id: self.volatile.incarnation_id,
                    rack: self.config.rack.clone(),
                }
            } else {
                ControllerMessage::BrokerHeartbeatRequest {
                    broker_id: self.id,
                    broker_epoch: self.volatile.broker_epoch,
                    current_metadata_offset: self.durable.image.offset,
                    want_shut_down,
                }
            };
            out.send(NodeId::Broker(controller), message);
        }
        let next = if self.volatile.broker_epoch < 0 { interval / 4 } else { interval };
        self.schedule_heartbeat(now + next.max(1), out);
    }

    fn schedule_heartbeat(&mut self, at: Millis, out: &mut Outbox<Timer>) {
        self.next_token += 1;
        self.volatile.heartbeat_token = self.next_token;
        out.timer(at, Timer::Heartbeat { token: self.volatile.heartbeat_token });
    }

    /// A graceful stop (Kafka's `BrokerLifecycleManager.beginControlledShutdown`, what SIGTERM
    /// does): heartbeat at once with `wantShutDown`, so the controller moves leadership away
    /// before the process stops. Returns false if a stop is already under way.
    /// A dedicated controller has no partitions to hand over: only its quorum leadership.
    pub fn begin_controlled_shutdown(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) -> bool {
        if self.volatile.controlled_shutdown != ControlledShutdown::Running {
            return false;
        }
        self.volatile.controlled_shutdown = ControlledShutdown::Pending { answered: false };
        out.fact(Fact::ControlledShutdownRequested { broker: self.id });
        if self.roles.controller_only() {
            self.shut_down_raft(now, rng, out);
        } else {
            self.heartbeat(now, out);
        }
        true
    }

    /// Whether a graceful stop has handed everything over: the world then stops the process.
    pub fn shutdown_complete(&self) -> bool {
        self.volatile.controlled_shutdown == ControlledShutdown::Done
    }

    pub(super) fn handle_lifecycle_response(
        &mut self,
        message: ControllerMessage,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        match message {
            ControllerMessage::BrokerRegistrationResponse { error: ErrorCode::None, broker_epoch } => {
                self.volatile.broker_epoch = broker_epoch;
                // Read once at startup, as Kafka deletes the file.
                self.durable.clean_shutdown_epoch = None;
            }
            ControllerMessage::BrokerHeartbeatResponse {
                error: ErrorCode::StaleBrokerEpoch | ErrorCode::BrokerIdNotRegistered,
                ..
            } => {
                self.volatile.broker_epoch = -1;
            }
            ControllerMessage::BrokerHeartbeatResponse { error: ErrorCode::None, should_shut_down, .. } => {
                match self.volatile.controlled_shutdown {
                    ControlledShutdown::Pending { .. } if should_shut_down => self.shut_down_raft(now, rng, out),
                    ControlledShutdown::Pending { answered: false } => {
                        // `BrokerLifecycleManager`: after the first answer, ask again in 50 ms.
                        self.volatile.controlled_shutdown = ControlledShutdown::Pending { answered: true };
                        self.schedule_heartbeat(now + 50, out);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// SHUTDOWN_NOW: a voter that leads the quorum resigns first (EndQuorumEpoch) and waits for a
    /// successor; any other broker is done.
    fn shut_down_raft(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        if self.raft.is_leader() {
            let epoch = self.raft.durable.epoch;
            let update = self.raft.resign(now, rng, out);
            self.volatile.controlled_shutdown = ControlledShutdown::Resigning { epoch };
            out.timer(now + RAFT_SHUTDOWN_TIMEOUT_MS, Timer::ShutdownTimeout);
            self.after_raft(update, now, out);
        } else {
            self.volatile.controlled_shutdown = ControlledShutdown::Done;
        }
    }

    /// Brokers hand out producer ids from their own block, as KRaft brokers get blocks from the
    /// controller; an existing id gets its epoch bumped (KIP-360).
    pub(super) fn init_producer_id(&mut self, producer_id: i64, producer_epoch: i16) -> (i64, i16) {
        if producer_id >= 0 {
            (producer_id, producer_epoch.wrapping_add(1).max(0))
        } else {
            self.durable.next_producer_id += 1;
            (self.durable.next_producer_id - 1, 0)
        }
    }

    /// Raft messages go to the Raft node; what changed is acted on.
    pub(super) fn handle_raft(
        &mut self,
        from: i32,
        message: RaftMessage,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) {
        let update = self.raft.on_message(from, message, now, rng, out);
        self.after_raft(update, now, out);
    }
}

/// How often the active controller looks for brokers whose session expired.
pub(super) const CONTROLLER_TICK_MS: Millis = 1000;

/// Narrates a controller decision at the moment it is made.
fn narrate_decision(record: &MetadataRecord, controller: &QuorumController, id: i32, out: &mut Outbox<Timer>) {
    match record {
        // A controlled shutdown is told by the broker itself (requested, then shut down).
        MetadataRecord::BrokerRegistrationChange { in_controlled_shutdown: true, .. } => {}
        MetadataRecord::BrokerRegistrationChange { broker_id, fenced: true, .. } => {
            out.fact(Fact::BrokerFenced { broker: *broker_id, controller: id })
        }
        MetadataRecord::BrokerRegistrationChange { broker_id, fenced: false, .. } => {
            out.fact(Fact::BrokerUnfenced { broker: *broker_id, controller: id })
        }
        MetadataRecord::RegisterBroker { broker_id, broker_epoch, .. } => {
            out.fact(Fact::BrokerRegistered { broker: *broker_id, broker_epoch: *broker_epoch })
        }
        MetadataRecord::PartitionChange { topic_partition, registration, unclean } => {
            let before = controller.image.partition(topic_partition);
            if let Some(before) = before {
                narrate_reassignment(topic_partition, before, registration, out);
            }
            if before.is_some_and(|b| b.elr != registration.elr || b.last_known_elr != registration.last_known_elr) {
                out.fact(Fact::EligibleLeaderReplicasChanged {
                    topic_partition: topic_partition.clone(),
                    elr: registration.elr.clone(),
                    last_known_elr: registration.last_known_elr.clone(),
                });
            }
            if before.is_none_or(|b| b.leader != registration.leader) {
                out.fact(Fact::LeaderElected {
                    topic_partition: topic_partition.clone(),
                    leader: registration.leader,
                    previous_leader: before.map_or(-1, |b| b.leader),
                    leader_epoch: registration.leader_epoch,
                    isr: registration.isr.clone(),
                    unclean: *unclean,
                });
            } else if let Some(before) = before.filter(|b| b.isr != registration.isr) {
                let removed: Vec<i32> = before.isr.iter().copied().filter(|r| !registration.isr.contains(r)).collect();
                let added: Vec<i32> = registration.isr.iter().copied().filter(|r| !before.isr.contains(r)).collect();
                out.fact(Fact::IsrChanged {
                    topic_partition: topic_partition.clone(),
                    isr: registration.isr.clone(),
                    removed,
                    added,
                });
            }
        }
        MetadataRecord::Partition { topic_partition, registration } => out.fact(Fact::LeaderElected {
            topic_partition: topic_partition.clone(),
            leader: registration.leader,
            previous_leader: -1,
            leader_epoch: registration.leader_epoch,
            isr: registration.isr.clone(),
            unclean: false,
        }),
        MetadataRecord::Config { resource, name, value } => out.fact(Fact::DynamicConfigChanged {
            controller: id,
            resource: resource.clone(),
            name: name.clone(),
            value: value.clone(),
        }),
        // The world tells a deletion when the controller accepts it (`TopicDeleted`).
        MetadataRecord::LeaderChange { .. } | MetadataRecord::Topic { .. } | MetadataRecord::RemoveTopic { .. } => {}
    }
}

/// Tells what a partition change did to a reassignment (KIP-455): started it, completed it (the
/// removing replicas are gone), or cancelled it (the adding replicas are gone).
fn narrate_reassignment(
    tp: &TopicPartition,
    before: &PartitionRegistration,
    after: &PartitionRegistration,
    out: &mut Outbox<Timer>,
) {
    let started = after.is_reassigning()
        && (before.adding_replicas() != after.adding_replicas()
            || before.removing_replicas() != after.removing_replicas());
    if started {
        let target = after.replicas.iter().copied().filter(|r| !after.removing_replicas().contains(r)).collect();
        out.fact(Fact::PartitionReassignmentStarted {
            topic_partition: tp.clone(),
            target,
            adding: after.adding_replicas().to_vec(),
            removing: after.removing_replicas().to_vec(),
        });
    }
    if after.is_reassigning() || before.replicas == after.replicas {
        return;
    }
    let original: Vec<i32> =
        before.replicas.iter().copied().filter(|r| !before.adding_replicas().contains(r)).collect();
    if !before.adding_replicas().is_empty() && after.replicas == original {
        out.fact(Fact::PartitionReassignmentCancelled {
            topic_partition: tp.clone(),
            replicas: after.replicas.clone(),
        });
    } else {
        let removed = before.replicas.iter().copied().filter(|r| !after.replicas.contains(r)).collect();
        out.fact(Fact::PartitionReassignmentCompleted {
            topic_partition: tp.clone(),
            replicas: after.replicas.clone(),
            removed,
        });
    }
}
