/**
 * Properties of `docs/specs/import-export.md` §10 that the flows hold on their own (in-memory
 * store; the table-level ones run on DynamoDB Local in `import-export-on-dynamodb.security.test.ts`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import fc from 'fast-check';
import { AuthError } from '../../shared/domain/errors.js';
import { isLatchArgon2, verifyLegacyHash } from '../../shared/domain/legacy-hashes.js';
import type { User } from '../../shared/domain/types.js';
import { createUser } from '../../shared/flows/admin-users.js';
import { signIn } from '../../shared/flows/current-session.js';
import type { RequestInfo } from '../../shared/flows/deps.js';
import { exportUsers } from '../../shared/flows/export-users.js';
import { type ImportOptions, importUsers } from '../../shared/flows/import-users.js';
import { CLEARED_LEGACY_PASSWORD, verifyUserPassword } from '../../shared/flows/legacy-passwords.js';
import { LEGACY_PASSWORD, legacyFixtures, PEPPER, PEPPER_ID, PEPPERS_JSON, powHash } from '../support/legacy-fixtures.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

const OPERATOR: RequestInfo = { ip: null, userAgent: 'latch-cli', requestId: 'test', operator: 'local' };
const CLIENT: RequestInfo = { ip: '203.0.113.7', userAgent: 'test' };
const ENV = {
  LATCH_IMPORT_PEPPERS: PEPPERS_JSON,
  AUTH_ROLES: 'editor',
  AUTH_USER_ATTRIBUTES: JSON.stringify({ legacyId: { type: 'string', editableBy: 'admin' } }),
};

const jsonl = (lines: Array<Record<string, unknown> | string>) => lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line)));
const run = (deps: MemoryDeps, lines: Array<Record<string, unknown> | string>, options: Partial<ImportOptions> = {}) =>
  importUsers(deps, jsonl(lines), { request: OPERATOR, ...options });
const userOf = async (deps: MemoryDeps, email: string): Promise<User> => {
  const user = await deps.store.findUserByEmail(email);
  assert.ok(user, `${email} exists`);
  return user;
};
const exported = async (deps: MemoryDeps, includePasswordHashes: boolean): Promise<string[]> => {
  const lines: string[] = [];
  await exportUsers(deps, { includePasswordHashes, request: OPERATOR }, (line) => {
    lines.push(line);
  });
  return lines;
};
const rejectsWith = async (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (error: unknown) => error instanceof AuthError && error.code === code);

test('Every supported format verifies the right password and refuses a wrong one', async () => {
  const deps = await memoryDeps(ENV);
  const fixtures = await legacyFixtures();
  const lines = fixtures.map((fixture, i) => ({ email: `format-${i}@example.com`, emailConfirmed: true, password: fixture.password }));
  const { summary, report } = await run(deps, lines, { allowWeakHashes: true });
  assert.equal(summary.imported, fixtures.length, JSON.stringify(report));
  for (const [i, fixture] of fixtures.entries()) {
    const user = await userOf(deps, `format-${i}@example.com`);
    assert.equal(await verifyUserPassword(deps, user, `${LEGACY_PASSWORD}!`), false, `${fixture.name}: a wrong password`);
    assert.equal(await verifyUserPassword(deps, user, ''), false, `${fixture.name}: an empty password`);
    assert.equal(await verifyUserPassword(deps, user, LEGACY_PASSWORD), true, `${fixture.name}: the right password`);
    const tokens = await signIn(deps, { email: user.email, password: LEGACY_PASSWORD }, CLIENT);
    assert.equal(tokens.user.email, user.email, fixture.name);
  }
  // A pepper is part of the password: without it (or with another) the Devise hash refuses.
  const devise = fixtures.find((f) => f.password.pepperId === PEPPER_ID);
  assert.ok(devise);
  const engines = { argon2Verify: deps.hasher.verify.bind(deps.hasher), bcryptVerify: async () => false };
  assert.equal(await verifyLegacyHash({ format: 'bcrypt', hash: devise.password.hash }, LEGACY_PASSWORD, engines), false);
});

test('A successful legacy sign-in stores argon2id; a concurrent password change is not overwritten.', async () => {
  const deps = await memoryDeps(ENV);
  await run(deps, [
    { email: 'upgrade@example.com', emailConfirmed: true, password: { format: 'pbkdf2', hash: powHash(LEGACY_PASSWORD, 1000) } },
    { email: 'race@example.com', emailConfirmed: true, password: { format: 'pbkdf2', hash: powHash(LEGACY_PASSWORD, 1000) } },
  ]);

  await signIn(deps, { email: 'upgrade@example.com', password: LEGACY_PASSWORD }, CLIENT);
  const upgraded = await userOf(deps, 'upgrade@example.com');
  assert.ok(upgraded.passwordHash && isLatchArgon2(upgraded.passwordHash), 'argon2id at Latch’s parameters');
  assert.equal(upgraded.passwordFormat ?? null, null);
  assert.ok(upgraded.passwordUpgradedAt);
  const events = [...deps.store.auditEvents.values()].filter((e) => e.type === 'password.upgraded');
  assert.deepEqual(
    events.map((e) => [e.userId, e.details.fromFormat]),
    [[upgraded.id, 'pbkdf2']],
  );
  // The argon2id hash works for the next sign-in, and only for the right password.
  await signIn(deps, { email: 'upgrade@example.com', password: LEGACY_PASSWORD }, CLIENT);
  await rejectsWith(signIn(deps, { email: 'upgrade@example.com', password: 'not it at all' }, CLIENT), 'invalid_credentials');

  // A password change lands between the legacy verification and the upgrade's write.
  const racer = await userOf(deps, 'race@example.com');
  const changedHash = await deps.hasher.hash('the password changed meanwhile');
  const hash = deps.hasher.hash.bind(deps.hasher);
  deps.hasher.hash = async (password: string) => {
    const out = await hash(password);
    deps.hasher.hash = hash;
    await deps.store.commit([{ type: 'updateUser', id: racer.id, set: { passwordHash: changedHash, ...CLEARED_LEGACY_PASSWORD }, bumpEpoch: true }]);
    return out;
  };
  await rejectsWith(signIn(deps, { email: 'race@example.com', password: LEGACY_PASSWORD }, CLIENT), 'invalid_credentials');
  const after = await userOf(deps, 'race@example.com');
  assert.equal(after.passwordHash, changedHash, 'the change wins');
  assert.equal(after.passwordUpgradedAt ?? null, null);
  assert.equal([...deps.store.auditEvents.values()].filter((e) => e.type === 'password.upgraded' && e.userId === racer.id).length, 0);
});

test('Import is idempotent and never merges: an existing email is skipped, its hash untouched.', async () => {
  const deps = await memoryDeps(ENV);
  const existing = await createUser(deps, 'operator', { email: 'taken@example.com', password: 'the existing password', emailConfirmed: true });
  const before = await userOf(deps, 'taken@example.com');
  const lines = [
    { id: '6f1c1a4e-2b7d-4c7e-9a51-0c6f3f1e2a10', email: 'one@example.com', password: { format: 'pbkdf2', hash: powHash(LEGACY_PASSWORD, 1000) } },
    { email: 'two@example.com', role: 'editor' },
    { email: 'Taken@Example.com', role: 'admin', locked: true, password: { format: 'pbkdf2', hash: powHash('an attacker’s password', 1000) } },
  ];
  const first = await run(deps, lines);
  assert.deepEqual(
    first.report.map((r) => [r.line, r.status, r.reason]),
    [
      [1, 'imported', undefined],
      [2, 'imported', undefined],
      [3, 'skipped', 'email taken'],
    ],
  );
  const snapshot = structuredClone([...deps.store.users.values()]);
  const second = await run(deps, lines);
  assert.deepEqual(
    second.report.map((r) => [r.line, r.status, r.reason]),
    [
      [1, 'skipped', 'already imported'],
      [2, 'skipped', 'email taken'],
      [3, 'skipped', 'email taken'],
    ],
  );
  assert.deepEqual([...deps.store.users.values()], snapshot, 'the second run changed nothing');
  const after = await userOf(deps, 'taken@example.com');
  assert.deepEqual(after, before, 'the existing user is untouched: hash, role, lock');
  assert.equal(after.id, existing.id);
  await signIn(deps, { email: 'taken@example.com', password: 'the existing password' }, CLIENT);
  await rejectsWith(signIn(deps, { email: 'taken@example.com', password: 'an attacker’s password' }, CLIENT), 'invalid_credentials');
  // --on-conflict fail: the same conflicts count as failures.
  const strict = await run(deps, lines, { onConflict: 'fail' });
  assert.deepEqual(
    strict.report.map((r) => r.status),
    ['failed', 'failed', 'failed'],
  );
});

/** Argon2 hashes made once (hashing is the slow part of a generated user). */
async function passwordPool(deps: MemoryDeps): Promise<Array<Record<string, unknown> | undefined>> {
  return [
    undefined,
    { format: 'argon2', hash: await deps.hasher.hash('pool password one') },
    { format: 'pbkdf2', hash: powHash('pool password two', 1000) },
    { format: 'bcrypt', hash: bcrypt.hashSync(`pool password three${PEPPER}`, 4), pepperId: PEPPER_ID },
    { format: 'md5', hash: 'd41d8cd98f00b204e9800998ecf8427e', salt: 'NaCl', saltPosition: 'prefix' },
  ];
}

test('Round trip: export → import into an empty table → export gives the same lines', async () => {
  const pool = await passwordPool(await memoryDeps(ENV));
  const user = fc.record({
    local: fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/),
    id: fc.option(fc.uuid({ version: 4 }), { nil: undefined }),
    emailConfirmed: fc.boolean(),
    role: fc.constantFrom('user', 'admin', 'editor'),
    locked: fc.boolean(),
    createdAt: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    legacyId: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
    password: fc.nat(pool.length - 1),
  });
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(user, { minLength: 1, maxLength: 6, selector: (u) => u.local }), async (users) => {
      const source = await memoryDeps(ENV);
      const lines = users.map((u) => ({
        email: `${u.local}@example.com`,
        ...(u.id ? { id: u.id } : {}),
        emailConfirmed: u.emailConfirmed,
        role: u.role,
        locked: u.locked,
        createdAt: u.createdAt,
        attributes: u.legacyId === undefined ? {} : { legacyId: u.legacyId },
        ...(pool[u.password] ? { password: pool[u.password] } : {}),
      }));
      const imported = await run(source, lines, { allowWeakHashes: true });
      assert.equal(imported.summary.imported, users.length, JSON.stringify(imported.report));
      const first = await exported(source, true);
      const target = await memoryDeps(ENV);
      const again = await run(target, first);
      assert.equal(again.summary.imported, users.length, JSON.stringify(again.report));
      assert.deepEqual(await exported(target, true), first);
    }),
    { numRuns: 15 },
  );
});

test('A malformed line fails alone with its line number; nothing partial is written.', async () => {
  const deps = await memoryDeps(ENV);
  const takenId = (await createUser(deps, 'operator', { email: 'holder@example.com' })).id;
  const lines = [
    JSON.stringify({ email: 'good-1@example.com' }),
    '{"email": "broken@example.com", ',
    JSON.stringify({ email: 'typo@example.com', emailConfirmd: true }),
    '',
    JSON.stringify({ email: 'not an address' }),
    JSON.stringify({ email: 'dup@example.com' }),
    JSON.stringify({ email: 'DUP@example.com' }),
    JSON.stringify({ email: 'id-clash@example.com', id: takenId }),
    JSON.stringify({ email: 'identity@example.com', identities: [{ provider: 'github', sub: '1' }] }),
    JSON.stringify({ email: 'good-2@example.com' }),
  ];
  const { report, summary } = await run(deps, lines);
  const byLine = new Map(report.map((r) => [r.line, r]));
  assert.equal(byLine.get(1)?.status, 'imported');
  assert.deepEqual(byLine.get(2), { line: 2, status: 'failed', reason: 'invalid: line is not valid JSON' });
  assert.deepEqual(byLine.get(3), { line: 3, email: 'typo@example.com', status: 'failed', reason: 'invalid: emailConfirmd is not a known member' });
  assert.equal(byLine.has(4), false, 'a blank line is no user');
  assert.equal(byLine.get(5)?.reason, 'invalid: email is not a valid address');
  assert.equal(byLine.get(6)?.status, 'imported');
  assert.equal(byLine.get(7)?.reason, 'invalid: email appears on line 6 too');
  assert.deepEqual([byLine.get(8)?.status, byLine.get(8)?.reason], ['skipped', 'id taken']);
  assert.match(byLine.get(9)?.reason ?? '', /^invalid: identities\[0\]\.provider is not a configured provider/);
  assert.equal(byLine.get(10)?.status, 'imported');
  assert.deepEqual([summary.imported, summary.skipped, summary.failed], [3, 1, 5]);
  // Nothing of a refused line exists: no user, no claim, no event.
  for (const email of ['broken@example.com', 'typo@example.com', 'id-clash@example.com', 'identity@example.com']) {
    assert.equal(await deps.store.findUserByEmail(email), undefined, email);
    assert.equal(deps.store.claims.has(email), false, email);
  }
  assert.equal((await deps.store.getUser(takenId))?.email, 'holder@example.com');
  const imported = [...deps.store.auditEvents.values()].filter((e) => e.type === 'user.imported');
  assert.equal(imported.length, 3);
  assert.equal([...deps.store.auditEvents.values()].filter((e) => e.type === 'import.completed').length, 1);
});

test('Hash parameters beyond the bounds are refused at import.', async () => {
  const deps = await memoryDeps(ENV);
  const salt = 'c2FsdHNhbHRzYWx0c2FsdA==';
  const key = Buffer.alloc(64, 7).toString('base64');
  const beyond: Array<[string, string]> = [
    ['bcrypt', `$2b$15$${'a'.repeat(53)}`],
    ['bcrypt', `$2b$31$${'a'.repeat(53)}`],
    ['bcrypt', `$2b$03$${'a'.repeat(53)}`],
    ['pbkdf2', `$pbkdf2-sha512$10000001$${salt}$${key}`],
    ['pbkdf2', `$pbkdf2-sha512$999$${salt}$${key}`],
    ['pbkdf2-kratos', `$pbkdf2-sha256$i=20000000,l=64$${salt}$${key}`],
    ['scrypt', `$scrypt$ln=21,r=8,p=1$${salt}$${key}`],
    ['scrypt', `$scrypt$ln=30,r=8,p=1$${salt}$${key}`],
    ['scrypt', `$scrypt$ln=14,r=17,p=1$${salt}$${key}`],
    ['scrypt', `$scrypt$ln=14,r=8,p=5$${salt}$${key}`],
    ['firebase-scrypt', `$firescrypt$ln=21,r=8,p=1$${salt}$${key}$Bw==$${key}`],
    ['argon2', `$argon2id$v=19$m=65537,t=2,p=1$${salt}$${key}`],
    ['argon2', `$argon2id$v=19$m=19456,t=11,p=1$${salt}$${key}`],
    ['argon2', `$argon2id$v=19$m=19456,t=2,p=5$${salt}$${key}`],
    ['wrapped-md5', `$argon2id$v=19$m=1048576,t=2,p=1$${salt}$${key}`],
  ];
  const { report, summary } = await run(
    deps,
    beyond.map(([format, hash], i) => ({ email: `bound-${i}@example.com`, password: { format, hash } })),
  );
  assert.equal(summary.failed, beyond.length);
  for (const [i, line] of report.entries())
    assert.match(line.reason ?? '', /^invalid: password\.hash has .*beyond the bounds/, `${beyond[i]?.[0]} ${beyond[i]?.[1]}`);
  assert.equal(deps.store.users.size, 0);
  // Even a hash that reached the table some other way is refused before any work.
  const engines = { argon2Verify: async () => true, bcryptVerify: async () => true };
  for (const [format, hash] of beyond) {
    assert.equal(await verifyLegacyHash({ format: format as 'bcrypt', hash }, 'x', engines), false, `${format} ${hash}`);
  }
});

test('Peppers never reach the table, an export, the report or a log.', async () => {
  const deps = await memoryDeps(ENV);
  const fixtures = await legacyFixtures();
  const devise = fixtures.find((f) => f.password.pepperId === PEPPER_ID);
  assert.ok(devise);
  const { report } = await run(deps, [
    { email: 'devise@example.com', emailConfirmed: true, password: devise.password },
    { email: 'unknown-pepper@example.com', password: { ...devise.password, pepperId: 'nope' } },
  ]);
  assert.deepEqual(
    report.map((r) => [r.status, r.reason]),
    [
      ['imported', undefined],
      ['failed', 'unknown pepper'],
    ],
  );
  const seen = () =>
    JSON.stringify({
      users: [...deps.store.users.values()],
      events: [...deps.store.auditEvents.values()],
      logs: deps.log.lines,
      report,
    });
  const exportBefore = (await exported(deps, true)).join('\n');
  assert.ok(exportBefore.includes(PEPPER_ID), 'the export names the pepper id');
  assert.ok(!exportBefore.includes(PEPPER));
  await signIn(deps, { email: 'devise@example.com', password: LEGACY_PASSWORD }, CLIENT);
  const exportAfter = (await exported(deps, true)).join('\n');
  for (const text of [seen(), exportBefore, exportAfter]) assert.ok(!text.includes(PEPPER), 'no pepper');
  assert.equal((await userOf(deps, 'devise@example.com')).passwordPepperId ?? null, null, 'the upgrade drops the pepper id');
});

test('A failing or slow migrateUser hook looks like an unknown email.', async () => {
  const deps = await memoryDeps({ ...ENV, AUTH_MIGRATE_USER_TIMEOUT_MS: '100' });
  const password = 'the legacy password';
  const outcome = async (email: string) => {
    try {
      await signIn(deps, { email, password }, CLIENT);
      return 'signed in';
    } catch (error) {
      assert.ok(error instanceof AuthError);
      return `${error.code}: ${error.message}`;
    }
  };
  const unknown = await outcome('nobody@example.com');
  assert.match(unknown, /^invalid_credentials/);
  const behaviours: Record<string, () => Promise<unknown>> = {
    throws: async () => {
      throw new Error(`legacy system down (${password})`);
    },
    slow: () => new Promise((resolve) => setTimeout(() => resolve({ emailConfirmed: true }), 1000)),
    invalid: async () => ({ role: 'no such role' }),
    unknownMember: async () => ({ passwordHash: 'x' }),
    nothing: async () => null,
  };
  for (const [name, behaviour] of Object.entries(behaviours)) {
    deps.hooks = { migrateUser: behaviour as never };
    assert.equal(await outcome(`${name}@example.com`), unknown, name);
    assert.equal(await deps.store.findUserByEmail(`${name}@example.com`), undefined, `${name}: no user created`);
  }
  assert.ok(!JSON.stringify(deps.log.lines).includes(password), 'the password is never logged');
  assert.ok(
    deps.log.lines.some((l) => l.fields.hook === 'migrateUser'),
    'failures are logged by the hook’s name',
  );

  // A hook that vouches creates the user once, with argon2id of the submitted password.
  const calls: string[] = [];
  deps.hooks = {
    migrateUser: async (ctx) => {
      calls.push(ctx.trigger);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return ctx.password === password ? { emailConfirmed: true, role: 'editor' } : null;
    },
  };
  const results = await Promise.allSettled([1, 2].map(() => signIn(deps, { email: 'legacy@example.com', password }, CLIENT)));
  assert.ok(results.some((r) => r.status === 'fulfilled'));
  const migrated = await userOf(deps, 'legacy@example.com');
  assert.ok(migrated.passwordHash && isLatchArgon2(migrated.passwordHash));
  assert.equal(migrated.role, 'editor');
  assert.equal([...deps.store.auditEvents.values()].filter((e) => e.type === 'user.migrated').length, 1);
  assert.deepEqual(calls, ['sign_in', 'sign_in']);
  // The hook is not asked again for a known email.
  await signIn(deps, { email: 'legacy@example.com', password }, CLIENT);
  assert.equal(calls.length, 2);
});

test('An imported breached password signs in and triggers the breached-password notice.', async () => {
  const deps = await memoryDeps({ ...ENV, AUTH_BREACHED_PASSWORD_ON_SIGN_IN: 'notify' });
  assert.equal(deps.config.breachedPasswordOnSignIn, 'notify');
  const breached = 'password1';
  await run(deps, [{ email: 'breached@example.com', emailConfirmed: true, password: { format: 'pbkdf2', hash: powHash(breached, 1000) } }]);
  const tokens = (await signIn(deps, { email: 'breached@example.com', password: breached }, CLIENT)) as { warnings?: string[] };
  assert.deepEqual(tokens.warnings, ['password_compromised']);
  assert.ok([...deps.store.auditEvents.values()].some((e) => e.type === 'password.breached_on_sign_in'));
});
