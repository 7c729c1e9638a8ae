import { AuthError, isConflict } from '../domain/errors.js';
import { type PublicUser, toPublicUser } from '../domain/types.js';
import { type Actor, ADMIN_ROUTES, actorOf, assertAdmin, assertNotSelf, loadUser } from './admin-users.js';
import { auditOp, sessionsRevokedOps } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';
import { revokeAllSessions } from './revoke.js';
import { enqueueOp, prepareTemplateMail } from './send-mail.js';

/**
 * `POST /admin/users/{id}/mfa/reset` and `npx latch users mfa-reset` (`docs/specs/mfa-and-passkeys.md`
 * §8.2, ASVS 6.4.4: the admin proofed the user out of band). One transaction: TOTP, recovery codes
 * and `mfaEnabled` removed from the user, every session revoked (a `sessionEpoch` bump, so an
 * `mfaToken` issued before dies too), the `admin.mfa_reset` event and the owner's `mfaReset`
 * notice. A pending TOTP enrolment needs a session to be confirmed, and every session is revoked:
 * it simply expires. Passkeys (part B) add their items and claims to this transaction.
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
  try {
    await revokeAllSessions(deps, id, {
      set: { mfaEnabled: false, updatedAt: nowIso(deps) },
      remove: ['totp', 'recoveryCodes', 'recoveryCodesCreatedAt'],
      extraOps: [enqueueOp(mail)],
      audit: async ({ count }) => [
        await auditOp(deps, { type: 'admin.mfa_reset', userId: id, actor: actorOf(actor, request), request }),
        ...(await sessionsRevokedOps(deps, { userId: id, count, reason: 'mfa_reset', actor: actorOf(actor, request), request })),
      ],
    });
  } catch (error) {
    if (isConflict(error, 'not_found')) throw new AuthError('not_found');
    throw error;
  }
  deps.log.info('second factors reset', { flow: 'admin-users', userId: id, actor: actor === 'operator' ? 'operator' : actor.userId });
  return toPublicUser(await loadUser(deps, id));
}
