import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../../shared/domain/errors.js';
import { signIn } from '../../shared/flows/current-session.js';
import { confirmEmail, resendConfirmation } from '../../shared/flows/email-confirmation.js';
import { register } from '../../shared/flows/registration.js';
import { lastMailedToken, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const request = { ip: null, userAgent: null };

test('sign-in for an unknown email costs exactly one password verification, like a wrong password', async () => {
  const deps = await memoryDeps();
  await register(deps, { email: 'known@example.com', password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, 'known@example.com', 'confirm-email'));
  const attempts = [
    { email: 'known@example.com', password: 'wrong password' },
    { email: 'unknown@example.com', password: 'wrong password' },
    { email: 'unknown@example.com', password: '' },
    { email: '', password: 'x' },
    {},
  ];
  for (const attempt of attempts) {
    const before = deps.hasher.verifies;
    const error = await signIn(deps, attempt, request).catch((e: unknown) => e);
    assert.ok(error instanceof AuthError && error.code === 'invalid_credentials', JSON.stringify(attempt));
    assert.equal(deps.hasher.verifies - before, 1, `one verification for ${JSON.stringify(attempt)}`);
  }
});

test('registration of a taken email does the same hashing work and gives the same result as a new one', async () => {
  const deps = await memoryDeps();
  const before = deps.hasher.hashes;
  const fresh = await register(deps, { email: 'new@example.com', password: PASSWORD }, request);
  const freshHashes = deps.hasher.hashes - before;
  const again = await register(deps, { email: 'NEW@example.com', password: PASSWORD }, request);
  assert.deepEqual(again, fresh);
  assert.equal(deps.hasher.hashes - before - freshHashes, freshHashes);
  assert.equal(deps.store.users.size, 1);
});

test('confirmation resend mails only unconfirmed accounts and always answers the same', async () => {
  const deps = await memoryDeps();
  await register(deps, { email: 'pending@example.com', password: PASSWORD }, request);
  const results = await Promise.all(['pending@example.com', 'nobody@example.com'].map((email) => resendConfirmation(deps, { email })));
  assert.deepEqual(results, [undefined, undefined]);
  assert.equal(deps.mailer.to('pending@example.com').length, 2);
  assert.equal(deps.mailer.to('nobody@example.com').length, 0);
});

test('a locked or unconfirmed account is revealed only after the correct password', async () => {
  const deps = await memoryDeps();
  await register(deps, { email: 'someone@example.com', password: PASSWORD }, request);
  const wrong = await signIn(deps, { email: 'someone@example.com', password: 'bad password' }, request).catch((e: unknown) => e);
  assert.equal((wrong as AuthError).code, 'invalid_credentials');
  const right = await signIn(deps, { email: 'someone@example.com', password: PASSWORD }, request).catch((e: unknown) => e);
  assert.equal((right as AuthError).code, 'email_not_confirmed');
});
