// 接线登记 with the keyboard only: the hotline office registers a call the way an operator on
// the phone does — the number first (the caller's earlier petitions appear), then Tab from
// field to field, options picked with the arrow keys, Enter to register and accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, login, SHOTS, BACKEND, URL } from './support.mjs';

test(`the hotline office registers a call with the keyboard (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  await login(page, 'demo_operator');
  await page.goto(URL + '/intake');
  await page.getByRole('heading', { name: '接线登记：来电诉求' }).waitFor();
  const focused = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  const tab = async (id) => { await page.keyboard.press('Tab'); assert.equal(await focused(), id); };
  // Past the caller's earlier petitions (links, reachable with the keyboard too) to `id`.
  const tabPast = async (id, links) => {
    for (let i = 0; i < links; i++) {
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.tagName), 'A');
    }
    await tab(id);
  };

  assert.equal(await focused(), 'caller-phone', 'the number field has the focus');
  await page.keyboard.type('138 1234 5678'); // a demo citizen's number, typed as said
  await page.getByRole('heading', { name: /此号码的历史诉求/ }).waitFor();
  await tab('caller-name');
  await page.keyboard.type('王秀英');
  await tab('channel'); // 电话 by default
  const earlier = await page.locator('.history a').count();
  assert.ok(earlier > 0, 'the caller has earlier petitions');
  await tabPast('kind', earlier);
  await tab('category');
  for (let i = 0; i < 20; i++) {
    const chosen = await page.$eval('#category', (s) => s.options[s.selectedIndex].text);
    if (chosen === '民生') break;
    await page.keyboard.press('ArrowDown');
  }
  assert.equal(await page.$eval('#category', (s) => s.options[s.selectedIndex].text), '民生');
  await tab('urgency');
  await tab('title');
  const title = `来电：小区停水 ${BACKEND}`;
  await page.keyboard.type(title);
  await tab('content');
  await page.keyboard.type('建设路12号院停水两天，家中有老人，请尽快处理。');
  await tab('address');
  await page.keyboard.type('修武县建设路12号');
  await page.screenshot({ path: `${SHOTS}/intake-${BACKEND}.png`, fullPage: true });
  await page.keyboard.press('Enter');

  // Registered and accepted: the petition page, with whom to call back.
  await page.getByRole('heading', { name: title }).waitFor();
  await page.getByText('已受理待派单').first().waitFor();
  await page.getByText('王秀英').first().waitFor();
  assert.deepEqual(errors, []);
});
