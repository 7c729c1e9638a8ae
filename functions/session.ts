import { signIn, signOut } from '../shared/flows/current-session.js';
import { httpFunction, json, noContent, principalOf } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_COUNTERS, WITH_LEGACY_PASSWORDS, WITH_MFA_WRITES, WITH_PASSWORD_LISTS } from '../shared/runtime/optional-adapters.js';

/** Sign in, sign out (renewals: `functions/renewal.ts`). */
export const handler = httpFunction(
  'session',
  {
    'POST /session': async ({ event, body, deps }) => json(200, await signIn(deps, body, requestInfo(event))),
    'DELETE /session': async (request) => {
      await signOut(request.deps, principalOf(request), requestInfo(request.event));
      return noContent();
    },
  },
  { ...WITH_KEYS, ...WITH_LEGACY_PASSWORDS, ...WITH_MFA_WRITES, ...WITH_COUNTERS, ...WITH_PASSWORD_LISTS, ...WITH_REQUEST_SCHEMAS, ...WITH_TOKEN_CHECK },
);
