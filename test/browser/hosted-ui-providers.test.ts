import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../infra/local/services.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { axeViolations, launchBrowser, screenshot } from '../support/browser.js';
import { enrolTotp, movableClock, totpAt } from '../support/mfa.js';
import { startTestOp, type TestOp } from '../support/oidc-provider.js';
import { testServices, uniqueEmail, uniqueTableName } from '../support/services.js';

/**
 * The provider pages in a real browser (docs/specs/hosted-ui.md §5.1): from the sign-in page's
 * provider link through `oidc-provider` on loopback back to `/ui/account`; an existing address
 * goes to the link page, whose sign-in links the identity. axe finds nothing on the new pages;
 * screenshots in `test-results/ui/`.
 */

const PASSWORD = 'Correct-horse-battery-2719';

let stack: Awaited<ReturnType<typeof startLocalStack>>;
let op: TestOp;
let browser: Browser;
let base: string;
let clock: ReturnType<typeof movableClock>;

before(async () => {
  // The pages' callback must be a registered redirect URI (hosted-ui §2), so the port is chosen first.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const callback = `${base}/ui/oauth/op/callback`;
  op = await startTestOp({ redirectUris: [callback], interactive: true });
  process.env.LATCH_TEST_UI_OP_SECRET = op.clientSecret;
  const services = testServices();
  stack = await startLocalStack({
    port,
    dynamoDbEndpoint: services.dynamoDbEndpoint,
    sesEndpoint: services.sesUrl,
    tableName: uniqueTableName('uip'),
    env: {
      AUTH_UI: 'true',
      APP_URL: `${base}/ui`,
      AUTH_UI_APP_NAME: 'Example App',
      AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false',
      AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: 'true',
      AUTH_OAUTH_PROVIDERS: JSON.stringify([
        {
          id: 'op',
          preset: 'oidc',
          name: 'Test OP',
          issuer: op.issuer,
          clientId: op.clientId,
          clientSecret: { env: 'LATCH_TEST_UI_OP_SECRET' },
          redirectUris: [callback],
        },
      ]),
    },
  });
  clock = movableClock();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.close();
  await op?.close();
});

/**
 * The page's cookies once the navigation to `url` has finished: the URL matched and its document
 * loaded (a redirect's Set-Cookie lands before the next document), then read, retried briefly
 * while the named cookie is not there yet.
 */
async function cookiesAt(page: Page, context: BrowserContext, url: string | RegExp, name: string) {
  await page.waitForURL(url, { waitUntil: 'load' });
  let cookies = await context.cookies(base);
  for (let i = 0; i < 20 && !cookies.some((c) => c.name === name); i++) {
    await page.waitForTimeout(100);
    cookies = await context.cookies(base);
  }
  return cookies;
}

/** Through the test OP's login page with `email` (the OP asks every time: `prompt=login` for a step-up). */
async function atProvider(page: Page, email: string): Promise<void> {
  await page.waitForURL(`${op.issuer}/**`);
  await page.fill('input[name=email]', email);
  await page.click('button[type=submit]');
}

async function registered(email: string): Promise<void> {
  const answer = await fetch(`${base}/registration`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, passwordConfirmation: PASSWORD }),
  });
  assert.equal(answer.status, 201);
}

/** JSON requests to the stack (the shape of `TestStack.request`, for the API helpers). */
const api = {
  async request(method: string, path: string, options: { body?: unknown; token?: string } = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${base}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, text };
  },
};

async function checked(page: import('playwright-core').Page, name: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe on ${name}`);
  await screenshot(page, `${name}.en.1280x800`);
}

test('sign-in through a provider: the sign-in page’s link, the provider, back signed in on /ui/account; an existing address links after its sign-in', async () => {
  const context = await browser.newContext({ locale: 'en', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();

  // A new address: the provider link signs up and in.
  const email = uniqueEmail('uip-new');
  await page.goto(`${base}/ui/sign-in`);
  await checked(page, 'sign-in-providers');
  await page.click('a[href^="/ui/oauth/op/start"]');
  await page.waitForURL(`${op.issuer}/**`);
  await page.fill('input[name=email]', email);
  await page.click('button[type=submit]');
  const cookies = await cookiesAt(page, context, `${base}/ui/account`, '__Host-latch_ui');
  assert.ok((await page.content()).includes(email));
  const ui = cookies.find((c) => c.name === '__Host-latch_ui');
  assert.ok(ui?.httpOnly && ui.secure, `the UI cookie is set (cookies: ${cookies.map((c) => c.name).join(', ')})`);
  assert.equal(ui.expires, -1, 'without remember me: a browser-session cookie');
  assert.ok(!cookies.some((c) => c.name === '__Host-latch_flow'), 'the flow cookie is cleared');
  await context.clearCookies();

  // An address with an account: the link page, then the password sign-in links the provider.
  const owner = uniqueEmail('uip-owner');
  const registered = await fetch(`${base}/registration`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: owner, password: PASSWORD, passwordConfirmation: PASSWORD }),
  });
  assert.equal(registered.status, 201);
  await page.goto(`${base}/ui/sign-in`);
  await page.click('a[href^="/ui/oauth/op/start"]');
  await page.waitForURL(`${op.issuer}/**`);
  await page.fill('input[name=email]', owner);
  await page.click('button[type=submit]');
  const pendingCookies = await cookiesAt(page, context, `${base}/ui/oauth/link`, '__Host-latch_flow');
  assert.ok((await page.content()).includes('An account with this address exists. Sign in to link your Test OP account.'));
  const html = await page.content();
  const flow = pendingCookies.find((c) => c.name === '__Host-latch_flow');
  assert.match(flow?.value ?? '', /^p\.op\./, 'the pending identity rides in the flow cookie');
  for (const part of (flow?.value ?? '').split('.')) if (part.length >= 20) assert.ok(!html.includes(part), 'no part of it in the HTML');
  await checked(page, 'oauth-link');
  await page.fill('#email', owner);
  await page.fill('#password', PASSWORD);
  await page.click('form.stack button[type=submit]');
  await page.waitForURL(`${base}/ui/account/security`);
  assert.ok((await page.content()).includes('Test OP'));

  // A callback without its flow: the error page.
  await context.clearCookies();
  await page.goto(`${base}/ui/oauth/op/callback?code=x&state=y`);
  assert.ok((await page.content()).includes('expired or was already used'));
  await checked(page, 'oauth-error');
  await page.goto(`${base}/ui/oauth/add-email`);
  await checked(page, 'oauth-add-email-expired');
  await context.close();
});

test('remember me on the sign-in page reaches a provider sign-in: the script adds remember=1 to the links, the UI cookie gets its Max-Age', async () => {
  const context = await browser.newContext({ locale: 'en', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(`${base}/ui/sign-in`);
  const link = page.locator('nav.providers a[href^="/ui/oauth/op/start"]');
  assert.doesNotMatch((await link.getAttribute('href')) ?? '', /remember=1/);
  await page.check('#rememberMe');
  assert.match((await link.getAttribute('href')) ?? '', /[?&]remember=1(&|$)/);
  await page.uncheck('#rememberMe');
  assert.doesNotMatch((await link.getAttribute('href')) ?? '', /remember=1/);
  await page.check('#rememberMe');
  await link.click();
  await atProvider(page, uniqueEmail('uip-remember'));
  const cookies = await cookiesAt(page, context, `${base}/ui/account`, '__Host-latch_ui');
  const ui = cookies.find((c) => c.name === '__Host-latch_ui');
  assert.ok(ui, 'signed in');
  assert.ok(ui.expires > 0, 'a remembered (persistent) cookie');
  await context.close();
});

test('step-up through a provider for a user with a second factor: link (through the real second step), then the provider and the code page', async () => {
  const owner = uniqueEmail('uip-mfa');
  await registered(owner);
  const secret = await enrolTotp(api, owner, PASSWORD, clock);
  const context = await browser.newContext({ locale: 'en', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();

  // The provider's verified address has an account: the link page, its sign-in, the real second step.
  await page.goto(`${base}/ui/sign-in`);
  await page.click('a[href^="/ui/oauth/op/start"]');
  await atProvider(page, owner);
  await page.waitForURL(`${base}/ui/oauth/link`);
  await page.fill('#email', owner);
  await page.fill('#password', PASSWORD);
  await page.click('form.stack button[type=submit]');
  await page.waitForURL(/\/ui\/sign-in\/mfa\?/);
  await page.fill('#code', await totpAt(secret, clock.nowSeconds()));
  await page.click('form.stack button[type=submit]');
  await page.waitForURL(`${base}/ui/account/security`);
  assert.ok((await page.content()).includes('Test OP'), 'linked');

  // Step-up with the provider: the code page follows, then back to the return target.
  clock.toStepStart(1);
  await page.goto(`${base}/ui/reauthenticate?return=%2Fui%2Faccount%2Fsecurity`);
  await page.click('a[href^="/ui/oauth/op/start?intent=reauthenticate"]');
  await atProvider(page, owner);
  await page.waitForURL(`${base}/ui/oauth/op/code`);
  assert.ok((await page.content()).includes('You confirmed it is you with Test OP.'));
  await checked(page, 'oauth-step-up-code');
  await page.fill('#code', await totpAt(secret, clock.nowSeconds()));
  await page.click('form.stack button[type=submit]');
  const cookies = await cookiesAt(page, context, `${base}/ui/account/security`, '__Host-latch_ui');
  assert.ok(!cookies.some((c) => c.name === '__Host-latch_flow'), 'the flow cookie is cleared');
  const [userId = '', sessionId = ''] = (cookies.find((c) => c.name === '__Host-latch_ui')?.value ?? '').split('.');
  const session = await getDeps().store.getSession(userId, sessionId);
  assert.deepEqual(session?.amr, ['fed', 'otp', 'mfa'], 'the session stepped up with the provider and the code');
  await context.close();
});
