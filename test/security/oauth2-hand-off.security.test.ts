/**
 * The security properties of the hand-off (docs/specs/hosted-ui.md §12.2, props 4, 10, 11, 13),
 * one test each, named after the property, on the local stack (DynamoDB Local).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { PASSWORD, seedUser } from '../support/accounts.js';
import { scanAuditTable } from '../support/audit.js';
import { launchBrowser } from '../support/browser.js';
import { authorizePath, codeFor, handOffEnv, pkce, redeemFields, TEST_CLIENTS, tokenRequest, WEB_LOGOUT, WEB_REDIRECT } from '../support/hand-off.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { UiClient } from '../support/ui-client.js';

let api: TestStack;
/** A client app on loopback: its callback page answers 200 with the query it got. */
let app: Server;
let appOrigin: string;

before(async () => {
  app = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`callback ${req.url}`);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const clients = [...TEST_CLIENTS, { clientId: 'loopback', name: 'Loopback app', type: 'public', redirectUris: [`${appOrigin}/callback`] }];
  api = await startTestStack({ ...handOffEnv(), AUTH_UI_CLIENTS: JSON.stringify(clients) });
});

after(async () => {
  await api?.close();
  app?.close();
});

async function signedInUi(): Promise<{ ui: UiClient; userId: string; email: string }> {
  const user = await seedUser(api);
  const ui = new UiClient(api.url);
  await ui.signIn(user.email, PASSWORD);
  return { ui, userId: user.id, email: user.email };
}

const codeItems = async () => (await api.scan()).filter((item) => String(item.pk).startsWith('OAUTH2_CODE#'));

test('An unregistered redirect_uri never redirects', async () => {
  const { ui } = await signedInUi();
  const { challenge } = pkce();
  const before = (await codeItems()).length;
  const base = { response_type: 'code', client_id: 'web', code_challenge: challenge, code_challenge_method: 'S256', state: 's' };
  for (const params of [
    { ...base, redirect_uri: 'https://evil.example/callback' },
    { ...base, redirect_uri: `${WEB_REDIRECT}/more` },
    { ...base, redirect_uri: `${WEB_REDIRECT}?x=1` },
    { ...base, redirect_uri: WEB_REDIRECT.toUpperCase() },
    { ...base, redirect_uri: 'https://other.example.test/callback' }, // another client's
    { ...base, redirect_uri: '' },
    { ...base, client_id: 'nobody', redirect_uri: WEB_REDIRECT },
    { ...base, client_id: 'nobody', redirect_uri: 'https://evil.example/callback', response_type: 'token' },
  ]) {
    const answer = await ui.get(authorizePath(params));
    assert.equal(answer.status, 400, JSON.stringify(params));
    assert.equal(answer.headers.get('location'), null, JSON.stringify(params));
    assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
  }
  // Signed out, too: the error page, not the sign-in redirect.
  const anonymous = await new UiClient(api.url).get(authorizePath({ ...base, redirect_uri: 'https://evil.example/callback' }));
  assert.equal(anonymous.status, 400);
  assert.equal(anonymous.headers.get('location'), null);
  assert.equal((await codeItems()).length, before, 'no code was issued');
});

test('PKCE is required and plain refused', async () => {
  const { ui } = await signedInUi();
  const { challenge } = pkce();
  const before = (await codeItems()).length;
  const base = { response_type: 'code', client_id: 'web', redirect_uri: WEB_REDIRECT, state: 'st' };
  for (const params of [
    base,
    { ...base, code_challenge: challenge },
    { ...base, code_challenge: challenge, code_challenge_method: 'plain' },
    { ...base, code_challenge: 'short', code_challenge_method: 'S256' },
    { ...base, code_challenge_method: 'S256' },
  ]) {
    const answer = await ui.get(authorizePath(params));
    assert.equal(answer.status, 302);
    const location = new URL(answer.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, WEB_REDIRECT);
    assert.equal(location.searchParams.get('error'), 'invalid_request', JSON.stringify(params));
    assert.equal(location.searchParams.get('state'), 'st');
    assert.equal(location.searchParams.get('iss'), process.env.AUTH_ISSUER);
    assert.equal(location.searchParams.get('code'), null);
  }
  const implicit = await ui.get(authorizePath({ ...base, response_type: 'token', code_challenge: challenge, code_challenge_method: 'S256' }));
  assert.equal(new URL(implicit.headers.get('location') ?? '').searchParams.get('error'), 'unsupported_response_type');
  assert.equal((await codeItems()).length, before, 'no code was issued');
  // The token endpoint wants the verifier of the challenge.
  const { verifier, challenge: good } = pkce();
  const { code } = await codeFor(ui, { challenge: good });
  const other = pkce().verifier;
  assert.equal((await tokenRequest(api, redeemFields(code, other))).body.error, 'invalid_grant');
  assert.equal((await tokenRequest(api, redeemFields(code, good))).body.error, 'invalid_grant', 'the challenge itself is not a verifier');
  assert.equal((await tokenRequest(api, redeemFields(code, verifier))).status, 200);
});

test('a code works once, within 60 s, for its client, redirect URI and verifier only; reuse revokes the session it issued', async () => {
  const { ui, userId } = await signedInUi();
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(ui, { challenge });
  // Bound: another client, another registered redirect URI, a wrong verifier: refused, nothing spent.
  assert.equal((await tokenRequest(api, redeemFields(code, verifier, { client_id: 'other' }))).body.error, 'invalid_grant');
  assert.equal((await tokenRequest(api, redeemFields(code, verifier, { redirect_uri: 'com.example.app:/oauth2redirect' }))).body.error, 'invalid_grant');
  assert.equal((await tokenRequest(api, redeemFields(code, pkce().verifier))).body.error, 'invalid_grant');
  // Within 60 s: the stored item says so (the clock is not asserted, the bound is).
  const [item] = (await codeItems()).filter((i) => i.userId === userId);
  assert.ok(item);
  assert.ok(Number(item.expiresAt) - Math.floor(Date.now() / 1000) <= 60);
  assert.equal(Number(item.ttl), Number(item.expiresAt) + 3600);
  assert.ok(!JSON.stringify(item).includes(code), 'only the hash of the code is stored');
  // Once: the first redemption works, the second is invalid_grant and revokes the first's session.
  const first = await tokenRequest(api, redeemFields(code, verifier));
  assert.equal(first.status, 200);
  const access = String(first.body.access_token);
  assert.equal((await api.request('GET', '/me', { token: access })).status, 200);
  const second = await tokenRequest(api, redeemFields(code, verifier));
  assert.equal(second.status, 400);
  assert.equal(second.body.error, 'invalid_grant');
  assert.equal((await api.request('GET', '/me', { token: access })).status, 401, 'the issued session is revoked');
  assert.equal(
    (await tokenRequest(api, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), client_id: 'web' })).body.error,
    'invalid_grant',
  );
  const { events } = await scanAuditTable(api.tableName);
  assert.ok(events.some((e) => e.type === 'oauth2.code_reused' && e.userId === userId));
  assert.equal((await ui.get('/ui/account')).status, 200, 'the UI session stays');
});

test('A refresh token works only for the client it was issued to', async () => {
  const { ui } = await signedInUi();
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(ui, { challenge });
  const tokens = await tokenRequest(api, redeemFields(code, verifier));
  const refresh = String(tokens.body.refresh_token);
  const before = (await api.scan()).filter((i) => String(i.sk).startsWith('SESSION#'));
  // Another client, the plain API renewal: refused, nothing spent or revoked.
  assert.equal((await tokenRequest(api, { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'other' })).body.error, 'invalid_grant');
  assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: refresh } })).status, 401);
  assert.deepEqual(
    (await api.scan()).filter((i) => String(i.sk).startsWith('SESSION#')),
    before,
  );
  // A direct API session's renewal token is not a refresh token of a client.
  const user = await seedUser(api);
  const signIn = await api.request('POST', '/session', { body: { email: user.email, password: PASSWORD } });
  const apiRenewal = (signIn.body as { renewalToken: string }).renewalToken;
  assert.equal((await tokenRequest(api, { grant_type: 'refresh_token', refresh_token: apiRenewal, client_id: 'web' })).body.error, 'invalid_grant');
  // The owner still renews.
  assert.equal((await tokenRequest(api, { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'web' })).status, 200);
});

test('After a form sign-in, the hand-off redirect to a registered client is not blocked by CSP', async () => {
  const user = await seedUser(api);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { challenge } = pkce();
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|form-action/i.test(message.text())) blocked.push(message.text());
    });
    await page.goto(
      `${api.url}${authorizePath({ response_type: 'code', client_id: 'loopback', redirect_uri: `${appOrigin}/callback`, code_challenge: challenge, code_challenge_method: 'S256', state: 'csp' })}`,
    );
    await page.waitForURL(/\/ui\/sign-in/);
    const csp = (await page.request.get(page.url())).headers()['content-security-policy'] ?? '';
    assert.match(csp, new RegExp(`form-action 'self'[^;]* ${appOrigin.replace(/[.]/g, '\\.')}`));
    await page.fill('#email', user.email);
    await page.fill('#password', PASSWORD);
    await page.click('form.stack button[type=submit]');
    await page.waitForURL((url) => url.origin === appOrigin, { timeout: 15000 });
    const landed = new URL(page.url());
    assert.equal(landed.pathname, '/callback');
    assert.ok(landed.searchParams.get('code'));
    assert.equal(landed.searchParams.get('state'), 'csp');
    assert.deepEqual(blocked, []);
  } finally {
    await browser.close();
  }
});

test('/oauth2/logout redirects only to a registered logout URI', async () => {
  // Unregistered URIs, another client's, none, an unknown client: an error page; the UI session stays.
  const { ui } = await signedInUi();
  const cases: Array<Record<string, string>> = [
    { client_id: 'web', logout_uri: 'https://evil.example/bye' },
    { client_id: 'web', logout_uri: `${WEB_LOGOUT}/x` },
    { client_id: 'web', logout_uri: WEB_REDIRECT },
    { client_id: 'other', logout_uri: WEB_LOGOUT },
    { client_id: 'web' },
    { client_id: 'nobody', logout_uri: WEB_LOGOUT },
  ];
  for (const params of cases) {
    const answer = await ui.get(`/oauth2/logout?${new URLSearchParams(params)}`);
    assert.equal(answer.status, 400, JSON.stringify(params));
    assert.equal(answer.headers.get('location'), null);
    assert.equal((await ui.get('/ui/account')).status, 200, 'nothing changed');
  }
  // The registered one: the session ends, back with state.
  const answer = await ui.get(`/oauth2/logout?${new URLSearchParams({ client_id: 'web', logout_uri: WEB_LOGOUT, state: 'bye' })}`);
  assert.equal(answer.status, 302);
  assert.equal(answer.headers.get('location'), `${WEB_LOGOUT}?state=bye`);
  assert.equal((await ui.get('/ui/account')).status, 303, 'the UI session ended');
});
