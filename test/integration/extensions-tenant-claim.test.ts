import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  api = await startTestStack({
    LATCH_HOOKS_MODULE: 'examples/extensions/tenant-claim.ts',
    AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false',
    AUTH_USER_ATTRIBUTES: JSON.stringify({
      displayName: { type: 'string', required: true, maxLength: 40 },
      newsletter: { type: 'boolean' },
      tenant: { type: 'string', editableBy: 'admin' },
    }),
  });
});
after(async () => {
  await api.close();
});

test('custom attributes: stored on the user item, returned in the user object, unknown members ignored', async () => {
  const email = uniqueEmail();
  const response = await api.request('POST', '/registration', { body: { email, password: PASSWORD, displayName: 'Ann', newsletter: true, shoeSize: 42 } });
  assert.equal(response.status, 201);
  assert.equal(response.body.user.displayName, 'Ann');
  assert.equal(response.body.user.newsletter, true);
  assert.equal('shoeSize' in response.body.user, false);
  const me = await api.request('GET', '/me', { token: response.body.accessToken });
  assert.equal(me.body.user.displayName, 'Ann');
  const stored = await api.store.getUser(response.body.user.id);
  assert.deepEqual(stored?.attributes, { displayName: 'Ann', newsletter: true });
});

test('custom attributes: a wrong type is 400, a missing required one or an admin-only one is 422; nothing is stored', async () => {
  const before = await api.scan();
  const wrongType = await api.request('POST', '/registration', { body: { email: uniqueEmail(), password: PASSWORD, displayName: ['Ann'] } });
  assert.equal(wrongType.status, 400);
  assert.equal(wrongType.body.code, 'bad_request');
  assert.ok(wrongType.body.errors.displayName);
  const missing = await api.request('POST', '/registration', { body: { email: uniqueEmail(), password: PASSWORD } });
  assert.equal(missing.status, 422);
  assert.deepEqual(missing.body.errors, { displayName: ["can't be blank"] });
  const adminOnly = await api.request('POST', '/registration', { body: { email: uniqueEmail(), password: PASSWORD, displayName: 'Eve', tenant: 'acme' } });
  assert.equal(adminOnly.status, 422);
  assert.ok(adminOnly.body.errors.tenant);
  assert.deepEqual(await api.scan(), before);
});

test('tenant claim: from the email domain, on the first token and after renewal; from the attribute once an admin sets it', async () => {
  const email = uniqueEmail();
  const registered = await api.request('POST', '/registration', { body: { email, password: PASSWORD, displayName: 'Ann' } });
  assert.equal(registered.status, 201);
  assert.equal(decodeJwt(registered.body.accessToken).tenant, 'example.com');
  const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: registered.body.renewalToken } });
  assert.equal(renewed.status, 200);
  assert.equal(decodeJwt(renewed.body.accessToken).tenant, 'example.com');
  assert.equal(decodeJwt(renewed.body.accessToken).sub, registered.body.user.id);

  // What the admin API will do: set the admin-only attribute.
  await api.store.commit([{ type: 'updateUser', id: registered.body.user.id, set: { attributes: { displayName: 'Ann', tenant: 'acme' } } }]);
  const signedIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
  assert.equal(signedIn.status, 200);
  assert.equal(decodeJwt(signedIn.body.accessToken).tenant, 'acme');
  assert.equal((await api.request('GET', '/me', { token: signedIn.body.accessToken })).status, 200, 'the token with the claim is accepted');
});
