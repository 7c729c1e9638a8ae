import type * as z from 'zod/mini';
import type { ErrorCode } from '../domain/errors.js';
import { docSchemas as schemas } from './doc-schemas.js';
import { responseSchemas as r } from './response-schemas.js';
import { type RequestSchema, requestSchemaOf } from './route-requests.js';
import type { PageRouteKey, RouteKey } from './routes.js';

export type { RequestSchema } from './route-requests.js';

/** One success answer of a route. */
export interface SuccessDoc {
  status: number;
  /** The body's schema, or `'none'` (204, or an answer without a body). */
  body: z.ZodMiniType | 'none';
  description: string;
}

interface RouteDocBase {
  /** One line: the operation's OpenAPI `summary` (kept here, not in the runtime route table, which every function bundles). */
  summary: string;
  /** Stable name for generated clients (unique across the API). */
  operationId: string;
  /** Longer text than `summary` (CommonMark). */
  description?: string;
  /** Fields the flow requires (documentation: a missing one is `422`, checked by the flow). */
  required?: readonly string[];
  /** Query parameters (documentation only: every value is a string; the handler reads them). */
  query?: RequestSchema;
  /** Descriptions of the `{name}` path parameters. */
  params?: Record<string, string>;
  /** The success answers (a route may have two, e.g. registration with and without confirmation). */
  success: SuccessDoc | readonly SuccessDoc[];
  /**
   * Contract codes this route itself may answer. Codes every route of its kind may answer are
   * added by `shared/http/openapi.ts` from the route table: `payload_too_large` and
   * `service_unavailable` (every route), `bad_request` (body routes), `unauthorized` (`auth`
   * user/admin), `forbidden` (admin). `not_found`/`method_not_allowed` for unknown routes are global.
   */
  errors: readonly ErrorCode[];
  /** A `kind: "oauth2"` route: its `application/x-www-form-urlencoded` fields (RFC 6749 answers, not problem+json). */
  form?: RequestSchema;
}

/**
 * A route's documentation, with its request schema when it takes a body: the one `httpFunction`
 * enforces, named in `route-requests.ts` (added by {@link routeDocOf}). So the documented schema
 * is the enforced one.
 */
export type RouteDoc = RouteDocBase & { request?: RequestSchema };

/** The shape `routeDocs` must have: one entry per route of the table, no more, no less (request schemas: `route-requests.ts`). */
export type RouteDocs = { [K in Exclude<RouteKey, PageRouteKey>]: RouteDocBase & { request?: undefined } };

const message = (status: number, description: string): SuccessDoc => ({ status, body: r.Message, description });

/**
 * The documentation of every route in `shared/http/routes.ts`. Adding a route to the table without
 * an entry here does not compile; so does an entry for a route that is not in the table.
 */
export const routeDocs = {
  'POST /registration': {
    summary: 'Register a user',
    operationId: 'register',
    required: ['email', 'password'],
    success: [
      message(202, 'Email confirmation is required (the default): the same answer for a new and a taken email; a new user gets a confirmation mail.'),
      { status: 201, body: r.TokenPair, description: 'Email confirmation is not required (`AUTH_REQUIRE_EMAIL_CONFIRMATION=false`): the user is signed in.' },
    ],
    errors: ['validation_failed'],
  },
  'POST /session': {
    summary: 'Sign in',
    operationId: 'signIn',
    description:
      'An unknown email, a wrong password or a missing credential all answer `401 invalid_credentials`. Lock and confirmation state, and a breached password in `block` mode (`403`), are revealed only after a correct password; in `notify` mode a breached password signs in with `warnings: ["password_compromised"]`.',
    required: ['email', 'password'],
    success: { status: 200, body: r.TokenPair, description: 'Signed in.' },
    errors: ['invalid_credentials', 'email_not_confirmed', 'account_locked', 'password_compromised', 'too_many_attempts'],
  },
  'POST /session/renew': {
    summary: 'Renew a session',
    operationId: 'renewSession',
    description: 'Spends the renewal token and returns a new pair for the same session. A spent renewal token presented again revokes the session.',
    required: ['renewalToken'],
    success: { status: 200, body: r.TokenPair, description: 'A new token pair.' },
    errors: ['unauthorized', 'account_locked'],
  },
  'DELETE /session': {
    summary: 'Sign out',
    operationId: 'signOut',
    success: { status: 204, body: 'none', description: "Signed out: the session's tokens stop working at once." },
    errors: [],
  },
  'POST /session/reauthenticate': {
    summary: 'Confirm it is you (step-up): password, plus a code with MFA',
    operationId: 'reauthenticate',
    description:
      "Renews the session's authentication: `currentPassword`, plus `code` (a TOTP or recovery code) for a user with a second factor. Afterwards routes that need fresh authentication pass without credentials for `AUTH_REAUTH_WINDOW_SECONDS`.",
    success: { status: 200, body: r.Reauthenticated, description: 'The session counts as freshly authenticated (`aal2` with a code).' },
    errors: ['validation_failed', 'invalid_credentials', 'invalid_code', 'reauthentication_required', 'too_many_attempts'],
  },
  'POST /session/mfa': {
    summary: 'Second step of a sign-in: a TOTP or recovery code',
    operationId: 'completeMfa',
    description:
      'The second step of a sign-in that answered `403 mfa_required`: the `mfaToken` of that answer and a `code` (a TOTP code, or a recovery code; `method` `totp`/`recovery_code` when given, else from the shape of the code). A token allows `AUTH_MFA_MAX_ATTEMPTS` wrong answers and lives `AUTH_MFA_CHALLENGE_TTL_SECONDS`; a lock, password reset or sign-out everywhere since the first step makes it useless.',
    success: {
      status: 200,
      body: r.TokenPair,
      description: 'Signed in: `amr` `["pwd","otp","mfa"]` or `["pwd","rcode","mfa"]`; with a recovery code also `recoveryCodesRemaining`.',
    },
    errors: ['invalid_token', 'validation_failed', 'too_many_attempts', 'invalid_code', 'account_locked'],
  },
  'POST /admin/users/{id}/mfa/reset': {
    summary: 'Remove every second factor of a user (admin)',
    operationId: 'adminResetMfa',
    description:
      'Removes TOTP, the recovery codes, and every passkey with its credential claim (`signInMethods` kept exact), revokes every session and mails the owner (`mfaReset`). A pending TOTP enrolment dies with the sessions.',
    success: { status: 200, body: r.UserBody, description: 'Every second factor removed; every session revoked.' },
    errors: ['not_found'],
  },
  'GET /me/mfa': {
    summary: "The caller's second factors",
    operationId: 'getMfa',
    success: { status: 200, body: r.MfaStatus, description: "The caller's second factors and unused recovery codes." },
    errors: [],
  },
  'POST /me/mfa/totp': {
    summary: 'Start a TOTP enrolment (step-up)',
    operationId: 'startTotp',
    description:
      'Needs fresh authentication, or `currentPassword` (plus `code` once a second factor is on) in the body. Without either: `403 reauthentication_required`.',
    success: { status: 201, body: r.TotpEnrollment, description: 'A pending enrolment, replacing an earlier one: confirm it with a code.' },
    errors: ['not_found', 'reauthentication_required', 'validation_failed', 'too_many_attempts', 'already_enabled'],
  },
  'POST /me/mfa/totp/confirm': {
    summary: 'Turn TOTP on with a code of the enrolment',
    operationId: 'confirmTotp',
    required: ['code'],
    success: {
      status: 200,
      body: r.TotpConfirmation,
      description: 'TOTP is on; every other session is revoked; recovery codes are returned (once) when the user had none.',
    },
    errors: ['invalid_token', 'validation_failed', 'already_enabled'],
  },
  'DELETE /me/mfa/totp': {
    summary: 'Turn TOTP off (step-up)',
    operationId: 'disableTotp',
    description: 'Needs fresh authentication at aal2, or `currentPassword` and `code` in the body.',
    success: { status: 204, body: 'none', description: 'TOTP is off, and with it the recovery codes; every other session is revoked.' },
    errors: ['not_found', 'reauthentication_required', 'validation_failed', 'too_many_attempts'],
  },
  'POST /me/mfa/recovery-codes': {
    summary: 'Replace the recovery codes (step-up)',
    operationId: 'regenerateRecoveryCodes',
    description: 'Needs fresh authentication at aal2, or `currentPassword` and `code` in the body.',
    success: { status: 201, body: r.RecoveryCodes, description: 'A new set replaces every code (shown once).' },
    errors: ['reauthentication_required', 'validation_failed', 'too_many_attempts', 'mfa_not_enabled'],
  },
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §7).
  'POST /me/passkeys/options': {
    summary: 'Options to register a passkey (step-up)',
    operationId: 'passkeyRegistrationOptions',
    description:
      'Needs fresh authentication, or `currentPassword` (plus `code` once a second factor is on) in the body. The challenge is bound to this session and lives `AUTH_WEBAUTHN_CHALLENGE_TTL_SECONDS`.',
    success: { status: 200, body: r.PasskeyRegistrationOptions, description: 'Registration options (`excludeCredentials`: the caller’s passkeys).' },
    errors: ['not_found', 'reauthentication_required', 'validation_failed', 'too_many_attempts'],
  },
  'POST /me/passkeys': {
    summary: 'Register a passkey',
    operationId: 'addPasskey',
    required: ['credential'],
    description: 'The browser’s registration response (`startRegistration`’s result). The challenge is spent before verification.',
    success: { status: 201, body: r.PasskeyAdded, description: 'The passkey is registered; as the first second factor, every other session is revoked.' },
    errors: ['invalid_token', 'validation_failed', 'already_enabled'],
  },
  'GET /me/passkeys': {
    summary: "The caller's passkeys",
    operationId: 'listPasskeys',
    success: { status: 200, body: r.PasskeyList, description: "The caller's passkeys, disabled ones included." },
    errors: [],
  },
  'PATCH /me/passkeys/{id}': {
    summary: 'Rename a passkey',
    operationId: 'renamePasskey',
    required: ['name'],
    params: { id: 'The credential id (base64url).' },
    success: { status: 200, body: r.Passkey, description: 'The renamed passkey.' },
    errors: ['not_found', 'validation_failed'],
  },
  'DELETE /me/passkeys/{id}': {
    summary: 'Remove a passkey (step-up)',
    operationId: 'removePasskey',
    params: { id: 'The credential id (base64url).' },
    description: 'Needs fresh authentication at aal2, or `currentPassword` and `code` in the body. Never the last sign-in method.',
    success: { status: 204, body: 'none', description: 'The passkey is gone; as the last second factor, MFA is off and every other session revoked.' },
    errors: ['not_found', 'reauthentication_required', 'validation_failed', 'too_many_attempts', 'last_sign_in_method'],
  },
  'POST /session/passkey/options': {
    summary: 'Options to sign in with a passkey',
    operationId: 'passkeySignInOptions',
    description:
      'Takes no body (one sent is ignored). The same answer shape for everyone: no `allowCredentials` (discoverable credentials), `userVerification: "required"`.',
    success: { status: 200, body: r.PasskeySignInOptions, description: 'Assertion options with a fresh single-use challenge.' },
    errors: [],
  },
  'POST /session/passkey': {
    summary: 'Sign in with a passkey (no password)',
    operationId: 'signInWithPasskey',
    required: ['credential'],
    description:
      'The browser’s assertion (`startAuthentication`’s result). Every failure is one `401 invalid_credentials`, counted against the source address only. `amr` is `["hwk","mfa"]`, or `["swk","mfa"]` for a synced passkey.',
    success: { status: 200, body: r.TokenPair, description: 'Signed in.' },
    errors: ['invalid_credentials', 'email_not_confirmed', 'account_locked', 'too_many_attempts', 'forbidden'],
  },
  'DELETE /me/password': {
    summary: 'Remove the password (step-up; a passkey remains)',
    operationId: 'removePassword',
    description:
      'Needs fresh authentication, or `currentPassword` (plus `code` with MFA). The user then signs in with a passkey; a password reset adds a password back.',
    success: { status: 204, body: 'none', description: 'The password is removed; every other session is revoked.' },
    errors: ['not_found', 'reauthentication_required', 'validation_failed', 'too_many_attempts', 'last_sign_in_method'],
  },
  // --- pk2: a passkey as the second factor and for step-up ---
  'POST /session/mfa/webauthn/options': {
    summary: 'Options for a passkey as the second step',
    operationId: 'passkeyMfaOptions',
    required: ['mfaToken'],
    description:
      'For the `mfaToken` of a `403 mfa_required` answer: assertion options bound to it (`allowCredentials` = the user’s passkeys, `userVerification: "preferred"`). Spends no attempt.',
    success: { status: 200, body: r.PasskeyAssertionOptions, description: 'Assertion options with a fresh single-use challenge.' },
    errors: ['invalid_token'],
  },
  'POST /session/mfa/webauthn': {
    summary: 'Second step of a sign-in: a passkey',
    operationId: 'completeMfaWithPasskey',
    required: ['mfaToken', 'credential'],
    description:
      'The second step with a passkey: the `mfaToken` and the browser’s assertion for the options of `POST /session/mfa/webauthn/options`. As `POST /session/mfa`: a failed assertion is `401 invalid_code` and spends one attempt of the token; an unknown, spent or foreign challenge is `404 invalid_token`.',
    success: {
      status: 200,
      body: r.TokenPair,
      description: 'Signed in: `amr` the first factor, `hwk` (or `swk` for a synced passkey) and `mfa`, e.g. `["pwd","hwk","mfa"]`.',
    },
    errors: ['invalid_token', 'validation_failed', 'too_many_attempts', 'invalid_code', 'account_locked', 'forbidden'],
  },
  'POST /session/reauthenticate/webauthn/options': {
    summary: 'Options to confirm it is you with a passkey (step-up)',
    operationId: 'passkeyReauthOptions',
    description:
      'Takes no body (one sent is ignored). Assertion options bound to this session (`allowCredentials` = the caller’s passkeys, `userVerification: "required"`).',
    success: { status: 200, body: r.PasskeyAssertionOptions, description: 'Assertion options with a fresh single-use challenge.' },
    errors: ['reauthentication_required'],
  },
  'POST /session/reauthenticate/webauthn': {
    summary: 'Confirm it is you with a passkey (step-up)',
    operationId: 'reauthenticateWithPasskey',
    required: ['credential'],
    description:
      'As `POST /session/reauthenticate` with a passkey: a verified assertion with user verification replaces the session’s `amr` (`["hwk","mfa"]` or `["swk","mfa"]`) and `authTime`, giving aal2.',
    success: { status: 200, body: r.Reauthenticated, description: 'The session counts as freshly authenticated at aal2.' },
    errors: ['invalid_token', 'validation_failed', 'too_many_attempts', 'invalid_code'],
  },
  // --- end pk2 ---
  'GET /me': {
    summary: 'The current user',
    operationId: 'getMe',
    success: { status: 200, body: r.UserBody, description: 'The signed-in user.' },
    errors: [],
  },
  'POST /email-confirmation/resend': {
    summary: 'Send the confirmation mail again',
    operationId: 'resendConfirmation',
    required: ['email'],
    success: message(202, 'The same answer whatever the email; only an unconfirmed account gets a mail.'),
    errors: ['validation_failed'],
  },
  'POST /email-confirmation/{token}': {
    summary: 'Confirm an email address',
    operationId: 'confirmEmail',
    params: { token: 'The token of the mailed link (`<APP_URL>/confirm-email/<token>`).' },
    success: { status: 200, body: r.UserBody, description: 'The email is confirmed (or the pending `unconfirmedEmail` swapped in).' },
    errors: ['invalid_token', 'validation_failed'],
  },
  'GET /.well-known/jwks.json': {
    summary: 'Public signing keys',
    operationId: 'getJwks',
    success: { status: 200, body: r.Jwks, description: 'The current and previous public signing keys (cacheable for 5 minutes).' },
    errors: [],
  },
  'GET /.well-known/openid-configuration': {
    summary: 'OpenID configuration',
    operationId: 'getOpenIdConfiguration',
    success: { status: 200, body: r.OpenIdConfiguration, description: 'Discovery metadata for verifiers (cacheable for 5 minutes).' },
    errors: [],
  },
  'POST /invitations': {
    summary: 'Invite someone by email',
    operationId: 'invite',
    required: ['email'],
    success: { status: 201, body: r.Invitation, description: 'The same answer for an email that is already registered (which gets no mail).' },
    errors: ['forbidden', 'validation_failed'],
  },
  'GET /invitations/{token}': {
    summary: 'Show an invitation',
    operationId: 'getInvitation',
    success: { status: 200, body: r.EmailBody, description: 'The invited address.' },
    errors: ['invalid_token'],
  },
  'POST /invitations/{token}': {
    summary: 'Accept an invitation',
    operationId: 'acceptInvitation',
    required: ['password'],
    success: { status: 201, body: r.TokenPair, description: 'Accepted and signed in (the email counts as confirmed).' },
    errors: ['invalid_token', 'validation_failed'],
  },
  'PATCH /me': {
    summary: 'Change the email or password (with the current password)',
    operationId: 'updateMe',
    required: ['currentPassword'],
    success: { status: 200, body: r.UserBody, description: 'Updated. A new email waits in unconfirmedEmail when confirmation is required.' },
    errors: ['validation_failed', 'too_many_attempts'],
  },
  'DELETE /me': {
    summary: 'Delete the account (with the current password)',
    operationId: 'deleteMe',
    required: ['currentPassword'],
    success: { status: 204, body: 'none', description: 'The user, its sessions and tokens are gone.' },
    errors: ['validation_failed', 'too_many_attempts'],
  },
  'GET /sessions': {
    summary: "The caller's live sessions",
    operationId: 'listSessions',
    query: schemas.listSessions,
    success: {
      status: 200,
      body: r.SessionList,
      description:
        "A page of the caller's live sessions, newest first (`limit` 1 to 100, default 20; `cursor` from the previous page). A user has at most `AUTH_MAX_SESSIONS_PER_USER` live sessions: starting one more revokes the oldest.",
    },
    errors: ['validation_failed'],
  },
  'DELETE /sessions/{id}': {
    summary: "Revoke one of the caller's sessions",
    operationId: 'revokeSession',
    success: { status: 204, body: 'none', description: 'Revoked (the current session too).' },
    errors: ['not_found'],
  },
  'DELETE /sessions': {
    summary: 'Sign out everywhere',
    operationId: 'signOutEverywhere',
    success: { status: 204, body: 'none', description: 'Every session of the caller revoked.' },
    errors: [],
  },
  'POST /password-reset': {
    summary: 'Mail a password reset link',
    operationId: 'requestPasswordReset',
    required: ['email'],
    success: { status: 202, body: r.Message, description: 'The same answer whatever the email.' },
    errors: ['validation_failed'],
  },
  'GET /password-reset/{token}': {
    summary: 'Check a reset link',
    operationId: 'getPasswordReset',
    success: { status: 200, body: r.EmailBody, description: 'The address the link is for.' },
    errors: ['invalid_token'],
  },
  'POST /password-reset/{token}': {
    summary: 'Set a new password with a reset link',
    operationId: 'resetPassword',
    required: ['password'],
    success: { status: 200, body: r.Message, description: 'Password set, token spent, every session revoked.' },
    errors: ['invalid_token', 'validation_failed'],
  },
  'GET /admin/users': {
    summary: 'List users (admin)',
    operationId: 'adminListUsers',
    query: schemas.adminListUsers,
    success: { status: 200, body: r.UserList, description: 'A page of users, ordered by canonical email; `email` filters by exact canonical address.' },
    errors: ['validation_failed'],
  },
  'GET /me/activity': {
    summary: "The caller's own audit events",
    operationId: 'myActivity',
    query: schemas.myActivity,
    success: {
      status: 200,
      body: r.AuditEventList,
      description: "The caller's own audit events of the types `docs/audit.md` marks for users, newest first (`limit` 1 to 100, default 50).",
    },
    errors: ['validation_failed'],
  },
  'GET /admin/audit': {
    summary: 'Audit events (admin)',
    operationId: 'adminAudit',
    query: schemas.adminAudit,
    success: {
      status: 200,
      body: r.AuditEventList,
      description:
        'Audit events, newest first: of one user (`userId`), of one address (`email`: known, deleted or unknown accounts), or of every user by day (`from`/`to`, at most 31 days; default the last 24 h). `type` is a type or a family (`mfa.*`).',
    },
    errors: ['validation_failed'],
  },
  'GET /admin/users/{id}/audit': {
    summary: "A user's audit events (admin)",
    operationId: 'adminUserAudit',
    query: schemas.adminUserAudit,
    success: {
      status: 200,
      body: r.AuditEventList,
      description:
        "One user's audit events, newest first; a deleted user's stay readable until their retention ends (an id that never existed: an empty list).",
    },
    errors: ['validation_failed'],
  },
  'GET /admin/users/{id}': {
    summary: 'Show a user (admin)',
    operationId: 'adminGetUser',
    success: { status: 200, body: r.UserBody, description: 'The user.' },
    errors: ['not_found'],
  },
  'POST /admin/users': {
    summary: 'Create a user (admin)',
    operationId: 'adminCreateUser',
    required: ['email'],
    success: { status: 201, body: r.UserBody, description: 'Created. A user without a password signs in only after a reset.' },
    errors: ['validation_failed'],
  },
  'PATCH /admin/users/{id}': {
    summary: 'Update email, role or confirmation (admin)',
    operationId: 'adminUpdateUser',
    success: { status: 200, body: r.UserBody, description: 'Updated; an email set by an admin applies at once.' },
    errors: ['not_found', 'validation_failed'],
  },
  'PUT /admin/users/{id}/password': {
    summary: "Set a user's password (admin)",
    operationId: 'adminSetPassword',
    required: ['password'],
    success: { status: 204, body: 'none', description: "Set; the user's sessions are revoked." },
    errors: ['not_found', 'validation_failed'],
  },
  'POST /admin/users/{id}/lock': {
    summary: 'Lock a user (admin)',
    operationId: 'adminLockUser',
    success: { status: 200, body: r.UserBody, description: "Locked; every session revoked and the user's access tokens refused." },
    errors: ['not_found'],
  },
  'POST /admin/users/{id}/unlock': {
    summary: 'Unlock a user (admin)',
    operationId: 'adminUnlockUser',
    success: { status: 200, body: r.UserBody, description: 'Unlocked; revoked sessions stay revoked.' },
    errors: ['not_found'],
  },
  'DELETE /admin/users/{id}': {
    summary: 'Delete a user (admin)',
    operationId: 'adminDeleteUser',
    success: { status: 204, body: 'none', description: 'Deleted.' },
    errors: ['not_found'],
  },
  'GET /openapi.json': {
    summary: 'This API as an OpenAPI 3.1 document',
    operationId: 'getOpenApi',
    success: { status: 200, body: r.OpenApiDocument, description: 'This document (OpenAPI 3.1; cacheable for 5 minutes).' },
    errors: [],
  },
  // --- social sign-in (docs/specs/social-sign-in.md) ---
  'GET /oauth/providers': {
    summary: 'The configured sign-in providers',
    operationId: 'listOAuthProviders',
    success: { status: 200, body: r.OAuthProviders, description: 'The configured providers (`id` is the `{provider}` of the other routes).' },
    errors: [],
  },
  'POST /oauth/{provider}/authorize': {
    summary: "Start a provider sign-in: the provider's authorization URL",
    operationId: 'startOAuth',
    required: ['redirectUri'],
    params: { provider: 'A configured provider id.' },
    description:
      "`redirectUri` must equal one of the provider's configured URIs exactly. `intent`: `sign_in` (default), `link` (a Bearer token and step-up: fresh authentication or `currentPassword`/`code`), `reauthenticate` (a Bearer token). Keep `flowSecret` in memory and send it with the callback.",
    success: { status: 200, body: r.OAuthAuthorization, description: "The provider's authorization URL and the flow's secret." },
    errors: ['not_found', 'invalid_token', 'validation_failed', 'reauthentication_required', 'too_many_attempts'],
  },
  'POST /oauth/{provider}/callback': {
    summary: "Finish a provider sign-in with the app's callback URL",
    operationId: 'finishOAuth',
    required: ['callbackUrl', 'flowSecret'],
    params: { provider: 'A configured provider id.' },
    description:
      'The full URL the app received on its redirect URI (or, for a `form_post` answer, its fields in `callbackParams`) with the `flowSecret`. The flow is spent by every answer after the state matched. Outcomes: `200`/`201` token pair, `202` (a confirmation mail), `422` with `pendingToken` (ask for an email, or sign in and link), `201`/`200 { identity }` (link), `200 { reauthenticatedUntil, aal }` (reauthenticate).',
    success: [
      {
        status: 200,
        body: r.TokenPair,
        description:
          'A known identity signed in (`amr` `["fed"]`); or, for `link`, `{ identity }` already linked; for `reauthenticate`, `{ reauthenticatedUntil, aal }`.',
      },
      { status: 201, body: r.TokenPair, description: 'A new user (or an invitee) signed up with the provider; for `link`, `{ identity }`.' },
      message(202, 'The provider did not verify the address: a confirmation mail went to it (or its owner was told).'),
    ],
    errors: [
      'not_found',
      'invalid_token',
      'oauth_failed',
      'validation_failed',
      'account_locked',
      'email_not_confirmed',
      'registration_closed',
      'identity_taken',
      'already_enabled',
      'invalid_credentials',
      'invalid_code',
      'too_many_attempts',
      'forbidden',
    ],
  },
  'POST /oauth/{provider}/create': {
    summary: 'Register a pending provider identity with an email',
    operationId: 'createFromOAuth',
    required: ['pendingToken', 'flowSecret', 'email'],
    params: { provider: 'A configured provider id.' },
    success: [
      { status: 201, body: r.TokenPair, description: 'Email confirmation not required: signed in.' },
      message(202, 'The same answer for a new and a taken address; a new one gets a confirmation mail.'),
    ],
    errors: ['not_found', 'invalid_token', 'validation_failed', 'registration_closed', 'identity_taken'],
  },
  'POST /oauth/{provider}/nonce': {
    summary: 'A nonce for a native ID-token sign-in',
    operationId: 'oauthNonce',
    params: { provider: 'A configured provider id that issues ID tokens (not `github`).' },
    success: { status: 200, body: r.OAuthNonce, description: "A single-use nonce: pass it (Apple: its SHA-256 in hex) to the provider's SDK." },
    errors: ['not_found'],
  },
  'POST /oauth/{provider}/id-token': {
    summary: "Sign in with a provider's ID token (native apps)",
    operationId: 'signInWithIdToken',
    required: ['idToken', 'nonce'],
    params: { provider: 'A configured provider id that issues ID tokens.' },
    description:
      "The nonce is spent first; the ID token is verified against the provider's JWKS (`iss`, `aud` among the configured client ids, `exp`, `nonce`). Outcomes as the callback.",
    success: [
      { status: 200, body: r.TokenPair, description: 'A known identity signed in.' },
      { status: 201, body: r.TokenPair, description: 'A new user (or an invitee) signed up.' },
      message(202, 'The provider did not verify the address: a confirmation mail went to it.'),
    ],
    errors: [
      'not_found',
      'invalid_token',
      'oauth_failed',
      'validation_failed',
      'account_locked',
      'email_not_confirmed',
      'registration_closed',
      'identity_taken',
      'already_enabled',
      'invalid_credentials',
      'invalid_code',
      'reauthentication_required',
      'too_many_attempts',
      'forbidden',
    ],
  },
  'GET /me/identities': {
    summary: "The caller's provider identities",
    operationId: 'listMyIdentities',
    success: { status: 200, body: r.IdentityList, description: "The caller's provider identities." },
    errors: [],
  },
  'POST /me/identities': {
    summary: 'Link a pending provider identity (step-up)',
    operationId: 'linkIdentity',
    required: ['pendingToken', 'flowSecret'],
    description:
      'Links a pending identity (from a `422` with `pendingToken`) after step-up: fresh authentication, or `currentPassword` (plus `code` with MFA).',
    success: [
      { status: 201, body: r.IdentityBody, description: 'Linked.' },
      { status: 200, body: r.IdentityBody, description: 'Already linked to the caller.' },
    ],
    errors: ['invalid_token', 'identity_taken', 'already_enabled', 'reauthentication_required', 'validation_failed', 'too_many_attempts'],
  },
  'DELETE /me/identities/{provider}': {
    summary: 'Unlink a provider identity (step-up)',
    operationId: 'unlinkIdentity',
    params: { provider: 'A provider id.' },
    success: { status: 204, body: 'none', description: 'Unlinked.' },
    errors: ['not_found', 'last_sign_in_method', 'reauthentication_required', 'validation_failed', 'too_many_attempts'],
  },
  'GET /admin/users/{id}/identities': {
    summary: "A user's provider identities (admin)",
    operationId: 'adminListIdentities',
    params: { id: 'The user id.' },
    success: { status: 200, body: r.AdminIdentityList, description: "The user's provider identities, with `sub`." },
    errors: ['not_found'],
  },
  'DELETE /admin/users/{id}/identities/{provider}': {
    summary: "Remove a user's provider identity (admin)",
    operationId: 'adminUnlinkIdentity',
    params: { id: 'The user id.', provider: 'A provider id.' },
    success: { status: 204, body: 'none', description: 'Removed (an admin may leave a user without a sign-in method).' },
    errors: ['not_found'],
  },
  // --- the hand-off (docs/specs/hosted-ui.md §6) ---
  'POST /oauth2/token': {
    summary: 'Hand-off: redeem an authorization code (PKCE) or a refresh token (RFC 6749)',
    operationId: 'oauth2Token',
    description:
      "The hosted UI's token endpoint for configured first-party clients (RFC 6749): `grant_type=authorization_code` with PKCE (`code`, `redirect_uri`, `client_id`, `code_verifier`), or `grant_type=refresh_token` (`refresh_token`, `client_id`). Confidential clients authenticate with `client_secret_basic` or `client_secret_post`. Errors are RFC 6749 §5.2 JSON (`invalid_request`, `invalid_client` with 401 and `WWW-Authenticate: Basic` where Basic was used, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`), not problem+json. `Cache-Control: no-store`. Only with the hosted UI on (else 404).",
    form: schemas.oauth2Token,
    success: { status: 200, body: r.OAuth2Token, description: 'A new Latch session of the client: its access token and renewal token in RFC 6749 names.' },
    errors: [],
  },
  // --- end hand-off ---
} satisfies RouteDocs;

/** The documentation of a route by its key, for code that walks the table at run time. */
export function routeDocOf(key: string): RouteDoc | undefined {
  const doc = (routeDocs as Record<string, RouteDocBase>)[key];
  if (!doc) return undefined;
  const request = requestSchemaOf(key);
  return request ? { ...doc, request } : doc;
}
