import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, partitionOf } from '../support/accounts.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** The `migrateUser` hook through the local runner (`docs/specs/import-export.md` §7), with a hooks module from `test/fixtures`. */
let api: TestStack;

before(async () => {
  api = await startTestStack({ LATCH_HOOKS_MODULE: 'test/fixtures/hooks/migrate-user.ts', AUTH_MIGRATE_USER_TIMEOUT_MS: '300' });
});
after(async () => {
  await api.close();
});

test('an unknown email the hook vouches for signs in and becomes a Latch user with argon2id; anything else is 401', async () => {
  assertProblem(await api.request('POST', '/session', { body: { email: 'legacy@example.com', password: 'a wrong guess' } }), 401, 'invalid_credentials');
  assert.equal(await api.store.findUserByEmail('legacy@example.com'), undefined, 'a wrong password migrates nothing');
  for (const email of ['nobody@example.com', 'slow@example.com', 'broken@example.com']) {
    assertProblem(await api.request('POST', '/session', { body: { email, password: 'the legacy password' } }), 401, 'invalid_credentials');
    assert.equal(await api.store.findUserByEmail(email), undefined, email);
  }

  const signIn = await api.request('POST', '/session', { body: { email: 'legacy@example.com', password: 'the legacy password' } });
  assert.equal(signIn.status, 200, signIn.text);
  assert.equal(signIn.body.user.createdAt, '2020-02-02T02:02:02.000Z');
  const user = await api.store.findUserByEmail('legacy@example.com');
  assert.ok(user?.passwordHash?.startsWith('$argon2id$'));
  assert.ok(user);
  assert.ok(!JSON.stringify(await partitionOf(api, user.id)).includes('the legacy password'));
  // From now on the user is Latch's: the hook's answer no longer matters.
  assert.equal((await api.request('POST', '/session', { body: { email: 'legacy@example.com', password: 'the legacy password' } })).status, 200);
});
