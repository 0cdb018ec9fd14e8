// Served like a production site: the app's script, wasm and styles come precompressed (brotli)
// and named by their content, so a repeat visit fetches only index.html from the server —
// everything else comes from the browser's cache without asking. Also prints what the home
// page costs a phone the first time (bytes really transferred, from Chromium's network log).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, BACKEND, URL } from './support.mjs';

test(`a repeat visit fetches only index.html (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t, { width: 360, height: 780 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let log = new Map();
  cdp.on('Network.requestWillBeSent', (e) => log.set(e.requestId, { url: e.request.url, cached: false, bytes: 0 }));
  cdp.on('Network.requestServedFromCache', (e) => { const r = log.get(e.requestId); if (r) r.cached = true; });
  cdp.on('Network.responseReceived', (e) => {
    const r = log.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    r.encoding = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-encoding')?.[1];
    r.cached = r.cached || e.response.fromDiskCache || e.response.fromMemoryCache;
  });
  cdp.on('Network.loadingFinished', (e) => { const r = log.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
  const app = (r) => !new globalThis.URL(r.url).pathname.startsWith('/api/');

  await page.goto(URL + '/');
  await page.locator('.feed-item').first().waitFor();
  const first = [...log.values()].filter(app);
  for (const ext of ['.js', '.wasm', '.css']) {
    const r = first.find((x) => x.url.endsWith(ext));
    assert.ok(r, `the first visit loads a ${ext} file: ${first.map((x) => x.url)}`);
    assert.match(r.url, /-[0-9a-f]{10}\.[a-z]+$/, `${r.url} is named by its content`);
    assert.equal(r.encoding, 'br', `${r.url} comes brotli-compressed`);
  }
  const total = [...log.values()].reduce((n, r) => n + r.bytes, 0);
  console.log(`# first visit of the home page: ${total} bytes transferred (${first.length} app files, the rest API)`);

  log = new Map();
  await page.goto(URL + '/');
  await page.locator('.feed-item').first().waitFor();
  const fetched = [...log.values()].filter((r) => app(r) && !r.cached).map((r) => new globalThis.URL(r.url).pathname);
  assert.deepEqual(fetched, ['/'], `a repeat visit asks the server only for index.html: ${fetched}`);
  assert.deepEqual(errors, []);
});
