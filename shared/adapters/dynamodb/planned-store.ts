import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, ServiceUnavailableError } from '../../domain/errors.js';
import type { Identity, OAuthItem, OAuthItemKind } from '../../domain/oauth.js';
import type { OAuth2Code } from '../../domain/oauth2.js';
import type { Passkey } from '../../domain/passkeys.js';
import { spentTotpStep } from '../../domain/totp.js';
import { accountExpired, type MailToken, type MailTokenKind, type MfaChallenge, type Session, type TotpPending, type User } from '../../domain/types.js';
import type { Clock } from '../../ports/services.js';
import { type AuthStore, assertDistinctItems, UserItems, UserPage, WriteOp } from '../../ports/store.js';
import { auditTableNameOf } from './audit-table.js';
import { translateAwsError } from './errors.js';
import { Expression, type Item, strip } from './expression.js';
import { readBatcherOf } from './read-batch.js';
import { keys, tableDefinition } from './table.js';
import { CORE_WRITE_PLANS, type Planned, planWrite, type TableNames, type WritePlans } from './write-plan.js';

/**
 * {@link AuthStore} on one DynamoDB table (see `table.ts` for the layout). Every commit is one
 * `TransactWriteItems`, so its conditions and writes are all-or-nothing; every read is strongly
 * consistent and by primary key or in one user's partition (the users index serves only the
 * admin listing). It commits the ops it has plans for (`write-plan.ts`): the core ops, and the
 * families a function's entry composes (`addWritePlans`), so a bundle carries only the plans
 * its flows use (issue 17, row 6). `DynamoDbStore` (`store.ts`) carries every plan.
 */
export class PlannedDynamoDbStore implements AuthStore {
  private readonly tables: TableNames;
  private readonly plans: WritePlans;

  /**
   * `clock` is what expiry is checked against, on reads and in the claim condition of
   * `createUser`. Audit events go to `auditTableName` (by default the main table's name with
   * `-audit`, as the local runner and the tests create it; on AWS `LATCH_AUDIT_TABLE_NAME`).
   */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() },
    auditTableName: string = auditTableNameOf(tableName),
    plans: WritePlans = CORE_WRITE_PLANS,
  ) {
    this.tables = { main: tableName, audit: auditTableName };
    this.plans = { ...plans };
  }

  /** Adds families of write plans (a function's composition; where functions share a process, their union). */
  addWritePlans(...families: readonly WritePlans[]): void {
    for (const family of families) Object.assign(this.plans, family);
  }

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
        : undefined;
      // Whole items go through the client's read batcher: reads asked for together share a request.
      if (!input) return await readBatcherOf(this.client).get(this.tableName, key);
      const result = await this.client.send(new GetCommand(input));
      return result.Item;
    } catch (error) {
      return translateAwsError(error);
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /**
   * A stored user item as the port's user, with `sessionSeq` from its sequence item (missing: 0;
   * a `sessionSeq` attribute left on the user item by an earlier version is ignored) and
   * `totp.lastStep` the larger of the two items' (`totpStep` on the sequence item), or undefined
   * when it expired (TTL deletes late).
   */
  private live(item: Item | undefined, seqItem: Item | undefined): User | undefined {
    const user = item && ({ ...strip(item), sessionSeq: Number(seqItem?.seq ?? 0) } as unknown as User);
    // The last TOTP step spent: the larger of the user item's and the sequence item's (`spentTotpStep`).
    if (user?.totp && seqItem) user.totp = { ...user.totp, lastStep: spentTotpStep(user.totp.lastStep, seqItem.totpStep) };
    return user && !accountExpired(user, this.nowSeconds()) ? user : undefined;
  }

  /** The user and its sequence item in one strongly consistent Query (both sort keys start with `PROFILE`). */
  async getUser(id: string): Promise<User | undefined> {
    const items = await this.queryPartition(id, keys.profilePrefix);
    const sk = (item: Item) => String(item.sk);
    return this.live(
      items.find((item) => sk(item) === keys.user(id).sk),
      items.find((item) => sk(item) === keys.userSeq(id).sk),
    );
  }

  async findUserByEmail(emailCanonical: string): Promise<User | undefined> {
    const claim = await this.get(keys.claim(emailCanonical));
    if (!claim || typeof claim.userId !== 'string') return undefined;
    const user = await this.getUser(claim.userId);
    // A claim and its user change together; a mismatch means we read between two commits.
    return user?.emailCanonical === emailCanonical ? user : undefined;
  }

  /**
   * Reads every users-index shard (and the single partition of a table not yet migrated, see
   * `docs/migrations.md`) from the cursor on, in parallel, and merges them in email order: the
   * first `limit` entries are the page, the last of them its cursor. Listed users are for
   * display and export: their sequence item is not read (`sessionSeq` 0, `totp.lastStep` the user
   * item's own); guard on a user read by `getUser`.
   */
  async listUsers(options: { limit: number; cursor?: string | null }): Promise<UserPage> {
    const index = tableDefinition.usersIndex;
    const partitions = [...keys.usersShards, keys.legacyUsersPartition];
    try {
      const pages = await Promise.all(
        partitions.map((partition) =>
          this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: index.name,
              KeyConditionExpression: options.cursor ? '#pk = :pk AND #sk > :cursor' : '#pk = :pk',
              ExpressionAttributeNames: { '#pk': index.partitionKey, ...(options.cursor ? { '#sk': index.sortKey } : {}) },
              ExpressionAttributeValues: { ':pk': partition, ...(options.cursor ? { ':cursor': options.cursor } : {}) },
              Limit: options.limit,
            }),
          ),
        ),
      );
      const merged = pages.flatMap((page) => page.Items ?? []).sort((a, b) => (String(a.gsi1sk) < String(b.gsi1sk) ? -1 : 1));
      const taken = merged.slice(0, options.limit);
      const more = merged.length > options.limit || pages.some((page) => page.LastEvaluatedKey !== undefined);
      const last = taken[taken.length - 1];
      const users = taken.flatMap((item) => this.live(item, undefined) ?? []);
      return { users, nextCursor: more && last ? String(last.gsi1sk) : null };
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

  async getTotpPending(userId: string): Promise<TotpPending | undefined> {
    const item = await this.get(keys.totpPending(userId));
    return item && (strip(item) as unknown as TotpPending);
  }

  async getMfaChallenge(userId: string, hash: string): Promise<MfaChallenge | undefined> {
    const item = await this.get(keys.mfaChallenge(userId, hash));
    return item && (strip(item) as unknown as MfaChallenge);
  }

  async getPasskey(userId: string, credentialId: string): Promise<Passkey | undefined> {
    const item = await this.get(keys.passkey(userId, credentialId));
    return item && (strip(item) as unknown as Passkey);
  }

  async listPasskeys(userId: string): Promise<Passkey[]> {
    const passkeys = (await this.queryPartition(userId, 'PASSKEY#')).map((item) => strip(item) as unknown as Passkey);
    return passkeys.sort((a, b) => (`${a.createdAt}#${a.id}` < `${b.createdAt}#${b.id}` ? -1 : 1));
  }

  async listUserItems(userId: string): Promise<UserItems> {
    const out: UserItems = { user: undefined, sessions: [], tokens: [], passkeys: [] };
    let profile: Item | undefined;
    let seq: Item | undefined;
    // One strongly consistent Query of the whole partition: profile, sessions and tokens.
    for (const item of await this.queryPartition(userId)) {
      const sk = String(item.sk);
      if (sk === keys.user(userId).sk) profile = item;
      else if (sk === keys.userSeq(userId).sk) seq = item;
      else if (sk.startsWith('SESSION#')) out.sessions.push(strip(item) as unknown as Session);
      else if (sk.startsWith('TOKEN#')) out.tokens.push(strip(item) as unknown as MailToken);
      else if (sk.startsWith('PASSKEY#')) out.passkeys?.push(strip(item) as unknown as Passkey);
    }
    out.user = this.live(profile, seq);
    return out;
  }

  async getOAuth2Code(hash: string): Promise<OAuth2Code | undefined> {
    const item = await this.get(keys.oauth2Code(hash));
    return item && (strip(item) as unknown as OAuth2Code);
  }

  async getOAuthItem(kind: OAuthItemKind, hash: string): Promise<OAuthItem | undefined> {
    const item = await this.get(keys.oauthItem(kind, hash));
    return item && (strip(item) as unknown as OAuthItem);
  }

  async findIdentity(provider: string, sub: string): Promise<Identity | undefined> {
    const claim = await this.get(keys.identityClaim(provider, sub));
    if (!claim || typeof claim.userId !== 'string') return undefined;
    const item = await this.get(keys.identity(claim.userId, provider));
    const identity = item && (strip(item) as unknown as Identity);
    // The claim and the identity change together; a mismatch means we read between two commits.
    return identity?.sub === sub ? identity : undefined;
  }

  async listIdentities(userId: string): Promise<Identity[]> {
    return (await this.queryPartition(userId, 'IDENTITY#')).map((item) => strip(item) as unknown as Identity);
  }

  async commit(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    assertDistinctItems(ops);
    const now = this.nowSeconds();
    const planned = ops.flatMap((op) => planWrite(this.plans, this.tables, op, now));
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
        // Every failed condition with the item it returned: a code spent is shown on one item of
        // the user (the sequence item's `totpStep`, the user item's `totp.lastStep` or recovery
        // code), another guard may fail on the other; a spent code is final and wins.
        const failures = reasons.flatMap((r, i) => {
          if (r.Code !== 'ConditionalCheckFailed') return [];
          const plan = planned[i] as Planned;
          return [r.Item ? (plan.classify?.(r.Item) ?? plan.onExisting) : plan.onMissing];
        });
        const [first] = failures;
        if (first !== undefined) throw new ConflictError(failures.includes('code_spent') ? 'code_spent' : first);
        const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
        if (!conflict || attempt >= 4) throw new ServiceUnavailableError(undefined, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 10));
      }
    }
  }

  private async writeOne(plan: Planned): Promise<void> {
    const { Put, Update, Delete } = plan.item;
    try {
      if (Put) await this.client.send(new PutCommand({ ...Put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      else if (Update) await this.client.send(new UpdateCommand({ ...Update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      else if (Delete) await this.client.send(new DeleteCommand({ ...Delete, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(error.Item ? (plan.classify?.(error.Item) ?? plan.onExisting) : plan.onMissing);
      }
      translateAwsError(error);
    }
  }
}
