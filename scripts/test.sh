#!/usr/bin/env bash
# Runs every test of kafkalab. Installs what it needs first (see scripts/setup.sh); a second run
# skips the installs. CI runs exactly this (through .ci/run).
#
#   (a) native:  cargo test --workspace (engine, CLI, and the web app's pure logic: i18n, URL parsing)
#   (a2) lint:   cargo fmt --check (rustfmt.toml), then cargo clippy --workspace --all-targets -D warnings
#   (b) golden:  tests/golden/gen_*.py (kafka-python) regenerate crates/engine/tests/golden/*.json; any diff fails;
#                tests/golden/check_*.py have kafka-python read what the engine writes (compressed batches)
#   (c) wasm:    cargo check of the engine and its tests for wasm32-unknown-unknown; in headless Chromium,
#                the determinism test (tests/wasm_trace.rs, profile web) gets the native trace hash of
#                `kafkalab bench` at compile time (wasm and native must agree), and events/s are compared
#   (d) build:   trunk build --release (which writes .gz and .br beside each file, Trunk.toml's hook),
#                then the .wasm size, raw, gzipped and brotli
#   (f) bridge:  `kafkalab broker` (release) with real Kafka clients (tests/bridge): kafka-python,
#                confluent-kafka and kafkajs each produce 1,000 keyed records idempotently with
#                acks=all and consume them exactly once with a group of two that rebalances
#                (confluent-kafka also with group.protocol=consumer, KIP-848); kcat -L;
#                random and truncated frames; then records/s through the bridge at several speeds
#   (e) e2e:     node --test in tests/e2e (Playwright driving Debian's Chromium against dist/), one file
#                at a time; perf.test.mjs reports page weight, first paint with the CPU throttled,
#                the shipped wasm's events/s alternating with native `kafkalab bench` runs (the
#                release CLI of step c; wasm/native per pair and the median), seeks and memory
#
# Exits non-zero if any step fails. Every step runs even after an earlier one failed (but e2e needs
# the build of step d).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
. scripts/setup.sh

BENCH_SEED=42
BENCH_UNTIL_MS="${KAFKALAB_BENCH_UNTIL_MS:-60000}"

banner() { printf '\n\033[1m==== %s ====\033[0m\n' "$*"; }
now_ms() { date +%s%3N; }

# --- set-up --------------------------------------------------------------------------------------
banner "set-up"
t0="$(now_ms)"
setup_test
# Trunk.toml pins wasm-bindgen too; it must agree with Cargo.lock.
lock_wb="$(kl_wasm_bindgen_version)"
trunk_wb="$(sed -n 's/^wasm_bindgen *= *"\(.*\)".*/\1/p' Trunk.toml)"
[ "$lock_wb" = "$trunk_wb" ] \
  || kl_die "Trunk.toml [tools] wasm_bindgen = \"$trunk_wb\" but Cargo.lock has wasm-bindgen $lock_wb; make them equal"
echo "set-up took $(( ($(now_ms) - t0) / 1000 )) s"

# --- steps ---------------------------------------------------------------------------------------

step_native() {
  cargo test --workspace --no-fail-fast
}

step_lint() {
  cargo fmt --all --check
  cargo clippy --workspace --all-targets -- -D warnings
}

step_golden() {
  shopt -s nullglob
  local gens=(tests/golden/gen_*.py) passed=0 failed=0
  if [ "${#gens[@]}" -eq 0 ]; then
    echo "golden: no generators yet (tests/golden/gen_*.py); nothing to compare"
    return 0
  fi
  local out
  out="$(mktemp -d)"
  for gen in "${gens[@]}"; do
    local name expected
    name="$(basename "$gen" .py)"
    name="${name#gen_}"
    expected="crates/engine/tests/golden/$name.json"
    if ! "$KL_VENV/bin/python" "$gen" >"$out/$name.json" 2>"$out/$name.err"; then
      echo "FAIL golden $name: $gen exited non-zero:"
      sed 's/^/    /' "$out/$name.err"
      failed=$((failed + 1))
    elif [ ! -f "$expected" ]; then
      echo "FAIL golden $name: $expected is missing; create it with:"
      echo "    .venv-golden/bin/python $gen > $expected"
      failed=$((failed + 1))
    elif ! diff -u "$expected" "$out/$name.json" >"$out/$name.diff"; then
      echo "FAIL golden $name: $gen no longer reproduces $expected (first lines of the diff, expected vs regenerated):"
      head -n 40 "$out/$name.diff" | sed 's/^/    /'
      failed=$((failed + 1))
    else
      echo "ok   golden $name ($expected)"
      passed=$((passed + 1))
    fi
  done
  rm -rf "$out"
  # The other direction: kafka-python reads what the engine writes (tests/golden/check_*.py).
  local check
  for check in tests/golden/check_*.py; do
    if "$KL_VENV/bin/python" "$check" | sed 's/^/    /'; then
      echo "ok   golden $(basename "$check" .py)"
      passed=$((passed + 1))
    else
      echo "FAIL golden $(basename "$check" .py): kafka-python could not read the engine's bytes (lines above)"
      failed=$((failed + 1))
    fi
  done
  echo "golden: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# The release CLI that step (c) builds; step (e)'s perf test runs it beside the shipped wasm.
case "${CARGO_TARGET_DIR:-}" in
  "") NATIVE_BIN="$ROOT/target/release/kafkalab" ;;
  /*) NATIVE_BIN="$CARGO_TARGET_DIR/release/kafkalab" ;;
  *) NATIVE_BIN="$ROOT/$CARGO_TARGET_DIR/release/kafkalab" ;;
esac

# Native reference run: sets NATIVE_HASH and NATIVE_EPS; a failing bench fails the wasm step.
NATIVE_HASH=""
NATIVE_EPS=""
native_bench() {
  cargo build --release -p kafkalab-cli
  local bin="$NATIVE_BIN" json start end
  start="$(now_ms)"
  json="$("$bin" bench --seed "$BENCH_SEED" --until-ms "$BENCH_UNTIL_MS")"
  end="$(now_ms)"
  echo "native bench: $json"
  NATIVE_HASH="$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["trace_hash"])')"
  NATIVE_EPS="$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin); wall = max(int(sys.argv[1]), 1)
eps = d.get("events_per_sec") or d.get("events_per_second")
print(int(eps) if eps else int(d["events"] * 1000 / wall))' "$((end - start))")"
  echo "native trace hash: $NATIVE_HASH (seed $BENCH_SEED, until $BENCH_UNTIL_MS ms)"
}

step_wasm() {
  native_bench || return 1
  export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
  local rc=0
  # The unit tests and the integration tests (tests/it) must compile for wasm32; none of them is a
  # #[wasm_bindgen_test], so type-checking them (no code generation) is the whole check.
  cargo check -p kafkalab-engine --target wasm32-unknown-unknown --lib --tests || rc=$?
  # The determinism test, built like the shipped app (profile web, Cargo.toml) so that its events/s
  # are the browser's; native is the release profile.
  local log wasm_eps
  log="$(mktemp)"
  KAFKALAB_NATIVE_TRACE_HASH="$NATIVE_HASH" KAFKALAB_BENCH_UNTIL_MS="$BENCH_UNTIL_MS" \
    cargo test --profile web -p kafkalab-engine --target wasm32-unknown-unknown --test wasm_trace -- --nocapture 2>&1 \
    | tee "$log" || rc=$?
  wasm_eps="$(sed -n 's/.*KAFKALAB_WASM_EVENTS_PER_SEC=\([0-9]*\).*/\1/p' "$log" | tail -n 1)"
  rm -f "$log"
  if [ -n "$NATIVE_EPS" ] && [ -n "$wasm_eps" ]; then
    python3 -c 'import sys; n, w = int(sys.argv[1]), int(sys.argv[2]); print(f"events/s on the reference workload: native {n:,}, wasm (profile web, before wasm-opt; the shipped build is in step e) in headless Chromium {w:,}, wasm/native = {w / max(n, 1):.2f}")' \
      "$NATIVE_EPS" "$wasm_eps"
  fi
  return "$rc"
}

step_build() {
  rm -rf dist
  trunk build --release
  local wasm raw gz br
  wasm="$(ls dist/*.wasm | head -n 1)"
  [ -f "$wasm.gz" ] && [ -f "$wasm.br" ] || { echo "FAIL build: $wasm.gz / .br missing (Trunk.toml's precompress hook)"; return 1; }
  raw="$(wc -c <"$wasm")"
  gz="$(wc -c <"$wasm.gz")"
  br="$(wc -c <"$wasm.br")"
  printf 'wasm size: %s  raw %s bytes (%s KiB), gzip -9 %s bytes (%s KiB), brotli %s bytes (%s KiB)\n' \
    "$(basename "$wasm")" "$raw" "$((raw / 1024))" "$gz" "$((gz / 1024))" "$br" "$((br / 1024))"
}

step_e2e() {
  [ -f dist/index.html ] || { echo "FAIL e2e: dist/ was not built (step build failed)"; return 1; }
  # perf.test.mjs runs step (c)'s release CLI alternately with the shipped wasm (wasm/native).
  cargo build --release -p kafkalab-cli
  # One test file at a time: perf.test.mjs's timings must not share the CPU with app.test.mjs.
  (cd tests/e2e && KAFKALAB_DIST="$ROOT/dist" KAFKALAB_BENCH_UNTIL_MS="$BENCH_UNTIL_MS" \
    KAFKALAB_BIN="$NATIVE_BIN" node --test --test-concurrency=1)
}

step_bridge() {
  cargo build --release -p kafkalab-cli
  local rc=0 py="$KL_BRIDGE_VENV/bin/python" logs test
  export KAFKALAB_BIN="$NATIVE_BIN" KAFKALAB_BRIDGE_LOGS="${TMPDIR:-/tmp}"
  logs="$(mktemp -d)"
  # Two at a time (each test has its own ports), longest first; the clients mostly wait on the
  # simulated network, so two lanes halve the wall time. Each test's output is printed whole, in order.
  local tests=(test_transactions.py test_failover.py test_consumer_protocol.py test_confluent_kafka.py
    test_kafkajs_transactions.mjs test_kafka_python.py test_kafkajs.mjs test_compression.py
    test_malformed_frames.py test_kcat.py)
  for test in "${tests[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
    (
      cd tests/bridge
      case "$test" in *.mjs) runner=node ;; *) runner="$py" ;; esac
      start="$(now_ms)" code=0
      "$runner" "$test" > "$logs/$test.log" 2>&1 || code=$?
      echo "$code $(( ($(now_ms) - start) / 1000 ))" > "$logs/$test.rc"
    ) &
  done
  wait
  for test in "${tests[@]}"; do
    code=1 secs="?"
    [ -f "$logs/$test.rc" ] && read -r code secs < "$logs/$test.rc"
    echo "-- tests/bridge/$test (${secs} s)"
    cat "$logs/$test.log"
    [ "$code" -eq 0 ] || { echo "FAIL bridge: $test"; rc=1; }
  done
  rm -rf "$logs"
  # Alone: it measures records/s.
  echo "-- tests/bridge/throughput.py"
  (cd tests/bridge && "$py" throughput.py) || { echo "FAIL bridge: throughput.py"; rc=1; }
  return "$rc"
}

# --- run them all ----------------------------------------------------------------------------------
passed=0
failed=0
failed_names=()
run_step() {
  local name="$1" fn="$2" start rc
  banner "$name"
  start="$(now_ms)"
  set +e
  (set -euo pipefail; "$fn")
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "---- $name: ok ($(( ($(now_ms) - start) / 1000 )) s)"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "---- $name: FAILED (exit $rc, $(( ($(now_ms) - start) / 1000 )) s)"
  fi
}

run_step "(a) native: cargo test --workspace" step_native
run_step "(a2) lint: cargo fmt --check, cargo clippy -D warnings" step_lint
run_step "(b) golden vectors" step_golden
run_step "(c) wasm: engine tests in headless Chromium" step_wasm
run_step "(d) build: trunk build --release" step_build
run_step "(e) e2e: node --test tests/e2e" step_e2e
run_step "(f) bridge: real Kafka clients against kafkalab broker" step_bridge

banner "summary"
if [ "$failed" -ne 0 ]; then
  echo "failed steps: ${failed_names[*]}"
fi
echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
