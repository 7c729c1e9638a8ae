/**
 * The authorizer other services attach: exposed by the construct (HTTP and REST forms) and the
 * stack, with API Gateway's result cache TTL a setting that defaults to 0.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AuthStack, latchPropsFromContext } from '../../infra/auth-stack.js';
import { accessOf } from '../../infra/constructs/function-access.js';
import { LatchAuth } from '../../infra/constructs/latch-auth.js';
import { CDK_JSON_CONTEXT } from './synth.js';

const outdirs: string[] = [];
after(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** The Latch stack and a consumer stack with one HTTP API route and one REST method behind the authorizer. */
function synthConsumer(context: Record<string, unknown> = {}): { latch: Template; consumer: Template; stack: AuthStack } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-authorizer-'));
  outdirs.push(outdir);
  // Bundling is skipped: these tests read the template only.
  const app = new App({
    outdir,
    context: { ...CDK_JSON_CONTEXT, demo: true, 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const stack = new AuthStack(app, 'Latch');
  const consumer = new Stack(app, 'Orders');
  const http = new apigwv2.HttpApi(consumer, 'OrdersHttpApi');
  http.addRoutes({
    path: '/orders',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpUrlIntegration('Backend', 'https://backend.example.com/orders'),
    authorizer: stack.latch.httpAuthorizer,
  });
  const rest = new apigateway.RestApi(consumer, 'OrdersRestApi');
  rest.root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: stack.latch.restAuthorizer(consumer, 'LatchRestAuthorizer') });
  app.synth();
  return { latch: Template.fromStack(stack), consumer: Template.fromStack(consumer), stack };
}

test('the authorizer function is a construct property and a stack output', () => {
  const { latch, stack } = synthConsumer();
  assert.ok(stack.latch.authorizerFunction.functionArn);
  const authorizer = stack.latch.functions.get('authorizer');
  assert.equal(stack.latch.authorizerFunction, authorizer?.function);
  latch.hasOutput('AuthorizerFunctionArn', {
    Value: { 'Fn::GetAtt': [stack.getLogicalId(authorizer?.function.node.defaultChild as import('aws-cdk-lib').CfnElement), 'Arn'] },
  });
});

test('an HTTP API attaches it with simple responses, the Authorization header, and no result cache by default', () => {
  const { consumer } = synthConsumer();
  consumer.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
    AuthorizerType: 'REQUEST',
    AuthorizerPayloadFormatVersion: '2.0',
    EnableSimpleResponses: true,
    IdentitySource: ['$request.header.Authorization'],
    AuthorizerResultTtlInSeconds: 0,
  });
  consumer.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /orders', AuthorizationType: 'CUSTOM' });
  // API Gateway may invoke the Latch function for this API.
  consumer.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
});

test('a REST API attaches it as a TOKEN authorizer on the Authorization header, no cache by default', () => {
  const { consumer } = synthConsumer();
  consumer.hasResourceProperties('AWS::ApiGateway::Authorizer', {
    Type: 'TOKEN',
    IdentitySource: 'method.request.header.Authorization',
    AuthorizerResultTtlInSeconds: 0,
  });
  // Invoked through a role in the consumer's stack, so Latch's stack never refers back to it.
  consumer.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] },
  });
  consumer.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.anyValue() })] },
  });
});

test('the cache TTL is a setting: context authorizerCacheTtlSeconds reaches both authorizer forms', () => {
  const { consumer, stack } = synthConsumer({ authorizerCacheTtlSeconds: 300 });
  assert.equal(stack.latch.authorizerCacheTtl.toSeconds(), 300);
  // Cached per token: the identity source is the Authorization header in both forms.
  consumer.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerResultTtlInSeconds: 300, IdentitySource: ['$request.header.Authorization'] });
  consumer.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 300, IdentitySource: 'method.request.header.Authorization' });
});

// --- cost (issue 17) ---
test('the authorizer function is deployed at the size row 8 picks (function-access.ts memoryMb), whatever the cache', () => {
  const { stack } = synthConsumer({});
  const fn = stack.latch.functions.get('authorizer')?.function.node.defaultChild as lambda.CfnFunction;
  assert.equal(fn.memorySize, accessOf('authorizer').memoryMb);
});
// --- end cost ---

test('the construct prop defaults to 0 and refuses more than an hour', () => {
  const app = new App({ context: { demo: true, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Props');
  const props = latchPropsFromContext(stack);
  const latch = new LatchAuth(stack, 'Default', { appUrl: props.appUrl, mailFrom: props.mailFrom });
  assert.equal(latch.authorizerCacheTtl.toSeconds(), 0);
  assert.throws(() => new LatchAuth(stack, 'TooLong', { ...props, authorizerCacheTtl: Duration.hours(2) }), /at most 1 hour/);
});
