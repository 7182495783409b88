//! Consumer groups on the log: each group's committed offsets and its members' fetch positions
//! (markers on the leader's strip) with the lag between them and the high watermark, idle
//! members, the rebalance history for a swimlane, and the records processed twice. When the
//! coordinator is unavailable the last known state is shown. Built on demand, never stored.

use crate::cluster::World;
use crate::consumer::validation::DetectedTruncation;
use crate::delivery::ProcessedTwice;
use crate::group::history::GenerationHistory;
use crate::protocol::{IsolationLevel, TopicPartition};
use crate::sim::Millis;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Serialize)]
pub struct GroupLogView {
    pub group_id: String,
    /// The broker coordinating it now; None while no live coordinator has it loaded (then
    /// `committed` is the last known state, from the commits replicated before).
    pub coordinator: Option<i32>,
    /// The coordinator's group state (`Stable`, `PreparingRebalance`, …) when it has one.
    pub state: Option<std::borrow::Cow<'static, str>>,
    pub generation_id: i32,
    /// When the rebalance under way began.
    pub rebalancing_since_ms: Option<Millis>,
    pub committed: Vec<CommittedView>,
    pub members: Vec<MemberPositionsView>,
    /// The largest lag of any running member (the consumer's `records-lag-max`).
    pub records_lag_max: i64,
    /// The kept generations, oldest first.
    pub generations: Vec<GenerationHistory>,
    /// Offsets the application processed more than once, oldest first.
    pub processed_twice: Vec<ProcessedTwice>,
}

/// The group's committed offset of one partition, with the lag `high_watermark - offset`
/// (what `kafka-consumer-groups --describe` shows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommittedView {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// KIP-320: the leader epoch committed with the offset, when the coordinator serves the group
    /// and knows one.
    pub leader_epoch: Option<i32>,
    /// When the commit was replicated (None when only the coordinator's loaded state has it).
    pub at_ms: Option<Millis>,
    pub high_watermark: i64,
    pub lag: i64,
}

/// One consumer of the group and where it fetches.
#[derive(Debug, Clone, Serialize)]
pub struct MemberPositionsView {
    pub consumer: u32,
    pub name: String,
    pub member_id: String,
    pub running: bool,
    /// Running and owning no partition (more members than partitions, or between rebalances).
    pub idle: bool,
    pub positions: Vec<PositionView>,
}

/// A member's fetch position in one assigned partition; `lag` is Kafka's `records-lag`
/// (`SubscriptionState.partitionLag`): `high_watermark - position` for read_uncommitted,
/// `last_stable_offset - position` for read_committed, which cannot read past an open
/// transaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionView {
    pub topic: String,
    pub partition: i32,
    pub position: i64,
    pub high_watermark: i64,
    /// The LSO, for a read_committed member only.
    pub last_stable_offset: Option<i64>,
    pub lag: i64,
    /// KIP-320: the leader epoch of the record before the position, when the consumer knows it.
    pub offset_epoch: Option<i32>,
    /// KIP-320 `AWAIT_VALIDATION`: the leader changed and the position is being checked with
    /// OffsetsForLeaderEpoch; nothing is fetched meanwhile.
    pub validating: bool,
    /// The last log truncation this member detected on the partition.
    pub truncation: Option<DetectedTruncation>,
}

impl World {
    /// Every group any consumer, coordinator or fact has named, by id.
    pub fn group_logs(&self) -> Vec<GroupLogView> {
        let live = self.group_views();
        let ids: BTreeSet<String> = live
            .iter()
            .map(|g| g.group_id.clone())
            .chain(self.consumers().map(|c| c.group_id().to_string()))
            .chain(self.group_history().group_ids().map(str::to_string))
            .collect();
        ids.into_iter()
            .map(|id| {
                let coordinator = live.iter().find(|g| g.group_id == id);
                let mut committed: BTreeMap<TopicPartition, (i64, Option<i32>, Option<Millis>)> = self
                    .group_history()
                    .committed(&id)
                    .map(|(tp, c)| (tp.clone(), (c.offset, None, Some(c.at_ms))))
                    .collect();
                for o in coordinator.iter().flat_map(|g| &g.offsets) {
                    let tp = TopicPartition::new(&o.topic, o.partition);
                    let at = committed.get(&tp).filter(|(offset, ..)| *offset == o.committed_offset).and_then(|c| c.2);
                    let epoch = (o.committed_leader_epoch >= 0).then_some(o.committed_leader_epoch);
                    committed.insert(tp, (o.committed_offset, epoch, at));
                }
                let members: Vec<MemberPositionsView> = self
                    .consumers()
                    .filter(|c| c.group_id() == id)
                    .map(|c| {
                        let running = self.consumer_running(c.id);
                        MemberPositionsView {
                            consumer: c.id,
                            name: c.name.clone(),
                            member_id: c.member_id.clone(),
                            running,
                            idle: running && c.assignment.is_empty(),
                            positions: c
                                .positions
                                .iter()
                                .filter(|(tp, _)| c.assignment.contains(*tp))
                                .map(|(tp, position)| {
                                    let isolation = c.config.isolation_level;
                                    let last_stable_offset = (isolation == IsolationLevel::ReadCommitted)
                                        .then(|| self.last_stable_offset(tp));
                                    let high_watermark = self.high_watermark(tp);
                                    let epochs = c.position_epochs.get(tp).copied().unwrap_or_default();
                                    PositionView {
                                        topic: tp.topic.to_string(),
                                        partition: tp.partition,
                                        position: *position,
                                        high_watermark,
                                        last_stable_offset,
                                        lag: (self.lag_end(isolation, tp) - position).max(0),
                                        offset_epoch: epochs.offset_epoch,
                                        validating: epochs.awaiting_validation,
                                        truncation: c.detected_truncations.get(tp).copied(),
                                    }
                                })
                                .collect(),
                        }
                    })
                    .collect();
                let generations: Vec<GenerationHistory> = self.group_history().generations(&id).cloned().collect();
                GroupLogView {
                    coordinator: coordinator.map(|g| g.coordinator),
                    state: coordinator.map(|g| g.state.clone()),
                    generation_id: coordinator
                        .map(|g| g.generation_id)
                        .or_else(|| generations.last().map(|g| g.generation_id))
                        .unwrap_or(0),
                    rebalancing_since_ms: self.group_history().rebalancing_since(&id),
                    committed: committed
                        .into_iter()
                        .map(|(tp, (offset, leader_epoch, at_ms))| {
                            let high_watermark = self.high_watermark(&tp);
                            CommittedView {
                                topic: tp.topic.to_string(),
                                partition: tp.partition,
                                offset,
                                leader_epoch,
                                at_ms,
                                high_watermark,
                                lag: (high_watermark - offset).max(0),
                            }
                        })
                        .collect(),
                    records_lag_max: members
                        .iter()
                        .filter(|m| m.running)
                        .flat_map(|m| m.positions.iter().map(|p| p.lag))
                        .max()
                        .unwrap_or(0),
                    members,
                    generations,
                    processed_twice: self.delivery().processed_twice(&id).cloned().collect(),
                    group_id: id,
                }
            })
            .collect()
    }
}
