import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
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

async function confirmedAndSignedIn() {
  const email = uniqueEmail('storage');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  const confirmation = await lastLinkToken(email, 'confirm-email');
  await api.request('POST', `/email-confirmation/${confirmation}`);
  const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
  return { email, confirmation, ...signIn.body };
}

test('tokens are stored only as SHA-256 hashes: no secret, password or token appears in any item', async () => {
  const email = uniqueEmail('at-rest');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  const pendingConfirmation = await lastLinkToken(email, 'confirm-email');
  const session = await confirmedAndSignedIn();
  const dump = JSON.stringify(await api.scan());
  const secrets = [
    PASSWORD,
    pendingConfirmation.split('.')[1] as string,
    session.renewalToken.split('.')[3] as string, // <userId>.<sessionId>.<generation>.<secret>
    session.accessToken,
    session.accessToken.split('.')[2] as string,
  ];
  for (const secret of secrets) assert.equal(dump.includes(secret), false, 'a secret is stored in clear');
  // What is stored is the SHA-256 of the secret part.
  const hash = createHash('sha256')
    .update(pendingConfirmation.split('.')[1] as string)
    .digest('base64url');
  assert.ok(dump.includes(hash));
  // Passwords are argon2id hashes.
  assert.match(dump, /\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
});

test('expired items are refused on read although DynamoDB still returns them', async () => {
  // A confirmation token whose expiry has passed but which TTL has not deleted yet.
  const email = uniqueEmail('expired');
  await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  const token = await lastLinkToken(email, 'confirm-email');
  const userId = token.split('.')[0] as string;
  const stored = await api.store.getToken(userId, 'confirmation');
  assert.ok(stored);
  const past = Math.floor(Date.now() / 1000) - 10;
  await api.store.commit([{ type: 'putToken', token: { ...stored, expiresAt: past } }]);
  assert.ok(await api.store.getToken(userId, 'confirmation'), 'DynamoDB Local still returns the expired item');
  const response = await api.request('POST', `/email-confirmation/${token}`);
  assert.equal(response.status, 404);
  assert.equal(response.body.code, 'invalid_token');

  // A session past its deadline: the access token (still within its own exp) is refused.
  const session = await confirmedAndSignedIn();
  const claims = decodeJwt(session.accessToken);
  await api.store.commit([{ type: 'deleteSession', userId: String(claims.sub), id: String(claims.sid) }]);
  const live = await api.store.listSessions(String(claims.sub));
  assert.equal(live.length, 0);
  const again = await confirmedAndSignedIn();
  const againClaims = decodeJwt(again.accessToken);
  const item = await api.store.getSession(String(againClaims.sub), String(againClaims.sid));
  assert.ok(item);
  await api.store.commit([{ type: 'putSession', session: { ...item, expiresAt: past } }]);
  assert.ok(await api.store.getSession(item.userId, item.id), 'the expired session item is still there');
  assert.equal((await api.request('GET', '/me', { token: again.accessToken })).status, 401);
  assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: again.renewalToken } })).status, 401);
});
