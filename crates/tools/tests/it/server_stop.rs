//! `kafka-server-stop.sh --node-id=N`: SIGTERM, which Kafka answers with a controlled shutdown.

use crate::common::session_with;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::view::BrokerState;

#[test]
fn kafka_server_stop_stops_a_broker_gracefully() {
    let (session, out) =
        session_with("kafka-server-stop.sh --node-id=2\nkafka-server-stop.sh --node-id=2\nkafka-server-stop.sh\n");
    assert_eq!((out[0].status, out[0].stdout.as_str(), out[0].stderr.as_str()), (0, "", ""));
    let world = session.world();
    assert_eq!(world.broker(2).unwrap().state, BrokerState::Dead);
    assert!(world.facts().any(|f| f.fact == Fact::BrokerShutDown { broker: 2 }), "a clean stop, not a crash");
    assert_eq!((out[1].status, out[1].stderr.as_str()), (1, "No kafka server to stop\n"));
    assert_eq!(out[2].status, 1);
    assert!(out[2].stderr.contains("--node-id"), "{}", out[2].stderr);
}
