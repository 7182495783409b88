//! The read-only tools. Sources (apache/kafka trunk 2024-10): `tools/.../GetOffsetShell.java`
//! (`topic:partition:offset` lines; -1 latest, -2 earliest, -3 max-timestamp),
//! `tools/.../MetadataQuorumCommand.java` (`handleDescribeStatus`'s aligned labels, the
//! `--replication` table), `tools/.../FeatureCommand.java` (`Feature: %s\tSupportedMinVersion: ...`),
//! `core/.../kafka/tools/DumpLogSegments.scala` (`printBatchLevel` and the `| offset:` record
//! lines), `core/.../kafka/admin/ConfigCommand.scala` (`Dynamic configs for topic X are:`).

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
    assert_eq!(outs[4].status, 1);
    assert!(outs[4].stderr.contains("not simulated yet"));
}
