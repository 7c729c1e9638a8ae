import { ExtendedAuthError } from '../domain/errors.js';
import { remainingRecoveryCodes } from '../domain/recovery-codes.js';
import { hashSecret, randomSecret } from '../domain/secrets.js';
import { formatMailToken } from '../domain/tokens.js';
import { type MfaChallenge, toPublicUser, type User } from '../domain/types.js';
import { runBeforeHook } from '../hooks/run.js';
import { auditOp } from './audit.js';
import type { RequestInfo } from './deps.js';
import { type Deps, nowSeconds } from './deps.js';
import { type SignInMethod, type SignInWarning, startSession, type TokenPair } from './token-pair.js';

/**
 * The second factor at sign-in (`docs/specs/mfa-and-passkeys.md` §5): the ONE place that decides
 * whether a right first factor starts a session or answers `403 mfa_required`, and the second
 * step (`POST /session/mfa`) that turns an `mfaToken` and a code into the session.
 *
 * Every sign-in path calls {@link completeFirstFactor} once its first factor is verified and the
 * account's state checked (the second step lives in `mfa-second-step.ts`, which carries `otplib`:
 * this file stays light for the functions that only sign in) (password sign-in in `current-session.ts`; provider sign-in and
 * passkeys call it too): a user with a second factor never gets a session from a first factor
 * alone, whichever the pathway (ASVS 6.3.3).
 */

/** What a verified first factor established. */
export interface FirstFactor {
  /** The `sign_in` event's `method` of the session that will be created. */
  method: SignInMethod;
  /** RFC 8176 values of the first factor (`["pwd"]`, `["fed"]`); one holding `mfa` (a passkey with user verification) needs no second step. */
  amr: string[];
  rememberMe: boolean;
  request: RequestInfo;
  /** The provider of a provider sign-in (`method` `provider`): the hooks see `oauth:<provider>`. */
  provider?: string;
  /**
   * Checks of the sign-in that may refuse it or add warnings (the breached-password check): run
   * before the challenge is issued, or after the `beforeSignIn` hook when no second step is needed.
   */
  checks?: () => Promise<SignInWarning[]>;
}

/** A started session: what `startSession` returns. */
export interface StartedSession {
  tokens: TokenPair;
  sessionId: string;
}

/** Whether a first factor with this `amr` must be followed by a second step for this user. */
export function needsSecondFactor(user: User, amr: readonly string[]): boolean {
  return user.mfaEnabled === true && !amr.includes('mfa');
}

/**
 * The password or provider part of a session's `amr` (`pwd`, `fed`): what stays when a second
 * factor joins or goes. Empty for a passwordless (passkey) session; callers choose the fallback.
 */
export function passwordOrProviderAmr(amr: readonly string[]): string[] {
  return amr.filter((value) => value === 'pwd' || value === 'fed');
}

/** The second factors a user can answer a challenge with (`mfaMethods`). */
export function mfaMethodsOf(user: User): string[] {
  // Passkeys (part B) add `webauthn` when the user has one: `passkeyCount` on the user item.
  const passkeys = user.passkeyCount ?? 0;
  return [
    ...(user.totp ? ['totp'] : []),
    ...(user.mfaEnabled && remainingRecoveryCodes(user.recoveryCodes) > 0 ? ['recovery_code'] : []),
    ...(passkeys > 0 ? ['webauthn'] : []),
  ];
}

/**
 * After a verified first factor: answers `403 mfa_required` (thrown, after storing the challenge
 * with its `mfa.challenge` event) for a user with a second factor, else runs the `beforeSignIn`
 * hook and starts the session. The caller maps the store's conflicts of `startSession`
 * (`user_changed`, `not_found`) and releases its attempt counter on any error.
 */
export async function completeFirstFactor(deps: Deps, user: User, first: FirstFactor): Promise<StartedSession> {
  if (needsSecondFactor(user, first.amr)) {
    const warnings = (await first.checks?.()) ?? [];
    throw await issueMfaChallenge(deps, user, first, warnings);
  }
  // The deployer's last word (e.g. an IP allow-list): after every check that could count as a
  // failure, before anything is written. A refusal is 403 and counts for nothing.
  await runBeforeHook(
    deps,
    'beforeSignIn',
    { user: toPublicUser(user), rememberMe: first.rememberMe, request: first.request, amr: first.amr, method: hookMethodOf(first.method, first.provider) },
    { rejectAs: 'forbidden' },
  );
  const warnings = (await first.checks?.()) ?? [];
  const started = await startSession(deps, user, { rememberMe: first.rememberMe, request: first.request, method: first.method, warnings, amr: first.amr });
  return { ...started, tokens: withEnrollmentFlag(deps, user, started.tokens) };
}

/**
 * The sign-in hooks' `method` (§5.2): `password`, `passkey`, `oauth:<provider>` (the `sign_in`
 * event's own `method` stays `provider`); other methods (`registration`, `invitation`) as they are.
 */
export function hookMethodOf(method: string, provider?: string): string {
  return method === 'provider' ? `oauth:${provider ?? 'unknown'}` : method;
}

/** `AUTH_MFA=required` and no second factor yet: the pair says so (only enrolment routes answer). */
export function withEnrollmentFlag(deps: Deps, user: User, tokens: TokenPair): TokenPair {
  return deps.config.mfa === 'required' && user.mfaEnabled !== true ? { ...tokens, mfaEnrollmentRequired: true } : tokens;
}

/**
 * Stores a challenge (`USER#<id>` / `MFA#<sha256(secret)>`, only the hash of the secret) with its
 * `mfa.challenge` event, and returns the `403 mfa_required` answer carrying the `mfaToken`. No
 * token, no session, no cookie.
 */
async function issueMfaChallenge(deps: Deps, user: User, first: FirstFactor, warnings: SignInWarning[]): Promise<ExtendedAuthError> {
  const secret = randomSecret();
  const ttl = deps.config.mfaChallengeTtlSeconds;
  const methods = mfaMethodsOf(user);
  const challenge: MfaChallenge = {
    userId: user.id,
    hash: hashSecret(secret),
    rememberMe: first.rememberMe,
    firstFactorAmr: [...first.amr],
    method: first.method,
    ...(first.provider !== undefined ? { provider: first.provider } : {}),
    sessionEpoch: user.sessionEpoch,
    attempts: 0,
    warnings,
    ip: first.request.ip,
    userAgent: first.request.userAgent?.slice(0, 512) ?? null,
    expiresAt: nowSeconds(deps) + ttl,
  };
  await deps.store.commit([
    { type: 'putMfaChallenge', challenge },
    await auditOp(deps, {
      type: 'mfa.challenge',
      userId: user.id,
      emailCanonical: user.emailCanonical,
      details: { methods, firstFactor: first.amr.join(' ') },
      request: first.request,
    }),
  ]);
  deps.log.info('second factor required', { flow: 'session', userId: user.id, code: 'mfa_required' });
  return new ExtendedAuthError('mfa_required', { mfaToken: formatMailToken(user.id, secret), mfaMethods: methods, expiresIn: ttl });
}
