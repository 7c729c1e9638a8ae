import { canonicalizeEmail } from '../domain/email.js';
import { isConflict, ServiceUnavailableError } from '../domain/errors.js';
import { isUserLocale, type UserLocale } from '../domain/locales.js';
import { hashSecret, randomId } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import { logHookFailure } from '../hooks/run.js';
import type { MailTemplates } from '../mail/templates.js';
import type { MailMessage } from '../ports/services.js';
import type { OutboxMail, OutboxTemplateMail, UserGuard, WriteOp } from '../ports/store.js';
import { type Deps, nowIso, nowSeconds } from './deps.js';
import { prepareMailToken } from './mail-tokens.js';

/** The name of a built-in mail template. */
export type MailTemplateName = keyof MailTemplates;

/**
 * The kinds of mail capped per recipient (`AUTH_MAIL_RECIPIENT_LIMIT` per
 * `AUTH_MAIL_RECIPIENT_WINDOW_SECONDS`): anyone can make Latch send them to any address.
 * Security notices (lockout, password or email changed) are never capped.
 */
export type CappedMailKind = 'confirmation' | 'reset' | 'registrationNotice' | 'invitation';

/**
 * How long an outbox mail may wait for the sender before its TTL removes it. Short, because it
 * holds a link secret in plaintext; the sender deletes it as soon as it is delivered, and the
 * stream keeps the record for its retries meanwhile.
 */
export const OUTBOX_TTL_SECONDS = 900;

/**
 * Options of a prepared mail: the user it concerns (logs), its cap (null for notices), and
 * `decoy` for the stand-in mail of an enumeration-safe route's unknown address (prepared, never
 * committed).
 */
export interface MailOptions {
  userId: string | null;
  /** The recipient's stored `locale` (hosted-ui.md §8); absent or not shipped: the deployment's default. */
  locale?: string | null | undefined;
  cap: PreparedMail['cap'];
  decoy?: boolean;
}

/** A mail ready for the outbox, and the cap it counts against (none for notices). */
export interface PreparedMail {
  mail: OutboxMail;
  cap: { kind: CappedMailKind; emailCanonical: string } | null;
}

/**
 * An outbox mail of a built-in template to a stored address, queued as data: the template's
 * name and context with the recipient's language. The mail sender renders it
 * ({@link renderOutboxMail}: `LATCH_MAIL_TEMPLATES`, then the `renderMail` hook), so the request
 * functions carry no templates, catalogues or message formatter. Every mail Latch sends is
 * prepared here.
 */
export async function prepareTemplateMail<K extends MailTemplateName>(
  deps: Deps,
  to: string,
  template: K,
  data: Parameters<MailTemplates[K]>[0],
  options: MailOptions,
): Promise<PreparedMail> {
  const localized = { ...data, locale: mailLocaleOf(deps, options.locale) };
  const mail: OutboxTemplateMail = {
    id: randomId(),
    template,
    userId: options.userId,
    to,
    data: localized as unknown as Record<string, unknown>,
    createdAt: nowIso(deps),
    expiresAt: nowSeconds(deps) + OUTBOX_TTL_SECONDS,
  };
  return { mail, cap: options.cap };
}

/** The language of a mail (hosted-ui.md §8): the user's `locale`, else `AUTH_UI_DEFAULT_LOCALE` with the pages on, else `en`. */
export function mailLocaleOf(deps: Pick<Deps, 'config'>, locale: string | null | undefined): UserLocale {
  if (isUserLocale(locale)) return locale;
  return deps.config.ui.enabled ? deps.config.ui.defaultLocale : 'en';
}

/**
 * A fresh confirmation token for `email` (default: the user's stored address) and the mail with
 * its link, capped as `confirmation`. Committed together (see {@link commitWithMail}), so a link
 * in a mail always works.
 */
export async function prepareConfirmationMail(
  deps: Deps,
  user: User,
  options: { email?: string; decoy?: boolean } = {},
): Promise<{ tokenOp: WriteOp; mail: PreparedMail; expiresAt: number }> {
  const email = options.email ?? user.email;
  const { op, link, token } = prepareMailToken(deps, user, 'confirmation', email);
  const mail = await prepareTemplateMail(
    deps,
    email,
    'confirmEmail',
    { appUrl: deps.config.appUrl, email, link },
    { userId: user.id, locale: user.locale, cap: { kind: 'confirmation', emailCanonical: canonicalizeEmail(email) }, decoy: options.decoy ?? false },
  );
  return { tokenOp: op, mail, expiresAt: token.expiresAt };
}

/**
 * A fresh invitation token for an invited user (replacing any earlier one, so the old link
 * dies) and the mail with its link, capped as `invitation`. `expiresAt`: epoch seconds.
 */
export async function prepareInvitationMail(deps: Deps, user: User, decoy = false): Promise<{ tokenOp: WriteOp; mail: PreparedMail; expiresAt: number }> {
  const { op, link, token } = prepareMailToken(deps, user, 'invitation');
  const expiresAt = new Date(token.expiresAt * 1000).toISOString();
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'invitation',
    { appUrl: deps.config.appUrl, email: user.email, link, expiresAt },
    { userId: user.id, locale: user.locale, cap: { kind: 'invitation', emailCanonical: canonicalizeEmail(user.email) }, decoy },
  );
  return { tokenOp: op, mail, expiresAt: token.expiresAt };
}

/**
 * The stand-in user of an enumeration-safe route's unknown (or not eligible) address: the same
 * token, mail and transaction are prepared for it as for a real user, and the transaction's
 * first write, a check of this user that does not exist, makes the store refuse all of it
 * (`not_found`), so the store work is the same round trip and nothing is written or sent.
 */
export function standInUser(email: string): User {
  return { id: randomId(), email, emailCanonical: canonicalizeEmail(email) } as User;
}

/** The cap scope of a kind and address: the address only as its SHA-256, never in plaintext. */
export function mailCapScope(kind: CappedMailKind, emailCanonical: string): string {
  return `mail:${kind}:${hashSecret(emailCanonical)}`;
}

/** What {@link commitWithMail} did: the mails are queued, or the cap held them back. */
export type MailCommit = 'queued' | 'capped';

/**
 * Commits `ops` together with the mails they cause: each mail an outbox item in the same
 * transaction, and each capped mail one atomic conditional `ADD` on its recipient's cap
 * counter, so the mails exist exactly when the change does and concurrent requests never send
 * more than the cap. Past the cap, `whenCapped: 'nothing'` writes nothing at all (the request was
 * only about the mail: the old link stays valid); `'change-only'` commits `ops` and the uncapped
 * mails without the capped ones. Either way the caller answers as usual.
 */
export async function commitWithMail(deps: Deps, ops: WriteOp[], mails: PreparedMail[], whenCapped: 'nothing' | 'change-only'): Promise<MailCommit> {
  return writeWithMail(deps, (extra) => deps.store.commit([...ops, ...extra]), mails, whenCapped);
}

/**
 * {@link commitWithMail} for flows that build their own commit (e.g. `revokeAllSessions`):
 * `write` commits the change together with the mail writes it is given (cap counts and outbox
 * items), and is called again with other mail writes when the cap's window must restart, or
 * (`change-only`) without the capped mails once the cap is reached.
 */
export async function writeWithMail(
  deps: Deps,
  write: (mailOps: WriteOp[]) => Promise<unknown>,
  mails: PreparedMail[],
  whenCapped: 'nothing' | 'change-only',
): Promise<MailCommit> {
  let restart = false;
  // A window that is over must be restarted rather than added to; a restart that lost to
  // another request's adds to the new window. Each round trip settles one of these.
  for (let attempt = 0; attempt < 4; attempt++) {
    const now = nowSeconds(deps);
    const caps = mails.flatMap(({ cap }): WriteOp[] =>
      cap
        ? [
            {
              type: 'countMail',
              scope: mailCapScope(cap.kind, cap.emailCanonical),
              now,
              windowSeconds: deps.config.mailRecipientWindowSeconds,
              limit: deps.config.mailRecipientLimit,
              restart,
            },
          ]
        : [],
    );
    try {
      await write([...caps, ...mails.map(enqueueOp)]);
      return 'queued';
    } catch (error) {
      if (isConflict(error, 'mail_window')) {
        restart = !restart;
        continue;
      }
      if (!isConflict(error, 'mail_capped')) throw error;
      deps.log.info('mail capped', { flow: 'mail', template: mails.find((m) => m.cap)?.mail.template, code: 'mail_capped' });
      if (whenCapped === 'change-only') await write(mails.filter((m) => !m.cap).map(enqueueOp));
      return 'capped';
    }
  }
  throw new ServiceUnavailableError();
}

/** The outbox write of a prepared mail. */
export function enqueueOp(prepared: PreparedMail): WriteOp {
  return { type: 'enqueueMail', mail: prepared.mail };
}

/**
 * For mails that are not part of a change (the lockout notice): queues them on their own,
 * best-effort. A failure is logged (no address, no secret) and never fails the request.
 */
export async function enqueueQuietly(deps: Deps, flow: string, prepared: PreparedMail): Promise<void> {
  try {
    await deps.store.commit([enqueueOp(prepared)]);
  } catch (error) {
    deps.log.error('mail not queued', { flow, userId: prepared.mail.userId, errorName: error instanceof Error ? error.name : typeof error });
  }
}

/** What rendering and delivering an outbox mail uses (the mail sender's deps, or a test's). */
export type MailDelivery = Pick<Deps, 'hooks' | 'log' | 'mailer'> & { templates: MailTemplates };

/** Thrown for an outbox mail that names no built-in template: a permanent refusal (dropped, never retried). */
export class UnknownMailTemplateError extends Error {
  override name = 'UnknownMailTemplateError';
}

/**
 * The message of an outbox mail: as queued when it was queued rendered (items of versions before
 * mail-as-data, `docs/migrations.md`), else its template rendered with its data (the built-in
 * templates with `LATCH_MAIL_TEMPLATES`), then the `renderMail` hook. A hook that throws or
 * returns something else than three strings is a failed dependency (`ServiceUnavailableError`:
 * the sender retries); the recipient cannot be changed: mail only ever goes to a stored address.
 */
export async function renderOutboxMail(deps: MailDelivery, mail: OutboxMail): Promise<MailMessage> {
  if (mail.message) return mail.message;
  const render = (deps.templates as unknown as Record<string, ((ctx: Record<string, unknown>) => Omit<MailMessage, 'to'>) | undefined>)[mail.template];
  if (typeof render !== 'function' || !Object.hasOwn(deps.templates, mail.template)) throw new UnknownMailTemplateError(`no mail template ${mail.template}`);
  const message: MailMessage = { to: mail.to, ...render(mail.data) };
  const { hooks } = deps;
  if (!hooks?.renderMail) return message;
  const custom = await mailHook(deps, 'renderMail', () => hooks.renderMail?.({ template: mail.template, data: { ...mail.data }, message: { ...message } }));
  if (!custom) return message;
  const { subject, text, html } = custom as Partial<MailMessage>;
  if (typeof subject !== 'string' || typeof text !== 'string' || typeof html !== 'string') {
    logHookFailure(deps, 'renderMail', new TypeError('renderMail must return { subject, text, html } strings'));
    throw new ServiceUnavailableError();
  }
  return { to: message.to, subject, text, html };
}

/**
 * Delivers one outbox mail (the mail sender, out of any request): renders it
 * ({@link renderOutboxMail}), then the `sendMail` hook, then the mailer. Throws
 * `ServiceUnavailableError` when it is worth a retry (throttling, an outage, a failing hook); the
 * mailer's permanent refusals and an unknown template come through as they are.
 */
export async function deliverOutboxMail(deps: MailDelivery, mail: OutboxMail): Promise<void> {
  const message = await renderOutboxMail(deps, mail);
  const { hooks } = deps;
  if (hooks?.sendMail) {
    const sent = await mailHook(deps, 'sendMail', () => hooks.sendMail?.({ template: mail.template, message: { ...message } }));
    if (sent === true) return;
  }
  await deps.mailer.send(message);
}

async function mailHook<T>(deps: Pick<Deps, 'log'>, name: 'renderMail' | 'sendMail', call: () => Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    logHookFailure(deps, name, error);
    throw new ServiceUnavailableError(undefined, { cause: error });
  }
}

/**
 * The writes that issue a new confirmation link for the user's own (unconfirmed) address, with
 * `set` on the user, and the mail with the link (capped as `confirmation`): commit them together
 * (see {@link commitWithMail}), so the token, the guarded user write and the outbox item exist
 * exactly together. The link is bound to the password it is issued with: the user write is
 * guarded on the hash read into `user` and on the email still being unconfirmed, and every
 * replacement of that password (a re-registration) replaces the link in the same commit, so
 * confirming can only ever activate the password the link was minted for. A never-confirmed
 * account's expiry (user and claim) moves to the new link's. For an enumeration-safe route's
 * unknown address, pass a {@link standInUser} and `decoy`: the check of the missing user fails.
 */
export async function prepareConfirmationLink(
  deps: Deps,
  user: User,
  options: { set?: Partial<User>; bumpEpoch?: boolean; decoy?: boolean } = {},
): Promise<{ ops: WriteOp[]; mail: PreparedMail }> {
  const { tokenOp, mail, expiresAt } = await prepareConfirmationMail(deps, user, { decoy: options.decoy ?? false });
  const expiring = typeof user.expiresAt === 'number';
  const set = { ...options.set, ...(expiring ? { expiresAt } : {}) };
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
  if (expiring) ops.push({ type: 'setClaimExpiry', emailCanonical: user.emailCanonical, userId: user.id, expiresAt });
  ops.push(tokenOp);
  return { ops, mail };
}

/**
 * Queues a new confirmation link to an unconfirmed user's own address (resend, sign-in before
 * confirmation), bound to its current password (see {@link prepareConfirmationLink}) and capped
 * per recipient: past the cap nothing is written (the old link stays valid). Throws a
 * `ConflictError` when the user changed since it was read; nothing is then written or queued.
 */
export async function resendConfirmationMail(deps: Deps, user: User): Promise<MailCommit> {
  const { ops, mail } = await prepareConfirmationLink(deps, user);
  return commitWithMail(deps, ops, [mail], 'nothing');
}
