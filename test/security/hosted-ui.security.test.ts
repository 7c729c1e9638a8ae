import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { anAdmin, PASSWORD, seedUser, signIn } from '../support/accounts.js';
import { scanAuditTable } from '../support/audit.js';
import { launchBrowser } from '../support/browser.js';
import { lastLinkToken } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { csrfOf, UiClient } from '../support/ui-client.js';

/** The security properties of the hosted pages (docs/specs/hosted-ui.md §12.2), one test each. */

let api: TestStack;

before(async () => {
  api = await startTestStack({ AUTH_UI: 'true', AUTH_UI_APP_NAME: 'Example App' });
});

after(async () => {
  await api?.close();
});

async function aUiUser(): Promise<{ email: string; userId: string; ui: UiClient }> {
  const user = await seedUser(api);
  const ui = new UiClient(api.url);
  await ui.signIn(user.email, PASSWORD);
  return { email: user.email, userId: user.id, ui };
}

async function sessionsOf(userId: string): Promise<number> {
  return (await api.scan()).filter((item) => item.pk === `USER#${userId}` && String(item.sk).startsWith('SESSION#')).length;
}

test('A POST without the CSRF token, or with a foreign Origin, changes nothing (sign-in included; audited)', async () => {
  const user = await seedUser(api);
  const ui = new UiClient(api.url);
  const page = await ui.get('/ui/sign-in');
  const token = csrfOf(page.text, '/ui/sign-in');
  const before = await api.scan();
  const refusals = [
    await ui.post('/ui/sign-in', { email: user.email, password: PASSWORD }),
    await ui.post('/ui/sign-in', { _csrf: 'forged', email: user.email, password: PASSWORD }),
    await ui.post('/ui/sign-in', { _csrf: token, email: user.email, password: PASSWORD }, { origin: 'https://evil.example' }),
    await ui.post('/ui/sign-in', { _csrf: token, email: user.email, password: PASSWORD }, { origin: null, headers: { 'sec-fetch-site': 'cross-site' } }),
    await new UiClient(api.url).post('/ui/sign-in', { _csrf: token, email: user.email, password: PASSWORD }),
    await ui.post('/ui/sign-up', { email: uniqueEmail('csrf'), password: PASSWORD, passwordConfirmation: PASSWORD }),
  ];
  for (const answer of refusals) {
    assert.equal(answer.status, 403);
    assert.equal(answer.setCookies.filter((c) => c.startsWith('__Host-latch_ui=') && !/Max-Age=0/.test(c)).length, 0);
  }
  assert.deepEqual(await api.scan(), before, 'nothing in the table changed (no session, no user, no counter)');
  const events = (await scanAuditTable(api.tableName)).events.filter((e) => e.type === 'csrf.rejected');
  assert.ok(events.length >= refusals.length, 'each refusal is audited');
  // The same form with its token and the UI's origin signs in.
  assert.equal((await ui.post('/ui/sign-in', { _csrf: token, email: user.email, password: PASSWORD })).status, 303);
  assert.equal(await sessionsOf(user.id), 1);

  // Signed in: a token of another session, or none, changes nothing either.
  const other = await aUiUser();
  const foreignToken = csrfOf((await other.ui.get('/ui/account')).text, '/ui/account/delete');
  const mine = csrfOf((await ui.get('/ui/account')).text, '/ui/account/delete');
  assert.equal((await ui.post('/ui/account/delete', { _csrf: foreignToken, 'delete-currentPassword': PASSWORD })).status, 403);
  assert.equal((await ui.post('/ui/account/delete', { _csrf: mine, 'delete-currentPassword': PASSWORD }, { origin: 'https://evil.example' })).status, 403);
  assert.ok(await api.store.getUser(user.id), 'the account still exists');
});

test('UI cookies carry __Host-, Secure, HttpOnly, Path=/ and SameSite=Lax; no token appears in HTML or a script', async () => {
  const user = await seedUser(api);
  const ui = new UiClient(api.url);
  const first = await ui.get('/ui/sign-in?lang=de');
  const signedIn = await ui.post('/ui/sign-in', { _csrf: csrfOf(first.text, '/ui/sign-in'), email: user.email, password: PASSWORD, rememberMe: 'on' });
  const cookies = [...first.setCookies, ...signedIn.setCookies];
  assert.ok(cookies.some((c) => c.startsWith('__Host-latch_ui=')));
  assert.ok(cookies.some((c) => c.startsWith('__Host-latch_csrf=')));
  assert.ok(cookies.some((c) => c.startsWith('__Host-latch_lang=')));
  for (const cookie of cookies) {
    assert.match(cookie, /^__Host-latch_[a-z]+=/);
    assert.match(cookie, /; Path=\/(;|$)/);
    assert.match(cookie, /; Secure(;|$)/);
    assert.match(cookie, /; HttpOnly(;|$)/);
    assert.match(cookie, /; SameSite=Lax(;|$)/);
    assert.doesNotMatch(cookie, /Domain=/i);
  }
  const sessionCookie = ui.cookies.get('__Host-latch_ui') ?? '';
  const secret = sessionCookie.split('.').at(-1) ?? '';
  assert.ok(secret.length > 40);
  const pages = [await ui.get('/ui/account'), await ui.get('/ui/account/security')];
  const script = await ui.get(/src="(\/ui\/assets\/[^"]+\.js)"/.exec(pages[0]?.text ?? '')?.[1] ?? '/none');
  assert.equal(script.status, 200);
  for (const body of [...pages.map((p) => p.text), script.text]) {
    assert.ok(!body.includes(secret), 'the session secret is not in a page or the script');
    assert.doesNotMatch(body, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'no JWT');
  }
});

test("Every page sends the CSP with frame-ancestors 'none', object-src 'none', base-uri 'none', has no inline script or style, and is not cached", async () => {
  const { ui } = await aUiUser();
  const anonymous = new UiClient(api.url);
  const answers = [
    await anonymous.get('/ui/sign-in'),
    await anonymous.get('/ui/sign-up'),
    await anonymous.get('/ui/forgot-password'),
    await anonymous.get('/ui/confirm-email/resend'),
    await anonymous.get('/ui/confirm-email/not-a-token'),
    await anonymous.get('/ui/reset-password/not-a-token'),
    await anonymous.get('/ui/invitation/not-a-token'),
    await anonymous.get('/ui/nothing-here'),
    await anonymous.get('/ui/sign-out'),
    await anonymous.post('/ui/sign-in', {}),
    await ui.get('/ui/account'),
    await ui.get('/ui/account/security'),
    await ui.get('/ui/account/security/totp'),
    await ui.get('/ui/account/activity'),
    await ui.get('/ui/reauthenticate'),
  ];
  for (const answer of answers) {
    const csp = answer.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    }
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.doesNotMatch(answer.text, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
    assert.doesNotMatch(answer.text, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
  }
});

test('A session revoked through the API ends the UI session on the next request (lock, reset, sign-out everywhere)', async () => {
  // Sign-out everywhere through the API
  const a = await aUiUser();
  assert.equal((await a.ui.get('/ui/account')).status, 200);
  const tokens = await signIn(api, a.email);
  assert.equal((await api.request('DELETE', '/sessions', { token: tokens.accessToken })).status, 204);
  const afterRevoke = await a.ui.get('/ui/account');
  assert.equal(afterRevoke.status, 303);
  assert.match(afterRevoke.headers.get('location') ?? '', /^\/ui\/sign-in/);
  assert.ok(!afterRevoke.text.includes(a.email));

  // A lock by an admin
  const b = await aUiUser();
  const admin = await anAdmin(api);
  assert.equal((await api.request('POST', `/admin/users/${b.userId}/lock`, { token: admin.token })).status, 200);
  assert.equal((await b.ui.get('/ui/account')).status, 303);

  // A password reset through the API
  const c = await aUiUser();
  assert.equal((await api.request('POST', '/password-reset', { body: { email: c.email } })).status, 202);
  const resetToken = await lastLinkToken(c.email, 'reset-password');
  const reset = await api.request('POST', `/password-reset/${resetToken}`, {
    body: { password: 'a brand new passphrase', passwordConfirmation: 'a brand new passphrase' },
  });
  assert.equal(reset.status, 200);
  assert.equal((await c.ui.get('/ui/account')).status, 303);
});

test('User-controlled text is escaped', async () => {
  const markup = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const user = await seedUser(api);
  const ui = new UiClient(api.url, `Mozilla ${markup}`);
  await ui.signIn(user.email, PASSWORD);
  const sessions = await ui.get('/ui/account/security');
  assert.equal(sessions.status, 200);
  assert.ok(sessions.text.includes('&lt;script>alert(1)&lt;/script>') || sessions.text.includes('&lt;script&gt;'), 'the user agent is shown escaped');
  assert.ok(!sessions.text.includes('<script>alert(1)'));
  assert.ok(!sessions.text.includes('<img src=x'));
  // A refused sign-up shows the typed address back in the field, escaped.
  const anonymous = new UiClient(api.url);
  const signUp = await anonymous.submit('/ui/sign-up', '/ui/sign-up', { email: `a${markup}@example.com`, password: 'x', passwordConfirmation: 'y' });
  assert.equal(signUp.status, 422);
  assert.ok(!signUp.text.includes('<script>alert(1)'));
  assert.ok(!signUp.text.includes('<img src=x'));
  assert.ok(signUp.text.includes('&quot;>') || signUp.text.includes('&quot;&gt;'));

  // The security and activity pages: passkey names, provider names and addresses, user agents.
  const at = new Date().toISOString();
  await getDeps().store.commit([
    {
      type: 'putPasskey',
      passkey: {
        userId: user.id,
        id: 'cred-escaped',
        publicKey: 'AA',
        counter: 0,
        transports: [],
        deviceType: 'singleDevice',
        backedUp: false,
        discoverable: false,
        aaguid: '00000000-0000-0000-0000-000000000000',
        name: `Key ${markup}`,
        createdAt: at,
        lastUsedAt: null,
      },
    },
    {
      type: 'putIdentity',
      identity: {
        userId: user.id,
        provider: `p${markup}`,
        sub: 'sub-1',
        email: `x${markup}@example.com`,
        emailVerified: true,
        name: markup,
        createdAt: at,
        lastUsedAt: at,
      },
    },
  ]);
  for (const path of ['/ui/account/security', '/ui/account/activity', '/ui/reauthenticate']) {
    const answer = await ui.get(path);
    assert.equal(answer.status, 200, path);
    assert.ok(!answer.text.includes('<script>alert(1)'), path);
    assert.ok(!answer.text.includes('<img src=x'), path);
  }
  const security = await ui.get('/ui/account/security');
  assert.ok(security.text.includes('Key &quot;>&lt;script>') || security.text.includes('Key &quot;&gt;&lt;script&gt;'), 'the passkey name is shown escaped');
});

test('GET on a mail link changes nothing (confirmation, invitation, reset)', async () => {
  const email = uniqueEmail('mail-link');
  assert.equal((await api.request('POST', '/registration', { body: { email, password: PASSWORD } })).status, 202);
  const confirm = await lastLinkToken(email, 'confirm-email');
  const inviter = await seedUser(api);
  const inviterTokens = await signIn(api, inviter.email);
  const invitee = uniqueEmail('invitee');
  assert.equal((await api.request('POST', '/invitations', { token: inviterTokens.accessToken, body: { email: invitee } })).status, 201);
  const invitation = await lastLinkToken(invitee, 'invitation');
  const resetUser = await seedUser(api);
  assert.equal((await api.request('POST', '/password-reset', { body: { email: resetUser.email } })).status, 202);
  const reset = await lastLinkToken(resetUser.email, 'reset-password');

  const before = await api.scan();
  const ui = new UiClient(api.url);
  for (const path of [`/ui/confirm-email/${confirm}`, `/ui/invitation/${invitation}`, `/ui/reset-password/${reset}`]) {
    const page = await ui.get(path);
    assert.equal(page.status, 200, path);
    assert.match(page.text, /<form method="post"/);
    await ui.get(path); // a scanner may fetch twice
  }
  assert.deepEqual(await api.scan(), before, 'the links still work and nothing was written');
  // The button does the change.
  const confirmed = await ui.submit(`/ui/confirm-email/${confirm}`, `/ui/confirm-email/${confirm}`, {});
  assert.equal(confirmed.status, 200);
  assert.equal((await api.store.findUserByEmail(email))?.emailConfirmed, true);
});

test('The back button after sign-out shows no account data', async () => {
  const user = await seedUser(api);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/ui/sign-in`);
    await page.fill('#email', user.email);
    await page.fill('#password', PASSWORD);
    await page.click('form.stack button[type=submit]');
    await page.waitForURL(/\/ui\/account$/);
    assert.ok((await page.content()).includes(user.email));
    await page.click('header form button[type=submit]');
    await page.waitForURL(/\/ui\/signed-out$/);
    await page.goBack();
    await page.waitForLoadState();
    assert.ok(!(await page.content()).includes(user.email), `back shows ${page.url()}`);
    assert.match(page.url(), /\/ui\/(sign-in|signed-out)/);
  } finally {
    await browser.close();
  }
});

test('A return parameter never leads off the site', async () => {
  const hostile = [
    'https://evil.example/',
    '//evil.example/ui/account',
    '/\\evil.example',
    '/ui/../../evil',
    'javascript:alert(1)',
    '/ui/account\r\nLocation: https://evil.example',
    `${api.url.replace('127.0.0.1', 'localhost')}/ui/account`,
    '/admin/users',
  ];
  for (const target of hostile) {
    const user = await seedUser(api);
    const ui = new UiClient(api.url);
    const page = await ui.get(`/ui/sign-in?return=${encodeURIComponent(target)}`);
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1]?.replaceAll('&amp;', '&') ?? '/ui/sign-in';
    const answer = await ui.post(action, { _csrf: csrfOf(page.text, action.replaceAll('&', '&amp;')), email: user.email, password: PASSWORD });
    assert.equal(answer.status, 303, target);
    const location = answer.headers.get('location') ?? '';
    assert.ok(location.startsWith('/ui/') && !location.startsWith('//'), `${target} → ${location}`);
    assert.equal(new URL(location, api.url).origin, new URL(api.url).origin);
  }
  // A same-site page is followed.
  const user = await seedUser(api);
  const ui = new UiClient(api.url);
  const page = await ui.get('/ui/sign-in?return=%2Fui%2Faccount%2Fsessions');
  const action = '/ui/sign-in?return=%2Fui%2Faccount%2Fsessions';
  const answer = await ui.post(action, { _csrf: csrfOf(page.text, action), email: user.email, password: PASSWORD });
  assert.equal(answer.headers.get('location'), '/ui/account/sessions');
});
