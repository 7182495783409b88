//! The read-only tools. Sources (apache/kafka trunk 2024-10): `tools/.../GetOffsetShell.java`
//! (`topic:partition:offset` lines; -1 latest, -2 earliest, -3 max-timestamp),
//! `tools/.../MetadataQuorumCommand.java` (`handleDescribeStatus`'s aligned labels, the
//! `--replication` table), `tools/.../FeatureCommand.java` (`Feature: %s\tSupportedMinVersion: ...`),
//! `core/.../kafka/tools/DumpLogSegments.scala` (`printBatchLevel` and the `| offset:` record
//! lines), `core/.../kafka/admin/ConfigCommand.scala` (`Dynamic configs for topic X are:`; Kafka 4.x
//! `alterConfig`: `Completed updating config for ${entityType.dropRight(1)} $name.` and
//! `Completed updating default config for $entityType in the cluster.`, `alterResourceConfig`'s
//! `Invalid config(s): …`, `parseConfigsToBeAdded`'s `Invalid entity config: …` and
//! `Invalid character found for config key: …`, `checkArgs`' messages; `describeResourceConfig`'s
//! `Default configs for brokers in the cluster are:`), and for the server's refusals
//! `storage/.../LogConfig.validateNames` (`Unknown topic config name: …`) and `ConfigDef`'s
//! `Invalid value V for configuration K: Not a number of type INT` / `Value must be at least N`.

use super::common::{last, script};

const SETUP: &str =
    "kafka-topics.sh --create --topic t --bootstrap-server localhost:9092 --partitions 2 --config retention.ms=60000
printf 'a\\nb\\nc\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic t
";

#[test]
fn get_offsets() {
    let outs = script(&format!(
        "{SETUP}kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic t --time -2\nkafka-get-offsets.sh --bootstrap-server localhost:9092 --topic t\nkafka-get-offsets.sh --bootstrap-server localhost:9092 --topic t --partitions 1 --time latest\nkafka-get-offsets.sh --bootstrap-server localhost:9092 --topic nope\nkafka-get-offsets.sh --bootstrap-server localhost:9092 --topic t --time soon\n"
    ));
    assert_eq!(outs[2].stdout, "t:0:0\nt:1:0\n");
    let latest: Vec<i64> = outs[3].stdout.lines().map(|l| l.rsplit(':').next().unwrap().parse().unwrap()).collect();
    assert_eq!(latest.iter().sum::<i64>(), 3, "{}", outs[3].stdout);
    assert_eq!(outs[4].stdout, format!("t:1:{}\n", latest[1]));
    assert_eq!(
        (outs[5].stderr.as_str(), outs[5].status),
        ("Error occurred: Could not match any topic-partitions with the specified filters\n", 1)
    );
    assert!(outs[6].stderr.starts_with("Malformed time argument soon."));
}

#[test]
fn metadata_quorum_status() {
    let out = last("kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status\n");
    let labels: Vec<&str> = out.stdout.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "ClusterId",
            "LeaderId",
            "LeaderEpoch",
            "HighWatermark",
            "MaxFollowerLag",
            "MaxFollowerLagTimeMs",
            "CurrentVoters",
            "CurrentObservers"
        ]
    );
    assert!(out.stdout.contains("\nLeaderId:               1\n"), "{}", out.stdout);
    assert!(out.stdout.contains("CurrentVoters:          [{\"id\": 1, \"directoryId\": "));
    let out = last("kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --replication\n");
    let header: Vec<&str> = out.stdout.lines().next().unwrap().split('\t').map(str::trim).collect();
    assert_eq!(
        header,
        ["NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status"]
    );
    assert_eq!(out.stdout.lines().count(), 4);
    let out = last("kafka-metadata-quorum.sh describe --status\n");
    assert_eq!(out.status, 1);
}

#[test]
fn features_describe() {
    let out = last("kafka-features.sh --bootstrap-server localhost:9092 describe\n");
    let metadata = out.stdout.lines().find(|l| l.starts_with("Feature: metadata.version\t")).unwrap();
    assert!(metadata.starts_with(
        "Feature: metadata.version\tSupportedMinVersion: 3.3-IV3\tSupportedMaxVersion: 4.0-IV3\tFinalizedVersionLevel: 4.0-IV3\tEpoch: "
    ));
    // New clusters finalize eligible leader replicas since Kafka 4.1 (`EligibleLeaderReplicasVersion`).
    assert!(out.stdout.starts_with(
        "Feature: eligible.leader.replicas.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\tFinalizedVersionLevel: 1\t"
    ));
}

/// `--compression-codec lz4` reaches the log: kafka-dump-log prints the batch's codec and its
/// stored (compressed) size; without a value the console producer uses gzip.
#[test]
fn the_console_producers_codec_shows_in_dump_log() {
    for (flag, codec) in [("--compression-codec lz4", "lz4"), ("--compression-codec", "gzip"), ("", "none")] {
        let out = last(&format!(
            "kafka-topics.sh --create --topic z --bootstrap-server localhost:9092\nprintf 'a\\nb\\nc\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic z {flag}\nkafka-dump-log.sh --files /var/lib/kafka/data/z-0/00000000000000000000.log\n"
        ));
        let batch = out.stdout.lines().nth(2).unwrap_or_default();
        assert!(batch.contains(&format!(" magic: 2 compresscodec: {codec} crc: ")), "{flag}: {batch}");
    }
}

#[test]
fn dump_log_prints_batches_and_records() {
    let out = last(
        "kafka-topics.sh --create --topic d --bootstrap-server localhost:9092\nprintf 'k:v\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic d --property parse.key=true --property key.separator=:\nkafka-dump-log.sh --files /var/lib/kafka/data/d-0/00000000000000000000.log --print-data-log\n",
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "Dumping /var/lib/kafka/data/d-0/00000000000000000000.log");
    assert_eq!(lines[1], "Log starting offset: 0");
    assert!(
        lines[2].starts_with("baseOffset: 0 lastOffset: 0 count: 1 baseSequence: 0 lastSequence: 0 producerId: "),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(
        " isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: "
    ));
    assert!(
        lines[2].ends_with(" magic: 2 compresscodec: none crc: ".to_string().as_str())
            || lines[2].contains(" magic: 2 compresscodec: none crc: ")
    );
    assert!(lines[2].ends_with(" isvalid: true"));
    assert!(lines[3].starts_with("| offset: 0 CreateTime: "), "{}", lines[3]);
    assert!(
        lines[3].ends_with(" keySize: 1 valueSize: 1 sequence: 0 headerKeys: [] key: k payload: v"),
        "{}",
        lines[3]
    );
    let out = last("kafka-dump-log.sh --files /var/lib/kafka/data/none-0/00000000000000000000.log\n");
    assert_eq!(out.status, 1);
    let out = last("kafka-dump-log.sh\n");
    assert_eq!(out.stderr, "Missing required argument \"[files]\"\n");
}

#[test]
fn configs_describe() {
    let outs = script(&format!(
        "{SETUP}kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type topics --entity-name t\nkafka-configs.sh --bootstrap-server localhost:9092 --describe --broker 1\nkafka-configs.sh --bootstrap-server localhost:9092 --alter --topic t --add-config retention.ms=1000\n"
    ));
    assert_eq!(
        outs[2].stdout,
        "Dynamic configs for topic t are:\n  retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000}\n"
    );
    assert_eq!(outs[3].stdout, "Dynamic configs for broker 1 are:\n");
    assert_eq!((outs[4].stdout.as_str(), outs[4].status), ("Completed updating config for topic t.\n", 0));
}

#[test]
fn configs_alter_topics_and_brokers() {
    let kc = "kafka-configs.sh --bootstrap-server localhost:9092";
    let outs = script(&format!(
        "{SETUP}{kc} --alter --entity-type topics --entity-name t --add-config min.insync.replicas=1,cleanup.policy=[compact,delete]
{kc} --describe --topic t
{kc} --alter --topic t --delete-config retention.ms
{kc} --describe --topic t
{kc} --alter --broker 2 --add-config log.retention.ms=5000
{kc} --alter --broker-defaults --add-config unclean.leader.election.enable=true
{kc} --describe --entity-type brokers
{kc} --alter --entity-type brokers --entity-default --delete-config unclean.leader.election.enable
kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic t
"
    ));
    let configs = outs[10].stdout.lines().next().unwrap().rsplit("Configs: ").next().unwrap().to_string();
    assert_eq!(configs, "min.insync.replicas=1,cleanup.policy=compact,delete", "kafka-topics sees the change");
    assert_eq!(outs[2].stdout, "Completed updating config for topic t.\n");
    assert_eq!(
        outs[3].stdout,
        "Dynamic configs for topic t are:
  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete}
  min.insync.replicas=1 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:min.insync.replicas=1}
  retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000}
"
    );
    assert_eq!(outs[4].stdout, "Completed updating config for topic t.\n");
    assert!(!outs[5].stdout.contains("retention.ms"), "{}", outs[5].stdout);
    assert_eq!(outs[6].stdout, "Completed updating config for broker 2.\n");
    assert_eq!(outs[7].stdout, "Completed updating default config for brokers in the cluster.\n");
    assert_eq!(
        outs[8].stdout,
        "Dynamic configs for broker 1 are:
Dynamic configs for broker 2 are:
  log.retention.ms=5000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=5000}
Dynamic configs for broker 3 are:
Default configs for brokers in the cluster are:
  unclean.leader.election.enable=true sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:unclean.leader.election.enable=true}
"
    );
    assert_eq!(outs[9].stdout, "Completed updating default config for brokers in the cluster.\n");
}

#[test]
fn configs_alter_bad_input_gets_kafkas_messages() {
    let kc = "kafka-configs.sh --bootstrap-server localhost:9092";
    let outs = script(&format!(
        "{SETUP}{kc} --alter --topic t --add-config no.such=1
{kc} --alter --topic t --add-config min.insync.replicas=zero
{kc} --alter --topic t --add-config min.insync.replicas=0
{kc} --alter --topic t --delete-config segment.ms
{kc} --alter --topic t --add-config retention.ms
{kc} --alter --topic t
{kc} --alter --entity-type topics --add-config retention.ms=1
{kc} --alter --topic nope --add-config retention.ms=1
{kc} --alter --broker 1 --add-config broker.rack=a
{kc} --alter --topic t --add-config 'a b=1'
{kc} --alter --topic t --entity-type topics --add-config retention.ms=1
"
    ));
    let err = |i: usize| (outs[i].stderr.lines().last().unwrap_or_default().to_string(), outs[i].status);
    let args = |rest: &str| {
        format!("Error while executing config command with args '--bootstrap-server localhost:9092 {rest}'")
    };
    assert_eq!(outs[2].stderr.lines().next().unwrap(), args("--alter --topic t --add-config no.such=1"));
    assert_eq!(
        err(2),
        ("org.apache.kafka.common.errors.InvalidConfigurationException: Unknown topic config name: no.such".into(), 1)
    );
    assert_eq!(err(3).0, "org.apache.kafka.common.errors.InvalidConfigurationException: Invalid value zero for configuration min.insync.replicas: Not a number of type INT");
    assert_eq!(err(4).0, "org.apache.kafka.common.errors.InvalidConfigurationException: Invalid value 0 for configuration min.insync.replicas: Value must be at least 1");
    assert_eq!(err(5), ("Invalid config(s): segment.ms".into(), 1));
    assert!(err(6).0.starts_with("Invalid entity config: all configs to be added must be in the format \"key=val\""));
    assert_eq!(
        err(7).0,
        "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter"
    );
    assert_eq!(err(8).0, "An entity name must be specified with --alter of topics");
    assert_eq!(
        err(9).0,
        "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: The topic 'nope' does not exist."
    );
    assert!(err(10).0.ends_with("Cannot update these configs dynamically: Set(broker.rack)"), "{:?}", err(10));
    assert_eq!(err(11).0, "Invalid character found for config key: a b");
    assert_eq!(err(12).0, "--entity-{type,name,default} should not be used in conjunction with specific entity flags");
}
