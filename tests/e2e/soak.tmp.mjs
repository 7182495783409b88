import { launchChromium, serveDir } from './harness.mjs';
const server = await serveDir('/work/wt/bigview/dist');
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`${origin}/?dev#scenario=scale&seed=1&lang=en`);
await page.getByTestId('scale-cluster').waitFor({ timeout: 300_000 });
await page.getByTestId('speed').selectOption('9');
await page.getByTestId('btn-play').click();
const t0 = Date.now();
for (let i = 0; i < 36; i++) {
  await page.waitForTimeout(10_000);
  const s = await page.evaluate(() => ({
    clock: document.querySelector('[data-testid="clock"]').textContent,
    pace: document.querySelector('[data-testid="clock-pace"]')?.textContent,
    wasm: (Number(document.querySelector('[data-testid="memory-line"]').dataset.wasmBytes) / 2 ** 20).toFixed(1),
    heap: (Number(document.querySelector('[data-testid="memory-line"]').dataset.heapBytes) / 2 ** 20).toFixed(1),
  }));
  console.log(((Date.now() - t0) / 1000).toFixed(0), JSON.stringify(s));
}
await browser.close(); server.close();
