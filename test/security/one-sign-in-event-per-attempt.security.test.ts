/**
 * Each sign-in attempt yields exactly one sign_in or mfa.challenge event, with its factors (spec
 * §3.2, §11.1 #4; ASVS 16.3.1): every outcome of `POST /session` over HTTP on DynamoDB Local,
 * the 429 of a lockout and concurrent bursts included. Each attempt carries a user agent of its
 * own, so its events are found by it in the audit table (read with a raw client), and a source
 * address of its own, so the address counters stay out of the way.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AuditEvent } from '../../shared/domain/audit.js';
import { signIn } from '../../shared/flows/current-session.js';
import { HookRejection } from '../../shared/hooks/types.js';
import { SEED_PASSWORD, seedUser, sidOf } from '../support/accounts.js';
import { scanAuditTable } from '../support/audit.js';
import { aUser } from '../support/fixtures.js';
import { memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const MAX = 3;
let api: TestStack;
let n = 0;

before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: String(MAX), AUTH_TRUSTED_PROXIES: '127.0.0.1' });
});
after(async () => {
  await api.close();
});

/** One attempt, with its own user agent (returned as its label) and source address. */
async function attempt(email: string, password: string): Promise<{ label: string; response: ApiResponse }> {
  n += 1;
  const label = `one-event-${process.pid}-${n}`;
  const response = await api.request('POST', '/session', {
    body: { email, password },
    headers: { 'user-agent': label, 'x-forwarded-for': `198.51.${Math.floor(n / 250) % 250}.${(n % 250) + 1}` },
  });
  return { label, response };
}

/** The sign-in events of the attempts with these labels, by label. */
async function signInEvents(labels: string[]): Promise<Map<string, AuditEvent[]>> {
  const { events } = await scanAuditTable(api.tableName);
  const byLabel = new Map(labels.map((label): [string, AuditEvent[]] => [label, []]));
  for (const event of events) {
    // `mfa.challenge` arrives with the MFA extension: a right password of an MFA user ends there.
    const type: string = event.type;
    if ((type === 'sign_in' || type === 'mfa.challenge') && event.userAgent !== null) byLabel.get(event.userAgent)?.push(event);
  }
  return byLabel;
}

/** Exactly one event for the attempt: returns it. */
async function theEventOf(label: string): Promise<AuditEvent> {
  const events = (await signInEvents([label])).get(label) ?? [];
  assert.equal(events.length, 1, `${label}: ${JSON.stringify(events)}`);
  return events[0] as AuditEvent;
}

test('Each sign-in attempt yields exactly one sign_in event, with its factors: a success', async () => {
  const user = await seedUser(api);
  const { label, response } = await attempt(user.email, SEED_PASSWORD);
  assert.equal(response.status, 200);
  const event = await theEventOf(label);
  assert.equal(event.outcome, 'success');
  assert.equal(event.userId, user.id);
  assert.equal(event.sessionId, sidOf(response.body.accessToken));
  assert.deepEqual(event.details, { method: 'password', amr: ['pwd'] });
  assert.deepEqual(event.actor, { kind: 'user', id: user.id });
  assert.ok(event.requestId && event.ip && event.emailHash);
});

test('Each refused sign-in attempt yields exactly one sign_in failure, with its reason', async () => {
  const known = await seedUser(api);
  const invited = await seedUser(api, { invitationPending: true, passwordHash: null, emailConfirmed: false });
  const unconfirmed = await seedUser(api, { emailConfirmed: false });
  const locked = await seedUser(api, { locked: true });
  const cases: Array<[string, string, number, string, string | null]> = [
    [known.email, 'not the password at all', 401, 'bad_password', known.id],
    [known.email, '', 401, 'bad_password', known.id],
    [uniqueEmail('nobody'), SEED_PASSWORD, 401, 'unknown_user', null],
    ['not an email', SEED_PASSWORD, 401, 'unknown_user', null],
    [invited.email, SEED_PASSWORD, 401, 'invitation_pending', invited.id],
    [unconfirmed.email, SEED_PASSWORD, 403, 'unconfirmed', unconfirmed.id],
    [locked.email, SEED_PASSWORD, 403, 'locked', locked.id],
  ];
  for (const [email, password, status, reason, userId] of cases) {
    const { label, response } = await attempt(email, password);
    assert.equal(response.status, status, `${reason}: ${response.text}`);
    const event = await theEventOf(label);
    assert.equal(event.outcome, 'failure', reason);
    assert.deepEqual(event.details, { method: 'password', reason });
    assert.equal(event.userId, userId, reason);
    assert.equal(event.sessionId, null);
  }
});

test('Each sign-in attempt refused by a lockout (429) yields exactly one sign_in failure, reason rate_limited', async () => {
  const user = await seedUser(api);
  const labels: string[] = [];
  for (let i = 0; i < MAX; i++) {
    const { label, response } = await attempt(user.email, `wrong password ${i}`);
    assert.equal(response.status, 401);
    labels.push(label);
  }
  for (const password of ['another wrong one', SEED_PASSWORD]) {
    const { label, response } = await attempt(user.email, password);
    assert.equal(response.status, 429);
    const event = await theEventOf(label);
    assert.deepEqual([event.outcome, event.details.reason, event.userId], ['failure', 'rate_limited', user.id]);
  }
  for (const label of labels) assert.equal((await theEventOf(label)).details.reason, 'bad_password');
  // The failure that reached the limit started the lockout, and said so once.
  const { events } = await scanAuditTable(api.tableName);
  const lockouts = events.filter((e) => e.type === 'lockout.start' && e.userId === user.id);
  assert.equal(lockouts.length, 1);
  assert.equal(lockouts[0]?.details.scope, 'email');
  assert.equal(lockouts[0]?.details.failures, MAX);
});

test('N concurrent sign-in attempts yield N sign_in events: a burst of guesses and a burst of right passwords', async () => {
  const guessed = await seedUser(api);
  const rightful = await seedUser(api);
  // At most MAX attempts of one account are checked at once (the others get 429), right or wrong.
  const attempts = await Promise.all([
    ...Array.from({ length: 8 }, (_, i) => attempt(guessed.email, `burst guess ${i}`)),
    ...Array.from({ length: 6 }, () => attempt(rightful.email, SEED_PASSWORD)),
  ]);
  const guesses = attempts.slice(0, 8);
  const byLabel = await signInEvents(attempts.map((a) => a.label));
  const sessions = new Set<string>();
  for (const { label, response } of attempts) {
    const events = byLabel.get(label) ?? [];
    assert.equal(events.length, 1, `${label} (${response.status}): ${events.length} events`);
    const event = events[0] as AuditEvent;
    if (response.status === 200) {
      assert.equal(event.outcome, 'success');
      assert.equal(event.sessionId, sidOf(response.body.accessToken));
      sessions.add(event.sessionId as string);
    } else {
      assert.equal(event.outcome, 'failure');
      assert.equal(event.details.reason, response.status === 429 ? 'rate_limited' : 'bad_password', `${response.status}`);
    }
  }
  assert.ok(sessions.size >= 1);
  assert.equal(sessions.size, attempts.filter((a) => a.response.status === 200).length);
  assert.equal(guesses.filter((a) => a.response.status === 429).length, 8 - MAX);
});

test('a sign-in refused by the beforeSignIn hook yields exactly one sign_in failure, reason hook_rejected', async () => {
  const deps = await memoryDeps();
  deps.hooks = {
    beforeSignIn: async () => {
      throw HookRejection.forbidden('not from here');
    },
  };
  const user = aUser({ passwordHash: await deps.hasher.hash(SEED_PASSWORD) });
  await deps.store.commit([{ type: 'createUser', user }]);
  const before = deps.store.auditEvents.size;
  await assert.rejects(signIn(deps, { email: user.email, password: SEED_PASSWORD }, { ip: '192.0.2.1', userAgent: 'hook' }), { code: 'forbidden' });
  const events = [...deps.store.auditEvents.values()].filter((e) => e.type === 'sign_in');
  assert.equal(deps.store.auditEvents.size - before, 1);
  assert.deepEqual(
    events.map((e) => [e.outcome, e.details.reason, e.userId]),
    [['failure', 'hook_rejected', user.id]],
  );
});
