"""kafka-python's gzip batches through `kafkalab broker`: the log stores them compressed (Kafka's
framing, the engine's codec) and a consumer reads every record back, in order."""
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from harness import broker, check

RECORDS = 200
TOPIC = "zipped"


def main():
    with broker(offset=30) as (bootstrap, _process, log):
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="admin")
        admin.create_topics([NewTopic(TOPIC, num_partitions=1, replication_factor=3)])
        admin.close()
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip", linger_ms=20)
        for n in range(RECORDS):
            producer.send(TOPIC, key=f"k{n % 5}".encode(), value=f"value-{n}".encode())
        producer.flush()
        producer.close()
        consumer = KafkaConsumer(
            TOPIC, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=10000
        )
        values = [r.value.decode() for r in consumer]
        consumer.close()
        check(values == [f"value-{n}" for n in range(RECORDS)], f"read back {len(values)} records (log: {log})")
        print(f"compression: {RECORDS} gzip records produced and read back in order")


if __name__ == "__main__":
    main()
