/**
 * Property: an email change kills reset links. Once the email of an account has changed (a
 * confirmed self-service change, an immediate change without confirmation, an admin or CLI
 * change), a reset link mailed to the old address no longer works: the pending reset token is
 * deleted in the same transaction as the change, so the old mailbox cannot recover the account.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { updateMe } from '../../shared/flows/account.js';
import { updateUser } from '../../shared/flows/admin-users.js';
import { checkResetToken, requestPasswordReset } from '../../shared/flows/password-reset.js';
import { register } from '../../shared/flows/registration.js';
import { anAdmin, assertProblem, NEW_PASSWORD, PASSWORD, signedInUser } from '../support/accounts.js';
import { lastLinkToken } from '../support/mail.js';
import { lastMailedToken, memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

/** The reset link is dead: shown and used, it is 404 invalid_token, and the password stays. */
async function assertResetLinkDead(token: string, email: string): Promise<void> {
  assertProblem(await api.request('GET', `/password-reset/${token}`), 404, 'invalid_token');
  assertProblem(await api.request('POST', `/password-reset/${token}`, { body: { password: NEW_PASSWORD } }), 404, 'invalid_token');
  assert.equal((await api.request('POST', '/session', { body: { email, password: PASSWORD } })).status, 200);
}

test('a confirmed PATCH /me email change kills the reset link mailed to the old address', async () => {
  const user = await signedInUser(api, { label: 'reset-old' });
  assert.equal((await api.request('POST', '/password-reset', { body: { email: user.email } })).status, 202);
  const resetToken = await lastLinkToken(user.email, 'reset-password');
  assert.equal((await api.request('GET', `/password-reset/${resetToken}`)).status, 200);

  const target = uniqueEmail('reset-new');
  const patch = await api.request('PATCH', '/me', { token: user.accessToken, body: { currentPassword: PASSWORD, email: target } });
  assert.equal(patch.status, 200, patch.text);
  // Only pending: the old address still owns the account, so its reset link still works.
  assert.equal((await api.request('GET', `/password-reset/${resetToken}`)).status, 200);
  assert.equal((await api.request('POST', `/email-confirmation/${await lastLinkToken(target, 'confirm-email')}`)).status, 200);
  assert.equal(await api.store.getToken(user.userId, 'reset'), undefined);
  await assertResetLinkDead(resetToken, target);
});

test('an admin email change kills the reset link mailed to the old address', async () => {
  const admin = await anAdmin(api);
  const user = await signedInUser(api, { label: 'reset-admin' });
  await api.request('POST', '/password-reset', { body: { email: user.email } });
  const resetToken = await lastLinkToken(user.email, 'reset-password');
  const target = uniqueEmail('reset-admin-new');
  const response = await api.request('PATCH', `/admin/users/${user.userId}`, { token: admin.token, body: { email: target } });
  assert.equal(response.status, 200, response.text);
  await assertResetLinkDead(resetToken, target);
});

test('a role-only admin update leaves the reset link alone (only an email change kills it)', async () => {
  const admin = await anAdmin(api);
  const user = await signedInUser(api, { label: 'reset-role' });
  await api.request('POST', '/password-reset', { body: { email: user.email } });
  const resetToken = await lastLinkToken(user.email, 'reset-password');
  assert.equal(
    (await api.request('PATCH', `/admin/users/${user.userId}`, { token: admin.token, body: { role: 'user', email: user.email.toUpperCase() } })).status,
    200,
  );
  assert.equal((await api.request('GET', `/password-reset/${resetToken}`)).status, 200);
});

test('an immediate email change (no confirmation required) and a CLI change kill the reset link', async () => {
  const deps = await memoryDeps({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
  const request = { ip: null, userAgent: null };
  const email = 'immediate@example.com';
  const registered = await register(deps, { email, password: PASSWORD }, request);
  assert.equal(registered.kind, 'signedIn');
  const tokens = registered.kind === 'signedIn' ? registered.tokens : undefined;
  await requestPasswordReset(deps, { email });
  const token = lastMailedToken(deps, email, 'reset-password');
  assert.deepEqual(await checkResetToken(deps, token), { email });
  const principal = { userId: tokens?.user.id as string, sessionId: 'unused', role: 'user', email, jti: 'unused' };
  await updateMe(deps, principal, { currentPassword: PASSWORD, email: 'moved@example.com' });
  await assert.rejects(checkResetToken(deps, token), (error: { code?: string }) => error.code === 'invalid_token');

  // The CLI runs the admin flow as the operator.
  await requestPasswordReset(deps, { email: 'moved@example.com' });
  const second = lastMailedToken(deps, 'moved@example.com', 'reset-password');
  assert.deepEqual(await checkResetToken(deps, second), { email: 'moved@example.com' });
  await updateUser(deps, 'operator', principal.userId, { email: 'by-operator@example.com' });
  await assert.rejects(checkResetToken(deps, second), (error: { code?: string }) => error.code === 'invalid_token');
});
