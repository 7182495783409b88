//! `__transaction_state`: which partition holds a transactional id, and its records.
//!
//! The key is Kafka's `TransactionLogKey` version 0 (a big-endian i16 version, then the
//! transactional id as an i16-length string); the value is `TransactionLogValue` version 0:
//! producer id i64, producer epoch i16, timeout i32, state i8, the partitions (i32 topic count;
//! per topic its name and an i32 list of partitions), last update i64, start i64. A tombstone
//! (null value) removes a dead id, so compaction keeps one record per id.

use super::{TxnMetadata, TxnState};
use crate::group::offsets::{java_string_hash, kafka_abs, put_string, Reader};
use crate::log::Record;
use crate::protocol::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

/// The internal topic's name.
pub const TRANSACTION_STATE_TOPIC: &str = "__transaction_state";

const KEY_VERSION: i16 = 0;
const VALUE_VERSION: i16 = 0;

/// `TransactionStateManager.partitionFor`: `abs(transactionalId.hashCode()) % partitions`.
pub fn partition_for(transactional_id: &str, partitions: i32) -> i32 {
    kafka_abs(java_string_hash(transactional_id)) % partitions.max(1)
}

/// The record for a transactional id's metadata (a tombstone for `Dead`).
pub fn record(metadata: &TxnMetadata, now_ms: i64) -> Record {
    let mut key = KEY_VERSION.to_be_bytes().to_vec();
    put_string(&mut key, &metadata.transactional_id);
    let value = (metadata.state != TxnState::Dead).then(|| {
        let mut v = VALUE_VERSION.to_be_bytes().to_vec();
        v.extend_from_slice(&metadata.producer_id.to_be_bytes());
        v.extend_from_slice(&metadata.producer_epoch.to_be_bytes());
        v.extend_from_slice(&(metadata.timeout_ms.min(i32::MAX as u64) as i32).to_be_bytes());
        v.push(metadata.state.id() as u8);
        let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
        for tp in &metadata.partitions {
            by_topic.entry(&tp.topic).or_default().push(tp.partition);
        }
        v.extend_from_slice(&(by_topic.len() as i32).to_be_bytes());
        for (topic, partitions) in by_topic {
            put_string(&mut v, topic);
            v.extend_from_slice(&(partitions.len() as i32).to_be_bytes());
            for p in partitions {
                v.extend_from_slice(&p.to_be_bytes());
            }
        }
        v.extend_from_slice(&(metadata.last_update_ms as i64).to_be_bytes());
        v.extend_from_slice(&(metadata.start_ms as i64).to_be_bytes());
        v
    });
    Record { timestamp: now_ms, key: Some(key), value, headers: Vec::new() }
}

/// Decodes a record: the transactional id and its metadata (`None` for a tombstone). `None`
/// overall for bytes this coordinator does not write.
pub fn decode(record: &Record) -> Option<(String, Option<TxnMetadata>)> {
    let mut key = Reader { bytes: record.key.as_deref()? };
    if key.i16()? != KEY_VERSION {
        return None;
    }
    let transactional_id = key.string()?;
    let Some(value) = record.value.as_deref() else { return Some((transactional_id, None)) };
    let mut v = Reader { bytes: value };
    if v.i16()? != VALUE_VERSION {
        return None;
    }
    let producer_id = v.i64()?;
    let producer_epoch = v.i16()?;
    let timeout_ms = u64::try_from(v.i32()?).ok()?;
    let state = TxnState::from_id(v.take(1)?[0] as i8)?;
    let mut partitions = BTreeSet::new();
    for _ in 0..v.i32()? {
        let topic = v.string()?;
        for _ in 0..v.i32()? {
            partitions.insert(TopicPartition::new(topic.clone(), v.i32()?));
        }
    }
    let last_update_ms = u64::try_from(v.i64()?).ok()?;
    let start_ms = u64::try_from(v.i64()?).ok()?;
    let metadata = TxnMetadata {
        transactional_id: transactional_id.clone(),
        producer_id,
        producer_epoch,
        timeout_ms,
        state,
        partitions,
        start_ms,
        last_update_ms,
    };
    Some((transactional_id, Some(metadata)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_and_the_partition_follows_javas_hash_code() {
        let metadata = TxnMetadata {
            transactional_id: "processor-1".into(),
            producer_id: 3_000_001,
            producer_epoch: 4,
            timeout_ms: 60_000,
            state: TxnState::PrepareCommit,
            partitions: [TopicPartition::new("out", 0), TopicPartition::new("out", 2)].into_iter().collect(),
            start_ms: 100,
            last_update_ms: 250,
        };
        let record = record(&metadata, 250);
        assert_eq!(decode(&record), Some(("processor-1".to_string(), Some(metadata.clone()))));
        let dead = TxnMetadata { state: TxnState::Dead, ..metadata };
        assert_eq!(decode(&super::record(&dead, 300)), Some(("processor-1".to_string(), None)));
        // "txn".hashCode() = 115_306: 115_306 % 50 = 6.
        assert_eq!(partition_for("txn", 50), 6);
    }
}
