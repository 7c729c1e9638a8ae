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
import * as sns from 'aws-cdk-lib/aws-sns';
import { CURRENTLY_RECOMMENDED_FLAGS, VALIDATE_AGAINST_DEFAULT_RULES } from 'aws-cdk-lib/cx-api';
import { isPlaceholder } from '../../infra/auth-stack.js';
import { LatchAuth, type LatchAuthProps } from '../../infra/constructs/latch-auth.js';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { EMF_METRICS, LOG_METRICS } from '../../infra/constructs/monitoring.js';
import { MemoryMetrics } from '../../shared/adapters/memory/metrics.js';
import { METRICS_SERVICE } from '../../shared/adapters/metrics/emf.js';
import { AUDIT_EVENTS } from '../../shared/domain/audit.js';
import { countCommitted } from '../../shared/flows/metrics.js';
import type { WriteOp } from '../../shared/ports/store.js';
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
  const policy = key?.Properties?.KeyPolicy as { Statement: Array<{ Principal?: { Service?: unknown } }> } | undefined;
  const statements = policy?.Statement ?? [];
  assert.ok(statements.some((s) => JSON.stringify(s.Principal?.Service ?? '').includes('logs.')));
  // Without the prop: no key on any log group.
  for (const [, group] of resourcesOfType(latchTemplate().json, 'AWS::Logs::LogGroup')) assert.equal(group.Properties?.KmsKeyId, undefined);
});

test("context logRetentionDays sets every log group's retention; a value CloudWatch does not accept fails synth", () => {
  const { json } = synthLatch({ context: { logRetentionDays: '90' } });
  for (const [id, group] of resourcesOfType(json, 'AWS::Logs::LogGroup')) assert.equal(group.Properties?.RetentionInDays, 90, id);
  assert.throws(() => synthLatch({ context: { logRetentionDays: '8' } }), /logRetentionDays" must be one of 1, 3, 5, 7, 14/);
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

test('concurrency: no reservation by default (deploys on any quota); the props reserve for the authorizer and cap each argon2 function', () => {
  const reserved = (json: TemplateJson) =>
    Object.fromEntries(resourcesOfType(json, 'AWS::Lambda::Function').map(([id, fn]) => [id, fn.Properties?.ReservedConcurrentExecutions]));
  const plain = latchTemplate();
  assert.ok(Object.values(reserved(plain.json)).every((v) => v === undefined));

  const { json, latch } = latchTemplate({ authorizerReservedConcurrency: 20, argon2ReservedConcurrency: 5 });
  const stack = Stack.of(latch);
  const values = reserved(json);
  for (const [name, fn] of latch.functions) {
    const id = stack.getLogicalId(fn.function.node.defaultChild as import('aws-cdk-lib').CfnElement);
    const expected = name === 'authorizer' ? 20 : fn.argon2 ? 5 : undefined;
    assert.equal(values[id], expected, name);
  }
  assert.ok([...latch.functions.values()].filter((fn) => fn.argon2).length >= 5);
  for (const bad of [0, -1, 2.5]) assert.throws(() => latchTemplate({ authorizerReservedConcurrency: bad }), /at least 1/);
});

test('alarms: per-function errors and throttles, the authorizer denying on error, API 5xx, DynamoDB, SES; all on the given topic', () => {
  const topicArn = 'arn:aws:sns:eu-west-1:111111111111:latch-ops';
  const { json, latch } = latchTemplate({}, (stack) => ({ alarmTopic: sns.Topic.fromTopicArn(stack, 'Ops', topicArn) }));
  const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
  for (const alarm of alarms) {
    assert.deepEqual(alarm.AlarmActions, [topicArn]);
    assert.deepEqual(alarm.OKActions, [topicArn]);
  }
  const metricNames = alarms.map((a) => String(a.MetricName ?? JSON.stringify(a.Metrics)));
  const count = (pattern: RegExp) => metricNames.filter((n) => pattern.test(n)).length;
  assert.equal(count(/^Errors$/), latch.functions.size);
  assert.equal(count(/^Throttles$/), latch.functions.size);
  assert.equal(count(/^5xx$/), 1);
  assert.equal(count(/^AuthorizerDeniedOnError$/), 1);
  assert.equal(count(/ThrottledRequests/), 2);
  assert.equal(count(/SystemErrors/), 2);
  assert.equal(count(/^Reputation\.BounceRate$/), 1);
  assert.equal(count(/^Reputation\.ComplaintRate$/), 1);
  assert.equal(resourcesOfType(json, 'AWS::CloudWatch::Dashboard').length, 1);
  // Without a topic the alarms exist, without actions; the dashboard can be left out.
  const quiet = latchTemplate({ dashboard: false }).json;
  const quietAlarms = resourcesOfType(quiet, 'AWS::CloudWatch::Alarm');
  assert.equal(quietAlarms.length, alarms.length);
  for (const [, a] of quietAlarms) assert.equal(a.Properties?.AlarmActions, undefined);
  assert.equal(resourcesOfType(quiet, 'AWS::CloudWatch::Dashboard').length, 0);
});

test('counts as EMF: the dashboard reads the metrics the functions publish (service=latch); one metric filter is left, on the authorizer', () => {
  const { json, latch } = latchTemplate();
  const filters = resourcesOfType(json, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties ?? {});
  assert.deepEqual(
    filters.map((f) => (f.MetricTransformations as Array<{ MetricName: string }>)[0]?.MetricName),
    Object.keys(LOG_METRICS),
  );
  const authorizerGroup = Stack.of(latch).getLogicalId(latch.functions.get('authorizer')?.logGroup.node.defaultChild as import('aws-cdk-lib').CfnElement);
  assert.ok(JSON.stringify(filters[0]?.LogGroupName).includes(authorizerGroup));
  for (const name of EMF_METRICS) {
    const metric = latch.monitoring.metrics[name];
    assert.equal(metric.namespace, 'Latch/Ops', name);
    assert.deepEqual(metric.dimensions, { service: METRICS_SERVICE }, name);
  }
  // Every function publishes into the namespace the dashboard and alarms read.
  for (const fn of latch.functions.values()) {
    const id = Stack.of(latch).getLogicalId(fn.function.node.defaultChild as import('aws-cdk-lib').CfnElement);
    const variables = (json.Resources[id]?.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {};
    assert.equal(variables.LATCH_METRICS_NAMESPACE, 'Latch/Ops', id);
  }
  const dashboard = JSON.stringify(resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0]?.[1].Properties?.DashboardBody);
  for (const name of ['SignIns', 'MailsSent', 'MailsSuppressed', 'UndeliverableComplaints']) assert.ok(dashboard.includes(name), name);
});

test('the metrics the store view counts are the audit events and the renewal write', () => {
  const metrics = new MemoryMetrics();
  const event = (type: string, outcome: string) => ({ type: 'appendAuditEvent', event: { type, outcome } }) as unknown as WriteOp;
  countCommitted(metrics, [
    event('sign_in', 'success'),
    event('sign_in', 'failure'),
    event('sign_in', 'failure'),
    event('lockout.start', 'success'),
    event('renewal.reuse_detected', 'failure'),
    { type: 'updateSession', userId: 'u', id: 's', ifRenewalHash: 'h', set: { renewalGeneration: 2 } },
    { type: 'updateSession', userId: 'u', id: 's', set: { lastUsedAt: 'now' } },
  ]);
  assert.deepEqual(Object.fromEntries(metrics.counts), { SignIns: 1, SignInFailures: 2, Lockouts: 1, RenewalReuseDetections: 1, Renewals: 1 });
  for (const type of ['sign_in', 'lockout.start', 'renewal.reuse_detected']) assert.ok(type in AUDIT_EVENTS, type);
});

test('X-Ray tracing is a prop: off by default, active on every function when set', () => {
  const modes = (json: TemplateJson) =>
    resourcesOfType(json, 'AWS::Lambda::Function').map(([, fn]) => (fn.Properties?.TracingConfig as { Mode?: string })?.Mode);
  assert.ok(modes(latchTemplate().json).every((m) => m === undefined));
  const { json, latch } = latchTemplate({ tracing: true });
  const stack = Stack.of(latch);
  for (const fn of latch.functions.values()) {
    const id = stack.getLogicalId(fn.function.node.defaultChild as import('aws-cdk-lib').CfnElement);
    assert.equal((json.Resources[id]?.Properties?.TracingConfig as { Mode?: string })?.Mode, 'Active');
  }
});

test('the deployable stack with every operations option set still passes cdk-nag and CloudFormation validation', () => {
  const { json } = synthLatch({
    cfnValidation: true,
    context: {
      backup: 'true',
      tracing: 'true',
      authorizerReservedConcurrency: '10',
      argon2ReservedConcurrency: '5',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:latch-ops',
    },
  });
  assert.ok(resourcesOfType(json, 'AWS::CloudWatch::Alarm').length > 20);
  assert.equal(resourcesOfType(json, 'AWS::Backup::BackupPlan').length, 1);
});
