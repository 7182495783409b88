//! `kafka-console-consumer.sh` (Kafka's `ConsoleConsumer` and `DefaultMessageFormatter`).
//!
//! With a topic, the consumer is a group member in the world (its own `console-consumer-N`
//! group unless `--group` names one) and prints what it processes. A script cannot press
//! Ctrl+C: a consumer without `--max-messages` or `--timeout-ms` stops after
//! [`IDLE_STOP_MS`] of virtual time without a new record once it has its partitions.
//! `--partition` reads the partition's leader directly (the engine has no `assign()` client).
//!
//! In a terminal that keeps running (the page), the consumer is a [`Streaming`] command: it
//! prints what it processed each time virtual time has moved, until `--max-messages`,
//! `--timeout-ms` or Ctrl+C ([`Streaming::interrupt`]) ends it.

use crate::args::{self, flag, with_value, Opt};
use crate::{cluster, Output, Session};
use kafkalab_engine::cluster::{Action, ActionOutcome};
use kafkalab_engine::log::{BatchRecord, RecordBatch};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::Millis;
use kafkalab_engine::World;

/// How long an unbounded console consumer waits for more records before the shell stops it.
pub const IDLE_STOP_MS: u64 = 5_000;

/// `ConsoleConsumerOptions`' option table as Kafka defines it (apache/kafka trunk at 1eb7644, 2024-10-25,
/// 4.0.0-SNAPSHOT): what the parser accepts and what `--help` prints.
const SPEC: &[Opt] = &[
    with_value("bootstrap-server", "REQUIRED: The server(s) to connect to.").arg("server to connect to"),
    with_value("consumer-property", "A mechanism to pass user-defined properties in the form key=value to the consumer.").arg("consumer_prop"),
    with_value("consumer.config", "Consumer config properties file. Note that [consumer-property] takes precedence over this config.").arg("config file"),
    flag("enable-systest-events", "Log lifecycle events of the consumer in addition to logging consumed messages. (This is specific for system tests.)"),
    with_value("formatter", "The name of a class to use for formatting kafka messages for display.").arg("class").default("org.apache.kafka.tools.consumer.DefaultMessageFormatter"),
    with_value("formatter-config", "Config properties file to initialize the message formatter. Note that [property] takes precedence over this config.").arg("config file"),
    flag("from-beginning", "If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message."),
    with_value("group", "The consumer group id of the consumer.").arg("consumer group id"),
    flag("help", "Print usage information."),
    with_value("include", "Regular expression specifying list of topics to include for consumption.").arg("Java regex (String)"),
    with_value("isolation-level", "Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages.").default("read_uncommitted"),
    with_value("key-deserializer", "").arg("deserializer for key"),
    with_value("max-messages", "The maximum number of messages to consume before exiting. If not set, consumption is continual.").arg("num_messages").of("Integer"),
    with_value("offset", "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end").arg("consume offset").default("latest"),
    with_value("partition", "The partition to consume from. Consumption starts from the end of the partition unless '--offset' is specified.").arg("partition").of("Integer"),
    with_value("property", "The properties to initialize the message formatter. Default properties include: \n print.timestamp=true|false\n print.key=true|false\n print.offset=true|false\n print.epoch=true|false\n print.partition=true|false\n print.headers=true|false\n print.value=true|false\n key.separator=<key.separator>\n line.separator=<line.separator>\n headers.separator=<line.separator>\n null.literal=<null.literal>\n key.deserializer=<key.deserializer>\n value.deserializer=<value.deserializer>\n header.deserializer=<header.deserializer>\n\nUsers can also pass in customized properties for their formatter; more specifically, users can pass in properties keyed with 'key.deserializer.', 'value.deserializer.' and 'headers.deserializer.' prefixes to configure their deserializers.").arg("prop"),
    flag("skip-message-on-error", "If there is an error when processing a message, skip it instead of halt."),
    with_value("timeout-ms", "If specified, exit if no message is available for consumption for the specified interval.").arg("timeout_ms").of("Long"),
    with_value("topic", "The topic to consume on.").arg("topic"),
    with_value("value-deserializer", "").arg("deserializer for values"),
    flag("version", "Display Kafka version."),
];

/// `DefaultMessageFormatter`'s switches.
#[derive(Debug, Clone, Default)]
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

/// Runs the consumer to its end in one go, virtual time moving while it waits (`kafkalab
/// shell`, scripts): an unbounded consumer stops after [`IDLE_STOP_MS`] without a new record.
pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    let mut consumer = match Streaming::start(session, argv) {
        Ok(c) => c,
        Err(output) => return output,
    };
    let mut out = std::mem::take(&mut consumer.started_output);
    loop {
        let (progress, ended) = consumer.poll(session);
        out.append(progress);
        if ended {
            break;
        }
        let now = session.world().now();
        let idle_stop = match (&consumer.source, consumer.limits.timeout_ms) {
            (_, Some(_)) => false,
            (Source::Group { assigned_at: Some(at), .. }, None) => now - consumer.idle_since.max(*at) >= IDLE_STOP_MS,
            // Without an assignment after a minute the group cannot form: stop as Ctrl+C would.
            (Source::Group { assigned_at: None, .. }, None) => now - consumer.started_at >= 60_000,
            (Source::Partition { .. }, None) => now - consumer.idle_since >= IDLE_STOP_MS,
        };
        if idle_stop {
            break;
        }
        session.advance(10);
    }
    out.append(consumer.finish(session));
    out
}

/// Where the consumer reads: as a group member in the world, or one partition's leader directly.
#[derive(Debug, Clone)]
enum Source {
    Group {
        consumer: u32,
        /// The fact index read up to.
        cursor: u64,
        assigned_at: Option<Millis>,
    },
    Partition {
        tp: TopicPartition,
        next: i64,
    },
}

/// A console consumer that keeps running: [`Streaming::poll`] prints what it consumed since the
/// last poll; it ends at `--max-messages`, at `--timeout-ms` or when interrupted.
#[derive(Debug, Clone)]
pub struct Streaming {
    source: Source,
    formatter: Formatter,
    limits: Limits,
    printed: usize,
    started_at: Millis,
    idle_since: Millis,
    /// What starting printed (a topic auto-created on the first metadata request).
    started_output: Output,
}

impl Streaming {
    /// Parses the options and starts the consumer (a group member joins, or a partition read
    /// starts); the output when the command ends at once (`--help`, a usage error).
    pub fn start(session: &mut Session<'_>, argv: &[String]) -> Result<Streaming, Output> {
        let opts = args::parse(SPEC, argv).map_err(|e| usage_error(&e))?;
        if argv.is_empty() || opts.has("help") {
            return Err(Output::help(
                "This tool helps to read data from Kafka topics and outputs it to standard output.",
                SPEC,
            ));
        }
        if opts.has("version") {
            return Err(Output::out(format!("{}\n", cluster::KAFKA_VERSION)));
        }
        let Some(bootstrap) = opts.value("bootstrap-server") else {
            return Err(usage_error("Missing required argument \"[bootstrap-server]\""));
        };
        cluster::check_bootstrap(session, bootstrap)?;
        if opts.has("topic") == opts.has("include") {
            return Err(usage_error("Exactly one of --include/--topic is required. "));
        }
        if opts.has("partition") && !opts.has("topic") {
            return Err(usage_error("The topic is required when partition is specified."));
        }
        if opts.has("from-beginning") && opts.has("offset") {
            return Err(usage_error("Options from-beginning and offset cannot be specified together."));
        }
        if opts.has("offset") && !opts.has("partition") {
            return Err(usage_error("The partition is required when offset is specified."));
        }
        if opts.has("group") && opts.has("partition") {
            return Err(usage_error("Options group and partition cannot be specified together."));
        }
        let (max_messages, timeout_ms, partition) =
            match (opts.int("max-messages"), opts.int("timeout-ms"), opts.int("partition")) {
                (Ok(m), Ok(t), Ok(p)) => (m, t, p),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Err(usage_error(&e)),
            };
        if let Some(level) = opts.value("isolation-level") {
            if level != "read_committed" && level != "read_uncommitted" {
                return Err(usage_error(&format!(
                    "Invalid value {level} for configuration isolation.level: String must be one of: read_committed, read_uncommitted"
                )));
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
                return Err(usage_error(&format!("Invalid formatter property: {property}")));
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
        let (source, started_output) = match partition {
            Some(p) => {
                let start = match opts.value("offset").unwrap_or("latest") {
                    "earliest" => Start::Earliest,
                    "latest" if opts.has("from-beginning") => Start::Earliest,
                    "latest" => Start::Latest,
                    n => match n.parse::<i64>() {
                        Ok(o) if o >= 0 => Start::Offset(o),
                        _ => {
                            return Err(usage_error(&format!(
                                "The provided offset value '{n}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
                            )))
                        }
                    },
                };
                let tp = TopicPartition::new(topics[0].clone(), p as i32);
                (start_partition(session, tp, start)?, Output::default())
            }
            None => join_group(session, &opts, topics)?,
        };
        let now = session.world().now();
        Ok(Streaming { source, formatter, limits, printed: 0, started_at: now, idle_since: now, started_output })
    }

    /// What starting printed (taken once).
    pub fn take_started_output(&mut self) -> Output {
        std::mem::take(&mut self.started_output)
    }

    /// The records consumed since the last poll, and whether the consumer has ended
    /// (`--max-messages` reached or `--timeout-ms` passed without a record; the timeout's error
    /// is printed). After an end, [`Streaming::finish`] closes it.
    pub fn poll(&mut self, session: &Session<'_>) -> (Output, bool) {
        let world = session.world();
        let mut out = Output::default();
        let mut consumed: Vec<(TopicPartition, i64, i64)> = Vec::new();
        match &mut self.source {
            Source::Group { consumer, cursor, assigned_at } => {
                // After time went back (a seek), the replay's facts up to the cursor are the ones
                // already printed (the engine is deterministic): they are not read again.
                consumed.extend(world.facts_since(*cursor).filter_map(|f| match &f.fact {
                    Fact::RecordsProcessed { consumer: c, topic_partition, first_offset, last_offset, .. }
                        if c == consumer =>
                    {
                        Some((topic_partition.clone(), *first_offset, *last_offset))
                    }
                    _ => None,
                }));
                *cursor = (*cursor).max(world.fact_count());
                if assigned_at.is_none() && world.consumer(*consumer).is_some_and(|c| !c.assignment.is_empty()) {
                    *assigned_at = Some(world.now());
                }
            }
            Source::Partition { tp, next } => {
                let hw = cluster::latest_offset(world, tp).unwrap_or(*next);
                if hw > *next {
                    consumed.push((tp.clone(), *next, hw - 1));
                    *next = hw;
                }
            }
        }
        for (tp, first, last) in consumed {
            for line in records_between(world, &tp, first, last, &self.formatter) {
                if self.limits.max_messages.is_some_and(|m| self.printed >= m) {
                    break;
                }
                out.stdout.push_str(&line);
                self.printed += 1;
                self.idle_since = world.now();
            }
        }
        if self.limits.max_messages.is_some_and(|m| self.printed >= m) {
            return (out, true);
        }
        let now = world.now();
        // The idle clock restarts if time went back before it.
        self.idle_since = self.idle_since.min(now);
        match self.limits.timeout_ms {
            Some(t) if now - self.idle_since >= t => {
                out.stderr.push_str(&timed_out(now));
                (out, true)
            }
            _ => (out, false),
        }
    }

    /// Ctrl+C: what Kafka's shutdown hook prints, after the consumer is closed.
    pub fn interrupt(self, session: &mut Session<'_>) -> Output {
        let mut out = Output::out("^C");
        out.append(self.finish(session));
        out
    }

    /// Closes the consumer and reports the count. A group member's close() commits
    /// (auto-commit) and leaves the group before the process exits: virtual time moves while
    /// it does, so the next command sees the commit.
    pub fn finish(self, session: &mut Session<'_>) -> Output {
        if let Source::Group { consumer, .. } = self.source {
            // Refused only when the consumer is gone already (a branch made before it started).
            let _ = session.timeline.apply(Action::CloseConsumer { consumer });
            session.advance(200);
        }
        Output { stderr: format!("Processed a total of {} messages\n", self.printed), ..Default::default() }
    }
}

#[derive(Debug, Clone, Copy)]
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

/// `--partition`: where the read starts, after checking the partition exists.
fn start_partition(session: &Session<'_>, tp: TopicPartition, start: Start) -> Result<Source, Output> {
    let world = session.world();
    let Some(partitions) = world.metadata().topics.get(tp.topic.as_str()).map(|t| t.partitions.len() as i32) else {
        return Err(usage_error(&format!(
            "kafkalab: topic {} does not exist (the console consumer would wait for it)",
            tp.topic
        )));
    };
    if tp.partition < 0 || tp.partition >= partitions {
        return Err(usage_error(&format!("Error: partition {} does not exist for topic {}", tp.partition, tp.topic)));
    }
    let next = match start {
        Start::Earliest => cluster::earliest_offset(world, &tp).unwrap_or(0),
        Start::Latest => cluster::latest_offset(world, &tp).unwrap_or(0),
        Start::Offset(o) => o,
    };
    Ok(Source::Partition { tp, next })
}

/// Adds the consumer to the world as a member of `--group` (or its own console group); what
/// its first metadata request logged.
fn join_group(session: &mut Session<'_>, opts: &args::Parsed, topics: Vec<String>) -> Result<(Source, Output), Output> {
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
    let action = Action::AddConsumer { name: "console-consumer".to_string(), topics, configs, app };
    let consumer = match session.timeline.apply(action) {
        Ok(ActionOutcome::ConsumerAdded { consumer }) => consumer,
        Ok(_) => return Err(usage_error("kafkalab: the consumer could not start")),
        Err(e) => return Err(usage_error(&format!("org.apache.kafka.common.config.ConfigException: {e}"))),
    };
    let cursor = session.world().fact_count();
    Ok((Source::Group { consumer, cursor, assigned_at: None }, out))
}
