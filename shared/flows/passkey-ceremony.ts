import { randomBytes } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { isConflict } from '../domain/errors.js';
import type { Passkey, WebauthnBinding, WebauthnChallenge } from '../domain/passkeys.js';
import { hashSecret } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import type { WriteOp } from '../ports/store.js';
import { type Deps, nowSeconds } from './deps.js';

/**
 * The WebAuthn ceremonies (`docs/specs/mfa-and-passkeys.md` §7.2): challenges, options and the
 * verification of responses with `@simplewebauthn/server`. The only module that imports it, and
 * only the `passkeys` function imports this module (its bundle is the recorded exception, §13).
 *
 * A challenge is 32 random bytes, stored under its SHA-256 with its ceremony, purpose and
 * binding. A response's challenge is read from its `clientDataJSON` and its item deleted under
 * conditions on all of these BEFORE the response is verified: single use, and no challenge
 * serves another ceremony, purpose, user or session.
 */

/** The longest credential id accepted (base64url characters): keeps keys under DynamoDB's 1 KiB sort key. */
export const MAX_CREDENTIAL_ID_LENGTH = 1000;

/** A fresh challenge (base64url of 32 random bytes) and the write that stores it. */
export function newChallenge(deps: Deps, binding: WebauthnBinding): { bytes: Uint8Array<ArrayBuffer>; op: WriteOp; expiresAt: number } {
  const bytes = new Uint8Array(32);
  bytes.set(randomBytes(32));
  const challenge: WebauthnChallenge = {
    hash: hashSecret(Buffer.from(bytes).toString('base64url')),
    ...binding,
    expiresAt: nowSeconds(deps) + deps.config.webauthnChallengeTtlSeconds,
  };
  for (const key of ['userId', 'sessionId', 'mfaHash'] as const) if (challenge[key] === undefined) delete challenge[key];
  return { bytes, op: { type: 'putWebauthnChallenge', challenge }, expiresAt: challenge.expiresAt };
}

/** Registration options (§7.1): the user's credentials excluded, resident key preferred, no attestation, `credProps`. */
export async function registrationOptions(
  deps: Deps,
  user: User,
  passkeys: Passkey[],
  challenge: Uint8Array<ArrayBuffer>,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: deps.config.webauthnRpName,
    rpID: deps.config.webauthnRpId,
    userName: user.email,
    userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
    challenge,
    timeout: deps.config.webauthnChallengeTtlSeconds * 1000,
    attestationType: 'none',
    excludeCredentials: passkeys.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    extensions: { credProps: true },
  });
}

/** Assertion options: `allowCredentials` only for a known user (none for passwordless sign-in). */
export async function authenticationOptions(
  deps: Deps,
  challenge: Uint8Array<ArrayBuffer>,
  userVerification: 'required' | 'preferred',
  passkeys?: Passkey[],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: deps.config.webauthnRpId,
    challenge,
    timeout: deps.config.webauthnChallengeTtlSeconds * 1000,
    userVerification,
    ...(passkeys ? { allowCredentials: passkeys.filter((p) => p.disabledAt === undefined).map((p) => ({ id: p.id, transports: p.transports })) } : {}),
  });
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The challenge a response's `clientDataJSON` carries, or undefined when it has none readable. */
export function challengeOf(credential: unknown): string | undefined {
  const response = (credential as { response?: { clientDataJSON?: unknown } } | null)?.response;
  const data = response?.clientDataJSON;
  if (!isString(data) || data.length > 8192 || !BASE64URL.test(data)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as { challenge?: unknown };
    return isString(parsed.challenge) && parsed.challenge.length <= 512 && BASE64URL.test(parsed.challenge) ? parsed.challenge : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Spends the challenge of a response (its item deleted if unexpired and bound as expected).
 * Returns the challenge, or undefined when the response has none, or it is unknown, spent,
 * expired or bound otherwise. Runs before any verification.
 */
export async function spendChallenge(deps: Deps, credential: unknown, binding: WebauthnBinding): Promise<string | undefined> {
  const challenge = challengeOf(credential);
  if (challenge === undefined) return undefined;
  try {
    await deps.store.commit([{ type: 'consumeWebauthnChallenge', hash: hashSecret(challenge), binding, now: nowSeconds(deps) }]);
  } catch (error) {
    if (isConflict(error, 'token_mismatch')) return undefined;
    throw error;
  }
  return challenge;
}

/** The shape checks of a credential's JSON that SimpleWebAuthn assumes; the id within its bounds. */
function credentialShape(credential: unknown, kind: 'create' | 'get'): boolean {
  const c = credential as { id?: unknown; rawId?: unknown; type?: unknown; response?: Record<string, unknown> } | null;
  if (!c || typeof c !== 'object' || !isString(c.id) || c.id.length > MAX_CREDENTIAL_ID_LENGTH || !BASE64URL.test(c.id)) return false;
  if (c.type !== 'public-key' || !c.response || typeof c.response !== 'object') return false;
  if (!isString(c.response.clientDataJSON)) return false;
  return kind === 'create' ? isString(c.response.attestationObject) : isString(c.response.authenticatorData) && isString(c.response.signature);
}

/** The id of an assertion's credential and its `userHandle` decoded (the user id), when well-formed. */
export function assertionIds(credential: unknown): { credentialId: string; userId: string | undefined } | undefined {
  if (!credentialShape(credential, 'get')) return undefined;
  const c = credential as AuthenticationResponseJSON;
  const handle = c.response.userHandle;
  let userId: string | undefined;
  if (isString(handle) && handle.length <= 256 && BASE64URL.test(handle)) {
    const decoded = Buffer.from(handle, 'base64url').toString('utf8');
    userId = /^[A-Za-z0-9-]{1,64}$/.test(decoded) ? decoded : undefined;
  }
  return { credentialId: c.id, userId };
}

/** What a verified registration gives: the passkey to store (without its name and times). */
export type VerifiedRegistration = Omit<Passkey, 'userId' | 'name' | 'createdAt' | 'lastUsedAt'>;

/**
 * Verifies a registration response against its (spent) challenge, the configured origins and RP
 * ID. User verification is not required (a security key without it may be a second factor).
 * Undefined when it does not verify.
 */
export async function verifyRegistration(deps: Deps, credential: unknown, challenge: string): Promise<VerifiedRegistration | undefined> {
  if (!credentialShape(credential, 'create')) return undefined;
  const response = credential as RegistrationResponseJSON;
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: deps.config.webauthnOrigins,
      expectedRPID: deps.config.webauthnRpId,
      requireUserVerification: false,
    });
    if (!result.verified) return undefined;
    const info = result.registrationInfo;
    const transports = (info.credential.transports ?? response.response.transports ?? []).filter((t): t is string => typeof t === 'string').slice(0, 8);
    const rk = (response.clientExtensionResults as { credProps?: { rk?: unknown } } | undefined)?.credProps?.rk;
    return {
      id: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      discoverable: rk === true,
      aaguid: info.aaguid,
    };
  } catch (error) {
    deps.log.info('passkey registration refused', { flow: 'passkeys', reason: error instanceof Error ? error.message.slice(0, 120) : 'unknown' });
    return undefined;
  }
}

/** The outcome of an assertion check. */
export type AssertionOutcome =
  | { ok: true; newCounter: number; backedUp: boolean; deviceType: 'singleDevice' | 'multiDevice'; userVerified: boolean }
  /** A valid signature whose counter did not grow while either side is non-zero (§7.3). */
  | { ok: false; regression: true; newCounter: number }
  | { ok: false; regression: false };

/**
 * Verifies an assertion against a stored passkey. The counter rule is checked here on a VALID
 * signature only (so a forged response cannot disable someone's passkey): SimpleWebAuthn is
 * given counter 0 and the regression is decided from its `newCounter`.
 */
export async function verifyAssertion(
  deps: Deps,
  credential: unknown,
  challenge: string,
  passkey: Passkey,
  requireUserVerification: boolean,
): Promise<AssertionOutcome> {
  if (!credentialShape(credential, 'get') || (credential as { id: string }).id !== passkey.id) return { ok: false, regression: false };
  try {
    const result = await verifyAuthenticationResponse({
      response: credential as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: deps.config.webauthnOrigins,
      expectedRPID: deps.config.webauthnRpId,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: 0,
        transports: passkey.transports as never,
      },
      requireUserVerification,
    });
    if (!result.verified) return { ok: false, regression: false };
    const info = result.authenticationInfo;
    if ((info.newCounter > 0 || passkey.counter > 0) && info.newCounter <= passkey.counter) return { ok: false, regression: true, newCounter: info.newCounter };
    return { ok: true, newCounter: info.newCounter, backedUp: info.credentialBackedUp, deviceType: info.credentialDeviceType, userVerified: info.userVerified };
  } catch (error) {
    deps.log.info('passkey assertion refused', { flow: 'passkeys', reason: error instanceof Error ? error.message.slice(0, 120) : 'unknown' });
    return { ok: false, regression: false };
  }
}
