#!/usr/bin/env python3
"""Golden RecordBatch v2 vectors, built by kafka-python's DefaultRecordBatchBuilder (a port of Kafka's
MemoryRecordsBuilder / DefaultRecordBatch, magic 2, uncompressed, CRC-32C).

Output (stdout, deterministic): {"generator", "cases": [{"name", "input", "hex"}]}. "input" is the
`kafkalab batch encode` JSON of docs/architecture.md (keys, values and header values as UTF-8 strings or null;
`key_hex` / `value_hex` for bytes that are not UTF-8; `is_transactional` when set). "hex" is the
batch kafka-python builds. kafka-python always writes baseOffset 0 and partitionLeaderEpoch 0, the
two header fields outside the CRC that the broker stamps in place; cases that need other values set
them the same way, by overwriting those bytes after build() (the CRC stays valid, as in Kafka).
Every batch is read back with kafka-python's DefaultRecordBatch and its CRC checked.

Committed as crates/engine/tests/golden/record_batches.json; checked by
crates/engine/tests/it/golden_batches.rs.
"""
import json
import struct

import kafka
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder

TS = 1700000000000


def rec(timestamp, key, value, headers=()):
    return {"timestamp": timestamp, "key": key, "value": value, "headers": [list(h) for h in headers]}


def case(name, records, base_offset=0, leader_epoch=0, producer_id=-1, producer_epoch=-1, base_sequence=-1,
         transactional=False):
    return {"name": name, "records": records, "base_offset": base_offset, "leader_epoch": leader_epoch,
            "producer_id": producer_id, "producer_epoch": producer_epoch, "base_sequence": base_sequence,
            "transactional": transactional}


def to_bytes(record, field):
    if field + "_hex" in record:
        return bytes.fromhex(record[field + "_hex"])
    value = record.get(field)
    return None if value is None else value.encode("utf-8")


def cases():
    out = [
        case("model_vector_kafka_model_2_1", [
            rec(TS, "k", "v"),
            rec(TS + 5, None, "hello", [("h", "x")]),
        ]),
        case("single_record", [rec(TS, "key", "value")]),
        case("null_key", [rec(TS, None, "value without key")]),
        case("tombstone_null_value", [rec(TS, "deleted-key", None)]),
        case("null_key_and_null_value", [rec(TS, None, None)]),
        case("headers_with_null_values_and_repeats", [
            rec(TS, "k", "v", [("trace-id", "abc123"), ("empty", None), ("trace-id", "def456"), ("", "no key")]),
            rec(TS + 1, "k2", None, [("only-null", None)]),
        ]),
        case("unicode_keys_values_headers", [
            rec(TS, "카프카", "안녕하세요 세계", [("언어", "한국어"), ("emoji", "🚀😀")]),
            rec(TS + 10, "日本語", "Ελληνικά ß naïve 𝄞", [("ключ", "значение")]),
        ]),
        case("empty_strings", [rec(TS, "", "", [("", "")]), rec(TS, "", None)]),
        case("many_records", [rec(TS + i * 3, "key-%d" % (i % 17), "value-%d-" % i + "x" * (i % 40))
                               for i in range(300)]),
        case("large_timestamp_deltas", [
            rec(TS, "a", "1"),
            rec(1, "b", "2"),                      # far in the past: negative delta
            rec(4102444800000, "c", "3"),          # year 2100
            rec(TS - 1, "d", "4"),
            rec(9007199254740991, "e", "5"),       # 2^53 - 1
        ]),
        case("idempotent_producer", [rec(TS + i, "k%d" % i, "v%d" % i) for i in range(5)],
             producer_id=123456789, producer_epoch=3, base_sequence=42),
        case("transactional_producer", [rec(TS, "order-1", "created"), rec(TS + 2, "order-1", "paid")],
             producer_id=9000, producer_epoch=0, base_sequence=0, transactional=True),
        case("base_offset_and_leader_epoch", [rec(TS, "k", "v"), rec(TS + 1, "k", "w")],
             base_offset=1234567890123, leader_epoch=17),
        case("extreme_header_fields", [rec(TS, "k", "v")], base_offset=2 ** 62, leader_epoch=2 ** 31 - 1,
             producer_id=2 ** 63 - 1, producer_epoch=32767, base_sequence=2 ** 31 - 1 - 3),
        case("binary_key_and_value", [
            {"timestamp": TS, "key_hex": "00ff80fe", "value_hex": "c328ffee00", "headers": [["bin", None]]},
            {"timestamp": TS + 1, "key_hex": "", "value_hex": "", "headers": []},
        ]),
        case("large_value_multibyte_lengths", [rec(TS, "big", "z" * 20000), rec(TS + 1, "k" * 200, "y" * 130)],
             leader_epoch=5),
        case("sequence_near_wrap", [rec(TS + i, "s", str(i)) for i in range(4)],
             producer_id=77, producer_epoch=1, base_sequence=2 ** 31 - 2),
    ]
    return out


def build(c):
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=0, is_transactional=c["transactional"], producer_id=c["producer_id"],
        producer_epoch=c["producer_epoch"], base_sequence=c["base_sequence"], batch_size=2 ** 30)
    for offset_delta, r in enumerate(c["records"]):
        headers = [(h[0], None if h[1] is None else h[1].encode("utf-8")) for h in r["headers"]]
        meta = builder.append(offset_delta, timestamp=r["timestamp"], key=to_bytes(r, "key"),
                              value=to_bytes(r, "value"), headers=headers)
        assert meta is not None, c["name"]
    buf = bytearray(builder.build())
    # Broker-stamped fields outside the CRC (DefaultRecordBatch.setLastOffset / setPartitionLeaderEpoch).
    struct.pack_into(">q", buf, 0, c["base_offset"])
    struct.pack_into(">i", buf, 12, c["leader_epoch"])
    batch = DefaultRecordBatch(bytes(buf))
    assert batch.validate_crc(), c["name"]
    read = list(batch)
    assert len(read) == len(c["records"]), c["name"]
    for i, (r, got) in enumerate(zip(c["records"], read)):
        assert got.offset == c["base_offset"] + i and got.timestamp == r["timestamp"], c["name"]
        assert got.key == to_bytes(r, "key") and got.value == to_bytes(r, "value"), c["name"]
    return bytes(buf).hex()


def main():
    out = []
    for c in cases():
        data = {
            "base_offset": c["base_offset"],
            "producer_id": c["producer_id"],
            "producer_epoch": c["producer_epoch"],
            "base_sequence": c["base_sequence"],
            "partition_leader_epoch": c["leader_epoch"],
            "records": c["records"],
        }
        if c["transactional"]:
            data["is_transactional"] = True
        out.append({"name": c["name"], "input": data, "hex": build(c)})
    doc = {"generator": "kafka-python %s DefaultRecordBatchBuilder (magic 2, uncompressed)" % kafka.__version__,
           "cases": out}
    print(json.dumps(doc, sort_keys=True, indent=1))


if __name__ == "__main__":
    main()
