import type { OAuthProviderConfig, ProviderProfile } from '../domain/oauth.js';

/** What the authorization URL of one flow carries (`docs/specs/social-sign-in.md` §4.1). */
export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  /** S256 challenge of the verifier that stays server-side. */
  codeChallenge: string;
  /** OIDC presets only. */
  nonce: string | null;
  /** `intent: "reauthenticate"`: `prompt=login` and `max_age=0`. */
  reauthenticate: boolean;
}

/** A callback to finish: what the app received, checked against the consumed state. */
export interface CallbackRequest {
  callbackUrl: string;
  /** A `form_post` answer's fields (Apple). */
  callbackParams?: Record<string, string> | undefined;
  redirectUri: string;
  codeVerifier: string;
  state: string;
  nonce: string | null;
  reauthenticate: boolean;
}

/**
 * The relying-party side of social sign-in: one implementation on `openid-client` and `jose`
 * (`shared/adapters/oidc/`). Every failure of the provider's answer (an `error` parameter, a
 * wrong `iss`, a refused code exchange, an ID token that fails validation) throws
 * `AuthError('oauth_failed')`; a timeout or a 5xx throws `ServiceUnavailableError`.
 * No provider token outlives a call.
 */
export interface OAuthProviders {
  /** The configured providers, in configuration order. */
  list(): readonly OAuthProviderConfig[];
  authorizationUrl(provider: OAuthProviderConfig, request: AuthorizationRequest): Promise<string>;
  /** Code exchange, ID-token validation (signature included), userinfo: the account as the preset maps it. */
  finish(provider: OAuthProviderConfig, request: CallbackRequest): Promise<ProviderProfile>;
  /** A native ID token (§5) verified with `jose` against the provider's JWKS; `nonce` is the raw nonce. */
  verifyIdToken(provider: OAuthProviderConfig, idToken: string, nonce: string): Promise<ProviderProfile>;
}
