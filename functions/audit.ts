import { adminAudit, adminUserAudit, myActivity } from '../shared/flows/audit-queries.js';
import { type HttpRequest, httpFunction, json, principalOf } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_AUDIT_LOG } from '../shared/runtime/optional-adapters.js';

/** The caller as the admin flows see it (they re-read it from the store). */
const admin = (request: HttpRequest) => ({ userId: principalOf(request).userId });

/** The audit log's routes: the only function that may read the audit table. Reads are not audited. */
export const handler = httpFunction(
  'audit',
  {
    'GET /me/activity': async (request) => {
      const { limit, cursor } = request.query;
      return json(200, await myActivity(request.deps, principalOf(request).userId, { limit, cursor }));
    },
    'GET /admin/audit': async (request) => {
      const { userId, email, type, from, to, limit, cursor } = request.query;
      return json(200, await adminAudit(request.deps, admin(request), { userId, email, type, from, to, limit, cursor }, requestInfo(request.event)));
    },
    'GET /admin/users/{id}/audit': async (request) => {
      const { type, from, to, limit, cursor } = request.query;
      return json(
        200,
        await adminUserAudit(request.deps, admin(request), request.params.id ?? '', { type, from, to, limit, cursor }, requestInfo(request.event)),
      );
    },
  },
  { ...WITH_KEYS, ...WITH_AUDIT_LOG, ...WITH_TOKEN_CHECK },
);
