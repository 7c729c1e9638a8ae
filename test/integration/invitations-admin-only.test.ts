import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  api = await startTestStack({ AUTH_INVITATIONS: 'admin' });
});
after(async () => {
  await api.close();
});

async function signedInUser() {
  const email = uniqueEmail('member');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`);
  const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
  assert.equal(signIn.status, 200);
  return { accessToken: signIn.body.accessToken as string, id: signIn.body.user.id as string };
}

test('with AUTH_INVITATIONS=admin, a user gets 403 and an admin (as stored now, not as the token says) may invite', async () => {
  const member = await signedInUser();
  const email = uniqueEmail('guest');
  const refused = await api.request('POST', '/invitations', { token: member.accessToken, body: { email } });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 'forbidden');
  assert.equal(await api.store.findUserByEmail(email), undefined);

  // Promoted: the access token still says role "user", but the store decides, at once.
  await api.store.commit([{ type: 'updateUser', id: member.id, set: { role: 'admin' } }]);
  const allowed = await api.request('POST', '/invitations', { token: member.accessToken, body: { email } });
  assert.equal(allowed.status, 201);
  assert.equal((await mailsTo(email)).length, 1);

  // Demoted: refused at once too.
  await api.store.commit([{ type: 'updateUser', id: member.id, set: { role: 'user' } }]);
  assert.equal((await api.request('POST', '/invitations', { token: member.accessToken, body: { email: uniqueEmail('guest') } })).status, 403);
});
