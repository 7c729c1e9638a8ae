import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pageSummaries } from '../../shared/http/page-docs.js';
import { routeDocs } from '../../shared/http/route-docs.js';
import { functionNames, matchPath, routeKey, routes } from '../../shared/http/routes.js';

test('route keys are unique and every route belongs to a function file that serves it', () => {
  const keys = routes.map(routeKey);
  assert.equal(new Set(keys).size, keys.length);
  for (const name of functionNames()) {
    // `ui`'s rows are served through the page map of `shared/ui/app.ts` (test/unit/ui-routes.test.ts).
    if (name === 'ui') continue;
    const source = readFileSync(new URL(`../../functions/${name}.ts`, import.meta.url), 'utf8');
    for (const route of routes.filter((r) => r.function === name)) {
      assert.ok(source.includes(`'${routeKey(route)}'`), `functions/${name}.ts does not serve ${routeKey(route)}`);
    }
  }
});

test('path matching prefers static segments, as API Gateway does', () => {
  const [first] = matchPath('/email-confirmation/resend');
  assert.equal(first?.route.path, '/email-confirmation/resend');
  const [param] = matchPath('/email-confirmation/abc.def');
  assert.equal(param?.route.path, '/email-confirmation/{token}');
  assert.equal(param?.params.token, 'abc.def');
  assert.deepEqual(matchPath('/nothing/here'), []);
  assert.deepEqual(matchPath('/email-confirmation/a/b'), []);
});

test('every authenticated route is marked as such (no accidental public account route)', () => {
  for (const route of routes) {
    const own = route.path === '/me' || route.path.startsWith('/sessions') || (route.path === '/session' && route.method === 'DELETE');
    if (own) assert.notEqual(route.auth, 'none', routeKey(route));
  }
});

test('path matching: a static segment beats {param}, which beats a greedy {proxy+} (the hosted pages)', () => {
  const keys = (path: string) => matchPath(path).map((m) => routeKey(m.route));
  assert.deepEqual(keys('/ui/confirm-email/resend'), [
    'GET /ui/confirm-email/resend',
    'POST /ui/confirm-email/resend',
    'GET /ui/confirm-email/{token}',
    'POST /ui/confirm-email/{token}',
    'GET /ui/{proxy+}',
  ]);
  assert.deepEqual(keys('/ui/reset-password/abc.def'), ['GET /ui/reset-password/{token}', 'POST /ui/reset-password/{token}', 'GET /ui/{proxy+}']);
  assert.deepEqual(keys('/ui/oauth/add-email'), ['GET /ui/oauth/add-email', 'POST /ui/oauth/add-email', 'GET /ui/{proxy+}']);
  assert.deepEqual(keys('/ui/no/such/page'), ['GET /ui/{proxy+}']);
  assert.equal(matchPath('/ui/no/such/page')[0]?.params.proxy, 'no/such/page');
  assert.deepEqual(keys('/ui'), ['GET /ui']);
  assert.deepEqual(keys('/uix/a'), []);
});

test('every row of the route table has its one-line summary in the documentation (route-docs.ts, or page-docs.ts for a hosted page), and only there', () => {
  const pages = routes.filter((route) => 'kind' in route && route.kind === 'page').map(routeKey);
  const api = routes.map(routeKey).filter((key) => !pages.includes(key));
  assert.deepEqual(Object.keys(pageSummaries).sort(), [...pages].sort());
  assert.deepEqual(Object.keys(routeDocs).sort(), [...api].sort());
  for (const [key, summary] of [...Object.entries(pageSummaries), ...Object.entries(routeDocs).map(([k, d]) => [k, d.summary] as const)]) {
    assert.ok(summary.trim().length > 0, key);
  }
  for (const route of routes) assert.ok(!('summary' in route), `${routeKey(route)}: the runtime table carries no summary`);
});
