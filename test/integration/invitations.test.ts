import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  api = await startTestStack({ APP_URL: 'https://app.example.test' });
});
after(async () => {
  await api.close();
});

/** Registers, confirms by the mailed link, and signs in. */
async function signedInUser() {
  const email = uniqueEmail('inviter');
  assert.equal((await api.request('POST', '/registration', { body: { email, password: PASSWORD } })).status, 202);
  assert.equal((await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`)).status, 200);
  const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
  assert.equal(signIn.status, 200);
  return { email, accessToken: signIn.body.accessToken as string, id: signIn.body.user.id as string };
}

function assertProblem(response: ApiResponse, status: number, code: string): void {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status} ${response.text}`);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  assert.equal(response.body.code, code);
}

describe('invitations', () => {
  test('a confirmed user invites; the invitee sees the email, accepts with a password and is signed in', async () => {
    const inviter = await signedInUser();
    const email = uniqueEmail('guest');
    const invited = await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email } });
    assert.equal(invited.status, 201);
    assert.deepEqual(Object.keys(invited.body), ['invitation']);
    assert.equal(invited.body.invitation.email, email);
    assert.ok(Date.parse(invited.body.invitation.expiresAt) > Date.now() + 604000 * 1000);

    const [mail] = await mailsTo(email);
    assert.match(mail?.text ?? '', /https:\/\/app\.example\.test\/invitation\/[\w-]+\.[\w-]{43}/);
    const token = await lastLinkToken(email, 'invitation');
    const shown = await api.request('GET', `/invitations/${token}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body, { email });

    // A 422 keeps the invitation usable.
    const weak = await api.request('POST', `/invitations/${token}`, { body: { password: 'short', passwordConfirmation: 'other' } });
    assertProblem(weak, 422, 'validation_failed');
    assert.deepEqual(Object.keys(weak.body.errors).sort(), ['password', 'passwordConfirmation']);
    assert.equal((await api.request('GET', `/invitations/${token}`)).status, 200);

    const accepted = await api.request('POST', `/invitations/${token}`, { body: { password: PASSWORD, passwordConfirmation: PASSWORD } });
    assert.equal(accepted.status, 201);
    assert.equal(accepted.body.tokenType, 'Bearer');
    assert.equal(accepted.body.user.email, email);
    assert.equal(accepted.body.user.emailConfirmed, true);
    assert.equal(accepted.body.user.invitedBy, inviter.id);
    assert.equal(accepted.body.user.passwordHash, undefined);
    const me = await api.request('GET', '/me', { token: accepted.body.accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.invitedBy, inviter.id);

    // The link is spent; the password works.
    assertProblem(await api.request('GET', `/invitations/${token}`), 404, 'invalid_token');
    assertProblem(await api.request('POST', `/invitations/${token}`, { body: { password: PASSWORD } }), 404, 'invalid_token');
    assert.equal((await api.request('POST', '/session', { body: { email, password: PASSWORD } })).status, 200);
  });

  test('an invited user cannot sign in before accepting: the generic 401', async () => {
    const inviter = await signedInUser();
    const email = uniqueEmail('guest');
    await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email } });
    const invited = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
    const unknown = await api.request('POST', '/session', { body: { email: uniqueEmail('nobody'), password: PASSWORD } });
    assertProblem(invited, 401, 'invalid_credentials');
    assert.deepEqual(invited.body, unknown.body);
  });

  test('re-inviting a pending invitee replaces the old link', async () => {
    const inviter = await signedInUser();
    const email = uniqueEmail('guest');
    await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email } });
    const old = await lastLinkToken(email, 'invitation');
    const again = await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email: email.toUpperCase() } });
    assert.equal(again.status, 201);
    const fresh = await lastLinkToken(email, 'invitation');
    assert.notEqual(fresh, old);
    assertProblem(await api.request('GET', `/invitations/${old}`), 404, 'invalid_token');
    assert.equal((await api.request('GET', `/invitations/${fresh}`)).status, 200);
    assert.equal((await mailsTo(email)).length, 2, 'mail goes to the stored address');
  });

  test('POST /invitations needs a valid access token, a JSON body and a well-formed email', async () => {
    const inviter = await signedInUser();
    assertProblem(await api.request('POST', '/invitations', { body: { email: uniqueEmail() } }), 401, 'unauthorized');
    assertProblem(await api.request('POST', '/invitations', { token: 'not-a-token', body: { email: uniqueEmail() } }), 401, 'unauthorized');
    assertProblem(await api.request('POST', '/invitations', { token: inviter.accessToken }), 400, 'bad_request');
    assertProblem(await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email: 42 } }), 400, 'bad_request');
    const malformed = await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email: 'not an email' } });
    assertProblem(malformed, 422, 'validation_failed');
    assert.ok(malformed.body.errors.email);
    assertProblem(await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email: null } }), 422, 'validation_failed');
  });

  test('an unknown or malformed invitation token is 404 invalid_token', async () => {
    for (const token of ['nonsense', 'a.b', `${crypto.randomUUID()}.${'A'.repeat(43)}`]) {
      assertProblem(await api.request('GET', `/invitations/${token}`), 404, 'invalid_token');
      assertProblem(await api.request('POST', `/invitations/${token}`, { body: { password: PASSWORD } }), 404, 'invalid_token');
    }
  });

  test('a caller whose email is no longer confirmed may not invite (403), as the store says now', async () => {
    const inviter = await signedInUser();
    await api.store.commit([{ type: 'updateUser', id: inviter.id, set: { emailConfirmed: false } }]);
    const email = uniqueEmail('guest');
    assertProblem(await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email } }), 403, 'forbidden');
    assert.equal((await mailsTo(email)).length, 0);
  });

  test('registering an invited email changes nothing and sends the owner a fresh invitation link', async () => {
    const inviter = await signedInUser();
    const email = uniqueEmail('guest');
    await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email } });
    const old = await lastLinkToken(email, 'invitation');
    const invitee = await api.store.findUserByEmail(email);
    const registration = await api.request('POST', '/registration', { body: { email, password: 'attacker chosen passphrase' } });
    const newcomer = await api.request('POST', '/registration', { body: { email: uniqueEmail('new'), password: PASSWORD } });
    assert.equal(registration.status, 202);
    assert.deepEqual(registration.body, newcomer.body);
    assert.deepEqual(await api.store.findUserByEmail(email), invitee);
    assertProblem(await api.request('POST', '/session', { body: { email, password: 'attacker chosen passphrase' } }), 401, 'invalid_credentials');
    const fresh = await lastLinkToken(email, 'invitation');
    assert.notEqual(fresh, old);
    assert.equal((await api.request('POST', `/invitations/${fresh}`, { body: { password: PASSWORD } })).status, 201);
  });
});
