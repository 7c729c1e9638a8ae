import { renewSession, signIn, signOut } from '../shared/flows/session.js';
import { httpFunction, json, noContent, principalOf } from '../shared/http/function.js';
import { checkTypes, requestInfo } from '../shared/http/request.js';
import { schemas } from '../shared/http/schemas.js';

/** Sign in, renew, sign out. */
export const handler = httpFunction('session', {
  'POST /session': async ({ event, body, deps }) =>
    json(200, await signIn(deps, checkTypes(schemas.signIn, body), requestInfo(event))),
  'POST /session/renew': async ({ body, deps }) => json(200, await renewSession(deps, checkTypes(schemas.renew, body))),
  'DELETE /session': async (request) => {
    await signOut(request.deps, principalOf(request));
    return noContent();
  },
});
