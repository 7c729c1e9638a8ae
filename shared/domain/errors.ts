/**
 * The one family of errors that flows throw. Each carries a stable `code` that clients switch on;
 * `shared/http/problem.ts` is the only place that maps codes to HTTP statuses.
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'email_not_confirmed'
  | 'account_locked'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'invalid_token'
  | 'too_many_attempts'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'service_unavailable';

/** Field name → list of human messages, as in the contract's `errors` member. */
export type FieldErrors = Record<string, string[]>;

/** Base class of every expected failure. Anything else is a bug and becomes a generic 500. */
export class AuthError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, detail?: string) {
    super(detail ?? code);
    this.name = 'AuthError';
    this.code = code;
  }
}

/** `422 validation_failed` with per-field messages. */
export class ValidationError extends AuthError {
  readonly errors: FieldErrors;
  constructor(errors: FieldErrors, detail = 'The request has invalid fields.') {
    super('validation_failed', detail);
    this.name = 'ValidationError';
    this.errors = errors;
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
  constructor(code: 'too_many_attempts' | 'service_unavailable', retryAfterSeconds: number, detail?: string) {
    super(code, detail);
    this.name = 'RetryableError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** A dependency (DynamoDB, SES, Secrets Manager) failed in a way worth retrying later. */
export class ServiceUnavailableError extends RetryableError {
  constructor(detail = 'A dependency is unavailable. Please try again shortly.', retryAfterSeconds = 1) {
    super('service_unavailable', retryAfterSeconds, detail);
    this.name = 'ServiceUnavailableError';
  }
}

/**
 * Store-level conflicts: a conditional write lost a race or found its precondition false.
 * Flows translate these into contract codes; they never reach HTTP as such.
 */
export type ConflictReason = 'email_taken' | 'user_changed' | 'session_gone' | 'token_mismatch' | 'not_found';

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
