import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  api = await startTestStack({ APP_URL: 'https://app.example.test' });
});
after(async () => {
  await api.close();
});

/** Registers, confirms by the mailed link, and signs in. */
async function signedInUser(options: { rememberMe?: boolean } = {}) {
  const email = uniqueEmail();
  assert.equal((await api.request('POST', '/registration', { body: { email, password: PASSWORD } })).status, 202);
  const token = await lastLinkToken(email, 'confirm-email');
  assert.equal((await api.request('POST', `/email-confirmation/${token}`)).status, 200);
  const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD, ...options } });
  assert.equal(signIn.status, 200);
  return { email, ...signIn.body } as { email: string; accessToken: string; renewalToken: string; user: { id: string } };
}

function assertProblem(
  response: { status: number; headers: Headers; body: { code?: string; status?: number; title?: string; type?: string } },
  status: number,
  code: string,
) {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status} ${JSON.stringify(response.body)}`);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  assert.equal(response.body.code, code);
  assert.equal(response.body.status, status);
  assert.equal(typeof response.body.title, 'string');
  assert.equal(typeof response.body.type, 'string');
}

describe('registration (email confirmation required)', () => {
  test('a new email gets 202 and a confirmation mail with an APP_URL link', async () => {
    const email = uniqueEmail();
    const response = await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
    assert.equal(response.status, 202);
    const mails = await mailsTo(email);
    assert.equal(mails.length, 1);
    assert.match(mails[0]?.text ?? '', /https:\/\/app\.example\.test\/confirm-email\/[\w-]+\.[\w-]{43}/);
    assert.match(mails[0]?.html ?? '', /<a href="https:\/\/app\.example\.test\/confirm-email\//);
  });

  test('a taken email gets the same 202 body; an unconfirmed account takes the new password with a fresh confirmation mail', async () => {
    const email = uniqueEmail();
    const first = await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
    const oldToken = await lastLinkToken(email, 'confirm-email');
    const second = await api.request('POST', '/registration', { body: { email: email.toUpperCase(), password: 'another long passphrase' } });
    assert.equal(second.status, 202);
    assert.deepEqual(second.body, first.body);
    const mails = await mailsTo(email);
    assert.equal(mails.length, 2);
    // The fresh link works and the old one died with it.
    assert.equal((await api.request('POST', `/email-confirmation/${oldToken}`)).status, 404);
    const newToken = await lastLinkToken(email, 'confirm-email');
    assert.equal((await api.request('POST', `/email-confirmation/${newToken}`)).status, 200);
    // The newest registration's password is the one confirmed (account pre-hijacking gains nothing).
    assert.equal((await api.request('POST', '/session', { body: { email, password: 'another long passphrase' } })).status, 200);
    assert.equal((await api.request('POST', '/session', { body: { email, password: PASSWORD } })).status, 401);
  });

  test('the owner of a confirmed account gets a notice mail, nothing else changes', async () => {
    const { email } = await signedInUser();
    // The notice counts against the address's mail cap (one counter item); nothing else is written.
    const items = async () => (await api.scan()).filter((item) => !String(item.pk).startsWith('MAILCAP#')).length;
    const before = await items();
    const response = await api.request('POST', '/registration', { body: { email, password: 'different passphrase here' } });
    assert.equal(response.status, 202);
    const mails = await mailsTo(email);
    assert.equal(mails.at(-1)?.subject, 'You already have an account');
    assert.equal(await items(), before);
    assert.equal((await api.request('POST', '/session', { body: { email, password: 'different passphrase here' } })).status, 401);
  });

  test('field rules answer 422 with errors per field, and change nothing', async () => {
    const before = (await api.scan()).length;
    const cases: Array<[unknown, string, string]> = [
      [{ email: 'not-an-email', password: PASSWORD }, 'email', 'has invalid format'],
      [{ password: PASSWORD }, 'email', "can't be blank"],
      [{ email: '', password: PASSWORD }, 'email', "can't be blank"],
      [{ email: null, password: PASSWORD }, 'email', "can't be blank"],
      [{ email: uniqueEmail(), password: 'short' }, 'password', 'should be at least 8 character(s)'],
      [{ email: uniqueEmail(), password: 'password1234' }, 'password', 'is too common; choose a less common password'],
      [{ email: uniqueEmail(), password: PASSWORD, passwordConfirmation: 'nope' }, 'passwordConfirmation', 'does not match confirmation'],
      [{ email: uniqueEmail(), password: 'x'.repeat(4097) }, 'password', 'should be at most 4096 character(s)'],
    ];
    for (const [body, field, message] of cases) {
      const response = await api.request('POST', '/registration', { body });
      assertProblem(response, 422, 'validation_failed');
      assert.ok(response.body.errors[field]?.includes(message), `${JSON.stringify(body).slice(0, 80)} → ${JSON.stringify(response.body.errors)}`);
    }
    assert.equal((await api.scan()).length, before);
  });

  test('syntax errors answer 400: no body, not JSON, not an object, a wrong JSON type', async () => {
    assertProblem(await api.request('POST', '/registration'), 400, 'bad_request');
    assertProblem(await api.request('POST', '/registration', { body: '{"email":' }), 400, 'bad_request');
    assertProblem(await api.request('POST', '/registration', { body: '[1,2]' }), 400, 'bad_request');
    assertProblem(await api.request('POST', '/registration', { body: '"text"' }), 400, 'bad_request');
    const polluted = await api.request('POST', '/registration', { body: { email: ['victim@example.com', 'attacker@example.com'], password: PASSWORD } });
    assertProblem(polluted, 400, 'bad_request');
    assert.ok(polluted.body.errors.email);
    assertProblem(await api.request('POST', '/registration', { body: { email: 42, password: PASSWORD } }), 400, 'bad_request');
    assert.equal((await mailsTo('victim@example.com')).length, 0);
  });

  test('a body over 65,536 bytes is 413 before anything else', async () => {
    const big = JSON.stringify({ email: uniqueEmail(), password: 'x'.repeat(70000) });
    assertProblem(await api.request('POST', '/registration', { body: big }), 413, 'payload_too_large');
    assertProblem(await api.request('DELETE', '/session', { body: big }), 413, 'payload_too_large');
  });
});

describe('email confirmation', () => {
  test('the mailed link confirms the email once; unknown and used tokens are 404 invalid_token', async () => {
    const email = uniqueEmail();
    await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
    const token = await lastLinkToken(email, 'confirm-email');
    const confirmed = await api.request('POST', `/email-confirmation/${token}`);
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.body.user.emailConfirmed, true);
    assert.equal(confirmed.body.user.email, email);
    assert.equal(confirmed.body.user.passwordHash, undefined);
    assertProblem(await api.request('POST', `/email-confirmation/${token}`), 404, 'invalid_token');
    assertProblem(await api.request('POST', '/email-confirmation/garbage'), 404, 'invalid_token');
    assertProblem(await api.request('POST', `/email-confirmation/${token.slice(0, -2)}xx`), 404, 'invalid_token');
  });

  test('resend: 202 with one body for every email; only an unconfirmed account gets mail', async () => {
    const unconfirmed = uniqueEmail();
    await api.request('POST', '/registration', { body: { email: unconfirmed, password: PASSWORD } });
    const { email: confirmed } = await signedInUser();
    const unknown = uniqueEmail();
    const answers = await Promise.all([unconfirmed, confirmed, unknown].map((email) => api.request('POST', '/email-confirmation/resend', { body: { email } })));
    for (const answer of answers) {
      assert.equal(answer.status, 202);
      assert.deepEqual(answer.body, answers[0]?.body);
    }
    assert.equal((await mailsTo(unconfirmed)).length, 2);
    assert.equal((await mailsTo(confirmed)).length, 1);
    assert.equal((await mailsTo(unknown)).length, 0);
    assertProblem(await api.request('POST', '/email-confirmation/resend', { body: { email: 'nope' } }), 422, 'validation_failed');
  });
});

describe('sign in, renew, sign out, /me', () => {
  test('an unconfirmed user with the right password gets 403 email_not_confirmed and a new mail', async () => {
    const email = uniqueEmail();
    await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
    assertProblem(await api.request('POST', '/session', { body: { email, password: PASSWORD } }), 403, 'email_not_confirmed');
    assert.equal((await mailsTo(email)).length, 2);
    // With a wrong password nothing about the account is revealed.
    assertProblem(await api.request('POST', '/session', { body: { email, password: 'wrong password!' } }), 401, 'invalid_credentials');
    assert.equal((await mailsTo(email)).length, 2);
  });

  test('sign in returns a token pair whose access token carries the contract claims', async () => {
    const { accessToken, renewalToken, user, email } = await signedInUser();
    assert.equal(typeof renewalToken, 'string');
    const claims = decodeJwt(accessToken);
    const header = decodeProtectedHeader(accessToken);
    assert.equal(header.alg, 'EdDSA');
    assert.equal(typeof header.kid, 'string');
    for (const claim of ['iss', 'aud', 'sub', 'sid', 'role', 'iat', 'exp', 'jti']) assert.ok(claims[claim] !== undefined, claim);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.role, 'user');
    const me = await api.request('GET', '/me', { token: accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, email);
    const config = await api.request('GET', '/.well-known/openid-configuration');
    assert.equal(config.body.issuer, claims.iss);
  });

  test('the token pair has the contract shape', async () => {
    const email = uniqueEmail();
    await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
    await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`);
    const response = await api.request('POST', '/session', { body: { email: ` ${email.toUpperCase()} `, password: PASSWORD, rememberMe: false } });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body).sort(), ['accessToken', 'expiresIn', 'renewalToken', 'tokenType', 'user']);
    assert.equal(response.body.tokenType, 'Bearer');
    assert.equal(response.body.expiresIn, 900);
  });

  test('wrong password, unknown email and missing fields get the same 401 body', async () => {
    const { email } = await signedInUser();
    const wrong = await api.request('POST', '/session', { body: { email, password: 'not the password' } });
    const unknown = await api.request('POST', '/session', { body: { email: uniqueEmail(), password: 'not the password' } });
    const missing = await api.request('POST', '/session', { body: { email } });
    const empty = await api.request('POST', '/session', { body: { email: '', password: '' } });
    for (const response of [wrong, unknown, missing, empty]) {
      assertProblem(response, 401, 'invalid_credentials');
      assert.equal(response.text, wrong.text);
    }
    assert.equal(wrong.body.detail, 'The provided login details did not work. Please verify your credentials, and try again.');
  });

  test('renewal rotates the renewal token and kills the previous access token', async () => {
    const { accessToken, renewalToken } = await signedInUser();
    const renewed = await api.request('POST', '/session/renew', { body: { renewalToken } });
    assert.equal(renewed.status, 200);
    assert.notEqual(renewed.body.renewalToken, renewalToken);
    assert.equal(decodeJwt(renewed.body.accessToken).sid, decodeJwt(accessToken).sid);
    assertProblem(await api.request('GET', '/me', { token: accessToken }), 401, 'unauthorized');
    assert.equal((await api.request('GET', '/me', { token: renewed.body.accessToken })).status, 200);
  });

  test('presenting a spent renewal token revokes the session', async () => {
    const { renewalToken } = await signedInUser();
    const renewed = await api.request('POST', '/session/renew', { body: { renewalToken } });
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken } }), 401, 'unauthorized');
    assertProblem(await api.request('GET', '/me', { token: renewed.body.accessToken }), 401, 'unauthorized');
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: renewed.body.renewalToken } }), 401, 'unauthorized');
  });

  test('garbage renewal tokens are 401 and revoke nothing', async () => {
    const { accessToken, renewalToken } = await signedInUser();
    const [userId, sessionId] = renewalToken.split('.');
    const forged = `${userId}.${sessionId}.${'A'.repeat(43)}`;
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: forged } }), 401, 'unauthorized');
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: 'x' } }), 401, 'unauthorized');
    assert.equal((await api.request('GET', '/me', { token: accessToken })).status, 200);
  });

  test('sign out: 204, then the access and renewal tokens stop working at once', async () => {
    const { accessToken, renewalToken } = await signedInUser();
    const out = await api.request('DELETE', '/session', { token: accessToken });
    assert.equal(out.status, 204);
    assertProblem(await api.request('GET', '/me', { token: accessToken }), 401, 'unauthorized');
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken } }), 401, 'unauthorized');
    assertProblem(await api.request('DELETE', '/session', { token: accessToken }), 401, 'unauthorized');
  });

  test('authenticated routes answer 401 problem+json without a valid bearer token', async () => {
    for (const token of [undefined, 'garbage', 'a.b.c']) {
      const response = await api.request('GET', '/me', token ? { token } : {});
      assertProblem(response, 401, 'unauthorized');
      assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    }
  });
});

describe('well-known, routing and headers', () => {
  test('JWKS lists public keys with unique kids and no private members; cacheable for 5 minutes', async () => {
    const response = await api.request('GET', '/.well-known/jwks.json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('cache-control') ?? '', /max-age=300/);
    const kids = response.body.keys.map((k: { kid: string }) => k.kid);
    assert.equal(new Set(kids).size, kids.length);
    for (const key of response.body.keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[member], undefined);
      assert.equal(key.alg, 'EdDSA');
    }
    const config = await api.request('GET', '/.well-known/openid-configuration');
    assert.equal(config.status, 200);
    assert.equal(config.body.jwks_uri, `${config.body.issuer}/.well-known/jwks.json`);
  });

  test('unknown routes are problem+json 404, known paths with another method 405', async () => {
    assertProblem(await api.request('GET', '/nope'), 404, 'not_found');
    assertProblem(await api.request('GET', '/registration/../../etc/passwd'), 404, 'not_found');
    const wrongMethod = await api.request('GET', '/registration');
    assertProblem(wrongMethod, 405, 'method_not_allowed');
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
  });

  test('every response carries the security headers; only /.well-known may be cached', async () => {
    const responses = [
      await api.request('POST', '/registration', { body: { email: uniqueEmail(), password: PASSWORD } }),
      await api.request('GET', '/me'),
      await api.request('GET', '/nope'),
      await api.request('POST', '/session', { body: '{' }),
    ];
    for (const response of responses) {
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  test('CORS allows the APP_URL origin only; preflights of known routes get 204', async () => {
    const allowed = await api.request('POST', '/session', { body: {}, headers: { origin: 'https://app.example.test' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.test');
    const other = await api.request('POST', '/session', { body: {}, headers: { origin: 'https://evil.example' } });
    assert.notEqual(other.headers.get('access-control-allow-origin'), 'https://evil.example');
    const preflight = await api.request('OPTIONS', '/session', { headers: { origin: 'https://app.example.test', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example.test');
  });

  test('mailed links come from APP_URL, never from Host or forwarding headers', async () => {
    const email = uniqueEmail();
    await api.request('POST', '/registration', {
      body: { email, password: PASSWORD },
      headers: { 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example' },
    });
    const [mail] = await mailsTo(email);
    assert.ok(mail);
    assert.doesNotMatch(mail.text + mail.html, /evil\.example/);
    assert.match(mail.text, /https:\/\/app\.example\.test\/confirm-email\//);
  });
});
