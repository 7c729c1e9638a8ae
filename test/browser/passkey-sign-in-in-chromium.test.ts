/**
 * The one real-browser passkey test (`docs/specs/mfa-and-passkeys.md` §15.3): `playwright-core`
 * drives Debian's `chromium` (no browser download: `LATCH_CHROMIUM` or `which chromium`; headless,
 * `--no-sandbox` since CI runs as root) with a CDP virtual authenticator (CTAP2, internal,
 * resident keys, user verification) against the local runner's `/_local/passkeys` page: sign in
 * with a password, register a passkey, sign out, sign in with the passkey without
 * `allowCredentials`. Without chromium the test fails naming the package; it is never skipped.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { freePort } from '../../infra/local/services.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { testServices, uniqueEmail, uniqueTableName } from '../support/services.js';

/** The installed chromium, or a failure that says what to install. */
function chromiumPath(): string {
  const configured = process.env.LATCH_CHROMIUM;
  if (configured) {
    assert.ok(existsSync(configured), `LATCH_CHROMIUM=${configured} does not exist: install chromium (apt-get install -y chromium)`);
    return configured;
  }
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    assert.fail('chromium not found: install the Debian package chromium (apt-get install -y chromium), or set LATCH_CHROMIUM to its path');
  }
}

let api: Awaited<ReturnType<typeof startLocalStack>>;
let port: number;
before(async () => {
  port = await freePort();
  const services = testServices();
  api = await startLocalStack({
    port,
    dynamoDbEndpoint: services.dynamoDbEndpoint,
    sesEndpoint: services.sesUrl,
    tableName: uniqueTableName('browser'),
    // The page's origin: localhost (a secure context, and a valid RP ID; an IP address is not).
    env: { AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false', AUTH_WEBAUTHN_ORIGINS: `http://localhost:${port}`, AUTH_WEBAUTHN_RP_ID: 'localhost' },
  });
});
after(async () => {
  await api?.close();
});

test('a passkey registered in Chromium signs in without a password (CDP virtual authenticator)', async () => {
  const started = Date.now();
  const origin = `http://localhost:${port}`;
  const email = uniqueEmail('browser');
  const password = 'correct horse battery staple';
  const registered = await fetch(`${origin}/registration`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(registered.status, 201);
  const userId = ((await registered.json()) as { user: { id: string } }).user.id;

  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await page.goto(`${origin}/_local/passkeys`);
    // biome-ignore lint/suspicious/noExplicitAny: the page's JSON results
    const step = async (button: string, name: string): Promise<any> => {
      await page.click(`#${button}`);
      await page.waitForSelector(`output[data-step="${name}"]`, { timeout: 15000 });
      const text = (await page.textContent('output')) ?? '';
      await page.evaluate(() => {
        const output = document.querySelector('output');
        if (output) output.dataset.step = 'none';
      });
      return JSON.parse(text);
    };
    await page.fill('#email', email);
    await page.fill('#password', password);
    assert.equal((await step('sign-in', 'signed-in')).status, 200);
    const added = await step('add-passkey', 'passkey-added');
    assert.equal(added.status, 201, JSON.stringify(added));
    assert.equal(added.body.passkey.discoverable, true);
    assert.equal((await step('sign-out', 'signed-out')).status, 204);

    const signedIn = await step('passkey-sign-in', 'passkey-signed-in');
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn));
    assert.equal(signedIn.body.tokenType, 'Bearer');
    assert.ok(signedIn.body.accessToken && signedIn.body.renewalToken);
    assert.equal(signedIn.body.user.id, userId);
    assert.equal(Buffer.from(signedIn.userHandle, 'base64url').toString('utf8'), userId);
    // The session's amr: a device-bound passkey with user verification.
    const activity = await fetch(`${origin}/me/activity`, { headers: { authorization: `Bearer ${signedIn.body.accessToken}` } });
    const events = ((await activity.json()) as { events: Array<{ type: string; outcome: string; details: { method?: string; amr?: string[] } }> }).events;
    const passkeySignIn = events.find((e) => e.type === 'sign_in' && e.outcome === 'success' && e.details.method === 'passkey');
    assert.deepEqual(passkeySignIn?.details.amr, ['hwk', 'mfa']);
    const listed = await step('list-passkeys', 'passkeys-listed');
    assert.equal(listed.body.passkeys.length, 1);
    assert.equal(listed.body.passkeys[0].discoverable, true);
  } finally {
    await browser.close();
  }
  console.log(`browser passkey test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
