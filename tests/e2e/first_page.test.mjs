// The first page in a real browser: it renders in Chinese, and its login form works against
// the API (a wrong password shows the server's message; the right one signs in and survives a
// reload; logging out forgets the token).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const require = createRequire(process.env.NODE_PATH + '/');
const { chromium } = require('playwright-core');

const URL = process.env.MINHU_URL;
const SHOTS = process.env.MINHU_SHOTS;
const BACKEND = process.env.MINHU_BACKEND;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => browser && browser.close());

test(`first page and login (${BACKEND})`, async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(URL + '/');
  await page.getByRole('heading', { name: '民呼必应', exact: true }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');

  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill('wrong password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor();

  await page.getByLabel('密码').fill('e2e-admin-password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: /欢迎/ }).waitFor();
  await page.screenshot({ path: `${SHOTS}/first-page-${BACKEND}.png`, fullPage: true });

  await page.reload();
  await page.getByRole('heading', { name: /欢迎/ }).waitFor();
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByLabel('用户名').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('minhu.session')), null);

  // A client route falls back to the app.
  await page.goto(URL + '/petitions/1');
  await page.getByRole('heading', { name: '民呼必应', exact: true }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});
