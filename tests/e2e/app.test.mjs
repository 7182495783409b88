// Browser end-to-end tests of the kafkalab web app: Playwright (playwright-core) driving Debian's
// Chromium against dist/ (built by `trunk build --release`), served by a small static server on
// 127.0.0.1. Run from this folder with `node --test` (scripts/test.sh does, after the build).
//
// Env: KAFKALAB_DIST (default ../../dist), CHROMIUM (default /usr/bin/chromium).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const dist = resolve(process.env.KAFKALAB_DIST ?? join(repo, 'dist'));
const screenshots = join(here, 'screenshots');
const docs = join(repo, 'docs');
const VIEWPORT = { width: 1280, height: 800 };

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** A static file server for dist/ on 127.0.0.1 and a free port. */
function serveDist() {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(dist, path));
      if (file !== dist && !file.startsWith(dist + sep)) throw new Error('outside dist');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

let server;
let browser;
let origin;

before(async () => {
  await stat(join(dist, 'index.html')).catch(() => {
    throw new Error(`${dist}/index.html is missing: build the app first (trunk build --release)`);
  });
  server = await serveDist();
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
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
async function openApp(fragment = '') {
  const page = await browser.newPage({ viewport: VIEWPORT });
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
      assert.match(page.url(), /#lang=en$/);
      await page.screenshot({ path: join(screenshots, 'app-en.png') });

      await toggle.click();
      await page.waitForFunction(() => document.documentElement.lang === 'ko');
      assert.match(await broker1.textContent(), /브로커 1/);
      assert.match(page.url(), /#lang=ko$/);
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
      await mkdir(docs, { recursive: true });
      await page.screenshot({ path: join(docs, 'screenshot.png') });
      assertNoProblems(problems);
    } finally {
      await page.close();
    }
  });
});
