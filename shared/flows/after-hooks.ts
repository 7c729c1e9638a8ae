import { toPublicUser, type User } from '../domain/types.js';
import { runAfterHook } from '../hooks/run.js';
import type { PasswordChangeReason } from '../hooks/types.js';
import type { Deps } from './deps.js';

/**
 * One-line calls for the notification hooks of flows that change a user. Call them after the
 * commit succeeded, with the user as it is now; they never throw (a failing hook is logged).
 */

/** `afterPasswordChange`: after `PATCH /me` (`change`), a reset (`reset`), admin set-password (`admin`), invitation acceptance (`invitation`). */
export async function notifyPasswordChanged(deps: Pick<Deps, 'hooks' | 'log'>, user: User, reason: PasswordChangeReason): Promise<void> {
  await runAfterHook(deps, 'afterPasswordChange', { user: toPublicUser(user), reason });
}

/** `afterLock`: after an admin (`by`: their user id, or null for the CLI) locked the user. */
export async function notifyLocked(deps: Pick<Deps, 'hooks' | 'log'>, user: User, by: string | null): Promise<void> {
  await runAfterHook(deps, 'afterLock', { user: toPublicUser(user), by });
}

/** `afterUnlock`: after an admin (`by`: their user id, or null for the CLI) unlocked the user. */
export async function notifyUnlocked(deps: Pick<Deps, 'hooks' | 'log'>, user: User, by: string | null): Promise<void> {
  await runAfterHook(deps, 'afterUnlock', { user: toPublicUser(user), by });
}
