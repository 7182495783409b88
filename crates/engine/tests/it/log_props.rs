//! Properties of the partition log: the batch codec, and invariants of appends, rolls, retention,
//! compaction and truncation under random operation sequences.

use kafkalab_engine::log::{BatchRecord, CompactionOutcome, Header, Log, LogConfig, Record, RecordBatch};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn bytes(max: usize) -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::of(prop::collection::vec(any::<u8>(), 0..max))
}

fn record() -> impl Strategy<Value = Record> {
    let header = ("[a-z\u{ac00}-\u{ac10}]{0,4}", bytes(6)).prop_map(|(key, value)| Header { key, value });
    (any::<i64>(), bytes(12), bytes(40), prop::collection::vec(header, 0..3))
        .prop_map(|(timestamp, key, value, headers)| Record { timestamp, key, value, headers })
}

prop_compose! {
    fn batch()(
        records in prop::collection::vec((record(), any::<i32>(), any::<i8>()), 0..6),
        base_offset in any::<i64>(), leader_epoch in any::<i32>(), attributes in any::<i16>(),
        last_offset_delta in any::<i32>(), base_timestamp in any::<i64>(), max_timestamp in any::<i64>(),
        producer_id in any::<i64>(), producer_epoch in any::<i16>(), base_sequence in any::<i32>(),
    ) -> RecordBatch {
        RecordBatch {
            base_offset, partition_leader_epoch: leader_epoch,
            attributes: attributes & !0x07, // uncompressed only
            last_offset_delta, base_timestamp, max_timestamp, producer_id, producer_epoch, base_sequence,
            records: records.into_iter().map(|(record, offset_delta, attributes)| BatchRecord { offset_delta, attributes, record }).collect(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encode_decode_round_trip(b in batch()) {
        let bytes = b.encode();
        prop_assert_eq!(bytes.len(), b.size_in_bytes());
        prop_assert_eq!(RecordBatch::decode(&bytes), Ok(b));
    }

    /// Kafka detects any change to bytes 8.. except the partition leader epoch (12..16): the length
    /// must match, the magic must be 2, and the CRC-32C covers attributes..end (it catches every
    /// single-byte error). baseOffset (0..8) is not protected either: the broker rewrites it in place.
    #[test]
    fn a_flipped_byte_is_caught_unless_outside_the_crc(b in batch(), at in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let mut bytes = b.encode();
        let i = at.index(bytes.len());
        bytes[i] ^= mask;
        match i {
            0..8 => {
                let decoded = RecordBatch::decode(&bytes).expect("baseOffset is not checked");
                prop_assert_eq!(RecordBatch { base_offset: b.base_offset, ..decoded }, b);
            }
            12..16 => {
                let decoded = RecordBatch::decode(&bytes).expect("partitionLeaderEpoch is not in the CRC");
                prop_assert_eq!(RecordBatch { partition_leader_epoch: b.partition_leader_epoch, ..decoded }, b);
            }
            _ => prop_assert!(RecordBatch::decode(&bytes).is_err(), "flip at byte {} went unnoticed", i),
        }
    }

    /// Arbitrary bytes never panic the decoder, and whatever it accepts re-encodes identically.
    #[test]
    fn decode_never_panics_and_accepts_only_canonical_bytes(raw in prop::collection::vec(any::<u8>(), 0..160), b in batch(), cut in any::<prop::sample::Index>()) {
        if let Ok(decoded) = RecordBatch::decode(&raw) {
            prop_assert_eq!(decoded.encode(), raw);
        }
        let bytes = b.encode();
        let n = cut.index(bytes.len());
        prop_assert!(RecordBatch::decode(&bytes[..n]).is_err());
    }
}

#[derive(Debug, Clone)]
enum Op {
    Produce { records: Vec<(u8, Option<u8>)>, dt: i64 },
    Retention { hw_lag: i64, dt: i64 },
    Compact { dt: i64 },
    DeleteRecords { lag: i64 },
    Truncate { back: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (prop::collection::vec((0u8..6, prop::option::weighted(0.85, 0u8..40)), 1..4), 0i64..3000)
            .prop_map(|(records, dt)| Op::Produce { records, dt }),
        2 => (0i64..3, 0i64..20_000).prop_map(|(hw_lag, dt)| Op::Retention { hw_lag, dt }),
        2 => (0i64..20_000).prop_map(|dt| Op::Compact { dt }),
        1 => (0i64..4).prop_map(|lag| Op::DeleteRecords { lag }),
        1 => (0i64..3).prop_map(|back| Op::Truncate { back }),
    ]
}

fn config() -> impl Strategy<Value = LogConfig> {
    (
        prop::sample::select(vec!["delete", "compact", "compact,delete"]),
        128i64..700,
        0i64..300,
        prop::sample::select(vec![-1i64, 5_000, 30_000]),
        prop::sample::select(vec![-1i64, 300, 1_000]),
        prop::sample::select(vec!["0", "0.3", "0.9"]),
        prop::sample::select(vec![0i64, 2_000]),
        prop::sample::select(vec![1i64, 3_000, 86_400_000]),
    )
        .prop_map(|(policy, seg, interval, ret_ms, ret_bytes, ratio, lag, delete_retention)| {
            let mut c = LogConfig::default();
            c.set("cleanup.policy", policy, false).unwrap();
            c.set("segment.bytes", &seg.to_string(), true).unwrap();
            c.set("index.interval.bytes", &interval.to_string(), false).unwrap();
            c.set("retention.ms", &ret_ms.to_string(), false).unwrap();
            c.set("retention.bytes", &ret_bytes.to_string(), false).unwrap();
            c.set("min.cleanable.dirty.ratio", ratio, false).unwrap();
            c.set("min.compaction.lag.ms", &lag.to_string(), false).unwrap();
            c.set("delete.retention.ms", &delete_retention.to_string(), false).unwrap();
            c
        })
}

/// (offset, key, value) of every record in the log.
type Contents = Vec<(i64, Option<Vec<u8>>, Option<Vec<u8>>)>;

fn contents(log: &Log) -> Contents {
    log.batches()
        .flat_map(|b| {
            b.batch.records.iter().map(|r| (b.batch.offset_of(r), r.record.key.clone(), r.record.value.clone()))
        })
        .collect()
}

fn check_structure(log: &Log) -> Result<(), TestCaseError> {
    prop_assert!(!log.segments().is_empty());
    prop_assert!(log.log_start_offset() <= log.log_end_offset());
    prop_assert!(log.segments()[0].base_offset() <= log.log_start_offset());
    let mut last_offset = i64::MIN;
    let mut last_batch_end = i64::MIN;
    let mut last_base = i64::MIN;
    for segment in log.segments() {
        prop_assert!(segment.base_offset() > last_base, "segment bases increase");
        last_base = segment.base_offset();
        let mut position = 0u64;
        for stored in segment.batches() {
            prop_assert_eq!(u64::from(stored.position), position);
            prop_assert_eq!(stored.size_in_bytes as usize, stored.batch.size_in_bytes());
            position += u64::from(stored.size_in_bytes);
            prop_assert!(stored.batch.base_offset >= segment.base_offset());
            prop_assert!(stored.batch.base_offset > last_batch_end, "batches do not overlap");
            last_batch_end = stored.batch.last_offset();
            prop_assert!(last_batch_end < log.log_end_offset());
            for r in &stored.batch.records {
                let offset = stored.batch.offset_of(r);
                prop_assert!(offset > last_offset, "offsets strictly increase: {} after {}", offset, last_offset);
                prop_assert!(offset <= stored.batch.last_offset());
                last_offset = offset;
            }
        }
        prop_assert_eq!(position, segment.size_in_bytes());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn log_invariants_hold_under_random_operations(config in config(), ops in prop::collection::vec(op(), 1..60)) {
        let compacted = config.cleanup_policy.compact;
        let mut log = Log::new(config, 0);
        let mut now = 1_000i64;
        let mut epoch = 0;
        for op in ops {
            match op {
                Op::Produce { records, dt } => {
                    now += dt;
                    let records = records.iter().enumerate().map(|(i, (k, v))| {
                        let value = v.map(|n| vec![b'v'; usize::from(n)]);
                        Record::new(now + i as i64, Some(&[b'k', *k]), value.as_deref())
                    }).collect();
                    let before = log.log_end_offset();
                    let batch = RecordBatch::new(records);
                    if batch.size_in_bytes() as i64 > log.config().segment_bytes {
                        let err = log.append_as_leader(batch, epoch, now).expect_err("bigger than segment.bytes");
                        prop_assert!(err.to_string().starts_with("RECORD_LIST_TOO_LARGE"));
                        prop_assert_eq!(log.log_end_offset(), before);
                        continue;
                    }
                    let info = log.append_as_leader(batch, epoch, now).expect("valid produce");
                    prop_assert_eq!(info.first_offset, before);
                    prop_assert_eq!(log.log_end_offset(), info.last_offset + 1);
                    if let Some(roll) = info.rolled {
                        prop_assert_eq!(roll.new_base_offset, before);
                    }
                }
                Op::Retention { hw_lag, dt } => {
                    now += dt;
                    let hw = (log.log_end_offset() - hw_lag).max(log.log_start_offset());
                    let start_before = log.log_start_offset();
                    let active_before = log.active_segment().base_offset();
                    let out = log.delete_old_segments(hw, now);
                    prop_assert!(log.log_start_offset() >= start_before, "log start only moves forward");
                    prop_assert!(log.log_start_offset() <= hw.max(start_before));
                    for d in &out.deleted {
                        prop_assert!(d.upper_bound_offset <= hw, "deleted [{}, {}) above HW {}", d.base_offset, d.upper_bound_offset, hw);
                    }
                    match out.rolled_new_active_segment {
                        None => prop_assert_eq!(log.active_segment().base_offset(), active_before, "active segment survives"),
                        Some(base) => {
                            prop_assert_eq!(base, log.log_end_offset());
                            prop_assert!(log.active_segment().is_empty());
                        }
                    }
                }
                Op::Compact { dt } => {
                    now += dt;
                    let before = contents(&log);
                    let (leo, start) = (log.log_end_offset(), log.log_start_offset());
                    let active_before = log.active_segment().clone();
                    let out = log.compact(now, leo);
                    prop_assert_eq!(log.log_end_offset(), leo);
                    prop_assert_eq!(log.log_start_offset(), start);
                    prop_assert_eq!(log.active_segment(), &active_before, "the active segment is never cleaned");
                    let after = contents(&log);
                    prop_assert!(after.iter().all(|r| before.contains(r)), "compaction only removes records");
                    if let CompactionOutcome::Cleaned(stats) = out {
                        prop_assert!(compacted);
                        prop_assert_eq!(stats.records_removed() as usize, before.len() - after.len());
                    }
                }
                Op::DeleteRecords { lag } => {
                    let target = (log.log_end_offset() - lag).max(0);
                    let start_before = log.log_start_offset();
                    if let Ok(start) = log.delete_records_before(target, log.log_end_offset()) {
                        prop_assert!(start >= start_before);
                    }
                }
                Op::Truncate { back } => {
                    let target = (log.log_end_offset() - back).max(log.log_start_offset());
                    log.truncate_to(target).expect("non-negative");
                    prop_assert_eq!(log.log_end_offset(), target);
                    epoch += 1;
                }
            }
            check_structure(&log)?;
            // A read from the log start returns at least one batch whenever one lies at or after it.
            let from = log.log_start_offset();
            let read = log.read(from, 1, log.log_end_offset()).expect("in range");
            if log.batches().any(|b| b.batch.last_offset() >= from && !b.batch.records.is_empty()) && read.is_empty() {
                // Kafka reads one segment at a time; only an all-empty segment in between may yield nothing.
                prop_assert!(log.segments().iter().any(|s| s.batches().iter().all(|b| b.batch.records.is_empty())));
            }
        }
    }

    /// One cleaning pass over a fresh compacted log keeps exactly the last record per key below the
    /// first uncleanable offset (tombstones included: they get a delete horizon first), leaves the rest
    /// untouched, and never changes an offset.
    #[test]
    fn compaction_keeps_exactly_the_last_value_per_key(
        entries in prop::collection::vec((0u8..8, prop::option::weighted(0.8, 0u8..30)), 1..80),
        seg in 128i64..600,
    ) {
        let mut config = LogConfig::default();
        config.set("cleanup.policy", "compact", false).unwrap();
        config.set("segment.bytes", &seg.to_string(), true).unwrap();
        config.set("min.cleanable.dirty.ratio", "0", false).unwrap();
        let mut log = Log::new(config, 0);
        for (i, (k, v)) in entries.iter().enumerate() {
            let value = v.map(|n| vec![b'v'; usize::from(n)]);
            let record = Record::new(10_000 + i as i64, Some(&[b'k', *k]), value.as_deref());
            log.append_as_leader(RecordBatch::new(vec![record]), 0, 10_000 + i as i64).unwrap();
        }
        let before = contents(&log);
        let upper = log.active_segment().base_offset();
        let out = log.compact(50_000, log.log_end_offset());
        let mut last: BTreeMap<Option<Vec<u8>>, i64> = BTreeMap::new();
        for (offset, key, _) in before.iter().filter(|(o, _, _)| *o < upper) {
            last.insert(key.clone(), *offset);
        }
        let expected: Vec<_> = before
            .iter()
            .filter(|(offset, key, _)| *offset >= upper || last.get(key) == Some(offset))
            .cloned()
            .collect();
        prop_assert_eq!(contents(&log), expected);
        if upper > 0 {
            prop_assert!(matches!(out, CompactionOutcome::Cleaned(_)), "{:?}", out);
        }
    }
}
