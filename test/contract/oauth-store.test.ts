/**
 * The social sign-in writes of the store port (`docs/specs/social-sign-in.md` §8) on both
 * adapters: states, pending identities and nonces are single-use and expire; an identity claim is
 * unique per `(provider, sub)` and one identity per provider per user; `signInMethods` never drops
 * below one by a conditioned removal.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ensureTable } from '../../infra/local/services.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { ConflictError } from '../../shared/domain/errors.js';
import type { Identity, OAuthState } from '../../shared/domain/oauth.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { aUser } from '../support/fixtures.js';
import { testServices, uniqueTableName } from '../support/services.js';

type Make = (clock: { now(): number }) => Promise<AuthStore>;

const conflict = (reason: string) => (error: unknown) => error instanceof ConflictError && error.reason === reason;

function contract(name: string, make: Make): void {
  describe(`social sign-in store writes: ${name}`, () => {
    const clock = { now: () => Date.now() };
    const now = () => Math.floor(Date.now() / 1000);
    const state = (hash: string, expiresAt = now() + 600): OAuthState => ({
      kind: 'state',
      hash,
      provider: 'op',
      codeVerifier: 'v',
      nonce: null,
      redirectUri: 'https://app.example/cb',
      intent: 'sign_in',
      flowSecretHash: 'fs',
      userId: null,
      sessionId: null,
      invitationHash: null,
      rememberMe: false,
      expiresAt,
    });
    const identity = (userId: string, provider: string, sub: string): Identity => ({
      userId,
      provider,
      sub,
      email: null,
      emailVerified: false,
      name: null,
      createdAt: new Date().toISOString(),
      lastUsedAt: new Date().toISOString(),
    });

    test('a state is consumed once, only with its provider and flow secret, and not once expired', async () => {
      const store = await make(clock);
      await store.commit([{ type: 'putOAuthItem', item: state('h1') }]);
      await assert.rejects(store.commit([{ type: 'putOAuthItem', item: state('h1') }]), conflict('token_mismatch'));
      assert.equal((await store.getOAuthItem('state', 'h1'))?.provider, 'op');
      const consume = (provider: string, flowSecretHash: string) =>
        store.commit([{ type: 'consumeOAuthItem', kind: 'state', hash: 'h1', provider, flowSecretHash, now: now() }]);
      await assert.rejects(consume('other', 'fs'), conflict('token_mismatch'));
      await assert.rejects(consume('op', 'wrong'), conflict('token_mismatch'));
      const results = await Promise.allSettled([consume('op', 'fs'), consume('op', 'fs')]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal(await store.getOAuthItem('state', 'h1'), undefined);
      await store.commit([{ type: 'putOAuthItem', item: state('h2', now() - 1) }]);
      await assert.rejects(
        store.commit([{ type: 'consumeOAuthItem', kind: 'state', hash: 'h2', provider: 'op', flowSecretHash: 'fs', now: now() }]),
        conflict('token_mismatch'),
      );
      assert.ok(await store.getOAuthItem('state', 'h2'));
    });

    test('an identity claim is unique per (provider, sub), one identity per provider per user, and goes with deleteIdentity', async () => {
      const store = await make(clock);
      const a = aUser();
      const b = aUser();
      await store.commit([{ type: 'createUser', user: a }]);
      await store.commit([{ type: 'createUser', user: b }]);
      const racing = await Promise.allSettled([
        store.commit([{ type: 'putIdentity', identity: identity(a.id, 'op', 's1') }]),
        store.commit([{ type: 'putIdentity', identity: identity(b.id, 'op', 's1') }]),
      ]);
      assert.equal(racing.filter((r) => r.status === 'fulfilled').length, 1);
      const rejected = racing.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(conflict('identity_taken')(rejected.reason));
      const owner = (await store.findIdentity('op', 's1'))?.userId as string;
      await assert.rejects(store.commit([{ type: 'putIdentity', identity: identity(owner, 'op', 's2') }]), conflict('identity_exists'));
      await store.commit([{ type: 'updateIdentity', userId: owner, provider: 'op', set: { email: 'new@example.com', emailVerified: true } }]);
      assert.equal((await store.listIdentities(owner))[0]?.email, 'new@example.com');
      const other = owner === a.id ? b.id : a.id;
      await assert.rejects(store.commit([{ type: 'deleteIdentity', userId: other, provider: 'op', sub: 's1' }]), conflict('not_found'));
      await store.commit([{ type: 'deleteIdentity', userId: owner, provider: 'op', sub: 's1' }]);
      assert.equal(await store.findIdentity('op', 's1'), undefined);
      assert.deepEqual(await store.listIdentities(owner), []);
    });

    test('signInMethods: derived when absent, and two conditioned removals cannot both take the last method', async () => {
      const store = await make(clock);
      const user = aUser();
      await store.commit([{ type: 'createUser', user }]);
      await store.commit([{ type: 'countSignInMethods', userId: user.id, add: 1, ifAbsent: 1 }]);
      assert.equal((await store.getUser(user.id))?.signInMethods, 2);
      const remove = () => store.commit([{ type: 'countSignInMethods', userId: user.id, add: -1, ifAbsent: 0, above: 1 }]);
      const results = await Promise.allSettled([remove(), remove()]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(conflict('last_method')((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason));
      assert.equal((await store.getUser(user.id))?.signInMethods, 1);
      await assert.rejects(store.commit([{ type: 'countSignInMethods', userId: 'missing', add: 1, ifAbsent: 0 }]), conflict('not_found'));
    });
  });
}

contract('memory', async (clock) => new MemoryStore(clock));

const { dynamoDbEndpoint } = testServices();
const client = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });
contract('DynamoDB (DynamoDB Local)', async (clock) => {
  const table = uniqueTableName('oauth');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbStore(client, table, clock);
});
