//! Consumer groups: the coordinator and the partition assignors.

pub mod assignor;
