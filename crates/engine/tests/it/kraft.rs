//! The KRaft quorum as Kafka 4.x runs it, end to end: pre-vote (KIP-996) keeps an isolated
//! voter from deposing a healthy active controller; a controlled shutdown (KIP-841) hands
//! leadership over before a broker stops.

use crate::common::pairs;
use kafkalab_engine::cluster::{Action, ActionError, World, WorldConfig};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::BrokerState;

fn world(brokers: i32) -> World {
    World::new(WorldConfig { brokers, teaching_mode: true, ..WorldConfig::default() }, 3).unwrap()
}

fn advance(world: &mut World, ms: u64) {
    let until = world.now() + ms;
    world.run_until(until);
}

fn cut_voter_3(world: &mut World, cut: bool) {
    for other in [1, 2] {
        let (from, to) = (NodeId::Broker(3), NodeId::Broker(other));
        let action =
            if cut { Action::CutLink { from, to, both: true } } else { Action::HealLink { from, to, both: true } };
        world.apply(action).unwrap();
    }
}

/// Kafka 4.x `KafkaRaftClient.pollFollowerAsVoter` → `transitionToProspective` and
/// `FollowerState.canGrantVote` (KIP-996): the cut-off voter asks for pre-votes without bumping
/// the epoch; back in touch, it is refused and follows the leader it had. Before pre-vote it
/// raised the epoch at every election timeout and made broker 1 resign when the links healed.
#[test]
fn an_isolated_voter_rejoins_without_disturbing_the_active_controller() {
    let mut w = world(3);
    assert_eq!(w.active_controller(), Some(1));
    cut_voter_3(&mut w, true);
    advance(&mut w, 20_000);
    assert_eq!(w.broker(3).unwrap().raft.durable.epoch, 1, "no epoch bump while cut off");
    let tries = w.facts().filter(|f| matches!(f.fact, Fact::ControllerProspective { broker: 3, epoch: 1, .. })).count();
    assert!(tries >= 2, "broker 3 keeps asking for pre-votes: {tries}");
    cut_voter_3(&mut w, false);
    advance(&mut w, 10_000);
    assert_eq!(w.active_controller(), Some(1));
    for broker in w.brokers() {
        assert_eq!(broker.raft.durable.epoch, 1, "broker {}", broker.id);
        assert_eq!(broker.raft.volatile.leader, Some(1), "broker {}", broker.id);
    }
    let elections = w.facts().filter(|f| f.at_ms > 0);
    assert!(!elections
        .into_iter()
        .any(|f| matches!(f.fact, Fact::ControllerElected { .. } | Fact::ControllerResigned { .. })));
    assert!(w.facts().any(|f| f.fact == Fact::ControllerLeaderFound { broker: 3, leader: 1, epoch: 1 }));
}

fn topic_led_by_every_broker(world: &mut World) -> Vec<TopicPartition> {
    let assignment = vec![vec![1, 2, 3], vec![2, 3, 1], vec![3, 1, 2]];
    world
        .apply(Action::CreateTopicWithAssignment {
            name: "t".into(),
            assignment,
            configs: pairs(&[("min.insync.replicas", "2")]),
        })
        .unwrap();
    advance(world, 500);
    (0..3).map(|p| TopicPartition::new("t", p)).collect()
}

fn position(world: &World, wanted: impl Fn(&Fact) -> bool) -> Option<(u64, u64)> {
    world.facts().find(|f| wanted(&f.fact)).map(|f| (f.index, f.at_ms))
}

/// Kafka's controlled shutdown in KRaft (KIP-841): the heartbeat's `wantShutDown` puts the
/// broker in CONTROLLED_SHUTDOWN (`ReplicationControlManager.handleBrokerInControlledShutdown`),
/// which moves its leaderships away; `BrokerHeartbeatManager.calculateNextBrokerState` grants
/// SHUTDOWN_NOW once it leads nothing, and only then does the process stop: no session timeout.
#[test]
fn a_graceful_stop_moves_leadership_before_the_broker_stops() {
    let mut w = world(3);
    let partitions = topic_led_by_every_broker(&mut w);
    let start = w.now();
    w.apply(Action::ShutdownBroker { broker: 2 }).unwrap();
    assert!(matches!(w.apply(Action::ShutdownBroker { broker: 2 }), Err(ActionError::BrokerShuttingDown(2))));
    advance(&mut w, 4_000);
    assert_eq!(w.broker(2).unwrap().state, BrokerState::Dead);
    let requested = position(&w, |f| *f == Fact::ControlledShutdownRequested { broker: 2 }).unwrap();
    let moved = position(&w, |f| matches!(f, Fact::LeaderElected { previous_leader: 2, .. })).unwrap();
    let stopped = position(&w, |f| *f == Fact::BrokerShutDown { broker: 2 }).unwrap();
    assert!(requested.0 < moved.0 && moved.0 < stopped.0, "{requested:?} {moved:?} {stopped:?}");
    // Within one heartbeat interval (2 s): every active broker reported it saw the moves; a
    // crash would leave its partitions leaderless for the 9 s session timeout.
    assert!(stopped.1 - start <= 2_500, "stopped {} ms after the request", stopped.1 - start);
    assert!(!w.facts().any(|f| matches!(f.fact, Fact::BrokerStopped { .. })), "not a crash");
    for tp in &partitions {
        let p = w.metadata().partition(tp).unwrap();
        assert!(p.leader != 2 && p.leader >= 0 && !p.isr.contains(&2), "{tp}: {p:?}");
    }
    assert!(w.metadata().brokers[&2].fenced, "SHUTDOWN_NOW fences it");
    w.apply(Action::RestartBroker { broker: 2 }).unwrap();
    advance(&mut w, 10_000);
    assert!(!w.metadata().brokers[&2].fenced && !w.metadata().brokers[&2].in_controlled_shutdown);
}

/// The active controller's broker stops gracefully: it hands over its partitions, then its Raft
/// leader resigns (`KafkaRaftClient.pollLeader` on shutdown → `transitionToResigned`) and sends
/// EndQuorumEpoch, so the first preferred successor stands at once instead of waiting for its
/// fetch timeout; the process stops once a successor's epoch is seen.
#[test]
fn a_graceful_stop_of_the_active_controller_hands_the_quorum_over() {
    let mut w = world(3);
    topic_led_by_every_broker(&mut w);
    let start = w.now();
    w.apply(Action::ShutdownBroker { broker: 1 }).unwrap();
    advance(&mut w, 5_000);
    assert_eq!(w.broker(1).unwrap().state, BrokerState::Dead);
    let next = w.active_controller().expect("a successor");
    assert_ne!(next, 1);
    let (_, elected_at) = position(&w, |f| matches!(f, Fact::ControllerElected { epoch: 2, .. })).unwrap();
    let resigned = position(&w, |f| matches!(f, Fact::ControllerResigned { broker: 1, .. })).unwrap();
    assert!(elected_at - resigned.1 < 100, "elected {} ms after the resignation", elected_at - resigned.1);
    let moved = position(&w, |f| matches!(f, Fact::LeaderElected { previous_leader: 1, .. })).unwrap();
    assert!(moved.0 < resigned.0 && moved.1 >= start, "the partitions were handed over first");
    let stopped = position(&w, |f| *f == Fact::BrokerShutDown { broker: 1 }).unwrap();
    assert!(resigned.0 < stopped.0);
}

/// Kafka's `process.roles` (`KRaftConfigs.PROCESS_ROLES_CONFIG`): three dedicated controllers
/// (ids 4..6) beside three brokers. The controllers alone are the quorum's voters and host no
/// replica; brokers are observers, so killing a broker no longer kills a voter, and the
/// controllers elect among themselves when the active one dies.
#[test]
fn dedicated_controllers_keep_the_quorum_when_a_broker_dies() {
    let config = WorldConfig { brokers: 3, controllers: 3, teaching_mode: true, ..WorldConfig::default() };
    let mut w = World::new(config, 3).unwrap();
    assert_eq!(w.active_controller(), Some(4));
    for b in w.brokers() {
        assert_eq!(b.raft.is_voter(), b.id > 3, "node {}", b.id);
        assert_eq!(b.roles.controller_only(), b.id > 3, "node {}", b.id);
    }
    let partitions = topic_led_by_every_broker(&mut w);
    w.apply(Action::AddProducer { name: "p".into(), configs: pairs(&[("acks", "all")]) }).unwrap();
    advance(&mut w, 1_000);
    assert!((4..=6).all(|c| w.broker(c).unwrap().durable.replicas.is_empty()), "controllers host no replica");
    w.apply(Action::KillBroker { broker: 1 }).unwrap();
    advance(&mut w, 15_000);
    assert_eq!(w.active_controller(), Some(4), "a broker's death leaves the quorum alone");
    assert!(w.brokers().all(|b| b.raft.durable.epoch == 1));
    assert!(w.metadata().brokers[&1].fenced);
    for tp in &partitions {
        assert!([2, 3].contains(&w.metadata().partition(tp).unwrap().leader), "{tp}");
    }
    w.apply(Action::KillController).unwrap();
    advance(&mut w, 10_000);
    let next = w.active_controller().expect("another controller");
    assert!([5, 6].contains(&next), "{next}");
    assert!(w
        .apply(Action::CreateTopic { name: "after".into(), partitions: 2, replication_factor: 2, configs: Vec::new() })
        .is_ok());
    advance(&mut w, 1_000);
    let placed = w.metadata().topics["after"].partitions.iter().flat_map(|p| p.replicas.clone()).collect::<Vec<_>>();
    assert!(placed.iter().all(|r| [2, 3].contains(r)), "only live brokers get replicas: {placed:?}");
}

/// A graceful stop is not told as a lost session: SHUTDOWN_NOW fences the broker with its
/// controlled-shutdown mark, so no "stopped heartbeating" fence appears, only the clean stop.
#[test]
fn a_graceful_stop_is_not_narrated_as_a_lost_session() {
    let mut w = world(3);
    topic_led_by_every_broker(&mut w);
    w.apply(Action::ShutdownBroker { broker: 3 }).unwrap();
    advance(&mut w, 4_000);
    assert!(w.facts().any(|f| f.fact == Fact::BrokerShutDown { broker: 3 }));
    assert!(!w.facts().any(|f| matches!(f.fact, Fact::BrokerFenced { broker: 3, .. })));
}

/// Broker 2 of an RF 3 topic with `min.insync.replicas=3` leaves the ISR into the ELR (KIP-966),
/// stops, and restarts; returns whether the controller dropped it from the ELR before it was back
/// in the ISR.
fn dropped_from_elr_on_restart(graceful: bool) -> bool {
    let mut w = world(3);
    w.apply(Action::CreateTopicWithAssignment {
        name: "t".into(),
        assignment: vec![vec![1, 2, 3]],
        configs: pairs(&[("min.insync.replicas", "3")]),
    })
    .unwrap();
    advance(&mut w, 500);
    let stop = if graceful { Action::ShutdownBroker { broker: 2 } } else { Action::KillBroker { broker: 2 } };
    w.apply(stop).unwrap();
    advance(&mut w, 12_000);
    let tp = TopicPartition::new("t", 0);
    assert!(w.metadata().partition(&tp).unwrap().elr.contains(&2), "broker 2 is an eligible leader replica");
    let restarted_at = w.now();
    w.apply(Action::RestartBroker { broker: 2 }).unwrap();
    advance(&mut w, 10_000);
    let after = || w.facts().filter(|f| f.at_ms >= restarted_at);
    let dropped_at = after().find_map(|f| match &f.fact {
        Fact::EligibleLeaderReplicasChanged { elr, .. } if !elr.contains(&2) => Some(f.at_ms),
        _ => None,
    });
    let rejoined_at = after().find_map(|f| match &f.fact {
        Fact::IsrChanged { added, .. } if added.contains(&2) => Some(f.at_ms),
        _ => None,
    });
    // Leaving the ELR in the same change that brings it back to the ISR is not a drop.
    dropped_at.is_some_and(|dropped| rejoined_at.is_none_or(|rejoined| dropped < rejoined))
}

/// KIP-966 and Kafka's clean shutdown file (`CleanShutdownFileHandler`, read by
/// `BrokerLifecycleManager` into `previousBrokerEpoch`): after a controlled shutdown the broker
/// registers with the epoch it stopped with, so `ClusterControlManager.registerBroker` sees a clean
/// shutdown and keeps it in the ELR; after a crash the epoch is -1, an unclean shutdown, and it
/// leaves every ELR (`ReplicationControlManager.handleBrokerUncleanShutdown`).
#[test]
fn a_clean_shutdown_keeps_the_broker_in_the_elr_and_a_crash_does_not() {
    assert!(!dropped_from_elr_on_restart(true), "controlled shutdown: still eligible");
    assert!(dropped_from_elr_on_restart(false), "crash: no longer eligible");
}
