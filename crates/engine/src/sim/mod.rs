//! The deterministic simulation kernel, free of Kafka: virtual time, node ids, the event queue,
//! the network, the outbox a handler writes and the trace hash. The Kafka world is built on it
//! (the `cluster` module), never the other way round.

pub mod network;
pub mod outbox;
pub mod queue;
pub mod trace;

use serde::{Serialize, Serializer};
use std::fmt;

/// Virtual time in milliseconds since the simulation started. Never wall-clock time.
pub type Millis = u64;

/// Every addressable process in the simulation: brokers (which may also be KRaft controllers,
/// as in combined mode) and client processes (producers and consumers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeId {
    Broker(i32),
    Client(u32),
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Broker(id) => write!(f, "broker-{id}"),
            NodeId::Client(id) => write!(f, "client-{id}"),
        }
    }
}

impl Serialize for NodeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// As `broker-N` or `client-N` (a live page reads the View's cut links).
impl<'de> serde::Deserialize<'de> for NodeId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for NodeId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("bad node `{s}`: expected broker-N or client-N");
        if let Some(n) = s.strip_prefix("broker-") {
            n.parse().map(NodeId::Broker).map_err(|_| bad())
        } else if let Some(n) = s.strip_prefix("client-") {
            n.parse().map(NodeId::Client).map_err(|_| bad())
        } else {
            Err(bad())
        }
    }
}
