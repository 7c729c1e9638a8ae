/**
 * The locales a user may store (`docs/specs/hosted-ui.md` §8): the shipped catalogues. Pages and
 * mails are rendered in the user's `locale`; the pseudo-locales are for tests and never stored.
 */
export const USER_LOCALES = ['en', 'de'] as const;
export type UserLocale = (typeof USER_LOCALES)[number];

export function isUserLocale(value: unknown): value is UserLocale {
  return typeof value === 'string' && (USER_LOCALES as readonly string[]).includes(value);
}
