/**
 * The one route table. CDK (`infra/constructs/latch-auth.ts`) creates an API Gateway route and a
 * Lambda per `function` from it, the local runner serves it, each function finds its routes'
 * rules (auth, body) in it, and the tests walk it. Add a route here and everything follows;
 * the compiler then asks for its documentation in `shared/http/route-docs.ts` (summary, request
 * schema, success, error codes), from which `GET /openapi.json` is generated, or for a hosted
 * page its line in `shared/http/page-docs.ts`. The prose lives there, not in this table, which
 * every function bundles.
 */
export type FunctionName =
  | 'registration'
  | 'session'
  | 'sessions'
  | 'account'
  | 'password-reset'
  | 'email-confirmation'
  | 'invitations'
  | 'admin-users'
  | 'audit'
  | 'well-known'
  | 'mfa'
  | 'oauth'
  | 'passkeys'
  // Renewals alone (issue 17): no argon2, sized for the renewal (`infra/constructs/function-access.ts`).
  | 'renewal'
  // --- hosted UI (docs/specs/hosted-ui.md §2): deployed only with the hosted UI ---
  | 'ui'
  | 'oauth2-token';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  method: Method;
  /** API Gateway path syntax: `{name}` for a path parameter. */
  path: string;
  /** Base name of the file in `functions/` that serves it (one Lambda each). */
  function: FunctionName;
  /**
   * `none`: public; `user`: a valid access token; `admin`: and the role `admin`; `optional`: a
   * presented access token is checked (`401` when invalid), an absent one is fine (social sign-in).
   */
  auth: 'none' | 'user' | 'admin' | 'optional';
  /** True when the route takes a JSON object body (none at all is a 400). */
  body: boolean;
  /**
   * Routes of the hosted UI (`docs/specs/hosted-ui.md` §2), deployed and served only with it:
   * `page`: an HTML page or browser redirect of `ui`, kept out of the OpenAPI document (answers
   * are pages, not problem+json); `oauth2`: a form body in, RFC 6749 JSON out (documented).
   */
  kind?: 'page' | 'oauth2';
  /** A hosted page of `ui` (`kind: "page"`): what `shared/ui/app.ts` checks before the page's handler runs. */
  page?: PageRules;
}

/**
 * The rules of one hosted page (`docs/specs/hosted-ui.md` §3–§5), in its row so that a review of
 * the table sees who may open which page, as `auth` says it for the API's routes.
 */
export interface PageRules {
  /** `user`: a UI session (else to sign-in, and back); `guest`: a signed-in user goes to the account page; `any`. */
  access: 'any' | 'user' | 'guest';
  /** A POST: the form id its CSRF token is bound to (§4). */
  form?: string;
  /** A POST that changes nothing and takes no CSRF token or Origin check: only a provider's `form_post` callback (§4). */
  csrfExempt?: true;
}

/** A page that `ui` shows: no bearer token, no JSON body, kept out of the OpenAPI document. */
function uiGet<const P extends string, const A extends PageRules['access']>(path: P, access: A) {
  return { method: 'GET', path, function: 'ui', auth: 'none', body: false, kind: 'page', page: { access } } as const;
}

/** A form that `ui` takes: its CSRF form id (or the one exemption of §4). */
function uiPost<const P extends string, const R extends { access: PageRules['access']; form: string } | { access: PageRules['access']; csrfExempt: true }>(
  path: P,
  page: R,
) {
  return { method: 'POST', path, function: 'ui', auth: 'none', body: false, kind: 'page', page } as const;
}

export const routes = [
  { method: 'POST', path: '/registration', function: 'registration', auth: 'none', body: true },
  { method: 'POST', path: '/session', function: 'session', auth: 'none', body: true },
  { method: 'POST', path: '/session/renew', function: 'renewal', auth: 'none', body: true },
  { method: 'DELETE', path: '/session', function: 'session', auth: 'user', body: false },
  { method: 'GET', path: '/me', function: 'account', auth: 'user', body: false },
  { method: 'PATCH', path: '/me', function: 'account', auth: 'user', body: true },
  { method: 'DELETE', path: '/me', function: 'account', auth: 'user', body: true },
  { method: 'GET', path: '/sessions', function: 'sessions', auth: 'user', body: false },
  { method: 'DELETE', path: '/sessions', function: 'sessions', auth: 'user', body: false },
  { method: 'DELETE', path: '/sessions/{id}', function: 'sessions', auth: 'user', body: false },
  { method: 'POST', path: '/password-reset', function: 'password-reset', auth: 'none', body: true },
  { method: 'GET', path: '/password-reset/{token}', function: 'password-reset', auth: 'none', body: false },
  { method: 'POST', path: '/password-reset/{token}', function: 'password-reset', auth: 'none', body: true },
  { method: 'POST', path: '/email-confirmation/resend', function: 'email-confirmation', auth: 'none', body: true },
  { method: 'POST', path: '/email-confirmation/{token}', function: 'email-confirmation', auth: 'none', body: false },
  { method: 'POST', path: '/invitations', function: 'invitations', auth: 'user', body: true },
  { method: 'GET', path: '/invitations/{token}', function: 'invitations', auth: 'none', body: false },
  { method: 'POST', path: '/invitations/{token}', function: 'invitations', auth: 'none', body: true },
  { method: 'GET', path: '/admin/users', function: 'admin-users', auth: 'admin', body: false },
  { method: 'POST', path: '/admin/users', function: 'admin-users', auth: 'admin', body: true },
  { method: 'GET', path: '/admin/users/{id}', function: 'admin-users', auth: 'admin', body: false },
  { method: 'PATCH', path: '/admin/users/{id}', function: 'admin-users', auth: 'admin', body: true },
  { method: 'DELETE', path: '/admin/users/{id}', function: 'admin-users', auth: 'admin', body: false },
  { method: 'PUT', path: '/admin/users/{id}/password', function: 'admin-users', auth: 'admin', body: true },
  { method: 'POST', path: '/admin/users/{id}/lock', function: 'admin-users', auth: 'admin', body: false },
  { method: 'POST', path: '/admin/users/{id}/unlock', function: 'admin-users', auth: 'admin', body: false },
  { method: 'GET', path: '/me/activity', function: 'audit', auth: 'user', body: false },
  { method: 'GET', path: '/admin/audit', function: 'audit', auth: 'admin', body: false },
  { method: 'GET', path: '/admin/users/{id}/audit', function: 'audit', auth: 'admin', body: false },
  {
    method: 'POST',
    path: '/session/reauthenticate',
    function: 'mfa',
    auth: 'user',
    body: true,
  },
  { method: 'GET', path: '/me/mfa', function: 'mfa', auth: 'user', body: false },
  { method: 'POST', path: '/me/mfa/totp', function: 'mfa', auth: 'user', body: true },
  { method: 'POST', path: '/me/mfa/totp/confirm', function: 'mfa', auth: 'user', body: true },
  { method: 'DELETE', path: '/me/mfa/totp', function: 'mfa', auth: 'user', body: true },
  { method: 'POST', path: '/me/mfa/recovery-codes', function: 'mfa', auth: 'user', body: true },
  // Two-step sign-in and the admin MFA reset (mfa2).
  { method: 'POST', path: '/session/mfa', function: 'mfa', auth: 'none', body: true },
  {
    method: 'POST',
    path: '/admin/users/{id}/mfa/reset',
    function: 'admin-users',
    auth: 'admin',
    body: false,
  },
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §7, part B): every WebAuthn route in `passkeys`.
  { method: 'POST', path: '/me/passkeys/options', function: 'passkeys', auth: 'user', body: true },
  { method: 'POST', path: '/me/passkeys', function: 'passkeys', auth: 'user', body: true },
  { method: 'GET', path: '/me/passkeys', function: 'passkeys', auth: 'user', body: false },
  { method: 'PATCH', path: '/me/passkeys/{id}', function: 'passkeys', auth: 'user', body: true },
  { method: 'DELETE', path: '/me/passkeys/{id}', function: 'passkeys', auth: 'user', body: true },
  { method: 'POST', path: '/session/passkey/options', function: 'passkeys', auth: 'none', body: false },
  { method: 'POST', path: '/session/passkey', function: 'passkeys', auth: 'none', body: true },
  { method: 'DELETE', path: '/me/password', function: 'account', auth: 'user', body: true },
  // --- pk2: a passkey as the second factor and for step-up (`docs/specs/mfa-and-passkeys.md` §5.2, §4) ---
  {
    method: 'POST',
    path: '/session/mfa/webauthn/options',
    function: 'passkeys',
    auth: 'none',
    body: true,
  },
  { method: 'POST', path: '/session/mfa/webauthn', function: 'passkeys', auth: 'none', body: true },
  {
    method: 'POST',
    path: '/session/reauthenticate/webauthn/options',
    function: 'passkeys',
    auth: 'user',
    body: false,
  },
  {
    method: 'POST',
    path: '/session/reauthenticate/webauthn',
    function: 'passkeys',
    auth: 'user',
    body: true,
  },
  // Hosted pages' passkey endpoints (`docs/specs/hosted-ui.md` §5.3): UI cookies + X-Latch-CSRF.
  {
    method: 'POST',
    path: '/ui/passkeys/sign-in/options',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: false,
  },
  {
    method: 'POST',
    path: '/ui/passkeys/sign-in',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: true,
  },
  {
    method: 'POST',
    path: '/ui/passkeys/mfa/options',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: false,
  },
  {
    method: 'POST',
    path: '/ui/passkeys/mfa',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: true,
  },
  {
    method: 'POST',
    path: '/ui/passkeys/reauthenticate/options',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: false,
  },
  {
    method: 'POST',
    path: '/ui/passkeys/reauthenticate',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: true,
  },
  {
    method: 'POST',
    path: '/ui/passkeys/add/options',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: false,
  },
  { method: 'POST', path: '/ui/passkeys/add', function: 'passkeys', kind: 'page', auth: 'none', body: true },
  // --- end pk2 ---
  { method: 'GET', path: '/.well-known/jwks.json', function: 'well-known', auth: 'none', body: false },
  { method: 'GET', path: '/.well-known/openid-configuration', function: 'well-known', auth: 'none', body: false },
  { method: 'GET', path: '/openapi.json', function: 'well-known', auth: 'none', body: false },
  // --- social sign-in (docs/specs/social-sign-in.md) ---
  { method: 'GET', path: '/oauth/providers', function: 'oauth', auth: 'none', body: false },
  {
    method: 'POST',
    path: '/oauth/{provider}/authorize',
    function: 'oauth',
    auth: 'optional',
    body: true,
  },
  {
    method: 'POST',
    path: '/oauth/{provider}/callback',
    function: 'oauth',
    auth: 'optional',
    body: true,
  },
  {
    method: 'POST',
    path: '/oauth/{provider}/create',
    function: 'oauth',
    auth: 'none',
    body: true,
  },
  { method: 'POST', path: '/oauth/{provider}/nonce', function: 'oauth', auth: 'none', body: false },
  {
    method: 'POST',
    path: '/oauth/{provider}/id-token',
    function: 'oauth',
    auth: 'optional',
    body: true,
  },
  { method: 'GET', path: '/me/identities', function: 'oauth', auth: 'user', body: false },
  { method: 'POST', path: '/me/identities', function: 'oauth', auth: 'user', body: true },
  { method: 'DELETE', path: '/me/identities/{provider}', function: 'oauth', auth: 'user', body: true },
  { method: 'GET', path: '/admin/users/{id}/identities', function: 'admin-users', auth: 'admin', body: false },
  {
    method: 'DELETE',
    path: '/admin/users/{id}/identities/{provider}',
    function: 'admin-users',
    auth: 'admin',
    body: false,
  },
  // --- hosted UI: the hand-off to first-party apps (docs/specs/hosted-ui.md §6) ---
  uiGet('/oauth2/authorize', 'any'),
  uiGet('/oauth2/logout', 'any'),
  {
    method: 'POST',
    path: '/oauth2/token',
    function: 'oauth2-token',
    auth: 'none',
    body: false,
    kind: 'oauth2',
  },
  // --- end hand-off ---
  // --- hosted pages (docs/specs/hosted-ui.md §2, §5): every page of `ui` is a row; GET shows, POST submits ---
  uiGet('/ui', 'any'),
  uiGet('/ui/signed-out', 'any'),
  // Before sign-in (§5.1).
  uiGet('/ui/sign-in', 'guest'),
  uiPost('/ui/sign-in', { access: 'guest', form: 'sign-in' }),
  uiGet('/ui/sign-in/mfa', 'guest'),
  uiPost('/ui/sign-in/mfa', { access: 'guest', form: 'sign-in-mfa' }),
  uiGet('/ui/sign-up', 'guest'),
  uiPost('/ui/sign-up', { access: 'guest', form: 'sign-up' }),
  uiGet('/ui/forgot-password', 'any'),
  uiPost('/ui/forgot-password', { access: 'any', form: 'forgot' }),
  uiGet('/ui/confirm-email/resend', 'any'),
  uiPost('/ui/confirm-email/resend', { access: 'any', form: 'resend' }),
  uiGet('/ui/confirm-email/{token}', 'any'),
  uiPost('/ui/confirm-email/{token}', { access: 'any', form: 'confirm' }),
  uiGet('/ui/reset-password/{token}', 'any'),
  uiPost('/ui/reset-password/{token}', { access: 'any', form: 'reset' }),
  uiGet('/ui/invitation/{token}', 'any'),
  uiPost('/ui/invitation/{token}', { access: 'any', form: 'invitation' }),
  // Providers (§5.1; social-sign-in.md §4).
  uiGet('/ui/oauth/{provider}/start', 'any'),
  uiGet('/ui/oauth/{provider}/callback', 'any'),
  uiPost('/ui/oauth/{provider}/callback', { access: 'any', csrfExempt: true }),
  uiGet('/ui/oauth/add-email', 'guest'),
  uiPost('/ui/oauth/add-email', { access: 'guest', form: 'oauth-add-email' }),
  uiGet('/ui/oauth/link', 'any'),
  uiPost('/ui/oauth/link', { access: 'any', form: 'oauth-link' }),
  uiGet('/ui/oauth/{provider}/code', 'user'),
  uiPost('/ui/oauth/{provider}/code', { access: 'user', form: 'oauth-code' }),
  // Signed in (§5.2).
  uiGet('/ui/reauthenticate', 'user'),
  uiPost('/ui/reauthenticate', { access: 'user', form: 'reauthenticate' }),
  uiGet('/ui/account', 'user'),
  uiGet('/ui/account/activity', 'user'),
  uiPost('/ui/account/email', { access: 'user', form: 'account-email' }),
  uiPost('/ui/account/password', { access: 'user', form: 'account-password' }),
  uiPost('/ui/account/delete', { access: 'user', form: 'account-delete' }),
  uiPost('/ui/account/locale', { access: 'user', form: 'account-locale' }),
  uiPost('/ui/sign-out', { access: 'any', form: 'sign-out' }),
  uiGet('/ui/account/security', 'user'),
  uiGet('/ui/account/sessions', 'user'),
  uiPost('/ui/account/security/sessions/revoke', { access: 'user', form: 'security-session-revoke' }),
  uiPost('/ui/account/security/sessions/revoke-all', { access: 'user', form: 'security-sessions-revoke-all' }),
  uiGet('/ui/account/security/totp', 'user'),
  uiPost('/ui/account/security/totp', { access: 'user', form: 'security-totp-start' }),
  uiPost('/ui/account/security/totp/confirm', { access: 'user', form: 'security-totp-confirm' }),
  uiPost('/ui/account/security/totp/disable', { access: 'user', form: 'security-totp-disable' }),
  uiPost('/ui/account/security/recovery-codes', { access: 'user', form: 'security-recovery-codes' }),
  uiPost('/ui/account/security/passkeys/rename', { access: 'user', form: 'security-passkey-rename' }),
  uiPost('/ui/account/security/passkeys/remove', { access: 'user', form: 'security-passkey-remove' }),
  uiPost('/ui/account/security/providers/unlink', { access: 'user', form: 'security-provider-unlink' }),
  uiPost('/ui/account/security/password/remove', { access: 'user', form: 'security-password-remove' }),
  uiPost('/ui/account/security/password', { access: 'user', form: 'security-password-set' }),
  // Served by `ui` itself, not by a page: the hashed assets (§2), and the HTML 404 (405 with `Allow`) of every other GET under /ui/.
  { method: 'GET', path: '/ui/assets/{asset}', function: 'ui', auth: 'none', body: false, kind: 'page' },
  { method: 'GET', path: '/ui/{proxy+}', function: 'ui', auth: 'none', body: false, kind: 'page' },
  // --- end hosted pages ---
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
export type RouteKey = KeyOf<Route>;
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
/** The route keys served by one function. */
export type RouteKeyOf<F extends FunctionName> = KeyOf<Extract<Route, { function: F }>>;

/** The API Gateway route key (`METHOD /path`) of a route. */
export function routeKey(route: RouteDefinition): string {
  return `${route.method} ${route.path}`;
}

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

/**
 * The bearer routes a session without a second factor may use while `AUTH_MFA=required`
 * (`docs/specs/mfa-and-passkeys.md` §8.1); every other bearer route answers `403
 * mfa_enrollment_required`.
 */
export const MFA_ENROLLMENT_ROUTES: ReadonlySet<string> = new Set([
  'GET /me',
  'GET /me/mfa',
  'POST /me/mfa/totp',
  'POST /me/mfa/totp/confirm',
  'GET /me/passkeys',
  'POST /me/passkeys/options',
  'POST /me/passkeys',
  'POST /session/reauthenticate',
  'POST /session/reauthenticate/webauthn/options',
  'POST /session/reauthenticate/webauthn',
  'POST /session/renew',
  'DELETE /session',
]);
