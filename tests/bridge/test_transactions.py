"""Transactional producers through `kafkalab broker`, with confluent-kafka (librdkafka) and
kafka-python: a consume-transform-produce loop (input read in a group, outputs produced and the
input offsets sent to the transaction, then committed), an aborted transaction, a committed one
after it, and a zombie: a second producer with the same transactional.id fences the first while
its transaction is open, so that transaction is aborted and the first producer's commit fails
as fenced. A read_committed consumer reads exactly the committed outputs; a read_uncommitted
one also sees the aborted records; the group's committed offsets are the input's end. Last, the
transaction coordinator's broker is killed through the live view between two transactions: the
producer finds the new coordinator and commits again (confluent-kafka)."""
import json
import time

from harness import base_port, broker, check

INPUT_RECORDS = 30
ABORTED = 5
FINAL = 4


def expected_committed(prefix):
    return (
        {f"{prefix}-out-{i}" for i in range(INPUT_RECORDS)}
        | {f"{prefix}-final-{i}" for i in range(FINAL)}
        | {f"{prefix}-fencer"}
    )


def expected_aborted(prefix):
    return {f"{prefix}-aborted-{i}" for i in range(ABORTED)} | {f"{prefix}-zombie"}


def check_outputs(name, committed, uncommitted, prefix):
    """`committed` and `uncommitted`: the output values read at each isolation level."""
    want = expected_committed(prefix)
    check(sorted(committed) == sorted(want), f"{name}: read_committed reads exactly the committed outputs, "
          f"got {len(committed)} (extra {sorted(set(committed) - want)[:5]}, missing {sorted(want - set(committed))[:5]})")
    aborted = expected_aborted(prefix)
    check(sorted(uncommitted) == sorted(want | aborted),
          f"{name}: read_uncommitted also sees the aborted records, got {len(uncommitted)} "
          f"(missing {sorted((want | aborted) - set(uncommitted))[:5]})")


def read_all(poll, wanted, timeout=60, settle=2.0):
    """Calls `poll()` (a list of values) until `wanted` values arrived and `settle` s passed with
    nothing more, or `timeout` s."""
    values, deadline, last_new = [], time.time() + timeout, None
    while time.time() < deadline:
        new = poll()
        if new:
            values += new
            last_new = time.time()
        if len(values) >= wanted and last_new and time.time() - last_new > settle:
            break
    return values


# --- confluent-kafka (librdkafka) -----------------------------------------------------------------

def run_confluent(bootstrap):
    from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    prefix, source, sink, group, txn_id = "ck", "ck-input", "ck-output", "ck-transformer", "ck-txn"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for topic, future in admin.create_topics(
        [NewTopic(t, 3, 3, config={"min.insync.replicas": "2"}) for t in (source, sink)]
    ).items():
        future.result(timeout=30)
    plain = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    for i in range(INPUT_RECORDS):
        plain.produce(source, key=f"k{i % 6}".encode(), value=str(i).encode())
    check(plain.flush(60) == 0, "confluent-kafka: input produced")

    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
    })
    consumer.subscribe([source])
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "linger.ms": 5})
    producer.init_transactions(30)
    transformed, deadline = 0, time.time() + 90
    while transformed < INPUT_RECORDS and time.time() < deadline:
        records = [r for r in consumer.consume(num_messages=10, timeout=1.0) if r.error() is None]
        if not records:
            continue
        producer.begin_transaction()
        for r in records:
            producer.produce(sink, key=r.key(), value=f"{prefix}-out-{r.value().decode()}".encode())
        producer.send_offsets_to_transaction(
            consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30)
        producer.commit_transaction(30)
        transformed += len(records)
    check(transformed == INPUT_RECORDS, f"confluent-kafka: transformed {transformed} of {INPUT_RECORDS} inputs")
    committed = consumer.committed(consumer.assignment(), timeout=30)
    check(sum(tp.offset for tp in committed) == INPUT_RECORDS,
          f"confluent-kafka: the transactions committed the group's offsets to the input's end: {committed}")
    consumer.close()

    producer.begin_transaction()
    for i in range(ABORTED):
        producer.produce(sink, key=b"a", value=f"{prefix}-aborted-{i}".encode())
    producer.flush(30)
    producer.abort_transaction(30)
    producer.begin_transaction()
    for i in range(FINAL):
        producer.produce(sink, key=f"f{i}".encode(), value=f"{prefix}-final-{i}".encode())
    producer.commit_transaction(30)

    # The zombie: its transaction is open (its record written) when a new instance starts.
    producer.begin_transaction()
    producer.produce(sink, key=b"z", value=f"{prefix}-zombie".encode())
    check(producer.flush(30) == 0, "confluent-kafka: the zombie's record is written")
    fencer = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id})
    fencer.init_transactions(60)
    fenced = None
    try:
        producer.commit_transaction(30)
    except KafkaException as e:
        fenced = e.args[0]
    check(fenced is not None, "confluent-kafka: the first producer's commit fails after a new instance started")
    check(fenced.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH)
          and fenced.fatal(), f"confluent-kafka: the first producer is fenced (fatal): {fenced}")
    fencer.begin_transaction()
    fencer.produce(sink, key=b"n", value=f"{prefix}-fencer".encode())
    fencer.commit_transaction(30)

    def reader(isolation):
        c = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": f"{prefix}-{isolation}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "isolation.level": isolation,
        })
        c.subscribe([sink])
        values = read_all(lambda: [r.value().decode() for r in c.consume(num_messages=50, timeout=0.5)
                                   if r.error() is None],
                          len(expected_committed(prefix)) + (len(expected_aborted(prefix)) if isolation == "read_uncommitted" else 0))
        c.close()
        return values

    check_outputs("confluent-kafka", reader("read_committed"), reader("read_uncommitted"), prefix)
    print(f"confluent-kafka {__import__('confluent_kafka').version()} (librdkafka "
          f"{__import__('confluent_kafka').libversion()[0]}): consume-transform-produce, abort, fencing: ok")


# --- kafka-python -------------------------------------------------------------------------------

def run_kafka_python(bootstrap):
    import kafka
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import NewTopic
    from kafka.errors import InvalidProducerEpochError, KafkaError, ProducerFencedError
    from kafka.structs import OffsetAndMetadata

    prefix, source, sink, group, txn_id = "kp", "kp-input", "kp-output", "kp-transformer", "kp-txn"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="admin")
    admin.create_topics([NewTopic(t, 3, 3, topic_configs={"min.insync.replicas": "2"}) for t in (source, sink)])
    plain = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    for i in range(INPUT_RECORDS):
        plain.send(source, key=f"k{i % 6}".encode(), value=str(i).encode())
    plain.flush(60)
    plain.close()

    consumer = KafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, transactional_id=txn_id, linger_ms=5)
    producer.init_transactions()
    transformed, deadline = 0, time.time() + 90
    while transformed < INPUT_RECORDS and time.time() < deadline:
        batches = consumer.poll(timeout_ms=1000, max_records=10)
        if not batches:
            continue
        producer.begin_transaction()
        offsets = {}
        for tp, records in batches.items():
            for r in records:
                producer.send(sink, key=r.key, value=f"{prefix}-out-{r.value.decode()}".encode())
                transformed += 1
            offsets[tp] = OffsetAndMetadata(records[-1].offset + 1, "", -1)
        producer.send_offsets_to_transaction(offsets, consumer.group_metadata())
        producer.commit_transaction()
    check(transformed == INPUT_RECORDS, f"kafka-python: transformed {transformed} of {INPUT_RECORDS} inputs")
    partitions = [TopicPartition(source, p) for p in range(3)]
    committed = {tp: consumer.committed(tp) for tp in partitions}
    check(sum(o or 0 for o in committed.values()) == INPUT_RECORDS,
          f"kafka-python: the transactions committed the group's offsets to the input's end: {committed}")
    consumer.close()

    producer.begin_transaction()
    for i in range(ABORTED):
        producer.send(sink, key=b"a", value=f"{prefix}-aborted-{i}".encode())
    producer.flush()
    producer.abort_transaction()
    producer.begin_transaction()
    for i in range(FINAL):
        producer.send(sink, key=f"f{i}".encode(), value=f"{prefix}-final-{i}".encode())
    producer.commit_transaction()

    producer.begin_transaction()
    zombie = producer.send(sink, key=b"z", value=f"{prefix}-zombie".encode())
    zombie.get(timeout=30)
    fencer = KafkaProducer(bootstrap_servers=bootstrap, transactional_id=txn_id)
    fencer.init_transactions()
    fenced = None
    try:
        producer.commit_transaction()
    except (ProducerFencedError, InvalidProducerEpochError) as e:
        fenced = e
    except KafkaError as e:
        raise AssertionError(f"kafka-python: the first producer's commit failed, but not as fenced: {e!r}")
    check(fenced is not None, "kafka-python: the first producer's commit fails after a new instance started")
    producer.close(timeout=5)
    fencer.begin_transaction()
    fencer.send(sink, key=b"n", value=f"{prefix}-fencer".encode())
    fencer.commit_transaction()
    fencer.close()

    def reader(isolation):
        c = KafkaConsumer(
            sink,
            bootstrap_servers=bootstrap,
            group_id=f"{prefix}-{isolation}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level=isolation,
        )
        values = read_all(lambda: [r.value.decode() for rs in c.poll(timeout_ms=500).values() for r in rs],
                          len(expected_committed(prefix)) + (len(expected_aborted(prefix)) if isolation == "read_uncommitted" else 0))
        c.close()
        return values

    check_outputs("kafka-python", reader("read_committed"), reader("read_uncommitted"), prefix)
    print(f"kafka-python {kafka.__version__}: consume-transform-produce, abort, fencing ({type(fenced).__name__}): ok")


# --- the transaction coordinator dies between transactions -------------------------------------

def run_coordinator_failover(bootstrap, live):
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    from websockets.sync.client import connect

    sink, txn_id = "failover-output", "failover-txn"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(sink, 1, 3, config={"min.insync.replicas": "2"})])[sink].result(30)
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id})
    producer.init_transactions(30)
    producer.begin_transaction()
    producer.produce(sink, value=b"before")
    producer.commit_transaction(30)
    with connect(f"ws://{live}/live") as ws:
        def view():
            while (message := json.loads(ws.recv(timeout=10)))["type"] != "view":
                pass
            return message["view"]
        coordinator = next(t["coordinator"] for t in view()["transactions"] if t["transactional_id"] == txn_id)
        ws.send(json.dumps({"action": "kill_broker", "broker": coordinator}))
        while (result := json.loads(ws.recv(timeout=10)))["type"] != "result":
            pass
        check(result["ok"], f"the live view kills broker {coordinator}: {result}")
        producer.begin_transaction()
        producer.produce(sink, value=b"after")
        producer.commit_transaction(60)
        # Views queued since the kill may predate the new coordinator's load of the id.
        deadline, moved = time.time() + 20, None
        while time.time() < deadline and moved in (None, coordinator):
            moved = next((t["coordinator"] for t in view()["transactions"] if t["transactional_id"] == txn_id), None)
        check(moved not in (None, coordinator), f"the transaction moved to a new coordinator: {moved}")
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": "failover-reader", "auto.offset.reset": "earliest",
                       "isolation.level": "read_committed"})
    reader.subscribe([sink])
    values = read_all(lambda: [r.value().decode() for r in reader.consume(num_messages=10, timeout=0.5)
                               if r.error() is None], 2)
    reader.close()
    check(sorted(values) == ["after", "before"], f"both transactions read back once: {values}")
    print(f"coordinator failover: broker {coordinator} (the transaction coordinator) killed between two transactions; "
          f"broker {moved} coordinates now and the next transaction committed")


def main():
    live = f"127.0.0.1:{base_port(145)}"
    with broker(offset=140, extra=["--live", live]) as (bootstrap_list, _, log):
        bootstrap = ",".join(bootstrap_list)
        try:
            run_confluent(bootstrap)
            run_kafka_python(bootstrap_list)
            # Last: it leaves two brokers alive.
            run_coordinator_failover(bootstrap, live)
        except Exception:
            print(f"(broker log: {log})")
            raise
    print("transactions through the bridge: ok")


if __name__ == "__main__":
    main()
