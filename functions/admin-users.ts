import { createUser, deleteUser, listUsers, lockUser, setUserPassword, showUser, unlockUser, updateUser } from '../shared/flows/admin-users.js';
import { resetMfa } from '../shared/flows/mfa-reset.js';
import { adminUnlink, userIdentities } from '../shared/flows/oauth.js';
import { type HttpRequest, httpFunction, json, noContent, principalOf } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_OAUTH_WRITES, WITH_PASSKEY_WRITES, WITH_PASSWORD_LISTS } from '../shared/runtime/optional-adapters.js';

/** The caller as the admin flows see it (they re-read it from the store). */
const admin = (request: HttpRequest) => ({ userId: principalOf(request).userId });
const id = (request: HttpRequest) => request.params.id ?? '';
/** Where the request came from, for the audit events. */
const from = (request: HttpRequest) => requestInfo(request.event);

/** User management for admins (the route table marks every route `auth: 'admin'`). */
export const handler = httpFunction(
  'admin-users',
  {
    'GET /admin/users': async (request) =>
      json(
        200,
        await listUsers(request.deps, admin(request), { limit: request.query.limit, cursor: request.query.cursor, email: request.query.email }, from(request)),
      ),
    'POST /admin/users': async (request) =>
      json(201, { user: await createUser(request.deps, admin(request), { ...request.body, body: request.raw }, from(request)) }),
    'GET /admin/users/{id}': async (request) => json(200, { user: await showUser(request.deps, admin(request), id(request), from(request)) }),
    'PATCH /admin/users/{id}': async (request) =>
      json(200, { user: await updateUser(request.deps, admin(request), id(request), { ...request.body, body: request.raw }, from(request)) }),
    'DELETE /admin/users/{id}': async (request) => {
      await deleteUser(request.deps, admin(request), id(request), from(request));
      return noContent();
    },
    'PUT /admin/users/{id}/password': async (request) => {
      await setUserPassword(request.deps, admin(request), id(request), request.body, from(request));
      return noContent();
    },
    'POST /admin/users/{id}/lock': async (request) => json(200, { user: await lockUser(request.deps, admin(request), id(request), from(request)) }),
    'POST /admin/users/{id}/unlock': async (request) => json(200, { user: await unlockUser(request.deps, admin(request), id(request), from(request)) }),
    'POST /admin/users/{id}/mfa/reset': async (request) => json(200, { user: await resetMfa(request.deps, admin(request), id(request), from(request)) }),
    // social sign-in (docs/specs/social-sign-in.md §6)
    // showUser first: the caller's admin role as stored now, and a malformed id is 404 before any read.
    'GET /admin/users/{id}/identities': async (request) => {
      await showUser(request.deps, admin(request), id(request), from(request));
      return json(200, await userIdentities(request.deps, id(request)));
    },
    'DELETE /admin/users/{id}/identities/{provider}': async (request) => {
      await showUser(request.deps, admin(request), id(request), from(request));
      await adminUnlink(request.deps, principalOf(request), id(request), request.params.provider, from(request));
      return noContent();
    },
  },
  { ...WITH_KEYS, ...WITH_OAUTH_WRITES, ...WITH_PASSKEY_WRITES, ...WITH_PASSWORD_LISTS, ...WITH_REQUEST_SCHEMAS, ...WITH_TOKEN_CHECK },
);
