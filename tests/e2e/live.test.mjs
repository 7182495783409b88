// The live view (bridge mode, #19): `kafkalab broker --live` serves dist/ and a WebSocket; the
// page opened at /?live draws the bridge's cluster (a scenario's), says that time travel is off, and sends a
// node menu's fault back: killing broker 2 shows it dead.
//
// Env: KAFKALAB_DIST (default ../../dist), KAFKALAB_BIN (default ../../target/release/kafkalab),
// KAFKALAB_BRIDGE_PORT (default 19092; this test uses +80..+85), CHROMIUM.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const dist = resolve(process.env.KAFKALAB_DIST ?? join(repo, 'dist'));
const bin = resolve(process.env.KAFKALAB_BIN ?? join(repo, 'target', 'release', 'kafkalab'));
const port = Number(process.env.KAFKALAB_BRIDGE_PORT ?? 19092) + 80;
const livePort = port + 5;
const screenshots = join(here, 'screenshots');

let broker;
let browser;
let log = '';

const portOpen = (p) =>
  new Promise((done) => {
    const socket = net.connect(p, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

before(async () => {
  await stat(bin).catch(() => {
    throw new Error(`${bin} is missing: cargo build --release -p kafkalab-cli`);
  });
  // A scenario's world at time 0: its topic is there to draw (its later steps are not played).
  broker = spawn(bin, ['broker', '--scenario', 'leader-failover', '--listen', `127.0.0.1:${port}`, '--live', `127.0.0.1:${livePort}`, '--dist', dist]);
  broker.stderr.on('data', (chunk) => (log += chunk));
  const deadline = Date.now() + 20000;
  while (!(await portOpen(livePort))) {
    assert.ok(Date.now() < deadline && broker.exitCode === null, `kafkalab broker --live starts: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
  await mkdir(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  broker?.kill();
});

test('the live page draws the bridge cluster, says time travel is off, and kills a broker through it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  try {
    await page.goto(`http://127.0.0.1:${livePort}/?live`);
    await page.locator('[data-testid="live-status"][data-state="live"]').waitFor();
    for (const id of [1, 2, 3]) await page.getByTestId(`broker-${id}`).waitFor();
    assert.match(await page.getByTestId('live-banner').textContent(), /시간 여행은 꺼져/);
    await page.getByTestId('lang-toggle').click();
    assert.match(await page.getByTestId('live-banner').textContent(), /Time travel is off/);
    assert.equal(await page.getByTestId('timeline').count(), 0, 'no timeline in live mode');

    await page.getByTestId('broker-2').locator('.broker-name').click({ button: 'right' });
    await page.getByTestId('node-menu').waitFor();
    await page.getByTestId('menu-kill-broker-2').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="broker-2"]')?.dataset.state === 'dead');
    assert.match(log, /live view: \{"action":"kill_broker","broker":2\}/, 'the bridge applied the kill');
    assert.ok((await page.locator('[data-testid^="replica-"]').count()) > 0, "the scenario's partitions are drawn");
    await page.screenshot({ path: join(screenshots, 'live.png') });
    // Killing it again: the bridge refuses, and the page says why.
    await page.getByTestId('broker-2').locator('.broker-name').click({ button: 'right' });
    const again = page.getByTestId('menu-kill-broker-2');
    if (await again.count()) {
      await again.click();
      await page.locator('[data-testid="live-status"][data-state="refused"]').waitFor();
    } else {
      await page.getByTestId('menu-restart-broker-2').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="broker-2"]')?.dataset.state !== 'dead');
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

// Real clients on the live page (#19): kafkajs (tests/bridge's, installed by
// setup_bridge_clients) produces to and consumes from the bridge while the page draws the
// clients, their group with both members and its committed offsets, and the narrated facts; then
// the page's menu kills the leader of orders-0 and the feed narrates the failover. Every check
// polls for its condition: nothing depends on how fast the machine is. Ports +90..+92 and +95.
test('the live page draws real clients, their group and commits, and narrates a failover', async (t) => {
  const kafkajsPath = join(repo, 'tests', 'bridge', 'node_modules', 'kafkajs', 'index.js');
  await stat(kafkajsPath).catch(() => {
    throw new Error(`${kafkajsPath} is missing: source scripts/setup.sh; setup_bridge_clients`);
  });
  const { Kafka, logLevel } = (await import(kafkajsPath)).default;
  const kport = Number(process.env.KAFKALAB_BRIDGE_PORT ?? 19092) + 90;
  const lport = kport + 5;
  let clog = '';
  const bridge = spawn(bin, ['broker', '--brokers', '3', '--listen', `127.0.0.1:${kport}`, '--live', `127.0.0.1:${lport}`, '--dist', dist]);
  bridge.stderr.on('data', (chunk) => (clog += chunk));
  const clients = [];
  let producing = true;
  let producer;
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  // What the stream carries: bytes and new facts per message (reported, not asserted).
  const frames = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const text = String(payload);
      const message = JSON.parse(text);
      if (message.type === 'view') frames.push({ bytes: text.length, facts: message.facts.length });
    }),
  );
  // A condition of the page, polled; generous, as the bridge runs on the wall clock.
  const until = (fn, arg, what) =>
    page.waitForFunction(fn, arg, { timeout: 90000, polling: 250 }).catch((e) => {
      throw new Error(`${what}: ${e.message}\nbridge log:\n${clog.slice(-3000)}`);
    });
  try {
    const deadline = Date.now() + 20000;
    while (!(await portOpen(lport)) || !(await portOpen(kport + 2))) {
      assert.ok(Date.now() < deadline && bridge.exitCode === null, `kafkalab broker --live starts: ${clog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const brokers = [0, 1, 2].map((i) => `127.0.0.1:${kport + i}`);
    const kafka = (clientId) => new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 20 } });
    const admin = kafka('live-admin').admin();
    clients.push(admin);
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      waitForLeaders: true,
    });
    producer = kafka('live-writer').producer({ idempotent: true, maxInFlightRequests: 1 });
    clients.push(producer);
    await producer.connect();
    // Keeps writing until the test ends; a send failing while a leader moves is retried.
    const writing = (async () => {
      for (let i = 0; producing; i++) {
        const messages = Array.from({ length: 5 }, (_, k) => ({ key: `key-${(i * 5 + k) % 7}`, value: String(i) }));
        await producer.send({ topic: 'orders', acks: -1, messages }).catch(() => {});
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    for (const name of ['live-reader-a', 'live-reader-b']) {
      const consumer = kafka(name).consumer({ groupId: 'live-readers', sessionTimeout: 10000, heartbeatInterval: 1000 });
      clients.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: 'orders', fromBeginning: true });
      await consumer.run({ autoCommitInterval: 500, eachMessage: async () => {} });
    }

    await page.goto(`http://127.0.0.1:${lport}/?live`);
    await page.locator('[data-testid="live-status"][data-state="live"]').waitFor();
    await page.getByTestId('lang-toggle').click();
    // The producer as a node with its connections, its producer id in the panel.
    await until(() => document.querySelector('[data-client-id="live-writer"]')?.dataset.roles?.includes('producer'), null, 'the producer node');
    await until(() => document.querySelector('[data-testid^="real-conn-live-writer-"][data-state="open"]'), null, 'its connections');
    await until(() => /\d+ \/ \d+/.test(document.querySelector('[data-testid="real-producer-live-writer"]')?.textContent ?? ''), null, 'its producer id');
    for (const reader of ['live-reader-a', 'live-reader-b']) {
      await until((r) => document.querySelector(`[data-client-id="${r}"]`)?.dataset.roles?.includes('consumer'), reader, `consumer ${reader}`);
      await until((r) => document.querySelector(`[data-testid="real-member-${r}-live-readers"]`), reader, `${reader} as a member`);
    }
    // The group: two members, Stable, committed offsets above zero.
    await until(() => document.querySelectorAll('[data-testid^="member-live-readers-"]').length === 2, null, 'two members');
    await until(() => document.querySelector('[data-testid="group-live-readers"]')?.dataset.state === 'Stable', null, 'the group Stable');
    await until(
      () => [...document.querySelectorAll('[data-testid^="lag-live-readers-orders-"] td:nth-child(2)')].some((td) => Number(td.textContent) > 0),
      null,
      'committed offsets',
    );
    // The narration: the group's rebalance, in English, then in Korean.
    await until(() => [...document.querySelectorAll('[data-testid="live-fact"]')].some((li) => /Group live-readers is Stable/.test(li.textContent)), null, 'the rebalance narrated');
    await page.getByTestId('lang-toggle').click();
    await until(() => [...document.querySelectorAll('[data-testid="live-fact"]')].some((li) => /그룹 live-readers/.test(li.textContent)), null, 'narrated in Korean');
    await page.getByTestId('lang-toggle').click();
    await page.screenshot({ path: join(screenshots, 'live-clients.png'), fullPage: true });

    // Kill the leader of orders-0 through the page's menu.
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    const leader = meta.topics[0].partitions.find((p) => p.partitionId === 0).leader;
    await page.getByTestId(`broker-${leader}`).locator('.broker-name').click({ button: 'right' });
    await page.getByTestId(`menu-kill-broker-${leader}`).click();
    await until((b) => document.querySelector(`[data-testid="broker-${b}"]`)?.dataset.state === 'dead', leader, 'the broker dead');
    await until(
      (b) => [...document.querySelectorAll('[data-testid="live-fact"][data-mark="election"]')].some((li) => li.textContent.includes('leader of orders-0') && li.textContent.includes(`previous leader broker ${b}`)),
      leader,
      'the failover narrated',
    );
    await until((b) => [...document.querySelectorAll('[data-testid="live-fact"][data-mark="fault"]')].some((li) => li.textContent.includes(`Broker ${b} stopped`)), leader, 'the kill narrated');
    // The dead broker closed the clients' connections to it.
    await until((b) => document.querySelector(`[data-testid="real-conn-live-writer-${b}"]`)?.dataset.state === 'closed', leader, 'the closed connections');
    assert.match(clog, new RegExp(`live view: \\{"action":"kill_broker","broker":${leader}\\}`), 'the bridge applied the kill');
    await page.screenshot({ path: join(screenshots, 'live-failover.png'), fullPage: true });
    assert.deepEqual(problems, []);
    const sum = (k) => frames.reduce((a, f) => a + f[k], 0);
    assert.ok(frames.every((f) => f.facts <= 260), 'each message carries at most 200 notable and 60 routine facts');
    t.diagnostic(
      `live stream: ${frames.length} messages, mean ${Math.round(sum('bytes') / frames.length)} bytes, max ${Math.max(...frames.map((f) => f.bytes))} bytes; ` +
        `${sum('facts')} facts, at most ${Math.max(...frames.map((f) => f.facts))} in one message`,
    );
    producing = false;
    await writing;
  } finally {
    producing = false;
    await page.close();
    await Promise.all(clients.map((c) => Promise.race([c.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 5000))])));
    bridge.kill();
  }
});
