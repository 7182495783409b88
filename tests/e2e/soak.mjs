// A long browser run, reported (never part of the timed suite): the `large` preset at the highest
// speed for a number of wall minutes, sampling the resident memory of the page's renderer process
// and the page's own memory line (wasm memory, heap bytes, checkpoints) and JS heap; then random seeks across the range the timeline keeps; then the `demo` preset to
// 60 virtual minutes. Run from this folder after `trunk build --release`:
//
//   node soak.mjs [wall minutes, default 5]
//
// Prints one line a sample and a JSON summary at the end. Exits non-zero on a crash notice.

import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, percentile, serveDir, timedSeek } from './harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = resolve(process.env.KAFKALAB_DIST ?? join(here, '..', '..', 'dist'));
const minutes = Number(process.argv[2] ?? 5);
const MIB = 1 << 20;

/** Pids of the running Chromium renderer processes. */
async function rendererPids() {
  const pids = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('--type=renderer')) pids.push(pid);
  }
  return pids;
}

/**
 * Memory of one process (zeros once it is gone): resident bytes (VmRSS, which counts the Chromium
 * binary's file pages that every Chromium process maps), the private part (RssAnon), and the
 * proportional set size (Pss: shared pages divided among the processes that share them).
 */
async function rss(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const kb = (text, name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) * 1024;
  return { total: kb(status, 'VmRSS'), anon: kb(status, 'RssAnon'), pss: kb(rollup, 'Pss') };
}

/**
 * Opens `url` in a new page and finds the renderer process that serves it: the one that was not
 * there before (Chromium also keeps a spare renderer and others, which are not the page's).
 */
async function openPage(browser, url) {
  const before = new Set(await rendererPids());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.getByTestId('broker-1').waitFor({ timeout: 30_000 });
  const fresh = (await rendererPids()).filter((p) => !before.has(p));
  let pid = fresh[0];
  for (const p of fresh) if ((await rss(p)).total > (await rss(pid)).total) pid = p;
  return { page, pid };
}

async function sample(page) {
  return page.evaluate(() => {
    const line = document.querySelector('[data-testid="memory-line"]');
    return {
      clock: Number(document.querySelector('[data-testid="clock"]').textContent),
      wasm: Number(line?.dataset.wasmBytes ?? 0),
      heap: Number(line?.dataset.heapBytes ?? 0),
      checkpoints: Number(line?.dataset.checkpoints ?? 0),
      js: performance.memory?.usedJSHeapSize ?? 0,
      crashed: Boolean(document.querySelector('[data-testid="crash-notice"]')),
    };
  });
}


async function play({ page, pid }, untilWallMs, untilVirtualMs, label, curve) {
  await page.getByTestId('speed').selectOption('9');
  await page.getByTestId('btn-play').click();
  const start = Date.now();
  for (;;) {
    await page.waitForTimeout(10_000);
    const { total, anon, pss } = await rss(pid);
    const s = { wall_s: Math.round((Date.now() - start) / 1000), rss: total, anon, pss, ...(await sample(page)) };
    curve.push(s);
    console.log(
      `${label} wall ${s.wall_s}s virtual ${(s.clock / 60000).toFixed(1)} min  renderer ${(s.rss / MIB).toFixed(0)} MiB (PSS ${(s.pss / MIB).toFixed(0)}, private ${(s.anon / MIB).toFixed(0)})  ` +
        `wasm ${(s.wasm / MIB).toFixed(0)} MiB  heap ${(s.heap / MIB).toFixed(0)} MiB  JS ${(s.js / MIB).toFixed(0)} MiB  checkpoints ${s.checkpoints}`,
    );
    if (s.crashed) throw new Error(`${label}: crash notice at ${s.clock} ms`);
    if (Date.now() - start >= untilWallMs || s.clock >= untilVirtualMs) break;
  }
  await page.getByTestId('btn-pause').click();
}

/** `count` seeks to random times the timeline keeps; wall ms each, measured in the page. */
async function randomSeeks(page, count) {
  const { from, max } = await page.getByTestId('timeline').evaluate((el) => ({
    from: Math.max(1, Number(el.min), Number(el.dataset.seekableFrom)),
    max: Number(el.max),
  }));
  const times = [];
  for (let i = 0; i < count; i++) {
    const t = Math.floor(from + Math.random() * (max - from));
    times.push(await timedSeek(page, t));
  }
  return { from_ms: from, to_ms: max, p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: Math.max(...times) };
}

const server = await serveDir(dist);
const origin = `http://127.0.0.1:${server.address().port}`;
const summary = {};

/** Plays `scenario` in a browser of its own (so that no renderer of an earlier page is counted),
 * then seeks at random; the peaks, the renderer's curve and the seek times. */
async function phase(scenario, untilWallMs, untilVirtualMs) {
  const browser = await launchChromium();
  try {
    const opened = await openPage(browser, `${origin}/?dev#scenario=${scenario}&lang=en`);
    const curve = [];
    await play(opened, untilWallMs, untilVirtualMs, scenario, curve);
    const peak = (key) => Math.max(...curve.map((s) => s[key])) / MIB;
    return {
      virtual_ms: curve.at(-1).clock,
      peak_renderer_mib: peak('rss'),
      peak_renderer_pss_mib: peak('pss'),
      peak_renderer_private_mib: peak('anon'),
      peak_wasm_mib: peak('wasm'),
      curve_renderer_mib: curve.map((s) => Math.round(s.rss / MIB)),
      seeks: await randomSeeks(opened.page, 100),
    };
  } finally {
    await browser.close();
  }
}

try {
  summary.large = { wall_minutes: minutes, ...(await phase('large', minutes * 60_000, Infinity)) };
  summary.demo = await phase('demo', 10 * 60_000, 3_600_000);
} finally {
  console.log(JSON.stringify(summary));
  server.close();
}
