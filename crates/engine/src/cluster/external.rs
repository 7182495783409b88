//! External clients: connections of real Kafka clients that a host (the bridge) carries into the
//! world. Each connection is a client node of its own, tied to one broker as a TCP connection
//! is; its requests travel the simulated network like any client's (a cut link loses them, a
//! dead broker refuses them), and whatever reaches the node is queued for the host instead of
//! being handled by a simulated producer or consumer. The world stays pure: the host decides
//! when to send and reads the answers between steps.

use super::action::ActionError;
use super::world::World;
use crate::broker::BrokerState;
use crate::group::offsets::OFFSETS_TOPIC;
use crate::protocol::{Acks, ClientMessage, IsolationLevel, Message, TopicPartition, TxnMessage};
use crate::sim::{Millis, NodeId};
use crate::txn::log::TRANSACTION_STATE_TOPIC;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// How many closed connections are remembered for the view (the newest).
const CLOSED_KEPT: usize = 64;
/// How many unanswered requests a connection remembers: the bridge serves one at a time.
const WAITING_KEPT: usize = 16;

/// What reached an external client's connection, in the order the world delivered it.
#[derive(Debug, Clone)]
pub enum ExternalEvent {
    /// A broker's answer (or an unsolicited message) for the connection `client`.
    Message { client: u32, broker: i32, message: Message },
    /// The connection broke: its broker died (or refused the request), so the host closes the
    /// socket, as a real broker's death closes its clients' connections.
    Disconnected { client: u32, broker: i32 },
}

/// Why an external connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionEnd {
    /// Its broker died (or refused it): the broker's side closed it.
    BrokerDied,
    /// The client (or the host) closed it.
    ClientClosed,
}

/// What the live view shows of one connection, gathered from what it sent and received: the
/// engine sees the requests, the host tells it the client's `client.id`, address and API names.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionInfo {
    pub(crate) broker: i32,
    /// The client's `host:port`.
    pub(crate) peer: String,
    /// `client.id` from the request headers.
    pub(crate) client_id: String,
    /// The Kafka APIs it asked for (`Produce`, `CreateTopics`, ...).
    pub(crate) apis: BTreeSet<String>,
    /// The producer id and epoch of its latest idempotent batch.
    pub(crate) producer: Option<(i64, i16)>,
    pub(crate) transactional_id: Option<String>,
    /// Records it sent in Produce requests.
    pub(crate) records_sent: u64,
    /// Its fetch offsets by partition: the next record it reads (the consumer's position).
    pub(crate) positions: BTreeMap<TopicPartition, i64>,
    /// It fetches with `isolation.level=read_committed`.
    pub(crate) read_committed: bool,
    /// Requests not answered yet: the answer's kind and when it was sent, oldest first.
    pub(crate) waiting: VecDeque<(&'static str, Millis)>,
    pub(crate) closed: Option<(Millis, ConnectionEnd)>,
}

/// The external connections of a world: client node -> the broker it is connected to, what is
/// waiting for the host, and what the view shows of each connection (open, or recently closed).
#[derive(Debug, Clone, Default)]
pub(crate) struct ExternalClients {
    connections: BTreeMap<u32, i32>,
    inbox: Vec<ExternalEvent>,
    pub(crate) info: BTreeMap<u32, ConnectionInfo>,
}

impl ExternalClients {
    pub(super) fn is_external(&self, client: u32) -> bool {
        self.connections.contains_key(&client)
    }

    /// Queues what reached `client` from `from` for the host.
    pub(super) fn receive(&mut self, client: u32, from: NodeId, message: Message) {
        if let NodeId::Broker(broker) = from {
            if let Some(info) = self.info.get_mut(&client) {
                let kind = message.kind();
                if let Some(i) = info.waiting.iter().position(|(answer, _)| *answer == kind) {
                    info.waiting.remove(i);
                }
            }
            self.inbox.push(ExternalEvent::Message { client, broker, message });
        }
    }

    /// The connection of `client` to `broker` broke (the broker's side): it is forgotten.
    pub(super) fn disconnected(&mut self, client: u32, broker: i32, now: Millis) {
        if self.connections.remove(&client).is_some() {
            self.inbox.push(ExternalEvent::Disconnected { client, broker });
            self.closed(client, now, ConnectionEnd::BrokerDied);
        }
    }

    /// Marks `client`'s connection closed at `now`, and forgets the oldest closed ones.
    fn closed(&mut self, client: u32, now: Millis, end: ConnectionEnd) {
        if let Some(info) = self.info.get_mut(&client).filter(|i| i.closed.is_none()) {
            info.closed = Some((now, end));
            info.waiting.clear();
        }
        let closed: Vec<u32> = self.info.iter().filter(|(_, i)| i.closed.is_some()).map(|(c, _)| *c).collect();
        for old in &closed[..closed.len().saturating_sub(CLOSED_KEPT)] {
            self.info.remove(old);
        }
    }

    /// What a request tells about its sender, and that an answer is due.
    fn sent(&mut self, client: u32, message: &Message, now: Millis) {
        let Some(info) = self.info.get_mut(&client) else { return };
        let Some(api) = message.kind().strip_suffix("Request") else { return };
        if !info.apis.contains(api) {
            info.apis.insert(api.to_string());
        }
        match message {
            Message::Client(ClientMessage::ProduceRequest { transactional_id, acks, batches, .. }) => {
                if let Some(id) = transactional_id {
                    info.transactional_id = Some(id.clone());
                }
                for (_, batch) in batches {
                    info.records_sent += batch.last_offset_delta.max(0) as u64 + 1;
                    if batch.has_producer_id() {
                        info.producer = Some((batch.producer_id, batch.producer_epoch));
                    }
                }
                if *acks == Acks::None {
                    return;
                }
            }
            Message::Client(ClientMessage::ConsumerFetchRequest { partitions, isolation_level, .. }) => {
                info.read_committed = *isolation_level == IsolationLevel::ReadCommitted;
                for p in partitions {
                    info.positions.insert(p.topic_partition.clone(), p.fetch_offset);
                }
            }
            _ => {}
        }
        if let Some(answer) = response_kind(api) {
            if info.waiting.len() == WAITING_KEPT {
                info.waiting.pop_front();
            }
            info.waiting.push_back((answer, now));
        }
    }

    /// Closes every connection to `broker`: its process is gone.
    pub(super) fn broker_died(&mut self, broker: i32, now: Millis) {
        let clients: Vec<u32> =
            self.connections.iter().filter(|(_, b)| **b == broker).map(|(client, _)| *client).collect();
        for client in clients {
            self.disconnected(client, broker, now);
        }
    }
}

/// The kind of the answer to a request named `name` without its `Request` suffix.
fn response_kind(name: &str) -> Option<&'static str> {
    Some(match name {
        "Metadata" => "MetadataResponse",
        "InitProducerId" => "InitProducerIdResponse",
        "Produce" => "ProduceResponse",
        "FindCoordinator" => "FindCoordinatorResponse",
        "ListOffsets" => "ListOffsetsResponse",
        "Fetch" => "FetchResponse",
        "JoinGroup" => "JoinGroupResponse",
        "SyncGroup" => "SyncGroupResponse",
        "Heartbeat" => "HeartbeatResponse",
        "LeaveGroup" => "LeaveGroupResponse",
        "OffsetCommit" => "OffsetCommitResponse",
        "OffsetFetch" => "OffsetFetchResponse",
        "ConsumerGroupHeartbeat" => "ConsumerGroupHeartbeatResponse",
        "AddPartitionsToTxn" => "AddPartitionsToTxnResponse",
        "AddOffsetsToTxn" => "AddOffsetsToTxnResponse",
        "EndTxn" => "EndTxnResponse",
        "TxnOffsetCommit" => "TxnOffsetCommitResponse",
        _ => return None,
    })
}

impl World {
    /// Opens an external client's connection to `broker` (a running broker node): its requests
    /// come from the returned client node. A dead broker refuses the connection.
    pub fn connect_external_client(&mut self, broker: i32) -> Result<u32, ActionError> {
        match self.brokers.get(&broker) {
            None => return Err(ActionError::UnknownNode(NodeId::Broker(broker))),
            Some(b) if b.state == BrokerState::Dead || !b.roles.broker => {
                return Err(ActionError::BrokerAlreadyDead(broker));
            }
            Some(_) => {}
        }
        let client = self.next_client_id;
        self.next_client_id += 1;
        self.external.connections.insert(client, broker);
        self.external.info.insert(client, ConnectionInfo { broker, ..ConnectionInfo::default() });
        Ok(client)
    }

    /// The host names the connection's client: its `host:port`.
    pub fn set_external_peer(&mut self, client: u32, peer: &str) {
        if let Some(info) = self.external.info.get_mut(&client) {
            info.peer = peer.to_string();
        }
    }

    /// The host read a request header on `client`'s connection: its `client.id` and the API's
    /// name (`Produce`, `CreateTopics`, ...), which the view tells the client's role by.
    pub fn note_external_request(&mut self, client: u32, client_id: &str, api: &str) {
        if let Some(info) = self.external.info.get_mut(&client) {
            if info.client_id != client_id {
                info.client_id = client_id.to_string();
            }
            if !info.apis.contains(api) {
                info.apis.insert(api.to_string());
            }
        }
    }

    /// Sends `message` from the external connection `client` to its broker, over the simulated
    /// network. False if the connection is closed (the host then closes its socket).
    pub fn send_external(&mut self, client: u32, message: Message) -> bool {
        let Some(broker) = self.external.connections.get(&client).copied() else { return false };
        // `__consumer_offsets` is created on first use, when a client first looks for a group
        // coordinator; until its partitions have leaders the answer is COORDINATOR_NOT_AVAILABLE.
        if matches!(message, Message::Client(ClientMessage::FindCoordinatorRequest { .. }))
            && !self.metadata().topics.contains_key(OFFSETS_TOPIC)
        {
            // Refused while fewer brokers are active than its replication factor: as in Kafka,
            // FindCoordinator answers COORDINATOR_NOT_AVAILABLE until enough brokers are back.
            let _ = self.create_offsets_topic();
        }
        // `__transaction_state` likewise, on the first FindCoordinator for a transactional id.
        if matches!(message, Message::Txn(TxnMessage::FindCoordinatorRequest { .. }))
            && !self.metadata().topics.contains_key(TRANSACTION_STATE_TOPIC)
        {
            let _ = self.create_transaction_state_topic();
        }
        let now = self.now();
        self.external.sent(client, &message, now);
        self.flush_common(NodeId::Client(client), vec![(NodeId::Broker(broker), message)], Vec::new());
        true
    }

    /// The host closed the connection: nothing more is queued for it.
    pub fn disconnect_external_client(&mut self, client: u32) {
        self.external.connections.remove(&client);
        let now = self.now();
        self.external.closed(client, now, ConnectionEnd::ClientClosed);
    }

    /// Whether the external connection `client` is open.
    pub fn external_client_connected(&self, client: u32) -> bool {
        self.external.is_external(client)
    }

    /// Everything that reached external connections since the last call, oldest first.
    pub fn take_external_events(&mut self) -> Vec<ExternalEvent> {
        std::mem::take(&mut self.external.inbox)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cluster::{Action, WorldConfig};
    use crate::log::{Record, RecordBatch};
    use crate::protocol::{ErrorCode, GroupMessage, JoinGroupProtocol, OffsetCommitPartition, Subscription};

    pub(crate) fn world_with_topic() -> World {
        let mut world = World::new(WorldConfig::default(), 7).unwrap();
        world
            .apply(Action::CreateTopic {
                name: "orders".into(),
                partitions: 1,
                replication_factor: 3,
                configs: vec![("min.insync.replicas".into(), "2".into())],
            })
            .unwrap();
        world.run_until(world.now() + 2_000);
        world
    }

    /// Sends `message` and runs the world until the connection's answer arrives.
    pub(crate) fn ask(world: &mut World, client: u32, message: impl Into<Message>) -> Message {
        assert!(world.send_external(client, message.into()));
        let deadline = world.now() + 10_000;
        while world.now() < deadline {
            world.run_until(world.now() + 5);
            if let Some(event) = world.take_external_events().into_iter().next() {
                match event {
                    ExternalEvent::Message { client: c, message, .. } if c == client => return message,
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        panic!("no answer within 10 s")
    }

    pub(crate) fn leader(world: &World, topic: &str) -> i32 {
        world.metadata().partition(&TopicPartition { topic: topic.into(), partition: 0 }).unwrap().leader
    }

    #[test]
    fn an_external_produce_is_appended_and_acknowledged_with_acks_all() {
        let mut world = world_with_topic();
        let client = world.connect_external_client(leader(&world, "orders")).unwrap();
        let mut batch = RecordBatch::new(vec![Record::new(1, Some(b"k"), Some(b"v")); 3]);
        // The bytes a real client sends, decoded as the bridge does.
        batch = RecordBatch::decode(&batch.encode()).unwrap();
        let tp = TopicPartition { topic: "orders".into(), partition: 0 };
        let answer = ask(
            &mut world,
            client,
            ClientMessage::ProduceRequest {
                correlation_id: 1,
                transactional_id: None,
                acks: Acks::All,
                timeout_ms: 30_000,
                batches: vec![(tp.clone(), batch)],
            },
        );
        let Message::Client(ClientMessage::ProduceResponse { partitions, .. }) = answer else { panic!("{answer:?}") };
        assert_eq!((partitions[0].error, partitions[0].base_offset), (ErrorCode::None, 0));
        assert_eq!(world.high_watermark(&tp), 3, "acks=all answers once the ISR has the records");
    }

    /// The coordinator a FindCoordinator `request` names. The first one creates
    /// `__consumer_offsets` (or `__transaction_state`): COORDINATOR_NOT_AVAILABLE until its
    /// partitions have leaders, and the client asks again, as Kafka's do.
    fn coordinator(world: &mut World, request: impl Into<Message> + Clone) -> i32 {
        let client = world.connect_external_client(1).unwrap();
        (0..40)
            .find_map(|_| match ask(world, client, request.clone()) {
                Message::Client(ClientMessage::FindCoordinatorResponse { error, node_id, .. })
                | Message::Txn(TxnMessage::FindCoordinatorResponse { error, node_id, .. }) => match error {
                    ErrorCode::None => Some(node_id),
                    ErrorCode::CoordinatorNotAvailable => {
                        world.run_until(world.now() + 100);
                        None
                    }
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            })
            .expect("a coordinator within 40 tries")
    }

    /// The coordinator of group `g`.
    fn coordinator_of_g(world: &mut World) -> i32 {
        coordinator(world, ClientMessage::FindCoordinatorRequest { key: "g".into() })
    }

    fn join(member_id: &str) -> GroupMessage {
        GroupMessage::JoinGroupRequest {
            group_id: "g".into(),
            member_id: member_id.into(),
            group_instance_id: None,
            client_id: "reader".into(),
            session_timeout_ms: 10_000,
            rebalance_timeout_ms: 10_000,
            protocol_type: "consumer".into(),
            protocols: vec![JoinGroupProtocol {
                name: "range".into(),
                metadata: Subscription { topics: vec!["orders".into()], owned_partitions: vec![], generation_id: -1 },
            }],
        }
    }

    /// A member of `g` on a new connection to the coordinator, owning `orders-0`: its
    /// connection, member id and generation.
    pub(crate) fn member_of_g(world: &mut World, peer: &str) -> (u32, String, i32) {
        let coordinator = coordinator_of_g(world);
        let client = world.connect_external_client(coordinator).unwrap();
        world.set_external_peer(client, peer);
        world.note_external_request(client, "reader", "JoinGroup");
        let Message::Group(GroupMessage::JoinGroupResponse { member_id, .. }) = ask(world, client, join("")) else {
            panic!()
        };
        let Message::Group(GroupMessage::JoinGroupResponse { error, generation_id, .. }) =
            ask(world, client, join(&member_id))
        else {
            panic!()
        };
        assert_eq!(error, ErrorCode::None);
        let sync = GroupMessage::SyncGroupRequest {
            group_id: "g".into(),
            generation_id,
            member_id: member_id.clone(),
            group_instance_id: None,
            assignments: vec![(member_id.clone(), vec![TopicPartition { topic: "orders".into(), partition: 0 }])],
        };
        ask(world, client, sync);
        (client, member_id, generation_id)
    }

    #[test]
    fn an_external_member_joins_syncs_commits_and_leaves_a_group() {
        let mut world = world_with_topic();
        let node_id = coordinator_of_g(&mut world);
        let client = world.connect_external_client(node_id).unwrap();
        let Message::Group(GroupMessage::JoinGroupResponse { error, member_id, .. }) =
            ask(&mut world, client, join(""))
        else {
            panic!()
        };
        assert_eq!(error, ErrorCode::MemberIdRequired);
        let Message::Group(GroupMessage::JoinGroupResponse { error, generation_id, leader, .. }) =
            ask(&mut world, client, join(&member_id))
        else {
            panic!()
        };
        assert_eq!((error, &leader), (ErrorCode::None, &member_id));
        let tp = TopicPartition { topic: "orders".into(), partition: 0 };
        let sync = GroupMessage::SyncGroupRequest {
            group_id: "g".into(),
            generation_id,
            member_id: member_id.clone(),
            group_instance_id: None,
            assignments: vec![(member_id.clone(), vec![tp.clone()])],
        };
        let Message::Group(GroupMessage::SyncGroupResponse { error, assignment, .. }) = ask(&mut world, client, sync)
        else {
            panic!()
        };
        assert_eq!((error, assignment), (ErrorCode::None, vec![tp.clone()]));
        let heartbeat = GroupMessage::HeartbeatRequest {
            group_id: "g".into(),
            generation_id,
            member_id: member_id.clone(),
            group_instance_id: None,
        };
        let Message::Group(GroupMessage::HeartbeatResponse { error, .. }) = ask(&mut world, client, heartbeat) else {
            panic!()
        };
        assert_eq!(error, ErrorCode::None);
        let commit = GroupMessage::OffsetCommitRequest {
            correlation_id: 9,
            group_id: "g".into(),
            generation_id,
            member_id: member_id.clone(),
            group_instance_id: None,
            offsets: vec![OffsetCommitPartition::without_epoch(tp.clone(), 42)],
        };
        let Message::Group(GroupMessage::OffsetCommitResponse { partitions, .. }) = ask(&mut world, client, commit)
        else {
            panic!()
        };
        assert_eq!(partitions, vec![(tp.clone(), ErrorCode::None)]);
        let fetch =
            GroupMessage::OffsetFetchRequest { group_id: "g".into(), partitions: vec![tp.clone()], member: None };
        let Message::Group(GroupMessage::OffsetFetchResponse { offsets, .. }) = ask(&mut world, client, fetch) else {
            panic!()
        };
        assert_eq!(offsets[0].committed_offset, 42);
        let leave = GroupMessage::LeaveGroupRequest { group_id: "g".into(), member_id, group_instance_id: None };
        let Message::Group(GroupMessage::LeaveGroupResponse { error, .. }) = ask(&mut world, client, leave) else {
            panic!()
        };
        assert_eq!(error, ErrorCode::None);
    }

    /// A consumer-protocol member (KIP-848) over an external connection: it joins with epoch 0,
    /// gets the partition from the broker's assignor, and its epoch fences heartbeats, commits
    /// and fetches from the past; it leaves with epoch -1.
    #[test]
    fn an_external_consumer_protocol_member_joins_commits_and_leaves() {
        let mut world = world_with_topic();
        let node_id = coordinator_of_g(&mut world);
        let client = world.connect_external_client(node_id).unwrap();
        let tp = TopicPartition { topic: "orders".into(), partition: 0 };
        let heartbeat = |member_id: &str, member_epoch: i32| GroupMessage::ConsumerGroupHeartbeatRequest {
            group_id: "g".into(),
            member_id: member_id.into(),
            member_epoch,
            group_instance_id: None,
            rebalance_timeout_ms: (member_epoch == 0).then_some(300_000),
            subscribed_topic_names: (member_epoch == 0).then(|| vec!["orders".to_string()]),
            server_assignor: None,
            owned_partitions: Some(if member_epoch > 0 { vec![tp.clone()] } else { vec![] }),
        };
        let answer = |message| match message {
            Message::Group(GroupMessage::ConsumerGroupHeartbeatResponse {
                error, member_epoch, assignment, ..
            }) => (error, member_epoch, assignment),
            other => panic!("{other:?}"),
        };
        let joined = answer(ask(&mut world, client, heartbeat("m1", 0)));
        assert_eq!(joined, (ErrorCode::None, 1, Some(vec![tp.clone()])));
        assert_eq!(answer(ask(&mut world, client, heartbeat("m1", 1))).0, ErrorCode::None);
        assert_eq!(answer(ask(&mut world, client, heartbeat("m1", 5))).0, ErrorCode::FencedMemberEpoch);
        assert_eq!(answer(ask(&mut world, client, heartbeat("nobody", 1))).0, ErrorCode::UnknownMemberId);
        let commit = |member_epoch| GroupMessage::OffsetCommitRequest {
            correlation_id: 1,
            group_id: "g".into(),
            generation_id: member_epoch,
            member_id: "m1".into(),
            group_instance_id: None,
            offsets: vec![OffsetCommitPartition::without_epoch(tp.clone(), 7)],
        };
        let committed = |message| match message {
            Message::Group(GroupMessage::OffsetCommitResponse { partitions, .. }) => partitions[0].1,
            other => panic!("{other:?}"),
        };
        assert_eq!(committed(ask(&mut world, client, commit(0))), ErrorCode::StaleMemberEpoch);
        assert_eq!(committed(ask(&mut world, client, commit(1))), ErrorCode::None);
        let fetch = |member_epoch| GroupMessage::OffsetFetchRequest {
            group_id: "g".into(),
            partitions: vec![tp.clone()],
            member: Some(("m1".into(), member_epoch)),
        };
        let fetched = |message| match message {
            Message::Group(GroupMessage::OffsetFetchResponse { error, offsets, .. }) => {
                (error, offsets.first().map(|o| o.committed_offset))
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(fetched(ask(&mut world, client, fetch(0))), (ErrorCode::StaleMemberEpoch, None));
        assert_eq!(fetched(ask(&mut world, client, fetch(1))), (ErrorCode::None, Some(7)));
        let left = answer(ask(&mut world, client, heartbeat("m1", -1)));
        assert_eq!((left.0, left.1), (ErrorCode::None, -1));
    }

    #[test]
    fn a_dead_broker_closes_its_external_connections_and_refuses_new_ones() {
        let mut world = world_with_topic();
        let client = world.connect_external_client(2).unwrap();
        world.apply(Action::KillBroker { broker: 2 }).unwrap();
        let events = world.take_external_events();
        assert!(matches!(events[..], [ExternalEvent::Disconnected { client: c, broker: 2 }] if c == client));
        assert!(!world.send_external(client, ClientMessage::MetadataRequest.into()));
        assert!(world.connect_external_client(2).is_err());
        assert!(world.connect_external_client(99).is_err());
    }

    #[test]
    fn a_cut_link_loses_an_external_request() {
        let mut world = world_with_topic();
        let client = world.connect_external_client(1).unwrap();
        world.apply(Action::CutLink { from: NodeId::Client(client), to: NodeId::Broker(1), both: true }).unwrap();
        assert!(world.send_external(client, ClientMessage::MetadataRequest.into()));
        world.run_until(world.now() + 1_000);
        assert!(world.take_external_events().is_empty(), "the request never reached the broker");
    }

    /// A transactional batch of `n` records from sequence `sequence`, as a client sends it.
    fn txn_batch(producer_id: i64, producer_epoch: i16, sequence: i32, n: usize) -> RecordBatch {
        let mut batch = RecordBatch::new(vec![Record::new(1, Some(b"k"), Some(b"v")); n]);
        (batch.producer_id, batch.producer_epoch, batch.base_sequence) = (producer_id, producer_epoch, sequence);
        batch.set_transactional(true);
        RecordBatch::decode(&batch.encode()).unwrap()
    }

    /// Asks until the answer is not CONCURRENT_TRANSACTIONS (the previous transaction's markers
    /// are being written), as clients retry.
    fn ask_txn(world: &mut World, client: u32, message: TxnMessage) -> TxnMessage {
        for _ in 0..50 {
            match ask(world, client, message.clone()) {
                Message::Txn(TxnMessage::InitProducerIdResponse {
                    error: ErrorCode::ConcurrentTransactions, ..
                })
                | Message::Txn(TxnMessage::AddPartitionsToTxnResponse {
                    error: ErrorCode::ConcurrentTransactions,
                    ..
                })
                | Message::Txn(TxnMessage::EndTxnResponse { error: ErrorCode::ConcurrentTransactions, .. }) => {
                    world.run_until(world.now() + 20)
                }
                Message::Txn(answer) => return answer,
                other => panic!("{other:?}"),
            }
        }
        panic!("CONCURRENT_TRANSACTIONS 50 times")
    }

    /// A transactions version 1 client (as librdkafka through the bridge): FindCoordinator
    /// creates `__transaction_state`, the epoch stays across EndTxn so the next transaction
    /// continues the sequence, an aborted transaction is listed to a read_committed fetch, and a
    /// new InitProducerId fences the old epoch.
    #[test]
    fn an_external_transactions_v1_producer_commits_aborts_and_is_fenced() {
        let mut world = world_with_topic();
        let coordinator = coordinator(&mut world, TxnMessage::FindCoordinatorRequest { transactional_id: "t".into() });
        assert!(world.metadata().topics.contains_key(TRANSACTION_STATE_TOPIC), "created on first use");
        let txn = world.connect_external_client(coordinator).unwrap();
        let init = TxnMessage::InitProducerIdRequest { transactional_id: "t".into(), transaction_timeout_ms: 60_000 };
        let TxnMessage::InitProducerIdResponse { error: ErrorCode::None, producer_id, producer_epoch: 0 } =
            ask_txn(&mut world, txn, init.clone())
        else {
            panic!("a producer id at epoch 0")
        };
        let tp = TopicPartition { topic: "orders".into(), partition: 0 };
        let producer = world.connect_external_client(leader(&world, "orders")).unwrap();
        let add = |epoch| TxnMessage::AddPartitionsToTxnRequest {
            correlation_id: 1,
            transactional_id: "t".into(),
            producer_id,
            producer_epoch: epoch,
            partitions: vec![tp.clone()],
        };
        let produce = |epoch, sequence| ClientMessage::ProduceRequest {
            correlation_id: 2,
            transactional_id: Some("t".into()),
            acks: Acks::All,
            timeout_ms: 30_000,
            batches: vec![(tp.clone(), txn_batch(producer_id, epoch, sequence, 2))],
        };
        let end = |epoch, committed| TxnMessage::EndTxnRequest {
            transactional_id: "t".into(),
            producer_id,
            producer_epoch: epoch,
            committed,
            transaction_v2: false,
        };
        // Committed, then aborted, both at epoch 0: the sequence continues (0, then 2).
        for (sequence, committed) in [(0, true), (2, false)] {
            let answer = ask_txn(&mut world, txn, add(0));
            assert!(
                matches!(answer, TxnMessage::AddPartitionsToTxnResponse { error: ErrorCode::None, .. }),
                "{answer:?}"
            );
            let Message::Client(ClientMessage::ProduceResponse { partitions, .. }) =
                ask(&mut world, producer, produce(0, sequence))
            else {
                panic!()
            };
            assert_eq!(partitions[0].error, ErrorCode::None, "sequence {sequence} at epoch 0");
            let answer = ask_txn(&mut world, txn, end(0, committed));
            let TxnMessage::EndTxnResponse { error: ErrorCode::None, producer_epoch: 0, .. } = answer else {
                panic!("version 1 keeps the epoch: {answer:?}")
            };
        }
        world.run_until(world.now() + 1_000);
        let fetch = ClientMessage::ConsumerFetchRequest {
            isolation_level: crate::protocol::IsolationLevel::ReadCommitted,
            max_wait_ms: 0,
            min_bytes: 0,
            max_bytes: 1 << 20,
            partitions: vec![crate::protocol::FetchPartition {
                topic_partition: tp.clone(),
                fetch_offset: 0,
                last_fetched_epoch: -1,
                current_leader_epoch: -1,
            }],
            rack_id: String::new(),
        };
        let Message::Client(ClientMessage::ConsumerFetchResponse { partitions }) = ask(&mut world, producer, fetch)
        else {
            panic!()
        };
        let read = &partitions[0];
        // Offsets 0-1 committed, 2 the COMMIT marker, 3-4 aborted, 5 the ABORT marker.
        assert_eq!(read.last_stable_offset, 6);
        assert_eq!(
            read.aborted_transactions.iter().map(|a| (a.producer_id, a.first_offset)).collect::<Vec<_>>(),
            vec![(producer_id, 3)]
        );
        assert_eq!(read.batches.iter().filter(|b| b.is_control()).count(), 2, "both markers are fetched");
        // A new instance bumps the epoch: the old one's next transaction is fenced.
        let answer = ask_txn(&mut world, txn, init.clone());
        assert!(
            matches!(answer, TxnMessage::InitProducerIdResponse { error: ErrorCode::None, producer_epoch: 1, .. }),
            "{answer:?}"
        );
        let answer = ask_txn(&mut world, txn, add(0));
        assert!(
            matches!(answer, TxnMessage::AddPartitionsToTxnResponse { error: ErrorCode::ProducerFenced, .. }),
            "{answer:?}"
        );
        // A zombie: epoch 1's transaction is open when a new instance starts. Its InitProducerId
        // aborts that transaction (CONCURRENT_TRANSACTIONS until then), and epoch 1 is fenced.
        let answer = ask_txn(&mut world, txn, add(1));
        assert!(matches!(answer, TxnMessage::AddPartitionsToTxnResponse { error: ErrorCode::None, .. }), "{answer:?}");
        let Message::Client(ClientMessage::ProduceResponse { partitions, .. }) =
            ask(&mut world, producer, produce(1, 0))
        else {
            panic!()
        };
        assert_eq!(partitions[0].error, ErrorCode::None);
        let first = ask(&mut world, txn, init.clone());
        assert!(
            matches!(
                first,
                Message::Txn(TxnMessage::InitProducerIdResponse { error: ErrorCode::ConcurrentTransactions, .. })
            ),
            "{first:?}"
        );
        let answer = ask_txn(&mut world, txn, init);
        assert!(
            matches!(answer, TxnMessage::InitProducerIdResponse { error: ErrorCode::None, producer_epoch: 3, .. }),
            "{answer:?}"
        );
        let answer = ask_txn(&mut world, txn, end(1, true));
        assert!(matches!(answer, TxnMessage::EndTxnResponse { error: ErrorCode::ProducerFenced, .. }), "{answer:?}");
    }
}
