import type { MailMessage } from '../ports/services.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** What every template gets. Links are built from `APP_URL` only, never from a request. */
export interface MailContext {
  appUrl: string;
  /** The stored address the mail goes to. */
  email: string;
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
export function layout(title: string, paragraphs: string[], link?: { href: string; label: string }): Rendered {
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.href}`] : [])].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '',
    '</body></html>',
  ].join('');
  return { subject: title, text: `${text}\n`, html };
}

/** The built-in templates. */
export const defaultTemplates: MailTemplates = {
  confirmEmail: ({ link }) =>
    layout(
      'Confirm your e-mail address',
      ['Please confirm your e-mail address by following the link below.', "If you didn't ask for this, ignore this mail."],
      { href: link, label: 'Confirm e-mail address' },
    ),
  alreadyRegistered: ({ resetLink }) =>
    layout(
      'You already have an account',
      [
        'Someone tried to register with this e-mail address, which already has an account.',
        "If it was you, sign in instead, or reset your password if you forgot it. If it wasn't you, ignore this mail.",
      ],
      { href: resetLink, label: 'Reset your password' },
    ),
  lockedOut: ({ failures, minutes, resetLink }) =>
    layout(
      'Sign-in to your account is paused',
      [
        `There were ${failures} failed sign-in attempts for your account, so signing in is paused for the next ${minutes} minute(s).`,
        'If it was you, wait and try again, or reset your password if you forgot it. ' +
          "If it wasn't you, someone may be guessing your password: your account is safe as long as it is a strong one.",
      ],
      { href: resetLink, label: 'Reset your password' },
    ),
  invitation: ({ link, expiresAt }) =>
    layout(
      "You've been invited",
      [
        'You have been invited to create an account. Follow the link below to choose your password.',
        `The invitation is valid until ${expiresAt}. If you don't want an account, ignore this mail.`,
      ],
      { href: link, label: 'Accept invitation' },
    ),
  emailChangeRequested: ({ newEmail }) =>
    layout('Your e-mail address is about to change', [
      `Someone asked to change the e-mail address of your account to ${newEmail}. The change happens only when the link sent to that address is used.`,
      "If it wasn't you, sign in and change your password, and send your current address back as your e-mail to cancel the change.",
    ]),
  emailChanged: ({ newEmail }) =>
    layout('Your e-mail address was changed', [
      `The e-mail address of your account was changed to ${newEmail}.`,
      "If it wasn't you, reset your password at once and contact us.",
    ]),
  resetPassword: ({ link, validForMinutes }) =>
    layout(
      'Reset your password',
      [
        `Someone asked to reset the password of your account. The link below works once, for ${validForMinutes} minutes.`,
        "If you didn't ask for this, ignore this mail: your password stays as it is.",
      ],
      { href: link, label: 'Reset your password' },
    ),
  breachedPasswordSignIn: ({ appUrl }) =>
    layout(
      'Your password has appeared in a data breach',
      [
        'Your account was just signed in to with a password that appears in a list of passwords published after data breaches. ' +
          'Nothing else is known: not which breach, nor whether your account itself was affected. But attackers try the passwords on these lists first.',
        'Please choose a new password that you use nowhere else: sign in and change it in your account settings, ' +
          "or use the link below to get a reset link by mail. If it wasn't you who signed in, reset your password at once.",
      ],
      { href: `${appUrl}/reset-password`, label: 'Choose a new password' },
    ),
  mfaEnabled: ({ appUrl }) =>
    layout(
      'Two-factor authentication is on',
      [
        'Two-factor authentication was turned on for your account: signing in now asks for a code from your authenticator app, or a recovery code.',
        "If it wasn't you, someone has your password and access to your account: reset your password at once and contact us.",
      ],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  mfaDisabled: ({ appUrl }) =>
    layout(
      'Two-factor authentication is off',
      [
        'Two-factor authentication was turned off for your account: signing in now needs only your password. Your recovery codes no longer work.',
        "If it wasn't you, reset your password at once, turn two-factor authentication back on and contact us.",
      ],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  recoveryCodeUsed: ({ appUrl, remaining }) =>
    layout(
      'A recovery code was used',
      [
        `One of your recovery codes was just used to sign in or confirm it's you. ${remaining} unused code(s) remain.`,
        ...(remaining <= 2 ? ['You are running out of recovery codes: sign in and generate new ones in your account settings.'] : []),
        "If it wasn't you, reset your password at once and contact us.",
      ],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  recoveryCodesRegenerated: ({ appUrl }) =>
    layout(
      'New recovery codes',
      ['New recovery codes were generated for your account. The old ones no longer work.', "If it wasn't you, reset your password at once and contact us."],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  mfaLockedOut: ({ appUrl, failures, minutes }) =>
    layout(
      'Two-factor sign-in paused',
      [
        `Your password was entered, but the second step failed ${failures} times. Two-factor codes for your account are refused for the next ${minutes} minutes.`,
        "If it wasn't you, someone knows your password: reset it at once.",
      ],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  mfaReset: ({ appUrl }) =>
    layout(
      'Two-factor authentication was reset',
      [
        'An administrator removed every second factor of your account (authenticator app, passkeys and recovery codes) and signed you out everywhere.',
        'Sign in and set up two-factor authentication again. If you did not ask for this, contact us.',
      ],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  passkeyAdded: ({ appUrl, name }) =>
    layout(
      'A passkey was added',
      [`A passkey ("${name}") was added to your account: it can now be used to sign in.`, "If it wasn't you, reset your password at once and contact us."],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  passkeyRemoved: ({ appUrl, name }) =>
    layout(
      'A passkey was removed',
      [`A passkey ("${name}") was removed from your account: it no longer signs you in.`, "If it wasn't you, reset your password at once and contact us."],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  passkeyDisabled: ({ appUrl, name }) =>
    layout(
      'A passkey was disabled',
      [
        `Your passkey "${name}" was just used with a signature counter lower than before, which can mean the authenticator was copied. It has been disabled and no longer signs you in.`,
        'Remove it in your account settings and add your authenticator again. If you did not try to sign in, reset your password and contact us.',
      ],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  passwordRemoved: ({ appUrl }) =>
    layout(
      'Your password was removed',
      [
        'The password of your account was removed: you now sign in with a passkey. Other sessions were signed out.',
        "If it wasn't you, reset your password at once (this sets a new one) and contact us.",
      ],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  // --- social sign-in ---
  identityLinked: ({ appUrl, provider }) =>
    layout(
      `Your ${provider} account was linked`,
      [`Your ${provider} account was linked to your account: it can now be used to sign in.`, "If it wasn't you, reset your password at once and contact us."],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  identityUnlinked: ({ appUrl, provider }) =>
    layout(
      `Your ${provider} account was unlinked`,
      [`Your ${provider} account was unlinked from your account: it no longer signs you in.`, "If it wasn't you, reset your password at once and contact us."],
      { href: `${appUrl}/reset-password`, label: 'Reset your password' },
    ),
  // --- end social sign-in ---
};
