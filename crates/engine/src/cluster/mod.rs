//! The Kafka world above the kernel: every broker, producer and consumer on the simulated
//! network, the actions that change it, how events reach each node, and time travel.

pub mod action;
mod bootstrap;
pub mod external;
pub mod message_log;
pub mod processor;
pub mod streams;
pub mod timeline;
pub mod workload;
pub mod world;

pub use action::{Action, ActionError, ActionOutcome};
pub use external::{ConnectionEnd, ExternalEvent};
pub use world::{TimedFact, World, WorldConfig};
