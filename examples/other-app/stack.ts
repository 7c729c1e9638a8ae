/**
 * A separate CDK app whose HTTP API trusts a Latch deployed elsewhere: it knows Latch's
 * authorizer only by ARN (the Latch stack's `AuthorizerFunctionArn` export, or a value you pass),
 * and still gets the `AWS::Lambda::Permission` that lets API Gateway invoke it. See the README,
 * "Attaching the authorizer to another service".
 */
import { App, type AppProps, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { authorizerExportName } from '../../infra/auth-stack.js';
import { LatchFunction } from '../../infra/constructs/latch-function.js';

/** Properties of {@link OtherAppStack}. */
export interface OtherAppStackProps extends StackProps {
  /**
   * The Latch authorizer function's ARN (a literal, a parameter, an SSM value...).
   * @default imported from the export of the Latch stack named {@link latchStackName}
   */
  readonly authorizerArn?: string;
  /** The deployed Latch stack's name, for the export. @default 'Latch' */
  readonly latchStackName?: string;
}

/** The other app's stack: an HTTP API with `GET /hello` behind Latch's authorizer. */
export class OtherAppStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly hello: LatchFunction;
  /** The Latch authorizer, imported by ARN. */
  readonly authorizerFunction: lambda.IFunction;

  constructor(scope: Construct, id: string, props: OtherAppStackProps = {}) {
    super(scope, id, { description: 'Latch example: another app trusting a Latch deployed in its own stack', ...props });
    const authorizerArn = props.authorizerArn ?? Fn.importValue(authorizerExportName(props.latchStackName ?? 'Latch'));
    // `sameEnvironment: true` says the function is in this stack's account and region, so CDK may
    // add a resource policy to it: the authorizer then makes the AWS::Lambda::Permission that
    // lets this API invoke it. (`Function.fromFunctionArn` cannot tell from a token, and quietly
    // makes none: API Gateway would answer 500 to every request.)
    this.authorizerFunction = lambda.Function.fromFunctionAttributes(this, 'LatchAuthorizerFunction', { functionArn: authorizerArn, sameEnvironment: true });
    const authorizer = new HttpLambdaAuthorizer('LatchAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      // 0: a lock or sign-out takes effect on the very next call.
      resultsCacheTtl: Duration.seconds(0),
    });

    this.hello = new LatchFunction(this, 'Hello', {
      entry: 'examples/protected-service/hello.ts',
      description: 'Latch example (other app): answers GET /hello with the caller from the authorizer context',
      memorySize: 256,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigwv2.HttpApi(this, 'Api', { description: 'Latch example: other app (HTTP API)' });
    this.api.addRoutes({
      path: '/hello',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('HelloIntegration', this.hello.function),
      authorizer,
    });
    new CfnOutput(this, 'HelloUrl', { value: `${this.api.apiEndpoint}/hello`, description: 'GET it with Authorization: Bearer <accessToken>' });
  }
}

/** The other app: only its own stack (deploy Latch first, with `npx cdk deploy`). */
export function createOtherApp(props: AppProps = {}): { app: App; stack: OtherAppStack } {
  const app = new App(props);
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const stack = new OtherAppStack(app, 'LatchOtherApp', {
    authorizerArn: context('latchAuthorizerArn'),
    latchStackName: context('latchStackName'),
  });
  return { app, stack };
}
