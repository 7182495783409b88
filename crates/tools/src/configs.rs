//! `kafka-configs.sh` (Kafka's `ConfigCommand`, Kafka 4.x `core/.../kafka/admin/ConfigCommand.scala`):
//! the dynamic configs of topics and brokers, described or altered (IncrementalAlterConfigs).

use std::collections::BTreeMap;

use kafkalab_engine::broker::BrokerState;
use kafkalab_engine::cluster::{Action, ActionError};
use kafkalab_engine::config::ConfigError;
use kafkalab_engine::protocol::metadata::ConfigResource;

use crate::args::{self, flag, with_value, Opt};
use crate::{cluster, Output, Session};

const SPEC: &[Opt] = &[
    with_value("add-config", "Key Value pairs of configs to add."),
    flag("all", "List all configs for the given entity, including static configs if available."),
    flag("alter", "Alter the configuration for the entity."),
    with_value("bootstrap-server", "The Kafka servers to connect to."),
    with_value("broker", "The broker's ID."),
    flag("broker-defaults", "The config defaults for all brokers."),
    with_value("command-config", "Property file containing configs to be passed to Admin Client."),
    with_value("delete-config", "config keys to remove 'k1,k2'"),
    flag("describe", "List configs for the given entity."),
    flag("entity-default", "Default entity name for clients/users/brokers/ips."),
    with_value(
        "entity-name",
        "Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group id)",
    ),
    with_value("entity-type", "Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)"),
    flag("help", "Print usage information."),
    with_value("topic", "The topic's name."),
    flag("version", "Display Kafka version."),
];

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    let opts = match args::parse(SPEC, argv) {
        Ok(o) => o,
        Err(e) => return Output::usage_error(e),
    };
    if opts.has("help") {
        return Output::help("This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group", SPEC);
    }
    let Some(bootstrap) = opts.value("bootstrap-server") else {
        return Output::usage_error("Only one of --bootstrap-server or --bootstrap-controller must be specified");
    };
    if let Err(e) = cluster::check_bootstrap(session, bootstrap) {
        return e;
    }
    if opts.has("alter") == opts.has("describe") {
        return Output::usage_error("Command must include exactly one action: --describe, --alter");
    }
    let specific = opts.has("topic") || opts.has("broker") || opts.has("broker-defaults");
    if specific && (opts.has("entity-type") || opts.has("entity-name") || opts.has("entity-default")) {
        return Output::usage_error(
            "--entity-{type,name,default} should not be used in conjunction with specific entity flags",
        );
    }
    let (entity_type, name) = if let Some(topic) = opts.value("topic") {
        ("topics", Some(topic.to_string()))
    } else if let Some(broker) = opts.value("broker") {
        ("brokers", Some(broker.to_string()))
    } else if opts.has("broker-defaults") {
        ("brokers", Some(String::new()))
    } else {
        match opts.value("entity-type") {
            Some(t) => {
                (t, opts.value("entity-name").map(str::to_string).or(opts.has("entity-default").then(String::new)))
            }
            None => return Output::usage_error("At least one entity type must be specified"),
        }
    };
    if entity_type == "brokers" {
        if let Some(id) = name.as_deref().filter(|n| !n.is_empty() && n.parse::<i32>().is_err()) {
            return Output::usage_error(format!(
                "The entity name for brokers must be a valid integer broker id, but it is: {id}"
            ));
        }
    }
    if opts.has("alter") {
        return match (entity_type, name) {
            ("topics", Some(n)) if !n.is_empty() => alter(session, argv, &opts, ConfigResource::Topic(n)),
            ("topics", _) => Output::usage_error("An entity name must be specified with --alter of topics"),
            ("brokers", Some(n)) if n.is_empty() => alter(session, argv, &opts, ConfigResource::BrokerDefault),
            ("brokers", Some(n)) => alter(session, argv, &opts, ConfigResource::Broker(n.parse().unwrap_or_default())),
            ("brokers", None) => Output::usage_error(
                "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips",
            ),
            (other, _) => cluster::not_simulated(&format!("kafka-configs --alter --entity-type {other}")),
        };
    }
    let world = session.world();
    match entity_type {
        "topics" => {
            let names: Vec<String> = match name {
                Some(n) => vec![n],
                None => world.metadata().topics.keys().cloned().collect(),
            };
            let mut out = String::new();
            for topic in names {
                if !world.metadata().topics.contains_key(&topic) {
                    return Output {
                        stdout: out,
                        stderr: format!("Error while executing config command with args '{}'\norg.apache.kafka.common.errors.UnknownTopicOrPartitionException: The topic '{topic}' does not exist.\n", argv.join(" ")),
                        status: 1,
                    };
                }
                out.push_str(&format!("Dynamic configs for topic {topic} are:\n"));
                let resource = ConfigResource::Topic(topic.clone());
                for (k, v) in world.metadata().configs.get(&resource).into_iter().flat_map(|m| m.iter()) {
                    out.push_str(&format!("  {k}={v} sensitive=false synonyms={{DYNAMIC_TOPIC_CONFIG:{k}={v}}}\n"));
                }
            }
            Output::out(out)
        }
        "brokers" => {
            let entities: Vec<Option<i32>> = match name.as_deref() {
                Some("") => vec![None],
                Some(n) => vec![Some(n.parse().unwrap_or_default())],
                None => world.brokers().map(|b| Some(b.id)).chain([None]).collect(),
            };
            let configs = &world.metadata().configs;
            let empty = BTreeMap::new();
            let defaults = configs.get(&ConfigResource::BrokerDefault).map_or(&empty, |m| m.as_ref());
            let mut out = String::new();
            for entity in entities {
                match entity {
                    None => {
                        out.push_str("Default configs for brokers in the cluster are:\n");
                        for (k, v) in defaults {
                            out.push_str(&format!(
                                "  {k}={v} sensitive=false synonyms={{DYNAMIC_DEFAULT_BROKER_CONFIG:{k}={v}}}\n"
                            ));
                        }
                    }
                    Some(id) => {
                        out.push_str(&format!("Dynamic configs for broker {id} are:\n"));
                        for (k, v) in configs.get(&ConfigResource::Broker(id)).map_or(&empty, |m| m.as_ref()) {
                            let default = defaults.get(k).map(|d| format!(", DYNAMIC_DEFAULT_BROKER_CONFIG:{k}={d}"));
                            out.push_str(&format!(
                                "  {k}={v} sensitive=false synonyms={{DYNAMIC_BROKER_CONFIG:{k}={v}{}}}\n",
                                default.unwrap_or_default()
                            ));
                        }
                    }
                }
            }
            Output::out(out)
        }
        other => cluster::not_simulated(&format!("kafka-configs --entity-type {other}")),
    }
}

/// `alterConfig` / `alterResourceConfig`: the configs to add and delete are parsed as
/// `parseConfigsToBeAdded` / `parseConfigsToBeDeleted` do, a deleted key must be set now
/// ("Invalid config(s)"), then IncrementalAlterConfigs; the tool waits until every running broker
/// has applied the change and prints `Completed updating config for topic T.` (or `broker N`, or
/// `default config for brokers in the cluster`).
fn alter(session: &mut Session<'_>, argv: &[String], opts: &args::Parsed, resource: ConfigResource) -> Output {
    if !opts.has("add-config") && !opts.has("delete-config") {
        return Output::usage_error(
            "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter",
        );
    }
    let added = match opts.value("add-config").map(parse_added).transpose() {
        Ok(a) => a.unwrap_or_default(),
        Err(e) => return Output::usage_error(e),
    };
    let deleted: Vec<String> =
        opts.values("delete-config").iter().flat_map(|v| v.split(',')).map(|k| k.trim().to_string()).collect();
    let failed = |exception: &str, message: String| {
        Output {
        stderr: format!(
            "Error while executing config command with args '{}'\norg.apache.kafka.common.errors.{exception}: {message}\n",
            argv.join(" ")
        ),
        status: 1,
        ..Default::default()
    }
    };
    let world = session.world();
    if let ConfigResource::Topic(topic) = &resource {
        if !world.metadata().topics.contains_key(topic) {
            return failed("UnknownTopicOrPartitionException", format!("The topic '{topic}' does not exist."));
        }
    }
    let current = world.metadata().configs.get(&resource).cloned().unwrap_or_default();
    let invalid: Vec<&str> = deleted.iter().map(String::as_str).filter(|k| !current.contains_key(*k)).collect();
    if !invalid.is_empty() {
        return Output::usage_error(format!("Invalid config(s): {}", invalid.join(",")));
    }
    let changes: Vec<(String, Option<String>)> =
        deleted.iter().map(|k| (k.clone(), None)).chain(added.into_iter().map(|(k, v)| (k, Some(v)))).collect();
    let entity = match &resource {
        ConfigResource::Topic(t) => format!("topic {t}"),
        ConfigResource::Broker(b) => format!("broker {b}"),
        ConfigResource::BrokerDefault => String::new(),
    };
    match session.timeline.apply(Action::AlterConfigs { resource: resource.clone(), changes: changes.clone() }) {
        Ok(_) => {}
        Err(ActionError::Config(ConfigError::UnknownKey { key, .. })) => {
            return failed("InvalidConfigurationException", format!("Unknown topic config name: {key}"))
        }
        Err(ActionError::Config(ConfigError::InvalidValue { key, value, allowed })) => {
            return failed("InvalidConfigurationException", invalid_value(&key, &value, &allowed))
        }
        Err(ActionError::NotDynamicConfig(key)) => {
            let name = match &resource {
                ConfigResource::Broker(b) => b.to_string(),
                _ => String::new(),
            };
            return failed(
                "InvalidRequestException",
                format!(
                    "Invalid config value for resource ConfigResource(type=BROKER, name='{name}'): Cannot update these configs dynamically: Set({key})"
                ),
            );
        }
        Err(ActionError::UnknownNode(_)) => {
            return failed(
                "InvalidRequestException",
                format!("Unexpected broker id, expected one of the brokers, but received {entity}"),
            )
        }
        Err(ActionError::NoActiveController) => {
            return failed(
                "TimeoutException",
                "Timed out waiting for a node assignment. Call: incrementalAlterConfigs".into(),
            )
        }
        Err(other) => return failed("InvalidRequestException", other.to_string()),
    }
    if let ConfigResource::Topic(topic) = &resource {
        // What `kafka-topics --describe` lists as the topic's configs.
        let configs = session.state.topic_configs.entry(topic.clone()).or_default();
        for (key, value) in changes {
            configs.retain(|(k, _)| *k != key);
            configs.extend(value.map(|v| (key, v)));
        }
    }
    let target = session.world().metadata().offset;
    session.wait_until(5_000, |w| {
        w.brokers().filter(|b| b.state != BrokerState::Dead).all(|b| b.durable.image.offset >= target)
    });
    if entity.is_empty() {
        Output::out("Completed updating default config for brokers in the cluster.\n")
    } else {
        Output::out(format!("Completed updating config for {entity}.\n"))
    }
}

/// `parseConfigsToBeAdded`: `k1=v1,k2=[v1,v2]` (commas inside `[]` stay), keys of
/// `[a-zA-Z0-9._-]`, brackets removed from values.
fn parse_added(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth <= 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    let mut pairs = Vec::new();
    for part in parts {
        let Some((key, value)) = part.split_once('=').filter(|(_, v)| !v.contains('=')) else {
            return Err("Invalid entity config: all configs to be added must be in the format \"key=val\" or  \"key=[val1,val2]\" to group values which contain commas.".into());
        };
        let key = key.trim();
        if !key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            return Err(format!("Invalid character found for config key: {key}"));
        }
        pairs.push((key.to_string(), value.replace(['[', ']'], "").trim().to_string()));
    }
    Ok(pairs)
}

/// Kafka's `ConfigException` text for a value `ConfigDef` refuses: `Invalid value V for
/// configuration K: REASON`, the reason as `ConfigDef.parseType` or the validator words it.
fn invalid_value(key: &str, value: &str, allowed: &str) -> String {
    let reason = if allowed == "true or false" {
        "Expected value to be either true or false".to_string()
    } else if let Some(range) = allowed.strip_prefix("an integer") {
        if value.trim().parse::<i64>().is_err() {
            let int = [
                "min.insync.replicas",
                "segment.bytes",
                "log.segment.bytes",
                "max.message.bytes",
                "message.max.bytes",
                "index.interval.bytes",
                "segment.index.bytes",
            ];
            format!("Not a number of type {}", if int.contains(&key) { "INT" } else { "LONG" })
        } else if let Some(min) = range.trim().strip_prefix(">= ") {
            format!("Value must be at least {min}")
        } else {
            let bounds = range.trim().trim_start_matches("in [").trim_end_matches(']');
            match bounds.split_once(", ") {
                Some((min, "2147483647")) => format!("Value must be at least {min}"),
                _ => format!("Value must be in the range [{bounds}]"),
            }
        }
    } else {
        format!("must be {allowed}")
    };
    format!("Invalid value {value} for configuration {key}: {reason}")
}
