/**
 * "Breached, common and context-word passwords are refused on every route that sets one, with the
 * reason, and the reset or invitation token stays usable." (docs/specs/audit-and-breached-passwords.md §7.2)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { messages } from '../../shared/domain/messages.js';
import { anAdmin, assertProblem, PASSWORD, signedInUser } from '../support/accounts.js';
import { lastLinkToken } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack({ AUTH_PASSWORD_CONTEXT_WORDS: 'Quokkabank' });
});
after(async () => {
  await api.close();
});

/** The three refusals for an account with this email, each with the message the contract gives. */
function badPasswords(email: string): Array<{ password: string; reason: string }> {
  const local = email.slice(0, email.indexOf('@'));
  return [
    // In SecLists' top 1M (the artefact) but not in the embedded common list.
    { password: 'liverpool1892', reason: messages.field.breached },
    { password: 'password1', reason: messages.field.tooCommon },
    // The account's own local part, and the deployer's context word with digits around it.
    { password: `my ${local} secret`, reason: messages.field.contextWord },
    { password: '2024Quokkabank!', reason: messages.field.contextWord },
  ];
}

function assertRefused(response: Awaited<ReturnType<TestStack['request']>>, reason: string, field = 'password'): void {
  assertProblem(response, 422, 'validation_failed');
  assert.deepEqual((response.body as { errors: Record<string, string[]> }).errors[field], [reason], JSON.stringify(response.body));
}

test('Breached, common and context-word passwords are refused on every route that sets one, with the reason, and the reset or invitation token stays usable', async () => {
  // Registration.
  const email = uniqueEmail('register');
  for (const { password, reason } of badPasswords(email)) {
    assertRefused(await api.request('POST', '/registration', { body: { email, password } }), reason);
  }
  assert.equal((await api.request('POST', '/registration', { body: { email, password: PASSWORD } })).status, 202);

  // PATCH /me (the caller's email is the context).
  const me = await signedInUser(api);
  for (const { password, reason } of badPasswords(me.email)) {
    assertRefused(await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, password } }), reason);
  }

  // Password reset: refused, and the link still works afterwards.
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  const reset = await lastLinkToken(me.email, 'reset-password');
  for (const { password, reason } of badPasswords(me.email)) {
    assertRefused(await api.request('POST', `/password-reset/${reset}`, { body: { password } }), reason);
  }
  assert.equal((await api.request('GET', `/password-reset/${reset}`)).status, 200);
  assert.equal((await api.request('POST', `/password-reset/${reset}`, { body: { password: 'a perfectly new passphrase' } })).status, 200);

  // Invitation acceptance: refused, and the invitation stays usable.
  const inviter = await signedInUser(api);
  const invitee = uniqueEmail('invitee');
  assert.equal((await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email: invitee } })).status, 201);
  const invitation = await lastLinkToken(invitee, 'invitation');
  for (const { password, reason } of badPasswords(invitee)) {
    assertRefused(await api.request('POST', `/invitations/${invitation}`, { body: { password } }), reason);
  }
  assert.equal((await api.request('GET', `/invitations/${invitation}`)).status, 200);
  assert.equal((await api.request('POST', `/invitations/${invitation}`, { body: { password: PASSWORD } })).status, 201);

  // Admin create and set-password (the target's email is the context).
  const admin = await anAdmin(api);
  const created = uniqueEmail('created');
  for (const { password, reason } of badPasswords(created)) {
    assertRefused(await api.request('POST', '/admin/users', { token: admin.token, body: { email: created, password } }), reason);
  }
  const target = await signedInUser(api);
  for (const { password, reason } of badPasswords(target.email)) {
    assertRefused(await api.request('PUT', `/admin/users/${target.userId}/password`, { token: admin.token, body: { password } }), reason);
  }
  // None of the refusals changed a password: the old ones still sign in.
  for (const who of [target, inviter]) {
    assert.equal((await api.request('POST', '/session', { body: { email: who.email, password: PASSWORD } })).status, 200);
  }
});
