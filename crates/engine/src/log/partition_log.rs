//! The partition log (`UnifiedLog` + `LocalLog`): segments, log start offset, log end offset,
//! leader and follower appends, reads, truncation, ListOffsets by timestamp, DeleteRecords.
//! Retention and compaction live in [`super::retention`] and [`super::compaction`].

use super::batch::{RecordBatch, TimestampType};
use super::compression::CompressionType;
use super::error::LogError;
use super::log_config::LogConfig;
use super::segment::{LogSegment, RollReason, StoredBatch};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Who is appending as leader (`AppendOrigin`): clients may not write control batches and must send
/// base offset 0; the transaction coordinator writes control batches (markers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppendOrigin {
    Client,
    Coordinator,
}

/// A segment roll that happened during an append, for narration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollInfo {
    pub reason: RollReason,
    pub old_base_offset: i64,
    pub new_base_offset: i64,
}

/// What an append did (`LogAppendInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendInfo {
    pub first_offset: i64,
    pub last_offset: i64,
    pub record_count: usize,
    pub size_in_bytes: u64,
    /// Max timestamp of the appended batch (the append time for LogAppendTime).
    pub max_timestamp: i64,
    /// Set when the topic uses `message.timestamp.type=LogAppendTime`.
    pub log_append_time_ms: Option<i64>,
    /// Segment the batch landed in.
    pub segment_base_offset: i64,
    pub rolled: Option<RollInfo>,
    /// The producer's codec, when the leader recompressed the batch into the topic's.
    pub recompressed_from: Option<CompressionType>,
}

/// Answer of a ListOffsets-by-timestamp lookup (`TimestampAndOffset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampAndOffset {
    pub timestamp: i64,
    pub offset: i64,
    /// The batch's partition leader epoch, if stamped.
    pub leader_epoch: Option<i32>,
}

/// One replica's copy of a partition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Log {
    pub(super) config: LogConfig,
    /// Oldest first; never empty; the last one is the active segment.
    pub(super) segments: Vec<LogSegment>,
    pub(super) log_start_offset: i64,
    pub(super) log_end_offset: i64,
    /// The log cleaner's checkpoint: the first dirty offset.
    pub(super) cleaner_checkpoint: Option<i64>,
    /// The latest virtual time this log was told about; used where Kafka reads the wall clock but the
    /// API passes no time (follower appends, truncation).
    pub(super) clock_ms: i64,
}

impl Log {
    /// An empty log with one empty segment at offset 0.
    pub fn new(config: LogConfig, now_ms: i64) -> Self {
        let segment = LogSegment::new(0, &config, now_ms);
        Log {
            config,
            segments: vec![segment],
            log_start_offset: 0,
            log_end_offset: 0,
            cleaner_checkpoint: None,
            clock_ms: now_ms,
        }
    }

    pub fn config(&self) -> &LogConfig {
        &self.config
    }

    /// Applies a topic config change (AlterConfigs); existing segments keep their index capacity.
    pub fn set_config(&mut self, config: LogConfig) {
        self.config = config;
    }

    /// First offset still readable; fetching below it is OFFSET_OUT_OF_RANGE.
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    /// Next offset to be assigned (LEO).
    pub fn log_end_offset(&self) -> i64 {
        self.log_end_offset
    }

    /// Segments, oldest first; the last one is active.
    pub fn segments(&self) -> &[LogSegment] {
        &self.segments
    }

    /// The segment that receives appends.
    pub fn active_segment(&self) -> &LogSegment {
        // `segments` is never empty: every operation that removes segments keeps or creates one.
        &self.segments[self.segments.len() - 1]
    }

    /// Total bytes of all segments.
    pub fn size_in_bytes(&self) -> u64 {
        self.segments.iter().map(LogSegment::size_in_bytes).sum()
    }

    /// All stored batches, oldest first (for checkers and drawing).
    pub fn batches(&self) -> impl Iterator<Item = &StoredBatch> {
        self.segments.iter().flat_map(|s| s.batches().iter())
    }

    /// The cleaner's first dirty offset, once compaction has run.
    pub fn cleaner_checkpoint(&self) -> Option<i64> {
        self.cleaner_checkpoint
    }

    pub(super) fn observe_clock(&mut self, now_ms: i64) {
        self.clock_ms = self.clock_ms.max(now_ms);
    }

    /// A produce from a client on the leader; see [`Self::append_as_leader_from`].
    pub fn append_as_leader(
        &mut self,
        batch: RecordBatch,
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        self.append_as_leader_from(batch, leader_epoch, now_ms, AppendOrigin::Client)
    }

    /// The leader's append (`UnifiedLog.appendAsLeader` + `LogValidator`): validates the batch,
    /// assigns offsets from the log end offset, stamps the leader epoch (and the append time for
    /// LogAppendTime topics), rolls the segment if needed, and appends.
    pub fn append_as_leader_from(
        &mut self,
        mut batch: RecordBatch,
        leader_epoch: i32,
        now_ms: i64,
        origin: AppendOrigin,
    ) -> Result<AppendInfo, LogError> {
        self.observe_clock(now_ms);
        check_codec(&batch)?;
        // LogValidator: a topic codec other than the batch's (and not `producer`) recompresses it;
        // the size that counts (max.message.bytes, segments) is the stored batch's.
        let recompressed_from = batch.compression();
        batch.set_compression(self.config.compression_type.target(recompressed_from));
        let size = batch.size_in_bytes() as u64;
        if origin == AppendOrigin::Client && batch.base_offset != 0 {
            return Err(invalid(format!("the base offset of a produced batch must be 0, not {}", batch.base_offset)));
        }
        if size as i64 > self.config.max_message_bytes {
            return Err(LogError::MessageTooLarge {
                batch_size: size,
                max_message_bytes: self.config.max_message_bytes,
            });
        }
        if origin == AppendOrigin::Client {
            validate_client_batch(&batch)?;
        }
        check_offset_deltas(&batch)?;
        if self.config.cleanup_policy.compact && !batch.is_control() {
            if let Some(i) = batch.records.iter().position(|r| r.record.key.is_none()) {
                return Err(invalid(format!("compacted topic cannot accept a message without key (record {i})")));
            }
        }
        let count = batch.records.len() as i64;
        batch.base_offset = self.log_end_offset;
        batch.last_offset_delta = (count - 1).max(0) as i32;
        batch.partition_leader_epoch = leader_epoch;
        let log_append_time_ms = match self.config.message_timestamp_type {
            TimestampType::LogAppendTime => {
                batch.set_timestamp_type(TimestampType::LogAppendTime);
                batch.max_timestamp = now_ms;
                Some(now_ms)
            }
            TimestampType::CreateTime => {
                batch.set_timestamp_type(TimestampType::CreateTime);
                if let Some(max) = batch.records.iter().map(|r| r.record.timestamp).max() {
                    batch.max_timestamp = max;
                }
                None
            }
        };
        let compression = batch.compression();
        let mut info = self.append_batch(Arc::new(batch), size, now_ms)?;
        info.log_append_time_ms = log_append_time_ms;
        info.recompressed_from = (recompressed_from != compression).then_some(recompressed_from);
        Ok(info)
    }

    /// A follower's append of a batch fetched from the leader (`appendAsFollower`): offsets, epoch and
    /// timestamps are kept. Kafka only requires the batch not to start below the log end offset (it
    /// may start above it: the leader's compaction leaves gaps).
    pub fn append_as_follower(&mut self, batch: Arc<RecordBatch>) -> Result<AppendInfo, LogError> {
        check_codec(&batch)?;
        if batch.base_offset < self.log_end_offset {
            return Err(LogError::UnexpectedAppendOffset {
                first_offset: batch.base_offset,
                log_end_offset: self.log_end_offset,
            });
        }
        if batch.last_offset_delta < 0 {
            return Err(invalid(format!("negative last offset delta {}", batch.last_offset_delta)));
        }
        check_offset_deltas(&batch)?;
        let size = batch.size_in_bytes() as u64;
        let now_ms = self.clock_ms;
        self.append_batch(batch, size, now_ms)
    }

    /// Size check, roll, append, advance the log end offset.
    fn append_batch(&mut self, batch: Arc<RecordBatch>, size: u64, now_ms: i64) -> Result<AppendInfo, LogError> {
        if size as i64 > self.config.segment_bytes {
            return Err(LogError::RecordListTooLarge { batch_size: size, segment_bytes: self.config.segment_bytes });
        }
        let (first_offset, last_offset) = (batch.base_offset, batch.last_offset());
        let rolled = self.maybe_roll(size, batch.max_timestamp, first_offset, last_offset, now_ms);
        let info = AppendInfo {
            first_offset,
            last_offset,
            record_count: batch.records.len(),
            size_in_bytes: size,
            max_timestamp: batch.max_timestamp,
            log_append_time_ms: None,
            segment_base_offset: self.active_segment().base_offset(),
            rolled,
            recompressed_from: None,
        };
        let last = self.segments.len() - 1;
        self.segments[last].append(vec![batch], last_offset, now_ms);
        self.log_end_offset = last_offset + 1;
        Ok(info)
    }

    fn maybe_roll(
        &mut self,
        size: u64,
        max_ts: i64,
        first_offset: i64,
        last_offset: i64,
        now_ms: i64,
    ) -> Option<RollInfo> {
        let active = self.active_segment();
        let reason = active.should_roll(&self.config, size, max_ts, last_offset, now_ms)?;
        let old_base_offset = active.base_offset();
        let new_base_offset = self.roll(Some(first_offset), now_ms);
        Some(RollInfo { reason, old_base_offset, new_base_offset })
    }

    /// `LocalLog.roll`: the active segment becomes inactive and a new empty one starts at
    /// `max(expected_next_offset, log end offset)`. An empty active segment at that offset is replaced.
    pub(super) fn roll(&mut self, expected_next_offset: Option<i64>, now_ms: i64) -> i64 {
        let new_base = expected_next_offset.unwrap_or(0).max(self.log_end_offset);
        let fresh = LogSegment::new(new_base, &self.config, now_ms);
        let last = self.segments.len() - 1;
        if self.segments[last].base_offset() == new_base && self.segments[last].is_empty() {
            self.segments[last] = fresh;
        } else {
            self.segments[last].on_become_inactive();
            self.segments.push(fresh);
        }
        new_base
    }

    /// Reads whole batches from `from_offset` (`UnifiedLog.read` with minOneMessage): returns batches
    /// from the first segment that has data at or after `from_offset`, up to `max_bytes` (but always
    /// the first batch if it lies below the bound), never reaching into the batch that contains
    /// `upper_bound_exclusive` (the high watermark for consumers, the LEO for followers).
    /// The first batch may start below `from_offset`; the reader skips those records.
    pub fn read(
        &self,
        from_offset: i64,
        max_bytes: u64,
        upper_bound_exclusive: i64,
    ) -> Result<Vec<Arc<RecordBatch>>, LogError> {
        if from_offset < self.log_start_offset || from_offset > self.log_end_offset {
            return Err(self.out_of_range(from_offset));
        }
        let upper = upper_bound_exclusive.min(self.log_end_offset);
        let Some(first) = self.floor_segment(from_offset) else {
            return Err(self.out_of_range(from_offset));
        };
        if from_offset >= upper {
            return Ok(Vec::new());
        }
        let (upper_segment, upper_position) = self.position_of(upper);
        for segment in &self.segments[first..] {
            let max_position = match segment.base_offset().cmp(&upper_segment) {
                std::cmp::Ordering::Less => segment.size_in_bytes(),
                std::cmp::Ordering::Equal => upper_position,
                std::cmp::Ordering::Greater => return Ok(Vec::new()),
            };
            let Some(start) = segment.translate_offset(from_offset) else { continue };
            let first = &segment.batches()[start];
            let start_position = u64::from(first.position);
            let adjusted_max = max_bytes.max(u64::from(first.size_in_bytes));
            let fetch_size = max_position.saturating_sub(start_position).min(adjusted_max);
            return Ok(segment
                .batches()
                .focus()
                .narrow(start..)
                .into_iter()
                .take_while(|b| u64::from(b.position) + u64::from(b.size_in_bytes) - start_position <= fetch_size)
                .map(|b| Arc::clone(&b.batch))
                .collect());
        }
        Ok(Vec::new())
    }

    fn out_of_range(&self, offset: i64) -> LogError {
        LogError::OffsetOutOfRange {
            offset,
            log_start_offset: self.log_start_offset,
            log_end_offset: self.log_end_offset,
        }
    }

    /// Index of the last segment whose base offset is <= `offset`.
    pub(super) fn floor_segment(&self, offset: i64) -> Option<usize> {
        self.segments.partition_point(|s| s.base_offset() <= offset).checked_sub(1)
    }

    /// (segment base offset, byte position) of `offset`: the start of the batch holding it, or the
    /// segment's end (`LogOffsetMetadata` of the high watermark or LEO).
    fn position_of(&self, offset: i64) -> (i64, u64) {
        let index = self.floor_segment(offset).unwrap_or(0);
        let segment = &self.segments[index];
        let position = segment
            .translate_offset(offset)
            .map_or(segment.size_in_bytes(), |i| u64::from(segment.batches()[i].position));
        (segment.base_offset(), position)
    }

    /// ListOffsets / `offsetsForTimes` (`fetchOffsetByTimestamp`): the earliest offset at or after the
    /// log start whose timestamp is >= `timestamp`, searched in the first segment whose largest
    /// timestamp is >= `timestamp`. `None` means no such record (Kafka answers offset -1).
    pub fn offset_for_timestamp(&self, timestamp: i64) -> Option<TimestampAndOffset> {
        let segment = self.segments.iter().find(|s| s.largest_timestamp() >= timestamp)?;
        let from_time_index = segment.time_index().lookup(timestamp);
        let start_position = segment.offset_index().lookup(from_time_index.max(self.log_start_offset)).position;
        segment
            .batches()
            .iter()
            .skip_while(|b| b.position < start_position)
            .filter(|b| b.batch.max_timestamp >= timestamp)
            .find_map(|b| {
                b.batch.records.iter().find_map(|r| {
                    let (ts, offset) = (b.batch.timestamp_of(r), b.batch.offset_of(r));
                    (ts >= timestamp && offset >= self.log_start_offset).then_some(TimestampAndOffset {
                        timestamp: ts,
                        offset,
                        leader_epoch: (b.batch.partition_leader_epoch >= 0).then_some(b.batch.partition_leader_epoch),
                    })
                })
            })
    }

    /// DeleteRecords (`Partition.deleteRecordsOnLeader`): moves the log start offset up to `offset`
    /// (-1 = the high watermark). Segments entirely below it go at the next retention pass. Returns the
    /// new log start offset (the low watermark).
    pub fn delete_records_before(&mut self, offset: i64, high_watermark: i64) -> Result<i64, LogError> {
        if !self.config.cleanup_policy.delete {
            return Err(LogError::PolicyViolation {
                reason: format!(
                    "records cannot be deleted because cleanup.policy={} has no `delete`",
                    self.config.cleanup_policy.name()
                ),
            });
        }
        let target = if offset == -1 { high_watermark } else { offset };
        if target < 0 || target > high_watermark {
            return Err(LogError::DeleteBeyondHighWatermark { offset: target, high_watermark });
        }
        self.log_start_offset = self.log_start_offset.max(target);
        Ok(self.log_start_offset)
    }

    /// `UnifiedLog.maybeIncrementLogStartOffset`: moves the log start offset up to `offset`, never
    /// past the high watermark; segments wholly below it go at the next retention pass. Returns
    /// whether it moved.
    pub fn maybe_increment_log_start_offset(&mut self, offset: i64, high_watermark: i64) -> bool {
        let moved = offset > self.log_start_offset && offset <= high_watermark;
        if moved {
            self.log_start_offset = offset;
        }
        moved
    }

    /// Follower truncation (`UnifiedLog.truncateTo`): removes every batch with offsets >= `offset`
    /// (a batch straddling it goes whole) and sets the log end offset to `offset`. Returns whether
    /// anything changed.
    pub fn truncate_to(&mut self, offset: i64) -> Result<bool, LogError> {
        if offset < 0 {
            return Err(LogError::NegativeTruncation { offset });
        }
        if offset >= self.log_end_offset {
            return Ok(false);
        }
        if self.segments[0].base_offset() > offset {
            self.truncate_fully_and_start_at(offset);
            return Ok(true);
        }
        self.segments.retain(|s| s.base_offset() <= offset);
        let now_ms = self.clock_ms;
        let last = self.segments.len() - 1;
        self.segments[last].truncate_to(offset, now_ms);
        self.log_end_offset = offset;
        self.log_start_offset = self.log_start_offset.min(offset);
        self.cleaner_checkpoint = self.cleaner_checkpoint.map(|c| c.min(offset));
        Ok(true)
    }

    /// Drops everything and restarts the log at `offset` (a follower far behind the leader's log start).
    pub fn truncate_fully_and_start_at(&mut self, offset: i64) {
        self.segments = vec![LogSegment::new(offset, &self.config, self.clock_ms)];
        self.log_start_offset = offset;
        self.log_end_offset = offset;
        self.cleaner_checkpoint = None;
    }
}

fn invalid(reason: String) -> LogError {
    LogError::InvalidRecord { reason }
}

/// Attribute bits 0-2 must name a codec (5-7 name none).
fn check_codec(batch: &RecordBatch) -> Result<(), LogError> {
    match CompressionType::from_id(batch.compression_codec()) {
        Some(_) => Ok(()),
        None => Err(LogError::UnsupportedCompression { codec: batch.compression_codec() }),
    }
}

/// `LogValidator.validateBatch` for client appends.
fn validate_client_batch(batch: &RecordBatch) -> Result<(), LogError> {
    let count_from_offsets = i64::from(batch.last_offset_delta) + 1;
    let count = batch.records.len() as i64;
    if count_from_offsets <= 0 {
        return Err(invalid(format!(
            "batch has an invalid offset range: last offset delta {}",
            batch.last_offset_delta
        )));
    }
    if count == 0 {
        return Err(invalid("invalid reported count for record batch: 0".into()));
    }
    if count_from_offsets != count {
        return Err(invalid(format!(
            "inconsistent batch offset range [0, {}] and count of records {count}",
            batch.last_offset_delta
        )));
    }
    if batch.is_control() {
        return Err(invalid("clients are not allowed to write control records".into()));
    }
    if batch.has_producer_id() && batch.base_sequence < 0 {
        return Err(invalid(format!(
            "invalid sequence number {} in record batch with producerId {}",
            batch.base_sequence, batch.producer_id
        )));
    }
    Ok(())
}

/// Record offsets must increase and stay within the batch (`[0, lastOffsetDelta]`). Kafka does not
/// check this for uncompressed batches; the simulator does, so a malformed batch cannot break the
/// "offsets strictly increase" invariant of the log.
fn check_offset_deltas(batch: &RecordBatch) -> Result<(), LogError> {
    let mut previous = -1i64;
    for (i, r) in batch.records.iter().enumerate() {
        let delta = i64::from(r.offset_delta);
        if delta <= previous || delta > i64::from(batch.last_offset_delta) {
            return Err(invalid(format!(
                "record {i} has offset delta {delta}, not increasing within [0, {}]",
                batch.last_offset_delta
            )));
        }
        previous = delta;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Record;

    fn batch_of(n: usize, ts: i64) -> RecordBatch {
        RecordBatch::new((0..n).map(|i| Record::new(ts + i as i64, Some(b"k"), Some(b"value"))).collect())
    }

    fn small_segments() -> LogConfig {
        let mut c = LogConfig::default();
        c.set("segment.bytes", "200", true).unwrap(); // two 1-record batches (71 bytes) per segment
        c
    }

    /// Repetitive records, as a compressed batch: 20 records of one key and value.
    fn lz4_batch() -> RecordBatch {
        let mut batch = RecordBatch::new(
            (0..20).map(|i| Record::new(100 + i, Some(b"order-1"), Some(b"status=paid amount=100 EUR"))).collect(),
        );
        batch.set_compression(CompressionType::Lz4);
        batch
    }

    #[test]
    fn a_compressed_batch_is_stored_and_weighed_as_compressed() {
        let mut log = Log::new(LogConfig::default(), 0);
        let batch = lz4_batch();
        let (compressed, uncompressed) = (batch.size_in_bytes() as u64, batch.uncompressed_size_in_bytes() as u64);
        assert!(compressed * 3 < uncompressed, "{compressed} vs {uncompressed}");
        let info = log.append_as_leader(batch, 1, 1000).unwrap();
        assert_eq!((info.size_in_bytes, info.recompressed_from), (compressed, None));
        assert_eq!(log.size_in_bytes(), compressed);
        let stored = &log.segments()[0].batches()[0];
        assert_eq!((stored.batch.compression(), u64::from(stored.size_in_bytes)), (CompressionType::Lz4, compressed));
        // The stored bytes, as a follower or consumer receives them, decode to the same records.
        let bytes = stored.batch.encode();
        assert_eq!(bytes.len() as u64, compressed);
        assert_eq!(RecordBatch::decode(&bytes).unwrap(), *stored.batch);
        let mut follower = Log::new(LogConfig::default(), 0);
        follower.append_as_follower(Arc::clone(&stored.batch)).unwrap();
        assert_eq!(follower.size_in_bytes(), compressed);
    }

    /// LogValidator: a topic codec other than `producer` recompresses whatever the producer sent.
    #[test]
    fn the_topic_codec_recompresses_other_codecs() {
        let mut config = LogConfig::default();
        config.set("compression.type", "gzip", false).unwrap();
        let mut log = Log::new(config, 0);
        let info = log.append_as_leader(lz4_batch(), 1, 1000).unwrap();
        assert_eq!(info.recompressed_from, Some(CompressionType::Lz4));
        let mut gzip = lz4_batch();
        gzip.set_compression(CompressionType::Gzip);
        assert_eq!(log.append_as_leader(gzip, 1, 1000).unwrap().recompressed_from, None);
        assert!(log.batches().all(|b| b.batch.compression() == CompressionType::Gzip));
        // `uncompressed` stores the records as they are.
        let mut config = LogConfig::default();
        config.set("compression.type", "uncompressed", false).unwrap();
        let mut plain = Log::new(config, 0);
        let info = plain.append_as_leader(lz4_batch(), 1, 1000).unwrap();
        assert_eq!(info.recompressed_from, Some(CompressionType::Lz4));
        assert_eq!(info.size_in_bytes, lz4_batch().uncompressed_size_in_bytes() as u64);
        // A codec id that names none is refused.
        let mut bad = batch_of(1, 0);
        bad.attributes |= 7;
        let err = log.append_as_leader(bad, 1, 1000).unwrap_err();
        assert!(err.to_string().starts_with("UNSUPPORTED_COMPRESSION_TYPE"), "{err}");
    }

    #[test]
    fn leader_assigns_offsets_and_stamps_the_epoch() {
        let mut log = Log::new(LogConfig::default(), 0);
        let a = log.append_as_leader(batch_of(3, 100), 7, 1000).unwrap();
        let b = log.append_as_leader(batch_of(2, 200), 7, 1001).unwrap();
        assert_eq!((a.first_offset, a.last_offset, b.first_offset, b.last_offset), (0, 2, 3, 4));
        assert_eq!(log.log_end_offset(), 5);
        let stored = &log.segments()[0].batches()[1].batch;
        assert_eq!((stored.base_offset, stored.partition_leader_epoch, stored.max_timestamp), (3, 7, 201));
        let mut not_zero = batch_of(1, 0);
        not_zero.base_offset = 9;
        assert!(matches!(log.append_as_leader(not_zero, 7, 0), Err(LogError::InvalidRecord { .. })));
        let mut control = batch_of(1, 0);
        control.set_control(true);
        assert!(log.append_as_leader(control.clone(), 7, 0).is_err());
        assert!(log.append_as_leader_from(control, 7, 0, AppendOrigin::Coordinator).is_ok());
    }

    #[test]
    fn log_append_time_stamps_the_broker_clock() {
        let mut config = LogConfig::default();
        config.set("message.timestamp.type", "LogAppendTime", false).unwrap();
        let mut log = Log::new(config, 0);
        let info = log.append_as_leader(batch_of(2, 100), 0, 5000).unwrap();
        assert_eq!((info.log_append_time_ms, info.max_timestamp), (Some(5000), 5000));
        let b = &log.segments()[0].batches()[0].batch;
        assert_eq!(b.timestamp_of(&b.records[0]), 5000);
        assert_eq!(b.records[0].record.timestamp, 100, "the record keeps the producer's timestamp");
    }

    #[test]
    fn size_limits_use_kafka_error_names() {
        let mut config = small_segments();
        config.max_message_bytes = 80;
        let mut log = Log::new(config, 0);
        let err = log.append_as_leader(batch_of(2, 0), 0, 0).unwrap_err();
        assert!(err.to_string().starts_with("MESSAGE_TOO_LARGE"));
        log.config.max_message_bytes = 10_000;
        let err = log.append_as_leader(batch_of(12, 0), 0, 0).unwrap_err();
        assert!(err.to_string().starts_with("RECORD_LIST_TOO_LARGE"), "{err}");
    }

    #[test]
    fn segments_roll_on_size() {
        let mut log = Log::new(small_segments(), 0);
        let infos: Vec<_> = (0..5).map(|i| log.append_as_leader(batch_of(1, i), 0, i).unwrap()).collect();
        assert_eq!(log.segments().iter().map(LogSegment::base_offset).collect::<Vec<_>>(), vec![0, 2, 4]);
        assert_eq!(
            infos[2].rolled.map(|r| (r.reason, r.old_base_offset, r.new_base_offset)),
            Some((RollReason::SegmentBytes, 0, 2))
        );
        assert_eq!(log.segments()[1].file_name(), "00000000000000000002.log");
    }

    #[test]
    fn reads_respect_bounds_and_return_at_least_one_batch() {
        let mut log = Log::new(small_segments(), 0);
        for i in 0..5 {
            log.append_as_leader(batch_of(1, i), 0, i).unwrap();
        }
        let offsets = |batches: Vec<Arc<RecordBatch>>| batches.iter().map(|b| b.base_offset).collect::<Vec<_>>();
        assert_eq!(offsets(log.read(0, 1, 5).unwrap()), vec![0], "max_bytes 1 still returns one batch");
        assert_eq!(offsets(log.read(0, 10_000, 5).unwrap()), vec![0, 1], "one segment per read");
        assert_eq!(offsets(log.read(2, 10_000, 3).unwrap()), vec![2], "stops at the high watermark");
        assert_eq!(offsets(log.read(3, 10_000, 3).unwrap()), Vec::<i64>::new(), "at the bound: empty");
        assert_eq!(offsets(log.read(5, 10_000, 5).unwrap()), Vec::<i64>::new(), "at the LEO: empty");
        assert!(matches!(log.read(6, 1, 5), Err(LogError::OffsetOutOfRange { .. })));
        log.delete_records_before(2, 5).unwrap();
        let err = log.read(1, 1, 5).unwrap_err();
        assert!(err.to_string().starts_with("OFFSET_OUT_OF_RANGE"));
    }

    #[test]
    fn follower_keeps_offsets_and_truncates() {
        let mut leader = Log::new(small_segments(), 0);
        let mut follower = Log::new(small_segments(), 0);
        for i in 0..5 {
            leader.append_as_leader(batch_of(1, i), 3, i).unwrap();
        }
        for b in leader.read(0, u64::MAX, 5).unwrap() {
            follower.append_as_follower(b).unwrap();
        }
        for b in leader.read(2, u64::MAX, 5).unwrap().into_iter().chain(leader.read(4, u64::MAX, 5).unwrap()) {
            follower.append_as_follower(b).unwrap();
        }
        assert_eq!(follower.log_end_offset(), 5);
        assert_eq!(follower.segments().len(), leader.segments().len());
        assert!(matches!(
            follower.append_as_follower(Arc::new(batch_of(1, 0))),
            Err(LogError::UnexpectedAppendOffset { .. })
        ));
        assert_eq!(follower.truncate_to(3), Ok(true));
        assert_eq!((follower.log_end_offset(), follower.segments().len()), (3, 2));
        assert_eq!(follower.truncate_to(9), Ok(false));
        assert!(follower.truncate_to(-1).is_err());
        // A gap left by the leader's compaction is accepted.
        let mut gap = batch_of(1, 9);
        gap.base_offset = 7;
        assert_eq!(follower.append_as_follower(Arc::new(gap)).map(|i| i.first_offset), Ok(7));
        assert_eq!(follower.log_end_offset(), 8);
    }

    #[test]
    fn offset_for_timestamp_finds_the_first_record_at_or_after() {
        let mut log = Log::new(small_segments(), 0);
        for ts in [100, 200, 300, 400] {
            log.append_as_leader(batch_of(1, ts), 2, ts).unwrap();
        }
        let at = |ts| log.offset_for_timestamp(ts).map(|t| (t.offset, t.timestamp));
        assert_eq!(at(0), Some((0, 100)));
        assert_eq!(at(200), Some((1, 200)));
        assert_eq!(at(201), Some((2, 300)));
        assert_eq!(at(401), None);
        assert_eq!(log.offset_for_timestamp(300).and_then(|t| t.leader_epoch), Some(2));
    }

    #[test]
    fn delete_records_moves_only_forward_and_needs_delete_policy() {
        let mut log = Log::new(LogConfig::default(), 0);
        log.append_as_leader(batch_of(5, 0), 0, 0).unwrap();
        assert_eq!(log.delete_records_before(-1, 4), Ok(4));
        assert_eq!(log.delete_records_before(2, 4), Ok(4));
        let mut compacted = LogConfig::default();
        compacted.set("cleanup.policy", "compact", false).unwrap();
        let err = Log::new(compacted, 0).delete_records_before(0, 0).unwrap_err();
        assert!(err.to_string().starts_with("POLICY_VIOLATION"));
    }
}
