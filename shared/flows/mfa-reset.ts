import { AuthError, isConflict, ServiceUnavailableError } from '../domain/errors.js';
import { derivedSignInMethods } from '../domain/passkeys.js';
import { type PublicUser, toPublicUser } from '../domain/types.js';
import type { UserAdjust, WriteOp } from '../ports/store.js';
import { type Actor, ADMIN_ROUTES, actorOf, assertAdmin, assertNotSelf, loadUser } from './admin-users.js';
import { auditOp, sessionsRevokedOps } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';
import { revokeAllSessions } from './revoke.js';
import { enqueueOp, prepareTemplateMail } from './send-mail.js';

/** Attempts when a passkey is added or removed between the read and the reset's commit. */
const RESET_ATTEMPTS = 5;

/** The user's passkeys changed between the read and the commit: read again. */
class PasskeysChanged extends Error {}

/**
 * `POST /admin/users/{id}/mfa/reset` and `npx latch users mfa-reset` (`docs/specs/mfa-and-passkeys.md`
 * §8.2, ASVS 6.4.4: the admin proofed the user out of band). One transaction: TOTP, recovery codes
 * and `mfaEnabled` removed from the user, every passkey and its credential claim deleted (so the
 * credential can be registered again), `passkeyCount` back to 0 and `signInMethods` down by the
 * discoverable passkeys (kept exact), every session revoked (a `sessionEpoch` bump, so an
 * `mfaToken` issued before dies too), the `admin.mfa_reset` event and the owner's `mfaReset`
 * notice. The commit is conditioned on `passkeyCount` as read (a passkey added or removed
 * meanwhile makes it read again). A pending TOTP enrolment needs a session to be confirmed, and
 * every session is revoked: it simply expires. A user left without any sign-in method signs in
 * after a password reset (which adds the password back).
 */
export async function resetMfa(deps: Deps, actor: Actor, id: string, request?: RequestInfo): Promise<PublicUser> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.mfaReset, request);
  await assertNotSelf(deps, actor, id, ADMIN_ROUTES.mfaReset, request);
  const user = await loadUser(deps, id);
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'mfaReset',
    { appUrl: deps.config.appUrl, email: user.email },
    { userId: user.id, locale: user.locale, cap: null },
  );
  let done = false;
  for (let attempt = 0; attempt < RESET_ATTEMPTS && !done; attempt++) {
    const current = await deps.store.getUser(id);
    if (!current) throw new AuthError('not_found');
    const passkeys = await deps.store.listPasskeys(id);
    const count = current.passkeyCount ?? 0;
    if (passkeys.length !== count) continue; // a registration or removal in flight: read again
    const discoverable = passkeys.filter((p) => p.discoverable).length;
    const adjust: UserAdjust | undefined =
      count === 0
        ? undefined
        : { passkeyCount: -count, ...(discoverable > 0 ? { signInMethods: { delta: -discoverable, derived: derivedSignInMethods(current) } } : {}) };
    try {
      await revokeAllSessions(deps, id, {
        set: { mfaEnabled: false, updatedAt: nowIso(deps) },
        remove: ['totp', 'recoveryCodes', 'recoveryCodesCreatedAt'],
        guard: { passkeyCount: count, passwordHash: current.passwordHash },
        precheck: (fresh) => {
          if ((fresh.passkeyCount ?? 0) !== count || fresh.passwordHash !== current.passwordHash) throw new PasskeysChanged();
        },
        ...(adjust ? { adjust } : {}),
        extraOps: [...passkeys.map((p): WriteOp => ({ type: 'deletePasskey', userId: id, id: p.id })), enqueueOp(mail)],
        audit: async ({ count: sessions }) => [
          await auditOp(deps, { type: 'admin.mfa_reset', userId: id, actor: actorOf(actor, request), request }),
          ...(await sessionsRevokedOps(deps, { userId: id, count: sessions, reason: 'mfa_reset', actor: actorOf(actor, request), request })),
        ],
      });
      done = true;
    } catch (error) {
      if (error instanceof PasskeysChanged || isConflict(error, 'user_changed')) continue;
      if (isConflict(error, 'not_found')) {
        // The user deleted, or a passkey removed meanwhile (its delete found nothing): read again.
        if (!(await deps.store.getUser(id))) throw new AuthError('not_found');
        continue;
      }
      throw error;
    }
  }
  if (!done) throw new ServiceUnavailableError('Too many concurrent changes to this account. Please try again.');
  deps.log.info('second factors reset', { flow: 'admin-users', userId: id, actor: actor === 'operator' ? 'operator' : actor.userId });
  return toPublicUser(await loadUser(deps, id));
}
