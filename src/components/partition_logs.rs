//! The partition-centred main view: per partition one strip per replica, aligned by offset. The
//! newest offsets are cells (coloured by key, grouped by batch, segment starts and leader-epoch
//! stretches marked), older ones one scaled bar; the partition's HW is a line across its strips
//! with the part above it shaded, each replica's LEO a marker, lost and duplicated records marked,
//! and each group's committed offset and its members' positions drawn on the leader's strip.

use yew::prelude::*;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use kafkalab_engine::delivery::LostRecords;
use kafkalab_engine::group::share::partition::RecordState;
use kafkalab_engine::log::CompressionType;
use kafkalab_engine::view::group_log::{CommittedView, GroupLogView, PositionView};
use kafkalab_engine::view::log::{BatchView, OffsetState, PartitionLogView, ReplicaLogView, TxnOutcome};
use kafkalab_engine::view::share_log::SharePartitionView;
use kafkalab_engine::view::ReplicaRole;

use super::form::select_value;
use crate::hooks::use_visible_keys;
use crate::i18n::{fill, t, Key, Lang};
use crate::logs::{LogData, Shared, NEWEST_CELLS};
use crate::state::AppAction;

#[derive(Properties, PartialEq)]
pub struct PartitionLogsProps {
    pub lang: Lang,
    pub data: Shared<LogData>,
    pub groups: Shared<Vec<GroupLogView>>,
    pub topic: Option<String>,
    /// While playing, partitions scrolled out of sight keep what they last drew.
    pub playing: bool,
    pub on_action: Callback<AppAction>,
}

/// Slots on a strip's cell area: every partition's cells have the same width.
const SLOTS: i64 = NEWEST_CELLS as i64 + 1;

/// The offsets a partition's strips show as cells: runs of offsets, one slot each, with one slot
/// for the gap between two runs. Each replica's newest offsets (up to its LEO, the next offset to
/// write) make a run, so an old leader holding records the new leader never had stays visible
/// next to it; overlapping runs merge.
#[derive(Debug, Clone, PartialEq)]
struct Axis {
    /// `(first offset, last offset, first slot)`, in offset order.
    runs: Vec<(i64, i64, i64)>,
}

impl Axis {
    /// The axis of `p`, with cells also for `processed_twice`, the ranges a group processed again,
    /// and for the first record of the open transaction that holds the LSO below the HW (the
    /// record read_committed consumers wait for, however old it is).
    fn of(p: &PartitionLogView, processed_twice: &[(i64, i64)]) -> Self {
        let replicas: Vec<(i64, i64)> = p.replicas.iter().map(|r| (r.log_start_offset, r.log_end_offset)).collect();
        let log_start = replicas.iter().map(|r| r.0).min().unwrap_or(0);
        let marked: Vec<(i64, i64)> = p
            .lost
            .iter()
            .map(|l| (l.first_offset, l.last_offset))
            .chain(p.duplicates.iter().flat_map(|d| {
                let n = d.count as i64 - 1;
                [(d.original_offset, d.original_offset + n), (d.duplicate_offset, d.duplicate_offset + n)]
            }))
            .chain(processed_twice.iter().copied())
            .chain(
                (p.last_stable_offset >= 0 && p.last_stable_offset < p.high_watermark)
                    .then_some((p.last_stable_offset, p.last_stable_offset)),
            )
            .filter(|m| m.1 >= log_start)
            .collect();
        Axis::over(&replicas, &merge_ranges(marked))
    }

    /// The axis over replicas' `(log start, LEO)` and the newest offsets of `marked` ranges (lost or
    /// duplicated records, shown even when older than the newest cells).
    fn over(replicas: &[(i64, i64)], marked: &[(i64, i64)]) -> Self {
        let mut per_replica = SLOTS - 1;
        loop {
            let mut ends: Vec<(i64, i64)> = replicas
                .iter()
                .map(|&(log_start, leo)| ((leo - per_replica).max(log_start).max(0), leo.max(0)))
                .chain(marked.iter().map(|&(first, last)| ((last - per_replica / 2).max(first).max(0), last.max(0))))
                .collect();
            ends.sort_unstable();
            let mut runs: Vec<(i64, i64, i64)> = Vec::new();
            for (from, to) in ends {
                match runs.last_mut() {
                    // A gap of one offset costs as much as its gap slot: draw it.
                    Some(last) if from <= last.1 + 2 => last.1 = last.1.max(to),
                    _ => runs.push((from, to, 0)),
                }
            }
            let mut slot = 0;
            for run in &mut runs {
                run.2 = slot;
                slot += run.1 - run.0 + 2;
            }
            if slot - 1 <= SLOTS || per_replica <= 2 {
                return Axis { runs };
            }
            per_replica = ((SLOTS - 1) / runs.len() as i64 - 1).min(per_replica - 1);
        }
    }

    /// The first offset drawn as a cell.
    fn start(&self) -> i64 {
        self.runs.first().map_or(0, |r| r.0)
    }

    /// The slot of offset `o`: its own in a run, the gap's slot between runs, clamped at the ends.
    fn slot(&self, o: i64) -> i64 {
        let mut at = 0;
        for &(from, to, base) in &self.runs {
            if o < from {
                return at;
            }
            if o <= to {
                return base + o - from;
            }
            at = base + to - from + 1;
        }
        at.min(SLOTS)
    }

    /// Whether `o` has a cell of its own.
    fn shows(&self, o: i64) -> bool {
        self.runs.iter().any(|&(from, to, _)| (from..=to).contains(&o))
    }

    /// The gaps' slots and the offsets each hides.
    fn gaps(&self) -> impl Iterator<Item = (i64, i64, i64)> + '_ {
        self.runs.windows(2).map(|w| (w[0].2 + w[0].1 - w[0].0 + 1, w[0].1 + 1, w[1].0 - 1))
    }
}

/// Ranges `(first, last)` with touching or overlapping ones merged, in order: contiguous lost
/// ranges (one per epoch per second) make one run of cells, not one each.
fn merge_ranges(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (first, last) in ranges {
        match merged.last_mut() {
            Some(m) if first <= m.1 + 1 => m.1 = m.1.max(last),
            _ => merged.push((first, last)),
        }
    }
    merged
}

/// Where slot `slot` begins on a strip: after the label and the older bar, in `SLOTS` equal slots
/// (the right margin keeps room for the LEO label).
fn at_slot(slot: i64) -> String {
    format!("left:calc(var(--strip-lead) + (100% - var(--strip-lead) - var(--strip-tail)) * {slot} / {SLOTS})")
}

fn slots_span(from: i64, to: i64) -> String {
    format!(
        "{};width:calc((100% - var(--strip-lead) - var(--strip-tail)) * {} / {SLOTS})",
        at_slot(from),
        (to - from).max(0)
    )
}

/// Offsets `[from, to)` on the axis.
fn span(axis: &Axis, from: i64, to: i64) -> String {
    slots_span(axis.slot(from), axis.slot(to))
}

fn state_name(s: OffsetState) -> &'static str {
    match s {
        OffsetState::Committed => "committed",
        OffsetState::Uncommitted => "uncommitted",
        OffsetState::Lost => "lost",
        OffsetState::Duplicate => "duplicate",
    }
}

/// The key's colour class (8 hues); a null key is grey.
fn key_class(key_hash: Option<u32>) -> String {
    key_hash.map_or_else(|| "key-null".to_string(), |h| format!("key-{}", h % 8))
}

fn batch_cells(lang: Lang, id: &str, b: &BatchView, axis: &Axis) -> Html {
    let title = fill(
        t(lang, Key::BatchTitle),
        &[
            &b.base_offset.to_string(),
            &b.last_offset.to_string(),
            &b.leader_epoch.to_string(),
            &b.size_bytes.to_string(),
        ],
    );
    let pid = b.producer_id.to_string();
    let (txn, txn_title) = match (b.marker, b.transaction) {
        (Some(TxnOutcome::Committed), _) => {
            (Some("marker-commit"), Some(fill(t(lang, Key::MarkerCommitTitle), &[&pid])))
        }
        (Some(_), _) => (Some("marker-abort"), Some(fill(t(lang, Key::MarkerAbortTitle), &[&pid]))),
        (None, Some(TxnOutcome::Open)) => (Some("open"), Some(fill(t(lang, Key::TxnOpenTitle), &[&pid]))),
        (None, Some(TxnOutcome::Committed)) => {
            (Some("committed"), Some(fill(t(lang, Key::TxnCommittedTitle), &[&pid])))
        }
        (None, Some(TxnOutcome::Aborted)) => (Some("aborted"), Some(fill(t(lang, Key::TxnAbortedTitle), &[&pid]))),
        (None, None) => (None, None),
    };
    let title = match &txn_title {
        Some(txn) => format!("{txn} · {title}"),
        None => title,
    };
    let codec = b.compression.name();
    let compressed = b.compression != CompressionType::None;
    let title = if compressed {
        let percent = (u64::from(b.size_bytes) * 100 / u64::from(b.uncompressed_size_bytes.max(1))).to_string();
        let sizes = [codec, &b.size_bytes.to_string(), &b.uncompressed_size_bytes.to_string(), &percent];
        format!("{title} · {}", fill(t(lang, Key::BatchCompressedTitle), &sizes))
    } else {
        title
    };
    html! {
        { for b.records.iter().filter(|r| axis.shows(r.offset)).map(|r| {
            let state = state_name(r.state);
            let edges = classes!(
                (r.offset == b.base_offset || !axis.shows(r.offset - 1)).then_some("batch-first"),
                (r.offset == b.last_offset || !axis.shows(r.offset + 1)).then_some("batch-last"),
            );
            let slot = axis.slot(r.offset);
            html! {
                <span class={classes!("log-cell", key_class(r.key_hash), format!("cell-{state}"), edges, txn.map(|x| format!("txn-{x}")), compressed.then_some("cell-compressed"))}
                    style={slots_span(slot, slot + 1)} title={format!("#{} · {title}", r.offset)}
                    data-testid={format!("offset-{id}-{}", r.offset)} data-state={state} data-txn={txn}
                    data-codec={compressed.then_some(codec)}>
                    { match txn {
                        Some("marker-commit") => "C".to_string(),
                        Some("marker-abort") => "A".to_string(),
                        _ => r.offset.to_string(),
                    } }
                </span>
            }
        }) }
    }
}

fn strip(lang: Lang, p: &PartitionLogView, r: &ReplicaLogView, axis: &Axis) -> Html {
    let start = axis.start();
    let id = format!("{}-{}-{}", p.topic, p.partition, r.broker);
    let leader = r.role == ReplicaRole::Leader;
    let role = if leader { t(lang, Key::Leader) } else { t(lang, Key::Follower) };
    let status = if !r.alive {
        Some(t(lang, Key::StateDead))
    } else if p.elr.contains(&r.broker) {
        Some(t(lang, Key::InElr))
    } else if !r.in_isr {
        Some(t(lang, Key::OutOfIsr))
    } else {
        None
    };
    // The older bar: [0, start) scaled, the part this replica holds filled.
    let held_to = r.log_end_offset.min(start);
    let older_title = fill(t(lang, Key::OlderTitle), &[&r.log_start_offset.to_string(), &start.to_string()]);
    let (fill_left, fill_width) = if start > 0 && held_to > r.log_start_offset {
        (r.log_start_offset * 100 / start, ((held_to - r.log_start_offset) * 100 / start).max(1))
    } else {
        (0, 0)
    };
    // Leader-epoch stretches within the cells, as a band under them.
    let epochs: Vec<(i32, i64, i64)> = r
        .epochs
        .iter()
        .enumerate()
        .map(|(i, (e, from))| (*e, *from, r.epochs.get(i + 1).map_or(r.log_end_offset, |n| n.1)))
        .filter(|(_, from, to)| *to > start && to > from)
        .collect();
    let moving = if p.adding_replicas.contains(&r.broker) {
        Some(("adding", t(lang, Key::ReplicaAdding)))
    } else if p.removing_replicas.contains(&r.broker) {
        Some(("removing", t(lang, Key::ReplicaRemoving)))
    } else {
        None
    };
    html! {
        <div class={classes!("log-strip", leader.then_some("strip-leader"), (!r.alive).then_some("strip-dead"), moving.map(|(m, _)| format!("strip-{m}")))}
            data-testid={format!("log-{id}")} data-leo={r.log_end_offset.to_string()} data-reassign={moving.map(|(m, _)| m)}
            data-hw={r.high_watermark.to_string()} data-log-start={r.log_start_offset.to_string()}>
            <span class="strip-label">
                <strong>{ fill(t(lang, Key::BrokerName), &[&r.broker.to_string()]) }</strong>
                { " " }{ role }
                if let Some(s) = status { { " · " }<em>{ s }</em> }
                if let Some((m, label)) = moving { { " · " }<em class={format!("move-{m}-label")}>{ label }</em> }
            </span>
            <span class="strip-older" title={older_title.clone()} aria-label={older_title}>
                <span class="older-fill" style={format!("left:{fill_left}%;width:{fill_width}%")}></span>
                <span class="older-text">{ if start > 0 { format!("{}…{}", r.log_start_offset, start - 1) } else { "·".into() } }</span>
            </span>
            { for epochs.iter().map(|(e, from, to)| html! {
                <span class={classes!("epoch-band", format!("epoch-{}", e.rem_euclid(4)))} style={span(axis, *from, *to)}
                    title={fill(t(lang, Key::EpochLabel), &[&e.to_string()])}>
                    if *from >= start { <span class="epoch-text">{ fill(t(lang, Key::EpochLabel), &[&e.to_string()]) }</span> }
                </span>
            }) }
            { for r.batches.iter().map(|b| batch_cells(lang, &id, b, axis)) }
            { for r.segment_base_offsets.iter().filter(|s| **s > start && axis.shows(**s)).map(|s| html! {
                <span class="segment-start" style={at_slot(axis.slot(*s))} title={fill(t(lang, Key::SegmentStart), &[&s.to_string()])}></span>
            }) }
            <span class="leo-mark" style={at_slot(axis.slot(r.log_end_offset))}>{ fill(t(lang, Key::LeoMark), &[&r.log_end_offset.to_string()]) }</span>
        </div>
    }
}

/// One group's marks on one partition: its committed offset, its members' positions and the
/// ranges a member processed twice, with the members' names.
#[derive(Debug, PartialEq)]
struct GroupRow {
    group_id: String,
    committed: Option<CommittedView>,
    /// `(member, running, position)`.
    positions: Vec<(String, bool, PositionView)>,
    /// `(member, first, last, at_ms)`.
    twice: Vec<(String, i64, i64, u64)>,
}

impl GroupRow {
    /// The marks of `g` on `topic`-`partition`, or None when it has none there.
    fn of(g: &GroupLogView, topic: &str, partition: i32) -> Option<Self> {
        let committed = g.committed.iter().find(|c| c.topic == topic && c.partition == partition).cloned();
        let positions: Vec<_> = g
            .members
            .iter()
            .flat_map(|m| {
                m.positions
                    .iter()
                    .filter(|q| q.topic == topic && q.partition == partition)
                    .map(move |q| (m.name.clone(), m.running, q.clone()))
            })
            .collect();
        let member = |consumer: u32| {
            g.members.iter().find(|m| m.consumer == consumer).map_or_else(|| consumer.to_string(), |m| m.name.clone())
        };
        let twice: Vec<_> = g
            .processed_twice
            .iter()
            .filter(|d| d.topic_partition.topic == topic && d.topic_partition.partition == partition)
            .map(|d| (member(d.consumer), d.first_offset, d.last_offset, d.at_ms))
            .collect();
        (committed.is_some() || !positions.is_empty() || !twice.is_empty()).then(|| GroupRow {
            group_id: g.group_id.clone(),
            committed,
            positions,
            twice,
        })
    }
}

/// One group's markers on the leader's strip of `p`.
fn group_row(lang: Lang, g: &GroupRow, p: &PartitionLogView, axis: &Axis) -> Html {
    let twice: Vec<_> = g.twice.iter().filter(|d| d.2 >= axis.start()).collect();
    let committed = g.committed.as_ref();
    let lag = committed.map(|c| c.lag).or_else(|| g.positions.first().map(|(_, _, q)| q.lag)).unwrap_or(0);
    // A marker's label runs right of its offset, or left of it in the strip's right half (so it
    // never leaves the strip or covers the lag).
    let at = |o: i64| {
        let slot = axis.slot(o);
        if slot > SLOTS / 2 {
            format!("{};transform:translateX(-100%)", at_slot(slot + 1))
        } else {
            at_slot(slot)
        }
    };
    let arrow = |o: i64, down: bool, text: &str| {
        let glyph = if down { "▼" } else { "▲" };
        if axis.slot(o) > SLOTS / 2 {
            format!("{text} {glyph}")
        } else {
            format!("{glyph} {text}")
        }
    };
    html! {
        <div class="log-strip group-row" data-group={g.group_id.clone()}>
            <span class="strip-label">
                { fill(t(lang, Key::GroupOnLog), &[&g.group_id]) }
                <span class="lag-number" data-testid={format!("lag-on-log-{}-{}-{}", g.group_id, p.topic, p.partition)}
                    data-lag={lag.to_string()}>{ fill(t(lang, Key::LagShort), &[&lag.to_string()]) }</span>
            </span>
            { for twice.iter().map(|(member, first, last, at_ms)| {
                let title = fill(t(lang, Key::ProcessedTwiceTitle), &[&first.to_string(), &last.to_string(), member, &at_ms.to_string()]);
                html! {
                    <span class="twice-range" style={span(axis, *first, last + 1)}
                        data-testid={format!("processed-twice-{}-{}-{}-{first}", g.group_id, p.topic, p.partition)}
                        data-first={first.to_string()} data-last={last.to_string()}
                        title={title.clone()} aria-label={title}>{ "×2" }</span>
                }
            }) }
            { for g.positions.iter().map(|(name, running, q)| {
                let (title, label) = if q.validating {
                    let label = format!("{name} ⟳ {}", t(lang, Key::ValidatingShort));
                    (fill(t(lang, Key::PositionValidating), &[name, &q.position.to_string()]), label)
                } else {
                    (fill(t(lang, Key::PositionMark), &[name, &q.position.to_string(), &q.lag.to_string()]), name.clone())
                };
                html! {
                    <span class={classes!("position-mark", (!running).then_some("member-stopped"), q.validating.then_some("validating"))}
                        data-testid={format!("position-{}-{}-{}", name, p.topic, p.partition)}
                        data-offset={q.position.to_string()} data-validating={q.validating.to_string()}
                        data-offset-epoch={q.offset_epoch.map_or_else(String::new, |e| e.to_string())}
                        style={at(q.position)} title={title}>
                        { arrow(q.position, true, &label) }
                    </span>
                }
            }) }
            { for g.positions.iter().filter_map(|(name, _, q)| q.truncation.map(|d| (name, d))).map(|(name, d)| {
                let title = fill(t(lang, Key::TruncationTitle), &[name, &d.position.to_string(), &d.end_offset.to_string(), &d.at_ms.to_string()]);
                html! {
                    <span class="truncation-mark" data-testid={format!("truncation-{}-{}-{}", name, p.topic, p.partition)}
                        data-position={d.position.to_string()} data-end-offset={d.end_offset.to_string()}
                        style={at(d.end_offset.max(0))} title={title.clone()} aria-label={title}>
                        { format!("✂ {}", fill(t(lang, Key::TruncationShort), &[&d.position.to_string(), &d.end_offset.to_string()])) }
                    </span>
                }
            }) }
            if let Some(c) = committed {
                <span class="committed-mark" data-testid={format!("committed-{}-{}-{}", g.group_id, p.topic, p.partition)}
                    data-offset={c.offset.to_string()} style={at(c.offset)}
                    data-leader-epoch={c.leader_epoch.map_or_else(String::new, |e| e.to_string())}
                    title={match c.leader_epoch {
                        Some(e) => fill(t(lang, Key::CommittedEpochMark), &[&g.group_id, &c.offset.to_string(), &c.lag.to_string(), &e.to_string()]),
                        None => fill(t(lang, Key::CommittedMark), &[&g.group_id, &c.offset.to_string(), &c.lag.to_string()]),
                    }}>
                    { arrow(c.offset, false, &fill(t(lang, Key::CommittedShort), &[&c.offset.to_string()])) }
                </span>
            }
        </div>
    }
}

/// Lost ranges as one line each: contiguous runs lost at the same time merge.
#[derive(Debug, PartialEq)]
struct LostRun {
    first: i64,
    last: i64,
    acked_from: u64,
    acked_to: u64,
    lost_at: u64,
}

fn merged_lost(lost: &[LostRecords]) -> Vec<LostRun> {
    let mut runs: Vec<LostRun> = Vec::new();
    for l in lost {
        match runs.last_mut() {
            Some(r) if r.lost_at == l.lost_at_ms && l.first_offset <= r.last + 1 && l.last_offset >= r.first => {
                r.last = r.last.max(l.last_offset);
                r.acked_from = r.acked_from.min(l.acked_at_ms);
                r.acked_to = r.acked_to.max(l.acked_at_ms);
            }
            _ => runs.push(LostRun {
                first: l.first_offset,
                last: l.last_offset,
                acked_from: l.acked_at_ms,
                acked_to: l.acked_at_ms,
                lost_at: l.lost_at_ms,
            }),
        }
    }
    runs
}

#[derive(Properties, PartialEq)]
struct PartitionLogProps {
    lang: Lang,
    partition: Rc<PartitionLogView>,
    groups: Rc<Vec<GroupRow>>,
    /// The share groups' share partitions of this partition.
    shares: Rc<Vec<SharePartitionView>>,
}

fn share_state_key(state: RecordState) -> Key {
    match state {
        RecordState::Available => Key::ShareStateAvailable,
        RecordState::Acquired => Key::ShareStateAcquired,
        RecordState::Acknowledged => Key::ShareStateAcknowledged,
        RecordState::Archived => Key::ShareStateArchived,
    }
}

fn share_state_name(state: RecordState) -> &'static str {
    match state {
        RecordState::Available => "available",
        RecordState::Acquired => "acquired",
        RecordState::Acknowledged => "acknowledged",
        RecordState::Archived => "archived",
    }
}

/// A share group's share partition: its SPSO and SPEO, then each in-flight record with its
/// state and delivery count (the holder in its title).
fn share_row(lang: Lang, s: &SharePartitionView) -> Html {
    let id = format!("{}-{}-{}", s.group_id, s.topic, s.partition);
    html! {
        <div class="share-row" data-testid={format!("share-{id}")}
            data-spso={s.start_offset.to_string()} data-speo={s.end_offset.to_string()}>
            <span class="share-label">{ fill(t(lang, Key::ShareRowLabel), &[&s.group_id, &s.start_offset.to_string(), &s.end_offset.to_string()]) }</span>
            <span class="share-cells">
                if s.records.is_empty() { <span class="hint">{ t(lang, Key::ShareNoInFlight) }</span> }
                { for s.records.iter().map(|r| {
                    let held = r.holder.as_ref().map(|h| fill(t(lang, Key::ShareHeldBy), &[h])).unwrap_or_default();
                    let title = fill(t(lang, Key::ShareRecordTitle), &[&r.offset.to_string(), t(lang, share_state_key(r.state)), &r.delivery_count.to_string(), &held]);
                    let state = share_state_name(r.state);
                    html! {
                        <span class={classes!("share-cell", format!("share-{state}"))}
                            data-testid={format!("share-record-{id}-{}", r.offset)} data-state={state}
                            data-delivery-count={r.delivery_count.to_string()} title={title.clone()} aria-label={title}>
                            { r.delivery_count }
                        </span>
                    }
                }) }
            </span>
        </div>
    }
}

/// One partition's strips and its groups' rows: drawn again only when they changed.
#[function_component(PartitionLog)]
fn partition_log(props: &PartitionLogProps) -> Html {
    let (lang, p, groups, shares) = (props.lang, &*props.partition, &*props.groups, &*props.shares);
    let processed_twice: Vec<(i64, i64)> = groups.iter().flat_map(|g| &g.twice).map(|d| (d.1, d.2)).collect();
    let axis = Axis::of(p, &merge_ranges(processed_twice));
    let start = axis.start();
    let leader = if p.leader < 0 {
        t(lang, Key::NoLeader).to_string()
    } else {
        fill(t(lang, Key::BrokerName), &[&p.leader.to_string()])
    };
    let title = fill(
        t(lang, Key::PartitionTitle),
        &[&format!("{}-{}", p.topic, p.partition), &leader, &p.leader_epoch.to_string()],
    );
    let hw = p.high_watermark.max(0);
    // Shaded above the HW: the records some replica holds that are not committed yet.
    let leo = p.replicas.iter().map(|r| r.log_end_offset).max().unwrap_or(0);
    // The LSO is drawn only where it differs from the HW: an open transaction holds it back.
    let lso = (p.last_stable_offset >= 0 && p.last_stable_offset < p.high_watermark).then_some(p.last_stable_offset);
    html! {
        <section class="log-partition" data-key={partition_key(p)} data-testid={format!("partition-log-{}-{}", p.topic, p.partition)}
            data-hw={p.high_watermark.to_string()} data-lso={p.last_stable_offset.to_string()}>
            <h3 class="partition-title">{ title }</h3>
            <div class="log-rows">
                <span class="above-hw" style={slots_span(axis.slot(hw), axis.slot(leo))}></span>
                <span class="hw-line" style={at_slot(axis.slot(hw))}>
                    <span class="hw-text">{ fill(t(lang, Key::HwMark), &[&p.high_watermark.to_string()]) }</span>
                </span>
                if let Some(lso) = lso {
                    <span class="lso-line" style={at_slot(axis.slot(lso))} data-testid={format!("lso-{}-{}", p.topic, p.partition)}
                        title={fill(t(lang, Key::LsoTitle), &[&lso.to_string()])}>
                        <span class="lso-text">{ fill(t(lang, Key::LsoMark), &[&lso.to_string()]) }</span>
                    </span>
                }
                { for p.lost.iter().filter(|l| l.last_offset >= start).map(|l| {
                    let title = fill(t(lang, Key::LostTitle), &[&l.first_offset.to_string(), &l.last_offset.to_string(), &l.acked_at_ms.to_string(), &l.lost_at_ms.to_string()]);
                    html! { <span class="lost-range" style={span(&axis, l.first_offset, l.last_offset + 1)} title={title.clone()} aria-label={title}></span> }
                }) }
                { for axis.gaps().map(|(slot, from, to)| html! {
                    <span class="axis-gap" style={slots_span(slot, slot + 1)}
                        title={fill(t(lang, Key::GapTitle), &[&from.to_string(), &to.to_string()])}>{ "⋯" }</span>
                }) }
                { for p.replicas.iter().map(|r| html! {
                    <>
                        { strip(lang, p, r, &axis) }
                        if r.role == ReplicaRole::Leader {
                            { for groups.iter().map(|g| group_row(lang, g, p, &axis)) }
                        }
                    </>
                }) }
            </div>
            { for shares.iter().map(|s| share_row(lang, s)) }
            if !p.lost.is_empty() || !p.duplicates.is_empty() {
                <ul class="log-notes">
                    { for merged_lost(&p.lost).iter().rev().take(3).map(|l| html! {
                        <li class="note-lost">{ fill(t(lang, Key::LostNote), &[&l.first.to_string(), &l.last.to_string(), &(l.last - l.first + 1).to_string(), &l.acked_from.to_string(), &l.acked_to.to_string(), &l.lost_at.to_string()]) }</li>
                    }) }
                    { for p.duplicates.iter().rev().take(3).map(|d| html! {
                        <li class="note-duplicate">{ fill(t(lang, Key::DuplicateTitle), &[&d.duplicate_offset.to_string(), &d.original_offset.to_string(), &d.count.to_string(), &d.at_ms.to_string()]) }</li>
                    }) }
                </ul>
            }
        </section>
    }
}

/// `topic-partition`: the key of a partition's component and of the visibility observer.
/// What a partition last drew: kept while it is out of sight during play.
type Drawn = (Rc<PartitionLogView>, Rc<Vec<GroupRow>>, Rc<Vec<SharePartitionView>>);

fn partition_key(p: &PartitionLogView) -> String {
    format!("{}-{}", p.topic, p.partition)
}

#[function_component(PartitionLogs)]
pub fn partition_logs(props: &PartitionLogsProps) -> Html {
    let lang = props.lang;
    let data = &props.data.0;
    let topics = data.topics.clone();
    let on_topic = {
        let topics = topics.clone();
        props.on_action.reform(move |e: Event| {
            AppAction::LogTopic(select_value(&e).parse::<usize>().ok().and_then(|i| topics.get(i).cloned()))
        })
    };
    let container = use_node_ref();
    let keys: Vec<String> = data.partitions.iter().map(|p| partition_key(p)).collect();
    let visible = use_visible_keys(container.clone(), ".log-partition", keys.clone());
    let drawn = use_mut_ref(BTreeMap::<String, Drawn>::new);
    let mut drawn = drawn.borrow_mut();
    let shown: BTreeSet<&String> = keys.iter().collect();
    drawn.retain(|key, _| shown.contains(key));
    let idle: Vec<(String, String)> = props
        .groups
        .0
        .iter()
        .flat_map(|g| g.members.iter().filter(|m| m.idle).map(move |m| (g.group_id.clone(), m.name.clone())))
        .collect();
    // Compressed batches and transactions get a legend line only where the log shows some.
    let compressed = data
        .partitions
        .iter()
        .any(|p| p.replicas.iter().any(|r| r.batches.iter().any(|b| b.compression != CompressionType::None)));
    let transactional = data
        .partitions
        .iter()
        .any(|p| p.replicas.iter().any(|r| r.batches.iter().any(|b| b.transaction.is_some() || b.marker.is_some())));
    html! {
        <section class="log-view-main" data-testid="log-view" aria-labelledby="log-view-heading">
            <div class="log-view-bar">
                <h2 id="log-view-heading">{ t(lang, Key::LogViewHeading) }</h2>
                <label class="log-topic">
                    { t(lang, Key::TopicFilter) }{ " " }
                    <select data-testid="log-topic" onchange={on_topic}>
                        <option value="" selected={props.topic.is_none()}>{ t(lang, Key::AllTopics) }</option>
                        { for topics.iter().enumerate().map(|(i, name)| html! {
                            <option value={i.to_string()} selected={props.topic.as_ref() == Some(name)}>{ name.clone() }</option>
                        }) }
                    </select>
                </label>
            </div>
            <ul class="log-legend">
                <li><span class="swatch cell-committed key-2"></span>{ t(lang, Key::LegendCommitted) }</li>
                <li><span class="swatch cell-uncommitted key-2"></span>{ t(lang, Key::LegendUncommitted) }</li>
                <li><span class="swatch cell-lost key-2"></span>{ t(lang, Key::LegendLost) }</li>
                <li><span class="swatch cell-duplicate key-2"></span>{ t(lang, Key::LegendDuplicate) }</li>
                <li><span class="swatch swatch-twice"></span>{ t(lang, Key::LegendProcessedTwice) }</li>
                <li><span class="swatch swatch-keys"></span>{ t(lang, Key::LegendKeyColour) }</li>
                <li><span class="swatch swatch-segment"></span>{ t(lang, Key::LegendSegment) }</li>
                <li><span class="swatch swatch-epoch"></span>{ t(lang, Key::LegendEpoch) }</li>
                <li><span class="swatch swatch-older"></span>{ t(lang, Key::LegendOlder) }</li>
                if compressed {
                    <li data-testid="legend-compressed"><span class="swatch key-2 cell-compressed"></span>{ t(lang, Key::LegendCompressed) }</li>
                }
                if transactional {
                    <li data-testid="legend-txn">
                        <span class="swatch swatch-txn txn-marker-commit">{ "C" }</span>
                        <span class="swatch swatch-txn txn-marker-abort">{ "A" }</span>
                        <span class="swatch swatch-txn txn-open"></span>
                        <span class="swatch swatch-txn txn-aborted">{ "7" }</span>
                        { t(lang, Key::LegendTxn) }
                    </li>
                }
            </ul>
            if !idle.is_empty() {
                <p class="idle-members">
                    { for idle.iter().map(|(g, m)| html! {
                        <span class="member-idle" data-testid={format!("idle-{g}-{m}")}>{ fill(t(lang, Key::IdleMember), &[m, g]) }</span>
                    }) }
                </p>
            }
            if data.partitions.is_empty() { <p class="hint">{ t(lang, Key::NoPartitions) }</p> }
            <div class="log-partitions" ref={container}>
                { for data.partitions.iter().zip(keys).map(|(p, key)| {
                    let on_screen = !props.playing || visible.as_ref().is_none_or(|v| v.contains(&key));
                    let (partition, groups, shares) = match drawn.get(&key) {
                        Some(last) if !on_screen => last.clone(),
                        _ => {
                            let groups: Vec<GroupRow> = props.groups.0.iter().filter_map(|g| GroupRow::of(g, &p.topic, p.partition)).collect();
                            let shares: Vec<SharePartitionView> = data.shares.iter().filter(|s| s.topic == p.topic && s.partition == p.partition).cloned().collect();
                            let fresh = (p.clone(), Rc::new(groups), Rc::new(shares));
                            drawn.insert(key.clone(), fresh.clone());
                            fresh
                        }
                    };
                    html! { <PartitionLog {key} {lang} {partition} {groups} {shares} /> }
                }) }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_in_step_share_one_run_of_the_newest_offsets() {
        let axis = Axis::over(&[(0, 100), (0, 98), (0, 100)], &[]);
        assert_eq!(axis.runs, vec![(76, 100, 0)]);
        assert_eq!((axis.slot(76), axis.slot(100), axis.slot(3), axis.slot(500)), (0, 24, 0, 25));
        assert!(axis.shows(80) && !axis.shows(75));
        assert_eq!(axis.gaps().count(), 0);
    }

    #[test]
    fn a_replica_far_behind_or_ahead_keeps_its_own_run_after_a_gap_slot() {
        // The old leader (LEO 199) kept records the new leader (LEO 299) never had.
        let axis = Axis::over(&[(0, 199), (0, 299)], &[]);
        assert_eq!(axis.runs, vec![(188, 199, 0), (288, 299, 13)]);
        assert_eq!(axis.gaps().collect::<Vec<_>>(), vec![(12, 200, 287)]);
        assert_eq!((axis.slot(199), axis.slot(250), axis.slot(288)), (11, 12, 13));
        assert!(axis.slot(299) < SLOTS);
    }

    #[test]
    fn marked_records_older_than_the_newest_cells_keep_cells_of_their_own() {
        // Duplicates at 99..=112 while the log is at 168: both runs fit, the newest one shorter.
        let axis = Axis::over(&[(0, 168), (0, 168)], &[(99, 99), (108, 108), (112, 112)]);
        assert!(axis.shows(112) && axis.shows(108) && axis.shows(168), "{axis:?}");
        let last = axis.runs.last().unwrap();
        assert!(last.2 + last.1 - last.0 < SLOTS, "{axis:?}");
    }

    #[test]
    fn contiguous_lost_ranges_merge_into_one() {
        assert_eq!(merge_ranges(vec![(99, 118), (79, 98), (140, 150), (119, 130)]), vec![(79, 130), (140, 150)]);
    }

    #[test]
    fn a_short_log_starts_at_its_log_start() {
        let axis = Axis::over(&[(5, 9), (5, 9)], &[]);
        assert_eq!(axis.runs, vec![(5, 9, 0)]);
        assert_eq!(Axis::over(&[], &[]).runs, vec![]);
    }
}
