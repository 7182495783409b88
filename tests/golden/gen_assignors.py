#!/usr/bin/env python3
"""Golden vectors for Kafka's consumer assignors.

Two sources:
1. Random groups run through kafka-python's RangePartitionAssignor and RoundRobinPartitionAssignor
   (source "kafka-python"): 60 range and 60 roundrobin cases with mixed subscriptions.
2. Fixed cases ported from Kafka's own Java tests (source "java:<TestClass>.<method>"), including
   sticky and cooperative-sticky.

kafka-python vs Kafka 4.x Java (RangeAssignor / RoundRobinAssignor / AbstractPartitionAssignor.MemberInfo),
compared before trusting kafka-python:
- Same algorithms: per-topic ranges over members sorted static-first then by id; round robin over
  (topic, partition)-sorted partitions with a circular member iterator that skips non-subscribers (Python
  advances with next() and then skips, Java peeks and skips; both leave the iterator after the chosen member).
  Missing topics are skipped by both.
- kafka-python splits static and dynamic members with itertools.groupby over the unsorted member list and
  keeps one run per key, so interleaved static and dynamic members are lost. Java has no such bug. Only
  groups whose static members come first (one run each) are generated here.
- kafka-python sorts static members by (group.instance.id, member id); Java by group.instance.id only.
  Equal when instance ids are unique (they are: the coordinator fences duplicates).
- Python compares strings by code point, Java by UTF-16 unit; ids here are ASCII, where both agree.
- kafka-python 3.0.12's RoundRobinPartitionAssignor has a bug in its skip loop: `member_id = next(member_iter)`
  binds a (group_instance_id, member_id) tuple, so the next lookup raises KeyError whenever a member must be
  skipped. For those groups the case is computed by `roundrobin_fixed` below, kafka-python's own loop with
  that one line unpacked as the line before it does (source "kafka-python-fixed"); this is Java's algorithm.
So every generated case is one where kafka-python (as fixed) and Java agree.

Output (stdout, deterministic JSON) is committed as crates/engine/tests/golden/assignors.json and checked
by crates/engine/tests/it/golden_assignors.rs. Members are listed in the JoinGroup order passed to the assignor.
"""
import itertools
import json
import random
from types import SimpleNamespace

from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor

ASSIGNORS = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}

MEMBER_IDS = ["consumer-1", "consumer-2", "consumer-10", "consumer-11", "C0", "C1", "c0", "B", "a", "z-last",
              "consumer-1-0f8e7a3c", "consumer-1-f00d", "m_", "M", "0", "9"]
TOPIC_NAMES = ["orders", "payments", "Orders", "t0", "t1", "t10", "t2", "a.b", "a-b", "_internal"]


class Cluster:
    def __init__(self, topics):
        self.topics = topics

    def partitions_for_topic(self, topic):
        n = self.topics.get(topic)
        return None if n is None else set(range(n))


def run_kafka_python(strategy, topics, members):
    group = [SimpleNamespace(member_id=m["id"], group_instance_id=m.get("group_instance_id"),
                             metadata=SimpleNamespace(topics=list(m["topics"]))) for m in members]
    result = ASSIGNORS[strategy].assign(Cluster(topics), group)
    return {mid: sorted([tp.topic, tp.partition] for tp in a.partitions()) for mid, a in result.items()}


def roundrobin_fixed(topics, members):
    """kafka-python's RoundRobinPartitionAssignor.assign with the tuple-unpacking bug fixed."""
    all_partitions = sorted((t, p) for t in {t for m in members for t in m["topics"]} if t in topics
                            for p in range(topics[t]))
    statics = sorted((m["group_instance_id"], m["id"]) for m in members if m.get("group_instance_id") is not None)
    dynamics = sorted((None, m["id"]) for m in members if m.get("group_instance_id") is None)
    member_iter = itertools.cycle(statics + dynamics)
    member_topics = {m["id"]: m["topics"] for m in members}
    assignment = {m["id"]: [] for m in members}
    for topic, partition in all_partitions:
        _instance, member_id = next(member_iter)
        while topic not in member_topics[member_id]:
            _instance, member_id = next(member_iter)
        assignment[member_id].append([topic, partition])
    return {mid: sorted(a) for mid, a in assignment.items()}


def random_case(rng, strategy, index):
    topic_count = rng.randint(1, 4)
    names = rng.sample(TOPIC_NAMES, topic_count)
    topics = {t: rng.randint(1, 12) for t in names}
    member_count = rng.randint(1, 7)
    ids = rng.sample(MEMBER_IDS, member_count)
    statics = rng.randint(0, member_count) if index % 4 == 0 else 0
    members = []
    for i, mid in enumerate(ids):
        subscribed = rng.sample(names, rng.randint(1, topic_count))
        if index % 10 == 7 and i == 0:
            subscribed.append("missing-topic")  # Java and kafka-python both skip it
        member = {"id": mid, "topics": subscribed}
        if i < statics:  # static members first: see the groupby note above
            member["group_instance_id"] = "instance-%d" % rng.randint(0, 99) + "-" + mid
        members.append(member)
    try:
        source, expected = "kafka-python", run_kafka_python(strategy, topics, members)
    except KeyError:
        if strategy != "roundrobin":
            raise
        source, expected = "kafka-python-fixed", roundrobin_fixed(topics, members)
    if strategy == "roundrobin" and source == "kafka-python":
        assert expected == roundrobin_fixed(topics, members)
    return {
        "name": "%s-random-%03d" % (strategy, index),
        "source": source,
        "strategy": strategy,
        "topics": topics,
        "members": members,
        "expected": expected,
    }


def tps(*pairs):
    return [[t, p] for t, p in pairs]


def member(mid, topics, owned=None, generation=None, instance=None):
    m = {"id": mid, "topics": topics}
    if owned is not None:
        m["owned"] = owned
    if generation is not None:
        m["generation"] = generation
    if instance is not None:
        m["group_instance_id"] = instance
    return m


def java_case(test, strategy, topics, members, expected):
    return {"name": test, "source": "java:" + test, "strategy": strategy, "topics": topics,
            "members": members, "expected": {k: sorted(v) for k, v in expected.items()}}


def java_cases():
    """Expectations copied from Kafka's client tests (clients/src/test/java/org/apache/kafka/clients/consumer/).
    Sticky-family tests in AbstractStickyAssignorTest run for both StickyAssignor and CooperativeStickyAssignor;
    their asserted assignment is the eager (sticky) result. The cooperative first round is that result minus the
    partitions the test asserts in partitionsTransferringOwnership (CooperativeStickyAssignor.adjustAssignment)."""
    both = ["topic1", "topic2"]
    cases = [
        # RangeAssignorTest
        java_case("RangeAssignorTest.testOneConsumerNonexistentTopic", "range", {}, [member("consumer", ["topic"])],
                  {"consumer": []}),
        java_case("RangeAssignorTest.testMultipleConsumersMixedTopics", "range", {"topic1": 3, "topic2": 2},
                  [member("consumer1", ["topic1"]), member("consumer2", both), member("consumer3", ["topic1"])],
                  {"consumer1": tps(("topic1", 0)), "consumer2": tps(("topic1", 1), ("topic2", 0), ("topic2", 1)),
                   "consumer3": tps(("topic1", 2))}),
        java_case("RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions", "range", {"topic1": 3, "topic2": 3},
                  [member("consumer1", both), member("consumer2", both)],
                  {"consumer1": tps(("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)),
                   "consumer2": tps(("topic1", 2), ("topic2", 2))}),
        java_case("RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions", "range", {"topic1": 3, "topic2": 3},
                  [member("consumer-b", both, instance="instance1"), member("consumer-a", both, instance="instance2")],
                  {"consumer-b": tps(("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)),
                   "consumer-a": tps(("topic1", 2), ("topic2", 2))}),
        java_case("RangeAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions", "range",
                  {"topic1": 3, "topic2": 3},
                  [member("consumer-b", both, instance="instance1"), member("consumer-a", both)],
                  {"consumer-b": tps(("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)),
                   "consumer-a": tps(("topic1", 2), ("topic2", 2))}),
        # RoundRobinAssignorTest
        java_case("RoundRobinAssignorTest.testMultipleConsumersMixedTopics", "roundrobin", {"topic1": 3, "topic2": 2},
                  [member("consumer1", ["topic1"]), member("consumer2", both), member("consumer3", ["topic1"])],
                  {"consumer1": tps(("topic1", 0)), "consumer2": tps(("topic1", 1), ("topic2", 0), ("topic2", 1)),
                   "consumer3": tps(("topic1", 2))}),
        java_case("RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions", "roundrobin",
                  {"topic1": 3, "topic2": 3}, [member("consumer1", both), member("consumer2", both)],
                  {"consumer1": tps(("topic1", 0), ("topic1", 2), ("topic2", 1)),
                   "consumer2": tps(("topic1", 1), ("topic2", 0), ("topic2", 2))}),
        java_case("RoundRobinAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions", "roundrobin",
                  {"topic1": 3, "topic2": 3},
                  [member("consumer-b", both, instance="instance1"), member("consumer-a", both, instance="instance2")],
                  {"consumer-b": tps(("topic1", 0), ("topic1", 2), ("topic2", 1)),
                   "consumer-a": tps(("topic1", 1), ("topic2", 0), ("topic2", 2))}),
        java_case("RoundRobinAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions",
                  "roundrobin", {"topic1": 3, "topic2": 3},
                  [member("consumer-b", both, instance="instance1"), member("consumer-a", both)],
                  {"consumer-b": tps(("topic1", 0), ("topic1", 2), ("topic2", 1)),
                   "consumer-a": tps(("topic1", 1), ("topic2", 0), ("topic2", 2))}),
    ]

    # AbstractStickyAssignorTest (generationId = 1 unless stated), as sticky.
    sticky = [
        ("AbstractStickyAssignorTest.testConsumerOwningMinQuotaExpectedMaxQuota", {"topic1": 2, "topic2": 3},
         [member("consumer1", both, tps(("topic1", 0), ("topic2", 1)), 1),
          member("consumer2", both, tps(("topic1", 1), ("topic2", 2)), 1)],
         {"consumer1": tps(("topic1", 0), ("topic2", 1), ("topic2", 0)), "consumer2": tps(("topic1", 1), ("topic2", 2))},
         {}),
        ("AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers", {"topic1": 2, "topic2": 2},
         [member("consumer1", both, tps(("topic1", 0), ("topic2", 0)), 1),
          member("consumer2", both, tps(("topic1", 1), ("topic2", 1)), 1), member("consumer3", both, [], 1)],
         {"consumer1": tps(("topic1", 0)), "consumer2": tps(("topic1", 1), ("topic2", 1)), "consumer3": tps(("topic2", 0))},
         {("topic2", 0): "consumer3"}),
        ("AbstractStickyAssignorTest.testAllConsumersAreUnderMinQuota", {"topic1": 2, "topic2": 3},
         [member("consumer1", both, tps(("topic1", 0)), 1), member("consumer2", both, tps(("topic1", 1)), 1),
          member("consumer3", both, [], 1)],
         {"consumer1": tps(("topic1", 0), ("topic2", 1)), "consumer2": tps(("topic1", 1), ("topic2", 2)),
          "consumer3": tps(("topic2", 0))},
         {}),
        ("AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration",
         {"topic": 3, "topic2": 3},
         [member("consumer1", ["topic", "topic2"], tps(("topic", 0), ("topic", 2), ("topic2", 1)), 10),
          member("consumer2", ["topic", "topic2"], tps(("topic", 0), ("topic", 2), ("topic2", 1)), 9)],
         {"consumer1": tps(("topic", 0), ("topic", 2), ("topic2", 1)),
          "consumer2": tps(("topic", 1), ("topic2", 0), ("topic2", 2))},
         {}),
        ("AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration",
         {"topic": 3, "topic2": 3},
         [member("consumer1", ["topic", "topic2"], tps(("topic", 0), ("topic", 2), ("topic2", 1)), 10),
          member("consumer2", ["topic", "topic2"], tps(("topic", 0), ("topic", 2), ("topic2", 1)), -1)],
         {"consumer1": tps(("topic", 0), ("topic", 2), ("topic2", 1)),
          "consumer2": tps(("topic", 1), ("topic2", 0), ("topic2", 2))},
         {}),
        ("AbstractStickyAssignorTest.testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration",
         {"topic": 3},
         [member("consumer1", ["topic"], tps(("topic", 0), ("topic", 1)), 1),
          member("consumer2", ["topic"], tps(("topic", 0), ("topic", 2)), 1), member("consumer3", ["topic"], [], 1)],
         {"consumer1": tps(("topic", 1)), "consumer2": tps(("topic", 2)), "consumer3": tps(("topic", 0))},
         {("topic", 0): "consumer3"}),
        ("AbstractStickyAssignorTest.testEnsurePartitionsAssignedToHighestGeneration",
         {"topic": 3, "topic2": 3, "topic3": 3},
         [member("consumer1", ["topic", "topic2", "topic3"], tps(("topic", 0), ("topic2", 0), ("topic3", 0)), 10),
          member("consumer2", ["topic", "topic2", "topic3"], tps(("topic", 1), ("topic2", 1), ("topic3", 1)), 9),
          member("consumer3", ["topic", "topic2", "topic3"], tps(("topic2", 1), ("topic3", 0), ("topic3", 2)), 8)],
         {"consumer1": tps(("topic", 0), ("topic2", 0), ("topic3", 0)),
          "consumer2": tps(("topic", 1), ("topic2", 1), ("topic3", 1)),
          "consumer3": tps(("topic", 2), ("topic2", 2), ("topic3", 2))},
         {}),
        ("AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration",
         {"topic": 3, "topic2": 3},
         [member("consumer1", ["topic", "topic2"], tps(("topic", 0), ("topic2", 1), ("topic", 1)), 10),
          member("consumer2", ["topic", "topic2"], tps(("topic", 0), ("topic2", 1), ("topic2", 2)), 8)],
         {"consumer1": tps(("topic", 0), ("topic2", 1), ("topic", 1)),
          "consumer2": tps(("topic", 2), ("topic2", 2), ("topic2", 0))},
         {}),
        ("StickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer",
         {"topic": 4},
         [member("consumer1", ["topic"], tps(("topic", 0), ("topic", 1)), 1),
          member("consumer2", ["topic"], tps(("topic", 0), ("topic", 2)), 1), member("consumer3", ["topic"], [], 1)],
         {"consumer1": tps(("topic", 1), ("topic", 3)), "consumer2": tps(("topic", 2)), "consumer3": tps(("topic", 0))},
         {("topic", 0): "consumer3"}),
        ("AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions", {"topic1": 3, "topic2": 2},
         [member("consumer1", ["topic1"]), member("consumer2", both), member("consumer3", ["topic1"])],
         {"consumer1": tps(("topic1", 0), ("topic1", 2)), "consumer2": tps(("topic2", 0), ("topic2", 1)),
          "consumer3": tps(("topic1", 1))},
         None),
    ]
    for test, topics, members, eager, transferring in sticky:
        cases.append(java_case(test, "sticky", topics, members, eager))
        if transferring is not None:
            coop = {mid: [tp for tp in lst if transferring.get(tuple(tp)) != mid] for mid, lst in eager.items()}
            cases.append(java_case(test, "cooperative-sticky", topics, members, coop))
    # CooperativeStickyAssignorTest: first-round assertions of the cooperative assignor itself.
    cases.append(java_case(
        "CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer",
        "cooperative-sticky", {"topic": 3},
        [member("consumer1", ["topic"], tps(("topic", 0), ("topic", 1)), 1),
         member("consumer2", ["topic"], tps(("topic", 0), ("topic", 2)), 1), member("consumer3", ["topic"], [], 1)],
        {"consumer1": tps(("topic", 1)), "consumer2": tps(("topic", 2)), "consumer3": []}))
    cases.append(java_case(
        "CooperativeStickyAssignorTest.testAssignorWithOldVersionSubscriptions", "cooperative-sticky", {"topic1": 3},
        [member("consumer1", ["topic1"], tps(("topic1", 0)), 1), member("consumer2", ["topic1"], tps(("topic1", 1)), 1),
         member("consumer3", ["topic1"], [], 1)],
        {"consumer1": tps(("topic1", 0)), "consumer2": tps(("topic1", 1)), "consumer3": tps(("topic1", 2))}))
    return cases


def main():
    rng = random.Random(20250318)
    cases = []
    for strategy in ("range", "roundrobin"):
        cases += [random_case(rng, strategy, i) for i in range(60)]
    cases += java_cases()
    print(json.dumps({"cases": cases}, sort_keys=True, indent=1))


if __name__ == "__main__":
    main()
