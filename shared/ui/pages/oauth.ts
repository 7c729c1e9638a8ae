/**
 * The provider pages (docs/specs/hosted-ui.md §5.1): sign-in, linking and step-up through a
 * provider, over the flows of `docs/specs/social-sign-in.md` §4. The `flowSecret` lives only in
 * the `__Host-latch_flow` cookie, a pending identity's `pendingToken` only in
 * `__Host-latch_pending`: neither ever appears in HTML.
 */
import { AuthError, ValidationError } from '../../domain/errors.js';
import { messages } from '../../domain/messages.js';
import type { OAuthProviderConfig } from '../../domain/oauth.js';
import { signIn } from '../../flows/current-session.js';
import { createFromPending, finishAuthorization, linkPending, type OAuthOutcome, startAuthorization } from '../../flows/oauth.js';
import type { TokenPair } from '../../flows/token-pair.js';
import type { MessageId } from '../i18n.js';
import {
  type Ctx,
  messagePage,
  type PageHandlers,
  page,
  pageErrorsOf,
  type Result,
  redirect,
  startUiSession,
  statusOf,
  summary,
  uiRequest,
  viewOf,
} from '../kit.js';
import { field, form, h, links, type PageErrors, renderPage, t, type View } from '../render.js';
import { challengeOf } from '../second-step.js';
import { COOKIES, clearCookie, safeReturn, setCookie } from '../security.js';

/** The provider flow's cookies (§3): `<flowSecret>.<return, base64url>` and `<provider>.<pendingToken>.<flowSecret>`. */
export const FLOW_COOKIE = '__Host-latch_flow';
export const PENDING_COOKIE = '__Host-latch_pending';

const SECRET = /^[A-Za-z0-9_-]{1,200}$/;

/** The configured providers (the adapter's list when the function composes it). */
export function providersOf(ctx: Ctx): readonly OAuthProviderConfig[] {
  return ctx.deps.oauth?.list() ?? ctx.deps.config.oauthProviders;
}

function providerName(ctx: Ctx, id: string): string {
  return providersOf(ctx).find((p) => p.id === id)?.name ?? id;
}

/** The hosted pages' redirect URI of a provider (`<APP_URL>/oauth/<provider>/callback`, hosted-ui §2). */
export function callbackUri(ctx: Ctx, provider: string): string {
  return `${ctx.deps.config.appUrl}/oauth/${provider}/callback`;
}

/**
 * "Sign in with …" links for the sign-in and invitation pages: links, never forms (the CSP's
 * `form-action` would block the redirect to the provider after a form post, §4).
 */
export function providerLinks(ctx: Ctx, view: View, query: Record<string, string> = {}) {
  const providers = providersOf(ctx);
  if (providers.length === 0) return null;
  const ret = safeReturn(ctx.query.return, ctx.uiOrigin);
  const params = new URLSearchParams({ intent: 'sign_in', ...query, ...(ret ? { return: ret } : {}) });
  return h('nav', { class: 'providers', 'aria-label': t(view, 'oauth.or') }, [
    h('p', { key: 'or' }, t(view, 'oauth.or')),
    links(providers.map((p) => ({ href: `/ui/oauth/${encodeURIComponent(p.id)}/start?${params}`, text: t(view, 'oauth.signInWith', { provider: p.name }) }))),
  ]);
}

function flowCookieOf(ctx: Ctx): { flowSecret: string; ret: string | undefined } | undefined {
  const [flowSecret = '', encoded = ''] = (ctx.cookies[FLOW_COOKIE] ?? '').split('.');
  if (!SECRET.test(flowSecret)) return undefined;
  const decoded = encoded ? Buffer.from(encoded, 'base64url').toString('utf8') : undefined;
  return { flowSecret, ret: safeReturn(decoded, ctx.uiOrigin) };
}

function pendingCookieOf(ctx: Ctx): { provider: string; pendingToken: string; flowSecret: string } | undefined {
  const [provider = '', pendingToken = '', flowSecret = ''] = (ctx.cookies[PENDING_COOKIE] ?? '').split('.');
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(provider) || !SECRET.test(pendingToken) || !SECRET.test(flowSecret)) return undefined;
  if (!providersOf(ctx).some((p) => p.id === provider)) return undefined;
  return { provider, pendingToken, flowSecret };
}

function isCode(error: unknown, ...codes: string[]): error is AuthError {
  return error instanceof AuthError && codes.includes(error.code);
}

/** An error page with PowAssent's texts (social-sign-in §4.3), a link to start again. */
function oauthErrorPage(ctx: Ctx, status: number, body: MessageId, provider: string): Result {
  const view = viewOf(ctx);
  const again = ctx.signedIn ? '/ui/account/security' : '/ui/sign-in';
  return page(
    ctx,
    status,
    renderPage(view, 'oauth.error.title', [
      h('p', { key: 'p' }, t(view, body, { provider: providerName(ctx, provider) })),
      links([{ href: again, text: t(view, 'oauth.error.again') }]),
    ]),
  );
}

/** The flows' refusals of a provider flow, as pages; undefined for anything else. */
function refusalPage(ctx: Ctx, error: unknown, provider: string): Result | undefined {
  if (isCode(error, 'invalid_token')) return oauthErrorPage(ctx, 404, 'oauth.error.expired', provider);
  if (isCode(error, 'oauth_failed')) return oauthErrorPage(ctx, 400, 'oauth.error.failed', provider);
  if (isCode(error, 'registration_closed')) return oauthErrorPage(ctx, 403, 'oauth.error.registrationClosed', provider);
  if (isCode(error, 'identity_taken')) return oauthErrorPage(ctx, 409, 'oauth.error.identityTaken', provider);
  if (isCode(error, 'already_enabled')) return oauthErrorPage(ctx, 409, 'oauth.error.alreadyLinked', provider);
  if (isCode(error, 'unauthorized', 'invalid_credentials')) return oauthErrorPage(ctx, 401, 'oauth.error.failed', provider);
  if (isCode(error, 'account_locked', 'email_not_confirmed')) {
    const errors = pageErrorsOf(ctx, error);
    const view = viewOf(ctx);
    return page(
      ctx,
      403,
      renderPage(view, 'oauth.error.title', [summary(view, errors ?? {}, {}), links([{ href: '/ui/sign-in', text: t(view, 'common.backToSignIn') }])]),
    );
  }
  if (error instanceof ValidationError && !error.members?.pendingToken) return oauthErrorPage(ctx, 422, 'oauth.error.failed', provider);
  return undefined;
}

/** The second step after a first factor a provider (or the link page's password) proved (as the sign-in page does). */
function toSecondStep(ctx: Ctx, error: unknown, ret: string | undefined): Result | undefined {
  const challenge = challengeOf(error);
  if (!challenge) return undefined;
  ctx.setCookies.push(setCookie(COOKIES.mfa, challenge.mfaToken, challenge.expiresIn));
  return redirect(ctx, `/ui/sign-in/mfa?${new URLSearchParams({ minutes: String(Math.ceil(challenge.expiresIn / 60)), ...(ret ? { return: ret } : {}) })}`);
}

/** A sign-in outcome as the page answers it. */
function outcomePage(ctx: Ctx, outcome: OAuthOutcome, ret: string | undefined): Result {
  switch (outcome.kind) {
    case 'signedIn':
      return startUiSession(ctx, outcome.tokens, false, ret ?? '/ui/account');
    case 'pending':
      return messagePage(ctx, 'checkMail.title', 'checkMail.registered', 202, true);
    case 'linked':
    case 'reauthenticated':
      return redirect(ctx, ret ?? '/ui/account/security');
  }
}

/** `GET /ui/oauth/<provider>/start`: stores the flow, keeps its secret in `__Host-latch_flow`, sends the browser to the provider. */
async function getStart(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const provider = params.provider as string;
  if (!providersOf(ctx).some((p) => p.id === provider)) return messagePage(ctx, 'notFound.title', 'notFound.body', 404, true);
  const intent = ctx.query.intent ?? 'sign_in';
  if (intent !== 'sign_in' && !ctx.signedIn) return redirect(ctx, `/ui/sign-in?return=${encodeURIComponent('/ui/account/security')}`);
  const ret = safeReturn(ctx.query.return, ctx.uiOrigin);
  try {
    const started = await startAuthorization(
      ctx.deps,
      provider,
      {
        redirectUri: callbackUri(ctx, provider),
        intent,
        ...(ctx.query.invitation ? { invitationToken: ctx.query.invitation } : {}),
      },
      intent === 'sign_in' ? undefined : ctx.signedIn?.principal,
      uiRequest(ctx),
    );
    const value = ret ? `${started.flowSecret}.${Buffer.from(ret, 'utf8').toString('base64url')}` : started.flowSecret;
    ctx.setCookies.push(setCookie(FLOW_COOKIE, value, started.expiresIn));
    return redirect(ctx, started.authorizationUrl);
  } catch (error) {
    // Linking is an (R) action: without fresh authentication, the step-up page first (§5.2).
    if (isCode(error, 'reauthentication_required'))
      return redirect(ctx, `/ui/reauthenticate?return=${encodeURIComponent(`/ui/oauth/${provider}/start?intent=${intent}`)}`);
    if (isCode(error, 'not_found')) return messagePage(ctx, 'notFound.title', 'notFound.body', 404, true);
    if (error instanceof ValidationError) return oauthErrorPage(ctx, 422, 'oauth.error.failed', provider);
    const refused = refusalPage(ctx, error, provider);
    if (refused) return refused;
    throw error;
  }
}

/** `GET /ui/oauth/<provider>/callback`: finishes the flow with the cookie's `flowSecret` and answers its outcome. */
async function getCallback(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const provider = params.provider as string;
  if (!providersOf(ctx).some((p) => p.id === provider)) return messagePage(ctx, 'notFound.title', 'notFound.body', 404, true);
  const flow = flowCookieOf(ctx);
  if (ctx.cookies[FLOW_COOKIE] !== undefined) ctx.setCookies.push(clearCookie(FLOW_COOKIE));
  if (!flow) return oauthErrorPage(ctx, 404, 'oauth.error.expired', provider);
  const query = ctx.event.rawQueryString ?? '';
  const callbackUrl = `${callbackUri(ctx, provider)}${query ? `?${query}` : ''}`;
  try {
    const outcome = await finishAuthorization(ctx.deps, provider, { callbackUrl, flowSecret: flow.flowSecret }, ctx.signedIn?.principal, uiRequest(ctx));
    return outcomePage(ctx, outcome, flow.ret);
  } catch (error) {
    const second = toSecondStep(ctx, error, flow.ret);
    if (second) return second;
    // Cases 6 and 7: a pending identity, bound to this flow; its token stays in a cookie.
    if (error instanceof ValidationError && typeof error.members?.pendingToken === 'string') {
      const pendingToken = error.members.pendingToken;
      ctx.setCookies.push(setCookie(PENDING_COOKIE, `${provider}.${pendingToken}.${flow.flowSecret}`, ctx.deps.config.oauthPendingTtlSeconds));
      const taken = (error.errors.email ?? []).includes(messages.field.taken);
      return redirect(ctx, taken ? '/ui/oauth/link' : '/ui/oauth/add-email');
    }
    const refused = refusalPage(ctx, error, provider);
    if (refused) return refused;
    throw error;
  }
}

/** `POST /ui/oauth/<provider>/callback` (Apple's `form_post`): changes nothing, 303 to the GET with the fields as query (§4). */
async function postCallback(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.form)) if (typeof value === 'string' && key.length <= 64 && value.length <= 8192) fields[key] = value;
  const query = new URLSearchParams(fields).toString();
  return redirect(ctx, `/ui/oauth/${params.provider}/callback${query ? `?${query}` : ''}`);
}

function pendingGone(ctx: Ctx): Result {
  ctx.setCookies.push(clearCookie(PENDING_COOKIE));
  return oauthErrorPage(ctx, 404, 'oauth.error.expired', '');
}

function addEmailPage(ctx: Ctx, provider: string, errors: PageErrors, values: { email?: string }): Result {
  const view = viewOf(ctx);
  const labels = { email: t(view, 'field.email') };
  return page(
    ctx,
    Object.keys(errors).length ? statusOf(errors) : 200,
    renderPage(view, 'oauth.addEmail.title', [
      summary(view, errors, labels),
      h('p', null, t(view, 'oauth.addEmail.intro', { provider: providerName(ctx, provider) })),
      form(
        view,
        'oauth-add-email',
        '/ui/oauth/add-email',
        [field(view, { name: 'email', label: labels.email, type: 'email', autocomplete: 'email', value: values.email, errors: errors.email })],
        t(view, 'oauth.addEmail.submit'),
      ),
    ]),
  );
}

async function getAddEmail(ctx: Ctx): Promise<Result> {
  const pending = pendingCookieOf(ctx);
  if (!pending) return pendingGone(ctx);
  return addEmailPage(ctx, pending.provider, {}, {});
}

async function postAddEmail(ctx: Ctx): Promise<Result> {
  const pending = pendingCookieOf(ctx);
  if (!pending) return pendingGone(ctx);
  try {
    const outcome = await createFromPending(
      ctx.deps,
      pending.provider,
      { pendingToken: pending.pendingToken, flowSecret: pending.flowSecret, email: ctx.form.email ?? '' },
      uiRequest(ctx),
    );
    ctx.setCookies.push(clearCookie(PENDING_COOKIE));
    return outcomePage(ctx, outcome, undefined);
  } catch (error) {
    if (isCode(error, 'invalid_token')) return pendingGone(ctx);
    if (error instanceof ValidationError) return addEmailPage(ctx, pending.provider, pageErrorsOf(ctx, error) ?? {}, { email: ctx.form.email ?? '' });
    const refused = refusalPage(ctx, error, pending.provider);
    if (refused) {
      ctx.setCookies.push(clearCookie(PENDING_COOKIE));
      return refused;
    }
    throw error;
  }
}

function linkPage(ctx: Ctx, provider: string, errors: PageErrors, values: { email?: string }): Result {
  const view = viewOf(ctx);
  const name = providerName(ctx, provider);
  const labels = { email: t(view, 'field.email'), password: t(view, 'field.password') };
  return page(
    ctx,
    Object.keys(errors).length ? statusOf(errors) : 200,
    renderPage(
      view,
      'oauth.link.title',
      [
        summary(view, errors, labels),
        h('p', null, t(view, 'oauth.link.intro', { provider: name })),
        form(
          view,
          'oauth-link',
          '/ui/oauth/link',
          [
            field(view, { name: 'email', label: labels.email, type: 'email', autocomplete: 'username', value: values.email, errors: errors.email }),
            field(view, { name: 'password', label: labels.password, type: 'password', autocomplete: 'current-password', errors: errors.password }),
          ],
          t(view, 'oauth.link.submit'),
        ),
        links([{ href: '/ui/forgot-password', text: t(view, 'signIn.forgot') }]),
      ],
      { titleValues: { provider: name } },
    ),
  );
}

async function getLink(ctx: Ctx): Promise<Result> {
  const pending = pendingCookieOf(ctx);
  if (!pending) return pendingGone(ctx);
  // Signed in meanwhile (e.g. back from the second step): link now.
  if (ctx.signedIn) return finishLink(ctx, pending);
  return linkPage(ctx, pending.provider, {}, {});
}

/** Links the pending identity to the signed-in user (fresh authentication: the sign-in just made). */
async function finishLink(ctx: Ctx, pending: { provider: string; pendingToken: string; flowSecret: string }): Promise<Result> {
  const principal = ctx.signedIn?.principal;
  if (!principal) return linkPage(ctx, pending.provider, {}, {});
  try {
    const outcome = await linkPending(ctx.deps, principal, { pendingToken: pending.pendingToken, flowSecret: pending.flowSecret }, uiRequest(ctx));
    ctx.setCookies.push(clearCookie(PENDING_COOKIE));
    return outcomePage(ctx, outcome, undefined);
  } catch (error) {
    if (isCode(error, 'reauthentication_required')) return redirect(ctx, `/ui/reauthenticate?return=${encodeURIComponent('/ui/oauth/link')}`);
    if (isCode(error, 'invalid_token')) return pendingGone(ctx);
    const refused = refusalPage(ctx, error, pending.provider);
    if (refused) {
      ctx.setCookies.push(clearCookie(PENDING_COOKIE));
      return refused;
    }
    throw error;
  }
}

/** `POST /ui/oauth/link`: signs in (the second step included, which comes back here), then links. */
async function postLink(ctx: Ctx): Promise<Result> {
  const pending = pendingCookieOf(ctx);
  if (!pending) return pendingGone(ctx);
  if (ctx.signedIn) return finishLink(ctx, pending);
  let tokens: TokenPair;
  try {
    tokens = await signIn(ctx.deps, { email: ctx.form.email, password: ctx.form.password }, uiRequest(ctx));
  } catch (error) {
    const second = toSecondStep(ctx, error, '/ui/oauth/link');
    if (second) return second;
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    return linkPage(ctx, pending.provider, errors, { email: ctx.form.email ?? '' });
  }
  // The session starts, then the link page (a GET with the new cookie) links.
  return startUiSession(ctx, tokens, false, '/ui/oauth/link');
}

/** The provider pages (§5.1). */
export const oauthPages = {
  'GET /ui/oauth/{provider}/start': getStart,
  'GET /ui/oauth/{provider}/callback': getCallback,
  // Apple's cross-site form_post: no CSRF token and no Origin check (its row is `csrfExempt`; it changes nothing; §4).
  'POST /ui/oauth/{provider}/callback': postCallback,
  'GET /ui/oauth/add-email': getAddEmail,
  'POST /ui/oauth/add-email': postAddEmail,
  'GET /ui/oauth/link': getLink,
  'POST /ui/oauth/link': postLink,
} satisfies PageHandlers;
