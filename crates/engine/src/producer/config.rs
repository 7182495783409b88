//! Producer configuration, with Kafka 4.x key names, defaults and validation rules.

use crate::config::{parse_bool, parse_choice, parse_int, ConfigError};
use crate::log::CompressionType;
use crate::protocol::Acks;
use crate::sim::Millis;
use serde::Serialize;

const KEYS: &[&str] = &[
    "acks",
    "enable.idempotence",
    "linger.ms",
    "batch.size",
    "max.in.flight.requests.per.connection",
    "retries",
    "retry.backoff.ms",
    "retry.backoff.max.ms",
    "delivery.timeout.ms",
    "request.timeout.ms",
    "max.request.size",
    "max.block.ms",
    "partitioner.ignore.keys",
    "partitioner.adaptive.partitioning.enable",
    "transactional.id",
    "transaction.timeout.ms",
    "compression.type",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProducerConfig {
    pub acks: Acks,
    pub enable_idempotence: bool,
    pub linger_ms: Millis,
    pub batch_size: usize,
    pub max_in_flight_requests_per_connection: usize,
    pub retries: u32,
    pub retry_backoff_ms: Millis,
    pub retry_backoff_max_ms: Millis,
    pub delivery_timeout_ms: Millis,
    pub request_timeout_ms: Millis,
    pub max_request_size: usize,
    pub max_block_ms: Millis,
    pub partitioner_ignore_keys: bool,
    /// The sticky partitioner favours partitions with shorter queues (KIP-794).
    pub partitioner_adaptive_partitioning_enable: bool,
    /// `transactional.id`: makes the producer transactional (needs idempotence).
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms` (60000): the coordinator aborts a transaction open longer.
    pub transaction_timeout_ms: Millis,
    /// `compression.type` (none): the codec of every batch this producer sends.
    pub compression_type: CompressionType,
}

impl Default for ProducerConfig {
    /// Kafka 4.0 defaults: acks=all and idempotence on (3.0), linger.ms=5 (4.0, KIP-1030).
    fn default() -> Self {
        ProducerConfig {
            acks: Acks::All,
            enable_idempotence: true,
            linger_ms: 5,
            batch_size: 16384,
            max_in_flight_requests_per_connection: 5,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1000,
            delivery_timeout_ms: 120_000,
            request_timeout_ms: 30_000,
            max_request_size: 1_048_576,
            max_block_ms: 60_000,
            partitioner_ignore_keys: false,
            partitioner_adaptive_partitioning_enable: true,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
            compression_type: CompressionType::None,
        }
    }
}

impl ProducerConfig {
    /// Builds a config from `key=value` pairs, applying Kafka's rules for idempotence:
    /// explicitly enabling it with acks != all, retries = 0 or more than 5 in-flight requests is an
    /// error; leaving it unset with such a setting quietly turns it off (Kafka 3.2+).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, ConfigError> {
        let mut config = ProducerConfig::default();
        let mut idempotence_explicit = None;
        for (key, value) in pairs {
            match key {
                "acks" => {
                    config.acks = match parse_choice(key, value, &["0", "1", "all", "-1"])? {
                        "0" => Acks::None,
                        "1" => Acks::Leader,
                        _ => Acks::All,
                    }
                }
                "enable.idempotence" => idempotence_explicit = Some(parse_bool(key, value)?),
                "linger.ms" => config.linger_ms = parse_int(key, value, 0, i64::MAX)? as Millis,
                "batch.size" => config.batch_size = parse_int(key, value, 0, i32::MAX as i64)? as usize,
                "max.in.flight.requests.per.connection" => {
                    config.max_in_flight_requests_per_connection = parse_int(key, value, 1, i32::MAX as i64)? as usize
                }
                "retries" => config.retries = parse_int(key, value, 0, i32::MAX as i64)? as u32,
                "retry.backoff.ms" => config.retry_backoff_ms = parse_int(key, value, 0, i64::MAX)? as Millis,
                "retry.backoff.max.ms" => config.retry_backoff_max_ms = parse_int(key, value, 0, i64::MAX)? as Millis,
                "delivery.timeout.ms" => {
                    config.delivery_timeout_ms = parse_int(key, value, 0, i32::MAX as i64)? as Millis
                }
                "request.timeout.ms" => {
                    config.request_timeout_ms = parse_int(key, value, 0, i32::MAX as i64)? as Millis
                }
                "max.request.size" => config.max_request_size = parse_int(key, value, 0, i32::MAX as i64)? as usize,
                "max.block.ms" => config.max_block_ms = parse_int(key, value, 0, i64::MAX)? as Millis,
                "partitioner.ignore.keys" => config.partitioner_ignore_keys = parse_bool(key, value)?,
                "partitioner.adaptive.partitioning.enable" => {
                    config.partitioner_adaptive_partitioning_enable = parse_bool(key, value)?
                }
                "transactional.id" => {
                    if value.is_empty() {
                        return Err(ConfigError::invalid(key, value, "a non-empty transactional id"));
                    }
                    config.transactional_id = Some(value.to_string())
                }
                "transaction.timeout.ms" => {
                    config.transaction_timeout_ms = parse_int(key, value, 1, i32::MAX as i64)? as Millis
                }
                "compression.type" => {
                    let names = CompressionType::ALL.map(CompressionType::name);
                    config.compression_type = CompressionType::parse(parse_choice(key, value, &names)?)
                        .expect("parse_choice returned one of the names")
                }
                _ => return Err(ConfigError::UnknownKey { key: key.to_string(), known: KEYS.to_vec() }),
            }
        }
        let conflict = if config.acks != Acks::All {
            Some(("acks", "all"))
        } else if config.retries == 0 {
            Some(("retries", "greater than 0"))
        } else if config.max_in_flight_requests_per_connection > 5 {
            Some(("max.in.flight.requests.per.connection", "at most 5"))
        } else {
            None
        };
        config.enable_idempotence = match (idempotence_explicit, conflict) {
            (Some(true), Some((key, needed))) => {
                return Err(ConfigError::invalid(
                    "enable.idempotence",
                    "true",
                    format!("only with `{key}` {needed} (Kafka rejects this combination)"),
                ))
            }
            (Some(explicit), _) => explicit,
            (None, conflict) => conflict.is_none(),
        };
        if let (Some(id), false) = (&config.transactional_id, config.enable_idempotence) {
            // Kafka: "Cannot set a transactional.id without also enabling idempotence."
            return Err(ConfigError::invalid(
                "transactional.id",
                id,
                "only with idempotence enabled (acks=all, retries > 0, at most 5 requests in flight)",
            ));
        }
        if config.delivery_timeout_ms < config.linger_ms + config.request_timeout_ms {
            return Err(ConfigError::invalid(
                "delivery.timeout.ms",
                &config.delivery_timeout_ms.to_string(),
                "a value >= linger.ms + request.timeout.ms",
            ));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafka_4() {
        let c = ProducerConfig::from_pairs([]).unwrap();
        assert_eq!(c.acks, Acks::All);
        assert!(c.enable_idempotence);
        assert_eq!(c.linger_ms, 5);
        assert_eq!(c.batch_size, 16384);
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = ProducerConfig::from_pairs([("acks", "2")]).unwrap_err().to_string();
        assert!(e.contains("`acks`") && e.contains("0, 1, all, -1"), "{e}");
        let e = ProducerConfig::from_pairs([("batch.size", "-1")]).unwrap_err().to_string();
        assert!(e.contains("`batch.size`"), "{e}");
        let e = ProducerConfig::from_pairs([("bogus", "1")]).unwrap_err().to_string();
        assert!(e.contains("unknown config `bogus`"), "{e}");
    }

    #[test]
    fn compression_type_takes_kafkas_codec_names() {
        assert_eq!(ProducerConfig::from_pairs([]).unwrap().compression_type, CompressionType::None);
        let c = ProducerConfig::from_pairs([("compression.type", "lz4")]).unwrap();
        assert_eq!(c.compression_type, CompressionType::Lz4);
        let e = ProducerConfig::from_pairs([("compression.type", "brotli")]).unwrap_err().to_string();
        assert!(e.contains("`compression.type`") && e.contains("none, gzip, snappy, lz4, zstd"), "{e}");
    }

    #[test]
    fn idempotence_follows_kafka_rules() {
        assert!(!ProducerConfig::from_pairs([("acks", "1")]).unwrap().enable_idempotence);
        assert!(ProducerConfig::from_pairs([("acks", "1"), ("enable.idempotence", "true")]).is_err());
        assert!(!ProducerConfig::from_pairs([("enable.idempotence", "false")]).unwrap().enable_idempotence);
    }

    /// Kafka's `ProducerConfig.postProcessAndValidateIdempotenceConfigs`: a transactional id
    /// needs idempotence.
    #[test]
    fn a_transactional_id_needs_idempotence() {
        let c = ProducerConfig::from_pairs([("transactional.id", "t1")]).unwrap();
        assert_eq!(c.transactional_id.as_deref(), Some("t1"));
        assert_eq!(c.transaction_timeout_ms, 60_000);
        let e = ProducerConfig::from_pairs([("transactional.id", "t1"), ("acks", "1")]).unwrap_err().to_string();
        assert!(e.contains("`transactional.id`"), "{e}");
        assert!(ProducerConfig::from_pairs([("transactional.id", "t1"), ("enable.idempotence", "false")]).is_err());
    }
}
