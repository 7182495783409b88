//! What every node of the simulated cluster (broker, producer, consumer) shares: one interface
//! the world drives them through, and the outbox their handlers write Kafka messages, facts and
//! timers of the node's own type into.

use crate::narration::Fact;
use crate::protocol::Message;
use crate::sim::{Millis, NodeId};
use rand::Rng;

/// The kernel's outbox carrying Kafka messages and facts.
pub type Outbox<T> = crate::sim::outbox::Outbox<Message, T, Fact>;

/// Something from outside that reaches a node: a message, a broken connection, or its process
/// starting or dying.
#[derive(Debug)]
pub enum Input {
    Message {
        from: NodeId,
        message: Message,
    },
    /// The connection to broker `peer` broke (a refused or reset connection).
    Disconnected {
        peer: i32,
    },
    /// The process starts, for the first time or after a crash.
    Start,
    /// The process dies; the world then makes its timers and connections stale.
    Crash,
}

/// A node as a pure state machine (stateright's `Actor`): every input, with the time and the
/// world's RNG, produces an outbox; nothing else changes it.
pub trait Node {
    /// The node's own timers; sub-components' timers are wrapped into it (`From`).
    type Timer;

    fn on_message(
        &mut self,
        from: NodeId,
        message: Message,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Self::Timer>,
    );

    fn on_timer(&mut self, timer: Self::Timer, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Self::Timer>);

    fn on_disconnect(&mut self, peer: i32, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Self::Timer>);

    /// The process starts: its start-up fact first, then what it sends and schedules.
    fn on_start(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Self::Timer>);

    /// The process dies: what it kept only in memory is gone, and its fact says what was lost.
    fn crash(&mut self, now: Millis, out: &mut Outbox<Self::Timer>);

    /// Whether firing `timer` now would do anything; the world drops dead timers unseen.
    fn timer_is_live(&self, _timer: &Self::Timer) -> bool {
        true
    }

    /// The one path an input takes into a node.
    fn handle(&mut self, input: Input, now: Millis, rng: &mut impl Rng) -> Outbox<Self::Timer> {
        let mut out = Outbox::default();
        match input {
            Input::Message { from, message } => self.on_message(from, message, now, rng, &mut out),
            Input::Disconnected { peer } => self.on_disconnect(peer, now, rng, &mut out),
            Input::Start => self.on_start(now, rng, &mut out),
            Input::Crash => self.crash(now, &mut out),
        }
        out
    }

    /// Fires one of the node's timers.
    fn fire(&mut self, timer: Self::Timer, now: Millis, rng: &mut impl Rng) -> Outbox<Self::Timer> {
        let mut out = Outbox::default();
        self.on_timer(timer, now, rng, &mut out);
        out
    }
}
