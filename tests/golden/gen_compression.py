#!/usr/bin/env python3
"""Golden compressed RecordBatch v2 vectors, one set per codec (gzip, snappy, lz4, zstd), built by
kafka-python's DefaultRecordBatchBuilder with its codecs (kafka.codec: the gzip module, xerial
framing over python-snappy, lz4.frame with independent blocks, zstandard).

Output (stdout, deterministic): {"generator", "cases": [{"name", "codec", "input", "hex",
"uncompressed_size"}]}. "input" is the `kafkalab batch encode` JSON of docs/architecture.md with
"compression" set; a case with "repeat" instead of "records" stands for `count` records whose key
is `key` + index and whose value is `value` repeated `repeat` times (large batches: several LZ4
and snappy blocks, without a megabyte of JSON). "uncompressed_size" is the batch's size with its
records uncompressed (kafka-python's size before compression).

Python's gzip writes the current time into the gzip header; the generator gives it mtime 0 (as
Java's GZIPOutputStream always writes) so that the output is reproducible. kafka-python falls back
to an uncompressed batch when compression does not shrink it; every case here compresses, and the
generator checks the codec bits. Every batch is read back with kafka-python's DefaultRecordBatch
and its CRC checked.

Committed as crates/engine/tests/golden/compression.json; decoded by the engine in
crates/engine/tests/it/golden_compression.rs. The other direction (engine bytes read by kafka-python)
is tests/golden/check_engine_compression.py.
"""
import functools
import gzip
import json
import types

import kafka
import kafka.codec
import lz4
import snappy
import zstandard
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder

kafka.codec.gzip = types.SimpleNamespace(GzipFile=functools.partial(gzip.GzipFile, mtime=0))

TS = 1700000000000
CODECS = {"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def rec(timestamp, key, value, headers=()):
    return {"timestamp": timestamp, "key": key, "value": value, "headers": [list(h) for h in headers]}


def cases():
    out = []
    for codec in CODECS:
        out.append({"name": codec + "_orders", "codec": codec, "records": [
            rec(TS + i, "order-%d" % (i % 5), '{"order": %d, "status": "paid", "amount": 100}' % i,
                [("trace-id", "abc%d" % (i % 3))])
            for i in range(40)]})
        out.append({"name": codec + "_null_key_tombstone_unicode", "codec": codec, "records": [
            rec(TS, None, "카프카 압축 " * 20),
            rec(TS + 1, "deleted", None, [("h", None)]),
            rec(TS + 2, "k", "Ελληνικά " * 20),
        ], "producer_id": 9000, "producer_epoch": 1, "base_sequence": 7})
        # 3 x 40 KB: more than one 32 KiB xerial block and one 64 KiB LZ4 block.
        out.append({"name": codec + "_large_multi_block", "codec": codec,
                    "repeat": {"count": 3, "key": "big-", "value": "order-1 status=paid amount=100; ", "repeat": 1280}})
    return out


def expand(c):
    if "records" in c:
        return c["records"]
    r = c["repeat"]
    return [rec(TS + i, r["key"] + str(i), r["value"] * r["repeat"]) for i in range(r["count"])]


def build(c, records):
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=CODECS[c["codec"]], is_transactional=False,
        producer_id=c.get("producer_id", -1), producer_epoch=c.get("producer_epoch", -1),
        base_sequence=c.get("base_sequence", -1), batch_size=2 ** 30)
    for offset_delta, r in enumerate(records):
        headers = [(h[0], None if h[1] is None else h[1].encode("utf-8")) for h in r["headers"]]
        meta = builder.append(offset_delta, timestamp=r["timestamp"],
                              key=None if r["key"] is None else r["key"].encode("utf-8"),
                              value=None if r["value"] is None else r["value"].encode("utf-8"), headers=headers)
        assert meta is not None, c["name"]
    uncompressed_size = builder.size()
    buf = bytes(builder.build())
    assert buf[22] & 7 == CODECS[c["codec"]], c["name"] + ": kafka-python sent it uncompressed"
    batch = DefaultRecordBatch(buf)
    assert batch.validate_crc(), c["name"]
    read = list(batch)
    assert len(read) == len(records), c["name"]
    for got, r in zip(read, records):
        assert got.timestamp == r["timestamp"], c["name"]
        assert got.key == (None if r["key"] is None else r["key"].encode("utf-8")), c["name"]
        assert got.value == (None if r["value"] is None else r["value"].encode("utf-8")), c["name"]
    return buf.hex(), uncompressed_size


def main():
    out = []
    for c in cases():
        records = expand(c)
        hex_bytes, uncompressed_size = build(c, records)
        data = {
            "base_offset": 0,
            "producer_id": c.get("producer_id", -1),
            "producer_epoch": c.get("producer_epoch", -1),
            "base_sequence": c.get("base_sequence", -1),
            "partition_leader_epoch": 0,
            "compression": c["codec"],
        }
        case = {"name": c["name"], "codec": c["codec"], "hex": hex_bytes, "uncompressed_size": uncompressed_size}
        if "repeat" in c:
            case["repeat"] = c["repeat"]
            data["records"] = []
        else:
            data["records"] = records
        case["input"] = data
        out.append(case)
    versions = "kafka-python %s, lz4 %s, python-snappy %s, zstandard %s" % (
        kafka.__version__, lz4.__version__, getattr(snappy, "__version__", "?"), zstandard.__version__)
    doc = {"generator": versions + ": DefaultRecordBatchBuilder (magic 2) with each codec", "cases": out}
    print(json.dumps(doc, sort_keys=True, indent=1))


if __name__ == "__main__":
    main()
