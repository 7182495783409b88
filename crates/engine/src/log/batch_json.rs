//! The JSON form of a batch used by `kafkalab batch encode|decode` and the golden vectors (docs/architecture.md):
//! `{"base_offset", "producer_id", "producer_epoch", "base_sequence", "partition_leader_epoch",
//! "records": [{"timestamp", "key", "value", "headers": [["h", "v"]]}]}`.
//!
//! Keys, values and header values are UTF-8 strings or null. Bytes that are not UTF-8 use `key_hex`,
//! `value_hex`, or a header object `{"key": "h", "value_hex": "00ff"}`. Optional fields set the rest
//! of the header (`is_transactional`, `is_control`, `timestamp_type`, `compression` (none, gzip,
//! snappy, lz4, zstd: the records are written compressed), `attributes`,
//! `last_offset_delta`, `base_timestamp`, `max_timestamp`, per record `offset_delta`, `attributes`);
//! omitted, they take what a producer would write. Decoding prints every field, so decode then
//! encode reproduces the bytes; the derived fields it prints (`magic`, `crc`, `batch_length`,
//! `records_count`, `delete_horizon_ms`, record `offset`) are ignored on input. A compressed batch
//! decodes to the same records, but its bytes are kafkalab's own compression of them
//! (see [`super::compression`]), so the CRC printed is that of kafkalab's encoding.

use super::batch::{RecordBatch, TimestampType, MAGIC_V2};
use super::compression::CompressionType;
use super::record::{Header, Record};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Lowercase hex of some bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses hex (either case, surrounding whitespace allowed) into bytes.
pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return Err(format!("hex has an odd number of digits ({})", text.len()));
    }
    text.as_bytes()
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| format!("invalid hex digit pair at position {}", 2 * i))
        })
        .collect()
}

fn minus_one_i64() -> i64 {
    -1
}
fn minus_one_i32() -> i32 {
    -1
}
fn minus_one_i16() -> i16 {
    -1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchJson {
    #[serde(default)]
    base_offset: i64,
    #[serde(default = "minus_one_i64")]
    producer_id: i64,
    #[serde(default = "minus_one_i16")]
    producer_epoch: i16,
    #[serde(default = "minus_one_i32")]
    base_sequence: i32,
    #[serde(default = "minus_one_i32")]
    partition_leader_epoch: i32,
    is_transactional: Option<bool>,
    is_control: Option<bool>,
    timestamp_type: Option<String>,
    attributes: Option<i16>,
    last_offset_delta: Option<i32>,
    base_timestamp: Option<i64>,
    max_timestamp: Option<i64>,
    magic: Option<i8>,
    #[serde(rename = "crc")]
    _crc: Option<IgnoredAny>,
    #[serde(rename = "batch_length")]
    _batch_length: Option<IgnoredAny>,
    #[serde(rename = "records_count")]
    _records_count: Option<IgnoredAny>,
    compression: Option<String>,
    #[serde(rename = "delete_horizon_ms")]
    _delete_horizon_ms: Option<IgnoredAny>,
    records: Vec<RecordJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordJson {
    timestamp: i64,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    key_hex: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    value_hex: Option<String>,
    #[serde(default)]
    headers: Vec<HeaderJson>,
    offset_delta: Option<i32>,
    attributes: Option<i8>,
    #[serde(rename = "offset")]
    _offset: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum HeaderJson {
    Pair(String, Option<String>),
    Hex { key: String, value_hex: Option<String> },
}

fn bytes_field(text: Option<String>, hex: Option<String>, what: &str) -> Result<Option<Vec<u8>>, String> {
    match (text, hex) {
        (Some(_), Some(_)) => Err(format!("{what}: give `{what}` or `{what}_hex`, not both")),
        (Some(t), None) => Ok(Some(t.into_bytes())),
        (None, Some(h)) => from_hex(&h).map(Some).map_err(|e| format!("{what}_hex: {e}")),
        (None, None) => Ok(None),
    }
}

/// Builds a batch from the JSON text of `batch encode`.
pub fn batch_from_json(text: &str) -> Result<RecordBatch, String> {
    let input: BatchJson = serde_json::from_str(text).map_err(|e| format!("invalid batch JSON: {e}"))?;
    if let Some(magic) = input.magic.filter(|m| *m != MAGIC_V2) {
        return Err(format!("magic {magic} is not supported: only RecordBatch v2 (magic 2)"));
    }
    let mut records = Vec::with_capacity(input.records.len());
    let mut overrides = Vec::with_capacity(input.records.len());
    for (i, r) in input.records.into_iter().enumerate() {
        let key = bytes_field(r.key, r.key_hex, "key").map_err(|e| format!("record {i}: {e}"))?;
        let value = bytes_field(r.value, r.value_hex, "value").map_err(|e| format!("record {i}: {e}"))?;
        let headers = r
            .headers
            .into_iter()
            .map(|h| match h {
                HeaderJson::Pair(key, value) => Ok(Header { key, value: value.map(String::into_bytes) }),
                HeaderJson::Hex { key, value_hex } => Ok(Header {
                    key,
                    value: value_hex
                        .map(|h| from_hex(&h))
                        .transpose()
                        .map_err(|e| format!("record {i}: header value_hex: {e}"))?,
                }),
            })
            .collect::<Result<Vec<_>, String>>()?;
        records.push(Record { timestamp: r.timestamp, key, value, headers });
        overrides.push((r.offset_delta, r.attributes));
    }
    let mut batch = RecordBatch::new(records);
    for (record, (offset_delta, attributes)) in batch.records.iter_mut().zip(overrides) {
        record.offset_delta = offset_delta.unwrap_or(record.offset_delta);
        record.attributes = attributes.unwrap_or(0);
    }
    batch.base_offset = input.base_offset;
    batch.partition_leader_epoch = input.partition_leader_epoch;
    batch.producer_id = input.producer_id;
    batch.producer_epoch = input.producer_epoch;
    batch.base_sequence = input.base_sequence;
    if let Some(a) = input.attributes {
        batch.attributes = a;
    }
    let timestamp_type = match input.timestamp_type.as_deref() {
        None => None,
        Some("CreateTime") => Some(TimestampType::CreateTime),
        Some("LogAppendTime") => Some(TimestampType::LogAppendTime),
        Some(other) => return Err(format!("timestamp_type `{other}`: allowed CreateTime or LogAppendTime")),
    };
    let check = |name: &str, given: Option<bool>, actual: bool| match given {
        Some(g) if input.attributes.is_some() && g != actual => {
            Err(format!("`{name}` disagrees with `attributes` {:#06x}", input.attributes.unwrap_or(0)))
        }
        _ => Ok(()),
    };
    let compression = match input.compression.as_deref() {
        None => None,
        Some(name) => Some(
            CompressionType::parse(name)
                .ok_or_else(|| format!("compression `{name}`: allowed none, gzip, snappy, lz4, zstd"))?,
        ),
    };
    if let (Some(c), Some(a)) = (compression, input.attributes) {
        if c != batch.compression() {
            return Err(format!("`compression` disagrees with `attributes` {a:#06x}"));
        }
    }
    if let Some(c) = compression {
        batch.set_compression(c);
    }
    check("is_transactional", input.is_transactional, batch.is_transactional())?;
    check("is_control", input.is_control, batch.is_control())?;
    check(
        "timestamp_type",
        timestamp_type.map(|t| t == TimestampType::LogAppendTime),
        batch.timestamp_type() == TimestampType::LogAppendTime,
    )?;
    if let Some(t) = input.is_transactional {
        batch.set_transactional(t);
    }
    if let Some(c) = input.is_control {
        batch.set_control(c);
    }
    if let Some(t) = timestamp_type {
        batch.set_timestamp_type(t);
    }
    batch.last_offset_delta = input.last_offset_delta.unwrap_or(batch.last_offset_delta);
    batch.base_timestamp = input.base_timestamp.unwrap_or(batch.base_timestamp);
    batch.max_timestamp = input.max_timestamp.unwrap_or(batch.max_timestamp);
    Ok(batch)
}

fn put_bytes(obj: &mut Map<String, Value>, name: &str, bytes: &Option<Vec<u8>>) {
    match bytes {
        None => {
            obj.insert(name.into(), Value::Null);
        }
        Some(b) => match std::str::from_utf8(b) {
            Ok(text) => {
                obj.insert(name.into(), Value::String(text.into()));
            }
            Err(_) => {
                obj.insert(format!("{name}_hex"), Value::String(to_hex(b)));
            }
        },
    }
}

/// The JSON that `batch decode` prints: the encode input shape plus every header field.
pub fn batch_to_json(batch: &RecordBatch) -> Value {
    let bytes = batch.encode();
    let crc = u32::from_be_bytes([bytes[17], bytes[18], bytes[19], bytes[20]]);
    let records: Vec<Value> = batch
        .records
        .iter()
        .map(|r| {
            let mut obj = Map::new();
            obj.insert("offset".into(), json!(batch.offset_of(r)));
            obj.insert("offset_delta".into(), json!(r.offset_delta));
            obj.insert("attributes".into(), json!(r.attributes));
            obj.insert("timestamp".into(), json!(r.record.timestamp));
            put_bytes(&mut obj, "key", &r.record.key);
            put_bytes(&mut obj, "value", &r.record.value);
            let headers: Vec<Value> = r
                .record
                .headers
                .iter()
                .map(|h| match h.value.as_deref().map(std::str::from_utf8) {
                    None => json!([h.key, null]),
                    Some(Ok(text)) => json!([h.key, text]),
                    Some(Err(_)) => json!({"key": h.key, "value_hex": to_hex(h.value.as_deref().unwrap_or_default())}),
                })
                .collect();
            obj.insert("headers".into(), Value::Array(headers));
            Value::Object(obj)
        })
        .collect();
    json!({
        "base_offset": batch.base_offset,
        "batch_length": bytes.len() - super::batch::LOG_OVERHEAD,
        "partition_leader_epoch": batch.partition_leader_epoch,
        "magic": MAGIC_V2,
        "crc": crc,
        "attributes": batch.attributes,
        "compression": batch.compression().name(),
        "timestamp_type": batch.timestamp_type().name(),
        "is_transactional": batch.is_transactional(),
        "is_control": batch.is_control(),
        "delete_horizon_ms": batch.delete_horizon_ms(),
        "last_offset_delta": batch.last_offset_delta,
        "base_timestamp": batch.base_timestamp,
        "max_timestamp": batch.max_timestamp,
        "producer_id": batch.producer_id,
        "producer_epoch": batch.producer_epoch,
        "base_sequence": batch.base_sequence,
        "records_count": batch.records.len(),
        "records": records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_example_encodes_and_round_trips() {
        let text = r#"{"base_offset": 0, "producer_id": -1, "producer_epoch": -1, "base_sequence": -1,
            "partition_leader_epoch": 0, "records": [{"timestamp": 1700000000000, "key": "k", "value": "v",
            "headers": [["h", "v"], ["n", null]]}]}"#;
        let batch = batch_from_json(text).unwrap();
        assert_eq!(batch.records[0].record.headers[1].value, None);
        let again = batch_from_json(&batch_to_json(&batch).to_string()).unwrap();
        assert_eq!(again, batch);
    }

    #[test]
    fn compression_sets_the_codec_and_round_trips() {
        let text = r#"{"compression": "zstd", "records": [{"timestamp": 1, "key": "k", "value": "v"}]}"#;
        let batch = batch_from_json(text).unwrap();
        assert_eq!(batch.compression(), CompressionType::Zstd);
        let out = batch_to_json(&batch);
        assert_eq!(out["compression"], "zstd");
        assert_eq!(out["attributes"], 4);
        assert_eq!(batch_from_json(&out.to_string()).unwrap(), batch);
    }

    #[test]
    fn binary_bytes_use_hex_fields() {
        let text = r#"{"records": [{"timestamp": 1, "key_hex": "ff00", "value": null,
            "headers": [{"key": "b", "value_hex": "fe"}]}]}"#;
        let batch = batch_from_json(text).unwrap();
        assert_eq!(batch.records[0].record.key, Some(vec![0xff, 0]));
        assert_eq!(batch.partition_leader_epoch, -1);
        let out = batch_to_json(&batch);
        assert_eq!(out["records"][0]["key_hex"], "ff00");
        assert_eq!(out["records"][0]["headers"][0]["value_hex"], "fe");
        assert_eq!(batch_from_json(&out.to_string()).unwrap(), batch);
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert!(batch_from_json(r#"{"records": [], "producerid": 1}"#).unwrap_err().contains("producerid"));
        assert!(batch_from_json(r#"{"records": [{"timestamp": 1, "key": "a", "key_hex": "61"}]}"#).is_err());
        assert!(batch_from_json(r#"{"magic": 1, "records": []}"#).is_err());
        assert!(batch_from_json(r#"{"attributes": 16, "is_transactional": false, "records": []}"#).is_err());
        assert!(batch_from_json(r#"{"compression": "brotli", "records": []}"#).unwrap_err().contains("brotli"));
        assert!(batch_from_json(r#"{"compression": "gzip", "attributes": 3, "records": []}"#).is_err());
        assert!(from_hex("abc").is_err());
        assert!(from_hex("zz").is_err());
        assert_eq!(from_hex(" 0aFf\n").unwrap(), vec![0x0a, 0xff]);
    }
}
