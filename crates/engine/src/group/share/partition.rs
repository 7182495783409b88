//! A share partition (KIP-932, Kafka 4.1's `SharePartition` in `kafka.server.share`): the state
//! a share group keeps for one topic partition on that partition's leader.
//!
//! The records between the share-partition start offset (SPSO) and end offset (SPEO) are in
//! flight, each `Available`, `Acquired` by one member under an acquisition lock, `Acknowledged`
//! or `Archived`. Below the SPSO every record is done; above the SPEO none has been handed out
//! yet. Acquiring bumps a record's delivery count; a release or an expired lock makes it
//! available again unless the count reached `group.share.delivery.count.limit`, when it is
//! archived (`InFlightState.tryUpdateState`). The SPSO moves past the acknowledged and archived
//! records at the start (`maybeUpdateCachedStateAndOffsets`).
//!
//! Knowingly different: Kafka tracks in-flight batches and splits them into per-offset state
//! only when a batch's records part ways; here every offset has its own state from the start,
//! which gives the same outcomes record by record.

pub use crate::protocol::share_state::{PersistedState, RecordState, StateBatch, StateChange};
use crate::protocol::{AcknowledgeType, ErrorCode};
use crate::sim::Millis;
use serde::Serialize;
use std::collections::BTreeMap;

/// Kafka's `group.share.delivery.count.limit` default.
pub const DEFAULT_DELIVERY_COUNT_LIMIT: u32 = 5;
/// Kafka's `group.share.record.lock.duration.ms` default.
pub const DEFAULT_RECORD_LOCK_DURATION_MS: Millis = 30_000;
/// Kafka's `group.share.partition.max.record.locks` default (Kafka 4.1: 2000): how many records
/// may be in flight between the SPSO and the SPEO.
pub const DEFAULT_MAX_RECORD_LOCKS: usize = 2_000;
/// Kafka's `share.coordinator.state.topic.num.partitions` default.
pub const DEFAULT_STATE_TOPIC_PARTITIONS: i32 = 50;

/// Where a new share partition starts (the group config `share.auto.offset.reset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareAutoOffsetReset {
    /// The log start: every retained record is delivered.
    Earliest,
    /// The log end (Kafka's default): only records written from now on.
    Latest,
}

/// The settings a share partition follows: `group.share.delivery.count.limit`,
/// `group.share.record.lock.duration.ms`, `group.share.partition.max.record.locks` (broker) and
/// `share.auto.offset.reset` (Kafka's group config, here one value for every share group), and
/// `share.coordinator.state.topic.num.partitions` for `__share_group_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ShareConfig {
    pub delivery_count_limit: u32,
    pub record_lock_duration_ms: Millis,
    pub max_record_locks: usize,
    pub auto_offset_reset: ShareAutoOffsetReset,
    pub state_topic_num_partitions: i32,
}

impl Default for ShareConfig {
    fn default() -> Self {
        ShareConfig {
            delivery_count_limit: DEFAULT_DELIVERY_COUNT_LIMIT,
            record_lock_duration_ms: DEFAULT_RECORD_LOCK_DURATION_MS,
            max_record_locks: DEFAULT_MAX_RECORD_LOCKS,
            auto_offset_reset: ShareAutoOffsetReset::Latest,
            state_topic_num_partitions: DEFAULT_STATE_TOPIC_PARTITIONS,
        }
    }
}

/// One in-flight record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InFlightRecord {
    pub state: RecordState,
    pub delivery_count: u32,
    /// The member holding the acquisition lock (Kafka's `memberId`; empty once released).
    pub member: Option<String>,
    /// When the acquisition lock expires.
    pub lock_until: Option<Millis>,
}

/// A record handed to a member: its offset and how often it has been delivered now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Acquired {
    pub offset: i64,
    pub delivery_count: u32,
}

/// One share group's state for one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharePartition {
    config: ShareConfig,
    start_offset: i64,
    in_flight: BTreeMap<i64, InFlightRecord>,
}

impl SharePartition {
    /// A new share partition starting at `start_offset` (the group's `share.auto.offset.reset`:
    /// latest by default, the log's end; earliest, its start).
    pub fn new(config: ShareConfig, start_offset: i64) -> Self {
        SharePartition { config, start_offset, in_flight: BTreeMap::new() }
    }

    /// Rebuilds a share partition from the share coordinator's state (`maybeInitialize`): the
    /// records a crashed leader had acquired but nobody acknowledged are not in it, so they are
    /// delivered again; a record persisted as acquired is available again.
    pub fn from_persisted(config: ShareConfig, persisted: &PersistedState, log_start_offset: i64) -> Self {
        let mut partition = SharePartition::new(config, persisted.start_offset.max(log_start_offset));
        for batch in &persisted.batches {
            let state = match batch.state {
                RecordState::Acquired => RecordState::Available,
                other => other,
            };
            for offset in batch.first_offset.max(partition.start_offset)..=batch.last_offset {
                partition.in_flight.insert(
                    offset,
                    InFlightRecord { state, delivery_count: batch.delivery_count, member: None, lock_until: None },
                );
            }
        }
        // The gaps between persisted batches were acquired and never acknowledged: they are
        // fetched again as new records (Kafka 4.1's `initialReadGapOffset`).
        let gaps: Vec<i64> =
            (partition.start_offset..partition.end_offset()).filter(|o| !partition.in_flight.contains_key(o)).collect();
        for offset in gaps {
            partition.in_flight.insert(
                offset,
                InFlightRecord { state: RecordState::Available, delivery_count: 0, member: None, lock_until: None },
            );
        }
        partition.advance_start_offset();
        partition
    }

    /// The share-partition start offset (SPSO).
    pub fn start_offset(&self) -> i64 {
        self.start_offset
    }

    /// The share-partition end offset (SPEO): the next offset no member was given yet.
    pub fn end_offset(&self) -> i64 {
        self.in_flight.last_key_value().map_or(self.start_offset, |(offset, _)| offset + 1)
    }

    pub fn config(&self) -> ShareConfig {
        self.config
    }

    /// The records between the SPSO and the SPEO.
    pub fn in_flight(&self) -> &BTreeMap<i64, InFlightRecord> {
        &self.in_flight
    }

    pub fn record(&self, offset: i64) -> Option<&InFlightRecord> {
        self.in_flight.get(&offset)
    }

    /// Acquires up to `max_records` records for `member` (ShareFetch, `SharePartition.acquire`):
    /// available in-flight records first, then new ones up to the high watermark, keeping at
    /// most `group.share.partition.max.record.locks` in flight. Retention that removed records
    /// moves the SPSO up to the log start first.
    pub fn acquire(
        &mut self,
        member: &str,
        log_start_offset: i64,
        high_watermark: i64,
        max_records: usize,
        now: Millis,
    ) -> Vec<Acquired> {
        if self.start_offset < log_start_offset {
            self.in_flight = self.in_flight.split_off(&log_start_offset);
            self.start_offset = log_start_offset;
        }
        let lock_until = now + self.config.record_lock_duration_ms;
        let mut acquired = Vec::new();
        for (offset, record) in self.in_flight.iter_mut() {
            if acquired.len() >= max_records {
                return acquired;
            }
            if record.state == RecordState::Available {
                record.state = RecordState::Acquired;
                record.delivery_count += 1;
                record.member = Some(member.to_string());
                record.lock_until = Some(lock_until);
                acquired.push(Acquired { offset: *offset, delivery_count: record.delivery_count });
            }
        }
        let mut next = self.end_offset();
        while acquired.len() < max_records
            && next < high_watermark
            && self.in_flight.len() < self.config.max_record_locks
        {
            self.in_flight.insert(
                next,
                InFlightRecord {
                    state: RecordState::Acquired,
                    delivery_count: 1,
                    member: Some(member.to_string()),
                    lock_until: Some(lock_until),
                },
            );
            acquired.push(Acquired { offset: next, delivery_count: 1 });
            next += 1;
        }
        acquired
    }

    /// Applies one acknowledgement of `member` (ShareAcknowledge or one piggybacked on a
    /// ShareFetch): only the member holding the record's lock may acknowledge it, else
    /// INVALID_RECORD_STATE (a lock that expired, a record another member holds now).
    pub fn acknowledge(&mut self, member: &str, offset: i64, kind: AcknowledgeType) -> Result<StateChange, ErrorCode> {
        let limit = self.config.delivery_count_limit;
        let record = self.in_flight.get_mut(&offset).ok_or(ErrorCode::InvalidRecordState)?;
        if record.state != RecordState::Acquired || record.member.as_deref() != Some(member) {
            return Err(ErrorCode::InvalidRecordState);
        }
        record.state = match kind {
            AcknowledgeType::Accept => RecordState::Acknowledged,
            AcknowledgeType::Release => released_state(record.delivery_count, limit),
            AcknowledgeType::Reject => RecordState::Archived,
        };
        record.member = None;
        record.lock_until = None;
        let change = StateChange { offset, state: record.state, delivery_count: record.delivery_count };
        self.advance_start_offset();
        Ok(change)
    }

    /// Releases every record `member` holds (the member left or its share session closed:
    /// `SharePartition.releaseAcquireds`).
    pub fn release_member(&mut self, member: &str) -> Vec<StateChange> {
        self.release_where(|record| record.member.as_deref() == Some(member))
    }

    /// Releases the records whose acquisition lock expired by `now` (`AcquisitionLockTimerTask`):
    /// a consumer that crashed or stalled loses them, and another member gets them.
    pub fn expire_locks(&mut self, now: Millis) -> Vec<StateChange> {
        self.release_where(|record| record.lock_until.is_some_and(|until| until <= now))
    }

    /// The earliest acquisition lock deadline, for the broker's timer.
    pub fn next_lock_deadline(&self) -> Option<Millis> {
        self.in_flight.values().filter_map(|record| record.lock_until).min()
    }

    /// The state the share coordinator should hold, as runs of equal records (`ShareSnapshot`).
    pub fn persisted(&self, state_epoch: i32) -> PersistedState {
        PersistedState {
            state_epoch,
            start_offset: self.start_offset,
            batches: batches_of(
                self.in_flight.iter().filter(|(_, r)| r.state != RecordState::Acquired).map(|(offset, r)| {
                    StateChange { offset: *offset, state: r.state, delivery_count: r.delivery_count }
                }),
            ),
        }
    }

    fn release_where(&mut self, mut held: impl FnMut(&InFlightRecord) -> bool) -> Vec<StateChange> {
        let limit = self.config.delivery_count_limit;
        let mut changes = Vec::new();
        for (offset, record) in self.in_flight.iter_mut() {
            if record.state == RecordState::Acquired && held(record) {
                record.state = released_state(record.delivery_count, limit);
                record.member = None;
                record.lock_until = None;
                changes.push(StateChange {
                    offset: *offset,
                    state: record.state,
                    delivery_count: record.delivery_count,
                });
            }
        }
        if !changes.is_empty() {
            self.advance_start_offset();
        }
        changes
    }

    /// Moves the SPSO past the done records at the start and forgets them.
    fn advance_start_offset(&mut self) {
        while let Some(entry) = self.in_flight.first_entry() {
            if *entry.key() != self.start_offset || !entry.get().state.is_terminal() {
                break;
            }
            entry.remove();
            self.start_offset += 1;
        }
    }
}

/// A released record is available again, unless it was delivered as often as allowed.
fn released_state(delivery_count: u32, limit: u32) -> RecordState {
    if delivery_count >= limit {
        RecordState::Archived
    } else {
        RecordState::Available
    }
}

/// Contiguous offsets with the same state and delivery count, as one batch each.
pub fn batches_of(changes: impl IntoIterator<Item = StateChange>) -> Vec<StateBatch> {
    let mut batches: Vec<StateBatch> = Vec::new();
    for change in changes {
        match batches.last_mut() {
            Some(last)
                if last.last_offset + 1 == change.offset
                    && last.state == change.state
                    && last.delivery_count == change.delivery_count =>
            {
                last.last_offset = change.offset;
            }
            _ => batches.push(StateBatch {
                first_offset: change.offset,
                last_offset: change.offset,
                state: change.state,
                delivery_count: change.delivery_count,
            }),
        }
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(limit: u32) -> SharePartition {
        SharePartition::new(ShareConfig { delivery_count_limit: limit, ..ShareConfig::default() }, 0)
    }

    #[test]
    fn acquire_hands_out_new_records_up_to_the_high_watermark_once() {
        let mut sp = partition(5);
        let a = sp.acquire("m1", 0, 3, 10, 0);
        assert_eq!(a.iter().map(|r| r.offset).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert!(a.iter().all(|r| r.delivery_count == 1));
        assert_eq!(sp.end_offset(), 3);
        // Another member gets nothing while the records are locked.
        assert!(sp.acquire("m2", 0, 3, 10, 1).is_empty());
        assert_eq!(sp.record(1).unwrap().member.as_deref(), Some("m1"));
    }

    #[test]
    fn accept_moves_the_start_offset_past_done_records_only() {
        let mut sp = partition(5);
        sp.acquire("m1", 0, 3, 10, 0);
        sp.acknowledge("m1", 1, AcknowledgeType::Accept).unwrap();
        assert_eq!(sp.start_offset(), 0, "offset 0 is still acquired");
        sp.acknowledge("m1", 0, AcknowledgeType::Reject).unwrap();
        assert_eq!(sp.start_offset(), 2);
        assert_eq!(sp.in_flight().len(), 1);
    }

    #[test]
    fn only_the_lock_holder_may_acknowledge() {
        let mut sp = partition(5);
        sp.acquire("m1", 0, 1, 10, 0);
        assert_eq!(sp.acknowledge("m2", 0, AcknowledgeType::Accept), Err(ErrorCode::InvalidRecordState));
        assert_eq!(sp.acknowledge("m1", 7, AcknowledgeType::Accept), Err(ErrorCode::InvalidRecordState));
        sp.acknowledge("m1", 0, AcknowledgeType::Accept).unwrap();
        assert_eq!(sp.acknowledge("m1", 0, AcknowledgeType::Accept), Err(ErrorCode::InvalidRecordState));
    }

    #[test]
    fn a_released_record_is_archived_at_the_delivery_count_limit() {
        let mut sp = partition(3);
        for delivery in 1..=3 {
            let a = sp.acquire("m1", 0, 1, 10, 0);
            assert_eq!(a, vec![Acquired { offset: 0, delivery_count: delivery }]);
            let change = sp.acknowledge("m1", 0, AcknowledgeType::Release).unwrap();
            let expected = if delivery < 3 { RecordState::Available } else { RecordState::Archived };
            assert_eq!(change.state, expected);
        }
        assert_eq!(sp.start_offset(), 1, "the archived record is done");
        assert!(sp.acquire("m1", 0, 1, 10, 0).is_empty());
    }

    #[test]
    fn an_expired_lock_makes_the_record_available_to_another_member() {
        let mut sp = partition(5);
        sp.acquire("crashed", 0, 2, 10, 1_000);
        assert_eq!(sp.next_lock_deadline(), Some(1_000 + DEFAULT_RECORD_LOCK_DURATION_MS));
        assert!(sp.expire_locks(30_999).is_empty());
        let released = sp.expire_locks(31_000);
        assert_eq!(released.len(), 2);
        let again = sp.acquire("m2", 0, 2, 10, 31_000);
        assert_eq!(again, vec![Acquired { offset: 0, delivery_count: 2 }, Acquired { offset: 1, delivery_count: 2 }]);
        // The crashed member's late acknowledgement is refused.
        assert_eq!(sp.acknowledge("crashed", 0, AcknowledgeType::Accept), Err(ErrorCode::InvalidRecordState));
    }

    #[test]
    fn an_expired_lock_at_the_limit_archives() {
        let mut sp = partition(1);
        sp.acquire("m1", 0, 1, 10, 0);
        let released = sp.expire_locks(DEFAULT_RECORD_LOCK_DURATION_MS);
        assert_eq!(released[0].state, RecordState::Archived);
        assert_eq!(sp.start_offset(), 1);
    }

    #[test]
    fn a_leaving_member_releases_its_records() {
        let mut sp = partition(5);
        sp.acquire("m1", 0, 2, 1, 0);
        sp.acquire("m2", 0, 2, 1, 0);
        let released = sp.release_member("m1");
        assert_eq!(released, vec![StateChange { offset: 0, state: RecordState::Available, delivery_count: 1 }]);
        assert_eq!(sp.record(1).unwrap().member.as_deref(), Some("m2"));
    }

    #[test]
    fn the_in_flight_window_is_bounded_by_max_record_locks() {
        let config = ShareConfig { max_record_locks: 4, ..ShareConfig::default() };
        let mut sp = SharePartition::new(config, 0);
        assert_eq!(sp.acquire("m1", 0, 100, 100, 0).len(), 4);
        assert!(sp.acquire("m2", 0, 100, 100, 0).is_empty());
        sp.acknowledge("m1", 0, AcknowledgeType::Accept).unwrap();
        assert_eq!(sp.acquire("m2", 0, 100, 100, 0), vec![Acquired { offset: 4, delivery_count: 1 }]);
    }

    #[test]
    fn retention_moves_the_start_offset_to_the_log_start() {
        let mut sp = partition(5);
        sp.acquire("m1", 0, 3, 10, 0);
        sp.release_member("m1");
        let a = sp.acquire("m1", 2, 5, 10, 0);
        assert_eq!(sp.start_offset(), 2);
        assert_eq!(a.iter().map(|r| r.offset).collect::<Vec<_>>(), vec![2, 3, 4]);
    }

    #[test]
    fn persisted_state_rebuilds_everything_but_the_locks() {
        let mut sp = partition(5);
        sp.acquire("m1", 0, 5, 10, 0);
        sp.acknowledge("m1", 0, AcknowledgeType::Accept).unwrap();
        sp.acknowledge("m1", 2, AcknowledgeType::Release).unwrap();
        sp.acknowledge("m1", 3, AcknowledgeType::Reject).unwrap();
        let persisted = sp.persisted(1);
        assert_eq!(persisted.start_offset, 1);
        assert_eq!(
            persisted.batches,
            vec![
                StateBatch { first_offset: 2, last_offset: 2, state: RecordState::Available, delivery_count: 1 },
                StateBatch { first_offset: 3, last_offset: 3, state: RecordState::Archived, delivery_count: 1 },
            ]
        );
        let reloaded = SharePartition::from_persisted(ShareConfig::default(), &persisted, 0);
        assert_eq!(reloaded.start_offset(), 1);
        // Offset 1 (acquired, never persisted: the gap before the first batch) is delivered
        // again as new, 2 keeps its delivery count, 3 stays archived, 4 is new.
        let mut reloaded = reloaded;
        assert_eq!(
            reloaded.acquire("m2", 0, 5, 10, 0),
            vec![
                Acquired { offset: 1, delivery_count: 1 },
                Acquired { offset: 2, delivery_count: 2 },
                Acquired { offset: 4, delivery_count: 1 },
            ]
        );
    }
}
