import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ensureTable } from '../../infra/local/services.js';
import { DynamoDbAuditLog } from '../../shared/adapters/dynamodb/audit-log.js';
import { auditTableNameOf, eventOfAuditItem } from '../../shared/adapters/dynamodb/audit-table.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { parseAuditKey } from '../../shared/adapters/secrets/audit-key.js';
import { type AuditEvent, auditEmailHash } from '../../shared/domain/audit.js';
import { withAuditMirror } from '../../shared/flows/audit.js';
import type { Deps } from '../../shared/flows/deps.js';
import type { AuditLog, AuditPartition } from '../../shared/ports/audit-log.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { deliverOutboxAtOnce, type MemoryDeps, memoryDeps } from './memory.js';
import { testServices, uniqueTableName } from './services.js';

/** Every event of an audit table (`<table>-audit`), read with a raw client: what is really stored. */
export async function scanAuditTable(tableName: string): Promise<{ items: Record<string, unknown>[]; events: AuditEvent[] }> {
  const raw = new DynamoDBClient({ endpoint: testServices().dynamoDbEndpoint });
  const items: Record<string, unknown>[] = [];
  try {
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await raw.send(new ScanCommand({ TableName: auditTableNameOf(tableName), ConsistentRead: true, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) items.push(unmarshall(item));
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    raw.destroy();
  }
  return { items, events: items.map(eventOfAuditItem) };
}

/** Flow deps on one adapter, with a way to read every event it holds. */
export interface AdapterDeps {
  deps: Deps & Pick<MemoryDeps, 'clock' | 'log' | 'mailer' | 'hasher'>;
  /** The store without the audit mirror (for writes a test makes behind the flows' back). */
  inner: AuthStore;
  events(): Promise<AuditEvent[]>;
  tableName?: string;
}

/** memoryDeps on a memory store of their own, whose unmirrored view the test keeps. */
export async function memoryAdapter(env: Record<string, string> = {}): Promise<AdapterDeps> {
  const base = await memoryDeps(env);
  const inner = new MemoryStore(base.clock);
  const deps = { ...base, store: withAuditMirror(inner, base.log) };
  deliverOutboxAtOnce(deps);
  return { deps, inner, events: async () => [...inner.auditEvents.values()] };
}

/** memoryDeps on DynamoDB Local instead: a fresh table and its audit table, the real store and counters. */
export async function dynamoAdapter(env: Record<string, string> = {}): Promise<AdapterDeps> {
  const base = await memoryDeps(env);
  const { dynamoDbEndpoint } = testServices();
  const tableName = uniqueTableName('audit-flows');
  await ensureTable(dynamoDbEndpoint, tableName);
  const client = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });
  const inner = new DynamoDbStore(client, tableName, base.clock);
  const deps = { ...base, store: withAuditMirror(inner, base.log), counters: new DynamoDbCounters(client, tableName) };
  return { deps, inner, tableName, events: async () => (await scanAuditTable(tableName)).events };
}

/** Both adapters, for tests that must hold on each. */
export const ADAPTERS: Array<[string, (env?: Record<string, string>) => Promise<AdapterDeps>]> = [
  ['memory', memoryAdapter],
  ['DynamoDB Local', dynamoAdapter],
];

/** The emailHash of an address under the test stack's audit key (the local stack puts it in the environment). */
export function stackEmailHash(emailCanonical: string): string {
  const key = process.env.LATCH_AUDIT_KEY;
  if (!key) throw new Error('no LATCH_AUDIT_KEY: start the test stack first');
  return auditEmailHash(parseAuditKey(key, 'LATCH_AUDIT_KEY'), emailCanonical);
}

/** The audit log of a test stack's table, read as the `audit` function reads it. */
export function stackAuditLog(tableName: string): DynamoDbAuditLog {
  return new DynamoDbAuditLog(createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: testServices().dynamoDbEndpoint }), auditTableNameOf(tableName));
}

/** Every event of one partition of an audit log, all pages. */
export async function readAll(log: AuditLog, partition: AuditPartition): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await log.query({ partition, limit: 100, cursor });
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}
