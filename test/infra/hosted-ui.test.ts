import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessOf } from '../../infra/constructs/function-access.js';
import { synthLatch } from './synth.js';

/** The hosted pages in the template: a `ui` function and its routes only with the `hostedUi` prop. */

test('with hostedUi: a ui function with AUTH_UI and the app name, on ANY /ui/{proxy+} and ANY /ui', () => {
  const { json, functionLogicalId } = synthLatch({ context: { hostedUi: { appName: 'Example App', defaultLocale: 'de' } } });
  const id = functionLogicalId('ui');
  const env = (json.Resources[id]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  assert.equal(env.AUTH_UI, 'true');
  assert.equal(env.AUTH_UI_APP_NAME, 'Example App');
  assert.equal(env.AUTH_UI_DEFAULT_LOCALE, 'de');
  const routeKeys = Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map((r) => r.Properties?.RouteKey);
  assert.ok(routeKeys.includes('ANY /ui/{proxy+}'));
  assert.ok(routeKeys.includes('ANY /ui'));
  assert.equal(accessOf('ui').keys, 'sign', 'a page sign-in starts a Latch session');
});

test('without hostedUi: no ui function and no /ui route (the pages answer the API 404)', () => {
  const { json, stack } = synthLatch();
  assert.equal(stack.latch.functions.get('ui'), undefined);
  const routeKeys = Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map((r) => String(r.Properties?.RouteKey));
  assert.ok(!routeKeys.some((k) => k.includes('/ui')));
});
