//! `kafka-consumer-groups.sh`. Sources: `tools/.../consumer/group/ConsumerGroupCommand.java`
//! (apache/kafka trunk 2024-10): `printOffsetFormat` (`\n%-Gs %-Ts %-10s %-15s %-15s %-15s %-Cs %-Hs %s`,
//! widths at least 15), `printMembers`, `printStates`, `printOffsetsToReset`
//! (`%n%-30s %-30s %-10s %-15s`), `shouldPrintMemberState`'s notices, `resetOffsets`'
//! "Assignments can only be reset if the group ... is inactive" error; and
//! `ConsumerGroupCommandOptions.checkArgs` (the dry-run WARN, the usage errors).

use super::common::{last, script, session_with};
use kafkalab_engine::cluster::Action;
use kafkalab_engine::consumer::ConsumerApp;

const SETUP: &str = "kafka-topics.sh --create --topic orders --bootstrap-server localhost:9092 --partitions 1 --replication-factor 3
printf 'k1:v1\\nk2:v2\\nk3:v3\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=:
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group billing --from-beginning --max-messages 3
";

const DESCRIBE: &str = "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group billing\n";

fn offsets_table(current: i64, lag: i64) -> String {
    format!(
        "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\nbilling         orders          0          {current:<15} 3               {lag:<15} -               -               -\n\n"
    )
}

#[test]
fn describe_an_empty_group_then_reset_it_to_earliest() {
    let outs = script(&format!(
        "{SETUP}{DESCRIBE}kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group billing --topic orders --to-earliest --execute\n{DESCRIBE}"
    ));
    assert_eq!(outs[3].stdout, offsets_table(3, 0));
    assert_eq!(outs[3].stderr, "\nConsumer group 'billing' has no active members.\n");
    assert_eq!(
        outs[4].stdout,
        format!(
            "\n{:<30} {:<30} {:<10} {:<15}\n{:<30} {:<30} {:<10} {:<15}\n",
            "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET", "billing", "orders", 0, 0
        )
    );
    assert_eq!(outs[4].stderr, "");
    assert_eq!(outs[5].stdout, offsets_table(0, 3));
}

#[test]
fn reset_is_a_dry_run_without_execute() {
    let outs = script(&format!(
        "{SETUP}kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group billing --topic orders --to-offset 1\n{DESCRIBE}kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group billing --topic orders:0 --shift-by -2 --dry-run\n"
    ));
    assert!(outs[3].stderr.starts_with("WARN: No action will be performed as the --execute option is missing."));
    assert!(outs[3]
        .stdout
        .ends_with("billing                        orders                         0          1              \n"));
    assert_eq!(outs[4].stdout, offsets_table(3, 0));
    assert_eq!(outs[5].stderr, "");
    assert!(outs[5].stdout.ends_with(" 0          1              \n"));
}

#[test]
fn reset_scenarios() {
    let reset = |how: &str| {
        let out = last(&format!(
            "{SETUP}kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group billing --all-topics {how} --execute\n"
        ));
        out.stdout.lines().last().unwrap().split_whitespace().last().unwrap().to_string()
    };
    assert_eq!(reset("--to-latest"), "3");
    assert_eq!(reset("--to-offset 99"), "3", "clamped to the log end");
    assert_eq!(reset("--shift-by -1"), "2");
    assert_eq!(reset("--to-current"), "3");
    assert_eq!(reset("--to-datetime 1970-01-01T00:00:00.000"), "0");
}

#[test]
fn an_active_group_cannot_be_reset_and_shows_its_members() {
    let (mut session, _) = session_with(SETUP);
    let app = ConsumerApp::default();
    let configs = vec![("group.id".to_string(), "billing".to_string())];
    session
        .cluster_mut()
        .apply(Action::AddConsumer { name: "app".into(), topics: vec!["orders".into()], configs, app })
        .unwrap();
    session.advance(10_000);
    let member = session
        .world()
        .brokers()
        .find_map(|b| b.volatile.group_coordinator.groups.get("billing"))
        .and_then(|g| g.members.first())
        .map(|m| m.member_id.clone())
        .expect("a member");
    let run = |session: &mut kafkalab_tools::Session<'_>, line: &str| session.run_script(line).remove(0).1;
    let out = run(&mut session, "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group billing --topic orders --to-earliest --execute\n");
    assert_eq!(
        out.stdout,
        "\nError: Assignments can only be reset if the group 'billing' is inactive, but the current state is Stable.\n\n"
    );
    let out = run(&mut session, DESCRIBE);
    let w = member.len().max(15);
    assert_eq!(
        out.stdout,
        format!(
            "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             {:<w$} HOST            CLIENT-ID\nbilling         orders          0          3               3               0               {member:<w$} /127.0.0.1      app\n\n",
            "CONSUMER-ID"
        )
    );
    assert_eq!(out.stderr, "");
    let out = run(
        &mut session,
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group billing --members --verbose\n",
    );
    assert_eq!(
        out.stdout,
        format!(
            "\nGROUP           {:<w$} HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT\nbilling         {member:<w$} /127.0.0.1      app             1               orders(0)\n",
            "CONSUMER-ID"
        )
    );
    let out = run(
        &mut session,
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group billing --state\n",
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "");
    assert_eq!(
        lines[1],
        "GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS"
    );
    assert!(lines[2].starts_with("billing                   localhost:"), "{}", lines[2]);
    assert!(lines[2].ends_with(" range                Stable          1"), "{}", lines[2]);
}

#[test]
fn list_and_missing_groups() {
    let outs = script(&format!(
        "{SETUP}kafka-consumer-groups.sh --bootstrap-server localhost:9092 --list\nkafka-consumer-groups.sh --bootstrap-server localhost:9092 --list --state\nkafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group nope\n"
    ));
    assert_eq!(outs[3].stdout, "billing\n");
    assert_eq!(outs[4].stdout, "GROUP           STATE\nbilling         Empty\n");
    assert_eq!(outs[5].stdout, "\nError: Consumer group 'nope' does not exist.\n");
    assert_eq!(outs[5].status, 0);
}

#[test]
fn usage_errors() {
    let cases = [
        ("--describe", "Missing required argument \"[bootstrap-server]\""),
        (
            "--bootstrap-server localhost:9092 --describe",
            "Option [describe] takes one of these options: [group], [all-groups]",
        ),
        (
            "--bootstrap-server localhost:9092 --describe --group g --members --state",
            "Option [describe] takes at most one of these options: [members], [offsets], [state]",
        ),
        (
            "--bootstrap-server localhost:9092 --reset-offsets --group g --to-earliest --dry-run --execute",
            "Option [reset-offsets] only accepts one of [execute] and [dry-run]",
        ),
    ];
    for (args, message) in cases {
        let out = last(&format!("kafka-consumer-groups.sh {args}\n"));
        assert_eq!((out.stderr.as_str(), out.status), (format!("{message}\n").as_str(), 1), "{args}");
    }
    let out = last("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group g --dry-run --to-earliest\n");
    assert_eq!(out.stderr, "One of the reset scopes should be defined: --all-topics, --topic.\n");
}

/// A consumer-protocol group (KIP-848): `--state --verbose` adds the group and target
/// assignment epochs, `--members --verbose` each member's epoch with its current and target
/// assignment (Kafka 4.0's `printStates` / `printMembers` for consumer groups).
#[test]
fn a_consumer_protocol_group_shows_its_epochs() {
    let (mut session, _) = session_with(SETUP);
    let app = ConsumerApp::default();
    let configs =
        vec![("group.id".to_string(), "billing".to_string()), ("group.protocol".to_string(), "consumer".to_string())];
    session
        .cluster_mut()
        .apply(Action::AddConsumer { name: "app".into(), topics: vec!["orders".into()], configs, app })
        .unwrap();
    session.advance(10_000);
    let run = |session: &mut kafkalab_tools::Session<'_>, line: &str| session.run_script(line).remove(0).1;
    let out = run(
        &mut session,
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group billing --state --verbose\n",
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[1].contains("ASSIGNMENT-STRATEGY  STATE           GROUP-EPOCH  TARGET-ASSIGNMENT-EPOCH  #MEMBERS"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(" uniform              Stable          1            1                        1"),
        "{}",
        lines[2]
    );
    let out = run(
        &mut session,
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group billing --members --verbose\n",
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[1].ends_with("CURRENT-EPOCH  CURRENT-ASSIGNMENT     TARGET-EPOCH  TARGET-ASSIGNMENT"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(" app ")
            && lines[2].ends_with("1              orders(0)              1             orders(0)"),
        "{}",
        lines[2]
    );
}

/// `ConsumerGroupService.deleteGroups` (Kafka 4.x): the success line, or `printError`'s
/// "Deletion of some consumer groups failed:" and one `* Group ... could not be deleted due to:`
/// line per group with the admin client's `ExecutionException` (GroupNotEmptyException,
/// GroupIdNotFoundException and their `Errors` descriptions). Both exit 0.
#[test]
fn delete_an_empty_group_and_refuse_a_live_one() {
    let (mut session, _) = session_with(SETUP);
    let run = |session: &mut kafkalab_tools::Session<'_>, line: &str| session.run_script(line).remove(0).1;
    let app = ConsumerApp::default();
    let configs = vec![("group.id".to_string(), "live".to_string())];
    session
        .cluster_mut()
        .apply(Action::AddConsumer { name: "app".into(), topics: vec!["orders".into()], configs, app })
        .unwrap();
    session.advance(10_000);
    let out = run(&mut session, "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --delete --group live\n");
    assert_eq!(
        (out.stdout.as_str(), out.status),
        (
            "\nError: Deletion of some consumer groups failed:\n* Group 'live' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n",
            0
        )
    );
    let out = run(
        &mut session,
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --delete --group billing --group nope\n",
    );
    assert_eq!(
        out.stdout,
        "\nError: Deletion of some consumer groups failed:\n* Group 'nope' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n\nThese consumer groups were deleted successfully: 'billing', '\n"
    );
    let out = run(&mut session, "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --list\n");
    assert_eq!(out.stdout, "live\n");
    let out = run(&mut session, DESCRIBE);
    assert_eq!(out.stdout, "\nError: Consumer group 'billing' does not exist.\n");
}

#[test]
fn delete_a_group_prints_the_success_line() {
    let outs = script(&format!(
        "{SETUP}kafka-consumer-groups.sh --bootstrap-server localhost:9092 --delete --group billing\n"
    ));
    assert_eq!(outs[3].stdout, "Deletion of requested consumer groups ('billing') was successful.\n");
    assert_eq!(outs[3].status, 0);
}

/// `ConsumerGroupService.deleteOffsets` (KIP-496): "Request succeed for deleting offsets ..."
/// and the `%n%-30s %-15s %-15s` table; a live group subscribed to the topic keeps its offsets
/// (GroupSubscribedToTopicException).
#[test]
fn delete_offsets_of_an_empty_group_then_of_a_live_one() {
    let outs = script(&format!(
        "{SETUP}kafka-consumer-groups.sh --bootstrap-server localhost:9092 --delete-offsets --group billing --topic orders\n{DESCRIBE}kafka-consumer-groups.sh --bootstrap-server localhost:9092 --delete-offsets --group billing\n"
    ));
    assert_eq!(
        outs[3].stdout,
        format!(
            "Request succeed for deleting offsets with topic orders group billing\n\n{:<30} {:<15} {:<15}\n{:<30} {:<15} {:<15}\n",
            "TOPIC", "PARTITION", "STATUS", "orders", "0", "Successful"
        )
    );
    // The group itself stays (Empty), with no offset to show.
    assert_eq!(
        (outs[4].stdout.as_str(), outs[4].stderr.as_str()),
        ("", "\nConsumer group 'billing' has no active members.\n")
    );
    assert_eq!(outs[5].stderr, "Option [delete-offsets] takes the following options: [group], [topic]\n");
    assert_eq!(outs[5].status, 1);

    let (mut session, _) = session_with(SETUP);
    let app = ConsumerApp::default();
    let configs = vec![("group.id".to_string(), "billing".to_string())];
    session
        .cluster_mut()
        .apply(Action::AddConsumer { name: "app".into(), topics: vec!["orders".into()], configs, app })
        .unwrap();
    session.advance(10_000);
    let out = session
        .run_script("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --delete-offsets --group billing --topic orders:0\n")
        .remove(0)
        .1;
    assert_eq!(
        out.stdout,
        format!(
            "\nError: Encounter some partition level error, see the follow-up details:\n\n{:<30} {:<15} {:<15}\n{:<30} {:<15} {:<15}\n",
            "TOPIC",
            "PARTITION",
            "STATUS",
            "orders",
            "0",
            "Error: :org.apache.kafka.common.errors.GroupSubscribedToTopicException: The consumer group is actively subscribed to the topic"
        )
    );
}
