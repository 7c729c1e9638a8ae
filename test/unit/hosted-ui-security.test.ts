/**
 * The signed-in security pages, the step-up page and the activity page render every state
 * (docs/specs/hosted-ui.md §5.2), driven through `handleUi` over in-memory deps; and the page
 * script served is the bundle of its source.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate } from 'otplib';
import { bundleUiScript } from '../../scripts/build-ui-script.js';
import { signIn } from '../../shared/flows/current-session.js';
import { ASSETS } from '../../shared/ui/assets.js';
import { PAGE_SCRIPT } from '../../shared/ui/script.generated.js';
import { aUser } from '../support/fixtures.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';
import { csrfOf, MemoryBrowser, ORIGIN } from '../support/memory-browser.js';

const PASSWORD = 'Correct-horse-battery-2719';

async function signedInBrowser(env: Record<string, string> = {}, overrides: Parameters<typeof aUser>[0] = {}) {
  const deps = await memoryDeps({ AUTH_UI: 'true', APP_URL: `${ORIGIN}/ui`, AUTH_MFA: 'optional', ...env });
  const user = aUser({ passwordHash: await deps.hasher.hash(PASSWORD), ...overrides });
  await deps.store.commit([{ type: 'createUser', user }]);
  // A UI sign-in (`client: 'ui'`, as `uiRequest(ctx)` makes it): the session's handle is the cookie.
  const tokens = await signIn(deps, { email: user.email, password: PASSWORD }, { ip: '192.0.2.1', userAgent: 'unit-browser/1.0', client: 'ui' });
  assert.ok(tokens.uiSession, 'a UI sign-in answers the UI session handle');
  const browser = new MemoryBrowser(deps);
  browser.cookies.set('__Host-latch_ui', tokens.uiSession);
  return { deps, user, browser };
}

const now = (deps: MemoryDeps) => Math.floor(deps.clock.now() / 1000);

test('the generated page script is the bundle of shared/ui/script/page.ts (npm run build:ui-script), served under its hash', async () => {
  assert.equal(PAGE_SCRIPT, await bundleUiScript(), 'shared/ui/script.generated.ts is stale: run npm run build:ui-script');
  assert.equal(ASSETS.js.body, PAGE_SCRIPT);
  assert.match(ASSETS.js.path, /^\/ui\/assets\/latch\.[0-9a-f]{12}\.js$/);
  for (const part of ['/ui/passkeys/', 'x-latch-csrf', 'data-toggle-password', 'navigator.credentials']) assert.ok(PAGE_SCRIPT.includes(part), part);
});

test('the security page: sessions (this one marked), two-factor status, passkeys, password, a sign-out control; the old sessions path redirects', async () => {
  const { browser } = await signedInBrowser();
  const page = await browser.get('/ui/account/security');
  assert.equal(page.status, 200);
  for (const part of [
    '<h1>Security</h1>',
    'This device',
    'Two-factor authentication is off.',
    'href="/ui/account/security/totp"',
    'You have no passkeys.',
    'data-passkey="add"',
    'data-csrf="',
    'action="/ui/account/security/sessions/revoke-all"',
    'action="/ui/sign-out"',
    'href="/ui/account/activity"',
  ])
    assert.ok(page.html.includes(part), part);
  // Only one password way in: no "remove the password" offered.
  assert.ok(!page.html.includes('/ui/account/security/password/remove'));
  const old = await browser.get('/ui/account/sessions');
  assert.equal(old.status, 303);
  assert.equal(old.location, '/ui/account/security#sessions');
});

test('TOTP enrolment: start (fresh), the QR code and secret, a wrong code in place, then the recovery codes once; then disable after a step-up', async () => {
  const { deps, browser } = await signedInBrowser();
  const start = await browser.get('/ui/account/security/totp');
  assert.equal(start.status, 200);
  const enrol = await browser.submit(start.html, '/ui/account/security/totp');
  assert.equal(enrol.status, 200);
  assert.match(enrol.html, /<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
  const secret = /<code id="totp-secret"[^>]*>([A-Z2-7]+)<\/code>/.exec(enrol.html)?.[1] ?? '';
  assert.ok(secret.length >= 32);
  assert.ok(enrol.html.includes('autocomplete="one-time-code"'));

  const wrong = await browser.submit(enrol.html, '/ui/account/security/totp/confirm', { code: '000000', secret });
  assert.equal(wrong.status, 422);
  assert.ok(wrong.html.includes('class="error-summary"') && wrong.html.includes('aria-invalid="true"'));
  assert.ok(wrong.html.includes(secret), 'the same enrolment is shown again');

  const codes = await browser.submit(wrong.html, '/ui/account/security/totp/confirm', { code: await generate({ secret, epoch: now(deps) }), secret });
  assert.equal(codes.status, 200);
  const shown = [...codes.html.matchAll(/<li><code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<\/code><\/li>/g)].map((m) => m[1]);
  assert.equal(shown.length, 10);
  assert.ok(codes.html.includes('data-print'));

  const after = await browser.get('/ui/account/security');
  assert.ok(after.html.includes('Two-factor authentication is on.'));
  assert.ok(after.html.includes('Recovery codes left: 10'));
  assert.ok(!shown.some((code) => after.html.includes(code as string)), 'the codes are never shown again');

  // Past the step-up window, an (R) action goes to the step-up page first, and comes back.
  deps.clock.advance(deps.config.reauthWindowSeconds + 1);
  const refused = await browser.submit(after.html, '/ui/account/security/recovery-codes');
  assert.equal(refused.status, 303);
  assert.equal(refused.location, '/ui/reauthenticate?return=%2Fui%2Faccount%2Fsecurity');
  const reauth = await browser.get(refused.location as string);
  assert.equal(reauth.status, 200);
  assert.ok(reauth.html.includes('id="currentPassword"') && reauth.html.includes('id="code"'), 'password and code for an MFA user');
  const badCode = await browser.submit(reauth.html, refused.location as string, { currentPassword: PASSWORD, code: '000000' });
  assert.equal(badCode.status, 422);
  assert.ok(badCode.html.includes('aria-invalid="true"'));
  deps.clock.advance(31);
  const stepped = await browser.submit(badCode.html, refused.location as string, {
    currentPassword: PASSWORD,
    code: await generate({ secret, epoch: now(deps) }),
  });
  assert.equal(stepped.status, 303);
  assert.equal(stepped.location, '/ui/account/security');

  const security = await browser.get('/ui/account/security');
  const regenerated = await browser.submit(security.html, '/ui/account/security/recovery-codes');
  assert.equal(regenerated.status, 200);
  assert.equal([...regenerated.html.matchAll(/<li><code>/g)].length, 10);

  const disabled = await browser.submit(security.html, '/ui/account/security/totp/disable');
  assert.equal(disabled.status, 303);
  const off = await browser.get(disabled.location as string);
  assert.ok(off.html.includes('The authenticator app has been turned off.'));
  assert.ok(off.html.includes('Two-factor authentication is off.'));
});

test('the flows’ refusals show in place: the last sign-in method, a passkey that is gone', async () => {
  const { deps, browser, user } = await signedInBrowser();
  await deps.store.commit([
    {
      type: 'putPasskey',
      passkey: {
        userId: user.id,
        id: 'cred-1',
        publicKey: 'AA',
        counter: 0,
        transports: [],
        deviceType: 'singleDevice',
        backedUp: false,
        discoverable: false,
        aaguid: '00000000-0000-0000-0000-000000000000',
        name: 'Laptop',
        createdAt: '2026-01-01T00:00:00.000Z',
        lastUsedAt: null,
      },
    },
  ]);
  const page = await browser.get('/ui/account/security');
  assert.ok(page.html.includes('value="Laptop"'));
  const blank = await browser.submit(page.html, '/ui/account/security/passkeys/rename', { id: 'cred-1', index: '0', 'passkey-name-0': '' });
  assert.equal(blank.status, 422);
  assert.ok(blank.html.includes('href="#passkey-name-0"'), 'the summary links to the field');
  const renamed = await browser.submit(page.html, '/ui/account/security/passkeys/rename', { id: 'cred-1', index: '0', 'passkey-name-0': 'Work laptop' });
  assert.equal(renamed.status, 200);
  assert.ok(renamed.html.includes('value="Work laptop"'));
  const gone = await browser.submit(page.html, '/ui/account/security/passkeys/rename', { id: 'cred-2', index: '0', 'passkey-name-0': 'x' });
  assert.equal(gone.status, 409);
  assert.ok(gone.html.includes('This no longer exists.'));
  const last = await browser.submit(page.html, '/ui/account/security/passkeys/remove', { id: 'cred-1' });
  assert.equal(last.status, 303, 'a non-discoverable passkey is no sign-in method: removed');
  const noPassword = await browser.request('POST', '/ui/account/security/password/remove', {
    _csrf: csrfOf(page.html, '/ui/account/security/sessions/revoke-all'),
  });
  assert.equal(noPassword.status, 403, 'a token of another form is refused');
});

test('the step-up page for a user without MFA asks for the password only; a wrong one in place; the return target stays on the site', async () => {
  const { browser } = await signedInBrowser();
  const page = await browser.get('/ui/reauthenticate?return=https%3A%2F%2Fevil.example%2F');
  assert.equal(page.status, 200);
  assert.ok(page.html.includes('id="currentPassword"') && !page.html.includes('id="code"'));
  assert.ok(page.html.includes('action="/ui/reauthenticate?return=%2Fui%2Faccount%2Fsecurity"'));
  const wrong = await browser.submit(page.html, '/ui/reauthenticate?return=%2Fui%2Faccount%2Fsecurity', { currentPassword: 'not it' });
  assert.equal(wrong.status, 422);
  const right = await browser.submit(page.html, '/ui/reauthenticate?return=%2Fui%2Faccount%2Fsecurity', { currentPassword: PASSWORD });
  assert.equal(right.status, 303);
  assert.equal(right.location, '/ui/account/security');
});

test('the activity page lists the user’s own events, pages by cursor, and survives a bad cursor', async () => {
  const { browser } = await signedInBrowser();
  const page = await browser.get('/ui/account/activity');
  assert.equal(page.status, 200);
  assert.ok(page.html.includes('<h1>Recent activity</h1>'));
  assert.ok(page.html.includes('<code>sign_in</code>'));
  const bad = await browser.get('/ui/account/activity?cursor=nonsense');
  assert.equal(bad.status, 200);
  assert.ok(bad.html.includes('<code>sign_in</code>'));
  assert.ok(bad.html.includes('href="/ui/account/activity"'), 'a link back to the newest');
});

test('AUTH_MFA=required: a session without a second factor is sent to the enrolment page', async () => {
  const { browser } = await signedInBrowser({ AUTH_MFA: 'required' });
  for (const path of ['/ui/account', '/ui/account/activity']) {
    const answer = await browser.get(path);
    assert.equal(answer.status, 303, path);
    assert.equal(answer.location, '/ui/account/security');
  }
  const page = await browser.get('/ui/account/security');
  assert.ok(page.html.includes('Your account needs a second factor.'));
});

test('the second step shows the passkey button only for a challenge whose user has a passkey; sign-in always offers it', async () => {
  const deps = await memoryDeps({ AUTH_UI: 'true', APP_URL: `${ORIGIN}/ui` });
  const browser = new MemoryBrowser(deps);
  const signInPage = await browser.get('/ui/sign-in');
  assert.ok(signInPage.html.includes('data-passkey="sign-in"') && signInPage.html.includes('autocomplete="username webauthn"'));
  browser.cookies.set('__Host-latch_mfa', 'not-a-challenge');
  const second = await browser.get('/ui/sign-in/mfa');
  assert.equal(second.status, 200);
  assert.ok(!second.html.includes('data-passkey="mfa"'));
});
