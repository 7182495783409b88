//! What the share coordinator stores for a share partition (KIP-932), as ReadShareGroupState and
//! WriteShareGroupState carry it: record states with Kafka's ids, runs of records with one state
//! and delivery count (`PersisterStateBatch`), and a share partition's whole persisted state.

use serde::{Deserialize, Serialize};

/// `SharePartition.RecordState`, with Kafka's ids (they are what `__share_group_state` stores).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordState {
    Available,
    Acquired,
    Acknowledged,
    Archived,
}

impl RecordState {
    pub fn id(self) -> i8 {
        match self {
            RecordState::Available => 0,
            RecordState::Acquired => 1,
            RecordState::Acknowledged => 2,
            RecordState::Archived => 4,
        }
    }

    pub fn from_id(id: i8) -> Option<RecordState> {
        match id {
            0 => Some(RecordState::Available),
            1 => Some(RecordState::Acquired),
            2 => Some(RecordState::Acknowledged),
            4 => Some(RecordState::Archived),
            _ => None,
        }
    }

    /// Acknowledged and archived records are done: the SPSO may pass them.
    pub fn is_terminal(self) -> bool {
        matches!(self, RecordState::Acknowledged | RecordState::Archived)
    }
}

/// A record whose state a release, an acknowledgement or an expired lock changed: what the
/// share partition writes to the share coordinator (a `PersisterStateBatch` of one offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    pub offset: i64,
    pub state: RecordState,
    pub delivery_count: u32,
}

/// A run of offsets with one state and delivery count (`PersisterStateBatch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateBatch {
    pub first_offset: i64,
    pub last_offset: i64,
    pub state: RecordState,
    pub delivery_count: u32,
}

/// The state a share coordinator keeps for a share partition (`ShareGroupOffset`): what a new
/// leader reads back (ReadShareGroupState) to rebuild the share partition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersistedState {
    pub state_epoch: i32,
    /// The SPSO; -1 when the share partition has not been initialised yet.
    pub start_offset: i64,
    pub batches: Vec<StateBatch>,
}
