"""confluent-kafka (librdkafka) with `group.protocol=consumer` (KIP-848) against `kafkalab broker`:
the acceptance flow of test_confluent_kafka.py, with the group run by ConsumerGroupHeartbeat and
the broker-side assignor instead of JoinGroup/SyncGroup. A topic with 3 partitions and RF 3,
1,000 keyed records with acks=all and idempotence, two consumers that both get partitions from
the server-side assignor, one leaves and the other takes its partitions over, commits (OffsetCommit
with the member epoch), exactly once in order per key, and the group listed and described as a
consumer-protocol group (ListGroups v5, ConsumerGroupDescribe)."""
import collections
import threading
import time

from confluent_kafka import ConsumerGroupTopicPartitions, ConsumerGroupType, Consumer

from confluent_flow import create_topic_and_produce
from harness import broker, check, check_exactly_once_in_key_order, run_group

RECORDS = 1000
KEYS = 10
TOPIC = "settlements"
GROUP = "clearing"

# What each consumer owns now (librdkafka's incremental assign and revoke callbacks), and each
# moment at which both owned partitions: (consumer-1's, consumer-2's).
owned = collections.defaultdict(set)
shared = []
owned_lock = threading.Lock()


def consume(bootstrap, name, received, lock, stop, leave_after=None):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": GROUP,
        "group.protocol": "consumer",
        "group.remote.assignor": "uniform",
        "client.id": name,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })

    def changed(partitions, add):
        with owned_lock:
            for p in partitions:
                (owned[name].add if add else owned[name].discard)(p.partition)
            if owned["consumer-1"] and owned["consumer-2"]:
                shared.append((sorted(owned["consumer-1"]), sorted(owned["consumer-2"])))

    consumer.subscribe([TOPIC], on_assign=lambda _, ps: changed(ps, True), on_revoke=lambda _, ps: changed(ps, False),
                       on_lost=lambda _, ps: changed(ps, False))
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
            # consumer-2 leaves only once both owned partitions at the same time; until then it
            # takes no more records (paused), so that consumer-1 reads the rest after the handover.
            if leave_after is not None and mine >= leave_after:
                if shared:
                    return mine
                consumer.pause(consumer.assignment())
    finally:
        consumer.close()
    return mine


def partitions_of(assignment):
    return sorted(tp.partition for tp in assignment.topic_partitions if tp.topic == TOPIC)


def main():
    with broker(offset=170) as (bootstrap_list, _, log):
        bootstrap = ",".join(bootstrap_list)
        admin = create_topic_and_produce(bootstrap, TOPIC, RECORDS, KEYS)

        received, results, stop, stayer = run_group(consume, bootstrap, RECORDS)
        # consumer-2 has left: consumer-1 alone, reconciled to every partition, is the Stable group.
        deadline = time.time() + 30
        while True:
            description = admin.describe_consumer_groups([GROUP])[GROUP].result(timeout=30)
            members = description.members
            if (str(description.state).upper().endswith("STABLE") and len(members) == 1
                    and partitions_of(members[0].assignment) == [0, 1, 2]) or time.time() > deadline:
                break
            time.sleep(0.5)
        listed = admin.list_consumer_groups().result(timeout=30)
        offsets = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP)])[GROUP].result(
            timeout=30).topic_partitions
        stop.set()
        stayer.join(timeout=30)

        check_exactly_once_in_key_order(received, results, RECORDS)
        with owned_lock:
            check(shared, "the server-side assignor gave both members partitions at the same time")
            c1, c2 = shared[-1]
        check(not set(c1) & set(c2) and len(c1) + len(c2) == 3 and {len(c1), len(c2)} == {1, 2},
              f"uniform: the 3 partitions split 2 and 1, never owned twice: {shared}")
        check(description.type == ConsumerGroupType.CONSUMER,
              f"ConsumerGroupDescribe describes a consumer-protocol group: {description.type}")
        check(description.partition_assignor == "uniform",
              f"the group's assignor is the broker's uniform assignor: {description.partition_assignor!r}")
        state = str(description.state)
        check(state.upper().endswith("STABLE"), f"the group is Stable after the rebalance: {state}")
        check([m.client_id for m in members] == ["consumer-1"], f"consumer-1 alone is left: {members}")
        member = members[0]
        check(partitions_of(member.assignment) == [0, 1, 2], f"consumer-1 owns every partition: {member.assignment}")
        check(member.target_assignment is not None and partitions_of(member.target_assignment) == [0, 1, 2],
              f"and its target is every partition: {member.target_assignment}")
        group = [g for g in listed.valid if g.group_id == GROUP]
        check(len(group) == 1 and group[0].type == ConsumerGroupType.CONSUMER,
              f"ListGroups lists the group with type consumer: {[(g.group_id, g.type) for g in listed.valid]}")
        total = sum(tp.offset for tp in offsets if tp.topic == TOPIC)
        check(total == RECORDS, f"the group committed every record: {total}")
        with open(log) as f:
            refused = [line for line in f if "closing the connection" in line]
        check(not refused, f"no connection was closed as malformed: {refused[:3]}")
        print(f"confluent-kafka, group.protocol=consumer: {RECORDS} records produced (acks=all, idempotent) and "
              f"consumed exactly once by a group of two (the uniform assignor gave consumer-1 {c1} and "
              f"consumer-2 {c2}; consumer-2 took {results['c2']} records then left); group {state}, "
              f"type {description.type.name}, consumer-1 owns {partitions_of(member.assignment)}")


if __name__ == "__main__":
    main()
