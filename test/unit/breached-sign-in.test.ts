/**
 * The breached-password check at sign-in (`shared/flows/breached-sign-in.ts`) on the memory
 * adapters: the cases the HTTP test (`test/security/breached-password-at-sign-in.security.test.ts`)
 * cannot stage, such as a user that changed between the read and the write.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError } from '../../shared/domain/errors.js';
import { hashSecret } from '../../shared/domain/secrets.js';
import type { User } from '../../shared/domain/types.js';
import { checkBreachedPasswordAtSignIn } from '../../shared/flows/breached-sign-in.js';
import { signIn } from '../../shared/flows/current-session.js';
import { newUser } from '../../shared/flows/registration.js';
import { FastFakeHasher } from '../support/hardening.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

const BREACHED = 'liverpool1892';
const COMMON = 'password1';
const STRONG = 'correct horse battery staple';
const NOTICE = 'Your password has appeared in a data breach';
const request = { ip: '203.0.113.9', userAgent: 'tests', requestId: 'r-1' };

async function setup(mode: 'notify' | 'block' | 'off', env: Record<string, string> = {}): Promise<MemoryDeps> {
  const deps = await memoryDeps({ AUTH_BREACHED_PASSWORD_ON_SIGN_IN: mode, ...env });
  deps.hasher = new FastFakeHasher() as unknown as MemoryDeps['hasher'];
  return deps;
}

/** A confirmed user with this password, put into the store without the routes' checks. */
async function userWith(deps: MemoryDeps, password: string, email = 'ann@example.com'): Promise<User> {
  const user = newUser(deps, { email, passwordHash: await deps.hasher.hash(password), emailConfirmed: true });
  await deps.store.commit([{ type: 'createUser', user }]);
  return user;
}

const code = (error: unknown) => (error instanceof AuthError ? error.code : String(error));
const breachEvents = (deps: MemoryDeps) => [...deps.store.auditEvents.values()].filter((e) => e.type === 'password.breached_on_sign_in');

describe('breached password at sign-in', () => {
  test('notify: a warning on every sign-in, one notice and one event per password; the notice hash is the SHA-256 of the password hash', async () => {
    const deps = await setup('notify');
    const user = await userWith(deps, BREACHED);
    const first = await signIn(deps, { email: user.email, password: BREACHED }, request);
    const second = await signIn(deps, { email: user.email, password: BREACHED }, request);
    assert.deepEqual(first.warnings, ['password_compromised']);
    assert.deepEqual(second.warnings, ['password_compromised']);
    assert.equal(deps.mailer.to(user.email).filter((m) => m.subject === NOTICE).length, 1);
    const stored = await deps.store.getUser(user.id);
    assert.equal(stored?.breachNoticeHash, hashSecret(user.passwordHash as string));
    assert.equal(stored?.updatedAt, user.updatedAt, 'the notice is no change of the account');
    const events = breachEvents(deps);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]?.details, { action: 'notify' });
    assert.equal(events[0]?.ip, request.ip);
    // The embedded common list counts too.
    const other = await userWith(deps, COMMON, 'bob@example.com');
    assert.deepEqual((await signIn(deps, { email: other.email, password: COMMON }, request)).warnings, ['password_compromised']);
    // A password in neither list: no member at all.
    const clean = await userWith(deps, STRONG, 'cy@example.com');
    assert.equal('warnings' in (await signIn(deps, { email: clean.email, password: STRONG }, request)), false);
  });

  test('notify: a password changed between the read and the notice write mails nothing, and the sign-in still gets its warning', async () => {
    const deps = await setup('notify');
    const stale = await userWith(deps, BREACHED);
    await deps.store.commit([{ type: 'updateUser', id: stale.id, set: { passwordHash: await deps.hasher.hash(STRONG) } }]);
    assert.deepEqual(await checkBreachedPasswordAtSignIn(deps, stale, BREACHED, request), ['password_compromised']);
    assert.equal(deps.store.outbox.size + deps.mailer.to(stale.email).length, 0);
    assert.equal(breachEvents(deps).length, 0);
    assert.equal((await deps.store.getUser(stale.id))?.breachNoticeHash, undefined);
  });

  test('block: 403 password_compromised with a reset link; no session; the lockout slot is given back', async () => {
    const deps = await setup('block', { AUTH_MAX_FAILED_SIGN_INS: '2' });
    const user = await userWith(deps, BREACHED);
    for (let i = 0; i < 4; i++) {
      await assert.rejects(signIn(deps, { email: user.email, password: BREACHED }, request), (e) => {
        assert.equal(code(e), 'password_compromised');
        assert.equal((e as Error).message, 'password_compromised', 'the detail is the table’s');
        return true;
      });
    }
    assert.deepEqual(await deps.store.listSessions(user.id), []);
    assert.ok(deps.store.tokens.has(`${user.id}/reset`));
    assert.ok(deps.mailer.to(user.email).some((m) => m.subject === 'Reset your password'));
    assert.deepEqual(
      breachEvents(deps).map((e) => e.details),
      Array.from({ length: 4 }, () => ({ action: 'block' })),
    );
    // The wrong password is still a failure (and counts).
    await assert.rejects(signIn(deps, { email: user.email, password: 'wrong password here' }, request), (e) => code(e) === 'invalid_credentials');
  });

  test('block: a user locked or given another password meanwhile gets account_locked or invalid_credentials, and no reset link', async () => {
    const deps = await setup('block');
    const stale = await userWith(deps, BREACHED);
    await deps.store.commit([{ type: 'updateUser', id: stale.id, set: { passwordHash: await deps.hasher.hash(STRONG) } }]);
    await assert.rejects(checkBreachedPasswordAtSignIn(deps, stale, BREACHED, request), (e) => code(e) === 'invalid_credentials');
    await deps.store.commit([{ type: 'updateUser', id: stale.id, set: { passwordHash: stale.passwordHash, locked: true } }]);
    await assert.rejects(checkBreachedPasswordAtSignIn(deps, stale, BREACHED, request), (e) => code(e) === 'account_locked');
    assert.equal(deps.store.tokens.size, 0);
    assert.equal(deps.mailer.to(stale.email).length, 0);
    assert.equal(breachEvents(deps).length, 0);
  });

  test('block past the reset-mail cap: no new link (the last one stays valid), the event is still written', async () => {
    const deps = await setup('block', { AUTH_MAIL_RECIPIENT_LIMIT: '1' });
    const user = await userWith(deps, BREACHED);
    await assert.rejects(signIn(deps, { email: user.email, password: BREACHED }, request), (e) => code(e) === 'password_compromised');
    const token = deps.store.tokens.get(`${user.id}/reset`);
    await assert.rejects(signIn(deps, { email: user.email, password: BREACHED }, request), (e) => code(e) === 'password_compromised');
    assert.deepEqual(deps.store.tokens.get(`${user.id}/reset`), token);
    assert.equal(deps.mailer.to(user.email).length, 1);
    assert.equal(breachEvents(deps).length, 2);
  });

  test('off: nothing is looked up, nothing written', async () => {
    const deps = await setup('off');
    const user = await userWith(deps, BREACHED);
    const pair = await signIn(deps, { email: user.email, password: BREACHED }, request);
    assert.equal('warnings' in pair, false);
    assert.equal(deps.mailer.to(user.email).length, 0);
    assert.equal(breachEvents(deps).length, 0);
  });
});
