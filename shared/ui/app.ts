/**
 * The hosted pages (docs/specs/hosted-ui.md): one request in, one page or redirect out. Pages call
 * the flows directly with the same rules, codes and events as the JSON API. A UI session is a
 * Latch session: the `__Host-latch_ui` cookie is checked on every request with one strongly
 * consistent read of the session item, so a lock, reset or sign-out-everywhere through the API
 * ends it on the next request.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Deps } from '../flows/deps.js';
import { assetAt } from './assets.js';
import { checkPost, contextOf, failurePage, messagePage, type PageRoute, type Result, redirect, route } from './kit.js';
import { accountPages } from './pages/account.js';
import { guestPages } from './pages/guest.js';
import { localePages } from './pages/locale.js';
import { oauthPages } from './pages/oauth.js';
import { oauth2Pages } from './pages/oauth2.js';
import { reauthenticatePages } from './pages/reauthenticate.js';
import { securityPages } from './pages/security.js';
import { safeReturn } from './security.js';
import { themeAsset } from './theme.js';

export { MAX_FORM_BYTES, type Result, tooLargePage, unreadablePage } from './kit.js';

/** The page map (§5): GET shows, POST submits. */
const PAGES: PageRoute[] = [
  route('GET', '/ui/?', 'any', async (ctx) => redirect(ctx, ctx.signedIn ? '/ui/account' : '/ui/sign-in')),
  ...guestPages,
  ...accountPages,
  ...securityPages,
  ...reauthenticatePages,
  ...oauth2Pages,
  ...localePages,
  ...oauthPages,
  route('GET', '/ui/signed-out', 'any', async (ctx) => messagePage(ctx, 'signedOut.title', 'signedOut.body', 200, true)),
];

/** The branding theme's stylesheet (§9), when the path is its content-hashed one. */
function themeAssetAt(deps: Deps, path: string) {
  const theme = themeAsset(deps.config.ui.cssVariables);
  return theme.path === path ? theme : undefined;
}

/** Answers one request to `/ui/…` (the `ui` function's core, below its middlewares). */
export async function handleUi(deps: Deps, event: APIGatewayProxyEventV2, form: Record<string, string>): Promise<Result> {
  const path = event.rawPath ?? '/';
  const method = event.requestContext?.http?.method ?? 'GET';
  if (method === 'GET' && path.startsWith('/ui/assets/')) {
    const asset = assetAt(path) ?? themeAssetAt(deps, path);
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
  if (page.method === 'POST' && !page.csrfExempt) {
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
