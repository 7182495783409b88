//! KRaft metadata: the records of the `__cluster_metadata` log and the image they build.
//!
//! The active controller decides by appending records; every broker applies the committed ones
//! to its own image, so the cluster's state is exactly the replay of one replicated log.

use crate::broker::topic_config::TopicConfig;
use crate::protocol::TopicPartition;
use serde::Serialize;
use std::collections::BTreeMap;

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
    RegisterBroker {
        broker_id: i32,
        broker_epoch: i64,
    },
    BrokerRegistrationChange {
        broker_id: i32,
        broker_epoch: i64,
        fenced: bool,
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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicRegistration {
    pub name: String,
    pub config: TopicConfig,
    pub partitions: Vec<PartitionRegistration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BrokerRegistration {
    pub broker_epoch: i64,
    pub fenced: bool,
}

/// The cluster state built by applying metadata records in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetadataImage {
    pub brokers: BTreeMap<i32, BrokerRegistration>,
    pub topics: BTreeMap<String, TopicRegistration>,
    /// Offset of the last applied record (-1: none).
    pub offset: i64,
}

impl MetadataImage {
    pub fn new() -> Self {
        MetadataImage { offset: -1, ..Default::default() }
    }

    pub fn apply(&mut self, entry: &MetadataEntry) {
        self.offset = entry.offset;
        match &entry.record {
            MetadataRecord::LeaderChange { .. } => {}
            MetadataRecord::RegisterBroker { broker_id, broker_epoch } => {
                self.brokers.insert(*broker_id, BrokerRegistration { broker_epoch: *broker_epoch, fenced: true });
            }
            MetadataRecord::BrokerRegistrationChange { broker_id, broker_epoch, fenced } => {
                self.brokers.insert(*broker_id, BrokerRegistration { broker_epoch: *broker_epoch, fenced: *fenced });
            }
            MetadataRecord::Topic { name, config } => {
                self.topics.insert(
                    name.clone(),
                    TopicRegistration { name: name.clone(), config: config.clone(), partitions: Vec::new() },
                );
            }
            MetadataRecord::Partition { topic_partition, registration }
            | MetadataRecord::PartitionChange { topic_partition, registration, .. } => {
                if let Some(topic) = self.topics.get_mut(&topic_partition.topic) {
                    let index = topic_partition.partition as usize;
                    if index < topic.partitions.len() {
                        topic.partitions[index] = registration.clone();
                    } else if index == topic.partitions.len() {
                        topic.partitions.push(registration.clone());
                    }
                }
            }
        }
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionRegistration> {
        self.topics.get(&tp.topic)?.partitions.get(usize::try_from(tp.partition).ok()?)
    }

    /// Every partition with its registration, in (topic, partition) order.
    pub fn partitions(&self) -> impl Iterator<Item = (TopicPartition, &PartitionRegistration)> {
        self.topics.values().flat_map(|t| {
            t.partitions.iter().enumerate().map(|(i, p)| (TopicPartition::new(t.name.clone(), i as i32), p))
        })
    }

    /// Registered, unfenced brokers: the ones a controller may elect as leaders.
    pub fn is_active(&self, broker: i32) -> bool {
        self.brokers.get(&broker).is_some_and(|b| !b.fenced)
    }

    pub fn active_brokers(&self) -> Vec<i32> {
        self.brokers.iter().filter(|(_, b)| !b.fenced).map(|(id, _)| *id).collect()
    }
}
