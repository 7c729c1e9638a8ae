/**
 * `signInMethods` stays exact (`docs/specs/mfa-and-passkeys.md` §7.4, §8.2): the admin MFA reset
 * removes passkeys and their claims; a password reset, or a first password through `PATCH /me`,
 * gives a passwordless user the password back, once also under races. On DynamoDB Local.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { anAdmin, assertProblem, NEW_PASSWORD, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { lastLinkToken } from '../support/mail.js';
import { movableClock } from '../support/mfa.js';
import { addPasskey, anAuthenticator, signInWithPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
let clock: ReturnType<typeof movableClock>;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '100' });
  clock = movableClock();
});
after(async () => {
  await api.close();
});

/** A user with a passkey who removed the password: signs in with the passkey only. */
async function passwordlessUser() {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  const removed = await api.request('DELETE', '/me/password', { token: accessToken, body: {} });
  assert.equal(removed.status, 204, removed.text);
  assert.equal((await api.store.getUser(user.id))?.signInMethods, 1);
  return { user, authenticator };
}

async function resetPassword(email: string, password = NEW_PASSWORD) {
  const asked = await api.request('POST', '/password-reset', { body: { email } });
  assert.equal(asked.status, 202, asked.text);
  const token = await lastLinkToken(email, 'reset-password');
  return api.request('POST', `/password-reset/${token}`, { body: { password } });
}

test('the admin MFA reset removes every passkey and its claim, keeping signInMethods exact', async () => {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  const key = anAuthenticator({ uv: false, rk: false });
  assert.equal((await addPasskey(api, accessToken, key)).status, 201);
  const before = await api.store.getUser(user.id);
  assert.equal(before?.passkeyCount, 2);
  assert.equal(before?.signInMethods, 2); // the password and the discoverable passkey
  const admin = await anAdmin(api);
  const reset = await api.request('POST', `/admin/users/${user.id}/mfa/reset`, { token: admin.token });
  assert.equal(reset.status, 200, reset.text);
  assert.equal(reset.body.user.mfaEnabled, false);
  const after = await api.store.getUser(user.id);
  assert.equal(after?.passkeyCount, 0);
  assert.equal(after?.signInMethods, 1);
  assert.equal(after?.mfaEnabled, false);
  assert.deepEqual(await api.store.listPasskeys(user.id), []);
  // The claims are gone: both credentials register again, to another user.
  const other = await seedUser(api);
  const { accessToken: otherToken } = await signInAs(api, other);
  assert.equal((await addPasskey(api, otherToken, authenticator)).status, 201);
  assert.equal((await addPasskey(api, otherToken, key)).status, 201);
  // The password signs in without a second step.
  assert.equal((await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } })).status, 200);
});

test('a passwordless user left without any method by the MFA reset signs in after a password reset (signInMethods 0 → 1)', async () => {
  const { user, authenticator } = await passwordlessUser();
  const admin = await anAdmin(api);
  assert.equal((await api.request('POST', `/admin/users/${user.id}/mfa/reset`, { token: admin.token })).status, 200);
  assert.equal((await api.store.getUser(user.id))?.signInMethods, 0);
  assertProblem(await signInWithPasskey(api, authenticator), 401, 'invalid_credentials');
  assert.equal((await resetPassword(user.email)).status, 200);
  const fresh = await api.store.getUser(user.id);
  assert.equal(fresh?.signInMethods, 1);
  assert.notEqual(fresh?.passwordHash, null);
  assert.equal((await api.request('POST', '/session', { body: { email: user.email, password: NEW_PASSWORD } })).status, 200);
});

test('a password reset of a passwordless user adds the password once; of a user with a password, nothing', async () => {
  const { user } = await passwordlessUser();
  assert.equal((await resetPassword(user.email)).status, 200);
  assert.equal((await api.store.getUser(user.id))?.signInMethods, 2);
  assert.equal((await resetPassword(user.email, 'yet another fine passphrase')).status, 200);
  assert.equal((await api.store.getUser(user.id))?.signInMethods, 2);
});

test('PATCH /me: a passwordless user sets a first password with fresh authentication only; it adds one method', async () => {
  const { user, authenticator } = await passwordlessUser();
  const { accessToken } = (await signInWithPasskey(api, authenticator)).body;
  clock.shift(301);
  const stale = await api.request('PATCH', '/me', { token: accessToken, body: { password: NEW_PASSWORD } });
  assertProblem(stale, 403, 'reauthentication_required');
  assert.deepEqual(stale.body.reauthMethods, ['recovery_code', 'webauthn']);
  const fresh = (await signInWithPasskey(api, authenticator)).body.accessToken;
  assertProblem(await api.request('PATCH', '/me', { token: fresh, body: { password: 'short' } }), 422, 'validation_failed');
  const set = await api.request('PATCH', '/me', { token: fresh, body: { password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD } });
  assert.equal(set.status, 200, set.text);
  const stored = await api.store.getUser(user.id);
  assert.equal(stored?.signInMethods, 2);
  // The password works again (with the second step: the passkey is still a second factor).
  assertProblem(await api.request('POST', '/session', { body: { email: user.email, password: NEW_PASSWORD } }), 403, 'mfa_required');
  // Now the current password is needed for the next change.
  assertProblem(await api.request('PATCH', '/me', { token: fresh, body: { password: 'another fine passphrase' } }), 422, 'validation_failed');
});

test('races: two first passwords, or a first password and a reset, at once add the method once', async () => {
  for (const mode of ['patch+patch', 'patch+reset'] as const) {
    const { user, authenticator } = await passwordlessUser();
    const token = (await signInWithPasskey(api, authenticator)).body.accessToken;
    let resetToken: string | undefined;
    if (mode === 'patch+reset') {
      assert.equal((await api.request('POST', '/password-reset', { body: { email: user.email } })).status, 202);
      resetToken = await lastLinkToken(user.email, 'reset-password');
    }
    const patch = (password: string) => api.request('PATCH', '/me', { token, body: { password } });
    const answers = await Promise.all([
      patch('first racing passphrase'),
      resetToken ? api.request('POST', `/password-reset/${resetToken}`, { body: { password: 'second racing passphrase' } }) : patch('second racing passphrase'),
    ]);
    const statuses = answers.map((a) => a.status);
    assert.ok(
      statuses.some((s) => s === 200 || s === 204),
      `${mode}: ${statuses.join()}`,
    );
    assert.equal((await api.store.getUser(user.id))?.signInMethods, 2, `${mode}: ${answers.map((a) => a.text).join(' | ')}`);
  }
});
