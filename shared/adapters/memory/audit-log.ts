import type { AuditEvent } from '../../domain/audit.js';
import { auditDay } from '../../domain/audit.js';
import { safeEqual } from '../../domain/secrets.js';
import { AuditCursorError, type AuditLog, type AuditPage, type AuditQuery } from '../../ports/audit-log.js';
import type { Clock } from '../../ports/services.js';
import type { MemoryStore } from './store.js';

/** The sort key of an event, as on the table: time, then id. */
const sortKeyOf = (event: AuditEvent) => `${event.at}#${event.id}`;

/** {@link AuditLog} over a {@link MemoryStore}'s events: the twin of the DynamoDB adapter. */
export class MemoryAuditLog implements AuditLog {
  constructor(
    private readonly store: Pick<MemoryStore, 'auditEvents'>,
    private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() },
  ) {}

  async query(query: AuditQuery): Promise<AuditPage> {
    let after: string | undefined;
    if (query.cursor) {
      try {
        after = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')).sk;
      } catch {
        throw new AuditCursorError();
      }
      if (typeof after !== 'string') throw new AuditCursorError();
    }
    const { partition } = query;
    const inPartition = (event: AuditEvent) =>
      partition.kind === 'user'
        ? event.userId === partition.userId
        : partition.kind === 'email'
          ? event.emailHash !== null && safeEqual(event.emailHash, partition.emailHash)
          : auditDay(event.at) === partition.day;
    const ordered = [...this.store.auditEvents.values()]
      .filter(inPartition)
      .filter((event) => (query.from === undefined || event.at >= query.from) && (query.to === undefined || event.at <= query.to))
      .sort((a, b) => sortKeyOf(b).localeCompare(sortKeyOf(a)))
      .filter((event) => after === undefined || sortKeyOf(event) < after);
    const read = ordered.slice(0, query.limit);
    const more = ordered.length > query.limit;
    const last = read.at(-1);
    const now = Math.floor(this.clock.now() / 1000);
    return {
      events: read.filter((event) => event.expiresAt > now).map((event) => structuredClone(event)),
      nextCursor: more && last ? Buffer.from(JSON.stringify({ sk: sortKeyOf(last) })).toString('base64url') : null,
    };
  }
}
