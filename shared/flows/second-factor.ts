import { AuthError, ExtendedAuthError, isConflict, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { codeShapeOf, remainingRecoveryCodes } from '../domain/recovery-codes.js';
import { hashSecret, randomSecret } from '../domain/secrets.js';
import { formatMailToken, parseMailToken } from '../domain/tokens.js';
import { amrWithSecondFactor } from '../domain/totp.js';
import { type MfaChallenge, toPublicUser, type User } from '../domain/types.js';
import { runAfterHook, runBeforeHook } from '../hooks/run.js';
import type { WriteOp } from '../ports/store.js';
import { auditOp } from './audit.js';
import { type Deps, nowSeconds, type RequestInfo } from './deps.js';
import { clearFailedSignIns } from './lockout.js';
import { type CodeProof, recordMfaFailure, recoveryCodeUsedOps, refuseDuringMfaLockout, verifyCode } from './reauthenticate.js';
import { prepareSession, type SignInMethod, type SignInWarning, startSession, type TokenPair } from './token-pair.js';

/**
 * The second factor at sign-in (`docs/specs/mfa-and-passkeys.md` §5): the ONE place that decides
 * whether a right first factor starts a session or answers `403 mfa_required`, and the second
 * step (`POST /session/mfa`) that turns an `mfaToken` and a code into the session.
 *
 * Every sign-in path calls {@link completeFirstFactor} once its first factor is verified and the
 * account's state checked (password sign-in in `current-session.ts`; provider sign-in and
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

/** The second factors a user can answer a challenge with (`mfaMethods`). */
export function mfaMethodsOf(user: User): string[] {
  // Passkeys (part B) add `webauthn` when the user has one: `passkeyCount` on the user item.
  const passkeys = (user as { passkeyCount?: number }).passkeyCount ?? 0;
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
    { user: toPublicUser(user), rememberMe: first.rememberMe, request: first.request, amr: first.amr, method: first.method },
    { rejectAs: 'forbidden' },
  );
  const warnings = (await first.checks?.()) ?? [];
  const started = await startSession(deps, user, { rememberMe: first.rememberMe, request: first.request, method: first.method, warnings, amr: first.amr });
  return { ...started, tokens: withEnrollmentFlag(deps, user, started.tokens) };
}

/** `AUTH_MFA=required` and no second factor yet: the pair says so (only enrolment routes answer). */
function withEnrollmentFlag(deps: Deps, user: User, tokens: TokenPair): TokenPair {
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

/** Body of `POST /session/mfa`. */
export interface MfaSignInInput {
  mfaToken?: string | undefined;
  code?: string | undefined;
  method?: string | undefined;
}

const invalidMfaToken = () => new AuthError('invalid_token', 'This sign-in has expired or is no longer valid. Please sign in again.');
const invalidCode = () => new AuthError('invalid_code');
const accountLocked = () => new AuthError('account_locked', messages.accountLocked);

/** Attempts when a concurrent sign-in or role change moves the user between read and write. */
const COMMIT_ATTEMPTS = 5;

/**
 * `POST /session/mfa`: the second step. Order of checks (§2): the `mfaToken` (`404
 * invalid_token`: unknown, malformed, expired, spent, exhausted, or the user's `sessionEpoch`
 * moved since the first step: a lock, password reset or revoke-all) → fields (422) → the MFA
 * lockout (429) → the code (401 `invalid_code`, spending one attempt of the challenge under a
 * conditional write and counting toward the lockout). A right code creates the session in ONE
 * transaction with the challenge's deletion (single use), the code's spending (replay) and the
 * user's `sessionEpoch`/lock guard, plus `mfa.verify` and `sign_in`.
 */
export async function completeMfa(deps: Deps, input: MfaSignInInput, request: RequestInfo): Promise<TokenPair> {
  const parsed = parseMailToken(input.mfaToken);
  if (!parsed) throw invalidMfaToken();
  const hash = hashSecret(parsed.secret);
  const max = deps.config.mfaMaxAttempts;
  const challenge = await deps.store.getMfaChallenge(parsed.userId, hash);
  // Expiry is checked here and in every condition: DynamoDB's TTL deletes late.
  if (!challenge || challenge.expiresAt <= nowSeconds(deps) || challenge.attempts >= max) throw invalidMfaToken();
  const user = await deps.store.getUser(parsed.userId);
  if (!user || user.sessionEpoch !== challenge.sessionEpoch) throw invalidMfaToken();

  const code = input.code ?? '';
  const errors: Record<string, string[]> = {};
  if (code.trim() === '') errors.code = [messages.field.blank];
  const method = input.method;
  if (method !== undefined && !(mfaMethodsOf(user).includes(method) && (method === 'totp' || method === 'recovery_code')))
    errors.method = [messages.field.invalid];
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  if (user.locked) {
    // Locked meanwhile without a revoke-all: the challenge is spent all the same.
    await deps.store.commit([{ type: 'consumeMfaChallenge', userId: user.id, hash, max, now: nowSeconds(deps) }]).catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
    throw accountLocked();
  }
  await refuseDuringMfaLockout(deps, user, 'session');

  const shape = codeShapeOf(code);
  const proof = method !== undefined && shape.kind !== method ? undefined : await verifyCode(deps, user, code);
  if (!proof) return wrongAnswer(deps, user, challenge, request);

  await runBeforeHook(
    deps,
    'beforeSignIn',
    { user: toPublicUser(user), rememberMe: challenge.rememberMe, request, amr: amrAfter(challenge, proof), method: challenge.method },
    { rejectAs: 'forbidden' },
  );
  const started = await commitSecondStep(deps, user, challenge, proof, request);
  // After the commit, best effort: the email's failed sign-in counter is cleared only now (§5.1).
  await clearFailedSignIns(deps, user.emailCanonical).catch(() => deps.log.warn('could not clear failed sign-ins', { flow: 'session', userId: user.id }));
  deps.log.info('signed in', { flow: 'session', userId: user.id, amr: amrAfter(challenge, proof).join(' ') });
  await runAfterHook(deps, 'afterSignIn', { user: started.tokens.user, sessionId: started.sessionId, request });
  return started.tokens;
}

/** The session's `amr`: the challenge's first factor, the code's factor, and `mfa`. */
function amrAfter(challenge: MfaChallenge, proof: CodeProof): string[] {
  return amrWithSecondFactor(challenge.firstFactorAmr, proof.method === 'totp' ? 'otp' : 'rcode');
}

/**
 * A wrong (or already spent) code: one attempt of the challenge, spent under `attempts < max`
 * (a burst cannot exceed the budget: a request that finds it exhausted is `404 invalid_token`
 * and counts nothing), with its `mfa.verify` failure; then one failure toward the account's MFA
 * lockout (whose start mails the owner once).
 */
async function wrongAnswer(deps: Deps, user: User, challenge: MfaChallenge, request: RequestInfo): Promise<never> {
  try {
    await deps.store.commit([
      { type: 'failMfaChallenge', userId: user.id, hash: challenge.hash, max: deps.config.mfaMaxAttempts, now: nowSeconds(deps) },
      await auditOp(deps, { type: 'mfa.verify', outcome: 'failure', userId: user.id, details: { reason: 'bad_code' }, request }),
    ]);
  } catch (error) {
    if (isConflict(error, 'token_mismatch')) throw invalidMfaToken();
    throw error;
  }
  await recordMfaFailure(deps, user, 'session', request);
  throw invalidCode();
}

/**
 * The decisive commit of a right code: the new session (prepared as every sign-in's, guarded on
 * the user's `sessionEpoch`, lock and password), the code spent in the same user write, the
 * challenge deleted (single use), `mfa.verify` and the session's `sign_in`, and for a recovery
 * code its event and notice mail. Races: a concurrent use of the challenge or of the code is
 * `404`/`401`; a lock, reset or revoke-all meanwhile `404` (`403 account_locked` when locked).
 */
async function commitSecondStep(deps: Deps, user: User, challenge: MfaChallenge, proof: CodeProof, request: RequestInfo): Promise<StartedSession> {
  const amr = amrAfter(challenge, proof);
  let current = user;
  for (let attempt = 0; ; attempt++) {
    const prepared = await prepareSession(deps, current, {
      rememberMe: challenge.rememberMe,
      request,
      method: challenge.method as SignInMethod,
      warnings: challenge.warnings as SignInWarning[],
      amr,
    });
    // The code is spent in the session's own user write (one write per item and transaction).
    const ops: WriteOp[] = prepared.ops.map((op) => (op.type === 'updateUser' && op.id === current.id ? { ...op, spend: proof.spend } : op));
    ops.push(
      { type: 'consumeMfaChallenge', userId: user.id, hash: challenge.hash, max: deps.config.mfaMaxAttempts, now: nowSeconds(deps) },
      await auditOp(deps, { type: 'mfa.verify', userId: user.id, sessionId: prepared.sessionId, details: { method: proof.method }, request }),
      ...(await recoveryCodeUsedOps(deps, current, proof, request, prepared.sessionId)),
    );
    try {
      await deps.store.commit(ops);
      const tokens: TokenPair = {
        ...withEnrollmentFlag(deps, current, prepared.tokens),
        ...(proof.method === 'recovery_code' ? { recoveryCodesRemaining: proof.remaining ?? 0 } : {}),
      };
      return { tokens, sessionId: prepared.sessionId };
    } catch (error) {
      // The same code used meanwhile (a concurrent request, or another challenge): a wrong answer.
      if (isConflict(error, 'code_spent')) return wrongAnswer(deps, user, challenge, request);
      // The challenge was spent, exhausted or expired meanwhile.
      if (isConflict(error, 'token_mismatch')) throw invalidMfaToken();
      if (!isConflict(error, 'user_changed') && !isConflict(error, 'not_found')) throw error;
      const fresh = await deps.store.getUser(user.id);
      if (!fresh || fresh.sessionEpoch !== challenge.sessionEpoch || fresh.passwordHash !== user.passwordHash) throw invalidMfaToken();
      if (fresh.locked) throw accountLocked();
      // Only a concurrent sign-in or role change moved the user: prepare again from the fresh read.
      if (attempt + 1 >= COMMIT_ATTEMPTS) throw new ServiceUnavailableError('Too many concurrent sign-ins to this account. Please try again.');
      current = fresh;
    }
  }
}
