//! Developer mode's memory line.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MemoryLineProps {
    pub status: crate::dev::MemoryStatus,
}

/// Developer mode's status line: what the page holds (numbers and units only, no language).
#[function_component(MemoryLine)]
pub fn memory_line(props: &MemoryLineProps) -> Html {
    let s = &props.status;
    let mib = |bytes: usize| format!("{:.1} MiB", bytes as f64 / 1_048_576.0);
    html! {
        <p class="memory-line" data-testid="memory-line" data-wasm-bytes={s.wasm_memory_bytes.to_string()}
            data-heap-bytes={s.heap_bytes.to_string()} data-checkpoints={s.checkpoints.to_string()}>
            { format!("wasm {} · heap {} · checkpoints {} · seekable from {} ms",
                mib(s.wasm_memory_bytes), mib(s.heap_bytes), s.checkpoints, s.seekable_from_ms) }
        </p>
    }
}
