import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashSecret, randomSecret } from '../../shared/domain/secrets.js';
import { formatMailToken } from '../../shared/domain/tokens.js';
import { assertProblem, PASSWORD, signedInUser } from '../support/accounts.js';
import { lastLinkToken } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  // The first test makes 10 failed sign-ins from one address on purpose; lift the per-address
  // lockout so the later tests of this file are not refused by it.
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '100' });
});
after(async () => {
  await api.close();
});

test('one reset token used 10 times in parallel succeeds exactly once', async () => {
  const me = await signedInUser(api);
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  const token = await lastLinkToken(me.email, 'reset-password');
  const passwords = Array.from({ length: 10 }, (_, i) => `parallel passphrase number ${i}`);
  const responses = await Promise.all(passwords.map((password) => api.request('POST', `/password-reset/${token}`, { body: { password } })));
  assert.equal(responses.filter((r) => r.status === 200).length, 1, responses.map((r) => r.status).join(','));
  for (const r of responses.filter((r) => r.status !== 200)) assertProblem(r, 404, 'invalid_token');
  // The password that works is the winner's, and only that one.
  const winner = passwords[responses.findIndex((r) => r.status === 200)];
  for (const password of [...passwords, PASSWORD]) {
    const signIn = await api.request('POST', '/session', { body: { email: me.email, password } });
    assert.equal(signIn.status, password === winner ? 200 : 401);
  }
});

test('expired, used and unknown reset tokens all answer 404 invalid_token with the same body, and change nothing', async () => {
  const me = await signedInUser(api);
  const user = await api.store.getUser(me.userId);
  // An expired token that DynamoDB has not deleted yet (its TTL deletes late): expiry is checked on read.
  const secret = randomSecret();
  await api.store.commit([
    {
      type: 'putToken',
      token: {
        userId: me.userId,
        kind: 'reset',
        hash: hashSecret(secret),
        email: me.email,
        createdAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) - 1,
      },
    },
  ]);
  const expired = formatMailToken(me.userId, secret);
  // A used one.
  const other = await signedInUser(api);
  await api.request('POST', '/password-reset', { body: { email: other.email } });
  const used = await lastLinkToken(other.email, 'reset-password');
  assert.equal((await api.request('POST', `/password-reset/${used}`, { body: { password: 'a used passphrase' } })).status, 200);
  // Unknown ones: well-formed but never issued, a confirmation token used as a reset token, garbage.
  const neverIssued = formatMailToken(me.userId, randomSecret());
  const otherKind = await lastLinkToken(me.email, 'confirm-email');

  const bodies = new Set<string>();
  for (const token of [expired, used, neverIssued, otherKind, 'garbage', `${me.userId}.short`]) {
    const get = await api.request('GET', `/password-reset/${encodeURIComponent(token)}`);
    assertProblem(get, 404, 'invalid_token');
    const post = await api.request('POST', `/password-reset/${encodeURIComponent(token)}`, { body: { password: 'another good passphrase' } });
    assertProblem(post, 404, 'invalid_token');
    bodies.add(get.text).add(post.text);
  }
  assert.equal(bodies.size, 1);
  assert.equal((await api.store.getUser(me.userId))?.passwordHash, user?.passwordHash);
  assert.equal((await api.request('GET', '/me', { token: me.accessToken })).status, 200);
});
