/**
 * The hosted pages' passkey endpoints (`docs/specs/hosted-ui.md` §5.3) over HTTP, served by
 * `passkeys`: the UI cookies and `X-Latch-CSRF` authenticate them (missing → 403, nothing
 * changes), a sign-in or second step sets `__Host-latch_ui`, the others answer `{ redirect }`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { parseUiSessionCookie } from '../../shared/domain/tokens.js';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { COOKIES, csrfToken } from '../../shared/ui/security.js';
import { assertProblem } from '../support/accounts.js';
import { firstStep } from '../support/mfa.js';
import { anAuthenticator, ORIGIN, userWithPasskey } from '../support/passkeys.js';
import type { ApiResponse, TestStack } from '../support/stack.js';
import { startTestStack } from '../support/stack.js';

let api: TestStack;
let uiSecret: Uint8Array;
before(async () => {
  api = await startTestStack({ AUTH_UI: 'true', APP_URL: `${ORIGIN}/ui`, AUTH_MAX_FAILED_SIGN_INS: '100' });
  uiSecret = await getDeps().auditKey.key();
});
after(async () => {
  await api.close();
});

/** A browser's cookie jar for one test. */
class Jar {
  readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(response: ApiResponse): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, at);
      const value = (pair ?? '').slice(at + 1);
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The `passkeys` token of the jar's binding: the UI session's when signed in, else the pre-sign-in cookie's. */
async function csrfOf(jar: Jar): Promise<string> {
  const ui = parseUiSessionCookie(jar.cookies.get(COOKIES.session));
  if (ui) {
    const session = await api.store.getSession(ui.userId, ui.sessionId);
    assert.ok(session?.csrfSecret, 'a UI session has its own CSRF secret');
    return csrfToken({ kind: 'session', sessionSecret: Buffer.from(session.csrfSecret, 'base64url') }, 'passkeys');
  }
  if (!jar.cookies.has(COOKIES.csrf)) jar.cookies.set(COOKIES.csrf, randomBytes(32).toString('base64url'));
  return csrfToken({ kind: 'anonymous', uiSecret, cookie: jar.cookies.get(COOKIES.csrf) as string }, 'passkeys');
}

async function post(jar: Jar, path: string, body: unknown, csrf: 'valid' | 'none' | 'wrong' = 'valid'): Promise<ApiResponse> {
  const token = csrf === 'valid' ? await csrfOf(jar) : csrf === 'wrong' ? 'x'.repeat(43) : undefined;
  const response = await api.request('POST', path, {
    body,
    headers: { origin: ORIGIN, cookie: jar.header(), ...(token ? { 'x-latch-csrf': token } : {}) },
  });
  jar.take(response);
  return response;
}

test('sign-in: without X-Latch-CSRF 403 (nothing changes); with it, options, then the assertion sets __Host-latch_ui', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  const jar = new Jar();
  await csrfOf(jar);
  assertProblem(await post(jar, '/ui/passkeys/sign-in/options', {}, 'none'), 403, 'forbidden');
  assertProblem(await post(jar, '/ui/passkeys/sign-in/options', {}, 'wrong'), 403, 'forbidden');
  const options = await post(jar, '/ui/passkeys/sign-in/options', {});
  assert.equal(options.status, 200, options.text);
  const credential = authenticator.assert(options.body.options);
  const sessionsBefore = (await api.store.listSessions(user.id)).length;
  assertProblem(await post(jar, '/ui/passkeys/sign-in', { credential }, 'none'), 403, 'forbidden');
  assert.equal((await api.store.listSessions(user.id)).length, sessionsBefore, 'a refused request creates no session');
  const signedIn = await post(jar, '/ui/passkeys/sign-in', { credential });
  assert.equal(signedIn.status, 200, signedIn.text);
  assert.deepEqual(signedIn.body, { redirect: '/ui/account' });
  assert.ok(
    signedIn.headers.getSetCookie().some((c) => c.startsWith(`${COOKIES.session}=`) && /HttpOnly/i.test(c) && /Secure/i.test(c)),
    signedIn.headers.getSetCookie().join(' | '),
  );
  assert.ok(jar.cookies.has(COOKIES.session));
  const account = await api.request('GET', '/ui/account', { headers: { cookie: jar.header() } });
  assert.equal(account.status, 200, account.text.slice(0, 300));
  // A foreign Origin is refused even with the token.
  const foreign = await api.request('POST', '/ui/passkeys/reauthenticate/options', {
    body: {},
    headers: { origin: 'https://evil.example', cookie: jar.header(), 'x-latch-csrf': await csrfOf(jar) },
  });
  assertProblem(foreign, 403, 'forbidden');
});

test('signed in: reauthenticate and add need the session-bound token; both answer { redirect }', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  const jar = new Jar();
  const options = await post(jar, '/ui/passkeys/sign-in/options', {});
  assert.equal((await post(jar, '/ui/passkeys/sign-in', { credential: authenticator.assert(options.body.options) })).status, 200);
  // The pre-sign-in token is no longer accepted once signed in.
  assertProblem(await post(jar, '/ui/passkeys/reauthenticate/options', {}, 'none'), 403, 'forbidden');
  const reauthOptions = await post(jar, '/ui/passkeys/reauthenticate/options', {});
  assert.equal(reauthOptions.status, 200, reauthOptions.text);
  assertProblem(await post(jar, '/ui/passkeys/reauthenticate', { credential: authenticator.assert(reauthOptions.body.options) }, 'none'), 403, 'forbidden');
  const reauth = await post(jar, '/ui/passkeys/reauthenticate', { credential: authenticator.assert(reauthOptions.body.options) });
  assert.equal(reauth.status, 200, reauth.text);
  assert.deepEqual(reauth.body, { redirect: '/ui/account' });
  const addOptions = await post(jar, '/ui/passkeys/add/options', {});
  assert.equal(addOptions.status, 200, addOptions.text);
  const second = anAuthenticator();
  assertProblem(await post(jar, '/ui/passkeys/add', { credential: second.register(addOptions.body.options), name: 'Phone' }, 'none'), 403, 'forbidden');
  const added = await post(jar, '/ui/passkeys/add', { credential: second.register(addOptions.body.options), name: 'Phone' });
  assert.equal(added.status, 200, added.text);
  assert.deepEqual(
    (await api.store.listPasskeys(user.id)).map((p) => p.name),
    ['Passkey', 'Phone'],
  );
  // Without a UI session: 401.
  assertProblem(await post(new Jar(), '/ui/passkeys/add/options', {}), 401, 'unauthorized');
});

test('the second step: the mfaToken from __Host-latch_mfa; success sets __Host-latch_ui and clears the mfa cookie', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  const jar = new Jar();
  assertProblem(await post(jar, '/ui/passkeys/mfa/options', {}), 404, 'invalid_token');
  jar.cookies.set(COOKIES.mfa, await firstStep(api, user.email));
  assertProblem(await post(jar, '/ui/passkeys/mfa/options', {}, 'none'), 403, 'forbidden');
  const options = await post(jar, '/ui/passkeys/mfa/options', {});
  assert.equal(options.status, 200, options.text);
  assertProblem(await post(jar, '/ui/passkeys/mfa', { credential: authenticator.assert(options.body.options) }, 'none'), 403, 'forbidden');
  const done = await post(jar, '/ui/passkeys/mfa', { credential: authenticator.assert(options.body.options) });
  assert.equal(done.status, 200, done.text);
  assert.deepEqual(done.body, { redirect: '/ui/account' });
  assert.ok(jar.cookies.has(COOKIES.session));
  assert.ok(!jar.cookies.has(COOKIES.mfa));
  const ui = parseUiSessionCookie(jar.cookies.get(COOKIES.session));
  assert.deepEqual((await api.store.getSession(user.id, ui?.sessionId ?? ''))?.amr, ['pwd', 'hwk', 'mfa']);
});
