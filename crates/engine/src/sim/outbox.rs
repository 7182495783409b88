//! What a node's handler produces: messages to send, timers to set, facts to narrate.
//! Handlers never touch the network or the clock directly, which keeps them pure and testable.
//! The kernel knows nothing of Kafka: the message, timer and fact types are the caller's.

use super::{Millis, NodeId};

#[derive(Debug)]
pub struct Outbox<M, T, F> {
    pub messages: Vec<(NodeId, M)>,
    pub timers: Vec<(Millis, T)>,
    pub facts: Vec<F>,
}

impl<M, T, F> Default for Outbox<M, T, F> {
    fn default() -> Self {
        Outbox { messages: Vec::new(), timers: Vec::new(), facts: Vec::new() }
    }
}

impl<M, T, F> Outbox<M, T, F> {
    /// Sends anything that converts into the message type (a subsystem's message, say).
    pub fn send(&mut self, to: NodeId, message: impl Into<M>) {
        self.messages.push((to, message.into()));
    }

    pub fn timer(&mut self, at: Millis, timer: T) {
        self.timers.push((at, timer));
    }

    pub fn fact(&mut self, fact: F) {
        self.facts.push(fact);
    }
}
