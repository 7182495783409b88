//! A log segment: the `.log` file of batches plus its `.index` and `.timeindex` (`LogSegment`).

use super::batch::{RecordBatch, NO_TIMESTAMP};
use super::index::{OffsetIndex, TimeIndex};
use super::log_config::LogConfig;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A batch as stored in a segment: its decoded form, its byte position in the `.log` file and its
/// real encoded size. The batch is shared: reads hand out the same immutable batch, as Kafka serves
/// fetches from the log file without copying (zero-copy `sendfile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBatch {
    pub batch: Arc<RecordBatch>,
    pub position: u32,
    pub size_in_bytes: u32,
}

impl StoredBatch {
    /// Wraps a batch, measuring its encoded size.
    pub fn new(batch: Arc<RecordBatch>, position: u32) -> Self {
        let size_in_bytes = batch.size_in_bytes() as u32;
        StoredBatch { batch, position, size_in_bytes }
    }
}

/// Why the active segment was rolled (`LogSegment.shouldRoll`), in the order Kafka checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RollReason {
    /// `size > segment.bytes - incomingBytes`.
    SegmentBytes,
    /// The incoming batch's max timestamp is more than `segment.ms` after the segment's first batch.
    SegmentMs,
    OffsetIndexFull,
    TimeIndexFull,
    /// The incoming last offset does not fit the segment's i32 relative offsets.
    RelativeOffsetOverflow,
    /// Retention found the whole log deletable and rolled a fresh, empty active segment first.
    Retention,
}

/// One segment, named by its base offset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogSegment {
    base_offset: i64,
    /// Persistent: checkpoints of the world share a segment's batches instead of copying them.
    batches: imbl::Vector<StoredBatch>,
    size_in_bytes: u64,
    offset_index: OffsetIndex,
    time_index: TimeIndex,
    index_interval_bytes: i64,
    bytes_since_last_index_entry: u64,
    max_timestamp_so_far: i64,
    offset_of_max_timestamp_so_far: i64,
    rolling_based_timestamp: Option<i64>,
    created_ms: i64,
    last_modified_ms: i64,
}

/// `slice::partition_point` over `items[from..]` of a persistent vector (the index returned is into
/// `items`): a binary search by index through a focus, which keeps the leaf it last read, without
/// building a sub-vector, which would copy chunks.
fn partition_point<T: Clone>(
    items: &mut imbl::vector::Focus<'_, T, imbl::shared_ptr::DefaultSharedPtr>,
    from: usize,
    pred: impl Fn(&T) -> bool,
) -> usize {
    let (mut low, mut high) = (from, items.len());
    while low < high {
        let mid = low + (high - low) / 2;
        if items.get(mid).is_some_and(&pred) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

/// 20-digit zero-padded base offset, as in Kafka's file names.
fn file_stem(base_offset: i64) -> String {
    format!("{base_offset:020}")
}

impl LogSegment {
    /// A new empty segment; its indexes get `segment.index.bytes` of capacity.
    pub fn new(base_offset: i64, config: &LogConfig, now_ms: i64) -> Self {
        LogSegment {
            base_offset,
            batches: imbl::Vector::new(),
            size_in_bytes: 0,
            offset_index: OffsetIndex::new(base_offset, config.segment_index_bytes),
            time_index: TimeIndex::new(base_offset, config.segment_index_bytes),
            index_interval_bytes: config.index_interval_bytes,
            bytes_since_last_index_entry: 0,
            max_timestamp_so_far: NO_TIMESTAMP,
            offset_of_max_timestamp_so_far: base_offset,
            rolling_based_timestamp: None,
            created_ms: now_ms,
            last_modified_ms: now_ms,
        }
    }

    /// First offset this segment may hold; also its name.
    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }

    /// `00000000000000000000.log`.
    pub fn file_name(&self) -> String {
        format!("{}.log", file_stem(self.base_offset))
    }

    /// `00000000000000000000.index`.
    pub fn index_file_name(&self) -> String {
        format!("{}.index", file_stem(self.base_offset))
    }

    /// `00000000000000000000.timeindex`.
    pub fn time_index_file_name(&self) -> String {
        format!("{}.timeindex", file_stem(self.base_offset))
    }

    /// The stored batches in file order.
    pub fn batches(&self) -> &imbl::Vector<StoredBatch> {
        &self.batches
    }

    /// Bytes in the `.log` file.
    pub fn size_in_bytes(&self) -> u64 {
        self.size_in_bytes
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    pub fn offset_index(&self) -> &OffsetIndex {
        &self.offset_index
    }

    pub fn time_index(&self) -> &TimeIndex {
        &self.time_index
    }

    /// The offset after the last batch, or the base offset when empty (`readNextOffset`).
    pub fn next_offset(&self) -> i64 {
        self.batches.last().map_or(self.base_offset, |b| b.batch.next_offset())
    }

    /// Largest batch max-timestamp appended, if any batch had one (`maxTimestampSoFar`).
    pub fn max_timestamp_so_far(&self) -> Option<i64> {
        (self.max_timestamp_so_far >= 0).then_some(self.max_timestamp_so_far)
    }

    /// What time retention compares (`largestTimestamp`): the max timestamp, or the file's mtime.
    pub fn largest_timestamp(&self) -> i64 {
        self.max_timestamp_so_far().unwrap_or(self.last_modified_ms)
    }

    /// Virtual time of creation (used for `segment.ms` only when batches carry no timestamp).
    pub fn created_ms(&self) -> i64 {
        self.created_ms
    }

    /// Virtual time of the last write (the file's mtime).
    pub fn last_modified_ms(&self) -> i64 {
        self.last_modified_ms
    }

    /// Timestamp the `max.compaction.lag.ms` check uses (`getFirstBatchTimestamp`): the first append's
    /// max timestamp, if it is >= 0.
    pub(crate) fn first_batch_timestamp(&self) -> Option<i64> {
        self.rolling_based_timestamp
            .or_else(|| self.batches.front().map(|b| b.batch.max_timestamp))
            .filter(|ts| *ts >= 0)
    }

    /// `timeWaitedForRoll`: time since the first batch by timestamps, else by wall clock.
    fn time_waited_for_roll(&self, now_ms: i64, message_timestamp: i64) -> i64 {
        match self.first_batch_timestamp() {
            Some(ts) => message_timestamp.wrapping_sub(ts),
            None => now_ms.wrapping_sub(self.created_ms),
        }
    }

    /// `shouldRoll`, checked before each append with the incoming batch's size, max timestamp and
    /// last offset (`segment.jitter.ms` is 0).
    pub(crate) fn should_roll(
        &self,
        config: &LogConfig,
        incoming_bytes: u64,
        max_timestamp_in_messages: i64,
        last_offset_in_messages: i64,
        now_ms: i64,
    ) -> Option<RollReason> {
        let reached_roll_ms = self.time_waited_for_roll(now_ms, max_timestamp_in_messages) > config.segment_ms;
        if self.size_in_bytes as i64 > config.segment_bytes - incoming_bytes as i64 {
            Some(RollReason::SegmentBytes)
        } else if self.size_in_bytes > 0 && reached_roll_ms {
            Some(RollReason::SegmentMs)
        } else if self.offset_index.is_full() {
            Some(RollReason::OffsetIndexFull)
        } else if self.time_index.is_full() {
            Some(RollReason::TimeIndexFull)
        } else if !self.offset_index.can_append_offset(last_offset_in_messages) {
            Some(RollReason::RelativeOffsetOverflow)
        } else {
            None
        }
    }

    /// `LogSegment.append` for one write call: the batches land at the end of the file; an index
    /// entry (largest offset -> start position of this write) is added if more than
    /// `index.interval.bytes` were written since the last entry.
    pub(crate) fn append(&mut self, batches: Vec<Arc<RecordBatch>>, largest_offset: i64, now_ms: i64) {
        let physical_position = self.size_in_bytes;
        let mut written = 0u64;
        let mut largest_timestamp = NO_TIMESTAMP;
        let mut offset_of_largest = -1;
        for batch in batches {
            if batch.max_timestamp > largest_timestamp {
                largest_timestamp = batch.max_timestamp;
                offset_of_largest = batch.last_offset();
            }
            let stored = StoredBatch::new(batch, (physical_position + written) as u32);
            written += u64::from(stored.size_in_bytes);
            self.batches.push_back(stored);
        }
        if written == 0 {
            return;
        }
        if physical_position == 0 {
            self.rolling_based_timestamp = Some(largest_timestamp);
        }
        self.size_in_bytes += written;
        self.last_modified_ms = now_ms;
        if largest_timestamp > self.max_timestamp_so_far {
            self.max_timestamp_so_far = largest_timestamp;
            self.offset_of_max_timestamp_so_far = offset_of_largest;
        }
        if self.bytes_since_last_index_entry as i64 > self.index_interval_bytes {
            self.offset_index.append(largest_offset, physical_position as u32);
            self.time_index.maybe_append(self.max_timestamp_so_far, self.offset_of_max_timestamp_so_far, false);
            self.bytes_since_last_index_entry = 0;
        }
        self.bytes_since_last_index_entry += written;
    }

    /// `onBecomeInactiveSegment`: a rolled segment gets a final time-index entry for its max timestamp.
    pub(crate) fn on_become_inactive(&mut self) {
        self.time_index.maybe_append(self.max_timestamp_so_far, self.offset_of_max_timestamp_so_far, true);
    }

    /// Sets the file's mtime (the cleaner keeps the original segments' last-modified time).
    pub(crate) fn set_last_modified(&mut self, ms: i64) {
        self.last_modified_ms = ms;
    }

    /// Index (into [`Self::batches`]) of the first batch whose last offset is >= `offset`, found from
    /// the offset index's floor entry (`translateOffset`).
    pub fn translate_offset(&self, offset: i64) -> Option<usize> {
        // Most fetches ask for the log's end: past the last batch, no search is needed.
        if self.batches.back()?.batch.last_offset() < offset {
            return None;
        }
        let start_position = self.offset_index.lookup(offset).position;
        let mut batches = self.batches.focus();
        let from = partition_point(&mut batches, 0, |b| b.position < start_position);
        // Kafka scans forward from the index's floor entry; batches are sorted by offset, so a
        // binary search from the same place finds the same batch.
        let i = partition_point(&mut batches, from, |b| b.batch.last_offset() < offset);
        (i < self.batches.len()).then_some(i)
    }

    /// Removes every batch whose last offset is >= `offset` (`LogSegment.truncateTo`); returns the
    /// number of bytes removed.
    pub(crate) fn truncate_to(&mut self, offset: i64, now_ms: i64) -> u64 {
        self.offset_index.truncate_to(offset);
        self.time_index.truncate_to(offset);
        let Some(cut) = self.translate_offset(offset) else {
            self.bytes_since_last_index_entry = 0;
            return 0;
        };
        let removed: u64 = self.batches.iter().skip(cut).map(|b| u64::from(b.size_in_bytes)).sum();
        self.batches.truncate(cut);
        self.size_in_bytes -= removed;
        if self.size_in_bytes == 0 {
            self.created_ms = now_ms;
            self.rolling_based_timestamp = None;
        }
        self.bytes_since_last_index_entry = 0;
        self.max_timestamp_so_far = NO_TIMESTAMP;
        self.offset_of_max_timestamp_so_far = self.base_offset;
        for b in &self.batches {
            if b.batch.max_timestamp > self.max_timestamp_so_far {
                self.max_timestamp_so_far = b.batch.max_timestamp;
                self.offset_of_max_timestamp_so_far = b.batch.last_offset();
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::record::Record;

    fn batch(base: i64, ts: i64, value_len: usize) -> RecordBatch {
        let mut b = RecordBatch::new(vec![Record::new(ts, Some(b"k"), Some(&vec![b'v'; value_len]))]);
        b.base_offset = base;
        b
    }

    #[test]
    fn names_are_twenty_digits() {
        let s = LogSegment::new(42, &LogConfig::default(), 0);
        assert_eq!(s.file_name(), "00000000000000000042.log");
        assert_eq!(s.index_file_name(), "00000000000000000042.index");
        assert_eq!(s.time_index_file_name(), "00000000000000000042.timeindex");
    }

    #[test]
    fn index_entry_after_interval_bytes_points_at_the_write_start() {
        let config = LogConfig { index_interval_bytes: 100, ..LogConfig::default() };
        let mut s = LogSegment::new(0, &config, 0);
        for i in 0..4 {
            s.append(vec![Arc::new(batch(i, 1000 + i, 52))], i, 0); // 121 bytes each
        }
        // Entry after the 1st write (121 > 100): (offset 1, pos 121); after the 2nd: (offset 2, pos 242)...
        let entries = s.offset_index().entries();
        assert_eq!(entries.len(), 3);
        assert_eq!((entries[0].relative_offset, entries[0].position), (1, 121));
        assert_eq!(s.time_index().entries()[0].timestamp, 1001);
        assert_eq!(s.translate_offset(2), Some(2));
        assert_eq!(s.translate_offset(4), None);
        s.on_become_inactive();
        assert_eq!(s.time_index().entries().last().map(|e| e.timestamp), Some(1003));
    }

    #[test]
    fn rolls_on_size_and_time_as_kafka_checks() {
        let config = LogConfig { segment_bytes: 300, segment_ms: 1000, ..LogConfig::default() };
        let mut s = LogSegment::new(0, &config, 0);
        assert_eq!(s.should_roll(&config, 121, 10_000, 0, 0), None, "an empty segment never rolls on time");
        s.append(vec![Arc::new(batch(0, 5000, 52))], 0, 0);
        assert_eq!(s.should_roll(&config, 121, 6000, 1, 0), None); // 1000 is not > 1000
        assert_eq!(s.should_roll(&config, 121, 6001, 1, 0), Some(RollReason::SegmentMs));
        s.append(vec![Arc::new(batch(1, 5000, 52))], 1, 0);
        assert_eq!(s.should_roll(&config, 121, 5000, 2, 0), Some(RollReason::SegmentBytes));
        // 242 > 300-121
    }

    #[test]
    fn truncation_drops_whole_batches_and_resets_state() {
        let mut s = LogSegment::new(0, &LogConfig::default(), 0);
        s.append(vec![Arc::new(batch(0, 10, 5))], 0, 0);
        s.append(vec![Arc::new(batch(1, 20, 5))], 1, 0);
        assert_eq!(s.truncate_to(1, 7), u64::from(s.batches()[0].size_in_bytes));
        assert_eq!(s.next_offset(), 1);
        assert_eq!(s.max_timestamp_so_far(), Some(10));
        s.truncate_to(0, 9);
        assert!(s.is_empty());
        assert_eq!(s.created_ms(), 9);
        assert_eq!(s.max_timestamp_so_far(), None);
    }
}
