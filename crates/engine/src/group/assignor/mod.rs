//! Kafka's consumer partition assignors.
