//! Checking the simulation: invariants after every event, and the chaos runner that drives random
//! faults and audits every acknowledged record. (The delivery audit the world feeds with its facts
//! is `crate::delivery`, a layer below the world.)

pub mod chaos;
pub mod chaos_eos;
pub mod invariants;
