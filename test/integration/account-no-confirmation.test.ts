import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, NEW_PASSWORD, PASSWORD, signedInUser, signIn } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

// A deployment without email confirmation, with one mail template overridden by configuration.
const templates = {
  emailChanged: {
    subject: 'Your Example address changed',
    text: 'Your address is now {{newEmail}}.\n\nNot you? Reset your password at {{appUrl}}/reset-password.',
  },
};

before(async () => {
  api = await startTestStack({
    AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false',
    APP_URL: 'https://app.example.test',
    LATCH_MAIL_TEMPLATES: JSON.stringify(templates),
  });
});
after(async () => {
  await api.close();
});

test('an email change applies at once; the old address gets the (configured) notice, HTML escaped', async () => {
  const me = await signedInUser(api);
  const next = uniqueEmail('moved').replace('@', "+o'&x@"); // RFC 5322 atext that HTML must escape
  const response = await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: next } });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.user.email, next);
  assert.equal(response.body.user.unconfirmedEmail, null);
  const notice = (await mailsTo(me.email)).at(-1);
  assert.equal(notice?.subject, 'Your Example address changed');
  assert.equal(notice?.text, `Your address is now ${next}.\n\nNot you? Reset your password at https://app.example.test/reset-password.`);
  assert.ok(notice?.html.includes('+o&#39;&amp;x@'), notice?.html);
  assert.ok(!notice?.html.includes("o'&x"));
  assert.equal((await mailsTo(next)).length, 0);
  await signIn(api, next);
  assert.equal((await api.request('POST', '/session', { body: { email: me.email, password: PASSWORD } })).status, 401);
  // The caller's session goes on.
  assert.equal((await api.request('GET', '/me', { token: me.accessToken })).status, 200);
});

test('a taken address is 422 errors.email and nothing changes', async () => {
  const me = await signedInUser(api);
  const other = await signedInUser(api);
  const response = await api.request('PATCH', '/me', {
    token: me.accessToken,
    body: { currentPassword: PASSWORD, email: other.email.toUpperCase(), password: NEW_PASSWORD },
  });
  assertProblem(response, 422, 'validation_failed');
  assert.ok(response.body.errors.email);
  await signIn(api, me.email); // old address and old password still work
});

test("email and password change together: one transaction, other sessions revoked, the caller's kept", async () => {
  const me = await signedInUser(api);
  const other = await signIn(api, me.email);
  const next = uniqueEmail('both');
  const response = await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: next, password: NEW_PASSWORD } });
  assert.equal(response.status, 200, response.text);
  assertProblem(await api.request('GET', '/me', { token: other.accessToken }), 401, 'unauthorized');
  const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: me.renewalToken } });
  assert.equal(renewed.status, 200);
  assert.equal(renewed.body.user.email, next);
  await signIn(api, next, { password: NEW_PASSWORD });
});
