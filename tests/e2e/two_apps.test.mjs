// The two builds of the app (issue 19): the residents' app (the public site, submitting, one's
// own petitions, messages, account, rating) and the work app (every page). A citizen stays in
// the residents' app, also on the petition's own page; an official who opens a petition from a
// residents' page gets it afresh from the work app, with the officials' buttons; and when
// index.html's list disagreed with the app, the residents' app says so with a link instead of
// reloading in a loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, login, BACKEND, URL, call, signIn } from './support.mjs';

/** Which app the page's document runs, by the script it loaded. */
const whichApp = (page) => page.evaluate(() => {
  const scripts = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)
    .filter((p) => p.endsWith('.js'));
  if (scripts.some((p) => p.startsWith('/minhu-work-'))) return 'work';
  return scripts.some((p) => /^\/minhu-[0-9a-f]{10}\.js$/.test(p)) ? 'residents' : `none: ${scripts}`;
});

/** Marks the current document, to tell a page drawn in it from one loaded afresh. */
const mark = (page) => page.evaluate(() => { window.__sameDocument = true; });
const sameDocument = (page) => page.evaluate(() => window.__sameDocument === true);

/** Follows an address inside the app the way its links do (a plain link, clicked). */
const follow = (page, href) => page.evaluate((h) => {
  const a = document.createElement('a');
  a.href = h;
  a.textContent = 'go';
  document.querySelector('main').append(a);
  a.click();
}, href);

test(`a citizen stays in the residents' app, also on a petition's page (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  await login(page, 'demo_citizen');
  await page.getByRole('heading', { name: '我的诉求' }).waitFor();
  assert.equal(await whichApp(page), 'residents');
  await mark(page);
  await page.locator('main table a').first().click();
  await page.locator('article.card .meta .mono').waitFor();
  assert.match(new globalThis.URL(page.url()).pathname, /^\/petitions\/\d+$/);
  assert.ok(await sameDocument(page), 'drawn in the same page, not loaded afresh');
  assert.equal(await whichApp(page), 'residents');
  assert.deepEqual(errors, []);
});

test(`an official opening a petition from a residents' page gets the work app (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  const operator = (await signIn('demo_operator')).access_token;
  const waiting = (await call('GET', '/petitions?status=submitted&per_page=1', operator)).items;
  assert.ok(waiting.length > 0, 'the demo city has a petition waiting for the hotline office');
  const id = waiting[0].id;

  await login(page, 'demo_operator');
  await page.goto(URL + '/messages');
  await page.getByRole('heading', { name: '消息', exact: true }).waitFor();
  assert.equal(await whichApp(page), 'residents');
  await mark(page);
  // The work list is the work app's too: loaded afresh.
  await page.getByRole('link', { name: '诉求', exact: true }).click();
  await page.getByRole('heading', { name: '诉求', exact: true }).waitFor();
  assert.ok(!(await sameDocument(page)), 'loaded afresh');
  assert.equal(await whichApp(page), 'work');

  await page.goto(URL + '/messages');
  await page.getByRole('heading', { name: '消息', exact: true }).waitFor();
  await mark(page);
  await follow(page, `/petitions/${id}`);
  await page.getByRole('button', { name: '受理', exact: true }).waitFor();
  assert.equal(new globalThis.URL(page.url()).pathname, `/petitions/${id}`);
  assert.ok(!(await sameDocument(page)), 'loaded afresh');
  assert.equal(await whichApp(page), 'work');
  // In the work app the residents' pages are drawn in place.
  await mark(page);
  await page.getByRole('link', { name: /^消息，/ }).click();
  await page.getByRole('heading', { name: '消息', exact: true }).waitFor();
  assert.ok(await sameDocument(page), 'drawn in the same page');
  assert.deepEqual(errors, []);
});

test(`a page the loader sent to the wrong app offers a link, no reload loop (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  await login(page, 'demo_unit1');
  await page.getByRole('heading', { name: '待办' }).waitFor();
  // index.html as if its list had lost the inbox: /inbox comes with the residents' app.
  await page.route(URL + '/inbox', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace("'inbox', ", '');
    assert.ok(!body.includes("'inbox'"));
    await route.fulfill({ response, body });
  });
  let loads = 0;
  page.on('load', () => { loads += 1; });
  await page.goto(URL + '/inbox');
  await page.getByRole('heading', { name: '此页面属于工作台' }).waitFor();
  assert.equal(await whichApp(page), 'residents');
  await page.waitForTimeout(1500);
  assert.equal(loads, 1, 'loaded once, not again and again');
  // The link loads the page afresh (here the same wrong app again, and no more).
  await page.getByRole('link', { name: '打开工作台中的此页面' }).click();
  await page.waitForLoadState('load');
  await page.getByRole('heading', { name: '此页面属于工作台' }).waitFor();
  await page.waitForTimeout(1500);
  assert.equal(loads, 2);
  assert.deepEqual(errors, []);
});
