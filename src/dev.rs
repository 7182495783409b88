//! Developer mode (`?dev` in the page address, outside the `#` fragment that the workspace owns):
//! a status line with the memory the page holds, and a test hook that panics inside the engine
//! call at a chosen virtual time (`?dev&panic-at=MS`), to check the crash notice. `?dev&bench=MS`
//! runs the reference workload (the one `kafkalab bench` runs natively) in the shipped wasm once
//! the page is up, and shows its events per second and trace hash: the browser suite compares
//! them with the native run.

use kafkalab_engine::sim::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DevOptions {
    /// Panic in the engine call once the clock would pass this virtual time.
    pub panic_at: Option<Millis>,
    /// Run the reference workload to this virtual time after the first render.
    pub bench_until: Option<Millis>,
}

/// The options in a query string (`?dev&panic-at=5000`); None without `dev`. A bad number is
/// ignored: this is a developer's switch, never a learner's.
pub fn parse_query(query: &str) -> Option<DevOptions> {
    let pairs: Vec<(&str, &str)> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    pairs.iter().any(|(k, _)| *k == "dev").then(|| DevOptions {
        panic_at: pairs.iter().find(|(k, _)| *k == "panic-at").and_then(|(_, v)| v.parse().ok()),
        bench_until: pairs.iter().find(|(k, _)| *k == "bench").and_then(|(_, v)| v.parse().ok()),
    })
}

/// The seed of `kafkalab bench`'s default run, which the browser suite compares with.
pub const BENCH_SEED: u64 = 42;

/// One run of the reference workload in this build.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchResult {
    pub until_ms: Millis,
    pub events: u64,
    pub wall_ms: f64,
    pub trace_hash: String,
}

impl BenchResult {
    /// Runs `workload::reference(BENCH_SEED)` to `until_ms`, timed by `now_ms` (the page's clock).
    /// Only the run is timed, not building the world, as `kafkalab bench` times it.
    pub fn run(until_ms: Millis, now_ms: impl Fn() -> f64) -> Self {
        let mut world = kafkalab_engine::cluster::workload::reference(BENCH_SEED);
        let start = now_ms();
        world.run_until(until_ms);
        let wall_ms = now_ms() - start;
        BenchResult {
            until_ms,
            events: world.events_processed(),
            wall_ms,
            trace_hash: format!("{:016x}", world.trace_hash()),
        }
    }

    pub fn events_per_sec(&self) -> u64 {
        if self.wall_ms > 0.0 {
            (self.events as f64 * 1000.0 / self.wall_ms) as u64
        } else {
            0
        }
    }
}

/// What the status line shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryStatus {
    /// The wasm linear memory (it only grows), in bytes; 0 natively.
    pub wasm_memory_bytes: usize,
    /// Bytes the heap holds now.
    pub heap_bytes: usize,
    /// Checkpoints the timeline keeps, the initial world included.
    pub checkpoints: usize,
    /// The earliest time a seek reaches quickly.
    pub seekable_from_ms: Millis,
}

impl MemoryStatus {
    pub fn read(checkpoints: usize, seekable_from_ms: Millis) -> Self {
        #[cfg(target_arch = "wasm32")]
        let wasm_memory_bytes = core::arch::wasm32::memory_size(0) * 65_536;
        #[cfg(not(target_arch = "wasm32"))]
        let wasm_memory_bytes = 0;
        MemoryStatus { wasm_memory_bytes, heap_bytes: kafkalab_heap::live_bytes(), checkpoints, seekable_from_ms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_mode_needs_dev_and_reads_the_panic_time() {
        assert_eq!(parse_query(""), None);
        assert_eq!(parse_query("?panic-at=5"), None);
        assert_eq!(parse_query("?dev"), Some(DevOptions::default()));
        assert_eq!(
            parse_query("?x=1&dev&panic-at=5000"),
            Some(DevOptions { panic_at: Some(5000), ..DevOptions::default() })
        );
        assert_eq!(parse_query("?dev&panic-at=soon"), Some(DevOptions::default()));
        assert_eq!(
            parse_query("?dev&bench=60000"),
            Some(DevOptions { bench_until: Some(60000), ..DevOptions::default() })
        );
        assert_eq!(parse_query("?bench=60000"), None);
    }

    #[test]
    fn the_bench_runs_the_reference_workload() {
        let short = BenchResult::run(1_000, || 0.0);
        assert!(short.events > 0);
        assert_eq!(short.trace_hash.len(), 16);
        // The same run gives the same trace, as `kafkalab bench` relies on.
        assert_eq!(BenchResult::run(1_000, || 0.0), short);
        assert_eq!(short.events_per_sec(), 0, "no time measured, no rate");
    }

    #[test]
    fn the_status_counts_the_heap() {
        let keep = vec![0u8; 1 << 20];
        assert!(MemoryStatus::read(1, 0).heap_bytes >= keep.len());
    }
}
