import type { JWK } from 'jose';
import type { Deps } from './deps.js';

/** The public signing keys (current and previous), without private members. */
export async function getJwks(deps: Pick<Deps, 'keys'>): Promise<{ keys: JWK[] }> {
  return deps.keys.publicJwks();
}

/**
 * The OpenID Provider Metadata that is true of Latch: the issuer (the API's base URL, which CDK
 * sets to the HTTP API's endpoint, so the JWKS sits right under it) and the JWKS. Latch signs
 * access tokens only and has no authorization, token or userinfo endpoint, so it advertises no
 * grant type, response type, ID-token algorithm or client authentication method: a standard
 * client reading this document is never sent to something that does not exist.
 */
export function getOpenIdConfiguration(deps: Pick<Deps, 'config'>) {
  return {
    issuer: deps.config.issuer,
    jwks_uri: `${deps.config.issuer}/.well-known/jwks.json`,
    ...(deps.config.ui.enabled ? handOffMetadata(new URL(deps.config.appUrl).origin) : {}),
  };
}

/** The hand-off's members (`docs/specs/hosted-ui.md` §6), on the pages' origin. */
function handOffMetadata(origin: string) {
  return {
    authorization_endpoint: `${origin}/oauth2/authorize`,
    token_endpoint: `${origin}/oauth2/token`,
    end_session_endpoint: `${origin}/oauth2/logout`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    authorization_response_iss_parameter_supported: true,
  };
}
