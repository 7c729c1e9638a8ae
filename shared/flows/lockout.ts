import { RetryableError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { hashSecret } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import { counterIsFull, type FailureCounter, type FailurePolicy } from '../ports/attempt-counters.js';
import { recordAudit } from './audit.js';
import { type Deps, nowSeconds, type RequestInfo } from './deps.js';
import { enqueueQuietly, prepareTemplateMail } from './send-mail.js';

/**
 * Counter scope of a canonical email. The address is stored only as its SHA-256: counters exist
 * for addresses that have no account too, and people type passwords into the email field.
 */
export function emailScope(emailCanonical: string): string {
  return `email:${hashSecret(emailCanonical)}`;
}

/** Counter scope of a source address (hashed only when it is implausibly long for an IP). */
export function ipScope(ip: string): string {
  return `ip:${ip.length <= 64 ? ip : hashSecret(ip)}`;
}

/** Where a sign-in attempt comes from and which account it names. */
export interface SignInAttempt {
  /** The canonical email of the attempt, or null when none was given. */
  emailCanonical: string | null;
  /** The source address (API Gateway's `sourceIp`), or null when unknown (CLI, in-process tests). */
  ip: string | null;
}

/** The counter scopes of an attempt and the account's reserved slot. */
export interface LockoutCheck {
  /** The canonical email of the attempt (for the audit log's `emailHash`), or null. */
  emailCanonical: string | null;
  emailScope: string | null;
  ipScope: string | null;
  /** The slot reserved for this attempt in the email's counter (null without an email). */
  reservation: { count: number; windowEnds: number } | null;
}

/** The counting rules of the deps' configuration, at the deps' clock. */
function policyOf(deps: Pick<Deps, 'config' | 'clock'>): FailurePolicy {
  return {
    now: nowSeconds(deps),
    windowSeconds: deps.config.lockoutSeconds,
    max: deps.config.maxFailedSignIns,
    lockoutSeconds: deps.config.lockoutSeconds,
  };
}

/** When a full counter takes attempts again: its lockout's end, or (reservations at the limit still running) about a lockout from now. */
function endOf(counter: FailureCounter, policy: FailurePolicy): number {
  return counter.lockedUntil !== null && counter.lockedUntil > policy.now ? counter.lockedUntil : policy.now + policy.lockoutSeconds;
}

function tooManyAttempts(deps: Pick<Deps, 'log' | 'clock'>, flow: string, until: number): never {
  deps.log.info('attempt refused: lockout', { flow, code: 'too_many_attempts' });
  // Read the clock again: a lockout started by a concurrent failure a second after this
  // attempt's first reading still ends `AUTH_LOCKOUT_SECONDS` from now, at most.
  throw new RetryableError('too_many_attempts', until - nowSeconds(deps), messages.tooManyAttempts);
}

/**
 * Admits a password attempt, BEFORE its password is verified, or refuses it with `429
 * too_many_attempts` and `Retry-After` (seconds until the lockout ends) without verifying it.
 *
 * - The source address (sign-ins only): its counter is read and refuses the attempt while it
 *   is full (at `AUTH_MAX_FAILED_SIGN_INS`, or locked); failures are added after the fact.
 * - The account (its canonical email): the attempt reserves a slot with one atomic conditional
 *   increment under the limit (`AttemptCounters.reserveAttempt`), so however many attempts
 *   arrive at once, at most `AUTH_MAX_FAILED_SIGN_INS` per window get their password checked.
 *   The caller then settles the slot: {@link recordFailedSignIn} keeps it counted,
 *   {@link clearFailedSignIns} (a sign-in) or {@link releaseAttempt} (a right password that did
 *   not sign in) gives it back.
 *
 * A refusal writes nothing. The address is checked first, so a locked address does not use up
 * an account's slots.
 */
export async function reserveAttempt(deps: Deps, attempt: SignInAttempt, flow = 'session'): Promise<LockoutCheck> {
  const scopes = {
    emailScope: attempt.emailCanonical === null ? null : emailScope(attempt.emailCanonical),
    ipScope: attempt.ip === null || attempt.ip === '' ? null : ipScope(attempt.ip),
  };
  const policy = policyOf(deps);
  if (scopes.ipScope !== null) {
    const [byIp] = await deps.counters.getCounters([scopes.ipScope], policy.now);
    if (byIp && counterIsFull(byIp, policy)) tooManyAttempts(deps, flow, endOf(byIp, policy));
  }
  if (scopes.emailScope === null) return { ...scopes, emailCanonical: null, reservation: null };
  const reserved = await deps.counters.reserveAttempt(scopes.emailScope, policy);
  if (!reserved.granted) tooManyAttempts(deps, flow, endOf(reserved.counter, policy));
  return { ...scopes, emailCanonical: attempt.emailCanonical, reservation: { count: reserved.count, windowEnds: reserved.windowEnds } };
}

/**
 * Counts a failed attempt: the account's reserved slot stays counted (and when it was the one
 * at the limit, the lockout starts), the source address gets one more failure (an atomic
 * increment). When this failure starts the email's lockout, the account's owner (if the email
 * has an account) gets one mail: only the failure that started it reports `justLocked`.
 *
 * The failure that starts a lockout writes a `lockout.start` event (after the counters, alone:
 * counters are no account state): scope `email` under the account (or `NOUSER#<day>` with the
 * `emailHash` for an address without one), scope `ip` under `NOUSER#<day>` with the source
 * address. A failed event write answers 503 (the request is audited or it fails).
 */
export async function recordFailedSignIn(deps: Deps, check: LockoutCheck, user: User | undefined, flow = 'session', request?: RequestInfo): Promise<void> {
  const policy = policyOf(deps);
  const [byEmail, byIp] = await Promise.all([
    check.emailScope === null || check.reservation === null ? undefined : deps.counters.settleFailure(check.emailScope, check.reservation, policy),
    check.ipScope === null ? undefined : deps.counters.recordFailure(check.ipScope, policy),
  ]);
  if (byIp?.justLocked) {
    deps.log.warn('lockout started', { flow, scope: 'ip', code: 'too_many_attempts' });
    await recordAudit(deps, {
      type: 'lockout.start',
      userId: null,
      actor: { kind: 'system' },
      details: { scope: 'ip', failures: byIp.count, until: isoOf(byIp.lockedUntil) },
      request,
    });
  }
  if (!byEmail?.justLocked) return;
  deps.log.warn('lockout started', { flow, scope: 'email', ...(user ? { userId: user.id } : {}), code: 'too_many_attempts' });
  await recordAudit(deps, {
    type: 'lockout.start',
    userId: user?.id ?? null,
    actor: { kind: 'system' },
    emailCanonical: check.emailCanonical,
    details: { scope: 'email', failures: byEmail.count, until: isoOf(byEmail.lockedUntil) },
    request,
  });
  if (!user || user.invitationPending) return;
  // A security notice: never capped. Queued on its own and best-effort: the lockout holds
  // whether or not its notice gets out, and the sign-in still answers 401.
  try {
    const notice = await prepareTemplateMail(
      deps,
      user.email,
      'lockedOut',
      {
        appUrl: deps.config.appUrl,
        email: user.email,
        failures: deps.config.maxFailedSignIns,
        minutes: Math.ceil(deps.config.lockoutSeconds / 60),
        resetLink: `${deps.config.appUrl}/reset-password`,
      },
      { userId: user.id, locale: user.locale, cap: null },
    );
    await enqueueQuietly(deps, flow, notice);
  } catch (error) {
    deps.log.error('lockout mail failed', { flow, userId: user.id, errorName: error instanceof Error ? error.name : typeof error });
  }
}

/** An epoch-seconds time as ISO 8601 (the audit log's times), or undefined. */
function isoOf(seconds: number | null): string | undefined {
  return seconds === null ? undefined : new Date(seconds * 1000).toISOString();
}

/**
 * Gives the account's reserved slot back: the password was right but the attempt did not sign
 * in (an unconfirmed or locked account, a refusing hook, a lost race), or a `PATCH`/`DELETE
 * /me` whose `currentPassword` was right (before its commit). A failure to release is answered
 * (503), not hidden: nothing of the use case has been written yet.
 */
export async function releaseAttempt(deps: Pick<Deps, 'counters'>, check: LockoutCheck): Promise<void> {
  if (check.emailScope === null || check.reservation === null) return;
  await deps.counters.releaseAttempt(check.emailScope, check.reservation);
}

/**
 * Clears the failed-sign-in counter of an email: called after a successful sign-in and after a
 * password reset (the owner proved control of the account, so their lockout ends). The source
 * address's counter stays: a success for one account says nothing about other guesses from
 * the same address.
 */
export async function clearFailedSignIns(deps: Pick<Deps, 'counters'>, emailCanonical: string): Promise<void> {
  await deps.counters.clearCounter(emailScope(emailCanonical));
}
