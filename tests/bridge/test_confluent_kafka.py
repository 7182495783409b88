"""confluent-kafka (librdkafka) against `kafkalab broker`: the same acceptance as kafka-python's:
a topic with 3 partitions and RF 3, 1,000 keyed records with acks=all and idempotence, a group
of two consumers that rebalances when one leaves, commits, exactly once in order per key, and
the group described."""
import time

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions

from confluent_flow import create_topic_and_produce
from harness import broker, check, check_exactly_once_in_key_order, run_group

RECORDS = 1000
KEYS = 10
TOPIC = "payments"
GROUP = "ledger"


def consume(bootstrap, name, received, lock, stop, leave_after=None):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": GROUP,
        "client.id": name,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 1000,
    })
    consumer.subscribe([TOPIC])
    mine = 0
    try:
        while not stop.is_set():
            records = consumer.consume(num_messages=20, timeout=0.5)
            for r in records:
                check(r.error() is None, f"{name}: {r.error()}")
                with lock:
                    received.append((name, r.key().decode(), int(r.value().decode()), r.partition(), r.offset()))
                mine += 1
            if records:
                consumer.commit(asynchronous=False)
                time.sleep(0.05)
            if leave_after is not None and mine >= leave_after:
                return mine
    finally:
        consumer.close()
    return mine


def main():
    with broker(offset=10) as (bootstrap_list, _, log):
        bootstrap = ",".join(bootstrap_list)
        admin = create_topic_and_produce(bootstrap, TOPIC, RECORDS, KEYS)

        received, results, stop, stayer = run_group(consume, bootstrap, RECORDS)
        groups = admin.describe_consumer_groups([GROUP])
        description = groups[GROUP].result(timeout=30)
        committed = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP)])
        offsets = committed[GROUP].result(timeout=30).topic_partitions
        stop.set()
        stayer.join(timeout=30)

        check_exactly_once_in_key_order(received, results, RECORDS)
        state = str(description.state)
        check("STABLE" in state.upper(), f"the group is Stable after the rebalance: {state}")
        members = [m.client_id for m in description.members]
        check(members == ["consumer-1"], f"one member is left after consumer-2 left: {members}")
        total = sum(tp.offset for tp in offsets if tp.topic == TOPIC)
        check(total == RECORDS, f"the group committed every record: {total}")
        print(f"confluent-kafka: {RECORDS} records produced (acks=all, idempotent) and consumed exactly once "
              f"by a group of two (consumer-2 took {results['c2']} then left); group {state}")


if __name__ == "__main__":
    main()
