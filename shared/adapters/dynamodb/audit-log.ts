import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../../domain/errors.js';
import { AuditCursorError, type AuditLog, type AuditPage, type AuditQuery } from '../../ports/audit-log.js';
import type { Clock } from '../../ports/services.js';
import { AUDIT_DAY_SHARDS, auditKeys, auditTableDefinition, eventOfAuditItem } from './audit-table.js';
import { translateAwsError } from './errors.js';
import { readBatcherOf } from './read-batch.js';

/** Beyond every ulid character: `<to>#~` bounds the sort keys of events at `to`. */
const AFTER_ANY_ID = '#~';

/** The sort key shape (`<ISO time>#<event id>`) a day cursor may hold. */
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T[0-9:.]{1,20}Z#[0-9A-Za-z_-]{1,64}$/;

/**
 * {@link AuditLog} on the audit table (`audit-table.ts`): one Query of a user's partition or of
 * the address index (`gsi2`), newest first, whose cursor is the last key read (base64url JSON).
 * A day (`gsi1`) is {@link AUDIT_DAY_SHARDS} shards plus the unsharded partition of events written
 * before the sharding (`docs/migrations.md`): every one is queried (in parallel) and the pages
 * merged newest first; the cursor is the sort key of the last event returned, and the next page
 * reads every shard below it, so pages neither skip nor repeat an event. Reads through an index
 * are eventually consistent, which a log can afford.
 *
 * The indexes project keys only (`AUDIT_INDEX_PROJECTION`): a page read through an index gives the
 * keys of its events, which are then read from the table by key, strongly consistent, together
 * (one `BatchGetItem` per 100, through the client's read batcher). An index entry whose event is
 * gone (TTL deletes the table item and its entries, not at the same instant) is left out. On an
 * index that still projects every attribute the same reads give the same page.
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
    if (partition.kind === 'day') return this.day(partition.day, query);
    const [index, pkName, skName, pk] =
      partition.kind === 'user'
        ? [undefined, d.partitionKey, d.sortKey, auditKeys.user(partition.userId)]
        : [d.emailIndex.name, d.emailIndex.partitionKey, d.emailIndex.sortKey, auditKeys.email(partition.emailHash)];
    const input = queryInput(this.tableName, index, pkName, skName, pk, query, undefined);
    if (query.cursor) input.ExclusiveStartKey = decodeCursor(query.cursor, pkName, pk);
    try {
      const result = await this.client.send(new QueryCommand(input));
      const items = index ? await this.fetch(result.Items ?? []) : (result.Items ?? []);
      return { events: this.live(items), nextCursor: result.LastEvaluatedKey ? encode(result.LastEvaluatedKey) : null };
    } catch (error) {
      return readFailed(error);
    }
  }

  /** A day: every shard (and the pre-sharding partition) below the cursor, merged newest first. */
  private async day(day: string, query: AuditQuery): Promise<AuditPage> {
    const d = auditTableDefinition.dayIndex;
    const before = query.cursor ? decodeDayCursor(query.cursor) : undefined;
    const partitions = [...Array.from({ length: AUDIT_DAY_SHARDS }, (_, n) => auditKeys.dayShard(day, n)), auditKeys.legacyDay(day)];
    try {
      const pages = await Promise.all(
        partitions.map((pk) => this.client.send(new QueryCommand(queryInput(this.tableName, d.name, d.partitionKey, d.sortKey, pk, query, before)))),
      );
      // A shard that has more than it returned bounds the merge: below its last key, its unread
      // events could be newer than another shard's, so nothing older is taken on this page.
      const sortKeyOf = (item: Record<string, unknown>) => String(item[d.sortKey]);
      let floor = '';
      for (const page of pages) {
        const last = page.LastEvaluatedKey;
        if (last && sortKeyOf(last) > floor) floor = sortKeyOf(last);
      }
      const merged = pages
        .flatMap((page) => page.Items ?? [])
        .filter((item) => sortKeyOf(item) >= floor)
        .sort((a, b) => (sortKeyOf(a) < sortKeyOf(b) ? 1 : -1));
      const taken = merged.slice(0, query.limit);
      const more = merged.length > taken.length || floor !== '';
      const last = taken.at(-1);
      return { events: this.live(await this.fetch(taken)), nextCursor: more && last ? encode({ before: sortKeyOf(last) }) : null };
    } catch (error) {
      return readFailed(error);
    }
  }

  /** The table items of index entries, in the entries' order; an entry whose item is gone is left out. */
  private async fetch(entries: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const d = auditTableDefinition;
    const batcher = readBatcherOf(this.client);
    // Asked for in one turn: the batcher sends them together.
    const items = await Promise.all(entries.map((entry) => batcher.get(this.tableName, { pk: String(entry[d.partitionKey]), sk: String(entry[d.sortKey]) })));
    return items.filter((item): item is Record<string, unknown> => item !== undefined);
  }

  /** The events of the items read, leaving out those past their `expiresAt` (TTL deletes late). */
  private live(items: Record<string, unknown>[]) {
    const now = Math.floor(this.clock.now() / 1000);
    return items.map(eventOfAuditItem).filter((event) => event.expiresAt > now);
  }
}

/**
 * A failed read: an index that is being rebuilt (`docs/migrations.md`: absent for a deploy, then
 * backfilling) is a passing state, answered 503 like throttling; anything else as the store does.
 */
function readFailed(error: unknown): never {
  if (error instanceof Error && error.name === 'ValidationException' && /specified index|backfilling/i.test(error.message)) {
    throw new ServiceUnavailableError(undefined, { cause: error });
  }
  return translateAwsError(error);
}

/** One Query of a partition, newest first, within `query`'s bounds and below `before` (a sort key), if given. */
function queryInput(
  tableName: string,
  index: string | undefined,
  pkName: string,
  skName: string,
  pk: string,
  query: AuditQuery,
  before: string | undefined,
): QueryCommandInput {
  const values: Record<string, string> = { ':pk': pk };
  // The upper bound: `to` (every event at that millisecond), lowered to just below the cursor's key.
  const bounds = [query.to === undefined ? undefined : `${query.to}${AFTER_ANY_ID}`, before === undefined ? undefined : justBelow(before)].filter(
    (b): b is string => b !== undefined,
  );
  const to = bounds.sort()[0];
  let range = '';
  if (query.from !== undefined && to !== undefined) {
    range = ' AND #sk BETWEEN :from AND :to';
    Object.assign(values, { ':from': query.from, ':to': to });
  } else if (query.from !== undefined) {
    range = ' AND #sk >= :from';
    values[':from'] = query.from;
  } else if (to !== undefined) {
    range = ' AND #sk <= :to';
    values[':to'] = to;
  }
  return {
    TableName: tableName,
    ...(index ? { IndexName: index } : { ConsistentRead: true }),
    KeyConditionExpression: `#pk = :pk${range}`,
    ExpressionAttributeNames: { '#pk': pkName, ...(range ? { '#sk': skName } : {}) },
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    Limit: query.limit,
  };
}

/**
 * The greatest bound below `key` for an inclusive key condition: its last character one lower,
 * then U+FFFF. Every sort key (`<ISO time>#<ulid>`, ASCII) below `key` is at most this bound and
 * `key` itself is above it, so `<=` this bound reads exactly the keys `< key`.
 */
function justBelow(key: string): string {
  return `${key.slice(0, -1)}${String.fromCharCode(key.charCodeAt(key.length - 1) - 1)}\uffff`;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A day cursor back to the sort key it holds. */
function decodeDayCursor(cursor: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AuditCursorError();
  }
  const before = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { before?: unknown }).before : undefined;
  if (typeof before !== 'string' || !SORT_KEY.test(before) || Object.keys(parsed as object).length !== 1) throw new AuditCursorError();
  return before;
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
