//! `kafka-topics.sh`. Formats from Kafka's `tools/src/main/java/org/apache/kafka/tools/TopicCommand.java`
//! (apache/kafka trunk 2024-10, the 4.0 line): `createTopic` prints `Created topic X.`;
//! `TopicDescription.printDescription` and `PartitionDescription.printDescription` print the
//! tab-separated describe lines (`Elr:`/`LastKnownElr:` since 3.7); `printException` prefixes
//! failures with `Error while executing topic command : ` on stdout (exit 1);
//! `TopicCommandOptions.checkArgs` and `CommandLineUtils.checkRequiredArgs` (server-common) word
//! the usage errors, printed on stderr (exit 1).

use super::common::{last, script, session_with};
use kafkalab_engine::cluster::timeline::Timeline;
use kafkalab_engine::cluster::{Action, World, WorldConfig};
use kafkalab_tools::{Output, Session};

const CREATE: &str =
    "kafka-topics.sh --create --topic orders --bootstrap-server localhost:9092 --partitions 3 --replication-factor 2\n";

fn stdout(out: &Output) -> &str {
    assert_eq!(out.status, 0, "stderr: {}", out.stderr);
    &out.stdout
}

#[test]
fn create_prints_created_topic() {
    let out = last(CREATE);
    assert_eq!(stdout(&out), "Created topic orders.\n");
    assert_eq!(out.stderr, "");
}

#[test]
fn create_warns_about_colliding_characters() {
    // TopicService.createTopic: Topic.hasCollisionChars ('.' or '_').
    let out = last("kafka-topics.sh --create --topic my_topic --bootstrap-server localhost:9092\n");
    assert_eq!(
        stdout(&out),
        "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\nCreated topic my_topic.\n"
    );
}

#[test]
fn create_errors_are_kafkas() {
    let outs = script(&format!("{CREATE}{CREATE}"));
    assert_eq!(outs[1].stdout, "Error while executing topic command : Topic 'orders' already exists.\n");
    assert_eq!(outs[1].status, 1);
    // --if-not-exists swallows TopicExistsException.
    let outs = script(&format!("{CREATE}{} --if-not-exists\n", CREATE.trim_end()));
    assert_eq!((outs[1].stdout.as_str(), outs[1].status), ("", 0));
    // The KRaft controller's InvalidReplicationFactorException (ReplicationControlManager).
    let out = last("kafka-topics.sh --create --topic t --bootstrap-server localhost:9092 --replication-factor 4\n");
    assert_eq!(
        out.stdout,
        "Error while executing topic command : Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.\n"
    );
    assert_eq!(out.status, 1);
    let out = last("kafka-topics.sh --create --topic t --bootstrap-server localhost:9092 --partitions 0\n");
    assert_eq!(out.stdout, "Error while executing topic command : The partitions must be greater than 0\n");
    let out = last("kafka-topics.sh --create --topic t --bootstrap-server localhost:9092 --replication-factor 0\n");
    assert_eq!(
        out.stdout,
        "Error while executing topic command : The replication factor must be between 1 and 32767 inclusive\n"
    );
    let out = last("kafka-topics.sh --create --topic t --bootstrap-server localhost:9092 --config retention.ms\n");
    assert_eq!(
        out.stdout,
        "Error while executing topic command : requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".\n"
    );
    let out = last("kafka-topics.sh --create --topic t --bootstrap-server localhost:9092 --config no.such=1\n");
    assert_eq!(out.stdout, "Error while executing topic command : Unknown topic config name: no.such\n");
}

#[test]
fn usage_errors_go_to_stderr() {
    let out = last("kafka-topics.sh --create --bootstrap-server localhost:9092\n");
    assert_eq!((out.stderr.as_str(), out.status), ("Missing required argument \"[topic]\"\n", 1));
    let out = last("kafka-topics.sh --create --topic t\n");
    assert_eq!(out.stderr, "--bootstrap-server must be specified\n");
    let out = last("kafka-topics.sh --topic t --bootstrap-server localhost:9092\n");
    assert_eq!(
        out.stderr,
        "Command must include exactly one action: --list, --describe, --create, --alter or --delete\n"
    );
    let out = last("kafka-topics.sh --create --topic t --bootstrap-server localhost:9092 --partitions x\n");
    assert_eq!(out.stderr, "Cannot parse argument 'x' of option partitions\n");
    let out = last("kafka-topics.sh --list --bootstrap-server localhost:9092 --replication-factor 2\n");
    assert_eq!(out.stderr, "Option \"[replication-factor]\" can't be used with option \"[list]\"\n");
    let out = last("kafka-topics.sh --lst --bootstrap-server localhost:9092\n");
    assert_eq!(out.stderr, "lst is not a recognized option\n");
    // jopt-simple accepts an unambiguous prefix of an option.
    let out = last("kafka-topics.sh --list --bootstrap localhost:9092\n");
    assert_eq!(out.status, 0);
}

#[test]
fn list_is_sorted_and_includes_internal_topics() {
    let outs = script(&format!(
        "{CREATE}kafka-topics.sh --create --topic alpha --bootstrap-server localhost:9092\nkafka-topics.sh --list --bootstrap-server localhost:9092\n"
    ));
    assert_eq!(stdout(&outs[2]), "alpha\norders\n");
}

#[test]
fn describe_prints_the_topic_and_each_partition() {
    let (mut session, _) = session_with(CREATE);
    let meta = session.world().metadata().topics["orders"].clone();
    let out =
        session.run_script("kafka-topics.sh --describe --topic orders --bootstrap-server localhost:9092\n").remove(0).1;
    let mut expected = format!(
        "Topic: orders\tTopicId: {}\tPartitionCount: 3\tReplicationFactor: 2\tConfigs: \n",
        kafkalab_tools::topic_id("orders")
    );
    for (i, p) in meta.partitions.iter().enumerate() {
        let join = |ids: &[i32]| ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
        expected.push_str(&format!(
            "\tTopic: orders\tPartition: {i}\tLeader: {}\tReplicas: {}\tIsr: {}\tElr: \tLastKnownElr: \n",
            p.leader,
            join(&p.replicas),
            join(&p.isr)
        ));
    }
    assert_eq!(stdout(&out), expected);
}

#[test]
fn describe_lists_the_configs_given_at_creation() {
    let outs = script(
        "kafka-topics.sh --create --topic c --bootstrap-server localhost:9092 --config cleanup.policy=compact --config min.insync.replicas=1\nkafka-topics.sh --describe --topic c --bootstrap-server localhost:9092\n",
    );
    let first = stdout(&outs[1]).lines().next().unwrap().to_string();
    assert!(first.ends_with("\tConfigs: cleanup.policy=compact,min.insync.replicas=1"), "{first}");
}

#[test]
fn describe_of_a_missing_topic_prints_the_optional() {
    // ensureTopicExists formats an Optional<String>.
    let out = last("kafka-topics.sh --describe --topic nope --bootstrap-server localhost:9092\n");
    assert_eq!(out.stdout, "Error while executing topic command : Topic 'Optional[nope]' does not exist as expected\n");
    assert_eq!(out.status, 1);
    let out = last("kafka-topics.sh --describe --topic nope --if-exists --bootstrap-server localhost:9092\n");
    assert_eq!((out.stdout.as_str(), out.status), ("", 0));
}

#[test]
fn replication_reports_follow_the_cluster() {
    replication_reports_at(0);
}

/// Kafka 4.1+ (`eligible.leader.replicas.version=1`): the replicas that left an ISR below
/// `min.insync.replicas` are listed as `Elr`, the last leader of an empty ISR as `LastKnownElr`.
#[test]
fn replication_reports_list_eligible_leader_replicas() {
    let world = World::new(WorldConfig { brokers: 5, ..WorldConfig::default() }, 1).unwrap();
    let mut session = Session::new(Timeline::new(world, 5_000));
    session.run_script(
        "kafka-topics.sh --create --topic r --bootstrap-server localhost:9092 --replica-assignment 1:4,4:5 --config min.insync.replicas=2\n",
    );
    for broker in [4, 5] {
        session.cluster_mut().apply(Action::KillBroker { broker }).unwrap();
        session.advance(60_000);
    }
    let line = "kafka-topics.sh --describe --bootstrap-server localhost:9092 --topic r --unavailable-partitions\n";
    assert_eq!(
        session.run_script(line).remove(0).1.stdout,
        "\tTopic: r\tPartition: 1\tLeader: none\tReplicas: 4,5\tIsr: \tElr: 4,5\tLastKnownElr: 5\n"
    );
}

/// The reports at a level of `eligible.leader.replicas.version` (0: Kafka 4.0, as the seeds ran).
fn replication_reports_at(elr_version: i16) {
    // Five brokers: the controller quorum (brokers 1..3) survives brokers 4 and 5 dying.
    let mut config = WorldConfig { brokers: 5, ..WorldConfig::default() };
    config.broker.controller.eligible_leader_replicas_version = elr_version;
    let world = World::new(config, 1).unwrap();
    let mut session = Session::new(Timeline::new(world, 5_000));
    session.run_script(
        "kafka-topics.sh --create --topic r --bootstrap-server localhost:9092 --replica-assignment 1:4,4:5 --config min.insync.replicas=2\n",
    );
    let mut report = |flag: &str, kill: Option<i32>| {
        if let Some(broker) = kill {
            session.cluster_mut().apply(Action::KillBroker { broker }).unwrap();
            session.advance(60_000);
        }
        let line = format!("kafka-topics.sh --describe --bootstrap-server localhost:9092 --topic r --{flag}\n");
        session.run_script(&line).remove(0).1.stdout
    };
    assert_eq!(report("under-replicated-partitions", None), "");
    assert_eq!(report("unavailable-partitions", None), "");
    // Partition 0 (replicas 1,4) lost broker 4 from its ISR; partition 1 (4,5) moved its leader to 5.
    let under = report("under-replicated-partitions", Some(4));
    assert_eq!(
        under,
        "\tTopic: r\tPartition: 0\tLeader: 1\tReplicas: 1,4\tIsr: 1\tElr: \tLastKnownElr: \n\tTopic: r\tPartition: 1\tLeader: 5\tReplicas: 4,5\tIsr: 5\tElr: \tLastKnownElr: \n"
    );
    assert_eq!(report("under-min-isr-partitions", None), under);
    assert_eq!(report("at-min-isr-partitions", None), "");
    assert_eq!(
        report("unavailable-partitions", Some(5)),
        "\tTopic: r\tPartition: 1\tLeader: none\tReplicas: 4,5\tIsr: 5\tElr: \tLastKnownElr: \n"
    );
}

#[test]
fn alter_adds_partitions_silently() {
    let outs = script(&format!(
        "{CREATE}kafka-topics.sh --alter --topic orders --partitions 5 --bootstrap-server localhost:9092\nkafka-topics.sh --alter --topic orders --partitions 5 --bootstrap-server localhost:9092\nkafka-topics.sh --alter --topic orders --partitions 2 --bootstrap-server localhost:9092\nkafka-topics.sh --describe --topic orders --bootstrap-server localhost:9092\n"
    ));
    assert_eq!(stdout(&outs[1]), "");
    // ReplicationControlManager.createPartitions' InvalidPartitionsException messages.
    assert_eq!(outs[2].stdout, "Error while executing topic command : Topic already has 5 partition(s).\n");
    assert_eq!(
        outs[3].stdout,
        "Error while executing topic command : The topic orders currently has 5 partition(s); 2 would not be an increase.\n"
    );
    assert!(stdout(&outs[4]).contains("\tPartitionCount: 5\t"));
    let out = last("kafka-topics.sh --alter --topic orders --bootstrap-server localhost:9092\n");
    assert_eq!(out.stderr, "Missing required argument \"[partitions]\"\n");
}

/// `TopicService.deleteTopic` prints nothing on success (Kafka 4.x dropped ZooKeeper's "marked
/// for deletion" lines); `ensureTopicExists` words a missing topic, `--if-exists` swallows it.
#[test]
fn delete_removes_the_topic_silently() {
    let outs = script(&format!(
        "{CREATE}kafka-topics.sh --delete --topic orders --bootstrap-server localhost:9092\n\
         kafka-topics.sh --list --bootstrap-server localhost:9092 --exclude-internal\n\
         kafka-topics.sh --delete --topic orders --bootstrap-server localhost:9092\n\
         kafka-topics.sh --delete --topic orders --bootstrap-server localhost:9092 --if-exists\n"
    ));
    assert_eq!((stdout(&outs[1]), outs[1].stderr.as_str()), ("", ""));
    assert_eq!(stdout(&outs[2]), "\n");
    assert_eq!(
        outs[3].stdout,
        "Error while executing topic command : Topic 'Optional[orders]' does not exist as expected\n"
    );
    assert_eq!(outs[3].status, 1);
    assert_eq!((stdout(&outs[4]), outs[4].stderr.as_str()), ("", ""));
}

/// `--topic` is an `IncludeList` (`TopicFilter`): a regex, commas read as alternatives.
#[test]
fn delete_takes_a_regex_or_a_comma_list() {
    let create = |name: &str| format!("kafka-topics.sh --create --topic {name} --bootstrap-server localhost:9092\n");
    let (session, outs) = session_with(&format!(
        "{}{}{}{}kafka-topics.sh --delete --topic 'a,b' --bootstrap-server localhost:9092\n\
         kafka-topics.sh --delete --topic 'logs-.*' --bootstrap-server localhost:9092\n",
        create("a"),
        create("b"),
        create("logs-1"),
        create("keep")
    ));
    assert_eq!(stdout(&outs[4]), "");
    assert_eq!(stdout(&outs[5]), "");
    let topics: Vec<&String> = session.world().metadata().topics.keys().filter(|t| !t.starts_with("__")).collect();
    assert_eq!(topics, vec!["keep"]);
}

/// Kafka 4.x's controller has no check for internal topics; the simulation refuses them with
/// the message of the ZooKeeper-era `TopicCommand.deleteTopic` (its coordinators do not model
/// losing their topic).
#[test]
fn internal_topics_are_not_deleted() {
    let outs = script(
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic none --group g --timeout-ms 100\n\
         kafka-topics.sh --delete --topic __consumer_offsets --bootstrap-server localhost:9092\n",
    );
    assert_eq!(
        outs[1].stdout,
        "Error while executing topic command : Topic __consumer_offsets is a kafka internal topic and is not allowed to be marked for deletion.\n"
    );
    assert_eq!(outs[1].status, 1);
}
