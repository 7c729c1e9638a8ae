import path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { tableDefinition } from '../../shared/adapters/dynamodb/table.js';
import { type FunctionName, functionNames, type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { loadMailTemplates } from '../../shared/mail/overrides.js';
import { accessOf, type FunctionAccess, type InternalFunctionName, TABLE_ACTIONS } from './function-access.js';
import { type LatchAuthProps, type LatchThrottle, type RestAuthorizerOptions, settingsEnvironment, validateEnvironment } from './latch-auth-props.js';
import { LatchFunction, PROJECT_ROOT } from './latch-function.js';

export type { LatchAuthProps, LatchSettings, LatchThrottle, RestAuthorizerOptions } from './latch-auth-props.js';

/** File name of the mail template overrides inside a function's asset. */
const MAIL_TEMPLATES_FILE = 'latch-mail-templates.json';

const ALL_FUNCTIONS = (): Array<FunctionName | InternalFunctionName> => [...functionNames(), 'not-found', 'authorizer'];

/** `email-confirmation` → `EmailConfirmation` (construct ids). */
function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, __: string, c: string) => c.toUpperCase());
}

/** The SES identity of a sender address: its domain. */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (Token.isUnresolved(address) || at < 1 || at === address.length - 1) {
    throw new Error(`mailFrom must be a literal address such as no-reply@example.com (or set sesIdentity), got "${address}"`);
  }
  return address.slice(at + 1).toLowerCase();
}

/**
 * Latch on AWS: the user table, the signing key secret and its generator, one Lambda per
 * function of `shared/http/routes.ts` (plus the `$default` not-found handler and the authorizer),
 * and the HTTP API serving the route table, each function granted only what
 * `function-access.ts` says it needs. cdk-nag (AwsSolutions) findings that remain by design are
 * acknowledged here, next to what causes them, each with its reason.
 */
export class LatchAuth extends Construct {
  /** The single table (see `shared/adapters/dynamodb/table.ts`). */
  readonly table: dynamodb.Table;
  /** Secret holding `{"keys":[{kid, privateJwk, createdAt}]}`, current key first. */
  readonly signingKeySecret: secretsmanager.Secret;
  /** The HTTP API. */
  readonly api: apigwv2.HttpApi;
  /** Its `$default` stage (access logs, throttling). */
  readonly stage: apigwv2.HttpStage;
  /** The API's base URL, no trailing slash. */
  readonly apiUrl: string;
  /** The `iss` of access tokens. */
  readonly issuer: string;
  /** Where verifiers fetch the public keys. */
  readonly jwksUrl: string;
  /** Every function by name (route-table names, `not-found`, `authorizer`). */
  readonly functions: ReadonlyMap<string, LatchFunction>;
  /** The authorizer Lambda for other services' API Gateway APIs. */
  readonly authorizerFunction: lambda.IFunction;
  /** Result cache TTL used by the authorizers this construct makes. */
  readonly authorizerCacheTtl: Duration;
  /**
   * An HTTP API Lambda authorizer (simple responses, `Authorization` header) for one other HTTP
   * API. An `HttpLambdaAuthorizer` binds to a single API: use {@link createHttpAuthorizer} for more.
   */
  readonly httpAuthorizer: HttpLambdaAuthorizer;

  private readonly mailFrom: string;
  private readonly encryptionKey: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: LatchAuthProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.mailFrom = props.mailFrom;
    this.encryptionKey = props.encryptionKey;
    this.authorizerCacheTtl = props.authorizerCacheTtl ?? Duration.seconds(0);
    if (this.authorizerCacheTtl.toSeconds() > 3600) throw new Error('authorizerCacheTtl must be at most 1 hour');

    this.table = this.createTable(removalPolicy);
    this.signingKeySecret = new secretsmanager.Secret(this, 'SigningKeys', {
      description: 'Latch access-token signing keys (Ed25519 private JWKs, current first). Written by the key generator, never by the template.',
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });
    Validations.of(this.signingKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Signing keys rotate by putting a new key in front of the ring and keeping the previous ones in the JWKS until the tokens they signed expire. Secrets Manager rotation replaces the value on a schedule, which would invalidate every outstanding access token, so rotation is a deliberate operator step instead.',
    });
    const keyRing = this.createKeyGenerator(architecture, removalPolicy, logRetention);

    // Created before the functions: its endpoint (Ref of the API, region, URL suffix) is the
    // issuer in their environment. The API refers to no function, routes and integrations are
    // added after, so Api ← Function ← Integration ← Route has no cycle.
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Latch auth API (routes from shared/http/routes.ts)',
      createDefaultStage: false,
    });
    this.apiUrl = this.api.apiEndpoint;
    this.issuer = props.issuer ?? this.apiUrl;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;

    const environment: Record<string, string> = {
      LATCH_TABLE_NAME: this.table.tableName,
      LATCH_SIGNING_KEY_SECRET: this.signingKeySecret.secretArn,
      APP_URL: props.appUrl,
      AUTH_ISSUER: this.issuer,
      AUTH_MAIL_FROM: props.mailFrom,
      ...(props.invitations ? { AUTH_INVITATIONS: props.invitations } : {}),
      ...(props.corsOrigins?.length ? { AUTH_CORS_ORIGINS: props.corsOrigins.join(',') } : {}),
      ...settingsEnvironment(props.settings ?? {}),
    };
    validateEnvironment(environment);

    if (props.mailTemplatesFile) {
      // The functions' own loader, at synth: a bad override fails here, not at a cold start.
      loadMailTemplates({ LATCH_MAIL_TEMPLATES: path.resolve(PROJECT_ROOT, props.mailTemplatesFile) });
    }
    const sesIdentities = [props.sesIdentity ?? domainOf(props.mailFrom), ...(props.additionalSesIdentities ?? [])];
    const functions = new Map<string, LatchFunction>();
    const functionsScope = new Construct(this, 'Functions');
    for (const name of ALL_FUNCTIONS()) {
      const access = accessOf(name);
      const served = (routes as readonly RouteDefinition[]).filter((r) => r.function === name).map(routeKey);
      const fn = new LatchFunction(functionsScope, pascal(name), {
        entry: `functions/${name}.ts`,
        description: `Latch ${name}${served.length ? `: ${served.join(', ')}` : ''}`.slice(0, 256),
        architecture,
        argon2: access.argon2,
        hooksModule: props.hooksModule,
        // API Gateway waits at most 10 s for an authorizer; fail well before it.
        timeout: name === 'authorizer' ? Duration.seconds(5) : Duration.seconds(10),
        ...(props.mailTemplatesFile && access.mail
          ? {
              files: { [MAIL_TEMPLATES_FILE]: props.mailTemplatesFile },
              // Lambda's task root: where the asset is unpacked.
              environment: { ...environment, LATCH_MAIL_TEMPLATES: `/var/task/${MAIL_TEMPLATES_FILE}` },
            }
          : { environment }),
        logRetention,
        removalPolicy,
      });
      this.grant(fn, access, sesIdentities);
      // No function may run before the secret holds a key ring.
      fn.function.node.addDependency(keyRing);
      functions.set(name, fn);
    }
    this.functions = functions;
    const fnOf = (name: string): lambda.IFunction => {
      const fn = functions.get(name);
      if (!fn) throw new Error(`no function ${name}`);
      return fn.function;
    };

    this.stage = this.createStage(props.throttle, removalPolicy, logRetention);
    this.addRoutes(fnOf);

    this.authorizerFunction = fnOf('authorizer');
    this.httpAuthorizer = this.createHttpAuthorizer('LatchAuthorizer');
  }

  /**
   * A new HTTP API Lambda authorizer over the Latch authorizer function: payload 2.0 with simple
   * responses, identity `$request.header.Authorization`, cache TTL {@link authorizerCacheTtl}.
   * Attach it to routes of another `HttpApi` (one authorizer object per API).
   */
  createHttpAuthorizer(id: string): HttpLambdaAuthorizer {
    return new HttpLambdaAuthorizer(id, this.authorizerFunction, {
      authorizerName: id,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: this.authorizerCacheTtl,
    });
  }

  /**
   * A REST API (API Gateway v1) Lambda authorizer over the Latch authorizer function, created in
   * `scope` (usually the REST API's stack). The function answers with an IAM policy whose
   * resource is every method of the API and stage, so a cached allow serves any route.
   *
   * API Gateway invokes the function through a role made in `scope`: CDK's default, a resource
   * policy on the function naming the REST API, would put a reference to the other stack into
   * Latch's stack, and the two stacks would depend on each other.
   */
  restAuthorizer(scope: Construct, id: string, options: RestAuthorizerOptions = {}): apigateway.IAuthorizer {
    const assumeRole = new iam.Role(scope, `${id}InvokeRole`, {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway invokes the Latch authorizer',
    });
    const identity = apigateway.IdentitySource.header('Authorization');
    if ((options.type ?? 'token') === 'token') {
      return new apigateway.TokenAuthorizer(scope, id, {
        handler: this.authorizerFunction,
        identitySource: identity,
        resultsCacheTtl: this.authorizerCacheTtl,
        assumeRole,
      });
    }
    return new apigateway.RequestAuthorizer(scope, id, {
      handler: this.authorizerFunction,
      identitySources: [identity],
      resultsCacheTtl: this.authorizerCacheTtl,
      assumeRole,
    });
  }

  private createTable(removalPolicy: RemovalPolicy): dynamodb.Table {
    const d = tableDefinition;
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: d.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: d.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: d.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: this.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: d.usersIndex.name,
      partitionKey: { name: d.usersIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: d.usersIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    return table;
  }

  /** The key generator Lambda, its provider and the custom resource that runs it. */
  private createKeyGenerator(architecture: lambda.Architecture, removalPolicy: RemovalPolicy, logRetention: logs.RetentionDays): CustomResource {
    const generator = new LatchFunction(this, 'KeyGenerator', {
      entry: 'infra/key-generator/handler.ts',
      description: 'Latch: writes a fresh Ed25519 signing key into an empty key secret (custom resource)',
      architecture,
      memorySize: 256,
      timeout: Duration.minutes(1),
      logRetention,
      removalPolicy,
    });
    generator.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [this.signingKeySecret.secretArn],
      }),
    );
    this.encryptionKey?.grantEncryptDecrypt(generator.role);

    // The provider framework's own function gets a role of ours, limited to its log group and
    // to invoking the generator, instead of the AWSLambdaBasicExecutionRole managed policy.
    const frameworkLogs = new logs.LogGroup(this, 'KeyProviderLogs', { retention: logRetention, removalPolicy });
    const frameworkRole = new iam.Role(this, 'KeyProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Latch key generator: CDK provider framework (invokes the generator)',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'KeyProvider', {
      onEventHandler: generator.function,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(generator.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'The CDK provider framework grants lambda:InvokeFunction on the key generator and its versions/aliases (ARN:*); the wildcard covers qualifiers of that one function only.',
    });

    return new CustomResource(this, 'SigningKeyRing', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LatchSigningKeys',
      // Only the secret's ARN: the key itself is made inside the generator, never in the template.
      properties: { SecretArn: this.signingKeySecret.secretArn },
    });
  }

  /** Grants one function exactly what its {@link FunctionAccess} says. */
  private grant(fn: LatchFunction, access: FunctionAccess, sesIdentities: string[]): void {
    const actions = TABLE_ACTIONS[access.table];
    if (actions.length > 0) {
      const resources = [this.table.tableArn];
      // Query on the users index needs the index ARN; GetItem and writes act on the table only.
      if (actions.includes('dynamodb:Query')) resources.push(`${this.table.tableArn}/index/${tableDefinition.usersIndex.name}`);
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions], resources }));
      if (access.table === 'readWrite') this.encryptionKey?.grantEncryptDecrypt(fn.role);
      else this.encryptionKey?.grantDecrypt(fn.role);
    }
    if (access.mail) {
      const stack = Stack.of(this);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: sesIdentities.map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
          // Even within the identity, only the configured sender address.
          conditions: { StringEquals: { 'ses:FromAddress': this.mailFrom } },
        }),
      );
    }
    if (access.signingKeys) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.signingKeySecret.secretArn] }));
      this.encryptionKey?.grantDecrypt(fn.role);
    }
  }

  /** The `$default` stage: JSON access logs (no headers, so no tokens) and throttling. */
  private createStage(throttle: LatchThrottle | undefined, removalPolicy: RemovalPolicy, logRetention: logs.RetentionDays): apigwv2.HttpStage {
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy });
    const format = {
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      path: '$context.path',
      routeKey: '$context.routeKey',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
      error: '$context.error.message',
      userAgent: '$context.identity.userAgent',
    };
    return new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttle?.rateLimit ?? 100, burstLimit: throttle?.burstLimit ?? 200 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(format)),
      },
    });
  }

  /** One route per row of the route table, to its function; `$default` to not-found. */
  private addRoutes(fnOf: (name: string) => lambda.IFunction): void {
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (name: string): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, fnOf(name));
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of routes as readonly RouteDefinition[]) {
      // Construct ids cannot hold '/': `POST /session/renew` → `Route-POST-session-renew`.
      new apigwv2.HttpRoute(this.api, `Route-${route.method}${route.path.replace(/[^A-Za-z0-9]+/g, '-')}`, {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(route.path, apigwv2.HttpMethod[route.method]),
        integration: integrationOf(route.function),
      });
    }
    new apigwv2.HttpRoute(this.api, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: apigwv2.HttpRouteKey.DEFAULT,
      integration: integrationOf('not-found'),
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Latch is the authentication service: its public routes (sign-in, registration, renewal, JWKS, …) must be reachable without a token, and its authenticated routes check the access token inside the function (the same check the authorizer runs, one session read, problem+json 401), so no API Gateway authorizer is attached.',
    });
  }
}
