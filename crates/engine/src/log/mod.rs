//! Kafka's partition log: records, RecordBatch v2 bytes, segments, indexes, retention, compaction.
//!
//! The engine's brokers own one [`Log`] per replica. Leaders call [`Log::append_as_leader`], followers
//! [`Log::append_as_follower`] and [`Log::truncate_to`]; fetches call [`Log::read`] with the high
//! watermark (consumers) or the log end offset (followers) as upper bound; periodic tasks call
//! [`Log::delete_old_segments`] and [`Log::compact`]. Everything is deterministic: time is always passed in.

pub mod batch;
pub mod batch_json;
pub mod compaction;
pub mod compression;
pub mod control;
pub mod error;
pub mod index;
pub mod log_config;
pub mod partition_log;
pub mod record;
pub mod retention;
pub mod segment;
pub mod topic_config;
pub mod varint;

pub use batch::{BatchError, BatchRecord, RecordBatch, TimestampType};
pub use compaction::{CleanableRange, CleanerStats, CompactionOutcome};
pub use compression::{CodecError, CompressionType};
pub use error::LogError;
pub use index::{OffsetIndex, OffsetIndexEntry, TimeIndex, TimeIndexEntry};
pub use log_config::{CleanupPolicy, LogConfig, TopicCompression};
pub use partition_log::{AppendInfo, AppendOrigin, Log, RollInfo, TimestampAndOffset};
pub use record::{Header, Record};
pub use retention::{DeletedSegment, RetentionOutcome, SegmentDeletionReason};
pub use segment::{LogSegment, RollReason, StoredBatch};
pub use topic_config::TopicConfig;
