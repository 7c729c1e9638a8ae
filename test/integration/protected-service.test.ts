/**
 * The example service's `GET /hello` (examples/protected-service/) served by the local runner
 * beside the auth API, behind Latch's authorizer as API Gateway would run it: a Latch access
 * token reaches the backend, which greets the caller from the authorizer context; no token gets
 * API Gateway's own 401, a refused token its 403, and the backend never runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signedInUser } from '../support/accounts.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack({ APP_URL: 'https://app.example.test' });
});
after(async () => {
  await api.close();
});

function assertGatewayDenied(response: ApiResponse, status: 401 | 403): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.deepEqual(response.body, { message: status === 401 ? 'Unauthorized' : 'Forbidden' });
}

describe('GET /hello of the example service, behind the Latch authorizer', () => {
  test('a signed-in user’s access token: 200 with the greeting, user id and role from the authorizer context', async () => {
    // Prepare
    const user = await signedInUser(api, { label: 'hello' });
    // Act
    const response = await api.request('GET', '/hello', { token: user.accessToken });
    // Assess
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, { message: `Hello, ${user.email}`, userId: user.userId, role: 'user' });
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  test('no Authorization header: API Gateway’s 401 Unauthorized', async () => {
    assertGatewayDenied(await api.request('GET', '/hello'), 401);
  });

  test('a token of a signed-out session: API Gateway’s 403 Forbidden', async () => {
    // Prepare
    const user = await signedInUser(api, { label: 'hello-out' });
    assert.equal((await api.request('GET', '/hello', { token: user.accessToken })).status, 200);
    assert.equal((await api.request('DELETE', '/session', { token: user.accessToken })).status, 204);
    // Act
    const response = await api.request('GET', '/hello', { token: user.accessToken });
    // Assess
    assertGatewayDenied(response, 403);
  });

  test('a malformed or forged token, or no Bearer scheme: 403 Forbidden', async () => {
    const user = await signedInUser(api, { label: 'hello-bad' });
    const [header, payload] = user.accessToken.split('.');
    for (const authorization of ['Bearer not-a-jwt', `Bearer ${header}.${payload}.AAAA`, user.accessToken, `Basic ${user.accessToken}`]) {
      assertGatewayDenied(await api.request('GET', '/hello', { headers: { authorization } }), 403);
    }
  });
});
