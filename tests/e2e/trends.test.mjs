// 趋势 in the browser: the demo leader opens the trends page from the menu; by category the
// table (the demo city has three months of petitions, and the page opens on the last whole
// month) has rows with 环比 and 同比; switching to 按地区 draws the table by area; 下载 CSV
// fetches the table as CSV with the leader's token and the API answers 200 with text/csv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, login, SHOTS, BACKEND, URL } from './support.mjs';

const TRENDS = URL + '/api/v1/stats/trends?';

test(`a leader reads the trends and downloads them (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}-${BACKEND}.png`, fullPage: true });

  await login(page, 'demo_leader');
  const byCategory = page.waitForResponse((r) => r.url().startsWith(TRENDS)
    && r.url().includes('by=category') && !r.url().includes('format=csv'));
  await page.getByRole('link', { name: '趋势', exact: true }).click();
  await page.getByRole('heading', { name: '趋势', exact: true }).waitFor();
  assert.equal(new globalThis.URL(page.url()).pathname, '/trends');
  assert.equal((await byCategory).status(), 200);
  // The last whole month is chosen.
  assert.match(await page.getByLabel('统计周期').inputValue(), /^\d{4}-\d{2}$/);

  const categories = page.getByRole('table', { name: /按分类/ });
  await categories.waitFor();
  const head = categories.getByRole('columnheader');
  assert.deepEqual(await head.allTextContents(), ['分类', '本期', '上期', '环比', '去年同期', '同比']);
  const rows = categories.locator('tbody tr');
  await rows.first().waitFor();
  assert.ok(await rows.count() > 0, 'the demo city has petitions by category');
  // Each change is a signed percentage or a dash.
  for (const cell of await rows.locator('td:nth-of-type(3), td:nth-of-type(5)').allTextContents()) {
    assert.match(cell.trim(), /^([+-]\d+\.\d%|0\.0%|—)$/);
  }
  await page.getByRole('heading', { name: '上升最快' }).waitFor();
  await shot('t1-trends-category');

  // By area.
  const byArea = page.waitForResponse((r) => r.url().startsWith(TRENDS)
    && r.url().includes('by=area') && !r.url().includes('format=csv'));
  await page.getByLabel('按地区').check();
  assert.equal((await byArea).status(), 200);
  const areas = page.getByRole('table', { name: /按地区/ });
  await areas.waitFor();
  assert.equal(await areas.getByRole('columnheader').first().textContent(), '地区');
  await areas.locator('tbody tr').first().waitFor();
  assert.ok(await areas.locator('tbody tr').count() > 0, 'the demo city has petitions by area');
  await shot('t2-trends-area');

  // The CSV: the link names the API's address; the click fetches it with the token.
  const link = page.getByRole('link', { name: '下载 CSV' });
  const href = await link.getAttribute('href');
  assert.match(href, /^\/api\/v1\/stats\/trends\?period=[^&]+&by=area&format=csv$/);
  // (The client may add an empty `&` to a query string.)
  const csv = page.waitForResponse((r) => r.url().replace(/&$/, '') === URL + href);
  await link.click();
  const answer = await csv;
  assert.equal(answer.status(), 200);
  assert.match(answer.headers()['content-type'] ?? '', /^text\/csv/);
  assert.ok((await answer.text()).trim().split('\n').length > 1, 'a header and rows');

  assert.deepEqual(errors, []);
});
