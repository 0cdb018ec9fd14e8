// Served like a production site: the app's script, wasm and styles come precompressed (brotli)
// and named by their content, so a repeat visit fetches only index.html from the server —
// everything else comes from the browser's cache without asking. Two builds of the app: a
// resident's first visit of the home page loads the residents' app and must cost a phone at
// most 300,000 bytes (bytes really transferred, from Chromium's network log); the officials'
// work app is loaded when an official first opens one of its pages (printed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, login, BACKEND, URL } from './support.mjs';

const FIRST_VISIT_BUDGET = 300_000; // bytes (issue 19)

/** Every request of the page from now on: url, whether the cache answered, status, encoding
 * and the bytes transferred. `reset()` starts a new log. */
async function networkLog(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const log = { requests: new Map(), reset() { this.requests = new Map(); } };
  cdp.on('Network.requestWillBeSent', (e) => log.requests.set(e.requestId, { url: e.request.url, cached: false, bytes: 0 }));
  cdp.on('Network.requestServedFromCache', (e) => { const r = log.requests.get(e.requestId); if (r) r.cached = true; });
  cdp.on('Network.responseReceived', (e) => {
    const r = log.requests.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    r.encoding = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-encoding')?.[1];
    r.cached = r.cached || e.response.fromDiskCache || e.response.fromMemoryCache;
  });
  cdp.on('Network.loadingFinished', (e) => { const r = log.requests.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
  return log;
}

const path = (r) => new globalThis.URL(r.url).pathname;
const app = (r) => !path(r).startsWith('/api/');
const sum = (rs) => rs.reduce((n, r) => n + r.bytes, 0);
const n = (x) => x.toLocaleString('en-US');

/** The app files of a load, each checked: named by its content and brotli-compressed. */
function checkFiles(requests, kind) {
  for (const ext of ['.js', '.wasm', '.css']) {
    const r = requests.find((x) => x.url.endsWith(ext));
    assert.ok(r, `${kind} loads a ${ext} file: ${requests.map((x) => x.url)}`);
    assert.match(r.url, /-[0-9a-f]{10}\.[a-z]+$/, `${r.url} is named by its content`);
    assert.equal(r.encoding, 'br', `${r.url} comes brotli-compressed`);
  }
}

test(`a resident's first visit stays within budget; a repeat visit fetches only index.html (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t, { width: 360, height: 780 });
  const log = await networkLog(page);

  await page.goto(URL + '/');
  await page.locator('.feed-item').first().waitFor();
  // The feed's photos and anything else the page still fetches count too.
  await page.waitForLoadState('networkidle');
  const all = [...log.requests.values()];
  const first = all.filter(app);
  checkFiles(first, 'the first visit');
  const files = first.map(path);
  assert.ok(files.some((f) => /^\/minhu-[0-9a-f]{10}\.js$/.test(f)), `the residents' app: ${files}`);
  assert.ok(files.some((f) => /^\/minhu_bg-[0-9a-f]{10}\.wasm$/.test(f)), `the residents' wasm: ${files}`);
  assert.ok(!files.some((f) => f.includes('minhu-work')), `nothing of the work app: ${files}`);
  const total = sum(all);
  console.log(`# a resident's first visit of the home page: ${n(total)} bytes transferred `
    + `(${n(sum(first))} in ${first.length} app files, the rest API); budget ${n(FIRST_VISIT_BUDGET)}`);
  assert.ok(total <= FIRST_VISIT_BUDGET, `the first visit transfers ${n(total)} bytes, over ${n(FIRST_VISIT_BUDGET)}`);

  log.reset();
  await page.goto(URL + '/');
  await page.locator('.feed-item').first().waitFor();
  const fetched = [...log.requests.values()].filter((r) => app(r) && !r.cached).map(path);
  assert.deepEqual(fetched, ['/'], `a repeat visit asks the server only for index.html: ${fetched}`);
  assert.deepEqual(errors, []);
});

test(`an official's first use loads the work app once (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  const log = await networkLog(page);

  // Signing in on the residents' app; the operator's start page (/petitions) is the work app's,
  // loaded afresh.
  await login(page, 'demo_operator');
  await page.getByRole('heading', { name: '诉求', exact: true }).waitFor();
  assert.equal(path({ url: page.url() }), '/petitions');
  await page.waitForLoadState('networkidle');
  const all = [...log.requests.values()];
  const work = all.filter((r) => app(r) && !r.cached && path(r).includes('minhu-work'));
  assert.deepEqual(work.map((r) => path(r).replace(/-[0-9a-f]{10}\./, '-….')).sort(),
    ['/minhu-work-….js', '/minhu-work_bg-….wasm'], 'the work app is fetched');
  checkFiles([...work, ...all.filter((r) => r.url.endsWith('.css'))], 'the work app');
  console.log(`# an official's first use of the work app: ${n(sum(work))} bytes of the work app `
    + `(${work.map((r) => `${path(r)} ${n(r.bytes)}`).join(', ')}); `
    + `${n(sum(all))} bytes in all since the login page was opened`);

  // Its pages go on in the same app; coming back later fetches only index.html.
  log.reset();
  await page.goto(URL + '/petitions');
  await page.getByRole('heading', { name: '诉求', exact: true }).waitFor();
  const fetched = [...log.requests.values()].filter((r) => app(r) && !r.cached).map(path);
  assert.deepEqual(fetched, ['/petitions'], `a repeat visit asks the server only for index.html: ${fetched}`);
  assert.deepEqual(errors, []);
});
