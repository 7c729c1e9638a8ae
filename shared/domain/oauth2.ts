/**
 * The hand-off to first-party apps (`docs/specs/hosted-ui.md` §6): a minimal OAuth 2.0
 * authorization server (authorization code + PKCE S256) for configured clients only. Pure: the
 * client list, its checks, and the stored authorization code.
 */
import { createHash } from 'node:crypto';
import { isLoopbackHost, type SecretSource, secretSource } from './oauth.js';

/** One configured client of `AUTH_UI_CLIENTS` (construct prop `hostedUi.clients`). */
export interface UiClient {
  clientId: string;
  name: string;
  type: 'public' | 'confidential';
  /** Exact redirect URIs: https, a private-use scheme (`com.example.app:/cb`) or http on loopback (RFC 8252). */
  redirectUris: string[];
  /** Where `GET /oauth2/logout` may send the browser afterwards (exact). */
  logoutUris: string[];
  /** Confidential clients only: where the secret is (never the secret itself). */
  clientSecret?: SecretSource;
}

/** `OAUTH2_CODE#<sha256(code)>` / `OAUTH2_CODE` (§6). */
export interface OAuth2Code {
  /** SHA-256 (base64url) of the code. */
  hash: string;
  clientId: string;
  redirectUri: string;
  /** The PKCE S256 challenge. */
  codeChallenge: string;
  userId: string;
  /** The UI session where the authentication happened. */
  uiSessionId: string;
  amr: string[];
  authTime: number;
  rememberMe: boolean;
  /** Epoch seconds; set by the first redemption. */
  redeemedAt?: number;
  /** The session the first redemption created (revoked on reuse). */
  issuedSessionId?: string;
  /** Epoch seconds (issue + `AUTH_OAUTH2_CODE_TTL_SECONDS`). */
  expiresAt: number;
  /** `expiresAt` + 3600: reuse is still recognised for an hour. */
  ttl: number;
}

/** The client id the hosted pages' own sessions carry; no configured client may take it. */
export const UI_CLIENT = 'ui';

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,64}$/;

/** `AUTH_UI_CLIENTS` as parsed JSON → validated clients (throws with a message naming the fault). */
export function parseUiClients(raw: unknown): UiClient[] {
  if (!Array.isArray(raw)) throw new Error('AUTH_UI_CLIENTS must be a JSON array');
  const seen = new Set<string>();
  return raw.map((entry, i) => {
    const label = `AUTH_UI_CLIENTS[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${label} must be an object`);
    const value = entry as Record<string, unknown>;
    const clientId = value.clientId;
    if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) throw new Error(`${label}.clientId must be 1–64 characters of A–Z a–z 0–9 . _ ~ -`);
    if (clientId === UI_CLIENT) throw new Error(`${label}.clientId "ui" is reserved for the hosted pages`);
    if (seen.has(clientId)) throw new Error(`${label}.clientId "${clientId}" appears twice`);
    seen.add(clientId);
    const name = typeof value.name === 'string' && value.name.trim() !== '' ? value.name : clientId;
    if (value.type !== 'public' && value.type !== 'confidential') throw new Error(`${label}.type must be "public" or "confidential"`);
    const redirectUris = uriList(`${label}.redirectUris`, value.redirectUris, true);
    const logoutUris = value.logoutUris === undefined ? [] : uriList(`${label}.logoutUris`, value.logoutUris, false);
    const client: UiClient = { clientId, name, type: value.type, redirectUris, logoutUris };
    if (value.type === 'confidential') {
      client.clientSecret = secretSource(`${label}.clientSecret`, value.clientSecret);
    } else if (value.clientSecret !== undefined) {
      throw new Error(`${label}: a public client has no clientSecret`);
    }
    return client;
  });
}

function uriList(label: string, raw: unknown, required: boolean): string[] {
  if (!Array.isArray(raw) || (required && raw.length === 0)) throw new Error(`${label} must be a${required ? ' non-empty' : 'n'} array of URIs`);
  return raw.map((uri, i) => checkClientUri(`${label}[${i}]`, uri));
}

/** https, a private-use scheme (reverse domain name, RFC 8252 §7.1) or http on loopback (§7.3); no fragment. */
function checkClientUri(label: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new Error(`${label} must be a non-empty string`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${label} must be an absolute URI, got "${raw}"`);
  }
  if (url.hash.length > 0 || raw.includes('#')) throw new Error(`${label} must not have a fragment`);
  if (url.protocol === 'https:') return raw;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return raw;
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/i.test(url.protocol)) return raw;
  throw new Error(`${label} must be https, a private-use scheme (com.example.app:/path) or http on loopback, got "${raw}"`);
}

/** The CSP `form-action` sources of the clients' redirect URIs: origins, or `scheme:` for private-use schemes (§4). */
export function redirectSources(clients: readonly UiClient[]): string[] {
  const sources = new Set<string>();
  for (const client of clients) {
    for (const uri of client.redirectUris) {
      const url = new URL(uri);
      sources.add(url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : url.protocol);
    }
  }
  return [...sources];
}

/** The origins `/oauth2/token` answers CORS for: public clients' https redirect origins (§6). */
export function corsOrigins(clients: readonly UiClient[]): Set<string> {
  const origins = new Set<string>();
  for (const client of clients) {
    if (client.type !== 'public') continue;
    for (const uri of client.redirectUris) {
      const url = new URL(uri);
      if (url.protocol === 'https:') origins.add(url.origin);
    }
  }
  return origins;
}

/** SHA-256 (base64url) of a code, the only form stored. */
export function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('base64url');
}

/** The PKCE S256 challenge of a verifier (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
export const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 challenge: 43 base64url characters. */
export const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** A code as issued: 43 base64url characters (256 bits). */
export const CODE = /^[A-Za-z0-9_-]{43}$/;
