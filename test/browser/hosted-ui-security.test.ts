import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SEED_PASSWORD, seedUser } from '../support/accounts.js';
import { axeViolations, launchBrowser, SCREENSHOT_DIR, screenshot } from '../support/browser.js';
import { movableClock, totpAt } from '../support/mfa.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The signed-in security pages in a real browser (docs/specs/hosted-ui.md §5.2, §12.1): TOTP
 * enrolment end to end (the secret read from the page, the code from otplib), the recovery codes
 * shown once, the step-up page, the activity page, the page script's passkey failure in the error
 * summary; axe with zero violations and full-page screenshots of every state; the security page
 * also at 320×640, at 200 % zoom, in the dark scheme and in `de`, `en-XA` and `ar-XB`; and the
 * keyboard-only walk sign-in → second step → account security → sign-out.
 */

let stack: TestStack;
let browser: Browser;
let clock: ReturnType<typeof movableClock>;

before(async () => {
  stack = await startTestStack({ AUTH_UI: 'true', AUTH_UI_PSEUDO_LOCALES: 'true', AUTH_UI_APP_NAME: 'Example App', AUTH_MFA: 'optional' });
  clock = movableClock();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

/** Every screenshot this file wrote. */
const written = new Set<string>();

async function capture(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${name}`);
  written.add(await screenshot(page, name));
}

async function newContext(locale = 'en', options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  return browser.newContext({ locale, viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', ...options });
}

async function signInByForm(page: Page, email: string): Promise<void> {
  await page.goto(`${stack.url}/ui/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', SEED_PASSWORD);
  await page.click('form.stack button[type=submit]');
}

/** Enrols TOTP through the pages: the secret from the page, the code from otplib. Returns the secret and the recovery codes shown. */
async function enrolTotp(page: Page, shoot: boolean): Promise<{ secret: string; codes: string[] }> {
  await page.goto(`${stack.url}/ui/account/security`);
  await page.click('a[href="/ui/account/security/totp"]');
  await page.waitForURL(/\/security\/totp$/);
  if (shoot) await capture(page, 'security-totp-start.en.1280x800');
  await page.click('form[action="/ui/account/security/totp"] button[type=submit]');
  await page.waitForSelector('img.qr');
  const secret = ((await page.textContent('#totp-secret')) ?? '').trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.match((await page.getAttribute('img.qr', 'src')) ?? '', /^data:image\/svg\+xml;base64,/);
  if (shoot) await capture(page, 'security-totp-enrol.en.1280x800');
  if (shoot) {
    await page.fill('#code', '000000');
    await page.click('form[action="/ui/account/security/totp/confirm"] button[type=submit]');
    await page.waitForSelector('.error-summary');
    assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
    await capture(page, 'security-totp-invalid-code.en.1280x800');
  }
  await page.fill('#code', await totpAt(secret, clock.nowSeconds()));
  await page.click('form[action="/ui/account/security/totp/confirm"] button[type=submit]');
  await page.waitForSelector('#recovery-codes');
  const codes = (await page.locator('#recovery-codes li').allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10);
  // The next codes come from a later step (the confirming one is spent).
  clock.toStepStart(1);
  return { secret, codes };
}

test('the security pages in en: TOTP end to end, recovery codes once, step-up, activity, a passkey failure in the summary; axe and screenshots', async () => {
  const user = await seedUser(stack);
  const context = await newContext();
  const page = await context.newPage();
  await signInByForm(page, user.email);
  await page.waitForURL(/\/ui\/account$/);

  await page.goto(`${stack.url}/ui/account/security`);
  assert.equal(await page.textContent('h1'), 'Security');
  assert.equal(await page.locator('header form[action="/ui/sign-out"] button').count(), 1, 'a visible sign-out control');
  await capture(page, 'security.en.1280x800');

  // The page script: "Add a passkey" shows; a failed ceremony lands in the error summary, focused.
  const add = page.locator('button[data-passkey="add"]');
  assert.ok(await add.isVisible());
  assert.ok(((await add.getAttribute('data-csrf')) ?? '').length > 20);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  await add.click();
  await page.waitForSelector('.error-summary');
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true);
  await capture(page, 'security-passkey-failed.en.1280x800');

  const { codes } = await enrolTotp(page, true);
  assert.ok(await page.locator('button[data-print]').isVisible());
  await capture(page, 'security-recovery-codes.en.1280x800');
  await page.emulateMedia({ media: 'print' });
  written.add(await screenshot(page, 'security-recovery-codes-print.en.1280x800'));
  await page.emulateMedia({ media: 'screen' });

  await page.click('a[href="/ui/account/security"]');
  assert.match((await page.textContent('main')) ?? '', /Recovery codes left: 10/);
  for (const code of codes) assert.ok(!((await page.content()) ?? '').includes(code), 'the codes are never shown again');
  await capture(page, 'security-mfa-on.en.1280x800');

  // Past the step-up window: regenerating goes to the step-up page first, then back.
  clock.shift(301);
  await page.click('form[action="/ui/account/security/recovery-codes"] button[type=submit]');
  await page.waitForURL(/\/ui\/reauthenticate\?return=/);
  await capture(page, 'reauthenticate.en.1280x800');
  await page.fill('#currentPassword', 'not my password');
  await page.fill('#code', '000000');
  await page.click('form[action^="/ui/reauthenticate"] button[type=submit]');
  await page.waitForSelector('.error-summary');
  await capture(page, 'reauthenticate-errors.en.1280x800');
  await page.fill('#currentPassword', SEED_PASSWORD);
  await page.fill('#code', codes[0] as string);
  await page.click('form[action^="/ui/reauthenticate"] button[type=submit]');
  await page.waitForURL(/\/ui\/account\/security$/);
  await page.click('form[action="/ui/account/security/recovery-codes"] button[type=submit]');
  await page.waitForSelector('#recovery-codes');
  assert.equal(await page.locator('#recovery-codes li').count(), 10);
  await capture(page, 'security-recovery-codes-regenerated.en.1280x800');

  await page.goto(`${stack.url}/ui/account/activity`);
  assert.match((await page.textContent('main')) ?? '', /mfa\.totp_enabled/);
  await capture(page, 'activity.en.1280x800');
  await context.close();
});

test('the security page at 320×640, at 200 % zoom, in the dark scheme, and in de, en-XA and ar-XB', async () => {
  const user = await seedUser(stack);
  // One context and one sign-in: the language by the chooser's `?lang=`, the rest by viewport and media emulation.
  const context = await newContext();
  const page = await context.newPage();
  await signInByForm(page, user.email);
  await page.waitForURL(/\/ui\/account$/);
  const variants: Array<{ name: string; locale: string; viewport?: { width: number; height: number }; dark?: boolean }> = [
    { name: 'security.de.1280x800', locale: 'de' },
    { name: 'security.en-XA.1280x800', locale: 'en-XA' },
    { name: 'security.ar-XB.1280x800', locale: 'ar-XB' },
    { name: 'security.en.320x640', locale: 'en', viewport: { width: 320, height: 640 } },
    // 200 % zoom of a 1280×800 window: 640×400 CSS pixels.
    { name: 'security.en.zoom200', locale: 'en', viewport: { width: 640, height: 400 } },
    { name: 'security.en.dark', locale: 'en', dark: true },
  ];
  for (const variant of variants) {
    await page.setViewportSize(variant.viewport ?? { width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: variant.dark ? 'dark' : 'light' });
    await page.goto(`${stack.url}/ui/account/security?lang=${variant.locale}`);
    assert.equal(await page.locator('html').getAttribute('lang'), variant.locale);
    // Nothing wider than the viewport (1.4.10 reflow).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${variant.name}: no horizontal scrolling (${overflow}px)`);
    await capture(page, variant.name);
  }
  await context.close();
});

test('a keyboard-only walk: sign-in → second step → account security → sign-out, focus visible and in order', async () => {
  // A user with TOTP (enrolled through the pages), signed out again.
  const user = await seedUser(stack);
  const setup = await newContext();
  const setupPage = await setup.newPage();
  await signInByForm(setupPage, user.email);
  await setupPage.waitForURL(/\/ui\/account$/);
  const { codes } = await enrolTotp(setupPage, false);
  await setup.close();

  const context = await newContext();
  const page = await context.newPage();
  /** Tabs until `done` holds for the focused element; each stop has a visible focus ring and comes after the last in document order. */
  async function tabTo(done: (el: { id: string; href: string; text: string; action: string }) => boolean, limit = 30): Promise<void> {
    let lastIndex = -1;
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const all = Array.from(document.querySelectorAll('*'));
        return {
          id: el?.id ?? '',
          href: el?.getAttribute('href') ?? '',
          text: (el?.textContent ?? '').trim(),
          action: el?.closest('form')?.getAttribute('action') ?? '',
          outline: el ? getComputedStyle(el).outlineStyle : 'none',
          index: el ? all.indexOf(el) : -1,
        };
      });
      assert.notEqual(focused.outline, 'none', `focus is visible on ${focused.id || focused.href || focused.text}`);
      assert.ok(focused.index > lastIndex, `focus moves forward in document order (${focused.id || focused.href || focused.text})`);
      lastIndex = focused.index;
      if (done(focused)) return;
    }
    assert.fail('the target was not reached by Tab');
  }

  await page.goto(`${stack.url}/ui/sign-in`);
  await tabTo((el) => el.id === 'email');
  await page.keyboard.type(user.email);
  await tabTo((el) => el.id === 'password');
  await page.keyboard.type(SEED_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/ui\/sign-in\/mfa/);

  await tabTo((el) => el.id === 'code');
  await page.keyboard.type(codes[1] as string);
  written.add(await screenshot(page, 'keyboard-second-step.en.1280x800'));
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/ui\/account$/);

  await tabTo((el) => el.href === '/ui/account/security');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/ui\/account\/security$/);
  await tabTo((el) => el.action === '/ui/sign-out');
  written.add(await screenshot(page, 'keyboard-security-sign-out.en.1280x800'));
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/ui\/signed-out$/);
  await context.close();
});

test('the security states wrote their screenshots', () => {
  const files = new Set(readdirSync(SCREENSHOT_DIR));
  for (const name of [
    'security.en.1280x800.png',
    'security-totp-start.en.1280x800.png',
    'security-totp-enrol.en.1280x800.png',
    'security-totp-invalid-code.en.1280x800.png',
    'security-recovery-codes.en.1280x800.png',
    'security-mfa-on.en.1280x800.png',
    'security-passkey-failed.en.1280x800.png',
    'reauthenticate.en.1280x800.png',
    'reauthenticate-errors.en.1280x800.png',
    'activity.en.1280x800.png',
    'security.en.320x640.png',
    'security.en.zoom200.png',
    'security.en.dark.png',
    'security.de.1280x800.png',
    'security.en-XA.1280x800.png',
    'security.ar-XB.1280x800.png',
  ]) {
    assert.ok(written.has(name), `${name} written by this run`);
    assert.ok(files.has(name), name);
  }
});
