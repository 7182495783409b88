//! `kafka-server-stop.sh --node-id=N`: the script sends SIGTERM to that node's process, which
//! makes a Kafka broker stop gracefully (a controlled shutdown). The shell waits until the broker
//! has handed its leaderships over and stopped, as `docker compose stop` waits for the container.

use crate::args::{self, with_value, Opt};
use crate::{Output, Session};
use kafkalab_engine::cluster::Action;
use kafkalab_engine::view::BrokerState;

const SPEC: &[Opt] = &[
    with_value("node-id", "The node.id of the process to stop."),
    with_value("process-role", "Stop only processes with this role: broker or controller."),
];

/// How long the shell waits for the stop (Kafka's controlled shutdown gives up after 30 s).
const STOP_WAIT_MS: u64 = 30_000;

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    let opts = match args::parse(SPEC, argv) {
        Ok(o) => o,
        Err(e) => return Output::usage_error(e),
    };
    if let Some(role) = opts.value("process-role").filter(|r| !matches!(*r, "broker" | "controller")) {
        return Output::usage_error(format!(
            "kafka-server-stop: --process-role must be broker or controller, not `{role}`"
        ));
    }
    let Some(node) = opts.value("node-id") else {
        return Output::usage_error(
            "kafkalab: kafka-server-stop stops every Kafka process on its host; name one broker with --node-id=N",
        );
    };
    let Ok(id) = node.parse::<i32>() else {
        return Output::usage_error(format!("kafka-server-stop: --node-id must be a number, not `{node}`"));
    };
    let running = session.world().broker(id).is_some_and(|b| b.state != BrokerState::Dead);
    if !running || session.cluster_mut().apply(Action::ShutdownBroker { broker: id }).is_err() {
        return Output::usage_error("No kafka server to stop");
    }
    let stopped = session.wait_until(STOP_WAIT_MS, |w| w.broker(id).is_some_and(|b| b.state == BrokerState::Dead));
    if stopped {
        Output::default()
    } else {
        Output::usage_error(format!("kafkalab: broker {id} is still shutting down after {} s", STOP_WAIT_MS / 1000))
    }
}
