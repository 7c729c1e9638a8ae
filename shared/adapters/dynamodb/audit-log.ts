import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { AuditCursorError, type AuditLog, type AuditPage, type AuditQuery } from '../../ports/audit-log.js';
import type { Clock } from '../../ports/services.js';
import { auditKeys, auditTableDefinition, eventOfAuditItem } from './audit-table.js';
import { translateAwsError } from './errors.js';

/** Beyond every ulid character: `<to>#~` bounds the sort keys of events at `to`. */
const AFTER_ANY_ID = '#~';

/**
 * {@link AuditLog} on the audit table (`audit-table.ts`): one Query of a user's partition, of the
 * address index (`gsi2`) or of a day (`gsi1`), newest first. The cursor is the last key read,
 * base64url JSON; reads through an index are eventually consistent, which a log can afford.
 */
export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() },
  ) {}

  async query(query: AuditQuery): Promise<AuditPage> {
    const d = auditTableDefinition;
    const { partition } = query;
    const [index, pkName, skName, pk] =
      partition.kind === 'user'
        ? [undefined, d.partitionKey, d.sortKey, auditKeys.user(partition.userId)]
        : partition.kind === 'email'
          ? [d.emailIndex.name, d.emailIndex.partitionKey, d.emailIndex.sortKey, auditKeys.email(partition.emailHash)]
          : [d.dayIndex.name, d.dayIndex.partitionKey, d.dayIndex.sortKey, auditKeys.day(partition.day)];
    const values: Record<string, string> = { ':pk': pk };
    let range = '';
    if (query.from !== undefined && query.to !== undefined) {
      range = ' AND #sk BETWEEN :from AND :to';
      Object.assign(values, { ':from': query.from, ':to': `${query.to}${AFTER_ANY_ID}` });
    } else if (query.from !== undefined) {
      range = ' AND #sk >= :from';
      values[':from'] = query.from;
    } else if (query.to !== undefined) {
      range = ' AND #sk <= :to';
      values[':to'] = `${query.to}${AFTER_ANY_ID}`;
    }
    const input: QueryCommandInput = {
      TableName: this.tableName,
      ...(index ? { IndexName: index } : { ConsistentRead: true }),
      KeyConditionExpression: `#pk = :pk${range}`,
      ExpressionAttributeNames: { '#pk': pkName, ...(range ? { '#sk': skName } : {}) },
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: query.limit,
    };
    if (query.cursor) input.ExclusiveStartKey = decodeCursor(query.cursor, pkName, pk);
    try {
      const result = await this.client.send(new QueryCommand(input));
      const now = Math.floor(this.clock.now() / 1000);
      const events = (result.Items ?? []).map(eventOfAuditItem).filter((event) => event.expiresAt > now);
      return { events, nextCursor: result.LastEvaluatedKey ? Buffer.from(JSON.stringify(result.LastEvaluatedKey)).toString('base64url') : null };
    } catch (error) {
      return translateAwsError(error);
    }
  }
}

/** A cursor back to its key: string members only, the table's key names only, of the partition being read. */
function decodeCursor(cursor: string, pkName: string, pk: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AuditCursorError();
  }
  const d = auditTableDefinition;
  const allowed = new Set<string>([d.partitionKey, d.sortKey, d.dayIndex.partitionKey, d.dayIndex.sortKey, d.emailIndex.partitionKey, d.emailIndex.sortKey]);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AuditCursorError();
  const entries = Object.entries(parsed);
  if (entries.length === 0 || entries.some(([key, value]) => !allowed.has(key) || typeof value !== 'string' || value.length > 1024))
    throw new AuditCursorError();
  const key = Object.fromEntries(entries) as Record<string, string>;
  if (key[pkName] !== pk) throw new AuditCursorError();
  return key;
}
