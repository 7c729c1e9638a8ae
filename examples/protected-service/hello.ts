/**
 * The example service's backend: `GET /hello` behind Latch's authorizer. API Gateway has already
 * run the authorizer (the access token's signature, expiry and live session) before this runs,
 * so the handler only reads who is calling from the authorizer context:
 *
 * - HTTP API (payload 2.0, simple responses): `event.requestContext.authorizer.lambda`
 * - REST API (TOKEN or REQUEST authorizer): `event.requestContext.authorizer`
 *
 * It imports nothing from Latch: a service in another repository writes the same few lines.
 */

/** The authorizer context Latch's authorizer hands to backends (`functions/authorizer.ts`). */
export interface LatchContext {
  userId: string;
  sessionId: string;
  role: string;
  email: string;
}

/** The part of either event shape this handler reads. */
export interface HelloEvent {
  requestContext?: { authorizer?: Record<string, unknown> | null } | null;
}

export interface HelloResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function isContext(value: unknown): value is LatchContext {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.userId === 'string' && typeof v.email === 'string' && typeof v.role === 'string';
}

/** The caller from an HTTP API (`authorizer.lambda`) or REST API (`authorizer`) event, if any. */
export function callerOf(event: HelloEvent): LatchContext | undefined {
  const authorizer = event.requestContext?.authorizer;
  if (!authorizer) return undefined;
  if (isContext(authorizer.lambda)) return authorizer.lambda;
  if (isContext(authorizer)) return authorizer;
  return undefined;
}

function json(statusCode: number, body: unknown): HelloResult {
  return { statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

export async function handler(event: HelloEvent): Promise<HelloResult> {
  const caller = callerOf(event);
  // Only reachable without a context if the route was deployed without the authorizer.
  if (!caller) return json(401, { message: 'Unauthorized' });
  return json(200, { message: `Hello, ${caller.email}`, userId: caller.userId, role: caller.role });
}
