/**
 * Properties of `docs/specs/import-export.md` §10 checked on the table itself (DynamoDB Local,
 * the local stack): what an import stores, what an export holds, and that the admin API never
 * takes a hash.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import type { Deps, RequestInfo } from '../../shared/flows/deps.js';
import { exportUsers } from '../../shared/flows/export-users.js';
import { importUsers } from '../../shared/flows/import-users.js';
import { anAdmin, assertProblem, partitionOf, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { LEGACY_PASSWORD, legacyFixtures, PEPPERS_JSON } from '../support/legacy-fixtures.js';
import { memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const OPERATOR: RequestInfo = { ip: null, userAgent: 'latch-cli', requestId: 'test', operator: 'local' };
let api: TestStack;
let deps: Deps;

before(async () => {
  api = await startTestStack({ LATCH_IMPORT_PEPPERS: PEPPERS_JSON });
  // The flows on the stack's own table (the CLI's composition, without a child process).
  deps = { ...(await memoryDeps({ LATCH_IMPORT_PEPPERS: PEPPERS_JSON })), store: api.store, clock: { now: () => Date.now() } };
});
after(async () => {
  await api.close();
});

const exportText = async (includePasswordHashes: boolean): Promise<string> => {
  const lines: string[] = [];
  await exportUsers(deps, { includePasswordHashes, request: OPERATOR }, (line) => {
    lines.push(line);
  });
  return lines.join('\n');
};

test('A weak hash is never stored as is', async () => {
  const weak = (await legacyFixtures()).filter((f) => f.weak);
  const emails = weak.map(() => uniqueEmail('weak'));
  const lines = weak.map((f, i) => JSON.stringify({ email: emails[i], emailConfirmed: true, password: f.password }));
  const refused = await importUsers(deps, lines, { request: OPERATOR });
  assert.deepEqual(new Set(refused.report.map((r) => r.reason)), new Set(['weak hash not allowed']), 'refused without --allow-weak-hashes');
  const { summary } = await importUsers(deps, lines, { request: OPERATOR, allowWeakHashes: true });
  assert.equal(summary.imported, weak.length);
  const dump = JSON.stringify(await api.scan());
  for (const fixture of weak) {
    assert.ok(!dump.includes(fixture.password.hash), `${fixture.name}: the digest is not in the table`);
    assert.ok(!dump.includes(fixture.password.hash.toLowerCase()), `${fixture.name}: nor in lower case`);
  }
  for (const [i, fixture] of weak.entries()) {
    const user = await api.store.findUserByEmail(emails[i] as string);
    assert.ok(user?.passwordHash?.startsWith(`wrapped-${fixture.password.format}:$argon2id$`), fixture.name);
    assert.equal(user?.passwordFormat, `wrapped-${fixture.password.format}`);
  }
  // Each signs in over HTTP, and is then argon2id of the password itself.
  const response = await api.request('POST', '/session', { body: { email: emails[0], password: LEGACY_PASSWORD } });
  assert.equal(response.status, 200, response.text);
  const upgraded = await api.store.findUserByEmail(emails[0] as string);
  assert.ok(upgraded?.passwordHash?.startsWith('$argon2id$'));
  assert.equal(upgraded?.passwordFormat ?? null, null);
  // The digest itself is not a password (no pass-the-hash through the wrapping).
  const second = weak[1];
  assert.ok(second);
  const digest = createHash(second.password.format).update(`${LEGACY_PASSWORD}NaCl`).digest('hex');
  const replay = await api.request('POST', '/session', { body: { email: emails[1], password: digest } });
  assertProblem(replay, 401, 'invalid_credentials');
});

test('Export without the flag contains no hash; with it, no TOTP secret, recovery code, session or token.', async () => {
  const user = await seedUser(api);
  const tokens = await signInAs(api, user);
  // A reset link (a mail token) and a session exist for the user.
  const reset = await api.request('POST', '/password-reset', { body: { email: user.email } });
  assert.equal(reset.status, 202);
  const partition = await partitionOf(api, user.id);
  assert.ok(partition.some((item) => String(item.sk).startsWith('SESSION#')));
  assert.ok(partition.some((item) => String(item.sk).startsWith('TOKEN#')));

  const plain = await exportText(false);
  assert.ok(plain.includes(user.email));
  assert.ok(!/"password"|\$argon2|\$2[aby]\$|\$pbkdf2|passwordHash/.test(plain), 'no hash without the flag');

  const withHashes = await exportText(true);
  assert.ok(withHashes.includes(user.passwordHash as string), 'the flag exports the hash');
  const secrets = partition.flatMap((item) => [item.renewalHash, item.renewalKey, item.currentJti, item.hash, item.sk]).filter((v) => typeof v === 'string');
  for (const secret of [...secrets, tokens.accessToken, tokens.renewalToken]) assert.ok(!withHashes.includes(secret as string), 'no session or token');
  for (const line of withHashes.split('\n')) {
    const members = Object.keys(JSON.parse(line));
    for (const member of members)
      assert.ok(['id', 'email', 'emailConfirmed', 'role', 'locked', 'createdAt', 'attributes', 'password'].includes(member), member);
    assert.ok(!/totp|recovery|session|token/i.test(line.replace(/"email":"[^"]*"/, '')), line);
  }
});

test('POST /admin/users never reads a passwordHash member', async () => {
  const { token } = await anAdmin(api);
  const email = uniqueEmail('no-hash');
  const smuggled = bcrypt.hashSync(SEED_PASSWORD, 4);
  const created = await api.request('POST', '/admin/users', {
    token,
    body: { email, passwordHash: smuggled, passwordFormat: 'bcrypt', password: undefined, emailConfirmed: true },
  });
  assert.equal(created.status, 201, created.text);
  const stored = await api.store.findUserByEmail(email);
  assert.ok(stored);
  assert.equal(stored.passwordHash, null, 'no hash was taken from the body');
  assert.equal(stored.passwordFormat ?? null, null);
  assert.ok(!JSON.stringify(await partitionOf(api, stored.id)).includes(smuggled));
  assertProblem(await api.request('POST', '/session', { body: { email, password: SEED_PASSWORD } }), 401, 'invalid_credentials');
});
