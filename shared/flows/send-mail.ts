import { ServiceUnavailableError } from '../domain/errors.js';
import type { User } from '../domain/types.js';
import { logHookFailure } from '../hooks/run.js';
import type { MailTemplates } from '../mail/templates.js';
import type { MailMessage } from '../ports/services.js';
import type { UserGuard, WriteOp } from '../ports/store.js';
import type { Deps } from './deps.js';
import { prepareMailToken } from './mail-tokens.js';

/** The name of a built-in mail template. */
export type MailTemplateName = keyof MailTemplates;

/**
 * Renders a built-in template (`deps.templates`) and sends it to a stored address. Every mail
 * Latch sends goes through here or {@link sendMail}, so the `renderMail` and `sendMail` hooks
 * see all of them, with the template's name and data.
 */
export async function sendTemplateMail<K extends MailTemplateName>(deps: Deps, to: string, template: K, data: Parameters<MailTemplates[K]>[0]): Promise<void> {
  const render = deps.templates[template] as (ctx: typeof data) => Omit<MailMessage, 'to'>;
  await deliverMail(deps, template, data as unknown as Record<string, unknown>, { to, ...render(data) });
}

/**
 * Sends an already rendered mail to a stored address. Prefer {@link sendTemplateMail}: here the
 * hooks see `template` as given (default `custom`) and no data.
 */
export async function sendMail(deps: Deps, to: string, rendered: Omit<MailMessage, 'to'>, template = 'custom'): Promise<void> {
  await deliverMail(deps, template, {}, { to, ...rendered });
}

/**
 * Runs the mail hooks, then the mailer. A hook that throws (a rejection too: there is nothing to
 * refuse here) is a failed dependency, as a failing SES would be: 503, logged by hook name. The
 * recipient cannot be changed: mail only ever goes to a stored address.
 */
async function deliverMail(deps: Deps, template: string, data: Record<string, unknown>, message: MailMessage): Promise<void> {
  let final = message;
  const { hooks } = deps;
  if (hooks?.renderMail) {
    const custom = await mailHook(deps, 'renderMail', () => hooks.renderMail?.({ template, data, message: { ...message } }));
    if (custom) {
      const { subject, text, html } = custom as Partial<MailMessage>;
      if (typeof subject !== 'string' || typeof text !== 'string' || typeof html !== 'string') {
        logHookFailure(deps, 'renderMail', new TypeError('renderMail must return { subject, text, html } strings'));
        throw new ServiceUnavailableError();
      }
      final = { to: message.to, subject, text, html };
    }
  }
  if (hooks?.sendMail) {
    const sent = await mailHook(deps, 'sendMail', () => hooks.sendMail?.({ template, message: { ...final } }));
    if (sent === true) return;
  }
  await deps.mailer.send(final);
}

async function mailHook<T>(deps: Deps, name: 'renderMail' | 'sendMail', call: () => Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    logHookFailure(deps, name, error);
    throw new ServiceUnavailableError(undefined, { cause: error });
  }
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

/**
 * The writes that issue a new confirmation link for the user's own (unconfirmed) address,
 * together with `set` on the user. The link is bound to the password it is issued with: the
 * user write is guarded on the hash read into `user` and on the email still being unconfirmed,
 * and every replacement of that password (a re-registration) replaces the link in the same
 * commit, so confirming can only ever activate the password the link was minted for. A
 * never-confirmed account's expiry (user and claim) moves to the new link's.
 */
export function confirmationLinkOps(deps: Deps, user: User, options: { set?: Partial<User>; bumpEpoch?: boolean } = {}): { ops: WriteOp[]; link: string } {
  const { op, link, token } = prepareMailToken(deps, user, 'confirmation');
  const expiring = typeof user.expiresAt === 'number';
  const set = { ...options.set, ...(expiring ? { expiresAt: token.expiresAt } : {}) };
  // Closes three races: a confirmation that landed since the read (unconfirmed), a password
  // replaced since the read (passwordHash: the link would confirm a password it was not issued
  // for), and an email change or lock (emailCanonical, unlocked). A write that sets the password
  // itself needs no password guard: the link and the password it binds go in together, and of
  // racing re-registrations the last commit wins both.
  const guard: UserGuard = { unconfirmed: true, unlocked: true, emailCanonical: user.emailCanonical };
  if (options.set?.passwordHash === undefined) guard.passwordHash = user.passwordHash;
  const ops: WriteOp[] = [
    Object.keys(set).length > 0 || options.bumpEpoch
      ? { type: 'updateUser', id: user.id, set, guard, ...(options.bumpEpoch ? { bumpEpoch: true } : {}) }
      : { type: 'checkUser', id: user.id, guard },
  ];
  if (expiring) ops.push({ type: 'setClaimExpiry', emailCanonical: user.emailCanonical, userId: user.id, expiresAt: token.expiresAt });
  ops.push(op);
  return { ops, link };
}

/**
 * Sends a new confirmation link to an unconfirmed user's own address (resend, sign-in before
 * confirmation), bound to its current password (see {@link confirmationLinkOps}). Throws a
 * `ConflictError` when the user changed since it was read; nothing is then written or sent.
 */
export async function resendConfirmationMail(deps: Deps, user: User): Promise<void> {
  const { ops, link } = confirmationLinkOps(deps, user);
  await deps.store.commit(ops);
  await mailConfirmationLink(deps, user.email, link);
}

/** Mails a confirmation link whose token is already committed (see {@link sendConfirmationMail}). */
export async function mailConfirmationLink(deps: Deps, email: string, link: string): Promise<void> {
  await sendTemplateMail(deps, email, 'confirmEmail', { appUrl: deps.config.appUrl, email, link });
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
  await sendTemplateMail(deps, user.email, 'invitation', { appUrl: deps.config.appUrl, email: user.email, link, expiresAt });
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
