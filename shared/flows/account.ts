import { canonicalizeEmail } from '../domain/email.js';
import { AuthError, isConflict, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { derivedSignInMethods } from '../domain/passkeys.js';
import { type PublicUser, toPublicUser, type User } from '../domain/types.js';
import { FieldChecker } from '../domain/validation.js';
import type { WriteOp } from '../ports/store.js';
import { notifyPasswordChanged } from './after-hooks.js';
import { mergeAttributes, readUserAttributes } from './attributes.js';
import { auditOp, emailHashOf, sessionsRevokedOps } from './audit.js';
import { deleteAccount } from './delete-account.js';
import { type Deps, nowIso, type Principal, type RequestInfo } from './deps.js';
import { recordFailedSignIn, releaseAttempt, reserveAttempt } from './lockout.js';
import { prepareMailToken } from './mail-tokens.js';
import { passwordPolicy } from './password-policy.js';
import { isFresh, reauthenticationRequired } from './reauthenticate.js';
import { revokeAllSessions } from './revoke.js';
import { type PreparedMail, prepareTemplateMail, writeWithMail } from './send-mail.js';
import { localeOnly, setMyLocale } from './user-locale.js';

/** The caller's own user object. */
export async function getMe(deps: Deps, principal: Principal): Promise<PublicUser> {
  const user = await deps.store.getUser(principal.userId);
  if (!user) throw new AuthError('unauthorized');
  return toPublicUser(user);
}

/** Body of `PATCH /me`. */
export interface UpdateMeInput {
  currentPassword?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  passwordConfirmation?: string | undefined;
  /** The user's language (hosted-ui.md §8): `en` or `de` (null: clears it; over HTTP a null member is absent). Alone, it needs no `currentPassword`. */
  locale?: string | null | undefined;
  /** The whole request body: declared custom attributes are read from its top-level members. */
  body?: Record<string, unknown> | undefined;
}

const wrongCurrentPassword = () => new ValidationError({ currentPassword: [messages.field.invalid] });

/**
 * Loads the caller and checks `currentPassword` against the stored hash. Field errors found by
 * `check` come in the same 422. Returns the user and the hash that was verified, which the
 * caller's commit is conditioned on (a concurrent password change makes it fail, not slip by).
 *
 * A guess behind a stolen access token is a guess at the account's password: it counts as a
 * failed sign-in of the account, with the same counter and the same reservation (`lockout.ts`).
 * Past `AUTH_MAX_FAILED_SIGN_INS` the answer is `429 too_many_attempts` with `Retry-After`,
 * whatever the password, without verifying it; a wrong one keeps its slot (and can start the
 * lockout, with its mail); a right one gives its slot back.
 */
async function verifyCurrentPassword(
  deps: Deps,
  principal: Principal,
  check: FieldChecker,
  currentPassword: string | undefined,
): Promise<{ user: User; verifiedHash: string | null }> {
  const user = await deps.store.getUser(principal.userId);
  if (!user) throw new AuthError('unauthorized');
  if (user.passwordHash === null) {
    // A user without a password (passkeys, providers) sends none: fresh authentication instead
    // (`docs/specs/mfa-and-passkeys.md` §4); the commit is conditioned on still having none.
    const session = await deps.store.getSession(principal.userId, principal.sessionId);
    if (!session) throw new AuthError('unauthorized');
    if (!isFresh(deps, user, session)) throw reauthenticationRequired(deps, user);
    check.throwIfAny();
    return { user, verifiedHash: null };
  }
  if (currentPassword === undefined || currentPassword === '') {
    check.add('currentPassword', messages.field.blank);
    check.throwIfAny();
  }
  const attempt = await reserveAttempt(deps, { emailCanonical: user.emailCanonical, ip: null }, 'account');
  const verified = user.passwordHash !== null && (await deps.hasher.verify(user.passwordHash, currentPassword as string));
  if (verified) {
    await releaseAttempt(deps, attempt);
  } else {
    check.add('currentPassword', messages.field.invalid);
    deps.log.info('current password refused', { flow: 'account', userId: user.id, code: 'validation_failed' });
    await recordFailedSignIn(deps, attempt, user, 'account');
  }
  check.throwIfAny();
  return { user, verifiedHash: user.passwordHash as string };
}

/** What a `PATCH /me` does to the email. */
type EmailChange =
  | { kind: 'none' }
  /** The current address sent back: drop the pending change and its link. */
  | { kind: 'cancel' }
  /** Wait in `unconfirmedEmail` until the link mailed to it is used. */
  | { kind: 'pending'; email: string }
  /** No confirmation configured: move the claim now. */
  | { kind: 'immediate'; email: string; canonical: string };

function emailChangeOf(deps: Deps, user: User, email: string | undefined): EmailChange {
  if (email === undefined) return { kind: 'none' };
  const canonical = canonicalizeEmail(email);
  if (canonical === user.emailCanonical) return user.unconfirmedEmail === null ? { kind: 'none' } : { kind: 'cancel' };
  if (deps.config.requireEmailConfirmation) return { kind: 'pending', email };
  return { kind: 'immediate', email, canonical };
}

/**
 * `PATCH /me`: changes the caller's email and/or password after checking `currentPassword`.
 *
 * - Email, with confirmation required: the new address waits in `unconfirmedEmail` (not
 *   reserved); a confirmation link goes to it and a notice to the current address. Sending the
 *   current address back cancels the pending change and deletes its link.
 * - Email, without confirmation: the claim moves at once (`422 errors.email` when taken) and the
 *   old address gets a notice.
 * - Password (policy as at registration): every other session of the user is revoked in the same
 *   transaction, race-free (`revokeAllSessions`); the caller's session survives, and so does its
 *   renewal (a renewal that raced the change re-reads the user, see `renewSession`). An
 *   outstanding reset link dies too: the password it would replace is gone. So does it on an
 *   immediate email change: the old mailbox no longer recovers the account.
 *
 * Everything is one commit, conditioned on the password hash that was verified.
 */
export async function updateMe(deps: Deps, principal: Principal, input: UpdateMeInput, request?: RequestInfo): Promise<PublicUser> {
  const check = new FieldChecker();
  const email = input.email === undefined ? undefined : check.email('email', input.email);
  const password =
    input.password === undefined && input.passwordConfirmation === undefined
      ? undefined
      : check.password(input.password, input.passwordConfirmation, passwordPolicy(deps, principal.email));
  const attributes = input.body ? readUserAttributes(deps, input.body, { mode: 'update', actor: 'user' }, check) : {};
  const locale = check.locale('locale', input.locale, true);
  // A language alone is a preference, not a credential: no current password (hosted-ui.md §8).
  if (localeOnly(input, attributes)) {
    check.throwIfAny();
    return setMyLocale(deps, principal, locale ?? null);
  }
  const { user, verifiedHash } = await verifyCurrentPassword(deps, principal, check, input.currentPassword);

  const change = emailChangeOf(deps, user, email);
  const updatedAt = nowIso(deps);
  const set: Partial<User> = { updatedAt };
  const extraOps: WriteOp[] = [];
  let link: string | undefined;
  if (change.kind === 'cancel') {
    set.unconfirmedEmail = null;
    // The pending change's link dies with it (the confirmation token of a confirmed user is only
    // ever for a pending change).
    if (user.emailConfirmed) extraOps.push({ type: 'deleteToken', userId: user.id, kind: 'confirmation' });
  } else if (change.kind === 'pending') {
    set.unconfirmedEmail = change.email;
    const prepared = prepareMailToken(deps, user, 'confirmation', change.email);
    extraOps.push(prepared.op);
    link = prepared.link;
  } else if (change.kind === 'immediate') {
    // The new address has not been confirmed by anyone; a pending change is moot.
    Object.assign(set, { emailConfirmed: false, unconfirmedEmail: null });
  }
  if (password !== undefined) set.passwordHash = await deps.hasher.hash(password);
  // A reset link dies with the password it would replace, and with the address it was mailed to.
  if (password !== undefined || change.kind === 'immediate') extraOps.push({ type: 'deleteToken', userId: user.id, kind: 'reset' });
  const attributesChanged = Object.keys(attributes).length > 0;
  if (attributesChanged) set.attributes = mergeAttributes(user, attributes);
  const localeChanged = locale !== undefined && locale !== (user.locale ?? null);
  if (localeChanged) set.locale = locale;
  if (change.kind === 'none' && password === undefined && !attributesChanged && !localeChanged) return toPublicUser(user);
  // The mails of an email change are outbox items in the change's own commit: they exist
  // exactly when the change does, and leave out of the request.
  const appUrl = deps.config.appUrl;
  const mails: PreparedMail[] = [];
  if (change.kind === 'pending' && link) {
    const data = { appUrl, email: change.email, link };
    // Capped like every confirmation mail: changing the email over and over cannot flood an address.
    const cap = { kind: 'confirmation' as const, emailCanonical: canonicalizeEmail(change.email) };
    mails.push(await prepareTemplateMail(deps, change.email, 'confirmEmail', data, { userId: user.id, locale: user.locale, cap }));
    const notice = { appUrl, email: user.email, newEmail: change.email };
    mails.push(await prepareTemplateMail(deps, user.email, 'emailChangeRequested', notice, { userId: user.id, locale: user.locale, cap: null }));
  } else if (change.kind === 'immediate') {
    const notice = { appUrl, email: user.email, newEmail: change.email };
    mails.push(await prepareTemplateMail(deps, user.email, 'emailChanged', notice, { userId: user.id, locale: user.locale, cap: null }));
  }

  // The change's audit events, in its commit (with the sessions a password change revokes).
  const subject = { userId: user.id, sessionId: principal.sessionId, emailCanonical: user.emailCanonical, request };
  const events: WriteOp[] = [];
  if (change.kind === 'pending') {
    const toEmailHash = await emailHashOf(deps, canonicalizeEmail(change.email));
    events.push(await auditOp(deps, { ...subject, type: 'email.change_requested', details: { toEmailHash } }));
  } else if (change.kind === 'immediate') {
    const [fromEmailHash, toEmailHash] = await Promise.all([emailHashOf(deps, user.emailCanonical), emailHashOf(deps, change.canonical)]);
    events.push(await auditOp(deps, { ...subject, type: 'email.changed', details: { fromEmailHash, toEmailHash, by: 'self' } }));
  }
  if (password !== undefined) events.push(await auditOp(deps, { ...subject, type: 'password.changed', details: { first: verifiedHash === null } }));

  // Past the new address's cap the change still happens, without its confirmation mail.
  const write = async (mailOps: WriteOp[]): Promise<void> => {
    const extra = [...extraOps, ...mailOps];
    if (password !== undefined) {
      await revokeAllSessions(deps, user.id, {
        keepSessionId: principal.sessionId,
        set,
        guard: { passwordHash: verifiedHash },
        // A first password (the user had none) adds the password sign-in method (§7.4).
        ...(verifiedHash === null ? { adjust: { signInMethods: { delta: 1, derived: derivedSignInMethods(user) } } } : {}),
        extraOps: extra,
        ...(change.kind === 'immediate' ? { moveEmail: { email: change.email } } : {}),
        audit: async ({ count }) => [
          ...events,
          ...(await sessionsRevokedOps(deps, { userId: user.id, count, reason: 'password_change', sessionId: principal.sessionId, request })),
        ],
      });
    } else if (change.kind === 'immediate') {
      await deps.store.commit([
        // Moves the claim: email_taken if the address has an account; the guard makes a
        // concurrent password change win over this request's stale check.
        {
          type: 'moveEmail',
          userId: user.id,
          from: user.emailCanonical,
          to: change.canonical,
          email: change.email,
          set,
          guard: { passwordHash: verifiedHash },
        },
        ...extra,
        ...events,
      ]);
    } else {
      await deps.store.commit([{ type: 'updateUser', id: user.id, set, guard: { passwordHash: verifiedHash } }, ...extra, ...events]);
    }
  };
  try {
    await writeWithMail(deps, write, mails, 'change-only');
  } catch (error) {
    if (isConflict(error, 'email_taken')) throw new ValidationError({ email: [messages.field.taken] });
    if (isConflict(error, 'user_changed')) {
      // The password changed since we checked it: the one we verified is not current any more.
      // Anything else (a concurrent email change) is worth a retry by the client.
      const fresh = await deps.store.getUser(user.id);
      // A first password set meanwhile (by a concurrent request or a reset): now the current one is needed.
      if (verifiedHash === null && fresh && fresh.passwordHash !== null) throw new ValidationError({ currentPassword: [messages.field.blank] });
      if (fresh?.passwordHash !== verifiedHash) throw wrongCurrentPassword();
      throw new ServiceUnavailableError('The account changed while this request ran. Please try again.', { cause: error });
    }
    if (isConflict(error, 'not_found')) throw new AuthError('unauthorized');
    throw error;
  }

  deps.log.info('account updated', { flow: 'account', userId: user.id, email: change.kind, password: password !== undefined });
  // The change is committed: if the re-read fails, answer with the record as written (a 503 would
  // make the client send the old password again, now wrong).
  const written: User = { ...user, ...set, ...(change.kind === 'immediate' ? { email: change.email, emailCanonical: change.canonical } : {}) };
  const fresh = await deps.store.getUser(user.id).catch(() => {
    deps.log.warn('could not re-read the updated user', { flow: 'account', userId: user.id });
    return written;
  });
  if (!fresh) throw new AuthError('unauthorized');
  if (password !== undefined) await notifyPasswordChanged(deps, fresh, 'change');
  return toPublicUser(fresh);
}

/**
 * `DELETE /me`: after checking `currentPassword`, deletes the account with `deleteAccount`
 * (one transaction from one consistent read, guarded by the verified password hash, the email
 * and `sessionSeq`; see `delete-account.ts`). The email can register again at once.
 */
export async function deleteMe(deps: Deps, principal: Principal, input: { currentPassword?: string | undefined }, request?: RequestInfo): Promise<void> {
  const { user, verifiedHash } = await verifyCurrentPassword(deps, principal, new FieldChecker(), input.currentPassword);
  try {
    await deleteAccount(deps, user.id, {
      ...(verifiedHash !== null ? { passwordHash: verifiedHash } : {}),
      // `account.deleted` carries the emailHash: the address's history stays findable, never the address.
      audit: async ({ user: read, sessions }) => [
        await auditOp(deps, { type: 'account.deleted', userId: read.id, sessionId: principal.sessionId, emailCanonical: read.emailCanonical, request }),
        ...(await sessionsRevokedOps(deps, { userId: read.id, count: sessions, reason: 'deletion', sessionId: principal.sessionId, request })),
      ],
    });
  } catch (error) {
    // The password changed since we checked it: the one we verified is not current any more.
    if (isConflict(error, 'user_changed')) throw wrongCurrentPassword();
    if (isConflict(error, 'not_found')) throw new AuthError('unauthorized');
    throw error;
  }
  deps.log.info('account deleted', { flow: 'account', userId: user.id });
}
