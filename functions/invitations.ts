import { acceptInvitation, inviteUser, showInvitation } from '../shared/flows/invitations.js';
import { httpFunction, json, principalOf } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_COUNTERS, WITH_PASSWORD_LISTS } from '../shared/runtime/optional-adapters.js';

/** Invitations (Pow's invitation extension): invite, show, accept. */
export const handler = httpFunction(
  'invitations',
  {
    'POST /invitations': async (request) => {
      // Only the invitation goes out: the outcome would tell whether the address has an account.
      const { invitation } = await inviteUser(request.deps, principalOf(request).userId, request.body.email, requestInfo(request.event));
      return json(201, { invitation });
    },
    'GET /invitations/{token}': async ({ params, deps }) => json(200, await showInvitation(deps, params.token)),
    'POST /invitations/{token}': async ({ event, params, body, raw, deps }) =>
      json(201, await acceptInvitation(deps, params.token, { ...body, body: raw }, requestInfo(event))),
  },
  { ...WITH_KEYS, ...WITH_COUNTERS, ...WITH_PASSWORD_LISTS, ...WITH_REQUEST_SCHEMAS, ...WITH_TOKEN_CHECK },
);
