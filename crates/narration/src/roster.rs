//! How a sentence names the nodes and clients of a fact: clients by the names the scenario
//! gives them, member ids shortened for reading.

use std::collections::BTreeMap;

use kafkalab_engine::narration::Fact;
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::View;

use crate::catalogue::{fill, phrase, Phrase};
use crate::Lang;

/// What a sentence needs beyond its fact: clients by the names the scenario gives them
/// (billing-1, checkout) rather than by engine number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roster {
    pub(crate) producers: BTreeMap<u32, String>,
    pub(crate) consumers: BTreeMap<u32, String>,
    /// Client nodes (`NodeId::Client`) by node number: producers and consumers alike.
    pub(crate) clients: BTreeMap<u32, String>,
}

impl Roster {
    pub fn from_view(view: &View) -> Roster {
        let mut roster = Roster::default();
        for p in &view.producers {
            roster.producers.insert(p.id, p.name.clone());
            roster.clients.insert(p.id, p.name.clone());
            if let NodeId::Client(node) = p.client {
                roster.clients.insert(node, p.name.clone());
            }
        }
        for c in &view.consumers {
            roster.consumers.insert(c.id, c.name.clone());
            if let NodeId::Client(node) = c.client {
                roster.clients.insert(node, c.name.clone());
            }
        }
        // Real clients (bridge mode) by their `client.id`, on every connection.
        for c in view.external_clients.iter().filter(|c| !c.client_id.is_empty()) {
            for conn in &c.connections {
                if let NodeId::Client(node) = conn.node {
                    roster.clients.insert(node, c.client_id.clone());
                }
            }
        }
        roster
    }

    /// A node as the UI calls it: `브로커 2`, or a client's configured name.
    pub(crate) fn node(&self, lang: Lang, n: &NodeId) -> String {
        match n {
            NodeId::Broker(b) => fill(phrase(lang, Phrase::Broker), &[&b.to_string()]),
            NodeId::Client(c) => self
                .clients
                .get(c)
                .cloned()
                .unwrap_or_else(|| fill(phrase(lang, Phrase::ClientName), &[&c.to_string()])),
        }
    }

    /// `컨슈머 billing-1`; the engine's number only for a consumer the roster does not know.
    pub(crate) fn consumer(&self, lang: Lang, c: u32) -> String {
        let name = self.consumers.get(&c).cloned().unwrap_or(c.to_string());
        fill(phrase(lang, Phrase::ConsumerName), &[&name])
    }

    /// `프로듀서 checkout` for the producer process on client node `node` (a restarted producer
    /// runs on a new node); the node's number only for a client the roster does not know.
    pub(crate) fn producer_on(&self, lang: Lang, node: u32) -> String {
        let name = self.clients.get(&node).cloned().unwrap_or(node.to_string());
        fill(phrase(lang, Phrase::ProducerName), &[&name])
    }

    /// `프로듀서 checkout`; the engine's number only for a producer the roster does not know.
    pub(crate) fn producer(&self, lang: Lang, p: u32) -> String {
        let name = self.producers.get(&p).cloned().unwrap_or(p.to_string());
        fill(phrase(lang, Phrase::ProducerName), &[&name])
    }
}

/// How many characters of a member id are shown: enough for the client id and the start of the
/// UUID Kafka appends (`billing-1-54…`); the full id goes in a tooltip.
const MEMBER_ID_SHOWN: usize = 12;

/// A member id shortened for reading: its first characters, then "…".
pub fn short_member_id(id: &str) -> String {
    match id.char_indices().nth(MEMBER_ID_SHOWN) {
        Some((cut, _)) => format!("{}…", &id[..cut]),
        None => id.to_string(),
    }
}

/// The full member ids a fact names, which its sentence shortens: the app's feed shows them on
/// hover.
pub fn member_ids(fact: &Fact) -> Vec<&str> {
    match fact {
        Fact::MemberJoined { member_id, .. }
        | Fact::MemberRemoved { member_id, .. }
        | Fact::OffsetsCommitted { member_id, .. }
        | Fact::GroupRequestRejected { member_id, .. } => vec![member_id],
        Fact::StaticMemberReplaced { old_member_id, new_member_id, .. } => vec![old_member_id, new_member_id],
        Fact::JoinCompleted { leader, .. } => vec![leader],
        Fact::GenerationStable { assignment, .. } => assignment.iter().map(|(m, _)| m.as_str()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{every_fact, kind};

    #[test]
    fn a_real_client_is_named_by_its_client_id_on_every_connection() {
        use kafkalab_engine::cluster::{World, WorldConfig};
        let mut world = World::new(WorldConfig::default(), 1).unwrap();
        let (a, b) = (world.connect_external_client(1).unwrap(), world.connect_external_client(2).unwrap());
        for c in [a, b] {
            world.set_external_peer(c, "127.0.0.1:5000");
            world.note_external_request(c, "orders-app", "Metadata");
        }
        let roster = Roster::from_view(&world.view());
        for c in [a, b] {
            assert_eq!(roster.node(Lang::En, &NodeId::Client(c)), "orders-app");
        }
        assert_eq!(roster.node(Lang::En, &NodeId::Client(99)), "client 99");
    }

    #[test]
    fn member_ids_are_shortened_to_twelve_characters() {
        assert_eq!(short_member_id("billing-1-5409c1d2-77aa"), "billing-1-54…");
        assert_eq!(short_member_id("worker-1-0b6f"), "worker-1-0b6…");
        assert_eq!(short_member_id("short"), "short");
        let stable = every_fact("orders", 1).into_iter().find(|f| kind(f) == "GenerationStable").unwrap();
        assert_eq!(member_ids(&stable), ["billing-1-1-5409c1d2-77aa", "worker-1-0b6f"]);
        assert_eq!(short_member_id("컨슈머-하나-둘-셋-넷-다섯"), "컨슈머-하나-둘-셋-넷…");
    }
}
