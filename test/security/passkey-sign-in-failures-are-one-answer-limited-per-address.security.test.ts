/**
 * Passwordless sign-in (`docs/specs/mfa-and-passkeys.md` §7.1): every failure is one `401
 * invalid_credentials` (unknown credential, bad signature, spent challenge, no user verification),
 * counted against the source address only (a user id is not public and must not be a lockout
 * handle): past `AUTH_MAX_FAILED_SIGN_INS` the address gets `429`, the account's own sign-in is untouched.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SEED_PASSWORD } from '../support/accounts.js';
import { anAuthenticator, signInWithPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const MAX = 4;
let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: String(MAX), AUTH_TRUSTED_PROXIES: '127.0.0.1' });
});
after(async () => {
  await api.close();
});

const from = (ip: string) => ({ 'x-forwarded-for': ip });

test('Passkey sign-in failures are one answer, limited per source address', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  const stranger = anAuthenticator();
  stranger.userHandle = Buffer.from(user.id).toString('base64url');
  const attempt = async (credential: unknown, ip: string) => api.request('POST', '/session/passkey', { body: { credential }, headers: from(ip) });
  const options = async () => (await api.request('POST', '/session/passkey/options', { body: {} })).body.options;
  const failures = [
    await attempt(stranger.assert(await options()), '203.0.113.7'),
    await attempt(authenticator.assert(await options(), { uv: false }), '203.0.113.7'),
    await attempt(authenticator.assert({ challenge: 'AAAA' }), '203.0.113.7'),
    await attempt({ id: 'x', type: 'public-key', response: {} }, '203.0.113.7'),
  ];
  const bodies = failures.map((f) => ({ status: f.status, body: f.body }));
  for (const b of bodies) assert.deepEqual(b, bodies[0]);
  assert.equal(bodies[0]?.status, 401);
  assert.equal(bodies[0]?.body.code, 'invalid_credentials');
  // The address is now locked: even the right passkey gets 429 from it, with Retry-After.
  const locked = await attempt(authenticator.assert(await options()), '203.0.113.7');
  assert.equal(locked.status, 429);
  assert.ok(locked.headers.get('retry-after'));
  // Another address signs in with it; the account's password sign-in was never counted: the
  // password is accepted as the first factor (the passkey made it an MFA account: 403 mfa_required, not 429).
  assert.equal((await attempt(authenticator.assert(await options()), '198.51.100.9')).status, 200);
  const byPassword = await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD }, headers: from('198.51.100.10') });
  assert.equal(byPassword.status, 403);
  assert.equal(byPassword.body.code, 'mfa_required');
  assert.ok(signInWithPasskey);
});
