/**
 * The hand-off to first-party apps (`docs/specs/hosted-ui.md` §6): `GET /oauth2/authorize`
 * issues a single-use authorization code for the signed-in UI session; `POST /oauth2/token`
 * redeems it (PKCE S256) for a new Latch session of the client, or renews a client's session
 * (`grant_type=refresh_token`). Errors are RFC 6749's (§4.1.2.1 and §5.2), not problem+json.
 */
import { AuthError, isConflict, RetryableError } from '../domain/errors.js';
import { CODE, codeHash, type OAuth2Code, PKCE_CHALLENGE, PKCE_VERIFIER, s256, type UiClient } from '../domain/oauth2.js';
import { hashSecret, randomSecret, safeEqual } from '../domain/secrets.js';
import type { Session } from '../domain/types.js';
import { runAfterHook } from '../hooks/run.js';
import { auditOp } from './audit.js';
import { renewSession } from './current-session.js';
import { type Deps, nowSeconds, type RequestInfo } from './deps.js';
import { prepareSession, type TokenPair } from './token-pair.js';

/** An RFC 6749 error: the token endpoint answers `{ error, error_description }` with `status`. */
export class OAuth2Error extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'temporarily_unavailable',
    readonly description: string,
    readonly status = 400,
    /** `invalid_client` after HTTP Basic: answer `WWW-Authenticate: Basic`. */
    readonly basic = false,
  ) {
    super(`${error}: ${description}`);
  }
}

export function clientOf(deps: Pick<Deps, 'config'>, clientId: string | undefined): UiClient | undefined {
  if (!clientId) return undefined;
  return deps.config.ui.clients.find((c) => c.clientId === clientId);
}

// ---------------------------------------------------------------------------------------------
// GET /oauth2/authorize

/** What `/oauth2/authorize` does next. */
export type AuthorizeOutcome =
  /** Unknown client or unregistered redirect URI: an error page, never a redirect. */
  | { kind: 'error_page'; reason: 'unknown_client' | 'redirect_uri' }
  /** A redirect to the client: the code, or an error (RFC 6749 §4.1.2.1). */
  | { kind: 'redirect'; location: string }
  /** No UI session: sign in first, then back here. */
  | { kind: 'sign_in' }
  /** `prompt=login`: a fresh authentication first, then back to `returnTo`. */
  | { kind: 'reauthenticate'; returnTo: string };

export interface AuthorizeSession {
  userId: string;
  session: Session;
}

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * Decides an authorization request. With a UI session, issues the code: 256 bits, only its
 * SHA-256 stored (`OAUTH2_CODE#…`, `attribute_not_exists(pk)`), bound to the client, the redirect
 * URI and the challenge, with the `oauth2.code_issued` event in the same commit.
 */
export async function authorize(
  deps: Deps,
  query: Record<string, string>,
  signedIn: AuthorizeSession | undefined,
  request: RequestInfo,
  /** The path and query of this request (`/oauth2/authorize?…`), for `prompt=login`'s return. */
  self: string,
): Promise<AuthorizeOutcome> {
  const client = clientOf(deps, query.client_id);
  if (!client) return { kind: 'error_page', reason: 'unknown_client' };
  const redirectUri = query.redirect_uri;
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) return { kind: 'error_page', reason: 'redirect_uri' };
  const iss = deps.config.issuer;
  const state = query.state;
  const fail = (error: string, description: string): AuthorizeOutcome => ({
    kind: 'redirect',
    location: withParams(redirectUri, { error, error_description: description, state, iss }),
  });
  if (query.response_type !== 'code') {
    return query.response_type ? fail('unsupported_response_type', 'only response_type=code') : fail('invalid_request', 'response_type is required');
  }
  if (query.code_challenge_method !== 'S256') return fail('invalid_request', 'PKCE with code_challenge_method=S256 is required');
  if (!query.code_challenge || !PKCE_CHALLENGE.test(query.code_challenge)) return fail('invalid_request', 'code_challenge must be an S256 challenge');
  if (state !== undefined && state.length > 1024) return fail('invalid_request', 'state is too long');
  const prompt = query.prompt;
  if (prompt !== undefined && prompt !== 'none' && prompt !== 'login') return fail('invalid_request', 'prompt must be none or login');

  const now = nowSeconds(deps);
  if (!signedIn) return prompt === 'none' ? fail('login_required', 'no session') : { kind: 'sign_in' };
  const { session } = signedIn;
  const authTime = session.authTime ?? Math.floor(Date.parse(session.createdAt) / 1000);
  if (prompt === 'login') {
    // A fresh authentication (the step-up page), then back here without `prompt`, asking that the
    // authentication be at least as recent as now.
    const back = new URL(self, 'http://x');
    back.searchParams.delete('prompt');
    back.searchParams.set('auth_after', String(now));
    return { kind: 'reauthenticate', returnTo: `${back.pathname}${back.search}` };
  }
  if (query.auth_after !== undefined) {
    const after = Number(query.auth_after);
    if (!Number.isSafeInteger(after)) return fail('invalid_request', 'auth_after is invalid');
    if (authTime < after) return { kind: 'reauthenticate', returnTo: self };
  }

  const code = randomSecret();
  const expiresAt = now + deps.config.oauth2CodeTtlSeconds;
  const item: OAuth2Code = {
    hash: codeHash(code),
    clientId: client.clientId,
    redirectUri,
    codeChallenge: query.code_challenge,
    userId: signedIn.userId,
    uiSessionId: session.id,
    amr: session.amr && session.amr.length > 0 ? session.amr : ['pwd'],
    authTime,
    rememberMe: session.rememberMe,
    expiresAt,
    ttl: expiresAt + 3600,
  };
  await deps.store.commit([
    { type: 'putOAuth2Code', code: item },
    await auditOp(deps, { type: 'oauth2.code_issued', userId: signedIn.userId, sessionId: session.id, details: { clientId: client.clientId }, request }),
  ]);
  return { kind: 'redirect', location: withParams(redirectUri, { code, state, iss }) };
}

// ---------------------------------------------------------------------------------------------
// POST /oauth2/token

/** RFC 6749's token response. */
export interface OAuth2Tokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

function rfcTokens(tokens: TokenPair): OAuth2Tokens {
  return { access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn, refresh_token: tokens.renewalToken };
}

/** How the client presented itself: `client_secret_basic` (the header), `client_secret_post`, or only its id. */
export interface ClientCredentials {
  basic?: { clientId: string; secret: string } | 'malformed';
  form: Record<string, string>;
}

/** `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1); undefined without one. */
export function basicCredentials(header: string | undefined): ClientCredentials['basic'] {
  if (!header || !/^basic /i.test(header)) return undefined;
  let decoded: string;
  try {
    decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  } catch {
    return 'malformed';
  }
  const at = decoded.indexOf(':');
  if (at <= 0) return 'malformed';
  try {
    return { clientId: decodeURIComponent(decoded.slice(0, at).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(at + 1).replace(/\+/g, ' ')) };
  } catch {
    return 'malformed';
  }
}

/** Loads a confidential client's secret (Secrets Manager or a variable); the function injects it. */
export type ClientSecretOf = (client: UiClient) => Promise<string>;

/**
 * Authenticates the client (RFC 6749 §2.3): a confidential client with exactly one of
 * `client_secret_basic` or `client_secret_post`; a public client with its `client_id` alone.
 * `invalid_client` (401; `WWW-Authenticate: Basic` where Basic was used) otherwise.
 */
export async function authenticateClient(deps: Deps, credentials: ClientCredentials, secretOf: ClientSecretOf): Promise<UiClient> {
  const { basic, form } = credentials;
  const usedBasic = basic !== undefined;
  if (basic === 'malformed') throw new OAuth2Error('invalid_client', 'malformed Basic credentials', 401, true);
  if (basic && form.client_secret !== undefined) throw new OAuth2Error('invalid_request', 'use one client authentication method');
  if (basic && form.client_id !== undefined && form.client_id !== basic.clientId)
    throw new OAuth2Error('invalid_request', 'client_id differs from the Basic credentials');
  const clientId = basic ? basic.clientId : form.client_id;
  if (!clientId) throw new OAuth2Error('invalid_request', 'client_id is required');
  const client = clientOf(deps, clientId);
  if (!client) throw new OAuth2Error('invalid_client', 'unknown client', 401, usedBasic);
  const presented = basic ? basic.secret : form.client_secret;
  if (client.type === 'public') {
    if (presented !== undefined) throw new OAuth2Error('invalid_client', 'a public client has no secret', 401, usedBasic);
    return client;
  }
  if (presented === undefined) throw new OAuth2Error('invalid_client', 'client authentication is required', 401, usedBasic);
  let secret: string;
  try {
    secret = await secretOf(client);
  } catch (error) {
    deps.log.error('oauth2: client secret unavailable', {
      flow: 'oauth2',
      clientId: client.clientId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
    throw new OAuth2Error('temporarily_unavailable', 'try again later', 503);
  }
  // Hashes first: a constant-time comparison of equal lengths.
  if (!safeEqual(hashSecret(presented), hashSecret(secret))) throw new OAuth2Error('invalid_client', 'client authentication failed', 401, usedBasic);
  return client;
}

/** Attempts of a redemption when a concurrent sign-in of the same user moved `sessionSeq`. */
const REDEEM_ATTEMPTS = 5;

/**
 * `grant_type=authorization_code`: one transaction redeems the code (conditioned per §6), creates
 * the client's session (the user guard of {@link prepareSession}) and writes `sign_in` (method
 * `oauth2:<clientId>`). A second redemption answers `invalid_grant` and revokes the session the
 * first one created (`oauth2.code_reused`).
 */
export async function redeemCode(deps: Deps, client: UiClient, form: Record<string, string>, request: RequestInfo): Promise<OAuth2Tokens> {
  const { code, redirect_uri: redirectUri, code_verifier: verifier } = form;
  if (!code || !redirectUri || !verifier) throw new OAuth2Error('invalid_request', 'code, redirect_uri and code_verifier are required');
  if (!PKCE_VERIFIER.test(verifier)) throw new OAuth2Error('invalid_request', 'code_verifier must be 43–128 unreserved characters');
  const invalid = () => new OAuth2Error('invalid_grant', 'the code is invalid, expired, used, or was issued to another client or redirect URI');
  if (!CODE.test(code)) throw invalid();
  const hash = codeHash(code);
  const challenge = s256(verifier);
  for (let attempt = 0; ; attempt++) {
    const stored = await deps.store.getOAuth2Code(hash);
    if (!stored) throw invalid();
    if (stored.redeemedAt !== undefined) {
      await revokeOnReuse(deps, stored, request);
      throw invalid();
    }
    if (stored.clientId !== client.clientId || stored.redirectUri !== redirectUri || stored.codeChallenge !== challenge || stored.expiresAt <= nowSeconds(deps))
      throw invalid();
    const user = await deps.store.getUser(stored.userId);
    if (!user || user.locked) throw invalid();
    const prepared = await prepareSession(deps, user, {
      rememberMe: stored.rememberMe,
      request,
      method: `oauth2:${client.clientId}`,
      amr: stored.amr,
      authTime: stored.authTime,
      client: client.clientId,
    });
    try {
      await deps.store.commit([
        {
          type: 'redeemOAuth2Code',
          hash,
          now: nowSeconds(deps),
          clientId: client.clientId,
          redirectUri,
          codeChallenge: challenge,
          issuedSessionId: prepared.sessionId,
        },
        ...prepared.ops,
      ]);
    } catch (error) {
      // Another redemption won (or the code expired meanwhile): read again and decide.
      if (isConflict(error, 'token_mismatch')) {
        const now = await deps.store.getOAuth2Code(hash);
        if (now?.redeemedAt !== undefined) await revokeOnReuse(deps, now, request);
        throw invalid();
      }
      // The user changed between our read and our write: a concurrent sign-in moved sessionSeq (try
      // again), or a lock, password change or revoke-all (the next read refuses).
      if (isConflict(error, 'user_changed') || isConflict(error, 'not_found') || isConflict(error, 'session_gone')) {
        if (attempt + 1 >= REDEEM_ATTEMPTS) throw new OAuth2Error('temporarily_unavailable', 'try again later', 503);
        continue;
      }
      throw error;
    }
    await runAfterHook(deps, 'afterSignIn', {
      user: prepared.tokens.user,
      sessionId: prepared.sessionId,
      request,
      amr: stored.amr,
      method: `oauth2:${client.clientId}`,
    });
    return rfcTokens(prepared.tokens);
  }
}

/** A redeemed code presented again: the session its first redemption created ends (RFC 6749 §4.1.2). */
async function revokeOnReuse(deps: Deps, code: OAuth2Code, request: RequestInfo): Promise<void> {
  if (!code.issuedSessionId) return;
  const existing = await deps.store.getSession(code.userId, code.issuedSessionId);
  try {
    await deps.store.commit([
      ...(existing ? [{ type: 'deleteSession' as const, userId: code.userId, id: code.issuedSessionId }] : []),
      await auditOp(deps, {
        type: 'oauth2.code_reused',
        userId: code.userId,
        sessionId: code.issuedSessionId,
        actor: { kind: 'system' },
        details: { clientId: code.clientId, revokedSessionId: code.issuedSessionId },
        request,
      }),
    ]);
  } catch (error) {
    // Deleted meanwhile (a sign-out, or a concurrent reuse): the session is gone either way.
    if (!isConflict(error)) throw error;
  }
  deps.log.warn('oauth2: authorization code reused; its session revoked', { flow: 'oauth2', userId: code.userId, clientId: code.clientId });
}

/**
 * `grant_type=refresh_token`: `POST /session/renew` in RFC 6749 clothes, for the client whose
 * session it is (another client's, the UI's or a direct API session's token is `invalid_grant`
 * and changes nothing). A spent refresh token revokes the session, as API.md says.
 */
export async function refreshGrant(deps: Deps, client: UiClient, form: Record<string, string>, request: RequestInfo): Promise<OAuth2Tokens> {
  if (!form.refresh_token) throw new OAuth2Error('invalid_request', 'refresh_token is required');
  try {
    return rfcTokens(await renewSession(deps, { renewalToken: form.refresh_token }, request, client.clientId));
  } catch (error) {
    if (error instanceof AuthError && (error.code === 'unauthorized' || error.code === 'account_locked'))
      throw new OAuth2Error('invalid_grant', 'the refresh token is invalid, expired, revoked or was issued to another client');
    if (error instanceof RetryableError) throw new OAuth2Error('temporarily_unavailable', 'try again later', 503);
    throw error;
  }
}

/** The token endpoint's dispatch by `grant_type`. */
export async function tokenRequest(deps: Deps, credentials: ClientCredentials, secretOf: ClientSecretOf, request: RequestInfo): Promise<OAuth2Tokens> {
  const grant = credentials.form.grant_type;
  if (!grant) throw new OAuth2Error('invalid_request', 'grant_type is required');
  if (grant !== 'authorization_code' && grant !== 'refresh_token') throw new OAuth2Error('unsupported_grant_type', 'authorization_code or refresh_token');
  const client = await authenticateClient(deps, credentials, secretOf);
  return grant === 'authorization_code' ? redeemCode(deps, client, credentials.form, request) : refreshGrant(deps, client, credentials.form, request);
}
