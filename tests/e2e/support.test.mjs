// 我也遇到 and 关注 in the browser, on one of the demo city's published petitions: signed out,
// the button leads to the login page; a new citizen signs in, presses 我也遇到 on the petition's
// item in the home feed and sees the count rise by one and the pressed state; the public page,
// reloaded, shows the server's count; a press after the reload changes nothing (once per
// account), the next takes it back (by keyboard); the citizen follows the petition; the feed
// sorted by 我也遇到 shows the server's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, login, SHOTS, BACKEND, URL, call, API } from './support.mjs';

/** The 我也遇到 button by its accessible name: the count, and whether it is pressed. */
const supportButton = (scope, n, pressed = false) =>
  scope.getByRole('button', { name: `${pressed ? '已支持' : '我也遇到'}，${n} 人`, exact: true });

test(`a reader adds 我也遇到 and follows a published petition (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}-${BACKEND}.png`, fullPage: true });

  // A published petition on the first page of the feed, as the home page asks for it.
  const feed = await call('GET', '/public/petitions?page=1&per_page=10');
  assert.ok(feed.items.length > 0, 'the demo city has published petitions');
  const target = feed.items[0];
  const { id, tracking_no: no } = target;
  assert.ok(Number.isInteger(id) && id > 0, `the public item carries its id: ${JSON.stringify(target)}`);
  const before = (await call('GET', `/track/${no}`)).supporters;
  assert.ok(Number.isInteger(before), 'the public page carries the count');
  assert.equal(target.supporters, before, 'the feed and the public page agree');
  const supportUrl = `${API}/public/petitions/${id}/support`;

  // Signed out, 我也遇到 is a link to the login page.
  await page.goto(URL + '/');
  const item = page.locator('li.feed-item').filter({ has: page.locator(`a[href="/t/${no}"]`) });
  await item.getByRole('link', { name: `我也遇到，${before} 人（登录后可支持）`, exact: true }).click();
  await page.getByRole('heading', { name: '登录', exact: true }).waitFor();

  // A new citizen signs in and goes back to the home page.
  const username = `e2e_sup_${Date.now().toString(36)}`;
  const password = 'citizen-password';
  await call('POST', '/auth/register', null, { username, password, display_name: '程雪梅' });
  await login(page, username, password);
  await page.getByRole('link', { name: '首页', exact: true }).click();
  await page.getByRole('heading', { name: '有诉求，找民呼必应' }).waitFor();

  // 我也遇到 on the feed: the count the server answers, one more, and pressed.
  const first = supportButton(item, before);
  assert.equal(await first.getAttribute('aria-pressed'), 'false');
  const supported = page.waitForResponse((r) => r.url() === supportUrl && r.request().method() === 'POST');
  await first.click();
  const answer = await supported;
  assert.equal(answer.status(), 200);
  assert.deepEqual(await answer.json(), { supporters: before + 1 });
  const pressed = supportButton(item, before + 1, true);
  await pressed.waitFor();
  assert.equal(await pressed.getAttribute('aria-pressed'), 'true');
  await shot('s1-supported');

  // Its public page, opened from the feed: the count from the server, still pressed in this
  // visit; reloaded, the count from the server and the press forgotten (the server does not
  // say who supports).
  await item.getByRole('link', { name: target.title, exact: true }).click();
  await page.getByRole('heading', { name: target.title, exact: true }).waitFor();
  await supportButton(page, before + 1, true).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: target.title, exact: true }).waitFor();
  const again = supportButton(page, before + 1);
  await again.waitFor();
  assert.equal(await again.getAttribute('aria-pressed'), 'false');
  assert.equal((await call('GET', `/track/${no}`)).supporters, before + 1);

  // Pressing again counts the account once: the same count, pressed.
  const repeated = page.waitForResponse((r) => r.url() === supportUrl && r.request().method() === 'POST');
  await again.click();
  assert.deepEqual(await (await repeated).json(), { supporters: before + 1 });
  const pressedAgain = supportButton(page, before + 1, true);
  await pressedAgain.waitFor();

  // Taken back with the keyboard: DELETE, the count as before, not pressed.
  const takenBack = page.waitForResponse((r) => r.url() === supportUrl && r.request().method() === 'DELETE');
  await pressedAgain.focus();
  await page.keyboard.press('Enter');
  const back = await takenBack;
  assert.equal(back.status(), 200);
  assert.deepEqual(await back.json(), { supporters: before });
  await supportButton(page, before).waitFor();
  assert.equal((await call('GET', `/track/${no}`)).supporters, before);

  // 关注: the server takes it (204) and the button is pressed; the note says where news comes.
  const follow = page.getByRole('button', { name: '关注', exact: true });
  assert.equal(await follow.getAttribute('aria-pressed'), 'false');
  await page.getByText('关注后，这件诉求受理、答复和办结时会在“消息”里通知您。').waitFor();
  const followed = page.waitForResponse((r) =>
    r.url() === `${API}/petitions/${id}/follow` && r.request().method() === 'POST');
  await follow.click();
  assert.equal((await followed).status(), 204);
  await page.locator('button.follow[aria-pressed="true"]').waitFor();
  await page.getByText('已关注：这件诉求受理、答复和办结时会在“消息”里通知您。').waitFor();
  await shot('s2-followed');

  // The feed sorted by 我也遇到: asked for from page 1, shown in the server's order with its counts.
  await page.getByRole('link', { name: '首页', exact: true }).click();
  await page.getByRole('heading', { name: '最新公开诉求' }).waitFor();
  const sorted = page.waitForResponse((r) =>
    r.url().startsWith(`${API}/public/petitions?`) && r.url().includes('sort=supporters'));
  await page.getByLabel('排序', { exact: true }).selectOption({ label: '我也遇到最多' });
  const sortedAnswer = await sorted;
  assert.equal(sortedAnswer.status(), 200);
  assert.match(sortedAnswer.url(), /[?&]page=1(&|$)/);
  const sortedItems = (await sortedAnswer.json()).items;
  const counts = sortedItems.map((p) => p.supporters);
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'most supported first');
  await page.getByRole('heading', { name: '我也遇到最多的公开诉求' }).waitFor();
  const hrefs = sortedItems.map((p) => `/t/${p.tracking_no}`);
  await page.waitForFunction(([hrefs, counts]) => {
    const items = [...document.querySelectorAll('li.feed-item')];
    const shown = items.map((li) => li.querySelector('h3 a').getAttribute('href'));
    const numbers = items.map((li) => Number(li.querySelector('.support .count')?.textContent));
    return JSON.stringify(shown) === JSON.stringify(hrefs) && JSON.stringify(numbers) === JSON.stringify(counts);
  }, [hrefs, counts]);
  await shot('s3-sorted');

  assert.deepEqual(errors, []);
});
