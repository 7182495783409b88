//! Kafka Streams applications as the picture draws them: the topology with its internal topics,
//! and per instance its tasks, each task's state (restoring or running), stream time, dropped
//! records and store contents.

use crate::cluster::World;
use crate::streams::task::{DroppedRecord, TaskState};
use crate::streams::{Aggregate, GroupBy, TimeWindows, Window};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StreamsAppView {
    pub application_id: String,
    pub source: String,
    pub group_by: GroupBy,
    pub repartition_topic: Option<String>,
    pub aggregate: Aggregate,
    pub windows: Option<TimeWindows>,
    pub store: String,
    pub changelog_topic: String,
    pub sink: String,
    pub instances: Vec<StreamsInstanceView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StreamsInstanceView {
    pub name: String,
    pub running: bool,
    pub tasks: Vec<StreamsTaskView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StreamsTaskView {
    /// `1_0`: sub-topology and partition.
    pub task: String,
    pub state: TaskState,
    /// -1 before the first record.
    pub stream_time: i64,
    pub dropped: u64,
    pub restored: u64,
    /// The last record dropped for an expired window.
    pub last_dropped: Option<DroppedRecord>,
    /// The store's entries in key order.
    pub entries: Vec<StoreEntryView>,
}

/// One entry of a store: a key (in a window) and its aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StoreEntryView {
    pub key: String,
    pub window: Option<Window>,
    pub value: i64,
}

impl World {
    pub fn streams_views(&self) -> Vec<StreamsAppView> {
        self.streams_apps()
            .map(|app| {
                let t = &app.topology;
                let size = t.windows.map_or(0, |w| w.size_ms);
                StreamsAppView {
                    application_id: t.application_id.clone(),
                    source: t.source.clone(),
                    group_by: t.group_by,
                    repartition_topic: t.repartition_topic(),
                    aggregate: t.aggregate,
                    windows: t.windows,
                    store: t.store.clone(),
                    changelog_topic: t.changelog_topic(),
                    sink: t.sink.clone(),
                    instances: app
                        .instances
                        .iter()
                        .map(|i| StreamsInstanceView {
                            name: i.name.clone(),
                            running: self.consumer_running(i.consumer) && self.producer_running(i.producer),
                            tasks: i
                                .tasks
                                .values()
                                .map(|task| StreamsTaskView {
                                    task: t.task_id(task.partition),
                                    state: task.state,
                                    stream_time: task.stream_time,
                                    dropped: task.dropped,
                                    restored: task.restored,
                                    last_dropped: task.last_dropped,
                                    entries: task
                                        .store
                                        .iter()
                                        .map(|((key, start), value)| StoreEntryView {
                                            key: key.clone(),
                                            window: start.map(|s| (s, s + size)),
                                            value: *value,
                                        })
                                        .collect(),
                                })
                                .collect(),
                        })
                        .collect(),
                }
            })
            .collect()
    }
}
