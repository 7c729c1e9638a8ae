import type { PageRules, RouteDefinition } from './api-routes.js';

/**
 * The hosted UI's rows of the route table (`routes` in `shared/http/routes.ts` joins them after
 * the API's rows of `api-routes.ts`): the functions deployed only with the hosted UI (`ui`,
 * `oauth2-token`; docs/specs/hosted-ui.md §2, §6). A page's documentation line is in
 * `shared/http/page-docs.ts`.
 */

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
export const HOSTED_UI_ROUTES = [
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
