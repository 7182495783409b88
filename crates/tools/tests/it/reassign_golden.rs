//! `kafka-reassign-partitions.sh` and `kafka-leader-election.sh`. Formats from Kafka's
//! `tools/src/main/java/org/apache/kafka/tools/reassign/ReassignPartitionsCommand.java` (apache/kafka
//! trunk 2024-09, the 4.0 line): `currentPartitionReplicaAssignmentToString` and
//! `formatAsReassignmentJson` (Jackson, no spaces) for `--execute` and `--generate`,
//! `partitionReassignmentStatesToString` and `clearAllThrottles` for `--verify`,
//! `curReassignmentsToString` for `--list`, `cancelAssignment`; `validateAndParseArgs` for the
//! usage errors; `main` prints failures on stdout as `Error: ` + message (TerseException: the
//! message alone). And `tools/src/main/java/org/apache/kafka/tools/LeaderElectionCommand.java`:
//! `electLeaders` prints the succeeded, no-op and failed partitions; `mainNoExit` prints an
//! exception's message on stderr. `TopicCommand.PartitionDescription.printDescription` adds
//! `Adding Replicas:`/`Removing Replicas:` while a reassignment runs.

use kafkalab_engine::cluster::timeline::Timeline;
use kafkalab_engine::cluster::{World, WorldConfig};
use kafkalab_tools::{Output, Session};

const BOOT: &str = "--bootstrap-server localhost:9092";

/// Four brokers, topic `orders` with one partition on brokers 1, 2, 3 (leader 1), and the file
/// `reassign.json` moving it to 2, 3, 4, written as Kafka's documentation shows.
fn four_brokers() -> Session<'static> {
    let world = World::new(WorldConfig { brokers: 4, ..WorldConfig::default() }, 1).unwrap();
    let mut session = Session::new(Timeline::new(world, 5_000));
    session.advance(3_000);
    let outs = run(
        &mut session,
        &format!(
            "kafka-topics.sh --create --topic orders --replica-assignment 1:2:3 {BOOT}\n\
             cat > reassign.json <<EOF\n\
             {{\"version\":1,\n  \"partitions\":[{{\"topic\":\"orders\",\"partition\":0,\"replicas\":[2,3,4]}}]\n}}\n\
             EOF\n"
        ),
    );
    assert_eq!(outs[0].stdout, "Created topic orders.\n");
    assert_eq!(outs[1], Output::default(), "cat > FILE prints nothing");
    session
}

fn run(session: &mut Session<'_>, text: &str) -> Vec<Output> {
    session.run_script(text).into_iter().map(|(_, o)| o).collect()
}

fn one(session: &mut Session<'_>, line: &str) -> Output {
    run(session, &format!("{line}\n")).pop().unwrap()
}

#[test]
fn execute_list_verify_and_describe_follow_a_reassignment_to_its_end() {
    let mut s = four_brokers();
    let out =
        one(&mut s, &format!("kafka-reassign-partitions.sh {BOOT} --reassignment-json-file reassign.json --execute"));
    assert_eq!(
        (out.stdout.as_str(), out.status),
        (
            "Current partition replica assignment\n\n\
             {\"version\":1,\"partitions\":[{\"topic\":\"orders\",\"partition\":0,\"replicas\":[1,2,3],\"log_dirs\":[\"any\",\"any\",\"any\"]}]}\n\n\
             Save this to use as the --reassignment-json-file option during rollback\n\
             Successfully started partition reassignment for orders-0\n",
            0
        )
    );
    let out = one(&mut s, &format!("kafka-reassign-partitions.sh {BOOT} --list"));
    assert_eq!(out.stdout, "Current partition reassignments:\norders-0: replicas: 2,3,4,1. adding: 4. removing: 1.\n");
    let out = one(&mut s, &format!("kafka-topics.sh {BOOT} --describe --topic orders"));
    assert!(
        out.stdout.contains("\tReplicas: 2,3,4,1\tIsr: 1,2,3\tAdding Replicas: 4\tRemoving Replicas: 1\tElr: \t"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("ReplicationFactor: 3\t"), "{}", out.stdout);
    let verify = format!("kafka-reassign-partitions.sh {BOOT} --reassignment-json-file reassign.json --verify");
    let out = one(&mut s, &verify);
    assert_eq!(
        out.stdout,
        "Status of partition reassignment:\nReassignment of partition orders-0 is still in progress.\n\n"
    );
    let again =
        one(&mut s, &format!("kafka-reassign-partitions.sh {BOOT} --reassignment-json-file reassign.json --execute"));
    assert_eq!(
        (again.stdout.as_str(), again.status),
        ("Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.\n", 1)
    );
    s.advance(5_000);
    let out = one(&mut s, &verify);
    assert_eq!(
        out.stdout,
        "Status of partition reassignment:\nReassignment of partition orders-0 is completed.\n\n\
         Clearing broker-level throttles on brokers 1,2,3,4\nClearing topic-level throttles on topic orders\n"
    );
    let out = one(&mut s, &format!("kafka-reassign-partitions.sh {BOOT} --list"));
    assert_eq!(out.stdout, "No partition reassignments found.\n");
    let out = one(&mut s, &format!("kafka-topics.sh {BOOT} --describe --topic orders"));
    assert!(out.stdout.contains("\tLeader: 2\tReplicas: 2,3,4\tIsr: 2,3,4\tElr: \t"), "{}", out.stdout);
    let out =
        one(&mut s, &format!("kafka-reassign-partitions.sh {BOOT} --reassignment-json-file reassign.json --cancel"));
    assert_eq!(
        out.stdout,
        "None of the specified partition reassignments are active.\nNone of the specified partition moves are active.\
         Clearing broker-level throttles on brokers 1,2,3,4\nClearing topic-level throttles on topic orders\n"
    );
}

#[test]
fn cancel_reverts_a_running_reassignment() {
    let mut s = four_brokers();
    one(&mut s, &format!("kafka-reassign-partitions.sh {BOOT} --reassignment-json-file reassign.json --execute"));
    let out = one(
        &mut s,
        &format!(
            "kafka-reassign-partitions.sh {BOOT} --reassignment-json-file reassign.json --cancel --preserve-throttles"
        ),
    );
    assert_eq!(
        out.stdout,
        "Successfully cancelled partition reassignment for: orders-0\nNone of the specified partition moves are active.\n"
    );
    let out = one(&mut s, &format!("kafka-topics.sh {BOOT} --describe --topic orders"));
    assert!(out.stdout.contains("\tReplicas: 2,3,1\t"), "{}", out.stdout);
}

#[test]
fn generate_proposes_an_assignment_over_the_broker_list() {
    let mut s = four_brokers();
    let out = run(
        &mut s,
        &format!(
            "echo '{{\"topics\": [{{\"topic\": \"orders\"}}], \"version\": 1}}' > topics.json\n\
             kafka-reassign-partitions.sh {BOOT} --topics-to-move-json-file topics.json --broker-list 2,3,4 --generate\n"
        ),
    )
    .pop()
    .unwrap();
    assert_eq!(
        out.stdout,
        "Current partition replica assignment\n\
         {\"version\":1,\"partitions\":[{\"topic\":\"orders\",\"partition\":0,\"replicas\":[1,2,3],\"log_dirs\":[\"any\",\"any\",\"any\"]}]}\n\n\
         Proposed partition reassignment configuration\n\
         {\"version\":1,\"partitions\":[{\"topic\":\"orders\",\"partition\":0,\"replicas\":[2,3,4],\"log_dirs\":[\"any\",\"any\",\"any\"]}]}\n"
    );
    let out = one(
        &mut s,
        &format!(
            "kafka-reassign-partitions.sh {BOOT} --topics-to-move-json-file topics.json --broker-list 2,3 --generate"
        ),
    );
    assert_eq!(
        (out.stdout.as_str(), out.status),
        (
            "Error: Replication factor: 3 larger than available brokers: 2.\norg.apache.kafka.common.errors.InvalidReplicationFactorException: Replication factor: 3 larger than available brokers: 2.\n",
            1
        )
    );
}

#[test]
fn reassignment_errors_are_kafkas() {
    let mut s = four_brokers();
    let tool = format!("kafka-reassign-partitions.sh {BOOT}");
    let out = one(&mut s, &tool);
    assert_eq!(
        (out.stderr.as_str(), out.status),
        ("Command must include exactly one action: --generate, --execute, --verify, --cancel, --list\n", 1)
    );
    let out = one(&mut s, "kafka-reassign-partitions.sh --list");
    assert_eq!(out.stderr, "Please specify either --bootstrap-server or --bootstrap-controller\n");
    let out = one(&mut s, &format!("{tool} --execute"));
    assert_eq!(out.stderr, "Missing required argument \"[reassignment-json-file]\"\n");
    let out = one(&mut s, &format!("{tool} --list --broker-list 1"));
    assert_eq!(out.stderr, "Option \"[broker-list]\" can't be used with action \"[list]\"\n");
    let out = one(&mut s, &format!("{tool} --execute --reassignment-json-file missing.json"));
    assert_eq!(
        (out.stdout.as_str(), out.status),
        ("Error: missing.json\njava.nio.file.NoSuchFileException: missing.json\n", 1)
    );
    let write_and_execute = |s: &mut Session<'_>, json: &str| {
        one(s, &format!("echo '{json}' > bad.json"));
        one(s, &format!("{tool} --execute --reassignment-json-file bad.json"))
    };
    let out = write_and_execute(&mut s, r#"{"partitions":[{"topic":"orders","partition":0,"replicas":[2,9,4]}]}"#);
    assert_eq!(
        out.stdout,
        "Error: Unknown broker id 9\norg.apache.kafka.server.common.AdminCommandFailedException: Unknown broker id 9\n"
    );
    let out = write_and_execute(&mut s, r#"{"partitions":[{"topic":"orders","partition":0,"replicas":[2,2]}]}"#);
    assert_eq!(
        out.stdout,
        "Error: Partition replica lists may not contain duplicate entries: orders-0 contains multiple entries for 2\norg.apache.kafka.server.common.AdminCommandFailedException: Partition replica lists may not contain duplicate entries: orders-0 contains multiple entries for 2\n"
    );
    let out = write_and_execute(&mut s, r#"{"partitions":[]}"#);
    assert!(out.stdout.starts_with("Error: Partition reassignment list cannot be empty\n"), "{}", out.stdout);
    let out = write_and_execute(&mut s, r#"{"partitions":[{"topic":"orders","replicas":[2]}]}"#);
    assert!(out.stdout.starts_with("Error: No such field exists: `partition`\n"), "{}", out.stdout);
    let out = write_and_execute(&mut s, r#"{"partitions":[{"topic":"nope","partition":0,"replicas":[2]}]}"#);
    assert!(
        out.stdout.starts_with(
            "Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic nope not found.\n"
        ),
        "{}",
        out.stdout
    );
    let out = write_and_execute(&mut s, "not json");
    assert!(out.stdout.starts_with("Error: com.fasterxml.jackson.core.JsonParseException: "), "{}", out.stdout);
    assert_eq!(out.status, 1);
}

#[test]
fn leader_election_preferred_and_unclean() {
    let mut s = four_brokers();
    let elect = |s: &mut Session<'_>, args: &str| one(s, &format!("kafka-leader-election.sh {BOOT} {args}"));
    let out = elect(&mut s, "--election-type PREFERRED --topic orders --partition 0");
    assert_eq!((out.stdout.as_str(), out.status), ("Valid replica already elected for partitions orders-0\n", 0));
    // A reassignment that only reorders the replicas completes at once; broker 3 is now preferred.
    one(&mut s, "echo '{\"version\":1,\"partitions\":[{\"topic\":\"orders\",\"partition\":0,\"replicas\":[3,1,2]}]}' > order.json");
    one(&mut s, &format!("kafka-reassign-partitions.sh {BOOT} --reassignment-json-file order.json --execute"));
    let out = elect(&mut s, "--election-type preferred --all-topic-partitions");
    assert_eq!(out.stdout, "Successfully completed leader election (PREFERRED) for partitions orders-0\n");
    let out = elect(&mut s, "--election-type unclean --topic orders --partition 0");
    assert_eq!(out.stdout, "Valid replica already elected for partitions orders-0\n");
    one(&mut s, "echo '{\"partitions\": [{\"topic\": \"nope\", \"partition\": 0}]}' > elect.json");
    let out = elect(&mut s, "--election-type preferred --path-to-json-file elect.json");
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.status),
        (
            "Error completing leader election (PREFERRED) for partition: nope-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such topic as nope\n",
            "1 replica(s) could not be elected\n",
            1
        )
    );
}

#[test]
fn leader_election_errors_are_kafkas() {
    let mut s = four_brokers();
    let cases = [
        ("--topic orders --partition 0", "Missing required option(s): bootstrap-server, election-type\n"),
        (
            "--bootstrap-server localhost:9092 --election-type preferred",
            "One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file\n",
        ),
        (
            "--bootstrap-server localhost:9092 --election-type preferred --topic orders",
            "Missing required option(s): partition\n",
        ),
        (
            "--bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions --partition 0",
            "Option partition is only allowed if topic is used\n",
        ),
        (
            "--bootstrap-server localhost:9092 --election-type sideways --all-topic-partitions",
            "Cannot parse argument 'SIDEWAYS' of option election-type\n",
        ),
        (
            "--bootstrap-server localhost:9092 --election-type preferred --path-to-json-file none.json",
            "java.nio.file.NoSuchFileException: none.json\n",
        ),
    ];
    for (args, stderr) in cases {
        let out = one(&mut s, &format!("kafka-leader-election.sh {args}"));
        assert_eq!((out.stderr.as_str(), out.status), (stderr, 1), "{args}");
    }
    one(&mut s, "echo '{\"partitions\": [{\"topic\": \"a\", \"partition\": 0}, {\"topic\": \"a\", \"partition\": 0}]}' > dup.json");
    let out =
        one(&mut s, &format!("kafka-leader-election.sh {BOOT} --election-type preferred --path-to-json-file dup.json"));
    assert_eq!(out.stderr, "Replica election data contains duplicate partitions: [a-0]\n");
}

#[test]
fn files_are_written_appended_and_read_back() {
    let mut s = four_brokers();
    let outs = run(&mut s, "echo one > notes.txt\nprintf 'two\\n' >> ./notes.txt\ncat notes.txt\ncat missing.txt\n");
    assert_eq!(outs[2].stdout, "one\ntwo\n");
    assert_eq!((outs[3].stderr.as_str(), outs[3].status), ("cat: missing.txt: No such file or directory\n", 1));
    let out = one(&mut s, "cat reassign.json");
    assert!(out.stdout.starts_with("{\"version\":1,"), "{}", out.stdout);
}
