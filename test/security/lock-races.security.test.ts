import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { anAdmin, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { raceLoops, type Step } from '../support/races.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test('a lock racing with 10 sign-in loops and 10 renewal loops of the same user never leaves a usable session', async (t) => {
  const admin = await anAdmin(api);
  // Prepare: a user with 10 live sessions, each with its own renewal token.
  const user = await seedUser(api);
  const sessions = await Promise.all(Array.from({ length: 10 }, () => signInAs(api, user)));

  // Act: no timers. The lock goes out once the loops' first 10 answers are back; each loop keeps
  // signing in (or renewing the token it last got) until a request sent after the lock answered
  // comes back, so requests land on both sides of the lock.
  const signInLoop: Step = () => api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } });
  const renewalLoop =
    (renewalToken: string): Step =>
    (previous) =>
      api.request('POST', '/session/renew', { body: { renewalToken: (previous?.body?.renewalToken as string | undefined) ?? renewalToken } });
  const outcome = await raceLoops(
    [...Array.from({ length: 10 }, () => signInLoop), ...sessions.map((s) => renewalLoop(s.renewalToken))],
    () => api.request('POST', `/admin/users/${user.id}/lock`, { token: admin.token }),
    10,
  );
  const responses = outcome.chains.flat();

  // Assess: the lock worked; every request either won before it or was refused because of it.
  assert.equal(outcome.decisive.status, 200, outcome.decisive.text);
  let wonBeforeLock = 0;
  let refusedByLock = 0;
  for (const response of responses) {
    assert.ok(response.status === 200 || response.body?.code === 'account_locked', `${response.status} ${response.text}`);
    if (response.status === 200) wonBeforeLock += 1;
    else refusedByLock += 1;
  }
  // No session item of the user is left in the store...
  assert.deepEqual(await api.store.listSessions(user.id), []);
  // ...and no token handed out, before or during the race, works anywhere.
  const issued = [...sessions, ...responses.filter((r) => r.status === 200).map((r: ApiResponse) => r.body)];
  for (const tokens of issued) {
    assert.equal((await api.request('GET', '/me', { token: tokens.accessToken })).status, 401);
    assert.equal((await api.request('GET', '/_local/protected', { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status, 403);
    const renewal = await api.request('POST', '/session/renew', { body: { renewalToken: tokens.renewalToken } });
    assert.equal(renewal.status, 403);
    assert.equal(renewal.body.code, 'account_locked');
  }
  // A sign-in after the race is refused as locked.
  assert.equal((await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } })).body.code, 'account_locked');
  t.diagnostic(`${wonBeforeLock} requests won before the lock, ${refusedByLock} were refused by it; ${outcome.inFlightAtSend} in flight when it went out`);
  // Both sides of the race were exercised, with requests in flight (otherwise the test proved less than it claims).
  assert.ok(outcome.inFlightAtSend > 0, 'no request was in flight when the lock went out');
  assert.ok(wonBeforeLock > 0, 'no request won before a lock');
  assert.ok(refusedByLock > 0, 'no request was refused by a lock');
});

test('sessions from before a lock that raced with sign-ins stay dead after the unlock', async () => {
  const admin = await anAdmin(api);
  const user = await seedUser(api);
  const before = await signInAs(api, user);
  const [lock] = await Promise.all([
    api.request('POST', `/admin/users/${user.id}/lock`, { token: admin.token }),
    ...Array.from({ length: 5 }, () => api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } })),
  ]);
  assert.equal(lock.status, 200);
  assert.deepEqual(await api.store.listSessions(user.id), []);
  await api.request('POST', `/admin/users/${user.id}/unlock`, { token: admin.token });
  // The session from before the lock stays dead after the unlock.
  assert.equal((await api.request('GET', '/me', { token: before.accessToken })).status, 401);
  const after = await signInAs(api, user);
  assert.equal((await api.request('GET', '/me', { token: after.accessToken })).status, 200);
});
