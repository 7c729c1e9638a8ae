/**
 * Social sign-in over HTTP (`docs/specs/social-sign-in.md` §10.3): every outcome of §4.3 through
 * the local runner against `oidc-provider` on loopback (the `oidc` preset, email from userinfo)
 * and the GitHub-like fake (the `github` preset), identities, unlinking and the native route.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { authorize, NATIVE_CLIENT_ID, type OAuthHarness, REDIRECT_URI, signInWith, startOAuthHarness, uniqueAccount } from '../support/oauth.js';

let h: OAuthHarness;

before(async () => {
  h = await startOAuthHarness();
});
after(async () => {
  await h.close();
});

test('GET /oauth/providers lists the configured providers', async () => {
  const response = await h.api.request('GET', '/oauth/providers');
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(
    response.body.providers.map((p: { id: string }) => p.id),
    ['op', 'op2', 'github', 'google', 'microsoft', 'mscommon', 'apple', 'slow'],
  );
  assert.equal(response.body.providers[2].name, 'GitHub');
});

test('authorize answers a URL with state, S256 PKCE, nonce and the exact redirect URI', async () => {
  const response = await authorize(h.api, 'op');
  assert.equal(response.status, 200, response.text);
  const url = new URL(response.body.authorizationUrl);
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.ok((url.searchParams.get('state') ?? '').length >= 43);
  assert.ok((url.searchParams.get('nonce') ?? '').length >= 43);
  assert.ok(response.body.flowSecret.length >= 43);
  assert.equal(response.body.expiresIn, 600);
  assertProblem(await authorize(h.api, 'nope'), 404, 'not_found');
  assertProblem(await authorize(h.api, 'op', { intent: 'steal' }), 422, 'validation_failed');
  assertProblem(await authorize(h.api, 'op', { intent: 'link' }), 401, 'unauthorized');
});

test('outcome 4: a new user with a verified, free email is created confirmed and signed in (oidc, email from userinfo)', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true, name: 'Ada' });
  const { response } = await signInWith(h.api, 'op', account.sub);
  assert.equal(response.status, 201, response.text);
  assert.equal(response.body.user.email, account.email);
  assert.equal(response.body.user.emailConfirmed, true);
  // Outcome 1: the same identity signs in again (200), amr fed.
  const again = await signInWith(h.api, 'op', account.sub);
  assert.equal(again.response.status, 200, again.response.text);
  const claims = JSON.parse(Buffer.from(again.response.body.accessToken.split('.')[1], 'base64url').toString());
  assert.equal(claims.sub, response.body.user.id);
  const identities = await h.api.request('GET', '/me/identities', { token: again.response.body.accessToken });
  assert.equal(identities.status, 200, identities.text);
  assert.equal(identities.body.identities.length, 1);
  assert.equal(identities.body.identities[0].provider, 'op');
  assert.equal(identities.body.identities[0].sub, undefined);
});

test('outcome 5: an unverified free email creates an unconfirmed user and mails a confirmation (202)', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: false });
  const { response } = await signInWith(h.api, 'op', account.sub);
  assert.equal(response.status, 202, response.text);
  const mails = await mailsTo(account.email);
  assert.equal(mails.length, 1);
  // Signing in again before confirming: 403 email_not_confirmed.
  const again = await signInWith(h.api, 'op', account.sub);
  assertProblem(again.response, 403, 'email_not_confirmed');
});

test('outcome 6: no email answers 422 with a pendingToken; create registers it with an address (202)', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub });
  const { response, flowSecret } = await signInWith(h.api, 'op', account.sub);
  assertProblem(response, 422, 'validation_failed');
  assert.deepEqual(response.body.errors, { email: ["can't be blank"] });
  const pendingToken = response.body.pendingToken;
  assert.equal(typeof pendingToken, 'string');
  const bad = await h.api.request('POST', '/oauth/op/create', { body: { pendingToken, flowSecret, email: 'not an email' } });
  assertProblem(bad, 422, 'validation_failed');
  const created = await h.api.request('POST', '/oauth/op/create', { body: { pendingToken, flowSecret, email: account.email } });
  assert.equal(created.status, 202, created.text);
  assert.equal((await mailsTo(account.email)).length, 1);
  const spent = await h.api.request('POST', '/oauth/op/create', { body: { pendingToken, flowSecret, email: account.email } });
  assertProblem(spent, 404, 'invalid_token');
});

test('outcome 7: a verified email of an existing account is never linked: 422 pendingToken, linked after signing in', async () => {
  const owner = await seedUser(h.api);
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: owner.email, email_verified: true });
  const { response, flowSecret } = await signInWith(h.api, 'op', account.sub);
  assertProblem(response, 422, 'validation_failed');
  assert.deepEqual(response.body.errors, { email: ['has already been taken'] });
  const { accessToken } = await signInAs(h.api, owner);
  const linked = await h.api.request('POST', '/me/identities', {
    token: accessToken,
    body: { pendingToken: response.body.pendingToken, flowSecret, currentPassword: SEED_PASSWORD },
  });
  assert.equal(linked.status, 201, linked.text);
  assert.equal(linked.body.identity.provider, 'op');
  const next = await signInWith(h.api, 'op', account.sub);
  assert.equal(next.response.status, 200, next.response.text);
  assert.equal(next.response.body.user.id, owner.id);
});

test('outcome 8: an unverified email of an existing account answers 202 and tells the owner, creating nothing', async () => {
  const owner = await seedUser(h.api);
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: owner.email, email_verified: false });
  const before = (await mailsTo(owner.email)).length;
  const { response } = await signInWith(h.api, 'op', account.sub);
  assert.equal(response.status, 202, response.text);
  assert.equal((await mailsTo(owner.email)).length, before + 1);
  const { accessToken } = await signInAs(h.api, owner);
  const identities = await h.api.request('GET', '/me/identities', { token: accessToken });
  assert.deepEqual(identities.body.identities, []);
});

test('github preset: the primary verified address signs up; an unverified-only account has no usable email', async () => {
  const email = uniqueAccount('gh').email;
  h.gh.users.set('octo', { id: 4242, login: 'octo', name: 'Octo Cat', emails: [{ email, primary: true, verified: true }] });
  const { response } = await signInWith(h.api, 'github', 'octo');
  assert.equal(response.status, 201, response.text);
  assert.equal(response.body.user.email, email);
  const again = await signInWith(h.api, 'github', 'octo');
  assert.equal(again.response.status, 200, again.response.text);
  h.gh.users.set('nomail', { id: 4343, login: 'nomail', emails: [{ email: uniqueAccount('gh').email, primary: true, verified: false }] });
  const unverified = await signInWith(h.api, 'github', 'nomail');
  assertProblem(unverified.response, 422, 'validation_failed');
  assert.deepEqual(unverified.response.body.errors, { email: ["can't be blank"] });
  // The provider refusing (unknown login → access_denied) is 400 oauth_failed.
  const refused = await signInWith(h.api, 'github', 'nobody');
  assertProblem(refused.response, 400, 'oauth_failed');
});

test('link intent: a signed-in user links a provider after step-up, then unlinks it (not the last method)', async () => {
  const user = await seedUser(h.api);
  const { accessToken } = await signInAs(h.api, user);
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  const linked = await signInWith(h.api, 'op', account.sub, { token: accessToken, authorize: { intent: 'link', currentPassword: SEED_PASSWORD } });
  assert.equal(linked.response.status, 201, linked.response.text);
  assert.equal(linked.response.body.identity.provider, 'op');
  const admin = await h.api.request('GET', `/admin/users/${user.id}/identities`, { token: accessToken });
  assert.equal(admin.status, 403);
  const removed = await h.api.request('DELETE', '/me/identities/op', { token: accessToken, body: { currentPassword: SEED_PASSWORD } });
  assert.equal(removed.status, 204, removed.text);
  const none = await h.api.request('DELETE', '/me/identities/op', { token: accessToken, body: { currentPassword: SEED_PASSWORD } });
  assertProblem(none, 404, 'not_found');
});

test('native route: a nonce, then a Google-style ID token for the native client id signs up', async () => {
  const nonce = await h.api.request('POST', '/oauth/google/nonce', { body: {} });
  assert.equal(nonce.status, 200, nonce.text);
  const account = uniqueAccount('native');
  const idToken = await h.fake.sign({ sub: account.sub, email: account.email, email_verified: true, nonce: nonce.body.nonce, aud: NATIVE_CLIENT_ID });
  const response = await h.api.request('POST', '/oauth/google/id-token', { body: { idToken, nonce: nonce.body.nonce } });
  assert.equal(response.status, 201, response.text);
  const replay = await h.api.request('POST', '/oauth/google/id-token', { body: { idToken, nonce: nonce.body.nonce } });
  assertProblem(replay, 404, 'invalid_token');
  assertProblem(await h.api.request('POST', '/oauth/github/nonce', { body: {} }), 404, 'not_found');
});
