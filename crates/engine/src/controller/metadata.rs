//! KRaft metadata: the image the records of the `__cluster_metadata` log build
//! (the records themselves are protocol types: [`crate::protocol::metadata`]).
//!
//! The active controller decides by appending records; every broker applies the committed ones
//! to its own image, so the cluster's state is exactly the replay of one replicated log.

use crate::log::TopicConfig;
use crate::protocol::metadata::{ConfigResource, MetadataEntry, MetadataRecord, PartitionRegistration};
use crate::protocol::{TopicName, TopicPartition};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicRegistration {
    /// The name the `TopicRecord` carried, shared with every partition of the topic.
    pub name: TopicName,
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
    /// Dynamic configs from `ConfigRecord`s, by resource: a topic's overrides (its creation
    /// configs included, as Kafka writes them), a broker's own, the cluster-wide broker default.
    #[serde(skip)]
    pub configs: BTreeMap<ConfigResource, Arc<BTreeMap<String, String>>>,
}

impl MetadataImage {
    pub fn new() -> Self {
        MetadataImage { offset: -1, ..Default::default() }
    }

    pub fn apply(&mut self, entry: &MetadataEntry) {
        self.offset = entry.offset;
        match entry.record.as_ref() {
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
                let resource = ConfigResource::Topic(name.to_string());
                if config.overrides.is_empty() {
                    self.configs.remove(&resource);
                } else {
                    self.configs.insert(resource, config.overrides.clone());
                }
                // Without broker defaults the record's config is already the effective one.
                let config = if self.configs.contains_key(&ConfigResource::BrokerDefault) {
                    self.topic_config(name, None)
                } else {
                    config.clone()
                };
                self.topics
                    .insert(name.to_string(), TopicRegistration { name: name.clone(), config, partitions: Vec::new() });
            }
            MetadataRecord::Config { resource, name, value } => {
                let configs = Arc::make_mut(self.configs.entry(resource.clone()).or_default());
                match value {
                    Some(v) => configs.insert(name.clone(), v.clone()),
                    None => configs.remove(name),
                };
                if configs.is_empty() {
                    self.configs.remove(resource);
                }
                let affected: Vec<String> = match resource {
                    ConfigResource::Topic(t) => vec![t.clone()],
                    ConfigResource::BrokerDefault => self.topics.keys().cloned().collect(),
                    ConfigResource::Broker(_) => Vec::new(),
                };
                for topic in affected {
                    let config = self.topic_config(&topic, None);
                    if let Some(t) = self.topics.get_mut(&topic) {
                        t.config = config;
                    }
                }
            }
            MetadataRecord::RemoveTopic { name } => {
                self.topics.remove(name);
            }
            MetadataRecord::Partition { topic_partition, registration }
            | MetadataRecord::PartitionChange { topic_partition, registration, .. } => {
                if let Some(topic) = self.topics.get_mut(topic_partition.topic.as_str()) {
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

    /// The effective config of `topic` on broker `node` (`None`: the cluster-wide one the
    /// controller decides with): its overrides over that broker's dynamic configs over the
    /// cluster default's over Kafka's defaults.
    pub fn topic_config(&self, topic: &str, node: Option<i32>) -> TopicConfig {
        let empty = Arc::default();
        let layer = |r: &ConfigResource| self.configs.get(r).unwrap_or(&empty);
        let mut brokers = vec![layer(&ConfigResource::BrokerDefault).as_ref()];
        if let Some(node) = node {
            brokers.push(layer(&ConfigResource::Broker(node)).as_ref());
        }
        TopicConfig::resolve(brokers, layer(&ConfigResource::Topic(topic.to_string())))
    }

    /// The config `node`'s replicas of `topic` use: the registered one unless the broker has
    /// dynamic configs of its own.
    pub fn topic_config_on(&self, topic: &str, node: i32) -> Option<TopicConfig> {
        let registered = &self.topics.get(topic)?.config;
        if self.configs.contains_key(&ConfigResource::Broker(node)) {
            Some(self.topic_config(topic, Some(node)))
        } else {
            Some(registered.clone())
        }
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionRegistration> {
        self.topics.get(tp.topic.as_str())?.partitions.get(usize::try_from(tp.partition).ok()?)
    }

    /// Every partition with its registration, in (topic, partition) order.
    pub fn partitions(&self) -> impl Iterator<Item = (TopicPartition, &PartitionRegistration)> {
        self.topics
            .values()
            .flat_map(|t| t.partitions.iter().enumerate().map(|(i, p)| (TopicPartition::new(&t.name, i as i32), p)))
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
