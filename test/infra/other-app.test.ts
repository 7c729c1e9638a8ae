/**
 * The cross-app wiring the README shows: a separate CDK app (`examples/other-app/`) imports
 * Latch's authorizer by ARN from the Latch stack's export, and its template gets the
 * `AWS::Lambda::Permission` API Gateway needs; `Function.fromFunctionArn` would make none.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { App, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createOtherApp } from '../../examples/other-app/stack.js';
import type { TemplateJson } from './synth.js';
import { synthLatch } from './synth.js';
import { resourcesOfType } from './template.js';

const outdirs: string[] = [];
after(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

function synthOtherApp(context: Record<string, unknown> = {}): TemplateJson {
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-other-app-'));
  outdirs.push(outdir);
  const { app, stack } = createOtherApp({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: false });
  return app.synth().getStackArtifact(stack.artifactId).template as TemplateJson;
}

test('the Latch stack exports its authorizer ARN under the name the other app imports', () => {
  const { json } = synthLatch();
  assert.deepEqual((json.Outputs?.AuthorizerFunctionArn as { Export?: unknown } | undefined)?.Export, { Name: 'Latch-AuthorizerFunctionArn' });
});

test('other app: the imported authorizer gets an AWS::Lambda::Permission for API Gateway and guards the route', () => {
  const json = synthOtherApp();
  const imported = { 'Fn::ImportValue': 'Latch-AuthorizerFunctionArn' };
  const permissions = resourcesOfType(json, 'AWS::Lambda::Permission').map(([, r]) => r.Properties ?? {});
  const forAuthorizer = permissions.filter((p) => JSON.stringify(p.FunctionName) === JSON.stringify(imported));
  assert.equal(forAuthorizer.length, 1, JSON.stringify(permissions));
  assert.equal(forAuthorizer[0]?.Action, 'lambda:InvokeFunction');
  assert.equal(forAuthorizer[0]?.Principal, 'apigateway.amazonaws.com');
  const [[authorizerId, authorizer] = []] = resourcesOfType(json, 'AWS::ApiGatewayV2::Authorizer');
  // Only this API's authorizer may invoke it.
  assert.match(JSON.stringify(forAuthorizer[0]?.SourceArn), new RegExp(`/authorizers/",\\{"Ref":"${authorizerId}"\\}`));

  assert.equal(authorizer?.Properties?.AuthorizerType, 'REQUEST');
  assert.equal(authorizer?.Properties?.EnableSimpleResponses, true);
  assert.deepEqual(authorizer?.Properties?.IdentitySource, ['$request.header.Authorization']);
  assert.match(JSON.stringify(authorizer?.Properties?.AuthorizerUri), /Latch-AuthorizerFunctionArn/);
  const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route');
  assert.equal(routes.length, 1);
  for (const [, route] of routes) {
    assert.equal(route.Properties?.RouteKey, 'GET /hello');
    assert.equal(route.Properties?.AuthorizationType, 'CUSTOM');
    assert.deepEqual(route.Properties?.AuthorizerId, { Ref: authorizerId });
  }
});

test('other app: an ARN passed in context is used as it is, still with the permission', () => {
  const arn = 'arn:aws:lambda:eu-west-1:111111111111:function:Latch-Authorizer';
  const json = synthOtherApp({ latchAuthorizerArn: arn });
  const permissions = resourcesOfType(json, 'AWS::Lambda::Permission').map(([, r]) => r.Properties ?? {});
  assert.ok(permissions.some((p) => p.FunctionName === arn && p.Principal === 'apigateway.amazonaws.com'));
  assert.ok(!JSON.stringify(json).includes('Fn::ImportValue'));
});

test('the wiring the README used to show (Function.fromFunctionArn) makes no permission: API Gateway could not invoke the authorizer', () => {
  const stack = new Stack(new App(), 'Broken');
  const fn = lambda.Function.fromFunctionArn(stack, 'Authorizer', Fn.importValue('Latch-AuthorizerFunctionArn'));
  const api = new apigwv2.HttpApi(stack, 'Api');
  api.addRoutes({
    path: '/hello',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpUrlIntegration('Url', 'https://example.com'),
    authorizer: new HttpLambdaAuthorizer('A', fn, { responseTypes: [HttpLambdaResponseType.SIMPLE] }),
  });
  Template.fromStack(stack).resourceCountIs('AWS::Lambda::Permission', 0);
});
