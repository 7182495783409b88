//! The app's ready-made clusters (`demo`, `large`), built from ordinary actions so that the app,
//! the CLI (`kafkalab run large`) and the memory test play exactly the same world.

use super::{Category, ConsumerSpec, Localized, ProducerSpec, Scenario, StreamSpec, TopicSpec};
use crate::cluster::timeline::Timeline;
use crate::cluster::WorldConfig;
use crate::consumer::ConsumerApp;
use crate::producer::stream::KeyPattern;
use crate::sim::network::NetworkConfig;

/// A ready-made cluster with a topic, a producer stream and a consumer group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// 3 brokers, `orders` (3 partitions, RF 3), a 4 records/s stream, group `billing` of 2.
    Demo,
    /// 9 brokers, `events` (60 partitions, RF 3), a 200 records/s stream, group `analytics` of 3.
    /// `retention.ms` is 10 minutes (segments roll every minute), so a long session keeps a
    /// bounded log, as a real cluster with that retention does.
    Large,
}

impl Preset {
    pub const ALL: [Preset; 2] = [Preset::Demo, Preset::Large];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Demo => "demo",
            Preset::Large => "large",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn brokers(self) -> i32 {
        match self {
            Preset::Demo => 3,
            Preset::Large => 9,
        }
    }

    /// The preset as a scenario without steps: `kafkalab run large` plays what the app plays.
    pub fn scenario(self) -> Scenario {
        let (topic, partitions, rate, group, consumers) = match self {
            Preset::Demo => ("orders", 3, 4, "billing", 2),
            Preset::Large => ("events", 60, 200, "analytics", 3),
        };
        let mut configs = pairs(&[("min.insync.replicas", "2")]);
        if self == Preset::Large {
            configs.extend(pairs(&[("retention.ms", "600000"), ("segment.ms", "60000")]));
        }
        let (title, description) = match self {
            Preset::Demo => (
                Localized { ko: "기본 클러스터".into(), en: "Demo cluster".into() },
                Localized {
                    ko: "브로커 3대, 토픽 orders(파티션 3개, 복제 계수 3), 초당 4개 레코드를 보내는 프로듀서, 컨슈머 그룹 billing(컨슈머 2개).".into(),
                    en: "3 brokers, topic orders (3 partitions, RF 3), a producer sending 4 records/s, group billing of 2 consumers.".into(),
                },
            ),
            Preset::Large => (
                Localized { ko: "큰 클러스터".into(), en: "Large cluster".into() },
                Localized {
                    ko: "브로커 9대, 토픽 events(파티션 60개, 복제 계수 3, retention.ms 10분), 초당 200개 레코드, 컨슈머 그룹 analytics(컨슈머 3개).".into(),
                    en: "9 brokers, topic events (60 partitions, RF 3, retention.ms 10 minutes), 200 records/s, group analytics of 3 consumers.".into(),
                },
            ),
        };
        Scenario {
            name: self.name().into(),
            category: Category::Kafka,
            title,
            description,
            seed: 1,
            duration_ms: 60_000,
            world: world_config(self.brokers()),
            topics: vec![TopicSpec {
                name: topic.into(),
                partitions,
                replication_factor: 3,
                assignment: None,
                configs,
                create_at_start: true,
            }],
            producers: vec![ProducerSpec {
                name: "producer-1".into(),
                configs: pairs(&[("acks", "all")]),
                stream: Some(StreamSpec {
                    topic: topic.into(),
                    records_per_sec: rate,
                    keys: KeyPattern::Cycle { prefix: "order".into(), count: 8 },
                }),
            }],
            consumers: (1..=consumers)
                .map(|i| ConsumerSpec {
                    name: format!("consumer-{i}"),
                    topics: vec![topic.into()],
                    configs: pairs(&[("group.id", group)]),
                    app: ConsumerApp::default(),
                    start_at_start: true,
                    processor: None,
                })
                .collect(),
            steps: Vec::new(),
        }
    }

    /// The preset's timeline at t=0.
    pub fn timeline(self, seed: u64) -> Result<Timeline, String> {
        self.scenario().build(Some(seed)).map_err(|e| e.to_string())
    }
}

/// The world the app runs presets and the sandbox in: `brokers` brokers, a network slower than a
/// LAN (so requests show as moving dots), a long fact history for the feed, 5 offsets partitions
/// with 1 MiB segments (Kafka's default is 100 MiB), so that committed offsets are compacted within
/// a session instead of piling up for hours.
pub fn world_config(brokers: i32) -> WorldConfig {
    let mut config = WorldConfig {
        brokers,
        network: NetworkConfig { latency_ms: 12, jitter_ms: 8 },
        fact_history: 100_000,
        message_log: crate::cluster::world::MESSAGES_KEPT,
        ..Default::default()
    };
    config.broker.group_coordinator.offsets_topic_num_partitions = 5;
    config.broker.group_coordinator.offsets_topic_segment_bytes = 1024 * 1024;
    config
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}
