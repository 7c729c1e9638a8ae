/**
 * The hand-off's browser endpoints (`docs/specs/hosted-ui.md` §6), served by `ui` beside the
 * pages: `GET /oauth2/authorize` (a code for the signed-in UI session, or sign-in first) and
 * `GET /oauth2/logout` (ends the UI session, back to a registered logout URI only).
 */
import { signOut } from '../../flows/current-session.js';
import { authorize, clientOf } from '../../flows/oauth2.js';
import { requestInfo } from '../../http/request.js';
import { servedLocale } from '../i18n.js';
import { type Ctx, headersOf, messagePage, type PageHandlers, type Result } from '../kit.js';
import { COOKIES, clearCookie } from '../security.js';

/** A 302 to the client (RFC 6749 §4.1.2), with the page headers (no-store, CSP). */
function toClient(ctx: Ctx, location: string): Result {
  return { statusCode: 302, headers: { ...headersOf(ctx), location }, body: '', cookies: [...ctx.setCookies] };
}

/** The first served locale of `ui_locales` (space-separated, in order of preference), if any. */
function uiLocaleOf(ctx: Ctx): string | undefined {
  for (const tag of (ctx.query.ui_locales ?? '').split(' ').slice(0, 10)) {
    const locale = servedLocale(tag, ctx.deps.config.ui.pseudoLocales) ?? servedLocale(tag.split('-')[0], ctx.deps.config.ui.pseudoLocales);
    if (locale) return locale;
  }
  return undefined;
}

async function authorizePage(ctx: Ctx): Promise<Result> {
  const raw = ctx.event.rawQueryString ?? '';
  const self = `/oauth2/authorize${raw ? `?${raw}` : ''}`;
  const lang = ctx.query.lang ? undefined : uiLocaleOf(ctx);
  if (lang) ctx.locale = lang as Ctx['locale'];
  const outcome = await authorize(
    ctx.deps,
    ctx.query,
    ctx.signedIn ? { userId: ctx.signedIn.user.id, session: ctx.signedIn.session } : undefined,
    requestInfo(ctx.event),
    self,
  );
  switch (outcome.kind) {
    case 'error_page':
      return messagePage(
        ctx,
        'oauth2.error.title',
        outcome.reason === 'unknown_client' ? 'oauth2.error.unknownClient' : 'oauth2.error.redirectUri',
        400,
        false,
      );
    case 'redirect':
      return toClient(ctx, outcome.location);
    case 'sign_in':
      return toClient(ctx, `/ui/sign-in?${new URLSearchParams({ return: self, ...(lang ? { lang } : {}) })}`);
    case 'reauthenticate':
      return toClient(ctx, `/ui/reauthenticate?${new URLSearchParams({ return: outcome.returnTo, ...(lang ? { lang } : {}) })}`);
  }
}

/**
 * Ends the UI session and redirects to `logout_uri` (with `state`) when it is one of the client's
 * `logoutUris`; otherwise an error page and nothing changes. A GET on purpose, as OpenID's
 * RP-initiated logout: a forged request can at most sign the user out, and only to a registered URI.
 */
async function logoutPage(ctx: Ctx): Promise<Result> {
  const client = clientOf(ctx.deps, ctx.query.client_id);
  const target = ctx.query.logout_uri;
  if (!client || !target || !client.logoutUris.includes(target)) return messagePage(ctx, 'oauth2.error.title', 'oauth2.error.logoutUri', 400, false);
  if (ctx.signedIn) await signOut(ctx.deps, ctx.signedIn.principal, requestInfo(ctx.event));
  ctx.setCookies.push(clearCookie(COOKIES.session));
  const url = new URL(target);
  if (ctx.query.state !== undefined) url.searchParams.set('state', ctx.query.state.slice(0, 1024));
  return toClient(ctx, url.toString());
}

export const oauth2Pages = { 'GET /oauth2/authorize': authorizePage, 'GET /oauth2/logout': logoutPage } satisfies PageHandlers;
