/**
 * The example backend (`examples/protected-service/hello.ts`) reads the Latch authorizer context
 * from both API Gateway event shapes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerOf, handler } from '../../examples/protected-service/hello.js';

const context = { userId: 'u-1', sessionId: 's-1', role: 'admin', email: 'ada@example.com' };

test('HTTP API (payload 2.0, simple responses): the context is under authorizer.lambda', async () => {
  const response = await handler({ requestContext: { authorizer: { lambda: context } } });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(JSON.parse(response.body), { message: 'Hello, ada@example.com', userId: 'u-1', role: 'admin' });
});

test('REST API (TOKEN or REQUEST authorizer): the context is authorizer itself, beside principalId', async () => {
  const response = await handler({ requestContext: { authorizer: { principalId: 'u-1', integrationLatency: 12, ...context } } });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(JSON.parse(response.body), { message: 'Hello, ada@example.com', userId: 'u-1', role: 'admin' });
});

test('no authorizer context (a route deployed without the authorizer): 401, never a greeting', async () => {
  for (const event of [
    {},
    { requestContext: {} },
    { requestContext: { authorizer: null } },
    { requestContext: { authorizer: { lambda: { userId: 'u-1' } } } },
  ]) {
    assert.equal(callerOf(event), undefined);
    assert.equal((await handler(event)).statusCode, 401);
  }
});
