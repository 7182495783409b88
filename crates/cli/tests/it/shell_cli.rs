//! `kafkalab shell`: the Kafka commands of the Korean primers in the project's seed folder,
//! pasted verbatim (continuations, the `docker compose … exec` prefix and all) into
//! `kafkalab shell --script -`, with what a real cluster prints. Where a primer says to type
//! input ("# 후 입력"), the script types it and ends it with `^D`.

use crate::common::{kafkalab, text};

fn shell(script: &str) -> (String, String, Option<i32>) {
    let out = kafkalab(&["shell", "--script", "-"], Some(script));
    (text(&out.stdout), text(&out.stderr), out.status.code())
}

/// Seed 001 (lines 26-47): a single-broker `apache/kafka` compose file, then create, produce,
/// consume from the beginning, delete.
#[test]
fn seed_001_docker_compose_quickstart() {
    let script = "docker compose -f docker-compose-kafka.yml up -d

# 생성
docker compose -f docker-compose-kafka.yml exec kafka \\
/opt/kafka/bin/kafka-topics.sh \\
--create --topic test-topic \\
--bootstrap-server localhost:9092 \\
--partitions 1 --replication-factor 1
# Producer 메세지 발행
docker compose -f docker-compose-kafka.yml exec -it kafka \\
/opt/kafka/bin/kafka-console-producer.sh \\
--bootstrap-server localhost:9092 --topic test-topic
hello kafka
^D
# Consumer 메세지 소비
docker compose -f docker-compose-kafka.yml exec -it kafka \\
/opt/kafka/bin/kafka-console-consumer.sh \\
--bootstrap-server localhost:9092 --topic test-topic --from-beginning
# 삭제
docker compose -f docker-compose-kafka.yml exec kafka \\
/opt/kafka/bin/kafka-topics.sh \\
--delete --topic test-topic \\
--bootstrap-server localhost:9092
";
    let (stdout, stderr, status) = shell(script);
    assert_eq!(
        stdout,
        "kafkalab: `docker compose -f docker-compose-kafka.yml up -d` manages containers; the simulated cluster is already running, so there is nothing to do.\nCreated topic test-topic.\nhello kafka\n"
    );
    // The consumer runs until stopped (Ctrl+C in a terminal), then reports its count; the
    // deletion prints nothing, as Kafka 4.x's TopicCommand.
    assert_eq!(stderr, "Processed a total of 1 messages\n");
    assert_eq!(status, Some(0));
}

/// Seed 002 (lines 68-81): Confluent's image, whose tools have no `.sh`, through `docker exec`.
#[test]
fn seed_002_docker_exec_confluent_tools() {
    let script = "docker-compose up -d
docker exec -it kafka kafka-topics --create --topic question-events --bootstrap-server localhost:9092 --partitions 3 --replication-factor 1
docker exec -it kafka kafka-topics --list --bootstrap-server localhost:9092
docker exec -it kafka kafka-topics --describe --topic question-events --bootstrap-server localhost:9092
docker exec -it kafka kafka-console-producer --topic question-events --bootstrap-server localhost:9092
첫 질문
^D
docker exec -it kafka kafka-console-consumer --topic question-events --from-beginning --bootstrap-server localhost:9092
";
    let (stdout, stderr, status) = shell(script);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("kafkalab: `docker-compose up -d` manages containers"));
    assert_eq!(lines[1], "Created topic question-events.");
    assert_eq!(lines[2], "question-events");
    assert!(lines[3].starts_with("Topic: question-events\tTopicId: "), "{}", lines[3]);
    assert!(lines[3].ends_with("\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: "), "{}", lines[3]);
    for (i, line) in lines[4..7].iter().enumerate() {
        assert!(line.starts_with(&format!("\tTopic: question-events\tPartition: {i}\tLeader: ")), "{line}");
        assert!(line.ends_with("\tElr: \tLastKnownElr: "), "{line}");
    }
    assert_eq!(lines[7], "첫 질문");
    assert_eq!(lines.len(), 8);
    assert_eq!(stderr, "Processed a total of 1 messages\n");
    assert_eq!(status, Some(0));
}

/// Seed 004 (lines 35-39 and 388-390): a topic for orders, then the lag of a group that has
/// not consumed yet.
#[test]
fn seed_004_topic_and_group_lag() {
    let script = "kafka-topics --create \\
  --topic orders \\
  --bootstrap-server localhost:9092 \\
  --partitions 3 \\
  --replication-factor 2
kafka-consumer-groups --bootstrap-server localhost:9092 \\
  --group order-service \\
  --describe
";
    let (stdout, stderr, status) = shell(script);
    assert_eq!(stdout, "Created topic orders.\n\nError: Consumer group 'order-service' does not exist.\n");
    assert_eq!((stderr.as_str(), status), ("", Some(0)));
}

#[test]
fn shell_reads_a_script_file_and_a_scenario() {
    let dir = std::env::temp_dir().join(format!("kafkalab-shell-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("script.sh");
    std::fs::write(&path, "kafka-topics.sh --list --bootstrap-server localhost:9092 --exclude-internal\n").unwrap();
    let out = kafkalab(&["shell", "--scenario", "demo", "--script", path.to_str().unwrap()], None);
    assert_eq!(text(&out.stdout), "orders\n");
    assert_eq!(out.status.code(), Some(0));
    let out = kafkalab(&["shell", "--scenario", "no-such-scenario", "--script", "-"], Some(""));
    assert!(text(&out.stderr).starts_with("kafkalab: no scenario file or built-in scenario `no-such-scenario`"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn interactive_shell_prompts_on_stderr() {
    let out = kafkalab(
        &["shell"],
        Some("kafka-topics.sh --create --topic t \\\n --bootstrap-server localhost:9092\nnot-a-tool\n"),
    );
    assert_eq!(text(&out.stdout), "Created topic t.\n");
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("kafkalab> "), "{stderr}");
    assert!(stderr.contains("kafkalab: not-a-tool: command not found here"), "{stderr}");
    assert_eq!(out.status.code(), Some(127));
}
