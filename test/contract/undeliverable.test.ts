/**
 * The {@link UndeliverableAddresses} contract, on the in-memory twin and on DynamoDB Local: a
 * mark is read back, the first mark wins (one conditional write), and concurrent marks of one
 * address leave exactly one `marked`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ensureTable } from '../../infra/local/services.js';
import { DynamoDbUndeliverable } from '../../shared/adapters/dynamodb/undeliverable.js';
import { MemoryUndeliverable } from '../../shared/adapters/memory/undeliverable.js';
import { undeliverableHashOf } from '../../shared/flows/ses-feedback.js';
import type { UndeliverableAddresses } from '../../shared/ports/undeliverable.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { testServices, uniqueEmail, uniqueTableName } from '../support/services.js';

function undeliverableContract(name: string, make: () => Promise<UndeliverableAddresses>): void {
  describe(`UndeliverableAddresses contract: ${name}`, () => {
    const bounce = { reason: 'bounce' as const, detail: 'Permanent/General', at: '2026-12-03T10:20:30.000Z' };
    const complaint = { reason: 'complaint' as const, detail: 'abuse', at: '2026-12-03T10:21:01.000Z' };

    test('a mark reads back; the first mark is kept', async () => {
      const marks = await make();
      const hash = undeliverableHashOf(uniqueEmail('bounce'));
      assert.equal(await marks.markOf(hash), undefined);
      assert.equal(await marks.mark(hash, bounce), 'marked');
      assert.deepEqual(await marks.markOf(hash), bounce);
      assert.equal(await marks.mark(hash, complaint), 'already');
      assert.deepEqual(await marks.markOf(hash), bounce);
      assert.equal(await marks.markOf(undeliverableHashOf(uniqueEmail('other'))), undefined);
    });

    test('10 concurrent marks of one address: exactly one is "marked"', async () => {
      const marks = await make();
      const hash = undeliverableHashOf(uniqueEmail('race'));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => marks.mark(hash, i % 2 ? bounce : complaint)));
      assert.equal(results.filter((r) => r === 'marked').length, 1);
    });
  });
}

undeliverableContract('memory', async () => new MemoryUndeliverable());
undeliverableContract('DynamoDB (DynamoDB Local)', async () => {
  const { dynamoDbEndpoint } = testServices();
  const table = uniqueTableName('undeliverable');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbUndeliverable(createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint }), table);
});
