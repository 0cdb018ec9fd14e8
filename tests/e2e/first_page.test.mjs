// The public site and signing in, in a real browser at phone width: it renders in Chinese
// without horizontal scrolling, switches to English and back, a wrong password shows the
// server's message, the right one signs in and survives a reload, logging out forgets the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, login, SHOTS, BACKEND, URL } from './support.mjs';

test(`home page, language and login (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t, { width: 360, height: 780 });
  const started = Date.now();
  await page.goto(URL + '/');
  await page.getByRole('heading', { name: '有诉求，找民呼必应' }).waitFor();
  // The demo city's published petitions are in the feed.
  await page.locator('.feed-item').first().waitFor();
  console.log(`# first render of the home page with its feed: ${Date.now() - started} ms`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow})`);
  await page.screenshot({ path: `${SHOTS}/home-360-${BACKEND}.png`, fullPage: true });

  await page.getByRole('button', { name: '切换语言' }).click();
  await page.getByRole('heading', { name: 'Something wrong? Tell Minhu' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.reload();
  await page.getByRole('heading', { name: 'Something wrong? Tell Minhu' }).waitFor();
  await page.getByRole('button', { name: 'Switch language' }).click();
  await page.getByRole('heading', { name: '有诉求，找民呼必应' }).waitFor();

  // A bad tracking number is explained before asking the server.
  await page.getByLabel('按查询编号查进度').fill('12345');
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: '查询编号格式' }).waitFor();

  // 帮打听: the public knowledge base, searched in Chinese.
  await page.goto(URL + '/knowledge');
  await page.getByRole('heading', { name: '帮打听' }).waitFor();
  await page.getByLabel('搜索').fill('家里停水了');
  await page.getByRole('button', { name: '搜索', exact: true }).click();
  // The unfiltered list shows every article until the search answers: wait for the unrelated
  // one to go (a timeout fails the test), then the match must be there.
  await page.getByRole('heading', { name: '路灯不亮应该找谁？' }).waitFor({ state: 'detached' });
  await page.getByRole('heading', { name: '小区停水了，什么时候恢复供水？' }).waitFor();

  await page.goto(URL + '/login');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill('wrong password');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor();
  await page.getByLabel('密码').fill('e2e-admin-password');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('heading', { name: '系统管理' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: '系统管理' }).waitFor();
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('heading', { name: '有诉求，找民呼必应' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('minhu.session')), null);

  // A protected page asks for a login first; a forged token is dropped on the first 401.
  await page.evaluate(() => localStorage.setItem('minhu.session', JSON.stringify({
    token: 'forged.token.value', user: { id: 1, username: 'admin', display_name: 'x', role: 'admin', unit_id: null } })));
  await page.goto(URL + '/admin/units');
  await page.getByText('请先登录后再继续。').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('minhu.session')), null);
  assert.deepEqual(errors, []);
});
