//! `kafka-console-producer.sh` (Kafka's `ConsoleProducer` with its `LineMessageReader`): one
//! record per input line, sent by a producer client in the world, which closes (flushing
//! every record) at the end of the input.

use crate::args::{flag, with_value, Opt};
use crate::{cluster, topics, Output, Session};
use kafkalab_engine::cluster::{Action, ActionOutcome};
use kafkalab_engine::producer::{ProducerRecord, SendOutcome};
use kafkalab_engine::protocol::TopicPartition;
use std::collections::BTreeMap;

/// `ConsoleProducer.ConsoleProducerOptions`' option table as Kafka defines it (apache/kafka trunk at 1eb7644, 2024-10-25,
/// 4.0.0-SNAPSHOT): what the parser accepts and what `--help` prints.
const SPEC: &[Opt] = &[
    with_value("batch-size", "Number of messages to send in a single batch if they are not being sent synchronously. please note that this option will be replaced if max-partition-memory-bytes is also set").arg("size").of("Integer").default("16384"),
    with_value("bootstrap-server", "REQUIRED: The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.").arg("server to connect to"),
    with_value("compression-codec", "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If specified without value, then it defaults to 'gzip'").optional().arg("compression-codec"),
    flag("help", "Print usage information."),
    with_value("line-reader", "The class name of the class to use for reading lines from standard in. By default each line is read as a separate message.").arg("reader_class").default("org.apache.kafka.tools.LineMessageReader"),
    with_value("max-block-ms", "The max time that the producer will block for during a send request.").arg("max block on send").of("Long").default("60000"),
    with_value("max-memory-bytes", "The total memory used by the producer to buffer records waiting to be sent to the server. This is the option to control `buffer.memory` in producer configs.").arg("total memory in bytes").of("Long").default("33554432"),
    with_value("max-partition-memory-bytes", "The buffer size allocated for a partition. When records are received which are smaller than this size the producer will attempt to optimistically group them together until this size is reached. This is the option to control `batch.size` in producer configs.").arg("memory in bytes per partition").of("Integer").default("16384"),
    with_value("message-send-max-retries", "Brokers can fail receiving the message for multiple reasons, and being unavailable transiently is just one of them. This property specifies the number of retries before the producer give up and drop this message. This is the option to control `retries` in producer configs.").of("Integer").default("3"),
    with_value("metadata-expiry-ms", "The period of time in milliseconds after which we force a refresh of metadata even if we haven't seen any leadership changes. This is the option to control `metadata.max.age.ms` in producer configs.").arg("metadata expiration interval").of("Long").default("300000"),
    with_value("producer-property", "A mechanism to pass user-defined properties in the form key=value to the producer. ").arg("producer_prop"),
    with_value("producer.config", "Producer config properties file. Note that [producer-property] takes precedence over this config.").arg("config file"),
    with_value("property", "A mechanism to pass user-defined properties in the form key=value to the message reader. This allows custom configuration for a user-defined message reader.\nDefault properties include:\n parse.key=false\n parse.headers=false\n ignore.error=false\n key.separator=\\t\n headers.delimiter=\\t\n headers.separator=,\n headers.key.separator=:\n null.marker=   When set, any fields (key, value and headers) equal to this will be replaced by null\nDefault parsing pattern when:\n parse.headers=true and parse.key=true:\n  \"h1:v1,h2:v2...\\tkey\\tvalue\"\n parse.key=true:\n  \"key\\tvalue\"\n parse.headers=true:\n  \"h1:v1,h2:v2...\\tvalue\"").arg("prop"),
    with_value("reader-config", "Config properties file for the message reader. Note that [property] takes precedence over this config.").arg("config file"),
    with_value("request-required-acks", "The required `acks` of the producer requests").arg("request required acks").default("-1"),
    with_value("request-timeout-ms", "The ack timeout of the producer requests. Value must be non-negative and non-zero.").arg("request timeout ms").of("Integer").default("1500"),
    with_value("retry-backoff-ms", "Before each retry, the producer refreshes the metadata of relevant topics. Since leader election takes a bit of time, this property specifies the amount of time that the producer waits before refreshing the metadata. This is the option to control `retry.backoff.ms` in producer configs.").of("Long").default("100"),
    with_value("socket-buffer-size", "The size of the tcp RECV size. This is the option to control `send.buffer.bytes` in producer configs.").arg("size").of("Integer").default("102400"),
    flag("sync", "If set message send requests to the brokers are synchronously, one at a time as they arrive."),
    with_value("timeout", "If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message will queue awaiting sufficient batch size. The value is given in ms. This is the option to control `linger.ms` in producer configs.").arg("timeout_ms").of("Long").default("1000"),
    with_value("topic", "REQUIRED: The topic name to produce messages to.").arg("topic"),
    flag("version", "Display Kafka version."),
];

/// The reader's properties (`--property`), as `LineMessageReader` reads them.
struct Reader {
    parse_key: bool,
    key_separator: String,
    ignore_error: bool,
    null_marker: Option<String>,
}

pub fn run(session: &mut Session<'_>, argv: &[String], input: &str) -> Output {
    let opts = match cluster::parse_tool_args(
        SPEC,
        argv,
        "This tool helps to read data from standard input and publish it to Kafka.",
    ) {
        Ok(opts) => opts,
        Err(output) => return output,
    };
    let Some(topic) = opts.value("topic").map(str::to_string) else {
        return Output::usage_error("Missing required argument \"[topic]\"");
    };
    let Some(bootstrap) = opts.value("bootstrap-server") else {
        return Output::usage_error("Missing required argument \"[bootstrap-server]\"");
    };
    if let Err(e) = cluster::check_bootstrap(session, bootstrap) {
        return e;
    }
    let mut reader = Reader { parse_key: false, key_separator: "\t".into(), ignore_error: false, null_marker: None };
    for property in opts.values("property") {
        let Some((key, value)) = property.split_once('=') else {
            return Output::usage_error(format!("Invalid property: {property}"));
        };
        match key.trim() {
            "parse.key" => reader.parse_key = value.trim().eq_ignore_ascii_case("true"),
            "key.separator" => reader.key_separator = value.to_string(),
            "ignore.error" => reader.ignore_error = value.trim().eq_ignore_ascii_case("true"),
            "null.marker" => reader.null_marker = Some(value.to_string()),
            _ => {}
        }
    }
    // ConsoleProducer's defaults: acks from --request-required-acks (-1), linger from --timeout (1000 ms).
    let mut configs = vec![
        ("acks".to_string(), opts.value("request-required-acks").unwrap_or("-1").to_string()),
        ("linger.ms".to_string(), opts.value("timeout").unwrap_or("1000").to_string()),
    ];
    for property in opts.values("producer-property") {
        let Some((key, value)) = property.split_once('=') else {
            return Output::usage_error(format!("Invalid producer property: {property}"));
        };
        configs.retain(|(k, _)| k != key.trim());
        configs.push((key.trim().to_string(), value.trim().to_string()));
    }
    // ConsoleProducerOptions puts compression.type after the --producer-property values: `none`
    // without --compression-codec, `gzip` when it is given without a value.
    let codec = match opts.value("compression-codec") {
        _ if !opts.has("compression-codec") => "none",
        None | Some("") => "gzip",
        Some(codec) => codec,
    };
    configs.retain(|(k, _)| k != "compression.type");
    configs.push(("compression.type".to_string(), codec.to_string()));
    let mut records = Vec::new();
    for (number, line) in input.lines().enumerate() {
        let null = |text: &str| reader.null_marker.as_deref() != Some(text);
        let (key, value) = if reader.parse_key {
            match line.split_once(reader.key_separator.as_str()) {
                Some((k, v)) => (Some(k), v),
                None if reader.ignore_error => (None, line),
                None => {
                    return Output {
                        stderr: format!(
                        "org.apache.kafka.common.KafkaException: No key separator found on line number {}: '{line}'\n",
                        number + 1
                    ),
                        status: 1,
                        ..Default::default()
                    }
                }
            }
        } else {
            (None, line)
        };
        records.push(ProducerRecord {
            topic: topic.clone(),
            partition: None,
            key: key.filter(|k| null(k)).map(|k| k.as_bytes().to_vec()),
            value: Some(value).filter(|v| null(v)).map(|v| v.as_bytes().to_vec()),
            headers: Vec::new(),
        });
    }
    let mut output = Output::default();
    session.state.console_clients += 1;
    let name = "console-producer".to_string();
    let producer = match session.timeline.apply(Action::AddProducer { name: name.clone(), configs }) {
        Ok(ActionOutcome::ProducerAdded { producer }) => producer,
        Ok(_) => return Output::usage_error("kafkalab: the producer could not start"),
        Err(e) => return Output::usage_error(format!("org.apache.kafka.common.config.ConfigException: {e}")),
    };
    if !records.is_empty() && !session.world().metadata().topics.contains_key(&topic) {
        // `auto.create.topics.enable` (true by default) creates the topic with the broker defaults.
        output.stderr.push_str(&format!(
            "[{}] WARN [Producer clientId={name}] Error while fetching metadata with correlation id 1 : {{{topic}=UNKNOWN_TOPIC_OR_PARTITION}} (org.apache.kafka.clients.NetworkClient)\n",
            session.world().now()
        ));
        let create =
            Action::CreateTopic { name: topic.clone(), partitions: 1, replication_factor: 1, configs: Vec::new() };
        if let Err(e) = session.timeline.apply(create) {
            output.stderr.push_str(&format!(
                "org.apache.kafka.common.errors.InvalidTopicException: {}\n",
                topics::create_error(&e)
            ));
            output.status = 1;
            return output;
        }
        session.wait_until(5_000, |w| {
            w.metadata().topics.get(&topic).is_some_and(|t| t.partitions.iter().all(|p| p.leader >= 0))
        });
    }
    // Each partition's log end on its leader before the sends (see the acks=0 wait below).
    let log_end = |w: &kafkalab_engine::World, tp: &TopicPartition| {
        cluster::leader_replica(w, tp).map_or(0, |r| r.log.log_end_offset())
    };
    let partitions = session.world().metadata().topics.get(&topic).map_or(0, |t| t.partitions.len() as i32);
    let before: BTreeMap<TopicPartition, i64> = (0..partitions)
        .map(|p| TopicPartition::new(topic.clone(), p))
        .map(|tp| {
            let end = log_end(session.world(), &tp);
            (tp, end)
        })
        .collect();
    let mut sends = Vec::new();
    for record in records {
        match session.timeline.apply(Action::Send { producer, record }) {
            Ok(ActionOutcome::Sent { send_id }) => sends.push(send_id),
            Ok(_) => {}
            Err(e) => {
                output.stderr.push_str(&format!("org.apache.kafka.common.KafkaException: {e}\n"));
                output.status = 1;
                return output;
            }
        }
        // A learner types one line at a time; give each its own moment.
        session.advance(1);
    }
    // close(): flush and wait for every record's acknowledgement or failure (delivery.timeout.ms).
    let pending = |w: &kafkalab_engine::World| {
        w.producer(producer).is_some_and(|p| {
            sends.iter().any(|id| matches!(p.result(*id).map(|r| &r.outcome), Some(SendOutcome::Pending)))
        })
    };
    session.wait_until(130_000, |w| !pending(w));
    // With acks=0 a send completes once it is written to the socket; the records reach the
    // leader one network trip later, before the next command could ask for them.
    let mut written: BTreeMap<TopicPartition, i64> = BTreeMap::new();
    if let Some(p) = session.world().producer(producer) {
        for id in &sends {
            if let Some(r) = p.result(*id).filter(|r| matches!(r.outcome, SendOutcome::Acked { .. })) {
                if let Some(tp) = &r.topic_partition {
                    *written.entry(tp.clone()).or_default() += 1;
                }
            }
        }
    }
    session.wait_until(1_000, |w| {
        written.iter().all(|(tp, n)| log_end(w, tp) >= before.get(tp).copied().unwrap_or(0) + n)
    });
    if let Some(p) = session.world().producer(producer) {
        for id in &sends {
            if let Some(SendOutcome::Failed { error }) = p.result(*id).map(|r| &r.outcome) {
                output.stderr.push_str(&format!(
                    "[{}] ERROR Error when sending message to topic {topic} with key: null, value: 0 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\norg.apache.kafka.common.errors.{error:?}Exception\n",
                    session.world().now()
                ));
            }
        }
    }
    output
}
