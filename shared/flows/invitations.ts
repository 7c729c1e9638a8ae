import { canonicalizeEmail } from '../domain/email.js';
import { AuthError, isConflict } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { toPublicUser, type User } from '../domain/types.js';
import { FieldChecker } from '../domain/validation.js';
import type { WriteOp } from '../ports/store.js';
import { notifyPasswordChanged } from './after-hooks.js';
import { mergeAttributes, readUserAttributes } from './attributes.js';
import { auditOp, emailHashOf } from './audit.js';
import { type Deps, nowIso, nowSeconds, type RequestInfo } from './deps.js';
import { clearFailedSignIns } from './lockout.js';
import { consumeOp, findMailToken } from './mail-tokens.js';
import { passwordPolicy } from './password-policy.js';
import { newUser } from './registration.js';
import { commitWithMail, prepareInvitationMail, standInUser } from './send-mail.js';
import { prepareSession, type TokenPair } from './token-pair.js';

/** What `POST /invitations` answers: the same whether or not the email already had an account. */
export interface Invitation {
  /** The canonical form of the address the inviter sent (what an invited account stores and mails). */
  email: string;
  /** ISO 8601. */
  expiresAt: string;
}

/**
 * The result of {@link inviteUser}. Only `invitation` may go to an HTTP client; `outcome` is
 * for the admin CLI and logs (it tells whether the address had an account).
 */
export interface InviteResult {
  invitation: Invitation;
  /** `invited`: a new invited user; `reinvited`: a pending invitee got a new link; `exists`: nothing done. */
  outcome: 'invited' | 'reinvited' | 'exists';
}

/** Body of `POST /invitations/{token}`. */
export interface AcceptInvitationInput {
  password?: string | undefined;
  passwordConfirmation?: string | undefined;
  /** The whole parsed body: the invitee's custom attributes, as at registration. */
  body?: Record<string, unknown> | undefined;
}

/**
 * Invites someone by email (Pow's invitation extension). `inviterId` is the signed-in caller
 * (re-read here, so a role or confirmation change counts at once), or null for the admin CLI.
 * The caller must have a confirmed email (when the deployment requires confirmation) and, with
 * `AUTH_INVITATIONS=admin`, the role `admin`; otherwise `403 forbidden`.
 *
 * A new address gets an invited user (no password, `invitationPending`, `invitedBy`) and a mail
 * with `<APP_URL>/invitation/<token>`. A pending invitee gets a new link that replaces the old
 * one. An address that already has an account gets nothing and nothing changes, and the answer
 * is the same, so inviting does not tell the inviter who has an account.
 */
export async function inviteUser(deps: Deps, inviterId: string | null, rawEmail: string | undefined, request?: RequestInfo): Promise<InviteResult> {
  if (inviterId !== null) await assertMayInvite(deps, inviterId);
  const check = new FieldChecker();
  const email = check.email('email', rawEmail);
  check.throwIfAny();
  if (email === undefined) throw new Error('unreachable: validated above');

  const expiresAt = nowSeconds(deps) + deps.config.invitationTokenTtlSeconds;
  const answer = (outcome: InviteResult['outcome'], at = expiresAt): InviteResult => ({
    invitation: { email, expiresAt: new Date(at * 1000).toISOString() },
    outcome,
  });
  const canonical = canonicalizeEmail(email);
  // `invitation.created`, in the commit of the invitation: subject the inviter (the invited user
  // for the CLI, whose operator is the actor), the invitee's address as its emailHash only.
  const invited = async (inviteeId: string) =>
    auditOp(deps, {
      type: 'invitation.created',
      userId: inviterId ?? inviteeId,
      emailCanonical: canonical,
      details: { inviteeEmailHash: await emailHashOf(deps, canonical) },
      request,
    });
  const existing = await deps.store.findUserByEmail(canonical);
  if (existing) {
    const pending = existing.invitationPending && existing.passwordHash === null && !existing.locked;
    // An address with an account gets the same transaction for a stand-in user, which the store
    // refuses: the same store work as a re-invite, so the inviter cannot time the difference.
    const invitee = pending ? existing : standInUser(email);
    try {
      return answer('reinvited', await reinvite(deps, invitee, !pending, await invited(invitee.id)));
    } catch (error) {
      if (isConflict(error)) return answer('exists'); // accepted, locked or deleted meanwhile; or the stand-in
      throw error;
    }
  }

  const user: User = { ...newUser(deps, { email, passwordHash: null, invitedBy: inviterId }), invitationPending: true };
  const { tokenOp, mail, expiresAt: at } = await prepareInvitationMail(deps, user);
  try {
    // Past the recipient's cap the invited user is still created, without a mail (same answer).
    const outcome = await commitWithMail(deps, [{ type: 'createUser', user }, tokenOp, await invited(user.id)], [mail], 'change-only');
    deps.log.info('user invited', { flow: 'invitations', userId: user.id, code: outcome, ...(inviterId ? { inviterId } : {}) });
    return answer('invited', at);
  } catch (error) {
    // Someone registered or was invited with this address between our read and our write.
    if (isConflict(error, 'email_taken')) return answer('exists');
    throw error;
  }
}

/**
 * Mails a pending invitee a new link (the old one stops working). Conditioned on the invitee
 * still having no password (and not being locked), so a re-invite racing with an acceptance
 * cannot hand out a link that would set the password of an account that is already in use. Past
 * the recipient's cap nothing is written (the earlier link stays valid); the answer is the same.
 */
async function reinvite(deps: Deps, invitee: User, decoy: boolean, event: WriteOp): Promise<number> {
  const { tokenOp, mail, expiresAt } = await prepareInvitationMail(deps, invitee, decoy);
  const outcome = await commitWithMail(
    deps,
    [{ type: 'checkUser', id: invitee.id, guard: { passwordHash: null, unlocked: true } }, tokenOp, event],
    [mail],
    'nothing',
  );
  deps.log.info('invitation re-sent', { flow: 'invitations', userId: invitee.id, code: outcome });
  return expiresAt;
}

/** The inviter as stored now (not as the access token says): confirmed, unlocked, allowed. */
async function assertMayInvite(deps: Deps, inviterId: string): Promise<void> {
  const inviter = await deps.store.getUser(inviterId);
  if (!inviter) throw new AuthError('unauthorized', messages.unauthorized);
  const confirmed = inviter.emailConfirmed || !deps.config.requireEmailConfirmation;
  const allowed = deps.config.invitations === 'any' || inviter.role === 'admin';
  if (inviter.locked || !confirmed || !allowed) {
    deps.log.info('invitation refused', { flow: 'invitations', userId: inviter.id, code: 'forbidden' });
    throw new AuthError('forbidden', messages.forbidden);
  }
}

/** Finds the pending invitation behind a link; anything else is `404 invalid_token`. */
async function findInvitation(deps: Deps, rawToken: unknown): Promise<Awaited<ReturnType<typeof findMailToken>>> {
  const found = await findMailToken(deps, 'invitation', rawToken);
  if (!found.user.invitationPending || found.user.passwordHash !== null) throw new AuthError('invalid_token');
  return found;
}

/** `GET /invitations/{token}`: the invited address, so the client can show it. */
export async function showInvitation(deps: Deps, rawToken: unknown): Promise<{ email: string }> {
  const { user } = await findInvitation(deps, rawToken);
  return { email: user.email };
}

/**
 * Accepts an invitation: sets the password, confirms the email (the link proved the mailbox),
 * clears `invitationPending`, spends the token and creates a session, all in one commit. The
 * token's conditional delete makes it single-use under concurrency, and the user write is
 * conditioned on the user still having no password. A 422 changes nothing, so the link stays
 * usable.
 */
export async function acceptInvitation(deps: Deps, rawToken: unknown, input: AcceptInvitationInput, request: RequestInfo): Promise<TokenPair> {
  const { token, user } = await findInvitation(deps, rawToken);
  if (user.locked) throw new AuthError('account_locked', messages.accountLocked);
  const check = new FieldChecker();
  const password = check.password(input.password, input.passwordConfirmation, passwordPolicy(deps, user.email));
  // Accepting is the invitee's registration: the attributes they must or may give come here.
  const values = readUserAttributes(deps, input.body ?? {}, { mode: 'create', actor: 'user' }, check);
  check.throwIfAny();
  if (password === undefined) throw new Error('unreachable: validated above');

  const passwordHash = await deps.hasher.hash(password);
  const set = {
    passwordHash,
    emailConfirmed: true,
    invitationPending: false,
    attributes: mergeAttributes(user, values),
    updatedAt: nowIso(deps),
  };
  // The session is prepared for the user as read (its guard: same epoch, unlocked, still no
  // password); the acceptance joins that same user write, since one commit may touch an item once.
  // The session's commit carries its `sign_in` (method `invitation`); the acceptance adds its own
  // events: `invitation.accepted` and the first password's `password.changed`.
  const { ops, tokens, sessionId } = await prepareSession(deps, user, { rememberMe: false, request, method: 'invitation' });
  const subject = { userId: user.id, sessionId, emailCanonical: user.emailCanonical, request };
  const events = [
    await auditOp(deps, { ...subject, type: 'invitation.accepted', details: { method: 'password' } }),
    await auditOp(deps, { ...subject, type: 'password.changed', details: { first: true } }),
  ];
  let merged = false;
  const writes: WriteOp[] = ops.map((op) => {
    if (op.type !== 'updateUser' || op.id !== user.id) return op;
    merged = true;
    return { ...op, set: { ...op.set, ...set } };
  });
  if (!merged) throw new Error('prepareSession no longer writes the user: acceptInvitation needs updating');
  try {
    await deps.store.commit([consumeOp(deps, token), ...writes, ...events]);
  } catch (error) {
    if (isConflict(error, 'user_changed')) {
      const fresh = await deps.store.getUser(user.id);
      if (fresh?.locked) throw new AuthError('account_locked', messages.accountLocked);
    }
    if (isConflict(error)) throw new AuthError('invalid_token');
    throw error;
  }
  // Like a password reset, accepting proves control of the mailbox: failed sign-ins that
  // someone made against the pending address no longer hold its owner back. A separate write
  // after the commit: if it fails the invitation is still accepted (a 503 would leave the client
  // with a spent link), and the lockout simply runs out on its own.
  await clearFailedSignIns(deps, user.emailCanonical).catch(() => deps.log.warn('could not clear failed sign-ins', { flow: 'invitations', userId: user.id }));
  deps.log.info('invitation accepted', { flow: 'invitations', userId: user.id });
  const accepted: User = { ...user, ...set };
  await notifyPasswordChanged(deps, accepted, 'invitation');
  return { ...tokens, user: toPublicUser(accepted) };
}
