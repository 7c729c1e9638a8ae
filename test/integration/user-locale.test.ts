import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, PASSWORD, signedInUser } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** The user's `locale` (docs/specs/hosted-ui.md §8) over HTTP, and mails in it through the local SES. */

let api: TestStack;

before(async () => {
  api = await startTestStack({ APP_URL: 'https://app.example.test' });
});
after(async () => {
  await api.close();
});

test('a German user gets German mails: registration with locale de mails the confirmation in German, and so the reset', async () => {
  const email = uniqueEmail();
  const registered = await api.request('POST', '/registration', { body: { email, password: PASSWORD, locale: 'de' } });
  assert.equal(registered.status, 202);
  const confirmation = (await mailsTo(email)).at(-1);
  assert.equal(confirmation?.subject, 'Bestätigen Sie Ihre E-Mail-Adresse');
  assert.match(confirmation?.html ?? '', /<html lang="de">/);
  assert.match(confirmation?.text ?? '', /E-Mail-Adresse bestätigen: https:\/\/app\.example\.test\/confirm-email\//);

  await api.request('POST', '/password-reset', { body: { email } });
  const reset = (await mailsTo(email)).at(-1);
  assert.equal(reset?.subject, 'Passwort zurücksetzen');
  assert.match(reset?.text ?? '', /Der Link unten funktioniert einmal, \d+ Minuten lang\./);
});

test('PATCH /me sets locale (alone it needs no current password); the user object shows it; mails follow it', async () => {
  const me = await signedInUser(api);
  const initial = await api.request('GET', '/me', { token: me.accessToken });
  assert.equal(initial.status, 200, JSON.stringify(initial.body));
  assert.equal(initial.body.user.locale, null);
  const set = await api.request('PATCH', '/me', { token: me.accessToken, body: { locale: 'de' } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.user.locale, 'de');
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  assert.equal((await mailsTo(me.email)).at(-1)?.subject, 'Passwort zurücksetzen');
  const back = await api.request('PATCH', '/me', { token: me.accessToken, body: { locale: 'en' } });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  assert.equal(back.body.user.locale, 'en');
  await api.request('POST', '/password-reset', { body: { email: me.email } });
  assert.equal((await mailsTo(me.email)).at(-1)?.subject, 'Reset your password');
});

test('an unknown locale is 422 errors.locale ["is invalid"] and changes nothing; a wrong type is 400', async () => {
  const me = await signedInUser(api);
  for (const locale of ['fr', 'en-XA', 'DE', '']) {
    const answer = await api.request('PATCH', '/me', { token: me.accessToken, body: { locale } });
    assertProblem(answer, 422, 'validation_failed');
    assert.deepEqual(answer.body.errors, { locale: ['is invalid'] });
  }
  const registration = await api.request('POST', '/registration', { body: { email: uniqueEmail(), password: PASSWORD, locale: 'xx' } });
  assertProblem(registration, 422, 'validation_failed');
  assert.deepEqual(registration.body.errors.locale, ['is invalid']);
  assertProblem(await api.request('PATCH', '/me', { token: me.accessToken, body: { locale: 7 } }), 400, 'bad_request');
  assert.equal((await api.request('GET', '/me', { token: me.accessToken })).body.user.locale, null);
});
