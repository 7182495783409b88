//! The producer client: partitioner, record accumulator, acks, retries and idempotence.

pub mod partitioner;
