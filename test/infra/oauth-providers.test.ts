/**
 * The construct's `oauthProviders` prop (docs/specs/social-sign-in.md §3.1, §3.3, §7): providers
 * checked at synth, written into the functions that sign in with them, their secrets readable by
 * exactly those functions and never present in the template as values.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { LatchAuth, type LatchAuthProps, type LatchOAuthProvider } from '../../infra/constructs/latch-auth.js';
import { oauthProvidersFromFile } from '../../infra/constructs/oauth-providers.js';
import { loadConfig } from '../../shared/config.js';
import { functionNames, hostedUiFunctions } from '../../shared/http/routes.js';
import type { TemplateJson } from './synth.js';
import { actionsOf, resourcesOf, roleOf, statementsOfRole } from './template.js';

const GOOGLE_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:latch/google-AbCdEf';
const GITHUB_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:latch/github-GhIjKl';
const APPLE_KEY_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:latch/apple-key-MnOpQr';
const SECRET_VALUE = 'GOCSPX-this-is-the-secret-value';

function synth(providers: (stack: Stack) => LatchOAuthProvider[], extra: Partial<LatchAuthProps> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Social');
  const latch = new LatchAuth(stack, 'Latch', {
    appUrl: 'https://app.example.com',
    mailFrom: 'no-reply@example.com',
    oauthProviders: providers(stack),
    ...extra,
  });
  const json = Template.fromStack(stack).toJSON() as TemplateJson;
  const fnId = (name: string) => stack.getLogicalId(latch.functions.get(name)?.function.node.defaultChild as CfnElement);
  const env = (name: string) => (json.Resources[fnId(name)]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const secretReads = (name: string) =>
    statementsOfRole(json, roleOf(json, fnId(name)))
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap(resourcesOf)
      // Latch's own secrets (signing keys, audit key, data keys) are granted by function-access.ts.
      .filter((r) => !(typeof r === 'object' && r !== null && String((r as { Ref?: unknown }).Ref).startsWith('Latch')));
  return { stack, latch, json, env, secretReads, fnId };
}

const threeProviders = (): LatchOAuthProvider[] => [
  {
    id: 'google',
    preset: 'google',
    clientId: 'web.apps.googleusercontent.com',
    clientSecret: GOOGLE_ARN,
    redirectUris: ['https://app.example.com/oauth/google'],
  },
  { id: 'github', preset: 'github', clientId: 'Iv1.abc', clientSecret: GITHUB_ARN, redirectUris: ['https://app.example.com/oauth/github'] },
  {
    id: 'apple',
    preset: 'apple',
    clientId: 'com.example.web',
    redirectUris: ['https://app.example.com/oauth/apple'],
    apple: { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: APPLE_KEY_ARN },
  },
];

test('the oauth function gets the providers and may read exactly their secrets; no other function may', () => {
  const { env, secretReads } = synth(threeProviders);
  const written = JSON.parse(env('oauth').AUTH_OAUTH_PROVIDERS as string);
  assert.deepEqual(
    written.map((p: { id: string }) => p.id),
    ['google', 'github', 'apple'],
  );
  assert.deepEqual(written[0].clientSecret, { secretArn: GOOGLE_ARN });
  assert.deepEqual(written[2].apple.privateKey, { secretArn: APPLE_KEY_ARN });
  // The functions' own loader reads what the construct wrote.
  const config = loadConfig({
    APP_URL: 'https://app.example.com',
    AUTH_MAIL_FROM: 'no-reply@example.com',
    AUTH_OAUTH_PROVIDERS: env('oauth').AUTH_OAUTH_PROVIDERS as string,
  });
  assert.deepEqual(
    config.oauthProviders.map((p) => p.preset),
    ['google', 'github', 'apple'],
  );
  assert.deepEqual(new Set(secretReads('oauth')), new Set([GOOGLE_ARN, GITHUB_ARN, APPLE_KEY_ARN]));
  for (const name of [...functionNames().filter((n) => n !== 'oauth' && !hostedUiFunctions().has(n)), 'not-found', 'authorizer']) {
    assert.equal(env(name).AUTH_OAUTH_PROVIDERS, undefined, name);
    for (const arn of [GOOGLE_ARN, GITHUB_ARN, APPLE_KEY_ARN]) assert.ok(!secretReads(name).includes(arn), `${name} must not read ${arn}`);
  }
});

test('with the hosted pages on, the ui function also gets the providers and their secrets', () => {
  // Each provider also lists the pages' callback, <appUrl>/oauth/<id>/callback (hosted-ui §2).
  const withUiCallbacks = () => threeProviders().map((p) => ({ ...p, redirectUris: [...p.redirectUris, `https://app.example.com/oauth/${p.id}/callback`] }));
  const { env, secretReads } = synth(withUiCallbacks, { hostedUi: {} });
  assert.ok(typeof env('ui').AUTH_OAUTH_PROVIDERS === 'string');
  assert.deepEqual(new Set(secretReads('ui')), new Set([GOOGLE_ARN, GITHUB_ARN, APPLE_KEY_ARN]));
});

test('with the hosted pages on, a provider without the pages’ callback fails synth (every function would refuse the configuration at cold start)', () => {
  assert.throws(() => synth(threeProviders, { hostedUi: {} }), /must list https:\/\/app\.example\.com\/oauth\/google\/callback in redirectUris/);
});

test('a secret made in the stack is referenced by its ARN (a token), granted with its key, never by value', () => {
  let secret: secretsmanager.Secret | undefined;
  const { json, env, secretReads, stack } = synth((s) => {
    secret = new secretsmanager.Secret(s, 'GoogleSecret');
    return [{ id: 'google', preset: 'google', clientId: 'web', clientSecret: secret, redirectUris: ['https://app.example.com/cb'] }];
  });
  const secretId = stack.getLogicalId(secret?.node.defaultChild as CfnElement);
  assert.match(JSON.stringify(env('oauth').AUTH_OAUTH_PROVIDERS), new RegExp(secretId));
  assert.deepEqual(secretReads('oauth'), [{ Ref: secretId }]);
  assert.ok(!JSON.stringify(json).includes(SECRET_VALUE));
});

test('a secret value instead of a reference, a bad provider, or a plain-http loopback issuer fails synth (the construct never admits AUTH_OAUTH_ALLOW_HTTP_LOOPBACK)', () => {
  const google = (clientSecret: unknown): LatchOAuthProvider[] => [
    { id: 'google', preset: 'google', clientId: 'web', clientSecret: clientSecret as string, redirectUris: ['https://app.example.com/cb'] },
  ];
  assert.throws(() => synth(() => google(SECRET_VALUE)), /never the secret itself|not a Secrets Manager secret ARN/);
  assert.throws(() => synth(() => google({ env: 'GOOGLE_SECRET' })), /never the secret itself/);
  assert.throws(() => synth(() => google(undefined)), /clientSecret/);
  assert.throws(
    () =>
      synth(() => [
        { id: 'local', preset: 'oidc', issuer: 'http://127.0.0.1:4000', clientId: 'x', clientSecret: GOOGLE_ARN, redirectUris: ['https://a.example/cb'] },
      ]),
    /AUTH_OAUTH_ALLOW_HTTP_LOOPBACK/,
  );
  assert.throws(
    () => synth(() => [{ id: 'microsoft', preset: 'microsoft', clientId: 'x', clientSecret: GOOGLE_ARN, redirectUris: ['https://a.example/cb'] }]),
    /tenant/,
  );
});

test('context oauthProvidersFile: secrets given as ARNs in a JSON file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'latch-oauth-'));
  writeFileSync(
    path.join(dir, 'providers.json'),
    JSON.stringify([{ id: 'github', preset: 'github', clientId: 'Iv1', clientSecret: { secretArn: GITHUB_ARN }, redirectUris: ['https://a.example/cb'] }]),
  );
  const providers = oauthProvidersFromFile('providers.json', dir);
  assert.equal(providers[0]?.clientSecret, GITHUB_ARN);
  const { secretReads } = synth(() => providers);
  assert.deepEqual(secretReads('oauth'), [GITHUB_ARN]);
  assert.throws(() => oauthProvidersFromFile('missing.json', dir), /oauthProvidersFile/);
});
