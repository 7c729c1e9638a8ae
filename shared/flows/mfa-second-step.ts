import { AuthError, isConflict, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { codeShapeOf } from '../domain/recovery-codes.js';
import { hashSecret } from '../domain/secrets.js';
import { parseMailToken } from '../domain/tokens.js';
import { amrWithSecondFactor } from '../domain/totp.js';
import { type MfaChallenge, toPublicUser, type User } from '../domain/types.js';
import { runAfterHook, runBeforeHook } from '../hooks/run.js';
import type { CodeSpend, WriteOp } from '../ports/store.js';
import { auditOp } from './audit.js';
import { type Deps, nowSeconds, type RequestInfo } from './deps.js';
import { clearFailedSignIns } from './lockout.js';
import { recordMfaFailure, recoveryCodeUsedOps, refuseDuringMfaLockout, verifyCode } from './reauthenticate.js';
import { hookMethodOf, mfaMethodsOf, type StartedSession, withEnrollmentFlag } from './second-factor.js';
import { prepareSession, type SignInMethod, type SignInWarning, type TokenPair } from './token-pair.js';

/**
 * The second step of a sign-in (`docs/specs/mfa-and-passkeys.md` §5.2): `POST /session/mfa`
 * with a TOTP or recovery code. Passkeys as a second factor (`POST /session/mfa/webauthn`) reuse
 * {@link loadMfaChallenge}, {@link mfaWrongAnswer} and {@link commitSecondStep} with their own proof.
 */

/** A verified second factor, ready to be committed with the session. */
export interface SecondFactorProof {
  /** The `mfa.verify` event's `method` (`totp`, `recovery_code`, `webauthn`). */
  method: string;
  /** The RFC 8176 value it adds to the first factor's `amr` (`otp`, `rcode`, `hwk`, `swk`). */
  amrValue: string;
  /** A code spent in the session's own user write (TOTP step, recovery code). */
  spend?: CodeSpend;
  /** Recovery codes: how many remain once this one is spent (answered as `recoveryCodesRemaining`). */
  remaining?: number;
  /** Further writes of the same transaction (e.g. a passkey's counter update), conditioned by their owner. */
  extraOps?: WriteOp[];
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
  const { user, challenge } = await loadMfaChallenge(deps, input.mfaToken);
  const code = input.code ?? '';
  const errors: Record<string, string[]> = {};
  if (code.trim() === '') errors.code = [messages.field.blank];
  const method = input.method;
  if (method !== undefined && !(mfaMethodsOf(user).includes(method) && (method === 'totp' || method === 'recovery_code')))
    errors.method = [messages.field.invalid];
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  await refuseLockedChallengeUser(deps, user, challenge);
  await refuseDuringMfaLockout(deps, user, 'session');

  const shape = codeShapeOf(code);
  const verified = method !== undefined && shape.kind !== method ? undefined : await verifyCode(deps, user, code);
  if (!verified) return mfaWrongAnswer(deps, user, challenge, request);
  const proof: SecondFactorProof = {
    method: verified.method,
    amrValue: verified.method === 'totp' ? 'otp' : 'rcode',
    spend: verified.spend,
    ...(verified.remaining !== undefined ? { remaining: verified.remaining } : {}),
    extraOps: await recoveryCodeUsedOps(deps, user, verified, request),
  };

  const hook = signInHookContext(user, challenge, proof, request);
  await runBeforeHook(deps, 'beforeSignIn', hook, { rejectAs: 'forbidden' });
  const started = await commitSecondStep(deps, user, challenge, proof, request);
  // After the commit, best effort: the email's failed sign-in counter is cleared only now (§5.1).
  await clearFailedSignIns(deps, user.emailCanonical).catch(() => deps.log.warn('could not clear failed sign-ins', { flow: 'session', userId: user.id }));
  deps.log.info('signed in', { flow: 'session', userId: user.id, amr: hook.amr.join(' ') });
  await runAfterHook(deps, 'afterSignIn', { user: started.tokens.user, sessionId: started.sessionId, request, amr: hook.amr, method: hook.method });
  return started.tokens;
}

/**
 * The `beforeSignIn` hook's context of a second step (§5.2): the session's `amr` (first factor,
 * the proof's factor, `mfa`) and the first factor's `method` (`password`, `oauth:<provider>`).
 */
export function signInHookContext(
  user: User,
  challenge: MfaChallenge,
  proof: Pick<SecondFactorProof, 'amrValue'>,
  request: RequestInfo,
): { user: ReturnType<typeof toPublicUser>; rememberMe: boolean; request: RequestInfo; amr: string[]; method: string } {
  return {
    user: toPublicUser(user),
    rememberMe: challenge.rememberMe,
    request,
    amr: amrWithSecondFactor(challenge.firstFactorAmr, proof.amrValue),
    method: hookMethodOf(challenge.method, challenge.provider),
  };
}

/** A user locked since the first step: the challenge is spent all the same, `403 account_locked`. */
export async function refuseLockedChallengeUser(deps: Deps, user: User, challenge: MfaChallenge): Promise<void> {
  if (!user.locked) return;
  const consume: WriteOp = { type: 'consumeMfaChallenge', userId: user.id, hash: challenge.hash, max: deps.config.mfaMaxAttempts, now: nowSeconds(deps) };
  await deps.store.commit([consume]).catch((error: unknown) => {
    if (!isConflict(error)) throw error;
  });
  throw accountLocked();
}

/**
 * The live challenge of an `mfaToken` and its user: `404 invalid_token` when the token is
 * missing, malformed, unknown, expired (checked here and in every condition: DynamoDB's TTL
 * deletes late), exhausted, or when the user's `sessionEpoch` moved since the first step.
 */
export async function loadMfaChallenge(deps: Deps, mfaToken: string | undefined): Promise<{ user: User; challenge: MfaChallenge }> {
  const parsed = parseMailToken(mfaToken);
  if (!parsed) throw invalidMfaToken();
  const challenge = await deps.store.getMfaChallenge(parsed.userId, hashSecret(parsed.secret));
  if (!challenge || challenge.expiresAt <= nowSeconds(deps) || challenge.attempts >= deps.config.mfaMaxAttempts) throw invalidMfaToken();
  const user = await deps.store.getUser(parsed.userId);
  if (!user || user.sessionEpoch !== challenge.sessionEpoch) throw invalidMfaToken();
  return { user, challenge };
}

/** The session's `amr`: the challenge's first factor, the proof's factor, and `mfa`. */
export function amrAfter(challenge: MfaChallenge, proof: SecondFactorProof): string[] {
  return amrWithSecondFactor(challenge.firstFactorAmr, proof.amrValue);
}

/**
 * A wrong (or already spent) code: one attempt of the challenge, spent under `attempts < max`
 * (a burst cannot exceed the budget: a request that finds it exhausted is `404 invalid_token`
 * and counts nothing), with its `mfa.verify` failure; then one failure toward the account's MFA
 * lockout (whose start mails the owner once).
 */
export async function mfaWrongAnswer(deps: Deps, user: User, challenge: MfaChallenge, request: RequestInfo): Promise<never> {
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
export async function commitSecondStep(
  deps: Deps,
  user: User,
  challenge: MfaChallenge,
  proof: SecondFactorProof,
  request: RequestInfo,
): Promise<StartedSession> {
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
    const spend = proof.spend;
    const ops: WriteOp[] = spend ? prepared.ops.map((op) => (op.type === 'updateUser' && op.id === current.id ? { ...op, spend } : op)) : [...prepared.ops];
    ops.push(
      { type: 'consumeMfaChallenge', userId: user.id, hash: challenge.hash, max: deps.config.mfaMaxAttempts, now: nowSeconds(deps) },
      await auditOp(deps, { type: 'mfa.verify', userId: user.id, sessionId: prepared.sessionId, details: { method: proof.method }, request }),
      ...(proof.extraOps ?? []),
    );
    try {
      await deps.store.commit(ops);
      const tokens: TokenPair = {
        ...withEnrollmentFlag(deps, current, prepared.tokens),
        ...(proof.remaining !== undefined ? { recoveryCodesRemaining: proof.remaining } : {}),
      };
      return { tokens, sessionId: prepared.sessionId };
    } catch (error) {
      // The same code used meanwhile (a concurrent request, or another challenge): a wrong answer.
      if (isConflict(error, 'code_spent')) return mfaWrongAnswer(deps, user, challenge, request);
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
