//! Per-topic configuration: the log's settings plus the replication settings of the topic.

use crate::config::{parse_bool, parse_int, ConfigError};
use crate::log::LogConfig;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicConfig {
    pub log: LogConfig,
    pub min_insync_replicas: i32,
    pub unclean_leader_election_enable: bool,
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig { log: LogConfig::default(), min_insync_replicas: 1, unclean_leader_election_enable: false }
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
            match key {
                "min.insync.replicas" => config.min_insync_replicas = parse_int(key, value, 1, i32::MAX as i64)? as i32,
                "unclean.leader.election.enable" => config.unclean_leader_election_enable = parse_bool(key, value)?,
                _ => config.log.set(key, value, teaching_mode).map_err(|e| match e {
                    ConfigError::UnknownKey { key, mut known } => {
                        known.extend(["min.insync.replicas", "unclean.leader.election.enable"]);
                        ConfigError::UnknownKey { key, known }
                    }
                    other => other,
                })?,
            }
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
}
