import type { JWK } from 'jose';
import type { Deps } from './deps.js';

/** The public signing keys (current and previous), without private members. */
export async function getJwks(deps: Pick<Deps, 'keys'>): Promise<{ keys: JWK[] }> {
  return deps.keys.publicJwks();
}

/**
 * The subset of OpenID Provider Metadata that verifiers need. The issuer is the API's base URL
 * (CDK sets it to the HTTP API's endpoint), so the JWKS sits right under it.
 */
export function getOpenIdConfiguration(deps: Pick<Deps, 'config'>) {
  return {
    issuer: deps.config.issuer,
    jwks_uri: `${deps.config.issuer}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: ['EdDSA'],
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    grant_types_supported: ['password', 'refresh_token'],
  };
}
