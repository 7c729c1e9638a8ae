import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, authorizerAllows, PASSWORD, partitionOf, signedInUser, signIn } from '../support/accounts.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test('after DELETE /me the authorizer refuses every access token of the deleted user', async () => {
  const me = await signedInUser(api);
  const sessions = [me, await signIn(api, me.email, { rememberMe: true }), await signIn(api, me.email)];
  // A session renewed once: both its old (already refused) and new access tokens.
  const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: sessions[2]?.renewalToken } });
  const tokens = [...sessions.map((s) => s.accessToken), renewed.body.accessToken as string];
  const bystander = await signedInUser(api);
  assert.equal(await authorizerAllows(api, tokens[0] as string), true);

  assert.equal((await api.request('DELETE', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD } })).status, 204);
  for (const token of tokens) {
    assert.equal(await authorizerAllows(api, token), false);
    assertProblem(await api.request('GET', '/me', { token }), 401, 'unauthorized');
  }
  for (const s of sessions.slice(0, 2))
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: s.renewalToken } }), 401, 'unauthorized');
  assert.equal(await authorizerAllows(api, bystander.accessToken), true);
});

test('sign-ins, renewals and reset requests racing a deletion leave nothing of the user behind', async () => {
  const me = await signedInUser(api);
  const sessions = await Promise.all([1, 2, 3].map(() => signIn(api, me.email)));
  const [deletion, ...racers] = await Promise.all([
    api.request('DELETE', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD } }),
    ...sessions.map((s) => api.request('POST', '/session/renew', { body: { renewalToken: s.renewalToken } })),
    ...[1, 2, 3].map(() => api.request('POST', '/session', { body: { email: me.email, password: PASSWORD } })),
    ...[1, 2].map(() => api.request('POST', '/password-reset', { body: { email: me.email } })),
  ]);
  assert.equal(deletion?.status, 204, deletion?.text);
  assert.deepEqual(await partitionOf(api, me.userId), []);
  assert.equal((await api.scan()).filter((i) => i.pk === `EMAIL#${me.email}`).length, 0);
  for (const racer of racers) {
    if (racer.status === 200) assert.equal(await authorizerAllows(api, racer.body.accessToken), false);
  }
});
