#!/usr/bin/env python3
"""Golden control batches (transaction markers), built and read back by kafka-python.

kafka-python never writes a control batch (only brokers do: its builder leaves the control bit
out), but it reads them: DefaultRecordBatch.is_control_batch and ControlRecord (version, type,
commit/abort). So each marker is built as Kafka's MemoryRecords.withEndTransactionMarker writes
it: DefaultRecordBatchBuilder with is_transactional, the producer id and epoch, baseSequence -1,
one record at offset delta 0 whose key is ControlRecordType's `version i16 (0), type i16`
(ABORT 0, COMMIT 1) and whose value is EndTxnMarker version 0: `version i16 (0),
coordinatorEpoch i32`, no headers. Then the control bit (0x20, DefaultRecordBatch.CONTROL_FLAG_MASK)
is set in the attributes and the CRC-32C recomputed with kafka-python's own calc_crc32c, as the
broker's builder computes it over attributes..end. The bytes are read back with kafka-python's
DefaultRecordBatch: CRC valid, is_control_batch, is_transactional, one ControlRecord of the
expected type and version, and the coordinator epoch from its value.

Output (stdout, deterministic): {"generator", "cases": [{"name", "control_type", "coordinator_epoch",
"producer_id", "producer_epoch", "timestamp", "base_offset", "leader_epoch", "hex"}]}.
Committed as crates/engine/tests/golden/control_batches.json; checked by
crates/engine/tests/it/golden_batches.rs.
"""
import json
import struct

import kafka
from kafka.record.default_records import ControlRecord, DefaultRecordBatch, DefaultRecordBatchBuilder
from kafka.record.util import calc_crc32c

CONTROL_FLAG_MASK = 0x20
ATTRIBUTES_OFFSET = 21  # baseOffset 8, length 4, partitionLeaderEpoch 4, magic 1, crc 4
CRC_OFFSET = 17

CASES = [
    # name, type (0 abort, 1 commit), coordinator epoch, producer id, producer epoch, timestamp, base offset, leader epoch
    ("commit_marker", 1, 0, 3000000, 1, 1700000000000, 3, 0),
    ("abort_marker", 0, 0, 3000000, 2, 1700000004000, 7, 0),
    ("commit_marker_later_coordinator_epoch", 1, 5, 9000, 0, 1700000000123, 1234, 17),
    ("abort_marker_extreme_ids", 0, 2 ** 31 - 1, 2 ** 63 - 1, 32766, 1700000009999, 2 ** 40, 2 ** 31 - 1),
]


def build(control_type, coordinator_epoch, producer_id, producer_epoch, timestamp, base_offset, leader_epoch):
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=0, is_transactional=True, producer_id=producer_id,
        producer_epoch=producer_epoch, base_sequence=-1, batch_size=2 ** 20)
    key = struct.pack(">hh", 0, control_type)
    value = struct.pack(">hi", 0, coordinator_epoch)
    assert builder.append(0, timestamp=timestamp, key=key, value=value, headers=[]) is not None
    buf = bytearray(builder.build())
    attributes = struct.unpack_from(">h", buf, ATTRIBUTES_OFFSET)[0] | CONTROL_FLAG_MASK
    struct.pack_into(">h", buf, ATTRIBUTES_OFFSET, attributes)
    struct.pack_into(">I", buf, CRC_OFFSET, calc_crc32c(bytes(buf[ATTRIBUTES_OFFSET:])))
    # Broker-stamped fields outside the CRC.
    struct.pack_into(">q", buf, 0, base_offset)
    struct.pack_into(">i", buf, 12, leader_epoch)
    batch = DefaultRecordBatch(bytes(buf))
    assert batch.validate_crc() and batch.is_control_batch and batch.is_transactional
    assert batch.producer_id == producer_id and batch.producer_epoch == producer_epoch
    records = list(batch)
    assert len(records) == 1 and isinstance(records[0], ControlRecord)
    marker = records[0]
    assert marker.version == 0 and marker.type == control_type and marker.offset == base_offset
    assert marker.commit == (control_type == 1) and marker.abort == (control_type == 0)
    assert struct.unpack(">hi", marker.value) == (0, coordinator_epoch)
    return bytes(buf).hex()


def main():
    out = []
    for name, control_type, epoch, pid, pepoch, ts, base_offset, leader_epoch in CASES:
        out.append({
            "name": name,
            "control_type": "COMMIT" if control_type == 1 else "ABORT",
            "coordinator_epoch": epoch,
            "producer_id": pid,
            "producer_epoch": pepoch,
            "timestamp": ts,
            "base_offset": base_offset,
            "leader_epoch": leader_epoch,
            "hex": build(control_type, epoch, pid, pepoch, ts, base_offset, leader_epoch),
        })
    doc = {"generator": "kafka-python %s DefaultRecordBatchBuilder + control bit, read by DefaultRecordBatch/ControlRecord"
           % kafka.__version__, "cases": out}
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
