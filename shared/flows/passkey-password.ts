import { AuthError, ConflictError, isConflict, ServiceUnavailableError } from '../domain/errors.js';
import { derivedSignInMethods, signInMethodsOf } from '../domain/passkeys.js';
import { auditOp } from './audit.js';
import { type Deps, nowIso, type Principal, type RequestInfo } from './deps.js';
import { codeSpentMeanwhile } from './mfa-recovery-codes.js';
import { recoveryCodeUsedOps, requireStepUp, type StepUpInput } from './reauthenticate.js';
import { revokeAllSessions } from './revoke.js';
import { enqueueOp, prepareTemplateMail } from './send-mail.js';

/**
 * `DELETE /me/password` (R) (`docs/specs/mfa-and-passkeys.md` §7.4): a user with another way to
 * sign in (a discoverable passkey) goes passwordless. Served by the `account` function: this
 * module does not import the WebAuthn library.
 *
 * One transaction: the password hash removed (only the one that was read), `signInMethods`
 * decremented on the condition that it stays at least 1 (two removals racing, e.g. this and a
 * passkey's, cannot both take the last method), every other session revoked, the event and the
 * `passwordRemoved` notice. A password reset later adds a password back.
 */
export async function removePassword(deps: Deps, principal: Principal, input: StepUpInput, request?: RequestInfo): Promise<void> {
  const current = await deps.store.getUser(principal.userId);
  if (!current) throw new AuthError('unauthorized');
  if (current.passwordHash === null) throw new AuthError('not_found');
  // Refused before the step-up proof is checked: a 409 spends no attempt and touches no counter.
  if (signInMethodsOf(current) <= 1) throw new AuthError('last_sign_in_method');
  const { user, session, proof } = await requireStepUp(deps, principal, input, 'account');
  if (user.passwordHash === null) throw new AuthError('not_found');
  if (signInMethodsOf(user) <= 1) throw new AuthError('last_sign_in_method');
  const derived = derivedSignInMethods(user);
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'passwordRemoved',
    { appUrl: deps.config.appUrl, email: user.email },
    { userId: user.id, locale: user.locale, cap: null },
  );
  try {
    await revokeAllSessions(deps, user.id, {
      keepSessionId: session.id,
      guard: { passwordHash: user.passwordHash, signInMethodsAbove: { min: 1, derived } },
      precheck: (fresh) => {
        if (signInMethodsOf(fresh) <= 1) throw new AuthError('last_sign_in_method');
      },
      set: { passwordHash: null, passwordFormat: null, updatedAt: nowIso(deps) },
      adjust: { signInMethods: { delta: -1, derived } },
      ...(proof ? { spend: proof.spend } : {}),
      extraOps: [
        await auditOp(deps, { type: 'password.removed', userId: user.id, sessionId: session.id, request }),
        enqueueOp(mail),
        ...(await recoveryCodeUsedOps(deps, user, proof, request, session.id)),
      ],
    });
  } catch (error) {
    if (isConflict(error, 'code_spent')) throw codeSpentMeanwhile();
    // The password or the sign-in methods changed meanwhile: the last method stays, or try again.
    if (isConflict(error, 'user_changed')) {
      const fresh = await deps.store.getUser(user.id);
      if (!fresh || signInMethodsOf(fresh) <= 1) throw new AuthError('last_sign_in_method');
      throw new ServiceUnavailableError('Your account changed meanwhile. Please try again.');
    }
    if (isConflict(error, 'not_found') || isConflict(error, 'session_gone') || error instanceof ConflictError) throw new AuthError('unauthorized');
    throw error;
  }
  deps.log.info('password removed', { flow: 'account', userId: user.id });
}
