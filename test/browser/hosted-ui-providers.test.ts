import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort } from '../../infra/local/services.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { axeViolations, launchBrowser, screenshot } from '../support/browser.js';
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
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.close();
  await op?.close();
});

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
  await page.waitForURL(`${base}/ui/account`);
  assert.ok((await page.content()).includes(email));
  const cookies = await context.cookies(base);
  assert.ok(cookies.some((c) => c.name === '__Host-latch_ui' && c.httpOnly && c.secure));
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
  await page.waitForURL(`${base}/ui/oauth/link`);
  assert.ok((await page.content()).includes('An account with this address exists. Sign in to link your Test OP account.'));
  const html = await page.content();
  for (const c of await context.cookies(base)) if (c.name === '__Host-latch_pending') for (const part of c.value.split('.')) assert.ok(!html.includes(part));
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
