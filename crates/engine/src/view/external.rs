//! Real Kafka clients in the view (bridge mode): each client, told by its `client.id` and host,
//! with its connections to brokers (open, stalled behind a cut link, or closed by a dead
//! broker), its role as far as its requests tell, its producer id and epoch, and the groups it is
//! a member of. Built from the world's external connections and the coordinators' groups.

use super::GroupView;
use crate::cluster::external::ConnectionInfo;
use crate::cluster::{ConnectionEnd, World};
use crate::protocol::TopicPartition;
use crate::sim::{Millis, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long a closed connection stays in the view (virtual time): long enough to see a dead
/// broker's connections close and the client open new ones elsewhere.
pub const CLOSED_SHOWN_MS: Millis = 30_000;

/// The APIs only an admin client sends.
const ADMIN_APIS: [&str; 11] = [
    "CreateTopics",
    "DeleteTopics",
    "CreatePartitions",
    "DescribeConfigs",
    "AlterConfigs",
    "IncrementalAlterConfigs",
    "DescribeGroups",
    "ListGroups",
    "DeleteGroups",
    "DescribeCluster",
    "ElectLeaders",
];

/// What a client does, as its requests tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalRole {
    /// It sent Produce or InitProducerId.
    Producer,
    /// It fetched records or joined a group.
    Consumer,
    /// It created, deleted or described topics, configs or groups.
    Admin,
}

/// A real client: the connections with one `client.id` from one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalClientView {
    pub client_id: String,
    /// The client's address without the port (each connection has its own port).
    pub host: String,
    /// The node the client is drawn as: its first open connection's (the first closed one's
    /// once all are closed).
    pub node: NodeId,
    pub roles: Vec<ExternalRole>,
    /// An idempotent or transactional producer's id and epoch, from its latest batch.
    pub producer: Option<ExternalProducerView>,
    /// Records sent in Produce requests, over all its connections.
    pub records_sent: u64,
    /// Its memberships, as the groups' coordinators know them.
    pub members: Vec<ExternalMemberView>,
    /// Open connections first, then the recently closed, each by node.
    pub connections: Vec<ExternalConnectionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalProducerView {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub transactional_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalMemberView {
    pub group_id: String,
    pub member_id: String,
    pub generation_id: i32,
    pub assignment: Vec<TopicPartition>,
}

/// One TCP connection of a client to one broker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalConnectionView {
    pub node: NodeId,
    pub broker: i32,
    /// The client's `host:port` of this connection.
    pub peer: String,
    /// The requests sent and not answered yet (`Produce`, `Fetch`, ...), oldest first.
    pub waiting: Vec<String>,
    /// When the oldest of them was sent.
    pub waiting_since_ms: Option<Millis>,
    /// The link between the connection and its broker is cut (either way).
    pub link_cut: bool,
    /// Requests wait behind a cut link: they are lost, and only the client's
    /// `request.timeout.ms` will notice.
    pub stalled: bool,
    /// Why and when it closed (None: open).
    pub closed: Option<ConnectionEnd>,
    pub closed_at_ms: Option<Millis>,
}

/// A connection's host: its `host:port` without the port.
fn host_of(peer: &str) -> &str {
    peer.rsplit_once(':').map_or(peer, |(host, _)| host)
}

impl World {
    /// The real clients, by `client.id` and host; closed connections stay for
    /// [`CLOSED_SHOWN_MS`], connections that never sent a request are left out. `groups` are the coordinators' groups ([`World::group_views`]).
    pub fn external_client_views(&self, groups: &[GroupView]) -> Vec<ExternalClientView> {
        let now = self.now();
        let cuts: Vec<(NodeId, NodeId)> = self.network().cuts().collect();
        let mut clients: BTreeMap<(&str, &str), ExternalClientView> = BTreeMap::new();
        for (&node, info) in &self.external.info {
            // A connection that never sent a request (a port probe) tells nothing.
            if info.apis.is_empty() || info.closed.is_some_and(|(at, _)| now.saturating_sub(at) > CLOSED_SHOWN_MS) {
                continue;
            }
            let node = NodeId::Client(node);
            let client = clients.entry((&info.client_id, host_of(&info.peer))).or_insert_with(|| ExternalClientView {
                client_id: info.client_id.clone(),
                host: host_of(&info.peer).to_string(),
                node,
                roles: Vec::new(),
                producer: None,
                records_sent: 0,
                members: Vec::new(),
                connections: Vec::new(),
            });
            client.records_sent += info.records_sent;
            if let Some((producer_id, producer_epoch)) = info.producer {
                let newer = client
                    .producer
                    .as_ref()
                    .is_none_or(|p| (producer_id, producer_epoch) > (p.producer_id, p.producer_epoch));
                if newer {
                    client.producer = Some(ExternalProducerView {
                        producer_id,
                        producer_epoch,
                        transactional_id: info.transactional_id.clone(),
                    });
                }
            }
            let mut roles = roles_of(info);
            for group in groups {
                for m in group.members.iter().filter(|m| m.client == node) {
                    roles.push(ExternalRole::Consumer);
                    client.members.push(ExternalMemberView {
                        group_id: group.group_id.clone(),
                        member_id: m.member_id.clone(),
                        generation_id: group.generation_id,
                        assignment: m.assignment.clone(),
                    });
                }
            }
            client.roles.extend(roles);
            let link_cut = cuts.contains(&(node, NodeId::Broker(info.broker)))
                || cuts.contains(&(NodeId::Broker(info.broker), node));
            client.connections.push(ExternalConnectionView {
                node,
                broker: info.broker,
                peer: info.peer.clone(),
                waiting: info
                    .waiting
                    .iter()
                    .map(|(answer, _)| answer.trim_end_matches("Response").to_string())
                    .collect(),
                waiting_since_ms: info.waiting.front().map(|(_, at)| *at),
                link_cut,
                stalled: info.closed.is_none() && link_cut && !info.waiting.is_empty(),
                closed: info.closed.map(|(_, end)| end),
                closed_at_ms: info.closed.map(|(at, _)| at),
            });
        }
        clients
            .into_values()
            .map(|mut c| {
                c.roles.sort();
                c.roles.dedup();
                c.connections.sort_by_key(|conn| (conn.closed.is_some(), conn.node));
                c.node = c.connections[0].node;
                c
            })
            .collect()
    }

    /// The position of a group member that is a real client: the fetch offset of `tp` on its
    /// connections (a consumer fetches from leaders over other connections than the one to its
    /// coordinator, all with the same `client.id` and host). `None` for a simulated member.
    pub(super) fn external_position(&self, member: NodeId, tp: &TopicPartition) -> Option<(i64, bool)> {
        let NodeId::Client(node) = member else { return None };
        let owner = self.external.info.get(&node)?;
        let same = |i: &&ConnectionInfo| i.client_id == owner.client_id && host_of(&i.peer) == host_of(&owner.peer);
        self.external
            .info
            .values()
            .filter(same)
            .filter(|i| i.closed.is_none())
            .filter_map(|i| i.positions.get(tp).map(|p| (*p, i.read_committed)))
            .max()
    }
}

fn roles_of(info: &ConnectionInfo) -> Vec<ExternalRole> {
    let has = |api: &str| info.apis.contains(api);
    let mut roles = Vec::new();
    if has("Produce") || has("InitProducerId") {
        roles.push(ExternalRole::Producer);
    }
    if has("Fetch") || has("JoinGroup") || has("OffsetCommit") || has("ConsumerGroupHeartbeat") {
        roles.push(ExternalRole::Consumer);
    }
    if ADMIN_APIS.iter().any(|api| has(api)) {
        roles.push(ExternalRole::Admin);
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::external::tests::{ask, leader, member_of_g, world_with_topic};
    use crate::cluster::Action;
    use crate::log::{Record, RecordBatch};
    use crate::protocol::{Acks, ClientMessage, FetchPartition, GroupMessage, IsolationLevel, OffsetCommitPartition};

    #[test]
    fn the_view_tells_a_real_consumer_by_client_id_and_host_with_its_member_and_position() {
        let mut world = world_with_topic();
        let (coordinator_conn, member_id, generation_id) = member_of_g(&mut world, "127.0.0.1:50001");
        let tp = TopicPartition { topic: "orders".into(), partition: 0 };
        let commit = GroupMessage::OffsetCommitRequest {
            correlation_id: 1,
            group_id: "g".into(),
            generation_id,
            member_id: member_id.clone(),
            group_instance_id: None,
            offsets: vec![OffsetCommitPartition::without_epoch(tp.clone(), 0)],
        };
        ask(&mut world, coordinator_conn, commit);
        // It fetches from the leader over another connection, with the same client.id and host.
        let fetcher = world.connect_external_client(leader(&world, "orders")).unwrap();
        world.set_external_peer(fetcher, "127.0.0.1:50002");
        world.note_external_request(fetcher, "reader", "Fetch");
        let fetch = ClientMessage::ConsumerFetchRequest {
            isolation_level: IsolationLevel::ReadUncommitted,
            max_wait_ms: 0,
            min_bytes: 1,
            max_bytes: 1 << 20,
            partitions: vec![FetchPartition {
                topic_partition: tp.clone(),
                fetch_offset: 0,
                last_fetched_epoch: -1,
                current_leader_epoch: -1,
            }],
            rack_id: String::new(),
        };
        ask(&mut world, fetcher, fetch);
        let view = world.view();
        let readers: Vec<_> = view.external_clients.iter().filter(|c| c.client_id == "reader").collect();
        assert_eq!(readers.len(), 1, "two connections, one client: {:?}", view.external_clients);
        let reader = readers[0];
        assert_eq!(reader.host, "127.0.0.1");
        assert_eq!(reader.roles, vec![ExternalRole::Consumer]);
        let peers: Vec<&str> = reader.connections.iter().map(|c| c.peer.as_str()).collect();
        assert_eq!(peers, ["127.0.0.1:50001", "127.0.0.1:50002"]);
        assert_eq!(reader.node, NodeId::Client(coordinator_conn));
        assert_eq!(reader.members.len(), 1);
        assert_eq!((&reader.members[0].member_id, reader.members[0].generation_id), (&member_id, generation_id));
        assert_eq!(reader.members[0].assignment, vec![tp.clone()]);
        assert!(
            reader.connections.iter().all(|c| c.waiting.is_empty() && c.closed.is_none()),
            "every request answered"
        );
        let group = view.groups.iter().find(|g| g.group_id == "g").unwrap();
        let offsets = &group.offsets[0];
        assert_eq!((offsets.committed_offset, offsets.position), (0, 0), "the member's fetch offset is its position");
    }

    #[test]
    fn the_view_shows_a_real_producer_its_id_and_records() {
        let mut world = world_with_topic();
        let client = world.connect_external_client(leader(&world, "orders")).unwrap();
        world.set_external_peer(client, "10.0.0.7:41000");
        world.note_external_request(client, "billing", "Produce");
        let mut batch = RecordBatch::new(vec![Record::new(1, Some(b"k"), Some(b"v")); 4]);
        (batch.producer_id, batch.producer_epoch, batch.base_sequence) = (4000, 2, 0);
        let tp = TopicPartition { topic: "orders".into(), partition: 0 };
        ask(
            &mut world,
            client,
            ClientMessage::ProduceRequest {
                correlation_id: 1,
                transactional_id: Some("billing-tx".into()),
                acks: Acks::All,
                timeout_ms: 30_000,
                batches: vec![(tp, batch)],
            },
        );
        let view = world.view();
        let billing = view.external_clients.iter().find(|c| c.client_id == "billing").unwrap();
        assert_eq!(billing.host, "10.0.0.7");
        assert_eq!(billing.roles, vec![ExternalRole::Producer]);
        assert_eq!(billing.records_sent, 4);
        let producer = billing.producer.as_ref().unwrap();
        assert_eq!((producer.producer_id, producer.producer_epoch), (4000, 2));
        assert_eq!(producer.transactional_id.as_deref(), Some("billing-tx"));
    }

    #[test]
    fn a_dead_brokers_connections_show_closed_and_a_cut_links_requests_stalled() {
        let mut world = world_with_topic();
        let doomed = world.connect_external_client(2).unwrap();
        world.set_external_peer(doomed, "127.0.0.1:1");
        let cut = world.connect_external_client(3).unwrap();
        world.set_external_peer(cut, "127.0.0.1:2");
        world.note_external_request(cut, "admin-tool", "CreateTopics");
        world.note_external_request(doomed, "admin-tool", "Metadata");
        world.apply(Action::CutLink { from: NodeId::Client(cut), to: NodeId::Broker(3), both: true }).unwrap();
        assert!(world.send_external(cut, ClientMessage::MetadataRequest.into()));
        world.apply(Action::KillBroker { broker: 2 }).unwrap();
        world.run_until(world.now() + 1_000);
        let view = world.view();
        let client = &view.external_clients[0];
        assert_eq!(client.roles, vec![ExternalRole::Admin]);
        let open = &client.connections[0];
        assert_eq!((open.node, open.broker, open.closed), (NodeId::Client(cut), 3, None));
        assert!(open.link_cut && open.stalled, "{open:?}");
        assert_eq!(open.waiting, ["Metadata"]);
        let closed = &client.connections[1];
        assert_eq!((closed.node, closed.closed), (NodeId::Client(doomed), Some(ConnectionEnd::BrokerDied)));
        assert_eq!(client.node, NodeId::Client(cut), "drawn at its open connection");
        // Healed, the lost request stays unanswered (the client's timeout notices), but no
        // longer stalls behind a cut.
        world.apply(Action::HealLink { from: NodeId::Client(cut), to: NodeId::Broker(3), both: true }).unwrap();
        assert!(!world.view().external_clients[0].connections[0].stalled);
        // A closed connection leaves the view after a while; the host closing one says so.
        world.disconnect_external_client(cut);
        let view = world.view();
        let ended = view.external_clients[0].connections.iter().find(|c| c.node == NodeId::Client(cut)).unwrap();
        assert_eq!(ended.closed, Some(ConnectionEnd::ClientClosed));
        world.run_until(world.now() + CLOSED_SHOWN_MS + 1);
        assert!(world.view().external_clients.is_empty());
        // A connection that sent nothing (a port probe) is not a client to show.
        world.connect_external_client(1).unwrap();
        assert!(world.view().external_clients.is_empty());
    }
}
