/**
 * Property: a user has at most `AUTH_MAX_SESSIONS_PER_USER` live sessions. Starting one more
 * revokes the oldest in the same transaction, conditioned on the user's sessions being the ones
 * listed, so a burst of concurrent sign-ins at the cap never leaves more. `GET /sessions` is
 * paged, and paging walks every session once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LatchClient } from '../../client/index.js';
import { authorizerAllows, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const CAP = 4;
/** Concurrent sign-ins in the burst (each verifies a password: more would overrun the functions' time limit on a small machine). */
const BURST = 14;
let api: TestStack;

before(async () => {
  // Many sign-ins of one account at once are the point here, not brute force.
  api = await startTestStack({ AUTH_MAX_SESSIONS_PER_USER: String(CAP), AUTH_MAX_FAILED_SIGN_INS: '1000' });
});
after(async () => {
  await api.close();
});

test('a burst of 14 concurrent sign-ins at the cap never leaves more than the cap of live sessions', async (t) => {
  const user = await seedUser(api);
  const existing = [];
  for (let i = 0; i < CAP; i++) existing.push(await signInAs(api, user));
  assert.equal((await api.store.listSessions(user.id)).length, CAP);

  let sent = 0;
  let sentBeforeFirstAnswer = -1;
  const responses = await Promise.all(
    Array.from({ length: BURST }, () => {
      sent += 1;
      return api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } }).then((response) => {
        if (sentBeforeFirstAnswer < 0) sentBeforeFirstAnswer = sent;
        return response;
      });
    }),
  );
  assert.equal(sentBeforeFirstAnswer, BURST); // they overlapped
  const started = responses.filter((r) => r.status === 200);
  for (const response of responses.filter((r) => r.status !== 200)) {
    // Sign-ins that kept losing the race to other sign-ins of the same user are told to retry.
    assert.equal(response.status, 503, response.text);
    assert.equal(response.body.code, 'service_unavailable');
  }
  t.diagnostic(`${started.length} of ${BURST} sign-ins started a session, ${BURST - started.length} were told to retry`);
  // More sessions started during the burst than the cap holds, so the burst had to revoke.
  assert.ok(started.length > CAP, `only ${started.length} sign-ins succeeded`);

  const sessions = await api.store.listSessions(user.id);
  assert.equal(sessions.length, CAP);
  // Exactly the stored sessions' tokens work; every other token handed out is dead.
  let usable = 0;
  for (const pair of [...existing, ...started.map((r) => r.body)]) {
    if (await authorizerAllows(api, pair.accessToken)) usable += 1;
  }
  assert.equal(usable, CAP);
  // The oldest sessions went first: none of those from before the burst survived it.
  for (const pair of existing) assert.equal(await authorizerAllows(api, pair.accessToken), false);
});

test('starting one session more than the cap revokes the oldest', async () => {
  const user = await seedUser(api);
  const pairs = [];
  for (let i = 0; i < CAP + 1; i++) pairs.push(await signInAs(api, user));
  const [oldest, ...rest] = pairs;
  assert.ok(oldest);
  assert.equal(await authorizerAllows(api, oldest.accessToken), false);
  assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: oldest.renewalToken } })).body.code, 'unauthorized');
  for (const pair of rest) assert.equal(await authorizerAllows(api, pair.accessToken), true);
});

test('paging GET /sessions walks every live session once, newest first; bad limit or cursor is 422', async () => {
  const user = await seedUser(api);
  const pairs = [];
  for (let i = 0; i < CAP; i++) pairs.push(await signInAs(api, user));
  const token = pairs[0]?.accessToken ?? '';

  const seen: { id: string; createdAt: string; current: boolean }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
    const page = await api.request('GET', `/sessions${query}`, { token });
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(Object.keys(page.body).sort(), ['nextCursor', 'sessions']);
    assert.ok(page.body.sessions.length <= 2);
    seen.push(...page.body.sessions);
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor);
  assert.equal(pages, Math.ceil(CAP / 2));
  const ids = seen.map((s) => s.id);
  assert.equal(new Set(ids).size, CAP, 'a session was listed twice');
  assert.deepEqual([...ids].sort(), (await api.store.listSessions(user.id)).map((s) => s.id).sort());
  assert.deepEqual(
    seen.map((s) => s.createdAt),
    [...seen.map((s) => s.createdAt)].sort().reverse(),
  );
  assert.equal(seen.filter((s) => s.current).length, 1);

  // Without a limit: one page of up to 20.
  const all = await api.request('GET', '/sessions', { token });
  assert.equal(all.body.sessions.length, CAP);
  assert.equal(all.body.nextCursor, null);

  for (const limit of ['0', '101', 'abc', '-1', '1.5']) {
    const bad = await api.request('GET', `/sessions?limit=${limit}`, { token });
    assert.equal(bad.status, 422, limit);
    assert.equal(bad.body.code, 'validation_failed');
    assert.ok(bad.body.errors.limit);
  }
  for (const bad of ['!!', Buffer.from('not a position').toString('base64url'), 'A'.repeat(300)]) {
    const response = await api.request('GET', `/sessions?cursor=${encodeURIComponent(bad)}`, { token });
    assert.equal(response.status, 422, bad);
    assert.equal(response.body.code, 'validation_failed');
    assert.ok(response.body.errors.cursor);
  }
});

test('the typed client pages GET /sessions and walks every page', async () => {
  const user = await seedUser(api);
  const client = new LatchClient({ baseUrl: api.url });
  await client.signIn({ email: user.email, password: SEED_PASSWORD });
  for (let i = 0; i < CAP - 1; i++) await signInAs(api, user);
  const first = await client.sessionsPage({ limit: 3 });
  assert.equal(first.sessions.length, 3);
  assert.ok(first.nextCursor);
  const second = await client.sessionsPage({ limit: 3, cursor: first.nextCursor });
  assert.equal(second.sessions.length, CAP - 3);
  assert.equal(second.nextCursor, null);
  const all = await client.sessions();
  assert.equal(all.length, CAP);
  assert.deepEqual(
    all.map((s) => s.id),
    [...first.sessions, ...second.sessions].map((s) => s.id),
  );
});
