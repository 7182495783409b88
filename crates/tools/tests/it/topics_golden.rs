//! `kafka-topics.sh`. Formats from Kafka's `tools/src/main/java/org/apache/kafka/tools/TopicCommand.java`
//! (apache/kafka trunk, 2024-10, the 4.0 line): `createTopic` prints `Created topic X.`,
//! `TopicDescription.printDescription` and `PartitionDescription.printDescription` the tab-separated
//! describe lines, `printException` prefixes failures with `Error while executing topic command : `.

use super::common::last;

const CREATE: &str =
    "kafka-topics.sh --create --topic orders --bootstrap-server localhost:9092 --partitions 3 --replication-factor 2\n";

#[test]
fn create_prints_created_topic() {
    let out = last(CREATE);
    assert_eq!(out.stdout, "Created topic orders.\n");
    assert_eq!((out.stderr.as_str(), out.status), ("", 0));
}
