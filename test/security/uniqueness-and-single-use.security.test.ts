import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lastLinkToken } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test('one email registered 10 times in parallel (in lookalike spellings) creates exactly one account', async () => {
  const email = uniqueEmail('race');
  const spellings = [email, email.toUpperCase(), ` ${email}`, `${email.toUpperCase()} `, `\t${email}`];
  const responses = await Promise.all(
    Array.from({ length: 10 }, (_, i) => api.request('POST', '/registration', { body: { email: spellings[i % spellings.length], password: PASSWORD } })),
  );
  for (const response of responses) assert.equal(response.status, 202);
  const users = (await api.scan()).filter((item) => item.sk === 'PROFILE' && item.emailCanonical === email);
  assert.equal(users.length, 1);
  const claims = (await api.scan()).filter((item) => item.pk === `EMAIL#${email}`);
  assert.equal(claims.length, 1);
});

test('one confirmation token used 10 times in parallel succeeds exactly once', async () => {
  const email = uniqueEmail('confirm-race');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  const token = await lastLinkToken(email, 'confirm-email');
  const responses = await Promise.all(Array.from({ length: 10 }, () => api.request('POST', `/email-confirmation/${token}`)));
  assert.equal(responses.filter((r) => r.status === 200).length, 1);
  for (const r of responses.filter((r) => r.status !== 200)) assert.equal(r.body.code, 'invalid_token');
});

test('one renewal token used 10 times in parallel succeeds exactly once', async () => {
  const email = uniqueEmail('renew-race');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`);
  const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
  const renewalToken = signIn.body.renewalToken;
  const responses = await Promise.all(Array.from({ length: 10 }, () => api.request('POST', '/session/renew', { body: { renewalToken } })));
  const winners = responses.filter((r) => r.status === 200);
  assert.equal(winners.length, 1);
  for (const r of responses.filter((r) => r.status !== 200)) assert.equal(r.body.code, 'unauthorized');
  // The old access token died with the renewal. A loser that arrived after the winner's commit
  // presented a spent token, which (by the contract) revokes the session: concurrent renewals
  // of one token are treated as theft, so clients must share one in-flight renewal.
  assert.equal((await api.request('GET', '/me', { token: signIn.body.accessToken })).status, 401);
});
