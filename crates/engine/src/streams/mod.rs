//! Kafka Streams: a topology of source → (groupBy to a new key → repartition topic) → windowed
//! or plain aggregate in a state store backed by a changelog topic → sink, run by instances that
//! are each a consumer (`group.id` = `application.id`) and a producer.
//!
//! This module holds the Streams library's own logic, free of the world: the topology and its
//! internal topics' names and configs (`InternalTopologyBuilder`, `InternalTopicManager`),
//! `TimeWindows` (tumbling and hopping, with grace), and one stateful task
//! ([`task::AggregateTask`]: `StreamTask` + `KStreamWindowAggregate` + an in-memory store with
//! its `StoreChangelogReader` restoration). `cluster/streams.rs` runs it on the world's clients.

pub mod task;

use crate::config::ConfigError;
use serde::Serialize;

/// How the aggregation's key is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// `groupByKey()`: the input's key; no repartition topic.
    Key,
    /// `groupBy((key, value) -> value)`: a new key, so records go through a repartition topic
    /// to the task that owns the new key.
    Value,
}

/// What the aggregation computes per key (and window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// `count()`.
    Count,
    /// `aggregate(() -> 0L, (k, v, agg) -> agg + Long.parseLong(v))`: the values as integers.
    Sum,
}

/// `TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance)`: tumbling when `advance_ms`
/// equals `size_ms`, hopping (overlapping) when it is smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TimeWindows {
    pub size_ms: i64,
    pub advance_ms: i64,
    pub grace_ms: i64,
}

impl TimeWindows {
    /// Kafka's checks (`TimeWindows.ofSizeAndGrace`, `advanceBy`).
    pub fn new(size_ms: i64, advance_ms: i64, grace_ms: i64) -> Result<Self, ConfigError> {
        if size_ms <= 0 {
            return Err(ConfigError::invalid("size_ms", &size_ms.to_string(), "a window size above 0"));
        }
        if advance_ms <= 0 || advance_ms > size_ms {
            return Err(ConfigError::invalid("advance_ms", &advance_ms.to_string(), "an advance in (0, size_ms]"));
        }
        if grace_ms < 0 {
            return Err(ConfigError::invalid("grace_ms", &grace_ms.to_string(), "a grace period of 0 or more"));
        }
        Ok(TimeWindows { size_ms, advance_ms, grace_ms })
    }

    pub fn is_tumbling(&self) -> bool {
        self.advance_ms == self.size_ms
    }

    /// `TimeWindows.windowsFor(timestamp)`: the `[start, end)` windows holding `timestamp`,
    /// oldest first.
    pub fn windows_for(&self, timestamp: i64) -> Vec<(i64, i64)> {
        let mut start = ((timestamp - self.size_ms + self.advance_ms).max(0) / self.advance_ms) * self.advance_ms;
        let mut windows = Vec::new();
        while start <= timestamp {
            windows.push((start, start + self.size_ms));
            start += self.advance_ms;
        }
        windows
    }
}

/// One Streams application's topology:
/// `builder.stream(source).groupBy(..)/groupByKey().windowedBy(..).count()/aggregate(..,
/// Materialized.as(store)).toStream().to(sink)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Topology {
    pub application_id: String,
    pub source: String,
    pub group_by: GroupBy,
    pub aggregate: Aggregate,
    /// The state store's name (`Materialized.as`), which also names the repartition topic.
    pub store: String,
    pub windows: Option<TimeWindows>,
    pub sink: String,
}

impl Topology {
    /// `<application.id>-<store>-repartition` when grouping by a new key (Kafka names the
    /// repartition topic after the store when the aggregation is materialized with a name).
    pub fn repartition_topic(&self) -> Option<String> {
        (self.group_by == GroupBy::Value).then(|| format!("{}-{}-repartition", self.application_id, self.store))
    }

    /// `<application.id>-<store>-changelog` (`ProcessorStateManager.storeChangelogTopic`).
    pub fn changelog_topic(&self) -> String {
        format!("{}-{}-changelog", self.application_id, self.store)
    }

    /// The topic the aggregating sub-topology reads: the repartition topic, or the source.
    pub fn aggregate_input(&self) -> String {
        self.repartition_topic().unwrap_or_else(|| self.source.clone())
    }

    /// What each instance's main consumer subscribes to.
    pub fn input_topics(&self) -> Vec<String> {
        let mut topics = vec![self.source.clone()];
        topics.extend(self.repartition_topic());
        topics
    }

    /// The aggregating sub-topology's id (`1` after a repartition, `0` without one): task
    /// `1_2` is sub-topology 1 on partition 2.
    pub fn aggregate_subtopology(&self) -> u32 {
        u32::from(self.group_by == GroupBy::Value)
    }

    pub fn task_id(&self, partition: i32) -> String {
        format!("{}_{partition}", self.aggregate_subtopology())
    }

    /// The repartition topic's configs (`RepartitionTopicConfig`): deleted by Streams itself
    /// once processed, never by time.
    pub fn repartition_configs() -> Vec<(String, String)> {
        vec![("cleanup.policy".into(), "delete".into()), ("retention.ms".into(), "-1".into())]
    }

    /// The changelog's configs (`WindowedChangelogTopicConfig`, `UnwindowedChangelogTopicConfig`):
    /// compacted; a windowed store's also deleted after the store's retention plus
    /// `windowstore.changelog.additional.retention.ms` (one day), since old windows never come back.
    pub fn changelog_configs(&self) -> Vec<(String, String)> {
        match self.windows {
            None => vec![("cleanup.policy".into(), "compact".into())],
            Some(w) => {
                let retention = w.size_ms.max(w.size_ms + w.grace_ms) + ADDITIONAL_RETENTION_MS;
                vec![("cleanup.policy".into(), "compact,delete".into()), ("retention.ms".into(), retention.to_string())]
            }
        }
    }
}

/// A time window's `[start, end)`, in milliseconds.
pub type Window = (i64, i64);

/// `windowstore.changelog.additional.retention.ms`'s default.
pub const ADDITIONAL_RETENTION_MS: i64 = 86_400_000;

/// The Streams configs kafkalab runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StreamsConfig {
    /// `commit.interval.ms` (30000 under at-least-once).
    pub commit_interval_ms: u64,
    /// `restore.consumer.max.poll.records`: changelog records restored per restore poll.
    pub restore_max_poll_records: usize,
    /// `poll.ms`: how long a StreamThread polls, also between two restore polls.
    pub poll_ms: u64,
}

impl Default for StreamsConfig {
    fn default() -> Self {
        StreamsConfig { commit_interval_ms: 30_000, restore_max_poll_records: 1000, poll_ms: 100 }
    }
}

impl StreamsConfig {
    /// Reads the Streams-level configs; any other key is refused.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, ConfigError> {
        let mut config = StreamsConfig::default();
        for (key, value) in pairs {
            let number = |least: u64| {
                value
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n >= least)
                    .ok_or_else(|| ConfigError::invalid(key, value, format!("a whole number of at least {least}")))
            };
            match key {
                "commit.interval.ms" => config.commit_interval_ms = number(0)?,
                "restore.consumer.max.poll.records" => config.restore_max_poll_records = number(1)? as usize,
                "poll.ms" => config.poll_ms = number(1)?,
                _ => {
                    return Err(ConfigError::invalid(
                        key,
                        value,
                        "one of commit.interval.ms, restore.consumer.max.poll.records, poll.ms",
                    ))
                }
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tumbling_windows_hold_each_timestamp_once() {
        let w = TimeWindows::new(10_000, 10_000, 0).unwrap();
        assert_eq!(w.windows_for(0), vec![(0, 10_000)]);
        assert_eq!(w.windows_for(9_999), vec![(0, 10_000)]);
        assert_eq!(w.windows_for(10_000), vec![(10_000, 20_000)]);
    }

    #[test]
    fn hopping_windows_overlap_as_kafka_computes_them() {
        // TimeWindows.ofSizeWithNoGrace(10s).advanceBy(5s): 12s is in [5s, 15s) and [10s, 20s).
        let w = TimeWindows::new(10_000, 5_000, 0).unwrap();
        assert_eq!(w.windows_for(12_000), vec![(5_000, 15_000), (10_000, 20_000)]);
        assert_eq!(w.windows_for(3_000), vec![(0, 10_000)]);
    }

    #[test]
    fn bad_windows_and_configs_are_refused() {
        assert!(TimeWindows::new(0, 0, 0).is_err());
        assert!(TimeWindows::new(10, 20, 0).is_err());
        assert!(TimeWindows::new(10, 5, -1).is_err());
        assert!(StreamsConfig::from_pairs([("processing.guarantee", "exactly_once_v2")]).is_err());
        assert!(StreamsConfig::from_pairs([("restore.consumer.max.poll.records", "0")]).is_err());
        assert_eq!(StreamsConfig::from_pairs([("commit.interval.ms", "1000")]).unwrap().commit_interval_ms, 1000);
    }

    #[test]
    fn internal_topics_follow_kafkas_names() {
        let t = Topology {
            application_id: "page-views".into(),
            source: "clicks".into(),
            group_by: GroupBy::Value,
            aggregate: Aggregate::Count,
            store: "views-per-page".into(),
            windows: Some(TimeWindows::new(10_000, 10_000, 2_000).unwrap()),
            sink: "page-counts".into(),
        };
        assert_eq!(t.repartition_topic().as_deref(), Some("page-views-views-per-page-repartition"));
        assert_eq!(t.changelog_topic(), "page-views-views-per-page-changelog");
        assert_eq!(t.task_id(1), "1_1");
        assert_eq!(t.changelog_configs()[0].1, "compact,delete");
    }
}
