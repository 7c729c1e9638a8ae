import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, authorizerAllows, NEW_PASSWORD, PASSWORD, signedInUser, signIn } from '../support/accounts.js';
import { lastLinkToken } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

async function resetLink(email: string): Promise<string> {
  assert.equal((await api.request('POST', '/password-reset', { body: { email } })).status, 202);
  return lastLinkToken(email, 'reset-password');
}

test('a password reset revokes every session of the user: the API, the authorizer and renewal refuse them', async () => {
  const me = await signedInUser(api);
  const sessions = [me, await signIn(api, me.email, { rememberMe: true }), await signIn(api, me.email)];
  const bystander = await signedInUser(api);
  const token = await resetLink(me.email);
  assert.equal((await api.request('POST', `/password-reset/${token}`, { body: { password: NEW_PASSWORD } })).status, 200);
  for (const s of sessions) {
    assertProblem(await api.request('GET', '/me', { token: s.accessToken }), 401, 'unauthorized');
    assert.equal(await authorizerAllows(api, s.accessToken), false);
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: s.renewalToken } }), 401, 'unauthorized');
  }
  assert.deepEqual(await api.store.listSessions(me.userId), []);
  assert.equal(await authorizerAllows(api, bystander.accessToken), true);
});

test('sign-ins and renewals racing a password reset leave no session behind', async () => {
  const me = await signedInUser(api);
  const sessions = await Promise.all([1, 2, 3].map(() => signIn(api, me.email)));
  const token = await resetLink(me.email);
  const [reset, ...racers] = await Promise.all([
    api.request('POST', `/password-reset/${token}`, { body: { password: NEW_PASSWORD } }),
    ...sessions.map((s) => api.request('POST', '/session/renew', { body: { renewalToken: s.renewalToken } })),
    ...[1, 2, 3].map(() => api.request('POST', '/session', { body: { email: me.email, password: PASSWORD } })),
  ]);
  assert.equal(reset?.status, 200, reset?.text);
  assert.deepEqual(await api.store.listSessions(me.userId), []);
  for (const racer of racers) {
    if (racer.status === 200) assert.equal(await authorizerAllows(api, racer.body.accessToken), false);
  }
  assert.equal((await api.request('POST', '/session', { body: { email: me.email, password: NEW_PASSWORD } })).status, 200);
});
