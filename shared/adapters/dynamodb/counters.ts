import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ServiceUnavailableError } from '../../domain/errors.js';
import {
  type AttemptCounters,
  type AttemptReservation,
  counterIsFull,
  counterIsLive,
  type FailureCounter,
  type FailurePolicy,
  type FailureRecord,
} from '../../ports/attempt-counters.js';
import { translateAwsError } from './errors.js';
import type { Item } from './expression.js';
import { readBatcherOf } from './read-batch.js';
import { keys } from './table.js';

/**
 * {@link AttemptCounters} on the table: TTL'd items updated with atomic conditional `ADD`s,
 * never read-modify-write. They never join a commit.
 */
export class DynamoDbCounters implements AttemptCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    try {
      // Through the client's read batcher: a counter read asked for with another read (the
      // sign-in's email claim) shares its request.
      return await readBatcherOf(this.client).get(this.tableName, key);
    } catch (error) {
      return translateAwsError(error);
    }
  }

  async getCounters(scopes: string[], now: number): Promise<FailureCounter[]> {
    // Read together: one request (read-batch.ts).
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

  async reserveAttempt(scope: string, policy: FailurePolicy): Promise<AttemptReservation> {
    const { now } = policy;
    const windowEnds = now + policy.windowSeconds;
    for (let attempt = 0; attempt < 5; attempt++) {
      // 1. Take a slot in the running window (or start one on a missing item). The condition is
      //    the limit itself, checked in the same write as the increment: of N attempts arriving
      //    at once only the first `max` pass it, so no burst can get more passwords checked.
      //    A counter whose window is over is refused here too (step 2 restarts it).
      const added = await this.updateOrExisting({
        Key: keys.counter(scope),
        UpdateExpression: 'ADD #count :one SET #scope = :scope, #windowEnds = if_not_exists(#windowEnds, :windowEnds), #ttl = if_not_exists(#ttl, :windowEnds)',
        ConditionExpression:
          'attribute_not_exists(pk) OR (#windowEnds > :now AND #count < :max AND (attribute_not_exists(#lockedUntil) OR #lockedUntil <= :now))',
        ExpressionAttributeNames: { '#count': 'count', '#scope': 'scope', '#windowEnds': 'windowEnds', '#ttl': 'ttl', '#lockedUntil': 'lockedUntil' },
        ExpressionAttributeValues: { ':one': 1, ':scope': scope, ':windowEnds': windowEnds, ':now': now, ':max': policy.max },
      });
      if (added.updated) return { granted: true, count: added.updated.count, windowEnds: added.updated.windowEnds };
      // Refused because the live counter is full: that is the answer (nothing was written).
      if (added.existing && counterIsFull(added.existing, policy)) return { granted: false, counter: added.existing };
      // 2. The counter is over: start a new window with this attempt. Of two attempts that both
      //    found it over, the condition lets only one reset it; the other goes back to step 1.
      const restarted = await this.updateCounter({
        Key: keys.counter(scope),
        UpdateExpression: 'SET #count = :one, #scope = :scope, #windowEnds = :windowEnds, #ttl = :windowEnds REMOVE #lockedUntil',
        ConditionExpression: '#windowEnds <= :now AND (attribute_not_exists(#lockedUntil) OR #lockedUntil <= :now)',
        ExpressionAttributeNames: { '#count': 'count', '#scope': 'scope', '#windowEnds': 'windowEnds', '#ttl': 'ttl', '#lockedUntil': 'lockedUntil' },
        ExpressionAttributeValues: { ':one': 1, ':scope': scope, ':windowEnds': windowEnds, ':now': now },
      });
      if (restarted) return { granted: true, count: restarted.count, windowEnds: restarted.windowEnds };
    }
    throw new ServiceUnavailableError('Too many concurrent sign-in attempts. Please try again.');
  }

  async settleFailure(scope: string, reservation: { count: number; windowEnds: number }, policy: FailurePolicy): Promise<FailureRecord> {
    // Below the limit when reserved: the slot simply stays counted, no write needed.
    if (reservation.count < policy.max) return { count: reservation.count, lockedUntil: null, justLocked: false };
    const lockedUntil = policy.now + policy.lockoutSeconds;
    // The limit is reached: start the lockout. Every failure that holds a slot at the limit
    // tries; the condition lets exactly one set it (the one that reports justLocked and sends
    // the mail), never moves a running lockout, and refuses a counter that was cleared or
    // restarted meanwhile (another window) or fell below the limit (a slot was released).
    const locked = await this.updateCounter({
      Key: keys.counter(scope),
      UpdateExpression: 'SET #lockedUntil = :lockedUntil, #ttl = :lockedUntil',
      ConditionExpression: 'attribute_not_exists(#lockedUntil) AND #windowEnds = :windowEnds AND #count >= :max',
      ExpressionAttributeNames: { '#lockedUntil': 'lockedUntil', '#windowEnds': 'windowEnds', '#ttl': 'ttl', '#count': 'count' },
      ExpressionAttributeValues: { ':lockedUntil': lockedUntil, ':windowEnds': reservation.windowEnds, ':max': policy.max },
    });
    if (locked) return { count: locked.count, lockedUntil: locked.lockedUntil, justLocked: true };
    return { count: reservation.count, lockedUntil: null, justLocked: false };
  }

  async releaseAttempt(scope: string, reservation: { windowEnds: number }): Promise<void> {
    // Only the window the slot was taken in, and never below zero: a counter cleared or
    // restarted since then is not ours to decrement.
    await this.updateCounter({
      Key: keys.counter(scope),
      UpdateExpression: 'ADD #count :minusOne',
      ConditionExpression: '#windowEnds = :windowEnds AND #count > :zero',
      ExpressionAttributeNames: { '#count': 'count', '#windowEnds': 'windowEnds' },
      ExpressionAttributeValues: { ':minusOne': -1, ':windowEnds': reservation.windowEnds, ':zero': 0 },
    });
  }

  async clearCounter(scope: string): Promise<void> {
    try {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.counter(scope) }));
    } catch (error) {
      translateAwsError(error);
    }
  }

  /** A conditional counter update: the item after it, or the item that failed its condition. */
  private async updateOrExisting(
    input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>,
  ): Promise<{ updated?: FailureCounter | undefined; existing?: FailureCounter | undefined }> {
    try {
      const result = await this.client.send(
        new UpdateCommand({ ...input, TableName: this.tableName, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return { updated: result.Attributes ? toCounter(result.Attributes) : undefined };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { existing: error.Item ? toCounter(plainItem(error.Item)) : undefined };
      return translateAwsError(error);
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

/** The item of a failed condition: the document client may hand it over still marshalled. */
function plainItem(item: Record<string, unknown>): Item {
  const marshalled = typeof item.pk === 'object' && item.pk !== null && 'S' in item.pk;
  return marshalled ? (unmarshall(item as Parameters<typeof unmarshall>[0]) as Item) : (item as Item);
}
