//! Dynamic configs (IncrementalAlterConfigs in KRaft): the active controller writes `ConfigRecord`s
//! (`ConfigurationControlManager.incrementalAlterConfigResource`); each broker applies them from
//! the metadata log (`DynamicConfigPublisher`), so a change takes effect once a broker has seen it.

use kafkalab_engine::cluster::{Action, ActionError, World, WorldConfig};
use kafkalab_engine::config::ConfigError;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::protocol::metadata::ConfigResource;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::scenario::{self, ScenarioRun};

fn world_with_topic() -> World {
    let mut world = World::new(WorldConfig::default(), 3).unwrap();
    let configs = vec![("retention.ms".to_string(), "600000".to_string())];
    world.apply(Action::CreateTopic { name: "t".into(), partitions: 2, replication_factor: 3, configs }).unwrap();
    world.run_until(2_000);
    world
}

fn alter(resource: ConfigResource, key: &str, value: Option<&str>) -> Action {
    Action::AlterConfigs { resource, changes: vec![(key.to_string(), value.map(str::to_string))] }
}

/// `(min ISR, retention.ms)` of each broker's replica of `t-0`.
fn replica_configs(world: &World) -> Vec<(i32, i32, i64)> {
    let tp = TopicPartition::new("t", 0);
    world
        .brokers()
        .filter_map(|b| {
            b.durable.replicas.get(&tp).map(|r| (b.id, r.config.min_insync_replicas, r.config.log.retention_ms))
        })
        .collect()
}

#[test]
fn a_topic_config_takes_effect_on_each_broker_once_it_has_seen_the_record() {
    let mut world = world_with_topic();
    assert_eq!(replica_configs(&world), vec![(1, 1, 600_000), (2, 1, 600_000), (3, 1, 600_000)]);
    world.apply(alter(ConfigResource::Topic("t".into()), "min.insync.replicas", Some("2"))).unwrap();
    assert_eq!(replica_configs(&world)[1], (2, 1, 600_000), "not applied before the record commits");
    world.run_until(3_000);
    assert_eq!(replica_configs(&world), vec![(1, 2, 600_000), (2, 2, 600_000), (3, 2, 600_000)]);
    let facts: Vec<&Fact> = world.facts().map(|f| &f.fact).collect();
    assert!(facts.iter().any(|f| matches!(f, Fact::DynamicConfigChanged { name, value: Some(v), .. } if name == "min.insync.replicas" && v == "2")));
    let applied: Vec<i32> = facts
        .iter()
        .filter_map(|f| match f {
            Fact::DynamicConfigApplied { broker, name, .. } if name == "min.insync.replicas" => Some(*broker),
            _ => None,
        })
        .collect();
    assert_eq!(applied.len(), 3, "every broker applies it: {applied:?}");
    assert_eq!(world.metadata().topics["t"].config.min_insync_replicas, 2);
    // Deleting a creation-time override goes back to the default, as in Kafka.
    world.apply(alter(ConfigResource::Topic("t".into()), "retention.ms", None)).unwrap();
    world.run_until(4_000);
    assert!(replica_configs(&world).iter().all(|(_, _, retention)| *retention == 7 * 24 * 3_600_000));
}

#[test]
fn broker_configs_apply_per_broker_and_cluster_wide_under_topic_overrides() {
    let mut world = world_with_topic();
    world.apply(alter(ConfigResource::Broker(2), "log.retention.ms", Some("1000"))).unwrap();
    world.run_until(3_000);
    let retention: Vec<i64> = replica_configs(&world).iter().map(|(_, _, r)| *r).collect();
    assert_eq!(retention, vec![600_000, 600_000, 600_000], "the topic's own retention.ms wins");
    world.apply(alter(ConfigResource::BrokerDefault, "min.insync.replicas", Some("2"))).unwrap();
    world.apply(alter(ConfigResource::Broker(3), "min.insync.replicas", Some("3"))).unwrap();
    world.run_until(4_000);
    let min_isr: Vec<(i32, i32)> = replica_configs(&world).iter().map(|(b, m, _)| (*b, *m)).collect();
    assert_eq!(min_isr, vec![(1, 2), (2, 2), (3, 3)], "cluster default, then a broker's own");
    assert_eq!(world.metadata().topics["t"].config.min_insync_replicas, 2, "the controller's view: cluster-wide");
}

#[test]
fn bad_alterations_are_refused_with_kafkas_reasons_and_change_nothing() {
    let mut world = world_with_topic();
    let topic = ConfigResource::Topic("t".into());
    assert!(matches!(
        world.apply(alter(topic.clone(), "no.such.config", Some("1"))),
        Err(ActionError::Config(ConfigError::UnknownKey { .. }))
    ));
    assert!(matches!(
        world.apply(alter(topic.clone(), "min.insync.replicas", Some("zero"))),
        Err(ActionError::Config(ConfigError::InvalidValue { .. }))
    ));
    assert_eq!(
        world.apply(alter(ConfigResource::Topic("nope".into()), "retention.ms", Some("1"))),
        Err(ActionError::UnknownTopic("nope".into()))
    );
    assert_eq!(
        world.apply(alter(ConfigResource::Broker(1), "broker.rack", Some("a"))),
        Err(ActionError::NotDynamicConfig("broker.rack".into()))
    );
    assert!(matches!(
        world.apply(alter(ConfigResource::Broker(1), "log.segment.bytes", Some("10"))),
        Err(ActionError::Config(ConfigError::InvalidValue { key, .. })) if key == "log.segment.bytes"
    ));
    world.run_until(3_000);
    assert!(!world.facts().any(|f| matches!(f.fact, Fact::DynamicConfigChanged { .. })));
}

/// The learning point of `dynamic-unclean-election`: the partition stays offline until the
/// config change, and the same controller write elects broker 3 uncleanly, losing acknowledged
/// records.
#[test]
fn enabling_unclean_election_elects_a_leaderless_partition() {
    let builtin = scenario::builtin().into_iter().find(|b| b.name == "dynamic-unclean-election").unwrap();
    let mut run = ScenarioRun::new(scenario::parse(builtin.text).unwrap(), None).unwrap();
    run.seek(14_000);
    assert_eq!(run.world().metadata().topics["metrics"].partitions[0].leader, -1, "offline before the change");
    run.seek(30_000);
    let facts: Vec<_> = run.world().facts().cloned().collect();
    let changed = facts
        .iter()
        .find(
            |f| matches!(&f.fact, Fact::DynamicConfigChanged { name, .. } if name == "unclean.leader.election.enable"),
        )
        .expect("the controller wrote the config");
    let elected = facts
        .iter()
        .find(|f| matches!(f.fact, Fact::LeaderElected { leader: 3, unclean: true, .. }))
        .expect("broker 3 elected uncleanly");
    assert_eq!(changed.at_ms, 15_000);
    assert!(elected.index > changed.index && elected.at_ms == changed.at_ms, "in the same controller write");
    assert!(scenario::summary(run.world()).acked_lost > 0);
}
