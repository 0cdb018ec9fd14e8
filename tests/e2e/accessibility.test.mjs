// Accessibility in the browser: axe-core (from npm, injected into the page) checks every page of
// every role on the demo city — the public pages signed out, a citizen's, and the officials'
// (hotline office, a handling unit, leader, reporter, administrator), with some forms opened —
// and any `serious` or `critical` violation fails the test, listed with its rule, help and
// targets. Then the citizen's 我要反映 and the office's 接线登记 are filled and sent with the
// keyboard alone (Tab / Shift+Tab, typing, arrow keys in selects, Space for checkboxes, Enter on
// the button), and the new petition's page shows its tracking number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { open, login, logout, SHOTS, BACKEND, URL } from './support.mjs';

const require = createRequire(process.env.NODE_PATH + '/');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ADMIN_PASSWORD = 'e2e-admin-password';

/** The moderate and minor rules broken anywhere: listed, not failed. */
const lesser = new Map();

/** Waits until the page has what it loads: no request in flight and no loading line. */
async function settled(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => document.querySelector('main h1')
    && !document.querySelector('.loading'));
}

/** axe on the page as it is now; the serious and critical violations, as readable lines. */
async function audit(page, name) {
  await settled(page);
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ content: AXE });
  }
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of results.violations.filter((v) => !bad.includes(v))) {
    const key = `${v.id} (${v.impact})`;
    lesser.set(key, [...(lesser.get(key) ?? []), name]);
  }
  return bad.map((v) => `${name} (${page.url().slice(URL.length) || '/'}): [${v.impact}] ${v.id} — ${v.help}\n`
    + v.nodes.map((n) => `      ${n.target.join(' ')}${n.failureSummary ? ' — ' + n.failureSummary.replace(/\s+/g, ' ') : ''}`).join('\n'));
}

/** Opens each path (a full load) and audits it; `then` may open parts of the page and audit more. */
async function auditAll(page, pages) {
  const found = [];
  for (const [name, path, then] of pages) {
    await page.goto(URL + path);
    found.push(...await audit(page, name));
    if (then) found.push(...await then(page, name));
  }
  return found;
}

/** The first link in the page's main part whose address starts with `prefix`. */
async function firstLink(page, path, prefix) {
  await page.goto(URL + path);
  const link = page.locator(`main a[href^="${prefix}"]`).first();
  await link.waitFor();
  return link.getAttribute('href');
}

function report(found) {
  console.log(`# axe: moderate or minor: ${[...lesser].map(([rule, pages]) => `${rule} on ${pages.join(', ')}`).join('; ') || 'none'}`);
  if (found.length) console.log(`# axe: ${found.length} serious or critical\n` + found.join('\n'));
  assert.equal(found.length, 0, 'axe found serious or critical violations (listed above)');
}

test(`axe: every page of every role (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  const all = [];
  let publicPage;

  await t.test('signed out', async () => {
    publicPage = await firstLink(page, '/', '/t/');
    all.push(...await auditAll(page, [
      ['home', '/'],
      ['public petition', publicPage],
      ['ranking', '/rankings'],
      ['knowledge', '/knowledge'],
      ['login', '/login'],
      ['register', '/register', async (p, name) => {
        // The form's own messages shown.
        await p.getByRole('button', { name: '注册' }).click();
        await p.locator('.field-error').first().waitFor();
        return audit(p, `${name}, errors shown`);
      }],
      ['not found', '/no-such-page'],
    ]));
    // Tracking by number from the home page.
    await page.goto(URL + '/');
    await page.getByLabel('按查询编号查进度').fill(publicPage.split('/').pop());
    await page.getByRole('button', { name: '查询', exact: true }).click();
    all.push(...await audit(page, 'tracking result'));
  });

  await t.test('citizen', async () => {
    await login(page, 'demo_citizen');
    const detail = await firstLink(page, '/mine', '/petitions/');
    all.push(...await auditAll(page, [
      ['submit', '/submit', async (p, name) => {
        await p.getByRole('button', { name: '提交', exact: true }).click();
        await p.locator('.field-error').first().waitFor();
        return audit(p, `${name}, errors shown`);
      }],
      ['my petitions', '/mine'],
      ['petition detail', detail],
      ['public petition (signed in)', publicPage, async (p, name) => {
        // 举报: the report form opened.
        await p.getByRole('button', { name: '举报', exact: true }).click();
        await p.locator('#report-form').waitFor();
        return audit(p, `${name}, 举报 opened`);
      }],
      ['messages', '/messages'],
      ['account', '/account'],
      ['knowledge', '/knowledge'],
    ]));
    await logout(page);
  });

  await t.test('hotline operator', async () => {
    await login(page, 'demo_operator');
    const detail = await firstLink(page, '/petitions', '/petitions/');
    all.push(...await auditAll(page, [
      ['petitions (triage)', '/petitions'],
      ['intake', '/intake', async (p, name) => {
        await p.locator('#caller-phone').fill('13812345678');
        await p.locator('.history').getByRole('heading').waitFor();
        return audit(p, `${name}, caller history`);
      }],
      ['petition detail', detail, async (p, name) => {
        // The first action's form opened (受理, 派单, …), as an operator would.
        const action = p.locator('.action-bar > .buttons button, .action-bar button').first();
        if (await action.count() === 0) return [];
        await action.click();
        await p.locator('.action-form').first().waitFor();
        return audit(p, `${name}, action form opened`);
      }],
      ['approvals', '/approvals'],
      ['supervision', '/supervision'],
      ['dashboard', '/dashboard'],
      ['trends', '/trends'],
      ['messages', '/messages'],
      ['account', '/account'],
    ]));
    await logout(page);
  });

  await t.test('handling unit', async () => {
    await login(page, 'demo_unit1');
    all.push(...await auditAll(page, [
      ['inbox', '/inbox', async (p, name) => {
        // 全部: every order of the unit, answered ones too.
        await p.getByRole('tab', { name: '全部' }).click();
        await p.locator('main a[href^="/petitions/"]').first().waitFor();
        return audit(p, `${name}, 全部`);
      }],
    ]));
    const order = await page.locator('main a[href^="/petitions/"]').first().getAttribute('href');
    all.push(...await auditAll(page, [
      ['order', order, async (p, name) => {
        // An order's action form opened (签收, 答复, …), if it has one.
        const action = p.locator('.orders .action-bar button');
        if (await action.count() === 0) return [];
        await action.first().click();
        await p.locator('.orders .action-form').first().waitFor();
        return audit(p, `${name}, action form opened`);
      }],
      ['petitions', '/petitions'],
      ['messages', '/messages'],
    ]));
    await logout(page);
  });

  await t.test('leader', async () => {
    await login(page, 'demo_leader');
    all.push(...await auditAll(page, [
      ['dashboard (statistics)', '/dashboard'],
      ['supervision', '/supervision'],
      ['briefings', '/briefings'],
      ['trends', '/trends'],
      ['rankings', '/rankings'],
      ['petitions', '/petitions'],
    ]));
    await logout(page);
  });

  await t.test('reporter', async () => {
    await login(page, 'demo_reporter');
    const detail = await firstLink(page, '/petitions', '/petitions/');
    all.push(...await auditAll(page, [
      ['moderation queue', '/moderation'],
      ['petitions', '/petitions'],
      ['petition detail (moderation panel)', detail],
      ['briefings', '/briefings'],
      ['trends', '/trends'],
    ]));
    await logout(page);
  });

  await t.test('administrator', async () => {
    await login(page, 'admin', ADMIN_PASSWORD);
    all.push(...await auditAll(page, [
      ['units', '/admin/units'],
      ['users', '/admin/users'],
      ['categories', '/admin/categories'],
      ['dispatch', '/admin/dispatch'],
      ['partners', '/admin/partners'],
      ['dashboard', '/dashboard'],
      ['moderation', '/moderation'],
      ['knowledge (editing)', '/knowledge'],
    ]));
    await logout(page);
  });

  // At phone width the header wraps: the signed-out home page again.
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto(URL + '/');
  all.push(...await audit(page, 'home at 360 px'));

  report(all);
  assert.deepEqual(errors, []);
});

/** The id (or tag) of the focused element. */
const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e && (e.id || e.tagName.toLowerCase());
});

/** Tab (or Shift+Tab) until the element with `id` has the focus, at most `max` presses. */
async function tabTo(page, id, { back = false, max = 40 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await focused(page) === id) return;
  }
  assert.fail(`#${id} not reached with ${back ? 'Shift+Tab' : 'Tab'} (focus on ${await focused(page)})`);
}

/** The next Tab must land on `id`: the form's order is the reading order. */
async function tabNext(page, id, back = false) {
  await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  assert.equal(await focused(page), id, `${back ? 'Shift+Tab' : 'Tab'} goes to #${id}`);
}

/** The arrow keys in the focused select until `label` is chosen. */
async function choose(page, id, label) {
  const [at, want] = await page.$eval(`#${id}`, (s, label) =>
    [s.selectedIndex, [...s.options].findIndex((o) => o.text === label)], label);
  assert.ok(want >= 0, `#${id} offers ${label}`);
  for (let i = 0; i < Math.abs(want - at); i++) await page.keyboard.press(want > at ? 'ArrowDown' : 'ArrowUp');
  assert.equal(await page.$eval(`#${id}`, (s) => s.options[s.selectedIndex].text), label);
}

const checked = (page) => page.evaluate(() => document.activeElement.checked);

test(`keyboard only: a citizen submits a petition (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  await login(page, 'demo_citizen');
  await page.goto(URL + '/submit');
  await page.getByRole('heading', { name: '我要反映' }).waitFor();
  await settled(page);

  // From the top of the page: the skip link first, and it leads into the page.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Enter');
  await tabTo(page, 'kind', { max: 3 });
  // Sent empty, the form says what is missing and puts the focus on the first such field.
  await tabTo(page, 'submit-petition');
  await page.keyboard.press('Enter');
  await page.getByText('请选择类别').last().waitFor();
  assert.equal(await focused(page), 'category', 'the first field to correct has the focus');

  await choose(page, 'category', '民生');
  await tabNext(page, 'urgency');
  await tabNext(page, 'category', true); // Shift+Tab goes back the same way
  await tabNext(page, 'kind', true);
  await choose(page, 'kind', '投诉');
  await tabNext(page, 'category');
  await tabNext(page, 'urgency');
  await tabNext(page, 'title');
  const title = `键盘提交 路面塌陷 ${BACKEND}`;
  await page.keyboard.type(title);
  await tabNext(page, 'content');
  await page.keyboard.type('建设路与人民路交叉口路面塌陷一个大坑，骑车的人很危险。');
  await tabNext(page, 'address');
  await page.keyboard.type('修武县建设路与人民路交叉口');
  await tabNext(page, 'contact-phone');
  await page.keyboard.type('13812345678');
  await tabNext(page, 'publish-consent');
  assert.equal(await checked(page), true, 'published with consent by default');
  await page.keyboard.press('Space');
  assert.equal(await checked(page), false);
  await page.keyboard.press('Space');
  assert.equal(await checked(page), true, 'Space toggles the checkbox');
  await tabNext(page, 'anonymous');
  await tabNext(page, 'submit-petition');
  await page.screenshot({ path: `${SHOTS}/keyboard-submit-${BACKEND}.png`, fullPage: true });
  await page.keyboard.press('Enter');

  await page.getByRole('heading', { name: title }).waitFor();
  const no = (await page.locator('.meta .mono').first().textContent()).trim();
  assert.match(no, /^\d{8}-\d{6}$/, 'the tracking number shows');
  await page.getByText('待受理').first().waitFor();
  assert.deepEqual(errors, []);
});

test(`keyboard only: the hotline office registers a call (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  await login(page, 'demo_operator');
  await page.goto(URL + '/intake');
  await page.getByRole('heading', { name: '接线登记：来电诉求' }).waitFor();
  await settled(page);
  assert.equal(await focused(page), 'caller-phone', 'the number field has the focus');

  // Sent empty from its button: the first field to correct gets the focus back.
  await tabTo(page, 'register-call');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').first().waitFor();
  assert.equal(await focused(page), 'caller-phone', 'the first field to correct has the focus');
  await page.keyboard.type('0391 7654321'); // a number with no earlier petitions
  await page.locator('.history .hint').waitFor();
  await tabNext(page, 'caller-name');
  await page.keyboard.type('孙建国');
  await tabNext(page, 'channel');
  await choose(page, 'channel', '微信');
  await tabNext(page, 'kind');
  await choose(page, 'kind', '咨询');
  await tabNext(page, 'category');
  await choose(page, 'category', '民生');
  await tabNext(page, 'urgency');
  await choose(page, 'urgency', '加急');
  await tabNext(page, 'title');
  const title = `来电：供暖不热 键盘 ${BACKEND}`;
  await page.keyboard.type(title);
  await tabNext(page, 'content');
  await page.keyboard.type('家里暖气片温度很低，室内只有十二度，家中有老人。');
  await tabNext(page, 'address');
  await page.keyboard.type('修武县人民路8号');
  // Back with Shift+Tab, then forward again.
  await tabNext(page, 'content', true);
  await tabNext(page, 'title', true);
  await tabNext(page, 'content');
  await tabNext(page, 'address');
  await tabNext(page, 'accept-now');
  assert.equal(await checked(page), true, 'accepted at once by default');
  await page.keyboard.press('Space');
  assert.equal(await checked(page), false);
  await page.keyboard.press('Space');
  assert.equal(await checked(page), true);
  await tabNext(page, 'register-call');
  await page.keyboard.press('Enter');

  await page.getByRole('heading', { name: title }).waitFor();
  const no = (await page.locator('.meta .mono').first().textContent()).trim();
  assert.match(no, /^\d{8}-\d{6}$/, 'the tracking number shows');
  await page.getByText('已受理待派单').first().waitFor();
  await page.getByText('孙建国').first().waitFor();
  assert.deepEqual(errors, []);
});
