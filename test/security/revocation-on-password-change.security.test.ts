import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, authorizerAllows, NEW_PASSWORD, PASSWORD, signedInUser, signIn } from '../support/accounts.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

const sessionIds = async (userId: string) => (await api.store.listSessions(userId)).map((s) => s.id).sort();

test('a password change revokes every other session: the API, the authorizer and renewal refuse them', async () => {
  const me = await signedInUser(api);
  const others = await Promise.all([1, 2, 3].map(() => signIn(api, me.email)));
  assert.equal((await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, password: NEW_PASSWORD } })).status, 200);
  for (const other of others) {
    assertProblem(await api.request('GET', '/me', { token: other.accessToken }), 401, 'unauthorized');
    assert.equal(await authorizerAllows(api, other.accessToken), false);
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: other.renewalToken } }), 401, 'unauthorized');
  }
  assert.deepEqual(await sessionIds(me.userId), [me.sessionId]);
});

test("the caller's session keeps working after a password change, including renewal", async () => {
  const me = await signedInUser(api);
  assert.equal((await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, password: NEW_PASSWORD } })).status, 200);
  assert.equal(await authorizerAllows(api, me.accessToken), true);
  let renewalToken = me.renewalToken;
  for (let i = 0; i < 2; i++) {
    const renewed = await api.request('POST', '/session/renew', { body: { renewalToken } });
    assert.equal(renewed.status, 200);
    assert.equal(await authorizerAllows(api, renewed.body.accessToken), true);
    renewalToken = renewed.body.renewalToken;
  }
  // A second password change from the same (renewed) session works too.
  const latest = await api.request('POST', '/session/renew', { body: { renewalToken } });
  assert.equal(
    (await api.request('PATCH', '/me', { token: latest.body.accessToken, body: { currentPassword: NEW_PASSWORD, password: PASSWORD } })).status,
    200,
  );
  assert.equal(await authorizerAllows(api, latest.body.accessToken), true);
});

test('renewals and old-password sign-ins racing a password change leave no session that should not survive', async () => {
  const me = await signedInUser(api);
  const others = await Promise.all([1, 2, 3, 4].map(() => signIn(api, me.email)));
  const [change, ...racers] = await Promise.all([
    api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, password: NEW_PASSWORD } }),
    ...others.map((o) => api.request('POST', '/session/renew', { body: { renewalToken: o.renewalToken } })),
    ...[1, 2, 3].map(() => api.request('POST', '/session', { body: { email: me.email, password: PASSWORD } })),
  ]);
  assert.equal(change?.status, 200, change?.text);
  // Whatever won each race, only the caller's session is left, and no token a racer got works.
  assert.deepEqual(await sessionIds(me.userId), [me.sessionId]);
  for (const racer of racers) {
    if (racer.status !== 200) continue;
    assertProblem(await api.request('GET', '/me', { token: racer.body.accessToken }), 401, 'unauthorized');
    assert.equal(await authorizerAllows(api, racer.body.accessToken), false);
  }
  assert.equal(await authorizerAllows(api, me.accessToken), true);
});

test("a renewal of the caller's own session racing its password change always succeeds and the session lives", async () => {
  for (let round = 0; round < 4; round++) {
    const me = await signedInUser(api);
    const [change, renewal] = await Promise.all([
      api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, password: NEW_PASSWORD } }),
      api.request('POST', '/session/renew', { body: { renewalToken: me.renewalToken } }),
    ]);
    // If the renewal committed before the PATCH's token check, that (old) access token was already
    // replaced, so the PATCH is refused; either way the renewal succeeds and the session lives.
    assert.ok(change.status === 200 || change.status === 401, change.text);
    assert.equal(renewal.status, 200, renewal.text);
    assert.equal(await authorizerAllows(api, renewal.body.accessToken), true);
    const next = await api.request('POST', '/session/renew', { body: { renewalToken: renewal.body.renewalToken } });
    assert.equal(next.status, 200);
    assert.deepEqual(await sessionIds(me.userId), [me.sessionId]);
  }
});
