import { getJwks, getOpenIdConfiguration } from '../shared/flows/well-known.js';
import { httpFunction, json } from '../shared/http/function.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';

/**
 * Discovery documents for verifiers (cacheable for 5 minutes) and the OpenAPI document (not
 * cached). The OpenAPI module (the route documentation and the response schemas) is imported on
 * the first `GET /openapi.json`: esbuild keeps it in the bundle but runs its module scope only
 * then, so a cold start that serves the JWKS does not build it.
 */
export const handler = httpFunction(
  'well-known',
  {
    'GET /.well-known/jwks.json': async ({ deps }) => json(200, await getJwks(deps)),
    'GET /.well-known/openid-configuration': async ({ deps }) => json(200, getOpenIdConfiguration(deps)),
    'GET /openapi.json': async ({ deps }) => json(200, (await import('../shared/http/openapi.js')).openApiFor(deps.config)),
  },
  WITH_KEYS,
);
