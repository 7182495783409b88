"""Failover through the live view: while confluent-kafka produces with acks=all and idempotence
(min.insync.replicas=2) and a group consumes, the leader's broker is killed through the live
view's WebSocket. The WebSocket's View shows the broker dead and a new leader; the producer
recovers without an error; every acknowledged record is consumed, none twice."""
import json
import threading
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from websockets.sync.client import connect

from harness import base_port, broker, check

TOPIC = "failover"
RECORDS = 3000


def view(ws):
    """The next View the live view streams (skipping action results)."""
    while True:
        message = json.loads(ws.recv(timeout=10))
        if message["type"] == "view":
            return message["view"]


def main():
    live = f"127.0.0.1:{base_port(65)}"
    with broker(offset=60, extra=["--live", live]) as (bootstrap_list, _, log):
        bootstrap = ",".join(bootstrap_list)
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic(TOPIC, 1, 3, config={"min.insync.replicas": "2"})])[TOPIC].result(30)
        acked, errors = [], []
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 5})

        def delivered(error, message):
            if error:
                errors.append(str(error))
            else:
                acked.append(int(message.value().decode()))

        def produce():
            for i in range(RECORDS):
                producer.produce(TOPIC, value=str(i).encode(), on_delivery=delivered)
                producer.poll(0)
                time.sleep(0.002)
            producer.flush(120)

        read, reading = [], threading.Event()

        def consume():
            # A group consuming all along: its coordinator and offsets topic exist before the kill.
            consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "audit", "auto.offset.reset": "earliest",
                                 "enable.auto.commit": True, "auto.commit.interval.ms": 200})
            consumer.subscribe([TOPIC])
            deadline = time.time() + 180
            while not reading.is_set() and time.time() < deadline:
                for r in consumer.consume(num_messages=500, timeout=0.5):
                    if r.error() is None:
                        read.append(int(r.value().decode()))
            consumer.close()

        reader = threading.Thread(target=consume)
        reader.start()
        sender = threading.Thread(target=produce)
        sender.start()
        # group.initial.rebalance.delay.ms (3 s) passes before the group's first assignment.
        deadline = time.time() + 20
        while not read and time.time() < deadline:
            time.sleep(0.1)
        check(read, "the group consumes before the kill")
        with connect(f"ws://{live}/live") as ws:
            before = view(ws)
            partition = next(t for t in before["topics"] if t["name"] == TOPIC)["partitions"][0]
            leader = partition["leader"]
            check(leader in (1, 2, 3), f"the partition has a leader: {partition}")
            ws.send(json.dumps({"action": "kill_broker", "broker": leader}))
            at_kill = len(acked)
            result = json.loads(ws.recv(timeout=10))
            while result["type"] != "result":
                result = json.loads(ws.recv(timeout=10))
            check(result["ok"], f"the live view kills broker {leader}: {result}")
            ws.send(json.dumps({"action": "kill_broker", "broker": 99}))
            while (refused := json.loads(ws.recv(timeout=10)))["type"] != "result":
                pass
            check(not refused["ok"] and refused["error"], f"an unknown broker is refused with a reason: {refused}")
            deadline, new_leader, dead = time.time() + 30, None, False
            while time.time() < deadline and not (dead and new_leader not in (None, -1, leader)):
                now = view(ws)
                dead = next(b for b in now["brokers"] if b["id"] == leader)["state"] == "dead"
                new_leader = next(t for t in now["topics"] if t["name"] == TOPIC)["partitions"][0]["leader"]
            check(dead, f"the View shows broker {leader} dead")
            check(new_leader not in (None, -1, leader), f"the View shows a new leader: {new_leader}")
        sender.join(timeout=180)
        check(0 < at_kill < RECORDS, f"the kill came while producing ({at_kill} of {RECORDS} acknowledged)")
        check(not errors, f"the producer recovered without an error: {errors[:3]}")
        check(len(acked) == RECORDS, f"every record acknowledged: {len(acked)} of {RECORDS}")

        deadline = time.time() + 60
        while len(set(read)) < RECORDS and time.time() < deadline:
            time.sleep(0.2)
        reading.set()
        reader.join(timeout=30)
        missing = set(acked) - set(read)
        check(not missing, f"no acknowledged record lost: {len(missing)} missing")
        check(len(read) == len(set(read)), f"no record twice (idempotence): {len(read) - len(set(read))} duplicates")
        print(f"failover: broker {leader} (the leader) killed through the live view while producing; new leader "
              f"{new_leader} ({at_kill} acknowledged before the kill); {len(acked)} records acknowledged, all {len(read)} read back, none twice")


if __name__ == "__main__":
    main()
