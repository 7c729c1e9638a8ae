/**
 * Write plans per op family (issue 17, row 6): a Lambda function's store carries the core plans
 * and the families its entry composes; an op without a plan is a 503 before anything is sent,
 * never a silent skip. Which functions compose which families is checked against their bundles
 * in `test/infra/bundles.test.ts`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PlannedDynamoDbStore } from '../../shared/adapters/dynamodb/planned-store.js';
import { CORE_WRITE_PLANS, planWrite } from '../../shared/adapters/dynamodb/write-plan.js';
import { MFA_WRITE_PLANS } from '../../shared/adapters/dynamodb/write-plan-mfa.js';
import { OAUTH_WRITE_PLANS } from '../../shared/adapters/dynamodb/write-plan-oauth.js';
import { OAUTH2_WRITE_PLANS } from '../../shared/adapters/dynamodb/write-plan-oauth2.js';
import { PASSKEYS_WRITE_PLANS } from '../../shared/adapters/dynamodb/write-plan-passkeys.js';
import { ALL_WRITE_PLANS } from '../../shared/adapters/dynamodb/write-plans.js';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';
import type { WriteOp } from '../../shared/ports/store.js';

const tables = { main: 'latch', audit: 'latch-audit' };
const pending: WriteOp = { type: 'putTotpPending', pending: { userId: 'u1', secretEnc: 'enc', expiresAt: 2_000_000_000 } };

test('write plans: the core and the four families are disjoint, and together they are every op (ALL_WRITE_PLANS)', () => {
  const parts = [CORE_WRITE_PLANS, MFA_WRITE_PLANS, PASSKEYS_WRITE_PLANS, OAUTH_WRITE_PLANS, OAUTH2_WRITE_PLANS].map((p) => Object.keys(p));
  const all = parts.flat();
  assert.equal(new Set(all).size, all.length, 'no op in two families');
  assert.deepEqual([...all].sort(), Object.keys(ALL_WRITE_PLANS).sort());
});

test('write plans: an op whose family the store was not given is a 503 before any request is sent; once added, it is planned', async () => {
  let sent = 0;
  const client = { send: async () => void sent++ } as unknown as DynamoDBDocumentClient;
  const store = new PlannedDynamoDbStore(client, tables.main);
  await assert.rejects(store.commit([pending]), (error: unknown) => error instanceof ServiceUnavailableError);
  assert.equal(sent, 0);
  assert.throws(() => planWrite(CORE_WRITE_PLANS, tables, pending, 1), ServiceUnavailableError);
  store.addWritePlans(MFA_WRITE_PLANS);
  await store.commit([pending]);
  assert.equal(sent, 1);
  assert.ok(planWrite({ ...CORE_WRITE_PLANS, ...MFA_WRITE_PLANS }, tables, pending, 1).length > 0);
});
