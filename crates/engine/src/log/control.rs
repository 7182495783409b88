//! Control records (`ControlRecordType`, `EndTransactionMarker`): the COMMIT and ABORT markers a
//! partition leader appends for the transaction coordinator. A marker is a batch of its own with
//! the transactional and control attribute bits set and one record whose key is
//! `version i16 (0), type i16` and whose value is `version i16 (0), coordinatorEpoch i32`, as
//! Kafka's `MemoryRecords.withEndTransactionMarker` writes it.

use super::batch::{RecordBatch, NO_SEQUENCE};
use super::record::Record;
use serde::Serialize;

const CONTROL_RECORD_KEY_VERSION: i16 = 0;
const END_TXN_MARKER_VALUE_VERSION: i16 = 0;

/// The control record types of transaction markers (Kafka's `ControlRecordType` 0 and 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlRecordType {
    Abort,
    Commit,
}

impl ControlRecordType {
    fn code(self) -> i16 {
        match self {
            ControlRecordType::Abort => 0,
            ControlRecordType::Commit => 1,
        }
    }
}

/// A transaction marker: commit or abort, and the coordinator's epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EndTransactionMarker {
    pub control_type: ControlRecordType,
    pub coordinator_epoch: i32,
}

impl EndTransactionMarker {
    /// The control batch (base offset 0, as a leader receives it) for `producer_id`'s transaction.
    pub fn to_batch(self, producer_id: i64, producer_epoch: i16, timestamp: i64) -> RecordBatch {
        let mut key = CONTROL_RECORD_KEY_VERSION.to_be_bytes().to_vec();
        key.extend_from_slice(&self.control_type.code().to_be_bytes());
        let mut value = END_TXN_MARKER_VALUE_VERSION.to_be_bytes().to_vec();
        value.extend_from_slice(&self.coordinator_epoch.to_be_bytes());
        let mut batch = RecordBatch::new(vec![Record::new(timestamp, Some(&key), Some(&value))]);
        batch.producer_id = producer_id;
        batch.producer_epoch = producer_epoch;
        batch.base_sequence = NO_SEQUENCE;
        batch.set_transactional(true);
        batch.set_control(true);
        batch
    }

    /// The marker a control batch holds; `None` for any other batch.
    pub fn from_batch(batch: &RecordBatch) -> Option<EndTransactionMarker> {
        if !batch.is_control() {
            return None;
        }
        let record = &batch.records.first()?.record;
        let key = record.key.as_deref()?;
        let value = record.value.as_deref()?;
        if key.len() < 4 || value.len() < 6 {
            return None;
        }
        let control_type = match i16::from_be_bytes([key[2], key[3]]) {
            0 => ControlRecordType::Abort,
            1 => ControlRecordType::Commit,
            _ => return None,
        };
        let coordinator_epoch = i32::from_be_bytes([value[2], value[3], value[4], value[5]]);
        Some(EndTransactionMarker { control_type, coordinator_epoch })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_round_trips_through_its_bytes() {
        let marker = EndTransactionMarker { control_type: ControlRecordType::Commit, coordinator_epoch: 7 };
        let batch = marker.to_batch(42, 3, 1_700_000_000_000);
        let decoded = RecordBatch::decode(&batch.encode()).unwrap();
        assert!(decoded.is_control() && decoded.is_transactional());
        assert_eq!(decoded.base_sequence, -1);
        assert_eq!(EndTransactionMarker::from_batch(&decoded), Some(marker));
        assert_eq!(decoded.encode(), batch.encode());
    }
}
