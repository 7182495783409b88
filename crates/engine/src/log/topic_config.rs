//! Per-topic configuration: the log's settings plus the replication settings of the topic.

use crate::config::{parse_bool, parse_int, ConfigError};
use crate::log::LogConfig;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicConfig {
    pub log: LogConfig,
    pub min_insync_replicas: i32,
    pub unclean_leader_election_enable: bool,
    /// The topic-level overrides as given (Kafka keeps them as the topic's `ConfigRecord`s), so a
    /// later dynamic change or a broker default can be resolved against them. Shared: every
    /// replica, image and checkpoint holds the same map.
    #[serde(skip)]
    pub overrides: Arc<BTreeMap<String, String>>,
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            log: LogConfig::default(),
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            overrides: Arc::default(),
        }
    }
}

impl TopicConfig {
    /// Parses `key=value` pairs. `teaching_mode` lets small values (such as a 1 KiB
    /// `segment.bytes`) through so that a learner can watch segments roll and retention work.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        replication_factor: i32,
        teaching_mode: bool,
    ) -> Result<Self, ConfigError> {
        let mut config = TopicConfig::default();
        for (key, value) in pairs {
            config.set(key, value, teaching_mode)?;
            Arc::make_mut(&mut config.overrides).insert(key.to_string(), value.to_string());
        }
        if config.min_insync_replicas > replication_factor {
            return Err(ConfigError::invalid(
                "min.insync.replicas",
                &config.min_insync_replicas.to_string(),
                format!("at most the replication factor ({replication_factor}), or acks=all could never succeed"),
            ));
        }
        Ok(config)
    }

    /// Every key [`TopicConfig::set`] accepts.
    pub fn keys() -> impl Iterator<Item = &'static str> {
        LogConfig::KEYS.into_iter().chain(["min.insync.replicas", "unclean.leader.election.enable"])
    }

    /// Sets one config from its Kafka key, with Kafka's validation (`overrides` is left alone).
    pub fn set(&mut self, key: &str, value: &str, teaching_mode: bool) -> Result<(), ConfigError> {
        match key {
            "min.insync.replicas" => self.min_insync_replicas = parse_int(key, value, 1, i32::MAX as i64)? as i32,
            "unclean.leader.election.enable" => self.unclean_leader_election_enable = parse_bool(key, value)?,
            _ => self.log.set(key, value, teaching_mode).map_err(|e| match e {
                ConfigError::UnknownKey { key, mut known } => {
                    known.extend(["min.insync.replicas", "unclean.leader.election.enable"]);
                    ConfigError::UnknownKey { key, known }
                }
                other => other,
            })?,
        }
        Ok(())
    }

    /// The effective config of a topic: Kafka's defaults, then the broker-level defaults that are
    /// synonyms of topic configs (cluster-wide first, then the broker's own), then the topic's
    /// overrides (`ConfigurationControlManager.getTopicConfig`'s order). Every value was validated
    /// when it was written, so this parses leniently and skips none.
    pub fn resolve<'a>(
        broker_layers: impl IntoIterator<Item = &'a BTreeMap<String, String>>,
        overrides: &Arc<BTreeMap<String, String>>,
    ) -> TopicConfig {
        let mut config = TopicConfig::default();
        for layer in broker_layers {
            for (key, value) in layer {
                if let Some(topic_key) = topic_synonym(key) {
                    let _ = config.set(topic_key, value, true);
                }
            }
        }
        for (key, value) in overrides.iter() {
            let _ = config.set(key, value, true);
        }
        config.overrides = Arc::clone(overrides);
        config
    }
}

/// Broker configs that are cluster-wide defaults of a topic config, each with its topic key
/// (Kafka's `ServerTopicConfigSynonyms.TOPIC_CONFIG_SYNONYMS`); these are the dynamic broker
/// configs (`DynamicLogConfig`) the simulation applies, per broker or for the whole cluster.
pub const BROKER_TOPIC_SYNONYMS: [(&str, &str); 16] = [
    ("log.segment.bytes", "segment.bytes"),
    ("log.roll.ms", "segment.ms"),
    ("log.index.interval.bytes", "index.interval.bytes"),
    ("log.index.size.max.bytes", "segment.index.bytes"),
    ("log.retention.ms", "retention.ms"),
    ("log.retention.bytes", "retention.bytes"),
    ("log.cleanup.policy", "cleanup.policy"),
    ("log.cleaner.delete.retention.ms", "delete.retention.ms"),
    ("log.cleaner.min.cleanable.ratio", "min.cleanable.dirty.ratio"),
    ("log.cleaner.min.compaction.lag.ms", "min.compaction.lag.ms"),
    ("log.cleaner.max.compaction.lag.ms", "max.compaction.lag.ms"),
    ("log.message.timestamp.type", "message.timestamp.type"),
    ("message.max.bytes", "max.message.bytes"),
    ("min.insync.replicas", "min.insync.replicas"),
    ("unclean.leader.election.enable", "unclean.leader.election.enable"),
    ("compression.type", "compression.type"),
];

/// The topic config a broker config is the default of, if it is one.
pub fn topic_synonym(broker_key: &str) -> Option<&'static str> {
    BROKER_TOPIC_SYNONYMS.iter().find(|(b, _)| *b == broker_key).map(|(_, t)| *t)
}
