import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, authorizerAllows, NEW_PASSWORD, PASSWORD, signedInUser, signIn } from '../support/accounts.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack({ APP_URL: 'https://app.example.test' });
});
after(async () => {
  await api.close();
});

test('POST /password-reset answers 202; a known user gets a reset mail with an APP_URL link, text and HTML', async () => {
  const me = await signedInUser(api);
  const response = await api.request('POST', '/password-reset', { body: { email: ` ${me.email.toUpperCase()}` } });
  assert.equal(response.status, 202);
  assert.equal(typeof response.body.message, 'string');
  const mail = (await mailsTo(me.email)).at(-1);
  assert.equal(mail?.subject, 'Reset your password');
  assert.match(mail?.text ?? '', /https:\/\/app\.example\.test\/reset-password\/[\w-]+\.[\w-]{43}/);
  assert.match(mail?.html ?? '', /<a href="https:\/\/app\.example\.test\/reset-password\/[\w-]+\.[\w-]{43}">/);
});

test('field and syntax errors: a malformed email is 422, a missing body or wrong type is 400', async () => {
  assertProblem(await api.request('POST', '/password-reset', { body: { email: 'not-an-email' } }), 422, 'validation_failed');
  assertProblem(await api.request('POST', '/password-reset', { body: {} }), 422, 'validation_failed');
  assertProblem(await api.request('POST', '/password-reset'), 400, 'bad_request');
  assertProblem(await api.request('POST', '/password-reset', { body: { email: 42 } }), 400, 'bad_request');
});

test('GET /password-reset/{token} shows the address; unknown tokens are 404 invalid_token', async () => {
  const me = await signedInUser(api);
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  const token = await lastLinkToken(me.email, 'reset-password');
  const response = await api.request('GET', `/password-reset/${token}`);
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { email: me.email });
  assertProblem(await api.request('GET', '/password-reset/garbage'), 404, 'invalid_token');
});

test('a 422 keeps the token usable; success sets the password, spends the token, revokes every session, signs nobody in', async () => {
  const me = await signedInUser(api);
  const other = await signIn(api, me.email, { rememberMe: true });
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  const token = await lastLinkToken(me.email, 'reset-password');
  const weak = await api.request('POST', `/password-reset/${token}`, { body: { password: 'short' } });
  assertProblem(weak, 422, 'validation_failed');
  assert.ok(weak.body.errors.password);
  const mismatch = await api.request('POST', `/password-reset/${token}`, { body: { password: NEW_PASSWORD, passwordConfirmation: 'nope' } });
  assert.ok(mismatch.body.errors.passwordConfirmation);
  assertProblem(await api.request('POST', `/password-reset/${token}`), 400, 'bad_request');
  assert.equal((await api.request('GET', `/me`, { token: me.accessToken })).status, 200, 'a 422 revokes nothing');

  const response = await api.request('POST', `/password-reset/${token}`, { body: { password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD } });
  assert.equal(response.status, 200);
  assert.equal(typeof response.body.message, 'string');
  assert.equal(response.body.accessToken, undefined);
  for (const s of [me, other]) {
    assertProblem(await api.request('GET', '/me', { token: s.accessToken }), 401, 'unauthorized');
    assert.equal(await authorizerAllows(api, s.accessToken), false);
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: s.renewalToken } }), 401, 'unauthorized');
  }
  assertProblem(await api.request('GET', `/password-reset/${token}`), 404, 'invalid_token');
  assertProblem(await api.request('POST', `/password-reset/${token}`, { body: { password: 'yet another passphrase' } }), 404, 'invalid_token');
  assert.equal((await api.request('POST', '/session', { body: { email: me.email, password: PASSWORD } })).status, 401);
  await signIn(api, me.email, { password: NEW_PASSWORD });
});

test('a new reset mail kills the old link', async () => {
  const me = await signedInUser(api);
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  const first = await lastLinkToken(me.email, 'reset-password');
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  const second = await lastLinkToken(me.email, 'reset-password');
  assertProblem(await api.request('POST', `/password-reset/${first}`, { body: { password: NEW_PASSWORD } }), 404, 'invalid_token');
  assert.equal((await api.request('POST', `/password-reset/${second}`, { body: { password: NEW_PASSWORD } })).status, 200);
});

test("a locked or unknown account gets no mail, and a locked user's earlier link stops working", async () => {
  const me = await signedInUser(api);
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  const token = await lastLinkToken(me.email, 'reset-password');
  await api.store.commit([{ type: 'updateUser', id: me.userId, set: { locked: true } }]);
  const before = (await mailsTo(me.email)).length;
  assert.equal((await api.request('POST', '/password-reset', { body: { email: me.email } })).status, 202);
  assert.equal((await mailsTo(me.email)).length, before);
  assertProblem(await api.request('GET', `/password-reset/${token}`), 404, 'invalid_token');
  assertProblem(await api.request('POST', `/password-reset/${token}`, { body: { password: NEW_PASSWORD } }), 404, 'invalid_token');
  const nobody = uniqueEmail('nobody');
  assert.equal((await api.request('POST', '/password-reset', { body: { email: nobody } })).status, 202);
  assert.equal((await mailsTo(nobody)).length, 0);
});

test('a reset confirms nothing else: an unconfirmed account stays unconfirmed', async () => {
  const email = uniqueEmail('unconfirmed');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  await api.request('POST', '/password-reset', { body: { email } });
  const token = await lastLinkToken(email, 'reset-password');
  assert.equal((await api.request('POST', `/password-reset/${token}`, { body: { password: NEW_PASSWORD } })).status, 200);
  assertProblem(await api.request('POST', '/session', { body: { email, password: NEW_PASSWORD } }), 403, 'email_not_confirmed');
});
