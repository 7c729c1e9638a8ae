/**
 * At most `AUTH_WEBAUTHN_MAX_PASSKEYS` passkeys per user (`docs/specs/mfa-and-passkeys.md` §7.1,
 * §12), also under concurrent additions: the profile write is conditioned on `passkeyCount` below
 * the cap.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { anAuthenticator, registrationOptions, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_WEBAUTHN_MAX_PASSKEYS: '3' });
});
after(async () => {
  await api.close();
});

test('Passkeys are capped per user, also under concurrent additions', async () => {
  const { user, accessToken } = await userWithPasskey(api);
  const prepared = await Promise.all(
    Array.from({ length: 5 }, async () => anAuthenticator().register((await registrationOptions(api, accessToken)).body.options)),
  );
  const answers = await Promise.all(prepared.map((credential) => api.request('POST', '/me/passkeys', { token: accessToken, body: { credential } })));
  const created = answers.filter((a) => a.status === 201).length;
  assert.equal(created, 2, JSON.stringify(answers.map((a) => [a.status, a.body?.errors ?? a.body?.code])));
  for (const refused of answers.filter((a) => a.status !== 201)) {
    assert.ok(refused.status === 422 || refused.status === 503, String(refused.status));
  }
  assert.equal((await api.store.listPasskeys(user.id)).length, 3);
  assert.equal((await api.store.getUser(user.id))?.passkeyCount, 3);
  const over = await api.request('POST', '/me/passkeys', {
    token: accessToken,
    body: { credential: anAuthenticator().register((await registrationOptions(api, accessToken)).body.options) },
  });
  assert.equal(over.status, 422);
  assert.deepEqual(over.body.errors, { credential: ['has reached the limit of 3 passkeys'] });
});
