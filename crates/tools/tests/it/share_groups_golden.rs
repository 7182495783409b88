//! `kafka-share-groups.sh`. Source: apache/kafka
//! `tools/.../consumer/group/ShareGroupCommand.java` (trunk 2025): `printOffsets` /
//! `printOffsetFormat` (`\n%-Gs %-Ts %-10s %-13s %s`, widths at least 15), `printStates`
//! (`\n%-Gs %-Cs %-15s %s`), `printMembers` (`\n%-Gs %-Ms %-Hs %-Cs %-12s %s`),
//! `getAssignmentString` (`topic:0,1`), `maybePrintEmptyGroupState`; and
//! `ShareGroupCommandOptions.checkArgs` for the usage errors.
//!
//! The run: built-in `share-group-queue` at 10 s: four workers in share group `queue` on the
//! two partitions of `jobs`, two members per partition.

use super::scenario::run_at;

const BOOT: &str = "kafka-share-groups.sh --bootstrap-server localhost:9092";

fn run(args: &str) -> kafkalab_tools::Output {
    run_at("share-group-queue", 10_000, &format!("{BOOT} {args}\n")).pop().expect("one command")
}

#[test]
fn list_and_list_states() {
    assert_eq!(run("--list").stdout, "queue\n");
    assert_eq!(run("--list --state").stdout, "GROUP           STATE\nqueue           Stable\n");
    assert_eq!(run("--list --state stable,empty").stdout, "GROUP           STATE\nqueue           Stable\n");
    assert_eq!(run("--list --state Empty").stdout, "GROUP           STATE\n");
}

#[test]
fn describe_offsets_is_the_default() {
    // The start offsets (SPSO) are the share partitions' on their leaders; the lag counts the
    // records below the high watermark not yet acknowledged or archived.
    let expected = "
GROUP           TOPIC           PARTITION  START-OFFSET  LAG
queue           jobs            0          47            6
queue           jobs            1          51            27
";
    let out = run("--describe --group queue");
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.status), (expected, "", 0));
    assert_eq!(run("--describe --group queue --offsets").stdout, expected);
    let verbose = run("--describe --group queue --verbose");
    assert_eq!(
        verbose.stdout.lines().nth(1).unwrap(),
        "GROUP           TOPIC           PARTITION  LEADER-EPOCH  START-OFFSET  LAG"
    );
}

#[test]
fn describe_state() {
    assert_eq!(
        run("--describe --group queue --state").stdout,
        "
GROUP           COORDINATOR (ID)          STATE           #MEMBERS
queue           localhost:9092  (1)       Stable          4
"
    );
    assert_eq!(
        run("--describe --group queue --state --verbose").stdout,
        "
GROUP           COORDINATOR (ID)          STATE           GROUP-EPOCH  ASSIGNMENT-EPOCH  #MEMBERS
queue           localhost:9092  (1)       Stable          4            4                 4
"
    );
}

#[test]
fn describe_members() {
    assert_eq!(
        run("--describe --group queue --members").stdout,
        "
GROUP           CONSUMER-ID            HOST            CLIENT-ID       #PARTITIONS  ASSIGNMENT
queue           -4SmuZGXoPhI6WamdEzjAA /127.0.0.1      worker-2        1            jobs:0
queue           AksDkvPLUrbtwNl5batu4A /127.0.0.1      worker-3        1            jobs:1
queue           GdEMGlFf3w7-E6q3JnxyUw /127.0.0.1      worker-4        1            jobs:0
queue           fVCszwOV9eOIyhlqav0aAg /127.0.0.1      worker-1        1            jobs:1
"
    );
    let verbose = run("--describe --group queue --members --verbose");
    assert_eq!(
        verbose.stdout.lines().nth(2).unwrap(),
        "queue           -4SmuZGXoPhI6WamdEzjAA /127.0.0.1      worker-2        1            4             jobs:0"
    );
}

/// `DescribeShareGroupsHandler` fails an unknown group (GROUP_ID_NOT_FOUND with the
/// coordinator's "Group … not found."), and `mainNoExit` prints it and exits with 1.
#[test]
fn an_unknown_group_fails_the_command() {
    let error = "\nError: Executing share group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group nope not found.\n";
    for args in [
        "--describe --group nope",
        "--describe --group nope --state",
        "--describe --group queue --group nope --members",
    ] {
        let out = run(args);
        assert_eq!((out.stdout.as_str(), out.status), (error, 1), "{args}");
    }
}

/// A consumer group is not a share group (`GroupMetadataManager.shareGroup`).
#[test]
fn a_consumer_group_is_not_a_share_group() {
    let outs = super::common::script(
        "kafka-topics.sh --create --topic t --bootstrap-server localhost:9092
echo a | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --group billing --from-beginning --max-messages 1
kafka-share-groups.sh --bootstrap-server localhost:9092 --describe --group billing
kafka-share-groups.sh --bootstrap-server localhost:9092 --list
",
    );
    assert_eq!(
        outs[3].stdout,
        "\nError: Executing share group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group billing is not a share group.\n"
    );
    assert_eq!((outs[4].stdout.as_str(), outs[4].status), ("", 0));
}

#[test]
fn bad_input_gets_kafkas_messages() {
    let cases = [
        ("--describe", "Option [describe] takes one of these options: [group], [all-groups]\n"),
        ("--describe --group queue --members --state", "Option [describe] takes at most one of these options: [members], [offsets], [state]\n"),
        ("--list --members", "Option(s) [members] are unavailable given other options on the command line\n"),
        ("--list --group queue", "Option \"[group]\" can't be used with option \"[list]\"\n"),
        ("--group queue", "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets.\n"),
        ("--list --state Rebalancing", "Invalid state list 'Rebalancing'. Valid states are: Empty, Stable, Dead\n"),
        ("--describe --group", "Option group requires an argument\n"),
        ("--frobnicate", "frobnicate is not a recognized option\n"),
        ("--list --timeout soon", "Cannot parse argument 'soon' of option timeout\n"),
        ("--delete", "Option [delete] takes one of these options: [group], [all-groups]\n"),
        ("--reset-offsets --group queue", "kafkalab: kafka-share-groups --reset-offsets is not simulated yet\n"),
    ];
    for (args, stderr) in cases {
        let out = run(args);
        assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.status), ("", stderr, 1), "{args}");
    }
    let out = run_at("share-group-queue", 0, "kafka-share-groups.sh --list\n").pop().unwrap();
    assert_eq!((out.stderr.as_str(), out.status), ("Missing required argument \"[bootstrap-server]\"\n", 1));
    // `--help` goes to stderr with exit status 1 (`CommandLineUtils.printUsageAndExit`).
    let help = run("--help");
    assert!(help.stderr.starts_with("This tool helps to list, describe, reset and delete share groups.\nOption "));
    assert_eq!((help.stdout.as_str(), help.status), ("", 1));
}

/// `ShareGroupService.deleteShareGroups` (Kafka 4.1's ShareGroupCommand): a live share group and
/// a consumer group fail before the admin call, each on a `* Group ... could not be deleted due
/// to:` line (exit 0).
#[test]
fn delete_refuses_a_live_share_group_and_a_consumer_group() {
    let out = run("--delete --group queue --group billing");
    assert_eq!(
        (out.stdout.as_str(), out.status),
        (
            "\nError: Deletion of some share groups failed:\n* Group 'queue' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: Share group 'queue' is not EMPTY.\n* Group 'billing' could not be deleted due to: java.lang.IllegalArgumentException: Group 'billing' is not a share group.\n",
            0
        )
    );
}

/// An empty share group is deleted: "Deletion of requested share groups ('g') was successful."
#[test]
fn delete_an_empty_share_group() {
    use kafkalab_engine::cluster::{Action, ActionOutcome};
    use kafkalab_engine::consumer::ConsumerApp;
    let mut session = kafkalab_tools::Session::sandbox();
    session.run_script("kafka-topics.sh --create --topic jobs --bootstrap-server localhost:9092\n");
    let configs = vec![("group.id".to_string(), "q".to_string()), ("group.protocol".to_string(), "share".to_string())];
    let added = session
        .cluster_mut()
        .apply(Action::AddConsumer {
            name: "w".into(),
            topics: vec!["jobs".into()],
            configs,
            app: ConsumerApp::default(),
        })
        .unwrap();
    let ActionOutcome::ConsumerAdded { consumer } = added else { panic!("a consumer") };
    session.advance(10_000);
    session.cluster_mut().apply(Action::CloseConsumer { consumer }).unwrap();
    session.advance(5_000);
    let outs = session.run_script(&format!("{BOOT} --delete --group q\n{BOOT} --list\n"));
    assert_eq!(outs[0].1.stdout, "Deletion of requested share groups ('q') was successful.\n");
    assert_eq!(outs[1].1.stdout, "");
}
