/**
 * The hosted pages (docs/specs/hosted-ui.md): one request in, one page or redirect out. Pages call
 * the flows directly with the same rules, codes and events as the JSON API. A UI session is a
 * Latch session: the `__Host-latch_ui` cookie is checked on every request with one strongly
 * consistent read of the session item, so a lock, reset or sign-out-everywhere through the API
 * ends it on the next request.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AuthError, RetryableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { hashSecret, safeEqual } from '../domain/secrets.js';
import { parseRenewalToken } from '../domain/tokens.js';
import type { Session, User } from '../domain/types.js';
import { deleteMe, getMe, updateMe } from '../flows/account.js';
import { recordAudit } from '../flows/audit.js';
import { signIn, signOut } from '../flows/current-session.js';
import { type Deps, nowSeconds, type Principal } from '../flows/deps.js';
import { confirmEmail, resendConfirmation } from '../flows/email-confirmation.js';
import { acceptInvitation, showInvitation } from '../flows/invitations.js';
import { listMySessions, revokeMySession, revokeMySessions } from '../flows/my-sessions.js';
import { checkResetToken, requestPasswordReset, resetPassword } from '../flows/password-reset.js';
import { register } from '../flows/registration.js';
import type { TokenPair } from '../flows/token-pair.js';
import { header, requestInfo } from '../http/request.js';
import { assetAt } from './assets.js';
import { type Locale, type MessageId, negotiateLocale, servedLocale, servedLocales, translate } from './i18n.js';
import { errorSummary, field, form, h, links, notice, type PageErrors, renderPage, t, type View } from './pages.js';
import { challengeOf, secondStep } from './second-step.js';
import {
  COOKIES,
  type CsrfBinding,
  clearCookie,
  cookiesOf,
  csrfToken,
  csrfValid,
  originAllowed,
  pageHeaders,
  randomToken,
  safeReturn,
  setCookie,
} from './security.js';

export type Result = APIGatewayProxyStructuredResultV2;

/** Form bodies over this many bytes get the 413 page (API.md's limit). */
export const MAX_FORM_BYTES = 65536;

interface SignedIn {
  user: User;
  session: Session;
  principal: Principal;
}

/** One request as the pages see it. */
interface Ctx {
  deps: Deps;
  event: APIGatewayProxyEventV2;
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  locale: Locale;
  uiOrigin: string;
  cookies: Record<string, string>;
  /** Set-Cookie values of the answer. */
  setCookies: string[];
  signedIn: SignedIn | undefined;
  /** The pre-sign-in CSRF cookie (made on first use). */
  csrfCookie: string | undefined;
  uiSecret: Uint8Array;
}

type Handler = (ctx: Ctx, params: Record<string, string>) => Promise<Result>;

interface PageRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** POST: the form id its CSRF token is bound to. */
  formId?: string;
  /** `user`: a UI session is required; `guest`: a signed-in user is sent to the account page. */
  access: 'any' | 'user' | 'guest';
  handler: Handler;
}

const TOKEN = '(?<token>[A-Za-z0-9._-]{1,200})';
const route = (method: PageRoute['method'], path: string, access: PageRoute['access'], handler: Handler, formId?: string): PageRoute => ({
  method,
  pattern: new RegExp(`^${path}$`),
  access,
  handler,
  ...(formId ? { formId } : {}),
});

/** The page map (§5): GET shows, POST submits. */
const PAGES: PageRoute[] = [
  route('GET', '/ui/?', 'any', async (ctx) => redirect(ctx, ctx.signedIn ? '/ui/account' : '/ui/sign-in')),
  route('GET', '/ui/sign-in', 'guest', async (ctx) => signInPage(ctx, {}, {})),
  route('POST', '/ui/sign-in', 'guest', postSignIn, 'sign-in'),
  route('GET', '/ui/sign-in/mfa', 'guest', async (ctx) => secondStepPage(ctx, {})),
  route('POST', '/ui/sign-in/mfa', 'guest', postSecondStep, 'sign-in-mfa'),
  route('GET', '/ui/sign-up', 'guest', async (ctx) => signUpPage(ctx, {}, {})),
  route('POST', '/ui/sign-up', 'guest', postSignUp, 'sign-up'),
  route('GET', '/ui/forgot-password', 'any', async (ctx) => emailOnlyPage(ctx, 'forgot', {}, {})),
  route('POST', '/ui/forgot-password', 'any', postForgot, 'forgot'),
  route('GET', '/ui/confirm-email/resend', 'any', async (ctx) => emailOnlyPage(ctx, 'resend', {}, {})),
  route('POST', '/ui/confirm-email/resend', 'any', postResend, 'resend'),
  route('GET', `/ui/confirm-email/${TOKEN}`, 'any', getConfirm),
  route('POST', `/ui/confirm-email/${TOKEN}`, 'any', postConfirm, 'confirm'),
  route('GET', `/ui/reset-password/${TOKEN}`, 'any', getReset),
  route('POST', `/ui/reset-password/${TOKEN}`, 'any', postReset, 'reset'),
  route('GET', `/ui/invitation/${TOKEN}`, 'any', getInvitation),
  route('POST', `/ui/invitation/${TOKEN}`, 'any', postInvitation, 'invitation'),
  route('GET', '/ui/account', 'user', async (ctx) => accountPage(ctx, {}, {})),
  route('POST', '/ui/account/email', 'user', postAccountEmail, 'account-email'),
  route('POST', '/ui/account/password', 'user', postAccountPassword, 'account-password'),
  route('POST', '/ui/account/delete', 'user', postAccountDelete, 'account-delete'),
  route('GET', '/ui/account/sessions', 'user', async (ctx) => sessionsPage(ctx)),
  route('POST', '/ui/account/sessions/revoke', 'user', postRevokeSession, 'sessions-revoke'),
  route('POST', '/ui/account/sessions/revoke-all', 'user', postRevokeAll, 'sessions-revoke-all'),
  route('POST', '/ui/sign-out', 'any', postSignOut, 'sign-out'),
  route('GET', '/ui/signed-out', 'any', async (ctx) => messagePage(ctx, 'signedOut.title', 'signedOut.body', 200, true)),
];

/** Answers one request to `/ui/…` (the `ui` function's core, below its middlewares). */
export async function handleUi(deps: Deps, event: APIGatewayProxyEventV2, form: Record<string, string>): Promise<Result> {
  const path = event.rawPath ?? '/';
  const method = event.requestContext?.http?.method ?? 'GET';
  if (method === 'GET' && path.startsWith('/ui/assets/')) {
    const asset = assetAt(path);
    if (asset) {
      return {
        statusCode: 200,
        headers: { 'content-type': asset.contentType, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' },
        body: asset.body,
      };
    }
  }
  const ctx = await contextOf(deps, event, form, method, path);
  const matching = PAGES.map((p) => ({ page: p, match: p.pattern.exec(path) })).filter((m) => m.match);
  const found = matching.find((m) => m.page.method === method);
  if (!found?.match) {
    if (matching.length > 0)
      return messagePage(ctx, 'methodNotAllowed.title', 'methodNotAllowed.body', 405, false, { allow: matching.map((m) => m.page.method).join(', ') });
    return messagePage(ctx, 'notFound.title', 'notFound.body', 404, true);
  }
  const { page, match } = found;
  if (page.method === 'POST') {
    const refused = await checkPost(ctx, page.formId ?? '');
    if (refused) return refused;
  }
  if (page.access === 'user' && !ctx.signedIn) return redirect(ctx, `/ui/sign-in?return=${encodeURIComponent(path)}`);
  if (page.access === 'guest' && ctx.signedIn) return redirect(ctx, safeReturn(ctx.query.return, ctx.uiOrigin) ?? '/ui/account');
  try {
    return await page.handler(ctx, { ...(match.groups ?? {}) });
  } catch (error) {
    return failurePage(ctx, error);
  }
}

/** The 413 page: a form body over {@link MAX_FORM_BYTES}, refused before it is parsed. */
export async function tooLargePage(deps: Deps, event: APIGatewayProxyEventV2): Promise<Result> {
  const ctx = await contextOf(deps, event, {}, 'POST', event.rawPath ?? '/');
  return messagePage(ctx, 'tooLarge.title', 'tooLarge.body', 413, false);
}

async function contextOf(deps: Deps, event: APIGatewayProxyEventV2, form: Record<string, string>, method: string, path: string): Promise<Ctx> {
  const cookies = cookiesOf(event);
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (typeof v === 'string') query[k] = v;
  const pseudo = deps.config.ui.pseudoLocales;
  const setCookies: string[] = [];
  const signedIn = await uiSession(deps, cookies[COOKIES.session]);
  if (cookies[COOKIES.session] && !signedIn) setCookies.push(clearCookie(COOKIES.session));
  const chosen = servedLocale(query.lang, pseudo);
  if (chosen) setCookies.push(setCookie(COOKIES.lang, chosen, 365 * 86400));
  const locale = negotiateLocale({
    ...(query.lang ? { param: query.lang } : {}),
    ...(cookies[COOKIES.lang] ? { cookie: cookies[COOKIES.lang] } : {}),
    ...(header(event, 'accept-language') ? { acceptLanguage: header(event, 'accept-language') } : {}),
    fallback: deps.config.ui.defaultLocale,
    pseudo,
  });
  return {
    deps,
    event,
    method,
    path,
    query,
    form,
    locale,
    uiOrigin: new URL(deps.config.appUrl).origin,
    cookies,
    setCookies,
    signedIn,
    csrfCookie: cookies[COOKIES.csrf],
    uiSecret: await deps.auditKey.key(),
  };
}

/**
 * The UI session behind a cookie: one strongly consistent read of the session item (and the
 * user), the secret compared in constant time, the deadline and the lock checked. A session that
 * a lock, reset, sign-out or sign-out-everywhere removed is gone here at once.
 */
async function uiSession(deps: Deps, cookie: string | undefined): Promise<SignedIn | undefined> {
  const parts = parseRenewalToken(cookie);
  if (!parts) return undefined;
  const [session, user] = await Promise.all([deps.store.getSession(parts.userId, parts.sessionId), deps.store.getUser(parts.userId)]);
  if (!session || !user || user.locked || session.expiresAt <= nowSeconds(deps)) return undefined;
  if (parts.generation !== session.renewalGeneration || !safeEqual(hashSecret(parts.secret), session.renewalHash)) return undefined;
  return { user, session, principal: { userId: user.id, sessionId: session.id, role: session.role, email: session.email, jti: session.currentJti } };
}

function csrfBinding(ctx: Ctx): CsrfBinding {
  if (ctx.signedIn) return { kind: 'session', sessionSecret: Buffer.from(ctx.signedIn.session.renewalKey, 'base64url') };
  if (!ctx.csrfCookie) {
    ctx.csrfCookie = randomToken();
    ctx.setCookies.push(setCookie(COOKIES.csrf, ctx.csrfCookie));
  }
  return { kind: 'anonymous', uiSecret: ctx.uiSecret, cookie: ctx.csrfCookie };
}

function viewOf(ctx: Ctx): View {
  return {
    locale: ctx.locale,
    locales: servedLocales(ctx.deps.config.ui.pseudoLocales),
    appName: ctx.deps.config.ui.appName,
    path: ctx.path,
    csrf: (formId) => csrfToken(csrfBinding(ctx), formId),
    signedIn: ctx.signedIn ? { email: ctx.signedIn.user.email } : undefined,
  };
}

/**
 * A POST's checks before anything else (§4): the origin (defence in depth), the body type, then
 * the synchronizer token. A refusal answers the 403 page, changes nothing and writes `csrf.rejected`.
 */
async function checkPost(ctx: Ctx, formId: string): Promise<Result | undefined> {
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

function page(ctx: Ctx, status: number, html: string, extraHeaders: Record<string, string> = {}): Result {
  return { statusCode: status, headers: { ...pageHeaders(), ...extraHeaders }, body: html, cookies: [...ctx.setCookies] };
}

function redirect(ctx: Ctx, location: string): Result {
  return { statusCode: 303, headers: { ...pageHeaders(), location }, body: '', cookies: [...ctx.setCookies] };
}

function messagePage(ctx: Ctx, title: MessageId, body: MessageId, status: number, signInLink: boolean, extraHeaders: Record<string, string> = {}): Result {
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
function failurePage(ctx: Ctx, error: unknown): Result {
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

const FIELD_TEXTS: Array<[RegExp, MessageId]> = [
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

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function translateFieldMessage(locale: Locale, message: string): string {
  for (const [pattern, id] of FIELD_TEXTS) {
    const m = pattern.exec(message);
    if (m) return translate(locale, id, { ...(m.groups ?? {}) });
  }
  return message;
}

/** A flow's refusal as page errors (`_form` for the summary only); undefined for anything unexpected. */
function pageErrorsOf(ctx: Ctx, error: unknown): PageErrors | undefined {
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

async function withFormErrors(ctx: Ctx, action: () => Promise<Result>, onErrors: (errors: PageErrors) => Result | Promise<Result>): Promise<Result> {
  try {
    return await action();
  } catch (error) {
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    return onErrors(errors);
  }
}

function statusOf(errors: PageErrors): number {
  return Object.keys(errors).some((k) => k !== '_form') ? 422 : 400;
}

function summary(view: View, errors: PageErrors, labels: Record<string, string>) {
  return errorSummary(view, errors, labels);
}

// ---------------------------------------------------------------------------------------------
// Before sign-in

function startUiSession(ctx: Ctx, tokens: TokenPair, rememberMe: boolean, to: string): Result {
  // Only the renewal token's form goes into the HttpOnly cookie; the access token is dropped.
  ctx.setCookies.push(setCookie(COOKIES.session, tokens.renewalToken, rememberMe ? ctx.deps.config.rememberMeTtlSeconds : undefined));
  ctx.setCookies.push(clearCookie(COOKIES.csrf));
  return redirect(ctx, to);
}

function signInPage(ctx: Ctx, errors: PageErrors, values: { email?: string }): Result {
  const view = viewOf(ctx);
  const labels = { email: t(view, 'field.email'), password: t(view, 'field.password') };
  const ret = safeReturn(ctx.query.return, ctx.uiOrigin);
  const action = ret ? `/ui/sign-in?return=${encodeURIComponent(ret)}` : '/ui/sign-in';
  const body = [
    summary(view, errors, labels),
    form(
      view,
      'sign-in',
      action,
      [
        field(view, { name: 'email', label: labels.email, type: 'email', autocomplete: 'username webauthn', value: values.email, errors: errors.email }),
        field(view, { name: 'password', label: labels.password, type: 'password', autocomplete: 'current-password', errors: errors.password }),
        h(
          'div',
          { class: 'check' },
          h('input', { type: 'checkbox', id: 'rememberMe', name: 'rememberMe', value: 'on' }),
          h('label', { for: 'rememberMe' }, t(view, 'field.rememberMe')),
        ),
      ],
      t(view, 'signIn.submit'),
    ),
    links([
      { href: '/ui/sign-up', text: t(view, 'signIn.signUp') },
      { href: '/ui/forgot-password', text: t(view, 'signIn.forgot') },
      { href: '/ui/confirm-email/resend', text: t(view, 'signIn.resend') },
    ]),
  ];
  return page(ctx, Object.keys(errors).length ? statusOf(errors) : 200, renderPage(view, 'signIn.title', body));
}

async function postSignIn(ctx: Ctx): Promise<Result> {
  const rememberMe = ctx.form.rememberMe === 'on';
  return withFormErrors(
    ctx,
    async () => {
      let tokens: TokenPair;
      try {
        tokens = await signIn(ctx.deps, { email: ctx.form.email, password: ctx.form.password, rememberMe }, requestInfo(ctx.event));
      } catch (error) {
        // The first factor was right and the user has a second one: the challenge waits in its cookie.
        const challenge = challengeOf(error);
        if (!challenge) throw error;
        ctx.setCookies.push(setCookie(COOKIES.mfa, challenge.mfaToken, challenge.expiresIn));
        const ret = safeReturn(ctx.query.return, ctx.uiOrigin);
        return redirect(
          ctx,
          `/ui/sign-in/mfa?${new URLSearchParams({ minutes: String(Math.ceil(challenge.expiresIn / 60)), ...(rememberMe ? { rememberMe: 'on' } : {}), ...(ret ? { return: ret } : {}) })}`,
        );
      }
      return startUiSession(ctx, tokens, rememberMe, safeReturn(ctx.query.return, ctx.uiOrigin) ?? '/ui/account');
    },
    (errors) => signInPage(ctx, errors, { email: ctx.form.email ?? '' }),
  );
}

/** The second step (§5.1): a code from the authenticator app or a recovery code; the time limit said on the page. */
function secondStepPage(ctx: Ctx, errors: PageErrors): Result {
  if (!ctx.cookies[COOKIES.mfa]) return redirect(ctx, '/ui/sign-in');
  const view = viewOf(ctx);
  const labels = { code: t(view, 'field.code') };
  const minutes = Math.min(15, Math.max(1, Number.parseInt(ctx.query.minutes ?? '5', 10) || 5));
  const query = new URLSearchParams({
    minutes: String(minutes),
    ...(ctx.query.rememberMe === 'on' ? { rememberMe: 'on' } : {}),
    ...(safeReturn(ctx.query.return, ctx.uiOrigin) ? { return: safeReturn(ctx.query.return, ctx.uiOrigin) as string } : {}),
  });
  const body = [
    summary(view, errors, labels),
    h('p', null, t(view, 'mfa.intro')),
    h('p', { class: 'muted' }, t(view, 'mfa.timeLimit', { minutes })),
    form(
      view,
      'sign-in-mfa',
      `/ui/sign-in/mfa?${query}`,
      [field(view, { name: 'code', label: labels.code, type: 'text', autocomplete: 'one-time-code', inputMode: 'numeric', errors: errors.code })],
      t(view, 'mfa.submit'),
    ),
    links([{ href: '/ui/sign-in', text: t(view, 'mfa.startAgain') }]),
  ];
  return page(ctx, Object.keys(errors).length ? 401 : 200, renderPage(view, 'mfa.title', body));
}

async function postSecondStep(ctx: Ctx): Promise<Result> {
  const mfaToken = ctx.cookies[COOKIES.mfa];
  if (!mfaToken) return redirect(ctx, '/ui/sign-in');
  const rememberMe = ctx.query.rememberMe === 'on';
  try {
    const tokens = await secondStep().complete(ctx.deps, { mfaToken, code: ctx.form.code ?? '' }, requestInfo(ctx.event));
    ctx.setCookies.push(clearCookie(COOKIES.mfa));
    return startUiSession(ctx, tokens, rememberMe, safeReturn(ctx.query.return, ctx.uiOrigin) ?? '/ui/account');
  } catch (error) {
    if (error instanceof AuthError && error.code === 'invalid_code') return secondStepPage(ctx, { code: [translate(ctx.locale, 'error.invalidCode')] });
    // An expired, spent or unknown challenge (or a lock meanwhile): back to the first step.
    if (isInvalidToken(error) || (error instanceof AuthError && error.code === 'account_locked')) {
      ctx.setCookies.push(clearCookie(COOKIES.mfa));
      return signInPage(ctx, pageErrorsOf(ctx, error) ?? { _form: [translate(ctx.locale, 'invalidLink.body')] }, {});
    }
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    return secondStepPage(ctx, errors.code ? errors : { code: errors._form ?? [] });
  }
}

function signUpPage(ctx: Ctx, errors: PageErrors, values: { email?: string }): Result {
  const view = viewOf(ctx);
  const labels = { email: t(view, 'field.email'), password: t(view, 'field.password'), passwordConfirmation: t(view, 'field.passwordConfirmation') };
  const body = [
    summary(view, errors, labels),
    form(
      view,
      'sign-up',
      '/ui/sign-up',
      [
        field(view, { name: 'email', label: labels.email, type: 'email', autocomplete: 'email', value: values.email, errors: errors.email }),
        field(view, { name: 'password', label: labels.password, type: 'password', autocomplete: 'new-password', errors: errors.password }),
        field(view, {
          name: 'passwordConfirmation',
          label: labels.passwordConfirmation,
          type: 'password',
          autocomplete: 'new-password',
          errors: errors.passwordConfirmation,
        }),
      ],
      t(view, 'signUp.submit'),
    ),
    links([{ href: '/ui/sign-in', text: t(view, 'signUp.signIn') }]),
  ];
  return page(ctx, Object.keys(errors).length ? statusOf(errors) : 200, renderPage(view, 'signUp.title', body));
}

async function postSignUp(ctx: Ctx): Promise<Result> {
  return withFormErrors(
    ctx,
    async () => {
      const result = await register(
        ctx.deps,
        { email: ctx.form.email, password: ctx.form.password, passwordConfirmation: ctx.form.passwordConfirmation, body: {} },
        requestInfo(ctx.event),
      );
      if (result.kind === 'signedIn') return startUiSession(ctx, result.tokens, false, '/ui/account');
      return messagePage(ctx, 'checkMail.title', 'checkMail.registered', 202, true);
    },
    (errors) => signUpPage(ctx, errors, { email: ctx.form.email ?? '' }),
  );
}

function emailOnlyPage(ctx: Ctx, kind: 'forgot' | 'resend', errors: PageErrors, values: { email?: string }): Result {
  const view = viewOf(ctx);
  const labels = { email: t(view, 'field.email') };
  const body = [
    summary(view, errors, labels),
    kind === 'forgot' ? h('p', null, t(view, 'forgot.intro')) : null,
    form(
      view,
      kind,
      kind === 'forgot' ? '/ui/forgot-password' : '/ui/confirm-email/resend',
      [field(view, { name: 'email', label: labels.email, type: 'email', autocomplete: 'email', value: values.email, errors: errors.email })],
      t(view, kind === 'forgot' ? 'forgot.submit' : 'resend.submit'),
    ),
    links([{ href: '/ui/sign-in', text: t(view, 'common.backToSignIn') }]),
  ];
  return page(ctx, Object.keys(errors).length ? statusOf(errors) : 200, renderPage(view, kind === 'forgot' ? 'forgot.title' : 'resend.title', body));
}

/** The same "if an account exists…" page for every address (enumeration safety). */
async function postForgot(ctx: Ctx): Promise<Result> {
  return withFormErrors(
    ctx,
    async () => {
      await requestPasswordReset(ctx.deps, { email: ctx.form.email }, requestInfo(ctx.event));
      return messagePage(ctx, 'checkMail.title', 'checkMail.reset', 202, true);
    },
    (errors) => emailOnlyPage(ctx, 'forgot', errors, { email: ctx.form.email ?? '' }),
  );
}

async function postResend(ctx: Ctx): Promise<Result> {
  return withFormErrors(
    ctx,
    async () => {
      await resendConfirmation(ctx.deps, { email: ctx.form.email });
      return messagePage(ctx, 'checkMail.title', 'checkMail.resent', 202, true);
    },
    (errors) => emailOnlyPage(ctx, 'resend', errors, { email: ctx.form.email ?? '' }),
  );
}

function invalidLinkPage(ctx: Ctx, again: string): Result {
  const view = viewOf(ctx);
  return page(
    ctx,
    404,
    renderPage(view, 'invalidLink.title', [h('p', { key: 'p' }, t(view, 'invalidLink.body')), links([{ href: again, text: t(view, 'invalidLink.again') }])]),
  );
}

function isInvalidToken(error: unknown): boolean {
  return error instanceof AuthError && (error.code === 'invalid_token' || error.code === 'not_found');
}

/** A confirmation link shows one button: mail scanners fetch links, so GET changes nothing. */
async function getConfirm(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const view = viewOf(ctx);
  return page(
    ctx,
    200,
    renderPage(view, 'confirm.title', [
      h('p', { key: 'p' }, t(view, 'confirm.intro')),
      form(view, 'confirm', `/ui/confirm-email/${params.token}`, null, t(view, 'confirm.submit')),
    ]),
  );
}

async function postConfirm(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  try {
    const user = await confirmEmail(ctx.deps, params.token, requestInfo(ctx.event));
    const view = viewOf(ctx);
    return page(
      ctx,
      200,
      renderPage(view, 'confirmed.title', [
        notice(t(view, 'confirmed.body', { email: user.email })),
        ctx.signedIn ? null : links([{ href: '/ui/sign-in', text: t(view, 'common.backToSignIn') }]),
      ]),
    );
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/confirm-email/resend');
    throw error;
  }
}

/** The pages that set a password for a mailed token: a reset, an accepted invitation. */
const NEW_PASSWORD_PAGES = {
  reset: { form: 'reset', action: '/ui/reset-password/', title: 'reset.title', intro: 'reset.intro', submit: 'reset.submit', password: 'field.newPassword' },
  invitation: {
    form: 'invitation',
    action: '/ui/invitation/',
    title: 'invitation.title',
    intro: 'invitation.intro',
    submit: 'invitation.submit',
    password: 'field.password',
  },
} as const;

function newPasswordPage(ctx: Ctx, kind: keyof typeof NEW_PASSWORD_PAGES, token: string, email: string, errors: PageErrors): Result {
  const p = NEW_PASSWORD_PAGES[kind];
  const view = viewOf(ctx);
  const labels = { password: t(view, p.password), passwordConfirmation: t(view, 'field.passwordConfirmation') };
  return page(
    ctx,
    Object.keys(errors).length ? statusOf(errors) : 200,
    renderPage(view, p.title, [
      summary(view, errors, labels),
      h('p', null, t(view, p.intro, { email })),
      form(
        view,
        p.form,
        `${p.action}${token}`,
        [
          h('input', { type: 'text', name: 'username', autoComplete: 'username', value: email, hidden: true, readOnly: true }),
          field(view, { name: 'password', label: labels.password, type: 'password', autocomplete: 'new-password', errors: errors.password }),
          field(view, {
            name: 'passwordConfirmation',
            label: labels.passwordConfirmation,
            type: 'password',
            autocomplete: 'new-password',
            errors: errors.passwordConfirmation,
          }),
        ],
        t(view, p.submit),
      ),
    ]),
  );
}

async function getReset(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  try {
    const { email } = await checkResetToken(ctx.deps, params.token);
    return newPasswordPage(ctx, 'reset', params.token as string, email, {});
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/forgot-password');
    throw error;
  }
}

/** A reset does not sign in: "please sign in" (API.md). */
async function postReset(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const token = params.token as string;
  try {
    await resetPassword(ctx.deps, token, { password: ctx.form.password, passwordConfirmation: ctx.form.passwordConfirmation }, requestInfo(ctx.event));
    return messagePage(ctx, 'resetDone.title', 'resetDone.body', 200, true);
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/forgot-password');
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    const { email } = await checkResetToken(ctx.deps, token).catch(() => ({ email: '' }));
    return newPasswordPage(ctx, 'reset', token, email, errors);
  }
}

async function getInvitation(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  try {
    const { email } = await showInvitation(ctx.deps, params.token);
    return newPasswordPage(ctx, 'invitation', params.token as string, email, {});
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/sign-in');
    throw error;
  }
}

async function postInvitation(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const token = params.token as string;
  try {
    const tokens = await acceptInvitation(
      ctx.deps,
      token,
      { password: ctx.form.password, passwordConfirmation: ctx.form.passwordConfirmation, body: {} },
      requestInfo(ctx.event),
    );
    return startUiSession(ctx, tokens, false, '/ui/account');
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/sign-in');
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    const { email } = await showInvitation(ctx.deps, token).catch(() => ({ email: '' }));
    return newPasswordPage(ctx, 'invitation', token, email, errors);
  }
}

// ---------------------------------------------------------------------------------------------
// Signed in

function signedIn(ctx: Ctx): SignedIn {
  if (!ctx.signedIn) throw new AuthError('unauthorized');
  return ctx.signedIn;
}

async function accountPage(ctx: Ctx, errors: Record<string, PageErrors>, options: { saved?: boolean; values?: { email?: string } }): Promise<Result> {
  const me = await getMe(ctx.deps, signedIn(ctx).principal);
  const view = viewOf(ctx);
  const section = (formId: string) => errors[formId] ?? {};
  const emailErrors = section('account-email');
  const passwordErrors = section('account-password');
  const deleteErrors = section('account-delete');
  const anyErrors = Object.values(errors).some((e) => Object.keys(e).length > 0);
  // Field ids are unique on the page: each form's fields carry its prefix.
  const prefixed = (prefix: string, e: PageErrors) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k === '_form' ? k : `${prefix}-${k}`, v]));
  const allErrors: PageErrors = { ...prefixed('email', emailErrors), ...prefixed('password', passwordErrors), ...prefixed('delete', deleteErrors) };
  const labels = {
    'email-email': t(view, 'field.newEmail'),
    'email-currentPassword': t(view, 'field.currentPassword'),
    'password-password': t(view, 'field.newPassword'),
    'password-passwordConfirmation': t(view, 'field.passwordConfirmation'),
    'password-currentPassword': t(view, 'field.currentPassword'),
    'delete-currentPassword': t(view, 'field.currentPassword'),
  };
  const body = [
    anyErrors ? summary(view, allErrors, labels) : null,
    options.saved ? notice(t(view, 'account.saved')) : null,
    h('p', null, t(view, 'account.signedInAs', { email: me.email })),
    me.unconfirmedEmail ? h('p', { class: 'muted' }, t(view, 'account.pending', { email: me.unconfirmedEmail })) : null,
    h('h2', { id: 'email-title' }, t(view, 'account.emailTitle')),
    form(
      view,
      'account-email',
      '/ui/account/email',
      [
        field(view, {
          name: 'email-email',
          label: labels['email-email'],
          type: 'email',
          autocomplete: 'email',
          value: options.values?.email,
          errors: emailErrors.email,
        }),
        field(view, {
          name: 'email-currentPassword',
          label: labels['email-currentPassword'],
          type: 'password',
          autocomplete: 'current-password',
          errors: emailErrors.currentPassword,
        }),
      ],
      t(view, 'account.emailSubmit'),
    ),
    h('h2', null, t(view, 'account.passwordTitle')),
    form(
      view,
      'account-password',
      '/ui/account/password',
      [
        h('input', { type: 'text', name: 'username', autoComplete: 'username', value: me.email, hidden: true, readOnly: true }),
        field(view, {
          name: 'password-currentPassword',
          label: labels['password-currentPassword'],
          type: 'password',
          autocomplete: 'current-password',
          errors: passwordErrors.currentPassword,
        }),
        field(view, {
          name: 'password-password',
          label: labels['password-password'],
          type: 'password',
          autocomplete: 'new-password',
          errors: passwordErrors.password,
        }),
        field(view, {
          name: 'password-passwordConfirmation',
          label: labels['password-passwordConfirmation'],
          type: 'password',
          autocomplete: 'new-password',
          errors: passwordErrors.passwordConfirmation,
        }),
      ],
      t(view, 'account.passwordSubmit'),
    ),
    h('h2', null, t(view, 'account.deleteTitle')),
    h('p', null, t(view, 'account.deleteWarning')),
    form(
      view,
      'account-delete',
      '/ui/account/delete',
      [
        field(view, {
          name: 'delete-currentPassword',
          label: labels['delete-currentPassword'],
          type: 'password',
          autocomplete: 'current-password',
          errors: deleteErrors.currentPassword,
        }),
      ],
      t(view, 'account.deleteSubmit'),
      { danger: true },
    ),
  ];
  return page(ctx, anyErrors ? 422 : 200, renderPage(view, 'account.title', body));
}

async function postAccountEmail(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return withFormErrors(
    ctx,
    async () => {
      await updateMe(
        ctx.deps,
        principal,
        { currentPassword: ctx.form['email-currentPassword'], email: ctx.form['email-email'], body: {} },
        requestInfo(ctx.event),
      );
      return accountPage(ctx, {}, { saved: true });
    },
    (errors) => accountPage(ctx, { 'account-email': errors }, { values: { email: ctx.form['email-email'] ?? '' } }),
  );
}

async function postAccountPassword(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return withFormErrors(
    ctx,
    async () => {
      await updateMe(
        ctx.deps,
        principal,
        {
          currentPassword: ctx.form['password-currentPassword'],
          password: ctx.form['password-password'],
          passwordConfirmation: ctx.form['password-passwordConfirmation'],
          body: {},
        },
        requestInfo(ctx.event),
      );
      return accountPage(ctx, {}, { saved: true });
    },
    (errors) => accountPage(ctx, { 'account-password': errors }, {}),
  );
}

async function postAccountDelete(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return withFormErrors(
    ctx,
    async () => {
      await deleteMe(ctx.deps, principal, { currentPassword: ctx.form['delete-currentPassword'] }, requestInfo(ctx.event));
      ctx.signedIn = undefined;
      ctx.setCookies.push(clearCookie(COOKIES.session));
      return messagePage(ctx, 'deleted.title', 'deleted.body', 200, true);
    },
    (errors) => accountPage(ctx, { 'account-delete': errors }, {}),
  );
}

async function sessionsPage(ctx: Ctx, options: { revoked?: boolean } = {}): Promise<Result> {
  const { principal } = signedIn(ctx);
  const { sessions } = await listMySessions(ctx.deps, principal, { limit: 100 });
  const view = viewOf(ctx);
  const when = (iso: string) =>
    new Intl.DateTimeFormat(ctx.locale.startsWith('de') ? 'de' : 'en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso));
  const body = [
    options.revoked ? notice(t(view, 'sessions.revoked')) : null,
    h('p', null, t(view, 'sessions.intro')),
    h(
      'ul',
      { class: 'sessions' },
      sessions.map((s) =>
        h(
          'li',
          { key: s.id },
          s.current ? h('p', { class: 'badge' }, t(view, 'sessions.current')) : null,
          h(
            'dl',
            null,
            h('dt', null, t(view, 'sessions.device')),
            h('dd', null, s.userAgent ?? t(view, 'sessions.unknownDevice')),
            h('dt', null, t(view, 'sessions.signedIn')),
            h('dd', null, `${when(s.createdAt)} UTC`),
            h('dt', null, t(view, 'sessions.lastUsed')),
            h('dd', null, `${when(s.lastUsedAt)} UTC`),
          ),
          s.current
            ? null
            : h(
                'form',
                { method: 'post', action: '/ui/account/sessions/revoke' },
                h('input', { type: 'hidden', name: '_csrf', value: view.csrf('sessions-revoke') }),
                h('input', { type: 'hidden', name: 'id', value: s.id }),
                h('button', { type: 'submit', class: 'secondary' }, t(view, 'sessions.revoke')),
              ),
        ),
      ),
    ),
    form(view, 'sessions-revoke-all', '/ui/account/sessions/revoke-all', null, t(view, 'sessions.revokeAll'), { danger: true }),
  ];
  return page(ctx, 200, renderPage(view, 'sessions.title', body));
}

async function postRevokeSession(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  const id = ctx.form.id ?? '';
  if (id === principal.sessionId) return postSignOut(ctx);
  try {
    await revokeMySession(ctx.deps, principal, id, requestInfo(ctx.event));
  } catch (error) {
    // Another device's session that is already gone: the list shows what is left.
    if (!(error instanceof AuthError && (error.code === 'not_found' || error.code === 'validation_failed'))) throw error;
  }
  return sessionsPage(ctx, { revoked: true });
}

async function postRevokeAll(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  await revokeMySessions(ctx.deps, principal, requestInfo(ctx.event));
  ctx.signedIn = undefined;
  ctx.setCookies.push(clearCookie(COOKIES.session));
  return redirect(ctx, '/ui/signed-out');
}

async function postSignOut(ctx: Ctx): Promise<Result> {
  if (ctx.signedIn) await signOut(ctx.deps, ctx.signedIn.principal, requestInfo(ctx.event));
  ctx.signedIn = undefined;
  ctx.setCookies.push(clearCookie(COOKIES.session));
  return redirect(ctx, '/ui/signed-out');
}
