//! Errors of the partition log, named after Kafka's error codes so narration can use them.

use std::fmt;

/// Why a log operation was refused. The Display text starts with Kafka's error name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogError {
    /// Fetch or ListOffsets outside `[log_start_offset, log_end_offset]`.
    OffsetOutOfRange { offset: i64, log_start_offset: i64, log_end_offset: i64 },
    /// DeleteRecords beyond the high watermark (or negative).
    DeleteBeyondHighWatermark { offset: i64, high_watermark: i64 },
    /// The leader's validation failed (`InvalidRecordException`): null key on a compacted topic,
    /// base offset not 0 from a client, record count inconsistent with offsets, ...
    InvalidRecord { reason: String },
    /// Batch bigger than `max.message.bytes` (`RecordTooLargeException`).
    MessageTooLarge { batch_size: u64, max_message_bytes: i64 },
    /// Batch bigger than `segment.bytes` (`RecordBatchTooLargeException`).
    RecordListTooLarge { batch_size: u64, segment_bytes: i64 },
    /// A follower was handed a batch below its log end offset (`UnexpectedAppendOffsetException`).
    UnexpectedAppendOffset { first_offset: i64, log_end_offset: i64 },
    /// The batch's attribute bits 0-2 name no codec (5, 6 or 7).
    UnsupportedCompression { codec: u8 },
    /// DeleteRecords on a topic whose `cleanup.policy` has no `delete`.
    PolicyViolation { reason: String },
    /// `truncate_to` with a negative offset.
    NegativeTruncation { offset: i64 },
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogError::OffsetOutOfRange { offset, log_start_offset, log_end_offset } => write!(
                f,
                "OFFSET_OUT_OF_RANGE: offset {offset} is outside the log [log start offset {log_start_offset}, log end offset {log_end_offset}]"
            ),
            LogError::DeleteBeyondHighWatermark { offset, high_watermark } => write!(
                f,
                "OFFSET_OUT_OF_RANGE: cannot move the log start offset to {offset}: it must be between 0 and the high watermark {high_watermark}"
            ),
            LogError::InvalidRecord { reason } => write!(f, "INVALID_RECORD: {reason}"),
            LogError::MessageTooLarge { batch_size, max_message_bytes } => write!(
                f,
                "MESSAGE_TOO_LARGE (RecordTooLargeException): the batch is {batch_size} bytes, more than max.message.bytes={max_message_bytes}"
            ),
            LogError::RecordListTooLarge { batch_size, segment_bytes } => write!(
                f,
                "RECORD_LIST_TOO_LARGE (RecordBatchTooLargeException): the batch is {batch_size} bytes, more than segment.bytes={segment_bytes}"
            ),
            LogError::UnexpectedAppendOffset { first_offset, log_end_offset } => write!(
                f,
                "UnexpectedAppendOffsetException: first offset {first_offset} is below the log end offset {log_end_offset}"
            ),
            LogError::UnsupportedCompression { codec } => write!(
                f,
                "UNSUPPORTED_COMPRESSION_TYPE: compression type id {codec} names no codec (0-4 are none, gzip, snappy, lz4, zstd)"
            ),
            LogError::PolicyViolation { reason } => write!(f, "POLICY_VIOLATION: {reason}"),
            LogError::NegativeTruncation { offset } => write!(f, "cannot truncate the log to a negative offset ({offset})"),
        }
    }
}

impl std::error::Error for LogError {}
