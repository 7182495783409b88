//! `kafka-console-consumer.sh` (Kafka's `ConsoleConsumer` and `DefaultMessageFormatter`).
//!
//! With a topic, the consumer is a group member in the world (its own `console-consumer-N`
//! group unless `--group` names one) and prints what it processes. A script cannot press
//! Ctrl+C: a consumer without `--max-messages` or `--timeout-ms` stops after
//! [`IDLE_STOP_MS`] of virtual time without a new record once it has its partitions.
//! `--partition` reads the partition's leader directly (the engine has no `assign()` client).

use crate::args::{self, flag, with_value, Opt};
use crate::{cluster, Output, Session};
use kafkalab_engine::cluster::{Action, ActionOutcome};
use kafkalab_engine::log::{BatchRecord, RecordBatch};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::World;

/// How long an unbounded console consumer waits for more records before the shell stops it.
pub const IDLE_STOP_MS: u64 = 5_000;

const SPEC: &[Opt] = &[
    with_value("bootstrap-server", "REQUIRED: The server(s) to connect to."),
    with_value("command-config", "Consumer config properties file."),
    with_value("consumer-property", "A mechanism to pass user-defined properties in the form key=value to the consumer."),
    with_value("consumer.config", "Consumer config properties file."),
    flag("enable-systest-events", "Log lifecycle events of the consumer in addition to logging consumed messages."),
    with_value("formatter", "The name of a class to use for formatting kafka messages for display."),
    with_value("formatter-config", "Config properties file to initialize the message formatter."),
    flag("from-beginning", "If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message."),
    with_value("group", "The consumer group id of the consumer."),
    flag("help", "Print usage information."),
    with_value("include", "Regular expression specifying list of topics to include for consumption."),
    with_value("isolation-level", "Set to read_committed in order to filter out transactional messages which are not committed."),
    with_value("key-deserializer", "The name of the class to use for deserializing the key."),
    with_value("max-messages", "The maximum number of messages to consume before exiting."),
    with_value("offset", "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end"),
    with_value("partition", "The partition to consume from."),
    with_value("property", "The properties to initialize the message formatter."),
    flag("skip-message-on-error", "If there is an error when processing a message, skip it instead of halt."),
    with_value("timeout-ms", "If specified, exit if no message is available for consumption for the specified interval."),
    with_value("topic", "The topic to consume on."),
    with_value("value-deserializer", "The name of the class to use for deserializing the value."),
    flag("version", "Display Kafka version."),
];

/// `DefaultMessageFormatter`'s switches.
#[derive(Default)]
struct Formatter {
    timestamp: bool,
    partition: bool,
    offset: bool,
    key: bool,
    value: bool,
    key_separator: String,
    line_separator: String,
    null_literal: String,
}

impl Formatter {
    fn format(&self, partition: i32, offset: i64, batch: &RecordBatch, r: &BatchRecord) -> String {
        let mut fields = Vec::new();
        if self.timestamp {
            let kind = match batch.timestamp_type() {
                kafkalab_engine::log::TimestampType::CreateTime => "CreateTime",
                kafkalab_engine::log::TimestampType::LogAppendTime => "LogAppendTime",
            };
            fields.push(format!("{kind}:{}", batch.timestamp_of(r)));
        }
        if self.partition {
            fields.push(format!("Partition:{partition}"));
        }
        if self.offset {
            fields.push(format!("Offset:{offset}"));
        }
        let text = |b: &Option<Vec<u8>>| {
            b.as_ref().map_or(self.null_literal.clone(), |v| String::from_utf8_lossy(v).into_owned())
        };
        if self.key {
            fields.push(text(&r.record.key));
        }
        let mut line = fields.join(&self.key_separator);
        if self.value {
            if !fields.is_empty() {
                line.push_str(&self.key_separator);
            }
            line.push_str(&text(&r.record.value));
            line.push_str(&self.line_separator);
        }
        line
    }
}

fn usage_error(message: &str) -> Output {
    Output::usage_error(message)
}

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    let opts = match args::parse(SPEC, argv) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    if opts.has("help") {
        return Output::out(format!(
            "This tool helps to read data from Kafka topics and outputs it to standard output.\n{}",
            args::usage(SPEC)
        ));
    }
    if opts.has("version") {
        return Output::out(format!("{}\n", cluster::KAFKA_VERSION));
    }
    let Some(bootstrap) = opts.value("bootstrap-server") else {
        return usage_error("Missing required argument \"[bootstrap-server]\"");
    };
    if let Err(e) = cluster::check_bootstrap(session, bootstrap) {
        return e;
    }
    if opts.has("topic") == opts.has("include") {
        return usage_error("Exactly one of --include/--topic is required. ");
    }
    if opts.has("partition") && !opts.has("topic") {
        return usage_error("The topic is required when partition is specified.");
    }
    if opts.has("from-beginning") && opts.has("offset") {
        return usage_error("Options from-beginning and offset cannot be specified together.");
    }
    if opts.has("offset") && !opts.has("partition") {
        return usage_error("The partition is required when offset is specified.");
    }
    if opts.has("group") && opts.has("partition") {
        return usage_error("Options group and partition cannot be specified together.");
    }
    let (max_messages, timeout_ms, partition) =
        match (opts.int("max-messages"), opts.int("timeout-ms"), opts.int("partition")) {
            (Ok(m), Ok(t), Ok(p)) => (m, t, p),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return usage_error(&e),
        };
    if let Some(level) = opts.value("isolation-level") {
        if level != "read_committed" && level != "read_uncommitted" {
            return usage_error(&format!(
                "Invalid value {level} for configuration isolation.level: String must be one of: read_committed, read_uncommitted"
            ));
        }
    }
    let mut formatter = Formatter {
        value: true,
        key_separator: "\t".into(),
        line_separator: "\n".into(),
        null_literal: "null".into(),
        ..Default::default()
    };
    for property in opts.values("property") {
        let Some((key, value)) = property.split_once('=') else {
            return usage_error(&format!("Invalid formatter property: {property}"));
        };
        let on = value.trim().eq_ignore_ascii_case("true");
        match key.trim() {
            "print.timestamp" => formatter.timestamp = on,
            "print.partition" => formatter.partition = on,
            "print.offset" => formatter.offset = on,
            "print.key" => formatter.key = on,
            "print.value" => formatter.value = on,
            "key.separator" => formatter.key_separator = value.to_string(),
            "line.separator" => formatter.line_separator = value.to_string(),
            "null.literal" => formatter.null_literal = value.to_string(),
            _ => {}
        }
    }
    let topics: Vec<String> = match (opts.value("topic"), opts.value("include")) {
        (Some(t), _) => vec![t.to_string()],
        (None, Some(pattern)) => session
            .world()
            .metadata()
            .topics
            .keys()
            .filter(|t| !t.starts_with("__") && cluster::include_list_matches(pattern, t))
            .cloned()
            .collect(),
        (None, None) => Vec::new(),
    };
    let limits = Limits {
        max_messages: max_messages.map(|m| m.max(0) as usize),
        timeout_ms: timeout_ms.map(|t| t.max(0) as u64),
    };
    let result = match partition {
        Some(p) => {
            let start = match opts.value("offset").unwrap_or("latest") {
                "earliest" => Start::Earliest,
                "latest" if opts.has("from-beginning") => Start::Earliest,
                "latest" => Start::Latest,
                n => match n.parse::<i64>() {
                    Ok(o) if o >= 0 => Start::Offset(o),
                    _ => {
                        return usage_error(&format!(
                            "The provided offset value '{n}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
                        ))
                    }
                },
            };
            read_partition(session, TopicPartition::new(topics[0].clone(), p as i32), start, &formatter, limits)
        }
        None => consume_with_group(session, &opts, topics, &formatter, limits),
    };
    match result {
        Ok((mut output, printed)) => {
            output.stderr.push_str(&format!("Processed a total of {printed} messages\n"));
            output
        }
        Err(output) => output,
    }
}

#[derive(Clone, Copy)]
struct Limits {
    max_messages: Option<usize>,
    timeout_ms: Option<u64>,
}

enum Start {
    Earliest,
    Latest,
    Offset(i64),
}

/// The `TimeoutException` ConsoleConsumer logs when `--timeout-ms` passes without a record.
fn timed_out(now: u64) -> String {
    format!(
        "[{now}] ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n"
    )
}

/// Records of a partition between two offsets, read from its leader's log below the high watermark.
fn records_between(
    world: &World,
    tp: &TopicPartition,
    from: i64,
    to_inclusive: i64,
    formatter: &Formatter,
) -> Vec<String> {
    let Some(replica) = cluster::leader_replica(world, tp) else { return Vec::new() };
    let mut lines = Vec::new();
    for stored in replica.log.batches() {
        let batch = &stored.batch;
        if batch.is_control() {
            continue;
        }
        for r in &batch.records {
            let offset = batch.base_offset + r.offset_delta as i64;
            if offset >= from && offset <= to_inclusive && offset < replica.high_watermark {
                lines.push(formatter.format(tp.partition, offset, batch, r));
            }
        }
    }
    lines
}

fn read_partition(
    session: &mut Session<'_>,
    tp: TopicPartition,
    start: Start,
    formatter: &Formatter,
    limits: Limits,
) -> Result<(Output, usize), Output> {
    let world = session.world();
    let Some(partitions) = world.metadata().topics.get(&tp.topic).map(|t| t.partitions.len() as i32) else {
        return Err(usage_error(&format!(
            "kafkalab: topic {} does not exist (the console consumer would wait for it)",
            tp.topic
        )));
    };
    if tp.partition < 0 || tp.partition >= partitions {
        return Err(usage_error(&format!("Error: partition {} does not exist for topic {}", tp.partition, tp.topic)));
    }
    let mut next = match start {
        Start::Earliest => cluster::earliest_offset(world, &tp).unwrap_or(0),
        Start::Latest => cluster::latest_offset(world, &tp).unwrap_or(0),
        Start::Offset(o) => o,
    };
    let mut out = Output::default();
    let mut printed = 0usize;
    let mut idle_since = session.world().now();
    loop {
        let hw = cluster::latest_offset(session.world(), &tp).unwrap_or(next);
        if hw > next {
            for line in records_between(session.world(), &tp, next, hw - 1, formatter) {
                if limits.max_messages.is_some_and(|m| printed >= m) {
                    break;
                }
                out.stdout.push_str(&line);
                printed += 1;
            }
            next = hw;
            idle_since = session.world().now();
        }
        if limits.max_messages.is_some_and(|m| printed >= m) {
            return Ok((out, printed));
        }
        let now = session.world().now();
        match limits.timeout_ms {
            Some(t) if now - idle_since >= t => {
                out.stderr.push_str(&timed_out(now));
                return Ok((out, printed));
            }
            None if now - idle_since >= IDLE_STOP_MS => return Ok((out, printed)),
            _ => session.advance(10),
        }
    }
}

fn consume_with_group(
    session: &mut Session<'_>,
    opts: &args::Parsed,
    topics: Vec<String>,
    formatter: &Formatter,
    limits: Limits,
) -> Result<(Output, usize), Output> {
    let mut out = Output::default();
    for topic in &topics {
        if !session.world().metadata().topics.contains_key(topic) {
            // The consumer's metadata request auto-creates the topic (broker defaults).
            let create =
                Action::CreateTopic { name: topic.clone(), partitions: 1, replication_factor: 1, configs: Vec::new() };
            if let Err(e) = session.timeline.apply(create) {
                return Err(usage_error(&format!(
                    "org.apache.kafka.common.errors.InvalidTopicException: {}",
                    crate::topics::create_error(&e)
                )));
            }
            out.stderr.push_str(&format!(
                "[{}] WARN [Consumer clientId=console-consumer, groupId=console] Error while fetching metadata with correlation id 2 : {{{topic}=UNKNOWN_TOPIC_OR_PARTITION}} (org.apache.kafka.clients.NetworkClient)\n",
                session.world().now()
            ));
        }
    }
    if topics.is_empty() {
        return Err(usage_error("kafkalab: no topic matches --include"));
    }
    session.state.console_clients += 1;
    let group = opts
        .value("group")
        .map(str::to_string)
        .unwrap_or_else(|| format!("console-consumer-{}", 10_000 + session.state.console_clients * 7_919 % 90_000));
    let mut configs = vec![
        ("group.id".to_string(), group.clone()),
        ("auto.offset.reset".to_string(), if opts.has("from-beginning") { "earliest" } else { "latest" }.to_string()),
    ];
    if let Some(level) = opts.value("isolation-level") {
        configs.push(("isolation.level".to_string(), level.to_string()));
    }
    for property in opts.values("consumer-property") {
        let Some((key, value)) = property.split_once('=') else {
            return Err(usage_error(&format!("Invalid consumer property: {property}")));
        };
        configs.retain(|(k, _)| k != key.trim());
        configs.push((key.trim().to_string(), value.trim().to_string()));
    }
    let app = kafkalab_engine::consumer::ConsumerApp { processing_ms_per_record: 0, ..Default::default() };
    let action = Action::AddConsumer { name: "console-consumer".to_string(), topics: topics.clone(), configs, app };
    let consumer = match session.timeline.apply(action) {
        Ok(ActionOutcome::ConsumerAdded { consumer }) => consumer,
        Ok(_) => return Err(usage_error("kafkalab: the consumer could not start")),
        Err(e) => return Err(usage_error(&format!("org.apache.kafka.common.config.ConfigException: {e}"))),
    };
    let mut cursor = session.world().fact_count();
    let mut printed = 0usize;
    let started = session.world().now();
    let mut idle_since = started;
    let mut assigned_at = None;
    'consume: loop {
        let processed: Vec<(TopicPartition, i64, i64)> = session
            .world()
            .facts_since(cursor)
            .filter_map(|f| match &f.fact {
                Fact::RecordsProcessed { consumer: c, topic_partition, first_offset, last_offset, .. }
                    if *c == consumer =>
                {
                    Some((topic_partition.clone(), *first_offset, *last_offset))
                }
                _ => None,
            })
            .collect();
        cursor = session.world().fact_count();
        for (tp, first, last) in processed {
            for line in records_between(session.world(), &tp, first, last, formatter) {
                out.stdout.push_str(&line);
                printed += 1;
                idle_since = session.world().now();
                if limits.max_messages.is_some_and(|m| printed >= m) {
                    break 'consume;
                }
            }
        }
        let now = session.world().now();
        if assigned_at.is_none() && session.world().consumer(consumer).is_some_and(|c| !c.assignment.is_empty()) {
            assigned_at = Some(now);
        }
        match (limits.timeout_ms, assigned_at) {
            (Some(t), _) if now - idle_since >= t => {
                out.stderr.push_str(&timed_out(now));
                break;
            }
            (None, Some(at)) if now - idle_since.max(at) >= IDLE_STOP_MS => break,
            // Without an assignment after a minute the group cannot form: stop as Ctrl+C would.
            (None, None) if now - started >= 60_000 => break,
            _ => session.advance(10),
        }
    }
    // close(): commit (auto-commit) and leave the group.
    let _ = session.timeline.apply(Action::CloseConsumer { consumer });
    session.advance(200);
    Ok((out, printed))
}
