//! `kafka-transactions.sh` (Kafka's `TransactionsCommand`): `list` and `describe`
//! from the transaction coordinators' metadata, `describe-producers` from a replica's producer
//! state, `abort` and `find-hanging` for hanging transactions, and `force-terminate` (Kafka
//! 4.1) through the coordinator. Its options are argparse4j's (a sub-command after the global options), not
//! jopt-simple's, so its messages are argparse4j's too (`ArgumentParserImpl.parseArgs`,
//! `SubparsersImpl.parseArg`); as for `kafka-metadata-quorum` here, the usage line and the
//! "Did you mean" candidates argparse4j prints around the error line are left out.

use crate::{cluster, Output, Session};
use kafkalab_engine::broker::BrokerState;
use kafkalab_engine::cluster::Action;
use kafkalab_engine::protocol::{TopicPartition, TxnState};
use kafkalab_engine::txn::TxnMetadata;
use kafkalab_engine::World;

const PROG: &str = "kafka-transactions.sh";

/// The value type argparse4j converts an argument to (its message names the Java class).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Integer,
    Long,
    Short,
}

struct Arg {
    name: &'static str,
    kind: Kind,
    required: bool,
    help: &'static str,
}

const fn arg(name: &'static str, kind: Kind, required: bool, help: &'static str) -> Arg {
    Arg { name, kind, required, help }
}

/// The sub-commands, in `TransactionsCommand.execute`'s order, with their help and arguments.
const COMMANDS: &[(&str, &str, &[Arg])] = &[
    ("list", "list transactions", &[]),
    (
        "describe",
        "describe the state of an active transactional-id",
        &[arg("transactional-id", Kind::Str, true, "transactional id")],
    ),
    (
        "describe-producers",
        "describe the states of active producers for a topic partition",
        &[
            arg(
                "broker-id",
                Kind::Integer,
                false,
                "optional broker id to describe the producer state on a specific replica",
            ),
            arg("topic", Kind::Str, true, "topic name"),
            arg("partition", Kind::Integer, true, "partition number"),
        ],
    ),
    (
        "abort",
        "abort a hanging transaction (requires administrative privileges)",
        &[
            arg("topic", Kind::Str, true, "topic name"),
            arg("partition", Kind::Integer, true, "partition number"),
            arg("start-offset", Kind::Long, false, "start offset of the transaction to abort"),
            arg("producer-id", Kind::Long, false, "producer id"),
            arg("producer-epoch", Kind::Short, false, "producer epoch"),
            arg("coordinator-epoch", Kind::Integer, false, "coordinator epoch"),
        ],
    ),
    (
        "find-hanging",
        "find hanging transactions",
        &[
            arg("broker-id", Kind::Integer, false, "broker id to search for hanging transactions"),
            arg(
                "max-transaction-timeout",
                Kind::Integer,
                false,
                "maximum transaction timeout in minutes to limit the scope of the search",
            ),
            arg("topic", Kind::Str, false, "topic name to limit search to"),
            arg("partition", Kind::Integer, false, "partition number"),
        ],
    ),
    (
        "force-terminate",
        "Forcefully terminate a transaction",
        &[arg("transactional-id", Kind::Str, true, "transactional id")],
    ),
];

const GLOBAL: &[Arg] = &[
    arg("command-config", Kind::Str, false, "property file containing configs to be passed to admin client"),
    arg(
        "bootstrap-server",
        Kind::Str,
        true,
        "hostname and port for the broker to connect to, in the form `host:port`  (multiple comma-separated entries can be given)",
    ),
];

/// argparse4j's `handleError`: `PROG[ COMMAND]: error: MESSAGE` on stderr, status 1.
fn parse_error(command: Option<&str>, message: impl std::fmt::Display) -> Output {
    let prog = command.map_or(PROG.to_string(), |c| format!("{PROG} {c}"));
    Output::usage_error(format!("{prog}: error: {message}"))
}

/// `printErrorAndExit(message, cause)`: the cause's message, then Kafka's hint.
fn failed(message: String, cause: &str) -> Output {
    Output::usage_error(format!("{message}: {cause}. Enable debug logging for additional detail."))
}

/// The options given, in order, with their values.
type Values<'a> = Vec<(&'a Arg, String)>;

/// `--name value`, `--name=value` or an unambiguous prefix (argparse4j's abbreviations), up to
/// the first word that is not an option; returns the values and how many words were read.
fn parse_options<'a>(spec: &'a [Arg], words: &[String], command: Option<&str>) -> Result<(Values<'a>, usize), Output> {
    let mut values = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        let Some(body) = word.strip_prefix("--") else { break };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let candidates: Vec<&Arg> = spec.iter().filter(|a| !name.is_empty() && a.name.starts_with(name)).collect();
        let found = match (spec.iter().find(|a| a.name == name), candidates.as_slice()) {
            (Some(exact), _) => exact,
            (None, [one]) => *one,
            (None, []) if matches!(name, "help" | "version") => break,
            (None, []) => return Err(parse_error(command, format!("unrecognized arguments: '{word}'"))),
            (None, many) => {
                let mut names: Vec<String> = many.iter().map(|a| format!("--{}", a.name)).collect();
                names.sort();
                let names = names.join(", ");
                return Err(parse_error(command, format!("ambiguous option: --{name} could match {names}")));
            }
        };
        let value = match inline {
            Some(v) => v,
            None => match words.get(i + 1) {
                Some(v) if !is_flag(v) => {
                    i += 1;
                    v.clone()
                }
                _ => return Err(parse_error(command, format!("argument --{}: expected one argument", found.name))),
            },
        };
        let java = match found.kind {
            Kind::Str => None,
            Kind::Integer => value.parse::<i32>().err().map(|_| "Integer"),
            Kind::Long => value.parse::<i64>().err().map(|_| "Long"),
            Kind::Short => value.parse::<i16>().err().map(|_| "Short"),
        };
        if let Some(class) = java {
            return Err(parse_error(
                command,
                format!(
                    "argument --{}: could not convert '{value}' to {class} (For input string: \"{value}\")",
                    found.name
                ),
            ));
        }
        values.push((found, value));
        i += 1;
    }
    Ok((values, i))
}

/// argparse4j's `flagFound`: a word starting with `-` that is not a negative number.
fn is_flag(word: &str) -> bool {
    word.starts_with('-') && word.parse::<f64>().is_err()
}

fn value<'v>(values: &'v [(&Arg, String)], name: &str) -> Option<&'v str> {
    values.iter().rev().find(|(a, _)| a.name == name).map(|(_, v)| v.as_str())
}

fn help_rows(spec: &[Arg]) -> String {
    spec.iter()
        .map(|a| {
            let meta = a.name.to_uppercase().replace('-', "_");
            format!("  --{} {meta:<width$}{}\n", a.name, a.help, width = 38usize.saturating_sub(a.name.len() + 4))
        })
        .collect()
}

fn help(command: Option<(&str, &str, &[Arg])>) -> Output {
    match command {
        None => {
            let mut out = format!(
                "usage: {PROG} [-h] [-v] [--command-config FILE] --bootstrap-server host:port COMMAND ...\n\nThis tool is used to analyze the transactional state of producers in the cluster. It can be used to detect and recover from hanging transactions.\n\noptional arguments:\n  -h, --help             show this help message and exit\n  -v, --version          show the version of this Kafka distribution and exit\n  --command-config FILE  {}\n  --bootstrap-server host:port\n                         {}\n\ncommands:\n  COMMAND\n",
                GLOBAL[0].help, GLOBAL[1].help
            );
            for (name, help, _) in COMMANDS {
                out.push_str(&format!("    {name:<19}{help}\n"));
            }
            Output::out(out)
        }
        Some((name, help, spec)) => Output::out(format!(
            "usage: {PROG} {name} [-h]{}\n\n{help}\n\noptional arguments:\n  -h, --help             show this help message and exit\n{}",
            spec.iter()
                .map(|a| {
                    let meta = a.name.to_uppercase().replace('-', "_");
                    if a.required {
                        format!(" --{} {meta}", a.name)
                    } else {
                        format!(" [--{} {meta}]", a.name)
                    }
                })
                .collect::<String>(),
            help_rows(spec)
        )),
    }
}

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    // The global options, up to the sub-command.
    let (globals, at) = match parse_options(GLOBAL, argv, None) {
        Ok(parsed) => parsed,
        Err(e) => return e,
    };
    match argv.get(at).map(String::as_str) {
        Some("-h" | "--help") => return help(None),
        Some("-v" | "--version") => return Output::out(format!("{}\n", cluster::KAFKA_VERSION)),
        Some(other) if other.starts_with('-') => {
            return parse_error(None, format!("unrecognized arguments: '{other}'"));
        }
        _ => {}
    }
    // `ArgumentParserImpl.parseArgs`: no sub-command is "too few arguments"; at the sub-command,
    // the global required options are checked before the command is resolved.
    let Some(name) = argv.get(at) else { return parse_error(None, "too few arguments") };
    let Some(bootstrap) = value(&globals, "bootstrap-server") else {
        return parse_error(None, "argument --bootstrap-server is required");
    };
    // `SubparsersImpl.resolveNextSubparser`: the exact name or an unambiguous prefix.
    let prefixed: Vec<_> = COMMANDS.iter().filter(|(c, _, _)| c.starts_with(name.as_str())).collect();
    let resolved = match (COMMANDS.iter().find(|(c, _, _)| c == name), prefixed.as_slice()) {
        (Some(exact), _) => exact,
        (None, [one]) => *one,
        (None, []) => {
            let choices = COMMANDS.iter().map(|(c, _, _)| format!("'{c}'")).collect::<Vec<_>>().join(", ");
            return parse_error(None, format!("invalid choice: '{name}' (choose from {choices})"));
        }
        (None, many) => {
            let names = many.iter().map(|(c, _, _)| *c).collect::<Vec<_>>().join(", ");
            return parse_error(None, format!("ambiguous command: {name} could match {names}"));
        }
    };
    let &(command, command_help, spec) = resolved;
    let rest = &argv[at + 1..];
    let (values, used) = match parse_options(spec, rest, Some(command)) {
        Ok(parsed) => parsed,
        Err(e) => return e,
    };
    match rest.get(used).map(String::as_str) {
        None => {}
        Some("-h" | "--help") => return help(Some((command, command_help, spec))),
        // An unknown flag is named alone; stray words are named with everything after them.
        Some(flag) if is_flag(flag) => {
            return parse_error(Some(command), format!("unrecognized arguments: '{flag}'"));
        }
        Some(_) => {
            return parse_error(Some(command), format!("unrecognized arguments: '{}'", rest[used..].join(" ")));
        }
    }
    if let Some(missing) = spec.iter().find(|a| a.required && value(&values, a.name).is_none()) {
        return parse_error(Some(command), format!("argument --{} is required", missing.name));
    }
    if let Err(e) = cluster::check_bootstrap(session, bootstrap) {
        return e;
    }
    let world = session.world();
    match command {
        "list" => list(world),
        "describe" => describe(world, value(&values, "transactional-id").unwrap_or_default()),
        "describe-producers" => {
            // Both were checked as required and as integers above.
            let topic = value(&values, "topic").unwrap_or_default();
            let partition = value(&values, "partition").and_then(|p| p.parse().ok()).unwrap_or_default();
            let broker = value(&values, "broker-id").and_then(|b| b.parse().ok());
            describe_producers(world, TopicPartition::new(topic.to_string(), partition), broker)
        }
        "abort" => abort(session, &values),
        "find-hanging" => find_hanging(session.world(), &values),
        "force-terminate" => force_terminate(session, value(&values, "transactional-id").unwrap_or_default()),
        other => cluster::not_simulated(&format!("kafka-transactions {other}")),
    }
}

/// `printErrorAndExit(message)`: the message alone on stderr, status 1.
fn exit_with(message: impl Into<String>) -> Output {
    Output::usage_error(message.into())
}

/// `AbortTransactionCommand`: the transaction is named by its start offset (the leader's
/// producer state finds its producer, epoch and coordinator epoch) or by `--producer-id`,
/// `--producer-epoch` and `--coordinator-epoch`; then `Admin.abortTransaction` writes the ABORT
/// marker on the partition's leader. Kafka prints nothing on success.
fn abort(session: &mut Session<'_>, values: &[(&Arg, String)]) -> Output {
    let topic = value(values, "topic").unwrap_or_default().to_string();
    let partition: i32 = value(values, "partition").and_then(|p| p.parse().ok()).unwrap_or_default();
    let tp = TopicPartition::new(topic, partition);
    let number = |name: &str| value(values, name).and_then(|v| v.parse::<i64>().ok());
    let (start_offset, producer_id) = (number("start-offset"), number("producer-id"));
    let (producer_id, producer_epoch, coordinator_epoch) = match (start_offset, producer_id) {
        (None, None) => {
            return exit_with("The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)")
        }
        (None, Some(producer_id)) => {
            let Some(epoch) = number("producer-epoch") else {
                return exit_with("Missing required argument --producer-epoch");
            };
            let Some(coordinator_epoch) = number("coordinator-epoch") else {
                return exit_with("Missing required argument --coordinator-epoch");
            };
            (producer_id, epoch as i16, coordinator_epoch.max(0) as i32)
        }
        (Some(start), _) => {
            let world = session.world();
            let Some(replica) = cluster::leader_replica(world, &tp) else {
                return failed(
                    format!("Failed to validate producer state for partition {tp}"),
                    "This server does not host this topic-partition",
                );
            };
            let Some((producer_id, _)) = replica.txn_state.ongoing().find(|(_, first)| *first == start) else {
                return exit_with(format!(
                    "Could not find any open transactions starting at offset {start} on partition {tp}"
                ));
            };
            let epoch = replica.producer_state.producers().find(|(p, _)| **p == producer_id).map_or(0, |(_, e)| e.producer_epoch);
            (producer_id, epoch, replica.txn_state.coordinator_epoch(producer_id).unwrap_or(0))
        }
    };
    let action =
        Action::WriteAbortMarker { topic_partition: tp.clone(), producer_id, producer_epoch, coordinator_epoch };
    if let Err(e) = session.timeline.apply(action) {
        return failed(
            format!("Failed to abort transaction AbortTransactionSpec(topicPartition={tp}, producerId={producer_id}, producerEpoch={producer_epoch}, coordinatorEpoch={coordinator_epoch})"),
            &e.to_string(),
        );
    }
    // The admin call returns once the leader answered: the marker is replicated.
    session.wait_until(5_000, |w| {
        cluster::leader_replica(w, &tp).is_none_or(|r| r.txn_state.ongoing().all(|(p, _)| p != producer_id))
    });
    Output::default()
}

/// The transactional id at its live coordinator: the state it shows (the pending one while a
/// write is in flight), the state and producer epoch written to the log.
fn txn_state(world: &World, transactional_id: &str) -> Option<(TxnState, TxnState, i16)> {
    transactions(world)
        .into_iter()
        .find(|(_, t, _)| t.transactional_id == transactional_id)
        .map(|(_, t, shown)| (shown, t.state, t.producer_epoch))
}

/// How long the admin call waits (`default.api.timeout.ms`, 60 s), in virtual time.
const ADMIN_TIMEOUT_MS: u64 = 60_000;

/// The admin client's pause before it sends a request again (`retry.backoff.ms`).
const RETRY_BACKOFF_MS: u64 = 100;

/// The admin client's exception when the call's timeout passed.
const TIMED_OUT: &str = "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment";

/// `ForceTerminateTransactionCommand` (Kafka 4.1, KIP-939): `Admin.forceTerminateTransaction`
/// sends InitProducerId for the id as a new producer instance would. The coordinator fences the
/// running producer (epoch bump) and aborts its open transaction, answering
/// CONCURRENT_TRANSACTIONS until the abort completed; the admin client sends it again until it
/// succeeds, and the epoch goes up once more. Kafka prints nothing on success.
fn force_terminate(session: &mut Session<'_>, transactional_id: &str) -> Output {
    let failure =
        |cause: &str| failed(format!("Failed to force terminate transactional id `{transactional_id}`"), cause);
    let epoch_before = txn_state(session.world(), transactional_id).map(|(_, _, epoch)| epoch);
    // Done once the id rests Empty (written, nothing pending) under a new epoch.
    let done = move |w: &World| {
        txn_state(w, transactional_id).is_some_and(|(shown, written, epoch)| {
            shown == TxnState::Empty && written == TxnState::Empty && Some(epoch) != epoch_before
        })
    };
    let deadline = session.world().now() + ADMIN_TIMEOUT_MS;
    loop {
        let action =
            Action::ForceTerminateTransaction { transactional_id: transactional_id.to_string(), timeout_ms: 30_000 };
        if let Err(e) = session.timeline.apply(action) {
            return failure(&e.to_string());
        }
        // The answer, or CONCURRENT_TRANSACTIONS while the abort is written and its markers
        // sent: then the client sends it again after `retry.backoff.ms`.
        if session.wait_until(RETRY_BACKOFF_MS, done) {
            return Output::default();
        }
        if session.world().now() >= deadline {
            return failure(TIMED_OUT);
        }
    }
}

/// `FindHangingTransactionsCommand`: open transactions (on `--broker-id`'s replicas or the
/// leaders of `--topic`) whose last write is older than `--max-transaction-timeout` minutes, and
/// that the coordinator does not know (no transactional id for the producer id, or a
/// transaction without that partition); printed with `prettyPrintTable`.
fn find_hanging(world: &World, values: &[(&Arg, String)]) -> Output {
    let broker: Option<i32> = value(values, "broker-id").and_then(|b| b.parse().ok());
    let topic = value(values, "topic");
    let partition: Option<i32> = value(values, "partition").and_then(|p| p.parse().ok());
    if topic.is_none() && broker.is_none() {
        return exit_with(
            "The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search",
        );
    }
    if partition.is_some() && topic.is_none() {
        return exit_with("The --partition argument requires --topic to be provided");
    }
    let max_timeout_ms =
        value(values, "max-transaction-timeout").and_then(|m| m.parse::<u64>().ok()).unwrap_or(15) * 60_000;
    let partitions: Vec<TopicPartition> = world
        .metadata()
        .partitions()
        .filter(|(tp, _)| topic.is_none_or(|t| tp.topic == t) && partition.is_none_or(|p| tp.partition == p))
        .filter(|(_, r)| broker.is_none_or(|b| r.replicas.contains(&b)))
        .map(|(tp, _)| tp)
        .collect();
    let now = world.now() as i64;
    let mut rows = Vec::new();
    for tp in partitions {
        let replica = match broker {
            Some(id) => {
                world.broker(id).filter(|b| b.state != BrokerState::Dead).and_then(|b| b.durable.replicas.get(&tp))
            }
            None => cluster::leader_replica(world, &tp),
        };
        let Some(replica) = replica else { continue };
        for (producer_id, start) in replica.txn_state.ongoing() {
            let Some((_, entry)) = replica.producer_state.producers().find(|(p, _)| **p == producer_id) else {
                continue;
            };
            let last = entry.batches.back();
            let last_timestamp = last
                .and_then(|b| replica.log.batches().find(|s| s.batch.last_offset() == b.last_offset))
                .map_or(-1, |s| s.batch.max_timestamp);
            if now - last_timestamp <= max_timeout_ms as i64 {
                continue;
            }
            let known = transactions(world)
                .into_iter()
                .any(|(_, txn, _)| txn.producer_id == producer_id && txn.partitions.contains(&tp));
            if known {
                continue;
            }
            rows.push(vec![
                tp.topic.to_string(),
                tp.partition.to_string(),
                producer_id.to_string(),
                entry.producer_epoch.to_string(),
                replica.txn_state.coordinator_epoch(producer_id).unwrap_or(-1).to_string(),
                start.to_string(),
                last_timestamp.to_string(),
                ((now - last_timestamp) / 60_000).to_string(),
            ]);
        }
    }
    Output::out(pretty_print_table(
        &[
            "Topic",
            "Partition",
            "ProducerId",
            "ProducerEpoch",
            "CoordinatorEpoch",
            "StartOffset",
            "LastTimestamp",
            "Duration(min)",
        ],
        &rows,
    ))
}

/// `prettyPrintTable`: every cell padded to its column's widest value, each followed by a tab.
fn pretty_print_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| rows.iter().map(|r| r[i].len()).chain([h.len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<&str>| {
        let mut text: String = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}\t")).collect();
        text.push('\n');
        text
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Every transactional id a live coordinator serves, with that coordinator's id and the state
/// it shows (the pending one while its log write is in flight).
fn transactions(world: &World) -> Vec<(i32, &TxnMetadata, TxnState)> {
    let mut all = Vec::new();
    for broker in world.brokers().filter(|b| b.state != BrokerState::Dead) {
        let coordinator = &broker.volatile.txn_coordinator;
        for txn in coordinator.transactions() {
            let state = coordinator.shown_state(&txn.transactional_id).unwrap_or(txn.state);
            if state != TxnState::Dead {
                all.push((broker.id, txn, state));
            }
        }
    }
    all
}

/// `ListTransactionsCommand`: one row per transactional id, by coordinator.
fn list(world: &World) -> Output {
    let rows: Vec<Vec<String>> = transactions(world)
        .into_iter()
        .map(|(coordinator, txn, state)| {
            vec![
                txn.transactional_id.clone(),
                coordinator.to_string(),
                txn.producer_id.to_string(),
                state.name().to_string(),
            ]
        })
        .collect();
    Output::out(pretty_print_table(&["TransactionalId", "Coordinator", "ProducerId", "TransactionState"], &rows))
}

/// `DescribeTransactionsCommand`: the coordinator's metadata of one transactional id.
fn describe(world: &World, transactional_id: &str) -> Output {
    let Some((coordinator, txn, state)) =
        transactions(world).into_iter().find(|(_, t, _)| t.transactional_id == transactional_id)
    else {
        return failed(
            format!("Failed to describe transaction state of transactional-id `{transactional_id}`"),
            &format!(
                "DescribeTransactions request for transactionalId `{transactional_id}` failed because the ID could not be found"
            ),
        );
    };
    // `TransactionMetadata.txnStartTimestamp` is -1 (shown as None) until a transaction begins.
    let (start, duration) = if state == TxnState::Empty {
        ("None".to_string(), "None".to_string())
    } else {
        (txn.start_ms.to_string(), world.now().saturating_sub(txn.start_ms).to_string())
    };
    let partitions = txn.partitions.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    let row = vec![
        coordinator.to_string(),
        transactional_id.to_string(),
        txn.producer_id.to_string(),
        txn.producer_epoch.to_string(),
        state.name().to_string(),
        txn.timeout_ms.to_string(),
        start,
        duration,
        partitions,
    ];
    Output::out(pretty_print_table(
        &[
            "CoordinatorId",
            "TransactionalId",
            "ProducerId",
            "ProducerEpoch",
            "TransactionState",
            "TransactionTimeoutMs",
            "CurrentTransactionStartTimeMs",
            "TransactionDurationMs",
            "TopicPartitions",
        ],
        &[row],
    ))
}

/// `DescribeProducersCommand`: the producer state of the partition's leader (or `--broker-id`'s
/// replica): each producer's epoch, its last batch, and its open transaction.
fn describe_producers(world: &World, tp: TopicPartition, broker: Option<i32>) -> Output {
    let clause = broker.map_or("leader".to_string(), |b| format!("broker {b}"));
    let replica = match broker {
        None => cluster::leader_replica(world, &tp),
        Some(id) => world.broker(id).filter(|b| b.state != BrokerState::Dead).and_then(|b| b.durable.replicas.get(&tp)),
    };
    let Some(replica) = replica else {
        return failed(
            format!("Failed to describe producers for partition {tp} on {clause}"),
            if broker.is_some() && world.metadata().partition(&tp).is_some() {
                "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition."
            } else {
                "This server does not host this topic-partition."
            },
        );
    };
    let open: Vec<(i64, i64)> = replica.txn_state.ongoing().collect();
    let rows: Vec<Vec<String>> = replica
        .producer_state
        .producers()
        .map(|(producer_id, entry)| {
            let last = entry.batches.back();
            // `ProducerStateEntry.lastTimestamp`: the max timestamp of the producer's last batch.
            let last_timestamp = last
                .and_then(|b| replica.log.batches().find(|s| s.batch.last_offset() == b.last_offset))
                .map_or(-1, |s| s.batch.max_timestamp);
            let start = open.iter().find(|(p, _)| p == producer_id).map(|(_, first)| first.to_string());
            vec![
                producer_id.to_string(),
                entry.producer_epoch.to_string(),
                replica.txn_state.coordinator_epoch(*producer_id).unwrap_or(-1).to_string(),
                last.map_or(-1, |b| b.last_sequence).to_string(),
                last_timestamp.to_string(),
                start.unwrap_or_else(|| "None".to_string()),
            ]
        })
        .collect();
    Output::out(pretty_print_table(
        &[
            "ProducerId",
            "ProducerEpoch",
            "LatestCoordinatorEpoch",
            "LastSequence",
            "LastTimestamp",
            "CurrentTransactionStartOffset",
        ],
        &rows,
    ))
}
