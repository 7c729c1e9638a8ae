/**
 * The hand-off's authorization codes on both adapters (`docs/specs/hosted-ui.md` §6): a code is
 * stored once, redeemed once (of two concurrent redemptions exactly one wins), only by its client,
 * redirect URI and challenge, not once expired; a redeemed code stays readable with the session
 * it issued, so reuse can revoke that session.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ensureTable } from '../../infra/local/services.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { ConflictError } from '../../shared/domain/errors.js';
import type { OAuth2Code } from '../../shared/domain/oauth2.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { testServices, uniqueTableName } from '../support/services.js';

type Make = (clock: { now(): number }) => Promise<AuthStore>;

const conflict = (reason: string) => (error: unknown) => error instanceof ConflictError && error.reason === reason;

function contract(name: string, make: Make): void {
  describe(`oauth2 code store writes: ${name}`, () => {
    const clock = { now: () => Date.now() };
    const now = () => Math.floor(Date.now() / 1000);
    const code = (hash: string, expiresAt = now() + 60): OAuth2Code => ({
      hash,
      clientId: 'web',
      redirectUri: 'https://app.example/cb',
      codeChallenge: 'c'.repeat(43),
      userId: 'u1',
      uiSessionId: 's1',
      amr: ['pwd'],
      authTime: now(),
      rememberMe: false,
      expiresAt,
      ttl: expiresAt + 3600,
    });
    const redeem = (store: AuthStore, hash: string, overrides: Partial<{ clientId: string; redirectUri: string; codeChallenge: string; sid: string }> = {}) =>
      store.commit([
        {
          type: 'redeemOAuth2Code',
          hash,
          now: now(),
          clientId: overrides.clientId ?? 'web',
          redirectUri: overrides.redirectUri ?? 'https://app.example/cb',
          codeChallenge: overrides.codeChallenge ?? 'c'.repeat(43),
          issuedSessionId: overrides.sid ?? 'issued',
        },
      ]);

    test('a code is stored once and redeemed once, only for its client, redirect URI and challenge', async () => {
      const store = await make(clock);
      await store.commit([{ type: 'putOAuth2Code', code: code('h1') }]);
      await assert.rejects(store.commit([{ type: 'putOAuth2Code', code: code('h1') }]), conflict('token_mismatch'));
      await assert.rejects(redeem(store, 'h1', { clientId: 'other' }), conflict('token_mismatch'));
      await assert.rejects(redeem(store, 'h1', { redirectUri: 'https://app.example/other' }), conflict('token_mismatch'));
      await assert.rejects(redeem(store, 'h1', { codeChallenge: 'd'.repeat(43) }), conflict('token_mismatch'));
      assert.equal((await store.getOAuth2Code('h1'))?.redeemedAt, undefined, 'a refused redemption changes nothing');
      const results = await Promise.allSettled([redeem(store, 'h1', { sid: 'a' }), redeem(store, 'h1', { sid: 'b' })]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const stored = await store.getOAuth2Code('h1');
      assert.equal(typeof stored?.redeemedAt, 'number');
      assert.ok(stored?.issuedSessionId === 'a' || stored?.issuedSessionId === 'b');
      await assert.rejects(redeem(store, 'h1'), conflict('token_mismatch'));
      assert.equal(await store.getOAuth2Code('missing'), undefined);
      await assert.rejects(redeem(store, 'missing'), conflict('token_mismatch'));
    });

    test('an expired code is not redeemed', async () => {
      const store = await make(clock);
      await store.commit([{ type: 'putOAuth2Code', code: code('h2', now() - 1) }]);
      await assert.rejects(redeem(store, 'h2'), conflict('token_mismatch'));
      assert.equal((await store.getOAuth2Code('h2'))?.redeemedAt, undefined);
    });
  });
}

contract('memory', async (clock) => new MemoryStore(clock));

const { dynamoDbEndpoint } = testServices();
const client = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });
contract('DynamoDB (DynamoDB Local)', async (clock) => {
  const table = uniqueTableName('oauth2');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbStore(client, table, clock);
});
