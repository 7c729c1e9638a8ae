/**
 * Security properties of the two-step sign-in (`docs/specs/mfa-and-passkeys.md` §5, §15.1), one
 * test each, named after the property, on DynamoDB Local through the real routes. Codes come from
 * `otplib` with the functions' clock moved by the test (no wall-clock assertions). Races are
 * proven to have happened: the functions' store is watched, and more requests than the budget
 * read a live challenge before the conditional writes decided.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { anAdmin, assertProblem, NEW_PASSWORD, SEED_PASSWORD, seedUser } from '../support/accounts.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { firstStep, type MfaUser, movableClock, totpAt, userWithTotp } from '../support/mfa.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const MAX_ATTEMPTS = 5;
const MAX_FAILED_MFA = 10;
let api: TestStack;
let clock: ReturnType<typeof movableClock>;
/** Reads of a challenge that found it live (not expired, budget left): requests that got past the first check. */
let liveReads = 0;

before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_MFA: String(MAX_FAILED_MFA), AUTH_MFA_MAX_ATTEMPTS: String(MAX_ATTEMPTS), AUTH_MAX_FAILED_SIGN_INS: '50' });
  clock = movableClock();
  const store = getDeps().store;
  const read = store.getMfaChallenge.bind(store);
  store.getMfaChallenge = async (userId, hash) => {
    const challenge = await read(userId, hash);
    if (challenge && challenge.attempts < MAX_ATTEMPTS && challenge.expiresAt > clock.nowSeconds()) liveReads += 1;
    return challenge;
  };
});
after(async () => {
  await api.close();
});

const second = (body: Record<string, unknown>) => api.request('POST', '/session/mfa', { body });
const sessionsOf = async (userId: string) => (await api.scan()).filter((item) => item.pk === `USER#${userId}` && String(item.sk).startsWith('SESSION#'));
const challengesOf = async (userId: string) => (await api.scan()).filter((item) => item.pk === `USER#${userId}` && String(item.sk).startsWith('MFA#'));
const code = (mfa: MfaUser, offset = 0) => totpAt(mfa.secret, clock.nowSeconds() + offset);

test('A correct password for an MFA user mints no token, no session and no cookie', async () => {
  const mfa = await userWithTotp(api, clock);
  const before = (await sessionsOf(mfa.userId)).length;
  const answer = await api.request('POST', '/session', { body: { email: mfa.email, password: SEED_PASSWORD, rememberMe: true } });
  assertProblem(answer, 403, 'mfa_required');
  assert.equal(answer.body.accessToken, undefined);
  assert.equal(answer.body.renewalToken, undefined);
  assert.equal(answer.headers.get('set-cookie'), null);
  assert.match(answer.body.mfaToken, new RegExp(`^${mfa.userId}\\.[A-Za-z0-9_-]{43}$`));
  assert.deepEqual(answer.body.mfaMethods, ['totp', 'recovery_code']);
  assert.equal(answer.body.expiresIn, 300);
  assert.equal((await sessionsOf(mfa.userId)).length, before);
  // Only the secret's hash is stored.
  const [stored] = await challengesOf(mfa.userId);
  assert.ok(stored);
  assert.ok(!JSON.stringify(stored).includes(String(answer.body.mfaToken).split('.')[1] ?? 'missing'));
  // A wrong password stays 401 (no hint that a second factor exists).
  assertProblem(await api.request('POST', '/session', { body: { email: mfa.email, password: 'not the password' } }), 401, 'invalid_credentials');
});

test('One mfaToken with 10 concurrent correct codes mints exactly one session', async () => {
  const mfa = await userWithTotp(api, clock);
  const before = (await sessionsOf(mfa.userId)).length;
  const mfaToken = await firstStep(api, mfa.email);
  const right = await code(mfa);
  liveReads = 0;
  const answers = await Promise.all(Array.from({ length: 10 }, () => second({ mfaToken, code: right })));
  const ok = answers.filter((a) => a.status === 200);
  assert.equal(ok.length, 1, answers.map((a) => `${a.status} ${a.body.code ?? ''}`).join());
  assert.ok(liveReads > 1, `the race did not happen: ${liveReads} live reads`);
  for (const refused of answers.filter((a) => a.status !== 200))
    assert.ok(['invalid_token', 'invalid_code', 'service_unavailable'].includes(refused.body.code), refused.text);
  assert.equal((await sessionsOf(mfa.userId)).length, before + 1);
  assert.deepEqual(decodeJwt(ok[0]?.body.accessToken).amr, ['pwd', 'otp', 'mfa']);
  // Spent: the same token again is refused.
  assertProblem(await second({ mfaToken, code: right }), 404, 'invalid_token');
});

test('An expired mfaToken is refused with a correct code while its item still exists', async () => {
  const mfa = await userWithTotp(api, clock);
  const mfaToken = await firstStep(api, mfa.email);
  clock.shift(301);
  assert.equal((await challengesOf(mfa.userId)).length, 1); // DynamoDB's TTL deletes late
  assertProblem(await second({ mfaToken, code: await code(mfa) }), 404, 'invalid_token');
});

test('A TOTP code is accepted once, also on two parallel challenges', async () => {
  const mfa = await userWithTotp(api, clock);
  const [a, b] = [await firstStep(api, mfa.email), await firstStep(api, mfa.email)];
  const right = await code(mfa);
  const answers = await Promise.all([second({ mfaToken: a, code: right }), second({ mfaToken: b, code: right })]);
  assert.deepEqual(answers.map((x) => x.status).sort(), [200, 401], answers.map((x) => x.text).join());
  // The challenge that lost still works with the next step's code.
  const loser = answers[0]?.status === 200 ? b : a;
  clock.toStepStart(1);
  assert.equal((await second({ mfaToken: loser, code: await code(mfa) })).status, 200);
});

test('A challenge allows 5 wrong answers: the next is refused even with the right code; a burst of 20 spends at most 5', async () => {
  const mfa = await userWithTotp(api, clock);
  const mfaToken = await firstStep(api, mfa.email);
  liveReads = 0;
  const burst = await Promise.all(Array.from({ length: 20 }, () => second({ mfaToken, code: '000000' })));
  const statuses = burst.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 401).length, MAX_ATTEMPTS, statuses.join());
  assert.equal(statuses.filter((s) => s === 404).length, 20 - MAX_ATTEMPTS, statuses.join());
  // The race happened: more requests than the budget found the challenge live before the
  // conditional writes refused the surplus.
  assert.ok(liveReads > MAX_ATTEMPTS, `the race did not happen: ${liveReads} live reads`);
  const [stored] = await challengesOf(mfa.userId);
  assert.equal(Number(stored?.attempts), MAX_ATTEMPTS);
  assertProblem(await second({ mfaToken, code: await code(mfa) }), 404, 'invalid_token');
  // One by one: 5 wrong answers, then the right code is refused.
  const next = await firstStep(api, mfa.email);
  for (let i = 0; i < MAX_ATTEMPTS; i++) assertProblem(await second({ mfaToken: next, code: '000000' }), 401, 'invalid_code');
  assertProblem(await second({ mfaToken: next, code: await code(mfa) }), 404, 'invalid_token');
});

test('10 failed second factors across challenges lock MFA for the account and mail the owner once', async () => {
  const mfa = await userWithTotp(api, clock);
  for (let round = 0; round < MAX_FAILED_MFA / MAX_ATTEMPTS; round++) {
    const mfaToken = await firstStep(api, mfa.email);
    for (let i = 0; i < MAX_ATTEMPTS; i++) assertProblem(await second({ mfaToken, code: '000000' }), 401, 'invalid_code');
  }
  const mfaToken = await firstStep(api, mfa.email);
  const locked = await second({ mfaToken, code: await code(mfa) });
  assertProblem(locked, 429, 'too_many_attempts');
  assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  // Refused unchecked: no further failure, no further mail.
  assertProblem(await second({ mfaToken, code: '000000' }), 429, 'too_many_attempts');
  const notices = (await mailsTo(mfa.email)).filter((m) => m.subject === 'Two-factor sign-in paused');
  assert.equal(notices.length, 1);
  assert.ok(!notices[0]?.text.includes(mfa.secret));
  // After the lockout the right code signs in.
  clock.shift(getDeps().config.lockoutSeconds + 1);
  const after = await firstStep(api, mfa.email);
  assert.equal((await second({ mfaToken: after, code: await code(mfa) })).status, 200);
});

test('A lock, reset or revoke-all between the two steps makes the mfaToken useless', async () => {
  // Revoke-all (sign out everywhere) with the user's own session.
  const revoked = await userWithTotp(api, clock);
  const t1 = await firstStep(api, revoked.email);
  assert.equal((await api.request('DELETE', '/sessions', { token: revoked.accessToken })).status, 204);
  assertProblem(await second({ mfaToken: t1, code: await code(revoked) }), 404, 'invalid_token');
  // Lock by an admin.
  const admin = await anAdmin(api);
  const locked = await userWithTotp(api, clock);
  const t2 = await firstStep(api, locked.email);
  assert.equal((await api.request('POST', `/admin/users/${locked.userId}/lock`, { token: admin.token })).status, 200);
  assertProblem(await second({ mfaToken: t2, code: await code(locked) }), 404, 'invalid_token');
  // Password reset.
  const reset = await userWithTotp(api, clock);
  const t3 = await firstStep(api, reset.email);
  assert.equal((await api.request('POST', '/password-reset', { body: { email: reset.email } })).status, 202);
  const link = await lastLinkToken(reset.email, 'reset-password');
  assert.equal((await api.request('POST', `/password-reset/${link}`, { body: { password: NEW_PASSWORD } })).status, 200);
  assertProblem(await second({ mfaToken: t3, code: await code(reset) }), 404, 'invalid_token');
  // Admin MFA reset (also a revoke-all).
  const wiped = await userWithTotp(api, clock);
  const t4 = await firstStep(api, wiped.email);
  assert.equal((await api.request('POST', `/admin/users/${wiped.userId}/mfa/reset`, { token: admin.token })).status, 200);
  assertProblem(await second({ mfaToken: t4, code: await code(wiped) }), 404, 'invalid_token');
});

test('A password reset does not bypass MFA', async () => {
  const mfa = await userWithTotp(api, clock);
  assert.equal((await api.request('POST', '/password-reset', { body: { email: mfa.email } })).status, 202);
  const link = await lastLinkToken(mfa.email, 'reset-password');
  const done = await api.request('POST', `/password-reset/${link}`, { body: { password: NEW_PASSWORD } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.accessToken, undefined);
  const answer = await api.request('POST', '/session', { body: { email: mfa.email, password: NEW_PASSWORD } });
  assertProblem(answer, 403, 'mfa_required');
});

test('A recovery code completes the second step once, counts down and mails a notice', async () => {
  const mfa = await userWithTotp(api, clock);
  const recovery = mfa.recoveryCodes[0] as string;
  const t1 = await firstStep(api, mfa.email);
  const ok = await second({ mfaToken: t1, code: recovery, method: 'recovery_code' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.recoveryCodesRemaining, 9);
  assert.deepEqual(decodeJwt(ok.body.accessToken).amr, ['pwd', 'rcode', 'mfa']);
  const t2 = await firstStep(api, mfa.email);
  assertProblem(await second({ mfaToken: t2, code: recovery }), 401, 'invalid_code');
  // A TOTP-shaped code sent as a recovery code is wrong, whatever it is.
  assertProblem(await second({ mfaToken: t2, code: await code(mfa), method: 'recovery_code' }), 401, 'invalid_code');
  const subjects = (await mailsTo(mfa.email)).map((m) => m.subject);
  assert.ok(subjects.includes('A recovery code was used'), subjects.join());
});

test('The second step checks its fields: missing or malformed mfaToken is 404, a blank code or unknown method 422', async () => {
  const mfa = await userWithTotp(api, clock);
  assertProblem(await second({ code: '123456' }), 404, 'invalid_token');
  assertProblem(await second({ mfaToken: '', code: '123456' }), 404, 'invalid_token');
  assertProblem(await second({ mfaToken: `${mfa.userId}.${'A'.repeat(43)}`, code: '123456' }), 404, 'invalid_token');
  const mfaToken = await firstStep(api, mfa.email);
  const blank = await second({ mfaToken });
  assertProblem(blank, 422, 'validation_failed');
  assert.deepEqual(blank.body.errors, { code: ["can't be blank"] });
  const method = await second({ mfaToken, code: '123456', method: 'webauthn' });
  assertProblem(method, 422, 'validation_failed');
  assert.deepEqual(method.body.errors, { method: ['is invalid'] });
  // None of these spent an attempt.
  const [stored] = await challengesOf(mfa.userId);
  assert.equal(Number(stored?.attempts), 0);
});

test('A user without a second factor signs in with the password alone, with amr ["pwd"]', async () => {
  const user = await seedUser(api);
  const answer = await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } });
  assert.equal(answer.status, 200, answer.text);
  const claims = decodeJwt(answer.body.accessToken);
  assert.deepEqual(claims.amr, ['pwd']);
  assert.equal(claims.aal, 'aal1');
  assert.equal(typeof claims.auth_time, 'number');
  assert.equal(answer.body.user.mfaEnabled, false);
  assert.equal(answer.body.user.hasPassword, true);
});
