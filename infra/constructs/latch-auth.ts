import path from 'node:path';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { tableDefinition } from '../../shared/adapters/dynamodb/table.js';
import { type FunctionName, functionNames, hostedUiFunctions, isHostedUiRoute, type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { loadMailTemplates } from '../../shared/mail/overrides.js';
import { AuditLog } from './audit-log.js';
import { LatchCustomDomain } from './custom-domain.js';
import { accessOf, type FunctionAccess, type InternalFunctionName, TABLE_ACTIONS, TABLE_WRITE_ACCESS, USERS_INDEX_ACCESS } from './function-access.js';
import { brandingEnvironment } from './hosted-ui-branding.js';
import { type LatchAuthProps, type LatchThrottle, type RestAuthorizerOptions, settingsEnvironment, validateEnvironment } from './latch-auth-props.js';
import { LatchFunction, PROJECT_ROOT } from './latch-function.js';
import { addMailSender, addSesFeedback, type SesFeedback } from './mail-sender.js';
import { LatchMonitoring } from './monitoring.js';
import { grantOAuthSecrets, planOAuthProviders } from './oauth-providers.js';
import { SigningKeys } from './signing-keys.js';

export type { LatchAuthProps, LatchSettings, LatchThrottle, RestAuthorizerOptions } from './latch-auth-props.js';
export type { LatchOAuthProvider, LatchSecretRef } from './oauth-providers.js';

/** File name of the mail template overrides inside a function's asset. */
const MAIL_TEMPLATES_FILE = 'latch-mail-templates.json';

const ALL_FUNCTIONS = (): Array<FunctionName | InternalFunctionName> => [...functionNames(), 'not-found', 'authorizer'];

/** The functions deployed only with the `hostedUi` prop (docs/specs/hosted-ui.md §2). */
const HOSTED_UI_FUNCTIONS: ReadonlySet<string> = hostedUiFunctions();

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
 * Latch on AWS: the user table, the audit log ({@link AuditLog}: its table and key), the signing
 * keys ({@link SigningKeys}), one Lambda per
 * function of `shared/http/routes.ts` (plus the `$default` not-found handler and the authorizer),
 * and the HTTP API serving the route table, each function granted only what
 * `function-access.ts` says it needs. cdk-nag (AwsSolutions) findings that remain by design are
 * acknowledged here, next to what causes them, each with its reason.
 */
export class LatchAuth extends Construct {
  /** The single table (see `shared/adapters/dynamodb/table.ts`). */
  readonly table: dynamodb.Table;
  /** The audit table and the audit key secret (`docs/specs/audit-and-breached-passwords.md` §2). */
  readonly auditLog: AuditLog;
  /** The audit table (`shared/adapters/dynamodb/audit-table.ts`): functions may only append to it. */
  readonly auditTable: dynamodb.Table;
  /** Secret holding the audit key (32 bytes, base64url): read by the functions that write events. */
  readonly auditKeySecret: secretsmanager.Secret;
  /** The signing key secrets (private ring, public JWKS) and their generator. */
  readonly signingKeys: SigningKeys;
  /** Secret holding `{"keys":[{kid, privateJwk, createdAt}]}`, current key first: signers only. */
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
  /** The alarms, the dashboard and the counts derived from the logs. */
  readonly monitoring: LatchMonitoring;
  /** The SES configuration set, its bounce and complaint topic and the function that marks addresses undeliverable (`docs/mail.md`). */
  readonly sesFeedback: SesFeedback;
  /** The API's access log group. */
  readonly accessLogs: logs.LogGroup;
  /** The AWS Backup plan both tables are in (`backup` prop), if any. */
  readonly backupPlan: backup.BackupPlan | undefined;
  /**
   * An HTTP API Lambda authorizer (simple responses, `Authorization` header) for one other HTTP
   * API. An `HttpLambdaAuthorizer` binds to a single API: use {@link createHttpAuthorizer} for more.
   */
  readonly httpAuthorizer: HttpLambdaAuthorizer;

  /** The custom domain (`customDomain` prop), if any. */
  readonly customDomain: LatchCustomDomain | undefined;

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
    this.auditLog = new AuditLog(this, 'AuditLog', { removalPolicy, encryptionKey: props.encryptionKey, indexProjection: props.auditIndexProjection });
    this.auditTable = this.auditLog.table;
    this.auditKeySecret = this.auditLog.keySecret;
    this.signingKeys = new SigningKeys(this, 'SigningKeys', {
      architecture,
      removalPolicy,
      logRetention,
      encryptionKey: props.encryptionKey,
      auditKeySecret: this.auditKeySecret,
    });
    this.signingKeySecret = this.signingKeys.privateSecret;

    // Created before the functions: its endpoint (Ref of the API, region, URL suffix) is the
    // issuer in their environment. The API refers to no function, routes and integrations are
    // added after, so Api ← Function ← Integration ← Route has no cycle.
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Latch auth API (routes from shared/http/routes.ts)',
      createDefaultStage: false,
    });
    this.apiUrl = this.api.apiEndpoint;
    this.issuer = props.issuer ?? (props.customDomain ? `https://${props.customDomain.domainName}` : this.apiUrl);
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;

    const environment: Record<string, string> = {
      LATCH_TABLE_NAME: this.table.tableName,
      APP_URL: props.appUrl,
      AUTH_ISSUER: this.issuer,
      AUTH_MAIL_FROM: props.mailFrom,
      ...(props.invitations ? { AUTH_INVITATIONS: props.invitations } : {}),
      ...(props.corsOrigins?.length ? { AUTH_CORS_ORIGINS: props.corsOrigins.join(',') } : {}),
      ...settingsEnvironment(props.settings ?? {}),
      // EMF metrics (issue #18): the namespace the alarms read.
      LATCH_METRICS_NAMESPACE: props.metricNamespace ?? `Latch/${Stack.of(this).stackName}`,
      // --- hosted UI ---
      ...(props.hostedUi
        ? {
            AUTH_UI: 'true',
            ...(props.hostedUi.appName ? { AUTH_UI_APP_NAME: props.hostedUi.appName } : {}),
            ...(props.hostedUi.defaultLocale ? { AUTH_UI_DEFAULT_LOCALE: props.hostedUi.defaultLocale } : {}),
            ...brandingEnvironment(props.hostedUi),
            ...(props.hostedUi.clients?.length ? { AUTH_UI_CLIENTS: JSON.stringify(props.hostedUi.clients) } : {}),
          }
        : {}),
      // --- end hosted UI ---
    };
    validateEnvironment(environment);

    if (props.mailTemplatesFile) {
      // The functions' own loader, at synth: a bad override fails here, not at a cold start.
      loadMailTemplates({ LATCH_MAIL_TEMPLATES: path.resolve(PROJECT_ROOT, props.mailTemplatesFile) });
    }
    // --- social sign-in: providers checked at synth; their secrets readable by the functions that sign in with them ---
    const oauthPlan = props.oauthProviders?.length ? planOAuthProviders(this, props.oauthProviders, props.hostedUi ? props.appUrl : undefined) : undefined;
    const oauthFunctions: readonly string[] = ['oauth', 'ui'];
    // --- end social sign-in ---
    const sesIdentities = [props.sesIdentity ?? domainOf(props.mailFrom), ...(props.additionalSesIdentities ?? [])];
    const functions = new Map<string, LatchFunction>();
    const functionsScope = new Construct(this, 'Functions');
    for (const name of ALL_FUNCTIONS().filter((n) => props.hostedUi || !HOSTED_UI_FUNCTIONS.has(n))) {
      const access = accessOf(name);
      const served = (routes as readonly RouteDefinition[]).filter((r) => r.function === name).map(routeKey);
      const fn = new LatchFunction(functionsScope, pascal(name), {
        entry: `functions/${name}.ts`,
        description: `Latch ${name}${served.length ? `: ${served.join(', ')}` : ''}`.slice(0, 256),
        architecture,
        argon2: access.argon2,
        // cost (issue 17): a size row 8 picked for this function, else LatchFunction's default.
        ...(access.memoryMb === undefined ? {} : { memorySize: access.memoryMb }),
        hooksModule: props.hooksModule,
        // API Gateway waits at most 10 s for an authorizer; fail well before it.
        timeout: name === 'authorizer' ? Duration.seconds(5) : Duration.seconds(10),
        // Mail is queued as data and rendered by the mail sender, which alone gets the template overrides.
        environment: { ...environment, ...this.keyEnvironment(access), ...this.auditLog.environment(access.audit) },
        logRetention,
        removalPolicy,
      });
      this.grant(fn, access);
      // --- social sign-in ---
      if (oauthPlan && oauthFunctions.includes(name)) {
        fn.function.addEnvironment('AUTH_OAUTH_PROVIDERS', oauthPlan.value);
        grantOAuthSecrets(fn.role, oauthPlan.secrets);
      }
      // --- end social sign-in ---
      // --- hosted UI: the token endpoint reads exactly the secrets of confidential clients ---
      if (name === 'oauth2-token') {
        const arns = (props.hostedUi?.clients ?? []).flatMap((c) => (c.clientSecret && 'secretArn' in c.clientSecret ? [c.clientSecret.secretArn] : []));
        if (arns.length > 0) fn.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: arns }));
      }
      // --- end hosted UI ---
      // No function may run before the secrets hold the key ring and the audit key.
      fn.function.node.addDependency(this.signingKeys.keyRing);
      functions.set(name, fn);
    }
    // SES feedback (issue #18): bounces and complaints mark addresses the sender then skips.
    this.sesFeedback = addSesFeedback(functionsScope, {
      table: this.table,
      encryptionKey: this.encryptionKey,
      environment: { LATCH_TABLE_NAME: this.table.tableName, LATCH_METRICS_NAMESPACE: environment.LATCH_METRICS_NAMESPACE as string },
      architecture,
      logRetention,
      removalPolicy,
    });
    functions.set('ses-feedback', this.sesFeedback.function);
    // Request functions render mail into the outbox; only the mail sender may send it.
    functions.set(
      'mail-sender',
      addMailSender(functionsScope, {
        configurationSet: this.sesFeedback.configurationSet,
        table: this.table,
        encryptionKey: this.encryptionKey,
        // The sender signs and verifies nothing: no key secret at all. It renders the queued mail:
        // the template overrides ship beside its bundle (Lambda's task root: where the asset is unpacked).
        environment: {
          ...environment,
          LATCH_KEYS: 'none',
          ...(props.mailTemplatesFile ? { LATCH_MAIL_TEMPLATES: `/var/task/${MAIL_TEMPLATES_FILE}` } : {}),
        },
        files: props.mailTemplatesFile ? { [MAIL_TEMPLATES_FILE]: props.mailTemplatesFile } : undefined,
        sesIdentities,
        mailFrom: this.mailFrom,
        architecture,
        hooksModule: props.hooksModule,
        logRetention,
        removalPolicy,
      }),
    );
    this.functions = functions;
    const fnOf = (name: string): lambda.IFunction => {
      const fn = functions.get(name);
      if (!fn) throw new Error(`no function ${name}`);
      return fn.function;
    };

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy });
    this.stage = this.createStage(props.throttle);
    this.addRoutes(fnOf, props.hostedUi !== undefined);
    // --- custom domain (hosted-ui.md §9) ---
    this.customDomain = props.customDomain
      ? new LatchCustomDomain(this, 'CustomDomain', { ...props.customDomain, api: this.api, stage: this.stage, hostedUi: props.hostedUi !== undefined })
      : undefined;
    // --- end custom domain ---

    this.authorizerFunction = fnOf('authorizer');
    this.httpAuthorizer = this.createHttpAuthorizer('LatchAuthorizer');

    this.backupPlan = this.createBackup(props.backup, removalPolicy);
    this.limitConcurrency(props);
    if (props.tracing) this.enableTracing();
    this.monitoring = new LatchMonitoring(this, 'Monitoring', {
      functions,
      auditWriters: ALL_FUNCTIONS().filter((name) => accessOf(name).audit !== 'none' && (props.hostedUi !== undefined || !HOSTED_UI_FUNCTIONS.has(name))),
      api: this.api,
      accessLogs: this.accessLogs,
      tables: [this.table, this.auditTable],
      alarmTopic: props.alarmTopic,
      dashboard: props.dashboard,
      namespace: props.metricNamespace ?? `Latch/${Stack.of(this).stackName}`,
    });
    if (props.logEncryptionKey) this.encryptLogs(props.logEncryptionKey);
  }

  /** Reserved concurrency of the authorizer and of the argon2 functions, where the props set it. */
  private limitConcurrency(props: LatchAuthProps): void {
    const reserve = (fn: LatchFunction, value: number, prop: string): void => {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${prop} must be a whole number of at least 1, got ${value}`);
      (fn.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = value;
    };
    const authorizer = this.functions.get('authorizer');
    if (props.authorizerReservedConcurrency !== undefined && authorizer)
      reserve(authorizer, props.authorizerReservedConcurrency, 'authorizerReservedConcurrency');
    if (props.argon2ReservedConcurrency !== undefined) {
      for (const fn of this.functions.values()) if (fn.argon2) reserve(fn, props.argon2ReservedConcurrency, 'argon2ReservedConcurrency');
    }
  }

  /** X-Ray active tracing on every function (the `tracing` prop). */
  private enableTracing(): void {
    for (const fn of this.functions.values()) {
      (fn.function.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }));
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (the tracing prop): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so their resource must be *; they only send trace data.',
      });
    }
  }

  /** Both tables in an AWS Backup plan (the `backup` prop): a plan of our own for `true`. */
  private createBackup(option: LatchAuthProps['backup'], removalPolicy: RemovalPolicy): backup.BackupPlan | undefined {
    if (!option) return undefined;
    let plan: backup.BackupPlan;
    if (option === true) {
      const vault = new backup.BackupVault(this, 'BackupVault', { encryptionKey: this.encryptionKey, removalPolicy });
      plan = new backup.BackupPlan(this, 'BackupPlan', {
        backupVault: vault,
        backupPlanRules: [
          new backup.BackupPlanRule({ ruleName: 'Daily', scheduleExpression: Schedule.cron({ hour: '3', minute: '0' }), deleteAfter: Duration.days(35) }),
          new backup.BackupPlanRule({
            ruleName: 'Monthly',
            scheduleExpression: Schedule.cron({ day: '1', hour: '4', minute: '0' }),
            deleteAfter: Duration.days(365),
          }),
        ],
      });
    } else {
      plan = option;
    }
    const selection = plan.addSelection('LatchTables', {
      resources: [backup.BackupResource.fromDynamoDbTable(this.table), backup.BackupResource.fromDynamoDbTable(this.auditTable)],
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup assumes this role to back up the selected tables; AWSBackupServiceRolePolicyForBackup is the policy AWS maintains for it (a hand-written copy would silently break when a service changes what a backup needs), and the selection, not the policy, limits what the plan touches.',
    });
    return plan;
  }

  /**
   * Every log group under this construct encrypted with `key`, and CloudWatch Logs of this
   * region allowed to use it (a no-op for an imported key, whose policy must already allow it).
   */
  private encryptLogs(key: kms.IKey): void {
    const stack = Stack.of(this);
    for (const child of this.node.findAll()) {
      if (child instanceof logs.CfnLogGroup) child.kmsKeyId = key.keyArn;
    }
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*' }) } },
      }),
    );
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
      // The mail sender reads new outbox items from the stream (new images: the whole mail).
      stream: dynamodb.StreamViewType.NEW_IMAGE,
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

  /** Grants one function exactly what its {@link FunctionAccess} says. */
  private grant(fn: LatchFunction, access: FunctionAccess): void {
    const actions = TABLE_ACTIONS[access.table];
    if (actions.length > 0) {
      const resources = [this.table.tableArn];
      // Query on the users index needs the index ARN; GetItem and writes act on the table only.
      if (USERS_INDEX_ACCESS.has(access.table)) resources.push(`${this.table.tableArn}/index/${tableDefinition.usersIndex.name}`);
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions], resources }));
      if (TABLE_WRITE_ACCESS.has(access.table)) this.encryptionKey?.grantEncryptDecrypt(fn.role);
      else this.encryptionKey?.grantDecrypt(fn.role);
    }
    // Only signers may read the private key; verifiers get the public ring.
    if (access.keys === 'sign') this.signingKeys.grantSign(fn);
    else if (access.keys === 'verify') this.signingKeys.grantVerify(fn);
    // Append-only: PutItem (and Query for the audit function), never Update, Delete or BatchWrite.
    this.auditLog.grant(fn, access.audit);
    // The data-key ring: only the functions that encrypt or verify TOTP secrets.
    if (access.dataKeys) this.signingKeys.grantDataKeys(fn);
  }

  /** Which key secret a function's runtime loads (`shared/runtime/lambda-deps.ts`), if any. */
  private keyEnvironment(access: FunctionAccess): Record<string, string> {
    const data: Record<string, string> = access.dataKeys ? { LATCH_DATA_KEY_SECRET: this.signingKeys.dataKeySecret.secretArn } : {};
    if (access.keys === 'sign') return { LATCH_SIGNING_KEY_SECRET: this.signingKeys.privateSecret.secretArn, ...data };
    if (access.keys === 'verify') return { LATCH_PUBLIC_KEY_SECRET: this.signingKeys.publicSecret.secretArn, ...data };
    return { LATCH_KEYS: 'none', ...data };
  }

  /**
   * The `$default` stage: JSON access logs and throttling. The log names the matched route key
   * (`POST /password-reset/{token}`), never the path or query string: reset, confirmation and
   * invitation tokens travel in the path. No headers either (the Authorization header).
   */
  private createStage(throttle: LatchThrottle | undefined): apigwv2.HttpStage {
    const accessLogs = this.accessLogs;
    const format = {
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
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
  private addRoutes(fnOf: (name: string) => lambda.IFunction, hostedUi: boolean): void {
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (name: string): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        // `ui` serves one row per page (about 50): one API-scoped invoke permission instead of one
        // per route keeps the template far from CloudFormation's 500-resource limit.
        integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, fnOf(name), name === 'ui' ? { scopePermissionToRoute: false } : {});
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of routes as readonly RouteDefinition[]) {
      // The hosted UI's rows (`kind` set: every page of `ui`, its assets and catch-all `GET /ui/{proxy+}`, the hand-off,
      // `/ui/passkeys/*` of pk2) exist only with the `hostedUi` prop.
      if ((isHostedUiRoute(route) || route.path.startsWith('/ui/')) && !hostedUi) continue;
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
