//! The partition log inspector's data, read from the leader's log through the engine's public
//! accessors (`World::broker`, `Replica::log`, `Log::segments`): no serialisation.

use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::World;

/// How many of the newest records the inspector shows.
pub const MAX_RECORDS: usize = 48;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTile {
    pub offset: i64,
    pub key: Option<String>,
    pub value: Option<String>,
    pub timestamp: i64,
    pub headers: Vec<(String, String)>,
    /// On the first record of each batch: its batch.
    pub batch: Option<BatchTile>,
}

/// A batch as the inspector heads it: offsets, codec and sizes (stored and uncompressed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchTile {
    pub base_offset: i64,
    pub last_offset: i64,
    pub record_count: usize,
    pub codec: &'static str,
    pub size_bytes: u32,
    pub uncompressed_bytes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentTiles {
    pub base_offset: i64,
    pub records: Vec<RecordTile>,
    /// Offsets compaction removed, `(first, last)`, each just before a shown record.
    pub gaps: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartitionLog {
    pub leader: i32,
    pub log_start: i64,
    pub hw: i64,
    pub leo: i64,
    pub segments: Vec<SegmentTiles>,
    /// Records older than the shown ones.
    pub hidden: usize,
    /// Segments all of whose records are older than the shown ones (folded into one line).
    pub hidden_segments: usize,
}

fn text(bytes: &Option<Vec<u8>>) -> Option<String> {
    bytes.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
}

impl PartitionLog {
    /// The leader's log of `topic`-`partition` (empty if it has no live leader).
    pub fn read(world: &World, topic: &str, partition: i32) -> PartitionLog {
        let tp = TopicPartition::new(topic, partition);
        let Some(p) = world.metadata().partition(&tp) else {
            return PartitionLog::default();
        };
        let Some(replica) = world.broker(p.leader).and_then(|b| b.durable.replicas.get(&tp)) else {
            return PartitionLog { leader: p.leader, ..Default::default() };
        };
        let mut segments: Vec<SegmentTiles> = replica
            .log
            .segments()
            .iter()
            .map(|s| SegmentTiles {
                base_offset: s.base_offset(),
                records: s
                    .batches()
                    .iter()
                    .flat_map(|b| {
                        let batch = &b.batch;
                        let tile = BatchTile {
                            base_offset: batch.base_offset,
                            last_offset: batch.last_offset(),
                            record_count: batch.records.len(),
                            codec: batch.compression().name(),
                            size_bytes: b.size_in_bytes,
                            uncompressed_bytes: batch.uncompressed_size_in_bytes() as u32,
                        };
                        batch.records.iter().enumerate().map(move |(i, r)| RecordTile {
                            offset: batch.base_offset + r.offset_delta as i64,
                            key: text(&r.record.key),
                            value: text(&r.record.value),
                            timestamp: r.record.timestamp,
                            headers: r
                                .record
                                .headers
                                .iter()
                                .map(|h| (h.key.clone(), kafkalab_engine::consumer::program::header_text(h)))
                                .collect(),
                            batch: (i == 0).then(|| tile.clone()),
                        })
                    })
                    .collect(),
                gaps: Vec::new(),
            })
            .collect();
        // Offsets missing between two records (or before a segment's first record) were compacted.
        let mut next = replica.log.log_start_offset();
        for s in &mut segments {
            for r in &s.records {
                if r.offset > next {
                    s.gaps.push((next, r.offset - 1));
                }
                next = r.offset + 1;
            }
        }
        let total: usize = segments.iter().map(|s| s.records.len()).sum();
        let mut hidden = total.saturating_sub(MAX_RECORDS);
        let mut to_drop = hidden;
        for s in &mut segments {
            let n = to_drop.min(s.records.len());
            s.records.drain(..n);
            to_drop -= n;
            let first = s.records.first().map_or(i64::MAX, |r| r.offset);
            s.gaps.retain(|(_, last)| last + 1 >= first);
        }
        let before = segments.len();
        // A segment with nothing left to show is counted, not drawn as an empty heading; the empty
        // active segment (nothing written since the roll) stays.
        segments.retain(|s| !s.records.is_empty() || s.base_offset >= replica.log.log_end_offset());
        let hidden_segments = before - segments.len();
        if total == 0 {
            hidden = 0;
        }
        PartitionLog {
            leader: p.leader,
            log_start: replica.log.log_start_offset(),
            hw: replica.high_watermark,
            leo: replica.log.log_end_offset(),
            segments,
            hidden,
            hidden_segments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Preset, Setup, Sim, UserAction};

    #[test]
    fn records_sent_show_with_key_value_and_headers() {
        let mut sim = Sim::new(Setup::new(Preset::Sandbox, 1)).unwrap();
        sim.seek(2_000);
        sim.apply(UserAction::CreateTopic { name: "t".into(), partitions: 1, replication_factor: 3 }).unwrap();
        let outcome = sim
            .apply(UserAction::AddProducer {
                name: "p".into(),
                acks: "all".into(),
                idempotence: true,
                linger_ms: 0,
                ignore_keys: false,
            })
            .unwrap();
        let kafkalab_engine::cluster::ActionOutcome::ProducerAdded { producer } = outcome else {
            panic!("{outcome:?}")
        };
        sim.seek(4_000);
        let key = "<img src=x onerror=alert(1)>";
        sim.apply(UserAction::Send {
            producer,
            topic: "t".into(),
            key: key.into(),
            value: "v".into(),
            headers: vec![("h".into(), "1".into())],
        })
        .unwrap();
        sim.seek(8_000);
        let log = PartitionLog::read(sim.world(), "t", 0);
        let records: Vec<&RecordTile> = log.segments.iter().flat_map(|s| &s.records).collect();
        assert_eq!(records.len(), 1, "{log:?}");
        assert_eq!(records[0].key.as_deref(), Some(key));
        assert_eq!(records[0].headers, vec![("h".to_string(), "1".to_string())]);
        assert_eq!((log.leo, log.hw), (1, 1));
    }
}
