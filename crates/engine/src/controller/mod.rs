//! The KRaft controller: the metadata log and its records, the Raft quorum that replicates it,
//! and the active controller's decisions (registration, fencing, leader election, ISR changes).

pub mod metadata;
pub mod placement;
pub mod quorum;
pub mod raft;

use rand::Rng;
use std::fmt;

/// Kafka's limit on topic name length.
const MAX_TOPIC_NAME_LENGTH: usize = 249;

/// Why the controller refused to create a topic, with Kafka's error names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateTopicError {
    InvalidTopic(String),
    TopicAlreadyExists(String),
    InvalidPartitions(i32),
    InvalidReplicationFactor {
        replication_factor: i32,
        available_brokers: usize,
    },
    NotController,
    InvalidReplicaAssignment(String),
    /// CreatePartitions for a topic that does not exist.
    UnknownTopic(String),
    /// CreatePartitions can only add partitions (Kafka's INVALID_PARTITIONS).
    PartitionsNotIncreased {
        topic: String,
        current: i32,
        requested: i32,
    },
    /// DeleteTopics for one of the coordinators' internal topics (`__consumer_offsets`,
    /// `__transaction_state`, `__share_group_state`).
    InternalTopicDeletion(String),
}

impl fmt::Display for CreateTopicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreateTopicError::InvalidTopic(why) => write!(f, "INVALID_TOPIC_EXCEPTION: {why}"),
            CreateTopicError::TopicAlreadyExists(name) => write!(f, "TOPIC_ALREADY_EXISTS: topic `{name}` already exists"),
            CreateTopicError::InvalidPartitions(n) => write!(f, "INVALID_PARTITIONS: {n} partitions; a topic needs at least 1"),
            CreateTopicError::InvalidReplicaAssignment(why) => write!(f, "INVALID_REPLICA_ASSIGNMENT: {why}"),
            CreateTopicError::NotController => write!(f, "NOT_CONTROLLER: this broker does not host the active controller"),
            CreateTopicError::UnknownTopic(name) => write!(f, "UNKNOWN_TOPIC_OR_PARTITION: topic `{name}` does not exist"),
            CreateTopicError::PartitionsNotIncreased { topic, current, requested } => write!(
                f,
                "INVALID_PARTITIONS: topic `{topic}` has {current} partitions; CreatePartitions can only add partitions, not go to {requested}"
            ),
            CreateTopicError::InternalTopicDeletion(name) => {
                write!(f, "Topic {name} is a kafka internal topic and is not allowed to be marked for deletion.")
            }
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
