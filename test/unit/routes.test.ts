import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { functionNames, matchPath, routeKey, routes } from '../../shared/http/routes.js';

test('route keys are unique and every route belongs to a function file that serves it', () => {
  const keys = routes.map(routeKey);
  assert.equal(new Set(keys).size, keys.length);
  for (const name of functionNames()) {
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
