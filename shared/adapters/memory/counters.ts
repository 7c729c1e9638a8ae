import {
  type AttemptCounters,
  type AttemptReservation,
  counterIsFull,
  counterIsLive,
  type FailureCounter,
  type FailurePolicy,
  type FailureRecord,
} from '../../ports/attempt-counters.js';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * In-memory {@link AttemptCounters}, the twin of `DynamoDbCounters`: each method checks its
 * condition and writes without awaiting in between, so it is atomic in one Node process exactly
 * as the DynamoDB adapter's conditional updates are, and refuses what they refuse.
 */
export class MemoryCounters implements AttemptCounters {
  readonly byScope = new Map<string, FailureCounter>();

  async getCounters(scopes: string[], now: number): Promise<FailureCounter[]> {
    return scopes.flatMap((scope) => {
      const counter = this.byScope.get(scope);
      return counter && counterIsLive(counter, now) ? [clone(counter)] : [];
    });
  }

  async recordFailure(scope: string, policy: FailurePolicy): Promise<FailureRecord> {
    const counter = this.bump(scope, policy);
    let justLocked = false;
    if (counter.count >= policy.max && counter.lockedUntil === null) {
      counter.lockedUntil = policy.now + policy.lockoutSeconds;
      justLocked = true;
    }
    return { count: counter.count, lockedUntil: counter.lockedUntil, justLocked };
  }

  async reserveAttempt(scope: string, policy: FailurePolicy): Promise<AttemptReservation> {
    const existing = this.byScope.get(scope);
    // The limit, checked in the same step as the increment (DynamoDB: the ADD's condition).
    if (existing && counterIsFull(existing, policy)) return { granted: false, counter: clone(existing) };
    const counter = this.bump(scope, policy);
    return { granted: true, count: counter.count, windowEnds: counter.windowEnds };
  }

  async settleFailure(scope: string, reservation: { count: number; windowEnds: number }, policy: FailurePolicy): Promise<FailureRecord> {
    if (reservation.count < policy.max) return { count: reservation.count, lockedUntil: null, justLocked: false };
    const counter = this.byScope.get(scope);
    // Same window, at the limit, no lockout yet: exactly one failure starts it.
    if (!counter || counter.lockedUntil !== null || counter.windowEnds !== reservation.windowEnds || counter.count < policy.max) {
      return { count: reservation.count, lockedUntil: null, justLocked: false };
    }
    counter.lockedUntil = policy.now + policy.lockoutSeconds;
    return { count: counter.count, lockedUntil: counter.lockedUntil, justLocked: true };
  }

  async releaseAttempt(scope: string, reservation: { windowEnds: number }): Promise<void> {
    const counter = this.byScope.get(scope);
    if (counter && counter.windowEnds === reservation.windowEnds && counter.count > 0) counter.count -= 1;
  }

  async clearCounter(scope: string): Promise<void> {
    this.byScope.delete(scope);
  }

  /** One more in the live window, or a new window starting at 1. */
  private bump(scope: string, policy: FailurePolicy): FailureCounter {
    const existing = this.byScope.get(scope);
    const counter: FailureCounter =
      existing && counterIsLive(existing, policy.now)
        ? { ...existing, count: existing.count + 1 }
        : { scope, count: 1, windowEnds: policy.now + policy.windowSeconds, lockedUntil: null };
    this.byScope.set(scope, counter);
    return counter;
  }
}
