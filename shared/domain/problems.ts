import { messages } from './messages.js';

/** What one problem code is: everything the HTTP answer, the OpenAPI document and the docs say about it. */
export interface ProblemDefinition {
  /** The HTTP status it answers. */
  readonly status: number;
  /** The problem's `title` (constant per code, RFC 9457). */
  readonly title: string;
  /** The `detail` when the error carries none of its own. */
  readonly detail: string;
  /** What it means, from the contract: the OpenAPI document's description of the code. */
  readonly doc: string;
  /** Answered only with `Retry-After`: only a `RetryableError` may carry it. */
  readonly retryable?: true;
}

/**
 * The one table of problem codes (`docs/API.md`'s, plus `internal_error`). `shared/http/problem.ts`
 * maps errors to answers from it, `shared/http/openapi.ts` documents it, and a test holds the
 * client's `LATCH_PROBLEM_CODES` (`client/index.ts`, a dependency-free single file) equal to its
 * keys. Adding a code is one entry here (see `docs/architecture.md`).
 */
export const PROBLEMS = {
  bad_request: {
    status: 400,
    title: 'Bad request',
    detail: 'Bad request',
    doc: 'the body is not JSON, not an object, or a field has the wrong JSON type (`errors` names the fields)',
  },
  validation_failed: {
    status: 422,
    title: 'Validation failed',
    detail: 'Validation failed',
    doc: 'a field is missing, empty or breaks a rule (`errors` maps field names to messages)',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    detail: messages.unauthorized,
    doc: 'the access token (or renewal token) is missing, invalid, expired or revoked',
  },
  invalid_credentials: {
    status: 401,
    title: 'Invalid credentials',
    detail: messages.invalidCredentials,
    doc: 'unknown email, wrong password or missing credential: the same answer for each',
  },
  email_not_confirmed: {
    status: 403,
    title: 'Email not confirmed',
    detail: 'Email not confirmed',
    doc: 'the email is not confirmed yet (a new confirmation mail has been sent)',
  },
  account_locked: { status: 403, title: 'Account locked', detail: messages.accountLocked, doc: 'the account is locked' },
  password_compromised: {
    status: 403,
    title: 'Password compromised',
    detail: "Your password has appeared in a data breach. We've sent you an e-mail to choose a new one.",
    doc: 'the correct password is in the breached or common lists and `AUTH_BREACHED_PASSWORD_ON_SIGN_IN=block`: no session; a reset mail has been sent',
  },
  forbidden: { status: 403, title: 'Forbidden', detail: messages.forbidden, doc: 'the caller is not allowed to do this (e.g. not an admin)' },
  not_found: { status: 404, title: 'Not found', detail: messages.notFound, doc: 'no such resource' },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    detail: messages.methodNotAllowed,
    doc: 'the path exists, the method does not (see `Allow`)',
  },
  invalid_token: { status: 404, title: 'Invalid token', detail: messages.invalidToken, doc: 'the mailed token is unknown, expired or already used' },
  too_many_attempts: {
    status: 429,
    title: 'Too many attempts',
    detail: messages.tooManyAttempts,
    doc: 'too many failed sign-ins for this email or address; come back after `Retry-After` seconds',
    retryable: true,
  },
  payload_too_large: { status: 413, title: 'Payload too large', detail: messages.payloadTooLarge, doc: 'the body is over 65,536 bytes' },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    detail: messages.unsupportedMediaType,
    doc: 'the body is sent with a `Content-Type` other than `application/json`',
  },
  service_unavailable: {
    status: 503,
    title: 'Service unavailable',
    detail: messages.serviceUnavailable,
    doc: 'a dependency failed; retry after `Retry-After` seconds',
    retryable: true,
  },
  invalid_code: {
    status: 401,
    title: 'Invalid code',
    detail: 'The code you entered is invalid or has already been used.',
    doc: 'a wrong, malformed or already used TOTP or recovery code (`POST /session/reauthenticate`)',
  },
  reauthentication_required: {
    status: 403,
    title: 'Reauthentication required',
    detail: "Please confirm it's you before you continue.",
    doc: 'the route needs fresh authentication or credentials in the body; members `reauthMethods`, `reauthAal`, and `WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=…` (RFC 9470)',
  },
  already_enabled: {
    status: 409,
    title: 'Already enabled',
    detail: 'This is already set up.',
    doc: 'TOTP is already on; a passkey credential is already registered (to this or another user)',
  },
  mfa_not_enabled: {
    status: 409,
    title: 'Two-factor authentication not enabled',
    detail: 'Two-factor authentication is not turned on.',
    doc: 'recovery codes asked for while the user has no second factor',
  },
  // Two-step sign-in and AUTH_MFA=required (mfa2).
  mfa_required: {
    status: 403,
    title: 'Two-factor authentication required',
    detail: 'Enter a code from your authenticator app, a recovery code, or use a passkey.',
    doc: 'the password was right and the user has a second factor: no token, no session. Members `mfaToken` (send it to `POST /session/mfa` with a code), `mfaMethods` (`totp`, `recovery_code`, `webauthn`), `expiresIn` (seconds)',
  },
  mfa_enrollment_required: {
    status: 403,
    title: 'Two-factor authentication setup required',
    detail: 'Two-factor authentication must be set up before you can continue.',
    doc: '`AUTH_MFA=required`, the session has no second factor yet, and the route is not an enrolment route; also removing the last second factor then',
  },
  // --- social sign-in (docs/specs/social-sign-in.md §2) ---
  oauth_failed: {
    status: 400,
    title: 'Sign-in with the provider failed',
    detail: "Something went wrong, and you couldn't be signed in. Please try again.",
    doc: "the provider refused, the token exchange failed, or its answer failed validation (signature, `iss`, `aud`, `exp`, `nonce`, redirect URI); the flow's state is spent",
  },
  identity_taken: {
    status: 409,
    title: 'Identity taken',
    detail: 'The provider account is already bound to another user.',
    doc: 'the provider account is bound to another user',
  },
  registration_closed: {
    status: 403,
    title: 'Registration closed',
    detail: 'New accounts cannot be created this way. Sign in to your account first, or ask for an invitation.',
    doc: 'a provider sign-in would create a user while `AUTH_OAUTH_REGISTRATION=false` and no invitation is presented',
  },
  last_sign_in_method: {
    status: 409,
    title: 'Last sign-in method',
    detail: "Authentication cannot be removed until you've entered a password for your account.",
    doc: "removing the password or a passkey that is the user's last way to sign in",
  },
  internal_error: {
    status: 500,
    title: 'Internal server error',
    detail: 'Something went wrong on our side.',
    doc: 'a bug on the server side (no details are given)',
  },
} as const satisfies Record<string, ProblemDefinition>;

/** Every code a response may carry. */
export type ProblemCode = keyof typeof PROBLEMS;

/** The codes that only a `RetryableError` carries (answered with `Retry-After`). */
export type RetryableCode = { [K in ProblemCode]: (typeof PROBLEMS)[K] extends { retryable: true } ? K : never }[ProblemCode];

/** Every code, in the table's order. */
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];
