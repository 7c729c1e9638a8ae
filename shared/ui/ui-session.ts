/**
 * The hosted pages' request context at the level of cookies: the UI session behind
 * `__Host-latch_ui`, the pre-sign-in CSRF cookie and the binding a synchronizer token is checked
 * against. No page rendering and no locale negotiation here: the passkey JSON endpoints
 * (`passkey-endpoints.ts`, in the `passkeys` function) need only this, and the pages' context
 * (`Ctx` in `kit.ts`) extends it with the page's query, form and locale.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AuthError } from '../domain/errors.js';
import { hashSecret, safeEqual } from '../domain/secrets.js';
import { parseUiSessionCookie } from '../domain/tokens.js';
import type { Session, User } from '../domain/types.js';
import { type Deps, nowSeconds, type Principal, type RequestInfo } from '../flows/deps.js';
import type { TokenPair } from '../flows/token-pair.js';
import { requestInfo } from '../http/request.js';
import { COOKIES, type CsrfBinding, clearCookie, cookiesOf, randomToken, setCookie } from './security.js';

export interface SignedIn {
  user: User;
  session: Session;
  principal: Principal;
}

/** One request to a hosted-page endpoint as far as its cookies go. */
export interface UiRequestContext {
  deps: Deps;
  event: APIGatewayProxyEventV2;
  uiOrigin: string;
  cookies: Record<string, string>;
  /** Set-Cookie values of the answer. */
  setCookies: string[];
  signedIn: SignedIn | undefined;
  /** The pre-sign-in CSRF cookie (made on first use). */
  csrfCookie: string | undefined;
  uiSecret: Uint8Array;
}

/** The cookie-level context of a request; a UI session cookie that no longer opens a session is cleared. */
export async function requestContextOf(deps: Deps, event: APIGatewayProxyEventV2): Promise<UiRequestContext> {
  const cookies = cookiesOf(event);
  const setCookies: string[] = [];
  const signedIn = await uiSession(deps, cookies[COOKIES.session]);
  if (cookies[COOKIES.session] && !signedIn) setCookies.push(clearCookie(COOKIES.session));
  return {
    deps,
    event,
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
export async function uiSession(deps: Deps, cookie: string | undefined): Promise<SignedIn | undefined> {
  const parts = parseUiSessionCookie(cookie);
  if (!parts) return undefined;
  const [session, user] = await Promise.all([deps.store.getSession(parts.userId, parts.sessionId), deps.store.getUser(parts.userId)]);
  if (!session || !user || user.locked || session.expiresAt <= nowSeconds(deps)) return undefined;
  // Only a UI session (client "ui") has a cookie secret; an API or hand-off session never opens the pages.
  if (session.client !== 'ui' || !session.uiHash || !session.csrfSecret || !safeEqual(hashSecret(parts.secret), session.uiHash)) return undefined;
  return { user, session, principal: { userId: user.id, sessionId: session.id, role: session.role, email: session.email, jti: session.currentJti } };
}

/** The binding a synchronizer token is made for and checked against: the session's secret when signed in, else the pre-sign-in cookie's (made here on first use). */
export function csrfBinding(ctx: UiRequestContext): CsrfBinding {
  if (ctx.signedIn) return { kind: 'session', sessionSecret: Buffer.from(ctx.signedIn.session.csrfSecret ?? '', 'base64url') };
  if (!ctx.csrfCookie) {
    ctx.csrfCookie = randomToken();
    ctx.setCookies.push(setCookie(COOKIES.csrf, ctx.csrfCookie));
  }
  return { kind: 'anonymous', uiSecret: ctx.uiSecret, cookie: ctx.csrfCookie };
}

/**
 * The request as the flows see it, marked as the hosted pages' (`client: "ui"`): a session a flow
 * starts with it is a UI session (no access or renewal token; `docs/specs/hosted-ui.md` §3).
 */
export function uiRequest(ctx: UiRequestContext): RequestInfo {
  return { ...requestInfo(ctx.event), client: 'ui' };
}

/** Sets the UI session cookie of a session a flow started with {@link uiRequest} and drops the pre-sign-in CSRF cookie. */
export function setUiSessionCookies(ctx: UiRequestContext, tokens: TokenPair, rememberMe: boolean): void {
  // Only a UI session's handle goes into the HttpOnly cookie: the flow was called with uiRequest(ctx).
  if (!tokens.uiSession) throw new Error('startUiSession: the flow was not called with uiRequest(ctx)');
  ctx.setCookies.push(setCookie(COOKIES.session, tokens.uiSession, rememberMe ? ctx.deps.config.rememberMeTtlSeconds : undefined));
  ctx.setCookies.push(clearCookie(COOKIES.csrf));
}

export function signedIn(ctx: UiRequestContext): SignedIn {
  if (!ctx.signedIn) throw new AuthError('unauthorized');
  return ctx.signedIn;
}
