// Shared by the browser tests: launching Debian's Chromium through playwright-core (no browser
// download) and signing in through the login form.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const require = createRequire(process.env.NODE_PATH + '/');
const { chromium } = require('playwright-core');

export const URL = process.env.MINHU_URL;
export const SHOTS = process.env.MINHU_SHOTS;
export const BACKEND = process.env.MINHU_BACKEND;
export const DEMO_PASSWORD = process.env.MINHU_DEMO_PASSWORD;
mkdirSync(SHOTS, { recursive: true });

/** A new browser with one page, closed when test `t` ends however it ends (a failed assertion
 * must not leave Chromium running and the test process waiting); `errors` collects uncaught
 * exceptions. */
export async function open(t, viewport = { width: 1280, height: 900 }) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  t.after(() => browser.close());
  return { page, errors };
}

export async function login(page, username, password = DEMO_PASSWORD) {
  await page.goto(URL + '/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  // The user's start page: in the same app for a citizen, loaded afresh (the work app) for an
  // official.
  await page.waitForURL((u) => u.pathname !== '/login');
  await page.getByRole('button', { name: '退出登录' }).waitFor();
}

export async function logout(page) {
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('link', { name: '登录', exact: true }).waitFor();
}

/** Clicks an action button and confirms its form. */
export async function act(page, label, fill = async () => {}) {
  await page.getByRole('button', { name: label, exact: true }).first().click();
  const form = page.getByRole('form', { name: label });
  await form.waitFor();
  await fill(form);
  await form.getByRole('button', { name: `确定 ${label}` }).click();
  await form.waitFor({ state: 'detached' });
}

export const API = URL + '/api/v1';

/** One API call; the answer's JSON, or a thrown error with the status and the body. */
export async function call(method, path, token, body) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(API + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Signs in through the API: the login response (`access_token`, `user`). */
export async function signIn(username, password = DEMO_PASSWORD) {
  return call('POST', '/auth/login', null, { username, password });
}
