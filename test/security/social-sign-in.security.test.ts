/**
 * The security properties of social sign-in (`docs/specs/social-sign-in.md` §10.2), one test
 * each, named after the property, over HTTP against loopback providers on DynamoDB Local.
 * Property 16 (registration closed) needs its own settings: `oauth-registration-closed.security.test.ts`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashSecret } from '../../shared/domain/secrets.js';
import { assertProblem, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { authorize, authorizeAs, NATIVE_CLIENT_ID, type OAuthHarness, REDIRECT_URI, signInWith, startOAuthHarness, uniqueAccount } from '../support/oauth.js';

let h: OAuthHarness;

before(async () => {
  h = await startOAuthHarness();
});
after(async () => {
  await h.close();
});

/** The items of the table that belong to a user (profile, sessions, identities). */
async function partition(userId: string) {
  return (await h.api.scan()).filter((item) => item.pk === `USER#${userId}`);
}

async function userIdOfEmail(email: string): Promise<string | undefined> {
  return (await h.api.store.findUserByEmail(email))?.id;
}

/** A redirect flow on the `google` preset (its token endpoint is the ID-token fake), with the callback URL built as the provider would. */
async function fakeRedirect(idTokenOf: (nonce: string) => Promise<string>): Promise<{ status: number; code: string; state: string }> {
  const started = await authorize(h.api, 'google');
  assert.equal(started.status, 200, started.text);
  const url = new URL(started.body.authorizationUrl);
  const state = url.searchParams.get('state') as string;
  h.fake.tokenMode = await idTokenOf(url.searchParams.get('nonce') as string);
  const response = await h.api.request('POST', '/oauth/google/callback', {
    body: { callbackUrl: `${REDIRECT_URI}?code=fake-code&state=${state}`, flowSecret: started.body.flowSecret },
  });
  h.fake.tokenMode = 'fail';
  return { status: response.status, code: response.body?.code, state };
}

test('A callback with a valid code but another flow’s flowSecret signs nobody in (login CSRF)', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  // The attacker's flow, completed at the provider with the attacker's account…
  const attacker = await authorize(h.api, 'op');
  const callbackUrl = await authorizeAs(attacker.body.authorizationUrl, account.sub, REDIRECT_URI);
  // …posted by the victim's app with the victim's own flow secret.
  const victim = await authorize(h.api, 'op');
  const response = await h.api.request('POST', '/oauth/op/callback', { body: { callbackUrl, flowSecret: victim.body.flowSecret } });
  assertProblem(response, 404, 'invalid_token');
  assert.equal(await userIdOfEmail(account.email), undefined);
});

test('A state is single-use: two concurrent callbacks mint one session', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  const started = await authorize(h.api, 'op');
  const callbackUrl = await authorizeAs(started.body.authorizationUrl, account.sub, REDIRECT_URI);
  const body = { callbackUrl, flowSecret: started.body.flowSecret };
  const answers = await Promise.all([1, 2, 3].map(() => h.api.request('POST', '/oauth/op/callback', { body })));
  const statuses = answers.map((a) => a.status).sort();
  assert.deepEqual(statuses, [201, 404, 404], answers.map((a) => a.text).join('\n'));
  const userId = await userIdOfEmail(account.email);
  const sessions = (await partition(userId as string)).filter((item) => String(item.sk).startsWith('SESSION#'));
  assert.equal(sessions.length, 1);
});

test('An expired state is refused while its item still exists', async () => {
  const state = 'expired-state-value-that-is-long-enough-to-look-real-000';
  const flowSecret = 'a-flow-secret-of-the-expired-flow-that-is-long-enough-000';
  const hash = hashSecret(state);
  await h.api.store.commit([
    {
      type: 'putOAuthItem',
      item: {
        kind: 'state',
        hash,
        provider: 'op',
        codeVerifier: 'v'.repeat(43),
        nonce: 'n'.repeat(43),
        redirectUri: REDIRECT_URI,
        intent: 'sign_in',
        flowSecretHash: hashSecret(flowSecret),
        userId: null,
        sessionId: null,
        invitationHash: null,
        rememberMe: false,
        expiresAt: Math.floor(Date.now() / 1000) - 5,
      },
    },
  ]);
  const response = await h.api.request('POST', '/oauth/op/callback', { body: { callbackUrl: `${REDIRECT_URI}?code=c&state=${state}`, flowSecret } });
  assertProblem(response, 404, 'invalid_token');
  assert.ok(await h.api.store.getOAuthItem('state', hash), 'the expired item is still stored (TTL deletes late)');
});

test('An ID token with a wrong nonce, iss or aud, an expired one, alg none, or an unknown kid is refused and creates nothing (redirect and native routes)', async () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: Array<[string, (nonce: string, sub: string, email: string) => Promise<string>]> = [
    ['wrong nonce', (_n, sub, email) => h.fake.sign({ sub, email, email_verified: true, nonce: 'not-the-nonce' })],
    ['wrong iss', (n, sub, email) => h.fake.sign({ sub, email, email_verified: true, nonce: n, iss: 'http://127.0.0.1:1' })],
    ['wrong aud', (n, sub, email) => h.fake.sign({ sub, email, email_verified: true, nonce: n, aud: 'someone-else' })],
    ['expired', (n, sub, email) => h.fake.sign({ sub, email, email_verified: true, nonce: n, iat: now - 3600, exp: now - 600 })],
    ['alg none', (n, sub, email) => h.fake.sign({ sub, email, email_verified: true, nonce: n }, { alg: 'none' })],
    ['unknown kid', (n, sub, email) => h.fake.sign({ sub, email, email_verified: true, nonce: n }, { kid: 'not-in-the-jwks' })],
  ];
  for (const [label, make] of cases) {
    // Native route (aud: the native client id, the fake's default).
    const account = uniqueAccount('bad');
    const nonce = (await h.api.request('POST', '/oauth/google/nonce')).body.nonce;
    const idToken = await make(nonce, account.sub, account.email);
    const native = await h.api.request('POST', '/oauth/google/id-token', { body: { idToken, nonce } });
    assertProblem(native, 400, 'oauth_failed');
    assert.equal(await userIdOfEmail(account.email), undefined, label);
    // Redirect route (aud: the web client id).
    const other = uniqueAccount('bad');
    const redirect = await fakeRedirect(async (n) => {
      const token = await make(n, other.sub, other.email);
      // Re-sign for the web client id where the case is not about `aud`.
      if (label === 'wrong aud' || label === 'alg none') return token;
      const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
      return h.fake.sign({ ...payload, aud: 'web-client.apps.example' }, label === 'unknown kid' ? { kid: 'not-in-the-jwks' } : {});
    });
    assert.equal(redirect.status, 400, `${label}: ${redirect.code}`);
    assert.equal(redirect.code, 'oauth_failed', label);
    assert.equal(await userIdOfEmail(other.email), undefined, label);
    assert.equal(await h.api.store.getOAuthItem('state', hashSecret(redirect.state)), undefined, `${label}: the state is spent`);
  }
  // The same token shape with everything right signs in on both routes (the cases above fail for their one defect).
  const good = uniqueAccount('good');
  const ok = await fakeRedirect((n) => h.fake.sign({ sub: good.sub, email: good.email, email_verified: true, nonce: n, aud: 'web-client.apps.example' }));
  assert.equal(ok.status, 201, ok.code);
});

test('A response from provider B on provider A’s flow is refused (mix-up, RFC 9207 iss)', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  h.op2.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  const started = await authorize(h.api, 'op');
  // The user is sent to provider B with A's request (same client id, same redirect URI).
  const atB = new URL(started.body.authorizationUrl);
  const b = new URL(h.op2.issuer);
  atB.protocol = b.protocol;
  atB.host = b.host;
  const callbackUrl = await authorizeAs(atB.href, account.sub, REDIRECT_URI);
  assert.equal(new URL(callbackUrl).searchParams.get('iss'), h.op2.issuer);
  const response = await h.api.request('POST', '/oauth/op/callback', { body: { callbackUrl, flowSecret: started.body.flowSecret } });
  assertProblem(response, 400, 'oauth_failed');
  assert.equal(await userIdOfEmail(account.email), undefined);
});

test('A provider email equal to an existing account’s never links or signs in (verified or not)', async () => {
  for (const verified of [true, false]) {
    const owner = await seedUser(h.api);
    const account = uniqueAccount();
    h.op.accounts.set(account.sub, { sub: account.sub, email: owner.email, email_verified: verified });
    const { response } = await signInWith(h.api, 'op', account.sub);
    assert.equal(response.status, verified ? 422 : 202, response.text);
    assert.equal(response.body.accessToken, undefined);
    const items = await partition(owner.id);
    assert.equal(items.filter((i) => String(i.sk).startsWith('SESSION#') || String(i.sk).startsWith('IDENTITY#')).length, 0);
    assert.equal(await h.api.store.findIdentity('op', account.sub), undefined);
  }
});

test('(provider, sub) identifies the user: a changed provider email updates only the identity; the same sub at two providers are two identities', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  const first = await signInWith(h.api, 'op', account.sub);
  assert.equal(first.response.status, 201, first.response.text);
  const userId = first.response.body.user.id;
  const changed = uniqueAccount().email;
  h.op.accounts.set(account.sub, { sub: account.sub, email: changed, email_verified: true });
  const second = await signInWith(h.api, 'op', account.sub);
  assert.equal(second.response.status, 200, second.response.text);
  assert.equal(second.response.body.user.id, userId);
  assert.equal(second.response.body.user.email, account.email, 'the Latch email never changes');
  assert.equal((await h.api.store.findIdentity('op', account.sub))?.email, changed);
  // The same sub at another provider is another identity (and here another user).
  const otherEmail = uniqueAccount().email;
  h.op2.accounts.set(account.sub, { sub: account.sub, email: otherEmail, email_verified: true });
  const atB = await signInWith(h.api, 'op2', account.sub);
  assert.equal(atB.response.status, 201, atB.response.text);
  assert.notEqual(atB.response.body.user.id, userId);
});

test('An unverified provider email never confirms an account (Microsoft without xms_edov, OIDC without email_verified)', async () => {
  const oidc = uniqueAccount();
  h.op.accounts.set(oidc.sub, { sub: oidc.sub, email: oidc.email });
  const viaOidc = await signInWith(h.api, 'op', oidc.sub);
  assert.equal(viaOidc.response.status, 202, viaOidc.response.text);
  assert.equal((await h.api.store.findUserByEmail(oidc.email))?.emailConfirmed, false);
  const ms = uniqueAccount('ms');
  const nonce = (await h.api.request('POST', '/oauth/microsoft/nonce')).body.nonce;
  const idToken = await h.fake.sign({ sub: ms.sub, email: ms.email, email_verified: true, nonce, aud: NATIVE_CLIENT_ID });
  const viaMs = await h.api.request('POST', '/oauth/microsoft/id-token', { body: { idToken, nonce } });
  assert.equal(viaMs.status, 202, viaMs.text);
  assert.equal((await h.api.store.findUserByEmail(ms.email))?.emailConfirmed, false);
  // With xms_edov the same shape is verified.
  const edov = uniqueAccount('ms');
  const nonce2 = (await h.api.request('POST', '/oauth/microsoft/nonce')).body.nonce;
  const verified = await h.fake.sign({ sub: edov.sub, email: edov.email, xms_edov: true, nonce: nonce2, aud: NATIVE_CLIENT_ID });
  const viaEdov = await h.api.request('POST', '/oauth/microsoft/id-token', { body: { idToken: verified, nonce: nonce2 } });
  assert.equal(viaEdov.status, 201, viaEdov.text);
});

test('The last sign-in method cannot be unlinked, also under concurrency', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  const { response } = await signInWith(h.api, 'op', account.sub);
  assert.equal(response.status, 201, response.text);
  const token = response.body.accessToken;
  assertProblem(await h.api.request('DELETE', '/me/identities/op', { token, body: {} }), 409, 'last_sign_in_method');
  // A second provider (fresh authentication covers the step-up), then both removed at once.
  h.gh.users.set(account.sub, { id: Math.floor(Math.random() * 1e9), login: account.sub, emails: [] });
  const linked = await signInWith(h.api, 'github', account.sub, { token, authorize: { intent: 'link' } });
  assert.equal(linked.response.status, 201, linked.response.text);
  const answers = await Promise.all(['op', 'github'].map((p) => h.api.request('DELETE', `/me/identities/${p}`, { token, body: {} })));
  assert.deepEqual(answers.map((a) => a.status).sort(), [204, 409], answers.map((a) => a.text).join('\n'));
  const identities = await h.api.request('GET', '/me/identities', { token });
  assert.equal(identities.body.identities.length, 1);
});

test('An identity bound to user A cannot be linked to B, also when two links race', async () => {
  const a = uniqueAccount();
  h.op.accounts.set(a.sub, { sub: a.sub, email: a.email, email_verified: true });
  assert.equal((await signInWith(h.api, 'op', a.sub)).response.status, 201);
  const b = await seedUser(h.api);
  const bToken = (await signInAs(h.api, b)).accessToken;
  const taken = await signInWith(h.api, 'op', a.sub, { token: bToken, authorize: { intent: 'link', currentPassword: SEED_PASSWORD } });
  assertProblem(taken.response, 409, 'identity_taken');
  // Two users race to link one fresh provider account.
  const fresh = uniqueAccount();
  h.op.accounts.set(fresh.sub, { sub: fresh.sub, email: fresh.email, email_verified: true });
  const c = await seedUser(h.api);
  const cToken = (await signInAs(h.api, c)).accessToken;
  const flows = await Promise.all(
    [bToken, cToken].map(async (token) => {
      const started = await authorize(h.api, 'op', { intent: 'link', currentPassword: SEED_PASSWORD }, token);
      return { token, flowSecret: started.body.flowSecret, callbackUrl: await authorizeAs(started.body.authorizationUrl, fresh.sub, REDIRECT_URI) };
    }),
  );
  const answers = await Promise.all(
    flows.map((f) => h.api.request('POST', '/oauth/op/callback', { token: f.token, body: { callbackUrl: f.callbackUrl, flowSecret: f.flowSecret } })),
  );
  assert.deepEqual(answers.map((x) => x.status).sort(), [201, 409], answers.map((x) => x.text).join('\n'));
  assert.ok(await h.api.store.findIdentity('op', fresh.sub));
});

test('redirectUri must match exactly', async () => {
  for (const redirectUri of [`${REDIRECT_URI}/`, REDIRECT_URI.toUpperCase(), `${REDIRECT_URI}?x=1`, REDIRECT_URI.replace('127.0.0.1', 'localhost')]) {
    const response = await authorize(h.api, 'op', { redirectUri });
    assertProblem(response, 422, 'validation_failed');
    assert.deepEqual(response.body.errors, { redirectUri: ['is not allowed'] });
  }
});

test('A locked user’s provider sign-in answers account_locked; an MFA user’s answers mfa_required; a provider’s amr never satisfies MFA', async () => {
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true, amr: ['mfa', 'otp'] });
  const first = await signInWith(h.api, 'op', account.sub);
  assert.equal(first.response.status, 201, first.response.text);
  const userId = first.response.body.user.id;
  const session = (await partition(userId)).find((i) => String(i.sk).startsWith('SESSION#'));
  assert.deepEqual(session?.amr, ['fed'], 'the provider’s own amr is not taken over');
  // MFA on: no session from the provider alone.
  await h.api.store.commit([{ type: 'updateUser', id: userId, set: { mfaEnabled: true } }]);
  const mfa = await signInWith(h.api, 'op', account.sub);
  assertProblem(mfa.response, 403, 'mfa_required');
  assert.equal(mfa.response.body.accessToken, undefined);
  assert.equal(typeof mfa.response.body.mfaToken, 'string', 'the two-step sign-in continues at POST /session/mfa');
  // Locked.
  await h.api.store.commit([{ type: 'updateUser', id: userId, set: { locked: true, mfaEnabled: false } }]);
  const locked = await signInWith(h.api, 'op', account.sub);
  assertProblem(locked.response, 403, 'account_locked');
  const sessions = (await partition(userId)).filter((i) => String(i.sk).startsWith('SESSION#'));
  assert.equal(sessions.length, 1, 'only the first sign-in made a session');
});

test('A pendingToken is useless without the flowSecret of its flow', async () => {
  const owner = await seedUser(h.api);
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: owner.email, email_verified: true });
  const { response, flowSecret } = await signInWith(h.api, 'op', account.sub);
  const pendingToken = response.body.pendingToken;
  const other = (await authorize(h.api, 'op')).body.flowSecret;
  assertProblem(
    await h.api.request('POST', '/oauth/op/create', { body: { pendingToken, flowSecret: other, email: uniqueAccount().email } }),
    404,
    'invalid_token',
  );
  const { accessToken } = await signInAs(h.api, owner);
  assertProblem(
    await h.api.request('POST', '/me/identities', { token: accessToken, body: { pendingToken, flowSecret: other, currentPassword: SEED_PASSWORD } }),
    404,
    'invalid_token',
  );
  assertProblem(
    await h.api.request('POST', '/me/identities', { token: accessToken, body: { pendingToken, currentPassword: SEED_PASSWORD } }),
    404,
    'invalid_token',
  );
  const linked = await h.api.request('POST', '/me/identities', { token: accessToken, body: { pendingToken, flowSecret, currentPassword: SEED_PASSWORD } });
  assert.equal(linked.status, 201, linked.text);
});

test('A native nonce is single-use and bound to its provider', async () => {
  const account = uniqueAccount('native');
  const nonce = (await h.api.request('POST', '/oauth/google/nonce')).body.nonce;
  const idToken = await h.fake.sign({ sub: account.sub, email: account.email, email_verified: true, nonce });
  // Another provider: refused, and the nonce is not spent by it.
  assertProblem(await h.api.request('POST', '/oauth/microsoft/id-token', { body: { idToken, nonce } }), 404, 'invalid_token');
  const first = await h.api.request('POST', '/oauth/google/id-token', { body: { idToken, nonce } });
  assert.equal(first.status, 201, first.text);
  assertProblem(await h.api.request('POST', '/oauth/google/id-token', { body: { idToken, nonce } }), 404, 'invalid_token');
  assertProblem(await h.api.request('POST', '/oauth/google/id-token', { body: { idToken } }), 404, 'invalid_token');
});

test('No provider token, code, verifier, nonce or flowSecret appears in a log line or a stored item', async () => {
  const lines: string[] = [];
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  const account = uniqueAccount();
  h.op.accounts.set(account.sub, { sub: account.sub, email: account.email, email_verified: true });
  let secrets: string[];
  let stateHash = '';
  try {
    const started = await authorize(h.api, 'op');
    const url = new URL(started.body.authorizationUrl);
    stateHash = hashSecret(url.searchParams.get('state') as string);
    const callbackUrl = await authorizeAs(started.body.authorizationUrl, account.sub, REDIRECT_URI);
    const response = await h.api.request('POST', '/oauth/op/callback', { body: { callbackUrl, flowSecret: started.body.flowSecret } });
    assert.equal(response.status, 201, response.text);
    const native = await h.api.request('POST', '/oauth/google/nonce');
    const nativeAccount = uniqueAccount('native');
    const idToken = await h.fake.sign({ sub: nativeAccount.sub, email: nativeAccount.email, email_verified: true, nonce: native.body.nonce });
    assert.equal((await h.api.request('POST', '/oauth/google/id-token', { body: { idToken, nonce: native.body.nonce } })).status, 201);
    secrets = [
      started.body.flowSecret,
      url.searchParams.get('state') as string,
      url.searchParams.get('nonce') as string,
      new URL(callbackUrl).searchParams.get('code') as string,
      native.body.nonce,
      idToken,
      h.op.clientSecret,
    ];
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
  const logged = lines.join('');
  const stored = JSON.stringify(await h.api.scan());
  for (const secret of secrets) {
    assert.ok(secret.length > 10);
    assert.ok(!logged.includes(secret), 'a secret in a log line');
    assert.ok(!stored.includes(secret), 'a secret in a stored item');
  }
  // The state item (which holds the PKCE verifier and nonce) does not outlive its flow.
  assert.equal(await h.api.store.getOAuthItem('state', stateHash), undefined);
});

test('A provider timeout answers 503 and writes nothing but the spent state', async () => {
  const before = (await h.api.scan()).length;
  const started = await authorize(h.api, 'google');
  const state = new URL(started.body.authorizationUrl).searchParams.get('state') as string;
  h.fake.tokenMode = 'hang';
  const response = await h.api.request('POST', '/oauth/google/callback', {
    body: { callbackUrl: `${REDIRECT_URI}?code=c&state=${state}`, flowSecret: started.body.flowSecret },
  });
  h.fake.tokenMode = 'fail';
  assertProblem(response, 503, 'service_unavailable');
  assert.ok(response.headers.get('retry-after'));
  assert.equal(await h.api.store.getOAuthItem('state', hashSecret(state)), undefined);
  assert.equal((await h.api.scan()).length, before, 'only the state came and went');
  // A JWKS that never answers: the native route answers 503 too.
  h.fake.jwksMode = 'hang';
  try {
    const nonce = (await h.api.request('POST', '/oauth/slow/nonce')).body.nonce;
    const idToken = await h.fake.sign({ sub: 'x', nonce, aud: NATIVE_CLIENT_ID });
    assertProblem(await h.api.request('POST', '/oauth/slow/id-token', { body: { idToken, nonce } }), 503, 'service_unavailable');
  } finally {
    h.fake.jwksMode = 'ok';
  }
});
