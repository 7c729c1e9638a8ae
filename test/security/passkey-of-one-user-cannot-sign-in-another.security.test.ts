/**
 * "A passkey of user A cannot sign in user B" (`docs/specs/mfa-and-passkeys.md` §15.1, 15; §7.2):
 * sign-in finds the credential under the assertion's `userHandle` (one consistent GetItem of
 * `USER#<handle>` / `PASSKEY#<id>`), so A's credential with B's handle finds nothing, and a
 * missing handle fails.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, sidOf } from '../support/accounts.js';
import { signInWithPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '100' });
});
after(async () => {
  await api.close();
});

test('A passkey of user A cannot sign in user B', async () => {
  const a = await userWithPasskey(api);
  const b = await userWithPasskey(api);
  const bHandle = Buffer.from(b.user.id, 'utf8').toString('base64url');
  const sessionsOfB = (await api.store.listSessions(b.user.id)).length;
  assertProblem(await signInWithPasskey(api, a.authenticator, { userHandle: bHandle }), 401, 'invalid_credentials');
  assertProblem(await signInWithPasskey(api, a.authenticator, { userHandle: null }), 401, 'invalid_credentials');
  assertProblem(
    await signInWithPasskey(api, a.authenticator, { userHandle: Buffer.from('../USER#x', 'utf8').toString('base64url') }),
    401,
    'invalid_credentials',
  );
  assert.equal((await api.store.listSessions(b.user.id)).length, sessionsOfB);
  // Each with their own: their own user.
  const asA = await signInWithPasskey(api, a.authenticator);
  assert.equal(asA.status, 200);
  assert.equal(asA.body.user.id, a.user.id);
  assert.ok(await api.store.getSession(a.user.id, sidOf(asA.body.accessToken)));
});
