import assert from 'node:assert/strict';
import { test } from 'node:test';
import { legacyHashProblem, storedHashOf } from '../../shared/domain/legacy-hashes.js';
import type { RequestInfo } from '../../shared/flows/deps.js';
import { exportLine } from '../../shared/flows/export-users.js';
import { importUsers } from '../../shared/flows/import-users.js';
import { legacyFormatOf, verifyUserPassword } from '../../shared/flows/legacy-passwords.js';
import { migrateUserOnPasswordReset } from '../../shared/flows/migrate-user.js';
import { LEGACY_PASSWORD, powHash } from '../support/legacy-fixtures.js';
import { memoryDeps } from '../support/memory.js';

const OPERATOR: RequestInfo = { ip: null, userAgent: 'test', operator: 'local' };

test('a password set by a Latch flow over an imported hash is argon2id, whatever passwordFormat was left behind', async () => {
  const deps = await memoryDeps();
  const argon2 = await deps.hasher.hash('a new password');
  for (const format of ['bcrypt', 'pbkdf2', 'scrypt', 'firebase-scrypt', 'better-auth-scrypt', 'wrapped-md5']) {
    assert.equal(legacyFormatOf({ passwordFormat: format, passwordHash: argon2 }), undefined, format);
  }
  assert.equal(legacyFormatOf({ passwordFormat: 'wrapped-md5', passwordHash: storedHashOf('wrapped-md5', argon2) }), 'wrapped-md5');
  assert.equal(legacyFormatOf({ passwordFormat: 'argon2', passwordHash: argon2 }), 'argon2');
  const { report } = await importUsers(
    deps,
    [JSON.stringify({ email: 'reset@example.com', password: { format: 'pbkdf2', hash: powHash(LEGACY_PASSWORD, 1000) } })],
    {
      request: OPERATOR,
    },
  );
  const id = report[0]?.id as string;
  await deps.store.commit([{ type: 'updateUser', id, set: { passwordHash: argon2 } }]);
  const user = await deps.store.getUser(id);
  assert.ok(user);
  assert.equal(await verifyUserPassword(deps, user, 'a new password'), true);
  assert.equal(await verifyUserPassword(deps, user, LEGACY_PASSWORD), false);
});

test('layouts: salts only on weak formats, and both halves of a salted digest', () => {
  assert.match(legacyHashProblem({ format: 'bcrypt', hash: `$2b$10$${'a'.repeat(53)}`, salt: 'x', saltPosition: 'suffix' }) ?? '', /takes no salt/);
  assert.match(legacyHashProblem({ format: 'md5', hash: 'a'.repeat(32), salt: 'x' }) ?? '', /needs both salt/);
  assert.equal(legacyHashProblem({ format: 'md5', hash: 'a'.repeat(32), salt: 'x', saltPosition: 'prefix' }), undefined);
  assert.match(legacyHashProblem({ format: 'sha1', hash: 'a'.repeat(32) }) ?? '', /not a hex sha1 digest/);
  assert.match(legacyHashProblem({ format: 'pbkdf2', hash: '$pbkdf2-md5$1000$c2FsdA==$a2V5' }) ?? '', /not a pbkdf2 hash/);
});

test('an exported wrapped hash has the layout of its format, and a stored argon2id one is `argon2`', () => {
  const base = {
    id: 'u',
    email: 'a@example.com',
    emailCanonical: 'a@example.com',
    emailConfirmed: true,
    unconfirmedEmail: null,
    role: 'user',
    locked: false,
    invitedBy: null,
    invitationPending: false,
    sessionEpoch: 0,
    sessionSeq: 0,
    attributes: { b: 1, a: 2 },
    createdAt: '2020-01-01T00:00:00.000Z',
    updatedAt: '2020-01-01T00:00:00.000Z',
  };
  const argon2 = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA';
  const wrapped = exportLine(
    { ...base, passwordHash: storedHashOf('wrapped-sha1', argon2), passwordFormat: 'wrapped-sha1', passwordSalt: 's', passwordSaltPosition: 'prefix' },
    true,
  );
  assert.deepEqual(wrapped.password, { format: 'wrapped-sha1', hash: argon2, salt: 's', saltPosition: 'prefix' });
  assert.deepEqual(Object.keys(wrapped.attributes as object), ['a', 'b']);
  assert.deepEqual(exportLine({ ...base, passwordHash: argon2 }, true).password, { format: 'argon2', hash: argon2 });
  assert.equal(exportLine({ ...base, passwordHash: argon2 }, false).password, undefined);
});

test('migrateUser at a password reset creates the vouched-for user without a password', async () => {
  const deps = await memoryDeps();
  const seen: Array<[string, string | null]> = [];
  deps.hooks = {
    migrateUser: async ({ email, password, trigger }) => {
      seen.push([trigger, password]);
      return email === 'known@example.com' ? { emailConfirmed: true } : null;
    },
  };
  assert.equal(await migrateUserOnPasswordReset(deps, 'unknown@example.com', OPERATOR), undefined);
  const user = await migrateUserOnPasswordReset(deps, 'known@example.com', OPERATOR);
  assert.equal(user?.passwordHash, null);
  assert.equal((await deps.store.findUserByEmail('known@example.com'))?.id, user?.id);
  assert.deepEqual(seen, [
    ['password_reset', null],
    ['password_reset', null],
  ]);
  assert.equal([...deps.store.auditEvents.values()].filter((e) => e.type === 'user.migrated').length, 1);
});
