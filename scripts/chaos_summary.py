"""Summarises `kafkalab chaos` runs for scripts/chaos-sweep.sh.

Reads the output of `kafkalab chaos --seeds 1-N --each` on stdin: one JSON line per seed, then
the sweep's summary line (skipped here: the counts below come from the seeds' own lines). Prints
each run that broke an invariant, then one line: seeds that lost acknowledged records (and how
many records), had duplicates, broke an invariant, or did not produce JSON at all (a line that is
not JSON, or a seed missing because the sweep stopped).
"""

import json
import sys
import time


def main() -> None:
    cfg, seeds, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    runs = []
    for line in sys.stdin:
        try:
            run = json.loads(line)
        except json.JSONDecodeError:
            print(f"not JSON: {line[:200]}")
            continue
        if "seed" in run:
            runs.append((run["seed"], run))
    runs.sort(key=lambda run: run[0])
    seen = {seed for seed, _ in runs}
    broken = [seed for seed in range(1, seeds + 1) if seed not in seen]
    lost = [(seed, run) for seed, run in runs if run["lost_acked"] > 0]
    for seed, run in runs:
        if run["violations"]:
            print(f"violation: seed {seed}: {json.dumps(run)}")
    lost_records = sum(run["lost_acked"] for _, run in lost)
    skipped = sum(run["skipped_acked"] for _, run in runs)
    first = lost[0][0] if lost else "none"
    duplicate_seeds = [seed for seed, run in runs if run["duplicates"] > 0]
    duplicates = len(duplicate_seeds)
    violations = sum(1 for _, run in runs if run["violations"])
    eos = [run for _, run in runs if "eos_missing" in run]
    eos_line = ""
    if eos:
        eos_line = (
            f"; eos: seeds with missing outputs: {sum(1 for r in eos if r['eos_missing'] > 0)} "
            f"({sum(r['eos_missing'] for r in eos)} records), with duplicated outputs: "
            f"{sum(1 for r in eos if r['eos_duplicates'] > 0)} ({sum(r['eos_duplicates'] for r in eos)} records), "
            f"with aborted records read: {sum(1 for r in eos if r['aborted_read'] > 0)}"
        )
    print(
        f"{cfg}: {seeds} seeds in {int(time.time()) - start} s; with lost acked records: {len(lost)} "
        f"({lost_records} records, of which {skipped} still in the log but passed by the group's "
        f"committed offset; first seed {first}); with duplicates: {duplicates}; "
        f"with violations: {violations}; runs without JSON: {len(broken)}{eos_line}"
    )
    if duplicate_seeds or lost:
        print(f"  first seeds with duplicates: {duplicate_seeds[:10]}; with lost records: {[s for s, _ in lost][:10]}")
    eos_faults = [seed for seed, run in runs if run.get("eos_missing", 0) + run.get("eos_duplicates", 0) > 0]
    if eos_faults:
        print(f"  first seeds with missing or duplicated outputs: {eos_faults[:10]}")


if __name__ == "__main__":
    main()
