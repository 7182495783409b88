"""Summarises `kafkalab chaos` runs for scripts/chaos-sweep.sh.

Reads lines "SEED<TAB>JSON" on stdin; prints each run that broke an invariant, then
one line: seeds that lost acknowledged records (and how many records), had duplicates, broke an
invariant, or did not produce JSON at all.
"""

import json
import sys
import time


def main() -> None:
    cfg, seeds, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    runs, broken = [], []
    for line in sys.stdin:
        seed, _, text = line.rstrip("\n").partition("\t")
        try:
            runs.append((int(seed), json.loads(text)))
        except json.JSONDecodeError:
            broken.append(int(seed))
            print(f"seed {seed}: not JSON: {text[:200]}")
    runs.sort(key=lambda run: run[0])
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
