/**
 * The hosted pages' templates, rendered by `preact-render-to-string` (text and attributes are
 * escaped by the renderer; there is no raw HTML insertion anywhere). Built with `h()` so the
 * rest of the code base needs no JSX settings.
 */
import { type ComponentChildren, h, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { ASSETS } from './assets.js';
import { directionOf, LOCALE_NAMES, type Locale, type MessageId, translate } from './i18n.js';

/** An element of any props. */
// biome-ignore lint/suspicious/noExplicitAny: preact's element props differ per tag
export type El = VNode<any>;

/** What every template needs to know about the request. */
export interface View {
  locale: Locale;
  locales: Locale[];
  appName: string;
  /** The current path (language links point at it). */
  path: string;
  /** The synchronizer token of a form. */
  csrf(formId: string): string;
  /** Set on signed-in pages. */
  signedIn?: { email: string } | undefined;
  /** Branding (§9): the theme stylesheet's path and the logo (alt = the app's name). */
  themePath?: string;
  logoUrl?: string | undefined;
}

export function t(view: View, id: MessageId, values?: Record<string, string | number>): string {
  return translate(view.locale, id, values);
}

/** Field name → already translated messages. */
export type PageErrors = Record<string, string[]>;

/** A whole HTML document. */
export function renderPage(view: View, title: MessageId, body: ComponentChildren, options: { titleValues?: Record<string, string> } = {}): string {
  const pageTitle = t(view, title, options.titleValues);
  const doc = h(
    'html',
    { lang: view.locale, dir: directionOf(view.locale) },
    h(
      'head',
      null,
      h('meta', { charSet: 'utf-8' }),
      h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      h('meta', { name: 'robots', content: 'noindex' }),
      h('title', null, t(view, 'layout.title', { page: pageTitle, app: view.appName })),
      h('link', { rel: 'stylesheet', href: ASSETS.css.path }),
      view.themePath ? h('link', { rel: 'stylesheet', href: view.themePath }) : null,
      h('script', { src: ASSETS.js.path, defer: true }),
    ),
    h(
      'body',
      null,
      h('a', { class: 'skip', href: '#main' }, t(view, 'layout.skip')),
      h(
        'header',
        null,
        view.logoUrl
          ? h(
              'span',
              { class: 'app-name' },
              h('img', { class: 'logo', src: view.logoUrl, alt: view.appName }),
              h('span', { 'aria-hidden': 'true' }, view.appName),
            )
          : h('span', { class: 'app-name' }, view.appName),
        view.signedIn
          ? h(
              'nav',
              { 'aria-label': t(view, 'layout.account') },
              h(
                'ul',
                null,
                h('li', null, h('a', { href: '/ui/account' }, t(view, 'layout.account'))),
                h('li', null, h('a', { href: '/ui/account/security' }, t(view, 'layout.security'))),
                h('li', null, h('a', { href: '/ui/account/activity' }, t(view, 'layout.activity'))),
              ),
            )
          : null,
        languageChooser(view),
        view.signedIn
          ? h(
              'form',
              { method: 'post', action: '/ui/sign-out' },
              csrfField(view, 'sign-out'),
              h('button', { type: 'submit', class: 'secondary' }, t(view, 'layout.signOut')),
            )
          : null,
      ),
      h('main', { id: 'main', tabIndex: -1 }, h('h1', null, pageTitle), body),
    ),
  );
  return `<!doctype html>${renderToString(doc)}`;
}

function languageChooser(view: View): El {
  return h(
    'nav',
    { 'aria-label': t(view, 'layout.language') },
    h(
      'ul',
      null,
      view.locales.map((locale) =>
        h(
          'li',
          { key: locale },
          h(
            'a',
            {
              href: `${view.path}?lang=${encodeURIComponent(locale)}`,
              lang: locale,
              hrefLang: locale,
              'aria-current': locale === view.locale ? 'true' : undefined,
            },
            LOCALE_NAMES[locale],
          ),
        ),
      ),
    ),
  );
}

export function csrfField(view: View, formId: string): El {
  return h('input', { type: 'hidden', name: '_csrf', value: view.csrf(formId) });
}

/** The error summary at the top of a form: a link to each field, focused on arrival. */
export function errorSummary(view: View, errors: PageErrors, labels: Record<string, string>): El | null {
  const entries = Object.entries(errors).filter(([, list]) => list.length > 0);
  if (entries.length === 0) return null;
  return h(
    'div',
    { class: 'error-summary', role: 'alert', tabIndex: -1, autofocus: true, 'aria-labelledby': 'error-summary-title' },
    h('h2', { id: 'error-summary-title' }, t(view, 'summary.title')),
    h(
      'ul',
      null,
      entries.flatMap(([field, list]) =>
        list.map((message, i) => h('li', { key: `${field}-${i}` }, labels[field] ? h('a', { href: `#${field}` }, `${labels[field]} ${message}`) : message)),
      ),
    ),
  );
}

interface FieldProps {
  name: string;
  label: string;
  type: 'email' | 'password' | 'text';
  autocomplete: string;
  value?: string | undefined;
  errors?: string[] | undefined;
  hint?: string | undefined;
  inputMode?: string | undefined;
}

/** The one-time code input (TOTP or recovery code) of the second step, the step-up and TOTP confirmation. */
export function codeField(view: View, label: string, errors: string[] | undefined, hint?: string): El {
  return field(view, { name: 'code', label, type: 'text', autocomplete: 'one-time-code', inputMode: 'numeric', hint, errors });
}

/** A labelled input with its errors beside it (`aria-describedby`, `aria-invalid`). */
export function field(view: View, props: FieldProps): El {
  const errorId = `${props.name}-error`;
  const hintId = `${props.name}-hint`;
  const invalid = (props.errors?.length ?? 0) > 0;
  const describedBy = [props.hint ? hintId : '', invalid ? errorId : ''].filter(Boolean).join(' ');
  const input = h('input', {
    id: props.name,
    name: props.name,
    type: props.type,
    autoComplete: props.autocomplete,
    value: props.type === 'password' ? undefined : props.value,
    spellcheck: props.type === 'email' ? false : undefined,
    autoCapitalize: props.type === 'email' ? 'none' : undefined,
    inputMode: props.inputMode,
    'aria-invalid': invalid ? 'true' : undefined,
    'aria-describedby': describedBy || undefined,
  });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: props.name }, props.label),
    props.hint ? h('p', { class: 'muted hint', id: hintId }, props.hint) : null,
    invalid
      ? h('p', { class: 'field-error', id: errorId }, h('span', { class: 'visually-hidden' }, `${t(view, 'field.error')} `), (props.errors ?? []).join(' '))
      : null,
    props.type === 'password'
      ? h(
          'div',
          { class: 'password' },
          input,
          h(
            'button',
            { type: 'button', hidden: true, 'data-toggle-password': '', 'aria-controls': props.name, 'aria-pressed': 'false' },
            t(view, 'field.showPassword'),
          ),
        )
      : input,
  );
}

export function notice(text: string): El {
  return h('div', { class: 'notice', role: 'status' }, h('p', null, text));
}

export function form(view: View, formId: string, action: string, children: ComponentChildren, submit: string, options: { danger?: boolean } = {}): El {
  return h(
    'form',
    { method: 'post', action, noValidate: true, class: 'stack' },
    csrfField(view, formId),
    children,
    h('button', { type: 'submit', class: options.danger ? 'danger' : undefined }, submit),
  );
}

export function links(items: Array<{ href: string; text: string }>): El {
  return h(
    'ul',
    { class: 'links' },
    items.map((item) => h('li', { key: item.href }, h('a', { href: item.href }, item.text))),
  );
}

/**
 * A passkey ceremony's button (§5.3): hidden until the page script runs (the ceremonies need it),
 * then it calls `/ui/passkeys/<kind>/options` and `/ui/passkeys/<kind>` with the token of the
 * `passkeys` form in `X-Latch-CSRF`, shows a failure in the page's error summary and follows
 * `{ redirect }`.
 */
export function passkeyButton(view: View, kind: 'sign-in' | 'mfa' | 'reauthenticate' | 'add', label: string, options: { nameField?: string } = {}): El {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary passkey',
      hidden: true,
      'data-passkey': kind,
      'data-csrf': view.csrf('passkeys'),
      'data-error-title': t(view, 'summary.title'),
      'data-error-text': t(view, 'passkey.failed'),
      ...(options.nameField ? { 'data-name-field': options.nameField } : {}),
    },
    label,
  );
}

/** A button that copies the text of the element `target` (shown only when the script runs). */
export function copyButton(view: View, target: string): El {
  return h('button', { type: 'button', class: 'secondary', hidden: true, 'data-copy': target, 'data-copied': t(view, 'copy.done') }, t(view, 'copy.label'));
}

/** A date and time in the page's language (UTC, said on the page). */
export function when(view: View, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${new Intl.DateTimeFormat(view.locale.startsWith('de') ? 'de' : 'en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
}

export { h };
