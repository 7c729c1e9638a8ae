import type { AuditEvent } from '../domain/audit.js';

/** Which events a query reads: one user's, one address's (by `emailHash`), or one UTC day's of everyone. */
export type AuditPartition = { kind: 'user'; userId: string } | { kind: 'email'; emailHash: string } | { kind: 'day'; day: string };

export interface AuditQuery {
  partition: AuditPartition;
  /** Inclusive bounds on `at` (ISO 8601 UTC with milliseconds); unset: open. */
  from?: string | undefined;
  to?: string | undefined;
  /** The most events read for this page (1..100). */
  limit: number;
  /** From a previous page of the same query; opaque. */
  cursor?: string | null | undefined;
}

export interface AuditPage {
  /** Newest first. Events past their `expiresAt` are left out, so a page may be short while `nextCursor` is set. */
  events: AuditEvent[];
  nextCursor: string | null;
}

/** A cursor the adapter cannot read: the caller answers `422`. */
export class AuditCursorError extends Error {
  constructor() {
    super('malformed audit cursor');
    this.name = 'AuditCursorError';
  }
}

/**
 * Reading the audit log (only the `audit` function may: on AWS it alone has `Query` on the audit
 * table). Writing goes through `AuthStore.commit` (`appendAuditEvent`), in the transaction of the
 * change an event records.
 */
export interface AuditLog {
  query(query: AuditQuery): Promise<AuditPage>;
}
