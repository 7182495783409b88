//! Kafka's built-in partitioner: explicit partition, murmur2 for keys, sticky for null keys.
//!
//! Ported from Kafka 4.x `KafkaProducer.partition`, `Utils.murmur2`/`Utils.toPositive` and
//! `producer.internals.BuiltInPartitioner` (KIP-794, Kafka 3.3+). The producer asks [`choose_partition`]
//! first; `None` means "no partition yet", and the record accumulator then asks the topic's
//! [`BuiltInPartitioner`] for the sticky partition and reports the appended bytes back, exactly as
//! `RecordAccumulator.append` does.
//!
//! Adaptive partitioning (`partitioner.adaptive.partitioning.enable`, default true):
//! [`BuiltInPartitioner::update_partition_load_stats`] is a port of `updatePartitionLoadStats` and
//! builds the same cumulative frequency table; the producer's sender feeds it the queue sizes before
//! each drain, as `RecordAccumulator.partitionReady` does (excluding slow brokers for
//! `partitioner.availability.timeout.ms` is not modelled). Java draws from `ThreadLocalRandom`; here
//! the caller supplies the simulation's seeded RNG.

use rand::Rng;

/// Kafka's `RecordMetadata.UNKNOWN_PARTITION`.
pub const UNKNOWN_PARTITION: i32 = -1;

/// Kafka's `Utils.murmur2`: the 32-bit MurmurHash2 with Kafka's seed, as a Java `int`.
pub fn murmur2(data: &[u8]) -> i32 {
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let mut h: u32 = 0x9747_b28c ^ (data.len() as u32);
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if let Some(&first) = tail.first() {
        h ^= u32::from(first);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `i32::MIN`).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// `BuiltInPartitioner.partitionForKey`: `toPositive(murmur2(key)) % numPartitions`, over all partitions
/// of the topic, available or not. A topic always has at least one partition; for `num_partitions < 1`
/// this returns [`UNKNOWN_PARTITION`] instead of dividing by zero.
pub fn partition_for_key(key: &[u8], num_partitions: i32) -> i32 {
    if num_partitions < 1 {
        return UNKNOWN_PARTITION;
    }
    to_positive(murmur2(key)) % num_partitions
}

/// Why a record cannot be given a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionError {
    /// The topic has no partitions (Kafka topics have at least one).
    NoPartitions { num_partitions: i32 },
    /// The record names a partition the topic does not have (Kafka: `KafkaException`
    /// "Invalid partition given with record: P is not in the range [0...N).").
    InvalidPartition { partition: i32, num_partitions: i32 },
    /// `batch.size` must be at least 1 for the sticky partitioner.
    InvalidBatchSize { batch_size: i32 },
}

impl std::fmt::Display for PartitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoPartitions { num_partitions } => {
                write!(f, "a topic has at least 1 partition, got {num_partitions}")
            }
            Self::InvalidPartition { partition, num_partitions } => write!(
                f,
                "Invalid partition given with record: {partition} is not in the range [0...{num_partitions})."
            ),
            Self::InvalidBatchSize { batch_size } => {
                write!(f, "batch.size must be >= 1 for the sticky partitioner, got {batch_size}")
            }
        }
    }
}

impl std::error::Error for PartitionError {}

/// `KafkaProducer.partition` without a custom `partitioner.class` (Kafka 4.x): an explicit partition
/// wins; else a key is hashed unless `partitioner.ignore.keys=true`; else `Ok(None)`, meaning the
/// accumulator picks the sticky partition from the topic's [`BuiltInPartitioner`].
pub fn choose_partition(
    explicit_partition: Option<i32>,
    key: Option<&[u8]>,
    ignore_keys: bool,
    num_partitions: i32,
) -> Result<Option<i32>, PartitionError> {
    if num_partitions < 1 {
        return Err(PartitionError::NoPartitions { num_partitions });
    }
    if let Some(partition) = explicit_partition {
        if partition < 0 || partition >= num_partitions {
            return Err(PartitionError::InvalidPartition { partition, num_partitions });
        }
        return Ok(Some(partition));
    }
    match key {
        Some(key) if !ignore_keys => Ok(Some(partition_for_key(key, num_partitions))),
        _ => Ok(None),
    }
}

/// The current sticky partition and how many bytes were produced to it (`StickyPartitionInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StickyPartitionInfo {
    pub partition: i32,
    pub produced_bytes: i32,
}

/// `PartitionLoadStats`: the cumulative frequency table for adaptive partitioning.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PartitionLoadStats {
    cumulative_frequency_table: Vec<i32>,
    partition_ids: Vec<i32>,
}

/// The uniform sticky partitioner for records without a key, one per topic (`BuiltInPartitioner`).
/// It sticks to one partition until `batch.size` bytes were produced to it, then picks the next one at
/// random among the partitions with a leader (weighted by queue sizes when load stats are set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltInPartitioner {
    sticky_batch_size: i32,
    current: Option<StickyPartitionInfo>,
    load_stats: Option<PartitionLoadStats>,
}

/// What the partitioner needs to know about the topic's metadata (Java reads it from `Cluster`).
#[derive(Debug, Clone, Copy)]
pub struct TopicMetadata<'a> {
    /// Partition ids that currently have a leader (`Cluster.availablePartitionsForTopic`).
    pub available_partitions: &'a [i32],
    /// Number of partitions of the topic, with or without a leader.
    pub num_partitions: i32,
}

impl BuiltInPartitioner {
    /// `sticky_batch_size` is the producer's `batch.size`.
    pub fn new(sticky_batch_size: i32) -> Result<Self, PartitionError> {
        if sticky_batch_size < 1 {
            return Err(PartitionError::InvalidBatchSize { batch_size: sticky_batch_size });
        }
        Ok(Self { sticky_batch_size, current: None, load_stats: None })
    }

    /// The sticky partition now, without choosing one (`None` before the first record).
    pub fn current(&self) -> Option<&StickyPartitionInfo> {
        self.current.as_ref()
    }

    /// `peekCurrentPartitionInfo`: the sticky partition, choosing the first one on first use.
    pub fn peek_current_partition(
        &mut self,
        metadata: TopicMetadata<'_>,
        rng: &mut impl Rng,
    ) -> Result<i32, PartitionError> {
        if let Some(info) = &self.current {
            return Ok(info.partition);
        }
        let partition = self.next_partition(metadata, rng)?;
        self.current = Some(StickyPartitionInfo { partition, produced_bytes: 0 });
        Ok(partition)
    }

    /// `updatePartitionInfo`: count `appended_bytes` against the sticky partition and switch once
    /// `batch.size` bytes were produced to it. `enable_switch` is the accumulator's "all batches in the
    /// deque are full": while the last batch still has room the switch waits, but never beyond
    /// 2 × `batch.size`. Returns the new partition when it switched.
    pub fn update_partition_info(
        &mut self,
        appended_bytes: i32,
        enable_switch: bool,
        metadata: TopicMetadata<'_>,
        rng: &mut impl Rng,
    ) -> Result<Option<i32>, PartitionError> {
        let Some(info) = self.current.as_mut() else {
            return Ok(None);
        };
        info.produced_bytes = info.produced_bytes.wrapping_add(appended_bytes);
        let produced = info.produced_bytes;
        let limit = self.sticky_batch_size;
        if (produced >= limit && enable_switch) || produced >= limit.saturating_mul(2) {
            let partition = self.next_partition(metadata, rng)?;
            self.current = Some(StickyPartitionInfo { partition, produced_bytes: 0 });
            return Ok(Some(partition));
        }
        Ok(None)
    }

    /// `updatePartitionLoadStats`: `queue_sizes[i]` is the number of batches queued for
    /// `partition_ids[i]`; only the first `length` entries are eligible (the rest were excluded by
    /// `partitioner.availability.timeout.ms`). `None`, fewer than 2 partitions, or equal queues with no
    /// exclusion switch adaptive selection off (uniform choice).
    pub fn update_partition_load_stats(&mut self, load: Option<(&[i32], &[i32])>, length: usize) {
        self.load_stats = None;
        let Some((queue_sizes, partition_ids)) = load else {
            return;
        };
        if length < 1 || queue_sizes.len() < 2 || queue_sizes.len() != partition_ids.len() {
            return;
        }
        let length = length.min(queue_sizes.len());
        let first = queue_sizes[0];
        let all_equal = queue_sizes[..length].iter().all(|&q| q == first);
        if all_equal && length == queue_sizes.len() {
            return;
        }
        let max_size_plus_1 = queue_sizes[..length].iter().copied().max().unwrap_or(0) + 1;
        let mut table = Vec::with_capacity(length);
        let mut running = 0i32;
        for &q in &queue_sizes[..length] {
            running = running.saturating_add(max_size_plus_1 - q);
            table.push(running);
        }
        self.load_stats = Some(PartitionLoadStats {
            cumulative_frequency_table: table,
            partition_ids: partition_ids[..length].to_vec(),
        });
    }

    /// `nextPartition`: weighted by the load stats if any, else uniform among partitions with a
    /// leader, else uniform among all partitions.
    fn next_partition(&self, metadata: TopicMetadata<'_>, rng: &mut impl Rng) -> Result<i32, PartitionError> {
        let random = to_positive(rng.next_u32() as i32);
        if let Some(stats) = &self.load_stats {
            if let Some(&total) = stats.cumulative_frequency_table.last() {
                let weighted = random % total;
                // First entry strictly greater than `weighted` (Java: |binarySearch + 1|).
                let index = stats.cumulative_frequency_table.partition_point(|&v| v <= weighted);
                if let Some(&partition) = stats.partition_ids.get(index) {
                    return Ok(partition);
                }
            }
        }
        if !metadata.available_partitions.is_empty() {
            let len = metadata.available_partitions.len() as i32;
            return Ok(metadata.available_partitions[(random % len) as usize]);
        }
        if metadata.num_partitions < 1 {
            return Err(PartitionError::NoPartitions { num_partitions: metadata.num_partitions });
        }
        Ok(random % metadata.num_partitions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn kafka_murmur2_vectors() {
        // From Kafka's UtilsTest.testMurmur2.
        assert_eq!(murmur2(b"21"), -973932308);
        assert_eq!(murmur2(b"foobar"), -790332482);
        assert_eq!(murmur2(b"a-little-bit-long-string"), -985981536);
        assert_eq!(murmur2(b"a-little-bit-longer-string"), -1486304829);
        assert_eq!(murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
        assert_eq!(murmur2(b"abc"), 479470107);
    }

    #[test]
    fn to_positive_clears_sign_bit() {
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-1), i32::MAX);
        assert_eq!(to_positive(5), 5);
    }

    #[test]
    fn key_partitions() {
        assert_eq!(partition_for_key(b"user-42", 6), 4);
        assert_eq!(partition_for_key(b"hello", 6), 3);
        assert_eq!(partition_for_key(b"x", 0), UNKNOWN_PARTITION);
    }

    #[test]
    fn choose_partition_order_of_rules() {
        assert_eq!(choose_partition(Some(2), Some(b"k"), false, 3), Ok(Some(2)));
        assert!(matches!(
            choose_partition(Some(3), None, false, 3),
            Err(PartitionError::InvalidPartition { partition: 3, num_partitions: 3 })
        ));
        assert_eq!(choose_partition(None, Some(b"hello"), false, 6), Ok(Some(3)));
        assert_eq!(choose_partition(None, Some(b"hello"), true, 6), Ok(None));
        assert_eq!(choose_partition(None, None, false, 6), Ok(None));
        assert!(choose_partition(None, None, false, 0).is_err());
    }

    #[test]
    fn sticky_switches_after_batch_size() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let available = [0, 1, 2, 3, 4, 5];
        let md = TopicMetadata { available_partitions: &available, num_partitions: 6 };
        let mut p = BuiltInPartitioner::new(100).unwrap();
        let first = p.peek_current_partition(md, &mut rng).unwrap();
        assert_eq!(p.update_partition_info(60, true, md, &mut rng).unwrap(), None);
        assert_eq!(p.peek_current_partition(md, &mut rng).unwrap(), first);
        // Not yet full batch: switching postponed until 2 x batch.size.
        assert_eq!(p.update_partition_info(60, false, md, &mut rng).unwrap(), None);
        assert!(p.update_partition_info(80, false, md, &mut rng).unwrap().is_some());
        assert_eq!(p.current().unwrap().produced_bytes, 0);
    }

    #[test]
    fn sticky_only_picks_available_partitions() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let available = [1, 4];
        let md = TopicMetadata { available_partitions: &available, num_partitions: 6 };
        let mut p = BuiltInPartitioner::new(1).unwrap();
        for _ in 0..100 {
            let cur = p.peek_current_partition(md, &mut rng).unwrap();
            assert!(available.contains(&cur));
            p.update_partition_info(1, true, md, &mut rng).unwrap();
        }
        assert!(BuiltInPartitioner::new(0).is_err());
    }

    #[test]
    fn adaptive_prefers_short_queues() {
        // Kafka's comment: queues 0 3 1 -> CFT 4 5 8.
        let mut p = BuiltInPartitioner::new(1).unwrap();
        p.update_partition_load_stats(Some((&[0, 3, 1], &[0, 1, 2])), 3);
        let stats = p.load_stats.clone().unwrap();
        assert_eq!(stats.cumulative_frequency_table, vec![4, 5, 8]);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let md = TopicMetadata { available_partitions: &[0, 1, 2], num_partitions: 3 };
        let mut counts = [0; 3];
        for _ in 0..8000 {
            counts[p.next_partition(md, &mut rng).unwrap() as usize] += 1;
        }
        assert!(counts[0] > counts[2] && counts[2] > counts[1], "{counts:?}");
        // Equal queues switch adaptive off.
        p.update_partition_load_stats(Some((&[2, 2, 2], &[0, 1, 2])), 3);
        assert!(p.load_stats.is_none());
    }
}
