import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AuthError, BadRequestError, type ErrorCode, RetryableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';

/** The one place where error codes become HTTP statuses. */
export const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  invalid_credentials: 401,
  email_not_confirmed: 403,
  account_locked: 403,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  invalid_token: 404,
  too_many_attempts: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  service_unavailable: 503,
};

const TITLES: Record<ErrorCode, string> = {
  bad_request: 'Bad request',
  validation_failed: 'Validation failed',
  unauthorized: 'Unauthorized',
  invalid_credentials: 'Invalid credentials',
  email_not_confirmed: 'Email not confirmed',
  account_locked: 'Account locked',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  invalid_token: 'Invalid token',
  too_many_attempts: 'Too many attempts',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  service_unavailable: 'Service unavailable',
};

const DEFAULT_DETAIL: Partial<Record<ErrorCode, string>> = {
  unauthorized: messages.unauthorized,
  invalid_credentials: messages.invalidCredentials,
  account_locked: messages.accountLocked,
  forbidden: messages.forbidden,
  not_found: messages.notFound,
  method_not_allowed: messages.methodNotAllowed,
  invalid_token: messages.invalidToken,
  too_many_attempts: messages.tooManyAttempts,
  payload_too_large: messages.payloadTooLarge,
  unsupported_media_type: messages.unsupportedMediaType,
  service_unavailable: messages.serviceUnavailable,
};

/** Every code a response may carry (the contract's, plus `internal_error` for a 500). */
export const KNOWN_CODES = [...Object.keys(STATUS), 'internal_error'];

/** RFC 9457 problem details as an API Gateway result. */
export function problemResponse(
  code: ErrorCode | 'internal_error',
  detail?: string,
  extra: { errors?: Record<string, string[]> | undefined; headers?: Record<string, string> } = {},
): APIGatewayProxyStructuredResultV2 {
  const status = code === 'internal_error' ? 500 : STATUS[code];
  const title = code === 'internal_error' ? 'Internal server error' : TITLES[code];
  const body = {
    type: `urn:latch:problem:${code}`,
    title,
    status,
    detail: detail ?? (code === 'internal_error' ? 'Something went wrong on our side.' : (DEFAULT_DETAIL[code] ?? title)),
    code,
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...extra.headers },
    body: JSON.stringify(body),
  };
}

/**
 * Maps any thrown value to a response. `AuthError`s keep their code and texts; anything else
 * is a bug and becomes a generic 500 with no internals (the caller logs it).
 */
export function errorToResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (!(error instanceof AuthError)) return problemResponse('internal_error');
  const headers: Record<string, string> = {};
  if (error instanceof RetryableError) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.code === 'unauthorized') headers['www-authenticate'] = 'Bearer';
  const errors = error instanceof ValidationError || error instanceof BadRequestError ? error.errors : undefined;
  const detail = error.message === error.code ? undefined : error.message;
  return problemResponse(error.code, detail, { errors, headers });
}
