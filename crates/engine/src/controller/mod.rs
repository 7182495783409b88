//! The controller's view of the cluster: topics, partition assignments, leaders, ISRs and epochs
//! (KRaft's `PartitionRegistration`).
//!
//! For now the controller acts instantly and is hosted by the lowest-id live broker; the KRaft
//! quorum, broker heartbeats and fencing come with the replication work.

use crate::broker::topic_config::TopicConfig;
use crate::protocol::TopicPartition;
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Kafka's limit on topic name length.
const MAX_TOPIC_NAME_LENGTH: usize = 249;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionRegistration {
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// -1 when no replica can lead.
    pub leader: i32,
    pub leader_epoch: i32,
    pub partition_epoch: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicRegistration {
    pub name: String,
    pub config: TopicConfig,
    pub partitions: Vec<PartitionRegistration>,
}

/// Why the controller refused to create a topic, with Kafka's error names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateTopicError {
    InvalidTopic(String),
    TopicAlreadyExists(String),
    InvalidPartitions(i32),
    InvalidReplicationFactor { replication_factor: i32, available_brokers: usize },
}

impl fmt::Display for CreateTopicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreateTopicError::InvalidTopic(why) => write!(f, "INVALID_TOPIC_EXCEPTION: {why}"),
            CreateTopicError::TopicAlreadyExists(name) => write!(f, "TOPIC_ALREADY_EXISTS: topic `{name}` already exists"),
            CreateTopicError::InvalidPartitions(n) => write!(f, "INVALID_PARTITIONS: {n} partitions; a topic needs at least 1"),
            CreateTopicError::InvalidReplicationFactor { replication_factor, available_brokers } => write!(
                f,
                "INVALID_REPLICATION_FACTOR: replication factor {replication_factor} needs that many live brokers, {available_brokers} available"
            ),
        }
    }
}

impl std::error::Error for CreateTopicError {}

/// Kafka's topic name rule: 1 to 249 of `[a-zA-Z0-9._-]`, and not `.` or `..`.
pub fn validate_topic_name(name: &str) -> Result<(), CreateTopicError> {
    let invalid = |why: String| Err(CreateTopicError::InvalidTopic(why));
    if name.is_empty() {
        invalid("topic name is empty".to_string())
    } else if name == "." || name == ".." {
        invalid(format!("topic name cannot be `{name}`"))
    } else if name.len() > MAX_TOPIC_NAME_LENGTH {
        invalid(format!("topic name is longer than {MAX_TOPIC_NAME_LENGTH} characters"))
    } else if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        invalid(format!("topic name `{name}` contains `{c}`; allowed are ASCII letters, digits, `.`, `_` and `-`"))
    } else {
        Ok(())
    }
}

/// Kafka's rack-unaware replica placement (`AdminUtils.assignReplicasToBrokersRackUnaware`):
/// leaders round-robin from a random start, followers shifted so replicas spread evenly.
pub fn assign_replicas(brokers: &[i32], partitions: i32, replication_factor: i32, rng: &mut impl Rng) -> Vec<Vec<i32>> {
    let n = brokers.len();
    let start = rng.random_range(0..n);
    let mut shift = rng.random_range(0..n);
    (0..partitions as usize)
        .map(|p| {
            if p > 0 && p % n == 0 {
                shift += 1;
            }
            let first = (p + start) % n;
            let mut replicas = vec![brokers[first]];
            for j in 0..(replication_factor as usize).saturating_sub(1) {
                let step = if n > 1 { 1 + (shift + j) % (n - 1) } else { 0 };
                replicas.push(brokers[(first + step) % n]);
            }
            replicas
        })
        .collect()
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Controller {
    pub topics: BTreeMap<String, TopicRegistration>,
}

impl Controller {
    /// Creates a topic: replicas placed over the live brokers, ISR = all replicas, leader = the
    /// first replica, leader epoch 0.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: i32,
        replication_factor: i32,
        config: TopicConfig,
        live_brokers: &[i32],
        rng: &mut impl Rng,
    ) -> Result<&TopicRegistration, CreateTopicError> {
        validate_topic_name(name)?;
        if self.topics.contains_key(name) {
            return Err(CreateTopicError::TopicAlreadyExists(name.to_string()));
        }
        if partitions < 1 {
            return Err(CreateTopicError::InvalidPartitions(partitions));
        }
        if replication_factor < 1 || replication_factor as usize > live_brokers.len() {
            return Err(CreateTopicError::InvalidReplicationFactor { replication_factor, available_brokers: live_brokers.len() });
        }
        let partitions = assign_replicas(live_brokers, partitions, replication_factor, rng)
            .into_iter()
            .map(|replicas| PartitionRegistration {
                isr: replicas.clone(),
                leader: replicas[0],
                replicas,
                leader_epoch: 0,
                partition_epoch: 0,
            })
            .collect();
        let topic = TopicRegistration { name: name.to_string(), config, partitions };
        Ok(self.topics.entry(name.to_string()).or_insert(topic))
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionRegistration> {
        self.topics.get(&tp.topic)?.partitions.get(usize::try_from(tp.partition).ok()?)
    }

    /// Every partition with its registration, in (topic, partition) order.
    pub fn partitions(&self) -> impl Iterator<Item = (TopicPartition, &PartitionRegistration)> {
        self.topics
            .values()
            .flat_map(|t| t.partitions.iter().enumerate().map(|(i, p)| (TopicPartition::new(t.name.clone(), i as i32), p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn placement_spreads_leaders_and_replicas() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let assignment = assign_replicas(&[1, 2, 3], 6, 3, &mut rng);
        for replicas in &assignment {
            let mut sorted = replicas.clone();
            sorted.sort();
            assert_eq!(sorted, vec![1, 2, 3], "each partition on three distinct brokers");
        }
        for b in 1..=3 {
            assert_eq!(assignment.iter().filter(|r| r[0] == b).count(), 2, "leaders balanced");
        }
    }

    #[test]
    fn topic_names_follow_kafka_rules() {
        assert!(validate_topic_name("orders.v1_x-2").is_ok());
        for bad in ["", ".", "..", "a b", "주문"] {
            assert!(validate_topic_name(bad).is_err(), "{bad}");
        }
        assert!(validate_topic_name(&"x".repeat(250)).is_err());
    }
}
