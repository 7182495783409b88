//! Broker and controller settings of a scenario's `[cluster.configs]`, in Kafka's names, mapped
//! onto [`WorldConfig`]. Scenarios shorten Kafka's timeouts so effects show within seconds.

use crate::cluster::WorldConfig;
use crate::config::{parse_bool, parse_int, ConfigError};
use crate::group::share::partition::ShareAutoOffsetReset;

const KEYS: &[&str] = &[
    "replica.lag.time.max.ms",
    "replica.fetch.wait.max.ms",
    "replica.fetch.backoff.ms",
    "replica.fetch.max.bytes",
    "replica.socket.timeout.ms",
    "replica.selector.class",
    "broker.heartbeat.interval.ms",
    "broker.session.timeout.ms",
    "log.retention.check.interval.ms",
    "log.cleaner.backoff.ms",
    "auto.leader.rebalance.enable",
    "leader.imbalance.check.interval.seconds",
    "controller.quorum.election.timeout.ms",
    "controller.quorum.fetch.timeout.ms",
    "controller.quorum.election.backoff.max.ms",
    "offsets.topic.num.partitions",
    "offsets.topic.replication.factor",
    "group.initial.rebalance.delay.ms",
    "group.min.session.timeout.ms",
    "group.max.session.timeout.ms",
    "offsets.commit.timeout.ms",
    "group.consumer.heartbeat.interval.ms",
    "group.consumer.session.timeout.ms",
    "group.consumer.assignors",
    "group.consumer.migration.policy",
    "eligible.leader.replicas.version",
    "transaction.state.log.num.partitions",
    "transaction.max.timeout.ms",
    "transaction.abort.timed.out.transaction.cleanup.interval.ms",
    "group.share.delivery.count.limit",
    "group.share.record.lock.duration.ms",
    "group.share.partition.max.record.locks",
    "group.share.heartbeat.interval.ms",
    "group.share.session.timeout.ms",
    "share.auto.offset.reset",
];

/// Sets one broker setting. Millisecond values must be at least 1 (0 would spin timers).
pub fn set(config: &mut WorldConfig, key: &str, value: &str) -> Result<(), ConfigError> {
    let ms = || parse_int(key, value, 1, i32::MAX as i64).map(|v| v as u64);
    let b = &mut config.broker;
    match key {
        "replica.lag.time.max.ms" => b.replica_lag_time_max_ms = ms()?,
        "replica.fetch.wait.max.ms" => b.replica_fetch_wait_max_ms = ms()?,
        "replica.fetch.backoff.ms" => b.replica_fetch_backoff_ms = ms()?,
        "replica.fetch.max.bytes" => b.replica_fetch_max_bytes = parse_int(key, value, 1, i32::MAX as i64)? as usize,
        "replica.socket.timeout.ms" => b.replica_socket_timeout_ms = ms()?,
        "replica.selector.class" => b.replica_selector = crate::broker::ReplicaSelector::parse(key, value)?,
        "broker.heartbeat.interval.ms" => b.broker_heartbeat_interval_ms = ms()?,
        "broker.session.timeout.ms" => b.controller.broker_session_timeout_ms = ms()?,
        "log.retention.check.interval.ms" => b.log_retention_check_interval_ms = ms()?,
        "log.cleaner.backoff.ms" => b.log_cleaner_backoff_ms = ms()?,
        "auto.leader.rebalance.enable" => b.controller.auto_leader_rebalance_enable = parse_bool(key, value)?,
        "leader.imbalance.check.interval.seconds" => {
            b.controller.leader_imbalance_check_interval_ms = parse_int(key, value, 1, 86_400)? as u64 * 1000
        }
        "controller.quorum.election.timeout.ms" => b.raft.election_timeout_ms = ms()?,
        "controller.quorum.fetch.timeout.ms" => b.raft.fetch_timeout_ms = ms()?,
        "controller.quorum.election.backoff.max.ms" => b.raft.election_backoff_max_ms = ms()?,
        "offsets.topic.num.partitions" => {
            b.group_coordinator.offsets_topic_num_partitions = parse_int(key, value, 1, 200)? as i32
        }
        "offsets.topic.replication.factor" => {
            b.group_coordinator.offsets_topic_replication_factor = parse_int(key, value, 1, i16::MAX as i64)? as i32
        }
        "offsets.topic.segment.bytes" => {
            b.group_coordinator.offsets_topic_segment_bytes = parse_int(key, value, 1, i32::MAX as i64)?
        }
        "group.initial.rebalance.delay.ms" => {
            b.group_coordinator.group_initial_rebalance_delay_ms = parse_int(key, value, 0, i32::MAX as i64)? as u64
        }
        "group.min.session.timeout.ms" => b.group_coordinator.group_min_session_timeout_ms = ms()?,
        "group.max.session.timeout.ms" => b.group_coordinator.group_max_session_timeout_ms = ms()?,
        "offsets.commit.timeout.ms" => b.group_coordinator.offsets_commit_timeout_ms = ms()?,
        "group.consumer.heartbeat.interval.ms" => b.group_coordinator.group_consumer_heartbeat_interval_ms = ms()?,
        "group.consumer.session.timeout.ms" => b.group_coordinator.group_consumer_session_timeout_ms = ms()?,
        "group.consumer.assignors" => {
            let mut assignors = Vec::new();
            for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let assignor = name.parse().map_err(|_| ConfigError::invalid(key, name, "a list of uniform, range"))?;
                if !assignors.contains(&assignor) {
                    assignors.push(assignor);
                }
            }
            if assignors.is_empty() {
                return Err(ConfigError::invalid(key, value, "at least one of uniform, range"));
            }
            b.group_coordinator.group_consumer_assignors = assignors;
        }
        "group.consumer.migration.policy" => {
            b.group_coordinator.group_consumer_migration_policy = value
                .parse()
                .map_err(|_| ConfigError::invalid(key, value, "bidirectional, upgrade, downgrade or disabled"))?
        }
        // A feature level rather than a config (`kafka-storage format --feature`): 1 since Kafka
        // 4.1 for new clusters, 0 on 4.0.
        "eligible.leader.replicas.version" => {
            b.controller.eligible_leader_replicas_version = parse_int(key, value, 0, 1)? as i16
        }
        "transaction.state.log.num.partitions" => {
            b.txn_coordinator.num_partitions = parse_int(key, value, 1, 200)? as i32
        }
        "transaction.max.timeout.ms" => b.txn_coordinator.max_timeout_ms = ms()?,
        "transaction.abort.timed.out.transaction.cleanup.interval.ms" => {
            b.txn_coordinator.abort_timed_out_interval_ms = ms()?
        }
        // Kafka's ranges: the limit 2..=10; the lock 1 s up to 1 hour (Kafka's own floor,
        // `group.share.min.record.lock.duration.ms`, is 15 s; scenarios go lower to teach).
        "group.share.delivery.count.limit" => b.share.delivery_count_limit = parse_int(key, value, 2, 10)? as u32,
        "group.share.record.lock.duration.ms" => {
            b.share.record_lock_duration_ms = parse_int(key, value, 1000, 3_600_000)? as u64
        }
        "group.share.partition.max.record.locks" => {
            b.share.max_record_locks = parse_int(key, value, 100, 10_000)? as usize
        }
        "group.share.heartbeat.interval.ms" => b.group_coordinator.group_share_heartbeat_interval_ms = ms()?,
        "group.share.session.timeout.ms" => b.group_coordinator.group_share_session_timeout_ms = ms()?,
        // A group config in Kafka (`kafka-configs --entity-type groups`); here it applies to every
        // share group of the scenario.
        "share.auto.offset.reset" => {
            b.share.auto_offset_reset = match value.trim() {
                "earliest" => ShareAutoOffsetReset::Earliest,
                "latest" => ShareAutoOffsetReset::Latest,
                _ => return Err(ConfigError::invalid(key, value, "earliest or latest")),
            }
        }
        _ => return Err(ConfigError::UnknownKey { key: key.to_string(), known: KEYS.to_vec() }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_names_map_onto_the_world_config() {
        let mut c = WorldConfig::default();
        set(&mut c, "replica.lag.time.max.ms", "2000").unwrap();
        set(&mut c, "broker.session.timeout.ms", "3000").unwrap();
        set(&mut c, "leader.imbalance.check.interval.seconds", "10").unwrap();
        assert_eq!(c.broker.replica_lag_time_max_ms, 2000);
        assert_eq!(c.broker.controller.broker_session_timeout_ms, 3000);
        assert_eq!(c.broker.controller.leader_imbalance_check_interval_ms, 10_000);
        let e = set(&mut c, "replica.lag.time.max", "1").unwrap_err().to_string();
        assert!(e.contains("unknown config `replica.lag.time.max`") && e.contains("replica.lag.time.max.ms"), "{e}");
        let e = set(&mut c, "replica.lag.time.max.ms", "0").unwrap_err().to_string();
        assert!(e.contains("`replica.lag.time.max.ms`"), "{e}");
        set(&mut c, "group.consumer.assignors", "range, uniform").unwrap();
        use crate::group::server_assignor::ServerAssignor;
        assert_eq!(
            c.broker.group_coordinator.group_consumer_assignors,
            vec![ServerAssignor::Range, ServerAssignor::Uniform]
        );
        let e = set(&mut c, "group.consumer.assignors", "sticky").unwrap_err().to_string();
        assert!(e.contains("uniform, range"), "{e}");
        use crate::group::coordinator::MigrationPolicy;
        assert_eq!(c.broker.group_coordinator.group_consumer_migration_policy, MigrationPolicy::Bidirectional);
        set(&mut c, "group.consumer.migration.policy", "Disabled").unwrap();
        assert_eq!(c.broker.group_coordinator.group_consumer_migration_policy, MigrationPolicy::Disabled);
        let e = set(&mut c, "group.consumer.migration.policy", "sideways").unwrap_err().to_string();
        assert!(e.contains("bidirectional, upgrade, downgrade or disabled"), "{e}");
    }

    #[test]
    fn share_group_settings_have_kafkas_names_and_ranges() {
        let mut c = WorldConfig::default();
        set(&mut c, "group.share.delivery.count.limit", "3").unwrap();
        set(&mut c, "group.share.record.lock.duration.ms", "5000").unwrap();
        set(&mut c, "share.auto.offset.reset", "earliest").unwrap();
        assert_eq!(c.broker.share.delivery_count_limit, 3);
        assert_eq!(c.broker.share.record_lock_duration_ms, 5000);
        assert_eq!(c.broker.share.auto_offset_reset, ShareAutoOffsetReset::Earliest);
        let e = set(&mut c, "group.share.delivery.count.limit", "11").unwrap_err().to_string();
        assert!(e.contains("`group.share.delivery.count.limit`"), "{e}");
        let e = set(&mut c, "share.auto.offset.reset", "none").unwrap_err().to_string();
        assert!(e.contains("earliest or latest"), "{e}");
    }

    /// Kafka 4.1+ finalizes `eligible.leader.replicas.version=1` on new clusters
    /// (`EligibleLeaderReplicasVersion.LATEST_PRODUCTION`); a scenario can pick 4.0's 0.
    #[test]
    fn eligible_leader_replicas_default_on_and_can_be_turned_off() {
        let mut c = WorldConfig::default();
        assert_eq!(c.broker.controller.eligible_leader_replicas_version, 1);
        set(&mut c, "eligible.leader.replicas.version", "0").unwrap();
        assert_eq!(c.broker.controller.eligible_leader_replicas_version, 0);
        let e = set(&mut c, "eligible.leader.replicas.version", "2").unwrap_err().to_string();
        assert!(e.contains("`eligible.leader.replicas.version`"), "{e}");
    }
}
