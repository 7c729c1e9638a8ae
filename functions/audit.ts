import { adminAudit, myActivity } from '../shared/flows/audit-queries.js';
import { httpFunction, json, principalOf } from '../shared/http/function.js';

/** The audit log's routes: the only function that may read the audit table. */
export const handler = httpFunction('audit', {
  'GET /me/activity': async (request) => json(200, await myActivity(request.deps, principalOf(request), request.query)),
  'GET /admin/audit': async (request) => json(200, await adminAudit(request.deps, request.query)),
  'GET /admin/users/{id}/audit': async (request) =>
    json(200, await adminAudit(request.deps, { ...request.query, userId: request.params.id ?? '' }, { byId: true })),
});
