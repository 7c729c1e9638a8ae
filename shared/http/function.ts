import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { AuthError, causeName } from '../domain/errors.js';
import { recordAudit } from '../flows/audit.js';
import type { Deps, Principal } from '../flows/deps.js';
import type { checkAccessToken } from '../flows/token-check.js';
import { type Composition, getDeps } from '../runtime/lambda-deps.js';
import { API_ROUTES, findApiRoute, MFA_ENROLLMENT_ROUTES } from './api-routes.js';
import { errorToResponse } from './problem.js';
import { assertJsonContentType, bearerToken, checkTypes, parseJsonObject, rawBody, requestInfo } from './request.js';
import type { requestSchemaOf, routeRequests } from './route-requests.js';
import type { FunctionName, Route, RouteKey, RouteKeyOf } from './routes.js';

/**
 * What a route handler gets: the body parsed and type-checked against the route's documented
 * request schema (`shared/http/route-requests.ts`), or `{}` for routes without a body.
 */
export interface HttpRequest<B = Record<string, unknown>> {
  event: APIGatewayProxyEventV2;
  body: B;
  /**
   * The whole parsed JSON object, unknown members included: custom user attributes are
   * top-level members that the route's schema does not list (`{}` for routes without a body).
   */
  raw: Record<string, unknown>;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Set on authenticated routes. */
  principal: Principal | undefined;
  deps: Deps;
}

export type Result = APIGatewayProxyStructuredResultV2;
export type RouteHandler<B = Record<string, unknown>> = (request: HttpRequest<B>) => Promise<Result>;

/** The body type a route's handler gets: what its request schema (`route-requests.ts`) parses to. */
export type RequestBody<K extends RouteKey> = K extends keyof typeof routeRequests
  ? (typeof routeRequests)[K] extends infer S extends z.ZodMiniObject
    ? z.infer<S>
    : Record<string, unknown>
  : Record<string, unknown>;

/** Handlers of a function's routes, each typed with its route's body. */
export type RouteHandlers<F extends FunctionName> = { [K in RouteKeyOf<F>]: RouteHandler<RequestBody<K>> };

/**
 * The access-token check (`shared/flows/token-check.ts`, the signature with aws-jwt-verify), passed by the
 * entries of the functions that have an authenticated route (`WITH_TOKEN_CHECK`,
 * `shared/http/token-check.ts`) so that the others do not bundle it.
 */
export type TokenCheck = typeof checkAccessToken;

/** Whether a function has a route with `auth` other than `none`, from the route table's types. */
type HasAuthenticatedRoute<F extends FunctionName> = [Extract<Route, { function: F; auth: 'user' | 'admin' | 'optional' }>] extends [never] ? false : true;

/**
 * What a function's entry passes besides its handlers: the optional adapters its routes use and,
 * exactly when the route table gives it an authenticated route, the token check (the compiler
 * demands it there and refuses it elsewhere).
 */
export type FunctionOptions<F extends FunctionName> =
  HasAuthenticatedRoute<F> extends true
    ? [options: Composition & { tokenCheck: TokenCheck } & SchemaOption<F>]
    : HasBodyRoute<F> extends true
      ? [options: Composition & { tokenCheck?: never } & SchemaOption<F>]
      : [options?: Composition & { tokenCheck?: never } & SchemaOption<F>];

/**
 * The request schemas (`shared/http/route-requests.ts`, with zod/mini), passed by the entries of
 * the functions with a JSON body route (`WITH_REQUEST_SCHEMAS`) so that the others (no body to
 * check) do not bundle them: demanded by the compiler exactly there, like the token check.
 */
export type RequestSchemas = typeof requestSchemaOf;

/** Whether a function has a route with a JSON body, from the route table's types. */
type HasBodyRoute<F extends FunctionName> = [Extract<Route, { function: F; body: true }>] extends [never] ? false : true;
type SchemaOption<F extends FunctionName> = HasBodyRoute<F> extends true ? { requestSchemas: RequestSchemas } : { requestSchemas?: never };

/** Whether one of a function's rows in the API route table matches (the run-time side of {@link FunctionOptions}'s rules). */
function hasApiRoute(name: FunctionName, matches: (route: { body: boolean; auth: string }) => boolean): boolean {
  return (API_ROUTES as readonly { function: string; body: boolean; auth: string }[]).some((route) => route.function === name && matches(route));
}

/** Whether a function has a JSON body route, from the route table at run time (the same rule as {@link FunctionOptions}). */
export function needsRequestSchemas(name: FunctionName): boolean {
  return hasApiRoute(name, (route) => route.body);
}

/** Whether a function has an authenticated route, from the route table at run time (the same rule as {@link FunctionOptions}). */
export function needsTokenCheck(name: FunctionName): boolean {
  return hasApiRoute(name, (route) => route.auth !== 'none');
}

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Result {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** `204 No Content`. */
export function noContent(): Result {
  return { statusCode: 204, headers: {}, body: '' };
}

/** The principal of an authenticated route (the middleware guarantees it is there). */
export function principalOf(request: Pick<HttpRequest<unknown>, 'principal'>): Principal {
  if (!request.principal) throw new AuthError('unauthorized');
  return request.principal;
}

/**
 * Public documents that verifiers may cache for 5 minutes: the discovery documents, the only
 * paths the contract (`docs/API.md`) lets carry a cache header. Their error answers are never
 * cached. `GET /openapi.json` is `no-store` like every other answer.
 */
function isCacheable(path: string, status: number | undefined): boolean {
  return path.startsWith('/.well-known/') && (status ?? 200) < 400;
}

/** Security headers of every response. */
function withSecurityHeaders(event: APIGatewayProxyEventV2, response: Result): Result {
  const path = event.rawPath ?? '';
  const headers: Record<string, string> = {
    ...(response.headers as Record<string, string> | undefined),
    'cache-control': isCacheable(path, response.statusCode) ? 'public, max-age=300' : 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const proto = event.headers?.['x-forwarded-proto'];
  if (proto === 'https') headers['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
  return { ...response, headers };
}

/**
 * Builds a function's Lambda handler: a middy stack that (in this order) answers errors as
 * problem+json in one place, adds security and CORS headers, rejects bodies over 64 KiB (413),
 * bodies not sent as `application/json` (415) and bad JSON (400), checks the body's JSON types against the route's documented request
 * schema (400), checks the access token on authenticated routes (401, with the same flow the
 * authorizer runs), then dispatches on API Gateway's `routeKey` to the route's handler.
 * The options name the optional adapters the function's routes use (`shared/runtime/optional-adapters.ts`)
 * and, where a route is authenticated, the token check ({@link FunctionOptions}).
 */
export function httpFunction<F extends FunctionName>(name: F, handlers: RouteHandlers<F>, ...[options]: FunctionOptions<F>) {
  const { tokenCheck, requestSchemas, ...compose }: Composition & { tokenCheck?: TokenCheck; requestSchemas?: RequestSchemas } = options ?? {};
  // The compiler demands the check where the table has an authenticated route; a cast cannot skip it.
  if (needsTokenCheck(name) && !tokenCheck) throw new Error(`functions/${name}.ts has an authenticated route: pass WITH_TOKEN_CHECK to httpFunction`);
  if (needsRequestSchemas(name) && !requestSchemas) throw new Error(`functions/${name}.ts has a JSON body route: pass WITH_REQUEST_SCHEMAS to httpFunction`);
  const deps = getDeps(compose); // at cold start: a misconfiguration throws here, not at request time
  // Each handler was typed with its own body; at run time the body comes from its own schema.
  const table = handlers as unknown as Record<string, RouteHandler>;

  const core = async (event: APIGatewayProxyEventV2, _context: Context): Promise<Result> => {
    // The API's rows only: the hosted UI's functions (`ui`, `oauth2-token`) are not built here.
    const route = findApiRoute(event.routeKey);
    const handler = table[event.routeKey];
    if (!route || !handler) throw new AuthError('not_found');
    const text = rawBody(event); // 413 before anything else
    // A body route takes JSON only (415); routes without a body ignore whatever was sent.
    if (route.body && text !== undefined) assertJsonContentType(event);
    const parsed = route.body ? parseJsonObject(text) : {};
    // The schema the OpenAPI document shows is the one enforced here (400 before 401, as the
    // contract orders its checks); unknown members are dropped.
    const request = route.body ? requestSchemas?.(event.routeKey) : undefined;
    const body = request ? checkTypes(request, parsed) : parsed;
    let principal: Principal | undefined;
    // `optional` (social sign-in): a presented token must be valid, an absent one is fine.
    const presented = route.auth === 'optional' ? Boolean(event.headers?.authorization ?? event.headers?.Authorization) : true;
    if (route.auth !== 'none' && presented) {
      if (!tokenCheck) throw new Error(`${event.routeKey} is authenticated but its function has no token check`);
      principal = await tokenCheck(deps, bearerToken(event));
      if (route.auth === 'admin' && principal.role !== 'admin') {
        // A refused admin route is audited (subject: the caller), or the answer is 503.
        await recordAudit(deps, {
          type: 'authz.denied',
          outcome: 'failure',
          userId: principal.userId,
          sessionId: principal.sessionId,
          details: { route: event.routeKey },
          request: requestInfo(event),
        });
        throw new AuthError('forbidden');
      }
      // AUTH_MFA=required: a session without a second factor is confined to the enrolment routes
      // (no extra read: the session item's amr came with the token check).
      if (deps.config.mfa === 'required' && !(principal.amr ?? []).includes('mfa') && !MFA_ENROLLMENT_ROUTES.has(event.routeKey)) {
        throw new AuthError('mfa_enrollment_required');
      }
    }
    return handler({
      event,
      body,
      raw: parsed,
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
        } else if (error.code === 'service_unavailable') {
          // An outage must leave a line: the cause's name only (its message may quote a request).
          deps.log.warn('service unavailable', {
            routeKey: request.event.routeKey,
            requestId: request.context.awsRequestId,
            code: error.code,
            causeName: causeName(error),
          });
        }
        request.response = withSecurityHeaders(request.event, errorToResponse(error));
      },
    })
    .handler(core);
}

export { notFoundResponse } from './problem.js';
