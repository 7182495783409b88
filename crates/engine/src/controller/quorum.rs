//! The active controller (Kafka's `QuorumController`): it decides, and every decision is a list of
//! metadata records appended to the Raft log. Broker liveness comes from heartbeats; fencing a
//! broker moves leadership away from it; ISR changes arrive as AlterPartition requests.

use super::metadata::MetadataImage;
use super::placement::place_striped;
use super::{assign_replicas, validate_topic_name, CreateTopicError};
use crate::log::TopicConfig;
use crate::protocol::metadata::{
    ConfigResource, MetadataEntry, MetadataRecord, PartitionRegistration, ReassigningReplicas,
};
use crate::protocol::{ElectionType, ErrorCode, TopicName, TopicPartition};
use crate::sim::Millis;
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// Controller settings with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ControllerConfig {
    /// `broker.session.timeout.ms`: a broker silent this long is fenced.
    pub broker_session_timeout_ms: Millis,
    /// `auto.leader.rebalance.enable`: move leadership back to preferred replicas.
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.check.interval.seconds`, in milliseconds.
    pub leader_imbalance_check_interval_ms: Millis,
    /// The finalized level of the feature `eligible.leader.replicas.version` (KIP-966): 1 turns
    /// eligible leader replicas on. New clusters get 1 since Kafka 4.1 (4.0: 0, a preview).
    pub eligible_leader_replicas_version: i16,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            broker_session_timeout_ms: 9000,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_ms: 300_000,
            eligible_leader_replicas_version: 1,
        }
    }
}

/// The answer to a broker heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatReply {
    pub error: ErrorCode,
    pub is_fenced: bool,
    /// Controlled shutdown granted (Kafka's `SHUTDOWN_NOW`): the broker leads nothing and every
    /// active broker has seen the leadership move.
    pub should_shut_down: bool,
}

impl HeartbeatReply {
    fn refused(error: ErrorCode) -> Self {
        HeartbeatReply { error, is_fenced: true, should_shut_down: false }
    }
}

/// One partition's answer to an admin request (AlterPartitionReassignments, ElectLeaders):
/// its error (NONE on success) and the message Kafka's `ApiError` carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionResult {
    pub topic_partition: TopicPartition,
    pub error: ErrorCode,
    pub message: String,
}

impl PartitionResult {
    fn ok(topic_partition: TopicPartition) -> Self {
        PartitionResult { topic_partition, error: ErrorCode::None, message: String::new() }
    }
}

/// The answer to an AlterPartition request: the partition state after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterPartitionReply {
    pub error: ErrorCode,
    pub registration: Option<PartitionRegistration>,
}

#[derive(Debug, Clone)]
pub struct QuorumController {
    pub config: ControllerConfig,
    /// The state after every record in the log, committed or not (the controller's own view).
    pub image: MetadataImage,
    last_heartbeat: BTreeMap<i32, Millis>,
    /// The metadata offset each broker's last heartbeat reported.
    metadata_offsets: BTreeMap<i32, i64>,
    /// Where each broker's controlled shutdown records end (`BrokerHeartbeatState.controlledShutdownOffset`).
    controlled_shutdown_offsets: BTreeMap<i32, i64>,
    /// The incarnation each broker last registered with (Kafka keeps it in the registration;
    /// here a new controller starts without it and treats the next registration as a new process).
    incarnations: BTreeMap<i32, u64>,
}

impl QuorumController {
    /// Activates on a new quorum leader: replay the log; every registered broker gets a fresh
    /// session, as Kafka's heartbeat manager starts empty on a new controller.
    pub fn activate(config: ControllerConfig, log: &[MetadataEntry], now: Millis) -> Self {
        let mut image = MetadataImage::new();
        for entry in log {
            image.apply(entry);
        }
        let last_heartbeat = image.brokers.keys().map(|b| (*b, now)).collect();
        QuorumController {
            config,
            image,
            last_heartbeat,
            metadata_offsets: BTreeMap::new(),
            controlled_shutdown_offsets: BTreeMap::new(),
            incarnations: BTreeMap::new(),
        }
    }

    /// Keeps the image in step with records just appended to the log.
    pub fn replay(&mut self, entries: &[MetadataEntry]) {
        for entry in entries {
            self.image.apply(entry);
        }
    }

    /// A broker (re)starts: register it fenced; its epoch is the record's offset
    /// (`ClusterControlManager.registerBroker`). A new incarnation is refused while the previous
    /// one's session is still valid (DUPLICATE_BROKER_REGISTRATION) and retries, so a restarted
    /// broker is fenced first. With eligible leader replicas on, a new incarnation that did not
    /// shut down cleanly (its previous epoch is not the registered one) may have lost unflushed
    /// records, so it leaves every ISR and ELR (`ReplicationControlManager.handleBrokerShutdown`
    /// with `isCleanShutdown` false).
    pub fn register_broker(
        &mut self,
        broker_id: i32,
        previous_broker_epoch: i64,
        incarnation_id: u64,
        rack: Option<String>,
        next_offset: i64,
        now: Millis,
    ) -> Result<Vec<MetadataRecord>, ErrorCode> {
        let timeout = self.config.broker_session_timeout_ms;
        let new_incarnation = self.incarnations.get(&broker_id) != Some(&incarnation_id);
        let session_valid = self.image.brokers.get(&broker_id).is_some_and(|b| !b.fenced)
            && self.last_heartbeat.get(&broker_id).is_some_and(|at| now.saturating_sub(*at) <= timeout);
        if session_valid && new_incarnation {
            return Err(ErrorCode::DuplicateBrokerRegistration);
        }
        self.last_heartbeat.insert(broker_id, now);
        self.incarnations.insert(broker_id, incarnation_id);
        let mut records = Vec::new();
        let elr_enabled = self.config.eligible_leader_replicas_version >= 1;
        let unclean_shutdown =
            self.image.brokers.get(&broker_id).is_some_and(|b| b.broker_epoch != previous_broker_epoch);
        if elr_enabled && new_incarnation && unclean_shutdown {
            for (tp, partition) in self.image.partitions() {
                if !partition.isr.contains(&broker_id) && !partition.elr.contains(&broker_id) {
                    continue;
                }
                let target_isr = partition.isr.iter().copied().filter(|r| *r != broker_id).collect();
                let acceptable = |r: i32| r != broker_id && self.image.is_active(r);
                let rules = self.election_rules(&tp, partition);
                if let Some((registration, unclean)) =
                    change_partition(partition, target_isr, acceptable, rules, Some(broker_id))
                {
                    records.push(MetadataRecord::PartitionChange { topic_partition: tp, registration, unclean });
                }
            }
        }
        let next_offset = next_offset + records.len() as i64;
        records.push(MetadataRecord::RegisterBroker { broker_id, broker_epoch: next_offset, rack });
        Ok(records)
    }

    /// Kafka's heartbeat handling (`ReplicationControlManager.processBrokerHeartbeat` with
    /// `BrokerHeartbeatManager.calculateNextBrokerState`): a stale epoch is refused; a fenced
    /// broker whose metadata caught up to its registration is unfenced, and leaderless partitions
    /// it hosts get a leader; `want_shut_down` starts or continues a controlled shutdown.
    /// `next_offset` is where the records returned will start in the metadata log.
    pub fn heartbeat(
        &mut self,
        broker_id: i32,
        broker_epoch: i64,
        metadata_offset: i64,
        want_shut_down: bool,
        next_offset: i64,
        now: Millis,
    ) -> (Vec<MetadataRecord>, HeartbeatReply) {
        let Some(registration) = self.image.brokers.get(&broker_id).copied() else {
            return (Vec::new(), HeartbeatReply::refused(ErrorCode::BrokerIdNotRegistered));
        };
        if registration.broker_epoch != broker_epoch {
            return (Vec::new(), HeartbeatReply::refused(ErrorCode::StaleBrokerEpoch));
        }
        self.last_heartbeat.insert(broker_id, now);
        self.metadata_offsets.insert(broker_id, metadata_offset);
        let ok = |is_fenced, should_shut_down| HeartbeatReply { error: ErrorCode::None, is_fenced, should_shut_down };
        if want_shut_down {
            return self.controlled_shutdown(broker_id, registration, next_offset);
        }
        if !registration.fenced {
            return (Vec::new(), ok(false, false));
        }
        if metadata_offset < registration.broker_epoch {
            return (Vec::new(), ok(true, false));
        }
        let mut records = vec![MetadataRecord::BrokerRegistrationChange {
            broker_id,
            broker_epoch,
            fenced: false,
            in_controlled_shutdown: false,
        }];
        let mut image = self.image.clone();
        image.brokers.insert(
            broker_id,
            super::metadata::BrokerRegistration { broker_epoch, fenced: false, in_controlled_shutdown: false },
        );
        for (tp, partition) in image.partitions() {
            if partition.leader < 0 && partition.replicas.contains(&broker_id) {
                if let Some((registration, unclean)) =
                    elect(partition, &image, None, self.election_rules(&tp, partition))
                {
                    records.push(MetadataRecord::PartitionChange { topic_partition: tp, registration, unclean });
                }
            }
        }
        (records, ok(false, false))
    }

    /// A heartbeat with `wantShutDown` (KIP-841, `BrokerHeartbeatManager.calculateNextBrokerState`):
    /// a broker that leads partitions enters CONTROLLED_SHUTDOWN, which moves its leaderships and
    /// ISR memberships to others (`handleBrokerInControlledShutdown`); once it leads nothing and
    /// every active broker's metadata passed those records, SHUTDOWN_NOW fences it
    /// (`handleBrokerFenced`) and tells it to stop.
    fn controlled_shutdown(
        &mut self,
        broker_id: i32,
        registration: super::metadata::BrokerRegistration,
        next_offset: i64,
    ) -> (Vec<MetadataRecord>, HeartbeatReply) {
        let shut_down_now =
            |records| (records, HeartbeatReply { error: ErrorCode::None, is_fenced: true, should_shut_down: true });
        let leads = self.image.partitions().any(|(_, p)| p.leader == broker_id);
        if registration.fenced {
            return shut_down_now(Vec::new());
        }
        if !registration.in_controlled_shutdown {
            if !leads {
                return shut_down_now(self.fence_records(broker_id, registration, true));
            }
            let mut records = vec![MetadataRecord::BrokerRegistrationChange {
                broker_id,
                broker_epoch: registration.broker_epoch,
                fenced: false,
                in_controlled_shutdown: true,
            }];
            let mut image = self.image.clone();
            image.brokers.insert(
                broker_id,
                super::metadata::BrokerRegistration { in_controlled_shutdown: true, ..registration },
            );
            records.extend(self.leave_records(broker_id, &image));
            self.controlled_shutdown_offsets.insert(broker_id, next_offset + records.len() as i64 - 1);
            let reply = HeartbeatReply { error: ErrorCode::None, is_fenced: false, should_shut_down: false };
            return (records, reply);
        }
        let shutdown_offset = self.controlled_shutdown_offsets.get(&broker_id).copied().unwrap_or(-1);
        let lowest_active_offset = self
            .image
            .active_brokers()
            .iter()
            .map(|b| self.metadata_offsets.get(b).copied().unwrap_or(-1))
            .min()
            .unwrap_or(i64::MAX);
        if leads || shutdown_offset > lowest_active_offset {
            let reply = HeartbeatReply { error: ErrorCode::None, is_fenced: false, should_shut_down: false };
            return (Vec::new(), reply);
        }
        self.controlled_shutdown_offsets.remove(&broker_id);
        shut_down_now(self.fence_records(broker_id, registration, true))
    }

    /// Kafka's `handleBrokerFenced`: the fence record, then every partition the broker led or
    /// was in the ISR of gets a new leader or a smaller ISR. `in_controlled_shutdown` stays set
    /// on a broker that is shutting down (SHUTDOWN_NOW), so the fence is not told as a lost session.
    fn fence_records(
        &self,
        broker_id: i32,
        registration: super::metadata::BrokerRegistration,
        in_controlled_shutdown: bool,
    ) -> Vec<MetadataRecord> {
        let mut image = self.image.clone();
        image.brokers.insert(
            broker_id,
            super::metadata::BrokerRegistration { fenced: true, in_controlled_shutdown, ..registration },
        );
        let mut records = vec![MetadataRecord::BrokerRegistrationChange {
            broker_id,
            broker_epoch: registration.broker_epoch,
            fenced: true,
            in_controlled_shutdown,
        }];
        records.extend(self.leave_records(broker_id, &image));
        records
    }

    /// Kafka's `generateLeaderAndIsrUpdates` for a broker going away: new leaders and smaller
    /// ISRs for the partitions it led or was in the ISR of, decided on `image`.
    fn leave_records(&self, broker_id: i32, image: &MetadataImage) -> Vec<MetadataRecord> {
        image
            .partitions()
            .filter(|(_, p)| p.isr.contains(&broker_id) || p.leader == broker_id)
            .filter_map(|(tp, partition)| {
                let rules = self.election_rules(&tp, partition);
                let (registration, unclean) = elect(partition, image, Some(broker_id), rules)?;
                Some(MetadataRecord::PartitionChange { topic_partition: tp, registration, unclean })
            })
            .collect()
    }

    /// How `tp` may elect: unclean election as its topic says, and with eligible leader replicas
    /// on, the effective min ISR that decides when replicas leaving the ISR become ELR
    /// (`ReplicationControlManager.getTopicEffectiveMinIsr`: min(`min.insync.replicas`, RF)).
    fn election_rules(&self, tp: &TopicPartition, partition: &PartitionRegistration) -> ElectionRules {
        let config = self.image.topics.get(tp.topic.as_str()).map(|t| &t.config);
        ElectionRules {
            unclean_allowed: config.is_some_and(|c| c.unclean_leader_election_enable),
            elr_min_isr: (self.config.eligible_leader_replicas_version >= 1).then(|| {
                let min_isr = config.map_or(1, |c| c.min_insync_replicas.max(1) as usize);
                min_isr.min(partition.replicas.len())
            }),
        }
    }

    /// Fences one broker whose session expired (Kafka fences one per check), moving its
    /// leaderships and ISR memberships away. Returns the broker and the records.
    pub fn fence_stale_broker(&mut self, now: Millis) -> Option<(i32, Vec<MetadataRecord>)> {
        let timeout = self.config.broker_session_timeout_ms;
        let stale = self.image.brokers.iter().find(|(id, registration)| {
            !registration.fenced && self.last_heartbeat.get(id).is_none_or(|at| now.saturating_sub(*at) > timeout)
        });
        let (&broker_id, &registration) = stale?;
        Some((broker_id, self.fence_records(broker_id, registration, false)))
    }

    /// AlterPartition from a partition leader: accepted only for the current leader and
    /// partition epochs, and only an ISR of assigned replicas that are all eligible
    /// (`ReplicationControlManager.ineligibleReplicasForIsr`, KIP-903): registered, not fenced,
    /// not in controlled shutdown, and with the broker epoch the leader saw (-1 skips that check)
    /// equal to the registered one; otherwise INELIGIBLE_REPLICA, so a restarted broker's old
    /// incarnation cannot be added back.
    pub fn alter_partition(
        &mut self,
        broker_id: i32,
        tp: &TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr_with_epochs: &[(i32, i64)],
    ) -> (Vec<MetadataRecord>, AlterPartitionReply) {
        let new_isr: Vec<i32> = new_isr_with_epochs.iter().map(|(b, _)| *b).collect();
        let Some(current) = self.image.partition(tp).cloned() else {
            return (Vec::new(), AlterPartitionReply { error: ErrorCode::UnknownTopicOrPartition, registration: None });
        };
        let reject = |error| (Vec::new(), AlterPartitionReply { error, registration: Some(current.clone()) });
        if current.leader != broker_id {
            return reject(ErrorCode::NotLeaderOrFollower);
        }
        if leader_epoch != current.leader_epoch {
            return reject(ErrorCode::FencedLeaderEpoch);
        }
        if partition_epoch != current.partition_epoch {
            return reject(ErrorCode::InvalidUpdateVersion);
        }
        let eligible = |(broker, epoch): &(i32, i64)| {
            self.image.brokers.get(broker).is_some_and(|b| b.is_active() && (*epoch == -1 || *epoch == b.broker_epoch))
        };
        if !new_isr.contains(&broker_id)
            || new_isr.iter().any(|r| !current.replicas.contains(r))
            || !new_isr_with_epochs.iter().all(eligible)
        {
            return reject(ErrorCode::IneligibleReplica);
        }
        let target_isr = current.replicas.iter().copied().filter(|r| new_isr.contains(r)).collect();
        let rules = ElectionRules { unclean_allowed: false, ..self.election_rules(tp, &current) };
        let Some((registration, _)) = change_partition(&current, target_isr, |r| self.image.is_active(r), rules, None)
        else {
            return (Vec::new(), AlterPartitionReply { error: ErrorCode::None, registration: Some(current) });
        };
        // An ISR that completes a reassignment may elect another leader: the request changed the
        // partition, yet its sender must learn the new state from the metadata (NEW_LEADER_ELECTED).
        let error = if registration.leader == broker_id { ErrorCode::None } else { ErrorCode::NewLeaderElected };
        (
            vec![MetadataRecord::PartitionChange {
                topic_partition: tp.clone(),
                registration: registration.clone(),
                unclean: false,
            }],
            AlterPartitionReply { error, registration: Some(registration) },
        )
    }

    /// AlterPartitionReassignments (KIP-455, `ReplicationControlManager.alterPartitionReassignments`):
    /// for each partition, a target assignment starts a reassignment (`changePartitionReassignment`)
    /// and None cancels one (`cancelPartitionReassignment`). Each partition answers on its own; the
    /// records of those that succeed are appended together.
    pub fn alter_partition_reassignments(
        &self,
        requests: &[(TopicPartition, Option<Vec<i32>>)],
    ) -> (Vec<MetadataRecord>, Vec<PartitionResult>) {
        let mut records = Vec::new();
        let mut results = Vec::new();
        for (tp, target) in requests {
            let outcome = match target {
                Some(replicas) => self.change_partition_reassignment(tp, replicas),
                None => self.cancel_partition_reassignment(tp),
            };
            match outcome {
                Ok(record) => {
                    records.extend(record);
                    results.push(PartitionResult::ok(tp.clone()));
                }
                Err((error, message)) => results.push(PartitionResult { topic_partition: tp.clone(), error, message }),
            }
        }
        (records, results)
    }

    fn reassigned_partition(&self, tp: &TopicPartition) -> Result<&PartitionRegistration, (ErrorCode, String)> {
        let unknown = |message: String| (ErrorCode::UnknownTopicOrPartition, message);
        let topic = self
            .image
            .topics
            .get(tp.topic.as_str())
            .ok_or_else(|| unknown(format!("Unable to find a topic named {}.", tp.topic)))?;
        usize::try_from(tp.partition)
            .ok()
            .and_then(|i| topic.partitions.get(i))
            .ok_or_else(|| unknown(format!("Unable to find partition {}:{}.", tp.topic, tp.partition)))
    }

    /// `changePartitionReassignment`: the target checked (`validateManualPartitionAssignment`), then
    /// one record with the replicas = target + removing, and the adding and removing replicas
    /// (`PartitionReassignmentReplicas`); a target the ISR already covers completes at once.
    fn change_partition_reassignment(
        &self,
        tp: &TopicPartition,
        target: &[i32],
    ) -> Result<Option<MetadataRecord>, (ErrorCode, String)> {
        let current = self.reassigned_partition(tp)?;
        let invalid = |message: String| Err((ErrorCode::InvalidReplicaAssignment, message));
        if target.is_empty() {
            return invalid("The manual partition assignment includes an empty replica list.".to_string());
        }
        let mut sorted = target.to_vec();
        sorted.sort();
        let mut previous = None;
        for b in sorted {
            if !self.image.brokers.contains_key(&b) {
                return invalid(format!(
                    "The manual partition assignment includes broker {b}, but no such broker is registered."
                ));
            }
            if previous == Some(b) {
                return invalid(format!("The manual partition assignment includes the broker {b} more than once."));
            }
            previous = Some(b);
        }
        let sorted_difference = |a: &[i32], b: &[i32]| -> Vec<i32> {
            let set: std::collections::BTreeSet<i32> = a.iter().copied().filter(|r| !b.contains(r)).collect();
            set.into_iter().collect()
        };
        let removing = sorted_difference(&current.replicas, target);
        let adding = sorted_difference(target, &current.replicas);
        let mut replicas = target.to_vec();
        replicas.extend(&removing);
        let change = PartitionTarget { isr: current.isr.clone(), replicas, adding, removing };
        let rules = self.election_rules(tp, current);
        Ok(build_partition_change(current, change, |r| self.image.is_active(r), rules, Election::Online, None).map(
            |(registration, unclean)| MetadataRecord::PartitionChange {
                topic_partition: tp.clone(),
                registration,
                unclean,
            },
        ))
    }

    /// `cancelPartitionReassignment` with `PartitionReassignmentRevert`: back to the original
    /// replicas, the adding ones leave the ISR; if only adding replicas were in the ISR, the
    /// first original replica becomes the ISR, an unclean election the topic must allow.
    fn cancel_partition_reassignment(
        &self,
        tp: &TopicPartition,
    ) -> Result<Option<MetadataRecord>, (ErrorCode, String)> {
        let current = self.reassigned_partition(tp)?;
        if !current.is_reassigning() {
            return Err((
                ErrorCode::NoReassignmentInProgress,
                ErrorCode::NoReassignmentInProgress.description().to_string(),
            ));
        }
        let replicas: Vec<i32> =
            current.replicas.iter().copied().filter(|r| !current.adding_replicas().contains(r)).collect();
        let mut isr: Vec<i32> =
            current.isr.iter().copied().filter(|r| !current.adding_replicas().contains(r)).collect();
        let rules = self.election_rules(tp, current);
        if isr.is_empty() {
            let Some(first) = replicas.first() else {
                return Err((
                    ErrorCode::InvalidReplicaAssignment,
                    "Invalid replica assignment: addingReplicas contains all replicas.".to_string(),
                ));
            };
            if !rules.unclean_allowed {
                return Err((
                    ErrorCode::InvalidReplicaAssignment,
                    format!(
                        "Unable to revert partition assignment for {}:{} because it would require an unclean leader election.",
                        tp.topic, tp.partition
                    ),
                ));
            }
            isr.push(*first);
        }
        let change = PartitionTarget { isr, replicas, adding: Vec::new(), removing: Vec::new() };
        let election = if rules.unclean_allowed { Election::Unclean } else { Election::Online };
        Ok(build_partition_change(current, change, |r| self.image.is_active(r), rules, election, None).map(
            |(registration, unclean)| MetadataRecord::PartitionChange {
                topic_partition: tp.clone(),
                registration,
                unclean,
            },
        ))
    }

    /// ElectLeaders (`ReplicationControlManager.electLeaders` and `electLeader`): PREFERRED moves
    /// leadership to the first replica of the assignment, UNCLEAN elects a leader for a partition
    /// that has none, out of the ISR if need be. A partition that already has what was asked for
    /// answers ELECTION_NOT_NEEDED; with no partitions named, every partition is tried and those
    /// answers are left out.
    pub fn elect_leaders(
        &self,
        election: ElectionType,
        partitions: Option<&[TopicPartition]>,
    ) -> (Vec<MetadataRecord>, Vec<PartitionResult>) {
        let mut records = Vec::new();
        let mut results = Vec::new();
        let all: Vec<TopicPartition>;
        let asked = match partitions {
            Some(partitions) => partitions,
            None => {
                all = self.image.partitions().map(|(tp, _)| tp).collect();
                &all
            }
        };
        for tp in asked {
            let result = match self.elect_leader(tp, election) {
                Ok(record) => {
                    records.push(record);
                    PartitionResult::ok(tp.clone())
                }
                Err((error, message)) => PartitionResult { topic_partition: tp.clone(), error, message },
            };
            if partitions.is_some() || result.error != ErrorCode::ElectionNotNeeded {
                results.push(result);
            }
        }
        (records, results)
    }

    fn elect_leader(&self, tp: &TopicPartition, election: ElectionType) -> Result<MetadataRecord, (ErrorCode, String)> {
        let unknown = |message: String| (ErrorCode::UnknownTopicOrPartition, message);
        let topic = self
            .image
            .topics
            .get(tp.topic.as_str())
            .ok_or_else(|| unknown(format!("No such topic as {}", tp.topic)))?;
        let current = usize::try_from(tp.partition)
            .ok()
            .and_then(|i| topic.partitions.get(i))
            .ok_or_else(|| unknown(format!("No such partition as {}-{}", tp.topic, tp.partition)))?;
        let (not_needed, election) = match election {
            ElectionType::Preferred => (current.replicas.first() == Some(&current.leader), Election::Preferred),
            ElectionType::Unclean => (current.leader >= 0, Election::Unclean),
        };
        let default_message = |e: ErrorCode| (e, e.description().to_string());
        if not_needed {
            return Err(default_message(ErrorCode::ElectionNotNeeded));
        }
        let rules = self.election_rules(tp, current);
        let change = PartitionTarget::isr(current, current.isr.clone());
        match build_partition_change(current, change, |r| self.image.is_active(r), rules, election, None) {
            Some((registration, unclean)) => {
                Ok(MetadataRecord::PartitionChange { topic_partition: tp.clone(), registration, unclean })
            }
            None if election == Election::Preferred => Err(default_message(ErrorCode::PreferredLeaderNotAvailable)),
            None => Err(default_message(ErrorCode::EligibleLeadersNotAvailable)),
        }
    }

    /// Replicas for new partitions over the active brokers: striped across racks when any broker
    /// has a `broker.rack` (`StripedReplicaPlacer`), else Kafka's rack-unaware placement.
    fn place_replicas(
        &self,
        active: &[i32],
        partitions: i32,
        replication_factor: i32,
        rng: &mut impl Rng,
    ) -> Vec<Vec<i32>> {
        if active.iter().any(|b| self.image.racks.contains_key(b)) {
            let brokers: Vec<(i32, Option<String>)> =
                active.iter().map(|b| (*b, self.image.racks.get(b).cloned())).collect();
            place_striped(&brokers, partitions, replication_factor, rng)
        } else {
            assign_replicas(active, partitions, replication_factor, rng)
        }
    }

    /// CreateTopics: replicas placed over the unfenced brokers (or as `assignment` says, Kafka's
    /// `--replica-assignment`); ISR = replicas; leader = first.
    pub fn create_topic(
        &self,
        name: &str,
        partitions: i32,
        replication_factor: i32,
        config: TopicConfig,
        assignment: Option<Vec<Vec<i32>>>,
        rng: &mut impl Rng,
    ) -> Result<Vec<MetadataRecord>, CreateTopicError> {
        validate_topic_name(name)?;
        if self.image.topics.contains_key(name) {
            return Err(CreateTopicError::TopicAlreadyExists(name.to_string()));
        }
        if partitions < 1 {
            return Err(CreateTopicError::InvalidPartitions(partitions));
        }
        let active = self.image.active_brokers();
        if replication_factor < 1 || replication_factor as usize > active.len() {
            return Err(CreateTopicError::InvalidReplicationFactor {
                replication_factor,
                available_brokers: active.len(),
            });
        }
        let assignment = match assignment {
            Some(assignment) => {
                self.validate_assignment(&assignment, partitions, replication_factor)?;
                assignment
            }
            None => self.place_replicas(&active, partitions, replication_factor, rng),
        };
        // The topic's one name: every record, replica and fact of it clones this.
        let name = TopicName::from(name);
        let mut records = vec![MetadataRecord::Topic { name: name.clone(), config }];
        for (index, replicas) in assignment.into_iter().enumerate() {
            records.push(MetadataRecord::Partition {
                topic_partition: TopicPartition::new(&name, index as i32),
                registration: PartitionRegistration {
                    isr: replicas.clone(),
                    leader: replicas[0],
                    replicas,
                    leader_epoch: 0,
                    partition_epoch: 0,
                    elr: Vec::new(),
                    last_known_elr: Vec::new(),
                    reassignment: None,
                },
            });
        }
        Ok(records)
    }

    /// IncrementalAlterConfigs (`ConfigurationControlManager.incrementalAlterConfigResource`),
    /// already validated: a `ConfigRecord` per key whose value changes (a broker's always, as
    /// Kafka writes them to trigger reloads), `None` deleting. When the change allows unclean
    /// election for a topic, its leaderless partitions elect an out-of-sync replica in the same
    /// write (Kafka's controller does it on its next `unclean.leader.election.interval.ms` check).
    pub fn alter_configs(
        &self,
        resource: &ConfigResource,
        changes: &[(String, Option<String>)],
    ) -> Vec<MetadataRecord> {
        let current = self.image.configs.get(resource);
        let mut records: Vec<MetadataRecord> = changes
            .iter()
            .filter(|(name, value)| {
                matches!(resource, ConfigResource::Broker(_) | ConfigResource::BrokerDefault)
                    || current.and_then(|c| c.get(name)) != value.as_ref()
            })
            .map(|(name, value)| MetadataRecord::Config {
                resource: resource.clone(),
                name: name.clone(),
                value: value.clone(),
            })
            .collect();
        let mut after = self.clone();
        for (i, record) in records.iter().enumerate() {
            after.image.apply(&MetadataEntry {
                offset: self.image.offset + 1 + i as i64,
                epoch: 0,
                record: record.clone().into(),
            });
        }
        let elections: Vec<MetadataRecord> = after
            .image
            .partitions()
            .filter(|(tp, p)| {
                p.leader < 0
                    && after.election_rules(tp, p).unclean_allowed
                    && !self.election_rules(tp, p).unclean_allowed
            })
            .filter_map(|(tp, partition)| {
                let (registration, unclean) =
                    elect(partition, &after.image, None, after.election_rules(&tp, partition))?;
                Some(MetadataRecord::PartitionChange { topic_partition: tp, registration, unclean })
            })
            .collect();
        records.extend(elections);
        records
    }

    /// CreatePartitions: the records of the partitions that take `topic` to `total`, their
    /// replicas placed as for a new topic with the topic's replication factor.
    pub fn create_partitions(
        &self,
        topic: &str,
        total: i32,
        rng: &mut impl Rng,
    ) -> Result<Vec<MetadataRecord>, CreateTopicError> {
        let existing = self.image.topics.get(topic).ok_or_else(|| CreateTopicError::UnknownTopic(topic.to_string()))?;
        let current = existing.partitions.len() as i32;
        if total <= current {
            return Err(CreateTopicError::PartitionsNotIncreased {
                topic: topic.to_string(),
                current,
                requested: total,
            });
        }
        let replication_factor = existing.partitions.first().map_or(1, |p| p.replicas.len() as i32);
        let active = self.image.active_brokers();
        if replication_factor as usize > active.len() {
            return Err(CreateTopicError::InvalidReplicationFactor {
                replication_factor,
                available_brokers: active.len(),
            });
        }
        let assignment = self.place_replicas(&active, total - current, replication_factor, rng);
        Ok(assignment
            .into_iter()
            .enumerate()
            .map(|(i, replicas)| MetadataRecord::Partition {
                topic_partition: TopicPartition::new(&existing.name, current + i as i32),
                registration: PartitionRegistration {
                    isr: replicas.clone(),
                    leader: replicas[0],
                    replicas,
                    leader_epoch: 0,
                    partition_epoch: 0,
                    elr: Vec::new(),
                    last_known_elr: Vec::new(),
                    reassignment: None,
                },
            })
            .collect())
    }

    /// DeleteTopics (`ReplicationControlManager.deleteTopics`): one `RemoveTopicRecord` per topic,
    /// appended atomically, so either every topic goes or none does. Kafka 4.x's controller does
    /// not protect internal topics; the simulation refuses them with the message ZooKeeper-era
    /// `TopicCommand` printed, since its coordinators do not model losing their topic.
    pub fn delete_topics(&self, names: &[String]) -> Result<Vec<MetadataRecord>, CreateTopicError> {
        let mut records = Vec::new();
        for name in names {
            if !self.image.topics.contains_key(name) {
                return Err(CreateTopicError::UnknownTopic(name.clone()));
            }
            if name.starts_with("__") {
                return Err(CreateTopicError::InternalTopicDeletion(name.clone()));
            }
            let record = MetadataRecord::RemoveTopic { name: name.clone() };
            if !records.contains(&record) {
                records.push(record);
            }
        }
        Ok(records)
    }

    /// Kafka's checks on a manual assignment: one list per partition, each of the replication
    /// factor's length, distinct, registered brokers.
    fn validate_assignment(
        &self,
        assignment: &[Vec<i32>],
        partitions: i32,
        replication_factor: i32,
    ) -> Result<(), CreateTopicError> {
        let invalid = |why: String| Err(CreateTopicError::InvalidReplicaAssignment(why));
        if assignment.len() != partitions as usize {
            return invalid(format!("{} replica lists for {partitions} partitions", assignment.len()));
        }
        for (partition, replicas) in assignment.iter().enumerate() {
            if replicas.len() != replication_factor as usize {
                return invalid(format!(
                    "partition {partition} has {} replicas, not {replication_factor}",
                    replicas.len()
                ));
            }
            if let Some(b) = replicas.iter().find(|b| replicas.iter().filter(|c| c == b).count() > 1) {
                return invalid(format!("partition {partition} lists broker {b} twice"));
            }
            if let Some(b) = replicas.iter().find(|b| !self.image.is_active(**b)) {
                return invalid(format!("partition {partition} names broker {b}, which is not a live broker"));
            }
        }
        Ok(())
    }

    /// Auto leader rebalance: hand leadership back to the preferred replica (`replicas[0]`)
    /// wherever it is in the ISR and unfenced.
    pub fn preferred_leader_elections(&self) -> Vec<MetadataRecord> {
        self.image
            .partitions()
            .filter_map(|(tp, p)| {
                let preferred = *p.replicas.first()?;
                (p.leader != preferred && p.isr.contains(&preferred) && self.image.is_active(preferred)).then(|| {
                    MetadataRecord::PartitionChange {
                        topic_partition: tp,
                        registration: PartitionRegistration {
                            leader: preferred,
                            leader_epoch: p.leader_epoch + 1,
                            partition_epoch: p.partition_epoch + 1,
                            last_known_elr: Vec::new(),
                            ..p.clone()
                        },
                        unclean: false,
                    }
                })
            })
            .collect()
    }
}

/// What an election may do: pick an out-of-sync replica (`unclean.leader.election.enable`), and
/// with eligible leader replicas on, the effective min ISR below which ISR leavers become ELR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElectionRules {
    pub unclean_allowed: bool,
    pub elr_min_isr: Option<usize>,
}

/// Kafka's `ReplicationControlManager.generateLeaderAndIsrUpdates` for a broker going away
/// (`leaving`) or coming back: the ISR without `leaving`, and an election if the leader is no
/// longer valid. Returns None if nothing changes.
pub fn elect(
    current: &PartitionRegistration,
    image: &MetadataImage,
    leaving: Option<i32>,
    rules: ElectionRules,
) -> Option<(PartitionRegistration, bool)> {
    let target_isr = current.isr.iter().copied().filter(|r| Some(*r) != leaving).collect();
    change_partition(current, target_isr, |r| Some(r) != leaving && image.is_active(r), rules, None)
}

/// Kafka's `PartitionChangeBuilder.build` for an ONLINE election (UNCLEAN when `rules` allow it)
/// towards `target_isr`, the assignment unchanged; see [`build_partition_change`].
pub fn change_partition(
    current: &PartitionRegistration,
    target_isr: Vec<i32>,
    acceptable: impl Fn(i32) -> bool,
    rules: ElectionRules,
    unclean_shutdown: Option<i32>,
) -> Option<(PartitionRegistration, bool)> {
    let election = if rules.unclean_allowed { Election::Unclean } else { Election::Online };
    build_partition_change(
        current,
        PartitionTarget::isr(current, target_isr),
        acceptable,
        rules,
        election,
        unclean_shutdown,
    )
}

/// Kafka's `PartitionChangeBuilder.Election`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Election {
    /// The first replica of the assignment if it may lead, else as ONLINE (admin and auto
    /// preferred elections).
    Preferred,
    /// A replica of the ISR (or, with it empty, of the ELR).
    Online,
    /// As ONLINE, then any live replica: records may be lost.
    Unclean,
}

/// What a partition change aims at: the builder's `targetIsr`, `targetReplicas`,
/// `targetAdding` and `targetRemoving`, which start as the current values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionTarget {
    pub isr: Vec<i32>,
    pub replicas: Vec<i32>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
}

impl PartitionTarget {
    /// The current assignment with a new ISR.
    pub fn isr(current: &PartitionRegistration, isr: Vec<i32>) -> Self {
        PartitionTarget {
            isr,
            replicas: current.replicas.clone(),
            adding: current.adding_replicas().to_vec(),
            removing: current.removing_replicas().to_vec(),
        }
    }
}

/// Kafka's `PartitionReassignmentReplicas.maybeCompleteReassignment`: once the ISR holds every
/// replica of the target (the assignment less the removing replicas), the reassignment is done:
/// the replicas and the ISR lose the removing ones. None while it must wait.
pub fn complete_reassignment(target: &PartitionTarget) -> Option<(Vec<i32>, Vec<i32>)> {
    if target.adding.is_empty() && target.removing.is_empty() {
        return None;
    }
    let isr: Vec<i32> = target.isr.iter().copied().filter(|r| !target.removing.contains(r)).collect();
    let replicas: Vec<i32> = target.replicas.iter().copied().filter(|r| !target.removing.contains(r)).collect();
    if isr.is_empty() || replicas.is_empty() || !replicas.iter().all(|r| isr.contains(r)) {
        return None;
    }
    Some((replicas, isr))
}

/// Kafka's `PartitionChangeBuilder.build`:
/// - a reassignment whose new replicas are all in the target ISR completes first
///   (`completeReassignmentIfNeeded`), so an ISR expansion can finish it;
/// - with ELR on (`maybePopulateTargetElr`): once the ISR falls below the min ISR, the replicas
///   leaving it join the ELR (less any that shut down uncleanly); at or above it the ELR empties;
/// - the election (`electLeader`) over the target replicas: PREFERRED tries the first replica,
///   then the current leader, then the others; ONLINE and UNCLEAN keep the leader if still valid,
///   else the first replica in assignment order that is in the ISR, or in the ELR when the ISR is
///   empty (`isValidNewLeader`); one elected from the ELR becomes the whole ISR (`tryElection`);
///   then the last known leader if the ISR and ELR are both empty (`canElectLastKnownLeader`);
///   then, for UNCLEAN, any acceptable replica (it becomes the whole ISR and the ELR is cleared,
///   `maybeUpdateRecordElr`);
/// - a new replica list without some old replica bumps the leader epoch even if the leader stays
///   (`triggerLeaderEpochBumpForReplicaReassignmentIfNeeded`), so removed followers are fenced;
/// - without ELR an empty ISR is never written: the last member stays;
/// - the last known leader is remembered when the ISR first empties and forgotten once the
///   partition has a leader again (`maybeUpdateLastKnownLeader`).
///
/// Returns the new registration and whether the election was unclean, or None if nothing changes.
pub fn build_partition_change(
    current: &PartitionRegistration,
    mut target: PartitionTarget,
    acceptable: impl Fn(i32) -> bool,
    rules: ElectionRules,
    election: Election,
    unclean_shutdown: Option<i32>,
) -> Option<(PartitionRegistration, bool)> {
    if let Some((replicas, isr)) = complete_reassignment(&target) {
        target = PartitionTarget { isr, replicas, adding: Vec::new(), removing: Vec::new() };
    }
    let PartitionTarget { isr: mut target_isr, replicas, adding, removing } = target;
    let mut target_elr = current.elr.clone();
    if let Some(min_isr) = rules.elr_min_isr {
        if target_isr.len() >= min_isr {
            target_elr.clear();
        } else {
            // Java's HashSet of small Integers iterates in ascending order.
            let candidates: std::collections::BTreeSet<i32> =
                target_elr.iter().chain(current.isr.iter()).copied().collect();
            target_elr =
                candidates.into_iter().filter(|r| !target_isr.contains(r) && Some(*r) != unclean_shutdown).collect();
        }
    }
    let valid =
        |r: i32| (target_isr.contains(&r) || (target_isr.is_empty() && target_elr.contains(&r))) && acceptable(r);
    let can_elect_last_known_leader = rules.elr_min_isr.is_some()
        && target_isr.is_empty()
        && target_elr.is_empty()
        && current.last_known_elr.len() == 1
        && acceptable(current.last_known_elr[0]);
    let preferred = replicas.first().copied().filter(|r| election == Election::Preferred && valid(*r));
    let (leader, unclean) = if let Some(r) = preferred {
        (r, false)
    } else if current.leader >= 0 && valid(current.leader) {
        (current.leader, false)
    } else if let Some(r) = replicas.iter().copied().find(|r| valid(*r)) {
        (r, false)
    } else if can_elect_last_known_leader {
        (current.last_known_elr[0], true)
    } else if let Some(r) = replicas.iter().copied().find(|r| election == Election::Unclean && acceptable(*r)) {
        (r, true)
    } else {
        (-1, false)
    };
    if leader != current.leader && target_elr.contains(&leader) {
        target_isr = vec![leader];
        target_elr.retain(|r| *r != leader);
    }
    if unclean || rules.elr_min_isr.is_none() {
        target_elr.clear();
    }
    let isr = if unclean {
        vec![leader]
    } else if target_isr.is_empty() && rules.elr_min_isr.is_none() {
        current.isr.clone()
    } else {
        target_isr
    };
    let mut last_known_elr = current.last_known_elr.clone();
    if rules.elr_min_isr.is_some() {
        if isr.is_empty() && isr != current.isr && current.last_known_elr != [current.leader] {
            last_known_elr = vec![current.leader];
        } else if leader >= 0 {
            last_known_elr.clear();
        }
    }
    let replica_removed = current.replicas.iter().any(|r| !replicas.contains(r));
    if leader == current.leader
        && isr == current.isr
        && target_elr == current.elr
        && last_known_elr == current.last_known_elr
        && replicas == current.replicas
        && adding == current.adding_replicas()
        && removing == current.removing_replicas()
    {
        return None;
    }
    let leader_epoch =
        if leader != current.leader || replica_removed { current.leader_epoch + 1 } else { current.leader_epoch };
    Some((
        PartitionRegistration {
            replicas,
            isr,
            leader,
            leader_epoch,
            partition_epoch: current.partition_epoch + 1,
            elr: target_elr,
            last_known_elr,
            reassignment: ReassigningReplicas::boxed(adding, removing),
        },
        unclean,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::metadata::{BrokerRegistration, TopicRegistration};
    use super::*;

    /// Kafka 4.0's defaults: clean elections only, eligible leader replicas off.
    const RULES: ElectionRules = ElectionRules { unclean_allowed: false, elr_min_isr: None };
    const UNCLEAN: ElectionRules = ElectionRules { unclean_allowed: true, elr_min_isr: None };

    fn image(active: &[i32], fenced: &[i32]) -> MetadataImage {
        let mut image = MetadataImage::new();
        for b in active {
            image
                .brokers
                .insert(*b, BrokerRegistration { broker_epoch: 0, fenced: false, in_controlled_shutdown: false });
        }
        for b in fenced {
            image
                .brokers
                .insert(*b, BrokerRegistration { broker_epoch: 0, fenced: true, in_controlled_shutdown: false });
        }
        image
    }

    fn partition(replicas: &[i32], isr: &[i32], leader: i32) -> PartitionRegistration {
        PartitionRegistration {
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            leader,
            leader_epoch: 4,
            partition_epoch: 9,
            elr: Vec::new(),
            last_known_elr: Vec::new(),
            reassignment: None,
        }
    }

    #[test]
    fn a_fenced_leader_is_replaced_by_the_first_isr_replica_in_assignment_order() {
        let (p, unclean) = elect(&partition(&[1, 2, 3], &[3, 1, 2], 1), &image(&[2, 3], &[1]), Some(1), RULES).unwrap();
        assert_eq!((p.leader, p.isr, p.leader_epoch, p.partition_epoch, unclean), (2, vec![3, 2], 5, 10, false));
    }

    #[test]
    fn the_last_isr_member_stays_in_the_isr_and_the_partition_goes_offline() {
        let (p, _) = elect(&partition(&[1, 2], &[1], 1), &image(&[2], &[1]), Some(1), RULES).unwrap();
        assert_eq!((p.leader, p.isr), (-1, vec![1]));
    }

    #[test]
    fn unclean_election_picks_an_out_of_sync_replica_and_makes_it_the_whole_isr() {
        let (p, unclean) = elect(&partition(&[1, 2], &[1], 1), &image(&[2], &[1]), Some(1), UNCLEAN).unwrap();
        assert_eq!((p.leader, p.isr, unclean), (2, vec![2], true));
    }

    /// Kafka 4.1's rules for a topic with `min.insync.replicas=2`.
    const ELR: ElectionRules = ElectionRules { unclean_allowed: false, elr_min_isr: Some(2) };

    fn with_elr(mut p: PartitionRegistration, elr: &[i32], last_known_elr: &[i32]) -> PartitionRegistration {
        p.elr = elr.to_vec();
        p.last_known_elr = last_known_elr.to_vec();
        p
    }

    /// `PartitionChangeBuilder.maybePopulateTargetElr`: below the min ISR, leavers join the ELR.
    #[test]
    fn a_replica_leaving_an_isr_below_min_isr_joins_the_elr() {
        let (p, _) = elect(&partition(&[1, 2, 3], &[1, 2], 1), &image(&[1], &[2, 3]), Some(2), ELR).unwrap();
        assert_eq!((p.leader, p.isr.clone(), p.elr.clone(), p.leader_epoch), (1, vec![1], vec![2], 4));
        let (p, _) = elect(&p, &image(&[], &[1, 2, 3]), Some(1), ELR).unwrap();
        assert_eq!((p.leader, p.isr, p.elr, p.last_known_elr), (-1, vec![], vec![1, 2], vec![1]));
    }

    /// `PartitionChangeBuilder.isValidNewLeader` and `tryElection`: with the ISR empty, the first
    /// active ELR member in assignment order leads cleanly and becomes the whole ISR.
    #[test]
    fn with_an_empty_isr_an_elr_member_is_elected_cleanly() {
        let offline = with_elr(partition(&[1, 2, 3], &[], -1), &[1, 2], &[1]);
        let (p, unclean) = elect(&offline, &image(&[2], &[1, 3]), None, ELR).unwrap();
        assert_eq!((p.leader, p.isr, p.elr, p.last_known_elr, unclean), (2, vec![2], vec![1], vec![], false));
    }

    /// Kafka 4.0 (`eligible.leader.replicas.version=0`) keeps the ELR empty and never elects from it.
    #[test]
    fn without_the_feature_the_elr_stays_empty() {
        let offline = with_elr(partition(&[1, 2, 3], &[1], -1), &[], &[]);
        assert_eq!(elect(&offline, &image(&[2], &[1, 3]), None, RULES), None);
    }

    /// `maybePopulateTargetElr`: an ISR back at the min ISR clears the ELR.
    #[test]
    fn an_isr_back_at_min_isr_clears_the_elr() {
        let current = with_elr(partition(&[1, 2, 3], &[2], 2), &[1], &[]);
        let (p, _) = change_partition(&current, vec![1, 2], |_| true, ELR, None).unwrap();
        assert_eq!((p.isr, p.elr), (vec![1, 2], vec![]));
    }

    /// `ReplicationControlManager.handleBrokerShutdown` (unclean): the broker leaves the ELR too.
    #[test]
    fn an_unclean_shutdown_removes_the_broker_from_the_elr() {
        let offline = with_elr(partition(&[1, 2, 3], &[], -1), &[1, 2], &[1]);
        let (p, _) = change_partition(&offline, vec![], |r| r == 3, ELR, Some(2)).unwrap();
        assert_eq!((p.leader, p.elr), (-1, vec![1]));
    }

    /// `canElectLastKnownLeader`: with the ISR and ELR empty, the last known leader comes back as
    /// leader (an unclean election in Kafka's terms: it may have lost unflushed records).
    #[test]
    fn with_isr_and_elr_empty_the_last_known_leader_is_elected() {
        let offline = with_elr(partition(&[1, 2, 3], &[], -1), &[], &[3]);
        assert_eq!(elect(&offline, &image(&[1], &[2, 3]), None, ELR), None, "the last known leader is fenced");
        let (p, unclean) = elect(&offline, &image(&[3], &[1, 2]), None, ELR).unwrap();
        assert_eq!((p.leader, p.isr, p.last_known_elr, unclean), (3, vec![3], vec![], true));
    }

    /// `maybeUpdateRecordElr`: an unclean election clears the ELR.
    #[test]
    fn an_unclean_election_clears_the_elr() {
        let current = with_elr(partition(&[1, 2, 3], &[1], 1), &[2], &[]);
        let rules = ElectionRules { unclean_allowed: true, ..ELR };
        let (p, unclean) = elect(&current, &image(&[3], &[1, 2]), Some(1), rules).unwrap();
        assert_eq!((p.leader, p.isr, p.elr, unclean), (3, vec![3], vec![], true));
    }

    /// `ClusterControlManager.registerBroker`: a new incarnation waits out the old session
    /// (DUPLICATE_BROKER_REGISTRATION); once in, its unclean restart takes it out of ISR and ELR
    /// (`handleBrokerShutdown`), while the same process registering again is no new shutdown.
    #[test]
    fn a_restarted_broker_registers_after_its_session_and_leaves_the_isr_once() {
        let mut log = vec![
            MetadataRecord::RegisterBroker { broker_id: 1, broker_epoch: 0, rack: None },
            MetadataRecord::RegisterBroker { broker_id: 2, broker_epoch: 1, rack: None },
            MetadataRecord::BrokerRegistrationChange {
                broker_id: 1,
                broker_epoch: 0,
                fenced: false,
                in_controlled_shutdown: false,
            },
            MetadataRecord::BrokerRegistrationChange {
                broker_id: 2,
                broker_epoch: 1,
                fenced: false,
                in_controlled_shutdown: false,
            },
            MetadataRecord::Topic { name: "t".into(), config: TopicConfig::default() },
            MetadataRecord::Partition {
                topic_partition: TopicPartition::new("t", 0),
                registration: partition(&[1, 2], &[1, 2], 1),
            },
        ];
        let entries = |log: &[MetadataRecord]| -> Vec<MetadataEntry> {
            log.iter()
                .enumerate()
                .map(|(i, r)| MetadataEntry { offset: i as i64, epoch: 1, record: r.clone().into() })
                .collect()
        };
        let mut controller = QuorumController::activate(ControllerConfig::default(), &entries(&log), 0);
        assert_eq!(controller.register_broker(2, -1, 500, None, 6, 5_000), Err(ErrorCode::DuplicateBrokerRegistration));
        let records = controller.register_broker(2, -1, 500, None, 6, 9_001).unwrap();
        assert!(
            matches!(&records[0], MetadataRecord::PartitionChange { registration, .. } if registration.isr == vec![1])
        );
        assert!(matches!(records[1], MetadataRecord::RegisterBroker { broker_id: 2, broker_epoch: 7, .. }));
        log.extend(records);
        controller.replay(&entries(&log)[6..]);
        let again = controller.register_broker(2, -1, 500, None, 8, 9_500).unwrap();
        assert!(matches!(again[..], [MetadataRecord::RegisterBroker { broker_id: 2, broker_epoch: 8, .. }]));
    }

    /// `ReplicationControlManager.ineligibleReplicasForIsr` (KIP-903): every member of the proposed
    /// ISR, not only the joining ones, must be registered, unfenced, not in controlled shutdown,
    /// and carry its registered broker epoch (-1: not checked); otherwise INELIGIBLE_REPLICA.
    #[test]
    fn alter_partition_refuses_an_isr_with_an_ineligible_member() {
        let mut controller = QuorumController::activate(ControllerConfig::default(), &[], 0);
        controller.image = image(&[1, 2, 3], &[4]);
        controller.image.brokers.get_mut(&2).unwrap().broker_epoch = 7;
        controller.image.brokers.get_mut(&3).unwrap().in_controlled_shutdown = true;
        controller.image.topics.insert(
            "t".into(),
            TopicRegistration {
                name: "t".into(),
                config: TopicConfig::default(),
                partitions: vec![partition(&[1, 2, 3, 4], &[1, 2, 3, 4], 1)],
            },
        );
        let tp = TopicPartition::new("t", 0);
        let mut alter = |isr: &[(i32, i64)]| controller.alter_partition(1, &tp, 4, 9, isr).1.error;
        assert_eq!(alter(&[(1, 0), (2, 7), (4, 0)]), ErrorCode::IneligibleReplica, "4 is fenced, though in the ISR");
        assert_eq!(alter(&[(1, 0), (2, 7), (3, 0)]), ErrorCode::IneligibleReplica, "3 is in controlled shutdown");
        assert_eq!(alter(&[(1, 0), (2, 6)]), ErrorCode::IneligibleReplica, "2's broker epoch is stale");
        assert_eq!(alter(&[(1, -1), (2, 7)]), ErrorCode::None, "-1 skips the epoch check");
    }

    #[test]
    fn a_follower_leaving_only_shrinks_the_isr() {
        let (p, _) = elect(&partition(&[1, 2, 3], &[1, 2, 3], 1), &image(&[1, 2], &[3]), Some(3), RULES).unwrap();
        assert_eq!((p.leader, p.isr, p.leader_epoch), (1, vec![1, 2], 4));
    }
}
