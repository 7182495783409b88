//! Kafka's built-in partitioner: explicit partition, murmur2 for keys, sticky for null keys.
