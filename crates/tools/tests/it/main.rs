//! The tools' integration tests, one binary: golden outputs per tool, and random arguments.

mod common;

mod cluster_golden;
mod console_golden;
mod groups_golden;
mod help_golden;
mod random_args;
mod reassign_golden;
mod scenario;
mod server_stop;
mod share_groups_golden;
mod streaming;
mod topics_golden;
mod transactions_golden;
