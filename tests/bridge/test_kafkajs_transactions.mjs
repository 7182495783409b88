// kafkajs transactions against `kafkalab broker`: a consume-transform-produce loop (a group
// reads the input, each batch's outputs and the group's offsets go into one transaction, which
// commits), an aborted transaction, and a zombie fenced by a second producer with the same
// transactionalId. A read_committed consumer reads exactly the committed outputs; a
// read_uncommitted one also sees the aborted records.
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { sleep, startBroker } from "./harness.mjs";

const INPUT = 30;
const ABORTED = 5;
const SOURCE = "kj-input";
const SINK = "kj-output";
const GROUP = "kj-transformer";

/** Reads SINK from the beginning at one isolation level until `wanted` values arrived and 2 s
 * passed with nothing new (or 60 s). */
async function readSink(kafka, readUncommitted, wanted) {
  const consumer = kafka.consumer({ groupId: `kj-reader-${readUncommitted}`, readUncommitted });
  await consumer.connect();
  await consumer.subscribe({ topic: SINK, fromBeginning: true });
  const values = [];
  let last = Date.now();
  await consumer.run({ eachMessage: async ({ message }) => (values.push(message.value.toString()), (last = Date.now())) });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline && !(values.length >= wanted && Date.now() - last > 2000)) await sleep(200);
  await consumer.disconnect();
  return values.sort();
}

const { broker, brokers } = await startBroker(150);
try {
  const kafka = new Kafka({ clientId: "kafkajs-txn", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [SOURCE, SINK].map((topic) => ({
      topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: "min.insync.replicas", value: "2" }],
    })),
    waitForLeaders: true,
  });
  const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await plain.connect();
  await plain.send({ topic: SOURCE, acks: -1, messages: Array.from({ length: INPUT }, (_, i) => ({ key: `k${i % 6}`, value: String(i) })) });
  await plain.disconnect();

  const producer = kafka.producer({ transactionalId: "kj-txn", idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: GROUP });
  await consumer.connect();
  await consumer.subscribe({ topic: SOURCE, fromBeginning: true });
  let transformed = 0;
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const transaction = await producer.transaction();
      await transaction.send({ topic: SINK, messages: batch.messages.map((m) => ({ key: m.key, value: `kj-out-${m.value}` })) });
      const next = (BigInt(batch.lastOffset()) + 1n).toString();
      await transaction.sendOffsets({ consumerGroupId: GROUP, topics: [{ topic: SOURCE, partitions: [{ partition: batch.partition, offset: next }] }] });
      await transaction.commit();
      transformed += batch.messages.length;
    },
  });
  const until = Date.now() + 90000;
  while (transformed < INPUT && Date.now() < until) await sleep(200);
  await consumer.disconnect();
  assert.equal(transformed, INPUT, "every input transformed in a committed transaction");
  const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [SOURCE] });
  assert.equal(offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0), INPUT, "the group's offsets committed with the transactions");

  const aborted = await producer.transaction();
  await aborted.send({ topic: SINK, messages: Array.from({ length: ABORTED }, (_, i) => ({ key: "a", value: `kj-aborted-${i}` })) });
  await aborted.abort();

  const zombie = await producer.transaction();
  await zombie.send({ topic: SINK, messages: [{ key: "z", value: "kj-zombie" }] });
  const fencer = kafka.producer({ transactionalId: "kj-txn", idempotent: true, maxInFlightRequests: 1 });
  await fencer.connect();
  // kafkajs initializes a transactional producer id at the first transaction(), not connect().
  const last = await fencer.transaction();
  const fenced = await zombie.commit().then(() => null, (e) => e);
  assert.ok(fenced, "the first producer's commit fails after a new instance started");
  assert.ok(["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH"].includes(fenced.type), `fenced: ${fenced.type} ${fenced.message}`);
  await last.send({ topic: SINK, messages: [{ key: "n", value: "kj-fencer" }] });
  await last.commit();
  await Promise.all([producer.disconnect().catch(() => {}), fencer.disconnect()]);

  const committed = [...Array.from({ length: INPUT }, (_, i) => `kj-out-${i}`), "kj-fencer"].sort();
  const all = [...committed, ...Array.from({ length: ABORTED }, (_, i) => `kj-aborted-${i}`), "kj-zombie"].sort();
  assert.deepEqual(await readSink(kafka, false, committed.length), committed, "read_committed reads exactly the committed outputs");
  assert.deepEqual(await readSink(kafka, true, all.length), all, "read_uncommitted also sees the aborted records");
  await admin.disconnect();
  console.log(`kafkajs transactions: consume-transform-produce, abort, fencing (${fenced.type}): ok`);
} finally {
  broker.kill();
}
