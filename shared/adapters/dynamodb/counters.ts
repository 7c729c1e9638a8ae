import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../../domain/errors.js';
import { counterIsLive, type FailureCounter, type FailurePolicy, type FailureRecord } from '../../ports/store.js';
import { translateAwsError } from './errors.js';
import type { Item } from './expression.js';
import { keys } from './table.js';

/**
 * The failed-sign-in counters on the table: TTL'd items updated with atomic conditional `ADD`s,
 * never read-modify-write. They never join a commit.
 */
export class DynamoDbCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    try {
      return (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
    } catch (error) {
      return translateAwsError(error);
    }
  }

  async getCounters(scopes: string[], now: number): Promise<FailureCounter[]> {
    // Two small GetItems in parallel (one per scope) cost what a BatchGetItem costs, without its
    // UnprocessedKeys retry loop.
    const items = await Promise.all(scopes.map((scope) => this.get(keys.counter(scope))));
    return items.flatMap((item) => {
      if (!item) return [];
      const counter = toCounter(item);
      // DynamoDB's TTL deletes late: an expired counter may still be here, so check it ourselves.
      return counterIsLive(counter, now) ? [counter] : [];
    });
  }

  async recordFailure(scope: string, policy: FailurePolicy): Promise<FailureRecord> {
    const { now } = policy;
    const windowEnds = now + policy.windowSeconds;
    let counter: FailureCounter | undefined;
    for (let attempt = 0; attempt < 5 && !counter; attempt++) {
      // 1. Count in the running window (or start one on a missing item) with an atomic ADD.
      //    The condition refuses a counter whose window and lockout are over, so a stale count
      //    is never added to.
      counter = await this.updateCounter({
        Key: keys.counter(scope),
        UpdateExpression: 'ADD #count :one SET #scope = :scope, #windowEnds = if_not_exists(#windowEnds, :windowEnds), #ttl = if_not_exists(#ttl, :windowEnds)',
        ConditionExpression: 'attribute_not_exists(pk) OR #windowEnds > :now OR #lockedUntil > :now',
        ExpressionAttributeNames: { '#count': 'count', '#scope': 'scope', '#windowEnds': 'windowEnds', '#ttl': 'ttl', '#lockedUntil': 'lockedUntil' },
        ExpressionAttributeValues: { ':one': 1, ':scope': scope, ':windowEnds': windowEnds, ':now': now },
      });
      if (counter) break;
      // 2. The counter is over: start a new window. Of two failures that both found it over,
      //    the condition lets only one reset it; the other goes back to step 1 and adds to it.
      counter = await this.updateCounter({
        Key: keys.counter(scope),
        UpdateExpression: 'SET #count = :one, #windowEnds = :windowEnds, #ttl = :windowEnds REMOVE #lockedUntil',
        ConditionExpression: '#windowEnds <= :now AND (attribute_not_exists(#lockedUntil) OR #lockedUntil <= :now)',
        ExpressionAttributeNames: { '#count': 'count', '#windowEnds': 'windowEnds', '#ttl': 'ttl', '#lockedUntil': 'lockedUntil' },
        ExpressionAttributeValues: { ':one': 1, ':windowEnds': windowEnds, ':now': now },
      });
    }
    if (!counter) throw new ServiceUnavailableError('Too many concurrent sign-in attempts. Please try again.');
    if (counter.count < policy.max || counter.lockedUntil !== null) {
      return { count: counter.count, lockedUntil: counter.lockedUntil, justLocked: false };
    }
    // 3. The limit is reached: start the lockout. Every failure that saw the limit without a
    //    lockout tries; the condition lets exactly one set it (the one that reports justLocked
    //    and sends the mail), and later failures never move it.
    const lockedUntil = now + policy.lockoutSeconds;
    const locked = await this.updateCounter({
      Key: keys.counter(scope),
      UpdateExpression: 'SET #lockedUntil = :lockedUntil, #ttl = :lockedUntil',
      ConditionExpression: 'attribute_not_exists(#lockedUntil) AND #windowEnds = :windowEnds',
      ExpressionAttributeNames: { '#lockedUntil': 'lockedUntil', '#windowEnds': 'windowEnds', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':lockedUntil': lockedUntil, ':windowEnds': counter.windowEnds },
    });
    if (locked) return { count: counter.count, lockedUntil: locked.lockedUntil, justLocked: true };
    // Another failure started it: report its end (our own count stays the one we added).
    const current = await this.get(keys.counter(scope));
    const lockedUntilNow = typeof current?.lockedUntil === 'number' ? current.lockedUntil : null;
    return { count: counter.count, lockedUntil: lockedUntilNow, justLocked: false };
  }

  async clearCounter(scope: string): Promise<void> {
    try {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.counter(scope) }));
    } catch (error) {
      translateAwsError(error);
    }
  }

  /** A conditional counter update; undefined when its condition failed. */
  private async updateCounter(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>): Promise<FailureCounter | undefined> {
    try {
      const result = await this.client.send(new UpdateCommand({ ...input, TableName: this.tableName, ReturnValues: 'ALL_NEW' }));
      return result.Attributes ? toCounter(result.Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      return translateAwsError(error);
    }
  }
}

/** A counter item as the port's type. */
function toCounter(item: Item): FailureCounter {
  return {
    scope: String(item.scope ?? ''),
    count: Number(item.count ?? 0),
    windowEnds: Number(item.windowEnds ?? 0),
    lockedUntil: typeof item.lockedUntil === 'number' ? item.lockedUntil : null,
  };
}
