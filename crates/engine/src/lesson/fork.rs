//! What-if forks: the same scenario and seed with one thing changed (a producer's `acks`, a
//! topic's `unclean.leader.election.enable`, a broker config, one action more or less), run side
//! by side and compared by their summaries.
//!
//! A change is text, the same in lesson files and in the app's URL (`fork=`):
//! - `producer:checkout:acks=1`, `topic:NAME:KEY=VALUE`, `consumer:NAME:KEY=VALUE`,
//!   `broker:2:KEY=VALUE`, `broker:default:KEY=VALUE` (a dynamic broker config);
//! - `+kill-broker:2` adds an action; `-kill-broker:2` removes the scenario's next such step
//!   (actions: `kill-broker`, `restart-broker`, `shutdown-broker` with a broker id,
//!   `kill-controller`, `crash-producer`, `restart-producer`, `stop-stream`, `crash-consumer`,
//!   `restart-consumer`, `close-consumer` with a client name).
//!
//! A fork happens at a moment `from_ms` (0: from the start). Both branches replay the same seed
//! and steps up to it; then the changed branch gets the change as a step of its own: a topic or
//! broker config through IncrementalAlterConfigs, a producer or consumer setting by restarting
//! that client with the new config (as an application would have to), or the added or removed
//! action. A config change from the start edits the scenario's declarations instead, so the
//! branch runs with it from t=0.

use crate::consumer::config::ConsumerConfig;
use crate::log::topic_config::topic_synonym;
use crate::log::TopicConfig;
use crate::producer::config::ProducerConfig;
use crate::protocol::metadata::ConfigResource;
use crate::scenario::{summary, Scenario, Step, StepAction, Summary};
use crate::sim::Millis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Whose configs a change sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeTarget {
    Producer(String),
    Topic(String),
    Consumer(String),
    /// One broker's dynamic config.
    Broker(i32),
    /// The cluster-wide default of a dynamic broker config.
    BrokerDefault,
}

/// What a fork changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// One config of a producer, topic, consumer or broker set to one value.
    Config { target: ChangeTarget, key: String, value: String },
    /// One action added at the fork's moment.
    AddAction(StepAction),
    /// The scenario's first step with this action at or after the fork's moment, removed.
    RemoveAction(StepAction),
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Config { target, key, value } => {
                let (kind, name) = match target {
                    ChangeTarget::Producer(n) => ("producer", n.clone()),
                    ChangeTarget::Topic(n) => ("topic", n.clone()),
                    ChangeTarget::Consumer(n) => ("consumer", n.clone()),
                    ChangeTarget::Broker(b) => ("broker", b.to_string()),
                    ChangeTarget::BrokerDefault => ("broker", "default".to_string()),
                };
                write!(f, "{kind}:{name}:{key}={value}")
            }
            Change::AddAction(a) => write!(f, "+{}", action_text(a).unwrap_or_default()),
            Change::RemoveAction(a) => write!(f, "-{}", action_text(a).unwrap_or_default()),
        }
    }
}

/// Both branches at the same virtual time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForkComparison {
    pub at_ms: Millis,
    /// The scenario as written.
    pub base: Summary,
    /// The scenario with the change.
    pub fork: Summary,
}

/// The actions a fork can add or remove, by their text names.
const ACTIONS: [&str; 10] = [
    "kill-broker",
    "restart-broker",
    "shutdown-broker",
    "kill-controller",
    "crash-producer",
    "restart-producer",
    "stop-stream",
    "crash-consumer",
    "restart-consumer",
    "close-consumer",
];

/// `kill-broker:2`, `crash-producer:checkout`, … (underscores work too).
fn parse_action(text: &str) -> Option<StepAction> {
    let normalized = text.replace('_', "-");
    let (name, arg) = normalized.split_once(':').map_or((normalized.as_str(), ""), |(n, a)| (n, a));
    let broker = || arg.parse::<i32>().ok().filter(|b| *b >= 1);
    let client = || (!arg.is_empty()).then(|| arg.to_string());
    Some(match name {
        "kill-broker" => StepAction::KillBroker { broker: broker()? },
        "restart-broker" => StepAction::RestartBroker { broker: broker()? },
        "shutdown-broker" => StepAction::ShutdownBroker { broker: broker()? },
        "kill-controller" if arg.is_empty() => StepAction::KillController,
        "crash-producer" => StepAction::CrashProducer { producer: client()? },
        "restart-producer" => StepAction::RestartProducer { producer: client()? },
        "stop-stream" => StepAction::StopStream { producer: client()? },
        "crash-consumer" => StepAction::CrashConsumer { consumer: client()? },
        "restart-consumer" => StepAction::RestartConsumer { consumer: client()? },
        "close-consumer" => StepAction::CloseConsumer { consumer: client()? },
        _ => return None,
    })
}

/// The text of an action [`parse_action`] reads.
fn action_text(action: &StepAction) -> Option<String> {
    Some(match action {
        StepAction::KillBroker { broker } => format!("kill-broker:{broker}"),
        StepAction::RestartBroker { broker } => format!("restart-broker:{broker}"),
        StepAction::ShutdownBroker { broker } => format!("shutdown-broker:{broker}"),
        StepAction::KillController => "kill-controller".to_string(),
        StepAction::CrashProducer { producer } => format!("crash-producer:{producer}"),
        StepAction::RestartProducer { producer } => format!("restart-producer:{producer}"),
        StepAction::StopStream { producer } => format!("stop-stream:{producer}"),
        StepAction::CrashConsumer { consumer } => format!("crash-consumer:{consumer}"),
        StepAction::RestartConsumer { consumer } => format!("restart-consumer:{consumer}"),
        StepAction::CloseConsumer { consumer } => format!("close-consumer:{consumer}"),
        _ => return None,
    })
}

impl Change {
    /// Reads `KIND:NAME:KEY=VALUE`, `+ACTION` or `-ACTION`.
    pub fn parse(text: &str) -> Result<Change, String> {
        let usage = || {
            format!(
                "`{text}` is not a change: write producer|topic|consumer:NAME:KEY=VALUE (producer:checkout:acks=1), broker:ID|default:KEY=VALUE, or +ACTION / -ACTION with ACTION one of {}",
                ACTIONS.join(", ")
            )
        };
        if let Some(action) = text.strip_prefix('+') {
            return parse_action(action).map(Change::AddAction).ok_or_else(usage);
        }
        if let Some(action) = text.strip_prefix('-') {
            return parse_action(action).map(Change::RemoveAction).ok_or_else(usage);
        }
        let mut parts = text.splitn(3, ':');
        let (Some(kind), Some(name), Some(setting)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(usage());
        };
        let Some((key, value)) = setting.split_once('=') else { return Err(usage()) };
        if name.is_empty() || key.is_empty() || value.is_empty() {
            return Err(usage());
        }
        let target = match kind {
            "producer" => ChangeTarget::Producer(name.to_string()),
            "topic" => ChangeTarget::Topic(name.to_string()),
            "consumer" => ChangeTarget::Consumer(name.to_string()),
            "broker" if name == "default" => ChangeTarget::BrokerDefault,
            "broker" => ChangeTarget::Broker(name.parse().map_err(|_| usage())?),
            _ => return Err(usage()),
        };
        Ok(Change::Config { target, key: key.to_string(), value: value.to_string() })
    }

    /// `scenario` with the change made from the start (see [`Change::apply_at`]).
    pub fn apply(&self, scenario: &Scenario) -> Result<Scenario, String> {
        self.apply_at(scenario, 0)
    }

    /// `scenario` with the change made at `from_ms`, checked by the engine's own config parsers
    /// (as the scenario parser checks them). Up to `from_ms` the changed scenario does exactly what
    /// `scenario` does: the change is a step after every step at or before that time.
    pub fn apply_at(&self, scenario: &Scenario, from_ms: Millis) -> Result<Scenario, String> {
        if from_ms > scenario.duration_ms {
            return Err(format!(
                "{self}: {from_ms} ms is after the end of scenario `{}` ({} ms)",
                scenario.name, scenario.duration_ms
            ));
        }
        let (target, key, value) = match self {
            Change::AddAction(action) => {
                self.check_action(scenario, action)?;
                return Ok(with_step(scenario, from_ms, action.clone()));
            }
            Change::RemoveAction(action) => {
                let mut changed = scenario.clone();
                let index = changed
                    .steps
                    .iter()
                    .position(|s| s.at_ms >= from_ms && s.action.as_ref() == Some(action))
                    .ok_or_else(|| {
                        format!(
                            "scenario `{}` has no `{}` step at or after {from_ms} ms",
                            scenario.name,
                            &self.to_string()[1..]
                        )
                    })?;
                changed.steps.remove(index);
                return Ok(changed);
            }
            Change::Config { target, key, value } => (target, key, value),
        };
        match target {
            ChangeTarget::Broker(_) | ChangeTarget::BrokerDefault => {
                let resource = match target {
                    ChangeTarget::Broker(b) if (1..=scenario.world.brokers).contains(b) => ConfigResource::Broker(*b),
                    ChangeTarget::Broker(b) => return Err(format!("scenario `{}` has no broker {b}", scenario.name)),
                    _ => ConfigResource::BrokerDefault,
                };
                let topic_key = topic_synonym(key)
                    .ok_or_else(|| format!("{self}: `{key}` is not a dynamic broker config the simulation applies"))?;
                TopicConfig::default()
                    .set(topic_key, value, scenario.world.teaching_mode)
                    .map_err(|e| format!("{self}: {e}"))?;
                let action = StepAction::AlterConfig { resource, key: key.clone(), value: Some(value.clone()) };
                Ok(with_step(scenario, from_ms, action))
            }
            _ if from_ms == 0 => self.declare(scenario, target, key, value),
            ChangeTarget::Topic(name) => {
                self.declare(scenario, target, key, value)?;
                let action = StepAction::AlterConfig {
                    resource: ConfigResource::Topic(name.clone()),
                    key: key.clone(),
                    value: Some(value.clone()),
                };
                Ok(with_step(scenario, from_ms, action))
            }
            ChangeTarget::Producer(name) => {
                self.declare(scenario, target, key, value)?;
                let action = StepAction::RestartProducerWithConfig {
                    producer: name.clone(),
                    key: key.clone(),
                    value: value.clone(),
                };
                Ok(with_step(scenario, from_ms, action))
            }
            ChangeTarget::Consumer(name) => {
                self.declare(scenario, target, key, value)?;
                let action = StepAction::RestartConsumerWithConfig {
                    consumer: name.clone(),
                    key: key.clone(),
                    value: value.clone(),
                };
                Ok(with_step(scenario, from_ms, action))
            }
        }
    }

    /// The scenario with the config written into the declarations of the producer, topic or
    /// consumer (checked with the engine's parsers); refused when it changes nothing.
    fn declare(&self, scenario: &Scenario, target: &ChangeTarget, key: &str, value: &str) -> Result<Scenario, String> {
        let mut changed = scenario.clone();
        let set = |configs: &mut Vec<(String, String)>| -> Result<(), String> {
            configs.retain(|(k, _)| *k != key);
            configs.push((key.to_string(), value.to_string()));
            configs.sort();
            let pairs = configs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            let checked = match target {
                ChangeTarget::Producer(_) => ProducerConfig::from_pairs(pairs).map(drop),
                ChangeTarget::Consumer(_) => ConsumerConfig::from_pairs(pairs).map(drop),
                ChangeTarget::Topic(name) => {
                    let rf = scenario_rf(scenario, name);
                    TopicConfig::from_pairs(pairs, rf, scenario.world.teaching_mode).map(drop)
                }
                ChangeTarget::Broker(_) | ChangeTarget::BrokerDefault => Ok(()),
            };
            checked.map_err(|e| format!("{self}: {e}"))
        };
        let mut found = 0;
        match target {
            ChangeTarget::Producer(name) => {
                for p in changed.producers.iter_mut().filter(|p| p.name == *name) {
                    set(&mut p.configs)?;
                    found += 1;
                }
            }
            ChangeTarget::Topic(name) => {
                let steps = changed.steps.iter_mut().filter_map(|s| match &mut s.action {
                    Some(StepAction::CreateTopic { topic }) if topic.name == *name => Some(&mut topic.configs),
                    _ => None,
                });
                for configs in
                    changed.topics.iter_mut().filter(|t| t.name == *name).map(|t| &mut t.configs).chain(steps)
                {
                    set(configs)?;
                    found += 1;
                }
            }
            ChangeTarget::Consumer(name) => {
                let steps = changed.steps.iter_mut().filter_map(|s| match &mut s.action {
                    Some(StepAction::AddConsumer { consumer }) if consumer.name == *name => Some(&mut consumer.configs),
                    _ => None,
                });
                for configs in
                    changed.consumers.iter_mut().filter(|c| c.name == *name).map(|c| &mut c.configs).chain(steps)
                {
                    set(configs)?;
                    found += 1;
                }
            }
            ChangeTarget::Broker(_) | ChangeTarget::BrokerDefault => found = 1,
        }
        if found == 0 {
            return Err(format!("scenario `{}` has no {}", scenario.name, target_text(target)));
        }
        if changed == *scenario {
            return Err(format!("{} already has {key}={value} in scenario `{}`", target_text(target), scenario.name));
        }
        Ok(changed)
    }

    /// An added action names a broker or a client of the scenario.
    fn check_action(&self, scenario: &Scenario, action: &StepAction) -> Result<(), String> {
        let known = match action {
            StepAction::KillBroker { broker }
            | StepAction::RestartBroker { broker }
            | StepAction::ShutdownBroker { broker } => (1..=scenario.world.brokers).contains(broker),
            StepAction::CrashProducer { producer }
            | StepAction::RestartProducer { producer }
            | StepAction::StopStream { producer } => scenario.producers.iter().any(|p| p.name == *producer),
            StepAction::CrashConsumer { consumer }
            | StepAction::RestartConsumer { consumer }
            | StepAction::CloseConsumer { consumer } => scenario.consumers.iter().any(|c| c.name == *consumer),
            _ => true,
        };
        known.then_some(()).ok_or_else(|| format!("{self}: scenario `{}` has no such broker or client", scenario.name))
    }
}

fn target_text(target: &ChangeTarget) -> String {
    match target {
        ChangeTarget::Producer(n) => format!("producer `{n}`"),
        ChangeTarget::Topic(n) => format!("topic `{n}`"),
        ChangeTarget::Consumer(n) => format!("consumer `{n}`"),
        ChangeTarget::Broker(b) => format!("broker {b}"),
        ChangeTarget::BrokerDefault => "the brokers' default".to_string(),
    }
}

/// `scenario` with `action` as a step at `at_ms`, after every step at or before that time, so
/// both branches are the same run until then.
fn with_step(scenario: &Scenario, at_ms: Millis, action: StepAction) -> Scenario {
    let mut changed = scenario.clone();
    let index = changed.steps.iter().position(|s| s.at_ms > at_ms).unwrap_or(changed.steps.len());
    let step = Step { at_ms, action: Some(action), note: None, when: None, highlight: Vec::new(), line: 0 };
    changed.steps.insert(index, step);
    changed
}

/// The replication factor a topic of the scenario is declared with.
fn scenario_rf(scenario: &Scenario, topic: &str) -> i32 {
    scenario.topics.iter().find(|t| t.name == topic).map_or(1, |t| t.replication_factor)
}

/// Runs `scenario` as written and with `change` from the start, from the same seed, to `at_ms`,
/// and compares.
pub fn compare(
    scenario: &Scenario,
    change: &Change,
    seed: Option<u64>,
    at_ms: Millis,
) -> Result<ForkComparison, String> {
    compare_from(scenario, change, 0, seed, at_ms)
}

/// [`compare`] for a fork at `from_ms`.
pub fn compare_from(
    scenario: &Scenario,
    change: &Change,
    from_ms: Millis,
    seed: Option<u64>,
    at_ms: Millis,
) -> Result<ForkComparison, String> {
    let forked = change.apply_at(scenario, from_ms)?;
    let run_to = |s: Scenario| -> Result<Summary, String> {
        let mut run = super::run(&s, seed)?;
        run.seek(at_ms);
        Ok(summary(run.world()))
    };
    Ok(ForkComparison { at_ms, base: run_to(scenario.clone())?, fork: run_to(forked)? })
}
