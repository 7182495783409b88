//! Kafka's partition log: records, RecordBatch v2 bytes, segments, indexes, retention, compaction.
