// kafkajs against `kafkalab broker`: a topic with 3 partitions and RF 3; 1,000 keyed records
// with acks=all and idempotence; a group of two consumers that rebalances when one leaves,
// committing as it goes; every record exactly once, in order per key; the group described.
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { sleep, startBroker } from "./harness.mjs";

const RECORDS = 1000;
const KEYS = 10;
const TOPIC = "shipments";
const GROUP = "dispatch";

const { broker, brokers } = await startBroker(100);
try {
  const kafka = new Kafka({ clientId: "kafkajs-test", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: "min.insync.replicas", value: "2" }] }],
    waitForLeaders: true,
  });
  const described = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  assert.equal(described.topics[0].partitions.length, 3);
  assert.ok(described.topics[0].partitions.every((p) => p.replicas.length === 3));

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const perKey = new Map();
  const messages = [];
  for (let i = 0; i < RECORDS; i++) {
    const key = `key-${i % KEYS}`;
    const sequence = perKey.get(key) ?? 0;
    perKey.set(key, sequence + 1);
    messages.push({ key, value: String(sequence) });
  }
  const acked = [];
  for (let i = 0; i < RECORDS; i += 100) {
    acked.push(...(await producer.send({ topic: TOPIC, acks: -1, messages: messages.slice(i, i + 100) })));
  }
  assert.deepEqual(new Set(acked.map((r) => r.partition)), new Set([0, 1, 2]));
  assert.ok(acked.every((r) => r.errorCode === 0));
  await producer.disconnect();

  const received = [];
  const consumer = (name) => kafka.consumer({ groupId: GROUP, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
  const c1 = consumer("consumer-1");
  const c2 = consumer("consumer-2");
  let c2Count = 0;
  let c2Left;
  const left = new Promise((resolve) => (c2Left = resolve));
  for (const [name, c] of [["consumer-1", c1], ["consumer-2", c2]]) {
    await c.connect();
    await c.subscribe({ topics: [TOPIC], fromBeginning: true });
    await c.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ name, key: message.key.toString(), sequence: Number(message.value.toString()), partition, offset: message.offset });
        if (name === "consumer-2" && ++c2Count === 200) setImmediate(() => c2.disconnect().then(c2Left));
        await sleep(2);
      },
    });
  }
  const deadline2 = Date.now() + 120000;
  while (received.length < RECORDS && Date.now() < deadline2) await sleep(200);
  await left;
  await sleep(1500);
  const groups = await admin.describeGroups([GROUP]);
  const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  await c1.disconnect();
  await admin.disconnect();

  assert.equal(received.length, RECORDS, `received ${received.length} of ${RECORDS} (duplicates or losses)`);
  assert.equal(new Set(received.map((r) => `${r.partition}/${r.offset}`)).size, RECORDS, "exactly once");
  const byKey = new Map();
  for (const r of received) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.sequence]);
  for (const [key, sequences] of byKey) assert.deepEqual(sequences, sequences.map((_, i) => i), `${key} in order`);
  assert.ok(c2Count >= 200, "consumer-2 consumed before it left");
  assert.ok(received.some((r) => r.name === "consumer-1"), "consumer-1 consumed");
  const group = groups.groups[0];
  assert.equal(group.state, "Stable");
  assert.equal(group.members.length, 1, "one member is left after consumer-2 left");
  const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  assert.equal(committed, RECORDS, "the group committed every record");
  console.log(`kafkajs: ${RECORDS} records produced (acks=all, idempotent) and consumed exactly once by a group of two (consumer-2 took ${c2Count} then left); group ${group.state}`);
} finally {
  broker.kill();
}
