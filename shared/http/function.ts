import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { findRoute, type FunctionName, type RouteKeyOf } from '../../functions/routes.js';
import { AuthError } from '../domain/errors.js';
import type { Deps, Principal } from '../flows/deps.js';
import { checkAccessToken } from '../flows/token-check.js';
import { getDeps } from '../runtime/deps.js';
import { errorToResponse, problemResponse } from './problem.js';
import { bearerToken, parseJsonObject, rawBody, } from './request.js';

/** What a route handler gets: the parsed body (an object, or `{}` for routes without one). */
export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  body: Record<string, unknown>;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Set on authenticated routes. */
  principal: Principal | undefined;
  deps: Deps;
}

export type Result = APIGatewayProxyStructuredResultV2;
export type RouteHandler = (request: HttpRequest) => Promise<Result>;

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Result {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** `204 No Content`. */
export function noContent(): Result {
  return { statusCode: 204, headers: {}, body: '' };
}

/** The principal of an authenticated route (the middleware guarantees it is there). */
export function principalOf(request: HttpRequest): Principal {
  if (!request.principal) throw new AuthError('unauthorized');
  return request.principal;
}

/** Security headers of every response. */
function withSecurityHeaders(event: APIGatewayProxyEventV2, response: Result): Result {
  const path = event.rawPath ?? '';
  const headers: Record<string, string> = {
    ...(response.headers as Record<string, string> | undefined),
    'cache-control': path.startsWith('/.well-known/') ? 'public, max-age=300' : 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const proto = event.headers?.['x-forwarded-proto'];
  if (proto === 'https') headers['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
  return { ...response, headers };
}

/**
 * Builds a function's Lambda handler: a middy stack that (in this order) answers errors as
 * problem+json in one place, adds security and CORS headers, rejects bodies over 64 KiB (413)
 * and bad JSON (400), checks the access token on authenticated routes (401, with the same flow
 * the authorizer runs), then dispatches on API Gateway's `routeKey` to the route's handler.
 */
export function httpFunction<F extends FunctionName>(
  _name: F,
  handlers: Record<RouteKeyOf<F>, RouteHandler>,
) {
  const deps = getDeps(); // at cold start: a misconfiguration throws here, not at request time
  const table = handlers as Record<string, RouteHandler>;

  const core = async (event: APIGatewayProxyEventV2, _context: Context): Promise<Result> => {
    const route = findRoute(event.routeKey);
    const handler = table[event.routeKey];
    if (!route || !handler) throw new AuthError('not_found');
    const text = rawBody(event); // 413 before anything else
    const body = route.body ? parseJsonObject(text) : {};
    let principal: Principal | undefined;
    if (route.auth !== 'none') {
      principal = await checkAccessToken(deps, bearerToken(event));
      if (route.auth === 'admin' && principal.role !== 'admin') throw new AuthError('forbidden');
    }
    return handler({
      event,
      body,
      params: (event.pathParameters ?? {}) as Record<string, string>,
      query: (event.queryStringParameters ?? {}) as Record<string, string>,
      principal,
      deps,
    });
  };

  return middy<APIGatewayProxyEventV2, Result>()
    .use(
      httpCors({
        origins: deps.config.corsOrigins,
        headers: 'authorization,content-type',
        methods: 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
        exposeHeaders: 'retry-after,www-authenticate',
        maxAge: 600,
      }),
    )
    .use({
      after: (request) => {
        request.response = withSecurityHeaders(request.event, request.response as Result);
      },
      onError: (request) => {
        const error = request.error;
        if (!(error instanceof AuthError)) {
          deps.log.error('unhandled error', {
            routeKey: request.event.routeKey,
            requestId: request.context.awsRequestId,
            errorName: error instanceof Error ? error.name : typeof error,
          });
        }
        request.response = withSecurityHeaders(request.event, errorToResponse(error));
      },
    })
    .handler(core);
}

/** The catch-all (`$default`) answer for unknown routes: problem+json 404 or 405. */
export function notFoundResponse(kind: 'not_found' | 'method_not_allowed', allow?: string[]): Result {
  return problemResponse(kind, undefined, { headers: allow ? { allow: allow.join(', ') } : {} });
}
