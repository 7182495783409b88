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
