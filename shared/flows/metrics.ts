import type { Metrics } from '../ports/metrics.js';
import type { AuthStore, WriteOp } from '../ports/store.js';
import { afterEachCommit } from './audit.js';

/**
 * The counts a committed write means (`docs` README, "Operating Latch"): sign-ins and refused
 * sign-ins, lockouts and renewal-token reuse from the audit events the same commit appends,
 * renewals from the one write that spends a renewal token. One place, so no flow calls metrics.
 */
export function countCommitted(metrics: Metrics, ops: readonly WriteOp[]): void {
  for (const op of ops) {
    if (op.type === 'appendAuditEvent') {
      const { type, outcome } = op.event;
      if (type === 'sign_in') metrics.count(outcome === 'failure' ? 'SignInFailures' : 'SignIns');
      else if (type === 'lockout.start') metrics.count('Lockouts');
      else if (type === 'renewal.reuse_detected') metrics.count('RenewalReuseDetections');
    } else if (op.type === 'updateSession' && op.ifRenewalHash !== undefined && op.set.renewalGeneration !== undefined) {
      metrics.count('Renewals');
    }
  }
}

/**
 * The store with metrics: after each successful commit, {@link countCommitted}. A transparent
 * view (a Proxy, as `withAuditMirror`): everything but `commit` is the store's own; assigning
 * `commit` on the view replaces the view's.
 */
export function withMetrics<S extends AuthStore>(store: S, metrics: Metrics): S {
  return afterEachCommit(store, (ops) => countCommitted(metrics, ops));
}
