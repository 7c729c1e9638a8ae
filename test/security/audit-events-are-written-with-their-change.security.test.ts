/**
 * Every state change and its audit event are written together or not at all (spec §3.1, §11.1
 * #1), on the memory store and on DynamoDB Local.
 *
 * Two ways a commit can fail, injected at the moment a flow commits a change with its event:
 * - the event cannot be written: an event with the same id is planted just before (the Put's
 *   `attribute_not_exists` fails), and the change must not happen either;
 * - the change cannot be written: a conflicting change lands just before (a lock, a new password,
 *   a deletion), the change's guard fails, and its event must not be written either.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEvent, AuditType } from '../../shared/domain/audit.js';
import type { User } from '../../shared/domain/types.js';
import { deleteMe, updateMe } from '../../shared/flows/account.js';
import { lockUser } from '../../shared/flows/admin-users.js';
import { signIn } from '../../shared/flows/current-session.js';
import type { Principal } from '../../shared/flows/deps.js';
import { prepareMailToken } from '../../shared/flows/mail-tokens.js';
import { resetPassword } from '../../shared/flows/password-reset.js';
import { register } from '../../shared/flows/registration.js';
import type { WriteOp } from '../../shared/ports/store.js';
import { ADAPTERS, type AdapterDeps } from '../support/audit.js';
import { aUser } from '../support/fixtures.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase 42';
const REQUEST = { ip: '203.0.113.7', userAgent: 'atomicity-test/1.0', requestId: 'req-atomic' };

type Injection = 'event-fails' | ((adapter: AdapterDeps) => Promise<void>);

/** The ids of every planted event (no flow wrote them), across the tests. */
const planted = new Set<string>();

/**
 * Arms a one-shot fault for the first commit that appends a successful event of `type`: plant
 * its event first (the event's Put then fails) or make a conflicting change first (the change's
 * guard then fails). Returns whether the fault fired (planted events go to {@link planted}).
 */
function injectInto(adapter: AdapterDeps, type: AuditType, injection: Injection): { fired: () => boolean } {
  let fired = false;
  const store = adapter.deps.store;
  const commit = store.commit;
  store.commit = async function (this: unknown, ops: WriteOp[]) {
    const event = ops.find((op): op is Extract<WriteOp, { type: 'appendAuditEvent' }> => op.type === 'appendAuditEvent' && op.event.type === type);
    if (event && event.event.outcome === 'success' && !fired) {
      fired = true;
      if (injection === 'event-fails') {
        planted.add(event.event.id);
        await adapter.inner.commit([{ type: 'appendAuditEvent', event: { ...event.event, details: {} } }]);
      } else {
        await injection(adapter);
      }
    }
    return commit.call(store, ops);
  };
  return { fired: () => fired };
}

/** A confirmed user with the test password, straight into the store. */
async function aStoredUser(adapter: AdapterDeps, overrides: Partial<User> = {}): Promise<User> {
  const user = aUser({ passwordHash: await adapter.deps.hasher.hash(PASSWORD), ...overrides });
  await adapter.inner.commit([{ type: 'createUser', user }]);
  return user;
}

async function signedIn(adapter: AdapterDeps, user: User): Promise<Principal> {
  const tokens = await signIn(adapter.deps, { email: user.email, password: PASSWORD }, REQUEST);
  const sessions = await adapter.deps.store.listSessions(user.id);
  const session = sessions.find((s) => s.userId === tokens.user.id);
  assert.ok(session);
  return { userId: user.id, sessionId: session.id, role: user.role, email: user.email, jti: session.currentJti };
}

/** The events of a type (successes), leaving out the planted ones. */
async function written(adapter: AdapterDeps, type: AuditType, userId?: string): Promise<AuditEvent[]> {
  return (await adapter.events()).filter(
    (e) => e.type === type && e.outcome === 'success' && !planted.has(e.id) && (userId === undefined || e.userId === userId),
  );
}

async function lockBehindTheFlow(adapter: AdapterDeps, userId: string): Promise<void> {
  await adapter.inner.commit([{ type: 'updateUser', id: userId, set: { locked: true }, bumpEpoch: true }]);
}

async function newPasswordBehindTheFlow(adapter: AdapterDeps, userId: string): Promise<void> {
  await adapter.inner.commit([{ type: 'updateUser', id: userId, set: { passwordHash: 'changed-meanwhile' }, bumpEpoch: true }]);
}

for (const [name, adapterOf] of ADAPTERS) {
  describe(`Every state change and its audit event are written together or not at all (${name})`, () => {
    test('sign-in: no session without its sign_in event, no sign_in success without its session', async () => {
      const adapter = await adapterOf();
      const user = await aStoredUser(adapter);
      const { fired } = injectInto(adapter, 'sign_in', 'event-fails');
      await assert.rejects(signIn(adapter.deps, { email: user.email, password: PASSWORD }, REQUEST));
      assert.ok(fired());
      assert.deepEqual(await adapter.deps.store.listSessions(user.id), [], 'a session without its event');
      assert.deepEqual(await written(adapter, 'sign_in', user.id), []);

      const other = await aStoredUser(adapter);
      const lock = injectInto(adapter, 'sign_in', () => lockBehindTheFlow(adapter, other.id));
      await assert.rejects(signIn(adapter.deps, { email: other.email, password: PASSWORD }, REQUEST), { code: 'account_locked' });
      assert.ok(lock.fired());
      assert.deepEqual(await adapter.deps.store.listSessions(other.id), []);
      assert.deepEqual(await written(adapter, 'sign_in', other.id), [], 'a sign_in success without its session');
      // The refusal is audited as what it was: one failure, reason locked.
      const refusals = (await adapter.events()).filter((e) => e.type === 'sign_in' && e.userId === other.id);
      assert.deepEqual(
        refusals.map((e) => [e.outcome, e.details.reason]),
        [['failure', 'locked']],
      );
    });

    test('PATCH /me password: no new password without password.changed, no event without the new password', async () => {
      const adapter = await adapterOf();
      const user = await aStoredUser(adapter);
      const principal = await signedIn(adapter, user);
      const before = await adapter.deps.store.getUser(user.id);
      const { fired } = injectInto(adapter, 'password.changed', 'event-fails');
      const change = { currentPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD };
      await assert.rejects(updateMe(adapter.deps, principal, change, REQUEST));
      assert.ok(fired());
      assert.equal((await adapter.deps.store.getUser(user.id))?.passwordHash, before?.passwordHash);
      assert.deepEqual(await written(adapter, 'password.changed'), []);
      assert.deepEqual(await written(adapter, 'session.revoked'), []);

      const race = injectInto(adapter, 'password.changed', () => newPasswordBehindTheFlow(adapter, user.id));
      await assert.rejects(updateMe(adapter.deps, principal, change, REQUEST), { code: 'validation_failed' });
      assert.ok(race.fired());
      assert.equal((await adapter.deps.store.getUser(user.id))?.passwordHash, 'changed-meanwhile');
      assert.deepEqual(await written(adapter, 'password.changed'), []);
    });

    test('admin lock: no lock without admin.locked, no admin.locked without the lock', async () => {
      const adapter = await adapterOf();
      const user = await aStoredUser(adapter);
      const { fired } = injectInto(adapter, 'admin.locked', 'event-fails');
      await assert.rejects(lockUser(adapter.deps, 'operator', user.id, { ...REQUEST, operator: 'local' }));
      assert.ok(fired());
      assert.equal((await adapter.deps.store.getUser(user.id))?.locked, false);
      assert.deepEqual(await written(adapter, 'admin.locked'), []);

      const race = injectInto(adapter, 'admin.locked', async () => {
        await adapter.inner.commit([{ type: 'deleteUser', id: user.id, emailCanonical: user.emailCanonical }]);
      });
      await assert.rejects(lockUser(adapter.deps, 'operator', user.id, { ...REQUEST, operator: 'local' }), { code: 'not_found' });
      assert.ok(race.fired());
      assert.deepEqual(await written(adapter, 'admin.locked'), []);
    });

    test('DELETE /me: no deletion without account.deleted, no account.deleted without the deletion', async () => {
      const adapter = await adapterOf();
      const user = await aStoredUser(adapter);
      const principal = await signedIn(adapter, user);
      const { fired } = injectInto(adapter, 'account.deleted', 'event-fails');
      await assert.rejects(deleteMe(adapter.deps, principal, { currentPassword: PASSWORD }, REQUEST));
      assert.ok(fired());
      assert.ok(await adapter.deps.store.getUser(user.id), 'deleted without its event');
      assert.equal((await adapter.deps.store.listSessions(user.id)).length, 1);
      assert.deepEqual(await written(adapter, 'account.deleted'), []);

      const race = injectInto(adapter, 'account.deleted', () => newPasswordBehindTheFlow(adapter, user.id));
      await assert.rejects(deleteMe(adapter.deps, principal, { currentPassword: PASSWORD }, REQUEST), { code: 'validation_failed' });
      assert.ok(race.fired());
      assert.ok(await adapter.deps.store.getUser(user.id));
      assert.deepEqual(await written(adapter, 'account.deleted'), []);
    });

    test('password reset: no new password without password.reset, no event without the new password', async () => {
      const adapter = await adapterOf();
      const user = await aStoredUser(adapter);
      const mint = async () => {
        const { op, link } = prepareMailToken(adapter.deps, user, 'reset');
        await adapter.inner.commit([op]);
        return link.slice(link.lastIndexOf('/') + 1);
      };
      const body = { password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD };
      const { fired } = injectInto(adapter, 'password.reset', 'event-fails');
      await assert.rejects(resetPassword(adapter.deps, await mint(), body, REQUEST));
      assert.ok(fired());
      assert.equal((await adapter.deps.store.getUser(user.id))?.passwordHash, user.passwordHash);
      assert.deepEqual(await written(adapter, 'password.reset'), []);

      const race = injectInto(adapter, 'password.reset', () => lockBehindTheFlow(adapter, user.id));
      await assert.rejects(resetPassword(adapter.deps, await mint(), body, REQUEST), { code: 'invalid_token' });
      assert.ok(race.fired());
      assert.equal((await adapter.deps.store.getUser(user.id))?.passwordHash, user.passwordHash);
      assert.deepEqual(await written(adapter, 'password.reset'), []);
    });

    test('registration: no account without its registration event', async () => {
      const adapter = await adapterOf();
      const email = aUser().email;
      const { fired } = injectInto(adapter, 'registration', 'event-fails');
      await assert.rejects(register(adapter.deps, { email, password: PASSWORD, passwordConfirmation: PASSWORD }, REQUEST));
      assert.ok(fired());
      assert.equal(await adapter.deps.store.findUserByEmail(email), undefined, 'an account without its event');
      assert.deepEqual(await written(adapter, 'registration'), []);
    });
  });
}
