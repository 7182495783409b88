//! Topic-level log configuration, in Kafka's key names with Kafka 4.x defaults and ranges
//! (`org.apache.kafka.storage.internals.log.LogConfig`).

use super::batch::TimestampType;
use super::compression::CompressionType;
use crate::config::{parse_choice, parse_int, parse_ratio, ConfigError};
use serde::{Deserialize, Serialize};

/// Kafka 4.0's minimum `segment.bytes` (KIP-1030; `atLeast(1024 * 1024)` in `LogConfig`).
pub const MIN_SEGMENT_BYTES: i64 = 1024 * 1024;
/// Teaching mode lets a learner watch segments roll after a few small batches.
pub const TEACHING_MIN_SEGMENT_BYTES: i64 = 128;

/// Which cleanup a log gets: retention (`delete`), compaction (`compact`), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupPolicy {
    pub delete: bool,
    pub compact: bool,
}

impl CleanupPolicy {
    /// `cleanup.policy=delete`, Kafka's default.
    pub const DELETE: CleanupPolicy = CleanupPolicy { delete: true, compact: false };
    /// `cleanup.policy=compact`.
    pub const COMPACT: CleanupPolicy = CleanupPolicy { delete: false, compact: true };

    /// Kafka's spelling: `delete`, `compact` or `compact,delete`.
    pub fn name(self) -> &'static str {
        match (self.compact, self.delete) {
            (true, true) => "compact,delete",
            (true, false) => "compact",
            _ => "delete",
        }
    }
}

/// The configs of one partition log. Field names follow the Kafka keys (dots become underscores).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogConfig {
    /// `segment.bytes`: roll the active segment when the next batch would push it past this size.
    pub segment_bytes: i64,
    /// `segment.ms`: roll when the incoming batch's timestamp is this far past the segment's first one.
    pub segment_ms: i64,
    /// `index.interval.bytes`: bytes appended between two sparse index entries.
    pub index_interval_bytes: i64,
    /// `segment.index.bytes`: size of each index file; a full index forces a roll.
    pub segment_index_bytes: i64,
    /// `retention.ms`: delete segments whose newest record is older than this (-1 = forever).
    pub retention_ms: i64,
    /// `retention.bytes`: delete oldest segments while the log is bigger than this (-1 = no limit).
    pub retention_bytes: i64,
    /// `cleanup.policy`.
    pub cleanup_policy: CleanupPolicy,
    /// `delete.retention.ms`: how long compaction keeps tombstones after first cleaning them.
    pub delete_retention_ms: i64,
    /// `min.cleanable.dirty.ratio`: compact once dirty bytes exceed this share of the cleanable log.
    pub min_cleanable_dirty_ratio: f64,
    /// `min.compaction.lag.ms`: records younger than this are never compacted.
    pub min_compaction_lag_ms: i64,
    /// `max.compaction.lag.ms`: dirty data older than this is compacted whatever the ratio.
    pub max_compaction_lag_ms: i64,
    /// `message.timestamp.type`: keep the producer's timestamp or stamp the broker's append time.
    pub message_timestamp_type: TimestampType,
    /// `max.message.bytes`: the largest batch the leader accepts (else MESSAGE_TOO_LARGE).
    pub max_message_bytes: i64,
    /// `compression.type` (producer): the codec the leader stores batches in.
    pub compression_type: TopicCompression,
}

/// The topic's `compression.type` (Kafka's `BrokerCompressionType`): `producer` keeps each batch as
/// the producer compressed it; a codec (`uncompressed` is none) makes the leader recompress
/// batches in any other codec (`LogValidator.validateMessagesAndAssignOffsetsCompressed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TopicCompression {
    #[default]
    Producer,
    Codec(CompressionType),
}

impl TopicCompression {
    /// Kafka's values, in `BrokerCompressionType` order.
    pub const NAMES: [&'static str; 6] = ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];

    /// Kafka's spelling: `producer`, `uncompressed`, `gzip`, ...
    pub fn name(self) -> &'static str {
        match self {
            TopicCompression::Producer => "producer",
            TopicCompression::Codec(CompressionType::None) => "uncompressed",
            TopicCompression::Codec(codec) => codec.name(),
        }
    }

    /// The codec a batch sent in `producer_codec` is stored in.
    pub fn target(self, producer_codec: CompressionType) -> CompressionType {
        match self {
            TopicCompression::Producer => producer_codec,
            TopicCompression::Codec(codec) => codec,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1024 * 1024 * 1024,
            segment_ms: 7 * 24 * 60 * 60 * 1000,
            index_interval_bytes: 4096,
            segment_index_bytes: 10 * 1024 * 1024,
            retention_ms: 7 * 24 * 60 * 60 * 1000,
            retention_bytes: -1,
            cleanup_policy: CleanupPolicy::DELETE,
            delete_retention_ms: 24 * 60 * 60 * 1000,
            min_cleanable_dirty_ratio: 0.5,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
            message_timestamp_type: TimestampType::CreateTime,
            max_message_bytes: 1024 * 1024 + 12,
            compression_type: TopicCompression::Producer,
        }
    }
}

const INT_MAX: i64 = i32::MAX as i64;

impl LogConfig {
    /// Every key [`LogConfig::set`] accepts.
    pub const KEYS: [&'static str; 14] = [
        "segment.bytes",
        "segment.ms",
        "index.interval.bytes",
        "segment.index.bytes",
        "retention.ms",
        "retention.bytes",
        "cleanup.policy",
        "delete.retention.ms",
        "min.cleanable.dirty.ratio",
        "min.compaction.lag.ms",
        "max.compaction.lag.ms",
        "message.timestamp.type",
        "max.message.bytes",
        "compression.type",
    ];

    /// Sets one config from its Kafka key and string value, with Kafka's validation. In teaching mode
    /// `segment.bytes` may go down to [`TEACHING_MIN_SEGMENT_BYTES`] so segments roll visibly.
    pub fn set(&mut self, key: &str, value: &str, teaching_mode: bool) -> Result<(), ConfigError> {
        match key {
            "segment.bytes" => {
                let min = if teaching_mode { TEACHING_MIN_SEGMENT_BYTES } else { MIN_SEGMENT_BYTES };
                self.segment_bytes = parse_int(key, value, min, INT_MAX).map_err(|_| {
                    ConfigError::invalid(
                        key,
                        value,
                        format!(
                            "an integer in [{min}, {INT_MAX}] (Kafka 4.x requires at least {MIN_SEGMENT_BYTES}; teaching mode allows {TEACHING_MIN_SEGMENT_BYTES})"
                        ),
                    )
                })?;
            }
            "segment.ms" => self.segment_ms = parse_int(key, value, 1, i64::MAX)?,
            "index.interval.bytes" => self.index_interval_bytes = parse_int(key, value, 0, INT_MAX)?,
            "segment.index.bytes" => self.segment_index_bytes = parse_int(key, value, 4, INT_MAX)?,
            "retention.ms" => self.retention_ms = parse_int(key, value, -1, i64::MAX)?,
            "retention.bytes" => self.retention_bytes = parse_int(key, value, i64::MIN, i64::MAX)?,
            "cleanup.policy" => self.cleanup_policy = parse_cleanup_policy(key, value)?,
            "delete.retention.ms" => self.delete_retention_ms = parse_int(key, value, 0, i64::MAX)?,
            "min.cleanable.dirty.ratio" => self.min_cleanable_dirty_ratio = parse_ratio(key, value, 0.0, 1.0)?,
            "min.compaction.lag.ms" => self.min_compaction_lag_ms = parse_int(key, value, 0, i64::MAX)?,
            "max.compaction.lag.ms" => self.max_compaction_lag_ms = parse_int(key, value, 1, i64::MAX)?,
            "message.timestamp.type" => {
                self.message_timestamp_type = match parse_choice(key, value, &["CreateTime", "LogAppendTime"])? {
                    "LogAppendTime" => TimestampType::LogAppendTime,
                    _ => TimestampType::CreateTime,
                }
            }
            "max.message.bytes" => self.max_message_bytes = parse_int(key, value, 0, INT_MAX)?,
            "compression.type" => {
                self.compression_type = match parse_choice(key, value, &TopicCompression::NAMES)? {
                    "producer" => TopicCompression::Producer,
                    "uncompressed" => TopicCompression::Codec(CompressionType::None),
                    codec => TopicCompression::Codec(CompressionType::parse(codec).expect("a codec name")),
                }
            }
            _ => return Err(ConfigError::UnknownKey { key: key.to_string(), known: Self::KEYS.to_vec() }),
        }
        Ok(())
    }
}

/// `cleanup.policy` is a list: `delete`, `compact`, or both in either order.
fn parse_cleanup_policy(key: &str, value: &str) -> Result<CleanupPolicy, ConfigError> {
    let mut policy = CleanupPolicy { delete: false, compact: false };
    for item in value.split(',') {
        match parse_choice(key, item, &["delete", "compact"]) {
            Ok("delete") => policy.delete = true,
            Ok(_) => policy.compact = true,
            Err(_) => return Err(ConfigError::invalid(key, value, "delete, compact, or compact,delete")),
        }
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafkas() {
        let c = LogConfig::default();
        assert_eq!(c.segment_bytes, 1_073_741_824);
        assert_eq!(c.segment_ms, 604_800_000);
        assert_eq!(c.retention_ms, 604_800_000);
        assert_eq!(c.retention_bytes, -1);
        assert_eq!(c.index_interval_bytes, 4096);
        assert_eq!(c.segment_index_bytes, 10_485_760);
        assert_eq!(c.delete_retention_ms, 86_400_000);
        assert_eq!(c.max_message_bytes, 1_048_588);
        assert_eq!(c.cleanup_policy.name(), "delete");
    }

    #[test]
    fn segment_bytes_minimum_depends_on_teaching_mode() {
        let mut c = LogConfig::default();
        let err = c.set("segment.bytes", "1024", false).unwrap_err();
        assert!(err.to_string().contains("1048576"), "{err}");
        c.set("segment.bytes", "1024", true).unwrap();
        assert_eq!(c.segment_bytes, 1024);
        assert!(c.set("segment.bytes", "100", true).is_err());
        c.set("segment.bytes", "1048576", false).unwrap();
    }

    #[test]
    fn parses_lists_choices_and_ratios() {
        let mut c = LogConfig::default();
        c.set("cleanup.policy", "delete, compact", false).unwrap();
        assert_eq!(c.cleanup_policy, CleanupPolicy { delete: true, compact: true });
        assert!(c.set("cleanup.policy", "compact,archive", false).is_err());
        assert!(c.set("cleanup.policy", "", false).is_err());
        c.set("message.timestamp.type", "LogAppendTime", false).unwrap();
        assert_eq!(c.message_timestamp_type, TimestampType::LogAppendTime);
        c.set("min.cleanable.dirty.ratio", "0.1", false).unwrap();
        assert_eq!(c.min_cleanable_dirty_ratio, 0.1);
        assert!(c.set("retention.ms", "-2", false).is_err());
        c.set("retention.bytes", "-5", false).unwrap();
    }

    #[test]
    fn compression_type_is_brokers_choice() {
        let mut c = LogConfig::default();
        assert_eq!(c.compression_type.name(), "producer");
        assert_eq!(c.compression_type.target(CompressionType::Lz4), CompressionType::Lz4);
        c.set("compression.type", "uncompressed", false).unwrap();
        assert_eq!(c.compression_type.target(CompressionType::Lz4), CompressionType::None);
        c.set("compression.type", "zstd", false).unwrap();
        assert_eq!(c.compression_type.target(CompressionType::None), CompressionType::Zstd);
        let e = c.set("compression.type", "none", false).unwrap_err().to_string();
        assert!(e.contains("uncompressed, zstd, lz4, snappy, gzip, producer"), "{e}");
    }

    #[test]
    fn unknown_key_lists_known_keys() {
        let err = LogConfig::default().set("segment.size", "1", false).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("unknown config `segment.size`; known keys: segment.bytes, segment.ms"), "{text}");
    }
}
