/**
 * The provider pages (docs/specs/hosted-ui.md §5.1): sign-in, linking and step-up through a
 * provider, over the flows of `docs/specs/social-sign-in.md` §4. The `flowSecret` and a pending
 * identity's `pendingToken` live only in the `__Host-latch_flow` cookie (a tagged value, below):
 * neither ever appears in HTML.
 */
import { AuthError, RetryableError, ValidationError } from '../../domain/errors.js';
import { messages } from '../../domain/messages.js';
import type { OAuthProviderConfig } from '../../domain/oauth.js';
import { signIn } from '../../flows/current-session.js';
import { createFromPending, finishAuthorization, linkPending, type OAuthOutcome, startAuthorization } from '../../flows/oauth.js';
import type { TokenPair } from '../../flows/token-pair.js';
import { type MessageId, translate } from '../i18n.js';
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
import { codeField, field, form, h, links, type PageErrors, renderPage, t, type View } from '../render.js';
import { challengeOf } from '../second-step.js';
import { COOKIES, clearCookie, safeReturn, setCookie } from '../security.js';
import { reauthenticatePage, reauthenticateUrl } from './reauthenticate.js';

/**
 * The provider flow's one cookie (§3), a tagged value:
 * - `f.<flowSecret>.<flags>.<return, base64url>`: a started flow (flags: the intent `s`/`l`/`a`,
 *   then `r` for remember me); Max-Age = the state's life.
 * - `c.<flowSecret>.<flags>.<return, base64url>.<callback query, as received>`: a step-up callback of
 *   a user with a second factor, held (state unspent) until the code page sends it with the code, as
 *   a JSON client holds the callback URL while it asks for the code (social-sign-in §4.3).
 * - `p.<provider>.<pendingToken>.<flowSecret>.<flags>`: a pending identity between the callback and
 *   `/ui/oauth/link` or `/ui/oauth/add-email` (the flow's state is spent by then); Max-Age = the
 *   pending identity's life.
 */
export const FLOW_COOKIE = '__Host-latch_flow';

/** The longest flow cookie value the pages write (the cookie reader takes values up to 512 characters). */
const MAX_FLOW_COOKIE = 500;

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

type Intent = 'sign_in' | 'link' | 'reauthenticate';
const INTENT_FLAGS: Record<Intent, string> = { sign_in: 's', link: 'l', reauthenticate: 'a' };

interface FlowCookie {
  flowSecret: string;
  intent: Intent;
  remember: boolean;
  ret: string | undefined;
}

function flagsOf(intent: Intent, remember: boolean): string {
  return `${INTENT_FLAGS[intent]}${remember ? 'r' : ''}`;
}

function parseFlags(flags: string): { intent: Intent; remember: boolean } {
  const intent = (Object.keys(INTENT_FLAGS) as Intent[]).find((i) => INTENT_FLAGS[i] === flags.charAt(0)) ?? 'sign_in';
  return { intent, remember: flags.slice(1) === 'r' };
}

function decoded(part: string): string {
  return part ? Buffer.from(part, 'base64url').toString('utf8') : '';
}

function encoded(text: string | undefined): string {
  return text ? Buffer.from(text, 'utf8').toString('base64url') : '';
}

/** A started flow (`f.`) or a held step-up callback (`c.`, with its query). */
function flowCookieOf(ctx: Ctx, tag: 'f' | 'c' = 'f'): (FlowCookie & { query: string }) | undefined {
  // The held query comes last, as received (URL-encoded, so cookie-safe; it may hold dots).
  const [kind, flowSecret = '', flags = '', ret = '', ...rest] = (ctx.cookies[FLOW_COOKIE] ?? '').split('.');
  if (kind !== tag || !SECRET.test(flowSecret) || !/^[sla]r?$/.test(flags)) return undefined;
  const query = rest.join('.');
  if (!/^[A-Za-z0-9%&=_.~+-]*$/.test(query)) return undefined;
  return { flowSecret, ...parseFlags(flags), ret: safeReturn(decoded(ret) || undefined, ctx.uiOrigin), query };
}

interface Pending {
  provider: string;
  pendingToken: string;
  flowSecret: string;
  remember: boolean;
}

function pendingCookieOf(ctx: Ctx): Pending | undefined {
  const [kind, provider = '', pendingToken = '', flowSecret = '', flags = ''] = (ctx.cookies[FLOW_COOKIE] ?? '').split('.');
  if (kind !== 'p' || !/^[a-z][a-z0-9-]{1,31}$/.test(provider) || !SECRET.test(pendingToken) || !SECRET.test(flowSecret)) return undefined;
  if (!providersOf(ctx).some((p) => p.id === provider)) return undefined;
  return { provider, pendingToken, flowSecret, remember: flags === 'r' };
}

/** Sets (or, without a value, clears) the flow cookie: one Set-Cookie of it per answer. */
function setFlowCookie(ctx: Ctx, value?: string, maxAgeSeconds?: number): void {
  const prefix = `${FLOW_COOKIE}=`;
  for (let i = ctx.setCookies.length - 1; i >= 0; i--) if (ctx.setCookies[i]?.startsWith(prefix)) ctx.setCookies.splice(i, 1);
  ctx.setCookies.push(value ? setCookie(FLOW_COOKIE, value, maxAgeSeconds) : clearCookie(FLOW_COOKIE));
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
function toSecondStep(ctx: Ctx, error: unknown, ret: string | undefined, remember = false): Result | undefined {
  const challenge = challengeOf(error);
  if (!challenge) return undefined;
  ctx.setCookies.push(setCookie(COOKIES.mfa, challenge.mfaToken, challenge.expiresIn));
  return redirect(
    ctx,
    `/ui/sign-in/mfa?${new URLSearchParams({ minutes: String(Math.ceil(challenge.expiresIn / 60)), ...(remember ? { rememberMe: 'on' } : {}), ...(ret ? { return: ret } : {}) })}`,
  );
}

/** A sign-in outcome as the page answers it; with remember me the UI cookie lives as long as the session may (§3). */
function outcomePage(ctx: Ctx, outcome: OAuthOutcome, ret: string | undefined, remember = false): Result {
  switch (outcome.kind) {
    case 'signedIn':
      return startUiSession(ctx, outcome.tokens, remember, ret ?? '/ui/account');
    case 'pending':
      return messagePage(ctx, 'checkMail.title', 'checkMail.registered', 202, true);
    case 'linked':
    case 'reauthenticated':
      return redirect(ctx, ret ?? '/ui/account/security');
  }
}

/**
 * `GET /ui/oauth/<provider>/start`: stores the flow, keeps its secret in `__Host-latch_flow`, sends
 * the browser to the provider. `remember=1` (the sign-in page's script adds it to the link while
 * "remember me" is ticked) asks for a remembered session: a link cannot carry the form's box.
 */
async function getStart(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const provider = params.provider as string;
  if (!providersOf(ctx).some((p) => p.id === provider)) return messagePage(ctx, 'notFound.title', 'notFound.body', 404, true);
  const intent = ctx.query.intent ?? 'sign_in';
  if (intent !== 'sign_in' && !ctx.signedIn) return redirect(ctx, `/ui/sign-in?return=${encodeURIComponent('/ui/account/security')}`);
  const ret = safeReturn(ctx.query.return, ctx.uiOrigin);
  const remember = intent === 'sign_in' && ctx.query.remember === '1';
  try {
    const started = await startAuthorization(
      ctx.deps,
      provider,
      {
        redirectUri: callbackUri(ctx, provider),
        intent,
        ...(remember ? { rememberMe: true } : {}),
        ...(ctx.query.invitation ? { invitationToken: ctx.query.invitation } : {}),
      },
      intent === 'sign_in' ? undefined : ctx.signedIn?.principal,
      uiRequest(ctx),
    );
    setFlowCookie(ctx, `f.${started.flowSecret}.${flagsOf(intent as Intent, remember)}.${encoded(ret)}`, started.expiresIn);
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
  if (ctx.cookies[FLOW_COOKIE] !== undefined) setFlowCookie(ctx);
  if (!flow) return oauthErrorPage(ctx, 404, 'oauth.error.expired', provider);
  const query = ctx.event.rawQueryString ?? '';
  // A step-up of a user with a second factor needs the code with the callback (social-sign-in
  // §4.3): the callback waits, state unspent, in the cookie while the code page asks for it.
  if (flow.intent === 'reauthenticate' && ctx.signedIn?.user.mfaEnabled) {
    const held = `c.${flow.flowSecret}.${flagsOf(flow.intent, false)}.${encoded(flow.ret)}.${query}`;
    // Too long for a cookie, or not a plain query: the flow cannot be held (the error page; start again).
    if (held.length > MAX_FLOW_COOKIE || !/^[A-Za-z0-9%&=_.~+-]*$/.test(query)) return oauthErrorPage(ctx, 400, 'oauth.error.failed', provider);
    setFlowCookie(ctx, held, ctx.deps.config.oauthStateTtlSeconds);
    return redirect(ctx, `/ui/oauth/${provider}/code`);
  }
  return finishCallback(ctx, provider, flow, query, undefined);
}

/** Finishes a flow (the callback, or the step-up code page with its code) and answers its outcome. */
async function finishCallback(ctx: Ctx, provider: string, flow: FlowCookie, query: string, code: string | undefined): Promise<Result> {
  const callbackUrl = `${callbackUri(ctx, provider)}${query ? `?${query}` : ''}`;
  try {
    const outcome = await finishAuthorization(
      ctx.deps,
      provider,
      { callbackUrl, flowSecret: flow.flowSecret, ...(code !== undefined ? { code } : {}) },
      ctx.signedIn?.principal,
      uiRequest(ctx),
    );
    return outcomePage(ctx, outcome, flow.ret, flow.remember);
  } catch (error) {
    const second = toSecondStep(ctx, error, flow.ret, flow.remember);
    if (second) return second;
    // Cases 6 and 7: a pending identity, bound to this flow; its token stays in the flow cookie.
    if (error instanceof ValidationError && typeof error.members?.pendingToken === 'string') {
      const pendingToken = error.members.pendingToken;
      setFlowCookie(ctx, `p.${provider}.${pendingToken}.${flow.flowSecret}.${flow.remember ? 'r' : ''}`, ctx.deps.config.oauthPendingTtlSeconds);
      const taken = (error.errors.email ?? []).includes(messages.field.taken);
      return redirect(ctx, taken ? '/ui/oauth/link' : '/ui/oauth/add-email');
    }
    // A wrong code for a step-up: the flow is spent, so the step-up page again, with the error.
    // During the MFA lockout, the same page with the wait.
    const lockout = error instanceof RetryableError && error.code === 'too_many_attempts';
    if (code !== undefined && (isCode(error, 'invalid_code') || lockout)) {
      const message = lockout ? (pageErrorsOf(ctx, error)?._form?.[0] ?? '') : translate(ctx.locale, 'oauth.code.invalid');
      return reauthenticatePage(ctx, { _form: [message] }, flow.ret ?? '/ui/account/security', lockout ? 429 : 401);
    }
    const refused = refusalPage(ctx, error, provider);
    if (refused) return refused;
    throw error;
  }
}

/** The step-up code page: the provider proved the first factor; a code from the app (or a recovery code) finishes. */
function codePage(ctx: Ctx, provider: string, errors: PageErrors): Result {
  const view = viewOf(ctx);
  const labels = { code: t(view, 'field.code') };
  return page(
    ctx,
    Object.keys(errors).length ? 422 : 200,
    renderPage(view, 'oauth.code.title', [
      summary(view, errors, labels),
      h('p', null, t(view, 'oauth.code.intro', { provider: providerName(ctx, provider) })),
      form(view, 'oauth-code', `/ui/oauth/${provider}/code`, [codeField(view, labels.code, errors.code, t(view, 'reauth.codeHint'))], t(view, 'reauth.submit')),
      links([{ href: reauthenticateUrl(flowCookieOf(ctx, 'c')?.ret ?? '/ui/account/security'), text: t(view, 'oauth.error.again') }]),
    ]),
  );
}

/** `GET /ui/oauth/<provider>/code`: the code page of a held step-up callback. */
async function getCode(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const provider = params.provider as string;
  if (!providersOf(ctx).some((p) => p.id === provider) || !flowCookieOf(ctx, 'c')) return oauthErrorPage(ctx, 404, 'oauth.error.expired', provider);
  return codePage(ctx, provider, {});
}

/** `POST /ui/oauth/<provider>/code`: the held callback and the code, as `POST /oauth/{provider}/callback` takes them. */
async function postCode(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const provider = params.provider as string;
  const held = flowCookieOf(ctx, 'c');
  if (!providersOf(ctx).some((p) => p.id === provider) || !held) return oauthErrorPage(ctx, 404, 'oauth.error.expired', provider);
  const code = (ctx.form.code ?? '').trim();
  // A blank code spends nothing: the page asks again (the held state stays unspent).
  if (code === '') return codePage(ctx, provider, { code: [translate(ctx.locale, 'error.field.blank')] });
  setFlowCookie(ctx);
  return finishCallback(ctx, provider, held, held.query, code);
}

/** `POST /ui/oauth/<provider>/callback` (Apple's `form_post`): changes nothing, 303 to the GET with the fields as query (§4). */
async function postCallback(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.form)) if (typeof value === 'string' && key.length <= 64 && value.length <= 8192) fields[key] = value;
  const query = new URLSearchParams(fields).toString();
  return redirect(ctx, `/ui/oauth/${params.provider}/callback${query ? `?${query}` : ''}`);
}

function pendingGone(ctx: Ctx): Result {
  if (ctx.cookies[FLOW_COOKIE] !== undefined) setFlowCookie(ctx);
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
    setFlowCookie(ctx);
    return outcomePage(ctx, outcome, undefined, pending.remember);
  } catch (error) {
    if (isCode(error, 'invalid_token')) return pendingGone(ctx);
    if (error instanceof ValidationError) return addEmailPage(ctx, pending.provider, pageErrorsOf(ctx, error) ?? {}, { email: ctx.form.email ?? '' });
    const refused = refusalPage(ctx, error, pending.provider);
    if (refused) {
      setFlowCookie(ctx);
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
    setFlowCookie(ctx);
    return outcomePage(ctx, outcome, undefined);
  } catch (error) {
    if (isCode(error, 'reauthentication_required')) return redirect(ctx, `/ui/reauthenticate?return=${encodeURIComponent('/ui/oauth/link')}`);
    if (isCode(error, 'invalid_token')) return pendingGone(ctx);
    const refused = refusalPage(ctx, error, pending.provider);
    if (refused) {
      setFlowCookie(ctx);
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
    tokens = await signIn(ctx.deps, { email: ctx.form.email, password: ctx.form.password, rememberMe: pending.remember }, uiRequest(ctx));
  } catch (error) {
    const second = toSecondStep(ctx, error, '/ui/oauth/link', pending.remember);
    if (second) return second;
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    return linkPage(ctx, pending.provider, errors, { email: ctx.form.email ?? '' });
  }
  // The session starts, then the link page (a GET with the new cookie) links.
  return startUiSession(ctx, tokens, pending.remember, '/ui/oauth/link');
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
  // The step-up code page of a provider step-up for a user with a second factor.
  'GET /ui/oauth/{provider}/code': getCode,
  'POST /ui/oauth/{provider}/code': postCode,
} satisfies PageHandlers;
