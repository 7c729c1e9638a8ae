/**
 * Property: at most AUTH_MAX_FAILED_SIGN_INS passwords per account per window get checked,
 * however many attempts arrive at once. Each attempt reserves its slot with one atomic
 * conditional increment under the limit BEFORE argon2 runs (DynamoDB Local here); without a
 * slot it answers 429 too_many_attempts with Retry-After and its password is never verified.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { emailScope } from '../../shared/flows/lockout.js';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { SEED_PASSWORD, seedUser } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { type VerificationWatch, watchVerifications } from '../support/races.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const MAX = 5;
const LOCKOUT_SECONDS = 120;
const BURST = 30;
const WRONG = 'not the password at all';
const LOCKOUT_SUBJECT = 'Sign-in to your account is paused';

let api: TestStack;
let nextAddress = 0;

/**
 * Counts the argon2id verifications of the functions' own hasher (the local runner runs the
 * handlers in this process, on these deps) and how many ran at the same time.
 */
let verifications: VerificationWatch;

before(async () => {
  // 127.0.0.1 is a trusted proxy, so each attempt speaks for its own client address: the
  // per-address counters stay out of the way and only the account's limit is at work.
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: String(MAX), AUTH_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS), AUTH_TRUSTED_PROXIES: '127.0.0.1' });
  verifications = watchVerifications(getDeps());
});
after(async () => {
  await api.close();
});

function signIn(email: string, password: string): Promise<ApiResponse> {
  nextAddress += 1;
  const address = `198.51.100.${nextAddress % 250}`;
  return api.request('POST', '/session', { body: { email, password }, headers: { 'x-forwarded-for': address } });
}

function assertTooManyAttempts(response: ApiResponse): void {
  assert.equal(response.status, 429, response.text);
  assert.equal(response.body.code, 'too_many_attempts');
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= LOCKOUT_SECONDS, `Retry-After ${retryAfter}`);
}

test(`${BURST} concurrent wrong-password sign-ins for one account: at most ${MAX} passwords are checked, the rest answer 429 unchecked, and the right password cannot get in once the limit is reserved`, async (t) => {
  const user = await seedUser(api);
  const before = { ...verifications };
  // Right-password attempts fired the moment the first 429 arrives (the limit is reserved then),
  // while the wrong ones that got a slot are still being checked.
  const rightOnes: Promise<ApiResponse>[] = [];
  const burst = Array.from({ length: BURST }, () =>
    signIn(user.email, WRONG).then((response) => {
      if (response.status === 429 && rightOnes.length === 0) {
        for (let i = 0; i < 3; i++) rightOnes.push(signIn(user.email, SEED_PASSWORD));
      }
      return response;
    }),
  );
  const responses = await Promise.all(burst);
  const right = await Promise.all(rightOnes);

  const checked = responses.filter((r) => r.status === 401);
  for (const response of checked) assert.equal(response.body.code, 'invalid_credentials');
  for (const response of responses.filter((r) => r.status !== 401)) assertTooManyAttempts(response);
  const verified = verifications.total - before.total;
  t.diagnostic(
    `${checked.length} answered 401, ${BURST - checked.length} answered 429; ${verified} argon2 verifications; up to ${verifications.maxRunning} at once`,
  );
  // The invariant: exactly MAX slots, MAX verifications (the 429s and the right password's
  // attempts never reached argon2).
  assert.equal(checked.length, MAX);
  assert.equal(verified, MAX, 'only the attempts holding a slot had their password verified');
  // The race happened: the burst's attempts were in flight together (password verifications
  // ran at the same time in the functions' process).
  assert.ok(verifications.maxRunning >= 2, 'password verifications overlapped');

  // The right password, sent once the limit was reserved, in the burst and after it: 429.
  assert.equal(right.length, 3);
  for (const response of right) assertTooManyAttempts(response);
  assertTooManyAttempts(await signIn(user.email, SEED_PASSWORD));
  assert.equal(verifications.total - before.total, MAX, 'no verification after the limit');

  // The counter holds exactly the MAX failures, the lockout runs, and its mail went out once.
  const now = Math.floor(Date.now() / 1000);
  const [counter] = await api.counters.getCounters([emailScope(user.emailCanonical)], now);
  assert.equal(counter?.count, MAX);
  assert.ok(counter?.lockedUntil !== null && (counter?.lockedUntil ?? 0) > now, 'the lockout started');
  assert.equal((await mailsTo(user.email)).filter((m) => m.subject === LOCKOUT_SUBJECT).length, 1);
  assert.deepEqual(await api.store.listSessions(user.id), [], 'nobody got in');
});

test('a burst of right-password sign-ins is not limited: each gives its slot back or clears the counter', async () => {
  const user = await seedUser(api);
  const responses = await Promise.all(Array.from({ length: 2 * MAX }, () => signIn(user.email, SEED_PASSWORD)));
  // A success clears the counter, so the owner's own burst never locks the owner out. Attempts
  // beyond MAX that arrived before any success cleared it may still be refused (never more
  // passwords in flight than the limit); every answer is one or the other.
  for (const response of responses) assert.ok(response.status === 200 || response.body?.code === 'too_many_attempts', response.text);
  assert.ok(responses.filter((r) => r.status === 200).length >= MAX);
  assert.equal((await signIn(user.email, SEED_PASSWORD)).status, 200);
  assert.deepEqual(await api.counters.getCounters([emailScope(user.emailCanonical)], Math.floor(Date.now() / 1000)), []);
});
