//! `kafka-configs.sh` (Kafka's `ConfigCommand`): the dynamic configs of topics and brokers.

use crate::args::{self, flag, with_value, Opt};
use crate::{cluster, Output, Session};

const SPEC: &[Opt] = &[
    with_value("add-config", "Key Value pairs of configs to add."),
    flag("all", "List all configs for the given entity, including static configs if available."),
    flag("alter", "Alter the configuration for the entity."),
    with_value("bootstrap-server", "The Kafka servers to connect to."),
    with_value("broker", "The broker's ID."),
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
        return Output::out(format!("This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group\n{}", args::usage(SPEC)));
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
    let (entity_type, name) = if let Some(topic) = opts.value("topic") {
        ("topics", Some(topic.to_string()))
    } else if let Some(broker) = opts.value("broker") {
        ("brokers", Some(broker.to_string()))
    } else {
        match opts.value("entity-type") {
            Some(t) => (t, opts.value("entity-name").map(str::to_string)),
            None => return Output::usage_error("Missing required argument \"[entity-type]\""),
        }
    };
    if opts.has("alter") {
        if name.is_none() {
            return Output::usage_error("an entity name must be specified with --alter of topics");
        }
        return cluster::not_simulated("kafka-configs --alter (changing configs of a running topic or broker)");
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
                for (k, v) in session.state.topic_configs.get(&topic).into_iter().flatten() {
                    out.push_str(&format!("  {k}={v} sensitive=false synonyms={{DYNAMIC_TOPIC_CONFIG:{k}={v}}}\n"));
                }
            }
            Output::out(out)
        }
        "brokers" => {
            let ids: Vec<i32> = match name {
                Some(n) => match n.parse() {
                    Ok(id) => vec![id],
                    Err(_) => {
                        return Output::usage_error(format!(
                            "The entity name for brokers must be a valid integer broker id, but it is: {n}"
                        ))
                    }
                },
                None => world.brokers().map(|b| b.id).collect(),
            };
            Output::out(ids.iter().map(|id| format!("Dynamic configs for broker {id} are:\n")).collect::<String>())
        }
        other => cluster::not_simulated(&format!("kafka-configs --entity-type {other}")),
    }
}
