/**
 * "Passkey sign-in options are identical for everyone" (`docs/specs/mfa-and-passkeys.md` §15.1,
 * 18): `POST /session/passkey/options` takes no user and answers no user data (no
 * `allowCredentials`), so nothing can be enumerated; only the challenge differs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test('Passkey sign-in options are identical for everyone', async () => {
  const { user } = await userWithPasskey(api);
  const answers = await Promise.all([
    api.request('POST', '/session/passkey/options', { body: {} }),
    api.request('POST', '/session/passkey/options', { body: { email: user.email } }),
    api.request('POST', '/session/passkey/options', { body: { email: 'nobody@example.com', userId: user.id } }),
  ]);
  const shapes = answers.map((a) => {
    assert.equal(a.status, 200);
    const { challenge, ...rest } = a.body.options;
    assert.match(challenge, /^[A-Za-z0-9_-]{43}$/);
    return { ...a.body, options: rest };
  });
  assert.deepEqual(shapes[1], shapes[0]);
  assert.deepEqual(shapes[2], shapes[0]);
  assert.equal(shapes[0]?.options.allowCredentials, undefined);
  assert.equal(shapes[0]?.options.userVerification, 'required');
  assert.equal(shapes[0]?.options.rpId, 'localhost');
  assert.ok(!JSON.stringify(answers.map((a) => a.body)).includes(user.id));
});
