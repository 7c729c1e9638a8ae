/**
 * The hand-off (docs/specs/hosted-ui.md §6) over plain HTTP: PKCE pairs, the clients the tests
 * configure, an authorization request through a signed-in UI session, and token requests.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TestStack } from './stack.js';
import type { UiClient } from './ui-client.js';

export const WEB_REDIRECT = 'https://app.example.test/callback';
export const NATIVE_REDIRECT = 'com.example.app:/oauth2redirect';
export const WEB_LOGOUT = 'https://app.example.test/signed-out';
export const CONFIDENTIAL_SECRET = 'a confidential client secret of some length';

/** The clients of `AUTH_UI_CLIENTS` in these tests. */
export const TEST_CLIENTS = [
  { clientId: 'web', name: 'Web app', type: 'public', redirectUris: [WEB_REDIRECT, NATIVE_REDIRECT], logoutUris: [WEB_LOGOUT] },
  { clientId: 'other', name: 'Other app', type: 'public', redirectUris: ['https://other.example.test/callback'] },
  {
    clientId: 'backend',
    name: 'Server app',
    type: 'confidential',
    redirectUris: ['https://server.example.test/cb'],
    clientSecret: { env: 'HANDOFF_TEST_SECRET' },
  },
];

/** The env of a test stack with the hand-off on. */
export function handOffEnv(extra: Record<string, string> = {}): Record<string, string> {
  process.env.HANDOFF_TEST_SECRET = CONFIDENTIAL_SECRET;
  return { AUTH_UI: 'true', AUTH_UI_APP_NAME: 'Example App', AUTH_UI_CLIENTS: JSON.stringify(TEST_CLIENTS), ...extra };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizePath(params: Record<string, string>): string {
  return `/oauth2/authorize?${new URLSearchParams(params)}`;
}

/** Runs `/oauth2/authorize` with a signed-in UI client and returns the code from the redirect. */
export async function codeFor(
  ui: UiClient,
  options: { clientId?: string; redirectUri?: string; challenge: string; state?: string },
): Promise<{ code: string; location: URL }> {
  const answer = await ui.get(
    authorizePath({
      response_type: 'code',
      client_id: options.clientId ?? 'web',
      redirect_uri: options.redirectUri ?? WEB_REDIRECT,
      code_challenge: options.challenge,
      code_challenge_method: 'S256',
      state: options.state ?? 'st4te',
    }),
  );
  if (answer.status !== 302) throw new Error(`authorize answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  const location = new URL(answer.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, location };
}

export interface TokenAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** `POST /oauth2/token` with a form body (and optional headers, e.g. Basic). */
export async function tokenRequest(api: TestStack, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const response = await fetch(`${api.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, headers: response.headers, body };
}

export function redeemFields(code: string, verifier: string, overrides: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, client_id: 'web', code_verifier: verifier, ...overrides };
}
