/**
 * `npm start`'s local sign-in provider (`infra/local/oidc-provider.ts`, docs/social-sign-in.md
 * "Trying it locally"): configured as provider `local`, it asks for an address on its own page
 * and any address signs up, verified. Off when AUTH_OAUTH_PROVIDERS is set or LATCH_LOCAL_OP=false.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type LocalProvider, startLocalProvider } from '../../infra/local/oidc-provider.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const REDIRECT = 'http://localhost:5173/oauth/local/callback';
let op: LocalProvider;
let api: TestStack;

before(async () => {
  op = (await startLocalProvider({ env: { LATCH_LOCAL_OP_REDIRECT_URIS: REDIRECT }, apiPort: 3000, opPort: 0 })) as LocalProvider;
  process.env.LATCH_LOCAL_OP_SECRET = op.env.LATCH_LOCAL_OP_SECRET;
  api = await startTestStack(op.env);
});
after(async () => {
  await api?.close();
  await op?.stop();
});

test('the local provider is off when providers are configured or LATCH_LOCAL_OP=false', async () => {
  assert.equal(await startLocalProvider({ env: { AUTH_OAUTH_PROVIDERS: '[]x' }, apiPort: 3000, opPort: 0 }), undefined);
  assert.equal(await startLocalProvider({ env: { LATCH_LOCAL_OP: 'false' }, apiPort: 3000, opPort: 0 }), undefined);
  assert.ok(op.banner.some((line) => line.includes(op.url)));
});

test('npm start’s local provider: its page asks for an address, which signs up verified through provider "local"', async () => {
  const providers = await api.request('GET', '/oauth/providers');
  assert.deepEqual(providers.body.providers, [{ id: 'local', name: 'Local provider' }]);
  const started = await api.request('POST', '/oauth/local/authorize', { body: { redirectUri: REDIRECT } });
  assert.equal(started.status, 200, started.text);
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  };
  const email = `local-${Date.now().toString(36)}@example.com`;
  let next = started.body.authorizationUrl as string;
  let posted = false;
  let callbackUrl: string | undefined;
  for (let hop = 0; hop < 20 && !callbackUrl; hop++) {
    if (next.startsWith(REDIRECT)) {
      callbackUrl = next;
      break;
    }
    const response = await fetch(next, { redirect: 'manual', headers: { cookie: cookieHeader() } });
    keep(response);
    const location = response.headers.get('location');
    if (location) {
      await response.arrayBuffer();
      next = new URL(location, next).href;
      continue;
    }
    const page = await response.text();
    assert.equal(posted, false, `no second page expected: ${page.slice(0, 200)}`);
    assert.match(page, /<input name="email"/);
    const action = new URL(/action="([^"]+)"/.exec(page)?.[1] as string, next).href;
    const submitted = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email }).toString(),
    });
    keep(submitted);
    posted = true;
    next = new URL(submitted.headers.get('location') as string, action).href;
  }
  assert.ok(callbackUrl, 'the provider redirected to the app');
  const response = await api.request('POST', '/oauth/local/callback', { body: { callbackUrl, flowSecret: started.body.flowSecret } });
  assert.equal(response.status, 201, response.text);
  assert.equal(response.body.user.email, email);
  assert.equal(response.body.user.emailConfirmed, true);
});
