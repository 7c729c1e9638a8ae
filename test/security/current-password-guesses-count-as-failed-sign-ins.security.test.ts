/**
 * Property: a guess at `currentPassword` behind a (stolen) access token is a guess at the
 * account's password. A wrong one on `PATCH /me` or `DELETE /me` counts as a failed sign-in of
 * the account (the same counter, the same reservation before argon2 runs); past
 * AUTH_MAX_FAILED_SIGN_INS both answer 429 too_many_attempts with Retry-After whatever the
 * password, and so does sign-in. On DynamoDB Local through the real routes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { emailScope } from '../../shared/flows/lockout.js';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { type VerificationWatch, watchVerifications } from '../support/races.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const MAX = 3;
const LOCKOUT_SECONDS = 60;
const WRONG = 'not the password at all';
const LOCKOUT_SUBJECT = 'Sign-in to your account is paused';

let api: TestStack;
/** Password verifications running at once in the functions' process (the local runner runs them here). */
let verifications: VerificationWatch;

before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: String(MAX), AUTH_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS) });
  verifications = watchVerifications(getDeps());
});
after(async () => {
  await api.close();
});

function assertTooManyAttempts(response: ApiResponse): void {
  assert.equal(response.status, 429, response.text);
  assert.equal(response.body.code, 'too_many_attempts');
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= LOCKOUT_SECONDS, `Retry-After ${retryAfter}`);
}

function assertWrongCurrentPassword(response: ApiResponse): void {
  assert.equal(response.status, 422, response.text);
  assert.equal(response.body.code, 'validation_failed');
  assert.ok(response.body.errors?.currentPassword, 'the error names currentPassword');
}

const patchMe = (token: string, currentPassword: string) => api.request('PATCH', '/me', { token, body: { currentPassword, email: uniqueEmail('new') } });
const deleteMe = (token: string, currentPassword: string) => api.request('DELETE', '/me', { token, body: { currentPassword } });
const signIn = (email: string, password: string) => api.request('POST', '/session', { body: { email, password } });

test('wrong currentPasswords on PATCH and DELETE /me lock the account after the limit: then 429 whatever the password, and sign-in is locked too', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  assertWrongCurrentPassword(await patchMe(accessToken, WRONG));
  assertWrongCurrentPassword(await deleteMe(accessToken, WRONG));
  assertWrongCurrentPassword(await patchMe(accessToken, WRONG));

  const before = await api.scan();
  // Past the limit: a correct currentPassword is refused unchecked, on both routes...
  assertTooManyAttempts(await patchMe(accessToken, SEED_PASSWORD));
  assertTooManyAttempts(await deleteMe(accessToken, SEED_PASSWORD));
  assertTooManyAttempts(await deleteMe(accessToken, WRONG));
  // ...and the account's sign-in is locked as after MAX failed sign-ins.
  assertTooManyAttempts(await signIn(user.email, SEED_PASSWORD));
  assert.deepEqual(await api.scan(), before, 'a refused attempt changes nothing');
  assert.equal((await api.request('GET', '/me', { token: accessToken })).status, 200, 'the account is still there');
  assert.equal((await mailsTo(user.email)).filter((m) => m.subject === LOCKOUT_SUBJECT).length, 1, 'the owner is told once');
});

test('failed sign-ins and wrong currentPasswords add up in one counter', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  for (let i = 0; i < MAX - 1; i++) assert.equal((await signIn(user.email, WRONG)).body.code, 'invalid_credentials');
  assertWrongCurrentPassword(await deleteMe(accessToken, WRONG));
  assertTooManyAttempts(await patchMe(accessToken, SEED_PASSWORD));
  assertTooManyAttempts(await signIn(user.email, SEED_PASSWORD));
});

test('a right currentPassword gives its slot back: it never counts towards the lockout', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  assertWrongCurrentPassword(await patchMe(accessToken, WRONG));
  for (let i = 0; i < 3 * MAX; i++) {
    const response = await api.request('PATCH', '/me', { token: accessToken, body: { currentPassword: SEED_PASSWORD, email: user.email } });
    assert.equal(response.status, 200, response.text);
  }
  const [counter] = await api.counters.getCounters([emailScope(user.emailCanonical)], Math.floor(Date.now() / 1000));
  assert.equal(counter?.count, 1);
});

test('10 concurrent DELETE /me with wrong currentPasswords: at most the limit are checked, the rest answer 429, the account survives', async (t) => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  verifications.maxRunning = 0;
  const order: number[] = [];
  const responses = await Promise.all(
    Array.from({ length: 10 }, () =>
      deleteMe(accessToken, WRONG).then((response) => {
        order.push(response.status);
        return response;
      }),
    ),
  );
  const checked = responses.filter((r) => r.status === 422);
  for (const response of checked) assertWrongCurrentPassword(response);
  for (const response of responses.filter((r) => r.status !== 422)) assertTooManyAttempts(response);
  t.diagnostic(`answers in order: ${order.join(' ')}`);
  assert.equal(checked.length, MAX);
  // The requests overlapped: the checked guesses' verifications ran at the same time.
  assert.ok(verifications.maxRunning >= 2, 'password verifications overlapped');
  assertTooManyAttempts(await deleteMe(accessToken, SEED_PASSWORD));
  assert.equal((await api.request('GET', '/me', { token: accessToken })).status, 200);
  assert.equal((await mailsTo(user.email)).filter((m) => m.subject === LOCKOUT_SUBJECT).length, 1);
});
