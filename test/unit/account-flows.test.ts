import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, ValidationError } from '../../shared/domain/errors.js';
import { deleteMe, updateMe } from '../../shared/flows/account.js';
import { renewSession, signIn } from '../../shared/flows/current-session.js';
import type { Principal } from '../../shared/flows/deps.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { listMySessions, revokeMySession, revokeMySessions } from '../../shared/flows/my-sessions.js';
import { register } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const request = { ip: '203.0.113.9', userAgent: 'test-agent/1.0' };

async function confirmedUser(deps: MemoryDeps, email = 'ann@example.com') {
  await register(deps, { email, password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, email, 'confirm-email'));
  const tokens = await signIn(deps, { email, password: PASSWORD }, request);
  const principal = await checkAccessToken(deps, tokens.accessToken);
  return { email, tokens, principal };
}

function code(error: unknown): string {
  if (error instanceof ValidationError) return `validation_failed:${Object.keys(error.errors).sort().join(',')}`;
  return error instanceof AuthError ? error.code : `not an AuthError: ${String(error)}`;
}

describe('PATCH /me flow', () => {
  test('a missing or wrong current password is 422 errors.currentPassword and changes nothing', async () => {
    const deps = await memoryDeps();
    const { principal } = await confirmedUser(deps);
    const before = structuredClone([...deps.store.users.values()]);
    await assert.rejects(updateMe(deps, principal, { password: NEW_PASSWORD }), (e) => code(e) === 'validation_failed:currentPassword');
    await assert.rejects(
      updateMe(deps, principal, { currentPassword: 'wrong one', email: 'x@example.com' }),
      (e) => code(e) === 'validation_failed:currentPassword',
    );
    await assert.rejects(
      updateMe(deps, principal, { currentPassword: PASSWORD, email: 'bad', password: 'short' }),
      (e) => code(e) === 'validation_failed:email,password',
    );
    assert.deepEqual([...deps.store.users.values()], before);
  });

  test('an email change waits in unconfirmedEmail; new address gets the link, old one a notice; the link swaps it in', async () => {
    const deps = await memoryDeps();
    const { email, principal } = await confirmedUser(deps);
    const user = await updateMe(deps, principal, { currentPassword: PASSWORD, email: 'New@Example.com' });
    assert.equal(user.email, email);
    assert.equal(user.unconfirmedEmail, 'new@example.com'); // stored canonical
    assert.equal(deps.mailer.to(email).at(-1)?.subject, 'Your e-mail address is about to change');
    // Sign-in keeps using the old address until the link is used.
    await signIn(deps, { email, password: PASSWORD }, request);
    await assert.rejects(signIn(deps, { email: 'new@example.com', password: PASSWORD }, request), (e) => code(e) === 'invalid_credentials');
    const confirmed = await confirmEmail(deps, lastMailedToken(deps, 'new@example.com', 'confirm-email'));
    assert.equal(confirmed.email, 'new@example.com');
    await signIn(deps, { email: 'new@example.com', password: PASSWORD }, request);
  });

  test('sending the current address back cancels the pending change and kills its link', async () => {
    const deps = await memoryDeps();
    const { email, principal } = await confirmedUser(deps);
    await updateMe(deps, principal, { currentPassword: PASSWORD, email: 'next@example.com' });
    const link = lastMailedToken(deps, 'next@example.com', 'confirm-email');
    const user = await updateMe(deps, principal, { currentPassword: PASSWORD, email: ` ${email.toUpperCase()}` });
    assert.equal(user.unconfirmedEmail, null);
    assert.equal(await deps.store.getToken(principal.userId, 'confirmation'), undefined);
    await assert.rejects(confirmEmail(deps, link), (e) => code(e) === 'invalid_token');
  });

  test('without confirmation the change applies at once, a taken address is 422 errors.email, the old address gets a notice', async () => {
    const deps = await memoryDeps({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
    await register(deps, { email: 'taken@example.com', password: PASSWORD }, request);
    const result = await register(deps, { email: 'me@example.com', password: PASSWORD }, request);
    assert.equal(result.kind, 'signedIn');
    const principal = await checkAccessToken(deps, (result as { tokens: { accessToken: string } }).tokens.accessToken);
    await assert.rejects(updateMe(deps, principal, { currentPassword: PASSWORD, email: 'TAKEN@example.com' }), (e) => code(e) === 'validation_failed:email');
    assert.equal((await deps.store.getUser(principal.userId))?.email, 'me@example.com');
    const user = await updateMe(deps, principal, { currentPassword: PASSWORD, email: 'moved@example.com' });
    assert.equal(user.email, 'moved@example.com');
    assert.equal(await deps.store.findUserByEmail('me@example.com'), undefined);
    assert.equal((await deps.store.findUserByEmail('moved@example.com'))?.id, principal.userId);
    assert.equal(deps.mailer.to('me@example.com').at(-1)?.subject, 'Your e-mail address was changed');
    assert.equal(deps.mailer.to('moved@example.com').length, 0);
  });

  test('without confirmation, email and password change together in one transaction', async () => {
    const deps = await memoryDeps({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
    const result = await register(deps, { email: 'both@example.com', password: PASSWORD }, request);
    const tokens = (result as { tokens: { accessToken: string } }).tokens;
    const other = await signIn(deps, { email: 'both@example.com', password: PASSWORD }, request);
    const principal = await checkAccessToken(deps, tokens.accessToken);
    await updateMe(deps, principal, { currentPassword: PASSWORD, email: 'both2@example.com', password: NEW_PASSWORD });
    await signIn(deps, { email: 'both2@example.com', password: NEW_PASSWORD }, request);
    await assert.rejects(checkAccessToken(deps, other.accessToken), (e) => code(e) === 'unauthorized');
    assert.ok(await checkAccessToken(deps, tokens.accessToken));
    assert.equal((await deps.store.getUser(principal.userId))?.sessionEpoch, 1);
  });

  test("a new password follows the policy, revokes every other session and keeps the caller's, renewal included", async () => {
    const deps = await memoryDeps();
    const { email, tokens, principal } = await confirmedUser(deps);
    const other = await signIn(deps, { email, password: PASSWORD }, request);
    await assert.rejects(updateMe(deps, principal, { currentPassword: PASSWORD, password: 'password1234' }), (e) => code(e) === 'validation_failed:password');
    await updateMe(deps, principal, { currentPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD });
    await assert.rejects(checkAccessToken(deps, other.accessToken), (e) => code(e) === 'unauthorized');
    await assert.rejects(renewSession(deps, { renewalToken: other.renewalToken }), (e) => code(e) === 'unauthorized');
    assert.ok(await checkAccessToken(deps, tokens.accessToken));
    const renewed = await renewSession(deps, { renewalToken: tokens.renewalToken });
    assert.ok(await checkAccessToken(deps, renewed.accessToken));
    await assert.rejects(signIn(deps, { email, password: PASSWORD }, request), (e) => code(e) === 'invalid_credentials');
    await signIn(deps, { email, password: NEW_PASSWORD }, request);
  });

  test("a renewal of the caller's session racing the password change still succeeds; another session's does not", async () => {
    const deps = await memoryDeps();
    const { email, tokens, principal } = await confirmedUser(deps);
    const other = await signIn(deps, { email, password: PASSWORD }, request);
    // Both renewals read the user, then the password change commits, then they write.
    const inner = deps.store;
    let changed = false;
    const racing: AuthStore = Object.assign(Object.create(inner), {
      commit: async (ops: Parameters<AuthStore['commit']>[0]) => {
        if (!changed && ops.some((op) => op.type === 'updateSession' && op.ifRenewalHash !== undefined)) {
          changed = true;
          await updateMe(deps, principal, { currentPassword: PASSWORD, password: NEW_PASSWORD });
        }
        return inner.commit(ops);
      },
    });
    const renewed = await renewSession({ ...deps, store: racing }, { renewalToken: tokens.renewalToken });
    assert.ok(changed);
    assert.ok(await checkAccessToken(deps, renewed.accessToken));

    const deps2 = await memoryDeps();
    const two = await confirmedUser(deps2);
    const victim = await signIn(deps2, { email: two.email, password: PASSWORD }, request);
    let changed2 = false;
    const racing2: AuthStore = Object.assign(Object.create(deps2.store), {
      commit: async (ops: Parameters<AuthStore['commit']>[0]) => {
        if (!changed2 && ops.some((op) => op.type === 'updateSession' && op.ifRenewalHash !== undefined)) {
          changed2 = true;
          await updateMe(deps2, two.principal, { currentPassword: PASSWORD, password: NEW_PASSWORD });
        }
        return deps2.store.commit(ops);
      },
    });
    await assert.rejects(renewSession({ ...deps2, store: racing2 }, { renewalToken: victim.renewalToken }), (e) => code(e) === 'unauthorized');
    assert.deepEqual(
      (await deps2.store.listSessions(two.principal.userId)).map((s) => s.id),
      [two.principal.sessionId],
    );
    assert.ok(other);
  });

  test('a password changed between the check and the commit wins: 422 errors.currentPassword, nothing else changes', async () => {
    const deps = await memoryDeps();
    const { principal } = await confirmedUser(deps);
    const original = deps.hasher.verify.bind(deps.hasher);
    deps.hasher.verify = async (hash, password) => {
      const ok = await original(hash, password);
      await deps.store.commit([{ type: 'updateUser', id: principal.userId, set: { passwordHash: await deps.hasher.hash(NEW_PASSWORD) } }]);
      return ok;
    };
    await assert.rejects(
      updateMe(deps, principal, { currentPassword: PASSWORD, email: 'later@example.com' }),
      (e) => code(e) === 'validation_failed:currentPassword',
    );
    await assert.rejects(
      updateMe(deps, principal, { currentPassword: PASSWORD, password: 'yet another passphrase' }),
      (e) => code(e) === 'validation_failed:currentPassword',
    );
    await assert.rejects(deleteMe(deps, principal, { currentPassword: PASSWORD }), (e) => code(e) === 'validation_failed:currentPassword');
    const user = await deps.store.getUser(principal.userId);
    assert.equal(user?.unconfirmedEmail, null);
    assert.ok(user);
  });

  test('a password change also kills an outstanding reset link', async () => {
    const deps = await memoryDeps();
    const { principal } = await confirmedUser(deps);
    await deps.store.commit([
      { type: 'putToken', token: { userId: principal.userId, kind: 'reset', hash: 'h', email: 'x', createdAt: '', expiresAt: 4102444800 } },
    ]);
    await updateMe(deps, principal, { currentPassword: PASSWORD, password: NEW_PASSWORD });
    assert.equal(await deps.store.getToken(principal.userId, 'reset'), undefined);
  });
});

describe('DELETE /me flow', () => {
  test('a wrong or missing current password is 422 and deletes nothing', async () => {
    const deps = await memoryDeps();
    const { principal } = await confirmedUser(deps);
    await assert.rejects(deleteMe(deps, principal, {}), (e) => code(e) === 'validation_failed:currentPassword');
    await assert.rejects(deleteMe(deps, principal, { currentPassword: 'nope nope nope' }), (e) => code(e) === 'validation_failed:currentPassword');
    assert.ok(await deps.store.getUser(principal.userId));
  });

  test('the user, its claim, every session and every token are gone; the email registers again', async () => {
    const deps = await memoryDeps();
    const { email, principal } = await confirmedUser(deps);
    const other = await signIn(deps, { email, password: PASSWORD }, request);
    await updateMe(deps, principal, { currentPassword: PASSWORD, email: 'pending@example.com' });
    await deleteMe(deps, principal, { currentPassword: PASSWORD });
    const left = await deps.store.listUserItems(principal.userId);
    assert.deepEqual(left, { user: undefined, sessions: [], tokens: [], passkeys: [] });
    assert.equal(deps.store.claims.size, 0);
    await assert.rejects(checkAccessToken(deps, other.accessToken), (e) => code(e) === 'unauthorized');
    await register(deps, { email, password: PASSWORD }, request);
    assert.ok(await deps.store.findUserByEmail(email));
  });

  test('a sign-in committed between the listing and the deletion makes it list again: no session survives', async () => {
    const deps = await memoryDeps();
    const { email, principal } = await confirmedUser(deps);
    const inner = deps.store;
    let raced = false;
    const racing: AuthStore = Object.assign(Object.create(inner), {
      listUserItems: async (id: string) => {
        const items = await inner.listUserItems(id);
        if (!raced) {
          raced = true;
          await signIn(deps, { email, password: PASSWORD }, request);
        }
        return items;
      },
    });
    await deleteMe({ ...deps, store: racing }, principal, { currentPassword: PASSWORD });
    assert.ok(raced);
    assert.equal(inner.sessions.size, 0);
    assert.equal(inner.users.size, 0);
  });
});

describe('sessions flows', () => {
  test('GET /sessions lists live sessions only, with the current flag; lastUsedAt moves on renewal only', async () => {
    const deps = await memoryDeps();
    const { email, principal } = await confirmedUser(deps);
    deps.clock.advance(60);
    const second = await signIn(deps, { email, password: PASSWORD, rememberMe: true }, request);
    let list = (await listMySessions(deps, principal)).sessions;
    assert.equal(list.length, 2);
    assert.deepEqual(
      list.map((s) => s.current),
      [false, true],
    );
    assert.deepEqual(Object.keys(list[0] ?? {}).sort(), ['client', 'createdAt', 'current', 'id', 'ip', 'lastUsedAt', 'userAgent']);
    const before = list[0]?.lastUsedAt;
    deps.clock.advance(60);
    await checkAccessToken(deps, second.accessToken); // the hot path writes nothing
    assert.equal((await listMySessions(deps, principal)).sessions[0]?.lastUsedAt, before);
    await renewSession(deps, { renewalToken: second.renewalToken });
    assert.notEqual((await listMySessions(deps, principal)).sessions[0]?.lastUsedAt, before);
    deps.clock.advance(deps.config.sessionTtlSeconds); // the first (1 day) expires, the second (30 days) lives
    list = (await listMySessions(deps, principal)).sessions;
    assert.equal(list.length, 1);
    assert.equal(list[0]?.current, false);
  });

  test("DELETE /sessions/{id}: own sessions only (another user's is not_found); DELETE /sessions: all of them", async () => {
    const deps = await memoryDeps();
    const ann = await confirmedUser(deps, 'ann@example.com');
    const bob = await confirmedUser(deps, 'bob@example.com');
    await assert.rejects(revokeMySession(deps, ann.principal, bob.principal.sessionId), (e) => code(e) === 'not_found');
    await assert.rejects(revokeMySession(deps, ann.principal, 'no-such-session'), (e) => code(e) === 'not_found');
    assert.ok(await checkAccessToken(deps, bob.tokens.accessToken));
    const annOther = await signIn(deps, { email: ann.email, password: PASSWORD }, request);
    const annOtherPrincipal: Principal = await checkAccessToken(deps, annOther.accessToken);
    await revokeMySession(deps, ann.principal, annOtherPrincipal.sessionId);
    await assert.rejects(checkAccessToken(deps, annOther.accessToken), (e) => code(e) === 'unauthorized');
    await signIn(deps, { email: ann.email, password: PASSWORD }, request);
    await revokeMySessions(deps, ann.principal);
    assert.equal((await deps.store.listSessions(ann.principal.userId)).length, 0);
    assert.ok(await checkAccessToken(deps, bob.tokens.accessToken));
  });
});
