/**
 * The hosted pages (docs/specs/hosted-ui.md): one request in, one page or redirect out. Pages call
 * the flows directly with the same rules, codes and events as the JSON API. A UI session is a
 * Latch session: the `__Host-latch_ui` cookie is checked on every request with one strongly
 * consistent read of the session item, so a lock, reset or sign-out-everywhere through the API
 * ends it on the next request.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Deps } from '../flows/deps.js';
import { findRoute, isGreedyRoute, matchPath, type RouteDefinition, routeKey, UI_ASSET_ROUTE, type UiPageRouteKey } from '../http/routes.js';
import { assetAt } from './assets.js';
import { checkPost, contextOf, failurePage, type Handler, messagePage, PATH_PARAMS, type PageHandlers, type Result, redirect } from './kit.js';
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

/** The pages `ui` answers itself, outside any group. */
const ownPages = {
  'GET /ui': async (ctx) => redirect(ctx, ctx.signedIn ? '/ui/account' : '/ui/sign-in'),
  'GET /ui/signed-out': async (ctx) => messagePage(ctx, 'signedOut.title', 'signedOut.body', 200, true),
} satisfies PageHandlers;

/** Each group's handlers (a test checks that no two groups name the same page: a spread would hide it). */
export const PAGE_GROUPS: readonly PageHandlers[] = [
  ownPages,
  guestPages,
  accountPages,
  securityPages,
  reauthenticatePages,
  oauth2Pages,
  localePages,
  oauthPages,
];

/**
 * The page map (§5): one handler per page row of `shared/http/routes.ts`, where the row holds the
 * page's path, access and CSRF form id. A row without a handler, or a handler without a row, does
 * not compile.
 */
const PAGES = {
  ...ownPages,
  ...guestPages,
  ...accountPages,
  ...securityPages,
  ...reauthenticatePages,
  ...oauth2Pages,
  ...localePages,
  ...oauthPages,
} satisfies Record<UiPageRouteKey, Handler>;

/** The branding theme's stylesheet (§9), when the path is its content-hashed one. */
function themeAssetAt(deps: Deps, path: string) {
  const theme = themeAsset(deps.config.ui.cssVariables);
  return theme.path === path ? theme : undefined;
}

interface Matched {
  route: RouteDefinition;
  params: Record<string, string>;
}

/**
 * The row of `ui` a request is for. API Gateway (and the local runner, the same way) names the
 * matched route in `routeKey`; for its catch-all `GET /ui/{proxy+}`, or an event without one, the
 * most specific of `ui`'s rows at this path wins, as API Gateway matches. A path parameter outside
 * {@link PATH_PARAMS} matches nothing. `allow`: the methods of `ui`'s rows at this path (a 405).
 */
function matchUiRow(routeKeyOfEvent: string | undefined, method: string, path: string): { matched: Matched | undefined; allow: string[] } {
  const candidates = matchPath(path === '/ui/' ? '/ui' : path).filter(
    (m) => m.route.function === 'ui' && !isGreedyRoute(m.route) && Object.entries(m.params).every(([name, value]) => PATH_PARAMS[name]?.test(value) ?? true),
  );
  const named = findRoute(routeKeyOfEvent ?? '');
  const matched =
    named && named.function === 'ui' && !isGreedyRoute(named) ? candidates.find((m) => m.route === named) : candidates.find((m) => m.route.method === method);
  return { matched, allow: [...new Set(candidates.map((m) => m.route.method))] };
}

/** Answers one request to `ui` (the `ui` function's core, below its middlewares). */
export async function handleUi(deps: Deps, event: APIGatewayProxyEventV2, form: Record<string, string>): Promise<Result> {
  const path = event.rawPath ?? '/';
  const method = event.requestContext?.http?.method ?? 'GET';
  const { matched, allow } = matchUiRow(event.routeKey ?? event.requestContext?.routeKey, method, path);
  if (matched && routeKey(matched.route) === UI_ASSET_ROUTE) {
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
  const rules = matched?.route.page;
  if (!matched || !rules) {
    // The catch-all's answers (§2): a path of a page with another method, or nothing at all.
    if (!matched && allow.length > 0) return messagePage(ctx, 'methodNotAllowed.title', 'methodNotAllowed.body', 405, false, { allow: allow.join(', ') });
    return messagePage(ctx, 'notFound.title', 'notFound.body', 404, true);
  }
  if (matched.route.method === 'POST' && !rules.csrfExempt) {
    const refused = await checkPost(ctx, rules.form ?? '');
    if (refused) return refused;
  }
  if (rules.access === 'user' && !ctx.signedIn) return redirect(ctx, `/ui/sign-in?return=${encodeURIComponent(path)}`);
  if (rules.access === 'guest' && ctx.signedIn) return redirect(ctx, safeReturn(ctx.query.return, ctx.uiOrigin) ?? '/ui/account');
  try {
    return await PAGES[routeKey(matched.route) as UiPageRouteKey](ctx, matched.params);
  } catch (error) {
    return failurePage(ctx, error);
  }
}
