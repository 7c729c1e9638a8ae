/** The pages' toolkit: one request as the pages see it, answers, errors in the page's language, the UI session. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AuthError, RetryableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { redirectSources } from '../domain/oauth2.js';
import { recordAudit } from '../flows/audit.js';
import type { Deps } from '../flows/deps.js';
import type { TokenPair } from '../flows/token-pair.js';
import { header, requestInfo } from '../http/request.js';
import type { UiPageRouteKey } from '../http/routes.js';
import { type Locale, type MessageId, negotiateLocale, servedLocale, servedLocales, translate } from './i18n.js';
import { errorSummary, h, type PageErrors, renderPage, t, type View } from './render.js';
import { COOKIES, type CsrfBinding, csrfToken, csrfValid, originAllowed, pageHeaders, setCookie } from './security.js';
import { themeAsset } from './theme.js';
import { csrfBinding, requestContextOf, setUiSessionCookies, type UiRequestContext } from './ui-session.js';

/** The cookie-level pieces pages use, defined in `ui-session.ts`. */
export { csrfBinding, type SignedIn, signedIn, uiRequest, uiSession } from './ui-session.js';

export type Result = APIGatewayProxyStructuredResultV2;

/** Form bodies over this many bytes get the 413 page (API.md's limit). */
export const MAX_FORM_BYTES = 65536;

/** One request as the pages see it: the cookie-level context (`ui-session.ts`) plus the page's own. */
export interface Ctx extends UiRequestContext {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  locale: Locale;
}

export type Handler = (ctx: Ctx, params: Record<string, string>) => Promise<Result>;

/**
 * The handlers of a group of pages, keyed by their route keys in `shared/http/routes.ts`, where
 * each page's row holds its rules (access, CSRF form id). A key without a row does not compile;
 * `shared/ui/app.ts` joins the groups and the compiler asks for a handler for every row.
 */
export type PageHandlers = Partial<Record<UiPageRouteKey, Handler>>;

/** What a page's path parameter may be; any other value gets the 404 page (mail-link tokens, provider names). */
export const PATH_PARAMS: Readonly<Record<string, RegExp>> = { token: /^[A-Za-z0-9._-]{1,200}$/, provider: /^[a-z][a-z0-9-]{1,31}$/ };

/** The 415 page: a form body the parser cannot read (malformed), refused before any page runs. */
export async function unreadablePage(deps: Deps, event: APIGatewayProxyEventV2): Promise<Result> {
  const ctx = await contextOf(deps, event, {}, 'POST', event.rawPath ?? '/');
  return messagePage(ctx, 'unsupported.title', 'unsupported.body', 415, false);
}

/** The 413 page: a form body over {@link MAX_FORM_BYTES}, refused before it is parsed. */
export async function tooLargePage(deps: Deps, event: APIGatewayProxyEventV2): Promise<Result> {
  const ctx = await contextOf(deps, event, {}, 'POST', event.rawPath ?? '/');
  return messagePage(ctx, 'tooLarge.title', 'tooLarge.body', 413, false);
}

export async function contextOf(deps: Deps, event: APIGatewayProxyEventV2, form: Record<string, string>, method: string, path: string): Promise<Ctx> {
  const base = await requestContextOf(deps, event);
  const { cookies, setCookies, signedIn } = base;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (typeof v === 'string') query[k] = v;
  const pseudo = deps.config.ui.pseudoLocales;
  const chosen = servedLocale(query.lang, pseudo);
  if (chosen) setCookies.push(setCookie(COOKIES.lang, chosen, 365 * 86400));
  // The hand-off's `ui_locales` (space-separated, first served wins) counts as a `lang` parameter.
  const uiLocale = (query.ui_locales ?? '')
    .split(' ')
    .slice(0, 10)
    .find((tag) => servedLocale(tag, pseudo));
  const param = query.lang ?? uiLocale;
  const locale = negotiateLocale({
    ...(param ? { param } : {}),
    ...(cookies[COOKIES.lang] ? { cookie: cookies[COOKIES.lang] } : {}),
    stored: signedIn?.user.locale,
    ...(header(event, 'accept-language') ? { acceptLanguage: header(event, 'accept-language') } : {}),
    fallback: deps.config.ui.defaultLocale,
    pseudo,
  });
  return { ...base, method, path, query, form, locale };
}

export function viewOf(ctx: Ctx): View {
  return {
    locale: ctx.locale,
    locales: servedLocales(ctx.deps.config.ui.pseudoLocales),
    appName: ctx.deps.config.ui.appName,
    path: ctx.path,
    csrf: (formId) => csrfToken(csrfBinding(ctx), formId),
    signedIn: ctx.signedIn ? { email: ctx.signedIn.user.email } : undefined,
    themePath: themeAsset(ctx.deps.config.ui.cssVariables).path,
    logoUrl: ctx.deps.config.ui.logoUrl,
  };
}

/**
 * A POST's checks before anything else (§4): the origin (defence in depth), the body type, then
 * the synchronizer token. A refusal answers the 403 page, changes nothing and writes `csrf.rejected`.
 */
export async function checkPost(ctx: Ctx, formId: string): Promise<Result | undefined> {
  const headers = ctx.event.headers ?? {};
  let reason: string | undefined;
  if (!originAllowed(headers, ctx.uiOrigin)) reason = 'origin';
  else if (!/^application\/x-www-form-urlencoded(;.*)?$/i.test(headers['content-type'] ?? ''))
    return messagePage(ctx, 'unsupported.title', 'unsupported.body', 415, false);
  else {
    const binding: CsrfBinding | undefined = ctx.signedIn
      ? csrfBinding(ctx)
      : ctx.csrfCookie
        ? { kind: 'anonymous', uiSecret: ctx.uiSecret, cookie: ctx.csrfCookie }
        : undefined;
    if (!binding) reason = 'no_cookie';
    else if (!csrfValid(binding, formId, ctx.form._csrf)) reason = ctx.form._csrf ? 'bad_token' : 'no_token';
  }
  if (!reason) return undefined;
  await recordAudit(ctx.deps, {
    type: 'csrf.rejected',
    outcome: 'failure',
    userId: ctx.signedIn?.user.id ?? null,
    sessionId: ctx.signedIn?.session.id ?? null,
    details: { form: formId, reason },
    request: requestInfo(ctx.event),
  }).catch(() => ctx.deps.log.warn('could not record csrf.rejected', { flow: 'ui' }));
  return messagePage(ctx, 'csrf.title', 'csrf.body', 403, false);
}

/** The page headers of this deployment: the CSP's `form-action` lists the hand-off clients' redirect origins (§4), `img-src` the logo's. */
export function headersOf(ctx: Ctx): Record<string, string> {
  const logo = ctx.deps.config.ui.logoUrl;
  // The logo's origin joins `img-src` (§4, §9).
  return pageHeaders({ formActions: redirectSources(ctx.deps.config.ui.clients), imgSources: logo ? [new URL(logo).origin] : [] });
}

export function page(ctx: Ctx, status: number, html: string, extraHeaders: Record<string, string> = {}): Result {
  return { statusCode: status, headers: { ...headersOf(ctx), ...extraHeaders }, body: html, cookies: [...ctx.setCookies] };
}

export function redirect(ctx: Ctx, location: string): Result {
  return { statusCode: 303, headers: { ...headersOf(ctx), location }, body: '', cookies: [...ctx.setCookies] };
}

export function messagePage(
  ctx: Ctx,
  title: MessageId,
  body: MessageId,
  status: number,
  signInLink: boolean,
  extraHeaders: Record<string, string> = {},
): Result {
  const view = viewOf(ctx);
  return page(
    ctx,
    status,
    renderPage(view, title, [
      h('p', { key: 'p' }, t(view, body)),
      signInLink && !ctx.signedIn ? h('p', { key: 'l' }, h('a', { href: '/ui/sign-in' }, t(view, 'common.backToSignIn'))) : null,
    ]),
    extraHeaders,
  );
}

/** An unexpected failure: a short reference (the request id) to quote, never internals. */
export function failurePage(ctx: Ctx, error: unknown): Result {
  const reference = ctx.event.requestContext?.requestId ?? '';
  if (error instanceof AuthError && error.code === 'service_unavailable') {
    return messagePage(ctx, 'failure.title', 'error.unavailable', 503, false, { 'retry-after': '1' });
  }
  ctx.deps.log.error('ui: page failed', { flow: 'ui', requestId: reference, errorName: error instanceof Error ? error.name : typeof error });
  const view = viewOf(ctx);
  return page(ctx, 500, renderPage(view, 'failure.title', h('p', null, t(view, 'failure.body', { reference }))));
}

// ---------------------------------------------------------------------------------------------
// Errors of the flows, in the page's language

export const FIELD_TEXTS: Array<[RegExp, MessageId]> = [
  [new RegExp(`^${escapeRe(messages.field.blank)}$`), 'error.field.blank'],
  [new RegExp(`^${escapeRe(messages.field.invalidFormat)}$`), 'error.field.invalidFormat'],
  [new RegExp(`^${escapeRe(messages.field.taken)}$`), 'error.field.taken'],
  [/^should be at least (?<n>\d+) character\(s\)$/, 'error.field.tooShort'],
  [/^should be at most (?<n>\d+) character\(s\)$/, 'error.field.tooLong'],
  [new RegExp(`^${escapeRe(messages.field.mismatch)}$`), 'error.field.mismatch'],
  [new RegExp(`^${escapeRe(messages.field.tooCommon)}$`), 'error.field.tooCommon'],
  [new RegExp(`^${escapeRe(messages.field.contextWord)}$`), 'error.field.contextWord'],
  [new RegExp(`^${escapeRe(messages.field.breached)}$`), 'error.field.breached'],
  [new RegExp(`^${escapeRe(messages.field.invalid)}$`), 'error.field.invalid'],
];

export function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function translateFieldMessage(locale: Locale, message: string): string {
  for (const [pattern, id] of FIELD_TEXTS) {
    const m = pattern.exec(message);
    if (m) return translate(locale, id, { ...(m.groups ?? {}) });
  }
  return message;
}

/** A flow's refusal as page errors (`_form` for the summary only); undefined for anything unexpected. */
export function pageErrorsOf(ctx: Ctx, error: unknown): PageErrors | undefined {
  const tr = (id: MessageId, values?: Record<string, string | number>) => translate(ctx.locale, id, values);
  if (error instanceof ValidationError) {
    return Object.fromEntries(Object.entries(error.errors).map(([name, list]) => [name, list.map((m) => translateFieldMessage(ctx.locale, m))]));
  }
  if (error instanceof RetryableError && error.code === 'too_many_attempts')
    return { _form: [tr('error.tooManyAttempts', { seconds: error.retryAfterSeconds })] };
  if (error instanceof RetryableError) return { _form: [tr('error.unavailable')] };
  if (!(error instanceof AuthError)) return undefined;
  switch (error.code) {
    case 'invalid_credentials':
      return { _form: [tr('error.invalidCredentials')] };
    case 'account_locked':
      return { _form: [tr('error.locked')] };
    case 'email_not_confirmed':
      return { _form: [tr('error.notConfirmed')] };
    case 'password_compromised':
      return { _form: [tr('error.breached')] };
    case 'forbidden':
      return { _form: [tr('error.forbidden')] };
    default:
      return undefined;
  }
}

export async function withFormErrors(ctx: Ctx, action: () => Promise<Result>, onErrors: (errors: PageErrors) => Result | Promise<Result>): Promise<Result> {
  try {
    return await action();
  } catch (error) {
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    return onErrors(errors);
  }
}

export function statusOf(errors: PageErrors): number {
  return Object.keys(errors).some((k) => k !== '_form') ? 422 : 400;
}

export function summary(view: View, errors: PageErrors, labels: Record<string, string>) {
  return errorSummary(view, errors, labels);
}

// ---------------------------------------------------------------------------------------------
// Before sign-in

export function startUiSession(ctx: Ctx, tokens: TokenPair, rememberMe: boolean, to: string): Result {
  setUiSessionCookies(ctx, tokens, rememberMe);
  return redirect(ctx, to);
}
