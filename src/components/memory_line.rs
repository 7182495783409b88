//! Developer mode's memory line.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MemoryLineProps {
    pub status: crate::dev::MemoryStatus,
    /// `?dev&bench=MS`: the reference workload's run in this page, once done.
    #[prop_or_default]
    pub bench: Option<crate::dev::BenchResult>,
}

/// Developer mode's status line: what the page holds (numbers and units only, no language).
#[function_component(MemoryLine)]
pub fn memory_line(props: &MemoryLineProps) -> Html {
    let s = &props.status;
    let mib = |bytes: usize| format!("{:.1} MiB", bytes as f64 / 1_048_576.0);
    html! {
        <>
        <p class="memory-line" data-testid="memory-line" data-wasm-bytes={s.wasm_memory_bytes.to_string()}
            data-heap-bytes={s.heap_bytes.to_string()} data-checkpoints={s.checkpoints.to_string()}>
            { format!("wasm {} · heap {} · checkpoints {} · seekable from {} ms",
                mib(s.wasm_memory_bytes), mib(s.heap_bytes), s.checkpoints, s.seekable_from_ms) }
        </p>
        if let Some(b) = &props.bench {
            <p class="memory-line" data-testid="dev-bench" data-until-ms={b.until_ms.to_string()}
                data-events={b.events.to_string()} data-wall-ms={format!("{:.1}", b.wall_ms)}
                data-events-per-sec={b.events_per_sec().to_string()} data-trace-hash={b.trace_hash.clone()}>
                { format!("bench: reference workload to {} ms, {} events in {:.0} ms, {} events/s, trace_hash {}",
                    b.until_ms, b.events, b.wall_ms, b.events_per_sec(), b.trace_hash) }
            </p>
        }
        </>
    }
}
