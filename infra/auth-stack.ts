import { App, type AppProps, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { LatchAuth, type LatchAuthProps, type LatchSettings } from './constructs/latch-auth.js';
import { PROJECT_ROOT } from './constructs/latch-function.js';
import { oauthProvidersFromFile } from './constructs/oauth-providers.js';

/** Context `oauthProvidersFile` (relative to the repository root), read at synth. */
function oauthProvidersFileOf(file: string | undefined) {
  return file === undefined ? undefined : oauthProvidersFromFile(file, PROJECT_ROOT);
}

/**
 * CDK context keys this stack reads (`cdk.json`'s `context`, or `-c key=value`), with defaults.
 * Durations are in seconds; lists are comma-separated strings or JSON arrays.
 */
export const CONTEXT_DEFAULTS = {
  /** The client app's URL: mailed links start with it, and it is the default CORS origin. A placeholder: synth refuses it unless `demo`. */
  appUrl: 'https://app.example.com',
  /** Sender of every mail; its domain (or `sesIdentity`) must be a verified SES identity. A placeholder: synth refuses it unless `demo`. */
  mailFrom: 'no-reply@example.com',
  /** API Gateway's authorizer result cache TTL for other services' APIs (0 to 3600). */
  authorizerCacheTtlSeconds: 0,
  /** Who may invite: `any` signed-in user or `admin` only. */
  invitations: 'any',
  /** `retain` (default: users and keys survive `cdk destroy`) or `destroy` (throwaway stacks). */
  removalPolicy: 'retain',
  /** `arm64` or `x86_64`. */
  architecture: 'arm64',
} as const;

/**
 * RFC 2606 reserved domains: an `appUrl` or `mailFrom` on one of them (the defaults above are)
 * is a placeholder that no real deployment can use: mailed links would lead nowhere and SES
 * would refuse the sender.
 */
const PLACEHOLDER_DOMAIN = /(^|\.)example\.(com|net|org)$/i;

/** Whether an `appUrl` or `mailFrom` value is still a placeholder (a reserved example domain). */
export function isPlaceholder(value: string): boolean {
  const host = value.includes('@') ? value.slice(value.lastIndexOf('@') + 1) : URL.canParse(value) ? new URL(value).hostname : value;
  return PLACEHOLDER_DOMAIN.test(host);
}

/**
 * Refuses placeholder `appUrl`/`mailFrom` values unless `demo` is set: a stack deployed with them
 * would mail links to example.com from an address SES will not send as.
 */
export function assertNoPlaceholders(values: { appUrl: string; mailFrom: string }, demo: boolean): void {
  if (demo) return;
  const left = (['appUrl', 'mailFrom'] as const).filter((key) => isPlaceholder(values[key]));
  if (left.length === 0) return;
  throw new Error(
    `${left.map((key) => `context "${key}" is still the placeholder ${values[key]}`).join('; ')}. ` +
      'Set your own, e.g. npx cdk deploy -c appUrl=https://app.your-domain -c mailFrom=no-reply@your-domain ' +
      '(a verified SES identity), or pass -c demo=true for a throwaway demo stack that keeps the placeholders.',
  );
}

/**
 * Optional context keys: `demo` (allow the placeholders above), `backup` (an AWS Backup plan of
 * the tables), `alarmTopicArn` (an SNS topic for the alarms), `dashboard`, `tracing`,
 * `authorizerReservedConcurrency`, `argon2ReservedConcurrency`, `logRetentionDays`, `stackName` (default `Latch`), `sesIdentity`, `hooksModule`, `mailTemplatesFile`, `corsOrigins`, `issuer`, `throttleRateLimit`, `throttleBurstLimit`, and the settings below (`userAttributes` is a JSON object). */
const SETTING_KEYS = {
  requireEmailConfirmation: 'boolean',
  passwordMinLength: 'number',
  accessTokenTtlSeconds: 'duration',
  sessionTtlSeconds: 'duration',
  rememberMeTtlSeconds: 'duration',
  resetTokenTtlSeconds: 'duration',
  confirmationTokenTtlSeconds: 'duration',
  invitationTokenTtlSeconds: 'duration',
  maxFailedSignIns: 'number',
  lockoutSeconds: 'duration',
  maxSessionsPerUser: 'number',
  audience: 'string',
  roles: 'list',
  userAttributes: 'json',
} as const;

/** Reads typed values from CDK context (strings from `-c`, any JSON from `cdk.json`). */
class ContextReader {
  constructor(private readonly scope: Construct) {}

  private raw(key: string): unknown {
    const value: unknown = this.scope.node.tryGetContext(key);
    return value === '' ? undefined : value;
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new Error(`context "${key}" must be a string`);
    return value;
  }

  number(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n < 0) throw new Error(`context "${key}" must be a whole number, got ${JSON.stringify(value)}`);
    return n;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new Error(`context "${key}" must be true or false, got ${JSON.stringify(value)}`);
  }

  /** An object: JSON in `cdk.json`, or a JSON string from `-c`. */
  json(key: string): Record<string, unknown> | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    let parsed: unknown = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        throw new Error(`context "${key}" must be a JSON object`);
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`context "${key}" must be a JSON object`);
    return parsed as Record<string, unknown>;
  }

  list(key: string): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    if (typeof value === 'string')
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    throw new Error(`context "${key}" must be a comma-separated string or an array of strings`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(key) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new Error(`context "${key}" must be one of ${allowed.join(', ')}, got "${value}"`);
    return value as T;
  }
}

/** {@link LatchSettings} from the context keys that are set. */
function settingsFrom(ctx: ContextReader): LatchSettings {
  const settings: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(SETTING_KEYS)) {
    const name = key.replace(/Seconds$/, '');
    const value =
      kind === 'boolean'
        ? ctx.boolean(key)
        : kind === 'number' || kind === 'duration'
          ? ctx.number(key)
          : kind === 'list'
            ? ctx.list(key)
            : kind === 'json'
              ? ctx.json(key)
              : ctx.string(key);
    if (value === undefined) continue;
    settings[name] = kind === 'duration' ? Duration.seconds(value as number) : value;
  }
  return settings as LatchSettings;
}

/** A CloudWatch Logs retention from context `logRetentionDays` (one of the values CloudWatch accepts). */
function logRetentionFrom(days: number | undefined): logs.RetentionDays | undefined {
  if (days === undefined) return undefined;
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE);
  if (!allowed.includes(days)) throw new Error(`context "logRetentionDays" must be one of ${allowed.sort((a, b) => a - b).join(', ')}, got ${days}`);
  return days as logs.RetentionDays;
}

/** `{ [key]: value }`, or nothing when the value is unset. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The `customDomain` prop from context: a certificate ARN and, optionally, a hosted zone id and name. */
function customDomainFrom(scope: Construct, value: unknown): LatchAuthProps['customDomain'] {
  if (value === undefined) return undefined;
  const v = value as { domainName?: unknown; certificateArn?: unknown; hostedZoneId?: unknown; zoneName?: unknown };
  if (typeof v.domainName !== 'string' || typeof v.certificateArn !== 'string') {
    throw new Error('context "customDomain" needs "domainName" and "certificateArn" (and optionally "hostedZoneId" with "zoneName")');
  }
  return {
    domainName: v.domainName,
    certificate: acm.Certificate.fromCertificateArn(scope, 'LatchCustomDomainCertificate', v.certificateArn),
    ...(typeof v.hostedZoneId === 'string' && typeof v.zoneName === 'string'
      ? { hostedZone: route53.HostedZone.fromHostedZoneAttributes(scope, 'LatchCustomDomainZone', { hostedZoneId: v.hostedZoneId, zoneName: v.zoneName }) }
      : {}),
  };
}

/** The {@link LatchAuth} properties a scope's CDK context describes. */
export function latchPropsFromContext(scope: Construct): LatchAuthProps {
  const ctx = new ContextReader(scope);
  const rateLimit = ctx.number('throttleRateLimit');
  const burstLimit = ctx.number('throttleBurstLimit');
  const alarmTopicArn = ctx.string('alarmTopicArn');
  const appUrl = ctx.string('appUrl') ?? CONTEXT_DEFAULTS.appUrl;
  const mailFrom = ctx.string('mailFrom') ?? CONTEXT_DEFAULTS.mailFrom;
  assertNoPlaceholders({ appUrl, mailFrom }, ctx.boolean('demo') ?? false);
  return {
    appUrl,
    mailFrom,
    sesIdentity: ctx.string('sesIdentity'),
    hooksModule: ctx.string('hooksModule'),
    mailTemplatesFile: ctx.string('mailTemplatesFile'),
    issuer: ctx.string('issuer'),
    corsOrigins: ctx.list('corsOrigins'),
    invitations: ctx.oneOf('invitations', ['any', 'admin'] as const, CONTEXT_DEFAULTS.invitations),
    authorizerCacheTtl: Duration.seconds(ctx.number('authorizerCacheTtlSeconds') ?? CONTEXT_DEFAULTS.authorizerCacheTtlSeconds),
    throttle: { ...(rateLimit !== undefined ? { rateLimit } : {}), ...(burstLimit !== undefined ? { burstLimit } : {}) },
    removalPolicy:
      ctx.oneOf('removalPolicy', ['retain', 'destroy'] as const, CONTEXT_DEFAULTS.removalPolicy) === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    architecture:
      ctx.oneOf('architecture', ['arm64', 'x86_64'] as const, CONTEXT_DEFAULTS.architecture) === 'x86_64'
        ? lambda.Architecture.X86_64
        : lambda.Architecture.ARM_64,
    settings: settingsFrom(ctx),
    ...(ctx.boolean('backup') ? { backup: true } : {}),
    ...optional('authorizerReservedConcurrency', ctx.number('authorizerReservedConcurrency')),
    ...optional('argon2ReservedConcurrency', ctx.number('argon2ReservedConcurrency')),
    ...optional('tracing', ctx.boolean('tracing')),
    ...optional('logRetention', logRetentionFrom(ctx.number('logRetentionDays'))),
    ...optional('dashboard', ctx.boolean('dashboard')),
    ...optional('alarmTopic', alarmTopicArn === undefined ? undefined : sns.Topic.fromTopicArn(scope, 'LatchAlarmTopic', alarmTopicArn)),
    // --- social sign-in: `-c oauthProvidersFile=providers.json` (docs/social-sign-in.md) ---
    ...optional('oauthProviders', oauthProvidersFileOf(ctx.string('oauthProvidersFile'))),
    // --- hosted UI: `-c hostedUi='{"appName":"Example"}'` (docs/hosted-ui.md) ---
    ...optional('hostedUi', ctx.json('hostedUi') as LatchAuthProps['hostedUi']),
    // --- custom domain: `-c customDomain='{"domainName":"auth.example.com","certificateArn":"arn:…","hostedZoneId":"Z…","zoneName":"example.com"}'` ---
    ...optional('customDomain', customDomainFrom(scope, ctx.json('customDomain'))),
  };
}

/** The name under which a Latch stack exports its authorizer function's ARN. */
export function authorizerExportName(stackName: string): string {
  return `${stackName}-AuthorizerFunctionArn`;
}

/** Properties of {@link AuthStack}. */
export interface AuthStackProps extends StackProps {
  /** @default read from CDK context by {@link latchPropsFromContext} */
  readonly latch?: LatchAuthProps;
}

/**
 * The deployable Latch stack: a {@link LatchAuth} configured from CDK context, and the outputs
 * other stacks and the `latch` CLI read (`TableName`, `AuditTableName` and `AuditKeySecretArn` in particular).
 */
export class AuthStack extends Stack {
  /** The Latch construct. */
  readonly latch: LatchAuth;

  constructor(scope: Construct, id: string, props: AuthStackProps = {}) {
    super(scope, id, { description: 'Latch: serverless user authentication (API Gateway HTTP API, Lambda, DynamoDB, SES)', ...props });
    this.latch = new LatchAuth(this, 'Latch', props.latch ?? latchPropsFromContext(this));

    new CfnOutput(this, 'ApiUrl', { value: this.latch.apiUrl, description: 'Base URL of the auth API' });
    new CfnOutput(this, 'JwksUrl', { value: this.latch.jwksUrl, description: 'Public signing keys (JWKS) for token verifiers' });
    new CfnOutput(this, 'AuthorizerFunctionArn', {
      value: this.latch.authorizerFunction.functionArn,
      description: 'Lambda authorizer for other services’ API Gateway APIs',
      // Other apps import it by this name (examples/other-app/).
      exportName: authorizerExportName(this.stackName),
    });
    new CfnOutput(this, 'TableName', { value: this.latch.table.tableName, description: 'DynamoDB table (the latch CLI reads it)' });
    new CfnOutput(this, 'AuditTableName', { value: this.latch.auditTable.tableName, description: 'DynamoDB audit table (the latch CLI reads it)' });
    new CfnOutput(this, 'AuditKeySecretArn', {
      value: this.latch.auditKeySecret.secretArn,
      description: 'Secrets Manager secret with the audit key (email hashes in audit events; the latch CLI reads it)',
    });
    new CfnOutput(this, 'KeySecretArn', { value: this.latch.signingKeySecret.secretArn, description: 'Secrets Manager secret with the private signing keys' });
    new CfnOutput(this, 'PublicKeySecretArn', {
      value: this.latch.signingKeys.publicSecret.secretArn,
      description: 'Secrets Manager secret with the public keys (JWKS) the verifying functions read',
    });
  }
}

/** What {@link createLatchApp} builds. */
export interface LatchApp {
  app: App;
  stack: AuthStack;
  /** The cdk-nag pack registered on the app (its `validateScope` gives a report in tests). */
  nag: AwsSolutionsChecks;
}

/**
 * The CDK app of `infra/app.ts`: the stack (named by context `stackName`, default `Latch`) in
 * the CLI's default account and region if it knows them (env-agnostic otherwise, so synth needs
 * no credentials), with cdk-nag's AwsSolutions pack as a validation plugin: synth fails on any
 * finding that is not acknowledged with a reason.
 */
export function createLatchApp(props: AppProps = {}): LatchApp {
  const app = new App(props);
  const stackName = new ContextReader(app).string('stackName') ?? 'Latch';
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const stack = new AuthStack(app, stackName, account && region ? { env: { account, region } } : {});
  const nag = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(nag);
  return { app, stack, nag };
}
