import assert from 'node:assert/strict';
import { test } from 'node:test';
import { operatorOf } from '../../shared/cli/operator.js';
import { auditFromStackOutputs, tableFromStackOutputs } from '../../shared/cli/target.js';

test("a stack's audit table and key secret come from its outputs; the main table is never the audit table", () => {
  const outputs = [
    { OutputKey: 'TableName', OutputValue: 'users' },
    { OutputKey: 'AuditTableName', OutputValue: 'users-audit' },
    { OutputKey: 'AuditKeySecretArn', OutputValue: 'arn:aws:secretsmanager:eu-west-1:1:secret:audit' },
  ];
  assert.equal(tableFromStackOutputs(outputs), 'users');
  assert.deepEqual(auditFromStackOutputs(outputs), { tableName: 'users-audit', keySecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:audit' });
  // A construct's prefixed outputs: one main table beside the audit table.
  const prefixed = [
    { OutputKey: 'LatchAuthTableName', OutputValue: 't' },
    { OutputKey: 'LatchAuthAuditTableName', OutputValue: 't-audit' },
  ];
  assert.equal(tableFromStackOutputs(prefixed), 't');
  assert.deepEqual(auditFromStackOutputs(prefixed), { tableName: 't-audit', keySecretArn: undefined });
  assert.deepEqual(auditFromStackOutputs([{ OutputKey: 'TableName', OutputValue: 't' }]), { tableName: undefined, keySecretArn: undefined });
});

test('the operator is `local` on DynamoDB Local (no AWS call)', async () => {
  assert.equal(await operatorOf({ kind: 'table', endpoint: 'http://127.0.0.1:8000', region: undefined }), 'local');
});
