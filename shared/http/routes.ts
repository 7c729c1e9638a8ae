/**
 * The one route table. CDK (`infra/constructs/latch-auth.ts`) creates an API Gateway route and a
 * Lambda per `function` from it, the local runner serves it, each function finds its routes'
 * rules (auth, body) in it, and the tests walk it. Add a route here and everything follows;
 * the compiler then asks for its documentation in `shared/http/route-docs.ts` (request schema,
 * success, error codes), from which `GET /openapi.json` is generated.
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
  summary: string;
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
function uiGet<const P extends string, const A extends PageRules['access']>(path: P, access: A, summary: string) {
  return { method: 'GET', path, function: 'ui', auth: 'none', body: false, kind: 'page', summary, page: { access } } as const;
}

/** A form that `ui` takes: its CSRF form id (or the one exemption of §4). */
function uiPost<const P extends string, const R extends { access: PageRules['access']; form: string } | { access: PageRules['access']; csrfExempt: true }>(
  path: P,
  page: R,
  summary: string,
) {
  return { method: 'POST', path, function: 'ui', auth: 'none', body: false, kind: 'page', summary, page } as const;
}

export const routes = [
  { method: 'POST', path: '/registration', function: 'registration', auth: 'none', body: true, summary: 'Register a user' },
  { method: 'POST', path: '/session', function: 'session', auth: 'none', body: true, summary: 'Sign in' },
  { method: 'POST', path: '/session/renew', function: 'renewal', auth: 'none', body: true, summary: 'Renew a session' },
  { method: 'DELETE', path: '/session', function: 'session', auth: 'user', body: false, summary: 'Sign out' },
  { method: 'GET', path: '/me', function: 'account', auth: 'user', body: false, summary: 'The current user' },
  { method: 'PATCH', path: '/me', function: 'account', auth: 'user', body: true, summary: 'Change the email or password (with the current password)' },
  { method: 'DELETE', path: '/me', function: 'account', auth: 'user', body: true, summary: 'Delete the account (with the current password)' },
  { method: 'GET', path: '/sessions', function: 'sessions', auth: 'user', body: false, summary: "The caller's live sessions" },
  { method: 'DELETE', path: '/sessions', function: 'sessions', auth: 'user', body: false, summary: 'Sign out everywhere' },
  { method: 'DELETE', path: '/sessions/{id}', function: 'sessions', auth: 'user', body: false, summary: "Revoke one of the caller's sessions" },
  { method: 'POST', path: '/password-reset', function: 'password-reset', auth: 'none', body: true, summary: 'Mail a password reset link' },
  { method: 'GET', path: '/password-reset/{token}', function: 'password-reset', auth: 'none', body: false, summary: 'Check a reset link' },
  { method: 'POST', path: '/password-reset/{token}', function: 'password-reset', auth: 'none', body: true, summary: 'Set a new password with a reset link' },
  { method: 'POST', path: '/email-confirmation/resend', function: 'email-confirmation', auth: 'none', body: true, summary: 'Send the confirmation mail again' },
  { method: 'POST', path: '/email-confirmation/{token}', function: 'email-confirmation', auth: 'none', body: false, summary: 'Confirm an email address' },
  { method: 'POST', path: '/invitations', function: 'invitations', auth: 'user', body: true, summary: 'Invite someone by email' },
  { method: 'GET', path: '/invitations/{token}', function: 'invitations', auth: 'none', body: false, summary: 'Show an invitation' },
  { method: 'POST', path: '/invitations/{token}', function: 'invitations', auth: 'none', body: true, summary: 'Accept an invitation' },
  { method: 'GET', path: '/admin/users', function: 'admin-users', auth: 'admin', body: false, summary: 'List users (admin)' },
  { method: 'POST', path: '/admin/users', function: 'admin-users', auth: 'admin', body: true, summary: 'Create a user (admin)' },
  { method: 'GET', path: '/admin/users/{id}', function: 'admin-users', auth: 'admin', body: false, summary: 'Show a user (admin)' },
  { method: 'PATCH', path: '/admin/users/{id}', function: 'admin-users', auth: 'admin', body: true, summary: 'Update email, role or confirmation (admin)' },
  { method: 'DELETE', path: '/admin/users/{id}', function: 'admin-users', auth: 'admin', body: false, summary: 'Delete a user (admin)' },
  { method: 'PUT', path: '/admin/users/{id}/password', function: 'admin-users', auth: 'admin', body: true, summary: "Set a user's password (admin)" },
  { method: 'POST', path: '/admin/users/{id}/lock', function: 'admin-users', auth: 'admin', body: false, summary: 'Lock a user (admin)' },
  { method: 'POST', path: '/admin/users/{id}/unlock', function: 'admin-users', auth: 'admin', body: false, summary: 'Unlock a user (admin)' },
  { method: 'GET', path: '/me/activity', function: 'audit', auth: 'user', body: false, summary: "The caller's own audit events" },
  { method: 'GET', path: '/admin/audit', function: 'audit', auth: 'admin', body: false, summary: 'Audit events (admin)' },
  { method: 'GET', path: '/admin/users/{id}/audit', function: 'audit', auth: 'admin', body: false, summary: "A user's audit events (admin)" },
  {
    method: 'POST',
    path: '/session/reauthenticate',
    function: 'mfa',
    auth: 'user',
    body: true,
    summary: 'Confirm it is you (step-up): password, plus a code with MFA',
  },
  { method: 'GET', path: '/me/mfa', function: 'mfa', auth: 'user', body: false, summary: "The caller's second factors" },
  { method: 'POST', path: '/me/mfa/totp', function: 'mfa', auth: 'user', body: true, summary: 'Start a TOTP enrolment (step-up)' },
  { method: 'POST', path: '/me/mfa/totp/confirm', function: 'mfa', auth: 'user', body: true, summary: 'Turn TOTP on with a code of the enrolment' },
  { method: 'DELETE', path: '/me/mfa/totp', function: 'mfa', auth: 'user', body: true, summary: 'Turn TOTP off (step-up)' },
  { method: 'POST', path: '/me/mfa/recovery-codes', function: 'mfa', auth: 'user', body: true, summary: 'Replace the recovery codes (step-up)' },
  // Two-step sign-in and the admin MFA reset (mfa2).
  { method: 'POST', path: '/session/mfa', function: 'mfa', auth: 'none', body: true, summary: 'Second step of a sign-in: a TOTP or recovery code' },
  {
    method: 'POST',
    path: '/admin/users/{id}/mfa/reset',
    function: 'admin-users',
    auth: 'admin',
    body: false,
    summary: 'Remove every second factor of a user (admin)',
  },
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §7, part B): every WebAuthn route in `passkeys`.
  { method: 'POST', path: '/me/passkeys/options', function: 'passkeys', auth: 'user', body: true, summary: 'Options to register a passkey (step-up)' },
  { method: 'POST', path: '/me/passkeys', function: 'passkeys', auth: 'user', body: true, summary: 'Register a passkey' },
  { method: 'GET', path: '/me/passkeys', function: 'passkeys', auth: 'user', body: false, summary: "The caller's passkeys" },
  { method: 'PATCH', path: '/me/passkeys/{id}', function: 'passkeys', auth: 'user', body: true, summary: 'Rename a passkey' },
  { method: 'DELETE', path: '/me/passkeys/{id}', function: 'passkeys', auth: 'user', body: true, summary: 'Remove a passkey (step-up)' },
  { method: 'POST', path: '/session/passkey/options', function: 'passkeys', auth: 'none', body: false, summary: 'Options to sign in with a passkey' },
  { method: 'POST', path: '/session/passkey', function: 'passkeys', auth: 'none', body: true, summary: 'Sign in with a passkey (no password)' },
  { method: 'DELETE', path: '/me/password', function: 'account', auth: 'user', body: true, summary: 'Remove the password (step-up; a passkey remains)' },
  // --- pk2: a passkey as the second factor and for step-up (`docs/specs/mfa-and-passkeys.md` §5.2, §4) ---
  {
    method: 'POST',
    path: '/session/mfa/webauthn/options',
    function: 'passkeys',
    auth: 'none',
    body: true,
    summary: 'Options for a passkey as the second step',
  },
  { method: 'POST', path: '/session/mfa/webauthn', function: 'passkeys', auth: 'none', body: true, summary: 'Second step of a sign-in: a passkey' },
  {
    method: 'POST',
    path: '/session/reauthenticate/webauthn/options',
    function: 'passkeys',
    auth: 'user',
    body: false,
    summary: 'Options to confirm it is you with a passkey (step-up)',
  },
  {
    method: 'POST',
    path: '/session/reauthenticate/webauthn',
    function: 'passkeys',
    auth: 'user',
    body: true,
    summary: 'Confirm it is you with a passkey (step-up)',
  },
  // Hosted pages' passkey endpoints (`docs/specs/hosted-ui.md` §5.3): UI cookies + X-Latch-CSRF.
  {
    method: 'POST',
    path: '/ui/passkeys/sign-in/options',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: false,
    summary: 'Hosted pages: options to sign in with a passkey',
  },
  {
    method: 'POST',
    path: '/ui/passkeys/sign-in',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: true,
    summary: 'Hosted pages: sign in with a passkey',
  },
  {
    method: 'POST',
    path: '/ui/passkeys/mfa/options',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: false,
    summary: 'Hosted pages: options for a passkey as the second step',
  },
  {
    method: 'POST',
    path: '/ui/passkeys/mfa',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: true,
    summary: 'Hosted pages: the second step with a passkey',
  },
  {
    method: 'POST',
    path: '/ui/passkeys/reauthenticate/options',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: false,
    summary: 'Hosted pages: options to confirm it is you with a passkey',
  },
  {
    method: 'POST',
    path: '/ui/passkeys/reauthenticate',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: true,
    summary: 'Hosted pages: confirm it is you with a passkey',
  },
  {
    method: 'POST',
    path: '/ui/passkeys/add/options',
    function: 'passkeys',
    kind: 'page',
    auth: 'none',
    body: false,
    summary: 'Hosted pages: options to add a passkey',
  },
  { method: 'POST', path: '/ui/passkeys/add', function: 'passkeys', kind: 'page', auth: 'none', body: true, summary: 'Hosted pages: add a passkey' },
  // --- end pk2 ---
  { method: 'GET', path: '/.well-known/jwks.json', function: 'well-known', auth: 'none', body: false, summary: 'Public signing keys' },
  { method: 'GET', path: '/.well-known/openid-configuration', function: 'well-known', auth: 'none', body: false, summary: 'OpenID configuration' },
  { method: 'GET', path: '/openapi.json', function: 'well-known', auth: 'none', body: false, summary: 'This API as an OpenAPI 3.1 document' },
  // --- social sign-in (docs/specs/social-sign-in.md) ---
  { method: 'GET', path: '/oauth/providers', function: 'oauth', auth: 'none', body: false, summary: 'The configured sign-in providers' },
  {
    method: 'POST',
    path: '/oauth/{provider}/authorize',
    function: 'oauth',
    auth: 'optional',
    body: true,
    summary: "Start a provider sign-in: the provider's authorization URL",
  },
  {
    method: 'POST',
    path: '/oauth/{provider}/callback',
    function: 'oauth',
    auth: 'optional',
    body: true,
    summary: "Finish a provider sign-in with the app's callback URL",
  },
  {
    method: 'POST',
    path: '/oauth/{provider}/create',
    function: 'oauth',
    auth: 'none',
    body: true,
    summary: 'Register a pending provider identity with an email',
  },
  { method: 'POST', path: '/oauth/{provider}/nonce', function: 'oauth', auth: 'none', body: false, summary: 'A nonce for a native ID-token sign-in' },
  {
    method: 'POST',
    path: '/oauth/{provider}/id-token',
    function: 'oauth',
    auth: 'optional',
    body: true,
    summary: "Sign in with a provider's ID token (native apps)",
  },
  { method: 'GET', path: '/me/identities', function: 'oauth', auth: 'user', body: false, summary: "The caller's provider identities" },
  { method: 'POST', path: '/me/identities', function: 'oauth', auth: 'user', body: true, summary: 'Link a pending provider identity (step-up)' },
  { method: 'DELETE', path: '/me/identities/{provider}', function: 'oauth', auth: 'user', body: true, summary: 'Unlink a provider identity (step-up)' },
  { method: 'GET', path: '/admin/users/{id}/identities', function: 'admin-users', auth: 'admin', body: false, summary: "A user's provider identities (admin)" },
  {
    method: 'DELETE',
    path: '/admin/users/{id}/identities/{provider}',
    function: 'admin-users',
    auth: 'admin',
    body: false,
    summary: "Remove a user's provider identity (admin)",
  },
  // --- hosted UI: the hand-off to first-party apps (docs/specs/hosted-ui.md §6) ---
  uiGet('/oauth2/authorize', 'any', 'Hand-off: an authorization code for the signed-in UI session (sign-in first)'),
  uiGet('/oauth2/logout', 'any', 'Hand-off: end the UI session'),
  {
    method: 'POST',
    path: '/oauth2/token',
    function: 'oauth2-token',
    auth: 'none',
    body: false,
    kind: 'oauth2',
    summary: 'Hand-off: redeem an authorization code (PKCE) or a refresh token (RFC 6749)',
  },
  // --- end hand-off ---
  // --- hosted pages (docs/specs/hosted-ui.md §2, §5): every page of `ui` is a row; GET shows, POST submits ---
  uiGet('/ui', 'any', 'To the account page or sign-in'),
  uiGet('/ui/signed-out', 'any', 'Signed out'),
  // Before sign-in (§5.1).
  uiGet('/ui/sign-in', 'guest', 'Sign-in page'),
  uiPost('/ui/sign-in', { access: 'guest', form: 'sign-in' }, 'Sign in'),
  uiGet('/ui/sign-in/mfa', 'guest', 'The second step of a sign-in'),
  uiPost('/ui/sign-in/mfa', { access: 'guest', form: 'sign-in-mfa' }, 'Sign in: the second step'),
  uiGet('/ui/sign-up', 'guest', 'Sign-up page'),
  uiPost('/ui/sign-up', { access: 'guest', form: 'sign-up' }, 'Sign up'),
  uiGet('/ui/forgot-password', 'any', 'Forgot password page'),
  uiPost('/ui/forgot-password', { access: 'any', form: 'forgot' }, 'Mail a reset link'),
  uiGet('/ui/confirm-email/resend', 'any', 'Resend confirmation page'),
  uiPost('/ui/confirm-email/resend', { access: 'any', form: 'resend' }, 'Send the confirmation mail again'),
  uiGet('/ui/confirm-email/{token}', 'any', 'A confirmation link: the address and a button'),
  uiPost('/ui/confirm-email/{token}', { access: 'any', form: 'confirm' }, 'Confirm the address'),
  uiGet('/ui/reset-password/{token}', 'any', 'A reset link: the new password form'),
  uiPost('/ui/reset-password/{token}', { access: 'any', form: 'reset' }, 'Set the new password'),
  uiGet('/ui/invitation/{token}', 'any', 'An invitation: the password form and providers'),
  uiPost('/ui/invitation/{token}', { access: 'any', form: 'invitation' }, 'Accept the invitation'),
  // Providers (§5.1; social-sign-in.md §4).
  uiGet('/ui/oauth/{provider}/start', 'any', "Start a provider flow: to the provider's page"),
  uiGet('/ui/oauth/{provider}/callback', 'any', "The provider's answer"),
  uiPost('/ui/oauth/{provider}/callback', { access: 'any', csrfExempt: true }, "A provider's form_post answer: to the GET"),
  uiGet('/ui/oauth/add-email', 'guest', 'An email for a pending provider identity'),
  uiPost('/ui/oauth/add-email', { access: 'guest', form: 'oauth-add-email' }, 'Register a pending provider identity'),
  uiGet('/ui/oauth/link', 'any', 'Sign in to link a provider'),
  uiPost('/ui/oauth/link', { access: 'any', form: 'oauth-link' }, 'Sign in and link a provider'),
  uiGet('/ui/oauth/{provider}/code', 'user', 'A provider step-up of a user with a second factor: the code'),
  uiPost('/ui/oauth/{provider}/code', { access: 'user', form: 'oauth-code' }, 'Finish the provider step-up with the code'),
  // Signed in (§5.2).
  uiGet('/ui/reauthenticate', 'user', 'Confirm it is you (step-up)'),
  uiPost('/ui/reauthenticate', { access: 'user', form: 'reauthenticate' }, 'Step up'),
  uiGet('/ui/account', 'user', 'Account page'),
  uiGet('/ui/account/activity', 'user', 'Account activity'),
  uiPost('/ui/account/email', { access: 'user', form: 'account-email' }, 'Change the email'),
  uiPost('/ui/account/password', { access: 'user', form: 'account-password' }, 'Change the password'),
  uiPost('/ui/account/delete', { access: 'user', form: 'account-delete' }, 'Delete the account'),
  uiPost('/ui/account/locale', { access: 'user', form: 'account-locale' }, 'Store the language'),
  uiPost('/ui/sign-out', { access: 'any', form: 'sign-out' }, 'Sign out'),
  uiGet('/ui/account/security', 'user', 'Security page'),
  uiGet('/ui/account/sessions', 'user', 'To the sessions on the security page'),
  uiPost('/ui/account/security/sessions/revoke', { access: 'user', form: 'security-session-revoke' }, 'Revoke a session'),
  uiPost('/ui/account/security/sessions/revoke-all', { access: 'user', form: 'security-sessions-revoke-all' }, 'Sign out everywhere'),
  uiGet('/ui/account/security/totp', 'user', 'TOTP enrolment'),
  uiPost('/ui/account/security/totp', { access: 'user', form: 'security-totp-start' }, 'Start a TOTP enrolment'),
  uiPost('/ui/account/security/totp/confirm', { access: 'user', form: 'security-totp-confirm' }, 'Turn TOTP on'),
  uiPost('/ui/account/security/totp/disable', { access: 'user', form: 'security-totp-disable' }, 'Turn TOTP off'),
  uiPost('/ui/account/security/recovery-codes', { access: 'user', form: 'security-recovery-codes' }, 'New recovery codes'),
  uiPost('/ui/account/security/passkeys/rename', { access: 'user', form: 'security-passkey-rename' }, 'Rename a passkey'),
  uiPost('/ui/account/security/passkeys/remove', { access: 'user', form: 'security-passkey-remove' }, 'Remove a passkey'),
  uiPost('/ui/account/security/providers/unlink', { access: 'user', form: 'security-provider-unlink' }, 'Unlink a provider'),
  uiPost('/ui/account/security/password/remove', { access: 'user', form: 'security-password-remove' }, 'Remove the password'),
  uiPost('/ui/account/security/password', { access: 'user', form: 'security-password-set' }, 'Set a first password'),
  // Served by `ui` itself, not by a page: the hashed assets (§2), and the HTML 404 (405 with `Allow`) of every other GET under /ui/.
  { method: 'GET', path: '/ui/assets/{asset}', function: 'ui', auth: 'none', body: false, kind: 'page', summary: 'Hosted pages: a content-hashed asset' },
  { method: 'GET', path: '/ui/{proxy+}', function: 'ui', auth: 'none', body: false, kind: 'page', summary: 'Hosted pages: the 404 page (405 for a form path)' },
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
