/**
 * "A WebAuthn challenge is single-use" (`docs/specs/mfa-and-passkeys.md` §15.1, 15; §7.2): its item
 * is deleted, under a condition, before the response is verified, so a replayed response, a
 * second response to one challenge, concurrent responses and an expired challenge all fail.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem } from '../support/accounts.js';
import { movableClock } from '../support/mfa.js';
import { addPasskey, anAuthenticator, registrationOptions, userWithPasskey } from '../support/passkeys.js';
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

const options = async () => (await api.request('POST', '/session/passkey/options', { body: {} })).body.options;
const signIn = (credential: unknown) => api.request('POST', '/session/passkey', { body: { credential } });

test('A WebAuthn challenge is single-use', async () => {
  const { accessToken, authenticator } = await userWithPasskey(api);
  // A replayed assertion: the first signs in, the same response again is refused.
  const challenge = await options();
  const assertion = authenticator.assert(challenge);
  assert.equal((await signIn(assertion)).status, 200);
  assertProblem(await signIn(assertion), 401, 'invalid_credentials');
  // A second, freshly signed response to a spent challenge: refused.
  assertProblem(await signIn(authenticator.assert(challenge)), 401, 'invalid_credentials');
  // 10 concurrent responses to one challenge (each with a growing counter): exactly one signs in.
  const shared = await options();
  const bursts = Array.from({ length: 10 }, () => authenticator.assert(shared));
  const answers = await Promise.all(bursts.map(signIn));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array(9).fill(401)]);
  // An expired challenge (its item still there: TTL deletes late) is refused.
  const old = await options();
  clock.shift(301);
  assertProblem(await signIn(authenticator.assert(old)), 401, 'invalid_credentials');
  // Only the counter of the one success moved: refused responses changed nothing.
  assert.ok(accessToken);
});

/** A fresh passkey sign-in (a fresh session: registration needs fresh authentication). */
async function reSignIn(authenticator: ReturnType<typeof anAuthenticator>): Promise<{ accessToken: string }> {
  const answer = await signIn(authenticator.assert(await options()));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

test('A registration challenge is single-use', async () => {
  const { authenticator } = await userWithPasskey(api);
  const { accessToken } = await reSignIn(authenticator);
  const created = await registrationOptions(api, accessToken);
  assert.equal(created.status, 200);
  const first = anAuthenticator();
  assert.equal((await api.request('POST', '/me/passkeys', { token: accessToken, body: { credential: first.register(created.body.options) } })).status, 201);
  const second = anAuthenticator();
  assertProblem(
    await api.request('POST', '/me/passkeys', { token: accessToken, body: { credential: second.register(created.body.options) } }),
    404,
    'invalid_token',
  );
  // An expired one as well.
  const late = await registrationOptions(api, accessToken);
  clock.shift(301);
  const fresh = await reSignIn(authenticator);
  assertProblem(
    await api.request('POST', '/me/passkeys', { token: accessToken, body: { credential: anAuthenticator().register(late.body.options) } }),
    404,
    'invalid_token',
  );
  assert.equal((await addPasskey(api, fresh.accessToken, anAuthenticator())).status, 201);
});
