import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AuthError, BadRequestError, ExtendedAuthError, RetryableError, ValidationError } from '../domain/errors.js';
import { PROBLEM_CODES, PROBLEMS, type ProblemCode } from '../domain/problems.js';

/** The HTTP status of each code, from the one problem table (`PROBLEMS`). */
export const STATUS = Object.fromEntries(PROBLEM_CODES.map((code) => [code, PROBLEMS[code].status])) as Record<ProblemCode, number>;

/** Every code a response may carry (the contract's, plus `internal_error` for a 500). */
export const KNOWN_CODES: string[] = [...PROBLEM_CODES];

/** RFC 9457 problem details as an API Gateway result. */
export function problemResponse(
  code: ProblemCode,
  detail?: string,
  extra: { errors?: Record<string, string[]> | undefined; headers?: Record<string, string>; members?: Record<string, unknown> | undefined } = {},
): APIGatewayProxyStructuredResultV2 {
  const { status, title } = PROBLEMS[code];
  const body = {
    type: `urn:latch:problem:${code}`,
    title,
    status,
    detail: detail ?? PROBLEMS[code].detail,
    code,
    ...(extra.errors ? { errors: extra.errors } : {}),
    // Extension members never replace the standard ones.
    ...Object.fromEntries(Object.entries(extra.members ?? {}).filter(([key]) => !['type', 'title', 'status', 'detail', 'code', 'errors'].includes(key))),
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
  if (error instanceof ExtendedAuthError)
    return problemResponse(error.code, detail, { errors, headers: { ...headers, ...error.headers }, members: error.members });
  if (error instanceof ValidationError && error.members) return problemResponse(error.code, detail, { errors, headers, members: error.members });
  return problemResponse(error.code, detail, { errors, headers });
}

/** The catch-all (`$default`) answer for unknown routes: problem+json 404 or 405. */
export function notFoundResponse(kind: 'not_found' | 'method_not_allowed', allow?: string[]): APIGatewayProxyStructuredResultV2 {
  return problemResponse(kind, undefined, { headers: allow ? { allow: allow.join(', ') } : {} });
}
