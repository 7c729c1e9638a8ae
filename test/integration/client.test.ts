import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LatchClient, type LatchClientOptions, LatchProblemError, MemoryTokenStorage, type StoredTokens } from '../../client/index.js';
import { revokeAllSessions } from '../../shared/flows/revoke.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The typed client against the local stack (DynamoDB Local + local SES). Access tokens live 30 s
 * (the minimum) and the clients renew 60 s before expiry, so every authenticated call renews
 * first: renewal is exercised without waiting on the wall clock.
 */

const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  api = await startTestStack({ AUTH_ACCESS_TOKEN_TTL_SECONDS: '30', APP_URL: 'https://app.example.test' });
});
after(async () => {
  await api.close();
});

/** A client whose requests are recorded, so tests can count renewals. */
function recordedClient(options: Partial<LatchClientOptions> = {}) {
  const requests: string[] = [];
  const storage = new MemoryTokenStorage();
  const client = new LatchClient({
    baseUrl: api.url,
    storage,
    renewBeforeSeconds: 60,
    fetch: (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
    ...options,
  });
  return { client, storage, requests, renewals: () => requests.filter((r) => r === 'POST /session/renew').length };
}

/** Registers and confirms through the client; returns the email. */
async function confirmedUser(client: LatchClient): Promise<string> {
  const email = uniqueEmail('client');
  const registered = await client.register({ email, password: PASSWORD });
  assert.equal(registered.signedIn, false);
  await client.confirmEmail(await lastLinkToken(email, 'confirm-email'));
  return email;
}

describe('client: the whole journey', () => {
  test('register, confirm by the mailed link, sign in, me, automatic renewal', async () => {
    // Prepare
    const { client, storage, renewals } = recordedClient();
    const email = uniqueEmail('client');

    // Act
    const registered = await client.register({ email, password: PASSWORD, passwordConfirmation: PASSWORD });
    const confirmed = await client.confirmEmail(await lastLinkToken(email, 'confirm-email'));
    const pair = await client.signIn({ email, password: PASSWORD });
    const me = await client.me();

    // Assess
    assert.equal(registered.signedIn, false);
    assert.equal(typeof (registered.signedIn === false ? registered.message : undefined), 'string');
    assert.equal(confirmed.emailConfirmed, true);
    assert.equal(pair.tokenType, 'Bearer');
    assert.equal(pair.expiresIn, 30);
    assert.equal(me.id, pair.user.id);
    assert.equal(me.email, email);
    // The access token expired within renewBeforeSeconds, so me() renewed first.
    assert.equal(renewals(), 1);
    const stored = storage.get() as StoredTokens;
    assert.notEqual(stored.accessToken, pair.accessToken);
    assert.notEqual(stored.renewalToken, pair.renewalToken);
    // The server agrees: the old access token is dead, the renewed one works.
    assert.equal((await api.request('GET', '/me', { token: pair.accessToken })).status, 401);
    assert.equal((await api.request('GET', '/me', { token: stored.accessToken })).status, 200);
  });

  test('no renewal while the access token is far enough from expiry', async () => {
    const { client, renewals } = recordedClient({ renewBeforeSeconds: 5 });
    const email = await confirmedUser(client);
    await client.signIn({ email, password: PASSWORD });
    await client.me();
    await client.me();
    assert.equal(renewals(), 0);
  });

  test('resending the confirmation mails a fresh link', async () => {
    const { client } = recordedClient();
    const email = uniqueEmail('client');
    await client.register({ email, password: PASSWORD });
    const resent = await client.resendConfirmation({ email });
    assert.equal(typeof resent.message, 'string');
    assert.equal((await mailsTo(email)).length, 2);
    assert.equal((await client.confirmEmail(await lastLinkToken(email, 'confirm-email'))).emailConfirmed, true);
  });

  test('the well-known documents', async () => {
    const { client } = recordedClient();
    const [jwks, openid] = await Promise.all([client.jwks(), client.openidConfiguration()]);
    assert.ok(jwks.keys.length >= 1);
    assert.ok(jwks.keys.every((key) => typeof key.kid === 'string' && key.d === undefined));
    assert.equal(typeof openid.issuer, 'string');
    assert.match(openid.jwks_uri, /\/\.well-known\/jwks\.json$/);
  });

  test('getAccessToken and authFetch give other services a renewed, working token', async () => {
    const { client, renewals } = recordedClient();
    const email = await confirmedUser(client);
    await client.signIn({ email, password: PASSWORD });
    const token = await client.getAccessToken();
    assert.equal(renewals(), 1);
    assert.equal((await api.request('GET', '/me', { token: token ?? '' })).status, 200);
    const response = await client.authFetch(`${api.url}/me`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { user: { email: string } }).user.email, email);
  });
});

describe('client: one renewal in flight', () => {
  test('concurrent calls share a single in-flight renewal', async () => {
    // Prepare
    const { client, renewals } = recordedClient();
    const email = await confirmedUser(client);
    const pair = await client.signIn({ email, password: PASSWORD });

    // Act: ten calls at once, each needing a renewal first.
    const users = await Promise.all(Array.from({ length: 10 }, () => client.me()));

    // Assess: one renewal, ten answers, and the session is still alive (no reuse was detected).
    assert.equal(renewals(), 1);
    assert.equal(users.length, 10);
    assert.ok(users.every((user) => user.id === pair.user.id));
    assert.equal((await client.me()).id, pair.user.id);
  });

  test('why it matters: a renewal token presented twice costs the session', async () => {
    const { client } = recordedClient();
    const email = await confirmedUser(client);
    const pair = await client.signIn({ email, password: PASSWORD });

    // Two renewals racing with one token: at most one wins, and the loser's 401 ends the session
    // (reuse: the winner's pair dies with it), so a client must never race itself.
    const [a, b] = await Promise.all([
      api.request('POST', '/session/renew', { body: { renewalToken: pair.renewalToken } }),
      api.request('POST', '/session/renew', { body: { renewalToken: pair.renewalToken } }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 401]);
    const winner = a.status === 200 ? a.body : b.body;

    // The session is revoked: the spent token, and the winner's fresh pair, are dead.
    assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: pair.renewalToken } })).status, 401);
    assert.equal((await api.request('GET', '/me', { token: winner.accessToken })).status, 401);
    assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: winner.renewalToken } })).status, 401);
  });
});

describe('client: typed problem errors from the server', () => {
  test('a wrong password is invalid_credentials; an unconfirmed email is email_not_confirmed', async () => {
    const { client, storage } = recordedClient();
    const email = uniqueEmail('client');
    await client.register({ email, password: PASSWORD });
    await assert.rejects(
      client.signIn({ email, password: PASSWORD }),
      (e: unknown) => e instanceof LatchProblemError && e.status === 403 && e.code === 'email_not_confirmed',
    );
    await client.confirmEmail(await lastLinkToken(email, 'confirm-email'));
    await assert.rejects(client.signIn({ email, password: 'not the password' }), (e: unknown) => {
      assert.ok(e instanceof LatchProblemError);
      assert.equal(e.status, 401);
      assert.equal(e.code, 'invalid_credentials');
      assert.equal(e.message, 'The provided login details did not work. Please verify your credentials, and try again.');
      return true;
    });
    assert.equal(storage.get(), null);
  });

  test('field rules are validation_failed with the errors map', async () => {
    const { client } = recordedClient();
    await assert.rejects(client.register({ email: 'not-an-email', password: 'short' }), (e: unknown) => {
      assert.ok(e instanceof LatchProblemError);
      assert.equal(e.status, 422);
      assert.equal(e.code, 'validation_failed');
      assert.deepEqual(e.errors?.email, ['has invalid format']);
      assert.ok(e.errors?.password?.includes('should be at least 8 character(s)'));
      return true;
    });
  });

  test('a dead confirmation link is invalid_token', async () => {
    const { client } = recordedClient();
    await assert.rejects(
      client.confirmEmail('no-such-token'),
      (e: unknown) => e instanceof LatchProblemError && e.status === 404 && e.code === 'invalid_token',
    );
  });
});

describe('client: the end of a session', () => {
  test('sign out clears storage and the server forgets the session', async () => {
    let ended = 0;
    const { client, storage } = recordedClient({ onSessionEnd: () => ended++ });
    const email = await confirmedUser(client);
    await client.signIn({ email, password: PASSWORD });
    await client.me();
    const last = storage.get() as StoredTokens;

    await client.signOut();

    assert.equal(storage.get(), null);
    assert.equal(ended, 0, 'signing out on purpose is not an unexpected end');
    assert.equal((await api.request('GET', '/me', { token: last.accessToken })).status, 401);
    assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: last.renewalToken } })).status, 401);
    await assert.rejects(client.me(), (e: unknown) => e instanceof LatchProblemError && e.code === 'unauthorized');
  });

  test('onSessionEnd after a revoked session', async () => {
    // Prepare: a signed-in client, then every session of the user revoked (as a password reset does).
    const reasons: LatchProblemError[] = [];
    const { client, storage } = recordedClient({ onSessionEnd: (reason) => reasons.push(reason) });
    const email = await confirmedUser(client);
    const pair = await client.signIn({ email, password: PASSWORD });
    await revokeAllSessions({ store: api.store }, pair.user.id);

    // Act
    const results = await Promise.allSettled([client.me(), client.me(), client.me()]);

    // Assess
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof LatchProblemError && r.reason.code === 'unauthorized'));
    assert.equal(storage.get(), null);
    assert.equal(reasons.length, 1);
    assert.equal(reasons[0]?.status, 401);
  });

  test('onSessionEnd with account_locked when the account was locked', async () => {
    const reasons: string[] = [];
    const { client, storage } = recordedClient({ onSessionEnd: (reason) => reasons.push(reason.code) });
    const email = await confirmedUser(client);
    const pair = await client.signIn({ email, password: PASSWORD });
    await revokeAllSessions({ store: api.store }, pair.user.id, { set: { locked: true } });

    await assert.rejects(client.me(), (e: unknown) => e instanceof LatchProblemError && e.status === 403 && e.code === 'account_locked');

    assert.equal(storage.get(), null);
    assert.deepEqual(reasons, ['account_locked']);
  });

  test('a copied pair renewed elsewhere: the reuse revokes the session and both clients learn it', async () => {
    const ended: string[] = [];
    const first = recordedClient({ onSessionEnd: () => ended.push('first') });
    const second = recordedClient({ onSessionEnd: () => ended.push('second') });
    const email = await confirmedUser(first.client);
    await first.client.signIn({ email, password: PASSWORD });
    await second.client.setTokens(first.storage.get() as StoredTokens);

    assert.ok(await second.client.me()); // spends the renewal token
    await assert.rejects(first.client.me(), (e: unknown) => e instanceof LatchProblemError && e.code === 'unauthorized');
    await assert.rejects(second.client.me(), (e: unknown) => e instanceof LatchProblemError && e.code === 'unauthorized');

    assert.deepEqual(ended.sort(), ['first', 'second']);
    assert.equal(first.storage.get(), null);
    assert.equal(second.storage.get(), null);
  });
});
