import { canonicalizeEmail } from '../domain/email.js';
import { AuthError, isConflict } from '../domain/errors.js';
import { derivedSignInMethods } from '../domain/passkeys.js';
import type { User } from '../domain/types.js';
import { FieldChecker } from '../domain/validation.js';
import type { WriteOp } from '../ports/store.js';
import { notifyPasswordChanged } from './after-hooks.js';
import { auditOp, recordAudit, sessionsRevokedOps } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';
import { clearFailedSignIns } from './lockout.js';
import { consumeOp, findMailToken, prepareMailToken } from './mail-tokens.js';
import { migrateUserOnPasswordReset } from './migrate-user.js';
import { passwordPolicy } from './password-policy.js';
import { revokeAllSessions } from './revoke.js';
import { commitWithMail, type PreparedMail, prepareTemplateMail, standInUser } from './send-mail.js';

/** Who may get a reset mail: a known user who is not locked and not a pending invitee. */
function mayReset(user: User | undefined): user is User {
  return user !== undefined && !user.locked && !user.invitationPending;
}

/**
 * `POST /password-reset`: mails a reset link to a known, unlocked user; nobody else gets
 * anything, and the caller cannot tell which happened: the answer is the same, and for an
 * unknown or locked account the flow does the same work (a token minted and hashed, the mail
 * rendered, the same transaction of user check, token, mail cap count and outbox mail sent to
 * the store, which refuses it on the stand-in's missing user) without storing anything. A new
 * link replaces the user's earlier one. The mail leaves from the outbox, out of the request, and
 * past the recipient's cap (`AUTH_MAIL_RECIPIENT_LIMIT`) nothing is written and the earlier link
 * stays valid.
 */
export async function requestPasswordReset(deps: Deps, input: { email?: string | undefined }, request?: RequestInfo): Promise<void> {
  const check = new FieldChecker();
  const email = check.email('email', input.email);
  check.throwIfAny();
  if (email === undefined) return;
  const canonical = canonicalizeEmail(email);
  // An unknown address may be vouched for by the migrateUser hook (lazy migration): a reset is
  // the way in for users whose old system never gave out hashes (e.g. Cognito).
  const found = (await deps.store.findUserByEmail(canonical)) ?? (await migrateUserOnPasswordReset(deps, canonical, request ?? { ip: null, userAgent: null }));
  const user = mayReset(found) ? found : undefined;
  const target = user ?? standInUser(email);
  const { op, mail } = await prepareResetMail(deps, target, { emailCanonical: canonical, decoy: !user });
  // `password.reset_requested`: for an eligible user in the commit of the token (no link
  // without its event); for any other address written alone, AT THE SAME TIME as the stand-in's
  // refused commit, so the answer takes as long either way. An unknown address goes under
  // `NOUSER#<day>` with its emailHash only; a locked or invited account under its own id.
  const event = { type: 'password.reset_requested' as const, emailCanonical: canonical, request };
  let outcome: string;
  try {
    // A deletion, lock or email change that landed since our read wins: no token is left behind.
    const checkOp: WriteOp = { type: 'checkUser', id: target.id, guard: { unlocked: true, emailCanonical: user?.emailCanonical ?? canonical } };
    if (user) {
      outcome = await commitWithMail(deps, [checkOp, op, await auditOp(deps, { ...event, userId: user.id })], [mail], 'nothing');
    } else {
      const [commit, audit] = await Promise.allSettled([
        commitWithMail(deps, [checkOp, op], [mail], 'nothing'),
        recordAudit(deps, { ...event, userId: found?.id ?? null, outcome: 'failure' }),
      ]);
      if (audit.status === 'rejected') throw audit.reason;
      if (commit.status === 'rejected') throw commit.reason;
      outcome = commit.value;
    }
  } catch (error) {
    if (!isConflict(error)) throw error;
    outcome = user ? 'user_changed' : found ? 'not_allowed' : 'unknown';
  }
  // Past the recipient's cap (or when the account changed meanwhile) nothing was written: the
  // request still leaves its event, as a failure.
  if (user && outcome !== 'queued') await recordAudit(deps, { ...event, userId: user.id, outcome: 'failure' });
  deps.log.info('password reset requested', { flow: 'password-reset', ...(user ? { userId: user.id } : {}), code: outcome });
}

/**
 * A new reset token for `user` (its write replaces the user's earlier one, so older links die)
 * and the `resetPassword` mail with its link, capped as `reset` per recipient (`emailCanonical`,
 * default the user's). Commit them together (see `commitWithMail`), so the link in a mail always
 * works. Used by `POST /password-reset` and by the blocked sign-in of a breached password.
 */
export async function prepareResetMail(
  deps: Deps,
  user: User,
  options: { emailCanonical?: string; decoy?: boolean } = {},
): Promise<{ op: WriteOp; mail: PreparedMail }> {
  const { op, link } = prepareMailToken(deps, user, 'reset');
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'resetPassword',
    { appUrl: deps.config.appUrl, email: user.email, link, validForMinutes: String(Math.round(deps.config.resetTokenTtlSeconds / 60)) },
    {
      userId: user.id,
      locale: user.locale,
      cap: { kind: 'reset', emailCanonical: options.emailCanonical ?? user.emailCanonical },
      decoy: options.decoy ?? false,
    },
  );
  return { op, mail };
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
  request?: RequestInfo,
): Promise<void> {
  const { token, user } = await findResetToken(deps, rawToken);
  const check = new FieldChecker();
  const password = check.password(input.password, input.passwordConfirmation, passwordPolicy(deps, user.email));
  check.throwIfAny();
  if (password === undefined) throw new Error('unreachable: validated above');
  const passwordHash = await deps.hasher.hash(password);
  // The password as read decides whether the reset adds a sign-in method (a passwordless user
  // gets the password back: `signInMethods` + 1, `docs/specs/mfa-and-passkeys.md` §7.4); the
  // commit is conditioned on it, so two resets, or a reset and a first `PATCH /me` password,
  // racing on a passwordless user add it once. A password set or removed meanwhile: read again.
  let current = user;
  for (let attempt = 0; ; attempt++) {
    try {
      await revokeAllSessions(deps, user.id, {
        set: { passwordHash, updatedAt: nowIso(deps) },
        // A lock that landed after we read the token wins: the reset does not go through.
        guard: { unlocked: true, passwordHash: current.passwordHash },
        ...(current.passwordHash === null ? { adjust: { signInMethods: { delta: 1, derived: derivedSignInMethods(current) } } } : {}),
        extraOps: [consumeOp(deps, token)],
        // The reset and the sessions it ends: events in the commit that sets the password.
        audit: async ({ count }) => [
          await auditOp(deps, { type: 'password.reset', userId: user.id, emailCanonical: user.emailCanonical, request }),
          ...(await sessionsRevokedOps(deps, { userId: user.id, count, reason: 'password_reset', request })),
        ],
      });
      break;
    } catch (error) {
      if (isConflict(error, 'user_changed') && attempt < 2) {
        const fresh = await deps.store.getUser(user.id);
        if (fresh && !fresh.locked && fresh.passwordHash !== current.passwordHash) {
          current = fresh;
          continue;
        }
      }
      // Spent or replaced meanwhile (token_mismatch), user deleted (not_found) or locked (user_changed).
      if (isConflict(error)) throw new AuthError('invalid_token');
      throw error;
    }
  }
  // The reset lifts a temporary lockout of the email. A separate write after the commit: if it
  // fails the password is still set, and the lockout simply runs out on its own.
  await clearFailedSignIns(deps, user.emailCanonical).catch(() =>
    deps.log.warn('could not clear failed sign-ins', { flow: 'password-reset', userId: user.id }),
  );
  deps.log.info('password reset', { flow: 'password-reset', userId: user.id });
  await notifyPasswordChanged(deps, { ...user, passwordHash, updatedAt: nowIso(deps) }, 'reset');
}
