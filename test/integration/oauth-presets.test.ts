/**
 * Preset quirks over HTTP (`docs/specs/social-sign-in.md` §3.2): Apple (client secret an ES256
 * JWT signed with the team key, `form_post` answers sent as `callbackParams`, the name from the
 * first answer's `user` field, `email_verified` as a string, private-relay addresses, the hashed
 * native nonce) and Microsoft's multi-tenant issuer template (`iss` for the token's own `tid`).
 * The provider is the loopback ID-token fake: it answers the token endpoint with the ID token
 * the test signs, and its JWKS verifies it (no browser step: Apple's login page is not faked).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { assertProblem } from '../support/accounts.js';
import {
  APPLE_KEY_ID,
  APPLE_TEAM_ID,
  authorize,
  NATIVE_CLIENT_ID,
  type OAuthHarness,
  REDIRECT_URI,
  startOAuthHarness,
  uniqueAccount,
} from '../support/oauth.js';

let h: OAuthHarness;

before(async () => {
  h = await startOAuthHarness();
});
after(async () => {
  await h.close();
});

/** Starts a flow; returns what the provider would get (state, nonce) and the app keeps (flowSecret). */
async function start(provider: string): Promise<{ url: URL; state: string; nonce: string; flowSecret: string }> {
  const started = await authorize(h.api, provider);
  assert.equal(started.status, 200, started.text);
  const url = new URL(started.body.authorizationUrl);
  return { url, state: url.searchParams.get('state') as string, nonce: url.searchParams.get('nonce') as string, flowSecret: started.body.flowSecret };
}

const msIssuer = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;

// ---------------------------------------------------------------------------------------------
// Apple

test('apple: the authorization asks for form_post with the name and email scopes', async () => {
  const { url } = await start('apple');
  assert.equal(url.searchParams.get('response_mode'), 'form_post');
  assert.equal(url.searchParams.get('scope'), 'openid email name');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
});

test('apple: a form_post answer signs up a private-relay address (email_verified "true"), with the name of the first answer kept', async () => {
  const { state, nonce, flowSecret } = await start('apple');
  const account = uniqueAccount('apple');
  const relay = `${account.sub.replace(/[^a-z0-9]/gi, '').slice(-12)}@privaterelay.appleid.com`;
  h.fake.tokenMode = await h.fake.sign({ sub: account.sub, email: relay, email_verified: 'true', is_private_email: 'true', nonce });
  const user = JSON.stringify({ name: { firstName: 'Ann', lastName: 'Apple' }, email: relay });
  const response = await h.api.request('POST', '/oauth/apple/callback', {
    body: { callbackUrl: REDIRECT_URI, flowSecret, callbackParams: { code: 'apple-code-1', state, user } },
  });
  assert.equal(response.status, 201, response.text);
  assert.equal(response.body.user.email, relay);
  assert.equal(response.body.user.emailConfirmed, true);

  // Latch authenticated at Apple's token endpoint with an ES256 JWT signed by the team key.
  const secret = h.fake.lastTokenRequest?.get('client_secret') as string;
  assert.ok(secret, 'client_secret sent');
  assert.deepEqual(decodeProtectedHeader(secret), { alg: 'ES256', kid: APPLE_KEY_ID });
  const { payload } = await jwtVerify(secret, h.appleKey, { issuer: APPLE_TEAM_ID, subject: NATIVE_CLIENT_ID, audience: h.fake.issuer });
  assert.ok((payload.exp as number) - (payload.iat as number) <= 3600);

  const identities = await h.api.request('GET', '/me/identities', { token: response.body.accessToken });
  assert.equal(identities.body.identities[0].name, 'Ann Apple');

  // Later answers carry no `user`: the kept name stays.
  const next = await start('apple');
  h.fake.tokenMode = await h.fake.sign({ sub: account.sub, email: relay, email_verified: 'true', nonce: next.nonce });
  const again = await h.api.request('POST', '/oauth/apple/callback', {
    body: { callbackUrl: REDIRECT_URI, flowSecret: next.flowSecret, callbackParams: { code: 'apple-code-2', state: next.state } },
  });
  assert.equal(again.status, 200, again.text);
  const after = await h.api.request('GET', '/me/identities', { token: again.body.accessToken });
  assert.equal(after.body.identities[0].name, 'Ann Apple');
});

test('apple: email_verified "false" (or absent) is an unverified address; a wrong state in the posted fields is refused', async () => {
  const { state, nonce, flowSecret } = await start('apple');
  const account = uniqueAccount('apple');
  h.fake.tokenMode = await h.fake.sign({ sub: account.sub, email: account.email, email_verified: 'false', nonce });
  const response = await h.api.request('POST', '/oauth/apple/callback', {
    body: { callbackUrl: REDIRECT_URI, flowSecret, callbackParams: { code: 'apple-code-3', state } },
  });
  // Confirmation required (the default): an unverified address registers unconfirmed.
  assert.equal(response.status, 202, response.text);
  const other = await start('apple');
  const forged = await h.api.request('POST', '/oauth/apple/callback', {
    body: { callbackUrl: REDIRECT_URI, flowSecret: other.flowSecret, callbackParams: { code: 'apple-code-4', state: `${other.state}x` } },
  });
  assertProblem(forged, 404, 'invalid_token');
});

test('apple native: the ID token carries the SHA-256 (hex) of the nonce; the raw nonce is refused', async () => {
  const account = uniqueAccount('apple-native');
  const issued = await h.api.request('POST', '/oauth/apple/nonce', { body: {} });
  const raw = issued.body.nonce as string;
  const raw2 = (await h.api.request('POST', '/oauth/apple/nonce', { body: {} })).body.nonce as string;
  const unhashed = await h.fake.sign({ sub: account.sub, email: account.email, email_verified: true, nonce: raw2 });
  assertProblem(await h.api.request('POST', '/oauth/apple/id-token', { body: { idToken: unhashed, nonce: raw2 } }), 400, 'oauth_failed');
  const idToken = await h.fake.sign({
    sub: account.sub,
    email: account.email,
    email_verified: 'true',
    nonce: createHash('sha256').update(raw).digest('hex'),
  });
  const response = await h.api.request('POST', '/oauth/apple/id-token', { body: { idToken, nonce: raw } });
  assert.equal(response.status, 201, response.text);
});

// ---------------------------------------------------------------------------------------------
// Microsoft, multi-tenant (`common`)

test('microsoft common: iss must be the template with the token’s own tid (redirect flow)', async () => {
  const tid = randomUUID();
  const account = uniqueAccount('ms');
  const good = await start('mscommon');
  h.fake.tokenMode = await h.fake.sign({ iss: msIssuer(tid), tid, sub: account.sub, email: account.email, xms_edov: true, nonce: good.nonce });
  const ok = await h.api.request('POST', '/oauth/mscommon/callback', {
    body: { callbackUrl: `${REDIRECT_URI}?code=ms-1&state=${good.state}`, flowSecret: good.flowSecret },
  });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.user.emailConfirmed, true);

  // Another tenant's issuer than the token's tid, the template itself, or no tid: refused, nothing created.
  for (const claims of [
    { iss: msIssuer(randomUUID()), tid },
    { iss: msIssuer('{tenantid}'), tid },
    { iss: msIssuer(tid) },
    { iss: msIssuer('common'), tid: 'common' },
  ]) {
    const flow = await start('mscommon');
    const other = uniqueAccount('ms');
    h.fake.tokenMode = await h.fake.sign({ sub: other.sub, email: other.email, xms_edov: true, nonce: flow.nonce, ...claims });
    const refused = await h.api.request('POST', '/oauth/mscommon/callback', {
      body: { callbackUrl: `${REDIRECT_URI}?code=ms-2&state=${flow.state}`, flowSecret: flow.flowSecret },
    });
    assertProblem(refused, 400, 'oauth_failed');
  }
});

test('microsoft common: the native route checks iss against the token’s own tid too', async () => {
  const tid = randomUUID();
  const account = uniqueAccount('ms-native');
  const nonce = async () => (await h.api.request('POST', '/oauth/mscommon/nonce', { body: {} })).body.nonce as string;
  const n1 = await nonce();
  const wrong = await h.fake.sign({ iss: msIssuer(randomUUID()), tid, sub: account.sub, email: account.email, nonce: n1 });
  assertProblem(await h.api.request('POST', '/oauth/mscommon/id-token', { body: { idToken: wrong, nonce: n1 } }), 400, 'oauth_failed');
  const n2 = await nonce();
  const right = await h.fake.sign({ iss: msIssuer(tid), tid, sub: account.sub, email: account.email, nonce: n2 });
  const response = await h.api.request('POST', '/oauth/mscommon/id-token', { body: { idToken: right, nonce: n2 } });
  // Without xms_edov the address is unverified: registered unconfirmed (202).
  assert.equal(response.status, 202, response.text);
});
