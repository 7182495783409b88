//! The console producer and consumer. Sources (apache/kafka trunk 2024-10, the 4.0 line):
//! `tools/.../ConsoleProducer.java` (`LineMessageReader`: `parse.key`, `key.separator`, the
//! `No key separator found on line number N: 'line'` KafkaException; `--request-required-acks`
//! defaults to -1), `tools/.../consumer/DefaultMessageFormatter.java` (`writeTo`: timestamp
//! type and value, `Partition:`, `Offset:`, key, value, tab separators, `null`),
//! `tools/.../consumer/ConsoleConsumer.java` (`Processed a total of N messages` on stderr,
//! `TimeoutException` when `--timeout-ms` passes) and `ConsoleConsumerOptions.java` (usage errors).

use super::common::{last, script};

const TOPIC: &str = "kafka-topics.sh --create --topic t --bootstrap-server localhost:9092\n";
const PRODUCE: &str = "printf 'k1:v1\\nk2:v2\\nk3:v3\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t --property parse.key=true --property key.separator=:\n";

#[test]
fn produce_then_consume_from_beginning() {
    let outs = script(&format!(
        "{TOPIC}{PRODUCE}kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --from-beginning --max-messages 3\n"
    ));
    assert_eq!((outs[1].stdout.as_str(), outs[1].stderr.as_str(), outs[1].status), ("", "", 0));
    assert_eq!(outs[2].stdout, "v1\nv2\nv3\n");
    assert_eq!(outs[2].stderr, "Processed a total of 3 messages\n");
    assert_eq!(outs[2].status, 0);
}

#[test]
fn formatter_properties() {
    let outs = script(&format!(
        "{TOPIC}{PRODUCE}kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --from-beginning --max-messages 2 --property print.key=true --property print.offset=true --property print.partition=true --property print.timestamp=true --property key.separator=' | '\n"
    ));
    let lines: Vec<&str> = outs[2].stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    let fields: Vec<&str> = lines[1].split(" | ").collect();
    assert!(fields[0].starts_with("CreateTime:"), "{}", lines[1]);
    assert_eq!(&fields[1..], ["Partition:0", "Offset:1", "k2", "v2"]);
}

#[test]
fn here_documents_and_echo_feed_the_producer() {
    let outs = script(&format!(
        "{TOPIC}kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t <<EOF\nfirst\nsecond\nEOF\necho third | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t\nkafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --from-beginning --property print.key=true --timeout-ms 20000\n"
    ));
    assert_eq!(outs[3].stdout, "null\tfirst\nnull\tsecond\nnull\tthird\n");
    assert!(outs[3].stderr.ends_with(
        "ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\nProcessed a total of 3 messages\n"
    ));
}

#[test]
fn typed_lines_end_at_ctrl_d() {
    let outs = script(&format!(
        "{TOPIC}kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t --producer-property acks=1\nhello kafka\n^D\nkafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --from-beginning --max-messages 1\n"
    ));
    assert_eq!(outs[2].stdout, "hello kafka\n");
}

#[test]
fn missing_key_separator_stops_the_producer() {
    let out = last(&format!(
        "{TOPIC}echo nokey | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t --property parse.key=true\n"
    ));
    assert_eq!(
        out.stderr,
        "org.apache.kafka.common.KafkaException: No key separator found on line number 1: 'nokey'\n"
    );
    assert_eq!(out.status, 1);
}

#[test]
fn producing_to_a_new_topic_creates_it() {
    let outs = script(
        "echo x | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic fresh\nkafka-topics.sh --list --bootstrap-server localhost:9092\n",
    );
    assert!(outs[0].stderr.contains("{fresh=UNKNOWN_TOPIC_OR_PARTITION}"), "{}", outs[0].stderr);
    assert_eq!(outs[1].stdout, "fresh\n");
}

#[test]
fn acks_zero_and_all() {
    for acks in ["0", "1", "all", "-1"] {
        let outs = script(&format!(
            "{TOPIC}echo v | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t --request-required-acks {acks}\nkafka-get-offsets.sh --bootstrap-server localhost:9092 --topic t\n"
        ));
        assert_eq!(outs[2].stdout, "t:0:1\n", "acks={acks}");
    }
}

#[test]
fn partition_and_offset() {
    let outs = script(&format!(
        "{TOPIC}{PRODUCE}kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --partition 0 --offset 1 --max-messages 5 --timeout-ms 2000 --property print.offset=true\nkafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --partition 0 --offset earliest --max-messages 1\n"
    ));
    assert_eq!(outs[2].stdout, "Offset:1\tv2\nOffset:2\tv3\n");
    assert!(outs[2].stderr.ends_with("Processed a total of 2 messages\n"));
    assert_eq!(outs[3].stdout, "v1\n");
}

#[test]
fn a_group_remembers_where_it_stopped() {
    let outs = script(&format!(
        "{TOPIC}{PRODUCE}kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --group g --from-beginning --max-messages 3\necho v4 | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t\nkafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --group g --from-beginning --timeout-ms 15000\n"
    ));
    assert_eq!(outs[2].stdout, "v1\nv2\nv3\n");
    assert_eq!(outs[4].stdout, "v4\n");
}

#[test]
fn isolation_level_is_checked() {
    let outs = script(&format!(
        "{TOPIC}{PRODUCE}kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --from-beginning --max-messages 3 --isolation-level read_committed\nkafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --isolation-level maybe\n"
    ));
    assert_eq!(outs[2].stdout, "v1\nv2\nv3\n");
    assert_eq!(
        outs[3].stderr,
        "Invalid value maybe for configuration isolation.level: String must be one of: read_committed, read_uncommitted\n"
    );
}

#[test]
fn consumer_usage_errors() {
    let cases = [
        ("--bootstrap-server localhost:9092", "Exactly one of --include/--topic is required. "),
        ("--bootstrap-server localhost:9092 --partition 0", "Exactly one of --include/--topic is required. "),
        ("--bootstrap-server localhost:9092 --topic t --partition 0 --offset 1 --from-beginning", "Options from-beginning and offset cannot be specified together."),
        ("--bootstrap-server localhost:9092 --topic t --offset 1", "The partition is required when offset is specified."),
        ("--bootstrap-server localhost:9092 --topic t --group g --partition 0", "Options group and partition cannot be specified together."),
        ("--bootstrap-server localhost:9092 --topic t --partition 0 --offset x", "The provided offset value 'x' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."),
        ("--topic t", "Missing required argument \"[bootstrap-server]\""),
    ];
    for (args, message) in cases {
        let out = last(&format!("kafka-console-consumer.sh {args}\n"));
        assert_eq!((out.stderr.as_str(), out.status), (format!("{message}\n").as_str(), 1), "{args}");
    }
    let out = last("kafka-console-producer.sh --bootstrap-server localhost:9092\n");
    assert_eq!(out.stderr, "Missing required argument \"[topic]\"\n");
}
