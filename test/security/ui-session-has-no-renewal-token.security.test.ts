import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PASSWORD, seedUser, signIn } from '../support/accounts.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { UiClient } from '../support/ui-client.js';

/**
 * The UI session model (docs/specs/hosted-ui.md §3): a UI session has no access or renewal token.
 * Its cookie `<userId>.<sessionId>.<secret>` opens the pages only; `POST /session/renew` refuses
 * it (and anything made from it), and the session item stores only hashes and the CSRF secret.
 */

let api: TestStack;

before(async () => {
  api = await startTestStack({ AUTH_UI: 'true', AUTH_UI_APP_NAME: 'Example App' });
});

after(async () => {
  await api?.close();
});

test('A UI session cannot be renewed: POST /session/renew refuses its cookie and changes nothing', async () => {
  const user = await seedUser(api);
  const ui = new UiClient(api.url);
  await ui.signIn(user.email, PASSWORD);
  const cookie = ui.cookies.get('__Host-latch_ui') ?? '';
  const [userId, sessionId, secret, extra] = cookie.split('.');
  assert.equal(userId, user.id);
  assert.ok(sessionId && secret && extra === undefined, 'the cookie is <userId>.<sessionId>.<secret>');

  const before = (await api.scan()).find((item) => item.pk === `USER#${user.id}` && item.sk === `SESSION#${sessionId}`);
  assert.ok(before, 'the UI session is a Latch session item');
  assert.equal(before.client, 'ui');
  assert.equal(typeof before.uiHash, 'string');
  assert.equal(typeof before.csrfSecret, 'string');
  assert.equal(before.renewalHash, '', 'no renewal token exists for a UI session');
  assert.ok(!JSON.stringify(before).includes(secret), 'only the hash of the cookie secret is stored');

  // The cookie itself, and every renewal-token shape built from its parts, are refused.
  for (const renewalToken of [cookie, `${userId}.${sessionId}.0.${secret}`, `${userId}.${sessionId}.0.${secret}${secret}`]) {
    const renewed = await api.request('POST', '/session/renew', { body: { renewalToken } });
    assert.equal(renewed.status, 401, renewalToken);
  }
  const afterwards = (await api.scan()).find((item) => item.pk === `USER#${user.id}` && item.sk === `SESSION#${sessionId}`);
  assert.deepEqual(afterwards, before, 'a refused renewal changes nothing');
  assert.equal((await ui.get('/ui/account')).status, 200, 'the UI session still works');
});

test('GET /sessions names each session’s client: null for the API, "ui" for the pages', async () => {
  const user = await seedUser(api);
  const ui = new UiClient(api.url);
  await ui.signIn(user.email, PASSWORD);
  const tokens = await signIn(api, user.email);
  const listed = await api.request('GET', '/sessions', { token: tokens.accessToken });
  assert.equal(listed.status, 200);
  const sessions = (listed.body as { sessions: Array<{ client: string | null; current: boolean }> }).sessions;
  assert.deepEqual(sessions.map((s) => s.client).sort(), [null, 'ui'].sort());
  assert.equal(sessions.find((s) => s.current)?.client, null);
});
