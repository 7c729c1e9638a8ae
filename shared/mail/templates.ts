import type { MailMessage } from '../ports/services.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** What every template gets. Links are built from `APP_URL` only, never from a request. */
export interface MailContext {
  appUrl: string;
  /** The stored address the mail goes to. */
  email: string;
}

type Rendered = Omit<MailMessage, 'to'>;

/** One function per mail. A deployment may replace any of them (see the README). */
export interface MailTemplates {
  confirmEmail(ctx: MailContext & { link: string }): Rendered;
  alreadyRegistered(ctx: MailContext & { resetLink: string }): Rendered;
}

function layout(title: string, paragraphs: string[], link?: { href: string; label: string }): Rendered {
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
};
