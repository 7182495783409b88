//! Consumer groups: the coordinator and the partition assignors.

pub mod assignor;
pub mod coordinator;
pub mod history;
pub mod offsets;
pub mod server_assignor;
pub mod share;
