import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  api = await startTestStack({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
});
after(async () => {
  await api.close();
});

test('without confirmation, registration answers 201 with a working token pair and sends no mail', async () => {
  const email = uniqueEmail();
  const response = await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  assert.equal(response.status, 201);
  assert.equal(response.body.tokenType, 'Bearer');
  assert.equal(response.body.user.email, email);
  const me = await api.request('GET', '/me', { token: response.body.accessToken });
  assert.equal(me.status, 200);
  assert.equal((await mailsTo(email)).length, 0);
  const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: response.body.renewalToken } });
  assert.equal(renewed.status, 200);
});

test('without confirmation, a taken email is 422 errors.email and creates nothing', async () => {
  const email = uniqueEmail();
  assert.equal((await api.request('POST', '/registration', { body: { email, password: PASSWORD } })).status, 201);
  const before = (await api.scan()).length;
  const again = await api.request('POST', '/registration', { body: { email: email.toUpperCase(), password: PASSWORD } });
  assert.equal(again.status, 422);
  assert.equal(again.body.code, 'validation_failed');
  assert.deepEqual(again.body.errors.email, ['has already been taken']);
  assert.equal((await api.scan()).length, before);
});

test('without confirmation, an unconfirmed user may sign in', async () => {
  const email = uniqueEmail();
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
  assert.equal(signIn.status, 200);
  assert.equal(signIn.body.user.emailConfirmed, false);
});
