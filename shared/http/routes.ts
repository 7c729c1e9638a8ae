/**
 * The one route table, `routes`: the API's rows (`api-routes.ts`) then the hosted UI's
 * (`hosted-ui-routes.ts`). CDK (`infra/constructs/latch-auth.ts`) creates an API Gateway route
 * and a Lambda per `function` from it, the local runner serves it, each function finds its
 * routes' rules (auth, body) in it, and the tests walk it. Add a route to its part and everything
 * follows; the compiler then asks for its documentation in `shared/http/route-docs.ts` (summary,
 * request schema, success, error codes), from which `GET /openapi.json` is generated, or for a
 * hosted page its line in `shared/http/page-docs.ts`. The prose lives there, not in this table.
 * The functions built with `httpFunction` bundle only the API's rows (`findApiRoute`).
 */
import { API_ROUTES, type FunctionName, type PageRules, type RouteDefinition, routeKey } from './api-routes.js';
import { HOSTED_UI_ROUTES } from './hosted-ui-routes.js';

export {
  API_ROUTES,
  type FunctionName,
  findApiRoute,
  type Method,
  MFA_ENROLLMENT_ROUTES,
  type PageRules,
  type RouteDefinition,
  routeKey,
} from './api-routes.js';
export { HOSTED_UI_ROUTES } from './hosted-ui-routes.js';

export const routes = [...API_ROUTES, ...HOSTED_UI_ROUTES] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
export type RouteKey = KeyOf<Route>;
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
/** The route keys served by one function. */
export type RouteKeyOf<F extends FunctionName> = KeyOf<Extract<Route, { function: F }>>;

const byKey = new Map<string, RouteDefinition>(routes.map((r) => [routeKey(r), r]));

/** The route with this API Gateway route key. */
export function findRoute(key: string): RouteDefinition | undefined {
  return byKey.get(key);
}

/** True for a route of the hosted UI (`kind` set): deployed and served only with `AUTH_UI` / the `hostedUi` prop. */
export function isHostedUiRoute(route: RouteDefinition): boolean {
  return route.kind !== undefined;
}

/** The functions that serve only hosted-UI routes (`ui`, `oauth2-token`): deployed only with the `hostedUi` prop. */
export function hostedUiFunctions(): ReadonlySet<FunctionName> {
  const all = routes as readonly RouteDefinition[];
  return new Set(
    all
      .filter(isHostedUiRoute)
      .map((r) => r.function)
      .filter((name) => all.every((r) => r.function !== name || isHostedUiRoute(r))),
  );
}

/** The route keys that are hosted-UI pages (not in the OpenAPI document, not problem+json). */
export type PageRouteKey = KeyOf<Extract<Route, { kind: 'page' }>>;
/** The route keys of the pages `ui` renders: each has exactly one handler in `shared/ui/app.ts` (the compiler checks both ways). */
export type UiPageRouteKey = KeyOf<Extract<Route, { function: 'ui'; page: PageRules }>>;
/** `ui`'s own rows without a page handler: the hashed assets and the catch-all (the HTML 404, or 405 on a form path). */
export const UI_ASSET_ROUTE = 'GET /ui/assets/{asset}' satisfies RouteKeyOf<'ui'>;
export const UI_CATCH_ALL_ROUTE = 'GET /ui/{proxy+}' satisfies RouteKeyOf<'ui'>;

/** Distinct function names, in table order. */
export function functionNames(): FunctionName[] {
  return [...new Set(routes.map((r) => r.function))];
}

/** True for a greedy route (`{proxy+}`): it matches any depth below its prefix, and loses to every other match. */
export function isGreedyRoute(route: RouteDefinition): boolean {
  return route.path.endsWith('+}');
}

/** The path pattern as a regular expression with named groups for the parameters (`{name}` one segment, `{name+}` the rest). */
export function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z]+)(\+?)\}$/.exec(segment);
      if (param) return param[2] ? `(?<${param[1]}>.+)` : `(?<${param[1]}>[^/]+)`;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Per segment: 0 static, 1 `{param}`, 2 `{proxy+}`; compared left to right, lower is more specific. */
function specificity(path: string): number[] {
  return path.split('/').map((segment) => (segment.endsWith('+}') ? 2 : segment.startsWith('{') ? 1 : 0));
}

function moreSpecific(a: string, b: string): number {
  const [x, y] = [specificity(a), specificity(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** Each path's pattern, compiled once (every request of `ui` and `$default` matches against the table). */
const patterns = new Map<string, RegExp>();

/**
 * Matches a request path as API Gateway does: segment by segment, a static segment wins over a
 * `{param}`, which wins over a greedy `{proxy+}`; then the first in table order. Returns the
 * routes at this path (any method), most specific first, and the match.
 */
export function matchPath(path: string): Array<{ route: RouteDefinition; params: Record<string, string> }> {
  const matches: Array<{ route: RouteDefinition; params: Record<string, string> }> = [];
  for (const route of routes as readonly RouteDefinition[]) {
    const pattern = patterns.get(route.path) ?? pathPattern(route.path);
    patterns.set(route.path, pattern);
    const m = pattern.exec(path);
    if (m) matches.push({ route, params: { ...(m.groups ?? {}) } });
  }
  return matches.sort((a, b) => moreSpecific(a.route.path, b.route.path));
}
