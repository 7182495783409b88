//! `kafka-leader-election.sh` (Kafka's `LeaderElectionCommand`, KIP-460): PREFERRED or UNCLEAN
//! elections for one partition (`--topic --partition`), the partitions of a JSON file
//! (`--path-to-json-file`, from the terminal session's files), or all (`--all-topic-partitions`).
//!
//! Failures print as Kafka's `mainNoExit`: the exception's message on stderr, exit status 1 (its
//! stack trace is left out).

use crate::args::{flag, with_value, Opt, Parsed};
use crate::{cluster, kafka_json as json, Output, Session};
use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome};
use kafkalab_engine::group::assignor::java::{string_hash, topic_partition_hash, JavaHashSet};
use kafkalab_engine::protocol::{ElectionType, ErrorCode, TopicPartition};

const HELP_TEXT: &str = "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.";

/// `LeaderElectionCommand.LeaderElectionCommandOptions`' option table as Kafka defines it (apache/kafka trunk at 1eb7644, 2024-10-25,
/// 4.0.0-SNAPSHOT): what the parser accepts and what `--help` prints.
const SPEC: &[Opt] = &[
    with_value("admin.config", "Configuration properties files to pass to the admin client").arg("config file"),
    flag("all-topic-partitions", "Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified."),
    with_value("bootstrap-server", "A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given. REQUIRED.").arg("host:port"),
    with_value("election-type", "Type of election to attempt. Possible values are \"preferred\" for preferred leader election or \"unclean\" for unclean leader election. If preferred election is selection, the election is only performed if the current leader is not the preferred leader for the topic partition. If unclean election is selected, the election is only performed if there are no leader for the topic partition. REQUIRED.").arg("election type").of("[PREFERRED,UNCLEAN]"),
    flag("help", "Print usage information."),
    with_value("partition", "Partition id for which to perform an election. REQUIRED if --topic is specified.").arg("partition id").of("Integer"),
    with_value("path-to-json-file", "The JSON file with the list  of partition for which leader elections should be performed. This is an example format. \n{\"partitions\":\n\t[{\"topic\": \"foo\", \"partition\": 1},\n\t {\"topic\": \"foobar\", \"partition\": 2}]\n}\nNot allowed if --all-topic-partitions or --topic flags are specified.").arg("Path to JSON file"),
    with_value("topic", "Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified.").arg("topic name"),
    flag("version", "Display Kafka version."),
];

/// An exception's message on stderr, exit status 1.
fn failure(message: impl Into<String>) -> Output {
    Output::usage_error(message)
}

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    if argv.is_empty() {
        return Output::help(HELP_TEXT, SPEC);
    }
    let opts = match cluster::parse_tool_args(SPEC, argv, HELP_TEXT) {
        Ok(opts) => opts,
        Err(output) => return output,
    };
    if let Err(message) = validate(&opts) {
        return failure(message);
    }
    let election = match opts.value("election-type").map(str::to_ascii_uppercase).as_deref() {
        Some("PREFERRED") => ElectionType::Preferred,
        Some("UNCLEAN") => ElectionType::Unclean,
        other => {
            return failure(format!("Cannot parse argument '{}' of option election-type", other.unwrap_or_default()))
        }
    };
    let partitions = match partitions(session, &opts) {
        Ok(partitions) => partitions,
        Err(message) => return failure(message),
    };
    if let Err(e) = cluster::check_bootstrap(session, opts.value("bootstrap-server").unwrap_or("")) {
        return e;
    }
    elect(session, election, partitions)
}

/// `LeaderElectionCommandOptions.validate`.
fn validate(opts: &Parsed) -> Result<(), String> {
    let missing: Vec<&str> = ["bootstrap-server", "election-type"].into_iter().filter(|o| !opts.has(o)).collect();
    if !missing.is_empty() {
        return Err(format!("Missing required option(s): {}", missing.join(", ")));
    }
    let exclusive = ["topic", "all-topic-partitions", "path-to-json-file"];
    if exclusive.iter().filter(|o| opts.has(o)).count() != 1 {
        return Err(format!("One and only one of the following options is required: {}", exclusive.join(", ")));
    }
    if opts.has("topic") && !opts.has("partition") {
        return Err("Missing required option(s): partition".to_string());
    }
    if !opts.has("topic") && opts.has("partition") {
        return Err("Option partition is only allowed if topic is used".to_string());
    }
    Ok(())
}

/// The partitions asked for: the JSON file's, `--topic`/`--partition`, or None for all.
fn partitions(session: &Session<'_>, opts: &Parsed) -> Result<Option<Vec<TopicPartition>>, String> {
    if let Some(path) = opts.value("path-to-json-file") {
        let text = json::read(session, path).map_err(|p| format!("java.nio.file.NoSuchFileException: {p}"))?;
        return election_data(text).map(Some);
    }
    match (opts.value("topic"), opts.int("partition")?) {
        (Some(topic), Some(partition)) => Ok(Some(vec![TopicPartition::new(topic, partition as i32)])),
        _ => Ok(None),
    }
}

/// `parseReplicaElectionData`: `{"partitions": [{"topic": "foo", "partition": 1}]}`.
fn election_data(text: &str) -> Result<Vec<TopicPartition>, String> {
    let root = json::parse(text).ok_or("Replica election data is empty")?;
    let list = json::object(&root)?.get("partitions").ok_or("Replica election data is missing \"partitions\" field")?;
    let mut partitions = Vec::new();
    for entry in json::array(list)? {
        let entry = json::object(entry)?;
        let topic = json::string(json::field(entry, "topic")?)?;
        let partition = json::int(json::field(entry, "partition")?)?;
        partitions.push(TopicPartition::new(topic, partition));
    }
    let duplicates = java_set(partitions.iter().filter(|tp| partitions.iter().filter(|o| o == tp).count() > 1));
    if !duplicates.is_empty() {
        return Err(format!("Replica election data contains duplicate partitions: [{}]", duplicates.join(", ")));
    }
    Ok(partitions)
}

/// The partitions as a Java `HashSet<TopicPartition>` iterates them, as strings.
fn java_set<'a>(partitions: impl Iterator<Item = &'a TopicPartition>) -> Vec<String> {
    let mut set = JavaHashSet::new();
    for tp in partitions {
        set.insert(tp, topic_partition_hash(string_hash(&tp.topic), tp.partition));
    }
    set.iter_order().into_iter().map(ToString::to_string).collect()
}

/// The exception class the admin client raises for an ElectLeaders error.
fn exception(error: ErrorCode) -> &'static str {
    match error {
        ErrorCode::PreferredLeaderNotAvailable => "PreferredLeaderNotAvailableException",
        ErrorCode::EligibleLeadersNotAvailable => "EligibleLeadersNotAvailableException",
        ErrorCode::UnknownTopicOrPartition => "UnknownTopicOrPartitionException",
        ErrorCode::NotController => "NotControllerException",
        _ => "UnknownServerException",
    }
}

/// `electLeaders`: the partitions that got a leader, those that needed none, and one line per
/// failure, each group in Java's `HashSet` order.
fn elect(session: &mut Session<'_>, election: ElectionType, partitions: Option<Vec<TopicPartition>>) -> Output {
    let results = match session.timeline.apply(Action::ElectLeaders { election, partitions }) {
        Ok(ActionOutcome::PartitionResults { results }) => results,
        Ok(_) => Vec::new(),
        Err(ActionError::NoActiveController) => {
            let message = "Timeout waiting for election results";
            return Output { stdout: format!("{message}\n"), stderr: format!("{message}\n"), status: 1 };
        }
        Err(e) => return failure(e.to_string()),
    };
    let mut stdout = String::new();
    let succeeded = java_set(results.iter().filter(|r| r.error == ErrorCode::None).map(|r| &r.topic_partition));
    if !succeeded.is_empty() {
        stdout.push_str(&format!(
            "Successfully completed leader election ({election}) for partitions {}\n",
            succeeded.join(", ")
        ));
    }
    let noop = java_set(results.iter().filter(|r| r.error == ErrorCode::ElectionNotNeeded).map(|r| &r.topic_partition));
    if !noop.is_empty() {
        stdout.push_str(&format!("Valid replica already elected for partitions {}\n", noop.join(", ")));
    }
    let failed: Vec<_> =
        results.iter().filter(|r| !matches!(r.error, ErrorCode::None | ErrorCode::ElectionNotNeeded)).collect();
    let order = java_set(failed.iter().map(|r| &r.topic_partition));
    for tp in &order {
        if let Some(r) = failed.iter().find(|r| &r.topic_partition.to_string() == tp) {
            stdout.push_str(&format!(
                "Error completing leader election ({election}) for partition: {tp}: org.apache.kafka.common.errors.{}: {}\n",
                exception(r.error),
                r.message
            ));
        }
    }
    if failed.is_empty() {
        return Output::out(stdout);
    }
    Output { stdout, stderr: format!("{} replica(s) could not be elected\n", failed.len()), status: 1 }
}
