/**
 * The example service (`examples/protected-service/`): its HTTP API and REST API each protect
 * `GET /hello` with Latch's authorizer (the function in Latch's stack, the Authorization header,
 * no result cache by default), both backed by the hello function, and the example app passes
 * cdk-nag like the main app.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createProtectedServiceApp, ProtectedServiceStack } from '../../examples/protected-service/stack.js';
import { CDK_JSON_CONTEXT, type CfnResource, type TemplateJson } from './synth.js';

const outdirs: string[] = [];
after(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

interface Synthesized {
  latch: TemplateJson;
  service: TemplateJson;
  authorizerLogicalId: string;
  helloLogicalId: string;
  nagViolations: string[];
  /** Warnings and errors CDK attached to the stacks. */
  messages: string[];
}

const cache = new Map<string, Synthesized>();

/** The example app (Latch's stack + the service stack), bundling skipped: the tests read templates. */
function synthExample(context: Record<string, unknown> = {}): Synthesized {
  const key = JSON.stringify(context);
  const cached = cache.get(key);
  if (cached) return cached;
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-example-'));
  outdirs.push(outdir);
  const { app, stack, service, nag } = createProtectedServiceApp({
    outdir,
    context: { ...CDK_JSON_CONTEXT, demo: true, 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  // Synth throws on an unacknowledged cdk-nag error.
  const assembly = app.synth();
  const synthesized: Synthesized = {
    latch: assembly.getStackArtifact(stack.artifactId).template as TemplateJson,
    service: assembly.getStackArtifact(service.artifactId).template as TemplateJson,
    authorizerLogicalId: stack.getLogicalId(stack.latch.authorizerFunction.node.defaultChild as CfnElement),
    helloLogicalId: service.getLogicalId(service.hello.function.node.defaultChild as CfnElement),
    messages: assembly.stacks.flatMap((a) => a.messages.map((m) => `${a.stackName} ${m.level}: ${String(m.entry.data)}`)),
    nagViolations: nag.validateScope(app).violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
  };
  cache.set(key, synthesized);
  return synthesized;
}

function resourcesOf(json: TemplateJson, type: string): Array<[string, CfnResource]> {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

function only<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `expected exactly one ${what}, found ${items.length}`);
  return items[0] as T;
}

/** Every `Fn::ImportValue` name inside a value. */
function importsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) importsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [k, inner] of Object.entries(value)) {
      if (k === 'Fn::ImportValue' && typeof inner === 'string') found.push(inner);
      else importsIn(inner, found);
    }
  }
  return found;
}

/** Asserts a consumer-side value refers to Latch's authorizer function (through the stack export of its ARN). */
function assertRefersToLatchAuthorizer(s: Synthesized, value: unknown): void {
  const names = importsIn(value);
  assert.ok(names.length > 0, `no cross-stack import in ${JSON.stringify(value)}`);
  for (const name of names) {
    const output = Object.values(s.latch.Outputs ?? {}).find((o) => (o as { Export?: { Name?: string } }).Export?.Name === name);
    assert.ok(output, `Latch's stack exports nothing named ${name}`);
    assert.deepEqual(output.Value, { 'Fn::GetAtt': [s.authorizerLogicalId, 'Arn'] }, `${name} is not the authorizer function's ARN`);
  }
}

function refOf(value: unknown): string | undefined {
  return value && typeof value === 'object' && 'Ref' in value ? String((value as { Ref: unknown }).Ref) : undefined;
}

test('HTTP API: GET /hello has a CUSTOM authorizer whose function is Latch’s authorizer, no result cache by default', () => {
  const s = synthExample();
  const [, route] = only(
    resourcesOf(s.service, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties?.RouteKey === 'GET /hello'),
    'GET /hello route',
  );
  assert.equal(route.Properties?.AuthorizationType, 'CUSTOM');
  const authorizerId = refOf(route.Properties?.AuthorizerId);
  assert.ok(authorizerId, 'the route names no authorizer');
  const authorizer = s.service.Resources[authorizerId];
  assert.equal(authorizer?.Type, 'AWS::ApiGatewayV2::Authorizer');
  assert.equal(authorizer.Properties?.AuthorizerType, 'REQUEST');
  assert.equal(authorizer.Properties?.AuthorizerPayloadFormatVersion, '2.0');
  assert.equal(authorizer.Properties?.EnableSimpleResponses, true);
  assert.deepEqual(authorizer.Properties?.IdentitySource, ['$request.header.Authorization']);
  assert.equal(authorizer.Properties?.AuthorizerResultTtlInSeconds, 0);
  assertRefersToLatchAuthorizer(s, authorizer.Properties?.AuthorizerUri);

  // The route's integration is the hello function.
  const target = JSON.stringify(route.Properties?.Target);
  const integrationId = /integrations\/".*?"Ref":"([A-Za-z0-9]+)"/.exec(target)?.[1];
  assert.ok(integrationId, `no integration in ${target}`);
  assert.deepEqual(s.service.Resources[integrationId]?.Properties?.IntegrationUri, { 'Fn::GetAtt': [s.helloLogicalId, 'Arn'] });
  // API Gateway may invoke Latch's authorizer for this API.
  const permissions = resourcesOf(s.service, 'AWS::Lambda::Permission').filter(([, p]) => importsIn(p.Properties?.FunctionName).length > 0);
  assert.equal(permissions.length, 1);
  assertRefersToLatchAuthorizer(s, permissions[0]?.[1].Properties?.FunctionName);
});

test('REST API: GET /hello has a TOKEN authorizer on the Authorization header pointing to Latch’s authorizer, no result cache by default', () => {
  const s = synthExample();
  const [helloResourceId] = only(
    resourcesOf(s.service, 'AWS::ApiGateway::Resource').filter(([, r]) => r.Properties?.PathPart === 'hello'),
    'REST resource /hello',
  );
  const [, method] = only(
    resourcesOf(s.service, 'AWS::ApiGateway::Method').filter(
      ([, m]) => refOf(m.Properties?.ResourceId) === helloResourceId && m.Properties?.HttpMethod === 'GET',
    ),
    'GET /hello method',
  );
  assert.equal(method.Properties?.AuthorizationType, 'CUSTOM');
  const authorizerId = refOf(method.Properties?.AuthorizerId);
  assert.ok(authorizerId, 'the method names no authorizer');
  const authorizer = s.service.Resources[authorizerId];
  assert.equal(authorizer?.Type, 'AWS::ApiGateway::Authorizer');
  assert.ok(['TOKEN', 'REQUEST'].includes(String(authorizer.Properties?.Type)));
  assert.equal(authorizer.Properties?.Type, 'TOKEN');
  assert.equal(authorizer.Properties?.IdentitySource, 'method.request.header.Authorization');
  assert.equal(authorizer.Properties?.AuthorizerResultTtlInSeconds, 0);
  assertRefersToLatchAuthorizer(s, authorizer.Properties?.AuthorizerUri);
  // Proxy integration to the hello function.
  const integration = method.Properties?.Integration as { Type?: string; Uri?: unknown } | undefined;
  assert.equal(integration?.Type, 'AWS_PROXY');
  assert.match(JSON.stringify(integration?.Uri), new RegExp(`"${s.helloLogicalId}","Arn"`));
});

test('the hello backend is a Node.js 22 function; both URLs are stack outputs', () => {
  const s = synthExample();
  const hello = s.service.Resources[s.helloLogicalId];
  assert.equal(hello?.Properties?.Runtime, 'nodejs22.x');
  assert.ok(s.service.Outputs?.HttpHelloUrl);
  assert.ok(s.service.Outputs?.RestHelloUrl);
});

test('the cache TTL setting reaches both authorizers of the example', () => {
  const s = synthExample({ authorizerCacheTtlSeconds: 60 });
  for (const type of ['AWS::ApiGatewayV2::Authorizer', 'AWS::ApiGateway::Authorizer']) {
    const [, authorizer] = only(resourcesOf(s.service, type), type);
    assert.equal(authorizer.Properties?.AuthorizerResultTtlInSeconds, 60, type);
  }
});

test('the example app passes cdk-nag’s AwsSolutions pack: every finding fixed or acknowledged with a reason', () => {
  const s = synthExample();
  assert.deepEqual(s.nagViolations, []);
  assert.deepEqual(s.messages, []);
});

test('without a LatchAuth given, the stack makes its own and still passes cdk-nag; a REQUEST authorizer is an option', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-example-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, demo: true, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ProtectedServiceStack(app, 'Standalone', { restAuthorizerType: 'request' });
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  const json = app.synth().getStackArtifact(stack.artifactId).template as TemplateJson;
  assert.deepEqual(
    nag.validateScope(app).violations.map((v) => v.ruleName),
    [],
  );
  const [, authorizer] = only(resourcesOf(json, 'AWS::ApiGateway::Authorizer'), 'REST authorizer');
  assert.equal(authorizer.Properties?.Type, 'REQUEST');
  assert.equal(authorizer.Properties?.IdentitySource, 'method.request.header.Authorization');
  const authorizerLogicalId = stack.getLogicalId(stack.latch.authorizerFunction.node.defaultChild as CfnElement);
  assert.match(JSON.stringify(authorizer.Properties?.AuthorizerUri), new RegExp(`"${authorizerLogicalId}","Arn"`));
});
