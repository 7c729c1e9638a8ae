import { ServiceUnavailableError } from '../domain/errors.js';
import type { User } from '../domain/types.js';
import type { MailMessage } from '../ports/services.js';
import type { WriteOp } from '../ports/store.js';
import type { Deps } from './deps.js';
import { prepareMailToken } from './mail-tokens.js';

/** Sends a rendered mail to a stored address. */
export async function sendMail(deps: Deps, to: string, rendered: Omit<MailMessage, 'to'>): Promise<void> {
  await deps.mailer.send({ to, ...rendered });
}

/**
 * Issues a fresh confirmation token for `email` (default: the user's stored address), commits it
 * together with `ops`, then mails the link to that address. The token is written before the mail
 * goes out, so a link in a mail always works; if the mail fails, asking again sends a new one.
 */
export async function sendConfirmationMail(deps: Deps, user: User, ops: WriteOp[], email: string = user.email): Promise<void> {
  const { op, link } = prepareMailToken(deps, user, 'confirmation', email);
  await deps.store.commit([...ops, op]);
  await mailConfirmationLink(deps, email, link);
}

/** Mails a confirmation link whose token is already committed (see {@link sendConfirmationMail}). */
export async function mailConfirmationLink(deps: Deps, email: string, link: string): Promise<void> {
  await sendMail(deps, email, deps.templates.confirmEmail({ appUrl: deps.config.appUrl, email, link }));
}

/**
 * Issues a fresh invitation token for an invited user (replacing any earlier one, so the old
 * link dies), commits it together with `ops`, then mails the link to the stored address.
 * Returns when the invitation expires (epoch seconds).
 */
export async function sendInvitationMail(deps: Deps, user: User, ops: WriteOp[]): Promise<number> {
  const { op, link, token } = prepareMailToken(deps, user, 'invitation');
  await deps.store.commit([...ops, op]);
  const expiresAt = new Date(token.expiresAt * 1000).toISOString();
  await sendMail(deps, user.email, deps.templates.invitation({ appUrl: deps.config.appUrl, email: user.email, link, expiresAt }));
  return token.expiresAt;
}

/**
 * For answers that must be the same whatever the email (resend, password reset): a mail that
 * cannot be delivered after the mailer's retries is logged, not answered, since a 503 only for
 * known accounts would tell an attacker which emails have one during an SES outage.
 */
export async function mailQuietly(deps: Deps, flow: string, userId: string, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (!(error instanceof ServiceUnavailableError)) throw error;
    deps.log.warn('mail not delivered', { flow, userId, code: 'service_unavailable' });
  }
}
