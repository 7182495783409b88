//! The KRaft quorum as Kafka 4.x runs it, end to end: pre-vote (KIP-996) keeps an isolated
//! voter from deposing a healthy active controller.

use kafkalab_engine::cluster::{Action, World, WorldConfig};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::sim::NodeId;

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
