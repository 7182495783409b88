//! KRaft metadata: the image the records of the `__cluster_metadata` log build
//! (the records themselves are protocol types: [`crate::protocol::metadata`]).
//!
//! The active controller decides by appending records; every broker applies the committed ones
//! to its own image, so the cluster's state is exactly the replay of one replicated log.

use crate::log::TopicConfig;
use crate::protocol::metadata::{MetadataEntry, MetadataRecord, PartitionRegistration};
use crate::protocol::TopicPartition;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// KIP-841: the broker asked to shut down; the controller moves leadership away from it.
    pub in_controlled_shutdown: bool,
}

impl BrokerRegistration {
    pub fn is_active(&self) -> bool {
        !self.fenced && !self.in_controlled_shutdown
    }
}

/// The cluster state built by applying metadata records in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetadataImage {
    pub brokers: BTreeMap<i32, BrokerRegistration>,
    pub topics: BTreeMap<String, TopicRegistration>,
    /// Each registered broker's `broker.rack`, for brokers that have one.
    pub racks: BTreeMap<i32, String>,
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
            MetadataRecord::RegisterBroker { broker_id, broker_epoch, rack } => {
                match rack {
                    Some(rack) => self.racks.insert(*broker_id, rack.clone()),
                    None => self.racks.remove(broker_id),
                };
                self.brokers.insert(
                    *broker_id,
                    BrokerRegistration { broker_epoch: *broker_epoch, fenced: true, in_controlled_shutdown: false },
                );
            }
            MetadataRecord::BrokerRegistrationChange { broker_id, broker_epoch, fenced, in_controlled_shutdown } => {
                self.brokers.insert(
                    *broker_id,
                    BrokerRegistration {
                        broker_epoch: *broker_epoch,
                        fenced: *fenced,
                        in_controlled_shutdown: *in_controlled_shutdown,
                    },
                );
            }
            MetadataRecord::Topic { name, config } => {
                self.topics.insert(
                    name.clone(),
                    TopicRegistration { name: name.clone(), config: config.clone(), partitions: Vec::new() },
                );
            }
            MetadataRecord::RemoveTopic { name } => {
                self.topics.remove(name);
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

    /// Registered, unfenced brokers not in controlled shutdown: the ones a controller may elect
    /// as leaders (Kafka's `ClusterControlManager.isActive`).
    pub fn is_active(&self, broker: i32) -> bool {
        self.brokers.get(&broker).is_some_and(BrokerRegistration::is_active)
    }

    pub fn active_brokers(&self) -> Vec<i32> {
        self.brokers.iter().filter(|(_, b)| b.is_active()).map(|(id, _)| *id).collect()
    }
}
