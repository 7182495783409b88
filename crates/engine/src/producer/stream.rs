//! A stream of generated records at a fixed rate, so a learner can watch traffic flow
//! without typing every record. Not part of Kafka: it plays the application calling `send()`.

use super::ProducerRecord;
use serde::{Deserialize, Serialize};

/// How a stream picks record keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "pattern")]
pub enum KeyPattern {
    /// Null keys: the sticky partitioner spreads batches.
    None,
    /// `prefix-0`, `prefix-1`, ... `prefix-(count-1)`, then again: per-key ordering is visible.
    Cycle { prefix: String, count: u32 },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stream {
    pub topic: String,
    pub records_per_sec: u32,
    pub keys: KeyPattern,
    /// Records sent so far; record n has value `v{n}`.
    pub sent: u64,
    /// Identifies this stream's timer chain.
    pub token: u64,
}

impl Stream {
    pub fn new(topic: String, records_per_sec: u32, keys: KeyPattern) -> Self {
        Stream { topic, records_per_sec: records_per_sec.max(1), keys, sent: 0, token: 0 }
    }

    /// Virtual milliseconds between two records (at least 1).
    pub fn interval_ms(&self) -> u64 {
        (1000 / self.records_per_sec as u64).max(1)
    }

    pub fn next_record(&mut self) -> ProducerRecord {
        let n = self.sent;
        self.sent += 1;
        let key = match &self.keys {
            KeyPattern::None => None,
            KeyPattern::Cycle { prefix, count } => {
                let mut key = Vec::with_capacity(prefix.len() + 6);
                key.extend_from_slice(prefix.as_bytes());
                key.push(b'-');
                key.extend_from_slice(itoa::Buffer::new().format(n % (*count).max(1) as u64).as_bytes());
                Some(key)
            }
        };
        let mut value = Vec::with_capacity(8);
        value.push(b'v');
        value.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        ProducerRecord { topic: self.topic.clone(), partition: None, key, value: Some(value), headers: Vec::new() }
    }
}
