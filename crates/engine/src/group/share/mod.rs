//! Share groups (KIP-932, "queues for Kafka"), as Kafka 4.1 ships them: the `simple` assignor,
//! the share partition a partition leader keeps for each share group, and the share
//! coordinator's `__share_group_state`.

pub mod assignor;
pub mod partition;
pub mod state_log;
