//! The protocol messages of the recent past, for a sequence diagram: who sent what to whom, when
//! it arrived or why it was lost. Bounded (the last [`MESSAGES_KEPT`]), a persistent vector that
//! checkpoints share, and outside the trace hash: an observation, not behaviour.

use crate::protocol::Message;
use crate::sim::network::{DropReason, Envelope};
use crate::sim::{Millis, NodeId};
use serde::Serialize;
use std::sync::Arc;

/// How many finished messages scenarios and presets keep (`WorldConfig::message_log`).
pub const MESSAGES_KEPT: usize = 2_000;

/// How a message's journey ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MessageOutcome {
    /// Still on the wire.
    InFlight,
    Delivered,
    /// Lost on a cut or lossy link (at send, or on arrival after a cut).
    Dropped {
        reason: DropReason,
    },
    /// The process at one end died: its connections reset and the message vanished.
    Reset,
}

/// One message of the sequence diagram.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedMessage {
    /// The network's id (None for a message refused at send, which never got one).
    pub id: Option<u64>,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: &'static str,
    pub sent_at_ms: Millis,
    /// When it arrived, was dropped or vanished (for one in flight: when it will arrive).
    pub end_at_ms: Millis,
    #[serde(flatten)]
    pub outcome: MessageOutcome,
    /// The message itself (None when dropped at send); [`LoggedMessage::fields`] gives its JSON.
    #[serde(skip)]
    pub body: Option<Arc<Message>>,
}

impl LoggedMessage {
    pub(crate) fn from_envelope(envelope: &Envelope<Message>, end_at_ms: Millis, outcome: MessageOutcome) -> Self {
        LoggedMessage {
            id: Some(envelope.id),
            from: envelope.from,
            to: envelope.to,
            kind: envelope.body.kind(),
            sent_at_ms: envelope.sent_at,
            end_at_ms,
            outcome,
            body: Some(Arc::new(envelope.body.clone())),
        }
    }

    /// The message's fields as JSON, with record batches and records replaced by their counts
    /// (a sequence diagram shows the protocol, the log view shows the data).
    pub fn fields(&self) -> serde_json::Value {
        let mut value =
            self.body.as_deref().map_or(serde_json::Value::Null, |m| serde_json::to_value(m).unwrap_or_default());
        summarise_data(&mut value);
        value
    }
}

fn summarise_data(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                match (key.as_str(), &*field) {
                    ("batches" | "records", serde_json::Value::Array(items)) => {
                        *field = serde_json::Value::from(items.len());
                    }
                    _ => summarise_data(field),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(summarise_data),
        _ => {}
    }
}

/// The finished messages, in the order they finished.
#[derive(Debug, Clone)]
pub struct MessageLog {
    capacity: usize,
    finished: imbl::Vector<LoggedMessage>,
    /// Messages that ended before this were forgotten at once (a checkpoint's log).
    forgotten_before_ms: Millis,
}

impl MessageLog {
    /// A log of the last `capacity` finished messages (0: a log that records nothing).
    pub fn new(capacity: usize) -> Self {
        MessageLog { capacity, finished: imbl::Vector::new(), forgotten_before_ms: 0 }
    }

    /// Records the message `make` builds, unless the log is off (so nothing is copied then).
    pub(crate) fn record(&mut self, make: impl FnOnce() -> LoggedMessage) {
        if self.capacity == 0 {
            return;
        }
        if self.finished.len() == self.capacity {
            self.finished.pop_front();
        }
        self.finished.push_back(make());
    }

    pub(crate) fn forget(&mut self, now: Millis) {
        self.finished = imbl::Vector::new();
        self.forgotten_before_ms = now;
    }

    /// Kept finished messages whose journey overlaps `[from_ms, to_ms]`, in the order they ended.
    pub fn between(&self, from_ms: Millis, to_ms: Millis) -> impl Iterator<Item = &LoggedMessage> {
        self.finished.iter().filter(move |m| m.end_at_ms >= from_ms && m.sent_at_ms <= to_ms)
    }

    /// From when on the log holds every finished message: the end of the oldest kept one once
    /// the log is full, else the time of the checkpoint a seek restored (0 without one).
    pub fn complete_from_ms(&self) -> Millis {
        match self.finished.front() {
            Some(oldest) if self.finished.len() == self.capacity => oldest.end_at_ms,
            _ => self.forgotten_before_ms,
        }
    }
}
