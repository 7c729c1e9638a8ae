import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { axeViolations, launchBrowser, SCREENSHOT_DIR, screenshot } from '../support/browser.js';
import { lastLinkToken } from '../support/mail.js';
import { enrolTotp, movableClock, totpAt } from '../support/mfa.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The screenshot matrix of docs/specs/hosted-ui.md §12.1: the key pages (sign-in, second step,
 * sign-up, reset, account security and the error page) at 320×640, at 200 % zoom, in the dark
 * scheme, and in `de`, `en-XA` and `ar-XB`, besides 1280×800 light `en`; one browser, one context
 * per variant. Every page and error state at 1280×800 light `en` is shot by `hosted-ui.test.ts`.
 * Files go to `test-results/ui/` (git-ignored) as `<page>.<variant>.png`; the last test checks the
 * whole expected set was written. Pages built later append an entry to {@link MATRIX_PAGES}.
 */

const PASSWORD = 'Correct-horse-battery-2719';

interface MatrixPage {
  /** File name stem. */
  name: string;
  /** Needs a signed-in UI session. */
  signedIn?: boolean;
  /** Opens the page in the state to shoot; `ctx` holds what the variant's setup made. */
  open(page: Page, ctx: { base: string; email: string; resetToken: string }): Promise<void>;
}

/** The first step on the sign-in page, for a user with TOTP on: the real second step's page follows. */
async function firstStepByForm(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/ui/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form.stack button[type=submit]');
  await page.waitForURL(/\/ui\/sign-in\/mfa\?/);
}

/** The key pages of §12.1. Append new ones here (e.g. the account security page once it exists). */
export const MATRIX_PAGES: MatrixPage[] = [
  { name: 'sign-in', open: (page, { base }) => page.goto(`${base}/ui/sign-in`).then(() => undefined) },
  {
    name: 'sign-in-mfa',
    open: (page, { base, email }) => firstStepByForm(page, base, email),
  },
  { name: 'sign-up', open: (page, { base }) => page.goto(`${base}/ui/sign-up`).then(() => undefined) },
  { name: 'reset-password', open: (page, { base, resetToken }) => page.goto(`${base}/ui/reset-password/${resetToken}`).then(() => undefined) },
  // The account page until the security page (`/ui/account/security`, built on another branch) lands: then point this entry there.
  { name: 'account-security', signedIn: true, open: (page, { base }) => page.goto(`${base}/ui/account/security`).then(() => undefined) },
  { name: 'error', open: (page, { base }) => page.goto(`${base}/ui/no-such-page`).then(() => undefined) },
];

/** The variants: the base one and each of §12.1's. */
const VARIANTS: Array<{ name: string; locale: string; options: BrowserContextOptions; axe: boolean }> = [
  { name: 'en.1280x800', locale: 'en', options: { viewport: { width: 1280, height: 800 } }, axe: false },
  { name: 'en.320x640', locale: 'en', options: { viewport: { width: 320, height: 640 } }, axe: false },
  // 200 % zoom of a 1280×800 window: half the CSS pixels at twice the density.
  { name: 'en.1280x800.zoom200', locale: 'en', options: { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 }, axe: false },
  { name: 'en.1280x800.dark', locale: 'en', options: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' }, axe: true },
  { name: 'de.1280x800', locale: 'de', options: { viewport: { width: 1280, height: 800 } }, axe: false },
  { name: 'en-XA.1280x800', locale: 'en-XA', options: { viewport: { width: 1280, height: 800 } }, axe: false },
  { name: 'ar-XB.1280x800', locale: 'ar-XB', options: { viewport: { width: 1280, height: 800 } }, axe: false },
];

/** Every file the matrix must write. */
export function expectedScreenshots(): string[] {
  return MATRIX_PAGES.flatMap((p) => VARIANTS.map((v) => `${p.name}.${v.name}.png`));
}

let stack: TestStack;
let browser: Browser;
let clock: ReturnType<typeof movableClock>;
const written = new Set<string>();

before(async () => {
  stack = await startTestStack({ AUTH_UI: 'true', AUTH_UI_PSEUDO_LOCALES: 'true', AUTH_UI_APP_NAME: 'Example App', AUTH_MFA: 'optional' });
  clock = movableClock();
  browser = await launchBrowser();
  for (const file of expectedScreenshots()) rmSync(path.join(SCREENSHOT_DIR, file), { force: true });
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

async function confirmedUser(email: string): Promise<void> {
  const registered = await stack.request('POST', '/registration', { body: { email, password: PASSWORD, passwordConfirmation: PASSWORD } });
  assert.equal(registered.status, 202);
  const token = await lastLinkToken(email, 'confirm-email');
  assert.equal((await stack.request('POST', `/email-confirmation/${token}`)).status, 200);
}

for (const variant of VARIANTS) {
  test(`screenshot matrix: the key pages at ${variant.name}`, async () => {
    const context = await browser.newContext({ locale: variant.locale, reducedMotion: 'reduce', ...variant.options });
    const page = await context.newPage();
    const base = stack.url;
    const email = uniqueEmail(`shot-${variant.name.toLowerCase().replace(/[^a-z0-9]/g, '')}`);
    await confirmedUser(email);
    const secret = await enrolTotp(stack, email, PASSWORD, clock);
    await stack.request('POST', '/password-reset', { body: { email } });
    const resetToken = await lastLinkToken(email, 'reset-password');
    const ctx = { base, email, resetToken };
    for (const entry of MATRIX_PAGES.filter((p) => !p.signedIn)) {
      await entry.open(page, ctx);
      await shoot(page, entry.name, variant);
    }
    // Signed in through the form and the real second step, then the signed-in pages.
    await firstStepByForm(page, base, email);
    clock.toStepStart(1);
    await page.fill('#code', await totpAt(secret, clock.nowSeconds()));
    await page.click('form.stack button[type=submit]');
    await page.waitForURL(/\/ui\/account$/);
    for (const entry of MATRIX_PAGES.filter((p) => p.signedIn)) {
      await entry.open(page, ctx);
      await shoot(page, entry.name, variant);
    }
    await context.close();
  });
}

async function shoot(page: Page, name: string, variant: (typeof VARIANTS)[number]): Promise<void> {
  assert.equal(await page.locator('html').getAttribute('lang'), variant.locale, `${name} ${variant.name}`);
  if (variant.locale === 'ar-XB') assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  // Dark-scheme contrast is what this matrix adds to the axe runs of hosted-ui.test.ts (light, every state and locale).
  if (variant.axe) assert.deepEqual(await axeViolations(page), [], `axe on ${name} (${variant.name})`);
  written.add(await screenshot(page, `${name}.${variant.name}`));
}

test('the whole expected set of matrix screenshots was written', () => {
  const files = new Set(readdirSync(SCREENSHOT_DIR));
  const missing = expectedScreenshots().filter((file) => !written.has(file) || !files.has(file));
  assert.deepEqual(missing, []);
  assert.equal(expectedScreenshots().length, MATRIX_PAGES.length * VARIANTS.length);
});
