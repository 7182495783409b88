"""kafka-python against `kafkalab broker`: a topic with 3 partitions and RF 3; 1,000 keyed
records produced with acks=all and idempotence; a group of two consumers that rebalances when
one leaves, committing as it goes; every record received exactly once, in order per key; the
group described and its offsets read by the admin client."""
import collections
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from harness import broker, check, check_exactly_once_in_key_order, run_group

RECORDS = 1000
KEYS = 10
TOPIC = "orders"
GROUP = "billing"


def consume(bootstrap, name, received, lock, stop, leave_after=None):
    consumer = KafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id=GROUP,
        client_id=name,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=20,
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
    )
    mine = 0
    try:
        while not stop.is_set():
            batches = consumer.poll(timeout_ms=500)
            for records in batches.values():
                for r in records:
                    with lock:
                        received.append((name, r.key.decode(), int(r.value.decode()), r.partition, r.offset))
                    mine += 1
            if batches:
                consumer.commit()
                # Slow enough that both members hold partitions for a while.
                time.sleep(0.05)
            if leave_after is not None and mine >= leave_after:
                return mine
    finally:
        # close(): LeaveGroup, so the group rebalances at once.
        consumer.close()
    return mine


def main():
    with broker(offset=0) as (bootstrap, _, log):
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="admin")
        admin.create_topics([NewTopic(TOPIC, 3, 3, topic_configs={"min.insync.replicas": "2"})])
        metadata_deadline = time.time() + 10
        while TOPIC not in admin.list_topics() and time.time() < metadata_deadline:
            time.sleep(0.1)
        check(TOPIC in admin.list_topics(), "the topic is listed after CreateTopics")

        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
        futures = []
        per_key = collections.Counter()
        for i in range(RECORDS):
            key = f"key-{i % KEYS}"
            futures.append(producer.send(TOPIC, key=key.encode(), value=str(per_key[key]).encode()))
            per_key[key] += 1
        producer.flush()
        metadata = [f.get(timeout=30) for f in futures]
        check(len(metadata) == RECORDS, "every send is acknowledged")
        check({m.partition for m in metadata} == {0, 1, 2}, "keys spread over the 3 partitions")
        producer.close()

        received, results, stop, stayer = run_group(consume, bootstrap, RECORDS)
        description = admin.describe_groups([GROUP])[GROUP]
        offsets = admin.list_group_offsets(GROUP)[GROUP]
        stop.set()
        stayer.join(timeout=30)

        check_exactly_once_in_key_order(received, results, RECORDS)
        names = {name for name, *_ in received}
        check(names == {"consumer-1", "consumer-2"}, f"both consumers received records: {names}")
        state = description["group_state"]
        check(state == "Stable", f"the group is Stable after the rebalance: {state}")
        members = [m["client_id"] for m in description["members"]]
        check(members == ["consumer-1"], f"one member is left after consumer-2 left: {members}")
        committed = sum(o.offset for o in offsets.values())
        check(committed == RECORDS, f"the group committed every record: {committed}")
        admin.close()
        print(f"kafka-python: {RECORDS} records produced (acks=all, idempotent) and consumed exactly once "
              f"by a group of two (consumer-2 took {results['c2']} then left); group {state}")


if __name__ == "__main__":
    main()
