//! Sparse offset and time indexes of a segment (`OffsetIndex`, `TimeIndex`).
//!
//! Entries are added by [`super::segment::LogSegment::append`] every `index.interval.bytes`; a lookup
//! finds the floor entry and the reader scans forward from there, as Kafka does. Offsets are stored
//! relative to the segment's base offset (i32), as in the real files.

use serde::{Deserialize, Serialize};

/// Bytes per offset-index entry: relativeOffset i32 + position i32.
pub const OFFSET_INDEX_ENTRY_SIZE: u64 = 8;
/// Bytes per time-index entry: timestamp i64 + relativeOffset i32.
pub const TIME_INDEX_ENTRY_SIZE: u64 = 12;

/// One offset-index entry: the batch holding `base_offset + relative_offset` starts at `position`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetIndexEntry {
    pub relative_offset: i32,
    pub position: u32,
}

/// One time-index entry: records up to `base_offset + relative_offset` have timestamps <= `timestamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeIndexEntry {
    pub timestamp: i64,
    pub relative_offset: i32,
}

/// Result of an offset-index lookup: an absolute offset and the file position to scan from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetPosition {
    pub offset: i64,
    pub position: u32,
}

/// Capacity in entries of an index file of `segment.index.bytes`, rounded down to whole entries.
fn capacity(index_bytes: i64, entry_size: u64) -> usize {
    (index_bytes.max(0) as u64 / entry_size) as usize
}

/// The `.index` file: sparse map from offset to byte position in the `.log` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetIndex {
    base_offset: i64,
    max_entries: usize,
    entries: Vec<OffsetIndexEntry>,
}

impl OffsetIndex {
    /// An empty index that holds up to `segment.index.bytes / 8` entries.
    pub fn new(base_offset: i64, index_bytes: i64) -> Self {
        OffsetIndex { base_offset, max_entries: capacity(index_bytes, OFFSET_INDEX_ENTRY_SIZE), entries: Vec::new() }
    }

    /// The entries, oldest first, for drawing.
    pub fn entries(&self) -> &[OffsetIndexEntry] {
        &self.entries
    }

    /// A full index forces a segment roll.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_entries
    }

    /// Bytes the entries take in the `.index` file.
    pub fn size_in_bytes(&self) -> u64 {
        self.entries.len() as u64 * OFFSET_INDEX_ENTRY_SIZE
    }

    /// Whether `offset` fits the i32 relative offset of this segment (else the segment must roll).
    pub fn can_append_offset(&self, offset: i64) -> bool {
        offset.checked_sub(self.base_offset).is_some_and(|d| (0..=i64::from(i32::MAX)).contains(&d))
    }

    /// Adds `offset -> position` if the index has room and `offset` is beyond the last entry.
    pub(crate) fn append(&mut self, offset: i64, position: u32) {
        let newer = self.entries.last().is_none_or(|e| offset > self.base_offset + i64::from(e.relative_offset));
        if !self.is_full() && newer && self.can_append_offset(offset) {
            self.entries.push(OffsetIndexEntry { relative_offset: (offset - self.base_offset) as i32, position });
        }
    }

    /// Floor lookup: the last entry with offset <= `target`, or (base offset, position 0).
    pub fn lookup(&self, target: i64) -> OffsetPosition {
        let n = self.entries.partition_point(|e| self.base_offset + i64::from(e.relative_offset) <= target);
        match n.checked_sub(1).and_then(|i| self.entries.get(i)) {
            Some(e) => OffsetPosition { offset: self.base_offset + i64::from(e.relative_offset), position: e.position },
            None => OffsetPosition { offset: self.base_offset, position: 0 },
        }
    }

    /// Drops entries for offsets >= `offset` (log truncation).
    pub(crate) fn truncate_to(&mut self, offset: i64) {
        self.entries.retain(|e| self.base_offset + i64::from(e.relative_offset) < offset);
    }
}

/// The `.timeindex` file: sparse map from timestamp to the offset where it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeIndex {
    base_offset: i64,
    max_entries: usize,
    entries: Vec<TimeIndexEntry>,
}

impl TimeIndex {
    /// An empty index that holds up to `segment.index.bytes / 12` entries.
    pub fn new(base_offset: i64, index_bytes: i64) -> Self {
        TimeIndex { base_offset, max_entries: capacity(index_bytes, TIME_INDEX_ENTRY_SIZE), entries: Vec::new() }
    }

    /// The entries, oldest first, for drawing.
    pub fn entries(&self) -> &[TimeIndexEntry] {
        &self.entries
    }

    /// A full index forces a segment roll.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_entries
    }

    /// Bytes the entries take in the `.timeindex` file.
    pub fn size_in_bytes(&self) -> u64 {
        self.entries.len() as u64 * TIME_INDEX_ENTRY_SIZE
    }

    /// Kafka's `maybeAppend`: adds an entry only when `timestamp` is greater than the last entry's
    /// (an empty index behaves as if its last timestamp were -1). `skip_full_check` is used when a
    /// segment is rolled and gets its final entry.
    pub(crate) fn maybe_append(&mut self, timestamp: i64, offset: i64, skip_full_check: bool) {
        let last_ts = self.entries.last().map_or(-1, |e| e.timestamp);
        let fits = offset.checked_sub(self.base_offset).is_some_and(|d| (0..=i64::from(i32::MAX)).contains(&d));
        if (skip_full_check || !self.is_full()) && timestamp > last_ts && fits {
            self.entries.push(TimeIndexEntry { timestamp, relative_offset: (offset - self.base_offset) as i32 });
        }
    }

    /// Floor lookup: the offset of the last entry with timestamp <= `timestamp`, or the base offset.
    pub fn lookup(&self, timestamp: i64) -> i64 {
        let n = self.entries.partition_point(|e| e.timestamp <= timestamp);
        n.checked_sub(1)
            .and_then(|i| self.entries.get(i))
            .map_or(self.base_offset, |e| self.base_offset + i64::from(e.relative_offset))
    }

    /// Drops entries for offsets >= `offset` (log truncation).
    pub(crate) fn truncate_to(&mut self, offset: i64) {
        self.entries.retain(|e| self.base_offset + i64::from(e.relative_offset) < offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_index_floor_lookup() {
        let mut idx = OffsetIndex::new(100, 10 * 1024 * 1024);
        assert_eq!(idx.lookup(150), OffsetPosition { offset: 100, position: 0 });
        idx.append(110, 500);
        idx.append(120, 900);
        idx.append(115, 1000); // not beyond the last entry: ignored, as Kafka refuses it
        assert_eq!(idx.entries().len(), 2);
        assert_eq!(idx.lookup(109), OffsetPosition { offset: 100, position: 0 });
        assert_eq!(idx.lookup(110), OffsetPosition { offset: 110, position: 500 });
        assert_eq!(idx.lookup(119), OffsetPosition { offset: 110, position: 500 });
        assert_eq!(idx.lookup(i64::MAX), OffsetPosition { offset: 120, position: 900 });
        assert_eq!(idx.size_in_bytes(), 16);
        idx.truncate_to(120);
        assert_eq!(idx.entries().len(), 1);
    }

    #[test]
    fn index_capacity_is_whole_entries() {
        let mut idx = OffsetIndex::new(0, 20); // 2 entries of 8 bytes
        idx.append(1, 0);
        assert!(!idx.is_full());
        idx.append(2, 0);
        assert!(idx.is_full());
        assert!(TimeIndex::new(0, 11).is_full());
        assert!(!idx.can_append_offset(i64::from(i32::MAX) + 1));
    }

    #[test]
    fn time_index_only_grows_in_timestamp() {
        let mut idx = TimeIndex::new(0, 1200);
        idx.maybe_append(-1, 0, false); // not > -1
        idx.maybe_append(1000, 3, false);
        idx.maybe_append(1000, 5, false); // same timestamp: ignored
        idx.maybe_append(2000, 7, false);
        assert_eq!(idx.entries().len(), 2);
        assert_eq!(idx.lookup(999), 0);
        assert_eq!(idx.lookup(1500), 3);
        assert_eq!(idx.lookup(2000), 7);
    }
}
