import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../shared/config.js';
import { buildOpenApi, type JsonSchema, type OpenApiDocument } from '../../shared/http/openapi.js';
import { responseSchemas } from '../../shared/http/response-schemas.js';
import { routeDocOf, type SuccessDoc } from '../../shared/http/route-docs.js';
import { isHostedUiRoute, type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { lastLinkToken } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;
let served: OpenApiDocument;

before(async () => {
  api = await startTestStack({ APP_URL: 'https://app.example.test' });
  served = (await api.request('GET', '/openapi.json')).body as OpenApiDocument;
});
after(async () => {
  await api.close();
});

/**
 * Checks a real answer against the served document: its status is documented for the route; a
 * success body parses with the documented schema; an error is a Problem whose code is listed
 * for that status.
 */
function assertDocumented(method: string, path: string, response: ApiResponse): void {
  const key = `${method} ${path}`;
  const operation = served.paths[path]?.[method.toLowerCase()];
  assert.ok(operation, `${key} is not documented`);
  const documented = operation.responses[String(response.status)];
  assert.ok(documented, `${key} answered ${response.status}, which is not documented (${response.text.slice(0, 200)})`);
  if (response.status >= 400) {
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.ok(responseSchemas.Problem.safeParse(response.body).success, `${key}: not a Problem`);
    assert.ok(documented['x-codes']?.includes(response.body.code), `${key}: ${response.body.code} is not listed under ${response.status}`);
    return;
  }
  const doc = routeDocOf(key);
  const successes = (Array.isArray(doc?.success) ? doc.success : [doc?.success]) as SuccessDoc[];
  const success = successes.find((s) => s.status === response.status);
  assert.ok(success, `${key} ${response.status}`);
  if (success.body === 'none') {
    assert.equal(response.text, '', `${key}: a body was not documented`);
    return;
  }
  const parsed = success.body.safeParse(response.body);
  assert.ok(parsed.success, `${key}: the body does not match the documented schema: ${JSON.stringify(response.body).slice(0, 300)}`);
}

describe('GET /openapi.json', () => {
  test('serves the generated OpenAPI 3.1 document for this deployment, not cached (only /.well-known/* may be)', async () => {
    const response = await api.request('GET', '/openapi.json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(response.body, buildOpenApi(loadConfig(process.env)));
    assert.equal(response.body.openapi, '3.1.0');
    assert.deepEqual(response.body.servers, [{ url: api.url }], 'the server is the issuer, the API itself');
    const documented = Object.entries(served.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    // Every row but the hosted pages' (`kind: 'page'`, kept out of the document).
    const rows = (routes as readonly RouteDefinition[]).filter((route) => route.kind !== 'page');
    assert.deepEqual(documented.sort(), rows.map(routeKey).sort());
  });

  test('an error answer of a cacheable path is not cached', async () => {
    const response = await api.request('POST', '/.well-known/jwks.json');
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });
});

describe('real answers match the document', () => {
  test('a journey through every route answers only documented statuses, bodies and codes', async () => {
    const email = uniqueEmail();
    const exchange = async (method: string, path: string, template: string, options: { body?: unknown; token?: string } = {}) => {
      const response = await api.request(method, path, options);
      assertDocumented(method, template, response);
      return response;
    };
    await exchange('POST', '/registration', '/registration', { body: { email, password: PASSWORD } });
    await exchange('POST', '/registration', '/registration', { body: { email: 'not-an-email', password: 'short' } });
    await exchange('POST', '/registration', '/registration', { body: '[1]' });
    await exchange('POST', '/email-confirmation/resend', '/email-confirmation/resend', { body: { email } });
    await exchange('POST', '/email-confirmation/resend', '/email-confirmation/resend', { body: { email: 'nope' } });
    await exchange('POST', '/session', '/session', { body: { email, password: PASSWORD } }); // 403 email_not_confirmed
    await exchange('POST', '/email-confirmation/not-a-token', '/email-confirmation/{token}');
    const token = await lastLinkToken(email, 'confirm-email');
    await exchange('POST', `/email-confirmation/${token}`, '/email-confirmation/{token}');
    await exchange('POST', '/session', '/session', { body: { email, password: 'wrong password here' } });
    const signedIn = await exchange('POST', '/session', '/session', { body: { email, password: PASSWORD, rememberMe: true } });
    const renewed = await exchange('POST', '/session/renew', '/session/renew', { body: { renewalToken: signedIn.body.renewalToken } });
    await exchange('POST', '/session/renew', '/session/renew', { body: { renewalToken: signedIn.body.renewalToken } });
    await exchange('GET', '/me', '/me', { token: renewed.body.accessToken });
    await exchange('GET', '/me', '/me', { token: 'not.a.jwt' });
    await exchange('DELETE', '/session', '/session', { token: renewed.body.accessToken });
    await exchange('DELETE', '/session', '/session', { token: renewed.body.accessToken });
    await exchange('POST', '/session', '/session', { body: 'x'.repeat(70_000) });
    await exchange('GET', '/.well-known/jwks.json', '/.well-known/jwks.json');
    await exchange('GET', '/.well-known/openid-configuration', '/.well-known/openid-configuration');
    await exchange('GET', '/openapi.json', '/openapi.json');
  });

  test('every body route refuses a wrong JSON type in each documented field with 400 naming the fields', async () => {
    const wrong: Record<string, unknown> = { string: 12345, boolean: 'yes', number: 'many', integer: 'many', array: 'none', object: 'none' };
    for (const route of routes as readonly RouteDefinition[]) {
      // Page rows (`kind`) are not in the document: the hosted UI's own tests cover them.
      if (!route.body || isHostedUiRoute(route)) continue;
      const operation = served.paths[route.path]?.[route.method.toLowerCase()];
      const properties = (operation?.requestBody?.content['application/json'].schema.properties ?? {}) as Record<string, JsonSchema>;
      const body = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, wrong[String(schema.type)] ?? ['?']]));
      assert.ok(Object.keys(body).length > 0, `${routeKey(route)} documents no fields`);
      const path = route.path.replace(/\{[A-Za-z]+\}/g, 'some-value');
      const response = await api.request(route.method, path, { body });
      assert.equal(response.status, 400, `${routeKey(route)}: ${response.text}`);
      assert.equal(response.body.code, 'bad_request');
      assert.deepEqual(Object.keys(response.body.errors ?? {}).sort(), Object.keys(body).sort(), routeKey(route));
      assertDocumented(route.method, route.path, response);
    }
  });
});
