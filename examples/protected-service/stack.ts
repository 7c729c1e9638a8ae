/**
 * An example of another service protected by Latch: one HTTP API and one REST API, each with a
 * `GET /hello` route behind Latch's authorizer, both served by the tiny backend in `hello.ts`.
 * See docs/protected-service.md.
 */
import { type AppProps, type CfnElement, CfnOutput, RemovalPolicy, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { createLatchApp, type LatchApp, latchPropsFromContext } from '../../infra/auth-stack.js';
import { LatchAuth } from '../../infra/constructs/latch-auth.js';
import { LatchFunction } from '../../infra/constructs/latch-function.js';

/** Properties of {@link ProtectedServiceStack}. */
export interface ProtectedServiceStackProps extends StackProps {
  /**
   * The Latch to trust (usually `AuthStack.latch` of another stack in the same app).
   * @default a LatchAuth of its own in this stack, configured from CDK context
   */
  readonly latch?: LatchAuth;
  /**
   * `token` (the `Authorization` header is the cache key) or `request` for the REST API.
   * @default 'token'
   */
  readonly restAuthorizerType?: 'token' | 'request';
  /** Of the log groups. @default RemovalPolicy.DESTROY (an example; nothing here is precious) */
  readonly removalPolicy?: RemovalPolicy;
}

const REST_AUTHORIZER_ID = 'LatchRestAuthorizer';

/** The hello route, on both APIs. */
export const HELLO_PATH = '/hello';

/**
 * The example service. The HTTP API uses `latch.httpAuthorizer` (a Lambda authorizer with
 * simple responses: backends find the context in `requestContext.authorizer.lambda`), the REST
 * API uses `latch.restAuthorizer(...)` (context in `requestContext.authorizer`).
 */
export class ProtectedServiceStack extends Stack {
  /** The Latch whose authorizer guards the routes. */
  readonly latch: LatchAuth;
  /** The backend Lambda (`hello.ts`). */
  readonly hello: LatchFunction;
  readonly httpApi: apigwv2.HttpApi;
  readonly restApi: apigateway.RestApi;
  /** The REST API's authorizer (a TOKEN authorizer by default). */
  readonly restAuthorizer: apigateway.IAuthorizer;

  constructor(scope: Construct, id: string, props: ProtectedServiceStackProps = {}) {
    super(scope, id, { description: 'Latch example: a service whose GET /hello is protected by the Latch authorizer', ...props });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.latch = props.latch ?? new LatchAuth(this, 'Latch', latchPropsFromContext(this));

    this.hello = new LatchFunction(this, 'Hello', {
      entry: 'examples/protected-service/hello.ts',
      description: 'Latch example: answers GET /hello with the caller from the authorizer context',
      memorySize: 256,
      removalPolicy,
    });

    // HTTP API: one route, Latch's HTTP authorizer on it.
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', { description: 'Latch example service (HTTP API)', createDefaultStage: false });
    new apigwv2.HttpStage(this, 'HttpStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(new logs.LogGroup(this, 'HttpAccessLogs', { removalPolicy })),
        format: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    this.httpApi.addRoutes({
      path: HELLO_PATH,
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('HelloIntegration', this.hello.function),
      authorizer: this.latch.httpAuthorizer,
    });

    // REST API: one method, Latch's REST authorizer on it.
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      description: 'Latch example service (REST API)',
      // No account-wide CloudWatch role (and its managed policy) made on the example's behalf.
      cloudWatchRole: false,
      deployOptions: {
        accessLogDestination: new apigateway.LogGroupLogDestination(new logs.LogGroup(this, 'RestAccessLogs', { removalPolicy })),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    this.restAuthorizer = this.latch.restAuthorizer(this, REST_AUTHORIZER_ID, { type: props.restAuthorizerType ?? 'token' });
    this.restApi.root.addResource(HELLO_PATH.slice(1)).addMethod('GET', new apigateway.LambdaIntegration(this.hello.function), {
      authorizer: this.restAuthorizer,
      authorizationType: apigateway.AuthorizationType.CUSTOM,
    });

    new CfnOutput(this, 'HttpHelloUrl', { value: `${this.httpApi.apiEndpoint}${HELLO_PATH}`, description: 'GET it with Authorization: Bearer <accessToken>' });
    new CfnOutput(this, 'RestHelloUrl', { value: this.restApi.urlForPath(HELLO_PATH), description: 'GET it with Authorization: Bearer <accessToken>' });

    this.acknowledgeNagFindings();
  }

  /** cdk-nag (AwsSolutions) findings this example keeps on purpose, each with its reason. */
  private acknowledgeNagFindings(): void {
    // API Gateway's invoke role may call the authorizer function and its versions (`ARN:*`). Across
    // stacks the ARN arrives as an import, and cdk-nag names the finding after that export: the
    // same (idempotent) export CDK makes for the cross-stack reference gives its name here.
    const latchStack = Stack.of(this.latch);
    const arn =
      latchStack === this
        ? `<${this.getLogicalId(this.latch.authorizerFunction.node.defaultChild as CfnElement)}.Arn>`
        : (this.resolve(latchStack.exportValue(this.latch.authorizerFunction.functionArn)) as { 'Fn::ImportValue': string })['Fn::ImportValue'];
    // The authorizer construct holds API Gateway's invoke role and its policy.
    Validations.of(this.node.findChild(REST_AUTHORIZER_ID)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arn}:*]`,
      reason:
        'CDK grants API Gateway lambda:InvokeFunction on the Latch authorizer function and its versions/aliases (ARN:*); the wildcard covers qualifiers of that one function only.',
    });
    Validations.of(this.restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason: 'The only method is a GET without a body or parameters: there is nothing for a request validator to validate.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason: 'An example service: a WAF web ACL is an account-level choice (and cost) of whoever deploys a real service, not of this example.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Execution logging needs the account-wide API Gateway CloudWatch role, which the example does not create (cloudWatchRole: false); access logs are on.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'The point of the example: the method is protected by the Latch Lambda authorizer (Latch is the user pool), not by Cognito.',
      },
    );
  }
}

/**
 * The example app: the Latch stack (exactly as `infra/app.ts` makes it, cdk-nag included) and
 * the example service stack trusting it.
 */
export function createProtectedServiceApp(props: AppProps = {}): LatchApp & { service: ProtectedServiceStack } {
  // Cross-stack references as CloudFormation exports/imports (CDK's default, said explicitly):
  // Latch's stack cannot drop the authorizer's ARN while this stack uses it.
  const latchApp = createLatchApp({ ...props, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...props.context } });
  const service = new ProtectedServiceStack(latchApp.app, `${latchApp.stack.stackName}ProtectedService`, {
    latch: latchApp.stack.latch,
    // The same account and region as Latch's stack (env-agnostic when the CLI knows none).
    ...(Token.isUnresolved(latchApp.stack.account) ? {} : { env: { account: latchApp.stack.account, region: latchApp.stack.region } }),
  });
  return { ...latchApp, service };
}
