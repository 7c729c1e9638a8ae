import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CliError } from '../../shared/cli/errors.js';
import { resolveTarget, tableFromStackOutputs } from '../../shared/cli/target.js';

test('the table of a deployed stack is its TableName output (or the one output ending in TableName)', () => {
  assert.equal(
    tableFromStackOutputs([
      { OutputKey: 'ApiUrl', OutputValue: 'u' },
      { OutputKey: 'TableName', OutputValue: 't' },
    ]),
    't',
  );
  assert.equal(tableFromStackOutputs([{ OutputKey: 'LatchAuthTableName', OutputValue: 't2' }]), 't2');
  assert.equal(
    tableFromStackOutputs([
      { OutputKey: 'ATableName', OutputValue: 'a' },
      { OutputKey: 'BTableName', OutputValue: 'b' },
    ]),
    undefined,
  );
  assert.equal(tableFromStackOutputs([]), undefined);
});

test('--table takes --region and --endpoint, or AWS_REGION and LATCH_DYNAMODB_ENDPOINT', async () => {
  const direct = await resolveTarget({ table: 't', region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000' }, {}, tmpdir());
  assert.deepEqual([direct.kind, direct.tableName, direct.region, direct.endpoint], ['table', 't', 'eu-west-1', 'http://127.0.0.1:8000']);
  const fromEnv = await resolveTarget({ table: 't' }, { AWS_REGION: 'us-west-2', LATCH_DYNAMODB_ENDPOINT: 'http://x' }, tmpdir());
  assert.deepEqual([fromEnv.region, fromEnv.endpoint], ['us-west-2', 'http://x']);
});

test('conflicting target options are usage errors (exit 2); no local stack is exit 1', async () => {
  const usage = (error: unknown) => error instanceof CliError && error.exitCode === 2;
  await assert.rejects(resolveTarget({ table: 't', stack: 's' }, {}, tmpdir()), usage);
  await assert.rejects(resolveTarget({ endpoint: 'http://x' }, {}, tmpdir()), usage);
  const empty = mkdtempSync(path.join(tmpdir(), 'latch-target-'));
  await assert.rejects(resolveTarget({}, {}, empty), (error: unknown) => error instanceof CliError && error.exitCode === 1 && error.code === 'no_local_stack');
  rmSync(empty, { recursive: true, force: true });
});
