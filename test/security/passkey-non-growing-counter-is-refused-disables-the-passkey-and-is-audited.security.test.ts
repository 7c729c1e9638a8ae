/**
 * "A non-growing counter is refused, disables the passkey and is audited"
 * (`docs/specs/mfa-and-passkeys.md` §15.1, 15; §7.3). Counters 1 then 5 pass; 5 again is a
 * regression on a valid signature: 401, the passkey disabled (refused from then on, shown in
 * `GET /me/passkeys`), a `passkey.counter_regression` event and a `passkeyDisabled` mail. Synced
 * passkeys (counter 0 on both sides) keep working; a forged response cannot disable anything.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem } from '../support/accounts.js';
import { scanAuditTable } from '../support/audit.js';
import { mailsTo } from '../support/mail.js';
import { signInWithPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '100' });
});
after(async () => {
  await api.close();
});

test('A non-growing counter is refused, disables the passkey and is audited', async () => {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  assert.equal((await signInWithPasskey(api, authenticator, { counter: 1 })).status, 200);
  assert.equal((await signInWithPasskey(api, authenticator, { counter: 5 })).status, 200);
  // A forged response with a lower counter (bad signature) disables nothing.
  const options = (await api.request('POST', '/session/passkey/options', { body: {} })).body.options;
  const forged = authenticator.assert(options, { counter: 2 });
  forged.response.signature = Buffer.from('not a signature').toString('base64url');
  assertProblem(await api.request('POST', '/session/passkey', { body: { credential: forged } }), 401, 'invalid_credentials');
  assert.equal((await api.store.getPasskey(user.id, authenticator.credentialId))?.disabledAt, undefined);
  // The same counter again: a regression.
  assertProblem(await signInWithPasskey(api, authenticator, { counter: 5 }), 401, 'invalid_credentials');
  const stored = await api.store.getPasskey(user.id, authenticator.credentialId);
  assert.ok(stored?.disabledAt, 'disabled');
  assert.equal(stored?.counter, 5);
  // Refused from then on, even with a growing counter; shown as disabled.
  assertProblem(await signInWithPasskey(api, authenticator, { counter: 9 }), 401, 'invalid_credentials');
  const listed = await api.request('GET', '/me/passkeys', { token: accessToken });
  assert.equal(listed.body.passkeys[0].disabled, true);
  const events = (await scanAuditTable(api.tableName)).events.filter((e) => e.userId === user.id && e.type === 'passkey.counter_regression');
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]?.details, { credentialId: authenticator.credentialId, storedCounter: 5, newCounter: 5 });
  assert.ok((await mailsTo(user.email)).some((m) => m.subject === 'A passkey was disabled'));
});

test('Synced passkeys (counter 0) work', async () => {
  const { authenticator } = await userWithPasskey(api, { synced: true });
  for (let i = 0; i < 3; i++) assert.equal((await signInWithPasskey(api, authenticator)).status, 200);
  // A counting authenticator going back to 0 after a non-zero counter is a regression.
  const counting = await userWithPasskey(api);
  assert.equal((await signInWithPasskey(api, counting.authenticator, { counter: 3 })).status, 200);
  assertProblem(await signInWithPasskey(api, counting.authenticator, { counter: 0 }), 401, 'invalid_credentials');
});
