// The home page on a phone over slow 4G: Chromium throttled through the DevTools protocol
// (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip; the CPU four times slower), from the start
// of the navigation to the first feed item on screen, and the bytes really transferred for that
// load (every response's encodedDataLength). A benchmark figure printed on every run, not
// asserted: the test only checks that the feed renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, SHOTS, BACKEND, URL } from './support.mjs';

const SLOW_4G = {
  offline: false,
  latency: 150, // ms
  downloadThroughput: (1.6 * 1000 * 1000) / 8, // bytes/s
  uploadThroughput: (750 * 1000) / 8,
};

test(`the home page over slow 4G (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t, { width: 360, height: 780 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  let responses = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; responses += 1; });

  // From the navigation's start (the page's time origin) to the first frame with a feed item
  // drawn, noted in the page itself so the test's own round trips do not count.
  await page.addInitScript(() => {
    window.__firstFeedItem = null;
    const look = () => {
      const item = document.querySelector('.feed-item');
      if (item && item.getBoundingClientRect().height > 0) window.__firstFeedItem = performance.now();
      else requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  page.setDefaultTimeout(60000);
  await page.goto(URL + '/', { waitUntil: 'commit' });
  await page.locator('.feed-item').first().waitFor({ state: 'visible' });
  const ms = Math.round(await page.waitForFunction(() => window.__firstFeedItem).then((h) => h.jsonValue()));
  // Whatever else this load fetches (the rest of the feed, the categories) counts too.
  await page.waitForLoadState('networkidle');
  assert.ok(await page.locator('.feed-item').count() > 0, 'the feed rendered');
  await page.getByRole('heading', { name: '有诉求，找民呼必应' }).waitFor();
  await page.screenshot({ path: `${SHOTS}/home-slow4g-${BACKEND}.png` });
  const n = (x) => x.toLocaleString('en-US');
  console.log(`# slow 4G (${BACKEND}): first feed item after ${n(ms)} ms; `
    + `${n(bytes)} bytes transferred in ${responses} responses`);
  assert.deepEqual(errors, []);
});
