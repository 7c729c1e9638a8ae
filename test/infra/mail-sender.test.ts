/**
 * The mail sender in the synthesized stack: the table streams new images; only new outbox items
 * invoke the sender (event filter), with partial batch failure reporting; the sender alone may
 * send mail (SES scoped to the identity and sender address) and may delete only outbox items.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outboxStreamFilter } from '../../shared/adapters/dynamodb/outbox-stream.js';
import { functionNames, hostedUiFunctions } from '../../shared/http/routes.js';
import { synthLatch } from './synth.js';
import { actionsOf, referencesIn, resourcesOf, resourcesOfType, roleOf, statementsOfRole } from './template.js';

test('the table streams new images, and only new outbox items invoke the mail sender, with partial batch failures', () => {
  const { template, json, functionLogicalId } = synthLatch();
  template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  const mappings = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping');
  assert.equal(mappings.length, 1);
  const props = mappings[0]?.[1].Properties ?? {};
  assert.ok(referencesIn(props.FunctionName).has(functionLogicalId('mail-sender')));
  assert.deepEqual(props.FunctionResponseTypes, ['ReportBatchItemFailures']);
  const filters = (props.FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters;
  assert.deepEqual(
    filters.map((f) => JSON.parse(f.Pattern)),
    [outboxStreamFilter],
  );
  assert.deepEqual(JSON.parse(filters[0]?.Pattern ?? '{}'), { eventName: ['INSERT'], dynamodb: { NewImage: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } });
  assert.ok(Number(props.MaximumRetryAttempts) > 0, 'throttles and outages are retried');
});

test('only the mail sender may send mail, from the sender address; it deletes only outbox items and holds no signing key', () => {
  const { json, functionLogicalId } = synthLatch();
  const actionsOfFunction = (name: string) => statementsOfRole(json, roleOf(json, functionLogicalId(name))).flatMap(actionsOf);
  for (const name of [...functionNames().filter((name) => !hostedUiFunctions().has(name)), 'not-found', 'authorizer']) {
    assert.ok(!actionsOfFunction(name).some((a) => a.startsWith('ses:')), `${name} may not send mail`);
  }
  const senderStatements = statementsOfRole(json, roleOf(json, functionLogicalId('mail-sender')));
  const actions = senderStatements.flatMap(actionsOf);
  assert.ok(actions.includes('ses:SendEmail'));
  assert.ok(!actions.includes('secretsmanager:GetSecretValue'));
  assert.ok(!actions.some((a) => /^dynamodb:(Put|Update|ConditionCheck|BatchWrite|Query|Scan)/.test(a)), actions.join());
  const remove = senderStatements.find((s) => actionsOf(s).includes('dynamodb:DeleteItem'));
  assert.deepEqual(remove?.Condition, { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OUTBOX#*'] } });
  const ses = senderStatements.find((s) => actionsOf(s).includes('ses:SendEmail'));
  assert.deepEqual(ses?.Condition, { StringEquals: { 'ses:FromAddress': 'no-reply@example.com' } });
  for (const resource of resourcesOf(ses ?? {})) assert.ok(!JSON.stringify(resource).includes('*'));
  const environment = json.Resources[functionLogicalId('mail-sender')]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  const env = environment?.Variables ?? {};
  assert.equal(env.LATCH_SIGNING_KEY_SECRET, undefined);
  assert.equal(env.LATCH_KEYS, 'none', 'lambda-deps builds no key ring for it');
  assert.ok(env.LATCH_TABLE_NAME);
});
