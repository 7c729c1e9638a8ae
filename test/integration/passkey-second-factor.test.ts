/**
 * A passkey as the second step of a sign-in (`POST /session/mfa/webauthn*`,
 * `docs/specs/mfa-and-passkeys.md` §5.2) and for step-up (`POST /session/reauthenticate/webauthn*`,
 * §4), through the local runner on DynamoDB Local with the software authenticator.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LatchClient } from '../../client/index.js';
import { assertProblem, SEED_PASSWORD, seedUser, sidOf, signInAs } from '../support/accounts.js';
import { scanAuditTable } from '../support/audit.js';
import { mailsTo } from '../support/mail.js';
import { firstStep, movableClock } from '../support/mfa.js';
import { addPasskey, amrOf, anAuthenticator, mfaOptions, reauthenticateWithPasskey, secondStepWithPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
let clock: ReturnType<typeof movableClock>;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '100' });
  clock = movableClock();
});
after(async () => {
  await api.close();
});

test('a password user with a passkey: mfa_required lists webauthn; the passkey completes the sign-in with amr pwd+hwk+mfa', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  const first = await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } });
  assertProblem(first, 403, 'mfa_required');
  assert.ok(first.body.mfaMethods.includes('webauthn'), first.text);
  const options = await mfaOptions(api, first.body.mfaToken);
  assert.deepEqual(
    options.allowCredentials?.map((c) => c.id),
    [authenticator.credentialId],
  );
  assert.equal(options.userVerification, 'preferred');
  const answer = await api.request('POST', '/session/mfa/webauthn', { body: { mfaToken: first.body.mfaToken, credential: authenticator.assert(options) } });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.user.id, user.id);
  assert.deepEqual(amrOf(answer.body.accessToken), ['pwd', 'hwk', 'mfa']);
  assert.deepEqual((await api.store.getSession(user.id, sidOf(answer.body.accessToken)))?.amr, ['pwd', 'hwk', 'mfa']);
  assert.equal((await api.store.getPasskey(user.id, authenticator.credentialId))?.counter, authenticator.counter);
  // The token is spent with the sign-in.
  assertProblem(await api.request('POST', '/session/mfa/webauthn/options', { body: { mfaToken: first.body.mfaToken } }), 404, 'invalid_token');
  const { events } = await scanAuditTable(api.tableName);
  const verify = events.find((e) => e.type === 'mfa.verify' && e.userId === user.id && e.outcome === 'success');
  assert.equal(verify?.details.method, 'webauthn');
});

test('a synced passkey gives swk; a security key without user verification (not discoverable) serves as the second factor', async () => {
  const synced = await userWithPasskey(api, { synced: true });
  const answer = await secondStepWithPasskey(api, synced.authenticator, await firstStep(api, synced.user.email));
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(amrOf(answer.body.accessToken), ['pwd', 'swk', 'mfa']);

  const key = await userWithPasskey(api, { uv: false, rk: false });
  const second = await secondStepWithPasskey(api, key.authenticator, await firstStep(api, key.user.email));
  assert.equal(second.status, 200, second.text);
  assert.deepEqual(amrOf(second.body.accessToken), ['pwd', 'hwk', 'mfa']);
});

test('the webauthn second step: missing members, another user’s or another challenge’s mfaToken, challenges of other purposes', async () => {
  const a = await userWithPasskey(api);
  const b = await userWithPasskey(api);
  const tokenA = await firstStep(api, a.user.email);
  assertProblem(await api.request('POST', '/session/mfa/webauthn/options', { body: {} }), 404, 'invalid_token');
  assertProblem(await api.request('POST', '/session/mfa/webauthn', { body: { credential: {} } }), 404, 'invalid_token');
  assertProblem(await api.request('POST', '/session/mfa/webauthn', { body: { mfaToken: tokenA } }), 422, 'validation_failed');
  // Options of A's token, answered with B's token (B's own passkey, A's challenge): the challenge is bound to A.
  const tokenB = await firstStep(api, b.user.email);
  const optionsA = await mfaOptions(api, tokenA);
  assertProblem(
    await api.request('POST', '/session/mfa/webauthn', { body: { mfaToken: tokenB, credential: b.authenticator.assert(optionsA) } }),
    404,
    'invalid_token',
  );
  // Another challenge's token of the same user: refused.
  const tokenA2 = await firstStep(api, a.user.email);
  const optionsA1 = await mfaOptions(api, tokenA);
  assertProblem(
    await api.request('POST', '/session/mfa/webauthn', { body: { mfaToken: tokenA2, credential: a.authenticator.assert(optionsA1) } }),
    404,
    'invalid_token',
  );
  // A sign-in challenge cannot serve the second step, nor a second-step challenge a sign-in.
  const signInOptions = (await api.request('POST', '/session/passkey/options', { body: {} })).body.options;
  assertProblem(
    await api.request('POST', '/session/mfa/webauthn', { body: { mfaToken: tokenA2, credential: a.authenticator.assert(signInOptions) } }),
    404,
    'invalid_token',
  );
  const mfaChallenge = await mfaOptions(api, tokenA2);
  assertProblem(await api.request('POST', '/session/passkey', { body: { credential: a.authenticator.assert(mfaChallenge) } }), 401, 'invalid_credentials');
  // A step-up challenge cannot serve the second step.
  const reauth = await api.request('POST', '/session/reauthenticate/webauthn/options', { token: a.accessToken, body: {} });
  assert.equal(reauth.status, 200, reauth.text);
  assertProblem(
    await api.request('POST', '/session/mfa/webauthn', { body: { mfaToken: tokenA2, credential: a.authenticator.assert(reauth.body.options) } }),
    404,
    'invalid_token',
  );
  // None of these spent an attempt: the token still signs in.
  assert.equal((await secondStepWithPasskey(api, a.authenticator, tokenA2)).status, 200);
});

test('a failed assertion is 401 invalid_code and a wrong answer: 5 per token, 10 per account lock MFA and mail once', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  const token = await firstStep(api, user.email);
  for (let i = 0; i < 5; i++) assertProblem(await secondStepWithPasskey(api, authenticator, token, { origin: 'https://evil.example' }), 401, 'invalid_code');
  // The budget is spent: refused even with a right assertion (the options too: the token is exhausted).
  assertProblem(await api.request('POST', '/session/mfa/webauthn/options', { body: { mfaToken: token } }), 404, 'invalid_token');
  const second = await firstStep(api, user.email);
  for (let i = 0; i < 5; i++) assertProblem(await secondStepWithPasskey(api, authenticator, second, { rpId: 'evil.example' }), 401, 'invalid_code');
  const third = await firstStep(api, user.email);
  const locked = await secondStepWithPasskey(api, authenticator, third);
  assertProblem(locked, 429, 'too_many_attempts');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  const subjects = (await mailsTo(user.email)).map((m) => m.subject);
  assert.equal(subjects.filter((s) => /paused/i.test(s)).length, 1, subjects.join(' | '));
});

test('a disabled passkey is left out of the options and refused as the second factor', async () => {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  const other = anAuthenticator();
  assert.equal((await addPasskey(api, accessToken, other)).status, 201);
  await api.store.commit([{ type: 'updatePasskey', userId: user.id, id: authenticator.credentialId, set: { disabledAt: new Date().toISOString() } }]);
  const token = await firstStep(api, user.email);
  const options = await mfaOptions(api, token);
  assert.deepEqual(
    options.allowCredentials?.map((c) => c.id),
    [other.credentialId],
  );
  assertProblem(
    await api.request('POST', '/session/mfa/webauthn', { body: { mfaToken: token, credential: authenticator.assert(options) } }),
    401,
    'invalid_code',
  );
  assert.equal((await secondStepWithPasskey(api, other, token)).status, 200);
});

test('step-up with a passkey: options for the session, aal2, amr and authTime replaced, the (R) route passes, an event', async () => {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  clock.shift(301);
  const stale = await api.request('POST', '/me/passkeys/options', { token: accessToken, body: {} });
  assertProblem(stale, 403, 'reauthentication_required');
  assert.ok(stale.body.reauthMethods.includes('webauthn'), stale.text);
  const options = await api.request('POST', '/session/reauthenticate/webauthn/options', { token: accessToken, body: {} });
  assert.equal(options.status, 200, options.text);
  assert.equal(options.body.options.userVerification, 'required');
  assert.deepEqual(
    options.body.options.allowCredentials.map((c: { id: string }) => c.id),
    [authenticator.credentialId],
  );
  const answer = await api.request('POST', '/session/reauthenticate/webauthn', {
    token: accessToken,
    body: { credential: authenticator.assert(options.body.options) },
  });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.aal, 'aal2');
  assert.ok(Date.parse(answer.body.reauthenticatedUntil) > 0);
  const session = await api.store.getSession(user.id, sidOf(accessToken));
  assert.deepEqual(session?.amr, ['hwk', 'mfa']);
  // Set by the step-up just made: this second, or the one before when the request crossed a boundary.
  const now = clock.nowSeconds();
  assert.ok(session?.authTime === now || session?.authTime === now - 1, `authTime ${session?.authTime}, now ${now}`);
  assert.equal((await api.request('POST', '/me/passkeys/options', { token: accessToken, body: {} })).status, 200);
  const { events } = await scanAuditTable(api.tableName);
  const event = events.find((e) => e.type === 'reauthenticate' && e.userId === user.id && e.outcome === 'success');
  assert.deepEqual(event?.details, { method: 'webauthn', aal: 'aal2' });
});

test('step-up with a passkey: user verification required, another session’s or a spent challenge refused, no passkey → 403', async () => {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  assertProblem(await reauthenticateWithPasskey(api, accessToken, authenticator, { uv: false }), 401, 'invalid_code');
  assertProblem(await api.request('POST', '/session/reauthenticate/webauthn', { token: accessToken, body: {} }), 422, 'validation_failed');
  // A challenge made for another session of the same user.
  const otherSession = await secondStepWithPasskey(api, authenticator, await firstStep(api, user.email));
  const foreign = await api.request('POST', '/session/reauthenticate/webauthn/options', { token: otherSession.body.accessToken, body: {} });
  const credential = authenticator.assert(foreign.body.options);
  assertProblem(await api.request('POST', '/session/reauthenticate/webauthn', { token: accessToken, body: { credential } }), 404, 'invalid_token');
  // The refused try did not match the challenge's binding, so it left it to its own session.
  assert.equal((await api.request('POST', '/session/reauthenticate/webauthn', { token: otherSession.body.accessToken, body: { credential } })).status, 200);
  // A user without a passkey.
  const plain = await seedUser(api);
  const { accessToken: plainToken } = await signInAs(api, plain);
  const none = await api.request('POST', '/session/reauthenticate/webauthn/options', { token: plainToken, body: {} });
  assertProblem(none, 403, 'reauthentication_required');
  assert.deepEqual(none.body.reauthMethods, ['password']);
});

test('the typed client: passkeys.mfaOptions/completeMfa and reauthenticateWithPasskey', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  const client = new LatchClient({ baseUrl: api.url });
  const problem = await client.signIn({ email: user.email, password: SEED_PASSWORD }).catch((error: unknown) => error);
  const mfaToken = (problem as { mfaToken?: string }).mfaToken as string;
  assert.ok(mfaToken, String(problem));
  const { options } = await client.passkeys.mfaOptions(mfaToken);
  const tokens = await client.passkeys.completeMfa(mfaToken, authenticator.assert(options as never));
  assert.equal(tokens.user.id, user.id);
  const reauthOptions = await client.passkeys.reauthenticationOptions();
  const result = await client.reauthenticateWithPasskey(authenticator.assert(reauthOptions.options as never));
  assert.equal(result.aal, 'aal2');
});
