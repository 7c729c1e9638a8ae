import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFunction, needsTokenCheck } from '../../shared/http/function.js';
import { type FunctionName, functionNames, routes } from '../../shared/http/routes.js';

test('a function needs the token check exactly when the route table gives it a route with auth other than none', () => {
  for (const name of functionNames()) {
    const authenticated = routes.some((route) => route.function === name && route.auth !== 'none');
    assert.equal(needsTokenCheck(name), authenticated, name);
  }
  // The anonymous ones, which therefore do not bundle aws-jwt-verify (test/infra/bundles.test.ts).
  const anonymous = functionNames().filter((name) => !needsTokenCheck(name));
  for (const name of ['registration', 'renewal', 'password-reset', 'email-confirmation', 'well-known'] as FunctionName[])
    assert.ok(anonymous.includes(name), name);
  for (const name of ['session', 'account', 'sessions', 'admin-users', 'audit', 'oauth'] as FunctionName[]) assert.ok(!anonymous.includes(name), name);
});

test('a function with an authenticated route and no token check fails at cold start (a cast past the compiler cannot skip the check)', () => {
  const untyped = httpFunction as unknown as (name: string, handlers: object, options?: object) => unknown;
  assert.throws(() => untyped('sessions', {}), /functions\/sessions\.ts has an authenticated route: pass WITH_TOKEN_CHECK/);
  assert.throws(() => untyped('account', {}, {}), /WITH_TOKEN_CHECK/);
});
