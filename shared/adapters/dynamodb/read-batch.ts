import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

interface Pending {
  table: string;
  key: Key;
  resolve: (item: Item | undefined) => void;
  reject: (error: unknown) => void;
}

/** Rounds of `UnprocessedKeys` a batch retries before reading what is left one item at a time. */
const BATCH_RETRIES = 3;

/**
 * Strongly consistent reads of single items, coalesced: the reads asked for in the same turn of
 * the event loop (before the first await of the code that asks) go out as one `BatchGetItem`
 * (`ConsistentRead`, the same read units as the GetItems it replaces) instead of one request each.
 * A lone read stays a plain `GetItem`. The store and the attempt counters share one per client
 * (`readBatcherOf`), so a flow that asks for an item of each at once (the sign-in's source-address
 * counter and email claim, `shared/flows/current-session.ts`) makes one round trip.
 *
 * Only reads are coalesced, and each is as consistent as a `GetItem`: nothing about a condition,
 * a write or the order of writes changes. Keys left in `UnprocessedKeys` (throttling) are retried
 * with a short backoff, then read one at a time; a failed request rejects every read in it.
 */
export class ReadBatcher {
  private pending: Pending[] = [];

  constructor(private readonly client: DynamoDBDocumentClient) {}

  get(table: string, key: Key): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ table, key, resolve, reject });
      if (this.pending.length === 1) queueMicrotask(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const only = batch.length === 1 ? batch[0] : undefined;
    if (only) {
      try {
        only.resolve((await this.client.send(new GetCommand({ TableName: only.table, Key: only.key, ConsistentRead: true }))).Item);
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    // BatchGetItem takes at most 100 keys and no key twice.
    const waiting = new Map<string, Pending[]>();
    for (const p of batch) {
      const id = idOf(p.table, p.key);
      waiting.set(id, [...(waiting.get(id) ?? []), p]);
    }
    const ids = [...waiting.keys()];
    await Promise.all(
      Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) => ids.slice(i * 100, i * 100 + 100)).map((chunk) =>
        this.read(chunk.map((id) => waiting.get(id)?.[0] as Pending)).then(
          (found) => {
            for (const id of chunk) for (const p of waiting.get(id) ?? []) p.resolve(found.get(id));
          },
          (error: unknown) => {
            for (const id of chunk) for (const p of waiting.get(id) ?? []) p.reject(error);
          },
        ),
      ),
    );
  }

  /** The items of distinct keys (by {@link idOf}); a key without an item is absent from the map. */
  private async read(keys: Pending[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    let left: Record<string, Key[]> = {};
    for (const { table, key } of keys) left[table] = [...(left[table] ?? []), key];
    for (let round = 0; round <= BATCH_RETRIES && Object.keys(left).length > 0; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** round));
      const result = await this.client.send(
        new BatchGetCommand({
          RequestItems: Object.fromEntries(Object.entries(left).map(([table, tableKeys]) => [table, { Keys: tableKeys, ConsistentRead: true }])),
        }),
      );
      for (const [table, items] of Object.entries(result.Responses ?? {})) {
        for (const item of items) found.set(idOf(table, { pk: String(item.pk), sk: String(item.sk) }), item);
      }
      left = {};
      for (const [table, unprocessed] of Object.entries(result.UnprocessedKeys ?? {})) {
        const tableKeys = (unprocessed.Keys ?? []) as Key[];
        if (tableKeys.length > 0) left[table] = tableKeys;
      }
    }
    // Still throttled after the retries: one GetItem each (the SDK's own retries apply).
    for (const [table, tableKeys] of Object.entries(left)) {
      await Promise.all(
        tableKeys.map(async (key) => {
          const item = (await this.client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
          if (item) found.set(idOf(table, key), item);
        }),
      );
    }
    return found;
  }
}

function idOf(table: string, key: Key): string {
  return JSON.stringify([table, key.pk, key.sk]);
}

const batchers = new WeakMap<DynamoDBDocumentClient, ReadBatcher>();

/** The batcher of a client: one per client, shared by the adapters built on it. */
export function readBatcherOf(client: DynamoDBDocumentClient): ReadBatcher {
  let batcher = batchers.get(client);
  if (!batcher) {
    batcher = new ReadBatcher(client);
    batchers.set(client, batcher);
  }
  return batcher;
}
