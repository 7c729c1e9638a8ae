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
 * | `gsi1pk` / `gsi1sk` | `DAY#<yyyy-mm-dd>` / `sk`: time ranges over all users           |
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

/** The audit table's name beside a main table, where nothing names it (local runner, tests, bench). */
export function auditTableNameOf(tableName: string): string {
  return `${tableName}-audit`;
}

/** Key builders of the layout above. */
export const auditKeys = {
  user: (userId: string) => `USER#${userId}`,
  noUser: (day: string) => `NOUSER#${day}`,
  day: (day: string) => `DAY#${day}`,
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
    gsi1pk: auditKeys.day(day),
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

/** `CreateTable` input for DynamoDB Local and tests (CDK builds the same from the definition). */
export function createAuditTableInput(tableName: string): CreateTableCommandInput {
  const d = auditTableDefinition;
  const index = (i: { name: string; partitionKey: string; sortKey: string }) => ({
    IndexName: i.name,
    KeySchema: [
      { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
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
