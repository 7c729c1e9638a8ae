import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, ValidationError } from '../../shared/domain/errors.js';
import { signIn } from '../../shared/flows/current-session.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { checkResetToken, requestPasswordReset, resetPassword } from '../../shared/flows/password-reset.js';
import { register } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const request = { ip: null, userAgent: null };

async function confirmedUser(deps: MemoryDeps, email = 'ann@example.com') {
  await register(deps, { email, password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, email, 'confirm-email'));
  return email;
}

function code(error: unknown): string {
  if (error instanceof ValidationError) return `validation_failed:${Object.keys(error.errors).sort().join(',')}`;
  return error instanceof AuthError ? error.code : `not an AuthError: ${String(error)}`;
}

describe('password reset flows', () => {
  test('a known user gets a link under APP_URL that shows the address; malformed emails are 422', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    await requestPasswordReset(deps, { email: email.toUpperCase() });
    const mail = deps.mailer.to(email).at(-1);
    assert.equal(mail?.subject, 'Reset your password');
    assert.match(mail?.text ?? '', /https:\/\/app\.test\/reset-password\/[\w-]+\.[\w-]{43}/);
    assert.match(mail?.text ?? '', /for 60 minutes/);
    assert.deepEqual(await checkResetToken(deps, lastMailedToken(deps, email, 'reset-password')), { email });
    await assert.rejects(requestPasswordReset(deps, { email: 'nope' }), (e) => code(e) === 'validation_failed:email');
    await assert.rejects(requestPasswordReset(deps, {}), (e) => code(e) === 'validation_failed:email');
  });

  test('locked, unknown and pending invitees get no mail', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    const user = await deps.store.findUserByEmail(email);
    await deps.store.commit([{ type: 'updateUser', id: user?.id ?? '', set: { locked: true } }]);
    const before = deps.mailer.sent.length;
    await requestPasswordReset(deps, { email });
    await requestPasswordReset(deps, { email: 'nobody@example.com' });
    await deps.store.commit([{ type: 'updateUser', id: user?.id ?? '', set: { locked: false, invitationPending: true } }]);
    await requestPasswordReset(deps, { email });
    assert.equal(deps.mailer.sent.length, before);
    assert.equal(await deps.store.getToken(user?.id ?? '', 'reset'), undefined);
  });

  test('a 422 keeps the token usable; success sets the password, spends the token, revokes every session, confirms nothing', async () => {
    const deps = await memoryDeps();
    await register(deps, { email: 'unconfirmed@example.com', password: PASSWORD }, request);
    const email = await confirmedUser(deps);
    const sessions = await Promise.all([1, 2].map(() => signIn(deps, { email, password: PASSWORD }, request)));
    await requestPasswordReset(deps, { email });
    const token = lastMailedToken(deps, email, 'reset-password');
    await assert.rejects(resetPassword(deps, token, { password: 'short' }), (e) => code(e) === 'validation_failed:password');
    await assert.rejects(
      resetPassword(deps, token, { password: NEW_PASSWORD, passwordConfirmation: 'other' }),
      (e) => code(e) === 'validation_failed:passwordConfirmation',
    );
    await resetPassword(deps, token, { password: NEW_PASSWORD });
    for (const s of sessions) await assert.rejects(checkAccessToken(deps, s.accessToken), (e) => code(e) === 'unauthorized');
    await assert.rejects(resetPassword(deps, token, { password: NEW_PASSWORD }), (e) => code(e) === 'invalid_token');
    await assert.rejects(checkResetToken(deps, token), (e) => code(e) === 'invalid_token');
    await signIn(deps, { email, password: NEW_PASSWORD }, request);

    // Reset of an unconfirmed account: the password changes, the email stays unconfirmed.
    await requestPasswordReset(deps, { email: 'unconfirmed@example.com' });
    await resetPassword(deps, lastMailedToken(deps, 'unconfirmed@example.com', 'reset-password'), { password: NEW_PASSWORD });
    assert.equal((await deps.store.findUserByEmail('unconfirmed@example.com'))?.emailConfirmed, false);
  });

  test('a new request kills the old link; an expired link is invalid_token; so is one of a user locked meanwhile', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    await requestPasswordReset(deps, { email });
    const first = lastMailedToken(deps, email, 'reset-password');
    await requestPasswordReset(deps, { email });
    const second = lastMailedToken(deps, email, 'reset-password');
    await assert.rejects(checkResetToken(deps, first), (e) => code(e) === 'invalid_token');
    deps.clock.advance(deps.config.resetTokenTtlSeconds);
    await assert.rejects(checkResetToken(deps, second), (e) => code(e) === 'invalid_token');
    await assert.rejects(resetPassword(deps, second, { password: NEW_PASSWORD }), (e) => code(e) === 'invalid_token');

    await requestPasswordReset(deps, { email });
    const third = lastMailedToken(deps, email, 'reset-password');
    const user = await deps.store.findUserByEmail(email);
    await deps.store.commit([{ type: 'updateUser', id: user?.id ?? '', set: { locked: true } }]);
    await assert.rejects(resetPassword(deps, third, { password: NEW_PASSWORD }), (e) => code(e) === 'invalid_token');
    assert.equal((await deps.store.getUser(user?.id ?? ''))?.passwordHash, user?.passwordHash);
  });
});
