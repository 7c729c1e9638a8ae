/**
 * The hand-off end to end in Chromium (docs/specs/hosted-ui.md §6, §12.1): a test app on
 * loopback runs the authorization-code flow with `openid-client` (v6: discovery, PKCE,
 * `buildAuthorizationUrl`, `authorizationCodeGrant`) through the hosted sign-in page and gets
 * tokens that work on `GET /me`; then a refresh, and `/oauth2/logout` back to the app.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { PASSWORD, seedUser } from '../support/accounts.js';
import { launchBrowser } from '../support/browser.js';
import { handOffEnv, TEST_CLIENTS } from '../support/hand-off.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
let app: Server;
let appOrigin: string;
let config: oidc.Configuration;
/** The app's one pending sign-in (a real app keeps these per browser session). */
let pending: { verifier: string; state: string } | undefined;
let lastTokens: oidc.TokenEndpointResponse | undefined;

before(async () => {
  app = createServer((req, res) => {
    handle(req.url ?? '/').then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`app error: ${error instanceof Error ? `${error.name} ${error.message}` : String(error)}`);
      },
    );
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const clients = [
    ...TEST_CLIENTS,
    { clientId: 'test-app', name: 'Test app', type: 'public', redirectUris: [`${appOrigin}/callback`], logoutUris: [`${appOrigin}/signed-out`] },
  ];
  api = await startTestStack({ ...handOffEnv(), AUTH_UI_CLIENTS: JSON.stringify(clients) });
  config = await oidc.discovery(new URL(api.url), 'test-app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
});

after(async () => {
  await api?.close();
  app?.close();
});

/** The test app: `/login` starts the flow, `/callback` finishes it and shows who signed in. */
async function handle(url: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const path = new URL(url, appOrigin).pathname;
  if (path === '/login') {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    pending = { verifier, state };
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${appOrigin}/callback`,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ui_locales: 'de',
    });
    return { status: 302, headers: { location: target.href }, body: '' };
  }
  if (path === '/callback') {
    if (!pending) throw new Error('no pending sign-in');
    const tokens = await oidc.authorizationCodeGrant(config, new URL(url, appOrigin), { pkceCodeVerifier: pending.verifier, expectedState: pending.state });
    pending = undefined;
    lastTokens = tokens;
    const me = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const body = (await me.json()) as { user: { email: string } };
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!doctype html><title>App</title><p id="who">${body.user.email}</p>`,
    };
  }
  if (path === '/signed-out') return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'signed out of the hosted UI' };
  return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
}

test('a test app on loopback signs a user in through the hosted pages with openid-client, and its tokens work on GET /me', async () => {
  const user = await seedUser(api);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/login`);
    await page.waitForURL(/\/ui\/sign-in/);
    assert.equal(await page.getAttribute('html', 'lang'), 'de', 'ui_locales chose the page language');
    await page.fill('#email', user.email);
    await page.fill('#password', PASSWORD);
    await page.click('form.stack button[type=submit]');
    await page.waitForURL((url) => url.origin === appOrigin && url.pathname === '/callback', { timeout: 20000 });
    assert.equal(await page.textContent('#who'), user.email);
    assert.ok(lastTokens?.refresh_token);

    // The refresh grant through openid-client.
    const renewed = await oidc.refreshTokenGrant(config, lastTokens.refresh_token);
    assert.notEqual(renewed.refresh_token, lastTokens.refresh_token);
    assert.equal((await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${renewed.access_token}` } })).status, 200);

    // Signed in already: a second sign-in goes straight back to the app (no page in between).
    await page.goto(`${appOrigin}/login`);
    await page.waitForURL((url) => url.origin === appOrigin && url.pathname === '/callback');
    assert.equal(await page.textContent('#who'), user.email);

    // RP-initiated logout back to the app; the UI session is gone.
    const logout = oidc.buildEndSessionUrl(config, { client_id: 'test-app', logout_uri: `${appOrigin}/signed-out`, state: 'bye' } as Record<string, string>);
    await page.goto(logout.href);
    await page.waitForURL((url) => url.origin === appOrigin && url.pathname === '/signed-out');
    assert.equal(new URL(page.url()).searchParams.get('state'), 'bye');
    await page.goto(`${api.url}/ui/account`);
    await page.waitForURL(/\/ui\/sign-in/);
  } finally {
    await browser.close();
  }
});
