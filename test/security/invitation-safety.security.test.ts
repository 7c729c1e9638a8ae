import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashSecret, randomSecret } from '../../shared/domain/secrets.js';
import { formatMailToken } from '../../shared/domain/tokens.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;
let inviter: { email: string; accessToken: string };

before(async () => {
  api = await startTestStack();
  const email = uniqueEmail('inviter');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`);
  const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
  inviter = { email, accessToken: signIn.body.accessToken };
});
after(async () => {
  await api.close();
});

async function invite(email: string) {
  const response = await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email } });
  assert.equal(response.status, 201);
  return response;
}

test('one invitation token used 10 times in parallel succeeds exactly once', async () => {
  const email = uniqueEmail('race');
  await invite(email);
  const token = await lastLinkToken(email, 'invitation');
  const responses = await Promise.all(
    Array.from({ length: 10 }, (_, i) => api.request('POST', `/invitations/${token}`, { body: { password: `${PASSWORD} ${i}` } })),
  );
  const winners = responses.filter((r) => r.status === 201);
  assert.equal(winners.length, 1);
  for (const r of responses.filter((r) => r.status !== 201)) assert.equal(r.body.code, 'invalid_token');
  // Exactly one session, and the password is the winner's.
  const user = await api.store.findUserByEmail(email);
  assert.equal((await api.store.listSessions(user?.id ?? '')).length, 1);
  const winner = responses.indexOf(winners[0] as (typeof responses)[number]);
  assert.equal((await api.request('POST', '/session', { body: { email, password: `${PASSWORD} ${winner}` } })).status, 200);
});

test('inviting an already registered email answers exactly like a new one, mails nothing and changes nothing', async () => {
  // Prepare: an account that exists (the inviter's own is one too).
  const member = uniqueEmail('member');
  await api.request('POST', '/registration', { body: { email: member, password: PASSWORD } });
  const mailsBefore = (await mailsTo(member)).length;
  const before = await api.scan();
  // Act
  const taken = await invite(member.toUpperCase());
  const afterTaken = await api.scan();
  const fresh = await invite(uniqueEmail('new').toUpperCase());
  // Assess: nothing stored, nothing mailed, and the same answer as for a new address.
  assert.deepEqual(afterTaken, before);
  assert.equal((await mailsTo(member)).length, mailsBefore);
  assert.equal(taken.status, fresh.status);
  assert.deepEqual(Object.keys(taken.body.invitation), Object.keys(fresh.body.invitation));
  // Both echo the canonical form of what was sent: the same shape whether or not it has an account.
  assert.equal(taken.body.invitation.email, member);
  assert.ok(Math.abs(Date.parse(taken.body.invitation.expiresAt) - Date.parse(fresh.body.invitation.expiresAt)) < 5000);
  assert.equal(taken.headers.get('content-type'), fresh.headers.get('content-type'));
});

test('an expired invitation is 404 invalid_token, although DynamoDB has not deleted it yet', async () => {
  const email = uniqueEmail('late');
  await invite(email);
  const invitee = await api.store.findUserByEmail(email);
  assert.ok(invitee);
  // Replace the token with one whose secret we know and whose expiry is one second ago.
  const secret = randomSecret();
  const expiresAt = Math.floor(Date.now() / 1000) - 1;
  await api.store.commit([
    {
      type: 'putToken',
      token: { userId: invitee.id, kind: 'invitation', hash: hashSecret(secret), email, createdAt: new Date().toISOString(), expiresAt },
    },
  ]);
  const raw = formatMailToken(invitee.id, secret);
  assert.equal((await api.request('GET', `/invitations/${raw}`)).body.code, 'invalid_token');
  const accept = await api.request('POST', `/invitations/${raw}`, { body: { password: PASSWORD } });
  assert.equal(accept.status, 404);
  assert.equal(accept.body.code, 'invalid_token');
  assert.ok(await api.store.getToken(invitee.id, 'invitation'), 'the expired item is still stored');
  assert.equal((await api.store.getUser(invitee.id))?.passwordHash, null);
});
