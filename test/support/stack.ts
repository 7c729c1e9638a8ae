import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { startLocalStack } from '../../infra/local/stack.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { drainOutboxBeforeReading } from './mail.js';
import { testServices, uniqueTableName } from './services.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON members
  body: any;
  text: string;
}

export interface TestStack {
  url: string;
  tableName: string;
  store: DynamoDbStore;
  /** The failed-sign-in counters on the same table. */
  counters: DynamoDbCounters;
  /** Sends a request to the local API. `body` objects are sent as JSON, strings as they are. */
  request(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  /**
   * Hands every mail waiting in the outbox to the mail sender, as the stream would (at once, in
   * this process). `request` and `mailsTo` call it; a test calls it to make the sender run now.
   */
  drainOutbox(): Promise<number>;
  /** Every item in the table (for "nothing changed" and "hashed at rest" checks). */
  scan(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let started: TestStack | undefined;

/**
 * Starts (once per test file, since handlers load their config once per process as on Lambda)
 * the local API over DynamoDB Local and local SES, on a table of its own.
 */
export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  if (started) return started;
  const services = testServices();
  const tableName = uniqueTableName('it');
  const api = await startLocalStack({ port: 0, dynamoDbEndpoint: services.dynamoDbEndpoint, sesEndpoint: services.sesUrl, tableName, env });
  const documents = createDocumentClient(process.env);
  const store = new DynamoDbStore(documents, tableName);
  const raw = new DynamoDBClient({ endpoint: services.dynamoDbEndpoint });
  drainOutboxBeforeReading(() => api.outbox.drain());
  started = {
    url: api.url,
    tableName,
    store,
    counters: new DynamoDbCounters(documents, tableName),
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${api.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      // The mail a request queued is out (or failed over to a retry) before the test goes on, so
      // tests read local SES as they did when the request sent it itself.
      await api.outbox.drain();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    drainOutbox: () => api.outbox.drain(),
    async scan() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
      do {
        const page = await raw.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) items.push(unmarshall(item));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async close() {
      await api.close();
      raw.destroy();
    },
  };
  return started;
}
