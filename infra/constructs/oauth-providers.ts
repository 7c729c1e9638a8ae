import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { checkUiCallbacks } from '../../shared/config.js';
import { type OAuthEndpoints, type OAuthPreset, parseOAuthProviders } from '../../shared/domain/oauth.js';

/**
 * Social sign-in providers on AWS (`docs/specs/social-sign-in.md` §3.1, §7): the construct prop
 * `oauthProviders`, written as `AUTH_OAUTH_PROVIDERS` into the functions that sign in with a
 * provider (`oauth`, and `ui` when the hosted pages are on). Client secrets and Apple's key stay
 * in Secrets Manager: the configuration carries only `{ secretArn }`, the function reads the value
 * at runtime, and exactly those functions may `secretsmanager:GetSecretValue` exactly those ARNs.
 */

/** A secret in Secrets Manager: an `ISecret`, or its ARN. Never the secret's value. */
export type LatchSecretRef = secretsmanager.ISecret | string;

/** One provider of the `oauthProviders` prop: `AUTH_OAUTH_PROVIDERS`'s member, with secrets as references. */
export interface LatchOAuthProvider {
  /** `^[a-z][a-z0-9-]{1,31}$`, unique: the `{provider}` of the routes. */
  readonly id: string;
  readonly preset: OAuthPreset;
  /** Display name. @default the preset's (`oidc`: the id) */
  readonly name?: string;
  readonly clientId: string;
  /** The client secret (every preset but `apple`, whose secret is a JWT signed with `apple.privateKey`). */
  readonly clientSecret?: LatchSecretRef;
  /** The app URIs the provider may redirect to (exact match). */
  readonly redirectUris: string[];
  /** @default per preset */
  readonly scopes?: string[];
  /** Extra client ids whose ID tokens the native route accepts (iOS, Android clients). */
  readonly idTokenAudiences?: string[];
  /** Required for `oidc`; overrides the preset's otherwise. */
  readonly issuer?: string;
  /** Overrides of the preset's endpoints. */
  readonly endpoints?: OAuthEndpoints;
  /** `microsoft`: a tenant id, `organizations`, `consumers` or `common`. */
  readonly tenant?: string;
  /** `apple`: the team, the key id and the key (a PKCS#8 PEM in Secrets Manager). */
  readonly apple?: { readonly teamId: string; readonly keyId: string; readonly privateKey: LatchSecretRef };
}

/** What the construct does with the providers: the environment value and the secrets to grant. */
export interface OAuthProvidersPlan {
  /** `AUTH_OAUTH_PROVIDERS` (a CloudFormation-resolved JSON string; ARNs of secrets made in the stack are tokens). */
  value: string;
  /** Every referenced secret, once. */
  secrets: LatchSecretRef[];
}

function arnOf(ref: LatchSecretRef): string {
  return typeof ref === 'string' ? ref : ref.secretArn;
}

function isSecretRef(value: unknown): value is LatchSecretRef {
  if (typeof value === 'string') return value !== '';
  return !!value && typeof value === 'object' && typeof (value as { secretArn?: unknown }).secretArn === 'string';
}

/**
 * Checks the providers at synth with the functions' own parser (`loadConfig`'s) and returns the
 * environment value and the secrets (with the hosted pages on, also that each lists the pages'
 * callback, `<appUrl>/oauth/<id>/callback`). A secret given as anything but a reference (a plain string
 * that is not an ARN, `{ env }`, a value) fails synth: secrets never enter the template.
 */
export function planOAuthProviders(scope: Construct, providers: readonly LatchOAuthProvider[], hostedUiAppUrl?: string): OAuthProvidersPlan {
  const secrets = new Map<string, LatchSecretRef>();
  const reference = (label: string, ref: unknown) => {
    if (!isSecretRef(ref)) throw new Error(`oauthProviders ${label}: give a Secrets Manager secret (ISecret or its ARN), never the secret itself`);
    const arn = arnOf(ref);
    if (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(arn)) {
      throw new Error(`oauthProviders ${label}: "${arn}" is not a Secrets Manager secret ARN (the value itself never goes into the template)`);
    }
    secrets.set(arn, ref);
    return { secretArn: arn };
  };
  const config = providers.map((p) => {
    const { clientSecret, apple, ...rest } = p;
    return {
      ...rest,
      ...(clientSecret !== undefined ? { clientSecret: reference(`"${p.id}" clientSecret`, clientSecret) } : {}),
      ...(apple ? { apple: { teamId: apple.teamId, keyId: apple.keyId, privateKey: reference(`"${p.id}" apple.privateKey`, apple.privateKey) } } : {}),
    };
  });
  // The functions' own parser, with ARN tokens stood in for: https only (the construct never admits loopback http).
  const standIn = JSON.parse(
    JSON.stringify(config, (_key, value) =>
      typeof value === 'string' && Token.isUnresolved(value) ? 'arn:aws:secretsmanager:us-east-1:000000000000:secret:deploy-time' : value,
    ),
  );
  const parsed = parseOAuthProviders(standIn, false);
  // With the hosted pages on, a provider without the pages' callback would stop every function at cold start.
  if (hostedUiAppUrl !== undefined && !Token.isUnresolved(hostedUiAppUrl)) checkUiCallbacks(parsed, hostedUiAppUrl);
  return { value: Stack.of(scope).toJsonString(config), secrets: [...secrets.values()] };
}

/**
 * Lets one function read the providers' secrets: `secretsmanager:GetSecretValue` on exactly those
 * ARNs (an `ISecret` also grants its KMS key's decrypt, as `grantRead` does).
 */
export function grantOAuthSecrets(grantee: iam.IGrantable, secrets: readonly LatchSecretRef[]): void {
  const arns: string[] = [];
  for (const ref of secrets) {
    if (typeof ref === 'string') arns.push(ref);
    else {
      arns.push(ref.secretArn);
      ref.encryptionKey?.grantDecrypt(grantee);
    }
  }
  if (arns.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: arns }));
}

/**
 * CDK context `oauthProvidersFile`: a JSON array of providers whose secrets are ARNs
 * (`"clientSecret": { "secretArn": "arn:…" }` or the ARN as a string), relative to `baseDir`.
 */
export function oauthProvidersFromFile(file: string, baseDir: string): LatchOAuthProvider[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path.resolve(baseDir, file), 'utf8'));
  } catch (error) {
    throw new Error(`context "oauthProvidersFile": cannot read ${file} as JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new Error('context "oauthProvidersFile" must hold a JSON array of providers');
  const arn = (value: unknown) => (value && typeof value === 'object' && 'secretArn' in value ? (value as { secretArn: unknown }).secretArn : value);
  return raw.map((entry: Record<string, unknown>) => {
    const apple = entry.apple as Record<string, unknown> | undefined;
    return {
      ...entry,
      ...(entry.clientSecret !== undefined ? { clientSecret: arn(entry.clientSecret) } : {}),
      ...(apple ? { apple: { ...apple, privateKey: arn(apple.privateKey) } } : {}),
    } as unknown as LatchOAuthProvider;
  });
}
