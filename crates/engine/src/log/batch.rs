//! RecordBatch v2 (magic 2), byte-exact with Kafka's `DefaultRecordBatch` / `DefaultRecord`.
//!
//! Layout (big-endian, 61-byte header): baseOffset i64 · batchLength i32 · partitionLeaderEpoch i32 ·
//! magic i8 · crc u32 · attributes i16 · lastOffsetDelta i32 · baseTimestamp i64 · maxTimestamp i64 ·
//! producerId i64 · producerEpoch i16 · baseSequence i32 · recordsCount i32 · records.
//! The CRC-32C covers attributes..end, so baseOffset and partitionLeaderEpoch can be stamped by the broker
//! without recomputing it (and are therefore not protected by it).
//!
//! With a codec in attribute bits 0-2, the records section (everything after recordsCount) is that
//! codec's compressed stream of the records (`DefaultRecordBatch.compressedIterator`); the header
//! stays uncompressed. The in-memory batch always holds the records themselves.

use super::compression::{CodecError, CompressionType};
use super::record::{Header, Record};
use super::varint::{read_varint, read_varlong, varint_size, varlong_size, write_varint, write_varlong, VarintError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Bytes before the records: the fixed v2 header (`RECORD_BATCH_OVERHEAD`).
pub const RECORD_BATCH_OVERHEAD: usize = 61;
/// baseOffset + batchLength (`LOG_OVERHEAD`): batchLength counts the bytes after these 12.
pub const LOG_OVERHEAD: usize = 12;
/// The only batch format this simulator speaks.
pub const MAGIC_V2: i8 = 2;
/// `RecordBatch.NO_PRODUCER_ID`, `NO_PRODUCER_EPOCH`, `NO_SEQUENCE`, `NO_PARTITION_LEADER_EPOCH`, `NO_TIMESTAMP`.
pub const NO_PRODUCER_ID: i64 = -1;
pub const NO_PRODUCER_EPOCH: i16 = -1;
pub const NO_SEQUENCE: i32 = -1;
pub const NO_PARTITION_LEADER_EPOCH: i32 = -1;
pub const NO_TIMESTAMP: i64 = -1;

const CRC_OFFSET: usize = 17;
const ATTRIBUTES_OFFSET: usize = 21;
const COMPRESSION_MASK: i16 = 0x07;
const TIMESTAMP_TYPE_MASK: i16 = 0x08;
const TRANSACTIONAL_MASK: i16 = 0x10;
const CONTROL_MASK: i16 = 0x20;
const DELETE_HORIZON_MASK: i16 = 0x40;

/// Where a record's timestamp comes from (attribute bit 3; topic config `message.timestamp.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimestampType {
    CreateTime,
    LogAppendTime,
}

impl TimestampType {
    /// Kafka's spelling, as in `message.timestamp.type`.
    pub fn name(self) -> &'static str {
        match self {
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        }
    }
}

/// A record inside a batch: its position relative to the batch base plus the record itself.
///
/// Offset deltas are explicit because compaction leaves gaps (offsets never change).
/// `attributes` is the per-record byte that magic 2 leaves unused; it is kept so decoding then
/// encoding reproduces the original bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRecord {
    pub offset_delta: i32,
    pub attributes: i8,
    pub record: Record,
}

/// A RecordBatch v2 with every header field. Derived fields (batchLength, crc, recordsCount, magic)
/// are computed by [`RecordBatch::encode`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordBatch {
    /// Offset of the first record; the leader overwrites it with its log end offset.
    pub base_offset: i64,
    /// Leader epoch stamped by the leader at append; not covered by the CRC.
    pub partition_leader_epoch: i32,
    /// Raw attribute bits; use the accessors ([`Self::timestamp_type`], [`Self::is_transactional`], ...).
    pub attributes: i16,
    /// `lastOffset - baseOffset`; survives compaction even when the last record is removed.
    pub last_offset_delta: i32,
    /// Timestamp deltas are relative to this (first record's timestamp, or the delete horizon).
    pub base_timestamp: i64,
    /// Largest record timestamp, or the broker's append time for `LogAppendTime`.
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub records: Vec<BatchRecord>,
}

/// Why bytes are not a valid RecordBatch v2. Each message names Kafka's error
/// (`CORRUPT_MESSAGE` for CRC and size problems, `INVALID_RECORD` for bad record structure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchError {
    /// Fewer bytes than the field being read needs.
    Truncated {
        needed: usize,
        available: usize,
    },
    /// batchLength claims fewer bytes than a v2 header.
    LengthTooSmall {
        batch_length: i32,
    },
    /// Bytes remain after the batch that batchLength describes.
    TrailingBytes {
        batch_size: usize,
        extra: usize,
    },
    BadMagic {
        magic: i8,
    },
    BadCrc {
        stored: u32,
        computed: u32,
    },
    /// Attribute bits 0-2 name no codec (5, 6 or 7).
    UnknownCompression {
        codec: u8,
    },
    /// The compressed records section does not decode.
    Decompression(CodecError),
    NegativeRecordCount {
        count: i32,
    },
    /// The records section ended before `recordsCount` records were read.
    MissingRecords {
        declared: i32,
        read: usize,
    },
    /// Bytes are left in the batch after `recordsCount` records.
    UnreadRecordBytes {
        declared: i32,
        extra: usize,
    },
    /// A varint inside record `index` is malformed.
    BadVarint {
        index: usize,
        field: &'static str,
        error: VarintError,
    },
    /// A record's length prefix disagrees with its content.
    BadRecordLength {
        index: usize,
        declared: i32,
        actual: usize,
    },
    /// A length field is below -1 (or negative where null is not allowed).
    BadFieldLength {
        index: usize,
        field: &'static str,
        length: i32,
    },
    /// A header key is not UTF-8.
    HeaderKeyNotUtf8 {
        index: usize,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Truncated { needed, available } => {
                write!(f, "CORRUPT_MESSAGE: batch is truncated: need {needed} bytes, have {available}")
            }
            BatchError::LengthTooSmall { batch_length } => write!(
                f,
                "CORRUPT_MESSAGE: batchLength {batch_length} is smaller than the v2 header ({} bytes after baseOffset and batchLength)",
                RECORD_BATCH_OVERHEAD - LOG_OVERHEAD
            ),
            BatchError::TrailingBytes { batch_size, extra } => {
                write!(f, "CORRUPT_MESSAGE: {extra} trailing bytes after the {batch_size}-byte batch that batchLength describes")
            }
            BatchError::BadMagic { magic } => {
                write!(f, "CORRUPT_MESSAGE: magic byte is {magic}; only RecordBatch v2 (magic 2) is supported")
            }
            BatchError::BadCrc { stored, computed } => write!(
                f,
                "CORRUPT_MESSAGE: CRC mismatch: stored crc = {stored:#010x}, computed crc = {computed:#010x} (CRC-32C over attributes..end)"
            ),
            BatchError::UnknownCompression { codec } => {
                write!(f, "CORRUPT_MESSAGE: unknown compression type id {codec} in the batch attributes (0-4 are none, gzip, snappy, lz4, zstd)")
            }
            BatchError::Decompression(e) => write!(f, "CORRUPT_MESSAGE: {e}"),
            BatchError::NegativeRecordCount { count } => write!(f, "INVALID_RECORD: negative records count {count}"),
            BatchError::MissingRecords { declared, read } => write!(
                f,
                "INVALID_RECORD: recordsCount says {declared} records but the batch ends after {read} (premature end of batch)"
            ),
            BatchError::UnreadRecordBytes { declared, extra } => write!(
                f,
                "INVALID_RECORD: {extra} bytes left after the {declared} records that recordsCount declares"
            ),
            BatchError::BadVarint { index, field, error } => {
                write!(f, "INVALID_RECORD: record {index}: bad varint in {field}: {error}")
            }
            BatchError::BadRecordLength { index, declared, actual } => write!(
                f,
                "INVALID_RECORD: record {index}: length prefix says {declared} bytes but the record has {actual}"
            ),
            BatchError::BadFieldLength { index, field, length } => {
                write!(f, "INVALID_RECORD: record {index}: invalid {field} length {length}")
            }
            BatchError::HeaderKeyNotUtf8 { index } => write!(f, "INVALID_RECORD: record {index}: a header key is not valid UTF-8"),
        }
    }
}

impl std::error::Error for BatchError {}

impl RecordBatch {
    /// A batch as a producer builds it (`MemoryRecordsBuilder`): base offset 0, no leader epoch, no
    /// producer id, CreateTime, offset deltas 0..n, base timestamp = first record's, max = the largest.
    pub fn new(records: Vec<Record>) -> Self {
        let base_timestamp = records.first().map_or(NO_TIMESTAMP, |r| r.timestamp);
        let max_timestamp = records.iter().map(|r| r.timestamp).max().unwrap_or(NO_TIMESTAMP);
        let last_offset_delta = (records.len() as i32).saturating_sub(1).max(0);
        RecordBatch {
            base_offset: 0,
            partition_leader_epoch: NO_PARTITION_LEADER_EPOCH,
            attributes: 0,
            last_offset_delta,
            base_timestamp,
            max_timestamp,
            producer_id: NO_PRODUCER_ID,
            producer_epoch: NO_PRODUCER_EPOCH,
            base_sequence: NO_SEQUENCE,
            records: records
                .into_iter()
                .enumerate()
                .map(|(i, record)| BatchRecord { offset_delta: i as i32, attributes: 0, record })
                .collect(),
        }
    }

    /// The raw codec bits (attribute bits 0-2); 5-7 name no codec.
    pub fn compression_codec(&self) -> u8 {
        (self.attributes & COMPRESSION_MASK) as u8
    }

    /// The batch's codec; `none` for the ids that name none (which decode and the leader refuse).
    pub fn compression(&self) -> CompressionType {
        CompressionType::from_id(self.compression_codec()).unwrap_or_default()
    }

    /// Sets attribute bits 0-2, as the producer's `compression.type` or the leader's recompression does.
    pub fn set_compression(&mut self, compression: CompressionType) {
        self.attributes = (self.attributes & !COMPRESSION_MASK) | i16::from(compression.id());
    }

    /// CreateTime or LogAppendTime (attribute bit 3).
    pub fn timestamp_type(&self) -> TimestampType {
        if self.attributes & TIMESTAMP_TYPE_MASK != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        }
    }

    /// Sets attribute bit 3, as the leader does for `message.timestamp.type=LogAppendTime`.
    pub fn set_timestamp_type(&mut self, timestamp_type: TimestampType) {
        self.set_bit(TIMESTAMP_TYPE_MASK, timestamp_type == TimestampType::LogAppendTime);
    }

    /// Part of a transaction (attribute bit 4): invisible to read_committed readers until committed.
    pub fn is_transactional(&self) -> bool {
        self.attributes & TRANSACTIONAL_MASK != 0
    }

    /// Marks the batch as transactional (attribute bit 4).
    pub fn set_transactional(&mut self, transactional: bool) {
        self.set_bit(TRANSACTIONAL_MASK, transactional);
    }

    /// A control batch (attribute bit 5) holds a transaction marker, not user data.
    pub fn is_control(&self) -> bool {
        self.attributes & CONTROL_MASK != 0
    }

    /// Marks the batch as a control batch (attribute bit 5).
    pub fn set_control(&mut self, control: bool) {
        self.set_bit(CONTROL_MASK, control);
    }

    /// The delete horizon set by the log cleaner (attribute bit 6): tombstones in this batch may be
    /// dropped by a cleaning pass at or after this time. Stored in the base timestamp field.
    pub fn delete_horizon_ms(&self) -> Option<i64> {
        (self.attributes & DELETE_HORIZON_MASK != 0).then_some(self.base_timestamp)
    }

    fn set_bit(&mut self, mask: i16, on: bool) {
        if on {
            self.attributes |= mask;
        } else {
            self.attributes &= !mask;
        }
    }

    /// Whether a producer id is set (idempotent or transactional producer).
    pub fn has_producer_id(&self) -> bool {
        self.producer_id > NO_PRODUCER_ID
    }

    /// Offset of the last record slot (`baseOffset + lastOffsetDelta`), kept even after compaction.
    pub fn last_offset(&self) -> i64 {
        self.base_offset.wrapping_add(i64::from(self.last_offset_delta))
    }

    /// The offset after this batch: where the next batch starts.
    pub fn next_offset(&self) -> i64 {
        self.last_offset().wrapping_add(1)
    }

    /// Absolute offset of a record of this batch.
    pub fn offset_of(&self, record: &BatchRecord) -> i64 {
        self.base_offset.wrapping_add(i64::from(record.offset_delta))
    }

    /// The timestamp a consumer sees: the record's own for CreateTime, the batch's max (the broker's
    /// append time) for LogAppendTime (`DefaultRecord.readFrom`).
    pub fn timestamp_of(&self, record: &BatchRecord) -> i64 {
        match self.timestamp_type() {
            TimestampType::CreateTime => record.record.timestamp,
            TimestampType::LogAppendTime => self.max_timestamp,
        }
    }

    /// Exact size of [`Self::encode`]'s output: what the batch weighs on the wire and in a segment.
    /// Uncompressed batches are measured without encoding; compressed ones are compressed.
    pub fn size_in_bytes(&self) -> usize {
        match self.compression() {
            CompressionType::None => self.uncompressed_size_in_bytes(),
            codec => RECORD_BATCH_OVERHEAD + codec.compress(&self.records_section()).len(),
        }
    }

    /// The size the batch would have without its codec (header plus the records themselves).
    pub fn uncompressed_size_in_bytes(&self) -> usize {
        RECORD_BATCH_OVERHEAD + self.records.iter().map(|r| self.record_size(r)).sum::<usize>()
    }

    fn record_body_size(&self, r: &BatchRecord) -> usize {
        let bytes_size = |b: &Option<Vec<u8>>| match b {
            None => 1,
            Some(b) => varint_size(b.len() as i32) + b.len(),
        };
        1 + varlong_size(r.record.timestamp.wrapping_sub(self.base_timestamp))
            + varint_size(r.offset_delta)
            + bytes_size(&r.record.key)
            + bytes_size(&r.record.value)
            + varint_size(r.record.headers.len() as i32)
            + r.record
                .headers
                .iter()
                .map(|h| varint_size(h.key.len() as i32) + h.key.len() + bytes_size(&h.value))
                .sum::<usize>()
    }

    fn record_size(&self, r: &BatchRecord) -> usize {
        let body = self.record_body_size(r);
        varint_size(body as i32) + body
    }

    /// The records as they follow recordsCount in an uncompressed batch.
    fn records_section(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.uncompressed_size_in_bytes() - RECORD_BATCH_OVERHEAD);
        for r in &self.records {
            write_varint(&mut out, self.record_body_size(r) as i32);
            out.push(r.attributes as u8);
            write_varlong(&mut out, r.record.timestamp.wrapping_sub(self.base_timestamp));
            write_varint(&mut out, r.offset_delta);
            write_bytes(&mut out, r.record.key.as_deref());
            write_bytes(&mut out, r.record.value.as_deref());
            write_varint(&mut out, r.record.headers.len() as i32);
            for h in &r.record.headers {
                write_bytes(&mut out, Some(h.key.as_bytes()));
                write_bytes(&mut out, h.value.as_deref());
            }
        }
        out
    }

    /// The batch's bytes as Kafka writes them, records compressed with the batch's codec, CRC-32C included.
    pub fn encode(&self) -> Vec<u8> {
        let records = self.compression().compress(&self.records_section());
        let size = RECORD_BATCH_OVERHEAD + records.len();
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(&self.base_offset.to_be_bytes());
        out.extend_from_slice(&((size - LOG_OVERHEAD) as i32).to_be_bytes());
        out.extend_from_slice(&self.partition_leader_epoch.to_be_bytes());
        out.push(MAGIC_V2 as u8);
        out.extend_from_slice(&[0; 4]); // crc, filled in below
        out.extend_from_slice(&self.attributes.to_be_bytes());
        out.extend_from_slice(&self.last_offset_delta.to_be_bytes());
        out.extend_from_slice(&self.base_timestamp.to_be_bytes());
        out.extend_from_slice(&self.max_timestamp.to_be_bytes());
        out.extend_from_slice(&self.producer_id.to_be_bytes());
        out.extend_from_slice(&self.producer_epoch.to_be_bytes());
        out.extend_from_slice(&self.base_sequence.to_be_bytes());
        out.extend_from_slice(&(self.records.len() as i32).to_be_bytes());
        out.extend_from_slice(&records);
        let crc = crc32c::crc32c(&out[ATTRIBUTES_OFFSET..]);
        out[CRC_OFFSET..ATTRIBUTES_OFFSET].copy_from_slice(&crc.to_be_bytes());
        out
    }

    /// Parses exactly one v2 batch, checking sizes, magic and CRC first (as Kafka's `ensureValid`
    /// does), then decompresses the records section if the batch has a codec, then reads every
    /// record. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<RecordBatch, BatchError> {
        let mut header = Reader { buf: bytes, pos: 0 };
        let base_offset = header.i64()?;
        let batch_length = header.i32()?;
        if batch_length < (RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) as i32 {
            return Err(BatchError::LengthTooSmall { batch_length });
        }
        let batch_size = batch_length as usize + LOG_OVERHEAD;
        if bytes.len() < batch_size {
            return Err(BatchError::Truncated { needed: batch_size, available: bytes.len() });
        }
        if bytes.len() > batch_size {
            return Err(BatchError::TrailingBytes { batch_size, extra: bytes.len() - batch_size });
        }
        let partition_leader_epoch = header.i32()?;
        let magic = header.i8()?;
        if magic != MAGIC_V2 {
            return Err(BatchError::BadMagic { magic });
        }
        let stored = header.u32()?;
        let computed = crc32c::crc32c(&bytes[ATTRIBUTES_OFFSET..]);
        if stored != computed {
            return Err(BatchError::BadCrc { stored, computed });
        }
        let attributes = header.i16()?;
        let codec = (attributes & COMPRESSION_MASK) as u8;
        let compression = CompressionType::from_id(codec).ok_or(BatchError::UnknownCompression { codec })?;
        let last_offset_delta = header.i32()?;
        let base_timestamp = header.i64()?;
        let max_timestamp = header.i64()?;
        let producer_id = header.i64()?;
        let producer_epoch = header.i16()?;
        let base_sequence = header.i32()?;
        let count = header.i32()?;
        if count < 0 {
            return Err(BatchError::NegativeRecordCount { count });
        }
        let section = &bytes[header.pos..];
        let decompressed;
        let section = match compression {
            CompressionType::None => section,
            codec => {
                decompressed = codec.decompress(section).map_err(BatchError::Decompression)?;
                &decompressed[..]
            }
        };
        let mut records = Vec::new();
        let mut pos = 0;
        for index in 0..count as usize {
            if pos >= section.len() {
                return Err(BatchError::MissingRecords { declared: count, read: index });
            }
            records.push(decode_record(section, &mut pos, index, base_timestamp)?);
        }
        if pos != section.len() {
            return Err(BatchError::UnreadRecordBytes { declared: count, extra: section.len() - pos });
        }
        Ok(RecordBatch {
            base_offset,
            partition_leader_epoch,
            attributes,
            last_offset_delta,
            base_timestamp,
            max_timestamp,
            producer_id,
            producer_epoch,
            base_sequence,
            records,
        })
    }
}

fn write_bytes(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => write_varint(out, -1),
        Some(b) => {
            write_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
    }
}

/// Big-endian reader over the fixed header.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], BatchError> {
        let end = self.pos + N;
        let slice =
            self.buf.get(self.pos..end).ok_or(BatchError::Truncated { needed: end, available: self.buf.len() })?;
        let mut out = [0; N];
        out.copy_from_slice(slice);
        self.pos = end;
        Ok(out)
    }
    fn i8(&mut self) -> Result<i8, BatchError> {
        Ok(i8::from_be_bytes(self.take()?))
    }
    fn i16(&mut self) -> Result<i16, BatchError> {
        Ok(i16::from_be_bytes(self.take()?))
    }
    fn i32(&mut self) -> Result<i32, BatchError> {
        Ok(i32::from_be_bytes(self.take()?))
    }
    fn u32(&mut self) -> Result<u32, BatchError> {
        Ok(u32::from_be_bytes(self.take()?))
    }
    fn i64(&mut self) -> Result<i64, BatchError> {
        Ok(i64::from_be_bytes(self.take()?))
    }
}

fn decode_record(bytes: &[u8], pos: &mut usize, index: usize, base_timestamp: i64) -> Result<BatchRecord, BatchError> {
    let varint = |p: &mut usize, field: &'static str, limit: &[u8]| {
        read_varint(limit, p).map_err(|error| BatchError::BadVarint { index, field, error })
    };
    let length = varint(pos, "record length", bytes)?;
    let remaining = bytes.len() - *pos;
    if length < 0 || length as usize > remaining {
        return Err(BatchError::BadRecordLength { index, declared: length, actual: remaining });
    }
    // Everything below reads inside the record's own bytes, so a wrong field cannot run into the next record.
    let body = &bytes[..*pos + length as usize];
    let start = *pos;
    let mut p = *pos;
    let attributes = *body.get(p).ok_or(BatchError::BadRecordLength { index, declared: length, actual: 0 })? as i8;
    p += 1;
    let timestamp_delta =
        read_varlong(body, &mut p).map_err(|error| BatchError::BadVarint { index, field: "timestamp delta", error })?;
    let offset_delta = varint(&mut p, "offset delta", body)?;
    let nullable = |p: &mut usize, field: &'static str| -> Result<Option<Vec<u8>>, BatchError> {
        let len = varint(p, field, body)?;
        if len == -1 {
            return Ok(None);
        }
        if len < 0 || len as usize > body.len() - *p {
            return Err(BatchError::BadFieldLength { index, field, length: len });
        }
        let value = body[*p..*p + len as usize].to_vec();
        *p += len as usize;
        Ok(Some(value))
    };
    let key = nullable(&mut p, "key")?;
    let value = nullable(&mut p, "value")?;
    let header_count = varint(&mut p, "header count", body)?;
    if header_count < 0 || header_count as usize > body.len() - p {
        return Err(BatchError::BadFieldLength { index, field: "header count", length: header_count });
    }
    let mut headers = Vec::with_capacity(header_count as usize);
    for _ in 0..header_count {
        let key = nullable(&mut p, "header key")?.ok_or(BatchError::BadFieldLength {
            index,
            field: "header key",
            length: -1,
        })?;
        let key = String::from_utf8(key).map_err(|_| BatchError::HeaderKeyNotUtf8 { index })?;
        let value = nullable(&mut p, "header value")?;
        headers.push(Header { key, value });
    }
    if p != body.len() {
        return Err(BatchError::BadRecordLength { index, declared: length, actual: p - start });
    }
    *pos = p;
    Ok(BatchRecord {
        offset_delta,
        attributes,
        record: Record { timestamp: base_timestamp.wrapping_add(timestamp_delta), key, value, headers },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector of KAFKA-MODEL.md §2.1, checked there with Java's CRC32C and kafka-python.
    /// The vector of KAFKA-MODEL.md §2.1 (spaces mark record boundaries), checked there with Java's
    /// CRC32C and kafka-python.
    const MODEL_VECTOR: &str = "00000000000000000000004a0000000002a94f3d630000000000010000018bcfe568000000018bcfe56805\
ffffffffffffffffffffffffffff00000002 10000000026b027600 1e000a02010a68656c6c6f0202680278";

    fn model_hex() -> String {
        MODEL_VECTOR.replace(' ', "")
    }

    fn model_batch() -> RecordBatch {
        let mut r1 = Record::new(1_700_000_000_005, None, Some(b"hello"));
        r1.headers.push(Header { key: "h".into(), value: Some(b"x".to_vec()) });
        let mut batch = RecordBatch::new(vec![Record::new(1_700_000_000_000, Some(b"k"), Some(b"v")), r1]);
        batch.partition_leader_epoch = 0;
        batch
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn encodes_the_model_test_vector() {
        let bytes = model_batch().encode();
        assert_eq!(bytes.len(), 86);
        assert_eq!(model_batch().size_in_bytes(), 86);
        assert_eq!(hex(&bytes), model_hex());
        assert_eq!(u32::from_be_bytes([bytes[17], bytes[18], bytes[19], bytes[20]]), 0xa94f3d63);
        assert_eq!(RecordBatch::decode(&unhex(&model_hex())).unwrap(), model_batch());
    }

    #[test]
    fn rejects_each_kind_of_damage() {
        let good = model_batch().encode();
        let err = |b: &[u8]| RecordBatch::decode(b).unwrap_err();
        assert!(matches!(err(&good[..10]), BatchError::Truncated { .. }));
        assert!(matches!(err(&good[..85]), BatchError::Truncated { needed: 86, available: 85 }));
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(err(&longer), BatchError::TrailingBytes { batch_size: 86, extra: 1 });
        let mut bad = good.clone();
        bad[16] = 1;
        assert_eq!(err(&bad), BatchError::BadMagic { magic: 1 });
        let mut bad = good.clone();
        bad[60] ^= 1;
        assert!(matches!(err(&bad), BatchError::BadCrc { .. }));
        assert!(err(&bad).to_string().starts_with("CORRUPT_MESSAGE: CRC mismatch"));
        let mut bad = good.clone();
        bad[8..12].copy_from_slice(&10i32.to_be_bytes());
        assert_eq!(err(&bad), BatchError::LengthTooSmall { batch_length: 10 });
    }

    /// Re-signs damaged bytes so the structural checks behind the CRC can be reached.
    fn resign(mut bytes: Vec<u8>) -> Vec<u8> {
        let crc = crc32c::crc32c(&bytes[ATTRIBUTES_OFFSET..]);
        bytes[CRC_OFFSET..ATTRIBUTES_OFFSET].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    #[test]
    fn rejects_structural_damage_behind_a_valid_crc() {
        let good = model_batch().encode();
        let err = |b: Vec<u8>| RecordBatch::decode(&resign(b)).unwrap_err();
        // Record count 3 but only 2 records.
        let mut b = good.clone();
        b[57..61].copy_from_slice(&3i32.to_be_bytes());
        assert_eq!(err(b), BatchError::MissingRecords { declared: 3, read: 2 });
        // Record count 1: the second record's bytes are left over.
        let mut b = good.clone();
        b[57..61].copy_from_slice(&1i32.to_be_bytes());
        assert!(matches!(err(b), BatchError::UnreadRecordBytes { declared: 1, .. }));
        // A gzip attribute on uncompressed records; an attribute naming no codec.
        let mut b = good.clone();
        b[22] |= 1;
        assert!(err(b).to_string().starts_with("CORRUPT_MESSAGE: gzip data does not decompress: not in gzip format"));
        let mut b = good.clone();
        b[22] |= 6;
        assert_eq!(err(b), BatchError::UnknownCompression { codec: 6 });
        // Negative count.
        let mut b = good.clone();
        b[57..61].copy_from_slice(&(-1i32).to_be_bytes());
        assert_eq!(err(b), BatchError::NegativeRecordCount { count: -1 });
        // First record length prefix 0x10 (8) -> 0x12 (9): disagrees with content.
        let mut b = good.clone();
        b[61] = 0x12;
        assert!(matches!(err(b), BatchError::BadRecordLength { index: 0, .. }));
        // Key length varint of record 0 (byte 66) turned into a continuation byte.
        let mut b = good.clone();
        b[65] = 0x80;
        assert!(matches!(err(b), BatchError::BadVarint { index: 0, .. } | BatchError::BadFieldLength { index: 0, .. }));
        // Key length -2.
        let mut b = good;
        b[65] = 0x03;
        assert!(matches!(err(b), BatchError::BadFieldLength { index: 0, field: "key", length: -2 }));
    }

    #[test]
    fn compressed_batches_round_trip_and_weigh_their_compressed_bytes() {
        let records: Vec<Record> = (0..50)
            .map(|i| Record::new(1_700_000_000_000 + i, Some(b"order"), Some(b"status=paid amount=100")))
            .collect();
        for codec in CompressionType::ALL {
            let mut batch = RecordBatch::new(records.clone());
            batch.set_compression(codec);
            let bytes = batch.encode();
            assert_eq!(batch.size_in_bytes(), bytes.len(), "{codec}");
            assert_eq!(bytes[22] & 7, codec.id(), "{codec}: attribute bits");
            assert_eq!(RecordBatch::decode(&bytes).unwrap(), batch, "{codec}");
            if codec != CompressionType::None {
                assert!(bytes.len() * 3 < batch.uncompressed_size_in_bytes(), "{codec}: {} bytes", bytes.len());
            }
        }
        // A damaged compressed section behind a valid CRC is CORRUPT_MESSAGE, not a panic.
        let mut batch = RecordBatch::new(records);
        batch.set_compression(CompressionType::Lz4);
        let mut bytes = batch.encode();
        bytes.truncate(bytes.len() - 6);
        let len = (bytes.len() - LOG_OVERHEAD) as i32;
        bytes[8..12].copy_from_slice(&len.to_be_bytes());
        let e = RecordBatch::decode(&resign(bytes)).unwrap_err();
        assert!(matches!(e, BatchError::Decompression(_)), "{e}");
    }

    #[test]
    fn accessors_follow_attribute_bits() {
        let mut b = model_batch();
        assert_eq!(b.timestamp_type(), TimestampType::CreateTime);
        b.set_timestamp_type(TimestampType::LogAppendTime);
        b.set_transactional(true);
        b.set_control(true);
        assert_eq!(b.attributes, 0x38);
        assert_eq!(b.timestamp_of(&b.records[0]), b.max_timestamp);
        assert_eq!(b.delete_horizon_ms(), None);
        b.set_transactional(false);
        assert!(!b.is_transactional() && b.is_control());
        assert_eq!(b.last_offset(), 1);
        assert_eq!(b.next_offset(), 2);
    }
}
