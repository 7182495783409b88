//! A message that reaches a node that does not serve it is a `MessageMisrouted` fact (which the
//! invariant checker reports as a violation), never silently dropped.

use kafkalab_engine::broker::{self, Broker, BrokerConfig, ProcessRoles};
use kafkalab_engine::consumer::config::ConsumerConfig;
use kafkalab_engine::consumer::{self, Consumer, ConsumerApp};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::node::{Node, Outbox};
use kafkalab_engine::producer::config::ProducerConfig;
use kafkalab_engine::producer::{self, Producer};
use kafkalab_engine::protocol::{ClientMessage, ErrorCode, GroupMessage, Message, ReplicationMessage};
use kafkalab_engine::sim::NodeId;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn misrouted(from: NodeId, to: NodeId, kind: &'static str) -> Vec<Fact> {
    vec![Fact::MessageMisrouted { from, to, kind }]
}

#[test]
fn a_broker_reports_responses_meant_for_clients() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut b = Broker::new(1, ProcessRoles::COMBINED, vec![1], BrokerConfig::default());
    let client = NodeId::Client(7);
    let cases: [(Message, &str); 3] = [
        (ClientMessage::ProduceResponse { correlation_id: 1, partitions: Vec::new() }.into(), "ProduceResponse"),
        (GroupMessage::HeartbeatResponse { group_id: "g".into(), error: ErrorCode::None }.into(), "HeartbeatResponse"),
        (ReplicationMessage::FetchResponse { partitions: Vec::new() }.into(), "FetchResponse"),
    ];
    for (message, kind) in cases {
        let mut out = Outbox::<broker::Timer>::default();
        b.on_message(client, message, 0, &mut rng, &mut out);
        assert_eq!(out.facts, misrouted(client, NodeId::Broker(1), kind));
        assert!(out.messages.is_empty(), "a misrouted {kind} is not answered");
    }
}

#[test]
fn a_producer_reports_requests_and_messages_from_clients() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut p = Producer::new(3, 3, "p".into(), ProducerConfig::default(), vec![1]);
    let mut out = Outbox::<producer::Timer>::default();
    let fetch =
        ReplicationMessage::FetchRequest { replica_id: 2, replica_epoch: 2, max_wait_ms: 0, partitions: Vec::new() };
    p.on_message(NodeId::Broker(1), fetch.into(), 0, &mut rng, &mut out);
    assert_eq!(out.facts, misrouted(NodeId::Broker(1), NodeId::Client(3), "FetchRequest"));
    let mut out = Outbox::<producer::Timer>::default();
    p.on_message(NodeId::Client(4), ClientMessage::MetadataRequest.into(), 0, &mut rng, &mut out);
    assert_eq!(out.facts, misrouted(NodeId::Client(4), NodeId::Client(3), "MetadataRequest"));
}

#[test]
fn a_consumer_reports_requests() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let config = ConsumerConfig { group_id: "g".into(), ..ConsumerConfig::default() };
    let mut c = Consumer::new(5, 5, "c".into(), vec!["t".into()], config, ConsumerApp::default(), vec![1]);
    let mut out = Outbox::<consumer::Timer>::default();
    let produce = ClientMessage::ProduceRequest {
        correlation_id: 1,
        transactional_id: None,
        acks: kafkalab_engine::protocol::Acks::All,
        timeout_ms: 1000,
        batches: Vec::new(),
    };
    c.on_message(NodeId::Broker(1), produce.into(), 0, &mut rng, &mut out);
    assert_eq!(out.facts, misrouted(NodeId::Broker(1), NodeId::Client(5), "ProduceRequest"));
}
