//! kafkalab-engine: Apache Kafka's algorithms on a virtual clock.
//!
//! The engine is a pure, deterministic state machine (in the style of raft-rs): user actions and
//! scheduled events go in, a serializable [`view::View`] and typed narration facts come out. It does
//! no I/O, reads no wall clock and keeps no globals; all randomness comes from one seeded RNG.

pub mod broker;
pub mod check;
pub mod cluster;
pub mod config;
pub mod consumer;
pub mod controller;
pub mod delivery;
pub mod group;
pub mod lesson;
pub mod log;
pub mod metrics;
pub mod narration;
pub mod node;
pub mod producer;
pub mod protocol;
pub mod scenario;
pub mod sim;
pub mod streams;
pub mod txn;
pub mod view;

pub use cluster::World;
