//! What a question measures in the world once the scenario has run: a leader, an ISR, a high
//! watermark, who owns a partition, a number of the run's summary, or how many facts of a kind
//! happened. The engine's state decides the answer, never a stored string.

use crate::cluster::World;
use crate::protocol::TopicPartition;
use crate::scenario::{summary, FactPattern};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A measured value: a number, or a name (a consumer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Name(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Name(s) => write!(f, "{s}"),
        }
    }
}

/// A number of [`crate::scenario::Summary`], by its field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryField {
    RecordsAcked,
    RecordsFailed,
    AckedLost,
    DuplicatesInLog,
    DuplicatesProcessed,
    Skipped,
    LeaderlessPartitions,
    Rebalances,
}

impl SummaryField {
    pub const ALL: [(&'static str, SummaryField); 8] = [
        ("records_acked", SummaryField::RecordsAcked),
        ("records_failed", SummaryField::RecordsFailed),
        ("acked_lost", SummaryField::AckedLost),
        ("duplicates_in_log", SummaryField::DuplicatesInLog),
        ("duplicates_processed", SummaryField::DuplicatesProcessed),
        ("skipped", SummaryField::Skipped),
        ("leaderless_partitions", SummaryField::LeaderlessPartitions),
        ("rebalances", SummaryField::Rebalances),
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    fn read(self, world: &World) -> i64 {
        let s = summary(world);
        let n = match self {
            SummaryField::RecordsAcked => s.records_acked,
            SummaryField::RecordsFailed => s.records_failed,
            SummaryField::AckedLost => s.acked_lost,
            SummaryField::DuplicatesInLog => s.duplicates_in_log,
            SummaryField::DuplicatesProcessed => s.duplicates_processed,
            SummaryField::Skipped => s.skipped,
            SummaryField::LeaderlessPartitions => s.leaderless_partitions as u64,
            SummaryField::Rebalances => s.rebalances as u64,
        };
        i64::try_from(n).unwrap_or(i64::MAX)
    }
}

/// What a question reads from the world at its check time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measure {
    /// The partition's leader in the controller's metadata (-1: none).
    Leader { partition: TopicPartition },
    /// How many replicas the partition's ISR holds.
    IsrSize { partition: TopicPartition },
    /// The high watermark on the partition's leader (-1 without a leader).
    HighWatermark { partition: TopicPartition },
    /// The broker running the active controller (-1: none).
    Controller,
    /// The consumer of `group` that owns the partition now (`none` if nobody does).
    Owner { group: String, partition: TopicPartition },
    /// Running members of `group` that own no partition.
    IdleMembers { group: String },
    /// The partition whose leader's log holds records with this key (-1: none, -2: several).
    KeyPartition { topic: String, key: String },
    /// A number of the run's summary.
    Summary { field: SummaryField },
    /// How many facts match, between the question's ask and check times.
    Facts { pattern: FactPattern },
    /// One of Kafka's gauges now, by Kafka's name ([`METRIC_GAUGES`]).
    Metric { name: String },
}

/// The metrics a question may read: the whole-number gauges of [`crate::metrics::MetricsSample`].
pub const METRIC_GAUGES: [&str; 6] = [
    "UnderReplicatedPartitions",
    "UnderMinIsrPartitionCount",
    "OfflinePartitionsCount",
    "ActiveControllerCount",
    "records-lag-max",
    "rebalance-total",
];

impl Measure {
    /// The value now; None for [`Measure::Facts`], which the question counts while the run passes
    /// from its ask time to its check time.
    pub fn read(&self, world: &World) -> Option<Value> {
        Some(match self {
            Measure::Leader { partition } => Value::Int(registration(world, partition).map_or(-1, |r| r.0.into())),
            Measure::IsrSize { partition } => Value::Int(registration(world, partition).map_or(0, |r| r.1 as i64)),
            Measure::HighWatermark { partition } => {
                let leader = registration(world, partition).map_or(-1, |r| r.0);
                let hw = world.broker(leader).and_then(|b| b.durable.replicas.get(partition)).map(|r| r.high_watermark);
                Value::Int(hw.unwrap_or(-1))
            }
            Measure::Controller => Value::Int(world.active_controller().map_or(-1, i64::from)),
            Measure::Owner { group, partition } => Value::Name(
                world
                    .consumers()
                    .filter(|c| world.consumer_running(c.id) && c.group_id() == group)
                    .find(|c| c.assignment.contains(partition))
                    .map_or_else(|| "none".to_string(), |c| c.name.clone()),
            ),
            Measure::IdleMembers { group } => Value::Int(
                world
                    .consumers()
                    .filter(|c| world.consumer_running(c.id) && c.group_id() == group && c.assignment.is_empty())
                    .count() as i64,
            ),
            Measure::KeyPartition { topic, key } => Value::Int(key_partition(world, topic, key.as_bytes())),
            Measure::Summary { field } => Value::Int(field.read(world)),
            Measure::Facts { .. } => return None,
            Measure::Metric { name } => {
                let sample = serde_json::to_value(world.metrics_now()).unwrap_or_default();
                Value::Int(sample.get(name).and_then(serde_json::Value::as_i64).unwrap_or(0))
            }
        })
    }
}

/// The partition's (leader, ISR size) in the controller's metadata.
fn registration(world: &World, partition: &TopicPartition) -> Option<(i32, usize)> {
    world.metadata().partitions().find(|(tp, _)| tp == partition).map(|(_, r)| (r.leader, r.isr.len()))
}

/// The partition of `topic` whose leader's log holds records keyed `key`.
fn key_partition(world: &World, topic: &str, key: &[u8]) -> i64 {
    let mut found = Vec::new();
    for (tp, r) in world.metadata().partitions().filter(|(tp, _)| tp.topic == topic) {
        let Some(replica) = world.broker(r.leader).and_then(|b| b.durable.replicas.get(&tp)) else { continue };
        let holds = replica.log.batches().any(|s| s.batch.records.iter().any(|x| x.record.key.as_deref() == Some(key)));
        if holds {
            found.push(tp.partition);
        }
    }
    match found.as_slice() {
        [] => -1,
        [one] => i64::from(*one),
        _ => -2,
    }
}
