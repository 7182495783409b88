//! What a node's handler produces: messages to send, timers to set, facts to narrate.
//! Handlers never touch the network or the clock directly, which keeps them pure and testable.

use super::{Millis, NodeId};
use crate::narration::Fact;
use crate::protocol::Message;

#[derive(Debug)]
pub struct Outbox<T> {
    pub messages: Vec<(NodeId, Message)>,
    pub timers: Vec<(Millis, T)>,
    pub facts: Vec<Fact>,
}

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        Outbox { messages: Vec::new(), timers: Vec::new(), facts: Vec::new() }
    }
}

impl<T> Outbox<T> {
    pub fn send(&mut self, to: NodeId, message: Message) {
        self.messages.push((to, message));
    }

    pub fn timer(&mut self, at: Millis, timer: T) {
        self.timers.push((at, timer));
    }

    pub fn fact(&mut self, fact: Fact) {
        self.facts.push(fact);
    }
}
