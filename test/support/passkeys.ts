import assert from 'node:assert/strict';
import type { User } from '../../shared/domain/types.js';
import { seedUser, signInAs } from './accounts.js';
import { type CeremonyOverrides, SoftAuthenticator, type SoftAuthenticatorOptions } from './soft-authenticator.js';
import type { ApiResponse, TestStack } from './stack.js';

/**
 * Passkey steps over HTTP with the software authenticator (`soft-authenticator.ts`), for the
 * passkey tests. The local stack's defaults apply: RP ID `localhost`, origin `APP_URL`'s
 * (`http://localhost:3000`).
 */
export const RP_ID = 'localhost';
export const ORIGIN = 'http://localhost:3000';

export function anAuthenticator(options: Partial<SoftAuthenticatorOptions> = {}): SoftAuthenticator {
  return new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID, ...options });
}

/** Registration options for a freshly signed-in session (fresh: no credentials needed). */
export async function registrationOptions(api: TestStack, token: string, body: Record<string, unknown> = {}): Promise<ApiResponse> {
  return api.request('POST', '/me/passkeys/options', { token, body });
}

/** Registers the authenticator's credential for the session's user: options, response, `POST /me/passkeys`. */
export async function addPasskey(
  api: TestStack,
  token: string,
  authenticator: SoftAuthenticator,
  options: { name?: string; overrides?: CeremonyOverrides } = {},
): Promise<ApiResponse> {
  const answer = await registrationOptions(api, token);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const credential = authenticator.register(answer.body.options, options.overrides);
  return api.request('POST', '/me/passkeys', { token, body: { credential, ...(options.name ? { name: options.name } : {}) } });
}

/** Passwordless sign-in: options, assertion, `POST /session/passkey`. */
export async function signInWithPasskey(api: TestStack, authenticator: SoftAuthenticator, overrides: CeremonyOverrides = {}): Promise<ApiResponse> {
  const options = await api.request('POST', '/session/passkey/options', { body: {} });
  assert.equal(options.status, 200, JSON.stringify(options.body));
  return api.request('POST', '/session/passkey', { body: { credential: authenticator.assert(options.body.options, overrides) } });
}

/** A seeded user signed in with a password, with one registered (discoverable) passkey. */
export async function userWithPasskey(
  api: TestStack,
  options: Partial<SoftAuthenticatorOptions> = {},
): Promise<{ user: User; accessToken: string; authenticator: SoftAuthenticator }> {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const authenticator = anAuthenticator(options);
  const added = await addPasskey(api, accessToken, authenticator);
  assert.equal(added.status, 201, JSON.stringify(added.body));
  return { user, accessToken, authenticator };
}

/** The `amr` claim of an access token. */
export function amrOf(accessToken: string): unknown {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { amr?: unknown };
  return payload.amr;
}

/** `POST /session/mfa/webauthn/options` for an `mfaToken` (asserts 200) and its options. */
export async function mfaOptions(
  api: TestStack,
  mfaToken: string,
): Promise<{ challenge: string; allowCredentials?: Array<{ id: string }>; userVerification?: string }> {
  const answer = await api.request('POST', '/session/mfa/webauthn/options', { body: { mfaToken } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.options;
}

/** The second step with a passkey: options for the `mfaToken`, the assertion, `POST /session/mfa/webauthn`. */
export async function secondStepWithPasskey(
  api: TestStack,
  authenticator: SoftAuthenticator,
  mfaToken: string,
  overrides: CeremonyOverrides = {},
): Promise<ApiResponse> {
  const options = await mfaOptions(api, mfaToken);
  return api.request('POST', '/session/mfa/webauthn', { body: { mfaToken, credential: authenticator.assert(options, overrides) } });
}

/** A step-up with a passkey: `POST /session/reauthenticate/webauthn/options`, the assertion, `POST /session/reauthenticate/webauthn`. */
export async function reauthenticateWithPasskey(
  api: TestStack,
  token: string,
  authenticator: SoftAuthenticator,
  overrides: CeremonyOverrides = {},
): Promise<ApiResponse> {
  const options = await api.request('POST', '/session/reauthenticate/webauthn/options', { token, body: {} });
  assert.equal(options.status, 200, JSON.stringify(options.body));
  return api.request('POST', '/session/reauthenticate/webauthn', { token, body: { credential: authenticator.assert(options.body.options, overrides) } });
}
