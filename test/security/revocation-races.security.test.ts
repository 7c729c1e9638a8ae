/**
 * Revocation races over HTTP on DynamoDB Local: sign-ins and renewals racing a revoke-all
 * (sign out everywhere, lock, password change). Each row of `races` is one named test with at
 * least 10 concurrent attempts. Routes that revoke (PATCH /me, password reset, admin lock,
 * DELETE /sessions) must go through `revokeAllSessions`; until they land, the revoke is made by
 * calling it directly on the stack's store, exactly as those flows will. When a route lands,
 * add a row whose `revoke` calls it over HTTP and keep the same `assess`.
 *
 * Invariant used throughout: every committed sign-in bumps the user's `sessionSeq` by one, and a
 * revoke-all commits only if `sessionSeq` is still what it was when it listed the sessions. So
 * after the dust settles, the sessions that survive are exactly those committed after the
 * revoke: `sessions == finalSeq - seqAtRevoke`, and none made before it is usable.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import type { User } from '../../shared/domain/types.js';
import { revokeAllSessions } from '../../shared/flows/revoke.js';
import { lastLinkToken } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another horse battery staple';
const N = 10;
let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

interface Account {
  email: string;
  userId: string;
  /** Sessions made before the race (renewal targets). */
  pairs: Array<{ accessToken: string; renewalToken: string }>;
}

async function account(sessions: number): Promise<Account> {
  const email = uniqueEmail('revoke-race');
  assert.equal((await api.request('POST', '/registration', { body: { email, password: PASSWORD } })).status, 202);
  assert.equal((await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`)).status, 200);
  const pairs = [];
  for (let i = 0; i < sessions; i++) {
    const r = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
    assert.equal(r.status, 200);
    pairs.push({ accessToken: r.body.accessToken as string, renewalToken: r.body.renewalToken as string });
  }
  const first = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
  const userId = first.body.user.id as string;
  await api.request('DELETE', '/session', { token: first.body.accessToken });
  return { email, userId, pairs };
}

const me = (token: string) => api.request('GET', '/me', { token });
const signIn = (email: string, password = PASSWORD) => api.request('POST', '/session', { body: { email, password } });
const renew = (renewalToken: string) => api.request('POST', '/session/renew', { body: { renewalToken } });

/** Starts the revoke while the contenders are in flight. */
async function race(contenders: Array<() => Promise<ApiResponse>>, revoke: () => Promise<User>): Promise<{ results: ApiResponse[]; revoked: User }> {
  const started = contenders.map((c) => c());
  await new Promise((resolve) => setTimeout(resolve, 5));
  const [results, revoked] = await Promise.all([Promise.all(started), revoke()]);
  return { results, revoked };
}

async function assertOnlyPostRevokeSessions(acct: Account, revoked: User): Promise<void> {
  const user = await api.store.getUser(acct.userId);
  assert.ok(user);
  const sessions = await api.store.listSessions(acct.userId);
  assert.equal(sessions.length, user.sessionSeq - revoked.sessionSeq, 'a session committed before the revoke survived');
  assert.equal(user.sessionEpoch, revoked.sessionEpoch + 1);
  for (const pair of acct.pairs) assert.equal((await me(pair.accessToken)).status, 401, 'a pre-revoke access token still works');
}

interface Race {
  name: string;
  /** Sessions to create before the race. */
  sessions: number;
  contenders(acct: Account): Array<() => Promise<ApiResponse>>;
  revoke(acct: Account): Promise<User>;
  assess(acct: Account, results: ApiResponse[], revoked: User): Promise<void>;
}

const races: Race[] = [
  {
    name: `sign-in racing sign-out-everywhere (${N} sign-ins): no session from before the revoke survives, and each surviving session is a sign-in that won`,
    sessions: 2,
    contenders: (acct) => Array.from({ length: N }, () => () => signIn(acct.email)),
    revoke: (acct) => revokeAllSessions({ store: api.store }, acct.userId),
    async assess(acct, results, revoked) {
      for (const r of results) assert.ok([200, 401].includes(r.status), `sign-in answered ${r.status}`);
      await assertOnlyPostRevokeSessions(acct, revoked);
      const alive = await Promise.all(results.filter((r) => r.status === 200).map((r) => me(r.body.accessToken)));
      const sessions = await api.store.listSessions(acct.userId);
      assert.equal(alive.filter((r) => r.status === 200).length, sessions.length, 'usable tokens and stored sessions disagree');
    },
  },
  {
    name: `renewal racing sign-out-everywhere (${N} sessions renewing): no session survives and no renewed token works`,
    sessions: N,
    contenders: (acct) => acct.pairs.map((p) => () => renew(p.renewalToken)),
    revoke: (acct) => revokeAllSessions({ store: api.store }, acct.userId),
    async assess(acct, results, revoked) {
      for (const r of results) assert.ok([200, 401].includes(r.status), `renewal answered ${r.status}`);
      await assertOnlyPostRevokeSessions(acct, revoked);
      assert.equal((await api.store.listSessions(acct.userId)).length, 0);
      for (const r of results.filter((r) => r.status === 200)) {
        assert.equal((await me(r.body.accessToken)).status, 401, 'a renewed access token outlived the revoke');
        assert.equal((await renew(r.body.renewalToken)).status, 401, 'a renewed renewal token outlived the revoke');
      }
    },
  },
  {
    name: `password change racing renewal (${N} other sessions renewing): only the changer's session survives; the old password stops working`,
    sessions: N + 1,
    contenders: (acct) => acct.pairs.slice(1).map((p) => () => renew(p.renewalToken)),
    // What PATCH /me does: revoke every other session together with the new hash.
    revoke: async (acct) => {
      const keep = (await api.store.listSessions(acct.userId)).find((s) => acct.pairs[0]?.renewalToken.includes(s.id));
      assert.ok(keep);
      return revokeAllSessions({ store: api.store }, acct.userId, {
        set: { passwordHash: await new Argon2Hasher().hash(NEW_PASSWORD) },
        keepSessionId: keep.id,
      });
    },
    async assess(acct, results) {
      for (const r of results) assert.ok([200, 401].includes(r.status), `renewal answered ${r.status}`);
      const sessions = await api.store.listSessions(acct.userId);
      assert.equal(sessions.length, 1, 'only the session that changed the password survives');
      assert.equal((await me(acct.pairs[0]?.accessToken ?? '')).status, 200);
      for (const r of results.filter((r) => r.status === 200)) assert.equal((await me(r.body.accessToken)).status, 401);
      assert.equal((await signIn(acct.email)).status, 401);
      assert.equal((await signIn(acct.email, NEW_PASSWORD)).status, 200);
    },
  },
  {
    name: `lock racing sign-in and renewal (${N} sign-ins, ${N} renewals): no usable session; renewals answer 403 account_locked once locked`,
    sessions: N,
    contenders: (acct) => [...Array.from({ length: N }, () => () => signIn(acct.email)), ...acct.pairs.map((p) => () => renew(p.renewalToken))],
    // What the admin lock does: set `locked` and revoke every session in one transaction.
    revoke: (acct) => revokeAllSessions({ store: api.store }, acct.userId, { set: { locked: true } }),
    async assess(acct, results) {
      for (const r of results) assert.ok([200, 401, 403].includes(r.status), `answered ${r.status}`);
      for (const r of results.filter((r) => r.status === 403)) assert.equal(r.body.code, 'account_locked');
      assert.equal((await api.store.listSessions(acct.userId)).length, 0, 'a session survived the lock');
      for (const r of results.filter((r) => r.status === 200)) {
        assert.equal((await me(r.body.accessToken)).status, 401);
        assert.equal((await renew(r.body.renewalToken)).status, 403);
      }
      assert.equal((await signIn(acct.email)).status, 403);
    },
  },
  // To add when the routes land (same shape, HTTP contenders):
  // - one reset token used 10 times in parallel → exactly one 200, the rest 404 invalid_token;
  // - one invitation token accepted 10 times in parallel → exactly one 201, one account;
  // - admin lock over HTTP racing sign-in and renewal (replace the simulated lock above);
  // - PATCH /me password change over HTTP racing renewal (replace the simulated change above);
  // - DELETE /me racing sign-in → no session, email free to register again.
];

for (const row of races) {
  test(row.name, async () => {
    const acct = await account(row.sessions);
    const { results, revoked } = await race(row.contenders(acct), () => row.revoke(acct));
    await row.assess(acct, results, revoked);
  });
}
