/**
 * A deleted user's events stay readable by id and by address, and hold no address (spec §6,
 * §11.1 #8): after `DELETE /me` and after `DELETE /admin/users/{id}`, the AuditLog port on
 * DynamoDB Local (as the `audit` function reads it) still returns the user's events by user id
 * and, through the `emailHash` that `account.deleted`/`admin.user_deleted` carries, by address.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AuditEvent } from '../../shared/domain/audit.js';
import { anAdmin, PASSWORD, signedInUser } from '../support/accounts.js';
import { readAll, stackAuditLog, stackEmailHash } from '../support/audit.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

function assertNoAddress(events: AuditEvent[], email: string): void {
  const text = JSON.stringify(events).toLowerCase();
  assert.ok(!text.includes(email.toLowerCase()), 'an event holds the address');
  assert.ok(!text.includes(email.toLowerCase().split('@')[0] as string), 'an event holds the address');
}

test("A deleted user's events stay readable by id and by address, and hold no address: DELETE /me", async () => {
  const user = await signedInUser(api, { label: 'deletes-self' });
  const deleted = await api.request('DELETE', '/me', { token: user.accessToken, body: { currentPassword: PASSWORD } });
  assert.equal(deleted.status, 204);
  assert.equal(await api.store.getUser(user.userId), undefined);

  const log = stackAuditLog(api.tableName);
  const byId = await readAll(log, { kind: 'user', userId: user.userId });
  const types = byId.map((event) => event.type);
  for (const type of ['registration', 'email.confirmed', 'sign_in', 'account.deleted', 'session.revoked'] as const) assert.ok(types.includes(type), type);
  const hash = stackEmailHash(user.email.toLowerCase());
  const deletion = byId.find((event) => event.type === 'account.deleted');
  assert.equal(deletion?.emailHash, hash);
  assert.deepEqual(deletion?.actor, { kind: 'user', id: user.userId });

  const byAddress = await readAll(log, { kind: 'email', emailHash: hash });
  assert.ok(byAddress.some((event) => event.type === 'account.deleted' && event.userId === user.userId));
  assertNoAddress([...byId, ...byAddress], user.email);
});

test("A deleted user's events stay readable by id and by address, and hold no address: admin delete", async () => {
  const admin = await anAdmin(api);
  const user = await signedInUser(api, { label: 'deleted-by-admin' });
  const deleted = await api.request('DELETE', `/admin/users/${user.userId}`, { token: admin.token });
  assert.equal(deleted.status, 204);
  assert.equal(await api.store.getUser(user.userId), undefined);

  const log = stackAuditLog(api.tableName);
  const byId = await readAll(log, { kind: 'user', userId: user.userId });
  const deletion = byId.find((event) => event.type === 'admin.user_deleted');
  const hash = stackEmailHash(user.email.toLowerCase());
  assert.equal(deletion?.emailHash, hash);
  assert.deepEqual(deletion?.actor, { kind: 'admin', id: admin.user.id });
  const revoked = byId.find((event) => event.type === 'session.revoked');
  assert.deepEqual(revoked?.details, { by: 'admin', reason: 'deletion', count: 1 });
  assert.ok(byId.some((event) => event.type === 'sign_in'));

  const byAddress = await readAll(log, { kind: 'email', emailHash: hash });
  assert.ok(byAddress.some((event) => event.type === 'admin.user_deleted' && event.userId === user.userId));
  assertNoAddress([...byId, ...byAddress], user.email);
});
