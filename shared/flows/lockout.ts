import { RetryableError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { hashSecret } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import type { FailureCounter } from '../ports/store.js';
import { type Deps, nowSeconds } from './deps.js';
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

/** The counter scopes of an attempt and the live counters read for it. */
export interface LockoutCheck {
  emailScope: string | null;
  ipScope: string | null;
  /** The email's live counter, if any: a successful sign-in clears it. */
  emailCounter: FailureCounter | undefined;
}

/**
 * Refuses a sign-in while its email or its source address is locked out: `429
 * too_many_attempts` with `Retry-After` (seconds until the later of the two lockouts ends),
 * whatever the password and without verifying it, so a lockout costs one read of two small
 * items instead of an argon2id verification. The counters' expiry is checked on read.
 */
export async function checkSignInLockout(deps: Deps, attempt: SignInAttempt): Promise<LockoutCheck> {
  const scopes = {
    emailScope: attempt.emailCanonical === null ? null : emailScope(attempt.emailCanonical),
    ipScope: attempt.ip === null || attempt.ip === '' ? null : ipScope(attempt.ip),
  };
  const wanted = [scopes.emailScope, scopes.ipScope].filter((s): s is string => s !== null);
  const now = nowSeconds(deps);
  const counters = wanted.length === 0 ? [] : await deps.store.getCounters(wanted, now);
  let until = 0;
  for (const counter of counters) {
    // A counter at the limit whose lockout is not written yet (the failure that reached the
    // limit is between its two updates) is locked too; its lockout will end about then.
    const end = counter.lockedUntil ?? (counter.count >= deps.config.maxFailedSignIns ? now + deps.config.lockoutSeconds : 0);
    if (end > now) until = Math.max(until, end);
  }
  if (until > 0) {
    deps.log.info('sign-in refused: lockout', { flow: 'session', code: 'too_many_attempts' });
    throw new RetryableError('too_many_attempts', until - now, messages.tooManyAttempts);
  }
  return { ...scopes, emailCounter: counters.find((c) => c.scope === scopes.emailScope) };
}

/**
 * Counts a failed sign-in against its email and its source address (atomic increments). When
 * this failure starts the email's lockout, the account's owner (if the email has an account)
 * gets one mail: only the increment that reached the limit reports `justLocked`.
 */
export async function recordFailedSignIn(deps: Deps, check: LockoutCheck, user: User | undefined): Promise<void> {
  const policy = {
    now: nowSeconds(deps),
    windowSeconds: deps.config.lockoutSeconds,
    max: deps.config.maxFailedSignIns,
    lockoutSeconds: deps.config.lockoutSeconds,
  };
  const [byEmail, byIp] = await Promise.all([
    check.emailScope === null ? undefined : deps.store.recordFailure(check.emailScope, policy),
    check.ipScope === null ? undefined : deps.store.recordFailure(check.ipScope, policy),
  ]);
  if (byIp?.justLocked) deps.log.warn('lockout started', { flow: 'session', scope: 'ip', code: 'too_many_attempts' });
  if (!byEmail?.justLocked) return;
  deps.log.warn('lockout started', { flow: 'session', scope: 'email', ...(user ? { userId: user.id } : {}), code: 'too_many_attempts' });
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
      { userId: user.id, cap: null },
    );
    await enqueueQuietly(deps, 'session', notice);
  } catch (error) {
    deps.log.error('lockout mail failed', { flow: 'session', userId: user.id, errorName: error instanceof Error ? error.name : typeof error });
  }
}

/**
 * Clears the failed-sign-in counter of an email: called after a successful sign-in and after a
 * password reset (the owner proved control of the account, so their lockout ends). The source
 * address's counter stays: a success for one account says nothing about other guesses from
 * the same address.
 */
export async function clearFailedSignIns(deps: Pick<Deps, 'store'>, emailCanonical: string): Promise<void> {
  await deps.store.clearCounter(emailScope(emailCanonical));
}
