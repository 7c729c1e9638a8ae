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
import { AUDIT_ACTIONS, accessOf, FUNCTION_ACCESS, TABLE_ACTIONS, TABLE_WRITE_ACCESS } from '../../infra/constructs/function-access.js';
import { LatchAuth } from '../../infra/constructs/latch-auth.js';
import { ARGON2_MEMORY_MB, PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { auditTableDefinition, createAuditTableInput } from '../../shared/adapters/dynamodb/audit-table.js';
import { createTableInput, tableDefinition } from '../../shared/adapters/dynamodb/table.js';
import { type FunctionName, functionNames, hostedUiFunctions, isHostedUiRoute, routeKey, routes } from '../../shared/http/routes.js';
import { synthLatch, type TemplateJson } from './synth.js';
import { actionsOf, findCycle, referencesIn, resourcesOf, resourcesOfType, roleOf, routeTargets, statementsOfRole } from './template.js';

// The hosted UI's functions (`ui`, `oauth2-token`) exist only with the `hostedUi` prop (test/infra/hosted-ui.test.ts, oauth2-hand-off.test.ts).
const HOSTED_UI_FUNCTIONS = hostedUiFunctions();
const LATCH_FUNCTIONS = [...functionNames().filter((name) => !HOSTED_UI_FUNCTIONS.has(name)), 'not-found', 'authorizer'];
/** The routes of a synth without `hostedUi`. */
const API_ROUTES = routes.filter((r) => !isHostedUiRoute(r));
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** The environment variables of a Lambda function resource. */
function environmentOf(json: TemplateJson, functionId: string): Record<string, unknown> {
  const environment = json.Resources[functionId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

const byName = (list: unknown) => [...(list as Array<{ AttributeName: string }>)].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName));

test('the table is built from the shared definition: on demand, TTL, point-in-time recovery, encryption', () => {
  const { json, stack } = synthLatch();
  const expected = createTableInput('unused');
  // The user table and the audit table (below).
  assert.equal(resourcesOfType(json, 'AWS::DynamoDB::Table').length, 2);
  const table = json.Resources[stack.getLogicalId(stack.latch.table.node.defaultChild as CfnElement)];
  const properties = table?.Properties as Record<string, unknown>;
  assert.equal(properties.BillingMode, 'PAY_PER_REQUEST');
  assert.deepEqual(properties.TimeToLiveSpecification, { AttributeName: tableDefinition.ttlAttribute, Enabled: true });
  assert.deepEqual(properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
  assert.deepEqual(properties.SSESpecification, { SSEEnabled: true });
  assert.deepEqual(properties.KeySchema, expected.KeySchema);
  assert.equal(properties.DeletionProtectionEnabled, true);
  assert.deepEqual(byName(properties.AttributeDefinitions), byName(expected.AttributeDefinitions));
  assert.deepEqual(properties.GlobalSecondaryIndexes, expected.GlobalSecondaryIndexes);
  // Users and keys are not re-creatable: kept when the stack goes.
  assert.equal(table?.DeletionPolicy, 'Retain');
  assert.equal(table?.UpdateReplacePolicy, 'Retain');
});

test('the audit table is built from the shared audit definition: on demand, both indexes, TTL, point-in-time recovery, deletion protection, retained', () => {
  const { json, stack } = synthLatch();
  const expected = createAuditTableInput('unused');
  const table = json.Resources[stack.getLogicalId(stack.latch.auditTable.node.defaultChild as CfnElement)];
  assert.equal(table?.Type, 'AWS::DynamoDB::Table');
  const properties = table?.Properties as Record<string, unknown>;
  assert.equal(properties.BillingMode, expected.BillingMode);
  assert.deepEqual(properties.KeySchema, expected.KeySchema);
  assert.deepEqual(byName(properties.AttributeDefinitions), byName(expected.AttributeDefinitions));
  // gsi1 (days) and gsi2 (email hashes), keys only (issue 17), exactly as the local runner and tests create them.
  assert.deepEqual(properties.GlobalSecondaryIndexes, expected.GlobalSecondaryIndexes);
  assert.deepEqual(
    (properties.GlobalSecondaryIndexes as Array<{ IndexName: string }>).map((i) => i.IndexName),
    [auditTableDefinition.dayIndex.name, auditTableDefinition.emailIndex.name],
  );
  assert.deepEqual(properties.TimeToLiveSpecification, { AttributeName: auditTableDefinition.ttlAttribute, Enabled: true });
  assert.deepEqual(properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
  assert.equal(properties.DeletionProtectionEnabled, true);
  assert.deepEqual(properties.SSESpecification, { SSEEnabled: true });
  // No stream: nothing consumes audit items but the audit function's queries.
  assert.equal(properties.StreamSpecification, undefined);
  assert.equal(table?.DeletionPolicy, 'Retain');
  assert.equal(table?.UpdateReplacePolicy, 'Retain');
  // The audit key secret is kept with it (without the key an address's history cannot be found).
  const secret = json.Resources[stack.getLogicalId(stack.latch.auditKeySecret.node.defaultChild as CfnElement)];
  assert.equal(secret?.Type, 'AWS::SecretsManager::Secret');
  assert.equal(secret?.DeletionPolicy, 'Retain');
  assert.equal(secret?.Properties?.SecretString, undefined);
});

test('removalPolicy destroy (throwaway stacks) turns deletion protection off on both tables, as for the user table', () => {
  const { json } = synthLatch({ context: { removalPolicy: 'destroy' } });
  const tables = resourcesOfType(json, 'AWS::DynamoDB::Table');
  assert.equal(tables.length, 2);
  for (const [id, table] of tables) {
    assert.equal(table.Properties?.DeletionProtectionEnabled, false, id);
    assert.equal(table.DeletionPolicy, 'Delete', id);
    assert.deepEqual(table.Properties?.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true }, id);
  }
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
    // A size row 8 picked (function-access.ts `memoryMb`), else 1,769 MB with argon2 and 512 MB without.
    assert.equal(p.MemorySize, accessOf(name).memoryMb ?? (accessOf(name).argon2 ? ARGON2_MEMORY_MB : 512), name);
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
    // The audit table and key: names and ARNs only (never the key), for the functions that write events.
    const audit = accessOf(name).audit !== 'none';
    const auditTableId = stack.getLogicalId(stack.latch.auditTable.node.defaultChild as CfnElement);
    const auditKeyId = stack.getLogicalId(stack.latch.auditKeySecret.node.defaultChild as CfnElement);
    assert.deepEqual(referencesIn(env.LATCH_AUDIT_TABLE_NAME), new Set(audit ? [auditTableId] : []), name);
    assert.deepEqual(referencesIn(env.LATCH_AUDIT_KEY_SECRET), new Set(audit ? [auditKeyId] : []), name);
    assert.equal(env.LATCH_AUDIT_KEY, undefined, name);
  }
  // The route-table functions, not-found, the authorizer, the mail sender (mail-sender.test.ts),
  // the SES feedback function, the key generator and CDK's provider framework.
  assert.equal(resourcesOfType(json, 'AWS::Lambda::Function').length, LATCH_FUNCTIONS.length + 4);
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
  assert.deepEqual([...targets.keys()].sort(), [...API_ROUTES.map(routeKey), '$default'].sort());
  for (const route of API_ROUTES) assert.equal(targets.get(routeKey(route)), functionLogicalId(route.function), routeKey(route));
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
    const expected = new Set([
      ...LOG_ACTIONS,
      ...TABLE_ACTIONS[access.table],
      ...AUDIT_ACTIONS[access.audit],
      ...(access.keys !== 'none' || access.audit !== 'none' ? ['secretsmanager:GetSecretValue'] : []),
    ]);
    assert.deepEqual([...actions].sort(), [...expected].sort(), name);
    for (const statement of statements) {
      assert.equal(statement.Effect, 'Allow');
      for (const resource of resourcesOf(statement)) assert.notEqual(resource, '*', `${name}: ${actionsOf(statement).join(',')} on *`);
    }
  }
});

test('the breached-password list is named in exactly the password functions (registration, session, account, password-reset, invitations, admin-users, mfa, oauth, passkeys)', () => {
  const { json, functionLogicalId } = synthLatch();
  const named = [...LATCH_FUNCTIONS, 'mail-sender'].filter((name) => 'LATCH_BREACHED_PASSWORDS_FILE' in environmentOf(json, functionLogicalId(name)));
  assert.deepEqual(named.sort(), ['account', 'admin-users', 'invitations', 'mfa', 'oauth', 'passkeys', 'password-reset', 'registration', 'session']);
  for (const name of named) assert.equal(environmentOf(json, functionLogicalId(name)).LATCH_BREACHED_PASSWORDS_FILE, '/var/task/breached-passwords.bin', name);
  // The common-password list beside it (issue 17, row 6: a data file, not JS), in the same functions.
  const common = [...LATCH_FUNCTIONS, 'mail-sender'].filter((name) => 'LATCH_COMMON_PASSWORDS_FILE' in environmentOf(json, functionLogicalId(name)));
  assert.deepEqual(common.sort(), named);
  for (const name of common) assert.equal(environmentOf(json, functionLogicalId(name)).LATCH_COMMON_PASSWORDS_FILE, '/var/task/common-passwords.bin', name);
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
  const source = ['store.ts', 'read-batch.ts', 'counters.ts']
    .map((f) => readFileSync(path.join(PROJECT_ROOT, 'shared/adapters/dynamodb', f), 'utf8'))
    .join('\n');
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
    assert.ok(actions, `the adapter sends ${command}Command: add its IAM actions to TABLE_ACTIONS and to this map`);
    for (const action of actions) assert.ok(TABLE_ACTIONS.readWrite.includes(action), `${command}Command needs ${action}`);
  }
});

test('the audit grants cover exactly what the adapters send to the audit table: a conditional Put, and Query to read', () => {
  const source = ['write-plan.ts', 'store.ts'].map((f) => readFileSync(path.join(PROJECT_ROOT, 'shared/adapters/dynamodb', f), 'utf8')).join('\n');
  const uses = [...source.matchAll(/tables\.audit\b/g)].length;
  const puts = [...source.matchAll(/\bPut: \{ TableName: tables\.audit\b/g)].length;
  assert.ok(puts > 0, 'write-plan.ts writes audit events');
  // Inside TransactWriteItems a Put is authorized as dynamodb:PutItem; an Update, Delete or ConditionCheck would need more.
  assert.equal(uses, puts, 'audit items are only ever put: the audit table is append-only (no Update, Delete or ConditionCheck of its items)');
  const log = readFileSync(path.join(PROJECT_ROOT, 'shared/adapters/dynamodb/audit-log.ts'), 'utf8');
  assert.deepEqual([...new Set([...log.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]))], ['Query']);
  // The events of an index page are fetched by key through the read batcher (GetItem alone, BatchGetItem together).
  assert.ok(log.includes('readBatcherOf('));
  assert.deepEqual(AUDIT_ACTIONS, {
    none: [],
    append: ['dynamodb:PutItem'],
    query: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'],
  });
  // Every function that changes state writes its events in the same transaction (`append`, or
  // `query` for the hosted pages, whose activity page also reads them).
  for (const name of LATCH_FUNCTIONS) {
    const access = accessOf(name);
    if (TABLE_WRITE_ACCESS.has(access.table)) assert.ok((AUDIT_ACTIONS[access.audit] as readonly string[]).includes('dynamodb:PutItem'), name);
  }
  assert.equal(accessOf('audit').audit, 'query');
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
  assert.deepEqual(Object.keys(keyRing?.Properties ?? {}).sort(), ['AuditKeySecretArn', 'DataKeySecretArn', 'PublicSecretArn', 'SecretArn', 'ServiceToken']);
});

test('only the functions that encrypt or verify TOTP secrets can read the data-key secret, and they are told its name', () => {
  const { json, functionLogicalId } = synthLatch();
  const secrets = resourcesOfType(json, 'AWS::SecretsManager::Secret').filter(([, r]) =>
    String(r.Properties?.Description ?? '').startsWith('Latch data-key ring'),
  );
  assert.equal(secrets.length, 1);
  const [[secretId] = []] = secrets;
  const readers: string[] = [];
  for (const name of LATCH_FUNCTIONS) {
    const statements = statementsOfRole(json, roleOf(json, functionLogicalId(name)));
    const reads = statements.some((s) => actionsOf(s).includes('secretsmanager:GetSecretValue') && JSON.stringify(resourcesOf(s)).includes(secretId as string));
    if (reads) readers.push(name);
    const env = environmentOf(json, functionLogicalId(name));
    assert.equal('LATCH_DATA_KEY_SECRET' in env, reads, `${name}: LATCH_DATA_KEY_SECRET exactly where it may read the ring`);
  }
  assert.deepEqual(
    [...readers].sort(),
    Object.entries(FUNCTION_ACCESS)
      .filter(([n, a]) => a.dataKeys && !hostedUiFunctions().has(n as FunctionName))
      .map(([n]) => n)
      .sort(),
  );
  // oauth: a step-up code at `intent: "reauthenticate"` and `link` (social sign-in).
  // account: `DELETE /me/password` checks a step-up code; passkeys: its step-up routes do too.
  assert.deepEqual([...readers].sort(), ['account', 'mfa', 'oauth', 'passkeys']);
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
  assert.deepEqual(Object.keys(outputs).sort(), [
    'ApiUrl',
    'AuditKeySecretArn',
    'AuditTableName',
    'AuthorizerFunctionArn',
    'JwksUrl',
    'KeySecretArn',
    'PublicKeySecretArn',
    'TableName',
  ]);
  template.hasOutput('AuthorizerFunctionArn', { Value: { 'Fn::GetAtt': [functionLogicalId('authorizer'), 'Arn'] } });
  template.hasOutput('TableName', { Value: { Ref: stack.getLogicalId(stack.latch.table.node.defaultChild as CfnElement) } });
  // The CLI finds the audit table and key of a deployed stack through these two.
  template.hasOutput('AuditTableName', { Value: { Ref: stack.getLogicalId(stack.latch.auditTable.node.defaultChild as CfnElement) } });
  template.hasOutput('AuditKeySecretArn', { Value: { Ref: stack.getLogicalId(stack.latch.auditKeySecret.node.defaultChild as CfnElement) } });
  assert.match(JSON.stringify(outputs.JwksUrl?.Value), /\/\.well-known\/jwks\.json/);
});

test('mail template overrides are checked at synth and shipped to the mail sender, which renders every mail', () => {
  const { json, functionLogicalId } = synthLatch({ context: { mailTemplatesFile: 'test/infra/fixtures/mail-templates.json' } });
  // Request functions queue mail as data (docs/mail.md): they neither read nor ship the overrides.
  for (const name of LATCH_FUNCTIONS) assert.equal(environmentOf(json, functionLogicalId(name)).LATCH_MAIL_TEMPLATES, undefined, name);
  assert.equal(environmentOf(json, functionLogicalId('mail-sender')).LATCH_MAIL_TEMPLATES, '/var/task/latch-mail-templates.json');
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
  const tables = resourcesOfType(json, 'AWS::DynamoDB::Table');
  assert.equal(tables.length, 2, 'the user table and the audit table');
  for (const [id, table] of tables) {
    assert.deepEqual(referencesIn((table.Properties?.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId), new Set([keyId]), id);
  }
  const secrets = resourcesOfType(json, 'AWS::SecretsManager::Secret');
  assert.equal(secrets.length, 4, 'the private and public signing key secrets, the audit key secret and the data-key ring');
  for (const [id, secret] of secrets) assert.deepEqual(referencesIn(secret.Properties?.KmsKeyId), new Set([keyId]), id);
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
  // The audit function reads the user table only, but appends audit events: it encrypts too.
  assert.ok(kmsActions('audit').includes('kms:Decrypt'));
  assert.ok(kmsActions('audit').some((a) => a.startsWith('kms:GenerateDataKey')));
});

// --- cost (issue 17): renewals in a function of their own ---
test('renewals run in their own function: no argon2, the size row 8 picked, and only the table actions of the renewal flow (no Put, no ConditionCheck, no users index)', () => {
  const { json, functionLogicalId } = synthLatch();
  const renewal = json.Resources[functionLogicalId('renewal')]?.Properties as Record<string, unknown>;
  assert.equal(renewal.MemorySize, accessOf('renewal').memoryMb);
  assert.ok(!('LATCH_BREACHED_PASSWORDS_FILE' in environmentOf(json, functionLogicalId('renewal'))));
  const routesOf = (name: string) => API_ROUTES.filter((r) => r.function === name).map(routeKey);
  assert.deepEqual(routesOf('renewal'), ['POST /session/renew']);
  assert.ok(!routesOf('session').includes('POST /session/renew'));
  const statements = statementsOfRole(json, roleOf(json, functionLogicalId('renewal')));
  // The user table's statement: reads, the session's update and its deletion on reuse; nothing that creates items, no index.
  const table = statements.filter((s) => actionsOf(s).includes('dynamodb:UpdateItem'));
  assert.equal(table.length, 1);
  assert.deepEqual(
    actionsOf(table[0] as (typeof table)[number]).sort(),
    ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort(),
  );
  assert.ok(!JSON.stringify(table[0]?.Resource).includes('/index/'), 'no index ARN');
  // PutItem only in the audit grant (the reuse revocation's event).
  for (const s of statements.filter((s) => actionsOf(s).includes('dynamodb:PutItem'))) assert.deepEqual(actionsOf(s), ['dynamodb:PutItem']);
});

test('audit indexes project keys only by default; auditIndexProjection keeps an existing table at ALL or leaves an index out for a rebuild', () => {
  const indexesOf = (json: TemplateJson, stack: { getLogicalId(e: CfnElement): string; latch: LatchAuth }) =>
    (json.Resources[stack.getLogicalId(stack.latch.auditTable.node.defaultChild as CfnElement)]?.Properties?.GlobalSecondaryIndexes as Array<{
      IndexName: string;
      Projection: { ProjectionType: string };
    }>) ?? [];
  const byDefault = synthLatch();
  assert.deepEqual(
    indexesOf(byDefault.json, byDefault.stack).map((i) => [i.IndexName, i.Projection.ProjectionType]),
    [
      ['gsi1', 'KEYS_ONLY'],
      ['gsi2', 'KEYS_ONLY'],
    ],
  );
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Projections');
  const kept = new LatchAuth(stack, 'Latch', {
    appUrl: 'https://app.example.com',
    mailFrom: 'no-reply@example.com',
    auditIndexProjection: { day: 'all', email: 'none' },
  });
  const json = Template.fromStack(stack).toJSON() as TemplateJson;
  const table = json.Resources[stack.getLogicalId(kept.auditTable.node.defaultChild as CfnElement)]?.Properties?.GlobalSecondaryIndexes as Array<{
    IndexName: string;
    Projection: { ProjectionType: string };
  }>;
  assert.deepEqual(
    table.map((i) => [i.IndexName, i.Projection.ProjectionType]),
    [['gsi1', 'ALL']],
  );
});
// --- end cost ---
