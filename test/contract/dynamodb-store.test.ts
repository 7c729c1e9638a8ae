import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { ensureTable, localDynamoClient } from '../../infra/local/services.js';
import { DynamoDbAuditLog } from '../../shared/adapters/dynamodb/audit-log.js';
import { AUDIT_DAY_SHARDS, auditItem, auditTableNameOf, createAuditTableInput } from '../../shared/adapters/dynamodb/audit-table.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { shardUsersIndex } from '../../shared/adapters/dynamodb/migrations.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { keys, USERS_INDEX_SHARDS, usersShardOf } from '../../shared/adapters/dynamodb/table.js';
import { ConflictError } from '../../shared/domain/errors.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { aSession, aUser } from '../support/fixtures.js';
import { testServices, uniqueTableName } from '../support/services.js';
import { attemptCountersContract } from './attempt-counters-contract.js';
import { auditLogContract } from './audit-log-contract.js';
import { passkeyStoreContract } from './passkey-store-contract.js';
import { storeContract } from './store-contract.js';

const { dynamoDbEndpoint } = testServices();
const client = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });

// A fresh table per test keeps the listing test exact. The user record is the raw user item.
const tableOf = new WeakMap<object, string>();
storeContract(
  'DynamoDB (DynamoDB Local)',
  async (clock) => {
    const table = uniqueTableName('contract');
    await ensureTable(dynamoDbEndpoint, table);
    const store = new DynamoDbStore(client, table, clock);
    tableOf.set(store, table);
    return store;
  },
  async (store, userId) => (await client.send(new GetCommand({ TableName: tableOf.get(store), Key: keys.user(userId), ConsistentRead: true }))).Item,
);

passkeyStoreContract('DynamoDB (DynamoDB Local)', async (clock) => {
  const table = uniqueTableName('passkeys');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbStore(client, table, clock);
});

attemptCountersContract('DynamoDB (DynamoDB Local)', async () => {
  const table = uniqueTableName('counters');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbCounters(client, table);
});

auditLogContract('DynamoDB (DynamoDB Local)', async (clock) => {
  const table = uniqueTableName('audit');
  await ensureTable(dynamoDbEndpoint, table);
  return { store: new DynamoDbStore(client, table, clock), log: new DynamoDbAuditLog(client, auditTableNameOf(table), clock) };
});

// An audit table made before issue 17 (indexes projecting every attribute): the same reader, the same answers.
auditLogContract('DynamoDB (DynamoDB Local), audit indexes projecting ALL', async (clock) => {
  const table = uniqueTableName('auditall');
  const low = localDynamoClient(dynamoDbEndpoint);
  try {
    await low.send(new CreateTableCommand(createAuditTableInput(auditTableNameOf(table), 'ALL')));
  } finally {
    low.destroy();
  }
  await ensureTable(dynamoDbEndpoint, table);
  return { store: new DynamoDbStore(client, table, clock), log: new DynamoDbAuditLog(client, auditTableNameOf(table), clock) };
});

describe('DynamoDB audit reads through keys-only indexes', () => {
  test('an index page is fetched from the table by key in one BatchGetItem, and an index being rebuilt answers 503, not a 500', async () => {
    const table = uniqueTableName('auditkeys');
    await ensureTable(dynamoDbEndpoint, table);
    const metered = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });
    const sent: string[] = [];
    metered.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    const store = new DynamoDbStore(client, table);
    const emailHash = 'h'.repeat(43);
    const at = new Date().toISOString();
    const events = Array.from({ length: 5 }, (_, i) => ({
      id: ulid(),
      type: 'sign_in' as const,
      outcome: 'failure' as const,
      at: at.replace(/\d{3}Z$/, `${String(i).padStart(3, '0')}Z`),
      actor: { kind: 'anonymous' as const },
      userId: null,
      sessionId: null,
      ip: '203.0.113.9',
      userAgent: 'test',
      requestId: `r${i}`,
      details: {},
      emailHash,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    }));
    for (const event of events) await store.commit([{ type: 'appendAuditEvent', event }]);
    const log = new DynamoDbAuditLog(metered, auditTableNameOf(table));
    const page = await log.query({ partition: { kind: 'email', emailHash }, limit: 10, cursor: null });
    assert.deepEqual(
      page.events.map((e) => e.requestId),
      ['r4', 'r3', 'r2', 'r1', 'r0'],
    );
    // Whole events, not index entries: every field of what was written.
    assert.deepEqual(page.events[0], events[4]);
    assert.deepEqual(sent, ['QueryCommand', 'BatchGetItemCommand']);

    // A table whose indexes are being rebuilt (docs/migrations.md): absent for a deploy.
    const bare = uniqueTableName('auditnoindex');
    const low = localDynamoClient(dynamoDbEndpoint);
    try {
      const { GlobalSecondaryIndexes: _none, ...input } = createAuditTableInput(bare);
      await low.send(
        new CreateTableCommand({
          ...input,
          AttributeDefinitions: input.AttributeDefinitions?.filter((a) => a.AttributeName === 'pk' || a.AttributeName === 'sk'),
        }),
      );
    } finally {
      low.destroy();
    }
    const rebuilding = new DynamoDbAuditLog(client, bare);
    await assert.rejects(rebuilding.query({ partition: { kind: 'email', emailHash }, limit: 10, cursor: null }), { name: 'ServiceUnavailableError' });
    await assert.rejects(rebuilding.query({ partition: { kind: 'day', day: at.slice(0, 10) }, limit: 10, cursor: null }), { name: 'ServiceUnavailableError' });
  });
});

// Reads asked for together share one request (read-batch.ts): the sign-in's email claim and source-address counter.
describe('DynamoDB reads: coalesced into one BatchGetItem when asked for together', () => {
  test('a claim and a counter read together are one request and read what each read alone reads; a lone read is a GetItem', async () => {
    const table = uniqueTableName('batch');
    await ensureTable(dynamoDbEndpoint, table);
    const metered = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });
    const sent: string[] = [];
    metered.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'contractCommandLog' },
    );
    const store = new DynamoDbStore(metered, table);
    const counters = new DynamoDbCounters(metered, table);
    const user = aUser();
    await store.commit([{ type: 'createUser', user }]);
    const policy = { now: Math.floor(Date.now() / 1000), windowSeconds: 900, max: 5, lockoutSeconds: 900 };
    await counters.recordFailure('ip:203.0.113.7', policy);
    sent.length = 0;
    const [found, byIp, missing, none] = await Promise.all([
      store.findUserByEmail(user.emailCanonical),
      counters.getCounters(['ip:203.0.113.7'], policy.now),
      store.findUserByEmail('nobody@example.com'),
      counters.getCounters(['ip:203.0.113.8', 'ip:203.0.113.7'], policy.now),
    ]);
    assert.equal(found?.id, user.id);
    assert.equal(byIp[0]?.count, 1);
    assert.equal(missing, undefined);
    assert.deepEqual(
      none.map((c) => c.count),
      [1],
    );
    // One BatchGetItem for the claims and counters (the same key twice is read once), then the user's Query.
    assert.deepEqual(sent, ['BatchGetItemCommand', 'QueryCommand']);
    sent.length = 0;
    assert.equal((await store.findUserByEmail(user.emailCanonical))?.id, user.id);
    assert.deepEqual(sent, ['GetItemCommand', 'QueryCommand']);
  });
});

// The audit day index is sharded (`audit-table.ts`, docs/migrations.md): events spread over the
// shards, and events written before the sharding (`DAY#<day>`) are still read with a day.
describe('DynamoDB layout: the audit day index', () => {
  test('events spread over the day shards, and a day read merges them with the unsharded partition of older events', async () => {
    const table = uniqueTableName('audit-days');
    await ensureTable(dynamoDbEndpoint, table);
    const auditTable = auditTableNameOf(table);
    const day = '2026-05-06';
    const now = { now: () => Date.parse(`${day}T12:00:00Z`) };
    const store = new DynamoDbStore(client, table, now);
    const log = new DynamoDbAuditLog(client, auditTable, now);
    const event = (i: number) => ({
      id: ulid(Date.parse(`${day}T10:00:00Z`) + i),
      type: 'sign_in' as const,
      outcome: 'success' as const,
      at: new Date(Date.parse(`${day}T10:00:00Z`) + i).toISOString(),
      actor: { kind: 'anonymous' as const },
      userId: null,
      sessionId: null,
      ip: '203.0.113.9',
      userAgent: 'test',
      requestId: null,
      details: {},
      emailHash: null,
      expiresAt: Math.floor(Date.parse(`${day}T10:00:00Z`) / 1000) + 86400,
    });
    const events = Array.from({ length: 64 }, (_, i) => event(i));
    await store.commit(events.map((e) => ({ type: 'appendAuditEvent' as const, event: e })));
    const shards = new Set(events.map((e) => auditItem(e).gsi1pk));
    assert.ok(shards.size > AUDIT_DAY_SHARDS / 2, `64 events over ${shards.size} shards`);
    for (const shard of shards) {
      const match = new RegExp(`^DAY#${day}#(\\d+)$`).exec(String(shard));
      assert.ok(match && Number(match[1]) < AUDIT_DAY_SHARDS, String(shard));
    }
    // An event of before the sharding: its item as the old layout wrote it.
    const old = event(100);
    await client.send(new PutCommand({ TableName: auditTable, Item: { ...auditItem(old), gsi1pk: `DAY#${day}` } }));
    const read: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await log.query({ partition: { kind: 'day', day }, limit: 6, cursor });
      read.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(
      read,
      [old, ...events]
        .map((e) => e.id)
        .sort()
        .reverse(),
    );
  });
});

// No hot partition (issue 17, `table.ts`): what the DynamoDB layout promises beyond the contract.
describe('DynamoDB layout: no hot partition', () => {
  const raw = async (table: string, key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  const fresh = async () => {
    const table = uniqueTableName('layout');
    await ensureTable(dynamoDbEndpoint, table);
    return { table, store: new DynamoDbStore(client, table) };
  };

  test("a sign-in's user write (guards and a sequence bump, nothing set) leaves the user item untouched", async () => {
    const { table, store } = await fresh();
    const user = aUser();
    await store.commit([{ type: 'createUser', user }]);
    const before = await raw(table, keys.user(user.id));
    await store.commit([
      {
        type: 'updateUser',
        id: user.id,
        guard: { sessionEpoch: 0, unlocked: true, passwordHash: user.passwordHash, role: user.role, sessionSeqAtMost: 0 },
        bumpSeq: true,
      },
      { type: 'putSession', session: aSession(user.id) },
    ]);
    assert.deepEqual(await raw(table, keys.user(user.id)), before);
    assert.equal((await raw(table, keys.userSeq(user.id)))?.seq, 1);
    assert.equal((await store.getUser(user.id))?.sessionSeq, 1);
    // The sequence guard holds on its own item: a second bump under "at most 0" fails.
    await assert.rejects(
      store.commit([{ type: 'updateUser', id: user.id, guard: { sessionSeqAtMost: 0 }, bumpSeq: true }]),
      (error: unknown) => error instanceof ConflictError && error.reason === 'user_changed',
    );
    // Deleting the user removes its sequence item too.
    await store.commit([{ type: 'deleteUser', id: user.id, emailCanonical: user.emailCanonical, guard: { sessionSeq: 1 } }]);
    assert.equal(await raw(table, keys.userSeq(user.id)), undefined);
  });

  test('a TOTP step spent in a second step is one Update of the sequence item (bump and totpStep) and a ConditionCheck of the user item', async () => {
    const table = uniqueTableName('layout');
    await ensureTable(dynamoDbEndpoint, table);
    const metered = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });
    const sent: Array<Record<string, unknown>> = [];
    metered.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand')
          sent.push(...((args.input as { TransactItems: Array<Record<string, unknown>> }).TransactItems ?? []));
        return next(args);
      },
      { step: 'initialize', name: 'captureTransactItems' },
    );
    const store = new DynamoDbStore(metered, table);
    const user = aUser({ totp: { secretEnc: 'enc-1', lastStep: 100, enabledAt: '2026-01-01T00:00:00.000Z' }, mfaEnabled: true });
    await store.commit([{ type: 'createUser', user }]);
    const before = await raw(table, keys.user(user.id));
    sent.length = 0;
    await store.commit([
      { type: 'updateUser', id: user.id, guard: { sessionEpoch: 0, unlocked: true, sessionSeqAtMost: 0 }, bumpSeq: true, spend: { totpStep: 101 } },
      { type: 'putSession', session: aSession(user.id) },
    ]);
    // The operations the transactions sent on an item (keys as sent, plain or in attribute-value form).
    const plainKey = (key: unknown) => {
      const k = key as Record<string, unknown> | undefined;
      return k && typeof k.pk === 'object' ? unmarshall(k as Parameters<typeof unmarshall>[0]) : k;
    };
    const on = (key: { pk: string; sk: string }) =>
      sent.flatMap((item) =>
        Object.entries(item)
          .filter(([, op]) => JSON.stringify(plainKey((op as { Key?: unknown }).Key)) === JSON.stringify(key))
          .map(([kind]) => kind),
      );
    assert.deepEqual(on(keys.userSeq(user.id)), ['Update'], 'one write of the sequence item');
    assert.deepEqual(on(keys.user(user.id)), ['ConditionCheck'], 'the user item is only checked');
    assert.deepEqual(await raw(table, keys.user(user.id)), before);
    const seq = await raw(table, keys.userSeq(user.id));
    assert.deepEqual([seq?.seq, seq?.totpStep], [1, 101]);
    // The step-up's shape (no guard, no bump): still only the sequence item is written.
    sent.length = 0;
    await store.commit([
      { type: 'updateUser', id: user.id, spend: { totpStep: 102 } },
      { type: 'putSession', session: aSession(user.id) },
    ]);
    assert.deepEqual(on(keys.userSeq(user.id)), ['Update']);
    assert.deepEqual(on(keys.user(user.id)), ['ConditionCheck']);
    assert.deepEqual(await raw(table, keys.user(user.id)), before);
    assert.equal((await raw(table, keys.userSeq(user.id)))?.totpStep, 102);
    assert.equal((await store.getUser(user.id))?.totp?.lastStep, 102);
    metered.destroy();
  });

  test('users spread over the index shards; the list merges them (and the partition of a table not yet migrated) in email order', async () => {
    const { table, store } = await fresh();
    const prefix = `shard-${Date.now()}-`;
    const users = Array.from({ length: 40 }, (_, i) =>
      aUser({ email: `${prefix}${String(i).padStart(2, '0')}@example.com`, emailCanonical: `${prefix}${String(i).padStart(2, '0')}@example.com` }),
    );
    for (const user of users) await store.commit([{ type: 'createUser', user }]);
    const shards = new Set<string>();
    for (const user of users) shards.add(String((await raw(table, keys.user(user.id)))?.gsi1pk));
    assert.ok(shards.size > 4, `40 users on ${shards.size} shards`);
    assert.ok([...shards].every((s) => s.startsWith('USERS#') && Number(s.slice(6)) < USERS_INDEX_SHARDS));
    // A user item written before the sharding (under `USERS`, with its old sessionSeq attribute).
    const legacy = users[7] as (typeof users)[number];
    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.user(legacy.id),
        UpdateExpression: 'SET gsi1pk = :u, sessionSeq = :s',
        ExpressionAttributeValues: { ':u': 'USERS', ':s': 9 },
      }),
    );
    const list = async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listUsers({ limit: 7, cursor });
        seen.push(...page.users.map((u) => u.emailCanonical));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    const expected = users.map((u) => u.emailCanonical).sort();
    assert.deepEqual(await list(), expected);
    assert.equal((await store.getUser(legacy.id))?.sessionSeq, 0, 'the old attribute is ignored');
    assert.equal(await shardUsersIndex(client, table), 1);
    const migrated = await raw(table, keys.user(legacy.id));
    assert.equal(migrated?.gsi1pk, usersShardOf(legacy.id));
    assert.equal(migrated?.sessionSeq, undefined);
    assert.deepEqual(await list(), expected);
    assert.equal(await shardUsersIndex(client, table), 0);
  });
});
