import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { AuthError, BadRequestError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import type { RequestInfo } from '../flows/deps.js';

/** Request bodies over this many bytes get 413 before anything else is looked at. */
export const MAX_BODY_BYTES = 65536;

/** The raw body as text, after the size check. Undefined when there is none. */
export function rawBody(event: APIGatewayProxyEventV2): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new AuthError('payload_too_large');
  return bytes.toString('utf8');
}

// `application/json`, optionally with parameters (`; charset=utf-8`); media types are case-insensitive.
const JSON_MEDIA_TYPE = /^application\/json[\t ]*(;.*)?$/is;

/**
 * Refuses a body whose `Content-Type` is not `application/json` (`415 unsupported_media_type`).
 * Parsing any body as JSON whatever its type would let another site POST JSON as `text/plain`,
 * a "simple" request that browsers send without a CORS preflight.
 */
export function assertJsonContentType(event: APIGatewayProxyEventV2): void {
  const type = header(event, 'content-type')?.trim() ?? '';
  if (!JSON_MEDIA_TYPE.test(type)) throw new AuthError('unsupported_media_type');
}

/**
 * Parses a JSON object body: none, not JSON, or not an object is `400 bad_request`. Members set
 * to `null` are dropped (the contract counts them as missing, so they become 422 later).
 */
export function parseJsonObject(text: string | undefined): Record<string, unknown> {
  if (text === undefined) throw new BadRequestError('A JSON object body is required.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError('The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('The body must be a JSON object.');
  }
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== null) out[key] = member;
  return out;
}

/**
 * Checks the JSON types of a body's fields against a schema (all fields optional there):
 * a wrong type (a number or an array where a string belongs) is `400 bad_request` naming the
 * fields. Presence and rules are the flows' business (422), so the CLI gets them too.
 */
export function checkTypes<T extends z.ZodMiniObject>(schema: T, body: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'body');
    const expected = 'expected' in issue && typeof issue.expected === 'string' ? issue.expected : 'valid value';
    errors[field] = [messages.field.wrongType(expected)];
  }
  throw new BadRequestError('Some fields have the wrong type.', errors);
}

/** Lower-cased header lookup. */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  return headers[name] ?? headers[name.toLowerCase()];
}

/** The bearer token of the Authorization header, if any. */
export function bearerToken(event: APIGatewayProxyEventV2): string | undefined {
  const value = header(event, 'authorization');
  const match = value ? /^Bearer[ ]+([^ ]+)$/i.exec(value.trim()) : null;
  return match?.[1];
}

/** Source address, user agent and request id as API Gateway (or the local runner) saw them. */
export function requestInfo(event: APIGatewayProxyEventV2): RequestInfo {
  const http = event.requestContext?.http;
  return {
    ip: http?.sourceIp ?? null,
    userAgent: http?.userAgent ?? header(event, 'user-agent') ?? null,
    requestId: event.requestContext?.requestId ?? null,
  };
}
