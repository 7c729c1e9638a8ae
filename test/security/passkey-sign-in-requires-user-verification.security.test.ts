/**
 * "User verification is required for passwordless sign-in" (`docs/specs/mfa-and-passkeys.md`
 * §15.1, 15; §7.2): an assertion without the UV flag (or without UP) is refused; a security key
 * without user verification may still be registered (as a second factor).
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

test('User verification is required for passwordless sign-in', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  assertProblem(await signInWithPasskey(api, authenticator, { uv: false }), 401, 'invalid_credentials');
  assertProblem(await signInWithPasskey(api, authenticator, { up: false }), 401, 'invalid_credentials');
  assert.equal((await signInWithPasskey(api, authenticator)).status, 200);
  // A key without UV registers (a second factor), but cannot sign in without a password.
  const other = await seedUser(api);
  const key = anAuthenticator({ uv: false });
  assert.equal((await addPasskey(api, (await signInAs(api, other)).accessToken, key)).status, 201);
  assertProblem(await signInWithPasskey(api, key), 401, 'invalid_credentials');
  assert.ok(user);
});
