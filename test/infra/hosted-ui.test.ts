import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessOf } from '../../infra/constructs/function-access.js';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { synthLatch } from './synth.js';
import { referencesIn, resourcesOfType, routeTargets } from './template.js';

/** The hosted pages in the template: a `ui` function and its routes only with the `hostedUi` prop. */

const uiRows = (routes as readonly RouteDefinition[]).filter((r) => r.function === 'ui');

test('with hostedUi: a ui function with AUTH_UI and the app name', () => {
  const { json, functionLogicalId } = synthLatch({ context: { hostedUi: { appName: 'Example App', defaultLocale: 'de' } } });
  const id = functionLogicalId('ui');
  const env = (json.Resources[id]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  assert.equal(env.AUTH_UI, 'true');
  assert.equal(env.AUTH_UI_APP_NAME, 'Example App');
  assert.equal(env.AUTH_UI_DEFAULT_LOCALE, 'de');
  assert.equal(accessOf('ui').keys, 'sign', 'a page sign-in starts a Latch session');
});

test('with hostedUi: every page row of the route table is an API Gateway route to ui (the catch-all GET /ui/{proxy+} included), and no ANY /ui route', () => {
  const { json, functionLogicalId } = synthLatch({ context: { hostedUi: { appName: 'Example App' } } });
  const targets = routeTargets(json);
  assert.ok(uiRows.length > 40, 'every page is a row');
  for (const row of uiRows) assert.equal(targets.get(routeKey(row)), functionLogicalId('ui'), routeKey(row));
  assert.equal(targets.get('GET /ui/{proxy+}'), functionLogicalId('ui'));
  assert.deepEqual(
    [...targets.keys()].filter((key) => key.startsWith('ANY ')),
    [],
  );
  // Every route to ui is a row of the table: nothing is routed to it that the table does not list.
  const uiKeys = new Set(uiRows.map(routeKey));
  for (const [key, target] of targets) if (target === functionLogicalId('ui')) assert.ok(uiKeys.has(key), key);
});

test('with hostedUi: ui has one API-scoped invoke permission, not one per page route (CloudFormation counts resources)', () => {
  const { json, functionLogicalId } = synthLatch({ context: { hostedUi: { appName: 'Example App' } } });
  const ui = functionLogicalId('ui');
  const permissions = resourcesOfType(json, 'AWS::Lambda::Permission').filter(([, p]) => referencesIn(p.Properties?.FunctionName).has(ui));
  assert.equal(permissions.length, 1);
  const sourceArn = JSON.stringify(permissions[0]?.[1].Properties?.SourceArn);
  assert.match(sourceArn, /\/\*\/\*\/\*"/, 'any route of this API (and only this API)');
  assert.ok(referencesIn(permissions[0]?.[1].Properties?.SourceArn).size > 0, 'scoped to this API by reference');
  // CloudFormation's limit is 500 resources per stack; the whole stack with the pages stays well below.
  assert.ok(Object.keys(json.Resources).length < 420, `${Object.keys(json.Resources).length} resources`);
});

test('without hostedUi: no ui function and no /ui route (the pages answer the API 404)', () => {
  const { json, stack } = synthLatch();
  assert.equal(stack.latch.functions.get('ui'), undefined);
  const routeKeys = Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map((r) => String(r.Properties?.RouteKey));
  assert.ok(!routeKeys.some((k) => k.includes('/ui')));
});
