/**
 * "A WebAuthn challenge of the second step or of a step-up is single-use and serves only its own
 * mfaToken or session" (`docs/specs/mfa-and-passkeys.md` §15.1, 15; §7.2, §5.2, §4): the
 * challenge is spent before the assertion is verified, so a replayed or concurrent response, or a
 * response after a refused one, fails; an `mfa` challenge serves neither a sign-in nor a step-up,
 * and is bound to its `mfaToken`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem } from '../support/accounts.js';
import { firstStep } from '../support/mfa.js';
import { mfaOptions, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '100' });
});
after(async () => {
  await api.close();
});

test('A WebAuthn challenge of the second step or of a step-up is single-use and serves only its own mfaToken or session', async () => {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  const second = (mfaToken: string, credential: unknown) => api.request('POST', '/session/mfa/webauthn', { body: { mfaToken, credential } });

  // A refused response spends the challenge: a right one to the same challenge is then refused.
  const token = await firstStep(api, user.email);
  const options = await mfaOptions(api, token);
  assertProblem(await second(token, authenticator.assert(options, { origin: 'https://evil.example' })), 401, 'invalid_code');
  assertProblem(await second(token, authenticator.assert(options)), 404, 'invalid_token');

  // 10 concurrent responses to one challenge: exactly one signs in.
  const shared = await mfaOptions(api, token);
  const answers = await Promise.all(Array.from({ length: 10 }, () => second(token, authenticator.assert(shared))));
  assert.deepEqual(answers.map((a) => a.status).filter((s) => s === 200).length, 1, answers.map((a) => a.status).join());
  // The replay of the winning response, with a new mfaToken: its challenge is spent and bound to the old token.
  const winner = answers.find((a) => a.status === 200);
  assert.ok(winner);
  const token2 = await firstStep(api, user.email);
  assertProblem(await second(token2, authenticator.assert(shared)), 404, 'invalid_token');

  // An mfa challenge serves neither a passwordless sign-in nor a step-up.
  const mfaChallenge = await mfaOptions(api, token2);
  assertProblem(await api.request('POST', '/session/passkey', { body: { credential: authenticator.assert(mfaChallenge) } }), 401, 'invalid_credentials');
  const mfaChallenge2 = await mfaOptions(api, token2);
  assertProblem(
    await api.request('POST', '/session/reauthenticate/webauthn', { token: accessToken, body: { credential: authenticator.assert(mfaChallenge2) } }),
    404,
    'invalid_token',
  );

  // A step-up challenge works once.
  const reauth = await api.request('POST', '/session/reauthenticate/webauthn/options', { token: accessToken, body: {} });
  const credential = authenticator.assert(reauth.body.options);
  assert.equal((await api.request('POST', '/session/reauthenticate/webauthn', { token: accessToken, body: { credential } })).status, 200);
  assertProblem(await api.request('POST', '/session/reauthenticate/webauthn', { token: accessToken, body: { credential } }), 404, 'invalid_token');
});
