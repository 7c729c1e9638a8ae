import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, type ConflictReason, ServiceUnavailableError } from '../../domain/errors.js';
import type { MailToken, MailTokenKind, Session, User } from '../../domain/types.js';
import type { AuthStore, FailureCounter, FailurePolicy, FailureRecord, UserGuard, UserItems, UserPage, WriteOp } from '../../ports/store.js';
import { assertDistinctItems, counterIsLive } from '../memory/store.js';
import { translateAwsError } from './errors.js';
import { keys, tableDefinition } from './table.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

/** A write of the transaction and what its condition failing means. */
interface Planned {
  item: TransactItem;
  /** Reason when the condition fails and the item existed / did not exist. */
  onExisting: ConflictReason;
  onMissing: ConflictReason;
}

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl'];

function strip(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.includes(k)) out[k] = v;
  return out;
}

/** Builds `SET`/`ADD` clauses and their placeholders for a partial update. */
class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private n = 0;

  name(attribute: string): string {
    const placeholder = `#a${this.n++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.n++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** `a = :x, b = :y` for every defined field. */
  assignments(fields: Record<string, unknown>): string[] {
    return Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${this.name(k)} = ${this.value(v)}`);
  }

  /** Condition text of a user guard (always includes existence). */
  guard(guard: UserGuard | undefined): string {
    const parts = ['attribute_exists(pk)'];
    if (guard?.sessionEpoch !== undefined) parts.push(`${this.name('sessionEpoch')} = ${this.value(guard.sessionEpoch)}`);
    if (guard?.sessionSeq !== undefined) parts.push(`${this.name('sessionSeq')} = ${this.value(guard.sessionSeq)}`);
    if (guard?.unlocked) parts.push(`${this.name('locked')} = ${this.value(false)}`);
    // No email change (moveEmail) happened since the caller read the user.
    if (guard?.emailCanonical !== undefined) parts.push(`${this.name('emailCanonical')} = ${this.value(guard.emailCanonical)}`);
    if (guard?.passwordHash !== undefined) {
      const name = this.name('passwordHash');
      parts.push(
        guard.passwordHash === null
          ? `(attribute_not_exists(${name}) OR attribute_type(${name}, ${this.value('NULL')}))`
          : `${name} = ${this.value(guard.passwordHash)}`,
      );
    }
    return parts.join(' AND ');
  }

  attach<T extends object>(input: T): T & { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...input,
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/**
 * {@link AuthStore} on one DynamoDB table (see `table.ts` for the layout). Every commit is one
 * `TransactWriteItems`, so its conditions and writes are all-or-nothing; every read is strongly
 * consistent and by primary key (the users index serves only the admin listing).
 */
export class DynamoDbStore implements AuthStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get(key: { pk: string; sk: string }, projection?: string[]): Promise<Item | undefined> {
    try {
      const expression = new Expression();
      const input = projection
        ? expression.attach({
            TableName: this.tableName,
            Key: key,
            ConsistentRead: true,
            ProjectionExpression: projection.map((p) => expression.name(p)).join(', '),
          })
        : { TableName: this.tableName, Key: key, ConsistentRead: true };
      const result = await this.client.send(new GetCommand(input));
      return result.Item;
    } catch (error) {
      return translateAwsError(error);
    }
  }

  async getUser(id: string): Promise<User | undefined> {
    const item = await this.get(keys.user(id));
    return item && (strip(item) as unknown as User);
  }

  async findUserByEmail(emailCanonical: string): Promise<User | undefined> {
    const claim = await this.get(keys.claim(emailCanonical));
    if (!claim || typeof claim.userId !== 'string') return undefined;
    const user = await this.getUser(claim.userId);
    // A claim and its user change together; a mismatch means we read between two commits.
    return user?.emailCanonical === emailCanonical ? user : undefined;
  }

  async listUsers(options: { limit: number; cursor?: string | null }): Promise<UserPage> {
    const index = tableDefinition.usersIndex;
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': index.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.usersPartition },
      Limit: options.limit,
    };
    if (options.cursor) {
      const [sk, id] = [options.cursor, options.cursor.slice(options.cursor.lastIndexOf('#') + 1)];
      input.ExclusiveStartKey = { ...keys.user(id), gsi1pk: keys.usersPartition, gsi1sk: sk };
    }
    try {
      const result = await this.client.send(new QueryCommand(input));
      const users = (result.Items ?? []).map((item) => strip(item) as unknown as User);
      const last = result.LastEvaluatedKey;
      return { users, nextCursor: last ? String(last.gsi1sk) : null };
    } catch (error) {
      return translateAwsError(error);
    }
  }

  async getSession(userId: string, sessionId: string): Promise<Session | undefined> {
    const item = await this.get(keys.session(userId, sessionId));
    return item && (strip(item) as unknown as Session);
  }

  async listSessions(userId: string): Promise<Session[]> {
    return (await this.queryPartition(userId, 'SESSION#')).map((item) => strip(item) as unknown as Session);
  }

  /** Every item of a user's partition (or those whose sort key starts with `prefix`), strongly consistent, all pages. */
  private async queryPartition(userId: string, prefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const result = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.user(userId).pk, ...(prefix ? { ':prefix': prefix } : {}) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(result.Items ?? []));
        start = result.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      return translateAwsError(error);
    }
    return items;
  }

  async getToken(userId: string, kind: MailTokenKind): Promise<MailToken | undefined> {
    const item = await this.get(keys.token(userId, kind));
    return item && (strip(item) as unknown as MailToken);
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
    const current = await this.get(keys.counter(scope), ['lockedUntil']);
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

  async listUserItems(userId: string): Promise<UserItems> {
    const out: UserItems = { user: undefined, sessions: [], tokens: [] };
    // One strongly consistent Query of the whole partition: profile, sessions and tokens.
    for (const item of await this.queryPartition(userId)) {
      const sk = String(item.sk);
      if (sk === 'PROFILE') out.user = strip(item) as unknown as User;
      else if (sk.startsWith('SESSION#')) out.sessions.push(strip(item) as unknown as Session);
      else if (sk.startsWith('TOKEN#')) out.tokens.push(strip(item) as unknown as MailToken);
    }
    return out;
  }

  async commit(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    assertDistinctItems(ops);
    const planned = ops.flatMap((op) => this.plan(op));
    const [only] = planned;
    // One item: a plain conditional write is just as atomic and costs half a transaction.
    if (planned.length === 1 && only && !only.item.ConditionCheck) return this.writeOne(only);
    const input: TransactWriteCommandInput = { TransactItems: planned.map((p) => p.item) };
    // TransactionConflict means another transaction held an item: nothing was written, and the
    // outcome of our conditions is unknown, so try again a few times with backoff.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand(input));
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) return translateAwsError(error);
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          const plan = planned[failed] as Planned;
          throw new ConflictError(reasons[failed]?.Item ? plan.onExisting : plan.onMissing);
        }
        const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
        if (!conflict || attempt >= 4) throw new ServiceUnavailableError();
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 10));
      }
    }
  }

  private async writeOne(plan: Planned): Promise<void> {
    const { Put, Update, Delete } = plan.item;
    try {
      if (Put) await this.client.send(new PutCommand({ ...Put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      else if (Update) await this.client.send(new UpdateCommand(Update));
      else if (Delete) await this.client.send(new DeleteCommand({ ...Delete, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConflictError(error.Item ? plan.onExisting : plan.onMissing);
      translateAwsError(error);
    }
  }

  private plan(op: WriteOp): Planned[] {
    const TableName = this.tableName;
    const check = 'ALL_OLD' as const;
    switch (op.type) {
      case 'createUser':
        return [
          // The claim is the uniqueness rule: one account per canonical email.
          {
            item: { Put: { TableName, Item: { ...keys.claim(op.user.emailCanonical), userId: op.user.id }, ConditionExpression: 'attribute_not_exists(pk)' } },
            onExisting: 'email_taken',
            onMissing: 'email_taken',
          },
          {
            item: { Put: { TableName, Item: this.userItem(op.user), ConditionExpression: 'attribute_not_exists(pk)' } },
            onExisting: 'email_taken',
            onMissing: 'email_taken',
          },
        ];
      case 'updateUser': {
        const e = new Expression();
        const sets = e.assignments({ ...(op.set ?? {}) });
        const adds: string[] = [];
        if (op.bumpEpoch) adds.push(`${e.name('sessionEpoch')} ${e.value(1)}`);
        if (op.bumpSeq) adds.push(`${e.name('sessionSeq')} ${e.value(1)}`);
        const condition = e.guard(op.guard);
        const update = [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].join(' ').trim();
        if (update === '') {
          return this.plan({ type: 'checkUser', id: op.id, guard: op.guard ?? {} });
        }
        return [
          {
            item: {
              Update: e.attach({
                TableName,
                Key: keys.user(op.id),
                UpdateExpression: update,
                ConditionExpression: condition,
                ReturnValuesOnConditionCheckFailure: check,
              }),
            },
            onExisting: 'user_changed',
            onMissing: 'not_found',
          },
        ];
      }
      case 'checkUser': {
        const e = new Expression();
        const condition = e.guard(op.guard);
        return [
          {
            item: {
              ConditionCheck: e.attach({ TableName, Key: keys.user(op.id), ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: check }),
            },
            onExisting: 'user_changed',
            onMissing: 'not_found',
          },
        ];
      }
      case 'deleteUser': {
        const e = new Expression();
        const condition = e.guard(op.guard);
        return [
          {
            item: { Delete: e.attach({ TableName, Key: keys.user(op.id), ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: check }) },
            onExisting: 'user_changed',
            onMissing: 'not_found',
          },
          // Only the user's own claim is released.
          {
            item: {
              Delete: {
                TableName,
                Key: keys.claim(op.emailCanonical),
                ConditionExpression: 'attribute_not_exists(pk) OR userId = :id',
                ExpressionAttributeValues: { ':id': op.id },
              },
            },
            onExisting: 'user_changed',
            onMissing: 'user_changed',
          },
        ];
      }
      case 'moveEmail': {
        const e = new Expression();
        const sets = e.assignments({
          ...(op.set ?? {}),
          email: op.email,
          emailCanonical: op.to,
          gsi1sk: `${op.to}#${op.userId}`,
        });
        const bump = op.bumpEpoch ? ` ADD ${e.name('sessionEpoch')} ${e.value(1)}` : '';
        const condition = e.guard(op.guard);
        return [
          // The old claim must still be this user's (no concurrent move).
          {
            item: { Delete: { TableName, Key: keys.claim(op.from), ConditionExpression: 'userId = :id', ExpressionAttributeValues: { ':id': op.userId } } },
            onExisting: 'user_changed',
            onMissing: 'user_changed',
          },
          // The new address must be free: uniqueness holds across email changes too.
          {
            item: { Put: { TableName, Item: { ...keys.claim(op.to), userId: op.userId }, ConditionExpression: 'attribute_not_exists(pk)' } },
            onExisting: 'email_taken',
            onMissing: 'email_taken',
          },
          {
            item: {
              Update: e.attach({
                TableName,
                Key: keys.user(op.userId),
                UpdateExpression: `SET ${sets.join(', ')}${bump}`,
                ConditionExpression: condition,
                ReturnValuesOnConditionCheckFailure: check,
              }),
            },
            onExisting: 'user_changed',
            onMissing: 'not_found',
          },
        ];
      }
      case 'putSession':
        return [
          {
            item: { Put: { TableName, Item: { ...keys.session(op.session.userId, op.session.id), ...op.session, ttl: op.session.expiresAt } } },
            onExisting: 'session_gone',
            onMissing: 'session_gone',
          },
        ];
      case 'updateSession': {
        const e = new Expression();
        const sets = e.assignments(op.set);
        let condition = 'attribute_exists(pk)';
        // Spending a renewal token: only the request that still sees its hash may rotate it.
        if (op.ifRenewalHash !== undefined) condition += ` AND ${e.name('renewalHash')} = ${e.value(op.ifRenewalHash)}`;
        return [
          {
            item: {
              Update: e.attach({
                TableName,
                Key: keys.session(op.userId, op.id),
                UpdateExpression: `SET ${sets.join(', ')}`,
                ConditionExpression: condition,
                ReturnValuesOnConditionCheckFailure: check,
              }),
            },
            onExisting: 'token_mismatch',
            onMissing: 'session_gone',
          },
        ];
      }
      case 'deleteSession':
        return [{ item: { Delete: { TableName, Key: keys.session(op.userId, op.id) } }, onExisting: 'session_gone', onMissing: 'session_gone' }];
      case 'putToken':
        // Overwrites the user's earlier token of this kind: a new link kills the old one.
        return [
          {
            item: { Put: { TableName, Item: { ...keys.token(op.token.userId, op.token.kind), ...op.token, ttl: op.token.expiresAt } } },
            onExisting: 'token_mismatch',
            onMissing: 'token_mismatch',
          },
        ];
      case 'consumeToken':
        // Single use: of two concurrent uses, only the one that still finds the hash deletes it.
        return [
          {
            item: {
              Delete: {
                TableName,
                Key: keys.token(op.userId, op.kind),
                ConditionExpression: '#h = :h AND expiresAt > :now',
                ExpressionAttributeNames: { '#h': 'hash' },
                ExpressionAttributeValues: { ':h': op.hash, ':now': op.now },
              },
            },
            onExisting: 'token_mismatch',
            onMissing: 'token_mismatch',
          },
        ];
      case 'deleteToken':
        return [{ item: { Delete: { TableName, Key: keys.token(op.userId, op.kind) } }, onExisting: 'token_mismatch', onMissing: 'token_mismatch' }];
    }
  }

  private userItem(user: User): Item {
    return { ...keys.user(user.id), gsi1pk: keys.usersPartition, gsi1sk: `${user.emailCanonical}#${user.id}`, ...user };
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
