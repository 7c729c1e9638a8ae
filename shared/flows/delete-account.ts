import { ConflictError, isConflict, ServiceUnavailableError } from '../domain/errors.js';
import type { User } from '../domain/types.js';
import { commitInChunks } from '../ports/commit-chunks.js';
import type { WriteOp } from '../ports/store.js';
import type { Deps } from './deps.js';

const MAIL_TOKEN_KINDS = ['confirmation', 'reset', 'invitation'] as const;
/** Attempts when the account changes between our read and our commit (a sign-in, an email change). */
const ATTEMPTS = 5;

/** The caller's preconditions, final when they fail (no retry). */
export interface DeleteGuard {
  /** `DELETE /me`: the password hash the caller verified must still be the user's. */
  passwordHash?: string;
  /**
   * The deletion's audit events (`account.deleted` or `admin.user_deleted`, with the
   * `session.revoked` of its sessions), built for each attempt from the user as read and the
   * number of its sessions: they go in the first, decisive commit (the one deleting the user).
   */
  audit?: (deleted: { user: User; sessions: number }) => Promise<WriteOp[]>;
}

/**
 * Deletes an account: the user, its email claim, every mail token and every session. The one
 * algorithm behind `DELETE /me`, `DELETE /admin/users/{id}` and the CLI's `users delete`.
 *
 * 1. Read the user's partition at once (`listUserItems`: user, sessions, tokens, strongly
 *    consistent).
 * 2. Commit, in ONE transaction, the deletion of the user AND of the claim of the email it holds
 *    right now, every mail token kind and as many of the listed sessions as fit beside them,
 *    conditioned on the user being exactly as read: `emailCanonical` (an email change that
 *    moved the claim since our read makes us read again, so the claim we release is always the
 *    user's current one and no claim is left pointing at a deleted user), `sessionSeq` (no
 *    session was created since the listing) and the caller's `guard`.
 * 3. On `user_changed`, read again (up to 5 times, then 503).
 * 4. Sessions that did not fit are deleted in follow-up commits: the user is already gone, so
 *    sign-ins, renewals and the authorizer (which read the user) refuse them.
 *
 * Sign-ins, renewals and email changes that read the user before are conditioned on the user
 * item, which is gone, so none can leave a session, token or claim behind. The email can
 * register again at once.
 *
 * Throws `ConflictError('not_found')` when the user is missing (or vanished meanwhile) and
 * `ConflictError('user_changed')` when the caller's `guard` no longer holds; the callers turn
 * them into their own answers.
 */
export async function deleteAccount(deps: Pick<Deps, 'store'>, userId: string, guard: DeleteGuard = {}): Promise<User> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const items = await deps.store.listUserItems(userId);
    const user = items.user;
    if (!user) throw new ConflictError('not_found');
    if (guard.passwordHash !== undefined && user.passwordHash !== guard.passwordHash) throw new ConflictError('user_changed');
    const head: WriteOp[] = [
      // emailCanonical: the claim we release is the user's current one (an email change since
      // our read fails this and we read again); sessionSeq: no session was created since the
      // listing; passwordHash: the password the caller checked is still the password.
      {
        type: 'deleteUser',
        id: userId,
        emailCanonical: user.emailCanonical,
        guard: {
          sessionSeq: user.sessionSeq,
          emailCanonical: user.emailCanonical,
          // No passkey added or removed since the listing: every claim listed goes with the user.
          passkeyCount: (items.passkeys ?? []).length,
          ...(guard.passwordHash !== undefined ? { passwordHash: guard.passwordHash } : {}),
        },
      },
      // Every kind, not only the tokens listed: a token written after our read (its write is
      // conditioned on the user existing) would otherwise outlive the account.
      ...MAIL_TOKEN_KINDS.map((kind): WriteOp => ({ type: 'deleteToken', userId, kind })),
      // Social sign-in: the identity claims go with the user, so the provider account can sign up again.
      ...(await deps.store.listIdentities(userId)).map((i): WriteOp => ({ type: 'deleteIdentity', userId, provider: i.provider, sub: i.sub })),
      // Passkeys and their claims (`docs/specs/mfa-and-passkeys.md` §12): a leftover claim would
      // block its credential forever. At most AUTH_WEBAUTHN_MAX_PASSKEYS, so they fit here.
      ...(items.passkeys ?? []).map((p): WriteOp => ({ type: 'deletePasskey', userId, id: p.id })),
    ];
    const sessions = items.sessions.map((s): WriteOp => ({ type: 'deleteSession', userId, id: s.id }));
    if (guard.audit) head.push(...(await guard.audit({ user, sessions: sessions.length })));
    try {
      await commitInChunks(deps.store, head, sessions);
    } catch (error) {
      // Read again: the next round decides whether the caller's guard still holds.
      if (isConflict(error, 'user_changed')) continue;
      throw error;
    }
    return user;
  }
  throw new ServiceUnavailableError('Too many concurrent changes to this account. Please try again.');
}
