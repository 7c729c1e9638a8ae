import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { type AuditEvent, auditDay } from '../../domain/audit.js';

/**
 * The one audit table definition (`docs/specs/audit-and-breached-passwords.md` §2): CDK, the
 * local runner and the tests all create the table from it, as `table.ts` is for the main table.
 * A separate table on purpose: its own IAM (functions may only `PutItem`; only the `audit`
 * function may `Query`), retention, backups and key.
 *
 * | attribute           | value                                                         |
 * |---------------------|---------------------------------------------------------------|
 * | `pk`                | `USER#<subject user id>`; `NOUSER#<yyyy-mm-dd>` without a user |
 * | `sk`                | `<ISO time with ms>#<ulid>`                                    |
 * | `gsi1pk` / `gsi1sk` | `DAY#<yyyy-mm-dd>#<n>` / `sk`: time ranges over all users (n < {@link AUDIT_DAY_SHARDS}) |
 * | `gsi2pk` / `gsi2sk` | `EMAIL#<emailHash>` / `sk`, when the event has an `emailHash`   |
 * | `ttl`               | the event's `expiresAt`                                        |
 */
export const auditTableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  dayIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  emailIndex: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
} as const;

/**
 * Shards of a day in the day index. The spec's layout (§2) is one partition `DAY#<day>`: every
 * event of the day lands there. At issue 17's peak (2,000 sign-ins/s, each a two-step one in the
 * worst case, with the sign-outs, registrations and confirmations that go with them: `npm run
 * bench` row 9) that is several thousand writes/s, over DynamoDB's 1,000 writes/s per partition,
 * and its sort key grows with time, so split-for-heat cannot spread it. Each event goes to shard
 * `n` = FNV-1a of its id mod 16: row 9 models about 8,600 writes/s for the whole index at that
 * peak, about 540 per shard. A day read queries every shard and merges them (`audit-log.ts`). Recorded as a
 * deviation in `docs/audit.md`; events written before this change keep `DAY#<day>` and are read
 * beside the shards (`docs/migrations.md`).
 */
export const AUDIT_DAY_SHARDS = 16;

/** The day shard of an event id: FNV-1a of the id, mod {@link AUDIT_DAY_SHARDS} (stable, uniform over ulids). */
export function auditDayShardOf(eventId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) {
    hash ^= eventId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % AUDIT_DAY_SHARDS;
}

/** The audit table's name beside a main table, where nothing names it (local runner, tests, bench). */
export function auditTableNameOf(tableName: string): string {
  return `${tableName}-audit`;
}

/** Key builders of the layout above. */
export const auditKeys = {
  user: (userId: string) => `USER#${userId}`,
  noUser: (day: string) => `NOUSER#${day}`,
  /** A shard of a day in the day index (`gsi1pk`). */
  dayShard: (day: string, shard: number) => `DAY#${day}#${shard}`,
  /** The unsharded day partition of events written before the day index was sharded (read only). */
  legacyDay: (day: string) => `DAY#${day}`,
  email: (emailHash: string) => `EMAIL#${emailHash}`,
  sortKey: (event: Pick<AuditEvent, 'at' | 'id'>) => `${event.at}#${event.id}`,
};

/** The stored item of an event: its keys, index keys and TTL beside the event's own fields. */
export function auditItem(event: AuditEvent): Record<string, unknown> {
  const sk = auditKeys.sortKey(event);
  const day = auditDay(event.at);
  return {
    pk: event.userId === null ? auditKeys.noUser(day) : auditKeys.user(event.userId),
    sk,
    gsi1pk: auditKeys.dayShard(day, auditDayShardOf(event.id)),
    gsi1sk: sk,
    ...(event.emailHash === null ? {} : { gsi2pk: auditKeys.email(event.emailHash), gsi2sk: sk }),
    ttl: event.expiresAt,
    ...event,
  };
}

/** The event of a stored item (its keys dropped). */
export function eventOfAuditItem(item: Record<string, unknown>): AuditEvent {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ttl: _ttl, ...event } = item;
  return event as unknown as AuditEvent;
}

/**
 * What the two indexes hold beside their keys. `KEYS_ONLY` (issue 17): an index entry is the
 * table's and the index's keys (about 250 bytes with DynamoDB's 100 bytes of overhead) instead of
 * a second and third copy of the whole event (about 1 KB each) kept for the whole retention; the
 * reader (`audit-log.ts`) takes the page's keys from the index and fetches the events from the
 * table by key (`BatchGetItem`). Tables made before keep `ALL` until their indexes are rebuilt
 * (the construct's `auditIndexProjection`, `docs/migrations.md`); the reader works on both.
 */
export type AuditIndexProjection = 'KEYS_ONLY' | 'ALL';
export const AUDIT_INDEX_PROJECTION: AuditIndexProjection = 'KEYS_ONLY';

/** `CreateTable` input for DynamoDB Local and tests (CDK builds the same from the definition). */
export function createAuditTableInput(tableName: string, projection: AuditIndexProjection = AUDIT_INDEX_PROJECTION): CreateTableCommandInput {
  const d = auditTableDefinition;
  const index = (i: { name: string; partitionKey: string; sortKey: string }) => ({
    IndexName: i.name,
    KeySchema: [
      { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: projection },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [d.partitionKey, d.sortKey, d.dayIndex.partitionKey, d.dayIndex.sortKey, d.emailIndex.partitionKey, d.emailIndex.sortKey].map(
      (AttributeName) => ({ AttributeName, AttributeType: 'S' as const }),
    ),
    KeySchema: [
      { AttributeName: d.partitionKey, KeyType: 'HASH' },
      { AttributeName: d.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [index(d.dayIndex), index(d.emailIndex)],
  };
}
