import { getMe } from '../shared/flows/account.js';
import { httpFunction, json, principalOf } from '../shared/http/function.js';

/** The signed-in user's own account. */
export const handler = httpFunction('account', {
  'GET /me': async (request) => json(200, { user: await getMe(request.deps, principalOf(request)) }),
});
