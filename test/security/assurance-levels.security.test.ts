/**
 * Security properties of `amr`, `auth_time` and `aal` (`docs/specs/mfa-and-passkeys.md` §3, §8.1,
 * §15.1 items 17 and 19), one test each, named after the property: through the real functions and
 * the real authorizer on in-memory deps, whose clock the tests move.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { generate } from 'otplib';
import { ExtendedAuthError } from '../../shared/domain/errors.js';
import { renewSession, signIn } from '../../shared/flows/current-session.js';
import { nowSeconds } from '../../shared/flows/deps.js';
import { completeMfa } from '../../shared/flows/mfa-second-step.js';
import { confirmTotp, startTotpEnrollment } from '../../shared/flows/mfa-totp.js';
import { newUser } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import type { RouteDefinition } from '../../shared/http/routes.js';
import { routeKey, routes } from '../../shared/http/routes.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';
import { type Handler, lambdaContext, loadFunctions, routeEvent } from '../support/hardening.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'Correct-Horse-42';
const request = { ip: '198.51.100.7', userAgent: 'tests' };
let deps: MemoryDeps;
let byFunction: Map<string, Handler>;
let authorize: (event: unknown) => Promise<{ isAuthorized: boolean; context?: Record<string, unknown> }>;
let n = 0;

before(async () => {
  deps = await memoryDeps();
  useDeps(deps);
  ({ byFunction } = await loadFunctions());
  ({ handler: authorize } = (await import('../../functions/authorizer.js')) as { handler: typeof authorize });
});

const authorizerEvent = (token: string) => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/$default/GET/hello',
  identitySource: [`Bearer ${token}`],
  headers: { authorization: `Bearer ${token}` },
});

async function passwordUser(): Promise<{ email: string; accessToken: string }> {
  n += 1;
  const email = `aal-${n}@example.com`;
  const user = newUser(deps, { email, passwordHash: await deps.hasher.hash(PASSWORD), emailConfirmed: true });
  await deps.store.commit([{ type: 'createUser', user }]);
  const tokens = await signIn(deps, { email, password: PASSWORD }, request);
  return { email, accessToken: tokens.accessToken };
}

/** A user with TOTP on, signed in again through both steps; the clock moved to a fresh step. */
async function mfaUser(): Promise<{ email: string; secret: string; accessToken: string }> {
  const { email, accessToken } = await passwordUser();
  const principal = await checkAccessToken(deps, accessToken);
  const started = await startTotpEnrollment(deps, principal, {}, request);
  await confirmTotp(deps, principal, { code: await generate({ secret: started.totp.secret, epoch: nowSeconds(deps) }) }, request);
  deps.clock.advance(30);
  let mfaToken = '';
  try {
    await signIn(deps, { email, password: PASSWORD }, request);
    assert.fail('a password alone signed an MFA user in');
  } catch (error) {
    assert.ok(error instanceof ExtendedAuthError && error.code === 'mfa_required');
    mfaToken = error.members.mfaToken as string;
  }
  const tokens = await completeMfa(deps, { mfaToken, code: await generate({ secret: started.totp.secret, epoch: nowSeconds(deps) }) }, request);
  deps.clock.advance(30);
  return { email, secret: started.totp.secret, accessToken: tokens.accessToken };
}

test('amr and auth_time reach the token and the authorizer context; aal drops to aal1 after AUTH_AAL2_MAX_AGE_SECONDS', async () => {
  const signedAt = nowSeconds(deps);
  const mfa = await mfaUser();
  const claims = decodeJwt(mfa.accessToken);
  assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
  assert.equal(claims.aal, 'aal2');
  assert.ok(typeof claims.auth_time === 'number' && claims.auth_time >= signedAt);
  const decision = await authorize(authorizerEvent(mfa.accessToken));
  assert.equal(decision.isAuthorized, true);
  assert.equal(decision.context?.amr, 'pwd otp mfa');
  assert.equal(decision.context?.authTime, claims.auth_time);
  assert.equal(decision.context?.aal, 'aal2');
  // REST shape: the same members beside principalId.
  const rest = (await authorize({
    type: 'TOKEN',
    authorizationToken: `Bearer ${mfa.accessToken}`,
    methodArn: 'arn:aws:execute-api:eu-west-1:1:a/prod/GET/x',
  })) as {
    context?: Record<string, unknown>;
  };
  assert.equal(rest.context?.aal, 'aal2');
  assert.equal(rest.context?.amr, 'pwd otp mfa');
  // The level is computed at check time from the session item, not taken from the token: with a
  // window shorter than the token's life, the same token counts as aal1 once the session aged past it.
  // Within the token's life, an aged session: shorten the window instead of the clock.
  const window = deps.config.aal2MaxAgeSeconds;
  deps.config.aal2MaxAgeSeconds = 10;
  try {
    deps.clock.advance(11);
    const aged = await authorize(authorizerEvent(mfa.accessToken));
    assert.equal(aged.isAuthorized, true);
    assert.equal(aged.context?.aal, 'aal1');
  } finally {
    deps.config.aal2MaxAgeSeconds = window;
  }
});

test('AUTH_AUTHORIZER_MIN_AAL=aal2 denies a password-only session', async () => {
  const plain = await passwordUser();
  const mfa = await mfaUser();
  deps.config.authorizerMinAal = 'aal2';
  try {
    assert.equal((await authorize(authorizerEvent(plain.accessToken))).isAuthorized, false);
    assert.equal((await authorize(authorizerEvent(mfa.accessToken))).isAuthorized, true);
  } finally {
    deps.config.authorizerMinAal = 'aal1';
  }
  assert.equal((await authorize(authorizerEvent(plain.accessToken))).isAuthorized, true);
});

test('the tokenClaims hook cannot replace amr, auth_time or aal', async () => {
  deps.hooks = { tokenClaims: async () => ({ amr: ['hwk', 'mfa'], auth_time: 1, aal: 'aal3', tenant: 'acme' }) };
  try {
    const plain = await passwordUser();
    const claims = decodeJwt(plain.accessToken);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.aal, 'aal1');
    assert.notEqual(claims.auth_time, 1);
    assert.equal(claims.tenant, 'acme');
    // Renewal keeps the session's amr and authTime (a renewal is not an authentication).
    const session = await signIn(deps, { email: plain.email, password: PASSWORD }, request);
    const renewed = await renewSession(deps, { renewalToken: session.renewalToken }, request);
    assert.deepEqual(decodeJwt(renewed.accessToken).amr, ['pwd']);
    assert.equal(decodeJwt(renewed.accessToken).auth_time, decodeJwt(session.accessToken).auth_time);
  } finally {
    deps.hooks = undefined;
  }
});

test('AUTH_MFA=required confines a session without a second factor to the enrolment routes', async () => {
  deps.config.mfa = 'required';
  try {
    const { email } = await passwordUser();
    const tokens = await signIn(deps, { email, password: PASSWORD }, request);
    assert.equal(tokens.mfaEnrollmentRequired, true);
    const call = async (key: string, body?: string) => {
      const route = (routes as readonly RouteDefinition[]).find((r) => routeKey(r) === key) as RouteDefinition;
      const handler = byFunction.get(route.function) as Handler;
      const headers: Record<string, string> = { authorization: `Bearer ${tokens.accessToken}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await handler(routeEvent(route, { headers, ...(body !== undefined ? { body } : {}) }), lambdaContext(route.function));
      return { status: response.statusCode, code: response.body ? (JSON.parse(response.body) as { code?: string }).code : undefined };
    };
    assert.deepEqual(await call('GET /sessions'), { status: 403, code: 'mfa_enrollment_required' });
    assert.deepEqual(await call('PATCH /me', '{}'), { status: 403, code: 'mfa_enrollment_required' });
    assert.equal((await call('GET /me')).status, 200);
    assert.equal((await call('GET /me/mfa')).status, 200);
    // Enrolling lifts the restriction at once: the session's amr gains the factor.
    const principal = await checkAccessToken(deps, tokens.accessToken);
    const started = await startTotpEnrollment(deps, principal, {}, request);
    await confirmTotp(deps, principal, { code: await generate({ secret: started.totp.secret, epoch: nowSeconds(deps) }) }, request);
    assert.equal((await call('GET /sessions')).status, 200);
    // The last second factor cannot be removed while MFA is required.
    const removal = await call('DELETE /me/mfa/totp', '{}');
    assert.deepEqual(removal, { status: 403, code: 'mfa_enrollment_required' });
  } finally {
    deps.config.mfa = 'optional';
  }
});
