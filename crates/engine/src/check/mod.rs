//! Checking the simulation: invariants after every event, and the chaos runner that drives
//! random faults and audits every acknowledged record.

pub mod chaos;
pub mod invariants;
