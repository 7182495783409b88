//! The active controller (Kafka's `QuorumController`): it decides, and every decision is a list of
//! metadata records appended to the Raft log. Broker liveness comes from heartbeats; fencing a
//! broker moves leadership away from it; ISR changes arrive as AlterPartition requests.

use super::metadata::MetadataImage;
use super::{assign_replicas, validate_topic_name, CreateTopicError};
use crate::log::TopicConfig;
use crate::protocol::metadata::{MetadataEntry, MetadataRecord, PartitionRegistration};
use crate::protocol::{ErrorCode, TopicPartition};
use crate::sim::Millis;
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// Controller settings with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControllerConfig {
    /// `broker.session.timeout.ms`: a broker silent this long is fenced.
    pub broker_session_timeout_ms: Millis,
    /// `auto.leader.rebalance.enable`: move leadership back to preferred replicas.
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.check.interval.seconds`, in milliseconds.
    pub leader_imbalance_check_interval_ms: Millis,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            broker_session_timeout_ms: 9000,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_ms: 300_000,
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
        }
    }

    /// Keeps the image in step with records just appended to the log.
    pub fn replay(&mut self, entries: &[MetadataEntry]) {
        for entry in entries {
            self.image.apply(entry);
        }
    }

    /// A broker (re)starts: register it fenced; its epoch is the record's offset.
    pub fn register_broker(&mut self, broker_id: i32, next_offset: i64, now: Millis) -> Vec<MetadataRecord> {
        self.last_heartbeat.insert(broker_id, now);
        vec![MetadataRecord::RegisterBroker { broker_id, broker_epoch: next_offset }]
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
                let unclean_allowed = self.unclean_allowed(&tp);
                if let Some((registration, unclean)) = elect(partition, &image, None, unclean_allowed) {
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
                let unclean_allowed = self.unclean_allowed(&tp);
                let (registration, unclean) = elect(partition, image, Some(broker_id), unclean_allowed)?;
                Some(MetadataRecord::PartitionChange { topic_partition: tp, registration, unclean })
            })
            .collect()
    }

    fn unclean_allowed(&self, tp: &TopicPartition) -> bool {
        self.image.topics.get(&tp.topic).is_some_and(|t| t.config.unclean_leader_election_enable)
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
    /// partition epochs, and only adding replicas that are unfenced.
    pub fn alter_partition(
        &mut self,
        broker_id: i32,
        tp: &TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: &[i32],
    ) -> (Vec<MetadataRecord>, AlterPartitionReply) {
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
        if !new_isr.contains(&broker_id)
            || new_isr.iter().any(|r| !current.replicas.contains(r))
            || new_isr.iter().any(|r| !current.isr.contains(r) && !self.image.is_active(*r))
        {
            return reject(ErrorCode::IneligibleReplica);
        }
        let registration = PartitionRegistration {
            isr: current.replicas.iter().copied().filter(|r| new_isr.contains(r)).collect(),
            partition_epoch: current.partition_epoch + 1,
            ..current
        };
        (
            vec![MetadataRecord::PartitionChange {
                topic_partition: tp.clone(),
                registration: registration.clone(),
                unclean: false,
            }],
            AlterPartitionReply { error: ErrorCode::None, registration: Some(registration) },
        )
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
            None => assign_replicas(&active, partitions, replication_factor, rng),
        };
        let mut records = vec![MetadataRecord::Topic { name: name.to_string(), config }];
        for (index, replicas) in assignment.into_iter().enumerate() {
            records.push(MetadataRecord::Partition {
                topic_partition: TopicPartition::new(name, index as i32),
                registration: PartitionRegistration {
                    isr: replicas.clone(),
                    leader: replicas[0],
                    replicas,
                    leader_epoch: 0,
                    partition_epoch: 0,
                },
            });
        }
        Ok(records)
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
        let assignment = assign_replicas(&active, total - current, replication_factor, rng);
        Ok(assignment
            .into_iter()
            .enumerate()
            .map(|(i, replicas)| MetadataRecord::Partition {
                topic_partition: TopicPartition::new(topic, current + i as i32),
                registration: PartitionRegistration {
                    isr: replicas.clone(),
                    leader: replicas[0],
                    replicas,
                    leader_epoch: 0,
                    partition_epoch: 0,
                },
            })
            .collect())
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
                            ..p.clone()
                        },
                        unclean: false,
                    }
                })
            })
            .collect()
    }
}

/// Kafka's `PartitionChangeBuilder` for a broker going away (`leaving`) or coming back: remove
/// `leaving` from the ISR unless it is the last member, keep a valid leader, else elect the first
/// replica (in assignment order) that is in the ISR and active; with unclean election allowed,
/// fall back to any active replica, which becomes the whole ISR. Returns None if nothing changes.
pub fn elect(
    current: &PartitionRegistration,
    image: &MetadataImage,
    leaving: Option<i32>,
    unclean_allowed: bool,
) -> Option<(PartitionRegistration, bool)> {
    let mut isr: Vec<i32> = current.isr.iter().copied().filter(|r| Some(*r) != leaving).collect();
    if isr.is_empty() {
        isr = current.isr.clone();
    }
    let acceptable = |r: i32| Some(r) != leaving && image.is_active(r);
    let mut unclean = false;
    let leader = if current.leader >= 0 && acceptable(current.leader) && isr.contains(&current.leader) {
        current.leader
    } else if let Some(r) = current.replicas.iter().copied().find(|r| isr.contains(r) && acceptable(*r)) {
        r
    } else if let Some(r) = current.replicas.iter().copied().find(|r| unclean_allowed && acceptable(*r)) {
        unclean = true;
        isr = vec![r];
        r
    } else {
        -1
    };
    if leader == current.leader && isr == current.isr {
        return None;
    }
    let leader_epoch = if leader != current.leader { current.leader_epoch + 1 } else { current.leader_epoch };
    Some((
        PartitionRegistration {
            replicas: current.replicas.clone(),
            isr,
            leader,
            leader_epoch,
            partition_epoch: current.partition_epoch + 1,
        },
        unclean,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::metadata::BrokerRegistration;
    use super::*;

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
        }
    }

    #[test]
    fn a_fenced_leader_is_replaced_by_the_first_isr_replica_in_assignment_order() {
        let (p, unclean) = elect(&partition(&[1, 2, 3], &[3, 1, 2], 1), &image(&[2, 3], &[1]), Some(1), false).unwrap();
        assert_eq!((p.leader, p.isr, p.leader_epoch, p.partition_epoch, unclean), (2, vec![3, 2], 5, 10, false));
    }

    #[test]
    fn the_last_isr_member_stays_in_the_isr_and_the_partition_goes_offline() {
        let (p, _) = elect(&partition(&[1, 2], &[1], 1), &image(&[2], &[1]), Some(1), false).unwrap();
        assert_eq!((p.leader, p.isr), (-1, vec![1]));
    }

    #[test]
    fn unclean_election_picks_an_out_of_sync_replica_and_makes_it_the_whole_isr() {
        let (p, unclean) = elect(&partition(&[1, 2], &[1], 1), &image(&[2], &[1]), Some(1), true).unwrap();
        assert_eq!((p.leader, p.isr, unclean), (2, vec![2], true));
    }

    #[test]
    fn a_follower_leaving_only_shrinks_the_isr() {
        let (p, _) = elect(&partition(&[1, 2, 3], &[1, 2, 3], 1), &image(&[1, 2], &[3]), Some(3), false).unwrap();
        assert_eq!((p.leader, p.isr, p.leader_epoch), (1, vec![1, 2], 4));
    }
}
