/**
 * The user's language on the account page (docs/specs/hosted-ui.md §8): the chooser's links set
 * the `__Host-latch_lang` cookie on every page; this form also stores the signed-in user's
 * `locale`, which pages and mails then use.
 */
import { isUserLocale } from '../../domain/locales.js';
import { setMyLocale } from '../../flows/user-locale.js';
import { LOCALE_NAMES, SHIPPED_LOCALES } from '../i18n.js';
import { type Ctx, type PageHandlers, type Result, redirect, signedIn } from '../kit.js';
import { type El, form, h, t, type View } from '../render.js';
import { COOKIES, setCookie } from '../security.js';

/** The account page's language form: the stored locale selected (else the page's). */
export function languageSection(view: View, stored: string | null): El[] {
  const selected = stored ?? view.locale;
  return [
    h('h2', { key: 'lt' }, t(view, 'account.languageTitle')),
    h('p', { key: 'li' }, t(view, 'account.languageIntro')),
    form(
      view,
      'account-locale',
      '/ui/account/locale',
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'locale' }, t(view, 'field.locale')),
        h(
          'select',
          { id: 'locale', name: 'locale', autoComplete: 'language' },
          SHIPPED_LOCALES.map((locale) => h('option', { key: locale, value: locale, lang: locale, selected: locale === selected }, LOCALE_NAMES[locale])),
        ),
      ),
      t(view, 'account.languageSubmit'),
    ),
  ];
}

async function postLocale(ctx: Ctx): Promise<Result> {
  const locale = ctx.form.locale;
  if (isUserLocale(locale)) {
    await setMyLocale(ctx.deps, signedIn(ctx).principal, locale);
    ctx.setCookies.push(setCookie(COOKIES.lang, locale, 365 * 86400));
  }
  return redirect(ctx, '/ui/account');
}

export const localePages = { 'POST /ui/account/locale': postLocale } satisfies PageHandlers;
