import { getJwks, getOpenIdConfiguration } from '../shared/flows/well-known.js';
import { httpFunction, json } from '../shared/http/function.js';
import { openApiFor } from '../shared/http/openapi.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';

/** Discovery documents for verifiers (cacheable for 5 minutes) and the OpenAPI document (not cached). */
export const handler = httpFunction(
  'well-known',
  {
    'GET /.well-known/jwks.json': async ({ deps }) => json(200, await getJwks(deps)),
    'GET /.well-known/openid-configuration': async ({ deps }) => json(200, getOpenIdConfiguration(deps)),
    'GET /openapi.json': async ({ deps }) => json(200, openApiFor(deps.config)),
  },
  WITH_KEYS,
);
