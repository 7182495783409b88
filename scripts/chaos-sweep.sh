#!/usr/bin/env bash
# Runs `kafkalab chaos` over many seeds for the three configurations of issue 5, the safe one
# with dedicated controllers and with racks (issue 15), with the KIP-848 consumer protocol and
# with a share group (issue 14), and the exactly-once workload of issue 13 (transactional and
# at-least-once processors), and prints how
# many seeds lost acknowledged records, duplicated records, or broke an invariant (for eos also
# the seeds with missing or duplicated outputs and aborted records read). Seeds run in
# parallel on every core (JOBS threads when set) inside one `kafkalab chaos --seeds 1-N --each`
# (kafkalab at CARGO_TARGET_DIR when set), whose per-seed JSON lines, in seed order, are read with
# a JSON parser (scripts/chaos_summary.py).
# Usage: [JOBS=N] scripts/chaos-sweep.sh [SEEDS=1000] [STEPS=200] [CONFIG_FILTER]
# (CONFIG_FILTER: run only the configurations containing it, e.g. `eos`)
set -euo pipefail
seeds=${1:-1000}
steps=${2:-200}
filter=${3:-}
cd "$(dirname "$0")/.."
cargo build --release -q -p kafkalab-cli
bin="${CARGO_TARGET_DIR:-target}/release/kafkalab"
jobs="${JOBS:-$(nproc)}"
for cfg in "--acks all --min-insync-replicas 2 --replication-factor 3 --unclean false" \
           "--acks 1 --min-insync-replicas 1 --replication-factor 3 --unclean false" \
           "--acks all --min-insync-replicas 1 --replication-factor 3 --unclean true" \
           "--controllers 3 --acks all --min-insync-replicas 2 --replication-factor 3 --unclean false" \
           "--racks 3 --acks all --min-insync-replicas 2 --replication-factor 3 --unclean false" \
           "--group-protocol consumer --acks all --min-insync-replicas 2 --replication-factor 3 --unclean false" \
           "--group-protocol share --acks all --min-insync-replicas 2 --replication-factor 3 --unclean false" \
           "--workload eos --eos true --acks all --min-insync-replicas 2 --replication-factor 3 --unclean false" \
           "--workload eos --eos false --acks all --min-insync-replicas 2 --replication-factor 3 --unclean false"; do
  case "$cfg" in *"$filter"*) ;; *) continue ;; esac
  start=$(date +%s)
  # Exit status 1 means some seed broke an invariant: the summary lists them.
  # shellcheck disable=SC2086 # $cfg is a list of flags
  { "$bin" chaos --seeds "1-$seeds" --jobs "$jobs" --steps "$steps" --each $cfg || true; } \
    | python3 scripts/chaos_summary.py "$cfg" "$seeds" "$start"
done
