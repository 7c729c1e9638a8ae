import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConflictError } from '../../shared/domain/errors.js';
import type { MfaChallenge } from '../../shared/domain/types.js';
import { commitInChunks, countItems } from '../../shared/ports/commit-chunks.js';
import { type AuthStore, CommitShapeError, MAX_ITEMS_PER_COMMIT, type WriteOp } from '../../shared/ports/store.js';
import { aSession, aToken, aUser } from '../support/fixtures.js';

async function conflict(promise: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof ConflictError && error.reason === reason);
}

/**
 * The behaviour every {@link AuthStore} adapter must have. Run against the in-memory adapter and
 * against the DynamoDB adapter on DynamoDB Local, so the fast one cannot drift from the real one.
 */
/** Makes a fresh store; `clock` (epoch ms) is what the store checks expiry against. */
export type MakeStore = (clock?: { now(): number }) => Promise<AuthStore>;

/**
 * The user's record as the adapter stores it, read behind the port: on DynamoDB the raw user
 * item (`PROFILE`), in memory the stored record without `sessionSeq` (the twin of the sequence
 * item, which memory keeps inside the record). What "a write leaves the user item untouched" is
 * checked on.
 */
export type UserRecordOf = (store: AuthStore, userId: string) => Promise<Record<string, unknown> | undefined>;

export function storeContract(name: string, makeStore: MakeStore, userRecordOf: UserRecordOf): void {
  describe(`AuthStore contract: ${name}`, () => {
    test('a never-confirmed account is absent once expired, its claim is replaced by a new registration, and confirming removes the expiry', async () => {
      // In the real future: DynamoDB Local's TTL deleter must not remove the items mid-test.
      let ms = Date.now() + 365 * 86400_000;
      const store = await makeStore({ now: () => ms });
      const at = Math.floor(ms / 1000);
      const old = aUser({ emailConfirmed: false, expiresAt: at + 100 });
      await store.commit([{ type: 'createUser', user: old }]);
      assert.equal((await store.findUserByEmail(old.emailCanonical))?.id, old.id);
      // Before expiry the claim holds: a second account for the address is refused.
      const rival = aUser({ email: old.email, emailCanonical: old.emailCanonical });
      await assert.rejects(store.commit([{ type: 'createUser', user: rival }]), (e: ConflictError) => e.reason === 'email_taken');
      // Moving the expiry forward takes the claim along; a foreign user cannot move it.
      await store.commit([
        { type: 'updateUser', id: old.id, set: { expiresAt: at + 200 } },
        { type: 'setClaimExpiry', emailCanonical: old.emailCanonical, userId: old.id, expiresAt: at + 200 },
      ]);
      await assert.rejects(
        store.commit([{ type: 'setClaimExpiry', emailCanonical: old.emailCanonical, userId: rival.id, expiresAt: null }]),
        (e: ConflictError) => e.reason === 'user_changed',
      );
      ms += 150_000;
      assert.equal((await store.getUser(old.id))?.id, old.id, 'the moved expiry is not reached yet');
      await assert.rejects(store.commit([{ type: 'createUser', user: rival }]), (e: ConflictError) => e.reason === 'email_taken');
      ms += 60_000;
      assert.equal(await store.getUser(old.id), undefined);
      assert.equal(await store.findUserByEmail(old.emailCanonical), undefined);
      assert.equal((await store.listUserItems(old.id)).user, undefined);
      assert.ok(!(await store.listUsers({ limit: 100 })).users.some((u) => u.id === old.id));
      // The address registers afresh over the expired claim.
      const fresh = aUser({ email: old.email, emailCanonical: old.emailCanonical, emailConfirmed: false, expiresAt: at + 1000 });
      await store.commit([{ type: 'createUser', user: fresh }]);
      assert.equal((await store.findUserByEmail(old.emailCanonical))?.id, fresh.id);
      // Confirmation removes the expiry of user and claim: it outlives its former deadline.
      await store.commit([
        { type: 'updateUser', id: fresh.id, set: { emailConfirmed: true, expiresAt: null } },
        { type: 'setClaimExpiry', emailCanonical: fresh.emailCanonical, userId: fresh.id, expiresAt: null },
      ]);
      ms += 10_000_000;
      const kept = await store.findUserByEmail(fresh.emailCanonical);
      assert.equal(kept?.id, fresh.id);
      assert.ok(kept.expiresAt === undefined || kept.expiresAt === null);
      await assert.rejects(
        store.commit([{ type: 'createUser', user: aUser({ email: old.email, emailCanonical: old.emailCanonical }) }]),
        (e: ConflictError) => e.reason === 'email_taken',
      );
    });

    test("an email change may take over an expired never-confirmed account's claim, not a live one", async () => {
      // In the real future: DynamoDB Local's TTL deleter must not remove the items mid-test.
      let ms = Date.now() + 365 * 86400_000;
      const store = await makeStore({ now: () => ms });
      const squatter = aUser({ emailConfirmed: false, expiresAt: Math.floor(ms / 1000) + 60 });
      const mover = aUser();
      await store.commit([
        { type: 'createUser', user: squatter },
        { type: 'createUser', user: mover },
      ]);
      const move = (): WriteOp => ({ type: 'moveEmail', userId: mover.id, from: mover.emailCanonical, to: squatter.emailCanonical, email: squatter.email });
      await assert.rejects(store.commit([move()]), (e: ConflictError) => e.reason === 'email_taken');
      ms += 61_000;
      await store.commit([move()]);
      assert.equal((await store.findUserByEmail(squatter.emailCanonical))?.id, mover.id);
      ms += 10_000_000;
      assert.equal((await store.findUserByEmail(squatter.emailCanonical))?.id, mover.id, 'the moved claim does not expire');
    });

    test('the unconfirmed guard fails once the email is confirmed', async () => {
      const store = await makeStore();
      const user = aUser({ emailConfirmed: false });
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([{ type: 'checkUser', id: user.id, guard: { unconfirmed: true } }]);
      await store.commit([{ type: 'updateUser', id: user.id, set: { emailConfirmed: true } }]);
      await assert.rejects(
        store.commit([{ type: 'updateUser', id: user.id, set: { passwordHash: 'x' }, guard: { unconfirmed: true } }]),
        (e: ConflictError) => e.reason === 'user_changed',
      );
    });

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

    // --- brand: the user's locale (hosted-ui.md §8) ---
    test('a user locale persists through createUser and updateUser, and null replaces it', async () => {
      const store = await makeStore();
      const user = aUser({ locale: 'de' });
      await store.commit([{ type: 'createUser', user }]);
      assert.equal((await store.getUser(user.id))?.locale, 'de');
      await store.commit([{ type: 'updateUser', id: user.id, set: { locale: 'en' }, guard: { emailCanonical: user.emailCanonical } }]);
      assert.equal((await store.findUserByEmail(user.emailCanonical))?.locale, 'en');
      await store.commit([{ type: 'updateUser', id: user.id, set: { locale: null } }]);
      assert.equal((await store.getUser(user.id))?.locale ?? null, null);
      await conflict(
        store.commit([{ type: 'updateUser', id: user.id, set: { locale: 'de' }, guard: { emailCanonical: 'other@example.com' } }]),
        'user_changed',
      );
    });
    // --- end brand ---

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

    test('the breachNoticeHashNot guard holds while the notice hash is missing or different, and fails once it is set to that value', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      // Missing: the guard holds, and the write sets it.
      await store.commit([{ type: 'updateUser', id: user.id, set: { breachNoticeHash: 'h1' }, guard: { breachNoticeHashNot: 'h1' } }]);
      assert.equal((await store.getUser(user.id))?.breachNoticeHash, 'h1');
      // The same value: refused, nothing written.
      await conflict(
        store.commit([{ type: 'updateUser', id: user.id, set: { breachNoticeHash: 'h1', role: 'admin' }, guard: { breachNoticeHashNot: 'h1' } }]),
        'user_changed',
      );
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { breachNoticeHashNot: 'h1' } }]), 'user_changed');
      assert.equal((await store.getUser(user.id))?.role, user.role);
      // A different value (a new password's hash): the guard holds again.
      await store.commit([{ type: 'updateUser', id: user.id, set: { breachNoticeHash: 'h2' }, guard: { breachNoticeHashNot: 'h2' } }]);
      assert.equal((await store.getUser(user.id))?.breachNoticeHash, 'h2');
      await conflict(store.commit([{ type: 'checkUser', id: 'b1a7e2c4-0000-4000-8000-000000000000', guard: { breachNoticeHashNot: 'h2' } }]), 'not_found');
      // Of concurrent writes with the same value exactly one wins.
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          store.commit([{ type: 'updateUser', id: user.id, set: { breachNoticeHash: 'h3' }, guard: { breachNoticeHashNot: 'h3' } }]),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as ConflictError).reason, 'user_changed');
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
      assert.deepEqual(none, { user: undefined, sessions: [], tokens: [], passkeys: [] });
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
        // A plain Error (a bug in the caller, not a conflict): it names the rule, never a code.
        (error: unknown) => error instanceof Error && !(error instanceof ConflictError) && /two writes on one item/.test(error.message),
      );
    });

    test('a commit takes at most MAX_ITEMS_PER_COMMIT items, counted as items: 100 pass, 101 are refused whole', async () => {
      const store = await makeStore();
      assert.equal(MAX_ITEMS_PER_COMMIT, 100);
      const user = aUser();
      // createUser is 2 items (user and claim): with 98 sessions, exactly 100.
      const sessions = Array.from({ length: 99 }, () => aSession(user.id));
      await store.commit([{ type: 'createUser', user }, ...sessions.slice(0, 98).map((session): WriteOp => ({ type: 'putSession', session }))]);
      assert.equal((await store.listSessions(user.id)).length, 98);

      const other = aUser();
      const more = Array.from({ length: 99 }, () => aSession(other.id));
      const tooMany = [{ type: 'createUser', user: other } as WriteOp, ...more.map((session): WriteOp => ({ type: 'putSession', session }))];
      assert.equal(countItems(tooMany), 101);
      await assert.rejects(store.commit(tooMany), (error: unknown) => error instanceof CommitShapeError && error.code === 'too_many_items');
      assert.equal(await store.getUser(other.id), undefined, 'nothing of a refused commit is written');
      assert.equal((await store.listSessions(other.id)).length, 0);

      // 99 writes but 101 items (moveEmail is 3: the user, the old and the new claim): refused too.
      const moved = [
        { type: 'moveEmail', userId: user.id, from: user.emailCanonical, to: aUser().emailCanonical, email: 'x@example.com' } as WriteOp,
        ...sessions.slice(0, 98).map((s): WriteOp => ({ type: 'deleteSession', userId: user.id, id: s.id })),
      ];
      assert.equal(moved.length, 99);
      await assert.rejects(store.commit(moved), (error: unknown) => error instanceof CommitShapeError && error.code === 'too_many_items');
      assert.equal((await store.getUser(user.id))?.emailCanonical, user.emailCanonical);
    });

    test('commitInChunks: the head and what fits beside it in one commit, the rest in chunks of at most 100 items', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      const sessions = Array.from({ length: 250 }, () => aSession(user.id));
      for (let i = 0; i < sessions.length; i += 100) {
        await store.commit(sessions.slice(i, i + 100).map((session): WriteOp => ({ type: 'putSession', session })));
      }
      const commits: number[] = [];
      const counting = {
        commit: (ops: WriteOp[]) => {
          commits.push(countItems(ops));
          return store.commit(ops);
        },
      };
      await commitInChunks(
        counting,
        [{ type: 'deleteUser', id: user.id, emailCanonical: user.emailCanonical }],
        sessions.map((s): WriteOp => ({ type: 'deleteSession', userId: user.id, id: s.id })),
      );
      // A deletion is 3 items: the user, its claim and its session sequence (`itemsOf`).
      assert.deepEqual(commits, [100, 100, 53]);
      assert.equal(await store.getUser(user.id), undefined);
      assert.equal((await store.listSessions(user.id)).length, 0);
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

    test('countMail: an atomic count under the limit; mail_capped past it, mail_window once the window is over, and a restart starts a new one', async () => {
      const store = await makeStore();
      const scope = `mail:reset:${randomUUID()}`;
      const count = (now: number, restart = false) => ({ type: 'countMail' as const, scope, now, windowSeconds: 60, limit: 2, restart });
      await store.commit([count(1000)]);
      await store.commit([count(1010)]);
      await conflict(store.commit([count(1020)]), 'mail_capped');
      await conflict(store.commit([count(1000, true)]), 'mail_window'); // the window still runs: no restart
      await conflict(store.commit([count(1060)]), 'mail_window'); // over (checked on write, whatever the TTL did)
      await store.commit([count(1060, true)]);
      await store.commit([count(1061)]);
      await conflict(store.commit([count(1062)]), 'mail_capped');
    });

    test('an outbox mail and its count are written with the change or not at all; a mail id is never overwritten', async () => {
      const store = await makeStore();
      const scope = `mail:invitation:${randomUUID()}`;
      const count = { type: 'countMail' as const, scope, now: 1000, windowSeconds: 60, limit: 1, restart: false };
      const mail = {
        id: randomUUID(),
        template: 'invitation',
        userId: null,
        message: { to: 'someone@example.com', subject: 's', text: 't', html: 'h' },
        createdAt: '2026-01-01T00:00:00.000Z',
        expiresAt: 2000,
      };
      await conflict(store.commit([{ type: 'checkUser', id: randomUUID(), guard: {} }, count, { type: 'enqueueMail', mail }]), 'not_found');
      // Nothing was counted or queued: the count still passes, and the id is free.
      await store.commit([count, { type: 'enqueueMail', mail }]);
      await conflict(store.commit([{ type: 'enqueueMail', mail: { ...mail, template: 'other' } }]), 'token_mismatch');
      await store.commit([{ type: 'deleteMail', id: mail.id }]);
      await store.commit([{ type: 'enqueueMail', mail }]);
      await store.commit([{ type: 'deleteMail', id: mail.id }]);
    });

    test('a renewal is one conditional write: a spent hash is token_mismatch, a role swept meanwhile is user_changed, a gone session session_gone', async () => {
      const store = await makeStore();
      const user = aUser();
      const session = aSession(user.id, { role: 'user', renewalHash: 'h0' });
      await store.commit([
        { type: 'createUser', user },
        { type: 'putSession', session },
      ]);
      const renew = (ifRenewalHash: string, ifRole: string): WriteOp => ({
        type: 'updateSession',
        userId: user.id,
        id: session.id,
        ifRenewalHash,
        ifRole,
        set: { renewalHash: `${ifRenewalHash}+`, role: 'user' },
      });
      await conflict(store.commit([renew('other', 'user')]), 'token_mismatch');
      // A role change rewrote the session's role after the renewal read it.
      await store.commit([{ type: 'updateSession', userId: user.id, id: session.id, set: { role: 'admin' } }]);
      await conflict(store.commit([renew('h0', 'user')]), 'user_changed');
      assert.equal((await store.getSession(user.id, session.id))?.role, 'admin');
      await store.commit([renew('h0', 'admin')]);
      assert.equal((await store.getSession(user.id, session.id))?.renewalHash, 'h0+');
      await store.commit([{ type: 'deleteSession', userId: user.id, id: session.id }]);
      await conflict(store.commit([renew('h0+', 'user')]), 'session_gone');
    });
    test('second factor: a TOTP step is spent once and only upwards, a recovery code once, with code_spent; TOTP guards and removal', async () => {
      const store = await makeStore();
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      // Enrolling and confirming need TOTP off.
      await store.commit([{ type: 'checkUser', id: user.id, guard: { totp: true } }]);
      await store.commit([
        {
          type: 'updateUser',
          id: user.id,
          set: {
            totp: { secretEnc: 'enc-1', lastStep: 100, enabledAt: '2026-01-01T00:00:00.000Z' },
            mfaEnabled: true,
            recoveryCodes: { c1: { hash: 'h1' }, c2: { hash: 'h2' } },
            recoveryCodesCreatedAt: '2026-01-01T00:00:00.000Z',
          },
          guard: { totp: true },
        },
      ]);
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { totp: true } }]), 'user_changed');
      const spendStep = (step: number, conditionOnly?: boolean): WriteOp => ({
        type: 'updateUser',
        id: user.id,
        spend: { totpStep: step, ...(conditionOnly ? { conditionOnly } : {}) },
        bumpSeq: true,
      });
      await conflict(store.commit([spendStep(100)]), 'code_spent');
      await conflict(store.commit([spendStep(99)]), 'code_spent');
      await store.commit([spendStep(101)]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 101);
      await conflict(store.commit([spendStep(101)]), 'code_spent');
      // Of two concurrent spends of one step, exactly one wins.
      const raced = await Promise.allSettled([store.commit([spendStep(102)]), store.commit([spendStep(102)])]);
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
      // Condition only: nothing written, but the step is checked.
      await conflict(store.commit([{ type: 'updateUser', id: user.id, spend: { totpStep: 102, conditionOnly: true } }]), 'code_spent');
      await store.commit([{ type: 'updateUser', id: user.id, spend: { totpStep: 200, conditionOnly: true } }]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 102);
      // Recovery codes: once each; an unknown one is spent as well.
      const useCode = (id: string): WriteOp => ({ type: 'updateUser', id: user.id, spend: { recoveryCode: { id, usedAt: '2026-01-02T00:00:00.000Z' } } });
      const codes = await Promise.allSettled([store.commit([useCode('c1')]), store.commit([useCode('c1')])]);
      assert.equal(codes.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal((await store.getUser(user.id))?.recoveryCodes?.c1?.usedAt, '2026-01-02T00:00:00.000Z');
      assert.equal((await store.getUser(user.id))?.recoveryCodes?.c2?.usedAt, undefined);
      await conflict(store.commit([useCode('c1')]), 'code_spent');
      await conflict(store.commit([useCode('nope')]), 'code_spent');
      // A guard failing besides a fresh code is user_changed, not code_spent.
      await conflict(store.commit([{ ...spendStep(300), guard: { sessionEpoch: 99 } } as WriteOp]), 'user_changed');
      // Disabling: the TOTP read must still be the one; removal of the attributes.
      await conflict(store.commit([{ type: 'updateUser', id: user.id, remove: ['totp'], guard: { totp: 'enc-other' } }]), 'user_changed');
      await store.commit([
        {
          type: 'updateUser',
          id: user.id,
          set: { mfaEnabled: false },
          remove: ['totp', 'recoveryCodes', 'recoveryCodesCreatedAt'],
          guard: { totp: 'enc-1', mfaEnabled: true },
        },
      ]);
      const off = await store.getUser(user.id);
      assert.equal(off?.totp, undefined);
      assert.equal(off?.recoveryCodes, undefined);
      assert.equal(off?.mfaEnabled, false);
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { mfaEnabled: true } }]), 'user_changed');
      await conflict(store.commit([spendStep(500)]), 'code_spent');
    });

    // Issue 17 (write cost): a spent TOTP step is recorded beside the user record, never in it.
    const totpUser = (lastStep: number) => aUser({ totp: { secretEnc: 'enc-1', lastStep, enabledAt: '2026-01-01T00:00:00.000Z' }, mfaEnabled: true });
    const spend = (id: string, totpStep: number, extra: Partial<Extract<WriteOp, { type: 'updateUser' }>> = {}): WriteOp => ({
      type: 'updateUser',
      id,
      spend: { totpStep },
      ...extra,
    });

    test('a TOTP step spent (second step, step-up) leaves the user record untouched and reads back as totp.lastStep', async () => {
      const store = await makeStore();
      const user = totpUser(100);
      const session = aSession(user.id);
      await store.commit([
        { type: 'createUser', user },
        { type: 'putSession', session },
      ]);
      const before = await userRecordOf(store, user.id);
      assert.ok(before);
      // The second step's shape: the sign-in's guards and sequence bump, the step, a new session.
      const guard = { sessionEpoch: 0, unlocked: true, passwordHash: user.passwordHash, sessionSeqAtMost: 0 };
      await store.commit([spend(user.id, 101, { guard, bumpSeq: true }), { type: 'putSession', session: aSession(user.id) }]);
      assert.deepEqual(await userRecordOf(store, user.id), before);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 101);
      assert.equal((await store.listUserItems(user.id)).user?.totp?.lastStep, 101);
      assert.equal((await store.findUserByEmail(user.emailCanonical))?.totp?.lastStep, 101);
      assert.equal((await store.getUser(user.id))?.sessionSeq, 1, 'the bump and the step share the one write of the sequence');
      // A commit's item count (DynamoDB's 100 actions) counts the item the step is recorded on.
      assert.equal(countItems([spend(user.id, 999)]), 2);
      // The step-up's shape: the session's update and the step alone.
      await store.commit([{ type: 'updateSession', userId: user.id, id: session.id, set: { authTime: 1 } }, spend(user.id, 102)]);
      assert.deepEqual(await userRecordOf(store, user.id), before);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 102);
      for (const replay of [102, 101, 100, 50]) await conflict(store.commit([spend(user.id, replay)]), 'code_spent');
      // A spent step is final even when another guard fails in the same write (no retry can succeed).
      await conflict(store.commit([spend(user.id, 102, { guard: { sessionSeqAtMost: 0 }, bumpSeq: true })]), 'code_spent');
      await conflict(store.commit([spend(user.id, 102, { guard: { sessionEpoch: 7 } })]), 'code_spent');
      await conflict(store.commit([spend(user.id, 103, { guard: { sessionSeqAtMost: 0 }, bumpSeq: true })]), 'user_changed');
      await conflict(store.commit([spend(user.id, 103, { guard: { sessionEpoch: 7 } })]), 'user_changed');
      // A data-key rotation on use (rare) writes the re-encrypted secret, and only that.
      await store.commit([{ type: 'updateUser', id: user.id, spend: { totpStep: 103, totpSecretEnc: 'enc-1-rewrapped' } }]);
      const rotated = await userRecordOf(store, user.id);
      assert.deepEqual(rotated, { ...before, totp: { ...(before.totp as object), secretEnc: 'enc-1-rewrapped' } });
      const read = await store.getUser(user.id);
      assert.deepEqual([read?.totp?.secretEnc, read?.totp?.lastStep], ['enc-1-rewrapped', 103]);
    });

    test('a user record written before the step moved (totp.lastStep N, no step spent beside it) refuses step N; the condition holds against both', async () => {
      const store = await makeStore();
      const user = totpUser(500);
      await store.commit([{ type: 'createUser', user }]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 500);
      await conflict(store.commit([spend(user.id, 500)]), 'code_spent');
      await conflict(store.commit([spend(user.id, 499, { bumpSeq: true })]), 'code_spent');
      await store.commit([spend(user.id, 501, { bumpSeq: true })]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 501);
      // The record's own step above the spent one (an old version spent 600 on the record while
      // a new one had recorded 501 beside it, during a deploy): reads and conditions take 600.
      await store.commit([{ type: 'updateUser', id: user.id, set: { totp: { secretEnc: 'enc-1', lastStep: 600, enabledAt: '2026-01-01T00:00:00.000Z' } } }]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 600);
      await conflict(store.commit([spend(user.id, 550)]), 'code_spent');
      await conflict(store.commit([spend(user.id, 600)]), 'code_spent');
      await store.commit([spend(user.id, 601)]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 601);
      // Of 8 concurrent spends of one step, exactly one wins; the others see it spent (or, on
      // DynamoDB, gave up retrying transaction conflicts: nothing written, a 503).
      const raced = await Promise.allSettled(Array.from({ length: 8 }, () => store.commit([spend(user.id, 602, { bumpSeq: true })])));
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
      for (const lost of raced.filter((r) => r.status === 'rejected')) {
        const error = lost.reason as Error;
        assert.ok((error instanceof ConflictError && error.reason === 'code_spent') || error.name === 'ServiceUnavailableError', String(error));
      }
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 602);
    });

    test('TOTP turned off and on again keeps refusing a replayed step (the larger step is a lower bound)', async () => {
      const store = await makeStore();
      const user = totpUser(100);
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([spend(user.id, 105, { bumpSeq: true })]);
      // Off (the code that proves it only checked), then on again with a new secret whose
      // confirming code matched an earlier step than the last one spent (time steps only grow:
      // at most the same step, here lower to prove the larger wins).
      await store.commit([
        {
          type: 'updateUser',
          id: user.id,
          set: { mfaEnabled: false },
          remove: ['totp'],
          guard: { totp: 'enc-1' },
          spend: { totpStep: 106, conditionOnly: true },
        },
      ]);
      assert.equal((await store.getUser(user.id))?.totp, undefined);
      await conflict(store.commit([spend(user.id, 107)]), 'code_spent');
      await store.commit([
        {
          type: 'updateUser',
          id: user.id,
          set: { mfaEnabled: true, totp: { secretEnc: 'enc-2', lastStep: 103, enabledAt: '2026-01-02T00:00:00.000Z' } },
          guard: { totp: true },
        },
      ]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 105);
      for (const replay of [105, 104, 103]) await conflict(store.commit([spend(user.id, replay)]), 'code_spent');
      await store.commit([spend(user.id, 106)]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 106);
      assert.equal((await store.getUser(user.id))?.totp?.secretEnc, 'enc-2');
      // Re-enrolled later: the record's newer step wins.
      await store.commit([{ type: 'updateUser', id: user.id, remove: ['totp'], guard: { totp: 'enc-2' } }]);
      await store.commit([{ type: 'updateUser', id: user.id, set: { totp: { secretEnc: 'enc-3', lastStep: 900, enabledAt: '2026-01-03T00:00:00.000Z' } } }]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 900);
      await conflict(store.commit([spend(user.id, 900)]), 'code_spent');
      await store.commit([spend(user.id, 901)]);
      // Deleting the user deletes the step spent beside it: a user made again under the id starts afresh.
      await store.commit([{ type: 'deleteUser', id: user.id, emailCanonical: user.emailCanonical }]);
      assert.equal(await store.getUser(user.id), undefined);
      assert.equal(await userRecordOf(store, user.id), undefined);
      await store.commit([{ type: 'createUser', user: { ...user, totp: { secretEnc: 'enc-4', lastStep: 10, enabledAt: '2026-01-04T00:00:00.000Z' } } }]);
      assert.equal((await store.getUser(user.id))?.totp?.lastStep, 10);
      await store.commit([spend(user.id, 11)]);
    });

    test('a pending TOTP enrolment is replaced by a newer one and consumed once, only while unexpired and unchanged', async () => {
      const store = await makeStore();
      const user = aUser();
      const now = Math.floor(Date.now() / 1000);
      await store.commit([{ type: 'createUser', user }]);
      assert.equal(await store.getTotpPending(user.id), undefined);
      await store.commit([{ type: 'putTotpPending', pending: { userId: user.id, secretEnc: 'p1', expiresAt: now + 600 } }]);
      await store.commit([{ type: 'putTotpPending', pending: { userId: user.id, secretEnc: 'p2', expiresAt: now + 600 } }]);
      assert.deepEqual(await store.getTotpPending(user.id), { userId: user.id, secretEnc: 'p2', expiresAt: now + 600 });
      const consume = (secretEnc: string, at: number): WriteOp => ({ type: 'consumeTotpPending', userId: user.id, secretEnc, now: at });
      await conflict(store.commit([consume('p1', now)]), 'token_mismatch');
      await conflict(store.commit([consume('p2', now + 600)]), 'token_mismatch');
      const raced = await Promise.allSettled([store.commit([consume('p2', now)]), store.commit([consume('p2', now)])]);
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal(await store.getTotpPending(user.id), undefined);
    });

    test('an MFA challenge is never replaced, counts wrong answers only under its budget, and is consumed once while live', async () => {
      const store = await makeStore();
      const user = aUser();
      const now = Math.floor(Date.now() / 1000);
      await store.commit([{ type: 'createUser', user }]);
      const challenge: MfaChallenge = {
        userId: user.id,
        hash: 'h1',
        rememberMe: true,
        firstFactorAmr: ['pwd'],
        method: 'password',
        sessionEpoch: user.sessionEpoch,
        attempts: 0,
        warnings: [],
        ip: '198.51.100.7',
        userAgent: null,
        expiresAt: now + 300,
      };
      assert.equal(await store.getMfaChallenge(user.id, 'h1'), undefined);
      await store.commit([{ type: 'putMfaChallenge', challenge }]);
      assert.deepEqual(await store.getMfaChallenge(user.id, 'h1'), challenge);
      await conflict(store.commit([{ type: 'putMfaChallenge', challenge: { ...challenge, rememberMe: false } }]), 'token_mismatch');
      const fail = (at: number): WriteOp => ({ type: 'failMfaChallenge', userId: user.id, hash: 'h1', max: 3, now: at });
      const consume = (at: number): WriteOp => ({ type: 'consumeMfaChallenge', userId: user.id, hash: 'h1', max: 3, now: at });
      await conflict(store.commit([fail(now + 300)]), 'token_mismatch');
      // A burst of 8 wrong answers spends exactly the budget of 3.
      const burst = await Promise.allSettled(Array.from({ length: 8 }, () => store.commit([fail(now)])));
      assert.equal(burst.filter((r) => r.status === 'fulfilled').length, 3);
      for (const r of burst) if (r.status === 'rejected') assert.equal((r.reason as { reason?: string }).reason, 'token_mismatch');
      assert.equal((await store.getMfaChallenge(user.id, 'h1'))?.attempts, 3);
      // Exhausted: even the right answer cannot consume it.
      await conflict(store.commit([consume(now)]), 'token_mismatch');
      // A live one is consumed once, never after its expiry.
      await store.commit([{ type: 'putMfaChallenge', challenge: { ...challenge, hash: 'h2' } }]);
      const consume2 = (at: number): WriteOp => ({ type: 'consumeMfaChallenge', userId: user.id, hash: 'h2', max: 3, now: at });
      await conflict(store.commit([consume2(now + 300)]), 'token_mismatch');
      const raced = await Promise.allSettled([store.commit([consume2(now)]), store.commit([consume2(now)])]);
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal(await store.getMfaChallenge(user.id, 'h2'), undefined);
    });

    test('a step-up rewrites a session only while it still has the token that proved it (token_mismatch otherwise)', async () => {
      const store = await makeStore();
      const user = aUser();
      const session = aSession(user.id, { currentJti: 'j1' });
      await store.commit([
        { type: 'createUser', user },
        { type: 'putSession', session },
      ]);
      await conflict(store.commit([{ type: 'updateSession', userId: user.id, id: session.id, ifJti: 'j0', set: { authTime: 5 } }]), 'token_mismatch');
      await store.commit([{ type: 'updateSession', userId: user.id, id: session.id, ifJti: 'j1', set: { amr: ['pwd', 'otp', 'mfa'], authTime: 5 } }]);
      const read = await store.getSession(user.id, session.id);
      assert.deepEqual(read?.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(read?.authTime, 5);
    });
  });
}
