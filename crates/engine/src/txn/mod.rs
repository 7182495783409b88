//! Transactions (KIP-98) as Kafka 4.x runs them (transactions version 2, KIP-890): the
//! transaction coordinator a broker hosts for the `__transaction_state` partitions it leads,
//! its states, and the records it writes there.

pub mod coordinator;
pub mod log;

use crate::protocol::TopicPartition;
pub use crate::protocol::TxnState;
use serde::Serialize;
use std::collections::BTreeSet;

/// What the coordinator knows of one transactional id (`TransactionMetadata`), as its log
/// record holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxnMetadata {
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub timeout_ms: u64,
    pub state: TxnState,
    pub partitions: BTreeSet<TopicPartition>,
    /// When the open transaction began (its first partition was added).
    pub start_ms: u64,
    pub last_update_ms: u64,
}
