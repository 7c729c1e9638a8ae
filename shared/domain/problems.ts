import { messages } from './messages.js';

/** What one problem code is: everything the HTTP answer says about it (what it means, for the OpenAPI document: `PROBLEM_DOCS` in `problem-docs.ts`). */
export interface ProblemDefinition {
  /** The HTTP status it answers. */
  readonly status: number;
  /** The problem's `title` (constant per code, RFC 9457). */
  readonly title: string;
  /** The `detail` when the error carries none of its own. */
  readonly detail: string;
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
  },
  validation_failed: {
    status: 422,
    title: 'Validation failed',
    detail: 'Validation failed',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    detail: messages.unauthorized,
  },
  invalid_credentials: {
    status: 401,
    title: 'Invalid credentials',
    detail: messages.invalidCredentials,
  },
  email_not_confirmed: {
    status: 403,
    title: 'Email not confirmed',
    detail: 'Email not confirmed',
  },
  account_locked: { status: 403, title: 'Account locked', detail: messages.accountLocked },
  password_compromised: {
    status: 403,
    title: 'Password compromised',
    detail: "Your password has appeared in a data breach. We've sent you an e-mail to choose a new one.",
  },
  forbidden: { status: 403, title: 'Forbidden', detail: messages.forbidden },
  not_found: { status: 404, title: 'Not found', detail: messages.notFound },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    detail: messages.methodNotAllowed,
  },
  invalid_token: { status: 404, title: 'Invalid token', detail: messages.invalidToken },
  too_many_attempts: {
    status: 429,
    title: 'Too many attempts',
    detail: messages.tooManyAttempts,
    retryable: true,
  },
  payload_too_large: { status: 413, title: 'Payload too large', detail: messages.payloadTooLarge },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    detail: messages.unsupportedMediaType,
  },
  service_unavailable: {
    status: 503,
    title: 'Service unavailable',
    detail: messages.serviceUnavailable,
    retryable: true,
  },
  invalid_code: {
    status: 401,
    title: 'Invalid code',
    detail: 'The code you entered is invalid or has already been used.',
  },
  reauthentication_required: {
    status: 403,
    title: 'Reauthentication required',
    detail: "Please confirm it's you before you continue.",
  },
  already_enabled: {
    status: 409,
    title: 'Already enabled',
    detail: 'This is already set up.',
  },
  mfa_not_enabled: {
    status: 409,
    title: 'Two-factor authentication not enabled',
    detail: 'Two-factor authentication is not turned on.',
  },
  // Two-step sign-in and AUTH_MFA=required (mfa2).
  mfa_required: {
    status: 403,
    title: 'Two-factor authentication required',
    detail: 'Enter a code from your authenticator app, a recovery code, or use a passkey.',
  },
  mfa_enrollment_required: {
    status: 403,
    title: 'Two-factor authentication setup required',
    detail: 'Two-factor authentication must be set up before you can continue.',
  },
  // --- social sign-in (docs/specs/social-sign-in.md §2) ---
  oauth_failed: {
    status: 400,
    title: 'Sign-in with the provider failed',
    detail: "Something went wrong, and you couldn't be signed in. Please try again.",
  },
  identity_taken: {
    status: 409,
    title: 'Identity taken',
    detail: 'The provider account is already bound to another user.',
  },
  registration_closed: {
    status: 403,
    title: 'Registration closed',
    detail: 'New accounts cannot be created this way. Sign in to your account first, or ask for an invitation.',
  },
  last_sign_in_method: {
    status: 409,
    title: 'Last sign-in method',
    detail: "Authentication cannot be removed until you've entered a password for your account.",
  },
  internal_error: {
    status: 500,
    title: 'Internal server error',
    detail: 'Something went wrong on our side.',
  },
} as const satisfies Record<string, ProblemDefinition>;

/** Every code a response may carry. */
export type ProblemCode = keyof typeof PROBLEMS;

/** The codes that only a `RetryableError` carries (answered with `Retry-After`). */
export type RetryableCode = { [K in ProblemCode]: (typeof PROBLEMS)[K] extends { retryable: true } ? K : never }[ProblemCode];

/** Every code, in the table's order. */
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];
