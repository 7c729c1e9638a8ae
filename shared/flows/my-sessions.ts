import { AuthError } from '../domain/errors.js';
import { type Deps, nowSeconds, type Principal } from './deps.js';
import { revokeAllSessions } from './revoke.js';

/** One entry of `GET /sessions`. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

/**
 * The caller's live sessions (expired ones are filtered here: DynamoDB's TTL deletes late),
 * newest first. `lastUsedAt` is the last sign-in or renewal: the token check never writes.
 */
export async function listMySessions(deps: Deps, principal: Principal): Promise<SessionView[]> {
  const now = nowSeconds(deps);
  const sessions = await deps.store.listSessions(principal.userId);
  return sessions
    .filter((s) => s.expiresAt > now)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      userAgent: s.userAgent,
      ip: s.ip,
      current: s.id === principal.sessionId,
    }));
}

/**
 * Revokes one of the caller's sessions (the current one too). The session key includes the
 * caller's user id, so another user's session id is simply not found: `404 not_found`, the same
 * as an unknown or expired one, which tells nothing about other users' sessions.
 */
export async function revokeMySession(deps: Deps, principal: Principal, sessionId: string): Promise<void> {
  const session = sessionId.length <= 64 ? await deps.store.getSession(principal.userId, sessionId) : undefined;
  if (!session || session.expiresAt <= nowSeconds(deps)) throw new AuthError('not_found');
  await deps.store.commit([{ type: 'deleteSession', userId: principal.userId, id: session.id }]);
  deps.log.info('session revoked', { flow: 'sessions', userId: principal.userId });
}

/** Signs the caller out everywhere: every session, the current one included, race-free. */
export async function revokeMySessions(deps: Deps, principal: Principal): Promise<void> {
  await revokeAllSessions(deps, principal.userId);
  deps.log.info('signed out everywhere', { flow: 'sessions', userId: principal.userId });
}
