import { deleteMe, getMe, updateMe } from '../shared/flows/account.js';
import { removePassword } from '../shared/flows/passkey-password.js';
import { httpFunction, json, noContent, principalOf } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_COUNTERS, WITH_DATA_KEYS, WITH_OAUTH_WRITES, WITH_PASSKEY_WRITES, WITH_PASSWORD_LISTS } from '../shared/runtime/optional-adapters.js';

/** The signed-in user's own account: read, change (with the current password), delete. */
export const handler = httpFunction(
  'account',
  {
    'GET /me': async (request) => json(200, { user: await getMe(request.deps, principalOf(request)) }),
    'PATCH /me': async (request) =>
      // The raw body too: custom attributes are top-level members the schema does not list.
      json(200, { user: await updateMe(request.deps, principalOf(request), { ...request.body, body: request.raw }, requestInfo(request.event)) }),
    'DELETE /me': async (request) => {
      await deleteMe(request.deps, principalOf(request), request.body, requestInfo(request.event));
      return noContent();
    },
    'DELETE /me/password': async (request) => {
      await removePassword(request.deps, principalOf(request), request.body, requestInfo(request.event));
      return noContent();
    },
  },
  {
    ...WITH_KEYS,
    ...WITH_OAUTH_WRITES,
    ...WITH_PASSKEY_WRITES,
    ...WITH_DATA_KEYS,
    ...WITH_COUNTERS,
    ...WITH_PASSWORD_LISTS,
    ...WITH_REQUEST_SCHEMAS,
    ...WITH_TOKEN_CHECK,
  },
);
