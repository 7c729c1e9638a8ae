import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, authorizerAllows, NEW_PASSWORD, PASSWORD, partitionOf, signedInUser, signIn } from '../support/accounts.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack({ APP_URL: 'https://app.example.test' });
});
after(async () => {
  await api.close();
});

describe('the new routes need a valid access token', () => {
  test('PATCH /me, DELETE /me, GET /sessions, DELETE /sessions and DELETE /sessions/{id} answer 401 without one', async () => {
    for (const [method, path, body] of [
      ['PATCH', '/me', { currentPassword: PASSWORD }],
      ['DELETE', '/me', { currentPassword: PASSWORD }],
      ['GET', '/sessions', undefined],
      ['DELETE', '/sessions', undefined],
      ['DELETE', '/sessions/0b7c3c1e-0000-4000-8000-000000000000', undefined],
    ] as const) {
      assertProblem(await api.request(method, path, body ? { body } : {}), 401, 'unauthorized');
    }
  });
});

describe('PATCH /me', () => {
  test('a missing or wrong currentPassword is 422 errors.currentPassword and nothing changes', async () => {
    const me = await signedInUser(api);
    const before = await partitionOf(api, me.userId);
    for (const body of [
      { password: NEW_PASSWORD },
      { currentPassword: 'not my password', email: uniqueEmail() },
      { currentPassword: '', password: NEW_PASSWORD },
      { currentPassword: null, password: NEW_PASSWORD },
    ]) {
      const response = await api.request('PATCH', '/me', { token: me.accessToken, body });
      assertProblem(response, 422, 'validation_failed');
      assert.ok(response.body.errors.currentPassword, JSON.stringify(response.body.errors));
    }
    assertProblem(await api.request('PATCH', '/me', { token: me.accessToken }), 400, 'bad_request');
    assertProblem(
      await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: ['a@example.com'] } }),
      400,
      'bad_request',
    );
    const invalid = await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: 'bad', password: 'short' } });
    assertProblem(invalid, 422, 'validation_failed');
    assert.deepEqual(Object.keys(invalid.body.errors).sort(), ['email', 'password']);
    assert.deepEqual(await partitionOf(api, me.userId), before);
    assert.equal((await mailsTo(me.email)).length, 1); // the registration's confirmation only
  });

  test('a new email waits in unconfirmedEmail: link to the new address, notice to the old, sign-in uses the old until confirmed', async () => {
    const me = await signedInUser(api);
    const next = uniqueEmail('next');
    const response = await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: next } });
    assert.equal(response.status, 200);
    assert.equal(response.body.user.email, me.email);
    assert.equal(response.body.user.unconfirmedEmail, next);
    assert.equal(response.body.user.passwordHash, undefined);
    const notice = (await mailsTo(me.email)).at(-1);
    assert.equal(notice?.subject, 'Your e-mail address is about to change');
    assert.ok(notice?.text.includes(next));
    const link = await lastLinkToken(next, 'confirm-email');
    assert.match((await mailsTo(next))[0]?.text ?? '', /https:\/\/app\.example\.test\/confirm-email\//);
    assert.equal((await api.request('POST', '/session', { body: { email: next, password: PASSWORD } })).status, 401);
    await signIn(api, me.email);

    const confirmed = await api.request('POST', `/email-confirmation/${link}`);
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.body.user.email, next);
    assert.equal(confirmed.body.user.unconfirmedEmail, null);
    await signIn(api, next);
    assert.equal((await api.request('POST', '/session', { body: { email: me.email, password: PASSWORD } })).status, 401);
    // The old address is free for a new account.
    assert.equal((await api.request('POST', '/registration', { body: { email: me.email, password: PASSWORD } })).status, 202);
  });

  test('confirmation fails with 422 errors.email when the pending address was taken meanwhile, and nothing changes', async () => {
    const me = await signedInUser(api);
    const next = uniqueEmail('contested');
    await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: next } });
    const link = await lastLinkToken(next, 'confirm-email');
    await api.request('POST', '/registration', { body: { email: next, password: PASSWORD } });
    const response = await api.request('POST', `/email-confirmation/${link}`);
    assertProblem(response, 422, 'validation_failed');
    assert.ok(response.body.errors.email);
    assert.equal((await api.request('GET', '/me', { token: me.accessToken })).body.user.email, me.email);
  });

  test('sending the current email back cancels the pending change and kills its link', async () => {
    const me = await signedInUser(api);
    const next = uniqueEmail('cancelled');
    await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: next } });
    const link = await lastLinkToken(next, 'confirm-email');
    const response = await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: me.email.toUpperCase() } });
    assert.equal(response.status, 200);
    assert.equal(response.body.user.unconfirmedEmail, null);
    assert.equal(response.body.user.email, me.email);
    assertProblem(await api.request('POST', `/email-confirmation/${link}`), 404, 'invalid_token');
    assert.equal((await partitionOf(api, me.userId)).filter((i) => String(i.sk).startsWith('TOKEN#')).length, 0);
  });

  test("a new password revokes every other session; the caller's keeps working, renewal included", async () => {
    const me = await signedInUser(api);
    const others = [await signIn(api, me.email), await signIn(api, me.email)];
    const weak = await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, password: 'password1234' } });
    assertProblem(weak, 422, 'validation_failed');
    assert.ok(weak.body.errors.password);
    const mismatch = await api.request('PATCH', '/me', {
      token: me.accessToken,
      body: { currentPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirmation: 'nope' },
    });
    assert.ok(mismatch.body.errors.passwordConfirmation);

    const response = await api.request('PATCH', '/me', {
      token: me.accessToken,
      body: { currentPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD },
    });
    assert.equal(response.status, 200);
    for (const other of others) {
      assertProblem(await api.request('GET', '/me', { token: other.accessToken }), 401, 'unauthorized');
      assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: other.renewalToken } }), 401, 'unauthorized');
    }
    assert.equal((await api.request('GET', '/me', { token: me.accessToken })).status, 200);
    const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: me.renewalToken } });
    assert.equal(renewed.status, 200);
    assert.equal((await api.request('GET', '/me', { token: renewed.body.accessToken })).status, 200);
    assert.equal((await api.request('POST', '/session', { body: { email: me.email, password: PASSWORD } })).status, 401);
    await signIn(api, me.email, { password: NEW_PASSWORD });
  });
});

describe('DELETE /me', () => {
  test('a wrong or missing currentPassword is 422 and nothing is deleted', async () => {
    const me = await signedInUser(api);
    const before = await partitionOf(api, me.userId);
    assertProblem(await api.request('DELETE', '/me', { token: me.accessToken, body: {} }), 422, 'validation_failed');
    const wrong = await api.request('DELETE', '/me', { token: me.accessToken, body: { currentPassword: 'not my password' } });
    assertProblem(wrong, 422, 'validation_failed');
    assert.ok(wrong.body.errors.currentPassword);
    assertProblem(await api.request('DELETE', '/me', { token: me.accessToken }), 400, 'bad_request');
    assert.deepEqual(await partitionOf(api, me.userId), before);
  });

  test('the user, its claim, sessions and tokens are gone; its tokens are refused; the email can register again', async () => {
    const me = await signedInUser(api);
    const other = await signIn(api, me.email, { rememberMe: true });
    await api.request('POST', '/password-reset', { body: { email: me.email } }); // an outstanding token
    await api.request('PATCH', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD, email: uniqueEmail('pending') } });
    assert.ok((await partitionOf(api, me.userId)).some((i) => String(i.sk).startsWith('TOKEN#')));

    assert.equal((await api.request('DELETE', '/me', { token: me.accessToken, body: { currentPassword: PASSWORD } })).status, 204);
    assert.deepEqual(await partitionOf(api, me.userId), []);
    assert.equal((await api.scan()).filter((i) => i.pk === `EMAIL#${me.email}`).length, 0);
    for (const session of [me, other]) {
      assertProblem(await api.request('GET', '/me', { token: session.accessToken }), 401, 'unauthorized');
      assert.equal(await authorizerAllows(api, session.accessToken), false);
      assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: session.renewalToken } }), 401, 'unauthorized');
    }
    assert.equal((await api.request('POST', '/session', { body: { email: me.email, password: PASSWORD } })).status, 401);
    assert.equal((await api.request('POST', '/registration', { body: { email: me.email, password: PASSWORD } })).status, 202);
    assert.equal((await mailsTo(me.email)).at(-1)?.subject, 'Confirm your e-mail address');
  });
});

describe('sessions', () => {
  test('GET /sessions lists the live sessions with the current flag, user agent and address', async () => {
    const me = await signedInUser(api, { label: 'list' });
    const phone = await signIn(api, me.email, { userAgent: 'phone/2.0', rememberMe: true });
    const response = await api.request('GET', '/sessions', { token: phone.accessToken });
    assert.equal(response.status, 200);
    const sessions = response.body.sessions as Array<Record<string, unknown>>;
    assert.equal(sessions.length, 2);
    const current = sessions.find((s) => s.current === true);
    assert.equal(current?.id, phone.sessionId);
    assert.equal(current?.userAgent, 'phone/2.0');
    assert.equal(current?.ip, '127.0.0.1');
    assert.deepEqual(Object.keys(current ?? {}).sort(), ['client', 'createdAt', 'current', 'id', 'ip', 'lastUsedAt', 'userAgent']);
    assert.equal(sessions.find((s) => s.id === me.sessionId)?.current, false);
  });

  test('an expired session is not listed even while DynamoDB has not deleted it yet', async () => {
    const me = await signedInUser(api);
    const other = await signIn(api, me.email);
    const stored = await api.store.getSession(me.userId, other.sessionId);
    assert.ok(stored);
    await api.store.commit([{ type: 'putSession', session: { ...stored, expiresAt: Math.floor(Date.now() / 1000) - 5 } }]);
    const ids = (await api.request('GET', '/sessions', { token: me.accessToken })).body.sessions.map((s: { id: string }) => s.id);
    assert.deepEqual(ids, [me.sessionId]);
    assertProblem(await api.request('DELETE', `/sessions/${other.sessionId}`, { token: me.accessToken }), 404, 'not_found');
  });

  test('lastUsedAt moves on renewal, not on authenticated calls', async () => {
    const me = await signedInUser(api);
    const lastUsed = async (token: string) =>
      (await api.request('GET', '/sessions', { token })).body.sessions.find((s: { current: boolean }) => s.current).lastUsedAt as string;
    const first = await lastUsed(me.accessToken);
    await new Promise((resolve) => setTimeout(resolve, 5)); // ISO milliseconds must be able to differ
    await api.request('GET', '/me', { token: me.accessToken });
    await authorizerAllows(api, me.accessToken);
    assert.equal(await lastUsed(me.accessToken), first);
    const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: me.renewalToken } });
    assert.ok((await lastUsed(renewed.body.accessToken)) > first);
  });

  test("DELETE /sessions/{id} revokes one of the caller's own, the current one too; another user's id is 404", async () => {
    const me = await signedInUser(api);
    const stranger = await signedInUser(api);
    const other = await signIn(api, me.email);
    assertProblem(await api.request('DELETE', `/sessions/${stranger.sessionId}`, { token: me.accessToken }), 404, 'not_found');
    assert.equal((await api.request('GET', '/me', { token: stranger.accessToken })).status, 200);
    assertProblem(await api.request('DELETE', '/sessions/not-a-session', { token: me.accessToken }), 404, 'not_found');

    assert.equal((await api.request('DELETE', `/sessions/${other.sessionId}`, { token: me.accessToken })).status, 204);
    assertProblem(await api.request('GET', '/me', { token: other.accessToken }), 401, 'unauthorized');
    assert.equal(await authorizerAllows(api, other.accessToken), false);
    assert.equal((await api.request('GET', '/me', { token: me.accessToken })).status, 200);
    assert.equal((await api.request('DELETE', `/sessions/${me.sessionId}`, { token: me.accessToken })).status, 204);
    assertProblem(await api.request('GET', '/me', { token: me.accessToken }), 401, 'unauthorized');
  });

  test('DELETE /sessions signs out everywhere', async () => {
    const me = await signedInUser(api);
    const others = [await signIn(api, me.email), await signIn(api, me.email, { rememberMe: true })];
    assert.equal((await api.request('DELETE', '/sessions', { token: me.accessToken })).status, 204);
    for (const s of [me, ...others]) {
      assertProblem(await api.request('GET', '/me', { token: s.accessToken }), 401, 'unauthorized');
      assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: s.renewalToken } }), 401, 'unauthorized');
    }
    assert.equal((await partitionOf(api, me.userId)).filter((i) => String(i.sk).startsWith('SESSION#')).length, 0);
    await signIn(api, me.email);
  });
});

describe('remember me', () => {
  test('rememberMe gives the 30-day deadline, otherwise 1 day; renewal keeps the deadline', async () => {
    const me = await signedInUser(api);
    const remembered = await signIn(api, me.email, { rememberMe: true });
    const notRemembered = await signIn(api, me.email, { rememberMe: false });
    const deadline = async (sid: string) => (await api.store.getSession(me.userId, sid))?.expiresAt ?? 0;
    const now = Math.floor(Date.now() / 1000);
    const long = await deadline(remembered.sessionId);
    assert.ok(Math.abs(long - (now + 2592000)) <= 5, `${long - now}`);
    assert.ok(Math.abs((await deadline(notRemembered.sessionId)) - (now + 86400)) <= 5);
    assert.ok(Math.abs((await deadline(me.sessionId)) - (now + 86400)) <= 5);
    const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: remembered.renewalToken } });
    assert.equal(renewed.status, 200);
    assert.equal(await deadline(remembered.sessionId), long);
  });
});
