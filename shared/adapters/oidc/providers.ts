import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, importPKCS8, type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import * as client from 'openid-client';
import { canonicalEmailOf } from '../../domain/email.js';
import { AuthError, ServiceUnavailableError } from '../../domain/errors.js';
import {
  expectedIssuer,
  hasIdTokens,
  MICROSOFT_TENANT_PLACEHOLDER,
  type OAuthProviderConfig,
  type ProviderProfile,
  type SecretSource,
} from '../../domain/oauth.js';
import type { AuthorizationRequest, CallbackRequest, OAuthProviders } from '../../ports/oauth-providers.js';
import type { Log } from '../../ports/services.js';
import { readSecret } from '../secrets/key-secret.js';

type Env = Record<string, string | undefined>;

/** Metadata shipped with the presets whose issuers publish stable endpoints (§3.2). */
function presetMetadata(provider: OAuthProviderConfig): client.ServerMetadata | undefined {
  const e = provider.endpoints;
  switch (provider.preset) {
    case 'google':
      return {
        issuer: provider.issuer ?? 'https://accounts.google.com',
        authorization_endpoint: e.authorization ?? 'https://accounts.google.com/o/oauth2/v2/auth',
        token_endpoint: e.token ?? 'https://oauth2.googleapis.com/token',
        userinfo_endpoint: e.userinfo ?? 'https://openidconnect.googleapis.com/v1/userinfo',
        jwks_uri: e.jwks ?? 'https://www.googleapis.com/oauth2/v3/certs',
      };
    case 'apple':
      return {
        issuer: provider.issuer ?? 'https://appleid.apple.com',
        authorization_endpoint: e.authorization ?? 'https://appleid.apple.com/auth/authorize',
        token_endpoint: e.token ?? 'https://appleid.apple.com/auth/token',
        jwks_uri: e.jwks ?? 'https://appleid.apple.com/auth/keys',
      };
    case 'microsoft': {
      const base = `https://login.microsoftonline.com/${provider.tenant}`;
      return {
        issuer: provider.issuer ?? `${base}/v2.0`,
        authorization_endpoint: e.authorization ?? `${base}/oauth2/v2.0/authorize`,
        token_endpoint: e.token ?? `${base}/oauth2/v2.0/token`,
        userinfo_endpoint: e.userinfo ?? 'https://graph.microsoft.com/oidc/userinfo',
        jwks_uri: e.jwks ?? `${base}/discovery/v2.0/keys`,
      };
    }
    case 'github':
      return {
        // GitHub has no issuer identifier; the authorization endpoint's origin stands in for it (no `iss` is sent).
        issuer: provider.issuer ?? new URL(e.authorization as string).origin,
        authorization_endpoint: e.authorization as string,
        token_endpoint: e.token as string,
        userinfo_endpoint: e.userinfo as string,
      };
    case 'oidc':
      // Endpoint overrides make discovery unnecessary (tests, providers without discovery).
      if (e.authorization && e.token) {
        return {
          issuer: provider.issuer as string,
          authorization_endpoint: e.authorization,
          token_endpoint: e.token,
          ...(e.userinfo ? { userinfo_endpoint: e.userinfo } : {}),
          ...(e.jwks ? { jwks_uri: e.jwks } : {}),
        };
      }
      return undefined;
  }
}

/**
 * Microsoft with `common`, `organizations` or `consumers`: the metadata's issuer is the template
 * `https://login.microsoftonline.com/{tenantid}/v2.0`, and an ID token's `iss` must equal it with
 * the token's own `tid` (§3.2). openid-client does exactly that for metadata discovered at
 * `login.microsoftonline.com`; the preset's metadata is served to its discovery locally (no
 * request leaves for it), so the same check applies with the preset's (or overridden) endpoints.
 */
async function entraConfiguration(
  provider: OAuthProviderConfig,
  metadata: client.ServerMetadata,
  clientMetadata: Partial<client.ClientMetadata>,
  timeoutMs: number,
): Promise<client.Configuration> {
  const server = new URL(`https://login.microsoftonline.com/${provider.tenant}/v2.0`);
  const discoveryUrl = `${server.href}/.well-known/openid-configuration`;
  const fetchLocally: client.CustomFetch = (url, options) => {
    if (url === discoveryUrl) return Promise.resolve(Response.json({ ...metadata, issuer: metadata.issuer }));
    return fetch(url, options as RequestInit);
  };
  return client.discovery(server, provider.clientId, clientMetadata, undefined, {
    timeout: timeoutMs / 1000,
    [client.customFetch]: fetchLocally,
    ...(provider.insecureLoopback ? { execute: [client.allowInsecureRequests] } : {}),
  });
}

/**
 * The name in Apple's first `form_post` answer: the `user` field, JSON
 * `{ "name": { "firstName", "lastName" }, "email" }`. Only the name is taken (the email comes from
 * the verified ID token); anything malformed is no name.
 */
export function appleUserName(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    const user = JSON.parse(raw) as { name?: { firstName?: unknown; lastName?: unknown } };
    const parts = [user.name?.firstName, user.name?.lastName].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
    const name = parts.join(' ').trim();
    return name === '' ? null : name.slice(0, 256);
  } catch {
    return null;
  }
}

/** A provider failure that is the provider's fault in time or availability: 503. */
function isUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { name?: string; status?: number; code?: string; cause?: unknown; response?: Response };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    if (e.code === 'ERR_JWKS_TIMEOUT' || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET') return true;
    if (e.name === 'TypeError' && /fetch failed/.test(String((e as Error).message))) return true;
    if (typeof e.status === 'number' && e.status >= 500) return true;
    if (e.response instanceof Response && e.response.status >= 500) return true;
    current = e.cause;
  }
  return false;
}

/** Maps any failure of a provider call to the contract: 503 for availability, else `oauth_failed`. */
function providerFailure(error: unknown): never {
  if (error instanceof AuthError) throw error;
  if (isUnavailable(error)) throw new ServiceUnavailableError('The sign-in provider is not answering. Please try again shortly.', { cause: error });
  throw new AuthError('oauth_failed', undefined, { cause: error });
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `email_verified` as providers send it: a boolean, or (Apple) the string `"true"`. */
function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * The relying party on `openid-client` (redirect flow) and `jose` (native ID tokens). One
 * `Configuration` per provider and container (discovery once, cached); secrets read once per
 * container, never logged. Plain-http loopback providers (tests, local runs) get
 * `allowInsecureRequests`; `loadConfig` admitted them only with `AUTH_OAUTH_ALLOW_HTTP_LOOPBACK`.
 */
export class OpenIdProviders implements OAuthProviders {
  private readonly configurations = new Map<string, Promise<client.Configuration>>();
  private readonly jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  private readonly secrets = new Map<string, Promise<string>>();
  private appleSecrets = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly providers: readonly OAuthProviderConfig[],
    private readonly options: { timeoutMs: number; env?: Env; log?: Log },
  ) {}

  list(): readonly OAuthProviderConfig[] {
    return this.providers;
  }

  private secret(source: SecretSource, what: string): Promise<string> {
    const key = 'secretArn' in source ? `arn:${source.secretArn}` : `env:${source.env}`;
    let loading = this.secrets.get(key);
    if (!loading) {
      if ('secretArn' in source) {
        loading = readSecret(source.secretArn, what);
      } else {
        const value = (this.options.env ?? process.env)[source.env];
        loading = value ? Promise.resolve(value) : Promise.reject(new Error(`${what}: the variable ${source.env} is not set`));
      }
      this.secrets.set(key, loading);
      // A failed load is tried again by the next request.
      loading.catch(() => this.secrets.delete(key));
    }
    return loading;
  }

  /** Apple's client secret: an ES256 JWT signed with the team key, renewed hourly (§3.2). */
  private async appleClientSecret(provider: OAuthProviderConfig): Promise<string> {
    const apple = provider.apple;
    if (!apple) throw new Error(`provider ${provider.id}: apple settings missing`);
    const now = Math.floor(Date.now() / 1000);
    const cached = this.appleSecrets.get(provider.id);
    if (cached && cached.until > now + 60) return cached.value;
    const pem = await this.secret(apple.privateKey, `provider ${provider.id} key`);
    const key = await importPKCS8(pem, 'ES256');
    const value = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: apple.keyId })
      .setIssuer(apple.teamId)
      .setSubject(provider.clientId)
      .setAudience(provider.issuer ?? 'https://appleid.apple.com')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(key);
    this.appleSecrets.set(provider.id, { value, until: now + 3600 });
    return value;
  }

  private async clientSecret(provider: OAuthProviderConfig): Promise<string | undefined> {
    if (provider.preset === 'apple' && !provider.clientSecret) return this.appleClientSecret(provider);
    return provider.clientSecret ? this.secret(provider.clientSecret, `provider ${provider.id} client secret`) : undefined;
  }

  private configuration(provider: OAuthProviderConfig): Promise<client.Configuration> {
    let pending = this.configurations.get(provider.id);
    if (!pending) {
      pending = this.build(provider);
      this.configurations.set(provider.id, pending);
      pending.catch(() => this.configurations.delete(provider.id));
    }
    return pending;
  }

  private async build(provider: OAuthProviderConfig): Promise<client.Configuration> {
    const secret = provider.preset === 'apple' ? undefined : await this.clientSecret(provider);
    const metadata = presetMetadata(provider);
    const clientMetadata: Partial<client.ClientMetadata> = { client_secret: secret, timeout: this.options.timeoutMs / 1000 };
    let config: client.Configuration;
    if (metadata && provider.preset === 'microsoft' && metadata.issuer.includes(MICROSOFT_TENANT_PLACEHOLDER)) {
      config = await entraConfiguration(provider, metadata, clientMetadata, this.options.timeoutMs);
    } else if (metadata) {
      config = new client.Configuration(metadata, provider.clientId, clientMetadata);
    } else {
      // Discovery; openid-client requires the metadata's issuer to equal this one exactly (ASVS 10.5.3).
      config = await client.discovery(new URL(provider.issuer as string), provider.clientId, clientMetadata, undefined, {
        timeout: this.options.timeoutMs / 1000,
        ...(provider.insecureLoopback ? { execute: [client.allowInsecureRequests] } : {}),
      });
    }
    config.timeout = this.options.timeoutMs / 1000;
    if (provider.insecureLoopback) client.allowInsecureRequests(config);
    // Defence in depth: the ID token's signature is verified too (ASVS 6.8.2, 10.5.4).
    if (hasIdTokens(provider) && config.serverMetadata().jwks_uri) client.enableNonRepudiationChecks(config);
    return config;
  }

  async authorizationUrl(provider: OAuthProviderConfig, request: AuthorizationRequest): Promise<string> {
    let config: client.Configuration;
    try {
      config = await this.configuration(provider);
    } catch (error) {
      return providerFailure(error);
    }
    const parameters: Record<string, string> = {
      redirect_uri: request.redirectUri,
      scope: provider.scopes.join(' '),
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    };
    if (request.nonce !== null) parameters.nonce = request.nonce;
    if (request.reauthenticate) {
      parameters.prompt = 'login';
      parameters.max_age = '0';
    }
    // Apple answers with form_post when it releases the name or email.
    if (provider.preset === 'apple' && provider.scopes.some((s) => s === 'name' || s === 'email')) parameters.response_mode = 'form_post';
    return client.buildAuthorizationUrl(config, parameters).href;
  }

  async finish(provider: OAuthProviderConfig, request: CallbackRequest): Promise<ProviderProfile> {
    try {
      const config = await this.configuration(provider);
      const current: URL | Request = request.callbackParams
        ? new Request(request.redirectUri, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(request.callbackParams).toString(),
          })
        : new URL(request.callbackUrl);
      const oidc = hasIdTokens(provider);
      const checks: client.AuthorizationCodeGrantChecks = { pkceCodeVerifier: request.codeVerifier, expectedState: request.state };
      if (oidc) {
        checks.idTokenExpected = true;
        if (request.nonce !== null) checks.expectedNonce = request.nonce;
        if (request.reauthenticate) checks.maxAge = 0;
      }
      const extra: Record<string, string> = {};
      if (provider.preset === 'apple') {
        const secret = await this.clientSecret(provider);
        if (secret) extra.client_secret = secret;
      }
      const tokens = await client.authorizationCodeGrant(config, current, checks, extra);
      if (!oidc) return await this.githubProfile(provider, config, tokens.access_token);
      const claims = tokens.claims();
      if (!claims) throw new AuthError('oauth_failed');
      // openid-client checked `iss` against the template with the token's `tid`; the `tid` must also be a tenant id.
      const template = config.serverMetadata().issuer;
      if (template.includes(MICROSOFT_TENANT_PLACEHOLDER) && claims.iss !== expectedIssuer(template, claims as { tid?: unknown })) {
        throw new AuthError('oauth_failed');
      }
      let profile = this.mapClaims(provider, claims as unknown as JWTPayload);
      if (provider.preset !== 'apple' && profile.email === null && config.serverMetadata().userinfo_endpoint) {
        // With an OP's defaults the email comes from userinfo (whose `sub` must match: openid-client checks).
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        profile = this.mapClaims(provider, { ...info, ...claims, email: info.email, email_verified: info.email_verified } as unknown as JWTPayload);
      }
      // Apple sends the user's name once, on the first authorization, in the posted `user` field (never in the ID token).
      if (provider.preset === 'apple' && profile.name === null) profile = { ...profile, name: appleUserName(request.callbackParams?.user) };
      return profile;
    } catch (error) {
      return providerFailure(error);
    }
  }

  /** GitHub (OAuth 2.0 only): the numeric id as `sub`; the primary verified address from `/user/emails`, else none. */
  private async githubProfile(provider: OAuthProviderConfig, config: client.Configuration, accessToken: string): Promise<ProviderProfile> {
    const get = async (url: string) => {
      const response = await client.fetchProtectedResource(config, accessToken, new URL(url), 'GET');
      if (response.status >= 500) throw new ServiceUnavailableError();
      if (!response.ok) throw new AuthError('oauth_failed');
      return (await response.json()) as unknown;
    };
    const user = (await get(provider.endpoints.userinfo as string)) as { id?: unknown; name?: unknown; login?: unknown };
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new AuthError('oauth_failed');
    const emails = provider.endpoints.emails
      ? ((await get(provider.endpoints.emails)) as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>)
      : [];
    const primary = Array.isArray(emails) ? emails.find((e) => e.primary === true && e.verified === true && typeof e.email === 'string') : undefined;
    const email = primary ? (canonicalEmailOf(String(primary.email)) ?? null) : null;
    const name = typeof user.name === 'string' ? user.name : typeof user.login === 'string' ? user.login : null;
    return { sub: String(user.id), email, emailVerified: email !== null, name: name?.slice(0, 256) ?? null };
  }

  /** The account as the preset reads an ID token's (or userinfo's) claims (§3.2). */
  private mapClaims(provider: OAuthProviderConfig, claims: JWTPayload): ProviderProfile {
    const raw = typeof claims.email === 'string' ? claims.email : undefined;
    const email = raw === undefined ? null : (canonicalEmailOf(raw) ?? null);
    let verified: boolean;
    switch (provider.preset) {
      case 'microsoft':
        // A tenant admin can set any address: only `xms_edov` says the domain was verified.
        verified = claims.xms_edov === true || claims.xms_edov === 'true';
        break;
      case 'apple':
        verified = truthy(claims.email_verified);
        break;
      default:
        verified = claims.email_verified === true;
    }
    const nameClaim = typeof claims.name === 'string' ? claims.name : undefined;
    return { sub: String(claims.sub), email, emailVerified: email !== null && verified, name: nameClaim?.slice(0, 256) ?? null };
  }

  async verifyIdToken(provider: OAuthProviderConfig, idToken: string, nonce: string): Promise<ProviderProfile> {
    try {
      const config = await this.configuration(provider);
      const metadata = config.serverMetadata();
      const jwksUri = metadata.jwks_uri;
      if (!jwksUri) throw new AuthError('oauth_failed');
      let keySet = this.jwks.get(provider.id);
      if (!keySet) {
        keySet = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: this.options.timeoutMs, cooldownDuration: 30_000 });
        this.jwks.set(provider.id, keySet);
      }
      const audiences = [provider.clientId, ...provider.idTokenAudiences];
      const allowed = (metadata.id_token_signing_alg_values_supported ?? ['RS256', 'ES256']).filter((alg) => alg !== 'none' && !alg.startsWith('HS'));
      // Microsoft's multi-tenant template: the issuer of the token's own `tid` (checked with the signature below).
      const issuer = expectedIssuer(metadata.issuer, decodeJwt(idToken));
      if (issuer === undefined) throw new AuthError('oauth_failed');
      const issuers = provider.preset === 'google' ? [issuer, 'accounts.google.com'] : [issuer];
      const { payload } = await jwtVerify(idToken, keySet, {
        issuer: issuers,
        audience: audiences,
        algorithms: allowed,
        clockTolerance: 60,
        requiredClaims: ['exp', 'sub'],
      });
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (aud.length > 1 && !(typeof payload.azp === 'string' && audiences.includes(payload.azp))) throw new AuthError('oauth_failed');
      const expected = provider.preset === 'apple' ? sha256Hex(nonce) : nonce;
      if (payload.nonce !== expected) throw new AuthError('oauth_failed');
      return this.mapClaims(provider, payload);
    } catch (error) {
      if (error instanceof joseErrors.JWKSTimeout)
        throw new ServiceUnavailableError('The sign-in provider is not answering. Please try again shortly.', { cause: error });
      return providerFailure(error);
    }
  }
}
