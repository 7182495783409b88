//! Kafka's metrics, computed over virtual time under Kafka's own names: the broker and controller
//! gauges (`UnderReplicatedPartitions`, `OfflinePartitionsCount`, …), the broker rates
//! (`IsrShrinksPerSec`, `MessagesInPerSec`, …), the producer's `record-error-rate` and
//! `request-latency-avg`, the consumer's `records-lag-max` and the groups' rebalance count.
//!
//! The world samples them every [`SAMPLE_INTERVAL_MS`] of virtual time, when the first event at or
//! after a sample time is about to run, so a sample is the state after every event before that
//! time: the same series whatever the caller's stepping, and part of the world's state, so
//! checkpoints and seeks keep it. The series keeps the last [`SAMPLES_KEPT`] samples in a
//! persistent vector that checkpoints share.

use crate::log::batch::RECORD_BATCH_OVERHEAD;
use crate::log::RecordBatch;
use crate::narration::Fact;
use crate::sim::Millis;
use serde::Serialize;
use std::collections::BTreeMap;

/// One sample per virtual second, as Kafka's rates are per second.
pub const SAMPLE_INTERVAL_MS: Millis = 1_000;
/// One virtual hour of samples.
pub const SAMPLES_KEPT: usize = 3_600;
/// At most this many produce requests wait for their response in the latency measurement
/// (responses that never come, on a cut link, would otherwise pile up).
const PENDING_REQUESTS: usize = 1_024;

/// The metrics at one virtual time. Gauges are the state then; `…PerSec` and `-rate` values are
/// per second over the interval before it; `request-latency-avg` is over the same interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MetricsSample {
    pub at_ms: Millis,
    #[serde(rename = "UnderReplicatedPartitions")]
    pub under_replicated_partitions: u32,
    #[serde(rename = "UnderMinIsrPartitionCount")]
    pub under_min_isr_partition_count: u32,
    #[serde(rename = "OfflinePartitionsCount")]
    pub offline_partitions_count: u32,
    #[serde(rename = "ActiveControllerCount")]
    pub active_controller_count: u32,
    #[serde(rename = "IsrShrinksPerSec")]
    pub isr_shrinks_per_sec: f64,
    #[serde(rename = "IsrExpandsPerSec")]
    pub isr_expands_per_sec: f64,
    #[serde(rename = "LeaderElectionRateAndTimeMs")]
    pub leader_election_rate: f64,
    #[serde(rename = "UncleanLeaderElectionsPerSec")]
    pub unclean_leader_elections_per_sec: f64,
    #[serde(rename = "MessagesInPerSec")]
    pub messages_in_per_sec: f64,
    #[serde(rename = "BytesInPerSec")]
    pub bytes_in_per_sec: f64,
    #[serde(rename = "FailedProduceRequestsPerSec")]
    pub failed_produce_requests_per_sec: f64,
    #[serde(rename = "record-error-rate")]
    pub record_error_rate: f64,
    /// Milliseconds; 0 when no produce response arrived in the interval.
    #[serde(rename = "request-latency-avg")]
    pub request_latency_avg: f64,
    #[serde(rename = "records-lag-max")]
    pub records_lag_max: i64,
    /// Rebalances the coordinators started since the beginning (a count, not a rate).
    #[serde(rename = "rebalance-total")]
    pub rebalance_total: u64,
    /// Produce requests the producers sent since the beginning (a count; Kafka's producer
    /// `request-total` counts its other requests too).
    #[serde(rename = "request-total")]
    pub request_total: u64,
    /// Average bytes of a produced batch in the interval, as sent (compressed); 0 when none was sent.
    #[serde(rename = "batch-size-avg")]
    pub batch_size_avg: f64,
    /// Average compressed/uncompressed ratio of the records of a produced batch in the interval
    /// (1 for `compression.type=none`); 0 when none was sent.
    #[serde(rename = "compression-rate-avg")]
    pub compression_rate_avg: f64,
}

impl MetricsSample {
    /// The metric of Kafka's name `name` (the name it serialises under), as a number; None for a
    /// name that is not one. Cheaper than serialising the sample to look one up.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "UnderReplicatedPartitions" => f64::from(self.under_replicated_partitions),
            "UnderMinIsrPartitionCount" => f64::from(self.under_min_isr_partition_count),
            "OfflinePartitionsCount" => f64::from(self.offline_partitions_count),
            "ActiveControllerCount" => f64::from(self.active_controller_count),
            "IsrShrinksPerSec" => self.isr_shrinks_per_sec,
            "IsrExpandsPerSec" => self.isr_expands_per_sec,
            "LeaderElectionRateAndTimeMs" => self.leader_election_rate,
            "UncleanLeaderElectionsPerSec" => self.unclean_leader_elections_per_sec,
            "MessagesInPerSec" => self.messages_in_per_sec,
            "BytesInPerSec" => self.bytes_in_per_sec,
            "FailedProduceRequestsPerSec" => self.failed_produce_requests_per_sec,
            "record-error-rate" => self.record_error_rate,
            "request-latency-avg" => self.request_latency_avg,
            "records-lag-max" => self.records_lag_max as f64,
            "rebalance-total" => self.rebalance_total as f64,
            "request-total" => self.request_total as f64,
            "batch-size-avg" => self.batch_size_avg,
            "compression-rate-avg" => self.compression_rate_avg,
            _ => return None,
        })
    }
}

/// The state-derived values of a sample, read from the world by the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gauges {
    pub under_replicated_partitions: u32,
    pub under_min_isr_partition_count: u32,
    pub offline_partitions_count: u32,
    pub active_controller_count: u32,
    pub records_lag_max: i64,
    /// Cumulative records the producers failed (their `failed_records`), for `record-error-rate`.
    pub failed_records: u64,
}

/// Cumulative counts since the beginning, read from facts and messages.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Counters {
    isr_shrinks: u64,
    isr_expands: u64,
    leader_elections: u64,
    unclean_elections: u64,
    messages_in: u64,
    bytes_in: u64,
    failed_produce: u64,
    failed_records: u64,
    rebalances: u64,
    latency_sum_ms: u64,
    responses: u64,
    produce_requests: u64,
    batches: u64,
    batch_bytes: u64,
    /// Sum of the batches' compression ratios (`compression-rate-avg` divides it by `batches`).
    compression_ratio_sum: f64,
}

/// What the batches of one produce request weigh: their count, bytes as sent, and the sum of
/// their compression ratios (`MemoryRecordsBuilder.compressionRatio`: the records section
/// compressed over uncompressed, the batch header left out).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProducedBatches {
    pub count: u64,
    pub bytes: u64,
    pub ratio_sum: f64,
}

impl ProducedBatches {
    pub fn of<'a>(batches: impl IntoIterator<Item = &'a RecordBatch>) -> Self {
        let mut out = ProducedBatches::default();
        for batch in batches {
            let size = batch.size_in_bytes();
            let records = (batch.uncompressed_size_in_bytes() - RECORD_BATCH_OVERHEAD).max(1);
            out.count += 1;
            out.bytes += size as u64;
            out.ratio_sum += (size - RECORD_BATCH_OVERHEAD) as f64 / records as f64;
        }
        out
    }
}

/// "before → after" around the last fault: the sample before it and the newest one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultDelta {
    pub fault_at_ms: Millis,
    /// The fact that marked the fault (`BrokerStopped`, `LinkCut`, …).
    pub fault: &'static str,
    pub before: MetricsSample,
    pub after: MetricsSample,
}

#[derive(Debug, Clone)]
pub struct Metrics {
    next_sample_ms: Millis,
    counters: Counters,
    at_last_sample: Counters,
    last_sample_ms: Millis,
    samples: imbl::Vector<MetricsSample>,
    /// `(producer, correlation id)` -> when its produce request was sent.
    pending_requests: BTreeMap<(u32, u64), Millis>,
    last_fault: Option<(Millis, &'static str)>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            next_sample_ms: SAMPLE_INTERVAL_MS,
            counters: Counters::default(),
            at_last_sample: Counters::default(),
            last_sample_ms: 0,
            samples: imbl::Vector::new(),
            pending_requests: BTreeMap::new(),
            last_fault: None,
        }
    }
}

impl Metrics {
    /// Counts what one fact says. `bytes_in` is the appended batch's size for `BatchAppended`.
    pub(crate) fn observe(&mut self, fact: &Fact, now: Millis, bytes_in: u64) {
        let c = &mut self.counters;
        match fact {
            Fact::IsrChanged { removed, added, .. } => {
                c.isr_shrinks += u64::from(!removed.is_empty());
                c.isr_expands += u64::from(!added.is_empty());
            }
            Fact::LeaderElected { unclean, .. } => {
                c.leader_elections += 1;
                c.unclean_elections += u64::from(*unclean);
            }
            Fact::BatchAppended { base_offset, last_offset, .. } => {
                c.messages_in += (last_offset - base_offset + 1) as u64;
                c.bytes_in += bytes_in;
            }
            Fact::ProduceFailed { .. } => c.failed_produce += 1,
            Fact::RebalanceStarted { .. } => c.rebalances += 1,
            Fact::BrokerStopped { .. } => self.last_fault = Some((now, "BrokerStopped")),
            Fact::LinkCut { .. } => self.last_fault = Some((now, "LinkCut")),
            Fact::NodeIsolated { .. } => self.last_fault = Some((now, "NodeIsolated")),
            Fact::NodeSlowed { extra_ms, .. } if *extra_ms > 0 => self.last_fault = Some((now, "NodeSlowed")),
            Fact::ConsumerCrashed { .. } => self.last_fault = Some((now, "ConsumerCrashed")),
            Fact::ProducerCrashed { .. } => self.last_fault = Some((now, "ProducerCrashed")),
            _ => {}
        }
    }

    /// A producer sent a produce request with these batches; one that expects a response (acks 1
    /// or all) waits for it in the latency measurement.
    pub(crate) fn produce_request_sent(
        &mut self,
        producer: u32,
        correlation_id: u64,
        expects_response: bool,
        batches: ProducedBatches,
        now: Millis,
    ) {
        let c = &mut self.counters;
        c.produce_requests += 1;
        c.batches += batches.count;
        c.batch_bytes += batches.bytes;
        c.compression_ratio_sum += batches.ratio_sum;
        if !expects_response {
            return;
        }
        if self.pending_requests.len() == PENDING_REQUESTS {
            self.pending_requests.pop_first();
        }
        self.pending_requests.insert((producer, correlation_id), now);
    }

    /// Its response arrived: one `request-latency` measurement.
    pub(crate) fn produce_response_received(&mut self, producer: u32, correlation_id: u64, now: Millis) {
        if let Some(sent) = self.pending_requests.remove(&(producer, correlation_id)) {
            self.counters.latency_sum_ms += now - sent;
            self.counters.responses += 1;
        }
    }

    /// The time of the next sample.
    pub fn next_sample_ms(&self) -> Millis {
        self.next_sample_ms
    }

    /// Takes the samples due at or before `now`, all from `gauges` (the state before `now`'s
    /// events). An idle stretch longer than the kept series only keeps its last samples.
    pub(crate) fn sample_until(&mut self, now: Millis, gauges: Gauges) {
        self.counters.failed_records = self.counters.failed_records.max(gauges.failed_records);
        let due = (now.saturating_sub(self.next_sample_ms)) / SAMPLE_INTERVAL_MS + 1;
        if due > SAMPLES_KEPT as u64 {
            self.next_sample_ms += (due - SAMPLES_KEPT as u64) * SAMPLE_INTERVAL_MS;
        }
        while self.next_sample_ms <= now {
            let sample = self.sample_at(self.next_sample_ms, gauges);
            if self.samples.len() == SAMPLES_KEPT {
                self.samples.pop_front();
            }
            self.samples.push_back(sample);
            self.at_last_sample = self.counters;
            self.last_sample_ms = self.next_sample_ms;
            self.next_sample_ms += SAMPLE_INTERVAL_MS;
        }
    }

    /// The metrics at `at_ms`: these gauges, and the rates of the newest sample (a rate over
    /// the few milliseconds since it would say little).
    pub(crate) fn current(&self, at_ms: Millis, gauges: Gauges) -> MetricsSample {
        let rates = self.samples.back().copied().unwrap_or_default();
        self.with_gauges(at_ms, gauges, rates)
    }

    /// `rates` with the gauges and the rebalance count as they are at `at_ms`.
    fn with_gauges(&self, at_ms: Millis, gauges: Gauges, rates: MetricsSample) -> MetricsSample {
        MetricsSample {
            at_ms,
            under_replicated_partitions: gauges.under_replicated_partitions,
            under_min_isr_partition_count: gauges.under_min_isr_partition_count,
            offline_partitions_count: gauges.offline_partitions_count,
            active_controller_count: gauges.active_controller_count,
            records_lag_max: gauges.records_lag_max,
            rebalance_total: self.counters.rebalances,
            request_total: self.counters.produce_requests,
            ..rates
        }
    }

    /// The sample at `at_ms` with these gauges and the rates since the last sample.
    fn sample_at(&self, at_ms: Millis, gauges: Gauges) -> MetricsSample {
        let (now, then) = (&self.counters, &self.at_last_sample);
        let seconds = (at_ms.saturating_sub(self.last_sample_ms)).max(1) as f64 / 1000.0;
        let rate = |n: u64, m: u64| (n - m) as f64 / seconds;
        let responses = now.responses - then.responses;
        let batches = now.batches - then.batches;
        let per_batch = |n: f64| if batches == 0 { 0.0 } else { n / batches as f64 };
        let rates = MetricsSample {
            isr_shrinks_per_sec: rate(now.isr_shrinks, then.isr_shrinks),
            isr_expands_per_sec: rate(now.isr_expands, then.isr_expands),
            leader_election_rate: rate(now.leader_elections, then.leader_elections),
            unclean_leader_elections_per_sec: rate(now.unclean_elections, then.unclean_elections),
            messages_in_per_sec: rate(now.messages_in, then.messages_in),
            bytes_in_per_sec: rate(now.bytes_in, then.bytes_in),
            failed_produce_requests_per_sec: rate(now.failed_produce, then.failed_produce),
            record_error_rate: rate(gauges.failed_records.max(then.failed_records), then.failed_records),
            request_latency_avg: if responses == 0 {
                0.0
            } else {
                (now.latency_sum_ms - then.latency_sum_ms) as f64 / responses as f64
            },
            batch_size_avg: per_batch((now.batch_bytes - then.batch_bytes) as f64),
            compression_rate_avg: per_batch(now.compression_ratio_sum - then.compression_ratio_sum),
            ..MetricsSample::default()
        };
        self.with_gauges(at_ms, gauges, rates)
    }

    /// The kept samples with `from_ms <= at_ms <= to_ms`, oldest first.
    pub fn samples_between(&self, from_ms: Millis, to_ms: Millis) -> impl Iterator<Item = &MetricsSample> {
        let start = self.samples.binary_search_by(|s| s.at_ms.cmp(&from_ms).then(std::cmp::Ordering::Greater));
        let start = start.unwrap_or_else(|i| i);
        self.samples.iter().skip(start).take_while(move |s| s.at_ms <= to_ms)
    }

    /// The newest sample.
    pub fn latest(&self) -> Option<&MetricsSample> {
        self.samples.back()
    }

    /// The last fault (a broker stopped, a link cut, a node isolated or slowed, a consumer
    /// crashed) with the sample before it and the newest sample; None before any fault or when
    /// no sample precedes it.
    pub fn last_fault_delta(&self) -> Option<FaultDelta> {
        let (fault_at_ms, fault) = self.last_fault?;
        let before = self.samples.iter().rev().find(|s| s.at_ms < fault_at_ms)?;
        let after = self.samples.back()?;
        Some(FaultDelta { fault_at_ms, fault, before: *before, after: *after })
    }
}
