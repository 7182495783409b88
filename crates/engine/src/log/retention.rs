//! Time- and size-based retention (`UnifiedLog.deleteOldSegments`): whole segments only, oldest
//! first, never at or above the high watermark.

use super::partition_log::Log;
use super::segment::LogSegment;
use serde::{Deserialize, Serialize};

/// Why a segment was deleted (Kafka's `SegmentDeletionReason`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SegmentDeletionReason {
    /// DeleteRecords moved the log start offset past the whole segment.
    LogStartOffsetBreach,
    /// `retention.bytes`: the log was bigger than allowed.
    RetentionSizeBreach,
    /// `retention.ms`: the segment's newest timestamp is too old.
    RetentionMsBreach,
}

/// A deleted segment, for narration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedSegment {
    pub base_offset: i64,
    /// The next segment's base offset (or the LEO): the offsets [base_offset, upper_bound_offset) are gone.
    pub upper_bound_offset: i64,
    pub size_in_bytes: u64,
    pub largest_timestamp: i64,
    pub reason: SegmentDeletionReason,
}

/// What one retention pass did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionOutcome {
    pub deleted: Vec<DeletedSegment>,
    /// Base offset of the fresh active segment rolled because every segment, the active one included,
    /// was to be deleted (the log always keeps one segment).
    pub rolled_new_active_segment: Option<i64>,
    pub log_start_offset_before: i64,
    pub log_start_offset_after: i64,
}

impl Log {
    /// One retention check (`log.retention.check.interval.ms` tick): first segments below the log start
    /// offset, then, if `cleanup.policy` has `delete`, `retention.bytes`, then `retention.ms`.
    /// A segment is deletable only if its upper bound (next base, or LEO) is <= `high_watermark`;
    /// the scan stops at the first segment that is not.
    pub fn delete_old_segments(&mut self, high_watermark: i64, now_ms: i64) -> RetentionOutcome {
        self.observe_clock(now_ms);
        let mut outcome = RetentionOutcome {
            deleted: Vec::new(),
            rolled_new_active_segment: None,
            log_start_offset_before: self.log_start_offset,
            log_start_offset_after: self.log_start_offset,
        };
        let log_start = self.log_start_offset;
        self.delete_segments_while(
            high_watermark,
            now_ms,
            SegmentDeletionReason::LogStartOffsetBreach,
            &mut outcome,
            |_, next| next.is_some_and(|n| n.base_offset() <= log_start),
        );
        if self.config.cleanup_policy.delete {
            let retention_bytes = self.config.retention_bytes;
            let size = self.size_in_bytes() as i64;
            if retention_bytes >= 0 && size >= retention_bytes {
                let mut diff = size - retention_bytes;
                self.delete_segments_while(
                    high_watermark,
                    now_ms,
                    SegmentDeletionReason::RetentionSizeBreach,
                    &mut outcome,
                    |s, _| {
                        let delete = diff - s.size_in_bytes() as i64 >= 0;
                        if delete {
                            diff -= s.size_in_bytes() as i64;
                        }
                        delete
                    },
                );
            }
            let retention_ms = self.config.retention_ms;
            if retention_ms >= 0 {
                self.delete_segments_while(
                    high_watermark,
                    now_ms,
                    SegmentDeletionReason::RetentionMsBreach,
                    &mut outcome,
                    |s, _| now_ms.wrapping_sub(s.largest_timestamp()) > retention_ms,
                );
            }
        }
        outcome.log_start_offset_after = self.log_start_offset;
        outcome
    }

    /// `deletableSegments` + `deleteSegments` for one predicate.
    fn delete_segments_while(
        &mut self,
        high_watermark: i64,
        now_ms: i64,
        reason: SegmentDeletionReason,
        outcome: &mut RetentionOutcome,
        mut predicate: impl FnMut(&LogSegment, Option<&LogSegment>) -> bool,
    ) {
        let mut deletable = 0;
        for (i, segment) in self.segments.iter().enumerate() {
            let next = self.segments.get(i + 1);
            let is_last_and_empty = next.is_none() && segment.is_empty();
            let upper = next.map_or(self.log_end_offset, LogSegment::base_offset);
            if high_watermark >= upper && predicate(segment, next) && !is_last_and_empty {
                deletable += 1;
            } else {
                break;
            }
        }
        if deletable == 0 {
            return;
        }
        if deletable == self.segments.len() {
            outcome.rolled_new_active_segment = Some(self.roll(None, now_ms));
        }
        for (i, segment) in self.segments[..deletable].iter().enumerate() {
            outcome.deleted.push(DeletedSegment {
                base_offset: segment.base_offset(),
                upper_bound_offset: self.segments[i + 1].base_offset(),
                size_in_bytes: segment.size_in_bytes(),
                largest_timestamp: segment.largest_timestamp(),
                reason,
            });
        }
        let new_start = self.segments[deletable].base_offset();
        self.segments.drain(..deletable);
        self.log_start_offset = self.log_start_offset.max(new_start);
    }
}

#[cfg(test)]
mod tests {
    use crate::log::{Log, LogConfig, Record, RecordBatch};

    fn config() -> LogConfig {
        let mut c = LogConfig::default();
        c.set("segment.bytes", "200", true).unwrap();
        c
    }

    fn produce(log: &mut Log, ts: i64) {
        let batch = RecordBatch::new(vec![Record::new(ts, Some(b"key"), Some(&[7u8; 40]))]);
        log.append_as_leader(batch, 0, ts).unwrap();
    }

    /// 5 batches of 111 bytes with segment.bytes=200: one batch per segment, bases 0..4.
    fn log_with_five_segments() -> Log {
        let mut log = Log::new(config(), 0);
        for i in 0..5 {
            produce(&mut log, 1000 * (i + 1));
        }
        assert_eq!(log.segments().len(), 5);
        log
    }

    #[test]
    fn time_retention_deletes_old_segments_below_the_high_watermark() {
        let mut log = log_with_five_segments();
        log.config.retention_ms = 2500;
        // now=5000: segments with largest ts 1000 and 2000 are older than 2500 ms.
        let out = log.delete_old_segments(5, 5000);
        assert_eq!(out.deleted.iter().map(|d| d.base_offset).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(log.log_start_offset(), 2);
        // With the high watermark at 3, segment 2 ([2,3)) may go but not segment 3.
        let out = log.delete_old_segments(3, 100_000);
        assert_eq!(out.deleted.len(), 1);
        assert_eq!(log.log_start_offset(), 3);
    }

    #[test]
    fn whole_log_breach_rolls_a_fresh_active_segment_first() {
        let mut log = log_with_five_segments();
        log.config.retention_ms = 10;
        let out = log.delete_old_segments(5, 1_000_000);
        assert_eq!(out.deleted.len(), 5);
        assert_eq!(out.rolled_new_active_segment, Some(5));
        assert_eq!(log.segments().len(), 1);
        assert_eq!(log.log_start_offset(), 5);
        assert_eq!(log.log_end_offset(), 5);
        // Nothing more to delete: the empty active segment is never deleted.
        assert!(log.delete_old_segments(5, 2_000_000).deleted.is_empty());
    }

    #[test]
    fn size_retention_keeps_the_log_under_retention_bytes() {
        let mut log = log_with_five_segments();
        let seg = log.segments()[0].size_in_bytes() as i64;
        log.config.retention_bytes = 2 * seg + 1;
        let out = log.delete_old_segments(5, 0);
        assert_eq!(out.deleted.len(), 2, "5 segments, room for 2 plus a byte: delete 2");
        assert!(out.deleted.iter().all(|d| d.reason == super::SegmentDeletionReason::RetentionSizeBreach));
    }

    #[test]
    fn delete_records_then_start_offset_breach() {
        let mut log = log_with_five_segments();
        assert!(log.delete_records_before(6, 5).is_err());
        assert_eq!(log.delete_records_before(2, 5), Ok(2));
        log.config.retention_ms = -1;
        let out = log.delete_old_segments(5, 0);
        assert_eq!(out.deleted.len(), 2);
        assert_eq!(out.deleted[0].reason, super::SegmentDeletionReason::LogStartOffsetBreach);
        assert_eq!(log.segments()[0].base_offset(), 2);
    }
}
