//! Developer mode (`?dev` in the page address, outside the `#` fragment that the workspace owns):
//! a status line with the memory the page holds, and a test hook that panics inside the engine
//! call at a chosen virtual time (`?dev&panic-at=MS`), to check the crash notice.

use kafkalab_engine::sim::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DevOptions {
    /// Panic in the engine call once the clock would pass this virtual time.
    pub panic_at: Option<Millis>,
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
    })
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
        assert_eq!(parse_query("?dev"), Some(DevOptions { panic_at: None }));
        assert_eq!(parse_query("?x=1&dev&panic-at=5000"), Some(DevOptions { panic_at: Some(5000) }));
        assert_eq!(parse_query("?dev&panic-at=soon"), Some(DevOptions { panic_at: None }));
    }

    #[test]
    fn the_status_counts_the_heap() {
        let keep = vec![0u8; 1 << 20];
        assert!(MemoryStatus::read(1, 0).heap_bytes >= keep.len());
    }
}
