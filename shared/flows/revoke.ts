import { canonicalizeEmail } from '../domain/email.js';
import { ConflictError, isConflict, ServiceUnavailableError } from '../domain/errors.js';
import { safeEqual } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import { commitInChunks } from '../ports/commit-chunks.js';
import type { CodeSpend, UserAdjust, UserGuard, WriteOp } from '../ports/store.js';
import type { Deps } from './deps.js';

/** Attempts when a sign-in lands between listing the sessions and committing. */
const ATTEMPTS = 5;

type UserUpdate = Extract<WriteOp, { type: 'updateUser' }>['set'];

/** Options of {@link revokeAllSessions}. */
export interface RevokeOptions {
  /** Fields to change on the user in the same transaction. */
  set?: UserUpdate;
  /** A session that survives (the caller's own, on a password change). */
  keepSessionId?: string;
  /** Writes that join the transaction (spending a reset token, deleting tokens). */
  extraOps?: WriteOp[];
  /**
   * The caller's preconditions on the user, final (no retry) when they fail: the password hash
   * it verified is still the hash, the user is not locked.
   */
  guard?: { passwordHash?: string | null; unlocked?: boolean; totp?: true | string; mfaEnabled?: true } & Pick<
    UserGuard,
    'passkeyCountBelow' | 'passkeyCount' | 'signInMethodsAbove'
  >;
  /** Passkey counters changed in the user's write (`docs/specs/mfa-and-passkeys.md` §12). */
  adjust?: UserAdjust;
  /**
   * Checks each fresh read of the user before its commit; what it throws reaches the caller
   * (a final refusal, e.g. the last sign-in method, instead of retrying a guard that will fail).
   */
  precheck?: (user: User) => void;
  /** Second-factor attributes removed from the user in the same write (TOTP off). */
  remove?: Extract<WriteOp, { type: 'updateUser' }>['remove'];
  /** A second-factor code spent in the user's write (`code_spent` is final and reaches the caller). */
  spend?: CodeSpend | undefined;
  /** Moves the email claim in the same transaction (an immediate email change with a new password). */
  moveEmail?: { email: string };
  /**
   * The audit events of the change (`auditOp`), built for each attempt from the user as read and
   * the number of sessions it revokes: they go in the first, decisive commit (the one with the
   * user change), never in the follow-up chunks of leftover session deletions.
   */
  audit?: (revoked: { user: User; count: number }) => Promise<WriteOp[]>;
}

/**
 * Revokes every session of a user (except `keepSessionId`, e.g. the caller's own on a password
 * change) together with a change to the user, atomically and race-free:
 *
 * 1. list the user's sessions with a strongly consistent query;
 * 2. commit, in one transaction: the user change, a bump of `sessionEpoch`, and the deletion of
 *    every listed session, conditioned on `sessionSeq` being what it was when we listed.
 *
 * A sign-in or renewal that read the user before step 2 carries the old `sessionEpoch` in its
 * own condition, so it fails after step 2. A sign-in that committed between steps 1 and 2 bumped
 * `sessionSeq`, so step 2 fails and we list again. Either way no session survives that should not.
 * `extraOps` (e.g. spending a reset token) join the same transaction. Session deletions fill the
 * rest of it (`commitInChunks`); a user with more sessions than fit has the others deleted in
 * follow-up commits, whose renewals already fail on the epoch.
 *
 * Returns the user as it was read for the successful commit.
 */
export async function revokeAllSessions(deps: Pick<Deps, 'store'>, userId: string, options: RevokeOptions = {}): Promise<User> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const user = await deps.store.getUser(userId);
    if (!user) throw new ConflictError('not_found');
    // The caller's precondition (e.g. "the password I checked is still the password") is final.
    const expected = options.guard?.passwordHash;
    if (expected !== undefined && user.passwordHash !== expected) throw new ConflictError('user_changed');
    if (options.guard?.unlocked && user.locked) throw new ConflictError('user_changed');
    const totpGuard = options.guard?.totp;
    if (totpGuard === true && user.totp !== undefined) throw new ConflictError('user_changed');
    if (typeof totpGuard === 'string' && !(user.totp && safeEqual(user.totp.secretEnc, totpGuard))) throw new ConflictError('user_changed');
    if (options.guard?.mfaEnabled && user.mfaEnabled !== true) throw new ConflictError('user_changed');
    options.precheck?.(user);
    const sessions = (await deps.store.listSessions(userId)).filter((s) => s.id !== options.keepSessionId);
    const deletions: WriteOp[] = sessions.map((s) => ({ type: 'deleteSession', userId, id: s.id }));
    try {
      // Fails if a session was created after we listed (sessionSeq moved): then list again.
      const guard = { sessionSeq: user.sessionSeq, ...options.guard };
      const move = options.moveEmail;
      const userOp: WriteOp = move
        ? // The claim moves with the same guard; email_taken is final and reaches the caller.
          {
            type: 'moveEmail',
            userId,
            from: user.emailCanonical,
            to: canonicalizeEmail(move.email),
            email: move.email,
            set: options.set ?? {},
            guard,
            bumpEpoch: true,
          }
        : {
            type: 'updateUser',
            id: userId,
            set: options.set ?? {},
            guard,
            bumpEpoch: true,
            ...(options.remove ? { remove: options.remove } : {}),
            ...(options.spend ? { spend: options.spend } : {}),
            ...(options.adjust ? { adjust: options.adjust } : {}),
          };
      const events = options.audit ? await options.audit({ user, count: deletions.length }) : [];
      await commitInChunks(deps.store, [userOp, ...(options.extraOps ?? []), ...events], deletions);
    } catch (error) {
      if (isConflict(error, 'user_changed')) continue;
      throw error;
    }
    return user;
  }
  throw new ServiceUnavailableError('Too many concurrent changes to this account. Please try again.');
}
