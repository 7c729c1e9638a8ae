import { AuthError, isConflict } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { hashSecret, safeEqual } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import type { WriteOp } from '../ports/store.js';
import { auditOp } from './audit.js';
import type { Deps, RequestInfo } from './deps.js';
import { prepareResetMail } from './password-reset.js';
import { commitWithMail, enqueueOp, type MailCommit, prepareTemplateMail } from './send-mail.js';
import type { SignInWarning } from './token-pair.js';

/**
 * The breached-password check at sign-in (`AUTH_BREACHED_PASSWORD_ON_SIGN_IN`, see
 * `docs/passwords.md`). Called after a correct password and the account-state checks
 * (`account_locked`, `email_not_confirmed`), before the session starts. The password is looked up
 * in the embedded common list and the breached artefact; when found:
 *
 * - `notify`: the sign-in proceeds and this returns `['password_compromised']` for the token pair.
 *   The owner gets one `breachedPasswordSignIn` mail per password: the user item keeps
 *   `breachNoticeHash` (SHA-256 of the password hash), set by a write conditioned on it being
 *   missing or different, in the same commit as the mail and the `password.breached_on_sign_in`
 *   event. Of concurrent sign-ins exactly one wins that condition; the others (and every later
 *   sign-in with the same password) send nothing. A new password has a new hash: noticed again.
 * - `block`: `403 password_compromised`, no session. A reset mail goes out (a new reset token,
 *   which kills older links), capped per recipient like every reset mail, with the event in the
 *   same commit; past the cap only the event is written (the earlier link stays valid). The
 *   caller gives the attempt's lockout slot back: a right password is not a guess.
 * - `off`: nothing is looked up.
 *
 * Users whose password was set before a list update and imported users whose legacy hash verifies
 * a breached password are covered the same way.
 */
export async function checkBreachedPasswordAtSignIn(deps: Deps, user: User, password: string, request: RequestInfo): Promise<SignInWarning[]> {
  const mode = deps.config.breachedPasswordOnSignIn;
  if (mode === 'off' || !user.passwordHash) return [];
  if (!deps.commonPasswords.has(password) && !deps.breached.has(password)) return [];
  if (mode === 'block') return block(deps, user, request);
  await notify(deps, user, user.passwordHash, request);
  return ['password_compromised'];
}

/** One notice per password: the mail and the event go with the conditional write of the notice hash. */
async function notify(deps: Deps, user: User, passwordHash: string, request: RequestInfo): Promise<void> {
  const noticeHash = hashSecret(passwordHash);
  // Already noticed (the common case after the first sign-in): nothing to render or write. The
  // write's condition below decides under concurrency; this read only saves the round trip.
  if (user.breachNoticeHash !== undefined && safeEqual(user.breachNoticeHash, noticeHash)) return;
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'breachedPasswordSignIn',
    { appUrl: deps.config.appUrl, email: user.email },
    // A security notice: never capped.
    { userId: user.id, locale: user.locale, cap: null },
  );
  const event = await auditOp(deps, { type: 'password.breached_on_sign_in', userId: user.id, details: { action: 'notify' }, request });
  const ops: WriteOp[] = [
    {
      type: 'updateUser',
      id: user.id,
      set: { breachNoticeHash: noticeHash },
      // Not noticed yet for this password (of concurrent sign-ins one wins), and still this
      // password: a notice is never recorded for a hash the user no longer has.
      guard: { breachNoticeHashNot: noticeHash, passwordHash },
    },
    enqueueOp(mail),
    event,
  ];
  try {
    await deps.store.commit(ops);
  } catch (error) {
    // Another sign-in sent the notice, or the password changed meanwhile: no mail from this one.
    if (!isConflict(error)) throw error;
    return;
  }
  deps.log.info('breached password at sign-in: owner notified', { flow: 'session', userId: user.id, code: 'password_compromised' });
}

/** `403 password_compromised`, after queueing a reset mail (capped) with the event. */
async function block(deps: Deps, user: User, request: RequestInfo): Promise<never> {
  const { op, mail } = await prepareResetMail(deps, user);
  const event = await auditOp(deps, { type: 'password.breached_on_sign_in', userId: user.id, details: { action: 'block' }, request });
  // The password just verified is still the user's, the user is not locked and keeps its address:
  // otherwise no reset link is minted.
  const check: WriteOp = { type: 'checkUser', id: user.id, guard: { unlocked: true, emailCanonical: user.emailCanonical, passwordHash: user.passwordHash } };
  let outcome: MailCommit;
  try {
    outcome = await commitWithMail(deps, [check, op, event], [mail], 'nothing');
  } catch (error) {
    if (!isConflict(error)) throw error;
    // Locked, deleted or given another password between our read and this write.
    const fresh = await deps.store.getUser(user.id);
    if (fresh?.locked) throw new AuthError('account_locked', messages.accountLocked);
    throw new AuthError('invalid_credentials', messages.invalidCredentials);
  }
  // Past the recipient's reset cap nothing was written (the earlier link stays valid); the blocked
  // sign-in is still recorded.
  if (outcome === 'capped') await deps.store.commit([event]);
  deps.log.info('breached password at sign-in: blocked', { flow: 'session', userId: user.id, code: 'password_compromised', mail: outcome });
  throw new AuthError('password_compromised');
}
