import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, launchBrowser, SCREENSHOT_DIR, screenshot } from '../support/browser.js';
import { lastLinkToken } from '../support/mail.js';
import { enrolTotp, movableClock, totpAt, wrongTotpAt } from '../support/mfa.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The hosted pages in a real browser (docs/specs/hosted-ui.md §12.1): every page and state in
 * `en`, `de` and `en-XA` (and the spec's subset in `ar-XB`), axe with zero violations, full-page screenshots at 1280×800
 * and 320×640 (in `test-results/ui/`), a keyboard-only walk and a walk without JavaScript.
 */

const PASSWORD = 'Correct-horse-battery-2719';
const LOCALES = ['en', 'de', 'en-XA', 'ar-XB'] as const;

let stack: TestStack;
let browser: Browser;
let clock: ReturnType<typeof movableClock>;

before(async () => {
  stack = await startTestStack({
    AUTH_UI: 'true',
    AUTH_UI_PSEUDO_LOCALES: 'true',
    AUTH_UI_APP_NAME: 'Example App',
    AUTH_INVITATIONS: 'any',
    AUTH_MFA: 'optional',
  });
  clock = movableClock();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

/** Every state the walk captured: name → locales. */
const captured = new Map<string, Set<string>>();

/** `ar-XB` proves the mirrored layout on the spec's subset (§12.1): the walk runs, these states are checked and shot. */
const RTL_STATES = new Set([
  'sign-in',
  'sign-in-invalid-credentials',
  'sign-in-mfa',
  'sign-in-mfa-invalid-code',
  'sign-up',
  'sign-up-errors',
  'reset-password',
  'reset-password-errors',
  'account',
  'not-found',
]);

async function capture(page: Page, locale: string, state: string): Promise<void> {
  if (locale === 'ar-XB' && !RTL_STATES.has(state)) return;
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${state} (${locale})`);
  await screenshot(page, `${state}.${locale}.1280x800`);
  await page.setViewportSize({ width: 320, height: 640 });
  await screenshot(page, `${state}.${locale}.320x640`);
  await page.setViewportSize({ width: 1280, height: 800 });
  const seen = captured.get(state) ?? new Set<string>();
  seen.add(locale);
  captured.set(state, seen);
}

async function newContext(locale: string): Promise<BrowserContext> {
  return browser.newContext({ locale, viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
}

async function signUpAndConfirm(email: string): Promise<void> {
  const registered = await stack.request('POST', '/registration', { body: { email, password: PASSWORD, passwordConfirmation: PASSWORD } });
  assert.equal(registered.status, 202);
  const token = await lastLinkToken(email, 'confirm-email');
  assert.equal((await stack.request('POST', `/email-confirmation/${token}`)).status, 200);
}

for (const locale of LOCALES) {
  test(`every page and state in ${locale}: axe finds nothing, screenshots at 1280×800 and 320×640`, async () => {
    const context = await newContext(locale);
    const page = await context.newPage();
    const base = stack.url;
    const email = uniqueEmail(`ui-${locale.toLowerCase()}`);

    // Sign-in and its refusals
    await page.goto(`${base}/ui/sign-in`);
    assert.equal(await page.locator('html').getAttribute('lang'), locale);
    await capture(page, locale, 'sign-in');
    await page.fill('#email', 'nobody@example.com');
    await page.fill('#password', 'wrong password here');
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('.error-summary');
    await capture(page, locale, 'sign-in-invalid-credentials');

    // Sign-up: errors, then "check your mail"
    await page.goto(`${base}/ui/sign-up`);
    await capture(page, locale, 'sign-up');
    await page.fill('#email', 'not-an-email');
    await page.fill('#password', 'short');
    await page.fill('#passwordConfirmation', 'other');
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('.error-summary');
    assert.equal(await page.locator('#password').getAttribute('aria-invalid'), 'true');
    await capture(page, locale, 'sign-up-errors');
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.fill('#passwordConfirmation', PASSWORD);
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('[role=status], main p');
    await capture(page, locale, 'sign-up-check-mail');

    // Not confirmed yet: the sign-in says so (and mails a new link)
    await page.goto(`${base}/ui/sign-in`);
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('.error-summary');
    await capture(page, locale, 'sign-in-not-confirmed');

    // The mailed confirmation link lands on the page; GET shows a button
    const confirmToken = await lastLinkToken(email, 'confirm-email');
    await page.goto(`${base}/ui/confirm-email/${confirmToken}`);
    await capture(page, locale, 'confirm-email');
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('[role=status]');
    await capture(page, locale, 'confirm-email-done');
    await page.goto(`${base}/ui/confirm-email/${confirmToken}`);
    await page.click('form.stack button[type=submit]');
    await page.waitForLoadState();
    await capture(page, locale, 'invalid-link');

    await page.goto(`${base}/ui/confirm-email/resend`);
    await capture(page, locale, 'resend-confirmation');

    // Forgot password → the mailed reset link → errors → done
    await page.goto(`${base}/ui/forgot-password`);
    await capture(page, locale, 'forgot-password');
    await page.fill('#email', email);
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('main p');
    await capture(page, locale, 'forgot-password-sent');
    const resetToken = await lastLinkToken(email, 'reset-password');
    await page.goto(`${base}/ui/reset-password/${resetToken}`);
    await capture(page, locale, 'reset-password');
    await page.fill('#password', PASSWORD);
    await page.fill('#passwordConfirmation', `${PASSWORD}x`);
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('.error-summary');
    await capture(page, locale, 'reset-password-errors');
    await page.fill('#password', `${PASSWORD}!`);
    await page.fill('#passwordConfirmation', `${PASSWORD}!`);
    await page.click('form.stack button[type=submit]');
    await page.waitForLoadState();
    await capture(page, locale, 'reset-password-done');

    // The real second step: TOTP turned on (through the API), the password on the sign-in page, then the code page.
    const secret = await enrolTotp(stack, email, `${PASSWORD}!`, clock);
    await page.goto(`${base}/ui/sign-in`);
    await page.fill('#email', email);
    await page.fill('#password', `${PASSWORD}!`);
    await page.click('form.stack button[type=submit]');
    await page.waitForURL(/\/ui\/sign-in\/mfa\?/);
    assert.equal(await page.locator('#code').getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await page.locator('#code').getAttribute('inputmode'), 'numeric');
    await capture(page, locale, 'sign-in-mfa');
    await page.fill('#code', await wrongTotpAt(secret, clock.nowSeconds()));
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('.error-summary');
    await capture(page, locale, 'sign-in-mfa-invalid-code');
    clock.toStepStart(1); // a fresh step: the captures above take a while
    await page.fill('#code', await totpAt(secret, clock.nowSeconds()));
    await page.click('form.stack button[type=submit]');
    await page.waitForURL(/\/ui\/account$/);
    await capture(page, locale, 'account');
    await page.fill('#password-currentPassword', 'not my password');
    await page.fill('#password-password', 'x');
    await page.fill('#password-passwordConfirmation', 'y');
    await page.click('form[action="/ui/account/password"] button[type=submit]');
    await page.waitForSelector('.error-summary');
    await capture(page, locale, 'account-errors');
    // The sessions list moved to the security page (test/browser/hosted-ui-security.test.ts shoots it).

    // The CSRF refusal page: a form whose token was removed
    await page.goto(`${base}/ui/account`);
    await page.evaluate(() => {
      document.querySelectorAll('form[action="/ui/account/email"] input[name=_csrf]').forEach((input) => {
        input.remove();
      });
    });
    await page.fill('#email-email', 'other@example.com');
    await page.click('form[action="/ui/account/email"] button[type=submit]');
    await page.waitForLoadState();
    await capture(page, locale, 'csrf-rejected');

    // Sign out, then the back button shows nothing of the account
    await page.goto(`${base}/ui/account`);
    await page.click('header form button[type=submit]');
    await page.waitForURL(/\/ui\/signed-out$/);
    await capture(page, locale, 'signed-out');

    // An invitation (sent through the API by a signed-in user)
    const inviter = uniqueEmail('inviter');
    await signUpAndConfirm(inviter);
    const session = await stack.request('POST', '/session', { body: { email: inviter, password: PASSWORD } });
    const invitee = uniqueEmail('invitee');
    assert.equal((await stack.request('POST', '/invitations', { token: session.body.accessToken, body: { email: invitee } })).status, 201);
    const invitationToken = await lastLinkToken(invitee, 'invitation');
    await page.goto(`${base}/ui/invitation/${invitationToken}`);
    await capture(page, locale, 'invitation');
    await page.fill('#password', 'short');
    await page.fill('#passwordConfirmation', 'short');
    await page.click('form.stack button[type=submit]');
    await page.waitForSelector('.error-summary');
    await capture(page, locale, 'invitation-errors');

    await page.goto(`${base}/ui/no-such-page`);
    await capture(page, locale, 'not-found');
    await context.close();
  });
}

test('the whole expected set of screenshots was written', () => {
  const files = new Set(readdirSync(SCREENSHOT_DIR));
  assert.ok(captured.size >= 20, `states captured: ${[...captured.keys()].join(', ')}`);
  for (const [state, locales] of captured) {
    for (const locale of LOCALES) {
      if (locale === 'ar-XB' && !RTL_STATES.has(state)) continue;
      assert.ok(locales.has(locale), `${state} in ${locale}`);
      for (const size of ['1280x800', '320x640']) assert.ok(files.has(`${state}.${locale}.${size}.png`), `${state}.${locale}.${size}.png`);
    }
  }
});

test('a keyboard-only walk: sign-in → account → sign-out, focus visible and in order', async () => {
  const email = uniqueEmail('keyboard');
  await signUpAndConfirm(email);
  const context = await newContext('en');
  const page = await context.newPage();
  await page.goto(`${stack.url}/ui/sign-in`);
  // The skip link comes first and leads to the main content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('class')), 'skip');
  await page.keyboard.press('Enter');
  const order: string[] = [];
  for (let i = 0; i < 8 && !order.includes('rememberMe'); i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return { id: '', outline: 'none' };
      return { id: el.id || el.getAttribute('name') || el.textContent || '', outline: getComputedStyle(el).outlineStyle };
    });
    assert.notEqual(focused.outline, 'none', `focus is visible on ${focused.id}`);
    order.push(focused.id);
    if (focused.id === 'email') await page.keyboard.type(email);
    if (focused.id === 'password') await page.keyboard.type(PASSWORD);
  }
  assert.deepEqual(
    order.filter((id) => ['email', 'password', 'rememberMe'].includes(id)),
    ['email', 'password', 'rememberMe'],
  );
  await screenshot(page, 'keyboard-focus.en.1280x800');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/ui\/account$/);
  assert.match((await page.textContent('main')) ?? '', new RegExp(email.replace(/[.+]/g, '\\$&')));
  await context.close();
});

test('without JavaScript: sign-up, confirmation, sign-in and sign-out work with plain forms', async () => {
  const email = uniqueEmail('nojs');
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en' });
  const page = await context.newPage();
  await page.goto(`${stack.url}/ui/sign-up`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.fill('#passwordConfirmation', PASSWORD);
  await page.click('form.stack button[type=submit]');
  await page.goto(`${stack.url}/ui/confirm-email/${await lastLinkToken(email, 'confirm-email')}`);
  await page.click('form.stack button[type=submit]');
  await page.goto(`${stack.url}/ui/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form.stack button[type=submit]');
  await page.waitForURL(/\/ui\/account$/);
  await page.click('header form button[type=submit]');
  await page.waitForURL(/\/ui\/signed-out$/);
  await page.goto(`${stack.url}/ui/account`);
  assert.match(page.url(), /\/ui\/sign-in\?return=/);
  await context.close();
});
