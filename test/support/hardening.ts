/**
 * Helpers of the hardening suites (fuzzing, faults, log hygiene): a fast fake hasher, store
 * snapshots, API Gateway payload 2.0 events, and the patterns no response body may contain.
 */

import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext as localLambdaContext } from '../../infra/local/api-server.js';
import { type FunctionName, functionNames, type RouteDefinition, routeKey } from '../../shared/http/routes.js';
import type { PasswordHasher } from '../../shared/ports/services.js';

/**
 * A password "hasher" that costs microseconds. The fuzz and fault suites target parsing,
 * validation and the flows' control flow over thousands of requests; argon2id (tens of ms per
 * call on purpose) would make them take minutes and tells us nothing new there. The real hasher
 * is covered by test/unit/password.test.ts and every integration test.
 */
export class FastFakeHasher implements PasswordHasher {
  async hash(password: string): Promise<string> {
    return `$fake$${createHash('sha256').update(password).digest('base64url')}`;
  }
  async hashLookupSecret(secret: string): Promise<string> {
    return this.hash(secret);
  }
  async verify(hash: string, password: string): Promise<boolean> {
    return hash === (await this.hash(password));
  }
}

export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Imports every function of the route table (and the `$default` one). Call it only after
 * `useDeps()`: the functions build their deps at import, as on Lambda.
 */
export async function loadFunctions(): Promise<{ byFunction: Map<FunctionName, Handler>; notFound: Handler }> {
  const byFunction = new Map<FunctionName, Handler>();
  for (const name of functionNames()) {
    byFunction.set(name, ((await import(`../../functions/${name}.js`)) as { handler: Handler }).handler);
  }
  const notFound = ((await import('../../functions/not-found.js')) as { handler: Handler }).handler;
  return { byFunction, notFound };
}

/** A Lambda context good enough for the middy stack (the local runner's). */
export function lambdaContext(functionName = 'test'): Context {
  return localLambdaContext(functionName);
}

export interface EventInput {
  params?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  sourceIp?: string;
}

/** The payload 2.0 event API Gateway sends for a route (as `infra/local/api-server.ts` builds it). */
export function routeEvent(route: RouteDefinition, input: EventInput = {}): APIGatewayProxyEventV2 {
  const params = input.params ?? {};
  const rawPath = route.path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => safeEncode(params[name] ?? ''));
  // A body goes out as JSON unless the caller names another type (as the typed client does).
  const given = input.headers ?? {};
  const headers = input.body !== undefined && !('content-type' in given) ? { ...given, 'content-type': 'application/json' } : given;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers,
    ...(input.query && Object.keys(input.query).length ? { queryStringParameters: input.query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: input.sourceIp ?? '198.51.100.7', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(input.body !== undefined ? { body: input.body } : {}),
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}

/** encodeURIComponent, tolerating lone surrogates (which fuzzed parameters contain). */
function safeEncode(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

/** The path parameter names of a route, e.g. `['token']` for `/email-confirmation/{token}`. */
export function pathParams(route: RouteDefinition): string[] {
  return [...route.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1] as string);
}

/**
 * A deep, order-stable copy of every `Map` an in-memory store holds (users, claims, sessions,
 * tokens, and whatever maps later adapters add, e.g. counters), keyed by the property name.
 */
export function snapshotMaps(store: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(store)) {
    if (value instanceof Map) out[name] = JSON.stringify([...value.entries()].sort(([a], [b]) => String(a).localeCompare(String(b))));
  }
  return out;
}

/** Things that betray internals: stack frames, error class names, file paths, `undefined`. */
export const INTERNAL_LEAKS: ReadonlyArray<[string, RegExp]> = [
  ['an error prefix', /\b[A-Za-z]*Error:/],
  ['a stack frame', /(^|\n)\s*at [^\n]*[(:]/],
  ['a source position', /\.(?:ts|js|mjs|cjs):\d+/],
  ['node_modules', /node_modules/],
  ['a store error class', /ConflictError|TransactionCanceled|ConditionalCheckFailed|ServiceUnavailableError/],
  ['a runtime error class', /TypeError|RangeError|SyntaxError|ReferenceError|ZodError/],
  ['undefined', /\bundefined\b/],
  ['NaN or [object Object]', /\bNaN\b|\[object Object\]/],
  ['a source path', /(?:^|[\s"'(])(?:\.{1,2}\/)?(?:shared|functions|infra|test|src|dist)\/[\w-]+\//],
  ['an absolute path', /(?:^|[\s"'(]|file:\/\/)\/(?:home|usr|var|tmp|opt|srv|root|Users)\//],
];

/** The first internal leak in a text, if any (including this checkout's own directory). */
export function findLeak(text: string): string | undefined {
  for (const [label, pattern] of INTERNAL_LEAKS) if (pattern.test(text)) return label;
  if (text.includes(process.cwd())) return 'the working directory';
  return undefined;
}
