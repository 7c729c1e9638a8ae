/**
 * Rows 7 and 9's meter: SDK middleware that records, for every request the store sends, which
 * partition keys of the table, the audit table and their indexes it reads or writes, and how
 * many capacity units each gets by DynamoDB's published rules. It reads the requests themselves
 * (the write plans as sent) and the items the reads return, so a flow that starts writing another
 * item shows up here without anyone updating a list.
 *
 * Capacity units (DynamoDB's rules for on-demand request units and per-partition throughput):
 * a write 1 unit per KB of the item (an update or delete: of the item as last seen by this meter,
 * else 1 KB), 2 per KB in a transaction; a strongly consistent read 1 unit per 4 KB returned
 * (eventually consistent: half), a `ConditionCheck` in a transaction 2 read units per 4 KB
 * (a transactional read); every write of an item that is in an index adds a standard write
 * (1 unit per KB) to that index partition, before and after a key change alike (every index
 * projects ALL attributes; index updates are not part of the transaction). Sizes are the JSON
 * length of the item, close to DynamoDB's attribute-name-plus-value size.
 *
 * DynamoDB Local's own `ConsumedCapacity` is not used for pricing: it reports a transactional
 * write at 4 units per KB and each index copy of it at 4 more (checked on this machine), where
 * AWS bills 2 and 1.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { usersShardOf } from '../../shared/adapters/dynamodb/table.js';

/** Capacity units one partition key received. */
export interface KeyLoad {
  reads: number;
  writes: number;
}

type Plain = Record<string, unknown>;

/** A value as the document client sends it, or in DynamoDB's attribute-value form. */
function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'S' in value) return String((value as { S: unknown }).S);
  return undefined;
}

export class PartitionMeter {
  /** Units by partition key (`<table>[/<index>]:<key value>`) since the last `take`. */
  private loads = new Map<string, KeyLoad>();

  constructor(private readonly tables: { main: string; audit: string }) {}

  /** The loads since the last call, and starts counting afresh. */
  take(): Map<string, KeyLoad> {
    const out = this.loads;
    this.loads = new Map();
    return out;
  }

  /** Item sizes in bytes by `<table>:<pk>:<sk>`, from the puts and reads seen. */
  private sizes = new Map<string, number>();

  private sizeOf(table: string, key: Plain): number {
    return this.sizes.get(`${table}:${str(key.pk)}:${str(key.sk)}`) ?? 1024;
  }

  private remember(table: string, item: Plain): number {
    // The request as sent may be in DynamoDB's attribute-value form: size the plain item.
    const plain = typeof item.pk === 'object' && item.pk !== null ? unmarshall(item as Parameters<typeof unmarshall>[0]) : item;
    const size = Buffer.byteLength(JSON.stringify(plain));
    this.sizes.set(`${table}:${str(item.pk)}:${str(item.sk)}`, size);
    return size;
  }

  private label(table: string): string {
    return table === this.tables.main ? 'table' : table === this.tables.audit ? 'audit' : table;
  }

  private add(key: string, reads: number, writes: number): void {
    const load = this.loads.get(key) ?? { reads: 0, writes: 0 };
    load.reads += reads;
    load.writes += writes;
    this.loads.set(key, load);
  }

  /** A write of one item (`perKb` units per KB on its own partition) and the index writes it causes. */
  private write(table: string, key: Plain, item: Plain | undefined, perKb: number): void {
    const pk = str(key.pk);
    if (pk === undefined) return;
    const kb = Math.max(1, Math.ceil((item ? this.remember(table, item) : this.sizeOf(table, key)) / 1024));
    this.add(`${this.label(table)}:${pk}`, 0, perKb * kb);
    if (table === this.tables.main && str(key.sk) === 'PROFILE') {
      // The user item is in the users index: any write of it rewrites (or removes) its entry.
      this.add(`table/gsi1:${str(item?.gsi1pk) ?? usersShardOf(pk.slice('USER#'.length))}`, 0, kb);
    }
    if (table === this.tables.audit && item) {
      const day = str(item.gsi1pk);
      const email = str(item.gsi2pk);
      if (day) this.add(`audit/gsi1:${day}`, 0, kb);
      if (email) this.add(`audit/gsi2:${email}`, 0, kb);
    }
  }

  /** Read units of items returned (at least one unit per request). */
  private readUnits(table: string, items: Plain[], consistent: boolean): number {
    const bytes = items.reduce((sum, item) => sum + this.remember(table, item), 0);
    return Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
  }

  /** Read and write units by table and index since the last `take` (what DynamoDB bills). */
  static totals(loads: Map<string, KeyLoad>): KeyLoad {
    let reads = 0;
    let writes = 0;
    for (const load of loads.values()) {
      reads += load.reads;
      writes += load.writes;
    }
    return { reads, writes };
  }

  attach(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Plain;
        const name = context.commandName ?? '';
        const result = await next(args);
        const table = String(input.TableName ?? '');
        switch (name) {
          case 'GetItemCommand': {
            const item = (result.output as { Item?: Plain }).Item;
            this.add(`${this.label(table)}:${str((input.Key as Plain).pk)}`, this.readUnits(table, item ? [item] : [], input.ConsistentRead === true), 0);
            break;
          }
          case 'QueryCommand': {
            const values = input.ExpressionAttributeValues as Plain;
            const index = input.IndexName ? `/${String(input.IndexName)}` : '';
            const items = (result.output as { Items?: Plain[] }).Items ?? [];
            this.add(`${this.label(table)}${index}:${str(values[':pk'])}`, this.readUnits(table, items, input.ConsistentRead === true), 0);
            break;
          }
          case 'PutItemCommand':
            this.write(table, input.Item as Plain, input.Item as Plain, 1);
            break;
          case 'UpdateItemCommand':
          case 'DeleteItemCommand':
            this.write(table, input.Key as Plain, undefined, 1);
            break;
          case 'TransactWriteItemsCommand':
            for (const action of input.TransactItems as Plain[]) {
              const [kind, body] = Object.entries(action)[0] as [string, Plain];
              const t = String(body.TableName);
              if (kind === 'ConditionCheck') {
                const key = body.Key as Plain;
                this.add(`${this.label(t)}:${str(key.pk)}`, 2 * Math.max(1, Math.ceil(this.sizeOf(t, key) / 4096)), 0);
              } else if (kind === 'Put') this.write(t, body.Item as Plain, body.Item as Plain, 2);
              else this.write(t, body.Key as Plain, undefined, 2);
            }
            break;
          case 'BatchGetItemCommand':
            for (const [t, request] of Object.entries(input.RequestItems as Record<string, { Keys: Plain[]; ConsistentRead?: boolean }>)) {
              for (const key of request.Keys) this.add(`${this.label(t)}:${str(key.pk)}`, request.ConsistentRead ? 1 : 0.5, 0);
            }
            break;
        }
        return result;
      },
      { step: 'initialize', name: 'benchPartitionMeter' },
    );
  }
}

/**
 * The load of the hottest shard of a group in a second of the peak. Each call of a flow lands
 * on one shard, chosen by a hash (uniform): a shard's units in a second are a sum over the
 * second's calls, with mean `total / shards` and variance `Σ rate × units² × p(1 − p)`,
 * `p = 1 / shards` (a call that writes to several shards, as one writing several audit events,
 * is counted as landing whole on one: conservative). The hottest shard is taken at the mean plus
 * three standard deviations. Units per call of a flow: the group's units of that flow over all
 * lives, divided by the lives.
 */
export function shardedLoad<F extends string>(
  touches: ReadonlyArray<{ byFlow: ReadonlyMap<F, KeyLoad> }>,
  shards: number,
  rates: Record<F, number>,
  lives: number,
): { reads: number; writes: number; flows: F[]; mean: KeyLoad } {
  const byFlow = new Map<F, KeyLoad>();
  for (const touch of touches)
    for (const [flow, load] of touch.byFlow) {
      const sum = byFlow.get(flow) ?? { reads: 0, writes: 0 };
      sum.reads += load.reads;
      sum.writes += load.writes;
      byFlow.set(flow, sum);
    }
  const p = 1 / shards;
  const mean = { reads: 0, writes: 0 };
  const variance = { reads: 0, writes: 0 };
  for (const [flow, load] of byFlow) {
    for (const by of ['reads', 'writes'] as const) {
      const perCall = load[by] / lives;
      mean[by] += (rates[flow] * perCall) / shards;
      variance[by] += rates[flow] * perCall * perCall * p * (1 - p);
    }
  }
  return {
    reads: mean.reads + 3 * Math.sqrt(variance.reads),
    writes: mean.writes + 3 * Math.sqrt(variance.writes),
    flows: [...byFlow.keys()],
    mean,
  };
}
