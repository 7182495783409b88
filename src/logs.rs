//! What the partition log view, the groups on the log and the metrics panel read: the engine's
//! on-demand views (`World::partition_logs`, `World::group_logs`, `World::metrics`), taken once
//! per panel refresh and shared by `Rc` so that an unchanged refresh draws nothing again.

use std::rc::Rc;

use kafkalab_engine::cluster::message_log::LoggedMessage;
use kafkalab_engine::metrics::{FaultDelta, MetricsSample};
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::{Millis, NodeId};
use kafkalab_engine::view::log::PartitionLogView;
use kafkalab_engine::view::share_log::SharePartitionView;
use kafkalab_engine::World;

/// Record cells per replica strip: the newest offsets; older ones are one scaled bar.
pub const NEWEST_CELLS: usize = 24;
/// The metrics charts span this much virtual time before the cursor.
pub const CHART_SPAN_MS: Millis = 60_000;

/// Kafka's metric names, in the order the panel lists them (the broker's, the producer's, the
/// consumer's).
pub const METRIC_NAMES: [&str; 18] = [
    "UnderReplicatedPartitions",
    "UnderMinIsrPartitionCount",
    "OfflinePartitionsCount",
    "ActiveControllerCount",
    "IsrShrinksPerSec",
    "IsrExpandsPerSec",
    "LeaderElectionRateAndTimeMs",
    "UncleanLeaderElectionsPerSec",
    "MessagesInPerSec",
    "BytesInPerSec",
    "FailedProduceRequestsPerSec",
    "record-error-rate",
    "request-latency-avg",
    "request-total",
    "batch-size-avg",
    "compression-rate-avg",
    "records-lag-max",
    "rebalance-total",
];

/// A value shared between renders, equal only to itself (the data is rebuilt on every refresh).
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The strips of the shown partitions.
#[derive(Debug)]
pub struct LogData {
    /// Every non-internal topic, for the filter.
    pub topics: Vec<String>,
    /// Shared with the previous refresh where nothing changed, so its strips are not drawn again.
    pub partitions: Vec<Rc<PartitionLogView>>,
    /// The share groups' share partitions of the shown topics (KIP-932).
    pub shares: Rc<Vec<SharePartitionView>>,
}

/// While playing, a refresh reads one partition in this many (in turn), so that its cost stays a
/// fraction of a frame with many partitions; a pause or a seek reads them all.
pub const READ_STRIDE: usize = 3;

impl LogData {
    /// The partitions of `topic` (every non-internal topic when None). With `previous` and a
    /// `turn`, only the partitions whose index is `turn` modulo [`READ_STRIDE`] are read again
    /// (when the list of partitions is the same); the others keep their previous strips.
    pub fn read(world: &World, topic: Option<&str>, previous: Option<(&LogData, usize)>) -> Self {
        let metadata = world.metadata();
        let topics =
            metadata.topics.values().filter(|t| !t.name.starts_with("__")).map(|t| t.name.to_string()).collect();
        let shown: Vec<TopicPartition> = metadata
            .topics
            .values()
            .filter(|t| topic.map_or(!t.name.starts_with("__"), |name| t.name == name))
            .flat_map(|t| (0..t.partitions.len() as i32).map(|p| TopicPartition::new(&t.name, p)))
            .collect();
        let previous = previous.filter(|(old, _)| {
            old.partitions.len() == shown.len()
                && old.partitions.iter().zip(&shown).all(|(p, tp)| p.topic == tp.topic && p.partition == tp.partition)
        });
        let partitions = shown
            .iter()
            .enumerate()
            .filter_map(|(i, tp)| match previous {
                Some((old, turn)) if i % READ_STRIDE != turn % READ_STRIDE => Some(old.partitions[i].clone()),
                _ => {
                    let fresh = world.partition_log(tp, NEWEST_CELLS)?;
                    let old = previous.and_then(|(old, _)| old.partitions.get(i)).filter(|old| ***old == fresh);
                    Some(old.cloned().unwrap_or_else(|| Rc::new(fresh)))
                }
            })
            .collect();
        let shares = world.share_partitions(topic);
        let shares = match previous {
            Some((old, _)) if *old.shares == shares => old.shares.clone(),
            _ => Rc::new(shares),
        };
        LogData { topics, partitions, shares }
    }
}

/// One metric's value now and over the chart's span.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSeries {
    pub name: &'static str,
    pub now: f64,
    /// `(at_ms, value)`, oldest first.
    pub samples: Vec<(Millis, f64)>,
    /// Before and after the last fault.
    pub delta: Option<(f64, f64)>,
}

/// What the metrics panel draws.
#[derive(Debug)]
pub struct MetricsData {
    pub now_ms: Millis,
    pub series: Vec<MetricSeries>,
    /// The last fault's name and time.
    pub fault: Option<(&'static str, Millis)>,
}

impl MetricsData {
    pub fn read(world: &World) -> Self {
        let now_ms = world.now();
        let now = world.metrics_now();
        let samples: Vec<&MetricsSample> =
            world.metrics().samples_between(now_ms.saturating_sub(CHART_SPAN_MS), now_ms).collect();
        let delta: Option<FaultDelta> = world.metrics().last_fault_delta();
        let value = |sample: &MetricsSample, name: &str| sample.get(name).unwrap_or(0.0);
        let series = METRIC_NAMES
            .iter()
            .map(|&name| MetricSeries {
                name,
                now: value(&now, name),
                samples: samples.iter().map(|s| (s.at_ms, value(s, name))).collect(),
                delta: delta.as_ref().map(|d| (value(&d.before, name), value(&d.after, name))),
            })
            .collect();
        MetricsData { now_ms, series, fault: delta.map(|d| (d.fault, d.fault_at_ms)) }
    }
}

/// The sequence diagram's window: this much virtual time up to the cursor.
pub const MESSAGE_WINDOW_MS: Millis = 250;
/// Messages the diagram draws at most (the newest).
const MESSAGES_DRAWN: usize = 80;

/// What the sequence diagram draws: the messages whose journey overlaps the window.
#[derive(Debug)]
pub struct MessageData {
    pub from_ms: Millis,
    pub to_ms: Millis,
    /// One lane each, brokers first.
    pub nodes: Vec<NodeId>,
    pub messages: Vec<LoggedMessage>,
}

impl MessageData {
    pub fn read(world: &World) -> Self {
        let to_ms = world.now();
        let from_ms = to_ms.saturating_sub(MESSAGE_WINDOW_MS);
        let mut messages = world.messages_between(from_ms, to_ms);
        messages.sort_by_key(|m| m.sent_at_ms);
        let excess = messages.len().saturating_sub(MESSAGES_DRAWN);
        messages.drain(..excess);
        let mut nodes: Vec<NodeId> = messages.iter().flat_map(|m| [m.from, m.to]).collect();
        nodes.sort();
        nodes.dedup();
        MessageData { from_ms, to_ms, nodes, messages }
    }
}

/// A metric's value as the panel prints it: whole numbers as such, rates with one decimal, and
/// fractions below 1 (a compression ratio, a slow rate) with two.
pub fn format_metric(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() < 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_name_is_one_the_engine_serialises_with_the_same_value() {
        let sample = MetricsSample {
            under_replicated_partitions: 2,
            isr_shrinks_per_sec: 0.5,
            records_lag_max: 7,
            rebalance_total: 3,
            request_total: 9,
            compression_rate_avg: 0.25,
            ..MetricsSample::default()
        };
        let map = match serde_json::to_value(sample) {
            Ok(serde_json::Value::Object(map)) => map,
            other => panic!("{other:?}"),
        };
        for name in METRIC_NAMES {
            assert_eq!(map.get(name).and_then(serde_json::Value::as_f64), sample.get(name), "{name}");
        }
        assert_eq!(map.len(), METRIC_NAMES.len() + 1, "at_ms and the metrics");
        assert_eq!(sample.get("NoSuchMetric"), None);
    }

    #[test]
    fn metric_values_print_whole_numbers_plainly() {
        assert_eq!(format_metric(3.0), "3");
        assert_eq!(format_metric(2.25), "2.2");
        assert_eq!(format_metric(0.234), "0.23");
        assert_eq!(format_metric(0.0), "0");
    }
}
