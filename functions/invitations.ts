import { acceptInvitation, inviteUser, showInvitation } from '../shared/flows/invitations.js';
import { httpFunction, json, principalOf } from '../shared/http/function.js';
import { checkTypes, requestInfo } from '../shared/http/request.js';
import { schemas } from '../shared/http/schemas.js';

/** Invitations (Pow's invitation extension): invite, show, accept. */
export const handler = httpFunction('invitations', {
  'POST /invitations': async (request) => {
    const { email } = checkTypes(schemas.invite, request.body);
    // Only the invitation goes out: the outcome would tell whether the address has an account.
    const { invitation } = await inviteUser(request.deps, principalOf(request).userId, email);
    return json(201, { invitation });
  },
  'GET /invitations/{token}': async ({ params, deps }) => json(200, await showInvitation(deps, params.token)),
  'POST /invitations/{token}': async ({ event, params, body, deps }) =>
    json(201, await acceptInvitation(deps, params.token, { ...checkTypes(schemas.acceptInvitation, body), body }, requestInfo(event))),
});
