/**
 * Properties of the synthesized Latch stack (template only; `bundles.test.ts` opens the assets).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { accessOf, FUNCTION_ACCESS, TABLE_ACTIONS } from '../../infra/constructs/function-access.js';
import { LatchAuth } from '../../infra/constructs/latch-auth.js';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { createTableInput, tableDefinition } from '../../shared/adapters/dynamodb/table.js';
import { functionNames, routeKey, routes } from '../../shared/http/routes.js';
import { synthLatch, type TemplateJson } from './synth.js';
import { actionsOf, findCycle, referencesIn, resourcesOf, resourcesOfType, roleOf, routeTargets, statementsOfRole } from './template.js';

const LATCH_FUNCTIONS = [...functionNames(), 'not-found', 'authorizer'];
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** The environment variables of a Lambda function resource. */
function environmentOf(json: TemplateJson, functionId: string): Record<string, unknown> {
  const environment = json.Resources[functionId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

test('the table is built from the shared definition: on demand, TTL, point-in-time recovery, encryption', () => {
  const { template, json } = synthLatch();
  const expected = createTableInput('unused');
  template.resourceCountIs('AWS::DynamoDB::Table', 1);
  template.hasResourceProperties('AWS::DynamoDB::Table', {
    BillingMode: 'PAY_PER_REQUEST',
    TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    SSESpecification: { SSEEnabled: true },
    KeySchema: expected.KeySchema,
    DeletionProtectionEnabled: true,
  });
  const [[, table] = []] = resourcesOfType(json, 'AWS::DynamoDB::Table');
  const properties = table?.Properties as Record<string, unknown>;
  const byName = (list: unknown) => [...(list as Array<{ AttributeName: string }>)].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName));
  assert.deepEqual(byName(properties.AttributeDefinitions), byName(expected.AttributeDefinitions));
  assert.deepEqual(properties.GlobalSecondaryIndexes, expected.GlobalSecondaryIndexes);
  // Users and keys are not re-creatable: kept when the stack goes.
  template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
});

test('one Node.js 22 arm64 Lambda per function of the route table, plus not-found, the authorizer and the mail sender', () => {
  const { json, stack, functionLogicalId } = synthLatch();
  for (const name of LATCH_FUNCTIONS) {
    const fn = json.Resources[functionLogicalId(name)];
    assert.equal(fn?.Type, 'AWS::Lambda::Function', name);
    const p = fn?.Properties as Record<string, unknown>;
    assert.equal(p.Runtime, 'nodejs22.x', name);
    assert.deepEqual(p.Architectures, ['arm64'], name);
    assert.equal(p.Handler, 'index.handler', name);
    assert.equal(p.MemorySize, accessOf(name).argon2 ? 1024 : 512, name);
    const env = environmentOf(json, functionLogicalId(name));
    assert.equal(env.NODE_OPTIONS, '--enable-source-maps', name);
    assert.deepEqual(referencesIn(env.LATCH_TABLE_NAME), new Set([stack.getLogicalId(stack.latch.table.node.defaultChild as CfnElement)]));
    const keys = accessOf(name).keys;
    const secret = keys === 'sign' ? stack.latch.signingKeys.privateSecret : stack.latch.signingKeys.publicSecret;
    const variable = keys === 'sign' ? 'LATCH_SIGNING_KEY_SECRET' : 'LATCH_PUBLIC_KEY_SECRET';
    if (keys === 'none') assert.equal(env.LATCH_KEYS, 'none', name);
    // The secret's ARN, not a key; and never both variables.
    else assert.deepEqual(referencesIn(env[variable]), new Set([stack.getLogicalId(secret.node.defaultChild as CfnElement)]), name);
    const present = ['LATCH_SIGNING_KEY_SECRET', 'LATCH_PUBLIC_KEY_SECRET', 'LATCH_KEYS', 'LATCH_SIGNING_KEYS'].filter((v) => v in env);
    assert.equal(present.length, 1, `${name}: ${present.join()}`);
  }
  // The route-table functions, not-found, the authorizer, the mail sender (mail-sender.test.ts),
  // the key generator and CDK's provider framework.
  assert.equal(resourcesOfType(json, 'AWS::Lambda::Function').length, LATCH_FUNCTIONS.length + 3);
});

test('the functions get the settings and the API endpoint as issuer, without a dependency cycle', () => {
  const { json, stack, functionLogicalId } = synthLatch();
  const apiId = stack.getLogicalId(stack.latch.api.node.defaultChild as CfnElement);
  const env = environmentOf(json, functionLogicalId('session'));
  assert.deepEqual(env.AUTH_ISSUER, { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
  assert.equal(env.APP_URL, 'https://app.example.com');
  assert.equal(env.AUTH_MAIL_FROM, 'no-reply@example.com');
  assert.equal(env.AUTH_INVITATIONS, 'any');
  assert.equal(findCycle(json), undefined);
});

test('settings from CDK context reach the environment, and a bad one fails synth', () => {
  const userAttributes = { company: { type: 'string', maxLength: 80 } };
  const { json, functionLogicalId } = synthLatch({
    context: { accessTokenTtlSeconds: 600, requireEmailConfirmation: 'false', roles: 'editor,viewer', invitations: 'admin', userAttributes },
  });
  const env = environmentOf(json, functionLogicalId('session'));
  assert.equal(env.AUTH_ACCESS_TOKEN_TTL_SECONDS, '600');
  assert.equal(env.AUTH_REQUIRE_EMAIL_CONFIRMATION, 'false');
  assert.equal(env.AUTH_ROLES, 'editor,viewer');
  assert.equal(env.AUTH_INVITATIONS, 'admin');
  assert.deepEqual(JSON.parse(String(env.AUTH_USER_ATTRIBUTES)), userAttributes);
  assert.throws(() => synthLatch({ context: { userAttributes: { id: { type: 'string' } } } }), /AUTH_USER_ATTRIBUTES/);
  assert.throws(() => synthLatch({ context: { accessTokenTtlSeconds: 5 } }), /AUTH_ACCESS_TOKEN_TTL_SECONDS/);
  assert.throws(() => synthLatch({ context: { appUrl: 'not a url' } }), /APP_URL/);
});

test('the HTTP API has exactly the routes of the route table, each to its function, and $default to not-found', () => {
  const { json, functionLogicalId } = synthLatch();
  const targets = routeTargets(json);
  assert.deepEqual([...targets.keys()].sort(), [...routes.map(routeKey), '$default'].sort());
  for (const route of routes) assert.equal(targets.get(routeKey(route)), functionLogicalId(route.function), routeKey(route));
  assert.equal(targets.get('$default'), functionLogicalId('not-found'));
  // Latch's own routes check tokens in the function (problem+json 401), not with an API Gateway authorizer.
  for (const [, route] of resourcesOfType(json, 'AWS::ApiGatewayV2::Route')) assert.equal(route.Properties?.AuthorizationType ?? 'NONE', 'NONE');
});

test('the stage writes JSON access logs to a log group with retention and throttles requests', () => {
  const { template, json } = synthLatch();
  template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
  template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
    StageName: '$default',
    AutoDeploy: true,
    DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, Format: Match.stringLikeRegexp('\\$context\\.requestId') },
  });
  const [[, stage] = []] = resourcesOfType(json, 'AWS::ApiGatewayV2::Stage');
  const settings = stage?.Properties?.AccessLogSettings as { DestinationArn: unknown; Format: string };
  const [logGroupId] = referencesIn(settings.DestinationArn);
  assert.equal(json.Resources[logGroupId ?? '']?.Type, 'AWS::Logs::LogGroup');
  assert.equal(json.Resources[logGroupId ?? '']?.Properties?.RetentionInDays, 30);
  const format = JSON.parse(settings.Format) as Record<string, string>;
  // Never a header: the Authorization header carries tokens.
  assert.ok(!JSON.stringify(format).includes('header'));
});

test('access logs name the route key, never the path or query string (tokens travel in paths)', () => {
  const { json } = synthLatch();
  const [[, stage] = []] = resourcesOfType(json, 'AWS::ApiGatewayV2::Stage');
  const settings = (stage?.Properties?.AccessLogSettings ?? {}) as { Format: string };
  const format = JSON.parse(settings.Format) as Record<string, string>;
  assert.equal(format.routeKey, '$context.routeKey');
  const variables = Object.values(format);
  // `$context.path`, `$context.resourcePath` (REST), `$context.http.path` (payload 2.0) and any query string variable.
  for (const variable of variables) assert.doesNotMatch(variable, /path|query/i, variable);
  assert.ok(!Object.keys(format).some((k) => /path|query/i.test(k)), Object.keys(format).join());
});

test('throttling comes from context', () => {
  const { template } = synthLatch({ context: { throttleRateLimit: '10', throttleBurstLimit: 20 } });
  template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 } });
});

test('each function role grants exactly what function-access.ts decides, on named resources only (no request function may send mail)', () => {
  const { json, functionLogicalId } = synthLatch();
  for (const name of LATCH_FUNCTIONS) {
    const access = accessOf(name);
    const roleId = roleOf(json, functionLogicalId(name));
    assert.equal(json.Resources[roleId]?.Properties?.ManagedPolicyArns, undefined, `${name}: no managed policies`);
    const statements = statementsOfRole(json, roleId);
    const actions = new Set(statements.flatMap(actionsOf));
    const expected = new Set([...LOG_ACTIONS, ...TABLE_ACTIONS[access.table], ...(access.keys !== 'none' ? ['secretsmanager:GetSecretValue'] : [])]);
    assert.deepEqual([...actions].sort(), [...expected].sort(), name);
    for (const statement of statements) {
      assert.equal(statement.Effect, 'Allow');
      for (const resource of resourcesOf(statement)) assert.notEqual(resource, '*', `${name}: ${actionsOf(statement).join(',')} on *`);
    }
  }
});

test('the authorizer reads one item and cannot write or mail; well-known and not-found touch no table', () => {
  const { json, functionLogicalId } = synthLatch();
  const actionsOfFunction = (name: string) => statementsOfRole(json, roleOf(json, functionLogicalId(name))).flatMap(actionsOf);
  const authorizer = actionsOfFunction('authorizer');
  assert.ok(authorizer.includes('dynamodb:GetItem'));
  assert.ok(!authorizer.some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite|Query|Scan)/.test(a)), authorizer.join());
  assert.ok(!authorizer.some((a) => a.startsWith('ses:')));
  assert.ok(!actionsOfFunction('well-known').some((a) => a.startsWith('dynamodb:') || a.startsWith('ses:')));
  assert.deepEqual(actionsOfFunction('not-found').sort(), [...LOG_ACTIONS].sort());
});

test('SES permission is scoped to the sender identity and address, never *', () => {
  const { json } = synthLatch();
  const sesStatements = resourcesOfType(json, 'AWS::IAM::Policy')
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> } | undefined)?.Statement ?? [])
    .filter((s) => JSON.stringify(s.Action).includes('ses:'));
  assert.ok(sesStatements.length > 0);
  for (const statement of sesStatements) {
    const text = JSON.stringify(statement.Resource);
    assert.ok(!text.includes('*'), text);
    assert.match(text, /:identity\/example\.com"/);
    assert.deepEqual(statement.Condition, { StringEquals: { 'ses:FromAddress': 'no-reply@example.com' } });
  }
});

test('the readWrite grant covers every DynamoDB command the adapter sends', () => {
  const source = readFileSync(path.join(PROJECT_ROOT, 'shared/adapters/dynamodb/store.ts'), 'utf8');
  const commands = new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1] as string));
  // TransactWriteItems is authorized per item: Put, Update, Delete, ConditionCheck.
  const needs: Record<string, string[]> = {
    Get: ['dynamodb:GetItem'],
    Query: ['dynamodb:Query'],
    Put: ['dynamodb:PutItem'],
    Update: ['dynamodb:UpdateItem'],
    Delete: ['dynamodb:DeleteItem'],
    TransactWrite: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    TransactGet: ['dynamodb:GetItem'],
    BatchGet: ['dynamodb:BatchGetItem'],
    BatchWrite: ['dynamodb:BatchWriteItem'],
    Scan: ['dynamodb:Scan'],
  };
  assert.ok(commands.size > 0);
  for (const command of commands) {
    const actions = needs[command];
    assert.ok(actions, `store.ts sends ${command}Command: add its IAM actions to TABLE_ACTIONS and to this map`);
    for (const action of actions) assert.ok(TABLE_ACTIONS.readWrite.includes(action), `${command}Command needs ${action}`);
  }
});

test('the grants of every function were decided for exactly the routes it serves now', () => {
  for (const name of functionNames()) {
    assert.ok(FUNCTION_ACCESS[name], name);
    const served = routes.filter((r) => r.function === name).map(routeKey);
    assert.deepEqual(
      [...served].sort(),
      [...accessOf(name).routes].sort(),
      `functions/${name}.ts serves other routes than infra/constructs/function-access.ts decided its grants for: check what its flows need and update the entry`,
    );
  }
  assert.throws(() => accessOf('brand-new'), /function-access\.ts/);
});

test('no private key material in the template: the key is generated in the account', () => {
  const { json, template } = synthLatch();
  const text = JSON.stringify(json);
  assert.ok(!text.includes('PRIVATE KEY'));
  assert.ok(!/"d"\s*:/.test(text), 'no JWK private member');
  assert.ok(!text.includes('privateJwk'));
  template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: Match.absent() });
  const [[, keyRing] = []] = resourcesOfType(json, 'Custom::LatchSigningKeys');
  assert.deepEqual(Object.keys(keyRing?.Properties ?? {}).sort(), ['PublicSecretArn', 'SecretArn', 'ServiceToken']);
});

test('no function runs before the key generator has filled the secret', () => {
  const { json, functionLogicalId } = synthLatch();
  const [[keyRingId] = []] = resourcesOfType(json, 'Custom::LatchSigningKeys');
  for (const name of LATCH_FUNCTIONS) {
    const dependsOn = json.Resources[functionLogicalId(name)]?.DependsOn ?? [];
    assert.ok((Array.isArray(dependsOn) ? dependsOn : [dependsOn]).includes(keyRingId as string), name);
  }
});

test('the stack outputs what other stacks and the CLI read', () => {
  const { json, template, functionLogicalId, stack } = synthLatch();
  const outputs = json.Outputs ?? {};
  assert.deepEqual(Object.keys(outputs).sort(), ['ApiUrl', 'AuthorizerFunctionArn', 'JwksUrl', 'KeySecretArn', 'PublicKeySecretArn', 'TableName']);
  template.hasOutput('AuthorizerFunctionArn', { Value: { 'Fn::GetAtt': [functionLogicalId('authorizer'), 'Arn'] } });
  template.hasOutput('TableName', { Value: { Ref: stack.getLogicalId(stack.latch.table.node.defaultChild as CfnElement) } });
  assert.match(JSON.stringify(outputs.JwksUrl?.Value), /\/\.well-known\/jwks\.json/);
});

test('mail template overrides are checked at synth and shipped to the functions that mail', () => {
  const { json, functionLogicalId } = synthLatch({ context: { mailTemplatesFile: 'test/infra/fixtures/mail-templates.json' } });
  for (const name of LATCH_FUNCTIONS) {
    const expected = accessOf(name).mail ? '/var/task/latch-mail-templates.json' : undefined;
    assert.equal(environmentOf(json, functionLogicalId(name)).LATCH_MAIL_TEMPLATES, expected, name);
  }
  assert.throws(() => synthLatch({ context: { mailTemplatesFile: 'test/infra/fixtures/missing.json' } }), /LATCH_MAIL_TEMPLATES/);
});

test('the cycle check finds a cycle when there is one', () => {
  const json = {
    Resources: {
      A: { Type: 'X', Properties: { B: { Ref: 'B' } } },
      B: { Type: 'X', Properties: { A: { 'Fn::GetAtt': ['A', 'Arn'] } } },
      C: { Type: 'X', Properties: { Region: { Ref: 'AWS::Region' } } },
    },
  };
  assert.deepEqual(findCycle(json), ['A', 'B', 'A']);
  assert.equal(findCycle({ Resources: { C: json.Resources.C } }), undefined);
});

test('with a customer managed key, the table and secret use it and each role may only use it as far as its access goes', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Cmk');
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const latch = new LatchAuth(stack, 'Latch', { appUrl: 'https://app.example.com', mailFrom: 'no-reply@example.com', encryptionKey: key });
  const json = Template.fromStack(stack).toJSON() as TemplateJson;
  const keyId = stack.getLogicalId(key.node.defaultChild as CfnElement);
  const [[, table] = []] = resourcesOfType(json, 'AWS::DynamoDB::Table');
  assert.deepEqual(referencesIn((table?.Properties?.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId), new Set([keyId]));
  const [[, secret] = []] = resourcesOfType(json, 'AWS::SecretsManager::Secret');
  assert.deepEqual(referencesIn(secret?.Properties?.KmsKeyId), new Set([keyId]));
  const kmsActions = (name: string) => {
    const fn = latch.functions.get(name)?.function.node.defaultChild as CfnElement;
    return statementsOfRole(json, roleOf(json, stack.getLogicalId(fn)))
      .filter((s) => referencesIn(s.Resource).has(keyId))
      .flatMap(actionsOf);
  };
  assert.ok(kmsActions('authorizer').includes('kms:Decrypt'));
  assert.ok(!kmsActions('authorizer').some((a) => a.startsWith('kms:Encrypt') || a.startsWith('kms:GenerateDataKey')));
  assert.ok(kmsActions('session').includes('kms:Encrypt'));
  assert.deepEqual(kmsActions('not-found'), []);
});
