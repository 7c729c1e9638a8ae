/**
 * "A deleted user's passkey claims are gone" (`docs/specs/mfa-and-passkeys.md` §15.1, 20; §12):
 * deleting a user deletes its passkeys and their claims in the transaction that deletes the user,
 * so the credential can be registered again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { addPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test("A deleted user's passkey claims are gone", async () => {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  const deleted = await api.request('DELETE', '/me', { token: accessToken, body: { currentPassword: SEED_PASSWORD } });
  assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
  const items = await api.scan();
  assert.ok(!items.some((item) => String(item.pk).startsWith(`USER#${user.id}`)), 'no item of the user is left');
  assert.ok(!items.some((item) => item.pk === `PASSKEY#${authenticator.credentialId}`), 'no claim is left');
  const other = await seedUser(api);
  assert.equal((await addPasskey(api, (await signInAs(api, other)).accessToken, authenticator)).status, 201);
});
