/**
 * "A credential id cannot be registered twice, also to two users" (`docs/specs/mfa-and-passkeys.md`
 * §15.1, 15; §12): the claim item `PASSKEY#<id>` / `CLAIM` is put with `attribute_not_exists`, in
 * the transaction that stores the passkey, so two registrations racing for one credential id
 * (to one user or two) leave exactly one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, seedUser, signInAs } from '../support/accounts.js';
import { addPasskey, anAuthenticator, registrationOptions } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test('A credential id cannot be registered twice, also to two users', async () => {
  const a = await seedUser(api);
  const b = await seedUser(api);
  const tokenA = (await signInAs(api, a)).accessToken;
  const tokenB = (await signInAs(api, b)).accessToken;
  const authenticator = anAuthenticator();
  assert.equal((await addPasskey(api, tokenA, authenticator)).status, 201);
  // Again to A (excludeCredentials is only the browser's courtesy), then to B: 409.
  assertProblem(await addPasskey(api, tokenA, authenticator), 409, 'already_enabled');
  assertProblem(await addPasskey(api, tokenB, authenticator), 409, 'already_enabled');
  assert.equal((await api.store.listPasskeys(b.id)).length, 0);
  assert.equal((await api.store.getUser(a.id))?.passkeyCount, 1);

  // Two users racing with one new credential: exactly one gets it.
  const shared = anAuthenticator();
  const c = await seedUser(api);
  const d = await seedUser(api);
  const tokens = [(await signInAs(api, c)).accessToken, (await signInAs(api, d)).accessToken];
  const responses = await Promise.all(
    tokens.map(async (token) => ({ token, credential: shared.register((await registrationOptions(api, token)).body.options) })),
  );
  const answers = await Promise.all(responses.map(({ token, credential }) => api.request('POST', '/me/passkeys', { token, body: { credential } })));
  assert.deepEqual(answers.map((r) => r.status).sort(), [201, 409]);
  const owners = (await Promise.all([c, d].map((u) => api.store.listPasskeys(u.id)))).map((list) => list.length);
  assert.deepEqual(owners.sort(), [0, 1]);
});
