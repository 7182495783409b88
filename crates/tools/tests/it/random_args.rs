//! Random argument lists for every tool: never a panic, every failure explained (Kafka's
//! message on stderr or stdout), and an unknown option always named as jopt-simple names it.

use kafkalab_tools::{Session, TOOLS};
use proptest::prelude::*;

/// Values that are not options: names, numbers, and what the options take.
const VALUES: &[&str] = &[
    "t",
    "g",
    "retention.ms=1000",
    "x=y",
    "0",
    "1",
    "3",
    "-1",
    "-2",
    "x",
    "",
    "500",
    "earliest",
    "2024-01-01T00:00:00.000",
    "topics",
    "brokers",
    "describe",
    "/var/lib/kafka/data/t-0/00000000000000000000.log",
    "read_committed",
    "all",
    "acks=0",
    "--if-exists",
    "--replica-assignment",
    "1:2,2:3",
    "--include",
    "t|u",
    "t,u",
    ".*",
    "__consumer_offsets",
    "-",
    "--",
    "=",
    "orders",
    "Stable",
    "min.insync.replicas=2",
    "unclean.leader.election.enable=true",
    "log.retention.ms=1",
    "cleanup.policy=[compact,delete]",
    "retention.ms",
    "a b=1",
];

fn words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(kafkalab_tools::OPTIONS.iter().chain(VALUES).copied().collect::<Vec<_>>())
            .prop_map(str::to_string),
        0..8,
    )
}

/// A session with a topic `t` (2 partitions, 3 records) and a group `g` that committed.
fn session() -> Session<'static> {
    let mut session = Session::sandbox();
    session.run_script(
        "kafka-topics.sh --create --topic t --partitions 2 --bootstrap-server localhost:9092\nprintf 'a\\nb\\nc\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t\nkafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --group g --from-beginning --max-messages 3\n",
    );
    session
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_tool_answers_every_argument_list(tool in prop::sample::select(TOOLS), args in words(), input in "[a-z:\n]{0,12}") {
        let mut session = session();
        let out = session.run_tool(tool, &args, Some(&input));
        prop_assert!(out.status == 0 || !(out.stderr.is_empty() && out.stdout.is_empty()), "{tool} {args:?} failed silently");
        prop_assert!(out.status >= 0 && out.status <= 1, "{tool} {args:?}: status {}", out.status);
    }

    /// `kafka-configs --alter` with random entities and config lists: Kafka's answer, never a panic,
    /// and a success always says what it updated.
    #[test]
    fn configs_alter_answers_every_argument_list(args in words()) {
        let mut session = session();
        let mut argv: Vec<String> = ["--bootstrap-server", "localhost:9092", "--alter"].map(str::to_string).to_vec();
        argv.extend(args);
        let out = session.run_tool("kafka-configs", &argv, None);
        prop_assert!(out.status <= 1 && (out.status == 0) == out.stderr.is_empty(), "{argv:?}: {out:?}");
        let asked = argv.iter().any(|a| a == "--help" || a == "--version");
        if out.status == 0 && !asked {
            prop_assert!(out.stdout.starts_with("Completed updating"), "{argv:?}: {out:?}");
        }
    }

    #[test]
    fn unknown_options_are_named(tool in prop::sample::select(TOOLS), name in "zz[a-z]{1,8}", args in words()) {
        // kafka-metadata-quorum and kafka-features use argparse4j, not jopt-simple.
        prop_assume!(tool != "kafka-metadata-quorum" && tool != "kafka-features");
        let mut session = Session::sandbox();
        let mut argv = vec![format!("--{name}")];
        argv.extend(args);
        let out = session.run_tool(tool, &argv, None);
        // kafka-transactions uses argparse4j too, which names it in its own words.
        let expected = if tool == "kafka-transactions" {
            format!("kafka-transactions.sh: error: unrecognized arguments: '--{name}'\n")
        } else {
            format!("{name} is not a recognized option\n")
        };
        prop_assert_eq!(out.stderr, expected);
        prop_assert_eq!(out.status, 1);
    }

    #[test]
    fn any_text_is_read_without_panic(text in "[ -~\n\\\\|<'\"#;&]{0,80}") {
        let mut session = Session::sandbox();
        for (_, out) in session.run_script(&text) {
            prop_assert!(out.status == 0 || !(out.stderr.is_empty() && out.stdout.is_empty()));
        }
    }
}
