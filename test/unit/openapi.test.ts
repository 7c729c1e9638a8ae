import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as z from 'zod/mini';
import { loadConfig } from '../../shared/config.js';
import { documentOf as buildDocument, buildOpenApi, type JsonSchema, type OpenApiDocument, type OpenApiOperation } from '../../shared/http/openapi.js';
import { KNOWN_CODES, STATUS } from '../../shared/http/problem.js';
import { type RouteDocs, routeDocOf, routeDocs } from '../../shared/http/route-docs.js';
import { type BodyRouteKeys, type RequestSchema, routeRequests } from '../../shared/http/route-requests.js';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';

const config = loadConfig({ AUTH_ISSUER: 'https://auth.example.test', APP_URL: 'https://app.example.test' });
const doc = buildOpenApi(config);
// Hosted-UI pages answer HTML and stay out of the document; `kind: "oauth2"` routes answer RFC 6749 JSON (their own test below).
const table = (routes as readonly RouteDefinition[]).filter((r) => r.kind !== 'page');
const problemRoutes = table.filter((r) => r.kind === undefined);

function operationOf(document: OpenApiDocument, route: RouteDefinition): OpenApiOperation {
  const operation = document.paths[route.path]?.[route.method.toLowerCase()];
  assert.ok(operation, `${routeKey(route)} is not in the document`);
  return operation;
}

/** Resolves a local JSON pointer (`#/a/b`) in the document, or undefined. */
function resolvePointer(root: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Every `$ref` in a JSON value, with where it was found. */
function refsIn(value: unknown, at = '#'): Array<{ ref: string; at: string }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsIn(item, `${at}/${i}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, member]) =>
    key === '$ref' && typeof member === 'string' ? [{ ref: member, at }] : refsIn(member, `${at}/${key}`),
  );
}

test('every route of the table is in the document with its method, once, and nothing else is', () => {
  const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
  assert.deepEqual(documented.sort(), table.map(routeKey).sort());
  assert.deepEqual(Object.keys(routeDocs).sort(), table.map(routeKey).sort());
  for (const route of table) {
    const operation = operationOf(doc, route);
    // The summary from the route's documentation (not the runtime table, which every function bundles).
    assert.equal(operation.summary, routeDocs[routeKey(route) as keyof typeof routeDocs].summary);
    assert.ok(operation.summary.length > 0);
    assert.equal(operation['x-latch-auth'], route.auth);
  }
  const ids = table.map((route) => operationOf(doc, route).operationId);
  assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
});

test('every authenticated route requires the bearer scheme; public routes do not', () => {
  assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The `accessToken` of a token pair.',
  });
  for (const route of table) {
    const operation = operationOf(doc, route);
    if (route.auth === 'none') assert.equal(operation.security, undefined, routeKey(route));
    // `optional` (social sign-in): anonymous, or a bearer token that is then checked.
    else if (route.auth === 'optional') assert.deepEqual(operation.security, [{}, { bearerAuth: [] }], routeKey(route));
    else assert.deepEqual(operation.security, [{ bearerAuth: [] }], routeKey(route));
  }
});

test('every body route documents the request schema httpFunction enforces, and only body routes have one', () => {
  for (const route of problemRoutes) {
    const operation = operationOf(doc, route);
    const enforced = routeDocOf(routeKey(route))?.request;
    if (!route.body) {
      assert.equal(operation.requestBody, undefined, routeKey(route));
      assert.equal(enforced, undefined, `${routeKey(route)} takes no body, so it has no request schema`);
      continue;
    }
    assert.ok(enforced, `${routeKey(route)} takes a body but has no request schema`);
    const schema = operation.requestBody?.content['application/json'].schema;
    assert.ok(schema, `${routeKey(route)} has no requestBody`);
    assert.equal(operation.requestBody?.required, true);
    assert.equal(schema.type, 'object');
    const properties = schema.properties as Record<string, JsonSchema>;
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(enforced.def.shape).sort(), routeKey(route));
    for (const field of (schema.required as string[] | undefined) ?? []) assert.ok(field in properties, `${routeKey(route)}: required ${field} is not a field`);
  }
});

test('the documented JSON types are the enforced ones (a string field is a string, a flag a boolean)', () => {
  const signIn = operationOf(doc, { method: 'POST', path: '/session' } as RouteDefinition).requestBody?.content['application/json'].schema;
  assert.deepEqual(signIn?.properties, { email: { type: 'string' }, password: { type: 'string' }, rememberMe: { type: 'boolean' } });
  assert.deepEqual(signIn?.required, ['email', 'password']);
  // The enforced schema itself accepts exactly these types.
  assert.equal(routeRequests['POST /session'].safeParse({ email: 'a', password: 'b', rememberMe: true }).success, true);
  assert.equal(routeRequests['POST /session'].safeParse({ rememberMe: 'yes' }).success, false);
});

test('path parameters are declared for every {name} segment', () => {
  for (const route of table) {
    const names = [...route.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]);
    const declared = (operationOf(doc, route).parameters ?? []).filter((p) => p.in === 'path');
    assert.deepEqual(
      declared.map((p) => p.name),
      names,
      routeKey(route),
    );
    for (const parameter of declared) assert.equal(parameter.required, true);
  }
});

test("every route's error responses cover its codes and the generic ones of its kind, each referencing Problem", () => {
  for (const route of problemRoutes) {
    const key = routeKey(route);
    const operation = operationOf(doc, route);
    const expected = new Set<string>([...(routeDocOf(key)?.errors ?? []), 'payload_too_large', 'service_unavailable']);
    if (route.body) expected.add('bad_request');
    if (route.auth !== 'none') expected.add('unauthorized');
    if (route.auth === 'admin') expected.add('forbidden');
    for (const code of expected) {
      const status = String(STATUS[code as keyof typeof STATUS]);
      const response = operation.responses[status];
      assert.ok(response, `${key} has no ${status} response for ${code}`);
      assert.ok(response['x-codes']?.includes(code), `${key} ${status} does not list ${code}`);
      assert.ok(response.description.includes(`\`${code}\``), `${key} ${status} does not describe ${code}`);
      const schema = response.content?.['application/problem+json']?.schema as { allOf: JsonSchema[] };
      assert.deepEqual(schema.allOf[0], { $ref: '#/components/schemas/Problem' });
      const narrowed = schema.allOf[1] as { properties: { code: { enum: string[] }; status: { const: number } } };
      assert.ok(narrowed.properties.code.enum.includes(code));
      assert.equal(narrowed.properties.status.const, Number(status));
    }
    // Every error response is a problem, and lists only codes of its status.
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) < 400) continue;
      assert.ok(response.content?.['application/problem+json'], `${key} ${status} is not problem+json`);
      for (const code of response['x-codes'] ?? []) {
        assert.equal(code === 'internal_error' ? 500 : STATUS[code as keyof typeof STATUS], Number(status), `${key}: ${code} under ${status}`);
      }
    }
    assert.ok(
      Object.keys(operation.responses).some((status) => Number(status) < 300),
      `${key} has no success response`,
    );
  }
});

test('Problem is RFC 9457 plus code (every contract code) and errors; 429 and 503 name Retry-After', () => {
  const problem = doc.components.schemas.Problem as { properties: Record<string, JsonSchema>; required: string[] };
  assert.deepEqual(problem.required.sort(), ['code', 'detail', 'status', 'title', 'type']);
  const codes = problem.properties.code?.enum;
  assert.ok(Array.isArray(codes));
  assert.deepEqual([...codes].sort(), [...KNOWN_CODES].sort());
  assert.equal(problem.properties.errors?.type, 'object');
  const signIn = operationOf(doc, { method: 'POST', path: '/session' } as RouteDefinition);
  assert.deepEqual(signIn.responses['429']?.headers, { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } });
  assert.deepEqual(signIn.responses['503']?.headers, { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } });
});

test('the document is structurally valid OpenAPI 3.1: required members, unique ids, every $ref resolves', () => {
  const plain = JSON.parse(JSON.stringify(doc)) as OpenApiDocument;
  assert.deepEqual(plain, doc, 'the document is plain JSON');
  assert.match(plain.openapi, /^3\.1\.\d+$/);
  assert.equal(typeof plain.info.title, 'string');
  assert.equal(typeof plain.info.version, 'string');
  assert.deepEqual(plain.servers, [{ url: 'https://auth.example.test' }]);
  const tags = new Set(plain.tags.map((t) => t.name));
  for (const [path, item] of Object.entries(plain.paths)) {
    assert.ok(path.startsWith('/'), path);
    for (const [method, operation] of Object.entries(item)) {
      assert.ok(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(method), method);
      assert.ok(Object.keys(operation.responses).length > 0);
      for (const [status, response] of Object.entries(operation.responses)) {
        assert.match(status, /^[1-5]\d\d$/);
        assert.equal(typeof response.description, 'string');
      }
      for (const tag of operation.tags) assert.ok(tags.has(tag), `undeclared tag ${tag}`);
      for (const requirement of operation.security ?? []) {
        for (const scheme of Object.keys(requirement)) assert.ok(plain.components.securitySchemes[scheme], scheme);
      }
    }
  }
  const refs = refsIn(plain);
  assert.ok(refs.length > 20, 'the document uses components');
  for (const { ref, at } of refs) assert.notEqual(resolvePointer(plain, ref), undefined, `${ref} at ${at} does not resolve`);
  // JSON Schema 2020-12 is OpenAPI 3.1's dialect: no per-schema $schema/$id left over.
  assert.equal(JSON.stringify(plain).includes('"$schema"'), false);
  assert.equal(JSON.stringify(plain).includes('"$id"'), false);
});

test('registration documents both of its successes, and the configured one in the description', () => {
  const registration = operationOf(doc, { method: 'POST', path: '/registration' } as RouteDefinition);
  assert.deepEqual(registration.responses['201']?.content?.['application/json']?.schema, { $ref: '#/components/schemas/TokenPair' });
  assert.deepEqual(registration.responses['202']?.content?.['application/json']?.schema, { $ref: '#/components/schemas/Message' });
  assert.match(doc.info.description, /answers `202`/);
  const withoutConfirmation = buildOpenApi({ ...config, requireEmailConfirmation: false });
  assert.match(withoutConfirmation.info.description, /answers `201`/);
});

test('a route without documentation, or a body route without a request schema, does not compile', () => {
  const { 'GET /me': _me, ...missing } = routeDocs;
  // @ts-expect-error 'GET /me' is missing
  const incomplete: RouteDocs = missing;
  // @ts-expect-error a body route needs its request schema (route-requests.ts)
  const noRequest: { [K in BodyRouteKeys]: RequestSchema } = { ...routeRequests, 'POST /session': undefined };
  assert.ok(incomplete && noRequest);
});

test('routes the other branches add document the same way: admin role, query parameters, 204 answers', () => {
  // A route as the admin API will have it, documented through the same builder as the table.
  const route = {
    method: 'GET',
    path: '/admin/users/{id}/things',
    function: 'account',
    auth: 'admin',
    body: false,
  } as unknown as RouteDefinition;
  const query = z.object({ limit: z.optional(z.string().check(z.describe('Page size.'))), cursor: z.optional(z.string()) });
  const things = buildDocument(
    [
      {
        route,
        doc: { summary: 'Things', operationId: 'listThings', query, success: { status: 204, body: 'none', description: 'Nothing.' }, errors: ['not_found'] },
      },
    ],
    config,
  );
  const operation = operationOf(things, route);
  assert.deepEqual(operation.security, [{ bearerAuth: [] }]);
  assert.match(operation.description ?? '', /role `admin`/);
  assert.deepEqual(operation.responses['403']?.['x-codes'], ['forbidden']);
  assert.deepEqual(operation.responses['401']?.['x-codes'], ['unauthorized']);
  assert.deepEqual(operation.responses['404']?.['x-codes'], ['not_found']);
  assert.deepEqual(operation.responses['204'], { description: 'Nothing.' });
  assert.deepEqual(operation.parameters, [
    { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    { name: 'limit', in: 'query', required: false, description: 'Page size.', schema: { type: 'string' } },
    { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
  ]);
  assert.equal(operation.requestBody, undefined);
  assert.deepEqual(Object.keys(things.paths), ['/admin/users/{id}/things']);
});

test('POST /oauth2/token is documented with its form fields and RFC 6749 answers; the hand-off pages are not in the document', () => {
  const operation = operationOf(doc, { method: 'POST', path: '/oauth2/token' } as RouteDefinition);
  const content = (operation.requestBody?.content ?? {}) as unknown as Record<string, { schema: JsonSchema } | undefined>;
  const form = content['application/x-www-form-urlencoded']?.schema;
  assert.ok(form, 'a form body');
  for (const field of ['grant_type', 'code', 'redirect_uri', 'client_id', 'code_verifier', 'refresh_token'])
    assert.ok(field in (form.properties as object), field);
  for (const status of ['200', '400', '401']) assert.ok(operation.responses[status], status);
  assert.equal(doc.paths['/oauth2/authorize'], undefined);
  assert.equal(doc.paths['/oauth2/logout'], undefined);
});
