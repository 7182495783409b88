#!/usr/bin/env python3
"""kafka-python reads the engine's compressed batches: every case of
crates/engine/tests/golden/compression_engine.json (the engine's RecordBatch::encode of
compression.json's inputs, kept current by crates/engine/tests/it/golden_compression.rs) is parsed
by kafka-python's DefaultRecordBatch, its CRC checked, its codec bits read, its records
decompressed by kafka.codec and compared with the input. Prints one line per case and
'N passed, N failed'; exits non-zero on any failure.
"""
import json
import os
import sys

from kafka.record.default_records import DefaultRecordBatch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATH = os.path.join(ROOT, "crates", "engine", "tests", "golden", "compression_engine.json")
CODECS = {"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
TS = 1700000000000


def utf8(text):
    return None if text is None else text.encode("utf-8")


def expected_records(case):
    spec = case.get("repeat")
    if spec is None:
        return [(r["timestamp"], utf8(r["key"]), utf8(r["value"]), [(h[0], utf8(h[1])) for h in r["headers"]])
                for r in case["input"]["records"]]
    return [(TS + i, utf8(spec["key"] + str(i)), utf8(spec["value"] * spec["repeat"]), [])
            for i in range(spec["count"])]


def check(case):
    buf = bytes.fromhex(case["hex"])
    batch = DefaultRecordBatch(buf)
    if not batch.validate_crc():
        return "CRC-32C does not match"
    if batch.compression_type != CODECS[case["codec"]]:
        return "codec bits %d, expected %s" % (batch.compression_type, case["codec"])
    got = [(r.timestamp, r.key, r.value, list(r.headers)) for r in batch]
    want = expected_records(case)
    if got != want:
        return "records differ: %d read, %d expected" % (len(got), len(want))
    return None


def main():
    with open(PATH) as f:
        cases = json.load(f)["cases"]
    passed = failed = 0
    for case in cases:
        try:
            problem = check(case)
        except Exception as e:  # kafka-python raised on the bytes: a failure, with its reason
            problem = "kafka-python raised %s: %s" % (type(e).__name__, e)
        if problem:
            failed += 1
            print("FAIL %s: %s" % (case["name"], problem))
        else:
            passed += 1
            print("ok   %s (%s, %d bytes)" % (case["name"], case["codec"], len(case["hex"]) // 2))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
