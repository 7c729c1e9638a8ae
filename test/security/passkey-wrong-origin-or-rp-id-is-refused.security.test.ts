/**
 * "A wrong origin or RP ID is refused" (`docs/specs/mfa-and-passkeys.md` §15.1, 15; §7.2):
 * responses are verified against `AUTH_WEBAUTHN_ORIGINS` and `AUTH_WEBAUTHN_RP_ID`, for
 * registration and sign-in; a refused registration stores nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, seedUser, signInAs } from '../support/accounts.js';
import { addPasskey, anAuthenticator, signInWithPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '100' });
});
after(async () => {
  await api.close();
});

test('A wrong origin or RP ID is refused', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  for (const overrides of [{ origin: 'https://evil.example' }, { origin: 'http://localhost:3001' }, { rpId: 'evil.example' }, { rpId: 'localhost.evil' }]) {
    const refused = await addPasskey(api, accessToken, anAuthenticator(), { overrides });
    assertProblem(refused, 422, 'validation_failed');
    assert.deepEqual(refused.body.errors, { credential: ['is invalid'] });
  }
  assert.equal((await api.store.listPasskeys(user.id)).length, 0);
  const { authenticator } = await userWithPasskey(api);
  for (const overrides of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }]) {
    assertProblem(await signInWithPasskey(api, authenticator, overrides), 401, 'invalid_credentials');
  }
  assert.equal((await signInWithPasskey(api, authenticator)).status, 200);
});
