//! What several tools share (bootstrap servers, topic ids, the leader's log), and the small
//! read-only tools: `kafka-get-offsets`, `kafka-metadata-quorum`, `kafka-features`,
//! `kafka-dump-log`.

use crate::args::{self, flag, with_value, Opt};
use crate::{Output, Session};
use kafkalab_engine::broker::replica::Replica;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::World;
use std::collections::BTreeMap;

/// The release whose output formats this crate reproduces.
pub const KAFKA_VERSION: &str = "4.0.0";

/// The start every tool shares: its options parsed, or `--help` (the tool's one-line purpose and
/// its option table, [`Output::help`]) and `--version` answered. `Err` is the output to print
/// instead of running.
pub fn parse_tool_args(spec: &[Opt], argv: &[String], purpose: &str) -> Result<args::Parsed, Output> {
    let opts = args::parse(spec, argv).map_err(Output::usage_error)?;
    if argv.is_empty() || opts.has("help") {
        return Err(Output::help(purpose, spec));
    }
    if opts.has("version") {
        return Err(Output::out(format!("{KAFKA_VERSION}\n")));
    }
    Ok(opts)
}

/// Partition numbers per topic, topics and partitions in order (Kafka's assignment strings).
pub fn partitions_by_topic<'a>(
    partitions: impl IntoIterator<Item = &'a TopicPartition>,
) -> BTreeMap<&'a str, Vec<i32>> {
    let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for tp in partitions {
        by_topic.entry(&tp.topic).or_default().push(tp.partition);
    }
    for partitions in by_topic.values_mut() {
        partitions.sort();
    }
    by_topic
}

/// One line for a command this simulator cannot run yet (exit status 1).
pub fn not_simulated(what: &str) -> Output {
    Output::usage_error(format!("kafkalab: {what} is not simulated yet"))
}

/// `--bootstrap-server host:port[,host:port]`: any listed address reaches the simulated
/// cluster (`localhost:9092`, `kafka:9092`, `broker-2:9093`, ...); a malformed one is Kafka's error.
pub fn check_bootstrap(_session: &Session<'_>, servers: &str) -> Result<(), Output> {
    for server in servers.split(',').map(str::trim) {
        let valid = server.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !valid {
            return Err(Output::usage_error(format!("Invalid url in bootstrap.servers: {server}")));
        }
    }
    Ok(())
}

/// Kafka's `IncludeList`: a Java regex over topic names; here `.*`, `*`-free names, and `a|b`.
pub fn include_list_matches(pattern: &str, topic: &str) -> bool {
    // `TopicFilter`: commas are alternatives too, spaces and surrounding quotes are dropped.
    let pattern = pattern.trim().replace(',', "|").replace(' ', "");
    let pattern = pattern.trim_matches(|c| c == '"' || c == '\'');
    pattern.split('|').any(|alt| match alt.strip_suffix(".*") {
        Some(prefix) => topic.starts_with(prefix),
        None => alt == topic,
    })
}

/// A stable topic id in Kafka's text form (URL-safe base64 of 16 bytes, no padding), derived
/// from the name: the simulation has no random UUIDs.
pub fn topic_id(name: &str) -> String {
    let mut bytes = [0u8; 16];
    let (mut a, mut b) = (0xcbf2_9ce4_8422_2325u64, 0x8422_2325_cbf2_9ce4u64);
    for byte in name.bytes() {
        a = (a ^ byte as u64).wrapping_mul(0x100_0000_01b3);
        b = (b ^ byte as u64).wrapping_mul(0x1000_0000_0000_01b3 ^ 0x2d);
    }
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes());
    base64_url(&bytes)
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Broker ids as Kafka's tools print a replica list or an ISR: `1,2,3`.
pub fn join(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// The partition's replica on its current leader, where clients read and ListOffsets answers.
pub fn leader_replica<'w>(world: &'w World, tp: &TopicPartition) -> Option<&'w Replica> {
    let leader = world.metadata().partition(tp)?.leader;
    world.broker(leader)?.durable.replicas.get(tp)
}

/// `ListOffsets` for the latest offset: the high watermark (read_uncommitted), as the admin client reads it.
pub fn latest_offset(world: &World, tp: &TopicPartition) -> Option<i64> {
    leader_replica(world, tp).map(|r| r.high_watermark)
}

pub fn earliest_offset(world: &World, tp: &TopicPartition) -> Option<i64> {
    leader_replica(world, tp).map(|r| r.log.log_start_offset())
}

/// `GetOffsetShell.GetOffsetShellOptions`' option table as Kafka defines it (apache/kafka trunk at 1eb7644, 2024-10-25,
/// 4.0.0-SNAPSHOT): what the parser accepts and what `--help` prints.
const GET_OFFSETS_SPEC: &[Opt] = &[
    with_value("bootstrap-server", "REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.").arg("HOST1:PORT1,...,HOST3:PORT3"),
    with_value("command-config", "Property file containing configs to be passed to Admin Client.").arg("config file"),
    flag("exclude-internal-topics", "By default, internal topics are included. If specified, internal topics are excluded."),
    flag("help", "Print usage information."),
    with_value("partitions", "Comma separated list of partition ids to get the offsets for. If not present, all partitions of the authorized topics are queried. Cannot be used if --topic-partitions is present.").arg("partition ids"),
    with_value("time", "timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently committed record timestamp is given.]").arg("<timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered").default("latest"),
    with_value("topic", "The topic to get the offsets for. It also accepts a regular expression. If not present, all authorized topics are queried. Cannot be used if --topic-partitions is present.").arg("topic"),
    with_value("topic-partitions", "Comma separated list of topic-partition patterns to get the offsets for, with the format of '([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?'. The first group is an optional regex for the topic name, if omitted, it matches any topic name. The section after ':' describes a 'partition' pattern, which can be: a number, a range in the format of 'NUMBER-NUMBER' (lower inclusive, upper exclusive), an inclusive lower bound in the format of 'NUMBER-', an exclusive upper bound in the format of '-NUMBER' or may be omitted to accept all partitions.").arg("topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3"),
    flag("version", "Display Kafka version."),
];

/// `kafka-get-offsets.sh` (`GetOffsetShell`): `topic:partition:offset` lines.
pub fn get_offsets(session: &mut Session<'_>, argv: &[String]) -> Output {
    let opts = match args::parse(GET_OFFSETS_SPEC, argv) {
        Ok(o) => o,
        Err(e) => return Output::usage_error(e),
    };
    if opts.has("help") {
        return Output::help("An interactive shell for getting topic-partition offsets.", GET_OFFSETS_SPEC);
    }
    let Some(bootstrap) = opts.value("bootstrap-server") else {
        return Output::usage_error("Missing required argument \"[bootstrap-server]\"");
    };
    if let Err(e) = check_bootstrap(session, bootstrap) {
        return e;
    }
    let time = match opts.value("time").unwrap_or("latest") {
        "latest" | "-1" => -1,
        "earliest" | "-2" => -2,
        "max-timestamp" | "-3" => -3,
        other => match other.parse::<i64>() {
            Ok(t) => t,
            Err(_) => {
                return Output::usage_error(format!(
                    "Malformed time argument {other}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp, or a specified long format timestamp"
                ))
            }
        },
    };
    let partitions: Option<Vec<i32>> = match opts.value("partitions") {
        None => None,
        Some(list) => match list.split(',').map(|p| p.trim().parse::<i32>()).collect() {
            Ok(p) => Some(p),
            Err(_) => return Output::usage_error(format!("Invalid partition '{list}'")),
        },
    };
    let world = session.world();
    let mut out = String::new();
    for (tp, _) in world.metadata().partitions() {
        if opts.has("exclude-internal-topics") && tp.topic.starts_with("__") {
            continue;
        }
        if !opts.value("topic").is_none_or(|t| include_list_matches(t, &tp.topic)) {
            continue;
        }
        if !partitions.as_ref().is_none_or(|p| p.contains(&tp.partition)) {
            continue;
        }
        let Some(replica) = leader_replica(world, &tp) else { continue };
        let offset = match time {
            -1 => Some(replica.high_watermark),
            -2 => Some(replica.log.log_start_offset()),
            -3 => replica
                .log
                .batches()
                .flat_map(|b| {
                    b.batch
                        .records
                        .iter()
                        .map(move |r| (b.batch.timestamp_of(r), b.batch.base_offset + r.offset_delta as i64))
                })
                .filter(|(_, o)| *o < replica.high_watermark)
                .max_by_key(|(t, _)| *t)
                .map(|(_, o)| o),
            t => replica.log.offset_for_timestamp(t).map(|found| found.offset).filter(|o| *o < replica.high_watermark),
        };
        if let Some(offset) = offset {
            out.push_str(&format!("{}:{}:{offset}\n", tp.topic, tp.partition));
        }
    }
    if out.is_empty() {
        return Output {
            stderr: "Error occurred: Could not match any topic-partitions with the specified filters\n".into(),
            status: 1,
            ..Default::default()
        };
    }
    Output::out(out)
}

/// `kafka-metadata-quorum.sh describe --status | --replication` (`MetadataQuorumCommand`).
pub fn metadata_quorum(session: &mut Session<'_>, argv: &[String]) -> Output {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    let Some(bootstrap_at) = words.iter().position(|w| *w == "--bootstrap-server" || *w == "--bootstrap-controller")
    else {
        return Output::usage_error(
            "kafka-metadata-quorum: error: one of the arguments --bootstrap-server --bootstrap-controller is required",
        );
    };
    if words.get(bootstrap_at + 1).is_none() {
        return Output::usage_error(format!(
            "kafka-metadata-quorum: error: argument {}: expected one argument",
            words[bootstrap_at]
        ));
    }
    let rest: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != bootstrap_at && *i != bootstrap_at + 1)
        .map(|(_, w)| *w)
        .collect();
    let world = session.world();
    let Some(leader) = world.active_controller().and_then(|id| world.broker(id)) else {
        return Output::usage_error("org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum");
    };
    let raft = &leader.raft;
    let leo = |id: i32| {
        world.broker(id).map_or(-1, |b| {
            if b.state == kafkalab_engine::broker::BrokerState::Dead {
                -1
            } else {
                b.raft.log_end_offset()
            }
        })
    };
    match rest.as_slice() {
        ["describe", "--status"] => {
            let min_leo = raft.voters.iter().map(|v| leo(*v)).min().unwrap_or(0);
            let voters: Vec<String> = raft
                .voters
                .iter()
                .map(|v| {
                    format!(
                        "{{\"id\": {v}, \"directoryId\": \"{}\", \"endpoints\": [\"CONTROLLER://localhost:{}\"]}}",
                        topic_id(&format!("dir-{v}")),
                        9093 + 10 * (*v - 1)
                    )
                })
                .collect();
            let observers: Vec<String> = world
                .brokers()
                .filter(|b| !raft.voters.contains(&b.id))
                .map(|b| format!("{{\"id\": {}, \"directoryId\": \"{}\"}}", b.id, topic_id(&format!("dir-{}", b.id))))
                .collect();
            Output::out(format!(
                "ClusterId:              {}\nLeaderId:               {}\nLeaderEpoch:            {}\nHighWatermark:          {}\nMaxFollowerLag:         {}\nMaxFollowerLagTimeMs:   0\nCurrentVoters:          [{}]\nCurrentObservers:       [{}]\n",
                topic_id("kafkalab-cluster"),
                leader.id,
                raft.durable.epoch,
                raft.durable.high_watermark,
                raft.log_end_offset() - min_leo,
                voters.join(", "),
                observers.join(", ")
            ))
        }
        ["describe", "--replication"] => {
            let mut rows = vec![[
                "NodeId",
                "DirectoryId",
                "LogEndOffset",
                "Lag",
                "LastFetchTimestamp",
                "LastCaughtUpTimestamp",
                "Status",
            ]
            .map(String::from)
            .to_vec()];
            for b in world.brokers() {
                let status = if b.id == leader.id {
                    "Leader"
                } else if raft.voters.contains(&b.id) {
                    "Follower"
                } else {
                    "Observer"
                };
                let end = leo(b.id);
                rows.push(vec![
                    b.id.to_string(),
                    topic_id(&format!("dir-{}", b.id)),
                    end.to_string(),
                    (raft.log_end_offset() - end).max(0).to_string(),
                    world.now().to_string(),
                    world.now().to_string(),
                    status.to_string(),
                ]);
            }
            Output::out(table(&rows))
        }
        ["describe", ..] => {
            Output::usage_error("kafka-metadata-quorum: error: one of the arguments --status --replication is required")
        }
        _ => Output::usage_error("kafka-metadata-quorum: error: too few arguments"),
    }
}

/// Kafka's `ToolsUtils.prettyPrintTable`: columns padded to their widest cell, separated by tabs.
fn table(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(cells.join("\t").trim_end());
        out.push('\n');
    }
    out
}

/// `kafka-features.sh describe`: the finalized features of a fresh Kafka 4.0 cluster, with
/// `eligible.leader.replicas.version` as the cluster runs it (1 on new clusters since 4.1).
pub fn features(session: &mut Session<'_>, argv: &[String]) -> Output {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    if !words.iter().any(|w| *w == "--bootstrap-server" || *w == "--bootstrap-controller") {
        return Output::usage_error(
            "kafka-features: error: one of the arguments --bootstrap-server --bootstrap-controller is required",
        );
    }
    if !words.contains(&"describe") {
        return not_simulated("kafka-features (only `describe` is)");
    }
    let epoch = session
        .world()
        .active_controller()
        .and_then(|id| session.world().broker(id))
        .map_or(0, |b| b.raft.durable.high_watermark);
    let elr = session.world().config().broker.controller.eligible_leader_replicas_version;
    Output::out(format!(
        "Feature: eligible.leader.replicas.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\tFinalizedVersionLevel: {elr}\tEpoch: {epoch}\n\
         Feature: group.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\tFinalizedVersionLevel: 1\tEpoch: {epoch}\n\
         Feature: kraft.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\tFinalizedVersionLevel: 0\tEpoch: {epoch}\n\
         Feature: metadata.version\tSupportedMinVersion: 3.3-IV3\tSupportedMaxVersion: 4.0-IV3\tFinalizedVersionLevel: 4.0-IV3\tEpoch: {epoch}\n\
         Feature: transaction.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 2\tFinalizedVersionLevel: 2\tEpoch: {epoch}\n"
    ))
}

const DUMP_LOG_SPEC: &[Opt] = &[
    flag("deep-iteration", "if set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled."),
    with_value("files", "REQUIRED: The comma separated list of data and index log files to be dumped."),
    flag("help", "Print usage information."),
    flag("print-data-log", "If set, printing the messages content when dumping data logs. Automatically set if any decoder option is specified."),
    flag("verify-index-only", "If set, just verify the index log without printing its content."),
    flag("version", "Display Kafka version."),
];

/// `kafka-dump-log.sh --files /var/lib/kafka/data/TOPIC-P/00000000000000000000.log`: the batches
/// of that segment on the partition's leader, as `DumpLogSegments` prints them.
pub fn dump_log(session: &mut Session<'_>, argv: &[String]) -> Output {
    let opts = match args::parse(DUMP_LOG_SPEC, argv) {
        Ok(o) => o,
        Err(e) => return Output::usage_error(e),
    };
    let Some(files) = opts.value("files") else {
        return Output::usage_error("Missing required argument \"[files]\"");
    };
    let world = session.world();
    let mut out = String::new();
    for file in files.split(',') {
        out.push_str(&format!("Dumping {file}\n"));
        let mut parts = file.rsplit('/');
        let (Some(name), Some(dir)) = (parts.next(), parts.next()) else {
            return Output::usage_error(format!(
                "kafkalab: {file} is not a segment file (DIR/TOPIC-PARTITION/OFFSET.log)"
            ));
        };
        let Some(base) = name.strip_suffix(".log").and_then(|b| b.parse::<i64>().ok()) else {
            return not_simulated(&format!("dumping `{name}` (only .log segments are)"));
        };
        let Some((topic, partition)) = dir.rsplit_once('-').and_then(|(t, p)| p.parse::<i32>().ok().map(|p| (t, p)))
        else {
            return Output::usage_error(format!("kafkalab: {dir} is not a TOPIC-PARTITION directory"));
        };
        let tp = TopicPartition::new(topic.to_string(), partition);
        let Some(segment) =
            leader_replica(world, &tp).and_then(|r| r.log.segments().iter().find(|s| s.base_offset() == base))
        else {
            return Output {
                stdout: out,
                stderr: format!("Exception in thread \"main\" java.nio.file.NoSuchFileException: {file}\n"),
                status: 1,
            };
        };
        out.push_str("Log starting offset: ");
        out.push_str(&format!("{base}\n"));
        for stored in segment.batches() {
            let b = &stored.batch;
            out.push_str(&format!(
                "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} producerId: {} producerEpoch: {} partitionLeaderEpoch: {} isTransactional: {} isControl: {} deleteHorizonMs: OptionalLong.empty position: {} CreateTime: {} size: {} magic: 2 compresscodec: {} crc: {} isvalid: true\n",
                b.base_offset,
                b.base_offset + b.last_offset_delta as i64,
                b.records.len(),
                b.base_sequence,
                if b.base_sequence < 0 { -1 } else { b.base_sequence + b.last_offset_delta },
                b.producer_id,
                b.producer_epoch,
                b.partition_leader_epoch,
                b.is_transactional(),
                b.is_control(),
                stored.position,
                b.max_timestamp,
                stored.size_in_bytes,
                b.compression().name(),
                crc(b)
            ));
            if opts.has("print-data-log") {
                for r in &b.records {
                    let text =
                        |bytes: &Option<Vec<u8>>| bytes.as_ref().map(|v| String::from_utf8_lossy(v).into_owned());
                    let mut line = format!(
                        "| offset: {} CreateTime: {} keySize: {} valueSize: {} sequence: {} headerKeys: [{}]",
                        b.base_offset + r.offset_delta as i64,
                        b.timestamp_of(r),
                        r.record.key.as_ref().map_or(-1, |k| k.len() as i64),
                        r.record.value.as_ref().map_or(-1, |v| v.len() as i64),
                        if b.base_sequence < 0 { -1 } else { b.base_sequence + r.offset_delta },
                        r.record.headers.iter().map(|h| h.key.clone()).collect::<Vec<_>>().join(",")
                    );
                    if let Some(key) = text(&r.record.key) {
                        line.push_str(&format!(" key: {key}"));
                    }
                    if let Some(value) = text(&r.record.value) {
                        line.push_str(&format!(" payload: {value}"));
                    }
                    out.push_str(&line);
                    out.push('\n');
                }
            }
        }
    }
    Output::out(out)
}

/// The CRC-32C a batch carries in its header (bytes 17..21 of its encoding).
fn crc(batch: &kafkalab_engine::log::RecordBatch) -> u32 {
    let bytes = batch.encode();
    u32::from_be_bytes([bytes[17], bytes[18], bytes[19], bytes[20]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_ids_look_like_kafka_uuids() {
        let id = topic_id("orders");
        assert_eq!(id.len(), 22);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(id, topic_id("payments"));
    }

    #[test]
    fn include_lists() {
        assert!(include_list_matches("orders|pay.*", "payments"));
        assert!(!include_list_matches("orders", "orders2"));
    }
}
