#!/usr/bin/env python3
"""Golden vectors for Kafka's murmur2 key partitioner, computed by kafka-python's port of
org.apache.kafka.common.utils.Utils.murmur2 (kafka.partitioner.default.murmur2).

Output (stdout, deterministic): {"partition_counts": [...], "cases": [{"key_hex", "murmur2",
"partitions": {"<N>": toPositive(murmur2) % N}}]}. "murmur2" is the Java int (signed 32-bit);
kafka-python returns it unsigned, so it is converted here. Committed as
crates/engine/tests/golden/murmur2.json and checked by crates/engine/tests/it/golden_murmur2.rs.
"""
import json
import random

from kafka.partitioner.default import murmur2

PARTITION_COUNTS = [1, 2, 3, 6, 12, 50, 100]


def keys():
    out = [b""]
    out += [w.encode() for w in ["21", "foobar", "abc", "a-little-bit-long-string", "a-little-bit-longer-string",
                                 "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", "hello", "user-42", "key", "Key",
                                 "orders", "payments", " ", "\t", "null", "0", "-1", "~!@#$%^&*()_+"]]
    out += [str(i).encode() for i in range(60)]
    out += [("user-%d" % i).encode() for i in range(40)]
    out += [("order-%06d" % (i * 7919)).encode() for i in range(20)]
    unicode = ["카프카", "안녕하세요", "주문-1", "사용자-42", "한글 키", "가", "힣", "日本語", "中文", "Ελληνικά",
               "émoji-😀", "🚀", "𝄞", "ß", "naïve", "\u0000", "\uffff", "a\u0301"]
    out += [u.encode("utf-8") for u in unicode]
    rng = random.Random(794)
    for length in range(0, 41):
        for _ in range(2):
            out.append(bytes(rng.randrange(256) for _ in range(length)))
    out += [bytes([b]) for b in (0x00, 0x7F, 0x80, 0xFF)]
    out += [b"\xff" * n for n in (2, 3, 4, 5, 8)]
    out += [b"x" * 100, b"long-key-" * 50, bytes(range(256)), bytes(rng.randrange(256) for _ in range(1000))]
    seen, unique = set(), []
    for k in out:
        if k not in seen:
            seen.add(k)
            unique.append(k)
    return unique


def to_int32(h):
    return h - (1 << 32) if h >= (1 << 31) else h


def main():
    cases = []
    for key in keys():
        h = to_int32(murmur2(key))
        positive = h & 0x7FFFFFFF
        cases.append({
            "key_hex": key.hex(),
            "murmur2": h,
            "partitions": {str(n): positive % n for n in PARTITION_COUNTS},
        })
    print(json.dumps({"partition_counts": PARTITION_COUNTS, "cases": cases}, sort_keys=True, indent=1))


if __name__ == "__main__":
    main()
