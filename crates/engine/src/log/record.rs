//! One Kafka record as a producer writes it and a consumer reads it.

use serde::{Deserialize, Serialize};

/// A record header: a UTF-8 key and nullable bytes (`RecordHeader`). Keys may repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// A record: timestamp, nullable key, nullable value (null = tombstone on a compacted topic), headers.
///
/// The timestamp is absolute (ms since epoch) as the producer set it (CreateTime); for a batch with
/// `LogAppendTime` the value a consumer sees is the batch's max timestamp, see
/// [`crate::log::RecordBatch::timestamp_of`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub timestamp: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

impl Record {
    /// A record without headers, the common case in scenarios.
    pub fn new(timestamp: i64, key: Option<&[u8]>, value: Option<&[u8]>) -> Self {
        Record { timestamp, key: key.map(<[u8]>::to_vec), value: value.map(<[u8]>::to_vec), headers: Vec::new() }
    }

    /// A tombstone (null value) marks a key for deletion on a compacted topic.
    pub fn is_tombstone(&self) -> bool {
        self.value.is_none()
    }
}
