//! What-if forks: the same scenario and seed with one setting changed (a producer's `acks`, a
//! topic's `unclean.leader.election.enable`, a consumer's `partition.assignment.strategy`, …),
//! run side by side and compared by their summaries.
//!
//! A change is written `producer:checkout:acks=1` (also `topic:NAME:KEY=VALUE` and
//! `consumer:NAME:KEY=VALUE`): the same text in lesson files and in the app's URL (`fork=`).

use crate::consumer::config::ConsumerConfig;
use crate::log::TopicConfig;
use crate::producer::config::ProducerConfig;
use crate::scenario::{summary, Scenario, StepAction, Summary};
use crate::sim::Millis;
use serde::Serialize;
use std::fmt;

/// Whose configs a change sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeTarget {
    Producer(String),
    Topic(String),
    Consumer(String),
}

/// One config set to one value, for one producer, topic or consumer of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub target: ChangeTarget,
    pub key: String,
    pub value: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, name) = match &self.target {
            ChangeTarget::Producer(n) => ("producer", n),
            ChangeTarget::Topic(n) => ("topic", n),
            ChangeTarget::Consumer(n) => ("consumer", n),
        };
        write!(f, "{kind}:{name}:{}={}", self.key, self.value)
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

impl Change {
    /// Reads `KIND:NAME:KEY=VALUE`.
    pub fn parse(text: &str) -> Result<Change, String> {
        let usage = || {
            format!("`{text}` is not a change: write producer|topic|consumer:NAME:KEY=VALUE (producer:checkout:acks=1)")
        };
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
            _ => return Err(usage()),
        };
        Ok(Change { target, key: key.to_string(), value: value.to_string() })
    }

    /// `scenario` with the change made, the new configs checked by the engine's own config
    /// parsers (as the scenario parser checks them).
    pub fn apply(&self, scenario: &Scenario) -> Result<Scenario, String> {
        let mut changed = scenario.clone();
        let set = |configs: &mut Vec<(String, String)>| -> Result<(), String> {
            configs.retain(|(k, _)| *k != self.key);
            configs.push((self.key.clone(), self.value.clone()));
            configs.sort();
            let pairs = configs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            let checked = match &self.target {
                ChangeTarget::Producer(_) => ProducerConfig::from_pairs(pairs).map(drop),
                ChangeTarget::Consumer(_) => ConsumerConfig::from_pairs(pairs).map(drop),
                ChangeTarget::Topic(name) => {
                    let rf = scenario_rf(scenario, name);
                    TopicConfig::from_pairs(pairs, rf, scenario.world.teaching_mode).map(drop)
                }
            };
            checked.map_err(|e| format!("{self}: {e}"))
        };
        let mut found = 0;
        match &self.target {
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
        }
        if found == 0 {
            return Err(format!("scenario `{}` has no {}", scenario.name, self.target_text()));
        }
        if changed == *scenario {
            return Err(format!(
                "{} already has {}={} in scenario `{}`",
                self.target_text(),
                self.key,
                self.value,
                scenario.name
            ));
        }
        Ok(changed)
    }

    fn target_text(&self) -> String {
        match &self.target {
            ChangeTarget::Producer(n) => format!("producer `{n}`"),
            ChangeTarget::Topic(n) => format!("topic `{n}`"),
            ChangeTarget::Consumer(n) => format!("consumer `{n}`"),
        }
    }
}

/// The replication factor a topic of the scenario is declared with.
fn scenario_rf(scenario: &Scenario, topic: &str) -> i32 {
    scenario.topics.iter().find(|t| t.name == topic).map_or(1, |t| t.replication_factor)
}

/// Runs `scenario` as written and with `change`, from the same seed, to `at_ms`, and compares.
pub fn compare(
    scenario: &Scenario,
    change: &Change,
    seed: Option<u64>,
    at_ms: Millis,
) -> Result<ForkComparison, String> {
    let forked = change.apply(scenario)?;
    let run_to = |s: Scenario| -> Result<Summary, String> {
        let mut run = super::run(&s, seed)?;
        run.seek(at_ms);
        Ok(summary(run.world()))
    };
    Ok(ForkComparison { at_ms, base: run_to(scenario.clone())?, fork: run_to(forked)? })
}
