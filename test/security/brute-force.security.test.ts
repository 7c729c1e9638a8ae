import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { emailScope, ipScope } from '../../shared/flows/lockout.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

// Small settings so a lockout takes three failures. The test client connects from 127.0.0.1,
// which is configured as a trusted proxy here, so each test can speak for its own client
// address through X-Forwarded-For (as a load balancer in front of the local runner would).
const MAX = 3;
const LOCKOUT_SECONDS = 60;
const PASSWORD = 'correct horse battery staple';
const WRONG = 'not the password at all';
const LOCKOUT_SUBJECT = 'Sign-in to your account is paused';

let api: TestStack;
let nextAddress = 0;

before(async () => {
  api = await startTestStack({
    AUTH_MAX_FAILED_SIGN_INS: String(MAX),
    AUTH_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
    AUTH_TRUSTED_PROXIES: '127.0.0.1',
  });
});
after(async () => {
  await api.close();
});

/** A client address no other test uses. */
function freshAddress(): string {
  nextAddress += 1;
  return `198.51.100.${nextAddress}`;
}

async function confirmedUser(): Promise<string> {
  const email = uniqueEmail('brute');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  const confirmed = await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`);
  assert.equal(confirmed.status, 200);
  return email;
}

function signIn(email: string, password: string, address: string): Promise<ApiResponse> {
  return api.request('POST', '/session', { body: { email, password }, headers: { 'x-forwarded-for': address } });
}

async function fail(times: number, email: string, address: string): Promise<void> {
  for (let i = 0; i < times; i++) {
    const response = await signIn(email, WRONG, address);
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'invalid_credentials');
  }
}

function assertTooManyAttempts(response: ApiResponse): void {
  assert.equal(response.status, 429);
  assert.equal(response.body.code, 'too_many_attempts');
  assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= LOCKOUT_SECONDS, `Retry-After ${retryAfter}`);
}

async function lockoutMails(email: string) {
  return (await mailsTo(email)).filter((m) => m.subject === LOCKOUT_SUBJECT);
}

/** A sign-in sent from another local address (127.0.0.2), a peer that is not a trusted proxy. */
function signInFromUntrustedPeer(email: string, password: string, forwardedFor: string): Promise<number> {
  const url = new URL(api.url);
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        localAddress: '127.0.0.2',
        method: 'POST',
        path: '/session',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': forwardedFor },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('after the limit of failed sign-ins, every sign-in for that email answers 429 with Retry-After, even with the correct password', async () => {
  const email = await confirmedUser();
  await fail(MAX, email, freshAddress());
  assertTooManyAttempts(await signIn(email, PASSWORD, freshAddress()));
  assertTooManyAttempts(await signIn(email.toUpperCase(), WRONG, freshAddress()));
  const before = await api.scan();
  assertTooManyAttempts(await signIn(email, PASSWORD, freshAddress()));
  assert.deepEqual(await api.scan(), before, 'a refused attempt changes nothing');
});

test('a successful sign-in clears the email counter (not the address counter)', async () => {
  const email = await confirmedUser();
  const address = freshAddress();
  await fail(MAX - 1, email, address);
  assert.equal((await signIn(email, PASSWORD, address)).status, 200);
  assert.deepEqual(await api.counters.getCounters([emailScope(email)], Math.floor(Date.now() / 1000)), []);
  // Without the reset, these would make MAX + 1 failures for the email.
  await fail(MAX - 1, email, freshAddress());
  assert.equal((await signIn(email, PASSWORD, freshAddress())).status, 200);
  const [byAddress] = await api.counters.getCounters([ipScope(address)], Math.floor(Date.now() / 1000));
  assert.equal(byAddress?.count, MAX - 1);
});

test('failed sign-ins are counted per source address across different emails', async () => {
  const address = freshAddress();
  for (let i = 0; i < MAX; i++) await fail(1, uniqueEmail('spray'), address);
  const email = await confirmedUser();
  assertTooManyAttempts(await signIn(email, PASSWORD, address));
  assert.equal((await signIn(email, PASSWORD, freshAddress())).status, 200);
});

test('X-Forwarded-For is ignored from peers that are not trusted proxies', async () => {
  // Each attempt claims another client address; all of them count against the peer itself.
  for (let i = 0; i < MAX; i++) assert.equal(await signInFromUntrustedPeer(uniqueEmail('xff'), WRONG, freshAddress()), 401);
  const email = await confirmedUser();
  assert.equal(await signInFromUntrustedPeer(email, PASSWORD, freshAddress()), 429);
  const [peer] = await api.counters.getCounters([ipScope('127.0.0.2')], Math.floor(Date.now() / 1000));
  assert.equal(peer?.count, MAX);
});

test('the account owner gets exactly one mail when a lockout starts', async () => {
  const email = await confirmedUser();
  await fail(MAX, email, freshAddress());
  for (let i = 0; i < 3; i++) assertTooManyAttempts(await signIn(email, WRONG, freshAddress()));
  const mails = await lockoutMails(email);
  assert.equal(mails.length, 1);
  assert.match(mails[0]?.text ?? '', /\/reset-password/);
});

test('concurrent failed sign-ins are all counted atomically and start one lockout', async () => {
  const email = await confirmedUser();
  const address = freshAddress();
  const responses = await Promise.all(Array.from({ length: 10 }, () => signIn(email, WRONG, address)));
  // An attempt that read the counters before the lockout began was checked (401) and must have
  // been counted; one that read them after was refused unchecked (429) and counts nothing.
  const checked = responses.filter((r) => r.status === 401).length;
  for (const response of responses.filter((r) => r.status !== 401)) assertTooManyAttempts(response);
  assert.ok(checked >= MAX, `${checked} checked attempts`);
  const now = Math.floor(Date.now() / 1000);
  const counters = await api.counters.getCounters([emailScope(email), ipScope(address)], now);
  assert.deepEqual(
    counters.map((c) => c.count),
    [checked, checked],
    'no failure was lost',
  );
  for (const counter of counters) assert.ok(counter.lockedUntil !== null && counter.lockedUntil > now);
  assert.equal((await lockoutMails(email)).length, 1);
  assertTooManyAttempts(await signIn(email, PASSWORD, freshAddress()));
});

test('an unknown email is locked out exactly like a known one (no enumeration through lockouts)', async () => {
  const unknown = uniqueEmail('nobody');
  const known = await confirmedUser();
  for (const email of [unknown, known]) {
    await fail(MAX, email, freshAddress());
    const response = await signIn(email, PASSWORD, freshAddress());
    assertTooManyAttempts(response);
    assert.deepEqual(Object.keys(response.body).sort(), ['code', 'detail', 'status', 'title', 'type']);
  }
  assert.equal((await mailsTo(unknown)).length, 0);
});
