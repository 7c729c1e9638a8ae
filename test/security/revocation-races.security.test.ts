/**
 * Revocation races over HTTP on DynamoDB Local: loops of sign-ins and renewals racing the real
 * routes that revoke sessions (`DELETE /sessions`, `PATCH /me` with a new password, the admin
 * lock). No timers: `raceLoops` (test/support/races.ts) sends the revoking request once the
 * loops' first answers are back and keeps each loop going until one of its requests was sent
 * after the revoke answered, so requests land on both sides of it. Each test asserts that both
 * outcomes happened (a request that won before the revoke, one refused or made after it) and
 * that requests were in flight when the revoke went out, as well as the invariant: nothing from
 * before the revoke stays usable, and what survives is exactly what was made after it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { anAdmin } from '../support/accounts.js';
import { lastLinkToken } from '../support/mail.js';
import { raceLoops, type Step } from '../support/races.js';
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
  /** Sessions made before the race. */
  pairs: Array<{ accessToken: string; renewalToken: string }>;
}

async function account(sessions: number): Promise<Account> {
  const email = uniqueEmail('revoke-race');
  assert.equal((await api.request('POST', '/registration', { body: { email, password: PASSWORD } })).status, 202);
  assert.equal((await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`)).status, 200);
  const pairs = [];
  let userId = '';
  for (let i = 0; i < sessions; i++) {
    const r = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
    assert.equal(r.status, 200);
    userId = r.body.user.id as string;
    pairs.push({ accessToken: r.body.accessToken as string, renewalToken: r.body.renewalToken as string });
  }
  return { email, userId, pairs };
}

const me = (token: string) => api.request('GET', '/me', { token });
const signIn = (email: string, password = PASSWORD) => api.request('POST', '/session', { body: { email, password } });
const renew = (renewalToken: string) => api.request('POST', '/session/renew', { body: { renewalToken } });

/** A loop that signs in again and again. */
const signInLoop =
  (email: string): Step =>
  () =>
    signIn(email);
/** A loop that renews one session again and again, each time with the token the last renewal returned. */
const renewalLoop =
  (renewalToken: string): Step =>
  (previous) =>
    renew((previous?.body?.renewalToken as string | undefined) ?? renewalToken);

const usable = async (response: ApiResponse) => (await me(response.body.accessToken as string)).status === 200;

/** The race happened: requests were in flight when the revoke went out, and both outcomes were seen. */
function assertRaced(outcome: { inFlightAtSend: number }, before: number, after: number, what: [string, string]): void {
  assert.ok(outcome.inFlightAtSend > 0, 'no request was in flight when the revoke went out');
  assert.ok(before > 0, `no request ${what[0]}`);
  assert.ok(after > 0, `no request ${what[1]}`);
}

test(`sign-ins racing DELETE /sessions (${N} sign-in loops): no session from before the revoke survives; the survivors are exactly the usable sign-ins`, async (t) => {
  const acct = await account(2);
  // Under a steady stream of sign-ins, each of which moves the user's session counter, the revoke
  // may give up with 503 service_unavailable (its guard kept losing); that answer changes nothing
  // and asks the client to retry, so the client here does, at once.
  let unavailable = 0;
  const signOutEverywhere = async (): Promise<ApiResponse> => {
    for (;;) {
      const r = await api.request('DELETE', '/sessions', { token: acct.pairs[0]?.accessToken });
      if (r.status !== 503 || unavailable >= 20) return r;
      assert.equal(r.body.code, 'service_unavailable');
      unavailable += 1;
    }
  };
  const outcome = await raceLoops(
    Array.from({ length: N }, () => signInLoop(acct.email)),
    signOutEverywhere,
    N,
  );
  assert.equal(outcome.decisive.status, 204, outcome.decisive.text);
  t.diagnostic(`the revoke answered 503 ${unavailable} times before it went through`);
  // A sign-in whose write lost to a concurrent change of the user is refused like a wrong
  // password (401 invalid_credentials, nothing written); the others commit before or after the revoke.
  const answers = outcome.chains.flat();
  for (const r of answers) assert.ok(r.status === 200 || r.body.code === 'invalid_credentials', `sign-in answered ${r.status} ${r.text}`);
  const alive: ApiResponse[] = [];
  const dead: ApiResponse[] = [];
  for (const r of answers.filter((a) => a.status === 200)) ((await usable(r)) ? alive : dead).push(r);
  t.diagnostic(`${dead.length} sign-ins committed before the revoke, ${alive.length} after; ${outcome.inFlightAtSend} in flight at the revoke`);
  assertRaced(outcome, dead.length, alive.length, ['committed before the revoke (and was revoked)', 'committed after the revoke (and survived)']);
  // The sessions in the store are exactly the usable sign-ins; nothing from before the race works.
  assert.equal((await api.store.listSessions(acct.userId)).length, alive.length, 'usable tokens and stored sessions disagree');
  for (const pair of acct.pairs) assert.equal((await me(pair.accessToken)).status, 401, 'a pre-revoke access token still works');
  for (const r of dead) assert.equal((await renew(r.body.renewalToken as string)).status, 401, 'a revoked renewal token still renews');
});

test(`renewals racing DELETE /sessions (${N} sessions renewing in loops): no session survives and no renewed token works`, async (t) => {
  const acct = await account(N + 1);
  const outcome = await raceLoops(
    acct.pairs.slice(1).map((p) => renewalLoop(p.renewalToken)),
    () => api.request('DELETE', '/sessions', { token: acct.pairs[0]?.accessToken }),
    N,
  );
  assert.equal(outcome.decisive.status, 204, outcome.decisive.text);
  const answers = outcome.chains.flat();
  for (const r of answers) assert.ok([200, 401].includes(r.status), `renewal answered ${r.status}`);
  const won = answers.filter((r) => r.status === 200);
  const refused = answers.filter((r) => r.status === 401);
  t.diagnostic(`${won.length} renewals before the revoke, ${refused.length} refused after it`);
  assertRaced(outcome, won.length, refused.length, ['renewed before the revoke', 'was refused by the revoke']);
  for (const chain of outcome.chains) assert.equal(chain.at(-1)?.status, 401, 'a renewal loop still renews after the revoke');
  assert.equal((await api.store.listSessions(acct.userId)).length, 0, 'a session survived sign-out everywhere');
  for (const r of won) {
    assert.equal((await me(r.body.accessToken as string)).status, 401, 'a renewed access token outlived the revoke');
    assert.equal((await renew(r.body.renewalToken as string)).status, 401, 'a renewed renewal token outlived the revoke');
  }
});

test(`PATCH /me password change racing renewals (${N} other sessions renewing in loops): only the changer's session survives; the old password stops working`, async (t) => {
  const acct = await account(N + 1);
  const outcome = await raceLoops(
    acct.pairs.slice(1).map((p) => renewalLoop(p.renewalToken)),
    () => api.request('PATCH', '/me', { token: acct.pairs[0]?.accessToken, body: { currentPassword: PASSWORD, password: NEW_PASSWORD } }),
    N,
  );
  assert.equal(outcome.decisive.status, 200, outcome.decisive.text);
  const answers = outcome.chains.flat();
  for (const r of answers) assert.ok([200, 401].includes(r.status), `renewal answered ${r.status}`);
  const won = answers.filter((r) => r.status === 200);
  const refused = answers.filter((r) => r.status === 401);
  t.diagnostic(`${won.length} renewals before the change, ${refused.length} refused after it`);
  assertRaced(outcome, won.length, refused.length, ['renewed before the change', 'was refused after the change']);
  assert.equal((await api.store.listSessions(acct.userId)).length, 1, 'only the session that changed the password survives');
  assert.equal((await me(acct.pairs[0]?.accessToken ?? '')).status, 200);
  for (const r of won) assert.equal((await me(r.body.accessToken as string)).status, 401, 'a renewed token outlived the password change');
  assert.equal((await signIn(acct.email)).status, 401);
  assert.equal((await signIn(acct.email, NEW_PASSWORD)).status, 200);
});

test(`admin lock racing sign-in and renewal loops (${N} of each): no usable session; both answer 403 account_locked once locked`, async (t) => {
  const admin = await anAdmin(api);
  const acct = await account(N);
  const outcome = await raceLoops(
    [...Array.from({ length: N }, () => signInLoop(acct.email)), ...acct.pairs.map((p) => renewalLoop(p.renewalToken))],
    () => api.request('POST', `/admin/users/${acct.userId}/lock`, { token: admin.token }),
    N,
  );
  assert.equal(outcome.decisive.status, 200, outcome.decisive.text);
  const answers = outcome.chains.flat();
  for (const r of answers) assert.ok(r.status === 200 || (r.status === 403 && r.body.code === 'account_locked'), `answered ${r.status} ${r.text}`);
  const won = answers.filter((r) => r.status === 200);
  const locked = answers.filter((r) => r.status === 403);
  t.diagnostic(`${won.length} requests won before the lock, ${locked.length} were refused by it`);
  assertRaced(outcome, won.length, locked.length, ['won before the lock', 'was refused by the lock']);
  assert.equal((await api.store.listSessions(acct.userId)).length, 0, 'a session survived the lock');
  for (const r of won) {
    assert.equal((await me(r.body.accessToken as string)).status, 401);
    assert.equal((await renew(r.body.renewalToken as string)).status, 403);
  }
  assert.equal((await signIn(acct.email)).body.code, 'account_locked');
});
