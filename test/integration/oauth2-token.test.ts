/**
 * `POST /oauth2/token` on the local stack (DynamoDB Local): the code flow over HTTP through a
 * UI session, and the RFC 6749 §5.2 errors a standard client relies on (not problem+json,
 * `no-store`, `invalid_client` 401 with `WWW-Authenticate: Basic` where Basic was used), the
 * refresh grant, CORS for public clients' https redirect origins, and the OpenID configuration.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PASSWORD, seedUser } from '../support/accounts.js';
import { CONFIDENTIAL_SECRET, codeFor, handOffEnv, pkce, redeemFields, tokenRequest } from '../support/hand-off.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { UiClient } from '../support/ui-client.js';

let api: TestStack;

before(async () => {
  api = await startTestStack(handOffEnv());
});

after(async () => {
  await api?.close();
});

async function signedInUi(): Promise<UiClient> {
  const user = await seedUser(api);
  const ui = new UiClient(api.url);
  await ui.signIn(user.email, PASSWORD);
  return ui;
}

function assertRfcError(answer: { status: number; headers: Headers; body: Record<string, unknown> }, status: number, error: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.error, error);
  assert.equal(typeof answer.body.error_description, 'string');
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
}

test('the code flow over HTTP: tokens that work on GET /me, a session of the client, no-store', async () => {
  const ui = await signedInUi();
  const { verifier, challenge } = pkce();
  const { code, location } = await codeFor(ui, { challenge, state: 'abc' });
  assert.equal(location.searchParams.get('state'), 'abc');
  assert.equal(location.searchParams.get('iss'), process.env.AUTH_ISSUER);
  const answer = await tokenRequest(api, redeemFields(code, verifier));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  assert.equal(answer.body.token_type, 'Bearer');
  assert.equal(typeof answer.body.expires_in, 'number');
  const me = await api.request('GET', '/me', { token: String(answer.body.access_token) });
  assert.equal(me.status, 200);
  const sessions = await api.request('GET', '/sessions', { token: String(answer.body.access_token) });
  const current = (sessions.body as { sessions: Array<{ current: boolean; client: string | null }> }).sessions.find((s) => s.current);
  assert.equal(current?.client, 'web');
});

test('token errors are RFC 6749 §5.2 JSON, not problem+json', async () => {
  const ui = await signedInUi();
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(ui, { challenge });
  // Not a form.
  const json = await fetch(`${api.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"grant_type":"authorization_code"}',
  });
  assertRfcError({ status: json.status, headers: json.headers, body: (await json.json()) as Record<string, unknown> }, 400, 'invalid_request');
  assertRfcError(await tokenRequest(api, { client_id: 'web' }), 400, 'invalid_request');
  assertRfcError(await tokenRequest(api, { grant_type: 'password', client_id: 'web', username: 'a', password: 'b' }), 400, 'unsupported_grant_type');
  assertRfcError(await tokenRequest(api, { grant_type: 'client_credentials', client_id: 'web' }), 400, 'unsupported_grant_type');
  // A repeated parameter.
  const repeated = await fetch(`${api.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `${new URLSearchParams(redeemFields(code, verifier))}&code=again`,
  });
  assert.equal(repeated.status, 400);
  assert.equal(((await repeated.json()) as { error: string }).error, 'invalid_request');
  // Missing verifier, unknown code.
  assertRfcError(await tokenRequest(api, redeemFields(code, verifier, { code_verifier: '' })), 400, 'invalid_request');
  assertRfcError(await tokenRequest(api, redeemFields('x'.repeat(43), verifier)), 400, 'invalid_grant');
  // Unknown client without Basic: 401 and no Basic challenge.
  const unknown = await tokenRequest(api, redeemFields(code, verifier, { client_id: 'nobody' }));
  assertRfcError(unknown, 401, 'invalid_client');
  assert.equal(unknown.headers.get('www-authenticate'), null);
  // A public client that sends a secret.
  assertRfcError(await tokenRequest(api, redeemFields(code, verifier, { client_secret: 'x' })), 401, 'invalid_client');
  // A confidential client: wrong Basic → 401 with the Basic challenge; no secret → 401; both methods → invalid_request.
  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
  const wrong = await tokenRequest(
    api,
    { grant_type: 'authorization_code', code, redirect_uri: 'https://server.example.test/cb', code_verifier: verifier },
    basic('backend', 'wrong'),
  );
  assertRfcError(wrong, 401, 'invalid_client');
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic /);
  assertRfcError(await tokenRequest(api, redeemFields(code, verifier, { client_id: 'backend' })), 401, 'invalid_client');
  assertRfcError(
    await tokenRequest(
      api,
      { grant_type: 'authorization_code', code, code_verifier: verifier, client_secret: CONFIDENTIAL_SECRET },
      basic('backend', CONFIDENTIAL_SECRET),
    ),
    400,
    'invalid_request',
  );
  // The right secret, but the code is not the confidential client's: invalid_grant.
  assertRfcError(
    await tokenRequest(api, { grant_type: 'authorization_code', code, redirect_uri: WEB, code_verifier: verifier }, basic('backend', CONFIDENTIAL_SECRET)),
    400,
    'invalid_grant',
  );
  // None of these spent the code.
  assert.equal((await tokenRequest(api, redeemFields(code, verifier))).status, 200);
});

const WEB = 'https://app.example.test/callback';

test('a confidential client redeems its code with client_secret_basic or client_secret_post', async () => {
  const ui = await signedInUi();
  for (const how of ['basic', 'post'] as const) {
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(ui, { clientId: 'backend', redirectUri: 'https://server.example.test/cb', challenge });
    const fields = { grant_type: 'authorization_code', code, redirect_uri: 'https://server.example.test/cb', code_verifier: verifier };
    const answer =
      how === 'basic'
        ? await tokenRequest(api, fields, { authorization: `Basic ${Buffer.from(`backend:${encodeURIComponent(CONFIDENTIAL_SECRET)}`).toString('base64')}` })
        : await tokenRequest(api, { ...fields, client_id: 'backend', client_secret: CONFIDENTIAL_SECRET });
    assert.equal(answer.status, 200, `${how}: ${JSON.stringify(answer.body)}`);
  }
});

test('the refresh grant renews the client’s session; POST /session/renew refuses a client’s refresh token', async () => {
  const ui = await signedInUi();
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(ui, { challenge });
  const first = await tokenRequest(api, redeemFields(code, verifier));
  const refresh = String(first.body.refresh_token);
  assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: refresh } })).status, 401);
  const renewed = await tokenRequest(api, { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'web' });
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  assert.notEqual(renewed.body.refresh_token, refresh);
  assertRfcError(await tokenRequest(api, { grant_type: 'refresh_token', client_id: 'web' }), 400, 'invalid_request');
});

test('CORS: public clients’ https redirect origins only', async () => {
  const allowed = await tokenRequest(api, { grant_type: 'refresh_token', client_id: 'web', refresh_token: 'x' }, { origin: 'https://app.example.test' });
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.test');
  const confidential = await tokenRequest(
    api,
    { grant_type: 'refresh_token', client_id: 'web', refresh_token: 'x' },
    { origin: 'https://server.example.test' },
  );
  assert.equal(confidential.headers.get('access-control-allow-origin'), null);
  const stranger = await tokenRequest(api, { grant_type: 'refresh_token', client_id: 'web', refresh_token: 'x' }, { origin: 'https://evil.example' });
  assert.equal(stranger.headers.get('access-control-allow-origin'), null);
});

test('the OpenID configuration names the hand-off endpoints and capabilities', async () => {
  const answer = await api.request('GET', '/.well-known/openid-configuration');
  const body = answer.body as Record<string, unknown>;
  assert.equal(body.authorization_endpoint, `${api.url}/oauth2/authorize`);
  assert.equal(body.token_endpoint, `${api.url}/oauth2/token`);
  assert.equal(body.end_session_endpoint, `${api.url}/oauth2/logout`);
  assert.deepEqual(body.response_types_supported, ['code']);
  assert.deepEqual(body.grant_types_supported, ['authorization_code', 'refresh_token']);
  assert.deepEqual(body.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(body.token_endpoint_auth_methods_supported, ['none', 'client_secret_basic', 'client_secret_post']);
  assert.equal(body.authorization_response_iss_parameter_supported, true);
});
