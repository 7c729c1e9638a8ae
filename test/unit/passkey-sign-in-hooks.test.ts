/**
 * The sign-in hooks see `amr` and `method` and run once per sign-in, after the second step
 * (`docs/specs/mfa-and-passkeys.md` §5.2): password, password + passkey, passkey alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signIn } from '../../shared/flows/current-session.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { completeMfaWithPasskey, passkeyMfaOptions } from '../../shared/flows/passkey-steps.js';
import { addPasskey, passkeySignInOptions, signInWithPasskey, startPasskeyRegistration } from '../../shared/flows/passkeys.js';
import { register } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import { lastMailedToken, memoryDeps } from '../support/memory.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

const PASSWORD = 'correct horse battery staple';
const request = { ip: '203.0.113.9', userAgent: 'test-agent/1.0' };

test('beforeSignIn and afterSignIn get amr and method, once per sign-in, after the second step', async () => {
  const deps = await memoryDeps();
  await register(deps, { email: 'ann@example.com', password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, 'ann@example.com', 'confirm-email'));
  const calls: Array<{ hook: string; amr: string[]; method: string }> = [];
  deps.hooks = {
    beforeSignIn: async ({ amr, method }) => {
      calls.push({ hook: 'before', amr, method });
    },
    afterSignIn: async ({ amr, method }) => {
      calls.push({ hook: 'after', amr, method });
    },
  };
  // Password alone.
  const tokens = await signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request);
  assert.deepEqual(calls, [
    { hook: 'before', amr: ['pwd'], method: 'password' },
    { hook: 'after', amr: ['pwd'], method: 'password' },
  ]);
  // A passkey makes it a two-step sign-in.
  const principal = await checkAccessToken(deps, tokens.accessToken);
  const authenticator = new SoftAuthenticator({ origin: 'https://app.test', rpId: 'app.test' });
  const { options } = await startPasskeyRegistration(deps, principal, {}, request);
  await addPasskey(deps, principal, { credential: authenticator.register(options) }, request);
  calls.length = 0;
  const first = await signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request).catch((error: unknown) => error);
  const mfaToken = (first as { members?: { mfaToken?: string } }).members?.mfaToken;
  assert.ok(mfaToken, `mfa_required expected: ${String(first)}`);
  assert.deepEqual(calls, [], 'no hook at the first step');
  const challenge = await passkeyMfaOptions(deps, { mfaToken });
  await completeMfaWithPasskey(deps, { mfaToken, credential: authenticator.assert(challenge.options) }, request);
  assert.deepEqual(calls, [
    { hook: 'before', amr: ['pwd', 'hwk', 'mfa'], method: 'password' },
    { hook: 'after', amr: ['pwd', 'hwk', 'mfa'], method: 'password' },
  ]);
  // Passwordless.
  calls.length = 0;
  const signInOptions = await passkeySignInOptions(deps);
  await signInWithPasskey(deps, { credential: authenticator.assert(signInOptions.options) }, request);
  assert.deepEqual(calls, [
    { hook: 'before', amr: ['hwk', 'mfa'], method: 'passkey' },
    { hook: 'after', amr: ['hwk', 'mfa'], method: 'passkey' },
  ]);
});
