// Browser end-to-end tests of the kafkalab web app: Playwright (playwright-core) driving Debian's
// Chromium against dist/ (built by `trunk build --release`), served by a small static server on
// 127.0.0.1. Run from this folder with `node --test` (scripts/test.sh does, after the build).
//
// Env: KAFKALAB_DIST (default ../../dist), CHROMIUM (default /usr/bin/chromium).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, serveDir } from './harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const dist = resolve(process.env.KAFKALAB_DIST ?? join(repo, 'dist'));
const screenshots = join(here, 'screenshots');
const docs = join(repo, 'docs');
const VIEWPORT = { width: 1280, height: 800 };

let server;
let browser;
let origin;

before(async () => {
  await stat(join(dist, 'index.html')).catch(() => {
    throw new Error(`${dist}/index.html is missing: build the app first (trunk build --release)`);
  });
  server = await serveDir(dist);
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
  await mkdir(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
});

/**
 * Opens the app at `fragment` and waits for the first broker. Collects console errors, page errors
 * and any request that leaves the local server (the app must need no network).
 */
async function openApp(fragment = '', { reducedMotion, init } = {}) {
  const page = await browser.newPage({ viewport: VIEWPORT, reducedMotion });
  if (init) await page.addInitScript(init);
  const problems = { consoleErrors: [], pageErrors: [], foreignRequests: [], failedResponses: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => problems.pageErrors.push(String(err)));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.failedResponses.push(`${res.status()} ${res.url()}`);
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(origin + '/')) problems.foreignRequests.push(req.url());
  });
  await page.goto(`${origin}/${fragment}`);
  await page.getByTestId('broker-1').waitFor({ state: 'visible', timeout: 20_000 });
  // The scenario picker and the lesson path are listed just after the first paint.
  await page.locator('html[data-catalogue="ready"]').waitFor({ state: 'attached' });
  return { page, problems };
}

function assertNoProblems(problems) {
  assert.deepEqual(problems.pageErrors, [], 'page errors');
  assert.deepEqual(problems.failedResponses, [], 'failed responses');
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.foreignRequests, [], 'requests outside the local server');
}

const brokerIds = (page) =>
  page.locator('[data-testid^="broker-"]').evaluateAll((nodes) => nodes.map((n) => n.dataset.testid));

describe('kafkalab app shell', () => {
  test('loads in Korean with three alive brokers, a clock and no errors', async () => {
    const { page, problems } = await openApp();
    try {
      assert.deepEqual(await brokerIds(page), ['broker-1', 'broker-2', 'broker-3']);
      for (const id of [1, 2, 3]) {
        const broker = page.getByTestId(`broker-${id}`);
        assert.equal(await broker.getAttribute('data-state'), 'alive');
        assert.match(await broker.getAttribute('data-controller'), /^(true|false)$/);
        assert.match(await broker.textContent(), new RegExp(`브로커 ${id}`));
      }
      const controller = page.locator('[data-controller="true"]');
      assert.equal(await controller.count(), 1, 'exactly one active controller');
      // Marked by text too, not by colour alone.
      assert.match(await controller.textContent(), /컨트롤러/);
      assert.match(await page.getByTestId('clock').textContent(), /^\d+$/);
      assert.equal(await page.locator('h1').textContent(), 'kafkalab');
      assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
      assert.equal(await page.getByTestId('url-notice').count(), 0);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('the language toggle switches the visible text between Korean and English', async () => {
    const { page, problems } = await openApp();
    try {
      const toggle = page.getByTestId('lang-toggle');
      const broker1 = page.getByTestId('broker-1');
      assert.match(await broker1.textContent(), /브로커 1/);
      const koreanTagline = await page.locator('.brand-tagline').textContent();

      await toggle.click();
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.match(await broker1.textContent(), /Broker 1/);
      assert.doesNotMatch(await broker1.textContent(), /브로커/);
      assert.notEqual(await page.locator('.brand-tagline').textContent(), koreanTagline);
      assert.match(page.url(), /[#&]lang=en$/);
      await page.screenshot({ path: join(screenshots, 'app-en.png') });

      await toggle.click();
      await page.waitForFunction(() => document.documentElement.lang === 'ko');
      assert.match(await broker1.textContent(), /브로커 1/);
      assert.match(page.url(), /[#&]lang=ko$/);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('#lang=en opens in English', async () => {
    const { page, problems } = await openApp('#lang=en');
    try {
      assert.match(await page.getByTestId('broker-2').textContent(), /Broker 2/);
      assert.equal(await page.getByTestId('url-notice').count(), 0);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('an unknown lang= falls back to Korean with a visible, dismissible notice', async () => {
    const { page, problems } = await openApp('#lang=xx');
    try {
      const notice = page.getByTestId('url-notice');
      await notice.waitFor({ state: 'visible' });
      assert.match(await notice.textContent(), /xx/);
      assert.match(await page.getByTestId('broker-1').textContent(), /브로커 1/);
      await page.screenshot({ path: join(screenshots, 'app-lang-xx.png') });
      await page.getByTestId('url-notice-dismiss').click();
      await notice.waitFor({ state: 'detached' });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('screenshot at 1280x800 for the README', async () => {
    const { page, problems } = await openApp();
    try {
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(screenshots, 'app-ko.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The visual simulator

const viewJson = (page) => page.locator('#view-json').textContent();

async function setSpeed(page, index) {
  await page.getByTestId('speed').selectOption(String(index));
}

/**
 * Plays until `predicate` (run in the page) holds, then pauses. In a scenario, explain mode pauses
 * at each note: play on from there until the predicate holds.
 */
async function playUntil(page, predicate, arg, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  const until = (fn, a) => page.waitForFunction(fn, a, { timeout: Math.max(1, deadline - Date.now()) });
  for (;;) {
    const from = await clock(page);
    await page.getByTestId('btn-play').click();
    const held = until(predicate, arg).then(() => true);
    const paused = until(
      (from) =>
        document.querySelector('[data-testid="btn-play"]') !== null &&
        Number(document.querySelector('[data-testid="clock"]').textContent) > from,
      from,
    ).then(() => false);
    held.catch(() => {});
    paused.catch(() => {});
    if ((await Promise.race([held, paused])) || (await page.evaluate(predicate, arg))) break;
  }
  // Checked and clicked in one step in the page: the same button turns into Play when explain
  // mode pauses at a note, and a click aimed at Pause must not land on Play.
  await page.evaluate(() => document.querySelector('[data-testid="btn-pause"]')?.click());
  await page.getByTestId('btn-play').waitFor();
}

/**
 * Plays until the clock passes `t`, pauses, then seeks back to exactly `t`: whatever the machine's
 * speed, the test then sees the state at virtual time `t` and nothing later (the engine is
 * deterministic, so the seek reproduces that state exactly).
 */
async function playTo(page, t) {
  await playUntil(page, (t) => Number(document.querySelector('[data-testid="clock"]').textContent) >= t, t);
  await seek(page, t);
}

async function seek(page, t) {
  await page.getByTestId('timeline').evaluate((el, t) => {
    el.value = String(t);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, t);
  await page.waitForFunction((t) => document.querySelector('[data-testid="clock"]').textContent === String(t), t);
}

const clock = async (page) => Number(await page.getByTestId('clock').textContent());

describe('kafkalab visual simulator', () => {
  test('each built-in scenario loads with no console errors', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&lang=en');
    try {
      for (const [name, brokers] of [['large', 9], ['sandbox-brokers', 3], ['sandbox', 3], ['demo', 3]]) {
        await page.getByTestId('scenario-select').selectOption(name);
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="broker-"]').length === n, brokers);
        await setSpeed(page, 6);
        await playTo(page, 3000);
        assert.equal(await page.locator('[data-controller="true"]').count(), 1, name);
        await page.screenshot({ path: join(screenshots, `scenario-${name}.png`) });
      }
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('every built-in scenario file loads through the picker, plays, and shows its step notes', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&lang=en');
    try {
      const picker = page.getByTestId('scenario-select');
      const presets = await picker.locator('optgroup').nth(0).locator('option').evaluateAll((o) => o.map((x) => x.value));
      assert.deepEqual(presets, ['demo', 'large', 'scale', 'sandbox-brokers']);
      // After the presets, one group per scenario category: how Kafka works, then application patterns.
      const groups = await picker.locator('optgroup').evaluateAll((g) => g.slice(1).map((x) => ({
        label: x.label, names: [...x.querySelectorAll('option')].map((o) => o.value),
      })));
      assert.equal(groups[0].label, 'Learning scenarios');
      assert.deepEqual(groups[0].names, [
        'classic-vs-consumer-protocol', 'consumer-scale-out', 'dedicated-controllers', 'delete-topic', 'dynamic-unclean-election', 'eager-vs-cooperative', 'eligible-leader-replicas', 'exactly-once-pipeline', 'follower-fetching',
        'hanging-transaction', 'idempotence', 'kafka-vs-queue', 'key-ordering', 'leader-failover', 'online-protocol-upgrade', 'partition-reassignment', 'pre-vote', 'read-committed-vs-uncommitted', 'retention-compaction',
        'rolling-restart', 'sandbox', 'share-group-queue', 'slow-follower', 'truncation-detection', 'unclean-election', 'zombie-fencing',
      ]);
      assert.ok(groups.slice(1).every((g) => g.label === 'Application patterns'), JSON.stringify(groups));
      const names = groups.flatMap((g) => g.names);
      const notes = page.locator('[data-testid^="step-note-"]');
      for (const name of names) {
        await picker.selectOption(name);
        await page.waitForFunction((n) => location.hash.startsWith(`#scenario=${n}&`), name);
        assert.equal(await clock(page), 0, name);
        // The option shows the scenario's title; the note under the controls its description.
        const title = await picker.locator(`option[value="${name}"]`).textContent();
        assert.ok(title.trim().length > 3 && title.trim() !== name, `${name}: title ${title}`);
        assert.ok((await page.getByTestId('scenario-note').textContent()).length > 20, name);
        await page.getByTestId('broker-1').waitFor();
        if (name === 'sandbox') {
          // No steps, no notes box: build it yourself.
          assert.equal(await page.getByTestId('scenario-notes').count(), 0);
          await setSpeed(page, 6);
          await playTo(page, 2000);
          assert.equal(await page.locator('[data-controller="true"]').count(), 1, name);
          continue;
        }
        await page.getByTestId('scenario-notes').waitFor();
        const before = await notes.count();
        assert.ok(before >= 1, `${name}: the note at t=0 is shown`);
        assert.ok((await notes.first().textContent()).length > 20, name);
        // Play until the timeline reaches the next note.
        await setSpeed(page, 9);
        await playUntil(page, (n) => document.querySelectorAll('[data-testid^="step-note-"]').length > n, before, 90_000);
        assert.ok((await notes.count()) > before, name);
        assert.equal(await page.locator('.step-failed').count(), 0, `${name}: no step was refused`);
        await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
        await page.screenshot({ path: join(screenshots, `builtin-${name}.png`) });
      }
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('online-protocol-upgrade shows the classic members inside the converted consumer group', async () => {
    const { page, problems } = await openApp('#scenario=online-protocol-upgrade&seed=11&t=25000&lang=en');
    try {
      const group = page.getByTestId('group-orders-app');
      await group.waitFor();
      assert.equal(await group.getAttribute('data-protocol'), 'consumer');
      const classic = group.locator('tr[data-member-protocol="classic"]');
      assert.equal(await classic.count(), 2);
      assert.equal(await classic.first().locator('.classic-member').textContent(), 'classic');
      assert.equal(await group.locator('tr[data-member-protocol="consumer"]').count(), 1);
      await group.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'online-protocol-upgrade.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
    // After new-1 left, the group is classic again; at the end every member is on the consumer protocol.
    for (const [t, protocol, classicRows] of [[40000, 'classic', 0], [74000, 'consumer', 0]]) {
      const { page, problems } = await openApp(`#scenario=online-protocol-upgrade&seed=11&t=${t}&lang=en`);
      try {
        const group = page.getByTestId('group-orders-app');
        await group.waitFor();
        assert.equal(await group.getAttribute('data-protocol'), protocol, `at ${t} ms`);
        assert.equal(await group.locator('tr[data-member-protocol="classic"]').count(), classicRows);
        assertNoProblems(problems);
      } finally {
        await page.close();
      }
    }
  });

  test('classic-vs-consumer-protocol shows member epochs and the reconciliation in the group panel', async () => {
    const { page, problems } = await openApp('#scenario=classic-vs-consumer-protocol&seed=5&t=20000&lang=en');
    try {
      const kip = page.getByTestId('group-kip848');
      await kip.waitFor();
      assert.equal(await kip.getAttribute('data-protocol'), 'consumer');
      assert.equal(await kip.getAttribute('data-rebalance'), 'incremental');
      assert.equal(await page.getByTestId('group-eager').getAttribute('data-rebalance'), 'eager');
      assert.equal(await page.getByTestId('group-coop').getAttribute('data-rebalance'), 'cooperative');
      assert.match(await page.getByTestId('group-epoch-kip848').textContent(), /^\d+ \/ \d+$/);
      // Play until a member of kip848 is told to revoke: its row shows the state and what to revoke.
      await setSpeed(page, 6);
      await playUntil(
        page,
        () => document.querySelector('[data-testid="group-kip848"] tr[data-reconcile-state="UNREVOKED_PARTITIONS"]') !== null,
        undefined,
        90_000,
      );
      const revoking = kip.locator('tr[data-reconcile-state="UNREVOKED_PARTITIONS"]');
      assert.match(await revoking.locator('.to-revoke').textContent(), /^orders \d/);
      await revoking.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'consumer-protocol-reconciling.png') });
      // Later every member is STABLE in the group epoch, and the swimlane marks each target epoch.
      await playTo(page, 50000);
      const rows = kip.locator('[data-testid^="member-kip848-"]');
      assert.equal(await rows.count(), 4);
      const epoch = await kip.getAttribute('data-generation');
      for (const row of await rows.all()) {
        assert.equal(await row.getAttribute('data-reconcile-state'), 'STABLE');
        assert.equal(await row.getAttribute('data-member-epoch'), epoch);
      }
      assert.ok((await page.getByTestId('swimlane-kip848').locator('.lane-epoch').count()) >= 2);
      await page.getByTestId('swimlane-kip848').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'consumer-protocol-stable.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('share-group-queue shows the share group and its records with their state and delivery count', async () => {
    // Opened at 16 s, the furthest time the test looks at (a seek stays within what was played),
    // then sought back to 9 s.
    const { page, problems } = await openApp('#scenario=share-group-queue&seed=3&t=16000&lang=en');
    try {
      await seek(page, 9000);
      const group = page.getByTestId('group-queue');
      await group.waitFor();
      assert.equal(await group.getAttribute('data-protocol'), 'share');
      assert.equal(await group.getAttribute('data-rebalance'), 'none');
      assert.equal(await group.locator('[data-testid^="member-queue-"]').count(), 4, 'four members on two partitions');
      const summary = page.getByTestId('share-summary-queue-jobs-0');
      await summary.waitFor();
      assert.ok(Number(await summary.getAttribute('data-spso')) > 0, 'accepted records are done');
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('log-view').waitFor();
      const row = page.getByTestId('share-queue-jobs-0');
      await row.waitFor();
      // The poison record (sent at 8 s, offset 47) is delivered again and again: at 11 s its cell
      // shows delivery count 3 (the share partition first reads its state from
      // __share_group_state, so deliveries start a little later than they did without it);
      // past the limit it is archived and the SPSO passes it.
      await seek(page, 11000);
      const cells = page.locator('[data-testid^="share-record-queue-jobs-0-"]');
      const states = await cells.evaluateAll((c) => c.map((x) => x.getAttribute('data-state')));
      assert.ok(states.every((s) => ['available', 'acquired', 'acknowledged', 'archived'].includes(s)), states.join());
      const counts = await cells.evaluateAll((c) => c.map((x) => Number(x.getAttribute('data-delivery-count'))));
      assert.ok(counts.length > 0 && Math.max(...counts) >= 2, `the poison record is redelivered: ${counts}`);
      await row.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'share-group-queue-log.png') });
      await seek(page, 16000);
      const archived = Number(await page.getByTestId('share-queue-jobs-0').getAttribute('data-spso'));
      const speo = Number(await page.getByTestId('share-queue-jobs-0').getAttribute('data-speo'));
      assert.ok(archived <= speo, 'SPSO ≤ SPEO');
      assert.equal(await page.locator('[data-testid^="share-record-queue-jobs-0-"][data-delivery-count="6"]').count(), 0, 'never a sixth delivery');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('partition-reassignment draws the adding and removing replicas, then the completed assignment', async () => {
    // Opened at 25 s, after the move completed (about 16 s); sought back to 14 s, while broker 4
    // still copies the backlog one batch per fetch (the move starts at 12 s).
    const { page, problems } = await openApp('#scenario=partition-reassignment&seed=5&t=25000&lang=en');
    try {
      await seek(page, 14000);
      const adding = page.getByTestId('replica-orders-0-4');
      await adding.waitFor();
      assert.equal(await adding.getAttribute('data-reassign'), 'adding');
      assert.equal(await adding.getAttribute('data-in-isr'), 'false', 'the new replica is not in the ISR yet');
      assert.equal(await page.getByTestId('replica-orders-0-1').getAttribute('data-reassign'), 'removing');
      assert.equal(await page.getByTestId('replica-orders-0-1').getAttribute('data-role'), 'leader');
      assert.equal(await page.getByTestId('replica-orders-0-2').getAttribute('data-reassign'), null);
      await page.getByTestId('legend-adding').waitFor();
      await page.screenshot({ path: join(screenshots, 'partition-reassignment-adding.png') });
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('log-view').waitFor();
      const strip = page.getByTestId('log-orders-0-4');
      await strip.waitFor();
      assert.equal(await strip.getAttribute('data-reassign'), 'adding');
      assert.equal(await page.getByTestId('log-orders-0-1').getAttribute('data-reassign'), 'removing');
      await page.screenshot({ path: join(screenshots, 'partition-reassignment-log.png') });
      await page.getByTestId('view-toggle').click();
      await seek(page, 25000);
      await page.waitForFunction(() => !document.querySelector('[data-testid="replica-orders-0-1"]'));
      for (const broker of [2, 3, 4]) {
        const tile = page.getByTestId(`replica-orders-0-${broker}`);
        assert.equal(await tile.getAttribute('data-reassign'), null, `broker ${broker}`);
        assert.equal(await tile.getAttribute('data-in-isr'), 'true', `broker ${broker}`);
      }
      assert.equal(await page.getByTestId('replica-orders-0-2').getAttribute('data-role'), 'leader');
      await page.screenshot({ path: join(screenshots, 'partition-reassignment-done.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('Kafka Streams: windowed stores per window, and a late record dropped from its closed window', async () => {
    const { page, problems } = await openApp('#scenario=streams-windowed-count&t=20000&lang=en');
    try {
      const tumbling = page.getByTestId('streams-app-tumbling-counter');
      await tumbling.waitFor();
      // The late record (timestamp 8000 at stream time 14000, grace 2 s) was dropped once.
      assert.equal(await tumbling.getByTestId('streams-dropped').getAttribute('data-count'), '1');
      const home = tumbling.locator('[data-testid="streams-entry"][data-key="home"][data-window="[0,10000)"]');
      assert.equal(await home.getAttribute('data-value'), '4');
      const hopping = page.getByTestId('streams-app-hopping-counter');
      const hop = hopping.locator('[data-testid="streams-entry"][data-key="home"][data-window="[5000,15000)"]');
      assert.equal(await hop.getAttribute('data-value'), '4', 'the hopping window still open took the late record');
      await page.getByTestId('streams-topology').screenshot({ path: join(screenshots, 'streams-windowed-count.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('Kafka Streams: a store restored from its changelog after a crash counts on correctly', async () => {
    // Per product, over every task of the application's instances: the store's counts.
    const counts = (page) =>
      page.locator('[data-testid="streams-app-order-stats"] [data-testid="streams-entry"]').evaluateAll((rows) => {
        const total = {};
        for (const r of rows) total[r.dataset.key] = (total[r.dataset.key] ?? 0) + Number(r.dataset.value);
        return total;
      });
    // The panels follow the clock a moment after it moves: wait for the expected counts.
    const expectCounts = async (page, expected, message) => {
      let seen;
      for (let i = 0; i < 50; i++) {
        seen = await counts(page);
        if (JSON.stringify(seen) === JSON.stringify(expected)) return;
        await page.waitForTimeout(100);
      }
      assert.deepEqual(seen, expected, message);
    };
    // Opened at the end (the scrubber reaches as far as the run went), then sought back.
    const { page, problems } = await openApp('#scenario=streams-state-restore&t=34000&lang=en');
    try {
      const app = page.getByTestId('streams-app-order-stats');
      await app.waitFor();
      const svg = await app.locator('svg.streams-topology').textContent();
      for (const name of ['orders', 'order-stats-orders-per-product-repartition', 'orders-per-product', 'order-stats-orders-per-product-changelog', 'product-counts']) {
        assert.ok(svg.includes(name), `the topology names ${name}`);
      }
      await expectCounts(page, { book: 9, lamp: 4, pen: 5 }, 'the counts after the restore are right');
      await app.screenshot({ path: join(screenshots, 'streams-state-restore.png') });
      await seek(page, 8000);
      await expectCounts(page, { book: 6, lamp: 3, pen: 3 });
      // After the crash and the session timeout, order-stats-2 restores task 1_0 from the changelog.
      await seek(page, 15060);
      assert.equal(await page.getByTestId('streams-instance-order-stats-1').getAttribute('data-running'), 'false');
      const restoring = page.getByTestId('streams-task-order-stats-2-1_0');
      await restoring.getByTestId('streams-restore').waitFor();
      assert.equal(await restoring.getAttribute('data-state'), 'restoring');
      await page.screenshot({ path: join(screenshots, 'streams-restoring.png'), fullPage: true });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('kafka-vs-queue: the consumer group replays from offset 0, the share group keeps up with a slow member', async () => {
    const { page, problems } = await openApp('#scenario=kafka-vs-queue&seed=4&t=45000&lang=en');
    try {
      const tasks = page.getByTestId('group-tasks');
      await tasks.waitFor();
      assert.equal(await tasks.getAttribute('data-protocol'), 'share');
      assert.equal(await page.getByTestId('group-ledger').getAttribute('data-protocol'), 'classic');
      assert.equal(await page.getByTestId('group-audit').getAttribute('data-protocol'), 'classic');
      // The slow ledger member's partition is far behind; the share group's backlog is small.
      const lags = await page.locator('[data-testid^="lag-ledger-orders-"] td:last-child').allTextContents();
      assert.ok(Math.max(...lags.map(Number)) > 100, `ledger lag ${lags}`);
      for (const p of [0, 1]) {
        const row = page.getByTestId(`share-summary-tasks-orders-${p}`);
        const spso = Number(await row.getAttribute('data-spso'));
        const hw = Number(await row.locator('td').nth(3).textContent());
        assert.ok(hw - spso < 50, `tasks orders-${p}: ${hw - spso} records not done`);
      }
      await tasks.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'kafka-vs-queue-groups.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('#scenario=NAME opens a built-in scenario in Korean; a reload keeps it with the learner actions', async () => {
    const { page, problems } = await openApp('#scenario=leader-failover');
    try {
      assert.equal(await page.getByTestId('scenario-select').inputValue(), 'leader-failover');
      assert.match(await page.getByTestId('scenario-notes').textContent(), /시나리오 노트/);
      assert.match(await page.locator('[data-testid^="step-note-"]').first().textContent(), /파티션/);
      // The scenario kills broker 2 at 10 s.
      await setSpeed(page, 8);
      await playTo(page, 11000);
      assert.equal(await page.getByTestId('broker-2').getAttribute('data-state'), 'dead');
      await page.getByTestId('kill-broker-3').click();
      await page.getByTestId('btn-step').click();
      const t = await clock(page);
      const want = await viewJson(page);
      await page.reload();
      await page.getByTestId('broker-1').waitFor();
      assert.equal(await page.getByTestId('scenario-select').inputValue(), 'leader-failover');
      assert.equal(await clock(page), t);
      assert.equal(await viewJson(page), want);
      assert.equal(await page.getByTestId('broker-3').getAttribute('data-state'), 'dead');
      assert.equal(await page.getByTestId('workspace-notice').count(), 0);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('← undoes → one step at a time; Shift+→ / Shift+← move to the next / previous note', async () => {
    const { page, problems } = await openApp('#scenario=leader-failover&lang=en');
    const clockPasses = (t) =>
      page.waitForFunction((t) => Number(document.querySelector('[data-testid="clock"]').textContent) > t, t);
    const clockIs = (t) =>
      page.waitForFunction((t) => Number(document.querySelector('[data-testid="clock"]').textContent) === t, t);
    try {
      await playTo(page, 3000);
      const seen = [{ t: await clock(page), view: await viewJson(page) }];
      assert.equal(seen[0].t, 3000);
      for (let i = 0; i < 3; i++) {
        await page.getByTestId('btn-step').click();
        await clockPasses(seen.at(-1).t);
        seen.push({ t: await clock(page), view: await viewJson(page) });
      }
      // The keys are ignored while a button has the focus.
      await page.evaluate(() => document.activeElement?.blur());
      for (const want of seen.slice(0, -1).reverse()) {
        await page.keyboard.press('ArrowLeft');
        await clockIs(want.t);
        assert.equal(await viewJson(page), want.view, `back at ${want.t}`);
      }
      // leader-failover's notes are at 0, 10 s and 17 s.
      await page.keyboard.press('Shift+ArrowRight');
      await clockIs(10000);
      await page.keyboard.press('Shift+ArrowLeft');
      await clockIs(0);
      await page.keyboard.press('Shift+ArrowRight');
      await clockIs(10000);
      // The step-back button does what ← does.
      const atNote = await viewJson(page);
      await page.getByTestId('btn-step').click();
      await clockPasses(10000);
      await page.getByTestId('btn-step-back').click();
      await clockIs(10000);
      assert.equal(await viewJson(page), atNote);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('an unknown #scenario= shows the notice and the demo', async () => {
    const { page, problems } = await openApp('#scenario=no-such-thing&lang=en');
    try {
      const notice = page.getByTestId('url-notice');
      await notice.waitFor({ state: 'visible' });
      assert.match(await notice.textContent(), /no-such-thing/);
      assert.equal(await page.getByTestId('scenario-select').inputValue(), 'demo');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test("killing the leader's broker elects a new leader, with a narration line", async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=4000&lang=en');
    try {
      const leader = page.locator('[data-testid^="replica-orders-0-"][data-role="leader"]');
      await leader.waitFor();
      const old = (await leader.getAttribute('data-testid')).split('-').pop();
      await page.getByTestId(`kill-broker-${old}`).click();
      await page.waitForFunction((id) => document.querySelector(`[data-testid="broker-${id}"]`).dataset.state === 'dead', old);
      await setSpeed(page, 6);
      await playUntil(page, (id) => {
        const l = document.querySelector('[data-testid^="replica-orders-0-"][data-role="leader"]');
        return l && !l.dataset.testid.endsWith(`-${id}`);
      }, old);
      const now = (await leader.getAttribute('data-testid')).split('-').pop();
      assert.notEqual(now, old);
      const feed = await page.getByTestId('narration').textContent();
      assert.match(feed, new RegExp(`Broker ${old} stopped`));
      assert.match(feed, new RegExp(`elected broker ${now} as leader of orders-0`));
      await page.screenshot({ path: join(screenshots, 'leader-failover.png') });
      await page.getByTestId(`restart-broker-${old}`).click();
      await page.waitForFunction((id) => document.querySelector(`[data-testid="broker-${id}"]`).dataset.state !== 'dead', old);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('cutting a link draws it broken; healing removes it', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=3000&lang=en');
    try {
      await page.getByTestId('link-a').selectOption('broker-1');
      await page.getByTestId('link-b').selectOption('broker-3');
      await page.getByTestId('cut-link').click();
      await page.getByTestId('cut-broker-1-broker-3').waitFor();
      assert.match(await page.getByTestId('narration').textContent(), /link between Broker 1 and Broker 3 was cut/);
      await setSpeed(page, 5);
      await playTo(page, 5000);
      await page.screenshot({ path: join(screenshots, 'link-cut.png') });
      await page.getByTestId('heal-link').click();
      await page.getByTestId('cut-broker-1-broker-3').waitFor({ state: 'detached' });
      assert.match(await page.getByTestId('narration').textContent(), /was healed/);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test("crashing a consumer grows the group's generation and moves its partitions", async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=8000&lang=en');
    try {
      const group = page.getByTestId('group-billing');
      await group.waitFor();
      assert.equal(await group.getAttribute('data-state'), 'Stable');
      const gen = Number(await group.getAttribute('data-generation'));
      const before = await page.locator('[data-testid^="member-billing-"]').count();
      assert.equal(before, 2);
      await page.locator('[data-testid^="crash-consumer-"]').first().click();
      await setSpeed(page, 7);
      await playUntil(page, (g) => {
        const el = document.querySelector('[data-testid="group-billing"]');
        return el && Number(el.dataset.generation) > g && el.dataset.state === 'Stable';
      }, gen, 60_000);
      assert.ok(Number(await group.getAttribute('data-generation')) > gen);
      assert.equal(await page.locator('[data-testid^="member-billing-"]').count(), 1);
      const member = await page.locator('[data-testid^="member-billing-"]').textContent();
      for (const p of [0, 1, 2]) assert.match(member, new RegExp(`orders-${p}`), 'the survivor owns every partition');
      assert.ok((await page.locator('[data-testid^="lag-billing-orders-"]').count()) >= 1);
      await page.screenshot({ path: join(screenshots, 'consumer-crash.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test("a node's context menu opens by right-click and by keyboard; its faults apply", async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=3000&lang=en');
    const active = () => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);
    try {
      const menu = page.getByTestId('node-menu');
      // Right-click on broker 2's name.
      await page.getByTestId('broker-2').locator('.broker-name').click({ button: 'right' });
      await menu.waitFor();
      assert.match(await menu.getAttribute('aria-label'), /Broker 2/);
      assert.equal(await active(), 'menu-kill-broker-2', 'the first item has the focus');
      assert.equal(await menu.locator('[role="menuitem"]').first().getAttribute('aria-label'), 'Kill broker 2');
      await page.getByTestId('menu-cut-links').click();
      await page.getByTestId('menu-cut-oneway-broker-2-broker-1').waitFor();
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.screenshot({ path: join(screenshots, 'node-menu.png') });
      await page.getByTestId('menu-kill-broker-2').click();
      await menu.waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.querySelector('[data-testid="broker-2"]').dataset.state === 'dead');

      // Keyboard: Enter on the focused node opens it, arrows move, Escape closes it and gives the
      // focus back to the node; Shift+F10 and the menu key open it too.
      await page.getByTestId('broker-2').focus();
      await page.keyboard.press('Enter');
      await menu.waitFor();
      assert.equal(await active(), 'menu-restart-broker-2');
      await page.keyboard.press('ArrowDown');
      assert.equal(await active(), 'menu-isolate-broker-2');
      await page.keyboard.press('ArrowUp');
      assert.equal(await active(), 'menu-restart-broker-2');
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
      assert.equal(await active(), 'broker-2');
      await page.keyboard.press('Shift+F10');
      await menu.waitFor();
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
      await page.keyboard.press('ContextMenu');
      await menu.waitFor();
      await page.keyboard.press('Enter');
      await menu.waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.querySelector('[data-testid="broker-2"]').dataset.state !== 'dead');
      assert.equal(await active(), 'broker-2');

      // A consumer's menu crashes it.
      const consumer = page.locator('[data-testid^="node-client-"].client-consumer').first();
      await consumer.click({ button: 'right' });
      const crash = menu.locator('[data-testid^="menu-crash-consumer-"]');
      await crash.click();
      await page.waitForFunction(() => document.querySelector('[data-testid^="node-client-"].client-consumer.client-stopped'));
      assert.match(await page.getByTestId('narration').textContent(), /crashed/);
      // A click elsewhere closes an open menu.
      await page.getByTestId('broker-1').locator('.broker-name').click({ button: 'right' });
      await menu.waitFor();
      await page.locator('h1').click();
      await menu.waitFor({ state: 'detached' });
      // In Korean.
      await page.getByTestId('lang-toggle').click();
      await page.getByTestId('broker-3').locator('.broker-name').click({ button: 'right' });
      await menu.waitFor();
      assert.match(await menu.getAttribute('aria-label'), /브로커 3/);
      assert.match(await menu.textContent(), /고립시키기/);
      await page.getByTestId('menu-cut-links').click();
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.screenshot({ path: join(screenshots, 'node-menu-ko.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test("the node menu stops a broker gracefully: it is marked stopping, then stops with its leaderships moved", async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=3000&lang=en');
    try {
      const menu = page.getByTestId('node-menu');
      await page.getByTestId('broker-2').locator('.broker-name').click({ button: 'right' });
      await menu.waitFor();
      assert.match(await page.getByTestId('menu-shutdown-broker-2').getAttribute('aria-label'), /controlled shutdown/);
      await page.getByTestId('menu-shutdown-broker-2').click();
      await menu.waitFor({ state: 'detached' });
      assert.equal(await page.getByTestId('broker-2').getAttribute('data-shutting-down'), 'true');
      await page.getByTestId('shutdown-mark-2').waitFor();
      await playUntil(page, () => document.querySelector('[data-testid="broker-2"]').dataset.state === 'dead');
      const leaders = await page.locator('[data-testid^="replica-orders-"][data-testid$="-2"][data-role="leader"]').count();
      assert.equal(leaders, 0, 'broker 2 led nothing when it stopped');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('dedicated controllers are drawn as controllers, without replica tiles', async () => {
    const { page, problems } = await openApp('#scenario=dedicated-controllers&seed=3&t=1000&lang=en');
    try {
      for (const id of [4, 5, 6]) {
        const node = page.getByTestId(`broker-${id}`);
        assert.equal(await node.getAttribute('data-roles'), 'controller');
        assert.match(await node.locator('desc').textContent(), new RegExp(`Controller ${id}`));
        assert.equal(await node.locator('.broker-name').textContent(), `Controller ${id}`);
        assert.equal(await page.locator(`[data-testid^="replica-"][data-testid$="-${id}"]`).count(), 0);
      }
      assert.equal(await page.getByTestId('broker-4').getAttribute('data-controller'), 'true');
      assert.equal(await page.getByTestId('broker-1').getAttribute('data-roles'), 'broker');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('a dead broker keeps its tiles, marked stale until the controller fences it', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=4000&lang=en');
    try {
      const leader = page.locator('[data-testid^="replica-orders-"][data-role="leader"]').first();
      const id = (await leader.getAttribute('data-testid')).split('-').pop();
      assert.equal(await page.locator(`[data-testid^="replica-"][data-testid$="-${id}"][data-stale="true"]`).count(), 0);
      await page.getByTestId(`kill-broker-${id}`).click();
      const label = page.getByTestId(`stale-${id}`);
      await label.waitFor();
      assert.equal(await label.getAttribute('data-stale'), 'not-fenced');
      assert.match(await label.textContent(), /unreachable — not yet fenced/);
      const tiles = page.locator(`[data-testid^="replica-orders-"][data-testid$="-${id}"]`);
      assert.ok((await tiles.count()) > 0);
      assert.equal(await tiles.count(), await tiles.and(page.locator('[data-stale="true"]')).count());
      // The metadata still names it leader: that is Kafka's state until the session times out.
      assert.ok((await page.locator(`[data-testid^="replica-orders-"][data-testid$="-${id}"][data-role="leader"]`).count()) > 0);
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.screenshot({ path: join(screenshots, 'stale-not-fenced.png') });
      await setSpeed(page, 6);
      await playUntil(page, (b) => document.querySelector(`[data-testid="stale-${b}"]`)?.dataset.stale === 'fenced', id);
      assert.match(await label.textContent(), /stale — fenced/);
      assert.equal(await page.locator(`[data-testid^="replica-orders-"][data-testid$="-${id}"][data-role="leader"]`).count(), 0);
      await page.getByTestId('lang-toggle').click();
      assert.match(await label.textContent(), /펜싱됨/);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('dragging from one node to another cuts their link; clicking the cut link heals it', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=3000&lang=en');
    try {
      const box = (id) => page.getByTestId(id).locator('.broker-box').boundingBox();
      const [a, b] = [await box('broker-1'), await box('broker-3')];
      await page.mouse.move(a.x + 40, a.y + 30);
      await page.mouse.down();
      await page.mouse.move(a.x + a.width + 20, a.y + 70, { steps: 6 });
      await page.getByTestId('drag-line').waitFor();
      await page.mouse.move(b.x + 90, b.y + 40, { steps: 6 });
      assert.equal(await page.locator('.drop-target').count(), 1, 'the node under the pointer is marked');
      await page.screenshot({ path: join(screenshots, 'drag-to-cut.png') });
      await page.mouse.up();
      const cut = page.getByTestId('cut-broker-1-broker-3');
      await cut.waitFor();
      assert.equal(await cut.getAttribute('data-dir'), 'both');
      assert.equal(await page.getByTestId('drag-line').count(), 0);
      assert.match(await page.getByTestId('narration').textContent(), /link between Broker 1 and Broker 3 was cut/);
      // A press without a drag cuts nothing.
      await page.getByTestId('broker-2').locator('.broker-name').click();
      assert.equal(await page.locator('[data-testid^="cut-broker-"]').count(), 1);
      // One way, from the menu.
      await page.getByTestId('broker-2').locator('.broker-name').click({ button: 'right' });
      await page.getByTestId('menu-cut-links').click();
      await page.getByTestId('menu-cut-oneway-broker-2-broker-1').click();
      const oneWay = page.getByTestId('cut-broker-1-broker-2');
      await oneWay.waitFor();
      assert.equal(await oneWay.getAttribute('data-dir'), 'broker-2->broker-1');
      assert.match(await oneWay.getAttribute('aria-label'), /one way, Broker 2 → Broker 1/);
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.screenshot({ path: join(screenshots, 'cut-links.png') });
      // Clicking a cut link heals it; its menu does too.
      await cut.locator('.cut-knot').click();
      await cut.waitFor({ state: 'detached' });
      assert.match(await page.getByTestId('narration').textContent(), /link between Broker 1 and Broker 3 was healed/);
      await oneWay.locator('.cut-knot').click({ button: 'right' });
      await page.getByTestId('menu-heal-broker-1-broker-2').click();
      await oneWay.waitFor({ state: 'detached' });
      // By keyboard: a cut link takes the focus; Shift+F10 opens its menu, Escape gives the focus
      // back, Enter heals it.
      await page.getByTestId('broker-1').locator('.broker-name').click({ button: 'right' });
      await page.getByTestId('menu-cut-links').click();
      await page.getByTestId('menu-cut-broker-1-broker-2').click();
      await oneWay.waitFor();
      await oneWay.focus();
      await page.keyboard.press('Shift+F10');
      await page.getByTestId('node-menu').waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'menu-heal-broker-1-broker-2');
      await page.keyboard.press('Escape');
      assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'cut-broker-1-broker-2');
      await page.keyboard.press('Enter');
      await oneWay.waitFor({ state: 'detached' });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('no message marker lies on a node, moving or still', async () => {
    for (const reducedMotion of ['no-preference', 'reduce']) {
      const { page, problems } = await openApp('#scenario=demo&seed=42&t=3000&lang=en', { reducedMotion });
      try {
        await setSpeed(page, 0);
        await page.getByTestId('btn-play').click();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="messages"] [data-msg]').length >= 3);
        let markers = 0;
        for (let frame = 0; frame < 10; frame++) {
          const overlaps = await page.evaluate(
            () =>
              new Promise((done) =>
                requestAnimationFrame(() => {
                  const boxes = [...document.querySelectorAll('.canvas .node')].map((n) => [n.dataset.testid, n.getBoundingClientRect()]);
                  const found = [];
                  const shown = [...document.querySelectorAll('[data-testid="messages"] [data-msg]')];
                  for (const m of shown) {
                    const r = m.getBoundingClientRect();
                    const [x, y] = [r.x + r.width / 2, r.y + r.height / 2];
                    for (const [id, b] of boxes) {
                      if (x > b.left && x < b.right && y > b.top && y < b.bottom) found.push(`${m.dataset.msg} on ${id}`);
                    }
                  }
                  done({ count: shown.length, found });
                }),
              ),
          );
          markers += overlaps.count;
          assert.deepEqual(overlaps.found, [], `${reducedMotion}, frame ${frame}`);
        }
        assert.ok(markers > 0, 'markers were drawn');
        await page.getByTestId('btn-pause').click();
        assertNoProblems(problems);
      } finally {
        await page.close();
      }
    }
  });

  test('with prefers-reduced-motion, messages in flight are still markers', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=3000&lang=en', { reducedMotion: 'reduce' });
    // Each marker's geometry by message id, sampled on an animation frame.
    const sample = () =>
      page.evaluate(
        () =>
          new Promise((done) =>
            requestAnimationFrame(() =>
              done(
                Object.fromEntries(
                  [...document.querySelectorAll('[data-testid="messages"] [data-msg]')].map((m) => [
                    m.dataset.msg,
                    ['x', 'y', 'cx', 'cy', 'd'].map((a) => m.getAttribute(a)).join(' '),
                  ]),
                ),
              ),
            ),
          ),
      );
    const compare = async () => {
      const first = await sample();
      const second = await sample();
      const common = Object.keys(first).filter((id) => id in second);
      return { common: common.length, moved: common.filter((id) => first[id] !== second[id]).length };
    };
    try {
      const messages = page.getByTestId('messages');
      assert.equal(await messages.getAttribute('data-still'), 'true');
      // At 0.1x a message stays in flight for several frames.
      await setSpeed(page, 0);
      await page.getByTestId('btn-play').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="messages"] [data-msg]').length >= 3);
      let still = { common: 0 };
      for (let i = 0; i < 20 && still.common === 0; i++) still = await compare();
      assert.ok(still.common > 0, 'some messages stay in flight across two frames');
      assert.equal(still.moved, 0, 'no marker moved');
      assert.match(await page.locator('.cluster .legend').textContent(), /still markers/);
      await page.getByTestId('btn-pause').click();
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.screenshot({ path: join(screenshots, 'reduced-motion.png') });
      // The same page follows the setting: with motion allowed, the dots move again.
      await page.emulateMedia({ reducedMotion: 'no-preference' });
      await page.waitForFunction(() => document.querySelector('[data-testid="messages"]').dataset.still === 'false');
      await page.getByTestId('btn-play').click();
      let moving = { moved: 0 };
      for (let i = 0; i < 20 && moving.moved === 0; i++) moving = await compare();
      await page.getByTestId('btn-pause').click();
      assert.ok(moving.moved > 0, 'messages move without reduced motion');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  /** Opens a 3-broker sandbox and creates topic `wide` of `partitions` partitions, RF 3. */
  async function openWide(partitions) {
    const opened = await openApp('#scenario=sandbox-brokers&seed=1&lang=en');
    const { page } = opened;
    await setSpeed(page, 6);
    await playUntil(page, () => document.querySelector('[data-controller="true"]'));
    assert.equal(await page.getByTestId('summarised-notice').count(), 0);
    await page.getByTestId('topic-name').fill('wide');
    await page.getByTestId('topic-partitions').fill(String(partitions));
    await page.getByTestId('topic-rf').fill('3');
    await page.getByTestId('create-topic').click();
    assert.equal(await page.getByTestId('action-notice').count(), 0);
    return opened;
  }

  test('3 brokers and 64 partitions of RF 3: all 192 replicas are tiles, none overlapping', async () => {
    const { page, problems } = await openWide(64);
    try {
      // The brokers create their replicas once the controller's records reach them.
      await playUntil(page, () => document.querySelectorAll('[data-testid^="replica-wide-"]').length === 192);
      assert.equal(await page.getByTestId('summarised-notice').count(), 0);
      assert.equal(await page.locator('[data-testid^="summary-"]').count(), 0);
      for (const id of [1, 2, 3]) {
        for (const p of [0, 31, 63]) assert.equal(await page.getByTestId(`replica-wide-${p}-${id}`).count(), 1);
      }
      const title = await page.getByTestId('replica-wide-7-1').locator('title').textContent();
      assert.match(title, /^wide-7 (leader|follower)/);
      // Every tile and topic label inside its broker, no two overlapping, every tile's text inside it.
      const faults = await page.evaluate(() => {
        const out = [];
        const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
        for (const broker of document.querySelectorAll('g.broker')) {
          const box = broker.querySelector('.broker-box').getBoundingClientRect();
          const cells = [...broker.querySelectorAll('.tile')].map((tile) => {
            const rect = tile.querySelector('rect').getBoundingClientRect();
            if (!inside(tile.querySelector('text').getBoundingClientRect(), rect)) out.push(`text cut off: ${tile.dataset.testid}`);
            return [tile.dataset.testid, rect];
          });
          for (const label of broker.querySelectorAll('.tile-topic')) cells.push([`label ${label.textContent}`, label.getBoundingClientRect()]);
          cells.forEach(([name, r], i) => {
            if (!inside(r, box)) out.push(`outside its broker: ${name}`);
            for (const [other, q] of cells.slice(i + 1)) {
              if (r.left < q.right - 0.5 && q.left < r.right - 0.5 && r.top < q.bottom - 0.5 && q.top < r.bottom - 0.5) out.push(`${name} overlaps ${other}`);
            }
          });
        }
        return out;
      });
      assert.deepEqual(faults, []);
      await page.locator('.cluster').evaluate((el) => el.scrollIntoView({ block: 'start', behavior: 'instant' }));
      await page.screenshot({ path: join(screenshots, 'tiles-3x64.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('beyond 64 partitions, the cluster is summarised per broker', async () => {
    const { page, problems } = await openWide(65);
    try {
      await playUntil(page, () => document.querySelector('[data-testid="summarised-notice"]'));
      await playTo(page, 8000);
      assert.equal(await page.locator('[data-testid^="replica-"]').count(), 0, 'no tiles');
      for (const id of [1, 2, 3]) {
        const summary = await page.getByTestId(`summary-${id}`).textContent();
        const [leaders, followers] = summary.match(/\d+/g).map(Number);
        assert.equal(leaders + followers, 65, `broker ${id}: ${summary}`);
      }
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.screenshot({ path: join(screenshots, 'summarised.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('scrubbing back to t=0 and forward again gives identical state', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=7&t=2000&lang=en');
    try {
      await page.getByTestId('kill-broker-2').click();
      await setSpeed(page, 6);
      await playTo(page, 6000);
      const t = await clock(page);
      const want = await viewJson(page);
      await seek(page, 0);
      assert.equal(await page.getByTestId('broker-2').getAttribute('data-state'), 'alive');
      await page.screenshot({ path: join(screenshots, 'scrubbed-to-zero.png') });
      await seek(page, t);
      assert.equal(await viewJson(page), want);
      assert.equal(await page.getByTestId('broker-2').getAttribute('data-state'), 'dead');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('switching the language translates the narration', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=3000&lang=en');
    try {
      assert.match(await page.getByTestId('narration').textContent(), /controller/);
      await page.getByTestId('lang-toggle').click();
      await page.waitForFunction(() => document.documentElement.lang === 'ko');
      assert.match(await page.getByTestId('narration').textContent(), /컨트롤러/);
      await page.screenshot({ path: join(screenshots, 'narration-ko.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('a reload restores the workspace; a corrupted one shows a notice and starts clean', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=3000&lang=en');
    try {
      await page.getByTestId('kill-broker-3').click();
      await page.getByTestId('toggle-large-text').check();
      await setSpeed(page, 5);
      await playTo(page, 5000);
      const t = await clock(page);
      const want = await viewJson(page);
      await page.reload();
      await page.getByTestId('broker-1').waitFor();
      assert.equal(await clock(page), t);
      assert.equal(await page.getByTestId('broker-3').getAttribute('data-state'), 'dead');
      assert.equal(await viewJson(page), want);
      assert.ok(await page.getByTestId('toggle-large-text').isChecked());
      await page.screenshot({ path: join(screenshots, 'reloaded-large-text.png') });
      await page.evaluate(() => localStorage.setItem('kafkalab.workspace.v1', '{"broken'));
      await page.goto(`${origin}/#lang=en`);
      await page.reload();
      await page.getByTestId('workspace-notice').waitFor();
      assert.equal(await page.locator('[data-testid^="broker-"][data-state="alive"]').count(), 3);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('keys and values are rendered as text, never as HTML', async () => {
    const { page, problems } = await openApp('#scenario=sandbox&seed=1&lang=en');
    let dialogs = 0;
    page.on('dialog', async (d) => {
      dialogs += 1;
      await d.dismiss();
    });
    try {
      const evil = '<img src=x onerror=alert(1)>';
      await setSpeed(page, 6);
      await playTo(page, 2000);
      await page.getByTestId('topic-name').fill('t');
      await page.getByTestId('topic-partitions').fill('1');
      await page.getByTestId('create-topic').click();
      await page.getByTestId('add-producer').click();
      await page.getByTestId('send-key').fill(evil);
      await page.getByTestId('send-value').fill(evil);
      await page.getByTestId('send-headers').fill('trace=abc');
      await page.getByTestId('send-one').click();
      await setSpeed(page, 6);
      await playUntil(page, () => /offset 0/.test(document.querySelector('[data-testid="send-results"]')?.textContent ?? ''));
      await page.getByTestId('inspect-select').selectOption({ label: 't-0' });
      const record = page.getByTestId('record-0');
      await record.waitFor();
      assert.match(await record.textContent(), /<img src=x onerror=alert\(1\)>/);
      assert.match(await record.textContent(), /trace=abc/);
      assert.equal(await page.locator('main img').count(), 0);
      assert.equal(dialogs, 0);
      await page.screenshot({ path: join(screenshots, 'text-not-html.png'), fullPage: true });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('frame time at 10x on 9 brokers and 60 partitions (reported, not asserted)', async () => {
    // Main-thread work per frame, with the Performance API: a mark when the app's
    // requestAnimationFrame callback starts, and a measure that ends in a task queued from that
    // callback, which runs after the frame's rendering update (Yew's render, style, layout, paint).
    // rAF-to-rAF intervals are reported too, but they are bound to vsync (16.7 ms at best).
    const init = () => {
      const raf = window.requestAnimationFrame.bind(window);
      const channel = new MessageChannel();
      const starts = [];
      channel.port1.onmessage = () => performance.measure('kafkalab-frame', { start: starts.shift() });
      window.__frames = { on: false, stamps: [] };
      window.requestAnimationFrame = (callback) =>
        raf((ts) => {
          if (!window.__frames.on) return callback(ts);
          window.__frames.stamps.push(ts);
          starts.push(performance.now());
          try {
            callback(ts);
          } finally {
            channel.port2.postMessage(0);
          }
        });
      window.__loaf = [];
      try {
        new PerformanceObserver((list) => window.__loaf.push(...list.getEntries())).observe({
          type: 'long-animation-frame',
        });
      } catch {
        // Not every Chromium has long-animation-frame entries; the measures above suffice.
      }
    };
    const { page, problems } = await openApp('#scenario=large&seed=42&t=3000&lang=en', { init });
    try {
      await setSpeed(page, 6);
      await page.getByTestId('btn-play').click();
      await page.evaluate(() => {
        performance.clearMeasures('kafkalab-frame');
        window.__frames.on = true;
        window.__frames.since = performance.now();
      });
      await page.waitForTimeout(4000);
      const { work, stamps, loaf } = await page.evaluate(() => {
        window.__frames.on = false;
        return {
          work: performance.getEntriesByName('kafkalab-frame').map((e) => e.duration),
          stamps: window.__frames.stamps,
          loaf: window.__loaf.filter((e) => e.startTime >= window.__frames.since).map((e) => e.duration),
        };
      });
      await page.getByTestId('btn-pause').click();
      assert.ok(work.length > 20, `frames were measured (${work.length})`);
      const pct = (list) => {
        const sorted = [...list].sort((a, b) => a - b);
        const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
        return `p50=${at(0.5)}ms p95=${at(0.95)}ms max=${at(1)}ms`;
      };
      const intervals = stamps.slice(1).map((t, i) => t - stamps[i]);
      console.log(`FRAME_WORK large@10x: frames=${work.length} ${pct(work)} virtual=${await clock(page)}ms`);
      console.log(`FRAME_INTERVAL large@10x (rAF to rAF, vsync-bound): ${pct(intervals)}`);
      console.log(`LONG_ANIMATION_FRAMES (>50 ms) during the run: ${loaf.length}${loaf.length ? `, longest ${Math.max(...loaf).toFixed(0)}ms` : ''}`);
      await page.screenshot({ path: join(screenshots, 'large-9-brokers.png') });
      // The same with the partition log view open (60 partitions × 3 replicas of strips).
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('log-view').waitFor();
      await page.getByTestId('btn-play').click();
      await page.evaluate(() => {
        performance.clearMeasures('kafkalab-frame');
        window.__frames.on = true;
      });
      await page.waitForTimeout(4000);
      const logWork = await page.evaluate(() => {
        window.__frames.on = false;
        return performance.getEntriesByName('kafkalab-frame').map((e) => e.duration);
      });
      await page.getByTestId('btn-pause').click();
      assert.ok(logWork.length > 20, `frames were measured with the log view (${logWork.length})`);
      console.log(`FRAME_WORK large@10x log view: frames=${logWork.length} ${pct(logWork)} virtual=${await clock(page)}ms`);
      await page.screenshot({ path: join(screenshots, 'large-log-view.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('README screenshot: the demo in English after a failover', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=42&t=6000&lang=en');
    try {
      await page.getByTestId('kill-broker-1').click();
      await setSpeed(page, 6);
      await playTo(page, 9000);
      await page.evaluate(() => document.fonts.ready);
      // Clicking the kill button (below the fold) made Playwright scroll the page; the README shows
      // the top of the page, header included.
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      assert.equal(await page.evaluate(() => window.scrollY), 0);
      // Retries of one send collapse into one line with a count.
      const texts = await page.locator('[data-testid="narration"] .fact-text').allTextContents();
      for (let i = 1; i < texts.length; i++) assert.notEqual(texts[i], texts[i - 1], 'no two identical lines in a row');
      await page.screenshot({ path: join(screenshots, 'demo-failover-en.png') });
      // The README shows the partition logs: the log is Kafka.
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('log-view').waitFor();
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await mkdir(docs, { recursive: true });
      await page.screenshot({ path: join(docs, 'screenshot.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});

describe('classroom', () => {
  test('explain mode pauses at the first note, Next moves to the second, and highlights what the note names', async () => {
    const { page, problems } = await openApp('#scenario=slow-follower&seed=2&lang=en');
    try {
      assert.equal(await page.getByTestId('explain-toggle').isChecked(), true, 'on by default in a scenario');
      // The producer and cluster forms fold away in a lesson; one click brings them back.
      assert.equal(await page.getByTestId('send-one').isVisible(), false);
      await page.getByTestId('free-form-toggle').click();
      assert.equal(await page.getByTestId('send-one').isVisible(), true);
      await page.getByTestId('free-form-toggle').click();
      // Play at 100x: explain mode stops at the first note that arrives (broker 5 slows at 5 s),
      // whatever the machine's speed.
      await setSpeed(page, 9);
      await page.getByTestId('btn-play').click();
      await page.getByTestId('btn-play').waitFor({ timeout: 30_000 });
      assert.equal(await clock(page), 5000);
      const newest = page.locator('.note-current');
      assert.match(await newest.textContent(), /delayed by 5 s/);
      assert.equal(await page.getByTestId('broker-5').getAttribute('data-highlight'), 'true');
      assert.equal(await page.locator('[data-highlight="true"]').count(), 1, 'only the broker the note names');
      // Next: the note tied to the ISR shrink arrives with it (7003 ms), not at a fixed time.
      await page.getByTestId('note-next').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="clock"]').textContent === '7003');
      assert.match(await newest.textContent(), /removes it from the ISR/);
      assert.equal(await newest.getAttribute('data-at'), '7003');
      assert.equal(await page.getByTestId('broker-5').getAttribute('data-highlight'), 'true');
      for (const b of [3, 4, 5]) {
        const tile = page.getByTestId(`replica-payments-0-${b}`);
        assert.equal(await tile.getAttribute('data-highlight'), 'true', `payments-0 on broker ${b}`);
        assert.match(await tile.getAttribute('class'), /highlight/);
      }
      assert.equal(await page.getByTestId('replica-payments-0-5').getAttribute('data-in-isr'), 'false');
      assert.equal(await page.getByTestId('broker-4').getAttribute('data-highlight'), null);
      // Previous goes back to the first; turning explain mode off removes the highlight.
      await page.getByTestId('note-prev').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="clock"]').textContent === '5000');
      await page.getByTestId('explain-toggle').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-highlight="true"]').length === 0);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('the end of a scenario shows a summary computed from engine facts', async () => {
    const { page, problems } = await openApp('#scenario=unclean-election&seed=4&t=44000&lang=en');
    try {
      assert.equal(await page.getByTestId('scenario-summary').count(), 0, 'no summary before the end');
      await playTo(page, 45000);
      const summary = page.getByTestId('scenario-summary');
      await summary.waitFor();
      // `kafkalab run unclean-election` prints the same numbers: 899 acknowledged, 120 lost.
      assert.equal(await summary.getAttribute('data-acked'), '899');
      assert.equal(await summary.getAttribute('data-lost'), '120');
      assert.match(await summary.textContent(), /899 records acknowledged, 0 failed/);
      assert.match(await summary.textContent(), /120 acknowledged records lost/);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('consumer-scale-out marks the members beyond the partition count idle', async () => {
    const { page, problems } = await openApp('#scenario=consumer-scale-out&seed=5&t=36000&lang=en');
    try {
      const idle = await page.locator('[data-idle="true"]').evaluateAll((n) => n.map((x) => x.textContent));
      assert.equal(idle.length, 2, `${idle}`);
      assert.ok(idle.every((text) => /idle/.test(text)), `${idle}`);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('retention-compaction: the log inspector shows deleted segments and compaction gaps', async () => {
    const { page, problems } = await openApp('#scenario=retention-compaction&seed=9&t=20000&lang=en');
    try {
      await page.getByTestId('inspect-select').selectOption({ label: 'clicks-0' });
      await page.getByTestId('log-deleted').waitFor();
      assert.match(await page.getByTestId('log-deleted').textContent(), /offsets 0–\d+: deleted/);
      await page.getByTestId('inspect-select').selectOption({ label: 'profiles-0' });
      await page.locator('[data-testid^="gap-"]').first().waitFor();
      assert.match(await page.locator('[data-testid^="gap-"]').first().textContent(), /removed by compaction/);
      const empty = await page.locator('.segment').evaluateAll((s) => s.filter((x) => x.querySelectorAll('li').length === 0).length);
      assert.ok(empty <= 1, `at most the fresh active segment is empty: ${empty}`);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});

describe('compression and tuning', () => {
  test('tuning-batching-compression: lz4 batches are drawn with codec and sizes, the metrics report the compression rate, the producer panel switches codecs', async () => {
    const { page, problems } = await openApp('#scenario=tuning-batching-compression&t=26000&lang=en');
    try {
      await page.waitForFunction(() => document.querySelector('[data-testid="clock"]').textContent === '26000');
      await seek(page, 25000);
      // `kafkalab run tuning-batching-compression --until-ms 25000 --metrics`: lz4 batches, ratio below 1.
      const metric = (name) => page.getByTestId(`metric-${name}`).getAttribute('data-value').then(Number);
      const rate = await metric('compression-rate-avg');
      assert.ok(rate > 0.3 && rate < 0.9, `compression-rate-avg ${rate}`);
      assert.ok((await metric('request-total')) > 1000, 'request-total counts the eager phase');
      assert.ok((await metric('batch-size-avg')) > 61, 'batch-size-avg is bytes per batch');
      // The log inspector heads each batch with its codec and its stored vs uncompressed size.
      await page.getByTestId('inspect-select').selectOption({ label: 'clicks-compressed-0' });
      const batch = page.locator('[data-testid^="batch-"][data-codec="lz4"]').first();
      await batch.waitFor();
      const [size, raw] = [Number(await batch.getAttribute('data-size')), Number(await batch.getAttribute('data-uncompressed'))];
      assert.ok(size > 61 && size < raw, `stored ${size}, uncompressed ${raw}`);
      assert.match(await batch.textContent(), new RegExp(`lz4 · ${size} bytes stored / ${raw} bytes uncompressed`));
      await page.locator('.inspector').scrollIntoViewIfNeeded();
      await page.locator('.inspector').screenshot({ path: join(screenshots, 'tuning-batching-compression-inspector.png') });
      await page.getByTestId('inspect-select').selectOption({ label: 'clicks-batched-0' });
      const plain = page.locator('[data-testid^="batch-"]').first();
      await plain.waitFor();
      assert.equal(await plain.getAttribute('data-codec'), 'none');
      assert.match(await plain.textContent(), /no compression \(none\)/);
      // The partition logs mark the compressed batches' cells.
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('log-view').waitFor();
      const lz4Cells = page.locator('[data-testid^="offset-clicks-compressed-"][data-codec="lz4"]');
      await lz4Cells.first().waitFor();
      assert.match(await lz4Cells.first().getAttribute('title'), /lz4: \d+ bytes stored, \d+ bytes uncompressed/);
      assert.equal(await page.locator('[data-testid^="offset-clicks-eager-"][data-codec]').count(), 0);
      assert.match(await page.getByTestId('legend-compressed').textContent(), /a compressed batch/);
      await lz4Cells.first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'tuning-batching-compression.png') });
      // The producer panel (folded away in a scenario): the running producer restarts with compression.type=gzip.
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('free-form-toggle').click();
      const producers = page.getByTestId('producer-select');
      const compressed = await producers.locator('option', { hasText: 'compressed (' }).getAttribute('value');
      await producers.selectOption(compressed);
      assert.equal(await page.getByTestId('producer-compression').inputValue(), 'lz4');
      await page.getByTestId('producer-compression').selectOption('gzip');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="producer-select"] option')].some((o) => o.textContent.includes('compression.type=gzip')));
      await playTo(page, 28000);
      await page.getByTestId('inspect-select').selectOption({ label: 'clicks-compressed-1' });
      await page.locator('[data-testid^="batch-"][data-codec="gzip"]').first().waitFor();
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});

describe('long sessions and crashes', () => {
  test('a panic in the engine call shows a notice; a reload restores the untouched workspace', async () => {
    const { page, problems } = await openApp('#scenario=leader-failover&lang=en');
    try {
      await playTo(page, 2000);
      await page.getByTestId('kill-broker-3').click();
      const want = await viewJson(page);
      const hash = new URL(page.url()).hash;
      // Developer mode with the test hook: the engine call panics once the clock would reach 4 s.
      await page.goto(`${origin}/?dev&panic-at=4000${hash}`);
      await page.getByTestId('broker-1').waitFor();
      assert.equal(await clock(page), 2000);
      const memory = page.getByTestId('memory-line');
      assert.ok(Number(await memory.getAttribute('data-wasm-bytes')) > 0, 'wasm memory is shown');
      assert.ok(Number(await memory.getAttribute('data-heap-bytes')) > 0, 'heap bytes are shown');
      assert.ok(Number(await memory.getAttribute('data-checkpoints')) >= 1, 'checkpoints are shown');
      await page.getByTestId('btn-play').click();
      const notice = page.getByTestId('crash-notice');
      await notice.waitFor({ timeout: 30_000 });
      const at = Number(await notice.getAttribute('data-virtual-ms'));
      assert.ok(at >= 2000 && at < 4000, `stopped at ${at} ms`);
      const text = await notice.textContent();
      assert.match(text, new RegExp(`virtual time ${at} ms`));
      assert.match(text, /injected by the developer hook/);
      assert.ok(await page.getByTestId('btn-pause').isDisabled(), 'the Play button no longer claims to play');
      assert.match(await page.getByTestId('btn-pause').textContent(), /Stopped/);
      assert.ok(problems.pageErrors.some((e) => /unreachable/.test(e)), `the wasm trapped: ${problems.pageErrors}`);
      await page.screenshot({ path: join(screenshots, 'crash-notice.png') });
      await page.getByTestId('crash-reload').click();
      await page.waitForURL((u) => u.search === '');
      await page.getByTestId('broker-1').waitFor();
      assert.equal(await clock(page), 2000);
      assert.equal(await page.getByTestId('broker-3').getAttribute('data-state'), 'dead');
      assert.equal(await viewJson(page), want);
      assert.equal(await page.getByTestId('workspace-notice').count(), 0);
      assert.equal(await page.getByTestId('memory-line').count(), 0, 'the reload leaves developer mode');
    } finally {
      await page.close();
    }
  });

  test('a long session of the large preset keeps a window of time; earlier points land at its start', async () => {
    const { page, problems } = await openApp('?dev#scenario=large&lang=en');
    try {
      await setSpeed(page, 9);
      await playUntil(
        page,
        () => Number(document.querySelector('[data-testid="timeline"]').dataset.seekableFrom) > 0,
        undefined,
        120_000,
      );
      const timeline = page.getByTestId('timeline');
      const from = Number(await timeline.getAttribute('data-seekable-from'));
      assert.equal(Number(await page.getByTestId('memory-line').getAttribute('data-checkpoints')), 129);
      assert.match(await timeline.getAttribute('title'), new RegExp(`since ${from} ms`));
      // A point before the window lands at its start; the start of the session stays reachable.
      await timeline.evaluate((el) => {
        el.value = '1000';
        el.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.waitForFunction((f) => document.querySelector('[data-testid="clock"]').textContent === String(f), from);
      await seek(page, 0);
      await seek(page, from + 1000);
      await page.screenshot({ path: join(screenshots, 'timeline-window.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('the crash notice speaks Korean on a Korean page', async () => {
    const { page } = await openApp('?dev&panic-at=500#scenario=demo&seed=1');
    try {
      await page.getByTestId('btn-play').click();
      const notice = page.getByTestId('crash-notice');
      await notice.waitFor({ timeout: 30_000 });
      assert.match(await notice.textContent(), /시뮬레이터가 멈췄습니다/);
      assert.match(await page.getByTestId('crash-reload').textContent(), /작업 공간 다시 불러오기/);
    } finally {
      await page.close();
    }
  });
});


describe('terminal', () => {
  /** Types one line into the terminal and presses Enter. */
  async function type(page, line) {
    const input = page.getByTestId('terminal-input');
    await input.fill(line);
    await input.press('Enter');
  }

  /** Opens a scenario played to `horizon` ms and back at 0, so the scrubber can move virtual
   * time forward (never by wall clock) up to there after commands typed at the start. */
  async function openAtStart(fragment, horizon) {
    const opened = await openApp(`${fragment}&t=${horizon}`);
    await seek(opened.page, 0);
    return opened;
  }

  /** Moves virtual time `ms` forward with the scrubber. A console consumer that ends on the way
   * closes (it commits and leaves its group) before the prompt returns, which moves the clock a
   * little further. */
  async function advance(page, ms) {
    const t = (await clock(page)) + ms;
    await page.getByTestId('timeline').evaluate((el, t) => {
      el.value = String(t);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, t);
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="clock"]').textContent) >= t, t);
  }

  const terminalText = (page) => page.getByTestId('terminal-output').textContent();

  test('the console consumer streams as virtual time moves and Ctrl+C stops it', async () => {
    const { page, problems } = await openAtStart('#scenario=sandbox-brokers&seed=1&lang=en', 60000);
    try {
      const terminal = page.getByTestId('terminal');
      await terminal.scrollIntoViewIfNeeded();
      await type(page, 'kafka-topics.sh --create --topic T --partitions 1 --replication-factor 1 --bootstrap-server localhost:9092');
      await type(page, "printf 'one\\ntwo\\nthree\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic T");
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="terminal-output"] .terminal-command').length === 2);
      const before = await clock(page);
      await type(page, 'kafka-console-consumer --bootstrap-server localhost:9092 --topic T --group g --from-beginning');
      // It runs: nothing printed yet, time did not move, the hint says how to go on.
      await page.getByTestId('terminal-running').waitFor();
      await page.getByTestId('terminal-running-hint').waitFor();
      assert.equal(await clock(page), before);
      assert.doesNotMatch(await page.getByTestId('terminal-running').textContent(), /one/);
      // The consumer is a client in the picture while it runs.
      assert.equal(await page.locator('[data-testid^="node-client-"]', { hasText: 'console-consumer' }).count(), 1);
      // One step of virtual time: still running, nothing lost.
      await page.getByTestId('btn-step').click();
      await page.getByTestId('terminal-running').waitFor();
      // Ten virtual seconds later the group has formed and the records are printed.
      await advance(page, 10000);
      await page.waitForFunction(() => /one\ntwo\nthree\n/.test(document.querySelector('[data-testid="terminal-output"]').textContent));
      assert.doesNotMatch(await terminalText(page), /Processed a total/);
      await page.getByTestId('terminal-running').waitFor();
      await page.screenshot({ path: join(screenshots, 'terminal-consumer-streaming.png') });
      await terminal.screenshot({ path: join(screenshots, 'terminal-consumer-streaming-panel.png') });
      // A command typed while it runs waits behind it (as type-ahead in a shell).
      await type(page, 'kafka-topics.sh --list --bootstrap-server localhost:9092');
      assert.equal(await page.locator('[data-testid="terminal-output"] .terminal-command').count(), 3);
      // Ctrl+C stops it with Kafka's count, and drops the type-ahead.
      await page.getByTestId('terminal-input').press('Control+c');
      await page.waitForFunction(() => document.querySelector('[data-testid="terminal-output"]').textContent.includes('^CProcessed a total of 3 messages'));
      assert.equal(await page.getByTestId('terminal-running').count(), 0);
      assert.equal(await page.getByTestId('terminal-running-hint').count(), 0);
      assert.equal(await page.locator('[data-testid="terminal-output"] .terminal-command').count(), 3);
      // It committed before leaving the group: lag 0.
      await type(page, 'kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group g');
      await page.waitForFunction(() => /g\s+T\s+0\s+3\s+3\s+0\s/.test(document.querySelector('[data-testid="terminal-output"]').textContent));
      await terminal.screenshot({ path: join(screenshots, 'terminal-consumer-stopped.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('a console consumer started in the demo prints what its producer writes as time moves', async () => {
    const { page, problems } = await openApp('#scenario=demo&seed=1&lang=en&t=30000');
    try {
      await seek(page, 10000);
      await page.getByTestId('terminal').scrollIntoViewIfNeeded();
      await type(page, 'kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group watcher --property print.partition=true');
      await page.getByTestId('terminal-running').waitFor();
      const lines = (t) => (t.match(/^Partition:\d\t/gm) || []).length;
      await advance(page, 8000);
      const first = lines(await terminalText(page));
      assert.ok(first > 0, await terminalText(page));
      await advance(page, 4000);
      const more = lines(await terminalText(page));
      assert.ok(more > first, `${more} > ${first}`);
      await page.getByTestId('terminal-input').press('Control+c');
      await page.waitForFunction(() => /\^CProcessed a total of \d+ messages/.test(document.querySelector('[data-testid="terminal-output"]').textContent));
      const text = await terminalText(page);
      assert.equal(Number(text.match(/Processed a total of (\d+) messages/)[1]), lines(text));
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('create a topic, produce three keyed messages, consume them with a group, reset its offsets', async () => {
    const { page, problems } = await openAtStart('#scenario=sandbox-brokers&seed=1&lang=en', 60000);
    try {
      const terminal = page.getByTestId('terminal');
      const output = page.getByTestId('terminal-output');
      await terminal.scrollIntoViewIfNeeded();
      const input = page.getByTestId('terminal-input');
      // Tab completes a tool name.
      await input.fill('kafka-top');
      await input.press('Tab');
      assert.equal(await input.inputValue(), 'kafka-topics.sh ');
      await input.fill('');

      await type(page, 'kafka-topics.sh --create --topic orders --partitions 1 --replication-factor 1 --bootstrap-server localhost:9092');
      await page.waitForFunction(() => document.querySelector('[data-testid="terminal-output"]').textContent.includes('Created topic orders.'));

      await type(page, 'kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=:');
      for (const line of ['k1:v1', 'k2:v2', 'k3:v3']) await type(page, line);
      await input.press('Control+d');

      await type(page, 'kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group billing --from-beginning --max-messages 3 --property print.key=true');
      // The consumer streams as virtual time moves, and ends at --max-messages.
      await advance(page, 10000);
      await page.waitForFunction(() => document.querySelector('[data-testid="terminal-output"]').textContent.includes('Processed a total of 3 messages'));
      const consumed = await output.textContent();
      assert.match(consumed, /k1\tv1\nk2\tv2\nk3\tv3\n/);
      // The console clients are drawn in the picture.
      assert.ok((await page.locator('[data-testid^="node-client-"]').count()) >= 2);

      const describe = 'kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group billing';
      await type(page, describe);
      await page.waitForFunction(() => /billing\s+orders\s+0\s+3\s+3\s+0\s/.test(document.querySelector('[data-testid="terminal-output"]').textContent));
      await page.screenshot({ path: join(screenshots, 'terminal-lag-0.png') });

      await type(page, 'kafka-consumer-groups.sh --bootstrap-server localhost:9092 --group billing --reset-offsets --to-earliest --topic orders --execute');
      await page.waitForFunction(() => /NEW-OFFSET\s*\nbilling\s+orders\s+0\s+0/.test(document.querySelector('[data-testid="terminal-output"]').textContent));
      await type(page, describe);
      await page.waitForFunction(() => /billing\s+orders\s+0\s+0\s+3\s+3\s/.test(document.querySelector('[data-testid="terminal-output"]').textContent));
      await terminal.screenshot({ path: join(screenshots, 'terminal-lag-3.png') });

      // ↑ recalls the last command; Ctrl+C drops the line.
      await input.press('ArrowUp');
      assert.equal(await input.inputValue(), describe);
      await input.press('Control+c');
      assert.equal(await input.inputValue(), '');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('kafka-share-groups describes the share group the picture shows', async () => {
    const { page, problems } = await openApp('#scenario=share-group-queue&seed=3&t=10000&lang=en');
    try {
      await seek(page, 10000);
      const spso = await page.getByTestId('share-summary-queue-jobs-0').getAttribute('data-spso');
      const terminal = page.getByTestId('terminal');
      await terminal.scrollIntoViewIfNeeded();
      await type(page, 'kafka-share-groups.sh --bootstrap-server localhost:9092 --describe --group queue');
      await page.waitForFunction(() => /GROUP\s+TOPIC\s+PARTITION\s+START-OFFSET\s+LAG/.test(document.querySelector('[data-testid="terminal-output"]').textContent));
      // The terminal's START-OFFSET is the SPSO the share summary shows.
      const text = await page.getByTestId('terminal-output').textContent();
      const row = text.match(/queue\s+jobs\s+0\s+(\d+)\s+(\d+)/);
      assert.ok(row, text);
      assert.equal(row[1], spso);
      await type(page, 'kafka-share-groups.sh --bootstrap-server localhost:9092 --describe --group queue --members');
      await page.waitForFunction(() => (document.querySelector('[data-testid="terminal-output"]').textContent.match(/\/127\.0\.0\.1\s+worker-\d\s+1\s+jobs:[01]/g) || []).length === 4);
      await terminal.screenshot({ path: join(screenshots, 'terminal-share-groups.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('kafka-topics --delete takes the topic out of the picture', async () => {
    const { page, problems } = await openApp('#scenario=sandbox-brokers&seed=1&lang=en');
    try {
      const terminal = page.getByTestId('terminal');
      await terminal.scrollIntoViewIfNeeded();
      const replicas = page.locator('[data-testid^="replica-orders-"]');
      await type(page, 'kafka-topics.sh --create --topic orders --partitions 2 --replication-factor 2 --bootstrap-server localhost:9092');
      await page.waitForFunction(() => document.querySelector('[data-testid="terminal-output"]').textContent.includes('Created topic orders.'));
      await page.waitForFunction(() => document.querySelectorAll('[data-testid^="replica-orders-"]').length === 4);
      await type(page, 'kafka-topics.sh --delete --topic orders --bootstrap-server localhost:9092');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid^="replica-orders-"]').length === 0);
      assert.equal(await replicas.count(), 0);
      await type(page, 'kafka-topics.sh --list --bootstrap-server localhost:9092 --exclude-internal');
      await type(page, 'kafka-topics.sh --describe --topic orders --bootstrap-server localhost:9092');
      await page.waitForFunction(() => document.querySelector('[data-testid="terminal-output"]').textContent.includes("Topic 'Optional[orders]' does not exist as expected"));
      await page.screenshot({ path: join(screenshots, 'terminal-topic-deleted.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('the terminal speaks Korean on a Korean page', async () => {
    const { page } = await openApp('#scenario=demo&seed=1');
    try {
      assert.match(await page.getByTestId('terminal').textContent(), /터미널/);
      await type(page, 'kafka-topics.sh --list --bootstrap-server localhost:9092 --exclude-internal');
      await page.waitForFunction(() => document.querySelector('[data-testid="terminal-output"]').textContent.includes('orders\n'));
    } finally {
      await page.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The log view: partition logs, groups on the log, Kafka's metrics

describe('the partition log view', () => {
  /** Opens `scenario` in English with the log view on, at virtual time `t`. */
  async function openLogView(scenario, t) {
    const opened = await openApp(`#scenario=${scenario}&lang=en`);
    await opened.page.getByTestId('view-toggle').click();
    await opened.page.getByTestId('log-view').waitFor();
    await setSpeed(opened.page, 8);
    await playTo(opened.page, t);
    return opened;
  }

  /** Each strip's data-leo / data-hw against the replica in the engine's View. */
  async function assertStripsAgreeWithTheView(page) {
    const view = JSON.parse(await viewJson(page));
    const strips = await page.locator('[data-testid^="log-"][data-leo]').evaluateAll((nodes) =>
      nodes.map((n) => ({ id: n.dataset.testid, leo: Number(n.dataset.leo), hw: Number(n.dataset.hw), start: Number(n.dataset.logStart) })),
    );
    assert.ok(strips.length > 0, 'strips are drawn');
    for (const s of strips) {
      const [, topic, partition, broker] = s.id.match(/^log-(.+)-(\d+)-(\d+)$/);
      const replica = view.brokers
        .find((b) => b.id === Number(broker))
        .replicas.find((r) => r.topic === topic && r.partition === Number(partition));
      assert.ok(replica, `${s.id} is a replica in the View`);
      assert.deepEqual([s.leo, s.hw, s.start], [replica.log_end_offset, replica.high_watermark, replica.log_start_offset], s.id);
    }
  }

  test('the toggle switches to the partition logs and is remembered across a reload', async () => {
    const { page, problems } = await openApp('#scenario=demo&lang=en');
    try {
      assert.equal(await page.getByTestId('view-toggle').getAttribute('data-view'), 'brokers');
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('log-view').waitFor();
      assert.equal(await page.getByTestId('view-toggle').getAttribute('data-view'), 'log');
      await page.reload();
      await page.getByTestId('log-view').waitFor({ timeout: 20_000 });
      assert.equal(await page.getByTestId('view-toggle').getAttribute('data-view'), 'log');
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('broker-1').waitFor();
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('unclean-election: the acknowledged records the unclean leader lacks are marked lost; HW and LEO match the View', async () => {
    const { page, problems } = await openLogView('unclean-election', 9000);
    try {
      // Before the election nothing is lost yet.
      assert.equal(await page.locator('[data-testid^="offset-"][data-state="lost"]').count(), 0);
      await assertStripsAgreeWithTheView(page);
      await playTo(page, 21000);
      // Broker 3 leads now; broker 2 still holds the records only it had, marked lost.
      assert.equal(await page.getByTestId('partition-log-metrics-0').locator('.partition-title').textContent(), 'metrics-0 · leader Broker 3 · leader epoch 1');
      const lost = page.locator('[data-testid^="offset-metrics-0-2-"][data-state="lost"]');
      assert.ok((await lost.count()) > 0, 'lost offsets on the old leader');
      assert.ok(await page.locator('.lost-range').count() > 0, 'the lost range stays marked');
      await assertStripsAgreeWithTheView(page);
      await page.screenshot({ path: join(screenshots, 'log-unclean-election.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('truncation-detection: the consumer validates its position after the unclean election and marks the truncation (KIP-320)', async () => {
    // `kafkalab run truncation-detection --trace` (seed 4): broker 3 is elected uncleanly at 18,000 ms;
    // dashboard learns it from metadata and awaits validation, and its OffsetsForLeaderEpoch
    // answer at 18,092 ms shows epoch 0 ends at offset 79, below its position 179: it moves back to 79.
    const { page, problems } = await openLogView('truncation-detection', 18089);
    try {
      const marker = page.getByTestId('position-dashboard-metrics-0');
      await marker.waitFor();
      assert.equal(await marker.getAttribute('data-validating'), 'true');
      assert.equal(await marker.getAttribute('data-offset'), '179');
      assert.equal(await marker.getAttribute('data-offset-epoch'), '0');
      assert.match(await marker.textContent(), /validating/);
      assert.equal(await page.getByTestId('truncation-dashboard-metrics-0').count(), 0, 'nothing detected yet');
      await playTo(page, 18500);
      const truncation = page.getByTestId('truncation-dashboard-metrics-0');
      await truncation.waitFor();
      assert.equal(await truncation.getAttribute('data-position'), '179');
      assert.equal(await truncation.getAttribute('data-end-offset'), '79');
      assert.match(await truncation.getAttribute('title'), /detected a log truncation at 18092 ms/);
      assert.equal(await marker.getAttribute('data-validating'), 'false');
      await truncation.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'log-truncation-detection.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('truncation-detection: archiver starts from its committed offset and epoch and detects the truncation (KIP-320)', async () => {
    // `kafkalab run truncation-detection` (seed 4): archiver committed 139 with leader epoch 0 and
    // closed at 7,000 ms; broker 1 loads the group's offsets (with the epoch) at 18,005 ms. archiver
    // restarts at 24,000 ms, sets its position to the committed 139 at 27,037 ms and awaits
    // validation; at 27,046 ms the new leader ends epoch 0 at 79, below 139: it moves back to 79.
    const { page, problems } = await openLogView('truncation-detection', 20000);
    try {
      const committed = page.getByTestId('committed-archiver-metrics-0');
      await committed.waitFor();
      assert.equal(await committed.getAttribute('data-offset'), '139');
      assert.equal(await committed.getAttribute('data-leader-epoch'), '0', 'replayed by the new coordinator');
      assert.match(await committed.getAttribute('title'), /committed 139 \(the last record's leader epoch 0, KIP-320\)/);
      await playTo(page, 27040);
      const marker = page.getByTestId('position-archiver-metrics-0');
      await marker.waitFor();
      assert.equal(await marker.getAttribute('data-offset'), '139');
      assert.equal(await marker.getAttribute('data-offset-epoch'), '0');
      assert.equal(await marker.getAttribute('data-validating'), 'true', 'validated before its first fetch');
      assert.equal(await page.getByTestId('truncation-archiver-metrics-0').count(), 0, 'nothing detected yet');
      await playTo(page, 27500);
      const truncation = page.getByTestId('truncation-archiver-metrics-0');
      await truncation.waitFor();
      assert.equal(await truncation.getAttribute('data-position'), '139');
      assert.equal(await truncation.getAttribute('data-end-offset'), '79');
      assert.match(await truncation.getAttribute('title'), /archiver detected a log truncation at 27046 ms/);
      await truncation.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'log-truncation-committed-epoch.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('eager-vs-cooperative: the records the cooperative group processed twice are marked on the log', async () => {
    // `kafkalab run eager-vs-cooperative --trace` has one DuplicatesProcessed fact: at 21,536 ms,
    // consumer 7 of group coop processed orders-4 offsets 95–109 a second time.
    const { page, problems } = await openLogView('eager-vs-cooperative', 22000);
    try {
      const twice = page.getByTestId('processed-twice-coop-orders-4-95');
      await twice.waitFor();
      assert.equal(await twice.getAttribute('data-first'), '95');
      assert.equal(await twice.getAttribute('data-last'), '109');
      assert.match(await twice.getAttribute('title'), /processed twice: offsets 95–109/);
      // The range's newest offsets keep cells of their own on the leader's strip, apart from the
      // newest records of the log (a gap slot between them).
      const leader = page.locator('[data-testid^="log-orders-4-"].strip-leader');
      const broker = (await leader.getAttribute('data-testid')).split('-').pop();
      assert.equal(await page.getByTestId(`offset-orders-4-${broker}-109`).count(), 1, 'offset 109 drawn');
      assert.equal(await page.getByTestId(`offset-orders-4-${broker}-110`).count(), 0, 'offset 110 in the gap');
      await twice.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'log-processed-twice.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('idempotence: the records the plain producer wrote twice are marked duplicate, the safe topic has none', async () => {
    const { page, problems } = await openLogView('idempotence', 8000);
    try {
      assert.ok((await page.locator('[data-testid^="offset-plain-0-"][data-state="duplicate"]').count()) > 0);
      assert.equal(await page.locator('[data-testid^="offset-safe-0-"][data-state="duplicate"]').count(), 0);
      await page.screenshot({ path: join(screenshots, 'log-idempotence.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('consumer-scale-out: committed markers advance; lag and records-lag-max match `kafkalab run`', async () => {
    const { page, problems } = await openLogView('consumer-scale-out', 6000);
    try {
      const committed = (p) => page.getByTestId(`committed-workers-events-${p}`).getAttribute('data-offset').then(Number);
      const before = [await committed(0), await committed(1), await committed(2)];
      assert.ok(await page.getByTestId('position-worker-1-events-0').count(), 'worker-1 reads events-0');
      await playTo(page, 30000);
      const later = [await committed(0), await committed(1), await committed(2)];
      for (let p = 0; p < 3; p++) assert.ok(later[p] >= before[p], `events-${p}: ${before[p]} → ${later[p]}`);
      assert.ok(later.reduce((a, b) => a + b) > before.reduce((a, b) => a + b), `${before} → ${later}`);
      // `cargo run -p kafkalab-cli -- run consumer-scale-out --until-ms 30000 --metrics` (seed 5) prints
      // records-lag-max 0, MessagesInPerSec 30.0, BytesInPerSec 2160.0, rebalance-total 4 and
      // request-latency-avg 14.47; the group's lag per partition is the HW minus the committed offset.
      const metric = (name) => page.getByTestId(`metric-${name}`).getAttribute('data-value');
      assert.deepEqual(
        [await metric('records-lag-max'), await metric('MessagesInPerSec'), await metric('BytesInPerSec'), await metric('rebalance-total'), await metric('request-latency-avg')],
        ['0', '30', '2160', '4', '14.5'],
      );
      const view = JSON.parse(await viewJson(page));
      const group = view.groups.find((g) => g.group_id === 'workers');
      for (const o of group.offsets) {
        const lag = await page.getByTestId(`lag-on-log-workers-events-${o.partition}`).getAttribute('data-lag');
        assert.equal(Number(lag), o.lag, `events-${o.partition}`);
      }
      assert.ok(await page.getByTestId('idle-workers-worker-4').count(), 'worker-4 is drawn idle');
      await page.screenshot({ path: join(screenshots, 'log-consumer-scale-out.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('eligible-leader-replicas: with the ISR empty the ELR tiles read E, then broker 4 leads from the ELR', async () => {
    const { page, problems } = await openApp('#scenario=eligible-leader-replicas&lang=en');
    try {
      await setSpeed(page, 8);
      // `kafkalab run eligible-leader-replicas`: offline at 19000 ms with ELR [3, 4]; broker 4
      // elected from the ELR at 22503 ms.
      await playTo(page, 20000);
      for (const broker of [3, 4]) {
        const tile = page.getByTestId(`replica-payments-0-${broker}`);
        assert.equal(await tile.getAttribute('data-in-isr'), 'false');
        assert.equal(await tile.getAttribute('data-in-elr'), 'true');
        assert.match(await tile.locator('text').textContent(), /^E/);
      }
      assert.equal(await page.getByTestId('replica-payments-0-5').getAttribute('data-in-elr'), 'false');
      await playTo(page, 24000);
      const four = page.getByTestId('replica-payments-0-4');
      assert.equal(await four.getAttribute('data-role'), 'leader');
      assert.equal(await four.getAttribute('data-in-elr'), 'false');
      assert.equal(await page.getByTestId('replica-payments-0-3').getAttribute('data-in-elr'), 'true');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('follower-fetching: each consumer reads from the replica in its rack; reader-c falls back to the leader while broker 3 is down', async () => {
    // Opened at 40 s, the furthest time the test looks at (a seek stays within what was played).
    const { page, problems } = await openApp('#scenario=follower-fetching&t=40000&lang=en');
    try {
      // `kafkalab run follower-fetching`: the leader names brokers 2 and 3 to reader-b and reader-c
      // at about 3.2 s; broker 3 dies at 20 s and reader-c falls back at 20084 ms; broker 3 is
      // back in the ISR and named again at 33067 ms.
      await seek(page, 10000);
      for (const [broker, rack] of [[1, 'az-a'], [2, 'az-b'], [3, 'az-c']]) {
        assert.equal(await page.getByTestId(`broker-${broker}`).getAttribute('data-rack'), rack);
        assert.equal(await page.getByTestId(`rack-${broker}`).textContent(), `rack ${rack}`);
      }
      const racks = await page.locator('.client-consumer').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-rack')));
      assert.deepEqual(racks.sort(), ['az-a', 'az-b', 'az-c']);
      const path = (consumer) => page.getByTestId(`fetch-path-${consumer}-clicks-0`);
      const reads = async (consumer) => [await path(consumer).getAttribute('data-broker'), await path(consumer).getAttribute('data-follower')];
      assert.deepEqual(await reads('reader-a'), ['1', 'false'], 'reader-a shares az-a with the leader');
      assert.deepEqual(await reads('reader-b'), ['2', 'true']);
      assert.deepEqual(await reads('reader-c'), ['3', 'true']);
      assert.equal(await page.getByTestId('replica-clicks-0-2').getAttribute('data-read-by'), 'reader-b');
      assert.equal(await page.getByTestId('replica-clicks-0-3').getAttribute('data-read-by'), 'reader-c');
      assert.equal(await page.getByTestId('replica-clicks-0-1').getAttribute('data-read-by'), null);
      await page.screenshot({ path: join(screenshots, 'follower-fetching.png') });
      await seek(page, 26000);
      assert.deepEqual(await reads('reader-c'), ['1', 'false'], 'back on the leader while broker 3 is down');
      assert.equal(await page.getByTestId('replica-clicks-0-3').getAttribute('data-read-by'), null);
      await page.screenshot({ path: join(screenshots, 'follower-fetching-fallback.png') });
      await seek(page, 40000);
      assert.deepEqual(await reads('reader-c'), ['3', 'true'], 'in its own rack again');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('leader-failover: UnderReplicatedPartitions rises after the kill and returns to 0 after the restart', async () => {
    const { page, problems } = await openApp('#scenario=leader-failover&lang=en');
    try {
      const urp = () => page.getByTestId('metric-UnderReplicatedPartitions').getAttribute('data-value').then(Number);
      await setSpeed(page, 8);
      await playTo(page, 5000);
      assert.equal(await urp(), 0);
      // `kafkalab run leader-failover --until-ms 20000 --metrics` prints UnderReplicatedPartitions 6:
      // the ISRs shrink replica.lag.time.max.ms after the kill.
      await playTo(page, 20000);
      assert.equal(await urp(), 6, 'under-replicated after broker 2 died');
      await page.getByTestId('metrics').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'metrics-leader-failover.png') });
      await playTo(page, 40000);
      assert.equal(await urp(), 0, 'fully replicated again after the restart');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('the sequence diagram draws the responses lost on a cut link; clicking one shows its fields', async () => {
    const { page, problems } = await openApp('#scenario=idempotence&lang=en');
    try {
      await setSpeed(page, 8);
      await playTo(page, 5400);
      const diagram = page.getByTestId('seq-diagram');
      assert.ok((await diagram.locator('.seq-msg').count()) > 0, 'messages in the window');
      const dropped = diagram.locator('[data-outcome="dropped"]');
      assert.ok((await dropped.count()) > 0, 'the responses broker 2 sends the producers are lost');
      const delivered = diagram.locator('[data-outcome="delivered"]').first();
      const kind = await delivered.getAttribute('data-kind');
      await delivered.focus();
      await page.keyboard.press('Enter');
      assert.match(await page.getByTestId('seq-fields').textContent(), new RegExp(kind));
      await page.getByTestId('seq-fields').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'seq-diagram-idempotence.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('presenter mode: in the URL, the picture and the step note as a caption; PageDown / PageUp move by step; b blanks', async () => {
    const { page, problems } = await openApp('#scenario=leader-failover&lang=en&presenter=1');
    try {
      assert.equal(await page.getByTestId('presenter-toggle').getAttribute('aria-pressed'), 'true');
      assert.equal(await page.locator('.panels').isVisible(), false, 'panels folded');
      await page.locator('body').press('PageDown');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="clock"]').textContent) > 0);
      const first = await clock(page);
      await page.locator('body').press('PageDown');
      await page.waitForFunction((t) => Number(document.querySelector('[data-testid="clock"]').textContent) > t, first);
      assert.match(await page.getByTestId('presenter-caption').textContent(), /ms/);
      await page.screenshot({ path: join(screenshots, 'presenter-leader-failover.png') });
      await page.locator('body').press('PageUp');
      await page.waitForFunction((t) => Number(document.querySelector('[data-testid="clock"]').textContent) === t, first);
      await page.locator('body').press('b');
      await page.getByTestId('presenter-blank').waitFor();
      await page.locator('body').press('b');
      await page.getByTestId('presenter-blank').waitFor({ state: 'detached' });
      await page.getByTestId('presenter-toggle').click();
      await page.waitForFunction(() => !location.hash.includes('presenter'));
      assert.equal(await page.locator('.panels').isVisible(), true);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('axe-core finds no serious or critical violation on the broker view and the log view', async () => {
    const { page, problems } = await openApp('#scenario=consumer-scale-out&lang=en');
    try {
      await page.addScriptTag({ path: join(here, 'node_modules', 'axe-core', 'axe.min.js') });
      const serious = async () => {
        const options = { resultTypes: ['violations'] };
        const result = await page.evaluate((options) => window.axe.run(document, options), options);
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      };
      await setSpeed(page, 8);
      await playTo(page, 26000);
      assert.deepEqual(await serious(), [], 'broker view');
      await page.getByTestId('view-toggle').click();
      await page.getByTestId('log-view').waitFor();
      assert.deepEqual(await serious(), [], 'log view');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});

describe('lessons', () => {
  /** The partition's leader and ISR in the paused app's View (what the picture draws). */
  async function partitionInView(page, topic, partition) {
    const view = JSON.parse(await viewJson(page));
    return view.topics.find((t) => t.name === topic).partitions.find((p) => p.partition === partition);
  }

  /** Asks a question, predicts choice 0, runs to its check time, and returns the verdict's data. */
  async function answer(page, id, askAt, checkAt, screenshot) {
    await page.getByTestId(`lesson-ask-${id}`).click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="clock"]').textContent === String(t), askAt);
    assert.equal(await page.getByTestId(`lesson-question-${id}`).getAttribute('data-state'), 'asking');
    assert.ok(await page.getByTestId(`lesson-run-${id}`).isDisabled(), 'a prediction comes first');
    await page.getByTestId(`lesson-choice-${id}-0`).check();
    if (screenshot) await page.getByTestId(`lesson-question-${id}`).screenshot({ path: join(screenshots, screenshot) });
    await page.getByTestId(`lesson-run-${id}`).click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="clock"]').textContent === String(t), checkAt);
    const verdict = page.getByTestId(`lesson-verdict-${id}`);
    await verdict.waitFor();
    const data = {
      correct: await verdict.getAttribute('data-correct'),
      value: await verdict.getAttribute('data-value'),
      answer: Number(await verdict.getAttribute('data-answer')),
    };
    assert.equal(data.correct, String(data.answer === 0), 'right exactly when the run picks the predicted choice');
    return data;
  }

  test('a lesson by URL: predictions checked against the engine, the lesson completed, progress kept across a reload', async () => {
    const { page, problems } = await openApp('#lesson=replication-failover&lang=en');
    try {
      const panel = page.getByTestId('lesson-panel');
      assert.equal(await panel.getAttribute('data-lesson'), 'replication-failover');
      assert.match(await page.getByTestId('lesson-title').textContent(), /Replication and leader failover/);
      assert.equal(await page.getByTestId('lesson-scenario-leader-failover').getAttribute('aria-pressed'), 'true');
      // "What to look at" moves the clock and highlights what the text names.
      await page.getByTestId('lesson-look-1').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="clock"]').textContent === '17000');
      assert.equal(await page.getByTestId('broker-2').getAttribute('data-highlight'), 'true');
      await panel.screenshot({ path: join(screenshots, 'lesson-panel.png') });

      // Q1: who leads orders-2 after broker 2 dies? The verdict's value is what the picture shows.
      const q1 = await answer(page, 'new-leader', 9500, 20000, 'lesson-question.png');
      assert.equal(Number(q1.value), (await partitionInView(page, 'orders', 2)).leader);
      assert.notEqual(q1.value, '2', 'the dead broker does not lead');
      await page.getByTestId('lesson-question-new-leader').screenshot({ path: join(screenshots, 'lesson-verdict.png') });
      const q2 = await answer(page, 'isr-after-kill', 9500, 20000);
      assert.equal(Number(q2.value), (await partitionInView(page, 'orders', 2)).isr.length);
      const q3 = await answer(page, 'leader-back', 30000, 45000);
      assert.equal(Number(q3.value), (await partitionInView(page, 'orders', 2)).leader);

      // Back on the path the lesson is done; a reload keeps that.
      await page.getByTestId('lesson-close').click();
      assert.equal(await page.getByTestId('lesson-item-replication-failover').getAttribute('data-done'), 'true');
      assert.equal(await page.getByTestId('lesson-progress').getAttribute('data-done'), '1');
      assert.doesNotMatch(page.url(), /lesson=/);
      await page.reload();
      await page.getByTestId('broker-1').waitFor();
      assert.equal(await page.getByTestId('lesson-item-replication-failover').getAttribute('data-done'), 'true');
      await page.getByTestId('lesson-path').screenshot({ path: join(screenshots, 'lesson-path.png') });

      // Unreadable saved progress: a notice, a clean start, the text kept under its own key.
      await page.evaluate(() => localStorage.setItem('kafkalab.lessons.v1', '{"answers": [broken'));
      await page.reload();
      await page.getByTestId('lesson-notice').waitFor();
      assert.match(await page.getByTestId('lesson-notice').textContent(), /kafkalab\.lessons\.v1\.unreadable/);
      assert.equal(await page.getByTestId('lesson-item-replication-failover').getAttribute('data-done'), 'false');
      assert.equal(await page.evaluate(() => localStorage.getItem('kafkalab.lessons.v1.unreadable')), '{"answers": [broken');
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('a bad lesson name in the URL is a clear notice and the lesson path', async () => {
    const { page, problems } = await openApp('#lesson=no-such-lesson&lang=en');
    try {
      const notice = page.getByTestId('url-notice');
      await notice.waitFor();
      assert.match(await notice.textContent(), /lesson “no-such-lesson”, which does not exist\. Lessons: what-is-kafka,/);
      await page.getByTestId('lesson-path').waitFor();
      assert.equal(await page.locator('[data-testid^="lesson-item-"]').count(), 14);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('a fork of leader-failover with acks=1: lost records in the acks=1 branch, none as written', async () => {
    // Opened at 45 s of virtual time (the URL's t), then forked there.
    const { page, problems } = await openApp('#lesson=producer-acks&scenario=leader-failover&seed=3&t=45000&lang=en');
    try {
      await page.getByTestId('lesson-fork-0').click();
      const fork = page.getByTestId('fork-panel');
      await fork.waitFor();
      assert.equal(await fork.getAttribute('data-change'), 'producer:checkout:acks=1');
      assert.equal(await fork.getAttribute('data-at-ms'), '45000');
      // Both branches follow the timeline's cursor: at 30 s leadership has not moved back yet.
      await seek(page, 30000);
      await page.waitForFunction(() => document.querySelector('[data-testid="fork-panel"]').dataset.atMs === '30000');
      assert.equal(await page.getByTestId('fork-branch-acked_lost').getAttribute('data-value'), '0');
      await seek(page, 45000);
      await page.waitForFunction(() => document.querySelector('[data-testid="fork-panel"]').dataset.atMs === '45000');
      assert.equal(await page.getByTestId('fork-base-acked_lost').getAttribute('data-value'), '0');
      assert.ok(Number(await page.getByTestId('fork-branch-acked_lost').getAttribute('data-value')) >= 1);
      assert.ok(Number(await page.getByTestId('fork-base-records_acked').getAttribute('data-value')) > 0);
      assert.match(page.url(), /&fork=producer:checkout:acks=1/);
      await fork.screenshot({ path: join(screenshots, 'fork.png') });
      // The URL shares the fork: a fresh page at the same fragment shows the same numbers.
      const shared = await browser.newPage({ viewport: VIEWPORT });
      await shared.goto(page.url());
      await shared.getByTestId('fork-panel').waitFor();
      assert.equal(await shared.getByTestId('fork-panel').getAttribute('data-at-ms'), '45000');
      assert.equal(
        await shared.getByTestId('fork-branch-acked_lost').getAttribute('data-value'),
        await page.getByTestId('fork-branch-acked_lost').getAttribute('data-value'),
      );
      await shared.close();
      // Any one change, typed: a bad one says why.
      await page.getByTestId('fork-input').fill('producer:checkout:acks=2');
      await page.getByTestId('fork-go').click();
      await page.getByTestId('fork-notice').waitFor();
      assert.match(await page.getByTestId('fork-notice').textContent(), /acks/);
      await page.getByTestId('fork-close').click();
      assert.equal(await page.getByTestId('fork-panel').count(), 0);
      await page.screenshot({ path: join(screenshots, 'lesson-app.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('a fork at a moment: "Fork here" at 9 s, the same run before, lost records only in the acks=1 branch after', async () => {
    // Opened at 45 s (the timeline reaches that far), then back to 9 s (just before broker 2 dies) to fork there.
    const { page, problems } = await openApp('#lesson=producer-acks&scenario=leader-failover&seed=3&t=45000&lang=en');
    try {
      await seek(page, 9000);
      await page.getByTestId('fork-input').fill('producer:checkout:acks=1');
      await page.getByTestId('fork-here').click();
      const fork = page.getByTestId('fork-panel');
      await fork.waitFor();
      assert.equal(await fork.getAttribute('data-from-ms'), '9000');
      assert.match(await page.getByTestId('fork-from').textContent(), /parted at 9000 ms/);
      assert.match(page.url(), /&fork=producer:checkout:acks=1&fork_at=9000/);
      // Before the fork both branches are one run: every number is equal.
      await seek(page, 8000);
      await page.waitForFunction(() => document.querySelector('[data-testid="fork-panel"]').dataset.atMs === '8000');
      for (const field of ['records_acked', 'records_failed', 'acked_lost', 'leaderless_ms', 'rebalances']) {
        assert.equal(
          await page.getByTestId(`fork-base-${field}`).getAttribute('data-value'),
          await page.getByTestId(`fork-branch-${field}`).getAttribute('data-value'),
          field,
        );
      }
      await seek(page, 45000);
      await page.waitForFunction(() => document.querySelector('[data-testid="fork-panel"]').dataset.atMs === '45000');
      assert.equal(await page.getByTestId('fork-base-acked_lost').getAttribute('data-value'), '0');
      assert.ok(Number(await page.getByTestId('fork-branch-acked_lost').getAttribute('data-value')) >= 1);
      await fork.screenshot({ path: join(screenshots, 'fork-at-moment.png') });
      // The lesson's own fork at a moment, and the shared URL keeps the moment.
      await page.getByTestId('lesson-fork-1').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="fork-panel"]').dataset.fromMs === '9000');
      const shared = await browser.newPage({ viewport: VIEWPORT });
      await shared.goto(page.url());
      await shared.getByTestId('fork-panel').waitFor();
      assert.equal(await shared.getByTestId('fork-panel').getAttribute('data-from-ms'), '9000');
      await shared.close();
      // One action added at the cursor: killing broker 3 too.
      await page.getByTestId('fork-input').fill('+kill-broker:3');
      await page.getByTestId('fork-here').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="fork-panel"]').dataset.change === '+kill-broker:3');
      assert.match(page.url(), /&fork=%2Bkill-broker:3&fork_at=45000/);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('the lesson plan: steps, questions and forks to print, and a class started at a step by URL', async () => {
    const { page, problems } = await openApp('#lesson=replication-failover&lang=en');
    try {
      await page.getByTestId('lesson-plan-open').click();
      const plan = page.getByTestId('lesson-plan');
      await plan.waitFor();
      assert.match(page.url(), /&plan=1/);
      assert.match(await plan.textContent(), /Lesson plan: 7\. /);
      assert.ok((await page.locator('[data-testid^="plan-step-leader-failover-"]').count()) >= 3);
      const questions = page.locator('[data-testid^="plan-question-"]');
      assert.ok((await questions.count()) >= 1);
      // The answer key comes from a run: the new-leader question's right choice for this seed.
      assert.notEqual(await page.getByTestId('plan-question-new-leader').getAttribute('data-answer'), '');
      // On paper only the plan shows.
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.getByTestId('clock').evaluate((e) => getComputedStyle(e).visibility), 'hidden');
      assert.equal(await plan.evaluate((e) => getComputedStyle(e).visibility), 'visible');
      await plan.screenshot({ path: join(screenshots, 'lesson-plan-print.png') });
      await page.emulateMedia({ media: 'screen' });
      await plan.screenshot({ path: join(screenshots, 'lesson-plan.png') });
      // A step's link starts a class there: the note of that step has arrived, the plan closed.
      const link = page.locator('[data-testid^="plan-step-link-leader-failover-"]').nth(2);
      const href = await link.getAttribute('href');
      const index = href.match(/step=(\d+)/)[1];
      const klass = await browser.newPage({ viewport: VIEWPORT });
      await klass.goto(page.url().split('#')[0] + href);
      await klass.getByTestId(`step-note-${index}`).waitFor();
      assert.equal(await klass.getByTestId('lesson-panel').getAttribute('data-lesson'), 'replication-failover');
      assert.equal(await klass.getByTestId('lesson-plan').count(), 0);
      await klass.close();
      await page.getByTestId('lesson-plan-close').click();
      assert.equal(await page.getByTestId('lesson-plan').count(), 0);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Transactions and exactly-once (#13): each scenario at chosen virtual times, read from the log
// view's cells and lines and the engine's View (`view-json`).

describe('transactions and exactly-once', () => {
  /**
   * Opens `scenario` in English at virtual time `t` (the URL's `t`: run there, not played) with the
   * log view on; the timeline then seeks anywhere up to `t`.
   */
  async function openAt(scenario, t) {
    const opened = await openApp(`#scenario=${scenario}&t=${t}&lang=en`);
    await opened.page.waitForFunction((t) => document.querySelector('[data-testid="clock"]').textContent === String(t), t);
    await opened.page.getByTestId('view-toggle').click();
    await opened.page.getByTestId('log-view').waitFor();
    return opened;
  }

  /** The `data-txn` of each drawn cell of a partition's leader strip, by offset. */
  async function txnCells(page, topic, partition) {
    const leader = page.locator(`[data-testid^="log-${topic}-${partition}-"].strip-leader`);
    const broker = (await leader.getAttribute('data-testid')).split('-').pop();
    return page.locator(`[data-testid^="offset-${topic}-${partition}-${broker}-"]`).evaluateAll((cells, prefix) =>
      Object.fromEntries(cells.map((c) => [Number(c.dataset.testid.slice(prefix.length)), c.dataset.txn ?? null])),
      `offset-${topic}-${partition}-${broker}-`,
    );
  }

  test('exactly-once-pipeline: at-most-once misses outputs, at-least-once duplicates them, exactly-once has neither', async () => {
    const { page, problems } = await openAt('exactly-once-pipeline', 25000);
    try {
      const view = JSON.parse(await viewJson(page));
      const audit = Object.fromEntries(view.processors.map((p) => [p.consumer, p]));
      const row = (name) => page.getByTestId(`processor-${name}`);
      const data = async (name) => {
        const r = row(name);
        return {
          guarantee: await r.getAttribute('data-guarantee'),
          consumed: Number(await r.getAttribute('data-consumed')),
          missing: Number(await r.getAttribute('data-missing')),
          duplicates: Number(await r.getAttribute('data-duplicates')),
          aborted: Number(await r.getAttribute('data-aborted')),
        };
      };
      const [amo, alo, eos] = [await data('amo-app'), await data('alo-app'), await data('eos-app')];
      for (const [name, d] of [['amo-app', amo], ['alo-app', alo], ['eos-app', eos]]) {
        assert.equal(d.missing, audit[name].missing, `${name}: the panel shows the engine's audit`);
        assert.equal(d.duplicates, audit[name].duplicates, name);
        assert.ok(d.consumed >= 100, `${name} caught up: ${d.consumed}`);
      }
      assert.equal(amo.guarantee, 'at_most_once');
      assert.ok(amo.missing > 0 && amo.duplicates === 0, `at-most-once misses outputs: ${JSON.stringify(amo)}`);
      assert.equal(alo.guarantee, 'at_least_once');
      assert.ok(alo.duplicates > 0 && alo.missing === 0, `at-least-once duplicates outputs: ${JSON.stringify(alo)}`);
      assert.equal(eos.guarantee, 'exactly_once');
      assert.deepEqual([eos.missing, eos.duplicates], [0, 0], 'exactly-once: neither');
      assert.ok(eos.aborted > 0, 'the crashed transaction was aborted');
      // The aborted outputs and their ABORT marker are drawn on the exactly-once output's log.
      await page.getByTestId('log-topic').selectOption({ label: 'out-exactly-once' });
      await page.getByTestId('partition-log-out-exactly-once-0').waitFor();
      await seek(page, 9000);
      const cells = Object.values(await txnCells(page, 'out-exactly-once', 0));
      assert.ok(cells.includes('aborted'), `aborted outputs drawn: ${cells}`);
      assert.ok(cells.includes('marker-abort') && cells.includes('marker-commit'), `markers drawn: ${cells}`);
      assert.ok(!cells.includes(null), 'every output is transactional');
      await page.screenshot({ path: join(screenshots, 'txn-exactly-once-pipeline-log.png') });
      await seek(page, 25000);
      await page.getByTestId('processors-panel').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'txn-exactly-once-pipeline.png') });
      // The same table in Korean.
      await page.getByTestId('lang-toggle').click();
      await page.waitForFunction(() => document.documentElement.lang === 'ko');
      assert.match(await page.getByTestId('processors-panel').textContent(), /최대 한 번.*최소 한 번.*정확히 한 번/s);
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('zombie-fencing: the zombie\'s open transaction is aborted, the new instance commits', async () => {
    const { page, problems } = await openAt('zombie-fencing', 14000);
    try {
      // a-1 (aborted), its ABORT marker, b-1 (committed), its COMMIT marker; the fenced a-2 is not there.
      assert.deepEqual(Object.values(await txnCells(page, 'results', 0)), ['aborted', 'marker-abort', 'committed', 'marker-commit']);
      await page.screenshot({ path: join(screenshots, 'txn-zombie-fencing-log.png') });
      assert.equal(await page.getByTestId('txn-processor').getAttribute('data-state'), 'CompleteCommit');
      const view = JSON.parse(await viewJson(page));
      const zombie = view.producers.find((p) => p.name === 'processor-a');
      const fresh = view.producers.find((p) => p.name === 'processor-b');
      assert.equal(fresh.transaction.committed, 1, 'the new instance committed');
      assert.equal(await page.getByTestId('txn-producer-processor-a').getAttribute('data-state'), zombie.transaction.state);
      assert.ok(['fatal_error', 'abortable_error'].includes(zombie.transaction.state), `the zombie is fenced: ${zombie.transaction.state}`);
      await page.getByTestId('txn-panel').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'txn-zombie-fencing.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('hanging-transaction: the open transaction holds the LSO until the timeout aborts it', async () => {
    const { page, problems } = await openAt('hanging-transaction', 20000);
    try {
      await seek(page, 12000);
      const partition = page.getByTestId('partition-log-orders-0');
      const hw = Number(await partition.getAttribute('data-hw'));
      const lso = Number(await partition.getAttribute('data-lso'));
      assert.ok(hw - lso > 30, `the LSO is held while the HW grows: HW ${hw}, LSO ${lso}`);
      await page.getByTestId('lso-orders-0').waitFor();
      // The open transaction's record keeps a cell of its own, however old: the record the LSO waits for.
      assert.equal((await txnCells(page, 'orders', 0))[lso], 'open', `offset ${lso} is drawn as an open transaction's record`);
      await page.getByTestId('legend-txn').waitFor();
      assert.equal(await page.locator('[data-testid="lag-ledgers-orders-0"] .lag-position').getAttribute('data-lag-to'), 'lso');
      assert.equal(await page.getByTestId('txn-batch-job-1').getAttribute('data-state'), 'Ongoing');
      await page.screenshot({ path: join(screenshots, 'txn-hanging-transaction-held.png') });
      await seek(page, 20000);
      assert.equal(await page.getByTestId('lso-orders-0').count(), 0, 'no LSO line once the transaction is aborted');
      assert.equal(await partition.getAttribute('data-lso'), await partition.getAttribute('data-hw'));
      assert.equal(await page.getByTestId('txn-batch-job-1').getAttribute('data-state'), 'CompleteAbort');
      await page.screenshot({ path: join(screenshots, 'txn-hanging-transaction-aborted.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });

  test('read-committed-vs-uncommitted: read_committed skips the aborted record, read_uncommitted reads it', async () => {
    const { page, problems } = await openAt('read-committed-vs-uncommitted', 15000);
    try {
      await seek(page, 8000);
      // The second transaction is open: the LSO stops at its record.
      const partition = page.getByTestId('partition-log-payments-0');
      assert.equal(await partition.getAttribute('data-lso'), '2');
      await page.getByTestId('lso-payments-0').waitFor();
      assert.deepEqual(await txnCells(page, 'payments', 0), { 0: 'committed', 1: 'marker-commit', 2: 'open' });
      await seek(page, 15000);
      assert.deepEqual(await txnCells(page, 'payments', 0), { 0: 'committed', 1: 'marker-commit', 2: 'aborted', 3: 'marker-abort' });
      const view = JSON.parse(await viewJson(page));
      const processed = (name) => view.consumers.find((c) => c.name === name).processed_records;
      assert.equal(processed('auditor'), 1, 'read_committed: only the committed record');
      assert.equal(processed('snooper'), 2, 'read_uncommitted: the aborted record too');
      await page.screenshot({ path: join(screenshots, 'txn-read-committed-vs-uncommitted.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});

describe('application patterns', () => {
  test('spring-blocking-retries: the DLT record and its Spring headers, the back-off drawn, a listener redeployed', async () => {
    const { page, problems } = await openApp('#scenario=spring-blocking-retries&t=8000&lang=en');
    try {
      await page.waitForFunction(() => document.querySelector('[data-testid="clock"]').textContent === '8000');
      // The listeners panel counts what the engine's DefaultErrorHandler did: v7 failed twice,
      // v13 three times; four back-off sleeps; one record to orders.DLT.
      const row = page.getByTestId('listener-order-service');
      await row.scrollIntoViewIfNeeded();
      assert.equal(await row.getAttribute('data-failures'), '5');
      assert.equal(await row.getAttribute('data-back-offs'), '4');
      assert.equal(await row.getAttribute('data-dead-lettered'), '1');
      // The dead letter in the log inspector, with its exception and original-record headers.
      await page.getByTestId('inspect-select').selectOption({ label: 'orders.DLT-0' });
      const record = page.getByTestId('record-0');
      await record.waitFor();
      const text = await record.textContent();
      assert.match(text, /v13/);
      assert.match(text, /kafka_dlt-exception-fqcn=org\.springframework\.kafka\.listener\.ListenerExecutionFailedException/);
      assert.match(text, /kafka_dlt-exception-cause-fqcn=com\.shop\.PaymentDeclinedException/);
      assert.match(text, /kafka_dlt-original-topic=orders/);
      assert.match(text, /kafka_dlt-original-offset=13/);
      await record.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'patterns-spring-dlt-headers.png') });
      // During v13's first back-off the consumer sleeps: marked on the canvas and in the panel.
      await seek(page, 4300);
      assert.equal(await row.getAttribute('data-backing-off'), 'true');
      await page.locator('.client[data-backing-off="true"]').waitFor();
      assert.match(await page.locator('.client[data-backing-off="true"]').textContent(), /back-off/);
      await page.locator('.client[data-backing-off="true"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'patterns-spring-back-off.png') });
      await page.getByTestId('listeners-panel').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'patterns-spring-listeners-panel.png') });
      // Redeploying the listener: a bad program is refused with the parser's message, a good one applies.
      await page.getByTestId('listener-order-service').scrollIntoViewIfNeeded();
      const details = page.locator('.listener-details').first();
      await details.locator('summary').click();
      const editor = details.locator('textarea');
      assert.match(await editor.inputValue(), /kind = "default"/);
      await editor.fill('[[rule]]\nfail = "sometimes"\n');
      await details.locator('button').click();
      await page.getByTestId('action-notice').waitFor();
      assert.match(await page.getByTestId('action-notice').textContent(), /consumer\.rule\.fail/);
      await editor.fill('[[rule]]\nvalue = "v30"\nfail = "always"\n\n[error_handler]\nkind = "default"\nback_off = { kind = "fixed", interval_ms = 100, max_attempts = 1 }\nrecoverer = "dead_letter"\n');
      await details.locator('button').click();
      await page.waitForFunction(() => JSON.parse(document.querySelector('#view-json').textContent)
        .consumers.find((c) => c.name === 'order-service').listener.program.includes('value = "v30"'));
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});
