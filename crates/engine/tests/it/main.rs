//! The engine's integration tests, one binary (one link instead of eleven on a 2-core machine).
//! `tests/wasm_trace.rs` stays apart: it is built with the web profile and a compile-time trace hash.

mod common;

mod admin_actions;
mod assignor_props;
mod chaos;
mod consumer_groups;
mod consumer_protocol;
mod dynamic_configs;
mod golden_assignors;
mod golden_batches;
mod golden_compression;
mod golden_murmur2;
mod kraft;
mod lessons;
mod log_props;
mod log_view;
mod misrouted;
/// Reads `src/` from disk, which the wasm32 test runner cannot.
#[cfg(not(target_arch = "wasm32"))]
mod module_layers;
mod producer_crash;
mod producer_flow;
mod reassignment;
mod replication;
mod retention_reset;
mod scenarios;
mod share_groups;
mod streams;
mod topic_deletion;
mod transactions;
mod tuning_scenarios;
