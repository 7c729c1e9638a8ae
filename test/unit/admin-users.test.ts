import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { AuthError, ValidationError } from '../../shared/domain/errors.js';
import {
  createUser,
  deleteUser,
  findUserByEmail,
  listUsers,
  lockUser,
  setUserPassword,
  showUser,
  unlockUser,
  updateUser,
} from '../../shared/flows/admin-users.js';
import { renewSession, signIn } from '../../shared/flows/current-session.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import { aSession, aToken, aUser } from '../support/fixtures.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const REQUEST = { ip: '192.0.2.1', userAgent: 'test' };

async function setup(env: Record<string, string> = {}) {
  const deps = await memoryDeps(env);
  const admin = aUser({ role: 'admin' });
  await deps.store.commit([{ type: 'createUser', user: admin }]);
  return { deps, admin, actor: { userId: admin.id } };
}

async function rejects(promise: Promise<unknown>, code: string, field?: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AuthError, String(error));
    assert.equal(error.code, code);
    if (field) assert.ok(error instanceof ValidationError && error.errors[field], `expected errors.${field}`);
    return true;
  });
}

async function signedIn(deps: MemoryDeps, email: string) {
  return signIn(deps, { email, password: PASSWORD }, REQUEST);
}

describe('admin flows: who may call them', () => {
  test('a caller whose stored role is no longer admin is refused, whatever the token said', async () => {
    const { deps, admin, actor } = await setup();
    await deps.store.commit([{ type: 'updateUser', id: admin.id, set: { role: 'user' } }]);
    await rejects(listUsers(deps, actor, {}), 'forbidden');
    await rejects(createUser(deps, actor, { email: 'x@example.com' }), 'forbidden');
  });

  test('a locked or deleted admin is refused', async () => {
    const { deps, admin, actor } = await setup();
    await deps.store.commit([{ type: 'updateUser', id: admin.id, set: { locked: true } }]);
    await rejects(showUser(deps, actor, admin.id), 'forbidden');
    await rejects(listUsers(deps, { userId: '00000000-0000-4000-8000-000000000000' }, {}), 'forbidden');
  });

  test('the operator (CLI) needs no account', async () => {
    const { deps, admin } = await setup();
    assert.equal((await showUser(deps, 'operator', admin.id)).id, admin.id);
  });

  test('an admin cannot lock, demote or delete their own account', async () => {
    const { deps, admin, actor } = await setup();
    await rejects(lockUser(deps, actor, admin.id), 'forbidden');
    await rejects(deleteUser(deps, actor, admin.id), 'forbidden');
    await rejects(updateUser(deps, actor, admin.id, { role: 'user' }), 'forbidden');
    // Other changes to oneself are fine.
    assert.equal((await updateUser(deps, actor, admin.id, { role: 'admin', emailConfirmed: true })).role, 'admin');
    assert.equal((await deps.store.getUser(admin.id))?.locked, false);
  });
});

describe('admin flows: users', () => {
  test('create: defaults, field rules, taken email', async () => {
    const { deps, actor } = await setup();
    const user = await createUser(deps, actor, { email: ' New@Example.com ' });
    assert.deepEqual([user.email, user.role, user.emailConfirmed, user.locked], ['new@example.com', 'user', false, false]);
    assert.equal((await deps.store.getUser(user.id))?.passwordHash, null);
    await rejects(createUser(deps, actor, { email: 'new@example.com' }), 'validation_failed', 'email');
    await rejects(createUser(deps, actor, { email: 'bad' }), 'validation_failed', 'email');
    await rejects(createUser(deps, actor, {}), 'validation_failed', 'email');
    await rejects(createUser(deps, actor, { email: 'a@example.com', password: 'short' }), 'validation_failed', 'password');
    await rejects(createUser(deps, actor, { email: 'a@example.com', role: 'root' }), 'validation_failed', 'role');
  });

  test('create with a configured role and a password: the user signs in with it', async () => {
    const { deps, actor } = await setup({ AUTH_ROLES: 'editor' });
    const user = await createUser(deps, actor, { email: 'ed@example.com', password: PASSWORD, role: 'editor', emailConfirmed: true });
    assert.equal(user.role, 'editor');
    const tokens = await signedIn(deps, 'ed@example.com');
    assert.equal((await checkAccessToken(deps, tokens.accessToken)).role, 'editor');
  });

  test('a user created without a password cannot sign in (generic 401)', async () => {
    const { deps, actor } = await setup();
    await createUser(deps, actor, { email: 'nopw@example.com', emailConfirmed: true });
    await rejects(signedIn(deps, 'nopw@example.com'), 'invalid_credentials');
  });

  test('show and find: unknown and malformed ids are not_found', async () => {
    const { deps, admin, actor } = await setup();
    assert.equal((await findUserByEmail(deps, actor, admin.email.toUpperCase())).id, admin.id);
    await rejects(findUserByEmail(deps, actor, 'nobody@example.com'), 'not_found');
    await rejects(showUser(deps, actor, '00000000-0000-4000-8000-000000000000'), 'not_found');
    await rejects(showUser(deps, actor, '../etc'), 'not_found');
  });

  test('list pages through every user once, with an opaque cursor; email filters exactly', async () => {
    const { deps, actor } = await setup();
    for (let i = 0; i < 6; i++) await createUser(deps, actor, { email: `list-${i}@example.com` });
    await createUser(deps, actor, { email: '#hash#tag@example.com' }); // `#` is the cursor's separator too
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listUsers(deps, actor, { limit: '3', cursor });
      assert.ok(page.users.length <= 3);
      seen.push(...page.users.map((u) => u.email));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(seen.length, 8);
    assert.equal(new Set(seen).size, 8);
    assert.deepEqual(
      (await listUsers(deps, actor, { email: 'LIST-3@Example.com' })).users.map((u) => u.email),
      ['list-3@example.com'],
    );
    assert.deepEqual((await listUsers(deps, actor, { email: 'list-3@example' })).users, []);
  });

  test('list: bad limit or cursor is a 422 naming the field', async () => {
    const { deps, actor } = await setup();
    for (const limit of ['0', '101', 'abc', '-1', '1.5']) await rejects(listUsers(deps, actor, { limit }), 'validation_failed', 'limit');
    for (const cursor of ['not a cursor', Buffer.from('no-separator').toString('base64url'), Buffer.from('a#not-a-uuid').toString('base64url')]) {
      await rejects(listUsers(deps, actor, { cursor }), 'validation_failed', 'cursor');
    }
  });

  test('update: email applies at once and moves the claim; a taken email is 422', async () => {
    const { deps, admin, actor } = await setup();
    const user = await createUser(deps, actor, { email: 'old@example.com', password: PASSWORD, emailConfirmed: true });
    await deps.store.commit([{ type: 'putToken', token: aToken(user.id, { kind: 'confirmation' }) }]);
    const updated = await updateUser(deps, actor, user.id, { email: 'New@Example.com', role: 'admin' });
    assert.deepEqual([updated.email, updated.role, updated.unconfirmedEmail], ['new@example.com', 'admin', null]);
    assert.equal((await deps.store.findUserByEmail('new@example.com'))?.id, user.id);
    assert.equal(await deps.store.findUserByEmail('old@example.com'), undefined);
    assert.equal(await deps.store.getToken(user.id, 'confirmation'), undefined);
    await signedIn(deps, 'new@example.com');
    await rejects(updateUser(deps, actor, user.id, { email: admin.email }), 'validation_failed', 'email');
    await rejects(updateUser(deps, actor, user.id, { role: 'nope' }), 'validation_failed', 'role');
    // Nothing to change: nothing is written.
    const unchanged = await deps.store.getUser(user.id);
    assert.deepEqual(await updateUser(deps, actor, user.id, {}), updated);
    assert.deepEqual(await deps.store.getUser(user.id), unchanged);
    // The same address in another spelling: the stored form stays canonical.
    assert.equal((await updateUser(deps, actor, user.id, { email: 'NEW@example.com' })).email, 'new@example.com');
  });

  test('a role change reaches live sessions at once, and the token at the next renewal', async () => {
    const { deps, actor } = await setup();
    const user = await createUser(deps, actor, { email: 'r@example.com', password: PASSWORD, emailConfirmed: true });
    const first = await signedIn(deps, 'r@example.com');
    await updateUser(deps, actor, user.id, { role: 'admin' });
    // The session item (what the token check and the authorizer read) has the new role at once.
    assert.equal((await checkAccessToken(deps, first.accessToken)).role, 'admin');
    const renewed = await renewSession(deps, { renewalToken: first.renewalToken });
    assert.equal((await checkAccessToken(deps, renewed.accessToken)).role, 'admin');
    assert.equal(decodeJwt(renewed.accessToken).role, 'admin');
  });

  test('set password: the new one works, every session is revoked, reset and invitation links die', async () => {
    const { deps, actor } = await setup();
    const user = await createUser(deps, actor, { email: 'pw@example.com', password: PASSWORD, emailConfirmed: true });
    const tokens = await signedIn(deps, 'pw@example.com');
    await deps.store.commit([{ type: 'putToken', token: aToken(user.id, { kind: 'reset' }) }]);
    await setUserPassword(deps, actor, user.id, { password: 'another long passphrase' });
    await rejects(checkAccessToken(deps, tokens.accessToken), 'unauthorized');
    await rejects(renewSession(deps, { renewalToken: tokens.renewalToken }), 'unauthorized');
    assert.equal(await deps.store.getToken(user.id, 'reset'), undefined);
    await rejects(signedIn(deps, 'pw@example.com'), 'invalid_credentials');
    await signIn(deps, { email: 'pw@example.com', password: 'another long passphrase' }, REQUEST);
    await rejects(setUserPassword(deps, actor, user.id, { password: 'short' }), 'validation_failed', 'password');
    await rejects(setUserPassword(deps, actor, user.id, {}), 'validation_failed', 'password');
  });

  test('lock: sessions revoked, sign-in 403 only with the right password, renewal 403; unlock restores sign-in only', async () => {
    const { deps, actor } = await setup();
    const user = await createUser(deps, actor, { email: 'lock@example.com', password: PASSWORD, emailConfirmed: true });
    const tokens = await signedIn(deps, 'lock@example.com');
    assert.equal((await lockUser(deps, actor, user.id)).locked, true);
    await rejects(checkAccessToken(deps, tokens.accessToken), 'unauthorized');
    await rejects(renewSession(deps, { renewalToken: tokens.renewalToken }), 'account_locked');
    await rejects(signedIn(deps, 'lock@example.com'), 'account_locked');
    await rejects(signIn(deps, { email: 'lock@example.com', password: 'wrong password here' }, REQUEST), 'invalid_credentials');
    assert.equal((await unlockUser(deps, actor, user.id)).locked, false);
    await rejects(renewSession(deps, { renewalToken: tokens.renewalToken }), 'unauthorized');
    await signedIn(deps, 'lock@example.com');
  });

  test('delete: user, claim, sessions and tokens gone at once; the email is free again', async () => {
    const { deps, actor } = await setup();
    const user = await createUser(deps, actor, { email: 'del@example.com', password: PASSWORD, emailConfirmed: true });
    const tokens = await signedIn(deps, 'del@example.com');
    await deps.store.commit([
      { type: 'putToken', token: aToken(user.id, { kind: 'reset' }) },
      { type: 'putToken', token: aToken(user.id, { kind: 'confirmation' }) },
    ]);
    await deleteUser(deps, actor, user.id);
    assert.equal(await deps.store.getUser(user.id), undefined);
    assert.equal(await deps.store.findUserByEmail('del@example.com'), undefined);
    assert.deepEqual(await deps.store.listSessions(user.id), []);
    assert.equal(deps.store.tokens.size, 0);
    await rejects(checkAccessToken(deps, tokens.accessToken), 'unauthorized');
    await rejects(deleteUser(deps, actor, user.id), 'not_found');
    await createUser(deps, actor, { email: 'del@example.com' });
  });

  test('delete of a user with more sessions than one transaction holds leaves none', async () => {
    const { deps, actor } = await setup();
    const user = await createUser(deps, actor, { email: 'many@example.com' });
    for (let i = 0; i < 130; i += 10) {
      await deps.store.commit(Array.from({ length: 10 }, () => ({ type: 'putSession' as const, session: aSession(user.id) })));
    }
    await deleteUser(deps, actor, user.id);
    assert.deepEqual(await deps.store.listSessions(user.id), []);
    assert.equal(await deps.store.getUser(user.id), undefined);
  });

  test('lock, unlock, set-password and delete of unknown ids are not_found and write nothing', async () => {
    const { deps, actor } = await setup();
    const before = JSON.stringify([...deps.store.users.values()]);
    const ghost = '00000000-0000-4000-8000-000000000000';
    await rejects(lockUser(deps, actor, ghost), 'not_found');
    await rejects(unlockUser(deps, actor, ghost), 'not_found');
    await rejects(setUserPassword(deps, actor, ghost, { password: PASSWORD }), 'not_found');
    await rejects(deleteUser(deps, actor, ghost), 'not_found');
    await rejects(updateUser(deps, actor, 'nope', { role: 'admin' }), 'not_found');
    assert.equal(JSON.stringify([...deps.store.users.values()]), before);
  });

  test('logs name users by id and never carry emails or passwords', async () => {
    const { deps, actor } = await setup();
    const user = await createUser(deps, actor, { email: 'log@example.com', password: PASSWORD });
    await setUserPassword(deps, actor, user.id, { password: 'another long passphrase' });
    await lockUser(deps, actor, user.id);
    const text = JSON.stringify(deps.log.lines);
    assert.ok(text.includes(user.id));
    for (const secret of ['log@example.com', PASSWORD, 'another long passphrase', '$argon2']) assert.ok(!text.includes(secret), secret);
  });
});
