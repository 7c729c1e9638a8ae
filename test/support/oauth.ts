import { exportPKCS8, generateKeyPair } from 'jose';
import { authorizeAs, type GitHubFake, type IdTokenFake, startGitHubFake, startIdTokenFake, startTestOp, type TestOp } from './oidc-provider.js';
import type { ApiResponse, TestStack } from './stack.js';
import { startTestStack } from './stack.js';

/**
 * A local stack with social sign-in configured against loopback providers: `op` (the `oidc`
 * preset against `oidc-provider`), `op2` (a second OP, for mix-up tests), `gh` (the `github`
 * preset against the GitHub fake), `native` (the `google` preset whose JWKS is the ID-token fake).
 */
export interface OAuthHarness {
  api: TestStack;
  op: TestOp;
  op2: TestOp;
  gh: GitHubFake;
  fake: IdTokenFake;
  /** The public half of the Apple team key the `apple` provider signs its client secret with. */
  appleKey: CryptoKey;
  redirectUri: string;
  close(): Promise<void>;
}

export const REDIRECT_URI = 'http://127.0.0.1:9/app/callback';
export const NATIVE_CLIENT_ID = 'native-client.apps.example';
export const APPLE_TEAM_ID = 'TEAM123456';
export const APPLE_KEY_ID = 'APPLEKEY01';

export async function startOAuthHarness(env: Record<string, string> = {}): Promise<OAuthHarness> {
  const op = await startTestOp({ redirectUris: [REDIRECT_URI] });
  const op2 = await startTestOp({ redirectUris: [REDIRECT_URI], clientId: op.clientId, clientSecret: op.clientSecret });
  const gh = await startGitHubFake();
  const fake = await startIdTokenFake(NATIVE_CLIENT_ID);
  process.env.LATCH_TEST_OP_SECRET = op.clientSecret;
  process.env.LATCH_TEST_OP2_SECRET = op2.clientSecret;
  process.env.LATCH_TEST_GH_SECRET = gh.clientSecret;
  process.env.LATCH_TEST_NATIVE_SECRET = 'unused';
  const appleKeys = await generateKeyPair('ES256', { extractable: true });
  process.env.LATCH_TEST_APPLE_KEY = await exportPKCS8(appleKeys.privateKey);
  const fakeEndpoints = { authorization: `${fake.issuer}/authorize`, token: `${fake.issuer}/token`, jwks: fake.jwksUri };
  const providers = [
    {
      id: 'op',
      preset: 'oidc',
      name: 'Test OP',
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: { env: 'LATCH_TEST_OP_SECRET' },
      redirectUris: [REDIRECT_URI],
    },
    {
      id: 'op2',
      preset: 'oidc',
      name: 'Other OP',
      issuer: op2.issuer,
      clientId: op2.clientId,
      clientSecret: { env: 'LATCH_TEST_OP2_SECRET' },
      redirectUris: [REDIRECT_URI],
    },
    {
      id: 'github',
      preset: 'github',
      clientId: gh.clientId,
      clientSecret: { env: 'LATCH_TEST_GH_SECRET' },
      redirectUris: [REDIRECT_URI],
      endpoints: gh.endpoints,
    },
    {
      id: 'google',
      preset: 'google',
      clientId: 'web-client.apps.example',
      idTokenAudiences: [NATIVE_CLIENT_ID],
      clientSecret: { env: 'LATCH_TEST_NATIVE_SECRET' },
      redirectUris: [REDIRECT_URI],
      issuer: fake.issuer,
      endpoints: { authorization: `${fake.issuer}/authorize`, token: `${fake.issuer}/token`, jwks: fake.jwksUri },
    },
    {
      id: 'microsoft',
      preset: 'microsoft',
      tenant: 'contoso',
      clientId: NATIVE_CLIENT_ID,
      clientSecret: { env: 'LATCH_TEST_NATIVE_SECRET' },
      redirectUris: [REDIRECT_URI],
      issuer: fake.issuer,
      endpoints: { authorization: `${fake.issuer}/authorize`, token: `${fake.issuer}/token`, jwks: fake.jwksUri },
    },
    // Microsoft multi-tenant: the issuer is the `{tenantid}` template, its endpoints the ID-token fake.
    {
      id: 'mscommon',
      preset: 'microsoft',
      tenant: 'common',
      clientId: NATIVE_CLIENT_ID,
      clientSecret: { env: 'LATCH_TEST_NATIVE_SECRET' },
      redirectUris: [REDIRECT_URI],
      endpoints: fakeEndpoints,
    },
    // Apple: no client secret (an ES256 JWT signed with the team key), form_post, the ID-token fake as Apple.
    {
      id: 'apple',
      preset: 'apple',
      clientId: NATIVE_CLIENT_ID,
      redirectUris: [REDIRECT_URI],
      issuer: fake.issuer,
      endpoints: fakeEndpoints,
      apple: { teamId: APPLE_TEAM_ID, keyId: APPLE_KEY_ID, privateKey: { env: 'LATCH_TEST_APPLE_KEY' } },
    },
    // Only for the JWKS timeout test: its key set is never fetched before.
    {
      id: 'slow',
      preset: 'oidc',
      issuer: fake.issuer,
      clientId: NATIVE_CLIENT_ID,
      clientSecret: { env: 'LATCH_TEST_NATIVE_SECRET' },
      redirectUris: [REDIRECT_URI],
      endpoints: { authorization: `${fake.issuer}/authorize`, token: `${fake.issuer}/token`, jwks: fake.jwksUri },
    },
  ];
  const api = await startTestStack({
    AUTH_OAUTH_PROVIDERS: JSON.stringify(providers),
    AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: 'true',
    AUTH_OAUTH_HTTP_TIMEOUT_MS: '1500',
    ...env,
  });
  return {
    api,
    op,
    op2,
    gh,
    fake,
    appleKey: appleKeys.publicKey,
    redirectUri: REDIRECT_URI,
    async close() {
      await api.close();
      await Promise.all([op.close(), op2.close(), gh.close(), fake.close()]);
    },
  };
}

/** `POST /oauth/{provider}/authorize`. */
export async function authorize(api: TestStack, provider: string, body: Record<string, unknown> = {}, token?: string): Promise<ApiResponse> {
  return api.request('POST', `/oauth/${provider}/authorize`, { body: { redirectUri: REDIRECT_URI, ...body }, ...(token ? { token } : {}) });
}

/** A whole redirect flow: authorize, the user at the provider (by `sub`, or GitHub login), the callback. */
export async function signInWith(
  api: TestStack,
  provider: string,
  subject: string,
  options: { authorize?: Record<string, unknown>; token?: string; callback?: Record<string, unknown> } = {},
): Promise<{ response: ApiResponse; flowSecret: string; callbackUrl: string }> {
  const started = await authorize(api, provider, options.authorize, options.token);
  if (started.status !== 200) throw new Error(`authorize answered ${started.status}: ${started.text}`);
  const callbackUrl = await authorizeAs(started.body.authorizationUrl, subject, REDIRECT_URI);
  const response = await api.request('POST', `/oauth/${provider}/callback`, {
    body: { callbackUrl, flowSecret: started.body.flowSecret, ...options.callback },
    ...(options.token ? { token: options.token } : {}),
  });
  return { response, flowSecret: started.body.flowSecret, callbackUrl };
}

let counter = 0;
/** A unique subject and address for a test account. */
export function uniqueAccount(label = 'op'): { sub: string; email: string } {
  counter += 1;
  const tag = `${label}-${Date.now().toString(36)}-${counter}`;
  return { sub: `sub-${tag}`, email: `${tag}@social.example` };
}

export { authorizeAs };
