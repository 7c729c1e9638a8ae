/**
 * The local runner serves the hosted pages from the route table like every other row
 * (docs/specs/hosted-ui.md §2): each page row goes to `ui`, the most specific row wins (a static
 * segment over `{param}` over the catch-all `GET /ui/{proxy+}`), the passkey rows go to `passkeys`,
 * an unknown GET under `/ui/` gets the HTML 404 page and anything else the API's problem+json.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ASSETS } from '../../shared/ui/assets.js';
import { ORIGIN } from '../support/passkeys.js';
import type { TestStack } from '../support/stack.js';
import { startTestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_UI: 'true', APP_URL: `${ORIGIN}/ui` });
});
after(async () => {
  await api.close();
});

const html = /^text\/html/;

test('page rows reach ui: the sign-in page, the resend page (static beats {token}), a mail link, the redirect of GET /ui', async () => {
  const signIn = await api.request('GET', '/ui/sign-in');
  assert.equal(signIn.status, 200);
  assert.match(signIn.headers.get('content-type') ?? '', html);
  assert.match(signIn.text, /name="password"/);
  const resend = await api.request('GET', '/ui/confirm-email/resend');
  assert.equal(resend.status, 200);
  assert.match(resend.text, /action="\/ui\/confirm-email\/resend"/);
  const link = await api.request('GET', '/ui/reset-password/no-such-token');
  assert.equal(link.status, 404);
  assert.match(link.headers.get('content-type') ?? '', html);
  const root = await fetch(`${api.url}/ui`, { redirect: 'manual' });
  assert.equal(root.status, 303);
  assert.equal(root.headers.get('location'), '/ui/sign-in');
});

test('the assets row serves the hashed assets, immutable', async () => {
  const css = await api.request('GET', ASSETS.css.path);
  assert.equal(css.status, 200);
  assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
});

test('GET /ui/{proxy+}: the HTML 404 page for an unknown page, the 405 page with Allow for GET /ui/sign-out', async () => {
  const missing = await api.request('GET', '/ui/no/such/page');
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type') ?? '', html);
  const signOut = await api.request('GET', '/ui/sign-out');
  assert.equal(signOut.status, 405);
  assert.equal(signOut.headers.get('allow'), 'POST');
  assert.match(signOut.headers.get('content-type') ?? '', html);
});

test('anything else keeps problem+json: a POST to an unknown /ui/ path, a POST on a GET page; the passkey rows go to passkeys', async () => {
  const unknown = await api.request('POST', '/ui/no-such-form', { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers.get('content-type'), 'application/problem+json');
  const activity = await api.request('POST', '/ui/account/activity', { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(activity.status, 405);
  assert.equal(activity.headers.get('allow'), 'GET');
  // Without the UI cookies and X-Latch-CSRF the passkeys function refuses (problem+json, not a page).
  const options = await api.request('POST', '/ui/passkeys/sign-in/options', { headers: { origin: ORIGIN } });
  assert.equal(options.headers.get('content-type'), 'application/problem+json');
  assert.equal(options.status, 403);
});
