//! `kafka-topics.sh` (Kafka's `TopicCommand`).

use crate::args::{self, flag, with_value, Opt};
use crate::{cluster, Output, Session};
use kafkalab_engine::cluster::{Action, ActionError};
use kafkalab_engine::controller::CreateTopicError;
use kafkalab_engine::view::BrokerState;

/// `TopicCommand.TopicCommandOptions`' option table as Kafka defines it (apache/kafka trunk at 1eb7644, 2024-10-25,
/// 4.0.0-SNAPSHOT): what the parser accepts and what `--help` prints.
const SPEC: &[Opt] = &[
    flag("alter", "Alter the number of partitions and replica assignment. (To alter topic configurations, the kafka-configs tool can be used.)"),
    flag("at-min-isr-partitions", "If set when describing topics, only show partitions whose isr count is equal to the configured minimum."),
    with_value("bootstrap-server", "REQUIRED: The Kafka server to connect to.").arg("server to connect to"),
    with_value("command-config", "Property file containing configs to be passed to Admin Client.").arg("command config property file"),
    with_value("config", "A topic configuration override for the topic being created. The following is a list of valid configurations: \n\tcleanup.policy\n\tcompression.gzip.level\n\tcompression.lz4.level\n\tcompression.type\n\tcompression.zstd.level\n\tdelete.retention.ms\n\tfile.delete.delay.ms\n\tflush.messages\n\tflush.ms\n\tfollower.replication.throttled.replicas\n\tindex.interval.bytes\n\tleader.replication.throttled.replicas\n\tlocal.retention.bytes\n\tlocal.retention.ms\n\tmax.compaction.lag.ms\n\tmax.message.bytes\n\tmessage.downconversion.enable\n\tmessage.format.version\n\tmessage.timestamp.after.max.ms\n\tmessage.timestamp.before.max.ms\n\tmessage.timestamp.difference.max.ms\n\tmessage.timestamp.type\n\tmin.cleanable.dirty.ratio\n\tmin.compaction.lag.ms\n\tmin.insync.replicas\n\tpreallocate\n\tremote.log.copy.disable\n\tremote.log.delete.on.disable\n\tremote.storage.enable\n\tretention.bytes\n\tretention.ms\n\tsegment.bytes\n\tsegment.index.bytes\n\tsegment.jitter.ms\n\tsegment.ms\n\tunclean.leader.election.enable\nSee the Kafka documentation for full details on the topic configs. It is supported only in combination with --create. (To alter topic configurations, the kafka-configs tool can be used.)").arg("name=value"),
    flag("create", "Create a new topic."),
    flag("delete", "Delete a topic."),
    with_value("delete-config", "This option is no longer supported and has been deprecated since 4.0").arg("name"),
    flag("describe", "List details for the given topics."),
    flag("exclude-internal", "Exclude internal topics when listing or describing topics. By default, the internal topics are included."),
    flag("help", "Print usage information."),
    flag("if-exists", "If set when altering or deleting or describing topics, the action will only execute if the topic exists."),
    flag("if-not-exists", "If set when creating topics, the action will only execute if the topic does not already exist."),
    flag("list", "List all available topics."),
    with_value("partition-size-limit-per-response", "The maximum partition size to be included in one DescribeTopicPartitions response.").arg("maximum number of partitions per response").of("Integer"),
    with_value("partitions", "The number of partitions for the topic being created or altered. If not supplied with --create, the topic uses the cluster default. (WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected).").arg("# of partitions").of("Integer"),
    with_value("replica-assignment", "A list of manual partition-to-broker assignments for the topic being created or altered.").arg("broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ..."),
    with_value("replication-factor", "The replication factor for each partition in the topic being created. If not supplied, the topic uses the cluster default.").arg("replication factor").of("Integer"),
    with_value("topic", "The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option. Put topic name in double quotes and use the '\\' prefix to escape regular expression symbols; e.g. \"test\\.topic\".").arg("topic"),
    with_value("topic-id", "The topic-id to describe.").arg("topic-id"),
    flag("topics-with-overrides", "If set when describing topics, only show topics that have overridden configs."),
    flag("unavailable-partitions", "If set when describing topics, only show partitions whose leader is not available."),
    flag("under-min-isr-partitions", "If set when describing topics, only show partitions whose isr count is less than the configured minimum."),
    flag("under-replicated-partitions", "If set when describing topics, only show under-replicated partitions."),
    flag("version", "Display Kafka version."),
];

/// `TopicCommand.printException`: failures of the admin calls go to stdout with exit status 1.
fn failed(message: impl std::fmt::Display) -> Output {
    Output { stdout: format!("Error while executing topic command : {message}\n"), status: 1, ..Default::default() }
}

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    if argv.is_empty() {
        return Output::help("Create, delete, describe, or change a topic.", SPEC);
    }
    let opts =
        match cluster::parse_tool_args(SPEC, argv, "This tool helps to create, delete, describe, or change a topic.") {
            Ok(opts) => opts,
            Err(output) => return output,
        };
    let actions = ["create", "list", "alter", "describe", "delete"].iter().filter(|a| opts.has(a)).count();
    if actions != 1 {
        return Output::usage_error(
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete",
        );
    }
    if !opts.has("bootstrap-server") {
        return Output::usage_error("--bootstrap-server must be specified");
    }
    if let Err(e) = cluster::check_bootstrap(session, opts.value("bootstrap-server").unwrap_or("")) {
        return e;
    }
    if !opts.has("list") && !opts.has("describe") && !opts.has("topic") {
        return Output::usage_error("Missing required argument \"[topic]\"");
    }
    for (option, allowed) in [
        ("config", &["alter", "create"][..]),
        ("partitions", &["alter", "create"]),
        ("replication-factor", &["create"]),
        ("replica-assignment", &["alter", "create"]),
        ("if-not-exists", &["create"]),
        ("if-exists", &["alter", "delete", "describe"]),
        ("exclude-internal", &["list", "describe"]),
    ] {
        if opts.has(option) {
            if let Some(action) =
                ["create", "list", "alter", "describe", "delete"].iter().find(|a| opts.has(a) && !allowed.contains(a))
            {
                return Output::usage_error(format!("Option \"[{option}]\" can't be used with option \"[{action}]\""));
            }
        }
    }
    if opts.has("alter") && opts.has("config") {
        return Output::usage_error(
            "Option combination \"[alter],[config]\" can't be used with option \"[config]\" (To alter topic configurations, the kafka-configs tool can be used.)",
        );
    }
    if opts.has("create") {
        create(session, &opts)
    } else if opts.has("list") {
        let names = matching(session, &opts);
        Output::out(format!("{}\n", names.join("\n")))
    } else if opts.has("describe") {
        describe(session, &opts)
    } else if opts.has("alter") {
        if !opts.has("partitions") {
            return Output::usage_error("Missing required argument \"[partitions]\"");
        }
        if let Some(missing) = missing_topic(session, &opts) {
            return missing;
        }
        alter_partitions(session, &opts)
    } else {
        if let Some(missing) = missing_topic(session, &opts) {
            return missing;
        }
        delete(session, &opts)
    }
}

/// `deleteTopic`: one DeleteTopics for every matching topic; Kafka prints nothing on success.
/// The admin call returns once the controller committed the records; the shell also waits until
/// every live broker deleted its replicas, so the picture has dropped the topic.
fn delete(session: &mut Session<'_>, opts: &args::Parsed) -> Output {
    let topics = matching(session, opts);
    if topics.is_empty() {
        return Output::default();
    }
    if let Err(e) = session.timeline.apply(Action::DeleteTopics { topics: topics.clone() }) {
        return failed(create_error(&e));
    }
    session.wait_until(5_000, |w| {
        w.brokers().filter(|b| b.state != BrokerState::Dead).all(|b| {
            b.durable.image.topics.keys().all(|t| !topics.contains(t))
                && b.durable.replicas.keys().all(|tp| !topics.iter().any(|t| *t == tp.topic))
        })
    });
    for topic in &topics {
        session.state.topic_configs.remove(topic);
    }
    Output::default()
}

/// The topics `--topic` names (all of them without it), sorted, as `TopicService.getTopics`.
fn matching(session: &Session<'_>, opts: &args::Parsed) -> Vec<String> {
    let exclude_internal = opts.has("exclude-internal");
    session
        .world()
        .metadata()
        .topics
        .keys()
        .filter(|t| !(exclude_internal && t.starts_with("__")))
        .filter(|t| opts.value("topic").is_none_or(|wanted| cluster::include_list_matches(wanted, t)))
        .cloned()
        .collect()
}

/// `ensureTopicExists`: Kafka prints the `Optional` it was given.
fn missing_topic(session: &Session<'_>, opts: &args::Parsed) -> Option<Output> {
    let topic = opts.value("topic").unwrap_or("");
    (matching(session, opts).is_empty() && !topic.is_empty() && !opts.has("if-exists"))
        .then(|| failed(format!("Topic 'Optional[{topic}]' does not exist as expected")))
}

fn create(session: &mut Session<'_>, opts: &args::Parsed) -> Output {
    let name = opts.value("topic").unwrap_or("").to_string();
    let mut stdout = String::new();
    if name.contains('.') || name.contains('_') {
        stdout.push_str("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n");
    }
    let partitions = match opts.int("partitions") {
        Ok(p) => p,
        Err(e) => return Output::usage_error(e),
    };
    let replication_factor = match opts.int("replication-factor") {
        Ok(r) => r,
        Err(e) => return Output::usage_error(e),
    };
    let mut configs = Vec::new();
    for pair in opts.values("config") {
        match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() => configs.push((k.trim().to_string(), v.trim().to_string())),
            _ => {
                return with_prefix(stdout, failed("requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\"."))
            }
        }
    }
    if replication_factor.is_some_and(|r| !(1..=i16::MAX as i64).contains(&r)) {
        return with_prefix(stdout, failed("The replication factor must be between 1 and 32767 inclusive"));
    }
    if partitions.is_some_and(|p| p < 1) {
        return with_prefix(stdout, failed("The partitions must be greater than 0"));
    }
    let action = match opts.value("replica-assignment") {
        Some(text) => match parse_assignment(text) {
            Ok(assignment) => {
                Action::CreateTopicWithAssignment { name: name.clone(), assignment, configs: configs.clone() }
            }
            Err(e) => return with_prefix(stdout, failed(e)),
        },
        // The broker defaults `num.partitions` and `default.replication.factor` are both 1.
        None => Action::CreateTopic {
            name: name.clone(),
            partitions: partitions.unwrap_or(1) as i32,
            replication_factor: replication_factor.unwrap_or(1) as i32,
            configs: configs.clone(),
        },
    };
    match session.timeline.apply(action) {
        Ok(_) => {}
        Err(ActionError::CreateTopic(CreateTopicError::TopicAlreadyExists(_))) if opts.has("if-not-exists") => {
            return Output::out(stdout);
        }
        Err(e) => return with_prefix(stdout, failed(create_error(&e))),
    }
    session.state.topic_configs.insert(name.clone(), configs);
    // CreateTopics answers once the controller committed the topic; the shell also waits until
    // each leader has applied it, so the picture shows the replicas.
    session.wait_until(5_000, |w| {
        w.metadata().topics.get(&name).is_some_and(|t| {
            !t.partitions.is_empty() && t.partitions.iter().enumerate().all(|(i, p)| leads(w, &name, i, p.leader))
        })
    });
    stdout.push_str(&format!("Created topic {name}.\n"));
    Output::out(stdout)
}

/// Whether `leader` has applied its leadership of `topic`'s partition `index`.
fn leads(world: &kafkalab_engine::World, topic: &str, index: usize, leader: i32) -> bool {
    let tp = kafkalab_engine::protocol::TopicPartition::new(topic, index as i32);
    leader >= 0 && world.broker(leader).is_some_and(|b| b.durable.replicas.get(&tp).is_some_and(|r| r.leader == leader))
}

fn with_prefix(prefix: String, mut output: Output) -> Output {
    output.stdout.insert_str(0, &prefix);
    output
}

/// `--replica-assignment 1:2,2:3`: partitions separated by commas, replicas by colons.
fn parse_assignment(text: &str) -> Result<Vec<Vec<i32>>, String> {
    text.split(',')
        .map(|p| {
            p.split(':')
                .map(|b| b.trim().parse::<i32>().map_err(|_| format!("For input string: \"{}\"", b.trim())))
                .collect()
        })
        .collect()
}

/// The admin client's exception message for a refused CreateTopics.
pub(crate) fn create_error(e: &ActionError) -> String {
    match e {
        ActionError::CreateTopic(CreateTopicError::TopicAlreadyExists(name)) => {
            format!("Topic '{name}' already exists.")
        }
        ActionError::CreateTopic(CreateTopicError::InvalidReplicationFactor {
            replication_factor,
            available_brokers,
        }) => {
            format!(
                "Unable to replicate the partition {replication_factor} time(s): The target replication factor of {replication_factor} cannot be reached because only {available_brokers} broker(s) are registered."
            )
        }
        ActionError::CreateTopic(CreateTopicError::InvalidTopic(_)) => {
            "Topic name is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
                .to_string()
        }
        ActionError::CreateTopic(CreateTopicError::InvalidReplicaAssignment(why)) => why.clone(),
        ActionError::Config(kafkalab_engine::config::ConfigError::UnknownKey { key, .. }) => {
            format!("Unknown topic config name: {key}")
        }
        ActionError::Config(kafkalab_engine::config::ConfigError::InvalidValue { key, value, allowed }) => {
            format!("Invalid value {value} for configuration {key}: {allowed}")
        }
        ActionError::CreateTopic(CreateTopicError::PartitionsNotIncreased { topic, current, requested }) => {
            if current == requested {
                format!("Topic already has {current} partition(s).")
            } else {
                format!("The topic {topic} currently has {current} partition(s); {requested} would not be an increase.")
            }
        }
        ActionError::NoActiveController => "Timed out waiting for a node assignment. Call: createTopics".to_string(),
        other => other.to_string(),
    }
}

/// `alterTopic`: CreatePartitions for every matching topic; Kafka prints nothing on success.
fn alter_partitions(session: &mut Session<'_>, opts: &args::Parsed) -> Output {
    let total = match opts.int("partitions") {
        Ok(Some(n)) => n as i32,
        Ok(None) => return Output::usage_error("Missing required argument \"[partitions]\""),
        Err(e) => return Output::usage_error(e),
    };
    for topic in matching(session, opts) {
        if let Err(e) = session.timeline.apply(Action::CreatePartitions { topic: topic.clone(), total }) {
            return failed(create_error(&e));
        }
        session.wait_until(5_000, |w| {
            w.metadata().topics.get(&topic).is_some_and(|t| {
                t.partitions.len() == total as usize
                    && t.partitions.iter().enumerate().all(|(i, p)| leads(w, &topic, i, p.leader))
            })
        });
    }
    Output::default()
}

fn describe(session: &mut Session<'_>, opts: &args::Parsed) -> Output {
    if let Some(missing) = missing_topic(session, opts) {
        return missing;
    }
    let reports =
        ["under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions"];
    let describe_configs = !reports.iter().any(|r| opts.has(r));
    let world = session.world();
    let live = world.metadata().active_brokers();
    let mut out = String::new();
    for name in matching(session, opts) {
        let Some(topic) = world.metadata().topics.get(&name) else { continue };
        let configs = session.state.topic_configs.get(&name).cloned().unwrap_or_default();
        if opts.has("topics-with-overrides") && configs.is_empty() {
            continue;
        }
        if describe_configs {
            let rf = topic.partitions.first().map_or(0, replication_factor);
            let configs: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!(
                "Topic: {name}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {rf}\tConfigs: {}\n",
                cluster::topic_id(&name),
                topic.partitions.len(),
                configs.join(",")
            ));
        }
        if opts.has("topics-with-overrides") {
            continue;
        }
        let min_isr = topic.config.min_insync_replicas as usize;
        for (i, p) in topic.partitions.iter().enumerate() {
            let has_leader = p.leader >= 0;
            let show = describe_configs
                || (opts.has("under-replicated-partitions") && p.isr.len() < replication_factor(p))
                || (opts.has("under-min-isr-partitions") && (!has_leader || p.isr.len() < min_isr))
                || (opts.has("at-min-isr-partitions") && p.isr.len() == min_isr)
                || (opts.has("unavailable-partitions") && (!has_leader || !live.contains(&p.leader)));
            if !show {
                continue;
            }
            let leader = if has_leader { p.leader.to_string() } else { "none".to_string() };
            let reassignment = if p.is_reassigning() {
                format!(
                    "\tAdding Replicas: {}\tRemoving Replicas: {}",
                    cluster::join(p.adding_replicas()),
                    cluster::join(p.removing_replicas())
                )
            } else {
                String::new()
            };
            out.push_str(&format!(
                "\tTopic: {name}\tPartition: {i}\tLeader: {leader}\tReplicas: {}\tIsr: {}{reassignment}\tElr: {}\tLastKnownElr: {}\n",
                cluster::join(&p.replicas),
                cluster::join(&p.isr),
                cluster::join(&p.elr),
                cluster::join(&p.last_known_elr)
            ));
        }
    }
    Output::out(out)
}

/// `TopicCommand.getReplicationFactor`: during a reassignment the replicas less the adding ones.
fn replication_factor(p: &kafkalab_engine::protocol::metadata::PartitionRegistration) -> usize {
    p.replicas.len() - p.adding_replicas().len()
}
