// 消息 and 一事一评: a citizen's petition is submitted, accepted, dispatched, signed and replied
// to through the API (the other tests do those steps in the browser); then in the browser the
// citizen's bell counts the unread messages, the 消息 page lists the reply's message and marks
// another one read; signed out, the rating link from the reply's message is opened in a fresh
// browser without an account, rated 满意, and a second visit says the link is used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, login, logout, SHOTS, BACKEND, URL, call, signIn, API } from './support.mjs';

/** The bell in the header, by its accessible name ("消息，3 条未读", or "消息，无未读" at 0). */
const bell = (page, n) =>
  page.getByRole('link', { name: n > 0 ? `消息，${n} 条未读` : '消息，无未读', exact: true });

test(`the citizen hears of the reply and rates it by the link (${BACKEND})`, async (t) => {
  const { page, errors } = await open(t);
  const shot = (p, name) => p.screenshot({ path: `${SHOTS}/${name}-${BACKEND}.png`, fullPage: true });
  const title = `楼道灯不亮 消息 e2e ${BACKEND}`;
  const reply = '已更换楼道声控灯，请您验收。';

  // A new citizen submits a petition.
  const username = `e2e_ntf_${Date.now().toString(36)}`;
  const password = 'citizen-password';
  await call('POST', '/auth/register', null, { username, password, display_name: '魏立群' });
  const citizen = (await signIn(username, password)).access_token;
  const categories = (await call('GET', '/categories?per_page=100', citizen)).items;
  const category = categories.find((c) => c.name === '民生') ?? categories[0];
  const created = await call('POST', '/petitions', citizen, {
    kind: 'help', category_id: category.id, urgency: 'normal', title,
    content: '建设路12号院3单元楼道灯坏了两周，老人晚上上下楼很不方便。',
    address: '修武县建设路12号院',
  });
  const id = created.id;

  // The hotline office accepts it and dispatches it to the district (unless the dispatch
  // catalogue already did).
  const operator = (await signIn('demo_operator')).access_token;
  const unitLogin = await signIn('demo_unit1');
  const unit = unitLogin.access_token;
  await call('POST', `/petitions/${id}/accept`, operator, {});
  const accepted = await call('GET', `/petitions/${id}`, operator);
  if (accepted.assignments.length === 0) {
    await call('POST', `/petitions/${id}/assignments`, operator,
      { unit_id: unitLogin.user.unit_id, role: 'lead' });
  }

  // The district signs and replies.
  const orders = (await call('GET', '/assignments?per_page=100', unit)).items;
  const order = orders.find((a) => a.petition.id === id);
  assert.ok(order, 'the district has the order');
  await call('POST', `/assignments/${order.id}/sign`, unit, {});
  await call('POST', `/petitions/${id}/replies`, unit,
    { body: reply, outcome: 'resolved', public: true, assignment_id: order.id });

  // The reply's message carries the rating link.
  const messages = (await call('GET', '/notifications?per_page=100', citizen)).items;
  const replied = messages.find((n) => n.event === 'petition.replied' && n.petition_id === id);
  assert.ok(replied, `a petition.replied message: ${JSON.stringify(messages.map((n) => n.event))}`);
  assert.match(replied.link, /^\/r\/[A-Za-z0-9._~-]+$/);
  assert.equal(replied.read_at, null);
  const { count: unread } = await call('GET', '/notifications/unread-count', citizen);
  assert.ok(unread >= 1, `unread: ${unread}`);

  // In the browser the bell says how many are unread.
  await login(page, username, password);
  await bell(page, unread).waitFor();
  await shot(page, 'n1-bell');

  // 消息 lists the reply's message, unread, with its button to rate.
  await page.getByRole('link', { name: /^消息，/ }).click();
  await page.getByRole('heading', { name: '消息', exact: true }).waitFor();
  const item = page.locator('li.message').filter({ has: page.locator(`#message-${replied.id}`) });
  await item.getByRole('heading', { name: replied.title }).waitFor();
  await item.getByText('未读', { exact: true }).waitFor();
  assert.equal(await item.getByRole('link', { name: '去评价' }).getAttribute('href'), replied.link);
  await shot(page, 'n2-messages');

  // Another unread message marked read: its mark goes and the bell counts one less.
  const other = messages.find((n) => n.read_at === null && n.id !== replied.id);
  if (other) {
    const row = page.locator('li.message').filter({ has: page.locator(`#message-${other.id}`) });
    const marked = page.waitForResponse((r) =>
      r.url().endsWith('/api/v1/notifications/read') && r.request().method() === 'POST');
    await row.getByRole('button', { name: '标为已读' }).click();
    assert.equal((await marked).status(), 200);
    await row.getByText('未读', { exact: true }).waitFor({ state: 'detached' });
    await bell(page, unread - 1).waitFor();
  }
  await logout(page);

  // The rating link, in a browser that has never signed in.
  const fresh = await page.context().browser().newContext({ viewport: { width: 390, height: 844 } });
  const anon = await fresh.newPage();
  anon.setDefaultTimeout(15000);
  const anonErrors = [];
  anon.on('pageerror', (e) => anonErrors.push(e.message));
  const rateApi = API + replied.link.replace('/r/', '/rate/');
  await anon.goto(URL + replied.link);
  await anon.getByRole('heading', { name: '评价办理结果' }).waitFor();
  await anon.getByRole('heading', { name: title }).waitFor();
  await anon.getByText(created.tracking_no).waitFor();
  await anon.getByText(reply).waitFor();
  assert.equal(await anon.getByRole('button', { name: '退出登录' }).count(), 0, 'nobody is signed in');
  // Nothing is chosen for the petitioner: sending without a choice says so.
  await anon.getByRole('button', { name: '提交评价' }).click();
  await anon.getByText('请选择满意度').first().waitFor();
  await anon.getByRole('radio', { name: '满意', exact: true }).check();
  await anon.getByLabel('问题是否解决').check();
  await anon.getByLabel('承办单位是否联系过您').check();
  await anon.getByLabel('意见（选填）').fill('修得很快，谢谢。');
  await shot(anon, 'n3-rate');
  const posted = anon.waitForResponse((r) => r.url() === rateApi && r.request().method() === 'POST');
  await anon.getByRole('button', { name: '提交评价' }).click();
  assert.equal((await posted).status(), 201);
  await anon.getByRole('heading', { name: '谢谢您的评价！' }).waitFor();
  await shot(anon, 'n4-thanks');

  // It counted as the petitioner's rating.
  const rated = await call('GET', `/petitions/${id}`, citizen);
  assert.equal(rated.visits.length, 1);
  assert.equal(rated.visits[0].satisfaction, 'satisfied');
  assert.equal(rated.visits[0].resolved, true);
  assert.equal(rated.visits[0].contacted, true);

  // A second visit: the link is used, said in the server's plain words, and no form.
  const again = anon.waitForResponse((r) => r.url() === rateApi && r.request().method() === 'GET');
  await anon.goto(URL + replied.link);
  const gone = await again;
  assert.equal(gone.status(), 410);
  const { detail } = await gone.json();
  assert.match(detail, /[\u4e00-\u9fff]/, 'in Chinese');
  await anon.getByText(detail).waitFor();
  assert.equal(await anon.getByRole('button', { name: '提交评价' }).count(), 0);
  assert.equal(await anon.getByRole('radio').count(), 0);
  await shot(anon, 'n5-used');

  // A link that was never given says it is not valid.
  await anon.goto(`${URL}/r/${'0'.repeat(40)}`);
  await anon.getByText('该评价链接无效').waitFor();

  assert.deepEqual(errors, []);
  assert.deepEqual(anonErrors, []);
});
