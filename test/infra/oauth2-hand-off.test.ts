import assert from 'node:assert/strict';
import { test } from 'node:test';
import { synthLatch } from './synth.js';

/**
 * The hand-off in the template (docs/specs/hosted-ui.md §2, §6): with `hostedUi`, an
 * `oauth2-token` function on `POST /oauth2/token`, `GET /oauth2/authorize` and
 * `GET /oauth2/logout` on `ui`, `AUTH_UI_CLIENTS` from `hostedUi.clients`, and the token function
 * may read exactly the Secrets Manager secrets of confidential clients; without it, none of these.
 */

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:latch-client-backend-AbCdEf';
const clients = [
  { clientId: 'web', name: 'Web', type: 'public', redirectUris: ['https://app.example.com/callback'] },
  { clientId: 'backend', name: 'Server', type: 'confidential', redirectUris: ['https://server.example.com/cb'], clientSecret: { secretArn: SECRET_ARN } },
];

type Resource = { Type: string; Properties?: Record<string, unknown> };

function routesTo(json: { Resources: Record<string, Resource> }, routeKey: string): string | undefined {
  const route = Object.values(json.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties?.RouteKey === routeKey);
  return route ? JSON.stringify(route.Properties?.Target) : undefined;
}

test('with hostedUi: the oauth2-token function and the hand-off routes exist; the token function reads exactly the clients’ secrets', () => {
  const { json, functionLogicalId } = synthLatch({ context: { hostedUi: { appName: 'Example App', clients } } });
  const token = functionLogicalId('oauth2-token');
  const ui = functionLogicalId('ui');
  assert.ok(json.Resources[token], 'an oauth2-token function');
  const env = (json.Resources[token]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  assert.deepEqual(JSON.parse(String(env.AUTH_UI_CLIENTS)), clients);
  for (const [key, fn] of [
    ['POST /oauth2/token', token],
    ['GET /oauth2/authorize', ui],
    ['GET /oauth2/logout', ui],
  ] as const) {
    const target = routesTo(json as { Resources: Record<string, Resource> }, key);
    assert.ok(target, `${key} is a route`);
    const integration = Object.entries(json.Resources).find(([id]) => target.includes(id))?.[1];
    assert.ok(JSON.stringify(integration?.Properties ?? {}).includes(fn), `${key} goes to ${fn}`);
  }
  const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes(SECRET_ARN));
  assert.equal(policies.length, 1, 'one policy names the client secret');
  assert.ok(JSON.stringify(policies[0]?.Properties?.Roles).includes(token.slice(0, 20)), 'the oauth2-token role');
});

test('without hostedUi: no oauth2-token function and no /oauth2 routes', () => {
  const { json, stack } = synthLatch();
  assert.equal(stack.latch.functions.get('oauth2-token'), undefined);
  const keys = Object.values(json.Resources as Record<string, Resource>)
    .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map((r) => String(r.Properties?.RouteKey));
  assert.ok(!keys.some((k) => k.includes('/oauth2/')));
});
