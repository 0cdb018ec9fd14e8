// 举报 and 内容审核 in the browser, on one of the demo city's published petitions: a new citizen
// reports it from its public page; the demo reporter (an editor) finds the report in 审核队列,
// follows it to the petition's page and gives it a public title; signed out, the public page
// shows that title; the editor then hides the petition, and the feed and the public page leave
// it out. At the end the petition is shown again with its original title (also when the test
// fails half-way), so the demo city is as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, login, logout, SHOTS, BACKEND, URL, call, signIn, API } from './support.mjs';

const FEED = '/public/petitions?page=1&per_page=10';

test(`a reader reports a petition and an editor moderates it (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  const shot = (p, name) => p.screenshot({ path: `${SHOTS}/${name}-${BACKEND}.png`, fullPage: true });
  // No digits: nothing in it for the public masking to change.
  const publicTitle = `（经编辑处理）路面与照明问题 e2e ${BACKEND}`;

  // A published petition on the first page of the feed.
  const feed = await call('GET', FEED);
  assert.ok(feed.items.length > 0, 'the demo city has published petitions');
  const target = feed.items[0];
  const { id, tracking_no: no, title } = target;
  assert.notEqual(title, publicTitle);
  const moderationUrl = `${API}/petitions/${id}/moderation`;

  // Whatever happens below, the petition ends shown with its original title.
  const editor = (await signIn('demo_reporter')).access_token;
  let restored = false;
  t.after(async () => {
    if (!restored) {
      await call('POST', `/petitions/${id}/moderation`, editor,
        { hidden: false, public_title: '', reason: 'e2e 测试结束，恢复原状' }).catch(() => {});
    }
  });

  // A new citizen reports it from its public page.
  const username = `e2e_mod_${Date.now().toString(36)}`;
  const password = 'citizen-password';
  await call('POST', '/auth/register', null, { username, password, display_name: '邵文静' });
  await login(page, username, password);
  await page.goto(`${URL}/t/${no}`);
  await page.getByRole('heading', { name: title, exact: true }).waitFor();
  const reportButton = page.getByRole('button', { name: '举报', exact: true });
  assert.equal(await reportButton.getAttribute('aria-expanded'), 'false');
  await reportButton.click();
  const form = page.getByRole('form', { name: '举报不当内容' });
  await form.waitFor();
  assert.equal(await reportButton.getAttribute('aria-expanded'), 'true');
  // Sending without a reason is refused before it leaves the page.
  await form.getByRole('button', { name: '提交举报' }).click();
  await form.locator('#reason-error').waitFor();
  const reason = '标题里写了邻居的全名和门牌号，请编辑处理。';
  await form.getByLabel('举报理由').fill(reason);
  await shot(page, 'm1-report');
  const reported = page.waitForResponse((r) =>
    r.url() === `${API}/public/petitions/${id}/reports` && r.request().method() === 'POST');
  await form.getByRole('button', { name: '提交举报' }).click();
  const reportAnswer = await reported;
  assert.equal(reportAnswer.status(), 201);
  const report = await reportAnswer.json();
  assert.equal(report.petition_id, id);
  assert.equal(report.tracking_no, no);
  assert.equal(report.reason, reason);
  assert.equal(report.resolved_at, null);
  await page.getByText('已收到您的举报，编辑将尽快处理').waitFor();
  await form.waitFor({ state: 'detached' });
  await logout(page);

  // The editor's queue lists it among the open reports.
  await login(page, 'demo_reporter');
  const queued = page.waitForResponse((r) =>
    r.url().startsWith(`${API}/moderation/reports?`) && r.url().includes('open=true'));
  await page.getByRole('link', { name: '审核队列', exact: true }).click();
  await page.getByRole('heading', { name: '审核队列', exact: true }).waitFor();
  assert.equal((await queued).status(), 200);
  const row = page.locator(`tr[data-report="${report.id}"]`);
  await row.getByText(reason).waitFor();
  await row.getByText(no).waitFor();
  await row.getByText('待处理', { exact: true }).waitFor();
  await shot(page, 'm2-queue');

  // Its link leads to the petition's page, where the editor gives it a public title.
  await row.getByRole('link').click();
  await page.waitForURL(`${URL}/petitions/${id}`);
  const panel = page.locator('section.moderation');
  await panel.getByRole('heading', { name: '内容审核', exact: true }).waitFor();
  await panel.getByText('公开', { exact: true }).waitFor();
  assert.equal(await panel.getByLabel('公开标题', { exact: true }).inputValue(), '', 'no public version yet');
  assert.equal(await panel.getByLabel('对公众隐藏', { exact: true }).isChecked(), false);
  await panel.getByLabel('公开标题', { exact: true }).fill(publicTitle);
  await panel.getByLabel('理由（记入办理过程）').fill('标题含个人信息，改写后公开');
  const titled = page.waitForResponse((r) => r.url() === moderationUrl && r.request().method() === 'POST');
  await panel.getByRole('button', { name: '保存审核决定' }).click();
  const titledAnswer = await titled;
  assert.equal(titledAnswer.status(), 200);
  const afterTitle = await titledAnswer.json();
  assert.equal(afterTitle.public_title, publicTitle);
  assert.equal(afterTitle.public_hidden, false);
  // The page shows the answer: saved, the public version in the notice and in the field.
  await page.getByText('审核决定已保存。').waitFor();
  await page.locator('.moderation-notice q').filter({ hasText: publicTitle }).waitFor();
  assert.equal(await panel.getByLabel('公开标题', { exact: true }).inputValue(), publicTitle);
  await shot(page, 'm3-public-title');

  // The decision settled the report.
  const all = (await call('GET', '/moderation/reports?per_page=100', editor)).items;
  const settled = all.find((r) => r.id === report.id);
  assert.ok(settled && settled.resolved_at, `the report is settled: ${JSON.stringify(settled)}`);

  // Signed out, in a fresh browser context, the public page shows the public title.
  const fresh = await page.context().browser().newContext({ viewport: { width: 390, height: 844 } });
  t.after(() => fresh.close());
  const anon = await fresh.newPage();
  anon.setDefaultTimeout(15000);
  const anonErrors = [];
  anon.on('pageerror', (e) => anonErrors.push(e.message));
  await anon.goto(`${URL}/t/${no}`);
  await anon.getByRole('heading', { name: publicTitle, exact: true }).waitFor();
  assert.equal(await anon.getByRole('heading', { name: title, exact: true }).count(), 0);
  await anon.getByRole('link', { name: '登录后举报', exact: true }).waitFor();
  await shot(anon, 'm4-public-version');

  // The editor hides it.
  await panel.getByLabel('对公众隐藏', { exact: true }).check();
  await panel.getByLabel('理由（记入办理过程）').fill('涉及个人隐私，暂不公开');
  const hidden = page.waitForResponse((r) => r.url() === moderationUrl && r.request().method() === 'POST');
  await panel.getByRole('button', { name: '保存审核决定' }).click();
  const hiddenAnswer = await hidden;
  assert.equal(hiddenAnswer.status(), 200);
  assert.equal((await hiddenAnswer.json()).public_hidden, true);
  await page.getByText('此诉求已对公众隐藏').waitFor();
  await panel.getByText('已对公众隐藏', { exact: true }).waitFor();
  assert.equal(await panel.getByLabel('对公众隐藏', { exact: true }).isChecked(), true);
  await shot(page, 'm5-hidden');

  // The feed leaves it out, and its public page no longer shows its title.
  const without = await call('GET', FEED);
  assert.ok(!without.items.some((p) => p.id === id), 'the feed leaves the hidden petition out');
  const tracked = anon.waitForResponse((r) => r.url() === `${API}/track/${no}`);
  await anon.reload();
  await tracked;
  await anon.locator('main article, main .error').first().waitFor();
  assert.equal(await anon.getByRole('heading', { name: publicTitle, exact: true }).count(), 0);
  assert.equal(await anon.getByRole('heading', { name: title, exact: true }).count(), 0);
  await shot(anon, 'm6-hidden-public');

  // Shown again with its original title: the demo city as before.
  const back = await call('POST', `/petitions/${id}/moderation`, editor,
    { hidden: false, public_title: '', reason: 'e2e 测试结束，恢复原状' });
  restored = true;
  assert.equal(back.public_hidden, false);
  assert.ok(!back.public_title, `no public title: ${JSON.stringify(back.public_title)}`);
  const again = await call('GET', FEED);
  const item = again.items.find((p) => p.id === id);
  assert.ok(item, 'the petition is back in the feed');
  assert.equal(item.title, title);

  assert.deepEqual(errors, []);
  assert.deepEqual(anonErrors, []);
});
