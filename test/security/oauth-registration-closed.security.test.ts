/**
 * Social sign-in with `AUTH_OAUTH_REGISTRATION=false` (`docs/specs/social-sign-in.md` §10.2
 * property 16), and the http-issuer rule (property 17): settings of their own, hence a file of
 * their own.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateEnvironment } from '../../infra/constructs/latch-auth-props.js';
import { loadConfig } from '../../shared/config.js';
import { anAdmin, assertProblem } from '../support/accounts.js';
import { lastLinkToken } from '../support/mail.js';
import { type OAuthHarness, signInWith, startOAuthHarness, uniqueAccount } from '../support/oauth.js';

let h: OAuthHarness;

before(async () => {
  h = await startOAuthHarness({ AUTH_OAUTH_REGISTRATION: 'false' });
});
after(async () => {
  await h.close();
});

test('Registration closed creates nothing; a valid invitation still signs the invitee up', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  const before = (await h.api.scan()).length;
  const { response } = await signInWith(h.api, 'op', account.sub);
  assertProblem(response, 403, 'registration_closed');
  assert.equal((await h.api.scan()).length, before, 'nothing written (the state came and went)');
  assert.equal(await h.api.store.findUserByEmail(account.email), undefined);
  // An invitation presented at authorize: the invitee signs up with the provider.
  const admin = await anAdmin(h.api);
  const invitee = uniqueAccount('invitee');
  const invited = await h.api.request('POST', '/invitations', { token: admin.token, body: { email: invitee.email } });
  assert.ok(invited.status < 300, invited.text);
  const invitationToken = await lastLinkToken(invitee.email, 'invitation');
  h.op.accounts.set(invitee.sub, { sub: invitee.sub, email: uniqueAccount().email, email_verified: true });
  const accepted = await signInWith(h.api, 'op', invitee.sub, { authorize: { invitationToken } });
  assert.equal(accepted.response.status, 201, accepted.response.text);
  assert.equal(accepted.response.body.user.email, invitee.email, 'the invited address stays');
  assert.equal(accepted.response.body.user.emailConfirmed, true);
  const spent = await h.api.request('POST', '/oauth/op/authorize', { body: { redirectUri: h.redirectUri, invitationToken } });
  assertProblem(spent, 404, 'invalid_token');
});

test('An http issuer is refused unless it is loopback and AUTH_OAUTH_ALLOW_HTTP_LOOPBACK is on; the construct refuses the setting', () => {
  const base = { APP_URL: 'https://app.example', AUTH_MAIL_FROM: 'no-reply@example.com' };
  const provider = (issuer: string) =>
    JSON.stringify([{ id: 'corp', preset: 'oidc', issuer, clientId: 'c', clientSecret: { env: 'X' }, redirectUris: ['https://app.example/cb'] }]);
  assert.throws(() => loadConfig({ ...base, AUTH_OAUTH_PROVIDERS: provider('http://127.0.0.1:8080') }), /AUTH_OAUTH_ALLOW_HTTP_LOOPBACK/);
  assert.throws(() => loadConfig({ ...base, AUTH_OAUTH_PROVIDERS: provider('http://idp.example'), AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: 'true' }), /https/);
  assert.throws(
    () => loadConfig({ ...base, AUTH_OAUTH_PROVIDERS: provider('http://127.0.0.1.evil.example'), AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: 'true' }),
    /https/,
  );
  for (const issuer of ['http://localhost:8080', 'http://127.0.0.2', 'http://[::1]:9000']) {
    assert.equal(
      loadConfig({ ...base, AUTH_OAUTH_PROVIDERS: provider(issuer), AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: 'true' }).oauthProviders[0]?.insecureLoopback,
      true,
      issuer,
    );
  }
  assert.equal(loadConfig({ ...base, AUTH_OAUTH_PROVIDERS: provider('https://idp.example') }).oauthProviders[0]?.insecureLoopback, false);
  assert.throws(() => validateEnvironment({ ...base, AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: 'true' }), /local runs and tests only/);
  validateEnvironment({ ...base, AUTH_OAUTH_PROVIDERS: provider('https://idp.example') });
});
