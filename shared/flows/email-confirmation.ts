import { canonicalizeEmail } from '../domain/email.js';
import { AuthError, isConflict, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { type PublicUser, toPublicUser } from '../domain/types.js';
import { FieldChecker } from '../domain/validation.js';
import type { WriteOp } from '../ports/store.js';
import { auditOp, emailHashOf } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';
import { consumeOp, findMailToken } from './mail-tokens.js';
import { commitWithMail, prepareConfirmationLink, standInUser } from './send-mail.js';

/**
 * Uses a confirmation link: confirms the stored email, or swaps in the pending
 * `unconfirmedEmail` it was sent to (moving the uniqueness claim in the same transaction; if the
 * address was taken meanwhile, nothing changes and the answer is 422). The token is spent in the
 * same transaction, so two concurrent uses cannot both succeed. A swap also deletes any pending
 * reset token in that transaction: a link mailed to the old address must not outlive it.
 */
export async function confirmEmail(deps: Deps, rawToken: unknown, request?: RequestInfo): Promise<PublicUser> {
  const { token, user } = await findMailToken(deps, 'confirmation', rawToken);
  const updatedAt = nowIso(deps);
  const targetCanonical = canonicalizeEmail(token.email);
  let ops: WriteOp[];
  let confirmed = { ...user, emailConfirmed: true, updatedAt };
  if (targetCanonical === user.emailCanonical) {
    const expiring = typeof user.expiresAt === 'number';
    ops = [
      // A confirmed account never expires: the user and its claim lose their TTL together.
      { type: 'updateUser', id: user.id, set: { emailConfirmed: true, updatedAt, ...(expiring ? { expiresAt: null } : {}) } },
      ...(expiring ? [{ type: 'setClaimExpiry', emailCanonical: user.emailCanonical, userId: user.id, expiresAt: null } as const] : []),
    ];
    confirmed = { ...confirmed, expiresAt: null };
  } else if (user.unconfirmedEmail !== null && canonicalizeEmail(user.unconfirmedEmail) === targetCanonical) {
    ops = [
      // Moves the claim: fails with email_taken if someone registered the address meanwhile.
      {
        type: 'moveEmail',
        userId: user.id,
        from: user.emailCanonical,
        to: targetCanonical,
        email: token.email,
        set: { emailConfirmed: true, unconfirmedEmail: null, updatedAt },
      },
      // A reset link mailed to the old address dies with the change: the old mailbox no longer
      // recovers the account (a reset requested meanwhile is guarded on the old address).
      { type: 'deleteToken', userId: user.id, kind: 'reset' },
    ];
    confirmed = { ...confirmed, email: token.email, emailCanonical: targetCanonical, unconfirmedEmail: null };
  } else {
    throw new AuthError('invalid_token'); // the pending change it was for was cancelled
  }
  // The events go with the change: `email.confirmed`, and for a swap `email.changed` too.
  const toEmailHash = await emailHashOf(deps, targetCanonical);
  const subject = { userId: user.id, emailCanonical: targetCanonical, request };
  ops.push(await auditOp(deps, { ...subject, type: 'email.confirmed', details: { toEmailHash } }));
  if (targetCanonical !== user.emailCanonical) {
    const fromEmailHash = await emailHashOf(deps, user.emailCanonical);
    ops.push(await auditOp(deps, { ...subject, type: 'email.changed', details: { fromEmailHash, toEmailHash, by: 'self' } }));
  }
  try {
    await deps.store.commit([consumeOp(deps, token), ...ops]);
  } catch (error) {
    if (isConflict(error, 'email_taken')) throw new ValidationError({ email: [messages.field.taken] });
    if (isConflict(error)) throw new AuthError('invalid_token');
    throw error;
  }
  deps.log.info('email confirmed', { flow: 'email-confirmation', userId: user.id });
  return toPublicUser(confirmed);
}

/**
 * Sends a new confirmation mail to the owner of an unconfirmed account. The answer is the same
 * whatever the email; unknown, confirmed, locked and invited accounts get nothing, and for them
 * the flow sends the store the same transaction (user check, token, mail cap count, outbox
 * mail) for a stand-in user, which the store refuses. Past the recipient's cap nothing is
 * written and the earlier link stays valid.
 */
export async function resendConfirmation(deps: Deps, input: { email?: string | undefined }): Promise<void> {
  const check = new FieldChecker();
  const email = check.email('email', input.email);
  check.throwIfAny();
  if (email === undefined) return;
  const canonical = canonicalizeEmail(email);
  const found = await deps.store.findUserByEmail(canonical);
  const user = found && !found.emailConfirmed && !found.locked && !found.invitationPending ? found : undefined;
  const target = user ?? standInUser(email);
  // The link is bound to the password read here (see prepareConfirmationLink): a confirmation,
  // re-registration, lock or email change that landed since our read wins, and no link is sent.
  const { ops, mail } = await prepareConfirmationLink(deps, target, { decoy: !user });
  let outcome: string;
  try {
    outcome = await commitWithMail(deps, ops, [mail], 'nothing');
  } catch (error) {
    if (!isConflict(error)) throw error;
    outcome = user ? 'user_changed' : 'not_allowed';
  }
  deps.log.info('confirmation resend requested', { flow: 'email-confirmation', ...(user ? { userId: user.id } : {}), code: outcome });
}
