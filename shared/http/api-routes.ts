/**
 * The API's rows of the route table (`routes` in `shared/http/routes.ts` joins them with the
 * hosted UI's rows of `hosted-ui-routes.ts`): every route of the functions built with
 * `httpFunction` (`shared/http/function.ts`), which looks its routes' rules (auth, body) up here,
 * so that their bundles do not carry the hosted pages' rows (issue 17, row 6). Add an API route
 * here; the compiler then asks for its documentation in `shared/http/route-docs.ts`.
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

export const API_ROUTES = [
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
] as const satisfies readonly RouteDefinition[];

/** The API Gateway route key (`METHOD /path`) of a route. */
export function routeKey(route: RouteDefinition): string {
  return `${route.method} ${route.path}`;
}

const apiByKey = new Map<string, RouteDefinition>(API_ROUTES.map((r) => [routeKey(r), r]));

/** The API route with this API Gateway route key (the hosted UI's rows are not here: `findRoute` in `routes.ts` has every row). */
export function findApiRoute(key: string): RouteDefinition | undefined {
  return apiByKey.get(key);
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
