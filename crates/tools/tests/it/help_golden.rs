//! `--help`: Kafka's usage text. `CommandLineUtils.printUsageAndExit` prints the tool's purpose
//! (the message given to `maybePrintHelpOrVersion`) and jopt-simple's option table, both on
//! stderr, and exits with status 1.
//!
//! The tables under `golden/` were printed by jopt-simple 5.0.4 itself (the version Kafka
//! depends on, `gradle/dependencies.gradle`): `OptionParser.printHelpOn` on the option
//! definitions of apache/kafka trunk at 1eb7644 (2024-10-25, 4.0.0-SNAPSHOT), copied from the
//! constructor named with each tool below (with `TopicCommand`'s `LogConfig.configNames()`
//! resolved to the 38 topic configs of that commit); `kafka-share-groups` from a later commit,
//! 1d4df4f, whose share-group tool is the one this crate follows (Kafka 4.1).

use kafkalab_tools::Session;

/// (tool, purpose line, golden table, Kafka's source of both).
const TOOLS: &[(&str, &str, &str, &str)] = &[
    (
        "kafka-topics",
        "This tool helps to create, delete, describe, or change a topic.",
        include_str!("golden/kafka-topics.txt"),
        "tools/.../TopicCommand.java: TopicCommandOptions",
    ),
    (
        "kafka-console-consumer",
        "This tool helps to read data from Kafka topics and outputs it to standard output.",
        include_str!("golden/kafka-console-consumer.txt"),
        "tools/.../consumer/ConsoleConsumerOptions.java",
    ),
    (
        "kafka-console-producer",
        "This tool helps to read data from standard input and publish it to Kafka.",
        include_str!("golden/kafka-console-producer.txt"),
        "tools/.../ConsoleProducer.java: ConsoleProducerOptions",
    ),
    (
        "kafka-consumer-groups",
        "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.",
        include_str!("golden/kafka-consumer-groups.txt"),
        "tools/.../consumer/group/ConsumerGroupCommandOptions.java",
    ),
    (
        "kafka-get-offsets",
        "An interactive shell for getting topic-partition offsets.",
        include_str!("golden/kafka-get-offsets.txt"),
        "tools/.../GetOffsetShell.java: GetOffsetShellOptions, USAGE_TEXT",
    ),
    (
        "kafka-reassign-partitions",
        "This tool helps to move topic partitions between replicas.",
        include_str!("golden/kafka-reassign-partitions.txt"),
        "tools/.../reassign/ReassignPartitionsCommandOptions.java, ReassignPartitionsCommand.HELP_TEXT",
    ),
    (
        "kafka-leader-election",
        "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.",
        include_str!("golden/kafka-leader-election.txt"),
        "tools/.../LeaderElectionCommand.java: LeaderElectionCommandOptions",
    ),
    (
        "kafka-share-groups",
        "This tool helps to list, describe, reset and delete share groups.",
        include_str!("golden/kafka-share-groups.txt"),
        "tools/.../consumer/group/ShareGroupCommandOptions.java at 1d4df4f (the 4.1 line)",
    ),
];

#[test]
fn help_prints_kafkas_usage_on_stderr() {
    for (tool, purpose, golden, source) in TOOLS {
        let out = Session::sandbox().run_tool(tool, &["--help".to_string()], None);
        let expected = format!("{purpose}\n{golden}");
        assert_eq!(out.stdout, "", "{tool}");
        assert_eq!(out.status, 1, "{tool}");
        if out.stderr != expected {
            let line = out.stderr.lines().zip(expected.lines()).position(|(a, b)| a != b);
            panic!("{tool} (from {source}) differs at line {line:?}:\n{}", out.stderr);
        }
    }
}

#[test]
fn no_arguments_print_the_usage_too() {
    // `CommandLineUtils.isPrintHelpNeeded`: `args.length == 0`; kafka-topics says it in its own words.
    for (tool, purpose) in [
        ("kafka-console-consumer", "This tool helps to read data from Kafka topics and outputs it to standard output."),
        ("kafka-topics", "Create, delete, describe, or change a topic."),
    ] {
        let out = Session::sandbox().run_tool(tool, &[], None);
        assert!(out.stderr.starts_with(&format!("{purpose}\nOption ")), "{tool}: {}", out.stderr);
        assert_eq!(out.status, 1);
    }
}
