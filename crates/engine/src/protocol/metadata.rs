//! The records of KRaft's `__cluster_metadata` log (Kafka's generated `org.apache.kafka.common.metadata`
//! types): what the active controller appends, what the quorum replicates and every broker applies.

use super::TopicPartition;
use crate::log::TopicConfig;
use serde::Serialize;

/// One record of the metadata log, named after KRaft's record types.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum MetadataRecord {
    /// Raft control record a new quorum leader writes first, to commit entries of its epoch.
    LeaderChange {
        leader_id: i32,
        epoch: i32,
    },
    /// A broker (re)registered; `broker_epoch` is this record's offset. New registrations are fenced.
    /// `rack` is its `broker.rack` (`RegisterBrokerRecord.rack`), which placement and KIP-392's
    /// replica selector read.
    RegisterBroker {
        broker_id: i32,
        broker_epoch: i64,
        rack: Option<String>,
    },
    /// Fences or unfences a broker, or (KIP-841) marks it in controlled shutdown: it is
    /// leaving, so it may not lead or join an ISR.
    BrokerRegistrationChange {
        broker_id: i32,
        broker_epoch: i64,
        fenced: bool,
        in_controlled_shutdown: bool,
    },
    Topic {
        name: String,
        config: TopicConfig,
    },
    Partition {
        topic_partition: TopicPartition,
        registration: PartitionRegistration,
    },
    /// The full new state of a partition after an election or ISR change.
    PartitionChange {
        topic_partition: TopicPartition,
        registration: PartitionRegistration,
        unclean: bool,
    },
    /// Kafka's `ConfigRecord`: one dynamic config of a topic or a broker set (`value`) or
    /// deleted (`None`), written by IncrementalAlterConfigs.
    Config {
        resource: ConfigResource,
        name: String,
        value: Option<String>,
    },
}

/// What a dynamic config belongs to (Kafka's `ConfigResource` of type TOPIC or BROKER; the
/// cluster-wide broker default is the BROKER resource with the empty name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum ConfigResource {
    Topic(String),
    Broker(i32),
    BrokerDefault,
}

impl std::fmt::Display for ConfigResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigResource::Topic(t) => write!(f, "topic {t}"),
            ConfigResource::Broker(b) => write!(f, "broker {b}"),
            ConfigResource::BrokerDefault => write!(f, "the brokers' cluster-wide default"),
        }
    }
}

/// A record and its place in the metadata log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetadataEntry {
    pub offset: i64,
    /// The quorum epoch of the leader that appended it.
    pub epoch: i32,
    pub record: MetadataRecord,
}

/// KRaft's `PartitionRegistration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionRegistration {
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// -1 when no replica can lead (the partition is offline).
    pub leader: i32,
    pub leader_epoch: i32,
    pub partition_epoch: i32,
    /// Eligible leader replicas (KIP-966): replicas that left the ISR while it was below the
    /// effective min ISR, so the high watermark stood still and they hold every committed record.
    pub elr: Vec<i32>,
    /// The last leader before the ISR and ELR emptied (Kafka 4.x keeps only the last known
    /// leader here, `useLastKnownLeaderInBalancedRecovery`).
    pub last_known_elr: Vec<i32>,
}
