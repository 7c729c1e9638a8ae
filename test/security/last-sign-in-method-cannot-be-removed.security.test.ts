/**
 * "The last sign-in method cannot be removed, also by two concurrent removals"
 * (`docs/specs/mfa-and-passkeys.md` §15.1, 16; §7.4): every removal decrements `signInMethods`
 * under the condition that it stays at least 1, so of two removals racing for the last two
 * methods exactly one succeeds, on DynamoDB Local.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem } from '../support/accounts.js';
import { addPasskey, anAuthenticator, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test('The last sign-in method cannot be removed, also by two concurrent removals', async () => {
  // The password and one passkey, removed at once: one of the two stays.
  for (let round = 0; round < 3; round++) {
    const { user, accessToken, authenticator } = await userWithPasskey(api);
    const answers = await Promise.all([
      api.request('DELETE', '/me/password', { token: accessToken, body: {} }),
      api.request('DELETE', `/me/passkeys/${authenticator.credentialId}`, { token: accessToken, body: {} }),
    ]);
    const statuses = answers.map((a) => a.status).sort();
    assert.ok(statuses[0] === 204 && statuses[1] === 409, JSON.stringify(answers.map((a) => a.body)));
    const fresh = await api.store.getUser(user.id);
    const passkeys = await api.store.listPasskeys(user.id);
    assert.equal((fresh?.passwordHash ? 1 : 0) + passkeys.length, 1);
    assert.equal(fresh?.signInMethods, 1);
  }
  // Two passkeys and no password, both removed at once: one stays.
  const { accessToken, authenticator, user } = await userWithPasskey(api);
  const second = anAuthenticator();
  assert.equal((await addPasskey(api, accessToken, second)).status, 201);
  assert.equal((await api.request('DELETE', '/me/password', { token: accessToken, body: {} })).status, 204);
  const answers = await Promise.all(
    [authenticator, second].map((a) => api.request('DELETE', `/me/passkeys/${a.credentialId}`, { token: accessToken, body: {} })),
  );
  assert.deepEqual(answers.map((a) => a.status).sort(), [204, 409]);
  const refused = answers.find((a) => a.status === 409);
  assert.ok(refused);
  assertProblem(refused, 409, 'last_sign_in_method');
  assert.equal((await api.store.listPasskeys(user.id)).length, 1);
  assert.equal((await api.store.getUser(user.id))?.signInMethods, 1);
});
