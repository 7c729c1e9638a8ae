/**
 * A failed-sign-in counter of one scope (a canonical email or a source address), as stored.
 * Times are epoch seconds. The counter lives from its first counted attempt until `windowEnds`,
 * or until `lockedUntil` once the limit was reached (whichever is later).
 */
export interface FailureCounter {
  scope: string;
  /** Attempts counted in the current window: failures, and reserved attempts still running. */
  count: number;
  /** End of the window that began with the first counted attempt. */
  windowEnds: number;
  /** End of the lockout, set once by the failure that reached the limit; null before. */
  lockedUntil: number | null;
}

/** How a counter counts: the window, the limit and the lockout length. */
export interface FailurePolicy {
  /** Epoch seconds of this attempt. */
  now: number;
  /** A counter lives this long from its first counted attempt. */
  windowSeconds: number;
  /** The count at which the lockout starts. */
  max: number;
  /** The lockout lasts this long from the failure that reached `max`. */
  lockoutSeconds: number;
}

/** What {@link AttemptCounters.recordFailure} (or {@link AttemptCounters.settleFailure}) did. */
export interface FailureRecord {
  /** The count after this failure (failures that raced with it included). */
  count: number;
  /** End of the lockout, if one is running. */
  lockedUntil: number | null;
  /** True for exactly one failure per lockout: the one that started it. */
  justLocked: boolean;
}

/**
 * The answer of {@link AttemptCounters.reserveAttempt}: either a slot under the limit (its
 * position `count` in the window) or the live counter that refused it (at the limit or locked).
 */
export type AttemptReservation = { granted: true; count: number; windowEnds: number } | { granted: false; counter: FailureCounter };

/**
 * The failed-sign-in counters: one small item per scope, changed only by atomic conditional
 * updates, never read-modify-write. A port of their own because they never join a
 * {@link AuthStore.commit}: they count attempts, they do not guard a use case's writes.
 * Reads are strongly consistent.
 */
export interface AttemptCounters {
  /**
   * The live counters of these scopes at `now` (epoch seconds): one strongly consistent read
   * each, in parallel. A counter whose window and lockout are both over is left out, even if the
   * table still holds it (DynamoDB's TTL deletes late).
   */
  getCounters(scopes: string[], now: number): Promise<FailureCounter[]>;
  /**
   * Counts one failure for a scope with an atomic increment, so concurrent failures are all
   * counted. A counter that is missing or over starts a new window of `windowSeconds`. The
   * failure whose count reaches `max` starts the lockout (`lockedUntil = now + lockoutSeconds`)
   * and is the only one that gets `justLocked`; later failures never move `lockedUntil`.
   */
  recordFailure(scope: string, policy: FailurePolicy): Promise<FailureRecord>;
  /**
   * Reserves one attempt BEFORE its password is checked: an atomic increment that is refused
   * when the live counter is already at `max` or locked, so however many attempts arrive at
   * once, at most `max` per window get a slot. A counter that is missing or over starts a new
   * window with this attempt. The slot stays counted: a failure keeps it
   * ({@link settleFailure}), a success releases it ({@link releaseAttempt}) or clears the
   * counter ({@link clearCounter}).
   */
  reserveAttempt(scope: string, policy: FailurePolicy): Promise<AttemptReservation>;
  /**
   * The reserved attempt failed. Its slot stays counted; when the counter is at `max` (and the
   * reservation's window still runs), the first failure to see that starts the lockout and is
   * the only one that gets `justLocked`.
   */
  settleFailure(scope: string, reservation: { count: number; windowEnds: number }, policy: FailurePolicy): Promise<FailureRecord>;
  /**
   * Gives a reserved slot back (the attempt had the right password but did not sign in, e.g. an
   * unconfirmed or locked account): an atomic decrement of the same window, never below zero.
   */
  releaseAttempt(scope: string, reservation: { windowEnds: number }): Promise<void>;
  /** Deletes a scope's counter whether or not it exists. */
  clearCounter(scope: string): Promise<void>;
}

/** A counter counts while its window or its lockout runs; after both it is as good as gone. */
export function counterIsLive(counter: FailureCounter, now: number): boolean {
  return counter.windowEnds > now || (counter.lockedUntil !== null && counter.lockedUntil > now);
}

/** A live counter that takes no more attempts: at the limit, or locked out. */
export function counterIsFull(counter: FailureCounter, policy: Pick<FailurePolicy, 'now' | 'max'>): boolean {
  if (!counterIsLive(counter, policy.now)) return false;
  return counter.count >= policy.max || (counter.lockedUntil !== null && counter.lockedUntil > policy.now);
}
