"""kcat (Debian's, librdkafka inside) against `kafkalab broker`: `kcat -L` lists the three
brokers at their own ports and the topic with its partitions, leaders, replicas and ISR; kcat
produces records and reads them back."""
import json
import subprocess

from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from harness import broker, check


def kcat(*args, stdin=None):
    result = subprocess.run(["kcat", *args], input=stdin, capture_output=True, text=True, timeout=60)
    check(result.returncode == 0, f"kcat {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def main():
    with broker(offset=20) as (bootstrap, _, log):
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        admin.create_topics([NewTopic("clicks", 3, 3)])
        admin.close()
        listing = json.loads(kcat("-b", bootstrap[0], "-L", "-J"))
        brokers = sorted((b["id"], b["name"]) for b in listing["brokers"])
        check(brokers == [(i + 1, address) for i, address in enumerate(bootstrap)],
              f"kcat -L lists every broker at its own port: {brokers}")
        topics = {t["topic"]: t for t in listing["topics"]}
        check("clicks" in topics, f"kcat -L lists the topic: {list(topics)}")
        partitions = topics["clicks"]["partitions"]
        check(len(partitions) == 3, "3 partitions")
        for p in partitions:
            check(len(p["replicas"]) == 3 and len(p["isrs"]) == 3, f"RF 3 with a full ISR: {p}")
            check(p["leader"] in (1, 2, 3), f"a leader: {p}")
        kcat("-b", bootstrap[0], "-P", "-t", "clicks", "-p", "0", "-K", ":", stdin="a:1\nb:2\nc:3\n")
        read = kcat("-b", bootstrap[0], "-C", "-t", "clicks", "-p", "0", "-o", "beginning", "-e", "-f", "%k=%s\\n")
        check(read.split() == ["a=1", "b=2", "c=3"], f"kcat reads back what it produced: {read!r}")
        plain = kcat("-b", bootstrap[0], "-L")
        print("kcat -L:\n" + plain.strip())


if __name__ == "__main__":
    main()
