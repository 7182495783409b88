"""The first half of the acceptance flow with confluent-kafka, shared by the classic-group and the
consumer-protocol tests: a topic with 3 partitions and RF 3 (min.insync.replicas=2), then keyed
records produced with acks=all and idempotence, each key's values counting up from 0."""
import collections
import time

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from harness import check


def create_topic_and_produce(bootstrap, topic, records, keys):
    """Creates `topic`, produces `records` records over `keys` keys; returns the admin client."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, 3, 3, config={"min.insync.replicas": "2"})])
    futures[topic].result(timeout=30)
    deadline = time.time() + 10
    while topic not in admin.list_topics(timeout=5).topics and time.time() < deadline:
        time.sleep(0.1)
    described = admin.list_topics(timeout=5).topics[topic]
    check(len(described.partitions) == 3, "3 partitions")
    check(all(len(p.replicas) == 3 for p in described.partitions.values()), "RF 3")

    acked, errors = [], []

    def delivered(error, message):
        (errors if error else acked).append(error or message.partition())

    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 5})
    per_key = collections.Counter()
    for i in range(records):
        key = f"key-{i % keys}"
        producer.produce(topic, key=key.encode(), value=str(per_key[key]).encode(), on_delivery=delivered)
        per_key[key] += 1
        producer.poll(0)
    check(producer.flush(60) == 0, "every record delivered within 60 s")
    check(not errors, f"no delivery errors: {errors[:3]}")
    check(len(acked) == records and set(acked) == {0, 1, 2}, "every record acknowledged, over 3 partitions")
    return admin
