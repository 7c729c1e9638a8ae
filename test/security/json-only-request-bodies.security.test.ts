/**
 * Property: request bodies are JSON only. A body sent with any `Content-Type` but
 * `application/json` (parameters allowed, case-insensitive) is `415 unsupported_media_type`
 * and changes nothing, so a cross-site `text/plain` POST (a "simple" request, no CORS preflight)
 * never reaches a flow. Routes without a body ignore the header.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LATCH_PROBLEM_CODES, LatchClient } from '../../client/index.js';
import { buildOpenApi } from '../../shared/http/openapi.js';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { assertProblem, PASSWORD, signedInUser } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

const NOT_JSON = [
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonp',
  'application/json-patch+json',
  'text/json',
  '',
];

test('a JSON body sent as text/plain (or any other type, or none) is 415 unsupported_media_type and creates nothing', async () => {
  for (const type of NOT_JSON) {
    const email = uniqueEmail('cross-site');
    const response = await api.request('POST', '/registration', {
      body: JSON.stringify({ email, password: PASSWORD }),
      headers: { 'content-type': type },
    });
    assertProblem(response, 415, 'unsupported_media_type');
    const items = await api.scan();
    assert.equal(
      items.some((item) => item.pk === `EMAIL#${email}`),
      false,
      `${type || '(none)'}: the account was created`,
    );
    assert.equal((await mailsTo(email)).length, 0);
  }
});

test('application/json with parameters and in any case is accepted', async () => {
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'APPLICATION/JSON;charset=UTF-8']) {
    const response = await api.request('POST', '/registration', {
      body: JSON.stringify({ email: uniqueEmail('json'), password: PASSWORD }),
      headers: { 'content-type': type },
    });
    assert.equal(response.status, 202, `${type}: ${response.text}`);
  }
});

test('an authenticated body route refuses a text/plain body before it changes anything (PATCH /me, sign-in)', async () => {
  const user = await signedInUser(api, { label: 'json-only' });
  const patch = await api.request('PATCH', '/me', {
    token: user.accessToken,
    body: JSON.stringify({ currentPassword: PASSWORD, email: uniqueEmail('moved') }),
    headers: { 'content-type': 'text/plain' },
  });
  assertProblem(patch, 415, 'unsupported_media_type');
  const me = await api.request('GET', '/me', { token: user.accessToken });
  assert.equal(me.body.user.unconfirmedEmail, null);
  const signIn = await api.request('POST', '/session', {
    body: JSON.stringify({ email: user.email, password: PASSWORD }),
    headers: { 'content-type': 'text/plain' },
  });
  assertProblem(signIn, 415, 'unsupported_media_type');
});

test('the size check comes first (413), and a body route without a body is still 400', async () => {
  const huge = await api.request('POST', '/registration', { body: 'x'.repeat(70_000), headers: { 'content-type': 'text/plain' } });
  assert.equal(huge.status, 413);
  const none = await api.request('POST', '/registration', { headers: { 'content-type': 'text/plain' } });
  assertProblem(none, 400, 'bad_request');
});

test('routes without a body ignore the Content-Type', async () => {
  const user = await signedInUser(api, { label: 'json-only-get' });
  const me = await api.request('GET', '/me', { token: user.accessToken, headers: { 'content-type': 'text/plain' } });
  assert.equal(me.status, 200);
  const signOut = await api.request('DELETE', '/session', { token: user.accessToken, body: 'whatever', headers: { 'content-type': 'text/plain' } });
  assert.equal(signOut.status, 204);
});

test('the typed client sends application/json and knows the code; OpenAPI documents 415 on every body route', async () => {
  assert.ok((LATCH_PROBLEM_CODES as readonly string[]).includes('unsupported_media_type'));
  const seen: string[] = [];
  const client = new LatchClient({
    baseUrl: api.url,
    fetch: (input, init) => {
      seen.push(new Headers(init?.headers).get('content-type') ?? '');
      return fetch(input, init);
    },
  });
  await client.register({ email: uniqueEmail('client'), password: PASSWORD });
  assert.deepEqual(seen, ['application/json']);

  const document = buildOpenApi({ issuer: 'https://auth.test', requireEmailConfirmation: true }) as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  // Every row but the hosted pages' (`kind: 'page'`, out of the document; the UI answers a 415 page).
  for (const route of (routes as readonly RouteDefinition[]).filter((r) => r.kind !== 'page')) {
    const operation = document.paths[route.path]?.[route.method.toLowerCase()];
    assert.ok(operation, `${routeKey(route)} is not documented`);
    assert.equal('415' in operation.responses, route.body, `${routeKey(route)}: 415 ${route.body ? 'missing' : 'documented without a body'}`);
  }
});
