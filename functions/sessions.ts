import { listMySessions, revokeMySession, revokeMySessions } from '../shared/flows/my-sessions.js';
import { httpFunction, json, noContent, principalOf } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';

/** The caller's sessions: list them, revoke one, revoke all (sign out everywhere). */
export const handler = httpFunction(
  'sessions',
  {
    'GET /sessions': async (request) =>
      json(200, await listMySessions(request.deps, principalOf(request), { limit: request.query.limit, cursor: request.query.cursor })),
    'DELETE /sessions/{id}': async (request) => {
      await revokeMySession(request.deps, principalOf(request), request.params.id ?? '', requestInfo(request.event));
      return noContent();
    },
    'DELETE /sessions': async (request) => {
      await revokeMySessions(request.deps, principalOf(request), requestInfo(request.event));
      return noContent();
    },
  },
  { ...WITH_KEYS, ...WITH_TOKEN_CHECK },
);
