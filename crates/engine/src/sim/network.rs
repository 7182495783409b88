//! The simulated network: typed messages between nodes with seeded latency and jitter.
//!
//! Each directed link is FIFO, like the TCP connection Kafka clients and brokers keep open:
//! a message never overtakes an earlier one on the same link. Links can be cut (one way or both),
//! made lossy, and nodes can be slowed; a message that meets a cut link is lost, as a broken
//! connection loses what was in flight.

use super::{Millis, NodeId};
use rand::Rng;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A message on the wire, with the times the UI needs to draw it moving.
#[derive(Debug, Clone, Serialize)]
pub struct Envelope<B> {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Millis,
    pub arrive_at: Millis,
    pub body: B,
}

/// Latency model of every link: `latency_ms + uniform(0..=jitter_ms)`, plus any slowness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NetworkConfig {
    pub latency_ms: Millis,
    pub jitter_ms: Millis,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig { latency_ms: 2, jitter_ms: 3 }
    }
}

/// Why a message did not arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    LinkCut,
    Lost,
}

/// A message at its arrival: delivered, or lost with the reason.
pub type Delivery<B> = Result<Envelope<B>, (Envelope<B>, DropReason)>;

#[derive(Debug, Clone)]
pub struct Network<B> {
    config: NetworkConfig,
    /// Directed links `(from, to)` that deliver nothing.
    cuts: BTreeSet<(NodeId, NodeId)>,
    /// Directed links that lose each message with this probability.
    loss: BTreeMap<(NodeId, NodeId), f64>,
    /// Extra latency on every message to or from a node.
    slow: BTreeMap<NodeId, Millis>,
    /// Arrival time of the last message on each link, to keep links FIFO.
    link_tail: BTreeMap<(NodeId, NodeId), Millis>,
    in_flight: BTreeMap<u64, Envelope<B>>,
    next_id: u64,
}

impl<B> Network<B> {
    pub fn new(config: NetworkConfig) -> Self {
        Network {
            config,
            cuts: BTreeSet::new(),
            loss: BTreeMap::new(),
            slow: BTreeMap::new(),
            link_tail: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            next_id: 0,
        }
    }

    /// Puts a message on the wire. Returns its id and arrival time, or why it was lost at once.
    pub fn send(
        &mut self,
        rng: &mut impl Rng,
        now: Millis,
        from: NodeId,
        to: NodeId,
        body: B,
    ) -> Result<(u64, Millis), DropReason> {
        if self.cuts.contains(&(from, to)) {
            return Err(DropReason::LinkCut);
        }
        if let Some(&p) = self.loss.get(&(from, to)) {
            if rng.random_bool(p) {
                return Err(DropReason::Lost);
            }
        }
        let jitter = if self.config.jitter_ms > 0 { rng.random_range(0..=self.config.jitter_ms) } else { 0 };
        let slowness = self.slow.get(&from).copied().unwrap_or(0) + self.slow.get(&to).copied().unwrap_or(0);
        let earliest = now + self.config.latency_ms + jitter + slowness;
        let tail = self.link_tail.entry((from, to)).or_insert(0);
        let arrive_at = earliest.max(*tail);
        *tail = arrive_at;
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, Envelope { id, from, to, sent_at: now, arrive_at, body });
        Ok((id, arrive_at))
    }

    /// Takes a message off the wire at its arrival. A link cut while it travelled loses it.
    pub fn deliver(&mut self, id: u64) -> Option<Delivery<B>> {
        let envelope = self.in_flight.remove(&id)?;
        if self.cuts.contains(&(envelope.from, envelope.to)) {
            Some(Err((envelope, DropReason::LinkCut)))
        } else {
            Some(Ok(envelope))
        }
    }

    /// Removes every message in flight from or to `node` (its process died, so its connections
    /// reset); returns them so the other ends can be told.
    pub fn drop_messages_of(&mut self, node: NodeId) -> Vec<Envelope<B>> {
        let ids: Vec<u64> = self.in_flight.values().filter(|e| e.from == node || e.to == node).map(|e| e.id).collect();
        ids.into_iter().filter_map(|id| self.in_flight.remove(&id)).collect()
    }

    /// Cuts the directed link `from → to`. Returns false if it was already cut.
    pub fn cut(&mut self, from: NodeId, to: NodeId) -> bool {
        self.cuts.insert((from, to))
    }

    /// Heals the directed link `from → to`. Returns false if it was not cut.
    pub fn heal(&mut self, from: NodeId, to: NodeId) -> bool {
        self.cuts.remove(&(from, to))
    }

    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.cuts.contains(&(from, to))
    }

    /// Makes `from → to` lose messages with probability `p` (0 removes the loss).
    pub fn set_loss(&mut self, from: NodeId, to: NodeId, p: f64) {
        if p > 0.0 {
            self.loss.insert((from, to), p.min(1.0));
        } else {
            self.loss.remove(&(from, to));
        }
    }

    /// Adds `extra_ms` of latency to every message to or from `node` (0 makes it normal again).
    pub fn set_slow(&mut self, node: NodeId, extra_ms: Millis) {
        if extra_ms > 0 {
            self.slow.insert(node, extra_ms);
        } else {
            self.slow.remove(&node);
        }
    }

    pub fn cuts(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cuts.iter().copied()
    }

    pub fn slow_nodes(&self) -> impl Iterator<Item = (NodeId, Millis)> + '_ {
        self.slow.iter().map(|(n, ms)| (*n, *ms))
    }

    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope<B>> {
        self.in_flight.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const A: NodeId = NodeId::Client(1);
    const B: NodeId = NodeId::Broker(1);

    #[test]
    fn links_are_fifo_despite_jitter() {
        let mut net = Network::new(NetworkConfig { latency_ms: 1, jitter_ms: 50 });
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut last = 0;
        for t in 0..200 {
            let (_, arrive) = net.send(&mut rng, t, A, B, t).unwrap();
            assert!(arrive >= last);
            last = arrive;
        }
    }

    #[test]
    fn cut_link_drops_new_and_in_flight_messages_one_way_only() {
        let mut net = Network::new(NetworkConfig::default());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (id, _) = net.send(&mut rng, 0, A, B, "in flight").unwrap();
        assert!(net.cut(A, B));
        assert!(!net.cut(A, B));
        assert_eq!(net.send(&mut rng, 1, A, B, "new").unwrap_err(), DropReason::LinkCut);
        assert!(matches!(net.deliver(id), Some(Err((_, DropReason::LinkCut)))));
        assert!(net.send(&mut rng, 1, B, A, "reverse").is_ok());
        assert!(net.heal(A, B));
        assert!(net.send(&mut rng, 2, A, B, "healed").is_ok());
    }

    #[test]
    fn slow_node_adds_latency() {
        let mut net = Network::new(NetworkConfig { latency_ms: 2, jitter_ms: 0 });
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        net.set_slow(B, 100);
        assert_eq!(net.send(&mut rng, 0, A, B, ()).unwrap().1, 102);
    }
}
