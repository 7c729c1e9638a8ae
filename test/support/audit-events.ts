import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { type AuditEvent, auditEmailHash } from '../../shared/domain/audit.js';
import type { AuthStore } from '../../shared/ports/store.js';

/** The audit key the test stack's functions (and a CLI started from this process) hash addresses with. */
export function stackAuditKey(): Uint8Array {
  const text = process.env.LATCH_AUDIT_KEY;
  if (!text) throw new Error('LATCH_AUDIT_KEY is not set: start the test stack first');
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** The `emailHash` of a canonical address under the test stack's audit key. */
export function stackEmailHash(emailCanonical: string): string {
  return auditEmailHash(stackAuditKey(), emailCanonical);
}

/** An event as the writers store it, at `at` (default now), kept a year from now whatever its time. */
export function anAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  const at = overrides.at ?? new Date().toISOString();
  return {
    id: ulid(Date.parse(at)),
    type: 'sign_in',
    outcome: 'success',
    at,
    actor: overrides.userId ? { kind: 'user', id: overrides.userId } : { kind: 'anonymous' },
    userId: null,
    sessionId: null,
    ip: '203.0.113.7',
    userAgent: 'latch-tests/1.0',
    requestId: randomUUID(),
    details: { method: 'password', amr: ['pwd'] },
    emailHash: null,
    expiresAt: Math.floor(Date.now() / 1000) + 365 * 86400,
    ...overrides,
  };
}

/** Appends events straight to the audit table, as the writing flows do (one commit each). */
export async function seedAuditEvents(store: AuthStore, events: AuditEvent[]): Promise<AuditEvent[]> {
  for (const event of events) await store.commit([{ type: 'appendAuditEvent', event }]);
  return events;
}

/** An ISO time `minutes` before now. */
export function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}
