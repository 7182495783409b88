//! The records of KRaft's `__cluster_metadata` log (Kafka's generated `org.apache.kafka.common.metadata`
//! types): what the active controller appends, what the quorum replicates and every broker applies.

use super::{TopicName, TopicPartition};
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
        name: TopicName,
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
    /// KRaft's `RemoveTopicRecord`: DeleteTopics removed the topic and all its partitions; each
    /// broker stops its replicas and deletes their logs when it applies the record.
    RemoveTopic {
        name: String,
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
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
    /// Shared: every broker's copy of the metadata log holds the same records (100 brokers each
    /// held their own copy of 10,000 partition records).
    pub record: std::sync::Arc<MetadataRecord>,
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
    /// KIP-455: the replicas a running reassignment is adding and removing (None: none runs).
    /// While one runs, `replicas` is the target followed by the removing replicas; the adding
    /// ones start as followers. Boxed: few partitions move, and every metadata record, every
    /// broker's image and every checkpoint holds registrations.
    pub reassignment: Option<Box<ReassigningReplicas>>,
}

/// Kafka's `addingReplicas` and `removingReplicas` of a partition being reassigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReassigningReplicas {
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
}

impl PartitionRegistration {
    /// Kafka's `PartitionReassignmentReplicas.isReassignmentInProgress`.
    pub fn is_reassigning(&self) -> bool {
        self.reassignment.is_some()
    }

    /// `addingReplicas`: replicas the reassignment is adding.
    pub fn adding_replicas(&self) -> &[i32] {
        self.reassignment.as_ref().map_or(&[], |r| &r.adding)
    }

    /// `removingReplicas`: replicas it drops once every adding one is in the ISR.
    pub fn removing_replicas(&self) -> &[i32] {
        self.reassignment.as_ref().map_or(&[], |r| &r.removing)
    }
}

impl ReassigningReplicas {
    /// None when neither list has a replica (no reassignment runs).
    pub fn boxed(adding: Vec<i32>, removing: Vec<i32>) -> Option<Box<Self>> {
        (!adding.is_empty() || !removing.is_empty()).then(|| Box::new(ReassigningReplicas { adding, removing }))
    }
}
