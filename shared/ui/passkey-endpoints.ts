/**
 * The hosted pages' passkey endpoints (`docs/specs/hosted-ui.md` §5.3): JSON for the page script,
 * served by the `passkeys` function (the only bundle with `@simplewebauthn/server`). Each is
 * authenticated by the UI cookies (`__Host-latch_csrf` before sign-in, `__Host-latch_mfa` for the
 * second step, `__Host-latch_ui` when signed in) and the header `X-Latch-CSRF` =
 * `csrfToken(binding, 'passkeys')`; a missing or wrong token (or a foreign Origin) is `403
 * forbidden`, changes nothing and writes `csrf.rejected`. The ceremonies are the API's flows.
 * Success answers `{ redirect }` (a sign-in also sets `__Host-latch_ui` through
 * {@link setUiSessionCookies}); failures are the API's problem+json.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AuthError } from '../domain/errors.js';
import { recordAudit } from '../flows/audit.js';
import type { Deps } from '../flows/deps.js';
import { completeMfaWithPasskey, passkeyMfaOptions, passkeyReauthOptions, reauthenticateWithPasskey } from '../flows/passkey-steps.js';
import { addPasskey, passkeySignInOptions, signInWithPasskey, startPasskeyRegistration } from '../flows/passkeys.js';
import { header, requestInfo } from '../http/request.js';
import { COOKIES, type CsrfBinding, clearCookie, csrfValid, originAllowed } from './security.js';
import { type UiRequestContext as Ctx, csrfBinding, requestContextOf, setUiSessionCookies, signedIn, uiRequest } from './ui-session.js';

type Result = APIGatewayProxyStructuredResultV2;

/** The form id the passkey buttons' `data-csrf` tokens are bound to. */
export const PASSKEYS_FORM_ID = 'passkeys';

/** Where a signed-in page goes after a passkey step, unless the page asked otherwise. */
const ACCOUNT = '/ui/account';

/** Which UI cookie authenticates an endpoint. */
type Access = 'guest' | 'mfa' | 'user';

/** The body the page script posts (the API route's body minus tokens). */
export interface UiPasskeyBody {
  credential?: Record<string, unknown> | undefined;
  name?: string | undefined;
  rememberMe?: boolean | undefined;
}

function answer(ctx: Ctx, status: number, body: unknown): Result {
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), cookies: [...ctx.setCookies] };
}

/** The CSRF binding a request must carry: the session's when signed in, else the pre-sign-in cookie's. */
function bindingOf(ctx: Ctx): CsrfBinding | undefined {
  if (ctx.signedIn) return csrfBinding(ctx);
  return ctx.csrfCookie ? { kind: 'anonymous', uiSecret: ctx.uiSecret, cookie: ctx.csrfCookie } : undefined;
}

/** Origin and `X-Latch-CSRF` (§4 of hosted-ui): `403 forbidden` with `csrf.rejected` when either fails. */
async function checkCsrf(ctx: Ctx): Promise<void> {
  const binding = bindingOf(ctx);
  const presented = header(ctx.event, 'x-latch-csrf');
  let reason: string | undefined;
  if (!originAllowed(ctx.event.headers ?? {}, ctx.uiOrigin)) reason = 'origin';
  else if (!binding) reason = 'no_cookie';
  else if (!csrfValid(binding, PASSKEYS_FORM_ID, presented)) reason = presented ? 'bad_token' : 'no_token';
  if (!reason) return;
  await recordAudit(ctx.deps, {
    type: 'csrf.rejected',
    outcome: 'failure',
    userId: ctx.signedIn?.user.id ?? null,
    sessionId: ctx.signedIn?.session.id ?? null,
    details: { form: PASSKEYS_FORM_ID, reason },
    request: requestInfo(ctx.event),
  });
  throw new AuthError('forbidden');
}

/** The request's UI context after the checks every endpoint shares: the UI on, the cookie the access asks for, CSRF. */
async function uiContext(deps: Deps, event: APIGatewayProxyEventV2, access: Access): Promise<Ctx> {
  if (!deps.config.ui.enabled) throw new AuthError('not_found');
  const ctx = await requestContextOf(deps, event);
  if (access === 'user' && !ctx.signedIn) throw new AuthError('unauthorized');
  await checkCsrf(ctx);
  if (access === 'mfa' && !ctx.cookies[COOKIES.mfa]) throw new AuthError('invalid_token');
  return ctx;
}

/** The eight endpoints, by route key (`POST /ui/passkeys/...`). */
export const uiPasskeyEndpoints = {
  async signInOptions(deps: Deps, event: APIGatewayProxyEventV2): Promise<Result> {
    const ctx = await uiContext(deps, event, 'guest');
    return answer(ctx, 200, await passkeySignInOptions(deps));
  },
  async signIn(deps: Deps, event: APIGatewayProxyEventV2, body: UiPasskeyBody): Promise<Result> {
    const ctx = await uiContext(deps, event, 'guest');
    const rememberMe = body.rememberMe === true;
    const tokens = await signInWithPasskey(deps, { credential: body.credential, rememberMe }, uiRequest(ctx));
    setUiSessionCookies(ctx, tokens, rememberMe);
    return answer(ctx, 200, { redirect: ACCOUNT });
  },
  async mfaOptions(deps: Deps, event: APIGatewayProxyEventV2): Promise<Result> {
    const ctx = await uiContext(deps, event, 'mfa');
    return answer(ctx, 200, await passkeyMfaOptions(deps, { mfaToken: ctx.cookies[COOKIES.mfa] }));
  },
  async mfa(deps: Deps, event: APIGatewayProxyEventV2, body: UiPasskeyBody): Promise<Result> {
    const ctx = await uiContext(deps, event, 'mfa');
    const tokens = await completeMfaWithPasskey(deps, { mfaToken: ctx.cookies[COOKIES.mfa], credential: body.credential }, uiRequest(ctx));
    ctx.setCookies.push(clearCookie(COOKIES.mfa));
    const rememberMe = body.rememberMe === true;
    setUiSessionCookies(ctx, tokens, rememberMe);
    return answer(ctx, 200, { redirect: ACCOUNT });
  },
  async reauthenticateOptions(deps: Deps, event: APIGatewayProxyEventV2): Promise<Result> {
    const ctx = await uiContext(deps, event, 'user');
    return answer(ctx, 200, await passkeyReauthOptions(deps, signedIn(ctx).principal));
  },
  async reauthenticate(deps: Deps, event: APIGatewayProxyEventV2, body: UiPasskeyBody): Promise<Result> {
    const ctx = await uiContext(deps, event, 'user');
    await reauthenticateWithPasskey(deps, signedIn(ctx).principal, { credential: body.credential }, requestInfo(event));
    return answer(ctx, 200, { redirect: ACCOUNT });
  },
  async addOptions(deps: Deps, event: APIGatewayProxyEventV2): Promise<Result> {
    const ctx = await uiContext(deps, event, 'user');
    return answer(ctx, 200, await startPasskeyRegistration(deps, signedIn(ctx).principal, {}, requestInfo(event)));
  },
  async add(deps: Deps, event: APIGatewayProxyEventV2, body: UiPasskeyBody): Promise<Result> {
    const ctx = await uiContext(deps, event, 'user');
    await addPasskey(deps, signedIn(ctx).principal, { credential: body.credential, name: body.name }, requestInfo(event));
    return answer(ctx, 200, { redirect: ACCOUNT });
  },
};
