/**
 * The second-factor routes (`docs/specs/mfa-and-passkeys.md` §4, §6) through the local runner on
 * DynamoDB Local and local SES: TOTP enrolment, confirmation, status, recovery codes, step-up
 * and disabling, the two-step sign-in (`POST /session` → `403 mfa_required` → `POST /session/mfa`),
 * the admin and CLI MFA reset, with codes computed by `otplib` from the enrolment's secret.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { isMfaRequired, LatchClient, MemoryTokenStorage } from '../../client/index.js';
import { anAdmin, assertProblem, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { scanAuditTable } from '../support/audit.js';
import { runLatchCli } from '../support/cli.js';
import { mailsTo } from '../support/mail.js';
import { firstStep, movableClock, totpAt, userWithTotp } from '../support/mfa.js';
import { testServices } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
let clock: ReturnType<typeof movableClock>;

before(async () => {
  api = await startTestStack({ AUTH_TOTP_ISSUER: 'Latch Tests' });
  clock = movableClock();
});
after(async () => {
  await api.close();
});

test('GET /me/mfa shows no factor for a new user, and TOTP with 10 recovery codes once enrolled', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const before = await api.request('GET', '/me/mfa', { token: accessToken });
  assert.equal(before.status, 200, before.text);
  assert.deepEqual(before.body, { mfa: { enabled: false, totp: null, passkeys: 0, recoveryCodes: null } });
  const mfa = await userWithTotp(api, clock);
  const after = await api.request('GET', '/me/mfa', { token: mfa.accessToken });
  assert.equal(after.body.mfa.enabled, true);
  assert.equal(typeof after.body.mfa.totp.enabledAt, 'string');
  assert.equal(after.body.mfa.recoveryCodes.remaining, 10);
  assert.equal(mfa.recoveryCodes.length, 10);
  for (const code of mfa.recoveryCodes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  const subjects = (await mailsTo(mfa.email)).map((m) => m.subject);
  assert.ok(subjects.includes('Two-factor authentication is on'), subjects.join());
});

test('POST /me/mfa/totp answers the secret and otpauth URI; a newer enrolment replaces the older; a wrong code leaves it usable', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const first = await api.request('POST', '/me/mfa/totp', { token: accessToken, body: {} });
  assert.equal(first.status, 201, first.text);
  assert.match(first.body.totp.secret, /^[A-Z2-7]{32}$/);
  assert.equal(
    first.body.totp.otpauthUri,
    `otpauth://totp/Latch%20Tests:${encodeURIComponent(user.email)}?secret=${first.body.totp.secret}&issuer=Latch%20Tests&algorithm=SHA1&digits=6&period=30`,
  );
  const second = await api.request('POST', '/me/mfa/totp', { token: accessToken, body: {} });
  const oldCode = await totpAt(first.body.totp.secret, clock.nowSeconds());
  const newCode = await totpAt(second.body.totp.secret, clock.nowSeconds());
  if (oldCode !== newCode) {
    const stale = await api.request('POST', '/me/mfa/totp/confirm', { token: accessToken, body: { code: oldCode } });
    assertProblem(stale, 422, 'validation_failed');
    assert.deepEqual(stale.body.errors, { code: ['is invalid'] });
  }
  assertProblem(await api.request('POST', '/me/mfa/totp/confirm', { token: accessToken, body: {} }), 422, 'validation_failed');
  assertProblem(await api.request('POST', '/me/mfa/totp/confirm', { token: accessToken, body: { code: 'abc' } }), 422, 'validation_failed');
  const ok = await api.request('POST', '/me/mfa/totp/confirm', { token: accessToken, body: { code: newCode } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.user.id, user.id);
  // Spent: the enrolment is gone, and TOTP is on.
  assertProblem(await api.request('POST', '/me/mfa/totp/confirm', { token: accessToken, body: { code: newCode } }), 404, 'invalid_token');
  assertProblem(await api.request('POST', '/me/mfa/totp', { token: accessToken, body: {} }), 409, 'already_enabled');
});

test('an enrolment expires after AUTH_TOTP_ENROLLMENT_TTL_SECONDS even while its item is still stored', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const started = await api.request('POST', '/me/mfa/totp', { token: accessToken, body: {} });
  clock.shift(601);
  const code = await totpAt(started.body.totp.secret, clock.nowSeconds());
  assertProblem(await api.request('POST', '/me/mfa/totp/confirm', { token: accessToken, body: { code } }), 404, 'invalid_token');
});

test('POST /session/reauthenticate: password alone for a user without MFA (aal1); an MFA user needs a code (aal2); wrong ones are 401', async () => {
  const plain = await seedUser(api);
  const { accessToken } = await signInAs(api, plain);
  assertProblem(await api.request('POST', '/session/reauthenticate', { token: accessToken, body: {} }), 422, 'validation_failed');
  assertProblem(
    await api.request('POST', '/session/reauthenticate', { token: accessToken, body: { currentPassword: 'wrong password!' } }),
    401,
    'invalid_credentials',
  );
  const ok = await api.request('POST', '/session/reauthenticate', { token: accessToken, body: { currentPassword: SEED_PASSWORD } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.aal, 'aal1');

  const mfa = await userWithTotp(api, clock);
  const noCode = await api.request('POST', '/session/reauthenticate', { token: mfa.accessToken, body: { currentPassword: SEED_PASSWORD } });
  assertProblem(noCode, 422, 'validation_failed');
  assert.deepEqual(noCode.body.errors, { code: ["can't be blank"] });
  assertProblem(
    await api.request('POST', '/session/reauthenticate', { token: mfa.accessToken, body: { currentPassword: SEED_PASSWORD, code: '000000' } }),
    401,
    'invalid_code',
  );
  const code = await totpAt(mfa.secret, clock.nowSeconds());
  const stepped = await api.request('POST', '/session/reauthenticate', { token: mfa.accessToken, body: { currentPassword: SEED_PASSWORD, code } });
  assert.equal(stepped.status, 200, stepped.text);
  assert.equal(stepped.body.aal, 'aal2');
  assert.equal(stepped.body.recoveryCodesRemaining, undefined);
  const withRecovery = await api.request('POST', '/session/reauthenticate', {
    token: mfa.accessToken,
    body: { currentPassword: SEED_PASSWORD, code: (mfa.recoveryCodes[0] as string).toLowerCase().replace(/-/g, ' ') },
  });
  assert.equal(withRecovery.status, 200, withRecovery.text);
  assert.equal(withRecovery.body.recoveryCodesRemaining, 9);
});

test('POST /me/mfa/recovery-codes replaces every code (the old ones stop working) and mails the owner; without MFA it is 409', async () => {
  const plain = await seedUser(api);
  const { accessToken } = await signInAs(api, plain);
  assertProblem(await api.request('POST', '/me/mfa/recovery-codes', { token: accessToken, body: {} }), 409, 'mfa_not_enabled');
  const mfa = await userWithTotp(api, clock);
  // Fresh at aal2 (the confirmation made the session aal2 a moment ago): no credentials needed.
  const fresh = await api.request('POST', '/me/mfa/recovery-codes', { token: mfa.accessToken, body: {} });
  assert.equal(fresh.status, 201, fresh.text);
  assert.equal(fresh.body.recoveryCodes.length, 10);
  const old = await api.request('POST', '/session/reauthenticate', {
    token: mfa.accessToken,
    body: { currentPassword: SEED_PASSWORD, code: mfa.recoveryCodes[1] },
  });
  assertProblem(old, 401, 'invalid_code');
  const subjects = (await mailsTo(mfa.email)).map((m) => m.subject);
  assert.ok(subjects.includes('New recovery codes'), subjects.join());
});

test('DELETE /me/mfa/totp turns TOTP and the recovery codes off; then it is 404', async () => {
  const mfa = await userWithTotp(api, clock);
  const code = await totpAt(mfa.secret, clock.nowSeconds());
  const off = await api.request('DELETE', '/me/mfa/totp', { token: mfa.accessToken, body: { currentPassword: SEED_PASSWORD, code } });
  assert.equal(off.status, 204, off.text);
  const status = await api.request('GET', '/me/mfa', { token: mfa.accessToken });
  assert.deepEqual(status.body, { mfa: { enabled: false, totp: null, passkeys: 0, recoveryCodes: null } });
  assertProblem(await api.request('DELETE', '/me/mfa/totp', { token: mfa.accessToken, body: {} }), 404, 'not_found');
  const subjects = (await mailsTo(mfa.email)).map((m) => m.subject);
  assert.ok(subjects.includes('Two-factor authentication is off'), subjects.join());
});

test('the two-step sign-in over HTTP: mfa_required, then POST /session/mfa with a TOTP code or a recovery code', async () => {
  const mfa = await userWithTotp(api, clock);
  const first = await api.request('POST', '/session', { body: { email: mfa.email, password: SEED_PASSWORD, rememberMe: true } });
  assertProblem(first, 403, 'mfa_required');
  assert.equal(first.body.title, 'Two-factor authentication required');
  assert.deepEqual(first.body.mfaMethods, ['totp', 'recovery_code']);
  const totp = await api.request('POST', '/session/mfa', { body: { mfaToken: first.body.mfaToken, code: await totpAt(mfa.secret, clock.nowSeconds()) } });
  assert.equal(totp.status, 200, totp.text);
  const claims = decodeJwt(totp.body.accessToken);
  assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
  assert.equal(claims.aal, 'aal2');
  assert.equal(totp.body.user.mfaEnabled, true);
  assert.equal(totp.body.user.hasPassword, true);
  assert.equal((await api.request('GET', '/me', { token: totp.body.accessToken })).status, 200);
  // The session is fresh at aal2: a step-up route passes without credentials.
  assert.equal((await api.request('POST', '/me/mfa/recovery-codes', { token: totp.body.accessToken, body: {} })).status, 201);
  // Renewal keeps amr and auth_time.
  const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: totp.body.renewalToken } });
  assert.equal(renewed.status, 200, renewed.text);
  assert.deepEqual(decodeJwt(renewed.body.accessToken).amr, ['pwd', 'otp', 'mfa']);
  assert.equal(decodeJwt(renewed.body.accessToken).auth_time, claims.auth_time);
  // With a recovery code (of the new set): amr rcode, recoveryCodesRemaining.
  const codes = (await api.request('POST', '/me/mfa/recovery-codes', { token: renewed.body.accessToken, body: {} })).body.recoveryCodes as string[];
  const second = await firstStep(api, mfa.email);
  const recovery = await api.request('POST', '/session/mfa', { body: { mfaToken: second, code: codes[0] } });
  assert.equal(recovery.status, 200, recovery.text);
  assert.deepEqual(decodeJwt(recovery.body.accessToken).amr, ['pwd', 'rcode', 'mfa']);
  assert.equal(recovery.body.recoveryCodesRemaining, 9);
  // The audit log has the challenge, the verification and the sign-in.
  const { events } = await scanAuditTable(api.tableName);
  const types = events.filter((e) => e.userId === mfa.userId).map((e) => e.type);
  for (const type of ['mfa.challenge', 'mfa.verify', 'sign_in'] as const) assert.ok(types.includes(type), `${type} missing: ${types.join()}`);
});

test('the typed client: signIn throws LatchMfaRequiredError, completeMfa stores the pair', async () => {
  const mfa = await userWithTotp(api, clock);
  const storage = new MemoryTokenStorage();
  const client = new LatchClient({ baseUrl: api.url, storage });
  const error = await client.signIn({ email: mfa.email, password: SEED_PASSWORD }).catch((e: unknown) => e);
  assert.ok(isMfaRequired(error), String(error));
  assert.equal(storage.get(), null);
  const pair = await client.completeMfa({ mfaToken: error.mfaToken, code: await totpAt(mfa.secret, clock.nowSeconds()), method: 'totp' });
  assert.equal(pair.user.mfaEnabled, true);
  assert.equal((await client.getMfa()).enabled, true);
  assert.equal((await client.me()).id, mfa.userId);
});

test('POST /admin/users/{id}/mfa/reset removes every second factor, revokes every session, mails the owner, and is audited', async () => {
  const admin = await anAdmin(api);
  const mfa = await userWithTotp(api, clock);
  const reset = await api.request('POST', `/admin/users/${mfa.userId}/mfa/reset`, { token: admin.token });
  assert.equal(reset.status, 200, reset.text);
  assert.equal(reset.body.user.mfaEnabled, false);
  assertProblem(await api.request('GET', '/me', { token: mfa.accessToken }), 401, 'unauthorized');
  // The password alone signs in again.
  const signedIn = await api.request('POST', '/session', { body: { email: mfa.email, password: SEED_PASSWORD } });
  assert.equal(signedIn.status, 200, signedIn.text);
  assert.deepEqual((await api.request('GET', '/me/mfa', { token: signedIn.body.accessToken })).body.mfa, {
    enabled: false,
    totp: null,
    passkeys: 0,
    recoveryCodes: null,
  });
  const subjects = (await mailsTo(mfa.email)).map((m) => m.subject);
  assert.ok(subjects.includes('Two-factor authentication was reset'), subjects.join());
  const { events } = await scanAuditTable(api.tableName);
  const event = events.find((e) => e.type === 'admin.mfa_reset' && e.userId === mfa.userId);
  assert.equal(event?.actor.kind, 'admin');
  assert.equal(event?.actor.id, admin.user.id);
  // Not on the admin's own account; 404 for an unknown user.
  assertProblem(await api.request('POST', `/admin/users/${admin.user.id}/mfa/reset`, { token: admin.token }), 403, 'forbidden');
  assertProblem(await api.request('POST', '/admin/users/00000000-0000-4000-8000-000000000000/mfa/reset', { token: admin.token }), 404, 'not_found');
});

test('npx latch users mfa-reset --email removes every second factor as the operator', async () => {
  const mfa = await userWithTotp(api, clock);
  const cwd = mkdtempSync(path.join(tmpdir(), 'latch-mfa-cli-'));
  try {
    const run = await runLatchCli(
      ['users', 'mfa-reset', '--email', mfa.email, '--json', '--table', api.tableName, '--endpoint', testServices().dynamoDbEndpoint],
      { cwd },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.user.mfaEnabled, false);
    const missing = await runLatchCli(
      ['users', 'mfa-reset', '--email', 'nobody@example.com', '--table', api.tableName, '--endpoint', testServices().dynamoDbEndpoint],
      { cwd },
    );
    assert.equal(missing.code, 1);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  assert.equal((await api.request('POST', '/session', { body: { email: mfa.email, password: SEED_PASSWORD } })).status, 200);
  const { events } = await scanAuditTable(api.tableName);
  assert.equal(events.find((e) => e.type === 'admin.mfa_reset' && e.userId === mfa.userId)?.actor.kind, 'operator');
});
