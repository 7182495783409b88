//! `kafka-reassign-partitions.sh` (Kafka's `ReassignPartitionsCommand`, KIP-455): `--generate` a
//! candidate assignment, `--execute` it (AlterPartitionReassignments), `--verify` and `--list`
//! the reassignments, `--cancel` them. JSON files come from the terminal session's files.
//!
//! Failures print as Kafka's `main` does, on stdout with exit status 1: a `TerseException` as its
//! message alone, anything else as `Error: MESSAGE` followed by the exception (the first line of
//! `Utils.stackTrace`; the stack frames are left out).

use crate::args::{flag, with_value, Opt, Parsed};
use crate::{cluster, kafka_json as json, Output, Session};
use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome};
use kafkalab_engine::group::assignor::java::{string_hash, JavaHashSet};
use kafkalab_engine::protocol::{ErrorCode, TopicPartition};
use std::collections::{BTreeMap, BTreeSet};

const HELP_TEXT: &str = "This tool helps to move topic partitions between replicas.";

/// `ReassignPartitionsCommandOptions`' option table as Kafka defines it (apache/kafka trunk at 1eb7644, 2024-10-25,
/// 4.0.0-SNAPSHOT): what the parser accepts and what `--help` prints.
const SPEC: &[Opt] = &[
    flag("additional", "Execute this reassignment in addition to any other ongoing ones. This option can also be used to change the throttle of an ongoing reassignment."),
    with_value("bootstrap-controller", "The controller to use for reassignment. By default, the tool will get the quorum controller. This option supports the actions --cancel and --list.").optional().arg("bootstrap controller to connect to"),
    with_value("bootstrap-server", "the server(s) to use for bootstrapping.").optional().arg("Server(s) to use for bootstrapping"),
    with_value("broker-list", "The list of brokers to which the partitions need to be reassigned in the form \"0,1,2\". This is required if --topics-to-move-json-file is used to generate reassignment configuration").arg("brokerlist"),
    flag("cancel", "Cancel an active reassignment."),
    with_value("command-config", "Property file containing configs to be passed to Admin Client.").arg("Admin client property file"),
    flag("disable-rack-aware", "Disable rack aware replica assignment"),
    flag("execute", "Kick off the reassignment as specified by the --reassignment-json-file option."),
    flag("generate", "Generate a candidate partition reassignment configuration. Note that this only generates a candidate assignment, it does not execute it."),
    flag("help", "Print usage information."),
    flag("list", "List all active partition reassignments."),
    flag("preserve-throttles", "Do not modify broker or topic throttles."),
    with_value("reassignment-json-file", "The JSON file with the partition reassignment configurationThe format to use is - \n{\"partitions\":\n\t[{\"topic\": \"foo\",\n\t  \"partition\": 1,\n\t  \"replicas\": [1,2,3],\n\t  \"log_dirs\": [\"dir1\",\"dir2\",\"dir3\"] }],\n\"version\":1\n}\nNote that \"log_dirs\" is optional. When it is specified, its length must equal the length of the replicas list. The value in this list can be either \"any\" or the absolution path of the log directory on the broker. If absolute log directory path is specified, the replica will be moved to the specified log directory on the broker.").arg("manual assignment json file path"),
    with_value("replica-alter-log-dirs-throttle", "The movement of replicas between log directories on the same broker will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s.").arg("replicaAlterLogDirsThrottle").of("Long").default("-1"),
    with_value("throttle", "The movement of partitions between brokers will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s.").arg("throttle").of("Long").default("-1"),
    with_value("timeout", "The maximum time in ms to wait for log directory replica assignment to begin.").arg("timeout").of("Long").default("10000"),
    with_value("topics-to-move-json-file", "Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers specified by the --broker-list option. The format to use is - \n{\"topics\":\n\t[{\"topic\": \"foo\"},{\"topic\": \"foo1\"}],\n\"version\":1\n}").arg("topics to reassign json file path"),
    flag("verify", "Verify if the reassignment completed as specified by the --reassignment-json-file option. If there is a throttle engaged for the replicas specified, and the rebalance has completed, the throttle will be removed"),
    flag("version", "Display Kafka version."),
];

const ACTIONS: [&str; 5] = ["generate", "execute", "verify", "cancel", "list"];

/// `validateAndParseArgs`: each action's required and permitted options.
fn required(action: &str) -> &'static [&'static str] {
    match action {
        "verify" | "execute" | "cancel" => &["reassignment-json-file"],
        "generate" => &["topics-to-move-json-file", "broker-list"],
        _ => &[],
    }
}

fn permitted(action: &str, bootstrap: &'static str) -> Vec<&'static str> {
    match action {
        "verify" => vec!["bootstrap-server", "command-config", "preserve-throttles"],
        "generate" => vec!["bootstrap-server", "broker-list", "command-config", "disable-rack-aware"],
        "execute" => vec![
            "additional",
            "bootstrap-server",
            "command-config",
            "throttle",
            "replica-alter-log-dirs-throttle",
            "timeout",
        ],
        "cancel" => vec![bootstrap, "command-config", "preserve-throttles", "timeout"],
        _ => vec![bootstrap, "command-config"],
    }
}

/// A failure that is not a `TerseException`: `Error: MESSAGE`, then the exception's line.
fn error(exception: &str, message: &str) -> Output {
    Output { stdout: format!("Error: {message}\n{exception}: {message}\n"), status: 1, ..Default::default() }
}

/// A `TerseException`: its message only.
fn terse(message: String) -> Output {
    Output { stdout: format!("{message}\n"), status: 1, ..Default::default() }
}

const ADMIN_COMMAND_FAILED: &str = "org.apache.kafka.server.common.AdminCommandFailedException";
const ADMIN_OPERATION: &str = "org.apache.kafka.server.common.AdminOperationException";
const JSON_MAPPING: &str = "com.fasterxml.jackson.databind.JsonMappingException";

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    if argv.is_empty() {
        return Output::help(HELP_TEXT, SPEC);
    }
    let opts = match cluster::parse_tool_args(SPEC, argv, HELP_TEXT) {
        Ok(opts) => opts,
        Err(output) => return output,
    };
    let actions: Vec<&str> = ACTIONS.into_iter().filter(|a| opts.has(a)).collect();
    let [action] = actions[..] else {
        return Output::usage_error(
            "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list",
        );
    };
    let bootstrap = match (opts.has("bootstrap-server"), opts.has("bootstrap-controller")) {
        (true, true) => {
            return Output::usage_error("Please don't specify both --bootstrap-server and --bootstrap-controller")
        }
        (false, false) => {
            return Output::usage_error("Please specify either --bootstrap-server or --bootstrap-controller")
        }
        (true, false) => "bootstrap-server",
        (false, true) => "bootstrap-controller",
    };
    if let Some(missing) = required(action).iter().find(|o| !opts.has(o)) {
        return Output::usage_error(format!("Missing required argument \"[{missing}]\""));
    }
    let allowed = permitted(action, bootstrap);
    if let Some(other) = SPEC
        .iter()
        .map(|o| o.name)
        .find(|o| opts.has(o) && *o != action && !required(action).contains(o) && !allowed.contains(o))
    {
        return Output::usage_error(format!("Option \"[{other}]\" can't be used with action \"[{action}]\""));
    }
    if let Err(e) = cluster::check_bootstrap(session, opts.value(bootstrap).unwrap_or("")) {
        return e;
    }
    match action {
        "list" => Output::out(format!("{}\n", current_reassignments(session))),
        "generate" => generate(session, &opts),
        "execute" => execute(session, &opts),
        "verify" => verify(session, &opts),
        _ => cancel(session, &opts),
    }
}

/// A partition's ongoing reassignment: all its replicas, the adding ones, the removing ones.
type Ongoing = (Vec<i32>, Vec<i32>, Vec<i32>);

/// The partitions being reassigned, from the controller's metadata (ListPartitionReassignments).
fn reassignments(session: &Session<'_>) -> BTreeMap<TopicPartition, Ongoing> {
    session
        .world()
        .metadata()
        .partitions()
        .filter(|(_, p)| p.is_reassigning())
        .map(|(tp, p)| (tp, (p.replicas.clone(), p.adding_replicas().to_vec(), p.removing_replicas().to_vec())))
        .collect()
}

/// `curReassignmentsToString`.
fn current_reassignments(session: &Session<'_>) -> String {
    let lines: Vec<String> = reassignments(session)
        .into_iter()
        .map(|(tp, (replicas, adding, removing))| {
            let adding =
                if adding.is_empty() { String::new() } else { format!(" adding: {}.", cluster::join(&adding)) };
            let removing =
                if removing.is_empty() { String::new() } else { format!(" removing: {}.", cluster::join(&removing)) };
            format!("{tp}: replicas: {}.{adding}{removing}", cluster::join(&replicas))
        })
        .collect();
    if lines.is_empty() {
        "No partition reassignments found.".to_string()
    } else {
        format!("Current partition reassignments:\n{}", lines.join("\n"))
    }
}

/// `formatAsReassignmentJson` (Jackson, no spaces), partitions by topic then partition.
pub fn reassignment_json(parts: &BTreeMap<TopicPartition, Vec<i32>>) -> String {
    let partitions: Vec<String> = parts
        .iter()
        .map(|(tp, replicas)| {
            let ids: Vec<String> = replicas.iter().map(i32::to_string).collect();
            let dirs: Vec<&str> = replicas.iter().map(|_| "\"any\"").collect();
            format!(
                "{{\"topic\":{},\"partition\":{},\"replicas\":[{}],\"log_dirs\":[{}]}}",
                json::quote(&tp.topic),
                tp.partition,
                ids.join(","),
                dirs.join(",")
            )
        })
        .collect();
    format!("{{\"version\":1,\"partitions\":[{}]}}", partitions.join(","))
}

/// A parsed reassignment file: each partition's target replicas, in file order.
type Targets = Vec<(TopicPartition, Vec<i32>)>;

/// Reads `--reassignment-json-file` (`parsePartitionReassignmentData`, version 1). `log_dirs`
/// other than `any` would move replicas between a broker's log directories: not simulated.
fn read_targets(session: &Session<'_>, opts: &Parsed) -> Result<Targets, Output> {
    let path = opts.value("reassignment-json-file").unwrap_or("");
    let text = json::read(session, path).map_err(|p| error("java.nio.file.NoSuchFileException", &p))?;
    let root: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let cause = format!("com.fasterxml.jackson.core.JsonParseException: {e}");
        error(ADMIN_OPERATION, &cause)
    })?;
    let mapping = |m: String| error(JSON_MAPPING, &m);
    let fields = json::object(&root).map_err(mapping)?;
    let version = fields.get("version").map(json::int).transpose().map_err(mapping)?.unwrap_or(1);
    if version != 1 {
        return Err(error(ADMIN_OPERATION, &format!("Not supported version field value {version}")));
    }
    let mut targets = Vec::new();
    let mut moves_dirs = false;
    if let Some(partitions) = fields.get("partitions") {
        for entry in json::array(partitions).map_err(mapping)? {
            let entry = json::object(entry).map_err(mapping)?;
            let topic = json::field(entry, "topic").and_then(json::string).map_err(mapping)?;
            let partition = json::field(entry, "partition").and_then(json::int).map_err(mapping)?;
            let replicas = json::field(entry, "replicas").and_then(json::int_list).map_err(mapping)?;
            let tp = TopicPartition::new(topic, partition);
            if let Some(dirs) = entry.get("log_dirs") {
                let dirs = json::string_list(dirs).map_err(mapping)?;
                if dirs.len() != replicas.len() {
                    let list = |v: Vec<String>| format!("[{}]", v.join(", "));
                    return Err(error(
                        ADMIN_COMMAND_FAILED,
                        &format!(
                            "Size of replicas list {} is different from size of log dirs list {} for partition {tp}",
                            list(replicas.iter().map(i32::to_string).collect()),
                            list(dirs)
                        ),
                    ));
                }
                moves_dirs |= dirs.iter().any(|d| d != "any");
            }
            targets.push((tp, replicas));
        }
    }
    if moves_dirs {
        return Err(cluster::not_simulated(
            "moving replicas between log directories (\"log_dirs\" other than \"any\")",
        ));
    }
    Ok(targets)
}

/// A Java `Set`'s `toString` of the entries seen more than once (`ToolsUtils.duplicates`).
fn duplicates<T: Ord + Clone + std::fmt::Display>(items: &[T]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let dups: BTreeSet<T> = items.iter().filter(|i| !seen.insert((*i).clone())).cloned().collect();
    dups.iter().map(ToString::to_string).collect()
}

/// `parseExecuteAssignmentArgs`: the checks before anything is asked of the cluster.
fn check_targets(targets: &Targets) -> Result<(), Output> {
    if targets.is_empty() {
        return Err(error(ADMIN_COMMAND_FAILED, "Partition reassignment list cannot be empty"));
    }
    if targets.iter().any(|(_, r)| r.is_empty()) {
        return Err(error(ADMIN_COMMAND_FAILED, "Partition replica list cannot be empty"));
    }
    let parts: Vec<TopicPartition> = targets.iter().map(|(tp, _)| tp.clone()).collect();
    let dup_parts = duplicates(&parts);
    if !dup_parts.is_empty() {
        return Err(error(
            ADMIN_COMMAND_FAILED,
            &format!("Partition reassignment contains duplicate topic partitions: {}", dup_parts.join(",")),
        ));
    }
    let dup_replicas: Vec<String> = targets
        .iter()
        .filter_map(|(tp, r)| {
            let d = duplicates(r);
            (!d.is_empty()).then(|| format!("{tp} contains multiple entries for {}", d.join(",")))
        })
        .collect();
    if !dup_replicas.is_empty() {
        return Err(error(
            ADMIN_COMMAND_FAILED,
            &format!("Partition replica lists may not contain duplicate entries: {}", dup_replicas.join(". ")),
        ));
    }
    Ok(())
}

/// `describeCluster().nodes()`: the brokers that are registered and not fenced.
fn live_brokers(session: &Session<'_>) -> Vec<i32> {
    session.world().metadata().brokers.iter().filter(|(_, b)| !b.fenced).map(|(id, _)| *id).collect()
}

/// Each partition's replicas now (`describeTopics`); an unknown topic fails as Kafka's
/// `ExecutionException` around `UnknownTopicOrPartitionException`.
fn current_assignment(session: &Session<'_>, topics: &[&str]) -> Result<BTreeMap<TopicPartition, Vec<i32>>, Output> {
    let metadata = session.world().metadata();
    let mut current = BTreeMap::new();
    for topic in topics {
        let Some(t) = metadata.topics.get(*topic) else {
            let cause =
                format!("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic {topic} not found.");
            return Err(error("java.util.concurrent.ExecutionException", &cause));
        };
        for (i, p) in t.partitions.iter().enumerate() {
            current.insert(TopicPartition::new(topic.to_string(), i as i32), p.replicas.clone());
        }
    }
    Ok(current)
}

/// `--generate`: the current assignment of the topics and a proposal over the listed brokers.
fn generate(session: &mut Session<'_>, opts: &Parsed) -> Output {
    let path = opts.value("topics-to-move-json-file").unwrap_or("");
    let text = match json::read(session, path) {
        Ok(text) => text,
        Err(p) => return error("java.nio.file.NoSuchFileException", &p),
    };
    let list = opts.value("broker-list").unwrap_or("");
    let mut brokers = Vec::new();
    for b in list.split(',') {
        match b.parse::<i32>() {
            Ok(b) => brokers.push(b),
            Err(_) => return error("java.lang.NumberFormatException", &format!("For input string: \"{b}\"")),
        }
    }
    let dup_brokers = duplicates(&brokers);
    if !dup_brokers.is_empty() {
        return error(
            ADMIN_COMMAND_FAILED,
            &format!("Broker list contains duplicate entries: [{}]", dup_brokers.join(", ")),
        );
    }
    let topics = match topics_to_move(text) {
        Ok(topics) => topics,
        Err(output) => return output,
    };
    let dup_topics = duplicates(&topics);
    if !dup_topics.is_empty() {
        return error(
            ADMIN_COMMAND_FAILED,
            &format!("List of topics to reassign contains duplicate entries: [{}]", dup_topics.join(", ")),
        );
    }
    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
    let current = match current_assignment(session, &names) {
        Ok(current) => current,
        Err(output) => return output,
    };
    let live = live_brokers(session);
    let chosen: Vec<i32> = live.into_iter().filter(|b| brokers.contains(b)).collect();
    let metadata = session.world().metadata();
    let with_rack = chosen.iter().filter(|b| metadata.racks.contains_key(b)).count();
    if !opts.has("disable-rack-aware") && with_rack != 0 && with_rack != chosen.len() {
        return error(
            ADMIN_OPERATION,
            "Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.",
        );
    }
    let mut proposed = BTreeMap::new();
    for topic in &names {
        let partitions: Vec<&TopicPartition> = current.keys().filter(|tp| tp.topic == *topic).collect();
        let rf = partitions.first().map_or(0, |tp| current[*tp].len());
        if rf > chosen.len() {
            return error(
                "org.apache.kafka.common.errors.InvalidReplicationFactorException",
                &format!("Replication factor: {rf} larger than available brokers: {}.", chosen.len()),
            );
        }
        for (p, replicas) in assign_rack_unaware(&chosen, partitions.len(), rf).into_iter().enumerate() {
            proposed.insert(TopicPartition::new(topic.to_string(), p as i32), replicas);
        }
    }
    Output::out(format!(
        "Current partition replica assignment\n{}\n\nProposed partition reassignment configuration\n{}\n",
        reassignment_json(&current),
        reassignment_json(&proposed)
    ))
}

/// `parseTopicsData` (version 1): the `topic` of each entry of `topics`.
fn topics_to_move(text: &str) -> Result<Vec<String>, Output> {
    let Some(root) = json::parse(text) else {
        return Err(error(ADMIN_OPERATION, "The input string is not a valid JSON"));
    };
    let mapping = |m: String| error(JSON_MAPPING, &m);
    let fields = json::object(&root).map_err(mapping)?;
    let version = fields.get("version").map(json::int).transpose().map_err(mapping)?.unwrap_or(1);
    if version != 1 {
        return Err(error(ADMIN_OPERATION, &format!("Not supported version field value {version}")));
    }
    let Some(topics) = fields.get("topics") else { return Ok(Vec::new()) };
    json::array(topics)
        .map_err(mapping)?
        .iter()
        .map(|t| json::object(t).and_then(|t| json::field(t, "topic")).and_then(json::string).map_err(mapping))
        .collect()
}

/// `AdminUtils.assignReplicasToBrokersRackUnaware` over the brokers in id order. Kafka draws the
/// start index and the replica shift at random; the simulation takes 0 for both, so a proposal
/// can be reproduced (any of Kafka's proposals is as valid).
fn assign_rack_unaware(brokers: &[i32], partitions: usize, replication_factor: usize) -> Vec<Vec<i32>> {
    let n = brokers.len();
    let mut shift = 0;
    (0..partitions)
        .map(|p| {
            if p > 0 && p % n == 0 {
                shift += 1;
            }
            let first = p % n;
            let mut replicas = vec![brokers[first]];
            for j in 0..replication_factor.saturating_sub(1) {
                replicas.push(brokers[(first + 1 + (shift + j) % (n - 1)) % n]);
            }
            replicas
        })
        .collect()
}

/// `--execute`: prints the current assignment (to save for a rollback), then starts every
/// reassignment of the file.
fn execute(session: &mut Session<'_>, opts: &Parsed) -> Output {
    let targets = match read_targets(session, opts).and_then(|t| check_targets(&t).map(|_| t)) {
        Ok(targets) => targets,
        Err(output) => return output,
    };
    if !opts.has("additional") && !reassignments(session).is_empty() {
        return terse("Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.".to_string());
    }
    for throttle in ["throttle", "replica-alter-log-dirs-throttle"] {
        match opts.long(throttle) {
            Err(e) => return Output::usage_error(e),
            Ok(Some(rate)) if rate >= 0 => {
                return cluster::not_simulated(&format!(
                    "kafka-reassign-partitions --{throttle} (replication throttles)"
                ))
            }
            Ok(_) => {}
        }
    }
    let live = live_brokers(session);
    let mut wanted = BTreeSet::new();
    targets.iter().for_each(|(_, r)| wanted.extend(r.iter().copied()));
    if let Some(unknown) = wanted.iter().find(|b| !live.contains(b)) {
        return error(ADMIN_COMMAND_FAILED, &format!("Unknown broker id {unknown}"));
    }
    let mut topics: Vec<&str> = targets.iter().map(|(tp, _)| tp.topic.as_str()).collect();
    topics.dedup();
    let current = match current_assignment(session, &topics) {
        Ok(current) => current,
        Err(output) => return output,
    };
    if let Some((tp, _)) = targets.iter().find(|(tp, _)| !current.contains_key(tp)) {
        let cause =
            format!("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: {tp}");
        return error("java.util.concurrent.ExecutionException", &cause);
    }
    let rollback: BTreeMap<TopicPartition, Vec<i32>> =
        current.into_iter().filter(|(tp, _)| targets.iter().any(|(t, _)| t == tp)).collect();
    let mut stdout = format!(
        "Current partition replica assignment\n\n{}\n\nSave this to use as the --reassignment-json-file option during rollback\n",
        reassignment_json(&rollback)
    );
    let requests = targets.iter().map(|(tp, r)| (tp.clone(), Some(r.clone()))).collect();
    let results = match alter(session, requests) {
        Ok(results) => results,
        Err(output) => return output,
    };
    let failed = failures(&results);
    if !failed.is_empty() {
        stdout.push_str(&format!("Error reassigning partition(s):\n{}\n", failed.join("\n")));
        return Output { stdout, status: 1, ..Default::default() };
    }
    let parts: Vec<String> = results.keys().map(ToString::to_string).collect();
    let s = if parts.len() == 1 { "" } else { "s" };
    stdout.push_str(&format!("Successfully started partition reassignment{s} for {}\n", parts.join(",")));
    Output::out(stdout)
}

/// AlterPartitionReassignments: each partition's error message, if it failed, by partition.
/// `tp: message` for each partition the controller refused.
fn failures(results: &BTreeMap<TopicPartition, Option<String>>) -> Vec<String> {
    results.iter().filter_map(|(tp, e)| e.as_ref().map(|e| format!("{tp}: {e}"))).collect()
}

fn alter(
    session: &mut Session<'_>,
    requests: Vec<(TopicPartition, Option<Vec<i32>>)>,
) -> Result<BTreeMap<TopicPartition, Option<String>>, Output> {
    match session.timeline.apply(Action::AlterPartitionReassignments { reassignments: requests }) {
        Ok(ActionOutcome::PartitionResults { results }) => Ok(results
            .into_iter()
            .map(|r| (r.topic_partition, (r.error != ErrorCode::None).then_some(r.message)))
            .collect()),
        Ok(_) => Ok(BTreeMap::new()),
        Err(ActionError::NoActiveController) => Err(error(
            "org.apache.kafka.common.errors.TimeoutException",
            "Timed out waiting for a node assignment. Call: alterPartitionReassignments",
        )),
        Err(e) => Err(error("org.apache.kafka.common.errors.UnknownServerException", &e.to_string())),
    }
}

/// `--verify`: each partition's state, then (when nothing is moving any more) the throttles
/// cleared, as `verifyAssignment` and `clearAllThrottles` print them.
fn verify(session: &mut Session<'_>, opts: &Parsed) -> Output {
    let targets = match read_targets(session, opts) {
        Ok(targets) => targets,
        Err(output) => return output,
    };
    let ongoing = reassignments(session);
    let metadata = session.world().metadata();
    let mut lines = vec!["Status of partition reassignment:".to_string()];
    let mut sorted: Vec<&(TopicPartition, Vec<i32>)> = targets.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (tp, target) in sorted {
        if ongoing.contains_key(tp) {
            lines.push(format!("Reassignment of partition {tp} is still in progress."));
            continue;
        }
        let current = metadata.partition(tp).map(|p| p.replicas.clone()).unwrap_or_default();
        if &current == target {
            lines.push(format!("Reassignment of partition {tp} is completed."));
        } else {
            lines.push(format!(
                "There is no active reassignment of partition {tp}, but replica set is {} rather than {}.",
                cluster::join(&current),
                cluster::join(target)
            ));
        }
    }
    // The replica log-directory moves of the file: none (`log_dirs` is always "any" here).
    let mut stdout = format!("{}\n\n", lines.join("\n"));
    if ongoing.is_empty() && !opts.has("preserve-throttles") {
        stdout.push_str(&clear_throttles(session, &targets));
    }
    Output::out(stdout)
}

/// `clearAllThrottles`: the brokers (live ones and the file's) and topics whose throttles it
/// removes, as Java's `HashSet`s iterate them.
fn clear_throttles(session: &Session<'_>, targets: &Targets) -> String {
    let mut brokers: BTreeSet<i32> = live_brokers(session).into_iter().collect();
    targets.iter().for_each(|(_, r)| brokers.extend(r.iter().copied()));
    let mut topics = JavaHashSet::new();
    for (tp, _) in targets {
        topics.insert(tp.topic.as_str(), string_hash(&tp.topic));
    }
    let topics: Vec<&str> = topics.iter_order().into_iter().copied().collect();
    let brokers: Vec<i32> = brokers.into_iter().collect();
    format!(
        "Clearing broker-level throttles on broker{} {}\nClearing topic-level throttles on topic{} {}\n",
        if brokers.len() == 1 { "" } else { "s" },
        cluster::join(&brokers),
        if topics.len() == 1 { "" } else { "s" },
        topics.join(",")
    )
}

/// `--cancel`: cancels the file's partitions that are still reassigning, then clears throttles.
/// (Kafka prints "None of the specified partition moves are active." without a line break.)
fn cancel(session: &mut Session<'_>, opts: &Parsed) -> Output {
    let targets = match read_targets(session, opts) {
        Ok(targets) => targets,
        Err(output) => return output,
    };
    let ongoing = reassignments(session);
    let cancelling: Vec<TopicPartition> = ongoing
        .iter()
        .filter(|(tp, (_, adding, removing))| {
            targets.iter().any(|(t, _)| t == *tp) && (adding.is_empty() || !removing.is_empty())
        })
        .map(|(tp, _)| tp.clone())
        .collect();
    let mut stdout = String::new();
    if cancelling.is_empty() {
        stdout.push_str("None of the specified partition reassignments are active.\n");
    } else {
        let failed = match alter(session, cancelling.iter().map(|tp| (tp.clone(), None)).collect()) {
            Ok(results) => failures(&results),
            Err(output) => return output,
        };
        if !failed.is_empty() {
            let s = if failed.len() == 1 { "" } else { "s" };
            return terse(format!("Error cancelling partition reassignment{s} for:\n{}", failed.join("\n")));
        }
        let parts: Vec<String> = cancelling.iter().map(ToString::to_string).collect();
        let s = if parts.len() == 1 { "" } else { "s" };
        stdout.push_str(&format!("Successfully cancelled partition reassignment{s} for: {}\n", parts.join(",")));
    }
    stdout.push_str("None of the specified partition moves are active.");
    if !opts.has("preserve-throttles") {
        stdout.push_str(&clear_throttles(session, &targets));
    } else {
        stdout.push('\n');
    }
    Output::out(stdout)
}
