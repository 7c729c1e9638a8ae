import type { UserLocale } from '../domain/locales.js';
import type { MailMessage } from '../ports/services.js';
import { type MessageId, translate } from '../ui/i18n.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** What every template gets. Links are built from `APP_URL` only, never from a request. */
export interface MailContext {
  appUrl: string;
  /** The stored address the mail goes to. */
  email: string;
  /**
   * The language (docs/specs/hosted-ui.md §8): the user's stored `locale`, else
   * `AUTH_UI_DEFAULT_LOCALE` with the hosted pages on, else `en`. Absent: `en`.
   */
  locale?: UserLocale;
}

type Rendered = Omit<MailMessage, 'to'>;

/**
 * One function per mail. A deployment may replace any part of any of them without code, through
 * `LATCH_MAIL_TEMPLATES` (see `overrides.ts` and docs/account-lifecycle.md). Every context value
 * is a string, so a configured template can use each of them as a `{{placeholder}}`.
 */
export interface MailTemplates {
  /** To the address being confirmed (a new account's, or the pending `unconfirmedEmail`). */
  confirmEmail(ctx: MailContext & { link: string }): Rendered;
  /** To the owner of an account someone tried to register again. */
  alreadyRegistered(ctx: MailContext & { resetLink: string }): Rendered;
  /** Sent once when failed sign-ins lock an account's email out for a while. */
  lockedOut(ctx: MailContext & { failures: number; minutes: number; resetLink: string }): Rendered;
  /** An invitation to create an account by choosing a password. */
  invitation(ctx: MailContext & { link: string; expiresAt: string }): Rendered;
  /** To the current address when a change to `newEmail` waits for confirmation. */
  emailChangeRequested(ctx: MailContext & { newEmail: string }): Rendered;
  /** To the old address when the email was changed to `newEmail` at once. */
  emailChanged(ctx: MailContext & { newEmail: string }): Rendered;
  /** The reset link, valid for `validForMinutes`. */
  resetPassword(ctx: MailContext & { link: string; validForMinutes: string }): Rendered;
  /**
   * To the owner, once per password, when a sign-in used a correct password that is in the
   * breached or common lists (`AUTH_BREACHED_PASSWORD_ON_SIGN_IN=notify`). A security notice:
   * never capped.
   */
  breachedPasswordSignIn(ctx: MailContext): Rendered;
  /** The first second factor was added (`method`: `totp`). A security notice: never capped. */
  mfaEnabled(ctx: MailContext & { method: string }): Rendered;
  /** The last second factor was removed (`method`: `totp`). A security notice: never capped. */
  mfaDisabled(ctx: MailContext & { method: string }): Rendered;
  /** A recovery code was spent; `remaining` unused ones are left. */
  recoveryCodeUsed(ctx: MailContext & { remaining: number }): Rendered;
  /** New recovery codes replaced the old ones. */
  recoveryCodesRegenerated(ctx: MailContext): Rendered;
  /** The MFA lockout started: the password was right, the second step failed `failures` times; `minutes` until it ends. */
  mfaLockedOut(ctx: MailContext & { failures: number; minutes: number }): Rendered;
  /** An admin removed every second factor of the account. */
  mfaReset(ctx: MailContext): Rendered;
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §10). Security notices: never capped.
  /** A passkey named `name` was added. */
  passkeyAdded(ctx: MailContext & { name: string }): Rendered;
  /** A passkey named `name` was removed. */
  passkeyRemoved(ctx: MailContext & { name: string }): Rendered;
  /** A passkey was disabled: its signature counter went backwards (a sign of a cloned authenticator). */
  passkeyDisabled(ctx: MailContext & { name: string }): Rendered;
  /** The password was removed: the user signs in with a passkey. */
  passwordRemoved(ctx: MailContext): Rendered;
  // --- social sign-in (`docs/specs/social-sign-in.md` §6). Security notices: never capped. ---
  /** A provider account (`provider`: its display name) was linked: it now signs in to this account. */
  identityLinked(ctx: MailContext & { provider: string }): Rendered;
  /** A provider account (`provider`: its display name) was unlinked: it no longer signs in. */
  identityUnlinked(ctx: MailContext & { provider: string }): Rendered;
  // --- end social sign-in ---
}

/** The placeholders each template may use (the keys of its context). */
export const TEMPLATE_PLACEHOLDERS: { [K in keyof MailTemplates]: ReadonlyArray<keyof Parameters<MailTemplates[K]>[0]> } = {
  confirmEmail: ['appUrl', 'email', 'link'],
  alreadyRegistered: ['appUrl', 'email', 'resetLink'],
  lockedOut: ['appUrl', 'email', 'failures', 'minutes', 'resetLink'],
  invitation: ['appUrl', 'email', 'link', 'expiresAt'],
  emailChangeRequested: ['appUrl', 'email', 'newEmail'],
  emailChanged: ['appUrl', 'email', 'newEmail'],
  resetPassword: ['appUrl', 'email', 'link', 'validForMinutes'],
  breachedPasswordSignIn: ['appUrl', 'email'],
  mfaEnabled: ['appUrl', 'email', 'method'],
  mfaDisabled: ['appUrl', 'email', 'method'],
  recoveryCodeUsed: ['appUrl', 'email', 'remaining'],
  recoveryCodesRegenerated: ['appUrl', 'email'],
  mfaLockedOut: ['appUrl', 'email', 'failures', 'minutes'],
  mfaReset: ['appUrl', 'email'],
  passkeyAdded: ['appUrl', 'email', 'name'],
  passkeyRemoved: ['appUrl', 'email', 'name'],
  passkeyDisabled: ['appUrl', 'email', 'name'],
  passwordRemoved: ['appUrl', 'email'],
  // --- social sign-in ---
  identityLinked: ['appUrl', 'email', 'provider'],
  identityUnlinked: ['appUrl', 'email', 'provider'],
  // --- end social sign-in ---
};

/** The built-in look: a title, escaped paragraphs and an optional link. */
export function layout(title: string, paragraphs: string[], link?: { href: string; label: string }, lang: UserLocale = 'en'): Rendered {
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.href}`] : [])].join('\n\n');
  const html = [
    `<!doctype html><html lang="${lang}"><body style="font-family:sans-serif">`,
    `<h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '',
    '</body></html>',
  ].join('');
  return { subject: title, text: `${text}\n`, html };
}

/**
 * One built-in mail from the pages' catalogues (`shared/ui/i18n.ts`, keys `mail.<template>.*`):
 * the subject, the paragraphs and the link label in the context's locale.
 */
function mail(
  ctx: MailContext,
  subject: MessageId | [MessageId, Record<string, string | number>],
  paragraphs: Array<MessageId | [MessageId, Record<string, string | number>] | false>,
  link?: { href: string; label: MessageId },
): Rendered {
  const locale = ctx.locale ?? 'en';
  const text = (id: MessageId, values?: Record<string, string | number>) => translate(locale, id, values);
  return layout(
    Array.isArray(subject) ? text(subject[0], subject[1]) : text(subject),
    paragraphs.filter((p) => p !== false).map((p) => (Array.isArray(p) ? text(p[0], p[1]) : text(p))),
    link ? { href: link.href, label: text(link.label) } : undefined,
    locale,
  );
}

const resetLinkOf = (ctx: MailContext) => ({ href: `${ctx.appUrl}/reset-password`, label: 'mail.link.resetPassword' as const });

/** The built-in templates, in every shipped locale. */
export const defaultTemplates: MailTemplates = {
  confirmEmail: (ctx) =>
    mail(ctx, 'mail.confirmEmail.subject', ['mail.confirmEmail.body', 'mail.confirmEmail.ignore'], { href: ctx.link, label: 'mail.confirmEmail.link' }),
  alreadyRegistered: (ctx) =>
    mail(ctx, 'mail.alreadyRegistered.subject', ['mail.alreadyRegistered.body', 'mail.alreadyRegistered.advice'], {
      href: ctx.resetLink,
      label: 'mail.link.resetPassword',
    }),
  lockedOut: (ctx) =>
    mail(ctx, 'mail.lockedOut.subject', [['mail.lockedOut.body', { failures: ctx.failures, minutes: ctx.minutes }], 'mail.lockedOut.advice'], {
      href: ctx.resetLink,
      label: 'mail.link.resetPassword',
    }),
  invitation: (ctx) =>
    mail(ctx, 'mail.invitation.subject', ['mail.invitation.body', ['mail.invitation.validUntil', { expiresAt: ctx.expiresAt }]], {
      href: ctx.link,
      label: 'mail.invitation.link',
    }),
  emailChangeRequested: (ctx) =>
    mail(ctx, 'mail.emailChangeRequested.subject', [['mail.emailChangeRequested.body', { newEmail: ctx.newEmail }], 'mail.emailChangeRequested.advice']),
  emailChanged: (ctx) => mail(ctx, 'mail.emailChanged.subject', [['mail.emailChanged.body', { newEmail: ctx.newEmail }], 'mail.notYou.reset']),
  resetPassword: (ctx) =>
    mail(ctx, 'mail.resetPassword.subject', [['mail.resetPassword.body', { validForMinutes: ctx.validForMinutes }], 'mail.resetPassword.ignore'], {
      href: ctx.link,
      label: 'mail.link.resetPassword',
    }),
  breachedPasswordSignIn: (ctx) =>
    mail(ctx, 'mail.breached.subject', ['mail.breached.body', 'mail.breached.advice'], { href: `${ctx.appUrl}/reset-password`, label: 'mail.breached.link' }),
  mfaEnabled: (ctx) => mail(ctx, 'mail.mfaEnabled.subject', ['mail.mfaEnabled.body', 'mail.mfaEnabled.advice'], resetLinkOf(ctx)),
  mfaDisabled: (ctx) => mail(ctx, 'mail.mfaDisabled.subject', ['mail.mfaDisabled.body', 'mail.mfaDisabled.advice'], resetLinkOf(ctx)),
  recoveryCodeUsed: (ctx) =>
    mail(
      ctx,
      'mail.recoveryCodeUsed.subject',
      [['mail.recoveryCodeUsed.body', { remaining: ctx.remaining }], ctx.remaining <= 2 && 'mail.recoveryCodeUsed.runningOut', 'mail.notYou.reset'],
      resetLinkOf(ctx),
    ),
  recoveryCodesRegenerated: (ctx) =>
    mail(ctx, 'mail.recoveryCodesRegenerated.subject', ['mail.recoveryCodesRegenerated.body', 'mail.notYou.reset'], resetLinkOf(ctx)),
  mfaLockedOut: (ctx) =>
    mail(
      ctx,
      'mail.mfaLockedOut.subject',
      [['mail.mfaLockedOut.body', { failures: ctx.failures, minutes: ctx.minutes }], 'mail.mfaLockedOut.advice'],
      resetLinkOf(ctx),
    ),
  mfaReset: (ctx) => mail(ctx, 'mail.mfaReset.subject', ['mail.mfaReset.body', 'mail.mfaReset.advice'], resetLinkOf(ctx)),
  passkeyAdded: (ctx) => mail(ctx, 'mail.passkeyAdded.subject', [['mail.passkeyAdded.body', { name: ctx.name }], 'mail.notYou.reset'], resetLinkOf(ctx)),
  passkeyRemoved: (ctx) => mail(ctx, 'mail.passkeyRemoved.subject', [['mail.passkeyRemoved.body', { name: ctx.name }], 'mail.notYou.reset'], resetLinkOf(ctx)),
  passkeyDisabled: (ctx) =>
    mail(ctx, 'mail.passkeyDisabled.subject', [['mail.passkeyDisabled.body', { name: ctx.name }], 'mail.passkeyDisabled.advice'], resetLinkOf(ctx)),
  passwordRemoved: (ctx) => mail(ctx, 'mail.passwordRemoved.subject', ['mail.passwordRemoved.body', 'mail.passwordRemoved.advice'], resetLinkOf(ctx)),
  identityLinked: (ctx) =>
    mail(
      ctx,
      ['mail.identityLinked.subject', { provider: ctx.provider }],
      [['mail.identityLinked.body', { provider: ctx.provider }], 'mail.notYou.reset'],
      resetLinkOf(ctx),
    ),
  identityUnlinked: (ctx) =>
    mail(
      ctx,
      ['mail.identityUnlinked.subject', { provider: ctx.provider }],
      [['mail.identityUnlinked.body', { provider: ctx.provider }], 'mail.notYou.reset'],
      resetLinkOf(ctx),
    ),
};
