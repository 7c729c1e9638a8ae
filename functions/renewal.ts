import { renewSession } from '../shared/flows/current-session.js';
import { httpFunction, json } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';

/**
 * Renews a session: a function of its own (issue 17), so that the most frequent call after the
 * authorizer runs without argon2 and at the memory its own CPU time calls for, not at the
 * sign-in's (`infra/constructs/function-access.ts`, `npm run bench` row 8).
 */
export const handler = httpFunction(
  'renewal',
  {
    'POST /session/renew': async ({ event, body, deps }) => json(200, await renewSession(deps, body, requestInfo(event))),
  },
  { ...WITH_KEYS, ...WITH_REQUEST_SCHEMAS },
);
