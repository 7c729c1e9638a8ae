import { isConflict, ServiceUnavailableError } from '../domain/errors.js';
import type { Session } from '../domain/types.js';
import type { WriteOp } from '../ports/store.js';
import { type Deps, nowSeconds } from './deps.js';

/**
 * Carrying a role change to the user's live sessions (see `updateUser` in `admin-users.ts`):
 * every session item holds the role the authorizer and Latch's own routes read, so a role change
 * writes it to each live session, in the user's transaction as far as it fits, then in chunks.
 */

type RoleDeps = Pick<Deps, 'store' | 'clock'>;

/** Room for session updates beside the user or email write (3 items, plus the user's session sequence: `itemsOf`), two token deletions and two audit events in one transaction. */
export const ROLE_BATCH = 92;
/** Attempts when a sign-in or another role change lands between listing the sessions and committing. */
export const ROLE_ATTEMPTS = 3;

/** The user's live sessions that do not carry `role` yet (expired ones no token check accepts). */
export async function liveSessionsWithout(deps: RoleDeps, userId: string, role: string): Promise<Session[]> {
  const now = nowSeconds(deps);
  return (await deps.store.listSessions(userId)).filter((s) => s.expiresAt > now && s.role !== role);
}

export function roleUpdate(session: Session, role: string): WriteOp {
  // Conditioned on the session still existing: an update never brings a revoked session back.
  return { type: 'updateSession', userId: session.userId, id: session.id, set: { role } };
}

/**
 * The sessions a role change could not fit in its transaction, a chunk per commit, each chunk
 * conditioned on the user still having `role` (a later role change owns the sessions then).
 */
export async function updateRemainingSessions(deps: RoleDeps, userId: string, role: string): Promise<void> {
  for (let attempt = 0; attempt < ROLE_ATTEMPTS; attempt++) {
    const sessions = await liveSessionsWithout(deps, userId, role);
    try {
      for (let i = 0; i < sessions.length; i += 99) {
        await deps.store.commit([
          // A newer role change took over: its own commits carry its role to the sessions.
          { type: 'checkUser', id: userId, guard: { role } },
          ...sessions.slice(i, i + 99).map((s) => roleUpdate(s, role)),
        ]);
      }
      return;
    } catch (error) {
      if (isConflict(error, 'user_changed') || isConflict(error, 'not_found')) return;
      if (!isConflict(error, 'session_gone')) throw error;
    }
  }
  throw new ServiceUnavailableError('The user changed meanwhile. Please try again.');
}
