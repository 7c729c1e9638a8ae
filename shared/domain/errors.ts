import { PROBLEMS, type ProblemCode, type RetryableCode } from './problems.js';

/**
 * The one family of errors that flows throw. Each carries a stable `code` that clients switch on;
 * the codes, their statuses and texts live in one table, `PROBLEMS` (`shared/domain/problems.ts`).
 * `internal_error` is not among them: it is what any other thrown value becomes.
 */
export type ErrorCode = Exclude<ProblemCode, 'internal_error'>;

/** The codes a plain `AuthError` may carry: the retryable ones need a `RetryableError` (and its `Retry-After`). */
export type PlainErrorCode = Exclude<ErrorCode, RetryableCode>;

/** Options of every `AuthError`: the underlying failure, kept for the log (never sent to the client). */
export interface AuthErrorOptions {
  cause?: unknown;
}

/** Field name → list of human messages, as in the contract's `errors` member. */
export type FieldErrors = Record<string, string[]>;

/** Base class of every expected failure. Anything else is a bug and becomes a generic 500. */
export class AuthError extends Error {
  readonly code: ErrorCode;
  constructor(code: PlainErrorCode, detail?: string, options: AuthErrorOptions = {}) {
    super(detail ?? code, options.cause === undefined ? undefined : { cause: options.cause });
    // The type already refuses a retryable code; this keeps an untyped caller from answering a
    // 429/503 without `Retry-After`.
    if ('retryable' in PROBLEMS[code as ErrorCode] && !(this instanceof RetryableError)) {
      throw new TypeError(`${code} needs a RetryableError (it is answered with Retry-After)`);
    }
    this.name = 'AuthError';
    this.code = code;
  }
}

/**
 * An error whose problem document carries extension members (RFC 9457) and headers of its own:
 * `403 reauthentication_required` with `reauthMethods`, `reauthAal` and RFC 9470's `WWW-Authenticate`.
 */
export class ExtendedAuthError extends AuthError {
  constructor(
    code: PlainErrorCode,
    readonly members: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
    detail?: string,
  ) {
    super(code, detail);
    this.name = 'ExtendedAuthError';
  }
}

/** `422 validation_failed` with per-field messages. */
export class ValidationError extends AuthError {
  readonly errors: FieldErrors;
  /** Extension members of the problem document (social sign-in's `pendingToken`). */
  readonly members: Record<string, unknown> | undefined;
  constructor(errors: FieldErrors, detail = 'The request has invalid fields.', members?: Record<string, unknown>) {
    super('validation_failed', detail);
    this.name = 'ValidationError';
    this.errors = errors;
    this.members = members;
  }
}

/** `400 bad_request`: not JSON, not an object, or a field of the wrong JSON type. */
export class BadRequestError extends AuthError {
  readonly errors: FieldErrors | undefined;
  constructor(detail: string, errors?: FieldErrors) {
    super('bad_request', detail);
    this.name = 'BadRequestError';
    this.errors = errors;
  }
}

/** Errors that tell the client when to come back (`Retry-After`, seconds). */
export class RetryableError extends AuthError {
  readonly retryAfterSeconds: number;
  constructor(code: RetryableCode, retryAfterSeconds: number, detail?: string, options: AuthErrorOptions = {}) {
    // The one place a retryable code reaches AuthError's constructor (which refuses it to anyone else).
    super(code as unknown as PlainErrorCode, detail, options);
    this.name = 'RetryableError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** A dependency (DynamoDB, SES, Secrets Manager) failed in a way worth retrying later. */
export class ServiceUnavailableError extends RetryableError {
  constructor(detail = 'A dependency is unavailable. Please try again shortly.', options: AuthErrorOptions & { retryAfterSeconds?: number } = {}) {
    super('service_unavailable', options.retryAfterSeconds ?? 1, detail, { cause: options.cause });
    this.name = 'ServiceUnavailableError';
  }
}

/**
 * Store-level conflicts: a conditional write lost a race or found its precondition false.
 * Flows translate these into contract codes; they never reach HTTP as such.
 */
export type ConflictReason =
  | 'email_taken'
  | 'user_changed'
  | 'session_gone'
  | 'token_mismatch'
  | 'not_found'
  /** The recipient's mail cap of that kind is reached in its running window. */
  | 'mail_capped'
  /** The recipient's mail cap window is over (or was started by another request): count again. */
  | 'mail_window'
  /** An audit event with this id exists already (ids are random: a collision, never overwritten). */
  | 'audit_duplicate'
  /** Social sign-in: the provider account is bound to a user already. */
  | 'identity_taken'
  /** Social sign-in: the user has an identity of this provider already. */
  | 'identity_exists'
  /** Social sign-in: the sign-in method to remove is the user's last one. */
  | 'last_method'
  /** A second-factor code was spent meanwhile: its TOTP step is not above `lastStep`, or its recovery code is used or gone. */
  | 'code_spent'
  /** A WebAuthn credential id is registered already (to this or another user): its claim exists. */
  | 'credential_taken';

/** Thrown by store adapters when a condition expression (or its in-memory twin) fails. */
export class ConflictError extends Error {
  readonly reason: ConflictReason;
  constructor(reason: ConflictReason) {
    super(reason);
    this.name = 'ConflictError';
    this.reason = reason;
  }
}

/** True for a ConflictError of the given reason. */
export function isConflict(error: unknown, reason?: ConflictReason): error is ConflictError {
  return error instanceof ConflictError && (reason === undefined || error.reason === reason);
}

/** The name of what caused an error (`cause`, else the error itself), for a log line without secrets. */
export function causeName(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return cause instanceof Error ? cause.name : typeof cause;
}
