import { canonicalizeEmail } from '../domain/email.js';
import { AuthError, isConflict } from '../domain/errors.js';
import { randomId } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import { FieldChecker } from '../domain/validation.js';
import { notifyPasswordChanged } from './after-hooks.js';
import { type Deps, nowIso } from './deps.js';
import { clearFailedSignIns } from './lockout.js';
import { consumeOp, findMailToken, prepareMailToken } from './mail-tokens.js';
import { passwordPolicy } from './password-policy.js';
import { revokeAllSessions } from './revoke.js';
import { mailQuietly, sendMail } from './send-mail.js';

/** Who may get a reset mail: a known user who is not locked and not a pending invitee. */
function mayReset(user: User | undefined): user is User {
  return user !== undefined && !user.locked && !user.invitationPending;
}

/**
 * `POST /password-reset`: mails a reset link to a known, unlocked user; nobody else gets
 * anything, and the caller cannot tell which happened: the answer is the same, and for an
 * unknown or locked account the flow does the same cheap work (a token minted and hashed, the
 * mail rendered, the same transaction sent to the store, which refuses it) without storing or
 * sending anything. A new link replaces the user's earlier one. What still differs is the call to
 * the mail service (see docs/account-lifecycle.md).
 */
export async function requestPasswordReset(deps: Deps, input: { email?: string | undefined }): Promise<void> {
  const check = new FieldChecker();
  const email = check.email('email', input.email);
  check.throwIfAny();
  if (email === undefined) return;
  const found = await deps.store.findUserByEmail(canonicalizeEmail(email));
  const user = mayReset(found) ? found : undefined;
  // For nobody, a stand-in user so the same token and template work is done.
  const target = user ?? ({ id: randomId(), email } as User);
  const { op, link } = prepareMailToken(deps, target, 'reset');
  const mail = deps.templates.resetPassword({
    appUrl: deps.config.appUrl,
    email: target.email,
    link,
    validForMinutes: String(Math.round(deps.config.resetTokenTtlSeconds / 60)),
  });
  if (!user) {
    // The same transaction round trip as the real path (it fails on the stand-in's missing user
    // and writes nothing), so the store's latency does not tell the cases apart either.
    await deps.store
      .commit([{ type: 'checkUser', id: target.id, guard: { unlocked: true, emailCanonical: canonicalizeEmail(email) } }, op])
      .catch((error: unknown) => {
        if (!isConflict(error)) throw error;
      });
    deps.log.info('password reset requested: no mail', { flow: 'password-reset', code: found ? 'not_allowed' : 'unknown' });
    return;
  }
  try {
    await deps.store.commit([
      // A deletion or lock that landed since our read wins: no token is left behind for them.
      { type: 'checkUser', id: user.id, guard: { unlocked: true, emailCanonical: user.emailCanonical } },
      op,
    ]);
  } catch (error) {
    if (!isConflict(error)) throw error;
    deps.log.info('password reset requested: user changed meanwhile, no mail', { flow: 'password-reset', userId: user.id });
    return;
  }
  // An SES failure is logged, not answered: a 503 only for known accounts would reveal them.
  await mailQuietly(deps, 'password-reset', user.id, () => sendMail(deps, user.email, mail, 'resetPassword'));
  deps.log.info('password reset requested: mail sent', { flow: 'password-reset', userId: user.id });
}

/** Finds the live reset token behind a link and its user; locked users' links are dead too. */
async function findResetToken(deps: Deps, rawToken: unknown) {
  const found = await findMailToken(deps, 'reset', rawToken);
  if (!mayReset(found.user)) throw new AuthError('invalid_token');
  return found;
}

/** `GET /password-reset/{token}`: the address the link is for, so the client can show it. */
export async function checkResetToken(deps: Deps, rawToken: unknown): Promise<{ email: string }> {
  const { user } = await findResetToken(deps, rawToken);
  return { email: user.email };
}

/**
 * `POST /password-reset/{token}`: sets a new password (policy as at registration; a 422 leaves
 * the token usable), spends the token, revokes every session of the user and clears the failed
 * sign-in counter, all in one transaction. Of concurrent uses of one token exactly one wins (the
 * conditional delete of the token); the others get `404 invalid_token`. The user is not signed
 * in, and nothing else (such as email confirmation) changes.
 */
export async function resetPassword(
  deps: Deps,
  rawToken: unknown,
  input: { password?: string | undefined; passwordConfirmation?: string | undefined },
): Promise<void> {
  const { token, user } = await findResetToken(deps, rawToken);
  const check = new FieldChecker();
  const password = check.password(input.password, input.passwordConfirmation, passwordPolicy(deps, user.email));
  check.throwIfAny();
  if (password === undefined) throw new Error('unreachable: validated above');
  const passwordHash = await deps.hasher.hash(password);
  try {
    await revokeAllSessions(deps, user.id, {
      set: { passwordHash, updatedAt: nowIso(deps) },
      // A lock that landed after we read the token wins: the reset does not go through.
      guard: { unlocked: true },
      extraOps: [consumeOp(deps, token)],
    });
  } catch (error) {
    // Spent or replaced meanwhile (token_mismatch), user deleted (not_found) or locked (user_changed).
    if (isConflict(error)) throw new AuthError('invalid_token');
    throw error;
  }
  // The reset lifts a temporary lockout of the email. A separate write after the commit: if it
  // fails the password is still set, and the lockout simply runs out on its own.
  await clearFailedSignIns(deps, user.emailCanonical).catch(() =>
    deps.log.warn('could not clear failed sign-ins', { flow: 'password-reset', userId: user.id }),
  );
  deps.log.info('password reset', { flow: 'password-reset', userId: user.id });
  await notifyPasswordChanged(deps, { ...user, passwordHash, updatedAt: nowIso(deps) }, 'reset');
}
