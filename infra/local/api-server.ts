import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type FunctionName, functionNames, matchPath, routeKey } from '../../shared/http/routes.js';
import { passkeysPage } from './passkeys-page.js';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type AuthorizerHandler = (event: unknown) => Promise<unknown>;

/** API Gateway HTTP APIs refuse payloads over 10 MB before any Lambda runs. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export interface LocalApiOptions {
  port: number;
  host?: string;
  /** Proxies whose `X-Forwarded-For` is believed (as `AUTH_TRUSTED_PROXIES`). */
  trustedProxies?: string[];
}

export interface LocalApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Routes of another service served beside the auth API with Latch's authorizer attached, as API
 * Gateway serves them (`examples/protected-service/`): the authorizer runs first, and only an
 * allowed request reaches the handler, with the context in `requestContext.authorizer.lambda`.
 */
const PROTECTED_ROUTES = [{ method: 'GET', path: '/hello', module: '../../examples/protected-service/hello.js', name: 'protected-service-hello' }] as const;

/** The paths of {@link PROTECTED_ROUTES} (for banners and docs). */
export const protectedRoutePaths: readonly string[] = PROTECTED_ROUTES.map((r) => r.path);

interface LoadedProtectedRoute {
  routeKey: string;
  name: string;
  handler: Handler;
}

/** Loads the same handlers CDK deploys, one module per function of the route table. */
async function loadHandlers(): Promise<{
  byFunction: Map<FunctionName, Handler>;
  notFound: Handler;
  authorizer: AuthorizerHandler;
  protectedRoutes: Map<string, LoadedProtectedRoute>;
}> {
  const byFunction = new Map<FunctionName, Handler>();
  for (const name of functionNames()) {
    const mod = (await import(`../../functions/${name}.js`)) as { handler: Handler };
    byFunction.set(name, mod.handler);
  }
  const notFound = ((await import('../../functions/not-found.js')) as { handler: Handler }).handler;
  const authorizer = ((await import('../../functions/authorizer.js')) as { handler: AuthorizerHandler }).handler;
  const protectedRoutes = new Map<string, LoadedProtectedRoute>();
  for (const route of PROTECTED_ROUTES) {
    const routeKey = `${route.method} ${route.path}`;
    protectedRoutes.set(routeKey, { routeKey, name: route.name, handler: ((await import(route.module)) as { handler: Handler }).handler });
  }
  return { byFunction, notFound, authorizer, protectedRoutes };
}

/** API Gateway's own answers when its Lambda authorizer stops a request. */
const GATEWAY_UNAUTHORIZED: APIGatewayProxyStructuredResultV2 = {
  statusCode: 401,
  headers: { 'content-type': 'application/json' },
  body: '{"message":"Unauthorized"}',
};
const GATEWAY_FORBIDDEN: APIGatewayProxyStructuredResultV2 = {
  statusCode: 403,
  headers: { 'content-type': 'application/json' },
  body: '{"message":"Forbidden"}',
};

/** Runs the authorizer on an HTTP API request the way API Gateway does (payload 2.0, simple response). */
async function authorize(authorizer: AuthorizerHandler, event: APIGatewayProxyEventV2): Promise<{ isAuthorized: boolean; context?: Record<string, string> }> {
  const [method, ...rest] = event.routeKey.split(' ');
  const routeArn = `arn:aws:execute-api:local:000000000000:local/$default/${method}${rest.join(' ')}`;
  return (await authorizer({ ...event, type: 'REQUEST', routeArn, identitySource: [event.headers.authorization ?? ''] })) as {
    isAuthorized: boolean;
    context?: Record<string, string>;
  };
}

function clientIp(req: IncomingMessage, trusted: string[]): string {
  const remote = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const forwarded = req.headers['x-forwarded-for'];
  if (!trusted.includes(remote) || typeof forwarded !== 'string') return remote;
  // Walk the chain from the right: the first address that is not a trusted proxy is the client.
  const chain = forwarded
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i] as string;
    if (!trusted.includes(hop)) return hop;
  }
  return remote;
}

/** A Lambda context like the one the runtime passes (the local runner's and the tests'). */
export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 29000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Builds the HTTP API payload 2.0 event API Gateway would send. */
function toEvent(req: IncomingMessage, url: URL, body: Buffer, ip: string, route: string, params: Record<string, string> | undefined): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const contentType = headers['content-type'] ?? '';
  const textual = contentType === '' || /json|text|xml|urlencoded/i.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(params && Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: ip, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: route,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64'), isBase64Encoded: !textual } : { isBase64Encoded: false }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GATEWAY_MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > GATEWAY_MAX_BODY ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers = { ...(result.headers ?? {}) } as Record<string, string | number | boolean>;
  res.statusCode = result.statusCode ?? 200;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, String(v));
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  const body = result.body ?? '';
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

/**
 * Serves the route table like API Gateway's HTTP API: matches the route (segment by segment, a
 * static segment before a `{param}` before a greedy `{proxy+}`), builds a payload 2.0 event, invokes the function's `handler`, and falls back to
 * the `$default` function for anything else. `GET /_local/protected` shows the authorizer at
 * work the way another service would use it: it runs `functions/authorizer.ts` on the request
 * and answers with the context a backend would receive (or 403, as API Gateway would). The
 * {@link PROTECTED_ROUTES} (`GET /hello` of the example service) run behind the authorizer the
 * same way and reach their own handler.
 */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const { byFunction, notFound, authorizer, protectedRoutes } = await loadHandlers();
  // The passkey test page (`/_local/passkeys`, `passkeys-page.ts`): its browser bundle is built now.
  const passkeysHtml = await passkeysPage();
  const trusted = options.trustedProxies ?? [];
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      if (body === 'too_large') {
        send(res, { statusCode: 413, headers: { 'content-type': 'application/json' }, body: '{"message":"Request Entity Too Large"}' });
        return;
      }
      const ip = clientIp(req, trusted);
      if (url.pathname === '/_local/protected' && req.method === 'GET') {
        const decision = await authorize(authorizer, toEvent(req, url, body, ip, 'GET /_local/protected', undefined));
        if (!decision.isAuthorized) return send(res, GATEWAY_FORBIDDEN);
        return send(res, {
          statusCode: 200,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
          body: JSON.stringify({ authorizer: { lambda: decision.context } }),
        });
      }
      if (url.pathname === '/_local/passkeys' && req.method === 'GET') {
        return send(res, { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: passkeysHtml });
      }
      const guarded = protectedRoutes.get(`${req.method} ${url.pathname}`);
      if (guarded) {
        const event = toEvent(req, url, body, ip, guarded.routeKey, undefined);
        // API Gateway answers 401 itself when the identity source (the header) is missing, 403 on a deny.
        if (!event.headers.authorization) return send(res, GATEWAY_UNAUTHORIZED);
        const decision = await authorize(authorizer, event);
        if (!decision.isAuthorized) return send(res, GATEWAY_FORBIDDEN);
        const authorized = { ...event, requestContext: { ...event.requestContext, authorizer: { lambda: decision.context ?? {} } } };
        return send(res, await guarded.handler(authorized, lambdaContext(guarded.name)));
      }
      // The hosted pages are rows of the table too (`function: 'ui'`), down to the catch-all `GET /ui/{proxy+}`.
      const matches = matchPath(url.pathname);
      const match = matches.find((m) => m.route.method === req.method);
      if (!match) {
        send(res, await notFound(toEvent(req, url, body, ip, '$default', undefined), lambdaContext('not-found')));
        return;
      }
      const handler = byFunction.get(match.route.function);
      if (!handler) throw new Error(`no handler for ${match.route.function}`);
      const event = toEvent(req, url, body, ip, routeKey(match.route), match.params);
      send(res, await handler(event, lambdaContext(match.route.function)));
    } catch (error) {
      // What API Gateway answers when a Lambda fails; the details stay in this process's log.
      console.error('local API: function failed', error instanceof Error ? error.name : error);
      if (!res.headersSent) send(res, { statusCode: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal Server Error"}' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
