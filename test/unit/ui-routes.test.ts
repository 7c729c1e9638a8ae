/**
 * The hosted pages as rows of the route table (docs/specs/hosted-ui.md §2): every page of `ui` is
 * a row with `kind: "page"` and its rules; `shared/ui/app.ts` has one handler per row; the
 * catch-all `GET /ui/{proxy+}` answers the HTML 404 (405 on a form path); other unknown requests
 * keep the API's problem+json.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { isHostedUiRoute, matchPath, type RouteDefinition, routeKey, routes, UI_ASSET_ROUTE, UI_CATCH_ALL_ROUTE } from '../../shared/http/routes.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';
import { handleUi, PAGE_GROUPS } from '../../shared/ui/app.js';
import { lambdaContext } from '../support/hardening.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';
import { ORIGIN } from '../support/memory-browser.js';

/** Imported twice, with and without the UI (a query string makes a second module instance). */
const NOT_FOUND = '../../functions/not-found.js';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const table = routes as readonly RouteDefinition[];
const uiRows = table.filter((r) => r.function === 'ui');
const pageRows = uiRows.filter((r) => r.page);

let deps: MemoryDeps;
before(async () => {
  deps = await memoryDeps({ AUTH_UI: 'true', APP_URL: `${ORIGIN}/ui` });
});

/** An event as API Gateway sends it: `routeKey` names the matched row (`$default` for none). */
function event(method: string, path: string, key: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: key,
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: { http: { method, path, sourceIp: '192.0.2.1', userAgent: 'unit' }, requestId: 'req-1', routeKey: key },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

/** The route key API Gateway would match for this request (the local runner matches the same way). */
function gatewayKey(method: string, path: string): string {
  const match = matchPath(path).find((m) => m.route.method === method);
  return match ? routeKey(match.route) : '$default';
}

test('every page row of ui has exactly one handler, and every handler a row (no two groups register the same page)', () => {
  const handled = PAGE_GROUPS.flatMap((group) => Object.keys(group));
  assert.equal(new Set(handled).size, handled.length, 'a page is registered by two groups');
  assert.deepEqual([...handled].sort(), pageRows.map(routeKey).sort());
  // ui's other rows: the assets and the catch-all, answered by the dispatcher itself.
  assert.deepEqual(
    uiRows
      .filter((r) => !r.page)
      .map(routeKey)
      .sort(),
    [UI_ASSET_ROUTE, UI_CATCH_ALL_ROUTE].sort(),
  );
});

test('page rows: kind page (out of the OpenAPI document), no bearer token, no JSON body; every form has its own CSRF form id; one exemption', () => {
  for (const row of uiRows) {
    assert.equal(row.kind, 'page', routeKey(row));
    assert.equal(row.auth, 'none', routeKey(row));
    assert.equal(row.body, false, routeKey(row));
    assert.ok(isHostedUiRoute(row));
    assert.match(row.path, /^\/(ui|oauth2)(\/|$)/, routeKey(row));
  }
  for (const row of pageRows) {
    if (row.method === 'GET') assert.ok(!row.page?.form && !row.page?.csrfExempt, `${routeKey(row)}: a GET changes nothing and takes no form`);
    else assert.ok(Boolean(row.page?.form) !== Boolean(row.page?.csrfExempt), `${routeKey(row)}: a form id, or the exemption`);
  }
  const forms = pageRows.flatMap((r) => (r.page?.form ? [r.page.form] : []));
  assert.equal(new Set(forms).size, forms.length, 'a CSRF form id is bound to one form');
  assert.deepEqual(
    pageRows.filter((r) => r.page?.csrfExempt).map(routeKey),
    ['POST /ui/oauth/{provider}/callback'],
    "only the provider's form_post callback is exempt (hosted-ui §4)",
  );
});

test('static segments beat {param}, as on API Gateway: /ui/confirm-email/resend is the resend page, not a token', async () => {
  assert.equal(gatewayKey('GET', '/ui/confirm-email/resend'), 'GET /ui/confirm-email/resend');
  assert.equal(gatewayKey('GET', '/ui/confirm-email/abc.def'), 'GET /ui/confirm-email/{token}');
  const page = await handleUi(deps, event('GET', '/ui/confirm-email/resend', 'GET /ui/confirm-email/resend'), {});
  assert.equal(page.statusCode, 200);
  assert.match(String(page.body), /name="email"/);
});

test('the access log names the route key: a mail-link token is {token} in it, never its value', () => {
  const token = 'secret-reset-token.value';
  for (const kind of ['reset-password', 'confirm-email', 'invitation']) {
    for (const method of ['GET', 'POST']) {
      const key = gatewayKey(method, `/ui/${kind}/${token}`);
      assert.equal(key, `${method} /ui/${kind}/{token}`);
      assert.ok(!key.includes(token));
    }
  }
});

test('GET /ui/{proxy+} answers the HTML 404 page for an unknown path under /ui/', async () => {
  for (const path of ['/ui/no-such-page', '/ui/account/nothing/here', '/ui/assets/missing.0000.css']) {
    const key = gatewayKey('GET', path);
    assert.equal(key, path.startsWith('/ui/assets/') ? UI_ASSET_ROUTE : UI_CATCH_ALL_ROUTE, path);
    const answer = await handleUi(deps, event('GET', path, key), {});
    assert.equal(answer.statusCode, 404, path);
    assert.match(String((answer.headers as Record<string, string>)['content-type']), /^text\/html/);
    assert.match(String(answer.body), /Page not found/);
  }
});

test('GET /ui/{proxy+} answers the 405 page with Allow for a GET on a form path (GET /ui/sign-out)', async () => {
  assert.equal(gatewayKey('GET', '/ui/sign-out'), UI_CATCH_ALL_ROUTE);
  const answer = await handleUi(deps, event('GET', '/ui/sign-out', UI_CATCH_ALL_ROUTE), {});
  assert.equal(answer.statusCode, 405);
  assert.equal((answer.headers as Record<string, string>).allow, 'POST');
  assert.match(String((answer.headers as Record<string, string>)['content-type']), /^text\/html/);
});

test('a path parameter outside its pattern matches no page: the 404 page (mail-link tokens, provider names)', async () => {
  for (const path of ['/ui/reset-password/has%20space', `/ui/confirm-email/${'a'.repeat(201)}`, '/ui/oauth/Not_A_Provider/start']) {
    const answer = await handleUi(deps, event('GET', path, gatewayKey('GET', path)), {});
    assert.equal(answer.statusCode, 404, path);
  }
});

test('the row API Gateway matched decides the page: its access rule applies (a user page sends a guest to sign-in)', async () => {
  const answer = await handleUi(deps, event('GET', '/ui/account/security', 'GET /ui/account/security'), {});
  assert.equal(answer.statusCode, 303);
  assert.equal((answer.headers as Record<string, string>).location, '/ui/sign-in?return=%2Fui%2Faccount%2Fsecurity');
  const asset = await handleUi(deps, event('GET', '/ui/assets/x', UI_ASSET_ROUTE), {});
  assert.equal(asset.statusCode, 404);
});

test('$default (not-found): a POST to an unknown /ui/ path is a problem+json 404; a POST on a page path a 405; without the UI its rows are 404s', async () => {
  const call = async (handler: Handler, method: string, path: string) => {
    const answer = await handler(event(method, path, '$default'), lambdaContext('not-found'));
    return {
      status: answer.statusCode,
      type: (answer.headers as Record<string, string>)['content-type'],
      allow: (answer.headers as Record<string, string>).allow,
    };
  };
  // Each import builds its deps from the ones injected just before (as a Lambda container does at start).
  useDeps(deps);
  const withUi = ((await import(`${NOT_FOUND}?ui=on`)) as { handler: Handler }).handler;
  useDeps(await memoryDeps());
  const withoutUi = ((await import(`${NOT_FOUND}?ui=off`)) as { handler: Handler }).handler;
  assert.deepEqual(await call(withUi, 'POST', '/ui/no-such-form'), { status: 404, type: 'application/problem+json', allow: undefined });
  assert.deepEqual(await call(withUi, 'POST', '/ui/account/activity'), { status: 405, type: 'application/problem+json', allow: 'GET' });
  assert.deepEqual(await call(withoutUi, 'GET', '/ui/sign-in'), { status: 404, type: 'application/problem+json', allow: undefined });
  assert.deepEqual(await call(withoutUi, 'GET', '/oauth2/authorize'), { status: 404, type: 'application/problem+json', allow: undefined });
  assert.deepEqual(await call(withoutUi, 'GET', '/session'), { status: 405, type: 'application/problem+json', allow: 'POST, DELETE' });
});
