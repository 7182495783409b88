//! The engine is deterministic across targets: the reference workload run in the browser (wasm32)
//! must give the same trace hash as the native `kafkalab bench` computed in the same test run.
//!
//! scripts/test.sh runs the native bench first and passes its hash at compile time:
//!
//! ```sh
//! cargo run --release -p kafkalab-cli -- bench --seed 42 --until-ms 60000   # prints "trace_hash": "<hex>"
//! KAFKALAB_NATIVE_TRACE_HASH=<hex> KAFKALAB_BENCH_UNTIL_MS=60000 \
//!   cargo test -p kafkalab-engine --target wasm32-unknown-unknown --test wasm_trace -- --nocapture
//! ```
//!
//! It also logs the events per second in the browser (`KAFKALAB_WASM_EVENTS_PER_SEC=`), which the
//! script prints beside the native figure. Timings are reported, never asserted.
#![cfg(target_arch = "wasm32")]

use kafkalab_engine::cluster::workload::reference;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SEED: u64 = 42;
/// Must equal the `--until-ms` of the native run; scripts/test.sh passes both.
const DEFAULT_UNTIL_MS: u64 = 60_000;

fn until_ms() -> u64 {
    option_env!("KAFKALAB_BENCH_UNTIL_MS")
        .map(|v| v.parse().expect("KAFKALAB_BENCH_UNTIL_MS must be an integer (ms)"))
        .unwrap_or(DEFAULT_UNTIL_MS)
}

#[wasm_bindgen_test]
fn trace_hash_in_the_browser_equals_native() {
    let Some(native) = option_env!("KAFKALAB_NATIVE_TRACE_HASH") else {
        panic!(
            "KAFKALAB_NATIVE_TRACE_HASH was not set when this test was compiled, so there is nothing to \
             compare with. Run scripts/test.sh, or by hand: take \"trace_hash\" from \
             `cargo run --release -p kafkalab-cli -- bench --seed {SEED} --until-ms {}` and run \
             `KAFKALAB_NATIVE_TRACE_HASH=<hex> cargo test -p kafkalab-engine --target wasm32-unknown-unknown --test wasm_trace`",
            until_ms()
        );
    };
    let until = until_ms();
    // Only the run is timed, as `kafkalab bench` times it.
    let mut world = reference(SEED);
    let start = js_sys::Date::now();
    world.run_until(until);
    let elapsed_ms = js_sys::Date::now() - start;
    let hash = format!("{:016x}", world.trace_hash());
    let events = world.events_processed();
    let per_sec = if elapsed_ms > 0.0 { (events as f64 * 1000.0 / elapsed_ms) as u64 } else { 0 };
    console_log!(
        "wasm reference({SEED}) until {until} ms: {events} events in {elapsed_ms} ms; trace_hash {hash}; \
         KAFKALAB_WASM_EVENTS_PER_SEC={per_sec}"
    );
    assert_eq!(
        hash,
        native.trim().to_ascii_lowercase(),
        "the engine is not deterministic across targets: the browser (wasm32) trace hash differs from native \
         `kafkalab bench --seed {SEED} --until-ms {until}`"
    );
}

#[wasm_bindgen_test]
fn same_seed_same_trace_in_the_browser() {
    let until = until_ms().min(5_000);
    let run = || {
        let mut world = reference(SEED);
        world.run_until(until);
        world.trace_hash()
    };
    assert_eq!(run(), run());
}
