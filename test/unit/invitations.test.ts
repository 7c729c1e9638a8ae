import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, ValidationError } from '../../shared/domain/errors.js';
import { signIn } from '../../shared/flows/current-session.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { acceptInvitation, inviteUser, showInvitation } from '../../shared/flows/invitations.js';
import { register } from '../../shared/flows/registration.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const request = { ip: '203.0.113.9', userAgent: 'test-agent/1.0' };

async function confirmedUser(deps: MemoryDeps, email = 'inviter@example.com'): Promise<string> {
  await register(deps, { email, password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, email, 'confirm-email'));
  const user = await deps.store.findUserByEmail(email);
  if (!user) throw new Error('no user');
  return user.id;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof AuthError) return error.code;
    throw error;
  }
}

const invitationLink = (deps: MemoryDeps, email: string) => lastMailedToken(deps, email, 'invitation');

describe('invitations (flows)', () => {
  test('an invitation creates a pending user without a password and mails an APP_URL link', async () => {
    const deps = await memoryDeps();
    const inviterId = await confirmedUser(deps);
    const result = await inviteUser(deps, inviterId, ' Guest@Example.com ');
    assert.equal(result.outcome, 'invited');
    assert.deepEqual(result.invitation, {
      email: 'guest@example.com', // canonical: what the account stores and mails
      expiresAt: new Date(deps.clock.now() + 604800 * 1000).toISOString(),
    });
    const invitee = await deps.store.findUserByEmail('guest@example.com');
    assert.equal(invitee?.passwordHash, null);
    assert.equal(invitee?.invitationPending, true);
    assert.equal(invitee?.emailConfirmed, false);
    assert.equal(invitee?.invitedBy, inviterId);
    const [mail] = deps.mailer.to('guest@example.com');
    assert.match(mail?.text ?? '', / https:\/\/app\.test\/invitation\/[A-Za-z0-9._~-]+$/m);
  });

  test('accepting sets the password, confirms the email, records invitedBy and signs the user in', async () => {
    const deps = await memoryDeps();
    const inviterId = await confirmedUser(deps);
    await inviteUser(deps, inviterId, 'guest@example.com');
    const token = invitationLink(deps, 'guest@example.com');
    assert.deepEqual(await showInvitation(deps, token), { email: 'guest@example.com' });
    const pair = await acceptInvitation(deps, token, { password: PASSWORD, passwordConfirmation: PASSWORD }, request);
    assert.equal(pair.tokenType, 'Bearer');
    assert.equal(pair.user.emailConfirmed, true);
    assert.equal(pair.user.invitedBy, inviterId);
    const stored = await deps.store.findUserByEmail('guest@example.com');
    assert.equal(stored?.invitationPending, false);
    assert.equal(stored?.emailConfirmed, true);
    assert.match(stored?.passwordHash ?? '', /^\$argon2id\$/);
    assert.equal((await deps.store.listSessions(stored?.id ?? '')).length, 1);
    // Single use: the link is spent.
    assert.equal(await codeOf(showInvitation(deps, token)), 'invalid_token');
    assert.equal(await codeOf(acceptInvitation(deps, token, { password: PASSWORD }, request)), 'invalid_token');
    assert.equal(await codeOf(signIn(deps, { email: 'guest@example.com', password: PASSWORD }, request)), 'ok');
  });

  test('a 422 on acceptance changes nothing and keeps the invitation usable', async () => {
    const deps = await memoryDeps();
    await inviteUser(deps, await confirmedUser(deps), 'guest@example.com');
    const token = invitationLink(deps, 'guest@example.com');
    for (const input of [{}, { password: 'short' }, { password: PASSWORD, passwordConfirmation: 'other' }, { password: 'password123' }]) {
      await assert.rejects(acceptInvitation(deps, token, input, request), (e: unknown) => e instanceof ValidationError && e.code === 'validation_failed');
    }
    assert.equal((await deps.store.findUserByEmail('guest@example.com'))?.invitationPending, true);
    assert.equal(await codeOf(acceptInvitation(deps, token, { password: PASSWORD }, request)), 'ok');
  });

  test('an invited user cannot sign in before accepting (generic 401, one verification)', async () => {
    const deps = await memoryDeps();
    await inviteUser(deps, await confirmedUser(deps), 'guest@example.com');
    const before = deps.hasher.verifies;
    assert.equal(await codeOf(signIn(deps, { email: 'guest@example.com', password: PASSWORD }, request)), 'invalid_credentials');
    assert.equal(deps.hasher.verifies - before, 1);
  });

  test('re-inviting a pending invitee replaces the old link', async () => {
    const deps = await memoryDeps();
    const inviterId = await confirmedUser(deps);
    await inviteUser(deps, inviterId, 'guest@example.com');
    const old = invitationLink(deps, 'guest@example.com');
    const again = await inviteUser(deps, inviterId, 'GUEST@example.com');
    assert.equal(again.outcome, 'reinvited');
    const fresh = invitationLink(deps, 'guest@example.com');
    assert.notEqual(fresh, old);
    assert.equal(await codeOf(showInvitation(deps, old)), 'invalid_token');
    assert.deepEqual(await showInvitation(deps, fresh), { email: 'guest@example.com' });
    assert.equal(deps.store.users.size, 2);
  });

  test('inviting an address that has an account answers the same, mails nothing and changes nothing', async () => {
    const deps = await memoryDeps();
    const inviterId = await confirmedUser(deps);
    await confirmedUser(deps, 'member@example.com');
    const before = structuredClone([...deps.store.users.values(), ...deps.store.tokens.values()]);
    const mails = deps.mailer.sent.length;
    const existing = await inviteUser(deps, inviterId, 'Member@example.com');
    const fresh = await inviteUser(deps, inviterId, 'Newcomer@example.com');
    assert.equal(existing.outcome, 'exists');
    assert.deepEqual(Object.keys(existing.invitation), Object.keys(fresh.invitation));
    assert.equal(existing.invitation.email, 'member@example.com');
    assert.equal(existing.invitation.expiresAt, fresh.invitation.expiresAt);
    assert.equal(deps.mailer.sent.length, mails + 1, 'only the newcomer got mail');
    const after = [...deps.store.users.values(), ...deps.store.tokens.values()].filter((item) => !/newcomer/i.test(JSON.stringify(item)));
    assert.deepEqual(after, before);
  });

  test('invitations expire', async () => {
    const deps = await memoryDeps({ AUTH_INVITATION_TOKEN_TTL_SECONDS: '3600' });
    await inviteUser(deps, await confirmedUser(deps), 'guest@example.com');
    const token = invitationLink(deps, 'guest@example.com');
    deps.clock.advance(3599);
    assert.deepEqual(await showInvitation(deps, token), { email: 'guest@example.com' });
    deps.clock.advance(1);
    assert.equal(await codeOf(showInvitation(deps, token)), 'invalid_token');
    assert.equal(await codeOf(acceptInvitation(deps, token, { password: PASSWORD }, request)), 'invalid_token');
  });

  test('the inviter must be confirmed; with AUTH_INVITATIONS=admin, an admin as stored now', async () => {
    const deps = await memoryDeps();
    await register(deps, { email: 'new@example.com', password: PASSWORD }, request);
    const unconfirmed = await deps.store.findUserByEmail('new@example.com');
    assert.equal(await codeOf(inviteUser(deps, unconfirmed?.id ?? '', 'guest@example.com')), 'forbidden');
    // 403 comes before field rules.
    assert.equal(await codeOf(inviteUser(deps, unconfirmed?.id ?? '', 'not an email')), 'forbidden');

    const adminOnly = await memoryDeps({ AUTH_INVITATIONS: 'admin' });
    const userId = await confirmedUser(adminOnly);
    assert.equal(await codeOf(inviteUser(adminOnly, userId, 'guest@example.com')), 'forbidden');
    await adminOnly.store.commit([{ type: 'updateUser', id: userId, set: { role: 'admin' } }]);
    assert.equal(await codeOf(inviteUser(adminOnly, userId, 'guest@example.com')), 'ok');
    assert.equal(adminOnly.store.users.size, 2);
  });

  test('without required confirmation, any signed-in user may invite', async () => {
    const deps = await memoryDeps({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
    await register(deps, { email: 'new@example.com', password: PASSWORD }, request);
    const user = await deps.store.findUserByEmail('new@example.com');
    assert.equal((await inviteUser(deps, user?.id ?? '', 'guest@example.com')).outcome, 'invited');
  });

  test('the admin CLI invites with no inviter', async () => {
    const deps = await memoryDeps({ AUTH_INVITATIONS: 'admin' });
    const result = await inviteUser(deps, null, 'guest@example.com');
    assert.equal(result.outcome, 'invited');
    assert.equal((await deps.store.findUserByEmail('guest@example.com'))?.invitedBy, null);
  });

  test('a malformed or missing email is 422', async () => {
    const deps = await memoryDeps();
    const inviterId = await confirmedUser(deps);
    for (const email of [undefined, '', 'not an email']) {
      await assert.rejects(inviteUser(deps, inviterId, email), (error: unknown) => error instanceof ValidationError && 'email' in error.errors);
    }
  });

  test('registering an invited address neither sets a password nor reveals it: the owner gets a new invitation link', async () => {
    const deps = await memoryDeps();
    await inviteUser(deps, await confirmedUser(deps), 'guest@example.com');
    const old = invitationLink(deps, 'guest@example.com');
    const before = await deps.store.findUserByEmail('guest@example.com');
    const result = await register(deps, { email: 'guest@example.com', password: 'attacker chosen passphrase' }, request);
    assert.deepEqual(result, { kind: 'pending' });
    assert.deepEqual(await deps.store.findUserByEmail('guest@example.com'), before);
    assert.equal(await codeOf(signIn(deps, { email: 'guest@example.com', password: 'attacker chosen passphrase' }, request)), 'invalid_credentials');
    const fresh = invitationLink(deps, 'guest@example.com');
    assert.notEqual(fresh, old);
    assert.equal(await codeOf(acceptInvitation(deps, fresh, { password: PASSWORD }, request)), 'ok');
  });

  test('a locked invitee cannot accept', async () => {
    const deps = await memoryDeps();
    await inviteUser(deps, await confirmedUser(deps), 'guest@example.com');
    const token = invitationLink(deps, 'guest@example.com');
    const invitee = await deps.store.findUserByEmail('guest@example.com');
    await deps.store.commit([{ type: 'updateUser', id: invitee?.id ?? '', set: { locked: true } }]);
    assert.equal(await codeOf(acceptInvitation(deps, token, { password: PASSWORD }, request)), 'account_locked');
    assert.equal((await deps.store.findUserByEmail('guest@example.com'))?.passwordHash, null);
  });

  test('accepting clears failed sign-ins made against the pending address', async () => {
    const deps = await memoryDeps({ AUTH_MAX_FAILED_SIGN_INS: '2' });
    await inviteUser(deps, await confirmedUser(deps), 'guest@example.com');
    for (let i = 0; i < 2; i++) await codeOf(signIn(deps, { email: 'guest@example.com', password: 'guessing wildly' }, { ip: null, userAgent: null }));
    assert.equal(await codeOf(signIn(deps, { email: 'guest@example.com', password: PASSWORD }, { ip: null, userAgent: null })), 'too_many_attempts');
    await acceptInvitation(deps, invitationLink(deps, 'guest@example.com'), { password: PASSWORD }, request);
    assert.equal(await codeOf(signIn(deps, { email: 'guest@example.com', password: PASSWORD }, { ip: null, userAgent: null })), 'ok');
  });

  test('a stale invitation link cannot overwrite the password of an account that is in use', async () => {
    const deps = await memoryDeps();
    await inviteUser(deps, await confirmedUser(deps), 'guest@example.com');
    const token = invitationLink(deps, 'guest@example.com');
    const invitee = await deps.store.findUserByEmail('guest@example.com');
    // E.g. an admin set a password meanwhile; the invitation token was not spent.
    await deps.store.commit([{ type: 'updateUser', id: invitee?.id ?? '', set: { passwordHash: 'set-by-admin', invitationPending: false } }]);
    assert.equal(await codeOf(acceptInvitation(deps, token, { password: PASSWORD }, request)), 'invalid_token');
    assert.equal((await deps.store.findUserByEmail('guest@example.com'))?.passwordHash, 'set-by-admin');
  });
});
