/**
 * The provider pages (docs/specs/hosted-ui.md §5.1) render every state, driven through `handleUi`
 * over in-memory deps with a provider whose answer the test chooses; the flow secret and the
 * pending token stay in `__Host-` HttpOnly cookies and never reach the HTML; `loadConfig` refuses
 * the UI with a provider that lacks the pages' callback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate } from 'otplib';
import { loadConfig } from '../../shared/config.js';
import { type ProviderProfile, parseOAuthProviders } from '../../shared/domain/oauth.js';
import { signIn } from '../../shared/flows/current-session.js';
import { inviteUser } from '../../shared/flows/invitations.js';
import { confirmTotp, startTotpEnrollment } from '../../shared/flows/mfa-totp.js';
import type { OAuthProviders } from '../../shared/ports/oauth-providers.js';
import { uiSession } from '../../shared/ui/kit.js';
import { aUser } from '../support/fixtures.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';
import { type Answer, MemoryBrowser, ORIGIN } from '../support/memory-browser.js';

const PASSWORD = 'Correct-horse-battery-2719';
const CALLBACK = `${ORIGIN}/ui/oauth/corp/callback`;

const PROVIDERS = parseOAuthProviders(
  [{ id: 'corp', preset: 'oidc', name: 'Corp SSO', issuer: 'https://sso.corp.example', clientId: 'c', clientSecret: { env: 'X' }, redirectUris: [CALLBACK] }],
  false,
);

/** A provider whose next answer is `profile`; records the state of the last authorization URL. */
function withProvider(deps: MemoryDeps, profile: () => ProviderProfile) {
  const seen = { state: '', callbackUrl: '' };
  deps.oauth = {
    list: () => PROVIDERS,
    authorizationUrl: async (_p, request) => {
      seen.state = request.state;
      return `https://sso.corp.example/authorize?${new URLSearchParams({ state: request.state, redirect_uri: request.redirectUri })}`;
    },
    finish: async (_p, request) => {
      seen.callbackUrl = request.callbackUrl;
      if (new URL(request.callbackUrl).searchParams.get('code') !== 'good') throw new (await import('../../shared/domain/errors.js')).AuthError('oauth_failed');
      return profile();
    },
    verifyIdToken: () => Promise.reject(new Error('not called')),
  } satisfies OAuthProviders;
  return seen;
}

async function setup(profile: () => ProviderProfile, env: Record<string, string> = {}) {
  const deps = await memoryDeps({ AUTH_UI: 'true', APP_URL: `${ORIGIN}/ui`, AUTH_MFA: 'optional', ...env });
  const seen = withProvider(deps, profile);
  return { deps, seen, browser: new MemoryBrowser(deps) };
}

/** From the sign-in page's link to the provider and back with `code`. */
async function roundTrip(browser: MemoryBrowser, seen: { state: string }, code = 'good', from = '/ui/sign-in'): Promise<Answer> {
  const signInPage = await browser.get(from);
  const href = /href="(\/ui\/oauth\/corp\/start[^"]*)"/.exec(signInPage.html)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(href, 'a provider link on the page');
  const start = await browser.get(href);
  assert.equal(start.status, 303);
  assert.match(start.location ?? '', /^https:\/\/sso\.corp\.example\/authorize\?/);
  return browser.get(`/ui/oauth/corp/callback?${new URLSearchParams({ code, state: seen.state })}`);
}

function noSecretsIn(html: string, browser: MemoryBrowser): void {
  for (const [name, value] of browser.cookies) {
    if (name === '__Host-latch_lang') continue;
    for (const part of value.split('.')) if (part.length >= 20) assert.ok(!html.includes(part), `${name} does not appear in the HTML`);
  }
}

const verified = (email: string): ProviderProfile => ({ sub: `sub-${email}`, email, emailVerified: true, name: 'Ada' });

test('the sign-in page links (never posts) to each provider; start sets the __Host- HttpOnly flow cookie and redirects; an unknown provider is the 404 page', async () => {
  const { browser } = await setup(() => verified('ada@example.com'));
  const signInPage = await browser.get('/ui/sign-in');
  assert.ok(signInPage.html.includes('href="/ui/oauth/corp/start?intent=sign_in"'));
  assert.ok(signInPage.html.includes('Sign in with Corp SSO'));
  assert.ok(!signInPage.html.includes('action="/ui/oauth/'), 'no form posts to a provider route');
  const start = await browser.get('/ui/oauth/corp/start?intent=sign_in');
  assert.equal(start.status, 303);
  const flow = start.cookies.find((c) => c.startsWith('__Host-latch_flow='));
  assert.ok(flow);
  assert.match(flow, /; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
  const unknown = await browser.get('/ui/oauth/nope/start');
  assert.equal(unknown.status, 404);
  assert.ok(unknown.html.includes('<h1>'));
});

test('a verified new address signs in: the UI session starts, the flow cookie is cleared, the account page follows', async () => {
  const { browser, seen } = await setup(() => verified('new@example.com'));
  const back = await roundTrip(browser, seen);
  assert.equal(back.status, 303);
  assert.equal(back.location, '/ui/account');
  assert.ok(back.cookies.some((c) => c.startsWith('__Host-latch_flow=;') && c.includes('Max-Age=0')));
  assert.ok(browser.cookies.has('__Host-latch_ui'));
  assert.ok(seen.callbackUrl.startsWith(`${CALLBACK}?`), 'the callback URL is the pages’ redirect URI');
  const account = await browser.get('/ui/account');
  assert.equal(account.status, 200);
  assert.ok(account.html.includes('new@example.com'));
});

test('a return target survives the provider round trip', async () => {
  const { browser, seen } = await setup(() => verified('ret@example.com'));
  const back = await roundTrip(browser, seen, 'good', '/ui/sign-in?return=%2Fui%2Faccount%2Fsecurity');
  assert.equal(back.location, '/ui/account/security');
});

test('a user with a second factor goes to the second step', async () => {
  const { deps, browser, seen } = await setup(() => verified('mfa@example.com'));
  const user = aUser({ email: 'mfa@example.com', passwordHash: await deps.hasher.hash(PASSWORD), mfaEnabled: true });
  await deps.store.commit([
    { type: 'createUser', user },
    {
      type: 'putIdentity',
      identity: {
        userId: user.id,
        provider: 'corp',
        sub: 'sub-mfa@example.com',
        email: null,
        emailVerified: false,
        name: null,
        createdAt: '2026-01-01T00:00:00.000Z',
        lastUsedAt: '2026-01-01T00:00:00.000Z',
      },
    },
  ]);
  const back = await roundTrip(browser, seen);
  assert.equal(back.status, 303);
  assert.match(back.location ?? '', /^\/ui\/sign-in\/mfa\?/);
  assert.ok(browser.cookies.has('__Host-latch_mfa'));
  const mfa = await browser.get(back.location as string);
  assert.equal(mfa.status, 200);
  noSecretsIn(mfa.html, browser);
});

test('an unverified new address: "check your mail"', async () => {
  const { browser, seen } = await setup(() => ({ sub: 's-u', email: 'unverified@example.com', emailVerified: false, name: null }));
  const back = await roundTrip(browser, seen);
  assert.equal(back.status, 202);
  assert.ok(back.html.includes('Check your email'));
});

test('no email from the provider: the add-email page (pending token only in a cookie), then the account is created', async () => {
  const { browser, seen } = await setup(() => ({ sub: 's-none', email: null, emailVerified: false, name: null }), { AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
  const back = await roundTrip(browser, seen);
  assert.equal(back.location, '/ui/oauth/add-email');
  // The pending identity rides in the spec's flow cookie (a tagged value), for the pending identity's life.
  const pending = back.cookies.filter((c) => c.startsWith('__Host-latch_flow='));
  assert.equal(pending.length, 1, 'one Set-Cookie of the flow cookie');
  assert.match(pending[0] ?? '', /^__Host-latch_flow=p\.corp\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=900$/);
  assert.ok(!back.cookies.some((c) => c.startsWith('__Host-latch_pending=')), 'no cookie outside the spec’s table');
  const form = await browser.get('/ui/oauth/add-email');
  assert.equal(form.status, 200);
  assert.ok(form.html.includes('Add your email address'));
  assert.ok(form.html.includes('Corp SSO'));
  noSecretsIn(form.html, browser);
  const blank = await browser.submit(form.html, '/ui/oauth/add-email', { email: '' });
  assert.equal(blank.status, 422);
  assert.ok(blank.html.includes('error-summary') || blank.html.includes('role="alert"'));
  const done = await browser.submit(blank.html, '/ui/oauth/add-email', { email: 'typed@example.com' });
  assert.equal(done.status, 303);
  assert.equal(done.location, '/ui/account');
  assert.ok(!browser.cookies.has('__Host-latch_flow'), 'cleared after use');
  // Spent: the page is gone.
  assert.equal((await browser.get('/ui/oauth/add-email')).status, 303, 'signed in now: a guest page sends to the account');
});

test('a verified address that is taken: the link page; signing in there links the identity', async () => {
  const { deps, browser, seen } = await setup(() => verified('owner@example.com'));
  const user = aUser({ email: 'owner@example.com', passwordHash: await deps.hasher.hash(PASSWORD) });
  await deps.store.commit([{ type: 'createUser', user }]);
  const back = await roundTrip(browser, seen);
  assert.equal(back.location, '/ui/oauth/link');
  assert.match(browser.cookies.get('__Host-latch_flow') ?? '', /^p\.corp\./);
  const link = await browser.get('/ui/oauth/link');
  assert.equal(link.status, 200);
  assert.ok(link.html.includes('An account with this address exists. Sign in to link your Corp SSO account.'));
  noSecretsIn(link.html, browser);
  const wrong = await browser.submit(link.html, '/ui/oauth/link', { email: 'owner@example.com', password: 'wrong-password-123' });
  assert.equal(wrong.status, 400);
  const signedIn = await browser.submit(wrong.html, '/ui/oauth/link', { email: 'owner@example.com', password: PASSWORD });
  assert.equal(signedIn.location, '/ui/oauth/link');
  const linked = await browser.get('/ui/oauth/link');
  assert.equal(linked.status, 303);
  assert.equal(linked.location, '/ui/account/security');
  assert.ok(await deps.store.findIdentity('corp', 'sub-owner@example.com'));
  assert.ok(!browser.cookies.has('__Host-latch_flow'), 'cleared after use');
  const spent = await browser.get('/ui/oauth/link');
  assert.equal(spent.status, 404, 'the pending identity is spent');
});

test('a provider error, a replayed callback and a missing flow cookie: error pages with PowAssent’s text, nothing signed in', async () => {
  const { browser, seen } = await setup(() => verified('err@example.com'));
  const failed = await roundTrip(browser, seen, 'bad');
  assert.equal(failed.status, 400);
  assert.ok(failed.html.includes('Something went wrong, and you couldn'));
  assert.ok(!browser.cookies.has('__Host-latch_ui'));
  const again = await browser.get(`/ui/oauth/corp/callback?code=good&state=${seen.state}`);
  assert.equal(again.status, 404);
  assert.ok(again.html.includes('expired or was already used'));
  const deu = await browser.get(`/ui/oauth/corp/callback?code=good&state=${seen.state}&lang=de`);
  assert.ok(deu.html.includes('abgelaufen'));
  const noPending = await browser.get('/ui/oauth/add-email');
  assert.equal(noPending.status, 404);
});

test('POST /ui/oauth/<provider>/callback (form_post) needs no token or origin: 303 to the GET with the fields as query, nothing else', async () => {
  const { browser } = await setup(() => verified('apple@example.com'));
  const answer = await browser.request('POST', '/ui/oauth/corp/callback', { code: 'c1', state: 's1' }, { origin: 'https://appleid.apple.com' });
  assert.equal(answer.status, 303);
  assert.equal(answer.location, '/ui/oauth/corp/callback?code=c1&state=s1');
  // Every other POST keeps the checks.
  const other = await browser.request('POST', '/ui/oauth/add-email', { email: 'x@example.com' }, { origin: 'https://evil.example' });
  assert.equal(other.status, 403);
});

test('a guest who starts a link is sent to sign in first', async () => {
  const { browser } = await setup(() => verified('x@example.com'));
  const guest = await browser.get('/ui/oauth/corp/start?intent=link');
  assert.equal(guest.status, 303);
  assert.match(guest.location ?? '', /^\/ui\/sign-in\?return=/);
});

test('a signed-in user links a provider from the security page: start, the provider, back on the security page', async () => {
  const { deps, browser, seen } = await setup(() => verified('linker-at-corp@example.com'));
  const user = aUser({ email: 'linker@example.com', passwordHash: await deps.hasher.hash(PASSWORD) });
  await deps.store.commit([{ type: 'createUser', user }]);
  const tokens = await signIn(deps, { email: user.email, password: PASSWORD }, { ip: '192.0.2.1', userAgent: 'unit-browser/1.0', client: 'ui' });
  browser.cookies.set('__Host-latch_ui', tokens.uiSession as string);
  const start = await browser.get('/ui/oauth/corp/start?intent=link');
  assert.equal(start.status, 303);
  assert.match(start.location ?? '', /^https:\/\/sso\.corp\.example\//);
  const flowSecret = (browser.cookies.get('__Host-latch_flow') ?? '').split('.')[1] ?? '';
  assert.ok(flowSecret.length > 40 && !(start.location ?? '').includes(flowSecret), 'the flowSecret never goes to the provider');
  const back = await browser.get(`/ui/oauth/corp/callback?code=good&state=${seen.state}`);
  assert.equal(back.location, '/ui/account/security');
  const identity = await deps.store.findIdentity('corp', 'sub-linker-at-corp@example.com');
  assert.equal(identity?.userId, user.id);
});

test('an invitation is accepted through a provider: the invitation page links with the token, the identity completes the invited user', async () => {
  const { deps, browser, seen } = await setup(() => ({ sub: 's-inv', email: 'other-address@example.com', emailVerified: true, name: null }));
  await inviteUser(deps, null, 'invited@example.com');
  const token = lastMailedToken(deps, 'invited@example.com', 'invitation');
  const back = await roundTrip(browser, seen, 'good', `/ui/invitation/${token}`);
  assert.equal(back.location, '/ui/account');
  const identity = await deps.store.findIdentity('corp', 's-inv');
  assert.ok(identity);
  assert.equal((await deps.store.getUser(identity.userId))?.email, 'invited@example.com');
});

test('loadConfig refuses the UI with a provider whose redirectUris lack <APP_URL>/oauth/<provider>/callback', () => {
  const provider = (uris: string[]) =>
    JSON.stringify([
      { id: 'corp', preset: 'oidc', name: 'Corp', issuer: 'https://sso.corp.example', clientId: 'c', clientSecret: { env: 'X' }, redirectUris: uris },
    ]);
  const env = { AUTH_UI: 'true', APP_URL: 'https://auth.example/ui' };
  assert.throws(
    () => loadConfig({ ...env, AUTH_OAUTH_PROVIDERS: provider(['https://app.example/cb']) }),
    /provider "corp" must list https:\/\/auth\.example\/ui\/oauth\/corp\/callback in redirectUris/,
  );
  assert.doesNotThrow(() => loadConfig({ ...env, AUTH_OAUTH_PROVIDERS: provider(['https://app.example/cb', 'https://auth.example/ui/oauth/corp/callback']) }));
  // Without the UI, an app's own redirect URIs are enough.
  assert.doesNotThrow(() => loadConfig({ APP_URL: 'https://auth.example/ui', AUTH_OAUTH_PROVIDERS: provider(['https://app.example/cb']) }));
});

test('remember me: the start link with remember=1 gives a remembered session (Max-Age up to its deadline); without it a browser-session cookie', async () => {
  for (const remember of [true, false]) {
    const { deps, browser, seen } = await setup(() => verified(`remember-${remember}@example.com`));
    await browser.get('/ui/sign-in');
    const start = await browser.get(`/ui/oauth/corp/start?intent=sign_in${remember ? '&remember=1' : ''}`);
    assert.equal(start.status, 303);
    assert.match(browser.cookies.get('__Host-latch_flow') ?? '', remember ? /^f\.[^.]+\.sr\.$/ : /^f\.[^.]+\.s\.$/);
    const back = await browser.get(`/ui/oauth/corp/callback?code=good&state=${seen.state}`);
    assert.equal(back.location, '/ui/account');
    const cookie = back.cookies.find((c) => c.startsWith('__Host-latch_ui=')) ?? '';
    if (remember) assert.match(cookie, new RegExp(`; Max-Age=${deps.config.rememberMeTtlSeconds}$`));
    else assert.ok(!cookie.includes('Max-Age'), 'a browser-session cookie');
    const session = await uiSession(deps, browser.cookies.get('__Host-latch_ui'));
    assert.ok(session);
    const life = session.session.expiresAt - Math.floor(deps.clock.now() / 1000);
    if (remember) assert.ok(life > deps.config.sessionTtlSeconds, 'the remembered deadline');
    else assert.ok(life <= deps.config.sessionTtlSeconds);
  }
});

test('remember me travels through a provider sign-in’s second step', async () => {
  const { deps, browser, seen } = await setup(() => verified('mfa-remember@example.com'));
  const user = aUser({ email: 'mfa-remember@example.com', passwordHash: await deps.hasher.hash(PASSWORD), mfaEnabled: true });
  await deps.store.commit([
    { type: 'createUser', user },
    { type: 'putIdentity', identity: identityOf(user.id, 'sub-mfa-remember@example.com') },
  ]);
  await browser.get('/ui/oauth/corp/start?intent=sign_in&remember=1');
  const back = await browser.get(`/ui/oauth/corp/callback?code=good&state=${seen.state}`);
  assert.match(back.location ?? '', /^\/ui\/sign-in\/mfa\?.*rememberMe=on/);
});

function identityOf(userId: string, sub: string) {
  return {
    userId,
    provider: 'corp',
    sub,
    email: null,
    emailVerified: false,
    name: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastUsedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A user with a password and the provider linked, signed in on the pages (a UI session); with `totp`, TOTP turned on. */
async function linkedUser(deps: MemoryDeps, browser: MemoryBrowser, email: string, totp: boolean): Promise<{ userId: string; secret: string }> {
  const user = aUser({ email, passwordHash: await deps.hasher.hash(PASSWORD) });
  await deps.store.commit([
    { type: 'createUser', user },
    { type: 'putIdentity', identity: identityOf(user.id, `sub-${email}`) },
  ]);
  const tokens = await signIn(deps, { email, password: PASSWORD }, { ip: '192.0.2.1', userAgent: 'unit-browser/1.0', client: 'ui' });
  browser.cookies.set('__Host-latch_ui', tokens.uiSession as string);
  if (!totp) return { userId: user.id, secret: '' };
  const signed = await uiSession(deps, tokens.uiSession);
  assert.ok(signed);
  const started = await startTotpEnrollment(deps, signed.principal, { currentPassword: PASSWORD });
  const secret = started.totp.secret;
  await confirmTotp(deps, signed.principal, { code: await generate({ secret, epoch: Math.floor(deps.clock.now() / 1000) }) });
  return { userId: user.id, secret };
}

test('step-up through a provider for a user with a second factor: the callback waits (state unspent) for the code page; a wrong code spends the flow; the right one refreshes amr and authTime', async () => {
  const { deps, browser, seen } = await setup(() => verified('stepper@example.com'));
  const { userId, secret } = await linkedUser(deps, browser, 'stepper@example.com', true);
  deps.clock.advance(deps.config.reauthWindowSeconds + 31);
  const from = '/ui/reauthenticate?return=%2Fui%2Faccount%2Fsecurity';
  const reauth = await browser.get(from);
  assert.ok(
    reauth.html.includes('href="/ui/oauth/corp/start?intent=reauthenticate&amp;return=%2Fui%2Faccount%2Fsecurity"'),
    'the provider link keeps the return',
  );

  const back = await roundTrip(browser, seen, 'good', from);
  assert.equal(back.status, 303);
  assert.equal(back.location, '/ui/oauth/corp/code');
  assert.equal(seen.callbackUrl, '', 'the provider is not called before the code is there');
  assert.match(browser.cookies.get('__Host-latch_flow') ?? '', /^c\./);
  const codePage = await browser.get('/ui/oauth/corp/code');
  assert.equal(codePage.status, 200);
  assert.ok(codePage.html.includes('You confirmed it is you with Corp SSO.'));
  assert.ok(codePage.html.includes('autocomplete="one-time-code"'));
  noSecretsIn(codePage.html, browser);
  assert.ok(!codePage.html.includes(seen.state), 'the held callback stays out of the HTML');

  const blank = await browser.submit(codePage.html, '/ui/oauth/corp/code', { code: '' });
  assert.equal(blank.status, 422);
  assert.match(browser.cookies.get('__Host-latch_flow') ?? '', /^c\./, 'a blank code spends nothing');
  const now = () => Math.floor(deps.clock.now() / 1000);
  const right = await generate({ secret, epoch: now() });
  const wrongCode = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
  const wrong = await browser.submit(blank.html, '/ui/oauth/corp/code', { code: wrongCode });
  assert.equal(wrong.status, 401);
  assert.ok(wrong.html.includes('The code you entered is invalid or has already been used. Please confirm it is you again.'));
  assert.ok(!browser.cookies.has('__Host-latch_flow'), 'the flow is spent');
  const before = (await deps.store.getSession(userId, (await uiSession(deps, browser.cookies.get('__Host-latch_ui')))?.session.id ?? ''))?.authTime;

  seen.callbackUrl = '';
  const again = await roundTrip(browser, seen, 'good', from);
  assert.equal(again.location, '/ui/oauth/corp/code');
  const page2 = await browser.get('/ui/oauth/corp/code');
  const done = await browser.submit(page2.html, '/ui/oauth/corp/code', { code: await generate({ secret, epoch: now() }) });
  assert.equal(done.status, 303);
  assert.equal(done.location, '/ui/account/security');
  assert.ok(!browser.cookies.has('__Host-latch_flow'));
  const session = (await uiSession(deps, browser.cookies.get('__Host-latch_ui')))?.session;
  assert.deepEqual(session?.amr, ['fed', 'otp', 'mfa']);
  assert.ok((session?.authTime ?? 0) > (before ?? 0));
  // Fresh now: an (R) page opens without the step-up.
  const codes = await browser.get('/ui/account/security');
  assert.equal(codes.status, 200);
});

test('step-up through a provider without a second factor: straight back to the return target', async () => {
  const { deps, browser, seen } = await setup(() => verified('plain@example.com'));
  await linkedUser(deps, browser, 'plain@example.com', false);
  const back = await roundTrip(browser, seen, 'good', '/ui/reauthenticate?return=%2Fui%2Faccount');
  assert.equal(back.status, 303);
  assert.equal(back.location, '/ui/account');
  assert.deepEqual((await uiSession(deps, browser.cookies.get('__Host-latch_ui')))?.session.amr, ['fed']);
});

test('the flow cookie’s tags do not mix: a pending identity is no flow for the callback, a started flow no pending identity', async () => {
  const { browser, seen } = await setup(() => ({ sub: 's-mix', email: null, emailVerified: false, name: null }));
  await roundTrip(browser, seen);
  assert.match(browser.cookies.get('__Host-latch_flow') ?? '', /^p\./);
  const callback = await browser.get(`/ui/oauth/corp/callback?code=good&state=${seen.state}`);
  assert.equal(callback.status, 404);
  await browser.get('/ui/oauth/corp/start?intent=sign_in');
  assert.match(browser.cookies.get('__Host-latch_flow') ?? '', /^f\./);
  assert.equal((await browser.get('/ui/oauth/add-email')).status, 404);
  assert.equal((await browser.get('/ui/oauth/link')).status, 404);
});

test('a step-up callback too long to hold in the cookie: the error page, nothing held, nothing signed', async () => {
  const { deps, browser, seen } = await setup(() => verified('long@example.com'));
  await linkedUser(deps, browser, 'long@example.com', true);
  await browser.get('/ui/oauth/corp/start?intent=reauthenticate');
  const back = await browser.get(`/ui/oauth/corp/callback?code=good&state=${seen.state}&extra=${'a'.repeat(500)}`);
  assert.equal(back.status, 400);
  assert.ok(!browser.cookies.has('__Host-latch_flow'));
  assert.equal(seen.callbackUrl, '');
});

test('a provider step-up during the MFA lockout: the step-up page with the wait (429), the code not tried', async () => {
  const { deps, browser, seen } = await setup(() => verified('locked-out@example.com'), { AUTH_MAX_FAILED_MFA: '1' });
  await linkedUser(deps, browser, 'locked-out@example.com', true);
  for (const expected of [401, 429]) {
    await roundTrip(browser, seen, 'good', '/ui/reauthenticate');
    const codePage = await browser.get('/ui/oauth/corp/code');
    const answer = await browser.submit(codePage.html, '/ui/oauth/corp/code', { code: '000000' });
    assert.equal(answer.status, expected);
    assert.ok(answer.html.includes('class="error-summary"'));
  }
});
