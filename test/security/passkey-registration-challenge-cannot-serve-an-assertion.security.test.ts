/**
 * "A registration challenge cannot serve an assertion" (`docs/specs/mfa-and-passkeys.md` §15.1,
 * 15; §7.2): a challenge is bound to its ceremony (`create`/`get`), purpose and, for `add`, the
 * user and session that asked; its item is only spent by a response of that kind.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, seedUser, signInAs } from '../support/accounts.js';
import { anAuthenticator, registrationOptions, signInWithPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '100' });
});
after(async () => {
  await api.close();
});

test('A registration challenge cannot serve an assertion', async () => {
  const { accessToken, authenticator } = await userWithPasskey(api);
  const created = await registrationOptions(api, accessToken);
  assert.equal(created.status, 200);
  // The `add` challenge in a sign-in assertion: refused, and the challenge is still usable for its own ceremony.
  const asAssertion = authenticator.assert({ challenge: created.body.options.challenge });
  assertProblem(await api.request('POST', '/session/passkey', { body: { credential: asAssertion } }), 401, 'invalid_credentials');
  // A sign-in challenge in a registration: 404 invalid_token.
  const signInChallenge = (await api.request('POST', '/session/passkey/options', { body: {} })).body.options.challenge;
  const fresh = anAuthenticator();
  const asRegistration = fresh.register({ challenge: signInChallenge, user: created.body.options.user });
  assertProblem(await api.request('POST', '/me/passkeys', { token: accessToken, body: { credential: asRegistration } }), 404, 'invalid_token');
  // Another user's (or session's) `add` challenge: 404 invalid_token.
  const other = await seedUser(api);
  const otherToken = (await signInAs(api, other)).accessToken;
  const stolen = fresh.register(created.body.options);
  assertProblem(await api.request('POST', '/me/passkeys', { token: otherToken, body: { credential: stolen } }), 404, 'invalid_token');
  // (A passkey makes the account an MFA one: its other session comes from the passkey.)
  const sameUserOtherSession = (await signInWithPasskey(api, authenticator)).body.accessToken;
  assertProblem(await api.request('POST', '/me/passkeys', { token: sameUserOtherSession, body: { credential: stolen } }), 404, 'invalid_token');
  // The right session: the challenge was never spent by the refusals above.
  assert.equal((await api.request('POST', '/me/passkeys', { token: accessToken, body: { credential: stolen } })).status, 201);
  assert.equal((await api.store.listPasskeys(other.id)).length, 0);
});
