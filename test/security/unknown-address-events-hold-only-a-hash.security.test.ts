/**
 * Unknown-address reset requests and sign-ins are logged with emailHash only (spec §6, §11.1
 * #7): over HTTP on DynamoDB Local, `POST /password-reset` and `POST /session` for addresses
 * without an account leave their event under `NOUSER#<day>`, with no user id and the address
 * only as its HMAC under the audit key. Nothing in the stored item (keys and index keys
 * included) holds the address, as typed or canonical.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readAll, scanAuditTable, stackAuditLog, stackEmailHash } from '../support/audit.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test('Unknown-address reset requests and sign-ins are logged with emailHash only', async () => {
  const local = uniqueEmail('nobody-here').split('@')[0] as string;
  const typed = `${local.toUpperCase()}@Example.COM`;
  const canonical = `${local}@example.com`;
  const agent = `unknown-address-${process.pid}`;
  const reset = await api.request('POST', '/password-reset', { body: { email: typed }, headers: { 'user-agent': agent } });
  assert.equal(reset.status, 202);
  const signIn = await api.request('POST', '/session', { body: { email: typed, password: 'a guessed password' }, headers: { 'user-agent': agent } });
  assert.equal(signIn.status, 401);

  const hash = stackEmailHash(canonical);
  const { items } = await scanAuditTable(api.tableName);
  const mine = items.filter((item) => item.userAgent === agent);
  assert.deepEqual(mine.map((item) => item.type).sort(), ['password.reset_requested', 'sign_in']);
  for (const item of mine) {
    assert.match(String(item.pk), /^NOUSER#\d{4}-\d{2}-\d{2}$/);
    assert.equal(item.pk, `NOUSER#${String(item.at).slice(0, 10)}`);
    assert.equal(item.userId, null);
    assert.equal(item.emailHash, hash);
    assert.equal(item.gsi2pk, `EMAIL#${hash}`);
    assert.deepEqual(item.actor, { kind: 'anonymous' });
    const text = JSON.stringify(item).toLowerCase();
    assert.ok(!text.includes(canonical) && !text.includes(local.toLowerCase()), `the address in ${text}`);
  }
  assert.deepEqual(mine.find((item) => item.type === 'sign_in')?.details, { method: 'password', reason: 'unknown_user' });

  // An admin finds them by address (hashed again), though no account ever had it.
  const byAddress = await readAll(stackAuditLog(api.tableName), { kind: 'email', emailHash: hash });
  assert.deepEqual(byAddress.map((event) => event.type).sort(), ['password.reset_requested', 'sign_in']);
});
