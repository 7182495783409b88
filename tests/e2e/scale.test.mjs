// The `scale` preset in the browser: 100 brokers, the engine's scale workload (issue 17). The
// page shows per-broker counts and the under-replicated partitions instead of the picture; a
// broker killed from the page leaves its partitions under-replicated and listed. Virtual time is
// moved by seeking only, so nothing here depends on the machine's speed; the frame work while
// playing is reported (FRAME_WORK scale@...), never asserted.
//
// Env: KAFKALAB_DIST (default ../../dist), CHROMIUM (default /usr/bin/chromium).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, percentile, serveDir } from './harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = resolve(process.env.KAFKALAB_DIST ?? join(here, '..', '..', 'dist'));
const screenshots = join(here, 'screenshots');

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

const clock = async (page) => Number(await page.getByTestId('clock').textContent());

/** Plays (at 100x: as fast as the frames' budget allows) until the clock reaches `t`, then
 * pauses: however fast the machine, the state checked is at `t` or later. */
async function playPast(page, t) {
  await page.getByTestId('speed').selectOption('9');
  await page.getByTestId('btn-play').click();
  await page.waitForFunction((t) => Number(document.querySelector('[data-testid="clock"]').textContent) >= t, t, {
    timeout: 600_000,
  });
  await page.getByTestId('btn-pause').click();
}

/** Main-thread work per animation frame (see app.test.mjs's frame test): from the rAF callback's
 * start to a task queued from it, which runs after the frame's rendering. */
const measureFrames = () => {
  const raf = window.requestAnimationFrame.bind(window);
  const channel = new MessageChannel();
  const starts = [];
  channel.port1.onmessage = () => performance.measure('kafkalab-frame', { start: starts.shift() });
  window.__frames = { on: false };
  window.requestAnimationFrame = (callback) =>
    raf((ts) => {
      if (!window.__frames.on) return callback(ts);
      starts.push(performance.now());
      try {
        callback(ts);
      } finally {
        channel.port2.postMessage(0);
      }
    });
};

describe('the scale preset: 100 brokers', () => {
  test('kill a broker: its partitions become under-replicated and listed; frame work reported', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(measureFrames);
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    try {
      // t=1000: the page seeks there as it opens (every partition has its leader by then).
      await page.goto(`${origin}/?dev#scenario=scale&seed=1&t=1000&lang=en`);
      await page.getByTestId('scale-cluster').waitFor({ timeout: 300_000 });
      assert.equal(await page.getByTestId('scenario-select').inputValue(), 'scale');
      assert.equal(await page.locator('[data-testid^="scale-broker-"]').count(), 100);
      assert.equal(await clock(page), 1_000);
      const totals = page.getByTestId('scale-totals');
      assert.equal(await totals.getAttribute('data-alive'), '100');
      assert.match(await totals.textContent(), /100 of 100 brokers alive · 10\d\d\d partitions/);
      const leaders = await page
        .locator('[data-testid^="scale-broker-"]')
        .evaluateAll((cells) => cells.reduce((sum, c) => sum + Number(c.dataset.leaders), 0));
      const partitions = Number((await totals.textContent()).match(/(\d+) partitions/)[1]);
      assert.equal(leaders, partitions, 'every partition has a leader, counted once');
      assert.equal(await page.getByTestId('scale-group-order-readers').locator('td').nth(3).textContent(), '20');

      // Frame work while playing at 1x: bounded engine work per frame, the clock says how slow.
      await page.getByTestId('speed').selectOption('3');
      await page.getByTestId('btn-play').click();
      await page.evaluate(() => {
        performance.clearMeasures('kafkalab-frame');
        window.__frames.on = true;
      });
      const from = await clock(page);
      await page.getByTestId('clock-pace').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(3_000);
      const work = await page.evaluate(() => {
        window.__frames.on = false;
        return performance.getEntriesByName('kafkalab-frame').map((e) => e.duration);
      });
      await page.getByTestId('btn-pause').click();
      const pace = await page.getByTestId('clock-pace').textContent();
      assert.match(pace, /simulating at [\d.]+× real time \(chosen 1x\)/);
      const memory = await page.getByTestId('memory-line').evaluate((el) => ({ ...el.dataset }));
      const f = (q) => percentile(work, q).toFixed(1);
      console.log(
        `FRAME_WORK scale@1x: frames=${work.length} p50=${f(0.5)}ms p95=${f(0.95)}ms max=${f(1)}ms ` +
          `virtual ${from}→${await clock(page)}ms; ${pace}; memory ${JSON.stringify(memory)}`,
      );
      assert.ok(work.length > 20, `frames were measured (${work.length})`);

      // Kill broker 7 from its cell; the controller fences it, shrinks the ISRs and elects.
      await page.getByTestId('scale-broker-7').click();
      await page.getByTestId('scale-kill').click();
      await page.getByTestId('scale-restart').waitFor();
      const cell = page.getByTestId('scale-broker-7');
      const held = Number(await cell.getAttribute('data-leaders')) + Number(await cell.getAttribute('data-followers'));
      assert.ok(held > 100, `broker 7 holds about 300 replicas (${held})`);
      const killedAt = await clock(page);
      await playPast(page, killedAt + 12_000);
      assert.equal(await totals.getAttribute('data-alive'), '99');
      assert.equal(Number(await totals.getAttribute('data-urp')), held, 'every partition it held is under-replicated');
      assert.equal(await cell.getAttribute('data-leaders'), '0', 'it leads nothing: the others were elected');
      const rows = page.locator('[data-testid="urp-list"] tbody tr');
      assert.equal(await rows.count(), 50, 'the list is capped');
      assert.match(await page.getByTestId('urp-more').textContent(), new RegExp(`and ${held - 50} more`));
      for (const row of await rows.all()) {
        const [, leader, isr, replicas] = await row.locator('td').allTextContents();
        assert.ok(replicas.split(',').includes('7') && !isr.split(',').includes('7') && leader !== '7', `${replicas} / ${isr}`);
      }
      // The story survives the flood of 50 producers' retries: the feed keeps the marked moments.
      const feed = page.getByTestId('narration');
      assert.match(await feed.textContent(), /Broker 7 stopped heartbeating; the controller \(broker \d+\) fenced it\./);
      assert.match(await feed.textContent(), /previous leader broker 7\)/, 'an election of a partition broker 7 led');
      await page.screenshot({ path: join(screenshots, 'scale-100-brokers.png'), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
