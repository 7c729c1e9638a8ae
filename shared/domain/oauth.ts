/**
 * Social sign-in (`docs/specs/social-sign-in.md`): the provider configuration with its presets
 * (§3), and the records the flows store (§8). Pure: parsing and validation only; the relying
 * party itself lives in `shared/adapters/oidc/`.
 */

export type OAuthPreset = 'google' | 'apple' | 'microsoft' | 'github' | 'oidc';
export const OAUTH_PRESETS: readonly OAuthPreset[] = ['google', 'apple', 'microsoft', 'github', 'oidc'];

/** Where a secret comes from: Secrets Manager (AWS) or an environment variable (local runs, tests). */
export type SecretSource = { secretArn: string } | { env: string };

export interface OAuthEndpoints {
  authorization?: string;
  token?: string;
  userinfo?: string;
  jwks?: string;
  emails?: string;
}

/** One provider as configured (`AUTH_OAUTH_PROVIDERS`), presets applied. */
export interface OAuthProviderConfig {
  id: string;
  preset: OAuthPreset;
  name: string;
  clientId: string;
  clientSecret: SecretSource | undefined;
  redirectUris: string[];
  scopes: string[];
  idTokenAudiences: string[];
  /** OIDC presets: the issuer (Microsoft: with `{tenantid}` resolved per token for the multi-tenant values). */
  issuer: string | undefined;
  endpoints: OAuthEndpoints;
  tenant: string | undefined;
  apple: { teamId: string; keyId: string; privateKey: SecretSource } | undefined;
  /** True when every URL is http on loopback (allowed only with `AUTH_OAUTH_ALLOW_HTTP_LOOPBACK`). */
  insecureLoopback: boolean;
}

interface PresetDefaults {
  name: string;
  scopes: string[];
  issuer?: (tenant?: string) => string;
  endpoints?: OAuthEndpoints;
  /** False for OAuth 2.0-only presets (no ID token, no nonce). */
  idTokens: boolean;
}

/** Microsoft's multi-tenant `tenant` values: their issuer is a template over the token's `tid`. */
export const MICROSOFT_MULTI_TENANT: readonly string[] = ['common', 'organizations', 'consumers'];
export const MICROSOFT_TENANT_PLACEHOLDER = '{tenantid}';

/**
 * The issuer a token must carry: the configured one, or (Microsoft's multi-tenant template) the
 * template with the token's own `tid`, which must look like a tenant id (a GUID). Undefined when
 * the token has no usable `tid`.
 */
export function expectedIssuer(issuer: string, claims: { tid?: unknown }): string | undefined {
  if (!issuer.includes(MICROSOFT_TENANT_PLACEHOLDER)) return issuer;
  const tid = claims.tid;
  if (typeof tid !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tid)) return undefined;
  return issuer.replace(MICROSOFT_TENANT_PLACEHOLDER, tid);
}

export const PRESETS: Record<OAuthPreset, PresetDefaults> = {
  google: { name: 'Google', scopes: ['openid', 'email', 'profile'], issuer: () => 'https://accounts.google.com', idTokens: true },
  apple: { name: 'Apple', scopes: ['openid', 'email', 'name'], issuer: () => 'https://appleid.apple.com', idTokens: true },
  microsoft: {
    name: 'Microsoft',
    scopes: ['openid', 'email', 'profile'],
    // The multi-tenant values publish a template: `iss` must carry the token's own `tid` (§3.2).
    issuer: (tenant = 'common') => `https://login.microsoftonline.com/${MICROSOFT_MULTI_TENANT.includes(tenant) ? MICROSOFT_TENANT_PLACEHOLDER : tenant}/v2.0`,
    idTokens: true,
  },
  github: {
    name: 'GitHub',
    scopes: ['read:user', 'user:email'],
    endpoints: {
      authorization: 'https://github.com/login/oauth/authorize',
      token: 'https://github.com/login/oauth/access_token',
      userinfo: 'https://api.github.com/user',
      emails: 'https://api.github.com/user/emails',
    },
    idTokens: false,
  },
  oidc: { name: '', scopes: ['openid', 'email', 'profile'], idTokens: true },
};

/** True when the provider issues ID tokens (every preset but `github`). */
export function hasIdTokens(provider: Pick<OAuthProviderConfig, 'preset'>): boolean {
  return PRESETS[provider.preset].idTokens;
}

const ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

/** True for `localhost`, an address in 127.0.0.0/8, or `[::1]` (RFC 8252 §7.3 loopback). */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Checks a provider URL: https, or http on loopback when `allowHttpLoopback` is on (§3.3).
 * Returns whether it was an http loopback URL.
 */
export function checkProviderUrl(label: string, raw: string, allowHttpLoopback: boolean): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${label} must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol === 'https:') return false;
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) throw new Error(`${label} must be https (http only on a loopback host), got "${raw}"`);
    if (!allowHttpLoopback) throw new Error(`${label} is http: only allowed on loopback with AUTH_OAUTH_ALLOW_HTTP_LOOPBACK=true, got "${raw}"`);
    return true;
  }
  throw new Error(`${label} must be https, got "${raw}"`);
}

/** A redirect URI the provider may send the user back to: https, a private-use scheme, or http on loopback (RFC 8252). */
function checkRedirectUri(label: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new Error(`${label} must be a non-empty string`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${label} must be an absolute URI, got "${raw}"`);
  }
  if (url.hash.length > 0) throw new Error(`${label} must not have a fragment`);
  if (url.protocol === 'https:') return raw;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return raw;
    throw new Error(`${label}: http only on a loopback address, got "${raw}"`);
  }
  // A private-use scheme (reverse domain name, RFC 8252 §7.1).
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/i.test(url.protocol)) return raw;
  throw new Error(`${label} must be https, a private-use scheme (com.example.app:/path) or http on loopback, got "${raw}"`);
}

/** A secret's source in configuration: a Secrets Manager ARN or an environment variable's name, never the secret itself. */
export function secretSource(label: string, raw: unknown): SecretSource {
  if (raw && typeof raw === 'object') {
    const value = raw as Record<string, unknown>;
    if (typeof value.secretArn === 'string' && value.secretArn !== '') return { secretArn: value.secretArn };
    if (typeof value.env === 'string' && /^[A-Z_][A-Z0-9_]*$/.test(value.env)) return { env: value.env };
  }
  throw new Error(`${label} must be { "secretArn": "…" } or { "env": "NAME" } (never the secret itself)`);
}

function stringList(label: string, raw: unknown, fallback: string[]): string[] {
  if (raw === undefined) return fallback;
  if (!Array.isArray(raw) || raw.some((s) => typeof s !== 'string' || s === '')) throw new Error(`${label} must be an array of non-empty strings`);
  return raw as string[];
}

/**
 * Parses and validates `AUTH_OAUTH_PROVIDERS` (already read as JSON): presets applied, ids
 * unique, secrets only as references, URLs https (or loopback http with the setting on).
 * Throws a plain `Error` naming the problem (cold start, synth).
 */
export function parseOAuthProviders(raw: unknown, allowHttpLoopback: boolean): OAuthProviderConfig[] {
  if (!Array.isArray(raw)) throw new Error('AUTH_OAUTH_PROVIDERS must be a JSON array');
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`AUTH_OAUTH_PROVIDERS[${index}] must be an object`);
    const p = entry as Record<string, unknown>;
    const id = p.id;
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new Error(`AUTH_OAUTH_PROVIDERS[${index}].id must match ${ID_PATTERN}`);
    if (seen.has(id)) throw new Error(`AUTH_OAUTH_PROVIDERS: the id "${id}" is used twice`);
    seen.add(id);
    const label = `AUTH_OAUTH_PROVIDERS "${id}"`;
    const preset = p.preset as OAuthPreset;
    if (!OAUTH_PRESETS.includes(preset)) throw new Error(`${label}: preset must be one of ${OAUTH_PRESETS.join(', ')}`);
    const defaults = PRESETS[preset];
    if (typeof p.clientId !== 'string' || p.clientId === '') throw new Error(`${label}: clientId is required`);
    const clientSecret = preset === 'apple' && p.clientSecret === undefined ? undefined : secretSource(`${label}: clientSecret`, p.clientSecret);
    const redirectUris = stringList(`${label}: redirectUris`, p.redirectUris, []).map((uri, i) => checkRedirectUri(`${label}: redirectUris[${i}]`, uri));
    if (redirectUris.length === 0) throw new Error(`${label}: redirectUris must list at least one URI`);
    const tenant = p.tenant === undefined ? undefined : String(p.tenant);
    if (preset === 'microsoft' && (tenant === undefined || !/^[A-Za-z0-9.-]+$/.test(tenant))) {
      throw new Error(`${label}: tenant is required (a tenant id, organizations, consumers or common)`);
    }
    let apple: OAuthProviderConfig['apple'];
    if (preset === 'apple') {
      const a = p.apple as Record<string, unknown> | undefined;
      if (!a || typeof a.teamId !== 'string' || typeof a.keyId !== 'string') throw new Error(`${label}: apple { teamId, keyId, privateKey } is required`);
      apple = { teamId: a.teamId, keyId: a.keyId, privateKey: secretSource(`${label}: apple.privateKey`, a.privateKey) };
    }
    const issuer = typeof p.issuer === 'string' ? p.issuer : defaults.issuer?.(tenant);
    if (preset === 'oidc' && typeof p.issuer !== 'string') throw new Error(`${label}: issuer is required for the oidc preset`);
    const endpointsRaw = (p.endpoints ?? {}) as Record<string, unknown>;
    if (typeof endpointsRaw !== 'object' || Array.isArray(endpointsRaw)) throw new Error(`${label}: endpoints must be an object`);
    const endpoints: OAuthEndpoints = { ...(defaults.endpoints ?? {}) };
    for (const name of ['authorization', 'token', 'userinfo', 'jwks', 'emails'] as const) {
      const value = endpointsRaw[name];
      if (value !== undefined) {
        if (typeof value !== 'string') throw new Error(`${label}: endpoints.${name} must be a URL`);
        endpoints[name] = value;
      }
    }
    let insecure = false;
    // Microsoft's multi-tenant issuer is the template `https://login.microsoftonline.com/{tenantid}/v2.0` (a valid https URL).
    if (issuer !== undefined) insecure = checkProviderUrl(`${label}: issuer`, issuer, allowHttpLoopback) || insecure;
    for (const [name, value] of Object.entries(endpoints)) {
      if (value !== undefined) insecure = checkProviderUrl(`${label}: endpoints.${name}`, value, allowHttpLoopback) || insecure;
    }
    return {
      id,
      preset,
      name: typeof p.name === 'string' && p.name !== '' ? p.name : defaults.name || id,
      clientId: p.clientId,
      clientSecret,
      redirectUris,
      scopes: stringList(`${label}: scopes`, p.scopes, defaults.scopes),
      idTokenAudiences: stringList(`${label}: idTokenAudiences`, p.idTokenAudiences, []),
      issuer,
      endpoints,
      tenant,
      apple,
      insecureLoopback: insecure,
    };
  });
}

/** What a provider says about the account, mapped by the preset (§3.2, §4.2 step 3). */
export interface ProviderProfile {
  sub: string;
  /** Canonical, and only when it passes Latch's format rule; else null. */
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

export type OAuthIntent = 'sign_in' | 'link' | 'reauthenticate';

/** `OAUTH_STATE#<sha256(state)>`: one authorization in progress. */
export interface OAuthState {
  kind: 'state';
  hash: string;
  provider: string;
  codeVerifier: string;
  nonce: string | null;
  /** The state value itself is not stored; openid-client checks the response's `state` against it. */
  redirectUri: string;
  intent: OAuthIntent;
  flowSecretHash: string;
  userId: string | null;
  sessionId: string | null;
  invitationHash: string | null;
  rememberMe: boolean;
  expiresAt: number;
}

/** `OAUTH_PENDING#<sha256(token)>`: a provider account waiting for an email or a link (§4.4). */
export interface OAuthPending {
  kind: 'pending';
  hash: string;
  provider: string;
  sub: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  rememberMe: boolean;
  flowSecretHash: string;
  invitationHash: string | null;
  expiresAt: number;
}

/** `OAUTH_NONCE#<sha256(nonce)>`: a native nonce (§5). */
export interface OAuthNonce {
  kind: 'nonce';
  hash: string;
  provider: string;
  expiresAt: number;
}

export type OAuthItem = OAuthState | OAuthPending | OAuthNonce;
export type OAuthItemKind = OAuthItem['kind'];

/** `USER#<id>` / `IDENTITY#<provider>` (with its claim `IDENTITY#<provider>#<sub>`). */
export interface Identity {
  userId: string;
  provider: string;
  sub: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  createdAt: string;
  lastUsedAt: string;
}
