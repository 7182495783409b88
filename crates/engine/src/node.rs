//! What every node of the simulated cluster (broker, producer, consumer) shares: handlers write
//! Kafka messages and facts into an [`Outbox`], with timers of the node's own type.

use crate::narration::Fact;
use crate::protocol::Message;

/// The kernel's outbox carrying Kafka messages and facts.
pub type Outbox<T> = crate::sim::outbox::Outbox<Message, T, Fact>;
