import { getJwks, getOpenIdConfiguration } from '../shared/flows/well-known.js';
import { httpFunction, json } from '../shared/http/function.js';

/** Discovery documents for verifiers (cacheable for 5 minutes). */
export const handler = httpFunction('well-known', {
  'GET /.well-known/jwks.json': async ({ deps }) => json(200, await getJwks(deps)),
  'GET /.well-known/openid-configuration': async ({ deps }) => json(200, getOpenIdConfiguration(deps)),
});
