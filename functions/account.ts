import { deleteMe, getMe, updateMe } from '../shared/flows/account.js';
import { httpFunction, json, noContent, principalOf } from '../shared/http/function.js';

/** The signed-in user's own account: read, change (with the current password), delete. */
export const handler = httpFunction('account', {
  'GET /me': async (request) => json(200, { user: await getMe(request.deps, principalOf(request)) }),
  'PATCH /me': async (request) =>
    json(200, { user: await updateMe(request.deps, principalOf(request), request.body) }),
  'DELETE /me': async (request) => {
    await deleteMe(request.deps, principalOf(request), request.body);
    return noContent();
  },
});
