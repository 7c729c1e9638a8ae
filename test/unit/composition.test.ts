/**
 * The Lambda composition root composes the audit log reader and the data-key ring only where the
 * function's entry asks for them (issue 17, row 6; `shared/runtime/optional-adapters.ts`): not
 * composed, using one is a 503 naming it, never a silent answer. Which bundles compose them is
 * checked against their code in `test/infra/bundles.test.ts`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateStoredKey } from '../../shared/adapters/crypto/key-ring.js';
import { DynamoDbAuditLog } from '../../shared/adapters/dynamodb/audit-log.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';
import { buildDeps } from '../../shared/runtime/lambda-deps.js';
import { WITH_AUDIT_LOG, WITH_COUNTERS, WITH_DATA_KEYS } from '../../shared/runtime/optional-adapters.js';

async function env(): Promise<Record<string, string>> {
  return {
    AWS_REGION: 'us-east-1',
    LATCH_TABLE_NAME: 'latch-composition',
    LATCH_SIGNING_KEYS: JSON.stringify({ keys: [await generateStoredKey('composition')] }),
    AUTH_ISSUER: 'https://auth.example.com',
    APP_URL: 'https://app.example.com',
    AUTH_MAIL_FROM: 'no-reply@example.com',
  };
}

const binding = { purpose: 'totp', userId: 'u1' } as const;

test('composition: without WITH_AUDIT_LOG / WITH_DATA_KEYS / WITH_COUNTERS, reading the audit log, using the data keys or a counter is a 503; mail is never sent from an HTTP function', async () => {
  const deps = buildDeps(await env());
  await assert.rejects(deps.auditLog.query({ userId: 'u1', limit: 10 } as never), ServiceUnavailableError);
  await assert.rejects(deps.dataKeys.encrypt('secret', binding), ServiceUnavailableError);
  await assert.rejects(deps.dataKeys.decrypt('v1.d1.a.b', binding), ServiceUnavailableError);
  await assert.rejects(deps.counters.getCounters(['ip:203.0.113.9'], 0), ServiceUnavailableError);
  await assert.rejects(deps.mailer.send({ to: 'a@example.com', subject: 's', text: 't', html: 'h' } as never), ServiceUnavailableError);
});

test('composition: with them, the audit log is the DynamoDB reader and the data keys encrypt and decrypt', async () => {
  const { generateDataKeyRing } = await import('../../shared/adapters/crypto/data-keys.js');
  const deps = buildDeps({ ...(await env()), LATCH_DATA_KEYS: generateDataKeyRing() }, { ...WITH_AUDIT_LOG, ...WITH_DATA_KEYS, ...WITH_COUNTERS });
  assert.ok(deps.auditLog instanceof DynamoDbAuditLog);
  assert.ok(deps.counters instanceof DynamoDbCounters);
  const stored = await deps.dataKeys.encrypt('secret', binding);
  assert.equal((await deps.dataKeys.decrypt(stored, binding))?.plaintext, 'secret');
});
