/**
 * Ready to operate (issue 18): safe defaults (placeholders refused, recommended feature flags,
 * template validation as errors), log groups' retention and key, AWS Backup beside
 * point-in-time recovery, concurrency limits, alarms and the dashboard.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CURRENTLY_RECOMMENDED_FLAGS, VALIDATE_AGAINST_DEFAULT_RULES } from 'aws-cdk-lib/cx-api';
import { isPlaceholder } from '../../infra/auth-stack.js';
import { LatchAuth, type LatchAuthProps } from '../../infra/constructs/latch-auth.js';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { synthLatch, type TemplateJson } from './synth.js';
import { resourcesOfType } from './template.js';

const REAL = { appUrl: 'https://app.acme.test', mailFrom: 'no-reply@acme.test' };

/** A LatchAuth alone in a stack, bundling skipped. */
export function latchTemplate(
  props: Partial<LatchAuthProps> = {},
  build?: (stack: Stack) => Partial<LatchAuthProps>,
): { json: TemplateJson; latch: LatchAuth } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Ops');
  const latch = new LatchAuth(stack, 'Latch', { ...REAL, ...props, ...build?.(stack) });
  return { json: Template.fromStack(stack).toJSON() as TemplateJson, latch };
}

test('synth refuses the placeholder appUrl and mailFrom with a message naming them and the way out', () => {
  for (const context of [{}, { appUrl: REAL.appUrl }, { mailFrom: REAL.mailFrom }]) {
    assert.throws(
      () => synthLatch({ context: { demo: false, ...context } }),
      (error: Error) => /is still the placeholder/.test(error.message) && /-c demo=true/.test(error.message) && /appUrl=/.test(error.message),
      JSON.stringify(context),
    );
  }
  const real = synthLatch({ context: { demo: false, ...REAL } });
  assert.ok(real.json.Resources);
  // demo (what the tests use) keeps the placeholders.
  assert.ok(synthLatch({ context: { demo: 'true' } }).json.Resources);
});

test('placeholders are the reserved example domains, nothing else', () => {
  for (const value of ['https://app.example.com', 'https://example.org/app', 'no-reply@example.com', 'a@mail.example.net'])
    assert.ok(isPlaceholder(value), value);
  for (const value of ['https://app.acme.test', 'no-reply@acme.io', 'https://example.com.evil.io', 'x@notexample.com']) assert.ok(!isPlaceholder(value), value);
});

test('cdk.json sets every feature flag CDK currently recommends, template validation findings as errors', () => {
  const { context } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  // One deliberate exception: strong cross-stack references (see README "Operating Latch").
  const exceptions: Record<string, unknown> = { '@aws-cdk/core:defaultCrossStackReferences': 'strong' };
  for (const [flag, value] of Object.entries(CURRENTLY_RECOMMENDED_FLAGS)) {
    assert.deepEqual(context[flag], flag in exceptions ? exceptions[flag] : value, flag);
  }
  assert.equal(context[VALIDATE_AGAINST_DEFAULT_RULES], true);
  assert.equal(context.appUrl, undefined, 'no placeholder in cdk.json');
  assert.equal(context.mailFrom, undefined, 'no placeholder in cdk.json');
});

test('log groups: retention and an optional KMS key that CloudWatch Logs may use', () => {
  const { json } = latchTemplate({ logRetention: logs.RetentionDays.THREE_MONTHS }, (stack) => ({ logEncryptionKey: new kms.Key(stack, 'LogKey') }));
  const groups = resourcesOfType(json, 'AWS::Logs::LogGroup');
  assert.ok(groups.length > 10);
  const [[keyId, key] = []] = resourcesOfType(json, 'AWS::KMS::Key');
  for (const [id, group] of groups) {
    assert.equal(group.Properties?.RetentionInDays, 90, id);
    assert.deepEqual(group.Properties?.KmsKeyId, { 'Fn::GetAtt': [keyId, 'Arn'] }, id);
  }
  const statements = (key?.Properties?.KeyPolicy as { Statement: Array<{ Principal?: { Service?: unknown } }> }).Statement;
  assert.ok(statements.some((s) => JSON.stringify(s.Principal?.Service ?? '').includes('logs.')));
  // Without the prop: no key on any log group.
  for (const [, group] of resourcesOfType(latchTemplate().json, 'AWS::Logs::LogGroup')) assert.equal(group.Properties?.KmsKeyId, undefined);
});

test('AWS Backup beside point-in-time recovery: a plan of its own, or both tables added to a given plan', () => {
  const none = latchTemplate().json;
  assert.equal(resourcesOfType(none, 'AWS::Backup::BackupPlan').length, 0);
  const tables = resourcesOfType(none, 'AWS::DynamoDB::Table');
  assert.equal(tables.length, 2);
  for (const [, table] of tables) assert.deepEqual(table.Properties?.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });

  const own = latchTemplate({ backup: true }).json;
  assert.equal(resourcesOfType(own, 'AWS::Backup::BackupPlan').length, 1);
  assert.equal(resourcesOfType(own, 'AWS::Backup::BackupVault').length, 1);
  const [[, selection] = []] = resourcesOfType(own, 'AWS::Backup::BackupSelection');
  const tableIds = resourcesOfType(own, 'AWS::DynamoDB::Table').map(([id]) => id);
  const selected = JSON.stringify(selection?.Properties?.BackupSelection);
  for (const id of tableIds) assert.ok(selected.includes(id), `${id} is in the backup selection`);

  const given = latchTemplate({}, (stack) => ({ backup: backup.BackupPlan.daily35DayRetention(stack, 'TheirPlan') })).json;
  assert.equal(resourcesOfType(given, 'AWS::Backup::BackupPlan').length, 1);
  assert.equal(resourcesOfType(given, 'AWS::Backup::BackupSelection').length, 1);
});

test('context backup=true adds the plan to the deployable stack, and it still passes cdk-nag', () => {
  const { json } = synthLatch({ context: { backup: 'true' } });
  assert.equal(resourcesOfType(json, 'AWS::Backup::BackupPlan').length, 1);
});
