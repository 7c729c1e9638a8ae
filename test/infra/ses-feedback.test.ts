/**
 * SES feedback in the synthesized stack (`docs/mail.md`): a configuration set whose bounce and
 * complaint events go to an SNS topic, the feedback function subscribed to it (allowed to put
 * `UNDELIVERABLE#` items only), and the mail sender sending every mail with that set and reading
 * only those marks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { LatchAuth } from '../../infra/constructs/latch-auth.js';
import { synthLatch, type TemplateJson } from './synth.js';
import { actionsOf, referencesIn, resourcesOfType, roleOf, statementsOfRole } from './template.js';

test('SES feedback: a configuration set publishes bounces and complaints to a topic the feedback function subscribes to', () => {
  const { json, stack, functionLogicalId } = synthLatch();
  const feedback = stack.latch.sesFeedback;
  const setId = stack.getLogicalId(feedback.configurationSet.node.defaultChild as CfnElement);
  const topicId = stack.getLogicalId(feedback.topic.node.defaultChild as CfnElement);
  assert.equal(resourcesOfType(json, 'AWS::SES::ConfigurationSet').length, 1);
  const destinations = resourcesOfType(json, 'AWS::SES::ConfigurationSetEventDestination');
  assert.equal(destinations.length, 1);
  const destination = destinations[0]?.[1].Properties as { ConfigurationSetName: unknown; EventDestination: Record<string, unknown> };
  assert.ok(referencesIn(destination.ConfigurationSetName).has(setId));
  assert.deepEqual(destination.EventDestination.MatchingEventTypes, ['bounce', 'complaint']);
  assert.equal(destination.EventDestination.Enabled, true);
  assert.ok(referencesIn(destination.EventDestination.SnsDestination).has(topicId));
  // SES may publish to the topic, for this configuration set only; only over TLS.
  const policies = resourcesOfType(json, 'AWS::SNS::TopicPolicy').filter(([, p]) => referencesIn(p.Properties?.Topics).has(topicId));
  const statements = policies.flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> } | undefined)?.Statement ?? []);
  const publish = statements.find((s) => JSON.stringify(s.Principal).includes('ses.amazonaws.com'));
  assert.ok(publish, 'SES may publish');
  assert.ok(JSON.stringify(publish?.Condition).includes('configuration-set/'));
  assert.ok(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport')));
  // The subscription and the permission that lets SNS invoke the function.
  const feedbackId = functionLogicalId('ses-feedback');
  const subscriptions = resourcesOfType(json, 'AWS::SNS::Subscription').filter(([, sub]) => referencesIn(sub.Properties?.TopicArn).has(topicId));
  assert.equal(subscriptions.length, 1);
  assert.equal(subscriptions[0]?.[1].Properties?.Protocol, 'lambda');
  assert.ok(referencesIn(subscriptions[0]?.[1].Properties?.Endpoint).has(feedbackId));
  const permissions = resourcesOfType(json, 'AWS::Lambda::Permission').filter(([, p]) => referencesIn(p.Properties?.FunctionName).has(feedbackId));
  assert.ok(permissions.some(([, p]) => p.Properties?.Principal === 'sns.amazonaws.com' && referencesIn(p.Properties?.SourceArn).has(topicId)));
});

test('SES feedback: the feedback function may only put undeliverable marks; the sender reads only them and sends with the configuration set', () => {
  const { json, stack, functionLogicalId } = synthLatch();
  const setId = stack.getLogicalId(stack.latch.sesFeedback.configurationSet.node.defaultChild as CfnElement);
  const feedbackStatements = statementsOfRole(json, roleOf(json, functionLogicalId('ses-feedback')));
  const dynamo = feedbackStatements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
  assert.deepEqual(dynamo.flatMap(actionsOf), ['dynamodb:PutItem']);
  assert.deepEqual(dynamo[0]?.Condition, { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['UNDELIVERABLE#*'] } });
  assert.ok(!feedbackStatements.flatMap(actionsOf).some((a) => a.startsWith('ses:') || a.startsWith('secretsmanager:')));
  const feedbackEnv =
    (json.Resources[functionLogicalId('ses-feedback')]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  assert.equal(feedbackEnv.LATCH_KEYS, 'none');
  assert.ok(feedbackEnv.LATCH_TABLE_NAME);

  const senderStatements = statementsOfRole(json, roleOf(json, functionLogicalId('mail-sender')));
  const read = senderStatements.find((s) => actionsOf(s).includes('dynamodb:GetItem'));
  assert.deepEqual(read?.Condition, { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['UNDELIVERABLE#*'] } });
  const send = senderStatements.find((s) => actionsOf(s).includes('ses:SendEmail'));
  assert.ok(JSON.stringify(send?.Resource).includes('configuration-set/'), 'sending with the set is allowed');
  const senderEnv =
    (json.Resources[functionLogicalId('mail-sender')]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  assert.ok(referencesIn(senderEnv.LATCH_SES_CONFIGURATION_SET).has(setId));
});

test('SES feedback: with an encryption key the topic is encrypted with it, and SES may use the key to publish', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Keyed');
  const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const latch = new LatchAuth(stack, 'Latch', { appUrl: 'https://app.acme.test', mailFrom: 'no-reply@acme.test', encryptionKey });
  const json = Template.fromStack(stack).toJSON() as TemplateJson;
  const topic = resourcesOfType(json, 'AWS::SNS::Topic').find(
    ([id]) => id === Stack.of(latch).getLogicalId(latch.sesFeedback.topic.node.defaultChild as CfnElement),
  );
  assert.ok(topic?.[1].Properties?.KmsMasterKeyId, 'the topic is encrypted');
  const keyPolicy = JSON.stringify(resourcesOfType(json, 'AWS::KMS::Key')[0]?.[1].Properties?.KeyPolicy);
  assert.ok(keyPolicy.includes('ses.amazonaws.com'));
});
