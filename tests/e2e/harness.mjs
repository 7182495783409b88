// What the browser suite (app.test.mjs) and the soak run (soak.mjs) share: a static server for
// dist/ on 127.0.0.1 and Debian's Chromium, started with the flags this machine needs.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { chromium } from 'playwright-core';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/**
 * A static file server for `dist` on 127.0.0.1 and a free port. Like a static host with nginx's
 * `brotli_static` / `gzip_static`, it sends the precompressed `NAME.br` or `NAME.gz` that the build
 * wrote (scripts/precompress.mjs) when the browser accepts that encoding.
 */
export function serveDir(dist) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(dist, path));
      if (file !== dist && !file.startsWith(dist + sep)) throw new Error('outside dist');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const headers = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', vary: 'accept-encoding' };
      const accepted = String(req.headers['accept-encoding'] ?? '');
      let body;
      for (const [encoding, suffix] of [['br', '.br'], ['gzip', '.gz']]) {
        if (body || !new RegExp(`\\b${encoding}\\b`).test(accepted)) continue;
        body = await readFile(file + suffix).catch(() => undefined);
        if (body) headers['content-encoding'] = encoding;
      }
      body ??= await readFile(file);
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** Headless Chromium (CHROMIUM, default /usr/bin/chromium) with no background networking. */
export function launchChromium() {
  return chromium.launch({
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
}

/** The value below which a fraction `p` of `xs` lies (nearest rank). */
export const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** Seeks the page's timeline to `t` (virtual ms); the wall ms, measured in the page, from the
 * input event until the clock shows `t` (the engine's seek and the render of the new state). */
export function timedSeek(page, t) {
  return page.getByTestId('timeline').evaluate(async (el, t) => {
    const start = performance.now();
    el.value = String(t);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    const clock = document.querySelector('[data-testid="clock"]');
    await new Promise((done) => {
      const check = () => (clock.textContent === String(t) ? done() : setTimeout(check, 0));
      check();
    });
    return performance.now() - start;
  }, t);
}
