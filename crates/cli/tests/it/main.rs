//! The CLI's integration tests, one binary: each runs the built `kafkalab` as a user would.

mod common;

mod batch_cli;
mod chaos_cli;
mod lessons_cli;
mod memory_cli;
mod partition_assign_cli;
mod run_cli;
mod shell_cli;
