import { AuthError, ExtendedAuthError, isConflict, RetryableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { codeShapeOf, remainingRecoveryCodes } from '../domain/recovery-codes.js';
import { amrOf, amrWithSecondFactor, authTimeOf, firstFactorOf } from '../domain/totp.js';
import type { Session, User } from '../domain/types.js';
import { counterIsFull } from '../ports/attempt-counters.js';
import type { CodeSpend, WriteOp } from '../ports/store.js';
import { auditOp, recordAudit } from './audit.js';
import { type Deps, nowIso, nowSeconds, type Principal, type RequestInfo } from './deps.js';
import { recordFailedSignIn, releaseAttempt, reserveAttempt } from './lockout.js';
import { enqueueOp, prepareTemplateMail } from './send-mail.js';
import { matchedTotpStep } from './totp-codes.js';

/**
 * Step-up re-authentication (`docs/specs/mfa-and-passkeys.md` §4): the one check of every (R)
 * route, and `POST /session/reauthenticate`. An (R) route passes with fresh authentication (the
 * session's last authentication within `AUTH_REAUTH_WINDOW_SECONDS`, at aal2 for an MFA user) or
 * with credentials in the body (`currentPassword`, plus `code` for an MFA user). A code is
 * verified here but spent by the caller's own write ({@link CodeProof.spend}), so a request
 * refused later spends nothing.
 */

/** The credential members of an (R) route's body. */
export interface StepUpInput {
  currentPassword?: string | undefined;
  code?: string | undefined;
}

/** A second-factor code that was verified: how to spend it in the caller's write. */
export interface CodeProof {
  method: 'totp' | 'recovery_code';
  spend: CodeSpend;
  /** Unused recovery codes left once this one is spent (recovery codes only). */
  remaining?: number;
}

/** What satisfied an (R) route. */
export interface StepUp {
  user: User;
  session: Session;
  /** How: fresh authentication, or credentials in the body. */
  via: 'fresh' | 'credentials';
  /** The code to spend with the route's change; null without one. */
  proof: CodeProof | null;
}

/** The counter scope of an account's second-factor failures (§5.3). */
export function mfaScope(userId: string): string {
  return `mfa:${userId}`;
}

/** The caller's user and session; `401` when either is gone. */
export async function loadCaller(deps: Deps, principal: Principal): Promise<{ user: User; session: Session }> {
  const [user, session] = await Promise.all([deps.store.getUser(principal.userId), deps.store.getSession(principal.userId, principal.sessionId)]);
  if (!user || !session) throw new AuthError('unauthorized');
  return { user, session };
}

/** The methods a user can step up with (§4's `reauthMethods`). */
export function reauthMethodsOf(user: User): string[] {
  return [
    ...(user.passwordHash !== null ? ['password'] : []),
    ...(user.totp ? ['totp'] : []),
    ...(user.mfaEnabled && remainingRecoveryCodes(user.recoveryCodes) > 0 ? ['recovery_code'] : []),
    ...((user.passkeyCount ?? 0) > 0 ? ['webauthn'] : []),
  ];
}

/** `403 reauthentication_required` with its members and RFC 9470's challenge. */
export function reauthenticationRequired(deps: Deps, user: User): ExtendedAuthError {
  return new ExtendedAuthError(
    'reauthentication_required',
    { reauthMethods: reauthMethodsOf(user), reauthAal: user.mfaEnabled ? 'aal2' : 'aal1' },
    { 'www-authenticate': `Bearer error="insufficient_user_authentication", max_age=${deps.config.reauthWindowSeconds}` },
  );
}

/** Whether the session's last authentication is fresh enough for an (R) route (§4, 1.). */
export function isFresh(deps: Deps, user: User, session: Session): boolean {
  if (nowSeconds(deps) - authTimeOf(session) > deps.config.reauthWindowSeconds) return false;
  return !user.mfaEnabled || amrOf(session).includes('mfa');
}

/**
 * The check of an (R) route: passes with fresh authentication when the body carries no
 * credential member, else checks the credentials (422 for a missing or wrong one, 429 past a
 * lockout). Throws `403 reauthentication_required` when neither holds.
 */
export async function requireStepUp(deps: Deps, principal: Principal, input: StepUpInput, flow: string): Promise<StepUp> {
  const { user, session } = await loadCaller(deps, principal);
  const sent = input.currentPassword !== undefined || input.code !== undefined;
  if (!sent) {
    if (isFresh(deps, user, session)) return { user, session, via: 'fresh', proof: null };
    throw reauthenticationRequired(deps, user);
  }
  // A user without a password proves presence by a fresh sign-in (a passkey or a provider).
  if (user.passwordHash === null) throw reauthenticationRequired(deps, user);
  const proof = await checkCredentials(deps, user, input, { flow, wrong: 'field' });
  return { user, session, via: 'credentials', proof };
}

/** How wrong credentials answer: `422` field errors on (R) routes, `401` at `POST /session/reauthenticate`. */
interface CheckMode {
  flow: string;
  wrong: 'field' | 'status';
  request?: RequestInfo | undefined;
}

/**
 * Checks `currentPassword` (and `code` for an MFA user): missing members first (422), then the
 * lockouts (429 without checking anything), the password (counted as a failed sign-in of the
 * account when wrong), then the code (counted toward the MFA lockout when wrong).
 */
async function checkCredentials(deps: Deps, user: User, input: StepUpInput, mode: CheckMode): Promise<CodeProof | null> {
  const blank: Record<string, string[]> = {};
  if (input.currentPassword === undefined || input.currentPassword === '') blank.currentPassword = [messages.field.blank];
  if (user.mfaEnabled && (input.code === undefined || input.code.trim() === '')) blank.code = [messages.field.blank];
  if (Object.keys(blank).length > 0) throw new ValidationError(blank);
  if (user.mfaEnabled) await refuseDuringMfaLockout(deps, user, mode.flow);
  const attempt = await reserveAttempt(deps, { emailCanonical: user.emailCanonical, ip: null }, mode.flow);
  const verified = user.passwordHash !== null && (await deps.hasher.verify(user.passwordHash, input.currentPassword as string));
  if (!verified) {
    deps.log.info('current password refused', { flow: mode.flow, userId: user.id, code: mode.wrong === 'field' ? 'validation_failed' : 'invalid_credentials' });
    await recordFailedSignIn(deps, attempt, user, mode.flow);
    if (mode.wrong === 'status') {
      await recordAudit(deps, { type: 'reauthenticate', outcome: 'failure', userId: user.id, details: { reason: 'bad_password' }, request: mode.request });
      throw new AuthError('invalid_credentials');
    }
    throw new ValidationError({ currentPassword: [messages.field.invalid] });
  }
  await releaseAttempt(deps, attempt);
  if (!user.mfaEnabled) return null;
  const proof = await verifyCode(deps, user, input.code as string);
  if (!proof) {
    await recordMfaFailure(deps, user, mode.flow, mode.request);
    if (mode.wrong === 'status') {
      await recordAudit(deps, { type: 'reauthenticate', outcome: 'failure', userId: user.id, details: { reason: 'bad_code' }, request: mode.request });
      throw new AuthError('invalid_code');
    }
    throw new ValidationError({ code: [messages.field.invalid] });
  }
  return proof;
}

/** The MFA lockout's rules (§5.3): `AUTH_MAX_FAILED_MFA` failures within `AUTH_LOCKOUT_SECONDS`. */
function mfaPolicy(deps: Deps) {
  return { now: nowSeconds(deps), windowSeconds: deps.config.lockoutSeconds, max: deps.config.maxFailedMfa, lockoutSeconds: deps.config.lockoutSeconds };
}

/** `429 too_many_attempts` while the account's MFA lockout runs, before any code is checked. */
export async function refuseDuringMfaLockout(deps: Deps, user: User, flow: string): Promise<void> {
  const policy = mfaPolicy(deps);
  const [counter] = await deps.counters.getCounters([mfaScope(user.id)], policy.now);
  if (!counter || !counterIsFull(counter, policy)) return;
  const until = counter.lockedUntil !== null && counter.lockedUntil > policy.now ? counter.lockedUntil : policy.now + policy.lockoutSeconds;
  deps.log.info('attempt refused: MFA lockout', { flow, userId: user.id, code: 'too_many_attempts' });
  throw new RetryableError('too_many_attempts', until - policy.now, messages.tooManyAttempts);
}

/**
 * Counts a wrong second-factor code toward the account's MFA lockout (an atomic increment). The
 * one failure that starts the lockout (`justLocked`: exactly one per lockout) writes `mfa.lockout`
 * and queues the owner's `mfaLockedOut` notice in one commit.
 */
export async function recordMfaFailure(deps: Deps, user: User, flow: string, request?: RequestInfo): Promise<void> {
  const policy = mfaPolicy(deps);
  const record = await deps.counters.recordFailure(mfaScope(user.id), policy);
  deps.log.info('second factor refused', { flow, userId: user.id, code: 'invalid_code' });
  if (!record.justLocked) return;
  deps.log.warn('MFA lockout started', { flow, userId: user.id, code: 'too_many_attempts' });
  const minutes = Math.max(1, Math.ceil(((record.lockedUntil ?? policy.now + policy.lockoutSeconds) - policy.now) / 60));
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'mfaLockedOut',
    { appUrl: deps.config.appUrl, email: user.email, failures: record.count, minutes },
    { userId: user.id, locale: user.locale, cap: null },
  );
  await deps.store.commit([
    await auditOp(deps, { type: 'mfa.lockout', userId: user.id, actor: { kind: 'system' }, details: { failures: record.count }, request }),
    enqueueOp(mail),
  ]);
}

/**
 * Verifies a `code` against the user's factors by its shape (§4): 6 digits are a TOTP code of
 * the current step (or the previous one within the grace), above `totp.lastStep`; 16 symbols of
 * the recovery alphabet are checked against every unused recovery code. Spends nothing.
 */
export async function verifyCode(deps: Deps, user: User, code: string): Promise<CodeProof | undefined> {
  const shape = codeShapeOf(code);
  if (shape.kind === 'totp') {
    const match = await matchTotp(deps, user, shape.code);
    if (!match) return undefined;
    return { method: 'totp', spend: { totpStep: match.step, ...(match.reencrypted ? { totpSecretEnc: match.reencrypted } : {}) } };
  }
  if (shape.kind === 'recovery_code') {
    const id = await matchRecoveryCode(deps, user, shape.code);
    if (id === undefined) return undefined;
    return { method: 'recovery_code', spend: { recoveryCode: { id, usedAt: nowIso(deps) } }, remaining: remainingRecoveryCodes(user.recoveryCodes) - 1 };
  }
  return undefined;
}

/**
 * The time step a TOTP code matches (`totp-codes.ts`, `otplib`): the current step, or the previous one during
 * the first `AUTH_TOTP_GRACE_SECONDS` of the current (`epochTolerance: [grace, 0]`: never a
 * future step), and above `lastStep` (`afterTimeStep`: a replay is refused). Time is the deps'
 * clock. Undefined for a wrong code or a secret that does not decrypt.
 */
export async function matchTotp(deps: Deps, user: User, code: string): Promise<{ step: number; reencrypted?: string } | undefined> {
  if (!user.totp) return undefined;
  const binding = { purpose: 'totp' as const, userId: user.id };
  const secret = await deps.dataKeys.decrypt(user.totp.secretEnc, binding);
  if (!secret) {
    deps.log.error('TOTP secret does not decrypt', { flow: 'mfa', userId: user.id });
    return undefined;
  }
  const step = await totpStepOf(deps, secret.plaintext, code, user.totp.lastStep);
  if (step === undefined) return undefined;
  // Under an older key of the ring: re-encrypted under the current one in the write that spends the step.
  return secret.stale ? { step, reencrypted: await deps.dataKeys.encrypt(secret.plaintext, binding) } : { step };
}

/** One code against a base32 secret at the deps' clock and `AUTH_TOTP_GRACE_SECONDS` (`totp-codes.ts`); the matched step or undefined. */
export function totpStepOf(deps: Deps, secret: string, code: string, afterStep?: number): Promise<number | undefined> {
  return matchedTotpStep({ secret, code, epoch: nowSeconds(deps), graceSeconds: deps.config.totpGraceSeconds, afterStep });
}

/** The id of the unused recovery code this normalised code is, checked against every unused hash. */
export async function matchRecoveryCode(deps: Deps, user: User, normalized: string): Promise<string | undefined> {
  const unused = Object.entries(user.recoveryCodes ?? {}).filter(([, entry]) => entry.usedAt === undefined);
  const results = await Promise.all(unused.map(async ([id, entry]) => ((await deps.hasher.verify(entry.hash, normalized)) ? id : undefined)));
  return results.find((id) => id !== undefined);
}

/** The writes that go with a spent recovery code: its event and the `recoveryCodeUsed` notice. */
export async function recoveryCodeUsedOps(deps: Deps, user: User, proof: CodeProof | null, request?: RequestInfo, sessionId?: string): Promise<WriteOp[]> {
  if (proof?.method !== 'recovery_code') return [];
  const remaining = proof.remaining ?? 0;
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'recoveryCodeUsed',
    { appUrl: deps.config.appUrl, email: user.email, remaining },
    { userId: user.id, locale: user.locale, cap: null },
  );
  return [await auditOp(deps, { type: 'recovery_code.used', userId: user.id, sessionId: sessionId ?? null, details: { remaining }, request }), enqueueOp(mail)];
}

/** The answer of `POST /session/reauthenticate`. */
export interface ReauthenticateResult {
  reauthenticatedUntil: string;
  aal: 'aal1' | 'aal2';
  recoveryCodesRemaining?: number;
}

/**
 * `POST /session/reauthenticate`: the password (and a code for an MFA user) renews the
 * session's authentication: `amr` and `authTime` are replaced, on the condition that the session
 * still has the access token that asked (not renewed or revoked meanwhile). The code is spent in
 * the same transaction, with the `reauthenticate` event.
 */
export async function reauthenticate(deps: Deps, principal: Principal, input: StepUpInput, request?: RequestInfo): Promise<ReauthenticateResult> {
  const { user, session } = await loadCaller(deps, principal);
  if (user.passwordHash === null) throw reauthenticationRequired(deps, user);
  const proof = await checkCredentials(deps, user, input, { flow: 'reauthenticate', wrong: 'status', request });
  const now = nowSeconds(deps);
  const first = firstFactorOf(amrOf(session));
  const amr = proof ? amrWithSecondFactor(first, proof.method === 'totp' ? 'otp' : 'rcode') : ['pwd'];
  const aal = proof ? 'aal2' : 'aal1';
  const ops: WriteOp[] = [
    { type: 'updateSession', userId: user.id, id: session.id, ifJti: principal.jti, set: { amr, authTime: now } },
    ...(proof ? [{ type: 'updateUser' as const, id: user.id, spend: proof.spend }] : []),
    await auditOp(deps, { type: 'reauthenticate', userId: user.id, sessionId: session.id, details: { method: proof?.method ?? 'password', aal }, request }),
    ...(await recoveryCodeUsedOps(deps, user, proof, request, session.id)),
  ];
  await commitSpendingCode(deps, ops, () => new AuthError('invalid_code'));
  deps.log.info('reauthenticated', { flow: 'reauthenticate', userId: user.id, aal });
  return {
    reauthenticatedUntil: new Date((now + deps.config.reauthWindowSeconds) * 1000).toISOString(),
    aal,
    ...(proof?.method === 'recovery_code' ? { recoveryCodesRemaining: proof.remaining ?? 0 } : {}),
  };
}

/**
 * Commits a write that spends a code, mapping its races: `code_spent` (the same code used by a
 * concurrent request) to `codeSpent()`, a session renewed or revoked meanwhile to `401`.
 */
export async function commitSpendingCode(deps: Deps, ops: WriteOp[], codeSpent: () => Error): Promise<void> {
  try {
    await deps.store.commit(ops);
  } catch (error) {
    if (isConflict(error, 'code_spent')) throw codeSpent();
    if (isConflict(error, 'token_mismatch') || isConflict(error, 'session_gone') || isConflict(error, 'not_found')) throw new AuthError('unauthorized');
    throw error;
  }
}
