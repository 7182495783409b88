//! Consumer configuration with Kafka 4.x key names, defaults and validation rules.

use crate::config::{parse_bool, parse_choice, parse_int, ConfigError};
use crate::group::assignor::Strategy;
use crate::group::server_assignor::ServerAssignor;
use crate::protocol::IsolationLevel;
use crate::sim::Millis;
use serde::Serialize;

const KEYS: &[&str] = &[
    "group.id",
    "group.instance.id",
    "group.protocol",
    "group.remote.assignor",
    "partition.assignment.strategy",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "max.poll.interval.ms",
    "max.poll.records",
    "enable.auto.commit",
    "auto.commit.interval.ms",
    "auto.offset.reset",
    "isolation.level",
    "fetch.min.bytes",
    "fetch.max.wait.ms",
    "request.timeout.ms",
    "retry.backoff.ms",
    "client.rack",
    "metadata.max.age.ms",
];

/// `auto.offset.reset`: where to start when nothing is committed (or the position is out of range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoOffsetReset {
    Earliest,
    Latest,
    /// Raise NoOffsetForPartitionException instead.
    None,
}

/// `group.protocol`: the classic rebalance protocol or the consumer protocol (KIP-848).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GroupProtocol {
    #[default]
    Classic,
    Consumer,
    /// A share consumer (KIP-932, Kafka's `KafkaShareConsumer`): a member of a share group.
    Share,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerConfig {
    pub group_id: String,
    pub group_instance_id: Option<String>,
    pub group_protocol: GroupProtocol,
    /// `group.remote.assignor`: the server-side assignor this member asks for (consumer
    /// protocol only); None: the broker's default.
    pub group_remote_assignor: Option<ServerAssignor>,
    /// Assignors in preference order (JoinGroup's protocol list).
    pub partition_assignment_strategy: Vec<Strategy>,
    pub session_timeout_ms: Millis,
    pub heartbeat_interval_ms: Millis,
    pub max_poll_interval_ms: Millis,
    pub max_poll_records: usize,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: Millis,
    pub auto_offset_reset: AutoOffsetReset,
    pub isolation_level: IsolationLevel,
    pub fetch_min_bytes: u64,
    pub fetch_max_wait_ms: Millis,
    pub request_timeout_ms: Millis,
    pub retry_backoff_ms: Millis,
    /// `client.rack` (KIP-392): sent in every fetch so a leader with a rack-aware
    /// `replica.selector.class` can point the consumer to a replica in its own rack. Empty: none.
    pub client_rack: String,
    /// `metadata.max.age.ms`: also how long a preferred read replica is kept before the leader
    /// is asked again (`FetchCollector`'s `updatePreferredReadReplica`).
    pub metadata_max_age_ms: Millis,
}

impl Default for ConsumerConfig {
    /// Kafka 4.0 defaults; `partition.assignment.strategy` is `[range, cooperative-sticky]`, which
    /// rebalances EAGERly and picks `range` (3.0+).
    fn default() -> Self {
        ConsumerConfig {
            group_id: String::new(),
            group_instance_id: None,
            group_protocol: GroupProtocol::Classic,
            group_remote_assignor: None,
            partition_assignment_strategy: vec![Strategy::Range, Strategy::CooperativeSticky],
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3000,
            max_poll_interval_ms: 300_000,
            max_poll_records: 500,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5000,
            auto_offset_reset: AutoOffsetReset::Latest,
            isolation_level: IsolationLevel::ReadUncommitted,
            fetch_min_bytes: 1,
            fetch_max_wait_ms: 500,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            client_rack: String::new(),
            metadata_max_age_ms: 300_000,
        }
    }
}

impl ConsumerConfig {
    /// KIP-429: cooperative only if every configured assignor supports it.
    pub fn cooperative(&self) -> bool {
        self.partition_assignment_strategy.iter().all(|s| s.supports_cooperative())
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, ConfigError> {
        let mut c = ConsumerConfig::default();
        // Keys the consumer protocol leaves to the broker (Kafka's ConsumerConfig refuses them).
        let mut classic_only: Vec<(&str, &str)> = Vec::new();
        let mut remote_assignor: Option<(&str, &str)> = None;
        for (key, value) in pairs {
            if matches!(key, "session.timeout.ms" | "heartbeat.interval.ms" | "partition.assignment.strategy") {
                classic_only.push((key, value));
            }
            match key {
                "group.id" => c.group_id = value.trim().to_string(),
                "group.instance.id" => {
                    if value.trim().is_empty() {
                        return Err(ConfigError::invalid(key, value, "a non-empty string"));
                    }
                    c.group_instance_id = Some(value.trim().to_string());
                }
                "group.protocol" => {
                    c.group_protocol =
                        match parse_choice(key, &value.trim().to_ascii_lowercase(), &["classic", "consumer", "share"])?
                        {
                            "consumer" => GroupProtocol::Consumer,
                            "share" => GroupProtocol::Share,
                            _ => GroupProtocol::Classic,
                        }
                }
                "group.remote.assignor" => {
                    let assignor = value
                        .parse::<ServerAssignor>()
                        .map_err(|_| ConfigError::invalid(key, value, "uniform or range (a server-side assignor)"))?;
                    c.group_remote_assignor = Some(assignor);
                    remote_assignor = Some((key, value));
                }
                "partition.assignment.strategy" => {
                    let mut strategies = Vec::new();
                    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        let strategy: Strategy = name.parse().map_err(|_| {
                            ConfigError::invalid(key, name, "a comma-separated list of range, roundrobin, sticky, cooperative-sticky (or their Java class names)")
                        })?;
                        strategies.push(strategy);
                    }
                    if strategies.is_empty() {
                        return Err(ConfigError::invalid(key, value, "at least one assignor"));
                    }
                    c.partition_assignment_strategy = strategies;
                }
                "session.timeout.ms" => c.session_timeout_ms = parse_int(key, value, 1, i32::MAX as i64)? as Millis,
                "heartbeat.interval.ms" => {
                    c.heartbeat_interval_ms = parse_int(key, value, 1, i32::MAX as i64)? as Millis
                }
                "max.poll.interval.ms" => c.max_poll_interval_ms = parse_int(key, value, 1, i32::MAX as i64)? as Millis,
                "max.poll.records" => c.max_poll_records = parse_int(key, value, 1, i32::MAX as i64)? as usize,
                "enable.auto.commit" => c.enable_auto_commit = parse_bool(key, value)?,
                "auto.commit.interval.ms" => {
                    c.auto_commit_interval_ms = parse_int(key, value, 0, i32::MAX as i64)? as Millis
                }
                "auto.offset.reset" => {
                    c.auto_offset_reset = match parse_choice(key, value, &["earliest", "latest", "none"])? {
                        "earliest" => AutoOffsetReset::Earliest,
                        "latest" => AutoOffsetReset::Latest,
                        _ => AutoOffsetReset::None,
                    }
                }
                "isolation.level" => {
                    c.isolation_level = match parse_choice(key, value, &["read_uncommitted", "read_committed"])? {
                        "read_committed" => IsolationLevel::ReadCommitted,
                        _ => IsolationLevel::ReadUncommitted,
                    }
                }
                "fetch.min.bytes" => c.fetch_min_bytes = parse_int(key, value, 0, i32::MAX as i64)? as u64,
                "fetch.max.wait.ms" => c.fetch_max_wait_ms = parse_int(key, value, 0, i32::MAX as i64)? as Millis,
                "request.timeout.ms" => c.request_timeout_ms = parse_int(key, value, 0, i32::MAX as i64)? as Millis,
                "retry.backoff.ms" => c.retry_backoff_ms = parse_int(key, value, 0, i64::MAX)? as Millis,
                "client.rack" => c.client_rack = crate::config::parse_rack(key, value)?,
                "metadata.max.age.ms" => c.metadata_max_age_ms = parse_int(key, value, 1, i64::MAX)? as Millis,
                _ => return Err(ConfigError::UnknownKey { key: key.to_string(), known: KEYS.to_vec() }),
            }
        }
        if c.group_id.is_empty() {
            return Err(ConfigError::invalid(
                "group.id",
                "",
                "a non-empty group id (this simulator's consumers subscribe through a group)",
            ));
        }
        match c.group_protocol {
            GroupProtocol::Consumer | GroupProtocol::Share => {
                if let Some((key, value)) = classic_only.first() {
                    return Err(ConfigError::invalid(
                        key,
                        value,
                        "nothing with group.protocol=consumer or share (the broker's group.consumer.* and \
                         group.share.* settings decide it)",
                    ));
                }
                if c.group_protocol == GroupProtocol::Share {
                    if let Some((key, value)) = remote_assignor {
                        return Err(ConfigError::invalid(key, value, "nothing with group.protocol=share"));
                    }
                }
            }
            GroupProtocol::Classic => {
                if let Some((key, value)) = remote_assignor {
                    return Err(ConfigError::invalid(key, value, "nothing with group.protocol=classic"));
                }
            }
        }
        if c.heartbeat_interval_ms >= c.session_timeout_ms {
            return Err(ConfigError::invalid(
                "heartbeat.interval.ms",
                &c.heartbeat_interval_ms.to_string(),
                format!("a value lower than session.timeout.ms ({})", c.session_timeout_ms),
            ));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafka_4() {
        let c = ConsumerConfig::from_pairs([("group.id", "g")]).unwrap();
        assert_eq!(c.session_timeout_ms, 45_000);
        assert_eq!(c.partition_assignment_strategy, vec![Strategy::Range, Strategy::CooperativeSticky]);
        assert!(!c.cooperative(), "the default list rebalances eagerly");
        assert_eq!(c.auto_offset_reset, AutoOffsetReset::Latest);
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = ConsumerConfig::from_pairs([("group.id", "g"), ("partition.assignment.strategy", "fair")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("`partition.assignment.strategy`") && e.contains("cooperative-sticky"), "{e}");
        let e =
            ConsumerConfig::from_pairs([("group.id", "g"), ("auto.offset.reset", "smallest")]).unwrap_err().to_string();
        assert!(e.contains("earliest, latest, none"), "{e}");
        let e = ConsumerConfig::from_pairs([("group.id", "g"), ("heartbeat.interval.ms", "50000")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("lower than session.timeout.ms"), "{e}");
        assert!(ConsumerConfig::from_pairs([]).unwrap_err().to_string().contains("`group.id`"));
        let e = ConsumerConfig::from_pairs([("group.id", "g"), ("bogus", "1")]).unwrap_err().to_string();
        assert!(e.contains("unknown config `bogus`"), "{e}");
        assert!(ConsumerConfig::from_pairs([
            ("group.id", "g"),
            ("partition.assignment.strategy", "cooperative-sticky")
        ])
        .unwrap()
        .cooperative());
    }

    #[test]
    fn the_consumer_protocol_leaves_timeouts_and_assignors_to_the_broker() {
        let c = ConsumerConfig::from_pairs([
            ("group.id", "g"),
            ("group.protocol", "CONSUMER"),
            ("group.remote.assignor", "range"),
        ])
        .unwrap();
        assert_eq!((c.group_protocol, c.group_remote_assignor), (GroupProtocol::Consumer, Some(ServerAssignor::Range)));
        let e = ConsumerConfig::from_pairs([
            ("group.id", "g"),
            ("group.protocol", "consumer"),
            ("session.timeout.ms", "10000"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("`session.timeout.ms`") && e.contains("group.consumer"), "{e}");
        let e = ConsumerConfig::from_pairs([("group.id", "g"), ("group.remote.assignor", "uniform")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("group.protocol=classic"), "{e}");
        let e = ConsumerConfig::from_pairs([("group.id", "g"), ("group.protocol", "queue")]).unwrap_err().to_string();
        assert!(e.contains("classic, consumer, share"), "{e}");
        let c = ConsumerConfig::from_pairs([("group.id", "g"), ("group.protocol", "share")]).unwrap();
        assert_eq!(c.group_protocol, GroupProtocol::Share);
    }
}
