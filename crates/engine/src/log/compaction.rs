//! Log compaction (`LogCleaner`, `LogCleanerManager`): keep the last value per key over the cleanable
//! range, with offsets unchanged (gaps appear), and drop tombstones one `delete.retention.ms` after the
//! pass that first cleaned them.
//!
//! Not modelled: transactions (aborted records are not removed and markers are always kept, since the
//! log has no transaction index), the dedupe buffer limit (`log.cleaner.dedupe.buffer.size`), and
//! producer-id expiry (every producer id seen in the log counts as active, so the batch holding its
//! last sequence is kept, possibly empty, as Kafka does for active producers).

use super::batch::{BatchRecord, RecordBatch, TimestampType, NO_TIMESTAMP};
use super::compression::CompressionType;
use super::partition_log::Log;
use super::segment::{LogSegment, StoredBatch};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Size of the cleaner's read buffer (`log.cleaner.io.buffer.size` 524288 split in read + write
/// buffers): segments are filtered and rewritten in chunks of up to this many bytes.
const CLEANER_READ_BUFFER_BYTES: u64 = 262_144;
const DELETE_HORIZON_MASK: i16 = 0x40;

/// The cleanable part of a log (`LogToClean`), for the UI and for the cleaner's choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanableRange {
    /// Offsets below this were cleaned before (the cleaner checkpoint).
    pub first_dirty_offset: i64,
    /// Base of the first segment that may not be cleaned (active segment, LSO, `min.compaction.lag.ms`).
    pub first_uncleanable_offset: i64,
    pub clean_bytes: u64,
    pub cleanable_bytes: u64,
    /// `cleanable / (clean + cleanable)`, compared with `min.cleanable.dirty.ratio`.
    pub dirty_ratio: f64,
    /// How long dirty data has been waiting past `max.compaction.lag.ms` (0 = not overdue).
    pub max_compaction_delay_ms: i64,
    /// Whether the cleaner would pick this log now.
    pub eligible: bool,
}

/// What a cleaning pass did (`CleanerStats`), for narration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanerStats {
    pub range: CleanableRange,
    /// The new cleaner checkpoint: one past the last offset in the key map.
    pub end_offset: i64,
    /// Distinct keys seen in the dirty range.
    pub keys_in_map: usize,
    pub records_read: u64,
    pub records_retained: u64,
    /// Tombstones dropped because their delete horizon had passed.
    pub tombstones_removed: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub batches_removed: u64,
    /// Batches that got a delete horizon (they hold tombstones cleaned for the first time).
    pub delete_horizons_set: u64,
    pub segments_before: usize,
    pub segments_after: usize,
}

impl CleanerStats {
    /// Records removed by this pass.
    pub fn records_removed(&self) -> u64 {
        self.records_read - self.records_retained
    }
}

/// Result of asking the cleaner to compact a log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CompactionOutcome {
    /// `cleanup.policy` has no `compact`.
    NotCompacted,
    /// Not dirty enough (ratio at or below `min.cleanable.dirty.ratio`, nothing overdue) or empty.
    NotEligible(CleanableRange),
    Cleaned(CleanerStats),
}

impl Log {
    /// The cleanable range as `LogCleanerManager.cleanableOffsets` computes it. `last_stable_offset` is
    /// the LSO (the high watermark when there are no open transactions). `None` unless compacted.
    pub fn cleanable_range(&self, now_ms: i64, last_stable_offset: i64) -> Option<CleanableRange> {
        if !self.config.cleanup_policy.compact {
            return None;
        }
        let log_start = self.log_start_offset;
        let first_dirty = match self.cleaner_checkpoint {
            Some(c) if c >= log_start && c <= self.log_end_offset => c,
            _ => log_start,
        };
        let active_base = self.active_segment().base_offset();
        let mut uncleanable = last_stable_offset.min(active_base);
        let min_lag = self.config.min_compaction_lag_ms.max(0);
        if min_lag > 0 {
            if let Some(s) = self
                .non_active_segments_from(first_dirty)
                .iter()
                .find(|s| s.largest_timestamp() > now_ms.saturating_sub(min_lag))
            {
                uncleanable = uncleanable.min(s.base_offset());
            }
        }
        let uncleanable = uncleanable.max(first_dirty);
        let first_uncleanable_offset =
            self.non_active_segments_from(uncleanable).first().map_or(active_base, LogSegment::base_offset);
        let clean_bytes = self.bytes_in(i64::MIN, first_dirty);
        let cleanable_bytes = self.bytes_in(first_dirty.min(first_uncleanable_offset), first_uncleanable_offset);
        let total = clean_bytes + cleanable_bytes;
        let dirty_ratio = if total == 0 { 0.0 } else { cleanable_bytes as f64 / total as f64 };
        let max_compaction_delay_ms = self.max_compaction_delay(first_dirty, now_ms);
        let eligible = total > 0
            && ((max_compaction_delay_ms > 0 && cleanable_bytes > 0)
                || dirty_ratio > self.config.min_cleanable_dirty_ratio);
        Some(CleanableRange {
            first_dirty_offset: first_dirty,
            first_uncleanable_offset,
            clean_bytes,
            cleanable_bytes,
            dirty_ratio,
            max_compaction_delay_ms,
            eligible,
        })
    }

    /// `nonActiveLogSegmentsFrom`: inactive segments from the one holding `from`.
    fn non_active_segments_from(&self, from: i64) -> &[LogSegment] {
        let active = self.segments.len() - 1;
        if from > self.segments[active].base_offset() {
            return &[];
        }
        let start = self.floor_segment(from).unwrap_or(0);
        &self.segments[start..active]
    }

    /// `logSegments(from, to)`: segments from the one holding `from` (or the first) with base < `to`.
    fn segment_range(&self, from: i64, to: i64) -> &[LogSegment] {
        if from >= to {
            return &[];
        }
        let start = self.floor_segment(from).unwrap_or(0);
        let end = self.segments.partition_point(|s| s.base_offset() < to).max(start);
        &self.segments[start..end]
    }

    fn bytes_in(&self, from: i64, to: i64) -> u64 {
        self.segment_range(from, to).iter().map(LogSegment::size_in_bytes).sum()
    }

    /// `maxCompactionDelay`: how far the oldest dirty inactive segment is past `max.compaction.lag.ms`.
    fn max_compaction_delay(&self, first_dirty: i64, now_ms: i64) -> i64 {
        let earliest = self
            .non_active_segments_from(first_dirty)
            .iter()
            .filter_map(LogSegment::first_batch_timestamp)
            .filter(|ts| *ts > 0)
            .min();
        let clean_until = now_ms.saturating_sub(self.config.max_compaction_lag_ms.max(0));
        match earliest {
            Some(ts) if ts < clean_until => clean_until - ts,
            _ => 0,
        }
    }

    /// One cleaner pass if the log is eligible (`grabFilthiestCompactedLog` + `Cleaner.doClean`).
    pub fn compact(&mut self, now_ms: i64, last_stable_offset: i64) -> CompactionOutcome {
        self.observe_clock(now_ms);
        let Some(range) = self.cleanable_range(now_ms, last_stable_offset) else {
            return CompactionOutcome::NotCompacted;
        };
        if !range.eligible {
            return CompactionOutcome::NotEligible(range);
        }
        CompactionOutcome::Cleaned(self.clean(range, now_ms))
    }

    fn clean(&mut self, range: CleanableRange, now_ms: i64) -> CleanerStats {
        let upper = range.first_uncleanable_offset;
        // Build the key -> latest offset map over the dirty range.
        let mut map: BTreeMap<&[u8], i64> = BTreeMap::new();
        let mut latest_offset = -1;
        for segment in self.segment_range(range.first_dirty_offset, upper) {
            for stored in segment.batches().iter().filter(|b| !b.batch.is_control()) {
                for r in &stored.batch.records {
                    let offset = stored.batch.offset_of(r);
                    if let (Some(key), true) = (r.record.key.as_deref(), offset >= range.first_dirty_offset) {
                        map.insert(key, offset);
                        latest_offset = offset;
                    }
                }
            }
        }
        let keys_in_map = map.len();
        let map: BTreeMap<Vec<u8>, i64> = map.into_iter().map(|(k, v)| (k.to_vec(), v)).collect();
        let end_offset = latest_offset + 1;
        // The batch holding each producer's last data offset is kept, even if emptied.
        let mut last_data_offset: BTreeMap<i64, i64> = BTreeMap::new();
        for b in self.batches().filter(|b| b.batch.has_producer_id() && !b.batch.is_control()) {
            last_data_offset.insert(b.batch.producer_id, b.batch.last_offset());
        }
        let mut stats = CleanerStats {
            range,
            end_offset,
            keys_in_map,
            records_read: 0,
            records_retained: 0,
            tombstones_removed: 0,
            bytes_read: 0,
            bytes_written: 0,
            batches_removed: 0,
            delete_horizons_set: 0,
            segments_before: self.segments.len(),
            segments_after: 0,
        };
        let filter = Filter {
            map: &map,
            latest_offset,
            now_ms,
            delete_retention_ms: self.config.delete_retention_ms,
            upper,
            last_data_offset: &last_data_offset,
        };
        // Every segment below the new checkpoint is rewritten (the clean part too, so old tombstones go).
        let to_clean = self.segment_range(0, end_offset).len();
        let groups = self.group_segments_by_size(0, to_clean, upper);
        let mut rebuilt: Vec<LogSegment> = Vec::new();
        for (from, to) in groups {
            let sources = &self.segments[from..to];
            let mut cleaned = LogSegment::new(sources[0].base_offset(), &self.config, now_ms);
            for source in sources {
                for chunk in chunks(source.batches()) {
                    let mut out = Vec::new();
                    let mut max_offset = -1;
                    for stored in chunk {
                        stats.bytes_read += u64::from(stored.size_in_bytes);
                        if let Some((batch, chunk_offset)) = filter.apply(&stored.batch, &mut stats) {
                            max_offset = max_offset.max(chunk_offset);
                            stats.bytes_written += batch.size_in_bytes() as u64;
                            out.push(batch);
                        } else {
                            stats.batches_removed += 1;
                        }
                    }
                    cleaned.append(out.into_iter().map(std::sync::Arc::new).collect(), max_offset, now_ms);
                }
            }
            cleaned.on_become_inactive();
            if let Some(last) = sources.last() {
                cleaned.set_last_modified(last.last_modified_ms());
            }
            rebuilt.push(cleaned);
        }
        self.segments.splice(0..to_clean, rebuilt).for_each(drop);
        self.cleaner_checkpoint = Some(end_offset);
        stats.segments_after = self.segments.len();
        stats
    }

    /// `groupSegmentsBySize`: consecutive segments whose total log and index sizes fit one segment are
    /// cleaned into one (so compaction also merges small segments). Returns index ranges.
    fn group_segments_by_size(&self, from: usize, to: usize, first_uncleanable: i64) -> Vec<(usize, usize)> {
        let max_size = self.config.segment_bytes.max(0) as u64;
        let max_index = self.config.segment_index_bytes.max(0) as u64;
        let mut groups = Vec::new();
        let mut i = from;
        while i < to {
            let head = &self.segments[i];
            let (mut log_size, mut index_size, mut time_size) =
                (head.size_in_bytes(), head.offset_index().size_in_bytes(), head.time_index().size_in_bytes());
            let mut j = i + 1;
            while j < to {
                let next = &self.segments[j];
                let last_offset_of_next =
                    if j + 1 < to { self.segments[j + 1].base_offset() - 1 } else { first_uncleanable - 1 };
                let fits = log_size + next.size_in_bytes() <= max_size
                    && index_size + next.offset_index().size_in_bytes() <= max_index
                    && time_size + next.time_index().size_in_bytes() <= max_index
                    && (next.is_empty()
                        || last_offset_of_next - self.segments[j - 1].base_offset() <= i64::from(i32::MAX));
                if !fits {
                    break;
                }
                log_size += next.size_in_bytes();
                index_size += next.offset_index().size_in_bytes();
                time_size += next.time_index().size_in_bytes();
                j += 1;
            }
            groups.push((i, j));
            i = j;
        }
        groups
    }
}

/// Splits a segment's batches the way the cleaner reads them: as many whole batches as fit the read
/// buffer, at least one.
fn chunks(batches: &imbl::Vector<StoredBatch>) -> Vec<Vec<&StoredBatch>> {
    let mut out: Vec<Vec<&StoredBatch>> = Vec::new();
    let mut bytes = 0;
    for stored in batches {
        let size = u64::from(stored.size_in_bytes);
        match out.last_mut() {
            Some(chunk) if bytes + size <= CLEANER_READ_BUFFER_BYTES => {
                bytes += size;
                chunk.push(stored);
            }
            _ => {
                bytes = size;
                out.push(vec![stored]);
            }
        }
    }
    out
}

/// The cleaner's `RecordFilter` for one pass.
struct Filter<'a> {
    map: &'a BTreeMap<Vec<u8>, i64>,
    latest_offset: i64,
    now_ms: i64,
    delete_retention_ms: i64,
    /// First uncleanable offset: the batch ending just below it is kept even if emptied.
    upper: i64,
    last_data_offset: &'a BTreeMap<i64, i64>,
}

impl Filter<'_> {
    /// `shouldRetainRecord` for a data record.
    fn retain(&self, batch: &RecordBatch, r: &BatchRecord) -> bool {
        let offset = batch.offset_of(r);
        if offset > self.latest_offset {
            return true;
        }
        let Some(key) = r.record.key.as_deref() else { return false };
        let latest_for_key = offset >= self.map.get(key).copied().unwrap_or(-1);
        let retain_deletes = batch.delete_horizon_ms().is_none_or(|h| self.now_ms < h);
        latest_for_key && (r.record.value.is_some() || retain_deletes)
    }

    /// `MemoryRecords.filterTo` for one batch: `None` if the batch goes, else the batch to write
    /// (the original, a rebuilt one, or an empty header) and the offset it reports for the index.
    fn apply(&self, batch: &RecordBatch, stats: &mut CleanerStats) -> Option<(RecordBatch, i64)> {
        stats.records_read += batch.records.len() as u64;
        if batch.is_control() {
            stats.records_retained += batch.records.len() as u64;
            return Some((batch.clone(), batch.last_offset()));
        }
        let retain_empty = (batch.has_producer_id()
            && self.last_data_offset.get(&batch.producer_id) == Some(&batch.last_offset()))
            || batch.next_offset() == self.upper;
        let mut retained = Vec::new();
        for r in &batch.records {
            if self.retain(batch, r) {
                retained.push(r);
            } else if r.record.value.is_none() && r.record.key.is_some() && batch.delete_horizon_ms().is_some() {
                stats.tombstones_removed += 1;
            }
        }
        stats.records_retained += retained.len() as u64;
        if retained.is_empty() {
            return retain_empty.then(|| (empty_batch(batch), batch.last_offset()));
        }
        let contains_tombstones = retained.iter().any(|r| r.record.value.is_none());
        let need_horizon = contains_tombstones && batch.delete_horizon_ms().is_none();
        let max_offset = retained.iter().map(|r| batch.offset_of(r)).max().unwrap_or(batch.last_offset());
        if retained.len() == batch.records.len() && !need_horizon {
            return Some((batch.clone(), batch.last_offset()));
        }
        let horizon = if need_horizon {
            stats.delete_horizons_set += 1;
            Some(self.now_ms.saturating_add(self.delete_retention_ms))
        } else {
            batch.delete_horizon_ms()
        };
        Some((rebuild(batch, &retained, horizon), max_offset))
    }
}

/// `buildRetainedRecordsInto`: a new batch with the same base offset, last offset, producer fields,
/// leader epoch and codec (the retained records are compressed again); timestamps re-based on the delete horizon when there is one.
fn rebuild(original: &RecordBatch, retained: &[&BatchRecord], horizon: Option<i64>) -> RecordBatch {
    let log_append_time = original.timestamp_type() == TimestampType::LogAppendTime;
    let records: Vec<BatchRecord> = retained
        .iter()
        .map(|r| {
            let mut record = r.record.clone();
            record.timestamp = original.timestamp_of(r);
            BatchRecord { offset_delta: r.offset_delta, attributes: 0, record }
        })
        .collect();
    let max_timestamp = if log_append_time {
        original.max_timestamp
    } else {
        records.iter().map(|r| r.record.timestamp).max().unwrap_or(NO_TIMESTAMP)
    };
    let base_timestamp = horizon.unwrap_or_else(|| records.first().map_or(NO_TIMESTAMP, |r| r.record.timestamp));
    let mut attributes = original.attributes & !DELETE_HORIZON_MASK;
    if horizon.is_some() {
        attributes |= DELETE_HORIZON_MASK;
    }
    RecordBatch { attributes, base_timestamp, max_timestamp, records, ..original.clone() }
}

/// `writeEmptyHeader`: a batch with no records that still carries the offsets and producer state,
/// uncompressed (it writes `CompressionType.NONE` into the attributes).
fn empty_batch(original: &RecordBatch) -> RecordBatch {
    let mut batch = RecordBatch {
        attributes: original.attributes & !DELETE_HORIZON_MASK,
        base_timestamp: NO_TIMESTAMP,
        records: Vec::new(),
        ..original.clone()
    };
    batch.set_compression(CompressionType::None);
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{LogConfig, Record};

    fn compacted_config() -> LogConfig {
        let mut c = LogConfig::default();
        c.set("cleanup.policy", "compact", false).unwrap();
        c.set("segment.bytes", "128", true).unwrap(); // one ~70-byte batch per segment
        c
    }

    fn put(log: &mut Log, key: &str, value: Option<&str>, ts: i64) -> i64 {
        let batch = RecordBatch::new(vec![Record::new(ts, Some(key.as_bytes()), value.map(str::as_bytes))]);
        log.append_as_leader(batch, 0, ts).unwrap().first_offset
    }

    fn live(log: &Log) -> Vec<(i64, String, Option<String>)> {
        log.batches()
            .flat_map(|b| {
                b.batch.records.iter().map(|r| {
                    (
                        b.batch.offset_of(r),
                        String::from_utf8_lossy(r.record.key.as_deref().unwrap_or_default()).into_owned(),
                        r.record.value.as_deref().map(|v| String::from_utf8_lossy(v).into_owned()),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn null_key_is_rejected_on_a_compacted_topic() {
        let mut log = Log::new(compacted_config(), 0);
        let err = log.append_as_leader(RecordBatch::new(vec![Record::new(1, None, Some(b"v"))]), 0, 1).unwrap_err();
        assert!(err.to_string().starts_with("INVALID_RECORD: compacted topic cannot accept a message without key"));
    }

    #[test]
    fn keeps_last_value_per_key_with_offsets_unchanged() {
        let mut log = Log::new(compacted_config(), 0);
        for (i, (k, v)) in
            [("a", "1"), ("b", "1"), ("a", "2"), ("c", "1"), ("b", "2"), ("a", "3"), ("d", "1")].iter().enumerate()
        {
            put(&mut log, k, Some(v), 1000 + i as i64);
        }
        let leo = log.log_end_offset();
        let out = log.compact(10_000, leo);
        let CompactionOutcome::Cleaned(stats) = out else { panic!("expected a pass, got {out:?}") };
        assert!(stats.records_removed() > 0);
        // Below the first uncleanable offset, every record is the latest for its key there.
        let upper = stats.range.first_uncleanable_offset;
        let kept: Vec<_> = live(&log).into_iter().filter(|(o, _, _)| *o < upper).collect();
        for (offset, key, _) in &kept {
            assert!(!kept.iter().any(|(o2, k2, _)| k2 == key && o2 > offset), "{key}@{offset} is stale");
        }
        assert_eq!(kept.iter().map(|(o, _, _)| *o).collect::<Vec<_>>(), vec![3, 4, 5]);
        assert_eq!(log.log_end_offset(), leo);
        assert_eq!(log.cleaner_checkpoint(), Some(stats.end_offset));
        // The active segment was not touched.
        assert_eq!(log.active_segment().base_offset(), upper);
    }

    /// The cleaner keeps a batch's codec for its retained records (`buildRetainedRecordsInto`).
    #[test]
    fn compaction_recompresses_retained_records_in_the_batch_codec() {
        let mut log = Log::new(compacted_config(), 0);
        for (i, key) in ["a", "b", "a", "c", "a", "d"].iter().enumerate() {
            let mut batch = RecordBatch::new(vec![
                Record::new(1000 + i as i64, Some(key.as_bytes()), Some(b"v1")),
                Record::new(1000 + i as i64, Some(b"z"), Some(b"v2")),
            ]);
            batch.set_compression(CompressionType::Gzip);
            log.append_as_leader(batch, 0, 1000 + i as i64).unwrap();
        }
        let leo = log.log_end_offset();
        let CompactionOutcome::Cleaned(stats) = log.compact(10_000, leo) else { panic!("expected a pass") };
        assert!(stats.records_removed() > 0);
        for stored in log.batches() {
            if !stored.batch.records.is_empty() {
                assert_eq!(stored.batch.compression(), CompressionType::Gzip);
            }
            assert_eq!(stored.size_in_bytes as usize, stored.batch.encode().len(), "size is the compressed bytes");
            assert_eq!(RecordBatch::decode(&stored.batch.encode()).unwrap(), *stored.batch);
        }
    }

    #[test]
    fn tombstones_get_a_horizon_then_go() {
        let mut config = compacted_config();
        config.set("delete.retention.ms", "1000", false).unwrap();
        config.set("min.cleanable.dirty.ratio", "0.01", false).unwrap();
        let mut log = Log::new(config, 0);
        put(&mut log, "a", Some("1"), 100);
        put(&mut log, "a", None, 101); // tombstone
        put(&mut log, "b", Some("1"), 102);
        put(&mut log, "b", Some("2"), 103);
        let CompactionOutcome::Cleaned(first) = log.compact(5_000, log.log_end_offset()) else { panic!() };
        assert_eq!(first.delete_horizons_set, 1);
        let tomb = log.batches().find(|b| b.batch.records.iter().any(|r| r.record.value.is_none())).unwrap();
        assert_eq!(tomb.batch.delete_horizon_ms(), Some(6_000));
        // More dirty data so the cleaner runs again; before the horizon the tombstone stays...
        put(&mut log, "c", Some("1"), 5_500);
        put(&mut log, "c", Some("2"), 5_600);
        put(&mut log, "c", Some("3"), 5_700);
        log.compact(5_900, log.log_end_offset());
        assert!(live(&log).iter().any(|(_, k, v)| k == "a" && v.is_none()));
        // ...and after it, it goes.
        put(&mut log, "d", Some("1"), 7_000);
        put(&mut log, "d", Some("2"), 7_100);
        put(&mut log, "d", Some("3"), 7_200);
        let CompactionOutcome::Cleaned(last) = log.compact(7_300, log.log_end_offset()) else { panic!() };
        assert_eq!(last.tombstones_removed, 1);
        assert!(!live(&log).iter().any(|(_, k, _)| k == "a"));
    }

    #[test]
    fn respects_dirty_ratio_and_policy() {
        let mut log = Log::new(LogConfig::default(), 0);
        assert_eq!(log.compact(0, 0), CompactionOutcome::NotCompacted);
        let mut config = compacted_config();
        config.set("min.cleanable.dirty.ratio", "1", false).unwrap();
        log = Log::new(config, 0);
        for i in 0..6 {
            put(&mut log, "k", Some("v"), i);
        }
        assert!(matches!(log.compact(100, log.log_end_offset()), CompactionOutcome::NotEligible(_)));
        // max.compaction.lag.ms overrides the ratio for overdue dirty data.
        log.config.max_compaction_lag_ms = 10;
        assert!(matches!(log.compact(100, log.log_end_offset()), CompactionOutcome::Cleaned(_)));
    }

    #[test]
    fn min_compaction_lag_protects_recent_segments() {
        let mut config = compacted_config();
        config.set("min.compaction.lag.ms", "1000", false).unwrap();
        let mut log = Log::new(config, 0);
        for i in 0..6 {
            put(&mut log, "k", Some("v"), 10_000 + i);
        }
        let range = log.cleanable_range(10_500, log.log_end_offset()).unwrap();
        assert_eq!(range.first_uncleanable_offset, 0, "all segments are younger than the lag");
        assert!(!range.eligible);
    }
}
