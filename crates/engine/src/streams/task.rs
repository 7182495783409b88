//! One active task of the aggregating sub-topology: its in-memory state store, its stream time
//! and its restoration from the changelog (Kafka's `StreamTask` with `KStreamWindowAggregate` or
//! `KStreamAggregate`, and the `StoreChangelogReader`'s work for it).
//!
//! The store is `Stores.inMemoryWindowStore` (or `inMemoryKeyValueStore`): nothing survives the
//! process, so a restarted instance, or one that takes the task over, restores the whole store
//! from the changelog before it processes a record.

use super::{Aggregate, Topology, Window};
use crate::narration::StreamsDropReason;
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use serde::Serialize;
use std::collections::BTreeMap;

/// A record as the task reads it from its input partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRecord {
    pub topic_partition: TopicPartition,
    pub offset: i64,
    pub timestamp: i64,
    pub key: Option<String>,
    pub value: Option<String>,
}

/// A store entry's key: the record key and, in a window store, the window's start.
pub type StoreKey = (String, Option<i64>);

/// `RESTORING` until the store caught up with the changelog, then `RUNNING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TaskState {
    /// Reading the changelog from `start_offset` to `end_offset` (its end when restoration began).
    Restoring {
        start_offset: i64,
        end_offset: i64,
        position: i64,
    },
    Running,
}

/// A record dropped for an expired window: where it was, its timestamp and its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DroppedRecord {
    pub offset: i64,
    pub timestamp: i64,
    pub window: Window,
}

/// What processing one record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// The store's entry for `key` (in `window`) is now `value`: a changelog record and a sink
    /// record follow.
    Updated { key: String, window: Option<(i64, i64)>, value: i64 },
    /// The record was not aggregated (into `window`, for an expired window).
    Dropped { reason: StreamsDropReason, window: Option<(i64, i64)>, stream_time: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AggregateTask {
    pub partition: i32,
    pub state: TaskState,
    pub store: BTreeMap<StoreKey, i64>,
    /// `observedStreamTime`: the largest record timestamp this task processed (-1: none yet).
    /// Kept in the processor's memory, so it starts again after a restart.
    pub stream_time: i64,
    /// The `dropped-records` metric of this task.
    pub dropped: u64,
    /// Changelog records restored into the store since the task was created.
    pub restored: u64,
    /// The last record dropped for an expired window.
    pub last_dropped: Option<DroppedRecord>,
    /// Records that arrived while the task was restoring (Streams pauses the partition; here
    /// they wait in the task's queue).
    #[serde(skip)]
    pub queued: Vec<InputRecord>,
    #[serde(skip)]
    pub next_restore_at: Millis,
}

impl AggregateTask {
    /// A new task whose store must be restored from changelog offsets `[start, end)`.
    pub fn new(partition: i32, start_offset: i64, end_offset: i64, now: Millis) -> Self {
        let state = if end_offset > start_offset {
            TaskState::Restoring { start_offset, end_offset, position: start_offset }
        } else {
            TaskState::Running
        };
        AggregateTask {
            partition,
            state,
            store: BTreeMap::new(),
            stream_time: -1,
            dropped: 0,
            restored: 0,
            last_dropped: None,
            queued: Vec::new(),
            next_restore_at: now,
        }
    }

    pub fn is_restoring(&self) -> bool {
        matches!(self.state, TaskState::Restoring { .. })
    }

    /// Applies changelog records (`StateRestoreCallback`): a tombstone deletes the entry.
    /// `next_offset` is where the next restore poll starts. Returns true once the store caught
    /// up with the end offset (then the task is running).
    pub fn restore(&mut self, records: &[(Option<String>, Option<String>)], next_offset: i64) -> bool {
        let TaskState::Restoring { end_offset, ref mut position, .. } = self.state else {
            return true;
        };
        for (key, value) in records {
            let Some(store_key) = key.as_deref().and_then(decode_store_key) else { continue };
            match value.as_deref().and_then(|v| v.parse::<i64>().ok()) {
                Some(v) => self.store.insert(store_key, v),
                None => self.store.remove(&store_key),
            };
            self.restored += 1;
        }
        *position = next_offset.max(*position);
        if *position >= end_offset {
            self.state = TaskState::Running;
            return true;
        }
        false
    }

    /// `KStreamWindowAggregateProcessor.process` (or `KStreamAggregateProcessor.process`):
    /// stream time moves to the record's timestamp if it is later; each window holding the record
    /// whose end is after `streamTime - grace` is updated, the others are expired and the record
    /// is dropped for them (`dropped-records`).
    pub fn process(&mut self, topology: &Topology, record: &InputRecord) -> Vec<Processed> {
        let Some(key) = record.key.clone() else {
            self.dropped += 1;
            return vec![Processed::Dropped {
                reason: StreamsDropReason::NullKey,
                window: None,
                stream_time: self.stream_time,
            }];
        };
        let add = match topology.aggregate {
            Aggregate::Count => 1,
            Aggregate::Sum => match record.value.as_deref().and_then(|v| v.trim().parse::<i64>().ok()) {
                Some(n) => n,
                None => {
                    self.dropped += 1;
                    return vec![Processed::Dropped {
                        reason: StreamsDropReason::NotANumber,
                        window: None,
                        stream_time: self.stream_time,
                    }];
                }
            },
        };
        self.stream_time = self.stream_time.max(record.timestamp);
        let Some(windows) = topology.windows else {
            let value = self.store.entry((key.clone(), None)).or_insert(0);
            *value += add;
            return vec![Processed::Updated { key, window: None, value: *value }];
        };
        let close_time = self.stream_time - windows.grace_ms;
        windows
            .windows_for(record.timestamp)
            .into_iter()
            .map(|(start, end)| {
                if end > close_time {
                    let value = self.store.entry((key.clone(), Some(start))).or_insert(0);
                    *value += add;
                    Processed::Updated { key: key.clone(), window: Some((start, end)), value: *value }
                } else {
                    self.dropped += 1;
                    self.last_dropped = Some(DroppedRecord {
                        offset: record.offset,
                        timestamp: record.timestamp,
                        window: (start, end),
                    });
                    Processed::Dropped {
                        reason: StreamsDropReason::ExpiredWindow,
                        window: Some((start, end)),
                        stream_time: self.stream_time,
                    }
                }
            })
            .collect()
    }
}

/// A store key as the changelog and the sink write it: the key, or a window store's
/// `Windowed.toString()`, `[key@start/end]`.
pub fn encode_store_key(key: &str, window: Option<(i64, i64)>) -> String {
    match window {
        None => key.to_string(),
        Some((start, end)) => format!("[{key}@{start}/{end}]"),
    }
}

/// The store key of a changelog record's key.
fn decode_store_key(text: &str) -> Option<StoreKey> {
    let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
        return Some((text.to_string(), None));
    };
    let (key, window) = inner.rsplit_once('@')?;
    let (start, _) = window.split_once('/')?;
    Some((key.to_string(), Some(start.parse().ok()?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::{GroupBy, TimeWindows};

    fn topology(windows: Option<TimeWindows>, aggregate: Aggregate) -> Topology {
        Topology {
            application_id: "app".into(),
            source: "in".into(),
            group_by: GroupBy::Key,
            aggregate,
            store: "s".into(),
            windows,
            sink: "out".into(),
        }
    }

    fn record(offset: i64, timestamp: i64, key: &str, value: &str) -> InputRecord {
        InputRecord {
            topic_partition: TopicPartition::new("in", 0),
            offset,
            timestamp,
            key: Some(key.into()),
            value: Some(value.into()),
        }
    }

    #[test]
    fn a_record_later_than_window_end_plus_grace_is_dropped() {
        let t = topology(Some(TimeWindows::new(10_000, 10_000, 2_000).unwrap()), Aggregate::Count);
        let mut task = AggregateTask::new(0, 0, 0, 0);
        task.process(&t, &record(0, 3_000, "a", "x"));
        task.process(&t, &record(1, 11_000, "a", "x"));
        // Stream time 11s, close time 9s: window [0, 10s) still open (end 10s > 9s).
        assert!(matches!(task.process(&t, &record(2, 4_000, "a", "x"))[0], Processed::Updated { value: 2, .. }));
        task.process(&t, &record(3, 12_500, "a", "x"));
        // Close time 10.5s: [0, 10s) is expired now.
        let out = task.process(&t, &record(4, 5_000, "a", "x"));
        assert_eq!(
            out,
            vec![Processed::Dropped {
                reason: StreamsDropReason::ExpiredWindow,
                window: Some((0, 10_000)),
                stream_time: 12_500
            }]
        );
        assert_eq!(task.dropped, 1);
        assert_eq!(task.store[&("a".to_string(), Some(0))], 2);
        assert_eq!(task.store[&("a".to_string(), Some(10_000))], 2);
    }

    #[test]
    fn restoration_replays_the_changelog_into_the_store() {
        let mut task = AggregateTask::new(0, 0, 3, 0);
        assert!(task.is_restoring());
        let changelog = [
            (Some("[a@0/10000]".to_string()), Some("1".to_string())),
            (Some("[a@0/10000]".to_string()), Some("2".to_string())),
        ];
        assert!(!task.restore(&changelog, 2));
        assert!(task.restore(&[(Some("b".to_string()), Some("7".to_string()))], 3));
        assert_eq!(task.state, TaskState::Running);
        assert_eq!(task.store[&("a".to_string(), Some(0))], 2);
        assert_eq!(task.store[&("b".to_string(), None)], 7);
    }

    #[test]
    fn sum_drops_a_value_that_is_not_a_number() {
        let t = topology(None, Aggregate::Sum);
        let mut task = AggregateTask::new(0, 0, 0, 0);
        task.process(&t, &record(0, 0, "a", "5"));
        assert!(matches!(task.process(&t, &record(1, 0, "a", "7"))[0], Processed::Updated { value: 12, .. }));
        assert!(matches!(
            task.process(&t, &record(2, 0, "a", "x"))[0],
            Processed::Dropped { reason: StreamsDropReason::NotANumber, .. }
        ));
    }
}
