"""Records per second through `kafkalab broker` for kafka-python and confluent-kafka (acks=all,
idempotent, 100-byte values, one topic of 3 partitions and RF 3) at several speeds, with the
engine's load the bridge reports (near 100% busy it no longer keeps up with the speed asked for).
Prints one line per run; README's Measured table quotes them."""
import os
import re
import time

from confluent_kafka import Producer
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from harness import broker, check

SPEEDS = [float(s) for s in os.environ.get("KAFKALAB_BRIDGE_SPEEDS", "1,10,100").split(",")]
VALUE = b"x" * 100


def kafka_python(bootstrap, records):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    start = time.time()
    futures = [producer.send("bench", key=str(i % 100).encode(), value=VALUE) for i in range(records)]
    producer.flush()
    check(all(f.succeeded() for f in futures), "every kafka-python send acknowledged")
    elapsed = time.time() - start
    producer.close()
    return elapsed


def confluent(bootstrap, records):
    failed = []
    producer = Producer({"bootstrap.servers": ",".join(bootstrap), "acks": "all", "enable.idempotence": True,
                         "linger.ms": 5})
    start = time.time()
    for i in range(records):
        while True:
            try:
                producer.produce("bench", key=str(i % 100).encode(), value=VALUE,
                                 on_delivery=lambda e, m: e and failed.append(e))
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    check(producer.flush(120) == 0 and not failed, "every confluent-kafka record acknowledged")
    return time.time() - start


def main():
    for client, run, records in [("kafka-python", kafka_python, 20000), ("confluent-kafka", confluent, 100000)]:
        for i, speed in enumerate(SPEEDS):
            offset = 50 + 10 * i + (0 if client == "kafka-python" else 5)
            with broker(offset=offset, speed=speed) as (bootstrap, _, log):
                admin = KafkaAdminClient(bootstrap_servers=bootstrap)
                admin.create_topics([NewTopic("bench", 3, 3, topic_configs={"min.insync.replicas": "2"})])
                admin.close()
                elapsed = run(bootstrap, records)
                time.sleep(5.5)  # one load report covering the run's end
                with open(log) as f:
                    loads = [int(m) for m in re.findall(r"engine busy (\d+)%", f.read())]
            busiest = max(loads) if loads else 0
            print(f"THROUGHPUT client={client} speed={speed:g} records={records} seconds={elapsed:.2f} "
                  f"records_per_sec={records / elapsed:,.0f} engine_busy_max={busiest}%")


if __name__ == "__main__":
    main()
