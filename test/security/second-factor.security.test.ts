/**
 * Security properties of the second factor (`docs/specs/mfa-and-passkeys.md` §15.1), one test
 * each, named after the property, on DynamoDB Local through the real routes. Codes come from
 * `otplib` with the functions' clock moved by the test (no wall-clock assertions). The two-step
 * sign-in's properties are in `two-step-sign-in.security.test.ts`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { AesGcmDataKeys, parseDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { emailScope } from '../../shared/flows/lockout.js';
import { mfaScope } from '../../shared/flows/reauthenticate.js';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { assertProblem, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { movableClock, signInWithTotp, totpAt, userWithTotp } from '../support/mfa.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const MAX_FAILED_MFA = 12;
let api: TestStack;
let clock: ReturnType<typeof movableClock>;

before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_MFA: String(MAX_FAILED_MFA), AUTH_MAX_FAILED_SIGN_INS: '20' });
  clock = movableClock();
});
after(async () => {
  await api.close();
});

const reauth = (token: string, body: Record<string, unknown>) => api.request('POST', '/session/reauthenticate', { token, body });

test('A TOTP code is accepted once', async () => {
  const mfa = await userWithTotp(api, clock);
  const code = await totpAt(mfa.secret, clock.nowSeconds());
  // The same code on 10 concurrent requests: exactly one succeeds (the matched step is spent under a condition).
  const answers = await Promise.all(Array.from({ length: 10 }, () => reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code })));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array(9).fill(401)]);
  for (const refused of answers.filter((a) => a.status !== 200)) assert.equal(refused.body.code, 'invalid_code');
  // And again later in its step: refused.
  clock.shift(5);
  assertProblem(await reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code }), 401, 'invalid_code');
  // Also on an (R) route: a spent code is a wrong code.
  const regen = await api.request('POST', '/me/mfa/recovery-codes', { token: mfa.accessToken, body: { currentPassword: SEED_PASSWORD, code } });
  assertProblem(regen, 422, 'validation_failed');
  assert.deepEqual(regen.body.errors, { code: ['is invalid'] });
});

test('A previous-step code is refused after the grace; a next-step code is always refused', async (t) => {
  const mfa = await userWithTotp(api, clock);
  // The functions' clock stands still between the moves below: on a loaded machine a request can
  // take longer than the second left before a step boundary (29 s into a step), and the "next"
  // step's code would then be the current one.
  clock.freeze();
  t.after(() => clock.thaw());
  // 5 s into a step: the previous step's code is still accepted (grace 10 s).
  clock.toStepStart(5);
  const previousInGrace = await totpAt(mfa.secret, clock.nowSeconds() - 30);
  assert.equal((await reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code: previousInGrace })).status, 200);
  // 11 s into the next step: the previous step's code is refused.
  clock.toStepStart(11);
  const previousLate = await totpAt(mfa.secret, clock.nowSeconds() - 30);
  assertProblem(await reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code: previousLate }), 401, 'invalid_code');
  // The next step's code, at any point of the current one: refused.
  for (const into of [0, 15, 29]) {
    clock.toStepStart(into);
    const next = await totpAt(mfa.secret, clock.nowSeconds() + 30);
    assertProblem(await reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code: next }), 401, 'invalid_code');
  }
});

test('A recovery code works once, is stored only as argon2id, counts down and sends a notice', async () => {
  const mfa = await userWithTotp(api, clock);
  const code = mfa.recoveryCodes[0] as string;
  const answers = await Promise.all(Array.from({ length: 8 }, () => reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code })));
  const ok = answers.filter((a) => a.status === 200);
  assert.equal(ok.length, 1, answers.map((a) => a.status).join());
  assert.equal(ok[0]?.body.recoveryCodesRemaining, 9);
  assertProblem(await reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code }), 401, 'invalid_code');
  const second = await reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code: mfa.recoveryCodes[1] });
  assert.equal(second.body.recoveryCodesRemaining, 8);
  assert.equal((await api.request('GET', '/me/mfa', { token: mfa.accessToken })).body.mfa.recoveryCodes.remaining, 8);
  // Stored only as argon2id (m=1024, t=1, p=1): no code in any item, in any form.
  const profile = (await api.scan()).find((item) => item.pk === `USER#${mfa.userId}` && item.sk === 'PROFILE') as Record<string, unknown>;
  const stored = profile.recoveryCodes as Record<string, { hash: string }>;
  assert.equal(Object.keys(stored).length, 10);
  for (const entry of Object.values(stored)) assert.match(entry.hash, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  const dump = JSON.stringify(await api.scan());
  for (const shown of mfa.recoveryCodes) {
    assert.ok(!dump.includes(shown), 'a code in the table');
    assert.ok(!dump.includes(shown.replace(/-/g, '')), 'a code in the table');
  }
  const notices = (await mailsTo(mfa.email)).filter((m) => m.subject === 'A recovery code was used');
  assert.equal(notices.length, 2);
  assert.match(notices[1]?.text ?? '', /8 unused codes remain/);
});

test('No TOTP secret is stored in clear, and a ciphertext moved to another user does not decrypt', async () => {
  const a = await userWithTotp(api, clock);
  const b = await userWithTotp(api, clock);
  // A pending enrolment too.
  const pending = await seedUser(api);
  const { accessToken } = await signInAs(api, pending);
  const started = await api.request('POST', '/me/mfa/totp', { token: accessToken, body: {} });
  const raw = new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({ endpoint: process.env.LATCH_DYNAMODB_ENDPOINT as string });
  const dump = JSON.stringify((await raw.send(new ScanCommand({ TableName: api.tableName }))).Items);
  raw.destroy();
  for (const secret of [a.secret, b.secret, started.body.totp.secret as string]) assert.ok(!dump.includes(secret), 'a base32 secret in the table dump');
  // b's ciphertext copied onto a: a's codes and b's codes both fail, nothing decrypts.
  const profileOf = async (id: string) => (await api.store.getUser(id)) ?? assert.fail('no user');
  const bTotp = (await profileOf(b.userId)).totp ?? assert.fail('no totp');
  await api.store.commit([{ type: 'updateUser', id: a.userId, set: { totp: { ...bTotp } } }]);
  const ring = parseDataKeyRing(process.env.LATCH_DATA_KEYS as string, 'ring');
  const keys = new AesGcmDataKeys(async () => ring);
  assert.equal(await keys.decrypt(bTotp.secretEnc, { purpose: 'totp', userId: a.userId }), undefined);
  assert.equal((await keys.decrypt(bTotp.secretEnc, { purpose: 'totp', userId: b.userId }))?.plaintext, b.secret);
  clock.toStepStart(1);
  const bCode = await totpAt(b.secret, clock.nowSeconds());
  assertProblem(await reauth(a.accessToken, { currentPassword: SEED_PASSWORD, code: bCode }), 401, 'invalid_code');
  assert.equal(getDeps().dataKeys instanceof AesGcmDataKeys, true);
});

test('Enrolment needs fresh authentication', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  clock.shift(301);
  const before = await api.scan();
  const refused = await api.request('POST', '/me/mfa/totp', { token: accessToken, body: {} });
  assertProblem(refused, 403, 'reauthentication_required');
  assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="insufficient_user_authentication", max_age=300');
  assert.deepEqual(refused.body.reauthMethods, ['password']);
  assert.equal(refused.body.reauthAal, 'aal1');
  assert.deepEqual(await api.scan(), before, 'a refused request changes nothing');
  // Credentials in the body satisfy it; so does a step-up.
  assert.equal((await api.request('POST', '/me/mfa/totp', { token: accessToken, body: { currentPassword: SEED_PASSWORD } })).status, 201);
  clock.shift(301);
  assert.equal((await reauth(accessToken, { currentPassword: SEED_PASSWORD })).status, 200);
  assert.equal((await api.request('POST', '/me/mfa/totp', { token: accessToken, body: {} })).status, 201);
});

test('removal needs aal2', async () => {
  const mfa = await userWithTotp(api, clock);
  // A password-only step-up is not enough for an MFA user.
  const pwdOnly = await api.request('DELETE', '/me/mfa/totp', { token: mfa.accessToken, body: { currentPassword: SEED_PASSWORD } });
  assertProblem(pwdOnly, 422, 'validation_failed');
  assert.deepEqual(pwdOnly.body.errors, { code: ["can't be blank"] });
  // A password alone no longer signs an MFA user in (two-step sign-in); a session whose last
  // authentication is older than the window must send credentials, at aal2.
  clock.toStepStart(1);
  const other = await signInWithTotp(api, mfa, clock);
  clock.shift(301);
  const refused = await api.request('DELETE', '/me/mfa/totp', { token: other.accessToken, body: {} });
  assertProblem(refused, 403, 'reauthentication_required');
  assert.equal(refused.body.reauthAal, 'aal2');
  assert.deepEqual(refused.body.reauthMethods, ['password', 'totp', 'recovery_code']);
  const code = await totpAt(mfa.secret, clock.nowSeconds());
  assert.equal((await api.request('DELETE', '/me/mfa/totp', { token: other.accessToken, body: { currentPassword: SEED_PASSWORD, code } })).status, 204);
});

test('Turning a second factor on or off revokes every other session and mails the owner', async () => {
  const user = await seedUser(api);
  const [main, other] = [await signInAs(api, user), await signInAs(api, user)];
  const started = await api.request('POST', '/me/mfa/totp', { token: main.accessToken, body: {} });
  const code = await totpAt(started.body.totp.secret, clock.nowSeconds());
  assert.equal((await api.request('POST', '/me/mfa/totp/confirm', { token: main.accessToken, body: { code } })).status, 200);
  assertProblem(await api.request('GET', '/me', { token: other.accessToken }), 401, 'unauthorized');
  assert.equal((await api.request('GET', '/me', { token: main.accessToken })).status, 200);
  // A sign-in now takes the second step (the confirming code's step is spent: the next step's code).
  clock.toStepStart(1);
  const third = await signInWithTotp(api, { email: user.email, secret: started.body.totp.secret }, clock);
  clock.toStepStart(1);
  const off = await api.request('DELETE', '/me/mfa/totp', {
    token: main.accessToken,
    body: { currentPassword: SEED_PASSWORD, code: await totpAt(started.body.totp.secret, clock.nowSeconds()) },
  });
  assert.equal(off.status, 204, off.text);
  assertProblem(await api.request('GET', '/me', { token: third.accessToken }), 401, 'unauthorized');
  assert.equal((await api.request('GET', '/me', { token: main.accessToken })).status, 200);
  const subjects = (await mailsTo(user.email)).map((m) => m.subject);
  assert.equal(subjects.filter((s) => s === 'Two-factor authentication is on').length, 1);
  assert.equal(subjects.filter((s) => s === 'Two-factor authentication is off').length, 1);
});

test('A wrong code on an (R) route counts toward the MFA lockout, a wrong password toward the sign-in lockout', async () => {
  const mfa = await userWithTotp(api, clock);
  const now = () => clock.nowSeconds();
  for (let i = 0; i < MAX_FAILED_MFA; i++) {
    const wrong = await api.request('POST', '/me/mfa/recovery-codes', { token: mfa.accessToken, body: { currentPassword: SEED_PASSWORD, code: '000000' } });
    assertProblem(wrong, 422, 'validation_failed');
  }
  const [mfaCounter] = await api.counters.getCounters([mfaScope(mfa.userId)], now());
  assert.equal(mfaCounter?.count, MAX_FAILED_MFA);
  // Locked: even the right code is refused unchecked, with Retry-After.
  const locked = await reauth(mfa.accessToken, { currentPassword: SEED_PASSWORD, code: await totpAt(mfa.secret, now()) });
  assertProblem(locked, 429, 'too_many_attempts');
  assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  // The sign-in counter saw none of those (the password was right).
  const user = await api.store.getUser(mfa.userId);
  const [signInCounter] = await api.counters.getCounters([emailScope(user?.emailCanonical as string)], now());
  assert.equal(signInCounter?.count ?? 0, 0);
  // A wrong password counts toward the sign-in lockout.
  const plain = await seedUser(api);
  const { accessToken } = await signInAs(api, plain);
  assertProblem(await api.request('POST', '/me/mfa/totp', { token: accessToken, body: { currentPassword: 'not the password' } }), 422, 'validation_failed');
  const [counted] = await api.counters.getCounters([emailScope(plain.emailCanonical)], now());
  assert.equal(counted?.count, 1);
});
