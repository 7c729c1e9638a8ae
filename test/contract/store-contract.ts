import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError } from '../../shared/domain/errors.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { aSession, aToken, aUser } from '../support/fixtures.js';

async function conflict(promise: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof ConflictError && error.reason === reason);
}

/**
 * The behaviour every {@link AuthStore} adapter must have. Run against the in-memory adapter and
 * against the DynamoDB adapter on DynamoDB Local, so the fast one cannot drift from the real one.
 */
export function storeContract(name: string, makeStore: () => Promise<AuthStore>): void {
  describe(`AuthStore contract: ${name}`, () => {
    test('createUser stores the user and finds it by id and canonical email', async () => {
      const store = await makeStore();
      const user = aUser({ attributes: { tenant: 'acme' } });
      await store.commit([{ type: 'createUser', user }]);
      assert.deepEqual(await store.getUser(user.id), user);
      assert.deepEqual(await store.findUserByEmail(user.emailCanonical), user);
      assert.equal(await store.findUserByEmail('nobody@example.com'), undefined);
    });

    test('custom attributes persist as a map of strings, numbers and booleans; updateUser replaces the map', async () => {
      const store = await makeStore();
      const user = aUser({ attributes: { tenant: 'acme', seats: 3, beta: true, note: '' } });
      await store.commit([{ type: 'createUser', user }]);
      assert.deepEqual((await store.getUser(user.id))?.attributes, { tenant: 'acme', seats: 3, beta: true, note: '' });
      await store.commit([{ type: 'updateUser', id: user.id, set: { attributes: { tenant: 'globex', seats: 0.5 } } }]);
      assert.deepEqual((await store.getUser(user.id))?.attributes, { tenant: 'globex', seats: 0.5 });
      await store.commit([{ type: 'updateUser', id: user.id, set: { attributes: {} } }]);
      assert.deepEqual((await store.findUserByEmail(user.emailCanonical))?.attributes, {});
    });

    test('one account per canonical email: a second createUser with the same email is email_taken', async () => {
      const store = await makeStore();
      const first = aUser();
      await store.commit([{ type: 'createUser', user: first }]);
      const second = aUser({ email: first.email, emailCanonical: first.emailCanonical });
      await conflict(store.commit([{ type: 'createUser', user: second }]), 'email_taken');
      assert.equal(await store.getUser(second.id), undefined);
    });

    test('concurrent createUser of one email: exactly one succeeds', async () => {
      const store = await makeStore();
      const email = aUser().email;
      const attempts = Array.from({ length: 10 }, () => aUser({ email, emailCanonical: email }));
      const results = await Promise.allSettled(attempts.map((user) => store.commit([{ type: 'createUser', user }])));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
    });

    test('a commit is all or nothing: a failing condition leaves every other write undone', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      const session = aSession(user.id);
      await conflict(
        store.commit([
          { type: 'putSession', session },
          { type: 'updateUser', id: user.id, set: { role: 'admin' }, guard: { sessionEpoch: 99 } },
        ]),
        'user_changed',
      );
      assert.equal(await store.getSession(user.id, session.id), undefined);
      assert.equal((await store.getUser(user.id))?.role, 'user');
    });

    test('updateUser guards: epoch, seq, unlocked and password hash; bumps are atomic increments', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([
        {
          type: 'updateUser',
          id: user.id,
          guard: { sessionEpoch: 0, sessionSeq: 0, unlocked: true, passwordHash: user.passwordHash },
          bumpSeq: true,
          bumpEpoch: true,
          set: { locked: true },
        },
      ]);
      const after = await store.getUser(user.id);
      assert.equal(after?.sessionSeq, 1);
      assert.equal(after?.sessionEpoch, 1);
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { unlocked: true } }]), 'user_changed');
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { sessionEpoch: 0 } }]), 'user_changed');
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { passwordHash: 'other' } }]), 'user_changed');
      await conflict(store.commit([{ type: 'checkUser', id: 'b1a7e2c4-0000-4000-8000-000000000000', guard: {} }]), 'not_found');
      await conflict(store.commit([{ type: 'updateUser', id: 'b1a7e2c4-0000-4000-8000-000000000000', set: { role: 'x' } }]), 'not_found');
    });

    test('a null password-hash guard matches a user without a password', async () => {
      const store = await makeStore();
      const user = aUser({ passwordHash: null });
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([{ type: 'checkUser', id: user.id, guard: { passwordHash: null } }]);
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { passwordHash: 'x' } }]), 'user_changed');
    });

    test('moveEmail moves the claim atomically and refuses a taken address', async () => {
      const store = await makeStore();
      const user = aUser();
      const other = aUser();
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([{ type: 'createUser', user: other }]);
      await conflict(
        store.commit([{ type: 'moveEmail', userId: user.id, from: user.emailCanonical, to: other.emailCanonical, email: other.email }]),
        'email_taken',
      );
      assert.equal((await store.findUserByEmail(user.emailCanonical))?.id, user.id);
      const fresh = aUser().email;
      await store.commit([{ type: 'moveEmail', userId: user.id, from: user.emailCanonical, to: fresh, email: fresh, set: { emailConfirmed: true } }]);
      assert.equal(await store.findUserByEmail(user.emailCanonical), undefined);
      const moved = await store.findUserByEmail(fresh);
      assert.equal(moved?.id, user.id);
      assert.equal(moved?.email, fresh);
      // The old address is free again.
      await store.commit([{ type: 'createUser', user: aUser({ email: user.email, emailCanonical: user.emailCanonical }) }]);
    });

    test('an emailCanonical guard fails once the email moved; moveEmail can bump the epoch', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([{ type: 'checkUser', id: user.id, guard: { emailCanonical: user.emailCanonical } }]);
      const fresh = aUser().email;
      await store.commit([
        { type: 'moveEmail', userId: user.id, from: user.emailCanonical, to: fresh, email: fresh, bumpEpoch: true, guard: { sessionEpoch: 0 } },
      ]);
      assert.equal((await store.getUser(user.id))?.sessionEpoch, 1);
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { emailCanonical: user.emailCanonical } }]), 'user_changed');
      await conflict(
        store.commit([{ type: 'deleteUser', id: user.id, emailCanonical: user.emailCanonical, guard: { emailCanonical: user.emailCanonical } }]),
        'user_changed',
      );
      assert.ok(await store.getUser(user.id));
    });

    test("listUserItems reads the user, its sessions and its tokens at once, and nobody else's", async () => {
      const store = await makeStore();
      const user = aUser();
      const other = aUser();
      const sessions = [aSession(user.id), aSession(user.id)];
      await store.commit([
        { type: 'createUser', user },
        { type: 'createUser', user: other },
      ]);
      await store.commit([
        ...sessions.map((session) => ({ type: 'putSession' as const, session })),
        { type: 'putSession', session: aSession(other.id) },
        { type: 'putToken', token: aToken(user.id, { kind: 'reset' }) },
        { type: 'putToken', token: aToken(user.id, { kind: 'confirmation' }) },
        { type: 'putToken', token: aToken(other.id, { kind: 'reset' }) },
      ]);
      const items = await store.listUserItems(user.id);
      assert.deepEqual(items.user, user);
      assert.deepEqual(items.sessions.map((s) => s.id).sort(), sessions.map((s) => s.id).sort());
      assert.deepEqual(items.tokens.map((t) => t.kind).sort(), ['confirmation', 'reset']);
      const none = await store.listUserItems('b1a7e2c4-0000-4000-8000-000000000001');
      assert.deepEqual(none, { user: undefined, sessions: [], tokens: [] });
    });

    test('deleteUser removes the user and releases its email', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([{ type: 'deleteUser', id: user.id, emailCanonical: user.emailCanonical }]);
      assert.equal(await store.getUser(user.id), undefined);
      assert.equal(await store.findUserByEmail(user.emailCanonical), undefined);
      await conflict(store.commit([{ type: 'deleteUser', id: user.id, emailCanonical: user.emailCanonical }]), 'not_found');
    });

    test('sessions: put, get, list, update with renewal-hash condition, delete', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      const a = aSession(user.id);
      const b = aSession(user.id);
      await store.commit([
        { type: 'putSession', session: a },
        { type: 'putSession', session: b },
      ]);
      assert.deepEqual(await store.getSession(user.id, a.id), a);
      assert.deepEqual((await store.listSessions(user.id)).map((s) => s.id).sort(), [a.id, b.id].sort());
      await conflict(store.commit([{ type: 'updateSession', userId: user.id, id: a.id, ifRenewalHash: 'wrong', set: { currentJti: 'x' } }]), 'token_mismatch');
      await store.commit([
        {
          type: 'updateSession',
          userId: user.id,
          id: a.id,
          ifRenewalHash: a.renewalHash,
          set: { currentJti: 'next', renewalHash: 'next-hash', renewalGeneration: 1 },
        },
      ]);
      const updated = await store.getSession(user.id, a.id);
      assert.equal(updated?.currentJti, 'next');
      assert.equal(updated?.renewalHash, 'next-hash');
      assert.equal(updated?.renewalGeneration, 1);
      await store.commit([{ type: 'deleteSession', userId: user.id, id: a.id }]);
      assert.equal(await store.getSession(user.id, a.id), undefined);
      await conflict(store.commit([{ type: 'updateSession', userId: user.id, id: a.id, set: { currentJti: 'y' } }]), 'session_gone');
      await store.commit([{ type: 'deleteSession', userId: user.id, id: a.id }]); // idempotent
    });

    test('concurrent renewals with one renewal hash: exactly one succeeds', async () => {
      const store = await makeStore();
      const user = aUser();
      const session = aSession(user.id);
      await store.commit([
        { type: 'createUser', user },
        { type: 'putSession', session },
      ]);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.commit([{ type: 'updateSession', userId: user.id, id: session.id, ifRenewalHash: session.renewalHash, set: { renewalHash: `next-${i}` } }]),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    test('mail tokens: a new token replaces the old one; consume is single-use and checks expiry', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      const first = aToken(user.id);
      const second = aToken(user.id);
      await store.commit([{ type: 'putToken', token: first }]);
      await store.commit([{ type: 'putToken', token: second }]);
      assert.deepEqual(await store.getToken(user.id, 'confirmation'), second);
      await conflict(store.commit([{ type: 'consumeToken', userId: user.id, kind: 'confirmation', hash: first.hash, now: 1 }]), 'token_mismatch');
      await conflict(
        store.commit([{ type: 'consumeToken', userId: user.id, kind: 'confirmation', hash: second.hash, now: second.expiresAt }]),
        'token_mismatch',
      );
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => store.commit([{ type: 'consumeToken', userId: user.id, kind: 'confirmation', hash: second.hash, now: 1 }])),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal(await store.getToken(user.id, 'confirmation'), undefined);
    });

    test('tokens of different kinds live side by side', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([
        { type: 'putToken', token: aToken(user.id, { kind: 'reset' }) },
        { type: 'putToken', token: aToken(user.id, { kind: 'confirmation' }) },
      ]);
      assert.ok(await store.getToken(user.id, 'reset'));
      await store.commit([{ type: 'deleteToken', userId: user.id, kind: 'reset' }]);
      assert.equal(await store.getToken(user.id, 'reset'), undefined);
      assert.ok(await store.getToken(user.id, 'confirmation'));
    });

    test('two writes on one item in one commit are refused, as DynamoDB does', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      await assert.rejects(
        store.commit([
          { type: 'updateUser', id: user.id, set: { role: 'admin' } },
          { type: 'checkUser', id: user.id, guard: {} },
        ]),
      );
    });

    const policy = (now: number, max = 3) => ({ now, windowSeconds: 60, max, lockoutSeconds: 60 });
    const scope = () => `email:${aUser().emailCanonical}`;

    test('failure counters: a window starts at the first failure, the limit starts a lockout once', async () => {
      const store = await makeStore();
      const s = scope();
      assert.deepEqual(await store.getCounters([s], 1000), []);
      assert.deepEqual(await store.recordFailure(s, policy(1000)), { count: 1, lockedUntil: null, justLocked: false });
      assert.deepEqual(await store.recordFailure(s, policy(1010)), { count: 2, lockedUntil: null, justLocked: false });
      assert.deepEqual(await store.recordFailure(s, policy(1020)), { count: 3, lockedUntil: 1080, justLocked: true });
      // Failures during the lockout (after the window ended at 1060) count but never move it.
      assert.deepEqual(await store.recordFailure(s, policy(1070)), { count: 4, lockedUntil: 1080, justLocked: false });
      assert.deepEqual(await store.getCounters([s], 1070), [{ scope: s, count: 4, windowEnds: 1060, lockedUntil: 1080 }]);
    });

    test('failure counters: a counter past its window and lockout is over on read and restarts on the next failure', async () => {
      const store = await makeStore();
      const [a, b] = [scope(), scope()];
      await store.recordFailure(a, policy(1000));
      await store.recordFailure(b, policy(1000, 1));
      // Expiry is checked on read (DynamoDB's TTL has not deleted these items yet).
      assert.equal((await store.getCounters([a, b], 1059)).length, 2);
      assert.deepEqual(await store.getCounters([a, b], 1060), []);
      assert.deepEqual(await store.recordFailure(a, policy(1060)), { count: 1, lockedUntil: null, justLocked: false });
      assert.deepEqual(await store.getCounters([a], 1060), [{ scope: a, count: 1, windowEnds: 1120, lockedUntil: null }]);
      // A lockout that ended starts over too, and the next lockout gets its own mail.
      assert.deepEqual(await store.recordFailure(b, policy(1060, 1)), { count: 1, lockedUntil: 1120, justLocked: true });
    });

    test('10 concurrent failures are all counted, and exactly one of them starts the lockout', async () => {
      const store = await makeStore();
      const s = scope();
      const results = await Promise.all(Array.from({ length: 10 }, () => store.recordFailure(s, policy(1000, 4))));
      assert.deepEqual(
        results.map((r) => r.count).sort((x, y) => x - y),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(results.filter((r) => r.justLocked).length, 1);
      const [counter] = await store.getCounters([s], 1000);
      assert.equal(counter?.count, 10);
      assert.equal(counter?.lockedUntil, 1060);
    });

    test('10 concurrent failures on an expired counter restart it once and are all counted', async () => {
      const store = await makeStore();
      const s = scope();
      await store.recordFailure(s, policy(1000, 100));
      await Promise.all(Array.from({ length: 10 }, () => store.recordFailure(s, policy(2000, 100))));
      assert.deepEqual(await store.getCounters([s], 2000), [{ scope: s, count: 10, windowEnds: 2060, lockedUntil: null }]);
    });

    test('clearCounter deletes one scope only, and is idempotent', async () => {
      const store = await makeStore();
      const [a, b] = [scope(), scope()];
      await store.recordFailure(a, policy(1000));
      await store.recordFailure(b, policy(1000));
      await store.clearCounter(a);
      await store.clearCounter(a);
      assert.deepEqual(
        (await store.getCounters([a, b], 1000)).map((c) => c.scope),
        [b],
      );
    });

    test('listUsers pages through users in canonical email order', async () => {
      const store = await makeStore();
      const prefix = `list-${Date.now()}-`;
      const users = ['c', 'a', 'e', 'b', 'd'].map((l) => aUser({ email: `${prefix}${l}@example.com`, emailCanonical: `${prefix}${l}@example.com` }));
      for (const user of users) await store.commit([{ type: 'createUser', user }]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listUsers({ limit: 2, cursor });
        seen.push(...page.users.map((u) => u.emailCanonical).filter((e) => e.startsWith(prefix)));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, [...seen].sort());
      assert.equal(seen.length, 5);
    });
  });
}
